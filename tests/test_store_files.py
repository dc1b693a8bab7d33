"""Files that are not usable inventories are refused with exit 2 and left untouched."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from tests.conftest import run_cli


def _assert_refused(path: Path, expected: str, *commands: tuple[str, ...]) -> None:
    before = path.read_bytes()
    for command in commands:
        result = run_cli(*command)
        assert result.exit_code == 2, (command, result.output)
        assert expected in result.stderr
        assert "Traceback" not in result.output
        assert len(result.stderr.strip().splitlines()) == 1
    assert path.read_bytes() == before
    assert not Path(f"{path}-wal").exists()


def _all_commands(db: Path, doc: Path) -> list[tuple[str, ...]]:
    return [("dump", str(db)), ("import", str(db), str(doc))]


def test_text_file_is_refused(tmp_path, write_document, minimal_document) -> None:
    db = tmp_path / "notes.db"
    db.write_text("these are my notes, not a database\n")
    doc = write_document(minimal_document)
    _assert_refused(db, "not a SQLite file", *_all_commands(db, doc))


def test_truncated_database_is_refused(sample_db, write_document, minimal_document) -> None:
    conn = sqlite3.connect(sample_db)
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.execute("PRAGMA journal_mode=DELETE")
    conn.close()
    data = sample_db.read_bytes()
    sample_db.write_bytes(data[: len(data) // 2])
    doc = write_document(minimal_document)
    _assert_refused(sample_db, "damaged", *_all_commands(sample_db, doc))


def test_newer_schema_is_refused(sample_db, write_document, minimal_document) -> None:
    conn = sqlite3.connect(sample_db)
    conn.execute("PRAGMA user_version = 999")
    conn.execute("PRAGMA journal_mode=DELETE")
    conn.close()
    doc = write_document(minimal_document)
    _assert_refused(sample_db, "newer version of inventory", *_all_commands(sample_db, doc))


@pytest.mark.parametrize("content", [b"", b"SQLite format 3\x00" + b"\x00" * 10])
def test_header_only_garbage(tmp_path, content) -> None:
    db = tmp_path / "odd.db"
    db.write_bytes(content)
    result = run_cli("dump", db)
    assert result.exit_code == 2
    # a 0-byte file counts as a new path, which dump refuses (interface spec)
    assert ("damaged" if content else "is empty") in result.stderr
    assert db.read_bytes() == content


def test_folder_is_refused(tmp_path) -> None:
    result = run_cli("dump", tmp_path)
    assert result.exit_code == 2
    assert "is a folder" in result.stderr


def test_new_database_has_schema_and_user_version(tmp_path, write_document, minimal_document):
    db = tmp_path / "new.db"
    assert run_cli("import", db, write_document(minimal_document)).exit_code == 0
    conn = sqlite3.connect(db)
    from inventory.schema import SCHEMA_VERSION

    assert conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    assert {
        "channels",
        "people",
        "departments",
        "consultants",
        "policies",
        "rules",
        "waivers",
        "history",
        "channel_departments",
        "channel_consultants",
    } <= tables


@pytest.mark.parametrize("command", ["check", "export", "dump"])
def test_reading_commands_refuse_a_missing_database(tmp_path, command) -> None:
    result = run_cli(command, tmp_path / "missing.db")
    assert result.exit_code == 2
    assert "does not exist" in result.stderr
    assert not (tmp_path / "missing.db").exists()


def test_other_commands_create_a_new_inventory_with_the_built_in_rules(tmp_path) -> None:
    db = tmp_path / "new.db"
    result = run_cli("rules", db)
    assert result.exit_code == 0, result.output
    assert db.exists()
    codes = [line.split()[0] for line in result.stdout.splitlines() if line.startswith("R")]
    assert len(codes) == 24 and codes[0] == "R101" and codes[-1] == "R701"
    # an empty inventory has no approved policy: R501, like any other inventory
    assert run_cli("check", db, "--as-of", "2026-11-26").exit_code == 1


def test_large_truncated_database_is_refused_by_the_header_check(
    sample_db, write_document, minimal_document, monkeypatch
) -> None:
    from inventory import store

    monkeypatch.setattr(store, "QUICK_CHECK_MAX_BYTES", 0)
    conn = sqlite3.connect(sample_db)
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.execute("PRAGMA journal_mode=DELETE")
    conn.close()
    data = sample_db.read_bytes()
    sample_db.write_bytes(data[: len(data) - 4096])
    doc = write_document(minimal_document)
    _assert_refused(sample_db, "truncated", *_all_commands(sample_db, doc))


def test_a_migration_added_to_the_list_upgrades_an_existing_database(sample_db, monkeypatch):
    """Adding a field takes a migration appended to schema.MIGRATIONS: the schema version
    is their count (it was once a number written by hand, which a new migration left
    behind, so existing databases were never upgraded)."""
    from inventory import schema
    from inventory.store import open_store

    assert len(schema.MIGRATIONS) == schema.SCHEMA_VERSION

    def add_trial(db) -> None:
        schema.run_script(db, "ALTER TABLE channels ADD COLUMN trial TEXT;")

    monkeypatch.setattr(schema, "MIGRATIONS", [*schema.MIGRATIONS, ("9999_trial", add_trial)])
    monkeypatch.setattr(schema, "SCHEMA_VERSION", len(schema.MIGRATIONS))
    with open_store(sample_db) as store:
        assert "trial" in {column.name for column in store.db["channels"].columns}
        assert store.conn.execute("PRAGMA user_version").fetchone()[0] == len(schema.MIGRATIONS)
        assert store.migration_backup is not None
