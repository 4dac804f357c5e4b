"""Each tenant's own budget rules (tenant schemas): the Resource Allocation System
questionnaire, money per point, bands, caps and adjustments, how money may be managed,
what it cannot be spent on, surplus and top-up settings. Versioned by effective date."""
