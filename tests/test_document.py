"""Import and dump of inventory documents through the public CLI."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.conftest import SAMPLE, as_format_1, run_cli


def dump(db: Path) -> dict:
    result = run_cli("dump", db)
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def test_sample_round_trips_byte_for_byte(tmp_path: Path) -> None:
    db = tmp_path / "sample.db"
    assert run_cli("import", db, SAMPLE).exit_code == 0
    out = tmp_path / "out.json"
    result = run_cli("dump", db, "-o", out)
    assert result.exit_code == 0, result.output
    assert out.read_text(encoding="utf-8") == SAMPLE.read_text(encoding="utf-8")


def test_dump_is_the_same_document_and_deterministic(make_db, minimal_document) -> None:
    db = make_db(minimal_document)
    assert dump(db) == minimal_document
    assert run_cli("dump", db).stdout == run_cli("dump", db).stdout


def test_inner_lists_keep_their_order(make_db, minimal_document) -> None:
    channel = minimal_document["channels"][0]
    channel["linked_departments"] = ["Marketing", "Customer Care"]
    channel["goals"] = ["sales_roi", "community", "awareness"]
    assert dump(make_db(minimal_document)) == minimal_document


def test_import_prints_what_it_imported(tmp_path, write_document, minimal_document) -> None:
    result = run_cli("import", tmp_path / "new.db", write_document(minimal_document))
    assert result.exit_code == 0
    assert (
        "1 channels, 2 departments, 3 people, 1 consultants, 1 policies, 0 lookalikes"
        in result.stdout
    )


def test_merge_updates_by_natural_key_and_keeps_the_rest(
    make_db, write_document, minimal_document
) -> None:
    db = make_db(minimal_document)
    update = {
        "format": "social-inventory/1",
        "organization": {"name": "Test Org"},
        "people": [
            {
                "email": "ANNA@test.example",
                "name": "Anna Maria",
                "department": "Marketing",
                "employment": "employee",
            }
        ],
        "channels": [
            {
                **as_format_1(minimal_document)["channels"][0],
                "handle": "@second",
                "owner": "anna@test.example",
            }
        ],
    }
    result = run_cli("import", db, write_document(update, "update.json"))
    assert result.exit_code == 0, result.output
    after = dump(db)
    assert [p["name"] for p in after["people"]] == ["Anna Maria", "Bruno", "Ext"]
    assert [c["handle"] for c in after["channels"]] == ["@second", "@test"]
    assert len(after["departments"]) == 2


def test_replace_replaces_the_whole_inventory(make_db, write_document, minimal_document) -> None:
    db = make_db(minimal_document)
    smaller = {**minimal_document, "channels": [], "consultants": []}
    result = run_cli("import", db, write_document(smaller, "smaller.json"), "--replace")
    assert result.exit_code == 0, result.output
    assert dump(db) == smaller


def test_dump_of_missing_database_is_refused(tmp_path) -> None:
    result = run_cli("dump", tmp_path / "missing.db")
    assert result.exit_code == 2
    assert "does not exist" in result.stderr
    assert not (tmp_path / "missing.db").exists()


# --- bad documents ---------------------------------------------------------------------------


def _channel(doc: dict) -> dict:
    return doc["channels"][0]


BAD_DOCUMENTS = {
    "malformed JSON": (
        lambda d: '{"format": "social-inventory/1", "organization": ',
        ["not valid JSON", "line 1"],
    ),
    "unknown field": (
        lambda d: _channel(d).update(colour="red") or d,
        ['channel "instagram/@test"', "colour", "not a known field"],
    ),
    "unknown top-level field": (lambda d: d.update(extra=1) or d, ["extra", "not a known field"]),
    "bad enum": (
        lambda d: _channel(d).update(status="paused") or d,
        ["status", '"paused"', "planned, active, dormant, retired"],
    ),
    "bad date": (
        lambda d: _channel(d).update(last_post_on="2026-02-30") or d,
        ["last_post_on", "2026-02-30", "not a valid date"],
    ),
    "date in another format": (
        lambda d: _channel(d).update(last_post_on="20/11/2026") or d,
        ["last_post_on", "YYYY-MM-DD"],
    ),
    "negative hours": (
        lambda d: _channel(d).update(weekly_hours=-2) or d,
        ["weekly_hours", "-2", "negative"],
    ),
    "hours as text": (
        lambda d: _channel(d).update(weekly_hours="4") or d,
        ["weekly_hours", "not a number"],
    ),
    "duplicate natural key": (
        lambda d: d["channels"].append(dict(_channel(d))) or d,
        ['channel "instagram/@test"', "more than once"],
    ),
    "duplicate e-mail in another case": (
        lambda d: d["people"].append({**d["people"][0], "email": "Anna@Test.example"}) or d,
        ['person "anna@test.example"', "more than once"],
    ),
    "dangling reference": (
        lambda d: _channel(d).update(owner="nobody@test.example") or d,
        ['channel "instagram/@test"', "owner", "nobody@test.example", "no person"],
    ),
    "dangling linked department": (
        lambda d: _channel(d).update(linked_departments=["Sales"]) or d,
        ["linked_departments", '"Sales"', "no department"],
    ),
    "empty required string": (
        lambda d: _channel(d).update(name="   ") or d,
        ["name", "must not be empty"],
    ),
    "bad e-mail": (
        lambda d: d["people"][0].update(email="anna") or d,
        ["email", "does not look like an e-mail address"],
    ),
    "wrong format": (
        lambda d: d.update(format="social-inventory/9") or d,
        ["format", "not a supported format"],
    ),
    "boolean as text": (
        lambda d: d["consultants"][0].update(knowledge_transfer="yes") or d,
        ["knowledge_transfer", "true or false"],
    ),
}


@pytest.mark.parametrize("case", BAD_DOCUMENTS, ids=list(BAD_DOCUMENTS))
def test_bad_document_changes_nothing_and_names_the_problem(
    case, make_db, write_document, minimal_document
) -> None:
    db = make_db(minimal_document)
    before = db.read_bytes()
    mutate, expected = BAD_DOCUMENTS[case]
    import copy

    bad = mutate(copy.deepcopy(minimal_document))
    result = run_cli("import", db, write_document(bad, "bad.json"))
    assert result.exit_code == 2
    for text in expected:
        assert text in result.stderr
    assert "Traceback" not in result.output
    assert db.read_bytes() == before


def test_every_problem_is_listed_not_only_the_first(
    make_db, write_document, minimal_document
) -> None:
    db = make_db(minimal_document)
    before = db.read_bytes()
    _channel(minimal_document).update(status="paused", weekly_hours=-1)
    minimal_document["departments"][0]["social_access"] = "sometimes"
    result = run_cli("import", db, write_document(minimal_document, "bad.json"))
    assert result.exit_code == 2
    assert "3 problems" in result.stderr
    assert "status" in result.stderr and "weekly_hours" in result.stderr
    assert "social_access" in result.stderr
    assert db.read_bytes() == before


def test_two_reference_errors_are_both_named(make_db, write_document, minimal_document) -> None:
    _channel(minimal_document).update(owner="x@test.example", policy="1999")
    result = run_cli(
        "import",
        make_db({**minimal_document, "channels": []}),
        write_document(minimal_document, "bad.json"),
    )
    assert result.exit_code == 2
    assert "x@test.example" in result.stderr and '"1999"' in result.stderr


def test_missing_document_file(tmp_path) -> None:
    result = run_cli("import", tmp_path / "x.db", tmp_path / "nope.json")
    assert result.exit_code == 2
    assert "nope.json does not exist" in result.stderr
    assert not (tmp_path / "x.db").exists()


def test_field_error_and_dangling_reference_are_reported_together(
    tmp_path, write_document, minimal_document
) -> None:
    _channel(minimal_document).update(status="paused", owner="ghost@test.example")
    db = tmp_path / "new.db"
    result = run_cli("import", db, write_document(minimal_document))
    assert result.exit_code == 2
    assert "2 problems" in result.stderr
    assert "paused" in result.stderr and "ghost@test.example" in result.stderr
    assert not db.exists()
