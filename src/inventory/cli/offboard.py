"""`offboard`: a person leaves, and their roles on the channels go to a successor."""

from __future__ import annotations

from datetime import date

import click

from inventory.cli.errors import fail
from inventory.cli.options import date_option
from inventory.cli.stores import open_or_fail
from inventory.store import StoreError


@click.command("offboard")
@click.argument("db")
@click.argument("email")
@date_option("--on", "on", required=True, help="The day they leave.")
@click.option("--to", "successor", help="E-mail of the employee who takes over their roles.")
@click.option("--user", help="Who offboards (default: $USER).")
def offboard_command(db: str, email: str, on: date, successor: str | None, user: str | None):
    """A person leaves on DATE (one undoable action). With --to, the successor takes the
    person's place as owner, backup owner or admin on every live channel; without it, the
    channels that still depend on the person are listed."""
    from inventory.offboarding import OffboardingError, offboard, report_lines

    with open_or_fail(db, create=True, user=user) as store:
        try:
            plan = offboard(store, email, on, successor)
        except (OffboardingError, StoreError) as error:
            fail(f"{error}; nothing was changed")
    for line in report_lines(plan):
        click.echo(line)
