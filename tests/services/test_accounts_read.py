"""A collector's accounts page through by keyset, and one account reads in full."""

from __future__ import annotations

import pytest

from collector_tui.services.accounts import account_detail, list_my_accounts
from collector_tui.services.audit import Actor
from collector_tui.services.database import Database
from collector_tui.services.errors import NotFoundError
from collector_tui.services.identity import resolve_actor
from tests.conftest import NOW


def _actor(db: Database, login: str) -> Actor:
    return resolve_actor(db, act_as=login)


def test_pages_cover_every_open_account_once_in_priority_order(demo_db: Database) -> None:
    actor = _actor(demo_db, "mlopez")
    seen: list[int] = []
    cursor = None
    first = list_my_accounts(demo_db, actor, today=NOW.date(), limit=25)
    page = first
    while True:
        seen.extend(row.id for row in page.rows)
        keys = [(row.priority, row.id) for row in page.rows]
        assert keys == sorted(keys, reverse=True)
        cursor = page.next_cursor
        if cursor is None:
            break
        page = list_my_accounts(demo_db, actor, today=NOW.date(), after=cursor, limit=25)
    assert len(seen) == len(set(seen)) == first.total > 25
    with demo_db.reading() as session:
        expected = (
            session.connection()
            .exec_driver_sql(
                "SELECT count(*) FROM account a JOIN collector c ON c.id = a.assigned_collector_id "
                "WHERE c.login = 'mlopez' AND a.status = 'open'"
            )
            .scalar()
        )
    assert first.total == expected


def test_rows_carry_what_the_table_shows(demo_db: Database) -> None:
    row = list_my_accounts(demo_db, _actor(demo_db, "mlopez"), today=NOW.date(), limit=1).rows[0]
    assert row.account_number.startswith("A-")
    assert ", " in row.guarantor_name
    assert row.balance_cents > 0
    assert row.age_bucket in {"0-30", "31-60", "61-90", "91-120", "120+"}


def test_a_supervisor_without_accounts_gets_an_empty_page(demo_db: Database) -> None:
    page = list_my_accounts(demo_db, _actor(demo_db, "sreed"), today=NOW.date())
    assert page.rows == ()
    assert page.total == 0


def test_account_detail_reads_everything(demo_db: Database) -> None:
    actor = _actor(demo_db, "mlopez")
    with demo_db.reading() as session:
        account_id = (
            session.connection()
            .exec_driver_sql(
                "SELECT a.id FROM account a JOIN collector c ON c.id = a.assigned_collector_id "
                "WHERE c.login = 'mlopez' AND EXISTS (SELECT 1 FROM activity WHERE account_id = a.id) "
                "AND EXISTS (SELECT 1 FROM insurance_claim WHERE account_id = a.id) LIMIT 1"
            )
            .scalar_one()
        )
    detail = account_detail(demo_db, actor, account_id, now=NOW)
    assert detail.id == account_id
    assert detail.owner == "Maria Lopez"
    assert detail.charges
    assert detail.claims
    assert detail.activities
    assert detail.phones
    assert detail.guarantor.ssn_last4 is not None and len(detail.guarantor.ssn_last4) == 4
    assert [a.occurred_at for a in detail.activities] == sorted(
        (a.occurred_at for a in detail.activities), reverse=True
    )


def test_a_collector_cannot_read_another_collectors_account(demo_db: Database) -> None:
    with demo_db.reading() as session:
        other = (
            session.connection()
            .exec_driver_sql(
                "SELECT a.id FROM account a JOIN collector c ON c.id = a.assigned_collector_id "
                "WHERE c.login = 'jchen' LIMIT 1"
            )
            .scalar_one()
        )
    with pytest.raises(NotFoundError, match=str(other)):
        account_detail(demo_db, _actor(demo_db, "mlopez"), other, now=NOW)
    assert account_detail(demo_db, _actor(demo_db, "sreed"), other, now=NOW).id == other


def test_unknown_account_is_not_found(demo_db: Database) -> None:
    with pytest.raises(NotFoundError):
        account_detail(demo_db, _actor(demo_db, "mlopez"), 10**9, now=NOW)
