"""Waivers, the organization and empty inventories in the UI (issue #9).

Seen: `w` on a waived flag opened an empty dialog that could neither show nor remove the
waiver; `w` in Channels did nothing; the organization could not be named in the UI;
`inventory typo.db` created an empty inventory without a word."""

from __future__ import annotations

from datetime import date, timedelta

from textual.widgets import Input, Label, OptionList

from inventory import history, records
from inventory.rules.waivers import get_waiver, list_waivers, waive
from inventory.tui.screens.dialogs import ConfirmDialog
from inventory.tui.screens.forms import RecordForm
from inventory.tui.screens.waiver import FlagPicker, WaiverDialog
from inventory.tui.views.flags import FlagsView
from inventory.tui.views.waivers import WaiversView

from .conftest import HOSTILE_NAMES, run_async, settle
from .screen import screen_text, shown_text

SMALL = (80, 24)
TODAY = date.today()
FLAG = ("R101", "facebook/AcmeBologna")  # no owner: an error on the sample


def _waive(store, reason: str = "Owner hired in January", until: date | None = None) -> None:
    waive(store, *FLAG, reason, until, "giulia", TODAY)


def notices(app) -> list[str]:
    return [notification.message for notification in app._notifications]


async def _select_flag(pilot, rule: str, subject: str) -> None:
    view = pilot.app.query_one(FlagsView)
    flags = [view.table.row_at(i) for i in range(view.table.row_count)]
    view.table.cursor = next(
        i for i, f in enumerate(flags) if (f.rule, f.subject_id) == (rule, subject)
    )
    await pilot.pause()


async def _waiver_dialog(pilot) -> WaiverDialog:
    """`w` on FLAG in the Flags view: the dialog it opens."""
    await pilot.press("2")
    await _select_flag(pilot, *FLAG)
    await pilot.press("w")
    await pilot.pause()
    dialog = pilot.app.screen
    assert isinstance(dialog, WaiverDialog)
    return dialog


@run_async
async def test_w_on_a_waived_flag_shows_the_waiver_and_edits_it(sample_store, make_app):
    _waive(sample_store, until=TODAY + timedelta(days=30))
    app = make_app(sample_store)
    async with app.run_test(size=SMALL) as pilot:
        await settle(pilot)
        dialog = await _waiver_dialog(pilot)
        # it shows the waiver: who, when, until, why (all on screen at 80x24)
        text = screen_text(app)
        assert "Waived by giulia on" in text
        assert f"until {(TODAY + timedelta(days=30)).isoformat()}" in text
        assert dialog.query_one("#waiver-reason", Input).value == "Owner hired in January"
        assert "Remove (ctrl+r)" in text and "Save (ctrl+s)" in text
        # edit: a hostile reason, no expiry
        dialog.query_one("#waiver-reason", Input).value = HOSTILE_NAMES[3]
        dialog.query_one("#waiver-until", Input).value = ""
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert not isinstance(app.screen, WaiverDialog)
        changed = get_waiver(sample_store, *FLAG)
        assert changed.reason == HOSTILE_NAMES[3] and changed.until is None
        assert changed.by == "tester"
        assert history.next_undo(sample_store).size == 1  # one action
        await pilot.press("ctrl+z")
        await settle(pilot)
        assert get_waiver(sample_store, *FLAG).reason == "Owner hired in January"


@run_async
async def test_w_on_a_waived_flag_removes_the_waiver(sample_store, make_app):
    _waive(sample_store)
    app = make_app(sample_store)
    async with app.run_test(size=SMALL) as pilot:
        await settle(pilot)
        assert app.flags.waived == 1
        await _waiver_dialog(pilot)
        await pilot.press("ctrl+r")
        await settle(pilot)
        assert not isinstance(app.screen, WaiverDialog)
        assert get_waiver(sample_store, *FLAG) is None
        assert app.flags.waived == 0  # the flag counts again, on the same screen
        assert any("Removed the waiver of R101" in t for t in notices(app))
        await pilot.press("ctrl+z")
        await settle(pilot)
        assert get_waiver(sample_store, *FLAG).reason == "Owner hired in January"
        assert app.flags.waived == 1


@run_async
async def test_the_dialog_refuses_what_the_cli_refuses_and_keeps_the_text(sample_store, make_app):
    app = make_app(sample_store)
    async with app.run_test(size=SMALL) as pilot:
        await settle(pilot)
        dialog = await _waiver_dialog(pilot)
        assert "Remove" not in screen_text(app)  # nothing to remove yet
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert "A reason is required" in shown_text(dialog.query_one("#waiver-error", Label))
        await pilot.press(*"Store closed")
        dialog.query_one("#waiver-until", Input).value = (TODAY - timedelta(days=1)).isoformat()
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert app.screen is dialog  # still open, with what was typed
        assert "before today" in shown_text(dialog.query_one("#waiver-error", Label))
        assert dialog.query_one("#waiver-reason", Input).value == "Store closed"
        assert list_waivers(sample_store) == []
        # the channel deleted meanwhile (e.g. by another user): refused by the same check
        records.delete_record(sample_store, "channel", FLAG[1])
        dialog.query_one("#waiver-until", Input).value = ""
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert app.screen is dialog
        error = shown_text(dialog.query_one("#waiver-error", Label))
        assert "there is no channel 'facebook/AcmeBologna'" in error
        assert list_waivers(sample_store) == []


def _channel_with_flags(app, count: int) -> str:
    by_channel: dict[str, int] = {}
    for flag in app.flags.evaluation.flags:
        if flag.subject_type == "channel" and not flag.waived:
            by_channel[flag.subject_id] = by_channel.get(flag.subject_id, 0) + 1
    return next(key for key, n in sorted(by_channel.items()) if n >= count)


async def _select_channel(pilot, key: str) -> None:
    pilot.app.goto_subject("channel", key)
    await settle(pilot)
    assert pilot.app.view().selected_key() == key


@run_async
async def test_w_in_channels_picks_one_of_the_channels_flags(sample_store, make_app):
    app = make_app(sample_store)
    async with app.run_test(size=SMALL) as pilot:
        await settle(pilot)
        channel = _channel_with_flags(app, 3)
        unwaived = [f for f in app.flags.flags_of("channel", channel) if not f.waived]
        await _select_channel(pilot, channel)
        await pilot.press("w")
        await pilot.pause()
        picker = app.screen
        assert isinstance(picker, FlagPicker)
        options = picker.query_one(OptionList)
        assert options.option_count == len(unwaived)
        listed = {flag.rule for flag in picker.flags}
        assert listed == {flag.rule for flag in unwaived}
        second = picker.flags[1]
        await pilot.press("down", "enter")
        await pilot.pause()
        dialog = app.screen
        assert isinstance(dialog, WaiverDialog)
        assert (dialog.target.rule, dialog.target.subject_id) == (second.rule, channel)
        await pilot.press(*"Agency contract ends soon", "ctrl+s")
        await settle(pilot)
        assert get_waiver(sample_store, second.rule, channel).reason == "Agency contract ends soon"
        # escape in the picker waives nothing
        await pilot.press("w")
        await pilot.pause()
        assert isinstance(app.screen, FlagPicker)
        assert len(app.screen.flags) == len(unwaived) - 1  # the waived one is not offered
        await pilot.press("escape")
        await pilot.pause()
        assert len(list_waivers(sample_store)) == 1


@run_async
async def test_w_on_a_channel_without_unwaived_flags_says_so(sample_store, make_app):
    app = make_app(sample_store)
    async with app.run_test(size=SMALL) as pilot:
        await settle(pilot)
        flagged = {f.subject_id for f in app.flags.evaluation.flags}
        clean = next(
            key
            for key in (r.key for r in records.list_records(sample_store, "channel"))
            if key not in flagged
        )
        await _select_channel(pilot, clean)
        await pilot.press("w")
        await pilot.pause()
        assert app.screen is app.screen_stack[0]  # nothing opened
        assert any(f"{clean} has no unwaived flag to waive" in t for t in notices(app))


@run_async
async def test_the_waivers_view_lists_sorts_filters_edits_and_removes(sample_store, make_app):
    _waive(sample_store, reason="Owner hired in January")
    waive(sample_store, "R104", "instagram/@acme_kids", HOSTILE_NAMES[1], None, "bob", TODAY)
    app = make_app(sample_store)
    async with app.run_test(size=SMALL) as pilot:
        await settle(pilot)
        await pilot.press("9")
        await settle(pilot)
        view = app.query_one(WaiversView)
        assert app.current_view == "waivers"
        text = screen_text(app)
        assert "2 waivers" in text and "sorted by Rule ▲" in text
        assert "[@click=app.quit]x" in text  # literal
        table = view.table
        assert [table.row_at(i).rule for i in range(2)] == ["R101", "R104"]
        await pilot.press("S")
        await pilot.pause()
        assert [table.row_at(i).rule for i in range(2)] == ["R104", "R101"]
        await pilot.press("s")  # next column: Subject, ascending
        await pilot.pause()
        assert "sorted by Subject ▲" in screen_text(app)
        assert table.row_at(0).subject_id == "facebook/AcmeBologna"
        # / filters over every column shown
        await pilot.press("slash", *"BOB")
        await pilot.pause()
        assert table.row_count == 1 and table.row_at(0).rule == "R104"
        await pilot.press("escape")
        await pilot.pause()
        assert table.row_count == 2 and app.focused is table
        # e edits the selected waiver
        table.cursor = next(i for i in range(2) if table.row_at(i).rule == "R101")
        await pilot.press("e")
        await pilot.pause()
        dialog = app.screen
        assert isinstance(dialog, WaiverDialog)
        dialog.query_one("#waiver-reason", Input).value = "Owner starts on Monday"
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert get_waiver(sample_store, *FLAG).reason == "Owner starts on Monday"
        assert "Owner starts on Monday" in screen_text(app)
        # d removes it (asks first), one undoable action
        await pilot.press("d")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmDialog)
        await pilot.press("y")
        await settle(pilot)
        assert get_waiver(sample_store, *FLAG) is None
        assert table.row_count == 1
        await pilot.press("ctrl+z")
        await settle(pilot)
        assert get_waiver(sample_store, *FLAG).reason == "Owner starts on Monday"
        assert table.row_count == 2


@run_async
async def test_the_waivers_view_is_in_the_palette_and_help(sample_store, make_app):
    app = make_app(sample_store)
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        titles = [command.title for command in app.get_system_commands(app.screen)]
        assert "Show the Waivers view (9)" in titles
        assert "Edit the organization: its name and e-mail domains (O)" in titles
        await pilot.press("9")
        await settle(pilot)
        assert "No waivers yet" in screen_text(app)


@run_async
async def test_the_organization_is_named_in_the_ui_at_80x24(empty_store, make_app):
    app = make_app(empty_store)
    async with app.run_test(size=SMALL) as pilot:
        await settle(pilot)
        text = screen_text(app)
        assert "Unnamed organization" in text
        assert "name your organization" in text  # the empty state offers it
        await pilot.press("O")
        await pilot.pause()
        form = app.screen
        assert isinstance(form, RecordForm)
        name = form.query_one("#field-name", Input)
        assert app.focused is name and name.region.height == 1  # on screen at 80x24
        await pilot.press(*HOSTILE_NAMES[3], "ctrl+s")
        await settle(pilot)
        assert not isinstance(app.screen, RecordForm)
        assert records.read_organization(empty_store).name == HOSTILE_NAMES[3]
        text = screen_text(app)
        assert text.splitlines()[0].startswith(HOSTILE_NAMES[3])  # the header, literal
        assert "name your organization" not in text
        await pilot.press("ctrl+z")
        await settle(pilot)
        assert not records.has_organization(empty_store)
        assert "Unnamed organization" in screen_text(app)


@run_async
async def test_a_new_inventory_says_so_and_offers_the_next_steps(empty_store, make_app):
    assert empty_store.created
    app = make_app(empty_store)
    async with app.run_test(size=SMALL) as pilot:
        await settle(pilot)
        said = " ".join(notices(app))
        assert "There was no inventory in new.db: a new, empty one was created" in said
        text = screen_text(app)
        for step in ("add your first channel", "ctrl+o", "name your organization"):
            assert step in text, step


@run_async
async def test_an_existing_inventory_opens_without_the_notice(sample_store, make_app):
    assert not sample_store.created
    app = make_app(sample_store)
    async with app.run_test(size=SMALL) as pilot:
        await settle(pilot)
        assert not any("new, empty" in t for t in notices(app))


@run_async
async def test_an_unchanged_hostile_reason_is_kept_as_it_was(sample_store, make_app):
    hostile = "wipe\x1b[2Jscreen [@click=app.quit]x"
    _waive(sample_store, reason=hostile)
    app = make_app(sample_store)
    async with app.run_test(size=SMALL) as pilot:
        await settle(pilot)
        await pilot.press("9")
        await settle(pilot)
        await pilot.press("e")
        await pilot.pause()
        dialog = app.screen
        shown = dialog.query_one("#waiver-reason", Input).value
        assert "\x1b" not in shown and "␛[2J" in shown  # never sent to the terminal
        dialog.query_one("#waiver-until", Input).value = (TODAY + timedelta(days=9)).isoformat()
        await pilot.press("ctrl+s")
        await settle(pilot)
        changed = get_waiver(sample_store, *FLAG)
        assert changed.reason == hostile and changed.until == TODAY + timedelta(days=9)
        assert app.is_running
