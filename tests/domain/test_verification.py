"""Right-party verification, the debt-collector disclosure, languages and the money reconciliation."""

from __future__ import annotations

import pytest

from collector_tui.domain.languages import language_name, needs_interpreter
from collector_tui.domain.reconciliation import ClaimAmounts, reconcile
from collector_tui.domain.verification import (
    MINI_MIRANDA,
    MINI_MIRANDA_CITATION,
    required_disclosure,
    verification_outcome,
)
from collector_tui.vocabulary import Regime, Verification


def test_two_facts_verify_fewer_fail_and_a_refusal_is_a_refusal() -> None:
    assert verification_outcome(["date_of_birth", "address"]) == Verification.VERIFIED
    assert verification_outcome(["ssn_last4"]) == Verification.FAILED
    assert verification_outcome(["ssn_last4", "account_number"], refused=True) == Verification.REFUSED
    with pytest.raises(ValueError, match="not a verification fact"):
        verification_outcome(["mother's maiden name"])


def test_only_a_third_party_collector_reads_the_mini_miranda() -> None:
    assert required_disclosure(Regime.THIRD_PARTY) == MINI_MIRANDA
    assert MINI_MIRANDA.startswith("This is a communication from a debt collector")
    assert MINI_MIRANDA_CITATION == "15 U.S.C. 1692e(11)"
    assert required_disclosure(Regime.FIRST_PARTY) is None


def test_languages() -> None:
    assert language_name("es") == "Spanish" and needs_interpreter("es")
    assert language_name("zh-TW") == "Chinese (zh-TW)" and needs_interpreter("zh-TW")
    assert not needs_interpreter("en") and not needs_interpreter("EN-us") and not needs_interpreter("")
    assert language_name("xx") == "xx"


def test_a_reconciliation_that_adds_up() -> None:
    r = reconcile(
        charges_cents=[100_000, 20_000],
        claims=[ClaimAmounts(120_000, 80_000, 60_000)],
        transactions=[("payment", -5_000), ("adjustment", -1_000)],
        balance_cents=14_000,  # 120,000 - 40,000 contractual - 60,000 insurance - 1,000 - 5,000
    )
    assert r.adds_up and r.unexplained_cents == 0 and r.allowed_cents == 80_000
    assert r.patient_paid_cents == 5_000 and r.insurance_paid_cents == 60_000


def test_a_reconciliation_that_does_not_says_what_is_missing() -> None:
    r = reconcile(charges_cents=[], claims=[], transactions=[], balance_cents=5_000)
    assert not r.adds_up
    assert r.unexplained_cents == 5_000
    assert any("no charge lines" in m for m in r.missing)
    assert any("do not come to the balance" in m for m in r.missing)


def test_a_fact_not_on_file_proves_nothing() -> None:
    from collector_tui.domain.verification import verification_outcome
    from collector_tui.vocabulary import Verification

    both = ["date_of_birth", "ssn_last4"]
    assert verification_outcome(both) is Verification.VERIFIED
    assert verification_outcome(both, on_file=["date_of_birth", "address"]) is Verification.FAILED
    assert verification_outcome(both, on_file=["date_of_birth", "ssn_last4"]) is Verification.VERIFIED
