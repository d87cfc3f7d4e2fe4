"""Finding accounts, phones and collectors by the keys outside systems use."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any, NamedTuple

from sqlalchemy import select
from sqlmodel import Session

from collector_tui.db.tables import ACCOUNT_T, COLLECTOR_T, FACILITY_T, PHONE_T
from collector_tui.services.bulk import select_in_chunks
from collector_tui.services.errors import NotFoundError


class AccountRef(NamedTuple):
    """What never changes about an account within a transaction: its id and guarantor."""

    id: int
    guarantor_id: int


AccountKey = tuple[str, str]
_REFS = "collector.account_refs"


def _ref_cache(session: Session) -> dict[AccountKey, AccountRef]:
    # Lives on the session, which is one unit of work (one transaction) here.
    cache: dict[AccountKey, AccountRef] = session.info.setdefault(_REFS, {})
    return cache


def remember_accounts(session: Session, refs: Mapping[AccountKey, AccountRef]) -> None:
    """Record accounts this transaction wrote, so later steps need not look them up."""
    _ref_cache(session).update(refs)


def account_refs(session: Session, keys: Iterable[AccountKey]) -> dict[AccountKey, AccountRef]:
    """``(facility_code, account_number)`` -> id and guarantor, from this transaction's cache when known."""
    cache = _ref_cache(session)
    wanted = set(keys)
    missing = {key for key in wanted if key not in cache}
    if missing:
        code_of = _facility_codes(session)
        a = ACCOUNT_T.c
        for row_id, facility_id, number, guarantor_id in select_in_chunks(
            session,
            lambda numbers: select(a.id, a.facility_id, a.account_number, a.guarantor_id).where(
                a.account_number.in_(numbers)
            ),
            {n for _, n in missing},
        ):
            key = (code_of[facility_id], number)
            if key in missing:
                cache[key] = AccountRef(row_id, guarantor_id)
    return {key: cache[key] for key in wanted if key in cache}


def _facility_codes(session: Session) -> dict[int, str]:
    return dict(session.execute(select(FACILITY_T.c.id, FACILITY_T.c.code)).all())


def accounts_by_key(
    session: Session, keys: Iterable[tuple[str, str]]
) -> dict[tuple[str, str], dict[str, Any]]:
    """``(facility_code, account_number)`` -> the account's id, guarantor and balances.

    Looks up by account number alone (one indexed column) and matches the
    facility in Python: a row-value ``IN`` with a join costs ~4x as much.
    """
    wanted = set(keys)
    if not wanted:
        return {}
    code_of = _facility_codes(session)
    a = ACCOUNT_T.c
    columns = (
        a.id,
        a.facility_id,
        a.account_number,
        a.guarantor_id,
        a.status,
        a.version,
        a.total_balance_cents,
        a.insurance_pending_cents,
        a.patient_responsibility_cents,
        a.last_contact_at,
        a.placement_digest,
    )
    found: dict[tuple[str, str], dict[str, Any]] = {}
    for row in select_in_chunks(
        session, lambda numbers: select(*columns).where(a.account_number.in_(numbers)), {n for _, n in wanted}
    ):
        key = (code_of[row.facility_id], row.account_number)
        if key in wanted:
            found[key] = dict(row._mapping)
    remember_accounts(
        session, {key: AccountRef(row["id"], row["guarantor_id"]) for key, row in found.items()}
    )
    return found


def collector_ids_by_login(session: Session, logins: Iterable[str]) -> dict[str, int]:
    names = sorted({login for login in logins if login})
    if not names:
        return {}
    c = COLLECTOR_T.c
    return dict(session.execute(select(c.login, c.id).where(c.login.in_(names))).all())


def phone_ids(session: Session, pairs: Iterable[tuple[int, str]]) -> dict[tuple[int, str], int]:
    """``(guarantor_id, E.164 number)`` -> phone id, for the numbers on file."""
    wanted = set(pairs)
    c = PHONE_T.c
    return {
        (row.guarantor_id, row.number): row.id
        for row in select_in_chunks(
            session,
            lambda ids: select(c.id, c.guarantor_id, c.number).where(c.guarantor_id.in_(ids)),
            {g for g, _ in wanted},
        )
        if (row.guarantor_id, row.number) in wanted
    }


def account_by_number(
    session: Session, account_number: str, facility_code: str | None = None, *, name_facilities: bool = True
) -> tuple[int, str]:
    """(id, facility code) of the account with the billing system's number, at ``facility_code`` if given.

    The number identifies a patient's account, so the errors never echo it back.
    """
    a, f = ACCOUNT_T.c, FACILITY_T.c
    query = select(a.id, f.code).join(FACILITY_T, f.id == a.facility_id)
    query = query.where(a.account_number == account_number)
    if facility_code:
        query = query.where(f.code == facility_code)
    rows = session.execute(query).all()
    if not rows:
        raise NotFoundError("no such account" + (f" at facility {facility_code}" if facility_code else ""))
    if len(rows) > 1:
        # ``name_facilities`` off: naming them would tell a caller who may not see an account there
        # that it exists.
        facilities = f" ({', '.join(sorted(row.code for row in rows))})" if name_facilities else ""
        raise NotFoundError(f"that account number is at several facilities{facilities}; give --facility")
    return int(rows[0].id), str(rows[0].code)
