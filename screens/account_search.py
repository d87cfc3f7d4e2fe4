"""Finding an account from anywhere: the command palette (``ctrl+p``) and the inbound-call search (``i``).

Not a screen: the queue and the workspace both offer it (their ``COMMANDS``), and each opens what
is found its own way (:meth:`SearchHost.open_found`). ``i`` opens the same search for a caller on
the line: what is found opens in inbound mode, which asks for right-party verification first.
"""

from __future__ import annotations

import asyncio
from typing import Any, Protocol, cast, runtime_checkable

from textual.app import App
from textual.command import CommandPalette, Hit, Hits, Provider
from textual.screen import Screen

from collector_tui.domain.account_search import SEARCH_HINT
from collector_tui.domain.money import format_cents
from collector_tui.screens.base import Workstation
from collector_tui.services.desk.search import FoundAccount, find_accounts

INBOUND_HINT = "Inbound call: " + SEARCH_HINT[0].lower() + SEARCH_HINT[1:]


@runtime_checkable
class SearchHost(Protocol):
    """A screen the search runs from."""

    @property
    def collector_app(self) -> Workstation: ...

    def open_found(self, account_id: int, *, inbound: bool) -> None:
        """Open the account found (``inbound``: a caller on the line, verification first)."""


def hit_label(found: FoundAccount, *, inbound: bool = False) -> str:
    """What tells two people apart: name, birth date, where they live, the facility and balance.

    ``inbound``: a caller not yet verified, so nothing about the debt (no facility, balance or
    status), as the account itself shows until verification (``account_render.unverified_header``).
    """
    born = found.date_of_birth.isoformat() if found.date_of_birth else "DOB ?"
    where = ", ".join(part for part in (found.city, found.state) if part) or "no address"
    if inbound:
        return f"{found.guarantor_name} · {born} · {where} · {found.account_number}"
    status = "" if found.status == "open" else f" ({found.status})"
    return (
        f"{found.guarantor_name} · {born} · {where} · {found.account_number} {found.facility_code}"
        f" {found.facility_name} · {format_cents(found.balance_cents)}{status}"
    )


class AccountSearch(Provider):
    """Command palette: find any account you may see, and open it."""

    INBOUND = False

    async def search(self, query: str) -> Hits:
        screen = self.screen
        if not isinstance(screen, SearchHost):
            return
        app = screen.collector_app
        found = await asyncio.to_thread(find_accounts, app.db, app.actor, query)
        inbound = self.INBOUND
        for item in found:
            yield Hit(
                1.0,
                hit_label(item, inbound=inbound),
                lambda account_id=item.account_id: screen.open_found(account_id, inbound=inbound),
                help=f"found by {item.matched}" + (" · opens for an inbound call" if inbound else ""),
            )


class InboundAccountSearch(AccountSearch):
    """The same search for a caller on the line: the account opens in inbound mode."""

    INBOUND = True


def open_inbound_search(screen: Screen[Any]) -> None:
    """The search for an inbound caller, over ``screen`` (which must be a :class:`SearchHost`)."""
    if not CommandPalette.is_open(cast("App[object]", screen.app)):
        screen.app.push_screen(
            CommandPalette(providers=[InboundAccountSearch], placeholder=INBOUND_HINT, id="--command-palette")
        )


__all__ = [
    "INBOUND_HINT",
    "AccountSearch",
    "InboundAccountSearch",
    "SearchHost",
    "hit_label",
    "open_inbound_search",
]
