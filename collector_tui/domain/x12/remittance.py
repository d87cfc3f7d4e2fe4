"""The 835 (Health Care Claim Payment/Advice, 005010X221A1): a payer's remittance, read and balanced.

``read_835(text)`` checks the envelopes (``envelope.read_interchanges``) and returns one
``Remittance`` per transaction set: the payment (BPR), its trace (TRN), payer and payee (N1), the
claims paid (loop 2100, CLP) with their adjustments (CAS), patient (NM1*QC) and dates (DTM), each
claim's service lines (loop 2110, SVC), and the provider-level adjustments (PLB).
``balance_problems(remittance)`` applies the guide's three balancing rules.

Money is integer cents, parsed exactly from the decimal text (X12 type R); an amount with more than
two decimals is refused, never rounded. Refusals are ``X12Error`` naming the segment's number in the
file and the element. The patient's name and member id are kept (posting needs them to match a
claim) but marked PHI: those fields carry ``metadata={"phi": True}`` and are left out of ``repr``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import date
from decimal import Decimal

from collector_tui.domain.money import format_cents
from collector_tui.domain.x12.envelope import Segment, TransactionSet, X12Error, read_interchanges

TRANSACTION_SET = "835"
IMPLEMENTATION_GUIDE = "005010X221A1"
PHI = "phi"  # the dataclass field metadata key marking protected health information

# CAS01: who carries the adjustment.
ADJUSTMENT_GROUPS = {
    "CO": "contractual obligation",
    "CR": "correction and reversal",
    "OA": "other adjustment",
    "PI": "payer initiated reduction",
    "PR": "patient responsibility",
}
# BPR04: how the money moves.
PAYMENT_METHODS = {
    "ACH": "automated clearing house (EFT)",
    "BOP": "financial institution option",
    "CHK": "check",
    "FWT": "federal reserve wire transfer",
    "NON": "no payment",
}
# CLP02, the claim's status as the payer adjudicated it.
CLAIM_STATUSES = {
    "1": "processed as primary",
    "2": "processed as secondary",
    "3": "processed as tertiary",
    "4": "denied",
    "19": "processed as primary, forwarded to additional payer(s)",
    "20": "processed as secondary, forwarded to additional payer(s)",
    "21": "processed as tertiary, forwarded to additional payer(s)",
    "22": "reversal of previous payment",
    "23": "not our claim, forwarded to additional payer(s)",
    "25": "predetermination pricing only, no payment",
}
CAS_TRIPLETS = 6  # CAS02-04, 05-07, ... 17-19
PLB_PAIRS = 6  # PLB03-04, 05-06, ... 13-14
MAX_AMOUNT_DIGITS = 18  # X12 type R, 005010: at most 18 digits

_AMOUNT = re.compile(r"(-?)([0-9]*)(?:\.([0-9]*))?")
_QUANTITY = re.compile(r"-?(?:[0-9]+(?:\.[0-9]+)?|\.[0-9]+)")


class AmountError(ValueError):
    """Text that is not an X12 amount with at most two decimals."""


def parse_x12_amount(text: str) -> int:
    """``"150.5"`` -> ``15050`` cents, exactly; ``"-12.34"``, ``"12"``, ``".5"`` are amounts too.

    Refuses a sign other than a leading minus, separators, exponents, and more than two decimals.
    """
    match = _AMOUNT.fullmatch(text)
    if match is None:
        raise AmountError("not a number")
    sign, whole, fraction = match.group(1), match.group(2), match.group(3)
    if not whole and not fraction:
        raise AmountError("not a number")
    if fraction is not None and not fraction:
        raise AmountError("a decimal point with no digits after it")
    if fraction is not None and len(fraction) > 2:
        raise AmountError("more than two decimals")
    if len(whole) + len(fraction or "") > MAX_AMOUNT_DIGITS:
        raise AmountError(f"more than {MAX_AMOUNT_DIGITS} digits")
    cents = int(whole or "0") * 100 + int((fraction or "").ljust(2, "0"))
    return -cents if sign else cents


@dataclass(frozen=True, slots=True)
class DatedQualifier:
    """A DTM: ``qualifier`` (DTM01: 472 service, 232/233 claim period, 050 received, 405 production)."""

    qualifier: str
    on: date


@dataclass(frozen=True, slots=True)
class Adjustment:
    """One CAS triplet: group (CAS01), reason code (a CARC), amount; positive amounts reduce payment."""

    group: str
    reason: str
    amount_cents: int
    quantity: Decimal | None = None


@dataclass(frozen=True, slots=True)
class Payment:
    """BPR: what the payer sends and how."""

    handling: str  # BPR01: C payment with remittance, I remittance only, H notification, ...
    amount_cents: int  # BPR02: the total actual provider payment
    credit_debit: str  # BPR03: C credit, D debit
    method: str  # BPR04: ACH, CHK, BOP, FWT, NON
    payment_date: date | None  # BPR16: check issue or EFT effective date


@dataclass(frozen=True, slots=True)
class Trace:
    """TRN: the check number or EFT trace number that ties the remittance to the money."""

    trace_type: str  # TRN01: "1" current transaction trace numbers
    number: str  # TRN02: check or EFT trace number
    originator: str  # TRN03: payer identifier (1 followed by the payer's TIN, usually)


@dataclass(frozen=True, slots=True)
class Party:
    """Loop 1000A (payer, N1*PR) or 1000B (payee, N1*PE)."""

    entity: str  # N101: PR or PE
    name: str  # N102
    id_qualifier: str  # N103: XV plan id, XX NPI, FI tax id, PI payer id ...
    id: str  # N104
    references: tuple[tuple[str, str], ...] = ()  # REF in the loop: (REF01, REF02), e.g. ("2U", payer id)
    # PER*CX of loop 1000A: the payer's claims line (PER03 TE, PER04 the number), "" when absent.
    phone: str = ""

    @property
    def identifier(self) -> str:
        """N104, or for a payer without one the REF*2U payer identification number."""
        if self.id:
            return self.id
        return next((value for qualifier, value in self.references if qualifier == "2U"), "")


@dataclass(frozen=True, slots=True, repr=False)
class PatientName:
    """NM1*QC: the patient. Protected health information: never logged, shown only to those entitled."""

    last: str = field(metadata={PHI: True})  # NM103
    first: str = field(metadata={PHI: True})  # NM104
    middle: str = field(metadata={PHI: True})  # NM105
    suffix: str = field(metadata={PHI: True})  # NM107
    id_qualifier: str  # NM108: MI member id, ...
    id: str = field(metadata={PHI: True})  # NM109

    def __repr__(self) -> str:
        return "PatientName(<PHI>)"


@dataclass(frozen=True, slots=True)
class ServicePayment:
    """Loop 2110: one service line as the payer adjudicated it."""

    procedure: tuple[str, ...]  # SVC01 composite: qualifier (HC, NU, ...), code, modifiers, ...
    charge_cents: int  # SVC02: the line's submitted charge
    payment_cents: int  # SVC03: paid for the line
    revenue_code: str  # SVC04 (NUBC revenue code), "" when absent
    units: Decimal | None  # SVC05: units paid (1 when absent)
    submitted_procedure: tuple[str, ...]  # SVC06: the code as billed, when the payer changed it
    adjustments: tuple[Adjustment, ...]
    dates: tuple[DatedQualifier, ...]
    position: int  # the SVC's segment number in the file
    remarks: tuple[str, ...] = ()  # LQ*HE: the line's remark codes (RARCs)

    @property
    def qualifier(self) -> str:
        return self.procedure[0] if self.procedure else ""

    @property
    def code(self) -> str:
        return self.procedure[1] if len(self.procedure) > 1 else ""

    @property
    def modifiers(self) -> tuple[str, ...]:
        return tuple(m for m in self.procedure[2:6] if m)

    @property
    def service_date(self) -> date | None:
        """DTM*472, or the start of the service period (DTM*150)."""
        return _date_of(self.dates, "472") or _date_of(self.dates, "150")


@dataclass(frozen=True, slots=True)
class ClaimPayment:
    """Loop 2100: one claim as the payer adjudicated it."""

    patient_control_number: str  # CLP01: the provider's own claim number, as billed
    status_code: str  # CLP02 (CLAIM_STATUSES)
    charge_cents: int  # CLP03: total submitted charges
    payment_cents: int  # CLP04: paid on the claim
    patient_responsibility_cents: int | None  # CLP05
    filing_indicator: str  # CLP06: 12 PPO, MB Medicare part B, MC Medicaid, ...
    payer_claim_control_number: str  # CLP07: the payer's internal control number (ICN)
    adjustments: tuple[Adjustment, ...]  # claim-level CAS
    patient: PatientName | None = field(metadata={PHI: True}, repr=False)
    dates: tuple[DatedQualifier, ...]
    services: tuple[ServicePayment, ...]
    position: int  # the CLP's segment number in the file
    remarks: tuple[str, ...] = ()  # the claim's remark codes (RARCs): MOA03-07, MIA05 and MIA20-23

    def all_remarks(self) -> tuple[str, ...]:
        """The claim's remark codes and every service line's, each once, in the order met."""
        return tuple(dict.fromkeys(self.remarks + tuple(r for s in self.services for r in s.remarks)))

    @property
    def status(self) -> str:
        return CLAIM_STATUSES.get(self.status_code, f"status {self.status_code}")

    def all_adjustments(self) -> tuple[Adjustment, ...]:
        """Claim-level adjustments and every service line's."""
        return self.adjustments + tuple(a for s in self.services for a in s.adjustments)


@dataclass(frozen=True, slots=True)
class ProviderAdjustment:
    """One PLB pair: not tied to a claim; a positive amount reduces the payment (a recoupment)."""

    provider_id: str  # PLB01
    fiscal_period_end: date  # PLB02
    reason: str  # PLB03-1 (and 05-1, ...): WO overpayment recovery, L6 interest, FB forwarding ...
    reference: str  # PLB03-2: the payer's reference, often the claim's ICN for a WO
    amount_cents: int  # PLB04 (06, 08, ...)
    position: int


@dataclass(frozen=True, slots=True)
class Remittance:
    """One 835 transaction set."""

    control_number: str  # ST02
    payment: Payment
    trace: Trace
    payer: Party
    payee: Party
    production_date: date | None  # DTM*405
    claims: tuple[ClaimPayment, ...]
    provider_adjustments: tuple[ProviderAdjustment, ...]
    position: int  # the ST's segment number in the file


def read_835(text: str) -> tuple[Remittance, ...]:
    """Every 835 in ``text`` (any number of interchanges, groups and transaction sets)."""
    interchanges = read_interchanges(text, transaction_set=TRANSACTION_SET, version=IMPLEMENTATION_GUIDE)
    return tuple(
        read_remittance(transaction)
        for interchange in interchanges
        for group in interchange.groups
        for transaction in group.transactions
    )


def read_remittance(transaction: TransactionSet) -> Remittance:
    """The 835 structure of one checked transaction set."""
    return _RemittanceBuilder(transaction).build()


class _RemittanceBuilder:
    """Walks the segments in order; the loop a segment belongs to is where the walk is."""

    def __init__(self, transaction: TransactionSet) -> None:
        self._transaction = transaction
        self._payment: Payment | None = None
        self._trace: Trace | None = None
        self._parties: dict[str, Party] = {}
        self._party: str | None = None  # the N1 loop we are in, before the first claim
        self._production_date: date | None = None
        self._claims: list[ClaimPayment] = []
        self._claim: _OpenClaim | None = None
        self._plb: list[ProviderAdjustment] = []

    def build(self) -> Remittance:
        segments = self._transaction.segments
        if not segments or segments[0].tag != "BPR":
            where = segments[0] if segments else None
            raise X12Error(
                "an 835 begins with BPR (financial information)",
                position=where.position if where else self._transaction.position,
            )
        for segment in segments:
            self._take(segment)
        self._close_claim()
        return self._finish()

    def _take(self, segment: Segment) -> None:
        tag = segment.tag
        if self._plb and tag != "PLB":
            raise segment.error(None, f"{tag} after PLB: provider adjustments end the 835")
        if tag == "BPR":
            if self._payment is not None:
                raise segment.error(None, "a second BPR in one transaction set")
            self._payment = _payment(segment)
        elif tag == "TRN" and self._trace is None and self._claim is None:
            self._trace = Trace(segment.element(1), required_element(segment, 2), segment.element(3))
        elif tag == "N1" and not self._claims and self._claim is None:
            self._party = segment.element(1)
            if self._party in ("PR", "PE"):
                self._parties[self._party] = Party(
                    self._party, segment.element(2), segment.element(3), segment.element(4)
                )
        elif tag == "REF" and self._claim is None and (party := self._current_party()) is not None:
            reference = (segment.element(1), segment.element(2))
            self._parties[party.entity] = Party(
                party.entity,
                party.name,
                party.id_qualifier,
                party.id,
                (*party.references, reference),
                party.phone,
            )
        elif tag == "PER" and self._claim is None and (party := self._current_party()) is not None:
            if party.entity == "PR" and segment.element(1) == "CX" and not party.phone:
                self._parties["PR"] = replace(party, phone=_telephone(segment))
        elif tag in ("LX", "TS3", "TS2"):
            self._close_claim()
            self._party = None
        elif tag == "CLP":
            self._close_claim()
            self._party = None
            self._claim = _OpenClaim(segment)
        elif tag == "PLB":
            self._close_claim()
            self._plb.extend(_provider_adjustments(segment))
        elif self._claim is not None:
            self._claim.take(segment)
        elif tag == "CAS":
            raise segment.error(None, "CAS outside a claim (no CLP before it)")
        elif tag == "SVC":
            raise segment.error(None, "SVC outside a claim (no CLP before it)")
        elif tag == "DTM" and segment.element(1) == "405":
            self._production_date = _date(segment, 2)

    def _current_party(self) -> Party | None:
        return None if self._party is None else self._parties.get(self._party)

    def _close_claim(self) -> None:
        if self._claim is not None:
            self._claims.append(self._claim.close())
            self._claim = None

    def _finish(self) -> Remittance:
        st = self._transaction
        if self._payment is None:  # pragma: no cover - build() refuses a body without BPR first
            raise X12Error("no BPR", position=st.position)
        if self._trace is None:
            raise X12Error("an 835 needs a TRN (the check or EFT trace number)", position=st.position)
        for entity, role in (("PR", "payer"), ("PE", "payee")):
            if entity not in self._parties:
                raise X12Error(f"an 835 needs an N1*{entity} (the {role})", position=st.position)
        return Remittance(
            control_number=st.control_number,
            payment=self._payment,
            trace=self._trace,
            payer=self._parties["PR"],
            payee=self._parties["PE"],
            production_date=self._production_date,
            claims=tuple(self._claims),
            provider_adjustments=tuple(self._plb),
            position=st.position,
        )


class _OpenClaim:
    """A claim (loop 2100) being read, with the service line (loop 2110) being read, if any."""

    def __init__(self, clp: Segment) -> None:
        self._clp = clp
        self._adjustments: list[Adjustment] = []
        self._patient: PatientName | None = None
        self._dates: list[DatedQualifier] = []
        self._services: list[ServicePayment] = []
        self._service: _OpenService | None = None
        self._remarks: list[str] = []

    def take(self, segment: Segment) -> None:
        tag = segment.tag
        if tag == "SVC":
            self._close_service()
            self._service = _OpenService(segment)
        elif self._service is not None:
            self._service.take(segment)
        elif tag == "CAS":
            self._adjustments.extend(_adjustments(segment))
        elif tag == "NM1" and segment.element(1) == "QC":
            self._patient = PatientName(
                last=segment.element(3),
                first=segment.element(4),
                middle=segment.element(5),
                suffix=segment.element(7),
                id_qualifier=segment.element(8),
                id=segment.element(9),
            )
        elif tag == "DTM":
            self._dates.append(DatedQualifier(required_element(segment, 1), _date(segment, 2)))
        elif tag == "MOA":
            self._remarks.extend(code for code in segment.elements[2:7] if code)
        elif tag == "MIA":
            self._remarks.extend(code for index in (5, 20, 21, 22, 23) if (code := segment.element(index)))

    def _close_service(self) -> None:
        if self._service is not None:
            self._services.append(self._service.close())
            self._service = None

    def close(self) -> ClaimPayment:
        self._close_service()
        clp = self._clp
        return ClaimPayment(
            patient_control_number=required_element(clp, 1),
            status_code=required_element(clp, 2),
            charge_cents=amount_element(clp, 3),
            payment_cents=amount_element(clp, 4),
            patient_responsibility_cents=amount_element(clp, 5) if clp.element(5) else None,
            filing_indicator=clp.element(6),
            payer_claim_control_number=clp.element(7),
            adjustments=tuple(self._adjustments),
            patient=self._patient,
            dates=tuple(self._dates),
            services=tuple(self._services),
            position=clp.position,
            remarks=tuple(dict.fromkeys(self._remarks)),
        )


class _OpenService:
    def __init__(self, svc: Segment) -> None:
        self._svc = svc
        self._adjustments: list[Adjustment] = []
        self._dates: list[DatedQualifier] = []
        self._remarks: list[str] = []

    def take(self, segment: Segment) -> None:
        if segment.tag == "CAS":
            self._adjustments.extend(_adjustments(segment))
        elif segment.tag == "DTM":
            self._dates.append(DatedQualifier(required_element(segment, 1), _date(segment, 2)))
        elif segment.tag == "LQ" and segment.element(1) == "HE" and segment.element(2):
            self._remarks.append(segment.element(2))

    def close(self) -> ServicePayment:
        svc = self._svc
        procedure = svc.composite(1)
        if len(procedure) < 2 or not procedure[0] or not procedure[1]:
            raise svc.error(1, "the procedure needs a qualifier and a code (HC:99213)")
        return ServicePayment(
            procedure=procedure,
            charge_cents=amount_element(svc, 2),
            payment_cents=amount_element(svc, 3),
            revenue_code=svc.element(4),
            units=_quantity(svc, 5),
            submitted_procedure=svc.composite(6),
            adjustments=tuple(self._adjustments),
            dates=tuple(self._dates),
            position=svc.position,
            remarks=tuple(dict.fromkeys(self._remarks)),
        )


def _telephone(per: Segment) -> str:
    """The first telephone (TE) of a PER segment's three qualifier-number pairs, as sent."""
    for qualifier in (3, 5, 7):
        if per.element(qualifier) == "TE" and per.element(qualifier + 1):
            return per.element(qualifier + 1)[:20]
    return ""


def _payment(bpr: Segment) -> Payment:
    method = required_element(bpr, 4)
    if method not in PAYMENT_METHODS:
        raise bpr.error(4, f"payment method {method} is not one of {', '.join(sorted(PAYMENT_METHODS))}")
    credit_debit = required_element(bpr, 3)
    if credit_debit not in ("C", "D"):
        raise bpr.error(3, "must be C (credit) or D (debit)")
    return Payment(
        handling=required_element(bpr, 1),
        amount_cents=amount_element(bpr, 2),
        credit_debit=credit_debit,
        method=method,
        payment_date=_date(bpr, 16) if bpr.element(16) else None,
    )


def _adjustments(cas: Segment) -> list[Adjustment]:
    group = required_element(cas, 1)
    if group not in ADJUSTMENT_GROUPS:
        raise cas.error(1, f"group code {group} is not one of {', '.join(sorted(ADJUSTMENT_GROUPS))}")
    found = []
    for triplet in range(CAS_TRIPLETS):
        reason_at = 2 + 3 * triplet
        reason, amount, quantity = (cas.element(reason_at + k) for k in range(3))
        if not (reason or amount or quantity):
            continue
        if not reason:
            raise cas.error(reason_at, "an adjustment amount needs its reason code")
        if not amount:
            raise cas.error(reason_at + 1, "an adjustment reason needs its amount")
        found.append(
            Adjustment(group, reason, amount_element(cas, reason_at + 1), _quantity(cas, reason_at + 2))
        )
    if not found:
        raise cas.error(2, "a CAS needs at least one reason code and amount")
    extra = len(cas.elements) - (1 + 3 * CAS_TRIPLETS)
    if extra > 0 and any(cas.elements[1 + 3 * CAS_TRIPLETS :]):
        raise cas.error(1 + 3 * CAS_TRIPLETS + 1, "a CAS carries at most six adjustments")
    return found


def _provider_adjustments(plb: Segment) -> list[ProviderAdjustment]:
    provider_id = required_element(plb, 1)
    fiscal_period_end = _date(plb, 2)
    found = []
    for pair in range(PLB_PAIRS):
        reason_at = 3 + 2 * pair
        identifier, amount = plb.composite(reason_at), plb.element(reason_at + 1)
        if not identifier and not amount:
            continue
        if not identifier or not identifier[0]:
            raise plb.error(reason_at, "a provider adjustment amount needs its reason code")
        if not amount:
            raise plb.error(reason_at + 1, "a provider adjustment reason needs its amount")
        reference = identifier[1] if len(identifier) > 1 else ""
        found.append(
            ProviderAdjustment(
                provider_id,
                fiscal_period_end,
                identifier[0],
                reference,
                amount_element(plb, reason_at + 1),
                plb.position,
            )
        )
    if not found:
        raise plb.error(3, "a PLB needs at least one adjustment reason and amount")
    return found


def required_element(segment: Segment, index: int) -> str:
    """Element ``index`` of ``segment``, refused (naming the segment and element) when empty."""
    value = segment.element(index)
    if not value:
        raise segment.error(index, "required, but empty")
    return value


def amount_element(segment: Segment, index: int) -> int:
    """Element ``index`` as integer cents; the refusal never shows the amount."""
    try:
        return parse_x12_amount(required_element(segment, index))
    except AmountError as error:  # the message never shows the amount itself
        raise segment.error(index, f"not an amount of money: {error}") from None


def _quantity(segment: Segment, index: int) -> Decimal | None:
    value = segment.element(index)
    if not value:
        return None
    if not _QUANTITY.fullmatch(value):
        raise segment.error(index, "not a quantity")
    return Decimal(value)


def _date(segment: Segment, index: int) -> date:
    value = required_element(segment, index)
    if not (len(value) == 8 and value.isascii() and value.isdigit()):
        raise segment.error(index, "a date is written CCYYMMDD")
    try:
        return date(int(value[:4]), int(value[4:6]), int(value[6:]))
    except ValueError:
        raise segment.error(index, "not a calendar date") from None


def _date_of(dates: Iterable[DatedQualifier], qualifier: str) -> date | None:
    return next((d.on for d in dates if d.qualifier == qualifier), None)


# Balancing -----------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class BalanceProblem:
    """One broken balancing rule: which claim (CLP01; None for the transaction), where, by how much."""

    rule: str  # "transaction", "claim", "service line"
    claim: str | None  # CLP01
    position: int  # the segment whose amount does not balance (BPR, CLP or SVC)
    expected_cents: int  # what the rule says the amount should be
    found_cents: int  # what the file says it is
    description: str

    @property
    def message(self) -> str:
        where = f"claim {self.claim}, " if self.claim is not None else ""
        return f"{where}segment {self.position}: {self.description}"


def balance_problems(remittance: Remittance) -> list[BalanceProblem]:
    """Every way ``remittance`` fails to balance; an empty list when it balances.

    The three rules of the 005010X221A1 implementation guide (TR3), section 1.10.2.1 "Balancing"
    (1.10.2.1.1 Service Line Balancing, 1.10.2.1.2 Claim Balancing, 1.10.2.1.3 Transaction
    Balancing; the section numbers are as recalled: the TR3 is sold, not published, and what could be
    checked is the rules' wording as X12's own interpretations quote it, RFI 2348 and RFI 358 at
    x12.org). Adjustments (CAS and PLB) reduce the payment when positive, increase it when negative:

    - **Service line**: SVC02 (charge) minus the sum of the line's CAS amounts (CAS03, 06, ... 18)
      equals SVC03 (paid).
    - **Claim**: CLP03 (charge) minus the sum of the claim-level CAS amounts and of every service
      line's CAS amounts equals CLP04 (paid). An adjustment is reported at one level, never both
      (X12 RFI 358: service adjustments are part of claim balancing).
    - **Transaction**: the sum of every CLP04 minus the sum of the PLB amounts (PLB04, 06, ... 14)
      equals BPR02 (the total actual provider payment).
    """
    problems: list[BalanceProblem] = []
    for claim in remittance.claims:
        for number, service in enumerate(claim.services, start=1):
            adjusted = _total(service.adjustments)
            if service.charge_cents - adjusted != service.payment_cents:
                problems.append(
                    BalanceProblem(
                        "service line",
                        claim.patient_control_number,
                        service.position,
                        service.charge_cents - adjusted,
                        service.payment_cents,
                        f"service line {number}: SVC02 {_money(service.charge_cents)} minus its adjustments "
                        f"{_money(adjusted)} is {_money(service.charge_cents - adjusted)}, "
                        f"but SVC03 is {_money(service.payment_cents)}",
                    )
                )
        adjusted = _total(claim.all_adjustments())
        if claim.charge_cents - adjusted != claim.payment_cents:
            problems.append(
                BalanceProblem(
                    "claim",
                    claim.patient_control_number,
                    claim.position,
                    claim.charge_cents - adjusted,
                    claim.payment_cents,
                    f"CLP03 {_money(claim.charge_cents)} minus the claim and service adjustments "
                    f"{_money(adjusted)} is {_money(claim.charge_cents - adjusted)}, "
                    f"but CLP04 is {_money(claim.payment_cents)}",
                )
            )
    paid = sum(claim.payment_cents for claim in remittance.claims)
    provider = sum(adjustment.amount_cents for adjustment in remittance.provider_adjustments)
    if paid - provider != remittance.payment.amount_cents:
        problems.append(
            BalanceProblem(
                "transaction",
                None,
                remittance.position + 1,  # BPR is the first segment after ST
                paid - provider,
                remittance.payment.amount_cents,
                f"the claims' payments {_money(paid)} minus the provider adjustments {_money(provider)} "
                f"is {_money(paid - provider)}, but BPR02 is {_money(remittance.payment.amount_cents)}",
            )
        )
    return problems


def _total(adjustments: Sequence[Adjustment]) -> int:
    return sum(adjustment.amount_cents for adjustment in adjustments)


def _money(cents: int) -> str:
    return format_cents(cents)
