"""The history of changes: who changed which record, when, from where, before and after."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import orjson

from inventory.schema import describe_change
from inventory.store import Store, StoreError


class UndoError(StoreError):
    """The last change can't be undone (the records changed since)."""


@dataclass(frozen=True)
class Change:
    """One record's change; `before` None is an insert, `after` None a delete. The values
    are plain JSON values (an import's new records: their own field values, see `_json`)."""

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
    """A record's values as history keeps them: compact JSON, encoded in C (an import of
    100,000 channels writes one per record), stored as text. An import logs its new
    records' own field values: orjson writes dates and enums as their dump would, and
    `_dumped` the nested records (a channel's consultants)."""
    return None if value is None else orjson.dumps(value, default=_dumped).decode("utf-8")


def _dumped(value: Any) -> Any:
    dump = getattr(value, "model_dump", None)
    if dump is None:
        raise TypeError(f"{type(value).__name__} is not a value the history keeps")
    return dump(mode="json")


# --- actions: what one undo or redo reverses --------------------------------------------------


@dataclass
class OpenAction:
    """The action being recorded; its row is written with the first change."""

    label: str | None
    kind: str = "do"
    reverses: int | None = None
    id: int | None = None


@contextmanager
def action(store: Store, label: str) -> Iterator[None]:
    """Record every change made inside as ONE user action, in one transaction.

    `label` names it for people, as a noun phrase: "the import of acme.json", "the
    offboarding of ada@acme.example". One undo reverses the whole action; undo asks first
    when it touched more than one record. Nested calls join the outermost action. An action
    that changes nothing leaves no trace.
    """
    if store.current_action is not None:
        with store.transaction():
            yield
        return
    store.current_action = OpenAction(label)
    try:
        with store.transaction():
            yield
    finally:
        store.current_action = None


def log_changes(store: Store, changes: list[Change]) -> int | None:
    """Record changes in the history; returns the id of the action they belong to.

    Inside `action()` they join that action; otherwise they are an action of their own,
    labelled from the changes. Call inside the transaction that makes the changes, so
    both land or neither.
    """
    real = [c for c in changes if c.before != c.after]
    if not real:
        return None
    current = store.current_action
    if not isinstance(current, OpenAction):
        current = OpenAction(None)
    if current.id is None:
        current.id = _insert_action(store, current.label or default_label(real), current)
    at = now_utc()
    undoes = current.reverses if current.kind != "do" else None
    store.conn.executemany(
        """INSERT INTO history
           (change_id, at, user, source, kind, record_key, action, before, after, undoes)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""",
        [
            (
                current.id,
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
    return current.id


def _insert_action(store: Store, label: str, current: OpenAction) -> int:
    # ids continue the history's change ids (older databases numbered change groups there)
    (last,) = store.conn.execute(
        "SELECT max(coalesce((SELECT max(id) FROM actions), 0),"
        " coalesce((SELECT max(change_id) FROM history), 0))"
    ).fetchone()
    store.conn.execute(
        """INSERT INTO actions (id, at, user, source, label, kind, reverses)
           VALUES (?, ?, ?, ?, ?, ?, ?)""",
        [last + 1, now_utc(), store.user, store.source, label, current.kind, current.reverses],
    )
    return last + 1


def default_label(changes: list[Change]) -> str:
    if len(changes) == 1:
        return describe_change(changes[0].kind, changes[0].key, changes[0].action)
    return f"{len(changes)} changes"


PLURALS = {
    "person": "people",
    "policy": "policies",
    "organization": "organization",
}


def count_text(counts: dict[str, int]) -> str:
    """Records by kind, most first: '53 channels, 10 departments, 1 organization'."""
    parts = sorted(counts.items(), key=lambda item: (-item[1], item[0]))
    return ", ".join(
        f"{n} {kind if n == 1 else PLURALS.get(kind, kind + 's')}" for kind, n in parts
    )


@dataclass(frozen=True)
class Action:
    """One user action: a form save, a delete, an import, a waiver, a rule change..."""

    id: int
    at: str
    user: str
    source: str
    label: str
    kind: str  # "do"; "undo" / "redo" reverse the action `reverses`
    reverses: int | None
    reversed_by: int | None
    counts: dict[str, int]

    @property
    def size(self) -> int:
        """How many records it changed."""
        return sum(self.counts.values())

    @property
    def summary(self) -> str:
        return count_text(self.counts)


_ACTION_COLUMNS = "id, at, user, source, label, kind, reverses, reversed_by"


def _actions(store: Store, where: str, params: list[Any], limit: int | None = None) -> list[Action]:
    sql = f"SELECT {_ACTION_COLUMNS} FROM actions WHERE {where} ORDER BY id DESC"
    if limit is not None:
        sql += f" LIMIT {int(limit)}"
    rows = store.conn.execute(sql, params).fetchall()
    counts: dict[int, dict[str, int]] = {row[0]: {} for row in rows}
    if rows:
        marks = ", ".join("?" * len(rows))
        for change_id, kind, n in store.conn.execute(
            f"""SELECT change_id, kind, count(*) FROM history WHERE change_id IN ({marks})
                GROUP BY change_id, kind""",
            list(counts),
        ):
            counts[change_id][kind] = n
    return [
        Action(
            id=row[0],
            at=row[1],
            user=row[2],
            source=row[3],
            label=row[4],
            kind=row[5],
            reverses=row[6],
            reversed_by=row[7],
            counts=counts[row[0]],
        )
        for row in rows
    ]


def list_actions(store: Store, limit: int | None = None) -> list[Action]:
    """The newest actions first."""
    return _actions(store, "1", [], limit)


def get_action(store: Store, action_id: int) -> Action | None:
    found = _actions(store, "id = ?", [action_id])
    return found[0] if found else None


def next_undo(store: Store) -> Action | None:
    """The action ctrl+z would reverse: the newest done (or redone) one not yet undone."""
    found = _actions(store, "kind IN ('do', 'redo') AND reversed_by IS NULL", [], 1)
    return found[0] if found else None


def next_redo(store: Store) -> Action | None:
    """The undo ctrl+y would reverse: the newest one not yet redone, unless a new action
    came after it (a new action clears what could be redone)."""
    found = _actions(
        store,
        """kind = 'undo' AND reversed_by IS NULL
           AND id > (SELECT coalesce(max(id), 0) FROM actions WHERE kind = 'do')""",
        [],
        1,
    )
    return found[0] if found else None


def origin(store: Store, action: Action) -> Action:
    """The user's original action behind an undo or redo (for who did it and when)."""
    while action.kind != "do" and action.reverses is not None:
        earlier = get_action(store, action.reverses)
        if earlier is None:
            break
        action = earlier
    return action


def question(store: Store, verb: str, action: Action) -> str:
    """The confirmation: 'Undo the import of acme.json by giulia on 2026-11-30: 53 channels,
    10 departments, ...?'"""
    first = origin(store, action)
    return f"{verb} {action.label} by {first.user} on {first.at[:10]}: {action.summary}?"


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
        None if before is None else orjson.loads(before),
        None if after is None else orjson.loads(after),
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


def change_entries(store: Store, change_id: int) -> list[Entry]:
    return [
        _entry(row)
        for row in store.conn.execute(
            f"SELECT {_ENTRY_COLUMNS} FROM history WHERE change_id = ? ORDER BY id", [change_id]
        )
    ]
