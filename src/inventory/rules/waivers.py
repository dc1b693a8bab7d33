"""Waivers: a person's reasoned decision that one flag is accepted, maybe until a date."""

from __future__ import annotations

import sqlite3
from datetime import date
from typing import Any, NamedTuple

from inventory.flags import Waiver
from inventory.history import logged_rows, row_key
from inventory.rules.catalog import require_rule
from inventory.store import Store


class WaiverError(ValueError):
    """A waiver that can't be saved; the message is one line for a person."""


class WaiverEntry(NamedTuple):
    rule: str
    subject_id: str
    waiver: Waiver


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


def waive(
    store: Store,
    rule: str,
    subject_id: str,
    reason: str,
    until: date | None,
    by: str,
    on: date,
) -> Waiver:
    """Waive `rule`'s flag on `subject_id` (replacing any earlier waiver of that flag)."""
    reason = (reason or "").strip()
    subject_id = (subject_id or "").strip()
    if not reason:
        raise WaiverError("a waiver needs a reason")
    if not subject_id:
        raise WaiverError("a waiver needs a subject id")
    found = require_rule(store, rule)
    if until is not None and until < on:
        raise WaiverError(f"--until {until} is before today ({on}): the waiver would never apply")
    waiver = Waiver(reason=reason, until=until, by=by or "unknown", on=on)
    # inside the transaction: a database that can't be written says so first
    with store.transaction():
        subject_id = existing_subject(store, found.subject_type, subject_id)
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


def unwaive(store: Store, rule: str, subject_id: str) -> bool:
    """Remove the waiver of `rule` on `subject_id`; False if there was none."""
    key = row_key("waiver", rule, subject_id)
    with store.transaction(), logged_rows(store, "waiver", [key]):
        cursor = store.conn.execute(
            "DELETE FROM waivers WHERE rule = ? AND subject_id = ?", [rule, subject_id]
        )
    return cursor.rowcount > 0


def read_waivers(conn: sqlite3.Connection) -> list[WaiverEntry]:
    rows = conn.execute(
        'SELECT rule, subject_id, reason, until, by, "on" FROM waivers ORDER BY rule, subject_id'
    )
    return [
        WaiverEntry(
            rule,
            subject_id,
            Waiver(
                reason=reason,
                until=date.fromisoformat(until) if until else None,
                by=by,
                on=date.fromisoformat(on),
            ),
        )
        for rule, subject_id, reason, until, by, on in rows
    ]


def list_waivers(store: Store) -> list[WaiverEntry]:
    return read_waivers(store.conn)


def applies(waiver: Waiver, as_of: date) -> bool:
    """A waiver applies up to and including its `until` date."""
    return waiver.until is None or waiver.until >= as_of


def _iso(value: Any) -> str | None:
    return value.isoformat() if value is not None else None
