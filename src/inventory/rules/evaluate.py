"""Evaluating every enabled rule into flags, each rule in the sandbox on its own."""

from __future__ import annotations

from collections.abc import Collection
from datetime import date
from itertools import repeat
from typing import Any

from inventory.flags import SEVERITY_ORDER, BrokenRule, Evaluation, Flag, Waiver, flag_fields
from inventory.kinds import CHECKED_KINDS, KINDS, ORGANIZATION
from inventory.rules.sandbox import PackedRows, RuleSQLError, RuleTask, open_sandbox, run_rules
from inventory.rules.stored import StoredRule, applies, read_stored_rules, read_waivers
from inventory.store import CommitWatch, Store, organization_name


def evaluate_rules(
    store: Store,
    as_of: date,
    *,
    previous: Evaluation | None = None,
    changed_channels: Collection[str] = (),
    ready: bool = False,
) -> Evaluation:
    """Evaluate every enabled rule at `as_of` on the committed data of `store`'s file.

    Runs on a separate read-only connection (the store's own stays usable and the file is
    never written). A rule that can't run is listed in `broken_rules`; the others still run.

    Given the `previous` evaluation (same rules, same `as_of`) and the channels saved or
    deleted since (canonical ids, old and new when renamed), channel rules run for those
    channels only and every other channel keeps its flags; the rules of other subjects
    (few records) run whole. The result equals a full evaluation.

    `ready`: when it is done, start the rules' child process for the next evaluation
    (for a caller that evaluates again on every save: the UI).
    """
    with CommitWatch(store.path) as watch:
        for _ in range(EVALUATION_ATTEMPTS - 1):
            evaluation = _evaluate(store, as_of, previous, changed_channels, ready)
            if not watch.committed():
                return evaluation
        return _evaluate(store, as_of, previous, changed_channels, ready)


EVALUATION_ATTEMPTS = 3
"""An evaluation reads one state of the inventory: the counts, rules and waivers the
parent reads, and what each rules' child reads (two of them on a large inventory, each
its own snapshot). When something was committed meanwhile, the rules run again; a
database written to without pause gets its third evaluation as it is."""


def _evaluate(
    store: Store,
    as_of: date,
    previous: Evaluation | None,
    changed_channels: Collection[str],
    ready: bool,
) -> Evaluation:
    incremental = previous is not None and previous.as_of == as_of and bool(changed_channels)
    with open_sandbox(store.path) as sandbox:
        conn = sandbox.conn
        organization = organization_name(conn)
        # every record of each kind, retired channels included
        counts = {
            kind.name: conn.execute(f"SELECT count(*) FROM {kind.table}").fetchone()[0]
            for kind in CHECKED_KINDS
        }
        checked = {KINDS[name].collection: count for name, count in counts.items()}
        rules = [rule for rule in read_stored_rules(conn) if rule.enabled]
        waivers = {
            (entry.rule, entry.subject_id): entry.waiver
            for entry in read_waivers(conn)
            if applies(entry.waiver, as_of)
        }
    subjects = counts | {ORGANIZATION.name: 1}
    evaluation = Evaluation(as_of=as_of, organization=organization, checked=checked)
    # Rules in (severity, code) order, each rule's rows in subject id order: the flags
    # come out in Flag.sort_key order without a global sort.
    rules.sort(key=lambda rule: (SEVERITY_ORDER.get(rule.severity, 9), rule.code))
    channels = tuple(sorted({_channel_key(key) for key in changed_channels}))
    tasks = [
        RuleTask(
            rule.subject_type,
            rule.condition,
            rule.message,
            rule.parameters,
            as_of,
            subjects.get(rule.subject_type, 0),
            channels if incremental and rule.subject_type == "channel" else None,
        )
        for rule in rules
    ]
    for rule, outcome in zip(rules, run_rules(store.path, tasks, ready=ready), strict=True):
        if outcome.error is not None:
            evaluation.broken_rules.append(BrokenRule(rule.code, outcome.error))
            continue
        try:
            evaluation.flags.extend(_flags(rule, outcome.value, waivers))
        except RuleSQLError as error:
            evaluation.broken_rules.append(BrokenRule(rule.code, str(error)))
    if incremental and previous is not None:
        evaluation.flags = _merge(previous, evaluation.flags, set(changed_channels), waivers)
    evaluation.broken_rules.sort(key=lambda broken: broken.rule)
    return evaluation


def _channel_key(key: str) -> tuple[str, str]:
    platform, _, handle = key.partition("/")
    return platform, handle


_SUBJECT_ID = flag_fields("subject_id")


def _merge(
    previous: Evaluation,
    fresh: list[Flag],
    changed: set[str],
    waivers: dict[tuple[str, str], Waiver],
) -> list[Flag]:
    """Previous flags of unchanged channels (waivers re-applied) plus the fresh ones, in
    Flag.sort_key order.

    Sorted rule by rule on the subject id alone (a C-level key, over runs that are already
    in order): sorting 33,000 flags on `sort_key` cost more than the evaluation itself.
    """
    by_rule: dict[str, list[Flag]] = {}
    for flag in previous.flags:
        if flag.subject_type != "channel" or flag.subject_id in changed:
            continue
        waiver = waivers.get((flag.rule, flag.subject_id))
        kept = flag if waiver == flag.waiver else flag._replace(waiver=waiver)
        by_rule.setdefault(flag.rule, []).append(kept)
    for flag in fresh:
        by_rule.setdefault(flag.rule, []).append(flag)
    merged: list[Flag] = []
    for rule in sorted(by_rule, key=lambda code: by_rule[code][0].sort_key[:2]):
        group = by_rule[rule]
        group.sort(key=_SUBJECT_ID)
        merged.extend(group)
    return merged


def _flags(
    rule: StoredRule,
    rows: PackedRows | list[tuple[Any, Any, Any]],
    waivers: dict[tuple[str, str], Waiver],
) -> list[Flag]:
    code, recommendation, severity = rule.code, rule.recommendation, rule.severity
    if severity not in SEVERITY_ORDER:
        raise RuleSQLError(f"unknown severity {severity!r}")
    if isinstance(rows, PackedRows):
        subject_ids, subject_names, messages = rows.columns()
    else:
        subject_ids, subject_names, messages = _text_columns(rows, rule.title)
    count = len(subject_ids)
    waived = (
        map(waivers.get, zip(repeat(code, count), subject_ids, strict=True))
        if waivers
        else repeat(None, count)
    )
    # every flag made in C: a Flag is a tuple (no Python call per flag)
    fields = zip(
        repeat(code, count),
        repeat(recommendation, count),
        repeat(severity, count),
        repeat(rule.title, count),
        messages,
        repeat(rule.subject_type, count),
        subject_ids,
        subject_names,
        waived,
        strict=True,
    )
    return list(map(tuple.__new__, repeat(Flag, count), fields))


def _text_columns(
    rows: list[tuple[Any, Any, Any]], title: str
) -> tuple[list[str], list[str], list[str]]:
    """Subject ids, names and messages as text (a missing message is the rule's title)."""
    return (
        [subject_id if type(subject_id) is str else str(subject_id) for subject_id, _, _ in rows],
        [name if type(name) is str else str(name) for _, name, _ in rows],
        [
            message if type(message) is str else title if message is None else str(message)
            for _, _, message in rows
        ],
    )
