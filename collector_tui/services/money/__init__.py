"""Money on accounts: movements from the billing system, promises, payment plans and their nightly check."""
