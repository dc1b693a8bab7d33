"""Waivers as the UI reads and changes them: one shared check, edit and remove as one
undoable action each, and the list counted and paged from SQLite (filter, every sort)."""

from __future__ import annotations

import copy
from datetime import date, timedelta
from pathlib import Path

import pytest
from conftest import MINIMAL_DOCUMENT

from inventory import history, undo
from inventory.rules.catalog import RuleError
from inventory.rules.waivers import (
    WAIVER_SORTS,
    WaiverError,
    WaiverQuery,
    count_waivers,
    get_waiver,
    page_waivers,
    unwaive,
    waive,
    waiver_position,
)
from inventory.store import Store, open_store

TODAY = date.today()


@pytest.fixture
def store(make_db) -> Store:
    doc = copy.deepcopy(MINIMAL_DOCUMENT)
    base = doc["channels"][0]
    doc["channels"] = [
        {**base, "handle": f"@c{n:02}", "name": f"Channel {n}", "url": None} for n in range(12)
    ]
    with open_store(make_db(doc)) as opened:
        opened.user = "ann"
        yield opened


def test_every_refusal_of_the_cli_is_the_domains(store: Store) -> None:
    cases = [
        (("R999", "instagram/@c01", "r", None), RuleError, "there is no rule 'R999'"),
        (("R101", "instagram/@typo", "r", None), WaiverError, "no channel 'instagram/@typo'"),
        (("R101", "instagram/@c01", "  ", None), WaiverError, "needs a reason"),
        (
            ("R101", "instagram/@c01", "r", TODAY - timedelta(days=1)),
            WaiverError,
            "before today",
        ),
    ]
    for (rule, subject, reason, until), error, message in cases:
        with pytest.raises(error, match=message):
            waive(store, rule, subject, reason, until, "ann", TODAY)
    assert count_waivers(store.conn, WaiverQuery()) == 0
    assert history.next_undo(store) is None or "waiver" not in history.next_undo(store).label


def test_edit_and_remove_are_one_undoable_action_each(store: Store) -> None:
    waive(store, "R101", "instagram/@c01", "first", None, "ann", TODAY)
    store.user = "bob"
    until = TODAY + timedelta(days=30)
    waive(store, "R101", "instagram/@c01", "second", until, "bob", TODAY, existing=True)
    assert get_waiver(store, "R101", "instagram/@c01").reason == "second"
    assert get_waiver(store, "R101", "instagram/@c01").by == "bob"
    assert history.next_undo(store).label == "the change to waiver of R101 on instagram/@c01"
    assert unwaive(store, "R101", "instagram/@c01")
    assert get_waiver(store, "R101", "instagram/@c01") is None
    assert history.next_undo(store).size == 1
    undo.undo(store, history.next_undo(store).id)  # the removal
    assert get_waiver(store, "R101", "instagram/@c01").reason == "second"
    undo.undo(store, history.next_undo(store).id)  # the edit
    assert get_waiver(store, "R101", "instagram/@c01").reason == "first"


def test_an_edit_of_a_waiver_removed_meanwhile_is_refused(store: Store) -> None:
    with pytest.raises(WaiverError, match="no waiver of R101"):
        waive(store, "R101", "instagram/@c01", "r", None, "ann", TODAY, existing=True)
    assert get_waiver(store, "R101", "instagram/@c01") is None


def _fill(store: Store) -> None:
    for n in range(12):
        until = None if n % 3 == 0 else TODAY + timedelta(days=n)
        reason = f"Reason {'[bold red]' if n == 7 else ''}{n:02} Ünïcode" if n % 2 else f"why {n}"
        waive(store, "R101", f"instagram/@c{n:02}", reason, until, f"user{n % 4}", TODAY)


def test_the_list_pages_filters_and_sorts_like_python(store: Store) -> None:
    _fill(store)
    conn = store.conn
    everything = page_waivers(conn, WaiverQuery(), 0, 100)
    assert len(everything) == count_waivers(conn, WaiverQuery()) == 12
    assert {row.subject_type for row in everything} == {"channel"}
    # paging returns the same rows as one read
    pages = [row for at in range(0, 12, 5) for row in page_waivers(conn, WaiverQuery(), at, 5)]
    assert pages == everything
    # the filter: every column shown, case-insensitive beyond ASCII, markup literal
    for text, expected in [
        ("ÜNÏCODE", {n for n in range(12) if n % 2}),
        ("[bold red]", {7}),
        ("user3", {3, 7, 11}),
        ("@C05", {5}),
        ("r101", set(range(12))),
        (str(TODAY + timedelta(days=4)), {4}),
    ]:
        query = WaiverQuery(text=text)
        rows = page_waivers(conn, query, 0, 100)
        assert {int(row.subject_id[-2:]) for row in rows} == expected, text
        assert count_waivers(conn, query) == len(expected)
    # every sort, both directions: empty `until`s last either way; the position of a row
    for sort in WAIVER_SORTS:
        for descending in (False, True):
            query = WaiverQuery(sort=sort, descending=descending)
            rows = page_waivers(conn, query, 0, 100)
            assert len(rows) == 12
            if sort == "until":
                dated = [r.waiver.until for r in rows if r.waiver.until]
                assert dated == sorted(dated, reverse=descending)
                assert all(r.waiver.until is None for r in rows[len(dated) :])
            if sort == "reason":
                reasons = [r.waiver.reason.casefold() for r in rows]
                assert reasons == sorted(reasons, reverse=descending)
            for index, row in enumerate(rows):
                assert waiver_position(conn, query, row.key) == index
    assert waiver_position(conn, WaiverQuery(text="user3"), "R101:instagram/@c00") is None


def test_a_hundred_thousand_waivers_page_quickly(tmp_path: Path) -> None:
    """The Waivers view reads one page at a time: a page deep in a filtered, sorted list
    of 100,000 waivers is read without loading the list."""
    import time

    with open_store(tmp_path / "big.db") as big, big.transaction():
        big.conn.executemany(
            'INSERT INTO waivers (rule, subject_id, reason, until, by, "on") '
            "VALUES (?, ?, ?, NULL, 'ann', '2026-11-30')",
            [("R101", f"instagram/@c{n:06}", f"reason {n}") for n in range(100_000)],
        )
        query = WaiverQuery(text="reason 9", sort="reason", descending=True)
        started = time.perf_counter()
        count = count_waivers(big.conn, query)
        rows = page_waivers(big.conn, query, 5_000, 200)
        elapsed = time.perf_counter() - started
        assert count == 11_111 and len(rows) == 200
        assert elapsed < 2.0, elapsed  # ~0.2 s measured on an idle machine
