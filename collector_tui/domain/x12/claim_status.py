"""The 277: a payer's (or clearinghouse's) word on where claims stand, 005010X212 and 005010X214.

Two implementation guides share transaction set 277. The claim status response (005010X212)
answers a status inquiry (276) or is sent unasked; the claim acknowledgment, the "277CA"
(005010X214), answers an 837 claim file: each claim accepted into adjudication or rejected. Both
nest their content in an HL hierarchy, HL03 naming each level:

====  ==============================================================  =====================
HL03  level                                                           what is read there
====  ==============================================================  =====================
20    information source: the payer (NM1*PR) or clearinghouse (*AY)   payer name and id
21    information receiver: the submitter; its STC is the file's
      acknowledgment, not a claim's                                   nothing
19    service provider                                                nothing
22    subscriber (005010X212)                                         claims
23    dependent (005010X212)                                          claims
PT    patient (005010X214)                                            claims
====  ==============================================================  =====================

Under a subscriber, dependent or patient, each claim starts with a TRN*2: TRN02 is the claim's
trace, the provider's own claim id (CLM01 of the 837, CLP01 of an 835). Its STC segments say where
the claim stands: STC01 is a composite, category (A1, A2, F1, P1 ...) : status code : entity, with
the date (STC02), the action (STC03: WQ accepted, U rejected, in a 277CA) and the claim's charge
(STC04); STC10 and STC11 can carry more status composites. The first STC is the principal status.
REF*1K is the payer's claim control number (the ICN), REF*EJ the patient account (control) number
(in an 005010X212 response it is the provider's claim id when the TRN02 echoes a 276's trace), and
DTP*472 the service date. A service line (SVC) ends the claim's own segments: the STC, REF and DTP
after it speak of the line, not of the claim.

Pure: text in, frozen values out; unknown segments are skipped. Refusals are ``X12Error`` naming the
segment's number in the file and the element; nothing a patient can be known by is kept or shown
(the NM1 of the subscriber or patient is not read at all).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from collector_tui.domain.x12.envelope import Segment, TransactionSet, X12Error, read_interchanges
from collector_tui.domain.x12.remittance import amount_element, required_element

TRANSACTION_SET = "277"
CLAIM_STATUS_GUIDE = "005010X212"  # the claim status response
ACKNOWLEDGMENT_GUIDE = "005010X214"  # the claim acknowledgment (277CA)
IMPLEMENTATION_GUIDES = (CLAIM_STATUS_GUIDE, ACKNOWLEDGMENT_GUIDE)

INFORMATION_SOURCE = "20"
CLAIM_LEVELS = frozenset({"22", "23", "PT"})  # subscriber, dependent (X212); patient (X214)
SOURCE_ENTITIES = frozenset({"PR", "AY"})  # NM101 of the information source: payer, clearinghouse
CLAIM_TRACE = "2"  # TRN01 of a claim's trace: a referenced transaction trace number
MAX_CATEGORY_LENGTH = 4  # insurance_claim.status_category

# STC01-1, the claim status category: in plain words, what it means for whoever works the claim.
CATEGORY_LABELS = {
    "A0": "received and forwarded to another entity",
    "A1": "received by the payer or clearinghouse",
    "A2": "accepted by the payer for processing",
    "A3": "sent back: the payer could not process it",
    "A4": "the payer cannot find the claim",
    "A5": "accepted, and split into more than one claim",
    "A6": "rejected: information is missing",
    "A7": "rejected: information is not valid",
    "A8": "rejected: information conflicts with other information",
    "D0": "the payer's search found nothing",
    "E0": "no answer: the request itself had an error",
    "E1": "no answer: the payer's system is unavailable",
    "E2": "no answer: the payer is not responding, ask again later",
    "E3": "no answer: fields of the request conflict, correct and resend",
    "E4": "no answer: a trading partner requirement was not met",
    "F0": "finished: processing is complete",
    "F1": "finished: paid",
    "F2": "finished: denied",
    "F3": "finished: the decision was changed",
    "F3F": "finished: the decision was changed and sent on to another payer",
    "F3N": "finished: the decision was changed, not sent on",
    "F4": "finished: processing is complete, no payment will come",
    "P0": "pending: processing details are still being settled",
    "P1": "pending: in process",
    "P2": "pending: under the payer's review",
    "P3": "pending: waiting for information the provider was asked for",
    "P4": "pending: waiting for information the patient was asked for",
    "P5": "pending: held by the payer's administration or system",
    "RQ": "the payer asks for more information",
}
_FAMILY_LABELS = {
    "A": "acknowledged",
    "D": "the payer's search found nothing",
    "E": "no answer could be given",
    "F": "finished",
    "P": "pending",
    "R": "the payer asks for more information",
}
ACCEPTED = frozenset({"A1", "A2"})
REJECTED = frozenset({"A3", "A4", "A6", "A7", "A8"})


def category_label(category: str) -> str:
    """Plain words for a status category: the code's own, else its family's (``R4`` is a request)."""
    if category in CATEGORY_LABELS:
        return CATEGORY_LABELS[category]
    family = _FAMILY_LABELS.get(category[:1])
    return family if family is not None else f"status category {category}"


def is_acknowledgement(category: str) -> bool:
    """A0 to A8: the claim was received, accepted or rejected; nothing about its adjudication yet."""
    return category.startswith("A")


def is_accepted(category: str) -> bool:
    """A1 (received) or A2 (accepted for processing): proof the claim reached the payer in time."""
    return category in ACCEPTED


def is_rejected(category: str) -> bool:
    """A3, A4, A6, A7, A8: the claim is not in the payer's hands and must be corrected or resent."""
    return category in REJECTED


def is_finalized(category: str) -> bool:
    """F0 to F4 (F3F, F3N): adjudication is over; the payer has decided."""
    return category.startswith("F")


def is_pending(category: str) -> bool:
    """P0 to P5: the payer has the claim and has not decided."""
    return category.startswith("P")


@dataclass(frozen=True, slots=True)
class StatusDetail:
    """One status composite (STC01, STC10 or STC11): category : status code : entity."""

    category: str  # -1: A2, F1, P1 ...
    status_code: str  # -2: the claim status code (20 accepted for processing, 65 paid ...)
    entity: str  # -3: whom the status concerns (PR payer, 85 billing provider ...), "" when absent


@dataclass(frozen=True, slots=True)
class ClaimStatus:
    """One claim (loop 2200D or 2200E) and its principal status, the first claim-level STC."""

    control_number: str  # the provider's claim id: REF*EJ when given, else TRN02
    payer_claim_number: str | None  # REF*1K: the payer's claim control number (ICN)
    category: str  # STC01-1
    status_code: str  # STC01-2
    entity: str  # STC01-3
    status_date: date | None  # STC02
    action_code: str  # STC03: WQ accepted, U rejected (277CA); "" when absent
    charge_cents: int | None  # STC04: the claim's total charge
    position: int  # the TRN's segment number in the file
    trace_number: str = ""  # TRN02 as written
    service_date: date | None = None  # DTP*472 (the start of a range)
    other_statuses: tuple[StatusDetail, ...] = ()  # STC10, STC11 and the claim's further STCs

    @property
    def label(self) -> str:
        return category_label(self.category)

    @property
    def statuses(self) -> tuple[StatusDetail, ...]:
        """The principal status first, then the others."""
        return (StatusDetail(self.category, self.status_code, self.entity), *self.other_statuses)


@dataclass(frozen=True, slots=True)
class ClaimStatusReport:
    """One information source (HL*20) of one 277 transaction set, with the claims under it."""

    payer_name: str  # NM103 of the NM1*PR (or *AY)
    payer_id: str  # NM109: the payer identifier
    production_date: date  # BHT04: when the payer made the report
    claims: tuple[ClaimStatus, ...]
    position: int  # the ST's segment number in the file
    control_number: str = ""  # ST02
    guide: str = ""  # ST03: 005010X212 or 005010X214

    @property
    def is_acknowledgment(self) -> bool:
        """A 277CA: its claims answer a claim file (837)."""
        return self.guide == ACKNOWLEDGMENT_GUIDE


def read_277(text: str) -> tuple[ClaimStatusReport, ...]:
    """Every information source of every 277 in ``text`` (any number of interchanges and groups)."""
    interchanges = read_interchanges(text, transaction_set=TRANSACTION_SET, version=IMPLEMENTATION_GUIDES)
    return tuple(
        report
        for interchange in interchanges
        for group in interchange.groups
        for transaction in group.transactions
        for report in read_claim_status(transaction)
    )


def read_claim_status(transaction: TransactionSet) -> tuple[ClaimStatusReport, ...]:
    """The 277 structure of one checked transaction set."""
    return _ReportBuilder(transaction).build()


class _ReportBuilder:
    """Walks the segments in order; the HL level and the claim being read say what a segment is."""

    def __init__(self, transaction: TransactionSet) -> None:
        self._transaction = transaction
        self._production_date = date.min  # BHT04, read first by build()
        self._reports: list[ClaimStatusReport] = []
        self._source: _OpenSource | None = None
        self._level = ""
        self._hl_ids: set[str] = set()
        self._claim: _OpenClaim | None = None

    def build(self) -> tuple[ClaimStatusReport, ...]:
        segments = self._transaction.segments
        if not segments or segments[0].tag != "BHT":
            where = segments[0].position if segments else self._transaction.position
            raise X12Error("a 277 begins with BHT (beginning of hierarchical transaction)", position=where)
        self._production_date = _date(segments[0], 4)
        for segment in segments[1:]:
            self._take(segment)
        self._close_source()
        if not self._reports:
            raise X12Error(
                "a 277 needs an information source (HL with HL03 20)", position=self._transaction.position
            )
        return tuple(self._reports)

    def _take(self, segment: Segment) -> None:
        tag = segment.tag
        if tag == "HL":
            self._hierarchy(segment)
        elif tag == "BHT":
            raise segment.error(None, "a second BHT in one transaction set")
        elif self._source is None:
            return  # nothing before the first HL but BHT is read
        elif tag == "NM1" and self._level == INFORMATION_SOURCE:
            if segment.element(1) in SOURCE_ENTITIES and self._source.name is None:
                self._source.name, self._source.id = segment.element(3), segment.element(9)
        elif tag == "TRN" and self._level in CLAIM_LEVELS and segment.element(1) == CLAIM_TRACE:
            self._close_claim()
            self._claim = _OpenClaim(segment)
        elif self._claim is not None:
            self._claim.take(segment)

    def _hierarchy(self, hl: Segment) -> None:
        self._close_claim()
        own, parent, level = required_element(hl, 1), hl.element(2), required_element(hl, 3)
        if own in self._hl_ids:
            raise hl.error(1, "this hierarchical id is used twice in the transaction set")
        if parent and parent not in self._hl_ids:
            raise hl.error(2, "the parent is not an earlier HL of the transaction set")
        self._hl_ids.add(own)
        if level == INFORMATION_SOURCE:
            self._close_source()
            self._source = _OpenSource(hl)
        elif self._source is None:
            raise hl.error(3, "a level below the information source comes before any HL with HL03 20")
        self._level = level

    def _close_claim(self) -> None:
        if self._claim is not None and self._source is not None:
            self._source.claims.append(self._claim.close())
        self._claim = None

    def _close_source(self) -> None:
        self._close_claim()
        source = self._source
        if source is None:
            return
        if source.name is None:
            raise source.hl.error(
                None, "the information source (HL03 20) needs its NM1*PR (the payer) or NM1*AY"
            )
        st = self._transaction
        self._reports.append(
            ClaimStatusReport(
                payer_name=source.name,
                payer_id=source.id,
                production_date=self._production_date,
                claims=tuple(source.claims),
                position=st.position,
                control_number=st.control_number,
                guide=st.version,
            )
        )
        self._source = None


class _OpenSource:
    """An information source (loop 2000A) being read."""

    def __init__(self, hl: Segment) -> None:
        self.hl = hl
        self.name: str | None = None
        self.id = ""
        self.claims: list[ClaimStatus] = []


class _OpenClaim:
    """A claim (loop 2200D/E) being read, from its TRN to the next HL or claim TRN."""

    def __init__(self, trn: Segment) -> None:
        self._trn = trn
        self._trace = required_element(trn, 2)
        self._statuses: list[Segment] = []
        self._payer_claim_number: str | None = None
        self._patient_control_number: str | None = None
        self._service_date: date | None = None
        self._in_service_line = False

    def take(self, segment: Segment) -> None:
        tag = segment.tag
        if tag == "SVC":
            self._in_service_line = True
        elif self._in_service_line:
            return  # the line's STC, REF and DTP say nothing about the claim as a whole
        elif tag == "STC":
            self._statuses.append(segment)
        elif tag == "REF" and segment.element(1) == "1K" and self._payer_claim_number is None:
            self._payer_claim_number = required_element(segment, 2)
        elif tag == "REF" and segment.element(1) == "EJ" and self._patient_control_number is None:
            self._patient_control_number = required_element(segment, 2)
        elif tag == "DTP" and segment.element(1) == "472" and self._service_date is None:
            self._service_date = _period_start(segment)

    def close(self) -> ClaimStatus:
        if not self._statuses:
            raise self._trn.error(None, "a claim (TRN*2) needs its status (an STC before the next HL)")
        stc, *more = self._statuses
        principal = _status_detail(stc, 1, required_element(stc, 1).split(stc.delimiters.component))
        others = [detail for index in (10, 11) if (detail := _detail(stc, index)) is not None]
        for segment in more:
            others += [d for index in (1, 10, 11) if (d := _detail(segment, index)) is not None]
        return ClaimStatus(
            control_number=self._patient_control_number or self._trace,
            payer_claim_number=self._payer_claim_number,
            category=principal.category,
            status_code=principal.status_code,
            entity=principal.entity,
            status_date=_date(stc, 2) if stc.element(2) else None,
            action_code=stc.element(3),
            charge_cents=amount_element(stc, 4) if stc.element(4) else None,
            position=self._trn.position,
            trace_number=self._trace,
            service_date=self._service_date,
            other_statuses=tuple(others),
        )


def _detail(stc: Segment, index: int) -> StatusDetail | None:
    """STC10 or STC11 (or a further STC's STC01), ``None`` when absent."""
    parts = stc.composite(index)
    return _status_detail(stc, index, parts) if parts else None


def _status_detail(stc: Segment, index: int, parts: Sequence[str]) -> StatusDetail:
    category = parts[0]
    if not (
        2 <= len(category) <= MAX_CATEGORY_LENGTH
        and category.isascii()
        and category.isalnum()
        and category.upper() == category
    ):
        raise stc.error(index, "the first component is not a status category code (A2, F1, P1 ...)")
    status_code = parts[1] if len(parts) > 1 else ""
    if not status_code:
        raise stc.error(index, "the second component, the status code, is missing")
    return StatusDetail(category, status_code, parts[2] if len(parts) > 2 else "")


def _date(segment: Segment, index: int) -> date:
    return _calendar_date(segment, index, required_element(segment, index))


def _calendar_date(segment: Segment, index: int, value: str) -> date:
    if not (len(value) == 8 and value.isascii() and value.isdigit()):
        raise segment.error(index, "a date is written CCYYMMDD")
    try:
        return date(int(value[:4]), int(value[4:6]), int(value[6:]))
    except ValueError:
        raise segment.error(index, "not a calendar date") from None


def _period_start(dtp: Segment) -> date:
    """DTP03 as DTP02 says it is written: D8 one date, RD8 a range (the start is kept)."""
    form, value = required_element(dtp, 2), required_element(dtp, 3)
    if form == "D8":
        return _calendar_date(dtp, 3, value)
    if form == "RD8":
        start, dash, end = value.partition("-")
        if not dash:
            raise dtp.error(3, "a range of dates is written CCYYMMDD-CCYYMMDD")
        first, last = _calendar_date(dtp, 3, start), _calendar_date(dtp, 3, end)
        if last < first:
            raise dtp.error(3, "the range ends before it starts")
        return first
    raise dtp.error(2, "the date format must be D8 (a date) or RD8 (a range of dates)")
