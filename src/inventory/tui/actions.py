"""Every key of the UI, declared once.

A `Key` is one thing a user can do: its keys, the action it runs, its footer label and
what it does in words. The keys of one place (the app, a view, a screen) are a `Keys`;
each widget or screen takes its `BINDINGS` from its `Keys`, and the footer, the help
screen (`HelpScreen`) and the command palette (`tui.palette`) read the same objects, so
none of them can miss a key or describe it differently. tests/tui/test_keys.py walks
PLACES and checks each key is in the palette, in the help and in docs/ui.md.

To add a key: add a `Key` to the `Keys` of the place it works in (or a new `Keys`, added
to PLACES), and give the widget `BINDINGS = THAT_PLACE.bindings()`.
"""

from __future__ import annotations

from dataclasses import dataclass

from textual.binding import Binding, BindingType

#: How the help screen and the palette write keys that are not a character.
KEY_NAMES = {
    "question_mark": "?",
    "slash": "/",
    "up": "↑",
    "down": "↓",
    "pageup": "page up",
    "pagedown": "page down",
}


@dataclass(frozen=True)
class Key:
    """One thing a user can do with a key."""

    id: str  # unique; the Binding's id, so a keymap could rebind it
    keys: str  # Textual's key list: "s", "ctrl+y,ctrl+shift+z"
    action: str  # the Textual action: "sort_next", "view('flags')"
    label: str  # in the footer: "Sort"
    does: str  # in the help screen and the palette: "sort by the next column"
    footer: bool = True
    #: False only for keys that mean nothing without a key press in a place (moving the
    #: cursor, picking among matches while typing): the palette would move nothing.
    palette: bool = True
    priority: bool = False

    @property
    def shown_keys(self) -> str:
        """The keys as a person reads them: "ctrl+y, ctrl+shift+z", "?"."""
        return ", ".join(KEY_NAMES.get(key, key) for key in self.keys.split(","))

    def binding(self) -> Binding:
        return Binding(
            self.keys,
            self.action,
            self.label,
            show=self.footer,
            id=self.id,
            priority=self.priority,
        )


@dataclass(frozen=True)
class Keys:
    """The keys of one place: the app (everywhere), a view, a screen, a widget."""

    place: str  # the help screen's heading; the palette's prefix (a view's own name wins)
    keys: tuple[Key, ...]

    def bindings(self) -> list[BindingType]:
        return [key.binding() for key in self.keys]


VIEW_KEYS = [
    ("channels", "Channels", "1"),
    ("flags", "Flags", "2"),
    ("people", "People", "3"),
    ("departments", "Departments", "4"),
    ("consultants", "Consultants", "5"),
    ("policies", "Policies", "6"),
    ("rules", "Rules", "7"),
    ("lookalikes", "Lookalikes", "8"),
    ("waivers", "Waivers", "9"),
    ("overview", "Overview", "0"),
]

OVERVIEW_DOES = "show the Overview: where the inventory stands, and how that changed"

APP = Keys(
    "Everywhere",
    (
        *(
            Key(
                f"view.{view}",
                number,
                f"view('{view}')",
                label,
                OVERVIEW_DOES if view == "overview" else f"show the {label} view",
                footer=False,
            )
            for view, label, number in VIEW_KEYS
        ),
        Key("app.quit", "q", "quit", "Quit", "quit"),
        Key("app.help", "question_mark", "help", "Help", "show every key (this help)"),
        Key(
            "app.filter",
            "slash",
            "filter",
            "Filter",
            "filter the list in view over every text column it shows (escape clears)",
        ),
        Key("app.flagged", "f", "flagged", "Flagged", "show only flagged channels / all"),
        Key("app.new", "n", "new", "New", "add a record of the view's kind (Rules: a custom rule)"),
        Key(
            "app.edit",
            "e",
            "edit",
            "Edit",
            "edit the selected record in a form (Flags: the flagged record)",
        ),
        Key("app.delete", "d", "delete", "Delete", "delete the selected record (asks first)"),
        Key(
            "app.waive",
            "w",
            "waive",
            "Waive",
            "waive a flag (Flags; Channels: pick one); on a waived flag: show, edit, remove",
        ),
        Key(
            "app.offboard",
            "o",
            "offboard",
            "Offboard",
            "offboard the selected person (People): date, successor, preview",
        ),
        Key(
            "app.organization",
            "O",
            "organization",
            "Organization",
            "edit the organization: its name and e-mail domains",
            footer=False,
        ),
        Key("app.export", "x", "export", "Export", "export the flags (JSON, CSV or XLSX)"),
        Key(
            "app.import",
            "ctrl+o",
            "import",
            "Import",
            "import a spreadsheet or a JSON inventory (a preview first)",
        ),
        Key(
            "app.undo",
            "ctrl+z",
            "undo",
            "Undo",
            "undo the last action (asks first when it changed several records)",
        ),
        Key(
            "app.redo",
            "ctrl+y,ctrl+shift+z",
            "redo",
            "Redo",
            "redo the last undone action (a new action clears redo)",
        ),
    ),
)

#: Every view with a list and a detail pane.
VIEW = Keys(
    "Every list",
    (
        Key(
            "view.detail",
            "tab",
            "toggle_detail",
            "Detail",
            "to the detail pane and back (↑ ↓, page up/down, home/end scroll it)",
        ),
    ),
)

#: The lists' own keys (VirtualTable): they move the cursor.
LIST = Keys(
    "Moving in a list",
    (
        Key("list.up", "up,k", "cursor_up", "Up", "up one row", footer=False, palette=False),
        Key("list.down", "down,j", "cursor_down", "Down", "down one row", False, False),
        Key("list.page_up", "pageup", "page_up", "Page up", "up one page", False, False),
        Key("list.page_down", "pagedown", "page_down", "Page down", "down a page", False, False),
        Key("list.first", "home", "first", "First", "to the first row", False, False),
        Key("list.last", "end", "last", "Last", "to the last row", False, False),
        Key(
            "list.select",
            "enter",
            "select",
            "Edit",
            "edit the selected record (Flags: go to the flagged record)",
            footer=False,
        ),
    ),
)

CHANNELS = Keys(
    "Channels",
    (
        Key("channels.sort", "s", "sort_next", "Sort", "sort by the next column"),
        Key("channels.reverse", "S", "sort_reverse", "Reverse", "reverse the order", False),
        Key("channels.explain", "i", "explain", "Explain", "show / hide each flag's explanation"),
    ),
)

FILTER = Keys(
    "A view's filter (/)",
    (
        Key("filter.clear", "escape", "clear", "Clear filter", "clear the filter"),
        Key("filter.done", "down,enter", "done", "To the list", "to the list", False, False),
    ),
)

FLAGS = Keys(
    "Flags",
    (
        Key("flags.sort", "s", "sort_next", "Sort", "sort by the next column"),
        Key("flags.reverse", "S", "sort_reverse", "Reverse", "reverse the order", False),
        Key("flags.explain", "i", "explain", "Explain", "show / hide each flag's explanation"),
        Key(
            "flags.all",
            "escape",
            "show_all",
            "All flags",
            "show every flag again (after the Overview showed only some)",
            False,
        ),
    ),
)

RECORDS = Keys(
    "People, Departments, Consultants, Policies, Lookalikes",
    (
        Key("records.sort", "s", "sort_next", "Sort", "sort by the next column"),
        Key("records.reverse", "S", "sort_reverse", "Reverse", "reverse the order", False),
    ),
)

RULES = Keys(
    "Rules",
    (
        Key("rules.toggle", "space", "toggle_rule", "On/off", "enable / disable the selected rule"),
        Key("rules.sort", "s", "sort_next", "Sort", "sort by the next column"),
        Key("rules.reverse", "S", "sort_reverse", "Reverse", "reverse the order", False),
    ),
)

OVERVIEW = Keys(
    "Overview",
    (
        Key(
            "overview.since",
            "s",
            "since",
            "Since date",
            'change the date of "new and resolved since" (YYYY-MM-DD, enter)',
        ),
    ),
)

FORM = Keys(
    "Forms",
    (
        Key("form.save", "ctrl+s", "save", "Save", "save the form", priority=True),
        Key(
            "form.cancel",
            "escape",
            "cancel",
            "Cancel",
            "cancel the form (asks if there are unsaved changes)",
        ),
    ),
)

PERSON_FIELD = Keys(
    "A person field",
    (
        Key("person.next", "down", "move(1)", "Next match", "next matching person", False, False),
        Key("person.previous", "up", "move(-1)", "Previous match", "previous match", False, False),
    ),
)

CONFIRM = Keys(
    "Questions",
    (
        Key("confirm.yes", "y", "answer(True)", "Yes", "yes"),
        Key("confirm.no", "n,escape", "answer(False)", "No", "no (the default)"),
    ),
)

MESSAGE = Keys(
    "Messages",
    (Key("message.close", "escape,enter", "close", "Close", "close the message"),),
)

EXPORT = Keys(
    "Export",
    (Key("export.cancel", "escape", "cancel", "Cancel", "close without exporting"),),
)

IMPORT = Keys(
    "Import",
    (Key("import.cancel", "escape", "cancel", "Cancel", "close without importing"),),
)

PREVIEW = Keys(
    "Import preview",
    (
        Key("preview.import", "ctrl+s", "answer(True)", "Import", "import it, as one action"),
        Key("preview.cancel", "escape", "answer(False)", "Cancel", "import nothing"),
    ),
)

WAIVERS = Keys(
    "Waivers",
    (
        Key("waivers.edit", "e,w", "edit_waiver", "Edit", "edit the selected waiver"),
        Key("waivers.remove", "d", "remove_waiver", "Remove", "remove the selected waiver"),
        Key("waivers.sort", "s", "sort_next", "Sort", "sort by the next column"),
        Key("waivers.reverse", "S", "sort_reverse", "Reverse", "reverse the order", False),
    ),
)

WAIVER = Keys(
    "A flag's waiver",
    (
        Key("waiver.save", "ctrl+s", "save", "Save", "save the waiver", priority=True),
        Key(
            "waiver.remove",
            "ctrl+r",
            "remove",
            "Remove waiver",
            "remove the waiver",
            priority=True,
        ),
        Key("waiver.cancel", "escape", "cancel", "Cancel", "change nothing"),
    ),
)

FLAG_PICKER = Keys(
    "Which flag to waive",
    (Key("flag-picker.cancel", "escape", "cancel", "Cancel", "waive nothing"),),
)

OFFBOARD = Keys(
    "Offboarding",
    (
        Key(
            "offboard.save", "ctrl+s", "save", "Offboard", "offboard, as one action", priority=True
        ),
        Key("offboard.cancel", "escape", "cancel", "Cancel", "change nothing"),
    ),
)

CONFLICT = Keys(
    "A record changed meanwhile",
    (
        Key("conflict.reload", "r", "choose('reload')", "Reload", "discard your edits, reload"),
        Key("conflict.overwrite", "o", "choose('overwrite')", "Overwrite", "save your version"),
        Key("conflict.save_as_new", "s", "choose('save_as_new')", "Save as new", "save it anew"),
        Key("conflict.delete", "y", "choose('delete')", "Delete anyway", "delete that version"),
        Key("conflict.back", "escape,b", "choose('back')", "Back", "back to your edits"),
    ),
)

HELP = Keys(
    "Help",
    (Key("help.close", "escape,question_mark,q", "close", "Close help", "close the help"),),
)

#: Every place, in the order the help screen lists them.
PLACES: tuple[Keys, ...] = (
    APP,
    VIEW,
    LIST,
    CHANNELS,
    FILTER,
    FLAGS,
    RECORDS,
    RULES,
    OVERVIEW,
    FORM,
    PERSON_FIELD,
    CONFIRM,
    MESSAGE,
    EXPORT,
    IMPORT,
    PREVIEW,
    WAIVERS,
    WAIVER,
    FLAG_PICKER,
    OFFBOARD,
    CONFLICT,
    HELP,
)

#: Keys Textual binds itself (the help screen lists them too).
TEXTUAL_KEYS: tuple[tuple[str, str], ...] = (
    ("ctrl+p", "command palette: every action of the screen and of every view, with its key"),
    ("shift+tab", "to the previous field (from the detail pane: back to the list)"),
    ("enter", "Overview: open the list behind the highlighted line"),
    ("ctrl+q", "quit"),
)

#: Binding id -> its key and the place it belongs to.
BY_ID: dict[str, tuple[Key, Keys]] = {
    key.id: (key, place) for place in PLACES for key in place.keys
}
