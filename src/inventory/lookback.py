"""The inventory as it was at an earlier moment, rebuilt from the history.

Method (chosen by measurement, bench/README.md): copy the database file with SQLite's
backup API, then walk back from now, undoing every recorded change made after the moment,
newest first, with its before-row. The cost follows the number of changes since the
moment, not the size of the inventory; records, rules (built-in rules seeded when the
database was created have no history row of their own: they are as they were before their
first recorded change), parameters and waivers all come back. The copy lives in a
temporary folder; the database itself is only read.
"""

from __future__ import annotations

import json
import sqlite3
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, time
from pathlib import Path

from inventory.dates import looks_like_date, parse_date
from inventory.history import Change
from inventory.store import Store, StoreError, open_store


class LookbackError(StoreError):
    """A moment that can't be looked at (before the history begins, not a date-time)."""


def parse_when(text: str) -> datetime:
    """An ISO date-time (UTC unless it has an offset) or an ISO date (the end of that day,
    UTC), as an aware UTC datetime with whole seconds (the history's resolution)."""
    value = text.strip()
    try:
        if looks_like_date(value):
            moment = datetime.combine(parse_date(value), time(23, 59, 59), UTC)
        else:
            if "T" not in value.upper() and " " not in value:
                raise ValueError
            moment = datetime.fromisoformat(value.replace("z", "Z"))
            if moment.tzinfo is None:
                moment = moment.replace(tzinfo=UTC)
    except ValueError:
        raise LookbackError(
            f"{text!r} is not a date (YYYY-MM-DD) or a date-time (YYYY-MM-DDTHH:MM:SSZ)"
        ) from None
    return moment.astimezone(UTC).replace(microsecond=0)


def stamp(moment: datetime) -> str:
    """The history's form of a moment: `2026-06-30T17:00:00Z`."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def history_start(conn: sqlite3.Connection) -> str | None:
    """When the first recorded change was made; None for an empty history."""
    return conn.execute("SELECT min(at) FROM history").fetchone()[0]


def require_history_at(store: Store, moment: datetime) -> None:
    start = history_start(store.conn)
    if start is None:
        raise LookbackError(
            f"{store.path} has no history yet: there is no earlier state to look at"
        )
    if stamp(moment) < start:
        raise LookbackError(
            f"{stamp(moment)} is before the history of {store.path} begins ({start})"
        )


@contextmanager
def past_copy(store: Store) -> Iterator[Store]:
    """A temporary copy of the database (the committed state), for walking back."""
    with tempfile.TemporaryDirectory(prefix="inventory-at-") as folder:
        path = Path(folder) / "past.db"
        target = sqlite3.connect(path)
        try:
            store.conn.backup(target)
        finally:
            target.close()
        copy = open_store(path, create=False)
        copy.conn.execute("PRAGMA journal_mode = MEMORY")
        copy.conn.execute("PRAGMA synchronous = OFF")
        try:
            yield copy
        finally:
            copy.close()


def walk_back(copy: Store, moment: datetime) -> int:
    """Undo, in `copy`, every change recorded after `moment` (newest first); those history
    rows go too, so a later call can walk further back. Returns how many were undone."""
    from inventory import records

    rows = copy.conn.execute(
        """SELECT change_id, kind, record_key, before, after FROM history
           WHERE at > ? ORDER BY id DESC""",
        [stamp(moment)],
    ).fetchall()
    if not rows:
        return 0
    with copy.transaction():
        group: list[Change] = []
        current = rows[0][0]
        for change_id, kind, key, before, after in rows:
            if change_id != current:
                records.revert(copy, group[::-1], check=False)
                group, current = [], change_id
            group.append(
                Change(
                    kind,
                    key,
                    None if before is None else json.loads(before),
                    None if after is None else json.loads(after),
                )
            )
        records.revert(copy, group[::-1], check=False)
        copy.conn.execute("DELETE FROM history WHERE at > ?", [stamp(moment)])
    return len(rows)


@contextmanager
def inventory_at(store: Store, moment: datetime) -> Iterator[Store]:
    """The inventory as it was at `moment`, as a temporary database (LookbackError when
    the moment is before the history begins)."""
    require_history_at(store, moment)
    with past_copy(store) as copy:
        try:
            walk_back(copy, moment)
        except StoreError as error:
            raise LookbackError(
                f"{store.path}: the state at {stamp(moment)} can't be rebuilt: {error}"
            ) from None
        yield copy
