"""Compliance over the database: load an account's facts, ask the engine, keep the call state.

The engine (:mod:`collector_tui.domain.compliance.engine`) decides; this
module loads the facts it needs in a few set-based queries per batch, keeps
the stored call state that lets the queue ask "callable now" in SQL, and runs
that query. Every service that changes a fact the engine reads (placements,
activities, transactions, holds, phones) calls :func:`refresh_call_state` for
the accounts it touched, in the same transaction.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from typing import Any, NamedTuple

from sqlalchemy import Select, and_, func, literal_column, or_, select
from sqlalchemy.sql import ColumnElement
from sqlmodel import Session

from collector_tui.db.tables import (
    ACCOUNT_T,
    ACTIVITY_T,
    CALL_GROUP_T,
    CLAIM_T,
    DENIAL_T,
    FACILITY_T,
    GUARANTOR_T,
    HOLD_T,
    PHONE_T,
    TX_T,
)
from collector_tui.domain.compliance.engine import (
    CALL,
    PERSONAL_NUMBERS,
    WORK_NUMBERS,
    Block,
    CallGroup,
    CallState,
    Verdict,
    call_state,
    contact_lookback,
    evaluate,
    group_open,
    phone_call_state,
)
from collector_tui.domain.compliance.facts import (
    AccountFacts,
    Contact,
    Hold,
    PhoneFacts,
    balance_contractual,
)
from collector_tui.domain.compliance.policy import CompliancePolicy
from collector_tui.domain.geography import address_zones
from collector_tui.domain.placement import PlacementRecord
from collector_tui.services.bulk import insert_rows, select_in_chunks, update_by_id
from collector_tui.services.desk.lookup import account_by_number
from collector_tui.services.law.policy import current_policy, current_workspace_policy
from collector_tui.vocabulary import (
    AccountStatus,
    Channel,
    ClaimStatus,
    Direction,
    HoldReason,
    PhoneType,
    Regime,
    TransactionKind,
)

_GROUPS_KEY = "compliance.call_groups"
# Contacts the office sends that a state's contact limits may count besides calls (Washington
# counts letters and email; Massachusetts texts).
SENT_CHANNELS = (Channel.TEXT, Channel.EMAIL, Channel.LETTER)
# Who a conversation was with when it was the consumer: the 7 days after a telephone conversation
# (12 CFR 1006.14(b)(2)(ii)) start only then (a wrong number or a third party starts nothing).
CONSUMER_PARTIES = ("guarantor", "patient")


def lookback(policy: CompliancePolicy | None = None) -> timedelta:
    """How far back the stored call state reads contacts: the longest window any limit in force
    counts (see :func:`collector_tui.domain.compliance.engine.contact_lookback`)."""
    return contact_lookback(policy or current_policy())


def counts_toward_call_limits(
    occurred_at: datetime, now: datetime, policy: CompliancePolicy | None = None
) -> bool:
    """Whether a contact at ``occurred_at`` is one the stored call state reads (older ones never are)."""
    return occurred_at >= now - lookback(policy)


def _right_party_codes() -> list[str]:
    """The disposition codes that reached the consumer (the first one starts the 501(r) clock)."""
    return sorted(code for code, d in current_workspace_policy().dispositions.items() if d.right_party)


# -- loading facts --------------------------------------------------------------------------------


def _phone_facts(row: Any) -> PhoneFacts:
    return PhoneFacts(
        phone_id=row.id,
        number=row.number,
        phone_type=row.phone_type,
        is_work=row.is_work,
        valid=row.valid,
        status=row.status,
        time_zones=tuple(row.time_zones.split()) if row.time_zones else (),
        do_not_call=row.do_not_call,
        do_not_call_at=row.do_not_call_at,
        consent_revoked_at=row.consent_revoked_at,
        consent_revoked_via=row.consent_revoked_via,
        consent_at=row.consent_at,
        text_opt_out_at=row.text_opt_out_at,
    )


def load_facts(
    session: Session,
    account_ids: Iterable[int],
    now: datetime,
    *,
    for_calls_only: bool = False,
    with_phones: bool = True,
    policy: CompliancePolicy | None = None,
) -> dict[int, AccountFacts]:
    """The engine's facts for each account, in a handful of queries whatever the count.

    Facts as of ``now``: contacts from the policy's look-back before it on (the engine leaves
    out what is dated after ``now``), holds still open at ``now``.

    ``for_calls_only`` skips what only the other actions read (first contact,
    first letter, last payment): enough for :func:`refresh_call_state`.
    Without ``with_phones`` only the phones of guarantors with no usable
    address are read (their phones say which calendar the limits count in).
    """
    ids = sorted(set(account_ids))
    if not ids:
        return {}
    accounts = _account_rows(session, ids)
    guarantor_ids = {
        row.guarantor_id for row in accounts if with_phones or not address_zones(row.state, row.zip_code)
    }
    phones = _phones_by_guarantor(session, guarantor_ids)
    holds = _holds_open_at(session, ids, now)
    contacts = _recent_contacts(session, ids, now, policy)
    history = _History({}, {}, {}) if for_calls_only else _history_marks(session, ids)
    unresolved, contractual = _claim_marks(session, ids)
    return {
        row.id: _account_facts(
            row,
            phones,
            holds,
            contacts,
            history,
            unresolved=row.id in unresolved,
            contractual=row.id in contractual,
        )
        for row in accounts
    }


def _account_rows(session: Session, ids: list[int]) -> list[Any]:
    """Each account's own columns the rules read, with its guarantor's and its facility's."""
    a, g, f = ACCOUNT_T.c, GUARANTOR_T.c, FACILITY_T.c
    return list(
        select_in_chunks(
            session,
            lambda part: (
                select(
                    a.id,
                    a.status,
                    a.guarantor_id,
                    a.total_balance_cents,
                    a.insurance_pending_cents,
                    a.fap_status,
                    a.first_statement_date,
                    a.placed_date,
                    a.service_date_from,
                    a.service_date_to,
                    a.fap_application_date,
                    a.delinquency_date,
                    a.eca_notice_date,
                    a.validation_notice_date,
                    a.itemization_date,
                    g.state,
                    g.zip_code,
                    g.deceased,
                    g.bankruptcy,
                    g.attorney_represented,
                    g.cease_communication,
                    g.no_calls_at_work,
                    g.inconvenient_times,
                    g.call_consent_at,
                    g.call_time_consent,
                    g.call_time_consent_at,
                    g.email,
                    g.email_opt_out_at,
                    f.nonprofit,
                    f.regime,
                    f.state.label("facility_state"),
                )
                .join(GUARANTOR_T, g.id == a.guarantor_id)
                .join(FACILITY_T, f.id == a.facility_id)
                .where(a.id.in_(part))
            ),
            ids,
        )
    )


def _phones_by_guarantor(session: Session, guarantor_ids: set[int]) -> dict[int, list[PhoneFacts]]:
    """The guarantors' phones, in the order they were added."""
    phones: dict[int, list[PhoneFacts]] = defaultdict(list)
    p = PHONE_T.c
    for row in select_in_chunks(
        session,
        lambda part: (
            select(
                p.id,
                p.guarantor_id,
                p.number,
                p.phone_type,
                p.is_work,
                p.valid,
                p.status,
                p.time_zones,
                p.do_not_call,
                p.do_not_call_at,
                p.consent_revoked_at,
                p.consent_revoked_via,
                p.consent_at,
                p.text_opt_out_at,
            )
            .where(p.guarantor_id.in_(part))
            .order_by(p.id)
        ),
        guarantor_ids,
    ):
        phones[row.guarantor_id].append(_phone_facts(row))
    return phones


def _holds_open_at(session: Session, ids: list[int], now: datetime) -> dict[int, list[Hold]]:
    """Each account's holds still open at ``now`` (released later, or not at all)."""
    holds: dict[int, list[Hold]] = defaultdict(list)
    h = HOLD_T.c
    for row in select_in_chunks(
        session,
        lambda part: select(h.account_id, h.reason, h.placed_at, h.received_via).where(
            h.account_id.in_(part), or_(h.released_at.is_(None), h.released_at > now)
        ),
        ids,
    ):
        holds[row.account_id].append(Hold(row.reason, row.placed_at, row.received_via))
    return holds


def _recent_contacts(
    session: Session, ids: list[int], now: datetime, policy: CompliancePolicy | None
) -> dict[int, list[Contact]]:
    """Each account's contacts within the policy's look-back before ``now`` that a limit may count:
    attempts, conversations, and what the office sent (texts, email, letters)."""
    act, p = ACTIVITY_T.c, PHONE_T.c
    contacts: dict[int, list[Contact]] = defaultdict(list)
    since = now - lookback(policy)
    consumer_codes = set(_right_party_codes())
    # A dialer may log a voicemail left as a "call": its disposition says a message was left.
    voicemail_codes = {
        code for code, d in current_workspace_policy().dispositions.items() if d.channel == Channel.VOICEMAIL
    }
    for row in select_in_chunks(
        session,
        lambda part: (
            select(
                act.account_id,
                act.occurred_at,
                act.channel,
                act.direction,
                act.phone_id,
                act.party,
                act.outcome_code,
                act.counts_as_attempt,
                act.counts_as_conversation,
                p.phone_type,
            )
            .outerjoin(PHONE_T, p.id == act.phone_id)
            .where(
                act.account_id.in_(part),
                act.occurred_at >= since,
                or_(
                    act.counts_as_attempt.is_(True),
                    act.counts_as_conversation.is_(True),
                    and_(act.channel.in_(SENT_CHANNELS), act.direction != Direction.IN),
                ),
            )
        ),
        ids,
    ):
        contacts[row.account_id].append(
            Contact(
                row.occurred_at,
                Channel.VOICEMAIL
                if row.channel == Channel.CALL and row.outcome_code in voicemail_codes
                else row.channel,
                row.counts_as_attempt,
                row.counts_as_conversation,
                # The consumer, by who the collector marked or by the disposition's own flag.
                right_party=row.party in CONSUMER_PARTIES or row.outcome_code in consumer_codes,
                direction=row.direction,
                phone_id=row.phone_id,
                phone_type=row.phone_type,
            )
        )
    return contacts


def _claim_marks(session: Session, ids: list[int]) -> tuple[set[int], set[int]]:
    """The accounts with an insurance claim still pending or appealed, and those whose claims leave
    the balance contractual (:func:`~collector_tui.domain.compliance.facts.balance_contractual`)."""
    # Read by account and filter the status here: the account index is the one to use, and
    # without planner statistics SQLite would walk every pending claim by its status index.
    c, d = CLAIM_T.c, DENIAL_T.c
    claims: dict[int, dict[int, tuple[str, set[str | None], int]]] = defaultdict(dict)
    for row in select_in_chunks(
        session,
        lambda part: (
            select(c.account_id, c.id, c.status, c.patient_share_cents, d.group_code)
            .outerjoin(DENIAL_T, d.claim_id == c.id)
            .where(c.account_id.in_(part))
        ),
        ids,
    ):
        _, groups, _ = claims[row.account_id].setdefault(row.id, (row.status, set(), row.patient_share_cents))
        groups.add(row.group_code)
    unresolved = {
        account_id
        for account_id, its in claims.items()
        if any(status in (ClaimStatus.PENDING, ClaimStatus.APPEALED) for status, _, _ in its.values())
    }
    contractual = {account_id for account_id, its in claims.items() if balance_contractual(its.values())}
    return unresolved, contractual


def _account_facts(
    row: Any,
    phones: dict[int, list[PhoneFacts]],
    holds: dict[int, list[Hold]],
    contacts: dict[int, list[Contact]],
    history: _History,
    *,
    unresolved: bool,
    contractual: bool = False,
) -> AccountFacts:
    """One account's facts, from its row and what was read of its phones, holds and history."""
    paid_at = history.last_paid.get(row.id)
    return AccountFacts(
        account_id=row.id,
        status=row.status,
        state=row.state,
        zip_code=row.zip_code,
        total_balance_cents=row.total_balance_cents,
        insurance_pending_cents=row.insurance_pending_cents,
        claims_unresolved=unresolved,
        claims_contractual=contractual,
        fap_status=row.fap_status,
        nonprofit=row.nonprofit,
        regime=row.regime,
        facility_state=row.facility_state,
        service_date_from=row.service_date_from,
        service_date_to=row.service_date_to,
        fap_application_date=row.fap_application_date,
        first_statement_date=row.first_statement_date,
        placed_date=row.placed_date,
        delinquency_date=row.delinquency_date,
        eca_notice_date=row.eca_notice_date,
        validation_notice_date=row.validation_notice_date,
        itemization_date=row.itemization_date,
        last_payment_date=paid_at.astimezone(UTC).date() if paid_at else None,
        deceased=row.deceased,
        bankruptcy=row.bankruptcy,
        attorney_represented=row.attorney_represented,
        cease_communication=row.cease_communication,
        no_calls_at_work=row.no_calls_at_work,
        inconvenient_times=row.inconvenient_times,
        call_consent_at=row.call_consent_at,
        call_time_consent=row.call_time_consent,
        call_time_consent_at=row.call_time_consent_at,
        has_email=bool(row.email and row.email.strip()),
        email_opt_out_at=row.email_opt_out_at,
        first_right_party_contact_at=history.first_talk.get(row.id),
        first_letter_at=history.first_letter.get(row.id),
        holds=tuple(holds.get(row.id, ())),
        contacts=tuple(sorted(contacts.get(row.id, ()), key=lambda c: c.occurred_at)),
        phones=tuple(phones.get(row.guarantor_id, ())),
    )


def placement_facts(
    record: PlacementRecord,
    *,
    nonprofit: bool,
    regime: str,
    now: datetime,
    status: str,
    facility_state: str | None = None,
) -> AccountFacts:
    """The facts of an account placed now for a guarantor new to the office, from its record alone.

    Such an account has no history yet, so the import need not read one back:
    only its placement's flags, balances, claim and phones count, with what its
    compliance columns say (dates, wishes, each phone's consent and opt-outs).
    """
    g = record.guarantor
    assert g is not None
    told = record.facts  # what the client knows that the rules read (docs/import-formats.md)
    return AccountFacts(
        account_id=0,
        status=status,
        state=g.state,
        zip_code=g.zip_code,
        total_balance_cents=record.total_balance_cents,
        insurance_pending_cents=record.insurance_pending_cents,
        claims_unresolved=record.claim is not None
        and record.claim.status in (ClaimStatus.PENDING, ClaimStatus.APPEALED),
        claims_contractual=record.claim is not None
        and balance_contractual(
            [
                (
                    record.claim.status,
                    {d.group_code for d in record.claim.denials},
                    record.claim.patient_share_cents,
                )
            ]
        ),
        fap_status=record.fap_status,
        nonprofit=nonprofit,
        regime=regime,
        facility_state=facility_state,
        service_date_from=record.service_date_from,
        service_date_to=record.service_date_to,
        first_statement_date=record.first_statement_date,
        placed_date=record.placed_date,
        delinquency_date=told.delinquency_date,
        eca_notice_date=told.eca_notice_date,
        validation_notice_date=told.validation_notice_date,
        itemization_date=told.itemization.date if told.itemization else None,
        fap_application_date=told.fap_application_date,
        deceased=g.deceased,
        bankruptcy=g.bankruptcy,
        attorney_represented=g.attorney_represented,
        cease_communication=g.cease_communication,
        no_calls_at_work=told.no_calls_at_work,
        inconvenient_times=told.inconvenient_times,
        has_email=g.email is not None,
        email_opt_out_at=told.email_opt_out_at,
        holds=(Hold(HoldReason.DISPUTE, now),) if record.dispute else (),
        phones=tuple(
            PhoneFacts(
                phone_id=0,
                number=p.phone.number,
                phone_type=p.phone_type,
                is_work=p.phone_type == PhoneType.WORK,
                valid=p.phone.valid,
                time_zones=p.phone.time_zones,
                consent_revoked_at=told.phone(i).revoked_at,
                consent_at=told.phone(i).consent_at,
                text_opt_out_at=told.phone(i).text_opt_out_at,
            )
            for i, p in enumerate(record.phones)
        ),
    )


def new_account_call_values(
    facts: AccountFacts, now: datetime, policy: CompliancePolicy | None = None
) -> dict[str, Any]:
    """The stored call-state columns of a new account, for its INSERT."""
    return _call_values(call_state(facts, policy or current_policy(), now))


def _call_values(state: CallState) -> dict[str, Any]:
    """The stored call-state columns of an account, from the engine's :class:`CallState`."""
    return {
        "call_held": state.held,
        "call_frequency_clear_at": state.frequency_clear_at,
        "call_exempt_until": state.exempt_until,
        "call_limit_until": state.limit_until,
        "call_work_limit_until": state.work_limit_until,
    }


class _History(NamedTuple):
    """When each account was first talked to (the consumer), first sent a letter, last paid."""

    first_talk: dict[int, datetime]
    first_letter: dict[int, datetime]
    last_paid: dict[int, datetime]


def _history_marks(session: Session, ids: list[int]) -> _History:
    """First right-party conversation, first letter and last payment of each account."""
    act, t = ACTIVITY_T.c, TX_T.c

    def per_account(aggregate: Any, table: Any, *where: ColumnElement[bool]) -> dict[int, datetime]:
        return dict(
            select_in_chunks(
                session,
                lambda part: (
                    select(table.c.account_id, aggregate)
                    .where(table.c.account_id.in_(part), *where)
                    .group_by(table.c.account_id)
                ),
                ids,
            )
        )

    first_talk = per_account(
        func.min(act.occurred_at), ACTIVITY_T, act.outcome_code.in_(_right_party_codes())
    )
    first_letter = per_account(func.min(act.occurred_at), ACTIVITY_T, act.channel == Channel.LETTER)
    last_paid = per_account(func.max(t.posted_at), TX_T, t.kind == TransactionKind.PAYMENT)
    return _History(first_talk, first_letter, last_paid)


# -- the stored call state ------------------------------------------------------------------------


def call_group_ids(session: Session, groups: Iterable[CallGroup]) -> dict[CallGroup, int]:
    """Ids of the call groups, creating any not seen before (cached for the transaction)."""
    known: dict[CallGroup, int] = session.info.get(_GROUPS_KEY) or {}
    wanted = set(groups) - set(known)
    if wanted:
        c = CALL_GROUP_T.c
        found = {
            CallGroup(tuple(row.zones.split()), row.inconvenient): row.id
            for row in session.execute(select(c.id, c.zones, c.inconvenient))
        }
        missing = [g for g in wanted if g not in found]
        if missing:
            insert_rows(
                session,
                CALL_GROUP_T,
                [{"zones": " ".join(g.zones), "inconvenient": g.inconvenient} for g in missing],
            )
            found = {
                CallGroup(tuple(row.zones.split()), row.inconvenient): row.id
                for row in session.execute(select(c.id, c.zones, c.inconvenient))
            }
        known = {**known, **found}
        session.info[_GROUPS_KEY] = known
    return known


def refresh_call_state(
    session: Session,
    account_ids: Iterable[int],
    now: datetime,
    policy: CompliancePolicy | None = None,
    *,
    with_phones: bool = True,
) -> int:
    """Recompute the call state of ``account_ids`` and their guarantors' phones (rows changed)."""
    policy = policy or current_policy()
    facts = load_facts(session, account_ids, now, for_calls_only=True, with_phones=with_phones, policy=policy)
    if not facts:
        return 0
    a = ACCOUNT_T.c
    columns = [
        a.call_held,
        a.call_frequency_clear_at,
        a.call_exempt_until,
        a.call_limit_until,
        a.call_work_limit_until,
    ]
    current = {
        row.id: dict(zip((c.name for c in columns), row[1:], strict=True))
        for row in select_in_chunks(
            session,
            lambda part: select(a.id, *columns).where(a.id.in_(part)),
            list(facts),
        )
    }
    account_updates = []
    for account_id, account in facts.items():
        values = _call_values(call_state(account, policy, now))
        if current.get(account_id) != values:
            account_updates.append({"row_id": account_id, **values})
    update_by_id(session, ACCOUNT_T, account_updates)
    if not with_phones:
        return len(account_updates)

    # A phone belongs to the guarantor: their accounts share the address and wishes. If their
    # facilities' regimes differ, a third-party account (every rule applies) decides: the stricter.
    # The deciding account may be one not being refreshed: ask the database about the rest.
    phone_targets: dict[int, tuple[PhoneFacts, AccountFacts]] = {}
    for account in sorted(facts.values(), key=lambda f: f.regime == Regime.FIRST_PARTY):
        for phone in account.phones:
            phone_targets.setdefault(phone.phone_id, (phone, account))
    lenient = [phone_id for phone_id, (_, a) in phone_targets.items() if a.regime == Regime.FIRST_PARTY]
    for phone_id in _phones_of_third_party_debts(session, lenient):
        phone, account = phone_targets[phone_id]
        phone_targets[phone_id] = (phone, replace(account, regime=Regime.THIRD_PARTY))
    states = {
        phone_id: phone_call_state(phone, account, policy, now)
        for phone_id, (phone, account) in phone_targets.items()
    }
    ids = call_group_ids(session, (group for _, group in states.values()))
    p = PHONE_T.c
    stored = {
        row.id: (row.dialable, row.call_group_id)
        for row in select_in_chunks(
            session,
            lambda part: select(p.id, p.dialable, p.call_group_id).where(p.id.in_(part)),
            list(states),
        )
    }
    phone_updates = []
    for phone_id, (dialable, group) in states.items():
        group_id = ids[group]
        if stored.get(phone_id) != (dialable, group_id):
            phone_updates.append({"row_id": phone_id, "dialable": dialable, "call_group_id": group_id})
    update_by_id(session, PHONE_T, phone_updates)
    return len(account_updates) + len(phone_updates)


def _phones_of_third_party_debts(session: Session, phone_ids: Sequence[int]) -> list[int]:
    """The phones among ``phone_ids`` whose guarantor also owes an open third-party facility's debt."""
    p, a, f = PHONE_T.c, ACCOUNT_T.c, FACILITY_T.c
    return [
        int(row.id)
        for row in select_in_chunks(
            session,
            lambda part: (
                select(p.id)
                .where(p.id.in_(part))
                .where(
                    select(literal_column("1"))
                    .select_from(ACCOUNT_T.join(FACILITY_T, f.id == a.facility_id))
                    .where(
                        a.guarantor_id == p.guarantor_id,
                        a.status == AccountStatus.OPEN,
                        f.regime == Regime.THIRD_PARTY,
                    )
                    .exists()
                )
            ),
            phone_ids,
        )
    ]


# -- asking --------------------------------------------------------------------------------------


def open_group_ids(session: Session, now: datetime, policy: CompliancePolicy | None = None) -> list[int]:
    """The call groups whose window is open at ``now``: each group evaluated once, in Python."""
    policy = policy or current_policy()
    c = CALL_GROUP_T.c
    return [
        row.id
        for row in session.execute(select(c.id, c.zones, c.inconvenient))
        if group_open(CallGroup(tuple(row.zones.split()), row.inconvenient), policy, now)
    ]


def callable_state_clause(now: datetime) -> ColumnElement[bool]:
    """SQL for "the account's own state lets it be called at ``now``": open, not held, no frequency
    limit in force (or the consumer's consent covers it). Phones are :func:`dialable_phone_clause`'s."""
    a = ACCOUNT_T.c
    return and_(
        a.status == AccountStatus.OPEN,
        a.call_held.is_(False),
        # Never NULL (each comparison is guarded), so NOT of this clause is the exact complement.
        or_(
            a.call_frequency_clear_at.is_(None),
            and_(a.call_frequency_clear_at.is_not(None), a.call_frequency_clear_at <= now),
            and_(a.call_exempt_until.is_not(None), a.call_exempt_until > now),
        ),
    )


def _lifted(column: Any, now: datetime) -> ColumnElement[bool]:
    """SQL for "the stored moment in ``column`` does not block at ``now``" (never NULL)."""
    return or_(column.is_(None), and_(column.is_not(None), column <= now))


def limits_lifted_clause(now: datetime) -> ColumnElement[bool]:
    """SQL for "no state contact limit blocks any of the account's numbers at ``now``"."""
    a = ACCOUNT_T.c
    return and_(_lifted(a.call_limit_until, now), _lifted(a.call_work_limit_until, now))


def limits_allow_phone_clause(now: datetime) -> ColumnElement[bool]:
    """SQL for "the account's state contact limits let this phone be called at ``now``": a
    residence or mobile number is held to ``call_limit_until``, a work number to
    ``call_work_limit_until``, any other to both (as the engine's ``_number_kinds``)."""
    a, p = ACCOUNT_T.c, PHONE_T.c
    return and_(
        or_(p.phone_type.in_(sorted(WORK_NUMBERS)), _lifted(a.call_limit_until, now)),
        or_(p.phone_type.in_(sorted(PERSONAL_NUMBERS)), _lifted(a.call_work_limit_until, now)),
    )


def dialable_phone_clause(open_groups: Sequence[int], now: datetime) -> ColumnElement[bool]:
    """SQL for "the account's guarantor has a dialable phone in an open call group that the
    account's state contact limits allow at ``now``".

    One probe of ``ix_phone_dialable`` (guarantor, dialable, group, type) per account, read from
    the index alone; the group is a filter there (``+ 0``), not a key: an IN list as a key would be
    one seek per open group, three times slower when most groups are open.
    """
    a, p = ACCOUNT_T.c, PHONE_T.c
    return (
        select(literal_column("1"))
        .where(
            p.guarantor_id == a.guarantor_id,
            p.dialable.is_(True),
            (p.call_group_id + 0).in_(list(open_groups)),
            limits_allow_phone_clause(now),
        )
        .exists()
    )


def callable_now_clause(open_groups: Sequence[int], now: datetime) -> ColumnElement[bool]:
    """SQL for "this account may be called at ``now``", given the open call groups."""
    return and_(callable_state_clause(now), dialable_phone_clause(open_groups, now))


def open_phone_clause(open_groups: Sequence[int]) -> ColumnElement[bool]:
    """SQL for "this phone may be dialled now": dialable, in an open call group (a seek of
    ``ix_phone_call_group``)."""
    p = PHONE_T.c
    return and_(p.call_group_id.in_(list(open_groups)), p.dialable.is_(True))


def guarantors_with_open_phones(open_groups: Sequence[int]) -> Select[Any]:
    """The guarantors with a dialable phone in an open call group, read from ``ix_phone_call_group``
    alone: as a list, the other way to ask :func:`dialable_phone_clause`'s question of many
    accounts, cheap when few groups are open."""
    return select(PHONE_T.c.guarantor_id).where(open_phone_clause(open_groups))


def count_open_phones(session: Session, open_groups: Sequence[int], at_most: int) -> int:
    """How many dialable phones are in the open call groups, counting no further than ``at_most``
    (a bounded walk of ``ix_phone_call_group``: cheap whatever the office's size)."""
    if not open_groups or at_most <= 0:
        return 0
    some: Select[Any] = select(literal_column("1")).select_from(PHONE_T).where(open_phone_clause(open_groups))
    return int(session.execute(select(func.count()).select_from(some.limit(at_most).subquery())).scalar_one())


def phone_count_estimate(session: Session) -> int:
    """About how many phones the office has (the highest id: one index step, no count)."""
    return int(session.execute(select(func.max(PHONE_T.c.id))).scalar_one() or 0)


def callable_account_ids(
    session: Session,
    now: datetime,
    account_ids: Iterable[int] | None = None,
    policy: CompliancePolicy | None = None,
) -> set[int]:
    """The accounts (of ``account_ids``, or all) that may be called at ``now``, answered in SQL."""
    groups = open_group_ids(session, now, policy)
    if not groups:
        return set()
    clause = callable_now_clause(groups, now)
    a = ACCOUNT_T.c
    if account_ids is None:
        return set(session.execute(select(a.id).where(clause)).scalars())
    return {
        row.id
        for row in select_in_chunks(
            session, lambda part: select(a.id).where(a.id.in_(part), clause), account_ids
        )
    }


@dataclass(frozen=True)
class AccountVerdict:
    account_id: int
    facility_code: str
    account_number: str
    verdict: Verdict


def verdict_for_account(
    session: Session,
    account_number: str,
    now: datetime,
    *,
    facility_code: str | None = None,
    policy: CompliancePolicy | None = None,
) -> AccountVerdict:
    """The engine's verdict for one account, found by the billing system's account number."""
    policy = policy or current_policy()
    account_id, code = account_by_number(session, account_number, facility_code)
    facts = load_facts(session, [account_id], now)[account_id]
    return AccountVerdict(account_id, code, account_number, evaluate(facts, policy, now))


def call_blocks(session: Session, account_id: int, phone_id: int, now: datetime) -> tuple[Block, ...]:
    """Why the engine forbids dialling ``phone_id`` for this account now (empty when allowed)."""
    verdict = evaluate(load_facts(session, [account_id], now)[account_id], current_policy(), now, (CALL,))
    account_blocks = tuple(b for b in verdict.actions[CALL].blocks if b.rule_id != "phones")
    own = next((p.blocks for p in verdict.phones if p.phone_id == phone_id), ())
    return tuple(own) + account_blocks
