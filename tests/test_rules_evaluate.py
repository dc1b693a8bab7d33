"""`evaluate_rules` as other code (the UI) calls it."""

from __future__ import annotations

import hashlib
import sqlite3
from contextlib import closing
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from inventory.rules.evaluate import evaluate_rules
from inventory.store import open_store


def test_evaluation_reads_committed_data_and_leaves_the_store_usable(sample_db: Path) -> None:
    with open_store(sample_db, create=False) as store:
        first = evaluate_rules(store, date(2026, 11, 26))
        assert len(first.flags) == 47
        assert first.organization == "Acme Italia S.p.A."
        store.conn.execute("BEGIN")
        store.conn.execute("UPDATE channels SET owner_id = NULL")
        during = evaluate_rules(store, date(2026, 11, 26))
        assert [f.sort_key for f in during.flags] == [f.sort_key for f in first.flags]
        store.conn.execute("COMMIT")
        after = evaluate_rules(store, date(2026, 11, 26))
        assert sum(f.rule == "R101" for f in after.flags) == 50  # every live channel
        assert after.flags == sorted(after.flags, key=lambda f: f.sort_key)


def test_evaluation_does_not_write_the_file(sample_db: Path) -> None:
    before = hashlib.sha256(sample_db.read_bytes()).hexdigest()
    with open_store(sample_db, create=False) as store:
        evaluate_rules(store, date(2026, 11, 26))
    assert hashlib.sha256(sample_db.read_bytes()).hexdigest() == before


def test_a_commit_while_the_rules_run_makes_them_run_again(
    sample_db: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The rules (and on a large inventory, each of two children) read their own snapshot:
    an evaluation over which another connection committed is made again, so its flags,
    counts and waivers come from one state of the inventory."""
    from inventory.rules import evaluate

    runs = []

    def run_then_commit(*args: Any, **kwargs: Any) -> Any:
        outcomes = run_rules(*args, **kwargs)
        runs.append(len(outcomes))
        if len(runs) == 1:  # lands after the rules read: their flags are of the state before
            with closing(sqlite3.connect(sample_db)) as other, other:
                other.execute("UPDATE channels SET owner_id = NULL")
        return outcomes

    run_rules = evaluate.run_rules
    monkeypatch.setattr(evaluate, "run_rules", run_then_commit)
    with open_store(sample_db, create=False) as store:
        evaluation = evaluate_rules(store, date(2026, 11, 26))
    assert len(runs) == 2
    assert sum(flag.rule == "R101" for flag in evaluation.flags) == 50  # every live channel
