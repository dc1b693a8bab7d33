"""The command palette (ctrl+p), read from the key declaration (`tui.actions`).

It offers every declared key in reach on the screen it was opened from (the focused
widget, its view, the screen, the app), each named with its key, and run as that key
would run it. On the main screen it also offers the keys of every other view: picking one
shows that view first, then runs it there. Keys that only move a cursor are left out
(`Key.palette`); actions switched off where the palette was opened are left out too.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from textual.app import SystemCommand
from textual.binding import Binding
from textual.dom import DOMNode
from textual.screen import Screen

from inventory.tui.actions import APP, BY_ID, VIEW_KEYS, Key
from inventory.tui.views.base import InventoryView

if TYPE_CHECKING:
    from inventory.tui.app import InventoryApp

VIEW_LABELS = {view: label for view, label, _ in VIEW_KEYS}


def title(key: Key, place: str) -> str:
    """ "Channels: sort by the next column (s)"; the app's keys without a place."""
    text = f"{key.does[0].upper()}{key.does[1:]} ({key.shown_keys})"
    return text if place == APP.place else f"{place}: {text}"


def _view_of(node: DOMNode) -> InventoryView | None:
    for ancestor in (node, *node.ancestors):
        if isinstance(ancestor, InventoryView):
            return ancestor
    return None


def _place(key: Key, node: DOMNode) -> str:
    view = _view_of(node)
    if view is not None and view.id in VIEW_LABELS:
        return VIEW_LABELS[view.id]
    return BY_ID[key.id][1].place


def _declared(binding: Binding) -> Key | None:
    found = BY_ID.get(binding.id or "")
    return found[0] if found is not None and found[0].palette else None


def commands(app: InventoryApp, screen: Screen) -> Iterator[SystemCommand]:
    listed: set[tuple[int, str]] = set()
    for active in screen.active_bindings.values():
        key = _declared(active.binding)
        entry = (id(active.node), active.binding.id or "")
        if key is None or not active.enabled or entry in listed:
            continue
        listed.add(entry)
        place = _place(key, active.node)
        yield SystemCommand(title(key, place), "here", _runner(app, active.node, key.action))
    if screen is not app.screen_stack[0]:
        return  # a form or dialog: only its keys (the views are behind it)
    for view in screen.query(InventoryView):
        label = VIEW_LABELS.get(view.id or "", view.id or "")
        for binding in view._bindings.key_to_bindings.values():
            for each in binding:
                key = _declared(each)
                entry = (id(view), each.id or "")
                if key is None or entry in listed or view.check_action(each.action, ()) is False:
                    continue
                listed.add(entry)
                yield SystemCommand(
                    title(key, label),
                    f"shows the {label} view first",
                    _in_view(app, view, key.action),
                )


def _runner(app: InventoryApp, node: DOMNode, action: str):
    async def run() -> None:
        await app.run_action(action, node)

    return run


def _in_view(app: InventoryApp, view: InventoryView, action: str):
    async def run() -> None:
        if view.id and app.current_view != view.id:
            await app.action_view(view.id)
        await app.run_action(action, view)

    return run
