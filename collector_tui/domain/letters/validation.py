"""The Reg F validation notice's content (12 CFR 1006.34), following Model Form B-1.

The facts are checked before anything is rendered: every name and address the rule requires is
there (1006.34(c)(2)(i), (ii), (v)), the itemization adds up (1006.34(c)(2)(vi)-(ix): the amount
on the itemization date, plus interest and fees, less payments and credits, is the amount now;
a notice whose own arithmetic is wrong misstates the debt), and the validation period's end date
is computed, never typed (1006.34(b)(5): 30 days after the consumer receives the notice, taken as
5 business days after it is sent, as ``validation_period_end`` reckons it).

The itemization date is given, not chosen here: it is one of the five reference dates of
1006.34(b)(3) (last statement, charge-off, last payment, transaction, judgment), and the collector
must use the same one for the debt every time (comment 34(b)(3)-1), so it is a fact of the account.
Payments and credits are one amount, as Model Form B-1 prints them ("You paid or were credited").
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from collector_tui.domain.compliance.engine import validation_period_end
from collector_tui.domain.compliance.policy import CompliancePolicy
from collector_tui.domain.letters.common import (
    LetterError,
    check_language,
    lines_json,
    long_date,
    money,
    require_lines,
    require_text,
)

KIND = "validation_notice"


@dataclass(frozen=True, slots=True)
class CollectorIdentity:
    """Who sends the notice and where disputes go (1006.34(c)(2)(i): the mailing address at which
    the collector accepts disputes and requests for the original creditor)."""

    name: str
    mailing_address: tuple[str, ...]
    phone: str
    hours: str
    website: str | None = None


@dataclass(frozen=True, slots=True)
class Itemization:
    """The itemization of 1006.34(c)(2)(vi)-(ix), in integer cents, every amount zero or more."""

    itemization_date: date
    amount_on_itemization_date_cents: int
    interest_cents: int
    fees_cents: int
    payments_and_credits_cents: int
    current_amount_cents: int

    def __post_init__(self) -> None:
        amounts = (
            self.amount_on_itemization_date_cents,
            self.interest_cents,
            self.fees_cents,
            self.payments_and_credits_cents,
            self.current_amount_cents,
        )
        if any(amount < 0 for amount in amounts):
            raise LetterError("an itemization amount is negative")
        expected = (
            self.amount_on_itemization_date_cents
            + self.interest_cents
            + self.fees_cents
            - self.payments_and_credits_cents
        )
        if expected != self.current_amount_cents:
            raise LetterError(
                "the itemization does not add up: the amount on the itemization date, plus interest "
                "and fees, less payments and credits, is not the current amount (12 CFR "
                "1006.34(c)(2)(vii)-(ix))"
            )


@dataclass(frozen=True, slots=True)
class ValidationNoticeFacts:
    """Everything one validation notice says."""

    collector: CollectorIdentity
    consumer_name: str
    consumer_address: tuple[str, ...]
    creditor_name: str  # the facility: the creditor on the itemization date and now
    account_number: str
    itemization: Itemization
    notice_date: date  # the day it is sent
    language: str = "en"

    def __post_init__(self) -> None:
        check_language(self.language)
        if self.itemization.itemization_date > self.notice_date:
            raise LetterError("the itemization date is after the notice date")


def validation_inputs(facts: ValidationNoticeFacts, policy: CompliancePolicy) -> dict[str, str]:
    """The template's inputs: every value a string, dates written out in the notice's language,
    amounts as ``$1,234.56``; the validation period's end date from ``policy``."""
    language = check_language(facts.language)
    collector = facts.collector
    item = facts.itemization
    end = validation_period_end(facts.notice_date, policy)
    return {
        "language": language,
        "collector_name": require_text(collector.name, "the collector's name"),
        "collector_address": lines_json(require_lines(collector.mailing_address, "the collector's address")),
        "collector_phone": require_text(collector.phone, "the collector's phone"),
        "collector_hours": require_text(collector.hours, "the collector's hours"),
        "collector_website": (collector.website or "").strip(),
        "consumer_name": require_text(facts.consumer_name, "the consumer's name"),
        "consumer_address": lines_json(require_lines(facts.consumer_address, "the consumer's address")),
        "creditor_name": require_text(facts.creditor_name, "the creditor's name"),
        "account_number": require_text(facts.account_number, "the account number"),
        "notice_date": long_date(facts.notice_date, language),
        "itemization_date": long_date(item.itemization_date, language),
        "amount_on_itemization_date": money(item.amount_on_itemization_date_cents),
        "interest": money(item.interest_cents),
        "fees": money(item.fees_cents),
        "payments_and_credits": money(item.payments_and_credits_cents),
        "current_amount": money(item.current_amount_cents),
        "validation_end_date": long_date(end, language),
    }


def validation_end(facts: ValidationNoticeFacts, policy: CompliancePolicy) -> date:
    """The validation period's last day for this notice (what the engine will read once it is sent)."""
    return validation_period_end(facts.notice_date, policy)


__all__ = [
    "KIND",
    "CollectorIdentity",
    "Itemization",
    "ValidationNoticeFacts",
    "validation_end",
    "validation_inputs",
]
