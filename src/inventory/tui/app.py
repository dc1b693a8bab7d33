"""The full-screen app: `inventory [DB]` and `inventory demo`."""

from __future__ import annotations

import sys
from collections.abc import Callable, Collection, Iterable
from datetime import date
from functools import partial
from pathlib import Path
from typing import ClassVar, cast

from textual import events
from textual.app import App, ComposeResult, SystemCommand
from textual.binding import BindingType
from textual.screen import Screen
from textual.widget import AwaitMount
from textual.widgets import ContentSwitcher, Static

from inventory.listing import rule_explanations, total_channels
from inventory.store import Store, organization_name
from inventory.tui.actions import APP
from inventory.tui.errors import GuardedMessages
from inventory.tui.evaluation import EvaluationSchedule
from inventory.tui.gc_pause import gc_paused, resume_gc
from inventory.tui.messages import (
    EditRequested,
    EditWaiver,
    GotoSubject,
    RemoveWaiver,
    ShowFlags,
    ShowOwnerChannels,
    ToggleExplain,
    ToggleRule,
)
from inventory.tui.state import FlagIndex, Shown, empty_evaluation
from inventory.tui.unexpected import UnexpectedErrors
from inventory.tui.views import make_view
from inventory.tui.views.base import FilterInput, InventoryView, view_of
from inventory.tui.views.channels import ChannelsView
from inventory.tui.widgets.chrome import (
    NARROW,
    OVERVIEW,
    VIEWS,
    InventoryFooter,
    InventoryHeader,
    ViewTabs,
)

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


class InventoryApp(GuardedMessages, App[None]):
    """Keep the inventory of social media channels; see where it falls short."""

    TITLE = "inventory"
    CSS_PATH = styles_folder() / "app.tcss"
    ENABLE_COMMAND_PALETTE = True

    BINDINGS: ClassVar[list[BindingType]] = APP.bindings()

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
        self.shown = Shown(
            store, self.as_of, fail_on, FlagIndex.of(empty_evaluation(store, self.as_of))
        )
        self.updating = False  # an evaluation is on its way (said in the header)
        self.evaluation = EvaluationSchedule(self)
        self.current_view = "channels"
        self._stale: set[str] = set()
        self._pending_key: dict[str, str | None] = {}
        self._mounting: dict[str, AwaitMount] = {}  # views made since the start (`view`)
        # what start-up puts off until the first frame is on the terminal (`after_first_frame`)
        self._first_frame_due: list[Callable[[], object]] | None = []
        self._started = False  # mounted: unexpected errors are reported from now on
        self.unexpected = UnexpectedErrors(self)

    # --- layout --------------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        yield InventoryHeader(id="header")
        yield ViewTabs(id="tabs")
        if self.store.readonly:
            yield Static(
                "Read-only: this database can't be changed (editing is switched off)",
                id="readonly-banner",
            )
        # the other views are made when first shown (`view`): the first screen is sooner
        with ContentSwitcher(initial="channels", id="views"):
            yield ChannelsView(self.shown, id="channels")
        yield InventoryFooter()

    @property
    def flags(self) -> FlagIndex:
        """The flags on screen (read here by tests and the export)."""
        return self.shown.flags

    @property
    def evaluated(self) -> bool:
        return self.shown.evaluated

    @property
    def narrow(self) -> bool:
        return self.size.width < NARROW

    def on_mount(self) -> None:
        self._apply_width()
        self.load_explanations()
        self.reload_all()
        self.view().focus_main()
        # the first evaluation (0.3 s at 100,000 channels) starts once the list is on screen
        self.after_first_frame(self.evaluation.start)
        if self.store.created:
            self.notify(
                f"There was no inventory in {self.store.path.name}: a new, empty one was "
                "created. n adds a channel, ctrl+o imports a spreadsheet, O names the "
                "organization",
                title="New inventory",
                timeout=12,
                markup=False,
            )
        self._started = True  # from now on an unexpected error is reported, not fatal

    def after_first_frame(self, callback: Callable[[], object]) -> None:
        """Call `callback` once the first frame is on the terminal (after the next refresh
        from then on): start-up work that would hold up the first screen."""
        if self._first_frame_due is None:
            self.call_after_refresh(callback)
        else:
            self._first_frame_due.append(callback)

    def post_display_hook(self) -> None:
        # called after every display, also the ones held back inside a batch update (the
        # first are, while the app mounts): only a frame written counts
        if self._first_frame_due is None or self._batch_count:
            return
        # the list's rows are drawn in the frame after it learns its width (an empty
        # inventory shows no list)
        table = cast(ChannelsView, self.view("channels")).table
        if table.display and not table.laid_out:
            return
        due, self._first_frame_due = self._first_frame_due, None
        for callback in due:
            self.call_later(callback)

    def view(self, view_id: str | None = None) -> InventoryView:
        """The view `view_id` (default: the one on screen); one not yet shown is made now
        (`await self.made(view_id)` before using it)."""
        view_id = view_id or self.current_view
        switcher = self.query_one("#views", ContentSwitcher)
        found = switcher.query_children(f"#{view_id}")
        if found:
            return cast(InventoryView, found.first())
        view = make_view(view_id, self.shown)
        view.display = False
        self._mounting[view_id] = switcher.mount(view)
        return view

    async def made(self, view_id: str) -> InventoryView:
        """The view `view_id`, made if it wasn't, once its widgets are mounted."""
        view = self.view(view_id)
        if not view.is_mounted:
            await self._mounting[view_id]
        return view

    # --- data ----------------------------------------------------------------------------

    def load_explanations(self) -> None:
        self.shown.explanations = rule_explanations(self.store.conn)

    def reload_all(self, key: str | None = None, kind: str | None = None) -> None:
        self.shown.total_channels = total_channels(self.store.conn)
        footers = list(self.screen_stack[0].query(InventoryFooter)) if self.screen_stack else []
        if footers and footers[0].empty != (self.shown.total_channels == 0):
            footers[0].empty = self.shown.total_channels == 0
            self.call_later(self._refresh_footer)
        self.update_header()
        target = view_of(kind)
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
            self._footer_soon(footers[0], footers[0].update_keys)

    def _footer_soon(self, footer: InventoryFooter, update: Callable[[], object]) -> None:
        """`update` the footer next (after the first frame at start-up: the list first)."""
        if self._first_frame_due is None:
            footer.call_later(update)
        else:
            self._first_frame_due.append(partial(footer.call_later, update))

    def _refresh_footer(self) -> None:
        footers = list(self.screen_stack[0].query(InventoryFooter)) if self.screen_stack else []
        if footers:
            self._footer_soon(footers[0], footers[0].update_keys)

    def update_header(self) -> None:
        shown = self.shown
        self.query_one(InventoryHeader).show(
            shown.flags.evaluation.organization or organization_name(self.store.conn),
            shown.total_channels,
            shown.flags if shown.evaluated else None,
            updating=self.updating,
            as_of=self.as_of,
            path=self.store.path.name if self.show_path else None,
            narrow=self.narrow,
        )

    def changed(
        self,
        kind: str | None = None,
        key: str | None = None,
        channels: Collection[str] | None = None,
    ) -> None:
        """After any saved change: show it at once, then re-evaluate the rules (only the
        `channels` when those were the only records saved or deleted)."""
        if kind in (None, "rule"):
            self.load_explanations()
        self.evaluation.start(channels if kind == "channel" else None)
        self.reload_all(key, kind)

    # --- views ---------------------------------------------------------------------------

    async def action_view(self, view_id: str) -> None:
        await self.made(view_id)
        self.show_view(view_id)

    def show_view(self, view_id: str) -> None:
        """Switch to `view_id`, a view already made (Channels always is; `made`)."""
        self.current_view = view_id
        self.query_one(ContentSwitcher).current = view_id
        if view_id in self._stale:
            self._refresh_view(view_id)
        self.query_one(ViewTabs).show(view_id, self.narrow)
        self.view().focus_main()
        self.refresh_bindings()

    def action_help(self) -> None:
        from inventory.tui.screens.dialogs import HelpScreen

        self.push_screen(HelpScreen())

    def action_command_palette(self) -> None:
        # the palette lists the keys of every view: each is made first
        unmade = [view_id for view_id, _ in [*VIEWS, OVERVIEW] if not self.view(view_id).is_mounted]
        if not unmade:
            super().action_command_palette()
            return

        async def when_made() -> None:
            for view_id in unmade:
                await self.made(view_id)
            super(InventoryApp, self).action_command_palette()

        self.call_later(when_made)

    def action_filter(self) -> None:
        if not self.view().focus_filter():  # a view without a list (the Overview)
            self.show_view("channels")
            self.view().focus_filter()

    def action_flagged(self) -> None:
        if self.current_view != "channels":
            self.show_view("channels")
        view = cast(ChannelsView, self.view("channels"))
        view.set_flagged_only(not view.query_state.flagged_only)

    # --- what views ask for (tui/messages.py) -------------------------------------------

    async def on_edit_requested(self, message: EditRequested) -> None:
        await self.action_edit()

    def on_goto_subject(self, message: GotoSubject) -> None:
        self.goto_subject(message.subject_type, message.subject_id)

    def on_toggle_rule(self, message: ToggleRule) -> None:
        from inventory.tui import record_actions

        record_actions.toggle_rule(self, message.code)

    def on_toggle_explain(self, message: ToggleExplain) -> None:
        self.shown.explain = not self.shown.explain
        self.view().show_detail()

    async def on_show_flags(self, message: ShowFlags) -> None:
        """The Flags view showing the open (unwaived) flags of a severity, a recommendation,
        or only the given flags (rule, subject type, subject id), named `label`."""
        only, label = message.only, message.label
        from inventory.tui.views.flags import FlagsView

        await self.action_view("flags")
        cast(FlagsView, self.view("flags")).show_only(
            severity=message.severity,
            recommendation=message.recommendation,
            waived="unwaived",
            only=None if only is None else (label, frozenset(only)),
        )
        if only is not None:  # the Flags status is cut at 80 columns: say it here too
            self.notify(f"Showing only {label}; escape shows every flag", markup=False)

    def on_show_owner_channels(self, message: ShowOwnerChannels) -> None:
        """The Channels view filtered to one owner's flagged channels."""
        self.show_view("channels")
        view = cast(ChannelsView, self.view("channels"))
        view.set_filter(message.email)
        view.set_flagged_only(True)

    def goto_subject(self, subject_type: str, subject_id: str) -> None:
        """Show the record in its view (a view not shown before is made first, and the
        record shown once it is: `await self.made(view)` before to have it at once)."""
        view_id = view_of(subject_type)
        if view_id is None:
            self.notify(
                "The organization flag is about the whole inventory (e.g. no approved policy):"
                " see the Policies view (6).",
                markup=False,
            )
            return
        view = self.view(view_id)
        if not view.is_mounted:

            async def when_made() -> None:
                await self.made(view_id)
                self.goto_subject(subject_type, subject_id)

            self.call_later(when_made)
            return
        self.show_view(view_id)
        if view.filter_text:  # the subject may not match it
            view.set_filter("")
        if isinstance(view, ChannelsView):  # nor show only flagged channels
            view.query_state = type(view.query_state)(
                sort=view.query_state.sort, descending=view.query_state.descending
            )
        view.reload(subject_id)

    def on_key(self, event: events.Key) -> None:
        # Keys typed together with `/` (quick typing, a paste, tmux) were handed to the list
        # before the filter took focus, and come back here unhandled: they are typed into
        # the filter, here and now so that a later escape or enter comes after them, instead
        # of being read as commands ("s" would sort). A printable key typed in the filter
        # never gets here (the filter takes it).
        if event.is_printable and event.character and isinstance(self.focused, FilterInput):
            event.stop()
            event.prevent_default()
            self.focused.insert_text_at_cursor(event.character)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        # On a read-only database the writing actions stay reachable: they say why
        # nothing can change (refused_read_only) instead of doing nothing.
        if action == "waive":
            return self.current_view in ("flags", "channels")
        if action == "offboard":
            return self.current_view == "people"
        if action in ("new", "delete"):
            return self.current_view not in ("flags", "overview", "waivers")
        return True

    # --- records -------------------------------------------------------------------------

    def refused_read_only(self) -> bool:
        """On a read-only database: say so (nothing opens) and return True."""
        if self.store.readonly:
            self.notify(READ_ONLY_MESSAGE, title="Read-only", severity="warning", markup=False)
            return True
        return False

    def action_new(self) -> None:
        from inventory.tui import record_actions

        record_actions.new_record(self)

    async def action_edit(self) -> None:
        from inventory.tui import record_actions

        await record_actions.edit_record(self)

    def action_delete(self) -> None:
        from inventory.tui import record_actions

        record_actions.delete_selected(self)

    def action_organization(self) -> None:
        from inventory.tui import record_actions

        record_actions.edit_organization(self)

    def action_offboard(self) -> None:
        from inventory.tui import record_actions

        record_actions.offboard_person(self)

    def action_waive(self) -> None:
        from inventory.tui import waiver_actions

        waiver_actions.waive_selected(self)

    def on_edit_waiver(self, event: EditWaiver) -> None:
        from inventory.tui import waiver_actions

        waiver_actions.edit_waiver(self, event.rule, event.subject_type, event.subject_id)

    def on_remove_waiver(self, event: RemoveWaiver) -> None:
        from inventory.tui import waiver_actions

        waiver_actions.remove_waiver(self, event.rule, event.subject_id)

    def action_undo(self) -> None:
        from inventory.tui import record_actions

        record_actions.reverse(self, "undo")

    def action_redo(self) -> None:
        from inventory.tui import record_actions

        record_actions.reverse(self, "redo")

    def action_export(self) -> None:
        from inventory.tui import transfers

        transfers.export_flags(self)

    def action_import(self) -> None:
        from inventory.tui import transfers

        transfers.import_file(self)

    # --- command palette -----------------------------------------------------------------

    def get_system_commands(self, screen: Screen) -> Iterable[SystemCommand]:
        from inventory.tui import palette

        # Textual's own (theme, keys panel, screenshot), except its Quit: ours says its key
        yield from (c for c in super().get_system_commands(screen) if c.title != "Quit")
        yield from palette.commands(self, screen)

    # --- unexpected errors ---------------------------------------------------------------

    def report_unexpected(self, error: Exception) -> None:
        """A bug: reported in a dialog, the app goes on (tui/unexpected.py)."""
        self.unexpected.report(error)

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
        if gc_paused():  # for the start-up (cli/ui.py): back on once it is shown
            app.after_first_frame(resume_gc)
        app.run()
    finally:
        store.close()
    if app.return_code:
        sys.exit(app.return_code)
