"""The channel list: a VirtualTable over pages of `inventory.listing` rows."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Sequence

from rich.style import Style
from rich.text import Text

from inventory.listing import (
    ROLE_SHOWN,
    ChannelQuery,
    ChannelRow,
    FlagMark,
    count_channels,
    page_channels,
)
from inventory.tui.text import literal
from inventory.tui.widgets.severity import SEVERITY_SYMBOL, severity_styles
from inventory.tui.widgets.virtual_table import Column, VirtualTable

STATUS_STYLE = {"active": "green", "planned": "cyan", "dormant": "yellow", "retired": "dim"}


class ChannelSource:
    """Channels matching a query, counted and paged from SQLite."""

    def __init__(self, conn: sqlite3.Connection, query: ChannelQuery, total: int | None = None):
        self.conn = conn
        self.query = query
        self.total = total  # the number of channels, when the caller has just counted them

    def count(self) -> int:
        if self.total is not None and not self.query.text.strip() and not self.query.flagged_only:
            return self.total
        return count_channels(self.conn, self.query)

    def page(self, offset: int, limit: int) -> Sequence[ChannelRow]:
        return page_channels(self.conn, self.query, offset, limit)


def mark_text(mark: FlagMark | None, styles: Callable[[str], Style]) -> Text:
    if mark is None:
        return Text("")
    if mark.severity is None:
        return Text(f"waived {mark.waived}", style="dim")
    symbol = SEVERITY_SYMBOL[mark.severity]
    return Text(f"{symbol} {mark.flags}", style=styles(mark.severity))


def owner_text(name: str | None, email: str | None, employment: str | None) -> Text:
    if email is None:
        return Text("none", style="red")
    text = literal(name or email)
    if employment == "external":
        text = Text("ext ", style="bold red") + text
    return text


def hours_text(hours: float | None) -> Text:
    if hours is None:
        return Text("–", style="dim")
    return Text(f"{hours:g}")


class ChannelTable(VirtualTable):
    """One row per channel; rows are fetched from SQLite a page at a time."""

    # caps: the widest a column's content makes it (more only from width to spare);
    # the second number makes it a text column (gets spare width, shrinks to that)
    columns: Sequence[Column] = (
        Column("flag", "Flags", 9),
        Column("platform", "Platform", 9),
        Column("handle", "Handle", 30, 12),
        Column("name", "Name", 32, 12),
        Column("owner", "Owner", 24, 11),
        Column("consultants", "Consultants", 36, 10),
        Column("department", "Reports to", 22, 10),
        Column("linked", "Linked depts", 30, 10),
        Column("policy", "Policy", 18, 8),
        Column("hours", "h/wk", 5, justify="right"),
        Column("last_post", "Last post", 10),
        Column("status", "Status", 8),
    )
    frozen = 3  # flags, platform, handle: which channel a row is
    cells_of_row_alone = True  # the flags' mark is in the row

    def cells(self, row: ChannelRow) -> list[Text]:
        consultants = Text(", ").join(
            literal(name) + Text(f" {ROLE_SHOWN.get(role, role)}", style="dim")
            for name, role in row.consultants
        )
        policy = Text("none", style="yellow") if row.policy is None else literal(row.policy)
        if row.policy_status not in (None, "approved"):
            policy.append(f" {row.policy_status}", style="yellow")
        return [
            mark_text(row.mark, severity_styles(self)),
            Text(row.platform),
            literal(row.handle),
            literal(row.name),
            owner_text(row.owner_name, row.owner, row.owner_employment),
            consultants,
            literal(row.reporting_department or "", "")
            if row.reporting_department
            else Text("none", style="yellow"),
            literal(", ".join(row.linked_departments)),
            policy,
            hours_text(row.weekly_hours),
            Text(row.last_post_on or "never", style="" if row.last_post_on else "dim"),
            Text(row.status, style=STATUS_STYLE.get(row.status, "")),
        ]
