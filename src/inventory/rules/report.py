"""Plain-text views of rules and flags for the terminal, readable at 80 columns.

User text is shown literally: control characters (terminal escapes) come out as `\\x1b`.
"""

from __future__ import annotations

import textwrap
from collections.abc import Iterator
from typing import TYPE_CHECKING

from inventory.baseline import Comparison
from inventory.builtin_rules import RECOMMENDATIONS
from inventory.flags import SEVERITY_ORDER, Evaluation, Flag
from inventory.kinds import CHECKED_KINDS, SUBJECT_KINDS
from inventory.printable import visible

if TYPE_CHECKING:
    from inventory.rules.catalog import Rule

WIDTH = 80
_FLAG_INDENT = " " * 17
REPORT_CHUNK_LINES = 2_000


def _plural(count: int, word: str, plural: str | None = None) -> str:
    return f"{count} {word if count == 1 else plural or word + 's'}"


def _fill(text: str, first: str, rest: str) -> str:
    # Most lines fit: textwrap's chunking costs ~10 us a call (a second of `check` at
    # 100,000 flags). A printable line (so no tab or newline to replace) that fits, and
    # neither starts nor ends with a space (which textwrap keeps or drops by position),
    # is what textwrap returns unchanged (tests/test_report.py compares the two).
    if (
        len(first) + len(text) <= WIDTH
        and text.isprintable()
        and text[:1] not in ("", " ")
        and text[-1] != " "
    ):
        return first + text
    return textwrap.fill(
        text,
        WIDTH,
        initial_indent=first,
        subsequent_indent=rest,
        break_long_words=False,
        break_on_hyphens=False,
    )


def _flag_lines(flag: Flag, lead: str) -> list[str]:
    """The flag's lines; `lead` is `  <severity> <rule> `, padded (see `_leads`)."""
    subject_id, message = flag.subject_id, flag.message
    if flag.waiver is None:
        # The common case, once per flag: a subject and message that are printable, fit
        # and have no edge space are what visible() and _fill() return them as.
        subject = (
            subject_id if flag.subject_name == subject_id else f"{subject_id} ({flag.subject_name})"
        )
        if (
            len(lead) + len(subject) <= WIDTH
            and len(_FLAG_INDENT) + len(message) <= WIDTH
            and subject.isprintable()
            and message.isprintable()
            and subject[:1] not in ("", " ")
            and subject[-1] != " "
            and message[:1] not in ("", " ")
            and message[-1] != " "
        ):
            return [lead + subject, _FLAG_INDENT + message]
    subject = visible(flag.subject_id)
    if flag.subject_name != flag.subject_id:
        subject += f" ({visible(flag.subject_name)})"
    lines = [
        _fill(subject, lead, _FLAG_INDENT),
        _fill(visible(flag.message), _FLAG_INDENT, _FLAG_INDENT),
    ]
    if flag.waiver is not None:
        waiver = flag.waiver
        until = f" until {waiver.until.isoformat()}" if waiver.until else ""
        text = (
            f"waived by {visible(waiver.by)} on {waiver.on.isoformat()}{until}: "
            f"{visible(waiver.reason)}"
        )
        lines.append(_fill(text, _FLAG_INDENT, _FLAG_INDENT))
    return lines


class _Leads(dict[tuple[str, str], str]):
    """`  <severity> <rule> ` for each (severity, rule), formatted once."""

    def __missing__(self, key: tuple[str, str]) -> str:
        severity, rule = key
        self[key] = lead = f"  {severity:<8} {rule:<5} "
        return lead


def check_report(
    evaluation: Evaluation, comparison: Comparison | None = None, state_at: str | None = None
) -> str:
    """The `check` text report: flags grouped by recommendation, counts at the end.

    With a baseline comparison the new flags come first, then the known ones by
    recommendation, then the baseline's flags no longer raised (resolved)."""
    return "".join(check_report_chunks(evaluation, comparison, state_at))


def check_report_chunks(
    evaluation: Evaluation, comparison: Comparison | None = None, state_at: str | None = None
) -> Iterator[str]:
    """`check_report` in pieces of REPORT_CHUNK_LINES lines, for writing as it is made:
    the whole text of 100,000 flags was ~50 MB of a `check`'s peak memory."""
    chunk: list[str] = []
    for line in _report_lines(evaluation, comparison, state_at):
        chunk.append(line)
        if len(chunk) >= REPORT_CHUNK_LINES:
            yield "\n".join(chunk) + "\n"
            chunk = []
    if chunk:
        yield "\n".join(chunk) + "\n"


def _report_lines(
    evaluation: Evaluation, comparison: Comparison | None, state_at: str | None
) -> Iterator[str]:
    when = f"the inventory as it was at {state_at}, " if state_at else ""
    yield _fill(
        f"{visible(evaluation.organization)}: {when}rules checked as of "
        f"{evaluation.as_of.isoformat()}",
        "",
        "",
    )
    yield ""
    leads = _Leads()
    listed = evaluation.flags
    if comparison is not None:
        baseline = comparison.baseline
        new = [flag for flag in evaluation.flags if comparison.is_new(flag)]
        listed = [flag for flag in evaluation.flags if not comparison.is_new(flag)]
        yield _fill(
            f"New since the baseline {visible(baseline.file)} "
            f"(generated {visible(baseline.generated_at)}): {len(new)}",
            "",
            "   ",
        )
        if not new:
            yield "  no new flags"
        for flag in new:
            yield from _flag_lines(flag, leads[flag.severity, flag.rule])
        yield from ["", "Known flags (in the baseline), by recommendation", ""]
    by_recommendation: dict[int, list[Flag]] = {number: [] for number in RECOMMENDATIONS}
    for flag in listed:
        group = by_recommendation.get(flag.recommendation)
        if group is not None:  # as before: a flag of no recommendation isn't listed
            group.append(flag)
    for number, title in RECOMMENDATIONS.items():
        flags = by_recommendation[number]
        yield _fill(f"{number}. {title}", "", "   ")
        if not flags:
            yield "  no flags"
        for flag in flags:
            yield from _flag_lines(flag, leads[flag.severity, flag.rule])
        yield ""
    if evaluation.broken_rules:
        yield "Broken rules (not evaluated; see `inventory rules DB`)"
        for broken in evaluation.broken_rules:
            yield _fill(visible(broken.error), f"  {broken.rule:<8} ", " " * 11)
        yield ""
    if comparison is not None:
        yield f"Resolved since the baseline: {len(comparison.resolved)}"
        for resolved in comparison.resolved:
            subject = f"{resolved.subject['type']} {resolved.subject['id']}"
            yield _fill(
                visible(subject), f"  {resolved.severity:<8} {resolved.rule:<5} ", _FLAG_INDENT
            )
        yield ""
    unwaived = [flag for flag in evaluation.flags if not flag.waived]
    counts = {severity: 0 for severity in SEVERITY_ORDER}
    for flag in unwaived:
        counts[flag.severity] += 1
    summary = (
        f"{_plural(len(unwaived), 'flag')}: {_plural(counts['error'], 'error')}, "
        f"{_plural(counts['warning'], 'warning')}, {counts['info']} info"
    )
    waived = len(evaluation.flags) - len(unwaived)
    if waived:
        summary += f"; {waived} more waived"
    yield summary
    if comparison is not None:
        yield (
            f"against the baseline: {len(comparison.new)} new, {len(comparison.known)} known, "
            f"{len(comparison.resolved)} resolved"
        )
    if evaluation.broken_rules:
        yield f"{_plural(len(evaluation.broken_rules), 'broken rule')} not evaluated"
    checked = [
        _plural(evaluation.checked[kind.collection], kind.name, kind.collection)
        for kind in CHECKED_KINDS
    ]
    yield f"checked {', '.join(checked)}"


def rules_table(rules: list[Rule], broken: dict[str, str]) -> str:
    """`inventory rules DB`: one line per rule, broken ones explained below their line."""
    width = max([4, *(len(rule.code) for rule in rules)])
    lines = [f"{'code':<{width}}  rec  severity  enabled  title"]
    for rule in rules:
        enabled = "yes" if rule.enabled else "no"
        prefix = (
            f"{rule.code:<{width}}  {rule.recommendation:>3}  {rule.severity:<8}  {enabled:<7}  "
        )
        lines.append(_fill(visible(rule.title), prefix, " " * len(prefix)))
        if rule.code in broken:
            indent = " " * (width + 2)
            lines.append(_fill(f"BROKEN: {visible(broken[rule.code])}", indent, indent + "  "))
    enabled_count = sum(rule.enabled for rule in rules)
    lines.append("")
    lines.append(f"{_plural(len(rules), 'rule')}: {enabled_count} enabled, {len(broken)} broken")
    return "\n".join(lines) + "\n"


def explain_rule(rule: Rule, broken: str | None) -> str:
    """`inventory rules DB --explain CODE`: the whole rule."""
    parameters = ", ".join(
        f"{name} = {value!r}" if isinstance(value, str) else f"{name} = {value}"
        for name, value in rule.parameters.items()
    )
    header = [
        f"{rule.code}  {visible(rule.title)}",
        f"Recommendation {rule.recommendation}: {RECOMMENDATIONS[rule.recommendation]}",
        f"Severity: {rule.severity}    Enabled: {'yes' if rule.enabled else 'no'}    "
        f"Subject: {rule.subject_type}    {'Built-in' if rule.builtin else 'Custom'}",
        f"Parameters: {visible(parameters) if parameters else 'none'}",
    ]
    if broken:
        header.append(_fill(f"BROKEN: {visible(broken)}", "", "  "))
    body = [""]
    for paragraph in visible(rule.explanation, keep_newlines=True).split("\n"):
        body.append(_fill(paragraph, "", "") if paragraph else "")
    subject = SUBJECT_KINDS.get(rule.subject_type)
    view = subject.facts_view if subject else "?"
    sql = [
        "",
        f"Condition (SQL over {view}):",
        textwrap.indent(visible(rule.condition, keep_newlines=True), "  "),
        "Message (SQL):",
        textwrap.indent(visible(rule.message, keep_newlines=True), "  "),
    ]
    return "\n".join([*header, *body, *sql]) + "\n"
