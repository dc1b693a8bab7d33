"""The Waivers view (9): every waiver (rule, subject, reason, until, by, on), read from
SQLite a page at a time, sorted with s/S, filtered with /; e or enter edits the selected
waiver, d removes it (each one undoable action): the view posts EditWaiver and
RemoveWaiver (tui/messages.py), the app acts (tui/waiver_actions.py)."""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from typing import Any, ClassVar

from rich.console import Group
from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import BindingType
from textual.containers import Horizontal
from textual.widgets import Static

from inventory.rules.waivers import (
    WAIVER_SORTS,
    WaiverQuery,
    WaiverRow,
    count_waivers,
    page_waivers,
    waiver_position,
)
from inventory.tui.actions import WAIVERS
from inventory.tui.messages import EditWaiver, RemoveWaiver
from inventory.tui.screens.waiver import waiver_summary
from inventory.tui.state import Shown
from inventory.tui.text import literal
from inventory.tui.views.base import FilterInput, InventoryView, next_sort, sort_note
from inventory.tui.widgets.detail import DetailPane, fields_table, none
from inventory.tui.widgets.severity import SEVERITY_SYMBOL, severity_style
from inventory.tui.widgets.virtual_table import Column, VirtualTable


class WaiverSource:
    """The waivers matching a query, counted and paged from SQLite."""

    def __init__(self, conn: sqlite3.Connection, query: WaiverQuery):
        self.conn = conn
        self.query = query

    def count(self) -> int:
        return count_waivers(self.conn, self.query)

    def page(self, offset: int, limit: int) -> Sequence[WaiverRow]:
        return page_waivers(self.conn, self.query, offset, limit)


class WaiversTable(VirtualTable):
    frozen = 2  # rule, subject: which flag a waiver is about
    columns: Sequence[Column] = (
        Column("rule", "Rule", 6),
        Column("subject", "Subject", 26, 14),
        Column("reason", "Reason", 40, 14),
        Column("until", "Until", 10),
        Column("by", "By", 16),
        Column("on", "On", 10),
    )

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.today: Any = None  # the evaluation date: an until before it has expired

    def cells(self, row: WaiverRow) -> list[Text]:
        waiver = row.waiver
        if waiver.until is None:
            until = Text("–", style="dim")
        else:
            expired = self.today is not None and waiver.until < self.today
            until = Text(waiver.until.isoformat(), style="yellow" if expired else "")
        return [
            Text(row.rule),
            literal(row.subject_id),
            literal(waiver.reason),
            until,
            literal(waiver.by),
            Text(waiver.on.isoformat()),
        ]


class WaiversView(InventoryView):
    kind = None
    title = "Waivers"

    BINDINGS: ClassVar[list[BindingType]] = WAIVERS.bindings()

    def __init__(self, shown: Shown, **kwargs: Any) -> None:
        super().__init__(shown, **kwargs)
        self.query_state = WaiverQuery()

    def compose(self) -> ComposeResult:
        with Horizontal(id="waivers-bar", classes="view-bar"):
            yield FilterInput(id="waivers-filter")
            yield Static(id="waivers-status", classes="view-status")
        yield WaiversTable(id="waivers-table")
        yield DetailPane(id="waivers-detail", classes="detail")

    @property
    def table(self) -> WaiversTable:
        return self.query_one(WaiversTable)

    def focus_main(self) -> None:
        self.table.focus()

    def selected_row(self) -> WaiverRow | None:
        row: WaiverRow | None = self.table.current_row
        return row

    def selected_key(self) -> str | None:
        row = self.selected_row()
        return None if row is None else row.key

    def reload(self, key: str | None = None) -> None:
        table = self.table
        table.today = self.shown.as_of
        key = key or self.selected_key()
        conn = self.shown.store.conn
        table.sort_column = self.query_state.sort
        table.sort_descending = self.query_state.descending
        table.set_source(WaiverSource(conn, self.query_state))
        current = table.current_row
        if key is not None and (current is None or current.key != key):
            # only when the row moved (0.5 s at 100,000 waivers: every row is numbered)
            position = waiver_position(conn, self.query_state, key)
            if position is not None:
                table.cursor = position
        self._update_status()
        self.show_detail()

    def _update_status(self) -> None:
        query = self.query_state
        shown = self.table.row_count
        if query.text.strip() and not shown:
            text = Text("No waiver matches the filter (escape clears it)", style="yellow")
        else:
            text = Text(f"{shown} waiver{'' if shown == 1 else 's'}")
            if query.text.strip():
                text.append(" match", style="bold yellow")
            text.append(sort_note(self.table.columns, query.sort, query.descending), style="dim")
        self.query_one("#waivers-status", Static).update(text)

    def show_detail(self) -> None:
        pane = self.query_one(DetailPane)
        row = self.selected_row()
        if row is None:
            message = (
                "No waivers yet. Waive a flag with w in the Flags view (2) or on a channel"
                " (1): it stays reported, marked waived, and stops counting."
            )
            if self.query_state.text.strip():
                message = "No waiver matches the filter (escape clears it)."
            pane.show(Text(message, style="dim"))
            return
        evaluation = self.shown.flags
        flags = [
            flag
            for flag in evaluation.flags_of(row.subject_type or "", row.subject_id)
            if flag.rule == row.rule
        ]
        title = Text(f"Waiver of {row.rule} on ") + literal(row.subject_id)
        rule_title = next((f.title for f in flags), "")
        fields = [
            (
                "Rule",
                Text(row.rule) + (Text(" ") + literal(rule_title) if rule_title else Text("")),
            ),
            (
                "Subject",
                Text(f"{row.subject_type} ") + literal(row.subject_id)
                if row.subject_type
                else literal(row.subject_id) + none("  (the rule no longer exists)"),
            ),
            ("Reason", literal(row.waiver.reason, keep_newlines=True)),
            ("", waiver_summary(row.waiver, self.shown.as_of)),
        ]
        if flags:
            flag = flags[0]
            body = Text()
            body.append("Flag now: ", style="bold")
            body.append(
                f"{SEVERITY_SYMBOL[flag.severity]} {flag.severity} ",
                style="dim" if flag.waived else severity_style(self, flag.severity),
            )
            body.append_text(literal(flag.message, "italic"))
            body.append("  waived" if flag.waived else "  counts (the waiver has expired)")
        else:
            body = none(
                f"{row.rule} flags nothing on this subject as of "
                f"{self.shown.as_of.isoformat()}: the waiver applies if it does."
            )
        hint = Text("e: edit   d: remove   ctrl+z: undo", style="dim")
        pane.show(Group(title.copy(), fields_table(fields), Text(""), body, Text(""), hint))

    @on(VirtualTable.CursorMoved, "#waivers-table")
    def _moved(self) -> None:
        self.show_detail()

    @on(VirtualTable.Selected, "#waivers-table")
    def _selected(self) -> None:
        self.action_edit_waiver()

    @on(VirtualTable.HeaderClicked, "#waivers-table")
    def _header(self, event: VirtualTable.HeaderClicked) -> None:
        if event.column in WAIVER_SORTS:
            state = self.query_state
            descending = event.column == state.sort and not state.descending
            self._set_query(sort=event.column, descending=descending)

    def filter_changed(self, text: str) -> None:
        if text != self.query_state.text:
            self._set_query(text=text)

    def _set_query(self, **changes: Any) -> None:
        self.query_state = WaiverQuery(**{**self.query_state.__dict__, **changes})
        self.reload()

    def action_sort_next(self) -> None:
        self._set_query(sort=next_sort(self.table.columns, self.query_state.sort), descending=False)

    def action_sort_reverse(self) -> None:
        self._set_query(descending=not self.query_state.descending)

    def action_edit_waiver(self) -> None:
        row = self.selected_row()
        if row is not None:
            self.post_message(EditWaiver(row.rule, row.subject_type, row.subject_id))

    def action_remove_waiver(self) -> None:
        row = self.selected_row()
        if row is not None:
            self.post_message(RemoveWaiver(row.rule, row.subject_id))

    def on_resize(self) -> None:
        self.show_detail()
