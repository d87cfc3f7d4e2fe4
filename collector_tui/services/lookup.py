"""Finding accounts, phones and collectors by the keys outside systems use."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy import select, tuple_
from sqlmodel import Session

from db.models import Account, Collector, Facility, Phone, table_of

ACCOUNT_T = table_of(Account)
FACILITY_T = table_of(Facility)
COLLECTOR_T = table_of(Collector)
PHONE_T = table_of(Phone)
CHUNK = 500


def accounts_by_key(
    session: Session, keys: Iterable[tuple[str, str]]
) -> dict[tuple[str, str], dict[str, Any]]:
    """``(facility_code, account_number)`` -> the account's id, guarantor and balances."""
    wanted = sorted(set(keys))
    a, f = ACCOUNT_T.c, FACILITY_T.c
    found: dict[tuple[str, str], dict[str, Any]] = {}
    for start in range(0, len(wanted), CHUNK):
        part = wanted[start : start + CHUNK]
        rows = session.execute(
            select(
                f.code,
                a.account_number,
                a.id,
                a.guarantor_id,
                a.status,
                a.version,
                a.total_balance_cents,
                a.insurance_pending_cents,
                a.patient_responsibility_cents,
                a.last_contact_at,
            )
            .join(FACILITY_T, f.id == a.facility_id)
            .where(tuple_(f.code, a.account_number).in_(part))
        ).mappings()
        for row in rows:
            found[(row["code"], row["account_number"])] = dict(row)
    return found


def collector_ids_by_login(session: Session, logins: Iterable[str]) -> dict[str, int]:
    names = sorted({login for login in logins if login})
    if not names:
        return {}
    c = COLLECTOR_T.c
    return dict(session.execute(select(c.login, c.id).where(c.login.in_(names))).all())


def phone_ids(session: Session, pairs: Iterable[tuple[int, str]]) -> dict[tuple[int, str], int]:
    """``(guarantor_id, E.164 number)`` -> phone id, for the numbers on file."""
    wanted = sorted(set(pairs))
    c = PHONE_T.c
    found: dict[tuple[int, str], int] = {}
    for start in range(0, len(wanted), CHUNK):
        part = wanted[start : start + CHUNK]
        for row in session.execute(
            select(c.id, c.guarantor_id, c.number).where(tuple_(c.guarantor_id, c.number).in_(part))
        ):
            found[(row.guarantor_id, row.number)] = row.id
    return found
