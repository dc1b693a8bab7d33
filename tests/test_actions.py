"""The history groups changes into user actions; undo and redo reverse one action."""

from __future__ import annotations

import json
import sqlite3
from datetime import date

import pytest

from inventory import history, records, undo
from inventory.store import open_store
from tests.conftest import run_cli

CHANNEL = "instagram/@test"


def _dump(db) -> dict:
    return json.loads(run_cli("dump", db).stdout)


def test_an_import_is_one_action_and_history_lists_it_with_counts(make_db, minimal_document):
    db = make_db(minimal_document)
    result = run_cli("history", db)
    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    assert len(lines) == 1
    assert "the import of source-0.json" in lines[0]
    assert (
        "(3 people, 2 departments, 1 channel, 1 consultant, 1 organization, 1 policy)" in (lines[0])
    )


def test_undo_of_several_records_without_a_terminal_needs_yes(make_db, minimal_document):
    db = make_db(minimal_document)
    before = _dump(db)
    result = run_cli("undo", db)
    assert result.exit_code == 2
    assert "Undo the import of source-0.json by " in result.stderr
    assert ": 3 people, 2 departments, 1 channel," in result.stderr
    assert "--yes" in result.stderr and "nothing was changed" in result.stderr
    assert _dump(db) == before
    assert run_cli("redo", db).stdout == "nothing to redo\n"


def test_undo_asks_on_a_terminal_and_no_is_the_default(make_db, minimal_document, monkeypatch):
    import inventory.cli.changes

    monkeypatch.setattr(inventory.cli.changes, "stdin_is_terminal", lambda: True)
    db = make_db(minimal_document)
    before = _dump(db)
    for answer in ("\n", "n\n"):
        result = run_cli("undo", db, input=answer)
        assert result.exit_code == 2, result.output
        assert "Undo the import of source-0.json by" in result.stdout
        assert "[y/N]" in result.stdout
        assert _dump(db) == before
    result = run_cli("undo", db, input="y\n")
    assert result.exit_code == 0
    assert _dump(db)["channels"] == []


def test_undo_then_redo_by_action(make_db, minimal_document):
    db = make_db(minimal_document)
    before = _dump(db)
    assert run_cli("undo", db, "--yes").exit_code == 0
    assert _dump(db)["channels"] == []
    result = run_cli("redo", db, "--yes")
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("Redid the import of source-0.json")
    assert _dump(db) == before
    # the redone import can be undone again
    assert run_cli("undo", db, "--yes").exit_code == 0
    assert _dump(db)["channels"] == []


def test_single_record_actions_undo_and_redo_without_asking(make_db, minimal_document):
    db = make_db(minimal_document)
    with open_store(db) as s:
        loaded = records.get_record(s, "channel", CHANNEL)
        for hours in (5, 6):
            changed = loaded.record.model_copy(update={"weekly_hours": hours})
            records.save_record(s, "channel", changed, original_key=CHANNEL)
            loaded = records.get_record(s, "channel", CHANNEL)
    hours = lambda: _dump(db)["channels"][0]["weekly_hours"]  # noqa: E731
    assert hours() == 6
    assert run_cli("undo", db).stdout.startswith("Undid the edit of channel instagram/@test")
    assert hours() == 5
    assert run_cli("undo", db).exit_code == 0
    assert hours() == 4
    assert run_cli("redo", db).exit_code == 0
    assert hours() == 5
    assert run_cli("redo", db).exit_code == 0
    assert hours() == 6
    assert run_cli("redo", db).stdout == "nothing to redo\n"


def test_a_new_action_clears_redo(make_db, minimal_document):
    db = make_db(minimal_document)
    run_cli("waive", db, "R101", CHANNEL, "--reason", "first")
    assert run_cli("undo", db).exit_code == 0
    run_cli("waive", db, "R102", CHANNEL, "--reason", "second")
    assert run_cli("redo", db).stdout == "nothing to redo\n"
    waivers = run_cli("waivers", db).stdout
    assert "R102" in waivers and "R101" not in waivers


def test_the_action_api_groups_several_saves_into_one_undo(make_db, minimal_document):
    """What offboarding (and any multi-record operation) builds on."""
    db = make_db(minimal_document)
    with open_store(db) as s:
        s.user = "giulia"
        with history.action(s, "the offboarding of anna@test.example"):
            channel = records.get_record(s, "channel", CHANNEL).record
            records.save_record(
                s, "channel", channel.model_copy(update={"owner": None}), original_key=CHANNEL
            )
            person = records.get_record(s, "person", "anna@test.example").record
            records.save_record(
                s,
                "person",
                person.model_copy(update={"name": "Anna (left)"}),
                original_key="anna@test.example",
            )
        target = history.next_undo(s)
        assert target.label == "the offboarding of anna@test.example"
        assert target.counts == {"channel": 1, "person": 1}
        assert history.question(s, "Undo", target) == (
            f"Undo the offboarding of anna@test.example by giulia on {date.today()}: "
            "1 channel, 1 person?"
        )
        # an action that changes nothing leaves no trace
        with history.action(s, "nothing at all"):
            pass
        assert history.next_undo(s).id == target.id
        assert undo.undo(s, target.id).id == target.id
        assert records.get_record(s, "channel", CHANNEL).record.owner == "anna@test.example"
        assert records.get_record(s, "person", "anna@test.example").record.name == "Anna"


def test_a_failed_action_records_nothing(make_db, minimal_document):
    db = make_db(minimal_document)
    with open_store(db) as s:
        count = len(history.list_actions(s))
        with pytest.raises(RuntimeError), history.action(s, "half done"):
            channel = records.get_record(s, "channel", CHANNEL).record
            records.save_record(
                s, "channel", channel.model_copy(update={"name": "X"}), original_key=CHANNEL
            )
            raise RuntimeError("boom")
        assert len(history.list_actions(s)) == count
        assert records.get_record(s, "channel", CHANNEL).record.name == "Test Instagram"


def test_undo_refuses_when_another_action_came_first(make_db, minimal_document):
    db = make_db(minimal_document)
    with open_store(db) as s:
        asked = history.next_undo(s)
        run_cli("waive", db, "R101", CHANNEL, "--reason", "meanwhile")
        with pytest.raises(history.UndoError, match="changed meanwhile"):
            undo.undo(s, asked.id)
    assert "R101" in run_cli("waivers", db).stdout


def test_deleting_a_rule_and_its_waivers_is_one_action(sample_db):
    from inventory.rules import catalog, waivers

    with open_store(sample_db) as s:
        rule = catalog.get_rule(s, "R101").model_copy(update={"code": "C900", "builtin": False})
        catalog.save_rule(s, rule)
        waivers.waive(s, "C900", "facebook/AcmeBologna", "ok", None, "t", date(2026, 11, 26))
        catalog.delete_rule(s, "C900")
        target = history.next_undo(s)
        assert target.label == "the deletion of rule C900"
        assert target.counts == {"rule": 1, "waiver": 1}


def test_older_databases_get_their_change_groups_as_actions(make_db, minimal_document):
    db = make_db(minimal_document)
    run_cli("waive", db, "R101", CHANNEL, "--reason", "r")
    assert run_cli("undo", db).exit_code == 0
    conn = sqlite3.connect(db)
    conn.executescript(
        """DROP TABLE actions;
           DELETE FROM _sqlite_migrations WHERE name = '0004_actions';
           PRAGMA user_version = 3;"""
    )
    conn.close()
    lines = run_cli("history", db).stdout.splitlines()
    assert "undo of the waiver of R101 on instagram/@test (1 waiver)" in lines[0]
    assert "the waiver of R101 on instagram/@test (1 waiver) [undone by 3]" in lines[1]
    assert "9 changes" in lines[2]
    assert run_cli("redo", db).exit_code == 0
    assert "R101" in run_cli("waivers", db).stdout


def test_an_imports_history_is_json_text_sqlite_reads_and_undo_restores_a_merge(
    make_db, minimal_document, tmp_path
):
    """The history of an import is written with a C encoder in one batch: each row's
    before/after is UTF-8 JSON text (not bytes), and undo of a merge that changed records
    puts back exactly what was there."""
    db = make_db(minimal_document)
    before = _dump(db)
    changed = json.loads(json.dumps(minimal_document))
    changed["channels"][0]["name"] = 'Ünïcödé 漢字 "quoted" \\ 🎉'
    changed["channels"][0]["goals"] = ["relationship", "community"]
    changed["people"][0]["name"] = "Zoë"
    path = tmp_path / "changed.json"
    path.write_text(json.dumps(changed, ensure_ascii=False), encoding="utf-8")
    assert run_cli("import", db, path).exit_code == 0
    with sqlite3.connect(db) as conn:
        rows = conn.execute(
            """SELECT typeof(after), json_valid(after), after ->> '$.name' FROM history
               WHERE change_id = (SELECT max(change_id) FROM history) AND kind = 'channel'"""
        ).fetchall()
    assert rows == [("text", 1, 'Ünïcödé 漢字 "quoted" \\ 🎉')]
    assert _dump(db) != before
    assert run_cli("undo", db, "--yes").exit_code == 0
    assert _dump(db) == before
