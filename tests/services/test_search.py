"""Finding an account for an inbound caller, on a real SQLite file (the demo office), and what the
workspace reads for the call: verification recorded with the contact, charge descriptions, the
reconciliation, the guarantor's language in the queue."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from sqlalchemy import select

from collector_tui.db.models import Activity, table_of
from collector_tui.domain.phones import format_national
from collector_tui.services.audit import Actor
from collector_tui.services.database import Database
from collector_tui.services.desk.account_actions import ContactEntry, log_contact
from collector_tui.services.desk.accounts import account_detail
from collector_tui.services.desk.search import find_accounts, search_plans
from collector_tui.services.errors import EntryError
from collector_tui.services.team.identity import resolve_actor
from collector_tui.services.worklists.queue import SECTIONS, QueueFilter, queue_page
from collector_tui.vocabulary import Verification
from tests.conftest import NOW


def _actor(db: Database, login: str = "mlopez") -> Actor:
    return resolve_actor(db, act_as=login)


def _someone(db: Database, login: str = "mlopez") -> Any:
    with db.reading() as session:
        return (
            session.connection()
            .exec_driver_sql(
                "SELECT a.id, a.account_number, g.last_name, g.first_name, g.date_of_birth, p.number "
                "FROM account a JOIN guarantor g ON g.id = a.guarantor_id "
                "JOIN phone p ON p.guarantor_id = g.id JOIN collector c ON c.id = a.assigned_collector_id "
                "WHERE c.login = ? AND p.number LIKE '+1%' ORDER BY a.id LIMIT 1",
                (login,),
            )
            .one()
        )


def test_search_finds_by_phone_in_any_format_name_either_way_number_and_birth_date(demo_db: Database) -> None:
    actor = _actor(demo_db)
    row = _someone(demo_db)
    national = row.number[2:]
    born = date.fromisoformat(row.date_of_birth)
    queries = (
        format_national(row.number),  # (602) 555-0124
        national,
        row.number,  # +16025550124
        national[-4:],
        f"{national[3:6]}-{national[6:]}",
        f"{row.first_name} {row.last_name}",
        f"{row.last_name.lower()} {row.first_name.lower()}",
        f"{row.last_name.upper()}, {row.first_name[:2].upper()}",
        row.account_number,
        row.account_number.lower(),
        born.isoformat(),
        f"{born:%m/%d/%Y}",
    )
    for query in queries:
        found = find_accounts(demo_db, actor, query, limit=500)
        assert row.id in [f.account_id for f in found], query
    hit = next(f for f in find_accounts(demo_db, actor, row.account_number) if f.account_id == row.id)
    assert hit.date_of_birth == born and hit.facility_name and hit.matched == "account number"
    assert hit.guarantor_name == f"{row.last_name.upper()}, {row.first_name.upper()}"


def test_a_collector_finds_only_what_they_may_see(demo_db: Database) -> None:
    row = _someone(demo_db)
    for query in (row.account_number, row.number, f"{row.first_name} {row.last_name}"):
        assert row.id not in [f.account_id for f in find_accounts(demo_db, _actor(demo_db, "jchen"), query)]
        assert row.id in [
            f.account_id for f in find_accounts(demo_db, _actor(demo_db, "sreed"), query, limit=500)
        ]


@pytest.mark.parametrize(
    "query", ["(602) 555-0124", "0124", "rivera emily", "RIVERA, EM", "A-100", "1984-03-07"]
)
def test_every_reading_is_an_index_search_never_a_scan(demo_db: Database, query: str) -> None:
    with demo_db.reading() as session:
        plans = search_plans(session, query)
    assert plans
    for plan in plans:
        assert "SCAN" not in plan, plan
        assert "USING" in plan, plan


def test_an_inbound_call_records_its_verification(office: Database) -> None:
    actor = _actor(office)
    row = _someone(office)
    detail = account_detail(office, actor, row.id, now=NOW)
    entry = ContactEntry(row.id, detail.version, "INBOUND", None, "in", verification=Verification.VERIFIED)
    log_contact(office, actor, entry, now=NOW)
    act = table_of(Activity).c
    with office.reading() as session:
        stored = session.execute(
            select(act.verification).where(act.account_id == row.id).order_by(act.id.desc())
        ).scalar()
    assert stored == "verified"
    bad = ContactEntry(row.id, detail.version + 1, "INBOUND", None, "in", verification="maybe")
    with pytest.raises(EntryError, match="verification"):
        log_contact(office, actor, bad, now=NOW)


def test_the_account_shows_what_each_charge_is_and_how_the_money_adds_up(office: Database) -> None:
    actor = _actor(office)
    detail = account_detail(office, actor, _someone(office).id, now=NOW)
    assert detail.charges and all(c.description for c in detail.charges)  # the demo sends its words
    r = detail.reconciliation
    assert r is not None and r.billed_cents == sum(c.amount_cents for c in detail.charges)
    assert r.balance_cents == detail.total_balance_cents
    assert r.adds_up or r.missing  # it adds up, or it says what is missing


def test_the_queue_row_carries_the_guarantors_language(demo_db: Database) -> None:
    actor = _actor(demo_db)
    languages = {
        row.language
        for section in SECTIONS
        for row in queue_page(demo_db, actor, now=NOW, chosen=QueueFilter(section=section)).rows
    }
    assert "en" in languages and languages - {"en"}  # the demo has Spanish, Vietnamese, Chinese speakers
