"""Options several commands share, each declared once."""

from __future__ import annotations

from datetime import date
from typing import Any

import click

from inventory.cli.errors import fail
from inventory.dates import parse_date

FAIL_ON_LEVELS = ("error", "warning", "info", "never")


def _date_option(ctx: click.Context, param: click.Parameter, value: str | None) -> date | None:
    """Parse a YYYY-MM-DD option; a bad one is one clear line and exit 2."""
    if value is None:
        return None
    try:
        return parse_date(value)
    except ValueError:
        fail(f"--{param.name.replace('_', '-')}: {value!r} is not a date (YYYY-MM-DD)")
    raise AssertionError("unreachable")


def date_option(*names: str, **kwargs: Any) -> Any:
    """A YYYY-MM-DD option, parsed to a date."""
    return click.option(*names, callback=_date_option, **kwargs)


as_of_option = date_option("--as-of", help="Evaluation date (default: today).")

ui_fail_on_option = click.option(
    "--fail-on",
    type=click.Choice(FAIL_ON_LEVELS),
    default="error",
    show_default=True,
    help="The Overview's gate: what `check --fail-on` would fail on.",
)


def _when_option(ctx: click.Context, param: click.Parameter, value: str | None) -> Any:
    """Parse --at WHEN; a bad one is one clear line and exit 2."""
    if value is None:
        return None
    from inventory.lookback import LookbackError, parse_when

    try:
        return parse_when(value)
    except LookbackError as error:
        fail(f"--at: {error}")
    raise AssertionError("unreachable")


at_option = click.option(
    "--at",
    "at",
    metavar="WHEN",
    callback=_when_option,
    help="The inventory as it was at WHEN (YYYY-MM-DD: the end of that day, UTC; or "
    "YYYY-MM-DDTHH:MM:SS[Z|+HH:MM]), rebuilt from the history.",
)

baseline_option = click.option(
    "--baseline",
    "baseline_file",
    metavar="FILE",
    help="An earlier flags export: mark each flag new or known, list the resolved ones.",
)

user_option = click.option("--user", help="Who made the change (default: $USER).")

yes_option = click.option(
    "--yes", is_flag=True, help="Don't ask, even when the action changed several records."
)
