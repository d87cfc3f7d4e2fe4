"""What changed on an account between two reads, in plain words for a save that found it changed.

Pure: compares two :class:`AccountDetail` values. The words carry nothing the
account panel does not already show (a phone appears by its type and last
four digits), so the message is safe on screen; it is not meant for logs.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import datetime
from typing import TypeVar

from collector_tui.domain.money import format_cents
from collector_tui.services.views import AccountDetail, ActivityView, PhoneView, PlanView, PromiseView
from collector_tui.vocabulary import HoldReason, PhoneStatus

CHANGED_PREFIX = "Changed since you opened it"
Item = TypeVar("Item", PromiseView, PlanView)


def _plural(count: int, word: str, plural: str | None = None) -> str:
    return f"{count} {word if count == 1 else (plural or word + 's')}"


def _when(moment: datetime | None) -> str:
    return "none" if moment is None else moment.strftime("%Y-%m-%d %H:%M UTC")


def _phone(phone: PhoneView) -> str:
    digits = "".join(ch for ch in phone.national if ch.isdigit())
    return f"{phone.phone_type} …{digits[-4:]}"


def _phone_changes(old: Iterable[PhoneView], new: Iterable[PhoneView]) -> list[str]:
    before = {p.id: p for p in old}
    after = {p.id: p for p in new}
    changes = [f"phone added ({_phone(p)})" for i, p in after.items() if i not in before]
    changes += [f"phone removed ({_phone(p)})" for i, p in before.items() if i not in after]
    for phone_id, was in before.items():
        now = after.get(phone_id)
        if now is None:
            continue
        if now.status != was.status:
            changes.append(f"phone {_phone(now)} now {PhoneStatus(now.status).label.lower()}")
        if now.do_not_call != was.do_not_call:
            changes.append(
                f"phone {_phone(now)} now do-not-call"
                if now.do_not_call
                else f"phone {_phone(now)} do-not-call lifted"
            )
        if now.consent_to_call_mobile != was.consent_to_call_mobile:
            state = "given" if now.consent_to_call_mobile else "revoked"
            changes.append(f"phone {_phone(now)} consent to call {state}")
    return changes


def _promise(p: PromiseView) -> str:
    return f"promise {format_cents(p.amount_cents)} due {p.due_date.isoformat()}"


def _keyed_changes(
    old: Iterable[Item],
    new: Iterable[Item],
    label: Callable[[Item], str],
    compare: Callable[[Item, Item], list[str]],
) -> list[str]:
    """Rows (promises, plans) matched by id: the new ones, the removed ones, and what changed in the rest."""
    before = {item.id: item for item in old}
    after = {item.id: item for item in new}
    changes = [f"new {label(item)} ({item.status})" for key, item in after.items() if key not in before]
    changes += [f"{label(item)} removed" for key, item in before.items() if key not in after]
    for key, was in before.items():
        now = after.get(key)
        if now is not None and now != was:
            changes += compare(was, now)
    return changes


def _promise_differences(was: PromiseView, now: PromiseView) -> list[str]:
    changes = []
    if (now.amount_cents, now.due_date) != (was.amount_cents, was.due_date):
        changes.append(f"{_promise(was)} changed to {format_cents(now.amount_cents)} due {now.due_date}")
    if now.status != was.status:
        changes.append(f"{_promise(now)} now {now.status}")
    return changes


def _plan(p: PlanView) -> str:
    return f"plan {p.installment_count} × {format_cents(p.installment_cents)} {p.frequency}"


def _plan_differences(was: PlanView, now: PlanView) -> list[str]:
    changes = []
    if now.status != was.status:
        changes.append(f"{_plan(now)} now {now.status}")
    if now.paid_installments != was.paid_installments:
        changes.append(f"{_plan(now)}: {was.paid_installments} -> {now.paid_installments} installments paid")
    terms = ("installment_count", "installment_cents", "frequency", "first_due_date")
    if any(getattr(now, name) != getattr(was, name) for name in terms):
        changes.append(f"{_plan(was)} changed to {_plan(now)}")
    return changes


def _promise_changes(old: Iterable[PromiseView], new: Iterable[PromiseView]) -> list[str]:
    return _keyed_changes(old, new, _promise, _promise_differences)


def _plan_changes(old: Iterable[PlanView], new: Iterable[PlanView]) -> list[str]:
    return _keyed_changes(old, new, _plan, _plan_differences)


def _activity_changes(old: Iterable[ActivityView], new: Iterable[ActivityView]) -> list[str]:
    seen = {a.id for a in old}
    fresh = [a for a in new if a.id not in seen]
    if not fresh:
        return []
    latest = max(fresh, key=lambda a: (a.occurred_at, a.id))
    what = latest.outcome_code or latest.channel
    label = what if len(fresh) == 1 else f"latest {what}"
    return [f"{_plural(len(fresh), 'new activity', 'new activities')} ({label})"]


def describe_changes(old: AccountDetail, new: AccountDetail) -> list[str]:
    """Each difference between two reads of one account that a collector would care about."""
    changes: list[str] = []
    if new.total_balance_cents != old.total_balance_cents:
        changes.append(
            f"balance {format_cents(old.total_balance_cents)} -> {format_cents(new.total_balance_cents)}"
        )
    if new.status != old.status:
        changes.append(f"status {old.status} -> {new.status}")
    if (new.owner_login, new.owner) != (old.owner_login, old.owner):
        changes.append(f"owner {old.owner or 'unassigned'} -> {new.owner or 'unassigned'}")
    if new.next_action_at != old.next_action_at:
        changes.append(f"callback {_when(old.next_action_at)} -> {_when(new.next_action_at)}")
    added = [HoldReason(h).label for h in new.holds if h not in old.holds]
    released = [HoldReason(h).label for h in old.holds if h not in new.holds]
    if added:
        changes.append(f"hold added: {', '.join(added)}")
    if released:
        changes.append(f"hold released: {', '.join(released)}")
    changes += _phone_changes(old.phones, new.phones)
    changes += _promise_changes(old.promises, new.promises)
    changes += _plan_changes(old.plans, new.plans)
    changes += _activity_changes(old.activities, new.activities)
    seen = {t.id for t in old.transactions}
    fresh = sum(1 for t in new.transactions if t.id not in seen)
    if fresh:
        changes.append(_plural(fresh, "new transaction"))
    return changes


def changed_since_opened(old: AccountDetail, new: AccountDetail) -> str:
    """The one line a save shows when the account changed underneath it."""
    changes = describe_changes(old, new)
    return f"{CHANGED_PREFIX}: {'; '.join(changes)}" if changes else f"{CHANGED_PREFIX}."
