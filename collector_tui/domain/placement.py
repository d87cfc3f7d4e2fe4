"""Placement records: the canonical columns, the validated record, and the row parser.

A placement row describes one account as the billing system sees it today.
:func:`parse_placement_row` turns a row of strings into a
:class:`PlacementRecord`, or into the list of everything wrong with it; it
never raises on bad text.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from datetime import date
from typing import NamedTuple

from collector_tui.domain.fields import FieldError, RowFormat, RowReader
from collector_tui.domain.geography import is_us_state, is_zip_code
from collector_tui.domain.phones import NormalizedPhone, normalize_phone

RECORD_NEW = "new"
RECORD_UPDATE = "update"
RECORD_RECALL = "recall"
RECORD_CLOSE = "close"
RECORD_TYPES = (RECORD_NEW, RECORD_UPDATE, RECORD_RECALL, RECORD_CLOSE)

EARLIEST_SERVICE = date(1990, 1, 1)
PHONE_SLOTS = 3
PHONE_TYPES = ("mobile", "home", "work", "other")
RELATIONSHIPS = ("self", "spouse", "child", "other")
FAP_STATUSES = ("none", "requested", "pending", "approved", "denied")
CLAIM_STATUSES = ("pending", "paid", "denied", "appealed")
LANGUAGES_MAX = 16

# The canonical columns, in file order. Documented in docs/import-formats.md.
PLACEMENT_COLUMNS: tuple[str, ...] = (
    "record_type",
    "facility_code",
    "facility_name",
    "account_number",
    "guarantor_id",
    "guarantor_first_name",
    "guarantor_last_name",
    "guarantor_dob",
    "guarantor_ssn_last4",
    "address1",
    "address2",
    "city",
    "state",
    "zip",
    "email",
    "language",
    *(f"phone{n}{suffix}" for n in range(1, PHONE_SLOTS + 1) for suffix in ("", "_type")),
    "patient_first_name",
    "patient_last_name",
    "patient_dob",
    "patient_relationship",
    "service_date_from",
    "service_date_to",
    "first_statement_date",
    "placed_date",
    "total_balance",
    "insurance_pending",
    "patient_responsibility",
    "charges",
    "claim_payer",
    "claim_number",
    "claim_status",
    "claim_billed",
    "claim_allowed",
    "claim_paid",
    "claim_patient_share",
    "claim_denial_codes",
    "claim_submitted_date",
    "claim_timely_filing_deadline",
    "claim_appeal_deadline",
    "dispute",
    "bankruptcy",
    "attorney",
    "deceased",
    "cease",
    "fap_status",
    "collector_login",
)
# Needed by every record type; the rest are needed for new and update records.
KEY_COLUMNS: tuple[str, ...] = ("record_type", "facility_code", "account_number")
REQUIRED_COLUMNS: tuple[str, ...] = (
    *KEY_COLUMNS,
    "guarantor_id",
    "guarantor_first_name",
    "guarantor_last_name",
    "placed_date",
    "total_balance",
)


class PhoneInput(NamedTuple):
    phone: NormalizedPhone
    phone_type: str


class ChargeInput(NamedTuple):
    line_number: int
    service_date: date
    procedure_code: str
    amount_cents: int


class DenialInput(NamedTuple):
    code_set: str  # CARC or RARC
    group_code: str | None
    code: str


class ClaimInput(NamedTuple):
    payer_name: str
    claim_number: str
    status: str
    billed_cents: int
    allowed_cents: int
    paid_cents: int
    patient_share_cents: int
    denials: tuple[DenialInput, ...]
    submitted_date: date | None
    timely_filing_deadline: date | None
    appeal_deadline: date | None


class GuarantorInput(NamedTuple):
    external_id: str
    first_name: str
    last_name: str
    date_of_birth: date | None
    ssn_last4: str | None
    address1: str | None
    address2: str | None
    city: str | None
    state: str | None
    zip_code: str | None
    email: str | None
    language: str
    deceased: bool
    bankruptcy: bool
    attorney_represented: bool
    cease_communication: bool


class PatientInput(NamedTuple):
    first_name: str
    last_name: str
    date_of_birth: date | None
    relationship: str


class PlacementRecord(NamedTuple):
    """One validated placement row. ``guarantor`` is None only for recall and close."""

    record_type: str
    facility_code: str
    facility_name: str | None
    account_number: str
    guarantor: GuarantorInput | None
    patient: PatientInput | None
    phones: tuple[PhoneInput, ...]
    service_date_from: date | None
    service_date_to: date | None
    first_statement_date: date | None
    placed_date: date | None
    total_balance_cents: int
    insurance_pending_cents: int
    patient_responsibility_cents: int
    charges: tuple[ChargeInput, ...]
    claim: ClaimInput | None
    dispute: bool
    fap_status: str
    collector_login: str | None
    # Fingerprint of everything above (see record_digest); set by the parser.
    digest: str = ""

    @property
    def key(self) -> tuple[str, str]:
        return (self.facility_code, self.account_number)


def missing_columns(header: tuple[str, ...] | list[str]) -> list[str]:
    """Required canonical columns absent from a file's header."""
    present = set(header)
    return [name for name in REQUIRED_COLUMNS if name not in present]


def unknown_columns(header: tuple[str, ...] | list[str]) -> list[str]:
    known = set(PLACEMENT_COLUMNS)
    return [name for name in header if name not in known]


def parse_placement_row(
    row: Mapping[str, str | None], *, today: date, fmt: RowFormat | None = None
) -> PlacementRecord | list[FieldError]:
    """Validate one row; return the record or every problem found in it."""
    reader = RowReader(row, today, fmt or RowFormat())
    record_type = reader.choice("record_type", RECORD_TYPES)
    facility_code = reader.text("facility_code", required=True, max_length=32)
    account_number = reader.text("account_number", required=True, max_length=40)
    if record_type in (RECORD_RECALL, RECORD_CLOSE):
        if reader.errors or facility_code is None or account_number is None:
            return reader.errors
        return _closing_record(record_type, facility_code, account_number)

    guarantor = _read_guarantor(reader)
    patient = _read_patient(reader, guarantor)
    phones = _read_phones(reader)
    service_from = reader.date("service_date_from", earliest=EARLIEST_SERVICE)
    service_to = reader.date("service_date_to", earliest=EARLIEST_SERVICE)
    if service_from and service_to and service_to < service_from:
        reader.fail("service_date_to", "is before service_date_from")
    first_statement = reader.date("first_statement_date", earliest=EARLIEST_SERVICE)
    placed = reader.date("placed_date", required=True, earliest=EARLIEST_SERVICE)
    total = reader.money("total_balance", required=True)
    insurance = reader.money("insurance_pending")
    patient_share = reader.money("patient_responsibility")
    total, insurance, patient_share = _reconcile_balances(reader, total, insurance, patient_share)
    charges = _read_charges(reader)
    claim = _read_claim(reader)
    dispute = reader.flag("dispute")
    fap_status = reader.choice("fap_status", FAP_STATUSES, default="none") or "none"
    collector_login = reader.text("collector_login", max_length=64)
    facility_name = reader.text("facility_name", max_length=200)

    if reader.errors or guarantor is None or facility_code is None or account_number is None:
        return reader.errors or [FieldError("row", "incomplete")]
    assert record_type is not None
    return with_digest(
        PlacementRecord(
            record_type=record_type,
            facility_code=facility_code,
            facility_name=facility_name,
            account_number=account_number,
            guarantor=guarantor,
            patient=patient,
            phones=phones,
            service_date_from=service_from,
            service_date_to=service_to,
            first_statement_date=first_statement,
            placed_date=placed,
            total_balance_cents=total,
            insurance_pending_cents=insurance,
            patient_responsibility_cents=patient_share,
            charges=charges,
            claim=claim,
            dispute=dispute,
            fap_status=fap_status,
            collector_login=collector_login,
        )
    )


def _closing_record(record_type: str, facility_code: str, account_number: str) -> PlacementRecord:
    return with_digest(
        PlacementRecord(
            record_type=record_type,
            facility_code=facility_code,
            facility_name=None,
            account_number=account_number,
            guarantor=None,
            patient=None,
            phones=(),
            service_date_from=None,
            service_date_to=None,
            first_statement_date=None,
            placed_date=None,
            total_balance_cents=0,
            insurance_pending_cents=0,
            patient_responsibility_cents=0,
            charges=(),
            claim=None,
            dispute=False,
            fap_status="none",
            collector_login=None,
        )
    )


def _read_guarantor(reader: RowReader) -> GuarantorInput | None:
    external_id = reader.text("guarantor_id", required=True, max_length=64)
    first = reader.text("guarantor_first_name", required=True, max_length=80)
    last = reader.text("guarantor_last_name", required=True, max_length=80)
    dob = reader.date("guarantor_dob")
    ssn = reader.text("guarantor_ssn_last4", max_length=4)
    if ssn is not None and not (len(ssn) == 4 and ssn.isascii() and ssn.isdigit()):
        reader.fail("guarantor_ssn_last4", "must be exactly four digits")
    state = reader.text("state", max_length=2)
    if state is not None:
        state = state.upper()
        if not is_us_state(state):
            reader.fail("state", "not a US state or territory code")
    zip_code = reader.text("zip", max_length=10)
    if zip_code is not None and not is_zip_code(zip_code):
        reader.fail("zip", "must be 5 digits or ZIP+4 (12345-6789)")
    email = reader.text("email", max_length=200)
    if email is not None and "@" not in email:
        reader.fail("email", "not an email address")
    language = (reader.text("language", max_length=LANGUAGES_MAX) or "en").lower()
    guarantor = GuarantorInput(
        external_id=external_id or "",
        first_name=first or "",
        last_name=last or "",
        date_of_birth=dob,
        ssn_last4=ssn,
        address1=reader.text("address1"),
        address2=reader.text("address2"),
        city=reader.text("city", max_length=80),
        state=state,
        zip_code=zip_code,
        email=email,
        language=language,
        deceased=reader.flag("deceased"),
        bankruptcy=reader.flag("bankruptcy"),
        attorney_represented=reader.flag("attorney"),
        cease_communication=reader.flag("cease"),
    )
    if external_id is None or first is None or last is None:
        return None
    return guarantor


def _read_patient(reader: RowReader, guarantor: GuarantorInput | None) -> PatientInput | None:
    first = reader.text("patient_first_name", max_length=80)
    last = reader.text("patient_last_name", max_length=80)
    dob = reader.date("patient_dob")
    relationship = reader.choice("patient_relationship", RELATIONSHIPS, default="self") or "self"
    if first is None and last is None:
        if guarantor is None:
            return None
        # No patient columns: the guarantor was the patient.
        return PatientInput(guarantor.first_name, guarantor.last_name, guarantor.date_of_birth, "self")
    if first is None or last is None:
        reader.fail("patient_first_name" if first is None else "patient_last_name", "required")
        return None
    return PatientInput(first, last, dob, relationship)


def _read_phones(reader: RowReader) -> tuple[PhoneInput, ...]:
    phones: list[PhoneInput] = []
    seen: set[str] = set()
    for slot in range(1, PHONE_SLOTS + 1):
        raw = reader.raw(f"phone{slot}")
        if not raw:
            continue
        phone_type = reader.choice(f"phone{slot}_type", PHONE_TYPES, default="home") or "home"
        normalized = normalize_phone(raw)
        if not normalized.number or normalized.number in seen:
            continue
        seen.add(normalized.number)
        phones.append(PhoneInput(normalized, phone_type))
    return tuple(phones)


def _reconcile_balances(
    reader: RowReader, total: int | None, insurance: int | None, patient: int | None
) -> tuple[int, int, int]:
    if total is None:
        return 0, 0, 0
    if insurance is None and patient is None:
        return total, 0, total
    if insurance is None:
        insurance = total - (patient or 0)
    if patient is None:
        patient = total - insurance
    if insurance < 0 or patient < 0 or insurance + patient != total:
        reader.fail("total_balance", "does not equal insurance_pending + patient_responsibility")
    return total, insurance, patient


def _read_charges(reader: RowReader) -> tuple[ChargeInput, ...]:
    """``charges`` holds ``date|code|amount`` lines separated by ``;``."""
    text = reader.raw("charges")
    if not text:
        return ()
    charges: list[ChargeInput] = []
    for number, item in enumerate(text.split(";"), start=1):
        parts = [part.strip() for part in item.split("|")]
        if len(parts) != 3 or not all(parts):
            reader.fail("charges", f"line {number} is not date|code|amount")
            continue
        prefix = f"line {number}: "
        service_date = reader.date(
            "charges", text=parts[0], prefix=prefix + "date ", earliest=EARLIEST_SERVICE
        )
        amount = reader.money("charges", text=parts[2], prefix=prefix + "amount ", allow_negative=True)
        code = parts[1].upper()
        if len(code) > 16 or not code.isalnum():
            reader.fail("charges", prefix + "code is not a procedure code")
            continue
        if service_date is not None and amount is not None:
            charges.append(ChargeInput(number, service_date, code, amount))
    return tuple(charges)


def denial_code(text: str) -> DenialInput | None:
    """``CO-197`` (a CARC with its group) or ``N30`` (a RARC); None if it is neither."""
    item = text.strip().upper()
    group, _, code = item.rpartition("-")
    if group and group in ("CO", "PR", "OA", "PI", "CR") and code.isalnum() and len(code) <= 8:
        return DenialInput("CARC", group, code)
    if not group and item[:1] in ("M", "N") and item[1:].lstrip("A").isdigit():
        return DenialInput("RARC", None, item)
    if not group and item.isalnum() and len(item) <= 8:
        return DenialInput("CARC", None, item)
    return None


def _read_denials(reader: RowReader) -> tuple[DenialInput, ...]:
    """``claim_denial_codes``: codes separated by ``;`` (see :func:`denial_code`)."""
    denials: list[DenialInput] = []
    for item in filter(None, (part.strip() for part in reader.raw("claim_denial_codes").split(";"))):
        denial = denial_code(item)
        if denial is None:
            reader.fail("claim_denial_codes", "each code must look like CO-197 or N30")
        else:
            denials.append(denial)
    return tuple(denials)


def _read_claim(reader: RowReader) -> ClaimInput | None:
    payer = reader.text("claim_payer", max_length=120)
    number = reader.text("claim_number", max_length=40)
    if payer is None and number is None:
        return None
    if payer is None or number is None:
        reader.fail("claim_payer" if payer is None else "claim_number", "required with a claim")
        return None
    status = reader.choice("claim_status", CLAIM_STATUSES, default="pending") or "pending"
    far_future = date(reader.today.year + 5, 12, 31)
    return ClaimInput(
        payer_name=payer,
        claim_number=number,
        status=status,
        billed_cents=reader.money("claim_billed") or 0,
        allowed_cents=reader.money("claim_allowed") or 0,
        paid_cents=reader.money("claim_paid") or 0,
        patient_share_cents=reader.money("claim_patient_share") or 0,
        denials=_read_denials(reader),
        submitted_date=reader.date("claim_submitted_date", earliest=EARLIEST_SERVICE),
        timely_filing_deadline=reader.date(
            "claim_timely_filing_deadline", not_future=False, latest=far_future
        ),
        appeal_deadline=reader.date("claim_appeal_deadline", not_future=False, latest=far_future),
    )


def record_digest(record: PlacementRecord) -> str:
    """A fingerprint of everything a placement record says about its account.

    Stored on the account, it makes re-importing an unchanged row a no-op.
    The digest field itself (the last) is left out, so it never feeds itself.
    """
    return hashlib.blake2b(repr(record[:-1]).encode(), digest_size=16).hexdigest()


def with_digest(record: PlacementRecord) -> PlacementRecord:
    """The record with its digest set (the parser does this; so must anything building records)."""
    return record._replace(digest=record_digest(record))
