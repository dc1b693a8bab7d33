"""Rule evaluation waits for a writer as long as the store does, then says so."""

from __future__ import annotations

import sqlite3
import time
from datetime import date
from pathlib import Path

import pytest

from inventory.rules.evaluate import evaluate_rules
from inventory.store import open_store


def test_the_sandbox_waits_the_store_busy_timeout(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = open_store(tmp_path / "busy.db")
    store.close()  # evaluation opens its own connection on the file
    blocker = sqlite3.connect(tmp_path / "busy.db", isolation_level=None)
    blocker.execute("PRAGMA locking_mode = EXCLUSIVE")
    blocker.execute("BEGIN EXCLUSIVE")
    blocker.execute("UPDATE rules SET enabled = enabled")
    for timeout in (0.2, 1.2):
        monkeypatch.setenv("INVENTORY_BUSY_TIMEOUT", str(timeout))
        start = time.monotonic()
        with pytest.raises(sqlite3.OperationalError, match="locked"):
            evaluate_rules(store, date(2026, 11, 26))
        waited = time.monotonic() - start
        assert timeout <= waited < timeout + 3, (timeout, waited)
    blocker.execute("ROLLBACK")
    blocker.close()
