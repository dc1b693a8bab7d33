"""The rule form: re-grade and re-parameterise a rule, or write a custom one.

Saving goes through `inventory.rules.catalog.save_rule`, which validates the rule and
trial-runs its condition in the sandbox: a condition that can't run is shown next to the
condition field and nothing is saved.
"""

from __future__ import annotations

import json
from typing import Any

from pydantic import ValidationError
from textual.widgets import Input, Select, TextArea

from inventory import json_text, models
from inventory.builtin_rules import RECOMMENDATIONS
from inventory.rules.catalog import Rule, RuleError, get_rule, save_rule
from inventory.store import Store, StoreError
from inventory.tui.screens.forms import FormField, RecordForm, enum_options
from inventory.validation import field_errors

EDITABLE_IN_BUILTIN = {"severity", "enabled", "parameters"}


def rule_fields() -> list[FormField]:
    return [
        FormField("code", "Code", "text", required=True, placeholder="X101"),
        FormField(
            "recommendation",
            "Recommendation",
            "select",
            [(f"{n} {t}", n) for n, t in RECOMMENDATIONS.items()],
            True,
        ),
        FormField("title", "Title", "text", required=True),
        FormField("severity", "Severity", "select", enum_options(models.Severity), True),
        FormField("enabled", "Enabled", "bool", placeholder="evaluate this rule"),
        FormField("subject_type", "Subject", "select", enum_options(models.SubjectType), True),
        FormField("parameters", "Parameters (JSON)", "textarea"),
        FormField("condition", "Condition (SQL)", "textarea", required=True),
        FormField("message", "Message (SQL)", "textarea", required=True),
        FormField("explanation", "Explanation", "textarea"),
    ]


class RuleForm(RecordForm):
    """A RecordForm for rules: parameters are JSON, saving trial-runs the condition."""

    def __init__(self, store: Store, rule: Rule | None) -> None:
        initial: dict[str, Any]
        if rule is None:
            initial = {
                "recommendation": 1,
                "severity": "warning",
                "enabled": True,
                "subject_type": "channel",
                "parameters": "{}",
                "message": "'explain what is wrong'",
            }
            title = "New custom rule"
        else:
            initial = rule.model_dump(mode="json")
            initial["parameters"] = json.dumps(rule.parameters, ensure_ascii=False)
            title = f"Edit rule {rule.code}" + (" (built in)" if rule.builtin else "")
        super().__init__(
            kind="rule",
            title=title,
            model=Rule,
            fields=rule_fields(),
            initial=initial,
            edit=None,  # rules are saved through the catalog (see action_save)
        )
        self.rule = rule
        self.store = store

    def on_mount(self) -> None:
        super().on_mount()
        if self.rule is not None:
            self.query_one("#field-code", Input).disabled = True
            if self.rule.builtin:
                for spec in self.fields:
                    if spec.name not in EDITABLE_IN_BUILTIN:
                        self.query_one(f"#field-{spec.name}").disabled = True
                self.query_one("#field-severity", Select).focus()

    def raw_values(self) -> dict[str, Any]:
        values = super().raw_values()
        values["builtin"] = bool(self.rule and self.rule.builtin)
        return values

    def validate(self) -> tuple[Rule | None, dict[str, str]]:
        values = self.raw_values()
        text = self.query_one("#field-parameters", TextArea).text.strip() or "{}"
        try:
            parameters = json_text.loads(text)
        except json_text.JSONTextError as error:
            return None, {"parameters": str(error)}
        if not isinstance(parameters, dict):
            return None, {"parameters": 'must be a JSON object, e.g. {"max_days": 90}'}
        values["parameters"] = parameters
        try:
            return Rule.model_validate(values), {}
        except ValidationError as error:
            return None, field_errors(error)

    def action_save(self) -> None:
        rule, errors = self.validate()
        if rule is None:
            self.show_errors(errors)
            return
        if self.rule is None and get_rule(self.store, rule.code) is not None:
            self.show_errors({"code": f"a rule {rule.code} already exists"})
            return
        try:
            save_rule(self.store, rule)
        except RuleError as error:
            message = str(error)
            self.show_errors({"condition": message} if "can't run" in message else {}, message)
            return
        except StoreError as error:
            self.show_errors({}, str(error))
            return
        self.dismiss(rule.code)
