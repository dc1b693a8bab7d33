"""`inventory [DB]` and `inventory demo`: the full-screen UI."""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import date
from pathlib import Path

import click

from inventory.cli.options import as_of_option, ui_fail_on_option
from inventory.cli.stores import open_or_fail
from inventory.settings import default_db
from inventory.store import Store


@click.command("ui", hidden=True)
@click.argument("db", required=False)
@as_of_option
@ui_fail_on_option
def ui(db: str | None, as_of: date | None, fail_on: str) -> None:
    """Open the full-screen UI on DB."""
    from inventory.tui.gc_pause import pause_gc

    pause_gc()  # until the first screen (`run_app`)
    # The store is opened and its file checked (`quick_check`: 10-15 ms at 10,000
    # channels, in SQLite, which lets go of the GIL) while Textual is imported.
    opened = _meanwhile(open_or_fail, db or default_db(), create=True)
    from inventory.tui.app import run_app

    store = opened()
    store.source = "ui"
    run_app(store, as_of=as_of, fail_on=fail_on)


@click.command("demo")
@as_of_option
@ui_fail_on_option
def demo(as_of: date | None, fail_on: str) -> None:
    """Open the UI on a fresh temporary copy of the shipped sample."""
    import tempfile

    from inventory.tui.gc_pause import pause_gc

    pause_gc()  # until the first screen (`run_app`)

    from inventory.sample import build_sample
    from inventory.tui.app import run_app

    with tempfile.TemporaryDirectory(prefix="inventory-demo-") as folder:
        path = Path(folder) / "demo.db"
        build_sample(path)
        store = open_or_fail(str(path), create=False)
        store.source = "ui"
        run_app(store, as_of=as_of, fail_on=fail_on)


def _meanwhile(work: Callable[..., Store], *args: object, **kwargs: object) -> Callable[[], Store]:
    """Start `work` in a thread now; the function returned waits for its result (or
    raises what it raised, a refused file's exit included)."""
    # here, not at the top: concurrent.futures (and logging) cost every command ~7 ms
    from concurrent.futures import Future

    result: Future[Store] = Future()

    def run() -> None:
        try:
            result.set_result(work(*args, **kwargs))
        except BaseException as error:  # SystemExit too: `open_or_fail` exits on a refusal
            result.set_exception(error)

    threading.Thread(target=run, name="open the store", daemon=True).start()
    return result.result
