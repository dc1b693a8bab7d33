"""What every view is: the app switches to it with its number key; n/e/d act on its `kind`."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, ClassVar

from textual.containers import Vertical

from inventory.kinds import VIEWED_KINDS
from inventory.tui.errors import GuardedMessages
from inventory.tui.widgets.severity import SEVERITY_COMPONENTS
from inventory.tui.widgets.virtual_table import Column

if TYPE_CHECKING:
    from inventory.tui.state import Shown


class InventoryView(GuardedMessages, Vertical):
    """A view the app switches to with 1..7; `kind` is what n/e/d act on."""

    COMPONENT_CLASSES: ClassVar[set[str]] = SEVERITY_COMPONENTS  # flags in lists and details

    kind: ClassVar[str | None] = None
    title: ClassVar[str] = ""

    def __init__(self, shown: Shown, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.shown = shown

    def reload(self, key: str | None = None) -> None:
        """Read the data again (after a change or a new evaluation); select `key` if given."""

    def selected_key(self) -> str | None:
        return None

    def selected_revision(self) -> int | None:
        """The revision of the selected record as listed (None: the view doesn't know)."""
        return None

    def focus_main(self) -> None:
        pass

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
