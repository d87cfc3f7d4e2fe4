"""The payment-plan calculator: the schedule and the policy check update as the collector types.

Every input is a keyboard field; Enter (or Ctrl+S) accepts. A plan outside the
office's policy can still be proposed with a reason: it then waits for a
supervisor's approval. The balance is not an input: a plan is on the account's
balance less the down payment (the service decides it from the stored balance).
:class:`SettlementCalculator` is the same calculator for a settlement: it adds
the amount forgiven and the settlement's reason, and the schedule is on the
balance less what is forgiven.
"""

from __future__ import annotations

from datetime import date, timedelta

from rich.cells import cell_len
from rich.console import Console, ConsoleOptions, Group, RenderableType, RenderResult
from rich.table import Table
from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.widgets import Input, Select, Static

from collector_tui.domain.entry import parse_amount, parse_count, parse_day, parse_percent_bps
from collector_tui.domain.money import format_cents
from collector_tui.domain.plan_schedule import PlanTerms
from collector_tui.screens.forms import ActionForm, entered, field_label
from collector_tui.services.desk.account_change import ActionResult
from collector_tui.services.errors import EntryError
from collector_tui.services.law.policy import current_plan_policy
from collector_tui.services.money.plans import PlanRequest, Quote, create_plan, plan_balance_cents, quote
from collector_tui.vocabulary import PlanKind

FREQUENCIES = (
    ("monthly", "monthly"),
    ("every two weeks", "biweekly"),
    ("1st and 15th", "semimonthly"),
    ("weekly", "weekly"),
)
SHOWN_ROWS = 6


def _payments(count: int) -> str:
    return "1 payment" if count == 1 else f"{count} payments"


COLUMNS = ("No.", "Due", "Payment", "Interest", "Balance after")


class ScheduleRows:
    """The schedule's rows laid out for the width they are given, every amount whole: the full
    table when it fits; else "Balance" for "Balance after", then without the interest column (the
    interest is in the totals), then with one space between columns; narrower still, one wrapped
    line a row (words, so amounts, are never split). Its columns are as wide as their content."""

    def __init__(self, rows: list[tuple[str, str, str, str, str]]) -> None:
        self.rows = rows

    def _widths(self, headers: tuple[str, ...], keep: tuple[int, ...]) -> list[int]:
        return [max(cell_len(headers[i]), *(cell_len(row[i]) for row in self.rows)) for i in keep]

    def _table(self, headers: tuple[str, ...], keep: tuple[int, ...], gap: int) -> Table:
        table = Table(box=None, pad_edge=False, show_header=True, header_style="bold", padding=(0, gap, 0, 0))
        for i in keep:
            table.add_column(headers[i], justify="left" if i == 1 else "right", no_wrap=True)
        for row in self.rows:
            table.add_row(*(row[i] for i in keep))
        return table

    def layout(self, width: int) -> RenderableType:
        """What fits in ``width`` columns."""
        short = (*COLUMNS[:4], "Balance")
        every, lean = (0, 1, 2, 3, 4), (0, 1, 2, 4)
        for headers, keep, gap in (
            (COLUMNS, every, 2),
            (short, every, 2),
            (short, lean, 2),
            (short, lean, 1),
        ):
            if sum(self._widths(headers, keep)) + gap * (len(keep) - 1) <= width:
                if keep == every or all(row[3] in ("", format_cents(0)) for row in self.rows):
                    return self._table(headers, keep, gap)
                note = Text("interest per payment: in a wider window", style="dim")
                return Group(self._table(headers, keep, gap), note)
        lines = Text()
        for number, due, payment, interest, after in self.rows:
            if lines:
                lines.append("\n")
            if not due:
                lines.append(number)  # the "…" between the first rows and the last
                continue
            lines.append(f"{number} ", "bold")
            lines.append(f"{due} {payment}, interest {interest}, leaves {after}")
        return lines

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        yield self.layout(options.max_width)


def schedule_preview(found: Quote, down_on: date | None = None) -> RenderableType:
    """The schedule (the down payment on its own line, due ``down_on``; the first rows and the last),
    its totals and dates, and every policy limit it breaks."""
    schedule, verdict = found.schedule, found.verdict
    cells: list[tuple[str, str, str, str, str]] = []
    down = schedule.terms.down_payment_cents
    if down:
        cells.append(
            (
                "Down",
                down_on.isoformat() if down_on else "today",
                format_cents(down),
                format_cents(0),
                format_cents(schedule.terms.principal_cents),
            )
        )
    rows = list(schedule.rows)
    shown = rows if len(rows) <= SHOWN_ROWS + 1 else [*rows[:SHOWN_ROWS], None, rows[-1]]
    for row in shown:
        if row is None:
            cells.append(("…", "", "", "", ""))
            continue
        cells.append(
            (
                str(row.sequence),
                row.due_date.isoformat(),
                format_cents(row.payment_cents),
                format_cents(row.interest_cents),
                format_cents(row.balance_after_cents),
            )
        )
    table = ScheduleRows(cells)
    totals = Text.assemble(
        (f"{_payments(schedule.count)} of {format_cents(schedule.installment_cents)}", "bold"),
        f"  ·  first {schedule.first_due:%Y-%m-%d}  ·  last {schedule.last_due:%Y-%m-%d}",
        f"\nTotal {format_cents(schedule.total_paid_cents)}",
        f"  ·  interest {format_cents(schedule.total_interest_cents)}",
    )
    limits = Text(
        f"Policy: up to {verdict.max_installments} payments, "
        f"at least {format_cents(verdict.min_installment_cents)} each, "
        f"interest up to {verdict.max_apr_bps / 100:.2f}%",
        style="dim",
    )
    parts: list[RenderableType] = [table, totals, limits]
    if verdict.income_cap is not None:
        cap = verdict.income_cap
        line = f"Income cap ({cap.state}): at most {format_cents(cap.installment_cap_cents)} a payment"
        if cap.forgivable_cents:
            forgiven = format_cents(cap.forgivable_cents)
            line += f"; {forgiven} forgiven after {cap.forgive_after_installments} payments"
        parts.append(Text(line))
    if verdict.within_policy:
        parts.append(Text("✓ within policy: Enter makes it active", style="bold green"))
    else:
        parts += [Text(f"✗ {v.message}", style="bold red") for v in verdict.violations]
        parts.append(
            Text("Outside policy: give a reason to propose it for a supervisor's approval.", style="bold")
        )
    return Group(*parts)


class PlanCalculator(ActionForm):
    """Build a payment plan on the account's balance: the schedule live as the collector types."""

    FORM = "plan"
    TITLE = "Payment plan"
    HORIZONTAL_BREAKPOINTS = [(0, "-narrow"), (110, "-wide")]  # noqa: RUF012 - declared so by Textual
    KIND: str = PlanKind.PLAN
    HELP = """
## Payment-plan calculator

The plan is on the account's balance (shown, not typed): the installments pay
the balance less the down payment. Change any field: the schedule and the
policy check below update as you type. Give **either** the number of payments
**or** the payment amount (the other is computed; the last payment absorbs the
rounding). Dates as YYYY-MM-DD, the rate as a yearly percent. Household income
is only for states with an income-based cap (CO, MD). **Enter** or **Ctrl+S**
accepts; a plan outside policy needs a reason and waits for a supervisor's
approval. With a down payment, the payment form opens next to take it.
**Esc** closes (what you typed is kept).
"""

    def settlement_fields(self) -> ComposeResult:
        """A settlement's own fields (none for a plan)."""
        yield from ()

    def _forgiven(self, values: dict[str, str]) -> int:
        return 0

    def fields(self) -> ComposeResult:
        today = self.collector_app.clock().date()
        first = today + timedelta(days=current_plan_policy().default_days_to_first_payment)
        balance = self.detail.total_balance_cents
        with Horizontal(id="plan-body"):
            with Vertical(id="plan-fields"):
                yield field_label("Balance (the account's) · down payment")
                with Horizontal(classes="pair"):
                    yield Static(format_cents(balance), id="balance")
                    yield Input("0.00", id="down")
                yield from self.settlement_fields()
                yield field_label("Frequency")
                yield Select(FREQUENCIES, id="frequency", value="monthly", allow_blank=False)
                yield field_label("Number of payments · or the amount")
                with Horizontal(classes="pair"):
                    yield Input("6", id="installments", placeholder="e.g. 12")
                    yield Input("", id="amount", placeholder="or 100.00")
                yield field_label("First due · yearly interest %")
                with Horizontal(classes="pair"):
                    yield Input(first.isoformat(), id="first_due")
                    yield Input("0", id="apr")
                yield field_label("State · monthly income (income caps)")
                with Horizontal(classes="pair"):
                    yield Input(self.detail.guarantor_state or "", id="state", max_length=2)
                    yield Input("", id="income", placeholder="if a cap applies")
                yield field_label("Bill")
                yield Select(
                    [("facility bill", "facility"), ("professional bill", "professional")],
                    id="bill",
                    value="facility",
                    allow_blank=False,
                )
                yield field_label("Reason (only to propose outside policy)")
                yield Input("", id="exception_reason")
            yield Static("", id="schedule")

    def on_mount(self) -> None:
        # ActionForm.on_mount (the draft) runs after this one: Textual calls each class's handler.
        self._preview()

    def _terms(self, values: dict[str, str]) -> PlanTerms:
        today = self.collector_app.clock().date()
        count = entered("installments", parse_count, values.get("installments", ""))
        typed = values.get("amount", "")
        amount = entered("amount", parse_amount, typed) if typed.strip() else None
        if (count is None) == (amount is None):
            raise EntryError([("installments", "give either the number of payments or the payment amount")])
        return PlanTerms(
            balance_cents=plan_balance_cents(
                self.detail.total_balance_cents, self.KIND, self._forgiven(values)
            ),
            frequency=values.get("frequency") or "monthly",
            first_due=entered("first_due", parse_day, values.get("first_due", ""), today),
            installments=count,
            installment_cents=amount,
            down_payment_cents=entered("down", parse_amount, values.get("down") or "0"),
            apr_bps=entered("apr", parse_percent_bps, values.get("apr", "")),
        )

    def _income(self, values: dict[str, str]) -> int | None:
        return entered("income", parse_amount, values["income"]) if values.get("income", "").strip() else None

    def _quote(self, values: dict[str, str]) -> Quote:
        return quote(
            self._terms(values),
            today=self.collector_app.clock().date(),
            state=(values.get("state") or "").strip().upper() or None,
            income_cents=self._income(values),
            bill_kind=values.get("bill") or "facility",
        )

    @on(Input.Changed)
    @on(Select.Changed)
    def _preview(self) -> None:
        """Recompute on every keystroke: pure arithmetic, no database."""
        try:
            found = self._quote(self.values())
        except EntryError as exc:
            self.query_one("#schedule", Static).update(
                Text("\n".join(f"… {m}" for _, m in exc.problems), style="dim")
            )
            return
        preview = schedule_preview(found, self.collector_app.clock().date())
        self.query_one("#schedule", Static).update(self.with_settlement(preview, self.values()))

    def with_settlement(self, preview: RenderableType, values: dict[str, str]) -> RenderableType:
        """The preview with a settlement's own lines (none for a plan)."""
        return preview

    def submit(self, values: dict[str, str], version: int) -> ActionResult:
        app = self.collector_app
        request = PlanRequest(
            account_id=self.detail.id,
            version=version,
            terms=self._terms(values),
            state=(values.get("state") or "").strip().upper() or None,
            income_cents=self._income(values),
            bill_kind=values.get("bill") or "facility",
            exception_reason=values.get("exception_reason") or None,
            kind=self.KIND,
            forgiven_cents=self._forgiven(values),
            settlement_reason=values.get("settlement_reason") or None,
        )
        return create_plan(app.db, app.actor, request, now=app.clock())


class SettlementCalculator(PlanCalculator):
    """A settlement: less than the balance accepted, the rest forgiven only when paid as agreed."""

    FORM = "settlement"
    TITLE = "Settlement"
    KIND = PlanKind.SETTLEMENT
    HELP = """
## Settlement

A settlement accepts less than the balance. Enter what is **forgiven** and
**why** (always required); the schedule below is on the balance less what is
forgiven, with the down payment on its own line. The office's settlement policy
says how much may be forgiven for this balance and the account's age; beyond
it the settlement is proposed and waits for a supervisor's approval. What is
forgiven posts as an adjustment only when the settlement is paid as agreed; a
broken settlement forgives nothing. **Enter** or **Ctrl+S** accepts, **Esc**
closes (what you typed is kept).
"""

    def settlement_fields(self) -> ComposeResult:
        yield field_label("Forgiven (when paid as agreed) · settlement reason (required)")
        with Horizontal(classes="pair"):
            yield Input("", id="forgiven", placeholder="e.g. 300.00")
            yield Input("", id="settlement_reason", placeholder="why less is accepted")

    def _forgiven(self, values: dict[str, str]) -> int:
        typed = values.get("forgiven", "")
        return entered("forgiven", parse_amount, typed) if typed.strip() else 0

    def with_settlement(self, preview: RenderableType, values: dict[str, str]) -> RenderableType:
        policy = current_plan_policy().settlement
        balance = self.detail.total_balance_cents
        percent = policy.max_forgiven_percent(balance, self.detail.age_days)
        most = policy.max_forgiven_cents(balance, self.detail.age_days)
        forgiven = self._forgiven(values)
        head = Text.assemble(
            ("Settlement: ", "bold"),
            f"{format_cents(balance - forgiven)} of {format_cents(balance)}, "
            f"{format_cents(forgiven)} forgiven when paid as agreed",
        )
        limit = Text(
            f"Settlement policy: up to {percent}% ({format_cents(most)}) forgiven without approval",
            style="dim",
        )
        parts: list[RenderableType] = [head, limit]
        if forgiven > most:
            parts.append(
                Text("✗ forgives more than the settlement policy allows: it needs approval", style="bold red")
            )
        return Group(*parts, preview)
