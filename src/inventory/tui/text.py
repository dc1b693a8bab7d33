"""User text shown literally: never markup, never a raw terminal control character."""

from __future__ import annotations

from rich.text import Text
from textual.content import Content

from inventory.printable import visible


def literal(value: object, style: str = "", *, keep_newlines: bool = False) -> Text:
    """A Rich Text showing `value` exactly as typed (no markup, controls made visible)."""
    return Text(visible(value, keep_newlines=keep_newlines), style=style, no_wrap=False)


def literal_content(value: object) -> Content:
    """A Textual Content showing `value` exactly as typed (for Select, titles, options)."""
    return Content(visible(value))
