"""Comparing flags with an earlier flags export (a baseline): which flags are new, which
were known, and which of the earlier ones are no longer raised (resolved).

A flag's identity is (rule, subject type, subject id), as the flags export spec says; the
baseline may be format `/1` or `/2`."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from inventory.flags import SEVERITY_ORDER, Flag

BASELINE_FORMATS = ("social-inventory-flags/1", "social-inventory-flags/2")

Identity = tuple[str, str, str]


class BaselineError(Exception):
    """A baseline file that can't be used; the message is one line meant for a person."""


@dataclass(frozen=True)
class BaselineFlag:
    """What a comparison needs of one flag of the baseline."""

    rule: str
    severity: str
    subject: dict[str, Any]

    @property
    def identity(self) -> Identity:
        return (self.rule, self.subject["type"], self.subject["id"])

    @property
    def sort_key(self) -> tuple[int, str, str]:
        return (SEVERITY_ORDER[self.severity], self.rule, self.subject["id"])


@dataclass(frozen=True)
class Baseline:
    file: str
    generated_at: str
    flags: list[BaselineFlag]


@dataclass(frozen=True)
class Comparison:
    """The current flags measured against a baseline."""

    baseline: Baseline
    new: frozenset[Identity]
    known: frozenset[Identity]
    resolved: list[BaselineFlag]

    def status(self, flag: Flag) -> str:
        return "new" if identity(flag) in self.new else "known"

    def is_new(self, flag: Flag) -> bool:
        return identity(flag) in self.new


def identity(flag: Flag) -> Identity:
    return (flag.rule, flag.subject_type, flag.subject_id)


def read_baseline(path: str | Path) -> Baseline:
    """Read and check an earlier flags export; BaselineError names what is wrong."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise BaselineError(f"baseline {path} does not exist") from None
    except IsADirectoryError:
        raise BaselineError(f"baseline {path} is a folder, not a flags export") from None
    except UnicodeDecodeError:
        raise BaselineError(f"baseline {path} is not UTF-8 text") from None
    except OSError as error:
        raise BaselineError(f"baseline {path} can't be read: {error.strerror}") from None
    try:
        document = json.loads(text)
    except json.JSONDecodeError as error:
        raise BaselineError(
            f"baseline {path} is not valid JSON: {error.msg} at line {error.lineno}"
        ) from None
    return parse_baseline(document, path)


def parse_baseline(document: Any, path: Path) -> Baseline:
    def bad(why: str) -> BaselineError:
        return BaselineError(f"baseline {path} is not a flags export: {why}")

    if not isinstance(document, dict):
        raise bad("expected a JSON object")
    if document.get("format") not in BASELINE_FORMATS:
        raise bad(
            f"format {document.get('format')!r}, expected one of {', '.join(BASELINE_FORMATS)}"
        )
    generated_at = document.get("generated_at")
    if not isinstance(generated_at, str):
        raise bad("'generated_at' is missing or not text")
    raw_flags = document.get("flags")
    if not isinstance(raw_flags, list):
        raise bad("'flags' is missing or not a list")
    flags = []
    for number, raw in enumerate(raw_flags, start=1):
        subject = raw.get("subject") if isinstance(raw, dict) else None
        if (
            not isinstance(raw, dict)
            or not isinstance(raw.get("rule"), str)
            or raw.get("severity") not in SEVERITY_ORDER
            or not isinstance(subject, dict)
            or not isinstance(subject.get("type"), str)
            or not isinstance(subject.get("id"), str)
        ):
            raise bad(f"flag {number} lacks a rule, a severity or a subject type and id")
        flags.append(BaselineFlag(raw["rule"], raw["severity"], subject))
    return Baseline(path.name, generated_at, flags)


def compare(flags: list[Flag], baseline: Baseline) -> Comparison:
    before = {flag.identity: flag for flag in baseline.flags}
    current = {identity(flag) for flag in flags}
    resolved = sorted(
        (flag for key, flag in before.items() if key not in current), key=lambda f: f.sort_key
    )
    return Comparison(
        baseline=baseline,
        new=frozenset(current - before.keys()),
        known=frozenset(current & before.keys()),
        resolved=resolved,
    )


def summary(comparison: Comparison) -> dict[str, Any]:
    """`summary.baseline` of the flags export."""
    return {
        "file": comparison.baseline.file,
        "generated_at": comparison.baseline.generated_at,
        "new": len(comparison.new),
        "known": len(comparison.known),
        "resolved": [
            {
                "rule": flag.rule,
                "subject": {
                    k: flag.subject[k] for k in ("type", "id", "name") if k in flag.subject
                },
            }
            for flag in comparison.resolved
        ],
    }
