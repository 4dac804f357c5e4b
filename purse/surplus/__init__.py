"""Surplus recovery: notice of money above the council's limit, then its recovery."""
