"""Record forms: one modal screen per record, the right widget for each field.

A form collects its widgets' values, builds the pydantic record (errors go next to their
fields), then saves it through its `RecordEdit` (errors such as an unknown reference or a
duplicate key go next to their fields too). Only a saved record closes the form: it
dismisses with the record's key; escape dismisses with None (asking first when the form
has unsaved changes).

A save of a record that changed since the form read it is refused by the store
(`ConflictError`); the form then shows a `ConflictDialog` with both versions, and the user
reloads, overwrites deliberately, saves as new (the record was deleted) or goes back. A
database error (locked, disk full, read-only) shows at the top; the form keeps the edits.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from enum import Enum
from typing import Any, ClassVar

from pydantic import BaseModel, ValidationError
from textual import on
from textual.app import ComposeResult
from textual.binding import BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widget import Widget
from textual.widgets import (
    Button,
    Checkbox,
    Input,
    Label,
    Select,
    SelectionList,
    TextArea,
)

from inventory import history, models, records
from inventory.kinds import Kind
from inventory.models import Record
from inventory.records import Loaded, RecordError, record_key
from inventory.store import ConflictError, Store, StoreError
from inventory.tui.actions import FORM
from inventory.tui.errors import GuardedMessages
from inventory.tui.screens.conflict import OVERWRITE, RELOAD, SAVE_AS_NEW, ConflictDialog
from inventory.tui.screens.dialogs import ConfirmDialog
from inventory.tui.text import literal, literal_content
from inventory.tui.widgets.field_error import FieldError
from inventory.tui.widgets.people_picker import (
    FieldEdited,
    PeopleLookup,
    PeoplePicker,
    PersonPicker,
)
from inventory.validation import field_errors

Options = list[tuple[str, Any]]


@dataclass(frozen=True)
class FormField:
    """One field of a form: its record attribute, its label and the widget to use."""

    name: str
    label: str
    widget: str  # text | textarea | select | person | multi | date | number | bool | lines | pairs
    options: Options = field(default_factory=list)
    required: bool = False
    placeholder: str = ""
    choices: Options = field(default_factory=list)  # second select of a `pairs` field
    people: PeopleLookup | None = None  # the people a `person` field picks from


def enum_options(enum: type[Enum]) -> Options:
    return [(member.value, member.value) for member in enum]


class ConsultantRoles(Vertical):
    """Consultant + role pairs: one row each, a button to add one, a button to remove one."""

    # as tall as its rows: a Vertical fills its parent (1fr), which left ~12 blank lines
    # in the channel form at 80x24 and pushed the fields after it out of sight
    DEFAULT_CSS = """
    ConsultantRoles { height: auto; }
    """

    def __init__(self, consultants: Options, roles: Options, value: list[dict], **kw: Any):
        super().__init__(**kw)
        self.consultants = consultants
        self.roles = roles
        self.initial = value

    def compose(self) -> ComposeResult:
        for pair in self.initial:
            yield self._row(pair.get("consultant"), pair.get("role"))
        yield Button("+ add consultant", classes="add-pair", compact=True)

    def _row(self, consultant: str | None, role: str | None) -> Horizontal:
        options = [(literal(label), value) for label, value in self.consultants]
        known = {value for _, value in self.consultants}
        return Horizontal(
            Select(
                options,
                value=consultant if consultant in known else Select.NULL,
                prompt="consultant",
                classes="pair-consultant",
                compact=True,
            ),
            Select(
                [(label, value) for label, value in self.roles],
                value=role or self.roles[0][1],
                allow_blank=False,
                classes="pair-role",
                compact=True,
            ),
            Button("✕", classes="remove-pair", compact=True, tooltip="Remove"),
            classes="pair",
        )

    @on(Button.Pressed, ".add-pair")
    def _add(self, event: Button.Pressed) -> None:
        event.stop()
        row = self._row(None, None)
        self.mount(row, before=event.button)
        self.call_after_refresh(lambda: row.query_one(".pair-consultant", Select).focus())

    @on(Button.Pressed, ".remove-pair")
    def _remove(self, event: Button.Pressed) -> None:
        event.stop()
        if isinstance(event.button.parent, Widget):
            event.button.parent.remove()
            self.post_message(FieldEdited())

    @property
    def value(self) -> list[dict]:
        pairs = []
        for row in self.query(".pair").results(Horizontal):
            consultant = row.query_one(".pair-consultant", Select).value
            role = row.query_one(".pair-role", Select).value
            if consultant is Select.NULL:
                continue
            pairs.append({"consultant": consultant, "role": role})
        return pairs


@dataclass
class RecordEdit:
    """What a form saves to: the record's kind, and the key and revision it was read at
    (both None for a new record). A save refuses a record that changed since."""

    store: Store
    kind: str
    original_key: str | None = None
    revision: int | None = None

    def save(self, record: Record) -> None:
        records.save_record(
            self.store,
            self.kind,
            record,
            original_key=self.original_key,
            expected_revision=self.revision,
        )

    def current(self) -> Loaded | None:
        """The record as it is in the database now (None: deleted, or never saved)."""
        if self.original_key is None:
            return None
        return records.get_record(self.store, self.kind, self.original_key)

    def last_change(self) -> history.Entry | None:
        if self.original_key is None:
            return None
        return history.last_change(self.store, self.kind, self.original_key)


def _blank(value: Any) -> Any:
    return Select.NULL if value is None else value


class RecordForm(GuardedMessages, ModalScreen[str | None]):
    """A form for one record; ctrl+s saves, escape cancels."""

    BINDINGS: ClassVar[list[BindingType]] = FORM.bindings()

    def __init__(
        self,
        *,
        kind: str,
        title: str,
        model: type[BaseModel],
        fields: list[FormField],
        initial: dict[str, Any],
        edit: RecordEdit | None,
        reopen: Callable[[], None] | None = None,
    ) -> None:
        """`reopen` opens a fresh form on the database's version (after "Reload")."""
        super().__init__(classes="form-screen")
        self.kind = kind
        self.form_title = title
        self.model = model
        self.fields = fields
        self.initial = initial
        self.edit = edit
        self.reopen = reopen
        self._initial_raw: dict[str, Any] | None = None
        # the fields whose error is on screen, with the value they had when it was found;
        # the message at the top that is not about one field
        self._errors_at: dict[str, Any] = {}
        self._general = ""

    # --- building ------------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        with Vertical(classes="form"):
            yield Label(literal(self.form_title), classes="form-title", markup=False)
            yield FieldError(id="form-error", classes="form-error")
            with VerticalScroll(classes="form-fields"):
                for spec in self.fields:
                    label = spec.label + (" *" if spec.required else "")
                    with Horizontal(classes=f"form-row row-{spec.widget}", id=f"row-{spec.name}"):
                        yield Label(label, classes="field-label")
                        with Vertical(classes="field-body"):
                            yield self._widget(spec, self.initial.get(spec.name))
                            yield Label(
                                "", id=f"error-{spec.name}", classes="field-error", markup=False
                            )
            with Horizontal(classes="form-buttons"):
                yield Button("Save (ctrl+s)", id="save", variant="primary")
                yield Button("Cancel (esc)", id="cancel")

    def _widget(self, spec: FormField, value: Any) -> Widget:
        widget_id = f"field-{spec.name}"
        if spec.widget in ("text", "date", "number"):
            text = "" if value is None else str(value)
            if spec.widget == "number" and isinstance(value, float) and value.is_integer():
                text = str(int(value))
            return Input(
                text,
                id=widget_id,
                placeholder=spec.placeholder or ("YYYY-MM-DD" if spec.widget == "date" else ""),
                type="number" if spec.widget == "number" else "text",
                max_length=10 if spec.widget == "date" else 0,
                select_on_focus=False,
                compact=True,
            )
        if spec.widget == "select":
            options = [(literal(label), v) for label, v in spec.options]
            known = {v for _, v in spec.options}
            return Select(
                options,
                id=widget_id,
                allow_blank=not spec.required or value is None,
                value=_blank(value) if value is None or value in known else Select.NULL,
                prompt="(none)" if not spec.required else "choose…",
                compact=True,
            )
        if spec.widget == "person":
            assert spec.people is not None
            return PersonPicker(spec.people, value, id=widget_id)
        if spec.widget == "people":
            assert spec.people is not None
            return PeoplePicker(spec.people, list(value or []), id=widget_id)
        if spec.widget == "multi":
            chosen = set(value or [])
            return SelectionList(
                *[(literal_content(label), v, v in chosen) for label, v in spec.options],
                id=widget_id,
            )
        if spec.widget == "bool":
            return Checkbox(spec.placeholder or "yes", bool(value), id=widget_id, compact=True)
        if spec.widget in ("textarea", "lines"):
            text = "\n".join(value or []) if spec.widget == "lines" else (value or "")
            area = TextArea(text, id=widget_id, soft_wrap=True, show_line_numbers=False)
            return area
        if spec.widget == "pairs":
            return ConsultantRoles(spec.options, spec.choices, list(value or []), id=widget_id)
        raise ValueError(f"unknown widget {spec.widget}")

    def on_mount(self) -> None:
        self._initial_raw = self.raw_values()
        first = self.query(".field-body > *").first()
        first.focus()

    # --- values --------------------------------------------------------------------------

    def raw_values(self) -> dict[str, Any]:
        """What the widgets hold now, as the record's field values (not yet validated)."""
        values: dict[str, Any] = {}
        for spec in self.fields:
            widget = self.query_one(f"#field-{spec.name}")
            if isinstance(widget, Input):
                text = widget.value.strip()
                if spec.widget == "text":
                    values[spec.name] = text if text or spec.required else None
                elif spec.widget == "date":
                    values[spec.name] = text or None
                else:
                    values[spec.name] = _number(text)
            elif isinstance(widget, Select):
                values[spec.name] = None if widget.value is Select.NULL else widget.value
            elif isinstance(widget, SelectionList):
                chosen = set(widget.selected)
                values[spec.name] = [v for _, v in spec.options if v in chosen]
            elif isinstance(widget, Checkbox):
                values[spec.name] = widget.value
            elif isinstance(widget, TextArea):
                if spec.widget == "lines":
                    lines = [line.strip() for line in widget.text.splitlines()]
                    values[spec.name] = [line for line in lines if line]
                else:
                    values[spec.name] = widget.text
            elif isinstance(widget, (ConsultantRoles, PersonPicker, PeoplePicker)):
                values[spec.name] = widget.value
        return values

    @property
    def dirty(self) -> bool:
        return self._initial_raw is not None and self.raw_values() != self._initial_raw

    def validate(self) -> tuple[BaseModel | None, dict[str, str]]:
        """The record the form holds now, or why it can't be one (field -> reason)."""
        # fields the form does not show keep the values the record had
        shown = {spec.name for spec in self.fields}
        kept = {
            k: v for k, v in self.initial.items() if k not in shown and k in self.model.model_fields
        }
        values = kept | self.raw_values()
        try:
            return self.model.model_validate(values), {}
        except ValidationError as error:
            errors = field_errors(error)
            for spec in self.fields:
                if spec.name in errors and spec.widget == "select" and values[spec.name] is None:
                    errors[spec.name] = "choose one"
            return None, errors

    def show_errors(self, errors: dict[str, str], general: str = "") -> None:
        names = {spec.name for spec in self.fields}
        raw = self.raw_values()
        self._errors_at = {name: raw.get(name) for name in errors if name in names}
        stray = [f"{k}: {v}" if k else v for k, v in errors.items() if k not in names]
        self._general = "; ".join([general, *stray]) if general else "; ".join(stray)
        for spec in self.fields:
            self._show_error(spec.name, errors.get(spec.name, ""))
        self._show_summary()
        first = next((spec.name for spec in self.fields if spec.name in errors), None)
        if first is not None:
            self.query_one(f"#row-{first}").scroll_visible()

    def _show_error(self, name: str, error: str) -> None:
        label = self.query_one(f"#error-{name}", Label)
        label.update(literal(error))
        label.set_class(bool(error), "-shown")
        self.query_one(f"#row-{name}").set_class(bool(error), "-invalid")

    def _show_summary(self) -> None:
        message = self._general
        if self._errors_at and not message:
            count = len(self._errors_at)
            message = f"{count} field{'s' if count > 1 else ''} to fix before saving"
        self.query_one("#form-error", Label).update(literal(message))

    @on(Input.Changed)
    @on(Select.Changed)
    @on(Checkbox.Changed)
    @on(TextArea.Changed)
    @on(SelectionList.SelectedChanged)
    @on(PersonPicker.Chosen)
    def _edited(self) -> None:
        if self._errors_at:
            self._recheck()

    @on(FieldEdited)
    def _entries_edited(self) -> None:
        if self._errors_at:  # once a removed entry is gone
            self.call_after_refresh(self._recheck)

    def _recheck(self) -> None:
        """A field with an error on screen was edited: its error goes as soon as the field
        is valid, or says what is wrong with it now, without waiting for the next save.
        (Errors found by the database, e.g. a duplicate key, go when the value changes.)"""
        raw = self.raw_values()
        edited = [name for name, value in self._errors_at.items() if raw.get(name) != value]
        if not edited:
            return
        _, errors = self.validate()
        for name in edited:
            if name in errors:
                self._errors_at[name] = raw.get(name)
            else:
                del self._errors_at[name]
            self._show_error(name, errors.get(name, ""))
        self._show_summary()

    # --- actions -------------------------------------------------------------------------

    def action_save(self) -> None:
        record, errors = self.validate()
        if errors:
            self.show_errors(errors)
            return
        assert isinstance(record, Record), "forms that save other models override action_save"
        self._save(record)

    def _save(self, record: Record) -> None:
        assert self.edit is not None
        try:
            self.edit.save(record)
        except ConflictError:
            self._conflict(record)
            return
        except RecordError as error:
            errors: dict[str, str] = {}
            general = []
            for problem in error.problems:
                if problem.field:
                    errors.setdefault(problem.field.split(".")[0].split("[")[0], problem.why)
                else:
                    general.append(str(problem))
            self.show_errors(errors, "; ".join(general))
            return
        except StoreError as error:
            self.show_errors({}, str(error))
            return
        self.dismiss(record_key(self.kind, record))

    def _conflict(self, record: Record) -> None:
        """The record changed (or went) since the form read it: show both versions."""
        assert self.edit is not None
        edit = self.edit
        current = edit.current()
        what = f"{self.kind} {edit.original_key}"
        happened = "was deleted" if current is None else "changed"
        self.show_errors({}, f"Not saved: {what} {happened} since you opened it")

        def chosen(choice: str | None) -> None:
            if choice == RELOAD:
                self.dismiss(None)
                if self.reopen is not None:
                    self.app.call_later(self.reopen)
            elif choice == OVERWRITE and current is not None:
                edit.revision = current.revision  # still refused if it changed yet again
                self._save(record)
            elif choice == SAVE_AS_NEW:
                edit.original_key = None
                edit.revision = None
                self._save(record)

        self.app.push_screen(
            ConflictDialog(
                what=what,
                fields=[(spec.name, spec.label) for spec in self.fields],
                mine=record.model_dump(mode="json"),
                theirs=None if current is None else current.record.model_dump(mode="json"),
                changed_by=edit.last_change(),
            ),
            chosen,
        )

    def action_cancel(self) -> None:
        if not self.dirty:
            self.dismiss(None)
            return

        def answered(discard: bool | None) -> None:
            if discard:
                self.dismiss(None)

        self.app.push_screen(ConfirmDialog("Discard unsaved changes?", yes="Discard (y)"), answered)

    @on(Button.Pressed, "#save")
    def _save_pressed(self) -> None:
        self.action_save()

    @on(Button.Pressed, "#cancel")
    def _cancel_pressed(self) -> None:
        self.action_cancel()


def _number(text: str) -> Any:
    if not text:
        return None
    try:
        number = float(text)
    except ValueError:
        return text  # the model reports it
    return int(number) if number.is_integer() else number


# --- the forms of each record kind ---------------------------------------------------------


@dataclass(frozen=True)
class Choices:
    """What a form's reference fields offer: kind -> (label, key) options; the people a
    `person` field searches."""

    options: dict[str, Options] = field(default_factory=dict)
    people: PeopleLookup | None = None


def form_fields(kind: Kind, choices: Choices) -> list[FormField]:
    """A kind's form, field by field as the registry describes them."""
    result = []
    for spec in kind.fields:
        enum = enum_options(getattr(models, spec.enum)) if spec.enum else []
        targets = choices.options.get(spec.refers_to, []) if spec.refers_to else []
        options, second = (targets, enum) if spec.widget == "pairs" else (targets or enum, [])
        result.append(
            FormField(
                spec.name,
                spec.label,
                spec.widget,
                options,
                spec.required,
                placeholder=spec.placeholder,
                choices=second,
                people=choices.people if spec.widget in ("person", "people") else None,
            )
        )
    return result


def form_defaults(kind: Kind) -> dict[str, Any]:
    """The values a new record's form starts with."""
    return {spec.name: spec.form_default for spec in kind.fields if spec.form_default is not None}
