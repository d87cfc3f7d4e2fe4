"""The office's vocabulary: every enumerated word, defined once, with a label in the collector's words.

Each is a :class:`Term` (a ``StrEnum``): its value is the short code stored in the database (a
CHECK constraint over the members guards each column, built in ``collector_tui.db.models``) and
written in files; its ``label`` is what a person reads. This package sits below both ``db`` and
the domain and imports neither, so every layer can share it; mypy then catches a misspelt code
anywhere a term is typed.
"""

from collector_tui.vocabulary.accounts import AccountStatus, FapStatus, HoldReason, ReceivedVia, Regime
from collector_tui.vocabulary.claims import (
    AppealLevel,
    ApprovalStatus,
    ClaimFrequency,
    ClaimStatus,
    DenialActionKind,
    DenialCategory,
    DenialCodeSet,
    DenialOutcome,
    DenialScenario,
    DenialSource,
    DenialStatus,
)
from collector_tui.vocabulary.contacts import Channel, Direction, Party, Verification
from collector_tui.vocabulary.money import (
    InstallmentStatus,
    PlanFrequency,
    PlanKind,
    PlanStatus,
    PromiseStatus,
    TransactionKind,
)
from collector_tui.vocabulary.people import PhoneStatus, PhoneType, Role
from collector_tui.vocabulary.term import Term
from collector_tui.vocabulary.work import ImportStatus, RequestStatus

__all__ = [
    "AccountStatus",
    "AppealLevel",
    "ApprovalStatus",
    "Channel",
    "ClaimFrequency",
    "ClaimStatus",
    "DenialActionKind",
    "DenialCategory",
    "DenialCodeSet",
    "DenialOutcome",
    "DenialScenario",
    "DenialSource",
    "DenialStatus",
    "Direction",
    "FapStatus",
    "HoldReason",
    "ImportStatus",
    "InstallmentStatus",
    "Party",
    "PhoneStatus",
    "PhoneType",
    "PlanFrequency",
    "PlanKind",
    "PlanStatus",
    "PromiseStatus",
    "ReceivedVia",
    "Regime",
    "RequestStatus",
    "Role",
    "Term",
    "TransactionKind",
    "Verification",
]
