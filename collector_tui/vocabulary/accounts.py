"""An account's standing: its status, financial assistance, holds, and who is collecting."""

from __future__ import annotations

from collector_tui.vocabulary.term import Term


class AccountStatus(Term):
    OPEN = "open", "Open"
    PAID = "paid", "Paid in full"
    CLOSED = "closed", "Closed"
    RECALLED = "recalled", "Recalled by the client"


class FapStatus(Term):
    """Where the patient's financial-assistance application stands."""

    NONE = "none", "No application"
    REQUESTED = "requested", "Application requested"
    PENDING = "pending", "Application pending"
    APPROVED = "approved", "Assistance approved"
    DENIED = "denied", "Assistance denied"


class HoldReason(Term):
    DISPUTE = "dispute", "Disputed debt"
    CEASE = "cease", "Cease communication"
    BANKRUPTCY = "bankruptcy", "Bankruptcy"
    ATTORNEY = "attorney", "Represented by an attorney"
    DECEASED = "deceased", "Deceased"
    FINANCIAL_ASSISTANCE = "financial_assistance", "Financial assistance pending"
    INSURANCE_PENDING = "insurance_pending", "Insurance pending"
    SUPERVISOR = "supervisor", "Supervisor hold"
    ORIGINAL_CREDITOR = "original_creditor", "Original creditor requested"
    NSA_DISPUTE = "nsa_dispute", "No Surprises Act dispute"
    ITEMIZED_STATEMENT = "itemized_statement", "Itemized statement requested"


class ReceivedVia(Term):
    """How a dispute or a cease reached the office: an oral "stop calling" stops calls (12 CFR
    1006.14(h)); only a written cease stops every communication (1006.6(c))."""

    ORAL = "oral", "Said on the phone"
    WRITTEN = "written", "In writing"


class Regime(Term):
    """Who is collecting: a third-party agency (Reg F applies) or the provider's own office."""

    THIRD_PARTY = "third_party", "Collection agency (third party)"
    FIRST_PARTY = "first_party", "Provider's own office"
