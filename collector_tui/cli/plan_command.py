"""``collector plan quote``: a payment plan's schedule, exact to the cent, and the policy's verdict;
``collector plans evaluate``: the nightly judgement of plans and promises.

The quote needs no database: it is a function of the terms typed, the plan
policy and the day (the office's plan policy when the database ``collector``
would open is there, else the shipped one). ``--json`` prints ``collector.plan_quote/1`` (see
``docs/plans.md``). A plan outside the policy still prints with exit code 0:
it may be proposed for a supervisor's approval. The evaluation
(``collector.plans_evaluate/1``) runs in the nightly job after the
transactions import.
"""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal, InvalidOperation
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from collector_tui.cli.output import fail, say
from collector_tui.vocabulary import PlanFrequency

if TYPE_CHECKING:
    from collector_tui.domain.plan_policy import PlanPolicy
    from collector_tui.services.money.plan_adherence import AdherenceCounts

SCHEMA = "collector.plan_quote/1"
EVALUATE_SCHEMA = "collector.plans_evaluate/1"

app = typer.Typer(
    help="Payment plans: quote a schedule and check it against the plan policy; evaluate plans nightly.",
    no_args_is_help=True,
)


class BillKind(StrEnum):
    facility = "facility"
    professional = "professional"


def _money(option: str, text: str | None) -> int | None:
    from collector_tui.domain.money import MoneyError, parse_money

    if text is None:
        return None
    try:
        cents = parse_money(text)
    except MoneyError as exc:
        fail(f"{option} {text!r}: {exc}")
    if cents < 0:
        fail(f"{option} cannot be negative")
    return cents


def _apr_bps(text: str) -> int:
    """``"6"``, ``"6.25"`` or ``"6.25%"`` a year -> 625 basis points."""
    try:
        percent = Decimal(text.strip().removesuffix("%"))
    except InvalidOperation:
        fail(f"--apr {text!r}: not a percentage (e.g. 6 or 6.25)")
    bps = percent * 100
    if not percent.is_finite() or bps != bps.to_integral_value():
        fail(f"--apr {text!r}: at most two decimals (a basis point)")
    if not 0 <= bps <= 10_000:
        fail("--apr must be between 0 and 100 (percent a year)")
    return int(bps)


def _day(option: str, text: str | None) -> date | None:
    if text is None:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        fail(f"{option} {text!r}: use YYYY-MM-DD")


def _state(text: str | None) -> str | None:
    if text is None:
        return None
    state = text.strip().upper()
    if len(state) != 2 or not state.isalpha():
        fail(f"--state {text!r}: use the two-letter code, e.g. CO")
    return state


def quote_document(
    schedule: Any, verdict: Any, *, state: str | None, bill: str, as_of: date, policy_digest: str
) -> dict[str, Any]:
    """The quote as the documented JSON object (``collector.plan_quote/1``)."""
    terms = schedule.terms
    cap = verdict.income_cap
    return {
        "schema": SCHEMA,
        "as_of": as_of.isoformat(),
        "policy_version": verdict.policy_version,
        "policy_digest": policy_digest,
        "terms": {
            "balance_cents": terms.balance_cents,
            "down_payment_cents": terms.down_payment_cents,
            "principal_cents": terms.principal_cents,
            "frequency": terms.frequency,
            "apr_bps": terms.apr_bps,
            "installments": terms.installments,
            "installment_cents": terms.installment_cents,
            "first_due": terms.first_due.isoformat(),
            "state": state,
            "bill": bill,
        },
        "schedule": {
            "count": schedule.count,
            "installment_cents": schedule.installment_cents,
            "last_installment_cents": schedule.rows[-1].payment_cents,
            "first_due": schedule.first_due.isoformat(),
            "last_due": schedule.last_due.isoformat(),
            "total_interest_cents": schedule.total_interest_cents,
            "total_installments_cents": schedule.total_installments_cents,
            "total_paid_cents": schedule.total_paid_cents,
            "rows": [
                {
                    "sequence": row.sequence,
                    "due_date": row.due_date.isoformat(),
                    "payment_cents": row.payment_cents,
                    "interest_cents": row.interest_cents,
                    "principal_cents": row.principal_cents,
                    "balance_after_cents": row.balance_after_cents,
                }
                for row in schedule.rows
            ],
        },
        "verdict": {
            "within_policy": verdict.within_policy,
            "violations": [{"rule": v.rule_id, "message": v.message} for v in verdict.violations],
            "limits": {
                "max_term_months": verdict.max_term_months,
                "max_installments": verdict.max_installments,
                "min_installment_cents": verdict.min_installment_cents,
                "max_apr_bps": verdict.max_apr_bps,
                "apr_citation": verdict.apr_citation,
            },
            "income_cap": None
            if cap is None
            else {
                "state": cap.state,
                "income": cap.income,
                "income_cents": cap.income_cents,
                "percent_bps": cap.percent_bps,
                "monthly_cap_cents": cap.monthly_cap_cents,
                "installment_cap_cents": cap.installment_cap_cents,
                "combined_bps": cap.combined_bps,
                "combined_monthly_cap_cents": cap.combined_monthly_cap_cents,
                "forgive_after_installments": cap.forgive_after_installments,
                "forgivable_cents": cap.forgivable_cents,
                "citation": cap.citation,
            },
        },
    }


def _quote_policy(ctx: typer.Context) -> PlanPolicy:
    """The plan policy a quote is judged by: the office's, from the database ``collector`` would
    open (``--db``, ``COLLECTOR_DB``, the config file, the default) when it is there, so the quote
    agrees with what the workstation will accept; the shipped one when there is none (a quote needs
    no database, and then loads no ORM)."""
    from collector_tui.cli.options import database_setting
    from collector_tui.services.law.policy import current_plan_policy, shipped_plan_policy

    url = database_setting(ctx).url
    if url.startswith("sqlite:///") and not Path(url.removeprefix("sqlite:///").split("?")[0]).exists():
        return shipped_plan_policy()
    from collector_tui.services.database import open_database

    open_database(url).close()  # opening installs the office's policies
    return current_plan_policy()


@app.command()
def quote(
    ctx: typer.Context,
    balance: Annotated[str, typer.Option("--balance", help="The balance, in dollars (1234.56).")],
    installments: Annotated[
        int | None, typer.Option("--installments", help="How many installments (or give --amount).")
    ] = None,
    amount: Annotated[
        str | None, typer.Option("--amount", help="The installment amount (or give --installments).")
    ] = None,
    frequency: Annotated[
        PlanFrequency, typer.Option("--frequency", help="How often.")
    ] = PlanFrequency.MONTHLY,
    apr: Annotated[str, typer.Option("--apr", help="Annual interest rate in percent (6.25).")] = "0",
    first_due: Annotated[
        str | None,
        typer.Option("--first-due", help="First due date (YYYY-MM-DD); default from the plan policy."),
    ] = None,
    down: Annotated[str, typer.Option("--down", help="Down payment, in dollars.")] = "0",
    state: Annotated[
        str | None, typer.Option("--state", help="The consumer's state (two letters), for state limits.")
    ] = None,
    income: Annotated[
        str | None,
        typer.Option("--income", help="Monthly income, in dollars, when an income-based cap applies."),
    ] = None,
    bill: Annotated[
        BillKind, typer.Option("--bill", help="Facility or professional bill.")
    ] = BillKind.facility,
    other_plans: Annotated[
        str | None,
        typer.Option("--other-plans", help="What the household already pays a month on other capped bills."),
    ] = None,
    as_of: Annotated[str | None, typer.Option("--as-of", help="Quote as of this day; default today.")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the documented JSON.")] = False,
) -> None:
    """Print a plan's schedule and whether it is within the plan policy. Exit 0 quoted, 1 error."""
    from collector_tui.domain.plan_policy import assess_plan
    from collector_tui.domain.plan_schedule import PlanError, PlanTerms, build_schedule
    from collector_tui.services.law.policy import policy_digest

    if (installments is None) == (amount is None):
        fail("give exactly one of --installments or --amount")
    balance_cents = _money("--balance", balance)
    assert balance_cents is not None
    today = _day("--as-of", as_of) or datetime.now(UTC).astimezone().date()
    policy = _quote_policy(ctx)  # a database that cannot be opened: the boundary's line and code
    first = _day("--first-due", first_due) or today + timedelta(days=policy.default_days_to_first_payment)
    terms = PlanTerms(
        balance_cents=balance_cents,
        frequency=frequency.value,
        first_due=first,
        installments=installments,
        installment_cents=_money("--amount", amount),
        down_payment_cents=_money("--down", down) or 0,
        apr_bps=_apr_bps(apr),
    )
    where = _state(state)
    try:
        schedule = build_schedule(terms)
    except PlanError as exc:
        fail(str(exc))
    verdict = assess_plan(
        schedule,
        policy,
        where,
        _money("--income", income),
        bill.value,
        today=today,
        other_plans_monthly_cents=_money("--other-plans", other_plans) or 0,
    )
    document = quote_document(
        schedule, verdict, state=where, bill=bill.value, as_of=today, policy_digest=policy_digest(policy)
    )
    if as_json:
        say(json.dumps(document, indent=2))
    else:
        _print(document)


def _print(document: dict[str, Any]) -> None:
    from rich.console import Console
    from rich.markup import escape
    from rich.table import Table

    from collector_tui.domain.money import format_cents

    console = Console(highlight=False)
    terms, schedule, verdict = document["terms"], document["schedule"], document["verdict"]
    rate = Decimal(terms["apr_bps"]) / 100
    console.print(
        f"[bold]{format_cents(terms['balance_cents'])}[/]"
        + (f" less {format_cents(terms['down_payment_cents'])} down" if terms["down_payment_cents"] else "")
        + f": {schedule['count']} {terms['frequency']} installments at {rate.normalize():f}% a year"
    )
    table = Table()
    table.add_column("#", justify="right")
    table.add_column("Due")
    for money_column in ("Payment", "Interest", "Principal", "Balance after"):
        table.add_column(money_column, justify="right")
    for row in schedule["rows"]:
        table.add_row(
            str(row["sequence"]),
            row["due_date"],
            format_cents(row["payment_cents"]),
            format_cents(row["interest_cents"]),
            format_cents(row["principal_cents"]),
            format_cents(row["balance_after_cents"]),
        )
    console.print(table)
    console.print(
        f"First {schedule['first_due']}, last {schedule['last_due']}; "
        f"total interest {format_cents(schedule['total_interest_cents'])}; "
        f"total paid {format_cents(schedule['total_paid_cents'])}"
    )
    cap = verdict["income_cap"]
    if cap is not None:
        per = (
            ""
            if terms["frequency"] == "monthly"
            else f", {format_cents(cap['installment_cap_cents'])} {terms['frequency']}"
        )
        console.print(
            f"Income cap ({cap['state']}): {format_cents(cap['monthly_cap_cents'])} a month{per} "
            f"({Decimal(cap['percent_bps']) / 100:f}% of {escape(cap['income'])} "
            f"{format_cents(cap['income_cents'])}; {escape(cap['citation'])})"
        )
        if cap["forgivable_cents"]:
            console.print(
                f"Forgiven after {cap['forgive_after_installments']} installments: "
                f"{format_cents(cap['forgivable_cents'])}"
            )
    if verdict["within_policy"]:
        console.print(f"[green]Within policy[/] (plan policy {document['policy_version']})")
        return
    console.print(
        f"[red]Outside policy[/] (plan policy {document['policy_version']}): "
        "it can be proposed with a reason for a supervisor's approval"
    )
    for violation in verdict["violations"]:
        console.print(f"  [red]{violation['rule']}[/]: {escape(violation['message'])}")


def _now() -> datetime:
    """The moment of the evaluation (a seam for tests)."""
    return datetime.now(UTC)


def evaluate_document(counts: AdherenceCounts, policy_version: str, policy_digest: str) -> dict[str, Any]:
    """A run's counts as the documented JSON object (``collector.plans_evaluate/1``)."""
    return {
        "schema": EVALUATE_SCHEMA,
        "as_of": counts.as_of.isoformat(),
        "policy_version": policy_version,
        "policy_digest": policy_digest,
        "plans": dict(counts.plans),
        "promises": dict(counts.promises),
        "installments_updated": counts.installments_updated,
        "accounts_updated": counts.accounts_updated,
        "accounts_returned": counts.accounts_returned,
        "activities": counts.activities,
    }


@app.command()
def evaluate(
    ctx: typer.Context,
    as_of: Annotated[
        str | None,
        typer.Option(
            "--as-of", help="Judge as of this day (YYYY-MM-DD, UTC; not after today); default today."
        ),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the documented JSON.")] = False,
) -> None:
    """Judge every active plan and pending promise (nightly, after the transactions import; operators
    and admins). Exit 0, or 1 error or refused."""
    from collector_tui.cli.options import database_setting, global_act_as
    from collector_tui.services.database import open_database
    from collector_tui.services.law.policy import current_plan_policy, policy_digest
    from collector_tui.services.money.plan_adherence import evaluate_adherence
    from collector_tui.services.team.identity import nightly_job_actor, resolve_operator
    from collector_tui.services.team.permissions import Permission

    now = _now()
    day = _day("--as-of", as_of) or now.date()
    db = open_database(database_setting(ctx).url, bulk=True)  # a refusal: the boundary's line and code
    try:
        policy = current_plan_policy()  # the office's: opening its database installed it
        me = resolve_operator(db, permission=Permission.RUN_NIGHTLY, act_as=global_act_as(ctx))
        counts = evaluate_adherence(
            db, as_of=day, now=now, actor=nightly_job_actor(me), policy=policy.adherence
        )
    finally:
        db.close()
    document = evaluate_document(counts, policy.version, policy_digest(policy))
    if as_json:
        say(json.dumps(document, indent=2))
        return
    plans, promises = document["plans"], document["promises"]
    say(
        f"as of {document['as_of']}: {plans['checked']:,} active plans "
        f"({plans['on_track']:,} on track, {plans['behind']:,} behind, {plans['completed']:,} completed, "
        f"{plans['broken']:,} broken); {promises['checked']:,} pending promises "
        f"({promises['pending']:,} still pending, {promises['kept']:,} kept, "
        f"{promises['partly_kept']:,} partly kept, {promises['broken']:,} broken); "
        f"{document['accounts_returned']:,} accounts back in the calling order"
    )
