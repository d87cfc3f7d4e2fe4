"""Right-party verification for an inbound caller: which facts on file the caller gave correctly.

The collector sees the facts on file (the caller does not: they are asked, and the collector ticks
what matched), or ticks *refused*. For a third-party collector the disclosure to read comes first,
with its citation. What is decided is the screen's until the contact is logged, which records it
(``activity.verification``).
"""

from __future__ import annotations

from typing import ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.widgets import Button, Checkbox, Static

from collector_tui.domain.verification import (
    FACTS,
    FACTS_NEEDED,
    MINI_MIRANDA_CITATION,
    required_disclosure,
    verification_outcome,
)
from collector_tui.screens.base import CollectorModal
from collector_tui.services.views import AccountDetail
from collector_tui.vocabulary import Verification

NOT_ON_FILE = "not on file"


def on_file(detail: AccountDetail, fact: str) -> str:
    """The fact as the account has it, for the collector to compare with what the caller says."""
    person = detail.guarantor
    if fact == "date_of_birth":
        return person.date_of_birth.isoformat() if person.date_of_birth else NOT_ON_FILE
    if fact == "address":
        return person.address or NOT_ON_FILE
    if fact == "ssn_last4":
        return person.ssn_last4 or NOT_ON_FILE
    return detail.account_number


class VerifyCaller(CollectorModal[Verification | None]):
    """Ask the caller two of the facts; ``ctrl+s`` records what they proved (Esc: not yet)."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+s", "save", "Record", id="verify.save", tooltip="Record the verification."),
    ]
    HELP = f"""
## Verify the caller

Before anything about the account is said, ask the caller for **{FACTS_NEEDED}** of these and tick
each one they gave correctly (the facts on file are shown for you only). Tick **refused** if they
will not answer. Nothing about the debt (balance, charges, claims, payments) is shown until the
caller is verified. **Ctrl+S** records it; **Esc** closes without deciding.
"""

    def __init__(self, detail: AccountDetail) -> None:
        super().__init__()
        self.detail = detail

    def compose(self) -> ComposeResult:
        with Vertical(id="form"):
            yield Static(f"Inbound call · verify the caller · {self.detail.guarantor.name}", id="form-title")
            disclosure = required_disclosure(self.detail.facility_regime)
            if disclosure is not None:
                yield Static(f'Read first: "{disclosure}" [{MINI_MIRANDA_CITATION}]', id="disclosure")
            yield Static(f"Tick each fact the caller gave correctly ({FACTS_NEEDED} needed):")
            for fact, label in FACTS.items():
                known = on_file(self.detail, fact)
                # A fact the account lacks cannot be given correctly: it cannot be ticked.
                yield Checkbox(
                    f"{label} (on file: {known})", id=f"fact-{fact}", disabled=known == NOT_ON_FILE
                )
            yield Checkbox("The caller refused to verify", id="refused")
            yield Button("Record (Ctrl+S)", id="record", variant="primary")
            yield Static("", id="form-problems")

    def outcome(self) -> Verification:
        ticked = [fact for fact in FACTS if self.query_one(f"#fact-{fact}", Checkbox).value]
        known = [fact for fact in FACTS if on_file(self.detail, fact) != NOT_ON_FILE]
        return verification_outcome(ticked, on_file=known, refused=self.query_one("#refused", Checkbox).value)

    def action_save(self) -> None:
        self.dismiss(self.outcome())

    @on(Button.Pressed, "#record")
    def _record(self) -> None:
        self.action_save()


__all__ = ["VerifyCaller", "on_file"]
