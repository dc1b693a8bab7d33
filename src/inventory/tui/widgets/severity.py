"""How a severity looks everywhere in the UI (tables, detail panes, header, Overview): its
symbol is here, its colour is in styles/app.tcss (`.severity--error` and so on), read
through the component classes of each widget that shows severities."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from rich.style import Style
    from textual.widget import Widget

SEVERITY_SYMBOL = {"error": "✖", "warning": "▲", "info": "●"}

#: COMPONENT_CLASSES of a widget that shows severities (Textual inherits them only along
#: the widget classes, so each such widget class lists them).
SEVERITY_COMPONENTS = {f"severity--{severity}" for severity in SEVERITY_SYMBOL}


def severity_style(widget: Widget, severity: str) -> Style:
    """The colour of `severity` as the stylesheet gives it to `widget`."""
    return widget.get_component_rich_style(f"severity--{severity}", partial=True)


def severity_styles(widget: Widget) -> Callable[[str], Style]:
    """severity -> its colour for `widget`, for text built outside it (detail lines)."""
    return partial(severity_style, widget)
