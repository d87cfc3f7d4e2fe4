"""X12 interchanges: the delimiters an ISA segment declares, segments, and the envelopes around them.

An X12 file is one or more interchanges (ISA ... IEA), each holding functional groups (GS ... GE),
each holding transaction sets (ST ... SE). The ISA segment is fixed width (ISA01 to ISA16 take
105 characters), so it can be read before any delimiter is known: its 4th character is the element
separator, ISA11 the repetition separator, ISA16 the component separator, and the character after
ISA16 the segment terminator. Each interchange declares its own delimiters.

Pure: text in, frozen values out. Every refusal is an ``X12Error`` naming the segment's number in
the file (the first segment, ISA, is 1) and the element (``SE01``); messages show tags, counts,
control numbers and version codes, never an element that can hold patient data.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass

BOM = "\ufeff"
ISA_BODY_LENGTH = 105  # "ISA" and ISA01..ISA16 with their 16 separators; the terminator follows
# ISA01..ISA16: fixed widths (ISA11 is the repetition separator from version 00501 on).
ISA_WIDTHS = (2, 10, 2, 10, 2, 15, 2, 15, 6, 4, 1, 5, 9, 1, 1, 1)
_BETWEEN_SEGMENTS = " \t\r\n"
_ENVELOPE_TAGS = frozenset({"ISA", "IEA", "GS", "GE", "ST", "SE"})
MAX_COUNT_DIGITS = 10  # SE01 is at most 10 digits (GE01 6, IEA01 5)


class X12Error(ValueError):
    """An X12 file that cannot be read; ``position`` is the segment's number in the file."""

    def __init__(self, problem: str, *, position: int | None = None, element: str | None = None) -> None:
        self.problem = problem
        self.position = position
        self.element = element
        where = []
        if position is not None:
            where.append(f"segment {position}")
        if element is not None:
            where.append(element)
        super().__init__(f"{', '.join(where)}: {problem}" if where else problem)


class UnsupportedVersionError(X12Error):
    """A transaction of another implementation guide (for example the 4010 835, 004010X091A1)."""


@dataclass(frozen=True, slots=True)
class Delimiters:
    element: str = "*"
    repetition: str = "^"
    component: str = ":"
    segment: str = "~"


@dataclass(frozen=True, slots=True)
class Segment:
    """One segment: its tag, its elements (``element(1)`` is XX01) and its number in the file."""

    tag: str
    elements: tuple[str, ...]
    position: int
    delimiters: Delimiters

    def element(self, index: int) -> str:
        """Element ``index`` (1-based) as written; ``""`` when absent."""
        return self.elements[index - 1] if 0 < index <= len(self.elements) else ""

    def composite(self, index: int) -> tuple[str, ...]:
        """Element ``index`` split at the component separator; ``()`` when absent."""
        value = self.element(index)
        return tuple(value.split(self.delimiters.component)) if value else ()

    def name(self, index: int) -> str:
        """``SE01``: how errors name an element."""
        return f"{self.tag}{index:02d}"

    def error(self, index: int | None, problem: str) -> X12Error:
        return X12Error(problem, position=self.position, element=None if index is None else self.name(index))


@dataclass(frozen=True, slots=True)
class TransactionSet:
    """ST ... SE: ``segments`` are those between ST and SE; ``position`` is the ST's number."""

    code: str  # ST01, "835"
    control_number: str  # ST02
    version: str  # ST03, the implementation guide: "005010X221A1"
    segments: tuple[Segment, ...]
    position: int


@dataclass(frozen=True, slots=True)
class FunctionalGroup:
    functional_id: str  # GS01: "HP" for claim payment/advice
    sender: str  # GS02
    receiver: str  # GS03
    control_number: str  # GS06
    version: str  # GS08
    transactions: tuple[TransactionSet, ...]
    position: int


@dataclass(frozen=True, slots=True)
class Interchange:
    sender_qualifier: str  # ISA05
    sender_id: str  # ISA06, trailing padding removed
    receiver_qualifier: str  # ISA07
    receiver_id: str  # ISA08
    control_number: str  # ISA13
    usage: str  # ISA15: P production, T test
    delimiters: Delimiters
    groups: tuple[FunctionalGroup, ...]
    position: int


def read_delimiters(text: str, *, position: int = 1) -> Delimiters:
    """The delimiters declared by the ISA segment at the start of ``text``."""
    if not text.startswith("ISA"):
        raise X12Error("expected an ISA segment (the interchange header)", position=position)
    if len(text) <= ISA_BODY_LENGTH:
        raise X12Error(
            f"the ISA segment is cut short: it is {ISA_BODY_LENGTH + 1} characters with its terminator",
            position=position,
        )
    element = text[3]
    fields = text[4:ISA_BODY_LENGTH].split(element)
    if element.isalnum() or element.isspace() or len(fields) != len(ISA_WIDTHS):
        raise X12Error(
            "the ISA segment is not fixed width (16 elements in 105 characters): delimiters unknown",
            position=position,
        )
    for index, (value, width) in enumerate(zip(fields, ISA_WIDTHS, strict=True), start=1):
        if len(value) != width:
            raise X12Error(f"must be {width} characters wide", position=position, element=f"ISA{index:02d}")
    delimiters = Delimiters(
        element=element, repetition=fields[10], component=fields[15], segment=text[ISA_BODY_LENGTH]
    )
    chosen = (delimiters.element, delimiters.repetition, delimiters.component, delimiters.segment)
    if len(set(chosen)) != len(chosen):
        raise X12Error(
            "the element, repetition and component separators and the segment terminator must differ",
            position=position,
            element="ISA16",
        )
    if delimiters.component.isalnum() or delimiters.segment.isalnum():
        raise X12Error("a delimiter cannot be a letter or digit", position=position, element="ISA16")
    return delimiters


def split_segments(text: str) -> tuple[Segment, ...]:
    """Every segment of every interchange in ``text``, numbered from 1 across the whole file.

    A UTF-8 byte order mark, and whitespace (newlines, indentation) between segments, are skipped.
    Each interchange's delimiters are read from its own ISA.
    """
    text = text.removeprefix(BOM)
    segments: list[Segment] = []
    at = _skip_between(text, 0)
    while at < len(text):
        position = len(segments) + 1
        delimiters = read_delimiters(text[at:], position=position)
        isa_fields = text[at + 4 : at + ISA_BODY_LENGTH].split(delimiters.element)
        segments.append(Segment("ISA", tuple(isa_fields), position, delimiters))
        at = _skip_between(text, at + ISA_BODY_LENGTH + 1)
        while at < len(text):  # up to and including this interchange's IEA
            position = len(segments) + 1
            end = text.find(delimiters.segment, at)
            if end == -1:
                raise X12Error("the last segment has no segment terminator", position=position)
            segment = _segment(text[at:end].rstrip("\r\n"), position, delimiters)
            segments.append(segment)
            at = _skip_between(text, end + 1)
            if segment.tag == "IEA":
                break
    return tuple(segments)


def _skip_between(text: str, at: int) -> int:
    while at < len(text) and text[at] in _BETWEEN_SEGMENTS:
        at += 1
    return at


def _segment(raw: str, position: int, delimiters: Delimiters) -> Segment:
    tag, *elements = raw.split(delimiters.element)
    if not (2 <= len(tag) <= 3 and tag.isascii() and tag.isalnum() and tag.upper() == tag):
        raise X12Error("not a segment: its tag is not 2 or 3 capital letters and digits", position=position)
    return Segment(tag, tuple(elements), position, delimiters)


def read_interchanges(
    text: str, *, transaction_set: str | None = None, version: str | Sequence[str] | None = None
) -> tuple[Interchange, ...]:
    """Parse ``text`` into interchanges, checking every envelope's control numbers and counts.

    With ``transaction_set`` (``"835"``) every ST01 must be it; with ``version`` (``"005010X221A1"``)
    every GS08 and ST03 must be it, or the file is refused with ``UnsupportedVersionError``. One
    transaction set can have more than one guide (the 277 is 005010X212 or, as a claim
    acknowledgment, 005010X214): ``version`` is then a tuple, and each GS08 and ST03 must be one of them.
    """
    segments = split_segments(text)
    if not segments:
        raise X12Error("the file holds no X12 interchange")
    versions = (version,) if isinstance(version, str) else None if version is None else tuple(version)
    reader = _Reader(segments, transaction_set=transaction_set, versions=versions)
    interchanges = []
    while not reader.done():
        interchanges.append(reader.interchange())
    return tuple(interchanges)


def transaction_sets(interchanges: Sequence[Interchange]) -> Iterator[TransactionSet]:
    for interchange in interchanges:
        for group in interchange.groups:
            yield from group.transactions


class _Reader:
    """Walks the flat segment list, one envelope level per method."""

    def __init__(
        self, segments: Sequence[Segment], *, transaction_set: str | None, versions: tuple[str, ...] | None
    ):
        self._segments = segments
        self._at = 0
        self._transaction_set = transaction_set
        self._versions = versions

    def done(self) -> bool:
        return self._at >= len(self._segments)

    def _peek(self) -> Segment | None:
        return None if self.done() else self._segments[self._at]

    def _take(self, tag: str, what: str, opened: Segment) -> Segment:
        segment = self._peek()
        if segment is None:
            raise X12Error(
                f"the file ends without {tag} ({what}) for the {opened.tag} at segment {opened.position}",
                position=self._segments[-1].position,
            )
        if segment.tag != tag:
            raise X12Error(
                f"expected {tag} ({what}) for the {opened.tag} at segment {opened.position}, "
                f"found {segment.tag}",
                position=segment.position,
            )
        self._at += 1
        return segment

    def interchange(self) -> Interchange:
        isa = self._segments[self._at]
        if isa.tag != "ISA":
            raise X12Error(f"expected ISA (an interchange header), found {isa.tag}", position=isa.position)
        self._at += 1
        groups = []
        while (segment := self._peek()) is not None and segment.tag == "GS":
            groups.append(self.group())
        iea = self._take("IEA", "the interchange trailer", isa)
        _same_control(isa, 13, iea, 2)
        _count(iea, 1, len(groups), "functional groups (GS) in the interchange")
        return Interchange(
            sender_qualifier=isa.element(5),
            sender_id=isa.element(6).rstrip(),
            receiver_qualifier=isa.element(7),
            receiver_id=isa.element(8).rstrip(),
            control_number=isa.element(13),
            usage=isa.element(15),
            delimiters=isa.delimiters,
            groups=tuple(groups),
            position=isa.position,
        )

    def group(self) -> FunctionalGroup:
        gs = self._segments[self._at]
        self._at += 1
        if not gs.element(6):
            raise gs.error(6, "the group control number is missing")
        self._check_version(gs, 8)
        transactions = []
        while (segment := self._peek()) is not None and segment.tag == "ST":
            transactions.append(self.transaction())
        ge = self._take("GE", "the functional group trailer", gs)
        _same_control(gs, 6, ge, 2)
        _count(ge, 1, len(transactions), "transaction sets (ST) in the group")
        return FunctionalGroup(
            functional_id=gs.element(1),
            sender=gs.element(2),
            receiver=gs.element(3),
            control_number=gs.element(6),
            version=gs.element(8),
            transactions=tuple(transactions),
            position=gs.position,
        )

    def transaction(self) -> TransactionSet:
        st = self._segments[self._at]
        self._at += 1
        if self._transaction_set is not None and st.element(1) != self._transaction_set:
            raise st.error(1, f"transaction set {st.element(1) or '(none)'} is not {self._transaction_set}")
        if not st.element(2):
            raise st.error(2, "the transaction set control number is missing")
        self._check_version(st, 3)
        body = []
        while (segment := self._peek()) is not None and segment.tag not in _ENVELOPE_TAGS:
            body.append(segment)
            self._at += 1
        se = self._take("SE", "the transaction set trailer", st)
        _same_control(st, 2, se, 2)
        _count(se, 1, len(body) + 2, "segments from ST to SE inclusive")
        return TransactionSet(
            code=st.element(1),
            control_number=st.element(2),
            version=st.element(3),
            segments=tuple(body),
            position=st.position,
        )

    def _check_version(self, segment: Segment, index: int) -> None:
        if self._versions is None:
            return
        found = segment.element(index)
        if found in self._versions:
            return
        expected = " or ".join(self._versions)
        if not found:
            problem = f"no version is given; only {expected} can be read"
            if segment.tag == "ST":
                problem += " (a 4010 file has no ST03)"
        elif found.startswith("004010"):
            problem = (
                f"this is a 4010 file ({found}), the standard HIPAA replaced with 5010 in 2012; "
                f"only {expected} can be read: ask the payer for 5010 files"
            )
        else:
            only = "the only one" if len(self._versions) == 1 else "the only ones"
            problem = f"version {found} is not {expected}, {only} that can be read"
        raise UnsupportedVersionError(problem, position=segment.position, element=segment.name(index))


def _same_control(header: Segment, header_index: int, trailer: Segment, trailer_index: int) -> None:
    opened, closed = header.element(header_index), trailer.element(trailer_index)
    if opened != closed:
        raise trailer.error(
            trailer_index,
            f"control number {closed or '(none)'} does not match {header.name(header_index)} {opened} "
            f"(segment {header.position})",
        )


def _count(trailer: Segment, index: int, actual: int, what: str) -> None:
    written = trailer.element(index)
    if not (written.isascii() and written.isdigit()):
        raise trailer.error(index, f"the count of {what} is not a number")
    digits = written.lstrip("0") or "0"  # int() refuses more than 4300 digits, leading zeros too
    if len(digits) > MAX_COUNT_DIGITS:
        raise trailer.error(index, f"the count of {what} has more than {MAX_COUNT_DIGITS} digits")
    if int(digits) != actual:
        raise trailer.error(index, f"says {int(digits)} {what}, there are {actual}")
