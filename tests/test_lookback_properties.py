"""Looking back after random sequences of saves, renames, deletes and undos: the state at
the moment after each step is exactly what the database held then."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import HealthCheck, settings
from hypothesis.stateful import invariant
from test_store_stateful import StoreMachine

from inventory import history, records
from inventory.lookback import LookbackError, inventory_at, stamp

START = datetime(2026, 1, 1, 9, 0, 0, tzinfo=UTC)


class LookbackMachine(StoreMachine):
    """The store machine's steps, each a minute after the last; every state is kept."""

    def __init__(self) -> None:
        super().__init__()
        self.clock = START
        self.states: list[tuple[datetime, records.Snapshot]] = []
        self._now_utc = history.now_utc
        history.now_utc = lambda: stamp(self.clock)  # type: ignore[assignment]

    @invariant()
    def keep_the_state(self) -> None:
        self.states.append((self.clock, records.snapshot(self.store)))
        self.clock += timedelta(minutes=1)

    def teardown(self) -> None:
        try:
            (start,) = self.store.conn.execute("SELECT min(at) FROM history").fetchone()
            for moment, state in self.states:
                if start is None or stamp(moment) < start:
                    with pytest.raises(LookbackError), inventory_at(self.store, moment):
                        pass
                    continue
                with inventory_at(self.store, moment) as past:
                    assert records.snapshot(past) == state, stamp(moment)
        finally:
            history.now_utc = self._now_utc  # type: ignore[assignment]
            super().teardown()


LookbackMachine.TestCase.settings = settings(
    max_examples=25,
    stateful_step_count=20,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
TestLookback = LookbackMachine.TestCase
