"""Everything in reach at 80x24: the detail pane takes focus and scrolls; the layout
follows every resize."""

from __future__ import annotations

from inventory.tui.widgets.detail import DetailPane

from .conftest import run_async, settle
from .screen import screen_text


@run_async
async def test_tab_focuses_the_detail_pane_and_it_scrolls(sample_store, make_app):
    """Seen: at 80x24 a channel's flags were below the fold and the pane couldn't be focused."""
    app = make_app(sample_store)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        view = app.view("channels")
        table = view.table
        table.cursor = next(
            i for i in range(table.row_count) if table.row_at(i).key == "facebook/AcmeBologna"
        )
        await settle(pilot)
        await pilot.press("tab")
        await pilot.pause()
        pane = app.focused
        assert isinstance(pane, DetailPane)
        assert pane.max_scroll_y > 0
        await pilot.press("end")
        await pilot.pause()
        assert pane.scroll_y == pane.max_scroll_y
        assert "i: explain each flag" in screen_text(app)  # the pane's last line
        await pilot.press("shift+tab")  # back to the list
        await pilot.pause()
        assert app.focused is table


@run_async
async def test_the_layout_follows_every_resize(sample_store, make_app):
    """Seen: resizing from 120 to 80 columns (or back) kept the old header, tabs and footer."""
    app = make_app(sample_store)
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        assert "errors" in screen_text(app).splitlines()[0]
        await pilot.resize_terminal(80, 24)
        await settle(pilot)
        lines = [line for line in screen_text(app).splitlines() if line.strip()]
        assert "errors" not in lines[0] and "✖" in lines[0]
        assert "Chan." in lines[1] or "Channels" in lines[1]
        await pilot.resize_terminal(200, 50)
        await settle(pilot)
        lines = [line for line in screen_text(app).splitlines() if line.strip()]
        assert "errors" in lines[0]
        assert "Departments" in lines[1]
