"""The payers' 835 files of the demo office (005010X221A1): what its payers said of its claims.

A real office's denial worklist, payer table and remittance ledger are filled by the payers'
remittances, so the demo writes some and ``collector demo`` imports them after the placements,
through the same path a nightly ``collector import remittance`` takes. Everything is invented:
payers' ids, phones (toll-free 800-555-01XX, a range set aside for fiction that ``phonenumbers``
still accepts as valid), tax ids, NPIs and claim numbers.

Three files, imported in date order (a reversal needs the payment it reverses on file), dated
115, 80 and 10 days before the demo's as-of date so that the deadlines the denial policy works
out from the remittance date are past for a few items (a corrected claim is due 90 days after the
remittance at most payers), near for others (Medicare's 120-day redetermination plus 5 days of
presumed receipt; 90 days from the second file) and comfortable for the rest.

Which claim gets what is a function of the seed. The claims are the pending claims (those with
insurance pending) of the office's first batch of accounts, so the files stay small and cost a
batch's generation (``DemoOffice.batch(0)``) whatever the office's size:

- every collector gets denials (CLP02 4) in at least two CORE scenarios, the CARCs rotating
  through the categories of ``policies/denials.toml`` (CO-16 with remarks in MOA and LQ*HE, CO-197,
  CO-50, CO-18, CO-29, CO-22, PR-96, OA-18);
- the other collectors' accounts (never the default demo collector's, whose queue the UI
  snapshots show: a denial moves no money, a payment does) also get payments as primary (CLP02 1:
  CO-45 contractual, PR-1 deductible and PR-2 coinsurance), a claim forwarded to a secondary payer
  (CLP02 19), a partial denial (a CO-97 service line on a paid claim), a payment reversed in the
  last file (CLP02 22) and paid again as corrected, and a recoupment (PLB WO naming the ICN of a
  claim paid in the first file) beside an interest payment (PLB L6).

Last, a 277CA (005010X214, :func:`demo_acknowledgment`) from the clearinghouse accepts (A2) a few
of the claims the 835s leave pending, so that their proof of timely filing is on file.

The demo's accounts carry what insurance is still expected to pay (``insurance_pending``), not the
whole bill, so a pending claim is written for that amount, its service lines the account's charges
scaled to it: posting the 835 then moves the account the way a real remittance moves a real one.
Money is integer cents until a segment writes dollars with two decimals.
"""

from __future__ import annotations

import random
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from collector_tui.demo.generator import DEMO_DEFAULT_LOGIN, DEMO_USERS, DemoAccount

IMPLEMENTATION_GUIDE = "005010X221A1"
ACKNOWLEDGMENT_GUIDE = "005010X214"  # the 277CA
ACKNOWLEDGED_CLAIMS = 6  # claims the 277CA says were accepted
RUN_DAYS_BEFORE = (115, 80, 10)  # the files' payment dates, in days before the as-of date
SUBMISSION_LEAD_DAYS = 14  # a payer adjudicates a claim no sooner than this after it was sent
SENDER_ID = "DEMOCLEARING"  # ISA06/GS02: the (invented) clearinghouse that forwards the payers' 835s
RECEIVER_ID = "COLLECTORDEMO"  # ISA08/GS03
DENIALS_PER_COLLECTOR = 3
DEFAULT_COLLECTOR_DENIALS = 5  # the default collector has the fullest queue, and most denials
PAID_PER_COLLECTOR = 1  # plain payments per other collector, beyond the special cases


@dataclass(frozen=True, slots=True)
class PayerFacts:
    """What an 835's payer loop (1000A) says of a payer; all invented."""

    payer_id: str  # REF*2U
    phone: str  # PER*CX ... TE
    filing_indicator: str  # CLP06: MB Medicare part B, MC Medicaid, BL Blue Cross, CI commercial
    tax_id: str  # TRN03 and BPR10: "1" and the payer's (invented) tax id


# The payers the generator's claims name (generator.PAYERS), by the same names, so the payer table
# gets one row per payer and the denial policy's fragments (MEDICARE, MEDICAID) find theirs.
PAYER_FACTS: dict[str, PayerFacts] = {
    "Aetna": PayerFacts("DM001", "8005550110", "CI", "1990000101"),
    "BlueCross BlueShield": PayerFacts("DM002", "8005550111", "BL", "1990000102"),
    "UnitedHealthcare": PayerFacts("DM003", "8005550112", "CI", "1990000103"),
    "Cigna": PayerFacts("DM004", "8005550113", "CI", "1990000104"),
    "Humana": PayerFacts("DM005", "8005550114", "CI", "1990000105"),
    "Medicaid": PayerFacts("DM006", "8005550115", "MC", "1990000106"),
    "Medicare": PayerFacts("DM007", "8005550116", "MB", "1990000107"),
    "Ambetter": PayerFacts("DM008", "8005550117", "CI", "1990000108"),
}
OTHER_PAYER = PayerFacts("DM099", "8005550199", "CI", "1990000199")


@dataclass(frozen=True, slots=True)
class DenialKind:
    """How a denial is written: its adjustment and the remark codes (RARCs) that explain it."""

    group: str
    reason: str
    claim_remark: str = ""  # MOA03: a remark on the whole claim
    line_remark: str = ""  # LQ*HE: a remark on each service line


# Consecutive kinds are in different CORE scenarios (claim data, documentation, not covered, not
# payable), so any two in a row give a collector two scenarios. The remarks are ones the glossary
# (policies/denial_codes.toml) explains.
DENIAL_KINDS: tuple[DenialKind, ...] = (
    DenialKind("CO", "16", claim_remark="MA130", line_remark="M51"),
    DenialKind("CO", "197"),
    DenialKind("CO", "50", line_remark="N130"),
    DenialKind("CO", "18", line_remark="M86"),
    DenialKind("CO", "29"),
    DenialKind("CO", "22", claim_remark="N479"),
    DenialKind("PR", "96", line_remark="N30"),
    DenialKind("OA", "18"),
)
BUNDLED = DenialKind("CO", "97", line_remark="M15")  # the partial denial's service line


@dataclass(frozen=True, slots=True)
class DemoRemittance:
    """One of the payers' X12 files (an 835, or the 277CA): its name (dated, so that the 835s sort in
    the order they are imported) and its text."""

    name: str
    text: str


@dataclass(frozen=True, slots=True)
class _Claim:
    """A pending claim of the demo office, as the 835 writer needs it."""

    control_number: str
    payer: str
    facility_code: str
    facility_name: str
    collector: str
    submitted: date
    earliest_remit: date  # after the account was placed and the claim had time to be adjudicated
    pending_cents: int
    charges: tuple[tuple[date, str, int], ...]  # (service date, procedure, cents) scaled to pending
    patient_last: str
    patient_first: str
    member_id: str


@dataclass(frozen=True, slots=True)
class _Line:
    """One service line as adjudicated: its charge, payment and adjustments (group, reason, cents)."""

    service_date: date
    procedure: str
    charge: int
    adjustments: tuple[tuple[str, str, int], ...]
    remark: str = ""

    @property
    def paid(self) -> int:
        return self.charge - sum(cents for _, _, cents in self.adjustments)

    def negated(self) -> _Line:
        return _Line(
            self.service_date,
            self.procedure,
            -self.charge,
            tuple((g, r, -c) for g, r, c in self.adjustments),
            self.remark,
        )


@dataclass(frozen=True, slots=True)
class _Decision:
    """One CLP: a claim, what the payer decided (CLP02) and the lines it decided it on."""

    claim: _Claim
    status: str
    icn: str
    lines: tuple[_Line, ...]
    claim_remark: str = ""

    @property
    def charge(self) -> int:
        return sum(line.charge for line in self.lines)

    @property
    def paid(self) -> int:
        return sum(line.paid for line in self.lines)

    @property
    def patient(self) -> int:
        return sum(c for line in self.lines for g, _, c in line.adjustments if g == "PR")


@dataclass(frozen=True, slots=True)
class _ProviderLine:
    """One PLB pair: reason (WO, L6), the payer's reference, cents (positive reduces the payment)."""

    reason: str
    reference: str
    cents: int


def _cents(text: str) -> int:
    """``"123.45"`` (the generator's own money format) -> 12345."""
    whole, _, fraction = text.partition(".")
    return int(whole or "0") * 100 + int(fraction.ljust(2, "0")[:2])


def _dollars(cents: int) -> str:
    """12345 -> ``"123.45"``, -5 -> ``"-0.05"``: X12 amounts with two decimals."""
    sign = "-" if cents < 0 else ""
    cents = abs(cents)
    return f"{sign}{cents // 100}.{cents % 100:02d}"


def _split(total: int, weights: Sequence[int]) -> list[int]:
    """``total`` cents in parts proportional to ``weights``; the last part takes the rounding."""
    whole = sum(weights)
    parts = [total * weight // whole for weight in weights[:-1]]
    return [*parts, total - sum(parts)]


def _pending_claims(accounts: Iterable[DemoAccount]) -> list[_Claim]:
    """The claims an 835 may decide: numbered, still with the payer, on an assigned account."""
    found: list[_Claim] = []
    for account in accounts:
        row = account.placement
        pending = _cents(row["insurance_pending"] or "0")
        if row["claim_status"] != "pending" or not row["claim_control_number"] or pending <= 0:
            continue
        if not row["collector_login"]:
            continue
        lines = []
        for item in row["charges"].split(";"):
            day, code, amount, _ = item.split("|", 3)
            lines.append((date.fromisoformat(day), code, _cents(amount)))
        scaled = _split(pending, [amount for _, _, amount in lines])
        charges = tuple(
            (day, code, cents) for (day, code, _), cents in zip(lines, scaled, strict=True) if cents
        )
        submitted = date.fromisoformat(row["claim_submitted_date"])
        placed = date.fromisoformat(row["placed_date"])
        found.append(
            _Claim(
                control_number=row["claim_control_number"],
                payer=row["claim_payer"],
                facility_code=row["facility_code"],
                facility_name=row["facility_name"],
                collector=row["collector_login"],
                submitted=submitted,
                earliest_remit=max(
                    placed + timedelta(days=1), submitted + timedelta(days=SUBMISSION_LEAD_DAYS)
                ),
                pending_cents=pending,
                charges=charges,
                patient_last=row["patient_last_name"],
                patient_first=row["patient_first_name"],
                member_id=f"M{row['guarantor_id'][1:]}",
            )
        )
    return found


class _Planner:
    """Chooses, from the seed, which claim each file decides and how."""

    def __init__(self, seed: int, as_of: date, claims: list[_Claim]) -> None:
        self.rng = random.Random(f"{seed}/remittances")
        self.runs = tuple(as_of - timedelta(days=days) for days in RUN_DAYS_BEFORE)
        self.decisions: list[list[_Decision]] = [[] for _ in self.runs]
        self.provider_lines: dict[tuple[int, str, str], list[_ProviderLine]] = {}
        self._icns = 0
        claims = sorted(claims, key=lambda c: c.control_number)
        self.rng.shuffle(claims)
        collectors = [u.login for u in DEMO_USERS if u.share > 0]
        self.by_collector = {login: [c for c in claims if c.collector == login] for login in collectors}

    def icn(self, run: int) -> str:
        """A payer's internal control number: the run's date and a sequence (CLP07)."""
        self._icns += 1
        return f"{self.runs[run]:%y%j}{self._icns:07d}"

    def first_run(self, claim: _Claim, at_least: int = 0) -> int | None:
        """The first run, from ``at_least`` on, that may decide ``claim``; None if none may."""
        return next(
            (run for run in range(at_least, len(self.runs)) if self.runs[run] >= claim.earliest_remit),
            None,
        )

    def take(
        self, login: str, *, run: int = 0, latest: int | None = None, lines: int = 1
    ) -> tuple[_Claim, int] | None:
        """A claim of ``login``'s that a run from ``run`` on (to ``latest``) may decide, with
        ``lines`` service lines at least, and that run; the claim is then no longer available."""
        pool = self.by_collector[login]
        for index, claim in enumerate(pool):
            chosen = self.first_run(claim, run)
            if chosen is None or (latest is not None and chosen > latest) or len(claim.charges) < lines:
                continue
            del pool[index]
            return claim, chosen
        return None

    def plan(self) -> None:
        logins = list(self.by_collector)
        others = [login for login in logins if login != DEMO_DEFAULT_LOGIN]
        denial_count = 0
        # Two denials each first, so that every collector has two scenarios before money is planned.
        for offset, login in enumerate(logins):
            for k in range(2):
                denial_count = self._deny(
                    login, DENIAL_KINDS[(2 * offset + k) % len(DENIAL_KINDS)], denial_count
                )
        self._special_cases(others)
        for login in others:
            for _ in range(PAID_PER_COLLECTOR):
                found = self.take(login)
                if found is not None:
                    claim, run = found
                    self.decisions[run].append(self.paid(claim, run))
        for offset, login in enumerate(logins):
            wanted = DEFAULT_COLLECTOR_DENIALS if login == DEMO_DEFAULT_LOGIN else DENIALS_PER_COLLECTOR
            for k in range(2, wanted):
                denial_count = self._deny(
                    login, DENIAL_KINDS[(2 * offset + k) % len(DENIAL_KINDS)], denial_count
                )
        self._cover_payers(denial_count)

    def _cover_payers(self, denial_count: int) -> None:
        """One claim more for each payer no file names yet, where the office has one, so that every
        payer's phone reaches the payer table: paid, or denied on the default collector's account."""
        named = {d.claim.payer for run in self.decisions for d in run}
        for payer in PAYER_FACTS:
            if payer in named:
                continue
            for login, pool in self.by_collector.items():
                claim = next((c for c in pool if c.payer == payer and self.first_run(c) is not None), None)
                if claim is None:
                    continue
                pool.remove(claim)
                pool.insert(0, claim)
                if login == DEMO_DEFAULT_LOGIN:
                    kind = DENIAL_KINDS[denial_count % len(DENIAL_KINDS)]
                    denial_count = self._deny(login, kind, denial_count)
                else:
                    found = self.take(login)
                    if found is not None:
                        self.decisions[found[1]].append(self.paid(*found))
                break

    def _deny(self, login: str, kind: DenialKind, count: int) -> int:
        """Deny a claim of ``login``'s as ``kind``: the first two in the first file (their corrected
        claim is overdue), the next three in the second (due soon), the rest in the last."""
        preferred = 0 if count < 2 else 1 if count < 5 else 2
        found = self.take(login, run=preferred)
        if found is None:
            return count
        claim, run = found
        lines = tuple(
            _Line(day, code, cents, ((kind.group, kind.reason, cents),), kind.line_remark)
            for day, code, cents in claim.charges
        )
        self.decisions[run].append(_Decision(claim, "4", self.icn(run), lines, kind.claim_remark))
        return count + 1

    def paid(
        self,
        claim: _Claim,
        run: int,
        *,
        status: str = "1",
        contractual: int | None = None,
        patient_share: int | None = None,
    ) -> _Decision:
        """``claim`` paid: CO-45 off the contract, PR-1 (deductible) and PR-2 (coinsurance) to the
        patient, the rest paid; the shares are basis points of each line's charge (drawn when not
        given, always drawn so that the stream does not depend on them)."""
        contract = self.rng.randint(800, 1800)
        patient = self.rng.randint(1000, 2500)
        contract = contract if contractual is None else contractual
        patient = patient if patient_share is None else patient_share
        deductible_first = self.rng.random() < 0.4
        lines = []
        for number, (day, code, cents) in enumerate(claim.charges):
            co = cents * contract // 10_000
            pr = cents * patient // 10_000
            group = "1" if deductible_first and number == 0 else "2"
            adjustments = tuple(a for a in (("CO", "45", co), ("PR", group, pr)) if a[2])
            lines.append(_Line(day, code, cents, adjustments))
        return _Decision(claim, status, self.icn(run), tuple(lines))

    def _special_cases(self, others: list[str]) -> None:
        """The reversal, the recoupment, the interest, the forwarded claim and the partial denial,
        each on an account of a collector other than the default one (they move money)."""
        last = len(self.runs) - 1
        rotation = iter(others * 4)
        # Reversal: paid in the first file with a large patient share, reversed and paid again in
        # the last with the share halved (the payer had applied too much deductible).
        for login in others:
            found = self.take(login, latest=last - 1)
            if found is not None:
                claim, run = found
                first = self.paid(claim, run, contractual=1200, patient_share=3000)
                self.decisions[run].append(first)
                reversal = _Decision(claim, "22", first.icn, tuple(line.negated() for line in first.lines))
                again = self.paid(claim, last, contractual=1200, patient_share=1500)
                self.decisions[last] += [reversal, again]
                break
        # Recoupment: a claim paid in the first file whose overpayment the payer takes back in the
        # last, from a payment to the same provider (so the transaction stays positive).
        self._recoupment(others, last)
        for _ in others:
            login = next(rotation)
            found = self.take(login, run=1)
            if found is not None:
                claim, run = found
                self.decisions[run].append(self.paid(claim, run, status="19"))
                break
        for _ in others:
            login = next(rotation)
            found = self.take(login, run=last, lines=2)
            if found is not None:
                claim, run = found
                paid = self.paid(claim, run)
                *kept, bundled = paid.lines
                denied = _Line(
                    bundled.service_date,
                    bundled.procedure,
                    bundled.charge,
                    ((BUNDLED.group, BUNDLED.reason, bundled.charge),),
                    BUNDLED.line_remark,
                )
                self.decisions[run].append(_Decision(claim, "1", paid.icn, (*kept, denied)))
                break

    def _recoupment(self, others: list[str], last: int) -> None:
        pool = [(login, claim) for login in others for claim in self.by_collector[login]]
        for login, overpaid in pool:
            if self.first_run(overpaid) != 0:
                continue
            partner = next(
                (
                    (other_login, claim)
                    for other_login, claim in pool
                    if claim is not overpaid
                    and (claim.payer, claim.facility_code) == (overpaid.payer, overpaid.facility_code)
                    and self.first_run(claim, last) == last
                ),
                None,
            )
            if partner is None:
                continue
            self.by_collector[login].remove(overpaid)
            self.by_collector[partner[0]].remove(partner[1])
            first = self.paid(overpaid, 0)
            payment = self.paid(partner[1], last)
            self.decisions[0].append(first)
            self.decisions[last].append(payment)
            recovered = max(1, min(first.paid // 3, payment.paid // 2))
            interest = max(1, payment.paid // 200)
            self.provider_lines[(last, overpaid.payer, overpaid.facility_code)] = [
                _ProviderLine("WO", first.icn, recovered),
                _ProviderLine("L6", payment.icn, -interest),
            ]
            return


def demo_remittances(
    accounts: Sequence[DemoAccount], *, seed: int, as_of: date
) -> tuple[DemoRemittance, ...]:
    """The demo's 835 files for ``accounts`` (the office's first batch), in the order to import them.

    Pure: the same accounts, seed and date give the same text. A run that decides no claim writes no
    file (a tiny office may have no pending claims).
    """
    planner = _Planner(seed, as_of, _pending_claims(accounts))
    planner.plan()
    files = []
    for run, decisions in enumerate(planner.decisions):
        if not decisions:
            continue
        day = planner.runs[run]
        text = _interchange(run + 1, day, decisions, planner.provider_lines, run)
        files.append(DemoRemittance(f"remittance-{day:%Y%m%d}.835", text))
    return tuple(files)


PAYER_BANK = "999999999"  # invented routing numbers (BPR07, BPR13)
PAYEE_BANK = "888888888"
# The first nine digits of each facility's invented NPI; the tenth is the check digit.
FACILITY_NPI = {"SMR": "199900001", "MCG": "199900002", "DVM": "199900003", "PIH": "199900004"}


def _npi(facility_code: str) -> str:
    """An invented NPI for the payee; its check digit is the standard one (Luhn over 80840 + NPI)."""
    base = FACILITY_NPI.get(facility_code, "199900009")
    digits = [int(d) for d in "80840" + base]
    total = 0
    for index, digit in enumerate(reversed(digits)):
        doubled = digit * 2 if index % 2 == 0 else digit
        total += doubled - 9 if doubled > 9 else doubled
    return base + str((10 - total % 10) % 10)


def _interchange(
    control: int,
    day: date,
    decisions: list[_Decision],
    provider_lines: dict[tuple[int, str, str], list[_ProviderLine]],
    run: int,
) -> str:
    """ISA ... IEA: one functional group, one transaction set per payer and payee (facility)."""
    groups: dict[tuple[str, str], list[_Decision]] = {}
    for decision in decisions:
        groups.setdefault((decision.claim.payer, decision.claim.facility_code), []).append(decision)
    for plb_run, payer, facility in provider_lines:
        if plb_run == run:
            groups.setdefault((payer, facility), [])
    isa_control = f"{control:09d}"
    segments = [
        f"ISA*00*{'':10}*00*{'':10}*ZZ*{SENDER_ID:<15}*ZZ*{RECEIVER_ID:<15}*{day:%y%m%d}*0600*^*00501*"
        f"{isa_control}*0*P*:",
        f"GS*HP*{SENDER_ID}*{RECEIVER_ID}*{day:%Y%m%d}*0600*{control}*X*{IMPLEMENTATION_GUIDE}",
    ]
    sets = 0
    for (payer, facility), claims in sorted(groups.items()):
        sets += 1
        plb = provider_lines.get((run, payer, facility), [])
        segments += _transaction(f"{sets:04d}", day, payer, facility, claims, plb)
    segments += [f"GE*{sets}*{control}", f"IEA*1*{isa_control}"]
    return "".join(f"{segment}~\n" for segment in segments)


def _transaction(
    control: str,
    day: date,
    payer: str,
    facility: str,
    decisions: list[_Decision],
    provider_lines: list[_ProviderLine],
) -> list[str]:
    """ST ... SE: one payer's remittance to one payee, balanced by construction."""
    facts = PAYER_FACTS.get(payer, OTHER_PAYER)
    npi = _npi(facility)
    total = sum(d.paid for d in decisions) - sum(line.cents for line in provider_lines)
    when = f"{day:%Y%m%d}"
    if total > 0:
        bpr = (
            f"BPR*I*{_dollars(total)}*C*ACH*CCP*01*{PAYER_BANK}*DA*0001234567*{facts.tax_id}"
            f"**01*{PAYEE_BANK}*DA*0007654321*{when}"
        )
    else:  # nothing paid (denials only): a notification, no money moves
        bpr = f"BPR*H*{_dollars(total)}*C*NON************{when}"
    facility_name = next((d.claim.facility_name for d in decisions), facility)
    body = [
        bpr,
        f"TRN*1*{facts.payer_id}{day:%y%m%d}{facility}*{facts.tax_id}",
        f"DTM*405*{when}",
        f"N1*PR*{payer}",
        "N3*PO BOX 0100",
        "N4*SPRINGFIELD*IL*62701",
        f"REF*2U*{facts.payer_id}",
        f"PER*CX*PROVIDER SERVICES*TE*{facts.phone}",
        f"N1*PE*{facility_name}*XX*{npi}",
    ]
    if decisions:
        body.append("LX*1")
    for decision in decisions:
        body += _claim(decision, facts)
    if provider_lines:
        pairs = "*".join(f"{line.reason}:{line.reference}*{_dollars(line.cents)}" for line in provider_lines)
        body.append(f"PLB*{npi}*{day.year}1231*{pairs}")
    return [f"ST*835*{control}*{IMPLEMENTATION_GUIDE}", *body, f"SE*{len(body) + 2}*{control}"]


def _claim(decision: _Decision, facts: PayerFacts) -> list[str]:
    """Loop 2100 (CLP, NM1*QC, MOA) and its service lines (loop 2110: SVC, DTM*472, CAS, LQ*HE)."""
    claim = decision.claim
    segments = [
        f"CLP*{claim.control_number}*{decision.status}*{_dollars(decision.charge)}*{_dollars(decision.paid)}"
        f"*{_dollars(decision.patient)}*{facts.filing_indicator}*{decision.icn}*11*1",
        f"NM1*QC*1*{claim.patient_last.upper()}*{claim.patient_first.upper()}****MI*{claim.member_id}",
    ]
    if decision.claim_remark:
        segments.append(f"MOA***{decision.claim_remark}")
    for line in decision.lines:
        segments += [
            f"SVC*HC:{line.procedure}*{_dollars(line.charge)}*{_dollars(line.paid)}**1",
            f"DTM*472*{line.service_date:%Y%m%d}",
        ]
        by_group: dict[str, list[tuple[str, int]]] = {}
        for group, reason, cents in line.adjustments:
            by_group.setdefault(group, []).append((reason, cents))
        for group, reasons in by_group.items():
            segments.append(f"CAS*{group}*" + "**".join(f"{r}*{_dollars(c)}" for r, c in reasons))
        if line.remark:
            segments.append(f"LQ*HE*{line.remark}")
    return segments


def demo_acknowledgment(accounts: Sequence[DemoAccount], *, seed: int, as_of: date) -> DemoRemittance | None:
    """The clearinghouse's 277CA (005010X214): a few claims the 835s leave pending, each accepted
    for processing (A2:20) the day after it was sent, so that their proof of timely filing is on
    file. Claims of collectors other than the default one (whose workspace the UI snapshots show).
    None when there is no such claim."""
    planner = _Planner(seed, as_of, _pending_claims(accounts))
    planner.plan()
    claims = [
        claim
        for login, pool in planner.by_collector.items()
        if login != DEMO_DEFAULT_LOGIN
        for claim in pool
        if claim.submitted < as_of
    ][:ACKNOWLEDGED_CLAIMS]
    if not claims:
        return None
    day = as_of - timedelta(days=1)
    batch = f"ACK{day:%Y%m%d}"
    body = [
        f"BHT*0085*08*{batch}*{day:%Y%m%d}*0600*TH",
        "HL*1**20*1",
        f"NM1*AY*2*DEMO CLEARINGHOUSE*****46*{SENDER_ID}",
        f"TRN*1*{batch}",
        f"DTP*050*D8*{day:%Y%m%d}",
        f"DTP*009*D8*{day:%Y%m%d}",
        "HL*2*1*21*1",
        f"NM1*41*2*COLLECTOR DEMO BILLING*****46*{RECEIVER_ID}",
        f"TRN*2*{batch}",
        f"STC*A1:19:PR*{day:%Y%m%d}*WQ*{_dollars(sum(c.pending_cents for c in claims))}",
    ]
    number = 2
    for facility in sorted({c.facility_code for c in claims}):
        number += 1
        provider = number
        mine = [c for c in claims if c.facility_code == facility]
        body += [f"HL*{provider}*2*19*1", f"NM1*85*2*{mine[0].facility_name}*****XX*{_npi(facility)}"]
        for claim in mine:
            number += 1
            accepted = min(claim.submitted + timedelta(days=1), day)
            body += [
                f"HL*{number}*{provider}*PT",
                f"NM1*QC*1*{claim.patient_last.upper()}*{claim.patient_first.upper()}****MI*{claim.member_id}",
                f"TRN*2*{claim.control_number}",
                f"STC*A2:20:PR*{accepted:%Y%m%d}*WQ*{_dollars(claim.pending_cents)}",
                f"DTP*472*D8*{claim.charges[0][0]:%Y%m%d}",
            ]
    control = "000000004"  # after the three 835 interchanges
    segments = [
        f"ISA*00*{'':10}*00*{'':10}*ZZ*{SENDER_ID:<15}*ZZ*{RECEIVER_ID:<15}*{day:%y%m%d}*0600*^*00501*"
        f"{control}*0*P*:",
        f"GS*HN*{SENDER_ID}*{RECEIVER_ID}*{day:%Y%m%d}*0600*4*X*{ACKNOWLEDGMENT_GUIDE}",
        f"ST*277*0001*{ACKNOWLEDGMENT_GUIDE}",
        *body,
        f"SE*{len(body) + 2}*0001",
        "GE*1*4",
        f"IEA*1*{control}",
    ]
    return DemoRemittance(f"claim-status-{day:%Y%m%d}.277", "".join(f"{segment}~\n" for segment in segments))
