"""One error path: an unexpected exception in an action is a dialog and a logged
traceback; the app keeps running and the database keeps what it held."""

from __future__ import annotations

import pytest

from inventory import history, records
from inventory.document import dump_text
from inventory.tui.screens.dialogs import MessageDialog
from inventory.tui.screens.forms import RecordForm

from .conftest import run_async, settle, type_path
from .screen import screen_text

SIZE = (120, 36)
KEY = "bluesky/acme-italia.bsky.social"


@pytest.fixture
def state_home(tmp_path, monkeypatch):
    folder = tmp_path / "state"
    monkeypatch.setenv("XDG_STATE_HOME", str(folder))
    return folder


@run_async
async def test_a_failure_inside_a_save_is_a_dialog_and_changes_nothing(
    sample_store, make_app, monkeypatch, state_home
):
    before = dump_text(sample_store)
    actions = len(history.list_actions(sample_store))

    def broken(*args, **kwargs):
        raise RuntimeError("injected failure\nsecond line")

    # fails inside the save's transaction, after the record was written
    monkeypatch.setattr(records, "log_changes", broken)
    app = make_app(sample_store)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("e")
        await pilot.pause()
        app.screen.query_one("#field-name").focus()
        await pilot.press("end", *" X", "ctrl+s")
        await settle(pilot)
        assert app.is_running
        assert isinstance(app.screen, MessageDialog)
        text = screen_text(app)
        assert "Something went wrong" in text
        assert "RuntimeError: injected failure" in text
        assert "second line" not in text
        log = state_home / "inventory" / "errors.log"
        assert "Traceback" in log.read_text() and "injected failure" in log.read_text()
        await pilot.press("escape")
        await settle(pilot)
        # the app goes on: the form is still there with the edits, views switch
        assert isinstance(app.screen, RecordForm)
        await pilot.press("escape", "y")
        await settle(pilot)
        await pilot.press("2")
        await settle(pilot)
        assert app.current_view == "flags"
    assert dump_text(sample_store) == before
    assert len(history.list_actions(sample_store)) == actions
    assert records.get_record(sample_store, "channel", KEY).record.name == "Acme Italia"


@run_async
async def test_a_failure_in_a_view_handler_keeps_the_view_working(
    sample_store, make_app, monkeypatch, state_home
):
    from inventory.tui.views.channels import ChannelsView

    calls = []

    def broken(self):
        calls.append(1)
        raise ValueError("sort exploded")

    monkeypatch.setattr(ChannelsView, "action_sort_next", broken)
    app = make_app(sample_store)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("s")
        await settle(pilot)
        assert isinstance(app.screen, MessageDialog)
        assert "ValueError: sort exploded" in screen_text(app)
        await pilot.press("enter")
        await settle(pilot)
        await pilot.press("S")  # the view still answers keys
        await settle(pilot)
        assert "sorted by Platform ▼" in screen_text(app)
        assert app.is_running
    assert calls == [1]


def test_an_app_that_must_stop_exits_non_zero(sample_store, monkeypatch, state_home):
    from textual.app import App

    from inventory.tui import app as app_module

    def broken_compose(self):
        raise RuntimeError("can't even start")

    monkeypatch.setattr(app_module.InventoryApp, "compose", broken_compose)
    monkeypatch.setattr(
        app_module.InventoryApp, "run", lambda self: App.run(self, headless=True, size=(80, 24))
    )
    with pytest.raises(SystemExit) as stopped:
        app_module.run_app(sample_store, None)
    assert stopped.value.code != 0


@run_async
async def test_a_failed_export_keeps_the_dialog_and_the_path(sample_store, make_app, workdir):
    """Seen: a failed export from the UI closed the dialog, so the path had to be typed again."""
    from textual.widgets import Input

    from inventory.tui.screens.dialogs import ExportDialog

    bad = workdir / "no-such-folder" / "flags.json"
    app = make_app(sample_store)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("x")
        await pilot.pause()
        await pilot.press("ctrl+a", "ctrl+k")
        await type_path(pilot, bad, "enter")
        await settle(pilot)
        await pilot.pause(0.3)
        assert isinstance(app.screen, ExportDialog)
        assert app.screen.query_one(Input).value == "no-such-folder/flags.json"
        assert "no-such-folder" in app.screen.error
        label = app.screen.query_one("#export-error")
        assert "No such file or directory" in str(label.render())
        good = workdir / "flags.json"
        await pilot.press("ctrl+a", "ctrl+k")
        await type_path(pilot, good, "enter")
        await settle(pilot)
        assert not isinstance(app.screen, ExportDialog)
    assert good.exists()
