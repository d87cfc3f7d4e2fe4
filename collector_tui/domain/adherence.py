"""Whether payment plans and promises to pay are kept: the rules of the nightly evaluation.

Pure: a function of the installments, the payments (and the returned ones),
the adherence rules of the plan policy and the as-of day. The evaluation is
recomputed from the whole history every night, so running it twice for the
same day gives the same answer.

- What arrived: payments posted from the moment the plan (or promise) was
  recorded through the as-of day (UTC dates). A returned payment (NSF, a
  reversal) never arrived: the money it took back is subtracted from the
  payment it returns, so the installment that payment paid opens again.
- Payments apply to the oldest installment due first; paying more advances
  the schedule (it pays the next installments).
- An installment is *late* when less than its amount less the tolerance had
  arrived toward it by its due date plus the grace days (oldest first: what
  arrived must cover it and every earlier one, short by at most the
  tolerance). It is *judged* once that day is over (before the as-of day).
- A plan is *completed* when every installment is paid (to within the
  tolerance), whatever came before; else *broken* after ``broken_after``
  consecutive late installments, or when every installment is judged; else
  *behind* when a judged installment is still unpaid; else *on track*.
- Installments due before the plan was recorded (a plan carried over from
  another system) are history: left as recorded, never judged. The last
  installment is always judged, so such a plan still ends.
- A promise is a one-installment schedule judged by the promise rules: kept,
  partly kept (something but not enough arrived in time) or broken.
"""

from __future__ import annotations

from bisect import bisect_right
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from itertools import accumulate

from collector_tui.domain.money import format_cents
from collector_tui.vocabulary import InstallmentStatus

# Installment statuses: the codes stored in installment.status.
SCHEDULED = InstallmentStatus.SCHEDULED
PARTIAL = InstallmentStatus.PARTIAL
PAID = InstallmentStatus.PAID
MISSED = InstallmentStatus.MISSED

# What the evaluation says of a plan.
ON_TRACK = "on_track"
BEHIND = "behind"
COMPLETED = "completed"
BROKEN = "broken"
PLAN_OUTCOMES = (ON_TRACK, BEHIND, COMPLETED, BROKEN)

# What it says of a promise (partly kept is stored as broken: see services.plan_adherence).
PENDING = "pending"
KEPT = "kept"
PARTLY_KEPT = "partly_kept"
PROMISE_OUTCOMES = (PENDING, KEPT, PARTLY_KEPT, BROKEN)


@dataclass(frozen=True, slots=True)
class AdherenceRules:
    """How plans (or promises) are judged: the plan policy's ``[adherence]`` table."""

    tolerance_cents: int = 100  # short by less than this still counts as paid
    grace_days: int = 5  # a payment this many days after the due date is still on time
    broken_after: int = 2  # consecutive late installments that break the schedule


@dataclass(frozen=True, slots=True)
class AdherencePolicy:
    plans: AdherenceRules = AdherenceRules()
    promises: AdherenceRules = AdherenceRules(broken_after=1)


DEFAULT_ADHERENCE = AdherencePolicy()


@dataclass(frozen=True, slots=True)
class InstallmentDue:
    """One installment of a schedule: what is due when."""

    sequence: int
    due_date: date
    amount_cents: int


@dataclass(frozen=True, slots=True)
class Payment:
    id: int
    posted_at: datetime
    amount_cents: int  # what arrived (positive)


@dataclass(frozen=True, slots=True)
class ReturnedPayment:
    """A reversal of a payment (NSF, a chargeback): the money went back."""

    payment_id: int
    posted_at: datetime
    amount_cents: int  # what was taken back (positive)


@dataclass(frozen=True, slots=True)
class InstallmentState:
    sequence: int
    due_date: date
    amount_cents: int
    paid_cents: int  # what has arrived toward it by the as-of day, oldest installment first
    status: str  # scheduled, partial, paid, missed
    deadline: date  # the due date plus the grace days
    by_deadline_cents: int  # what had arrived toward it by the deadline
    judged: bool  # the deadline is over
    late: bool  # judged, and less than the amount less the tolerance had arrived by the deadline
    reopened: bool  # a returned payment took back money that had paid it

    @property
    def settled(self) -> bool:
        return self.status == PAID


@dataclass(frozen=True, slots=True)
class PlanVerdict:
    outcome: str  # on_track, behind, completed, broken
    installments: tuple[InstallmentState, ...]  # those judged here (history omitted)
    breaking: tuple[int, ...]  # the late installments (sequences) that broke the plan
    next_check: datetime | None  # when the next installment is judged (on track or behind)
    arrived_cents: int  # what arrived toward these installments through the as-of day
    owed_cents: int  # their total
    history: int = 0  # installments due before the plan was recorded, left as recorded

    @property
    def late(self) -> tuple[InstallmentState, ...]:
        return tuple(s for s in self.installments if s.late)

    @property
    def missed(self) -> tuple[InstallmentState, ...]:
        return tuple(s for s in self.installments if s.status == MISSED)

    @property
    def reopened(self) -> tuple[InstallmentState, ...]:
        return tuple(s for s in self.installments if s.reopened)


@dataclass(frozen=True, slots=True)
class PromiseVerdict:
    outcome: str  # pending, kept, partly_kept, broken
    amount_cents: int
    due_date: date
    deadline: date
    arrived_cents: int  # by the deadline when judged, else through the as-of day
    reopened: bool  # a returned payment took back money that had kept it
    next_check: datetime | None


def deadline_of(due: date, rules: AdherenceRules) -> date:
    return due + timedelta(days=rules.grace_days)


def check_moment(due: date, rules: AdherenceRules) -> datetime:
    """When an installment due on ``due`` is judged: UTC midnight starting the day after its grace."""
    return datetime.combine(deadline_of(due, rules) + timedelta(days=1), time(0), tzinfo=UTC)


def _day(moment: datetime) -> date:
    return moment.astimezone(UTC).date()


class _Arrivals:
    """Money that arrived, by UTC day, with a running total to ask "how much by day D"."""

    def __init__(self, arrivals: list[tuple[date, int]]) -> None:
        arrivals.sort()
        self._days = [day for day, _ in arrivals]
        self._totals = list(accumulate(cents for _, cents in arrivals))

    def by(self, day: date) -> int:
        n = bisect_right(self._days, day)
        return self._totals[n - 1] if n else 0


def _arrivals(
    payments: Sequence[Payment],
    returned: Sequence[ReturnedPayment],
    *,
    since: datetime,
    as_of: date,
    net: bool,
) -> _Arrivals:
    """Payments posted from ``since`` through ``as_of``; with ``net``, less what was returned of each."""
    taken_back: dict[int, int] = defaultdict(int)
    if net:
        for r in returned:
            if _day(r.posted_at) <= as_of and r.amount_cents > 0:
                taken_back[r.payment_id] += r.amount_cents
    found = [
        (_day(p.posted_at), p.amount_cents - taken_back.get(p.id, 0))
        for p in payments
        if p.posted_at >= since and _day(p.posted_at) <= as_of
    ]
    return _Arrivals([(day, cents) for day, cents in found if cents > 0])


def _between(value: int, low: int, high: int) -> int:
    return max(low, min(value, high))


def evaluate_plan(
    installments: Sequence[InstallmentDue],
    payments: Sequence[Payment],
    returned: Sequence[ReturnedPayment],
    rules: AdherenceRules,
    *,
    recorded_at: datetime,
    as_of: date,
) -> PlanVerdict:
    """The state of a plan's installments and the plan itself on ``as_of``."""
    if not installments:
        raise ValueError("a plan needs at least one installment")
    if rules.broken_after < 1:
        raise ValueError("broken_after must be at least 1")
    ordered = sorted(installments, key=lambda i: (i.due_date, i.sequence))
    recorded_on = _day(recorded_at)
    judged_here = [i for i in ordered[:-1] if i.due_date >= recorded_on] + [ordered[-1]]
    net = _arrivals(payments, returned, since=recorded_at, as_of=as_of, net=True)
    gross = _arrivals(payments, returned, since=recorded_at, as_of=as_of, net=False)
    arrived, arrived_gross = net.by(as_of), gross.by(as_of)

    states: list[InstallmentState] = []
    run: list[int] = []
    breaking: tuple[int, ...] = ()
    before = 0  # owed by the installments due earlier: paid first
    for due in judged_here:
        amount = due.amount_cents
        # Paid when what arrived covers it and every earlier one, short by at most the tolerance.
        enough = before + amount - rules.tolerance_cents
        deadline = deadline_of(due.due_date, rules)
        judged = deadline < as_of
        paid = _between(arrived - before, 0, amount)
        settled = arrived >= enough
        by_deadline = _between(net.by(deadline) - before, 0, amount)
        late = judged and net.by(deadline) < enough
        reopened = not settled and arrived_gross >= enough
        if settled:
            status = PAID
        elif judged:
            status = MISSED
        else:
            status = PARTIAL if paid else SCHEDULED
        states.append(
            InstallmentState(
                sequence=due.sequence,
                due_date=due.due_date,
                amount_cents=amount,
                paid_cents=paid,
                status=status,
                deadline=deadline,
                by_deadline_cents=by_deadline,
                judged=judged,
                late=late,
                reopened=reopened,
            )
        )
        run = [*run, due.sequence] if late else []
        if not breaking and len(run) >= rules.broken_after:
            breaking = tuple(run)
        before += amount

    unsettled = [s for s in states if not s.settled]
    if not unsettled:
        outcome = COMPLETED
    elif breaking or all(s.judged for s in states):
        outcome = BROKEN
        breaking = breaking or tuple(run) or tuple(s.sequence for s in unsettled)
    elif any(s.judged for s in unsettled):
        outcome = BEHIND
    else:
        outcome = ON_TRACK
    upcoming = next((s for s in unsettled if not s.judged), None)
    next_check = (
        check_moment(upcoming.due_date, rules) if upcoming and outcome in (ON_TRACK, BEHIND) else None
    )
    return PlanVerdict(
        outcome=outcome,
        installments=tuple(states),
        breaking=breaking if outcome == BROKEN else (),
        next_check=next_check,
        arrived_cents=min(arrived, before),
        owed_cents=before,
        history=len(ordered) - len(judged_here),
    )


def evaluate_promise(
    amount_cents: int,
    due_date: date,
    payments: Sequence[Payment],
    returned: Sequence[ReturnedPayment],
    rules: AdherenceRules,
    *,
    recorded_at: datetime,
    as_of: date,
) -> PromiseVerdict:
    """A promise to pay ``amount_cents`` by ``due_date``: kept once paid, else judged after the grace."""
    due = InstallmentDue(1, due_date, amount_cents)
    verdict = evaluate_plan([due], payments, returned, rules, recorded_at=recorded_at, as_of=as_of)
    [state] = verdict.installments
    by_deadline = state.by_deadline_cents
    if verdict.outcome == COMPLETED:
        outcome, arrived = KEPT, state.paid_cents
    elif verdict.outcome == BROKEN:
        outcome, arrived = (PARTLY_KEPT if by_deadline else BROKEN), by_deadline
    else:
        outcome, arrived = PENDING, state.paid_cents
    return PromiseVerdict(
        outcome=outcome,
        amount_cents=amount_cents,
        due_date=due_date,
        deadline=state.deadline,
        arrived_cents=arrived,
        reopened=state.reopened,
        next_check=verdict.next_check,
    )


# --- what the timeline says -----------------------------------------------------------------------


def _sequences(numbers: Sequence[int]) -> str:
    words = [str(n) for n in numbers]
    return words[0] if len(words) == 1 else ", ".join(words[:-1]) + " and " + words[-1]


def _plural(n: int, word: str) -> str:
    return f"{n} {word}" + ("" if n == 1 else "s")


def _terms(rules: AdherenceRules) -> str:
    return f"{_plural(rules.grace_days, 'grace day')}, {format_cents(rules.tolerance_cents)} tolerance"


def _installments(states: Sequence[InstallmentState], count: int) -> str:
    return "; ".join(
        f"installment {s.sequence} of {count}: {format_cents(s.amount_cents)} due {s.due_date:%Y-%m-%d}, "
        f"{format_cents(s.by_deadline_cents)} by {s.deadline:%Y-%m-%d}"
        for s in states
    )


def _reopened(verdict: PlanVerdict) -> str:
    numbers = [s.sequence for s in verdict.reopened]
    if not numbers:
        return ""
    word = "installment" if len(numbers) == 1 else "installments"
    return f" A returned payment reopened {word} {_sequences(numbers)}."


def _trailing_late(verdict: PlanVerdict) -> int:
    run = 0
    for state in verdict.installments:
        if state.judged:
            run = run + 1 if state.late else 0
    return run


def plan_note(verdict: PlanVerdict, rules: AdherenceRules, count: int) -> str:
    """The timeline line for a plan that broke, completed or fell behind (``count``: its installments)."""
    paid = f"{format_cents(verdict.arrived_cents)} of {format_cents(verdict.owed_cents)} paid"
    if verdict.history:
        paid += f" (the {_plural(verdict.history, 'installment')} due before the plan was recorded aside)"
    if verdict.outcome == COMPLETED:
        return f"Payment plan completed: {paid}; the plan is closed."
    if verdict.outcome == BROKEN:
        late = [s for s in verdict.installments if s.sequence in verdict.breaking]
        why = (
            f"{_plural(len(late), 'consecutive late installment')}"
            if len(late) >= rules.broken_after
            else "the schedule ended unpaid"
        )
        return (
            f"Payment plan broken: {why} ({_terms(rules)}): {_installments(late, count)}. {paid}."
            f"{_reopened(verdict)} Back in the calling order."
        )
    left = max(1, rules.broken_after - _trailing_late(verdict))
    until = f" (next check {verdict.next_check:%Y-%m-%d})" if verdict.next_check else ""
    return (
        f"Payment plan behind ({_terms(rules)}): {_installments(verdict.missed, count)}. "
        f"{_plural(left, 'more late installment')} {'breaks' if left == 1 else 'break'} the plan{until}."
        f"{_reopened(verdict)}"
    )


def promise_note(verdict: PromiseVerdict, rules: AdherenceRules) -> str:
    """The timeline line for a promise that was kept, partly kept or broken."""
    promised = f"{format_cents(verdict.amount_cents)} due {verdict.due_date:%Y-%m-%d}"
    if verdict.outcome == KEPT:
        return f"Promise kept: {promised}; {format_cents(verdict.arrived_cents)} arrived."
    returned = " A returned payment took back money toward it." if verdict.reopened else ""
    if verdict.outcome == PARTLY_KEPT:
        return (
            f"Promise partly kept: {format_cents(verdict.arrived_cents)} of {promised} arrived by "
            f"{verdict.deadline:%Y-%m-%d} ({_terms(rules)}); recorded as broken.{returned} "
            "Back in the calling order."
        )
    return (
        f"Promise broken: nothing of {promised} arrived by {verdict.deadline:%Y-%m-%d} "
        f"({_terms(rules)}).{returned} Back in the calling order."
    )
