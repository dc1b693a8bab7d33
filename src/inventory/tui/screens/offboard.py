"""The offboarding dialog (`o` on a person): the date they leave, a successor picked like
an owner, and a preview of every live channel that changes, before anything is saved."""

from __future__ import annotations

from datetime import date
from typing import ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, Static

from inventory.dates import parse_date
from inventory.offboarding import OffboardingError, plan_offboarding, report_lines
from inventory.store import Store
from inventory.tui.actions import OFFBOARD
from inventory.tui.text import literal
from inventory.tui.widgets.field_error import FieldError
from inventory.tui.widgets.people_picker import PeopleLookup, PersonPicker

Answer = tuple[date, str | None]


class OffboardDialog(ModalScreen[Answer | None]):
    """Dismisses with (the day they leave, the successor's e-mail or None), or None."""

    BINDINGS: ClassVar[list[BindingType]] = OFFBOARD.bindings()

    def __init__(self, store: Store, email: str, label: str, on: date, as_of: date) -> None:
        super().__init__(classes="dialog-screen")
        self.store = store
        self.email = email
        self.label = label
        self.on = on
        self.people = PeopleLookup(store, as_of)

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog offboard-dialog"):
            yield Label(literal(f"Offboard {self.label}"), classes="dialog-title", markup=False)
            yield Label("Leaves on (YYYY-MM-DD):", classes="field-label-inline")
            yield Input(self.on.isoformat(), id="offboard-on", max_length=10, compact=True)
            yield Label(
                "Successor (optional: without one, only the date is set):",
                classes="field-label-inline",
            )
            yield PersonPicker(self.people, None, id="offboard-successor")
            yield FieldError(id="offboard-error")
            with VerticalScroll(id="offboard-preview-scroll"):
                yield Static("", id="offboard-preview")
            with Horizontal(classes="dialog-buttons"):
                yield Button("Offboard (ctrl+s)", id="offboard", variant="warning")
                yield Button("Cancel (esc)", id="cancel")

    def on_mount(self) -> None:
        self.query_one("#offboard-on", Input).focus()
        self._preview()

    def _answer(self) -> Answer | None:
        """The date and successor as entered; shows why when they can't be used."""
        error = self.query_one("#offboard-error", Label)
        text = self.query_one("#offboard-on", Input).value.strip()
        try:
            on = parse_date(text)
        except ValueError as problem:
            error.update(literal(str(problem)))
            return None
        successor = self.query_one(PersonPicker).value
        try:
            plan = plan_offboarding(self.store, self.email, on, successor)
        except OffboardingError as problem:
            error.update(literal(str(problem)))
            return None
        error.update("")
        self.query_one("#offboard-preview", Static).update(
            literal(
                "\n".join(report_lines(plan, "choose a successor to hand them over")),
                keep_newlines=True,
            )
        )
        return on, successor

    def _preview(self) -> None:
        self._answer()

    @on(Input.Changed, "#offboard-on")
    def _date_changed(self) -> None:
        self._preview()

    @on(PersonPicker.Chosen)
    def _successor_chosen(self) -> None:
        self._preview()

    def action_save(self) -> None:
        answer = self._answer()
        if answer is not None:
            self.dismiss(answer)

    def action_cancel(self) -> None:
        self.dismiss(None)

    @on(Button.Pressed)
    def _pressed(self, event: Button.Pressed) -> None:
        if event.button.id == "offboard":
            self.action_save()
        else:
            self.dismiss(None)
