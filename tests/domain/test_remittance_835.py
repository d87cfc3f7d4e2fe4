"""collector_tui.domain.x12.remittance: the 835's structure, its money, and its balancing rules."""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from collector_tui.domain.x12.envelope import Delimiters, X12Error
from collector_tui.domain.x12.remittance import (
    ADJUSTMENT_GROUPS,
    PHI,
    Adjustment,
    AmountError,
    ClaimPayment,
    PatientName,
    Remittance,
    balance_problems,
    parse_x12_amount,
    read_835,
)

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "x12"
VERSION = "005010X221A1"
PATIENT_DATA = ("SAMPLE*PATIENT", "PATIENT", "SUBJECT", "M000111", "M000222", "M000333")


def fixture(name: str) -> str:
    return (FIXTURES / name).read_text(encoding="utf-8")


def only(text: str) -> Remittance:
    (remittance,) = read_835(text)
    return remittance


def refusal(text: str) -> X12Error:
    with pytest.raises(X12Error) as caught:
        read_835(text)
    message = str(caught.value)
    assert not any(data in message for data in PATIENT_DATA), message
    return caught.value


def position_of(text: str, start: str) -> int:
    return next(n for n, line in enumerate(text.splitlines(), start=1) if line.startswith(start))


# Money ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "cents"),
    [
        ("0", 0),
        ("12", 1200),
        ("12.5", 1250),
        ("12.50", 1250),
        ("12.05", 1205),
        (".5", 50),
        ("0.01", 1),
        ("-12.34", -1234),
        ("-0.5", -50),
        ("007", 700),
        ("123456789012345678", 12345678901234567800),
        ("9999999999999999.99", 999999999999999999),
    ],
)
def test_x12_amounts_are_exact_cents(text: str, cents: int) -> None:
    assert parse_x12_amount(text) == cents


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("12.345", "more than two decimals"),
        ("0.001", "more than two decimals"),
        ("12.", "no digits after"),
        ("", "not a number"),
        ("-", "not a number"),
        (".", "not a number"),
        ("+12", "not a number"),
        ("1,234.56", "not a number"),
        ("$12", "not a number"),
        ("1e3", "not a number"),
        (" 12", "not a number"),
        ("١٢", "not a number"),  # Arabic-Indic digits
        ("1234567890123456789", "more than 18 digits"),
    ],
)
def test_what_is_not_an_x12_amount_is_refused(text: str, problem: str) -> None:
    with pytest.raises(AmountError, match=problem):
        parse_x12_amount(text)


def test_an_amount_with_three_decimals_in_a_file_names_the_element_not_the_amount() -> None:
    text = fixture("balanced.835").replace("CLP*PCN1001*1*250.00*", "CLP*PCN1001*1*250.001*")
    error = refusal(text)
    assert (error.position, error.element) == (position_of(text, "CLP*PCN1001"), "CLP03")
    assert "more than two decimals" in str(error) and "250" not in str(error)


# The structure --------------------------------------------------------------------------------------


def test_the_balanced_fixture_reads_whole() -> None:
    text = fixture("balanced.835")
    remittance = only(text)
    assert remittance.control_number == "0001" and remittance.position == 3
    payment = remittance.payment
    assert (payment.handling, payment.amount_cents, payment.credit_debit, payment.method) == (
        "C",
        2625,
        "C",
        "ACH",
    )
    assert payment.payment_date == date(2024, 1, 20)
    assert (remittance.trace.trace_type, remittance.trace.number, remittance.trace.originator) == (
        "1",
        "EFT0000123",
        "1512345678",
    )
    assert remittance.production_date == date(2024, 1, 19)
    assert (remittance.payer.name, remittance.payer.identifier) == ("SAMPLE HEALTH PLAN", "PAYER01")
    assert remittance.payer.references == (("2U", "PAYER01"),)
    payee = remittance.payee
    assert (payee.name, payee.id_qualifier, payee.identifier) == ("SAMPLE CLINIC", "XX", "1999999984")
    assert payee.references == (("TJ", "123456789"),)
    assert [c.patient_control_number for c in remittance.claims] == ["PCN1001", "PCN1002", "PCN1003"]
    assert balance_problems(remittance) == []


def test_a_paid_claim_with_its_service_lines() -> None:
    text = fixture("balanced.835")
    claim = only(text).claims[0]
    assert claim.position == position_of(text, "CLP*PCN1001")
    assert (claim.status_code, claim.status) == ("1", "processed as primary")
    assert (claim.charge_cents, claim.payment_cents, claim.patient_responsibility_cents) == (
        25000,
        15000,
        3000,
    )
    assert (claim.filing_indicator, claim.payer_claim_control_number) == ("12", "PAYERICN0001")
    assert claim.adjustments == (Adjustment("PR", "1", 2000),)
    assert [(d.qualifier, d.on) for d in claim.dates] == [
        ("232", date(2024, 1, 5)),
        ("050", date(2024, 1, 10)),
    ]
    first, second = claim.services
    assert (first.qualifier, first.code, first.modifiers) == ("HC", "99213", ())
    assert (first.charge_cents, first.payment_cents, first.units) == (15000, 11000, Decimal(1))
    assert first.service_date == date(2024, 1, 5)
    assert first.adjustments == (Adjustment("CO", "45", 3000), Adjustment("PR", "3", 1000))
    assert (second.code, second.modifiers, second.procedure) == ("85025", ("QW",), ("HC", "85025", "QW"))
    assert second.adjustments == (Adjustment("CO", "45", 3500), Adjustment("CO", "253", 500))
    assert second.position == position_of(text, "SVC*HC:85025")
    assert len(claim.all_adjustments()) == 5


def test_a_denial_and_a_reversal() -> None:
    _, denied, reversed_ = only(fixture("balanced.835")).claims
    assert (denied.status, denied.payment_cents, denied.services) == ("denied", 0, ())
    assert denied.adjustments == (Adjustment("CO", "197", 8000),)
    assert reversed_.status == "reversal of previous payment"
    assert (reversed_.charge_cents, reversed_.payment_cents) == (-12000, -10000)
    assert reversed_.patient_responsibility_cents is None
    assert reversed_.adjustments == (Adjustment("CO", "45", -2000),)


def test_provider_level_adjustments_are_each_pair_of_the_plb() -> None:
    text = fixture("balanced.835")
    recovery, interest = only(text).provider_adjustments
    assert (recovery.provider_id, recovery.fiscal_period_end) == ("1999999984", date(2024, 12, 31))
    assert (recovery.reason, recovery.reference, recovery.amount_cents) == ("WO", "PAYERICN0099", 2500)
    assert (interest.reason, interest.reference, interest.amount_cents) == ("L6", "", -125)
    assert recovery.position == interest.position == position_of(text, "PLB")


def test_the_patient_is_kept_but_marked_phi_and_never_shown_in_a_repr() -> None:
    claim = only(fixture("balanced.835")).claims[0]
    assert claim.patient is not None
    assert (claim.patient.last, claim.patient.first, claim.patient.middle) == ("SAMPLE", "PATIENT", "A")
    assert (claim.patient.id_qualifier, claim.patient.id) == ("MI", "M000111")
    marked = {f.name for f in dataclasses.fields(PatientName) if f.metadata.get(PHI)}
    assert marked == {"last", "first", "middle", "suffix", "id"}
    assert next(f for f in dataclasses.fields(ClaimPayment) if f.name == "patient").metadata[PHI]
    shown = repr(claim) + repr(claim.patient)
    assert "SAMPLE" not in shown and "M000111" not in shown and "PCN1001" in shown


def test_the_same_remittance_in_other_delimiters_without_newlines_and_with_a_bom() -> None:
    assert read_835(fixture("pipes_no_newlines.835")) == read_835(fixture("balanced.835"))


def test_every_transaction_set_of_every_interchange_is_read() -> None:
    remittances = read_835(fixture("two_interchanges.835"))
    assert [r.control_number for r in remittances] == ["0001", "0001", "0002"]
    assert [r.position for r in remittances] == [3, 40, 73]
    assert {tuple(c.patient_control_number for c in r.claims) for r in remittances} == {
        ("PCN1001", "PCN1002", "PCN1003")
    }
    assert all(balance_problems(r) == [] for r in remittances)


def test_a_4010_remittance_is_refused() -> None:
    error = refusal(fixture("version_4010.835"))
    assert error.element == "GS08" and "004010X091A1" in str(error)


@pytest.mark.parametrize(
    ("old", "new", "at", "element", "words"),
    [
        ("CAS*PR*1*20.00~", "CAS*XX*1*20.00~", "CAS*PR*1*20.00", "CAS01", "group code XX"),
        ("CAS*PR*1*20.00~", "CAS*PR*1~", "CAS*PR*1*20.00", "CAS03", "needs its amount"),
        ("CAS*PR*1*20.00~", "CAS*PR**20.00~", "CAS*PR*1*20.00", "CAS02", "needs its reason"),
        ("CAS*PR*1*20.00~", "CAS*PR~", "CAS*PR*1*20.00", "CAS02", "at least one"),
        ("DTM*232*20240105~", "DTM*232*20240231~", "DTM*232*20240105", "DTM02", "not a calendar date"),
        ("DTM*232*20240105~", "DTM*232*240105~", "DTM*232*20240105", "DTM02", "CCYYMMDD"),
        ("SVC*HC:99213*", "SVC*99213*", "SVC*HC:99213", "SVC01", "qualifier and a code"),
        ("SVC*HC:99213*150.00*110.00", "SVC*HC:99213*150.00*1,10", "SVC*HC:99213", "SVC03", "not an amount"),
        ("BPR*C*26.25*C*ACH*", "BPR*C*26.25*C*XYZ*", "BPR", "BPR04", "payment method XYZ"),
        ("BPR*C*26.25*C*", "BPR*C*26.25*X*", "BPR", "BPR03", "C (credit) or D (debit)"),
        ("BPR*C*26.25*", "BPR*C**", "BPR", "BPR02", "required"),
        ("CLP*PCN1002*4*", "CLP**4*", "CLP*PCN1002", "CLP01", "required"),
        (
            "PLB*1999999984*20241231*WO:PAYERICN0099*25.00*",
            "PLB*1999999984*20241231*WO:X**",
            "PLB",
            "PLB04",
            "amount",
        ),
        ("*L6*-1.25~", "*L6*-1.255~", "PLB", "PLB06", "more than two decimals"),
    ],
)
def test_a_bad_element_is_named(old: str, new: str, at: str, element: str, words: str) -> None:
    text = fixture("balanced.835")
    assert old in text
    error = refusal(text.replace(old, new, 1))
    assert (error.position, error.element) == (position_of(text, at), element)
    assert words in str(error)


@pytest.mark.parametrize(
    ("old", "new", "words"),
    [
        ("TRN*1*EFT0000123*1512345678~\n", "", "needs a TRN"),
        ("N1*PE*SAMPLE CLINIC*XX*1999999984~\n", "", "N1*PE"),
        ("N1*PR*SAMPLE HEALTH PLAN~\n", "", "N1*PR"),
    ],
)
def test_a_missing_required_segment_is_named(old: str, new: str, words: str) -> None:
    text = fixture("balanced.835").replace(old, new).replace("SE*33*", "SE*32*")
    error = refusal(text)
    assert error.position == 3 and words in str(error)  # the ST of the transaction without it


@pytest.mark.parametrize(
    ("old", "new", "words"),
    [
        ("LX*1~\n", "LX*1~\nCAS*CO*45*1.00~\n", "CAS outside a claim"),
        ("LX*1~\n", "LX*1~\nSVC*HC:1*1*1~\n", "SVC outside a claim"),
        ("SE*33*", "DTM*405*20240119~\nSE*33*", "DTM after PLB"),
    ],
)
def test_segments_out_of_place_are_refused(old: str, new: str, words: str) -> None:
    text = fixture("balanced.835")
    error = refusal(text.replace(old, new).replace("SE*33*", "SE*34*"))
    assert error.position == position_of(text, "SE") - (0 if "PLB" in words else 20)
    assert words in str(error)


def test_bpr_comes_first() -> None:
    text = fixture("balanced.835")
    moved = text.replace("TRN*1*EFT0000123*1512345678~\n", "").replace(
        "ST*835*0001*005010X221A1~\n", "ST*835*0001*005010X221A1~\nTRN*1*EFT0000123*1512345678~\n"
    )
    error = refusal(moved)
    assert error.position == 4 and "begins with BPR" in str(error)


# Balancing -------------------------------------------------------------------------------------------


def test_a_transaction_that_does_not_balance() -> None:
    (problem,) = balance_problems(only(fixture("unbalanced_transaction.835")))
    assert (problem.rule, problem.claim, problem.position) == ("transaction", None, 4)
    assert (problem.expected_cents, problem.found_cents) == (2625, 2626)
    assert "BPR02 is $26.26" in problem.message and "provider adjustments $23.75" in problem.message


def test_a_claim_that_does_not_balance() -> None:
    text = fixture("unbalanced_claim.835")
    (problem,) = balance_problems(only(text))
    assert (problem.rule, problem.claim, problem.position) == (
        "claim",
        "PCN1001",
        position_of(text, "CLP*PCN1001"),
    )
    assert (problem.expected_cents, problem.found_cents) == (14500, 15000)
    assert problem.message.startswith("claim PCN1001, segment ")
    assert "CLP04 is $150.00" in problem.message
    assert not any(data in problem.message for data in PATIENT_DATA)


def test_a_service_line_that_does_not_balance() -> None:
    text = fixture("unbalanced_service.835")
    (problem,) = balance_problems(only(text))
    assert (problem.rule, problem.claim, problem.position) == (
        "service line",
        "PCN1001",
        position_of(text, "SVC*HC:85025"),
    )
    assert (problem.expected_cents, problem.found_cents) == (6000, 6500)
    assert "service line 2" in problem.message and "SVC03 is $65.00" in problem.message


def test_every_level_is_checked_at_once() -> None:
    text = fixture("balanced.835").replace("CAS*CO*45*35.00**253*5.00~", "CAS*CO*45*35.00~")
    problems = balance_problems(only(text))
    assert [(p.rule, p.claim) for p in problems] == [("service line", "PCN1001"), ("claim", "PCN1001")]


# Properties ------------------------------------------------------------------------------------------

_CODE = st.text(alphabet="ABCDEFGHJKLMNPQRSTUVWXYZ0123456789", min_size=1, max_size=10)
_CENTS = st.integers(min_value=-(10**9), max_value=10**9)
_ADJUSTMENT = st.builds(
    Adjustment,
    group=st.sampled_from(sorted(ADJUSTMENT_GROUPS)),
    reason=st.sampled_from(["1", "2", "3", "45", "97", "197", "253", "A1", "B7"]),
    amount_cents=_CENTS,
)
_SERVICE = st.tuples(_CENTS, st.lists(_ADJUSTMENT, max_size=9))  # charge, adjustments
_CLAIM = st.tuples(_CODE, _CENTS, st.lists(_SERVICE, max_size=4), st.lists(_ADJUSTMENT, max_size=7))
_PLB = st.lists(st.tuples(st.sampled_from(["WO", "L6", "FB", "72", "CS"]), _CENTS), max_size=8)
_SAFE = "*|^~:!>'{}+`\\"  # never in the generated data; the segment terminator may also be a newline


@st.composite
def _delimiters(draw: st.DrawFn) -> Delimiters:
    element, repetition, component = draw(st.permutations(_SAFE))[:3]
    segment = draw(st.sampled_from([c for c in _SAFE + "\n" if c not in (element, repetition, component)]))
    return Delimiters(element, repetition, component, segment)


def _amount(cents: int, short: bool) -> str:
    sign = "-" if cents < 0 else ""
    dollars, rest = divmod(abs(cents), 100)
    if not short:
        return f"{sign}{dollars}.{rest:02d}"
    if rest == 0:
        return f"{sign}{dollars}"
    return f"{sign}{dollars}.{rest:02d}".rstrip("0")


def _cas(adjustments: Sequence[Adjustment], short: bool) -> list[list[str]]:
    """Adjustments in order: one CAS per run of the same group, at most six to a CAS."""
    segments: list[list[str]] = []
    for adjustment in adjustments:
        last = segments[-1] if segments else None
        if last is None or last[1] != adjustment.group or len(last) >= 2 + 3 * 6:
            last = ["CAS", adjustment.group]
            segments.append(last)
        last += [adjustment.reason, _amount(adjustment.amount_cents, short), ""]
    return [s[:-1] if s[-1] == "" else s for s in segments]


@st.composite
def _balanced(draw: st.DrawFn) -> tuple[list[list[str]], list[tuple[str, int, int, list[tuple[int, int]]]]]:
    """An 835 body that balances, and each claim's (CLP01, charge, paid, [(line charge, line paid)])."""
    short = draw(st.booleans())
    claims = draw(st.lists(_CLAIM, max_size=5))
    plb = draw(_PLB)
    body: list[list[str]] = []
    expected: list[tuple[str, int, int, list[tuple[int, int]]]] = []
    claim_segments: list[list[str]] = []
    for number, (code, extra_charge, services, claim_adjustments) in enumerate(claims):
        pcn = f"{code}{number}"  # unique
        charge = extra_charge if not services else sum(charge for charge, _ in services)
        adjusted = sum(a.amount_cents for a in claim_adjustments)
        adjusted += sum(a.amount_cents for _, adjustments in services for a in adjustments)
        paid = charge - adjusted
        claim_segments.append(
            ["CLP", pcn, "1", _amount(charge, short), _amount(paid, short), "", "12", "ICN"]
        )
        claim_segments += _cas(claim_adjustments, short)
        claim_segments.append(["NM1", "QC", "1", "DOE", "JANE", "", "", "", "MI", "X1"])
        lines = []
        for line_charge, adjustments in services:
            line_paid = line_charge - sum(a.amount_cents for a in adjustments)
            claim_segments.append(
                ["SVC", "HC{c}99213", _amount(line_charge, short), _amount(line_paid, short)]
            )
            claim_segments.append(["DTM", "472", "20240105"])
            claim_segments += _cas(adjustments, short)
            lines.append((line_charge, line_paid))
        expected.append((pcn, charge, paid, lines))
    total = sum(paid for _, _, paid, _ in expected) - sum(amount for _, amount in plb)
    body.append(["BPR", "C", _amount(total, short), "C", "ACH"])
    body.append(["TRN", "1", "12345", "1512345678"])
    body.append(["N1", "PR", "PAYER"])
    body.append(["N1", "PE", "CLINIC", "XX", "1999999984"])
    body.append(["LX", "1"])
    body += claim_segments
    for start in range(0, len(plb), 6):
        pairs = [[f"{reason}{{c}}REF", _amount(amount, short)] for reason, amount in plb[start : start + 6]]
        body.append(["PLB", "1999999984", "20241231", *(e for pair in pairs for e in pair)])
    return body, expected


def _document(body: Sequence[Sequence[str]], delimiters: Delimiters, newline: str) -> str:
    body = [[e.replace("{c}", delimiters.component) for e in segment] for segment in body]
    isa = ["00", " " * 10, "00", " " * 10, "ZZ", "SENDER".ljust(15), "ZZ", "RECEIVER".ljust(15)]
    isa += ["240119", "1200", delimiters.repetition, "00501", "000000001", "0", "T", delimiters.component]
    segments = [
        ["ISA", *isa],
        ["GS", "HP", "SENDER", "RECEIVER", "20240119", "1200", "7", "X", VERSION],
        ["ST", "835", "0001", VERSION],
        *body,
        ["SE", str(len(body) + 2), "0001"],
        ["GE", "1", "7"],
        ["IEA", "1", "000000001"],
    ]
    if delimiters.segment == "\n":
        newline = ""
    return "".join(delimiters.element.join(s) + delimiters.segment + newline for s in segments)


@given(_balanced(), _delimiters(), st.sampled_from(["", "\n", "\r\n"]))
def test_a_balanced_claim_reads_back_to_the_same_numbers_and_balances(
    drawn: tuple[list[list[str]], list[tuple[str, int, int, list[tuple[int, int]]]]],
    delimiters: Delimiters,
    newline: str,
) -> None:
    body, expected = drawn
    remittance = only(_document(body, delimiters, newline))
    read = [
        (
            claim.patient_control_number,
            claim.charge_cents,
            claim.payment_cents,
            [(s.charge_cents, s.payment_cents) for s in claim.services],
        )
        for claim in remittance.claims
    ]
    assert read == expected
    assert balance_problems(remittance) == []


@given(_balanced(), _delimiters(), _delimiters(), st.booleans())
def test_the_same_document_in_other_delimiters_reads_the_same(
    drawn: tuple[list[list[str]], list[tuple[str, int, int, list[tuple[int, int]]]]],
    first: Delimiters,
    second: Delimiters,
    bom: bool,
) -> None:
    body, _ = drawn
    other = ("\ufeff" if bom else "") + _document(body, second, "\r\n")
    assert read_835(_document(body, first, "")) == read_835(other)


@given(_balanced(), st.integers(min_value=1, max_value=10**6))
def test_a_payment_changed_by_any_amount_no_longer_balances(
    drawn: tuple[list[list[str]], list[tuple[str, int, int, list[tuple[int, int]]]]], change: int
) -> None:
    body, _ = drawn
    body = [list(segment) for segment in body]
    body[0][2] = _amount(parse_x12_amount(body[0][2]) + change, short=False)
    (problem,) = balance_problems(only(_document(body, Delimiters(), "\n")))
    assert problem.rule == "transaction" and problem.found_cents - problem.expected_cents == change
