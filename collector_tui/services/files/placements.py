"""Apply validated placement records: the one way accounts enter the database.

The nightly import and the demo builder both call :func:`apply_placements`
with a batch of :class:`PlacementRecord`; it upserts facilities, guarantors,
patients, phones, accounts, charges, claims and dispute holds, and writes an
audit event per changed account, all inside the caller's transaction.

What a row tells of the consumer's wishes and of a phone's consent (no calls at
work, inconvenient times, an email opt-out; consent, its revocation, a text
opt-out) is added to what is on file and never withdraws it: a wish the
consumer told a collector stands whatever a later file says. The facility's
facts a row carries (``facility_*``) are applied for every row, changed or not,
through :func:`collector_tui.services.law.facilities.update_facility`.

Writes go through SQLAlchemy Core executemany, never one ORM object per row
(an ORM object costs ~20x a raw row; see ``docs/performance.md``).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, NamedTuple

from sqlalchemy import and_, delete, select
from sqlmodel import Session

from collector_tui.db.tables import (
    ACCOUNT_T,
    AUDIT_T,
    CHARGE_T,
    CLAIM_T,
    COLLECTOR_T,
    DENIAL_T,
    FACILITY_T,
    GUARANTOR_T,
    HISTORY_T,
    HOLD_T,
    PATIENT_T,
    PHONE_T,
)
from collector_tui.domain.compliance.engine import CallGroup
from collector_tui.domain.denial_work import Adjusted
from collector_tui.domain.geography import primary_zone
from collector_tui.domain.placement import (
    INCONVENIENT_MAX,
    RECORD_CLOSE,
    RECORD_RECALL,
    ClaimInput,
    FacilityFacts,
    PhoneConsent,
    PlacementRecord,
    earliest_opt_out,
    facility_disagreements,
    merge_inconvenient,
    merge_phone_consent,
    record_digest,
)
from collector_tui.services.audit import Actor, audit_rows
from collector_tui.services.bulk import chunks, insert_rows, select_in_chunks, update_by_id
from collector_tui.services.desk.account_state import refresh_accounts
from collector_tui.services.desk.lookup import AccountRef, account_refs, accounts_by_key, remember_accounts
from collector_tui.services.files.placement_values import (
    FacilityRules,
    PlacementValues,
    new_account_status,
    placement_values,
    usable,
)
from collector_tui.services.law.compliance import call_group_ids
from collector_tui.services.law.facilities import update_facility
from collector_tui.services.law.policy import current_denial_policy
from collector_tui.services.worklists.denial_items import DenialCandidate, open_denial_items, remember_payers
from collector_tui.vocabulary import (
    AccountStatus,
    ClaimStatus,
    DenialSource,
    HoldReason,
    PhoneStatus,
    PhoneType,
    Regime,
    Role,
)


@dataclass(frozen=True, slots=True)
class RecordRejection:
    """A record the database refused (e.g. a recall for an unknown account)."""

    key: tuple[str, str]
    field: str
    reason: str


@dataclass
class PlacementResult:
    inserted: int = 0
    updated: int = 0
    unchanged: int = 0
    closed: int = 0
    total_cents: int = 0
    rejected: list[RecordRejection] = field(default_factory=list)
    account_ids: list[int] = field(default_factory=list)  # accounts inserted or changed

    def add(self, other: PlacementResult) -> None:
        self.inserted += other.inserted
        self.updated += other.updated
        self.unchanged += other.unchanged
        self.closed += other.closed
        self.total_cents += other.total_cents
        self.rejected.extend(other.rejected)
        self.account_ids.extend(other.account_ids)


def apply_placements(
    session: Session,
    records: Sequence[PlacementRecord],
    *,
    actor: Actor,
    now: datetime,
    batch_id: int | None = None,
    ahead: Mapping[tuple[str, str], PlacementValues] | None = None,
) -> PlacementResult:
    """Upsert ``records`` (keys unique within the batch) in the session's transaction.

    ``ahead`` holds values the import worked out ahead for some records
    (:mod:`collector_tui.services.files.placement_values`); the rest are worked out here.
    """
    result = PlacementResult()
    if not records:
        return result
    opening = [r for r in records if r.record_type not in (RECORD_RECALL, RECORD_CLOSE)]
    closing = [r for r in records if r.record_type in (RECORD_RECALL, RECORD_CLOSE)]
    # Only an account being placed may bring a new facility; a recall cannot.
    facilities = _facility_ids(session, records, create_for=opening)
    existing = accounts_by_key(session, (r.key for r in records if r.facility_code in facilities))
    # A row refused for what it says is refused before anything of it is written.
    opening = _consistent_about_facilities(opening, result)
    opening = _unique_control_numbers(session, opening, result)

    changed: list[PlacementRecord] = []
    digests: dict[tuple[str, str], str] = {}
    unchanged: list[PlacementRecord] = []
    for record in opening:
        digest = record.digest or record_digest(record)
        previous = existing.get(record.key)
        if (
            previous is not None
            and previous["placement_digest"] == digest
            and previous["status"] in (AccountStatus.OPEN, AccountStatus.PAID)
        ):
            unchanged.append(record)
            continue
        digests[record.key] = digest
        changed.append(record)
    # Only a changed row adds to the consumer's wishes: one re-sent as it was does not bring back
    # what the consumer took back in the workstation since.
    wishes, changed = _consumer_wishes(session, changed, result)
    result.unchanged += len(unchanged)
    result.total_cents += sum(record.total_balance_cents for record in changed)
    _apply_facility_facts(session, [*unchanged, *changed], facilities, actor, now, batch_id)
    regimes = _facility_regimes(session, facilities.values())
    if changed:
        values = {}
        for record in changed:
            rules = regimes[facilities[record.facility_code]]
            given = (ahead or {}).get(record.key)
            values[record.key] = (
                given
                if given is not None and usable(given, now, rules)
                else placement_values(record, now, rules)
            )
        stale = _apply_opening(
            session, changed, digests, facilities, values, existing, wishes, actor, now, batch_id, result
        )
    else:
        stale = []
    if closing:
        stale += _apply_closing(session, closing, existing, actor, now, batch_id, result)
    # New accounts of new guarantors got their call state and score with their INSERT; the rest
    # read their history back.
    refresh_accounts(session, stale, now)
    return result


def _consistent_about_facilities(
    records: list[PlacementRecord], result: PlacementResult
) -> list[PlacementRecord]:
    """The records that do not contradict an earlier record of the batch about their facility (the
    rest are rejected, naming the column).

    The import has already rejected rows that contradict an earlier row of the file
    (``importing/kinds.py``), so every batch of a file says the same of a facility.
    """
    said: dict[str, FacilityFacts] = {}
    kept: list[PlacementRecord] = []
    for record in records:
        problems = facility_disagreements(said, record)
        if problems:
            result.rejected.append(RecordRejection(record.key, problems[0].field, problems[0].reason))
        else:
            kept.append(record)
    return kept


def _unique_control_numbers(
    session: Session,
    records: list[PlacementRecord],
    result: PlacementResult,
) -> list[PlacementRecord]:
    """The records whose claim control number (CLP01 of an 835 names a claim by it alone) no other
    claim has, on file or earlier in the batch; the rest are rejected, naming the column."""
    numbered = [r for r in records if r.claim is not None and r.claim.control_number]
    if not numbered:
        return records
    c, a, f = CLAIM_T.c, ACCOUNT_T.c, FACILITY_T.c
    owner: dict[str, tuple[str, str, str]] = {}  # control number -> (facility, account, claim number)
    for row in select_in_chunks(
        session,
        lambda numbers: (
            select(c.control_number, c.claim_number, a.account_number, f.code)
            .join(ACCOUNT_T, a.id == c.account_id)
            .join(FACILITY_T, f.id == a.facility_id)
            .where(c.control_number.in_(numbers))
        ),
        sorted({r.claim.control_number for r in numbered if r.claim and r.claim.control_number}),
    ):
        owner[row.control_number] = (row.code, row.account_number, row.claim_number)
    kept: list[PlacementRecord] = []
    for record in records:
        claim = record.claim
        if claim is None or not claim.control_number:
            kept.append(record)
            continue
        mine = (*record.key, claim.claim_number)
        held = owner.setdefault(claim.control_number, mine)
        if held != mine:
            result.rejected.append(
                RecordRejection(record.key, "claim_control_number", "another claim has this control number")
            )
            continue
        kept.append(record)
    return kept


def _apply_facility_facts(
    session: Session,
    records: list[PlacementRecord],
    facilities: dict[str, int],
    actor: Actor,
    now: datetime,
    batch_id: int | None,
) -> None:
    """Set what the records say of their facilities (they agree), changed accounts or not."""
    said: dict[str, FacilityFacts] = {}
    for record in records:
        facility_disagreements(said, record)
    for code, facts in said.items():
        values = {name: value for name, value in facts._asdict().items() if value is not None}
        update_facility(session, actor, facilities[code], values, now=now, batch_id=batch_id)


class Wishes(NamedTuple):
    """A guarantor's wishes the placement file may add to: what calls and emails they refuse."""

    no_calls_at_work: bool = False
    inconvenient_times: str | None = None
    email_opt_out_at: datetime | None = None


def _record_wishes(record: PlacementRecord) -> Wishes:
    told = record.facts
    return Wishes(told.no_calls_at_work, told.inconvenient_times, told.email_opt_out_at)


def _consumer_wishes(
    session: Session, records: list[PlacementRecord], result: PlacementResult
) -> tuple[dict[str, Wishes], list[PlacementRecord]]:
    """Each guarantor's wishes: those on file with what each record adds (in file order); and the
    records kept. A record whose inconvenient times would not fit the column beside those on
    file is rejected whole: a person must merge them."""
    ids = {r.guarantor.external_id for r in records if r.guarantor is not None}
    c = GUARANTOR_T.c
    wishes = {
        row.external_id: Wishes(bool(row.no_calls_at_work), row.inconvenient_times, row.email_opt_out_at)
        for row in select_in_chunks(
            session,
            lambda part: select(
                c.external_id, c.no_calls_at_work, c.inconvenient_times, c.email_opt_out_at
            ).where(c.external_id.in_(part)),
            ids,
        )
    }
    kept: list[PlacementRecord] = []
    for record in records:
        assert record.guarantor is not None
        key = record.guarantor.external_id
        known = wishes.get(key, Wishes())
        told = _record_wishes(record)
        times = merge_inconvenient(known.inconvenient_times, told.inconvenient_times)
        if times is not None and len(times) > INCONVENIENT_MAX:
            result.rejected.append(
                RecordRejection(
                    record.key,
                    "inconvenient_times",
                    f"with the inconvenient times on file, longer than {INCONVENIENT_MAX} characters; "
                    "merge them in the workstation",
                )
            )
            continue
        wishes[key] = Wishes(
            known.no_calls_at_work or told.no_calls_at_work,
            times,
            earliest_opt_out(known.email_opt_out_at, told.email_opt_out_at),
        )
        kept.append(record)
    return wishes, kept


def _facility_regimes(session: Session, ids: Iterable[int]) -> dict[int, FacilityRules]:
    """(nonprofit, compliance regime, state) of each facility: what a new account's call state
    reads of it."""
    c = FACILITY_T.c
    return {
        row.id: (row.nonprofit, row.regime, row.state)
        for row in select_in_chunks(
            session, lambda part: select(c.id, c.nonprofit, c.regime, c.state).where(c.id.in_(part)), ids
        )
    }


def _facility_ids(
    session: Session, records: Sequence[PlacementRecord], *, create_for: Sequence[PlacementRecord]
) -> dict[str, int]:
    names = {r.facility_code: r.facility_name for r in create_for}
    names.update((r.facility_code, None) for r in records if r.facility_code not in names)
    found = dict(
        session.execute(
            select(FACILITY_T.c.code, FACILITY_T.c.id).where(FACILITY_T.c.code.in_(list(names)))
        ).all()
    )
    creatable = {r.facility_code for r in create_for}
    missing = [
        {"code": code, "name": names[code] or code, "nonprofit": False}
        for code in names
        if code not in found and code in creatable
    ]
    if missing:
        insert_rows(session, FACILITY_T, missing)
        found = dict(
            session.execute(
                select(FACILITY_T.c.code, FACILITY_T.c.id).where(FACILITY_T.c.code.in_(list(names)))
            ).all()
        )
    return found


def _apply_opening(
    session: Session,
    records: list[PlacementRecord],
    digests: dict[tuple[str, str], str],
    facilities: dict[str, int],
    values_of: dict[tuple[str, str], PlacementValues],
    existing: dict[tuple[str, str], dict[str, Any]],
    wishes: dict[str, Wishes],
    actor: Actor,
    now: datetime,
    batch_id: int | None,
    result: PlacementResult,
) -> list[int]:
    """Insert or update the accounts; returns those whose call state must be read back and recomputed."""
    guarantor_ids, new_guarantors = _upsert_guarantors(session, records, wishes, now)
    patient_ids = _upsert_patients(session, records, guarantor_ids, new_guarantors)
    merged = _sync_phones(session, records, guarantor_ids, new_guarantors, values_of, now)
    # A new guarantor's call state was worked out from each record alone: when the batch's records
    # of that guarantor told different wishes or phone facts, it is read back from what was stored.
    merged |= {
        guarantor_ids[r.guarantor.external_id]
        for r in records
        if r.guarantor is not None and wishes[r.guarantor.external_id] != _record_wishes(r)
    }
    collectors = _collector_ids(session, records)
    people = _People(guarantor_ids, patient_ids, collectors)
    inserts, updates = _account_rows(records, digests, facilities, values_of, existing, people, now)
    insert_rows(session, ACCOUNT_T, inserts)
    update_by_id(session, ACCOUNT_T, list(updates.values()))
    result.inserted += len(inserts)
    result.updated += len(updates)
    ids_by_key, inserted_ids, updated_ids = _placed_account_ids(
        session, records, facilities, inserts, updates
    )
    result.account_ids.extend(ids_by_key.values())

    # Accounts created now have no charges, claims or holds to find.
    old_accounts = set(updated_ids)
    _replace_charges(session, records, ids_by_key, old_accounts)
    _upsert_claims(session, records, ids_by_key, old_accounts, actor, now)
    _sync_dispute_holds(session, records, ids_by_key, old_accounts, now)
    _record_placements(session, actor, inserts, inserted_ids, updated_ids, now, batch_id)
    known_guarantor = [
        ids_by_key[r.key]
        for r in records
        if r.guarantor is not None
        and (
            guarantor_ids[r.guarantor.external_id] not in new_guarantors
            or guarantor_ids[r.guarantor.external_id] in merged
        )
    ]
    return sorted(set(updated_ids) | set(known_guarantor))


class _People(NamedTuple):
    """Who the batch's accounts name, by id: guarantors (by external id), patients, collectors."""

    guarantors: dict[str, int]
    patients: dict[PatientKey, int]
    collectors: dict[str, int]


def _account_rows(
    records: list[PlacementRecord],
    digests: dict[tuple[str, str], str],
    facilities: dict[str, int],
    values_of: dict[tuple[str, str], PlacementValues],
    existing: dict[tuple[str, str], dict[str, Any]],
    people: _People,
    now: datetime,
) -> tuple[list[dict[str, Any]], dict[tuple[str, str], dict[str, Any]]]:
    """Each account's row: an INSERT for a new account (with its collector, call state and score),
    an UPDATE by id with the version bumped for one on file (by key)."""
    inserts: list[dict[str, Any]] = []
    updates: dict[tuple[str, str], dict[str, Any]] = {}
    for record in records:
        assert record.guarantor is not None
        g_id = people.guarantors[record.guarantor.external_id]
        patient_key = _patient_key(record, g_id)
        values: dict[str, Any] = {
            "guarantor_id": g_id,
            "patient_id": None if patient_key is None else people.patients.get(patient_key),
            "service_date_from": record.service_date_from,
            "service_date_to": record.service_date_to,
            "first_statement_date": record.first_statement_date,
            "placed_date": record.placed_date,
            "total_balance_cents": record.total_balance_cents,
            "insurance_pending_cents": record.insurance_pending_cents,
            "patient_responsibility_cents": record.patient_responsibility_cents,
            "status": new_account_status(record),
            "fap_status": record.fap_status,
            **_account_facts(record),
            "time_zone": primary_zone(record.guarantor.state),
            "placement_digest": digests[record.key],
            "updated_at": now,
            "closed_at": None,
        }
        previous = existing.get(record.key)
        if previous is None:
            values.update(
                facility_id=facilities[record.facility_code],
                account_number=record.account_number,
                assigned_collector_id=people.collectors.get(record.collector_login or ""),
                created_at=now,
                version=1,
                **values_of[record.key].account,
            )
            inserts.append(values)
        else:
            values.update(row_id=previous["id"], version=previous["version"] + 1)
            updates[record.key] = values
    return inserts, updates


def _placed_account_ids(
    session: Session,
    records: list[PlacementRecord],
    facilities: dict[str, int],
    inserts: list[dict[str, Any]],
    updates: dict[tuple[str, str], dict[str, Any]],
) -> tuple[dict[tuple[str, str], int], list[int], list[int]]:
    """Every record's account id by key (the new ones read back), and the ids inserted and updated."""
    code_of = {facility_id: code for code, facility_id in facilities.items()}
    remember_accounts(
        session, {key: AccountRef(row["row_id"], row["guarantor_id"]) for key, row in updates.items()}
    )
    account_ids = {key: ref.id for key, ref in account_refs(session, (r.key for r in records)).items()}
    inserted_ids = [account_ids[(code_of[r["facility_id"]], r["account_number"])] for r in inserts]
    updated_ids = [row["row_id"] for row in updates.values()]
    return {r.key: account_ids[r.key] for r in records}, inserted_ids, updated_ids


def _record_placements(
    session: Session,
    actor: Actor,
    inserts: list[dict[str, Any]],
    inserted_ids: list[int],
    updated_ids: list[int],
    now: datetime,
    batch_id: int | None,
) -> None:
    """The assignment history of each new account placed with a collector, and an audit event for
    every account inserted or updated."""
    history = [
        {
            "account_id": account_id,
            "from_collector_id": None,
            "to_collector_id": row["assigned_collector_id"],
            "assigned_by": actor.login,
            "assigned_at": now,
            "reason": "placement",
        }
        for row, account_id in zip(inserts, inserted_ids, strict=True)
        if row["assigned_collector_id"] is not None
    ]
    insert_rows(session, HISTORY_T, history)
    details = {"batch": batch_id} if batch_id is not None else None
    audit = audit_rows(actor, "placement.insert", "account", inserted_ids, at=now, details=details)
    audit += audit_rows(actor, "placement.update", "account", updated_ids, at=now, details=details)
    insert_rows(session, AUDIT_T, audit)


def _account_facts(record: PlacementRecord) -> dict[str, Any]:
    """The account columns the compliance rules read, as the row gives them (blank clears)."""
    told = record.facts
    item = told.itemization
    return {
        "delinquency_date": told.delinquency_date,
        "itemization_date": None if item is None else item.date,
        "itemization_amount_cents": None if item is None else item.amount_cents,
        "itemization_interest_cents": None if item is None else item.interest_cents,
        "itemization_fees_cents": None if item is None else item.fees_cents,
        "itemization_credits_cents": None if item is None else item.credits_cents,
        "validation_notice_date": told.validation_notice_date,
        "eca_notice_date": told.eca_notice_date,
        "fap_application_date": told.fap_application_date,
    }


def _apply_closing(
    session: Session,
    records: list[PlacementRecord],
    existing: dict[tuple[str, str], dict[str, Any]],
    actor: Actor,
    now: datetime,
    batch_id: int | None,
    result: PlacementResult,
) -> list[int]:
    """Recall or close accounts; returns the accounts changed."""
    updates: list[dict[str, Any]] = []
    actions: dict[str, list[int]] = {"placement.recall": [], "placement.close": []}
    for record in records:
        previous = existing.get(record.key)
        if previous is None:
            result.rejected.append(
                RecordRejection(record.key, "account_number", "no such account to " + record.record_type)
            )
            continue
        status = AccountStatus.RECALLED if record.record_type == RECORD_RECALL else AccountStatus.CLOSED
        if previous["status"] == status:
            result.unchanged += 1
            continue
        updates.append(
            {
                "row_id": previous["id"],
                "status": status,
                "closed_at": now,
                "updated_at": now,
                "version": previous["version"] + 1,
                "claimed_by_id": None,
                "claimed_at": None,
            }
        )
        actions[f"placement.{record.record_type}"].append(previous["id"])
        result.account_ids.append(previous["id"])
    update_by_id(session, ACCOUNT_T, updates)
    result.closed += len(updates)
    details = {"batch": batch_id} if batch_id is not None else None
    audit: list[dict[str, Any]] = []
    for action, ids in actions.items():
        audit += audit_rows(actor, action, "account", ids, at=now, details=details)
    insert_rows(session, AUDIT_T, audit)
    return [row["row_id"] for row in updates]


def _upsert_guarantors(
    session: Session, records: Sequence[PlacementRecord], wishes: Mapping[str, Wishes], now: datetime
) -> tuple[dict[str, int], set[int]]:
    """Guarantor ids by external id, and the ids of those created now (they own nothing yet)."""
    latest = {r.guarantor.external_id: r.guarantor for r in records if r.guarantor is not None}
    c = GUARANTOR_T.c
    existing = {
        row.external_id: row.id
        for row in select_in_chunks(
            session,
            lambda ids: select(c.id, c.external_id).where(c.external_id.in_(ids)),
            list(latest),
        )
    }
    inserts: list[dict[str, Any]] = []
    updates: list[dict[str, Any]] = []
    for external_id, g in latest.items():
        values = {
            "first_name": g.first_name,
            "last_name": g.last_name,
            "date_of_birth": g.date_of_birth,
            "ssn_last4": g.ssn_last4,
            "address1": g.address1,
            "address2": g.address2,
            "city": g.city,
            "state": g.state,
            "zip_code": g.zip_code,
            "email": g.email,
            "language": g.language,
            "deceased": g.deceased,
            "bankruptcy": g.bankruptcy,
            "attorney_represented": g.attorney_represented,
            "cease_communication": g.cease_communication,
            **wishes[external_id]._asdict(),
            "updated_at": now,
        }
        if external_id in existing:
            updates.append({"row_id": existing[external_id], **values})
        else:
            inserts.append({"external_id": external_id, "created_at": now, **values})
    insert_rows(session, GUARANTOR_T, inserts)
    update_by_id(session, GUARANTOR_T, updates)
    created = {
        row.external_id: row.id
        for row in select_in_chunks(
            session,
            lambda ids: select(c.id, c.external_id).where(c.external_id.in_(ids)),
            [row["external_id"] for row in inserts],
        )
    }
    return {**existing, **created}, set(created.values())


PatientKey = tuple[int, str, str, Any]


def _patient_key(record: PlacementRecord, guarantor_id: int) -> PatientKey | None:
    p = record.patient
    if p is None:
        return None
    return (guarantor_id, p.last_name, p.first_name, p.date_of_birth)


def _upsert_patients(
    session: Session,
    records: Sequence[PlacementRecord],
    guarantor_ids: dict[str, int],
    new_guarantors: set[int],
) -> dict[PatientKey, int]:
    """Match patients in Python: a NULL birth date defeats a unique index's ON CONFLICT."""
    c = PATIENT_T.c

    def load(g_ids: set[int]) -> dict[PatientKey, int]:
        return {
            (row.guarantor_id, row.last_name, row.first_name, row.date_of_birth): row.id
            for row in select_in_chunks(
                session,
                lambda ids: select(c.id, c.guarantor_id, c.last_name, c.first_name, c.date_of_birth).where(
                    c.guarantor_id.in_(ids)
                ),
                g_ids,
            )
        }

    known = load(set(guarantor_ids.values()) - new_guarantors)  # a new guarantor has no patients yet
    wanted: dict[PatientKey, dict[str, Any]] = {}
    for record in records:
        assert record.guarantor is not None and record.patient is not None
        key = _patient_key(record, guarantor_ids[record.guarantor.external_id])
        if key is not None and key not in known:
            wanted[key] = {
                "guarantor_id": key[0],
                "last_name": key[1],
                "first_name": key[2],
                "date_of_birth": key[3],
                "relationship_to_guarantor": record.patient.relationship,
            }
    if wanted:
        insert_rows(session, PATIENT_T, list(wanted.values()))
        known.update(load({key[0] for key in wanted}))
    return known


def _phone_consent(row: Any) -> PhoneConsent:
    return PhoneConsent(
        bool(row.consent_to_call_mobile), row.consent_at, row.consent_revoked_at, row.text_opt_out_at
    )


def _phone_consent_columns(consent: PhoneConsent) -> dict[str, Any]:
    return {
        "consent_to_call_mobile": consent.consent,
        "consent_at": consent.consent_at,
        "consent_revoked_at": consent.revoked_at,
        "text_opt_out_at": consent.text_opt_out_at,
    }


def _phones_on_file(
    session: Session, guarantor_ids: set[int]
) -> dict[tuple[int, str], tuple[int, PhoneConsent]]:
    """The guarantors' numbers on file: (guarantor, number) -> (phone id, its consent as stored)."""
    c = PHONE_T.c
    return {
        (row.guarantor_id, row.number): (row.id, _phone_consent(row))
        for row in select_in_chunks(
            session,
            lambda ids: select(
                c.id,
                c.guarantor_id,
                c.number,
                c.consent_to_call_mobile,
                c.consent_at,
                c.consent_revoked_at,
                c.text_opt_out_at,
            ).where(c.guarantor_id.in_(ids)),
            guarantor_ids,
        )
    }


def _sync_phones(
    session: Session,
    records: Sequence[PlacementRecord],
    guarantor_ids: dict[str, int],
    new_guarantors: set[int],
    values_of: dict[tuple[str, str], PlacementValues],
    now: datetime,
) -> set[int]:
    """New numbers are added; a number already on file keeps its status, and its consent, revocation
    and text opt-out only gain what the row adds (:func:`merge_phone_consent`).

    Returns the new guarantors whose phones were told different facts by different records of the
    batch: their dialling state must be read back and recomputed.
    """
    known = _phones_on_file(session, set(guarantor_ids.values()) - new_guarantors)
    told_known: dict[int, PhoneConsent] = {}  # phone id -> what it holds with the rows' facts added
    rows: dict[tuple[int, str], dict[str, Any]] = {}
    told_new: dict[tuple[int, str], PhoneConsent] = {}
    remade: set[int] = set()
    groups: list[CallGroup] = []
    # A number shared by debts under both regimes is decided by a third-party one (the stricter).
    for record in sorted(records, key=lambda r: values_of[r.key].facility[1] == Regime.FIRST_PARTY):
        assert record.guarantor is not None
        g_id = guarantor_ids[record.guarantor.external_id]
        states = values_of[record.key].phones
        for index, (phone, (dialable, group)) in enumerate(zip(record.phones, states, strict=True)):
            key = (g_id, phone.phone.number)
            told = record.facts.phone(index)
            if key in known:
                phone_id, on_file = known[key]
                told_known[phone_id] = merge_phone_consent(told_known.get(phone_id, on_file), told)
                continue
            if key in rows:
                merged = merge_phone_consent(told_new[key], told)
                if merged != told_new[key]:
                    remade.add(g_id)  # the row was worked out from what an earlier record told
                told_new[key] = merged
                continue
            groups.append(group)
            told_new[key] = told
            rows[key] = {
                "guarantor_id": g_id,
                "number": phone.phone.number,
                "phone_type": phone.phone_type,
                "valid": phone.phone.valid,
                "time_zones": " ".join(phone.phone.time_zones),
                "do_not_call": False,
                "status": PhoneStatus.OK,
                "is_work": phone.phone_type == PhoneType.WORK,
                "source": "placement",
                "created_at": now,
                "dialable": dialable,
            }
    # Whether each number may be dialled, and when: a known guarantor's are recomputed with the account.
    ids = call_group_ids(session, groups)
    for (key, row), group in zip(rows.items(), groups, strict=True):
        row["call_group_id"] = ids[group]
        row.update(_phone_consent_columns(told_new[key]))
    insert_rows(session, PHONE_T, list(rows.values()))
    stored = dict(known.values())
    update_by_id(
        session,
        PHONE_T,
        [
            {"row_id": phone_id, **_phone_consent_columns(consent)}
            for phone_id, consent in told_known.items()
            if consent != stored[phone_id]
        ],
    )
    return remade & new_guarantors


def _collector_ids(session: Session, records: Sequence[PlacementRecord]) -> dict[str, int]:
    logins = sorted({r.collector_login for r in records if r.collector_login})
    if not logins:
        return {}
    c = COLLECTOR_T.c
    return {
        row.login: row.id
        for row in select_in_chunks(
            session,
            # An operator (the nightly service account) works no accounts: such a row is placed
            # with nobody, as for a login that is not an active user.
            lambda names: select(c.login, c.id).where(
                c.login.in_(names), c.active.is_(True), c.role != Role.OPERATOR
            ),
            logins,
        )
    }


def _replace_charges(
    session: Session,
    records: Sequence[PlacementRecord],
    ids_by_key: dict[tuple[str, str], int],
    old_accounts: set[int],
) -> None:
    """The file's charge lines replace the account's (only accounts that existed can have any)."""
    for part in chunks(sorted(old_accounts)):
        session.execute(delete(CHARGE_T).where(CHARGE_T.c.account_id.in_(list(part))))
    rows = [
        {
            "account_id": ids_by_key[r.key],
            "line_number": ch.line_number,
            "service_date": ch.service_date,
            "procedure_code": ch.procedure_code,
            "description": ch.description,
            "amount_cents": ch.amount_cents,
        }
        for r in records
        for ch in r.charges
    ]
    insert_rows(session, CHARGE_T, rows)


def _claim_values(claim: ClaimInput) -> dict[str, Any]:
    return {
        "payer_name": claim.payer_name,
        "status": claim.status,
        "billed_cents": claim.billed_cents,
        "allowed_cents": claim.allowed_cents,
        "paid_cents": claim.paid_cents,
        "patient_share_cents": claim.patient_share_cents,
        "submitted_date": claim.submitted_date,
        "timely_filing_deadline": claim.timely_filing_deadline,
        "appeal_deadline": claim.appeal_deadline,
        "control_number": claim.control_number,
        "payer_claim_number": claim.payer_claim_number,
    }


def _upsert_claims(
    session: Session,
    records: Sequence[PlacementRecord],
    ids_by_key: dict[tuple[str, str], int],
    old_accounts: set[int],
    actor: Actor,
    now: datetime,
) -> None:
    with_claims = [r for r in records if r.claim is not None]
    if not with_claims:
        return
    c = CLAIM_T.c

    def load(account_ids: set[int]) -> dict[tuple[int, str], int]:
        return {
            (row.account_id, row.claim_number): row.id
            for row in select_in_chunks(
                session,
                lambda ids: select(c.id, c.account_id, c.claim_number).where(c.account_id.in_(ids)),
                account_ids,
            )
        }

    known = load({ids_by_key[r.key] for r in with_claims} & old_accounts)
    inserts: list[dict[str, Any]] = []
    updates: list[dict[str, Any]] = []
    for record in with_claims:
        assert record.claim is not None
        key = (ids_by_key[record.key], record.claim.claim_number)
        values = _claim_values(record.claim)
        if key in known:
            updates.append({"row_id": known[key], **values})
        else:
            inserts.append({"account_id": key[0], "claim_number": key[1], **values})
    insert_rows(session, CLAIM_T, inserts)
    update_by_id(session, CLAIM_T, updates)
    # Denial codes are replaced; a new claim has none to delete, and its id is
    # needed only if it brings codes.
    for part in chunks([row["row_id"] for row in updates]):
        session.execute(delete(DENIAL_T).where(DENIAL_T.c.claim_id.in_(list(part))))
    coded = [r for r in with_claims if r.claim is not None and r.claim.denials]
    unknown = {
        ids_by_key[r.key] for r in coded if r.claim and (ids_by_key[r.key], r.claim.claim_number) not in known
    }
    known.update(load(unknown))
    denials = [
        {
            "claim_id": known[(ids_by_key[r.key], r.claim.claim_number)],
            "code_set": d.code_set,
            "group_code": d.group_code,
            "code": d.code,
        }
        for r in coded
        if r.claim is not None
        for d in dict.fromkeys(r.claim.denials)
    ]
    insert_rows(session, DENIAL_T, denials)
    _open_placement_denials(session, coded, ids_by_key, known, actor, now)
    remember_payers(session, [(r.claim.payer_name, "", "") for r in with_claims if r.claim is not None], now)


def _open_placement_denials(
    session: Session,
    coded: Sequence[PlacementRecord],
    ids_by_key: dict[tuple[str, str], int],
    claim_ids: dict[tuple[int, str], int],
    actor: Actor,
    now: datetime,
) -> None:
    """A denied claim whose codes hold a denial (a CARC that is neither the patient's share nor the
    contract: ``DenialPolicy.is_denial``) opens a denial item, once per claim ever (a re-run of the
    file, or an item a person closed, opens nothing); a claim denied with only PR codes is the
    patient's to pay, already in the file's patient share. The file's appeal and timely-filing
    deadlines are the item's; the denied amount is what neither the payer nor the patient's share
    covers."""
    policy = current_denial_policy()
    candidates = []
    for r in coded:
        claim = r.claim
        if claim is None or claim.status != ClaimStatus.DENIED:
            continue
        denials = tuple(
            Adjusted(d.group_code, d.code, 0)
            for d in claim.denials
            if d.group_code and policy.is_denial(d.group_code, d.code)
        )
        denied = claim.billed_cents - claim.paid_cents - claim.patient_share_cents
        if not denials or denied <= 0:
            continue  # nothing the payer may still pay: the patient's share covers the rest
        account_id = ids_by_key[r.key]
        candidates.append(
            DenialCandidate(
                claim_id=claim_ids[(account_id, claim.claim_number)],
                account_id=account_id,
                payer_name=claim.payer_name,
                payer_claim_number=claim.payer_claim_number,
                denials=denials,
                codes=tuple(f"{d.group_code}-{d.code}" if d.group_code else d.code for d in claim.denials),
                source=DenialSource.PLACEMENT,
                denied_cents=denied,
                appeal_deadline=claim.appeal_deadline,
                corrected_claim_deadline=claim.timely_filing_deadline,
            )
        )
    open_denial_items(session, candidates, actor=actor, now=now)


def _sync_dispute_holds(
    session: Session,
    records: Sequence[PlacementRecord],
    ids_by_key: dict[tuple[str, str], int],
    old_accounts: set[int],
    now: datetime,
) -> None:
    """The file's dispute flag opens a hold, and releases only a hold the file opened."""
    c = HOLD_T.c
    account_ids = old_accounts  # a new account has no holds yet
    open_holds: dict[int, list[tuple[int, str]]] = {}
    for row in select_in_chunks(
        session,
        lambda ids: select(c.id, c.account_id, c.source).where(
            and_(c.account_id.in_(ids), c.reason == HoldReason.DISPUTE, c.released_at.is_(None))
        ),
        account_ids,
    ):
        open_holds.setdefault(row.account_id, []).append((row.id, row.source))
    inserts: list[dict[str, Any]] = []
    releases: list[dict[str, Any]] = []
    for record in records:
        account_id = ids_by_key[record.key]
        holds = open_holds.get(account_id, [])
        if record.dispute and not holds:
            inserts.append(
                {
                    "account_id": account_id,
                    "reason": HoldReason.DISPUTE,
                    "placed_at": now,
                    "placed_by_id": None,
                    "released_at": None,
                    "source": "placement",
                }
            )
        elif not record.dispute:
            releases.extend(
                {"row_id": hold_id, "released_at": now} for hold_id, source in holds if source == "placement"
            )
    insert_rows(session, HOLD_T, inserts)
    update_by_id(session, HOLD_T, releases)
