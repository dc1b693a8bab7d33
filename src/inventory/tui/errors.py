"""One error path for the UI: an unexpected exception in any action becomes a dialog with a
one-line cause and a traceback in the log file, and the app keeps running."""

from __future__ import annotations

import traceback
from asyncio import CancelledError
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from textual.message import Message
    from textual.message_pump import MessagePump

    # what the mixin is mixed into (app, views, screens): typed as one, no import at run time
    _Pump = MessagePump
else:
    _Pump = object

LOG_NAME = "errors.log"


def log_folder() -> Path:
    """The user's state folder for inventory (platformdirs: ~/.local/state/inventory on
    Linux, following $XDG_STATE_HOME)."""
    from platformdirs import user_state_path

    return user_state_path("inventory", appauthor=False)


def log_error(error: BaseException) -> Path | None:
    """Append the traceback to the log file; its path, or None if it can't be written."""
    try:
        folder = log_folder()
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / LOG_NAME
        stamp = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
        text = "".join(traceback.format_exception(error))
        with path.open("a", encoding="utf-8") as handle:
            handle.write(f"--- {stamp}\n{text}\n")
    except OSError:
        return None
    return path


def one_line(error: BaseException) -> str:
    """'OperationalError: near "DESC": syntax error' — the cause, on one line."""
    text = str(error).strip().splitlines()
    return f"{type(error).__name__}: {text[0]}" if text else type(error).__name__


class GuardedMessages(_Pump):
    """Mixin for the app, views and screens: an exception in one of their handlers is
    reported (`report_unexpected`) instead of stopping their message loop (Textual would
    exit the app)."""

    async def _dispatch_message(self, message: Message) -> None:
        try:
            await super()._dispatch_message(message)
        except CancelledError:
            raise
        except Exception as error:
            app: Any = getattr(self, "app", None)
            report = getattr(app, "report_unexpected", None)
            if report is None:
                raise
            report(error)
