"""The payment-plan agreement in plain language: what is owed, the schedule, what a missed payment means.

Pure text from the schedule and its terms, for mailing or handing over; the
rounding convention is stated, so the consumer can check every figure.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from collector_tui.domain.money import format_cents
from collector_tui.domain.plan_schedule import Schedule

FREQUENCY_WORDS = {
    "weekly": "every week",
    "biweekly": "every two weeks",
    "semimonthly": "on the 1st and the 15th of each month",
    "monthly": "every month",
}


@dataclass(frozen=True, slots=True)
class AgreementParties:
    guarantor_name: str
    account_number: str
    facility_name: str
    prepared_on: date
    grace_days: int
    forgivable_cents: int = 0  # owed when a state's income rule forgives the rest


def agreement_text(parties: AgreementParties, schedule: Schedule) -> str:
    terms = schedule.terms
    lines = [
        "PAYMENT PLAN AGREEMENT",
        "",
        f"Account {parties.account_number} at {parties.facility_name}",
        f"Responsible party: {parties.guarantor_name}",
        f"Prepared on {parties.prepared_on:%B %d, %Y}",
        "",
        "WHAT IS OWED",
        f"  Balance: {format_cents(terms.balance_cents)}",
    ]
    if terms.down_payment_cents:
        lines.append(f"  Down payment: {format_cents(terms.down_payment_cents)}")
    lines.append(f"  Paid through this plan: {format_cents(terms.principal_cents)}")
    if terms.apr_bps:
        interest = format_cents(schedule.total_interest_cents)
        lines.append(f"  Interest: {terms.apr_bps / 100:.2f}% a year, {interest} in all")
    else:
        lines.append("  Interest: none")
    lines += [
        f"  Total of the payments below: {format_cents(schedule.total_installments_cents)}",
        "",
        "THE SCHEDULE",
        f"  {schedule.count} payments {FREQUENCY_WORDS.get(terms.frequency, terms.frequency)}, "
        f"from {schedule.first_due:%B %d, %Y} to {schedule.last_due:%B %d, %Y}.",
        "",
        "   No.  Due date        Payment",
    ]
    for row in schedule.rows:
        lines.append(f"  {row.sequence:>4}  {row.due_date:%Y-%m-%d}  {format_cents(row.payment_cents):>12}")
    lines += [
        "",
        "  Each payment is the same amount rounded to the cent; the last payment is adjusted",
        "  so that the payments add up exactly to what is owed.",
    ]
    if parties.forgivable_cents:
        lines += [
            "",
            f"  Under your state's rules, {format_cents(parties.forgivable_cents)} still owed after the",
            "  scheduled payments is forgiven once they are all made.",
        ]
    lines += [
        "",
        "IF A PAYMENT IS MISSED",
        f"  A payment counts as made if it arrives within {parties.grace_days} days of its due date.",
        "  If payments are missed, the plan may end and the remaining balance becomes due; we will",
        "  contact you first. A returned payment counts as a missed payment.",
        "",
        "  You may pay more or pay early at any time; extra payments go to the next payments due.",
        "  Questions or a change in your circumstances: call us, and ask about financial assistance.",
    ]
    return "\n".join(lines) + "\n"
