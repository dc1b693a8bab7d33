"""The dialog shown when a save or a delete finds the record changed since it was read.

Nothing is written silently: the dialog shows, field by field, the user's version next to
the one now in the database (fields that differ are marked and highlighted) and lets the
user reload, overwrite deliberately, or go back to the form. A record deleted meanwhile
can be saved as new. Every value is shown literally (Rich Text, never markup).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, ClassVar

from rich.table import Table
from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Button, Label, Static
from textual.widgets.button import ButtonVariant

from inventory.history import Entry
from inventory.tui.actions import CONFLICT
from inventory.tui.errors import GuardedMessages
from inventory.tui.text import literal

#: What a value may show before it is cut (a note can be 200 kB).
MAX_SHOWN = 160

RELOAD = "reload"
OVERWRITE = "overwrite"
SAVE_AS_NEW = "save_as_new"
DELETE = "delete"


def shown(value: Any) -> Text:
    """One field's value, literally, on one line; long text is cut with its length said."""
    if value is None or value == "" or value == []:
        return Text("(empty)", style="dim italic")
    if isinstance(value, bool):
        return Text("yes" if value else "no")
    if isinstance(value, list):
        parts = [
            f"{item.get('consultant')} ({item.get('role')})" if isinstance(item, dict) else item
            for item in value
        ]
        value = ", ".join(str(part) for part in parts)
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = str(value)
    if len(text) > MAX_SHOWN:
        cut = literal(text[:MAX_SHOWN])
        cut.append(f"… ({len(text):,} characters)", style="dim")
        return cut
    return literal(text)


def who_changed(entry: Entry | None) -> str:
    if entry is None:
        return "someone else"
    return f"{entry.user} ({entry.source}, {entry.at})"


def comparison(
    fields: Sequence[tuple[str, str]],
    mine: dict[str, Any] | None,
    theirs: dict[str, Any] | None,
) -> tuple[Table, int]:
    """A table of every field: label, the user's value, the database's value; fields that
    differ are marked `≠` and highlighted. Returns the table and how many fields differ."""
    table = Table(expand=True, show_edge=False, pad_edge=False, box=None, padding=(0, 1))
    table.add_column("", no_wrap=True, width=1)
    table.add_column("Field", style="bold", no_wrap=True)
    if mine is not None:
        table.add_column("Your version", ratio=1, overflow="fold")
    if theirs is not None:
        table.add_column("In the database now", ratio=1, overflow="fold")
    differing = 0
    for name, label in fields:
        both = mine is not None and theirs is not None
        differs = mine is not None and theirs is not None and mine.get(name) != theirs.get(name)
        differing += differs
        cells = []
        for values in (mine, theirs):
            if values is not None:
                cell = shown(values.get(name))
                if differs:
                    cell.stylize("bold")  # shown whole, wrapped
                elif both:
                    cell.stylize("dim")  # the same on both sides: one line is enough
                    cell.no_wrap = True
                    cell.overflow = "ellipsis"
                cells.append(cell)
        marker = Text("≠", style="bold yellow") if differs else Text("")
        label_text = Text(label, style="bold yellow" if differs else "")
        table.add_row(marker, label_text, *cells, style="on #3a3000" if differs else "")
    return table, differing


class ConflictDialog(GuardedMessages, ModalScreen[str | None]):
    """A save (or delete) refused because the record changed since it was read.

    Dismisses with RELOAD, OVERWRITE, SAVE_AS_NEW or DELETE, or None to go back.
    """

    BINDINGS: ClassVar[list[BindingType]] = CONFLICT.bindings()

    def __init__(
        self,
        *,
        what: str,
        fields: Sequence[tuple[str, str]],
        mine: dict[str, Any] | None,
        theirs: dict[str, Any] | None,
        changed_by: Entry | None,
        deleting: bool = False,
    ) -> None:
        super().__init__(classes="dialog-screen")
        self.what = what
        self.fields = fields
        self.mine = mine
        self.theirs = theirs
        self.changed_by = changed_by
        self.deleting = deleting

    @property
    def choices(self) -> list[tuple[str, str, ButtonVariant]]:
        """(choice, button label, variant) in the order shown."""
        if self.deleting:
            return [(DELETE, "Delete anyway (y)", "error"), ("back", "Keep it (esc)", "default")]
        if self.theirs is None:
            return [(SAVE_AS_NEW, "Save as new (s)", "primary"), ("back", "Back (esc)", "default")]
        return [
            (RELOAD, "Reload (r)", "default"),
            (OVERWRITE, "Overwrite (o)", "warning"),
            ("back", "Back (esc)", "default"),
        ]

    def compose(self) -> ComposeResult:
        table, differing = comparison(self.fields, self.mine, self.theirs)
        who = who_changed(self.changed_by)
        if self.theirs is None:
            title = f"{self.what} was deleted since you opened it"
            detail = (
                f"Deleted by {who}. Your version is not saved: save it as a new record, "
                "or go back to the form."
            )
        elif self.deleting:
            title = f"{self.what} changed since it was listed"
            detail = (
                f"Last changed by {who}. This is what you would delete now; "
                "nothing was deleted yet."
            )
        else:
            title = f"{self.what} changed since you opened it"
            fields = f"{differing} field{'s' if differing != 1 else ''}"
            detail = (
                f"Last saved by {who}. Your version is not saved; {fields} differ (≠).\n"
                "Reload: discard your edits and edit the version in the database.  "
                "Overwrite: save your version over it.  Back: keep editing."
            )
        with Vertical(classes="dialog conflict"):
            yield Label(literal(title), classes="dialog-title conflict-title", markup=False)
            yield Static(literal(detail, keep_newlines=True), classes="dialog-detail")
            with VerticalScroll(classes="conflict-fields"):
                yield Static(table, id="conflict-table")
            with Horizontal(classes="dialog-buttons"):
                for choice, label, variant in self.choices:
                    yield Button(label, id=f"choice-{choice}", variant=variant)

    def on_mount(self) -> None:
        self.query_one("#choice-back", Button).focus()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "choose" and parameters:
            return parameters[0] == "back" or parameters[0] in {c for c, _, _ in self.choices}
        return True

    def action_choose(self, choice: str) -> None:
        self.dismiss(None if choice == "back" else choice)

    @on(Button.Pressed)
    def _pressed(self, event: Button.Pressed) -> None:
        choice = (event.button.id or "").removeprefix("choice-")
        self.action_choose(choice)
