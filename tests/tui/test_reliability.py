"""Two people, one database: conflicts, locks, a full disk and a read-only file, as the
user meets them in the UI (what the screen says, and what the database holds)."""

from __future__ import annotations

import re
import sqlite3
from pathlib import Path

import pytest
from textual import events
from textual.widgets import Input, TextArea

from inventory import history, records
from inventory import store as store_module
from inventory.store import Store, open_store
from inventory.tui.screens.conflict import ConflictDialog
from inventory.tui.screens.dialogs import ConfirmDialog
from inventory.tui.screens.forms import RecordForm
from inventory.tui.widgets.channel_table import ChannelTable
from tests.conftest import copy_database

from .conftest import run_async, settle
from .screen import screen_text, shown_text, texts, toasts, widget_text
from .test_pilot import click_field

SIZE = (120, 36)


def channel_list_and_detail(app) -> str:
    """What the Channels view's list and detail pane show."""
    table = widget_text(app.query_one(ChannelTable))
    return table + "\n" + widget_text(app.query_one("#channel-detail-body"))


KEY = "bluesky/acme-italia.bsky.social"  # the first channel in the list


@pytest.fixture
def bob(sample_store: Store) -> Store:
    """A second user with the same database open (another `inventory` on the same file)."""
    other = open_store(sample_store.path, source="ui")
    other.user = "bob"
    yield other
    other.close()


def name_in_db(store: Store, key: str = KEY) -> str | None:
    loaded = records.get_record(store, "channel", key)
    return None if loaded is None else loaded.record.name


def bob_renames(bob: Store, name: str, key: str = KEY) -> None:
    loaded = records.get_record(bob, "channel", key)
    records.save_record(
        bob,
        "channel",
        loaded.record.model_copy(update={"name": name}),
        original_key=key,
        expected_revision=loaded.revision,
    )


async def edit_name(pilot, suffix: str) -> None:
    """Open the form on the selected channel and append to its name (not saved yet)."""
    await pilot.press("e")
    await pilot.pause()
    assert isinstance(pilot.app.screen, RecordForm)
    await click_field(pilot, "#field-name")
    await pilot.press("end", *suffix)


def form_error(app) -> str:
    """The message at the top of the open form."""
    return shown_text(app.screen.query_one("#form-error"))


def form_name(app) -> str:
    return app.screen.query_one("#field-name", Input).value


@run_async
async def test_a_save_over_another_users_change_asks_and_overwrite_saves_deliberately(
    sample_store, bob, make_app
):
    app = make_app(sample_store)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await edit_name(pilot, " mine")
        bob_renames(bob, "Acme Italia by Bob")
        await pilot.press("ctrl+s")
        await settle(pilot)

        assert isinstance(app.screen, ConflictDialog)
        text = texts(app.screen)
        assert "changed since you opened it" in text
        assert "Last saved by bob (ui," in text
        assert "Your version" in text and "In the database now" in text
        assert re.search(r"≠ *Name *Acme Italia mine *Acme Italia by Bob", text)
        assert not re.search(r"≠ *Handle", text)  # only the fields that differ are marked
        assert "Acme Italia mine" in text and "Acme Italia by Bob" in text
        assert name_in_db(sample_store) == "Acme Italia by Bob"  # nothing overwritten

        await pilot.press("escape")  # Back: the form, with my edits
        await pilot.pause()
        assert isinstance(app.screen, RecordForm)
        assert form_name(app) == "Acme Italia mine"
        assert "Not saved: channel bluesky/acme-italia.bsky.social changed" in form_error(app)

        await pilot.press("ctrl+s")  # still refused: asks again
        await settle(pilot)
        assert isinstance(app.screen, ConflictDialog)
        await pilot.press("o")
        await settle(pilot)

        assert not isinstance(app.screen, (ConflictDialog, RecordForm))
        assert name_in_db(sample_store) == "Acme Italia mine"
        assert name_in_db(bob) == "Acme Italia mine"
        assert "Acme Italia mine" in channel_list_and_detail(app)
        edits = [e for e in history.list_history(sample_store) if e.key == KEY]
        assert [(e.user, e.after["name"]) for e in edits[:2]] == [
            ("tester", "Acme Italia mine"),
            ("bob", "Acme Italia by Bob"),
        ]
        assert edits[0].before["name"] == "Acme Italia by Bob"  # mine replaced Bob's, knowingly


@run_async
async def test_overwrite_is_refused_again_if_the_record_changed_yet_again(
    sample_store, bob, make_app
):
    app = make_app(sample_store)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await edit_name(pilot, " mine")
        bob_renames(bob, "Bob one")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, ConflictDialog)
        bob_renames(bob, "Bob two")  # while the dialog is open
        await pilot.press("o")
        await settle(pilot)
        assert isinstance(app.screen, ConflictDialog)
        assert "Bob two" in texts(app.screen)
        assert name_in_db(sample_store) == "Bob two"
        await pilot.press("o")
        await settle(pilot)
        assert name_in_db(sample_store) == "Acme Italia mine"


@run_async
async def test_reload_discards_my_edits_and_shows_the_other_users_version(
    sample_store, bob, make_app
):
    app = make_app(sample_store)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await edit_name(pilot, " mine")
        bob_renames(bob, "Acme Italia by Bob")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, ConflictDialog)
        await pilot.press("r")
        await settle(pilot)

        assert isinstance(app.screen, RecordForm)
        assert form_name(app) == "Acme Italia by Bob"
        assert "Acme Italia mine" not in screen_text(app)
        assert name_in_db(sample_store) == "Acme Italia by Bob"
        # the reloaded form carries the new revision: a save now goes through
        await click_field(pilot, "#field-name")
        await pilot.press("end", *" and me")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert not isinstance(app.screen, (ConflictDialog, RecordForm))
        assert name_in_db(sample_store) == "Acme Italia by Bob and me"


@run_async
async def test_a_record_deleted_meanwhile_can_be_saved_as_new(sample_store, bob, make_app):
    app = make_app(sample_store)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await edit_name(pilot, " mine")
        records.delete_record(bob, "channel", KEY)
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, ConflictDialog)
        text = texts(app.screen)
        assert "was deleted since you opened it" in text
        assert "Deleted by bob" in text
        assert "Save as new (s)" in text and "Overwrite" not in text
        assert name_in_db(sample_store) is None
        await pilot.press("s")
        await settle(pilot)
        assert not isinstance(app.screen, (ConflictDialog, RecordForm))
        assert name_in_db(sample_store) == "Acme Italia mine"


@run_async
async def test_deleting_a_record_changed_since_it_was_listed_asks_again(
    sample_store, bob, make_app
):
    app = make_app(sample_store)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert app.query_one(ChannelTable).current_row.key == KEY
        bob_renames(bob, "Acme Italia by Bob")  # the list still shows the old row
        await pilot.press("d")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmDialog)
        await pilot.press("y")
        await settle(pilot)

        assert isinstance(app.screen, ConflictDialog)
        text = texts(app.screen)
        assert "changed since it was listed" in text
        assert "Acme Italia by Bob" in text and "Last changed by bob" in text
        assert name_in_db(sample_store) == "Acme Italia by Bob"  # nothing deleted
        await pilot.press("y")
        await settle(pilot)
        assert name_in_db(sample_store) is None
        assert "Acme Italia by Bob" not in channel_list_and_detail(app)


@run_async
async def test_deleting_a_record_someone_deleted_says_so(sample_store, bob, make_app):
    app = make_app(sample_store)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        records.delete_record(bob, "channel", KEY)
        await pilot.press("d", "y")
        await settle(pilot)
        text = texts(app.screen)
        assert "is already deleted" in text and "Deleted by bob" in text
        await pilot.press("escape")
        await settle(pilot)
        assert KEY not in [r.key for r in [app.query_one(ChannelTable).current_row] if r]


# --- the database refuses: locked, full, read-only -----------------------------------------


@pytest.fixture
def sample_path(tmp_path: Path, sample_template: Path) -> Path:
    return copy_database(sample_template, tmp_path / "acme.db")


@run_async
async def test_a_locked_database_keeps_the_form_and_the_edits(sample_path, make_app, monkeypatch):
    monkeypatch.setattr(store_module, "BUSY_TIMEOUT_SECONDS", 0.2)  # read at connect time
    store = open_store(sample_path, source="ui")
    blocker = sqlite3.connect(sample_path, isolation_level=None)
    app = make_app(store)
    try:
        async with app.run_test(size=SIZE) as pilot:
            await settle(pilot)
            await edit_name(pilot, " mine")
            blocker.execute("BEGIN IMMEDIATE")
            await pilot.press("ctrl+s")
            await settle(pilot)
            assert isinstance(app.screen, RecordForm)
            assert "is locked by another program" in form_error(app)
            assert form_name(app) == "Acme Italia mine"
            assert blocker.execute(
                "SELECT name FROM channels WHERE handle = 'acme-italia.bsky.social'"
            ).fetchone() == ("Acme Italia",)
            blocker.execute("ROLLBACK")
            await pilot.press("ctrl+s")  # the lock is gone: the same edits save
            await settle(pilot)
            assert not isinstance(app.screen, RecordForm)
            assert name_in_db(store) == "Acme Italia mine"
    finally:
        blocker.close()
        store.close()


@run_async
async def test_a_full_disk_keeps_the_form_and_the_edits(sample_store, make_app):
    (pages,) = sample_store.conn.execute("PRAGMA page_count").fetchone()
    sample_store.conn.execute(f"PRAGMA max_page_count = {pages}")
    note = "a long note " * 17_000  # about 200 kB
    app = make_app(sample_store)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("e")
        await pilot.pause()
        await click_field(pilot, "#field-notes")
        area = app.screen.query_one("#field-notes", TextArea)
        app.post_message(events.Paste(note))  # as the terminal delivers a paste
        await pilot.pause()
        assert len(area.text) == len(note)
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, RecordForm)
        assert "the disk is full; nothing was changed" in form_error(app)
        assert app.screen.query_one("#field-notes", TextArea).text == note
        assert records.get_record(sample_store, "channel", KEY).record.notes == ""
        (after,) = sample_store.conn.execute("PRAGMA page_count").fetchone()
        assert after == pages


@run_async
async def test_a_read_only_database_explains_instead_of_opening_forms(sample_path, make_app):
    sample_path.chmod(0o444)
    before = sample_path.read_bytes()
    store = open_store(sample_path, source="ui")
    assert store.readonly
    app = make_app(store)
    try:
        async with app.run_test(size=SIZE, notifications=True) as pilot:
            await settle(pilot)
            banner = widget_text(app.query_one("#readonly-banner"))
            assert "Read-only: this database can't be changed" in banner
            for key in ("e", "n", "d"):
                app.clear_notifications()
                await pilot.press(key)
                await settle(pilot)
                assert not isinstance(app.screen, (RecordForm, ConfirmDialog)), key
                shown = toasts(app)
                assert len(shown) == 1, key
                assert "This database is read-only" in shown[0], key
                assert "nothing can be added, edited, deleted" in shown[0], key
    finally:
        store.close()
    assert sample_path.read_bytes() == before
