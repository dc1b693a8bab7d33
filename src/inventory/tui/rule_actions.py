"""What the app does with rules when asked: open the rule form on a rule (or a new
one) and delete a custom rule after asking; built-in rules can only be disabled."""

from __future__ import annotations

from typing import TYPE_CHECKING

from inventory.rules.catalog import RuleError, get_rule
from inventory.rules.catalog import delete_rule as catalog_delete_rule
from inventory.store import StoreError
from inventory.tui.screens.dialogs import ConfirmDialog, MessageDialog
from inventory.tui.screens.rule_form import RuleForm

if TYPE_CHECKING:
    from inventory.tui.app import InventoryApp


def open_rule_form(app: InventoryApp, code: str | None) -> None:
    rule = None
    if code is not None:
        rule = get_rule(app.store, code)
        if rule is None:
            return

    def saved(new_code: str | None) -> None:
        if new_code is not None:
            app.notify(f"Saved rule {new_code}", markup=False)
            app.changed("rule", new_code)

    app.push_screen(RuleForm(app.store, rule), saved)


def delete_rule(app: InventoryApp, code: str) -> None:
    rule = get_rule(app.store, code)
    if rule is None:
        return
    if rule.builtin:
        app.push_screen(
            MessageDialog(
                f"Can't delete rule {code}",
                f"{code} is a built-in rule: press space to disable it instead.",
            )
        )
        return

    def answered(yes: bool | None) -> None:
        if not yes:
            return
        try:
            catalog_delete_rule(app.store, code)
        except (RuleError, StoreError) as error:
            app.push_screen(MessageDialog(f"Can't delete rule {code}", str(error)))
            return
        app.notify(f"Deleted rule {code}", markup=False)
        app.changed("rule", None)

    app.push_screen(ConfirmDialog(f"Delete custom rule {code}?", yes="Delete (y)"), answered)
