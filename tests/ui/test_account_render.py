"""The account panes' render functions: pure functions of AccountDetail, read as plain text."""

from __future__ import annotations

import io
from collections.abc import Callable
from dataclasses import replace
from datetime import date, timedelta
from typing import TypedDict, Unpack

import pytest
from rich.console import Console, RenderableType

from collector_tui.domain.compliance.engine import Block, PhoneVerdict
from collector_tui.domain.denials import DenialNote
from collector_tui.screens import account_render
from collector_tui.services.audit import SYSTEM
from collector_tui.services.database import Database
from collector_tui.services.desk.accounts import account_detail
from collector_tui.services.views import AccountDetail, ClaimView, HouseholdView
from tests.conftest import NOW
from tests.services.builders import account, place, placement


def text_of(renderable: RenderableType, width: int = 160) -> str:
    console = Console(width=width, file=io.StringIO(), color_system=None)
    with console.capture() as capture:
        console.print(renderable)
    return capture.get()


@pytest.fixture
def detail(db: Database) -> AccountDetail:
    place(db, [placement()])
    return account_detail(db, SYSTEM, account(db, "A-1001").id or 0, now=NOW)


class _ClaimChanges(TypedDict, total=False):
    """The ClaimView fields the tests below change."""

    status: str
    denial_codes: tuple[str, ...]
    denials: tuple[DenialNote, ...]
    appeal_deadline: date | None
    timely_filing_deadline: date | None
    worklist: str | None


def _claim(detail: AccountDetail, **changes: Unpack[_ClaimChanges]) -> AccountDetail:
    return replace(detail, claims=(replace(detail.claims[0], **changes),))


RENDERERS: tuple[Callable[[AccountDetail], RenderableType], ...] = (
    account_render.header,
    account_render.people,
    account_render.phones,
    account_render.compliance,
    account_render.charges,
    account_render.claims,
    account_render.household,
    account_render.arrangements,
    account_render.transactions,
    account_render.activity,
)


@pytest.mark.parametrize("render", RENDERERS, ids=lambda r: r.__name__)
def test_every_pane_renders_and_is_pure(detail: AccountDetail, render: Callable[..., RenderableType]) -> None:
    first = text_of(render(detail))
    assert first.strip()
    assert text_of(render(detail)) == first


def test_the_header_names_the_facility_owner_guarantor_and_callback(detail: AccountDetail) -> None:
    text = text_of(account_render.header(detail))
    assert "A-1001" in text and "MERCY" in text and "Mercy General Hospital" in text
    assert "owner unassigned" in text
    assert "Guarantor G-1" in text
    assert "No callback set" in text

    owned = replace(
        detail, owner="Maria Lopez", owner_login="mlopez", next_action_at=NOW + timedelta(hours=2)
    )
    text = text_of(account_render.header(owned))
    assert "owner Maria Lopez (mlopez)" in text
    assert "Callback Fri 2026-11-27 17:00 UTC" in text and "DUE NOW" not in text
    due = replace(owned, next_action_at=NOW - timedelta(minutes=1))
    assert "DUE NOW" in text_of(account_render.header(due))


def test_claims_explain_each_denial_code(detail: AccountDetail) -> None:
    text = text_of(account_render.claims(detail), width=200)
    assert "CO-197" in text and "N30" in text
    for note in detail.claims[0].denials:
        assert note.meaning in text
        assert note.next_action is not None and note.next_action in text


def test_an_unknown_code_renders_as_the_code_with_no_description(detail: AccountDetail) -> None:
    unknown = DenialNote("CO-999", "no description on file", None, None)
    text = text_of(account_render.claims(_claim(detail, denial_codes=("CO-999",), denials=(unknown,))))
    assert "CO-999  no description on file" in text
    assert "next:" not in text


@pytest.mark.parametrize(
    ("days", "words", "flagged"),
    [
        (-3, "PAST (3 days ago)", True),
        (0, "due TODAY", True),
        (7, "7 days left", True),
        (14, "14 days left", True),
        (15, "15 days left", False),
        (44, "44 days left", False),
    ],
)
def test_deadlines_count_days_from_the_detail_moment(
    detail: AccountDetail, days: int, words: str, flagged: bool
) -> None:
    deadline = NOW.date() + timedelta(days=days)
    shown = _claim(detail, status="denied", appeal_deadline=deadline, timely_filing_deadline=None)
    text = text_of(account_render.claims(shown))
    assert f"appeal by {deadline.isoformat()}: " in text
    assert words in text
    assert ("⚠" in text) == flagged
    # The same claim read a week later counts from then, not from the wall clock.
    later = text_of(account_render.claims(replace(shown, as_of=NOW + timedelta(days=7))))
    assert deadline_words(days - 7) in later


def deadline_words(days: int) -> str:
    if days < 0:
        return f"PAST ({-days} day{'s' if days != -1 else ''} ago)"
    return "due TODAY" if days == 0 else f"{days} day{'s' if days != 1 else ''} left"


def test_deadlines_that_no_longer_matter_are_not_counted_down(detail: AccountDetail) -> None:
    past = date(2026, 1, 1)
    paid = _claim(detail, status="paid", appeal_deadline=past, timely_filing_deadline=past)
    text = text_of(account_render.claims(paid))
    assert "appeal by 2026-01-01" in text and "timely filing by 2026-01-01" in text
    assert "PAST" not in text
    pending = _claim(detail, status="pending", appeal_deadline=None, timely_filing_deadline=past)
    assert "timely filing by 2026-01-01: ⚠ PAST" in text_of(account_render.claims(pending))


def test_claims_without_codes_or_deadlines(detail: AccountDetail) -> None:
    bare = _claim(
        detail, denial_codes=(), denials=(), appeal_deadline=None, timely_filing_deadline=None, worklist=None
    )
    text = text_of(account_render.claims(bare))
    assert "Acme Health Plan" in text and "appeal" not in text and "denial item" not in text


def test_a_claim_says_where_its_denial_item_stands(detail: AccountDetail) -> None:
    (claim,) = detail.claims
    assert claim.worklist == "denial item 1 open; not worked yet; appeal by 2027-01-10"
    assert claim.worklist in text_of(account_render.claims(detail))
    assert "No insurance claims." in text_of(account_render.claims(replace(detail, claims=())))


def _other(number: str, owner: str | None, cents: int = 10_000, status: str = "open") -> HouseholdView:
    return HouseholdView(
        id=len(number),
        account_number=number,
        facility_code="NORTH",
        status=status,
        total_balance_cents=cents,
        owner=owner,
    )


def test_household_lists_the_other_accounts_and_the_total(detail: AccountDetail) -> None:
    alone = text_of(account_render.household(detail))
    assert "No other accounts for this guarantor." in alone
    assert "Household total $1,560.00 on 1 open account" in alone

    family = replace(
        detail,
        household=(_other("N-7", "James Chen", 7_550), _other("A-1003", None, 0, "paid")),
        household_more=0,
        household_open_accounts=2,
        household_total_cents=163_550,
    )
    text = text_of(account_render.household(family))
    assert "N-7" in text and "NORTH" in text and "$75.50" in text and "James Chen" in text
    assert "A-1003" in text and "paid" in text and "unassigned" in text
    assert "Household total $1,635.50 on 2 open accounts" in text
    assert "more not listed" not in text

    capped = replace(family, household_more=12)
    assert "… and 12 more not listed" in text_of(account_render.household(capped))


def test_the_claim_view_keeps_the_codes_beside_the_notes(detail: AccountDetail) -> None:
    claim: ClaimView = detail.claims[0]
    assert tuple(n.code for n in claim.denials) == claim.denial_codes


def test_phones_say_consent_do_not_call_and_status_in_words(detail: AccountDetail) -> None:
    phone = replace(
        detail.phones[0], phone_type="mobile", consent_to_call_mobile=False, do_not_call=True, status="wrong"
    )
    blocks = (
        Block("do_not_call", "this number is on the do-not-call list", "office policy", None),
        Block("phone_status", "this number is marked wrong", "office policy", None),
    )
    verdict = PhoneVerdict(phone.id, "0000", ("America/New_York",), blocks)
    compliance = replace(detail.compliance, phones=(verdict,))
    shown = text_of(account_render.phones(replace(detail, phones=(phone,), compliance=compliance)), width=56)
    row = next(line for line in shown.splitlines() if phone.national in line)
    assert "✗ do not call +1" in row  # one line: the whole reasons are F1's
    assert len([line for line in shown.splitlines() if line.strip()]) == 2  # the header and the row
    assert "marked wrong" in account_render.short_reason(blocks[1], phone)
