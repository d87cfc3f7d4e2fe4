"""collector_tui.domain.adherence: grace, tolerance, K consecutive late installments, returned
payments, overpayments, promises kept, partly kept and broken; the policy's [adherence] table and
the queue's "plan broken" factor."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, time, timedelta
from itertools import pairwise

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from collector_tui.domain import adherence
from collector_tui.domain.adherence import (
    BEHIND,
    BROKEN,
    COMPLETED,
    KEPT,
    MISSED,
    ON_TRACK,
    PAID,
    PARTIAL,
    PARTLY_KEPT,
    PENDING,
    SCHEDULED,
    AdherenceRules,
    InstallmentDue,
    Payment,
    PlanVerdict,
    ReturnedPayment,
    check_moment,
    evaluate_plan,
    evaluate_promise,
    plan_note,
    promise_note,
)
from collector_tui.domain.compliance.policy import PolicyError
from collector_tui.domain.plan_policy import parse_plan_policy
from collector_tui.domain.priority import TIER_PROMISE, TIER_REST, PriorityFacts, parse_priority_policy, score
from collector_tui.services.law.policy import shipped_policy_text
from collector_tui.vocabulary import InstallmentStatus

RULES = AdherenceRules(tolerance_cents=100, grace_days=5, broken_after=2)
RECORDED = datetime(2026, 1, 2, 16, tzinfo=UTC)
JAN, FEB, MAR = date(2026, 1, 15), date(2026, 2, 15), date(2026, 3, 15)
PLAN = [InstallmentDue(1, JAN, 10_000), InstallmentDue(2, FEB, 10_000), InstallmentDue(3, MAR, 10_000)]


def paid(day: date, cents: int, payment_id: int = 1, hour: int = 15) -> Payment:
    return Payment(payment_id, datetime.combine(day, time(hour), tzinfo=UTC), cents)


def returned(day: date, cents: int, payment_id: int = 1) -> ReturnedPayment:
    return ReturnedPayment(payment_id, datetime.combine(day, time(9), tzinfo=UTC), cents)


def judge(
    as_of: date,
    *payments: Payment,
    returns: tuple[ReturnedPayment, ...] = (),
    rules: AdherenceRules = RULES,
    plan: list[InstallmentDue] = PLAN,
    recorded: datetime = RECORDED,
) -> PlanVerdict:
    return evaluate_plan(plan, payments, returns, rules, recorded_at=recorded, as_of=as_of)


def statuses(verdict: PlanVerdict) -> list[str]:
    return [s.status for s in verdict.installments]


# --- on track, and when the plan is next looked at ------------------------------------------------


def test_a_paid_installment_parks_the_plan_until_the_next_ones_grace_ends() -> None:
    verdict = judge(date(2026, 1, 25), paid(JAN, 10_000))
    assert verdict.outcome == ON_TRACK
    assert statuses(verdict) == [PAID, SCHEDULED, SCHEDULED]
    # UTC midnight starting the day after the due date plus the grace days.
    assert verdict.next_check == datetime(2026, 2, 21, tzinfo=UTC) == check_moment(FEB, RULES)
    assert verdict.arrived_cents == 10_000 and verdict.owed_cents == 30_000


def test_nothing_is_judged_before_the_grace_ends() -> None:
    verdict = judge(date(2026, 1, 20))  # the 5th grace day is not over
    assert verdict.outcome == ON_TRACK and statuses(verdict) == [SCHEDULED] * 3
    assert verdict.next_check == check_moment(JAN, RULES)
    assert not verdict.installments[0].judged


# --- grace and tolerance ----------------------------------------------------------------------------


def test_a_payment_on_the_last_grace_day_is_on_time_and_the_day_after_is_late() -> None:
    on_time = judge(date(2026, 1, 22), paid(date(2026, 1, 20), 10_000, hour=23))
    late = judge(date(2026, 1, 22), paid(date(2026, 1, 21), 10_000, hour=0))
    assert not on_time.installments[0].late and on_time.outcome == ON_TRACK
    # Late, but paid by now: it counts toward breaking the plan, yet nothing is owed.
    assert late.installments[0].late and late.installments[0].status == PAID
    assert late.outcome == ON_TRACK


def test_a_shortfall_up_to_the_tolerance_counts_as_paid() -> None:
    as_of = date(2026, 1, 25)
    assert statuses(judge(as_of, paid(JAN, 9_900)))[0] == PAID  # $1.00 short: within the tolerance
    short = judge(as_of, paid(JAN, 9_899))  # $1.01 short
    assert statuses(short)[0] == MISSED and short.installments[0].late
    assert short.installments[0].paid_cents == 9_899
    assert short.outcome == BEHIND


def test_a_shortfall_carries_to_the_next_installment_oldest_first() -> None:
    verdict = judge(date(2026, 2, 25), paid(JAN, 9_950), paid(FEB, 10_000, 2))
    [first, second, _] = verdict.installments
    assert (first.paid_cents, second.paid_cents) == (10_000, 9_950)  # the 50 cents short moved on
    assert statuses(verdict) == [PAID, PAID, SCHEDULED]


def test_an_office_may_set_its_own_grace_and_tolerance() -> None:
    strict = AdherenceRules(tolerance_cents=0, grace_days=0, broken_after=2)
    verdict = judge(date(2026, 1, 17), paid(date(2026, 1, 16), 9_999), rules=strict)
    assert verdict.installments[0].late and statuses(verdict)[0] == MISSED


# --- K consecutive late installments ----------------------------------------------------------------


def test_one_late_installment_puts_the_plan_behind_and_two_in_a_row_break_it() -> None:
    behind = judge(date(2026, 1, 21))
    assert behind.outcome == BEHIND and statuses(behind) == [MISSED, SCHEDULED, SCHEDULED]
    assert behind.next_check == check_moment(FEB, RULES)  # when the second is judged
    broken = judge(date(2026, 2, 21))
    assert broken.outcome == BROKEN and broken.breaking == (1, 2) and broken.next_check is None


def test_k_is_the_policys() -> None:
    three = replace(RULES, broken_after=3)
    assert judge(date(2026, 2, 21), rules=three).outcome == BEHIND
    assert judge(date(2026, 1, 21), rules=replace(RULES, broken_after=1)).outcome == BROKEN


def test_catching_up_resets_the_run_of_late_installments() -> None:
    # The first is late; both are paid before the second's grace ends; the third is late.
    verdict = judge(date(2026, 3, 21), paid(date(2026, 2, 1), 20_000))
    assert [s.late for s in verdict.installments] == [True, False, True]
    assert verdict.outcome == BROKEN  # the third is the last: the schedule ended unpaid
    longer = [*PLAN, InstallmentDue(4, date(2026, 4, 15), 10_000)]
    assert judge(date(2026, 3, 21), paid(date(2026, 2, 1), 20_000), plan=longer).outcome == BEHIND


def test_paying_the_current_installment_while_behind_pays_the_oldest() -> None:
    verdict = judge(date(2026, 2, 21), paid(FEB, 10_000))
    assert [s.paid_cents for s in verdict.installments] == [10_000, 0, 0]
    assert verdict.outcome == BROKEN and verdict.breaking == (1, 2)


def test_a_plan_whose_last_installment_is_late_is_broken() -> None:
    verdict = judge(date(2026, 3, 21), paid(JAN, 10_000), paid(FEB, 10_000, 2))
    assert verdict.outcome == BROKEN and verdict.breaking == (3,)


# --- returned payments ------------------------------------------------------------------------------


def test_a_returned_payment_reopens_the_installment_it_paid() -> None:
    payment = paid(JAN, 10_000, payment_id=7)
    nsf = returned(date(2026, 1, 24), 10_000, payment_id=7)
    before = judge(date(2026, 1, 23), payment, returns=(nsf,))
    assert statuses(before) == [PAID, SCHEDULED, SCHEDULED]  # the return is not posted yet
    after = judge(date(2026, 1, 25), payment, returns=(nsf,))
    assert statuses(after) == [MISSED, SCHEDULED, SCHEDULED]
    assert after.installments[0].reopened and after.installments[0].late
    assert after.outcome == BEHIND and after.reopened == (after.installments[0],)


def test_a_return_of_another_payment_or_part_of_one() -> None:
    payments = (paid(JAN, 10_000, 1), paid(FEB, 10_000, 2))
    partial_return = judge(date(2026, 2, 25), *payments, returns=(returned(date(2026, 2, 1), 3_000, 2),))
    assert [s.paid_cents for s in partial_return.installments] == [10_000, 7_000, 0]
    unknown = judge(date(2026, 2, 25), *payments, returns=(returned(date(2026, 2, 1), 10_000, 99),))
    assert statuses(unknown) == [PAID, PAID, SCHEDULED]


# --- overpayment, completion, what counts ------------------------------------------------------------


def test_an_overpayment_advances_the_schedule() -> None:
    verdict = judge(date(2026, 1, 25), paid(date(2026, 1, 10), 25_000))
    assert [s.paid_cents for s in verdict.installments] == [10_000, 10_000, 5_000]
    assert statuses(verdict) == [PAID, PAID, PARTIAL]
    assert verdict.outcome == ON_TRACK and verdict.next_check == check_moment(MAR, RULES)


def test_paying_everything_completes_the_plan_even_early() -> None:
    verdict = judge(date(2026, 1, 12), paid(date(2026, 1, 10), 29_950))  # 50 cents short: tolerated
    assert verdict.outcome == COMPLETED and verdict.next_check is None
    assert statuses(verdict) == [PAID, PAID, PAID]


def test_payments_before_the_plan_was_recorded_and_after_the_as_of_day_do_not_count() -> None:
    early = Payment(1, RECORDED - timedelta(minutes=1), 10_000)
    later = paid(date(2026, 1, 26), 10_000, 2)
    verdict = judge(date(2026, 1, 25), early, later)
    assert statuses(verdict)[0] == MISSED and verdict.arrived_cents == 0


def test_installments_due_before_the_plan_was_recorded_are_history() -> None:
    recorded = datetime(2026, 2, 1, tzinfo=UTC)  # carried over after January's installment
    verdict = judge(date(2026, 2, 21), paid(FEB, 10_000), recorded=recorded)
    assert [s.sequence for s in verdict.installments] == [2, 3] and verdict.history == 1
    assert verdict.outcome == ON_TRACK
    # The last installment is always judged, so a plan recorded after its end still ends.
    ended = judge(date(2026, 4, 1), recorded=datetime(2026, 3, 31, tzinfo=UTC))
    assert [s.sequence for s in ended.installments] == [3] and ended.outcome == BROKEN


def test_a_plan_needs_installments() -> None:
    with pytest.raises(ValueError, match="at least one installment"):
        judge(date(2026, 1, 25), plan=[])


# --- promises -----------------------------------------------------------------------------------------

PROMISE_RULES = AdherenceRules(tolerance_cents=100, grace_days=5, broken_after=1)


def promise(
    as_of: date, *payments: Payment, returns: tuple[ReturnedPayment, ...] = ()
) -> adherence.PromiseVerdict:
    return evaluate_promise(5_000, JAN, payments, returns, PROMISE_RULES, recorded_at=RECORDED, as_of=as_of)


def test_a_promise_is_kept_as_soon_as_it_is_paid() -> None:
    kept = promise(date(2026, 1, 10), paid(date(2026, 1, 9), 5_000))
    assert (kept.outcome, kept.arrived_cents) == (KEPT, 5_000)
    assert promise(date(2026, 1, 22), paid(date(2026, 1, 20), 4_900)).outcome == KEPT  # within the tolerance


def test_a_promise_waits_for_its_grace_then_breaks() -> None:
    waiting = promise(date(2026, 1, 20))
    assert waiting.outcome == PENDING and waiting.next_check == check_moment(JAN, PROMISE_RULES)
    broken = promise(date(2026, 1, 21))
    assert (broken.outcome, broken.arrived_cents, broken.deadline) == (BROKEN, 0, date(2026, 1, 20))


def test_a_promise_paid_in_part_is_partly_kept() -> None:
    verdict = promise(date(2026, 1, 21), paid(date(2026, 1, 18), 3_000))
    assert (verdict.outcome, verdict.arrived_cents) == (PARTLY_KEPT, 3_000)
    note = promise_note(verdict, PROMISE_RULES)
    assert note.startswith("Promise partly kept: $30.00 of $50.00 due 2026-01-15 arrived by 2026-01-20")
    assert "recorded as broken" in note


def test_a_returned_payment_breaks_a_promise_it_would_have_kept() -> None:
    verdict = promise(
        date(2026, 1, 21), paid(date(2026, 1, 14), 5_000), returns=(returned(date(2026, 1, 19), 5_000),)
    )
    assert verdict.outcome == BROKEN and verdict.reopened
    assert "returned payment" in promise_note(verdict, PROMISE_RULES)


# --- what the timeline says -------------------------------------------------------------------------


def test_the_notes_say_what_happened() -> None:
    broken = plan_note(judge(date(2026, 2, 21)), RULES, 3)
    assert broken.startswith("Payment plan broken: 2 consecutive late installments (5 grace days")
    assert "installment 1 of 3: $100.00 due 2026-01-15, $0.00 by 2026-01-20" in broken
    assert broken.endswith("Back in the calling order.")
    behind = plan_note(judge(date(2026, 1, 21)), RULES, 3)
    assert "1 more late installment breaks the plan (next check 2026-02-21)" in behind
    reopened = judge(date(2026, 1, 25), paid(JAN, 10_000), returns=(returned(date(2026, 1, 24), 10_000),))
    assert "A returned payment reopened installment 1." in plan_note(reopened, RULES, 3)
    done = plan_note(judge(date(2026, 3, 1), paid(JAN, 30_000)), RULES, 3)
    assert done == "Payment plan completed: $300.00 of $300.00 paid; the plan is closed."


# --- properties -------------------------------------------------------------------------------------

DAYS = st.integers(min_value=0, max_value=150).map(lambda n: date(2026, 1, 3) + timedelta(days=n))


@st.composite
def histories(draw: st.DrawFn) -> tuple[list[InstallmentDue], list[Payment], list[ReturnedPayment], date]:
    count = draw(st.integers(1, 6))
    first = draw(DAYS)
    amounts = draw(st.lists(st.integers(1, 50_000), min_size=count, max_size=count))
    plan = [InstallmentDue(n + 1, first + timedelta(days=30 * n), a) for n, a in enumerate(amounts)]
    payments = [
        Payment(n, datetime.combine(day, time(12), tzinfo=UTC), cents)
        for n, (day, cents) in enumerate(draw(st.lists(st.tuples(DAYS, st.integers(1, 60_000)), max_size=8)))
    ]
    returns = [
        ReturnedPayment(p.id, p.posted_at + timedelta(days=draw(st.integers(0, 20))), p.amount_cents)
        for p in payments
        if draw(st.booleans())
    ]
    return plan, payments, returns, draw(DAYS)


@given(histories(), st.integers(0, 500), st.integers(0, 10), st.integers(1, 3))
@settings(max_examples=300)
def test_payments_fill_the_oldest_installments_first(
    history: tuple[list[InstallmentDue], list[Payment], list[ReturnedPayment], date],
    tolerance: int,
    grace: int,
    k: int,
) -> None:
    plan, payments, returns, as_of = history
    rules = AdherenceRules(tolerance, grace, k)
    verdict = judge(as_of, *payments, returns=tuple(returns), rules=rules, plan=plan)
    states = verdict.installments
    assert sum(s.paid_cents for s in states) == verdict.arrived_cents <= verdict.owed_cents
    for earlier, later in pairwise(states):
        assert later.paid_cents == 0 or earlier.paid_cents == earlier.amount_cents
    assert all(0 <= s.by_deadline_cents <= s.amount_cents for s in states)
    assert (verdict.outcome == COMPLETED) == all(s.status == PAID for s in states)
    assert (verdict.next_check is not None) == (verdict.outcome in (ON_TRACK, BEHIND))
    if verdict.next_check is not None:
        assert verdict.next_check.date() > as_of  # parked in the future
    assert all(not s.late for s in states if not s.judged)
    # A returned payment counts as if it never arrived.
    gone = {r.payment_id for r in returns if r.posted_at.date() <= as_of}
    kept = [p for p in payments if p.id not in gone]
    assert judge(as_of, *kept, rules=rules, plan=plan).installments == tuple(
        replace(s, reopened=False) for s in states
    )


@given(histories(), DAYS, st.integers(1, 60_000))
@settings(max_examples=200)
def test_more_money_never_makes_a_plan_worse(
    history: tuple[list[InstallmentDue], list[Payment], list[ReturnedPayment], date], day: date, cents: int
) -> None:
    plan, payments, _, as_of = history
    rank = {BROKEN: 0, BEHIND: 1, ON_TRACK: 2, COMPLETED: 3}
    before = judge(as_of, *payments, plan=plan)
    after = judge(as_of, *payments, paid(day, cents, payment_id=10_000), plan=plan)
    assert rank[after.outcome] >= rank[before.outcome]
    assert len(after.late) <= len(before.late)
    assert all(
        a.paid_cents >= b.paid_cents for a, b in zip(after.installments, before.installments, strict=True)
    )


# --- the policy and the queue -------------------------------------------------------------------------

SHIPPED = shipped_policy_text("plans.toml")


def test_the_shipped_policy_judges_plans_and_promises() -> None:
    policy = parse_plan_policy(SHIPPED)
    assert policy.adherence.plans == AdherenceRules(tolerance_cents=100, grace_days=5, broken_after=2)
    assert policy.adherence.promises == AdherenceRules(tolerance_cents=100, grace_days=5, broken_after=1)
    assert policy.grace_days == 5  # what the agreement text promises


def test_an_office_override_sets_adherence_for_both_or_one() -> None:
    policy = parse_plan_policy(
        SHIPPED, "[adherence]\ngrace_days = 10\n[adherence.plans]\nbroken_after = 3\ntolerance_cents = 0\n"
    )
    assert policy.adherence.plans == AdherenceRules(tolerance_cents=0, grace_days=10, broken_after=3)
    assert policy.adherence.promises == AdherenceRules(tolerance_cents=100, grace_days=10, broken_after=1)
    assert parse_plan_policy(SHIPPED.split("[adherence]")[0]).adherence == adherence.DEFAULT_ADHERENCE


@pytest.mark.parametrize(
    ("override", "message"),
    [
        ("[adherence.plans]\nbroken_after = 0\n", r"adherence\.plans\.broken_after must be at least 1"),
        ("[adherence.promises]\nbroken_after = 2\n", r"adherence\.promises\.broken_after must be 1"),
        ("[adherence]\ngrace_days = -1\n", r"adherence\.grace_days must be a whole number"),
        ("[adherence]\nplans = 3\n", r"\[adherence\.plans\] must be a table"),
    ],
)
def test_a_bad_adherence_setting_is_refused(override: str, message: str) -> None:
    with pytest.raises(PolicyError, match=message):
        parse_plan_policy(SHIPPED, override)


def test_the_installment_statuses_are_the_stored_codes() -> None:
    assert InstallmentStatus.codes() == (SCHEDULED, PAID, PARTIAL, MISSED)


def test_a_plan_broken_in_the_window_counts_like_a_broken_promise() -> None:
    policy = parse_priority_policy(shipped_policy_text("priority.toml"))
    now = datetime(2026, 11, 27, 15, tzinfo=UTC)
    facts = PriorityFacts(
        patient_balance_cents=100_000,
        age_days=75,
        placed_date=date(2026, 9, 1),
        last_contact_at=datetime(2026, 11, 17, 15, tzinfo=UTC),
        callback_at=None,
        next_promise_due=None,
        last_broken_promise=None,
        recent_payments=0,
    )
    recent = score(replace(facts, last_broken_plan=date(2026, 11, 13)), policy, now)
    assert recent.tier == TIER_PROMISE
    assert ("plan broken", "2026-11-13", 30) in [(f.name, f.value, f.points) for f in recent.factors]
    old = score(replace(facts, last_broken_plan=date(2026, 11, 12)), policy, now)
    assert old.tier == TIER_REST and "plan broken" not in [f.name for f in old.factors]
    assert recent.score > score(facts, policy, now).score
