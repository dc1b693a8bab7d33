"""Waivers: a person's reasoned decision that one flag is accepted, maybe until a date."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from datetime import date
from typing import Any

from inventory.flags import Waiver
from inventory.history import logged_rows, row_key
from inventory.listing import fold, register_fold, sort_terms
from inventory.rules.stored import WaiverEntry, read_waivers, stored_waiver
from inventory.store import Store


class WaiverError(ValueError):
    """A waiver that can't be saved; the message is one line for a person."""


def existing_subject(store: Store, subject_type: str, subject_id: str) -> str:
    """The subject's id as the rules report it (any case); WaiverError if there is none."""
    row = store.conn.execute(
        f"SELECT subject_id FROM facts_{subject_type} WHERE subject_id = ? COLLATE NOCASE"
        " ORDER BY subject_id = ? DESC LIMIT 1",
        [subject_id, subject_id],
    ).fetchone()
    if row is None:
        raise WaiverError(f"there is no {subject_type} {subject_id!r} in this inventory")
    return str(row[0])


def check_waiver(
    store: Store, rule: str, subject_id: str, reason: str, until: date | None, on: date
) -> tuple[str, str]:
    """The one check every way of waiving goes through (the CLI's `waive`, the UI's
    dialogs): a reason, a rule that exists, a subject it can flag, an `until` not before
    `on` (today). Returns the reason and the subject id as the rules report it; WaiverError
    (or RuleError for an unknown rule) says what is wrong, in one line."""
    reason = (reason or "").strip()
    subject_id = (subject_id or "").strip()
    if not reason:
        raise WaiverError("a waiver needs a reason")
    if not subject_id:
        raise WaiverError("a waiver needs a subject id")
    from inventory.rules.catalog import require_rule  # pydantic: not for `check`

    found = require_rule(store, rule)
    if until is not None and until < on:
        raise WaiverError(f"until {until} is before today ({on}): the waiver would never apply")
    return reason, existing_subject(store, found.subject_type, subject_id)


def waive(
    store: Store,
    rule: str,
    subject_id: str,
    reason: str,
    until: date | None,
    by: str,
    on: date,
    *,
    existing: bool = False,
) -> Waiver:
    """Waive `rule`'s flag on `subject_id` (replacing any earlier waiver of that flag);
    `existing`: only change a waiver that is there (an edit: WaiverError if it was removed
    meanwhile). One undoable action."""
    # inside the transaction: a database that can't be written says so first
    with store.transaction():
        reason, subject_id = check_waiver(store, rule, subject_id, reason, until, on)
        if existing and get_waiver(store, rule, subject_id) is None:
            raise WaiverError(f"there is no waiver of {rule} on {subject_id} any more")
        waiver = Waiver(reason=reason, until=until, by=by or "unknown", on=on)
        with logged_rows(store, "waiver", [row_key("waiver", rule, subject_id)]):
            store.conn.execute(
                """INSERT INTO waivers (rule, subject_id, reason, until, by, "on")
                   VALUES (?, ?, ?, ?, ?, ?)
                   ON CONFLICT (rule, subject_id) DO UPDATE SET reason = excluded.reason,
                       until = excluded.until, by = excluded.by, "on" = excluded."on"
                """,
                [rule, subject_id, reason, _iso(until), waiver.by, on.isoformat()],
            )
    return waiver


def get_waiver(store: Store, rule: str, subject_id: str) -> Waiver | None:
    """The waiver of `rule` on `subject_id`, expired or not; None if there is none."""
    row = store.conn.execute(
        'SELECT reason, until, by, "on" FROM waivers WHERE rule = ? AND subject_id = ?',
        [rule, subject_id],
    ).fetchone()
    return None if row is None else stored_waiver(*row)


def unwaive(store: Store, rule: str, subject_id: str) -> bool:
    """Remove the waiver of `rule` on `subject_id`; False if there was none."""
    key = row_key("waiver", rule, subject_id)
    with store.transaction(), logged_rows(store, "waiver", [key]):
        cursor = store.conn.execute(
            "DELETE FROM waivers WHERE rule = ? AND subject_id = ?", [rule, subject_id]
        )
    return cursor.rowcount > 0


def list_waivers(store: Store) -> list[WaiverEntry]:
    return read_waivers(store.conn)


# --- the Waivers view: counted and paged from SQLite, never loaded whole ----------------------

#: Sortable columns and the SQL each sorts by; ties by rule and subject, in the same direction.
WAIVER_SORTS: dict[str, str] = {
    "rule": "w.rule",
    "subject": "w.subject_id COLLATE NOCASE",
    "reason": "w.reason COLLATE NOCASE",
    "until": "w.until IS NULL, w.until",
    "by": "w.by COLLATE NOCASE",
    "on": 'w."on"',
}

# every column the view shows, one text per waiver (char(31) between: no match spans two)
_SEARCHED = (
    "w.rule || char(31) || w.subject_id || char(31) || w.reason || char(31)"
    " || coalesce(w.until, '') || char(31) || w.by || char(31) || w.\"on\""
)
_FROM = "FROM waivers w LEFT JOIN rules r ON r.code = w.rule"


@dataclass(frozen=True)
class WaiverQuery:
    """Which waivers to list (`text`: a filter over every column shown), in which order."""

    text: str = ""
    sort: str = "rule"
    descending: bool = False


@dataclass(frozen=True)
class WaiverRow:
    """One line of the Waivers view."""

    rule: str
    subject_type: str | None  # the rule's; None when the rule was deleted since
    subject_id: str
    waiver: Waiver

    @property
    def key(self) -> str:
        return row_key("waiver", self.rule, self.subject_id)


def _where(conn: sqlite3.Connection, query: WaiverQuery) -> tuple[str, dict[str, str]]:
    text = fold(query.text.strip())
    if not text:
        return "", {}
    if text.isascii():
        # SQLite's lower() folds the ASCII letters, all an ASCII text can match; the
        # Python fold called for every row: 80-90 ms a scan of 100,000 against 60 ms
        return f"WHERE instr(lower({_SEARCHED}), :t)", {"t": text}
    register_fold(conn)
    return f"WHERE instr(inventory_fold({_SEARCHED}), :t)", {"t": text}


def _order(query: WaiverQuery) -> str:
    expression = WAIVER_SORTS.get(query.sort, WAIVER_SORTS["rule"])
    terms = sort_terms(f"{expression}, w.rule, w.subject_id", query.descending)
    return "ORDER BY " + ", ".join(terms)


def count_waivers(conn: sqlite3.Connection, query: WaiverQuery) -> int:
    where, params = _where(conn, query)
    (count,) = conn.execute(f"SELECT count(*) FROM waivers w {where}", params).fetchone()
    return int(count)


def page_waivers(
    conn: sqlite3.Connection, query: WaiverQuery, offset: int, limit: int
) -> list[WaiverRow]:
    """The waivers `offset` .. `offset + limit` matching `query`, in its order."""
    where, params = _where(conn, query)
    rows = conn.execute(
        f"""SELECT w.rule, r.subject_type, w.subject_id, w.reason, w.until, w.by, w."on"
            {_FROM} {where} {_order(query)} LIMIT :limit OFFSET :offset""",
        {**params, "limit": limit, "offset": max(0, offset)},
    )
    return [
        WaiverRow(rule, subject_type, subject_id, stored_waiver(reason, until, by, on))
        for rule, subject_type, subject_id, reason, until, by, on in rows
    ]


def waiver_position(conn: sqlite3.Connection, query: WaiverQuery, key: str) -> int | None:
    """Where the waiver `key` (rule:subject) sits in the list (None: not listed)."""
    where, params = _where(conn, query)
    rule, _, subject_id = key.partition(":")
    row = conn.execute(
        f"""SELECT position FROM (
                SELECT w.rule AS rule, w.subject_id AS subject_id,
                       row_number() OVER ({_order(query)}) - 1 AS position
                FROM waivers w {where})
            WHERE rule = :rule AND subject_id = :subject""",
        {**params, "rule": rule, "subject": subject_id},
    ).fetchone()
    return None if row is None else int(row[0])


def _iso(value: Any) -> str | None:
    return value.isoformat() if value is not None else None
