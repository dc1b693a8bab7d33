"""Nothing a second user, a lock, a read-only file or a failing disk does loses an edit."""

from __future__ import annotations

import json
import sqlite3
from datetime import date
from pathlib import Path

import pytest

from inventory import history, records, store, undo
from inventory.records import RecordError
from inventory.store import ConflictError, ReadOnlyError, StoreError, open_store
from tests.conftest import run_cli

CHANNEL = "instagram/@test"


def _hours(path: Path) -> object:
    with open_store(path) as s:
        return records.get_record(s, "channel", CHANNEL).record.weekly_hours


def test_second_save_of_the_same_channel_is_refused(make_db, minimal_document) -> None:
    db = make_db(minimal_document)
    alice, bob = open_store(db), open_store(db)
    alice.user, bob.user = "alice", "bob"
    mine = records.get_record(alice, "channel", CHANNEL)
    theirs = records.get_record(bob, "channel", CHANNEL)

    records.save_record(
        alice,
        "channel",
        mine.record.model_copy(update={"weekly_hours": 10}),
        original_key=CHANNEL,
        expected_revision=mine.revision,
    )
    with pytest.raises(ConflictError, match="changed by someone else"):
        records.save_record(
            bob,
            "channel",
            theirs.record.model_copy(update={"weekly_hours": 20}),
            original_key=CHANNEL,
            expected_revision=theirs.revision,
        )
    assert _hours(db) == 10

    # Bob reloads, sees Alice's version, and deliberately overwrites it.
    fresh = records.get_record(bob, "channel", CHANNEL)
    assert fresh.record.weekly_hours == 10
    records.save_record(
        bob,
        "channel",
        fresh.record.model_copy(update={"weekly_hours": 20}),
        original_key=CHANNEL,
        expected_revision=fresh.revision,
    )
    assert _hours(db) == 20
    edits = [e for e in history.list_history(bob) if e.kind == "channel" and e.action == "update"]
    assert [(e.user, e.before["weekly_hours"], e.after["weekly_hours"]) for e in edits] == [
        ("bob", 10, 20),
        ("alice", 4, 10),
    ]


def test_delete_of_a_record_changed_meanwhile_is_refused(make_db, minimal_document) -> None:
    db = make_db(minimal_document)
    alice, bob = open_store(db), open_store(db)
    seen = records.get_record(bob, "channel", CHANNEL)
    mine = records.get_record(alice, "channel", CHANNEL)
    records.save_record(
        alice,
        "channel",
        mine.record.model_copy(update={"notes": "keep me"}),
        original_key=CHANNEL,
        expected_revision=mine.revision,
    )
    with pytest.raises(ConflictError):
        records.delete_record(bob, "channel", CHANNEL, expected_revision=seen.revision)
    assert records.get_record(bob, "channel", CHANNEL).record.notes == "keep me"


def test_read_only_file_opens_read_only_and_refuses_writes(make_db, minimal_document) -> None:
    db = make_db(minimal_document)
    db.chmod(0o444)
    before = db.read_bytes()
    s = open_store(db)
    assert s.readonly
    loaded = records.get_record(s, "channel", CHANNEL)
    with pytest.raises(ReadOnlyError, match="read-only"):
        records.save_record(s, "channel", loaded.record, original_key=CHANNEL)
    assert db.read_bytes() == before
    result = run_cli("import", db, Path(__file__).parents[1] / "sample_db" / "acme.json")
    assert result.exit_code == 2
    assert "read-only" in result.stderr
    assert db.read_bytes() == before


def test_locked_database_gives_a_clear_message_and_changes_nothing(
    make_db, minimal_document, monkeypatch
) -> None:
    db = make_db(minimal_document)
    monkeypatch.setattr(store, "BUSY_TIMEOUT_SECONDS", 0.2)
    s = open_store(db)
    loaded = records.get_record(s, "channel", CHANNEL)
    blocker = sqlite3.connect(db, isolation_level=None)
    blocker.execute("BEGIN IMMEDIATE")
    try:
        with pytest.raises(StoreError, match="locked by another program"):
            records.save_record(
                s,
                "channel",
                loaded.record.model_copy(update={"weekly_hours": 9}),
                original_key=CHANNEL,
                expected_revision=loaded.revision,
            )
    finally:
        blocker.execute("ROLLBACK")
        blocker.close()
    assert _hours(db) == 4


def test_disk_full_gives_a_clear_message_and_changes_nothing(make_db, minimal_document) -> None:
    db = make_db(minimal_document)
    s = open_store(db)
    (pages,) = s.conn.execute("PRAGMA page_count").fetchone()
    s.conn.execute(f"PRAGMA max_page_count = {pages}")
    big = "x" * 200_000
    loaded = records.get_record(s, "channel", CHANNEL)
    with pytest.raises(StoreError, match="disk is full"):
        records.save_record(
            s,
            "channel",
            loaded.record.model_copy(update={"notes": big}),
            original_key=CHANNEL,
            expected_revision=loaded.revision,
        )
    with open_store(db) as other:
        assert records.get_record(other, "channel", CHANNEL).record.notes == ""
        assert history.list_history(other, 1)[0].source == "import"


def test_dangling_reference_in_a_save_is_refused(make_db, minimal_document) -> None:
    db = make_db(minimal_document)
    s = open_store(db)
    loaded = records.get_record(s, "channel", CHANNEL)
    with pytest.raises(RecordError, match="no person with that key"):
        records.save_record(
            s,
            "channel",
            loaded.record.model_copy(update={"owner": "ghost@x.example"}),
            original_key=CHANNEL,
        )


def test_deleting_a_department_in_use_says_who_uses_it(make_db, minimal_document) -> None:
    s = open_store(make_db(minimal_document))
    with pytest.raises(records.InUseError) as error:
        records.delete_record(s, "department", "Marketing")
    assert "person anna@test.example" in str(error.value)
    assert "channel instagram/@test" in str(error.value)
    assert records.get_record(s, "department", "Marketing") is not None


def test_undo_refuses_when_the_record_changed_since(make_db, minimal_document) -> None:
    db = make_db(minimal_document)
    s = open_store(db)
    loaded = records.get_record(s, "channel", CHANNEL)
    records.save_record(
        s, "channel", loaded.record.model_copy(update={"weekly_hours": 5}), original_key=CHANNEL
    )
    # another program changes the row behind the history's back
    sqlite3.connect(db).execute("UPDATE channels SET weekly_hours = 7").connection.commit()
    with pytest.raises(history.UndoError, match="changed since"):
        undo.undo_last(s)
    assert _hours(db) == 7


def test_migration_writes_a_backup_first(make_db, minimal_document, monkeypatch) -> None:
    from inventory import schema

    db = make_db(minimal_document)

    def _add_column(database) -> None:
        database.conn.execute("ALTER TABLE channels ADD COLUMN test_only TEXT")

    monkeypatch.setattr(schema, "MIGRATIONS", [*schema.MIGRATIONS, ("9999_test", _add_column)])
    monkeypatch.setattr(schema, "SCHEMA_VERSION", schema.SCHEMA_VERSION + 1)
    result = run_cli("dump", db)
    assert result.exit_code == 0
    backups = list(db.parent.glob(f"{db.name}.before-schema-*"))
    assert len(backups) == 1
    assert f"backup is at {backups[0]}" in result.stderr
    conn = sqlite3.connect(backups[0])
    columns = [r[1] for r in conn.execute("PRAGMA table_info(channels)")]
    assert "test_only" not in columns


def test_rule_and_waiver_changes_are_in_history_and_undoable(sample_db) -> None:
    from inventory.rules import catalog, waivers

    s = open_store(sample_db)
    s.user = "carla"
    catalog.set_enabled(s, "R102", False)
    waivers.waive(s, "R101", "facebook/AcmeBologna", "owner being hired", None, "carla",
                  date(2026, 11, 26))  # fmt: skip
    latest = history.list_history(s, 2)
    assert [(e.kind, e.key, e.action, e.user) for e in latest] == [
        ("waiver", "R101:facebook/AcmeBologna", "insert", "carla"),
        ("rule", "R102", "update", "carla"),
    ]
    assert "the waiver of R101 on facebook/AcmeBologna" in undo.undo_last(s)
    assert waivers.list_waivers(s) == []
    assert "rule R102" in undo.undo_last(s)
    assert catalog.get_rule(s, "R102").enabled


def test_undo_of_the_first_import_empties_the_inventory(make_db, minimal_document) -> None:
    db = make_db(minimal_document)
    assert run_cli("undo", db, "--yes").exit_code == 0
    assert json.loads(run_cli("dump", db).stdout)["channels"] == []
    with open_store(db) as s:
        assert s.conn.execute("SELECT count(*) FROM organization").fetchone()[0] == 0


def test_a_save_waits_for_another_writer_before_giving_up(
    make_db, minimal_document, monkeypatch
) -> None:
    import time

    db = make_db(minimal_document)
    monkeypatch.setattr(store, "BUSY_TIMEOUT_SECONDS", 0.5)
    s = open_store(db)
    loaded = records.get_record(s, "channel", CHANNEL)
    blocker = sqlite3.connect(db, isolation_level=None)
    blocker.execute("BEGIN IMMEDIATE")
    start = time.monotonic()
    try:
        with pytest.raises(StoreError, match="locked"):
            records.save_record(s, "channel", loaded.record, original_key=CHANNEL)
    finally:
        blocker.execute("ROLLBACK")
    assert time.monotonic() - start >= 0.45
    records.save_record(
        s, "channel", loaded.record.model_copy(update={"weekly_hours": 6}), original_key=CHANNEL
    )
    assert _hours(db) == 6


def test_a_save_finds_a_referenced_person_in_another_case(make_db, minimal_document) -> None:
    s = open_store(make_db(minimal_document))
    loaded = records.get_record(s, "channel", CHANNEL)
    changed = loaded.record.model_copy(update={"owner": "ANNA@Test.example", "backup_owner": None})
    records.save_record(s, "channel", changed, original_key=CHANNEL)
    assert records.get_record(s, "channel", CHANNEL).record.owner == "anna@test.example"
