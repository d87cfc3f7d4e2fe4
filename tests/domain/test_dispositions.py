"""collector_tui.domain.dispositions: the disposition code table."""

from __future__ import annotations

import pytest

from collector_tui.domain.dispositions import DISPOSITIONS, disposition


def test_every_code_is_uppercase_and_keyed_by_itself() -> None:
    assert DISPOSITIONS
    for key, entry in DISPOSITIONS.items():
        assert key == entry.code
        assert entry.code == entry.code.upper()
        assert entry.code.strip() == entry.code
        assert entry.label


@pytest.mark.parametrize("code", sorted(DISPOSITIONS))
def test_disposition_is_case_insensitive(code: str) -> None:
    expected = DISPOSITIONS[code]
    assert disposition(code) is expected
    assert disposition(code.lower()) is expected
    assert disposition(code.swapcase()) is expected
    assert disposition(code.capitalize()) is expected


@pytest.mark.parametrize("code", ["", "XYZ", "NA ", "RPC-PTP", "no answer"])
def test_unknown_code(code: str) -> None:
    assert disposition(code) is None


def test_attempt_and_conversation_flags() -> None:
    assert disposition("NA").attempt
    assert not disposition("NA").conversation
    assert disposition("RPC_PTP").right_party
    assert disposition("RPC_PTP").conversation
    inbound = disposition("inbound")
    assert inbound is not None
    assert not inbound.attempt
    assert inbound.conversation
    note = disposition("note")
    assert note is not None
    assert not note.attempt
    assert not note.worked
