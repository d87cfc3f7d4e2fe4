"""The three nightly files: their columns, their row parser, and the service that applies them."""

from __future__ import annotations

from collections.abc import Callable, Hashable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, NamedTuple

from sqlmodel import Session

from collector_tui.domain import contact_log, money_events, placement
from collector_tui.domain.fields import FieldError, RowFormat, RowReader
from collector_tui.domain.money_events import TransactionRecord
from collector_tui.services.audit import Actor
from collector_tui.services.desk.activities import apply_activities
from collector_tui.services.files.placement_values import (
    NEW_FACILITY,
    FacilityRules,
    PlacementValues,
    facility_rules_by_code,
    placement_values,
)
from collector_tui.services.files.placements import apply_placements
from collector_tui.services.law.policy import current_workspace_policy
from collector_tui.services.money.transactions import apply_transactions

Parser = Callable[..., Any]


@dataclass
class Applied:
    """What one batch did, in the importer's terms."""

    inserted: int = 0
    updated: int = 0
    unchanged: int = 0
    closed: int = 0
    total_cents: int = 0
    rejected: list[tuple[Hashable, str, str]] = field(default_factory=list)  # (record key, field, reason)


@dataclass(frozen=True)
class ImportKind:
    """A nightly file: its columns, how a row parses, and how the parsed items are applied.

    ``prepare`` (with what ``context`` reads before parsing starts) turns a
    parsed record into the item ``record_key`` and ``apply`` take; it runs
    beside the parsing, in the worker when there is one, so pure work done
    there is work the writing process is spared.
    """

    name: str
    columns: tuple[str, ...]
    required: tuple[str, ...]
    key_columns: tuple[str, ...]  # unique within one file
    trailer_money_column: str | None  # summed for the trailer check
    parse: Callable[[Mapping[str, str | None], date, RowFormat], Any]
    record_key: Callable[[Any], Hashable]
    apply: Callable[[Session, Sequence[Any], Actor, datetime, int], Applied]
    prepare: Callable[[Any, datetime, Any], Any] | None = None  # (record, now, context) -> item
    context: Callable[[Session], Any] | None = None
    free_text: frozenset[str] = frozenset()  # columns that may hold line breaks and tabs
    column_set: frozenset[str] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "column_set", frozenset(self.columns))


def _parse_placement(row: Mapping[str, str | None], today: date, fmt: RowFormat) -> Any:
    return placement.parse_placement_row(row, today=today, fmt=fmt)


class PreparedPlacement(NamedTuple):
    """A placement record with the values its new account would store, worked out while parsing."""

    record: placement.PlacementRecord
    values: PlacementValues | None  # None for a recall or close
    # The facility column in which the row contradicts an earlier row of the file (it is rejected).
    conflict: FieldError | None = None


@dataclass
class PlacementContext:
    """What preparing a file's rows reads before they are parsed, and learns from them in order."""

    rules: Mapping[str, FacilityRules]  # each facility's (nonprofit, regime, state) on file
    # What the file's rows said of each facility so far: the first row to say a fact decides it.
    said: dict[str, placement.FacilityFacts] = field(default_factory=dict)

    def facility_rules(self, code: str) -> FacilityRules:
        """The rules a facility will have once the file's facts about it are applied."""
        nonprofit, regime, state = self.rules.get(code, NEW_FACILITY)
        said = self.said.get(code, placement.FacilityFacts())
        return (
            nonprofit if said.nonprofit is None else said.nonprofit,
            regime if said.regime is None else said.regime,
            state if said.state is None else said.state,
        )


def _placement_context(session: Session) -> PlacementContext:
    return PlacementContext(facility_rules_by_code(session))


def _prepare_placement(
    record: placement.PlacementRecord, now: datetime, context: PlacementContext
) -> PreparedPlacement:
    """Rows run through here in file order (in the parsing worker when there is one), so a row
    that contradicts an earlier row about its facility is found whichever batch each falls in.
    The import applies it to nothing and rejects it; under ``--strict`` that rolls the file back."""
    if record.guarantor is None:
        return PreparedPlacement(record, None)
    problems = placement.facility_disagreements(context.said, record)
    if problems:
        return PreparedPlacement(record, None, problems[0])
    rules = context.facility_rules(record.facility_code)
    return PreparedPlacement(record, placement_values(record, now, rules))


def _apply_placements(
    session: Session, items: Sequence[PreparedPlacement], actor: Actor, now: datetime, batch_id: int
) -> Applied:
    refused = [item for item in items if item.conflict is not None]
    records = [item.record for item in items if item.conflict is None]
    ahead = {item.record.key: item.values for item in items if item.values is not None}
    result = apply_placements(session, records, actor=actor, now=now, batch_id=batch_id, ahead=ahead)
    rejected: list[tuple[Hashable, str, str]] = [
        (item.record.key, item.conflict.field, item.conflict.reason)
        for item in refused
        if item.conflict is not None
    ]
    return Applied(
        inserted=result.inserted,
        updated=result.updated,
        unchanged=result.unchanged,
        closed=result.closed,
        total_cents=result.total_cents,
        rejected=rejected + [(r.key, r.field, r.reason) for r in result.rejected],
    )


# The transactions file's columns: the billing system's, and the flag only an import carries.
TRANSACTION_IMPORT_COLUMNS: tuple[str, ...] = (*money_events.TRANSACTION_COLUMNS, "overpayment")


class ImportedTransaction(NamedTuple):
    """A transaction row: its record, and whether the row says it overpays the balance on purpose."""

    record: TransactionRecord
    overpayment: bool


def _parse_transaction(
    row: Mapping[str, str | None], today: date, fmt: RowFormat
) -> ImportedTransaction | list[FieldError]:
    record = money_events.parse_transaction_row(row, today=today, fmt=fmt)
    flag = RowReader({"overpayment": row.get("overpayment")}, today, fmt)
    overpayment = flag.flag("overpayment")
    if isinstance(record, list) or flag.errors:
        return (record if isinstance(record, list) else []) + flag.errors
    return ImportedTransaction(record, overpayment)


def _apply_transactions(
    session: Session, items: Sequence[ImportedTransaction], actor: Actor, now: datetime, batch_id: int
) -> Applied:
    result = apply_transactions(
        session,
        [item.record for item in items],
        actor=actor,
        now=now,
        batch_id=batch_id,
        overpayment_ok={item.record.external_id for item in items if item.overpayment},
    )
    return Applied(
        inserted=result.inserted,
        unchanged=result.unchanged,
        total_cents=result.total_cents,
        rejected=list(result.rejected),
    )


def _parse_activity(row: Mapping[str, str | None], today: date, fmt: RowFormat) -> Any:
    dispositions = current_workspace_policy().dispositions
    return contact_log.parse_activity_row(row, today=today, dispositions=dispositions, fmt=fmt)


def _apply_activities(
    session: Session, records: Sequence[Any], actor: Actor, now: datetime, batch_id: int
) -> Applied:
    result = apply_activities(session, records, actor=actor, now=now, batch_id=batch_id)
    return Applied(inserted=result.inserted, unchanged=result.unchanged, rejected=list(result.rejected))


PLACEMENTS = ImportKind(
    name="placements",
    columns=placement.PLACEMENT_COLUMNS,
    required=placement.REQUIRED_COLUMNS,
    key_columns=("facility_code", "account_number"),
    trailer_money_column="total_balance",
    parse=_parse_placement,
    record_key=lambda item: item.record.key,
    apply=_apply_placements,
    prepare=_prepare_placement,
    context=_placement_context,
)
TRANSACTIONS = ImportKind(
    name="transactions",
    columns=TRANSACTION_IMPORT_COLUMNS,
    required=("transaction_id", "facility_code", "account_number", "kind", "amount", "posted_at"),
    key_columns=("transaction_id",),
    trailer_money_column="amount",
    parse=_parse_transaction,
    record_key=lambda item: item.record.external_id,
    apply=_apply_transactions,
)
ACTIVITIES = ImportKind(
    name="activities",
    columns=contact_log.ACTIVITY_COLUMNS,
    required=("activity_id", "facility_code", "account_number", "occurred_at", "result_code"),
    key_columns=("activity_id",),
    trailer_money_column=None,
    parse=_parse_activity,
    record_key=lambda record: record.external_id,
    apply=_apply_activities,
    free_text=frozenset({"note"}),
)
KINDS = {kind.name: kind for kind in (PLACEMENTS, TRANSACTIONS, ACTIVITIES)}

__all__ = ["ACTIVITIES", "KINDS", "PLACEMENTS", "TRANSACTIONS", "Applied", "FieldError", "ImportKind"]
