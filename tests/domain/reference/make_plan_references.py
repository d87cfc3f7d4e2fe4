"""Make the reference schedules in tests/domain/test_plan_schedule_reference.py, independently.

Not a test (no ``test_`` prefix): run it by hand in a throwaway virtual
environment with numpy-financial, and paste its output into the test::

    python3 -m venv /tmp/npf && /tmp/npf/bin/pip install numpy-financial
    /tmp/npf/bin/python tests/domain/reference/make_plan_references.py

It shares no code with collector_tui. It follows the rounding convention of
docs/plans.md with numpy-financial doing the finance and ``decimal`` the rounding:

- the level installment is ``npf.pmt`` (periodic rate = annual / 12) rounded
  half-up to the cent;
- each period's interest is ``npf.ipmt`` of the first period on the balance still
  owed (that is, the balance times the periodic rate), rounded half-up to the cent;
- the last installment is what is still owed plus its interest.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

import numpy_financial as npf

CASES = [  # (name, principal in cents, monthly installments, annual rate in percent)
    ("1234.56 in 12 at 0%", 123456, 12, "0"),
    ("1234.56 in 12 at 6%", 123456, 12, "6"),
    ("10000.00 in 36 at 0%", 1000000, 36, "0"),
    ("87.40 in 3 at 0%", 8740, 3, "0"),
    ("100.00 in 6 at 7%", 10000, 6, "7"),
]


def to_cent(value: float) -> int:
    """A float amount of cents rounded half-up, read through its shortest decimal form."""
    return int(Decimal(repr(float(value))).quantize(Decimal(1), rounding=ROUND_HALF_UP))


def schedule(principal: int, count: int, annual_percent: str) -> list[tuple[int, int, int, int]]:
    rate = float(annual_percent) / 100 / 12
    level = to_cent(npf.pmt(rate, count, -principal))
    rows = []
    balance = principal
    for period in range(1, count + 1):
        remaining = count - period + 1
        interest = to_cent(npf.ipmt(rate, 1, remaining, -balance)) if rate else 0
        payment = level if period < count else balance + interest
        balance -= payment - interest
        rows.append((payment, interest, payment - interest, balance))
    return rows


def main() -> None:
    print(f"# numpy-financial {npf.__version__}: made by tests/domain/reference/make_plan_references.py")
    print("REFERENCES = {")
    for name, principal, count, percent in CASES:
        print(f"    {name!r}: (")
        print(f"        {principal}, {count}, {int(Decimal(percent) * 100)},")
        print("        [  # (payment, interest, principal, balance after), in cents")
        for row in schedule(principal, count, percent):
            print(f"            {row},")
        print("        ],")
        print("    ),")
    print("}")


if __name__ == "__main__":
    main()
