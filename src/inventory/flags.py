"""What evaluating the rules produces: flags, waivers and broken rules."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from itertools import compress
from operator import itemgetter, not_
from typing import Any, NamedTuple

SEVERITY_ORDER = {"error": 0, "warning": 1, "info": 2}


@dataclass(frozen=True, slots=True)
class Waiver:
    reason: str
    until: date | None
    by: str
    on: date


class Flag(NamedTuple):
    """One finding. A named tuple, not a dataclass: an evaluation makes one per subject a
    rule flags (118,000 at 100,000 channels), and a tuple can be made in C, mapped over a
    rule's rows (`evaluate._flags`: 0.07 s of Python __init__ calls before). Immutable,
    hashable by its fields; evaluations share them."""

    rule: str
    recommendation: int
    severity: str
    title: str
    message: str
    subject_type: str
    subject_id: str
    subject_name: str
    waiver: Waiver | None = None

    @property
    def waived(self) -> bool:
        return self.waiver is not None

    @property
    def sort_key(self) -> tuple[int, str, str]:
        return (SEVERITY_ORDER[self.severity], self.rule, self.subject_id)


def flag_fields(*names: str) -> itemgetter[Any]:
    """A getter of these fields of a flag, by name: it runs in C, for the passes over every
    flag of an evaluation (a flag is a tuple)."""
    return itemgetter(*map(Flag._fields.index, names))


def unwaived(flags: list[Flag]) -> list[Flag]:
    """The flags without a waiver, in order; selected in C (118,000 flags at 100,000
    channels: a property call each was 20 ms)."""
    return list(compress(flags, map(not_, map(_WAIVER, flags))))


_WAIVER = flag_fields("waiver")


@dataclass(frozen=True)
class BrokenRule:
    rule: str
    error: str


@dataclass
class Evaluation:
    """The result of one evaluation of every enabled rule at `as_of`."""

    as_of: date
    organization: str
    checked: dict[str, int]
    flags: list[Flag] = field(default_factory=list)
    broken_rules: list[BrokenRule] = field(default_factory=list)
