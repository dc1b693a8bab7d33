"""Pausing Python's cyclic garbage collector while a person waits for a screen.

Its collections find almost nothing to free in those moments (the objects made are kept,
or freed by reference counting) but cost 15-30 ms: importing Textual and building the
first frame, or the ~0.1 s between a save and its re-evaluated flags. Paused there, they
run after the screen is shown. Global, like the collector itself."""

from __future__ import annotations

import gc

_paused = False


def pause_gc() -> None:
    """No cyclic collections until `resume_gc` (nothing if the collector is already off)."""
    global _paused
    if gc.isenabled():
        gc.disable()
        _paused = True


def resume_gc() -> None:
    """Switch the collector back on if `pause_gc` switched it off."""
    global _paused
    if _paused:
        _paused = False
        gc.enable()


def gc_paused() -> bool:
    return _paused
