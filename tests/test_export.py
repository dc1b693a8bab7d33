"""The flags export: its schema, its order, its determinism, and how it is written."""

from __future__ import annotations

import json
import re
import sqlite3
from contextlib import closing
from pathlib import Path

import jsonschema
import pytest
from conftest import check_json, run_cli

from inventory.export import export_schema

pytestmark = pytest.mark.usefixtures("rules_in_process")  # what the rules flag, not the child


def validate(export: dict) -> None:
    jsonschema.Draft202012Validator(export_schema()).validate(export)


def test_the_shipped_schema_accepts_real_output(sample_db: Path) -> None:
    _, export = check_json(sample_db)
    validate(export)
    run_cli("waive", sample_db, "R101", "facebook/AcmeBologna", "--reason", "new hire")
    with closing(sqlite3.connect(sample_db)) as conn, conn:
        conn.execute(
            """INSERT INTO rules (code, recommendation, title, severity, subject_type,
                   condition, message) VALUES ('X1', 2, 't', 'info', 'policy', 'nope', '1')"""
        )
    _, export = check_json(sample_db)
    validate(export)
    assert export["summary"]["waived"] == 1
    assert export["summary"]["broken_rules"] == [{"rule": "X1", "error": "no such column: nope"}]


def test_the_schema_rejects_a_wrong_export(sample_db: Path) -> None:
    _, export = check_json(sample_db)
    export["flags"][0]["severity"] = "fatal"
    try:
        validate(export)
    except jsonschema.ValidationError:
        return
    raise AssertionError("the schema accepted a flag with severity 'fatal'")


def test_keys_and_flags_are_in_spec_order(sample_db: Path) -> None:
    _, export = check_json(sample_db)
    assert list(export) == ["format", "generated_at", "as_of", "organization", "summary", "flags"]
    assert list(export["summary"]) == [
        "checked", "flags", "waived", "by_severity", "by_recommendation", "broken_rules",
    ]  # fmt: skip
    assert list(export["summary"]["by_recommendation"]) == ["1", "2", "3", "4", "5", "6", "7"]
    assert export["summary"]["by_recommendation"] == {
        "1": 28, "2": 1, "3": 3, "4": 5, "5": 4, "6": 4, "7": 2,
    }  # fmt: skip
    flag = export["flags"][0]
    assert list(flag) == [
        "rule", "recommendation", "severity", "title", "message", "subject", "waived", "waiver",
    ]  # fmt: skip
    rank = {"error": 0, "warning": 1, "info": 2}
    keys = [(rank[f["severity"]], f["rule"], f["subject"]["id"]) for f in export["flags"]]
    assert keys == sorted(keys)
    assert export["format"] == "social-inventory-flags/2"
    assert export["as_of"] == "2026-11-26"
    assert export["organization"] == "Acme Italia S.p.A."
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", export["generated_at"])
    assert flag == {
        "rule": "R101",
        "recommendation": 1,
        "severity": "error",
        "title": "Live channel has no owner",
        "message": "No owner is accountable for this channel",
        "subject": {"type": "channel", "id": "facebook/AcmeBologna", "name": "Acme Bologna"},
        "waived": False,
        "waiver": None,
    }


def test_same_database_and_date_give_the_same_bytes(sample_db: Path, tmp_path: Path) -> None:
    first, second = tmp_path / "a.json", tmp_path / "b.json"
    for path in (first, second):
        result = run_cli("export", sample_db, "-o", path, "--as-of", "2026-11-26")
        assert result.exit_code == 0
        assert result.stdout.strip() == str(path)

    def without_clock(path: Path) -> str:
        return re.sub(r'"generated_at": "[^"]*"', "", path.read_text(encoding="utf-8"))

    assert without_clock(first) == without_clock(second)
    assert first.read_text(encoding="utf-8").endswith("}\n")
    check = run_cli("check", sample_db, "--format", "json", "--as-of", "2026-11-26")
    assert re.sub(r'"generated_at": "[^"]*"', "", check.stdout) == without_clock(first)


def test_export_defaults_to_flags_json(sample_db: Path, tmp_path: Path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    result = run_cli("export", sample_db)
    assert result.exit_code == 0
    assert result.stdout.strip() == "flags.json"
    written = json.loads((tmp_path / "flags.json").read_text())
    # evaluated as of today (the default), which moves: compare with check on the same day
    today = run_cli("check", sample_db, "--format", "json", "--as-of", written["as_of"])
    assert written["summary"]["flags"] == json.loads(today.stdout)["summary"]["flags"] > 0
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".flags.json")] == []


def test_export_and_check_refuse_a_missing_database(tmp_path: Path) -> None:
    for command in ("export", "check"):
        result = run_cli(command, tmp_path / "missing.db")
        assert result.exit_code == 2
        assert "does not exist" in result.stderr
    assert list(tmp_path.iterdir()) == []


def test_export_to_an_unwritable_place_is_one_clear_line(sample_db: Path, tmp_path: Path) -> None:
    result = run_cli("export", sample_db, "-o", tmp_path / "no" / "such" / "dir.json")
    assert result.exit_code == 2
    assert "can't be written" in result.stderr
    assert "Traceback" not in result.output


def _evaluation(n_flags: int, waived_every: int = 3):
    from datetime import date

    from inventory.flags import BrokenRule, Evaluation, Flag, Waiver

    hostile = 'é ü 漢字 \x1b[31m "quoted" back\\slash \u2028 tab\t 🎉'
    flags = [
        Flag(
            rule=f"R{100 + i % 7}",
            recommendation=1 + i % 7,
            severity=("error", "warning", "info")[i % 3],
            title=f"Title {hostile}",
            message=f"Message {i} {hostile}",
            subject_type="channel",
            subject_id=f"x/@h{i:06d}",
            subject_name=f"Name {i} {hostile}",
            waiver=Waiver(hostile, date(2027, 1, 1) if i % 2 else None, "ada", date(2026, 1, 2))
            if i % waived_every == 0
            else None,
        )
        for i in range(n_flags)
    ]
    return Evaluation(
        as_of=date(2026, 11, 26),
        organization=f"Acme {hostile}",
        checked={"channels": n_flags, "departments": 1},
        flags=flags,
        broken_rules=[BrokenRule("X1", f"no such column: {hostile}")],
    )


def test_the_c_encoder_writes_the_bytes_of_the_standard_library() -> None:
    """The export is encoded in chunks with orjson; the bytes are exactly those of
    `json.dumps(document, indent=2, ensure_ascii=False)`, whatever the chunk boundaries,
    with non-ASCII text, control characters and waivers, and with no flags at all."""
    from datetime import UTC, datetime

    from inventory.export import CHUNK_FLAGS, build_export, export_chunks

    at = datetime(2026, 11, 26, 12, tzinfo=UTC)
    for n_flags in (0, 1, CHUNK_FLAGS - 1, CHUNK_FLAGS, 2 * CHUNK_FLAGS + 1):
        evaluation = _evaluation(n_flags)
        expected = json.dumps(build_export(evaluation, at), indent=2, ensure_ascii=False) + "\n"
        chunks = list(export_chunks(evaluation, at))
        assert b"".join(chunks) == expected.encode("utf-8"), n_flags
        assert len(chunks) == (1 if n_flags == 0 else 2 + -(-n_flags // CHUNK_FLAGS))


def test_runs_of_one_rules_flags_are_the_bytes_of_the_standard_library() -> None:
    """Unwaived flags of one rule are written from the rule's template (its text cut
    around the message, subject id and name): same bytes as json.dumps, also when a
    title holds the template's own marks."""
    from dataclasses import replace
    from datetime import UTC, datetime

    from inventory.export import build_export, export_chunks

    at = datetime(2026, 11, 26, 12, tzinfo=UTC)
    evaluation = _evaluation(60, waived_every=9)
    evaluation.flags.sort(key=lambda flag: flag.rule)
    evaluation.flags[:10] = [
        flag._replace(title="\x00message \x00subject id", message="\x00subject name")
        for flag in evaluation.flags[:10]
    ]
    for document in (evaluation, replace(evaluation, flags=evaluation.flags[10:])):
        expected = json.dumps(build_export(document, at), indent=2, ensure_ascii=False) + "\n"
        assert b"".join(export_chunks(document, at)) == expected.encode("utf-8")


def test_export_and_check_json_stream_the_same_bytes(sample_db: Path, tmp_path: Path) -> None:
    out = tmp_path / "flags.json"
    run_cli("export", sample_db, "--as-of", "2026-11-26", "-o", out)
    stdout = run_cli("check", sample_db, "--as-of", "2026-11-26", "--format", "json").stdout
    stripped = [re.sub(r'"generated_at": "[^"]*"', "", t) for t in (out.read_text(), stdout)]
    assert stripped[0] == stripped[1]
    document = json.loads(stdout)
    assert stdout == json.dumps(document, indent=2, ensure_ascii=False) + "\n"
