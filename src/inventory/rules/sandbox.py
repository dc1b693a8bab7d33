"""Running rule SQL the way Datasette runs user SQL: read-only, authorised, with a deadline.

Every rule becomes one statement,

    SELECT subject_id, subject_name, (<message>) FROM facts_<subject type> WHERE (<condition>)

run on a connection that

- is opened with `mode=ro` (SQLite refuses every write at the file level),
- may attach no database (`SQLITE_LIMIT_ATTACHED` = 0),
- has an authorizer that allows only SELECT, reading, recursive CTEs and an allow-list
  of functions (no PRAGMA, no ATTACH, no writes, no `load_extension`),
- stops a statement after `rule_timeout()` seconds (`set_progress_handler`),
- refuses strings and blobs over `MAX_VALUE_BYTES`, and
- refuses a rule that returns more rows than there are subjects.

The condition and message must each be one SQL expression: text that closes a
parenthesis it didn't open, or holds a `;`, is refused before SQLite sees it.
"""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from typing import Any

from inventory import settings
from inventory.kinds import SUBJECT_KINDS

RULE_TIMEOUT_SECONDS = 2.0
"""Default deadline for one rule; `INVENTORY_RULE_TIMEOUT` (seconds) overrides it."""

MAX_VALUE_BYTES = 1_000_000
PROGRESS_STEPS = 10_000
FETCH_BATCH = 1_000


SAFE_FUNCTIONS = frozenset(
    """
    abs avg char coalesce count date datetime glob group_concat hex ifnull iif
    instr julianday length like likelihood likely lower ltrim max min nullif printf format
    quote replace round rtrim sign soundex strftime substr substring sum time total trim
    typeof unicode unixepoch unlikely upper
    json json_array json_array_length json_each json_extract json_group_array
    json_group_object json_object json_quote json_type json_valid json_tree
    ceil ceiling floor trunc mod pow power sqrt exp ln log log10 log2 -> ->>
    """.split()  # noqa: SIM905
)
"""Functions a rule may call. Not listed (so refused): load_extension, randomblob and
zeroblob (memory), random (not deterministic), sqlite_* and anything an extension adds."""

_ALLOWED_ACTIONS = frozenset({sqlite3.SQLITE_SELECT, sqlite3.SQLITE_READ, sqlite3.SQLITE_RECURSIVE})


class RuleSQLError(Exception):
    """A rule that can't run; the message says why, in one line."""


def rule_timeout() -> float:
    return settings.seconds("INVENTORY_RULE_TIMEOUT", RULE_TIMEOUT_SECONDS)


def _authorize(action: int, arg1: Any, arg2: Any, database: Any, source: Any) -> int:
    if action in _ALLOWED_ACTIONS:
        return sqlite3.SQLITE_OK
    if action == sqlite3.SQLITE_FUNCTION and str(arg2).lower() in SAFE_FUNCTIONS:
        return sqlite3.SQLITE_OK
    return sqlite3.SQLITE_DENY


def check_expression(text: str, what: str) -> None:
    """Refuse text that is not one expression: unbalanced parentheses, `;`, open quotes."""
    if not text.strip():
        raise RuleSQLError(f"the {what} is empty")
    depth = 0
    i, n = 0, len(text)
    while i < n:
        ch = text[i]
        if ch in "'\"`[":
            close = "]" if ch == "[" else ch
            end = text.find(close, i + 1)
            while end != -1 and close != "]" and text.startswith(close * 2, end):
                end = text.find(close, end + 2)
            if end == -1:
                raise RuleSQLError(f"the {what} has an unterminated quote")
            i = end + 1
            continue
        if text.startswith("--", i):
            end = text.find("\n", i)
            i = n if end == -1 else end + 1
            continue
        if text.startswith("/*", i):
            end = text.find("*/", i + 2)
            if end == -1:
                raise RuleSQLError(f"the {what} has an unterminated comment")
            i = end + 2
            continue
        if ch == ";":
            raise RuleSQLError(f"the {what} must be one SQL expression, without ';'")
        if ch == "(":
            depth += 1
        elif ch == ")":
            depth -= 1
            if depth < 0:
                raise RuleSQLError(f"the {what} closes a parenthesis it did not open")
        i += 1
    if depth:
        raise RuleSQLError(f"the {what} leaves a parenthesis open")


ONE_CHANNEL = "platform = :inventory_platform AND handle = :inventory_handle"
"""Narrows a channel rule to one channel (`facts_channel` exposes the indexed key columns)."""


def rule_sql(subject_type: str, condition: str, message: str, narrow: str = "") -> str:
    subject = SUBJECT_KINDS.get(subject_type)
    if subject is None:
        raise RuleSQLError(f"unknown subject type {subject_type!r}")
    view = subject.facts_view
    check_expression(condition, "condition")
    check_expression(message, "message")
    also = f" AND {narrow}" if narrow else ""
    return (
        f"SELECT subject_id, subject_name, (\n{message}\n) FROM {view}\n"
        f"WHERE (\n{condition}\n){also}"
    )


class Sandbox:
    """A read-only connection on which rule statements run one at a time."""

    def __init__(self, conn: sqlite3.Connection):
        self.conn = conn

    def count(self, subject_type: str) -> int:
        view = SUBJECT_KINDS[subject_type].facts_view
        self._guard_on()
        try:
            return self.conn.execute(f"SELECT count(*) FROM {view}").fetchone()[0]
        finally:
            self._guard_off()

    def run(
        self,
        subject_type: str,
        condition: str,
        message: str,
        parameters: dict[str, Any],
        as_of: date,
        max_rows: int,
        channel: tuple[str, str] | None = None,
    ) -> list[tuple[Any, Any, Any]]:
        """(subject_id, subject_name, message) of each subject the condition holds for,
        in subject_id order; only for `channel` (platform, handle) when given.

        Raises RuleSQLError, with the reason, if the rule can't run."""
        sql = rule_sql(subject_type, condition, message, ONE_CHANNEL if channel else "")
        params = {**parameters, "as_of": as_of.isoformat()}
        if channel:
            params["inventory_platform"], params["inventory_handle"] = channel
        timeout = rule_timeout()
        deadline = time.monotonic() + timeout
        timed_out = False

        def progress() -> int:
            nonlocal timed_out
            if time.monotonic() > deadline:
                timed_out = True
                return 1
            return 0

        self.conn.set_progress_handler(progress, PROGRESS_STEPS)
        self._guard_on()
        rows: list[tuple[Any, Any, Any]] = []
        try:
            cursor = self.conn.execute(sql, params)
            while batch := cursor.fetchmany(FETCH_BATCH):
                rows.extend(batch)
                if len(rows) > max_rows:
                    cursor.close()
                    raise RuleSQLError(
                        f"returned more rows than there are {subject_type} subjects "
                        f"({max_rows}); a rule flags each subject at most once"
                    )
        except sqlite3.Error as error:
            if timed_out:
                raise RuleSQLError(f"took longer than {timeout:g} s and was stopped") from None
            raise RuleSQLError(_explain(error)) from None
        finally:
            self._guard_off()
            self.conn.set_progress_handler(None, 0)
        rows.sort(key=_subject_order)
        return rows

    def _guard_on(self) -> None:
        self.conn.set_authorizer(_authorize)

    def _guard_off(self) -> None:
        self.conn.set_authorizer(None)


def _subject_order(row: tuple[Any, Any, Any]) -> str:
    return str(row[0])


def _explain(error: sqlite3.Error) -> str:
    text = str(error)
    if text == "not authorized":
        return (
            "not authorized: a rule may only read (no writes, PRAGMA, ATTACH or unsafe functions)"
        )
    if "binding parameter" in text:
        return f"{text} (add it to the rule's parameters)"
    return text


@contextmanager
def open_sandbox(path: Path) -> Iterator[Sandbox]:
    """A read-only sandbox on the database at `path`, holding one read snapshot throughout."""
    from inventory.store import busy_timeout, readonly_uri

    conn = sqlite3.connect(
        readonly_uri(Path(path)), uri=True, isolation_level=None, timeout=busy_timeout()
    )
    try:
        conn.setlimit(sqlite3.SQLITE_LIMIT_ATTACHED, 0)
        conn.setlimit(sqlite3.SQLITE_LIMIT_LENGTH, MAX_VALUE_BYTES)
        conn.execute("PRAGMA query_only = 1")
        # Eponymous virtual tables register themselves on first use, which the authorizer
        # would refuse: touch them once before it is installed.
        conn.execute("SELECT * FROM json_each('[]'), json_tree('[]')").fetchall()
        conn.execute("BEGIN")
        yield Sandbox(conn)
    finally:
        if conn.in_transaction:
            conn.execute("ROLLBACK")
        conn.close()
