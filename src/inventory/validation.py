"""Pydantic validation errors turned into sentences a person understands."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from pydantic import ValidationError

_QUOTED = re.compile(r"'([^']*)'")


def describe_error(error: Mapping[str, Any]) -> str:
    """One pydantic error as a short reason: never pydantic's raw dump."""
    kind = error["type"]
    context = error.get("ctx") or {}
    if kind == "missing":
        return "is required"
    if kind == "extra_forbidden":
        return "is not a known field"
    if kind == "enum":
        allowed = _QUOTED.findall(str(context.get("expected", "")))
        return f"is not allowed; allowed values: {', '.join(allowed)}"
    if kind == "string_too_short":
        return "must not be empty"
    if kind in ("string_type", "str_type"):
        return "must be text"
    if kind in ("bool_type", "bool_parsing"):
        return "must be true or false"
    if kind in ("list_type",):
        return "must be a list"
    if kind in ("dict_type", "model_type", "model_attributes_type"):
        return "must be an object"
    if kind == "value_error":
        return str(context.get("error", error["msg"]))
    return str(error["msg"][0].lower() + error["msg"][1:]) if error["msg"] else kind


def field_errors(error: ValidationError) -> dict[str, str]:
    """A form's view of a validation error: field name -> reason (first one per field)."""
    messages: dict[str, str] = {}
    for item in error.errors(include_url=False):
        field = str(item["loc"][0]) if item["loc"] else ""
        messages.setdefault(field, describe_error(item))
    return messages
