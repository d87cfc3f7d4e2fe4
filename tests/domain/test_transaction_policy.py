"""``[transactions]`` in the workspace policy: how far an imported payment may exceed the balance."""

from __future__ import annotations

import pytest

from collector_tui.domain.compliance.policy import PolicyError
from collector_tui.domain.workspace_policy import parse_workspace_policy
from collector_tui.services.law.policy import shipped_policy_text
from collector_tui.vocabulary import HoldReason

SHIPPED = shipped_policy_text("workspace.toml")


def test_the_shipped_margin_is_five_dollars() -> None:
    policy = parse_workspace_policy(SHIPPED, hold_reasons=HoldReason.codes())
    assert policy.transactions.overpayment_margin_cents == 500


def test_an_office_may_change_the_margin() -> None:
    override = "[transactions]\noverpayment_margin_cents = 0"
    policy = parse_workspace_policy(SHIPPED, override, hold_reasons=HoldReason.codes())
    assert policy.transactions.overpayment_margin_cents == 0


@pytest.mark.parametrize("value", ["-1", '"500"', "5.5", "true"])
def test_a_margin_that_is_not_whole_cents_is_refused(value: str) -> None:
    override = f"[transactions]\noverpayment_margin_cents = {value}"
    with pytest.raises(PolicyError, match=r"transactions\.overpayment_margin_cents"):
        parse_workspace_policy(SHIPPED, override, hold_reasons=HoldReason.codes())
