"""The files a command reads (or standard input) and writes (or standard output)."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING

import click

from inventory.cli.errors import fail

if TYPE_CHECKING:
    from inventory.files import Data


def read_text(file: str) -> str:
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


def output_type(output: str | None) -> str | None:
    """'.csv' or '.xlsx' when the output file is a spreadsheet (by extension, any case);
    None for JSON. Other spreadsheet types are read but not written: exit 2."""
    from inventory.sheets import READ_TYPES, WRITE_TYPES

    suffix = Path(output).suffix.lower() if output and output != "-" else ""
    if suffix in WRITE_TYPES:
        return suffix
    if suffix in READ_TYPES:
        fail(f"{output}: spreadsheets are written as {' or '.join(WRITE_TYPES)}, not {suffix}")
    return None
