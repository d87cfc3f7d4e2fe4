"""Properties of the engine that must hold for any account, history and moment."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

from hypothesis import assume, given, settings
from hypothesis import strategies as st

from collector_tui.domain.compliance.clock import inside_window
from collector_tui.domain.compliance.engine import (
    CallGroup,
    call_state,
    evaluate,
    group_open,
    money_call_inputs,
)
from collector_tui.domain.compliance.facts import Contact, Hold, PhoneFacts
from collector_tui.services.law.policy import load_workspace_policy
from tests.domain.compliance_helpers import POLICY, account, call, phone

ZONES = (
    "America/New_York",
    "America/Chicago",
    "America/Denver",
    "America/Phoenix",
    "America/Los_Angeles",
    "America/Anchorage",
    "Pacific/Honolulu",
    "America/Puerto_Rico",
    "America/Boise",
    "America/Indiana/Indianapolis",
)
moments = st.datetimes(
    min_value=datetime(2025, 1, 1), max_value=datetime(2027, 12, 31), timezones=st.just(UTC)
)
zone_sets = st.lists(st.sampled_from(ZONES), min_size=1, max_size=3, unique=True).map(
    lambda z: tuple(sorted(z))
)

DISPOSITIONS = load_workspace_policy().dispositions


@given(zones=zone_sets, now=moments)
@settings(max_examples=300, deadline=None)
def test_a_closed_window_lifts_at_the_first_moment_it_is_open(zones: tuple[str, ...], now: datetime) -> None:
    group = CallGroup(zones, "")
    result = evaluate(
        account(state=None, zip_code=None, phones=(phone("6145550142", time_zones=zones),)), POLICY, now
    )
    window = [b for b in result.phones[0].blocks if b.rule_id == "window"]
    inside = inside_window(zones, now, POLICY.window_start, POLICY.window_end)
    assert bool(window) != inside
    assert group_open(group, POLICY, now) == inside
    if window and window[0].until is not None:
        lifts = window[0].until
        assert lifts > now
        assert inside_window(zones, lifts, POLICY.window_start, POLICY.window_end)
        assert not inside_window(zones, lifts - timedelta(minutes=1), POLICY.window_start, POLICY.window_end)


codes = st.sampled_from(sorted(DISPOSITIONS))


@st.composite
def histories(draw: st.DrawFn) -> tuple[datetime, list[Contact], datetime | None, tuple[Hold, ...]]:
    now = draw(moments)
    offsets = draw(st.lists(st.integers(min_value=1, max_value=20 * 24 * 60), max_size=14))
    contacts = [call(now - timedelta(minutes=m), draw(codes)) for m in offsets]
    consent = draw(
        st.none() | st.integers(min_value=0, max_value=12 * 24 * 60).map(lambda m: now - timedelta(minutes=m))
    )
    holds = tuple(
        Hold(reason, now - timedelta(days=3))
        for reason in draw(
            st.lists(st.sampled_from(["dispute", "cease", "supervisor", "itemized_statement"]), max_size=2)
        )
    )
    return now, contacts, consent, holds


@given(history=histories(), state=st.sampled_from(["OH", "MA", "HI", "AZ"]))
@settings(max_examples=300, deadline=None)
def test_the_stored_call_state_says_exactly_when_the_account_blocks_a_call(
    history: tuple[datetime, list[Contact], datetime | None, tuple[Hold, ...]], state: str
) -> None:
    now, contacts, consent, holds = history
    facts = account(
        state=state, zip_code=None, contacts=tuple(contacts), call_consent_at=consent, holds=holds
    )
    stored = call_state(facts, POLICY, now)
    blocked_by_account = bool(evaluate(facts, POLICY, now).actions["call"].blocks) and any(
        b.rule_id != "phones" and b.rule_id != "window"
        for b in evaluate(facts, POLICY, now).actions["call"].blocks
    )
    frequency_blocks = stored.frequency_clear_at is not None and now < stored.frequency_clear_at
    exempt = stored.exempt_until is not None and now < stored.exempt_until
    assert blocked_by_account == (stored.held or (frequency_blocks and not exempt))


@st.composite
def money_pairs(draw: st.DrawFn) -> tuple[tuple[str, int, int], tuple[str, int, int]]:
    """Two (status, total, insurance pending) states of one account, often alike to the engine's eyes."""
    statuses = ["open", "paid", "closed", "recalled"]

    def one(status: str) -> tuple[str, int, int]:
        total = draw(st.integers(min_value=-50_000, max_value=10_000_000))
        insurance = draw(st.just(0) | st.integers(min_value=1, max_value=10_000_000))
        return status, total, insurance

    first = draw(st.sampled_from(statuses))
    return one(first), one(draw(st.sampled_from([first, *statuses])))


@given(history=histories(), state=st.sampled_from(["OH", "MA", "HI", "AZ"]), money=money_pairs())
@settings(max_examples=300, deadline=None)
def test_money_that_moves_neither_status_nor_pending_insurance_leaves_the_call_state(
    history: tuple[datetime, list[Contact], datetime | None, tuple[Hold, ...]],
    state: str,
    money: tuple[tuple[str, int, int], tuple[str, int, int]],
) -> None:
    """Why posting a payment may skip the call state: the engine reads no more of the money than this."""
    (status_a, total_a, insurance_a), (status_b, total_b, insurance_b) = money
    assume(money_call_inputs(status_a, insurance_a) == money_call_inputs(status_b, insurance_b))
    now, contacts, consent, holds = history
    base = {"state": state, "contacts": tuple(contacts), "call_consent_at": consent, "holds": holds}
    before = account(
        **base, status=status_a, total_balance_cents=total_a, insurance_pending_cents=insurance_a
    )
    after = account(**base, status=status_b, total_balance_cents=total_b, insurance_pending_cents=insurance_b)
    assert call_state(before, POLICY, now) == call_state(after, POLICY, now)


# -- a state's limits by kind of number, as the queue stores them -----------------------------------

KINDS = ("mobile", "home", "work", "other")
SENT = ("text", "email", "letter")


@st.composite
def contact_histories(draw: st.DrawFn) -> tuple[datetime, tuple[Contact, ...], tuple[PhoneFacts, ...]]:
    """Calls, texts, emails and letters over five weeks, to numbers of every kind."""
    now = draw(moments)
    kinds = draw(st.lists(st.sampled_from(KINDS), min_size=1, max_size=3))
    phones = tuple(
        phone(f"61755501{n:02d}", n + 1, phone_type=kind, consent_at=now - timedelta(days=400))
        for n, kind in enumerate(kinds)
    )
    contacts = []
    for _ in range(draw(st.integers(0, 12))):
        moment = now - timedelta(minutes=draw(st.integers(0, 36 * 24 * 60)))
        dialled = draw(st.sampled_from(phones))
        if draw(st.booleans()):
            made = call(moment, draw(codes))
        else:
            made = Contact(moment, draw(st.sampled_from(SENT)), attempt=False, direction="out")
        if made.channel in ("call", "voicemail", "text"):
            made = replace(made, phone_id=dialled.phone_id, phone_type=dialled.phone_type)
        contacts.append(made)
    return now, tuple(contacts), phones


@given(
    history=contact_histories(),
    state=st.sampled_from(["MA", "WA", "OH"]),
    regime=st.sampled_from(["third_party", "first_party"]),
    consent=st.none() | st.integers(0, 10 * 24 * 60),
)
@settings(max_examples=400, deadline=None)
def test_the_stored_limits_say_exactly_which_numbers_a_state_limit_blocks(
    history: tuple[datetime, tuple[Contact, ...], tuple[PhoneFacts, ...]],
    state: str,
    regime: str,
    consent: int | None,
) -> None:
    """What the SQL reads (a residence or mobile held to limit_until, a work number to
    work_limit_until, any other to both) is what the engine decides, at the moment stored and
    at every later moment while nothing new is logged; consent never lifts a state's limit."""
    now, contacts, phones = history
    zips = {"MA": "02108", "WA": "98101", "OH": "43215"}
    facts = account(
        state=state,
        zip_code=zips[state],
        phones=phones,
        contacts=contacts,
        regime=regime,
        call_consent_at=None if consent is None else now - timedelta(minutes=consent),
    )
    stored = call_state(facts, POLICY, now)
    for later in (now, now + timedelta(hours=20), now + timedelta(days=8), now + timedelta(days=31)):
        result = evaluate(facts, POLICY, later)
        for number, verdict in zip(phones, result.phones, strict=True):
            limited = any(b.rule_id.startswith("state_limit.") for b in verdict.blocks)
            personal = stored.limit_until is not None and later < stored.limit_until
            work = stored.work_limit_until is not None and later < stored.work_limit_until
            expected = {"home": personal, "mobile": personal, "work": work}.get(
                number.phone_type, personal or work
            )
            assert limited == expected, (number.phone_type, later)
