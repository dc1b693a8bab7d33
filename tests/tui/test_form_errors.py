"""Field errors in forms: they go as soon as the field is fixed, and they say in words
what is wrong (never a regular expression)."""

from __future__ import annotations

import pytest
from textual.widgets import Label, Select

from inventory.rules.catalog import CODE_PATTERN, RuleError, get_rule, validated
from inventory.tui.screens.forms import RecordForm
from inventory.tui.screens.rule_form import RuleForm

from .conftest import run_async, settle
from .screen import shown_text


def error_under(form: RecordForm, name: str) -> str:
    label = form.query_one(f"#error-{name}", Label)
    return shown_text(label) if label.has_class("-shown") else ""


async def type_into(pilot, selector: str, text: str) -> None:
    pilot.app.screen.query_one(selector).focus()
    await pilot.pause()
    await pilot.press(*text)
    await pilot.pause()


@run_async
async def test_a_field_error_goes_when_the_field_is_fixed(sample_store, make_app):
    """Seen: a field error stayed on screen after the field was fixed, until the next save."""
    app = make_app(sample_store)
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        await pilot.press("n")
        await pilot.pause()
        await pilot.press("ctrl+s")
        await pilot.pause()
        form = app.screen
        assert isinstance(form, RecordForm)
        assert error_under(form, "name") == "must not be empty"
        assert error_under(form, "handle") == "must not be empty"
        assert "3 fields to fix" in shown_text(form.query_one("#form-error"))

        await type_into(pilot, "#field-name", "Acme News")
        assert error_under(form, "name") == ""  # fixed: gone before any save
        assert not form.query_one("#row-name").has_class("-invalid")
        assert error_under(form, "handle") == "must not be empty"  # not fixed: stays
        assert "2 fields to fix" in shown_text(form.query_one("#form-error"))

        await type_into(pilot, "#field-handle", "@acmenews")
        form.query_one("#field-platform", Select).value = "x"
        await pilot.pause()
        assert error_under(form, "handle") == ""
        assert error_under(form, "platform") == ""
        assert shown_text(form.query_one("#form-error")) == ""


@run_async
async def test_a_field_error_changes_with_what_is_wrong_now(sample_store, make_app):
    app = make_app(sample_store)
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        await pilot.press("e")
        await pilot.pause()
        form = app.screen
        form.query_one("#field-last_post_on").value = "2026-13-45"
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert "is not a valid date" in error_under(form, "last_post_on")
        await type_into(pilot, "#field-last_post_on", "")
        await pilot.press("backspace")
        await pilot.pause()
        assert "'2026-13-4' is not a date in the form YYYY-MM-DD" in error_under(
            form, "last_post_on"
        )


@run_async
async def test_the_rule_form_says_what_a_code_is(sample_store, make_app):
    """Seen: the custom rule form showed a raw regular expression for an empty code."""
    app = make_app(sample_store)
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        await pilot.press("7", "n")
        await pilot.pause()
        form = app.screen
        assert isinstance(form, RuleForm)
        await pilot.press("ctrl+s")
        await pilot.pause()
        shown = error_under(form, "code")
        assert shown.startswith("is required: ")
        assert "upper-case letter" in shown and "R101" in shown
        assert CODE_PATTERN not in shown and "[A-Z]" not in shown
        await type_into(pilot, "#field-code", "r1")
        assert error_under(form, "code").startswith("must be ")
        await pilot.press("backspace", "backspace", *"ACME_1")
        await pilot.pause()
        assert error_under(form, "code") == ""
        assert get_rule(sample_store, "ACME_1") is None  # nothing saved while typing


@pytest.mark.parametrize("code", ["", "r101", "R", "R" * 17, "R 101"])
def test_every_way_to_save_a_rule_names_the_code_problem_in_words(code: str) -> None:
    fields = {
        "code": code,
        "recommendation": 1,
        "title": "t",
        "severity": "info",
        "subject_type": "channel",
        "condition": "1",
        "message": "'m'",
    }
    with pytest.raises(RuleError) as raised:
        validated(fields)
    message = str(raised.value)
    assert "code " in message and "upper-case letter" in message
    assert CODE_PATTERN not in message and "[A-Z]" not in message
