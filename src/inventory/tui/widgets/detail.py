"""Detail panes: every field of the selected record and every flag on it."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from rich.console import Group, RenderableType
from rich.style import Style
from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.widgets import Static

from inventory.flags import Flag
from inventory.kinds import CHANNEL, POLICY
from inventory.tui.text import literal
from inventory.tui.widgets.severity import SEVERITY_SYMBOL

if TYPE_CHECKING:
    from inventory.kinds import Kind
    from inventory.models import Channel, Person, Policy, Record

Field = tuple[str, Text]


def none(text: str = "not set") -> Text:
    return Text(text, style="dim italic")


def value_text(value: object) -> Text:
    if value is None or value == "" or value == []:
        return none()
    if isinstance(value, bool):
        return Text("yes" if value else "no")
    if isinstance(value, list):
        return literal(", ".join(str(v) for v in value))
    return literal(value, keep_newlines=True)


def person_text(email: str | None, people: Mapping[str, Person]) -> Text:
    if email is None:
        return none()
    person = people.get(email.lower())
    if person is None:
        return literal(email)
    text = literal(person.name) + Text(" <") + literal(person.email) + Text(">")
    if person.employment == "external":
        text.append("  external", style="bold red")
    else:
        text.append("  employee", style="green")
    return text


def channel_fields(
    channel: Channel, people: Mapping[str, Person], policies: Mapping[str, Policy]
) -> list[Field]:
    """Every field of the channel, labelled as the registry says; people with their
    employment, the policy with its status, consultants with their roles."""
    shown: list[Field] = []
    for spec in CHANNEL.fields:
        value = getattr(channel, spec.name)
        if spec.widget == "person":
            text = person_text(value, people)
        elif spec.widget == "pairs":
            assert spec.link is not None and spec.link.item_key is not None
            text = _pairs_text(value, spec.link.item_key, spec.link.extras)
        elif spec.refers_to == POLICY.name:
            text = _policy_text(value, policies)
        elif spec.enum is not None and spec.widget == "select":
            text = Text(value)
        elif spec.required:
            text = literal(value)
        else:
            text = value_text(value)
        shown.append((spec.shown_as, text))
    return shown


def _policy_text(version: str | None, policies: Mapping[str, Policy]) -> Text:
    if version is None:
        return none("no policy")
    text = literal(version)
    found = policies.get(version)
    if found is not None:
        text.append(f"  {found.status}", style="dim" if found.status == "approved" else "yellow")
    return text


def _pairs_text(items: Sequence[Any], item_key: str, extras: Sequence[str]) -> Text:
    if not items:
        return none("none")
    lines = []
    for item in items:
        values = item.model_dump(mode="json")
        more = "".join(f"  {values[extra]}" for extra in extras)
        lines.append(literal(values[item_key]) + Text(more, style="dim"))
    return Text("\n").join(lines)


def record_fields(kind: Kind, record: Record) -> list[Field]:
    """Every field of a record, labelled as the registry says."""
    values = record.model_dump(mode="json")
    return [(spec.shown_as, value_text(values[spec.name])) for spec in kind.fields]


def fields_table(fields: Sequence[Field]) -> Table:
    table = Table.grid(padding=(0, 1))
    table.add_column(style="bold", no_wrap=True)
    table.add_column(overflow="fold")
    for label, value in fields:
        table.add_row(label, value)
    return table


def flag_lines(
    flags: Sequence[Flag],
    explanations: Mapping[str, str] | None,
    styles: Callable[[str], Style],
    *,
    subject: bool = False,
) -> RenderableType:
    """The flags of a record, worst first; `styles`: severity -> its colour."""
    if not flags:
        return Text("No flags: this record meets every enabled rule.", style="green")
    parts: list[RenderableType] = []
    unwaived = sum(not f.waived for f in flags)
    heading = Text(f"Flags: {unwaived}", style="bold")
    if unwaived != len(flags):
        heading.append(f" (+{len(flags) - unwaived} waived)", style="dim")
    parts.append(heading)
    for flag in flags:
        style = "dim" if flag.waived else styles(flag.severity)
        line = Text(f"{SEVERITY_SYMBOL[flag.severity]} {flag.rule} ", style=style)
        line.append(f"{flag.severity} ", style=style)
        line.append_text(literal(flag.title, "bold" if not flag.waived else "dim"))
        if flag.waived:
            line.append("  WAIVED", style="bold magenta")
        parts.append(line)
        if subject:
            parts.append(Text("  ") + literal(f"{flag.subject_type} {flag.subject_id}"))
        parts.append(Text("  ") + literal(flag.message, "italic"))
        if flag.waiver is not None:
            waiver = flag.waiver
            until = f" until {waiver.until.isoformat()}" if waiver.until else ""
            parts.append(
                Text("  waived: ", style="magenta")
                + literal(waiver.reason)
                + Text(f" ({waiver.by}, {waiver.on.isoformat()}{until})", style="dim")
            )
        if explanations is not None and flag.rule in explanations:
            text = literal(explanations[flag.rule], "dim", keep_newlines=True)
            text.pad_left(0)
            indented = Table.grid(padding=(0, 0, 0, 2))
            indented.add_column()
            indented.add_row(text)
            parts.append(indented)
    return Group(*parts)


class DetailPane(VerticalScroll, can_focus=True):
    """A scrollable pane holding one record's details; `tab` from the list focuses it, and
    the arrows, page up/down and home/end scroll it (at 80x24 most details are below the
    fold)."""

    def compose(self) -> ComposeResult:
        yield Static(id=f"{self.id}-body" if self.id else None, classes="detail-body")

    def show(self, renderable: RenderableType) -> None:
        # no body: a view made as the app closes (views are made when first shown), whose
        # pane was never composed; there is nothing to show it in
        for body in self.query(".detail-body").results(Static):
            body.update(renderable)


def detail_layout(title: Text, fields: Sequence[Field], flags: RenderableType, wide: bool):
    """Fields and flags side by side when there is room, else one under the other."""
    heading = title.copy()
    heading.stylize("bold")
    if wide:
        table = Table.grid(padding=(0, 3), expand=True)
        table.add_column(ratio=1)
        table.add_column(ratio=1)
        table.add_row(fields_table(fields), flags)
        return Group(heading, table)
    return Group(heading, fields_table(fields), Text(""), flags)
