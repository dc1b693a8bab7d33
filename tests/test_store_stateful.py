"""Random sequences of create/update/delete/undo through the store keep every invariant."""

from __future__ import annotations

import json
import sqlite3
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule

from inventory import records, undo
from inventory.kinds import KINDS
from inventory.models import Channel, Department, Person
from inventory.store import StoreError, open_store

NAMES = ["Marketing", "Sales", "[/]", "HR"]
EMAILS = ["a@x.example", "b@x.example", "c@x.example"]
HANDLES = ["@one", "@two", "[@click=app.quit]"]


def _replay(conn: sqlite3.Connection) -> dict[tuple[str, str], dict]:
    """Rebuild the state from nothing but the history (a rename is one update whose
    `before` holds the old key)."""
    state: dict[tuple[str, str], dict] = {}
    rows = conn.execute("SELECT kind, record_key, before, after FROM history ORDER BY id")
    for kind, key, before, after in rows:
        if before is not None:
            old = KINDS[kind].model.model_validate(json.loads(before))
            state.pop((kind, records.record_key(kind, old)), None)
        if after is not None:
            state[(kind, key)] = json.loads(after)
    return state


class StoreMachine(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        self.folder = tempfile.TemporaryDirectory()
        self.store = open_store(Path(self.folder.name) / "s.db")
        self.undo_stack: list[records.Snapshot] = []

    def teardown(self) -> None:
        self.store.close()
        self.folder.cleanup()

    def _apply(self, action) -> None:
        before = records.snapshot(self.store)
        try:
            action()
        except StoreError:
            assert records.snapshot(self.store) == before, "a refused change changed data"
            return
        if records.snapshot(self.store) != before:
            self.undo_stack.append(before)

    @rule(name=st.sampled_from(NAMES), function=st.sampled_from(["marketing", "sales", "hr"]))
    def save_department(self, name: str, function: str) -> None:
        exists = records.get_record(self.store, "department", name)
        record = Department(name=name, function=function)
        self._apply(
            lambda: records.save_record(
                self.store, "department", record, original_key=name if exists else None
            )
        )

    @rule(
        email=st.sampled_from(EMAILS),
        department=st.sampled_from([None, *NAMES]),
        employment=st.sampled_from(["employee", "external"]),
    )
    def save_person(self, email: str, department: str | None, employment: str) -> None:
        exists = records.get_record(self.store, "person", email)
        record = Person(
            email=email, name=email.upper(), department=department, employment=employment
        )
        self._apply(
            lambda: records.save_record(
                self.store, "person", record, original_key=email if exists else None
            )
        )

    @rule(
        handle=st.sampled_from(HANDLES),
        owner=st.sampled_from([None, *EMAILS]),
        linked=st.lists(st.sampled_from(NAMES), unique=True, max_size=2),
        hours=st.one_of(st.none(), st.integers(0, 9)),
    )
    def save_channel(self, handle, owner, linked, hours) -> None:
        key = f"x/{handle}"
        exists = records.get_record(self.store, "channel", key)
        record = Channel(
            platform="x",
            handle=handle,
            name=f"Channel {handle}",
            owner=owner,
            linked_departments=linked,
            weekly_hours=hours,
        )
        self._apply(
            lambda: records.save_record(
                self.store, "channel", record, original_key=key if exists else None
            )
        )

    @rule(new_handle=st.sampled_from(HANDLES))
    def rename_channel(self, new_handle: str) -> None:
        channels = records.list_channels(self.store)
        if channels:
            old = channels[0]
            renamed = old.model_copy(update={"handle": new_handle})
            self._apply(
                lambda: records.save_record(self.store, "channel", renamed, original_key=old.key)
            )

    @rule(
        kind_key=st.sampled_from(
            [("department", n) for n in NAMES]
            + [("person", e) for e in EMAILS]
            + [("channel", f"x/{h}") for h in HANDLES]
        )
    )
    def delete(self, kind_key) -> None:
        kind, key = kind_key
        self._apply(lambda: records.delete_record(self.store, kind, key))

    @precondition(lambda self: self.undo_stack)
    @rule()
    def undo(self) -> None:
        expected = self.undo_stack.pop()
        assert undo.undo_last(self.store) is not None
        assert records.snapshot(self.store) == expected

    @invariant()
    def references_are_valid(self) -> None:
        assert self.store.conn.execute("PRAGMA foreign_key_check").fetchall() == []

    @invariant()
    def history_replays_to_the_current_state(self) -> None:
        assert _replay(self.store.conn) == records.snapshot(self.store)


StoreMachine.TestCase.settings = settings(
    max_examples=30,
    stateful_step_count=25,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
TestStore = StoreMachine.TestCase
