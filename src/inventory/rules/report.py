"""Plain-text views of rules and flags for the terminal, readable at 80 columns.

User text is shown literally: control characters (terminal escapes) come out as `\\x1b`.
"""

from __future__ import annotations

import textwrap
from collections import Counter
from collections.abc import Iterable, Iterator
from itertools import chain, groupby
from operator import eq
from typing import TYPE_CHECKING

from inventory.baseline import Comparison
from inventory.builtin_rules import RECOMMENDATIONS
from inventory.flags import Evaluation, Flag, flag_fields, unwaived
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
    if text.isprintable() and "  " not in text and text[:1] not in ("", " ") and text[-1] != " ":
        return _wrap_words(text, first, rest)
    return textwrap.fill(
        text,
        WIDTH,
        initial_indent=first,
        subsequent_indent=rest,
        break_long_words=False,
        break_on_hyphens=False,
    )


def _wrap_words(text: str, first: str, rest: str) -> str:
    """What textwrap.fill (break_long_words and break_on_hyphens off) makes of printable
    text whose words are apart by one space: greedy lines of WIDTH at most, a longer word
    alone on its line. Its chunking and regular expressions cost ~35 us a text, a tenth of
    a `check` at 100,000 channels where most R106 and R108 messages wrap; each line here is
    cut at the last space that fits (`rfind`), not word by word."""
    lines = []
    indent, start, end = first, 0, len(text)
    while end - start > WIDTH - len(indent):
        cut = text.rfind(" ", start, start + WIDTH - len(indent) + 1)
        if cut <= start:  # the next word alone is longer than a line
            cut = text.find(" ", start)
            if cut == -1:
                break
        lines.append(indent + text[start:cut])
        indent, start = rest, cut + 1
    lines.append(indent + text[start:])
    return "\n".join(lines)


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


_BLOCK_FLAGS = 1_000
_BLOCK_CHARS = 2_000
_RUN = flag_fields("severity", "rule", "waiver")  # flags with the same lead
_SUBJECT_ID, _SUBJECT_NAME, _MESSAGE = (
    flag_fields("subject_id"),
    flag_fields("subject_name"),
    flag_fields("message"),
)
_SEVERITY = flag_fields("severity")


def _flag_blocks(flags: list[Flag], leads: _Leads) -> Iterator[str]:
    """The lines of `flags`: unwaived flags of one rule a block of up to _BLOCK_FLAGS at a
    time (one text, made in C: `_flag_lines` per flag was 0.1 s of a report of 118,000
    flags), when every subject and message passes `_plain`; the others flag by flag."""
    for (severity, rule, waiver), group in groupby(flags, _RUN):
        run = list(group)
        lead = leads[severity, rule]
        for start in range(0, len(run), _BLOCK_FLAGS):
            part = run[start : start + _BLOCK_FLAGS]
            block = None if waiver is not None else _plain_block(part, lead)
            if block is not None:
                yield block
                continue
            for flag in part:
                yield from _flag_lines(flag, lead)


def _plain_block(flags: list[Flag], lead: str) -> str | None:
    """The lines of unwaived `flags` under one lead as `_flag_lines` writes them when
    their subjects and messages are plain (`_plain`; a message too long for its line is
    then filled word by word, as `_fill` does), or None if one of them isn't."""
    subject_ids = list(map(_SUBJECT_ID, flags))
    names = list(map(_SUBJECT_NAME, flags))
    messages = list(map(_MESSAGE, flags))
    if any(map(eq, subject_ids, names)):
        subjects = [
            subject_id if name == subject_id else f"{subject_id} ({name})"
            for subject_id, name in zip(subject_ids, names, strict=True)
        ]
    else:
        subjects = list(map("{} ({})".format, subject_ids, names))
    if not _plain(subjects, WIDTH - len(lead)):
        return None
    if _plain(messages, WIDTH - len(_FLAG_INDENT)):
        message_lines: Iterable[str] = map(_FLAG_INDENT.__add__, messages)
    elif _plain(messages) and "  " not in "\n".join(messages):
        # R106's and R108's messages mostly wrap: visible() would change nothing
        message_lines = [_wrap_words(text, _FLAG_INDENT, _FLAG_INDENT) for text in messages]
    else:
        return None
    lines = zip(map(lead.__add__, subjects), message_lines, strict=True)
    return "\n".join(chain.from_iterable(lines))


def _plain(texts: list[str], width: int | None = None) -> bool:
    """Whether every text is printable, fits `width` (if given), is not empty and has no
    space at either edge: what visible() and _fill() would return unchanged
    (`_flag_lines`)."""
    if (width is not None and max(map(len, texts)) > width) or min(map(len, texts)) == 0:
        return False
    if not "".join(texts).isprintable():
        return False
    # printable texts hold no newline: joined by one, each edge is next to one
    joined = "\n".join(texts)
    return joined[0] != " " and joined[-1] != " " and "\n " not in joined and " \n" not in joined


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
        # a block of flags (`_flag_blocks`) is many lines: written at once
        if len(chunk) >= REPORT_CHUNK_LINES or len(line) > _BLOCK_CHARS:
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
        yield from _flag_blocks(new, leads)
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
        yield from _flag_blocks(flags, leads)
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
    open_flags = unwaived(evaluation.flags)
    counts = Counter(map(_SEVERITY, open_flags))
    summary = (
        f"{_plural(len(open_flags), 'flag')}: {_plural(counts['error'], 'error')}, "
        f"{_plural(counts['warning'], 'warning')}, {counts['info']} info"
    )
    waived = len(evaluation.flags) - len(open_flags)
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
