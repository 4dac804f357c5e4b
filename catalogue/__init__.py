"""The shared provider registry and marketplace catalogue (public schema):
providers, locations, services, CQC ratings, search, Open Referral UK."""
