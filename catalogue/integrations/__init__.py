"""Clients for outside services the catalogue reads from (CQC)."""
