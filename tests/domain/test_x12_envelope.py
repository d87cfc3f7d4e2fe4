"""collector_tui.domain.x12.envelope: delimiters from the ISA, segments, envelopes and their checks."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import pytest

from collector_tui.domain.x12.envelope import (
    Delimiters,
    UnsupportedVersionError,
    X12Error,
    read_delimiters,
    read_interchanges,
    split_segments,
    transaction_sets,
)

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "x12"
VERSION = "005010X221A1"
DEFAULT = Delimiters()
# What the fixtures hold about patients: no refusal may ever show it.
PATIENT_DATA = ("SAMPLE*PATIENT", "PATIENT", "SUBJECT", "M000111", "M000222", "M000333")


def fixture(name: str) -> str:
    return (FIXTURES / name).read_text(encoding="utf-8")


def isa(delimiters: Delimiters, control: str = "000000001") -> list[str]:
    fields = ["00", " " * 10, "00", " " * 10, "ZZ", "SENDER".ljust(15), "ZZ", "RECEIVER".ljust(15)]
    fields += ["240119", "1200", delimiters.repetition, "00501", control, "0", "T", delimiters.component]
    return ["ISA", *fields]


def write(segments: Sequence[Sequence[str]], delimiters: Delimiters, newline: str = "") -> str:
    return "".join(delimiters.element.join(s) + delimiters.segment + newline for s in segments)


def envelope(body: Sequence[Sequence[str]], delimiters: Delimiters = DEFAULT, newline: str = "") -> str:
    """One interchange, one group, one 835 around ``body``, with every count and control right."""
    segments = [
        isa(delimiters),
        ["GS", "HP", "SENDER", "RECEIVER", "20240119", "1200", "7", "X", VERSION],
        ["ST", "835", "0001", VERSION],
        *body,
        ["SE", str(len(body) + 2), "0001"],
        ["GE", "1", "7"],
        ["IEA", "1", "000000001"],
    ]
    return write(segments, delimiters, newline)


def refusal(text: str) -> X12Error:
    with pytest.raises(X12Error) as caught:
        read_interchanges(text, transaction_set="835", version=VERSION)
    message = str(caught.value)
    assert not any(data in message for data in PATIENT_DATA), message
    return caught.value


def position_of(text: str, start: str) -> int:
    """The number (from 1) of the fixture line that starts with ``start``: one segment per line."""
    return next(n for n, line in enumerate(text.splitlines(), start=1) if line.startswith(start))


# Delimiters -----------------------------------------------------------------------------------------


def test_the_default_delimiters_come_from_the_isa() -> None:
    assert read_delimiters(fixture("balanced.835")) == Delimiters("*", "^", ":", "~")


@pytest.mark.parametrize(
    "delimiters",
    [
        Delimiters("|", "{", "^", "~"),
        Delimiters("*", "^", ":", "~"),
        Delimiters("^", "!", ">", "'"),
        Delimiters("*", "^", ":", "\n"),
    ],
)
@pytest.mark.parametrize("newline", ["", "\n", "\r\n"])
def test_any_delimiters_the_isa_declares_are_used(delimiters: Delimiters, newline: str) -> None:
    if delimiters.segment == "\n" and newline:
        newline = ""
    body = [["BPR", "C", "1.00", "C", "CHK"], ["SVC", f"HC{delimiters.component}99213", "1.00", "1.00"]]
    text = envelope(body, delimiters, newline)
    assert read_delimiters(text) == delimiters
    (transaction,) = transaction_sets(read_interchanges(text))
    assert [s.tag for s in transaction.segments] == ["BPR", "SVC"]
    assert transaction.segments[1].composite(1) == ("HC", "99213")
    assert transaction.segments[0].element(4) == "CHK"
    assert transaction.segments[0].element(5) == ""  # past the end: empty, not an error


def test_a_bom_newlines_and_indentation_between_segments_are_skipped() -> None:
    plain = envelope([["BPR", "C", "1.00", "C", "CHK"]])
    indented = "\ufeff" + plain.replace("~", "~\r\n    ")
    assert [s.tag for s in split_segments(indented)] == [s.tag for s in split_segments(plain)]
    assert read_interchanges(indented) == read_interchanges(plain)


def test_the_fixture_with_pipes_a_bom_and_no_newlines() -> None:
    text = fixture("pipes_no_newlines.835")
    assert text.startswith("\ufeff") and "\n" not in text
    (interchange,) = read_interchanges(text, transaction_set="835", version=VERSION)
    assert interchange.delimiters == Delimiters("|", "{", "^", "~")
    (transaction,) = transaction_sets([interchange])
    assert read_interchanges(fixture("balanced.835"))[0].groups[0].transactions[0].segments[16].composite(
        1
    ) == transaction.segments[16].composite(1)


def test_an_isa_that_is_not_fixed_width_is_refused() -> None:
    text = envelope([["BPR", "C", "1.00", "C", "CHK"]]).replace("SENDER         ", "SENDER", 1)
    error = refusal(text)
    assert error.position == 1


def test_an_isa_field_of_the_wrong_width_is_named() -> None:
    text = envelope([["BPR", "C", "1.00", "C", "CHK"]])
    text = text.replace("*240119*1200*", "*2401190*120*", 1)
    error = refusal(text)
    assert (error.position, error.element) == (1, "ISA09")


def test_delimiters_that_collide_are_refused() -> None:
    with pytest.raises(X12Error, match="must differ") as caught:
        read_interchanges(envelope([["BPR"]], Delimiters("*", "^", "^", "~")))
    assert caught.value.element == "ISA16"


def test_a_file_that_does_not_start_with_isa_is_refused() -> None:
    error = refusal("GS*HP~")
    assert error.position == 1
    assert "ISA" in str(error)


def test_a_last_segment_without_terminator_is_refused() -> None:
    text = envelope([["BPR", "C", "1.00", "C", "CHK"]]).removesuffix("~")
    error = refusal(text)
    assert error.position == 7  # ISA GS ST BPR SE GE, then the IEA
    assert "terminator" in str(error)


# Envelopes ------------------------------------------------------------------------------------------


def test_the_balanced_fixture_has_one_of_each_envelope() -> None:
    (interchange,) = read_interchanges(fixture("balanced.835"), transaction_set="835", version=VERSION)
    assert (interchange.sender_id, interchange.receiver_id) == ("SAMPLEPAYER", "SAMPLECLINIC")
    assert (interchange.control_number, interchange.usage, interchange.position) == ("000000001", "T", 1)
    (group,) = interchange.groups
    assert (group.functional_id, group.control_number, group.version, group.position) == (
        "HP",
        "1",
        VERSION,
        2,
    )
    (transaction,) = group.transactions
    assert (transaction.code, transaction.control_number, transaction.version) == ("835", "0001", VERSION)
    assert transaction.position == 3
    assert transaction.segments[0].tag == "BPR" and transaction.segments[0].position == 4
    assert len(transaction.segments) == 31  # SE01 33 counts ST and SE too


def test_several_interchanges_each_with_its_own_delimiters() -> None:
    interchanges = read_interchanges(fixture("two_interchanges.835"), transaction_set="835", version=VERSION)
    assert [i.delimiters.element for i in interchanges] == ["*", "|"]
    assert [i.control_number for i in interchanges] == ["000000001", "000000002"]
    assert [len(i.groups[0].transactions) for i in interchanges] == [1, 2]
    transactions = list(transaction_sets(interchanges))
    assert [t.control_number for t in transactions] == ["0001", "0001", "0002"]
    assert [t.position for t in transactions] == [3, 40, 73]  # numbered across the whole file
    assert transactions[2].segments[16].composite(1) == ("HC", "99213")


@pytest.mark.parametrize(
    ("old", "new", "line", "element"),
    [
        ("IEA*1*000000001~", "IEA*1*000000009~", "IEA", "IEA02"),
        ("GE*1*1~", "GE*1*2~", "GE", "GE02"),
        ("SE*33*0001~", "SE*33*0002~", "SE", "SE02"),
    ],
)
def test_a_control_number_that_does_not_match_is_refused(old: str, new: str, line: str, element: str) -> None:
    text = fixture("balanced.835")
    error = refusal(text.replace(old, new))
    assert (error.position, error.element) == (position_of(text, line), element)
    assert "control number" in str(error)


@pytest.mark.parametrize(
    ("old", "new", "line", "element", "words"),
    [
        (
            "SE*33*0001~",
            "SE*32*0001~",
            "SE",
            "SE01",
            "says 32 segments from ST to SE inclusive, there are 33",
        ),
        ("SE*33*0001~", "SE*3X*0001~", "SE", "SE01", "not a number"),
        ("GE*1*1~", "GE*2*1~", "GE", "GE01", "says 2 transaction sets (ST) in the group, there are 1"),
        ("IEA*1*000000001~", "IEA*0*000000001~", "IEA", "IEA01", "says 0 functional groups"),
    ],
)
def test_a_count_that_is_wrong_is_refused(old: str, new: str, line: str, element: str, words: str) -> None:
    text = fixture("balanced.835")
    error = refusal(text.replace(old, new))
    assert (error.position, error.element) == (position_of(text, line), element)
    assert words in str(error)


def test_the_group_count_covers_every_transaction_set() -> None:
    text = fixture("two_interchanges.835").replace("GE|2|2~", "GE|1|2~")
    error = refusal(text)
    assert error.element == "GE01"
    assert "there are 2" in str(error)


def test_a_missing_se_is_refused_at_the_segment_found_instead() -> None:
    text = fixture("balanced.835")
    error = refusal(text.replace("SE*33*0001~\n", ""))
    assert error.position == position_of(text, "SE")  # GE moved up into the SE's place
    assert "expected SE" in str(error) and "found GE" in str(error)


def test_a_file_cut_off_before_iea_is_refused() -> None:
    text = fixture("balanced.835")
    error = refusal(text.replace("IEA*1*000000001~\n", ""))
    assert error.position == position_of(text, "GE")
    assert "without IEA" in str(error)


def test_a_4010_file_is_refused_clearly() -> None:
    with pytest.raises(UnsupportedVersionError) as caught:
        read_interchanges(fixture("version_4010.835"), transaction_set="835", version=VERSION)
    error = caught.value
    assert (error.position, error.element) == (2, "GS08")
    assert "004010X091A1" in str(error) and "4010" in str(error) and VERSION in str(error)


def test_an_st03_of_another_guide_is_refused() -> None:
    text = fixture("balanced.835").replace("ST*835*0001*005010X221A1~", "ST*835*0001*005010X221~")
    with pytest.raises(UnsupportedVersionError) as caught:
        read_interchanges(text, transaction_set="835", version=VERSION)
    assert (caught.value.position, caught.value.element) == (3, "ST03")


def test_an_st_without_version_is_refused_when_a_version_is_required() -> None:
    text = fixture("balanced.835").replace("ST*835*0001*005010X221A1~", "ST*835*0001~")
    with pytest.raises(UnsupportedVersionError, match="no ST03") as caught:
        read_interchanges(text, transaction_set="835", version=VERSION)
    assert caught.value.element == "ST03"


def test_another_transaction_set_is_refused() -> None:
    text = fixture("balanced.835").replace("ST*835*", "ST*837*")
    error = refusal(text)
    assert (error.position, error.element) == (3, "ST01")


def test_without_expectations_any_version_is_read() -> None:
    (interchange,) = read_interchanges(fixture("version_4010.835"))
    assert interchange.groups[0].version == "004010X091A1"
    assert interchange.groups[0].transactions[0].version == ""


def test_an_empty_file_is_refused() -> None:
    with pytest.raises(X12Error, match="no X12"):
        read_interchanges("\ufeff \n")


def test_the_error_names_where_and_what() -> None:
    error = X12Error("wrong", position=12, element="SE01")
    assert str(error) == "segment 12, SE01: wrong"
    assert str(X12Error("wrong")) == "wrong"
