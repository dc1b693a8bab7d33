"""Issue 10, wrong diagnoses: a healthy database is never called damaged, whether it sits
on a read-only file system or a full disk, is being checkpointed by another process, has
a stray file under its backup's name, or had its tables changed by another program."""

from __future__ import annotations

import json
import shlex
import shutil
import sqlite3
import subprocess
import sys
import threading
import time

import pytest
from conftest import AS_OF, run_cli

from inventory import schema, store

READERS = [
    ("check", "--as-of", AS_OF),
    ("check", "--as-of", AS_OF, "--format", "json"),
    ("dump",),
    ("export", "--as-of", AS_OF, "-o", "-"),
    ("rules",),
    ("history",),
    ("waivers",),
]


RUN_COMMANDS = """
import json, sys
from click.testing import CliRunner
from inventory.cli import main
for args in json.loads(sys.argv[1]):
    result = CliRunner().invoke(main, args)
    print(result.exit_code, result.stderr[:300].replace("\\n", "|"), flush=True)
"""
"""The commands, one after the other, in one process: each one's exit status and the start
of its stderr on a line (a process per command would import the inventory each time)."""


def _namespace(setup: str, commands: list[tuple[str, ...]], db: str) -> list[tuple[int, str]]:
    """Run `inventory` commands in a private mount namespace after `setup` (shell), so a
    test can mount a read-only or a full file system without root on the host."""
    arguments = json.dumps([[c[0], db, *c[1:]] for c in commands])
    runs = " ".join(shlex.quote(a) for a in (sys.executable, "-c", RUN_COMMANDS, arguments))
    try:
        result = subprocess.run(
            ["unshare", "-rm", "sh", "-c", f"set -e; {setup}; set +e; {runs}"],
            capture_output=True,
            text=True,
            timeout=120,
        )
    except FileNotFoundError:
        pytest.skip("unshare is not available")
    if result.returncode != 0 and not result.stdout:
        pytest.skip(f"no private mounts here: {result.stderr.strip()[:200]}")
    outcomes = []
    for line in result.stdout.strip().splitlines():
        code, _, stderr = line.partition(" ")
        outcomes.append((int(code), stderr))
    return outcomes


def test_a_database_on_a_read_only_file_system(
    sample_db, tmp_path, write_document, minimal_document
) -> None:
    folder = tmp_path / "ro"
    folder.mkdir()
    db = folder / "inv.db"
    shutil.copy(sample_db, db)
    doc = write_document(minimal_document)
    setup = f"mount --bind {folder} {folder} && mount -o remount,ro,bind {folder}"
    outcomes = _namespace(setup, [*READERS, ("import", str(doc))], str(db))
    for (code, stderr), command in zip(outcomes, [*READERS, ("import",)], strict=True):
        assert "damaged" not in stderr, (command, stderr)
        if command[0] == "import":
            assert code == 2 and "read-only" in stderr
        else:
            assert code in (0, 1), (command, stderr)


def test_read_only_commands_on_a_full_disk(sample_db, tmp_path) -> None:
    disk = tmp_path / "disk"
    disk.mkdir()
    db = disk / "inv.db"
    setup = (
        f"mount -t tmpfs -o size=2m tmpfs {disk} && cp {sample_db} {db} && "
        f"(dd if=/dev/zero of={disk}/fill bs=4k 2>/dev/null || true)"
    )
    outcomes = _namespace(setup, [*READERS, ("waive", "R101", "x/y", "--reason", "r")], str(db))
    for (code, stderr), command in zip(outcomes, [*READERS, ("waive",)], strict=True):
        assert "damaged" not in stderr, (command, stderr)
        if command[0] == "waive":
            assert code == 2 and "full disk" in stderr
        else:
            assert code in (0, 1), (command, stderr)


def test_a_checkpoint_in_progress_is_not_truncation(sample_db, monkeypatch) -> None:
    """Another process's checkpoint writes the header (new page count) before it extends
    the file: for a moment a healthy file is shorter than its header says."""
    monkeypatch.setattr(store, "QUICK_CHECK_MAX_BYTES", 0)  # the large-file header check
    whole = sample_db.read_bytes()
    sample_db.write_bytes(whole[:-4096])

    def extend() -> None:  # as a checkpoint does: the file only grows
        with sample_db.open("ab") as handle:
            handle.write(whole[-4096:])

    restore = threading.Timer(1.5, extend)  # within the 2 s a large file is watched
    restore.start()
    try:
        result = run_cli("check", sample_db, "--as-of", AS_OF)
    finally:
        restore.join()
    assert result.exit_code in (0, 1), result.output
    assert "truncated" not in result.stderr


def test_a_truncated_large_file_is_still_called_damaged(sample_db, monkeypatch) -> None:
    monkeypatch.setattr(store, "QUICK_CHECK_MAX_BYTES", 0)
    monkeypatch.setattr(store, "TRUNCATION_RECHECK_SECONDS", 0.2)
    sample_db.write_bytes(sample_db.read_bytes()[:-4096])
    started = time.monotonic()
    result = run_cli("check", sample_db, "--as-of", AS_OF)
    assert result.exit_code == 2
    assert "truncated" in result.stderr
    assert time.monotonic() - started < 3


def test_a_stray_file_under_the_backup_name(sample_db, monkeypatch) -> None:
    def _add_column(database) -> None:
        database.conn.execute("ALTER TABLE channels ADD COLUMN test_only TEXT")

    version = schema.SCHEMA_VERSION + 1  # the database is now one schema behind
    monkeypatch.setattr(schema, "MIGRATIONS", [*schema.MIGRATIONS, ("9999_test", _add_column)])
    monkeypatch.setattr(schema, "SCHEMA_VERSION", version)
    stray = sample_db.with_name(f"{sample_db.name}.before-schema-{version}")
    stray.write_text("my notes, not a database")
    result = run_cli("history", sample_db)
    assert result.exit_code == 0, result.output
    assert stray.read_text() == "my notes, not a database"
    backup = stray.with_name(f"{stray.name}.1")
    assert f"backup is at {backup}" in result.stderr
    assert sqlite3.connect(backup).execute("PRAGMA user_version").fetchone() == (version - 1,)


CHANGES_OUTSIDE = {
    "table dropped": ("DROP TABLE waivers", "waivers"),
    "column dropped": ("ALTER TABLE rules DROP COLUMN explanation", "explanation"),
    "column renamed": ("ALTER TABLE history RENAME COLUMN record_key TO k", "record_key"),
    "view dropped": ("DROP VIEW facts_policy", "facts_policy"),
}


@pytest.mark.parametrize("change", CHANGES_OUTSIDE, ids=list(CHANGES_OUTSIDE))
def test_tables_changed_by_another_program(change, sample_db) -> None:
    statement, missing = CHANGES_OUTSIDE[change]
    conn = sqlite3.connect(sample_db)
    conn.execute(statement)
    conn.commit()
    conn.close()
    for command in [*READERS, ("undo", "--yes")]:
        result = run_cli(command[0], sample_db, *command[1:])
        if result.exit_code in (0, 1):
            continue  # this command doesn't use what was changed
        assert result.exit_code == 2, (command, result.output)
        assert "Traceback" not in result.output
        assert len(result.stderr.strip().splitlines()) == 1, (command, result.stderr)
        assert "changed outside inventory" in result.stderr, (command, result.stderr)
        assert missing in result.stderr, (command, result.stderr)


def test_the_healthy_copy_really_is_healthy(sample_db, tmp_path) -> None:
    copy = tmp_path / "copy.db"
    shutil.copy(sample_db, copy)
    assert run_cli("check", copy, "--as-of", AS_OF).exit_code in (0, 1)
