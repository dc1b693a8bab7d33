"""Issue 10, "data lost or damaged": outputs never land on the database, writes keep what
is at the target, keys compare one way everywhere, foreign files and refused commands
leave nothing changed or created."""

from __future__ import annotations

import json
import os
import sqlite3
import stat
import threading
from pathlib import Path

import pytest

from inventory import records
from inventory.export import write_export
from inventory.files import OutputPathError
from inventory.models import Channel
from inventory.store import open_store
from tests.conftest import run_cli

CHANNEL = "instagram/@test"
ALL_COMMANDS = [
    ("check",),
    ("dump",),
    ("export", "-o", "{out}"),
    ("import", "{doc}"),
    ("import", "{doc}", "--replace"),
    ("rules",),
    ("history",),
    ("waivers",),
    ("undo",),
    ("waive", "R101", "instagram/@test", "--reason", "x"),
]


def _files(db: Path) -> dict[str, bytes | None]:
    return {
        suffix: Path(f"{db}{suffix}").read_bytes() if Path(f"{db}{suffix}").exists() else None
        for suffix in ("", "-wal", "-shm")
    }


# --- outputs that are the database --------------------------------------------------------


def _link(db: Path, tmp_path: Path, how: str) -> Path:
    if how == "same path":
        return db
    if how == "wal":
        return Path(f"{db}-wal")
    if how == "shm":
        return Path(f"{db}-shm")
    if how == "relative path":
        return Path(os.path.relpath(db))
    target = tmp_path / f"link-{how}"
    if how == "symlink":
        target.symlink_to(db)
    else:
        os.link(db, target)
    return target


@pytest.mark.parametrize("how", ["same path", "wal", "shm", "relative path", "symlink", "hard"])
@pytest.mark.parametrize("command", ["dump", "export"])
def test_output_onto_the_database_is_refused(
    command, how, make_db, minimal_document, tmp_path
) -> None:
    db = make_db(minimal_document)
    output = _link(db, tmp_path, how)
    before = _files(db)
    result = run_cli(command, db, "-o", output)
    assert result.exit_code == 2, result.output
    assert "choose another output file" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert _files(db) == before
    assert records.get_record(open_store(db), "channel", CHANNEL) is not None


def test_ui_export_onto_the_database_is_refused(make_db, minimal_document, tmp_path) -> None:
    db = make_db(minimal_document)
    before = db.read_bytes()
    with pytest.raises(OutputPathError, match="is the database"):
        write_export(db, "{}", database=db)
    with pytest.raises(OutputPathError):
        write_export(_link(db, tmp_path, "symlink"), "{}", database=db)
    assert db.read_bytes() == before


# --- what is at the target stays what it is --------------------------------------------------


@pytest.mark.parametrize("command", ["dump", "export"])
def test_output_to_a_fifo_writes_into_it(command, make_db, minimal_document, tmp_path) -> None:
    db = make_db(minimal_document)
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    received: list[bytes] = []
    reader = threading.Thread(target=lambda: received.append(fifo.read_bytes()))
    reader.start()
    result = run_cli(command, db, "-o", fifo)
    reader.join(10)
    assert result.exit_code == 0, result.output
    assert stat.S_ISFIFO(os.stat(fifo).st_mode)
    assert json.loads(received[0])


@pytest.mark.parametrize("command", ["dump", "export"])
def test_output_to_a_device_keeps_the_device(command, make_db, minimal_document, tmp_path) -> None:
    device = tmp_path / "null"
    try:
        os.mknod(device, stat.S_IFCHR | 0o666, os.makedev(1, 3))  # what /dev/null is
    except PermissionError:
        pytest.skip("creating a device node needs root")
    db = make_db(minimal_document)
    result = run_cli(command, db, "-o", device)
    assert result.exit_code == 0, result.output
    assert stat.S_ISCHR(os.stat(device).st_mode)


@pytest.mark.parametrize("command", ["dump", "export"])
def test_output_through_a_symlink_keeps_the_link(
    command, make_db, minimal_document, tmp_path
) -> None:
    db = make_db(minimal_document)
    target = tmp_path / "reports" / "latest.json"
    target.parent.mkdir()
    target.write_text("old")
    link = tmp_path / "latest.json"
    link.symlink_to(target)
    result = run_cli(command, db, "-o", link)
    assert result.exit_code == 0, result.output
    assert link.is_symlink()
    assert json.loads(target.read_text())


def test_output_to_a_full_device_is_one_line(make_db, minimal_document) -> None:
    db = make_db(minimal_document)
    for command in ("dump", "export"):
        result = run_cli(command, db, "-o", "/dev/full")
        assert result.exit_code == 2
        assert "No space left on device" in result.stderr
        assert len(result.stderr.strip().splitlines()) == 1


# --- one normalisation of keys ----------------------------------------------------------------


def _with_person(document: dict, email: str, reference: str) -> dict:
    document["people"][0]["email"] = email
    document["channels"][0]["owner"] = reference
    return document


@pytest.mark.parametrize(
    ("email", "reference"),
    [
        ("Ärger@test.example", "ärger@test.example"),
        ("ärger@test.example", "ÄRGER@TEST.EXAMPLE"),
        ("\u212aate@test.example", "kate@test.example"),  # Kelvin sign
        ("kate@test.example", "\u212aATE@test.example"),
        ("anna@test.example", "anna@test.example\x1f"),
        ("anna@test.example", "\u200banna@test.example"),
    ],
)
def test_references_differing_in_case_or_edge_characters_resolve(
    email, reference, make_db, write_document, minimal_document, tmp_path
) -> None:
    db = tmp_path / "keys.db"
    document = _with_person(minimal_document, email, reference)
    result = run_cli("import", db, write_document(document))
    assert result.exit_code == 0, result.output
    with open_store(db) as s:
        (owner_id,) = s.conn.execute("SELECT owner_id FROM channels").fetchone()
        assert owner_id is not None
        assert records.get_record(s, "channel", CHANNEL).record.owner == email
    # the history agrees with the data: undo takes the import back
    undo = run_cli("undo", db, "--yes")
    assert undo.exit_code == 0, undo.output
    with open_store(db) as s:
        assert s.conn.execute("SELECT count(*) FROM channels").fetchone() == (0,)


def test_department_reference_with_a_trailing_control_character_resolves(
    write_document, minimal_document, tmp_path
) -> None:
    db = tmp_path / "keys.db"
    minimal_document["channels"][0]["reporting_department"] = "Marketing\x1f"
    minimal_document["people"][0]["department"] = "Marketing\x1f"
    assert run_cli("import", db, write_document(minimal_document)).exit_code == 0
    with open_store(db) as s:
        row = s.conn.execute("SELECT reporting_department_id FROM channels").fetchone()
        assert row[0] is not None
        assert s.conn.execute("SELECT department_id FROM people WHERE name = 'Anna'").fetchone()[0]


def test_merge_with_another_case_is_the_same_person(make_db, write_document, minimal_document):
    minimal_document["people"][0]["email"] = "Ärger@test.example"
    minimal_document["channels"][0]["owner"] = "Ärger@test.example"
    db = make_db(minimal_document)
    again = {
        "format": "social-inventory/1",
        "organization": {"name": "Test Org"},
        "people": [{"email": "ärger@test.example", "name": "Renamed", "employment": "employee"}],
    }
    result = run_cli("import", db, write_document(again, "again.json"))
    assert result.exit_code == 0, result.output
    with open_store(db) as s:
        rows = s.conn.execute("SELECT email, name FROM people WHERE name = 'Renamed'").fetchall()
        assert rows == [("ärger@test.example", "Renamed")]
        assert s.conn.execute("SELECT count(*) FROM people").fetchone() == (3,)


def test_form_save_with_an_owner_in_another_case(make_db, minimal_document) -> None:
    minimal_document["people"][0]["email"] = "Ärger@test.example"
    minimal_document["channels"][0]["owner"] = "Ärger@test.example"
    db = make_db(minimal_document)
    with open_store(db) as s:
        loaded = records.get_record(s, "channel", CHANNEL)
        for owner in ("Ärger@test.example", "ärger@test.example"):
            changed = loaded.record.model_copy(update={"owner": owner, "notes": owner})
            records.save_record(s, "channel", changed, original_key=CHANNEL)
            loaded = records.get_record(s, "channel", CHANNEL)
            assert loaded.record.owner == "Ärger@test.example"
        # and the person's own form, by a key in another case
        assert records.get_record(s, "person", "ärger@test.example") is not None


def test_a_reference_to_nothing_is_an_error_never_null(make_db, minimal_document) -> None:
    db = make_db(minimal_document)
    with open_store(db) as s:
        channel = Channel.model_validate(
            {**minimal_document["channels"][0], "owner": "nobody@test.example"}
        )
        with (
            pytest.raises(records.RecordError, match="no person with that key"),
            s.transaction(),
        ):
            records.write_records(s, "channel", [channel])
        (owner,) = s.conn.execute("SELECT owner_id FROM channels").fetchone()
        assert owner is not None


# --- files that are not inventories -----------------------------------------------------------


def _foreign(tmp_path: Path, extra: str = "") -> Path:
    db = tmp_path / "other.db"
    conn = sqlite3.connect(db)
    conn.executescript("CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT);" + extra)
    conn.execute("INSERT INTO notes (body) VALUES ('mine')")
    conn.commit()
    conn.close()
    return db


@pytest.mark.parametrize("extra", ["", "CREATE TABLE people (id INTEGER, who TEXT);"])
@pytest.mark.parametrize("command", ALL_COMMANDS, ids=lambda c: " ".join(c[:1] + c[2:3]))
def test_sqlite_file_of_another_program_is_refused_untouched(
    command, extra, tmp_path, write_document, minimal_document
) -> None:
    db = _foreign(tmp_path, extra)
    doc = write_document(minimal_document)
    before = _files(db)
    args = [a.format(doc=doc, out=tmp_path / "out.json") for a in command]
    result = run_cli(args[0], db, *args[1:])
    assert result.exit_code == 2, result.output
    assert "not an inventory" in result.stderr
    assert _files(db) == before
    conn = sqlite3.connect(f"{db.as_uri()}?mode=ro", uri=True)
    assert conn.execute("PRAGMA user_version").fetchone() == (0,)
    assert conn.execute("PRAGMA journal_mode").fetchone() == ("delete",)
    conn.close()


# --- a refused command creates nothing ----------------------------------------------------------


def test_refused_import_into_a_new_path_creates_nothing(
    tmp_path, write_document, minimal_document
) -> None:
    db = tmp_path / "new.db"
    minimal_document["channels"][0]["owner"] = "nobody@test.example"
    result = run_cli("import", db, write_document(minimal_document))
    assert result.exit_code == 2
    assert "nobody@test.example" in result.stderr
    assert sorted(tmp_path.iterdir()) == [tmp_path / "doc.json"]
    assert run_cli("check", db).exit_code == 2


def test_refused_import_into_an_empty_file_leaves_it_empty(
    tmp_path, write_document, minimal_document
) -> None:
    db = tmp_path / "empty.db"
    db.write_bytes(b"")
    minimal_document["channels"][0]["policy"] = "no such policy"
    result = run_cli("import", db, write_document(minimal_document))
    assert result.exit_code == 2
    assert db.read_bytes() == b""
    assert not Path(f"{db}-wal").exists()


@pytest.mark.parametrize(
    "command",
    [
        ("waive", "NOPE", "instagram/@x", "--reason", "r"),
        ("rules", "--explain", "NOPE"),
        ("rules", "--set-param", "R101", "x=1"),
        ("undo", "--user", ""),
    ],
)
def test_any_refused_command_on_a_new_path_creates_nothing(command, tmp_path) -> None:
    db = tmp_path / "new.db"
    result = run_cli(command[0], db, *command[1:])
    if result.exit_code == 0:  # undo with nothing to undo is not a refusal
        assert "created a new inventory" in result.stderr
        return
    assert result.exit_code == 2, result.output
    assert list(tmp_path.iterdir()) == []


def test_a_new_inventory_is_announced(tmp_path) -> None:
    db = tmp_path / "new.db"
    result = run_cli("history", db)
    assert result.exit_code == 0
    assert f"created a new inventory at {db}" in result.stderr
    assert run_cli("history", db).stderr == ""


@pytest.mark.parametrize("command", ["check", "dump", "export"])
def test_readers_refuse_a_new_path_or_an_empty_file(command, tmp_path) -> None:
    empty = tmp_path / "empty.db"
    empty.write_bytes(b"")
    for db in (tmp_path / "missing.db", empty):
        result = run_cli(command, db, *(["-o", tmp_path / "o.json"] if command == "export" else []))
        assert result.exit_code == 2
        assert "no inventory database there" in result.stderr
    assert empty.read_bytes() == b""
    assert sorted(p.name for p in tmp_path.iterdir()) == ["empty.db"]


# --- duplicate keys in JSON ---------------------------------------------------------------------


def test_duplicate_json_keys_are_refused_by_name(make_db, minimal_document, tmp_path) -> None:
    db = make_db(minimal_document)
    before = db.read_bytes()
    text = json.dumps(minimal_document)[:-1] + ', "channels": []}'
    doc = tmp_path / "dup.json"
    doc.write_text(text)
    for args in ((), ("--replace",)):
        result = run_cli("import", db, doc, *args)
        assert result.exit_code == 2
        assert 'a key appears twice in one object: "channels"' in result.stderr
    assert db.read_bytes() == before
    nested = json.dumps(minimal_document).replace('"notes": ""', '"notes": "", "notes": "x"')
    doc.write_text(nested)
    result = run_cli("import", db, doc)
    assert result.exit_code == 2
    assert '"notes"' in result.stderr
