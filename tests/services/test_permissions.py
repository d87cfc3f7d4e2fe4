"""The permission matrix: each role tried on each protected action, through the services themselves.

The CLI and the screens only call these services, so a refusal here is a refusal on every path:
a collector cannot do a supervisor's action by any route. ``inactive`` is an admin deactivated
after their session began (the strongest stale session): every action is refused at once.
``operator`` is the nightly job's service account (the demo's ``nightly``): it may run the nightly
jobs and export, and nothing else.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

import pytest
from sqlalchemy import delete, select, update

from collector_tui.db.models import Account, Collector, Guarantor, OfficeSetting, PaymentPlan, table_of
from collector_tui.domain.compliance.engine import evaluate
from collector_tui.domain.plan_schedule import PlanTerms
from collector_tui.services.audit import SYSTEM, Actor
from collector_tui.services.database import Database
from collector_tui.services.desk.account_actions import (
    ContactEntry,
    add_note,
    log_contact,
    place_hold,
    release_hold,
)
from collector_tui.services.desk.accounts import account_detail
from collector_tui.services.desk.search import find_accounts
from collector_tui.services.errors import AccessDeniedError, NotFoundError, ServiceError
from collector_tui.services.files.exports import export
from collector_tui.services.law.compliance import load_facts
from collector_tui.services.law.policy import current_policy
from collector_tui.services.money.plans import (
    PlanRequest,
    approve_plan,
    create_plan,
    decline_plan,
    pending_plans,
)
from collector_tui.services.team import permissions
from collector_tui.services.team.audit_log import audit_events
from collector_tui.services.team.identity import DEMO_KEY, actor_for_queue, resolve_actor, resolve_operator
from collector_tui.services.team.permissions import ROLE_SYSTEM, Permission, allowed, can, require
from collector_tui.services.team.users import (
    add_user,
    create_user,
    deactivate,
    list_users,
    orphaned_account_count,
    reactivate,
    set_allow_unassigned,
    set_role,
)
from collector_tui.services.worklists.assignments import (
    AccountSelection,
    ReassignRequest,
    apply_reassignment,
    preview_reassignment,
)
from collector_tui.services.worklists.queue import SECTION_CALL, QueueFilter, queue_page
from collector_tui.vocabulary import AccountStatus, HoldReason, PlanStatus, Role
from tests.conftest import NOW

A = table_of(Account).c
CLOSED = NOW.replace(hour=10)  # 05:00 Eastern: no zone's calling window is open
ROLES = ("collector", "supervisor", "admin", "operator", "inactive")
LOGINS = {
    "collector": "mlopez",
    "supervisor": "sreed",
    "admin": "admin",
    "operator": "nightly",
    "inactive": "former",
}


@dataclass
class Scene:
    """A copy of the demo office, the four actors, and an account of each kind of owner."""

    db: Database
    actors: dict[str, Actor]
    own: int  # mlopez's
    others: int  # jchen's
    unassigned: int

    def version(self, account_id: int) -> int:
        with self.db.reading() as session:
            return int(session.execute(select(A.version).where(A.id == account_id)).scalar_one())


def _first_account(db: Database, login: str) -> int:
    with db.reading() as session:
        owner = session.execute(select(table_of(Collector).c.id).where(table_of(Collector).c.login == login))
        return int(
            session.execute(
                select(A.id)
                .where(A.assigned_collector_id == owner.scalar_one(), A.status == AccountStatus.OPEN)
                .order_by(A.id)
                .limit(1)
            ).scalar_one()
        )


@pytest.fixture
def scene(office: Database) -> Scene:
    actors = {
        role: resolve_actor(office, act_as=login) for role, login in LOGINS.items() if role != "inactive"
    }
    with office.writing() as session:
        add_user(session, SYSTEM, login="former", display_name="Former Admin", role="admin", now=NOW)
    actors["inactive"] = resolve_actor(office, act_as="former")  # their session began ...
    deactivate(office, actors["admin"], "former", now=NOW)  # ... and then they were deactivated
    unassigned = _first_account(office, "kbrown")
    with office.writing() as session:
        session.execute(
            update(table_of(Account)).where(A.id == unassigned).values(assigned_collector_id=None)
        )
    return Scene(
        office, actors, _first_account(office, "mlopez"), _first_account(office, "jchen"), unassigned
    )


# --- the actions: each returns normally when allowed and raises when refused ----------------------


def _note(which: str) -> Callable[[Scene, Actor], object]:
    def act(s: Scene, actor: Actor) -> object:
        account_id = getattr(s, which)
        return add_note(s.db, actor, account_id, s.version(account_id), "called back", now=NOW)

    return act


def _note_on_unassigned_when_the_office_forbids_it(s: Scene, actor: Actor) -> object:
    set_allow_unassigned(s.db, s.actors["admin"], False, now=NOW)
    return _note("unassigned")(s, actor)


def _open_another_collectors_account(s: Scene, actor: Actor) -> object:
    return account_detail(s.db, actor, s.others, now=NOW)


def _find_another_collectors_account(s: Scene, actor: Actor) -> object:
    with s.db.reading() as session:
        number = session.execute(select(A.account_number).where(A.id == s.others)).scalar_one()
    hits = find_accounts(s.db, actor, number)
    if s.others not in [hit.account_id for hit in hits]:
        raise NotFoundError("not found")
    return hits


def _see_another_collectors_queue(s: Scene, actor: Actor) -> object:
    return actor_for_queue(s.db, actor, "jchen")


def _reassign(s: Scene, actor: Actor) -> object:
    request = ReassignRequest(("kbrown",), AccountSelection(account_ids=(s.others,)))
    preview = preview_reassignment(s.db, actor, request, now=NOW)
    return apply_reassignment(s.db, actor, preview, now=NOW)


def _count_orphaned_accounts(s: Scene, actor: Actor) -> object:
    return orphaned_account_count(s.db, actor)


def _proposed_plan(s: Scene) -> int:
    """A plan outside policy, proposed by mlopez on a callable account of hers."""
    collector = s.actors["collector"]
    account_id = queue_page(s.db, collector, now=NOW, chosen=QueueFilter(section=SECTION_CALL)).rows[0].id
    plan = table_of(PaymentPlan)
    with s.db.writing() as session:
        session.execute(update(plan).where(plan.c.account_id == account_id).values(status="cancelled"))
        balance = session.execute(select(A.total_balance_cents).where(A.id == account_id)).scalar_one()
    terms = PlanTerms(
        balance_cents=balance, frequency="monthly", first_due=NOW.date() + timedelta(days=10), installments=60
    )
    request = PlanRequest(account_id, s.version(account_id), terms, exception_reason="fixed income")
    create_plan(s.db, collector, request, now=NOW)
    with s.db.reading() as session:
        return int(
            session.execute(
                select(plan.c.id).where(plan.c.account_id == account_id, plan.c.status == PlanStatus.PROPOSED)
            ).scalar_one()
        )


def _approve_plan(s: Scene, actor: Actor) -> object:
    return approve_plan(s.db, actor, _proposed_plan(s), now=NOW)


def _decline_plan(s: Scene, actor: Actor) -> object:
    return decline_plan(s.db, actor, _proposed_plan(s), "needs proof of income", now=NOW)


def _review_pending_plans(s: Scene, actor: Actor) -> object:
    return pending_plans(s.db, actor)


def _override_a_blocked_call(s: Scene, actor: Actor) -> object:
    """Log a call, on mlopez's own account, that the calling window forbids at this moment."""
    collector = s.actors["collector"]
    account_id = queue_page(s.db, collector, now=NOW, chosen=QueueFilter(section=SECTION_CALL)).rows[0].id
    with s.db.reading() as session:
        verdict = evaluate(load_facts(session, [account_id], NOW)[account_id], current_policy(), NOW)
    phone_id = next(p.phone_id for p in verdict.phones if p.allowed)
    entry = ContactEntry(
        account_id, s.version(account_id), "NA", phone_id, override_reason="the debtor asked for a late call"
    )
    return log_contact(s.db, actor, entry, now=CLOSED)


def _release_a_hold(s: Scene, actor: Actor) -> object:
    collector = s.actors["collector"]
    place_hold(s.db, collector, s.own, s.version(s.own), HoldReason.DISPUTE, "disputes the bill", now=NOW)
    return release_hold(s.db, actor, s.own, s.version(s.own), HoldReason.DISPUTE, "validation sent", now=NOW)


def _read_the_audit_log(s: Scene, actor: Actor) -> object:
    return audit_events(s.db, actor)


def _export(s: Scene, actor: Actor) -> object:
    return export(s.db, "promises", actor=actor, now=NOW + timedelta(hours=1), stdout=io.StringIO())


def _run_the_nightly_jobs(s: Scene, actor: Actor) -> object:
    """The gate every nightly command (imports, refresh, plans evaluate) passes, for the actor (in
    this demo scene, the demo user named with --as)."""
    return resolve_operator(s.db, permission=Permission.RUN_NIGHTLY, login="x", act_as=actor.login)


def _add_a_user(s: Scene, actor: Actor) -> object:
    return create_user(s.db, actor, login="newbie", display_name="New Hire", role="collector", now=NOW)


def _list_users(s: Scene, actor: Actor) -> object:
    return list_users(s.db, actor)


def _set_a_role(s: Scene, actor: Actor) -> object:
    return set_role(s.db, actor, "jchen", Role.SUPERVISOR, now=NOW)


def _deactivate_a_user(s: Scene, actor: Actor) -> object:
    return deactivate(s.db, actor, "kbrown", now=NOW)


def _reactivate_a_user(s: Scene, actor: Actor) -> object:
    deactivate(s.db, s.actors["admin"], "kbrown", now=NOW)
    return reactivate(s.db, actor, "kbrown", now=NOW)


def _change_the_unassigned_setting(s: Scene, actor: Actor) -> object:
    return set_allow_unassigned(s.db, actor, False, now=NOW)


def _act_as_another_user(s: Scene, actor: Actor) -> object:
    """In a real (not demo) database: only an admin's login may start a session as someone else."""
    with s.db.writing() as session:
        session.execute(delete(table_of(OfficeSetting)).where(table_of(OfficeSetting).c.key == DEMO_KEY))
    return resolve_actor(s.db, login=actor.login, act_as="jchen")


C, S, AD, OP = "collector", "supervisor", "admin", "operator"
SUPERVISORS = frozenset({S, AD})
# action -> (the permission it needs, the roles that may, what a refusal raises for a collector)
MATRIX: dict[str, tuple[Permission, frozenset[str], type[ServiceError]]] = {
    "note_on_own_account": (Permission.WORK_OWN_ACCOUNTS, frozenset({C, S, AD}), AccessDeniedError),
    "note_on_unassigned_account": (Permission.WORK_UNASSIGNED, frozenset({C, S, AD}), AccessDeniedError),
    "note_on_unassigned_when_forbidden": (Permission.WORK_ANY_ACCOUNT, SUPERVISORS, AccessDeniedError),
    "note_on_another_collectors_account": (Permission.WORK_ANY_ACCOUNT, SUPERVISORS, AccessDeniedError),
    "open_another_collectors_account": (Permission.VIEW_ANY_ACCOUNT, SUPERVISORS, NotFoundError),
    "find_another_collectors_account": (Permission.VIEW_ANY_ACCOUNT, SUPERVISORS, NotFoundError),
    "see_another_collectors_queue": (Permission.VIEW_TEAM, SUPERVISORS, AccessDeniedError),
    "reassign": (Permission.REASSIGN, SUPERVISORS, AccessDeniedError),
    "count_orphaned_accounts": (Permission.REASSIGN, SUPERVISORS, AccessDeniedError),
    "approve_plan": (Permission.APPROVE, SUPERVISORS, AccessDeniedError),
    "decline_plan": (Permission.APPROVE, SUPERVISORS, AccessDeniedError),
    "review_pending_plans": (Permission.APPROVE, SUPERVISORS, AccessDeniedError),
    "override_a_blocked_call": (Permission.OVERRIDE_COMPLIANCE, SUPERVISORS, AccessDeniedError),
    "release_a_hold": (Permission.RELEASE_HOLD, SUPERVISORS, AccessDeniedError),
    "read_the_audit_log": (Permission.READ_AUDIT_LOG, SUPERVISORS, AccessDeniedError),
    "export": (Permission.EXPORT, frozenset({OP, S, AD}), AccessDeniedError),
    "run_the_nightly_jobs": (Permission.RUN_NIGHTLY, frozenset({OP, AD}), AccessDeniedError),
    "add_a_user": (Permission.MANAGE_USERS, frozenset({AD}), AccessDeniedError),
    "list_users": (Permission.MANAGE_USERS, frozenset({AD}), AccessDeniedError),
    "set_a_role": (Permission.MANAGE_USERS, frozenset({AD}), AccessDeniedError),
    "deactivate_a_user": (Permission.MANAGE_USERS, frozenset({AD}), AccessDeniedError),
    "reactivate_a_user": (Permission.MANAGE_USERS, frozenset({AD}), AccessDeniedError),
    "change_the_unassigned_setting": (Permission.MANAGE_USERS, frozenset({AD}), AccessDeniedError),
    "act_as_another_user": (Permission.ACT_AS, frozenset({AD}), AccessDeniedError),
}
ACTIONS: dict[str, Callable[[Scene, Actor], object]] = {
    "note_on_own_account": _note("own"),
    "note_on_unassigned_account": _note("unassigned"),
    "note_on_unassigned_when_forbidden": _note_on_unassigned_when_the_office_forbids_it,
    "note_on_another_collectors_account": _note("others"),
    "open_another_collectors_account": _open_another_collectors_account,
    "find_another_collectors_account": _find_another_collectors_account,
    "see_another_collectors_queue": _see_another_collectors_queue,
    "reassign": _reassign,
    "count_orphaned_accounts": _count_orphaned_accounts,
    "approve_plan": _approve_plan,
    "decline_plan": _decline_plan,
    "review_pending_plans": _review_pending_plans,
    "override_a_blocked_call": _override_a_blocked_call,
    "release_a_hold": _release_a_hold,
    "read_the_audit_log": _read_the_audit_log,
    "export": _export,
    "run_the_nightly_jobs": _run_the_nightly_jobs,
    "add_a_user": _add_a_user,
    "list_users": _list_users,
    "set_a_role": _set_a_role,
    "deactivate_a_user": _deactivate_a_user,
    "reactivate_a_user": _reactivate_a_user,
    "change_the_unassigned_setting": _change_the_unassigned_setting,
    "act_as_another_user": _act_as_another_user,
}


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("action", sorted(MATRIX))
def test_each_role_on_each_protected_action(scene: Scene, action: str, role: str) -> None:
    _, may, refusal = MATRIX[action]
    actor = scene.actors[role]
    if role in may:
        ACTIONS[action](scene, actor)
        return
    # A deactivated user is told so (not "not found"), whatever the action.
    expected = AccessDeniedError if role == "inactive" else refusal
    with pytest.raises(expected) as refused:
        ACTIONS[action](scene, actor)
    message = str(refused.value)
    if role == "inactive":
        assert "former" in message and ("deactivated" in message or "not an active user" in message)
    assert not any(name in message for name in _guarantor_names(scene.db)), "a refusal names no patient"


def _guarantor_names(db: Database) -> set[str]:
    with db.reading() as session:
        return {row.last_name for row in session.execute(select(table_of(Guarantor).c.last_name).limit(50))}


def test_the_matrix_covers_every_permission_and_agrees_with_the_grants() -> None:
    assert {permission for permission, _, _ in MATRIX.values()} == set(Permission)
    assert set(ACTIONS) == set(MATRIX)
    for action, (permission, may, _) in MATRIX.items():
        if action == "note_on_unassigned_when_forbidden":
            continue  # a collector's right there depends on the office setting, tested above
        assert {role for role in (C, S, AD, OP) if allowed(role, permission)} == may, action
    assert set(permissions.GRANTS) == set(Role.codes())  # every role of the database, and no other


def test_an_operator_runs_the_nightly_jobs_and_exports_and_nothing_else() -> None:
    nightly = Actor("svc-collector", 9, Role.OPERATOR)
    assert {p for p in Permission if can(nightly, p)} == {Permission.RUN_NIGHTLY, Permission.EXPORT}
    assert {r for r in Role.codes() if allowed(r, Permission.RUN_NIGHTLY)} == {OP, AD}
    refusal = r"^only an operator or an administrator may run the nightly jobs .* \(you are carl, collector\)"
    with pytest.raises(AccessDeniedError, match=refusal):
        require(Actor("carl", 1, Role.COLLECTOR), Permission.RUN_NIGHTLY)


def test_the_system_actor_carries_no_permission() -> None:
    """``system`` (whoever adds a new database's first admin) is special-cased there, nowhere else."""
    first_admin = Actor("svc-collector", None, ROLE_SYSTEM)
    assert [p for p in Permission if can(first_admin, p)] == []
    assert not any(allowed("manager", p) for p in Permission)  # an unknown role carries nothing


def test_a_refusal_names_who_may_and_who_asked() -> None:
    with pytest.raises(
        AccessDeniedError, match=r"only a supervisor or an administrator may reassign accounts"
    ):
        require(Actor("mlopez", 1, Role.COLLECTOR), Permission.REASSIGN)
    with pytest.raises(
        AccessDeniedError, match=r"only an administrator may manage users \(you are carl, collector\)"
    ):
        require(Actor("ada", 1, Role.COLLECTOR, acting_as="carl"), Permission.MANAGE_USERS)
    require(Actor("ada", 3, Role.ADMIN), Permission.MANAGE_USERS)


def test_an_inactive_login_cannot_start_a_session(scene: Scene) -> None:
    with pytest.raises(AccessDeniedError, match=r"'former' has been deactivated.*ask an administrator"):
        resolve_actor(scene.db, act_as="former")  # a demo database: anyone may use --as, but not to them
    with scene.db.writing() as session:
        session.execute(delete(table_of(OfficeSetting)).where(table_of(OfficeSetting).c.key == DEMO_KEY))
    with pytest.raises(AccessDeniedError, match=r"'former' has been deactivated.*ask an administrator"):
        resolve_actor(scene.db, login="former")
    with pytest.raises(AccessDeniedError, match=r"not an active user.*ask an administrator to add you"):
        resolve_actor(scene.db, login="stranger")


def test_the_office_setting_narrows_search_and_opening_too(scene: Scene) -> None:
    collector = scene.actors["collector"]
    account_detail(scene.db, collector, scene.unassigned, now=NOW)
    with scene.db.reading() as session:
        number = session.execute(select(A.account_number).where(A.id == scene.unassigned)).scalar_one()
    assert scene.unassigned in [h.account_id for h in find_accounts(scene.db, collector, number)]
    set_allow_unassigned(scene.db, scene.actors["admin"], False, now=NOW)
    with pytest.raises(NotFoundError):
        account_detail(scene.db, collector, scene.unassigned, now=NOW)
    assert find_accounts(scene.db, collector, number) == []
    with pytest.raises(AccessDeniedError, match="assigned to nobody"):
        add_note(scene.db, collector, scene.unassigned, scene.version(scene.unassigned), "hi", now=NOW)
    # Supervisors are not narrowed.
    assert scene.unassigned in [
        h.account_id for h in find_accounts(scene.db, scene.actors["supervisor"], number)
    ]


def test_a_clause_with_no_rights_matches_nothing(scene: Scene) -> None:
    nobody = Actor("x", None, Role.COLLECTOR)
    clause = permissions.viewable_accounts_clause(nobody, A.assigned_collector_id, unassigned_allowed=False)
    assert clause is not None
    with scene.db.reading() as session:
        assert session.execute(select(A.id).where(clause)).first() is None
