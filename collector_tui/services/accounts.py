"""Reading one account in full for the account panel (the queue lives in :mod:`.queue`)."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import desc, func
from sqlmodel import Session, col, select

from collector_tui.domain.aging import age_bucket, age_in_days
from collector_tui.domain.compliance.engine import evaluate
from collector_tui.domain.phones import format_national
from collector_tui.services.audit import Actor
from collector_tui.services.compliance import load_facts
from collector_tui.services.database import Database
from collector_tui.services.errors import NotFoundError
from collector_tui.services.policy import current_policy
from collector_tui.services.views import (
    AccountDetail,
    ActivityView,
    ChargeView,
    ClaimView,
    PersonView,
    PhoneView,
    PlanView,
    PromiseView,
    TransactionView,
)
from db import codes
from db.models import (
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

PAGE_SIZE = 200
TIMELINE_LIMIT = 200


def _age_start(first_statement: date | None, service: date | None, placed: date | None) -> date | None:
    return first_statement or service or placed


def _may_view(actor: Actor, account: Account) -> bool:
    if actor.role in (codes.ROLE_SUPERVISOR, codes.ROLE_ADMIN):
        return True
    return account.assigned_collector_id in (actor.collector_id, None)


def _address(g: Guarantor) -> str:
    parts = [g.address1, g.address2, g.city, " ".join(p for p in (g.state, g.zip_code) if p)]
    return ", ".join(p for p in parts if p)


def account_detail(db: Database, actor: Actor, account_id: int, *, now: datetime) -> AccountDetail:
    """Everything the read-only panel shows about one account, with its compliance verdict at ``now``."""
    today = now.date()
    with db.reading() as session:
        account = session.get(Account, account_id)
        if account is None or not _may_view(actor, account):
            raise NotFoundError(f"account {account_id} not found")
        guarantor = session.get(Guarantor, account.guarantor_id)
        facility = session.get(Facility, account.facility_id)
        assert guarantor is not None and facility is not None
        patient = session.get(Patient, account.patient_id) if account.patient_id else None
        owner = (
            session.get(Collector, account.assigned_collector_id) if account.assigned_collector_id else None
        )
        days = age_in_days(
            _age_start(account.first_statement_date, account.service_date_from, account.placed_date),
            today,
        )
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
        )


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
    claims = session.exec(select(InsuranceClaim).where(InsuranceClaim.account_id == account_id)).all()
    views = []
    for claim in claims:
        denials = session.exec(
            select(ClaimDenial).where(ClaimDenial.claim_id == claim.id).order_by(col(ClaimDenial.id))
        ).all()
        views.append(
            ClaimView(
                payer_name=claim.payer_name,
                claim_number=claim.claim_number,
                status=claim.status,
                billed_cents=claim.billed_cents,
                allowed_cents=claim.allowed_cents,
                paid_cents=claim.paid_cents,
                patient_share_cents=claim.patient_share_cents,
                denial_codes=tuple(f"{d.group_code}-{d.code}" if d.group_code else d.code for d in denials),
                appeal_deadline=claim.appeal_deadline,
                timely_filing_deadline=claim.timely_filing_deadline,
            )
        )
    return tuple(views)


def _transactions(session: Session, account_id: int) -> tuple[TransactionView, ...]:
    rows = session.exec(
        select(AccountTransaction)
        .where(AccountTransaction.account_id == account_id)
        .order_by(desc(col(AccountTransaction.posted_at)))
        .limit(TIMELINE_LIMIT)
    ).all()
    return tuple(TransactionView(t.posted_at, t.kind, t.amount_cents, t.method) for t in rows)


def _promises(session: Session, account_id: int) -> tuple[PromiseView, ...]:
    rows = session.exec(
        select(Promise).where(Promise.account_id == account_id).order_by(desc(col(Promise.due_date)))
    ).all()
    return tuple(PromiseView(p.amount_cents, p.due_date, p.status) for p in rows)


def _plans(session: Session, account_id: int) -> tuple[PlanView, ...]:
    plans = session.exec(select(PaymentPlan).where(PaymentPlan.account_id == account_id)).all()
    views = []
    for plan in plans:
        paid = session.exec(
            select(func.count())
            .select_from(Installment)
            .where(Installment.plan_id == plan.id, Installment.status == codes.INSTALLMENT_PAID)
        ).one()
        views.append(
            PlanView(
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
        .order_by(desc(col(Activity.occurred_at)))
        .limit(TIMELINE_LIMIT)
    ).all()
    return tuple(
        ActivityView(
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
