"""``collector worklist``: a collector's open denial items, in the order the workstation works them.

With no subcommand it prints the worklist (``collector.worklist/1`` with ``--json``): the items
grouped by the four CAQH CORE scenarios and, under each, by what fixes them, with their counts and
denied money; each row with its payer, claim, ICN, headline code in plain words, the nearest
deadline and the alarms. The subcommands are the supervisor's side of the denials:
``write-offs`` (what waits for a decision), ``approve`` and ``decline``, and ``aged`` (the items
past every deadline they have: the goal is none).

Rows carry account and claim numbers, never a guarantor's or a patient's name.
"""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from typing import Annotated, Any

import typer

from collector_tui.cli.options import acting_session, database_setting, global_act_as
from collector_tui.cli.output import fail, say, utc_timestamp
from collector_tui.vocabulary import DenialCategory, DenialScenario

SCHEMA = "collector.worklist/1"
WRITE_OFFS_SCHEMA = "collector.write_offs/1"
AGED_SCHEMA = "collector.denials_aged/1"
DEFAULT_LIMIT = 50

app = typer.Typer(
    help="The denial worklist (no subcommand) and the supervisor's denial decisions and report.",
    invoke_without_command=True,
    no_args_is_help=False,
)


def _day(value: date | None) -> str | None:
    return None if value is None else value.isoformat()


def deadline_words(row: Any, today: date) -> str:
    """The nearest open deadline in words ("appeal in 12 days, 2026-12-09"), else the last passed."""
    from collector_tui.domain.denial_work import nearest_deadline
    from collector_tui.services.worklists.denial_items import facts_of

    nearest = nearest_deadline(facts_of(row), today)
    if nearest is None:
        return "no deadline on file"
    name, when = nearest
    days = (when - today).days
    if days < 0:
        return f"{name} deadline passed {-days} day{'s' if days != -1 else ''} ago ({when.isoformat()})"
    if days == 0:
        return f"{name} deadline today ({when.isoformat()})"
    return f"{name} deadline in {days} day{'s' if days != 1 else ''} ({when.isoformat()})"


def worklist_row(row: Any, today: date) -> dict[str, Any]:
    """One item as ``collector.worklist/1`` gives it (ids, numbers, codes and money: no names)."""
    return {
        "item_id": row.id,
        "account_id": row.account_id,
        "facility": row.facility_code,
        "account_number": row.account_number,
        "claim_number": row.claim_number,
        "payer": row.payer_name,
        "payer_phone": row.payer_phone,
        "payer_claim_number": row.payer_claim_number,
        "group_code": row.group_code,
        "carc": row.carc,
        "codes": list(row.codes),
        "meaning": row.note.meaning,
        "next_action": row.note.next_action,
        "scenario": row.scenario,
        "category": row.category,
        "denied_cents": row.denied_cents,
        "patient_cents": row.patient_cents,
        "remit_date": _day(row.remit_date),
        "appeal_deadline": _day(row.appeal_deadline),
        "corrected_claim_deadline": _day(row.corrected_claim_deadline),
        "response_due": _day(row.response_due),
        "nearest_deadline": deadline_words(row, today),
        "alarms": list(row.alarms),
        "past_deadline": row.past_deadline,
        "points": row.points,
        "factors": [{"name": f.name, "value": f.value, "points": f.points} for f in row.factors],
    }


def _order(scenario: str, category: str) -> tuple[int, int, str, str]:
    """The scenarios in their CAQH CORE order, then the categories in the vocabulary's."""
    scenarios, categories = DenialScenario.codes(), DenialCategory.codes()
    return (
        scenarios.index(scenario) if scenario in scenarios else len(scenarios),
        categories.index(category) if category in categories else len(categories),
        scenario,
        category,
    )


def worklist_document(
    groups: Any, rows: Any, login: str, at: datetime, chosen: tuple[str | None, str | None]
) -> dict[str, Any]:
    scenario, category = chosen
    shown = [
        g
        for g in groups
        if (scenario is None or g.scenario == scenario) and (category is None or g.category == category)
    ]
    today = at.date()
    return {
        "schema": SCHEMA,
        "user": login,
        "at": utc_timestamp(at),
        "groups": [
            {"scenario": g.scenario, "category": g.category, "items": g.items, "denied_cents": g.denied_cents}
            for g in sorted(shown, key=lambda g: _order(g.scenario, g.category))
        ],
        "rows": [worklist_row(row, today) for row in rows],
    }


@app.callback(invoke_without_command=True)
def worklist(
    ctx: typer.Context,
    user: Annotated[
        str | None, typer.Option("--user", help="Whose worklist (supervisors and admins); default your own.")
    ] = None,
    scenario: Annotated[
        DenialScenario | None,
        typer.Option("--scenario", case_sensitive=False, help="Only this CAQH CORE scenario."),
    ] = None,
    category: Annotated[
        DenialCategory | None,
        typer.Option("--category", case_sensitive=False, help="Only this category (what fixes it)."),
    ] = None,
    limit: Annotated[
        int, typer.Option("--limit", min=1, max=10_000, help="Rows shown, from the top.")
    ] = DEFAULT_LIMIT,
    explain: Annotated[bool, typer.Option("--explain", help="Show each row's priority factors.")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print the documented JSON.")] = False,
) -> None:
    """Print a collector's open denial items, highest priority first, grouped by scenario and
    category. Exit 0 shown, 1 error or refused."""
    if ctx.invoked_subcommand is not None:
        given = (user, scenario, category, limit != DEFAULT_LIMIT or None, explain or None, as_json or None)
        if any(value is not None for value in given):
            where = f"collector worklist {ctx.invoked_subcommand} --help"
            fail(f"the worklist's options go without a subcommand (try '{where}')")
        return
    from collector_tui.services.database import open_database
    from collector_tui.services.team.identity import actor_for_queue, resolve_actor
    from collector_tui.services.worklists.denial_worklist import (
        WorklistFilter,
        require_team_view,
        worklist_groups,
        worklist_page,
    )

    moment = datetime.now(UTC)
    chosen = (None if scenario is None else scenario.value, None if category is None else category.value)
    db = open_database(database_setting(ctx).url)  # a refusal: the boundary's one line and code
    try:
        me = resolve_actor(db, act_as=global_act_as(ctx))
        if user is not None and user != me.login:
            require_team_view(me)  # the worklist's own words, before anyone else's items are read
        whose = actor_for_queue(db, me, user)
        page = worklist_page(
            db, whose, now=moment, chosen=WorklistFilter(scenario=chosen[0], category=chosen[1]), limit=limit
        )
        groups = worklist_groups(db, whose)
    finally:
        db.close()
    document = worklist_document(groups, page.rows, whose.acting_as or whose.login, moment, chosen)
    if as_json:
        say(json.dumps(document, indent=2))
    else:
        _print(document, explain)


def _items(n: int, word: str = "item") -> str:
    return f"{n:,} {word}{'' if n == 1 else 's'}"


def _print(document: dict[str, Any], explain: bool) -> None:
    from rich.console import Console
    from rich.markup import escape

    from collector_tui.domain.money import format_cents

    console = Console(highlight=False)
    total = sum(g["items"] for g in document["groups"])
    money = sum(g["denied_cents"] for g in document["groups"])
    console.print(
        f"[bold]Denial worklist of {escape(document['user'])}[/] at {document['at']}: "
        f"{_items(total, 'open item')}, {format_cents(money)} denied"
    )
    rows_of: dict[tuple[str, str], list[dict[str, Any]]] = {}
    for row in document["rows"]:
        rows_of.setdefault((row["scenario"], row["category"]), []).append(row)
    scenario_seen: str | None = None
    n = 0
    for group in document["groups"]:
        if group["scenario"] != scenario_seen:
            scenario_seen = group["scenario"]
            console.print(f"\n[bold]{escape(DenialScenario(scenario_seen).label)}[/]")
        rows = rows_of.get((group["scenario"], group["category"]), [])
        more = f", {len(rows):,} shown" if len(rows) < group["items"] else ""
        console.print(
            f"  [bold]{escape(DenialCategory(group['category']).label)}[/] "
            f"({_items(group['items'])}, {format_cents(group['denied_cents'])}{more})"
        )
        for row in rows:
            n += 1
            head = f"{row['group_code']}-{row['carc']}" if row["group_code"] else row["carc"]
            icn = f" ICN {row['payer_claim_number']}" if row["payer_claim_number"] else ""
            console.print(
                f"  {n:>4}. [{row['item_id']}] {escape(row['payer'])} claim {escape(row['claim_number'])}"
                f"{escape(icn)}  {escape(row['facility'])} {escape(row['account_number'])}  "
                f"{format_cents(row['denied_cents']):>12}  {row['points']:>4} pts"
            )
            console.print(f"        {escape(head)}: {escape(row['meaning'])}")
            console.print(f"        {escape(row['nearest_deadline'])}")
            for alarm in row["alarms"]:
                console.print(f"        [red]![/] {escape(alarm)}")
            if explain:
                factors = " · ".join(f"{f['name']} {f['value']} = {f['points']}" for f in row["factors"])
                console.print(f"        [dim]{escape(factors)}[/]")
    if not document["groups"]:
        console.print("  (no open denial items)")


# ---- the supervisor's side ------------------------------------------------------------------


@app.command("write-offs")
def write_offs(
    ctx: typer.Context,
    as_json: Annotated[bool, typer.Option("--json", help="Print the documented JSON.")] = False,
) -> None:
    """The write-offs beyond the policy's limit that wait for a supervisor, oldest first
    (supervisors and admins). Exit 0, or 1 refused."""
    from collector_tui.domain.money import format_cents
    from collector_tui.services.desk.denial_actions import pending_write_offs

    with acting_session(ctx) as (db, me):
        waiting = pending_write_offs(db, me)
    if as_json:
        rows = [
            {
                "action_id": w.action_id,
                "item_id": w.item_id,
                "account_id": w.account_id,
                "facility": w.facility_code,
                "account_number": w.account_number,
                "payer": w.payer_name,
                "codes": w.codes.split(),
                "amount_cents": w.amount_cents,
                "reason": w.reason,
                "asked_by": w.asked_by,
                "asked_at": utc_timestamp(w.asked_at),
            }
            for w in waiting
        ]
        say(json.dumps({"schema": WRITE_OFFS_SCHEMA, "write_offs": rows}, indent=2))
        return
    if not waiting:
        say("no write-off waits for a decision")
    for w in waiting:
        say(
            f"{w.action_id}  item {w.item_id}  {w.facility_code} {w.account_number}  {w.payer_name}  "
            f"{format_cents(w.amount_cents)}  by {w.asked_by or 'system'} {utc_timestamp(w.asked_at)}"
        )
        say(f"    {w.codes}: {w.reason}")


def _decide(ctx: typer.Context, action_id: int, *, approve: bool, note: str) -> None:
    from collector_tui.services.desk.denial_actions import decide_write_off

    with acting_session(ctx) as (db, me):
        result = decide_write_off(db, me, action_id, approve=approve, note=note, now=datetime.now(UTC))
    say(f"item {result.item_id}: {result.message}")


@app.command("approve")
def approve(
    ctx: typer.Context,
    action_id: Annotated[
        int, typer.Argument(help="The write-off's action id (collector worklist write-offs).")
    ],
) -> None:
    """Approve a write-off: it posts and the item closes (supervisors and admins; never the one who
    asked). Exit 0, or 1 refused."""
    _decide(ctx, action_id, approve=True, note="")


@app.command("decline")
def decline(
    ctx: typer.Context,
    action_id: Annotated[
        int, typer.Argument(help="The write-off's action id (collector worklist write-offs).")
    ],
    note: Annotated[str, typer.Option("--note", help="Why (on the account's timeline).")] = "",
) -> None:
    """Decline a write-off: the item stays open in its owner's worklist (supervisors and admins;
    never the one who asked). Exit 0, or 1 refused."""
    _decide(ctx, action_id, approve=False, note=note)


@app.command("aged")
def aged(
    ctx: typer.Context,
    as_json: Annotated[bool, typer.Option("--json", help="Print the documented JSON.")] = False,
) -> None:
    """Open denial items past every deadline they have, by owner, payer and reason: the goal is
    none (supervisors and admins). Exit 0, or 1 refused."""
    from collector_tui.services.worklists.team_stats import aged_denials

    with acting_session(ctx) as (db, me):
        found = aged_denials(db, me, now=datetime.now(UTC))

    def counts(items: Any, key: str) -> list[dict[str, Any]]:
        return [{key: c.key, "items": c.items, "denied_cents": c.denied_cents} for c in items]

    document = {
        "schema": AGED_SCHEMA,
        "at": utc_timestamp(found.at),
        "today": found.today.isoformat(),
        "goal": 0,
        "items": found.items,
        "denied_cents": found.denied_cents,
        "by_owner": counts(found.by_owner, "owner"),
        "by_payer": counts(found.by_payer, "payer"),
        "by_carc": counts(found.by_carc, "carc"),
    }
    if as_json:
        say(json.dumps(document, indent=2))
        return
    _print_aged(document)


def _print_aged(document: dict[str, Any]) -> None:
    from collector_tui.domain.money import format_cents

    say(
        f"Denials past every deadline on {document['today']}: {_items(document['items'])}, "
        f"{format_cents(document['denied_cents'])} (goal: 0)"
    )
    for title, key, part in (
        ("Owner", "owner", "by_owner"),
        ("Payer", "payer", "by_payer"),
        ("Reason", "carc", "by_carc"),
    ):
        if not document[part]:
            continue
        say(f"\n{title}")
        for count in document[part]:
            say(f"  {count[key]:<32} {count['items']:>6,}  {format_cents(count['denied_cents']):>14}")
