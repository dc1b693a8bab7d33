"""People, departments, consultants and policies as the UI lists them, the way `listing`
lists channels: counted and paged from SQLite (`RecordQuery`, `count_records`,
`page_records`, `record_position`). How many records use each one is counted for a whole
page in one GROUP BY, never one query per row. Every row carries the revision it was read
at, so a delete from the list can refuse a record changed since. Nothing here imports the
UI.
"""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass

from inventory.kinds import KINDS, Kind, Usage
from inventory.listing import FIELD_SEP, fold, register_fold, sort_terms


@dataclass(frozen=True)
class RecordListing:
    """How one kind of record is listed: its columns, sort orders and usage counts."""

    kind: str
    columns: str  # the values of `fields`, in order, from `source` (the record is `r`)
    source: str
    fields: list[str]
    key_sql: str  # the canonical id of a row
    sorts: dict[str, str]  # column -> SQL expression
    default_sort: str
    # count name -> SQL of (used, user) pairs: the id of a listed record (among `:ids`)
    # and the id of a record that uses it
    counts: dict[str, str]
    json_fields: tuple[str, ...] = ()
    bool_fields: tuple[str, ...] = ()
    # the text the filter searches: every text column shown (not the yes/no ones, nor counts)
    search: str = "''"

    @property
    def select(self) -> str:
        return f"SELECT r.id, {self.key_sql}, r.revision, {self.columns} {self.source}"


def _usage_count_sql(usage: Usage) -> str:
    """How many records use the listed record `r` through one field (a count column's sort)."""
    link = usage.field.link
    if link is None:
        table, column = usage.user.table, usage.field.db_column
    else:
        table, column = link.table, link.target_column
    return f"(SELECT count(*) FROM {table} WHERE {column} = r.id)"


def _listing(kind: Kind) -> RecordListing:
    """A kind's list, from its fields with a `column` and the fields that count its users."""
    columns, joins, fields, sorts, texts = [], [], [], {}, []
    for number, spec in enumerate(kind.fields):
        if spec.column is None:
            continue
        value = f"r.{spec.name}"
        if spec.stored == "reference":
            target = KINDS[spec.refers_to or ""]
            alias = f"j{number}"
            joins.append(f"LEFT JOIN {target.table} {alias} ON {alias}.id = r.{spec.db_column}")
            value = f"{alias}.{target.key[0]}"
        columns.append(value)
        fields.append(spec.name)
        if spec.stored == "json":  # the items, not the JSON text (which escapes accents)
            texts.append(f"(SELECT group_concat(value, {FIELD_SEP}) FROM json_each({value}))")
        elif spec.stored != "bool":
            texts.append(value)
        if spec.column.sort is not None:
            sorts[spec.name] = spec.column.sort
        elif spec.stored == "reference":
            sorts[spec.name] = f"{value} IS NULL, {value} COLLATE NOCASE"
        elif spec.widget == "date":
            sorts[spec.name] = f"{value} IS NULL, {value}"
        elif spec.stored == "json":  # a list: by how many, then by its text
            sorts[spec.name] = f"json_array_length({value}), {value}"
        else:
            sorts[spec.name] = value
    for usage in kind.used_by:
        if usage.field.counted is not None:
            sorts[usage.field.counted.name] = _usage_count_sql(usage)
    key_sql = " || '/' || ".join(f"r.{name}" for name in kind.key)
    return RecordListing(
        kind=kind.name,
        columns=", ".join(columns),
        source=" ".join([f"FROM {kind.table} r", *joins]),
        fields=fields,
        key_sql=f"lower({key_sql})" if kind.folded_key else key_sql,
        sorts=sorts,
        default_sort=kind.key[0],
        # one count per using field, not one of distinct users: each is an index-only
        # GROUP BY (departments' reporting and linked channels: 5 ms a page at 100,000
        # channels; a UNION of both took 65 ms)
        counts={
            usage.field.counted.name: usage.pairs_sql
            for usage in kind.used_by
            if usage.field.counted is not None
        },
        json_fields=tuple(f.name for f in kind.fields if f.column and f.stored == "json"),
        bool_fields=tuple(f.name for f in kind.fields if f.column and f.stored == "bool"),
        search=f" || {FIELD_SEP} || ".join(f"coalesce({text}, '')" for text in texts) or "''",
    )


RECORD_LISTINGS: dict[str, RecordListing] = {
    kind.name: _listing(kind) for kind in KINDS.values() if kind.listed
}


@dataclass(frozen=True)
class RecordQuery:
    """Which records of a kind to list (`text`: only those showing it), in which order."""

    kind: str
    sort: str = ""
    descending: bool = False
    text: str = ""


@dataclass(frozen=True)
class RecordRow:
    """One line of a record list: the record's values, its revision, how much uses it."""

    kind: str
    key: str
    revision: int
    values: dict[str, object]
    counts: dict[str, int]


def _record_order(query: RecordQuery) -> str:
    listing = RECORD_LISTINGS[query.kind]
    expression = listing.sorts.get(query.sort) or listing.sorts[listing.default_sort]
    return "ORDER BY " + ", ".join(sort_terms(f"{expression}, {listing.key_sql}", query.descending))


def _record_where(conn: sqlite3.Connection, query: RecordQuery) -> tuple[str, list[str]]:
    """The filter of a record list: the folded text in any text column shown. A scan, no
    search table as for the channels (see `matching_records`)."""
    text = fold(query.text.strip())
    if not text:
        return "", []
    register_fold(conn)
    listing = RECORD_LISTINGS[query.kind]
    return f"WHERE instr(inventory_fold({listing.search}), ?)", [text]


def count_records(conn: sqlite3.Connection, query: RecordQuery) -> int:
    """How many records of the query's kind match it."""
    listing = RECORD_LISTINGS[query.kind]
    where, params = _record_where(conn, query)
    (count,) = conn.execute(f"SELECT count(*) {listing.source} {where}", params).fetchone()
    return int(count)


def page_records(
    conn: sqlite3.Connection, query: RecordQuery, offset: int, limit: int
) -> list[RecordRow]:
    """The records `offset` .. `offset + limit` in the query's order, with usage counts."""
    listing = RECORD_LISTINGS[query.kind]
    where, params = _record_where(conn, query)
    rows = conn.execute(
        f"{listing.select} {where} {_record_order(query)} LIMIT ? OFFSET ?",
        [*params, limit, max(0, offset)],
    ).fetchall()
    return _record_rows(conn, query.kind, rows)


def matching_records(conn: sqlite3.Connection, query: RecordQuery) -> list[tuple[int, str]]:
    """(id, key) of every record matching the query's filter, in the query's order: one scan
    a key typed, from which a filtered list is counted, paged and searched (a count, a page
    and a position were three scans)."""
    listing = RECORD_LISTINGS[query.kind]
    where, params = _record_where(conn, query)
    sql = f"SELECT r.id, {listing.key_sql} {listing.source} {where} {_record_order(query)}"
    return [(int(row_id), str(key)) for row_id, key in conn.execute(sql, params)]


def records_by_id(conn: sqlite3.Connection, kind: str, ids: list[int]) -> list[RecordRow]:
    """The list rows of the records `ids` of `kind`, in that order."""
    listing = RECORD_LISTINGS[kind]
    if not ids:
        return []
    marks = ",".join("?" * len(ids))
    rows = conn.execute(f"{listing.select} WHERE r.id IN ({marks})", ids).fetchall()
    by_id = {row[0]: row for row in rows}
    return _record_rows(conn, kind, [by_id[i] for i in ids if i in by_id])


def _record_rows(conn: sqlite3.Connection, kind: str, rows: list) -> list[RecordRow]:
    listing = RECORD_LISTINGS[kind]
    counts = usage_counts(conn, kind, [row[0] for row in rows])
    result = []
    for row_id, key, revision, *values in rows:
        named: dict[str, object] = dict(zip(listing.fields, values, strict=True))
        for name in listing.json_fields:
            named[name] = json.loads(str(named[name] or "[]"))
        for name in listing.bool_fields:
            named[name] = bool(named[name])
        found = {name: counts[name].get(row_id, 0) for name in listing.counts}
        result.append(RecordRow(kind, key, revision, named, found))
    return result


def usage_counts(conn: sqlite3.Connection, kind: str, ids: list[int]) -> dict[str, dict[int, int]]:
    """For each count of `kind`: record id -> how many distinct records use it. One
    GROUP BY per count covers every id of a page."""
    listing = RECORD_LISTINGS[kind]
    if not ids:
        return {name: {} for name in listing.counts}
    marks = ",".join("?" * len(ids))
    result: dict[str, dict[int, int]] = {}
    for name, pairs in listing.counts.items():
        sql = pairs.format(ids=marks)
        params = ids * pairs.count("{ids}")
        result[name] = dict(
            conn.execute(
                f"SELECT used, count(DISTINCT user) FROM ({sql}) GROUP BY used", params
            ).fetchall()
        )
    return result


def record_position(conn: sqlite3.Connection, query: RecordQuery, key: str) -> int | None:
    """Where the record `key` sits in the list for `query` (None when it doesn't exist or
    doesn't match the filter)."""
    listing = RECORD_LISTINGS[query.kind]
    where, params = _record_where(conn, query)
    sql = f"""SELECT position FROM (
                SELECT {listing.key_sql} AS key,
                       row_number() OVER ({_record_order(query)}) - 1 AS position
                {listing.source} {where})
              WHERE key = ?"""
    wanted = key.lower() if KINDS[query.kind].folded_key else key
    row = conn.execute(sql, [*params, wanted]).fetchone()
    return None if row is None else int(row[0])
