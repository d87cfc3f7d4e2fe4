"""One account reads in full, for those who may see it."""

from __future__ import annotations

import pytest

from collector_tui.services.audit import Actor
from collector_tui.services.database import Database
from collector_tui.services.desk.accounts import account_detail
from collector_tui.services.errors import NotFoundError
from collector_tui.services.team.identity import resolve_actor
from tests.conftest import NOW


def _actor(db: Database, login: str) -> Actor:
    return resolve_actor(db, act_as=login)


def test_account_detail_reads_everything(office: Database) -> None:
    actor = _actor(office, "mlopez")
    with office.reading() as session:
        account_id = (
            session.connection()
            .exec_driver_sql(
                "SELECT a.id FROM account a JOIN collector c ON c.id = a.assigned_collector_id "
                "WHERE c.login = 'mlopez' AND EXISTS (SELECT 1 FROM activity WHERE account_id = a.id) "
                "AND EXISTS (SELECT 1 FROM insurance_claim WHERE account_id = a.id) LIMIT 1"
            )
            .scalar_one()
        )
    detail = account_detail(office, actor, account_id, now=NOW)
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


def test_a_collector_cannot_read_another_collectors_account(office: Database) -> None:
    with office.reading() as session:
        other = (
            session.connection()
            .exec_driver_sql(
                "SELECT a.id FROM account a JOIN collector c ON c.id = a.assigned_collector_id "
                "WHERE c.login = 'jchen' LIMIT 1"
            )
            .scalar_one()
        )
    with pytest.raises(NotFoundError, match=str(other)):
        account_detail(office, _actor(office, "mlopez"), other, now=NOW)
    assert account_detail(office, _actor(office, "sreed"), other, now=NOW).id == other


def test_unknown_account_is_not_found(demo_db: Database) -> None:
    with pytest.raises(NotFoundError):
        account_detail(demo_db, _actor(demo_db, "mlopez"), 10**9, now=NOW)
