"""The history of changes: who changed which record, when, from where, before and after."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from inventory.store import Store, StoreError


class UndoError(StoreError):
    """The last change can't be undone (the records changed since)."""


@dataclass(frozen=True)
class Change:
    """One record's change; `before` None is an insert, `after` None a delete."""

    kind: str
    key: str
    before: dict[str, Any] | None
    after: dict[str, Any] | None

    @property
    def action(self) -> str:
        if self.before is None:
            return "insert"
        return "delete" if self.after is None else "update"


@dataclass(frozen=True)
class Entry:
    id: int
    change_id: int
    at: str
    user: str
    source: str
    kind: str
    key: str
    action: str
    before: dict[str, Any] | None
    after: dict[str, Any] | None
    undoes: int | None


def now_utc() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _json(value: dict[str, Any] | None) -> str | None:
    return None if value is None else json.dumps(value, ensure_ascii=False, sort_keys=False)


def log_changes(store: Store, changes: list[Change], undoes: int | None = None) -> int | None:
    """Record changes as one change group (what one ctrl+z undoes); returns its id.

    Call inside the transaction that makes the changes, so both land or neither.
    """
    real = [c for c in changes if c.before != c.after]
    if not real:
        return None
    (last,) = store.conn.execute("SELECT coalesce(max(change_id), 0) FROM history").fetchone()
    change_id = last + 1
    at = now_utc()
    store.conn.executemany(
        """INSERT INTO history
           (change_id, at, user, source, kind, record_key, action, before, after, undoes)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""",
        [
            (
                change_id,
                at,
                store.user,
                store.source,
                c.kind,
                c.key,
                c.action,
                _json(c.before),
                _json(c.after),
                undoes,
            )
            for c in real
        ],
    )
    return change_id


# Rules and waivers are configuration rows, not inventory records: their history keeps the
# whole row, and undo puts the row back as it was.
ROW_TABLES: dict[str, tuple[str, tuple[str, ...]]] = {
    "rule": ("rules", ("code",)),
    "waiver": ("waivers", ("rule", "subject_id")),
}


def row_key(kind: str, *values: str) -> str:
    """The history key of a configuration row: its key columns joined by ':'."""
    return ":".join(values)


def _key_values(kind: str, key: str) -> list[str]:
    columns = ROW_TABLES[kind][1]
    return key.split(":", len(columns) - 1)


def read_row(store: Store, kind: str, key: str) -> dict[str, Any] | None:
    table, columns = ROW_TABLES[kind]
    where = " AND ".join(f'"{c}" = ?' for c in columns)
    cursor = store.conn.execute(f"SELECT * FROM {table} WHERE {where}", _key_values(kind, key))
    row = cursor.fetchone()
    return None if row is None else dict(zip([d[0] for d in cursor.description], row, strict=True))


def restore_row(store: Store, kind: str, key: str, values: dict[str, Any] | None) -> None:
    table, columns = ROW_TABLES[kind]
    where = " AND ".join(f'"{c}" = ?' for c in columns)
    store.conn.execute(f"DELETE FROM {table} WHERE {where}", _key_values(kind, key))
    if values is not None:
        names = ", ".join(f'"{name}"' for name in values)
        marks = ", ".join("?" * len(values))
        store.conn.execute(f"INSERT INTO {table} ({names}) VALUES ({marks})", list(values.values()))


@contextmanager
def logged_rows(store: Store, kind: str, keys: list[str]) -> Iterator[None]:
    """Record the rows' before and after around a change (inside its transaction)."""
    before = {key: read_row(store, kind, key) for key in keys}
    yield
    log_changes(store, [Change(kind, key, before[key], read_row(store, kind, key)) for key in keys])


def _entry(row: tuple) -> Entry:
    (id_, change_id, at, user, source, kind, key, action, before, after, undoes) = row
    return Entry(
        id_,
        change_id,
        at,
        user,
        source,
        kind,
        key,
        action,
        None if before is None else json.loads(before),
        None if after is None else json.loads(after),
        undoes,
    )


_ENTRY_COLUMNS = "id, change_id, at, user, source, kind, record_key, action, before, after, undoes"


def list_history(store: Store, limit: int | None = None) -> list[Entry]:
    """The newest changes first."""
    sql = f"SELECT {_ENTRY_COLUMNS} FROM history ORDER BY id DESC"
    params: list[Any] = []
    if limit is not None:
        sql += " LIMIT ?"
        params.append(limit)
    return [_entry(row) for row in store.conn.execute(sql, params)]


def last_change(store: Store, kind: str, key: str) -> Entry | None:
    """The newest change of one record (by its canonical id), e.g. to say who changed it."""
    row = store.conn.execute(
        f"""SELECT {_ENTRY_COLUMNS} FROM history WHERE kind = ? AND record_key = ?
            ORDER BY id DESC LIMIT 1""",
        [kind, key],
    ).fetchone()
    return None if row is None else _entry(row)


def last_undoable_change(store: Store) -> int | None:
    """The newest change group that is not an undo and has not been undone."""
    row = store.conn.execute(
        """SELECT max(change_id) FROM history
           WHERE undoes IS NULL
             AND change_id NOT IN (SELECT undoes FROM history WHERE undoes IS NOT NULL)"""
    ).fetchone()
    return row[0]


def change_entries(store: Store, change_id: int) -> list[Entry]:
    return [
        _entry(row)
        for row in store.conn.execute(
            f"SELECT {_ENTRY_COLUMNS} FROM history WHERE change_id = ? ORDER BY id", [change_id]
        )
    ]


def undo_last(store: Store) -> str | None:
    """Undo the newest change not yet undone; returns what was undone, None if nothing.

    Refuses (UndoError, nothing changed) when a record it would touch changed since.
    """
    # records builds on this module's logging, so it is imported here, not at the top
    from inventory import records

    with store.transaction():
        change_id = last_undoable_change(store)
        if change_id is None:
            return None
        entries = change_entries(store, change_id)
        records.revert(store, [Change(e.kind, e.key, e.before, e.after) for e in entries])
        reverted = [
            Change(
                e.kind,
                e.key if e.before is None else records.key_of_values(e.kind, e.before),
                e.after,
                e.before,
            )
            for e in entries
        ]
        log_changes(store, reverted, undoes=change_id)
    first = entries[0]
    what = f"{first.action} of {first.kind} {first.key}"
    if len(entries) > 1:
        what += f" and {len(entries) - 1} more change{'s' if len(entries) > 2 else ''}"
    return f"Undid the {what} ({first.source}, {first.at})"
