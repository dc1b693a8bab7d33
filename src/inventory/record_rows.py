"""Records as the rows of their tables: natural keys to row ids, and many records written at
once (an import of 100,000 channels and a form save of one share this code and its SQL).

Rows are plain lists taken straight from the validated records: a `model_dump` and a dict
of named parameters per record were half of an import's writing. A reference becomes the
row id of its key; a key that resolves to nothing raises `MissingReference`, so a
reference is never written as NULL. `inventory.records` builds on this module and turns
that error into the record's problem.
"""

from __future__ import annotations

import functools
import gc
import itertools
import json
import operator
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from typing import Any

from inventory.kinds import ORGANIZATION, RECORD_KINDS, Field, Kind
from inventory.models import Organization, Record, key_form
from inventory.store import Store


@contextmanager
def bulk_work() -> Iterator[None]:
    """Pause the cyclic garbage collector while building or writing a whole inventory.

    Hundreds of thousands of small, acyclic objects make it rescan the heap over and
    over: measured on 100,000 channels, import takes 19 s with it running, 11 s without
    (a spreadsheet's rows: 3.5 s to validate with it, 1.3 s without).
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


SINGLE_KEYED = {name: kind for name, kind in RECORD_KINDS.items() if len(kind.key) == 1}
"""The kinds keyed by one text column, whose keys other records refer to."""
LOOKUP_ALL_ABOVE = 500
"""Above this many keys a lookup reads the whole table once instead of `IN (...)`."""


def resolve_keys(store: Store, kind: str, keys: Iterable[str]) -> dict[str, tuple[int, str]]:
    """key_form(key) -> (row id, the key as stored) for each of `keys` the database holds.

    Compared with `key_form`, not with SQLite's NOCASE (which folds ASCII only): the
    index narrows the search, and an e-mail it can't find (non-ASCII case) is looked for
    among every person's key form."""
    wanted = {key_form(kind, key) for key in keys}
    if not wanted:
        return {}
    keyed = SINGLE_KEYED[kind]
    select = f"SELECT id, {keyed.key[0]} FROM {keyed.table}"
    if len(wanted) > LOOKUP_ALL_ABOVE:
        rows = store.conn.execute(select).fetchall()
    else:
        marks = ",".join("?" * len(wanted))
        where = f"{select} WHERE {keyed.key[0]} IN ({marks})"
        rows = store.conn.execute(where, sorted(wanted)).fetchall()
    found = {}
    for row_id, value in rows:
        if (form := key_form(kind, value)) in wanted:
            found[form] = (row_id, value)
    if keyed.folded_key and len(found) < len(wanted) and len(wanted) <= LOOKUP_ALL_ABOVE:
        for row_id, value in store.conn.execute(select):
            if (form := key_form(kind, value)) in wanted:
                found.setdefault(form, (row_id, value))
    return found


class MissingReference(Exception):
    """A record refers to a key the database doesn't hold."""

    def __init__(self, values: Mapping[str, Any], field: str, target: str, key: str):
        self.values, self.field, self.target, self.key = values, field, target, key
        super().__init__(f"no {target} {key}")


class _Missing(Exception):
    """A key that resolves to nothing, before it is known which record refers to it."""

    def __init__(self, spec: Field, key: str):
        self.spec, self.key = spec, key

    def of(self, values: Mapping[str, Any]) -> MissingReference:
        return MissingReference(values, self.spec.name, self.spec.refers_to or "", self.key)


Referenced = dict[str, set[str]]
"""The keys records refer to, by the kind referred to, as written (not in `key_form`)."""


def referenced_keys(kind: Kind, values: Iterable[Mapping[str, Any]]) -> Referenced:
    """Every key that validated records of `kind` refer to (a pass over every record and
    field: an import works it out once for its checks, writing and plan)."""
    values = list(values)
    wanted: Referenced = {}
    for spec in kind.references:
        keys = wanted.setdefault(spec.refers_to or "", set())
        column = map(operator.itemgetter(spec.name), values)
        if spec.link is None:
            keys.update(column)
        elif spec.link.item_key is None:
            keys.update(itertools.chain.from_iterable(column))
        else:
            items = itertools.chain.from_iterable(column)
            keys.update(map(operator.attrgetter(spec.link.item_key), items))
        keys.discard(None)
    return wanted


class _References:
    """The row ids of the keys a batch of records refers to, by the keys as written."""

    def __init__(self, store: Store, referenced: Referenced):
        self.ids: dict[str, dict[str, int]] = {}
        for target, keys in referenced.items():
            found = resolve_keys(store, target, keys)
            self.ids[target] = {
                key: found[form][0] for key in keys if (form := key_form(target, key)) in found
            }

    def converter(self, spec: Field) -> Callable[[str | None], int | None]:
        """A field's key -> its row id (None stays None; a key not found raises)."""
        ids = self.ids[spec.refers_to or ""]

        def row_id(key: str | None) -> int | None:
            if key is None:
                return None
            found = ids.get(key)
            if found is None:
                raise _Missing(spec, key)
            return found

        return row_id


@functools.lru_cache(maxsize=4096)
def _json_text(values: tuple[Any, ...]) -> str:
    return json.dumps(list(values), ensure_ascii=False)


def _converter(spec: Field, references: _References | None) -> Callable[[Any], Any] | None:
    """How a field's validated value is written to its column; None: as it is."""
    if spec.stored == "reference" and references is not None:
        return references.converter(spec)
    if spec.stored == "json":
        return lambda values: _json_text(tuple(values))  # a few distinct lists, many records
    if spec.stored == "bool":
        return int
    if spec.widget == "date":
        return lambda day: None if day is None else day.isoformat()
    return None


def _table_rows(
    kind: Kind, values: list[dict[str, Any]], references: _References | None
) -> list[list]:
    """The records' rows of the kind's own table, in `Kind.upsert`'s parameter order."""
    names = [spec.name for spec in kind.written]
    get = operator.itemgetter(*names) if len(names) > 1 else lambda v: (v[names[0]],)
    converters = [
        (i, convert)
        for i, spec in enumerate(kind.written)
        if (convert := _converter(spec, references)) is not None
    ]
    rows = []
    for record in values:
        row = list(get(record))
        try:
            for i, convert in converters:
                row[i] = convert(row[i])
        except _Missing as missing:
            raise missing.of(record) from None
        rows.append(row)
    return rows


def write_organization(store: Store, organization: Organization) -> None:
    store.conn.execute(
        ORGANIZATION.upsert, _table_rows(ORGANIZATION, [organization.__dict__], None)[0]
    )


def write_rows(
    store: Store,
    kind: Kind,
    records: Iterable[Record],
    *,
    fresh: bool,
    referenced: Referenced | None = None,
) -> None:
    """Upsert records of one kind and their linked lists (see `records.write_records`);
    `referenced` is `referenced_keys` of the records, when the caller has it already."""
    records = list(records)
    if kind.folded_key:
        _respell(store, kind, records)
    values = [record.__dict__ for record in records]
    if referenced is None:
        referenced = referenced_keys(kind, values)
    references = _References(store, referenced)
    rows = _table_rows(kind, values, references)
    new = _new_records(store, kind, values)
    known = [not n for n in new]
    store.conn.executemany(kind.insert, itertools.compress(rows, new))
    store.conn.executemany(kind.upsert, itertools.compress(rows, known))
    if kind.links and values:
        # a record new to the table has no link rows to delete: they go with their
        # record (ON DELETE CASCADE); 300,000 deletes of nothing for 100,000 new channels
        _write_links(store, kind, values, references, replaced=None if fresh else known)


def _respell(store: Store, kind: Kind, records: list[Record]) -> None:
    """The same key spelled in another case: the row takes the new spelling first, so the
    upsert finds it (a NOCASE unique index folds ASCII only)."""
    column = kind.key[0]
    existing = resolve_keys(store, kind.name, [getattr(r, column) for r in records])
    store.conn.executemany(
        f"UPDATE {kind.table} SET {column} = ? WHERE id = ?",
        [
            (getattr(r, column), found[0])
            for r in records
            if (found := existing.get(key_form(kind.name, getattr(r, column))))
            and found[1] != getattr(r, column)
        ],
    )


def _write_links(
    store: Store,
    kind: Kind,
    values: list[dict[str, Any]],
    references: _References,
    *,
    replaced: list[bool] | None,
) -> None:
    """Each record's linked lists, one row per item in list order, by the records' row ids;
    `replaced` says which records' link rows are deleted first (None: none has any)."""
    owners = _row_ids(store, kind, values)
    for spec in kind.links:
        link = spec.link
        assert link is not None
        if replaced is not None:
            store.conn.executemany(
                f"DELETE FROM {link.table} WHERE {link.owner_column} = ?",
                [(o,) for o in itertools.compress(owners, replaced)],
            )
        rows = _link_rows(spec, owners, values, references)
        columns = ", ".join([link.owner_column, link.target_column, *link.extras, "position"])
        marks = ", ".join("?" * (len(link.extras) + 3))
        store.conn.executemany(f"INSERT INTO {link.table} ({columns}) VALUES ({marks})", rows)


def _link_rows(
    spec: Field, owners: list[int], values: list[dict[str, Any]], references: _References
) -> list[tuple]:
    """The link table's rows of one list field: (owner, target[, extras], position)."""
    link = spec.link
    assert link is not None
    ids = references.ids[spec.refers_to or ""]
    rows: list[tuple] = []
    add = rows.extend
    for owner, record in zip(owners, values, strict=True):
        items = record[spec.name]
        if not items:  # most records' lists are empty: nothing to look up
            continue
        try:
            if link.item_key is None:
                add([(owner, ids[item], position) for position, item in enumerate(items)])
                continue
            for position, item in enumerate(items):
                extras = [getattr(item, extra) for extra in link.extras]
                target = ids[getattr(item, link.item_key)]
                rows.append((owner, target, *extras, position))
        except KeyError:
            keys = items if link.item_key is None else [getattr(i, link.item_key) for i in items]
            raise _Missing(spec, next(k for k in keys if k not in ids)).of(record) from None
    return rows


def _key_getter(kind: Kind) -> Callable[[Mapping[str, Any]], tuple]:
    """A record's natural key from its values, as a tuple of the key columns' values."""
    return operator.itemgetter(*kind.key) if len(kind.key) > 1 else lambda v: (v[kind.key[0]],)


def _new_records(store: Store, kind: Kind, values: list[dict[str, Any]]) -> list[bool]:
    """Per record, whether the table holds no row with its key (a plain INSERT) or may
    (the upsert). SQLite journals every row of an upsert in case it must be undone
    halfway (up to 60 KB a row, spilled to a temporary file: 3.5 GB written for 100,000
    channels), and a plain INSERT not at all. A few records, or a batch that names a key
    twice (the upsert keeps the last), take the upsert."""
    if len(values) <= LOOKUP_ALL_ABOVE or kind.singleton:
        return [False] * len(values)
    get = _key_getter(kind)
    keys = [get(v) for v in values]
    if len(set(keys)) < len(keys):
        return [False] * len(values)
    stored = set(store.conn.execute(f"SELECT {', '.join(kind.key)} FROM {kind.table}"))
    return [key not in stored for key in keys]


def _row_ids(store: Store, kind: Kind, values: list[dict[str, Any]]) -> list[int]:
    """The row ids of the records (just written) with these values' natural keys."""
    get = _key_getter(kind)
    sql = f"SELECT id, {', '.join(kind.key)} FROM {kind.table}"
    if len(values) > LOOKUP_ALL_ABOVE:
        ids = {tuple(row[1:]): row[0] for row in store.conn.execute(sql)}
        return [ids[get(v)] for v in values]
    where = " AND ".join(f"{name} = ?" for name in kind.key)
    return [store.conn.execute(f"{sql} WHERE {where}", get(v)).fetchone()[0] for v in values]
