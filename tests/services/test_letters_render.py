"""Rendering letters: the same inputs give the same hash and the same PDF bytes; the itemized
statement lists every charge and reconciles to the balance; a preview is allowed exactly when
opening the account is, and is one ``letter.preview`` audit event."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy import update

from collector_tui.db.models import Account, Facility, table_of
from collector_tui.services.audit import SYSTEM, Actor
from collector_tui.services.database import Database
from collector_tui.services.errors import NotFoundError
from collector_tui.services.letters.accounts import LetterRefusedError, preview_letter
from collector_tui.services.letters.render import LetterRenderError, input_sha256, render_letter
from collector_tui.services.office_settings import (
    LETTERS_COLLECTOR_ADDRESS,
    LETTERS_COLLECTOR_HOURS,
    LETTERS_COLLECTOR_NAME,
    LETTERS_COLLECTOR_PHONE,
    put_office_setting,
)
from collector_tui.services.team.users import add_user
from collector_tui.vocabulary import Role
from tests.conftest import NOW
from tests.services.builders import audit_events, place, placement

SENDER = {
    LETTERS_COLLECTOR_NAME: "Test Agency (fictional)",
    LETTERS_COLLECTOR_ADDRESS: "PO Box 1\nNowhere, ZZ 00000",
    LETTERS_COLLECTOR_PHONE: "(555) 010-0100",
    LETTERS_COLLECTOR_HOURS: "Weekdays 9-5",
}
# Two charge lines, a claim that allowed everything and paid nothing: the balance is the charges.
RECONCILING = {
    "claim_allowed": "1560.00",
    "itemization_date": "2026-08-01",
    "itemization_amount": "1560.00",
    "charges": "2026-07-02|99284|1250.00|Emergency visit, high severity;2026-07-02|71046|310.00",
}


def staff(db: Database) -> dict[str, Actor]:
    actors = {}
    with db.writing() as session:
        for login, role in (
            ("mlopez", Role.COLLECTOR),
            ("jchen", Role.COLLECTOR),
            ("sreed", Role.SUPERVISOR),
        ):
            user_id = add_user(session, SYSTEM, login=login, display_name=login, role=role, now=NOW)
            actors[login] = Actor(login=login, collector_id=user_id, role=role, display_name=login)
        for key, value in SENDER.items():
            put_office_setting(session, key, value)
    return actors


@pytest.fixture
def office(db: Database) -> dict[str, Actor]:
    actors = staff(db)
    place(db, [placement(collector_login="mlopez", **RECONCILING)])
    return actors


def test_the_same_inputs_give_the_same_hash_and_the_same_pdf(db: Database, office: dict[str, Actor]) -> None:
    first = preview_letter(
        db, office["mlopez"], "A-1001", facility_code=None, kind="validation_notice", language="en", now=NOW
    )
    again = render_letter("validation_notice", "en", dict(reversed(list(first.draft.inputs.items()))))
    assert again.input_sha256 == first.letter.input_sha256 == input_sha256(first.draft.inputs)
    assert again.pdf == first.letter.pdf and again.pdf_sha256 == first.letter.pdf_sha256
    assert (first.letter.template, first.letter.template_version, first.letter.pages) == (
        "validation_notice.en.typ",
        "2026.12.1",
        1,
    )
    changed = render_letter("validation_notice", "en", {**first.draft.inputs, "fees": "$1.00"})
    assert changed.input_sha256 != first.letter.input_sha256 and changed.pdf != first.letter.pdf
    assert b"CreationDate" not in first.letter.pdf  # no date in the document: re-rendering compares


def test_the_validation_notice_uses_the_clients_itemization(db: Database, office: dict[str, Actor]) -> None:
    shown = preview_letter(
        db, office["mlopez"], "A-1001", facility_code=None, kind="validation_notice", language="es", now=NOW
    )
    text = " ".join(shown.letter.text.split())
    assert "Al 1 de agosto de 2026, usted debía: $1,560.00" in text
    assert "Cantidad total de la deuda ahora: $1,560.00" in text
    assert "Jane Doe" in text and "100 Main St" in text and "Test Agency (fictional)" in text
    assert shown.draft.notes == ()


def test_the_itemized_statement_lists_every_charge_and_reconciles(
    db: Database, office: dict[str, Actor]
) -> None:
    shown = preview_letter(
        db, office["mlopez"], "A-1001", facility_code=None, kind="itemized_statement", language="en", now=NOW
    )
    text = " ".join(shown.letter.text.split())
    charges = json.loads(shown.draft.inputs["charges"])
    assert [row[1] for row in charges] == ["99284", "71046"]
    assert charges[1][2] == ""  # no description on file: the line is still listed
    for row in charges:
        assert " ".join(part for part in row if part) in text
    assert "July 2, 2026 99284 Emergency visit, high severity $1,250.00" in text
    assert "Acme Health Plan CLM-778899 $1,560.00 $1,560.00 $0.00" in text
    assert "Total charges $1,560.00" in text and "Balance $1,560.00" in text
    assert "Financial assistance" not in text  # not a nonprofit


def test_a_nonprofit_facilitys_statement_carries_the_financial_assistance_notice(
    db: Database, office: dict[str, Actor]
) -> None:
    with db.writing() as session:
        session.execute(
            update(table_of(Facility)).values(nonprofit=True, fap_policy_url="https://example.org/fap")
        )
    shown = preview_letter(
        db, office["mlopez"], "A-1001", facility_code=None, kind="itemized_statement", language="en", now=NOW
    )
    text = " ".join(shown.letter.text.split())
    assert "financial assistance policy" in text and "https://example.org/fap" in text
    assert SENDER[LETTERS_COLLECTOR_PHONE] in text


def test_a_statement_that_does_not_reconcile_is_refused(db: Database) -> None:
    actors = staff(db)
    place(db, [placement(collector_login="mlopez")])  # the payer allowed 1,200 of 1,560: 360 unexplained
    with pytest.raises(LetterRefusedError, match="do not come to the balance"):
        preview_letter(
            db,
            actors["mlopez"],
            "A-1001",
            facility_code=None,
            kind="itemized_statement",
            language="en",
            now=NOW,
        )
    assert audit_events(db, "letter.preview") == []


def test_without_an_itemization_the_placement_date_stands_in_and_says_so(db: Database) -> None:
    actors = staff(db)
    place(db, [placement(collector_login="mlopez")])
    shown = preview_letter(
        db, actors["mlopez"], "A-1001", facility_code=None, kind="validation_notice", language="en", now=NOW
    )
    assert "placement date stands in" in shown.draft.notes[0]
    assert "As of November 20, 2026, you owed: $1,560.00" in " ".join(shown.letter.text.split())


def test_a_preview_is_an_account_read_audited_with_ids_only(db: Database, office: dict[str, Actor]) -> None:
    preview_letter(
        db, office["mlopez"], "A-1001", facility_code=None, kind="validation_notice", language="en", now=NOW
    )
    (event,) = audit_events(db, "letter.preview")
    details = json.loads(event.details or "{}")
    assert details["kind"] == "validation_notice" and details["language"] == "en"
    assert "Jane" not in (event.details or "") and "Doe" not in (event.details or "")
    with pytest.raises(NotFoundError, match="no such account"):  # another collector's account
        preview_letter(
            db,
            office["jchen"],
            "A-1001",
            facility_code=None,
            kind="validation_notice",
            language="en",
            now=NOW,
        )
    preview_letter(  # a supervisor may open any account
        db, office["sreed"], "A-1001", facility_code=None, kind="itemized_statement", language="en", now=NOW
    )
    assert len(audit_events(db, "letter.preview")) == 2


def test_an_office_without_its_letter_settings_is_refused(db: Database) -> None:
    with db.writing() as session:
        user = add_user(session, SYSTEM, login="mlopez", display_name="m", role=Role.COLLECTOR, now=NOW)
    place(db, [placement(collector_login="mlopez", **RECONCILING)])
    with pytest.raises(LetterRefusedError, match=r"letters\.collector_name"):
        preview_letter(
            db,
            Actor("mlopez", user, Role.COLLECTOR),
            "A-1001",
            facility_code=None,
            kind="validation_notice",
            language="en",
            now=NOW,
        )


def test_a_first_party_facility_sends_no_validation_notice(db: Database, office: dict[str, Actor]) -> None:
    with db.writing() as session:
        session.execute(update(table_of(Facility)).values(regime="first_party"))
    with pytest.raises(LetterRefusedError, match="third-party"):
        preview_letter(
            db,
            office["mlopez"],
            "A-1001",
            facility_code=None,
            kind="validation_notice",
            language="en",
            now=NOW,
        )


def test_an_office_template_replaces_the_shipped_one_and_must_name_its_version(
    db: Database, office: dict[str, Actor], tmp_path: Path
) -> None:
    (tmp_path / "itemized_statement.en.typ").write_text(
        "// Template: itemized_statement.en.typ\n// Version: office-7\nBalance: #sys.inputs.balance\n",
        encoding="utf-8",
    )
    shown = preview_letter(
        db,
        office["mlopez"],
        "A-1001",
        facility_code=None,
        kind="itemized_statement",
        language="en",
        now=NOW,
        override_folder=tmp_path,
    )
    assert (shown.letter.template_version, shown.letter.text.strip()) == ("office-7", "Balance: $1,560.00")
    (tmp_path / "itemized_statement.en.typ").write_text("Balance: #sys.inputs.balance\n", encoding="utf-8")
    with pytest.raises(LetterRenderError, match="Version"):
        render_letter("itemized_statement", "en", shown.draft.inputs, override_folder=tmp_path)


def test_unknown_letters_and_languages_are_refused() -> None:
    with pytest.raises(LetterRenderError, match="no letter"):
        render_letter("dunning", "en", {})
    with pytest.raises(LetterRenderError, match="en only"):
        render_letter("itemized_statement", "es", {})


def test_a_preview_changes_nothing_on_the_account(db: Database, office: dict[str, Actor]) -> None:
    """Only sending a letter records a fact (validation_notice_date); a preview is a read."""
    with db.reading() as session:
        before = session.execute(table_of(Account).select()).first()
    preview_letter(
        db, office["mlopez"], "A-1001", facility_code=None, kind="validation_notice", language="en", now=NOW
    )
    with db.reading() as session:
        assert session.execute(table_of(Account).select()).first() == before
