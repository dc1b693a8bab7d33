"""What an import would change, before it does (`import --dry-run`, the UI's preview)."""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass
from typing import Any

from inventory.history import Change

SHOWN = 20  # updates shown field by field; the rest are counted


def _show(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False)


def _plural(count: int, kind: str) -> str:
    if count == 1:
        return f"1 {kind}"
    plural = {"person": "people", "policy": "policies"}.get(kind, f"{kind}s")
    return f"{count:,} {plural}"


@dataclass(frozen=True)
class FieldChange:
    field: str
    before: Any
    after: Any

    def __str__(self) -> str:
        return f"{self.field}: {_show(self.before)} -> {_show(self.after)}"


@dataclass(frozen=True)
class ImportPlan:
    """The changes an import makes, and how many of its records it leaves as they are."""

    changes: list[Change]
    unchanged: dict[str, int]

    @property
    def created(self) -> list[Change]:
        return [c for c in self.changes if c.before is None]

    @property
    def updated(self) -> list[Change]:
        return [c for c in self.changes if c.before is not None and c.after is not None]

    @property
    def deleted(self) -> list[Change]:
        return [c for c in self.changes if c.after is None]

    @staticmethod
    def fields(change: Change) -> list[FieldChange]:
        before, after = change.before or {}, change.after or {}
        return [
            FieldChange(name, before.get(name), after.get(name))
            for name in dict.fromkeys([*before, *after])
            if before.get(name) != after.get(name)
        ]

    def counts(self, *, done: bool = False) -> str:
        """`create 2 channels, 1 department; update 3 channels; leave 5 channels unchanged`
        (`done`: created, updated, ...), as one line."""
        parts = []
        for verb, changes in (
            ("created" if done else "create", self.created),
            ("updated" if done else "update", self.updated),
            ("deleted" if done else "delete", self.deleted),
        ):
            by_kind = Counter(c.kind for c in changes)
            if by_kind:
                parts.append(f"{verb} {', '.join(_plural(n, k) for k, n in by_kind.items())}")
        if self.unchanged:
            kinds = ", ".join(_plural(n, k) for k, n in self.unchanged.items())
            parts.append(f"{'left' if done else 'leave'} {kinds} unchanged")
        return "; ".join(parts) if parts else ("changed nothing" if done else "change nothing")

    def lines(self, shown: int = SHOWN) -> list[str]:
        """The report: counts, then each created record and each update field by field
        (the first `shown` of each; the rest counted)."""
        lines = [f"would {self.counts()}"]
        created = self.created
        for change in created[:shown]:
            lines.append(f"  new {change.kind} {change.key}")
        if len(created) > shown:
            lines.append(f"  ... and {len(created) - shown:,} more new records")
        updated = self.updated
        for change in updated[:shown]:
            lines.append(f"  changed {change.kind} {change.key}:")
            lines.extend(f"    {field}" for field in self.fields(change))
        if len(updated) > shown:
            rest = Counter(f.field for c in updated[shown:] for f in self.fields(c))
            fields = ", ".join(f"{name} {count:,}" for name, count in rest.most_common())
            lines.append(f"  ... and {len(updated) - shown:,} more changed records ({fields})")
        deleted = self.deleted
        for change in deleted[:shown]:
            lines.append(f"  deleted {change.kind} {change.key}")
        if len(deleted) > shown:
            lines.append(f"  ... and {len(deleted) - shown:,} more deleted records")
        return lines
