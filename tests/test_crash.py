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
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from tests.conftest import SAMPLE, run_cli

KILLS_PER_SCENARIO = 25

IMPORT_LOOP = """
def loop(db, a, b):
    docs = [parse_document(Path(a).read_text()), parse_document(Path(b).read_text())]
    store = open_store(db)
    ready()
    n = 0
    while True:
        import_document(store, docs[n % 2], replace=True)
        n += 1
"""

SAVE_LOOP = """
def loop(db, key):
    store = open_store(db)
    ready()
    n = 0
    while True:
        loaded = records.get_record(store, "channel", key)
        n += 1
        records.save_record(store, "channel",
            loaded.record.model_copy(update={"weekly_hours": n % 50, "notes": f"save {n}"}),
            original_key=key, expected_revision=loaded.revision)
"""

FORK_SERVER = """
import os, sys
from pathlib import Path
from inventory import records
from inventory.document import import_document, parse_document
from inventory.store import open_store

def ready():
    print("ready", os.getpid(), flush=True)

exec(sys.argv[1])
for line in sys.stdin:
    pid = os.fork()
    if pid == 0:
        try:
            loop(*line.split())
        finally:
            os._exit(1)
    os.waitpid(pid, 0)
    print("reaped", flush=True)
"""
"""Starts the loops to be killed: a fresh process for each one, forked from a parent that
has imported the inventory once (the loop itself opens the database after the fork, so
no SQLite connection crosses it)."""


@contextmanager
def _fork_server(loop: str) -> Iterator[Callable[..., None]]:
    """A function that starts the loop with its arguments and SIGKILLs it at a random
    moment once it is ready."""
    server = subprocess.Popen(
        [sys.executable, "-c", FORK_SERVER, loop],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert server.stdin is not None and server.stdout is not None

    def kill_at_random(*args: str, rng: random.Random) -> None:
        server.stdin.write(" ".join(args) + "\n")
        server.stdin.flush()
        word, pid = server.stdout.readline().split()
        assert word == "ready"
        time.sleep(rng.uniform(0.0, 0.25))
        os.kill(int(pid), signal.SIGKILL)
        assert server.stdout.readline().strip() == "reaped"

    try:
        yield kill_at_random
    finally:
        server.kill()
        server.wait()


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
    with _fork_server(IMPORT_LOOP) as kill_at_random:
        for _ in range(KILLS_PER_SCENARIO):
            kill_at_random(str(db), str(a), str(b), rng=rng)
            assert _integrity(db) == "ok"
            assert _dump(db) in (first, second)


def test_killed_saves_leave_a_whole_save_and_matching_history(tmp_path: Path) -> None:
    rng = random.Random(2)
    db = tmp_path / "crash.db"
    assert run_cli("import", db, SAMPLE).exit_code == 0
    key = "instagram/@acme_it"
    with _fork_server(SAVE_LOOP) as kill_at_random:
        for _ in range(KILLS_PER_SCENARIO):
            kill_at_random(str(db), key, rng=rng)
            assert _integrity(db) == "ok"
            channels = _dump(db)["channels"]
            channel = next(c for c in channels if f"{c['platform']}/{c['handle']}" == key)
            conn = sqlite3.connect(db)
            last = conn.execute(
                "SELECT after FROM history WHERE kind = 'channel' AND record_key = ? "
                "ORDER BY id DESC LIMIT 1",
                [key],
            ).fetchone()
            conn.close()
            if last is not None:
                assert json.loads(last[0]) == channel
