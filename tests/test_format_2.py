"""Format `social-inventory/2`: the new fields, `/1` documents, lookalikes, the migration."""

from __future__ import annotations

import copy
import hashlib
import json
import sqlite3
from pathlib import Path

import pytest
from conftest import ROOT, as_format_1, check_json, database_at_schema, flag_keys, run_cli

from inventory.schema import SCHEMA_VERSION

FORMAT_1_SAMPLE = ROOT / "tests" / "fixtures" / "acme-format-1.json"


def dump(db: Path) -> dict:
    result = run_cli("dump", db)
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_a_2_document_dumps_back_with_keys_in_spec_order(make_db, minimal_document) -> None:
    minimal_document["lookalikes"] = [
        {"platform": "x", "handle": "@Test_Help", "url": "https://x.com/Test_Help",
         "found_on": "2026-10-02", "takedown": "requested", "notes": "fake support desk"},
        {"platform": "instagram", "handle": "@test_official", "url": None,
         "found_on": "2026-09-01", "takedown": "open", "notes": ""},
    ]  # fmt: skip
    minimal_document["lookalikes"].sort(key=lambda item: (item["platform"], item["handle"]))
    minimal_document["people"][2]["left_on"] = "2026-12-31"
    dumped = dump(make_db(minimal_document))
    assert dumped == minimal_document
    assert list(dumped) == [
        "format", "organization", "departments", "people", "consultants", "policies",
        "channels", "lookalikes",
    ]  # fmt: skip
    assert list(dumped["organization"]) == ["name", "email_domains"]
    assert list(dumped["people"][0])[-1] == "left_on"
    assert list(dumped["channels"][0])[-5:] == [
        "notes", "admins", "login_email", "two_factor", "reviewed_on",
    ]  # fmt: skip
    assert list(dumped["lookalikes"][0]) == [
        "platform", "handle", "url", "found_on", "takedown", "notes",
    ]  # fmt: skip


def test_admins_are_dumped_in_the_stored_spelling(make_db, minimal_document) -> None:
    minimal_document["channels"][0]["admins"] = ["BRUNO@Test.Example"]
    assert dump(make_db(minimal_document))["channels"][0]["admins"] == ["bruno@test.example"]


def test_a_1_document_is_read_with_the_2_defaults(make_db, minimal_document) -> None:
    dumped = dump(make_db(as_format_1(minimal_document)))
    assert dumped["format"] == "social-inventory/2"
    assert dumped["organization"]["email_domains"] == []
    assert {p["left_on"] for p in dumped["people"]} == {None}
    channel = dumped["channels"][0]
    assert (channel["admins"], channel["login_email"]) == ([], None)
    assert (channel["two_factor"], channel["reviewed_on"]) == ("unknown", None)
    assert dumped["lookalikes"] == []


def test_the_previous_sample_imports_and_checks(tmp_path: Path) -> None:
    assert json.loads(FORMAT_1_SAMPLE.read_text())["format"] == "social-inventory/1"
    db = tmp_path / "old.db"
    result = run_cli("import", db, FORMAT_1_SAMPLE)
    assert result.exit_code == 0, result.output
    status, export = check_json(db)
    assert status == 1
    assert export["format"] == "social-inventory-flags/2"
    assert export["summary"]["checked"]["lookalikes"] == 0
    fired = {rule for rule, _ in flag_keys(export)}
    # nothing recorded about logins, two-factor and reviews: unknown is a finding
    assert {"R108", "R109", "R111"} <= fired
    assert sum(rule == "R109" for rule, _ in flag_keys(export)) == 46  # every open channel
    assert not {"R105", "R106", "R110", "R112"} & fired


@pytest.mark.parametrize(
    ("where", "field"),
    [
        ("document", "lookalikes"),
        ("organization", "email_domains"),
        ("person", "left_on"),
        ("channel", "admins"),
        ("channel", "login_email"),
        ("channel", "two_factor"),
        ("channel", "reviewed_on"),
    ],
)
def test_a_2_field_in_a_1_document_is_an_unknown_field(
    make_db, write_document, minimal_document, where: str, field: str
) -> None:
    db = make_db(minimal_document)
    before = digest(db)
    old = as_format_1(minimal_document)
    target = {
        "document": old,
        "organization": old["organization"],
        "person": old["people"][0],
        "channel": old["channels"][0],
    }[where]
    target[field] = copy.deepcopy(minimal_document["channels"][0].get(field, []))
    result = run_cli("import", db, write_document(old, "old.json"))
    assert result.exit_code == 2
    assert f"'{field}': is not a field of social-inventory/1" in result.stderr
    assert digest(db) == before


def test_a_1_merge_keeps_the_2_fields_of_existing_records(
    make_db, write_document, minimal_document
) -> None:
    minimal_document["people"][1]["left_on"] = "2027-03-31"
    minimal_document["lookalikes"] = [
        {"platform": "x", "handle": "@fake", "url": None, "found_on": "2026-10-02",
         "takedown": "open", "notes": ""},
    ]  # fmt: skip
    db = make_db(minimal_document)
    update = as_format_1(minimal_document)
    update["channels"][0]["notes"] = "updated from an old spreadsheet"
    update["channels"].append({**update["channels"][0], "handle": "@new", "notes": ""})
    update["people"][1]["name"] = "Bruno Verdi"
    result = run_cli("import", db, write_document(update, "old.json"))
    assert result.exit_code == 0, result.output
    after = dump(db)
    assert after["organization"]["email_domains"] == ["test.example"]
    assert after["people"][1] == {**minimal_document["people"][1], "name": "Bruno Verdi"}
    kept, new = after["channels"][1], after["channels"][0]
    assert kept == {**minimal_document["channels"][0], "notes": "updated from an old spreadsheet"}
    assert (new["handle"], new["admins"], new["two_factor"]) == ("@new", [], "unknown")
    assert after["lookalikes"] == minimal_document["lookalikes"]


def test_a_1_merge_that_makes_an_admin_the_owner_drops_the_admin_entry(
    make_db, write_document, minimal_document
) -> None:
    db = make_db(minimal_document)
    update = as_format_1(minimal_document)
    update["channels"][0]["backup_owner"] = "bruno@test.example"
    assert run_cli("import", db, write_document(update, "old.json")).exit_code == 0
    channel = dump(db)["channels"][0]
    assert (channel["backup_owner"], channel["admins"]) == ("bruno@test.example", [])


def test_an_unknown_format_names_the_formats_read(make_db, write_document, minimal_document):
    db = make_db(minimal_document)
    minimal_document["format"] = "social-inventory/3"
    result = run_cli("import", db, write_document(minimal_document, "three.json"))
    assert result.exit_code == 2
    assert "'social-inventory/2' or 'social-inventory/1'" in result.stderr


BAD_2_FIELDS = {
    "upper-case domain": (
        lambda d: d["organization"].update(email_domains=["Test.example"]),
        ["email_domains", "must be lower-case"],
    ),
    "domain with @": (
        lambda d: d["organization"].update(email_domains=["@test.example"]),
        ["email_domains", "is not a domain"],
    ),
    "repeated domain": (
        lambda d: d["organization"].update(email_domains=["a.example", "a.example"]),
        ["email_domains", "more than once"],
    ),
    "bad left_on": (
        lambda d: d["people"][0].update(left_on="31/12/2026"),
        ["left_on", "YYYY-MM-DD"],
    ),
    "repeated admin, other case": (
        lambda d: d["channels"][0].update(admins=["bruno@test.example", "Bruno@Test.example"]),
        ["admins", "more than once"],
    ),
    "owner among admins": (
        lambda d: d["channels"][0].update(admins=["ANNA@test.example"]),
        ["admins", "(the owner)"],
    ),
    "backup owner among admins": (
        lambda d: d["channels"][0].update(backup_owner="bruno@test.example"),
        ["admins", "(the backup owner)"],
    ),
    "admin not in the document": (
        lambda d: d["channels"][0].update(admins=["ghost@test.example"]),
        ["admins", "ghost@test.example", "no person with that key exists"],
    ),
    "login e-mail without @": (
        lambda d: d["channels"][0].update(login_email="social.test.example"),
        ["login_email", "does not look like an address"],
    ),
    "login e-mail with two @": (
        lambda d: d["channels"][0].update(login_email="a@b@test.example"),
        ["login_email", "does not look like an address"],
    ),
    "bad two_factor": (
        lambda d: d["channels"][0].update(two_factor="yes"),
        ["two_factor", "on, off, unknown"],
    ),
    "bad takedown": (
        lambda d: d["lookalikes"].append(
            {"platform": "x", "handle": "@f", "found_on": "2026-01-01", "takedown": "gone"}
        ),
        ["takedown", "open, requested, removed, tolerated"],
    ),
    "lookalike without found_on": (
        lambda d: d["lookalikes"].append({"platform": "x", "handle": "@f"}),
        ["found_on", "is required"],
    ),
    "repeated lookalike": (
        lambda d: d["lookalikes"].extend(
            [{"platform": "x", "handle": "@f", "found_on": "2026-01-01"}] * 2
        ),
        ['lookalike "x/@f"', "appears more than once"],
    ),
    "lookalike with a channel's key": (
        lambda d: d["lookalikes"].append(
            {"platform": "instagram", "handle": "@test", "found_on": "2026-01-01"}
        ),
        ['lookalike "instagram/@test"', "channel instagram/@test has the same platform"],
    ),
    "unknown lookalike field": (
        lambda d: d["lookalikes"].append(
            {"platform": "x", "handle": "@f", "found_on": "2026-01-01", "colour": "red"}
        ),
        ["colour", "not a known field"],
    ),
}


@pytest.mark.parametrize("case", list(BAD_2_FIELDS))
def test_bad_2_fields_change_nothing_and_name_the_problem(
    make_db, write_document, minimal_document, case: str
) -> None:
    db = make_db(minimal_document)
    before = digest(db)
    bad = copy.deepcopy(minimal_document)
    BAD_2_FIELDS[case][0](bad)
    result = run_cli("import", db, write_document(bad, "bad.json"))
    assert result.exit_code == 2
    for part in BAD_2_FIELDS[case][1]:
        assert part in result.stderr
    assert digest(db) == before


def test_a_merged_lookalike_may_not_take_a_retired_channel_key(
    make_db, write_document, minimal_document
) -> None:
    minimal_document["channels"][0]["status"] = "retired"
    db = make_db(minimal_document)
    before = dump(db)
    update = {
        "format": "social-inventory/2",
        "organization": minimal_document["organization"],
        "lookalikes": [{"platform": "instagram", "handle": "@test", "found_on": "2026-01-01"}],
    }
    result = run_cli("import", db, write_document(update, "merge.json"))
    assert result.exit_code == 2
    assert "channel instagram/@test has the same platform and handle" in result.stderr
    assert dump(db) == before


def test_a_lookalike_save_may_not_take_a_channel_key(make_db, minimal_document) -> None:
    from inventory import records
    from inventory.models import Lookalike
    from inventory.store import open_store

    with open_store(make_db(minimal_document)) as store:
        clash = Lookalike(platform="instagram", handle="@test", found_on="2026-01-01")
        with pytest.raises(records.RecordError, match="has the same platform and handle"):
            records.save_record(store, "lookalike", clash)
        assert records.list_records(store, "lookalike") == []


# --- the migration of an existing database ---------------------------------------------------


def _schema_4_database(path: Path) -> None:
    """A database as the version before /2 left it (migrations 0001-0004), with data."""
    db = database_at_schema(path, 4)
    db.execute("INSERT INTO organization (id, name) VALUES (1, 'Old Org')")
    db.execute(
        "INSERT INTO people (email, name, employment) VALUES ('a@old.example', 'A', 'employee')"
    )
    db.execute(
        """INSERT INTO channels (platform, handle, name, status, owner_id, credentials_holder)
           VALUES ('x', '@old', 'Old', 'active', 1, 'in_house')"""
    )
    db.execute(
        """INSERT INTO rules (code, recommendation, title, severity, subject_type, condition,
               message) VALUES ('R105', 1, 'My own R105', 'info', 'channel', 'is_live', "'mine'")"""
    )
    db.execute(
        """INSERT INTO waivers (rule, subject_id, reason, by, "on")
           VALUES ('R105', 'x/@old', 'known', 'me', '2026-01-01')"""
    )
    db.conn.commit()
    db.close()


def test_an_existing_database_migrates_after_a_backup(tmp_path: Path) -> None:
    db = tmp_path / "old.db"
    _schema_4_database(db)
    result = run_cli("dump", db)
    assert result.exit_code == 0, result.output
    backup = tmp_path / f"old.db.before-schema-{SCHEMA_VERSION}"
    assert f"backup is at {backup}" in result.stderr
    old = sqlite3.connect(backup)
    assert old.execute("PRAGMA user_version").fetchone()[0] == 4
    assert "left_on" not in [r[1] for r in old.execute("PRAGMA table_info(people)")]
    document = json.loads(result.stdout)
    assert document["format"] == "social-inventory/2"
    assert document["channels"][0]["two_factor"] == "unknown"
    assert document["lookalikes"] == []
    conn = sqlite3.connect(db)
    assert conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
    rules = dict(conn.execute("SELECT code, enabled FROM rules WHERE builtin = 1"))
    assert len(rules) == 24 and all(rules.values())
    # the user's own rule with a code the new built-in rules take is kept, renamed
    assert conn.execute("SELECT title FROM rules WHERE code = 'R105-CUSTOM'").fetchone() == (
        "My own R105",
    )
    assert conn.execute("SELECT rule FROM waivers").fetchall() == [("R105-CUSTOM",)]
    conn.close()
    _, export = check_json(db)
    fired = {rule for rule, _ in flag_keys(export)}
    assert {"R107", "R108", "R109", "R111"} <= fired  # unknown is a finding, at once
