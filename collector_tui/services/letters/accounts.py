"""An account's letters: the facts a letter needs, read from the database, and the preview.

Reading the facts for a letter is reading the account, so it is allowed exactly when opening the
account is (:func:`collector_tui.services.team.permissions.require_account_view`), any other
account gets the answer for a number that does not exist, and a preview shown is one
``letter.preview`` audit event (ids and codes only; a refused preview records nothing).

Where each fact comes from:

- The collector's identity: the office settings ``letters.*``
  (:mod:`collector_tui.services.office_settings`); a demo database falls back to fictional ones,
  any other office is refused until they are set (a notice must name who sends it).
- The consumer: the account's guarantor, name and mailing address.
- The creditor: the facility (the creditor on the itemization date and now).
- The itemization (12 CFR 1006.34(b)(3), (c)(2)(vi)-(ix)): the client's itemization from the
  placement file (``itemization_*`` on the account: one of the five reference dates, the amount
  then, interest, fees, payments and credits since), plus every payment and credit posted here since
  the account was placed. Without one, the placement date stands in, with the amount then worked
  back from the balance and the transactions since; it is none of the five reference dates, so the
  preview says so (:attr:`LetterDraft.notes`) and a notice to be mailed needs the client's.
- The notice date: the office's today; the validation period's end from the compliance policy in
  force.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Row, select
from sqlmodel import Session

from collector_tui.db.tables import ACCOUNT_T, CHARGE_T, CLAIM_T, FACILITY_T, GUARANTOR_T, PATIENT_T, TX_T
from collector_tui.domain.letters.common import LetterError
from collector_tui.domain.letters.itemized import (
    ItemizedStatementFacts,
    StatementCharge,
    StatementClaim,
    StatementMovement,
    itemized_inputs,
)
from collector_tui.domain.letters.validation import (
    CollectorIdentity,
    Itemization,
    ValidationNoticeFacts,
    validation_inputs,
)
from collector_tui.services import audit
from collector_tui.services.audit import Actor
from collector_tui.services.database import Database
from collector_tui.services.desk.lookup import account_by_number
from collector_tui.services.errors import ServiceError
from collector_tui.services.law.policy import current_policy
from collector_tui.services.letters.render import RenderedLetter, render_letter, template_name
from collector_tui.services.office_settings import (
    LETTERS_COLLECTOR_ADDRESS,
    LETTERS_COLLECTOR_HOURS,
    LETTERS_COLLECTOR_NAME,
    LETTERS_COLLECTOR_PHONE,
    LETTERS_COLLECTOR_WEBSITE,
    LETTERS_REQUIRED,
    letters_sender_settings,
    office_today,
)
from collector_tui.services.team.identity import is_demo
from collector_tui.services.team.permissions import Permission, can, require_account_view
from collector_tui.vocabulary import Regime

VALIDATION_NOTICE = "validation_notice"
ITEMIZED_STATEMENT = "itemized_statement"
PLACED_DATE_STANDS_IN = (
    "no itemization on file: the placement date stands in for the itemization date, and it is none "
    "of the five reference dates of 12 CFR 1006.34(b)(3); a notice to be mailed needs the client's "
    "itemization (the placement file's itemization_* columns)"
)


class LetterRefusedError(ServiceError):
    """The account's facts cannot make this letter (the message names the fact, never the person)."""


@dataclass(frozen=True, slots=True)
class LetterDraft:
    """A letter's inputs for one account, before rendering."""

    account_id: int
    kind: str
    language: str
    inputs: dict[str, str]
    notes: tuple[str, ...] = ()  # what the preview must say about its facts


@dataclass(frozen=True, slots=True)
class LetterPreview:
    draft: LetterDraft
    letter: RenderedLetter


def collector_identity(session: Session) -> CollectorIdentity:
    """Who the office's letters come from, or a refusal naming the settings to set."""
    values = letters_sender_settings(session, demo=is_demo(session))
    missing = [key for key in LETTERS_REQUIRED if key not in values]
    if missing:
        raise LetterRefusedError(
            f"the office settings {', '.join(missing)} are not set: a letter names its sender"
        )
    return CollectorIdentity(
        name=values[LETTERS_COLLECTOR_NAME],
        mailing_address=tuple(values[LETTERS_COLLECTOR_ADDRESS].splitlines()),
        phone=values[LETTERS_COLLECTOR_PHONE],
        hours=values[LETTERS_COLLECTOR_HOURS],
        website=values.get(LETTERS_COLLECTOR_WEBSITE),
    )


def _one(session: Session, table: Any, row_id: int | None) -> Row[Any] | None:
    if row_id is None:
        return None
    return session.execute(select(table).where(table.c.id == row_id)).first()


def _address(person: Row[Any]) -> tuple[str, ...]:
    last = " ".join(p for p in (person.state, person.zip_code) if p)
    city = ", ".join(p for p in (person.city, last) if p)
    return tuple(p.strip() for p in (person.address1, person.address2, city) if p and p.strip())


def _name(person: Row[Any]) -> str:
    return " ".join(p.strip() for p in (person.first_name, person.last_name) if p and p.strip())


def _net_since(session: Session, account_id: int, since: date) -> int:
    """The signed effect on the balance of every transaction posted on or after ``since``."""
    t = TX_T.c
    rows = session.execute(select(t.amount_cents, t.posted_at).where(t.account_id == account_id)).all()
    return sum(int(row.amount_cents) for row in rows if row.posted_at.date() >= since)


def _itemization(session: Session, account: Row[Any]) -> tuple[Itemization, tuple[str, ...]]:
    net = _net_since(session, account.id, account.placed_date)
    current = int(account.total_balance_cents)
    if account.itemization_date is not None and account.itemization_amount_cents is not None:
        since = -net  # what was posted here since placement: payments and credits (+), reversals (-)
        return (
            Itemization(
                itemization_date=account.itemization_date,
                amount_on_itemization_date_cents=int(account.itemization_amount_cents),
                interest_cents=int(account.itemization_interest_cents or 0),
                fees_cents=int(account.itemization_fees_cents or 0),
                payments_and_credits_cents=int(account.itemization_credits_cents or 0) + since,
                current_amount_cents=current,
            ),
            (),
        )
    return (
        Itemization(
            itemization_date=account.placed_date,
            amount_on_itemization_date_cents=current - net,
            interest_cents=0,
            fees_cents=0,
            payments_and_credits_cents=-net,
            current_amount_cents=current,
        ),
        (PLACED_DATE_STANDS_IN,),
    )


def validation_notice_draft(
    session: Session, account_id: int, *, language: str, now: datetime
) -> LetterDraft:
    """The validation notice's inputs for the account (read in ``session``; no permission check)."""
    account = _one(session, ACCOUNT_T, account_id)
    assert account is not None
    facility = _one(session, FACILITY_T, account.facility_id)
    guarantor = _one(session, GUARANTOR_T, account.guarantor_id)
    assert facility is not None and guarantor is not None
    if facility.regime != Regime.THIRD_PARTY:
        raise LetterRefusedError(
            "a validation notice is a third-party collector's (12 CFR 1006.34); this facility's "
            "accounts are worked as the provider's own office"
        )
    itemization, notes = _itemization(session, account)
    facts = ValidationNoticeFacts(
        collector=collector_identity(session),
        consumer_name=_name(guarantor),
        consumer_address=_address(guarantor),
        creditor_name=facility.name,
        account_number=account.account_number,
        itemization=itemization,
        notice_date=office_today(session, now),
        language=language,
    )
    inputs = validation_inputs(facts, current_policy())
    return LetterDraft(account_id, VALIDATION_NOTICE, language, inputs, notes)


def itemized_statement_draft(
    session: Session, account_id: int, *, language: str, now: datetime
) -> LetterDraft:
    """The itemized statement's inputs for the account: every charge, claim and transaction."""
    account = _one(session, ACCOUNT_T, account_id)
    assert account is not None
    facility = _one(session, FACILITY_T, account.facility_id)
    guarantor = _one(session, GUARANTOR_T, account.guarantor_id)
    assert facility is not None and guarantor is not None
    patient = _one(session, PATIENT_T, account.patient_id or None)
    ch, cl, t = CHARGE_T.c, CLAIM_T.c, TX_T.c
    charges = tuple(
        StatementCharge(row.service_date, row.procedure_code, row.description, int(row.amount_cents))
        for row in session.execute(
            select(ch.service_date, ch.procedure_code, ch.description, ch.amount_cents)
            .where(ch.account_id == account_id)
            .order_by(ch.line_number)
        )
    )
    claims = tuple(
        StatementClaim(row.payer_name, row.claim_number, row.billed_cents, row.allowed_cents, row.paid_cents)
        for row in session.execute(
            select(cl.payer_name, cl.claim_number, cl.billed_cents, cl.allowed_cents, cl.paid_cents)
            .where(cl.account_id == account_id)
            .order_by(cl.id)
        )
    )
    movements = tuple(
        StatementMovement(row.posted_at.date(), row.kind, int(row.amount_cents))
        for row in session.execute(
            select(t.posted_at, t.kind, t.amount_cents)
            .where(t.account_id == account_id)
            .order_by(t.posted_at, t.id)
        )
    )
    facts = ItemizedStatementFacts(
        sender=collector_identity(session),
        facility_name=facility.name,
        facility_nonprofit=bool(facility.nonprofit),
        fap_policy_url=facility.fap_policy_url,
        guarantor_name=_name(guarantor),
        guarantor_address=_address(guarantor),
        patient_name=None if patient is None else _name(patient),
        account_number=account.account_number,
        statement_date=office_today(session, now),
        charges=charges,
        claims=claims,
        movements=movements,
        balance_cents=int(account.total_balance_cents),
        language=language,
    )
    return LetterDraft(account_id, ITEMIZED_STATEMENT, language, itemized_inputs(facts))


_DRAFTS = {VALIDATION_NOTICE: validation_notice_draft, ITEMIZED_STATEMENT: itemized_statement_draft}


def preview_letter(
    db: Database,
    actor: Actor,
    account_number: str,
    *,
    facility_code: str | None,
    kind: str,
    language: str,
    now: datetime,
    override_folder: Path | None = None,
) -> LetterPreview:
    """The letter ``kind`` for the account, rendered, for the actor to read; one ``letter.preview``
    audit event. Refused (:class:`NotFoundError`) for an account the actor may not open, as for
    one that does not exist."""
    template_name(kind, language)  # an unknown letter or language is refused before any read
    not_found = "no such account" + (f" at facility {facility_code}" if facility_code else "")
    with db.reading() as session:
        account_id, _ = account_by_number(
            session, account_number, facility_code, name_facilities=can(actor, Permission.VIEW_ANY_ACCOUNT)
        )
        owner = require_account_view(session, actor, account_id, refusal=not_found)
        try:
            draft = _DRAFTS[kind](session, account_id, language=language, now=now)
        except LetterError as exc:
            raise LetterRefusedError(str(exc)) from None
    letter = render_letter(kind, language, draft.inputs, override_folder=override_folder)
    with db.writing() as session:
        audit.record(
            session,
            actor,
            "letter.preview",
            "account",
            [account_id],
            at=now,
            details={
                "owner_id": owner,
                "kind": kind,
                "language": language,
                "template_version": letter.template_version,
            },
        )
    return LetterPreview(draft, letter)


__all__ = [
    "ITEMIZED_STATEMENT",
    "VALIDATION_NOTICE",
    "LetterDraft",
    "LetterPreview",
    "LetterRefusedError",
    "collector_identity",
    "itemized_statement_draft",
    "preview_letter",
    "validation_notice_draft",
]
