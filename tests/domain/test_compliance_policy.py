"""The compliance policy is data: versioned, cited, dated, and overridable by the office."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path

import pytest

from collector_tui.config import ConfigError
from collector_tui.domain.compliance.engine import (
    CALL_STATE_REVISION,
    call_state_day,
    call_state_fingerprint,
    call_state_outdated,
)
from collector_tui.domain.compliance.policy import RULE_IDS, PolicyError, parse_policy
from collector_tui.services.law.policy import (
    current_policy,
    install_overrides,
    load_compliance_policy,
    shipped_policy_text,
)


def test_the_shipped_policy_cites_and_dates_every_rule() -> None:
    policy = parse_policy(shipped_policy_text())
    assert policy.version
    assert set(policy.rules) == set(RULE_IDS)
    for rule in policy.rules.values():
        assert rule.citation and rule.title
        assert rule.effective <= date(2026, 11, 27)
    assert policy.window_start == time(8) and policy.window_end == time(21)
    assert [limit.communications for limit in policy.contact_limits["MA"]] == [2, 2]
    assert {limit.numbers for limit in policy.contact_limits["MA"]} == {"personal", "work"}
    assert {"CA", "CO", "CT", "MD", "MN", "NJ", "NY", "RI", "WA"} <= set(policy.credit_reporting_bans)
    assert policy.statute_years["TX"] == 4


def test_an_override_changes_only_what_it_names() -> None:
    policy = parse_policy(
        shipped_policy_text(),
        'version = "office-7"\n[rules.window]\nstart = "09:00"\n[state_frequency.NY]\n'
        'attempts = 3\ndays = 7\ncitation = "office policy"\neffective = 2020-01-01\n',
    )
    assert policy.version == "office-7"
    assert policy.window_start == time(9) and policy.window_end == time(21)
    assert policy.rule("window").citation == "12 CFR 1006.6(b)(1)(i)"
    assert policy.state_frequency["NY"].attempts == 3
    # The simple form is one more state contact limit: calls and voicemails to any number.
    [ny] = policy.contact_limits["NY"]
    assert (ny.communications, ny.days, ny.numbers) == (3, 7, "any")
    assert len(policy.contact_limits["MA"]) == 2  # the shipped limits are still there


@pytest.mark.parametrize(
    ("override", "message"),
    [
        ('[rules.window]\nstart = "22:00"', "rules.window.start must be before"),
        ('[rules.frequency]\ncitation = ""', "rules.frequency.citation is required"),
        ("[rules.frequency]\nattempts = -1", "rules.frequency.attempts"),
        ('[rules.window]\neffective = "soon"', "rules.window.effective must be a date"),
        ('[rules.made_up]\ncitation = "x"\neffective = 2020-01-01', "unknown rule(s): made_up"),
        ('[statute_of_limitations]\nTX = "four"', "statute_of_limitations.TX"),
        (
            "[state_frequency.NY]\nattempts = 0\ndays = 7\ncitation = 'x'\neffective = 2020-01-01",
            "state_frequency.NY",
        ),
        ('[regimes.first_party]\nskip_rules = ["nap"]', "skip_rules"),
        ("[rules.window", "not valid TOML"),
    ],
)
def test_a_bad_override_is_refused_naming_the_key(override: str, message: str) -> None:
    with pytest.raises(PolicyError, match=message.replace("(", r"\(").replace(")", r"\)")):
        parse_policy(shipped_policy_text(), override)


def test_an_override_file_is_merged_and_the_environment_or_config_file_is_not_read(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The office's policy lives in its database (``collector policy set``); a user's environment or
    config file naming a looser one changes nothing."""
    office = tmp_path / "office-compliance.toml"
    office.write_text('[rules.window]\nend = "20:00"\n', encoding="utf-8")
    assert load_compliance_policy(office).window_end == time(20)
    config = tmp_path / "config.toml"
    config.write_text('[compliance]\npolicy = "office-compliance.toml"\n', encoding="utf-8")
    monkeypatch.setenv("COLLECTOR_CONFIG", str(config))
    monkeypatch.setenv("COLLECTOR_COMPLIANCE_POLICY", str(office))
    assert load_compliance_policy().window_end == time(21)
    install_overrides({})  # as opening a database without an office override does
    assert current_policy().window_end == time(21)


def test_a_broken_override_file_names_the_file(tmp_path: Path) -> None:
    office = tmp_path / "office-compliance.toml"
    office.write_text('[rules.window]\nstart = "23:00"\n', encoding="utf-8")
    with pytest.raises(ConfigError, match=r"office-compliance\.toml: rules\.window\.start"):
        load_compliance_policy(office)
    with pytest.raises(ConfigError, match="cannot be read"):
        load_compliance_policy(tmp_path / "missing.toml")


def test_an_office_override_installed_from_a_database_that_no_longer_parses_is_one_line() -> None:
    install_overrides({"compliance": '[rules.window]\nstart = "23:00"\n'})
    try:
        with pytest.raises(ConfigError, match=r"stored in this database: rules\.window\.start.*policy clear"):
            current_policy()
    finally:
        install_overrides({})
    assert current_policy().window_start == time(8)


# -- when the stored call state is stale ----------------------------------------------------------

SHIPPED = parse_policy(shipped_policy_text())
NY_FROM_2027 = (
    "[state_frequency.NY]\nattempts = 3\ndays = 7\ncitation = 'a new state law'\neffective = 2027-01-01\n"
)


def test_the_digest_follows_the_content_not_the_process() -> None:
    again = parse_policy(shipped_policy_text())
    assert again.digest() == SHIPPED.digest()
    assert parse_policy(shipped_policy_text(), NY_FROM_2027).digest() != SHIPPED.digest()
    # Sets print in a different order under another hash seed; the digest must not change.
    code = (
        "from collector_tui.domain.compliance.policy import parse_policy\n"
        "from collector_tui.services.law.policy import shipped_policy_text\n"
        "print(parse_policy(shipped_policy_text(), '[regimes.first_party]\\n"
        'skip_rules = ["frequency", "window", "work"]\').digest())'
    )
    digests = {
        subprocess.run(
            [sys.executable, "-c", code],
            env={**os.environ, "PYTHONHASHSEED": seed},
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        for seed in ("1", "2", "3")
    }
    assert len(digests) == 1


def test_the_call_state_is_due_when_never_worked_out_the_policy_or_the_engine_changed() -> None:
    now, today = datetime(2026, 11, 27, 15, tzinfo=UTC), date(2026, 11, 27)
    current = call_state_fingerprint(SHIPPED)
    assert call_state_outdated(SHIPPED, None, None, now) == "it has never been recomputed for every account"
    older_policy = f"{CALL_STATE_REVISION}:{parse_policy(shipped_policy_text(), NY_FROM_2027).digest()}"
    assert call_state_outdated(SHIPPED, older_policy, today, now) == "the compliance policy changed"
    older_engine = f"{CALL_STATE_REVISION - 1}:{SHIPPED.digest()}"
    assert call_state_outdated(SHIPPED, older_engine, today, now) == (
        "this version decides who may be called differently"
    )
    assert call_state_outdated(SHIPPED, current, date(2026, 1, 1), now) is None


def test_a_rule_is_due_from_its_first_day_anywhere_until_worked_out_after_it_began_everywhere() -> None:
    policy = parse_policy(shipped_policy_text(), NY_FROM_2027)  # effective 2027-01-01
    fingerprint = call_state_fingerprint(policy)
    # 13:00 UTC on Dec 31 is already Jan 1 in Guam: the rule is in force for someone.
    assert (
        call_state_outdated(policy, fingerprint, date(2026, 12, 30), datetime(2026, 12, 31, 12, tzinfo=UTC))
        is None
    )
    assert call_state_outdated(
        policy, fingerprint, date(2026, 12, 30), datetime(2026, 12, 31, 15, tzinfo=UTC)
    ) == ("a compliance rule took effect")
    # A run at 02:00 UTC on Jan 1 is still Dec 31 in American Samoa: it records Dec 31, so the
    # next night is due again; a run once Jan 1 has begun everywhere records Jan 1 and settles it.
    night = datetime(2027, 1, 1, 2, tzinfo=UTC)
    assert call_state_day(night) == date(2026, 12, 31)
    assert call_state_outdated(policy, fingerprint, call_state_day(night), night + timedelta(days=1)) == (
        "a compliance rule took effect"
    )
    settled = call_state_day(night + timedelta(days=1))
    assert settled == date(2027, 1, 1)
    assert call_state_outdated(policy, fingerprint, settled, night + timedelta(days=60)) is None
