"""What the app does with a bug (an exception nothing expected): roll back whatever was
half done, log the traceback, say so in a dialog, show the inventory as the database holds
it, and go on; unless errors come in a burst, when it stops with a non-zero status."""

from __future__ import annotations

import contextlib
import sqlite3
import time
from typing import TYPE_CHECKING

from textual.app import App

from inventory.tui.errors import log_error, one_line
from inventory.tui.screens.dialogs import MessageDialog

if TYPE_CHECKING:
    from inventory.tui.app import InventoryApp


class UnexpectedErrors:
    """The app's reports of unexpected errors, and when they are too many."""

    #: More unexpected errors than this within BURST_SECONDS: something fails on every
    #: frame, and the app stops (non-zero status) rather than show dialog after dialog.
    BURST = 3
    BURST_SECONDS = 2.0

    def __init__(self, app: InventoryApp):
        self.app = app
        self._reporting = False
        self._times: list[float] = []  # when the latest unexpected errors happened

    def report(self, error: Exception) -> None:
        app = self.app
        now = time.monotonic()
        self._times = [t for t in self._times if now - t < self.BURST_SECONDS]
        self._times.append(now)
        if self._reporting or len(self._times) > self.BURST:
            App._handle_exception(app, error)  # Textual's own: the app exits, status 1
            return
        self._reporting = True
        try:
            with contextlib.suppress(sqlite3.Error):
                if app.store.conn.in_transaction:
                    app.store.conn.execute("ROLLBACK")
            app.store.current_action = None
            path = log_error(error)
            where = (
                f"The details (traceback) are in {path}."
                if path is not None
                else "The details could not be written to the log file."
            )
            app.push_screen(
                MessageDialog(
                    "Something went wrong",
                    f"{one_line(error)}\n\nThe action was stopped and nothing it had not "
                    f"finished was saved; the inventory is shown as the database holds it. "
                    f"{where}",
                )
            )
            app.call_later(self._reload)
        finally:
            self._reporting = False

    def _reload(self) -> None:
        self.app.load_explanations()
        self.app.evaluation.start()
        self.app.reload_all()
