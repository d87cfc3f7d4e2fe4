"""What a letter says, as pure data: the facts a letter needs, checked, and the mapping of
strings its template reads (``sys.inputs``).

Pure like the rest of :mod:`collector_tui.domain`: no database, no files, no typesetting. The
services gather the facts (``services/letters/accounts.py``) and render the templates
(``services/letters/render.py``); keeping the content here lets the tests check the rules (the
itemization's arithmetic, the validation period's end date, the dates as each language writes them)
without a database or a PDF.
"""

from __future__ import annotations

from collector_tui.domain.letters.common import LANGUAGES, LetterError, long_date

__all__ = ["LANGUAGES", "LetterError", "long_date"]
