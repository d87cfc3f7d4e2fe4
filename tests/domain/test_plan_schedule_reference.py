"""collector_tui.domain.plan_schedule against schedules computed independently with numpy-financial.

The literals below were made once, offline, by
``tests/domain/reference/make_plan_references.py`` (run in a throwaway virtual
environment: ``python3 -m venv /tmp/npf && /tmp/npf/bin/pip install numpy-financial``,
then ``/tmp/npf/bin/python tests/domain/reference/make_plan_references.py``). That
script shares no code with collector_tui: it takes the level installment from
``npf.pmt`` and each period's interest from ``npf.ipmt`` on the balance still owed,
and rounds both half-up to the cent with ``decimal``, the convention in docs/plans.md.
All plans are monthly.
"""

from __future__ import annotations

from datetime import date

import pytest

from collector_tui.domain.plan_schedule import PlanTerms, build_schedule

# numpy-financial 1.0.0, made by tests/domain/reference/make_plan_references.py
REFERENCES: dict[str, tuple[int, int, int, list[tuple[int, int, int, int]]]] = {
    "1234.56 in 12 at 0%": (
        123456,
        12,
        0,
        [  # (payment, interest, principal, balance after), in cents
            (10288, 0, 10288, 113168),
            (10288, 0, 10288, 102880),
            (10288, 0, 10288, 92592),
            (10288, 0, 10288, 82304),
            (10288, 0, 10288, 72016),
            (10288, 0, 10288, 61728),
            (10288, 0, 10288, 51440),
            (10288, 0, 10288, 41152),
            (10288, 0, 10288, 30864),
            (10288, 0, 10288, 20576),
            (10288, 0, 10288, 10288),
            (10288, 0, 10288, 0),
        ],
    ),
    "1234.56 in 12 at 6%": (
        123456,
        12,
        600,
        [  # (payment, interest, principal, balance after), in cents
            (10625, 617, 10008, 113448),
            (10625, 567, 10058, 103390),
            (10625, 517, 10108, 93282),
            (10625, 466, 10159, 83123),
            (10625, 416, 10209, 72914),
            (10625, 365, 10260, 62654),
            (10625, 313, 10312, 52342),
            (10625, 262, 10363, 41979),
            (10625, 210, 10415, 31564),
            (10625, 158, 10467, 21097),
            (10625, 105, 10520, 10577),
            (10630, 53, 10577, 0),
        ],
    ),
    "10000.00 in 36 at 0%": (
        1000000,
        36,
        0,
        [  # (payment, interest, principal, balance after), in cents
            (27778, 0, 27778, 972222),
            (27778, 0, 27778, 944444),
            (27778, 0, 27778, 916666),
            (27778, 0, 27778, 888888),
            (27778, 0, 27778, 861110),
            (27778, 0, 27778, 833332),
            (27778, 0, 27778, 805554),
            (27778, 0, 27778, 777776),
            (27778, 0, 27778, 749998),
            (27778, 0, 27778, 722220),
            (27778, 0, 27778, 694442),
            (27778, 0, 27778, 666664),
            (27778, 0, 27778, 638886),
            (27778, 0, 27778, 611108),
            (27778, 0, 27778, 583330),
            (27778, 0, 27778, 555552),
            (27778, 0, 27778, 527774),
            (27778, 0, 27778, 499996),
            (27778, 0, 27778, 472218),
            (27778, 0, 27778, 444440),
            (27778, 0, 27778, 416662),
            (27778, 0, 27778, 388884),
            (27778, 0, 27778, 361106),
            (27778, 0, 27778, 333328),
            (27778, 0, 27778, 305550),
            (27778, 0, 27778, 277772),
            (27778, 0, 27778, 249994),
            (27778, 0, 27778, 222216),
            (27778, 0, 27778, 194438),
            (27778, 0, 27778, 166660),
            (27778, 0, 27778, 138882),
            (27778, 0, 27778, 111104),
            (27778, 0, 27778, 83326),
            (27778, 0, 27778, 55548),
            (27778, 0, 27778, 27770),
            (27770, 0, 27770, 0),
        ],
    ),
    "87.40 in 3 at 0%": (
        8740,
        3,
        0,
        [  # (payment, interest, principal, balance after), in cents
            (2913, 0, 2913, 5827),
            (2913, 0, 2913, 2914),
            (2914, 0, 2914, 0),
        ],
    ),
    "100.00 in 6 at 7%": (
        10000,
        6,
        700,
        [  # (payment, interest, principal, balance after), in cents
            (1701, 58, 1643, 8357),
            (1701, 49, 1652, 6705),
            (1701, 39, 1662, 5043),
            (1701, 29, 1672, 3371),
            (1701, 20, 1681, 1690),
            (1700, 10, 1690, 0),
        ],
    ),
}


@pytest.mark.parametrize("name", sorted(REFERENCES))
def test_schedule_matches_the_numpy_financial_reference(name: str) -> None:
    principal, count, apr_bps, expected = REFERENCES[name]
    schedule = build_schedule(
        PlanTerms(principal, "monthly", date(2027, 1, 31), installments=count, apr_bps=apr_bps)
    )
    got = [
        (r.payment_cents, r.interest_cents, r.principal_cents, r.balance_after_cents) for r in schedule.rows
    ]
    assert got == expected
    assert schedule.total_installments_cents == principal + sum(row[1] for row in expected)


def test_the_issue_example() -> None:
    """$10,000.00 in 36 monthly installments at 0% is 35 x $277.78 and a last one of $277.70."""
    schedule = build_schedule(PlanTerms(1_000_000, "monthly", date(2027, 1, 31), installments=36))
    assert [row.payment_cents for row in schedule.rows] == [27778] * 35 + [27770]
    assert schedule.total_interest_cents == 0
    assert (schedule.first_due, schedule.last_due) == (date(2027, 1, 31), date(2029, 12, 31))


def test_six_percent_totals() -> None:
    schedule = build_schedule(PlanTerms(123456, "monthly", date(2026, 12, 1), installments=12, apr_bps=600))
    assert schedule.installment_cents == 10625
    assert schedule.total_interest_cents == 4049
    assert schedule.total_installments_cents == 123456 + 4049
    assert schedule.total_paid_cents == 127505
