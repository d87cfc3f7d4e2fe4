"""Reading a payer's X12 file (an 835, a 277) whole, as the importers need it.

The bytes are hashed as they are (the file's identity), then decoded as ASCII, the only text X12
allows; a UTF-8 byte order mark in front, which some Windows tools write, is set aside. A problem
is a :class:`FileProblemError` naming the file and where (a byte, a segment and element), never
what the file holds, so no claim's or patient's data reaches a message.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

from collector_tui.domain.x12.envelope import X12Error
from collector_tui.importing.source import FileProblemError

UTF8_BOM = b"\xef\xbb\xbf"


class RolledBackError(Exception):
    """Raised inside a dry run's transaction so that it rolls back (and suppressed around it)."""


def read_x12_text(path: Path) -> tuple[str, str]:
    """The file's text and the SHA-256 of its bytes; ``FileProblemError`` when it cannot be read."""
    try:
        data = path.read_bytes()
    except OSError as error:
        raise FileProblemError(f"{path.name}: cannot be read ({error.strerror or 'unreadable'})") from None
    sha = hashlib.sha256(data).hexdigest()
    skipped = len(UTF8_BOM) if data.startswith(UTF8_BOM) else 0
    try:
        text = data[skipped:].decode("ascii")
    except UnicodeDecodeError as error:
        raise FileProblemError(
            f"{path.name}: byte {skipped + error.start + 1} is not X12 text (ASCII)"
        ) from None
    return text, sha


def x12_problem(path: Path, error: X12Error) -> FileProblemError:
    """The reader's refusal as the importers report it: the file, the segment and the element."""
    where = []
    if error.position is not None:
        where.append(f"segment {error.position}")
    if error.element is not None:
        where.append(f"element {error.element}")
    said = f"{', '.join(where)}: {error.problem}" if where else error.problem
    return FileProblemError(f"{path.name}: {said}")
