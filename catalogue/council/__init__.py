"""A council's own view of the shared registry (tenant schemas): which providers and
services it approves, at what agreed price, its residents' reviews, and CQC alerts."""
