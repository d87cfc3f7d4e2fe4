"""Plain, immutable data the screens show: no ORM objects leave the services."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from collector_tui.domain.compliance.engine import Verdict


@dataclass(frozen=True, slots=True)
class PersonView:
    name: str
    date_of_birth: date | None
    ssn_last4: str | None
    address: str
    language: str
    relationship: str


@dataclass(frozen=True, slots=True)
class PhoneView:
    id: int
    national: str
    phone_type: str
    valid: bool
    status: str
    do_not_call: bool
    consent_to_call_mobile: bool
    time_zones: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class ChargeView:
    line_number: int
    service_date: date
    procedure_code: str
    amount_cents: int


@dataclass(frozen=True, slots=True)
class ClaimView:
    payer_name: str
    claim_number: str
    status: str
    billed_cents: int
    allowed_cents: int
    paid_cents: int
    patient_share_cents: int
    denial_codes: tuple[str, ...]
    appeal_deadline: date | None
    timely_filing_deadline: date | None


@dataclass(frozen=True, slots=True)
class TransactionView:
    posted_at: datetime
    kind: str
    amount_cents: int
    method: str | None


@dataclass(frozen=True, slots=True)
class PromiseView:
    amount_cents: int
    due_date: date
    status: str


@dataclass(frozen=True, slots=True)
class PlanView:
    status: str
    frequency: str
    installment_count: int
    installment_cents: int
    principal_cents: int
    first_due_date: date
    paid_installments: int


@dataclass(frozen=True, slots=True)
class ActivityView:
    occurred_at: datetime
    channel: str
    direction: str
    outcome_code: str | None
    phone: str | None
    collector: str | None
    note: str | None


@dataclass(frozen=True, slots=True)
class AccountDetail:
    id: int
    account_number: str
    facility_name: str
    status: str
    owner: str | None
    total_balance_cents: int
    patient_responsibility_cents: int
    insurance_pending_cents: int
    age_days: int | None
    age_bucket: str
    holds: tuple[str, ...]
    guarantor_flags: tuple[str, ...]
    fap_status: str
    service_date_from: date | None
    guarantor: PersonView
    patient: PersonView | None
    phones: tuple[PhoneView, ...]
    charges: tuple[ChargeView, ...]
    claims: tuple[ClaimView, ...]
    transactions: tuple[TransactionView, ...]
    promises: tuple[PromiseView, ...]
    plans: tuple[PlanView, ...]
    activities: tuple[ActivityView, ...]
    compliance: Verdict  # what may be done now, and why not
