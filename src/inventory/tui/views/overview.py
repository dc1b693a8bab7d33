"""The Overview (key 0): the gate, one bar per recommendation, the 12-week trend, what is
new and resolved since a date, and the owners and channels with the most open flags.

Every line that leads somewhere is an option: enter opens the list behind it. The past
figures are evaluated in a worker (seconds at 100,000 channels) and fill in when ready;
the view and the rest of the UI stay usable meanwhile. Readable without colour: the
severities in a bar are different characters, and every figure is also written out."""

from __future__ import annotations

import contextlib
from dataclasses import dataclass
from datetime import date, timedelta
from typing import TYPE_CHECKING, Any, ClassVar

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import BindingType
from textual.containers import Horizontal
from textual.widgets import Input, OptionList, Static
from textual.widgets.option_list import Option
from textual.worker import get_current_worker

from inventory.overview import (
    CHANGE_DAYS,
    TREND_WEEKS,
    Bar,
    Changes,
    GateCondition,
    PastState,
    Ranked,
    bars,
    changes_since,
    evaluate_past,
    gate,
    past_days,
    top_channels,
    top_owners,
    trend_days,
)
from inventory.tui.actions import OVERVIEW
from inventory.tui.messages import ShowFlags, ShowOwnerChannels
from inventory.tui.state import Shown
from inventory.tui.text import literal
from inventory.tui.views.base import InventoryView
from inventory.tui.widgets.severity import SEVERITY_SYMBOL, severity_style

if TYPE_CHECKING:
    from inventory.flags import Evaluation, Flag


@dataclass(frozen=True)
class Figures:
    """The Overview's figures of one evaluation (`OverviewView._figures`)."""

    evaluation: Evaluation
    gate: list[GateCondition]
    bars: list[Bar]
    open_count: int
    top_channels: list[Ranked]


BAR_CHAR = {"error": "█", "warning": "▓", "info": "░"}
SPARKS = "▁▂▃▄▅▆▇█"
TITLE_WIDTH = 34


def sparkline(values: list[int | None]) -> Text:
    """One character per value, scaled from the smallest to the largest; `·` where there
    is no history."""
    known = [value for value in values if value is not None]
    low, high = (min(known), max(known)) if known else (0, 0)
    text = Text()
    for value in values:
        if value is None:
            text.append("·", style="dim")
            continue
        level = 0 if high == low else round((value - low) * (len(SPARKS) - 1) / (high - low))
        text.append(SPARKS[level], style="bold")
    return text


def _shorten(text: str, width: int) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"


def _change(now: int, before: int | None) -> Text:
    if before is None:
        return Text("  n/a", style="dim")
    delta = now - before
    if delta == 0:
        return Text("    =", style="dim")
    return Text(f"{delta:>+5}", style="red" if delta > 0 else "green")


@dataclass
class OverviewData:
    """What the worker computes: the past states by day, and the owners ranking."""

    past: dict[date, PastState | None]
    owners: list[Ranked]


class OverviewView(InventoryView):
    kind = None
    title = "Overview"

    BINDINGS: ClassVar[list[BindingType]] = OVERVIEW.bindings()

    def __init__(self, shown: Shown, **kwargs: Any) -> None:
        super().__init__(shown, **kwargs)
        self.since: date | None = None
        self.past: dict[date, PastState | None] = {}
        self.owners: list[Ranked] | None = None
        self.computing = False
        self.failure: str | None = None
        self._generation = 0
        self._counted: Figures | None = None

    def compose(self) -> ComposeResult:
        with Horizontal(id="overview-bar", classes="view-bar"):
            yield Static("New and resolved since", id="overview-since-label")
            yield Input(id="overview-since", compact=True, max_length=10)
            yield Static(id="overview-status", classes="view-status")
        yield OptionList(id="overview-items")

    @property
    def items(self) -> OptionList:
        return self.query_one(OptionList)

    def focus_main(self) -> None:
        self.items.focus()

    @property
    def as_of(self) -> date:
        return self.shown.as_of

    def since_day(self) -> date:
        return self.since or self.as_of - timedelta(days=CHANGE_DAYS)

    # --- data ------------------------------------------------------------------------------

    def reload(self, key: str | None = None) -> None:
        since_input = self.query_one("#overview-since", Input)
        if not since_input.has_focus:
            since_input.value = self.since_day().isoformat()
        self._render_items()
        if self.shown.evaluated:
            self._generation += 1
            self.computing = True
            self.failure = None
            self._update_status()
            # after the frame with the current figures: the worker's Python (copying and
            # walking back) would otherwise hold up that first frame
            self.call_after_refresh(
                self._compute, self._generation, self.since_day(), dict(self.past)
            )

    @work(thread=True, exclusive=True, group="overview", exit_on_error=False)
    def _compute(self, generation: int, since: date, known: dict[date, PastState | None]) -> None:
        from inventory.store import open_store

        evaluation = self.shown.flags.evaluation
        worker = get_current_worker()
        path = str(self.shown.store.path)
        days = past_days(self.as_of, since)
        try:
            # its own connection: the UI thread keeps using the app's
            with open_store(path, create=False) as store:
                owners = top_owners(store.conn, evaluation)
                past = evaluate_past(store, days, known, frozenset({since}))
        except Exception as error:  # shown in the Overview; the rest of the UI goes on
            with contextlib.suppress(RuntimeError):  # the app stopped meanwhile
                self.app.call_from_thread(self._failed, generation, str(error))
            return
        if worker.is_cancelled:  # superseded: a newer worker is on it
            return
        with contextlib.suppress(RuntimeError):  # the app stopped meanwhile
            self.app.call_from_thread(self._computed, generation, OverviewData(past, owners))

    def _failed(self, generation: int, why: str) -> None:
        if generation != self._generation:
            return
        self.computing = False
        self.failure = why
        self._render_items()
        self._update_status()

    def _computed(self, generation: int, data: OverviewData) -> None:
        for day, state in data.past.items():
            if state is None or state.flags is not None or day not in self.past:
                self.past[day] = state
        if generation != self._generation:
            return
        self.owners = data.owners
        self.computing = False
        self._render_items()
        self._update_status()

    def _update_status(self) -> None:
        status = self.query_one("#overview-status", Static)
        if not self.shown.evaluated:
            status.update(Text("evaluating the rules…", style="dim"))
        elif self.computing:
            status.update(Text("reading the history…", style="dim"))
        elif self.failure:
            status.update(literal(f"the history could not be read: {self.failure}", "red"))
        else:
            status.update(Text("enter: the list behind a line  s: date", style="dim"))

    def _changes(self) -> Changes | None:
        past = self.past.get(self.since_day())
        if past is None:
            return None
        return changes_since(self.shown.flags.evaluation, past)

    # --- drawing ---------------------------------------------------------------------------

    def _render_items(self) -> None:
        items = self.items
        highlighted = items.highlighted
        chosen = None if highlighted is None else items.get_option_at_index(highlighted).id
        items.set_options(self._options())
        if chosen is not None:
            try:
                items.highlighted = items.get_option_index(chosen)
            except Exception:  # the line is gone (e.g. an owner left the top 10)
                items.highlighted = 0
        elif items.option_count:
            items.highlighted = 0

    def _figures(self, evaluation: Evaluation) -> Figures:
        """What the Overview shows of `evaluation` itself; each figure reads every flag
        (118,000 at 100,000 channels), so they are counted once per evaluation, not again
        when the past figures come in."""
        if self._counted is None or self._counted.evaluation is not evaluation:
            totals = self.shown.flags.totals  # its open flags by severity, counted already
            self._counted = Figures(
                evaluation,
                gate(totals, self.shown.fail_on),
                bars(evaluation),
                sum(totals.values()),
                top_channels(evaluation),
            )
        return self._counted

    def _heading(self, text: str) -> Option:
        return Option(Text(text, style="bold"), disabled=True)

    def _options(self) -> list[Option]:
        if not self.shown.evaluated:
            return [self._heading("Evaluating the rules…")]
        evaluation = self.shown.flags.evaluation
        options = self._gate_options(evaluation)
        options.append(self._heading(""))
        options.extend(self._bar_options(evaluation))
        options.append(self._heading(""))
        options.extend(self._history_options(evaluation))
        options.append(self._heading(""))
        options.extend(self._ranked_options(evaluation))
        return options

    def _gate_options(self, evaluation: Any) -> list[Option]:
        fail_on = self.shown.fail_on
        conditions = self._figures(evaluation).gate
        if not conditions:
            text = Text("✔ PASS", style="bold green")
            reason = "nothing fails it" if fail_on == "never" else f"no open {fail_on}"
            if fail_on not in ("error", "never"):
                reason += " or worse"
            text.append(f"  gate (--fail-on {fail_on}): {reason}")
            return [Option(text, id="gate")]
        options = []
        for condition in conditions:
            text = Text("✖ FAIL", style="bold red")
            plural = "s" if condition.count != 1 else ""
            severity = condition.severity + ("" if condition.severity == "info" else plural)
            text.append(f"  gate (--fail-on {fail_on}): {condition.count} open {severity}")
            options.append(Option(text, id=f"gate:{condition.severity}"))
        return options

    def _bar_options(self, evaluation: Any) -> list[Option]:
        width = max(self.items.size.width, 60) - 2
        title_width = 22 if width < 100 else TITLE_WIDTH if width < 140 else 52
        before = self.past.get(self.as_of - timedelta(days=CHANGE_DAYS))
        earlier = None if before is None else before.by_recommendation()
        then = (self.as_of - timedelta(days=CHANGE_DAYS)).isoformat()
        legend = Text("By recommendation  ", style="bold")
        for severity in ("error", "warning", "info"):
            legend.append(BAR_CHAR[severity], style=severity_style(self, severity))
            legend.append(f" {severity} ")
        legend.append(f"  ± since {then}", style="dim")
        options = [Option(legend, disabled=True)]
        all_bars = self._figures(evaluation).bars
        largest = max([bar.total for bar in all_bars] + [1])
        # number, title, bar, counts (✖ 12 ▲ 34 ● 5), change
        room = max(width - 3 - title_width - 1 - 20 - 6, 8)
        for bar in all_bars:
            text = Text(f"{bar.number} ", style="bold")
            text.append(f"{_shorten(bar.title, title_width):<{title_width}} ")
            drawn = 0
            for severity in ("error", "warning", "info"):
                count = bar.counts[severity]
                cells = round(count * room / largest)
                if count and not cells:
                    cells = 1
                text.append(BAR_CHAR[severity] * cells, style=severity_style(self, severity))
                drawn += cells
            text.append(" " * max(room - drawn, 0) + " ")
            for severity in ("error", "warning", "info"):
                count = bar.counts[severity]
                style = severity_style(self, severity) if count else "dim"
                text.append(f"{SEVERITY_SYMBOL[severity]}{count:>3} ", style=style)
            text.append_text(_change(bar.total, None if earlier is None else earlier[bar.number]))
            options.append(Option(text, id=f"rec:{bar.number}"))
        return options

    def _history_options(self, evaluation: Any) -> list[Option]:
        now = self._figures(evaluation).open_count
        days = trend_days(self.as_of)
        values: list[int | None] = []
        for day in days[:-1]:
            state = self.past.get(day)
            values.append(None if state is None else state.open_count)
        values.append(now)
        text = Text(f"Open flags, {TREND_WEEKS} weeks to {self.as_of.isoformat()}  ", style="bold")
        text.append_text(sparkline(values))
        first = next((value for value in values if value is not None), now)
        text.append(f"  {now} now")
        if first != now or values[0] is not None:
            text.append(f", {first} at the start", style="dim")
        if self.computing and any(day not in self.past for day in days[:-1]):
            text.append("  (reading the history…)", style="dim")
        options = [Option(text, id="trend")]
        since = self.since_day().isoformat()
        changes = self._changes()
        if changes is None:
            why = "reading the history…" if self.computing else "no history then"
            options.append(Option(Text(f"New since {since}: {why}", style="dim"), id="new"))
            options.append(
                Option(Text(f"Resolved since {since}: {why}", style="dim"), id="resolved")
            )
            return options
        new = Text(f"New since {since}: ", style="bold")
        new.append(f"{len(changes.new)} open flag{'s' if len(changes.new) != 1 else ''}")
        resolved = Text(f"Resolved since {since}: ", style="bold")
        resolved.append(f"{len(changes.resolved)} flag{'s' if len(changes.resolved) != 1 else ''}")
        options.append(Option(new, id="new"))
        options.append(Option(resolved, id="resolved"))
        return options

    def _ranked_options(self, evaluation: Any) -> list[Option]:
        options = [self._heading("Owners with the most open flags on their channels")]
        if self.owners is None:
            options.append(Option(Text("  reading…", style="dim"), disabled=True))
        elif not self.owners:
            options.append(Option(Text("  none", style="dim"), disabled=True))
        for owner in self.owners or []:
            text = Text(f"{owner.count:>5}  ")
            text.append_text(literal(owner.label))
            text.append("  ")
            text.append_text(literal(owner.key, "dim"))
            options.append(Option(text, id=f"owner:{owner.key}"))
        options.append(self._heading(""))
        options.append(self._heading("Channels with the most open flags"))
        channels = self._figures(evaluation).top_channels
        if not channels:
            options.append(Option(Text("  none", style="dim"), disabled=True))
        for channel in channels:
            text = Text(f"{channel.count:>5}  ")
            text.append_text(literal(channel.key))
            if channel.label != channel.key:
                text.append("  ")
                text.append_text(literal(channel.label, "dim"))
            options.append(Option(text, id=f"channel:{channel.key}"))
        return options

    def on_resize(self) -> None:
        if self.shown.evaluated:
            self._render_items()

    # --- going to the list behind a line ------------------------------------------------------

    @on(OptionList.OptionSelected, "#overview-items")
    def _selected(self, event: OptionList.OptionSelected) -> None:
        target = event.option.id or ""
        kind, _, value = target.partition(":")
        if kind == "gate":
            self.post_message(ShowFlags(severity=value or None, label="the gate's open flags"))
        elif kind == "rec":
            self.post_message(ShowFlags(recommendation=int(value)))
        elif kind == "trend":
            self.post_message(ShowFlags())
        elif kind == "new":
            changes = self._changes()
            if changes is not None:
                self.post_message(
                    ShowFlags(
                        only={(f.rule, f.subject_type, f.subject_id) for f in changes.new},
                        label=f"new since {self.since_day().isoformat()}",
                    )
                )
        elif kind == "resolved":
            changes = self._changes()
            if changes is not None:
                self._show_resolved(changes.resolved)
        elif kind == "owner":
            self.post_message(ShowOwnerChannels(value))
        elif kind == "channel":
            flags = self.shown.flags.flags_of("channel", value)
            self.post_message(
                ShowFlags(
                    only={(f.rule, f.subject_type, f.subject_id) for f in flags},
                    label=f"flags of {value}",
                )
            )

    def _show_resolved(self, resolved: list[Flag]) -> None:
        from inventory.tui.screens.dialogs import MessageDialog

        since = self.since_day().isoformat()
        if not resolved:
            body = "No flag that was open then is resolved now."
        else:
            body = "\n".join(
                f"{flag.severity:<8} {flag.rule:<5} {flag.subject_type} {flag.subject_id}"
                for flag in resolved
            )
        self.app.push_screen(MessageDialog(f"Resolved since {since}: {len(resolved)}", body))

    def action_since(self) -> None:
        self.query_one("#overview-since", Input).focus()

    @on(Input.Submitted, "#overview-since")
    def _since_submitted(self, event: Input.Submitted) -> None:
        text = event.value.strip()
        try:
            day = date.fromisoformat(text)
            if len(text) != 10 or day > self.as_of:
                raise ValueError
        except ValueError:
            self.app.notify(
                f"Not a date on or before {self.as_of.isoformat()} (YYYY-MM-DD): {text}",
                severity="warning",
                markup=False,
            )
            return
        self.since = day
        self.focus_main()
        self.reload()
