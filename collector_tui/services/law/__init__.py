"""The law and the office's policies: compliance over the database, facilities, the policies in force."""
