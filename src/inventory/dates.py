"""The one reader of dates typed by people: documents, command-line options, dialogs."""

from __future__ import annotations

import re
from datetime import date
from functools import lru_cache

_ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


@lru_cache(maxsize=4096)  # an import reads 200,000 dates, most of them a few hundred days
def parse_date(text: str) -> date:
    """`YYYY-MM-DD` (white space around it allowed) and nothing else: `date.fromisoformat`
    alone would also take `20261126` and `2026-W48-4`. ValueError says what is wrong."""
    value = text.strip()
    if not _ISO_DATE.fullmatch(value):
        raise ValueError(f"{text!r} is not a date in the form YYYY-MM-DD")
    try:
        return date.fromisoformat(value)
    except ValueError as error:
        raise ValueError(f"{text!r} is not a valid date ({error})") from None


def looks_like_date(text: str) -> bool:
    """Has the `YYYY-MM-DD` form (a real date or not): tells a date from other text."""
    return _ISO_DATE.fullmatch(text.strip()) is not None
