"""The waive dialog reads its until date as the command line does: YYYY-MM-DD only."""

from __future__ import annotations

from textual.widgets import Input, Label

from inventory.tui.screens.waiver import WaiverDialog

from .conftest import run_async, settle

SIZE = (120, 36)


@run_async
async def test_the_waive_dialog_refuses_what_the_cli_refuses(sample_store, make_app):
    app = make_app(sample_store)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("2")
        await pilot.pause()
        await pilot.press("w")
        await pilot.pause()
        dialog = app.screen
        assert isinstance(dialog, WaiverDialog)
        await pilot.press(*"Store closed")
        for text in ("20261126", "2026-W48-4"):
            dialog.query_one("#waiver-until", Input).value = text
            await pilot.press("ctrl+s")
            await pilot.pause()
            assert app.screen is dialog, text  # still open: nothing waived
            error = str(dialog.query_one("#waiver-error", Label).render())
            assert "YYYY-MM-DD" in error, error
        dialog.query_one("#waiver-until", Input).value = "2099-12-31"
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert app.screen is not dialog
