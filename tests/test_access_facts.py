"""Migrations 0007 and 0009: R106 and R107 read `admin_earliest_left_on` and
`employee_access_count` instead of parsing `access_people` for every channel (0007), then
find who has left in `facts_channel_admin` (0009, with R701's cheaper condition and a
cheaper `login_domain`), and flag exactly what their former texts flagged; an existing
database is upgraded, keeping a text the user changed."""

from __future__ import annotations

import copy
import itertools
import json
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
GOALS = [
    ["sales_roi"],
    ["relationship"],
    ["sales_roi", "community"],
    [],
    ["awareness", "sales_roi"],
    ["customer_care", "sales_roi", "recruiting"],
    ["recruiting"],
]
"""Cycled over the channels (R701)."""


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
                        "goals": GOALS[n % len(GOALS)],
                    }
                )
    # the same handle on another platform with other people (R107 looks for the admins
    # who have left by handle alone, then counts exactly)
    instagram = list(document["channels"])
    for n in range(0, len(instagram), 3):
        other = instagram[(n * 7 + 3) % len(instagram)]
        document["channels"].append(
            {
                **other,
                "platform": "facebook",
                "handle": instagram[n]["handle"],
                "url": f"https://www.facebook.com/c{n}",
            }
        )
    return document


def _rule(code: str) -> dict[str, Any]:
    return next(rule for rule in BUILTIN_RULES if rule["code"] == code)


def _older_versions(code: str) -> list[dict[str, str]]:
    """The rule's texts as each earlier migration left them, oldest first."""
    superseded = SUPERSEDED_TEXTS[code]
    versions = max(len(texts) for texts in superseded.values())
    return [
        {field: texts[min(version, len(texts) - 1)] for field, texts in superseded.items()}
        for version in range(versions)
    ]


@pytest.fixture(scope="module")
def combinations_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("access")
    source = folder / "combinations.json"
    source.write_text(json.dumps(_every_access_combination()), encoding="utf-8")
    db = folder / "combinations.db"
    result = run_cli("import", db, source)
    assert result.exit_code == 0, result.output
    return db


@pytest.mark.parametrize(
    ("code", "version"),
    [(code, n) for code in sorted(SUPERSEDED_TEXTS) for n in range(len(_older_versions(code)))],
)
def test_the_new_texts_flag_what_the_old_ones_did(
    combinations_db: Path, code: str, version: int
) -> None:
    db = combinations_db
    rule = _rule(code)
    old = {**rule, **_older_versions(code)[version]}
    assert old != rule
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
        # narrowed to one channel, as the UI re-evaluates a saved channel
        parameters = {"min_in_house_people": 2} if rule["parameters"] else {}
        when = date(2026, 12, 15)
        for n in range(0, channels // 2, 17):
            one = ("instagram" if n % 2 else "facebook", f"@c{n - n % 3}")
            assert sandbox.run(
                "channel", rule["condition"], rule["message"], parameters, when, 1, one
            ) == sandbox.run("channel", old["condition"], old["message"], parameters, when, 1, one)
    assert flagged > 0


def _schema_6_database(path: Path, *, edited_message: str) -> None:
    """A database as the version before 0007 left it (R106 and R107 with the texts it
    seeded), with R107's message changed by its user."""
    db = database_at_schema(path, 6)
    for code in SUPERSEDED_TEXTS:
        for field, text in _older_versions(code)[0].items():
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
        SUPERSEDED_TEXTS["R106"]["condition"][0],
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


def test_an_edited_r107_is_kept_and_the_flags_stay_when_a_schema_8_database_upgrades(
    tmp_path: Path, make_db
) -> None:
    document = _every_access_combination()
    db = tmp_path / "old.db"
    # as version 8 left it: the texts it shipped (seeding writes today's), R107 edited
    before_texts = {code: _older_versions(code)[-1] for code in SUPERSEDED_TEXTS}
    old = database_at_schema(db, 8)
    for code, texts in before_texts.items():
        for field, text in texts.items():
            old.execute(f"UPDATE rules SET {field} = ? WHERE code = ?", [text, code])
    old.conn.commit()
    old.close()
    mine = "is_live AND employee_access_count < :min_in_house_people + 1"
    conn = sqlite3.connect(db)
    assert "facts_channel_admin" not in {
        name for (name,) in conn.execute("SELECT name FROM sqlite_master WHERE type = 'view'")
    }
    conn.execute("UPDATE rules SET condition = ? WHERE code = 'R107'", [mine])
    conn.commit()
    conn.close()
    source = tmp_path / "doc.json"
    source.write_text(json.dumps(document), encoding="utf-8")
    assert run_cli("import", db, source).exit_code == 0  # opening it upgrades it
    conn = sqlite3.connect(db)
    assert conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION == 10
    texts = {
        code: (condition, message)
        for code, condition, message in conn.execute(
            "SELECT code, condition, message FROM rules "
            "WHERE code IN ('R101', 'R106', 'R107', 'R701')"
        )
    }
    conn.close()
    for code in ("R101", "R106", "R701"):
        assert texts[code] == (_rule(code)["condition"], _rule(code)["message"])
    assert texts["R107"] == (mine, _rule("R107")["message"])
    # the same flags as a new database, where R107 has its shipped condition: only R107's
    # differ (the user's condition), and R101's, R106's and R701's are what the old texts gave
    fresh = make_db(document)
    for as_of in ("2026-06-01", "2026-12-15"):
        _, upgraded = check_json(db, as_of=as_of)
        _, new = check_json(fresh, as_of=as_of)
        assert not upgraded["summary"]["broken_rules"]
        assert [key for key in flag_keys(upgraded) if key[0] != "R107"] == [
            key for key in flag_keys(new) if key[0] != "R107"
        ]
        with open_sandbox(db) as sandbox:
            channels = sandbox.count("channel")
            for code in ("R101", "R106", "R701"):
                old_texts = {**_rule(code), **before_texts[code]}
                old_flags = sandbox.run(
                    "channel",
                    old_texts["condition"],
                    old_texts["message"],
                    {},
                    date.fromisoformat(as_of),
                    channels,
                )
                assert [
                    (flag["subject"]["id"], flag["message"])
                    for flag in upgraded["flags"]
                    if flag["rule"] == code
                ] == [(subject, message) for subject, _, message in old_flags]


LOGIN_EMAILS = [
    "social@acme.example",
    "Social@ACME.Example",
    "a@b",
    "@acme.example",
    "nobody@",
    "two@at@signs.example",
    "no-at-sign",
    "",
    "été@Société.example",
    "x@@y",
    "@",
]


ORGANIZATION_DOMAINS = [
    [],
    ["acme.example"],
    ["ACME.example"],
    ["b", "mail.acme.example"],
    ["société.example", "Signs.example"],
    ["signs.example", 1, None],
]


def test_the_cheaper_login_domain_is_the_old_one() -> None:
    """`login_domain` and `login_domain_is_own` of migrations 0009 and 0010 (instr/substr
    with one `@`, NOCASE instead of lower()) against 0005's and 0007's."""
    from inventory.facts_views import (
        ACCESS_FACTS_EDITS,
        FACTS_CHANNEL_0010_EDITS,
        LOGIN_DOMAIN,
        LOGIN_DOMAIN_0009,
        LOGIN_DOMAIN_0010,
    )

    conn = sqlite3.connect(":memory:")
    conn.execute("CREATE TABLE c (login_email TEXT)")
    conn.execute("CREATE TABLE organization (email_domains TEXT)")
    conn.executemany("INSERT INTO c VALUES (?)", [(e,) for e in [*LOGIN_EMAILS, None]])
    domains = [expression.format(indent="") for expression in (LOGIN_DOMAIN, LOGIN_DOMAIN_0009)]
    domains.append(LOGIN_DOMAIN_0010.format(indent=""))
    own = [
        ACCESS_FACTS_EDITS[0][1].removesuffix(" AS login_domain_is_own"),
        FACTS_CHANNEL_0010_EDITS[1][1] + "\n)",
    ]
    for listed in ORGANIZATION_DOMAINS:
        conn.execute("DELETE FROM organization")
        conn.execute("INSERT INTO organization VALUES (?)", [json.dumps(listed)])
        rows = conn.execute(f"SELECT login_email, {', '.join(domains + own)} FROM c").fetchall()
        assert len(rows) == len(LOGIN_EMAILS) + 1
        for email, old_domain, domain_0009, domain_0010, old_own, own_0010 in rows:
            assert old_domain == domain_0009 == domain_0010, email
            assert old_own == own_0010, (email, listed)
    conn.execute("UPDATE organization SET email_domains = ?", ['["acme.example"]'])
    owned = conn.execute(f"SELECT login_email, {own[1]} FROM c WHERE {own[1]}").fetchall()
    assert {email for email, _ in owned} == {
        "social@acme.example",
        "Social@ACME.Example",
        "@acme.example",
    }
