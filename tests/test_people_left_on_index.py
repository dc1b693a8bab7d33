"""Migration 0008: an index on the people's leaving dates, which R105 and R112 (the
owner's leaving date against the evaluation date) start from instead of reading every
channel's owner; an existing database gets it on upgrade."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

from conftest import database_at_schema, run_cli

from inventory.rules.sandbox import rule_sql
from inventory.schema import SCHEMA_VERSION


def test_an_existing_database_gets_the_index_and_r105_r112_start_from_it(
    tmp_path: Path,
) -> None:
    db = tmp_path / "old.db"
    database_at_schema(db, 7).close()
    assert run_cli("rules", db).exit_code == 0  # opening it upgrades it
    conn = sqlite3.connect(db)
    assert conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
    rules = conn.execute(
        "SELECT code, condition, message, parameters FROM rules WHERE code IN ('R105', 'R112')"
    ).fetchall()
    assert len(rules) == 2
    for code, condition, message, parameters in rules:
        sql = rule_sql("channel", condition, message)
        values = {**json.loads(parameters), "as_of": "2026-11-26"}
        plan = " | ".join(row[3] for row in conn.execute(f"EXPLAIN QUERY PLAN {sql}", values))
        assert "USING INDEX people_left_on" in plan, (code, plan)
        assert "USING INDEX channels_owner" in plan, (code, plan)
    conn.close()
