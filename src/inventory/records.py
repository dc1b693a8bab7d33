"""Reading and writing inventory records by natural key, with history of every change."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any, cast

from inventory import record_rows
from inventory.history import (
    ROW_TABLES,
    Change,
    UndoError,
    log_changes,
    read_row,
    restore_row,
    row_key,
)
from inventory.kinds import KINDS, ORGANIZATION, RECORD_KINDS, Field, Kind
from inventory.models import (
    Channel,
    Organization,
    Person,
    Record,
    clean_text,
    key_form,
)
from inventory.record_rows import resolve_keys
from inventory.store import UNNAMED_ORGANIZATION, ConflictError, Store, StoreError


class RecordError(StoreError):
    """A record that can't be saved as it is; `problems` names each reason."""

    def __init__(self, problems: list[Problem]):
        self.problems = problems
        super().__init__("; ".join(str(p) for p in problems))


class InUseError(StoreError):
    """A record can't be deleted because other records refer to it."""


@dataclass(frozen=True)
class Loaded:
    """A record as read, with the revision a later save must still find."""

    record: Record
    revision: int


# --- reading -------------------------------------------------------------------------------


def _rows(conn: sqlite3.Connection, sql: str, params: Iterable[Any] = ()) -> list[dict]:
    cursor = conn.execute(sql, list(params))
    names = [column[0] for column in cursor.description]
    return [dict(zip(names, row, strict=True)) for row in cursor]


def has_organization(store: Store) -> bool:
    return store.conn.execute("SELECT 1 FROM organization WHERE id = 1").fetchone() is not None


def read_organization(store: Store) -> Organization:
    """The organization; an empty inventory has none yet (unnamed, no domains)."""
    found = plain_records(store, ORGANIZATION.name)
    return Organization.model_validate(found[0] if found else {"name": UNNAMED_ORGANIZATION})


def _linked(
    store: Store, kind: Kind, owner_ids: list[int] | None
) -> dict[str, dict[int, list[Any]]]:
    """Every linked list of the kind's records (all, or those of `owner_ids`): field name ->
    owner id -> items in list order."""
    lists: dict[str, dict[int, list[Any]]] = {}
    for spec in kind.links:
        link = spec.link
        assert link is not None
        target = KINDS[spec.refers_to or ""]
        where, params = "", []
        if owner_ids is not None:
            where = f"WHERE l.{link.owner_column} IN ({','.join('?' * len(owner_ids))})"
            params = owner_ids
        extras = "".join(f", l.{extra}" for extra in link.extras)
        items: dict[int, list[Any]] = {}
        for owner, key, *more in store.conn.execute(
            f"""SELECT l.{link.owner_column}, t.{target.key[0]}{extras} FROM {link.table} l
                JOIN {target.table} t ON t.id = l.{link.target_column} {where}
                ORDER BY l.{link.owner_column}, l.position""",
            params,
        ):
            item: Any = key
            if link.item_key is not None:
                item = {link.item_key: key, **dict(zip(link.extras, more, strict=True))}
            items.setdefault(owner, []).append(item)
        lists[spec.name] = items
    return lists


def _plain_rows(store: Store, kind_name: str, key: str | None = None) -> list[tuple[dict, int]]:
    """Records as the plain values a document holds (field order of the model), with
    their revisions; no model is built, so reading 100,000 channels stays cheap."""
    kind = KINDS[kind_name]
    select, where, order = kind.select
    if key is None:
        rows = _rows(store.conn, f"{select} ORDER BY {order}")
    else:
        stored = stored_key(store, kind_name, key)
        if stored is None:
            return []
        rows = _rows(store.conn, f"{select} WHERE {where}", kind.split_key(stored))
    if kind.links:
        linked = _linked(store, kind, None if key is None else [r["id"] for r in rows])
        for row in rows:
            for name, items in linked.items():
                row[name] = items.get(row["id"], [])
    for spec in kind.fields:
        if spec.stored == "json":
            for row in rows:
                row[spec.name] = json.loads(row[spec.name])
        elif spec.stored == "bool":
            for row in rows:
                row[spec.name] = bool(row[spec.name])
    fields = [spec.name for spec in kind.fields]
    return [({name: row[name] for name in fields}, row["revision"]) for row in rows]


def plain_records(store: Store, kind: str) -> list[dict[str, Any]]:
    """Every record of a kind as plain values, in natural key order."""
    return [values for values, _ in _plain_rows(store, kind)]


def _read(store: Store, kind: str, key: str | None = None) -> list[Loaded]:
    model = KINDS[kind].model
    return [
        Loaded(model.model_validate(values), revision)
        for values, revision in _plain_rows(store, kind, key)
    ]


def stored_key(store: Store, kind: str, key: str) -> str | None:
    """The canonical id of the record whose key compares equal to `key`, spelled as the
    database holds it; None when there is none."""
    if kind not in record_rows.SINGLE_KEYED:
        return key
    found = resolve_keys(store, kind, [key]).get(key_form(kind, key))
    return None if found is None else found[1]


def list_records(store: Store, kind: str) -> list[Record]:
    """Every record of a kind, in natural key order."""
    return [loaded.record for loaded in _read(store, kind)]


def get_record(store: Store, kind: str, key: str) -> Loaded | None:
    found = _read(store, kind, key)
    return found[0] if found else None


def list_people(store: Store) -> list[Person]:
    return cast("list[Person]", list_records(store, "person"))


def list_channels(store: Store) -> list[Channel]:
    return cast("list[Channel]", list_records(store, "channel"))


def record_key(kind: str, record: Record) -> str:
    """The canonical id (inventory-document spec) of a record."""
    return KINDS[kind].key_of(record.__dict__)


# --- writing (the rows themselves: `record_rows`) ---------------------------------------------


def write_records(
    store: Store,
    kind_name: str,
    records: Iterable[Record],
    *,
    fresh: bool = False,
    referenced: record_rows.Referenced | None = None,
) -> None:
    """Upsert records of one kind and their linked lists; `fresh` says no record had links
    before (a new or cleared inventory), which spares the deletes in a large import;
    `referenced`: the keys they refer to, when the caller has worked them out."""
    kind = KINDS[kind_name]
    try:
        record_rows.write_rows(store, kind, records, fresh=fresh, referenced=referenced)
    except record_rows.MissingReference as missing:
        record = record_label(kind.name, kind.key_of(missing.values))
        why = f"no {missing.target} with that key exists"
        raise RecordError([Problem(record, missing.field, missing.key, why)]) from None


def clear_inventory(store: Store) -> None:
    """Remove every inventory record (rules, waivers and history stay): links first, then
    each kind after the kinds that refer to it."""
    for kind in reversed(KINDS.values()):
        for spec in kind.links:
            assert spec.link is not None
            store.conn.execute(f"DELETE FROM {spec.link.table}")
        store.conn.execute(f"DELETE FROM {kind.table}")


# --- references ----------------------------------------------------------------------------


@dataclass(frozen=True)
class KnownKeys:
    """Natural keys a set of records may refer to: kind name -> keys in their key form
    (`models.key_form`: case-folded e-mails)."""

    keys: Mapping[str, set[str]]

    def of(self, kind: str) -> set[str]:
        return self.keys.get(kind, set())

    @classmethod
    def of_store(cls, store: Store, wanted: dict[str, set[str]] | None = None) -> KnownKeys:
        """The database's keys of every kind that is referred to; only those among
        `wanted` (kind -> keys) when given, so one form save looks up its few references,
        not 25,000 people."""
        keys: dict[str, set[str]] = {}
        for kind in _REFERENCED:
            if wanted is None:
                sql = f"SELECT {kind.key[0]} FROM {kind.table}"
                keys[kind.name] = {key_form(kind.name, row[0]) for row in store.conn.execute(sql)}
            else:
                keys[kind.name] = set(resolve_keys(store, kind.name, wanted.get(kind.name, ())))
        return cls(keys)

    @classmethod
    def referenced_by(cls, store: Store, kind: str, values: Mapping[str, Any]) -> KnownKeys:
        """Those of the database's keys that one record's values refer to."""
        wanted: dict[str, set[str]] = {}
        for spec in KINDS[kind].references:
            keys = _referenced(values.get(spec.name), spec)
            wanted.setdefault(spec.refers_to or "", set()).update(keys)
        return cls.of_store(store, wanted)

    def union(self, other: KnownKeys) -> KnownKeys:
        names = self.keys.keys() | other.keys.keys()
        return KnownKeys({name: self.of(name) | other.of(name) for name in names})


_REFERENCED = [kind for kind in KINDS.values() if kind.used_by]


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a record: which record, which field, what value, why."""

    record: str
    field: str
    value: Any
    why: str

    def __str__(self) -> str:
        where = f"{self.record}, field '{self.field}'" if self.field else self.record
        value = "" if self.value is _NO_VALUE else f" = {_show(self.value)}"
        return f"{where}{value}: {self.why}"


_NO_VALUE = object()


def _show(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, default=str)


def record_label(kind: str, key: str) -> str:
    return f"{kind} {_show(key)}"


def _referenced(value: Any, spec: Field) -> list[str]:
    """The keys a field's value refers to; tolerant of not-yet-validated input."""
    if value is None:
        return []
    if isinstance(value, str):
        return [clean_text(value)]
    values = value if isinstance(value, list) else [value]
    item_key = spec.link.item_key if spec.link is not None else None
    keys = [
        v.get(item_key) if isinstance(v, dict) else getattr(v, item_key, v) if item_key else v
        for v in values
    ]
    return [clean_text(k) for k in keys if isinstance(k, str)]


Labelled = tuple[str, Callable[[], str], Mapping[str, Any]]


def reference_problems(known: KnownKeys, labelled: Iterable[Labelled]) -> list[Problem]:
    """Every reference to a natural key that `known` doesn't hold.

    `labelled` holds (kind, label maker, values) of people and channels; values may be
    raw input, so a document with other errors still gets its references checked. The
    label is only made for a record with a problem.
    """
    problems: list[Problem] = []
    for kind, label, values in labelled:
        for spec in KINDS[kind].references:
            target = KINDS[spec.refers_to or ""]
            keys = known.of(target.name)
            for key in _referenced(values.get(spec.name), spec):
                if key_form(target.name, key) not in keys:
                    problems.append(
                        Problem(label(), spec.name, key, f"no {target.name} with that key exists")
                    )
    return problems


def references_known(known: KnownKeys, referenced: record_rows.Referenced) -> bool:
    """Whether every key that validated records refer to (`record_rows.referenced_keys`)
    is among `known`: one pass over the distinct keys (`reference_problems` then says
    which are not, record by record)."""
    for target, keys in referenced.items():
        held = known.of(target)
        if any(key_form(target, key) not in held for key in keys - held):
            return False
    return True


def duplicate_problems(kind: str, keys: Iterable[str]) -> list[Problem]:
    seen: set[str] = set()
    reported: set[str] = set()
    problems = []
    for key in keys:
        if key in seen and key not in reported:
            reported.add(key)
            problems.append(
                Problem(record_label(kind, key), "", _NO_VALUE, "appears more than once")
            )
        seen.add(key)
    return problems


# --- saving one record (forms) and reverting changes (undo) ----------------------------------


def _plain(record: Record | None) -> dict[str, Any] | None:
    return None if record is None else record.model_dump(mode="json")


def save_record(
    store: Store,
    kind: str,
    record: Record,
    *,
    original_key: str | None = None,
    expected_revision: int | None = None,
) -> None:
    """Insert (original_key None) or update one record, refusing stale or dangling saves.

    `expected_revision` is the revision the editor read; if the record changed since, the
    save is refused with ConflictError and nothing is written.
    """
    key = record_key(kind, record)
    with store.transaction():
        record = _references_as_stored(store, kind, record)
        current = None
        if original_key is not None:
            current = get_record(store, kind, original_key)
            if current is None:
                raise ConflictError(
                    f"{kind} {original_key} was deleted by someone else since you opened it"
                )
            if expected_revision is not None and current.revision != expected_revision:
                raise ConflictError(
                    f"{kind} {original_key} was changed by someone else since you opened it"
                )
        old_key = None if current is None else record_key(kind, current.record)
        if key != old_key and get_record(store, kind, key) is not None:
            raise RecordError([Problem(record_label(kind, key), "", _NO_VALUE, "already exists")])
        problems = reference_problems(
            KnownKeys.referenced_by(store, kind, record.__dict__),
            [(kind, lambda: record_label(kind, key), record.__dict__)],
        )
        if problems:
            raise RecordError(problems)
        if current is not None and original_key is not None:
            _rename(store, kind, original_key, record)
        write_records(store, kind, [record])
        if kind in ("channel", "lookalike"):
            clashes = key_clash_problems(store)
            if clashes:
                raise RecordError(clashes)
        log_changes(
            store, [Change(kind, key, _plain(current.record if current else None), _plain(record))]
        )


PERSON_REFERENCES = {
    kind.name: fields
    for kind in RECORD_KINDS.values()
    if (fields := tuple(f.name for f in kind.references if f.refers_to == "person"))
}
"""Fields that name a person: their e-mail is written as the person's record spells it."""


def _references_as_stored(store: Store, kind: str, record: Record) -> Record:
    """The record with each e-mail it refers to spelled as the person is stored (a form
    may refer to `ärger@` for `Ärger@`), so its history matches what is written."""
    update: dict[str, Any] = {}
    for spec in KINDS[kind].references:
        target = KINDS[spec.refers_to or ""]
        value = getattr(record, spec.name)
        plain_list = spec.stored == "link" and spec.link is not None and not spec.link.item_key
        if not (spec.stored == "reference" or plain_list) or not target.folded_key or not value:
            continue
        keys = value if isinstance(value, list) else [value]
        found = resolve_keys(store, target.name, keys)
        spelled = [
            stored[1] if (stored := found.get(key_form(target.name, k))) else k for k in keys
        ]
        if spelled != keys:
            update[spec.name] = spelled if isinstance(value, list) else spelled[0]
    return record.model_copy(update=update) if update else record


def key_clash_problems(store: Store) -> list[Problem]:
    """Lookalikes that share their key with a channel (retired ones included): the
    inventory-document spec forbids such a pair in the database."""
    return [
        Problem(
            record_label("lookalike", key),
            "",
            _NO_VALUE,
            f"channel {key} has the same platform and handle; an account is either the "
            "company's channel or a lookalike, not both",
        )
        for (key,) in store.conn.execute(
            """SELECT l.platform || '/' || l.handle FROM lookalikes l
               JOIN channels c ON c.platform = l.platform AND c.handle = l.handle
               ORDER BY 1"""
        )
    ]


def _rename(store: Store, kind_name: str, original_key: str, record: Record) -> None:
    kind = KINDS[kind_name]
    original_key = stored_key(store, kind_name, original_key) or original_key
    assignments = ", ".join(f"{column} = ?" for column in kind.key)
    store.conn.execute(
        f"UPDATE {kind.table} SET {assignments} WHERE {kind.where_key}",
        [getattr(record, column) for column in kind.key] + kind.split_key(original_key),
    )


def users_of(store: Store, kind_name: str, key: str) -> list[str]:
    """Which records refer to this one, as `kind key` labels (at most 10 per reference)."""
    kind = KINDS[kind_name]
    key = stored_key(store, kind_name, key) or key
    row = store.conn.execute(
        f"SELECT id FROM {kind.table} WHERE {kind.where_key}", kind.split_key(key)
    )
    found = row.fetchone()
    if found is None:
        return []
    users: list[str] = []
    for usage in kind.used_by:
        source, column = usage.source
        user = usage.user
        label_sql = " || '/' || ".join(f"{user.table}.{name}" for name in user.key)
        rows = store.conn.execute(
            f"SELECT DISTINCT {label_sql} FROM {source} WHERE {column} = ? ORDER BY 1 LIMIT 11",
            [found[0]],
        ).fetchall()
        users.extend(f"{user.name} {value}" for (value,) in rows[:10])
        if len(rows) > 10:
            users.append(f"more {user.name}s")
    return list(dict.fromkeys(users))


def delete_record(
    store: Store, kind: str, key: str, *, expected_revision: int | None = None
) -> None:
    """Delete one record; refuse (InUseError) while other records refer to it."""
    with store.transaction():
        current = get_record(store, kind, key)
        if current is None:
            raise ConflictError(f"{kind} {key} no longer exists")
        if expected_revision is not None and current.revision != expected_revision:
            raise ConflictError(f"{kind} {key} was changed by someone else since you opened it")
        users = users_of(store, kind, key)
        if users:
            raise InUseError(f"{kind} {key} can't be deleted: it is used by {', '.join(users)}")
        _delete(store, kind, key)
        log_changes(
            store, [Change(kind, record_key(kind, current.record), _plain(current.record), None)]
        )


def _delete(store: Store, kind_name: str, key: str) -> None:
    kind = KINDS[kind_name]
    key = stored_key(store, kind_name, key) or key
    store.conn.execute(f"DELETE FROM {kind.table} WHERE {kind.where_key}", kind.split_key(key))


_KIND_ORDER = [*KINDS, *ROW_TABLES]


def revert(store: Store, changes: list[Change], *, check: bool = True) -> None:
    """Put records back to each change's `before`, refusing if any moved on since `after`
    (unless `check` is False: looking back walks the whole history, whose older rows may
    lack fields added since).

    Restores run referenced kinds first (departments before people before channels), then
    the deletes of inserted records dependants first, so references hold at every step.
    """
    for change in changes:
        if change.kind not in _KIND_ORDER:
            raise StoreError(f"changes to {change.kind} records can't be undone here")
        after_key = change.key if change.after is None else key_of_values(change.kind, change.after)
        if check and _current(store, change.kind, after_key) != change.after:
            raise UndoError(
                f"{change.kind} {change.key} changed since; undo would overwrite that, "
                "so nothing was undone"
            )
    ordered = sorted(changes, key=lambda c: _KIND_ORDER.index(c.kind))
    for change in ordered:
        if change.kind in ROW_TABLES:
            restore_row(store, change.kind, change.key, change.before)
            continue
        if change.before is None:
            continue
        if change.kind == ORGANIZATION.name:
            record_rows.write_organization(store, Organization.model_validate(change.before))
            continue
        record = KINDS[change.kind].model.model_validate(change.before)
        if change.after is not None:
            after_key = key_of_values(change.kind, change.after)
            if after_key != record_key(change.kind, record):
                _rename(store, change.kind, after_key, record)
        write_records(store, change.kind, [record])
    # the records the changes inserted go last: until every restored record points back
    # to what it referred to before, one of them may still refer to them
    for change in reversed(ordered):
        if change.before is None and change.after is not None and change.kind not in ROW_TABLES:
            _delete(store, change.kind, key_of_values(change.kind, change.after))


def _current(store: Store, kind: str, key: str) -> dict[str, Any] | None:
    if kind in ROW_TABLES:
        return read_row(store, kind, key)
    if kind == "organization":
        return read_organization(store).model_dump() if has_organization(store) else None
    loaded = get_record(store, kind, key)
    return None if loaded is None else _plain(loaded.record)


def key_of_values(kind: str, values: dict[str, Any]) -> str:
    """The canonical id of a record given as plain values."""
    if kind in ROW_TABLES:
        return row_key(kind, *(values[column] for column in ROW_TABLES[kind][1]))
    return KINDS[kind].key_of(values)


# --- snapshots (import history) ---------------------------------------------------------------

Snapshot = dict[tuple[str, str], dict[str, Any]]


def snapshot(store: Store) -> Snapshot:
    """Every record as plain values, keyed by (kind, canonical id)."""
    organization = _current(store, "organization", "organization")
    state: Snapshot = (
        {} if organization is None else {("organization", "organization"): organization}
    )
    for kind in RECORD_KINDS:
        for values in plain_records(store, kind):
            state[(kind, key_of_values(kind, values))] = values
    return state


def changes_between(before: Snapshot, after: Snapshot) -> list[Change]:
    return [
        Change(kind, key, before.get((kind, key)), after.get((kind, key)))
        for kind, key in sorted(before.keys() | after.keys())
        if before.get((kind, key)) != after.get((kind, key))
    ]
