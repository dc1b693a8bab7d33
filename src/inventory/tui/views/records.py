"""The People, Departments, Consultants, Policies and Lookalikes views: one list per
record kind, read from the registry (inventory.kinds), paged from SQLite."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from typing import Any, ClassVar

from rich.console import Group
from rich.style import Style
from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import BindingType
from textual.containers import Horizontal
from textual.widgets import Static

from inventory.flags import SEVERITY_ORDER, Flag, unwaived
from inventory.kinds import RECORD_KINDS, Kind
from inventory.record_listing import (
    RECORD_LISTINGS,
    RecordQuery,
    RecordRow,
    count_records,
    matching_records,
    page_records,
    record_position,
    records_by_id,
)
from inventory.tui.actions import RECORDS
from inventory.tui.messages import EditRequested
from inventory.tui.state import Shown
from inventory.tui.text import literal
from inventory.tui.views.base import FilterInput, InventoryView, next_sort, sort_note
from inventory.tui.widgets.detail import (
    DetailPane,
    detail_layout,
    fields_table,
    flag_lines,
    none,
    record_fields,
)
from inventory.tui.widgets.severity import SEVERITY_SYMBOL, severity_styles
from inventory.tui.widgets.virtual_table import Column, VirtualTable


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


def mark_of(flags: list[Flag], styles: Callable[[str], Style]) -> Text:
    """The flag column of a record: worst unwaived severity and count, or `waived`."""
    open_flags = unwaived(flags)
    if not open_flags:
        return Text("waived", style="dim") if flags else Text("")
    worst = min(open_flags, key=lambda f: SEVERITY_ORDER[f.severity]).severity
    return Text(f"{SEVERITY_SYMBOL[worst]} {len(open_flags)}", style=styles(worst))


class RecordSource:
    """Records of one kind, counted and paged from SQLite. Filtered, the matching records
    are found once (one scan) and counted, paged and searched from that list."""

    def __init__(self, conn: sqlite3.Connection, query: RecordQuery):
        self.conn = conn
        self.query = query
        self.matches = matching_records(conn, query) if query.text.strip() else None

    def count(self) -> int:
        if self.matches is not None:
            return len(self.matches)
        return count_records(self.conn, self.query)

    def page(self, offset: int, limit: int) -> Sequence[RecordRow]:
        if self.matches is not None:
            ids = [row_id for row_id, _ in self.matches[max(0, offset) : offset + limit]]
            return records_by_id(self.conn, self.query.kind, ids)
        return page_records(self.conn, self.query, offset, limit)

    def position(self, key: str) -> int | None:
        """Where the record `key` is in the list (None: not in it)."""
        if self.matches is None:
            return record_position(self.conn, self.query, key)
        wanted = key.lower() if RECORD_KINDS[self.query.kind].folded_key else key
        return next((i for i, (_, k) in enumerate(self.matches) if k == wanted), None)


class RecordList(VirtualTable):
    """One row per record, fetched from SQLite a page at a time (25,000 people open at
    once); the flag column comes from the evaluation on screen."""

    def __init__(self, spec: KindSpec, marks: Callable[[str], Text] | None, **kw: Any):
        flag_column = [Column("flag", "Flags", 9, sortable=False)] if marks else []
        self.columns = [*flag_column, *spec.columns]
        # the flags and the record's key (e-mail, name, version; platform and handle)
        self.frozen = len(flag_column) + len(RECORD_KINDS[spec.kind].key)
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

    BINDINGS: ClassVar[list[BindingType]] = RECORDS.bindings()

    def __init__(self, shown: Shown, kind: str, **kwargs: Any) -> None:
        super().__init__(shown, **kwargs)
        self.spec = KINDS[kind]
        self.record_kind = kind
        self.query_state = RecordQuery(kind)

    @property
    def table(self) -> RecordList:
        return self.query_one(RecordList)

    def compose(self) -> ComposeResult:
        with Horizontal(id=f"{self.id}-bar", classes="view-bar"):
            yield FilterInput(id=f"{self.id}-filter")
            yield Static(id=f"{self.id}-status", classes="view-status")
        yield RecordList(
            self.spec, self._mark if self.spec.subject_type else None, id=f"{self.id}-table"
        )
        yield DetailPane(id=f"{self.id}-detail", classes="detail")

    def filter_changed(self, text: str) -> None:
        if text != self.query_state.text:
            self.query_state = replace(self.query_state, text=text)
            self.reload()

    def reload(self, key: str | None = None) -> None:
        table = self.table
        key = key or self.selected_key()
        conn = self.shown.store.conn
        source = RecordSource(conn, self.query_state)
        position = None if key is None else source.position(key)
        table.sort_column = self.query_state.sort or RECORD_LISTINGS[self.record_kind].default_sort
        table.sort_descending = self.query_state.descending
        table.set_source(source, cursor=position)
        shown = table.row_count
        if self.query_state.text:
            total = count_records(conn, replace(self.query_state, text=""))
            status = Text(f"{shown} of {total} {self.spec.title.lower()}")
        else:
            status = Text(f"{shown} {self.spec.title.lower()}")
        status.append(
            sort_note(table.columns, table.sort_column or "", self.query_state.descending),
            style="dim",
        )
        status.append("   n new · e edit · d delete", style="dim")
        if self.query_state.text and not shown:
            status = Text(
                f"No {self.record_kind} matches the filter (escape clears it)", style="yellow"
            )
        self.query_one(f"#{self.id}-status", Static).update(status)
        self.show_detail()

    def _mark(self, record_id: str) -> Text:
        if self.spec.subject_type is None:
            return Text("")
        flags = self.shown.flags.flags_of(self.spec.subject_type, record_id)
        return mark_of(flags, severity_styles(self))

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
        store = self.shown.store
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
        flags = self.shown.flags.flags_of(self.spec.subject_type, key)
        explain = self.shown.explanations if self.shown.explain else None
        pane.show(
            detail_layout(
                title, fields, flag_lines(flags, explain, severity_styles(self)), self.wide()
            )
        )

    @on(VirtualTable.CursorMoved)
    def _moved(self) -> None:
        self.show_detail()

    @on(VirtualTable.Selected)
    def _selected(self) -> None:
        self.post_message(EditRequested())

    @on(VirtualTable.HeaderClicked)
    def _header(self, event: VirtualTable.HeaderClicked) -> None:
        listing = RECORD_LISTINGS[self.record_kind]
        if event.column not in listing.sorts:
            return
        current = self.query_state.sort or listing.default_sort
        descending = event.column == current and not self.query_state.descending
        self.query_state = replace(self.query_state, sort=event.column, descending=descending)
        self.reload()

    def action_sort_next(self) -> None:
        current = self.query_state.sort or RECORD_LISTINGS[self.record_kind].default_sort
        sort = next_sort(self.table.columns, current)
        self.query_state = replace(self.query_state, sort=sort, descending=False)
        self.reload()

    def action_sort_reverse(self) -> None:
        state = self.query_state
        self.query_state = replace(state, descending=not state.descending)
        self.reload()

    def on_resize(self) -> None:
        self.show_detail()
