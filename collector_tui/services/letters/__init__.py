"""Letters: rendering a letter's template into a PDF and its plain text (:mod:`.render`), and the
facts of an account a letter needs (:mod:`.accounts`)."""
