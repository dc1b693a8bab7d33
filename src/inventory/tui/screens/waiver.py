"""The waiver dialog (waive a flag; show, edit or remove its waiver) and the flag picker
(`w` on a channel: which of its flags to waive)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import ClassVar

from rich.style import Style
from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import BindingType
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, OptionList, Static
from textual.widgets.option_list import Option

from inventory.dates import parse_date
from inventory.flags import Flag, Waiver
from inventory.printable import visible
from inventory.tui.actions import FLAG_PICKER, WAIVER
from inventory.tui.errors import GuardedMessages
from inventory.tui.text import literal
from inventory.tui.widgets.field_error import FieldError
from inventory.tui.widgets.severity import SEVERITY_COMPONENTS, SEVERITY_SYMBOL, severity_style


@dataclass(frozen=True)
class WaiverTarget:
    """The flag a waiver is about: its rule and subject, and how to name them."""

    rule: str
    subject_type: str
    subject_id: str
    title: str = ""  # the rule's title
    subject_name: str = ""

    @classmethod
    def of(cls, flag: Flag) -> WaiverTarget:
        return cls(flag.rule, flag.subject_type, flag.subject_id, flag.title, flag.subject_name)

    def heading(self) -> Text:
        text = Text(f"{self.rule} ", style="bold") + literal(self.title, "bold")
        subject = Text(f"\n{self.subject_type} ") + literal(self.subject_id)
        if self.subject_name and self.subject_name != self.subject_id:
            subject += Text(" — ") + literal(self.subject_name)
        return text + subject


def waiver_summary(waiver: Waiver, today: date) -> Text:
    """'Waived by ann on 2026-11-20, until 2026-12-31.' (and whether it has expired)"""
    text = Text("Waived by ") + literal(waiver.by) + Text(f" on {waiver.on.isoformat()}, ")
    if waiver.until is None:
        text.append("with no expiry.")
    elif waiver.until < today:
        text.append(
            f"until {waiver.until.isoformat()}: expired, the flag counts again.", style="yellow"
        )
    else:
        text.append(f"until {waiver.until.isoformat()}.")
    return text


SaveWaiver = Callable[[str, date | None], None]


class WaiverDialog(GuardedMessages, ModalScreen[str | None]):
    """Waive one flag (a reason, required; an optional last day), or, when it is waived,
    show its waiver (who, when, until when, why) to edit or remove. `save` and `remove`
    change the database (each one undoable action) and raise a one-line error, shown here:
    the dialog stays open with what was typed. Dismisses with "saved", "removed" or None."""

    BINDINGS: ClassVar[list[BindingType]] = WAIVER.bindings()

    def __init__(
        self,
        target: WaiverTarget,
        existing: Waiver | None,
        today: date,
        save: SaveWaiver,
        remove: Callable[[], None],
    ) -> None:
        super().__init__(classes="dialog-screen")
        self.target = target
        self.existing = existing
        self.today = today
        self.save_waiver = save
        self.remove_waiver = remove

    def compose(self) -> ComposeResult:
        existing = self.existing
        with Vertical(classes="dialog waiver-dialog"):
            title = "Waive the flag" if existing is None else "Waiver of the flag"
            yield Label(title, classes="dialog-title")
            yield Static(self.target.heading(), classes="dialog-detail")
            if existing is not None:
                yield Static(waiver_summary(existing, self.today), id="waiver-summary")
            yield Label("Reason (required):", classes="field-label-inline")
            # control characters shown, never sent to the terminal (an unchanged reason
            # is saved as it was: see action_save)
            yield Input(
                "" if existing is None else visible(existing.reason),
                id="waiver-reason",
                placeholder="why this flag is accepted",
                select_on_focus=False,
                compact=True,
            )
            yield Label("Until (optional, YYYY-MM-DD, the last day):", classes="field-label-inline")
            until = existing.until.isoformat() if existing and existing.until else ""
            yield Input(
                until, id="waiver-until", placeholder="YYYY-MM-DD", max_length=10, compact=True
            )
            yield FieldError(id="waiver-error")
            with Horizontal(classes="dialog-buttons"):
                label = "Waive (ctrl+s)" if existing is None else "Save (ctrl+s)"
                yield Button(label, id="waiver-save", variant="warning")
                if existing is not None:
                    yield Button("Remove (ctrl+r)", id="waiver-remove", variant="error")
                yield Button("Cancel (esc)", id="waiver-cancel")

    def on_mount(self) -> None:
        self.query_one("#waiver-reason", Input).focus()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "remove":
            return self.existing is not None
        return True

    def _error(self, message: str) -> None:
        self.query_one("#waiver-error", Label).update(literal(message))

    def action_save(self) -> None:
        from inventory.rules.catalog import RuleError
        from inventory.rules.waivers import WaiverError
        from inventory.store import StoreError

        reason = self.query_one("#waiver-reason", Input).value.strip()
        if self.existing is not None and reason == visible(self.existing.reason).strip():
            reason = self.existing.reason
        until_text = self.query_one("#waiver-until", Input).value.strip()
        if not reason:
            self._error("A reason is required: say why this flag is accepted")
            self.query_one("#waiver-reason", Input).focus()
            return
        until = None
        if until_text:
            try:
                until = parse_date(until_text)
            except ValueError as problem:
                self._error(f"Until: {problem}")
                self.query_one("#waiver-until", Input).focus()
                return
        try:
            self.save_waiver(reason, until)
        except (RuleError, WaiverError, StoreError) as problem:
            self._error(f"Not saved: {problem}")
            return
        self.dismiss("saved")

    def action_remove(self) -> None:
        from inventory.store import StoreError

        if self.existing is None:
            return
        try:
            self.remove_waiver()
        except StoreError as problem:
            self._error(f"Not removed: {problem}")
            return
        self.dismiss("removed")

    def action_cancel(self) -> None:
        self.dismiss(None)

    @on(Input.Changed)
    def _typed(self) -> None:
        self._error("")  # the error was about what was there before

    @on(Input.Submitted)
    def _submitted(self) -> None:
        self.action_save()

    @on(Button.Pressed)
    def _pressed(self, event: Button.Pressed) -> None:
        if event.button.id == "waiver-save":
            self.action_save()
        elif event.button.id == "waiver-remove":
            self.action_remove()
        else:
            self.dismiss(None)


def flag_option(flag: Flag, style: Style) -> Text:
    """'✖ R101 No owner: the channel has no owner', the symbol in the severity's `style`."""
    text = Text()
    text.append(f"{SEVERITY_SYMBOL[flag.severity]} {flag.rule} ", style=style)
    return text + literal(flag.title, "bold") + Text(": ") + literal(flag.message, "dim")


class FlagPicker(GuardedMessages, ModalScreen[Flag | None]):
    """Which of a record's flags to waive: ↑ ↓ and enter (or a click) pick one, escape
    cancels. Dismisses with the flag."""

    BINDINGS: ClassVar[list[BindingType]] = FLAG_PICKER.bindings()
    COMPONENT_CLASSES: ClassVar[set[str]] = SEVERITY_COMPONENTS

    def __init__(self, subject: str, flags: Sequence[Flag]) -> None:
        super().__init__(classes="dialog-screen")
        self.subject = subject
        self.flags = list(flags)

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog flag-picker"):
            yield Label(
                Text("Waive which flag of ") + literal(self.subject) + Text("?"),
                classes="dialog-title",
            )
            yield OptionList(
                *[
                    Option(flag_option(flag, severity_style(self, flag.severity)), id=str(n))
                    for n, flag in enumerate(self.flags)
                ],
                id="flag-picker-list",
            )
            yield Label(
                "enter: waive it (asks for a reason)   escape: cancel", classes="dialog-hint"
            )

    def on_mount(self) -> None:
        options = self.query_one(OptionList)
        options.highlighted = 0
        options.focus()

    @on(OptionList.OptionSelected)
    def _chosen(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(self.flags[int(event.option.id or 0)])

    def action_cancel(self) -> None:
        self.dismiss(None)
