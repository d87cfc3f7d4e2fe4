"""Reading one account in full for the account panel (the queue lives in :mod:`.queue`)."""

from __future__ import annotations

from datetime import date, datetime
from functools import cache
from typing import Any

from sqlalchemy import Row, Table, case, desc, func, select
from sqlmodel import Session

from collector_tui.config import ConfigError
from collector_tui.db.tables import (
    ACCOUNT_T,
    ACTIVITY_T,
    CHARGE_T,
    CLAIM_T,
    COLLECTOR_T,
    DENIAL_ACTION_T,
    DENIAL_ITEM_T,
    DENIAL_T,
    FACILITY_T,
    GUARANTOR_T,
    HOLD_T,
    INSTALLMENT_T,
    PATIENT_T,
    PHONE_T,
    PLAN_T,
    PROMISE_T,
    TX_T,
)
from collector_tui.domain.aging import age_bucket, age_in_days
from collector_tui.domain.compliance.engine import evaluate
from collector_tui.domain.compliance.policy import PolicyError
from collector_tui.domain.denials import DenialGlossary, parse_denial_glossary
from collector_tui.domain.money import format_cents
from collector_tui.domain.phones import format_national
from collector_tui.domain.reconciliation import ClaimAmounts, Reconciliation, reconcile
from collector_tui.services import audit
from collector_tui.services.audit import Actor
from collector_tui.services.database import Database
from collector_tui.services.errors import NotFoundError
from collector_tui.services.law.compliance import load_facts
from collector_tui.services.law.policy import current_policy, shipped_policy_text
from collector_tui.services.team.permissions import allows_unassigned, may_view_account, require_active
from collector_tui.services.views import (
    AccountDetail,
    ActivityView,
    ChargeView,
    ClaimView,
    HouseholdView,
    PersonView,
    PhoneView,
    PlanView,
    PromiseView,
    TransactionView,
)
from collector_tui.vocabulary import (
    AccountStatus,
    DenialActionKind,
    DenialOutcome,
    DenialStatus,
    InstallmentStatus,
)

PAGE_SIZE = 200
TIMELINE_LIMIT = 200
HOUSEHOLD_LIMIT = 50
DENIAL_GLOSSARY = "denial_codes.toml"


@cache
def denial_glossary() -> DenialGlossary:
    """The shipped notes on denial codes, read once per process."""
    try:
        return parse_denial_glossary(shipped_policy_text(DENIAL_GLOSSARY))
    except PolicyError as exc:
        raise ConfigError(f"the shipped {DENIAL_GLOSSARY}: {exc}") from None


def _age_start(first_statement: date | None, service: date | None, placed: date | None) -> date | None:
    return first_statement or service or placed


def _by_id(session: Session, table: Table, row_id: int | None) -> Row[Any] | None:
    """The row of ``table`` with id ``row_id`` (None for no id, or no such row)."""
    if row_id is None:
        return None
    return session.execute(select(table).where(table.c.id == row_id)).first()


def _may_view(session: Session, actor: Actor, account: Row[Any]) -> bool:
    require_active(session, actor)
    return may_view_account(
        actor, account.assigned_collector_id, unassigned_allowed=allows_unassigned(session)
    )


def _address(g: Row[Any]) -> str:
    parts = [g.address1, g.address2, g.city, " ".join(p for p in (g.state, g.zip_code) if p)]
    return ", ".join(p for p in parts if p)


def account_detail(
    db: Database, actor: Actor, account_id: int, *, now: datetime, opening: bool = True
) -> AccountDetail:
    """Everything the panel shows about one account, with its compliance verdict at ``now``.

    Opening an account is an access to patient information, so each opening the
    actor may make is recorded as one ``account.view`` audit event (in its own
    short write transaction, after the read); a refused read records nothing.
    ``opening=False`` is a re-read of the account the actor already has open (after
    a save, or when someone else changed it): the same checks, but no second view.
    """
    with db.reading() as session:
        account = _by_id(session, ACCOUNT_T, account_id)
        if account is None or not _may_view(session, actor, account):
            raise NotFoundError(f"account {account_id} not found")
        detail = _detail(session, account, now)
    if not opening:
        return detail
    with db.writing() as session:
        audit.record(
            session,
            actor,
            "account.view",
            "account",
            [account_id],
            at=now,
            details={"owner_id": account.assigned_collector_id},
        )
    return detail


def _detail(session: Session, account: Row[Any], now: datetime) -> AccountDetail:
    account_id: int = account.id
    guarantor = _by_id(session, GUARANTOR_T, account.guarantor_id)
    facility = _by_id(session, FACILITY_T, account.facility_id)
    assert guarantor is not None and facility is not None
    patient = _by_id(session, PATIENT_T, account.patient_id or None)
    owner = _by_id(session, COLLECTOR_T, account.assigned_collector_id or None)
    days = age_in_days(
        _age_start(account.first_statement_date, account.service_date_from, account.placed_date),
        now.date(),
    )
    household, more = _household(session, guarantor.id, account_id)
    household_open, household_total = _household_totals(session, guarantor.id)
    return AccountDetail(
        id=account_id,
        account_number=account.account_number,
        facility_name=facility.name,
        status=account.status,
        owner=owner.display_name if owner else None,
        total_balance_cents=account.total_balance_cents,
        patient_responsibility_cents=account.patient_responsibility_cents,
        insurance_pending_cents=account.insurance_pending_cents,
        age_days=days,
        age_bucket=age_bucket(days),
        holds=_open_holds(session, account_id),
        guarantor_flags=_guarantor_flags(guarantor),
        fap_status=account.fap_status,
        service_date_from=account.service_date_from,
        guarantor=PersonView(
            name=f"{guarantor.last_name.upper()}, {guarantor.first_name.upper()}",
            date_of_birth=guarantor.date_of_birth,
            ssn_last4=guarantor.ssn_last4,
            address=_address(guarantor),
            language=guarantor.language,
            relationship="guarantor",
        ),
        patient=None
        if patient is None
        else PersonView(
            name=f"{patient.last_name.upper()}, {patient.first_name.upper()}",
            date_of_birth=patient.date_of_birth,
            ssn_last4=None,
            address="",
            language=guarantor.language,
            relationship=patient.relationship_to_guarantor,
        ),
        phones=_phones(session, guarantor.id),
        charges=_charges(session, account_id),
        claims=_claims(session, account_id),
        transactions=_transactions(session, account_id),
        promises=_promises(session, account_id),
        plans=_plans(session, account_id),
        activities=_activities(session, account_id),
        compliance=evaluate(load_facts(session, [account_id], now)[account_id], current_policy(), now),
        version=account.version,
        owner_login=owner.login if owner else None,
        next_action_at=account.next_action_at,
        facility_code=facility.code,
        guarantor_id=guarantor.id,
        guarantor_number=guarantor.external_id,
        guarantor_state=guarantor.state,
        facility_regime=facility.regime,
        reconciliation=_reconciliation(session, account),
        as_of=now,
        household=household,
        household_more=more,
        household_total_cents=household_total,
        household_open_accounts=household_open,
    )


def _household(session: Session, guarantor_id: int, account_id: int) -> tuple[tuple[HouseholdView, ...], int]:
    """The guarantor's other accounts, open ones first then by balance, and how many more there are."""
    a, f, c = ACCOUNT_T.c, FACILITY_T.c, COLLECTOR_T.c
    others = (a.guarantor_id == guarantor_id, a.id != account_id)
    rows = session.execute(
        select(a.id, a.account_number, a.status, a.total_balance_cents, f.code, c.display_name)
        .join(FACILITY_T, f.id == a.facility_id)
        .join(COLLECTOR_T, c.id == a.assigned_collector_id, isouter=True)
        .where(*others)
        .order_by(
            case((a.status == AccountStatus.OPEN, 0), else_=1),
            desc(a.total_balance_cents),
            a.id,
        )
        .limit(HOUSEHOLD_LIMIT)
    ).all()
    views = tuple(
        HouseholdView(
            id=row.id,
            account_number=row.account_number,
            facility_code=row.code,
            status=row.status,
            total_balance_cents=row.total_balance_cents,
            owner=row.display_name,
        )
        for row in rows
    )
    if len(views) < HOUSEHOLD_LIMIT:
        return views, 0
    total = session.execute(select(func.count()).select_from(ACCOUNT_T).where(*others)).scalar_one()
    return views, int(total) - len(views)


def _household_totals(session: Session, guarantor_id: int) -> tuple[int, int]:
    """How many open accounts the guarantor has, and their balance together."""
    a = ACCOUNT_T.c
    count, total = session.execute(
        select(func.count(), func.coalesce(func.sum(a.total_balance_cents), 0)).where(
            a.guarantor_id == guarantor_id, a.status == AccountStatus.OPEN
        )
    ).one()
    return int(count), int(total)


def _open_holds(session: Session, account_id: int) -> tuple[str, ...]:
    h = HOLD_T.c
    rows = session.execute(
        select(h.reason).where(h.account_id == account_id, h.released_at.is_(None))
    ).scalars()
    return tuple(sorted(set(rows)))


def _guarantor_flags(g: Row[Any]) -> tuple[str, ...]:
    flags = {
        "deceased": g.deceased,
        "bankruptcy": g.bankruptcy,
        "attorney": g.attorney_represented,
        "cease": g.cease_communication,
    }
    return tuple(name for name, on in flags.items() if on)


def _phones(session: Session, guarantor_id: int | None) -> tuple[PhoneView, ...]:
    phones = session.execute(
        select(PHONE_T).where(PHONE_T.c.guarantor_id == guarantor_id).order_by(PHONE_T.c.id)
    ).all()
    return tuple(
        PhoneView(
            id=p.id,
            national=format_national(p.number) if p.valid else p.number,
            phone_type=p.phone_type,
            valid=p.valid,
            status=p.status,
            do_not_call=p.do_not_call,
            consent_to_call_mobile=p.consent_to_call_mobile,
            time_zones=tuple(p.time_zones.split()),
        )
        for p in phones
    )


def _charges(session: Session, account_id: int) -> tuple[ChargeView, ...]:
    ch = CHARGE_T.c
    rows = session.execute(
        select(ch.line_number, ch.service_date, ch.procedure_code, ch.amount_cents, ch.description)
        .where(ch.account_id == account_id)
        .order_by(ch.line_number)
    ).all()
    return tuple(
        ChargeView(c.line_number, c.service_date, c.procedure_code, c.amount_cents, c.description)
        for c in rows
    )


def _reconciliation(session: Session, account: Row[Any]) -> Reconciliation:
    """The encounter's money from billed to balance, over every charge, claim and transaction (the
    panes list the newest transactions only; the sum needs them all)."""
    ch, cl, t = CHARGE_T.c, CLAIM_T.c, TX_T.c
    charges = session.execute(select(ch.amount_cents).where(ch.account_id == account.id)).scalars()
    claims = [
        ClaimAmounts(row.billed_cents, row.allowed_cents, row.paid_cents)
        for row in session.execute(
            select(cl.billed_cents, cl.allowed_cents, cl.paid_cents).where(cl.account_id == account.id)
        )
    ]
    moves = session.execute(
        select(t.kind, func.sum(t.amount_cents)).where(t.account_id == account.id).group_by(t.kind)
    ).all()
    return reconcile(
        charges_cents=list(charges),
        claims=claims,
        transactions=[(kind, int(total)) for kind, total in moves],
        balance_cents=account.total_balance_cents,
    )


def _claims(session: Session, account_id: int) -> tuple[ClaimView, ...]:
    claims = session.execute(
        select(CLAIM_T).where(CLAIM_T.c.account_id == account_id).order_by(CLAIM_T.c.id)
    ).all()
    glossary = denial_glossary()
    views = []
    d = DENIAL_T.c
    for claim in claims:
        denials = session.execute(
            select(d.group_code, d.code).where(d.claim_id == claim.id).order_by(d.id)
        ).all()
        shown = tuple(f"{d.group_code}-{d.code}" if d.group_code else d.code for d in denials)
        views.append(
            ClaimView(
                payer_name=claim.payer_name,
                claim_number=claim.claim_number,
                status=claim.status,
                billed_cents=claim.billed_cents,
                allowed_cents=claim.allowed_cents,
                paid_cents=claim.paid_cents,
                patient_share_cents=claim.patient_share_cents,
                denial_codes=shown,
                appeal_deadline=claim.appeal_deadline,
                timely_filing_deadline=claim.timely_filing_deadline,
                denials=tuple(glossary.explain(code) for code in shown),
                worklist=denial_standing(session, claim.id),
            )
        )
    return tuple(views)


def denial_standing(session: Session, claim_id: int) -> str | None:
    """The claim's latest denial item in words: open (its last action, the payer's answer due, the
    next deadline) or how it closed; None when the claim never had one."""
    d, e = DENIAL_ITEM_T.c, DENIAL_ACTION_T.c
    item = session.execute(
        select(d.id, d.status, d.outcome, d.recovered_cents, d.response_due, d.appeal_deadline)
        .where(d.claim_id == claim_id)
        .order_by(d.id.desc())
        .limit(1)
    ).first()
    if item is None:
        return None
    if item.status != DenialStatus.OPEN:
        outcome = DenialOutcome(item.outcome).label if item.outcome else "closed"
        recovered = f", {format_cents(item.recovered_cents)} recovered" if item.recovered_cents else ""
        return f"denial item {item.id} closed: {outcome}{recovered}"
    last = session.execute(
        select(e.kind, e.occurred_at)
        .where(e.item_id == item.id)
        .order_by(e.occurred_at.desc(), e.id.desc())
        .limit(1)
    ).first()
    parts = [f"denial item {item.id} open"]
    if last is not None:
        parts.append(f"{DenialActionKind(last.kind).label.lower()} {last.occurred_at.date().isoformat()}")
    else:
        parts.append("not worked yet")
    if item.response_due is not None:
        parts.append(f"payer's answer due {item.response_due.isoformat()}")
    if item.appeal_deadline is not None:
        parts.append(f"appeal by {item.appeal_deadline.isoformat()}")
    return "; ".join(parts)


def _transactions(session: Session, account_id: int) -> tuple[TransactionView, ...]:
    t = TX_T.c
    rows = session.execute(
        select(t.id, t.posted_at, t.kind, t.amount_cents, t.method)
        .where(t.account_id == account_id)
        .order_by(desc(t.posted_at), desc(t.id))
        .limit(TIMELINE_LIMIT)
    ).all()
    return tuple(
        TransactionView(
            id=row.id,
            posted_at=row.posted_at,
            kind=row.kind,
            amount_cents=row.amount_cents,
            method=row.method,
        )
        for row in rows
    )


def _promises(session: Session, account_id: int) -> tuple[PromiseView, ...]:
    p = PROMISE_T.c
    rows = session.execute(
        select(p.id, p.amount_cents, p.due_date, p.status)
        .where(p.account_id == account_id)
        .order_by(desc(p.due_date), desc(p.id))
    ).all()
    return tuple(
        PromiseView(id=row.id, amount_cents=row.amount_cents, due_date=row.due_date, status=row.status)
        for row in rows
    )


def _plans(session: Session, account_id: int) -> tuple[PlanView, ...]:
    plans = session.execute(
        select(PLAN_T).where(PLAN_T.c.account_id == account_id).order_by(PLAN_T.c.id)
    ).all()
    views = []
    i = INSTALLMENT_T.c
    for plan in plans:
        paid = session.execute(
            select(func.count())
            .select_from(INSTALLMENT_T)
            .where(i.plan_id == plan.id, i.status == InstallmentStatus.PAID)
        ).scalar_one()
        views.append(
            PlanView(
                id=plan.id,
                status=plan.status,
                frequency=plan.frequency,
                installment_count=plan.installment_count,
                installment_cents=plan.installment_cents,
                principal_cents=plan.principal_cents,
                first_due_date=plan.first_due_date,
                paid_installments=int(paid),
                kind=plan.kind,
                down_payment_cents=plan.down_payment_cents,
                forgiven_cents=plan.forgiven_cents,
                created_on=plan.created_at.date(),
            )
        )
    return tuple(views)


def _activities(session: Session, account_id: int) -> tuple[ActivityView, ...]:
    act, p, c = ACTIVITY_T.c, PHONE_T.c, COLLECTOR_T.c
    rows = session.execute(
        select(
            act.id,
            act.occurred_at,
            act.channel,
            act.direction,
            act.outcome_code,
            act.note,
            p.number,
            c.display_name,
        )
        .join(PHONE_T, p.id == act.phone_id, isouter=True)
        .join(COLLECTOR_T, c.id == act.collector_id, isouter=True)
        .where(act.account_id == account_id)
        .order_by(desc(act.occurred_at), desc(act.id))
        .limit(TIMELINE_LIMIT)
    ).all()
    return tuple(
        ActivityView(
            id=row.id,
            occurred_at=row.occurred_at,
            channel=row.channel,
            direction=row.direction,
            outcome_code=row.outcome_code,
            phone=format_national(row.number) if row.number else None,
            collector=row.display_name,
            note=row.note,
        )
        for row in rows
    )
