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


class DenialStatus(Term):
    OPEN = "open", "Being worked"
    CLOSED = "closed", "Closed"


class DenialOutcome(Term):
    OVERTURNED = "overturned", "Overturned: the payer paid"
    UPHELD = "upheld", "Upheld: the payer will not pay"
    WRITTEN_OFF = "written_off", "Written off"
    MOVED_TO_PATIENT = "moved_to_patient", "Moved to the patient's share"


class DenialSource(Term):
    REMITTANCE = "remittance", "A payer's 835"
    PLACEMENT = "placement", "The placement file's denial codes"


class DenialScenario(Term):
    """The four CAQH CORE business scenarios for CARC/RARC use: the top level of the worklist."""

    DOCUMENTATION = "documentation", "Additional information required: documentation"
    CLAIM_DATA = "claim_data", "Additional information required: data on the claim"
    NOT_COVERED = "not_covered", "Billed service not covered by the health plan"
    NOT_SEPARATELY_PAYABLE = "not_payable", "Benefit for the service not separately payable"


class DenialCategory(Term):
    """What fixes a denial: the worklist's second level."""

    ELIGIBILITY = "eligibility", "Eligibility"
    AUTHORIZATION = "authorization", "Authorization"
    CODING = "coding", "Coding"
    TIMELY_FILING = "timely_filing", "Timely filing"
    DUPLICATE = "duplicate", "Duplicate"
    COORDINATION = "coordination", "Coordination of benefits"
    MEDICAL_NECESSITY = "medical_necessity", "Medical necessity"
    MISSING_INFORMATION = "missing_information", "Missing information"
    OTHER = "other", "Other"


class DenialActionKind(Term):
    PAYER_CALL = "payer_call", "Called the payer"
    APPEAL = "appeal", "Appeal filed"
    CORRECTED_CLAIM = "corrected_claim", "Corrected claim requested"
    RESUBMISSION = "resubmission", "Resubmission requested"
    BILL_OTHER_PAYER = "bill_other_payer", "Billed another payer"
    MOVE_TO_PATIENT = "move_to_patient", "Moved to the patient"
    WRITE_OFF = "write_off", "Written off"
    UPHELD = "upheld", "Closed: denial upheld"
    PAYER_RESPONSE = "payer_response", "The payer answered"
    OVERTURNED = "overturned", "The payer paid"


class AppealLevel(Term):
    FIRST = "1", "First-level appeal"
    SECOND = "2", "Second-level appeal"
    EXTERNAL = "external", "External review"


class ClaimFrequency(Term):
    """The claim frequency code (CLM05-3) billing sends a correction with."""

    REPLACEMENT = "7", "Replacement of a prior claim"
    VOID = "8", "Void of a prior claim"


class ApprovalStatus(Term):
    NOT_NEEDED = "none", "Within policy"
    PENDING = "pending", "Awaiting a supervisor"
    APPROVED = "approved", "Approved"
    DECLINED = "declined", "Declined"
