"""Issue 10: impossible numbers typed in the rule form are shown under the field; the app
keeps running and the form keeps what was typed."""

from __future__ import annotations

import pytest
from textual.widgets import Label, TextArea

from inventory.rules.catalog import get_rule
from inventory.tui.rule_actions import open_rule_form
from inventory.tui.screens.rule_form import RuleForm

from .conftest import run_async, settle


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ('{"min_weekly_hours": 100000000000000000000}', "beyond 64 bits"),
        ('{"min_weekly_hours": NaN}', "NaN is not a number"),
        ('{"min_weekly_hours": 1e999}', "too large"),
        ('{"a": ' + "[" * 5000 + "]" * 5000 + "}", "nested too deeply"),
    ],
)
@run_async
async def test_impossible_numbers_in_the_rule_form(text, expected, sample_store, make_app):
    app = make_app(sample_store)
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        before = get_rule(sample_store, "R601")
        open_rule_form(app, "R601")
        await pilot.pause()
        form = app.screen
        assert isinstance(form, RuleForm)
        form.query_one("#field-parameters", TextArea).text = text
        form.action_save()
        await pilot.pause()
        assert app.screen is form  # still open, nothing lost
        assert form.query_one("#field-parameters", TextArea).text == text
        shown = str(form.query_one("#error-parameters", Label).render())
        assert expected in shown
        assert get_rule(sample_store, "R601") == before
