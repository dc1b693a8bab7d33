"""The Channels view: the filterable, sortable list of channels with their flags."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar, cast

from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import BindingType
from textual.containers import Horizontal
from textual.widgets import Static

from inventory.listing import SORT_COLUMNS, ChannelQuery, ChannelRow, channel_position
from inventory.tui.actions import CHANNELS
from inventory.tui.messages import EditRequested, ToggleExplain
from inventory.tui.state import Shown
from inventory.tui.text import literal
from inventory.tui.views.base import FilterInput, InventoryView
from inventory.tui.widgets.channel_table import ChannelSource, ChannelTable
from inventory.tui.widgets.detail import DetailPane, channel_fields, detail_layout, flag_lines
from inventory.tui.widgets.severity import severity_styles
from inventory.tui.widgets.virtual_table import VirtualTable

if TYPE_CHECKING:
    from inventory.models import Channel, Person, Policy
    from inventory.store import Store
    from inventory.tui.app import InventoryApp


class ChannelsView(InventoryView):
    kind = "channel"
    title = "Channels"

    BINDINGS: ClassVar[list[BindingType]] = CHANNELS.bindings()

    SORTABLE: ClassVar[list[str]] = [c.key for c in ChannelTable.columns if c.sortable]

    def __init__(self, shown: Shown, **kwargs: Any) -> None:
        super().__init__(shown, **kwargs)
        self.query_state = ChannelQuery()
        self._detail_due = False

    def compose(self) -> ComposeResult:
        with Horizontal(id="channel-bar", classes="view-bar"):
            yield FilterInput(id="channel-filter")
            yield Static(id="channel-status", classes="view-status")
        yield ChannelTable(id="channel-table")
        yield Static(id="channels-empty", classes="empty-state")
        yield DetailPane(id="channel-detail", classes="detail")

    @property
    def table(self) -> ChannelTable:
        return self.query_one(ChannelTable)

    def set_flagged_only(self, flagged: bool) -> None:
        self._set_query(flagged_only=flagged)

    def _set_query(self, **changes: Any) -> None:
        current = self.table.current_row
        fields = {**self.query_state.__dict__, **changes}
        self.query_state = ChannelQuery(**fields)
        self.reload(current.key if current is not None else None)

    def reload(self, key: str | None = None) -> None:
        store = self.shown.store
        table = self.table
        table.sort_column = self.query_state.sort
        table.sort_descending = self.query_state.descending
        if key is None and table.current_row is not None:
            key = table.current_row.key
        total = self.shown.total_channels
        table.set_source(ChannelSource(store.conn, self.query_state, total))
        current = table.current_row
        if key is not None and (current is None or current.key != key):
            # only when the row moved (a save or a new evaluation mostly leaves it in place)
            position = channel_position(store.conn, self.query_state, key)
            if position is not None:
                table.cursor = position
        empty = total == 0
        self.query_one("#channels-empty").display = empty
        table.display = not empty
        self.query_one("#channel-detail").display = not empty
        if empty:
            self.query_one("#channels-empty", Static).update(next_steps(store))
        self._update_status()
        self._detail_soon()

    def _detail_soon(self) -> None:
        """Show the detail pane a frame after the list: it reads whole records (pydantic,
        0.1 s to import), which would hold up the first screen and each cursor move."""
        if not self._detail_due:
            self._detail_due = True
            cast("InventoryApp", self.app).after_first_frame(self._show_due_detail)

    def _show_due_detail(self) -> None:
        self._detail_due = False
        self.show_detail()

    def _update_status(self) -> None:
        query = self.query_state
        shown = self.table.row_count
        total = self.shown.total_channels
        text = Text(f"{shown} of {total}" if shown != total else f"{total} channels")
        if query.flagged_only:
            text.append("  flagged only", style="bold yellow")
        column = next(c.label for c in ChannelTable.columns if c.key == query.sort)
        text.append(f"  sorted by {column} {'▼' if query.descending else '▲'}", style="dim")
        if query.text and not shown:
            text = Text("No channel matches the filter (escape clears it)", style="yellow")
        self.query_one("#channel-status", Static).update(text)

    def selected_key(self) -> str | None:
        row = self.table.current_row
        return None if row is None else row.key

    def selected_revision(self) -> int | None:
        row = self.table.current_row
        return None if row is None else row.revision

    def show_detail(self) -> None:
        from inventory import records

        row: ChannelRow | None = self.table.current_row
        pane = self.query_one(DetailPane)
        if row is None:
            pane.show(Text("No channel selected.", style="dim"))
            return
        store = self.shown.store
        loaded = records.get_record(store, "channel", row.key)
        if loaded is None:
            pane.show(Text("This channel no longer exists.", style="dim"))
            return
        channel = cast("Channel", loaded.record)
        people: dict[str, Person] = {}
        for email in (channel.owner, channel.backup_owner):
            if email:
                found = records.get_record(store, "person", email)
                if found is not None:
                    people[email.lower()] = cast("Person", found.record)
        policies: dict[str, Policy] = {}
        if channel.policy:
            found = records.get_record(store, "policy", channel.policy)
            if found is not None:
                policies[channel.policy] = cast("Policy", found.record)
        flags = self.shown.flags.flags_of("channel", row.key)
        title = Text(f"{row.platform} ") + literal(row.handle) + Text(" — ") + literal(row.name)
        explain = self.shown.explanations if self.shown.explain else None
        if flags and not self.shown.explain:
            hint = Text("i: explain each flag", style="dim")
            body: RenderableType = Group(flag_lines(flags, None, severity_styles(self)), hint)
        else:
            body = flag_lines(flags, explain, severity_styles(self))
        pane.show(
            detail_layout(title, channel_fields(channel, people, policies), body, self.wide())
        )

    @on(VirtualTable.CursorMoved, "#channel-table")
    def _moved(self) -> None:
        self._detail_soon()

    @on(VirtualTable.Selected, "#channel-table")
    def _selected(self) -> None:
        self.post_message(EditRequested())

    @on(VirtualTable.HeaderClicked, "#channel-table")
    def _header(self, event: VirtualTable.HeaderClicked) -> None:
        if event.column in SORT_COLUMNS:
            descending = event.column == self.query_state.sort and not self.query_state.descending
            self._set_query(sort=event.column, descending=descending)

    def filter_changed(self, text: str) -> None:
        if text != self.query_state.text:
            self._set_query(text=text)

    def action_sort_next(self) -> None:
        index = self.SORTABLE.index(self.query_state.sort)
        self._set_query(sort=self.SORTABLE[(index + 1) % len(self.SORTABLE)], descending=False)

    def action_sort_reverse(self) -> None:
        self._set_query(descending=not self.query_state.descending)

    def action_explain(self) -> None:
        self.post_message(ToggleExplain())

    def on_resize(self) -> None:
        self._detail_soon()


def next_steps(store: Store) -> RenderableType:
    """What an empty inventory offers: add a channel, import, name the organization."""
    from inventory import records

    steps = Table.grid(padding=(0, 2))
    steps.add_column(style="bold cyan", no_wrap=True)
    steps.add_column()
    steps.add_row("n", "add your first channel (3 People and 4 Departments: add them first)")
    steps.add_row(
        "ctrl+o",
        "import the channel list you keep in a spreadsheet (.csv, .xlsx) or an inventory"
        " document (JSON): you see what would change before anything is written",
    )
    if not records.has_organization(store):
        steps.add_row("O", "name your organization (and its e-mail domains)")
    return Group(
        Text("No channels yet. Next steps:\n", style="bold"),
        steps,
        Text.assemble("\nTry ", ("inventory demo", "bold"), " to explore a sample inventory."),
    )
