"""The `inventory` command line: thin wrappers over the domain modules.

Each command imports the domain modules it needs when it runs: the UI's start-up is
measured against other tools, and pydantic alone costs 0.15 s to import."""

from __future__ import annotations

import os
import sqlite3
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn

import click

from inventory.completion import SHELLS, install_completers
from inventory.dates import parse_date
from inventory.printable import visible
from inventory.rules.flags import SEVERITY_ORDER, Evaluation
from inventory.settings import default_db
from inventory.store import Store, StoreError, changed_outside, open_store

if TYPE_CHECKING:
    from inventory.files import Data
    from inventory.progress import Progress

USAGE_ERROR = 2


def fail(message: str, details: list[str] | None = None) -> NoReturn:
    """One clear line on stderr (plus any itemised details), exit 2."""
    click.echo(f"inventory: {message}", err=True)
    for line in details or []:
        click.echo(f"  - {line}", err=True)
    sys.exit(USAGE_ERROR)


_created: list[Path] = []
"""Inventories this run created: removed again if the command fails (a refused command
leaves nothing behind)."""


def _date_option(ctx: click.Context, param: click.Parameter, value: str | None) -> date | None:
    """Parse a YYYY-MM-DD option; a bad one is one clear line and exit 2."""
    if value is None:
        return None
    try:
        return parse_date(value)
    except ValueError:
        fail(f"--{param.name.replace('_', '-')}: {value!r} is not a date (YYYY-MM-DD)")
    raise AssertionError("unreachable")


def open_or_fail(path: str, *, create: bool, user: str | None = None) -> Store:
    try:
        store = open_store(path, create=create)
    except StoreError as error:
        fail(str(error))
    if user:
        store.user = user
    if store.created:
        _created.append(store.path)
    if store.migration_backup is not None:
        click.echo(
            f"inventory: upgraded the schema; a backup is at {store.migration_backup}", err=True
        )
    return store


def _remove_created() -> None:
    """Take back the inventories this failed run created (the database and its companion
    files; an empty file that was there stays, emptied again)."""
    from inventory.files import DATABASE_COMPANIONS

    while _created:
        path = _created.pop()
        for suffix in DATABASE_COMPANIONS[1:]:
            Path(f"{path}{suffix}").unlink(missing_ok=True)
        path.unlink(missing_ok=True)


class InventoryGroup(click.Group):
    """`inventory [DB]` opens the UI; any other first word is a command.

    Every failure that reaches this level becomes one line on stderr and exit 2: usage
    errors, output that can't be written (a full disk, a closed pipe: never click's exit
    1, which `check` uses for "flags found") and database errors from a file whose
    tables were changed by another program.
    """

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        if args and args[0] not in self.commands and not args[0].startswith("-"):
            args = ["ui", *args]
        return super().parse_args(ctx, args)

    def main(self, *args: Any, **kwargs: Any) -> Any:
        kwargs["standalone_mode"] = False
        code = 0
        try:
            _warn_settings()
            result = super().main(*args, **kwargs)
            code = result if isinstance(result, int) else 0
            sys.stdout.flush()
        except SystemExit as exit_:
            code = exit_.code if isinstance(exit_.code, int) else (0 if exit_.code is None else 2)
        except click.exceptions.Abort:
            _say("aborted")
            code = USAGE_ERROR
        except click.ClickException as error:
            _say(f"{error.format_message()}{_help_hint(error)}")
            code = USAGE_ERROR
        except OSError as error:  # a flush at the end
            code = _output_failed(error)
        if code:
            _remove_created()
        for path in _created:
            _say(f"created a new inventory at {path}")
        _created.clear()
        sys.exit(code)

    def invoke(self, ctx: click.Context) -> Any:
        # inside click's own handler, which would turn a closed pipe into exit 1
        try:
            return super().invoke(ctx)
        except OSError as error:
            sys.exit(_output_failed(error))
        except sqlite3.Error as error:
            _say(_changed_outside(error))
            sys.exit(USAGE_ERROR)


def _help_hint(error: click.ClickException) -> str:
    ctx = getattr(error, "ctx", None)
    if ctx is None or ctx.info_name in (None, "inventory", "main"):
        return ""
    return f" (see `inventory {ctx.info_name} --help`)"


def _say(message: str) -> None:
    click.echo(f"inventory: {' '.join(message.split())}", err=True)


def _warn_settings() -> None:
    from inventory import settings
    from inventory.rules.sandbox import evaluation_timeout, rule_timeout
    from inventory.store import busy_timeout

    busy_timeout(), rule_timeout(), evaluation_timeout()
    for warning in settings.warnings():
        _say(f"warning: {warning}")


def _output_failed(error: OSError) -> int:
    """Standard output could not take the output: one line, exit 2, and no second error
    when Python flushes the dead stream at exit."""
    import errno

    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError, AttributeError):
        pass
    if error.errno == errno.EPIPE:
        _say("standard output was closed before all the output was written")
    elif error.filename is not None:
        _say(f"{error.filename}: {error.strerror or error}")
    else:
        _say(f"the output could not be written: {error.strerror or error}")
    return USAGE_ERROR


def _changed_outside(error: sqlite3.Error) -> str:
    return changed_outside(str(error)) or f"a database error: {error}"


@click.group(cls=InventoryGroup, invoke_without_command=True)
@click.version_option(package_name="inventory")
@click.pass_context
def main(ctx: click.Context) -> None:
    """Keep the inventory of a company's social media channels and check it against seven
    governance recommendations.

    Run `inventory [DB]` for the full-screen UI (DB defaults to $INVENTORY_DB, else
    inventory.db), or one of the commands below.
    """
    if ctx.invoked_subcommand is None:
        ctx.invoke(ui)


ui_fail_on_option = click.option(
    "--fail-on",
    type=click.Choice(["error", "warning", "info", "never"]),
    default="error",
    show_default=True,
    help="The Overview's gate: what `check --fail-on` would fail on.",
)


@main.command("ui", hidden=True)
@click.argument("db", required=False)
@click.option("--as-of", callback=_date_option, help="Evaluation date (default: today).")
@ui_fail_on_option
def ui(db: str | None, as_of: date | None, fail_on: str) -> None:
    """Open the full-screen UI on DB."""
    from inventory.tui.app import run_app

    store = open_or_fail(db or default_db(), create=True)
    store.source = "ui"
    run_app(store, as_of=as_of, fail_on=fail_on)


@main.command("demo")
@click.option("--as-of", callback=_date_option, help="Evaluation date (default: today).")
@ui_fail_on_option
def demo(as_of: date | None, fail_on: str) -> None:
    """Open the UI on a fresh temporary copy of the shipped sample."""
    import tempfile

    from inventory.sample import build_sample
    from inventory.tui.app import run_app

    with tempfile.TemporaryDirectory(prefix="inventory-demo-") as folder:
        path = Path(folder) / "demo.db"
        build_sample(path)
        store = open_or_fail(str(path), create=False)
        store.source = "ui"
        run_app(store, as_of=as_of, fail_on=fail_on)


@main.command("import")
@click.argument("db")
@click.argument("file", type=click.Path(dir_okay=False, allow_dash=True))
@click.option("--replace", is_flag=True, help="Replace the whole inventory instead of merging.")
@click.option("--dry-run", is_flag=True, help="Show what would change; write nothing.")
@click.option("--sheet", metavar="NAME", help="The workbook sheet to read.")
@click.option("--user", help="Who made the change (default: $USER).")
def import_command(
    db: str, file: str, replace: bool, dry_run: bool, sheet: str | None, user: str | None
) -> None:
    """Load an inventory document (JSON) or a spreadsheet (.csv, .xlsx, .xls, .ods) into
    DB, all or nothing.

    By default records are merged by natural key; --replace replaces the whole inventory
    (documents only). --dry-run prints what would be created, updated and left unchanged.
    """
    from inventory.sheets import file_type

    if file_type(file) is not None:
        _import_spreadsheet(db, file, replace, dry_run, sheet, user)
        return
    if sheet is not None:
        fail(f"--sheet applies to spreadsheets (.csv, .xlsx, .xls, .ods), not to {file}")
    _import_document(db, file, replace, dry_run, user)


def _import_document(db: str, file: str, replace: bool, dry_run: bool, user: str | None) -> None:
    from inventory.document import (
        DocumentError,
        as_merged,
        import_document,
        parse_document,
        plan_import,
    )
    from inventory.history import action
    from inventory.records import KnownKeys

    text = _read_text(file)
    existing = _existing_store(db, dry_run)
    try:
        known = None if replace or existing is None else KnownKeys.of_store(existing)
        try:
            document = parse_document(text, known)
        except DocumentError as error:
            fail(f"{file}: {error}; nothing was imported", error.lines())
        if dry_run:
            merged = as_merged(existing, document, replace=replace)
            plan = plan_import(existing, merged, merged.organization, replace=replace)
            _print_plan(plan, file)
            return
    finally:
        if existing is not None:
            existing.close()
    store = open_or_fail(db, create=True, user=user)
    store.source = "import"
    with store:
        try:
            name = "standard input" if file == "-" else Path(file).name
            with action(store, f"the import of {name}"):
                summary = import_document(store, document, replace=replace)
        except DocumentError as error:
            fail(f"{file}: {error}; nothing was imported", error.lines())
        except StoreError as error:
            fail(str(error))
    click.echo(f"imported {summary} from {file} into {db}")


def _is_nonempty_file(path: str) -> bool:
    try:
        return os.stat(path).st_size > 0
    except OSError:
        return False


def _existing_store(db: str, dry_run: bool) -> Store | None:
    """The inventory to merge into, if there is one yet; a dry run never writes to it."""
    from inventory.store import open_without_writing

    if dry_run:
        try:
            return open_without_writing(db)
        except StoreError as error:
            fail(str(error))
    if not _is_nonempty_file(db):
        return None
    return open_or_fail(db, create=False)


def _print_plan(plan: Any, file: str) -> None:
    for line in plan.lines():
        click.echo(visible(line))
    click.echo(f"dry run: nothing was written ({file})")


def _import_spreadsheet(
    db: str, file: str, replace: bool, dry_run: bool, sheet: str | None, user: str | None
) -> None:
    from inventory.progress import progress_on_stderr

    if replace:
        fail(
            f"{file}: --replace is refused for spreadsheets: they hold channels only, so "
            "replacing would delete every other record; import without --replace to merge"
        )
    with progress_on_stderr(f"import {Path(file).name}") as progress:
        _import_spreadsheet_with(db, file, dry_run, sheet, user, progress)


def _import_spreadsheet_with(
    db: str, file: str, dry_run: bool, sheet: str | None, user: str | None, progress: Progress
) -> None:
    from inventory.document import DocumentError, import_records, plan_import
    from inventory.history import action
    from inventory.sheets import SheetFileError
    from inventory.spreadsheet import SheetError, build_batch, read_sheet_file

    progress.step("reading the file")
    try:
        grids = read_sheet_file(Path(file))
    except SheetFileError as error:
        fail(f"{file}: {error}; nothing was imported")
    existing = _existing_store(db, dry_run)
    try:
        try:
            batch = build_batch(grids, existing, sheet, progress)
        except SheetError as error:
            fail(f"{file}: {error}; nothing was imported", [visible(p) for p in error.lines()])
        _print_sheet_summary(batch)
        if dry_run:
            _print_plan(plan_import(existing, batch, None), file)
            return
    finally:
        if existing is not None:
            existing.close()
    progress.step("writing")
    store = open_or_fail(db, create=True, user=user)
    store.source = "import"
    with store:
        try:
            with action(store, f"the import of {Path(file).name}"):
                plan = import_records(store, batch, None)
        except DocumentError as error:
            fail(f"{file}: {error}; nothing was imported", error.lines())
        except StoreError as error:
            fail(str(error))
    click.echo(f"imported {file} into {db}: {plan.counts(done=True)}")


def _print_sheet_summary(batch: Any) -> None:
    skipped = ", ".join(f'"{name}"' for name in batch.skipped_sheets)
    click.echo(visible(f'sheet "{batch.sheet}"' + (f" (skipped: {skipped})" if skipped else "")))
    for line in batch.column_lines() + batch.created_lines():
        click.echo(visible(f"  {line}"))


def _read_text(file: str) -> str:
    try:
        if file == "-":
            return sys.stdin.read()
        return Path(file).read_text(encoding="utf-8")
    except FileNotFoundError:
        fail(f"{file} does not exist")
    except UnicodeDecodeError:
        fail(f"{file} is not UTF-8 text")
    except OSError as error:
        fail(f"{file} can't be read: {error.strerror}")
    raise AssertionError("unreachable")


def write_output(text: Data, output: str | None, database: Path) -> None:
    """Write to stdout, or to a file (atomically when it is a regular file), never over
    the database."""
    if output is None or output == "-":
        for chunk in [text] if isinstance(text, str | bytes) else text:
            click.echo(chunk, nl=False)
        return
    from inventory.files import write_error_message, write_text_file

    try:
        write_text_file(Path(output), text, database=database)
    except OSError as error:
        fail(write_error_message(output, error))


@main.command("history")
@click.argument("db")
@click.option(
    "--limit",
    type=click.IntRange(min=1, max=2**63 - 1),
    default=50,
    show_default=True,
    help="Actions to list.",
)
def history_command(db: str, limit: int) -> None:
    """List actions, newest first: when, who, from where, what, how many records; an
    action of a few records lists them."""
    from inventory.history import change_entries, list_actions

    with open_or_fail(db, create=True) as store:
        actions = list_actions(store, limit)
        if not actions:
            click.echo("no changes recorded")
        for entry in actions:
            click.echo(_action_line(entry))
            if 1 < entry.size <= HISTORY_RECORDS_SHOWN:
                for change in change_entries(store, entry.id):
                    click.echo(f"         {change.action} {change.kind} {visible(change.key)}")


HISTORY_RECORDS_SHOWN = 5
"""An action of up to this many records lists them under its line in `inventory history`."""


def _action_line(entry: Any) -> str:
    state = {"undo": "undo of ", "redo": "redo of "}.get(entry.kind, "")
    reversal = "redone" if entry.kind == "undo" else "undone"
    undone = f" [{reversal} by {entry.reversed_by}]" if entry.reversed_by else ""
    return (
        f"{entry.id:>5}  {entry.at}  {visible(entry.user)} via {entry.source}: "
        f"{state}{visible(entry.label)} ({entry.summary}){undone}"
    )


def stdin_is_terminal() -> bool:
    return sys.stdin.isatty()


def _reverse_command(db: str, user: str | None, yes: bool, verb: str) -> None:
    """`undo` and `redo`: reverse one action, asking first when it changed several records."""
    from inventory import history

    with open_or_fail(db, create=True, user=user) as store:
        store.source = "cli"
        target = history.next_undo(store) if verb == "undo" else history.next_redo(store)
        if target is None:
            click.echo(f"nothing to {verb}")
            return
        if target.size > 1 and not yes:
            ask = visible(history.question(store, verb.capitalize(), target))
            if not stdin_is_terminal():
                click.echo(ask, err=True)
                fail(
                    f"{verb} of {target.size} records needs confirmation: stdin is not a "
                    "terminal, so run again with --yes; nothing was changed"
                )
            if not click.confirm(ask, default=False):
                fail("not confirmed; nothing was changed")
        from inventory import undo as undoing

        reverse = undoing.undo if verb == "undo" else undoing.redo
        try:
            done = reverse(store, target.id)
        except StoreError as error:
            fail(str(error))
    past = "Undid" if verb == "undo" else "Redid"
    assert done is not None
    click.echo(f"{past} {visible(done.label)} ({done.summary})")


_YES = click.option(
    "--yes", is_flag=True, help="Don't ask, even when the action changed several records."
)
_USER = click.option("--user", help="Who made the change (default: $USER).")


@main.command("undo")
@click.argument("db")
@_USER
@_YES
def undo_command(db: str, user: str | None, yes: bool) -> None:
    """Undo the last action not yet undone (as ctrl+z does in the UI).

    An action that changed more than one record (an import, a rule deletion...) asks
    first; without a terminal it needs --yes (otherwise exit 2, nothing changed).
    """
    _reverse_command(db, user, yes, "undo")


@main.command("redo")
@click.argument("db")
@_USER
@_YES
def redo_command(db: str, user: str | None, yes: bool) -> None:
    """Redo the last undone action (as ctrl+y does in the UI); a new action since the undo
    clears what could be redone. Asks like `undo`."""
    _reverse_command(db, user, yes, "redo")


def _when_option(ctx: click.Context, param: click.Parameter, value: str | None) -> Any:
    """Parse --at WHEN; a bad one is one clear line and exit 2."""
    if value is None:
        return None
    from inventory.lookback import LookbackError, parse_when

    try:
        return parse_when(value)
    except LookbackError as error:
        fail(f"--at: {error}")
    raise AssertionError("unreachable")


at_option = click.option(
    "--at",
    "at",
    metavar="WHEN",
    callback=_when_option,
    help="The inventory as it was at WHEN (YYYY-MM-DD: the end of that day, UTC; or "
    "YYYY-MM-DDTHH:MM:SS[Z|+HH:MM]), rebuilt from the history.",
)


@contextmanager
def _looked_back(store: Store, at: datetime | None) -> Iterator[Store]:
    """The store itself, or with --at a temporary copy rebuilt as it was at that moment."""
    if at is None:
        yield store
        return
    from inventory.lookback import LookbackError, inventory_at

    try:
        with inventory_at(store, at) as past:
            yield past
    except LookbackError as error:
        fail(str(error))


@main.command("dump")
@click.argument("db")
@click.option(
    "-o", "--output", help="File to write (default: standard output); .xlsx or .csv: a spreadsheet."
)
@at_option
def dump_command(db: str, output: str | None, at: datetime | None) -> None:
    """Write DB's inventory document (with --at: as it was then)."""
    from inventory.document import dump_text
    from inventory.progress import progress_on_stderr
    from inventory.spreadsheet import dump_spreadsheet

    suffix = _output_type(output)
    with (
        progress_on_stderr("dump", enabled=None if output not in (None, "-") else False) as bar,
        open_or_fail(db, create=False) as store,
        _looked_back(store, at) as source,
    ):
        bar.step("reading the inventory")
        data = dump_text(source) if suffix is None else dump_spreadsheet(source, suffix)
        bar.step(f"writing {output}")
        write_output(data, output, store.path)


def _output_type(output: str | None) -> str | None:
    """'.csv' or '.xlsx' when the output file is a spreadsheet (by extension, any case);
    None for JSON. Other spreadsheet types are read but not written: exit 2."""
    from inventory.sheets import READ_TYPES, WRITE_TYPES

    suffix = Path(output).suffix.lower() if output and output != "-" else ""
    if suffix in WRITE_TYPES:
        return suffix
    if suffix in READ_TYPES:
        fail(f"{output}: spreadsheets are written as {' or '.join(WRITE_TYPES)}, not {suffix}")
    return None


# --- rules: check, export, rules, waive ----------------------------------------------------

FAIL_ON_LEVELS = ("error", "warning", "info", "never")


def _evaluate(store: Store, as_of: date | None) -> Evaluation:
    from inventory.progress import progress_on_stderr
    from inventory.rules.evaluate import evaluate_rules

    with progress_on_stderr("check") as bar:
        bar.step("evaluating the rules")
        return _evaluate_now(store, as_of, evaluate_rules)


def _evaluate_now(store: Store, as_of: date | None, evaluate_rules: Any) -> Evaluation:
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


baseline_option = click.option(
    "--baseline",
    "baseline_file",
    metavar="FILE",
    help="An earlier flags export: mark each flag new or known, list the resolved ones.",
)


@main.command("check")
@click.argument("db")
@click.option("--as-of", callback=_date_option, help="Evaluation date (default: today).")
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
    from inventory.baseline import compare
    from inventory.export import export_chunks, format_timestamp
    from inventory.rules.report import check_report

    baseline = _read_baseline(baseline_file)
    with open_or_fail(db, create=False) as store, _looked_back(store, at) as source:
        evaluation = _evaluate(source, as_of or (at.date() if at else None))
    comparison = None if baseline is None else compare(evaluation.flags, baseline)
    if output_format == "json":
        for chunk in export_chunks(evaluation, comparison=comparison, state_at=at):
            click.echo(chunk, nl=False)
    else:
        state_at = None if at is None else format_timestamp(at)
        click.echo(check_report(evaluation, comparison, state_at), nl=False)
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


@main.command("export")
@click.argument("db")
@click.option(
    "-o", "--output", default="flags.json", show_default=True, help="File to write ('-': stdout)."
)
@click.option("--as-of", callback=_date_option, help="Evaluation date (default: today).")
@baseline_option
@at_option
def export_command(
    db: str, output: str, as_of: date | None, baseline_file: str | None, at: datetime | None
) -> None:
    """Write the flags export of DB: JSON, or by extension CSV or XLSX (with --at: of the
    inventory as it was then)."""
    from inventory.baseline import compare
    from inventory.export import build_export, export_chunks, export_spreadsheet

    baseline = _read_baseline(baseline_file)
    with open_or_fail(db, create=False) as store, _looked_back(store, at) as source:
        evaluation = _evaluate(source, as_of or (at.date() if at else None))
    comparison = None if baseline is None else compare(evaluation.flags, baseline)
    suffix = _output_type(output)
    if suffix is None:
        data: Data = export_chunks(evaluation, comparison=comparison, state_at=at)
    else:
        document = build_export(evaluation, datetime.now(UTC), comparison=comparison, state_at=at)
        data = export_spreadsheet(document, suffix)
    write_output(data, output, store.path)
    if output != "-":
        click.echo(output)
    _warn_broken(evaluation, db)


def _parameter_value(text: str) -> Any:
    """A --set-param value: JSON when it parses (90, true, null, "x"), else the text itself."""
    from inventory import json_text

    try:
        return json_text.loads(text)
    except json_text.JSONTextError as error:
        if str(error).startswith("not valid JSON"):
            return text  # plain text: a text parameter
        fail(f"--set-param: {error}")
    raise AssertionError("unreachable")


@main.command("rules")
@click.argument("db")
@click.option("--explain", metavar="CODE", help="Print one rule whole.")
@click.option("--enable", metavar="CODE", help="Enable a rule.")
@click.option("--disable", metavar="CODE", help="Disable a rule.")
@click.option("--set-severity", nargs=2, metavar="CODE LEVEL", help="error, warning or info.")
@click.option("--set-param", nargs=2, metavar="CODE NAME=VALUE", help="Change a parameter.")
@click.option("--add", "add_file", metavar="FILE.json", help="Add a custom rule.")
@click.option("--edit", "edit_file", metavar="FILE.json", help="Change fields of a rule.")
@click.option("--delete", metavar="CODE", help="Delete a custom rule.")
def rules_command(
    db: str,
    explain: str | None,
    enable: str | None,
    disable: str | None,
    set_severity: tuple[str, str] | None,
    set_param: tuple[str, str] | None,
    add_file: str | None,
    edit_file: str | None,
    delete: str | None,
) -> None:
    """List DB's rules, explain one, or change one (one change per run).

    A changed or added rule is tried on DB first and refused, with the reason, if it
    can't run. The rule file format is described in docs/rules.md.
    """
    from inventory.rules import catalog
    from inventory.rules.catalog import RuleError
    from inventory.rules.report import rules_table

    actions = {
        "--explain": explain,
        "--enable": enable,
        "--disable": disable,
        "--set-severity": set_severity,
        "--set-param": set_param,
        "--add": add_file,
        "--edit": edit_file,
        "--delete": delete,
    }
    chosen = [(name, value) for name, value in actions.items() if value]
    if len(chosen) > 1:
        fail(f"use one of {', '.join(name for name, _ in chosen)} at a time")
    with open_or_fail(db, create=True) as store:
        try:
            if chosen:
                _rules_action(store, *chosen[0])
            else:
                click.echo(
                    rules_table(catalog.list_rules(store), catalog.broken_rules(store)), nl=False
                )
        except (RuleError, StoreError) as error:
            fail(str(error))


def _rules_action(store: Store, option: str, value: Any) -> None:
    """Carry out the one `inventory rules` option given."""
    from inventory.rules import catalog
    from inventory.rules.report import explain_rule

    if option == "--explain":
        rule = catalog.require_rule(store, value)
        click.echo(explain_rule(rule, catalog.broken_rules(store).get(rule.code)), nl=False)
    elif option in ("--enable", "--disable"):
        catalog.set_enabled(store, value, option == "--enable")
        click.echo(f"{value}: {option[2:]}d")
    elif option == "--set-severity":
        code, level = value
        catalog.set_severity(store, code, level)
        click.echo(f"{code}: severity {level}")
    elif option == "--set-param":
        code, assignment = value
        name, equals, text = assignment.partition("=")
        if not equals or not name.strip():
            fail(f"--set-param: {assignment!r} is not NAME=VALUE")
        catalog.set_parameter(store, code, name.strip(), _parameter_value(text.strip()))
        click.echo(f"{code}: {name.strip()} = {text.strip()}")
    elif option == "--add":
        rule = catalog.rule_from_json(_read_text(value), source=value)
        if catalog.get_rule(store, rule.code) is not None:
            fail(f"{value}: rule {rule.code} exists already; use --edit to change it")
        catalog.save_rule(store, rule)
        click.echo(f"{rule.code}: added")
    elif option == "--edit":
        from inventory import json_text

        try:
            changes = json_text.loads(_read_text(value))
        except json_text.JSONTextError as error:
            fail(f"{value}: {error}")
        if not isinstance(changes, dict) or not isinstance(changes.get("code"), str):
            fail(f'{value}: expected a JSON object with the rule\'s "code"')
        catalog.update_rule(store, changes["code"], changes)
        click.echo(f"{changes['code']}: changed")
    elif option == "--delete":
        catalog.delete_rule(store, value)
        click.echo(f"{value}: deleted")


@main.command("waive")
@click.argument("db")
@click.argument("rule")
@click.argument("subject_id")
@click.option("--reason", help="Why the flag is accepted (required).")
@click.option("--until", callback=_date_option, help="Last day the waiver applies.")
@click.option("--user", help="Who waives it (default: $USER).")
@click.option("--remove", is_flag=True, help="Remove the waiver instead.")
def waive_command(
    db: str,
    rule: str,
    subject_id: str,
    reason: str | None,
    until: date | None,
    user: str | None,
    remove: bool,
) -> None:
    """Waive RULE's flag on SUBJECT_ID (e.g. instagram/@acme_it): it stays reported, marked
    waived, and no longer counts towards `check`'s exit status."""
    from inventory.rules.catalog import RuleError, require_rule
    from inventory.rules.waivers import WaiverError, existing_subject, unwaive, waive

    with open_or_fail(db, create=True, user=user) as store:
        try:
            if remove:
                if not unwaive(store, rule, subject_id):
                    fail(f"there is no waiver of {rule} on {subject_id}")
                click.echo(f"removed the waiver of {rule} on {subject_id}")
                return
            if not reason or not reason.strip():
                fail("--reason is required: say why the flag is accepted")
            today = date.today()
            waive(store, rule, subject_id, reason, until, store.user, today)
            subject_id = existing_subject(store, require_rule(store, rule).subject_type, subject_id)
        except (RuleError, WaiverError, StoreError) as error:
            fail(str(error))
        flagged = any(
            flag.rule == rule and flag.subject_id == subject_id
            for flag in _evaluate(store, today).flags
        )
    click.echo(f"waived {rule} on {subject_id}" + (f" until {until}" if until else ""))
    if not flagged:
        click.echo(
            f"inventory: warning: {rule} flags nothing on {subject_id} today; "
            "the waiver will apply if it does",
            err=True,
        )


@main.command("offboard")
@click.argument("db")
@click.argument("email")
@click.option("--on", "on", required=True, callback=_date_option, help="The day they leave.")
@click.option("--to", "successor", help="E-mail of the employee who takes over their roles.")
@click.option("--user", help="Who offboards (default: $USER).")
def offboard_command(db: str, email: str, on: date, successor: str | None, user: str | None):
    """A person leaves on DATE (one undoable action). With --to, the successor takes the
    person's place as owner, backup owner or admin on every live channel; without it, the
    channels that still depend on the person are listed."""
    from inventory.offboarding import OffboardingError, offboard, report_lines

    with open_or_fail(db, create=True, user=user) as store:
        try:
            plan = offboard(store, email, on, successor)
        except (OffboardingError, StoreError) as error:
            fail(f"{error}; nothing was changed")
    for line in report_lines(plan):
        click.echo(line)


@main.command("waivers")
@click.argument("db")
def waivers_command(db: str) -> None:
    """List DB's waivers."""
    from inventory.rules.waivers import list_waivers

    with open_or_fail(db, create=True) as store:
        entries = list_waivers(store)
    for entry in entries:
        waiver = entry.waiver
        until = waiver.until.isoformat() if waiver.until else "no expiry"
        click.echo(
            f"{entry.rule}  {visible(entry.subject_id)}  until {until}  "
            f"by {visible(waiver.by)} on {waiver.on}: {visible(waiver.reason)}"
        )
    click.echo(f"{len(entries)} waiver{'s' if len(entries) != 1 else ''}")


@main.command("completion")
@click.argument("shell", type=click.Choice(SHELLS))
def completion_command(shell: str) -> None:
    """Print the shell completion script for SHELL (bash, zsh or fish).

    Install it with e.g. `inventory completion bash > ~/.inventory-complete.bash` and
    `. ~/.inventory-complete.bash` in ~/.bashrc (README: Shell completion)."""
    from inventory.completion import completion_script

    click.echo(completion_script(main, shell), nl=False)


install_completers(main)
