"""Placement records: the canonical columns, the validated record, and the row parser.

A placement row describes one account as the billing system sees it today.
:func:`parse_placement_row` turns a row of strings into a
:class:`PlacementRecord`, or into the list of everything wrong with it; it
never raises on bad text.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Mapping, MutableMapping
from datetime import UTC, date, datetime, time
from typing import NamedTuple
from urllib.parse import urlsplit

from collector_tui.domain.compliance.clock import InconvenientTimesError, parse_inconvenient
from collector_tui.domain.fields import FieldError, RowFormat, RowReader
from collector_tui.domain.geography import is_us_state, is_zip_code
from collector_tui.domain.phones import NormalizedPhone, normalize_phone
from collector_tui.vocabulary import Regime

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
PHONE_FACT_SUFFIXES = ("consent", "consent_date", "revoked_at", "text_opt_out")
ITEMIZATION_AMOUNTS = ("amount", "interest", "fees", "credits")
FACILITY_FACT_COLUMNS = ("facility_regime", "facility_nonprofit", "facility_state", "facility_fap_policy_url")
FAP_POLICY_URL_MAX = 400
INCONVENIENT_MAX = 200

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
    "claim_control_number",
    "claim_payer_claim_number",
    "dispute",
    "bankruptcy",
    "attorney",
    "deceased",
    "cease",
    "fap_status",
    "collector_login",
    # What the compliance rules read (docs/import-formats.md, "What the compliance rules read").
    "delinquency_date",
    "itemization_date",
    *(f"itemization_{name}" for name in ITEMIZATION_AMOUNTS),
    "validation_notice_date",
    "eca_notice_date",
    "fap_application_date",
    *(f"phone{n}_{suffix}" for n in range(1, PHONE_SLOTS + 1) for suffix in PHONE_FACT_SUFFIXES),
    "no_calls_at_work",
    "inconvenient_times",
    "email_opt_out",
    *FACILITY_FACT_COLUMNS,
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
    description: str | None = None  # the billing system's plain words for the code


CHARGE_DESCRIPTION_MAX = 120


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
    control_number: str | None = None  # the provider's claim id, CLP01 of the payer's 835
    payer_claim_number: str | None = None  # the payer's ICN (CLP07)

    def __repr__(self) -> str:
        # The remittance numbers count only when given, so a claim without them keeps the digest it
        # had before those columns existed (``record_digest``) and an upgrade rewrites no account.
        names: tuple[str, ...] = self._fields
        if self.control_number is None and self.payer_claim_number is None:
            names = names[: names.index("control_number")]
        return f"ClaimInput({', '.join(f'{name}={getattr(self, name)!r}' for name in names)})"


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


class Itemization(NamedTuple):
    """The Reg F itemization (12 CFR 1006.34(c)(2)): its date, what was owed then, and since then."""

    date: date
    amount_cents: int | None
    interest_cents: int | None
    fees_cents: int | None
    credits_cents: int | None  # payments and credits


class PhoneConsent(NamedTuple):
    """What the client knows about one phone's consent (dates are read as 00:00 UTC of the day)."""

    consent: bool = False
    consent_at: datetime | None = None
    revoked_at: datetime | None = None
    text_opt_out_at: datetime | None = None


class ComplianceFacts(NamedTuple):
    """The row's facts that only the compliance rules read; all blank for a row without them."""

    delinquency_date: date | None = None
    itemization: Itemization | None = None
    validation_notice_date: date | None = None
    eca_notice_date: date | None = None
    fap_application_date: date | None = None
    no_calls_at_work: bool = False
    inconvenient_times: str | None = None
    email_opt_out_at: datetime | None = None
    # One per phone of the record, in its order; empty when no phone has any.
    phones: tuple[PhoneConsent, ...] = ()

    def phone(self, index: int) -> PhoneConsent:
        """The facts of the record's ``index``-th phone (blank when the row gave none)."""
        return self.phones[index] if index < len(self.phones) else PhoneConsent()


class FacilityFacts(NamedTuple):
    """What a row says about its facility; None: the row does not say (the facility keeps its own)."""

    regime: str | None = None
    nonprofit: bool | None = None
    state: str | None = None
    fap_policy_url: str | None = None


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
    facts: ComplianceFacts = ComplianceFacts()
    facility_facts: FacilityFacts = FacilityFacts()
    # Fingerprint of what the record says about its account (see record_digest); set by the parser.
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
    phones, slots = _read_phones(reader)
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
    facts = _read_compliance_facts(reader, slots)
    facility_facts = _read_facility_facts(reader)

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
            facts=facts,
            facility_facts=facility_facts,
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


def _read_phones(reader: RowReader) -> tuple[tuple[PhoneInput, ...], dict[int, int]]:
    """The row's phones, and for each slot (1..3) holding a number, which of them it is (a number
    repeated in a later slot is the earlier one)."""
    phones: list[PhoneInput] = []
    slots: dict[int, int] = {}
    seen: dict[str, int] = {}
    for slot in range(1, PHONE_SLOTS + 1):
        raw = reader.raw(f"phone{slot}")
        if not raw:
            continue
        phone_type = reader.choice(f"phone{slot}_type", PHONE_TYPES, default="home") or "home"
        normalized = normalize_phone(raw)
        if not normalized.number:
            continue
        if normalized.number in seen:
            slots[slot] = seen[normalized.number]
            continue
        seen[normalized.number] = slots[slot] = len(phones)
        phones.append(PhoneInput(normalized, phone_type))
    return tuple(phones), slots


def _midnight(day: date | None) -> datetime | None:
    return None if day is None else datetime.combine(day, time(0), tzinfo=UTC)


def _tri_flag(reader: RowReader, name: str) -> bool | None:
    """A yes/no column where blank means "not said"."""
    if not reader.raw(name):
        return None
    value = reader.raw(name).lower()
    if value in ("y", "yes", "true", "t", "1"):
        return True
    if value in ("n", "no", "false", "f", "0"):
        return False
    reader.fail(name, "must be yes or no")
    return None


def _moment(reader: RowReader, name: str) -> datetime | None:
    """A date (read as 00:00 UTC of the day) or a timestamp with its offset; not in the future."""
    text = reader.raw(name)
    if not text:
        return None
    if ":" not in text:
        return _midnight(reader.date(name, earliest=EARLIEST_SERVICE))
    failed = len(reader.errors)
    moment = reader.timestamp(name)
    if moment is None or len(reader.errors) > failed:
        return None
    if moment.date() > reader.today:
        reader.fail(name, "is in the future")
        return None
    if moment.date() < EARLIEST_SERVICE:
        reader.fail(name, f"is before {EARLIEST_SERVICE.isoformat()}")
        return None
    return moment


def _read_phone_consents(reader: RowReader, slots: Mapping[int, int]) -> tuple[PhoneConsent, ...]:
    """``phoneN_consent`` (yes/no), ``phoneN_consent_date``, ``phoneN_revoked_at`` (a date or a
    timestamp) and ``phoneN_text_opt_out`` (a date) of each slot that holds a phone, by phone (a
    number given twice has what both slots say)."""
    consents: dict[int, PhoneConsent] = {}
    for slot in range(1, PHONE_SLOTS + 1):
        names = {suffix: f"phone{slot}_{suffix}" for suffix in PHONE_FACT_SUFFIXES}
        if not any(reader.raw(name) for name in names.values()):
            continue
        if slot not in slots:
            for name in names.values():
                if reader.raw(name):
                    reader.fail(name, f"given without a usable number in phone{slot}")
            continue
        consent = _tri_flag(reader, names["consent"])
        consent_day = reader.date(names["consent_date"], earliest=EARLIEST_SERVICE)
        if consent_day is not None and consent is not True:
            reader.fail(names["consent_date"], f"given without {names['consent']} yes")
            consent_day = None
        consent_at = _midnight(consent_day)
        revoked_at = _moment(reader, names["revoked_at"])
        if revoked_at is not None and consent_at is not None and revoked_at < consent_at:
            reader.fail(
                names["revoked_at"], f"is before {names['consent_date']}: a revocation follows the consent"
            )
            revoked_at = None
        opt_out = _midnight(reader.date(names["text_opt_out"], earliest=EARLIEST_SERVICE))
        told = PhoneConsent(bool(consent), consent_at, revoked_at, opt_out)
        index = slots[slot]
        consents[index] = merge_phone_consent(consents[index], told) if index in consents else told
    if not any(consent != PhoneConsent() for consent in consents.values()):
        return ()
    return tuple(consents.get(index, PhoneConsent()) for index in range(max(slots.values()) + 1))


def _read_itemization(reader: RowReader) -> Itemization | None:
    day = reader.date("itemization_date", earliest=EARLIEST_SERVICE)
    amounts: list[int | None] = []
    for name in ITEMIZATION_AMOUNTS:
        column = f"itemization_{name}"
        amount = reader.money(column)
        if amount is not None and day is None and not reader.raw("itemization_date"):
            reader.fail(column, "given without itemization_date")
        amounts.append(amount)
    if day is None:
        return None
    return Itemization(day, *amounts)


def _read_inconvenient(reader: RowReader) -> str | None:
    text = reader.text("inconvenient_times", max_length=INCONVENIENT_MAX)
    if text is None:
        return None
    try:
        parse_inconvenient(text)
    except InconvenientTimesError:
        reader.fail(
            "inconvenient_times",
            "must be periods '[days] HH:MM-HH:MM' separated by ';' (e.g. mon-fri 12:00-13:00)",
        )
        return None
    return text


def _read_compliance_facts(reader: RowReader, slots: Mapping[int, int]) -> ComplianceFacts:
    def day(name: str) -> date | None:
        return reader.date(name, earliest=EARLIEST_SERVICE)

    return ComplianceFacts(
        delinquency_date=day("delinquency_date"),
        itemization=_read_itemization(reader),
        validation_notice_date=day("validation_notice_date"),
        eca_notice_date=day("eca_notice_date"),
        fap_application_date=day("fap_application_date"),
        no_calls_at_work=bool(_tri_flag(reader, "no_calls_at_work")),
        inconvenient_times=_read_inconvenient(reader),
        email_opt_out_at=_midnight(day("email_opt_out")),
        phones=_read_phone_consents(reader, slots),
    )


def fap_policy_url_problem(url: str) -> str | None:
    """Why ``url`` cannot be a facility's financial-assistance policy address (None: it can)."""
    if len(url) > FAP_POLICY_URL_MAX:
        return f"is longer than {FAP_POLICY_URL_MAX} characters"
    if not url.isprintable() or any(ch.isspace() for ch in url):
        return "must be one http:// or https:// address without spaces"
    try:
        parts = urlsplit(url)
    except ValueError:
        return "is not a web address"
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        return "must be an http:// or https:// address with a host"
    return None


def _read_facility_facts(reader: RowReader) -> FacilityFacts:
    regime = None
    if reader.raw("facility_regime"):
        regime = reader.choice("facility_regime", Regime.codes())
    state: str | None = reader.raw("facility_state").upper() or None
    if state is not None and not (len(state) == 2 and is_us_state(state)):
        reader.fail("facility_state", "not a US state or territory code")
        state = None
    url = reader.raw("facility_fap_policy_url") or None
    if url is not None:
        problem = fap_policy_url_problem(url)
        if problem is not None:
            reader.fail("facility_fap_policy_url", problem)
            url = None
    return FacilityFacts(
        regime=regime,
        nonprofit=_tri_flag(reader, "facility_nonprofit"),
        state=state,
        fap_policy_url=url,
    )


def facility_disagreements(
    seen: MutableMapping[str, FacilityFacts], record: PlacementRecord
) -> list[FieldError]:
    """The facility columns in which ``record`` disagrees with earlier records of its file.

    ``seen`` holds, by facility code, what the earlier records said (the first to say each
    fact); what ``record`` adds is remembered unless it disagrees, when it teaches nothing.
    """
    said = record.facility_facts
    if said == FacilityFacts():
        return []
    known = seen.get(record.facility_code, FacilityFacts())
    problems = [
        FieldError(
            column, "disagrees with another row of this file for the same facility (the first row decides)"
        )
        for column, ours, theirs in zip(FACILITY_FACT_COLUMNS, said, known, strict=True)
        if ours is not None and theirs is not None and ours != theirs
    ]
    if not problems:
        seen[record.facility_code] = FacilityFacts(
            regime=said.regime if known.regime is None else known.regime,
            nonprofit=said.nonprofit if known.nonprofit is None else known.nonprofit,
            state=said.state if known.state is None else known.state,
            fap_policy_url=said.fap_policy_url if known.fap_policy_url is None else known.fap_policy_url,
        )
    return problems


def _earliest(first: datetime | None, second: datetime | None) -> datetime | None:
    return second if first is None else first if second is None else min(first, second)


def merge_phone_consent(on_file: PhoneConsent, given: PhoneConsent) -> PhoneConsent:
    """A phone's consent on file with what a file says added: a consent given, the latest consent
    date, the earliest revocation and text opt-out. Nothing a file says withdraws a revocation or
    an opt-out, nor a consent (revoking one is a revocation)."""
    latest = on_file.consent_at if given.consent_at is None else given.consent_at
    if on_file.consent_at is not None and given.consent_at is not None:
        latest = max(on_file.consent_at, given.consent_at)
    return PhoneConsent(
        consent=on_file.consent or given.consent,
        consent_at=latest,
        revoked_at=_earliest(on_file.revoked_at, given.revoked_at),
        text_opt_out_at=_earliest(on_file.text_opt_out_at, given.text_opt_out_at),
    )


def earliest_opt_out(on_file: datetime | None, given: datetime | None) -> datetime | None:
    """An email opt-out on file with a file's: the earlier stands (an opt-out is never withdrawn)."""
    return _earliest(on_file, given)


def merge_inconvenient(on_file: str | None, given: str | None) -> str | None:
    """The inconvenient times on file with those a file gives added (a wish is never withdrawn).

    A period already on file (however it is written) is not repeated; times on file that cannot
    be read are kept as they are, for a person to fix.
    """
    if not given or not given.strip():
        return on_file
    if not on_file or not on_file.strip():
        return given
    try:
        have = set(parse_inconvenient(on_file))
    except InconvenientTimesError:
        have = set()
    added: list[str] = []
    for item in (part.strip() for part in given.split(";")):
        if not item:
            continue
        periods = set(parse_inconvenient(item))
        if not periods <= have:
            added.append(item)
            have |= periods
    return "; ".join([on_file.strip(), *added]) if added else on_file


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
    """``charges`` holds ``date|code|amount`` lines, each with an optional ``|description`` (the
    billing system's plain words for the code, up to 120 characters), separated by ``;``."""
    text = reader.raw("charges")
    if not text:
        return ()
    charges: list[ChargeInput] = []
    for number, item in enumerate(text.split(";"), start=1):
        parts = [part.strip() for part in item.split("|")]
        if len(parts) == 4 and not parts[3]:
            parts = parts[:3]  # an empty description is none
        if len(parts) not in (3, 4) or not all(parts):
            reader.fail("charges", f"line {number} is not date|code|amount or date|code|amount|description")
            continue
        description = parts[3] if len(parts) == 4 else None
        if description is not None and len(description) > CHARGE_DESCRIPTION_MAX:
            reader.fail(
                "charges", f"line {number}: description longer than {CHARGE_DESCRIPTION_MAX} characters"
            )
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
            charges.append(ChargeInput(number, service_date, code, amount, description))
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
        control_number=_claim_code(reader, "claim_control_number", CONTROL_NUMBER_LENGTH),
        payer_claim_number=_claim_code(reader, "claim_payer_claim_number", PAYER_CLAIM_NUMBER_LENGTH),
    )


CONTROL_NUMBER_LENGTH = 38  # CLP01's maximum (005010X221A1)
PAYER_CLAIM_NUMBER_LENGTH = 50  # CLP07's maximum
_CLAIM_CODE = re.compile(r"[A-Za-z0-9][A-Za-z0-9 .\-/]*")


def _claim_code(reader: RowReader, name: str, max_length: int) -> str | None:
    """A claim number as a payer's 835 carries it: letters, digits, and ``.-/`` or spaces inside."""
    value = reader.text(name, max_length=max_length)
    if value is not None and (_CLAIM_CODE.fullmatch(value) is None or value != value.strip()):
        reader.fail(name, "may hold only letters, digits, spaces and . - /")
        return None
    return value


_FIRST_FIELDS = PlacementRecord._fields.index("facts")  # the fields records had before ``facts``


def record_digest(record: PlacementRecord) -> str:
    """A fingerprint of everything a placement record says about its account.

    Stored on the account, it makes re-importing an unchanged row a no-op. The digest field
    itself is left out, so it never feeds itself, and so are the facility's facts: they are
    applied whether or not the account changed (``services/files/placements.py``). The compliance
    facts count only when the row has some, so a row without them keeps the digest it had
    before those columns existed and an upgrade does not rewrite every account.
    """
    text = repr(record[:_FIRST_FIELDS])
    if record.facts != ComplianceFacts():
        text += repr(record.facts)
    return hashlib.blake2b(text.encode(), digest_size=16).hexdigest()


def with_digest(record: PlacementRecord) -> PlacementRecord:
    """The record with its digest set (the parser does this; so must anything building records)."""
    return record._replace(digest=record_digest(record))
