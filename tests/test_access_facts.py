"""Migration 0007: R106 and R107 read `admin_earliest_left_on` and `employee_access_count`
instead of parsing `access_people` for every channel, and flag exactly what their former
texts flagged; an existing database is upgraded, keeping a text the user changed."""

from __future__ import annotations

import copy
import itertools
import sqlite3
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from conftest import MINIMAL_DOCUMENT, check_json, database_at_schema, flag_keys, run_cli

from inventory.builtin_rules import BUILTIN_RULES
from inventory.rules.sandbox import open_sandbox
from inventory.schema import SCHEMA_VERSION
from inventory.superseded_rules import SUPERSEDED_TEXTS

PEOPLE = {
    # email: (employment, left_on)
    "stays@test.example": ("employee", None),
    "left@test.example": ("employee", "2026-06-01"),
    "leaves@test.example": ("employee", "2026-12-15"),
    "agency@test.example": ("external", None),
    "agency-left@test.example": ("external", "2026-06-01"),
}
AS_OF_DATES = ["2026-05-31", "2026-06-01", "2026-06-02", "2026-12-14", "2026-12-15", "2027-01-01"]


def _every_access_combination() -> dict[str, Any]:
    """One channel per owner, backup owner (the owner too) and up to two admins among
    five people: employees and externals, staying, gone and leaving."""
    document = copy.deepcopy(MINIMAL_DOCUMENT)
    for email, (employment, left_on) in PEOPLE.items():
        document["people"].append(
            {
                "email": email,
                "name": email.split("@")[0],
                "department": "Marketing",
                "employment": employment,
                "left_on": left_on,
            }
        )
    template = document["channels"][0]
    document["channels"] = []
    choices = [None, *PEOPLE]
    for owner, backup in itertools.product(choices, choices):
        others = [email for email in PEOPLE if email not in (owner, backup)]
        for size in range(3):
            for admins in itertools.combinations(others, size):
                n = len(document["channels"])
                document["channels"].append(
                    {
                        **template,
                        "handle": f"@c{n}",
                        "url": f"https://www.instagram.com/c{n}",
                        "owner": owner,
                        "backup_owner": backup,
                        "admins": list(admins),
                    }
                )
    return document


def _rule(code: str) -> dict[str, Any]:
    return next(rule for rule in BUILTIN_RULES if rule["code"] == code)


@pytest.mark.parametrize("code", sorted(SUPERSEDED_TEXTS))
def test_the_new_texts_flag_what_the_old_ones_did(make_db, code: str) -> None:
    db = make_db(_every_access_combination())
    rule = _rule(code)
    old = {**rule, **SUPERSEDED_TEXTS[code]}
    minimums = [0, 1, 2, 3, 4] if rule["parameters"] else [None]
    with open_sandbox(db) as sandbox:
        channels = sandbox.count("channel")
        assert channels > 300
        flagged = 0
        for as_of, minimum in itertools.product(AS_OF_DATES, minimums):
            parameters = {} if minimum is None else {"min_in_house_people": minimum}
            when = date.fromisoformat(as_of)

            def rows(texts: dict[str, Any], parameters: dict[str, Any] = parameters) -> Any:
                return sandbox.run(
                    "channel",
                    texts["condition"],
                    texts["message"],
                    parameters,
                    when,  # noqa: B023
                    channels,
                )

            expected = rows(old)
            assert rows(rule) == expected, (as_of, minimum)
            flagged += len(expected)
    assert flagged > 0


def _schema_6_database(path: Path, *, edited_message: str) -> None:
    """A database as the version before 0007 left it (R106 and R107 with the texts it
    seeded), with R107's message changed by its user."""
    db = database_at_schema(path, 6)
    for code, texts in SUPERSEDED_TEXTS.items():
        for field, text in texts.items():
            db.execute(f"UPDATE rules SET {field} = ? WHERE code = ?", [text, code])
    db.execute("UPDATE rules SET message = ? WHERE code = 'R107'", [edited_message])
    db.conn.commit()
    db.close()


def test_an_existing_database_gets_the_columns_and_the_new_texts(tmp_path: Path) -> None:
    db = tmp_path / "old.db"
    mine = "'Too few: ' || admin_count"
    _schema_6_database(db, edited_message=mine)
    before = sqlite3.connect(db)
    assert before.execute("SELECT condition FROM rules WHERE code = 'R106'").fetchone() == (
        SUPERSEDED_TEXTS["R106"]["condition"],
    )
    before.close()
    assert run_cli("dump", db).exit_code == 0
    conn = sqlite3.connect(db)
    assert conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
    columns = {row[1] for row in conn.execute("PRAGMA table_info(facts_channel)")}
    assert {"admin_earliest_left_on", "employee_access_count", "access_people"} <= columns
    texts = {
        code: (condition, message)
        for code, condition, message in conn.execute(
            "SELECT code, condition, message FROM rules WHERE code IN ('R106', 'R107')"
        )
    }
    conn.close()
    assert texts["R106"] == (_rule("R106")["condition"], _rule("R106")["message"])
    # the shipped condition is replaced, the user's own message kept
    assert texts["R107"] == (_rule("R107")["condition"], mine)
    assert run_cli("rules", db).exit_code == 0
    _, export = check_json(db)
    assert not export["summary"]["broken_rules"]


def test_a_new_database_has_the_new_texts(make_db) -> None:
    db = make_db(_every_access_combination())
    conn = sqlite3.connect(db)
    stored = dict(conn.execute("SELECT code, condition FROM rules WHERE builtin = 1"))
    conn.close()
    assert stored == {rule["code"]: rule["condition"] for rule in BUILTIN_RULES}
    fired = {rule for rule, _ in flag_keys(check_json(db)[1])}
    assert {"R106", "R107"} <= fired
