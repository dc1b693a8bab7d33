"""How the command line fails: one clear line on stderr and exit 2, never a traceback."""

from __future__ import annotations

import os
import sqlite3
import sys
from typing import NoReturn

import click

from inventory.store import changed_outside

USAGE_ERROR = 2


def fail(message: str, details: list[str] | None = None) -> NoReturn:
    """One clear line on stderr (plus any itemised details), exit 2."""
    click.echo(f"inventory: {message}", err=True)
    for line in details or []:
        click.echo(f"  - {line}", err=True)
    sys.exit(USAGE_ERROR)


def say(message: str) -> None:
    click.echo(f"inventory: {' '.join(message.split())}", err=True)


def output_failed(error: OSError) -> int:
    """Standard output could not take the output: one line, exit 2, and no second error
    when Python flushes the dead stream at exit."""
    import errno

    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError, AttributeError):
        pass
    if error.errno == errno.EPIPE:
        say("standard output was closed before all the output was written")
    elif error.filename is not None:
        say(f"{error.filename}: {error.strerror or error}")
    else:
        say(f"the output could not be written: {error.strerror or error}")
    return USAGE_ERROR


def database_error(error: sqlite3.Error) -> str:
    return changed_outside(str(error)) or f"a database error: {error}"
