"""Undo and redo of whole actions: the history's records put back through `records`.

Apart from `history` (which only logs and reads), so that the history module never needs
the records module that builds on it."""

from __future__ import annotations

from inventory import records
from inventory.history import (
    Action,
    Change,
    OpenAction,
    UndoError,
    change_entries,
    log_changes,
    next_redo,
    next_undo,
)
from inventory.store import Store


def undo(store: Store, expected: int | None = None) -> Action | None:
    """Undo the newest action not yet undone; returns it, or None when there is none.

    `expected`: the action the user agreed to undo; if another one is now next (someone
    else changed the inventory meanwhile) nothing happens (UndoError). Refuses, changing
    nothing, when a record it would touch changed since.
    """
    with store.transaction():
        target = next_undo(store)
        if target is None:
            return None
        _reverse(store, target, "undo", expected)
    return target


def redo(store: Store, expected: int | None = None) -> Action | None:
    """Redo the newest undone action (see `undo`); returns the undo it reversed."""
    with store.transaction():
        target = next_redo(store)
        if target is None:
            return None
        _reverse(store, target, "redo", expected)
    return target


def _reverse(store: Store, target: Action, kind: str, expected: int | None) -> None:
    if expected is not None and target.id != expected:
        raise UndoError(
            f"the inventory changed meanwhile: {kind} would now reverse {target.label}; "
            "nothing was changed"
        )
    entries = change_entries(store, target.id)
    records.revert(store, [Change(e.kind, e.key, e.before, e.after) for e in entries])
    reverted = [
        Change(
            e.kind,
            e.key if e.before is None else records.key_of_values(e.kind, e.before),
            e.after,
            e.before,
        )
        for e in entries
    ]
    outer = store.current_action
    store.current_action = OpenAction(target.label, kind, target.id)
    try:
        new_id = log_changes(store, reverted)
    finally:
        store.current_action = outer
    store.conn.execute("UPDATE actions SET reversed_by = ? WHERE id = ?", [new_id, target.id])


def undo_last(store: Store) -> str | None:
    """Undo the newest action without asking; returns what was undone, None if nothing."""
    target = undo(store)
    return None if target is None else f"Undid {target.label} ({target.summary})"
