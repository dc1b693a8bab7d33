"""`inventory [DB]` and `inventory demo`: the full-screen UI."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import click

from inventory.cli.options import as_of_option, ui_fail_on_option
from inventory.cli.stores import open_or_fail
from inventory.settings import default_db


@click.command("ui", hidden=True)
@click.argument("db", required=False)
@as_of_option
@ui_fail_on_option
def ui(db: str | None, as_of: date | None, fail_on: str) -> None:
    """Open the full-screen UI on DB."""
    from inventory.tui.gc_pause import pause_gc

    pause_gc()  # until the first screen (`run_app`)
    from inventory.tui.app import run_app

    store = open_or_fail(db or default_db(), create=True)
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
