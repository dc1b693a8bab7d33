"""The Overview (key 0): its figures, built from the history, and each line's enter leading
to the list behind it."""

from __future__ import annotations

import copy
import json
from pathlib import Path

import pytest
from conftest import MINIMAL_DOCUMENT
from textual.widgets import Input, OptionList

from inventory import history, records
from inventory.document import import_document, parse_document
from inventory.models import Channel
from inventory.store import Store, open_store
from inventory.tui.app import InventoryApp
from inventory.tui.screens.dialogs import MessageDialog
from inventory.tui.views.flags import FlagsTable, FlagsView
from inventory.tui.widgets.channel_table import ChannelTable

from .conftest import AS_OF, run_async, settle
from .screen import texts, widget_text

SIZE = (120, 40)


@pytest.fixture
def history_store(tmp_path: Path, monkeypatch) -> Store:
    """A history with known times (as_of is 2026-11-26):

    - 2026-09-20: import; Customer Care is blocked (R201), one channel has no owner (R101)
    - 2026-11-01: Customer Care opened (R201 resolved); a channel without hours added (R601)
    """
    moment = {"now": "2026-09-20T10:00:00Z"}
    monkeypatch.setattr(history, "now_utc", lambda: moment["now"])
    document = copy.deepcopy(MINIMAL_DOCUMENT)
    document["departments"][0]["social_access"] = "blocked"
    orphan = copy.deepcopy(document["channels"][0])
    # no owner (R101); anna backs it up, so two in-house people still get in (no R107)
    orphan.update(handle="@orphan", name="Orphan", owner=None, backup_owner="anna@test.example")
    document["channels"].append(orphan)
    store = open_store(tmp_path / "history.db", source="ui")
    import_document(store, parse_document(json.dumps(document)), replace=True)
    moment["now"] = "2026-11-01T09:00:00Z"
    later = copy.deepcopy(document)
    later["departments"][0]["social_access"] = "open"
    idle = copy.deepcopy(document["channels"][0])
    idle.update(handle="@idle", name="Idle", weekly_hours=0)
    later["channels"].append(idle)
    import_document(store, parse_document(json.dumps(later)), replace=False)
    yield store
    store.close()


async def open_overview(pilot) -> OptionList:
    await settle(pilot)
    await pilot.press("0")
    await settle(pilot)
    return pilot.app.query_one("#overview-items", OptionList)


async def choose(pilot, items: OptionList, option_id: str) -> None:
    items.highlighted = items.get_option_index(option_id)
    await pilot.pause()
    await pilot.press("enter")
    await settle(pilot)


def overview_items(app: InventoryApp) -> str:
    """The Overview's lines as its list shows them."""
    return widget_text(app.query_one("#overview-items", OptionList))


def shown_flags(app: InventoryApp) -> list[tuple[str, str]]:
    table = app.query_one(FlagsTable)
    return [(flag.rule, flag.subject_id) for flag in table._source.page(0, table.row_count)]


@run_async
async def test_figures_from_the_history(history_store: Store) -> None:
    app = InventoryApp(history_store, AS_OF)
    async with app.run_test(size=SIZE) as pilot:
        await open_overview(pilot)
        text = overview_items(app)
        assert "✖ FAIL  gate (--fail-on error): 1 open error" in text
        # recommendation 2 had R201 30 days ago (2026-10-27), not now: -1
        line = next(row for row in text.splitlines() if row.lstrip().startswith("2 Stop"))
        assert line.rstrip().endswith("-1"), text
        line = next(row for row in text.splitlines() if row.lstrip().startswith("6 "))
        assert line.rstrip().endswith("+1")
        assert "New since 2026-10-27: 1 open flag" in text
        assert "Resolved since 2026-10-27: 1 flag" in text
        # 12 weeks from 2026-09-10: the first points are before the history (·)
        trend = next(row for row in text.splitlines() if "Open flags, 12 weeks" in row)
        assert trend.count("·") == 2 and "2 now" in trend


@run_async
async def test_gate_leads_to_the_failing_flags(history_store: Store) -> None:
    app = InventoryApp(history_store, AS_OF)
    async with app.run_test(size=SIZE) as pilot:
        items = await open_overview(pilot)
        await choose(pilot, items, "gate:error")
        assert app.current_view == "flags"
        assert shown_flags(app) == [("R101", "instagram/@orphan")]


@run_async
async def test_a_bar_leads_to_its_recommendation(history_store: Store) -> None:
    app = InventoryApp(history_store, AS_OF)
    async with app.run_test(size=SIZE) as pilot:
        items = await open_overview(pilot)
        await choose(pilot, items, "rec:6")
        assert shown_flags(app) == [("R601", "instagram/@idle")]
        # escape shows every flag again
        await pilot.press("escape")
        await settle(pilot)
        assert len(shown_flags(app)) == len(app.flags.evaluation.flags)


@run_async
async def test_new_since_leads_to_the_new_flags_and_resolved_to_a_list(
    history_store: Store,
) -> None:
    app = InventoryApp(history_store, AS_OF)
    async with app.run_test(size=SIZE) as pilot:
        items = await open_overview(pilot)
        await choose(pilot, items, "new")
        assert shown_flags(app) == [("R601", "instagram/@idle")]
        assert "only new since 2026-10-27" in widget_text(app.query_one("#flags-status"))
        items = await open_overview(pilot)
        await choose(pilot, items, "resolved")
        assert isinstance(app.screen, MessageDialog)
        assert "R201  department Customer Care" in texts(app.screen)


@run_async
async def test_a_date_picked_moves_new_and_resolved(history_store: Store) -> None:
    app = InventoryApp(history_store, AS_OF)
    async with app.run_test(size=SIZE) as pilot:
        await open_overview(pilot)
        await pilot.press("s")
        field = app.query_one("#overview-since", Input)
        assert field.has_focus
        field.value = ""
        await pilot.press(*"2026-11-02", "enter")
        await settle(pilot)
        text = overview_items(app)
        assert "New since 2026-11-02: 0 open flags" in text
        assert "Resolved since 2026-11-02: 0 flags" in text
        # before the history: said so, nothing crashes
        await pilot.press("s")
        field.value = ""
        await pilot.press(*"2026-01-01", "enter")
        await settle(pilot)
        assert "New since 2026-01-01: no history then" in overview_items(app)
        # not a date: a message, the date stays
        await pilot.press("s")
        field.value = ""
        await pilot.press(*"soon", "enter")
        await settle(pilot)
        assert "New since 2026-01-01" in overview_items(app)


@run_async
async def test_owners_and_channels_lead_to_their_lists(sample_store: Store) -> None:
    app = InventoryApp(sample_store, AS_OF)
    async with app.run_test(size=SIZE) as pilot:
        items = await open_overview(pilot)
        await choose(pilot, items, "owner:laura.neri@buzzguru.example")
        assert app.current_view == "channels"
        table = app.query_one(ChannelTable)
        rows = table._source.page(0, table.row_count)
        assert rows and all(row.owner == "laura.neri@buzzguru.example" for row in rows)
        items = await open_overview(pilot)
        await choose(pilot, items, "channel:instagram/@acme_kids")
        assert app.current_view == "flags"
        flags = shown_flags(app)
        assert len(flags) == 6 and {subject for _, subject in flags} == {"instagram/@acme_kids"}


@run_async
async def test_a_save_updates_the_overview(sample_store: Store) -> None:
    app = InventoryApp(sample_store, AS_OF)
    async with app.run_test(size=SIZE) as pilot:
        await open_overview(pilot)
        assert "5 open errors" in overview_items(app)
        loaded = records.get_record(sample_store, "channel", "facebook/AcmeBologna")
        assert loaded is not None
        fixed = Channel.model_validate(
            loaded.record.model_dump() | {"owner": "giulia.rossi@acme.example"}
        )
        records.save_record(
            sample_store,
            "channel",
            fixed,
            original_key="facebook/AcmeBologna",
            expected_revision=loaded.revision,
        )
        app.changed("channel", "facebook/AcmeBologna", {"facebook/AcmeBologna"})
        await settle(pilot)
        assert "4 open errors" in overview_items(app)


@run_async
async def test_the_empty_inventory(empty_store: Store) -> None:
    app = InventoryApp(empty_store, AS_OF)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_overview(pilot)
        text = overview_items(app)
        # an empty inventory has no approved policy: R501 fails the gate, as `check` does
        assert "✖ FAIL  gate (--fail-on error)" in text
        assert "New since 2026-10-27: no history then" in text


@run_async
async def test_fail_on_never_passes(sample_store: Store) -> None:
    app = InventoryApp(sample_store, AS_OF, fail_on="never")
    async with app.run_test(size=SIZE) as pilot:
        await open_overview(pilot)
        assert "✔ PASS  gate (--fail-on never)" in overview_items(app)
        assert isinstance(app.view("flags"), FlagsView)


@run_async
async def test_a_history_that_cant_be_read_is_said_and_the_ui_goes_on(
    history_store: Store, monkeypatch
) -> None:
    from inventory.tui.views import overview

    def broken(*args, **kwargs):
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(overview, "evaluate_past", broken)
    app = InventoryApp(history_store, AS_OF)
    async with app.run_test(size=SIZE) as pilot:
        await open_overview(pilot)
        status = widget_text(app.query_one("#overview-status"))
        assert "the history could not be read: disk on fire" in status
        await pilot.press("1")
        await settle(pilot)
        assert app.current_view == "channels"
