"""The e-purse's double-entry ledger, in each tenant's schema (BRIEF §3.4)."""
