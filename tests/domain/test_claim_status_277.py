"""collector_tui.domain.x12.claim_status: the 277 and 277CA read, level by level, claim by claim."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from collector_tui.domain.x12.claim_status import (
    ACKNOWLEDGMENT_GUIDE,
    CATEGORY_LABELS,
    CLAIM_STATUS_GUIDE,
    ClaimStatus,
    ClaimStatusReport,
    StatusDetail,
    category_label,
    is_accepted,
    is_acknowledgement,
    is_finalized,
    is_pending,
    is_rejected,
    read_277,
)
from collector_tui.domain.x12.envelope import UnsupportedVersionError, X12Error

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "x12" / "claim_status"
# What the fixtures hold about patients (NM103, NM104, NM109): never kept, never shown.
PATIENT_DATA = ("SAMPLE", "PATIENT", "EXAMPLE", "PERSON", "SUBJECT", "SUBSCRIBER", "M000111", "M000222")


def fixture(name: str) -> str:
    return (FIXTURES / name).read_text(encoding="utf-8")


def only(text: str) -> ClaimStatusReport:
    (report,) = read_277(text)
    return report


def refusal(text: str) -> X12Error:
    with pytest.raises(X12Error) as caught:
        read_277(text)
    message = str(caught.value)
    assert not any(data in message for data in PATIENT_DATA), message
    return caught.value


def position_of(text: str, start: str) -> int:
    return next(n for n, line in enumerate(text.splitlines(), start=1) if line.startswith(start))


def no_patient_data(report: ClaimStatusReport) -> None:
    shown = repr(report)
    assert not any(data in shown for data in PATIENT_DATA), shown


# The fixtures ---------------------------------------------------------------------------------------


def test_a_277ca_accepts_one_claim_and_rejects_another() -> None:
    text = fixture("acknowledgment.277")
    report = only(text)
    assert (report.payer_name, report.payer_id) == ("INVENTED HEALTH PLAN", "PAYER-X")
    assert report.production_date == date(2026, 11, 20)
    assert (report.guide, report.is_acknowledgment, report.control_number) == (
        ACKNOWLEDGMENT_GUIDE,
        True,
        "0001",
    )
    assert report.position == 3
    accepted, rejected = report.claims
    assert accepted == ClaimStatus(
        control_number="PCN-1",
        payer_claim_number="ICN-26324000001",
        category="A2",
        status_code="20",
        entity="PR",
        status_date=date(2026, 11, 20),
        action_code="WQ",
        charge_cents=30_000,
        position=position_of(text, "TRN*2*PCN-1"),
        trace_number="PCN-1",
        service_date=date(2026, 11, 1),
    )
    assert (rejected.control_number, rejected.category, rejected.status_code, rejected.entity) == (
        "PCN-2",
        "A7",
        "21",
        "85",
    )
    assert (rejected.action_code, rejected.charge_cents, rejected.payer_claim_number) == ("U", 20_000, None)
    assert rejected.service_date == date(2026, 11, 2)  # RD8: the range's start
    assert rejected.other_statuses == (StatusDetail("A7", "562", "85"),)  # STC10
    assert rejected.statuses[0] == StatusDetail("A7", "21", "85")
    assert is_accepted(accepted.category) and is_rejected(rejected.category)
    no_patient_data(report)


def test_the_receiver_and_provider_levels_are_no_claims() -> None:
    # HL 21 carries TRN*2 and STC A1 for the whole batch: not a claim.
    controls = [claim.control_number for claim in only(fixture("acknowledgment.277")).claims]
    assert "BATCH-837-0042" not in controls and controls == ["PCN-1", "PCN-2"]


def test_a_277_finalized_paid_denied_and_pending() -> None:
    text = fixture("status.277")
    report = only(text)
    assert (report.guide, report.is_acknowledgment) == (CLAIM_STATUS_GUIDE, False)
    assert report.production_date == date(2026, 11, 25)
    paid, denied, pending = report.claims
    assert (paid.control_number, paid.category, paid.status_code, paid.entity) == ("PCN-1", "F1", "65", "")
    assert (paid.status_date, paid.charge_cents, paid.action_code) == (date(2026, 11, 24), 30_000, "")
    # The service line's STC, REF*FJ and DTP belong to the line, not to the claim.
    assert paid.other_statuses == () and paid.payer_claim_number == "ICN-26324000001"
    # TRN02 echoes a 276's trace; REF*EJ is the provider's claim id.
    assert (denied.control_number, denied.trace_number) == ("PCN-2", "TRACE-276-0002")
    assert (denied.category, denied.payer_claim_number) == ("F2", "ICN-26324000002")
    # Under a dependent (HL 23), below its subscriber (HL 22).
    assert (pending.control_number, pending.category, pending.charge_cents) == ("PCN-3", "P1", 15_000)
    assert pending.position == position_of(text, "TRN*2*PCN-3")
    assert [is_finalized(c.category) for c in report.claims] == [True, True, False]
    assert is_pending(pending.category)
    no_patient_data(report)


def test_other_separators_and_a_byte_order_mark_read_the_same() -> None:
    text = fixture("pipes_bom.277")
    assert text.startswith("\ufeffISA|") and "\n" not in text and "!" in text
    assert read_277(text) == read_277(fixture("acknowledgment.277"))


def test_two_interchanges_and_two_transaction_sets_in_a_group() -> None:
    first, second, third = read_277(fixture("two_interchanges.277"))
    assert (first.guide, [c.control_number for c in first.claims]) == (ACKNOWLEDGMENT_GUIDE, ["PCN-1"])
    assert (second.guide, [c.category for c in second.claims]) == (CLAIM_STATUS_GUIDE, ["F1"])
    assert (third.payer_id, third.control_number, [c.category for c in third.claims]) == (
        "PAYER-Y",
        "0002",
        ["F2"],
    )
    assert first.position < second.position < third.position


def test_a_4010_file_is_refused_with_a_clear_message() -> None:
    error = refusal(fixture("version_4010.277"))
    assert isinstance(error, UnsupportedVersionError)
    assert (error.position, error.element) == (2, "GS08")
    assert "4010" in str(error) and "005010X212 or 005010X214" in str(error)


def test_another_guide_is_refused() -> None:
    text = fixture("acknowledgment.277").replace("005010X214", "005010X228")
    error = refusal(text)
    assert isinstance(error, UnsupportedVersionError)
    assert "the only ones that can be read" in str(error)


def test_an_835_is_not_a_277() -> None:
    text = fixture("acknowledgment.277").replace("ST*277*", "ST*835*")
    assert refusal(text).element == "ST01"


# Counts and control numbers (the envelope) -------------------------------------------------------------


@pytest.mark.parametrize(
    ("old", "new", "element"),
    [
        ("SE*35*0001", "SE*34*0001", "SE01"),
        ("SE*35*0001", "SE*35*0002", "SE02"),
        ("GE*1*101", "GE*2*101", "GE01"),
        ("GE*1*101", "GE*1*102", "GE02"),
        ("IEA*1*000000101", "IEA*2*000000101", "IEA01"),
        ("IEA*1*000000101", "IEA*1*000000100", "IEA02"),
    ],
)
def test_bad_counts_and_control_numbers_are_refused(old: str, new: str, element: str) -> None:
    text = fixture("acknowledgment.277")
    assert old in text
    assert refusal(text.replace(old, new)).element == element


# Structure ------------------------------------------------------------------------------------------


def ack_with(old: str, new: str) -> str:
    text = fixture("acknowledgment.277")
    assert old in text, old
    return text.replace(old, new)


def test_unknown_segments_are_skipped() -> None:
    lines = fixture("acknowledgment.277").splitlines(keepends=True)
    at = position_of("".join(lines), "REF*1K")
    lines.insert(at, "ZZZ*ANYTHING*AT*ALL~\n")
    text = "".join(lines).replace("SE*35*0001", "SE*36*0001")
    assert [c.category for c in only(text).claims] == ["A2", "A7"]


def test_the_first_stc_is_the_principal_and_the_others_are_kept() -> None:
    text = ack_with("REF*1K*ICN-26324000001~\n", "STC*A2:400:PR*20261121*WQ~\n")
    accepted = only(text).claims[0]
    assert (accepted.category, accepted.status_code, accepted.payer_claim_number) == ("A2", "20", None)
    assert accepted.other_statuses == (StatusDetail("A2", "400", "PR"),)


def test_a_claim_without_status_is_refused_at_its_trn() -> None:
    text = ack_with("STC*A2:20:PR*20261120*WQ*300.00~\n", "").replace("SE*35*", "SE*34*")
    error = refusal(text)
    assert error.position == position_of(text, "TRN*2*PCN-1") and "STC" in error.problem


@pytest.mark.parametrize(
    ("old", "new", "element"),
    [
        ("STC*A2:20:PR*20261120", "STC**20261120", "STC01"),
        ("STC*A2:20:PR*20261120", "STC*a2:20:PR*20261120", "STC01"),
        ("STC*A2:20:PR*20261120", "STC*A2*20261120", "STC01"),
        ("STC*A2:20:PR*20261120", "STC*A2:20:PR*20261320", "STC02"),
        ("STC*A2:20:PR*20261120", "STC*A2:20:PR*2026112", "STC02"),
        ("WQ*300.00", "WQ*300.001", "STC04"),
        ("WQ*300.00", "WQ*3OO", "STC04"),
        ("DTP*472*D8*20261101", "DTP*472*D9*20261101", "DTP02"),
        ("DTP*472*D8*20261101", "DTP*472*D8*20261131", "DTP03"),
        ("DTP*472*RD8*20261102-20261103", "DTP*472*RD8*20261104-20261103", "DTP03"),
        ("DTP*472*RD8*20261102-20261103", "DTP*472*RD8*20261102", "DTP03"),
        ("REF*1K*ICN-26324000001", "REF*1K*", "REF02"),
        ("TRN*2*PCN-1", "TRN*2*", "TRN02"),
        ("BHT*0085*08*ACK-20261120-1*20261120", "BHT*0085*08*ACK-20261120-1*2026", "BHT04"),
        ("HL*4*3*PT", "HL*4*3*", "HL03"),
        ("HL*4*3*PT", "HL**3*PT", "HL01"),
        ("HL*4*3*PT", "HL*3*2*PT", "HL01"),
        ("HL*4*3*PT", "HL*4*9*PT", "HL02"),
    ],
)
def test_a_bad_element_is_refused_by_name_without_showing_its_value(old: str, new: str, element: str) -> None:
    text = ack_with(old, new)
    error = refusal(text)
    assert error.element == element, error
    changed = zip(fixture("acknowledgment.277").splitlines(), text.splitlines(), strict=True)
    assert error.position == next(n for n, (a, b) in enumerate(changed, start=1) if a != b)


def test_the_body_must_begin_with_bht() -> None:
    text = ack_with("BHT*0085*08*ACK-20261120-1*20261120*0900*TH~\n", "").replace("SE*35*", "SE*34*")
    assert "BHT" in refusal(text).problem


def test_a_second_bht_is_refused() -> None:
    text = ack_with("DTP*009*D8*20261120~\n", "BHT*0085*08*X*20261120~\n")
    assert "second BHT" in refusal(text).problem


def test_an_information_source_needs_its_payer() -> None:
    text = ack_with("NM1*PR*2*INVENTED HEALTH PLAN*****PI*PAYER-X~\n", "NM1*XX*2*SOMEONE~\n")
    error = refusal(text)
    assert error.position == 5 and "NM1*PR" in error.problem


def test_a_clearinghouse_can_be_the_information_source() -> None:
    text = ack_with("NM1*PR*2*INVENTED HEALTH PLAN", "NM1*AY*2*INVENTED CLEARINGHOUSE")
    assert only(text).payer_name == "INVENTED CLEARINGHOUSE"


def test_a_level_before_any_information_source_is_refused() -> None:
    text = ack_with("HL*1**20*1~", "HL*1**21*1~")
    error = refusal(text)
    assert (error.position, error.element) == (5, "HL03")


def test_a_277_needs_an_information_source() -> None:
    body = "ST*277*0001*005010X214~\nBHT*0085*08*X*20261120~\nSE*3*0001~\n"
    text = fixture("acknowledgment.277")
    head, tail = text.split("ST*277", 1)[0], text.split("GE*1*101", 1)[1]
    error = refusal(head + body + "GE*1*101" + tail)
    assert error.position == 3 and "information source" in error.problem


def test_two_information_sources_in_one_transaction_set_are_two_reports() -> None:
    text = ack_with(
        "HL*5*3*PT~\n",
        "HL*5**20*1~\nNM1*PR*2*SECOND PLAN*****PI*PAYER-Z~\nHL*6*5*21*1~\nHL*7*6*19*1~\nHL*8*7*PT~\n",
    ).replace("SE*35*", "SE*39*")
    first, second = read_277(text)
    assert ([c.control_number for c in first.claims], first.payer_id) == (["PCN-1"], "PAYER-X")
    assert ([c.control_number for c in second.claims], second.payer_id) == (["PCN-2"], "PAYER-Z")


# Categories -----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("category", "acknowledgement", "accepted", "rejected", "finalized", "pending"),
    [
        ("A0", True, False, False, False, False),
        ("A1", True, True, False, False, False),
        ("A2", True, True, False, False, False),
        ("A3", True, False, True, False, False),
        ("A4", True, False, True, False, False),
        ("A5", True, False, False, False, False),
        ("A6", True, False, True, False, False),
        ("A7", True, False, True, False, False),
        ("A8", True, False, True, False, False),
        ("F0", False, False, False, True, False),
        ("F1", False, False, False, True, False),
        ("F2", False, False, False, True, False),
        ("F3", False, False, False, True, False),
        ("F3F", False, False, False, True, False),
        ("F4", False, False, False, True, False),
        ("P1", False, False, False, False, True),
        ("P5", False, False, False, False, True),
        ("R4", False, False, False, False, False),
        ("E1", False, False, False, False, False),
    ],
)
def test_category_helpers(
    category: str, acknowledgement: bool, accepted: bool, rejected: bool, finalized: bool, pending: bool
) -> None:
    assert is_acknowledgement(category) is acknowledgement
    assert is_accepted(category) is accepted
    assert is_rejected(category) is rejected
    assert is_finalized(category) is finalized
    assert is_pending(category) is pending


def test_every_category_has_a_plain_label() -> None:
    for code in ("A1", "A2", "A3", "A4", "A6", "A7", "A8", "F0", "F1", "F2", "F3", "F4", "P1", "P2", "P3"):
        assert code in CATEGORY_LABELS and category_label(code) == CATEGORY_LABELS[code]
    assert category_label("F1") == "finished: paid" and category_label("F2") == "finished: denied"
    assert category_label("R13") == "the payer asks for more information"  # by its family
    assert category_label("ZZ") == "status category ZZ"
    assert only(fixture("acknowledgment.277")).claims[1].label == "rejected: information is not valid"
