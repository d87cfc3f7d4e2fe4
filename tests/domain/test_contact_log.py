"""collector_tui.domain.contact_log: activity rows from a dialer or another system."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from collector_tui.domain.contact_log import ACTIVITY_COLUMNS, ActivityRecord, parse_activity_row
from collector_tui.domain.fields import FieldError
from collector_tui.services.law.policy import load_workspace_policy

TODAY = date(2026, 11, 27)

DISPOSITIONS = load_workspace_policy().dispositions


def valid_row(**overrides: str) -> dict[str, str]:
    row = {
        "activity_id": "C-7001",
        "facility_code": "MERCY",
        "account_number": "A-100234",
        "occurred_at": "2026-11-20T15:30:00Z",
        "channel": "call",
        "direction": "out",
        "phone": "(614) 555-0142",
        "party": "guarantor",
        "result_code": "na",
        "note": "no answer, no voicemail",
        "collector_login": "jsmith",
    }
    row.update(overrides)
    return row


def parse_ok(row: dict[str, str]) -> ActivityRecord:
    result = parse_activity_row(row, today=TODAY, dispositions=DISPOSITIONS)
    assert isinstance(result, ActivityRecord), result
    return result


def error_fields(row: dict[str, str]) -> set[str]:
    result = parse_activity_row(row, today=TODAY, dispositions=DISPOSITIONS)
    assert isinstance(result, list), result
    assert result
    return {error.field for error in result}


def test_valid_outbound_no_answer_call() -> None:
    record = parse_ok(valid_row())
    assert record == ActivityRecord(
        external_id="C-7001",
        facility_code="MERCY",
        account_number="A-100234",
        occurred_at=datetime(2026, 11, 20, 15, 30, tzinfo=UTC),
        channel="call",
        direction="out",
        phone_number="+16145550142",
        party="guarantor",
        result_code="NA",
        counts_as_attempt=True,
        counts_as_conversation=False,
        note="no answer, no voicemail",
        collector_login="jsmith",
    )
    assert record.key == "C-7001"


def test_inbound_call_is_not_an_attempt() -> None:
    record = parse_ok(valid_row(direction="in", result_code="INBOUND"))
    assert record.counts_as_attempt is False
    assert record.counts_as_conversation is True
    assert record.result_code == "INBOUND"


def test_outbound_inbound_code_is_not_an_attempt() -> None:
    assert parse_ok(valid_row(result_code="inbound")).counts_as_attempt is False


def test_inbound_direction_is_not_an_attempt() -> None:
    assert parse_ok(valid_row(direction="in", result_code="NA")).counts_as_attempt is False


def test_right_party_contact_is_an_attempt_and_a_conversation() -> None:
    record = parse_ok(valid_row(result_code="rpc_ptp", party="patient"))
    assert record.counts_as_attempt is True
    assert record.counts_as_conversation is True
    assert record.party == "patient"


def test_voicemail_counts_as_an_attempt() -> None:
    record = parse_ok(valid_row(channel="voicemail", result_code="LMVM"))
    assert record.counts_as_attempt is True


def test_defaults_for_blank_channel_direction_and_party() -> None:
    record = parse_ok(valid_row(channel="", direction="", party="none", note="", collector_login=""))
    assert (record.channel, record.direction, record.party) == ("call", "out", None)
    assert record.note is None
    assert record.collector_login is None


def test_letter_needs_no_phone_and_is_no_attempt() -> None:
    record = parse_ok(valid_row(channel="letter", direction="out", phone="", result_code="LETTER"))
    assert record.phone_number is None
    assert record.counts_as_attempt is False
    assert record.counts_as_conversation is False


def test_note_with_an_outbound_attempt_code_is_not_a_call_attempt() -> None:
    record = parse_ok(valid_row(channel="note", phone="", result_code="NA"))
    assert record.counts_as_attempt is False


@pytest.mark.parametrize("result_code", ["ZZZ", "PTP", "no answer"])
def test_unknown_result_code_is_an_error(result_code: str) -> None:
    assert error_fields(valid_row(result_code=result_code)) == {"result_code"}


def test_missing_result_code_is_an_error() -> None:
    assert error_fields(valid_row(result_code="")) == {"result_code"}


@pytest.mark.parametrize("phone", ["", "12", "555-0142", "not a phone"])
def test_call_without_a_valid_phone_is_an_error(phone: str) -> None:
    assert error_fields(valid_row(phone=phone)) == {"phone"}


@pytest.mark.parametrize("occurred_at", ["2026-11-20T15:30:00", "2026-11-20 15:30:00", "2026-11-20", "now"])
def test_timestamp_without_offset_is_an_error(occurred_at: str) -> None:
    assert error_fields(valid_row(occurred_at=occurred_at)) == {"occurred_at"}


def test_future_activity_is_an_error() -> None:
    assert error_fields(valid_row(occurred_at="2026-12-01T15:30:00Z")) == {"occurred_at"}


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"activity_id": ""}, "activity_id"),
        ({"facility_code": ""}, "facility_code"),
        ({"account_number": ""}, "account_number"),
        ({"occurred_at": ""}, "occurred_at"),
        ({"channel": "fax"}, "channel"),
        ({"direction": "sideways"}, "direction"),
        ({"party": "neighbour"}, "party"),
        ({"note": "x" * 4001}, "note"),
    ],
)
def test_bad_field(overrides: dict[str, str], field: str) -> None:
    assert error_fields(valid_row(**overrides)) == {field}


@settings(deadline=None)
@given(st.dictionaries(st.sampled_from(ACTIVITY_COLUMNS), st.text()))
def test_parse_activity_row_never_raises(row: dict[str, str]) -> None:
    result = parse_activity_row(row, today=TODAY, dispositions=DISPOSITIONS)
    if not isinstance(result, ActivityRecord):
        assert result
        assert all(isinstance(error, FieldError) for error in result)
