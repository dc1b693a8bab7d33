"""Export of the flags and import of a spreadsheet or document: a path dialog, then the
work in a thread (its own SQLite connection for writing) behind a "working" screen, and
the result in a notification, or a dialog that says what is wrong."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any

from textual.notifications import SeverityLevel

from inventory.flags import Evaluation
from inventory.store import StoreError
from inventory.tui.screens.dialogs import ExportDialog

if TYPE_CHECKING:
    from inventory.importing import PreparedImport
    from inventory.preview import ImportPlan
    from inventory.tui.app import InventoryApp


def in_worker(app: InventoryApp, group: str, work: Callable[..., None], *args: Any) -> None:
    """Run `work(app, *args)` in a thread, one at a time per group; an exception in it is
    reported by `work` itself (failed_working), never by the worker."""
    app.run_worker(
        partial(work, app, *args),
        name=work.__name__,
        group=group,
        description=group,
        exclusive=True,
        exit_on_error=False,
        thread=True,
    )


def export_flags(app: InventoryApp, path: str = "flags.json", error: str = "") -> None:
    """Ask for the path and write the export; a path that can't be written asks again,
    with the path as typed and the reason."""
    unwaived = sum(app.shown.flags.totals.values())
    summary = (
        f"{len(app.shown.flags.evaluation.flags)} flags ({unwaived} unwaived) "
        f"as of {app.as_of.isoformat()}"
    )

    def answered(path: str | None) -> None:
        if path is not None:
            working(app, f"Exporting to {path}…")
            in_worker(app, "export", _export, path, app.shown.flags.evaluation)

    app.push_screen(ExportDialog(path, summary, error), answered)


def _export(app: InventoryApp, path: str, evaluation: Evaluation) -> None:
    from datetime import UTC, datetime

    from inventory.export import build_export, export_spreadsheet, export_text, write_export
    from inventory.files import write_error_message

    suffix = Path(path).suffix.lower()
    try:
        if suffix in (".csv", ".xlsx"):
            document = build_export(evaluation, datetime.now(UTC))
            data: str | bytes = export_spreadsheet(document, suffix)
        else:
            data = export_text(evaluation)
        write_export(Path(path), data, database=app.store.path)
    except OSError as error:
        app.call_from_thread(_export_refused, app, path, write_error_message(path, error))
        return
    except Exception as error:
        app.call_from_thread(failed_working, app, error)
        return
    count = len(evaluation.flags)
    app.call_from_thread(done_working, app, f"Wrote {count} flags to {path}")


def _export_refused(app: InventoryApp, path: str, reason: str) -> None:
    """The path can't be written: ask again, with the path as typed and the reason."""
    done_working(app)
    export_flags(app, path, reason)


def working(app: InventoryApp, what: str) -> None:
    from inventory.tui.screens.importing import WorkingScreen

    app.push_screen(WorkingScreen(what))


def done_working(
    app: InventoryApp, message: str | None = None, severity: SeverityLevel = "information"
) -> None:
    from inventory.tui.screens.importing import WorkingScreen

    if isinstance(app.screen, WorkingScreen):
        app.pop_screen()
    if message:
        app.notify(message, severity=severity, markup=False)


def failed_working(app: InventoryApp, error: Exception) -> None:
    done_working(app)
    app.report_unexpected(error)


def import_file(app: InventoryApp) -> None:
    if app.refused_read_only():
        return
    from inventory.tui.screens.importing import ImportDialog

    def answered(path: str | None) -> None:
        if path is not None:
            working(app, f"Reading {path}…")
            in_worker(app, "import", _prepare_import, path)

    app.push_screen(ImportDialog(), answered)


def _prepare_import(app: InventoryApp, path: str) -> None:
    from inventory.importing import prepare_import

    try:
        prepared = prepare_import(Path(path).expanduser(), app.store.path)
    except Exception as error:  # a bug: reported like any other, the app goes on
        app.call_from_thread(failed_working, app, error)
        return
    app.call_from_thread(_show_preview, app, prepared)


def _show_preview(app: InventoryApp, prepared: PreparedImport) -> None:
    from inventory.tui.screens.importing import ImportPreview

    done_working(app)

    def confirmed(answer: bool | None) -> None:
        if answer:
            working(app, f"Importing {prepared.path}…")
            in_worker(app, "import", _apply_import, prepared)

    app.push_screen(ImportPreview(prepared), confirmed)


def _apply_import(app: InventoryApp, prepared: PreparedImport) -> None:
    from inventory.document import DocumentError
    from inventory.importing import apply_import
    from inventory.store import open_store

    try:
        # this thread's own connection (SQLite connections stay in their thread)
        with open_store(app.store.path, create=False) as store:
            store.user, store.source = app.store.user, "ui"
            plan = apply_import(store, prepared)
    except (StoreError, DocumentError) as error:  # e.g. the inventory changed since
        app.call_from_thread(done_working, app, f"Nothing was imported: {error}", "error")
        return
    except Exception as error:
        app.call_from_thread(failed_working, app, error)
        return
    app.call_from_thread(_imported, app, prepared, plan)


def _imported(app: InventoryApp, prepared: PreparedImport, plan: ImportPlan) -> None:
    done_working(app, f"Imported {prepared.path}: {plan.counts(done=True)}")
    app.changed()
