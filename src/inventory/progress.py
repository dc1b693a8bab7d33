"""A progress bar on stderr for long commands (import, dump, export, check).

Shown only when stderr is a terminal and the work has lasted DELAY seconds: quick commands
and piped output see nothing. The work reports phases (`step("checking rows", total)`) and
advances (`advance(n)`); both are cheap attribute writes, and the bar redraws from its own
thread a few times a second, so reporting never waits on the terminal.
"""

from __future__ import annotations

import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

DELAY = 1.0  # seconds of work before the bar appears


class Progress:
    """What the work reports; a no-op until (and unless) the bar is shown."""

    def __init__(self) -> None:
        self.phase = ""
        self.total: int | None = None
        self.done = 0

    def step(self, phase: str, total: int | None = None) -> None:
        self.phase, self.total, self.done = phase, total, 0

    def advance(self, count: int = 1) -> None:
        self.done += count


QUIET = Progress()  # for callers that report to nobody


@contextmanager
def progress_on_stderr(what: str, *, enabled: bool | None = None) -> Iterator[Progress]:
    """Yield a Progress; after DELAY seconds, if stderr is a terminal, draw it there until
    the block ends (the bar is then erased)."""
    progress = Progress()
    if enabled is None:
        enabled = sys.stderr.isatty()
    if not enabled:
        yield progress
        return
    finished = threading.Event()
    thread = threading.Thread(target=_draw, args=(what, progress, finished), daemon=True)
    thread.start()
    try:
        yield progress
    finally:
        finished.set()
        thread.join()


def _draw(what: str, progress: Progress, finished: threading.Event) -> None:
    if finished.wait(DELAY):
        return
    from rich.console import Console
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        SpinnerColumn,
        TextColumn,
        TimeElapsedColumn,
    )
    from rich.progress import Progress as Bar

    columns: list[Any] = [
        SpinnerColumn(),
        TextColumn(f"{what}: {{task.description}}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
    ]
    # one redraw every quarter second, from this thread only (no second refresh thread
    # competing with the work for the interpreter)
    with Bar(
        *columns,
        console=Console(stderr=True, force_terminal=True),
        transient=True,
        auto_refresh=False,
    ) as bar:
        phase = (progress.phase, progress.total)
        task = bar.add_task(progress.phase, total=progress.total)
        while not finished.wait(0.25):
            if (progress.phase, progress.total) != phase:  # a new phase: a new bar
                phase = (progress.phase, progress.total)
                bar.remove_task(task)
                task = bar.add_task(progress.phase, total=progress.total)
            bar.update(task, completed=progress.done)
            bar.refresh()
