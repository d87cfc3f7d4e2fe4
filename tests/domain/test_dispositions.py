"""Disposition codes as policy data: the shipped table and what the parser refuses."""

from __future__ import annotations

import tomllib

import pytest

from collector_tui.domain.compliance.policy import PolicyError
from collector_tui.domain.dispositions import parse_dispositions
from collector_tui.services.law.policy import load_workspace_policy, shipped_policy_text
from collector_tui.vocabulary import HoldReason, PhoneStatus

POLICY = load_workspace_policy()


def test_every_code_is_uppercase_and_keyed_by_itself() -> None:
    assert POLICY.dispositions
    for key, entry in POLICY.dispositions.items():
        assert key == entry.code == entry.code.upper().strip()
        assert entry.label


@pytest.mark.parametrize("code", sorted(POLICY.dispositions))
def test_lookup_is_case_insensitive(code: str) -> None:
    expected = POLICY.dispositions[code]
    assert POLICY.disposition(code) is expected
    assert POLICY.disposition(code.lower()) is expected
    assert POLICY.disposition(f" {code.swapcase()} ") is expected


@pytest.mark.parametrize("code", ["", "XYZ", "RPC-PTP", "no answer"])
def test_unknown_code(code: str) -> None:
    assert POLICY.disposition(code) is None


def test_the_issue_s_starting_set_is_there() -> None:
    expected = {
        "NA", "BUSY", "DISC", "LMVM", "WRONG", "3RD", "RPC_PTP", "RPC_PLAN", "RPC_PIF", "RPC_REFUSE",
        "RPC_HARD", "RPC_CB", "DISPUTE", "CEASE", "ATTY", "BK", "DECEASED", "FAP_REQ", "ITEMIZED",
        "NEW_INS", "INBOUND",
    }  # fmt: skip
    assert expected <= set(POLICY.dispositions)


def test_flags_and_next_steps() -> None:
    d = POLICY.dispositions
    assert d["NA"].attempt and not d["NA"].conversation and d["NA"].worked
    assert not d["BUSY"].attempt and not d["DISC"].attempt  # calls that never connect do not count
    assert d["RPC_PTP"].right_party and d["RPC_PTP"].next_step == "promise"
    assert d["DISPUTE"].hold_reason == HoldReason.DISPUTE
    assert d["FAP_REQ"].hold_reason == HoldReason.FINANCIAL_ASSISTANCE
    assert d["WRONG"].phone_status == PhoneStatus.WRONG
    assert d["DISC"].phone_status == PhoneStatus.DISCONNECTED
    assert d["LMVM"].channel == "voicemail" and d["LMVM"].is_placed_call
    assert not d["INBOUND"].attempt and d["INBOUND"].conversation and not d["INBOUND"].is_placed_call
    assert not d["NOTE"].worked and d["NOTE"].channel == "note"
    for entry in d.values():
        assert entry.hold_reason is None or entry.hold_reason in HoldReason.codes()


def _parse(extra: str) -> object:
    data = tomllib.loads(extra)
    return parse_dispositions(data, HoldReason.codes())


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("[dispositions.X]\nlabel = 'x'\ncolour = 'red'", "unknown key"),
        ("[dispositions.X]\nattempt = true", "label is required"),
        ("[dispositions.X]\nlabel = 'x'\nattempt = 'yes'", "true or false"),
        ("[dispositions.X]\nlabel = 'x'\nchannel = 'fax'", "channel"),
        ("[dispositions.X]\nlabel = 'x'\nnext_step = 'hold:vacation'", "next_step"),
        ("[dispositions.X]\nlabel = 'x'\nnext_step = 'phone:lost'", "next_step"),
        ("title = 'no table'", "missing"),
    ],
)
def test_bad_tables_are_refused_with_the_key_named(text: str, message: str) -> None:
    with pytest.raises(PolicyError, match=message):
        _parse(text)


def test_an_office_override_adds_and_changes_codes(tmp_path: object) -> None:
    from pathlib import Path

    override = Path(str(tmp_path)) / "office.toml"
    override.write_text(
        "[dispositions.NA]\nlabel = 'no answer'\nworked = false\n"
        "[dispositions.SPANISH]\nlabel = 'needs a Spanish speaker'\nnext_step = 'callback'\n"
    )
    policy = load_workspace_policy(override)
    assert not policy.dispositions["NA"].worked
    assert policy.dispositions["SPANISH"].next_step == "callback"
    assert "RPC_PTP" in policy.dispositions  # the rest of the shipped table stays
    assert shipped_policy_text("workspace.toml")
