"""Rules as rows: reading, validating and saving them."""

from __future__ import annotations

import json
import math
import re
from datetime import date
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, StrictBool, ValidationError, field_validator

from inventory import json_text
from inventory.history import action, logged_rows, row_key
from inventory.models import Severity, SubjectType
from inventory.rules.sandbox import RuleSQLError, RuleTask, open_sandbox, run_rules
from inventory.rules.stored import COLUMNS, read_stored_rules, stored_rule
from inventory.store import Store
from inventory.validation import describe_error

CODE_PATTERN = r"^[A-Z][A-Z0-9_-]{1,15}$"
#: What CODE_PATTERN asks for, in words (a person is never shown the pattern).
CODE_FORMAT = (
    "an upper-case letter, then 1 to 15 upper-case letters, digits, _ or - (e.g. R101, ACME_1)"
)
_PARAMETER_NAME = re.compile(r"[a-z_][a-z0-9_]{0,63}")
ParameterValue = str | int | float | bool | None


class RuleError(ValueError):
    """A rule that can't be saved (or found); the message is one line for a person."""


class Rule(BaseModel):
    """One rule: what it checks (a SQL condition over a facts view) and how it reports it."""

    model_config = ConfigDict(
        extra="forbid", str_strip_whitespace=True, use_enum_values=True, validate_assignment=True
    )

    code: Annotated[str, Field(strict=True)]
    recommendation: Annotated[int, Field(strict=True, ge=1, le=7)]
    title: Annotated[str, Field(strict=True, min_length=1, max_length=120)]
    explanation: Annotated[str, Field(strict=True)] = ""
    severity: Severity
    enabled: StrictBool = True
    subject_type: SubjectType
    parameters: dict[str, ParameterValue] = Field(default_factory=dict)
    condition: Annotated[str, Field(strict=True, min_length=1)]
    message: Annotated[str, Field(strict=True, min_length=1)]
    builtin: StrictBool = False

    @field_validator("code")
    @classmethod
    def _code(cls, code: str) -> str:
        if not code:
            raise ValueError(f"is required: {CODE_FORMAT}")
        if not re.fullmatch(CODE_PATTERN, code):
            raise ValueError(f"must be {CODE_FORMAT}, not {code!r}")
        return code

    @field_validator("parameters")
    @classmethod
    def _parameter_names(cls, values: dict[str, ParameterValue]) -> dict[str, ParameterValue]:
        for name in values:
            if not _PARAMETER_NAME.fullmatch(name):
                raise ValueError(
                    f"parameter name {name!r} must be lower-case letters, digits and _"
                )
            if name == "as_of":
                raise ValueError("'as_of' is set by the evaluation; it can't be a parameter")
            _check_parameter_value(name, values[name])
        return values


def _check_parameter_value(name: str, value: ParameterValue) -> None:
    """SQLite binds 64-bit integers and finite reals only."""
    if isinstance(value, bool):
        return
    if isinstance(value, int) and not json_text.INT64_MIN <= value <= json_text.INT64_MAX:
        raise ValueError(f"parameter {name} is too large a number (beyond 64 bits)")
    if isinstance(value, float) and not math.isfinite(value):
        raise ValueError(f"parameter {name} must be a finite number, not {value}")


def rule_from_json(text: str, *, source: str = "rule") -> Rule:
    """A rule from its JSON text (the format `inventory rules --add` reads)."""
    try:
        raw = json_text.loads(text)
    except json_text.JSONTextError as error:
        raise RuleError(f"{source}: {error}") from None
    if not isinstance(raw, dict):
        raise RuleError(f"{source}: a rule must be a JSON object")
    return validated(raw, source=source)


def validated(fields: dict[str, Any], *, source: str = "rule") -> Rule:
    try:
        return Rule.model_validate(fields)
    except ValidationError as error:
        problems = "; ".join(
            f"{'.'.join(map(str, e['loc'])) or 'rule'} {describe_error(e)}"
            for e in error.errors(include_url=False)
        )
        raise RuleError(f"{source}: {problems}") from None


def _rule(row: tuple) -> Rule:
    return Rule.model_construct(**stored_rule(row)._asdict())


def read_rules(conn: Any) -> list[Rule]:
    """Every rule on a connection, in code order."""
    return [Rule.model_construct(**rule._asdict()) for rule in read_stored_rules(conn)]


def list_rules(store: Store) -> list[Rule]:
    return read_rules(store.conn)


def get_rule(store: Store, code: str) -> Rule | None:
    row = store.conn.execute(f"SELECT {COLUMNS} FROM rules WHERE code = ?", [code]).fetchone()
    return _rule(row) if row else None


def require_rule(store: Store, code: str) -> Rule:
    rule = get_rule(store, code)
    if rule is None:
        known = ", ".join(r.code for r in list_rules(store))
        raise RuleError(f"there is no rule {code!r} (rules: {known})")
    return rule


def trial_run(store: Store, rule: Rule, as_of: date | None = None) -> None:
    """Run the rule once in the sandbox on the committed data; RuleError says why it can't."""
    when = as_of or date.today()
    try:
        with open_sandbox(store.path) as sandbox:
            sandbox.compile(rule.subject_type, rule.condition, rule.message, rule.parameters, when)
            limit = sandbox.count(rule.subject_type)
    except RuleSQLError as error:
        raise RuleError(f"rule {rule.code} can't run: {error}") from None
    task = RuleTask(rule.subject_type, rule.condition, rule.message, rule.parameters, when, limit)
    (outcome,) = run_rules(store.path, [task])
    if outcome.error is not None:
        raise RuleError(f"rule {rule.code} can't run: {outcome.error}")


def save_rule(store: Store, rule: Rule) -> Rule:
    """Validate the rule, try it in the sandbox, then insert or replace it.

    A rule keeps its `builtin` mark: a new rule is always custom, an existing one stays
    what it was.
    """
    rule = validated(rule.model_dump(), source=f"rule {rule.code}")
    existing = get_rule(store, rule.code)
    rule = rule.model_copy(update={"builtin": bool(existing and existing.builtin)})
    trial_run(store, rule)
    values = rule.model_dump(mode="json")
    values["parameters"] = json.dumps(values["parameters"], ensure_ascii=False)
    values["enabled"] = int(values["enabled"])
    values["builtin"] = int(values["builtin"])
    with store.transaction(), logged_rows(store, "rule", [rule.code]):
        store.conn.execute(
            f"""INSERT INTO rules ({COLUMNS})
                VALUES (:code, :recommendation, :title, :explanation, :severity, :enabled,
                        :subject_type, :parameters, :condition, :message, :builtin)
                ON CONFLICT (code) DO UPDATE SET recommendation = excluded.recommendation,
                    title = excluded.title, explanation = excluded.explanation,
                    severity = excluded.severity, enabled = excluded.enabled,
                    subject_type = excluded.subject_type, parameters = excluded.parameters,
                    condition = excluded.condition, message = excluded.message,
                    revision = revision + 1""",
            values,
        )
    return rule


def update_rule(store: Store, code: str, changes: dict[str, Any]) -> Rule:
    """Change some fields of an existing rule (validated and tried like `save_rule`)."""
    rule = require_rule(store, code)
    if "code" in changes and changes["code"] != code:
        raise RuleError(f"a rule's code can't change ({code} -> {changes['code']})")
    unknown = set(changes) - set(Rule.model_fields) - {"builtin"}
    if unknown:
        raise RuleError(f"rule {code}: unknown field(s) {', '.join(sorted(unknown))}")
    fields = {**rule.model_dump(), **{k: v for k, v in changes.items() if k != "builtin"}}
    return save_rule(store, validated(fields, source=f"rule {code}"))


def set_enabled(store: Store, code: str, enabled: bool) -> Rule:
    rule = require_rule(store, code)
    with store.transaction(), logged_rows(store, "rule", [code]):
        store.conn.execute(
            "UPDATE rules SET enabled = ?, revision = revision + 1 WHERE code = ?",
            [int(enabled), code],
        )
    return rule.model_copy(update={"enabled": enabled})


def set_severity(store: Store, code: str, severity: str) -> Rule:
    return update_rule(store, code, {"severity": severity})


def set_parameter(store: Store, code: str, name: str, value: ParameterValue) -> Rule:
    """Change one existing parameter; the new value must have the kind of the old one."""
    rule = require_rule(store, code)
    if name not in rule.parameters:
        known = ", ".join(rule.parameters) or "none"
        raise RuleError(f"rule {code} has no parameter {name!r} (its parameters: {known})")
    old = rule.parameters[name]
    if old is not None and _kind(old) != _kind(value):
        raise RuleError(f"parameter {name} of rule {code} must be a {_kind(old)}, not {value!r}")
    return update_rule(store, code, {"parameters": {**rule.parameters, name: value}})


def _kind(value: Any) -> str:
    if isinstance(value, bool):
        return "true/false value"
    if isinstance(value, int | float):
        return "number"
    if value is None:
        return "null"
    return "text"


def delete_rule(store: Store, code: str) -> None:
    """Delete a custom rule (and its waivers); built-in rules can only be disabled."""
    rule = require_rule(store, code)
    if rule.builtin:
        raise RuleError(f"{code} is a built-in rule: disable it instead of deleting it")
    with action(store, f"the deletion of rule {code}"):
        waived = [
            row_key("waiver", code, subject)
            for (subject,) in store.conn.execute(
                "SELECT subject_id FROM waivers WHERE rule = ?", [code]
            )
        ]
        with logged_rows(store, "waiver", waived), logged_rows(store, "rule", [code]):
            store.conn.execute("DELETE FROM waivers WHERE rule = ?", [code])
            store.conn.execute("DELETE FROM rules WHERE code = ?", [code])


def broken_rules(store: Store, as_of: date | None = None) -> dict[str, str]:
    """Every rule (enabled or not) whose SQL can't be compiled, with the reason: SQLite
    prepares each statement without running it (a syntax error, an unknown column or
    parameter, a refused function or table), so listing rules costs no evaluation. What
    only running shows (a rule too slow, too many rows) `check` reports."""
    problems: dict[str, str] = {}
    when = as_of or date.today()
    with open_sandbox(store.path) as sandbox:
        for rule in read_rules(sandbox.conn):
            try:
                sandbox.compile(
                    rule.subject_type, rule.condition, rule.message, rule.parameters, when
                )
            except RuleSQLError as error:
                problems[rule.code] = str(error)
    return problems
