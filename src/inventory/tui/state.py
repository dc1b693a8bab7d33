"""What the UI knows about the latest evaluation, and how it gets one off the UI thread."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date

from inventory.listing import FlagMark, flag_marks, severity_totals
from inventory.records import read_organization
from inventory.rules.flags import BrokenRule, Evaluation, Flag
from inventory.store import Store


@dataclass
class FlagIndex:
    """An evaluation, indexed the ways the views look it up."""

    evaluation: Evaluation
    by_subject: dict[tuple[str, str], list[Flag]] = field(default_factory=dict)
    by_rule: Counter[str] = field(default_factory=Counter)
    totals: dict[str, int] = field(default_factory=dict)
    waived: int = 0
    channel_marks: dict[str, FlagMark] = field(default_factory=dict)

    @classmethod
    def of(cls, evaluation: Evaluation) -> FlagIndex:
        index = cls(evaluation)
        for flag in sorted(evaluation.flags, key=lambda f: f.sort_key):
            index.by_subject.setdefault((flag.subject_type, flag.subject_id), []).append(flag)
            index.by_rule[flag.rule] += 1
            index.waived += flag.waived
        index.totals = severity_totals(evaluation)
        index.channel_marks = flag_marks(evaluation.flags, "channel")
        return index

    def flags_of(self, subject_type: str, subject_id: str) -> list[Flag]:
        return self.by_subject.get((subject_type, subject_id), [])


def empty_evaluation(store: Store, as_of: date, why: str | None = None) -> Evaluation:
    broken = [BrokenRule("-", why)] if why else []
    return Evaluation(
        as_of=as_of,
        organization=read_organization(store).name,
        checked={},
        flags=[],
        broken_rules=broken,
    )


def evaluate(store: Store, as_of: date) -> Evaluation:
    """Evaluate every enabled rule (safe to call from a worker thread: the evaluation reads
    the database through its own read-only connection, never the store's)."""
    try:
        from inventory.rules.evaluate import evaluate_rules
    except ImportError:
        return empty_evaluation(store, as_of, "the rules engine is not installed")
    return evaluate_rules(store, as_of)
