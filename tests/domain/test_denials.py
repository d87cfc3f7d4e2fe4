"""Denial-code notes and claim deadlines: pure lookups and day counts."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from collector_tui.domain.compliance.policy import PolicyError
from collector_tui.domain.denials import (
    DEADLINE_WARN_DAYS,
    NO_DESCRIPTION,
    deadline_status,
    parse_denial_glossary,
)

GLOSSARY = """
version = "test.1"

[groups]
CO = "the facility absorbs it"
PR = "the patient's share"

[codes.45]
meaning = "Above the allowed amount."
action = "Adjust it off."

[codes.PR-45]
meaning = "Above the allowed amount, assigned to the patient."
action = "Check network status first."

[codes.N30]
meaning = "Not eligible."
action = "Confirm coverage."
"""


def test_a_whole_code_note_wins_over_the_reason_alone() -> None:
    glossary = parse_denial_glossary(GLOSSARY)
    assert glossary.explain("PR-45").meaning.endswith("assigned to the patient.")
    co = glossary.explain("CO-45")
    assert (co.code, co.meaning, co.next_action, co.group) == (
        "CO-45",
        "Above the allowed amount.",
        "Adjust it off.",
        "the facility absorbs it",
    )


def test_codes_are_read_without_regard_to_case_or_spaces() -> None:
    glossary = parse_denial_glossary(GLOSSARY)
    assert glossary.explain(" co-45 ").code == "CO-45"
    assert glossary.explain("n30").known


def test_a_bare_reason_and_a_remark_have_no_group() -> None:
    glossary = parse_denial_glossary(GLOSSARY)
    assert glossary.explain("45").known and glossary.explain("45").group is None
    assert glossary.explain("N30").group is None


def test_an_unknown_code_says_so() -> None:
    glossary = parse_denial_glossary(GLOSSARY)
    for code in ("CO-999", "N9999", "OA-45x", "XX-1"):
        note = glossary.explain(code)
        assert not note.known
        assert note.meaning == NO_DESCRIPTION
        assert note.next_action is None
    # The group is still explained when the reason is not.
    assert glossary.explain("PR-999").group == "the patient's share"


def test_an_override_replaces_one_note() -> None:
    glossary = parse_denial_glossary(GLOSSARY, '[codes.45]\naction = "Write it off."\n')
    assert glossary.explain("CO-45").next_action == "Write it off."
    assert glossary.explain("CO-45").meaning == "Above the allowed amount."


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("codes = [", "not valid TOML"),
        ("[codes.1]\nmeaning = 'x'\n", "codes.1.action"),
        ("[codes.1]\nmeaning = ''\naction = 'y'\n", "codes.1.meaning"),
        ("[codes]\n1 = 'x'\n", "codes.1 must be a table"),
        ("groups = 3\n", "must be tables"),
        ("[groups]\nCO = 4\n", "groups.CO"),
    ],
)
def test_a_bad_glossary_names_the_key(text: str, message: str) -> None:
    with pytest.raises(PolicyError, match=message):
        parse_denial_glossary(text)


# --- deadlines --------------------------------------------------------------------------------

TODAY = date(2026, 11, 27)


@pytest.mark.parametrize(
    ("days", "label", "urgent"),
    [
        (-3, "PAST (3 days ago)", True),
        (-1, "PAST (1 day ago)", True),
        (0, "due TODAY", True),
        (1, "1 day left", True),
        (7, "7 days left", True),
        (DEADLINE_WARN_DAYS, f"{DEADLINE_WARN_DAYS} days left", True),
        (DEADLINE_WARN_DAYS + 1, f"{DEADLINE_WARN_DAYS + 1} days left", False),
        (120, "120 days left", False),
    ],
)
def test_deadline_words(days: int, label: str, urgent: bool) -> None:
    status = deadline_status(TODAY + timedelta(days=days), TODAY)
    assert (status.days_left, status.label, status.urgent) == (days, label, urgent)


@given(st.integers(min_value=-400, max_value=400), st.integers(min_value=0, max_value=60))
def test_urgent_exactly_when_past_or_within_the_warning(days: int, warn: int) -> None:
    status = deadline_status(TODAY + timedelta(days=days), TODAY, warn_days=warn)
    assert status.urgent == (days <= warn)
    assert ("PAST" in status.label) == (days < 0)
