"""`import` and `dump`: inventory documents (JSON) and spreadsheets in and out."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from inventory.cli.errors import fail
from inventory.cli.files import output_type, read_text, write_output
from inventory.cli.options import at_option, user_option
from inventory.cli.stores import existing_store, looked_back, open_or_fail
from inventory.printable import visible
from inventory.store import StoreError

if TYPE_CHECKING:
    from inventory.progress import Progress


@click.command("import")
@click.argument("db")
@click.argument("file", type=click.Path(dir_okay=False, allow_dash=True))
@click.option("--replace", is_flag=True, help="Replace the whole inventory instead of merging.")
@click.option("--dry-run", is_flag=True, help="Show what would change; write nothing.")
@click.option("--sheet", metavar="NAME", help="The workbook sheet to read.")
@user_option
def import_command(
    db: str, file: str, replace: bool, dry_run: bool, sheet: str | None, user: str | None
) -> None:
    """Load an inventory document (JSON) or a spreadsheet (.csv, .xlsx, .xls, .ods) into
    DB, all or nothing.

    By default records are merged by natural key; --replace replaces the whole inventory
    (documents only). --dry-run prints what would be created, updated and left unchanged.
    """
    from inventory.record_rows import bulk_work
    from inventory.sheets import file_type

    if sheet is not None and file_type(file) is None:
        fail(f"--sheet applies to spreadsheets (.csv, .xlsx, .xls, .ods), not to {file}")
    # the collector paused from reading to writing, not only within each step: resumed
    # in between, its first pass walked every record read (0.35 s at 100,000 channels)
    with bulk_work():
        if file_type(file) is not None:
            _import_spreadsheet(db, file, replace, dry_run, sheet, user)
        else:
            _import_document(db, file, replace, dry_run, user)


def _import_document(db: str, file: str, replace: bool, dry_run: bool, user: str | None) -> None:
    from inventory.document import (
        DocumentError,
        as_merged,
        import_document,
        plan_import,
        read_document,
        set_up_for_import,
    )
    from inventory.history import action
    from inventory.records import KnownKeys

    text = read_text(file)
    existing = existing_store(db, dry_run)
    try:
        known = None if replace or existing is None else KnownKeys.of_store(existing)
        try:
            parsed = read_document(text, known)
        except DocumentError as error:
            fail(f"{file}: {error}; nothing was imported", error.lines())
        if dry_run:
            merged = as_merged(existing, parsed.document, replace=replace)
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
            with set_up_for_import(store), action(store, f"the import of {name}"):
                summary = import_document(
                    store, parsed.document, replace=replace, referenced=parsed.referenced
                )
        except DocumentError as error:
            fail(f"{file}: {error}; nothing was imported", error.lines())
        except StoreError as error:
            fail(str(error))
    click.echo(f"imported {summary} from {file} into {db}")


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
    from inventory.document import (
        DocumentError,
        import_records,
        plan_import,
        set_up_for_import,
    )
    from inventory.history import action
    from inventory.sheets import SheetFileError
    from inventory.spreadsheet.reading import SheetError, build_batch, read_sheet_file

    progress.step("reading the file")
    try:
        grids = read_sheet_file(Path(file))
    except SheetFileError as error:
        fail(f"{file}: {error}; nothing was imported")
    existing = existing_store(db, dry_run)
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
            with set_up_for_import(store), action(store, f"the import of {Path(file).name}"):
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


@click.command("dump")
@click.argument("db")
@click.option(
    "-o", "--output", help="File to write (default: standard output); .xlsx or .csv: a spreadsheet."
)
@at_option
def dump_command(db: str, output: str | None, at: datetime | None) -> None:
    """Write DB's inventory document (with --at: as it was then)."""
    from inventory.document import dump_text
    from inventory.progress import progress_on_stderr
    from inventory.spreadsheet.writing import dump_spreadsheet

    suffix = output_type(output)
    with (
        progress_on_stderr("dump", enabled=None if output not in (None, "-") else False) as bar,
        open_or_fail(db, create=False) as store,
        looked_back(store, at) as source,
    ):
        bar.step("reading the inventory")
        data = dump_text(source) if suffix is None else dump_spreadsheet(source, suffix)
        bar.step(f"writing {output}")
        write_output(data, output, store.path)
