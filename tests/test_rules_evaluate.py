"""`evaluate_rules` as other code (the UI) calls it."""

from __future__ import annotations

import hashlib
from datetime import date
from pathlib import Path

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
