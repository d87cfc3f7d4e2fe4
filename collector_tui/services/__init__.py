"""Use cases: each opens one transaction, applies domain rules, writes its audit event."""
