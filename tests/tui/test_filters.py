"""`/` filters the view on screen over every text column it shows."""

from __future__ import annotations

from textual import events

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


def shown_rows(table) -> list[tuple[str, str]]:
    """(row key, the row's cells as the list shows them) for every row of a list."""
    result = []
    for index in range(table.row_count):
        row = table.row_at(index)
        key = getattr(row, "key", None) or f"{row.rule}:{row.subject_id}"
        result.append((key, " ".join(cell.plain for cell in table.cells(row)).lower()))
    return result


# view key -> a word found in a text column of that view only (not a number, no e-mail)
WORDS = {
    "1": "full mgmt",  # the consultants column
    "2": "acme_kids",  # subject id
    "3": "vendite",  # department
    "4": "restricted",  # social access
    "5": "video",  # deliverables
    "6": "draft",  # status
    "7": "password",  # title
    "8": "impostor",  # notes
}


@run_async
async def test_slash_filters_the_view_in_view_over_every_text_column(sample_store, make_app):
    app = make_app(sample_store)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        for key, word in WORDS.items():
            await pilot.press(key)
            await settle(pilot)
            view = app.view()
            table = view.table
            everything = shown_rows(table)
            wanted = {k for k, text in everything if word in text}
            assert 0 < len(wanted) < len(everything), key
            await type_filter(pilot, word)
            assert app.view() is view, key  # filtered where it was typed
            found = {k for k, _ in shown_rows(table)}
            if key == "1":  # channels also match the owner's e-mail, not shown
                assert wanted <= found
            else:
                assert found == wanted, key
            assert f"{len(found)} of " in screen_text(app), key
            # nothing matches: said so; escape (in the filter) clears it
            await type_filter(pilot, "zzqx")
            assert table.row_count == 0
            assert "matches the filter (escape clears it)" in screen_text(app), key
            await pilot.press("slash", "escape")
            await settle(pilot)
            assert table.row_count == len(everything), key
            assert app.focused is table


@run_async
async def test_each_view_keeps_its_own_filter(sample_store, make_app):
    app = make_app(sample_store)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("3")
        await type_filter(pilot, "vendite")
        people = app.view().table.row_count
        await pilot.press("1")
        await settle(pilot)
        assert app.view().table.row_count == 53  # the people's filter is theirs
        await pilot.press("3")
        await settle(pilot)
        assert app.view().table.row_count == people == 2
        # sorting keeps the filter
        await pilot.press("s")
        await settle(pilot)
        assert app.view().table.row_count == 2


@run_async
async def test_slash_on_the_overview_filters_the_channels(sample_store, make_app):
    app = make_app(sample_store)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("0")
        await settle(pilot)
        await type_filter(pilot, "buzzguru")
        assert app.current_view == "channels"
        assert app.view().table.row_count == 3


@run_async
async def test_the_filter_shows_hostile_text_literally(hostile_store, make_app):
    app = make_app(hostile_store)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await type_filter(pilot, "[bold")
        table = app.view().table
        assert [table.row_at(i).name for i in range(table.row_count)] == [
            "[bold red]loud[/bold red]"
        ]
        assert "[bold red]loud[/bold red]" in screen_text(app)
        await pilot.press("3")
        await type_filter(pilot, "[red]")
        assert app.view().table.row_count == 1
        assert app.is_running


def burst(app, *keys: str) -> None:
    """Keys arriving together, as from quick typing, a paste or tmux: all queued before
    the first is handled (pilot.press waits for the app between keys)."""
    chars = {"slash": "/", "enter": "\r", "space": " "}
    for key in keys:
        event = events.Key(key, chars.get(key, key if len(key) == 1 else None))
        event.set_sender(app)
        app.post_message(event)


@run_async
async def test_keys_typed_together_with_slash_reach_the_filter(sample_store, make_app):
    """Seen in tmux: `/buzzguru` sent at once lost "buzzguru" (the filter took focus after
    the keys already typed went to the list), and enter then → moved the filter's cursor."""
    app = make_app(sample_store)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        burst(app, "slash", *"buzzguru", "enter", "right")
        await settle(pilot)
        view = app.view()
        assert view.filter_text == "buzzguru"
        assert view.table.row_count == 3
        assert app.focused is view.table
        assert view.table.scroll_x > 0
        # a view switch and `/` together; "s" is typed, not a sort
        burst(app, "3", "slash", *"ss ve", "escape")
        await settle(pilot)
        people = app.view()
        assert people.id == "people" and people.filter_text == ""
        burst(app, "slash", *"vendite")
        await settle(pilot)
        assert people.filter_text == "vendite"
        assert people.table.row_count == 2
        assert people.query_state.sort == ""  # not sorted by "s"


def test_one_scan_gives_the_same_filtered_list_as_count_and_pages(sample_store):
    from inventory.record_listing import (
        RecordQuery,
        count_records,
        matching_records,
        page_records,
        record_position,
        records_by_id,
    )

    conn = sample_store.conn
    for query in [
        RecordQuery("person", "name", True, "e"),
        RecordQuery("department", text="MARKETING"),
        RecordQuery("consultant", text="video"),
        RecordQuery("policy", "status", text="20"),
    ]:
        matches = matching_records(conn, query)
        assert len(matches) == count_records(conn, query) > 0
        rows = records_by_id(conn, query.kind, [row_id for row_id, _ in matches])
        assert rows == page_records(conn, query, 0, 1000)
        for index, (_, key) in enumerate(matches):
            assert record_position(conn, query, key) == index
