"""The `inventory` group: `inventory [DB]` opens the UI, and every failure that reaches
it becomes one line and an exit status."""

from __future__ import annotations

import sqlite3
import sys
from typing import Any

import click

from inventory.cli.errors import USAGE_ERROR, database_error, output_failed, say
from inventory.cli.stores import remove_created, take_created
from inventory.cli.ui import ui
from inventory.completion import SHELLS


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
            say("aborted")
            code = USAGE_ERROR
        except click.ClickException as error:
            say(f"{error.format_message()}{_help_hint(error)}")
            code = USAGE_ERROR
        except OSError as error:  # a flush at the end
            code = output_failed(error)
        if code:
            remove_created()
        for path in take_created():
            say(f"created a new inventory at {path}")
        sys.exit(code)

    def invoke(self, ctx: click.Context) -> Any:
        # inside click's own handler, which would turn a closed pipe into exit 1
        try:
            return super().invoke(ctx)
        except OSError as error:
            sys.exit(output_failed(error))
        except sqlite3.Error as error:
            say(database_error(error))
            sys.exit(USAGE_ERROR)


def _help_hint(error: click.ClickException) -> str:
    ctx = getattr(error, "ctx", None)
    if ctx is None or ctx.info_name in (None, "inventory", "main"):
        return ""
    return f" (see `inventory {ctx.info_name} --help`)"


def _warn_settings() -> None:
    from inventory import settings
    from inventory.rules.sandbox import evaluation_timeout, rule_timeout
    from inventory.store import busy_timeout

    busy_timeout(), rule_timeout(), evaluation_timeout()
    for warning in settings.warnings():
        say(f"warning: {warning}")


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


@click.command("completion")
@click.argument("shell", type=click.Choice(SHELLS))
@click.pass_context
def completion_command(ctx: click.Context, shell: str) -> None:
    """Print the shell completion script for SHELL (bash, zsh or fish).

    Install it with e.g. `inventory completion bash > ~/.inventory-complete.bash` and
    `. ~/.inventory-complete.bash` in ~/.bashrc (README: Shell completion)."""
    from inventory.completion import completion_script

    click.echo(completion_script(ctx.find_root().command, shell), nl=False)
