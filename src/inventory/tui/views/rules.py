"""The Rules view: the rules with their flag counts; space switches one on or off."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, ClassVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import BindingType
from textual.containers import Horizontal
from textual.widgets import Static

from inventory.builtin_rules import RECOMMENDATIONS
from inventory.flags import SEVERITY_ORDER
from inventory.listing import fold
from inventory.tui.actions import RULES
from inventory.tui.messages import EditRequested, ToggleRule
from inventory.tui.text import literal
from inventory.tui.views.base import FilterInput, InventoryView, next_sort, sort_note
from inventory.tui.widgets.detail import DetailPane, detail_layout, none
from inventory.tui.widgets.severity import SEVERITY_SYMBOL, severity_style
from inventory.tui.widgets.virtual_table import Column, ListSource, VirtualTable

if TYPE_CHECKING:
    from inventory.rules.catalog import Rule
    from inventory.tui.state import Shown


@dataclass(frozen=True)
class RuleRow:
    """One line of the rules list: the rule, its flags now (None: disabled), broken or not."""

    rule: Rule
    flags: int | None
    broken: bool

    @property
    def key(self) -> str:
        return self.rule.code


class RulesTable(VirtualTable):
    columns: Sequence[Column] = (
        Column("code", "Code", 20),
        Column("recommendation", "Rec", 3, justify="right"),
        Column("severity", "Severity", 10),
        Column("enabled", "Enabled", 7),
        Column("flags", "Flags now", 9, justify="right"),
        Column("title", "Title", 60, 16),
    )
    frozen = 1  # the code

    def cells(self, row: RuleRow) -> list[Text]:
        rule = row.rule
        code = literal(rule.code)
        if not rule.builtin:
            code.append(" custom", style="dim")
        severity = Text(f"{SEVERITY_SYMBOL[rule.severity]} {rule.severity}")
        severity.stylize(severity_style(self, rule.severity))
        count = Text("–" if row.flags is None else str(row.flags))
        if row.broken:
            count = Text("broken", style="bold red")
        return [
            code,
            Text(str(rule.recommendation)),
            severity,
            Text("yes", style="green") if rule.enabled else Text("no", style="dim"),
            count,
            literal(rule.title),
        ]


def rule_text(rule: Rule) -> str:
    """What the filter searches in a rule: every text column the list shows, folded."""
    code = rule.code if rule.builtin else f"{rule.code} custom"
    return fold("\x1f".join([code, rule.severity, rule.title]))


class RulesView(InventoryView):
    kind = "rule"
    title = "Rules"

    BINDINGS: ClassVar[list[BindingType]] = RULES.bindings()

    sort = "code"
    descending = False
    text = ""  # the filter (`/`)

    def __init__(self, shown: Shown, **kwargs: Any) -> None:
        super().__init__(shown, **kwargs)
        self.rules: dict[str, Rule] = {}

    def _sort_key(self, row: RuleRow) -> tuple:
        rule = row.rule
        value = {
            "code": rule.code,
            "recommendation": rule.recommendation,
            "severity": SEVERITY_ORDER[rule.severity],
            "enabled": not rule.enabled,
            "flags": -(row.flags or 0) if rule.enabled else 1,
            "title": rule.title.casefold(),
        }[self.sort]
        return (value, rule.code)

    def action_sort_next(self) -> None:
        self.sort = next_sort(RulesTable.columns, self.sort)
        self.descending = False
        self.reload()

    def action_sort_reverse(self) -> None:
        self.descending = not self.descending
        self.reload()

    def filter_changed(self, text: str) -> None:
        if text != self.text:
            self.text = text
            self.reload()

    @property
    def table(self) -> RulesTable:
        return self.query_one(RulesTable)

    def compose(self) -> ComposeResult:
        with Horizontal(id="rules-bar", classes="view-bar"):
            yield FilterInput(id="rules-filter")
            yield Static(id="rules-status", classes="view-status")
        yield RulesTable(id="rules-table")
        yield DetailPane(id="rule-detail", classes="detail")

    def reload(self, key: str | None = None) -> None:
        from inventory.rules.catalog import list_rules

        table = self.table
        key = key or self.selected_key()
        self.rules = {rule.code: rule for rule in list_rules(self.shown.store)}
        counts = self.shown.flags.by_rule
        broken = {b.rule for b in self.shown.flags.evaluation.broken_rules}
        text = fold(self.text.strip())
        rows = sorted(
            (
                RuleRow(rule, counts.get(rule.code, 0) if rule.enabled else None, code in broken)
                for code, rule in self.rules.items()
                if not text or text in rule_text(rule)
            ),
            key=self._sort_key,
            reverse=self.descending,
        )
        position = next((i for i, row in enumerate(rows) if row.key == key), None)
        table.sort_column = self.sort
        table.sort_descending = self.descending
        table.set_source(ListSource(rows), cursor=position)
        enabled_count = sum(rule.enabled for rule in self.rules.values())
        status = Text(f"{len(self.rules)} rules, {enabled_count} enabled")
        if text:
            status = Text(f"{len(rows)} of {len(self.rules)} rules, {enabled_count} enabled")
        status.append(sort_note(RulesTable.columns, self.sort, self.descending), style="dim")
        status.append("   space enable/disable · e edit · n new custom rule", style="dim")
        if text and not rows:
            status = Text("No rule matches the filter (escape clears it)", style="yellow")
        self.query_one("#rules-status", Static).update(status)
        self.show_detail()

    def selected_key(self) -> str | None:
        row = self.table.current_row
        return None if row is None else row.key

    def show_detail(self) -> None:
        pane = self.query_one(DetailPane)
        code = self.selected_key()
        rule = self.rules.get(code) if code else None
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

    @on(VirtualTable.CursorMoved, "#rules-table")
    def _moved(self) -> None:
        self.show_detail()

    @on(VirtualTable.Selected, "#rules-table")
    def _selected(self) -> None:
        self.post_message(EditRequested())

    @on(VirtualTable.HeaderClicked, "#rules-table")
    def _header(self, event: VirtualTable.HeaderClicked) -> None:
        self.descending = event.column == self.sort and not self.descending
        self.sort = event.column
        self.reload()

    def action_toggle_rule(self) -> None:
        self.post_message(ToggleRule(self.selected_key()))
