"""The UI driven with real keys: what the user sees, and what lands in the database."""

from __future__ import annotations

import json
import re
from pathlib import Path

from textual.widgets import Input

from inventory import records
from inventory.rules.catalog import get_rule
from inventory.rules.evaluate import evaluate_rules
from inventory.tui.screens.dialogs import ConfirmDialog, MessageDialog
from inventory.tui.screens.forms import RecordForm
from inventory.tui.views.flags import FlagsTable
from inventory.tui.widgets.channel_table import ChannelTable

from .conftest import AS_OF, run_async, settle, type_path
from .screen import screen_text, texts, widget_text


def header(app) -> str:
    return widget_text(app.query_one("#header"))


def channel_status(app) -> str:
    return widget_text(app.query_one("#channel-status"))


def channel_detail(app) -> str:
    return widget_text(app.query_one("#channel-detail-body"))


SIZE = (120, 36)


def flags_on(store, rule: str, subject: str) -> list:
    return [
        f for f in evaluate_rules(store, AS_OF).flags if f.rule == rule and f.subject_id == subject
    ]


async def filter_to(pilot, text: str) -> None:
    await pilot.press("slash", *text)
    await pilot.pause(0.3)
    await pilot.press("enter")
    await settle(pilot)


async def click_field(pilot, selector: str) -> None:
    """Scroll a form field into view and click it, as a user would."""
    pilot.app.screen.query_one(selector).scroll_visible(animate=False, immediate=True)
    await pilot.pause()
    await pilot.click(selector)
    await pilot.pause()


async def choose(pilot, selector: str, search: str) -> None:
    """Open a Select in the form by clicking it, type to search, pick with enter."""
    await click_field(pilot, selector)
    await pilot.pause()
    await pilot.press(*search)
    await pilot.press("enter")
    await pilot.pause()


@run_async
async def test_filter_narrows_the_list_and_escape_clears_it(sample_store, make_app):
    app = make_app(sample_store)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        table = app.query_one(ChannelTable)
        assert table.row_count == 53
        await pilot.press("slash", *"kids")
        await pilot.pause(0.3)
        await settle(pilot)
        keys = [table.row_at(i).key for i in range(table.row_count)]
        assert keys and all(
            "kids" in (key + table.row_at(i).name).lower() for i, key in enumerate(keys)
        )
        assert f"{table.row_count} of 53" in channel_status(app)
        await pilot.press("escape")
        await pilot.pause(0.3)
        await settle(pilot)
        assert table.row_count == 53
        assert "53 channels" in channel_status(app)


@run_async
async def test_filter_matches_owner_and_department(sample_store, make_app):
    app = make_app(sample_store)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await filter_to(pilot, "buzzguru")  # owner laura.neri@buzzguru.example
        table = app.query_one(ChannelTable)
        assert "instagram/@acme_kids" in [table.row_at(i).key for i in range(table.row_count)]


@run_async
async def test_external_owner_raises_r102_on_screen_and_in_the_database(sample_store, make_app):
    app = make_app(sample_store)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await filter_to(pilot, "@acme_it")
        table = app.query_one(ChannelTable)
        assert table.current_row.key == "instagram/@acme_it"
        assert "R102" not in channel_detail(app)
        assert "5 errors" in header(app)

        await pilot.press("e")
        await pilot.pause()
        assert isinstance(app.screen, RecordForm)
        await choose(pilot, "#field-owner", "laura")
        await pilot.press("ctrl+s")
        await settle(pilot)

        assert not isinstance(app.screen, RecordForm)
        assert flags_on(sample_store, "R102", "instagram/@acme_it")
        assert "R102 error Channel owner is not an employee" in channel_detail(app)
        assert "6 errors" in header(app)
        assert table.current_row.mark is not None and table.current_row.mark.severity == "error"

        await pilot.press("e")
        await pilot.pause()
        await choose(pilot, "#field-owner", "giulia")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert not flags_on(sample_store, "R102", "instagram/@acme_it")
        assert "R102" not in channel_detail(app)
        assert "5 errors" in header(app)


@run_async
async def test_create_then_delete_a_channel(sample_store, make_app):
    app = make_app(sample_store)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("n")
        await pilot.pause()
        await choose(pilot, "#field-platform", "mastodon")
        await click_field(pilot, "#field-handle")
        await pilot.press(*"@brand_new")
        await click_field(pilot, "#field-name")
        await pilot.press(*"Brand new channel")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert records.get_record(sample_store, "channel", "mastodon/@brand_new") is not None
        table = app.query_one(ChannelTable)
        assert table.current_row.key == "mastodon/@brand_new"
        assert "Brand new channel" in channel_detail(app)

        await pilot.press("d")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmDialog)
        await pilot.press("y")
        await settle(pilot)
        assert records.get_record(sample_store, "channel", "mastodon/@brand_new") is None
        assert "Brand new channel" not in widget_text(table) + channel_detail(app)


@run_async
async def test_deleting_a_department_in_use_explains_who_uses_it(sample_store, make_app):
    app = make_app(sample_store)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("4")
        await pilot.pause()
        await pilot.press("d")
        await pilot.pause()
        assert isinstance(app.screen, MessageDialog)
        text = texts(app.screen)
        assert "Can't delete department Amministrazione e Finanza" in text
        assert "used by" in text
        await pilot.press("escape")
        assert records.get_record(sample_store, "department", "Amministrazione e Finanza")


@run_async
async def test_validation_errors_show_next_to_the_field_and_nothing_is_saved(
    sample_store, make_app
):
    app = make_app(sample_store)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        before = records.get_record(sample_store, "channel", "bluesky/acme-italia.bsky.social")
        await pilot.press("e")
        await pilot.pause()
        await click_field(pilot, "#field-name")
        await pilot.press("ctrl+a", "ctrl+k")  # clear the name
        await click_field(pilot, "#field-weekly_hours")
        await pilot.press("ctrl+a", "ctrl+k", *"-3")
        await click_field(pilot, "#field-last_post_on")
        await pilot.press("ctrl+a", "ctrl+k", *"2026-13-45")
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert isinstance(app.screen, RecordForm)
        assert "must not be empty" in widget_text(app.screen.query_one("#error-name"))
        assert "fields to fix before saving" in texts(app.screen)
        app.screen.query_one("#row-last_post_on").scroll_visible(animate=False, immediate=True)
        await pilot.pause()
        assert "not a valid date" in widget_text(app.screen.query_one("#error-last_post_on"))
        assert "negative" in widget_text(app.screen.query_one("#error-weekly_hours"))
        after = records.get_record(sample_store, "channel", "bluesky/acme-italia.bsky.social")
        assert after == before


@run_async
async def test_cancel_a_dirty_form_asks_and_saves_nothing(sample_store, make_app):
    app = make_app(sample_store)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        before = records.get_record(sample_store, "channel", "bluesky/acme-italia.bsky.social")
        await pilot.press("e")
        await pilot.pause()
        await click_field(pilot, "#field-name")
        await pilot.press(*" changed")
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmDialog)
        assert "Discard unsaved changes?" in texts(app.screen)
        await pilot.press("y")
        await pilot.pause()
        assert not isinstance(app.screen, (RecordForm, ConfirmDialog))
        after = records.get_record(sample_store, "channel", "bluesky/acme-italia.bsky.social")
        assert after == before
        # a form with no changes closes at once
        await pilot.press("e")
        await pilot.pause()
        await pilot.press("escape")
        await pilot.pause()
        assert not isinstance(app.screen, (RecordForm, ConfirmDialog))


@run_async
async def test_waive_a_flag(sample_store, make_app):
    app = make_app(sample_store)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("2")
        await pilot.pause()
        table = app.query_one(FlagsTable)
        flag = table.current_row
        assert (flag.rule, flag.subject_id) == ("R101", "facebook/AcmeBologna")
        await pilot.press("w")
        await pilot.pause()
        await pilot.press(*"Store closed in December")
        await pilot.press("ctrl+s")
        await settle(pilot)
        waived = flags_on(sample_store, "R101", "facebook/AcmeBologna")
        assert waived and waived[0].waived
        assert waived[0].waiver.reason == "Store closed in December"
        assert "WAIVED" in widget_text(table) + widget_text(app.query_one("#flag-detail-body"))
        assert "4 errors" in header(app) and "(1 waived)" in header(app)


@run_async
async def test_space_toggles_a_rule(sample_store, make_app):
    app = make_app(sample_store)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("7")
        await pilot.pause()
        await pilot.press("space")
        await settle(pilot)
        assert get_rule(sample_store, "R101").enabled is False
        assert "4 errors" in header(app)
        await pilot.press("space")
        await settle(pilot)
        assert get_rule(sample_store, "R101").enabled is True
        assert "5 errors" in header(app)


@run_async
async def test_export_writes_the_flags_file(sample_store, make_app, workdir: Path):
    app = make_app(sample_store)
    target = workdir / "out.json"
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("x")
        await pilot.pause()
        assert [i.value for i in app.screen.query(Input)] == ["flags.json"]
        await pilot.press("ctrl+a", "ctrl+k")
        await type_path(pilot, target, "enter")
        await settle(pilot)
    document = json.loads(target.read_text(encoding="utf-8"))
    assert document["format"] == "social-inventory-flags/2"
    assert document["as_of"] == "2026-11-26"
    assert document["summary"]["flags"] == 47
    assert document["summary"]["by_severity"] == {"error": 15, "warning": 26, "info": 6}


@run_async
async def test_undo_puts_back_the_last_saved_change(sample_store, make_app):
    app = make_app(sample_store)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("e")
        await pilot.pause()
        await click_field(pilot, "#field-name")
        await pilot.press("end", *" X")
        await pilot.press("ctrl+s")
        await settle(pilot)
        key = "bluesky/acme-italia.bsky.social"
        assert records.get_record(sample_store, "channel", key).record.name == "Acme Italia X"
        await pilot.press("ctrl+z")
        await settle(pilot)
        assert records.get_record(sample_store, "channel", key).record.name == "Acme Italia"
        table = app.query_one(ChannelTable)
        assert "Acme Italia X" not in widget_text(table) + channel_detail(app)


@run_async
async def test_hostile_names_are_shown_literally_and_never_run(hostile_store, make_app):
    app = make_app(hostile_store)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        text = screen_text(app)
        assert "[/]" in text
        assert "wipe␛[2J" in text
        assert "[b]Hostile[/b] Org" in text
        assert "[red]Boss[" in text
        assert "\x1b" not in text
        await pilot.press("down")  # the detail pane shows the whole name
        await pilot.pause()
        assert re.search(r"Name +\[@click=app\.quit\]x", screen_text(app))
        await pilot.press("down", "down")
        await pilot.pause()
        assert "[bold red]loud[/bold red]" in screen_text(app)
        await pilot.click(ChannelTable, offset=(40, 2))
        await pilot.pause()
        assert app.is_running


@run_async
async def test_empty_database_shows_how_to_start(empty_store, make_app):
    app = make_app(empty_store)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        text = widget_text(app.query_one("#channels-empty"))
        assert "No channels yet. Next steps:" in text
        assert "import the channel list you keep in a spreadsheet" in text


@run_async
async def test_filter_applies_at_the_key_without_waiting(sample_store, make_app):
    app = make_app(sample_store)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        table = app.query_one(ChannelTable)
        await pilot.press("slash", *"kids")
        await pilot.pause()  # no timer to wait for: the list follows the keys
        assert 0 < table.row_count < 53
        assert f"{table.row_count} of 53" in channel_status(app)


@run_async
async def test_owner_picker_searches_people_and_picks_with_the_keys(sample_store, make_app):
    app = make_app(sample_store)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await filter_to(pilot, "@acme_it")
        await pilot.press("e")
        await pilot.pause()
        await click_field(pilot, "#field-owner")
        await pilot.press(*"buzzguru")  # part of an e-mail
        await pilot.pause()
        assert "Laura Neri <laura.neri@buzzguru.example> (external)" in screen_text(app)
        await pilot.press("enter")
        await pilot.pause()
        await click_field(pilot, "#field-backup_owner")
        await pilot.press(*"marco")  # part of a name: two matches, ↓ takes the second
        await pilot.pause()
        text = screen_text(app)
        assert "Marco Bianchi <" in text and "Marco Verdi <" in text
        await pilot.press("down", "enter")
        await pilot.pause()
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert not isinstance(app.screen, RecordForm)
        saved = records.get_record(sample_store, "channel", "instagram/@acme_it").record
        assert saved.owner == "laura.neri@buzzguru.example"
        assert saved.backup_owner is not None and saved.backup_owner.startswith("marco.verdi")

        await pilot.press("e")
        await pilot.pause()
        await click_field(pilot, "#field-backup_owner")
        await pilot.press("backspace")  # emptied: nobody
        await pilot.press("ctrl+s")
        await settle(pilot)
        saved = records.get_record(sample_store, "channel", "instagram/@acme_it").record
        assert saved.backup_owner is None
        assert saved.owner == "laura.neri@buzzguru.example"
