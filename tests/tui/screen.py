"""Read what the terminal shows, as text, from the app's own screenshot."""

from __future__ import annotations

import html
import re

_TEXT = re.compile(r'<text class="[^"]*" x="([\d.]+)" y="([\d.]+)"[^>]*>(.*?)</text>', re.S)


def screen_text(app) -> str:
    """Every line on screen (dialogs included), as plain text."""
    svg = app.export_screenshot()
    lines: dict[float, list[tuple[float, str]]] = {}
    for x, y, content in _TEXT.findall(svg):
        lines.setdefault(float(y), []).append((float(x), html.unescape(content)))
    return "\n".join(
        "".join(text for _, text in sorted(parts)).replace("\xa0", " ")
        for _, parts in sorted(lines.items())
    )


def no_blink(app) -> None:
    """Stop text cursors blinking so snapshots are stable."""
    for screen in app.screen_stack:
        for widget in screen.query("Input, TextArea"):
            widget.cursor_blink = False
