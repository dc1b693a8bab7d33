"""The seven views: Channels, Flags, People, Departments, Consultants, Policies, Rules."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, ClassVar, cast

from rich.console import Group, RenderableType
from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.widgets import DataTable, Input, Select, Static

from inventory.kinds import RECORD_KINDS, Kind
from inventory.listing import (
    RECORD_LISTINGS,
    SORT_COLUMNS,
    ChannelQuery,
    ChannelRow,
    RecordQuery,
    RecordRow,
    channel_position,
    count_records,
    page_records,
    record_position,
)
from inventory.rules.builtin import RECOMMENDATIONS
from inventory.rules.flags import SEVERITY_ORDER, Flag
from inventory.tui.errors import GuardedMessages
from inventory.tui.text import literal, literal_content
from inventory.tui.widgets.channel_table import (
    SEVERITY_STYLE,
    SEVERITY_SYMBOL,
    ChannelSource,
    ChannelTable,
)
from inventory.tui.widgets.detail import (
    DetailPane,
    channel_fields,
    detail_layout,
    fields_table,
    flag_lines,
    none,
    record_fields,
)
from inventory.tui.widgets.virtual_table import Column, ListSource, VirtualTable

if TYPE_CHECKING:
    from inventory.models import Channel, Person, Policy
    from inventory.tui.app import InventoryApp


class InventoryView(GuardedMessages, Vertical):
    """A view the app switches to with 1..7; `kind` is what n/e/d act on."""

    kind: ClassVar[str | None] = None
    title: ClassVar[str] = ""

    @property
    def inventory(self) -> InventoryApp:
        return cast("InventoryApp", self.app)

    def reload(self, key: str | None = None) -> None:
        """Read the data again (after a change or a new evaluation); select `key` if given."""

    def selected_key(self) -> str | None:
        return None

    def selected_revision(self) -> int | None:
        """The revision of the selected record as listed (None: the view doesn't know)."""
        return None

    def focus_main(self) -> None:
        pass

    def wide(self) -> bool:
        return self.app.size.width >= 100


def sort_note(columns: Sequence[Column], sort: str, descending: bool) -> str:
    """'  sorted by Owner ▲' for a view's status line."""
    label = next((c.label for c in columns if c.key == sort), sort)
    return f"  sorted by {label} {'▼' if descending else '▲'}"


def next_sort(columns: Sequence[Column], current: str) -> str:
    """The sortable column after `current` (`s`), wrapping round."""
    keys = [c.key for c in columns if c.sortable]
    return keys[(keys.index(current) + 1) % len(keys)] if current in keys else keys[0]


# --- Channels ------------------------------------------------------------------------------


class FilterInput(Input):
    """The channel filter; escape clears it and goes back to the list."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "clear", "Clear filter", id="filter.clear"),
        Binding("down,enter", "done", "To the list", show=False),
    ]

    def action_clear(self) -> None:
        self.value = ""
        self.action_done()

    def action_done(self) -> None:
        self.query_ancestor(ChannelsView).focus_main()


class ChannelsView(InventoryView):
    kind = "channel"
    title = "Channels"

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("s", "sort_next", "Sort", id="channels.sort"),
        Binding("S", "sort_reverse", "Reverse", show=False, id="channels.reverse"),
        Binding("i", "explain", "Explain", id="channels.explain"),
    ]

    SORTABLE: ClassVar[list[str]] = [c.key for c in ChannelTable.columns if c.sortable]

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.query_state = ChannelQuery()
        self._filter_due = False

    def compose(self) -> ComposeResult:
        with Horizontal(id="channel-bar", classes="view-bar"):
            yield FilterInput(
                placeholder="/ filter: handle, name, owner, platform, department",
                id="channel-filter",
                compact=True,
            )
            yield Static(id="channel-status", classes="view-status")
        yield ChannelTable(id="channel-table")
        yield Static(id="channels-empty", classes="empty-state")
        yield DetailPane(id="channel-detail", classes="detail")

    @property
    def table(self) -> ChannelTable:
        return self.query_one(ChannelTable)

    def focus_main(self) -> None:
        self.table.focus()

    def focus_filter(self) -> None:
        self.query_one(FilterInput).focus()

    def set_flagged_only(self, flagged: bool) -> None:
        self._set_query(flagged_only=flagged)

    def _set_query(self, **changes: Any) -> None:
        current = self.table.current_row
        fields = {**self.query_state.__dict__, **changes}
        self.query_state = ChannelQuery(**fields)
        self.reload(current.key if current is not None else None)

    def reload(self, key: str | None = None) -> None:
        store = self.inventory.store
        table = self.table
        table.sort_column = self.query_state.sort
        table.sort_descending = self.query_state.descending
        if key is None and table.current_row is not None:
            key = table.current_row.key
        total = self.inventory.total_channels
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
            self.query_one("#channels-empty", Static).update(
                Text.assemble(
                    ("No channels yet.\n\n", "bold"),
                    "Press ",
                    ("n", "bold cyan"),
                    " to add your first channel, or ",
                    ("3", "bold cyan"),
                    "/",
                    ("4", "bold cyan"),
                    " to add people and departments first.\n\n",
                    "Press ",
                    ("ctrl+o", "bold cyan"),
                    " to import the channel list you already keep in a spreadsheet\n",
                    "(.csv, .xlsx), or an inventory document (JSON): you see what\n",
                    "would change before anything is written.\n\n",
                    "Try ",
                    ("inventory demo", "bold"),
                    " to explore a sample inventory.",
                )
            )
        self._update_status()
        # the list first: the detail pane reads whole records (pydantic) a frame later
        self.call_after_refresh(self.show_detail)

    def _update_status(self) -> None:
        query = self.query_state
        shown = self.table.row_count
        total = self.inventory.total_channels
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
        store = self.inventory.store
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
        flags = self.inventory.flags.flags_of("channel", row.key)
        title = Text(f"{row.platform} ") + literal(row.handle) + Text(" — ") + literal(row.name)
        explain = self.inventory.explanations if self.inventory.explain else None
        if flags and not self.inventory.explain:
            hint = Text("i: explain each flag", style="dim")
            body: RenderableType = Group(flag_lines(flags, None), hint)
        else:
            body = flag_lines(flags, explain)
        pane.show(
            detail_layout(title, channel_fields(channel, people, policies), body, self.wide())
        )

    @on(VirtualTable.CursorMoved, "#channel-table")
    def _moved(self) -> None:
        self.show_detail()

    @on(VirtualTable.Selected, "#channel-table")
    def _selected(self) -> None:
        self.inventory.action_edit()

    @on(VirtualTable.HeaderClicked, "#channel-table")
    def _header(self, event: VirtualTable.HeaderClicked) -> None:
        if event.column in SORT_COLUMNS:
            descending = event.column == self.query_state.sort and not self.query_state.descending
            self._set_query(sort=event.column, descending=descending)

    @on(Input.Changed, "#channel-filter")
    def _filter_changed(self) -> None:
        # at once (count and page take ~40 ms at 100,000 channels); keys typed while a
        # filter runs are applied together, with the text as it is then
        if not self._filter_due:
            self._filter_due = True
            self.call_later(self._apply_filter)

    def _apply_filter(self) -> None:
        self._filter_due = False
        text = self.query_one(FilterInput).value
        if text != self.query_state.text:
            self._set_query(text=text)

    def apply_filter_now(self) -> None:
        self._apply_filter()

    def action_sort_next(self) -> None:
        index = self.SORTABLE.index(self.query_state.sort)
        self._set_query(sort=self.SORTABLE[(index + 1) % len(self.SORTABLE)], descending=False)

    def action_sort_reverse(self) -> None:
        self._set_query(descending=not self.query_state.descending)

    def action_explain(self) -> None:
        self.inventory.explain = not self.inventory.explain
        self.show_detail()

    def on_resize(self) -> None:
        self.show_detail()


# --- Flags ---------------------------------------------------------------------------------


class FlagsTable(VirtualTable):
    columns: Sequence[Column] = (
        Column("severity", "Severity", 10),
        Column("rule", "Rule", 6),
        Column("recommendation", "Rec", 3, justify="right"),
        Column("subject_type", "Subject", 12),
        Column("subject", "Subject id", 28, 12),
        Column("title", "Title", 34, 12),
        Column("message", "Message", 40, 12),
    )

    def cells(self, row: Flag) -> list[Text]:
        style = "dim" if row.waived else SEVERITY_STYLE[row.severity]
        severity = Text(f"{SEVERITY_SYMBOL[row.severity]} {row.severity}", style=style)
        title = literal(row.title)
        if row.waived:
            title = Text("WAIVED ", style="bold magenta") + title
        return [
            severity,
            Text(row.rule),
            Text(str(row.recommendation)),
            Text(row.subject_type),
            literal(row.subject_id),
            title,
            literal(row.message, "dim" if row.waived else ""),
        ]


FLAG_SORTS: dict[str, Any] = {
    "severity": lambda f: (f.sort_key, f.message),
    "rule": lambda f: (f.rule, f.subject_id),
    "recommendation": lambda f: (f.recommendation, f.sort_key),
    "subject_type": lambda f: (f.subject_type, f.subject_id, f.sort_key),
    "subject": lambda f: (f.subject_id, f.sort_key),
    "title": lambda f: (f.title.casefold(), f.sort_key),
    "message": lambda f: (f.message.casefold(), f.sort_key),
}


class FlagsView(InventoryView):
    kind = None
    title = "Flags"

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("s", "sort_next", "Sort", id="flags.sort"),
        Binding("S", "sort_reverse", "Reverse", show=False, id="flags.reverse"),
        Binding("i", "explain", "Explain", id="flags.explain"),
        Binding("escape", "show_all", "All flags", show=False, id="flags.all"),
    ]

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.sort = "severity"
        self.descending = False
        # flags picked elsewhere (the Overview's "new since", a channel's flags): their
        # (rule, subject type, subject id) and what to call them; None shows every flag
        self.only: tuple[str, frozenset[tuple[str, str, str]]] | None = None

    def show_only(
        self,
        *,
        severity: str | None = None,
        recommendation: int | None = None,
        waived: str | None = None,
        only: tuple[str, frozenset[tuple[str, str, str]]] | None = None,
    ) -> None:
        """Filter the list: the selects to these values (None: all), and `only` these flags."""
        self.only = only
        with self.prevent(Select.Changed):
            for name, value in (
                ("severity", severity),
                ("recommendation", recommendation),
                ("waived", waived),
            ):
                self.query_one(f"#flags-{name}", Select).value = (
                    Select.NULL if value is None else value
                )
        self.reload()

    def compose(self) -> ComposeResult:
        with Horizontal(id="flags-bar", classes="view-bar"):
            yield Select(
                [(s, s) for s in SEVERITY_ORDER],
                prompt="All severities",
                id="flags-severity",
                compact=True,
            )
            yield Select(
                [(literal_content(f"{n} {t}"), n) for n, t in RECOMMENDATIONS.items()],
                prompt="All recommendations",
                id="flags-recommendation",
                compact=True,
            )
            yield Select(
                [("unwaived only", "unwaived"), ("waived only", "waived")],
                prompt="Waived and unwaived",
                id="flags-waived",
                compact=True,
            )
            yield Static(id="flags-status", classes="view-status")
        yield FlagsTable(id="flags-table")
        yield DetailPane(id="flag-detail", classes="detail")

    @property
    def table(self) -> FlagsTable:
        return self.query_one(FlagsTable)

    def focus_main(self) -> None:
        self.table.focus()

    def _filtered(self) -> list[Flag]:
        severity = self.query_one("#flags-severity", Select).value
        recommendation = self.query_one("#flags-recommendation", Select).value
        waived = self.query_one("#flags-waived", Select).value
        only = None if self.only is None else self.only[1]
        flags = [
            f
            for f in self.inventory.flags.evaluation.flags
            if (only is None or (f.rule, f.subject_type, f.subject_id) in only)
            and (severity is Select.NULL or f.severity == severity)
            and (recommendation is Select.NULL or f.recommendation == recommendation)
            and (waived is Select.NULL or f.waived == (waived == "waived"))
        ]
        flags.sort(key=FLAG_SORTS[self.sort], reverse=self.descending)
        return flags

    def reload(self, key: str | None = None) -> None:
        table = self.table
        current = table.current_row
        flags = self._filtered()
        position = None
        wanted = key or (None if current is None else f"{current.rule}:{current.subject_id}")
        if wanted is not None:
            position = next(
                (i for i, f in enumerate(flags) if f"{f.rule}:{f.subject_id}" == wanted), None
            )
        table.sort_column = self.sort
        table.sort_descending = self.descending
        table.set_source(ListSource(flags), cursor=position)
        total = len(self.inventory.flags.evaluation.flags)
        status = Text(f"{len(flags)} of {total} flags" if len(flags) != total else f"{total} flags")
        status.append(sort_note(table.columns, self.sort, self.descending), style="dim")
        if self.only is not None:  # first: the status is cut at the right when narrow
            status = literal(f"only {self.only[0]} (escape: all): ", "bold yellow") + status
        broken = self.inventory.flags.evaluation.broken_rules
        if broken:
            status.append(f"  {len(broken)} broken rule(s)", style="bold red")
        self.query_one("#flags-status", Static).update(status)
        self.show_detail()

    def selected_flag(self) -> Flag | None:
        return self.table.current_row

    def selected_key(self) -> str | None:
        flag = self.selected_flag()
        return None if flag is None else f"{flag.rule}:{flag.subject_id}"

    def show_detail(self) -> None:
        flag = self.selected_flag()
        pane = self.query_one(DetailPane)
        broken = self.inventory.flags.evaluation.broken_rules
        if flag is None:
            message = Text("No flags match." if self.table.row_count == 0 else "", style="dim")
            if not self.inventory.flags.evaluation.flags:
                message = Text("No flags: the inventory meets every enabled rule.", style="green")
            parts: list[Any] = [message]
            for rule in broken:
                parts.append(
                    Text(f"Broken rule {rule.rule}: ", style="bold red") + literal(rule.error)
                )
            pane.show(Group(*parts))
            return
        explanations = self.inventory.explanations
        title = Text(f"{flag.subject_type} ") + literal(flag.subject_id)
        if flag.subject_name and flag.subject_name != flag.subject_id:
            title += Text(" — ") + literal(flag.subject_name)
        hint = Text("enter: go to the record   w: waive   i: explain", style="dim")
        # the selected flag first, then the subject's other flags: the heading counts them all
        others = [
            f
            for f in self.inventory.flags.flags_of(flag.subject_type, flag.subject_id)
            if f.rule != flag.rule
        ]
        body = flag_lines([flag, *others], explanations if self.inventory.explain else None)
        pane.show(Group(title.copy(), Text(""), body, Text(""), hint))

    @on(VirtualTable.CursorMoved, "#flags-table")
    def _moved(self) -> None:
        self.show_detail()

    @on(VirtualTable.Selected, "#flags-table")
    def _selected(self, event: VirtualTable.Selected) -> None:
        flag = cast(Flag, event.row)
        self.inventory.goto_subject(flag.subject_type, flag.subject_id)

    @on(VirtualTable.HeaderClicked, "#flags-table")
    def _header(self, event: VirtualTable.HeaderClicked) -> None:
        if event.column in FLAG_SORTS:
            self.descending = event.column == self.sort and not self.descending
            self.sort = event.column
            self.reload()

    @on(Select.Changed)
    def _filter(self) -> None:
        self.reload()

    def action_show_all(self) -> None:
        self.show_only()

    def action_sort_next(self) -> None:
        order = list(FLAG_SORTS)
        self.sort = order[(order.index(self.sort) + 1) % len(order)]
        self.descending = False
        self.reload()

    def action_sort_reverse(self) -> None:
        self.descending = not self.descending
        self.reload()

    def action_explain(self) -> None:
        self.inventory.explain = not self.inventory.explain
        self.show_detail()


# --- People, departments, consultants, policies ----------------------------------------------


class RecordTable(DataTable):
    """The rules list (a few dozen rows): a DataTable with j/k."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("j", "cursor_down", "Down", show=False),
        Binding("k", "cursor_up", "Up", show=False),
    ]


@dataclass(frozen=True)
class KindSpec:
    kind: str
    title: str
    columns: list[Column]  # value columns, then usage counts (keys of RecordRow.counts)
    subject_type: str | None  # flags are about records of this kind


def kind_spec(kind: Kind) -> KindSpec:
    """A record list's columns from the registry: the fields with a list column, then the
    counts of the records that use each one."""
    columns = [
        Column(
            spec.name,
            spec.column.header,
            spec.column.width,
            spec.column.min_width or 0,
            sortable=spec.name in RECORD_LISTINGS[kind.name].sorts,
        )
        for spec in kind.fields
        if spec.column is not None
    ]
    columns += [
        Column(count.name, count.header, count.width, justify="right")
        for usage in kind.used_by
        if (count := usage.field.counted) is not None
    ]
    return KindSpec(kind.name, kind.title, columns, kind.name if kind.subject else None)


KINDS: dict[str, KindSpec] = {
    name: kind_spec(kind) for name, kind in RECORD_KINDS.items() if kind.listed
}


def cell(value: Any) -> Text:
    if value is None or value == []:
        return Text("–", style="dim")
    if isinstance(value, bool):
        return Text("yes" if value else "no", style="green" if value else "yellow")
    if isinstance(value, list):
        return literal(f"{len(value)}: " + "; ".join(map(str, value)))
    return literal(value)


def mark_of(flags: list[Flag]) -> Text:
    """The flag column of a record: worst unwaived severity and count, or `waived`."""
    unwaived = [f for f in flags if not f.waived]
    if not unwaived:
        return Text("waived", style="dim") if flags else Text("")
    worst = min(unwaived, key=lambda f: SEVERITY_ORDER[f.severity]).severity
    return Text(f"{SEVERITY_SYMBOL[worst]} {len(unwaived)}", style=SEVERITY_STYLE[worst])


class RecordSource:
    """Records of one kind, counted and paged from SQLite."""

    def __init__(self, conn: sqlite3.Connection, query: RecordQuery):
        self.conn = conn
        self.query = query

    def count(self) -> int:
        return count_records(self.conn, self.query)

    def page(self, offset: int, limit: int) -> Sequence[RecordRow]:
        return page_records(self.conn, self.query, offset, limit)


class RecordList(VirtualTable):
    """One row per record, fetched from SQLite a page at a time (25,000 people open at
    once); the flag column comes from the evaluation on screen."""

    def __init__(self, spec: KindSpec, marks: Callable[[str], Text] | None, **kw: Any):
        flag_column = [Column("flag", "Flags", 6, sortable=False)] if marks else []
        self.columns = [*flag_column, *spec.columns]
        super().__init__(**kw)
        self.spec = spec
        self.marks = marks

    def cells(self, row: RecordRow) -> list[Text]:
        values = [
            Text(str(row.counts[c.key]), style="" if row.counts[c.key] else "dim")
            if c.key in row.counts
            else cell(row.values.get(c.key))
            for c in self.spec.columns
        ]
        return [self.marks(row.key), *values] if self.marks else values


class RecordsView(InventoryView):
    """A list of one kind of record with a detail pane."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("s", "sort_next", "Sort", id="records.sort"),
        Binding("S", "sort_reverse", "Reverse", show=False, id="records.reverse"),
    ]

    def __init__(self, kind: str, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.spec = KINDS[kind]
        self.record_kind = kind
        self.query_state = RecordQuery(kind)

    @property
    def table(self) -> RecordList:
        return self.query_one(RecordList)

    def compose(self) -> ComposeResult:
        yield Static(id=f"{self.id}-status", classes="view-bar view-status")
        yield RecordList(
            self.spec, self._mark if self.spec.subject_type else None, id=f"{self.id}-table"
        )
        yield DetailPane(id=f"{self.id}-detail", classes="detail")

    def focus_main(self) -> None:
        self.table.focus()

    def reload(self, key: str | None = None) -> None:
        table = self.table
        key = key or self.selected_key()
        conn = self.inventory.store.conn
        position = None if key is None else record_position(conn, self.query_state, key)
        table.sort_column = self.query_state.sort or RECORD_LISTINGS[self.record_kind].default_sort
        table.sort_descending = self.query_state.descending
        table.set_source(RecordSource(conn, self.query_state), cursor=position)
        status = Text(f"{table.row_count} {self.spec.title.lower()}")
        status.append(
            sort_note(table.columns, table.sort_column or "", self.query_state.descending),
            style="dim",
        )
        status.append("   n new · e edit · d delete", style="dim")
        self.query_one(f"#{self.id}-status", Static).update(status)
        self.show_detail()

    def _mark(self, record_id: str) -> Text:
        if self.spec.subject_type is None:
            return Text("")
        return mark_of(self.inventory.flags.flags_of(self.spec.subject_type, record_id))

    def selected_key(self) -> str | None:
        row = self.table.current_row
        return None if row is None else row.key

    def selected_revision(self) -> int | None:
        row = self.table.current_row
        return None if row is None else row.revision

    def show_detail(self) -> None:
        from inventory import records

        pane = self.query_one(DetailPane)
        key = self.selected_key()
        store = self.inventory.store
        loaded = records.get_record(store, self.record_kind, key) if key else None
        if key is None or loaded is None:
            message = f"No {self.spec.title.lower()} yet: press n to add one."
            if key is not None:
                message = f"This {self.record_kind} no longer exists."
            pane.show(Text(message, style="dim"))
            return
        fields = record_fields(RECORD_KINDS[self.record_kind], loaded.record)
        users = records.users_of(store, self.record_kind, key)
        if users:
            fields.append(("Used by", literal("\n".join(users), keep_newlines=True)))
        else:
            fields.append(("Used by", none("nothing refers to it")))
        title = Text(f"{self.record_kind} ") + literal(key)
        if self.spec.subject_type is None:
            pane.show(Group(title, fields_table(fields)))
            return
        flags = self.inventory.flags.flags_of(self.spec.subject_type, key)
        explain = self.inventory.explanations if self.inventory.explain else None
        pane.show(detail_layout(title, fields, flag_lines(flags, explain), self.wide()))

    @on(VirtualTable.CursorMoved)
    def _moved(self) -> None:
        self.show_detail()

    @on(VirtualTable.Selected)
    def _selected(self) -> None:
        self.inventory.action_edit()

    @on(VirtualTable.HeaderClicked)
    def _header(self, event: VirtualTable.HeaderClicked) -> None:
        listing = RECORD_LISTINGS[self.record_kind]
        if event.column not in listing.sorts:
            return
        current = self.query_state.sort or listing.default_sort
        descending = event.column == current and not self.query_state.descending
        self.query_state = RecordQuery(self.record_kind, event.column, descending)
        self.reload()

    def action_sort_next(self) -> None:
        current = self.query_state.sort or RECORD_LISTINGS[self.record_kind].default_sort
        self.query_state = RecordQuery(self.record_kind, next_sort(self.table.columns, current))
        self.reload()

    def action_sort_reverse(self) -> None:
        state = self.query_state
        self.query_state = RecordQuery(self.record_kind, state.sort, not state.descending)
        self.reload()

    def on_resize(self) -> None:
        self.show_detail()


# --- Rules ---------------------------------------------------------------------------------


class RulesView(InventoryView):
    kind = "rule"
    title = "Rules"

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("space", "toggle_rule", "On/off", id="rules.toggle"),
        Binding("s", "sort_next", "Sort", id="rules.sort"),
        Binding("S", "sort_reverse", "Reverse", show=False, id="rules.reverse"),
    ]

    COLUMNS: ClassVar[list[Column]] = [
        Column("code", "Code", 0),
        Column("recommendation", "Rec", 0),
        Column("severity", "Severity", 0),
        Column("enabled", "Enabled", 0),
        Column("flags", "Flags now", 0),
        Column("title", "Title", 0),
    ]
    sort = "code"
    descending = False

    def _sort_key(self, rule: Any) -> tuple:
        counts = self.inventory.flags.by_rule
        value = {
            "code": rule.code,
            "recommendation": rule.recommendation,
            "severity": SEVERITY_ORDER[rule.severity],
            "enabled": not rule.enabled,
            "flags": -counts.get(rule.code, 0) if rule.enabled else 1,
            "title": rule.title.casefold(),
        }[self.sort]
        return (value, rule.code)

    def action_sort_next(self) -> None:
        self.sort = next_sort(self.COLUMNS, self.sort)
        self.descending = False
        self.reload()

    def action_sort_reverse(self) -> None:
        self.descending = not self.descending
        self.reload()

    @property
    def table(self) -> DataTable:
        return self.query_one(RecordTable)

    def compose(self) -> ComposeResult:
        yield Static(id="rules-status", classes="view-bar view-status")
        yield RecordTable(cursor_type="row", zebra_stripes=True, id="rules-table")
        yield DetailPane(id="rule-detail", classes="detail")

    def on_mount(self) -> None:
        table = self.table
        for column in self.COLUMNS:
            table.add_column(column.label, key=column.key)

    def focus_main(self) -> None:
        self.table.focus()

    def reload(self, key: str | None = None) -> None:
        from inventory.rules.catalog import list_rules

        table = self.table
        key = key or self.selected_key()
        table.clear()
        self.rules = {rule.code: rule for rule in list_rules(self.inventory.store)}
        counts = self.inventory.flags.by_rule
        broken = {b.rule for b in self.inventory.flags.evaluation.broken_rules}
        for rule in sorted(self.rules.values(), key=self._sort_key, reverse=self.descending):
            enabled = Text("yes", style="green") if rule.enabled else Text("no", style="dim")
            count = Text(str(counts.get(rule.code, 0)) if rule.enabled else "–")
            if rule.code in broken:
                count = Text("broken", style="bold red")
            severity = Text(f"{SEVERITY_SYMBOL[rule.severity]} {rule.severity}")
            severity.stylize(SEVERITY_STYLE[rule.severity])
            code = literal(rule.code)
            if not rule.builtin:
                code.append(" custom", style="dim")
            table.add_row(
                code,
                Text(str(rule.recommendation)),
                severity,
                enabled,
                count,
                literal(rule.title),
                key=rule.code,
            )
        if key in self.rules:
            table.move_cursor(row=table.get_row_index(key), scroll=True)
        enabled_count = sum(rule.enabled for rule in self.rules.values())
        status = Text(f"{len(self.rules)} rules, {enabled_count} enabled")
        status.append(sort_note(self.COLUMNS, self.sort, self.descending), style="dim")
        status.append("   space enable/disable · e edit · n new custom rule", style="dim")
        self.query_one("#rules-status", Static).update(status)
        self.show_detail()

    def selected_key(self) -> str | None:
        table = self.table
        if table.row_count == 0:
            return None
        try:
            key = table.coordinate_to_cell_key(table.cursor_coordinate).row_key
        except Exception:
            return None
        return None if key.value is None else str(key.value)

    def show_detail(self) -> None:
        pane = self.query_one(DetailPane)
        code = self.selected_key()
        rule = getattr(self, "rules", {}).get(code) if code else None
        if rule is None:
            pane.show(Text("No rule selected.", style="dim"))
            return
        parameters = ", ".join(f"{k} = {v!r}" for k, v in rule.parameters.items()) or None
        fields = [
            ("Code", literal(rule.code)),
            (
                "Recommendation",
                literal(f"{rule.recommendation} {RECOMMENDATIONS[rule.recommendation]}"),
            ),
            ("Severity", Text(rule.severity)),
            ("Enabled", Text("yes" if rule.enabled else "no")),
            ("Subject", Text(rule.subject_type)),
            ("Parameters", literal(parameters) if parameters else none("none")),
            ("Condition", literal(rule.condition, keep_newlines=True)),
            ("Message", literal(rule.message, keep_newlines=True)),
            ("Built in", Text("yes" if rule.builtin else "no (custom)")),
        ]
        explanation = literal(rule.explanation or "No explanation.", keep_newlines=True)
        pane.show(detail_layout(literal(rule.title), fields, explanation, self.wide()))

    @on(DataTable.RowHighlighted)
    def _moved(self) -> None:
        self.show_detail()

    @on(DataTable.RowSelected)
    def _selected(self) -> None:
        self.inventory.action_edit()

    def action_toggle_rule(self) -> None:
        self.inventory.toggle_rule(self.selected_key())
