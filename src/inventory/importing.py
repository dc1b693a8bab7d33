"""An import in two steps, as the UI's preview needs it: prepare (read the file, check
it, plan the changes: nothing written) and apply (one transaction, one history action)."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from inventory.store import Store, StoreError, open_without_writing

if TYPE_CHECKING:
    from inventory.document import Records
    from inventory.models import Organization
    from inventory.preview import ImportPlan


@dataclass
class PreparedImport:
    """A file read and checked against an inventory: what importing it would do."""

    path: Path
    summary: list[str] = field(default_factory=list)  # sheet, columns, records created
    problems: list[str] = field(default_factory=list)  # non-empty: it can't be imported
    plan: ImportPlan | None = None
    batch: Records | None = None
    organization: Organization | None = None

    @property
    def ready(self) -> bool:
        return not self.problems and self.batch is not None


def prepare_import(file: Path, database: Path, *, sheet: str | None = None) -> PreparedImport:
    """Read `file` (a spreadsheet by extension, else a JSON document, merged) and plan it
    against the inventory at `database`, opened read-only on this thread's connection."""
    from inventory.document import DocumentError, as_merged, parse_document, plan_import
    from inventory.records import KnownKeys
    from inventory.sheets import SheetFileError, file_type
    from inventory.spreadsheet.reading import SheetError, build_batch, read_sheet_file

    prepared = PreparedImport(file)
    try:
        existing = open_without_writing(database)
    except StoreError as error:
        prepared.problems = [str(error)]
        return prepared
    try:
        if file_type(str(file)) is not None:
            grids = read_sheet_file(file)
            batch = build_batch(grids, existing, sheet)
            prepared.summary = [f'sheet "{batch.sheet}"', *batch.column_lines()]
            prepared.summary += batch.created_lines()
            prepared.batch = batch
        else:
            text = file.read_text(encoding="utf-8")
            known = None if existing is None else KnownKeys.of_store(existing)
            document = as_merged(existing, parse_document(text, known), replace=False)
            prepared.batch, prepared.organization = document, document.organization
        prepared.plan = plan_import(existing, prepared.batch, prepared.organization)
    except (SheetError, DocumentError) as error:
        prepared.problems = error.lines()
    except SheetFileError as error:
        prepared.problems = [str(error)]
    except FileNotFoundError:
        prepared.problems = [f"{file} does not exist"]
    except IsADirectoryError:
        prepared.problems = [f"{file} is a folder"]
    except UnicodeDecodeError:
        prepared.problems = [f"{file} is not UTF-8 text"]
    except OSError as error:
        prepared.problems = [f"{file} can't be read: {error.strerror or error}"]
    finally:
        if existing is not None:
            existing.close()
    return prepared


def apply_import(store: Store, prepared: PreparedImport) -> ImportPlan:
    """Write a prepared import (merge by natural key) as one action in the history (one
    undo reverses it); returns what it did."""
    from inventory.document import import_records
    from inventory.history import action

    if prepared.batch is None:
        raise StoreError("nothing to import")
    with action(store, f"the import of {prepared.path.name}"):
        return import_records(store, prepared.batch, prepared.organization)
