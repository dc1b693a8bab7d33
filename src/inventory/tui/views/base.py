"""What every view is: the app switches to it with its number key; n/e/d act on its `kind`."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, ClassVar

from textual import on
from textual.binding import BindingType
from textual.containers import Vertical
from textual.widgets import Input

from inventory.kinds import VIEWED_KINDS
from inventory.tui.actions import FILTER, VIEW
from inventory.tui.errors import GuardedMessages
from inventory.tui.widgets.detail import DetailPane
from inventory.tui.widgets.severity import SEVERITY_COMPONENTS
from inventory.tui.widgets.virtual_table import Column, VirtualTable

if TYPE_CHECKING:
    from inventory.tui.state import Shown


class FilterInput(Input):
    """A view's filter (`/`): escape clears it, enter or down goes back to the list."""

    BINDINGS: ClassVar[list[BindingType]] = FILTER.bindings()

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(placeholder="/ filter", compact=True, classes="view-filter", **kwargs)

    def action_clear(self) -> None:
        self.value = ""
        self.action_done()

    def action_done(self) -> None:
        self.query_ancestor(InventoryView).focus_main()


class InventoryView(GuardedMessages, Vertical):
    """A view the app switches to with 1..8; `kind` is what n/e/d act on. A view with a
    FilterInput filters its list as it is typed (`filter_changed`)."""

    COMPONENT_CLASSES: ClassVar[set[str]] = SEVERITY_COMPONENTS  # flags in lists and details

    kind: ClassVar[str | None] = None
    title: ClassVar[str] = ""

    BINDINGS: ClassVar[list[BindingType]] = VIEW.bindings()

    def __init__(self, shown: Shown, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.shown = shown
        self._filter_due = False

    @property
    def filter_text(self) -> str:
        found = self.query(FilterInput)
        return found.first().value if found else ""

    def focus_filter(self) -> bool:
        """Put the cursor in the view's filter; False when the view has none."""
        found = self.query(FilterInput)
        if found:  # at once: the keys typed with `/` are then given to it (app.on_key)
            self.screen.set_focus(found.first())
        return bool(found)

    def set_filter(self, text: str) -> None:
        """Filter the list by `text` now (as if typed)."""
        self.query_one(FilterInput).value = text
        self._apply_filter()

    @on(Input.Changed, "FilterInput")
    def _filter_typed(self) -> None:
        # at once (count and page take ~40 ms at 100,000 channels); keys typed while a
        # filter runs are applied together, with the text as it is then
        if not self._filter_due:
            self._filter_due = True
            self.call_later(self._apply_filter)

    def _apply_filter(self) -> None:
        self._filter_due = False
        self.filter_changed(self.filter_text)

    def filter_changed(self, text: str) -> None:
        """Show only the rows with `text` in a text column shown (views with a filter)."""

    def reload(self, key: str | None = None) -> None:
        """Read the data again (after a change or a new evaluation); select `key` if given."""

    def selected_key(self) -> str | None:
        return None

    def selected_revision(self) -> int | None:
        """The revision of the selected record as listed (None: the view doesn't know)."""
        return None

    def focus_main(self) -> None:
        """Focus the view's list at once (Widget.focus waits for the keys already typed:
        enter and → typed together in the filter would move the filter's cursor)."""
        found = self.query(VirtualTable)
        if found:
            self.screen.set_focus(found.first())

    def _detail(self) -> DetailPane | None:
        panes = [pane for pane in self.query(DetailPane) if pane.display]
        return panes[0] if panes else None

    def action_toggle_detail(self) -> None:
        """`tab`: from the list to the detail pane (at 80x24 most details are below the
        fold) and back; from anything else (a filter, a select) to the next field."""
        pane = self._detail()
        focused = self.screen.focused
        if pane is not None and focused is pane:
            self.focus_main()
        elif pane is not None and focused is not None and self._is_main(focused):
            pane.focus()
        else:
            self.screen.focus_next()

    def _is_main(self, widget: object) -> bool:
        """The view's list (what focus_main focuses)."""
        return widget is getattr(self, "table", None)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "toggle_detail":  # the Overview (and an empty Channels) has no pane
            return self._detail() is not None
        return True

    def show_detail(self) -> None:
        """Show the selected record in the detail pane again (e.g. explained now)."""

    def wide(self) -> bool:
        return self.app.size.width >= 100


def sort_note(columns: Sequence[Column], sort: str, descending: bool) -> str:
    """'  sorted by Owner ▲' for a view's status line."""
    label = next((c.label for c in columns if c.key == sort), sort)
    return f"  sorted by {label} {'▼' if descending else '▲'}"


def next_sort(columns: Sequence[Column], current: str) -> str:
    """The sortable column after `current` (`s`), wrapping round."""
    keys = [c.key for c in columns if c.sortable]
    return keys[(keys.index(current) + 1) % len(keys)] if current in keys else keys[0]


def view_of(kind: str | None) -> str | None:
    """The view that lists records of `kind`, if any."""
    found = VIEWED_KINDS.get(kind) if kind else None
    return found.view if found else None
