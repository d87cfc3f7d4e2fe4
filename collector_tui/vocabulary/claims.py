"""Insurance claims and the codes payers explain a denial with."""

from __future__ import annotations

from collector_tui.vocabulary.term import Term


class ClaimStatus(Term):
    PENDING = "pending", "With the payer"
    PAID = "paid", "Paid by the payer"
    DENIED = "denied", "Denied"
    APPEALED = "appealed", "Under appeal"


class DenialCodeSet(Term):
    CARC = "CARC", "Claim adjustment reason"
    RARC = "RARC", "Remittance advice remark"
