"""People: users, who is at the keyboard, what each role may do, approvals and the access log."""
