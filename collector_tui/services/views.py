"""Plain, immutable data the screens show: no ORM objects leave the services."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from collector_tui.domain.compliance.engine import Verdict
from collector_tui.domain.denials import DenialNote
from collector_tui.domain.reconciliation import Reconciliation


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
    description: str | None = None  # the billing system's plain words for the code


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
    denials: tuple[DenialNote, ...]  # each code in ``denial_codes``, in plain words
    # Where the claim's latest denial item stands, in words ("open: appeal filed 2026-12-02; ..."),
    # or None when the claim never had one.
    worklist: str | None = None


@dataclass(frozen=True, slots=True)
class TransactionView:
    id: int
    posted_at: datetime
    kind: str
    amount_cents: int
    method: str | None


@dataclass(frozen=True, slots=True)
class PromiseView:
    id: int
    amount_cents: int
    due_date: date
    status: str


@dataclass(frozen=True, slots=True)
class PlanView:
    id: int
    status: str
    frequency: str
    installment_count: int
    installment_cents: int
    principal_cents: int
    first_due_date: date
    paid_installments: int
    kind: str = "plan"  # a PlanKind: a settlement accepts less than the balance
    down_payment_cents: int = 0
    forgiven_cents: int = 0  # a settlement: forgiven when it is paid as agreed
    created_on: date | None = None  # the day it was made: the down payment's date


@dataclass(frozen=True, slots=True)
class ActivityView:
    id: int
    occurred_at: datetime
    channel: str
    direction: str
    outcome_code: str | None
    phone: str | None
    collector: str | None
    note: str | None


@dataclass(frozen=True, slots=True)
class HouseholdView:
    """Another account of the same guarantor."""

    id: int
    account_number: str
    facility_code: str
    status: str
    total_balance_cents: int
    owner: str | None  # the assigned collector's display name


@dataclass(frozen=True, slots=True)
class AccountDetail:
    id: int
    account_number: str
    facility_name: str
    status: str
    owner: str | None  # the assigned collector's display name
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
    version: int  # the account's optimistic-locking version when it was read
    owner_login: str | None
    next_action_at: datetime | None  # the timed callback, UTC
    facility_code: str
    guarantor_id: int
    guarantor_number: str  # the billing system's guarantor id
    as_of: datetime  # the moment the detail describes (deadlines count days from it)
    household: tuple[HouseholdView, ...]  # the guarantor's other accounts, open first, up to a limit
    household_more: int  # other accounts beyond those listed
    # Balance of every open account of the guarantor, this one included (listed or not).
    household_total_cents: int
    household_open_accounts: int
    guarantor_state: str | None = None  # where state rules (interest and income caps) come from
    facility_regime: str = "third_party"  # third_party: the FDCPA disclosure is read on every call
    # "Why do I owe this?": billed to balance for the encounter (None: not computed).
    reconciliation: Reconciliation | None = None
