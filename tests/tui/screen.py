"""Read what the terminal shows, as text, from the app's own screenshot."""

from __future__ import annotations

import html
import re

from textual.geometry import Region

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


def shown_text(widget) -> str:
    """What one widget shows (its rendered text), with line breaks and runs of spaces as
    one space: for messages that wrap, where the screen's lines interleave with the
    widgets around them."""
    rendered = widget.render()
    plain = getattr(rendered, "plain", None)
    return " ".join((plain if plain is not None else str(rendered)).split())


def toasts(app) -> list[str]:
    """The notifications on screen, as their text."""
    return [shown_text(toast) for toast in app.screen.query("Toast") if toast.display]


def widget_text(widget) -> str:
    """What one widget shows, rendered at its size, line by line as plain text: to assert
    on one part of the screen (the header, a status line, a table, a detail pane) without
    exporting the whole screen as SVG and reading it back."""
    width, height = widget.outer_size  # padding and border included, as on screen
    strips = widget.render_lines(Region(0, 0, width, height))
    return "\n".join(strip.text.rstrip() for strip in strips)


def texts(root, selector: str = "Static, Button") -> str:
    """What every shown Static (Labels included) and Button under `root` says, one after
    the other: e.g. a dialog's title, message and choices (`texts(app.screen)`)."""
    return "\n".join(widget_text(w) for w in root.query(selector) if w.display and w.visible)
