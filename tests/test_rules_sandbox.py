"""Hostile and broken rules: reported as broken, everything else unchanged."""

from __future__ import annotations

import hashlib
import json
import sqlite3
import time
from contextlib import closing
from pathlib import Path

import pytest
from conftest import check_json, flag_keys, run_cli

EVIL = "/tmp/inventory-test-evil.db"

HOSTILE = {
    "X901": "EXISTS (WITH gone AS (DELETE FROM channels RETURNING id) SELECT 1 FROM gone)",
    "X902": "EXISTS (WITH x AS (UPDATE channels SET name = 'pwned' RETURNING 1) SELECT 1 FROM x)",
    "X903": "EXISTS (WITH x AS (INSERT INTO rules (code) VALUES ('Z') RETURNING 1) SELECT 1)",
    "X904": f"1); ATTACH DATABASE '{EVIL}' AS evil; SELECT (1",
    "X905": f"(SELECT 1 FROM (ATTACH DATABASE '{EVIL}' AS evil))",
    "X906": "EXISTS (SELECT 1 FROM pragma_table_info('channels'))",
    "X907": "1); PRAGMA writable_schema = 1; SELECT (1",
    "X908": "load_extension('/tmp/evil.so') IS NULL",
    "X909": (
        "EXISTS (WITH RECURSIVE r(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM r) "
        "SELECT 1 FROM r WHERE n < 0)"
    ),
    "X910": (
        "(SELECT count(*) FROM facts_channel a, facts_channel b, facts_channel c, "
        "facts_channel d, facts_channel e, facts_channel f) > 0"
    ),
    "X911": "is_live AND AND",
    "X912": "no_such_column = 1",
    "X913": "1) UNION ALL SELECT 1, 2, 3 FROM facts_channel a, facts_channel b WHERE (1",
    "X914": "length(zeroblob(2000000000)) > 0",
    "X915": "is_live AND :not_a_parameter",
}


def digest(path: Path) -> dict[str, str]:
    """The bytes of the database and of its -wal file, if any (the -shm file is only
    SQLite's shared-memory index, which readers update)."""
    return {
        p.name: hashlib.sha256(p.read_bytes()).hexdigest()
        for p in (path, path.with_name(path.name + "-wal"))
        if p.exists()
    }


def insert_rules(db: Path, rules: dict[str, str]) -> None:
    """Put rules straight into the table, as another tool (or an old version) could."""
    with closing(sqlite3.connect(db)) as conn, conn:
        conn.executemany(
            """INSERT INTO rules (code, recommendation, title, severity, subject_type,
                   condition, message) VALUES (?, 1, 'Hostile', 'error', 'channel', ?, ?)""",
            [(code, condition, "'hostile'") for code, condition in rules.items()],
        )


@pytest.fixture
def fast_deadline(monkeypatch) -> None:
    monkeypatch.setenv("INVENTORY_RULE_TIMEOUT", "0.5")


def test_hostile_rules_are_broken_and_change_nothing(sample_db: Path, fast_deadline) -> None:
    _, before = check_json(sample_db)
    insert_rules(sample_db, HOSTILE)
    files_before = digest(sample_db)

    start = time.monotonic()
    result = run_cli("check", sample_db, "--format", "json", "--as-of", "2026-11-26")
    elapsed = time.monotonic() - start

    assert result.exit_code == 1, result.output
    export = json.loads(result.stdout)
    broken = {item["rule"]: item["error"] for item in export["summary"]["broken_rules"]}
    assert set(broken) == set(HOSTILE)
    assert all(reason.strip() for reason in broken.values())
    assert "not authorized" in broken["X906"]
    assert "load_extension" in broken["X908"]
    assert "stopped" in broken["X909"] and "stopped" in broken["X910"]
    assert "no such column: no_such_column" in broken["X912"]
    assert "parenthesis" in broken["X913"]
    assert "not_a_parameter" in broken["X915"]
    assert flag_keys(export) == flag_keys(before)
    assert export["flags"] == before["flags"]
    assert digest(sample_db) == files_before
    assert not Path(EVIL).exists()
    assert elapsed < 10
    assert "broken rule(s) not evaluated" in result.stderr


def test_rules_lists_broken_rules_with_the_reason(sample_db: Path) -> None:
    insert_rules(sample_db, {"X912": "no_such_column = 1"})
    result = run_cli("rules", sample_db)
    assert result.exit_code == 0
    assert "X912" in result.stdout
    assert "BROKEN: no such column: no_such_column" in result.stdout
    assert "25 rules: 25 enabled, 1 broken" in result.stdout


@pytest.mark.parametrize("code", sorted(HOSTILE))
def test_adding_a_hostile_rule_is_refused_with_the_reason(
    sample_db: Path, tmp_path: Path, code: str, fast_deadline
) -> None:
    rule = {
        "code": code,
        "recommendation": 1,
        "title": "Hostile",
        "severity": "error",
        "subject_type": "channel",
        "condition": HOSTILE[code],
        "message": "'hostile'",
    }
    path = tmp_path / "rule.json"
    path.write_text(json.dumps(rule))
    before = digest(sample_db)
    result = run_cli("rules", sample_db, "--add", path)
    assert result.exit_code == 2
    assert f"rule {code} can't run:" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert "Traceback" not in result.output
    assert digest(sample_db) == before
    assert code not in run_cli("rules", sample_db).stdout


def test_a_hostile_message_is_a_broken_rule_too(sample_db: Path) -> None:
    with closing(sqlite3.connect(sample_db)) as conn, conn:
        conn.execute(
            """INSERT INTO rules (code, recommendation, title, severity, subject_type,
                   condition, message) VALUES ('X920', 1, 't', 'info', 'channel', 'is_live',
                   '(SELECT group_concat(sql) FROM sqlite_master)) FROM facts_channel --')"""
        )
    _, export = check_json(sample_db)
    assert export["summary"]["broken_rules"][0]["rule"] == "X920"
    assert "X920" not in {flag["rule"] for flag in export["flags"]}
