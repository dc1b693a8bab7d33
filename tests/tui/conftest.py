"""Fixtures for the terminal UI tests: throwaway databases under tmp_path."""

from __future__ import annotations

import asyncio
import functools
import json
from collections.abc import Callable
from datetime import date
from pathlib import Path

import pytest

from inventory.document import import_document, parse_document
from inventory.store import Store, open_store
from tests.conftest import copy_database

from .snapshots import ScreenSnapshots

AS_OF = date(2026, 11, 26)

HOSTILE_NAMES = ["[/]", "[@click=app.quit]x", "wipe\x1b[2Jscreen", "[bold red]loud[/bold red]"]


@pytest.fixture(autouse=True)
def ui_rules_in_process(rules_in_process: None) -> None:
    """Every UI test runs the rules in this process unless marked `rules_child` (see
    `rules_in_process`)."""


@pytest.fixture
def sample_store(tmp_path: Path, sample_template: Path) -> Store:
    """The shipped sample (sample_db/acme.json) in a fresh database."""
    store = open_store(copy_database(sample_template, tmp_path / "acme.db"), source="ui")
    store.user = "tester"
    yield store
    store.close()


@pytest.fixture
def empty_store(tmp_path: Path) -> Store:
    store = open_store(tmp_path / "new.db", source="ui")
    store.user = "tester"
    yield store
    store.close()


def hostile_document() -> dict:
    channels = [
        {
            "platform": "x",
            "handle": f"@h{index}",
            "name": name,
            "status": "active",
            "owner": "boss@acme.example",
            "reporting_department": "[Marketing]",
            "credentials_holder": "in_house",
            "weekly_hours": 2,
            "last_post_on": "2026-11-20",
            "goals": ["relationship"],
            "notes": name,
        }
        for index, name in enumerate(HOSTILE_NAMES)
    ]
    channels.append({**channels[0], "handle": "[@click=app.quit]", "name": "handle is hostile"})
    return {
        "format": "social-inventory/1",
        "organization": {"name": "[b]Hostile[/b] Org"},
        "departments": [{"name": "[Marketing]", "function": "marketing", "social_access": "open"}],
        "people": [
            {
                "email": "boss@acme.example",
                "name": "[red]Boss[/red]",
                "department": "[Marketing]",
                "employment": "employee",
            }
        ],
        "consultants": [],
        "policies": [],
        "channels": channels,
    }


@pytest.fixture
def hostile_store(tmp_path: Path) -> Store:
    """Channels whose names are markup, actions and terminal escapes."""
    store = open_store(tmp_path / "hostile.db", source="ui")
    store.user = "tester"
    import_document(store, parse_document(json.dumps(hostile_document())), replace=True)
    yield store
    store.close()


@pytest.fixture
def sample_stores(tmp_path: Path, sample_template: Path) -> Callable[[], Store]:
    """More fresh copies of the shipped sample, each in a database of its own (each named
    acme.db, as the header shows it)."""
    stores: list[Store] = []

    def make() -> Store:
        folder = tmp_path / f"sample-{len(stores)}"
        folder.mkdir()
        path = copy_database(sample_template, folder / "acme.db")
        store = open_store(path, source="ui")
        store.user = "tester"
        stores.append(store)
        return store

    yield make
    for store in stores:
        store.close()


@pytest.fixture
def screen_snapshots(snapshot, request: pytest.FixtureRequest) -> ScreenSnapshots:
    return ScreenSnapshots(snapshot, request)


@pytest.fixture
def make_app() -> Callable:
    from inventory.tui.app import InventoryApp

    def make(store: Store) -> InventoryApp:
        return InventoryApp(store, AS_OF)

    return make


@pytest.fixture
def workdir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """tmp_path as the working directory, so that a test types a short relative path (see
    `type_path`) and a relative default like flags.json lands there, not in the checkout."""
    monkeypatch.chdir(tmp_path)
    return tmp_path


async def type_path(pilot, path: Path, *then: str) -> None:
    """Type a path key by key, relative to the working directory when it lies below it:
    the pilot waits ~40 ms for the app to idle after every key, so a 90-character absolute
    path under pytest's tmp_path costs seconds."""
    text = str(path.relative_to(Path.cwd())) if path.is_relative_to(Path.cwd()) else str(path)
    await pilot.press(*text, *then)


async def settle(pilot) -> None:
    """Wait for the rule evaluation worker and the screen to catch up."""
    await pilot.pause()
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()


def run_async(test: Callable) -> Callable:
    """Run an async test on its own event loop (no asyncio plugin needed)."""

    @functools.wraps(test)
    def run(*args, **kwargs):
        return asyncio.run(test(*args, **kwargs))

    return run
