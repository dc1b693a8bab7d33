"""After a channel save the UI re-evaluates that channel only; what it shows must equal a
full evaluation: flags by subject and rule, totals, marks in the list."""

from __future__ import annotations

import gc

import pytest

import inventory.tui.evaluation as evaluation_module
from inventory import records
from inventory.listing import (
    ChannelQuery,
    install_flag_marks,
    page_channels,
    update_flag_marks,
)
from inventory.tui.state import FlagIndex, evaluate
from inventory.tui.widgets.channel_table import ChannelTable

from .conftest import AS_OF, run_async, settle
from .screen import screen_text


def same(index: FlagIndex, full: FlagIndex) -> None:
    assert index.evaluation.flags == full.evaluation.flags
    assert index.by_subject == full.by_subject
    assert index.by_rule == full.by_rule
    assert index.totals == full.totals
    assert index.waived == full.waived
    assert index.channel_marks == full.channel_marks


def marks_listed(store) -> dict[str, object]:
    rows = page_channels(store.conn, ChannelQuery(), 0, 1000)
    return {row.key: row.mark for row in rows}


def test_incremental_index_and_marks_equal_a_full_evaluation(sample_store):
    store = sample_store
    shown = evaluate(store, AS_OF).index
    install_flag_marks(store.conn, shown.channel_marks)
    key = "instagram/@acme_it"
    loaded = records.get_record(store, "channel", key)
    # an external owner (R102), no hours, renamed: old and new key both changed
    external = next(p for p in records.list_people(store) if p.employment == "external")
    changed = loaded.record.model_copy(
        update={"owner": external.email, "handle": "@acme_it2", "weekly_hours": None}
    )
    records.save_record(
        store, "channel", changed, original_key=key, expected_revision=loaded.revision
    )
    evaluated = evaluate(store, AS_OF, shown, {key, "instagram/@acme_it2"})
    assert evaluated.marks is not None and set(evaluated.marks) == {key, "instagram/@acme_it2"}
    full = FlagIndex.of(evaluate(store, AS_OF).index.evaluation)
    same(evaluated.index, full)
    assert evaluated.index.flags_of("channel", "instagram/@acme_it2")
    assert not evaluated.index.flags_of("channel", key)

    update_flag_marks(store.conn, evaluated.marks)
    incremental_marks = marks_listed(store)
    install_flag_marks(store.conn, full.channel_marks)
    assert incremental_marks == marks_listed(store)
    assert incremental_marks["instagram/@acme_it2"] is not None


@run_async
async def test_a_channel_save_is_re_evaluated_incrementally_and_shown(
    sample_store, make_app, monkeypatch
):
    app = make_app(sample_store)
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        table = app.query_one(ChannelTable)
        full_index = app.flags
        key = table.current_row.key
        loaded = records.get_record(sample_store, "channel", key)
        records.save_record(
            sample_store, "channel", loaded.record.model_copy(update={"owner": None}),
            original_key=key, expected_revision=loaded.revision,
        )  # fmt: skip
        calls = []
        original = evaluation_module.evaluate

        def spy(store, as_of, previous=None, changed=()):
            calls.append((previous, set(changed)))
            return original(store, as_of, previous, changed)

        monkeypatch.setattr(evaluation_module, "evaluate", spy)
        app.changed("channel", key, {key})
        assert not gc.isenabled()  # no cyclic collections until the new flags are shown
        await settle(pilot)
        assert gc.isenabled()
        assert calls == [(full_index, {key})]  # only that channel evaluated again
        same(app.flags, FlagIndex.of(evaluate(sample_store, AS_OF).index.evaluation))
        assert table.current_row.key == key
        assert table.current_row.mark is not None
        assert "R101 error Live channel has no owner" in screen_text(app)

        # a change of unknown extent (undo, waiver, rule, other records): a full evaluation
        app.changed()
        await settle(pilot)
        assert calls[-1] == (None, set())


@pytest.mark.rules_child  # the slow rule is stopped by killing the child
@run_async
async def test_a_slow_rule_never_freezes_the_ui(sample_store, make_app, monkeypatch):
    """Issue 10: the re-evaluation after a save runs off the UI thread; the header says
    the flags are updating, and keys keep working meanwhile."""
    import sqlite3
    import time

    monkeypatch.setenv("INVENTORY_RULE_TIMEOUT", "3")
    app = make_app(sample_store)
    async with app.run_test(size=(120, 36)) as pilot:
        deadline = time.monotonic() + 20
        while not app.evaluated and time.monotonic() < deadline:
            await pilot.pause(0.1)
        # the slow rule arrives after the first evaluation, which needn't wait for it
        conn = sqlite3.connect(sample_store.path)
        conn.execute(
            """INSERT INTO rules (code, recommendation, title, severity, subject_type,
                   condition, message) VALUES ('X999', 1, 'Slow', 'info', 'channel',
                   'length(printf(''%.*c'', 2147483647, ''x'')) > 0', '''slow''')"""
        )
        conn.commit()
        conn.close()
        table = app.query_one(ChannelTable)
        key = table.current_row.key
        loaded = records.get_record(sample_store, "channel", key)
        records.save_record(
            sample_store, "channel", loaded.record.model_copy(update={"notes": "n"}),
            original_key=key, expected_revision=loaded.revision,
        )  # fmt: skip
        app.changed("channel", key, {key})
        await pilot.press("2")  # switch view while the rules run (3 s or more)
        await pilot.pause()
        # the key was handled and the screen drawn before the evaluation ended
        assert app.current_view == "flags"
        assert app.updating
        assert "updating flags" in screen_text(app)
        while app.updating and time.monotonic() < deadline + 10:
            await pilot.pause(0.1)
        assert not app.updating
        assert "X999" in {broken.rule for broken in app.flags.evaluation.broken_rules}
