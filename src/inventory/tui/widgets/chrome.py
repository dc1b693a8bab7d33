"""The app's frame around the views: the header (organization, counts, flag totals), the
numbered view tabs and the footer of keys; each has a compact form below NARROW columns."""

from __future__ import annotations

from functools import partial
from typing import TYPE_CHECKING, ClassVar, cast

from rich.cells import cell_len
from rich.text import Text
from textual.app import ComposeResult
from textual.screen import Screen
from textual.widget import Widget
from textual.widgets import Footer, Static
from textual.widgets._footer import FooterKey

from inventory.tui.text import literal
from inventory.tui.widgets.severity import SEVERITY_COMPONENTS, SEVERITY_SYMBOL, severity_style

if TYPE_CHECKING:
    from datetime import date

    from inventory.tui.app import InventoryApp
    from inventory.tui.state import FlagIndex

VIEWS: list[tuple[str, str]] = [
    ("channels", "Channels"),
    ("flags", "Flags"),
    ("people", "People"),
    ("departments", "Departments"),
    ("consultants", "Consultants"),
    ("policies", "Policies"),
    ("rules", "Rules"),
    ("lookalikes", "Lookalikes"),
    ("waivers", "Waivers"),
]
OVERVIEW = ("overview", "Overview")
"""Key 0: not numbered with the others, and not the first screen (Channels is)."""


class InventoryHeader(Static):
    """Organization, channel count, flag totals by severity."""

    COMPONENT_CLASSES: ClassVar[set[str]] = SEVERITY_COMPONENTS

    def show(
        self,
        organization: str,
        channels: int,
        flags: FlagIndex | None,
        *,
        updating: bool,
        as_of: date,
        path: str | None,
        narrow: bool,
    ) -> None:
        """`flags` None: the first evaluation is still running. `updating`: a newer one is;
        `path`: the database file's name, if shown. `narrow` (80 columns): severities by
        symbol only, tighter gaps."""
        text = literal(organization)
        text.stylize("bold")
        gap = "  " if narrow else "   "
        text.append(f"{gap}{channels} channels{gap}")
        if flags is None:
            text.append("evaluating the rules…", style="dim")
        else:
            totals = flags.totals
            for severity, symbol in SEVERITY_SYMBOL.items():
                count = totals.get(severity, 0)
                label = "" if narrow else f" {severity}" if count == 1 else f" {severity}s"
                style = severity_style(self, severity) if count else "dim"
                text.append(f"{symbol} {count}{label}", style=style)
                text.append("  ")
            if flags.waived:
                text.append(f"({flags.waived} waived)  ", style="magenta")
            if flags.evaluation.broken_rules:
                broken = len(flags.evaluation.broken_rules)
                text.append(f"{broken} broken rule(s)  ", style="bold red")
            if updating:
                text.append("updating flags…  ", style="dim")
        text.append(f"{'' if narrow else ' '}as of {as_of.isoformat()}", style="dim")
        if path is not None:
            text.append("  ")
            text.append_text(literal(path, "dim"))
        self.update(text)


#: Below this width the tabs, header and footer use their compact forms.
NARROW = 100
SHORT_LABELS = {
    "channels": "Chan.",
    "departments": "Depts",
    "consultants": "Cons.",
    "policies": "Pol.",
    "lookalikes": "Look.",
    "waivers": "Waiv.",
    "overview": "Over.",
}
#: The keys the footer leaves out, in this order, while the keys it shows would not fit
#: in the terminal's width (help and the command palette still list them); at 80
#: columns that is all four.
FOOTER_DROPPED_FIRST = ("redo", "undo", "export", "flagged")
#: Import is in the footer only while the inventory has no channels (the way to fill
#: it), in place of edit and delete (nothing to edit yet); help and the palette list it.
EMPTY_FOOTER_SHOWN = {"import"}
EMPTY_FOOTER_HIDDEN = {"edit", "delete", "waive"}


class ViewTabs(Static):
    """The views and their number keys; the current one highlighted."""

    def show(self, current: str, narrow: bool = False) -> None:
        # the widest form that fits: 10 views need 129 columns with the gaps, 119 without,
        # 80 with the short labels (" 1 Chan. 2 Flags … 9 Waiv. 0 Over.")
        forms = [(False, " "), (False, ""), (True, "")]
        width = self.app.size.width
        for short, gap in forms[2:] if narrow else forms:
            text = self._tabs(current, short, gap)
            if text.cell_len <= width:
                break
        self.update(text)

    @staticmethod
    def _tabs(current: str, short: bool, gap: str) -> Text:
        text = Text()
        numbered = [(str(number), *view) for number, view in enumerate(VIEWS, start=1)]
        for number, view_id, label in [*numbered, ("0", *OVERVIEW)]:
            style = "bold reverse" if view_id == current else ""
            if short:
                text.append(f" {number}", style=style or "cyan")
                text.append(f" {SHORT_LABELS.get(view_id, label)}", style=style)
                continue
            text.append(f" {number} ", style=style or "cyan")
            text.append(f"{label} ", style=style)
            text.append(gap)
        return text


class InventoryFooter(Footer):
    """The footer; below NARROW columns it is compact. Keys that would not fit in the
    width are left out (FOOTER_DROPPED_FIRST first; help and the command palette still
    list them), so every key it shows is whole, at any width."""

    _shown: tuple | None = None
    #: The inventory has no channels (the app says so; it starts empty until it has read
    #: the database).
    empty = True

    def _signature(self) -> tuple:
        shown = [
            (binding.key, binding.description, binding.action, enabled, tooltip)
            for (_, binding, enabled, tooltip) in self.screen.active_bindings.values()
            if binding.show
        ]
        return (self.app.size.width, self.empty, self.show_command_palette, *shown)

    def bindings_changed(self, screen: Screen) -> None:
        # Textual rebuilds the footer (23 keys, 40 ms) whenever the bindings may have
        # changed, e.g. when a form closes; most of the time the keys are the same.
        # Textual's, but checked when the footer is rebuilt: several changes in a row
        # (start-up, a form closing) then rebuild it once.
        self._bindings_ready = True
        if screen.app.app_focus and screen is self.screen and self.is_attached:
            # the keys (23 widgets) come a frame after the list at start-up
            # (in the footer's own context: its keys bind to its reactives)
            cast("InventoryApp", self.app).after_first_frame(
                partial(self.call_later, self.update_keys)
            )

    def _unchanged(self) -> bool:
        return self._shown is not None and self.is_attached and self._signature() == self._shown

    async def update_keys(self) -> None:
        """Show the keys again after the width or `empty` changed (unless they are the same:
        at start-up the width and the inventory are known before the first frame)."""
        if not self._unchanged():
            await self.recompose()

    def _width(self, widget: Widget) -> int:
        """Columns a key takes (Textual's FooterKey styles: padding, margin, border)."""
        if not isinstance(widget, FooterKey):
            return 0
        key = widget
        text = cell_len(key.key_display) + cell_len(key.description)
        palette = key.has_class("-command-palette")
        if self.compact:
            return text + 1 + (0 if palette else 1)
        return text + 3 + (2 if palette else 0)

    def compose(self) -> ComposeResult:
        if self._bindings_ready:
            self._shown = self._signature()
        hidden = set(EMPTY_FOOTER_SHOWN)
        if self.empty:
            hidden = (hidden - EMPTY_FOOTER_SHOWN) | EMPTY_FOOTER_HIDDEN
        keys = [
            widget
            for widget in super().compose()
            if not (isinstance(widget, FooterKey) and widget.action in hidden)
        ]
        for action in FOOTER_DROPPED_FIRST:
            if sum(self._width(key) for key in keys) <= self.app.size.width:
                break
            keys = [key for key in keys if getattr(key, "action", None) != action]
        yield from keys
