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

from inventory import settings

# The rules' child process imports this module: what only the parent needs (the record
# kinds, the store, pathlib, contextlib) is imported where it is used, and nothing here
# imports typing or dataclasses (0.02 s of the child's start).
TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable, Mapping
    from datetime import date
    from pathlib import Path
    from typing import Any

RULE_TIMEOUT_SECONDS = 2.0
"""Default deadline for one rule; `INVENTORY_RULE_TIMEOUT` (seconds) overrides it."""
EVALUATION_TIMEOUT_SECONDS = 10.0
"""Default cap on a whole evaluation (every rule)."""

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


class Readable:
    """What a rule may read: the facts views, and what SQLite reads on their behalf."""

    __slots__ = ("counted", "schema_names", "views")

    def __init__(
        self, views: frozenset[str], schema_names: frozenset[str], counted: frozenset[str]
    ) -> None:
        self.views = views
        self.schema_names = schema_names
        """Every table and view of the database (a name outside it is a CTE or json_each)."""
        self.counted = counted
        """Tables the facts views join without reading a column: SQLite reports them with
        an empty column name and no view, and they reveal no values."""

    def allows(self, table: str, column: str, view: str | None) -> bool:
        if table in self.views or view in self.views:
            return True
        if table not in self.schema_names and not table.lower().startswith("sqlite_"):
            return True  # a CTE, or json_each / json_tree
        return column == "" and table in self.counted


def facts_views() -> dict[str, str]:
    """The facts view of each subject type."""
    from inventory.kinds import SUBJECT_KINDS

    return {name: kind.facts_view for name, kind in SUBJECT_KINDS.items()}


SUBQUERY_FACTS_VIEWS = frozenset({"facts_channel_admin"})
"""Facts views of no subject type, which rules read in subqueries (docs/rules.md)."""


def readable(conn: sqlite3.Connection, views: Mapping[str, str]) -> Readable:
    """Learn, by preparing each facts view (`views`: by subject type, and
    `SUBQUERY_FACTS_VIEWS`) under a recording authorizer (nothing runs), which tables
    they need."""
    names = frozenset(
        row[0]
        for row in conn.execute("SELECT name FROM sqlite_master WHERE type IN ('table', 'view')")
    )
    present = (frozenset(views.values()) | SUBQUERY_FACTS_VIEWS) & names
    counted: set[str] = set()

    def record(action: int, table: Any, column: Any, database: Any, view: Any) -> int:
        if action == sqlite3.SQLITE_READ and column == "" and view is None:
            counted.add(str(table))
        return sqlite3.SQLITE_OK

    conn.set_authorizer(record)
    try:
        for view in sorted(present):
            # selecting no column shows every table a view joins without reading it
            conn.execute(f"EXPLAIN SELECT 1 FROM {view}").fetchall()
    finally:
        conn.set_authorizer(None)
    return Readable(present, names, frozenset(counted))


def _authorizer(read: Readable) -> Callable[[int, Any, Any, Any, Any], int]:
    def authorize(action: int, arg1: Any, arg2: Any, database: Any, source: Any) -> int:
        if action == sqlite3.SQLITE_READ:
            allowed = read.allows(str(arg1), str(arg2 or ""), source)
            return sqlite3.SQLITE_OK if allowed else sqlite3.SQLITE_DENY
        return _authorize(action, arg1, arg2, database, source)

    return authorize


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


def rule_sql(
    subject_type: str,
    condition: str,
    message: str,
    narrow: str = "",
    views: Mapping[str, str] | None = None,
) -> str:
    """The rule's statement; `views`: the facts view of each subject type (`facts_views`)."""
    view = (facts_views() if views is None else views).get(subject_type)
    if view is None:
        raise RuleSQLError(f"unknown subject type {subject_type!r}")
    check_expression(condition, "condition")
    check_expression(message, "message")
    also = f" AND {narrow}" if narrow else ""
    return (
        f"SELECT subject_id, subject_name, (\n{message}\n) FROM {view}\n"
        f"WHERE (\n{condition}\n){also}"
    )


class Sandbox:
    """A read-only connection on which rule statements run one at a time."""

    def __init__(self, conn: sqlite3.Connection, views: Mapping[str, str]):
        self.conn = conn
        self.views = views
        self._authorize = _authorizer(readable(conn, views))

    def count(self, subject_type: str) -> int:
        view = self.views[subject_type]
        self._guard_on()
        try:
            return self.conn.execute(f"SELECT count(*) FROM {view}").fetchone()[0]
        finally:
            self._guard_off()

    def compile(
        self,
        subject_type: str,
        condition: str,
        message: str,
        parameters: dict[str, Any],
        as_of: date,
    ) -> None:
        """Prepare the rule's statement without running it (EXPLAIN): RuleSQLError says
        why it can't run, as far as that shows without data."""
        sql = "EXPLAIN " + rule_sql(subject_type, condition, message, views=self.views)
        self._guard_on()
        try:
            self.conn.execute(sql, {**parameters, "as_of": as_of.isoformat()}).fetchall()
        except sqlite3.Error as error:
            raise RuleSQLError(_explain(error)) from None
        except (OverflowError, ValueError) as error:
            raise RuleSQLError(str(error)) from None
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
        sql = rule_sql(subject_type, condition, message, ONE_CHANNEL if channel else "", self.views)
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
        self.conn.set_authorizer(self._authorize)

    def _guard_off(self) -> None:
        self.conn.set_authorizer(None)


def _subject_order(row: tuple[Any, Any, Any]) -> str:
    return str(row[0])


def _explain(error: sqlite3.Error) -> str:
    text = str(error)
    if text == "not authorized" or "prohibited" in text:
        return (
            "not authorized: a rule may only read the facts views (no other table, no "
            "writes, PRAGMA, ATTACH or unsafe functions)"
        )
    if "binding parameter" in text:
        return f"{text} (add it to the rule's parameters)"
    return text


class SandboxSetup:
    """How the child opens its sandbox, worked out by the parent: the read-only URI, the
    busy timeout and the facts view of each subject type."""

    __slots__ = ("busy_timeout", "uri", "views")

    def __init__(self, uri: str, busy_timeout: float, views: dict[str, str]) -> None:
        self.uri = uri
        self.busy_timeout = busy_timeout
        self.views = views

    def __reduce__(self) -> tuple[type[SandboxSetup], tuple[str, float, dict[str, str]]]:
        return (SandboxSetup, (self.uri, self.busy_timeout, self.views))


def sandbox_setup(path: Path) -> SandboxSetup:
    from pathlib import Path

    from inventory.store import busy_timeout, readonly_uri

    return SandboxSetup(readonly_uri(Path(path)), busy_timeout(), facts_views())


def open_sandbox(path: Path) -> _Opened:
    """A read-only sandbox on the database at `path`, holding one read snapshot throughout
    (a context manager)."""
    return _Opened(sandbox_setup(path))


class _Opened:
    """`open_sandbox`'s context manager (a class: contextlib is not for the child)."""

    __slots__ = ("_conn", "_setup")

    def __init__(self, setup: SandboxSetup) -> None:
        self._setup = setup
        self._conn: sqlite3.Connection | None = None

    def __enter__(self) -> Sandbox:
        setup = self._setup
        self._conn = conn = sqlite3.connect(
            setup.uri, uri=True, isolation_level=None, timeout=setup.busy_timeout
        )
        try:
            conn.setlimit(sqlite3.SQLITE_LIMIT_ATTACHED, 0)
            conn.setlimit(sqlite3.SQLITE_LIMIT_LENGTH, MAX_VALUE_BYTES)
            conn.execute("PRAGMA query_only = 1")
            # Eponymous virtual tables register themselves on first use, which the
            # authorizer would refuse: touch them once before it is installed.
            conn.execute("SELECT * FROM json_each('[]'), json_tree('[]')").fetchall()
            conn.execute("BEGIN")
            return Sandbox(conn, setup.views)
        except BaseException:
            self._close()
            raise

    def __exit__(self, *_: object) -> None:
        self._close()

    def _close(self) -> None:
        conn = self._conn
        if conn is None:
            return
        self._conn = None
        try:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
        finally:
            conn.close()


MAX_MESSAGE_CHARS = 1_000
"""A flag's message is cut here, with an ellipsis: a rule whose message is a megabyte would
otherwise make a text report word-wrap for minutes and a JSON export hundreds of MB."""


def cap_message(text: str) -> str:
    return text if len(text) <= MAX_MESSAGE_CHARS else text[: MAX_MESSAGE_CHARS - 1] + "…"


class RuleTask:
    """One rule statement to run: on every subject, or on each of `channels` only."""

    __slots__ = (
        "as_of", "channels", "condition", "max_rows", "message", "parameters", "subject_type"
    )  # fmt: skip

    def __init__(
        self,
        subject_type: str,
        condition: str,
        message: str,
        parameters: dict[str, Any],
        as_of: date,
        max_rows: int,
        channels: tuple[tuple[str, str], ...] | None = None,
    ) -> None:
        self.subject_type = subject_type
        self.condition = condition
        self.message = message
        self.parameters = parameters
        self.as_of = as_of
        self.max_rows = max_rows
        self.channels = channels

    def subjects(self) -> int:
        """How many subjects the statement reads at most: every one, or the channels."""
        return self.max_rows if self.channels is None else len(self.channels)

    def __reduce__(self) -> tuple[type[RuleTask], tuple[Any, ...]]:
        return (
            RuleTask,
            (
                self.subject_type,
                self.condition,
                self.message,
                self.parameters,
                self.as_of,
                self.max_rows,
                self.channels,
            ),
        )


def rule_worker(setup: SandboxSetup, tasks: list[RuleTask], report: Callable[[Any], None]) -> None:
    """The child process's side of `run_rules` (see `deadline`)."""
    from inventory.rules.deadline import Outcome

    with _Opened(setup) as sandbox:
        for task in tasks:
            report("start")
            try:
                report(Outcome(value=_rows(sandbox, task)))
            except RuleSQLError as error:
                report(Outcome(error=str(error)))
            except Exception as error:  # a rule must never stop the others
                report(Outcome(error=f"{type(error).__name__}: {error}"))


class PackedRows:
    """A rule's rows as three texts, each column's values joined by NUL: the child sends
    three strings instead of a tuple per row (pickling and reading back 118,000 rows cost
    ~85 ms of `check` at 100,000 channels). `columns()` splits them again."""

    __slots__ = ("messages", "subject_ids", "subject_names")

    def __init__(self, subject_ids: str, subject_names: str, messages: str) -> None:
        self.subject_ids = subject_ids
        self.subject_names = subject_names
        self.messages = messages

    def __reduce__(self) -> tuple[type[PackedRows], tuple[str, str, str]]:
        return (PackedRows, (self.subject_ids, self.subject_names, self.messages))

    def columns(self) -> tuple[list[str], list[str], list[str]]:
        return (
            self.subject_ids.split(_SEPARATOR),
            self.subject_names.split(_SEPARATOR),
            self.messages.split(_SEPARATOR),
        )


_SEPARATOR = "\x00"


def _packed(rows: list[tuple[Any, Any, Any]]) -> PackedRows | None:
    """The rows packed, when every value is text, no message needs cutting and no value
    holds a NUL (else None: they travel as rows)."""
    if not rows:
        return None
    subject_ids, subject_names, messages = zip(*rows, strict=True)
    try:
        texts = [_SEPARATOR.join(column) for column in (subject_ids, subject_names, messages)]
    except TypeError:  # a value that is not text (a NULL message, a number)
        return None
    if max(map(len, messages)) > MAX_MESSAGE_CHARS:
        return None
    if sum(text.count(_SEPARATOR) for text in texts) != 3 * (len(rows) - 1):
        return None
    return PackedRows(*texts)


def _rows(sandbox: Sandbox, task: RuleTask) -> PackedRows | list[tuple[Any, Any, Any]]:
    def run(channel: tuple[str, str] | None, max_rows: int) -> list[tuple[Any, Any, Any]]:
        return sandbox.run(
            task.subject_type,
            task.condition,
            task.message,
            task.parameters,
            task.as_of,
            max_rows,
            channel,
        )

    if task.channels is None:
        rows = run(None, task.max_rows)
    else:
        rows = [row for channel in task.channels for row in run(channel, 1)]
    packed = _packed(rows)
    if packed is not None:
        return packed  # the common case: nothing to cut or convert
    return [
        (subject_id, subject_name, None if message is None else cap_message(str(message)))
        for subject_id, subject_name, message in rows
    ]


def evaluation_timeout() -> float:
    """The cap on one whole evaluation; `INVENTORY_EVALUATION_TIMEOUT` (seconds) overrides."""
    return settings.seconds("INVENTORY_EVALUATION_TIMEOUT", EVALUATION_TIMEOUT_SECONDS)


def run_rules(path: Path, tasks: list[RuleTask], *, ready: bool = False) -> list[Any]:
    """Run each task in a child process with the deadlines enforced by killing it: one
    `deadline.Outcome` per task (rows, or why not). `ready`: keep a child started for the
    next call (see `deadline`). A large evaluation on a machine with more than one core
    runs in two children at once (`deadline.run_from_both_ends`)."""
    from inventory.rules.deadline import Job, run_from_both_ends, run_with_deadline

    per_task, total = rule_timeout(), evaluation_timeout()
    if not _two_children(tasks):
        job = Job(RULE_WORKER, sandbox_setup(path), tasks)
        return run_with_deadline(job, per_task=per_task, total=total, ready=ready)
    order = _dearest_at_the_ends(tasks)
    job = Job(RULE_WORKER, sandbox_setup(path), [tasks[index] for index in order])
    outcomes: list[Any] = [None] * len(tasks)
    ran = run_from_both_ends(job, per_task=per_task, total=total, ready=ready)
    for index, outcome in zip(order, ran, strict=True):
        outcomes[index] = outcome
    return outcomes


RULE_WORKER = "inventory.rules.sandbox:rule_worker"

TWO_CHILDREN_MIN_ROWS = 300_000
"""Below this many subject rows to read (summed over the tasks; 17 channel rules on
~18,000 channels), one child: a second one's start (~40 ms of CPU) costs more than it
saves (at 10,000 channels the same wall time, +0.02 s CPU; at 100,000, 0.3 s less)."""


def _two_children(tasks: list[RuleTask]) -> bool:
    rows = sum(task.subjects() for task in tasks)
    return rows >= TWO_CHILDREN_MIN_ROWS and len(tasks) > 1 and _cores() > 1


def _dearest_at_the_ends(tasks: list[RuleTask]) -> list[int]:
    """The tasks' indexes with the costliest (by a guess: subjects read, times one plus
    the subqueries in the rule's text) at both ends and the cheapest in the middle, where
    the two children meet: the one that gets there last waits least."""
    costs = [
        task.subjects() * (1 + (task.condition + task.message).lower().count("select"))
        for task in tasks
    ]
    dearest = sorted(range(len(tasks)), key=costs.__getitem__, reverse=True)
    return dearest[0::2] + dearest[1::2][::-1]


def _cores() -> int:
    """The cores this process may run on."""
    import os

    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def start_rules_child() -> None:
    """Start the rules' child ahead of an evaluation (`deadline.start_ahead`): a command
    that will evaluate calls this first, so the child's interpreter starts while the
    command imports and opens the database."""
    from inventory.rules.deadline import start_ahead

    start_ahead(RULE_WORKER)
