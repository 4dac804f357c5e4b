"""The e-purse (tenant schemas): budget holders, assessments, budgets, support plans,
the ledger, orders, payments to providers, statements."""
