"""Small modal dialogs: confirm, ask for a path, show a message, help."""

from __future__ import annotations

from pathlib import PurePath
from typing import ClassVar

from rich.table import Table
from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, Select, Static

from inventory.tui.errors import GuardedMessages
from inventory.tui.text import literal
from inventory.tui.widgets.field_error import FieldError


class ConfirmDialog(GuardedMessages, ModalScreen[bool]):
    """A yes/no question; `y` confirms, `n` or escape declines."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("y", "answer(True)", "Yes", id="confirm.yes"),
        Binding("n,escape", "answer(False)", "No", id="confirm.no"),
    ]

    def __init__(self, question: str, detail: str = "", yes: str = "Yes (y)") -> None:
        super().__init__(classes="dialog-screen")
        self.question = question
        self.detail = detail
        self.yes = yes

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Label(literal(self.question), classes="dialog-title", markup=False)
            if self.detail:
                yield Static(literal(self.detail, keep_newlines=True), classes="dialog-detail")
            with Horizontal(classes="dialog-buttons"):
                yield Button(self.yes, id="yes", variant="error")
                yield Button("No (n)", id="no")

    def on_mount(self) -> None:
        self.query_one("#no", Button).focus()

    def action_answer(self, answer: bool) -> None:
        self.dismiss(answer)

    @on(Button.Pressed)
    def _pressed(self, event: Button.Pressed) -> None:
        self.dismiss(event.button.id == "yes")


class MessageDialog(GuardedMessages, ModalScreen[None]):
    """A message to read (e.g. why a record can't be deleted); any of enter/escape closes."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,enter", "close", "Close", id="message.close"),
    ]

    def __init__(self, title: str, message: str) -> None:
        super().__init__(classes="dialog-screen")
        self.title_text = title
        self.message = message

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Label(literal(self.title_text), classes="dialog-title", markup=False)
            yield Static(literal(self.message, keep_newlines=True), classes="dialog-detail")
            with Horizontal(classes="dialog-buttons"):
                yield Button("OK", id="ok", variant="primary")

    def on_mount(self) -> None:
        self.query_one("#ok", Button).focus()

    def action_close(self) -> None:
        self.dismiss(None)

    @on(Button.Pressed)
    def _pressed(self) -> None:
        self.dismiss(None)


EXPORT_FORMATS = {".json": "JSON (the flags export)", ".csv": "CSV", ".xlsx": "XLSX (Excel)"}


class PathDialog(GuardedMessages, ModalScreen[str | None]):
    """A dialog that asks for a file path: enter or the confirm button dismisses with the
    path (an empty one is refused under the field), escape or the other button with None."""

    CONFIRM_ID: ClassVar[str]
    ERROR_ID: ClassVar[str]

    def _submit(self) -> None:
        path = self.query_one(Input).value.strip()
        if not path:
            self.query_one(f"#{self.ERROR_ID}", Label).update("Give a file name")
            return
        self.dismiss(path)

    @on(Input.Submitted)
    def _submitted(self) -> None:
        self._submit()

    @on(Button.Pressed)
    def _pressed(self, event: Button.Pressed) -> None:
        if event.button.id == self.CONFIRM_ID:
            self._submit()
        else:
            self.dismiss(None)

    def action_cancel(self) -> None:
        self.dismiss(None)


class ExportDialog(PathDialog):
    """Ask where to write the flags export (default flags.json) and as what: the format
    follows the file's extension, and choosing a format changes the extension."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "Cancel", id="export.cancel"),
    ]
    CONFIRM_ID = "export"
    ERROR_ID = "export-error"

    def __init__(self, default: str = "flags.json", summary: str = "", error: str = "") -> None:
        super().__init__(classes="dialog-screen")
        self.default = default
        self.summary = summary
        self.error = error  # why the last try failed (the dialog opens again to fix the path)

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Label("Export flags", classes="dialog-title")
            if self.summary:
                yield Static(literal(self.summary), classes="dialog-detail")
            yield Label("Format:", classes="field-label-inline")
            yield Select(
                [(label, suffix) for suffix, label in EXPORT_FORMATS.items()],
                value=self._format_of(self.default) or ".json",
                allow_blank=False,
                id="export-format",
            )
            yield Label("File to write:", classes="field-label-inline")
            yield Input(self.default, id="export-path", select_on_focus=False)
            yield FieldError(self.error, id="export-error")
            with Horizontal(classes="dialog-buttons"):
                yield Button("Export (enter)", id="export", variant="primary")
                yield Button("Cancel (esc)", id="cancel")

    def on_mount(self) -> None:
        self.query_one(Input).focus()

    @staticmethod
    def _format_of(path: str) -> str | None:
        suffix = PurePath(path).suffix.lower()
        return suffix if suffix in EXPORT_FORMATS else None

    @on(Select.Changed, "#export-format")
    def _format_chosen(self, event: Select.Changed) -> None:
        path_input = self.query_one("#export-path", Input)
        path = path_input.value.strip() or "flags"
        if event.value != self._format_of(path):
            stem = path[: -len(PurePath(path).suffix)] if self._format_of(path) else path
            path_input.value = f"{stem}{event.value}"

    @on(Input.Changed, "#export-path")
    def _path_changed(self, event: Input.Changed) -> None:
        found = self._format_of(event.value.strip())
        select = self.query_one("#export-format", Select)
        if found is not None and select.value != found:
            select.value = found


HELP_KEYS = [
    ("Moving", ""),
    ("↑ ↓  j k", "move in lists"),
    ("page up/down, home/end", "move by a page, to the first / last row"),
    ("tab / shift+tab", "to the detail pane (arrows and page keys scroll it) and back"),
    (
        "1 … 9",
        "views: 1 Channels 2 Flags 3 People 4 Departments 5 Consultants 6 Policies 7 Rules "
        "8 Lookalikes 9 Waivers",
    ),
    ("Records", ""),
    ("enter, e", "edit the selected record in a form"),
    ("n", "new record"),
    ("d", "delete the selected record (asks; y confirms)"),
    ("ctrl+s / escape", "in a form: save / cancel (asks if there are unsaved changes)"),
    ("ctrl+z", "undo the last action (asks first when it changed several records)"),
    ("ctrl+y, ctrl+shift+z", "redo the last undone action (a new action clears redo)"),
    ("ctrl+o", "import a spreadsheet (.csv, .xlsx, .xls, .ods) or a JSON inventory: preview first"),
    ("o", "in People: offboard the person (date, successor, preview; one undoable action)"),
    ("O", "edit the organization: its name and e-mail domains"),
    ("Channels", ""),
    ("/", "filter by handle, name, owner, platform, department (escape clears)"),
    ("f", "show only flagged channels / all"),
    ("s / S", "sort by the next column / reverse the order (or click a column header)"),
    ("i", "show or hide the explanation of each flag in the detail pane"),
    ("Flags and rules", ""),
    ("w", "waive a flag (in Channels: pick one); on a waived flag: show, edit, remove"),
    ("e / d", "in Waivers: edit / remove the selected waiver (ctrl+z undoes)"),
    ("enter", "in Flags: go to the flagged record"),
    ("space", "in Rules: enable / disable the selected rule"),
    ("x", "export the flags to JSON (asks for the path, default flags.json)"),
    ("Other", ""),
    ("ctrl+p", "command palette: every action by name"),
    ("?", "this help"),
    ("q", "quit"),
]


class HelpScreen(GuardedMessages, ModalScreen[None]):
    """Every key, grouped."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,question_mark,q", "close", "Close help", id="help.close"),
    ]

    def compose(self) -> ComposeResult:
        table = Table.grid(padding=(0, 2))
        table.add_column(style="bold cyan", no_wrap=True)
        table.add_column()
        for key, meaning in HELP_KEYS:
            if not meaning:
                table.add_row(Text(key, style="bold underline"), "")
            else:
                table.add_row(key, meaning)
        with Vertical(classes="dialog help"):
            yield Label("inventory — keys", classes="dialog-title")
            with VerticalScroll():
                yield Static(table)
            yield Label("Press escape or ? to close", classes="dialog-hint")

    def action_close(self) -> None:
        self.dismiss(None)
