"""Undo and redo in the UI: by action, asking first when an action changed several records."""

from __future__ import annotations

from inventory import records
from inventory.tui.screens.dialogs import ConfirmDialog
from inventory.tui.widgets.channel_table import ChannelTable

from .conftest import run_async, settle
from .screen import screen_text

SIZE = (120, 36)
KEY = "bluesky/acme-italia.bsky.social"


def notified(app) -> str:
    return "\n".join(n.message for n in app._notifications)


def channel_count(store) -> int:
    return store.conn.execute("SELECT count(*) FROM channels").fetchone()[0]


@run_async
async def test_first_undo_in_the_demo_asks_and_no_is_the_default(sample_store, make_app):
    """Seen: the first ctrl+z in the demo emptied the whole inventory without a question."""
    app = make_app(sample_store)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("ctrl+z")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmDialog)
        text = screen_text(app)
        assert "Undo the import of acme.json by" in text
        assert "53 channels," in text
        assert app.screen.question.endswith(
            ": 53 channels, 23 people, 10 departments, 4 consultants, 3 policies, 2 lookalikes, "
            "1 organization?"
        )
        await pilot.press("enter")  # the focused button is No
        await settle(pilot)
        assert not isinstance(app.screen, ConfirmDialog)
        assert channel_count(sample_store) == 53
        await pilot.press("ctrl+z")
        await pilot.pause()
        await pilot.press("escape")
        await settle(pilot)
        assert channel_count(sample_store) == 53
        assert app.query_one(ChannelTable).row_count == 53


@run_async
async def test_undo_confirmed_then_redo_brings_the_import_back(sample_store, make_app):
    app = make_app(sample_store)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("ctrl+z")
        await pilot.pause()
        await pilot.press("y")
        await settle(pilot)
        assert channel_count(sample_store) == 0
        assert "Undid the import of acme.json" in notified(app)
        await pilot.press("ctrl+y")
        await pilot.pause()
        assert "Redo the import of acme.json by" in screen_text(app)
        await pilot.press("y")
        await settle(pilot)
        assert channel_count(sample_store) == 53
        assert app.query_one(ChannelTable).row_count == 53


@run_async
async def test_a_form_save_is_undone_and_redone_without_asking(sample_store, make_app):
    app = make_app(sample_store)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("e")
        await pilot.pause()
        app.screen.query_one("#field-name").focus()
        await pilot.press("end", *" X", "ctrl+s")
        await settle(pilot)
        name = lambda: records.get_record(sample_store, "channel", KEY).record.name  # noqa: E731
        assert name() == "Acme Italia X"
        await pilot.press("ctrl+z")
        await settle(pilot)
        assert name() == "Acme Italia"
        await pilot.press("ctrl+shift+z")
        await settle(pilot)
        assert name() == "Acme Italia X"
        assert "Redid the edit of channel bluesky/acme-italia.bsky.social" in notified(app)
        await pilot.press("ctrl+y")
        await settle(pilot)
        assert "Nothing to redo" in notified(app)
