"""`history`, `undo` and `redo`: the actions recorded on an inventory."""

from __future__ import annotations

import sys
from typing import Any

import click

from inventory.cli.errors import fail
from inventory.cli.options import user_option, yes_option
from inventory.cli.stores import open_or_fail
from inventory.printable import visible
from inventory.store import StoreError

HISTORY_RECORDS_SHOWN = 5
"""An action of up to this many records lists them under its line in `inventory history`."""


@click.command("history")
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
    from inventory import undo as undoing

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
        reverse = undoing.undo if verb == "undo" else undoing.redo
        try:
            done = reverse(store, target.id)
        except StoreError as error:
            fail(str(error))
    past = "Undid" if verb == "undo" else "Redid"
    assert done is not None
    click.echo(f"{past} {visible(done.label)} ({done.summary})")


@click.command("undo")
@click.argument("db")
@user_option
@yes_option
def undo_command(db: str, user: str | None, yes: bool) -> None:
    """Undo the last action not yet undone (as ctrl+z does in the UI).

    An action that changed more than one record (an import, a rule deletion...) asks
    first; without a terminal it needs --yes (otherwise exit 2, nothing changed).
    """
    _reverse_command(db, user, yes, "undo")


@click.command("redo")
@click.argument("db")
@user_option
@yes_option
def redo_command(db: str, user: str | None, yes: bool) -> None:
    """Redo the last undone action (as ctrl+y does in the UI); a new action since the undo
    clears what could be redone. Asks like `undo`."""
    _reverse_command(db, user, yes, "redo")
