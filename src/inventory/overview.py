"""Where the inventory stands and how that changed: what the Overview (key 0) shows.

The current figures come from the latest evaluation; the past ones (the weekly trend, the
change against 30 days ago, new and resolved since a date) from evaluating the inventory
as it was, rebuilt from the history (`inventory.lookback`). No Textual here.

"Open" flags are the unwaived ones: those `check` counts.
"""

from __future__ import annotations

import heapq
import sqlite3
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from inventory.baseline import Identity, identity
from inventory.builtin_rules import RECOMMENDATIONS
from inventory.flags import SEVERITY_ORDER, Evaluation, Flag, unwaived
from inventory.store import Store

TREND_WEEKS = 12
CHANGE_DAYS = 30
TOP = 10
FAIL_ON_LEVELS = ("error", "warning", "info", "never")


@dataclass(frozen=True)
class GateCondition:
    """One reason `check --fail-on` fails: open flags of one severity."""

    severity: str
    count: int


@dataclass(frozen=True)
class Bar:
    """One recommendation: its open flags by severity."""

    number: int
    title: str
    counts: dict[str, int]

    @property
    def total(self) -> int:
        return sum(self.counts.values())


@dataclass(frozen=True)
class Ranked:
    """An owner or a channel, with its number of open flags."""

    key: str
    label: str
    count: int


@dataclass(frozen=True)
class PastState:
    """The inventory as it was at `moment` (evaluated as of its date): its open flags by
    recommendation, and the open flags themselves when they were asked for (only for the
    date new and resolved are measured from: at 100,000 channels a day has 33,000)."""

    moment: datetime
    counts: dict[int, int]
    flags: tuple[Flag, ...] | None = None

    @property
    def open_count(self) -> int:
        return sum(self.counts.values())

    def by_recommendation(self) -> Counter[int]:
        return Counter(self.counts)


def gate(counts: Mapping[str, int], fail_on: str) -> list[GateCondition]:
    """What makes `check --fail-on fail_on` exit 1, from the open flags counted by
    severity (`FlagIndex.totals`); empty when it passes."""
    if fail_on == "never":
        return []
    threshold = SEVERITY_ORDER[fail_on]
    return [
        GateCondition(severity, counts.get(severity, 0))
        for severity, rank in SEVERITY_ORDER.items()
        if rank <= threshold and counts.get(severity, 0)
    ]


def bars(evaluation: Evaluation) -> list[Bar]:
    # counted by Counter's C loop: 118,000 flags at 100,000 channels
    counts = Counter(
        (flag.recommendation, flag.severity) for flag in evaluation.flags if flag.waiver is None
    )
    return [
        Bar(number, RECOMMENDATIONS[number], {s: counts[number, s] for s in SEVERITY_ORDER})
        for number in RECOMMENDATIONS
    ]


def _ranked(counts: Counter[str], labels: Mapping[str, str]) -> list[Ranked]:
    order = heapq.nsmallest(TOP, counts.items(), key=lambda item: (-item[1], item[0]))
    return [Ranked(key, labels.get(key, key), count) for key, count in order]


def top_channels(evaluation: Evaluation) -> list[Ranked]:
    """The channels with the most open flags (ties by id)."""
    flags = evaluation.flags
    counts = Counter(
        flag.subject_id for flag in flags if flag.waiver is None and flag.subject_type == "channel"
    )
    top = _ranked(counts, {})
    shown = {entry.key for entry in top}
    names = {
        flag.subject_id: flag.subject_name
        for flag in flags
        if flag.subject_type == "channel" and flag.subject_id in shown and flag.waiver is None
    }
    return [Ranked(entry.key, names.get(entry.key, entry.key), entry.count) for entry in top]


def top_owners(conn: sqlite3.Connection, evaluation: Evaluation) -> list[Ranked]:
    """The owners whose channels have the most open flags (channels without an owner are
    left out: their flag is R101, shown by the channels list)."""
    owners: dict[str, tuple[str, str]] = {
        key: (email.lower(), name)
        for key, email, name in conn.execute(
            """SELECT c.platform || '/' || c.handle, o.email, o.name
               FROM channels c JOIN people o ON o.id = c.owner_id"""
        )
    }
    counts: Counter[str] = Counter()
    labels: dict[str, str] = {}
    for flag in unwaived(evaluation.flags):
        if flag.subject_type == "channel" and flag.subject_id in owners:
            email, name = owners[flag.subject_id]
            counts[email] += 1
            labels[email] = name
    return _ranked(counts, labels)


def end_of_day(day: date) -> datetime:
    return datetime.combine(day, time(23, 59, 59), UTC)


def trend_days(as_of: date) -> list[date]:
    """The last day of each of the last TREND_WEEKS weeks, oldest first, `as_of` last."""
    return [as_of - timedelta(weeks=weeks) for weeks in range(TREND_WEEKS - 1, -1, -1)]


def past_days(as_of: date, since: date) -> list[date]:
    """Every earlier day the Overview needs evaluated (not `as_of` itself: that is now)."""
    days = {*trend_days(as_of), as_of - timedelta(days=CHANGE_DAYS), since}
    return sorted((day for day in days if day < as_of), reverse=True)


def evaluate_past(
    store: Store,
    days: list[date],
    known: dict[date, PastState | None] | None = None,
    detailed: frozenset[date] = frozenset(),
) -> dict[date, PastState | None]:
    """The state at the end of each day (newest first), None for a day before the history
    begins; the flags themselves for the `detailed` days. One copy of the database is
    walked back day by day, so the cost is one copy, the changes since the oldest day and
    one evaluation per day. Days in `known` (with flags where asked) are not evaluated
    again: the past does not change."""
    from inventory.lookback import history_start, past_copy, stamp, walk_back
    from inventory.rules.evaluate import evaluate_rules

    result: dict[date, PastState | None] = {}
    for day, state in (known or {}).items():
        if day in days and (state is None or day not in detailed or state.flags is not None):
            result[day] = state
    wanted = sorted((day for day in days if day not in result), reverse=True)
    start = history_start(store.conn)
    for day in list(wanted):
        if start is None or stamp(end_of_day(day)) < start:
            result[day] = None
            wanted.remove(day)
    if not wanted:
        return result
    with past_copy(store) as copy:
        for day in wanted:
            moment = end_of_day(day)
            walk_back(copy, moment)
            flags = unwaived(evaluate_rules(copy, day).flags)
            counts = Counter(flag.recommendation for flag in flags)
            kept = tuple(flags) if day in detailed else None
            result[day] = PastState(moment, dict(counts), kept)
    return result


@dataclass(frozen=True)
class Changes:
    """Open flags now against the open flags at an earlier moment."""

    new: list[Flag]
    resolved: list[Flag]


def changes_since(evaluation: Evaluation, past: PastState) -> Changes | None:
    """None when the past state was evaluated without its flags."""
    if past.flags is None:
        return None
    now = unwaived(evaluation.flags)
    before: dict[Identity, Flag] = {identity(flag): flag for flag in past.flags}
    current = {identity(flag) for flag in now}
    return Changes(
        new=[flag for flag in now if identity(flag) not in before],
        resolved=sorted(
            (flag for key, flag in before.items() if key not in current),
            key=lambda flag: flag.sort_key,
        ),
    )
