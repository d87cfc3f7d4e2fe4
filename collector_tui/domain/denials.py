"""What a claim's denial codes mean in plain words, and how near its deadlines are.

The notes come from the package's ``policies/denial_codes.toml`` (the service
reads the file); this module parses the text and looks codes up, so the
lookup stays a pure function of the glossary and the code.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from collector_tui.domain.compliance.policy import PolicyError, layered_toml

NO_DESCRIPTION = "no description on file"
# A claim deadline this near (or past) is flagged in words, not only in colour.
DEADLINE_WARN_DAYS = 14


@dataclass(frozen=True, slots=True)
class DenialNote:
    """One code on a claim: what it means and the usual next step, or that we have no note."""

    code: str  # as the claim shows it: CO-16, N30, 45
    meaning: str
    next_action: str | None
    group: str | None  # who carries the adjustment, from the group code (CO, PR, ...)

    @property
    def known(self) -> bool:
        return self.next_action is not None


@dataclass(frozen=True, slots=True)
class DenialGlossary:
    version: str
    groups: Mapping[str, str]
    notes: Mapping[str, tuple[str, str]]  # code or reason -> (meaning, next action)

    def explain(self, code: str) -> DenialNote:
        """The note for ``code``: the whole code first (``PR-45``), then the reason alone (``45``)."""
        shown = code.strip().upper()
        group, _, reason = shown.rpartition("-")
        note = self.notes.get(shown) or (self.notes.get(reason) if group else None)
        who = self.groups.get(group) if group else None
        if note is None:
            return DenialNote(shown, NO_DESCRIPTION, None, who)
        return DenialNote(shown, note[0], note[1], who)


def _text(value: Any, where: str) -> str:
    if not isinstance(value, str) or not value.strip():
        raise PolicyError(f"{where} must be non-empty text")
    return value.strip()


def parse_denial_glossary(text: str, *overrides: str) -> DenialGlossary:
    """The glossary in ``text`` with each override merged on top, code by code."""
    data = layered_toml(text, *overrides)
    groups = data.get("groups", {})
    codes = data.get("codes", {})
    if not isinstance(groups, Mapping) or not isinstance(codes, Mapping):
        raise PolicyError("[groups] and [codes] must be tables")
    notes: dict[str, tuple[str, str]] = {}
    for code, entry in codes.items():
        if not isinstance(entry, Mapping):
            raise PolicyError(f"codes.{code} must be a table with meaning and action")
        notes[str(code).upper()] = (
            _text(entry.get("meaning"), f"codes.{code}.meaning"),
            _text(entry.get("action"), f"codes.{code}.action"),
        )
    return DenialGlossary(
        version=str(data.get("version") or "unversioned"),
        groups={str(k).upper(): _text(v, f"groups.{k}") for k, v in groups.items()},
        notes=notes,
    )


@dataclass(frozen=True, slots=True)
class DeadlineStatus:
    days_left: int  # negative once the deadline has passed
    urgent: bool  # past, or within the warning days
    label: str  # "PAST (3 days ago)", "due today", "7 days left"


def deadline_status(deadline: date, today: date, *, warn_days: int = DEADLINE_WARN_DAYS) -> DeadlineStatus:
    """How far ``deadline`` is from ``today``, in words that do not rely on colour."""
    days = (deadline - today).days
    if days < 0:
        ago = -days
        label = f"PAST ({ago} day{'s' if ago != 1 else ''} ago)"
    elif days == 0:
        label = "due TODAY"
    else:
        label = f"{days} day{'s' if days != 1 else ''} left"
    return DeadlineStatus(days_left=days, urgent=days <= warn_days, label=label)
