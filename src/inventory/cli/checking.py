"""`check` and `export`: evaluate the rules and report or write the flags."""

from __future__ import annotations

import sqlite3
import sys
from datetime import UTC, date, datetime
from typing import TYPE_CHECKING, Any

import click

from inventory.cli.errors import fail
from inventory.cli.files import output_type, write_output
from inventory.cli.options import FAIL_ON_LEVELS, as_of_option, at_option, baseline_option
from inventory.cli.stores import looked_back, open_or_fail
from inventory.flags import SEVERITY_ORDER, Evaluation
from inventory.store import Store, changed_outside

if TYPE_CHECKING:
    from inventory.files import Data


def evaluate(store: Store, as_of: date | None) -> Evaluation:
    """The rules evaluated on the store, with a progress bar on a terminal; a database
    the rules can't read is one line and exit 2."""
    from inventory.progress import progress_on_stderr
    from inventory.rules.evaluate import evaluate_rules

    with progress_on_stderr("check") as bar:
        bar.step("evaluating the rules")
        try:
            return evaluate_rules(store, as_of or date.today())
        except sqlite3.Error as error:
            fail(
                f"{store.path}: {changed_outside(str(error))}"
                if changed_outside(str(error))
                else f"{store.path}: the rules could not be evaluated: {error}"
            )
    raise AssertionError("unreachable")


def _warn_broken(evaluation: Evaluation, db: str) -> None:
    if evaluation.broken_rules:
        codes = ", ".join(broken.rule for broken in evaluation.broken_rules)
        click.echo(
            f"inventory: warning: broken rule(s) not evaluated: {codes} "
            f"(see `inventory rules {db}`)",
            err=True,
        )


def _read_baseline(path: str | None) -> Any:
    """The baseline (an earlier flags export) to compare with, or None; a file that can't
    be used is one line and exit 2."""
    if path is None:
        return None
    from inventory.baseline import BaselineError, read_baseline

    try:
        return read_baseline(path)
    except BaselineError as error:
        fail(str(error))
    raise AssertionError("unreachable")


@click.command("check")
@click.argument("db")
@as_of_option
@click.option(
    "--format",
    "output_format",
    type=click.Choice(["text", "json"]),
    default="text",
    show_default=True,
    help="text: a report grouped by recommendation; json: the flags export.",
)
@click.option(
    "--fail-on",
    type=click.Choice(FAIL_ON_LEVELS),
    default="error",
    show_default=True,
    help="Exit 1 when an unwaived flag at or above this severity exists "
    "(with --baseline: a new one).",
)
@baseline_option
@at_option
def check_command(
    db: str,
    as_of: date | None,
    output_format: str,
    fail_on: str,
    baseline_file: str | None,
    at: datetime | None,
) -> None:
    """Evaluate the rules on DB and report the flags.

    Exit status: 0 when no unwaived flag reaches --fail-on, 1 when one does, 2 when DB
    can't be used. With --baseline only new flags count.
    """
    from inventory.rules.sandbox import start_rules_child

    start_rules_child()
    from inventory.baseline import compare
    from inventory.export import export_chunks, format_timestamp
    from inventory.rules.report import check_report_chunks

    baseline = _read_baseline(baseline_file)
    with open_or_fail(db, create=False) as store, looked_back(store, at) as source:
        evaluation = evaluate(source, as_of or (at.date() if at else None))
    comparison = None if baseline is None else compare(evaluation.flags, baseline)
    if output_format == "json":
        for chunk in export_chunks(evaluation, comparison=comparison, state_at=at):
            click.echo(chunk, nl=False)
    else:
        state_at = None if at is None else format_timestamp(at)
        for text in check_report_chunks(evaluation, comparison, state_at):
            click.echo(text, nl=False)
    _warn_broken(evaluation, db)
    if fail_on != "never":
        threshold = SEVERITY_ORDER[fail_on]
        if any(
            not flag.waived
            and SEVERITY_ORDER[flag.severity] <= threshold
            and (comparison is None or comparison.is_new(flag))
            for flag in evaluation.flags
        ):
            sys.exit(1)


@click.command("export")
@click.argument("db")
@click.option(
    "-o", "--output", default="flags.json", show_default=True, help="File to write ('-': stdout)."
)
@as_of_option
@baseline_option
@at_option
def export_command(
    db: str, output: str, as_of: date | None, baseline_file: str | None, at: datetime | None
) -> None:
    """Write the flags export of DB: JSON, or by extension CSV or XLSX (with --at: of the
    inventory as it was then)."""
    from inventory.rules.sandbox import start_rules_child

    start_rules_child()
    from inventory.baseline import compare
    from inventory.export import build_export, export_chunks, export_spreadsheet

    baseline = _read_baseline(baseline_file)
    with open_or_fail(db, create=False) as store, looked_back(store, at) as source:
        evaluation = evaluate(source, as_of or (at.date() if at else None))
    comparison = None if baseline is None else compare(evaluation.flags, baseline)
    suffix = output_type(output)
    if suffix is None:
        data: Data = export_chunks(evaluation, comparison=comparison, state_at=at)
    else:
        document = build_export(evaluation, datetime.now(UTC), comparison=comparison, state_at=at)
        data = export_spreadsheet(document, suffix)
    write_output(data, output, store.path)
    if output != "-":
        click.echo(output)
    _warn_broken(evaluation, db)
