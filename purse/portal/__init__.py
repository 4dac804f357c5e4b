"""The web portal for budget holders and the people who help them: representatives
acting for someone, and support workers or care managers acting for a person on their
caseload. Thin pages over the catalogue's, the ledger's and the orders' services."""
