"""Finding an account while the patient is on the line: by phone, name, account number or birth date.

The typed text is read in the domain (:func:`~collector_tui.domain.account_search.parse_account_query`);
each reading is one indexed query, at a million accounts (``docs/performance.md``):

- a phone (whole or its end, four digits or more): ``ix_phone_last_four`` on the number's last
  four characters, then the rest of the digits on the rows found;
- a name, either order and any case: ``ix_guarantor_name`` (``upper(last), upper(first)``) as a
  range per guess;
- an account number's start: the ``account_number`` index as a range;
- a birth date: the ``date_of_birth`` index.

The guarantors found lead to their accounts by ``ix_account_guarantor``. A collector finds only
the accounts they may see (the same rule as opening one:
:func:`~collector_tui.services.team.permissions.viewable_accounts_clause`), so a search never
tells them that an account they may not open exists.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import ColumnElement, Select, case, func, literal_column, select
from sqlmodel import Session

from collector_tui.db.tables import ACCOUNT_T, FACILITY_T, GUARANTOR_T, PHONE_T
from collector_tui.domain.account_search import AccountQuery, parse_account_query
from collector_tui.services.audit import Actor
from collector_tui.services.database import Database
from collector_tui.services.team.permissions import (
    allows_unassigned,
    require_active,
    viewable_accounts_clause,
)
from collector_tui.vocabulary import AccountStatus

SEARCH_LIMIT = 20


@dataclass(frozen=True, slots=True)
class FoundAccount:
    """One account found, with what tells two people of the same name apart."""

    account_id: int
    account_number: str
    facility_code: str
    facility_name: str
    status: str
    balance_cents: int
    guarantor_name: str  # LAST, FIRST
    date_of_birth: date | None
    city: str | None
    state: str | None
    matched: str  # which reading found it: "phone", "name", "account number", "birth date"


def _prefix_range(column: ColumnElement[Any], prefix: str) -> tuple[ColumnElement[bool], ...]:
    """``column`` starts with ``prefix``, as a range an index can answer (binary order)."""
    after = prefix[:-1] + chr(ord(prefix[-1]) + 1)
    return (column >= prefix, column < after)


def _guarantor_readings(query: AccountQuery) -> list[tuple[str, Select[Any]]]:
    """(what matched, the ids of the guarantors that match) for each reading of the query."""
    g, p = GUARANTOR_T.c, PHONE_T.c
    readings: list[tuple[str, Select[Any]]] = []
    if query.phone_digits:
        digits = query.phone_digits
        # The 3 is SQL text, not a bound parameter: ``length(number) - ?`` is not the expression
        # ``ix_phone_last_four`` holds, and SQLite would scan every phone.
        last_four = func.substr(p.number, func.length(p.number) - literal_column("3"))
        readings.append(
            ("phone", select(p.guarantor_id).where(last_four == digits[-4:], p.number.endswith(digits)))
        )
    for guess in query.names:
        where = list(_prefix_range(func.upper(g.last_name), guess.last))
        if guess.first:
            where += _prefix_range(func.upper(g.first_name), guess.first)
        readings.append(("name", select(g.id).where(*where)))
    if query.born is not None:
        readings.append(("birth date", select(g.id).where(g.date_of_birth == query.born)))
    return readings


def _account_readings(query: AccountQuery) -> list[tuple[str, ColumnElement[bool]]]:
    a = ACCOUNT_T.c
    found: list[tuple[str, ColumnElement[bool]]] = [
        (what, a.guarantor_id.in_(ids)) for what, ids in _guarantor_readings(query)
    ]
    if query.account_prefix:
        low, high = _prefix_range(a.account_number, query.account_prefix)
        found.append(("account number", low & high))
    return found


def find_accounts(db: Database, actor: Actor, text: str, *, limit: int = SEARCH_LIMIT) -> list[FoundAccount]:
    """The accounts ``actor`` may see that ``text`` names, open ones first, at most ``limit``."""
    query = parse_account_query(text)
    if query.empty:
        return []
    a, g, f = ACCOUNT_T.c, GUARANTOR_T.c, FACILITY_T.c
    with db.reading() as session:
        require_active(session, actor)
        visible = viewable_accounts_clause(
            actor, a.assigned_collector_id, unassigned_allowed=allows_unassigned(session)
        )
        matched: dict[int, str] = {}
        for what, where in _account_readings(query):
            ids = select(a.id).where(where) if visible is None else select(a.id).where(where, visible)
            for account_id in session.execute(ids.limit(limit * 5)).scalars():
                matched.setdefault(int(account_id), what)
        if not matched:
            return []
        rows = session.execute(
            select(
                a.id,
                a.account_number,
                a.status,
                a.total_balance_cents,
                f.code,
                f.name,
                g.last_name,
                g.first_name,
                g.date_of_birth,
                g.city,
                g.state,
            )
            .join(GUARANTOR_T, g.id == a.guarantor_id)
            .join(FACILITY_T, f.id == a.facility_id)
            .where(a.id.in_(matched))
            .order_by(case((a.status == AccountStatus.OPEN, 0), else_=1), a.account_number, a.id)
            .limit(limit)
        ).all()
    return [_found(row, matched[row.id]) for row in rows]


def _found(row: Any, matched: str) -> FoundAccount:
    return FoundAccount(
        account_id=row.id,
        account_number=row.account_number,
        facility_code=row.code,
        facility_name=row.name,
        status=row.status,
        balance_cents=row.total_balance_cents,
        guarantor_name=f"{row.last_name.upper()}, {row.first_name.upper()}",
        date_of_birth=row.date_of_birth,
        city=row.city,
        state=row.state,
        matched=matched,
    )


def search_plans(session: Session, text: str) -> list[str]:
    """The query plan of each reading of ``text`` (for the tests that keep every one indexed), with
    its values bound as :func:`find_accounts` sends them (a literal can match an expression index
    that a bound parameter does not)."""
    plans = []
    a = ACCOUNT_T.c
    for _, where in _account_readings(parse_account_query(text)):
        compiled = select(a.id).where(where).compile(session.get_bind())
        values = tuple(compiled.params[name] for name in compiled.positiontup or ())
        rows = session.connection().exec_driver_sql(f"EXPLAIN QUERY PLAN {compiled}", values).all()
        plans.append("\n".join(str(row[-1]) for row in rows))
    return plans


__all__ = ["SEARCH_LIMIT", "FoundAccount", "find_accounts", "search_plans"]
