"""What the consumer asks on the phone, recorded: each request one transaction and one audit event.

"Don't call me at work", "not between X and Y", "stop texting / emailing me",
"you may call me at <time>", "don't call this mobile any more". Each goes
through the change-one-account unit of work of :mod:`.account_change` (the
version check, a timeline line, one audit event with ids and codes only) and
recomputes the call state and score of every account of the household, since
the wish is the person's. Moments are stored in UTC; the timeline line says
when it was for the consumer, and times of day are the consumer's local time
(the inconvenient-times syntax, ``[days] HH:MM-HH:MM``).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import select, update
from sqlmodel import Session

from collector_tui.db.tables import ACCOUNT_T, GUARANTOR_T, PHONE_T
from collector_tui.domain.compliance.clock import WEEKDAYS, InconvenientTimesError, parse_inconvenient, zone
from collector_tui.domain.compliance.engine import day_zone
from collector_tui.domain.entry import EntryValueError, looks_like_date, parse_day, parse_time_of_day
from collector_tui.domain.placement import INCONVENIENT_MAX, merge_inconvenient
from collector_tui.services import audit
from collector_tui.services.audit import Actor
from collector_tui.services.database import Database
from collector_tui.services.desk.account_change import ActionResult, Target, finish_change, target_for_change
from collector_tui.services.desk.holds import household
from collector_tui.services.errors import EntryError
from collector_tui.services.law.compliance import load_facts
from collector_tui.services.team.permissions import require_account_view
from collector_tui.vocabulary import Channel

CALLBACK_SLOT_MINUTES = 30  # a callback the consumer asked for: their consent covers this long
INCONVENIENT = "inconvenient"
CONSENTED = "consent"
_FULL_DAY = re.compile(r"\b(mon|tue|wed|thu|fri|sat|sun)[a-z]*\b")
_EVERY_DAY = ("", "daily", "every day", "everyday", "all days")


@dataclass(frozen=True, slots=True)
class PhoneWishes:
    """What the consumer asked about one number."""

    id: int
    phone_type: str
    is_work: bool
    text_opt_out_at: datetime | None
    consent_revoked_at: datetime | None


@dataclass(frozen=True, slots=True)
class ConsumerWishes:
    """What is on file of the consumer's wishes, for the form that records new ones."""

    home_zone: str  # where the consumer's times of day are read
    no_calls_at_work: bool
    inconvenient_times: tuple[str, ...]
    call_time_consent: tuple[str, ...]
    call_time_consent_at: datetime | None
    email_on_file: bool
    email_opt_out_at: datetime | None
    phones: tuple[PhoneWishes, ...]


def consumer_zone(session: Session, account_id: int, now: datetime) -> str:
    """The consumer's home zone, as the compliance engine reads it (their calendar and clock)."""
    return day_zone(load_facts(session, [account_id], now, for_calls_only=True)[account_id])


def consumer_wishes(db: Database, actor: Actor, account_id: int, *, now: datetime) -> ConsumerWishes:
    """The wishes on file for the guarantor of an account the actor may open."""
    g, p = GUARANTOR_T.c, PHONE_T.c
    with db.reading() as session:
        require_account_view(session, actor, account_id, refusal=f"account {account_id} not found")
        home = consumer_zone(session, account_id, now)
        row = session.execute(
            select(
                g.id,
                g.no_calls_at_work,
                g.inconvenient_times,
                g.call_time_consent,
                g.call_time_consent_at,
                g.email,
                g.email_opt_out_at,
            )
            .join(ACCOUNT_T, ACCOUNT_T.c.guarantor_id == g.id)
            .where(ACCOUNT_T.c.id == account_id)
        ).one()
        phones = tuple(
            PhoneWishes(r.id, r.phone_type, r.is_work, r.text_opt_out_at, r.consent_revoked_at)
            for r in session.execute(
                select(p.id, p.phone_type, p.is_work, p.text_opt_out_at, p.consent_revoked_at)
                .where(p.guarantor_id == row.id)
                .order_by(p.id)
            )
        )
    return ConsumerWishes(
        home_zone=home,
        no_calls_at_work=row.no_calls_at_work,
        inconvenient_times=tuple(periods_of(row.inconvenient_times)),
        call_time_consent=tuple(periods_of(row.call_time_consent)),
        call_time_consent_at=row.call_time_consent_at,
        email_on_file=bool(row.email),
        email_opt_out_at=row.email_opt_out_at,
        phones=phones,
    )


# -- times of day in the inconvenient-times syntax ---------------------------------------------


def periods_of(spec: str | None) -> list[str]:
    """The periods of a ``"[days] HH:MM-HH:MM; ..."`` text, as written."""
    return [item.strip() for item in (spec or "").split(";") if item.strip()]


def _clock(minutes: int) -> str:
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def days_text(text: str, field: str) -> str:
    """``Mon - Fri``, ``saturday, sunday``, ``weekdays`` in the syntax (empty: every day), checked."""
    raw = text.strip().lower()
    if raw in _EVERY_DAY:
        return ""
    raw = re.sub(r"\s*([,-])\s*", r"\1", raw)
    raw = _FULL_DAY.sub(r"\1", re.sub(r"\s+", ",", raw))
    try:
        parse_inconvenient(f"{raw} 00:00-01:00")
    except InconvenientTimesError as exc:
        raise EntryError([(field, str(exc).replace(" 00:00-01:00", ""))]) from None
    return raw


def period_text(days: str, start: int, end: int, *, end_field: str = "until") -> str:
    """One period, ``mon-fri 12:00-13:00``; an end at or before the start is refused."""
    if end <= start:
        over_midnight = "for a range over midnight enter two (21:00-24:00, 0:00-8:00)"
        raise EntryError([(end_field, f"ends before it starts: {over_midnight}")])
    return f"{days} {_clock(start)}-{_clock(end)}".strip()


def callback_slot(at: datetime, home_zone: str) -> str:
    """The period a consumer's "call me then" consents to: that weekday, from that minute, for a while."""
    local = at.astimezone(zone(home_zone))
    start = local.hour * 60 + local.minute
    return period_text(WEEKDAYS[local.weekday()], start, min(start + CALLBACK_SLOT_MINUTES, 24 * 60))


def _with_period(current: str | None, period: str, field: str) -> str:
    """The times on file with ``period`` added, as the import adds a file's (one merge, one limit)."""
    text = merge_inconvenient(current, period) or period
    if len(text) > INCONVENIENT_MAX:
        raise EntryError(
            [(field, f"no room for more times ({INCONVENIENT_MAX} characters): remove one first")]
        )
    return text


def record_call_time_consent(session: Session, guarantor_id: int, period: str, now: datetime) -> None:
    """The consumer said, now, that we may call them at ``period``: their direct prior consent to
    calls then (12 CFR 1006.6(b)(1)) and to calls in the days after it (1006.14(b)(3)(i))."""
    g = GUARANTOR_T.c
    current = session.execute(select(g.call_time_consent).where(g.id == guarantor_id)).scalar_one()
    session.execute(
        update(GUARANTOR_T)
        .where(g.id == guarantor_id)
        .values(
            call_time_consent=_with_period(current, period, "from"),
            call_time_consent_at=now,
            call_consent_at=now,
            updated_at=now,
        )
    )


# -- the requests -----------------------------------------------------------------------------


def _said(session: Session, target: Target, now: datetime) -> str:
    """When it was for the consumer: ``Fri Nov 27 10:00 EST``."""
    local = now.astimezone(zone(consumer_zone(session, target.id, now)))
    return f"{local:%a %b %d %H:%M %Z}"


def _guarantor(session: Session, target: Target, *columns: str) -> Any:
    g = GUARANTOR_T.c
    return session.execute(select(*(g[name] for name in columns)).where(g.id == target.guarantor_id)).one()


def _set_guarantor(session: Session, target: Target, now: datetime, **values: Any) -> None:
    g = GUARANTOR_T.c
    session.execute(update(GUARANTOR_T).where(g.id == target.guarantor_id).values(updated_at=now, **values))


def _their_phone(session: Session, target: Target, phone_id: int | None) -> Any:
    if phone_id is None:
        raise EntryError([("phone", "choose a number")])
    p = PHONE_T.c
    row = session.execute(
        select(
            p.id,
            p.guarantor_id,
            p.number,
            p.phone_type,
            p.is_work,
            p.text_opt_out_at,
            p.consent_revoked_at,
        ).where(p.id == phone_id)
    ).first()
    if row is None or row.guarantor_id != target.guarantor_id:
        raise EntryError([("phone", "is not one of this guarantor's numbers")])
    return row


def _each_parsed(parsers: dict[str, Callable[[], Any]]) -> dict[str, Any]:
    """Each field's value parsed, or one refusal naming every field that cannot be used (a domain
    parser's refusal is about the field it parsed)."""
    problems: list[tuple[str, str]] = []
    parsed: dict[str, Any] = {}
    for field, parse in parsers.items():
        try:
            parsed[field] = parse()
        except EntryError as exc:
            problems += exc.problems
        except EntryValueError as exc:
            problems.append((field, str(exc)))
    if problems:
        raise EntryError(problems)
    return parsed


def _unless_on_file(since: datetime | None, field: str, already: str) -> None:
    """Refuse a request already on file (the message names no date: what the consumer said stays
    in the database)."""
    if since is not None:
        raise EntryError([(field, already)])


def _finish(
    session: Session,
    actor: Actor,
    target: Target,
    request: str,
    now: datetime,
    what: str,
    *,
    phone_id: int | None = None,
    details: dict[str, audit.DetailValue] | None = None,
) -> int:
    """The timeline line ``Consumer asked (<their time>): <what>``, the audit event, the household's
    call state and score recomputed; returns the new version."""
    return finish_change(
        session,
        actor,
        target,
        f"consumer.{request}",
        now,
        line=("REQUEST", f"Consumer asked ({_said(session, target, now)}): {what}"),
        phone_id=phone_id,
        details={**(details or {}), **({"phone": phone_id} if phone_id is not None else {})},
        refresh=household(session, [target.guarantor_id]),
    )


def no_calls_at_work(
    db: Database, actor: Actor, account_id: int, version: int, *, phone_id: int | None = None, now: datetime
) -> ActionResult:
    """ "Don't call me at work" (12 CFR 1006.6(b)(3)); ``phone_id``, if given, is their work number."""
    with db.writing() as session:
        target = target_for_change(session, actor, account_id, version)
        already = _guarantor(session, target, "no_calls_at_work").no_calls_at_work
        phone = _their_phone(session, target, phone_id) if phone_id is not None else None
        if already and (phone is None or phone.is_work):
            raise EntryError([("request", "no calls at work is already on file")])
        _set_guarantor(session, target, now, no_calls_at_work=True)
        what = "no calls at work"
        if phone is not None and not phone.is_work:
            session.execute(update(PHONE_T).where(PHONE_T.c.id == phone.id).values(is_work=True))
            what += f"; the number ending {phone.number[-4:]} is their work number"
        version = _finish(session, actor, target, "no_calls_at_work", now, what, phone_id=phone_id)
    work = f"; the {phone.phone_type} number is their work number" if phone is not None else ""
    return ActionResult(account_id, version, f"No calls at work recorded{work}")


def add_inconvenient_time(
    db: Database,
    actor: Actor,
    account_id: int,
    version: int,
    *,
    days: str,
    start: str,
    end: str,
    now: datetime,
) -> ActionResult:
    """ "Don't call me between X and Y" (on ``days``; empty: every day), in the consumer's local time."""
    parsed = _each_parsed(
        {
            "days": lambda: days_text(days, "days"),
            "from": lambda: parse_time_of_day(start),
            "until": lambda: parse_time_of_day(end, end=True),
        }
    )
    period = period_text(parsed["days"], parsed["from"], parsed["until"])
    with db.writing() as session:
        target = target_for_change(session, actor, account_id, version)
        current = _guarantor(session, target, "inconvenient_times").inconvenient_times
        spec = _with_period(current, period, "from")
        if spec == current:  # the same period, however it was written, is on file
            raise EntryError([("from", "that time is already on file")])
        _set_guarantor(session, target, now, inconvenient_times=spec)
        version = _finish(
            session,
            actor,
            target,
            "inconvenient_time",
            now,
            f"no calls {period} (their time)",
            details={"periods": len(periods_of(spec))},
        )
    return ActionResult(account_id, version, f"Time not to call recorded ({len(periods_of(spec))} on file)")


def remove_time(
    db: Database, actor: Actor, account_id: int, version: int, *, kind: str, period: str, now: datetime
) -> ActionResult:
    """The consumer takes back one period: an inconvenient time, or a time they said we may call."""
    if kind not in (INCONVENIENT, CONSENTED):
        raise EntryError([("remove", "choose a time on file")])
    column = "inconvenient_times" if kind == INCONVENIENT else "call_time_consent"
    with db.writing() as session:
        target = target_for_change(session, actor, account_id, version)
        periods = periods_of(getattr(_guarantor(session, target, column), column))
        if period.strip() not in periods:
            raise EntryError([("remove", "that time is no longer on file")])
        periods.remove(period.strip())
        _set_guarantor(session, target, now, **{column: "; ".join(periods) or None})
        words = "may call again" if kind == INCONVENIENT else "no longer consents to calls"
        version = _finish(
            session,
            actor,
            target,
            f"{kind}_time_removed",
            now,
            f"{words} {period.strip()} (their time)",
            details={"periods": len(periods)},
        )
    shown = "Time not to call" if kind == INCONVENIENT else "Consent to call at that time"
    return ActionResult(account_id, version, f"{shown} removed ({len(periods)} left)")


def _consent_days(on: str, start: int, end: int, home_zone: str, now: datetime) -> tuple[str, date | None]:
    """The days a consent is for (a date is its weekday), refusing one entirely in the past."""
    if not looks_like_date(on):
        return days_text(on, "on"), None
    today = now.astimezone(zone(home_zone)).date()
    try:
        day = parse_day(on, today)
    except EntryValueError:
        raise EntryError([("on", "enter a date as YYYY-MM-DD or MM/DD, or days (mon-fri)")]) from None
    if day < today:
        raise EntryError([("on", "that date is in the past: a consent is for a time to come")])
    local_now = now.astimezone(zone(home_zone))
    if day == today and end <= local_now.hour * 60 + local_now.minute:
        raise EntryError([("until", "that time today is in the past: a consent is for a time to come")])
    return WEEKDAYS[day.weekday()], day


def consent_to_call_time(
    db: Database,
    actor: Actor,
    account_id: int,
    version: int,
    *,
    on: str,
    start: str,
    end: str,
    now: datetime,
) -> ActionResult:
    """ "You may call me at <time>": the consumer's direct consent to calls then (12 CFR 1006.6(b)(1),
    1006.14(b)(3)(i)). ``on`` is a date or days (empty: every day); a consent in the past is refused.

    The syntax has weekdays, not dates: a consent for a date is kept as that weekday's period (the
    timeline line names the date).
    """
    minutes = _each_parsed(
        {
            "from": lambda: parse_time_of_day(start),
            "until": lambda: parse_time_of_day(end, end=True),
        }
    )
    with db.writing() as session:
        target = target_for_change(session, actor, account_id, version)
        home = consumer_zone(session, target.id, now)
        days, day = _consent_days(on, minutes["from"], minutes["until"], home, now)
        period = period_text(days, minutes["from"], minutes["until"])
        record_call_time_consent(session, target.guarantor_id, period, now)
        dated = f" (for {day:%a %Y-%m-%d})" if day is not None else ""
        version = _finish(
            session,
            actor,
            target,
            "call_time_consent",
            now,
            f"you may call me {period} (their time){dated}",
            details={"dated": day is not None},
        )
    return ActionResult(account_id, version, "Consent to call at that time recorded")


def stop_texting(
    db: Database, actor: Actor, account_id: int, version: int, phone_id: int | None, *, now: datetime
) -> ActionResult:
    """ "Stop texting me" at one number (12 CFR 1006.6(e), 47 CFR 64.1200)."""
    with db.writing() as session:
        target = target_for_change(session, actor, account_id, version)
        phone = _their_phone(session, target, phone_id)
        _unless_on_file(phone.text_opt_out_at, "phone", "texts to it were already stopped")
        session.execute(update(PHONE_T).where(PHONE_T.c.id == phone.id).values(text_opt_out_at=now))
        what = f"stop texting the number ending {phone.number[-4:]}"
        version = _finish(session, actor, target, "text_opt_out", now, what, phone_id=phone.id)
    return ActionResult(account_id, version, f"No more texts to the {phone.phone_type} number")


def stop_emailing(
    db: Database, actor: Actor, account_id: int, version: int, *, now: datetime
) -> ActionResult:
    """ "Stop emailing me" (12 CFR 1006.6(e)): no email to the guarantor's address."""
    with db.writing() as session:
        target = target_for_change(session, actor, account_id, version)
        row = _guarantor(session, target, "email", "email_opt_out_at")
        _unless_on_file(row.email_opt_out_at, "request", "email was already stopped")
        _set_guarantor(session, target, now, email_opt_out_at=now)
        what = "stop emailing me" + ("" if row.email else " (no address on file yet)")
        version = _finish(session, actor, target, "email_opt_out", now, what)
    return ActionResult(account_id, version, "No more emails")


def revoke_call_consent(
    db: Database, actor: Actor, account_id: int, version: int, phone_id: int | None, *, now: datetime
) -> ActionResult:
    """The consumer revokes, on a call, their consent to calls to a (mobile) number (47 CFR
    64.1200(a)(10)): no more calls to it."""
    with db.writing() as session:
        target = target_for_change(session, actor, account_id, version)
        phone = _their_phone(session, target, phone_id)
        _unless_on_file(phone.consent_revoked_at, "phone", "consent was already revoked")
        revocation = {"consent_revoked_at": now, "consent_revoked_via": Channel.CALL}
        session.execute(
            update(PHONE_T).where(PHONE_T.c.id == phone.id).values(consent_to_call_mobile=False, **revocation)
        )
        what = f"no more calls to the number ending {phone.number[-4:]} (consent revoked)"
        version = _finish(session, actor, target, "consent_revoked", now, what, phone_id=phone.id)
    return ActionResult(account_id, version, f"Consent to call the {phone.phone_type} number revoked")
