"""One declaration for every key (inventory.tui.actions): the bindings come from it, and
each key it declares is in the command palette (with its key, running in its view), in
the help screen and in docs/ui.md."""

from __future__ import annotations

import io
from datetime import date
from pathlib import Path

import pytest
from rich.console import Console
from test_docs import DOCS, _documented, _tui_classes  # tests/ is on sys.path (rootdir)
from textual.binding import Binding
from textual.command import CommandList, CommandPalette

from inventory.importing import prepare_import
from inventory.rules.catalog import get_rule
from inventory.rules.waivers import waive
from inventory.tui.actions import BY_ID, PLACES, TEXTUAL_KEYS, Key
from inventory.tui.screens.conflict import ConflictDialog
from inventory.tui.screens.dialogs import HelpScreen, MessageDialog, help_table
from inventory.tui.screens.importing import ImportPreview
from inventory.tui.widgets.detail import DetailPane

from .conftest import run_async, settle
from .forms import FORMS
from .screen import screen_text

ROOT = Path(__file__).resolve().parents[2]
DECLARED = [key for place in PLACES for key in place.keys]


def test_every_binding_comes_from_the_declaration() -> None:
    stray = []
    used = set()
    for cls in _tui_classes():
        for binding in cls.__dict__.get("BINDINGS", []):
            declared = BY_ID.get(binding.id or "") if isinstance(binding, Binding) else None
            if declared is None or declared[0].binding() != binding:
                stray.append(f"{cls.__qualname__}: {binding}")
            else:
                used.add(binding.id)
    assert not stray, f"declare these in inventory/tui/actions.py and bind them from there: {stray}"
    unused = [key.id for key in DECLARED if key.id not in used]
    assert not unused, f"declared but bound nowhere: {unused}"
    assert len(BY_ID) == len(DECLARED), "two keys share an id"


def help_text() -> str:
    console = Console(width=200, record=True, file=io.StringIO())
    console.print(help_table())
    return console.export_text()


def test_the_help_screen_lists_every_key() -> None:
    text = help_text()
    lines = [" ".join(line.split()) for line in text.splitlines()]
    missing = [
        f"{key.id}: {key.shown_keys}  {key.does}"
        for key in DECLARED
        if " ".join(f"{key.shown_keys} {key.does}".split()) not in lines
    ]
    assert not missing, missing
    for keys, does in TEXTUAL_KEYS:
        assert " ".join(f"{keys} {does}".split()) in lines


def test_every_declared_key_is_in_docs_ui_md() -> None:
    text = (DOCS / "ui.md").read_text(encoding="utf-8")
    missing = [
        f"{key.id}: {each}"
        for key in DECLARED
        for each in key.keys.split(",")
        if not _documented(each, text)
    ]
    assert not missing, f"not in docs/ui.md: {missing}"


def in_palette(key: Key, titles: set[str]) -> bool:
    return any(title.endswith(f"({key.shown_keys})") and key.does[1:] in title for title in titles)


async def titles_here(pilot) -> set[str]:
    app = pilot.app
    return {command.title for command in app.get_system_commands(app.screen)}


async def collect_titles(pilot, sample_store) -> set[str]:
    """The palette's commands on every view, in every form and dialog."""
    app = pilot.app
    titles: set[str] = set()
    await settle(pilot)
    for view in "1234567890":
        await pilot.press(view)
        await settle(pilot)
        titles |= await titles_here(pilot)
    await pilot.press("1", "slash")  # the channel filter has keys of its own
    await pilot.pause()
    titles |= await titles_here(pilot)
    await pilot.press("escape")
    # w on a channel with flags: which of its flags to waive; a waiver to edit or remove
    waive(sample_store, "R101", "facebook/AcmeBologna", "test", None, "tester", date(2026, 11, 26))
    for keys in [*FORMS.values(), ("down", "down", "w"), ("9", "e")]:
        await pilot.press("1")
        await settle(pilot)
        for key in keys:
            await pilot.press(key)
            await pilot.pause()
        await settle(pilot)
        titles |= await titles_here(pilot)
        while len(app.screen_stack) > 1:
            app.pop_screen()
            await pilot.pause()
    prepared = prepare_import(ROOT / "sample_db" / "acme.json", sample_store.path)
    fields = [("name", "Name")]
    for screen in (
        HelpScreen(),
        MessageDialog("title", "message"),
        ImportPreview(prepared),
        ConflictDialog(
            what="x", fields=fields, mine={"name": "a"}, theirs={"name": "b"}, changed_by=None
        ),
        ConflictDialog(what="x", fields=fields, mine={"name": "a"}, theirs=None, changed_by=None),
        ConflictDialog(
            what="x", fields=fields, mine=None, theirs={"name": "b"}, changed_by=None, deleting=True
        ),
    ):
        app.push_screen(screen)
        await settle(pilot)
        titles |= await titles_here(pilot)
        app.pop_screen()
        await pilot.pause()
    return titles


@run_async
async def test_every_key_is_in_the_command_palette_with_its_key(sample_store, make_app):
    app = make_app(sample_store)
    async with app.run_test(size=(120, 36)) as pilot:
        titles = await collect_titles(pilot, sample_store)
    missing = [key.id for key in DECLARED if key.palette and not in_palette(key, titles)]
    assert not missing, f"not in the command palette: {missing}"


async def palette_hits(pilot, query: str) -> list[str]:
    await pilot.press("ctrl+p")
    await pilot.pause()
    assert isinstance(pilot.app.screen, CommandPalette)
    await pilot.press(*query)
    await pilot.pause(0.5)
    await pilot.pause()
    found = pilot.app.screen.query_one(CommandList)
    return [str(found.get_option_at_index(i).prompt) for i in range(found.option_count)]


@pytest.mark.parametrize("word", ["sort", "reverse", "explain", "enable"])
@run_async
async def test_the_palette_finds_every_view_action(word, sample_store, make_app):
    """Seen: the palette answered "No matches found" for sort, reverse, explain, enable."""
    app = make_app(sample_store)
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        hits = [hit.splitlines()[0] for hit in await palette_hits(pilot, word)]
        assert hits, f"no palette entry for {word!r}"
        assert all(hit.endswith(")") for hit in hits)  # each named with its key


async def pick(pilot, title: str) -> None:
    hits = await palette_hits(pilot, title)
    assert hits[0].splitlines()[0] == title
    await pilot.press("down", "enter")
    await settle(pilot)


@run_async
async def test_a_palette_action_runs_in_its_view(sample_store, make_app):
    app = make_app(sample_store)
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        assert get_rule(sample_store, "R101").enabled
        # from Channels: Rules is shown, then the rule is switched off
        await pick(pilot, "Rules: Enable / disable the selected rule (space)")
        assert app.current_view == "rules"
        assert not get_rule(sample_store, "R101").enabled
        await pick(pilot, "Flags: Reverse the order (S)")
        assert app.current_view == "flags"
        assert app.view("flags").descending
        await pick(pilot, "Channels: Show / hide each flag's explanation (i)")
        assert app.current_view == "channels" and app.shown.explain


@run_async
async def test_the_detail_pane_key_is_in_the_footer_and_goes_there_and_back(sample_store, make_app):
    app = make_app(sample_store)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        footer = screen_text(app).splitlines()[-1]
        assert "tab Detail" in footer
        table = app.view().table
        await pilot.press("tab")
        await pilot.pause()
        assert isinstance(app.focused, DetailPane)
        await pilot.press("tab")
        await pilot.pause()
        assert app.focused is table
        await pilot.press("0")  # the Overview has no detail pane: no such key there
        await settle(pilot)
        assert "Detail" not in screen_text(app).splitlines()[-1]


@pytest.mark.parametrize("width", [80, 100, 120, 200])
@run_async
async def test_every_key_the_footer_shows_is_whole(width, sample_store, make_app):
    app = make_app(sample_store)
    async with app.run_test(size=(width, 30)) as pilot:
        for view in "123456789":
            await pilot.press(view)
            await settle(pilot)
            footer = app.screen.query_one("InventoryFooter")
            keys = [key for key in footer.children if key.display]
            right = max(key.region.right for key in keys)
            assert right <= width, f"view {view}: the footer needs {right} columns"


@run_async
async def test_the_keys_of_the_views_do_nothing_in_a_form(sample_store, make_app):
    app = make_app(sample_store)
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        await pilot.press("e")
        await settle(pilot)
        form = app.screen
        form.query_one("#cancel").focus()
        for key in ("q", "2", "d", "x"):
            await pilot.press(key)
            await pilot.pause()
        assert app.is_running and app.screen is form and app.current_view == "channels"
        titles = await titles_here(pilot)
        assert "Forms: Save the form (ctrl+s)" in titles
        assert not any("Sort" in title for title in titles)
