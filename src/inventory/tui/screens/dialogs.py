"""Small modal dialogs: confirm, ask for a path, show a message, help."""

from __future__ import annotations

from pathlib import PurePath
from typing import ClassVar

from rich.console import Group
from rich.table import Table
from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, Select, Static

from inventory.tui.actions import CONFIRM, EXPORT, HELP, MESSAGE, PLACES, TEXTUAL_KEYS
from inventory.tui.errors import GuardedMessages
from inventory.tui.text import literal
from inventory.tui.widgets.field_error import FieldError


class ConfirmDialog(GuardedMessages, ModalScreen[bool]):
    """A yes/no question; `y` confirms, `n` or escape declines."""

    BINDINGS: ClassVar[list[BindingType]] = CONFIRM.bindings()

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

    BINDINGS: ClassVar[list[BindingType]] = MESSAGE.bindings()

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

    BINDINGS: ClassVar[list[BindingType]] = EXPORT.bindings()
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


def help_table() -> Group:
    """Every declared key, place by place, then the keys Textual binds itself."""
    places = [(place.place, [(k.shown_keys, k.does) for k in place.keys]) for place in PLACES]
    parts: list[Text | Table] = []
    for heading, rows in [*places, ("Textual's own keys", list(TEXTUAL_KEYS))]:
        parts.append(Text(heading, style="bold underline"))
        table = Table.grid(padding=(0, 2))
        table.add_column(style="bold cyan", no_wrap=True, width=HELP_KEY_WIDTH)
        table.add_column()
        for keys, does in rows:
            table.add_row(keys, does)
        parts.append(table)
    return Group(*parts)


#: The key column of the help screen: the longest keys ("ctrl+y, ctrl+shift+z") fit.
HELP_KEY_WIDTH = 22


class HelpScreen(GuardedMessages, ModalScreen[None]):
    """Every key, grouped."""

    BINDINGS: ClassVar[list[BindingType]] = HELP.bindings()

    def compose(self) -> ComposeResult:
        table = help_table()
        with Vertical(classes="dialog help"):
            yield Label("inventory — keys", classes="dialog-title")
            with VerticalScroll():
                yield Static(table)
            yield Label("Press escape or ? to close", classes="dialog-hint")

    def action_close(self) -> None:
        self.dismiss(None)
