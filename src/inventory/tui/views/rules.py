"""The Rules view: the rules with their flag counts; space switches one on or off."""

from __future__ import annotations

from typing import Any, ClassVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.widgets import DataTable, Static

from inventory.builtin_rules import RECOMMENDATIONS
from inventory.flags import SEVERITY_ORDER
from inventory.tui.messages import EditRequested, ToggleRule
from inventory.tui.text import literal
from inventory.tui.views.base import InventoryView, next_sort, sort_note
from inventory.tui.widgets.detail import DetailPane, detail_layout, none
from inventory.tui.widgets.severity import SEVERITY_SYMBOL, severity_style
from inventory.tui.widgets.virtual_table import Column


class RecordTable(DataTable):
    """The rules list (a few dozen rows): a DataTable with j/k."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("j", "cursor_down", "Down", show=False),
        Binding("k", "cursor_up", "Up", show=False),
    ]


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
        counts = self.shown.flags.by_rule
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
        self.rules = {rule.code: rule for rule in list_rules(self.shown.store)}
        counts = self.shown.flags.by_rule
        broken = {b.rule for b in self.shown.flags.evaluation.broken_rules}
        for rule in sorted(self.rules.values(), key=self._sort_key, reverse=self.descending):
            enabled = Text("yes", style="green") if rule.enabled else Text("no", style="dim")
            count = Text(str(counts.get(rule.code, 0)) if rule.enabled else "–")
            if rule.code in broken:
                count = Text("broken", style="bold red")
            severity = Text(f"{SEVERITY_SYMBOL[rule.severity]} {rule.severity}")
            severity.stylize(severity_style(self, rule.severity))
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
        self.post_message(EditRequested())

    def action_toggle_rule(self) -> None:
        self.post_message(ToggleRule(self.selected_key()))
