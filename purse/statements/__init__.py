"""Budget statements: what came into a person's purse, what was held, paid and
released, and what was left, for a month or any period they ask for."""
