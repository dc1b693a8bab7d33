"""Every column of every list sorts from the keyboard, both ways, without a crash."""

from __future__ import annotations

import pytest

from inventory.tui.widgets.virtual_table import VirtualTable

from .conftest import run_async, settle
from .screen import screen_text

SIZE = (160, 50)


def rows(table: VirtualTable) -> list:
    return [table.row_at(i) for i in range(table.row_count)]


@run_async
async def test_flags_sorted_by_flags_then_reversed_does_not_crash(sample_store, make_app):
    """Seen: Channels, `s` until "sorted by Flags", then `S`: OperationalError near "DESC"."""
    app = make_app(sample_store)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        view = app.view("channels")
        while view.query_state.sort != "flag":
            await pilot.press("s")
            await pilot.pause()
        await pilot.press("S")
        await settle(pilot)
        assert app.is_running
        assert "sorted by Flags ▼" in screen_text(app)
        table = view.table
        assert table.row_count == 53
        # reversed: the worst flagged channels last
        assert table.row_at(0).mark is None
        assert table.row_at(52).mark.severity == "error"


@pytest.mark.parametrize("view_key", ["1", "2", "3", "4", "5", "6", "7"])
@run_async
async def test_every_sort_key_both_directions(view_key, sample_store, make_app):
    app = make_app(sample_store)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press(view_key)
        await settle(pilot)
        view = app.view()
        table = view.table
        if isinstance(table, VirtualTable):
            labels = [c.label for c in table.columns if c.sortable]
            # every column sorts, except the flag marks of the record lists (they come
            # from the evaluation, not from the database the list is paged from)
            unsorted = [c.key for c in table.columns if not c.sortable]
            assert unsorted == ([] if view_key in "127" else ["flag"] if view_key != "3" else [])
        else:  # the rules' DataTable
            labels = [c.label for c in view.COLUMNS]
        seen = set()
        for _ in labels:
            await pilot.press("s")
            await settle(pilot)
            text = screen_text(app)
            label = next(label for label in labels if f"sorted by {label} ▲" in text)
            seen.add(label)
            if isinstance(table, VirtualTable):
                ascending = rows(table)
            await pilot.press("S")
            await settle(pilot)
            assert app.is_running
            assert f"sorted by {label} ▼" in screen_text(app)
            if isinstance(table, VirtualTable) and view_key != "2":
                # SQL lists reverse exactly (ties included); empty values stay last
                descending = rows(table)
                assert len(descending) == len(ascending)
                if label != "Flags":  # flag marks tie on platform and handle order
                    assert [r.key for r in descending] != [r.key for r in ascending]
        assert seen == set(labels)


@run_async
async def test_the_flags_detail_counts_the_subjects_flags(sample_store, make_app):
    """Seen: in Flags, the detail pane's "Flags: 1" counted the selected flag only."""
    app = make_app(sample_store)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("2")
        await settle(pilot)
        view = app.view()
        table = view.table
        index = next(
            i
            for i in range(table.row_count)
            if len(app.flags.flags_of("channel", table.row_at(i).subject_id)) == 3
            and table.row_at(i).subject_type == "channel"
        )
        table.cursor = index
        await settle(pilot)
        flag = table.current_row
        total = app.flags.flags_of("channel", flag.subject_id)
        unwaived = sum(not f.waived for f in total)
        assert f"Flags: {unwaived}" in screen_text(app)
        assert unwaived > 1
