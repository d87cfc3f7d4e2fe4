"""Rich renderables for the read-only account panel (pure functions of the view data)."""

from __future__ import annotations

from datetime import date, datetime

from rich.cells import cell_len
from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text

from collector_tui.domain.compliance.clock import zone
from collector_tui.domain.compliance.engine import Block
from collector_tui.domain.denials import DenialNote, deadline_status
from collector_tui.domain.languages import language_name, needs_interpreter
from collector_tui.domain.money import format_cents
from collector_tui.domain.reconciliation import Reconciliation
from collector_tui.services.views import AccountDetail, ClaimView, PersonView, PhoneView, PlanView
from collector_tui.vocabulary import FapStatus, HoldReason, PhoneType, PlanKind, PlanStatus, TransactionKind

LOCAL_ZONE_NOTE = "times in UTC"


def _grid(*columns: str, right: tuple[str, ...] = ()) -> Table:
    table = Table(box=None, pad_edge=False, show_header=True, header_style="bold", expand=True)
    for name in columns:
        table.add_column(name, justify="right" if name in right else "left", no_wrap=True)
    return table


def _callback(detail: AccountDetail) -> Text:
    when = detail.next_action_at
    if when is None:
        return Text("No callback set", style="dim")
    text = Text(f"Callback {when:%a %Y-%m-%d %H:%M} UTC")
    if when <= detail.as_of:
        text.append("  DUE NOW", style="bold")
    return text


def header(detail: AccountDetail) -> RenderableType:
    badges = [f"[HOLD: {HoldReason(h).label.upper()}]" for h in detail.holds]
    badges += [f"[{flag.upper()}]" for flag in detail.guarantor_flags]
    if detail.fap_status != "none":
        badges.append(f"[{FapStatus(detail.fap_status).label.upper()}]")
    owner = detail.owner or "unassigned"
    if detail.owner_login:
        owner += f" ({detail.owner_login})"
    line1 = Text.assemble(
        (detail.account_number, "bold"),
        f" · {detail.facility_code} {detail.facility_name} · {detail.status.upper()} · owner {owner}",
    )
    line2 = Text.assemble(
        "Balance ",
        (format_cents(detail.total_balance_cents), "bold"),
        f"   patient {format_cents(detail.patient_responsibility_cents)}",
        f"   insurance pending {format_cents(detail.insurance_pending_cents)}",
        f"   age {detail.age_bucket}",
        "" if detail.age_days is None else f" ({detail.age_days} days)",
    )
    line3 = Text.assemble(
        f"Guarantor {detail.guarantor_number} · ",
        _language(detail.guarantor.language),
        " · ",
        _callback(detail),
    )
    line4 = Text(" ".join(badges) if badges else "No holds", style="bold" if badges else "dim")
    return Group(line1, line2, line3, line4)


def _language(code: str) -> Text:
    """The guarantor's preferred language, with an interpreter flag when it is not English."""
    if needs_interpreter(code):
        return Text(f"speaks {language_name(code)} · INTERPRETER", style="bold")
    return Text(f"speaks {language_name(code)}")


def unverified_header(detail: AccountDetail) -> RenderableType:
    """An inbound call before the caller is verified: who the account is about and what to ask,
    and the holds (a collector must know at once that, say, an attorney represents the consumer),
    but nothing about the debt: no balance, facility (naming a hospital discloses care), age or
    owner. See :func:`withheld`."""
    badges = [f"[HOLD: {HoldReason(h).label.upper()}]" for h in detail.holds]
    badges += [f"[{flag.upper()}]" for flag in detail.guarantor_flags]
    return Group(
        Text.assemble(("INBOUND CALL · CALLER NOT VERIFIED", "bold reverse"), f"  {detail.guarantor.name}"),
        Text(
            "Say nothing about the account until the caller proves who they are: v asks for two of "
            "date of birth, address, SSN last four, account number."
        ),
        Text.assemble(_language(detail.guarantor.language)),
        Text(" ".join(badges) if badges else "No holds", style="bold" if badges else "dim"),
    )


# What an unverified inbound caller may not be told, so the workspace does not show it: whether
# and how much they owe, for what care, what insurance said, what was paid or promised, and what
# other accounts the household has (15 U.S.C. 1692c(b); 45 CFR 164.514(h)). The guarantor pane
# (to compare what the caller says), the phones and "May I…" stay: they are the collector's tools.
WITHHELD_PANES = ("household", "claims", "charges", "activity", "arrangements", "transactions")


def withheld(detail: AccountDetail) -> RenderableType:
    """A pane an unverified caller may not hear about."""
    return Text("Not shown until the caller is verified (v).", style="dim")


def _person(person: PersonView, title: str) -> Text:
    parts: list[str | tuple[str, str]] = [
        (person.name, "bold"),
        f"  ({title})",
        f"  DOB {person.date_of_birth.isoformat() if person.date_of_birth else '—'}",
    ]
    if person.ssn_last4:
        parts.append(f"  SSN •••-••-{person.ssn_last4}")
    text = Text.assemble(*parts)
    if person.address:
        text.append(f"\n{person.address}  ·  language {person.language}")
    return text


def people(detail: AccountDetail) -> RenderableType:
    items: list[RenderableType] = [_person(detail.guarantor, "guarantor")]
    if detail.patient is not None:
        items.append(_person(detail.patient, f"patient, {detail.patient.relationship}"))
    return Group(*items)


def _lifts(block: Block, zone_name: str, at: datetime) -> str:
    """``lifts 08:00 EST`` later today, ``lifts Tue Dec 01 00:00 EST`` another day, or ``until resolved``."""
    if block.until is None:
        return "until resolved"
    tz = zone(zone_name)
    local = block.until.astimezone(tz)
    if local.date() == at.astimezone(tz).date():
        return f"lifts {local:%H:%M %Z}"
    return f"lifts {local:%a %b %d %H:%M %Z}"


def _blocks(blocks: tuple[Block, ...], zone_name: str, at: datetime, *, cite: bool) -> Text:
    text = Text()
    for i, block in enumerate(blocks):
        if i:
            text.append("\n")
        text.append("✗ ", style="bold red")
        text.append(f"{block.reason}; {_lifts(block, zone_name, at)}")
        if cite:
            text.append(f" [{block.citation}]", style="dim")
    return text


def _phone_notes(phone: PhoneView) -> list[str]:
    """What is on file about the number, in words: consent, do-not-call, its status."""
    notes = []
    if phone.phone_type == PhoneType.MOBILE:
        notes.append("consent" if phone.consent_to_call_mobile else "no consent")
    if phone.do_not_call:
        notes.append("DO NOT CALL")
    if phone.status != "ok":
        notes.append(phone.status.upper())
    if not phone.valid:
        notes.append("INVALID")
    return notes


def _phone_kind(phone: PhoneView) -> Text:
    """The type; a mobile without consent says so (what else is on file: the verdict, and F1)."""
    mobile_without = phone.phone_type == PhoneType.MOBILE and not phone.consent_to_call_mobile
    text = Text.assemble(phone.phone_type, (" no consent", "dim") if mobile_without else "")
    text.no_wrap, text.overflow = True, "ellipsis"  # one line: cut short rather than wrapped
    return text


# A block in a few words, by its rule: the Phones pane says each phone's verdict in one line (the
# whole reason, its citation and when it lifts: F1 on the pane, and May I…).
SHORT_REASONS = {
    "window": "window",
    "inconvenient": "inconvenient time",
    "work": "no calls at work",
    "do_not_call": "do not call",
    "consent_revoked": "consent revoked",
    "consent_window": "no consent",
    "conversation": "spoke recently",
    "itemized_statement": "itemized bill",
    "phones": "no number",
}


def short_reason(block: Block, phone: PhoneView | None = None) -> str:
    """``window``, ``do not call``, ``2 of 2 in 7 days (MA)``: what blocks, in a few words."""
    if block.short:
        return block.short
    rule, _, state = block.rule_id.partition(".")
    if rule == "phone_status" and phone is not None and phone.status != "ok":
        return f"marked {phone.status}"
    words = SHORT_REASONS.get(rule, rule.replace("_", " "))
    return f"{words} ({state})" if state else words


def _verdict_line(blocks: tuple[Block, ...], phone: PhoneView) -> Text:
    text = Text("✗ ", style="bold red")
    text.append(short_reason(blocks[0], phone))
    if len(blocks) > 1:
        text.append(f" +{len(blocks) - 1}", style="dim")
    return text


def phone_reasons(detail: AccountDetail) -> str:
    """Every phone's blocks in full (markdown, for the Phones pane's F1 help)."""
    verdicts = {v.phone_id: v for v in detail.compliance.phones}
    at = detail.compliance.at
    lines = []
    for phone in detail.phones:
        verdict = verdicts.get(phone.id)
        if verdict is None:
            continue
        if verdict.allowed:
            on_file = ", ".join([phone.phone_type, *_phone_notes(phone)])
            lines.append(f"- **{phone.national}** ({on_file}): may be called now")
            continue
        where = verdict.zones[0] if verdict.zones else detail.compliance.home_zone
        on_file = ", ".join([phone.phone_type, *_phone_notes(phone)])
        lines.append(f"- **{phone.national}** ({on_file}): may not be called now")
        for block in verdict.blocks:
            reason = f"{block.reason}; {_lifts(block, where, at)}".replace("[", "\\[")
            lines.append(f"    - {short_reason(block, phone)}: {reason} ({block.citation})")
    return "\n".join(lines)


def phones(detail: AccountDetail) -> RenderableType:
    """Each number with the consumer's local time and whether it may be dialled now, or why not."""
    if not detail.phones:
        return Text("No phones on file.", style="dim")
    verdicts = {v.phone_id: v for v in detail.compliance.phones}
    at = detail.compliance.at
    table = _grid("Type", "Number", "Local time", "Now")
    for phone in detail.phones:
        verdict = verdicts.get(phone.id)
        if verdict is None:
            continue
        local = ", ".join(sorted({at.astimezone(zone(z)).strftime("%H:%M %Z") for z in verdict.zones}))
        may_call = Text("✓ may call", style="bold green")
        now = may_call if verdict.allowed else _verdict_line(verdict.blocks, phone)
        table.add_row(_phone_kind(phone), phone.national, local or "—", now)
    # One line a phone: the number and its verdict whole; the type and its notes give way first.
    table.padding = (0, 1, 0, 0)
    kind, number, _, verdict_column = table.columns
    kind.no_wrap = False  # the column that gives way first (its cell stays one line)
    number.min_width = max((len(p.national) for p in detail.phones), default=0)
    verdict_column.min_width = max((cell_len(str(c)) for c in verdict_column.cells), default=0)
    return table


ACTION_LABELS = {
    "call": "Call",
    "voicemail": "Voicemail",
    "letter": "Letter",
    "email_text": "Email/text",
    "credit_reporting": "Credit report",
    "agency_placement": "Agency",
    "sale": "Sale",
    "legal_action": "Legal",
}


def compliance(detail: AccountDetail) -> RenderableType:
    """May I ...: every action, allowed or every reason it is not, with its citation and when it lifts."""
    verdict = detail.compliance
    table = _grid("Action", "Verdict")
    for name, action in verdict.actions.items():
        cell: RenderableType = (
            Text("✓ allowed", style="green")
            if action.allowed
            else _blocks(action.blocks, verdict.home_zone, verdict.at, cite=True)
        )
        table.add_row(ACTION_LABELS.get(name, name), cell)
    table.columns[1].no_wrap = False
    return table


def charges(detail: AccountDetail) -> RenderableType:
    if not detail.charges:
        return Text("No charge lines.", style="dim")
    table = _grid("#", "Service date", "Code", "What it is", "Amount", right=("Amount",))
    for c in detail.charges:
        table.add_row(
            str(c.line_number),
            c.service_date.isoformat(),
            c.procedure_code,
            c.description or "(no description sent)",
            format_cents(c.amount_cents),
        )
    table.columns[3].no_wrap = False
    if detail.reconciliation is None:
        return table
    return Group(table, reconciliation(detail.reconciliation))


def reconciliation(r: Reconciliation) -> Text:
    """Why do I owe this, in one line: billed to balance, and whether it adds up."""
    allowed = "allowed ?" if r.allowed_cents is None else f"allowed {format_cents(r.allowed_cents)}"
    text = Text.assemble(
        "Billed ",
        (format_cents(r.billed_cents), "bold"),
        f" · {allowed} · insurance paid {format_cents(r.insurance_paid_cents)}",
        f" · adjustments {format_cents(r.adjustments_cents - r.contractual_cents)}",
        f" · patient paid {format_cents(r.patient_paid_cents)} · balance ",
        (format_cents(r.balance_cents), "bold"),
    )
    if r.adds_up:
        text.append("  ✓ adds up", style="green")
        return text
    if r.unexplained_cents:
        text.append(f"\n⚠ {format_cents(r.unexplained_cents)} not explained", style="bold")
    for what in r.missing:
        text.append(f"\n  {what}", style="dim")
    return text


# Which claim statuses still have a deadline to meet: a paid claim has none, an appealed one
# has met its appeal deadline.
_DEADLINE_OPEN = {"appeal": ("denied",), "timely filing": ("pending", "denied")}


def _deadline(what: str, deadline: date, claim: ClaimView, today: date) -> Text:
    if claim.status not in _DEADLINE_OPEN[what]:
        return Text(f"\n{what} by {deadline.isoformat()}", style="dim")
    status = deadline_status(deadline, today)
    text = Text(f"\n{what} by {deadline.isoformat()}: ")
    if status.urgent:
        text.append(f"⚠ {status.label}", style="bold red")
    else:
        text.append(status.label)
    return text


def _denial(note: DenialNote) -> Text:
    text = Text.assemble("\n", (note.code, "bold"), f"  {note.meaning}")
    if note.next_action:
        text.append(f"\n    next: {note.next_action}")
    if note.group:
        text.append(f"\n    ({note.group})", style="dim")
    return text


def claims(detail: AccountDetail) -> RenderableType:
    """Each claim with its amounts, what its denial codes mean, and how near its deadlines are."""
    if not detail.claims:
        return Text("No insurance claims.", style="dim")
    today = detail.as_of.date()
    rows: list[RenderableType] = []
    for claim in detail.claims:
        text = Text.assemble(
            (claim.payer_name, "bold"),
            f"  {claim.claim_number}  {claim.status.upper()}",
            f"\nbilled {format_cents(claim.billed_cents)}  allowed {format_cents(claim.allowed_cents)}",
            f"  paid {format_cents(claim.paid_cents)}  patient {format_cents(claim.patient_share_cents)}",
        )
        for note in claim.denials:
            text.append_text(_denial(note))
        if claim.appeal_deadline:
            text.append_text(_deadline("appeal", claim.appeal_deadline, claim, today))
        if claim.timely_filing_deadline:
            text.append_text(_deadline("timely filing", claim.timely_filing_deadline, claim, today))
        if claim.worklist:
            text.append(f"\n{claim.worklist}", style="italic")
        rows.append(text)
    return Group(*rows)


def household(detail: AccountDetail) -> RenderableType:
    """The guarantor's other accounts, and what the household owes on its open accounts."""
    count = detail.household_open_accounts
    total = Text.assemble(
        "Household total ",
        (format_cents(detail.household_total_cents), "bold"),
        f" on {count} open account{'' if count == 1 else 's'} (every open account of this guarantor)",
    )
    if not detail.household:
        return Group(Text("No other accounts for this guarantor.", style="dim"), total)
    table = _grid("Account", "Facility", "Status", "Balance", "Owner", right=("Balance",))
    for other in detail.household:
        table.add_row(
            other.account_number,
            other.facility_code,
            other.status,
            format_cents(other.total_balance_cents),
            other.owner or "unassigned",
        )
    items: list[RenderableType] = [table]
    if detail.household_more:
        items.append(Text(f"… and {detail.household_more} more not listed", style="dim"))
    items.append(total)
    return Group(*items)


def arrangements(detail: AccountDetail) -> RenderableType:
    lines: list[RenderableType] = []
    for promise in detail.promises:
        lines.append(
            Text(f"Promise {format_cents(promise.amount_cents)} due {promise.due_date} ({promise.status})")
        )
    for plan in detail.plans:
        lines.extend(_plan_lines(plan))
    return Group(*lines) if lines else Text("No promise or plan.", style="dim")


def _plan_lines(plan: PlanView) -> list[RenderableType]:
    """A plan or settlement: its down payment on its own line with its date, then the installments;
    a settlement says what it forgives (forgiven once it is completed, nothing once it is broken)."""
    settlement = plan.kind == PlanKind.SETTLEMENT
    name = "Settlement" if settlement else "Plan"
    lines: list[RenderableType] = []
    if settlement:
        owed = plan.principal_cents + plan.down_payment_cents
        if plan.status == PlanStatus.COMPLETED:
            forgiven = f"{format_cents(plan.forgiven_cents)} forgiven"
        elif plan.status == PlanStatus.BROKEN:
            forgiven = f"broken: nothing forgiven ({format_cents(plan.forgiven_cents)} was to be)"
        else:
            forgiven = f"{format_cents(plan.forgiven_cents)} forgiven when paid as agreed"
        lines.append(Text(f"Settlement for {format_cents(owed)} ({plan.status}): {forgiven}", style="bold"))
    if plan.down_payment_cents:
        day = f" on {plan.created_on}" if plan.created_on else ""
        lines.append(Text(f"  Down payment {format_cents(plan.down_payment_cents)}{day}"))
    lines.append(
        Text(
            f"{'  ' if settlement or plan.down_payment_cents else ''}{name} {plan.installment_count} × "
            f"{format_cents(plan.installment_cents)} {plan.frequency} "
            f"from {plan.first_due_date} ({plan.status}, {plan.paid_installments} paid)"
        )
    )
    return lines


def transactions(detail: AccountDetail) -> RenderableType:
    if not detail.transactions:
        return Text("No transactions.", style="dim")
    table = _grid("Posted", "Kind", "Method", "Amount", right=("Amount",))
    for t in detail.transactions:
        table.add_row(
            t.posted_at.strftime("%Y-%m-%d"),
            TransactionKind(t.kind).label,
            t.method or "",
            format_cents(t.amount_cents),
        )
    return table


def activity(detail: AccountDetail) -> RenderableType:
    """Newest first: when, direction or channel, result, the number's last digits, who; then the note
    on its own line, whole (a note is what the next collector needs to read)."""
    if not detail.activities:
        return Text("No activity yet.", style="dim")
    lines: list[RenderableType] = []
    for a in detail.activities:
        head = Text.assemble(
            (a.occurred_at.strftime("%m-%d %H:%M"), "bold"),
            f"  {a.direction if a.direction != 'none' else a.channel}",
            ("  " + (a.outcome_code or ""), "bold"),
            f"  {a.phone}" if a.phone else "",
            f"  · {a.collector or 'system'}",
        )
        head.no_wrap = True
        head.overflow = "ellipsis"
        lines.append(head)
        if a.note:
            lines.append(Text(f"  {a.note}", style="italic"))
    return Group(*lines)
