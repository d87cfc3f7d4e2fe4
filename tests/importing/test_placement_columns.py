"""`collector import placements` with the columns the compliance rules read and the facility columns:
each is stored, a bad value rejects its row naming the column (nothing of the row is written), rows
that disagree about their facility are rejected across batches, and an unchanged file changes nothing."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from tests.importing.helpers import cli_import, json_summary, placements, query, read_rejects, write_rows
from tests.services.builders import placement_row

# The CLI reads the real clock: a day that is in the future whenever the tests run.
FUTURE = (datetime.now(UTC) + timedelta(days=3)).date().isoformat()

FACTS = {
    "delinquency_date": "2026-09-01",
    "itemization_date": "2026-08-01",
    "itemization_amount": "1,610.00",
    "itemization_interest": "0.00",
    "itemization_fees": "25.00",
    "itemization_credits": "75.00",
    "validation_notice_date": "2026-11-21",
    "eca_notice_date": "2026-10-15",
    "fap_application_date": "2026-09-20",
    "phone1_consent": "yes",
    "phone1_consent_date": "2026-03-01",
    "phone1_text_opt_out": "2026-11-02",
    "phone2_revoked_at": "2026-11-20T14:05:00-05:00",
    "no_calls_at_work": "yes",
    "inconvenient_times": "mon-fri 12:00-13:00",
    "email_opt_out": "2026-10-02",
}


def _accounts(db_url: str) -> list[str]:
    return [str(n) for (n,) in query(db_url, "SELECT account_number FROM account ORDER BY 1")]


def test_every_new_column_is_stored(db_url: str, tmp_path: Path) -> None:
    path = write_rows(tmp_path / "placements.csv", [placement_row(**FACTS)])
    result = cli_import(db_url, "placements", path, "--json")
    assert result.exit_code == 0, result.output
    assert query(
        db_url,
        "SELECT delinquency_date, itemization_date, itemization_amount_cents, itemization_interest_cents, "
        "itemization_fees_cents, itemization_credits_cents, validation_notice_date, eca_notice_date, "
        "fap_application_date FROM account",
    ) == [("2026-09-01", "2026-08-01", 161000, 0, 2500, 7500, "2026-11-21", "2026-10-15", "2026-09-20")]
    [(work, times, opt_out)] = query(
        db_url, "SELECT no_calls_at_work, inconvenient_times, email_opt_out_at FROM guarantor"
    )
    assert (work, times) == (1, "mon-fri 12:00-13:00") and str(opt_out).startswith("2026-10-02")
    phones = {
        number: (consent, consent_at, revoked, opt, dialable)
        for number, consent, consent_at, revoked, opt, dialable in query(
            db_url,
            "SELECT number, consent_to_call_mobile, consent_at, consent_revoked_at, text_opt_out_at, "
            "dialable FROM phone",
        )
    }
    consent, consent_at, revoked, opt, dialable = phones["+16145550142"]
    assert consent == 1 and str(consent_at).startswith("2026-03-01") and str(opt).startswith("2026-11-02")
    assert revoked is None and dialable == 1
    assert str(phones["+12085550100"][2]).startswith("2026-11-20 19:05") and phones["+12085550100"][4] == 0


@pytest.mark.parametrize(
    ("column", "value", "extra"),
    [
        ("delinquency_date", "2026-13-01", {}),
        ("delinquency_date", FUTURE, {}),
        ("itemization_date", "yesterday", {}),
        ("itemization_fees", "12.00", {}),  # an amount without the itemization date
        ("itemization_amount", "lots", {"itemization_date": "2026-08-01"}),
        ("validation_notice_date", FUTURE, {}),
        ("eca_notice_date", "11/15/2026", {}),
        ("fap_application_date", FUTURE, {}),
        ("phone1_consent", "maybe", {}),
        ("phone1_consent_date", "2026-02-30", {"phone1_consent": "yes"}),
        ("phone1_revoked_at", "2026-02-01", {"phone1_consent": "yes", "phone1_consent_date": "2026-03-01"}),
        ("phone2_revoked_at", f"{FUTURE}T09:00:00Z", {}),
        ("phone2_text_opt_out", FUTURE, {}),
        ("phone3_consent", "yes", {}),  # no phone3
        ("no_calls_at_work", "sometimes", {}),
        ("inconvenient_times", "after dinner", {}),
        ("email_opt_out", "2026-11-31", {}),
        ("facility_regime", "agency", {}),
        ("facility_nonprofit", "perhaps", {}),
        ("facility_state", "ZZ", {}),
        ("facility_fap_policy_url", "file:///etc/passwd", {}),
    ],
)
def test_a_bad_value_rejects_its_row_naming_the_column_and_writes_nothing_of_it(
    db_url: str, tmp_path: Path, column: str, value: str, extra: dict[str, str]
) -> None:
    rows = placements(3)
    rows[1] = rows[1] | extra | {column: value}
    path = write_rows(tmp_path / "placements.csv", rows)
    result = cli_import(db_url, "placements", path, "--json")
    assert result.exit_code == 3, result.output
    summary = json_summary(result)
    assert (summary["inserted"], summary["rejected"]) == (2, 1)
    [reject] = read_rejects(tmp_path / "placements.csv.rejects.csv")
    assert (reject["line"], reject["field"]) == ("3", column)
    assert value not in reject["reason"]
    assert _accounts(db_url) == ["A-0001", "A-0003"]
    assert query(db_url, "SELECT count(*) FROM guarantor WHERE external_id = 'G-A-0002'") == [(0,)]
    assert query(db_url, "SELECT regime, nonprofit, state, fap_policy_url FROM facility") == [
        ("third_party", 0, None, None)
    ]


def _disagreeing_file(tmp_path: Path) -> Path:
    rows = placements(4)
    rows[0] |= {"facility_regime": "first_party", "facility_nonprofit": "yes"}
    rows[2] |= {"facility_regime": "third_party"}  # line 4 disagrees with line 2
    rows[3] |= {"facility_nonprofit": "yes", "facility_state": "OH"}  # agrees, and adds the state
    return write_rows(tmp_path / "placements.csv", rows)


def test_a_row_that_disagrees_about_its_facility_with_an_earlier_row_is_rejected(
    db_url: str, tmp_path: Path
) -> None:
    path = _disagreeing_file(tmp_path)
    result = cli_import(db_url, "placements", path, "--json", "--batch-size", "1")
    assert result.exit_code == 3, result.output
    assert json_summary(result)["rejected"] == 1
    [reject] = read_rejects(tmp_path / "placements.csv.rejects.csv")
    assert (reject["line"], reject["field"]) == ("4", "facility_regime")
    assert "another row" in reject["reason"]
    assert _accounts(db_url) == ["A-0001", "A-0002", "A-0004"]
    assert query(db_url, "SELECT regime, nonprofit, state FROM facility") == [("first_party", 1, "OH")]
    events = query(db_url, "SELECT details FROM audit_event WHERE action = 'facility.set' ORDER BY id")
    assert len(events) == 2  # the first row's regime and nonprofit status, then the fourth row's state
    assert '"batch": ' in str(events[0][0])


def test_strict_rolls_the_whole_file_back_when_rows_disagree_about_their_facility(
    db_url: str, tmp_path: Path
) -> None:
    path = _disagreeing_file(tmp_path)
    result = cli_import(db_url, "placements", path, "--json", "--strict")
    assert result.exit_code == 3, result.output
    assert json_summary(result)["status"] == "rejected_file"
    assert _accounts(db_url) == []
    assert query(db_url, "SELECT count(*) FROM audit_event WHERE action = 'facility.set'") == [(0,)]


def test_an_unchanged_file_with_the_new_columns_changes_nothing(db_url: str, tmp_path: Path) -> None:
    rows = [
        placement_row(**FACTS, facility_regime="first_party", facility_nonprofit="yes"),
        placement_row(account_number="A-1002", guarantor_id="G-2", delinquency_date="2026-10-01"),
    ]
    first = cli_import(db_url, "placements", write_rows(tmp_path / "a.csv", rows), "--json")
    assert first.exit_code == 0, first.output
    events = query(db_url, "SELECT count(*) FROM audit_event")
    # The same rows in another order: another file, so its rows are each compared with the accounts.
    second = cli_import(db_url, "placements", write_rows(tmp_path / "b.csv", rows[::-1]), "--json")
    assert second.exit_code == 0, second.output
    summary = json_summary(second)
    assert (summary["unchanged"], summary["updated"], summary["inserted"]) == (2, 0, 0)
    # only the import's own start and finish events
    assert query(db_url, "SELECT count(*) FROM audit_event") == [(events[0][0] + 2,)]
