"""Reading JSON that people and other programs write, strictly.

Python's `json` module takes the last of two equal keys (a stray second `"channels": []`
would silently empty an inventory), accepts `NaN` and `Infinity`, turns 5,000 digits into
an int SQLite can't store, and overflows the C stack on deep nesting. Every JSON text
the inventory reads (documents, rule files, parameter values) goes through `loads`.
"""

from __future__ import annotations

import json
import math
from typing import Any

INT64_MIN, INT64_MAX = -(2**63), 2**63 - 1
MAX_DEPTH = 100
"""Deeper nesting is refused; an inventory document needs 4 levels."""


class JSONTextError(ValueError):
    """JSON that can't be read; the message is one line for a person."""


def _short(text: str) -> str:
    return text if len(text) <= 24 else f"{text[:12]}…{text[-6:]} ({len(text)} characters)"


def _integer(text: str) -> int:
    digits = text.lstrip("-")
    value = int(text) if len(digits) <= 19 else None
    if value is None or not INT64_MIN <= value <= INT64_MAX:
        raise JSONTextError(f"the number {_short(text)} is too large (beyond 64 bits)")
    return value


def _real(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise JSONTextError(f"the number {_short(text)} is too large")
    return value


def _constant(name: str) -> Any:
    raise JSONTextError(f"{name} is not a number JSON allows")


class _Objects:
    """Builds objects, remembering every key that appears twice in one object."""

    def __init__(self) -> None:
        self.duplicates: list[str] = []

    def __call__(self, pairs: list[tuple[str, Any]]) -> dict[str, Any]:
        result = dict(pairs)
        if len(result) != len(pairs):
            seen: set[str] = set()
            for key, _ in pairs:
                if key in seen and key not in self.duplicates:
                    self.duplicates.append(key)
                seen.add(key)
        return result


def loads(text: str, *, depth_checked: bool = True) -> Any:
    """Parse JSON text; JSONTextError names what is wrong (duplicate keys by name).

    `depth_checked` False leaves the nesting to the caller (`check_depth`): a caller that
    validates the value against a shallow model need check only a value that fails (the
    walk over every value was half of reading a 100,000-channel document)."""
    objects = _Objects()
    try:
        value = json.loads(
            text,
            object_pairs_hook=objects,
            parse_int=_integer,
            parse_float=_real,
            parse_constant=_constant,
        )
    except json.JSONDecodeError as error:
        raise JSONTextError(
            f"not valid JSON: {error.msg} at line {error.lineno}, column {error.colno}"
        ) from None
    except RecursionError:
        raise JSONTextError(f"nested too deeply (more than {MAX_DEPTH} levels)") from None
    if objects.duplicates:
        names = ", ".join(json.dumps(key, ensure_ascii=False) for key in objects.duplicates)
        raise JSONTextError(f"a key appears twice in one object: {names}")
    if depth_checked:
        check_depth(value)
    return value


def check_depth(value: Any) -> None:
    """JSONTextError when `value` nests more than MAX_DEPTH levels."""
    if _depth_exceeds(value, MAX_DEPTH):
        raise JSONTextError(f"nested too deeply (more than {MAX_DEPTH} levels)")


def _depth_exceeds(value: Any, limit: int) -> bool:
    """Whether `value` nests more than `limit` levels (without recursion)."""
    level: list[Any] = [value]
    for _ in range(limit):
        level = [
            child
            for item in level
            if isinstance(item, dict | list)
            for child in (item.values() if isinstance(item, dict) else item)
            if isinstance(child, dict | list)
        ]
        if not level:
            return False
    return bool(level)
