"""Read what the terminal shows, as text, as the app's own screenshot shows it."""

from __future__ import annotations

import io

from rich.cells import cell_len
from rich.console import Console
from rich.segment import Segment
from textual.geometry import Region


def screen_text(app) -> str:
    """Every line on screen (dialogs included), as plain text: what the SVG screenshot
    (`app.export_screenshot()`) shows, without the SVG. As there, a run of text drawn in one
    style that is only spaces is left out (runs either side of it meet), and so is a line
    with nothing else."""
    width, height = app.size
    console = Console(
        width=width,
        height=height,
        file=io.StringIO(),
        force_terminal=True,
        color_system="truecolor",
        record=True,
        legacy_windows=False,
        safe_box=False,
    )  # as export_screenshot's
    console.print(
        app.screen._compositor.render_update(full=True, screen_stack=app._background_screens)
    )
    segments = Segment.filter_control(console._record_buffer)  # what export_svg reads
    lines = []
    for line in Segment.split_and_crop_lines(segments, length=width):
        parts, x = [], 0
        for text, _style, _control in line:
            if text != " " * len(text):
                parts.append((x, text))
            x += cell_len(text)
        if parts:
            lines.append("".join(text for _, text in sorted(parts)).replace("\xa0", " "))
    return "\n".join(lines)


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
