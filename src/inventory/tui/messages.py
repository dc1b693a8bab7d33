"""What views and screens ask of the app, as messages: they post, the app routes
(Textual's "attributes down, messages up"; Toolong's messages.py)."""

from __future__ import annotations

from dataclasses import dataclass

from textual.message import Message


@dataclass
class EditRequested(Message):
    """Edit the record selected in the view on screen (in Flags: the flagged record)."""


@dataclass
class GotoSubject(Message):
    """Show the record a flag is about, selected, in its view."""

    subject_type: str
    subject_id: str


@dataclass
class ToggleRule(Message):
    """Enable the rule if it is disabled, disable it if it is enabled."""

    code: str | None


@dataclass
class ToggleExplain(Message):
    """Detail panes: explain each flag, or stop explaining."""


@dataclass
class ShowFlags(Message):
    """The Flags view on the open flags of a severity, a recommendation, or only the given
    flags (rule, subject type, subject id), named `label`."""

    severity: str | None = None
    recommendation: int | None = None
    only: set[tuple[str, str, str]] | None = None
    label: str = ""


@dataclass
class ShowOwnerChannels(Message):
    """The Channels view on one owner's flagged channels."""

    email: str


@dataclass
class EditWaiver(Message):
    """The waiver dialog on one flag's waiver (the Waivers view's e, w or enter)."""

    rule: str
    subject_type: str | None  # None: the rule no longer exists
    subject_id: str


@dataclass
class RemoveWaiver(Message):
    """Ask, then remove one flag's waiver (the Waivers view's d)."""

    rule: str
    subject_id: str
