"""The `inventory` command line: thin wrappers over the domain modules."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import click

from inventory.document import DocumentError, dump_text, import_document, parse_document
from inventory.records import KnownKeys
from inventory.store import Store, StoreError, open_store

USAGE_ERROR = 2


def default_db() -> str:
    return os.environ.get("INVENTORY_DB") or "inventory.db"


def fail(message: str, details: list[str] | None = None) -> None:
    """One clear line on stderr (plus any itemised details), exit 2."""
    click.echo(f"inventory: {message}", err=True)
    for line in details or []:
        click.echo(f"  - {line}", err=True)
    sys.exit(USAGE_ERROR)


def open_or_fail(path: str, *, create: bool, user: str | None = None) -> Store:
    try:
        store = open_store(path, create=create)
    except StoreError as error:
        fail(str(error))
    if user:
        store.user = user
    if store.migration_backup is not None:
        click.echo(
            f"inventory: upgraded the schema; a backup is at {store.migration_backup}", err=True
        )
    return store


class InventoryGroup(click.Group):
    """`inventory [DB]` opens the UI; any other first word is a command."""

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        if args and args[0] not in self.commands and not args[0].startswith("-"):
            args = ["ui", *args]
        return super().parse_args(ctx, args)


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


@main.command("ui", hidden=True)
@click.argument("db", required=False)
@click.option("--as-of", "as_of", type=click.DateTime(["%Y-%m-%d"]), help="Evaluation date.")
def ui(db: str | None, as_of: object) -> None:
    """Open the full-screen UI on DB."""
    from inventory.tui.app import run_app

    store = open_or_fail(db or default_db(), create=True)
    store.source = "ui"
    run_app(store, as_of=as_of.date() if as_of else None)  # type: ignore[attr-defined]


@main.command("demo")
@click.option("--as-of", "as_of", type=click.DateTime(["%Y-%m-%d"]), help="Evaluation date.")
def demo(as_of: object) -> None:
    """Open the UI on a fresh temporary copy of the shipped sample."""
    import tempfile

    from inventory.sample import build_sample
    from inventory.tui.app import run_app

    with tempfile.TemporaryDirectory(prefix="inventory-demo-") as folder:
        path = Path(folder) / "demo.db"
        build_sample(path)
        store = open_or_fail(str(path), create=False)
        store.source = "ui"
        run_app(store, as_of=as_of.date() if as_of else None)  # type: ignore[attr-defined]


@main.command("import")
@click.argument("db")
@click.argument("file", type=click.Path(dir_okay=False, allow_dash=True))
@click.option("--replace", is_flag=True, help="Replace the whole inventory instead of merging.")
@click.option("--user", help="Who made the change (default: $USER).")
def import_command(db: str, file: str, replace: bool, user: str | None) -> None:
    """Load an inventory document (JSON) into DB, all or nothing.

    By default records are merged by natural key; --replace replaces the whole inventory.
    """
    text = _read_text(file)
    known = None
    if not replace and Path(db).exists():
        with open_or_fail(db, create=False) as existing:
            known = KnownKeys.of_store(existing)
    try:
        document = parse_document(text, known)
    except DocumentError as error:
        fail(f"{file}: {error}; nothing was imported", error.lines())
    store = open_or_fail(db, create=True, user=user)
    store.source = "import"
    with store:
        try:
            summary = import_document(store, document, replace=replace)
        except DocumentError as error:
            fail(f"{file}: {error}; nothing was imported", error.lines())
        except StoreError as error:
            fail(str(error))
    click.echo(f"imported {summary} from {file} into {db}")


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


def write_output(text: str, output: str | None) -> None:
    """Write to stdout, or atomically to a file (temp file + rename)."""
    if output is None or output == "-":
        click.echo(text, nl=False)
        return
    from inventory.files import write_atomically

    try:
        write_atomically(Path(output), text)
    except OSError as error:
        fail(f"{output} can't be written: {error.strerror}")


@main.command("history")
@click.argument("db")
@click.option("--limit", type=click.IntRange(min=1), default=50, show_default=True)
def history_command(db: str, limit: int) -> None:
    """List recorded changes, newest first: when, who, from where, what."""
    from inventory.history import list_history

    with open_or_fail(db, create=False) as store:
        entries = list_history(store, limit)
    if not entries:
        click.echo("no changes recorded")
    for entry in entries:
        undo = f" (undoes change {entry.undoes})" if entry.undoes else ""
        click.echo(
            f"{entry.change_id:>5}  {entry.at}  {entry.user} via {entry.source}: "
            f"{entry.action} {entry.kind} {_printable(entry.key)}{undo}"
        )


def _printable(text: str) -> str:
    """User text on a terminal: control characters shown, never executed."""
    return "".join(c if c.isprintable() else repr(c)[1:-1] for c in text)


@main.command("undo")
@click.argument("db")
@click.option("--user", help="Who made the change (default: $USER).")
def undo_command(db: str, user: str | None) -> None:
    """Undo the last change not yet undone (as ctrl+z does in the UI)."""
    from inventory.history import undo_last

    with open_or_fail(db, create=False, user=user) as store:
        store.source = "cli"
        try:
            what = undo_last(store)
        except StoreError as error:
            fail(str(error))
    click.echo(what or "nothing to undo")


@main.command("dump")
@click.argument("db")
@click.option("-o", "--output", help="File to write (default: standard output).")
def dump_command(db: str, output: str | None) -> None:
    """Write DB's inventory document."""
    with open_or_fail(db, create=False) as store:
        write_output(dump_text(store), output)
