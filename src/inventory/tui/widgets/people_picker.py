"""Person fields of the record forms: people are searched in the database as the user
types (a Select of 25,000 people took a second to open), picked with the keys or a click,
and shown marked when external or leaving."""

from __future__ import annotations

from datetime import date
from typing import Any, ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import BindingType
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.widgets import Button, Input, Label, OptionList
from textual.widgets.option_list import Option

from inventory.listing import fold, register_fold
from inventory.models import key_form
from inventory.printable import visible
from inventory.store import Store
from inventory.tui.actions import PERSON_FIELD
from inventory.tui.text import literal_content


class PeopleLookup:
    """The people a person field picks from, searched in the database as the user types:
    25,000 people in a Select took a second to open a channel form."""

    LIMIT = 8

    def __init__(self, store: Store, as_of: date | None = None):
        self.conn = store.conn
        self.as_of = (as_of or date.today()).isoformat()
        register_fold(self.conn)

    def search(self, text: str) -> list[tuple[str, str]]:
        """Up to LIMIT people whose name or e-mail contains `text` (case-insensitive),
        those starting with it first: (label, e-mail)."""
        needle = fold(text.strip())
        rows = self.conn.execute(
            """SELECT name, email, employment, left_on FROM people
               WHERE instr(inventory_fold(name), :t) OR instr(inventory_fold(email), :t)
               ORDER BY NOT (instr(inventory_fold(name), :t) = 1
                             OR instr(inventory_fold(email), :t) = 1),
                        name COLLATE NOCASE, email COLLATE NOCASE
               LIMIT :limit""",
            {"t": needle, "limit": self.LIMIT},
        ).fetchall()
        return [(person_label(*row, as_of=self.as_of), row[1]) for row in rows]

    def label(self, email: str) -> str | None:
        """The label of the person with this e-mail (None: nobody has it)."""
        row = self.conn.execute(
            "SELECT name, email, employment, left_on FROM people WHERE lower(email) = lower(?)",
            [email],
        ).fetchone()
        return None if row is None else person_label(*row, as_of=self.as_of)


def person_label(
    name: str, email: str, employment: str, left_on: str | None = None, *, as_of: str = ""
) -> str:
    """`Name <e-mail>`, marked when the person is external or has left (or is leaving):
    who should not, or soon will not, have access."""
    marks = ["external"] if employment == "external" else []
    if left_on is not None:
        marks.append(f"left {left_on}" if left_on <= as_of else f"leaves {left_on}")
    label = f"{name} <{email}>"
    return f"{label} ({', '.join(marks)})" if marks else label


class FieldEdited(Message):
    """A field made of several widgets (admins, consultants) gained or lost an entry."""


class PersonInput(Input):
    """The text of a person field: a click selects it all, so typing replaces it."""

    async def _on_mouse_up(self, event: Any) -> None:
        await super()._on_mouse_up(event)
        if self.selection.is_empty:
            self.select_all()


class PersonOptions(OptionList, can_focus=False):
    """The people matching what was typed (the input keeps the focus)."""


class PersonPicker(Vertical):
    """A person field: type part of a name or e-mail, ↓ ↑ pick among the matches, enter
    (or a click) chooses. An emptied field chooses nobody."""

    DEFAULT_CSS = """
    PersonPicker { height: auto; }
    PersonPicker > PersonOptions { display: none; height: auto; max-height: 8; }
    PersonPicker.-open > PersonOptions { display: block; }
    """

    BINDINGS: ClassVar[list[BindingType]] = PERSON_FIELD.bindings()

    def __init__(self, people: PeopleLookup, value: str | None, **kw: Any):
        super().__init__(**kw)
        self.people = people
        self.value = value
        self._shown = self._label(value)

    def _label(self, email: str | None) -> str:
        if not email:
            return ""
        return visible(self.people.label(email) or email)

    def compose(self) -> ComposeResult:
        yield PersonInput(
            self._shown, placeholder="type a name or e-mail…", compact=True, select_on_focus=True
        )
        yield PersonOptions(compact=True)

    @property
    def input(self) -> PersonInput:
        return self.query_one(PersonInput)

    @property
    def options(self) -> PersonOptions:
        return self.query_one(PersonOptions)

    class Chosen(Message):
        """A person was chosen (or the field emptied)."""

        def __init__(self, picker: PersonPicker, email: str | None):
            super().__init__()
            self.picker = picker
            self.email = email

        @property
        def control(self) -> PersonPicker:
            return self.picker

    def choose(self, email: str | None) -> None:
        self.value = email
        self._shown = self._label(email)
        self.input.value = self._shown
        self.remove_class("-open")
        self.post_message(self.Chosen(self, email))

    def clear(self) -> None:
        """Empty the field without choosing (a PeoplePicker took the person)."""
        self.value = None
        self._shown = ""
        self.input.value = ""
        self.remove_class("-open")

    @on(Input.Changed)
    def _typed(self, event: Input.Changed) -> None:
        event.stop()
        text = event.value
        if text == self._shown or not text.strip():
            if not text.strip() and self.value is not None:
                self.value = None
                self._shown = ""
                self.post_message(self.Chosen(self, None))
            self.remove_class("-open")
            return
        options = self.options
        options.clear_options()
        matches = self.people.search(text)
        options.add_options([Option(literal_content(label), id=email) for label, email in matches])
        if matches:
            options.highlighted = 0
        self.set_class(bool(matches), "-open")

    def action_move(self, delta: int) -> None:
        options = self.options
        if self.has_class("-open") and options.option_count:
            current = options.highlighted or 0
            options.highlighted = max(0, min(options.option_count - 1, current + delta))

    @on(Input.Submitted)
    def _submitted(self, event: Input.Submitted) -> None:
        event.stop()
        options = self.options
        if self.has_class("-open") and options.highlighted is not None:
            self.choose(options.get_option_at_index(options.highlighted).id)

    @on(OptionList.OptionSelected)
    def _clicked(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.choose(event.option.id)
        self.input.focus()

    @on(Input.Blurred)
    def _left(self, event: Input.Blurred) -> None:
        event.stop()
        # typed but not chosen: show the chosen person again
        if event.value != self._shown and event.value.strip():
            self.input.value = self._shown
        self.remove_class("-open")


class ChosenPerson(Horizontal):
    """One person of a PeoplePicker, with the button that removes them."""

    def __init__(self, email: str, label: str):
        super().__init__(
            Label(label, markup=False),
            Button("✕", classes="remove-person", compact=True, tooltip="Remove"),
            classes="chosen-person",
        )
        self.email = email


class PeoplePicker(Vertical):
    """A list of people (a channel's admins): one row each with a button that removes it,
    and a person field below that adds whoever is chosen, picked like the owner."""

    DEFAULT_CSS = """
    PeoplePicker { height: auto; }
    PeoplePicker > ChosenPerson { height: 1; }
    PeoplePicker > ChosenPerson > Label { width: 1fr; }
    """

    def __init__(self, people: PeopleLookup, value: list[str], **kw: Any):
        super().__init__(**kw)
        self.people = people
        self.initial = list(value)

    def compose(self) -> ComposeResult:
        for email in self.initial:
            yield self._row(email)
        yield PersonPicker(self.people, None, classes="add-person")

    def _row(self, email: str) -> ChosenPerson:
        return ChosenPerson(email, visible(self.people.label(email) or email))

    @property
    def value(self) -> list[str]:
        return [row.email for row in self.query(ChosenPerson)]

    @on(PersonPicker.Chosen, ".add-person")
    def _add(self, event: PersonPicker.Chosen) -> None:
        event.stop()
        if not event.email:
            return
        if key_form("person", event.email) not in {key_form("person", e) for e in self.value}:
            self.mount(self._row(event.email), before=event.picker)
            self.post_message(FieldEdited())
        event.picker.clear()

    @on(Button.Pressed, ".remove-person")
    def _remove(self, event: Button.Pressed) -> None:
        event.stop()
        row = event.button.parent
        if isinstance(row, ChosenPerson):
            row.remove()
            self.post_message(FieldEdited())
