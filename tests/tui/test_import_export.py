"""The UI's import (ctrl+o: a path, a preview of new / changed / problems, one undoable
action on confirm) and the export dialog's formats (JSON, CSV, XLSX)."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

from python_calamine import CalamineWorkbook
from textual.widgets import Select

from inventory import records
from inventory.tui.screens.importing import ImportPreview

from .conftest import run_async, settle, type_path
from .screen import screen_text

SIZE = (120, 36)
KEY = "bluesky/acme-italia.bsky.social"


def write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


async def open_preview(pilot, path: Path) -> ImportPreview:
    await pilot.press("ctrl+o")
    await pilot.pause()
    await type_path(pilot, path, "enter")
    await settle(pilot)
    screen = pilot.app.screen
    assert isinstance(screen, ImportPreview), screen
    return screen


@run_async
async def test_import_preview_then_apply_then_undo(sample_store, make_app, workdir: Path):
    sheet = write(
        workdir / "audit.csv",
        "Network,Handle,Status,Owner,Followers\n"
        "Bluesky,acme-italia.bsky.social,Dormant,,5\n"
        "Instagram,@brand_new,,Chiara Bruno,12\n",
    )
    app = make_app(sample_store)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await open_preview(pilot, sheet)
        text = screen_text(app)
        assert "Would create 1 channel; update 1 channel" in text
        assert "channel instagram/@brand_new" in text
        assert 'status: "active" -> "dormant"' in text
        assert "kept in notes as 'Followers: ...'" in text
        assert records.get_record(sample_store, "channel", "instagram/@brand_new") is None
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert not isinstance(app.screen, ImportPreview)
        assert "54 channels" in screen_text(app)
        created = records.get_record(sample_store, "channel", "instagram/@brand_new").record
        assert created.owner == "chiara.bruno@acme.example"
        assert records.get_record(sample_store, "channel", KEY).record.status == "dormant"
        await pilot.press("ctrl+z")  # one action of two records: undo asks first
        await pilot.pause()
        assert "the import of audit.csv" in screen_text(app)
        await pilot.press("y")
        await settle(pilot)
        assert records.get_record(sample_store, "channel", "instagram/@brand_new") is None
        assert records.get_record(sample_store, "channel", KEY).record.status == "active"


@run_async
async def test_import_problems_are_listed_and_nothing_changes(
    sample_store, make_app, workdir: Path
):
    sheet = write(
        workdir / "bad.csv",
        "Platform,Handle,Last post,Owner\nig,@x,05/03/2026,\nig,@y,,[bold]Nobody[/bold]\n",
    )
    before = records.snapshot(sample_store)
    app = make_app(sample_store)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        preview = await open_preview(pilot, sheet)
        text = screen_text(app)
        assert "Problems (2): nothing can be imported" in text
        assert 'row 2, column "Last post": "05/03/2026"' in text
        assert "[bold]Nobody[/bold]" in text  # shown literally, never as markup
        assert not preview.query("#import")  # no Import button
        await pilot.press("ctrl+s")  # refused: nothing to import
        await pilot.press("escape")
        await settle(pilot)
    assert records.snapshot(sample_store) == before


@run_async
async def test_import_a_missing_file_says_so(sample_store, make_app, workdir: Path):
    app = make_app(sample_store)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await open_preview(pilot, workdir / "nowhere.xlsx")
        assert "does not exist" in screen_text(app)


@run_async
async def test_import_key_in_the_footer_of_the_empty_state(empty_store, make_app):
    app = make_app(empty_store)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        text = screen_text(app)
        assert "^o Import" in text
        assert "import the channel list you keep in a spreadsheet" in text


@run_async
async def test_export_dialog_offers_json_csv_xlsx(sample_store, make_app, workdir: Path):
    app = make_app(sample_store)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("x")
        await pilot.pause()
        select = app.screen.query_one("#export-format", Select)
        assert select.value == ".json"
        select.value = ".csv"  # the selector changes the extension
        await pilot.pause()
        assert "flags.csv" in screen_text(app)
        await pilot.press("ctrl+a", "ctrl+k")
        await type_path(pilot, workdir / "flags.xlsx")
        await pilot.pause()
        assert select.value == ".xlsx"  # ... and the extension the selector
        await pilot.press("enter")
        await settle(pilot)
        assert (workdir / "flags.xlsx").exists()
        await pilot.press("x")
        await pilot.pause()
        app.screen.query_one("#export-format", Select).value = ".csv"
        await pilot.pause()
        await pilot.press("ctrl+a", "ctrl+k")
        await type_path(pilot, workdir / "flags.csv", "enter")
        await settle(pilot)
    flags = len(app.flags.evaluation.flags)
    rows = CalamineWorkbook.from_path(str(workdir / "flags.xlsx")).get_sheet_by_name("Flags")
    assert len(rows.to_python()) == flags + 1
    table = list(csv.reader(io.StringIO((workdir / "flags.csv").read_text(encoding="utf-8"))))
    assert table[0][0] == "severity" and len(table) == flags + 1
    assert not (workdir / "flags.json").exists()
    json.dumps(table)  # plain text cells
