"""Money on accounts: movements, promises, payment plans and their installments."""

from __future__ import annotations

from collector_tui.vocabulary.term import Term


class TransactionKind(Term):
    PAYMENT = "payment", "Patient payment"
    ADJUSTMENT = "adjustment", "Adjustment"
    INSURANCE_PAYMENT = "insurance_payment", "Insurance payment"
    REFUND = "refund", "Refund"
    WRITE_OFF = "write_off", "Write-off"
    REVERSAL = "reversal", "Reversal"


class PromiseStatus(Term):
    PENDING = "pending", "Promised"
    KEPT = "kept", "Kept"
    BROKEN = "broken", "Broken"
    CANCELLED = "cancelled", "Cancelled"


class PlanStatus(Term):
    PROPOSED = "proposed", "Awaiting approval"
    ACTIVE = "active", "Active"
    COMPLETED = "completed", "Paid as agreed"
    BROKEN = "broken", "Broken"
    CANCELLED = "cancelled", "Cancelled"


class PlanFrequency(Term):
    WEEKLY = "weekly", "Every week"
    BIWEEKLY = "biweekly", "Every two weeks"
    SEMIMONTHLY = "semimonthly", "Twice a month"
    MONTHLY = "monthly", "Every month"


class InstallmentStatus(Term):
    SCHEDULED = "scheduled", "Due"
    PAID = "paid", "Paid"
    PARTIAL = "partial", "Part paid"
    MISSED = "missed", "Missed"


class PlanKind(Term):
    """A plan pays the whole balance; a settlement accepts less, and the rest is forgiven only when
    it is paid as agreed."""

    PLAN = "plan", "Payment plan"
    SETTLEMENT = "settlement", "Settlement"
