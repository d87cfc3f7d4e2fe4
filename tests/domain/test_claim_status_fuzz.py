"""The 277 reader never crashes: any input is claim status reports or an ``X12Error``.

As ``test_x12_fuzz.py`` does for the 835: arbitrary text, arbitrary bytes decoded the way a file
reader would, documents built from 277 segments, and mutations of the 277 fixtures (a segment
deleted, duplicated or swapped, a character changed, the file cut short, a delimiter inserted, a
number changed) go to ``read_277``. Anything but reports or an ``X12Error`` is a bug, and no refusal
may show the patient data the input holds.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from collector_tui.domain.x12.claim_status import ClaimStatusReport, read_277
from collector_tui.domain.x12.envelope import X12Error
from tests.domain.test_x12_fuzz import WHOLE_INTERCHANGES, _mutation, _recount, _segments, check_refusal

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "x12" / "claim_status"
FIXTURE_NAMES = tuple(sorted(path.name for path in FIXTURES.glob("*.277")))
TEXTS = {name: (FIXTURES / name).read_text(encoding="utf-8") for name in FIXTURE_NAMES}
ACKNOWLEDGMENT = TEXTS["acknowledgment.277"]
ISA = ACKNOWLEDGMENT[:106]
PATIENT_DATA = ("SAMPLE*PATIENT", "SAMPLE|PATIENT", "EXAMPLE*PERSON", "EXAMPLE|PERSON", "M000111", "M000222")


def read_or_refuse(text: str) -> tuple[ClaimStatusReport, ...] | X12Error:
    try:
        reports = read_277(text)
    except X12Error as error:  # any other exception fails the test
        check_refusal(error)
        message = str(error)
        assert not any(data in message for data in PATIENT_DATA), message
        return error
    assert isinstance(reports, tuple)
    assert all(isinstance(report, ClaimStatusReport) for report in reports)
    return reports


@settings(max_examples=300, deadline=None)
@given(text=st.text())
@example(text="")
@example(text="\ufeff")
@example(text=ISA)
@example(text=ISA + "GS")
def test_arbitrary_text_is_reports_or_a_refusal(text: str) -> None:
    read_or_refuse(text)


@settings(max_examples=200, deadline=None)
@given(data=st.binary())
def test_arbitrary_bytes_are_reports_or_a_refusal(data: bytes) -> None:
    read_or_refuse(data.decode("utf-8", errors="replace"))


@settings(max_examples=300, deadline=None)
@given(
    rest=st.text(alphabet=st.sampled_from("*~:^|GSTEIAHLNRC0123456789.-\n") | st.characters(), max_size=200)
)
def test_arbitrary_text_after_a_valid_isa_is_reports_or_a_refusal(rest: str) -> None:
    read_or_refuse(ISA + rest)


# Documents built from 277 segments: mostly well formed, now and then an element that is not.
_junk = st.one_of(
    st.sampled_from(["", "-", ".", "1.234", "1e3", "9" * 19, "\u0663", "20241332", "a2", "A", "::", "X" * 5]),
    st.text(alphabet="AF12:^ 0-.", max_size=6),
)


def _or_junk(good: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    return st.integers(0, 9).flatmap(lambda n: _junk if n == 9 else good)


_dates = _or_junk(st.dates().map(lambda d: f"{d.year:04d}{d.month:02d}{d.day:02d}"))
_amounts = _or_junk(st.integers(0, 10**6).map(lambda cents: f"{cents / 100:.2f}"))
_composites = _or_junk(
    st.sampled_from(["A1:19:PR", "A2:20", "A7:21:85", "F1:65", "F2:1:PR", "P1:20", "R4:1"])
)
_levels = _or_junk(st.sampled_from(["20", "21", "19", "22", "23", "PT"]))
_phi = st.from_regex(r"Zz[a-z]{3,8}", fullmatch=True)


@st.composite
def _document(draw: st.DrawFn) -> tuple[str, list[str]]:
    body: list[list[str]] = [["BHT", "0085", "08", "X", draw(_dates)]]
    phi: list[str] = []
    ids: list[str] = []
    for n in range(1, draw(st.integers(0, 8)) + 1):
        parent = draw(st.sampled_from(["", *ids])) if draw(st.integers(0, 4)) else str(n + 1)
        body.append(["HL", str(n), parent, draw(_levels)])
        ids.append(str(n))
        if draw(st.booleans()):
            entity = draw(st.sampled_from(["PR", "QC", "IL", "41"]))
            body.append(["NM1", entity, "1", draw(_phi), "", "", "", "", "MI"])
            if entity in ("QC", "IL"):  # a patient's or a subscriber's name; a payer's is no PHI
                phi.append(body[-1][3])
        for _ in range(draw(st.integers(0, 2))):
            body.append(["TRN", draw(st.sampled_from(["1", "2"])), draw(_or_junk(st.just("PCN1")))])
            for _ in range(draw(st.integers(0, 2))):
                body.append(
                    [
                        "STC",
                        draw(_composites),
                        draw(_dates),
                        "WQ",
                        draw(_amounts),
                        "",
                        "",
                        "",
                        "",
                        "",
                        draw(_composites),
                    ]
                )
            if draw(st.booleans()):
                body.append(["REF", draw(st.sampled_from(["1K", "EJ"])), draw(_or_junk(st.just("ICN1")))])
            if draw(st.booleans()):
                form = draw(st.sampled_from(["D8", "RD8", "XX"]))
                body.append(
                    ["DTP", "472", form, draw(_dates) + ("-" + draw(_dates) if form == "RD8" else "")]
                )
            if draw(st.integers(0, 3)) == 0:
                body.append(["SVC", "HC:99213", draw(_amounts)])
    if draw(st.integers(0, 3)) == 3 and len(body) > 1:
        i, j = draw(st.integers(0, len(body) - 1)), draw(st.integers(0, len(body) - 1))
        body.insert(j, body.pop(i) if draw(st.booleans()) else body[i])
    guide = draw(st.sampled_from(["005010X212", "005010X214"]))
    segments = [
        ISA[:-1].split("*"),
        ["GS", "HN", "SENDER", "RECEIVER", "20261120", "1200", "101", "X", guide],
        ["ST", "277", "0001", guide],
        *body,
        ["SE", str(len(body) + 2), "0001"],
        ["GE", "1", "101"],
        ["IEA", "1", "000000101"],
    ]
    return "".join("*".join(segment) + "~\n" for segment in segments), phi


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(document=_document())
def test_documents_of_277_segments_are_reports_or_a_refusal_that_shows_no_patient(
    document: tuple[str, list[str]],
) -> None:
    text, phi = document
    outcome = read_or_refuse(text)
    if isinstance(outcome, X12Error):
        assert not any(name in str(outcome) for name in phi), outcome
    else:  # the patient's name is never kept
        assert not any(name in repr(outcome) for name in phi), outcome


@st.composite
def _mutated_fixture(draw: st.DrawFn) -> str:
    text = TEXTS[draw(st.sampled_from(FIXTURE_NAMES))]
    for _ in range(draw(st.integers(1, 3))):
        text = draw(_mutation(text))
    return _recount(text) if draw(st.booleans()) else text


@settings(max_examples=500, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(text=_mutated_fixture())
@example(text=ACKNOWLEDGMENT.replace("SE*35*", "SE*" + "3" * 5000 + "*"))
def test_mutated_fixtures_are_reports_or_a_refusal(text: str) -> None:
    read_or_refuse(text)


@pytest.mark.parametrize("name", FIXTURE_NAMES)
def test_every_fixture_cut_short_anywhere_is_refused(name: str) -> None:
    text = TEXTS[name]
    for end in range(len(text)):
        outcome = read_or_refuse(text[:end])
        if not WHOLE_INTERCHANGES.search(text[:end]):
            assert isinstance(outcome, X12Error), end


@pytest.mark.parametrize("name", FIXTURE_NAMES)
def test_every_segment_of_every_fixture_deleted_or_duplicated(name: str) -> None:
    segments = _segments(TEXTS[name])
    for i in range(len(segments)):
        for changed in (segments[:i] + segments[i + 1 :], segments[: i + 1] + segments[i:]):
            read_or_refuse("".join(changed))
