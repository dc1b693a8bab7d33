"""SIGKILL at random moments never corrupts the database or leaves half a change."""

from __future__ import annotations

import json
import os
import random
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

from tests.conftest import SAMPLE, run_cli

KILLS_PER_SCENARIO = 25

IMPORT_LOOP = """
import sys
from pathlib import Path
from inventory.document import import_document, parse_document
from inventory.store import open_store
db, a, b = sys.argv[1:4]
docs = [parse_document(Path(a).read_text()), parse_document(Path(b).read_text())]
store = open_store(db)
print("ready", flush=True)
n = 0
while True:
    import_document(store, docs[n % 2], replace=True)
    n += 1
"""

SAVE_LOOP = """
import sys
from inventory import records
from inventory.store import open_store
store = open_store(sys.argv[1])
key = sys.argv[2]
print("ready", flush=True)
n = 0
while True:
    loaded = records.get_record(store, "channel", key)
    n += 1
    records.save_record(store, "channel",
        loaded.record.model_copy(update={"weekly_hours": n % 50, "notes": f"save {n}"}),
        original_key=key, expected_revision=loaded.revision)
"""


def _kill_at_random(script: str, *args: str, rng: random.Random) -> None:
    process = subprocess.Popen(
        [sys.executable, "-c", script, *args], stdout=subprocess.PIPE, text=True
    )
    assert process.stdout is not None
    assert process.stdout.readline().strip() == "ready"
    time.sleep(rng.uniform(0.0, 0.25))
    os.kill(process.pid, signal.SIGKILL)
    process.wait()


def _integrity(db: Path) -> str:
    conn = sqlite3.connect(db)
    try:
        return conn.execute("PRAGMA integrity_check").fetchone()[0]
    finally:
        conn.close()


def _dump(db: Path) -> dict:
    result = run_cli("dump", db)
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def test_killed_imports_leave_the_before_or_after_state(tmp_path: Path) -> None:
    rng = random.Random(1)
    first = json.loads(SAMPLE.read_text(encoding="utf-8"))
    second = {**first, "channels": first["channels"][: len(first["channels"]) // 2]}
    second["organization"] = {"name": "Second state", "email_domains": []}
    a, b = tmp_path / "a.json", tmp_path / "b.json"
    a.write_text(json.dumps(first), encoding="utf-8")
    b.write_text(json.dumps(second), encoding="utf-8")
    db = tmp_path / "crash.db"
    assert run_cli("import", db, a).exit_code == 0
    for _ in range(KILLS_PER_SCENARIO):
        _kill_at_random(IMPORT_LOOP, str(db), str(a), str(b), rng=rng)
        assert _integrity(db) == "ok"
        assert _dump(db) in (first, second)


def test_killed_saves_leave_a_whole_save_and_matching_history(tmp_path: Path) -> None:
    rng = random.Random(2)
    db = tmp_path / "crash.db"
    assert run_cli("import", db, SAMPLE).exit_code == 0
    key = "instagram/@acme_it"
    for _ in range(KILLS_PER_SCENARIO):
        _kill_at_random(SAVE_LOOP, str(db), key, rng=rng)
        assert _integrity(db) == "ok"
        channel = next(c for c in _dump(db)["channels"] if f"{c['platform']}/{c['handle']}" == key)
        conn = sqlite3.connect(db)
        last = conn.execute(
            "SELECT after FROM history WHERE kind = 'channel' AND record_key = ? "
            "ORDER BY id DESC LIMIT 1",
            [key],
        ).fetchone()
        conn.close()
        if last is not None:
            assert json.loads(last[0]) == channel
