"""A large import takes shortcuts (plain INSERTs for new keys, rows by id, its new records'
history encoded from their own values, quick key and reference checks): it must write and
log exactly what the record-by-record way does."""

from __future__ import annotations

import contextlib
import copy
import sqlite3
from pathlib import Path
from typing import Any

import orjson
import pytest
from conftest import MINIMAL_DOCUMENT, run_cli

from inventory import records
from inventory.document import (
    DocumentError,
    import_document,
    parse_document,
    set_up_for_import,
)
from inventory.history import list_history
from inventory.models import Channel, InventoryDocument
from inventory.store import open_store
from inventory.undo import undo

SIZE = 700
"""Channels in the large batch: above `record_rows.LOOKUP_ALL_ABOVE` (500)."""


def _channel(number: int, **changes: Any) -> dict[str, Any]:
    channel = copy.deepcopy(MINIMAL_DOCUMENT["channels"][0])
    channel.update(handle=f"@c{number:04d}", name=f"Channel {number}", **changes)
    return channel


def _document(channels: list[dict[str, Any]]) -> dict[str, Any]:
    return {**copy.deepcopy(MINIMAL_DOCUMENT), "channels": channels}


def _varied(number: int) -> dict[str, Any]:
    """Channels that differ in every kind of field: references, links, dates, lists."""
    return _channel(
        number,
        owner=["anna@test.example", "bruno@test.example", None][number % 3],
        backup_owner="ext@agency.example" if number % 2 and number % 5 else None,
        linked_departments=[[], ["Customer Care"], ["Marketing", "Customer Care"]][number % 3],
        consultants=[] if number % 4 else [{"consultant": "Trainer", "role": "content"}],
        admins=[] if number % 5 else ["ext@agency.example"],
        weekly_hours=[0, 2.5, 40, None][number % 4],
        last_post_on=None if number % 7 else "2026-01-02",
        goals=[["relationship"], [], ["awareness", "recruiting"]][number % 3],
    )


def _import(db: Path, document: dict[str, Any], tmp_path: Path, name: str) -> None:
    path = tmp_path / name
    path.write_bytes(orjson.dumps(document))
    result = run_cli("import", db, path)
    assert result.exit_code == 0, result.output


def test_a_large_batch_writes_what_small_batches_write(tmp_path: Path) -> None:
    """New keys by plain INSERT and known ones by the upsert, link rows by row id: the
    same rows as batches of one, half of them updates of channels already there."""
    first = [_varied(n) for n in range(SIZE)]
    then = [
        Channel.model_validate(_varied(n + 3 if n % 2 else n + 1) | {"handle": f"@c{n:04d}"})
        for n in range(SIZE // 2, SIZE + SIZE // 2)
    ]
    written = {}
    for way, batches in (("large", [then]), ("one by one", [[c] for c in then])):
        db = tmp_path / f"{way}.db"
        _import(db, _document(first), tmp_path, f"{way}.json")
        with open_store(db) as store, store.transaction():
            for batch in batches:
                records.write_records(store, "channel", batch)
        with open_store(db) as store:
            written[way] = records.plain_records(store, "channel")
    assert written["large"] == written["one by one"]
    assert len(written["large"]) == SIZE + SIZE // 2
    assert written["large"][SIZE - 1]["name"] == f"Channel {SIZE + 2}"


def test_a_new_records_history_is_what_is_read_back_and_undo_removes_it(tmp_path: Path) -> None:
    """The history of a new record is logged from its own values, not a dump: it must be
    exactly the record as read back (undo compares them), e-mails spelled as the
    person's record spells them."""
    channels = [_varied(n) for n in range(SIZE)]
    channels[1]["owner"] = "ANNA@Test.Example"  # the person is anna@test.example
    channels[2]["admins"] = ["Ext@Agency.Example"]
    db = tmp_path / "inventory.db"
    _import(db, _document(channels), tmp_path, "doc.json")
    with open_store(db) as store:
        logged = {(e.kind, e.key): e.after for e in list_history(store) if e.before is None}
        assert len(logged) == SIZE + 8  # and the organization, 2 departments, 3 people, ...
        for kind in ("channel", "person", "consultant", "policy", "department"):
            for record in records.list_records(store, kind):
                key = records.record_key(kind, record)
                assert logged[(kind, key)] == record.model_dump(mode="json"), key
        assert logged[("channel", "instagram/@c0001")]["owner"] == "anna@test.example"
        assert logged[("channel", "instagram/@c0002")]["admins"] == ["ext@agency.example"]
        undo(store)
        assert records.list_records(store, "channel") == []


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (
            lambda doc: doc["channels"].append(copy.deepcopy(doc["channels"][5])),
            'channel "instagram/@c0005": appears more than once',
        ),
        (
            lambda doc: doc["channels"][600].update(owner="nobody@test.example"),
            "channel \"instagram/@c0600\" (channels[600]), field 'owner' = "
            '"nobody@test.example": no person with that key exists',
        ),
    ],
)
def test_a_large_documents_key_problems_are_named_as_before(
    tmp_path: Path, change: Any, message: str
) -> None:
    document = _document([_varied(n) for n in range(SIZE)])
    change(document)
    path = tmp_path / "doc.json"
    path.write_bytes(orjson.dumps(document))
    result = run_cli("import", tmp_path / "inventory.db", path)
    assert result.exit_code != 0
    assert message in result.output
    assert not (tmp_path / "inventory.db").exists() or _no_channels(tmp_path / "inventory.db")


def _no_channels(db: Path) -> bool:
    with open_store(db) as store:
        return records.list_records(store, "channel") == []


@pytest.mark.parametrize(
    "dangling", [[(10, "owner"), (620, "admins")], [(620, "admins")]], ids=["column", "list"]
)
def test_a_reference_deleted_after_reading_is_named_and_nothing_is_written(
    tmp_path: Path, dangling: list[tuple[int, str]]
) -> None:
    """The document is checked when it is read; if another program deletes a person it
    refers to before the write, the write names every such reference (a column's or a
    list's), as the check did."""
    db = tmp_path / "inventory.db"
    base = _document([])
    base["people"].append({"email": "dora@test.example", "name": "Dora"})
    _import(db, base, tmp_path, "base.json")
    merged = _document([_varied(n) for n in range(SIZE)])
    for number, field in dangling:
        dora = "dora@test.example"
        merged["channels"][number][field] = (
            dora if field == "owner" else ["ext@agency.example", dora]
        )
    merged["people"] = []
    with open_store(db) as store:
        document = parse_document(orjson.dumps(merged).decode(), records.KnownKeys.of_store(store))
        with store.transaction():
            store.conn.execute("DELETE FROM people WHERE email = 'dora@test.example'")
        before = records.snapshot(store)
        with pytest.raises(DocumentError) as raised:
            import_document(store, document, replace=False)
        assert records.snapshot(store) == before
    assert raised.value.lines() == [
        f'channel "instagram/@c{n:04d}", field \'{field}\' = "dora@test.example": '
        "no person with that key exists"
        for n, field in dangling
    ]


def test_the_import_s_larger_page_cache_is_given_back(tmp_path: Path) -> None:
    """An import writes with a page cache of 128 MB; the connection (the UI's, when it
    imports) gets its own size back, also when the import is refused (a document not
    checked when read, so that the write refuses it)."""
    db = tmp_path / "inventory.db"
    _import(db, _document([]), tmp_path, "base.json")
    bad = _document([_channel(1, owner="nobody@test.example")])
    with open_store(db) as store:
        store.conn.execute("PRAGMA cache_size = -3000")
        for document in (_document([_channel(1)]), bad):
            with pytest.raises(DocumentError) if document is bad else contextlib.nullcontext():
                import_document(store, InventoryDocument.model_validate(document), replace=False)
            assert store.conn.execute("PRAGMA cache_size").fetchone() == (-3000,)


def test_an_import_writes_without_foreign_key_checks_and_every_reference_holds(
    tmp_path: Path,
) -> None:
    """The command line imports with SQLite's foreign key checks off (every reference is a
    row id it looked up): what it wrote passes SQLite's own check, a merge and a replace
    included; the checks are on again after, also when an import is refused."""
    db = tmp_path / "inventory.db"
    _import(db, _document([_varied(n) for n in range(SIZE)]), tmp_path, "first.json")
    _import(db, _document([_varied(n + 1) for n in range(SIZE)]), tmp_path, "merge.json")
    assert run_cli("import", db, tmp_path / "first.json", "--replace").exit_code == 0
    bad = InventoryDocument.model_validate(_document([_channel(1, owner="nobody@test.example")]))
    with open_store(db) as store:
        assert store.conn.execute("PRAGMA foreign_key_check").fetchall() == []
        before = records.snapshot(store)
        with pytest.raises(DocumentError), set_up_for_import(store):
            import_document(store, bad, replace=False)
        assert store.conn.execute("PRAGMA foreign_keys").fetchone() == (1,)
        assert records.snapshot(store) == before


def test_a_new_inventory_s_first_import_leaves_it_in_wal_mode(tmp_path: Path) -> None:
    """The first import into a database the command creates writes with a rollback journal
    and leaves the file in WAL mode; one left in rollback mode (that import cut short) is
    in WAL mode again when next opened for writing."""
    db = tmp_path / "inventory.db"
    _import(db, _document([_channel(1)]), tmp_path, "one.json")
    with contextlib.closing(sqlite3.connect(db)) as conn:
        assert conn.execute("PRAGMA journal_mode").fetchone() == ("wal",)
        conn.execute("PRAGMA journal_mode = DELETE")
    with open_store(db) as store:
        assert store.conn.execute("PRAGMA journal_mode").fetchone() == ("wal",)


def test_a_new_inventory_another_program_has_open_imports_in_wal_mode(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """When the new file is already open elsewhere (a reader holds it), the journal can't
    change: the import writes in WAL mode, as before, and the checks come back on."""
    monkeypatch.setenv("INVENTORY_BUSY_TIMEOUT", "0.1")
    db = tmp_path / "inventory.db"
    with open_store(db) as store, contextlib.closing(sqlite3.connect(db)) as reader:
        reader.execute("BEGIN")
        reader.execute("SELECT count(*) FROM people").fetchone()
        with set_up_for_import(store):
            document = InventoryDocument.model_validate(_document([_channel(1)]))
            import_document(store, document, replace=False)
        assert store.conn.execute("PRAGMA journal_mode").fetchone() == ("wal",)
        assert store.conn.execute("PRAGMA foreign_keys").fetchone() == (1,)
        reader.execute("COMMIT")
        assert [c.key for c in records.list_channels(store)] == ["instagram/@c0001"]
