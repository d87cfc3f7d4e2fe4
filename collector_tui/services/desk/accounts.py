"""Reading one account in full for the account panel (the queue lives in :mod:`.queue`)."""

from __future__ import annotations

from datetime import date, datetime
from functools import cache

from sqlalchemy import case, desc, func
from sqlmodel import Session, col, select

from collector_tui.config import ConfigError
from collector_tui.db import codes
from collector_tui.db.models import (
    Account,
    AccountHold,
    AccountTransaction,
    Activity,
    Charge,
    ClaimDenial,
    Collector,
    Facility,
    Guarantor,
    Installment,
    InsuranceClaim,
    Patient,
    PaymentPlan,
    Phone,
    Promise,
)
from collector_tui.domain.aging import age_bucket, age_in_days
from collector_tui.domain.compliance.engine import evaluate
from collector_tui.domain.compliance.policy import PolicyError
from collector_tui.domain.denials import DenialGlossary, parse_denial_glossary
from collector_tui.domain.phones import format_national
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


def _may_view(session: Session, actor: Actor, account: Account) -> bool:
    require_active(session, actor)
    return may_view_account(
        actor, account.assigned_collector_id, unassigned_allowed=allows_unassigned(session)
    )


def _address(g: Guarantor) -> str:
    parts = [g.address1, g.address2, g.city, " ".join(p for p in (g.state, g.zip_code) if p)]
    return ", ".join(p for p in parts if p)


def account_detail(db: Database, actor: Actor, account_id: int, *, now: datetime) -> AccountDetail:
    """Everything the panel shows about one account, with its compliance verdict at ``now``.

    Opening an account is an access to patient information, so each read the
    actor may make is recorded as an ``account.view`` audit event (in its own
    short write transaction, after the read); a refused read records nothing.
    """
    with db.reading() as session:
        account = session.get(Account, account_id)
        if account is None or not _may_view(session, actor, account):
            raise NotFoundError(f"account {account_id} not found")
        detail = _detail(session, account, now)
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


def _detail(session: Session, account: Account, now: datetime) -> AccountDetail:
    account_id = account.id
    assert account_id is not None
    guarantor = session.get(Guarantor, account.guarantor_id)
    facility = session.get(Facility, account.facility_id)
    assert guarantor is not None and guarantor.id is not None and facility is not None
    patient = session.get(Patient, account.patient_id) if account.patient_id else None
    owner = session.get(Collector, account.assigned_collector_id) if account.assigned_collector_id else None
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
        as_of=now,
        household=household,
        household_more=more,
        household_total_cents=household_total,
        household_open_accounts=household_open,
    )


def _household(session: Session, guarantor_id: int, account_id: int) -> tuple[tuple[HouseholdView, ...], int]:
    """The guarantor's other accounts, open ones first then by balance, and how many more there are."""
    others = (Account.guarantor_id == guarantor_id, Account.id != account_id)
    rows = session.exec(
        select(Account, Facility.code, Collector.display_name)
        .join(Facility, col(Facility.id) == Account.facility_id)
        .join(Collector, col(Collector.id) == Account.assigned_collector_id, isouter=True)
        .where(*others)
        .order_by(
            case((col(Account.status) == codes.ACCOUNT_OPEN, 0), else_=1),
            desc(col(Account.total_balance_cents)),
            col(Account.id),
        )
        .limit(HOUSEHOLD_LIMIT)
    ).all()
    views = tuple(
        HouseholdView(
            id=other.id or 0,
            account_number=other.account_number,
            facility_code=facility_code,
            status=other.status,
            total_balance_cents=other.total_balance_cents,
            owner=owner,
        )
        for other, facility_code, owner in rows
    )
    if len(views) < HOUSEHOLD_LIMIT:
        return views, 0
    total = session.exec(select(func.count()).select_from(Account).where(*others)).one()
    return views, int(total) - len(views)


def _household_totals(session: Session, guarantor_id: int) -> tuple[int, int]:
    """How many open accounts the guarantor has, and their balance together."""
    count, total = session.exec(
        select(func.count(), func.coalesce(func.sum(Account.total_balance_cents), 0)).where(
            Account.guarantor_id == guarantor_id, Account.status == codes.ACCOUNT_OPEN
        )
    ).one()
    return int(count), int(total)


def _open_holds(session: Session, account_id: int) -> tuple[str, ...]:
    rows = session.exec(
        select(AccountHold.reason).where(
            AccountHold.account_id == account_id, col(AccountHold.released_at).is_(None)
        )
    ).all()
    return tuple(sorted(set(rows)))


def _guarantor_flags(g: Guarantor) -> tuple[str, ...]:
    flags = {
        "deceased": g.deceased,
        "bankruptcy": g.bankruptcy,
        "attorney": g.attorney_represented,
        "cease": g.cease_communication,
    }
    return tuple(name for name, on in flags.items() if on)


def _phones(session: Session, guarantor_id: int | None) -> tuple[PhoneView, ...]:
    phones = session.exec(
        select(Phone).where(Phone.guarantor_id == guarantor_id).order_by(col(Phone.id))
    ).all()
    return tuple(
        PhoneView(
            id=p.id or 0,
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
    rows = session.exec(
        select(Charge).where(Charge.account_id == account_id).order_by(col(Charge.line_number))
    ).all()
    return tuple(ChargeView(c.line_number, c.service_date, c.procedure_code, c.amount_cents) for c in rows)


def _claims(session: Session, account_id: int) -> tuple[ClaimView, ...]:
    claims = session.exec(
        select(InsuranceClaim).where(InsuranceClaim.account_id == account_id).order_by(col(InsuranceClaim.id))
    ).all()
    glossary = denial_glossary()
    views = []
    for claim in claims:
        denials = session.exec(
            select(ClaimDenial).where(ClaimDenial.claim_id == claim.id).order_by(col(ClaimDenial.id))
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
            )
        )
    return tuple(views)


def _transactions(session: Session, account_id: int) -> tuple[TransactionView, ...]:
    rows = session.exec(
        select(AccountTransaction)
        .where(AccountTransaction.account_id == account_id)
        .order_by(desc(col(AccountTransaction.posted_at)), desc(col(AccountTransaction.id)))
        .limit(TIMELINE_LIMIT)
    ).all()
    return tuple(
        TransactionView(
            id=t.id or 0, posted_at=t.posted_at, kind=t.kind, amount_cents=t.amount_cents, method=t.method
        )
        for t in rows
    )


def _promises(session: Session, account_id: int) -> tuple[PromiseView, ...]:
    rows = session.exec(
        select(Promise)
        .where(Promise.account_id == account_id)
        .order_by(desc(col(Promise.due_date)), desc(col(Promise.id)))
    ).all()
    return tuple(
        PromiseView(id=p.id or 0, amount_cents=p.amount_cents, due_date=p.due_date, status=p.status)
        for p in rows
    )


def _plans(session: Session, account_id: int) -> tuple[PlanView, ...]:
    plans = session.exec(
        select(PaymentPlan).where(PaymentPlan.account_id == account_id).order_by(col(PaymentPlan.id))
    ).all()
    views = []
    for plan in plans:
        paid = session.exec(
            select(func.count())
            .select_from(Installment)
            .where(Installment.plan_id == plan.id, Installment.status == codes.INSTALLMENT_PAID)
        ).one()
        views.append(
            PlanView(
                id=plan.id or 0,
                status=plan.status,
                frequency=plan.frequency,
                installment_count=plan.installment_count,
                installment_cents=plan.installment_cents,
                principal_cents=plan.principal_cents,
                first_due_date=plan.first_due_date,
                paid_installments=int(paid),
            )
        )
    return tuple(views)


def _activities(session: Session, account_id: int) -> tuple[ActivityView, ...]:
    rows = session.exec(
        select(Activity, Phone.number, Collector.display_name)
        .join(Phone, col(Phone.id) == Activity.phone_id, isouter=True)
        .join(Collector, col(Collector.id) == Activity.collector_id, isouter=True)
        .where(Activity.account_id == account_id)
        .order_by(desc(col(Activity.occurred_at)), desc(col(Activity.id)))
        .limit(TIMELINE_LIMIT)
    ).all()
    return tuple(
        ActivityView(
            id=a.id or 0,
            occurred_at=a.occurred_at,
            channel=a.channel,
            direction=a.direction,
            outcome_code=a.outcome_code,
            phone=format_national(number) if number else None,
            collector=name,
            note=a.note,
        )
        for a, number, name in rows
    )
