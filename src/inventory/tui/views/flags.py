"""The Flags view: every flag of the evaluation on screen, filtered and sorted."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, ClassVar, cast

from rich.console import Group
from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import BindingType
from textual.containers import Horizontal
from textual.widgets import Input, Select, Static

from inventory.builtin_rules import RECOMMENDATIONS
from inventory.flags import SEVERITY_ORDER, Flag
from inventory.listing import fold
from inventory.tui.actions import FLAGS
from inventory.tui.messages import GotoSubject, ToggleExplain
from inventory.tui.state import Shown
from inventory.tui.text import literal, literal_content
from inventory.tui.views.base import FilterInput, InventoryView, sort_note
from inventory.tui.widgets.detail import DetailPane, flag_lines
from inventory.tui.widgets.severity import SEVERITY_SYMBOL, severity_style, severity_styles
from inventory.tui.widgets.virtual_table import Column, ListSource, VirtualTable


class FlagsTable(VirtualTable):
    columns: Sequence[Column] = (
        Column("severity", "Severity", 10),
        Column("rule", "Rule", 6),
        Column("subject", "Subject id", 32, 12),
        Column("subject_type", "Subject", 12),
        Column("recommendation", "Rec", 3, justify="right"),
        Column("title", "Title", 40, 12),
        Column("message", "Message", 60, 12),
    )
    frozen = 3  # severity, rule, subject: which flag a row is

    def cells(self, row: Flag) -> list[Text]:
        style = "dim" if row.waived else severity_style(self, row.severity)
        severity = Text(f"{SEVERITY_SYMBOL[row.severity]} {row.severity}", style=style)
        title = literal(row.title)
        if row.waived:
            title = Text("WAIVED ", style="bold magenta") + title
        return [
            severity,
            Text(row.rule),
            literal(row.subject_id),
            Text(row.subject_type),
            Text(str(row.recommendation)),
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


def flag_text(flag: Flag) -> str:
    """What the filter searches in a flag: every text column the list shows, folded."""
    title = f"WAIVED {flag.title}" if flag.waived else flag.title
    shown = [flag.severity, flag.rule, flag.subject_id, flag.subject_type, title, flag.message]
    return fold("\x1f".join(shown))


class FlagsView(InventoryView):
    kind = None
    title = "Flags"

    BINDINGS: ClassVar[list[BindingType]] = FLAGS.bindings()

    def __init__(self, shown: Shown, **kwargs: Any) -> None:
        super().__init__(shown, **kwargs)
        self.sort = "severity"
        self.descending = False
        # flags picked elsewhere (the Overview's "new since", a channel's flags): their
        # (rule, subject type, subject id) and what to call them; None shows every flag
        self.only: tuple[str, frozenset[tuple[str, str, str]]] | None = None
        self.text = ""  # the filter (`/`)

    def show_only(
        self,
        *,
        severity: str | None = None,
        recommendation: int | None = None,
        waived: str | None = None,
        only: tuple[str, frozenset[tuple[str, str, str]]] | None = None,
    ) -> None:
        """Filter the list: the selects to these values (None: all), and `only` these flags;
        the text filter is cleared."""
        self.only = only
        self.text = ""
        with self.prevent(Select.Changed, Input.Changed):
            self.query_one(FilterInput).value = ""
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
            yield FilterInput(id="flags-filter")
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

    def _filtered(self) -> list[Flag]:
        severity = self.query_one("#flags-severity", Select).value
        recommendation = self.query_one("#flags-recommendation", Select).value
        waived = self.query_one("#flags-waived", Select).value
        only = None if self.only is None else self.only[1]
        flags = [
            f
            for f in self.shown.flags.evaluation.flags
            if (only is None or (f.rule, f.subject_type, f.subject_id) in only)
            and (severity is Select.NULL or f.severity == severity)
            and (recommendation is Select.NULL or f.recommendation == recommendation)
            and (waived is Select.NULL or f.waived == (waived == "waived"))
        ]
        text = fold(self.text.strip())
        if text:
            flags = [f for f in flags if text in flag_text(f)]
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
        total = len(self.shown.flags.evaluation.flags)
        status = Text(f"{len(flags)} of {total} flags" if len(flags) != total else f"{total} flags")
        status.append(sort_note(table.columns, self.sort, self.descending), style="dim")
        if self.text and not flags:
            status = Text("No flag matches the filter (escape clears it)", style="yellow")
        if self.only is not None:  # first: the status is cut at the right when narrow
            status = literal(f"only {self.only[0]} (escape: all): ", "bold yellow") + status
        broken = self.shown.flags.evaluation.broken_rules
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
        broken = self.shown.flags.evaluation.broken_rules
        if flag is None:
            message = Text("No flags match." if self.table.row_count == 0 else "", style="dim")
            if not self.shown.flags.evaluation.flags:
                message = Text("No flags: the inventory meets every enabled rule.", style="green")
            parts: list[Any] = [message]
            for rule in broken:
                parts.append(
                    Text(f"Broken rule {rule.rule}: ", style="bold red") + literal(rule.error)
                )
            pane.show(Group(*parts))
            return
        explanations = self.shown.explanations
        title = Text(f"{flag.subject_type} ") + literal(flag.subject_id)
        if flag.subject_name and flag.subject_name != flag.subject_id:
            title += Text(" — ") + literal(flag.subject_name)
        hint = Text("enter: go to the record   w: waive   i: explain", style="dim")
        # the selected flag first, then the subject's other flags: the heading counts them all
        others = [
            f
            for f in self.shown.flags.flags_of(flag.subject_type, flag.subject_id)
            if f.rule != flag.rule
        ]
        explain = explanations if self.shown.explain else None
        body = flag_lines([flag, *others], explain, severity_styles(self))
        pane.show(Group(title.copy(), Text(""), body, Text(""), hint))

    @on(VirtualTable.CursorMoved, "#flags-table")
    def _moved(self) -> None:
        self.show_detail()

    @on(VirtualTable.Selected, "#flags-table")
    def _selected(self, event: VirtualTable.Selected) -> None:
        flag = cast(Flag, event.row)
        self.post_message(GotoSubject(flag.subject_type, flag.subject_id))

    @on(VirtualTable.HeaderClicked, "#flags-table")
    def _header(self, event: VirtualTable.HeaderClicked) -> None:
        if event.column in FLAG_SORTS:
            self.descending = event.column == self.sort and not self.descending
            self.sort = event.column
            self.reload()

    @on(Select.Changed)
    def _filter(self) -> None:
        self.reload()

    def filter_changed(self, text: str) -> None:
        if text != self.text:
            self.text = text
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
        self.post_message(ToggleExplain())
