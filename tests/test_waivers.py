"""Waivers through the CLI: reason required, expiry, who and when, exit status."""

from __future__ import annotations

import copy
import json
from datetime import date
from pathlib import Path

import pytest
from conftest import MINIMAL_DOCUMENT, check_json, run_cli

pytestmark = pytest.mark.usefixtures("rules_in_process")  # what the rules flag, not the child


def no_owner_db(make_db) -> Path:
    doc = copy.deepcopy(MINIMAL_DOCUMENT)
    # anna stays as backup owner: two in-house people can still get in (no R107)
    doc["channels"][0].update(owner=None, backup_owner="anna@test.example")
    return make_db(doc)


def test_a_waived_flag_is_reported_but_does_not_fail_check(make_db) -> None:
    db = no_owner_db(make_db)
    assert check_json(db)[0] == 1
    result = run_cli(
        "waive", db, "R101", "instagram/@test", "--reason", "Owner hired in January",
        "--until", "2027-01-31", "--user", "giulia",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "waived R101 on instagram/@test until 2027-01-31" in result.stdout
    status, export = check_json(db)
    assert status == 0
    flag = export["flags"][0]
    assert flag["waived"] is True
    assert flag["waiver"] == {
        "reason": "Owner hired in January",
        "until": "2027-01-31",
        "by": "giulia",
        "on": date.today().isoformat(),
    }
    assert export["summary"]["flags"] == 1
    assert export["summary"]["waived"] == 1
    assert export["summary"]["by_severity"]["error"] == 0
    assert export["summary"]["by_recommendation"]["1"] == 0
    text = run_cli("check", db, "--as-of", "2026-11-26")
    assert text.exit_code == 0
    words = " ".join(text.stdout.split())
    assert "waived by giulia on " in words
    assert "until 2027-01-31: Owner hired in January" in words
    assert "0 flags: 0 errors, 0 warnings, 0 info; 1 more waived" in text.stdout


def test_an_expired_waiver_no_longer_applies(make_db) -> None:
    from inventory.rules.waivers import waive
    from inventory.store import open_store

    db = no_owner_db(make_db)
    with open_store(db) as store:  # waived on the 20th until the 26th
        waive(store, "R101", "instagram/@test", "r", date(2026, 11, 26), "t", date(2026, 11, 20))
    assert check_json(db, as_of="2026-11-26")[0] == 0
    status, export = check_json(db, as_of="2026-11-27")
    assert status == 1
    assert export["flags"][0]["waived"] is False
    assert export["flags"][0]["waiver"] is None


def test_a_waiver_needs_a_reason_and_a_known_rule(make_db) -> None:
    db = no_owner_db(make_db)
    for args in (
        ("R101", "instagram/@test"),
        ("R101", "instagram/@test", "--reason", "   "),
        ("R999", "instagram/@test", "--reason", "why"),
        ("R101", "instagram/@test", "--reason", "why", "--until", "someday"),
    ):
        result = run_cli("waive", db, *args)
        assert result.exit_code == 2, args
        assert len(result.stderr.strip().splitlines()) == 1
    assert check_json(db)[0] == 1


def test_waiving_something_not_flagged_warns(make_db) -> None:
    db = no_owner_db(make_db)
    result = run_cli("waive", db, "R102", "instagram/@test", "--reason", "just in case")
    assert result.exit_code == 0
    assert "flags nothing on instagram/@test today" in result.stderr


def test_remove_a_waiver_and_list_them(make_db) -> None:
    db = no_owner_db(make_db)
    run_cli("waive", db, "R101", "instagram/@test", "--reason", "later", "--user", "ann")
    listed = run_cli("waivers", db)
    assert "R101  instagram/@test  until no expiry  by ann" in listed.stdout
    assert run_cli("waive", db, "R101", "instagram/@test", "--remove").exit_code == 0
    assert check_json(db)[0] == 1
    assert run_cli("waive", db, "R101", "instagram/@test", "--remove").exit_code == 2
    assert run_cli("waivers", db).stdout.strip() == "0 waivers"


def test_waive_refuses_an_unknown_subject_and_a_past_until(make_db) -> None:
    """Seen: `waive R102 instagram/@typo` and an expiry already past were accepted (exit 0)."""
    db = no_owner_db(make_db)
    typo = run_cli("waive", db, "R101", "instagram/@typo", "--reason", "r")
    assert typo.exit_code == 2
    assert "there is no channel 'instagram/@typo'" in typo.stderr
    past = run_cli("waive", db, "R101", "instagram/@test", "--reason", "r", "--until", "2020-01-01")
    assert past.exit_code == 2
    assert "before today" in past.stderr
    unknown = run_cli("waive", db, "R999", "instagram/@test", "--reason", "r")
    assert unknown.exit_code == 2
    assert run_cli("waivers", db).stdout == "0 waivers\n"
    # the subject in another case is the same channel, stored as the rules report it
    assert run_cli("waive", db, "R101", "INSTAGRAM/@TEST", "--reason", "r").exit_code == 0
    assert "R101  instagram/@test" in run_cli("waivers", db).stdout


def test_an_empty_inventory_is_checked_like_any_other(tmp_path) -> None:
    """Seen: `inventory typo.db` made an empty inventory on which `check` found no R501."""
    db = tmp_path / "typo.db"
    assert run_cli("rules", db).exit_code == 0  # creates the new, empty inventory
    result = run_cli("check", db, "--format", "json")
    assert result.exit_code == 1
    flags = json.loads(result.stdout)["flags"]
    assert [(f["rule"], f["subject"]["id"]) for f in flags] == [("R501", "Unnamed organization")]
