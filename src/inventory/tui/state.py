"""What the UI knows about the latest evaluation, and how it gets one off the UI thread."""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections import Counter
from collections.abc import Collection, Iterable
from dataclasses import dataclass, field
from datetime import date
from operator import attrgetter

from inventory.flags import SEVERITY_ORDER, Evaluation, Flag
from inventory.listing import FlagMark, flag_marks
from inventory.store import Store, organization_name


@dataclass
class FlagIndex:
    """An evaluation, indexed the ways the views look it up."""

    evaluation: Evaluation
    by_subject: dict[tuple[str, str], list[Flag]] = field(default_factory=dict)
    by_rule: Counter[str] = field(default_factory=Counter)
    totals: dict[str, int] = field(default_factory=dict)
    waived: int = 0
    channel_marks: dict[str, FlagMark] = field(default_factory=dict)
    _other_subjects: list[tuple[str, str]] | None = field(default=None, repr=False)

    @classmethod
    def of(cls, evaluation: Evaluation) -> FlagIndex:
        index = cls(evaluation)
        for flag in sorted(evaluation.flags, key=lambda f: f.sort_key):
            index.by_subject.setdefault((flag.subject_type, flag.subject_id), []).append(flag)
        index._count()
        index.channel_marks = flag_marks(evaluation.flags, "channel")
        return index

    def updated(
        self, evaluation: Evaluation, changed_channels: Collection[str]
    ) -> tuple[FlagIndex, dict[str, FlagMark | None]]:
        """The index of `evaluation`, an incremental evaluation (`evaluate_rules(previous=
        self.evaluation, changed_channels=...)`, flags in `Flag.sort_key` order): the flags
        of unchanged channels are this index's. Also returns the changed channels' marks
        (None: no flag now), for `listing.update_flag_marks`.

        Only what changed is counted again (the changed channels' flags and those of the
        other subjects, whose rules ran whole): 100,000s of flags aren't counted per save."""
        changed = set(changed_channels)
        index = FlagIndex(evaluation)
        index.by_subject = dict(self.by_subject)
        gone = [*self._others(), *(("channel", key) for key in changed)]
        old = [flag for subject in gone for flag in index.by_subject.pop(subject, ())]
        new = _fresh_flags(evaluation.flags, changed)
        for flag in new:
            index.by_subject.setdefault((flag.subject_type, flag.subject_id), []).append(flag)
        by_rule = self.by_rule.copy()
        by_rule.subtract(flag.rule for flag in old)
        by_rule.update(flag.rule for flag in new)
        index.by_rule = +by_rule  # without the rules left at 0, as Counter(...) counts
        index.waived = self.waived + _waived(new) - _waived(old)
        index.totals = dict(self.totals)
        for flag in old:
            if flag.waiver is None:
                index.totals[flag.severity] -= 1
        for flag in new:
            if flag.waiver is None:
                index.totals[flag.severity] = index.totals.get(flag.severity, 0) + 1
        index.channel_marks = dict(self.channel_marks)
        marks: dict[str, FlagMark | None] = {}
        for key in changed:
            mark = flag_marks(index.flags_of("channel", key)).get(key)
            marks[key] = mark
            if mark is None:
                index.channel_marks.pop(key, None)
            else:
                index.channel_marks[key] = mark
        return index, marks

    def _others(self) -> list[tuple[str, str]]:
        """The subjects with flags that aren't channels (people, departments, …: few)."""
        if self._other_subjects is None:
            self._other_subjects = [s for s in self.by_subject if s[0] != "channel"]
        return self._other_subjects

    def _count(self) -> None:
        flags = self.evaluation.flags
        self.by_rule = Counter(flag.rule for flag in flags)
        self.waived = _waived(flags)
        self.totals = dict.fromkeys(SEVERITY_ORDER, 0)
        self.totals.update(Counter(flag.severity for flag in flags if flag.waiver is None))

    def flags_of(self, subject_type: str, subject_id: str) -> list[Flag]:
        return self.by_subject.get((subject_type, subject_id), [])


def _fresh_flags(flags: list[Flag], changed: set[str]) -> list[Flag]:
    """The flags of subjects other than channels and those of the `changed` channels, in
    order, from `flags` in `Flag.sort_key` order: each rule's flags are a run sorted by
    subject id, so the runs and the changed channels' flags in them are found by bisection
    (a pass over 118,000 flags per save took 4 ms)."""
    fresh: list[Flag] = []
    start, end_of_all = 0, len(flags)
    keys = sorted(changed)
    while start < end_of_all:
        first = flags[start]
        end = bisect_right(flags, first.sort_key[:2], start, end_of_all, key=_rule_key)
        if first.subject_type != "channel":
            fresh.extend(flags[start:end])
        else:
            for key in keys:
                low = bisect_left(flags, key, start, end, key=_subject_id)
                fresh.extend(flags[low : bisect_right(flags, key, low, end, key=_subject_id)])
        start = end
    return fresh


def _rule_key(flag: Flag) -> tuple[int, str]:
    return SEVERITY_ORDER[flag.severity], flag.rule


_subject_id = attrgetter("subject_id")


def _waived(flags: Iterable[Flag]) -> int:
    return sum(1 for flag in flags if flag.waiver is not None)


def empty_evaluation(store: Store, as_of: date) -> Evaluation:
    """What the header shows until the first evaluation is in."""
    return Evaluation(as_of=as_of, organization=organization_name(store.conn), checked={})


@dataclass(frozen=True)
class Evaluated:
    """A finished evaluation, indexed; `marks` are the changed channels' flag marks when it
    was incremental (None: replace them all)."""

    index: FlagIndex
    marks: dict[str, FlagMark | None] | None


def evaluate(
    store: Store,
    as_of: date,
    previous: FlagIndex | None = None,
    changed_channels: Collection[str] = (),
) -> Evaluated:
    """Evaluate every enabled rule and index the flags (safe to call from a worker thread:
    the evaluation reads the database through its own read-only connection, never the
    store's). Given the `previous` index and the channels saved or deleted since it was
    evaluated, only those channels are evaluated again (`evaluate_rules(previous=...)`)."""
    from inventory.rules.evaluate import evaluate_rules

    if previous is not None and changed_channels and previous.evaluation.as_of == as_of:
        evaluation = evaluate_rules(
            store,
            as_of,
            previous=previous.evaluation,
            changed_channels=changed_channels,
            ready=True,
        )
        index, marks = previous.updated(evaluation, changed_channels)
        return Evaluated(index, marks)
    return Evaluated(FlagIndex.of(evaluate_rules(store, as_of, ready=True)), None)


@dataclass(eq=False)
class Shown:
    """The inventory as the views show it, owned by the app and handed down to each view
    when it is made: views read it; the app changes it (after a save, an evaluation, a
    toggle) and tells the views to read it again."""

    store: Store
    as_of: date
    fail_on: str  # what the Overview's gate applies, as `check --fail-on`
    flags: FlagIndex  # the latest evaluation on screen
    evaluated: bool = False  # False: `flags` is still the empty index shown at start
    explain: bool = False  # detail panes explain each flag (`i`)
    explanations: dict[str, str] = field(default_factory=dict)  # rule code -> explanation
    total_channels: int = 0
