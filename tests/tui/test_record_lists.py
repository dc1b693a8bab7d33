"""People, departments, consultants and policies: paged from SQLite like the channels,
with how many records use each one counted in SQL."""

from __future__ import annotations

import json
import re

from inventory.document import import_document, parse_document
from inventory.record_listing import RecordQuery, count_records, page_records, record_position
from inventory.store import open_store
from inventory.tui.views.records import RecordList

from .conftest import run_async, settle
from .screen import screen_text, widget_text


def view_text(app, view_id: str) -> str:
    """A record view's status line and the rows its list shows."""
    status = widget_text(app.query_one(f"#{view_id}-status"))
    return status + "\n" + widget_text(app.query_one(f"#{view_id}-table"))


SIZE = (120, 36)


def owned(store, email: str, column: str = "owner_id") -> int:
    (count,) = store.conn.execute(
        f"SELECT count(*) FROM channels c JOIN people p ON p.id = c.{column} WHERE p.email = ?",
        [email],
    ).fetchone()
    return count


@run_async
async def test_people_show_how_many_channels_each_owns_and_backs_up(sample_store, make_app):
    app = make_app(sample_store)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("3")
        await settle(pilot)
        text = view_text(app, "people")
        assert "23 people" in text
        email = "davide.greco@acme.example"
        owns, backs = owned(sample_store, email), owned(sample_store, email, "backup_owner_id")
        assert (owns, backs) == (2, 2)
        assert re.search(
            rf"{re.escape(email)} *Davide Greco *Customer Care *employee *– *2 *2 *0", text
        )
        # a leaver: left_on, and the channels he still owns and administers
        leaver = (
            r"andrea\.costa@acme\.example *Andrea Costa *Vendite *employee *2026-10-31 *1 *0 *1"
        )
        assert re.search(leaver, text)


@run_async
async def test_departments_count_people_reporting_and_linked_channels(sample_store, make_app):
    app = make_app(sample_store)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("4")
        await settle(pilot)
        counts = sample_store.conn.execute(
            """SELECT (SELECT count(*) FROM people WHERE department_id = d.id),
                      (SELECT count(*) FROM channels WHERE reporting_department_id = d.id),
                      (SELECT count(*) FROM channel_departments WHERE department_id = d.id)
               FROM departments d WHERE d.name = 'Customer Care'"""
        ).fetchone()
        people, reporting, linked = counts
        assert reporting and linked
        shown = rf"Customer Care *customer_care *open *{people} *{reporting} *{linked}\b"
        assert re.search(shown, view_text(app, "departments"))


def many_people_document(count: int) -> dict:
    people = [
        {
            "email": f"person{index:05d}@acme.example",
            "name": f"Person {count - index:05d}",
            "department": "Marketing",
            "employment": "employee",
        }
        for index in range(count)
    ]
    return {
        "format": "social-inventory/1",
        "organization": {"name": "Big Org"},
        "departments": [{"name": "Marketing", "function": "marketing", "social_access": "open"}],
        "people": people,
        "consultants": [],
        "policies": [],
        "channels": [
            {
                "platform": "x",
                "handle": "@big",
                "name": "Big",
                "status": "active",
                "owner": people[-1]["email"],
                "credentials_holder": "in_house",
                "goals": [],
            }
        ],
    }


@run_async
async def test_a_long_people_list_is_read_a_page_at_a_time(tmp_path, make_app):
    store = open_store(tmp_path / "big.db", source="ui")
    import_document(store, parse_document(json.dumps(many_people_document(5000))), replace=True)
    app = make_app(store)
    try:
        async with app.run_test(size=SIZE) as pilot:
            await settle(pilot)
            await pilot.press("3")
            await settle(pilot)
            table = app.query_one("#people-table", RecordList)
            assert "5000 people" in view_text(app, "people")
            assert "person00000@acme.example" in view_text(app, "people")
            assert len(table._pages) == 1  # one page of 200 read, not 5,000 rows

            await pilot.press("end")
            await settle(pilot)
            text = view_text(app, "people") + widget_text(app.query_one("#people-detail-body"))
            last = r"person04999@acme\.example *Person 00001 *Marketing *employee *– *1"
            assert re.search(last, text)
            assert "channel x/@big" in text  # the detail pane: who uses the person

            name_header = table._widths[0] + 2  # past the E-mail column
            await pilot.click("#people-table", offset=(name_header, 0))  # sorts by name
            await settle(pilot)
            assert re.search(r"E-mail +Name ▲", view_text(app, "people"))
            assert table.current_row.key == "person04999@acme.example"  # still selected
            await pilot.press("home")
            await settle(pilot)
            assert table.current_row.values["name"] == "Person 00001"
    finally:
        store.close()


def test_record_pages_follow_the_sort_and_find_a_record(sample_store):
    conn = sample_store.conn
    query = RecordQuery("person", "name", descending=True)
    assert count_records(conn, query) == 23
    rows = page_records(conn, query, 0, 5)
    names = [row.values["name"] for row in rows]
    assert names == sorted(names, reverse=True)
    last = page_records(conn, query, 22, 5)
    assert len(last) == 1
    assert record_position(conn, query, last[0].key.upper()) == 22  # e-mails ignore case
    assert record_position(conn, query, "nobody@acme.example") is None
    # every row says the revision it was read at (a delete from the list checks it)
    assert {row.revision for row in rows} == {1}


@run_async
async def test_record_lists_show_hostile_names_literally(hostile_store, make_app):
    app = make_app(hostile_store)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("3")
        await settle(pilot)
        assert re.search(
            r"boss@acme\.example *\[red\]Boss\[/red\] *\[Marketing\]", screen_text(app)
        )
        await pilot.press("4")
        await settle(pilot)
        assert re.search(r"\[Marketing\] *marketing *open *1 *5 *0", screen_text(app))
        assert app.is_running
