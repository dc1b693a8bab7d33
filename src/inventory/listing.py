"""The channel list as the UI shows it: counted and paged from SQLite, never loaded whole.

A list of 100,000 channels is read one screenful at a time: `count_channels` says how many
rows match a `ChannelQuery` (filter text, sort column, flagged-only), `page_channels`
returns the rows from `offset` to `offset + limit`. Flag markers come from the latest
evaluation, copied into a temporary table (`install_flag_marks`) so SQLite can filter and
sort by them. Nothing here imports the UI.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from inventory.rules.flags import SEVERITY_ORDER, Evaluation, Flag

#: Sortable columns and the SQL expression each one sorts by.
SORT_COLUMNS: dict[str, str] = {
    "flag": "coalesce(m.worst, 9), -coalesce(m.flags, 0)",
    "platform": "c.platform",
    "handle": "c.handle",
    "name": "c.name COLLATE NOCASE",
    "owner": "o.name IS NULL, o.name COLLATE NOCASE",
    "department": "d.name IS NULL, d.name COLLATE NOCASE",
    "policy": "p.version IS NULL, p.version",
    "hours": "c.weekly_hours IS NULL, c.weekly_hours",
    "last_post": "c.last_post_on IS NULL, c.last_post_on",
    "status": "c.status",
}


@dataclass(frozen=True)
class ChannelQuery:
    """Which channels to list, in which order."""

    text: str = ""
    sort: str = "platform"
    descending: bool = False
    flagged_only: bool = False


@dataclass(frozen=True)
class FlagMark:
    """What the flag column shows for one subject: worst unwaived severity and counts."""

    worst: int | None  # index into SEVERITY_ORDER, None when every flag is waived
    flags: int  # unwaived flags
    waived: int

    @property
    def severity(self) -> str | None:
        return None if self.worst is None else _SEVERITY_BY_RANK[self.worst]


_SEVERITY_BY_RANK = {rank: name for name, rank in SEVERITY_ORDER.items()}


@dataclass(frozen=True)
class ChannelRow:
    """One line of the channel list."""

    key: str
    platform: str
    handle: str
    name: str
    status: str
    owner: str | None  # e-mail
    owner_name: str | None
    owner_employment: str | None
    consultants: list[tuple[str, str]] = field(default_factory=list)  # (name, role)
    reporting_department: str | None = None
    linked_departments: list[str] = field(default_factory=list)
    policy: str | None = None
    policy_status: str | None = None
    weekly_hours: float | None = None
    last_post_on: str | None = None
    mark: FlagMark | None = None


def flag_marks(flags: Iterable[Flag], subject_type: str = "channel") -> dict[str, FlagMark]:
    """Summarise flags per subject id of one subject type."""
    worst: dict[str, int | None] = {}
    counts: dict[str, list[int]] = {}
    for flag in flags:
        if flag.subject_type != subject_type:
            continue
        tally = counts.setdefault(flag.subject_id, [0, 0])
        worst.setdefault(flag.subject_id, None)
        if flag.waived:
            tally[1] += 1
            continue
        tally[0] += 1
        rank = SEVERITY_ORDER[flag.severity]
        current = worst[flag.subject_id]
        worst[flag.subject_id] = rank if current is None else min(current, rank)
    return {key: FlagMark(worst[key], tally[0], tally[1]) for key, tally in counts.items()}


def severity_totals(evaluation: Evaluation) -> dict[str, int]:
    """Unwaived flags by severity (every severity present)."""
    totals = dict.fromkeys(SEVERITY_ORDER, 0)
    for flag in evaluation.flags:
        if not flag.waived:
            totals[flag.severity] += 1
    return totals


_MARKS_TABLE = "temp.inventory_flag_marks"


def install_flag_marks(conn: sqlite3.Connection, marks: Mapping[str, FlagMark]) -> None:
    """Replace the flag marks the list filters and sorts by (a temporary table)."""
    _ensure_marks(conn)
    conn.execute("BEGIN")
    try:
        conn.execute(f"DELETE FROM {_MARKS_TABLE}")
        conn.executemany(
            f"INSERT INTO {_MARKS_TABLE} VALUES (?, ?, ?, ?)",
            [(key, m.worst, m.flags, m.waived) for key, m in marks.items()],
        )
        conn.execute("COMMIT")
    except BaseException:
        conn.execute("ROLLBACK")
        raise


def _ensure_marks(conn: sqlite3.Connection) -> None:
    conn.execute(
        f"""CREATE TABLE IF NOT EXISTS {_MARKS_TABLE} (
                subject_id TEXT PRIMARY KEY, worst INTEGER, flags INTEGER NOT NULL,
                waived INTEGER NOT NULL)"""
    )


_FROM = f"""
FROM channels c
LEFT JOIN people o ON o.id = c.owner_id
LEFT JOIN departments d ON d.id = c.reporting_department_id
LEFT JOIN policies p ON p.id = c.policy_id
LEFT JOIN {_MARKS_TABLE} m ON m.subject_id = c.platform || '/' || c.handle
"""

_COLUMNS = """
c.platform, c.handle, c.name, c.status, o.email, o.name, o.employment,
(SELECT json_group_array(json_array(name, role)) FROM (
    SELECT k.name AS name, cc.role AS role FROM channel_consultants cc
    JOIN consultants k ON k.id = cc.consultant_id
    WHERE cc.channel_id = c.id ORDER BY cc.position)),
d.name,
(SELECT json_group_array(name) FROM (
    SELECT ld.name AS name FROM channel_departments cd
    JOIN departments ld ON ld.id = cd.department_id
    WHERE cd.channel_id = c.id ORDER BY cd.position)),
p.version, p.status, c.weekly_hours, c.last_post_on, m.worst, m.flags, m.waived
"""


def _where(query: ChannelQuery) -> tuple[str, list[str]]:
    clauses: list[str] = []
    params: list[str] = []
    if query.flagged_only:
        clauses.append("m.flags > 0")
    text = query.text.strip().lower()
    if text:
        clauses.append(
            """(instr(lower(c.handle), :t) OR instr(lower(c.name), :t)
                OR instr(lower(c.platform), :t) OR instr(lower(coalesce(o.email, '')), :t)
                OR instr(lower(coalesce(o.name, '')), :t)
                OR instr(lower(coalesce(d.name, '')), :t)
                OR EXISTS (SELECT 1 FROM channel_departments fd
                           JOIN departments fdn ON fdn.id = fd.department_id
                           WHERE fd.channel_id = c.id AND instr(lower(fdn.name), :t)))"""
        )
        params.append(text)
    if not clauses:
        return "", []
    return "WHERE " + " AND ".join(clauses), params


def _order(query: ChannelQuery) -> str:
    expression = SORT_COLUMNS.get(query.sort, SORT_COLUMNS["platform"])
    direction = " DESC" if query.descending else ""
    parts = [part.strip() + direction for part in expression.split(",")]
    return "ORDER BY " + ", ".join([*parts, "c.platform", "c.handle"])


def _named(params: list[str]) -> dict[str, str]:
    return {"t": params[0]} if params else {}


def count_channels(conn: sqlite3.Connection, query: ChannelQuery) -> int:
    """How many channels match `query`."""
    _ensure_marks(conn)
    where, params = _where(query)
    (count,) = conn.execute(f"SELECT count(*) {_FROM} {where}", _named(params)).fetchone()
    return int(count)


def total_channels(conn: sqlite3.Connection) -> int:
    (count,) = conn.execute("SELECT count(*) FROM channels").fetchone()
    return int(count)


def page_channels(
    conn: sqlite3.Connection, query: ChannelQuery, offset: int, limit: int
) -> list[ChannelRow]:
    """The rows `offset` .. `offset + limit` of the channels matching `query`, in order."""
    _ensure_marks(conn)
    where, params = _where(query)
    sql = f"SELECT {_COLUMNS} {_FROM} {where} {_order(query)} LIMIT :limit OFFSET :offset"
    cursor = conn.execute(sql, {**_named(params), "limit": limit, "offset": max(0, offset)})
    return [_row(values) for values in cursor]


def channel_position(conn: sqlite3.Connection, query: ChannelQuery, key: str) -> int | None:
    """Where the channel `key` sits in the list for `query` (None when it doesn't match)."""
    _ensure_marks(conn)
    where, params = _where(query)
    sql = f"""SELECT position FROM (
                SELECT c.platform || '/' || c.handle AS key,
                       row_number() OVER ({_order(query)}) - 1 AS position
                {_FROM} {where})
              WHERE key = :key"""
    row = conn.execute(sql, {**_named(params), "key": key}).fetchone()
    return None if row is None else int(row[0])


def _row(values: tuple) -> ChannelRow:
    (
        platform,
        handle,
        name,
        status,
        owner,
        owner_name,
        owner_employment,
        consultants,
        department,
        linked,
        policy,
        policy_status,
        hours,
        last_post,
        worst,
        flags,
        waived,
    ) = values
    mark = None if flags is None else FlagMark(worst, flags, waived)
    return ChannelRow(
        key=f"{platform}/{handle}",
        platform=platform,
        handle=handle,
        name=name,
        status=status,
        owner=owner,
        owner_name=owner_name,
        owner_employment=owner_employment,
        consultants=[(c, r) for c, r in json.loads(consultants or "[]")],
        reporting_department=department,
        linked_departments=json.loads(linked or "[]"),
        policy=policy,
        policy_status=policy_status,
        weekly_hours=hours,
        last_post_on=last_post,
        mark=mark,
    )
