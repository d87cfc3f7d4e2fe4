"""The denial worklist and what a collector does with an item: each action one transaction, one
audit event (real SQLite)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta

import pytest
from sqlalchemy import insert, update

from collector_tui.db.models import (
    AccountTransaction,
    Activity,
    AuditEvent,
    Collector,
    DenialAction,
    DenialItem,
    InsuranceClaim,
)
from collector_tui.db.tables import CLAIM_T, DENIAL_ITEM_T
from collector_tui.domain.denial_work import parse_denial_policy
from collector_tui.domain.x12.remittance import read_835
from collector_tui.services.audit import SYSTEM, Actor
from collector_tui.services.database import Database
from collector_tui.services.desk.denial_actions import (
    AppealFiling,
    CorrectionRequest,
    PayerCall,
    bill_other_payer,
    close_upheld,
    decide_write_off,
    file_appeal,
    log_payer_call,
    move_to_patient,
    pending_write_offs,
    request_correction,
    write_off,
)
from collector_tui.services.errors import AccessDeniedError, EntryError, NotFoundError, ServiceError
from collector_tui.services.files.remittances import post_remittance
from collector_tui.services.law.policy import current_denial_policy, shipped_policy_text, use_denial_policy
from collector_tui.services.team.users import add_user
from collector_tui.services.worklists.denial_worklist import (
    WorklistFilter,
    claim_next_denial,
    denial_detail,
    release_denial,
    worklist_groups,
    worklist_page,
)
from collector_tui.services.worklists.queue import CLAIM_TTL
from collector_tui.vocabulary import (
    AppealLevel,
    ClaimFrequency,
    ClaimStatus,
    DenialOutcome,
    DenialScenario,
    DenialStatus,
    Party,
    Role,
    TransactionKind,
)
from tests.conftest import NOW
from tests.services.builders import account, all_rows, count, place, placement
from tests.services.remittance_files import Clp, remittance_text

INSURANCE = 31_000


def _claims(n: int) -> list[Clp]:
    """``n`` denied claims, the later ones denied more (so the worklist order is known)."""
    reasons = ("16", "197", "50", "97")
    return [
        Clp(
            f"PCN-{i}",
            "4",
            "310.00",
            "0",
            "",
            icn=f"ICN-{i}",
            cas=(f"CO*{reasons[i % 4]}*{100 + i * 10}.00",),
        )
        for i in range(1, n + 1)
    ]


@pytest.fixture
def office(db: Database) -> Database:
    """Four accounts of jsmith, each with a claim the payer denied."""
    with db.writing() as session:
        for login, role in (
            ("jsmith", "collector"),
            ("akim", "collector"),
            ("sboss", "supervisor"),
            ("tboss", "supervisor"),
        ):
            add_user(session, SYSTEM, login=login, display_name=login, role=role, now=NOW)
    place(
        db,
        [
            placement(
                account_number=f"A-{i}",
                guarantor_id=f"G-{i}",
                claim_number=f"CLM-{i}",
                claim_status="pending",
                claim_control_number=f"PCN-{i}",
                collector_login="jsmith",
            )
            for i in range(1, 5)
        ],
    )
    for remittance in read_835(
        remittance_text(_claims(4), payer="ACME HEALTH PLAN", payer_phone="8005550123")
    ):
        with db.writing() as session:
            post_remittance(session, remittance, file_sha256="0" * 64, actor=SYSTEM, now=NOW)
    return db


def actor(db: Database, login: str) -> Actor:
    (user,) = all_rows(db, Collector, Collector.login == login)
    return Actor(user.login, user.id, Role(user.role))


@contextmanager
def write_off_limit(cents: int) -> Iterator[None]:
    """The shipped denial policy with another write-off limit, for one test."""
    override = f"[defaults]\nwrite_off_limit_cents = {cents}\n"
    use_denial_policy(parse_denial_policy(shipped_policy_text("denials.toml"), override))
    try:
        yield
    finally:
        use_denial_policy(None)


def key(row: DenialItem) -> int:
    assert row.id is not None
    return row.id


def items(db: Database) -> dict[str, DenialItem]:
    claims = {c.id: c.claim_number for c in all_rows(db, InsuranceClaim)}
    return {claims[i.claim_id]: i for i in all_rows(db, DenialItem)}


# ---- the worklist -------------------------------------------------------------------------------


def test_the_owners_worklist_is_ordered_by_score_and_pages_by_keyset(office: Database) -> None:
    jsmith = actor(office, "jsmith")
    whole = worklist_page(office, jsmith, now=NOW).rows
    assert [r.claim_number for r in whole] == ["CLM-4", "CLM-3", "CLM-2", "CLM-1"]
    assert [r.points for r in whole] == sorted((r.points for r in whole), reverse=True)
    seen, cursor = [], None
    while True:
        page = worklist_page(office, jsmith, now=NOW, after=cursor, limit=1)
        seen += [r.id for r in page.rows]
        if page.next_cursor is None:
            break
        cursor = page.next_cursor
    assert seen == [r.id for r in whole]
    top = whole[0]
    assert (top.payer_phone, top.payer_claim_number, top.codes) == ("+18005550123", "ICN-4", ("CO-16",))
    assert top.note.known and "missing" in top.note.meaning
    # The corrected-claim deadline (90 days) comes before the appeal deadline (180 days).
    assert [f.name for f in top.factors][:2] == ["denied", "corrected claim deadline"]
    assert worklist_page(office, actor(office, "akim"), now=NOW).rows == ()


def test_groups_count_items_and_money_by_scenario_and_category(office: Database) -> None:
    groups = {
        (g.scenario, g.category): (g.items, g.denied_cents)
        for g in worklist_groups(office, actor(office, "jsmith"))
    }
    assert groups[(DenialScenario.CLAIM_DATA, "missing_information")] == (1, 14_000)
    assert sum(items for items, _ in groups.values()) == 4
    only = worklist_page(
        office, actor(office, "jsmith"), now=NOW, chosen=WorklistFilter(scenario="not_covered")
    )
    assert [r.carc for r in only.rows] == ["50"]


def test_n_leases_each_item_to_one_session_until_it_is_released_or_expires(office: Database) -> None:
    jsmith = actor(office, "jsmith")
    assert claim_next_denial(office, replace_id(jsmith, None), NOW) is None  # nobody to claim for
    first = claim_next_denial(office, jsmith, NOW)
    second = claim_next_denial(office, jsmith, NOW)  # another session of the same collector
    by_number = items(office)
    assert (first, second) == (by_number["CLM-4"].id, by_number["CLM-3"].id)
    assert by_number["CLM-4"].claimed_until == NOW + CLAIM_TTL
    assert first is not None
    release_denial(office, jsmith, first)
    assert items(office)["CLM-4"].claimed_by_id is None
    # Moving on releases the item left: the next n may hand it out again.
    third = claim_next_denial(office, jsmith, NOW, leaving=second)
    assert third == first and items(office)["CLM-3"].claimed_by_id is None


def test_a_lease_held_by_another_collector_is_skipped_until_it_expires(office: Database) -> None:
    jsmith, akim = actor(office, "jsmith"), actor(office, "akim")
    top = key(items(office)["CLM-4"])
    with office.writing() as session:
        session.execute(
            update(DENIAL_ITEM_T)
            .where(DENIAL_ITEM_T.c.id == top)
            .values(claimed_by_id=akim.collector_id, claimed_until=NOW + timedelta(minutes=1))
        )
    assert claim_next_denial(office, jsmith, NOW) == key(items(office)["CLM-3"])
    assert claim_next_denial(office, jsmith, NOW + timedelta(minutes=1)) == top  # the lease has run out


def replace_id(who: Actor, collector_id: int | None) -> Actor:
    return Actor(who.login, collector_id, who.role)


def test_another_collectors_item_is_not_found_but_a_supervisor_sees_it(office: Database) -> None:
    top = key(items(office)["CLM-4"])
    with pytest.raises(NotFoundError):
        denial_detail(office, actor(office, "akim"), top, now=NOW)
    assert denial_detail(office, actor(office, "sboss"), top, now=NOW).row.id == top


# ---- actions ------------------------------------------------------------------------------------


def test_a_payer_call_is_logged_with_the_insurer_as_the_party_and_counts_toward_no_limit(
    office: Database,
) -> None:
    jsmith = actor(office, "jsmith")
    top = items(office)["CLM-4"]
    events = count(office, AuditEvent)
    result = log_payer_call(
        office, jsmith, key(top), PayerCall("Dana at Acme", "will reprocess with the NPI", "REF-123"), now=NOW
    )
    (call,) = all_rows(office, Activity, Activity.outcome_code == "payer_call")
    assert (call.party, call.channel, call.direction) == (Party.INSURER, "call", "out")
    assert (call.counts_as_attempt, call.counts_as_conversation, call.phone_id) == (False, False, None)
    (action,) = all_rows(office, DenialAction)
    assert (action.kind, action.representative, action.reference, action.activity_id) == (
        "payer_call",
        "Dana at Acme",
        "REF-123",
        call.id,
    )
    after = items(office)["CLM-4"]
    assert after.response_due == NOW.date() + timedelta(days=30) and after.worked_at == NOW
    assert count(office, AuditEvent) == events + 1  # one audit event for the action
    assert result.action_id == action.id
    detail = denial_detail(office, jsmith, key(top), now=NOW)
    assert [a.kind for a in detail.actions] == ["payer_call"] and detail.actions[0].by == "jsmith"


def test_a_payer_call_needs_who_said_what(office: Database) -> None:
    with pytest.raises(EntryError) as error:
        log_payer_call(
            office, actor(office, "jsmith"), key(items(office)["CLM-4"]), PayerCall(" ", ""), now=NOW
        )
    assert [field for field, _ in error.value.problems] == ["representative", "said"]
    assert count(office, DenialAction) == 0


def test_an_appeal_puts_the_claim_under_appeal_and_waits_for_the_payer(office: Database) -> None:
    top = items(office)["CLM-4"]
    result = file_appeal(
        office,
        actor(office, "jsmith"),
        key(top),
        AppealFiling(AppealLevel.FIRST, NOW.date(), "NPI was on file"),
        now=NOW,
    )
    assert "First-level appeal" in result.message
    (claim,) = all_rows(office, InsuranceClaim, InsuranceClaim.id == top.claim_id)
    assert claim.status == ClaimStatus.APPEALED
    (action,) = all_rows(office, DenialAction)
    assert (action.appeal_level, action.deadline) == ("1", top.appeal_deadline)
    with pytest.raises(EntryError):
        file_appeal(
            office,
            actor(office, "jsmith"),
            key(top),
            AppealFiling(AppealLevel.SECOND, NOW.date() + timedelta(days=1), "x"),
            now=NOW,
        )


def test_a_corrected_claim_names_the_icn_and_its_frequency_code(office: Database) -> None:
    top = items(office)["CLM-4"]
    request_correction(
        office,
        actor(office, "jsmith"),
        key(top),
        CorrectionRequest("add the NPI", ClaimFrequency.REPLACEMENT),
        now=NOW,
    )
    request_correction(office, actor(office, "jsmith"), key(top), CorrectionRequest("send again"), now=NOW)
    kinds = [(a.kind, a.frequency_code, a.reference) for a in all_rows(office, DenialAction)]
    assert kinds == [("corrected_claim", "7", "ICN-4"), ("resubmission", None, "ICN-4")]


def test_another_payer_must_be_another(office: Database) -> None:
    top = items(office)["CLM-4"]
    with pytest.raises(EntryError):
        bill_other_payer(office, actor(office, "jsmith"), key(top), "acme health plan", "", now=NOW)
    bill_other_payer(
        office, actor(office, "jsmith"), key(top), "Medicaid of Ohio", "secondary on file", now=NOW
    )
    (action,) = all_rows(office, DenialAction)
    assert action.other_payer == "Medicaid of Ohio"


def test_a_collector_cannot_work_another_collectors_item(office: Database) -> None:
    with pytest.raises((AccessDeniedError, NotFoundError)):
        log_payer_call(
            office, actor(office, "akim"), key(items(office)["CLM-4"]), PayerCall("x", "y"), now=NOW
        )


def test_a_write_off_within_policy_posts_and_closes(office: Database) -> None:
    small = items(office)["CLM-1"]  # $110.00 denied, within the $250.00 limit
    before = account(office, "A-1")
    result = write_off(
        office, actor(office, "jsmith"), key(small), "small balance, not worth appealing", now=NOW
    )
    assert result.closed and not result.pending_approval
    after = account(office, "A-1")
    assert after.total_balance_cents == before.total_balance_cents - 11_000
    assert after.insurance_pending_cents == before.insurance_pending_cents - 11_000
    closed = items(office)["CLM-1"]
    assert (closed.status, closed.outcome) == (DenialStatus.CLOSED, DenialOutcome.WRITTEN_OFF)
    with pytest.raises(ServiceError, match="closed"):
        write_off(office, actor(office, "jsmith"), key(small), "again", now=NOW)


def test_a_write_off_beyond_policy_waits_for_another_supervisor(office: Database) -> None:
    with write_off_limit(5_000):
        assert current_denial_policy().write_off_limit_cents == 5_000
        big = items(office)["CLM-4"]  # $140.00 denied
        result = write_off(office, actor(office, "jsmith"), key(big), "payer will not budge", now=NOW)
        assert result.pending_approval and not result.closed
        assert items(office)["CLM-4"].status == DenialStatus.OPEN
        with pytest.raises(ServiceError, match="already waits"):
            write_off(office, actor(office, "jsmith"), key(big), "again", now=NOW)
        (waiting,) = pending_write_offs(office, actor(office, "sboss"))
        assert (waiting.amount_cents, waiting.asked_by) == (14_000, "jsmith")
        with pytest.raises(AccessDeniedError):
            pending_write_offs(office, actor(office, "jsmith"))
        decided = decide_write_off(office, actor(office, "sboss"), waiting.action_id, approve=True, now=NOW)
        assert decided.closed
        assert items(office)["CLM-4"].outcome == DenialOutcome.WRITTEN_OFF
        offs = all_rows(office, AccountTransaction, AccountTransaction.kind == TransactionKind.WRITE_OFF)
        assert [t.amount_cents for t in offs] == [-14_000]


def test_the_supervisor_who_asked_cannot_approve_their_own_write_off(office: Database) -> None:
    with write_off_limit(0):
        sboss = actor(office, "sboss")
        asked = write_off(office, sboss, key(items(office)["CLM-2"]), "no coverage", now=NOW)
        with pytest.raises(AccessDeniedError):
            decide_write_off(office, sboss, asked.action_id, approve=True, now=NOW)
        declined = decide_write_off(
            office, actor(office, "tboss"), asked.action_id, approve=False, note="appeal first", now=NOW
        )
        assert not declined.closed and items(office)["CLM-2"].status == DenialStatus.OPEN


def test_upheld_closes_the_item_and_the_claim_stays_denied(office: Database) -> None:
    top = items(office)["CLM-3"]
    close_upheld(office, actor(office, "jsmith"), key(top), "second level upheld", now=NOW)
    closed = items(office)["CLM-3"]
    assert (closed.status, closed.outcome, closed.closed_at) == (
        DenialStatus.CLOSED,
        DenialOutcome.UPHELD,
        NOW,
    )
    assert worklist_page(office, actor(office, "jsmith"), now=NOW).rows[-1].claim_number != "CLM-3"


# ---- move to patient ----------------------------------------------------------------------------


@pytest.fixture
def pr_denied(db: Database) -> Database:
    with db.writing() as session:
        add_user(session, SYSTEM, login="jsmith", display_name="jsmith", role="collector", now=NOW)
    place(db, [placement(claim_status="pending", claim_control_number="PCN-1", collector_login="jsmith")])
    denied = Clp("PCN-1", "4", "310.00", "0", "310.00", cas=("PR*96*310.00",))
    for remittance in read_835(remittance_text([denied])):
        with db.writing() as session:
            post_remittance(session, remittance, file_sha256="0" * 64, actor=SYSTEM, now=NOW)
    return db


def test_moving_to_the_patient_moves_only_the_pr_share_and_closes(pr_denied: Database) -> None:
    (item,) = all_rows(pr_denied, DenialItem)
    assert (item.denied_cents, item.patient_cents) == (0, 31_000)
    before = account(pr_denied, "A-1001")
    result = move_to_patient(pr_denied, actor(pr_denied, "jsmith"), key(item), now=NOW)
    after = account(pr_denied, "A-1001")
    assert result.closed
    assert after.total_balance_cents == before.total_balance_cents  # no money moved off the account
    assert after.insurance_pending_cents == before.insurance_pending_cents - 31_000
    assert after.patient_responsibility_cents == before.patient_responsibility_cents + 31_000
    (closed,) = all_rows(pr_denied, DenialItem)
    assert (closed.outcome, closed.patient_cents) == (DenialOutcome.MOVED_TO_PATIENT, 0)


def test_nothing_moves_to_the_patient_while_another_payer_is_pending(pr_denied: Database) -> None:
    a = account(pr_denied, "A-1001")
    with pr_denied.writing() as session:
        session.execute(
            insert(CLAIM_T).values(
                account_id=a.id, payer_name="Second Plan", claim_number="CLM-2", status="pending"
            )
        )
    (item,) = all_rows(pr_denied, DenialItem)
    with pytest.raises(ServiceError, match="payer is still pending"):
        move_to_patient(pr_denied, actor(pr_denied, "jsmith"), key(item), now=NOW)


def test_a_claim_with_no_pr_share_has_nothing_to_move(office: Database) -> None:
    with pytest.raises(ServiceError, match="only PR"):
        move_to_patient(office, actor(office, "jsmith"), key(items(office)["CLM-4"]), now=NOW)
