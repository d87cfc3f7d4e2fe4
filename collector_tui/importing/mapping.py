"""Column mappings: take another system's export as it is (``--mapping FILE``).

A mapping is TOML::

    [columns]                 # their header -> canonical column
    "Acct #" = "account_number"
    "Guar ID" = "guarantor_id"

    [formats]
    dates = ["%m/%d/%Y"]                      # tried in order
    timestamps = ["%m/%d/%Y %H:%M:%S%z"]
    money = "cents"                           # or "dollars" (default)
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
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


def load_mapping(path: Path, known_columns: tuple[str, ...]) -> ColumnMapping:
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise MappingError(f"{path}: no such mapping file") from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
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
    dates = _strings(formats["dates"], "formats.dates", path) if "dates" in formats else ISO_DATE_FORMATS
    stamps = (
        _strings(formats["timestamps"], "formats.timestamps", path)
        if "timestamps" in formats
        else ISO_DATETIME_FORMATS
    )
    return ColumnMapping(renames=dict(columns), fmt=RowFormat(dates, stamps, money))
