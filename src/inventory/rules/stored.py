"""Rules and waivers as their tables store them, read without validation: what an
evaluation needs (the waivers' other functions, and the history and listing they import,
are not). `catalog` builds its pydantic `Rule` from the same rows; `check` and `export` never
import pydantic (0.05 s, and 0.04 s more for the models: a third of `check`'s fixed cost)."""

from __future__ import annotations

import json
import sqlite3
from datetime import date
from typing import Any, NamedTuple

from inventory.flags import Waiver

COLUMNS = (
    "code, recommendation, title, explanation, severity, enabled, subject_type, "
    "parameters, condition, message, builtin"
)


class StoredRule(NamedTuple):
    """One row of the `rules` table, its flags as booleans and its parameters decoded."""

    code: str
    recommendation: int
    title: str
    explanation: str
    severity: str
    enabled: bool
    subject_type: str
    parameters: dict[str, Any]
    condition: str
    message: str
    builtin: bool


def stored_rule(row: tuple) -> StoredRule:
    """A rule from a row of `SELECT {COLUMNS} FROM rules`."""
    (code, recommendation, title, explanation, severity, enabled, subject_type) = row[:7]
    parameters, condition, message, builtin = row[7:]
    return StoredRule(
        code,
        recommendation,
        title,
        explanation,
        severity,
        bool(enabled),
        subject_type,
        json.loads(parameters),
        condition,
        message,
        bool(builtin),
    )


def read_stored_rules(conn: Any) -> list[StoredRule]:
    """Every rule on a connection, in code order."""
    return [stored_rule(row) for row in conn.execute(f"SELECT {COLUMNS} FROM rules ORDER BY code")]


class WaiverEntry(NamedTuple):
    rule: str
    subject_id: str
    waiver: Waiver


def read_waivers(conn: sqlite3.Connection) -> list[WaiverEntry]:
    rows = conn.execute(
        'SELECT rule, subject_id, reason, until, by, "on" FROM waivers ORDER BY rule, subject_id'
    )
    return [
        WaiverEntry(rule, subject_id, stored_waiver(reason, until, by, on))
        for rule, subject_id, reason, until, by, on in rows
    ]


def applies(waiver: Waiver, as_of: date) -> bool:
    """A waiver applies up to and including its `until` date."""
    return waiver.until is None or waiver.until >= as_of


def stored_waiver(reason: str, until: str | None, by: str, on: str) -> Waiver:
    """A waiver from its row's columns."""
    return Waiver(
        reason=reason,
        until=date.fromisoformat(until) if until else None,
        by=by,
        on=date.fromisoformat(on),
    )
