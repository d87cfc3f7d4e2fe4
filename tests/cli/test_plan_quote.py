"""``collector plan quote``: the schedule and the policy verdict, with no database (Typer's runner)."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from collector_tui.cli.main import app
from collector_tui.services.audit import SYSTEM
from collector_tui.services.law import policy as policy_service
from collector_tui.services.law.office_policy import set_office_policy
from collector_tui.services.law.policy import PLANS, policy_digest, shipped_plan_policy
from tests.conftest import NOW

runner = CliRunner()
AS_OF = ["--as-of", "2026-11-27"]


@pytest.fixture(autouse=True)
def shipped_policies() -> Iterator[None]:
    """A database opened by a test installs its office's policies in this process: undo it after."""
    yield
    policy_service.install_overrides({})


def _office_plans(db_url: str, text: str | None = None) -> None:
    """Make this login the admin of the database at ``db_url``; its office sets ``text`` as its plan
    policy."""
    from collector_tui.services.database import open_database
    from collector_tui.services.team.identity import os_login
    from collector_tui.services.team.users import add_user

    db = open_database(db_url)
    try:
        with db.writing() as session:
            add_user(session, SYSTEM, login=os_login(), display_name="Admin", role="admin", now=NOW)
        if text is not None:
            set_office_policy(db, SYSTEM, PLANS, text, source="office-plans.toml", now=NOW)
    finally:
        db.close()


def _quote(*args: str) -> Any:
    return runner.invoke(app, ["plan", "quote", *AS_OF, *args])


def _json(*args: str) -> dict[str, Any]:
    result = _quote(*args, "--json")
    assert result.exit_code == 0, result.output
    document: dict[str, Any] = json.loads(result.output)
    return document


def test_quote_prints_the_schedule_and_the_verdict() -> None:
    result = _quote("--balance", "10000", "--installments", "36", "--first-due", "2026-12-01")
    assert result.exit_code == 0, result.output
    assert result.output.count("$277.78") == 2 * 35  # the payment and the principal columns
    assert "$277.70" in result.output
    assert "36 monthly installments at 0% a year" in result.output
    assert "First 2026-12-01, last 2029-11-01; total interest $0.00; total paid $10,000.00" in result.output
    assert "Within policy (plan policy 2026.11.1)" in result.output


def test_quote_needs_no_database(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    missing = tmp_path / "nowhere" / "office.db"
    monkeypatch.setenv("COLLECTOR_DB", str(missing))
    result = runner.invoke(
        app, ["--db", str(missing), "plan", "quote", "--balance", "87.40", "--installments", "3"]
    )
    assert result.exit_code == 0, result.output
    assert not missing.parent.exists()


def test_quote_does_not_import_the_ui_or_the_orm() -> None:
    code = (
        "import sys\n"
        "from typer.testing import CliRunner\n"
        "from collector_tui.cli.main import app\n"
        "result = CliRunner().invoke(app, ['plan', 'quote', '--balance', '100', '--installments', '4'])\n"
        "assert result.exit_code == 0, result.output\n"
        "print(','.join(m for m in ('textual', 'sqlmodel', 'sqlalchemy') if m in sys.modules))\n"
    )
    output = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert output.strip() == ""


def test_json_shape() -> None:
    document = _json(
        "--balance", "1234.56", "--installments", "12", "--apr", "6", "--first-due", "2026-12-01"
    )
    assert document["schema"] == "collector.plan_quote/1"
    assert document["as_of"] == "2026-11-27"
    assert document["policy_version"] == "2026.11.1"
    assert document["terms"] == {
        "balance_cents": 123456,
        "down_payment_cents": 0,
        "principal_cents": 123456,
        "frequency": "monthly",
        "apr_bps": 600,
        "installments": 12,
        "installment_cents": None,
        "first_due": "2026-12-01",
        "state": None,
        "bill": "facility",
    }
    schedule = document["schedule"]
    assert schedule["count"] == 12
    assert (schedule["installment_cents"], schedule["last_installment_cents"]) == (10625, 10630)
    assert (schedule["first_due"], schedule["last_due"]) == ("2026-12-01", "2027-11-01")
    assert schedule["total_interest_cents"] == 4049
    assert schedule["total_paid_cents"] == 127505
    assert schedule["rows"][0] == {
        "sequence": 1,
        "due_date": "2026-12-01",
        "payment_cents": 10625,
        "interest_cents": 617,
        "principal_cents": 10008,
        "balance_after_cents": 113448,
    }
    assert schedule["rows"][-1]["balance_after_cents"] == 0
    verdict = document["verdict"]
    assert verdict["within_policy"] is True
    assert verdict["violations"] == []
    assert verdict["limits"] == {
        "max_term_months": 12,
        "max_installments": 12,
        "min_installment_cents": 2500,
        "max_apr_bps": 600,
        "apr_citation": "office policy",
    }
    assert verdict["income_cap"] is None


def test_amount_driven_quote() -> None:
    document = _json("--balance", "1234.56", "--amount", "100.00", "--first-due", "2026-12-01")
    payments = [row["payment_cents"] for row in document["schedule"]["rows"]]
    assert payments == [10000] * 12 + [3456]
    assert document["terms"]["installments"] is None
    assert document["terms"]["installment_cents"] == 10000
    # 13 months is past the 12 allowed for a balance under $2,000.00.
    assert [v["rule"] for v in document["verdict"]["violations"]] == ["term"]


def test_down_payment_and_weekly_frequency() -> None:
    document = _json(
        "--balance", "600", "--down", "100", "--installments", "20", "--frequency", "weekly",
        "--first-due", "2026-12-04",
    )  # fmt: skip
    assert document["terms"]["principal_cents"] == 50000
    assert document["schedule"]["installment_cents"] == 2500
    assert document["schedule"]["total_paid_cents"] == 60000
    assert document["schedule"]["rows"][1]["due_date"] == "2026-12-11"
    assert document["verdict"]["limits"]["min_installment_cents"] == 577


def test_default_first_due_comes_from_the_policy() -> None:
    document = _json("--balance", "300", "--installments", "3")
    assert document["schedule"]["first_due"] == "2026-12-11"  # 14 days after --as-of


def test_a_plan_outside_policy_still_quotes_with_the_reasons() -> None:
    result = _quote(
        "--balance", "400", "--installments", "8", "--apr", "7", "--state", "co", "--first-due", "2027-02-01"
    )
    assert result.exit_code == 0, result.output
    assert "Outside policy" in result.output
    assert "supervisor's approval" in result.output
    for rule in ("term:", "first_payment:", "interest_cap:"):
        assert rule in result.output
    assert "C.R.S. 5-12-101" in result.output


def test_colorado_income_cap_and_forgiveness() -> None:
    args = ["--balance", "10000", "--amount", "120", "--state", "CO", "--income", "3000"]
    result = _quote(*args, "--first-due", "2026-12-01")
    assert result.exit_code == 0, result.output
    assert "Income cap (CO): $120.00 a month (4% of monthly household income $3,000.00" in result.output
    assert "Forgiven after 36 installments: $5,680.00" in result.output
    assert "Within policy" in result.output
    cap = _json(*args, "--first-due", "2026-12-01")["verdict"]["income_cap"]
    assert cap["monthly_cap_cents"] == 12000
    assert cap["forgivable_cents"] == 568000
    assert cap["forgive_after_installments"] == 36

    professional = _json(*args, "--bill", "professional", "--first-due", "2026-12-01")
    assert [v["rule"] for v in professional["verdict"]["violations"]] == ["income_cap"]
    assert professional["verdict"]["income_cap"]["monthly_cap_cents"] == 6000

    combined = _json(*args, "--other-plans", "60.01", "--first-due", "2026-12-01")
    assert [v["rule"] for v in combined["verdict"]["violations"]] == ["income_cap_combined"]


def test_maryland_income_cap_shows_the_weekly_figure() -> None:
    result = _quote(
        "--balance", "2000", "--amount", "40", "--frequency", "weekly", "--state", "MD", "--income", "3000",
        "--first-due", "2026-12-04",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "Income cap (MD): $150.00 a month, $34.61 weekly (5% of gross monthly wages" in result.output
    assert "income_cap:" in result.output


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (["--balance", "100"], "exactly one of --installments or --amount"),
        (["--balance", "100", "--installments", "2", "--amount", "50"], "exactly one of"),
        (["--balance", "12.345", "--installments", "2"], "--balance '12.345': more than two decimal places"),
        (["--balance", "lots", "--installments", "2"], "--balance 'lots': not a number"),
        (["--balance", "-5", "--installments", "2"], "--balance cannot be negative"),
        (["--balance", "100", "--amount", "x"], "--amount 'x'"),
        (["--balance", "100", "--installments", "2", "--apr", "six"], "not a percentage"),
        (["--balance", "100", "--installments", "2", "--apr", "6.125"], "at most two decimals"),
        (["--balance", "100", "--installments", "2", "--apr", "101"], "between 0 and 100"),
        (["--balance", "100", "--installments", "2", "--first-due", "12/01/2026"], "use YYYY-MM-DD"),
        (["--balance", "100", "--installments", "2", "--state", "Colorado"], "two-letter code"),
        (["--balance", "100", "--installments", "2", "--down", "100"], "pays the whole balance"),
        (["--balance", "0.15", "--installments", "10"], "too many for this balance"),
        (["--balance", "100", "--amount", "1", "--apr", "100"], "does not cover the interest"),
        (["--balance", "100", "--installments", "2", "--income", "-1"], "--income cannot be negative"),
    ],
)
def test_friendly_errors_exit_1(args: list[str], words: str) -> None:
    result = _quote(*args)
    assert result.exit_code == 1
    assert words in result.output
    assert "Traceback" not in result.output


def test_an_unknown_frequency_is_a_usage_error() -> None:
    result = _quote("--balance", "100", "--installments", "2", "--frequency", "daily")
    assert result.exit_code == 1  # usage (Click's own 2 is the import's "malformed file")
    assert "daily" in result.output


def test_the_offices_plan_policy_from_its_database(db_url: str) -> None:
    """With a database there, the quote is judged as the workstation will judge the plan."""
    _office_plans(db_url, "version = 'office-7'\n[interest]\nallowed = false\n")
    terms = ["--balance", "300", "--installments", "3", "--apr", "2", "--json"]
    result = runner.invoke(app, ["--db", db_url, "plan", "quote", *AS_OF, *terms])
    assert result.exit_code == 0, result.output
    document = json.loads(result.output)
    assert document["policy_version"] == "office-7"
    assert document["policy_digest"] != policy_digest(shipped_plan_policy())
    assert [v["rule"] for v in document["verdict"]["violations"]] == ["interest"]


def test_the_database_named_in_the_config_file_gives_its_office_policy(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, db_url: str
) -> None:
    """The quote finds the database as every command does."""
    _office_plans(db_url, "[plan]\nmax_days_to_first_payment = 10\ndefault_days_to_first_payment = 7\n")
    config = tmp_path / "config.toml"
    database = db_url.removeprefix("sqlite:///")
    config.write_text(f'[database]\npath = "{database}"\n', encoding="utf-8")
    monkeypatch.setenv("COLLECTOR_CONFIG", str(config))
    document = _json("--balance", "300", "--installments", "3")
    assert document["schedule"]["first_due"] == "2026-12-04"  # the office's 7 days after --as-of
    assert document["verdict"]["within_policy"] is True


def test_a_broken_override_is_one_line_naming_the_file(tmp_path: Path, db_url: str) -> None:
    override = tmp_path / "office-plans.toml"
    override.write_text("[interest]\nmax_apr_bps = -3\n", encoding="utf-8")
    _office_plans(db_url)
    result = runner.invoke(app, ["--db", db_url, "policy", "set", "plans", str(override)])
    assert result.exit_code == 1
    assert str(override) in result.output
    assert "interest.max_apr_bps must be a whole number" in result.output


def test_a_missing_override_file(tmp_path: Path, db_url: str) -> None:
    result = runner.invoke(app, ["--db", db_url, "policy", "set", "plans", str(tmp_path / "missing.toml")])
    assert result.exit_code == 1
    assert "the plans policy cannot be read" in result.output


def test_help_lists_plan_quote() -> None:
    result = runner.invoke(app, ["plan", "--help"])
    assert result.exit_code == 0
    assert "quote" in result.output
