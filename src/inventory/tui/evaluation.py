"""Keeping the flags on screen up to date: which saved changes they cover, and the
evaluations (in a worker; the rules themselves run in a child process) that catch up."""

from __future__ import annotations

import gc
import sqlite3
import threading
from collections.abc import Collection, Iterator
from concurrent.futures import Future
from functools import partial
from typing import TYPE_CHECKING

from textual.worker import get_current_worker

from inventory.listing import data_version, install_flag_marks, search_steps, update_flag_marks
from inventory.tui.gc_pause import pause_gc, resume_gc
from inventory.tui.state import Evaluated, FlagIndex, evaluate

if TYPE_CHECKING:
    from datetime import date

    from inventory.store import Store
    from inventory.tui.app import InventoryApp


class EvaluationSchedule:
    """The app's evaluations: each saved change is numbered; the flags on screen say the
    last change (and the `PRAGMA data_version`) they were evaluated after."""

    def __init__(self, app: InventoryApp):
        self.app = app
        self._generation = 0
        # Saved changes not yet covered by the flags on screen: (number, channel keys), or
        # (number, None) when anything may have changed (a full evaluation is due).
        self._change_number = 0
        self._changes: list[tuple[int, frozenset[str] | None]] = []
        self._evaluated_change = -1  # the last change the flags on screen cover
        self._evaluated_version: int | None = None  # PRAGMA data_version they were read at

    def start(self, channels: Collection[str] | None = None) -> bool:
        """Evaluate the rules again, in a worker: the rules run in a child process that may
        take up to the evaluation deadline, which the UI thread must never wait for. The
        header says "updating flags…" until the new flags are applied. `channels`: the only
        records changed since the last evaluation started are these channels (saved or
        deleted; old and new key of a renamed one), so only they are evaluated again.
        None: anything may have changed, evaluate everything.

        Returns False: the new flags arrive later (the caller shows the saved change now).
        """
        app = self.app
        self._change_number += 1
        keys = None if channels is None else frozenset(channels)
        self._changes.append((self._change_number, keys))
        self._generation += 1
        version = data_version(app.store.conn)
        pending = [keys for number, keys in self._changes if number > self._evaluated_change]
        previous = None
        changed: set[str] = set()
        # incremental only on top of flags read at the same data_version: a change
        # committed by another connection since then could be anywhere
        if app.shown.evaluated and version == self._evaluated_version and None not in pending:
            previous = app.shown.flags
            changed = set().union(*[keys for keys in pending if keys is not None])
        app.updating = True
        if app.shown.evaluated:
            app.update_header()
        if previous is not None:
            # a save's flags are due in ~0.1 s: the cyclic GC waits until they are shown
            pause_gc()
        else:  # a full evaluation may take seconds: no pause
            resume_gc()
        # The evaluation starts now, in a thread of its own: a worker's thread would only
        # start once the app has drawn the saved change (20-50 ms later). The worker waits
        # for it and hands the flags over (cancelled by a newer evaluation: not applied).
        result: Future[Evaluated] = Future()
        threading.Thread(
            target=_evaluate_into,
            args=(result, app.store, app.as_of, previous, changed),
            name="evaluate",
            daemon=True,
        ).start()
        # description: the default repr()s the arguments, 0.3 s for a FlagIndex of 33,000
        app.run_worker(
            partial(self._work, self._generation, self._change_number, version, result),
            thread=True,
            exclusive=True,
            group="evaluate",
            exit_on_error=False,
            description="evaluate the rules",
        )
        return False

    def _work(self, generation: int, change: int, version: int, result: Future[Evaluated]) -> None:
        try:
            evaluated = result.result()
        except BaseException:
            resume_gc()
            raise
        if not get_current_worker().is_cancelled:
            self.app.call_from_thread(self._apply, evaluated, generation, change, version)

    def _apply(self, evaluated: Evaluated, generation: int, change: int, version: int) -> None:
        app = self.app
        if generation != self._generation:
            return  # a newer evaluation is on its way
        app.call_after_refresh(resume_gc)  # once these flags are drawn (also if this fails)
        app.updating = False
        first = not app.shown.evaluated
        self._evaluated_change = change
        self._evaluated_version = version
        self._changes = [entry for entry in self._changes if entry[0] > change]
        app.shown.flags = evaluated.index
        app.shown.evaluated = True
        if evaluated.marks is None:
            install_flag_marks(app.store.conn, app.shown.flags.channel_marks)
            # A full evaluation brings 100,000s of long-lived objects (33,000 flags at
            # 100,000 channels); every full collection of the cyclic GC then walks them
            # all (130 ms each, several per save). They are freed by reference counting,
            # so keep them out of its way. (No collection first: at 100,000 channels it
            # held the UI 114 ms after the first flags and found nothing to free.)
            gc.freeze()
        else:
            update_flag_marks(app.store.conn, evaluated.marks)
        app.reload_all()
        if first:  # the filter's search table (0.3 s at 100,000), before the first key
            app.call_after_refresh(self._prepare_filter, search_steps(app.store.conn))

    def _prepare_filter(self, steps: Iterator[None]) -> None:
        """One step of the search table, then the next after the app has had its turn (keys
        wait ~35 ms at most, not the whole table's 0.3 s at 100,000 channels). If it can't
        be built now, the first filter builds it (and says what is wrong)."""
        try:
            next(steps)
        except (StopIteration, sqlite3.Error):
            return
        self.app.set_timer(0.01, partial(self._prepare_filter, steps))


def _evaluate_into(
    result: Future[Evaluated],
    store: Store,
    as_of: date,
    previous: FlagIndex | None,
    changed: set[str],
) -> None:
    try:
        result.set_result(evaluate(store, as_of, previous, changed))
    except BaseException as error:
        result.set_exception(error)
