"""Column mappings: take another system's export as it is (``--mapping FILE``).

A mapping is TOML::

    [columns]                 # their header -> canonical column
    "Acct #" = "account_number"
    "Guar ID" = "guarantor_id"

    [formats]
    dates = ["%m/%d/%Y"]                      # tried in order
    timestamps = ["%m/%d/%Y %H:%M:%S%z"]
    money = "cents"                           # or "dollars" (default)

A mapping that cannot work is refused when it is loaded (:class:`MappingError`, exit code 1),
naming the file and the key, before a row is read: a date format that cannot read a date back
would otherwise reject every row of the file, one reason at a time.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from pathlib import Path

from collector_tui.domain.fields import ISO_DATE_FORMATS, ISO_DATETIME_FORMATS, RowFormat
from collector_tui.services.errors import ServiceError


class MappingError(ServiceError):
    """The mapping file is unusable (exit code 1); the message names the file and key."""


@dataclass(frozen=True)
class ColumnMapping:
    renames: dict[str, str] = field(default_factory=dict)
    fmt: RowFormat = field(default_factory=RowFormat)

    def canonical(self, header: list[str]) -> list[str]:
        """The file's header with mapped names replaced by canonical ones."""
        return [self.renames.get(name.strip(), name.strip()) for name in header]


IDENTITY = ColumnMapping()


def _strings(value: object, where: str, path: Path) -> tuple[str, ...]:
    if isinstance(value, str):
        return (value,)
    if isinstance(value, list) and value and all(isinstance(item, str) for item in value):
        return tuple(value)
    raise MappingError(f"{path}: {where} must be a format string or a list of them")


# A moment each format writes and must read back: an afternoon hour (a 12-hour %I without %p
# reads it as the morning) and an offset other than UTC.
_PROBE = datetime(2026, 11, 27, 14, 5, tzinfo=timezone(timedelta(hours=-5)))


def _formats(value: object, where: str, path: Path, *, moment: bool) -> tuple[str, ...]:
    """The format strings at ``where``, each checked by writing :data:`_PROBE` and reading it back.

    A date format must give back the year, month and day; a timestamp format also the time to
    the minute and the UTC offset (``%z``), since a timestamp without one is rejected.
    """
    patterns = _strings(value, where, path)
    for pattern in patterns:
        try:
            back = datetime.strptime(_PROBE.strftime(pattern), pattern)  # noqa: DTZ007 (checked below)
        except ValueError as exc:
            raise MappingError(f"{path}: {where}: {pattern!r} is not a usable format ({exc})") from None
        if back.date() != _PROBE.date():
            raise MappingError(f"{path}: {where}: {pattern!r} does not read a year, month and day")
        if moment and (back.utcoffset() is None or back != _PROBE or back.utcoffset() != _PROBE.utcoffset()):
            raise MappingError(
                f"{path}: {where}: {pattern!r} does not read the time to the minute with its UTC offset (%z)"
            )
    return patterns


def _read(path: Path) -> str:
    """The mapping file's text; anything that stops it being read is one line naming the path."""
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise MappingError(f"{path}: no such mapping file") from None
    except IsADirectoryError:
        raise MappingError(f"{path}: is a folder, not a mapping file") from None
    except PermissionError:
        raise MappingError(f"{path}: the mapping file cannot be read (permission denied)") from None
    except OSError as exc:
        reason = exc.strerror or type(exc).__name__
        raise MappingError(f"{path}: the mapping file cannot be read ({reason})") from None
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise MappingError(f"{path}: the mapping file is not UTF-8 text (save it as UTF-8)") from None


def load_mapping(path: Path, known_columns: tuple[str, ...]) -> ColumnMapping:
    """The mapping in ``path``, or :class:`MappingError` naming the file and the key at fault."""
    try:
        data = tomllib.loads(_read(path))
    except tomllib.TOMLDecodeError as exc:
        raise MappingError(f"{path}: not valid TOML ({exc})") from None
    columns = data.get("columns", {})
    if not isinstance(columns, dict) or not all(isinstance(v, str) for v in columns.values()):
        raise MappingError(f"{path}: [columns] must map header names to column names")
    unknown = sorted(set(columns.values()) - set(known_columns))
    if unknown:
        raise MappingError(f"{path}: [columns] maps to unknown column(s): {', '.join(unknown)}")
    formats = data.get("formats", {})
    if not isinstance(formats, dict):
        raise MappingError(f"{path}: [formats] must be a table")
    money = formats.get("money", "dollars")
    if money not in ("dollars", "cents"):
        raise MappingError(f'{path}: formats.money must be "dollars" or "cents"')
    dates = (
        _formats(formats["dates"], "formats.dates", path, moment=False)
        if "dates" in formats
        else ISO_DATE_FORMATS
    )
    stamps = (
        _formats(formats["timestamps"], "formats.timestamps", path, moment=True)
        if "timestamps" in formats
        else ISO_DATETIME_FORMATS
    )
    return ColumnMapping(renames=dict(columns), fmt=RowFormat(dates, stamps, money))
