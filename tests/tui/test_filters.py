"""`/` filters the view on screen over every text column it shows."""

from __future__ import annotations

from .conftest import run_async, settle
from .screen import screen_text

SIZE = (160, 50)


async def type_filter(pilot, text: str) -> None:
    await pilot.press("slash")
    await pilot.pause()
    await pilot.press(*text)
    await pilot.press("enter")
    await settle(pilot)


@run_async
async def test_buzzguru_finds_every_channel_that_shows_it(sample_store, make_app):
    """Seen: `/buzzguru` found 1 of the 3 channels that show BuzzGuru (as consultant)."""
    app = make_app(sample_store)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await type_filter(pilot, "buzzguru")
        table = app.view().table
        keys = {table.row_at(i).key for i in range(table.row_count)}
        assert keys == {"facebook/AcmeKidsItalia", "instagram/@acme_kids", "tiktok/@acmeitalia"}
        assert "3 of 53" in screen_text(app)
        assert app.focused is table  # enter: back to the list
