"""The base of every enumerated word: a stored code with a label a person reads."""

from __future__ import annotations

from enum import StrEnum
from typing import Self


class Term(StrEnum):
    """A code (the member's value, stored and written in files) with the ``label`` a person reads.

    Members are declared as ``NAME = "code", "Label"``; ``Term("code")`` is the member stored so, as
    for any enum (the label's default only lets mypy read that call; a test requires every label).
    """

    _value_: str
    label: str

    def __new__(cls, code: str, label: str = "") -> Self:
        member = str.__new__(cls, code)
        member._value_ = code
        member.label = label
        return member

    @classmethod
    def codes(cls) -> tuple[str, ...]:
        """The stored codes in declaration order (the CHECK constraints list them so)."""
        return tuple(member.value for member in cls)

    @classmethod
    def parse(cls, text: str) -> Self:
        """The member whose code is ``text`` (any case, surrounding spaces ignored).

        Raises ValueError naming the accepted codes.
        """
        code = text.strip().lower()
        for member in cls:
            if member.value.lower() == code:
                return member
        raise ValueError(f"must be one of {', '.join(cls.codes())}")
