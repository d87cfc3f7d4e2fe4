"""The 835 reader never crashes: any input is remittances or an ``X12Error`` (issue 18).

Arbitrary text, arbitrary bytes decoded the way a file reader would (UTF-8, ``errors="replace"``),
documents built from 835 segments, and mutations of the fixtures (a segment deleted, duplicated or
swapped, a character changed, the file cut short, a delimiter inserted, a number changed) are given
to ``read_835``. Anything but remittances or an ``X12Error`` (``UnsupportedVersionError`` is one) is
a bug: an IndexError, KeyError, a ValueError of another kind, AttributeError, RecursionError ...
No refusal may show the patient data the input holds.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from collector_tui.domain.x12.envelope import X12Error, read_delimiters
from collector_tui.domain.x12.remittance import Remittance, balance_problems, read_835

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "x12"
FIXTURE_NAMES = tuple(sorted(path.name for path in FIXTURES.glob("*.835")))
TEXTS = {name: (FIXTURES / name).read_text(encoding="utf-8") for name in FIXTURE_NAMES}
BALANCED = TEXTS["balanced.835"]
# What the fixtures hold about patients (NM103, NM104, NM109): no refusal may ever show it.
PATIENT_DATA = (
    "SAMPLE*PATIENT",
    "SAMPLE|PATIENT",
    "PATIENT",
    "EXAMPLE*PERSON",
    "EXAMPLE|PERSON",
    "PERSON",
    "SUBJECT",
    "M000111",
    "M000222",
    "M000333",
)
DELIMITER_CHARACTERS = "*|^:{~\n\r "
ELEMENT_NAME = re.compile(r"[A-Z0-9]{2,3}[0-9]{2}")
_NUMBER = re.compile(r"-?[0-9]+(?:\.[0-9]+)?")
WHOLE_INTERCHANGES = re.compile(r"IEA[|*][0-9]+[|*][0-9]+~\s*\Z")


def read_or_refuse(text: str) -> tuple[Remittance, ...] | X12Error:
    """``read_835(text)``: remittances that can be balanced, or a refusal that says where."""
    try:
        remittances = read_835(text)
    except X12Error as error:  # any other exception fails the test
        check_refusal(error)
        return error
    assert isinstance(remittances, tuple)
    for remittance in remittances:
        assert isinstance(remittance, Remittance)
        balance_problems(remittance)  # a remittance that was read can always be balanced
    return remittances


def check_refusal(error: X12Error) -> None:
    """A problem, and where: ``segment 35, SE01: ...``."""
    assert error.problem and isinstance(error.problem, str)
    if error.position is not None:
        assert error.position >= 1
        assert str(error).startswith(f"segment {error.position}")
    if error.element is not None:
        assert ELEMENT_NAME.fullmatch(error.element), error.element


def assert_no_patient_data(outcome: tuple[Remittance, ...] | X12Error, *phi: str) -> None:
    if isinstance(outcome, X12Error):
        message = str(outcome)
        assert not any(data in message for data in (*PATIENT_DATA, *phi)), message


# (a) Arbitrary input -------------------------------------------------------------------------------

ISA = BALANCED[:106]  # a valid ISA with its terminator: the reader gets past it to what follows


@settings(max_examples=300, deadline=None)
@given(text=st.text())
@example(text="")
@example(text="\ufeff")
@example(text="ISA")
@example(text=ISA)
@example(text=ISA + "GS")
@example(text=ISA + "IEA*1*000000001~")
def test_arbitrary_text_is_records_or_a_refusal(text: str) -> None:
    read_or_refuse(text)


@settings(max_examples=300, deadline=None)
@given(data=st.binary())
@example(data=b"\xff\xfe")
@example(data=b"\xef\xbb\xbf" + ISA.encode() + b"\xc3(")
def test_arbitrary_bytes_decoded_as_a_file_reader_would_are_records_or_a_refusal(data: bytes) -> None:
    read_or_refuse(data.decode("utf-8", errors="replace"))


@settings(max_examples=300, deadline=None)
@given(rest=st.text(alphabet=st.sampled_from("*~:^|GSTEIAN0123456789.-\n") | st.characters(), max_size=200))
def test_arbitrary_text_after_a_valid_isa_is_records_or_a_refusal(rest: str) -> None:
    read_or_refuse(ISA + rest)


# Documents built from 835 segments: mostly well formed, now and then an element that is not.
_junk = st.one_of(
    st.sampled_from(["", "-", ".", "1.", "1.234", "1e3", "9" * 19, "\u0663", "00000000", "20241332", "X"]),
    st.text(alphabet="ABC:^ 019.-", max_size=6),
)


def _or_junk(good: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    """``good`` nine times in ten."""
    return st.integers(0, 9).flatmap(lambda n: _junk if n == 9 else good)  # shrinks to good


_amounts = _or_junk(st.integers(-(10**6), 10**6).map(lambda cents: f"{cents / 100:.2f}"))
_dates = _or_junk(st.dates().map(lambda d: f"{d.year:04d}{d.month:02d}{d.day:02d}"))
_quantities = _or_junk(st.sampled_from(["", "1", "2.5", ".5", "-1"]))
_methods = _or_junk(st.sampled_from(["ACH", "CHK", "NON"]))
_groups = _or_junk(st.sampled_from(["CO", "PR", "OA"]))
_reasons = _or_junk(st.sampled_from(["45", "1", "2", "197", "253"]))
_procedures = _or_junk(st.sampled_from(["HC:99213", "HC:85025:QW", "NU:0450", "HC"]))
_statuses = _or_junk(st.sampled_from(["1", "2", "4", "22"]))
# Patient data: "Zz" starts no tag, code or word of a message.
_phi = st.from_regex(r"Zz[a-z]{3,8}", fullmatch=True)


@st.composite
def _adjustment(draw: st.DrawFn) -> list[str]:
    triplets = draw(st.lists(st.tuples(_reasons, _amounts, _quantities), min_size=1, max_size=7))
    return ["CAS", draw(_groups), *(element for triplet in triplets for element in triplet)]


@st.composite
def _claim(draw: st.DrawFn) -> list[list[str]]:
    clp = ["CLP", draw(_or_junk(st.just("PCN1"))), draw(_statuses), draw(_amounts), draw(_amounts)]
    clp += [draw(_amounts), "12", "ICN1"]
    segments = [clp, *draw(st.lists(_adjustment(), max_size=2))]
    if draw(st.booleans()):
        segments.append(["NM1", "QC", "1", draw(_phi), draw(_phi), "", "", "", "MI", draw(_phi)])
    segments += [["DTM", "232", draw(_dates)] for _ in range(draw(st.integers(0, 2)))]
    for _ in range(draw(st.integers(0, 3))):
        segments.append(["SVC", draw(_procedures), draw(_amounts), draw(_amounts), "", draw(_quantities)])
        segments += [["DTM", "472", draw(_dates)] for _ in range(draw(st.integers(0, 1)))]
        segments += draw(st.lists(_adjustment(), max_size=2))
    return segments


@st.composite
def _document(draw: st.DrawFn) -> tuple[str, list[str]]:
    """A whole 835 and the patient data it holds."""
    body = [
        [
            "BPR",
            "C",
            draw(_amounts),
            draw(_or_junk(st.just("C"))),
            draw(_methods),
            *([""] * 11),
            draw(_dates),
        ],
        ["TRN", "1", draw(_or_junk(st.just("EFT1"))), "1512345678"],
        ["DTM", "405", draw(_dates)],
        ["N1", "PR", "PAYER"],
        ["REF", "2U", "PAYER01"],
        ["N1", "PE", "CLINIC", "XX", "1999999984"],
        ["LX", "1"],
    ]
    for claim in draw(st.lists(_claim(), max_size=4)):
        body += claim
    for _ in range(draw(st.integers(0, 2))):
        pairs = draw(st.lists(st.tuples(_or_junk(st.just("WO:ICN9")), _amounts), min_size=1, max_size=7))
        body.append(["PLB", "1999999984", draw(_dates), *(element for pair in pairs for element in pair)])
    # Now and then a segment dropped, repeated or moved: the segments out of place.
    if draw(st.integers(0, 3)) == 3:
        i, j = draw(st.integers(0, len(body) - 1)), draw(st.integers(0, len(body) - 1))
        body.insert(j, body.pop(i) if draw(st.booleans()) else body[i])
    count = draw(st.integers(0, 40)) if draw(st.integers(0, 9)) == 9 else len(body) + 2
    segments = [
        ISA[:-1].split("*"),
        ["GS", "HP", "SENDER", "RECEIVER", "20240119", "1200", "1", "X", "005010X221A1"],
        ["ST", "835", "0001", "005010X221A1"],
        *body,
        ["SE", str(count), "0001"],
        ["GE", "1", "1"],
        ["IEA", "1", "000000001"],
    ]
    phi = [
        element for segment in body if segment[0] == "NM1" for element in (segment[3], segment[4], segment[9])
    ]
    return "".join("*".join(segment) + "~\n" for segment in segments), phi


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(document=_document())
def test_documents_of_835_segments_are_records_or_a_refusal_that_shows_no_patient(
    document: tuple[str, list[str]],
) -> None:
    text, phi = document
    assert_no_patient_data(read_or_refuse(text), *phi)


# (b) Mutations of the fixtures ---------------------------------------------------------------------


def _segments(text: str) -> list[str]:
    """``text`` split after each ``~`` (every fixture's terminator): joined again, the same text."""
    pieces = text.split("~")
    return [piece + "~" for piece in pieces[:-1]] + ([pieces[-1]] if pieces[-1] else [])


_numbers = st.one_of(
    st.integers(-(10**12), 10**12).map(str),
    st.decimals(allow_nan=False, allow_infinity=False, places=3).map(str),
    st.sampled_from(["", "0", "00", "-0", "1", "33", "999999999", "0001", "-", ".", "1.", "9" * 19]),
    st.builds(lambda digit, n: digit * n, st.sampled_from("0123456789"), st.integers(1, 6000)),
)


@st.composite
def _mutation(draw: st.DrawFn, text: str) -> str:
    kind = draw(
        st.sampled_from(["delete", "duplicate", "swap", "character", "truncate", "delimiter", "number"])
    )
    if kind in ("delete", "duplicate", "swap"):
        segments = _segments(text)
        if not segments:
            return text
        i = draw(st.integers(0, len(segments) - 1))
        if kind == "delete":
            del segments[i]
        elif kind == "duplicate":
            segments.insert(i, segments[i])
        else:
            j = draw(st.integers(0, len(segments) - 1))
            segments[i], segments[j] = segments[j], segments[i]
        return "".join(segments)
    if kind == "truncate":
        return text[: draw(st.integers(0, len(text)))]
    at = draw(st.integers(0, len(text)))
    if kind == "delimiter":
        return text[:at] + draw(st.sampled_from(DELIMITER_CHARACTERS)) + text[at:]
    if kind == "character":
        if not text:
            return text
        at = min(at, len(text) - 1)
        character = draw(st.sampled_from(DELIMITER_CHARACTERS + "0123456789AZaz.-") | st.characters())
        return text[:at] + character + text[at + 1 :]
    numbers = list(_NUMBER.finditer(text))
    if not numbers:
        return text
    match = draw(st.sampled_from(numbers))
    return text[: match.start()] + draw(_numbers) + text[match.end() :]


@st.composite
def _mutated_fixture(draw: st.DrawFn) -> str:
    text = TEXTS[draw(st.sampled_from(FIXTURE_NAMES))]
    for _ in range(draw(st.integers(1, 3))):
        text = draw(_mutation(text))
    return _recount(text) if draw(st.booleans()) else text


def _recount(text: str) -> str:
    """Every SE01 made right again (where ST and SE are still found), so the 835's own checks run."""
    segments = _segments(text)
    opened = None
    for i, segment in enumerate(segments):
        raw = segment.lstrip()
        tag, separator, rest = raw.partition(raw[2:3] or "*")
        if tag == "ST":
            opened = i
        elif tag == "SE" and opened is not None and separator in "*|":
            _, _, after = rest.partition(separator)
            lead = segment[: len(segment) - len(raw)]
            segments[i] = f"{lead}SE{separator}{i - opened + 1}{separator}{after}"
            opened = None
    return "".join(segments)


@settings(max_examples=500, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(text=_mutated_fixture())
# SE01 of 5000 digits: int() refused it with a ValueError (Python's limit on digits), not an X12Error.
@example(text=BALANCED.replace("SE*33*", "SE*" + "3" * 5000 + "*"))
@example(text=BALANCED.replace("GE*1*", "GE*" + "1" * 4301 + "*"))
@example(text=BALANCED.replace("IEA*1*", "IEA*" + "0" * 6000 + "1*"))
def test_mutated_fixtures_are_records_or_a_refusal_that_shows_no_patient(text: str) -> None:
    assert_no_patient_data(read_or_refuse(text))


def test_every_fixture_ends_its_segments_with_a_tilde() -> None:
    assert {read_delimiters(text.removeprefix("\ufeff")).segment for text in TEXTS.values()} == {"~"}


@pytest.mark.parametrize("name", FIXTURE_NAMES)
def test_every_fixture_cut_short_anywhere_is_refused_without_showing_the_patient(name: str) -> None:
    text = TEXTS[name]
    for end in range(len(text)):
        outcome = read_or_refuse(text[:end])
        if not WHOLE_INTERCHANGES.search(text[:end]):  # a file cut after an IEA is whole
            assert isinstance(outcome, X12Error), end
        assert_no_patient_data(outcome)


@pytest.mark.parametrize("name", FIXTURE_NAMES)
def test_every_segment_of_every_fixture_deleted_or_duplicated(name: str) -> None:
    segments = _segments(TEXTS[name])
    for i in range(len(segments)):
        for changed in (segments[:i] + segments[i + 1 :], segments[: i + 1] + segments[i:]):
            assert_no_patient_data(read_or_refuse("".join(changed)))


def test_a_count_too_long_to_be_one_is_a_refusal_naming_the_element() -> None:
    error = read_or_refuse(BALANCED.replace("SE*33*", "SE*" + "3" * 5000 + "*"))
    assert isinstance(error, X12Error)
    assert (error.position, error.element) == (35, "SE01")
    assert "3" * 11 not in str(error)
    # Leading zeros are no digits of the count: read as before, however many.
    assert isinstance(read_or_refuse(BALANCED.replace("SE*33*", "SE*" + "0" * 5000 + "33*")), tuple)
