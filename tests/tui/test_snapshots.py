"""What the screen looks like: SVG snapshots at 120x36, every view at 80x24 and 160x50.

Fixed as_of (2026-11-26), cursors not blinking, only the database's file name on screen.
Update with `uv run pytest tests/tui --snapshot-update` after looking at the new SVGs.
"""

from __future__ import annotations

import pytest

from inventory import history, records
from inventory.store import open_store

from .conftest import run_async, settle
from .screen import no_blink

WIDE = (120, 36)


def keys(*pressed: str, wait: float = 0.0):
    async def run_before(pilot) -> None:
        await settle(pilot)
        for key in pressed:
            await pilot.press(key)
            await pilot.pause()
        if wait:
            await pilot.pause(wait)
        await settle(pilot)
        no_blink(pilot.app)

    return run_before


VIEW_SIZES = [(80, 24), (160, 50)]


VIEWS = "123456789"
VIEW_APPS = [((160, 50), VIEWS), ((80, 24), "41236789"), ((80, 24), "5")]
"""The apps that show the views: at 80x24, Departments (4) and Consultants (5) each draw
their horizontal scrollbar's thumb a column off once the other was shown (a state the two
record lists share), so they don't share an app."""


async def back_to_channels(pilot) -> None:
    """Each view is opened from the first one, as in an app of its own."""
    await pilot.press("1")
    await settle(pilot)


@run_async
async def test_each_view_on_the_sample(screen_snapshots, sample_stores, make_app):
    """Every list view, small and large (the Overview, 0: test_overview_on_the_sample): the
    snapshot of `view` at `size` is test_each_view_on_the_sample[<view>-<size>].svg."""
    names = []
    for (width, height), views in VIEW_APPS:
        shots = [(f"{view}-{width}x{height}", keys(view)) for view in views]
        names += [name for name, _ in shots]
        app = make_app(sample_stores())
        await screen_snapshots.run(app, (width, height), shots, after=back_to_channels)
    screen_snapshots.check(names)


@pytest.mark.parametrize("size", VIEW_SIZES, ids=["80x24", "160x50"])
def test_channels_scrolled_right(snap_compare, sample_store, make_app, size):
    """Scrolled sideways to the last column: flags, platform and handle stay in place."""
    moves = ["right"] * 12
    assert snap_compare(make_app(sample_store), terminal_size=size, run_before=keys(*moves))


def test_detail_pane_with_flags_and_explanations(snap_compare, sample_store, make_app):
    # instagram/@acme_kids is the 15th channel in platform order; it has 3 flags
    moves = ["down"] * 14
    assert snap_compare(make_app(sample_store), terminal_size=WIDE, run_before=keys(*moves, "i"))


def test_flagged_only_sorted_by_flags(snap_compare, sample_store, make_app):
    assert snap_compare(make_app(sample_store), terminal_size=WIDE, run_before=keys("f", "s"))


def test_form_with_validation_errors(snap_compare, sample_store, make_app):
    # a new channel saved empty: platform, handle and name are required
    assert snap_compare(make_app(sample_store), terminal_size=WIDE, run_before=keys("n", "ctrl+s"))


def test_help_screen(snap_compare, sample_store, make_app):
    assert snap_compare(make_app(sample_store), terminal_size=WIDE, run_before=keys("?"))


def test_empty_state(snap_compare, empty_store, make_app):
    assert snap_compare(make_app(empty_store), terminal_size=WIDE, run_before=keys())


def test_delete_asks(snap_compare, sample_store, make_app):
    assert snap_compare(make_app(sample_store), terminal_size=WIDE, run_before=keys("d"))


def test_hostile_names_in_the_channel_list(snap_compare, hostile_store, make_app):
    assert snap_compare(make_app(hostile_store), terminal_size=WIDE, run_before=keys("down"))


def test_small_terminal(snap_compare, sample_store, make_app):
    assert snap_compare(make_app(sample_store), terminal_size=(80, 24), run_before=keys())


def test_conflict_dialog(snap_compare, sample_store, make_app, monkeypatch):
    """Bob saved the channel while the form was open: both versions, field by field."""
    monkeypatch.setattr(history, "now_utc", lambda: "2026-11-26T09:30:00Z")
    key = "bluesky/acme-italia.bsky.social"
    bob = open_store(sample_store.path, source="ui")
    bob.user = "bob"

    async def run_before(pilot) -> None:
        await settle(pilot)
        await pilot.press("e")
        await pilot.pause()
        loaded = records.get_record(bob, "channel", key)
        theirs = {"name": "Acme Italia [b]by Bob[/b]", "weekly_hours": 9}
        records.save_record(
            bob,
            "channel",
            loaded.record.model_copy(update=theirs),
            original_key=key,
            expected_revision=loaded.revision,
        )
        await pilot.click("#field-name")
        await pilot.press("end", *" mine")
        await pilot.press("ctrl+s")
        await settle(pilot)
        no_blink(pilot.app)

    try:
        assert snap_compare(make_app(sample_store), terminal_size=WIDE, run_before=run_before)
    finally:
        bob.close()


def test_small_terminal_people(snap_compare, sample_store, make_app):
    assert snap_compare(make_app(sample_store), terminal_size=(80, 24), run_before=keys("3"))


@pytest.mark.parametrize("size", [(80, 24), (160, 50)])
def test_overview_on_the_sample(snap_compare, sample_store, make_app, size):
    assert snap_compare(make_app(sample_store), terminal_size=size, run_before=keys("0"))


@pytest.mark.parametrize("size", [(80, 24), (160, 50)])
def test_overview_on_an_empty_inventory(snap_compare, empty_store, make_app, size):
    assert snap_compare(make_app(empty_store), terminal_size=size, run_before=keys("0"))


def _waivers(store) -> None:
    """Three waivers made on 2026-11-20: one with a hostile reason, one expired by the
    evaluation date (2026-11-26), one whose rule flags nothing now."""
    from datetime import date

    from inventory.rules.waivers import waive

    made = date(2026, 11, 20)
    for rule, subject, reason, until, by in [
        ("R101", "facebook/AcmeBologna", "[bold red]Owner[/] hired\x1b[2J in Jan", None, "giulia"),
        ("R104", "instagram/@acme_kids", "Agency contract ends", date(2026, 11, 25), "bob"),
        ("R101", "instagram/@acme_it", "Kept for the record", date(2027, 1, 31), "ann"),
    ]:
        waive(store, rule, subject, reason, until, by, made)


def test_waivers_view_small(snap_compare, sample_store, make_app):
    _waivers(sample_store)
    assert snap_compare(make_app(sample_store), terminal_size=(80, 24), run_before=keys("9"))


def test_waiver_dialog_small(snap_compare, sample_store, make_app):
    _waivers(sample_store)
    app = make_app(sample_store)
    assert snap_compare(app, terminal_size=(80, 24), run_before=keys("9", "e"))
