"""`rules`, `waive` and `waivers`: the rules of an inventory and the flags it accepts."""

from __future__ import annotations

from datetime import date
from typing import Any

import click

from inventory.cli.checking import evaluate
from inventory.cli.errors import fail
from inventory.cli.files import read_text
from inventory.cli.options import date_option
from inventory.cli.stores import open_or_fail
from inventory.printable import visible
from inventory.store import Store, StoreError


def _parameter_value(text: str) -> Any:
    """A --set-param value: JSON when it parses (90, true, null, "x"), else the text itself."""
    from inventory import json_text

    try:
        return json_text.loads(text)
    except json_text.JSONTextError as error:
        if str(error).startswith("not valid JSON"):
            return text  # plain text: a text parameter
        fail(f"--set-param: {error}")
    raise AssertionError("unreachable")


@click.command("rules")
@click.argument("db")
@click.option("--explain", metavar="CODE", help="Print one rule whole.")
@click.option("--enable", metavar="CODE", help="Enable a rule.")
@click.option("--disable", metavar="CODE", help="Disable a rule.")
@click.option("--set-severity", nargs=2, metavar="CODE LEVEL", help="error, warning or info.")
@click.option("--set-param", nargs=2, metavar="CODE NAME=VALUE", help="Change a parameter.")
@click.option("--add", "add_file", metavar="FILE.json", help="Add a custom rule.")
@click.option("--edit", "edit_file", metavar="FILE.json", help="Change fields of a rule.")
@click.option("--delete", metavar="CODE", help="Delete a custom rule.")
def rules_command(
    db: str,
    explain: str | None,
    enable: str | None,
    disable: str | None,
    set_severity: tuple[str, str] | None,
    set_param: tuple[str, str] | None,
    add_file: str | None,
    edit_file: str | None,
    delete: str | None,
) -> None:
    """List DB's rules, explain one, or change one (one change per run).

    A changed or added rule is tried on DB first and refused, with the reason, if it
    can't run. The rule file format is described in docs/rules.md.
    """
    from inventory.rules import catalog
    from inventory.rules.catalog import RuleError
    from inventory.rules.report import rules_table

    actions = {
        "--explain": explain,
        "--enable": enable,
        "--disable": disable,
        "--set-severity": set_severity,
        "--set-param": set_param,
        "--add": add_file,
        "--edit": edit_file,
        "--delete": delete,
    }
    chosen = [(name, value) for name, value in actions.items() if value]
    if len(chosen) > 1:
        fail(f"use one of {', '.join(name for name, _ in chosen)} at a time")
    with open_or_fail(db, create=True) as store:
        try:
            if chosen:
                _rules_action(store, *chosen[0])
            else:
                click.echo(
                    rules_table(catalog.list_rules(store), catalog.broken_rules(store)), nl=False
                )
        except (RuleError, StoreError) as error:
            fail(str(error))


def _rules_action(store: Store, option: str, value: Any) -> None:
    """Carry out the one `inventory rules` option given."""
    from inventory import json_text
    from inventory.rules import catalog
    from inventory.rules.report import explain_rule

    if option == "--explain":
        rule = catalog.require_rule(store, value)
        click.echo(explain_rule(rule, catalog.broken_rules(store).get(rule.code)), nl=False)
    elif option in ("--enable", "--disable"):
        catalog.set_enabled(store, value, option == "--enable")
        click.echo(f"{value}: {option[2:]}d")
    elif option == "--set-severity":
        code, level = value
        catalog.set_severity(store, code, level)
        click.echo(f"{code}: severity {level}")
    elif option == "--set-param":
        code, assignment = value
        name, equals, text = assignment.partition("=")
        if not equals or not name.strip():
            fail(f"--set-param: {assignment!r} is not NAME=VALUE")
        catalog.set_parameter(store, code, name.strip(), _parameter_value(text.strip()))
        click.echo(f"{code}: {name.strip()} = {text.strip()}")
    elif option == "--add":
        rule = catalog.rule_from_json(read_text(value), source=value)
        if catalog.get_rule(store, rule.code) is not None:
            fail(f"{value}: rule {rule.code} exists already; use --edit to change it")
        catalog.save_rule(store, rule)
        click.echo(f"{rule.code}: added")
    elif option == "--edit":
        try:
            changes = json_text.loads(read_text(value))
        except json_text.JSONTextError as error:
            fail(f"{value}: {error}")
        if not isinstance(changes, dict) or not isinstance(changes.get("code"), str):
            fail(f'{value}: expected a JSON object with the rule\'s "code"')
        catalog.update_rule(store, changes["code"], changes)
        click.echo(f"{changes['code']}: changed")
    elif option == "--delete":
        catalog.delete_rule(store, value)
        click.echo(f"{value}: deleted")


@click.command("waive")
@click.argument("db")
@click.argument("rule")
@click.argument("subject_id")
@click.option("--reason", help="Why the flag is accepted (required).")
@date_option("--until", help="Last day the waiver applies.")
@click.option("--user", help="Who waives it (default: $USER).")
@click.option("--remove", is_flag=True, help="Remove the waiver instead.")
def waive_command(
    db: str,
    rule: str,
    subject_id: str,
    reason: str | None,
    until: date | None,
    user: str | None,
    remove: bool,
) -> None:
    """Waive RULE's flag on SUBJECT_ID (e.g. instagram/@acme_it): it stays reported, marked
    waived, and no longer counts towards `check`'s exit status."""
    from inventory.rules.catalog import RuleError, require_rule
    from inventory.rules.waivers import WaiverError, existing_subject, unwaive, waive

    with open_or_fail(db, create=True, user=user) as store:
        try:
            if remove:
                if not unwaive(store, rule, subject_id):
                    fail(f"there is no waiver of {rule} on {subject_id}")
                click.echo(f"removed the waiver of {rule} on {subject_id}")
                return
            if not reason or not reason.strip():
                fail("--reason is required: say why the flag is accepted")
            today = date.today()
            waive(store, rule, subject_id, reason, until, store.user, today)
            subject_id = existing_subject(store, require_rule(store, rule).subject_type, subject_id)
        except (RuleError, WaiverError, StoreError) as error:
            fail(str(error))
        flagged = any(
            flag.rule == rule and flag.subject_id == subject_id
            for flag in evaluate(store, today).flags
        )
    click.echo(f"waived {rule} on {subject_id}" + (f" until {until}" if until else ""))
    if not flagged:
        click.echo(
            f"inventory: warning: {rule} flags nothing on {subject_id} today; "
            "the waiver will apply if it does",
            err=True,
        )


@click.command("waivers")
@click.argument("db")
def waivers_command(db: str) -> None:
    """List DB's waivers."""
    from inventory.rules.waivers import list_waivers

    with open_or_fail(db, create=True) as store:
        entries = list_waivers(store)
    for entry in entries:
        waiver = entry.waiver
        until = waiver.until.isoformat() if waiver.until else "no expiry"
        click.echo(
            f"{entry.rule}  {visible(entry.subject_id)}  until {until}  "
            f"by {visible(waiver.by)} on {waiver.on}: {visible(waiver.reason)}"
        )
    click.echo(f"{len(entries)} waiver{'s' if len(entries) != 1 else ''}")
