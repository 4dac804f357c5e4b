"""Licensing and billing of tenants (public schema): plans, licences, usage, invoices."""
