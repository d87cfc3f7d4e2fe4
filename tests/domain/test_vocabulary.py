"""The office's vocabulary: each word defined once, with a label a person reads, and the database's
CHECK constraints built from it."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from collector_tui import vocabulary
from collector_tui.vocabulary import HoldReason, Role, Term

TERMS: list[type[Term]] = [
    getattr(vocabulary, name)
    for name in vocabulary.__all__
    if name != "Term" and issubclass(getattr(vocabulary, name), Term)
]


@pytest.mark.parametrize("term", TERMS, ids=lambda t: t.__name__)
def test_every_word_has_its_own_label_in_plain_words(term: type[Term]) -> None:
    labels = [member.label for member in term]
    assert all(label and label[0].isupper() and "_" not in label for label in labels)
    assert len(set(labels)) == len(labels)
    assert len(set(term.codes())) == len(term.codes())


@pytest.mark.parametrize("term", TERMS, ids=lambda t: t.__name__)
def test_a_member_is_its_stored_code(term: type[Term]) -> None:
    for member in term:
        assert member == member.value and str(member) == member.value and f"{member}" == member.value
        assert term(member.value) is member


def test_labels_are_in_the_collector_s_words() -> None:
    assert HoldReason.NSA_DISPUTE.label == "No Surprises Act dispute"
    assert Role.ADMIN.label == "Administrator"


@given(member=st.sampled_from([m for term in TERMS for m in term]), pad=st.text(" ", max_size=3))
def test_parse_reads_a_code_in_any_case(member: Term, pad: str) -> None:
    assert type(member).parse(pad + member.value.swapcase() + pad) is member


def test_parse_names_the_codes_it_accepts() -> None:
    with pytest.raises(ValueError, match="must be one of collector, supervisor, admin, operator"):
        Role.parse("boss")


def test_the_database_checks_each_column_against_its_word() -> None:
    from sqlalchemy import CheckConstraint
    from sqlmodel import SQLModel

    import collector_tui.db.models  # noqa: F401  (registers the tables)

    checks = {
        (table.name, str(constraint.name)): str(constraint.sqltext)
        for table in SQLModel.metadata.tables.values()
        for constraint in table.constraints
        if isinstance(constraint, CheckConstraint)
    }
    assert (
        checks[("collector", "ck_collector_role")]
        == "role IN ('collector', 'supervisor', 'admin', 'operator')"
    )
    hold = checks[("account_hold", "ck_account_hold_reason")]
    assert hold == f"reason IN ({', '.join(repr(code) for code in HoldReason.codes())})"
