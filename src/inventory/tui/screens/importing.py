"""Import from the UI: ask for a file, show what importing it would do, apply on confirm;
and the indicator shown while a long import or export runs."""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, LoadingIndicator, Static

from inventory.importing import PreparedImport
from inventory.preview import ImportPlan
from inventory.tui.actions import IMPORT, PREVIEW
from inventory.tui.errors import GuardedMessages
from inventory.tui.screens.dialogs import PathDialog
from inventory.tui.text import literal
from inventory.tui.widgets.field_error import FieldError

SHOWN = 50  # records listed per section of the preview; the rest are counted


class ImportDialog(PathDialog):
    """Ask which file to import: a spreadsheet (.csv, .xlsx, .xls, .ods) or a JSON document."""

    BINDINGS: ClassVar[list[BindingType]] = IMPORT.bindings()
    CONFIRM_ID = "preview"
    ERROR_ID = "import-error"

    def __init__(self, default: str = "") -> None:
        super().__init__(classes="dialog-screen")
        self.default = default

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Label("Import channels or an inventory", classes="dialog-title")
            yield Static(
                "A spreadsheet (.csv, .xlsx, .xls, .ods) adds and updates channels; a JSON "
                "inventory document merges every record. You see what would change first.",
                classes="dialog-detail",
            )
            yield Label("File to read:", classes="field-label-inline")
            yield Input(self.default, id="import-path", placeholder="channels.xlsx")
            yield FieldError(id="import-error")
            with Horizontal(classes="dialog-buttons"):
                yield Button("Preview (enter)", id="preview", variant="primary")
                yield Button("Cancel (esc)", id="cancel")

    def on_mount(self) -> None:
        self.query_one(Input).focus()


def preview_text(prepared: PreparedImport) -> Text:
    """The preview's body: problems, or new / changed records and what was read."""
    text = Text()
    if prepared.problems:
        count = len(prepared.problems)
        text.append(f"Problems ({count}): nothing can be imported\n", style="bold red")
        for problem in prepared.problems[:SHOWN]:
            text.append("  ✖ ", style="red")
            text.append_text(literal(problem))
            text.append("\n")
        if count > SHOWN:
            text.append(f"  … and {count - SHOWN:,} more\n", style="dim")
        return text
    plan = prepared.plan or ImportPlan([], {})
    text.append(f"Would {plan.counts()}\n", style="bold")
    sections = (
        ("New", plan.created, "green"),
        ("Changed", plan.updated, "yellow"),
        ("Deleted", plan.deleted, "red"),
    )
    for title, changes, style in sections:
        if not changes:
            continue
        text.append(f"\n{title} ({len(changes):,})\n", style=f"bold {style}")
        for change in changes[:SHOWN]:
            text.append(f"  {change.kind} ", style="dim")
            text.append_text(literal(change.key))
            text.append("\n")
            if title == "Changed":
                for field in ImportPlan.fields(change):
                    text.append("      ")
                    text.append_text(literal(str(field)))
                    text.append("\n")
        if len(changes) > SHOWN:
            text.append(f"  … and {len(changes) - SHOWN:,} more\n", style="dim")
    if prepared.summary:
        text.append("\nRead\n", style="bold")
        for line in prepared.summary:
            text.append("  ")
            text.append_text(literal(line))
            text.append("\n")
    return text


class ImportPreview(GuardedMessages, ModalScreen[bool]):
    """What importing a file would create and change, or why it can't be imported;
    `ctrl+s` (or the button) imports it as one undoable action, escape cancels."""

    BINDINGS: ClassVar[list[BindingType]] = PREVIEW.bindings()

    def __init__(self, prepared: PreparedImport) -> None:
        super().__init__(classes="dialog-screen")
        self.prepared = prepared

    def compose(self) -> ComposeResult:
        title = Text("Import ")
        title.append_text(literal(str(self.prepared.path)))
        with Vertical(classes="dialog import-preview"):
            yield Label(title, classes="dialog-title")
            with VerticalScroll(id="preview-body"):
                yield Static(preview_text(self.prepared), id="preview-text")
            with Horizontal(classes="dialog-buttons"):
                if self.prepared.ready:
                    yield Button("Import (ctrl+s)", id="import", variant="primary")
                    yield Button("Cancel (esc)", id="cancel")
                else:
                    yield Button("Close (esc)", id="cancel", variant="primary")

    def on_mount(self) -> None:
        self.query_one("#preview-body").focus()

    def action_answer(self, confirmed: bool) -> None:
        self.dismiss(confirmed and self.prepared.ready)

    @on(Button.Pressed)
    def _pressed(self, event: Button.Pressed) -> None:
        self.dismiss(event.button.id == "import")


class WorkingScreen(GuardedMessages, ModalScreen[None]):
    """Shown while a long import or export runs in a worker; closed when it ends."""

    def __init__(self, what: str) -> None:
        super().__init__(classes="dialog-screen")
        self.what = what

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog working"):
            yield Label(literal(self.what), classes="dialog-title")
            yield LoadingIndicator()
