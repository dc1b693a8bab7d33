"""The full-screen app: `inventory [DB]` and `inventory demo`."""

from __future__ import annotations

import contextlib
import gc
import sqlite3
import sys
from collections.abc import Collection, Iterable
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar, cast

from rich.text import Text
from textual import work
from textual.app import App, ComposeResult, SystemCommand
from textual.binding import Binding, BindingType
from textual.screen import Screen
from textual.widgets import ContentSwitcher, Footer, Input, Static
from textual.widgets._footer import FooterKey
from textual.worker import get_current_worker

from inventory import history
from inventory.kinds import KINDS, VIEWED_KINDS
from inventory.listing import (
    data_version,
    ensure_search,
    install_flag_marks,
    total_channels,
    update_flag_marks,
)
from inventory.rules.flags import Evaluation, Flag
from inventory.store import ConflictError, Store, StoreError
from inventory.tui.errors import GuardedMessages, log_error, one_line
from inventory.tui.screens.dialogs import (
    ConfirmDialog,
    ExportDialog,
    HelpScreen,
    MessageDialog,
    WaiveDialog,
)
from inventory.tui.state import Evaluated, FlagIndex, empty_evaluation, evaluate
from inventory.tui.text import literal
from inventory.tui.widgets.overview import OverviewView
from inventory.tui.widgets.views import (
    ChannelsView,
    FlagsView,
    InventoryView,
    RecordsView,
    RulesView,
)

if TYPE_CHECKING:
    from inventory.importing import PreparedImport
    from inventory.preview import ImportPlan
    from inventory.tui.screens.forms import Choices

VIEWS: list[tuple[str, str]] = [
    ("channels", "Channels"),
    ("flags", "Flags"),
    ("people", "People"),
    ("departments", "Departments"),
    ("consultants", "Consultants"),
    ("policies", "Policies"),
    ("rules", "Rules"),
    ("lookalikes", "Lookalikes"),
]
OVERVIEW = ("overview", "Overview")
"""Key 0: not numbered with the others, and not the first screen (Channels is)."""
READ_ONLY_MESSAGE = (
    "This database is read-only (its file can't be written): "
    "nothing can be added, edited, deleted, waived or undone"
)


def styles_folder() -> Path:
    """The folder of *.tcss files: inside the installed package, else the checkout's styles/."""
    package = Path(__file__).resolve().parents[1]
    for candidate in (package / "styles", package.parents[1] / "styles"):
        if (candidate / "app.tcss").is_file():
            return candidate
    raise FileNotFoundError("the UI styles (styles/app.tcss) are not installed")


class InventoryHeader(Static):
    """Organization, channel count, flag totals by severity."""


#: Below this width the tabs, header and footer use their compact forms.
NARROW = 100
SHORT_LABELS = {
    "channels": "Chan.",
    "departments": "Depts",
    "consultants": "Cons.",
    "policies": "Pol.",
    "lookalikes": "Lookal.",
}
#: Keys the footer leaves out when narrow (they stay in help and the command palette).
NARROW_FOOTER_HIDDEN = {"export", "undo", "redo"}
#: Import is in the footer only while the inventory has no channels (the way to fill
#: it), in place of edit and delete (nothing to edit yet); help and the palette list it.
EMPTY_FOOTER_SHOWN = {"import"}
EMPTY_FOOTER_HIDDEN = {"edit", "delete"}


class ViewTabs(Static):
    """The views and their number keys; the current one highlighted."""

    def show(self, current: str, narrow: bool = False) -> None:
        text = Text()
        numbered = [(str(number), *view) for number, view in enumerate(VIEWS, start=1)]
        for number, view_id, label in [*numbered, ("0", *OVERVIEW)]:
            style = "bold reverse" if view_id == current else ""
            if narrow:  # " 1 Chan. 2 Flags … 8 Lookal. 0 Overview" fits in 80 columns
                text.append(f" {number}", style=style or "cyan")
                text.append(f" {SHORT_LABELS.get(view_id, label)}", style=style)
                continue
            text.append(f" {number} ", style=style or "cyan")
            text.append(f"{label} ", style=style)
            text.append(" ")
        self.update(text)


class InventoryFooter(Footer):
    """The footer; when narrow it is compact and leaves out export and undo (help and the
    command palette still list them) so every key it shows fits in 80 columns."""

    _shown: tuple | None = None

    def _signature(self) -> tuple:
        shown = [
            (binding.key, binding.description, binding.action, enabled, tooltip)
            for (_, binding, enabled, tooltip) in self.screen.active_bindings.values()
            if binding.show
        ]
        empty = getattr(self.app, "total_channels", 1) == 0
        return (self.app.size.width < NARROW, empty, self.show_command_palette, *shown)

    def bindings_changed(self, screen: Screen) -> None:
        # Textual rebuilds the footer (23 keys, 40 ms) whenever the bindings may have
        # changed, e.g. when a form closes; most of the time the keys are the same.
        if (
            self._shown is not None
            and screen is self.screen
            and self.is_attached
            and self._signature() == self._shown
        ):
            return
        super().bindings_changed(screen)

    def compose(self) -> ComposeResult:
        narrow = self.app.size.width < NARROW
        if self._bindings_ready:
            self._shown = self._signature()
        hidden = (NARROW_FOOTER_HIDDEN if narrow else set()) | EMPTY_FOOTER_SHOWN
        if getattr(self.app, "total_channels", 1) == 0:
            hidden = (hidden - EMPTY_FOOTER_SHOWN) | EMPTY_FOOTER_HIDDEN
        for widget in super().compose():
            if isinstance(widget, FooterKey) and widget.action in hidden:
                continue
            yield widget


class InventoryApp(GuardedMessages, App[None]):
    """Keep the inventory of social media channels; see where it falls short."""

    TITLE = "inventory"
    CSS_PATH = styles_folder() / "app.tcss"
    ENABLE_COMMAND_PALETTE = True

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("q", "quit", "Quit", id="app.quit"),
        Binding("question_mark", "help", "Help", id="app.help"),
        Binding("slash", "filter", "Filter", id="app.filter"),
        Binding("f", "flagged", "Flagged", id="app.flagged"),
        Binding("n", "new", "New", id="app.new"),
        Binding("e", "edit", "Edit", id="app.edit"),
        Binding("d", "delete", "Delete", id="app.delete"),
        Binding("w", "waive", "Waive", id="app.waive"),
        Binding("o", "offboard", "Offboard", id="app.offboard"),
        Binding("O", "organization", "Organization", show=False, id="app.organization"),
        Binding("x", "export", "Export", id="app.export"),
        Binding("ctrl+o", "import", "Import", id="app.import"),
        Binding("ctrl+z", "undo", "Undo", id="app.undo"),
        Binding("ctrl+y,ctrl+shift+z", "redo", "Redo", id="app.redo"),
        *[
            Binding(str(number), f"view('{view_id}')", label, show=False, id=f"view.{view_id}")
            for number, (view_id, label) in enumerate(VIEWS, start=1)
        ],
        Binding("0", "view('overview')", "Overview", show=False, id="view.overview"),
    ]

    def __init__(
        self,
        store: Store,
        as_of: date | None = None,
        *,
        show_path: bool = True,
        fail_on: str = "error",
    ):
        super().__init__()
        self.store = store
        self.as_of = as_of or date.today()
        self.fail_on = fail_on  # what the Overview's gate applies, as `check --fail-on`
        self.show_path = show_path
        self.flags = FlagIndex.of(empty_evaluation(store, self.as_of))
        self.evaluated = False
        self.updating = False  # an evaluation is on its way (said in the header)
        self.explain = False
        self.explanations: dict[str, str] = {}
        self.total_channels = 0
        self._generation = 0
        # Saved changes not yet covered by the flags on screen: (number, channel keys), or
        # (number, None) when anything may have changed (a full evaluation is due).
        self._change_number = 0
        self._changes: list[tuple[int, frozenset[str] | None]] = []
        self._evaluated_change = -1  # the last change the flags on screen cover
        self._evaluated_version: int | None = None  # PRAGMA data_version they were read at
        self.current_view = "channels"
        self._stale: set[str] = set()
        self._pending_key: dict[str, str | None] = {}
        self._started = False  # mounted: unexpected errors are reported from now on
        self._reporting = False
        self._errors: list[float] = []  # when the latest unexpected errors happened

    # --- layout --------------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        yield InventoryHeader(id="header")
        yield ViewTabs(id="tabs")
        if self.store.readonly:
            yield Static(
                "Read-only: this database can't be changed (editing is switched off)",
                id="readonly-banner",
            )
        with ContentSwitcher(initial="channels", id="views"):
            yield ChannelsView(id="channels")
            yield FlagsView(id="flags")
            yield RecordsView("person", id="people")
            yield RecordsView("department", id="departments")
            yield RecordsView("consultant", id="consultants")
            yield RecordsView("policy", id="policies")
            yield RulesView(id="rules")
            yield RecordsView("lookalike", id="lookalikes")
            yield OverviewView(id="overview")
        yield InventoryFooter()

    @property
    def narrow(self) -> bool:
        return self.size.width < NARROW

    def on_mount(self) -> None:
        self._apply_width()
        self._load_explanations()
        self.reload_all()
        self.view().focus_main()
        # the first evaluation (0.3 s at 100,000 channels) starts once the list is on screen
        self.call_after_refresh(self.start_evaluation)
        self._started = True  # from now on an unexpected error is reported, not fatal

    def view(self, view_id: str | None = None) -> InventoryView:
        return self.query_one(f"#{view_id or self.current_view}", InventoryView)

    # --- data ----------------------------------------------------------------------------

    def _load_explanations(self) -> None:
        from inventory.rules.catalog import list_rules

        self.explanations = {rule.code: rule.explanation for rule in list_rules(self.store)}

    def reload_all(self, key: str | None = None, kind: str | None = None) -> None:
        was_empty = self.total_channels == 0
        self.total_channels = total_channels(self.store.conn)
        if was_empty != (self.total_channels == 0):
            self.call_later(self._refresh_footer)
        self.update_header()
        target = _view_of(kind)
        # Only the view on screen is read now; the others when they are next shown
        # (a People list of 25,000 rows costs about a second to rebuild).
        self._stale = {view_id for view_id, _ in [*VIEWS, OVERVIEW]}
        if target is not None and target != self.current_view:
            self._pending_key[target] = key
        self._refresh_view(self.current_view, key if target == self.current_view else None)

    def _refresh_view(self, view_id: str, key: str | None = None) -> None:
        key = key or self._pending_key.pop(view_id, None)
        self._stale.discard(view_id)
        self.view(view_id).reload(key)

    def _apply_width(self) -> None:
        narrow = self.narrow
        self.query_one(ViewTabs).show(self.current_view, narrow)
        footer = self.query_one(InventoryFooter)
        footer.compact = narrow
        footer.show_command_palette = not narrow
        self.update_header()

    def on_resize(self) -> None:
        # this handler runs before App's own, which records the new size: lay out after it
        self.call_later(self._follow_resize)

    def _follow_resize(self) -> None:
        footers = list(self.screen_stack[0].query(InventoryFooter)) if self.screen_stack else []
        if footers:
            self._apply_width()
            footers[0].call_later(footers[0].recompose)

    def _refresh_footer(self) -> None:
        footers = list(self.screen_stack[0].query(InventoryFooter)) if self.screen_stack else []
        if footers:
            footers[0].call_later(footers[0].recompose)

    def update_header(self) -> None:
        from inventory import records

        evaluation = self.flags.evaluation
        text = literal(evaluation.organization or records.read_organization(self.store).name)
        text.stylize("bold")
        narrow = self.narrow  # 80 columns: severities by symbol only, tighter gaps
        gap = "  " if narrow else "   "
        text.append(f"{gap}{self.total_channels} channels{gap}")
        if not self.evaluated:
            text.append("evaluating the rules…", style="dim")
        else:
            totals = self.flags.totals
            for severity, symbol, style in (
                ("error", "✖", "bold red"),
                ("warning", "▲", "yellow"),
                ("info", "●", "cyan"),
            ):
                count = totals.get(severity, 0)
                label = "" if narrow else f" {severity}" if count == 1 else f" {severity}s"
                text.append(f"{symbol} {count}{label}", style=style if count else "dim")
                text.append("  ")
            if self.flags.waived:
                text.append(f"({self.flags.waived} waived)  ", style="magenta")
            if evaluation.broken_rules:
                text.append(f"{len(evaluation.broken_rules)} broken rule(s)  ", style="bold red")
            if self.updating:
                text.append("updating flags…  ", style="dim")
        text.append(f"{'' if narrow else ' '}as of {self.as_of.isoformat()}", style="dim")
        if self.show_path:
            text.append("  ")
            text.append_text(literal(self.store.path.name, "dim"))
        self.query_one(InventoryHeader).update(text)

    def start_evaluation(self, channels: Collection[str] | None = None) -> bool:
        """Evaluate the rules again, in a worker: the rules run in a child process that may
        take up to the evaluation deadline, which the UI thread must never wait for. The
        header says "updating flags…" until the new flags are applied. `channels`: the only
        records changed since the last evaluation started are these channels (saved or
        deleted; old and new key of a renamed one), so only they are evaluated again.
        None: anything may have changed, evaluate everything.

        Returns False: the new flags arrive later (the caller shows the saved change now).
        """
        self._change_number += 1
        keys = None if channels is None else frozenset(channels)
        self._changes.append((self._change_number, keys))
        self._generation += 1
        version = data_version(self.store.conn)
        pending = [keys for number, keys in self._changes if number > self._evaluated_change]
        previous = None
        changed: set[str] = set()
        # incremental only on top of flags read at the same data_version: a change
        # committed by another connection since then could be anywhere
        if self.evaluated and version == self._evaluated_version and None not in pending:
            previous = self.flags
            changed = set().union(*[keys for keys in pending if keys is not None])
        self.updating = True
        if self.evaluated:
            self.update_header()
        self._evaluate(self._generation, self._change_number, version, previous, changed)
        return False

    # description: the default repr()s the arguments, 0.3 s for a FlagIndex of 33,000 flags
    @work(
        thread=True,
        exclusive=True,
        group="evaluate",
        exit_on_error=False,
        description="evaluate the rules",
    )
    def _evaluate(
        self,
        generation: int,
        change: int,
        version: int,
        previous: FlagIndex | None,
        changed: set[str],
    ) -> None:
        evaluated = evaluate(self.store, self.as_of, previous, changed)
        if not get_current_worker().is_cancelled:
            self.call_from_thread(self._apply_evaluated, evaluated, generation, change, version)

    def _apply_evaluated(
        self,
        evaluated: Evaluated,
        generation: int,
        change: int,
        version: int,
        *,
        reload: bool = True,
    ) -> None:
        if generation != self._generation:
            return  # a newer evaluation is on its way
        self.updating = False
        first = not self.evaluated
        self._evaluated_change = change
        self._evaluated_version = version
        self._changes = [entry for entry in self._changes if entry[0] > change]
        self.flags = evaluated.index
        self.evaluated = True
        if evaluated.marks is None:
            install_flag_marks(self.store.conn, self.flags.channel_marks)
            # A full evaluation brings 100,000s of long-lived objects (33,000 flags at
            # 100,000 channels); every full collection of the cyclic GC then walks them
            # all (130 ms each, several per save). They are freed by reference counting,
            # so keep them out of its way.
            if first:
                gc.collect()
            gc.freeze()
        else:
            update_flag_marks(self.store.conn, evaluated.marks)
        if reload:
            self.reload_all()
        if first:  # the filter's search table (0.3 s at 100,000), before the first key
            self.call_after_refresh(self._prepare_filter)

    def _prepare_filter(self) -> None:
        # if it can't be built now, the first filter builds it (and says what is wrong)
        with contextlib.suppress(sqlite3.Error):
            ensure_search(self.store.conn)

    def changed(
        self,
        kind: str | None = None,
        key: str | None = None,
        channels: Collection[str] | None = None,
    ) -> None:
        """After any saved change: show it at once, then re-evaluate the rules (only the
        `channels` when those were the only records saved or deleted)."""
        if kind in (None, "rule"):
            self._load_explanations()
        self.start_evaluation(channels if kind == "channel" else None)
        self.reload_all(key, kind)

    # --- views ---------------------------------------------------------------------------

    def action_view(self, view_id: str) -> None:
        self.current_view = view_id
        self.query_one(ContentSwitcher).current = view_id
        if view_id in self._stale:
            self._refresh_view(view_id)
        self.query_one(ViewTabs).show(view_id, self.narrow)
        self.view().focus_main()
        self.refresh_bindings()

    def action_help(self) -> None:
        self.push_screen(HelpScreen())

    def action_filter(self) -> None:
        if self.current_view != "channels":
            self.action_view("channels")
        cast(ChannelsView, self.view("channels")).focus_filter()

    def action_flagged(self) -> None:
        if self.current_view != "channels":
            self.action_view("channels")
        view = cast(ChannelsView, self.view("channels"))
        view.set_flagged_only(not view.query_state.flagged_only)

    def show_flags(
        self,
        *,
        severity: str | None = None,
        recommendation: int | None = None,
        only: set[tuple[str, str, str]] | None = None,
        label: str = "",
    ) -> None:
        """The Flags view showing the open (unwaived) flags of a severity, a recommendation,
        or only the given flags (rule, subject type, subject id), named `label`."""
        self.action_view("flags")
        cast(FlagsView, self.view("flags")).show_only(
            severity=severity,
            recommendation=recommendation,
            waived="unwaived",
            only=None if only is None else (label, frozenset(only)),
        )
        if only is not None:  # the Flags status is cut at 80 columns: say it here too
            self.notify(f"Showing only {label}; escape shows every flag", markup=False)

    def show_owner_channels(self, email: str) -> None:
        """The Channels view filtered to one owner's flagged channels."""
        self.action_view("channels")
        view = cast(ChannelsView, self.view("channels"))
        view.query_one("#channel-filter", Input).value = email
        view.apply_filter_now()
        view.set_flagged_only(True)

    def goto_subject(self, subject_type: str, subject_id: str) -> None:
        view_id = _view_of(subject_type)
        if view_id is None:
            self.notify(
                "The organization flag is about the whole inventory (e.g. no approved policy):"
                " see the Policies view (6).",
                markup=False,
            )
            return
        self.action_view(view_id)
        view = self.view(view_id)
        if isinstance(view, ChannelsView):
            view.query_one("#channel-filter", Input).value = ""
            view.query_state = type(view.query_state)(
                sort=view.query_state.sort, descending=view.query_state.descending
            )
        view.reload(subject_id)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        # On a read-only database the writing actions stay reachable: they say why
        # nothing can change (refused_read_only) instead of doing nothing.
        if action == "waive":
            return self.current_view == "flags"
        if action == "offboard":
            return self.current_view == "people"
        if action in ("new", "delete"):
            return self.current_view not in ("flags", "overview")
        return True

    # --- records -------------------------------------------------------------------------

    def refused_read_only(self) -> bool:
        """On a read-only database: say so (nothing opens) and return True."""
        if self.store.readonly:
            self.notify(READ_ONLY_MESSAGE, title="Read-only", severity="warning", markup=False)
            return True
        return False

    def _choices(self, kind: str) -> Choices:
        """The records a form of `kind` can refer to (people are searched as one types)."""
        from inventory import records
        from inventory.tui.screens.forms import Choices, PeopleLookup

        options = {}
        people = None
        for spec in KINDS[kind].references:
            target = KINDS[spec.refers_to or ""]
            if spec.widget in ("person", "people"):
                people = people or PeopleLookup(self.store, self.as_of)
            elif target.name not in options:
                options[target.name] = [
                    (
                        target.option_label.format(**values) or values[target.key[0]],
                        values[target.key[0]],
                    )
                    for values in records.plain_records(self.store, target.name)
                ]
        return Choices(options, people)

    def _record_kind(self) -> str | None:
        view = self.view()
        if isinstance(view, RecordsView):
            return view.record_kind
        return view.kind

    def open_form(self, kind: str, key: str | None) -> None:
        from inventory import records

        if self.refused_read_only():
            return
        if kind == "rule":
            from inventory.tui.screens.rule_form import open_rule_form

            open_rule_form(self, key)
            return
        from inventory.tui.screens.forms import RecordEdit, RecordForm, form_defaults, form_fields

        model = KINDS[kind].model
        fields = form_fields(KINDS[kind], self._choices(kind))
        if key is None:
            initial: dict[str, Any] = form_defaults(KINDS[kind])
            revision = None
            title = f"New {kind}"
        else:
            loaded = records.get_record(self.store, kind, key)
            if loaded is None:
                self.notify(f"That {kind} no longer exists", severity="warning", markup=False)
                return
            initial = loaded.record.model_dump(mode="json")
            revision = loaded.revision
            title = f"Edit the {kind}" if KINDS[kind].singleton else f"Edit {kind} {key}"

        def saved(new_key: str | None) -> None:
            if new_key is not None:
                self.notify(f"Saved {kind} {new_key}", markup=False)
                self.changed(kind, new_key, {k for k in (key, new_key) if k is not None})

        def reopen() -> None:
            """After "Reload" in a conflict: show the other change, edit the new version."""
            self.notify(f"Reloaded {kind} {key}: your edits were discarded", markup=False)
            self.changed(kind, key)
            self.open_form(kind, key)

        self.push_screen(
            RecordForm(
                kind=kind,
                title=title,
                model=model,
                fields=fields,
                initial=initial,
                edit=RecordEdit(self.store, kind, key, revision),
                reopen=None if key is None else reopen,
            ),
            saved,
        )

    def action_new(self) -> None:
        if self.refused_read_only():
            return
        kind = self._record_kind()
        if kind is not None:
            self.open_form(kind, None)

    def action_edit(self) -> None:
        if self.refused_read_only():
            return
        view = self.view()
        if isinstance(view, FlagsView):
            flag = view.selected_flag()
            if flag is not None and _view_of(flag.subject_type) is not None:
                self.goto_subject(flag.subject_type, flag.subject_id)
                self.open_form(flag.subject_type, flag.subject_id)
            return
        kind = self._record_kind()
        key = view.selected_key()
        if kind is not None and key is not None:
            self.open_form(kind, key)

    def action_organization(self) -> None:
        """`O`: the organization's name and e-mail domains (R108 compares the login
        mailboxes with them)."""
        from inventory import records

        key = "organization" if records.has_organization(self.store) else None
        self.open_form("organization", key)

    def action_offboard(self) -> None:
        """`o` on a person: the date they leave and a successor, with a preview of the
        channels that change; one undoable action."""
        from inventory import records
        from inventory.models import Person
        from inventory.offboarding import OffboardingError, offboard
        from inventory.tui.screens.offboard import OffboardDialog

        if self.refused_read_only() or self.current_view != "people":
            return
        key = self.view().selected_key()
        loaded = records.get_record(self.store, "person", key) if key else None
        if loaded is None:
            return
        person = cast(Person, loaded.record)

        def answered(answer: tuple[date, str | None] | None) -> None:
            if answer is None:
                return
            on, successor = answer
            try:
                plan = offboard(self.store, person.email, on, successor)
            except (OffboardingError, StoreError) as error:
                self.notify(str(error), title="Not offboarded", severity="error", markup=False)
                return
            handed = f", {len(plan.channels)} channels handed over" if successor else ""
            self.notify(f"Offboarded {person.email} on {on.isoformat()}{handed}", markup=False)
            self.changed("person", person.email)

        self.push_screen(
            OffboardDialog(
                self.store,
                person.email,
                f"{person.name} <{person.email}>",
                person.left_on or self.as_of,
                self.as_of,
            ),
            answered,
        )

    def action_delete(self) -> None:
        from inventory import records

        if self.refused_read_only():
            return
        view = self.view()
        kind = self._record_kind()
        key = view.selected_key()
        if kind is None or key is None:
            return
        if kind == "rule":
            from inventory.tui.screens.rule_form import delete_rule

            delete_rule(self, key)
            return
        users = records.users_of(self.store, kind, key)
        if users:
            self.push_screen(
                MessageDialog(
                    f"Can't delete {kind} {key}",
                    "It is still used by:\n"
                    + "\n".join(f"  • {user}" for user in users)
                    + "\n\nChange or delete those first.",
                )
            )
            return

        # the revision the list showed; a view that doesn't list revisions reads it now
        revision = view.selected_revision()
        if revision is None:
            loaded = records.get_record(self.store, kind, key)
            if loaded is None:
                self.notify(f"{kind} {key} no longer exists", severity="warning", markup=False)
                self.changed(kind, None)
                return
            revision = loaded.revision

        def answered(yes: bool | None) -> None:
            if yes:
                self.delete_record(kind, key, revision)

        self.push_screen(ConfirmDialog(f"Delete {kind} {key}?", yes="Delete (y)"), answered)

    def delete_record(self, kind: str, key: str, revision: int) -> None:
        """Delete `key` if it is still at `revision`; if it changed, show what it is now
        and delete only when asked again (against the new revision)."""
        from inventory import records

        try:
            records.delete_record(self.store, kind, key, expected_revision=revision)
        except ConflictError:
            from inventory.tui.screens.conflict import DELETE, ConflictDialog

            current = records.get_record(self.store, kind, key)
            changed_by = history.last_change(self.store, kind, key)
            self.changed(kind, None if current is None else key)
            if current is None:
                self.push_screen(
                    MessageDialog(
                        f"{kind} {key} is already deleted",
                        f"Deleted by {changed_by.user if changed_by else 'someone else'}"
                        + (f" ({changed_by.source}, {changed_by.at})" if changed_by else "")
                        + ". Nothing more to delete.",
                    )
                )
                return
            labels = [(spec.name, spec.label) for spec in KINDS[kind].fields]

            def chosen(choice: str | None) -> None:
                if choice == DELETE:
                    self.delete_record(kind, key, current.revision)

            self.push_screen(
                ConflictDialog(
                    what=f"{kind} {key}",
                    fields=labels,
                    mine=None,
                    theirs=current.record.model_dump(mode="json"),
                    changed_by=changed_by,
                    deleting=True,
                ),
                chosen,
            )
            return
        except StoreError as error:
            self.push_screen(MessageDialog(f"Can't delete {kind} {key}", str(error)))
            return
        self.notify(f"Deleted {kind} {key}", markup=False)
        self.changed(kind, None, {key})

    def toggle_rule(self, code: str | None) -> None:
        if code is None or self.refused_read_only():
            return
        from inventory.rules.catalog import get_rule, set_enabled

        rule = get_rule(self.store, code)
        if rule is None:
            return
        try:
            set_enabled(self.store, code, not rule.enabled)
        except (StoreError, ValueError) as error:
            self.notify(str(error), severity="error", markup=False)
            return
        state = "disabled" if rule.enabled else "enabled"
        self.notify(f"Rule {code} {state}", markup=False)
        self.changed("rule", code)

    # --- flags ---------------------------------------------------------------------------

    def action_waive(self) -> None:
        if self.refused_read_only():
            return
        view = self.view()
        if not isinstance(view, FlagsView):
            return
        flag: Flag | None = view.selected_flag()
        if flag is None:
            return
        what = f"{flag.rule} {flag.title} — {flag.subject_type} {flag.subject_id}"

        def answered(result: tuple[str, date | None] | None) -> None:
            if result is None:
                return
            from inventory.rules.waivers import waive

            reason, until = result
            try:
                waive(
                    self.store,
                    flag.rule,
                    flag.subject_id,
                    reason,
                    until,
                    self.store.user,
                    date.today(),
                )
            except (StoreError, ValueError) as error:
                self.notify(str(error), severity="error", markup=False)
                return
            self.notify(f"Waived {flag.rule} on {flag.subject_id}", markup=False)
            self.changed()

        self.push_screen(WaiveDialog(what), answered)

    def action_export(self, path: str = "flags.json", error: str = "") -> None:
        """Ask for the path and write the export; a path that can't be written asks again,
        with the path as typed and the reason."""
        unwaived = sum(self.flags.totals.values())
        summary = (
            f"{len(self.flags.evaluation.flags)} flags ({unwaived} unwaived) "
            f"as of {self.as_of.isoformat()}"
        )

        def answered(path: str | None) -> None:
            if path is not None:
                self._working(f"Exporting to {path}…")
                self._export(path, self.flags.evaluation)

        self.push_screen(ExportDialog(path, summary, error), answered)

    @work(thread=True, exclusive=True, group="export", exit_on_error=False, description="export")
    def _export(self, path: str, evaluation: Evaluation) -> None:
        from datetime import UTC, datetime

        from inventory.export import build_export, export_spreadsheet, export_text, write_export
        from inventory.files import write_error_message

        suffix = Path(path).suffix.lower()
        try:
            if suffix in (".csv", ".xlsx"):
                document = build_export(evaluation, datetime.now(UTC))
                data: str | bytes = export_spreadsheet(document, suffix)
            else:
                data = export_text(evaluation)
            write_export(Path(path), data, database=self.store.path)
        except OSError as error:
            self.call_from_thread(self._export_refused, path, write_error_message(path, error))
            return
        except Exception as error:
            self.call_from_thread(self._failed_working, error)
            return
        count = len(evaluation.flags)
        self.call_from_thread(self._done_working, f"Wrote {count} flags to {path}")

    def _export_refused(self, path: str, reason: str) -> None:
        """The path can't be written: ask again, with the path as typed and the reason."""
        self._done_working()
        self.action_export(path, reason)

    def _working(self, what: str) -> None:
        from inventory.tui.screens.importing import WorkingScreen

        self.push_screen(WorkingScreen(what))

    def _done_working(self, message: str | None = None, severity: str = "information") -> None:
        from inventory.tui.screens.importing import WorkingScreen

        if isinstance(self.screen, WorkingScreen):
            self.pop_screen()
        if message:
            self.notify(message, severity=severity, markup=False)  # type: ignore[arg-type]

    def _failed_working(self, error: Exception) -> None:
        self._done_working()
        self.report_unexpected(error)

    def action_import(self) -> None:
        if self.refused_read_only():
            return
        from inventory.tui.screens.importing import ImportDialog

        def answered(path: str | None) -> None:
            if path is not None:
                self._working(f"Reading {path}…")
                self._prepare_import(path)

        self.push_screen(ImportDialog(), answered)

    @work(thread=True, exclusive=True, group="import", exit_on_error=False, description="import")
    def _prepare_import(self, path: str) -> None:
        from inventory.importing import prepare_import

        try:
            prepared = prepare_import(Path(path).expanduser(), self.store.path)
        except Exception as error:  # a bug: reported like any other, the app goes on
            self.call_from_thread(self._failed_working, error)
            return
        self.call_from_thread(self._show_preview, prepared)

    def _show_preview(self, prepared: PreparedImport) -> None:
        from inventory.tui.screens.importing import ImportPreview

        self._done_working()

        def confirmed(answer: bool | None) -> None:
            if answer:
                self._working(f"Importing {prepared.path}…")
                self._apply_import(prepared)

        self.push_screen(ImportPreview(prepared), confirmed)

    @work(thread=True, exclusive=True, group="import", exit_on_error=False, description="import")
    def _apply_import(self, prepared: PreparedImport) -> None:
        from inventory.document import DocumentError
        from inventory.importing import apply_import
        from inventory.store import open_store

        try:
            # this thread's own connection (SQLite connections stay in their thread)
            with open_store(self.store.path, create=False) as store:
                store.user, store.source = self.store.user, "ui"
                plan = apply_import(store, prepared)
        except (StoreError, DocumentError) as error:  # e.g. the inventory changed since
            self.call_from_thread(self._done_working, f"Nothing was imported: {error}", "error")
            return
        except Exception as error:
            self.call_from_thread(self._failed_working, error)
            return
        self.call_from_thread(self._imported, prepared, plan)

    def _imported(self, prepared: PreparedImport, plan: ImportPlan) -> None:
        self._done_working(f"Imported {prepared.path}: {plan.counts(done=True)}")
        self.changed()

    def action_undo(self) -> None:
        self._reverse("undo")

    def action_redo(self) -> None:
        self._reverse("redo")

    def _reverse(self, verb: str) -> None:
        """Undo or redo one action; one that changed several records asks first (No is
        the default)."""
        if self.refused_read_only():
            return
        target = history.next_undo(self.store) if verb == "undo" else history.next_redo(self.store)
        if target is None:
            self.notify(f"Nothing to {verb}", markup=False)
            return

        def answered(yes: bool | None) -> None:
            if yes:
                self._do_reverse(verb, target.id)

        if target.size > 1:
            self.push_screen(
                ConfirmDialog(
                    history.question(self.store, verb.capitalize(), target),
                    yes=f"{verb.capitalize()} (y)",
                ),
                answered,
            )
        else:
            self._do_reverse(verb, target.id)

    def _do_reverse(self, verb: str, expected: int) -> None:
        from inventory import undo as undoing

        reverse = undoing.undo if verb == "undo" else undoing.redo
        try:
            done = reverse(self.store, expected)
        except StoreError as error:
            self.notify(str(error), severity="error", markup=False)
            return
        if done is None:
            self.notify(f"Nothing to {verb}", markup=False)
            return
        past = "Undid" if verb == "undo" else "Redid"
        self.notify(f"{past} {done.label} ({done.summary})", markup=False)
        self.changed()

    # --- command palette -----------------------------------------------------------------

    def get_system_commands(self, screen: Screen) -> Iterable[SystemCommand]:
        yield from super().get_system_commands(screen)
        for number, (view_id, label) in enumerate(VIEWS, start=1):
            yield SystemCommand(
                f"View: {label} ({number})",
                f"Switch to the {label} view",
                lambda v=view_id: self.action_view(v),
            )
        yield SystemCommand(
            "View: Overview (0)",
            "Where the inventory stands on each recommendation, and how that changed",
            lambda: self.action_view("overview"),
        )
        for title, help_text, callback in [
            (
                "Filter channels (/)",
                "Filter by handle, name, owner, platform, department",
                self.action_filter,
            ),
            ("Flagged channels only (f)", "Show only flagged channels / all", self.action_flagged),
            ("New record (n)", "Add a record of the current view's kind", self.action_new),
            ("Edit record (e)", "Edit the selected record", self.action_edit),
            ("Delete record (d)", "Delete the selected record", self.action_delete),
            ("Waive flag (w)", "Waive the selected flag (Flags view)", self.action_waive),
            (
                "Offboard person (o)",
                "A person leaves: date, successor, preview (People view)",
                self.action_offboard,
            ),
            (
                "Organization (O)",
                "Edit the organization's name and e-mail domains",
                self.action_organization,
            ),
            ("Export flags (x)", "Write the flags as JSON, CSV or XLSX", self.action_export),
            (
                "Import (ctrl+o)",
                "Add channels from a spreadsheet (.csv, .xlsx) or merge a JSON inventory",
                self.action_import,
            ),
            ("Undo (ctrl+z)", "Undo the last action", self.action_undo),
            ("Redo (ctrl+y)", "Redo the last undone action", self.action_redo),
            ("Help (?)", "Show every key", self.action_help),
        ]:
            yield SystemCommand(title, help_text, callback)

    # --- unexpected errors ---------------------------------------------------------------

    #: More unexpected errors than this within ERROR_BURST_SECONDS: something fails on every
    #: frame, and the app stops (non-zero status) rather than show dialog after dialog.
    ERROR_BURST = 3
    ERROR_BURST_SECONDS = 2.0

    def report_unexpected(self, error: Exception) -> None:
        """A bug: roll back whatever was half done, log the traceback, say so in a dialog,
        and show the inventory as the database holds it."""
        import time

        now = time.monotonic()
        self._errors = [
            t for t in getattr(self, "_errors", []) if now - t < self.ERROR_BURST_SECONDS
        ]
        self._errors.append(now)
        if getattr(self, "_reporting", False) or len(self._errors) > self.ERROR_BURST:
            super()._handle_exception(error)
            return
        self._reporting = True
        try:
            with contextlib.suppress(sqlite3.Error):
                if self.store.conn.in_transaction:
                    self.store.conn.execute("ROLLBACK")
            self.store.current_action = None
            path = log_error(error)
            where = (
                f"The details (traceback) are in {path}."
                if path is not None
                else "The details could not be written to the log file."
            )
            self.push_screen(
                MessageDialog(
                    "Something went wrong",
                    f"{one_line(error)}\n\nThe action was stopped and nothing it had not "
                    f"finished was saved; the inventory is shown as the database holds it. "
                    f"{where}",
                )
            )
            self.call_later(self._reload_after_error)
        finally:
            self._reporting = False

    def _reload_after_error(self) -> None:
        self._load_explanations()
        self.start_evaluation()
        self.reload_all()

    def _handle_exception(self, error: Exception) -> None:
        # Textual's path for errors outside a guarded handler (callbacks, timers): the app
        # would exit. Once the app is up, report instead; before that, exit (status 1).
        if self._started and self.is_running:
            self.report_unexpected(error)
            return
        super()._handle_exception(error)


def run_app(store: Store, as_of: date | None, fail_on: str = "error") -> None:
    """Run the UI on `store` until the user quits; an app that had to stop on an error
    exits with its non-zero status."""
    try:
        app = InventoryApp(store, as_of, fail_on=fail_on)
        app.run()
    finally:
        store.close()
    if app.return_code:
        sys.exit(app.return_code)


def _view_of(kind: str | None) -> str | None:
    """The view that lists records of `kind`, if any."""
    found = VIEWED_KINDS.get(kind) if kind else None
    return found.view if found else None
