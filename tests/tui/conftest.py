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
from inventory.sample import build_sample
from inventory.store import Store, open_store

AS_OF = date(2026, 11, 26)

HOSTILE_NAMES = ["[/]", "[@click=app.quit]x", "wipe\x1b[2Jscreen", "[bold red]loud[/bold red]"]


@pytest.fixture
def sample_store(tmp_path: Path) -> Store:
    """The shipped sample (sample_db/acme.json) in a fresh database."""
    path = tmp_path / "acme.db"
    build_sample(path)
    store = open_store(path, source="ui")
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
def make_app() -> Callable:
    from inventory.tui.app import InventoryApp

    def make(store: Store) -> InventoryApp:
        return InventoryApp(store, AS_OF)

    return make


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
