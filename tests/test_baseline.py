"""`check`/`export --baseline FILE`: new, known and resolved flags, and the exit status."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from conftest import AS_OF, run_cli

from inventory.export import export_schema

pytestmark = pytest.mark.usefixtures("rules_in_process")  # what the rules flag, not the child


def _channel(handle: str, **changes: Any) -> dict[str, Any]:
    channel = {
        "platform": "facebook",
        "handle": handle,
        "name": f"Channel {handle}",
        "url": None,
        "status": "active",
        "owner": "anna@test.example",
        "backup_owner": None,
        "reporting_department": "Marketing",
        "linked_departments": ["Customer Care"],
        "consultants": [],
        "credentials_holder": "in_house",
        "policy": "2026.1",
        "weekly_hours": 4,
        "last_post_on": "2026-11-20",
        "goals": ["relationship"],
        "notes": "",
    }
    return channel | changes


@pytest.fixture
def before(minimal_document: dict[str, Any]) -> dict[str, Any]:
    """Known problems: 'gone' has no owner (R101) and will be deleted; 'stays' has its
    login held by nobody known (R104, an error that stays); Customer Care is blocked."""
    document = copy.deepcopy(minimal_document)
    document["departments"][0]["social_access"] = "blocked"
    document["channels"] += [
        _channel("gone", owner=None),
        _channel("stays", credentials_holder="unknown"),
    ]
    return document


@pytest.fixture
def after(before: dict[str, Any]) -> dict[str, Any]:
    """'gone' deleted; a new error: instagram/@test's owner is now external (R102)."""
    document = copy.deepcopy(before)
    document["channels"] = [c for c in document["channels"] if c["handle"] != "gone"]
    # anna stays as backup owner, so two in-house people can still get in (no new R107)
    document["channels"][0].update(owner="ext@agency.example", backup_owner="anna@test.example")
    return document


def _baseline(db: Path, tmp_path: Path, name: str = "baseline.json") -> Path:
    path = tmp_path / name
    result = run_cli("export", db, "-o", path, "--as-of", AS_OF)
    assert result.exit_code == 0, result.output
    return path


def _replace(db: Path, document: dict[str, Any], tmp_path: Path) -> None:
    source = tmp_path / "after.json"
    source.write_text(json.dumps(document), encoding="utf-8")
    result = run_cli("import", db, source, "--replace")
    assert result.exit_code == 0, result.output


def _check(db: Path, baseline: Path, *args: str) -> tuple[int, dict[str, Any]]:
    result = run_cli(
        "check", db, "--format", "json", "--as-of", AS_OF, "--baseline", baseline, *args
    )
    assert result.exit_code in (0, 1), result.output
    return result.exit_code, json.loads(result.stdout)


def _ids(flags: list[dict[str, Any]]) -> set[tuple[str, str]]:
    return {(flag["rule"], flag["subject"]["id"]) for flag in flags}


def test_new_known_and_resolved_flags(make_db, before, after, tmp_path: Path) -> None:
    db = make_db(before)
    baseline = _baseline(db, tmp_path)
    earlier = json.loads(baseline.read_text())
    _replace(db, after, tmp_path)

    status, export = _check(db, baseline)
    jsonschema.Draft202012Validator(export_schema()).validate(export)
    new = [flag for flag in export["flags"] if flag["baseline"] == "new"]
    known = [flag for flag in export["flags"] if flag["baseline"] == "known"]
    assert _ids(new) == {("R102", "instagram/@test")}
    assert ("R104", "facebook/stays") in _ids(known)
    assert ("R201", "Customer Care") in _ids(known)
    summary = export["summary"]["baseline"]
    assert summary["file"] == "baseline.json"
    assert summary["generated_at"] == earlier["generated_at"]
    assert (summary["new"], summary["known"]) == (1, len(known))
    # the deleted channel's flags are resolved, sorted like flags, with their subject
    resolved = summary["resolved"]
    assert {(r["rule"], r["subject"]["id"]) for r in resolved} == {
        (f["rule"], f["subject"]["id"])
        for f in earlier["flags"]
        if f["subject"]["id"] == "facebook/gone"
    }
    assert resolved[0] == {
        "rule": "R101",
        "subject": {"type": "channel", "id": "facebook/gone", "name": "Channel gone"},
    }
    rank = {"error": 0, "warning": 1, "info": 2}
    severity = {(f["rule"], f["subject"]["id"]): f["severity"] for f in earlier["flags"]}
    order = [(rank[severity[(r["rule"], r["subject"]["id"])]], r["rule"]) for r in resolved]
    assert order == sorted(order)
    # a new error fails the check; the known error (R104) alone would not
    assert status == 1


def test_fail_on_counts_new_flags_only(make_db, before, tmp_path: Path) -> None:
    db = make_db(before)
    baseline = _baseline(db, tmp_path)
    without, _ = _check(db, baseline)
    plain = run_cli("check", db, "--as-of", AS_OF)
    assert (plain.exit_code, without) == (1, 0)  # same errors, all known
    status, export = _check(db, baseline, "--fail-on", "info")
    assert status == 0
    assert {flag["baseline"] for flag in export["flags"]} == {"known"}
    assert export["summary"]["baseline"]["resolved"] == []


def test_a_waived_new_flag_is_new_but_does_not_fail(make_db, before, after, tmp_path) -> None:
    db = make_db(before)
    baseline = _baseline(db, tmp_path)
    _replace(db, after, tmp_path)
    assert run_cli("waive", db, "R102", "instagram/@test", "--reason", "hand-over").exit_code == 0
    status, export = _check(db, baseline)
    flag = next(f for f in export["flags"] if f["rule"] == "R102")
    assert (flag["baseline"], flag["waived"], status) == ("new", True, 0)


def test_a_waived_baseline_flag_is_known_when_raised_again(make_db, before, tmp_path) -> None:
    db = make_db(before)
    assert run_cli("waive", db, "R104", "facebook/stays", "--reason", "x").exit_code == 0
    baseline = _baseline(db, tmp_path)
    assert run_cli("waive", db, "R104", "facebook/stays", "--remove").exit_code == 0
    _, export = _check(db, baseline, "--fail-on", "never")
    flag = next(f for f in export["flags"] if f["rule"] == "R104")
    assert (flag["baseline"], flag["waived"]) == ("known", False)


def test_text_report_shows_new_flags_first(make_db, before, after, tmp_path: Path) -> None:
    db = make_db(before)
    baseline = _baseline(db, tmp_path)
    _replace(db, after, tmp_path)
    result = run_cli("check", db, "--as-of", AS_OF, "--baseline", baseline)
    text = result.stdout
    assert result.exit_code == 1
    new_at = text.index("New since the baseline baseline.json")
    assert new_at < text.index("R102") < text.index("Known flags") < text.index("R104")
    assert "Resolved since the baseline: " in text
    assert "R101  channel facebook/gone" in text
    assert "against the baseline: 1 new" in text


def test_a_format_1_baseline_is_read(make_db, before, tmp_path: Path) -> None:
    db = make_db(before)
    baseline = _baseline(db, tmp_path)
    document = json.loads(baseline.read_text())
    document["format"] = "social-inventory-flags/1"
    document["summary"]["checked"].pop("lookalikes", None)
    baseline.write_text(json.dumps(document))
    status, export = _check(db, baseline)
    assert status == 0
    assert export["summary"]["baseline"]["new"] == 0


def test_export_with_a_baseline(make_db, before, after, tmp_path: Path) -> None:
    db = make_db(before)
    baseline = _baseline(db, tmp_path)
    _replace(db, after, tmp_path)
    out = tmp_path / "now.json"
    result = run_cli("export", db, "-o", out, "--as-of", AS_OF, "--baseline", baseline)
    assert result.exit_code == 0, result.output
    export = json.loads(out.read_text())
    assert export["summary"]["baseline"]["new"] == 1
    assert all("baseline" in flag for flag in export["flags"])


def test_without_a_baseline_the_keys_are_absent(make_db, before) -> None:
    db = make_db(before)
    export = json.loads(run_cli("check", db, "--format", "json", "--as-of", AS_OF).stdout)
    assert "baseline" not in export["summary"]
    assert all("baseline" not in flag for flag in export["flags"])


@pytest.mark.parametrize(
    ("content", "why"),
    [
        (None, "does not exist"),
        ("folder", "is a folder"),
        ("{not json", "is not valid JSON"),
        (b"\xff\xfe", "is not UTF-8"),
        ("[]", "expected a JSON object"),
        ('{"format": "social-inventory/2"}', "format 'social-inventory/2'"),
        ('{"format": "social-inventory-flags/2", "flags": []}', "'generated_at'"),
        ('{"format": "social-inventory-flags/2", "generated_at": "x"}', "'flags'"),
        (
            '{"format": "social-inventory-flags/2", "generated_at": "x", "flags": [{"rule": 1}]}',
            "flag 1 lacks",
        ),
    ],
)
def test_a_bad_baseline_is_one_line_and_exit_2(
    make_db, before, tmp_path: Path, content: Any, why: str
) -> None:
    db = make_db(before)
    path = tmp_path / "base.json"
    if content == "folder":
        path.mkdir()
    elif isinstance(content, bytes):
        path.write_bytes(content)
    elif content is not None:
        path.write_text(content)
    out = tmp_path / "out.json"
    for args in (("check", db), ("export", db, "-o", out)):
        result = run_cli(*args, "--baseline", path)
        assert result.exit_code == 2
        assert result.stderr.count("\n") == 1 and why in result.stderr, result.stderr
        assert "Traceback" not in result.output
    assert not out.exists()
