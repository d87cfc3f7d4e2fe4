"""Properties of the engine that must hold for any account, history and moment."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from collector_tui.domain.compliance.clock import inside_window
from collector_tui.domain.compliance.engine import CallGroup, call_state, evaluate, group_open
from collector_tui.domain.compliance.facts import Hold
from collector_tui.services.policy import load_workspace_policy
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

DISPOSITIONS = load_workspace_policy(env={}).dispositions


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
def histories(draw: st.DrawFn) -> tuple[datetime, list[object], datetime | None, tuple[Hold, ...]]:
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
    history: tuple[datetime, list[object], datetime | None, tuple[Hold, ...]], state: str
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
