"""Settings read from the environment: a bad value is a warning and the default, never a
crash (and never a NaN deadline that no clock reaches)."""

from __future__ import annotations

import math
import os

MAX_SECONDS = 24 * 3600.0
"""Longest wait a setting may ask for: beyond it, SQLite's millisecond timeouts overflow."""

_warnings: dict[str, str] = {}


def default_db() -> str:
    """The database a command uses when none is named: `$INVENTORY_DB`, else inventory.db."""
    return os.environ.get("INVENTORY_DB") or "inventory.db"


def seconds(name: str, default: float) -> float:
    """The environment variable `name` as a positive, finite number of seconds."""
    text = os.environ.get(name)
    if text is None or not text.strip():
        return default
    try:
        value = float(text)
    except ValueError:
        value = math.nan
    if not math.isfinite(value) or value <= 0 or value > MAX_SECONDS:
        _warnings[name] = (
            f"{name}={text[:40]!r} is not a number of seconds between 0 and {MAX_SECONDS:g}; "
            f"using {default:g}"
        )
        return default
    return value


def warnings() -> list[str]:
    """Warnings about the settings read so far (one per variable)."""
    return list(_warnings.values())
