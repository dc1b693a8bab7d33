"""Rules as the `rules` table stores them, read without validation: what an evaluation
needs. `catalog` builds its pydantic `Rule` from the same rows; `check` and `export` never
import pydantic (0.05 s, and 0.04 s more for the models: a third of `check`'s fixed cost)."""

from __future__ import annotations

import json
from typing import Any, NamedTuple

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
