"""`inventory rules`: list, explain, enable/disable, re-grade, re-parameterise, add, delete."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from conftest import check_json, flag_keys, run_cli

pytestmark = pytest.mark.usefixtures("rules_in_process")  # what the rules flag, not the child

CUSTOM = {
    "code": "C100",
    "recommendation": 6,
    "title": "Channel without a backup owner",
    "explanation": "What it checks\nA live channel with no backup_owner.",
    "severity": "info",
    "subject_type": "channel",
    "parameters": {},
    "condition": "is_live AND backup_owner_email IS NULL",
    "message": "'No backup owner for ' || name",
}


def rule_file(tmp_path: Path, rule: dict, name: str = "rule.json") -> Path:
    path = tmp_path / name
    path.write_text(json.dumps(rule), encoding="utf-8")
    return path


def test_rules_lists_every_rule(sample_db: Path) -> None:
    result = run_cli("rules", sample_db)
    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    assert lines[0].split() == ["code", "rec", "severity", "enabled", "title"]
    assert lines[1].split()[:4] == ["R101", "1", "error", "yes"]
    assert "R602    6  warning   yes      Active channel has not posted recently" in lines
    assert lines[-1] == "24 rules: 24 enabled, 0 broken"
    assert max(len(line) for line in lines) <= 80


def test_explain_prints_the_whole_rule(sample_db: Path) -> None:
    result = run_cli("rules", sample_db, "--explain", "R602")
    assert result.exit_code == 0
    text = result.stdout
    for part in (
        "R602  Active channel has not posted recently",
        "Recommendation 6",
        "Severity: warning",
        "Parameters: max_days_since_post = 90",
        "What it checks",
        "Why it matters",
        "How to fix it",
        "Example flagged",
        "Example not flagged",
        "Condition (SQL over facts_channel):",
        ":max_days_since_post",
    ):
        assert part in text
    assert max(len(line) for line in text.splitlines()) <= 80


def test_explain_unknown_rule_is_a_usage_error(sample_db: Path) -> None:
    result = run_cli("rules", sample_db, "--explain", "R999")
    assert result.exit_code == 2
    assert "there is no rule 'R999'" in result.stderr


def test_disable_and_enable_a_rule(sample_db: Path) -> None:
    assert run_cli("rules", sample_db, "--disable", "R602").exit_code == 0
    _, export = check_json(sample_db)
    assert "R602" not in {rule for rule, _ in flag_keys(export)}
    assert "R602    6  warning   no " in run_cli("rules", sample_db).stdout
    assert run_cli("rules", sample_db, "--enable", "R602").exit_code == 0
    _, export = check_json(sample_db)
    assert "R602" in {rule for rule, _ in flag_keys(export)}


def test_set_severity_regrades_flags_and_exit_status(sample_db: Path) -> None:
    for code in ("R101", "R102", "R104", "R105", "R106", "R108", "R109", "R502"):
        assert run_cli("rules", sample_db, "--set-severity", code, "warning").exit_code == 0
    status, export = check_json(sample_db)
    assert status == 0
    assert export["summary"]["by_severity"] == {"error": 0, "warning": 41, "info": 6}
    assert run_cli("rules", sample_db, "--set-severity", "R101", "fatal").exit_code == 2


def test_set_param_changes_what_a_rule_flags(sample_db: Path) -> None:
    subject = ("R602", "mastodon/@acme@mastodon.example")
    assert subject in flag_keys(check_json(sample_db)[1])
    result = run_cli("rules", sample_db, "--set-param", "R602", "max_days_since_post=200")
    assert result.exit_code == 0, result.output
    assert subject not in flag_keys(check_json(sample_db)[1])
    assert "max_days_since_post = 200" in run_cli("rules", sample_db, "--explain", "R602").stdout


@pytest.mark.parametrize(
    ("args", "reason"),
    [
        (("R602", "max_days_since_post=lots"), "must be a number"),
        (("R602", "days=3"), "has no parameter 'days'"),
        (("R602", "nonsense"), "is not NAME=VALUE"),
        (("R999", "x=1"), "there is no rule"),
    ],
)
def test_bad_parameters_are_refused(sample_db: Path, args: tuple[str, str], reason: str) -> None:
    result = run_cli("rules", sample_db, "--set-param", *args)
    assert result.exit_code == 2
    assert reason in result.stderr
    assert "Traceback" not in result.output


def test_add_a_custom_rule_and_delete_it(sample_db: Path, tmp_path: Path) -> None:
    result = run_cli("rules", sample_db, "--add", rule_file(tmp_path, CUSTOM))
    assert result.exit_code == 0, result.output
    _, export = check_json(sample_db)
    custom = [flag for flag in export["flags"] if flag["rule"] == "C100"]
    assert custom and custom[0]["severity"] == "info" and custom[0]["recommendation"] == 6
    assert custom[0]["message"].startswith("No backup owner for ")
    assert "Custom" in run_cli("rules", sample_db, "--explain", "C100").stdout

    again = run_cli("rules", sample_db, "--add", rule_file(tmp_path, CUSTOM))
    assert again.exit_code == 2 and "exists already" in again.stderr

    assert run_cli("rules", sample_db, "--delete", "C100").exit_code == 0
    assert "C100" not in {flag["rule"] for flag in check_json(sample_db)[1]["flags"]}


def test_edit_changes_fields_of_a_rule(sample_db: Path, tmp_path: Path) -> None:
    run_cli("rules", sample_db, "--add", rule_file(tmp_path, CUSTOM))
    change = {"code": "C100", "condition": "is_live AND backup_owner_email IS NULL AND 0"}
    result = run_cli("rules", sample_db, "--edit", rule_file(tmp_path, change, "edit.json"))
    assert result.exit_code == 0, result.output
    assert "C100" not in {flag["rule"] for flag in check_json(sample_db)[1]["flags"]}
    broken = {"code": "C100", "condition": "nope = 1"}
    result = run_cli("rules", sample_db, "--edit", rule_file(tmp_path, broken, "bad.json"))
    assert result.exit_code == 2 and "no such column: nope" in result.stderr


def test_builtin_rules_cannot_be_deleted(sample_db: Path) -> None:
    result = run_cli("rules", sample_db, "--delete", "R101")
    assert result.exit_code == 2
    assert "built-in" in result.stderr
    assert "R101" in run_cli("rules", sample_db).stdout


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        ({"code": "bad code"}, "code"),
        ({"recommendation": 8}, "recommendation"),
        ({"severity": "fatal"}, "severity"),
        ({"subject_type": "person"}, "subject_type"),
        ({"surprise": 1}, "surprise is not a known field"),
        ({"parameters": {"as_of": "2020-01-01"}}, "as_of"),
        ({"condition": "1; DELETE FROM channels"}, "without ';'"),
    ],
)
def test_invalid_rule_files_are_refused(
    sample_db: Path, tmp_path: Path, change: dict, reason: str
) -> None:
    result = run_cli("rules", sample_db, "--add", rule_file(tmp_path, {**CUSTOM, **change}))
    assert result.exit_code == 2
    assert reason in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


def test_one_change_at_a_time(sample_db: Path) -> None:
    result = run_cli("rules", sample_db, "--enable", "R101", "--disable", "R102")
    assert result.exit_code == 2
