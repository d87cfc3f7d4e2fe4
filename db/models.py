"""The tables of a medical collections office.

Money is integer cents (``BigInteger``), every timestamp is UTC
(:class:`~db.types.UTCDateTime`), calendar dates (service dates, due dates,
birth dates) are plain dates. Enumerated values are stored as short strings,
each column's codes defined once as a term of :mod:`collector_tui.vocabulary`;
its CHECK constraint is built from the term, so a new code is a migration.

The schema itself is owned by Alembic (``db/migrations``); these classes and
the migrations must agree, and a test proves it.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    Column,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
    func,
    text,
)
from sqlmodel import Field, SQLModel

from collector_tui.db.types import UTCDateTime, utc_now
from collector_tui.vocabulary import (
    AccountStatus,
    ApprovalStatus,
    Channel,
    ClaimStatus,
    DenialActionKind,
    DenialCategory,
    DenialCodeSet,
    DenialOutcome,
    DenialScenario,
    DenialSource,
    DenialStatus,
    Direction,
    FapStatus,
    HoldReason,
    ImportStatus,
    InstallmentStatus,
    PhoneStatus,
    PhoneType,
    PlanFrequency,
    PlanKind,
    PlanStatus,
    PromiseStatus,
    ReceivedVia,
    Regime,
    RequestStatus,
    Role,
    TransactionKind,
    Verification,
)

# Deterministic constraint names, so Alembic batch migrations on SQLite can
# find and alter them.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}
SQLModel.metadata.naming_convention = NAMING_CONVENTION
metadata: MetaData = SQLModel.metadata


def _money(*, nullable: bool = False, default: int | None = 0) -> Column[int]:
    return Column(
        BigInteger,
        nullable=nullable,
        server_default=None if default is None else text(str(default)),
    )


def _utc(*, nullable: bool = False) -> Column[datetime]:
    return Column(UTCDateTime(), nullable=nullable)


def _fk(target: str, *, nullable: bool = True, ondelete: str | None = None) -> Column[int]:
    return Column(Integer, ForeignKey(target, ondelete=ondelete), nullable=nullable)


def _in(column: str, values: tuple[str, ...]) -> str:
    quoted = ", ".join(f"'{value}'" for value in values)
    return f"{column} IN ({quoted})"


class OfficeSetting(SQLModel, table=True):
    """Key/value facts about this database, e.g. that it is a demo database."""

    __tablename__ = "office_setting"

    key: str = Field(primary_key=True, max_length=64)
    value: str = Field(sa_column=Column(Text, nullable=False))


class Facility(SQLModel, table=True):
    """A hospital or clinic whose accounts the office works."""

    __tablename__ = "facility"
    __table_args__ = (CheckConstraint(_in("regime", Regime.codes()), name="regime"),)

    id: int | None = Field(default=None, primary_key=True)
    code: str = Field(max_length=32, unique=True)
    name: str = Field(max_length=200)
    state: str | None = Field(default=None, max_length=2)
    nonprofit: bool = Field(default=False)  # 501(r) rules apply to nonprofit hospitals
    # Which compliance rules apply: a third-party agency's (all) or the provider's own office's.
    regime: str = Field(
        default=Regime.THIRD_PARTY,
        sa_column=Column(String(16), nullable=False, server_default=Regime.THIRD_PARTY),
    )
    # Where the facility's financial-assistance policy is published (a 501(r) notice names it).
    fap_policy_url: str | None = Field(default=None, max_length=400)


class CallGroup(SQLModel, table=True):
    """The zones whose 8:00-21:00 window decides when a phone may be called, with inconvenient times.

    Few distinct groups exist, so the queue evaluates each one once per query
    and asks SQL only for phones in the groups that are open now.
    """

    __tablename__ = "call_group"
    __table_args__ = (UniqueConstraint("zones", "inconvenient"),)

    id: int | None = Field(default=None, primary_key=True)
    zones: str = Field(max_length=400)  # space-separated IANA zones; empty: no window rule
    inconvenient: str = Field(default="", max_length=200)


class Collector(SQLModel, table=True):
    """A user of the workstation: collector, supervisor or admin."""

    __tablename__ = "collector"
    __table_args__ = (CheckConstraint(_in("role", Role.codes()), name="role"),)

    id: int | None = Field(default=None, primary_key=True)
    login: str = Field(max_length=64, unique=True)  # the operating-system login
    display_name: str = Field(max_length=120)
    role: str = Field(default=Role.COLLECTOR, max_length=16)
    active: bool = Field(default=True)
    case_limit: int | None = Field(default=None)
    created_at: datetime = Field(default_factory=utc_now, sa_column=_utc())


class Guarantor(SQLModel, table=True):
    """The responsible party: the person the office may contact about the debt."""

    __tablename__ = "guarantor"

    id: int | None = Field(default=None, primary_key=True)
    external_id: str = Field(max_length=64, unique=True)  # the billing system's guarantor id
    first_name: str = Field(max_length=80)
    last_name: str = Field(max_length=80, index=True)
    date_of_birth: date | None = Field(default=None, index=True)
    ssn_last4: str | None = Field(default=None, max_length=4)
    address1: str | None = Field(default=None, max_length=200)
    address2: str | None = Field(default=None, max_length=200)
    city: str | None = Field(default=None, max_length=80)
    state: str | None = Field(default=None, max_length=2)
    zip_code: str | None = Field(default=None, max_length=10)
    email: str | None = Field(default=None, max_length=200)
    language: str = Field(default="en", max_length=16)
    deceased: bool = Field(default=False)
    bankruptcy: bool = Field(default=False)
    attorney_represented: bool = Field(default=False)
    cease_communication: bool = Field(default=False)
    no_calls_at_work: bool = Field(default=False)
    # Consumer-designated inconvenient times, e.g. "mon-fri 12:00-13:00" (policy syntax).
    inconvenient_times: str | None = Field(default=None, max_length=200)
    # Direct prior consent to further calls (calls in the next 7 days do not count).
    call_consent_at: datetime | None = Field(default=None, sa_column=_utc(nullable=True))
    # Times the consumer said we may call though they fall outside the calling window or in an
    # inconvenient time (12 CFR 1006.6(b)(1)), in the inconvenient-times syntax, and when given.
    call_time_consent: str | None = Field(default=None, max_length=200)
    call_time_consent_at: datetime | None = Field(default=None, sa_column=_utc(nullable=True))
    # The consumer opted out of email to ``email`` (1006.6(e)); None: not opted out.
    email_opt_out_at: datetime | None = Field(default=None, sa_column=_utc(nullable=True))
    created_at: datetime = Field(default_factory=utc_now, sa_column=_utc())
    updated_at: datetime = Field(default_factory=utc_now, sa_column=_utc())


class Patient(SQLModel, table=True):
    """The person who received care; may be the guarantor or a dependant."""

    __tablename__ = "patient"
    __table_args__ = (UniqueConstraint("guarantor_id", "last_name", "first_name", "date_of_birth"),)

    id: int | None = Field(default=None, primary_key=True)
    guarantor_id: int = Field(sa_column=_fk("guarantor.id", nullable=False))
    first_name: str = Field(max_length=80)
    last_name: str = Field(max_length=80)
    date_of_birth: date | None = Field(default=None)
    relationship_to_guarantor: str = Field(default="self", max_length=16)


class Phone(SQLModel, table=True):
    """A number at which a guarantor may be reached, with its consent and status."""

    __tablename__ = "phone"
    __table_args__ = (
        UniqueConstraint("guarantor_id", "number"),
        CheckConstraint(_in("phone_type", PhoneType.codes()), name="phone_type"),
        CheckConstraint(_in("status", PhoneStatus.codes()), name="status"),
        # The call queue (see collector_tui.services.worklists.queue): the phones of the open call
        # groups, and each guarantor's dialable phones with their group, read from the index.
        Index("ix_phone_call_group", "call_group_id", "dialable", "guarantor_id"),
        Index("ix_phone_dialable", "guarantor_id", "dialable", "call_group_id", "phone_type"),
    )

    id: int | None = Field(default=None, primary_key=True)
    guarantor_id: int = Field(sa_column=_fk("guarantor.id", nullable=False))
    # E.164 when the number parsed, otherwise the digits as received.
    number: str = Field(max_length=32)
    phone_type: str = Field(default=PhoneType.HOME, max_length=8)
    valid: bool = Field(default=True)
    # Space-separated IANA zones from phonenumbers; empty when unknown.
    time_zones: str = Field(default="", max_length=400)
    consent_to_call_mobile: bool = Field(default=False)
    do_not_call: bool = Field(default=False)
    status: str = Field(default=PhoneStatus.OK, max_length=16)
    is_work: bool = Field(default=False)
    source: str = Field(default="placement", max_length=16)
    do_not_call_at: datetime | None = Field(default=None, sa_column=_utc(nullable=True))
    consent_revoked_at: datetime | None = Field(default=None, sa_column=_utc(nullable=True))
    consent_revoked_via: str | None = Field(default=None, max_length=16)  # call, letter, email, text
    # When the consumer gave consent to call this (mobile) number, as the client knew it.
    consent_at: datetime | None = Field(default=None, sa_column=_utc(nullable=True))
    # The consumer asked for no more texts to this number (1006.6(e), 47 CFR 64.1200).
    text_opt_out_at: datetime | None = Field(default=None, sa_column=_utc(nullable=True))
    # Kept by the compliance service: may this number be dialled at all, and
    # which group's calling window decides when.
    dialable: bool = Field(default=True, sa_column=Column(Boolean, nullable=False, server_default=text("1")))
    call_group_id: int | None = Field(default=None, sa_column=_fk("call_group.id"))
    created_at: datetime = Field(default_factory=utc_now, sa_column=_utc())


class Account(SQLModel, table=True):
    """One debt, keyed by the billing system's account number within a facility."""

    __tablename__ = "account"
    __table_args__ = (
        UniqueConstraint("facility_id", "account_number"),
        CheckConstraint(_in("status", AccountStatus.codes()), name="status"),
        CheckConstraint(_in("fap_status", FapStatus.codes()), name="fap_status"),
        # The call queue: a collector's workable accounts by priority, paged by
        # keyset on (priority_score, id), read backwards for "highest first";
        # with what the queue's sections ask of each account (its guarantor, the
        # stored call state, the rework and callback moments, the status) so that
        # walking it reads no account rows.
        Index(
            "ix_account_queue",
            "assigned_collector_id",
            "priority_score",
            "id",
            "guarantor_id",
            "call_held",
            "call_frequency_clear_at",
            "call_exempt_until",
            "last_worked_at",
            "next_action_at",
            "status",
            "call_limit_until",
            "call_work_limit_until",
            sqlite_where=text("status = 'open'"),
            postgresql_where=text("status = 'open'"),
        ),
        # Counting a collector's accounts by status and zone without touching rows.
        Index("ix_account_caseload", "assigned_collector_id", "status", "time_zone"),
        Index("ix_account_next_action", "assigned_collector_id", "next_action_at"),
        Index("ix_account_guarantor", "guarantor_id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    facility_id: int = Field(sa_column=_fk("facility.id", nullable=False))
    account_number: str = Field(max_length=40, index=True)
    guarantor_id: int = Field(sa_column=_fk("guarantor.id", nullable=False))
    patient_id: int | None = Field(default=None, sa_column=_fk("patient.id"))
    service_date_from: date | None = Field(default=None)
    service_date_to: date | None = Field(default=None)
    first_statement_date: date | None = Field(default=None)
    placed_date: date
    total_balance_cents: int = Field(default=0, sa_column=_money())
    insurance_pending_cents: int = Field(default=0, sa_column=_money())
    patient_responsibility_cents: int = Field(default=0, sa_column=_money())
    status: str = Field(default=AccountStatus.OPEN, max_length=16)
    fap_status: str = Field(default=FapStatus.NONE, max_length=16)
    # The guarantor's primary zone at placement, used to group the queue.
    time_zone: str | None = Field(default=None, max_length=40)
    assigned_collector_id: int | None = Field(default=None, sa_column=_fk("collector.id"))
    priority_score: int = Field(default=0, sa_column=Column(Integer, nullable=False, server_default="0"))
    # JSON list of [factor, value, points]; written with the score.
    priority_breakdown: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    next_action_at: datetime | None = Field(default=None, sa_column=_utc(nullable=True))
    last_contact_at: datetime | None = Field(default=None, sa_column=_utc(nullable=True))
    last_worked_at: datetime | None = Field(default=None, sa_column=_utc(nullable=True))
    validation_notice_date: date | None = Field(default=None)
    eca_notice_date: date | None = Field(default=None)  # 501(r) written notice of collection actions
    delinquency_date: date | None = Field(default=None)
    # The Reg F itemization (12 CFR 1006.34(b)(3), (c)(2)): the itemization date, what was owed
    # then, and the interest, fees, payments and credits since (None: not given).
    itemization_date: date | None = Field(default=None)
    itemization_amount_cents: int | None = Field(default=None, sa_column=_money(nullable=True, default=None))
    itemization_interest_cents: int | None = Field(
        default=None, sa_column=_money(nullable=True, default=None)
    )
    itemization_fees_cents: int | None = Field(default=None, sa_column=_money(nullable=True, default=None))
    itemization_credits_cents: int | None = Field(default=None, sa_column=_money(nullable=True, default=None))
    # When the patient applied for financial assistance (26 CFR 1.501(r)-6(c)).
    fap_application_date: date | None = Field(default=None)
    # Kept by the compliance service so the queue can ask "callable now" in SQL:
    # a hold stops calls; frequency limits block calls before a moment unless
    # the consumer's direct consent covers it.
    call_held: bool = Field(
        default=False, sa_column=Column(Boolean, nullable=False, server_default=text("0"))
    )
    call_frequency_clear_at: datetime | None = Field(default=None, sa_column=_utc(nullable=True))
    call_exempt_until: datetime | None = Field(default=None, sa_column=_utc(nullable=True))
    # A state's contact limits (whatever the consent) block calls before these moments: to a
    # residence or mobile number, and to any other number; a number of type "other" is held to both.
    call_limit_until: datetime | None = Field(default=None, sa_column=_utc(nullable=True))
    call_work_limit_until: datetime | None = Field(default=None, sa_column=_utc(nullable=True))
    claimed_by_id: int | None = Field(default=None, sa_column=_fk("collector.id"))
    claimed_at: datetime | None = Field(default=None, sa_column=_utc(nullable=True))
    version: int = Field(default=1, sa_column=Column(Integer, nullable=False, server_default="1"))
    # Digest of the last placement record applied: an identical re-import is a no-op.
    placement_digest: str | None = Field(default=None, max_length=32)
    created_at: datetime = Field(default_factory=utc_now, sa_column=_utc())
    updated_at: datetime = Field(default_factory=utc_now, sa_column=_utc())
    closed_at: datetime | None = Field(default=None, sa_column=_utc(nullable=True))


class AccountHold(SQLModel, table=True):
    """A reason an account may not be worked (dispute, cease, bankruptcy, ...)."""

    __tablename__ = "account_hold"
    __table_args__ = (
        CheckConstraint(_in("reason", HoldReason.codes()), name="reason"),
        CheckConstraint(_in("received_via", ReceivedVia.codes()), name="received_via"),
        Index("ix_account_hold_open", "account_id", "reason", "released_at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    account_id: int = Field(sa_column=_fk("account.id", nullable=False, ondelete="CASCADE"))
    reason: str = Field(max_length=24)
    placed_at: datetime = Field(default_factory=utc_now, sa_column=_utc())
    placed_by_id: int | None = Field(default=None, sa_column=_fk("collector.id"))
    released_at: datetime | None = Field(default=None, sa_column=_utc(nullable=True))
    source: str = Field(default="placement", max_length=16)
    # A dispute or cease: came it orally or in writing (None: not recorded, treated as written).
    received_via: str | None = Field(default=None, max_length=8)


class Charge(SQLModel, table=True):
    """A charge line of the encounter behind an account."""

    __tablename__ = "charge"
    __table_args__ = (UniqueConstraint("account_id", "line_number"),)

    id: int | None = Field(default=None, primary_key=True)
    account_id: int = Field(sa_column=_fk("account.id", nullable=False, ondelete="CASCADE"))
    line_number: int
    service_date: date
    procedure_code: str = Field(max_length=16)
    # The billing system's plain description of the code ("Office visit, established patient").
    description: str | None = Field(default=None, max_length=120)
    amount_cents: int = Field(sa_column=_money(default=None))


class InsuranceClaim(SQLModel, table=True):
    """A claim billed to a payer for the account's services."""

    __tablename__ = "insurance_claim"
    __table_args__ = (
        UniqueConstraint("account_id", "claim_number"),
        CheckConstraint(_in("status", ClaimStatus.codes()), name="status"),
        Index("ix_insurance_claim_appeal_deadline", "status", "appeal_deadline"),
        # CLP01 of a payer's 835 names the claim by this number alone: one claim per number, office-wide.
        Index("ux_insurance_claim_control_number", "control_number", unique=True),
        # A PLB recoupment may name a claim by the payer's ICN alone (0011).
        Index("ix_insurance_claim_payer_claim_number", "payer_claim_number"),
    )

    id: int | None = Field(default=None, primary_key=True)
    account_id: int = Field(sa_column=_fk("account.id", nullable=False, ondelete="CASCADE"))
    payer_name: str = Field(max_length=120)
    claim_number: str = Field(max_length=40)
    status: str = Field(default=ClaimStatus.PENDING, max_length=16)
    billed_cents: int = Field(default=0, sa_column=_money())
    allowed_cents: int = Field(default=0, sa_column=_money())
    paid_cents: int = Field(default=0, sa_column=_money())
    patient_share_cents: int = Field(default=0, sa_column=_money())
    submitted_date: date | None = Field(default=None)
    timely_filing_deadline: date | None = Field(default=None)
    appeal_deadline: date | None = Field(default=None)
    control_number: str | None = Field(default=None, max_length=38)  # the provider's claim id (CLP01)
    payer_claim_number: str | None = Field(default=None, max_length=50)  # the payer's ICN (CLP07)
    # From the payer's 277/277CA: the first acceptance (proof of timely filing) and the last status.
    accepted_date: date | None = Field(default=None)
    status_category: str | None = Field(default=None, max_length=4)  # STC01-1: A2, F1, P1, ...
    status_date: date | None = Field(default=None)


class ClaimDenial(SQLModel, table=True):
    """A CARC or RARC code on a denied or adjusted claim."""

    __tablename__ = "claim_denial"
    __table_args__ = (
        UniqueConstraint("claim_id", "code_set", "code"),
        CheckConstraint(_in("code_set", DenialCodeSet.codes()), name="code_set"),
    )

    id: int | None = Field(default=None, primary_key=True)
    claim_id: int = Field(sa_column=_fk("insurance_claim.id", nullable=False, ondelete="CASCADE"))
    code_set: str = Field(max_length=4)  # CARC or RARC
    group_code: str | None = Field(default=None, max_length=2)  # CO, PR, OA, PI
    code: str = Field(max_length=8)


class AccountTransaction(SQLModel, table=True):
    """Money that moved on an account; ``amount_cents`` is what it did to the balance."""

    __tablename__ = "account_transaction"
    __table_args__ = (
        CheckConstraint(_in("kind", TransactionKind.codes()), name="kind"),
        Index("ix_account_transaction_account", "account_id", "posted_at"),
        Index("ix_account_transaction_created", "created_at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    account_id: int = Field(sa_column=_fk("account.id", nullable=False))
    external_id: str | None = Field(default=None, max_length=64, unique=True)
    kind: str = Field(max_length=24)
    # Signed effect on the balance: a payment of $50 is -5000, a reversal of it +5000.
    amount_cents: int = Field(sa_column=_money(default=None))
    posted_at: datetime = Field(sa_column=_utc())
    method: str | None = Field(default=None, max_length=16)
    reference: str | None = Field(default=None, max_length=64)
    reverses_id: int | None = Field(default=None, sa_column=_fk("account_transaction.id"))
    source: str = Field(default="import", max_length=16)
    collector_id: int | None = Field(default=None, sa_column=_fk("collector.id"))
    import_batch_id: int | None = Field(default=None, sa_column=_fk("import_batch.id"))
    created_at: datetime = Field(default_factory=utc_now, sa_column=_utc())


class Promise(SQLModel, table=True):
    """A promise to pay an amount by a date."""

    __tablename__ = "promise"
    __table_args__ = (
        CheckConstraint(_in("status", PromiseStatus.codes()), name="status"),
        Index("ix_promise_due", "status", "due_date"),
        Index("ix_promise_account", "account_id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    account_id: int = Field(sa_column=_fk("account.id", nullable=False))
    collector_id: int | None = Field(default=None, sa_column=_fk("collector.id"))
    amount_cents: int = Field(sa_column=_money(default=None))
    due_date: date
    status: str = Field(default=PromiseStatus.PENDING, max_length=16)
    created_at: datetime = Field(default_factory=utc_now, sa_column=_utc())
    resolved_at: datetime | None = Field(default=None, sa_column=_utc(nullable=True))


class PaymentPlan(SQLModel, table=True):
    """An agreed schedule of installments; a proposal outside policy waits for approval."""

    __tablename__ = "payment_plan"
    __table_args__ = (
        CheckConstraint(_in("status", PlanStatus.codes()), name="status"),
        CheckConstraint(_in("frequency", PlanFrequency.codes()), name="frequency"),
        CheckConstraint(_in("kind", PlanKind.codes()), name="kind"),
        Index("ix_payment_plan_account", "account_id", "status"),
    )

    id: int | None = Field(default=None, primary_key=True)
    account_id: int = Field(sa_column=_fk("account.id", nullable=False))
    collector_id: int | None = Field(default=None, sa_column=_fk("collector.id"))
    principal_cents: int = Field(sa_column=_money(default=None))
    down_payment_cents: int = Field(default=0, sa_column=_money())
    # A settlement accepts principal + down payment for a larger balance: forgiven_cents posts as an
    # adjustment only when it is paid as agreed (a broken settlement forgives nothing).
    kind: str = Field(
        default=PlanKind.PLAN, sa_column=Column(String(16), nullable=False, server_default=PlanKind.PLAN)
    )
    forgiven_cents: int = Field(default=0, sa_column=_money())
    settlement_reason: str | None = Field(default=None, max_length=400)
    interest_rate_bps: int = Field(default=0)  # annual rate in basis points
    frequency: str = Field(max_length=16)
    installment_count: int
    installment_cents: int = Field(sa_column=_money(default=None))
    first_due_date: date
    status: str = Field(default=PlanStatus.ACTIVE, max_length=16)
    policy_exception_reason: str | None = Field(default=None, max_length=400)
    # The content digest of the plan policy the plan was judged under (None: made before 0005).
    policy_digest: str | None = Field(default=None, max_length=64)
    approved_by_id: int | None = Field(default=None, sa_column=_fk("collector.id"))
    approved_at: datetime | None = Field(default=None, sa_column=_utc(nullable=True))
    created_at: datetime = Field(default_factory=utc_now, sa_column=_utc())


class Installment(SQLModel, table=True):
    """One scheduled payment of a plan."""

    __tablename__ = "installment"
    __table_args__ = (
        UniqueConstraint("plan_id", "sequence"),
        CheckConstraint(_in("status", InstallmentStatus.codes()), name="status"),
        Index("ix_installment_due", "status", "due_date"),
    )

    id: int | None = Field(default=None, primary_key=True)
    plan_id: int = Field(sa_column=_fk("payment_plan.id", nullable=False, ondelete="CASCADE"))
    sequence: int
    due_date: date
    amount_cents: int = Field(sa_column=_money(default=None))
    paid_cents: int = Field(default=0, sa_column=_money())
    status: str = Field(default=InstallmentStatus.SCHEDULED, max_length=16)


class Activity(SQLModel, table=True):
    """Every contact attempt, conversation, letter, note and status change."""

    __tablename__ = "activity"
    __table_args__ = (
        CheckConstraint(_in("channel", Channel.codes()), name="channel"),
        CheckConstraint(_in("direction", Direction.codes()), name="direction"),
        CheckConstraint(_in("verification", Verification.codes()), name="verification"),
        Index("ix_activity_account_time", "account_id", "occurred_at"),
        Index("ix_activity_phone_time", "phone_id", "occurred_at"),
        Index("ix_activity_created", "created_at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    account_id: int = Field(sa_column=_fk("account.id", nullable=False))
    collector_id: int | None = Field(default=None, sa_column=_fk("collector.id"))
    occurred_at: datetime = Field(sa_column=_utc())
    channel: str = Field(max_length=8)
    direction: str = Field(default=Direction.NONE, max_length=4)
    phone_id: int | None = Field(default=None, sa_column=_fk("phone.id"))
    party: str | None = Field(default=None, max_length=16)
    # On a call: whether the caller proved to be the right party before the debt was discussed.
    verification: str | None = Field(default=None, max_length=8)
    outcome_code: str | None = Field(default=None, max_length=24)
    # The disposition's flags at the time it was logged, so compliance counts
    # do not change when the policy file does.
    counts_as_attempt: bool = Field(default=False)
    counts_as_conversation: bool = Field(default=False)
    note: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    source: str = Field(default="tui", max_length=16)
    external_id: str | None = Field(default=None, max_length=64, unique=True)
    import_batch_id: int | None = Field(default=None, sa_column=_fk("import_batch.id"))
    created_at: datetime = Field(default_factory=utc_now, sa_column=_utc())


class AssignmentHistory(SQLModel, table=True):
    """Who owned an account, from when, and who moved it."""

    __tablename__ = "assignment_history"
    __table_args__ = (Index("ix_assignment_history_account", "account_id", "assigned_at"),)

    id: int | None = Field(default=None, primary_key=True)
    account_id: int = Field(sa_column=_fk("account.id", nullable=False))
    from_collector_id: int | None = Field(default=None, sa_column=_fk("collector.id"))
    to_collector_id: int | None = Field(default=None, sa_column=_fk("collector.id"))
    assigned_by: str = Field(max_length=64)  # login, or "system" for imports
    assigned_at: datetime = Field(default_factory=utc_now, sa_column=_utc())
    reason: str | None = Field(default=None, max_length=200)


class ImportBatch(SQLModel, table=True):
    """One run of an import: which file, who ran it, what it did."""

    __tablename__ = "import_batch"
    __table_args__ = (
        CheckConstraint(_in("status", ImportStatus.codes()), name="status"),
        Index("ix_import_batch_file", "kind", "file_sha256"),
    )

    id: int | None = Field(default=None, primary_key=True)
    kind: str = Field(max_length=16)  # placements, transactions, activities
    file_name: str = Field(max_length=400)
    file_sha256: str = Field(max_length=64)
    run_by: str = Field(max_length=64)
    started_at: datetime = Field(default_factory=utc_now, sa_column=_utc())
    finished_at: datetime | None = Field(default=None, sa_column=_utc(nullable=True))
    status: str = Field(default=ImportStatus.RUNNING, max_length=16)
    rows_read: int = Field(default=0)
    rows_inserted: int = Field(default=0)
    rows_updated: int = Field(default=0)
    rows_unchanged: int = Field(default=0)
    rows_rejected: int = Field(default=0)
    rows_closed: int = Field(default=0)
    # Last data line applied, so a killed import resumes where it stopped.
    last_line_applied: int = Field(default=0)
    total_cents: int = Field(default=0, sa_column=_money())
    message: str | None = Field(default=None, max_length=400)  # never PHI


class Remittance(SQLModel, table=True):
    """One 835 transaction set (ST): a payer's payment and what it says of each claim.

    Unique on the payer and the trace number (TRN02), so the same file posted twice is a no-op.
    """

    __tablename__ = "remittance"
    __table_args__ = (
        UniqueConstraint("payer_id", "trace_number"),
        Index("ix_remittance_imported", "imported_at"),  # the postings export's window (0011)
    )

    id: int | None = Field(default=None, primary_key=True)
    payer_id: str = Field(max_length=80)  # N104 or REF*2U of loop 1000A
    payer_name: str = Field(max_length=120)
    trace_number: str = Field(max_length=50)  # TRN02
    payment_cents: int = Field(default=0, sa_column=_money())  # BPR02
    credit_debit: str = Field(max_length=1)  # BPR03
    method: str = Field(max_length=3)  # BPR04
    payment_date: date | None = Field(default=None)  # BPR16
    production_date: date | None = Field(default=None)  # DTM*405
    control_number: str = Field(max_length=9)  # ST02
    file_sha256: str = Field(max_length=64)
    imported_at: datetime = Field(default_factory=utc_now, sa_column=_utc())
    run_by: str = Field(max_length=64)


class RemittanceClaim(SQLModel, table=True):
    """One CLP of a remittance, matched to a claim on file or not (``claim_id`` NULL)."""

    __tablename__ = "remittance_claim"
    __table_args__ = (
        Index("ix_remittance_claim_remittance", "remittance_id"),
        Index("ix_remittance_claim_claim", "claim_id"),
        Index("ix_remittance_claim_icn", "payer_claim_number"),  # a recoupment names the ICN (0011)
    )

    id: int | None = Field(default=None, primary_key=True)
    remittance_id: int = Field(sa_column=_fk("remittance.id", nullable=False, ondelete="CASCADE"))
    claim_id: int | None = Field(default=None, sa_column=_fk("insurance_claim.id"))
    control_number: str = Field(max_length=38)  # CLP01
    status_code: str = Field(max_length=2)  # CLP02
    charge_cents: int = Field(default=0, sa_column=_money())  # CLP03
    paid_cents: int = Field(default=0, sa_column=_money())  # CLP04
    patient_responsibility_cents: int | None = Field(
        default=None, sa_column=_money(nullable=True, default=None)
    )
    payer_claim_number: str = Field(default="", max_length=50)  # CLP07
    needs_review: bool = Field(default=False)  # OA/PI adjustments, a recoupment


class RemittanceException(SQLModel, table=True):
    """A CLP that could not post: no claim on file with its number, or the payer says not its claim."""

    __tablename__ = "remittance_exception"
    __table_args__ = (Index("ix_remittance_exception_remittance", "remittance_id"),)

    id: int | None = Field(default=None, primary_key=True)
    remittance_id: int = Field(sa_column=_fk("remittance.id", nullable=False, ondelete="CASCADE"))
    remittance_claim_id: int | None = Field(default=None, sa_column=_fk("remittance_claim.id"))
    control_number: str = Field(max_length=38)  # CLP01
    status_code: str = Field(max_length=2)  # CLP02
    paid_cents: int = Field(default=0, sa_column=_money())
    reason: str = Field(max_length=200)  # never PHI
    resolved_at: datetime | None = Field(default=None, sa_column=_utc(nullable=True))


class ProviderAdjustment(SQLModel, table=True):
    """One PLB adjustment: the provider's ledger, never a patient's debt."""

    __tablename__ = "provider_adjustment"
    __table_args__ = (Index("ix_provider_adjustment_remittance", "remittance_id"),)

    id: int | None = Field(default=None, primary_key=True)
    remittance_id: int = Field(sa_column=_fk("remittance.id", nullable=False, ondelete="CASCADE"))
    provider_id: str = Field(max_length=80)  # PLB01
    fiscal_period_end: date  # PLB02
    reason_code: str = Field(max_length=2)  # PLB03-1: WO, L6, FB, ...
    reference: str = Field(default="", max_length=50)  # PLB03-2, e.g. the ICN a recoupment names
    amount_cents: int = Field(default=0, sa_column=_money())  # positive reduces the payment
    account_id: int | None = Field(default=None, sa_column=_fk("account.id"))  # the account named, flagged


class ExportWatermark(SQLModel, table=True):
    """Where the last complete export of each kind stopped (``--since-last``)."""

    __tablename__ = "export_watermark"

    name: str = Field(primary_key=True, max_length=32)
    exported_through: datetime = Field(sa_column=_utc())
    updated_at: datetime = Field(default_factory=utc_now, sa_column=_utc())


class AuditEvent(SQLModel, table=True):
    """Who did what to which entity, and when. Ids only: never PHI in ``details``."""

    __tablename__ = "audit_event"
    __table_args__ = (
        Index("ix_audit_event_entity", "entity_type", "entity_id"),
        Index("ix_audit_event_time", "occurred_at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    occurred_at: datetime = Field(default_factory=utc_now, sa_column=_utc())
    actor: str = Field(max_length=64)  # login of the person or "system"
    acting_as: str | None = Field(default=None, max_length=64)  # when an admin acts as another
    action: str = Field(max_length=48)
    entity_type: str = Field(max_length=32)
    entity_id: int | None = Field(default=None)
    # Small JSON object of ids, counts and codes.
    details: str | None = Field(default=None, sa_column=Column(Text, nullable=True))


class OverrideRequest(SQLModel, table=True):
    """A collector's request to place a call the compliance rules block, for a supervisor to decide.

    Approved, it lets that collector log one such call on that account and number
    before ``expires_at``; the call's activity then names the request.
    """

    __tablename__ = "override_request"
    __table_args__ = (
        CheckConstraint(_in("status", RequestStatus.codes()), name="status"),
        Index("ix_override_request_status", "status", "requested_at"),
        Index("ix_override_request_account", "account_id", "status"),
    )

    id: int | None = Field(default=None, primary_key=True)
    account_id: int = Field(sa_column=_fk("account.id", nullable=False))
    phone_id: int | None = Field(default=None, sa_column=_fk("phone.id"))
    requested_by_id: int = Field(sa_column=_fk("collector.id", nullable=False))
    requested_at: datetime = Field(sa_column=_utc())
    reason: str = Field(sa_column=Column(Text, nullable=False))
    rules: str = Field(max_length=400)  # the blocking rule ids, space-separated: what it changes
    status: str = Field(default=RequestStatus.PENDING, max_length=16)
    decided_by_id: int | None = Field(default=None, sa_column=_fk("collector.id"))
    decided_at: datetime | None = Field(default=None, sa_column=_utc(nullable=True))
    decision_note: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    expires_at: datetime | None = Field(default=None, sa_column=_utc(nullable=True))
    used_activity_id: int | None = Field(default=None, sa_column=_fk("activity.id"))


class Payer(SQLModel, table=True):
    """An insurer the office bills: its name as the claims carry it, its 835 id and its phone.

    Filled from the placement file's payer names and the 835's payer loop (N1*PR, PER*CX); the
    phone is what a collector dials to work a denial. The rule days (appeal, corrected claim,
    usual response) are policy data (``policies/denials.toml``), not columns here.
    """

    __tablename__ = "payer"
    # One payer however the files spell its case and spacing ("Acme Health Plan", "ACME HEALTH  PLAN").
    __table_args__ = (Index("ux_payer_name_key", "name_key", unique=True),)

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=120)  # as the claims first carried it
    name_key: str = Field(max_length=120)  # domain.denial_work.payer_key(name): upper case, single spaces
    code: str | None = Field(default=None, max_length=40)  # the policy file's key for its rules
    identifier: str | None = Field(default=None, max_length=80)  # N104 / REF*2U of an 835
    phone: str | None = Field(default=None, max_length=20)  # E.164
    phone_note: str | None = Field(default=None, max_length=120)  # "claims line, option 3"
    updated_at: datetime = Field(default_factory=utc_now, sa_column=_utc())


class DenialItem(SQLModel, table=True):
    """One denied claim to work: in exactly one owner's worklist until it closes with an outcome.

    At most one open item per claim (a later denial of the same claim adds its codes to it).
    """

    __tablename__ = "denial_item"
    __table_args__ = (
        CheckConstraint(_in("status", DenialStatus.codes()), name="status"),
        CheckConstraint(f"outcome IS NULL OR {_in('outcome', DenialOutcome.codes())}", name="outcome"),
        CheckConstraint(_in("source", DenialSource.codes()), name="source"),
        CheckConstraint(_in("scenario", DenialScenario.codes()), name="scenario"),
        CheckConstraint(_in("category", DenialCategory.codes()), name="category"),
        Index(
            "ux_denial_item_open_claim",
            "claim_id",
            unique=True,
            sqlite_where=text("status = 'open'"),
            postgresql_where=text("status = 'open'"),
        ),
        # The worklist: an owner's open items by score, walked by keyset.
        Index(
            "ix_denial_item_worklist",
            "owner_id",
            "priority_score",
            "id",
            sqlite_where=text("status = 'open'"),
            postgresql_where=text("status = 'open'"),
        ),
        Index("ix_denial_item_account", "account_id"),
        Index("ix_denial_item_claim", "claim_id"),  # every item of a claim, open or closed
        Index("ix_denial_item_opened", "opened_at"),
        Index("ix_denial_item_updated", "updated_at"),
        Index("ix_denial_item_closed", "closed_at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    claim_id: int = Field(sa_column=_fk("insurance_claim.id", nullable=False, ondelete="CASCADE"))
    account_id: int = Field(sa_column=_fk("account.id", nullable=False))
    owner_id: int | None = Field(default=None, sa_column=_fk("collector.id"))
    status: str = Field(default=DenialStatus.OPEN, max_length=8)
    outcome: str | None = Field(default=None, max_length=16)
    source: str = Field(max_length=16)
    remittance_claim_id: int | None = Field(default=None, sa_column=_fk("remittance_claim.id"))
    payer_name: str = Field(max_length=120)
    payer_claim_number: str | None = Field(default=None, max_length=50)  # the ICN
    group_code: str = Field(max_length=2)  # of the principal reason
    carc: str = Field(max_length=8)  # the principal reason: the one that took the most money
    codes: str = Field(max_length=400)  # every code, "CO-16 N290 M127"
    denied_cents: int = Field(default=0, sa_column=_money())
    # The PR amounts the payer assigned the patient that have not moved to the patient yet.
    patient_cents: int = Field(default=0, sa_column=_money())
    remit_date: date | None = Field(default=None)
    scenario: str = Field(max_length=16)
    category: str = Field(max_length=24)
    appeal_deadline: date | None = Field(default=None)
    corrected_claim_deadline: date | None = Field(default=None)
    response_due: date | None = Field(default=None)  # the payer's usual days after an action
    priority_score: int = Field(default=0)
    priority_breakdown: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    opened_at: datetime = Field(sa_column=_utc())
    worked_at: datetime | None = Field(default=None, sa_column=_utc(nullable=True))
    claimed_by_id: int | None = Field(default=None, sa_column=_fk("collector.id"))
    claimed_until: datetime | None = Field(default=None, sa_column=_utc(nullable=True))
    closed_at: datetime | None = Field(default=None, sa_column=_utc(nullable=True))
    recovered_cents: int = Field(default=0, sa_column=_money())
    # Any change a person or a file made (not a rescore): the denials export's window.
    updated_at: datetime = Field(default_factory=utc_now, sa_column=_utc())


class DenialAction(SQLModel, table=True):
    """One thing done on a denial item: a payer call, an appeal, a billing task, an outcome."""

    __tablename__ = "denial_action"
    __table_args__ = (
        CheckConstraint(_in("kind", DenialActionKind.codes()), name="kind"),
        CheckConstraint(_in("approval", ApprovalStatus.codes()), name="approval"),
        Index("ix_denial_action_item", "item_id", "occurred_at"),
        Index("ix_denial_action_time", "occurred_at"),  # the team's denials worked in a period
        Index("ix_denial_action_kind", "kind", "occurred_at"),
        Index("ix_denial_action_approval", "approval", "occurred_at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    item_id: int = Field(sa_column=_fk("denial_item.id", nullable=False, ondelete="CASCADE"))
    account_id: int = Field(sa_column=_fk("account.id", nullable=False))
    collector_id: int | None = Field(default=None, sa_column=_fk("collector.id"))
    kind: str = Field(max_length=24)
    occurred_at: datetime = Field(sa_column=_utc())  # when it was logged
    acted_on: date | None = Field(default=None)  # the day it was done, when that differs (an appeal filed)
    representative: str | None = Field(default=None, max_length=80)  # the payer's person on a call
    reference: str | None = Field(default=None, max_length=64)  # call reference, appeal number
    note: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    appeal_level: str | None = Field(default=None, max_length=8)
    deadline: date | None = Field(default=None)  # the appeal's own deadline
    frequency_code: str | None = Field(default=None, max_length=1)  # 7 replacement, 8 void
    other_payer: str | None = Field(default=None, max_length=120)
    amount_cents: int = Field(default=0, sa_column=_money())  # written off, moved, recovered
    approval: str = Field(default=ApprovalStatus.NOT_NEEDED, max_length=8)
    # Who is accountable for the action (the login, even when an admin acts as the collector): a
    # write-off is decided by someone else.
    logged_by: str | None = Field(default=None, max_length=64)
    decided_by_id: int | None = Field(default=None, sa_column=_fk("collector.id"))
    decided_at: datetime | None = Field(default=None, sa_column=_utc(nullable=True))
    activity_id: int | None = Field(default=None, sa_column=_fk("activity.id"))


__all__ = [
    "EXPRESSION_INDEXES",
    "NAMING_CONVENTION",
    "Account",
    "AccountHold",
    "AccountTransaction",
    "Activity",
    "AssignmentHistory",
    "AuditEvent",
    "CallGroup",
    "Charge",
    "ClaimDenial",
    "Collector",
    "DenialAction",
    "DenialItem",
    "ExportWatermark",
    "Facility",
    "Guarantor",
    "ImportBatch",
    "Installment",
    "InsuranceClaim",
    "OfficeSetting",
    "OverrideRequest",
    "Patient",
    "Payer",
    "PaymentPlan",
    "Phone",
    "ProviderAdjustment",
    "Remittance",
    "RemittanceClaim",
    "RemittanceException",
    "metadata",
    "table_of",
]


def table_of(model: type[SQLModel]) -> Table:
    """The Core table of a model (the services use them through :mod:`collector_tui.db.tables`)."""
    table = getattr(model, "__table__", None)
    if not isinstance(table, Table):
        raise TypeError(f"{model.__name__} is not a table model")
    return table


# Finding an account by what a caller says (``collector_tui.services.desk.search``), in one index
# search each, at a million accounts: a name either way round, whatever its case (SQLite's upper()
# folds ASCII letters), and the end of a phone number (the last four digits; a longer end or the
# whole number is then checked on the few rows found). Expression indexes: Alembic cannot compare
# them on SQLite, so ``db/migrate.check`` checks that they exist by name (EXPRESSION_INDEXES).
_GUARANTOR_T = table_of(Guarantor)
_PHONE_T = table_of(Phone)
Index("ix_guarantor_name", func.upper(_GUARANTOR_T.c.last_name), func.upper(_GUARANTOR_T.c.first_name))
Index("ix_phone_last_four", func.substr(_PHONE_T.c.number, func.length(_PHONE_T.c.number) - 3))
EXPRESSION_INDEXES = ("ix_guarantor_name", "ix_phone_last_four")
