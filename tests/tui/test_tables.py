"""Tables a spreadsheet user accepts: columns sized from their content, headers never cut,
the identifying columns kept in place while scrolling sideways, layout that follows resizes."""

from __future__ import annotations

from inventory.tui.widgets.virtual_table import Column, ListSource, VirtualTable, layout_widths

from .conftest import run_async, settle

WIDE = (200, 50)
NARROW = (80, 24)
LIST_VIEWS = "123456789"  # Channels, Flags, People, ..., Rules, Lookalikes, Waivers


def line(table: VirtualTable, y: int) -> str:
    return table.render_line(y).text


def whole_widths(table: VirtualTable) -> list[int]:
    """The widths every column wants: header (with the sort arrow) or widest cell, capped."""
    return [
        min(max(c.header_width(c.key == table.sort_column), natural), max(c.width, len(c.label)))
        for c, natural in zip(table.columns, table._natural, strict=True)
    ]


@run_async
async def test_headers_are_whole_and_the_width_is_used_at_200_columns(sample_store, make_app):
    """Seen: at 200 columns headers read "Platfo… ▲" while ~15 columns stayed empty."""
    app = make_app(sample_store)
    async with app.run_test(size=WIDE) as pilot:
        await settle(pilot)
        for key in LIST_VIEWS:
            await pilot.press(key)
            await settle(pilot)
            table = app.view().table
            header = line(table, 0)
            assert "…" not in header, (key, header)
            for column in table.columns:
                label = column.label
                if column.key == table.sort_column:
                    label += " ▼" if table.sort_descending else " ▲"
                assert label in header, (key, label, header)
            width = table.scrollable_content_region.width
            used = sum(table._widths) + len(table._widths) - 1
            wanted = whole_widths(table)
            if sum(wanted) + len(wanted) - 1 <= width:
                # room for everything: every cell whole, and the rest given out (no gap)
                assert all(w >= n for w, n in zip(table._widths, wanted, strict=True)), key
                assert used == width, (key, used, width)
            else:  # the table fills the width and scrolls for the rest
                assert used >= width, (key, used, width)
        channels = app.view("channels").table
        assert "Platform ▲" in line(channels, 0)


@run_async
async def test_the_handle_stays_when_scrolling_right_at_80_columns(sample_store, make_app):
    """Seen: at 80 columns the handle scrolled away with the rest of the row."""
    app = make_app(sample_store)
    async with app.run_test(size=NARROW) as pilot:
        await settle(pilot)
        table = app.view().table
        row = table.current_row
        assert table.max_scroll_x > 0  # 12 columns don't fit in 80
        for _ in range(len(table.columns)):
            await pilot.press("right")
            await pilot.pause()
        assert table.scroll_x == table.max_scroll_x
        header, first = line(table, 0), line(table, 1)
        for label in ("Flags", "Platform ▲", "Handle", "Status"):
            assert label in header, header
        assert row.platform in first and row.handle in first and row.status in first
        assert "│" in header  # where the columns kept in place end
        await pilot.press("left")
        await pilot.pause()
        assert 0 < table.scroll_x < table.max_scroll_x  # one column back, not one cell
        for _ in range(len(table.columns)):
            await pilot.press("left")
        await pilot.pause()
        assert table.scroll_x == 0


@run_async
async def test_every_list_keeps_its_identifying_columns_at_80_columns(sample_store, make_app):
    app = make_app(sample_store)
    identifying = {
        "1": ["Flags", "Platform", "Handle"],
        "2": ["Severity", "Rule", "Subject id"],
        "3": ["E-mail"],
        "4": ["Flags", "Name"],
        "5": ["Flags", "Name"],
        "6": ["Flags", "Version"],
        "7": ["Code"],
        "8": ["Flags", "Platform", "Handle"],
    }
    async with app.run_test(size=NARROW) as pilot:
        await settle(pilot)
        for key, labels in identifying.items():
            await pilot.press(key)
            await settle(pilot)
            table = app.view().table
            assert [c.label for c in table.columns[: table.frozen]] == labels, key
            table.scroll_to(x=table.max_scroll_x, animate=False)
            await pilot.pause()
            header = line(table, 0)
            for label in labels:
                assert label in header, (key, header)
            row = table.current_row
            first_key = row.subject_id if key == "2" else row.key
            shown = line(table, 1)
            assert first_key.split("/")[-1] in shown or first_key in shown, (key, shown)
        # shown again after the others: the scrollbar's thumb is still sized for the
        # content, not for the stable gutter too (it was a cell longer)
        for key in "45":
            await pilot.press(key)
            await settle(pilot)
            table = app.view().table
            assert table.show_horizontal_scrollbar, key
            window = table.horizontal_scrollbar.window_size
            assert window == table.scrollable_content_region.width, key


@run_async
async def test_the_layout_follows_resizing(sample_store, make_app):
    """Resizing 80 -> 200 -> 80 columns gives the layout a fresh start at that size gives."""
    app = make_app(sample_store)
    async with app.run_test(size=WIDE) as pilot:
        await settle(pilot)
        table = app.view().table
        wide = list(table._widths)
        await pilot.resize_terminal(*NARROW)
        await settle(pilot)
        narrow = list(table._widths)
        assert sum(narrow) < sum(wide)
        assert table.max_scroll_x > 0
        await pilot.resize_terminal(*WIDE)
        await settle(pilot)
        assert table._widths == wide
        assert "…" not in line(table, 0)
    fresh = make_app(sample_store)
    async with fresh.run_test(size=NARROW) as pilot:
        await settle(pilot)
        assert fresh.view().table._widths == narrow


def columns(*specs: tuple) -> list[Column]:
    return [Column(*spec) for spec in specs]


def test_columns_are_as_wide_as_their_content_up_to_the_cap():
    cols = columns(("a", "A", 10), ("b", "Bee", 20, 5), ("c", "C", 4))
    # content narrower than the cap: its own width; header wider: the header's
    assert layout_widths(cols, [6, 30, 2], 100)[0] >= 6
    widths = layout_widths(cols, [6, 30, 2], 6 + 20 + 2 + 2)
    assert widths == [6, 20, 2]  # the text column cut at its cap: exactly the room
    # spare room: first the cells the cap cut, then the text columns
    assert layout_widths(cols, [6, 30, 2], 6 + 30 + 2 + 2) == [6, 30, 2]
    assert layout_widths(cols, [6, 30, 2], 6 + 40 + 2 + 2) == [6, 40, 2]


def test_the_sort_arrow_has_room_and_headers_are_never_cut():
    cols = columns(("platform", "Platform", 9), ("name", "Name", 30, 8))
    widths = layout_widths(cols, [9, 12], 80, sort="platform")
    assert widths[0] == len("Platform ▲")
    # short of room: text columns shrink, never below their header
    widths = layout_widths(cols, [9, 30], 20, sort="name")
    assert widths[1] >= len("Name ▲") and widths[0] == 9


def test_short_of_room_the_widest_text_column_gives_first():
    cols = columns(("k", "Key", 20, 6), ("a", "A", 30, 6), ("b", "B", 30, 6))
    widths = layout_widths(cols, [20, 30, 8], 20 + 20 + 8 + 2, frozen=1)
    assert widths == [20, 20, 8]  # the frozen key keeps its width; the short one too
    assert layout_widths(cols, [20, 30, 8], 10, frozen=1) == [20, 6, 6]  # floors: scroll


@run_async
async def test_clicking_a_rules_header_sorts_by_it(sample_store, make_app):
    """Rules moved from a DataTable to the VirtualTable: its headers sort, as every list's."""
    app = make_app(sample_store)
    async with app.run_test(size=WIDE) as pilot:
        await settle(pilot)
        await pilot.press("7")
        await settle(pilot)
        table = app.view().table
        title = table._column_starts()[[c.key for c in table.columns].index("title")]
        await pilot.click("#rules-table", offset=(title + 1, 0))
        await settle(pilot)
        titles = [table.row_at(i).rule.title.casefold() for i in range(table.row_count)]
        assert titles == sorted(titles)
        assert "Title ▲" in line(table, 0)
        await pilot.click("#rules-table", offset=(title + 1, 0))
        await settle(pilot)
        assert "Title ▼" in line(table, 0)
        assert table.row_at(0).rule.title.casefold() == max(titles)


def test_a_reload_measures_only_the_rows_that_changed_and_still_widens_for_them():
    """Tables whose cells come from the row alone (the channel list) measure, on a reload,
    only rows unequal to the ones they replace; a longer one still widens its column."""
    measured: list[str] = []

    class Names(VirtualTable):
        columns = (Column("name", "Name", 40),)
        cells_of_row_alone = True

        def cells(self, row):
            measured.append(row[0])
            return super().cells(row)

    rows = [(f"name {n}",) for n in range(5)]
    table = Names(ListSource(rows))
    table.reload()
    assert measured == [r[0] for r in rows] and table._natural == [6]
    measured.clear()
    rows[3] = ("a much longer name",)
    table.reload()
    assert measured == ["a much longer name"]
    assert table._natural == [len("a much longer name")]
