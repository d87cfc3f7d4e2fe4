"""Activity records: contacts logged by an outside dialer or another system."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime
from typing import NamedTuple

from collector_tui.domain.dispositions import Disposition
from collector_tui.domain.fields import FieldError, RowFormat, RowReader
from collector_tui.domain.phones import normalize_phone
from collector_tui.vocabulary import Channel, Direction, Party

# What an outside system may log (system lines are the workstation's own).
CHANNELS = tuple(c.value for c in Channel if c is not Channel.SYSTEM)
DIRECTIONS = Direction.codes()
# Who a contact with the consumer reached: a call to an insurer is a denial item's (payer call).
PARTIES = tuple(code for code in Party.codes() if code != Party.INSURER)
ACTIVITY_COLUMNS: tuple[str, ...] = (
    "activity_id",
    "facility_code",
    "account_number",
    "occurred_at",
    "channel",
    "direction",
    "phone",
    "party",
    "result_code",
    "note",
    "collector_login",
)


class ActivityRecord(NamedTuple):
    external_id: str
    facility_code: str
    account_number: str
    occurred_at: datetime
    channel: str
    direction: str
    phone_number: str | None  # E.164 when valid
    party: str | None
    result_code: str
    counts_as_attempt: bool
    counts_as_conversation: bool
    note: str | None
    collector_login: str | None

    @property
    def key(self) -> str:
        return self.external_id


def parse_activity_row(
    row: Mapping[str, str | None],
    *,
    today: date,
    dispositions: Mapping[str, Disposition],
    fmt: RowFormat | None = None,
) -> ActivityRecord | list[FieldError]:
    """Validate one row; ``today`` is the current UTC date (timestamps are compared in UTC);
    ``dispositions`` are the policy's codes."""
    reader = RowReader(row, today, fmt or RowFormat())
    external_id = reader.text("activity_id", required=True, max_length=64)
    facility = reader.text("facility_code", required=True, max_length=32)
    account = reader.text("account_number", required=True, max_length=40)
    occurred_at = reader.timestamp("occurred_at", required=True)
    channel = reader.choice("channel", CHANNELS, default="call") or "call"
    direction = reader.choice("direction", DIRECTIONS, default="out") or "out"
    party = reader.choice("party", PARTIES, default="none")
    code = reader.text("result_code", required=True, max_length=24)
    known = dispositions.get(code.upper()) if code else None
    if code and known is None:
        reader.fail("result_code", "not a known disposition code")
    raw_phone = reader.raw("phone")
    phone = normalize_phone(raw_phone) if raw_phone else None
    if channel == Channel.CALL and (phone is None or not phone.valid):
        reader.fail("phone", "a call needs a valid phone number")
    if occurred_at is not None and occurred_at.date() > today:
        reader.fail("occurred_at", "is in the future")
    note = reader.text("note", max_length=4000)
    login = reader.text("collector_login", max_length=64)
    if reader.errors or known is None:
        return reader.errors
    assert external_id and facility and account and occurred_at and code
    is_call = channel in (Channel.CALL, Channel.VOICEMAIL)
    return ActivityRecord(
        external_id=external_id,
        facility_code=facility,
        account_number=account,
        occurred_at=occurred_at,
        channel=channel,
        direction=direction,
        phone_number=phone.number if phone else None,
        party=party if party != "none" else None,
        result_code=known.code,
        counts_as_attempt=is_call and direction == "out" and known.attempt,
        counts_as_conversation=is_call and known.conversation,
        note=note,
        collector_login=login,
    )
