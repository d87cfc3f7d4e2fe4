"""The facts about one account that compliance decisions depend on (loaded by the service)."""

from __future__ import annotations

from collections.abc import Collection, Iterable
from dataclasses import dataclass, field
from datetime import date, datetime

from collector_tui.vocabulary import Regime

TOLL_FREE_AREA_CODES = frozenset({"800", "833", "844", "855", "866", "877", "888"})


CONTRACTUAL_GROUP = "CO"  # CARC group: contractual obligation, the provider's to absorb
PATIENT_GROUP = "PR"  # CARC group: patient responsibility


def balance_contractual(claims: Iterable[tuple[str, Collection[str | None], int]]) -> bool:
    """Whether what an account's claims leave owing is contractual, not the patient's.

    ``claims``: each claim's status, its denials' group codes and the patient share the payer
    named. True when a claim is denied for contractual reasons only (a CO group, no PR, no patient
    share) and every other claim is likewise denied or still with the payer (pending, appealed):
    no claim leaves the patient a share that may be billed.
    """
    denied_co = False
    for status, groups, patient_share_cents in claims:
        if status == "denied" and CONTRACTUAL_GROUP in groups and PATIENT_GROUP not in groups:
            if patient_share_cents > 0:
                return False
            denied_co = True
        elif status not in ("pending", "appealed"):
            return False
    return denied_co


@dataclass(frozen=True, slots=True)
class PhoneFacts:
    phone_id: int
    number: str  # E.164 when valid
    phone_type: str = "home"
    is_work: bool = False
    valid: bool = True
    status: str = "ok"  # ok, wrong, disconnected
    time_zones: tuple[str, ...] = ()  # from phonenumbers
    do_not_call: bool = False
    do_not_call_at: datetime | None = None
    consent_revoked_at: datetime | None = None
    consent_revoked_via: str | None = None
    consent_at: datetime | None = None  # when consent to call this (mobile) number was given
    text_opt_out_at: datetime | None = None  # "stop texting this number"

    @property
    def last4(self) -> str:
        digits = "".join(ch for ch in self.number if ch.isdigit())
        return digits[-4:]

    @property
    def toll_free(self) -> bool:
        return self.number.startswith("+1") and self.number[2:5] in TOLL_FREE_AREA_CODES


@dataclass(frozen=True, slots=True)
class Contact:
    """One logged contact: a placed call (attempt), a conversation, a text, an email, a letter."""

    occurred_at: datetime
    channel: str = "call"  # call, voicemail, text, email, letter
    attempt: bool = True  # a placed call (Reg F counts it; a busy signal or a call asked for does not)
    conversation: bool = False  # someone was spoken with
    right_party: bool = False  # ... and it was the consumer (not a wrong number, not a third party)
    direction: str = "out"  # out, in, none (a letter sent)
    phone_id: int | None = None  # the number dialled or texted, when known
    phone_type: str | None = None  # its kind (home, mobile, work, other); None: not known


@dataclass(frozen=True, slots=True)
class Hold:
    reason: str
    placed_at: datetime
    received_via: str | None = None  # a dispute or cease: "oral" or "written" (None: written)


@dataclass(frozen=True)
class AccountFacts:
    account_id: int
    status: str = "open"
    state: str | None = None
    zip_code: str | None = None
    total_balance_cents: int = 0
    insurance_pending_cents: int = 0
    claims_unresolved: bool = False  # a claim pending with the payer or under appeal
    # What the claims leave is contractual (a CO-group denial): the patient may not be billed for it.
    claims_contractual: bool = False
    fap_status: str = "none"
    nonprofit: bool = False
    regime: str = Regime.THIRD_PARTY
    facility_state: str | None = None  # where the provider is (state hospital-billing laws, reporting bans)
    service_date_from: date | None = None  # the date(s) of treatment (limitation periods, hospital laws)
    service_date_to: date | None = None
    first_statement_date: date | None = None
    placed_date: date | None = None  # placed with the office (an agency's waits that count from it)
    delinquency_date: date | None = None
    eca_notice_date: date | None = None  # 501(r) written notice of ECAs
    validation_notice_date: date | None = None
    itemization_date: date | None = None
    fap_application_date: date | None = None  # 501(r): when the patient applied for assistance
    last_payment_date: date | None = None
    deceased: bool = False
    bankruptcy: bool = False
    attorney_represented: bool = False
    cease_communication: bool = False
    no_calls_at_work: bool = False
    inconvenient_times: str | None = None
    call_consent_at: datetime | None = None  # direct prior consent to more calls
    call_time_consent: str | None = None  # times the consumer said we may call (inconvenient syntax)
    call_time_consent_at: datetime | None = None  # when they said so
    has_email: bool = False  # an address to write to is on file
    email_opt_out_at: datetime | None = None
    first_right_party_contact_at: datetime | None = None
    first_letter_at: datetime | None = None
    holds: tuple[Hold, ...] = ()
    # Recent contacts: as far back as the longest contact limit in force counts (engine.contact_lookback).
    contacts: tuple[Contact, ...] = ()
    phones: tuple[PhoneFacts, ...] = field(default_factory=tuple)
