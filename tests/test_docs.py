"""Docs that can't drift (Datasette's test_docs.py): every key binding is in docs/ui.md,
every facts-view column in docs/rules.md, every link in the docs and README resolves."""

from __future__ import annotations

import importlib
import inspect
import pkgutil
import re
from pathlib import Path

import pytest
from textual.binding import Binding
from textual.dom import DOMNode

import inventory.tui
from inventory.store import Store, open_store

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs"

# How docs/ui.md writes keys that aren't a character.
KEY_SPELLINGS = {
    "up": "↑",
    "down": "↓",
    "pageup": "page up",
    "pagedown": "page up/down",
    "slash": "`/`",
    "question_mark": "`?`",
}


def _tui_classes() -> list[type[DOMNode]]:
    classes: dict[str, type[DOMNode]] = {}
    for module_info in pkgutil.walk_packages(inventory.tui.__path__, "inventory.tui."):
        module = importlib.import_module(module_info.name)
        for _, cls in inspect.getmembers(module, inspect.isclass):
            if issubclass(cls, DOMNode) and cls.__module__.startswith("inventory.tui"):
                classes[f"{cls.__module__}.{cls.__qualname__}"] = cls
    return list(classes.values())


def _bound_keys() -> set[tuple[str, str]]:
    keys = set()
    for cls in _tui_classes():
        for binding in cls.__dict__.get("BINDINGS", []):
            if isinstance(binding, Binding):
                key_list, action = binding.key, binding.action
            else:
                key_list, action = binding[0], binding[1]
            for key in key_list.split(","):
                keys.add((key.strip(), f"{cls.__qualname__}: {action}"))
    return keys


def _documented(key: str, text: str) -> bool:
    if key in KEY_SPELLINGS:
        return KEY_SPELLINGS[key] in text
    if key.isdigit():
        ranges = re.findall(r"`(\d)`\.\.`(\d)`", text)
        return f"`{key}`" in text or any(int(a) <= int(key) <= int(b) for a, b in ranges)
    return f"`{key}`" in text or (len(key) > 1 and key in text)


def test_every_key_binding_is_documented_in_ui_md() -> None:
    text = (DOCS / "ui.md").read_text(encoding="utf-8")
    keys = _bound_keys()
    assert len(keys) > 20, keys  # the walk found the views, forms and dialogs
    missing = sorted(f"{key} ({where})" for key, where in keys if not _documented(key, text))
    assert not missing, f"not in docs/ui.md: {missing}"


def test_the_key_check_would_see_an_undocumented_key() -> None:
    assert not _documented("ctrl+q", "| `q` | quit |")
    assert not _documented("9", "`1`..`7`")
    assert _documented("4", "`1`..`7`")


@pytest.fixture
def fresh_store(tmp_path: Path) -> Store:
    store = open_store(tmp_path / "docs.db")
    yield store
    store.close()


def test_every_facts_view_column_is_documented_in_rules_md(fresh_store: Store) -> None:
    text = (DOCS / "rules.md").read_text(encoding="utf-8")
    conn = fresh_store.conn
    views = [
        name
        for (name,) in conn.execute(
            "SELECT name FROM sqlite_master WHERE type = 'view' AND name LIKE 'facts\\_%' "
            "ESCAPE '\\' ORDER BY name"
        )
    ]
    assert "facts_channel" in views, views
    missing = []
    for view in views:
        if f"`{view}`" not in text:
            missing.append(view)
            continue
        section = text.split(f"`{view}`", 1)[1].split("\n### ", 1)[0]
        for row in conn.execute(f"PRAGMA table_info({view})"):
            if f"`{row[1]}`" not in section:
                missing.append(f"{view}.{row[1]}")
    assert not missing, f"not in docs/rules.md: {missing}"


LINK = re.compile(r"\]\(([^)#\s]+)(#[^)\s]*)?\)")


@pytest.mark.parametrize(
    "page", [ROOT / "README.md", *sorted(DOCS.glob("*.md"))], ids=lambda p: p.name
)
def test_links_stay_inside_the_repository_and_resolve(page: Path) -> None:
    broken = []
    for target, _ in LINK.findall(page.read_text(encoding="utf-8")):
        if target.startswith(("http://", "https://", "mailto:")):
            continue
        resolved = (page.parent / target).resolve()
        if not resolved.is_relative_to(ROOT) or not resolved.exists():
            broken.append(target)
    assert not broken, f"{page.name}: links outside the repository or to nothing: {broken}"
