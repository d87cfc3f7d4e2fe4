"""Exporting the day's work back to the billing system.

Rows are streamed page by page (keyset on id) into a private temporary file
that is renamed into place only when complete; ``--since-last`` advances the
stored watermark only after that. The window ends a minute before the
export starts, so a write still committing then is picked up next time
rather than lost.

The denial kinds, and the moment each one's window is on:

- ``denials``: one row per denial item, written again each time it changes (``updated_at``:
  opened, decided again by a payer, worked, answered, moved to another owner or closed; a nightly
  rescore is no change), so the billing system's copy follows its status and outcome;
- ``appeals``: one row per appeal filed, by when it was logged (the action's ``occurred_at``,
  which never changes), with the day it was filed (``filed_on``);
- ``postings``: one row per 835 claim line (CLP), by when its remittance was posted
  (``remittance.imported_at``), with the exception the line became, if any;
- ``billing-tasks``: one row per corrected claim, resubmission or other payer to bill (the
  action's ``occurred_at``, which never changes): a nightly ``--since-last`` hands each task to
  billing once.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import IO, Any

from sqlalchemy import Select, Table, and_, func, select
from sqlmodel import Session

from collector_tui.db.tables import (
    ACCOUNT_T,
    ACTIVITY_T,
    CLAIM_T,
    COLLECTOR_T,
    DENIAL_ACTION_T,
    DENIAL_ITEM_T,
    FACILITY_T,
    PHONE_T,
    PLAN_T,
    PROMISE_T,
    REMITTANCE_CLAIM_T,
    REMITTANCE_EXCEPTION_T,
    REMITTANCE_T,
    TX_T,
    WATERMARK_T,
)
from collector_tui.domain.money import cents_to_decimal
from collector_tui.services import audit
from collector_tui.services.audit import Actor
from collector_tui.services.bulk import put_row
from collector_tui.services.database import Database
from collector_tui.services.errors import ServiceError
from collector_tui.services.files.output_files import database_files, replacing
from collector_tui.services.team.permissions import Permission, require, require_active
from collector_tui.vocabulary import DenialActionKind

PAGE = 2000
SETTLE = timedelta(minutes=1)
# The starts OWASP's CSV-injection guidance lists: a spreadsheet runs such a cell as a formula.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


class ExportError(ServiceError):
    """The export could not be written; nothing was moved into place."""


@dataclass(frozen=True)
class ExportKind:
    name: str
    columns: tuple[str, ...]
    query: Callable[[datetime, datetime], Select[Any]]  # rows changed in [since, through), ordered by id
    id_column: Any


def _money(cents: int | None) -> Decimal | None:
    """Dollars as a number, so a negative amount is never taken for text (and neutralised)."""
    return None if cents is None else cents_to_decimal(cents)


def _stamp(moment: datetime | None) -> str | None:
    return None if moment is None else moment.astimezone(UTC).isoformat().replace("+00:00", "Z")


def _day(day: date | None) -> str | None:
    return None if day is None else day.isoformat()


def _written_on_accounts(query: Select[Any], table: Table, since: datetime, through: datetime) -> Select[Any]:
    """``table``'s rows written in [since, through), with their account number and facility code."""
    return (
        query.join(ACCOUNT_T, ACCOUNT_T.c.id == table.c.account_id)
        .join(FACILITY_T, FACILITY_T.c.id == ACCOUNT_T.c.facility_id)
        .where(table.c.created_at >= since, table.c.created_at < through)
    )


def _activities(since: datetime, through: datetime) -> Select[Any]:
    query = (
        select(
            ACTIVITY_T.c.id,
            ACTIVITY_T.c.external_id,
            FACILITY_T.c.code.label("facility_code"),
            ACCOUNT_T.c.account_number,
            ACTIVITY_T.c.occurred_at,
            ACTIVITY_T.c.channel,
            ACTIVITY_T.c.direction,
            PHONE_T.c.number.label("phone"),
            ACTIVITY_T.c.party,
            ACTIVITY_T.c.outcome_code.label("result_code"),
            ACTIVITY_T.c.note,
            COLLECTOR_T.c.login.label("collector_login"),
            ACTIVITY_T.c.source,
        )
        .join(PHONE_T, PHONE_T.c.id == ACTIVITY_T.c.phone_id, isouter=True)
        .join(COLLECTOR_T, COLLECTOR_T.c.id == ACTIVITY_T.c.collector_id, isouter=True)
    )
    return _written_on_accounts(query, ACTIVITY_T, since, through)


def _transactions(since: datetime, through: datetime) -> Select[Any]:
    query = select(
        TX_T.c.id,
        TX_T.c.external_id,
        FACILITY_T.c.code.label("facility_code"),
        ACCOUNT_T.c.account_number,
        TX_T.c.kind,
        TX_T.c.amount_cents,
        TX_T.c.posted_at,
        TX_T.c.method,
        TX_T.c.reference,
        TX_T.c.source,
    )
    return _written_on_accounts(query, TX_T, since, through)


def _promises(since: datetime, through: datetime) -> Select[Any]:
    query = select(
        PROMISE_T.c.id,
        FACILITY_T.c.code.label("facility_code"),
        ACCOUNT_T.c.account_number,
        PROMISE_T.c.amount_cents,
        PROMISE_T.c.due_date,
        PROMISE_T.c.status,
        PROMISE_T.c.created_at,
        COLLECTOR_T.c.login.label("collector_login"),
    ).join(COLLECTOR_T, COLLECTOR_T.c.id == PROMISE_T.c.collector_id, isouter=True)
    return _written_on_accounts(query, PROMISE_T, since, through)


def _plans(since: datetime, through: datetime) -> Select[Any]:
    query = select(
        PLAN_T.c.id,
        FACILITY_T.c.code.label("facility_code"),
        ACCOUNT_T.c.account_number,
        PLAN_T.c.status,
        PLAN_T.c.frequency,
        PLAN_T.c.installment_count,
        PLAN_T.c.installment_cents,
        PLAN_T.c.principal_cents,
        PLAN_T.c.first_due_date,
        PLAN_T.c.created_at,
    )
    return _written_on_accounts(query, PLAN_T, since, through)


def _accounts(since: datetime, through: datetime) -> Select[Any]:
    return (
        select(
            ACCOUNT_T.c.id,
            FACILITY_T.c.code.label("facility_code"),
            ACCOUNT_T.c.account_number,
            ACCOUNT_T.c.status,
            ACCOUNT_T.c.total_balance_cents,
            ACCOUNT_T.c.insurance_pending_cents,
            ACCOUNT_T.c.patient_responsibility_cents,
            COLLECTOR_T.c.login.label("collector_login"),
            ACCOUNT_T.c.last_contact_at,
            ACCOUNT_T.c.next_action_at,
            ACCOUNT_T.c.fap_status,
            ACCOUNT_T.c.version,
            ACCOUNT_T.c.updated_at,
        )
        .join(FACILITY_T, FACILITY_T.c.id == ACCOUNT_T.c.facility_id)
        .join(COLLECTOR_T, COLLECTOR_T.c.id == ACCOUNT_T.c.assigned_collector_id, isouter=True)
        .where(ACCOUNT_T.c.updated_at >= since, ACCOUNT_T.c.updated_at < through)
    )


def _in(column: Any, since: datetime, through: datetime) -> Any:
    return and_(column >= since, column < through)


def _on_items(query: Select[Any], table: Table) -> Select[Any]:
    """``table``'s rows (denial actions) with their item, claim, account number and facility code."""
    d = DENIAL_ITEM_T.c
    return (
        query.join(DENIAL_ITEM_T, d.id == table.c.item_id)
        .join(CLAIM_T, CLAIM_T.c.id == d.claim_id)
        .join(ACCOUNT_T, ACCOUNT_T.c.id == d.account_id)
        .join(FACILITY_T, FACILITY_T.c.id == ACCOUNT_T.c.facility_id)
        .join(COLLECTOR_T, COLLECTOR_T.c.id == table.c.collector_id, isouter=True)
    )


def _denials(since: datetime, through: datetime) -> Select[Any]:
    d = DENIAL_ITEM_T.c
    changed = _in(d.updated_at, since, through)
    return (
        select(
            d.id,
            d.claim_id,
            d.account_id,
            FACILITY_T.c.code.label("facility_code"),
            ACCOUNT_T.c.account_number,
            CLAIM_T.c.claim_number,
            d.payer_name,
            d.payer_claim_number,
            d.group_code,
            d.carc,
            d.codes,
            d.scenario,
            d.category,
            d.denied_cents,
            d.patient_cents,
            d.remit_date,
            d.appeal_deadline,
            d.corrected_claim_deadline,
            d.response_due,
            d.status,
            d.outcome,
            d.recovered_cents,
            COLLECTOR_T.c.login.label("owner_login"),
            d.opened_at,
            d.worked_at,
            d.closed_at,
            d.updated_at,
        )
        .select_from(DENIAL_ITEM_T)
        .join(CLAIM_T, CLAIM_T.c.id == d.claim_id)
        .join(ACCOUNT_T, ACCOUNT_T.c.id == d.account_id)
        .join(FACILITY_T, FACILITY_T.c.id == ACCOUNT_T.c.facility_id)
        .join(COLLECTOR_T, COLLECTOR_T.c.id == d.owner_id, isouter=True)
        .where(changed)
    )


def _appeals(since: datetime, through: datetime) -> Select[Any]:
    e, d = DENIAL_ACTION_T.c, DENIAL_ITEM_T.c
    query = select(
        e.id,
        e.item_id,
        e.account_id,
        FACILITY_T.c.code.label("facility_code"),
        ACCOUNT_T.c.account_number,
        CLAIM_T.c.claim_number,
        d.payer_name,
        d.payer_claim_number,
        e.appeal_level,
        e.acted_on,
        e.occurred_at,
        e.deadline,
        e.reference,
        COLLECTOR_T.c.login.label("by_login"),
        d.status,
        d.outcome,
    ).select_from(DENIAL_ACTION_T)
    return _on_items(query, DENIAL_ACTION_T).where(
        e.kind == DenialActionKind.APPEAL, _in(e.occurred_at, since, through)
    )


BILLING_TASKS = (
    DenialActionKind.CORRECTED_CLAIM,
    DenialActionKind.RESUBMISSION,
    DenialActionKind.BILL_OTHER_PAYER,
)


def _billing_tasks(since: datetime, through: datetime) -> Select[Any]:
    e, d = DENIAL_ACTION_T.c, DENIAL_ITEM_T.c
    query = select(
        e.id,
        e.item_id,
        e.kind,
        FACILITY_T.c.code.label("facility_code"),
        ACCOUNT_T.c.account_number,
        CLAIM_T.c.claim_number,
        d.payer_name,
        d.payer_claim_number,
        e.frequency_code,
        e.other_payer,
        e.note,
        COLLECTOR_T.c.login.label("by_login"),
        e.occurred_at,
    ).select_from(DENIAL_ACTION_T)
    return _on_items(query, DENIAL_ACTION_T).where(
        e.kind.in_(BILLING_TASKS), _in(e.occurred_at, since, through)
    )


def _postings(since: datetime, through: datetime) -> Select[Any]:
    r, rc, x = REMITTANCE_T.c, REMITTANCE_CLAIM_T.c, REMITTANCE_EXCEPTION_T.c
    exception = select(func.min(x.reason)).where(x.remittance_claim_id == rc.id).scalar_subquery()
    return (
        select(
            rc.id,
            rc.remittance_id,
            r.payer_id,
            r.payer_name,
            r.trace_number,
            r.payment_date,
            rc.control_number,
            rc.status_code,
            rc.charge_cents,
            rc.paid_cents,
            rc.patient_responsibility_cents,
            rc.payer_claim_number,
            rc.claim_id,
            FACILITY_T.c.code.label("facility_code"),
            ACCOUNT_T.c.account_number,
            rc.needs_review,
            exception.label("exception_reason"),
            r.imported_at,
        )
        .select_from(REMITTANCE_CLAIM_T)
        .join(REMITTANCE_T, r.id == rc.remittance_id)
        .join(CLAIM_T, CLAIM_T.c.id == rc.claim_id, isouter=True)
        .join(ACCOUNT_T, ACCOUNT_T.c.id == CLAIM_T.c.account_id, isouter=True)
        .join(FACILITY_T, FACILITY_T.c.id == ACCOUNT_T.c.facility_id, isouter=True)
        .where(_in(r.imported_at, since, through))
    )


KINDS: dict[str, ExportKind] = {
    kind.name: kind
    for kind in (
        ExportKind(
            "activities",
            (
                "activity_id",
                "source_id",
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
                "source",
            ),
            _activities,
            ACTIVITY_T.c.id,
        ),
        ExportKind(
            "transactions",
            (
                "transaction_id",
                "source_id",
                "facility_code",
                "account_number",
                "kind",
                "amount",
                "posted_at",
                "method",
                "reference",
                "source",
            ),
            _transactions,
            TX_T.c.id,
        ),
        ExportKind(
            "promises",
            (
                "promise_id",
                "facility_code",
                "account_number",
                "amount",
                "due_date",
                "status",
                "created_at",
                "collector_login",
            ),
            _promises,
            PROMISE_T.c.id,
        ),
        ExportKind(
            "plans",
            (
                "plan_id",
                "facility_code",
                "account_number",
                "status",
                "frequency",
                "installment_count",
                "installment_amount",
                "principal",
                "first_due_date",
                "created_at",
            ),
            _plans,
            PLAN_T.c.id,
        ),
        ExportKind(
            "accounts",
            (
                "account_id",
                "facility_code",
                "account_number",
                "status",
                "total_balance",
                "insurance_pending",
                "patient_responsibility",
                "collector_login",
                "last_contact_at",
                "next_action_at",
                "fap_status",
                "version",
                "updated_at",
            ),
            _accounts,
            ACCOUNT_T.c.id,
        ),
        ExportKind(
            "denials",
            (
                "denial_item_id",
                "claim_id",
                "account_id",
                "facility_code",
                "account_number",
                "claim_number",
                "payer",
                "payer_claim_number",
                "group_code",
                "carc",
                "codes",
                "scenario",
                "category",
                "denied",
                "patient",
                "remit_date",
                "appeal_deadline",
                "corrected_claim_deadline",
                "response_due",
                "status",
                "outcome",
                "recovered",
                "owner_login",
                "opened_at",
                "worked_at",
                "closed_at",
                "updated_at",
            ),
            _denials,
            DENIAL_ITEM_T.c.id,
        ),
        ExportKind(
            "appeals",
            (
                "appeal_action_id",
                "denial_item_id",
                "account_id",
                "facility_code",
                "account_number",
                "claim_number",
                "payer",
                "payer_claim_number",
                "level",
                "filed_on",
                "logged_at",
                "deadline",
                "reference",
                "by_login",
                "item_status",
                "item_outcome",
            ),
            _appeals,
            DENIAL_ACTION_T.c.id,
        ),
        ExportKind(
            "postings",
            (
                "remittance_claim_id",
                "remittance_id",
                "payer_id",
                "payer",
                "trace_number",
                "payment_date",
                "claim_control_number",
                "claim_status_code",
                "charge",
                "paid",
                "patient_responsibility",
                "payer_claim_number",
                "claim_id",
                "facility_code",
                "account_number",
                "needs_review",
                "exception_reason",
                "posted_at",
            ),
            _postings,
            REMITTANCE_CLAIM_T.c.id,
        ),
        ExportKind(
            "billing-tasks",
            (
                "action_id",
                "denial_item_id",
                "task",
                "facility_code",
                "account_number",
                "claim_number",
                "payer",
                "payer_claim_number",
                "frequency_code",
                "other_payer",
                "reason",
                "requested_by",
                "requested_at",
            ),
            _billing_tasks,
            DENIAL_ACTION_T.c.id,
        ),
    )
}


def _shape(kind: str, row: Any) -> dict[str, Any]:
    """A database row as export cells: money in dollars, times in UTC ISO 8601."""
    m = dict(row._mapping)
    out: list[Any]
    if kind == "activities":
        out = [
            m["id"],
            m["external_id"],
            m["facility_code"],
            m["account_number"],
            _stamp(m["occurred_at"]),
            m["channel"],
            m["direction"],
            m["phone"],
            m["party"],
            m["result_code"],
            m["note"],
            m["collector_login"],
            m["source"],
        ]
    elif kind == "transactions":
        out = [
            m["id"],
            m["external_id"],
            m["facility_code"],
            m["account_number"],
            m["kind"],
            _money(m["amount_cents"]),
            _stamp(m["posted_at"]),
            m["method"],
            m["reference"],
            m["source"],
        ]
    elif kind == "promises":
        out = [
            m["id"],
            m["facility_code"],
            m["account_number"],
            _money(m["amount_cents"]),
            m["due_date"].isoformat(),
            m["status"],
            _stamp(m["created_at"]),
            m["collector_login"],
        ]
    elif kind == "plans":
        out = [
            m["id"],
            m["facility_code"],
            m["account_number"],
            m["status"],
            m["frequency"],
            m["installment_count"],
            _money(m["installment_cents"]),
            _money(m["principal_cents"]),
            m["first_due_date"].isoformat(),
            _stamp(m["created_at"]),
        ]
    elif kind in _DENIAL_SHAPES:
        out = _DENIAL_SHAPES[kind](m)
    else:
        out = [
            m["id"],
            m["facility_code"],
            m["account_number"],
            m["status"],
            _money(m["total_balance_cents"]),
            _money(m["insurance_pending_cents"]),
            _money(m["patient_responsibility_cents"]),
            m["collector_login"],
            _stamp(m["last_contact_at"]),
            _stamp(m["next_action_at"]),
            m["fap_status"],
            m["version"],
            _stamp(m["updated_at"]),
        ]
    return dict(zip(KINDS[kind].columns, out, strict=True))


def _denial_row(m: dict[str, Any]) -> list[Any]:
    return [
        m["id"],
        m["claim_id"],
        m["account_id"],
        m["facility_code"],
        m["account_number"],
        m["claim_number"],
        m["payer_name"],
        m["payer_claim_number"],
        m["group_code"],
        m["carc"],
        m["codes"],
        m["scenario"],
        m["category"],
        _money(m["denied_cents"]),
        _money(m["patient_cents"]),
        _day(m["remit_date"]),
        _day(m["appeal_deadline"]),
        _day(m["corrected_claim_deadline"]),
        _day(m["response_due"]),
        m["status"],
        m["outcome"],
        _money(m["recovered_cents"]),
        m["owner_login"],
        _stamp(m["opened_at"]),
        _stamp(m["worked_at"]),
        _stamp(m["closed_at"]),
        _stamp(m["updated_at"]),
    ]


def _appeal_row(m: dict[str, Any]) -> list[Any]:
    return [
        m["id"],
        m["item_id"],
        m["account_id"],
        m["facility_code"],
        m["account_number"],
        m["claim_number"],
        m["payer_name"],
        m["payer_claim_number"],
        m["appeal_level"],
        _day(m["acted_on"]),
        _stamp(m["occurred_at"]),
        _day(m["deadline"]),
        m["reference"],
        m["by_login"],
        m["status"],
        m["outcome"],
    ]


def _posting_row(m: dict[str, Any]) -> list[Any]:
    return [
        m["id"],
        m["remittance_id"],
        m["payer_id"],
        m["payer_name"],
        m["trace_number"],
        _day(m["payment_date"]),
        m["control_number"],
        m["status_code"],
        _money(m["charge_cents"]),
        _money(m["paid_cents"]),
        _money(m["patient_responsibility_cents"]),
        m["payer_claim_number"] or None,
        m["claim_id"],
        m["facility_code"],
        m["account_number"],
        bool(m["needs_review"]),
        m["exception_reason"],
        _stamp(m["imported_at"]),
    ]


def _billing_task_row(m: dict[str, Any]) -> list[Any]:
    return [
        m["id"],
        m["item_id"],
        m["kind"],
        m["facility_code"],
        m["account_number"],
        m["claim_number"],
        m["payer_name"],
        m["payer_claim_number"],
        m["frequency_code"],
        m["other_payer"],
        m["note"],
        m["by_login"],
        _stamp(m["occurred_at"]),
    ]


_DENIAL_SHAPES: dict[str, Callable[[dict[str, Any]], list[Any]]] = {
    "denials": _denial_row,
    "appeals": _appeal_row,
    "postings": _posting_row,
    "billing-tasks": _billing_task_row,
}


def neutralise(value: Any) -> Any:
    """Text a spreadsheet would run as a formula gets a leading apostrophe; numbers pass as they are."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def _csv_cell(value: Any) -> Any:
    """One CSV cell: every text value neutralised, whichever column it is in.

    A carriage return is written as a line feed: Python 3.11's writer quotes a
    cell for ``\n`` but not for a lone ``\r``, and an unquoted ``\r`` ends the
    record for most readers.
    """
    value = neutralise(value)
    if isinstance(value, str) and "\r" in value:
        return value.replace("\r\n", "\n").replace("\r", "\n")
    return value


def _pages(session: Session, kind: ExportKind, since: datetime, through: datetime) -> Iterator[Any]:
    after = 0
    while True:
        rows = session.execute(
            kind.query(since, through).where(kind.id_column > after).order_by(kind.id_column).limit(PAGE)
        ).all()
        if not rows:
            return
        yield from rows
        after = rows[-1][0]


@dataclass(frozen=True)
class ExportResult:
    kind: str
    rows: int
    since: datetime
    through: datetime
    out: str | None  # None for stdout


def _write(handle: IO[str], kind: ExportKind, rows: Iterator[Any], fmt: str) -> int:
    count = 0
    if fmt == "csv":
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(kind.columns)
        for row in rows:
            cells = _shape(kind.name, row)
            writer.writerow([_csv_cell(value) for value in cells.values()])
            count += 1
    else:
        # JSON Lines keep text exactly as stored: a JSON reader is not a spreadsheet.
        for row in rows:
            handle.write(json.dumps(_shape(kind.name, row), default=str, sort_keys=False) + "\n")
            count += 1
    return count


def _since(db: Database, name: str, since: datetime | None, since_last: bool) -> datetime:
    if since is not None:
        return since
    if not since_last:
        return EPOCH
    with db.reading() as session:
        w = WATERMARK_T.c
        mark: datetime | None = session.execute(
            select(w.exported_through).where(w.name == name)
        ).scalar_one_or_none()
        return mark if mark is not None else EPOCH


def export(
    db: Database,
    kind_name: str,
    *,
    actor: Actor,
    now: datetime,
    fmt: str = "csv",
    out: Path | None = None,
    stdout: IO[str] | None = None,
    since: datetime | None = None,
    since_last: bool = False,
) -> ExportResult:
    """Write one export; the watermark moves only after the whole file is in place.

    Operators (the nightly run), supervisors and admins may export (see :mod:`.permissions`); a
    collector is refused before anything is read.
    """
    require(actor, Permission.EXPORT)
    kind = KINDS[kind_name]
    if fmt not in ("csv", "jsonl"):
        raise ExportError(f"unknown format {fmt!r}; use csv or jsonl")
    start = _since(db, kind.name, since, since_last)
    through = now - SETTLE
    with db.reading() as session:
        require_active(session, actor)
        rows = _pages(session, kind, start, through)
        if out is None:
            assert stdout is not None
            count = _write(stdout, kind, rows, fmt)
            stdout.flush()
        else:
            count = _write_atomically(
                out, lambda handle: _write(handle, kind, rows, fmt), database_files(db.url)
            )
    with db.writing() as session:
        if since_last:
            moved = {"exported_through": through, "updated_at": now}
            put_row(session, WATERMARK_T, {"name": kind.name}, moved)
        audit.record(
            session,
            actor,
            f"export.{kind.name}",
            "export",
            [None],
            at=now,
            details={"rows": count, "format": fmt, "since_last": since_last},
        )
    return ExportResult(kind.name, count, start, through, None if out is None else str(out))


def _write_atomically(path: Path, write: Callable[[IO[str]], int], protected: list[Path]) -> int:
    with replacing(path, protected=protected, newline="") as handle:
        return write(handle)
