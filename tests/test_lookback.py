"""`dump`/`check`/`export --at WHEN`: the inventory as it was, rebuilt from the history.

A history is built with imports, form saves (a rename), waivers, rule changes, a
replacing import and an undo, each at a known time; every earlier state must come back
exactly, and its check must equal the check made at the time."""

from __future__ import annotations

import copy
import hashlib
import json
from pathlib import Path
from typing import Any

import pytest
from conftest import AS_OF, MINIMAL_DOCUMENT, copy_database, run_cli, run_in_process

from inventory import history, records
from inventory.models import Channel
from inventory.rules import deadline
from inventory.store import open_store

TIMES = [
    "2026-01-10T09:00:00Z",  # import A
    "2026-02-01T10:00:00Z",  # merge: owner external, new channel, new department
    "2026-03-01T12:00:00Z",  # form save: rename a channel, change its hours
    "2026-04-01T08:30:00Z",  # waiver
    "2026-05-01T07:00:00Z",  # rule disabled, parameter changed
    "2026-06-01T16:00:00Z",  # replacing import: a channel and a person go
    "2026-06-15T11:00:00Z",  # undo of the replacing import
    "2026-07-01T10:00:00Z",  # waiver removed
]


def _document_a() -> dict[str, Any]:
    document = copy.deepcopy(MINIMAL_DOCUMENT)
    extra = copy.deepcopy(document["channels"][0])
    extra.update(handle="@second", name="Second", owner=None, weekly_hours=0)
    document["channels"].append(extra)
    return document


def _write(tmp_path: Path, document: dict[str, Any], name: str) -> Path:
    path = tmp_path / name
    path.write_text(json.dumps(document), encoding="utf-8")
    return path


def _check(db: Path, *args: str) -> dict[str, Any]:
    result = run_cli("check", db, "--format", "json", "--as-of", AS_OF, *args)
    assert result.exit_code in (0, 1), result.output
    export = json.loads(result.stdout)
    export.pop("generated_at")
    export.pop("state_at", None)
    return export


def _ok(*args: Any) -> None:
    result = run_cli(*args)
    assert result.exit_code == 0, result.output


Built = tuple[Path, list[str], list[dict[str, Any]]]

pytestmark = pytest.mark.usefixtures("rules_in_process")  # what the checks say, not the child


@pytest.fixture(scope="module")
def built_once(tmp_path_factory: pytest.TempPathFactory) -> Built:
    """The history, built once per test process (8 imports, saves and rule changes, each
    followed by a dump and a check: ~0.8 s of CPU): tests get copies (`built`)."""
    with pytest.MonkeyPatch.context() as monkeypatch:
        monkeypatch.setattr(deadline, "run_with_deadline", run_in_process)  # see rules_in_process
        return _build(tmp_path_factory.mktemp("lookback"), monkeypatch)


@pytest.fixture
def built(built_once: Built, tmp_path: Path) -> Built:
    """The database, and after each step its dump and its check."""
    template, dumps, checks = built_once
    db = copy_database(template, tmp_path / template.name)
    return db, list(dumps), copy.deepcopy(checks)


def _build(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Built:
    clock = iter(TIMES)
    moment = {"now": TIMES[0]}
    monkeypatch.setattr(history, "now_utc", lambda: moment["now"])
    db = tmp_path / "history.db"
    dumps: list[str] = []
    checks: list[dict[str, Any]] = []

    def step() -> None:
        moment["now"] = next(clock)

    def record() -> None:
        dumps.append(run_cli("dump", db).stdout)
        checks.append(_check(db))

    step()
    _ok("import", db, _write(tmp_path, _document_a(), "a.json"))
    record()

    step()
    merge = _document_a()
    merge["channels"][0]["owner"] = "ext@agency.example"
    merge["departments"].append({"name": "Sales", "function": "sales", "social_access": "blocked"})
    third = copy.deepcopy(merge["channels"][0])
    third.update(platform="tiktok", handle="@third", name="Third", reporting_department="Sales")
    merge["channels"].append(third)
    _ok("import", db, _write(tmp_path, merge, "b.json"))
    record()

    step()
    with open_store(db) as store:
        loaded = records.get_record(store, "channel", "instagram/@second")
        assert loaded is not None
        renamed = Channel.model_validate(
            loaded.record.model_dump() | {"handle": "@renamed", "weekly_hours": 3}
        )
        records.save_record(
            store,
            "channel",
            renamed,
            original_key="instagram/@second",
            expected_revision=loaded.revision,
        )
    record()

    step()
    _ok("waive", db, "R102", "instagram/@test", "--reason", "hand-over", "--until", "2026-12-31")
    record()

    step()
    _ok("rules", db, "--disable", "R201")
    record()
    # two changes in the same second: the state at that second is after both
    _ok("rules", db, "--set-param", "R602", "max_days_since_post=3")
    dumps[-1] = run_cli("dump", db).stdout
    checks[-1] = _check(db)

    step()
    replace = copy.deepcopy(MINIMAL_DOCUMENT)
    replace["people"] = replace["people"][:1]
    replace["channels"][0]["admins"] = []
    _ok("import", db, _write(tmp_path, replace, "c.json"), "--replace")
    record()

    step()
    _ok("undo", db, "--yes")
    record()

    step()
    _ok("waive", db, "R102", "instagram/@test", "--remove")
    record()
    return db, dumps, checks


def _digest(db: Path) -> str:
    parts = [db, db.with_name(db.name + "-wal")]
    return hashlib.sha256(b"".join(p.read_bytes() for p in parts if p.exists())).hexdigest()


def test_every_earlier_state_comes_back_exactly(built) -> None:
    db, dumps, checks = built
    assert len(set(dumps)) == 4  # waivers, rules and the undo leave records as before
    untouched = _digest(db)
    for moment, dump, check in zip(TIMES, dumps, checks, strict=True):
        result = run_cli("dump", db, "--at", moment)
        assert result.exit_code == 0, result.output
        assert result.stdout == dump, moment
        assert _check(db, "--at", moment) == check, moment
    assert _digest(db) == untouched  # nothing in the database changed


def test_a_moment_between_changes_is_the_state_the_last_one_left(built) -> None:
    db, dumps, checks = built
    assert run_cli("dump", db, "--at", "2026-02-01T09:59:59Z").stdout == dumps[0]
    assert run_cli("dump", db, "--at", "2026-02-20T00:00:00+01:00").stdout == dumps[1]
    # a bare date is the end of that day, UTC; an offset is converted
    assert run_cli("dump", db, "--at", "2026-03-01").stdout == dumps[2]
    assert run_cli("dump", db, "--at", "2026-03-01T12:59:59+01:00").stdout == dumps[1]
    assert _check(db, "--at", "2026-04-15") == checks[3]
    # after the last change: today's inventory
    assert run_cli("dump", db, "--at", "2030-01-01").stdout == run_cli("dump", db).stdout


def test_check_at_equals_a_check_of_that_state_imported_fresh(built, tmp_path: Path) -> None:
    """Before the waiver and the rule changes (which a document doesn't carry)."""
    db, dumps, _ = built
    for number in range(3):
        fresh = tmp_path / f"fresh-{number}.db"
        source = tmp_path / f"state-{number}.json"
        source.write_text(dumps[number], encoding="utf-8")
        _ok("import", fresh, source)
        assert _check(db, "--at", TIMES[number]) == _check(fresh)


def test_as_of_defaults_to_the_date_of_the_moment(built) -> None:
    db, _, _ = built
    result = run_cli("check", db, "--format", "json", "--at", "2026-03-01T12:00:00Z")
    export = json.loads(result.stdout)
    assert export["as_of"] == "2026-03-01"
    assert export["state_at"] == "2026-03-01T12:00:00Z"
    assert list(export)[:5] == ["format", "generated_at", "as_of", "state_at", "organization"]
    assert "state_at" not in json.loads(run_cli("check", db, "--format", "json").stdout)


def test_export_at_writes_the_past_flags(built, tmp_path: Path) -> None:
    db, _, checks = built
    out = tmp_path / "then.json"
    _ok("export", db, "-o", out, "--as-of", AS_OF, "--at", TIMES[1])
    export = json.loads(out.read_text())
    assert export["state_at"] == TIMES[1]
    assert export["flags"] == checks[1]["flags"]


def test_the_text_report_names_the_moment(built) -> None:
    db, _, _ = built
    result = run_cli("check", db, "--as-of", AS_OF, "--at", TIMES[0])
    assert "the inventory as it was at 2026-01-10T09:00:00Z" in result.stdout


@pytest.mark.parametrize("command", ["check", "dump", "export"])
def test_before_the_history_begins_is_exit_2_naming_when(built, command, tmp_path) -> None:
    db, _, _ = built
    args = ["-o", tmp_path / "x.json"] if command == "export" else []
    result = run_cli(command, db, "--at", "2026-01-10T08:59:59Z", *args)
    assert result.exit_code == 2
    assert "2026-01-10T09:00:00Z" in result.stderr
    assert result.stderr.count("\n") == 1
    assert not (tmp_path / "x.json").exists()


@pytest.mark.parametrize("when", ["yesterday", "2026-13-01", "2026-02-30", "12:00", ""])
def test_a_bad_moment_is_exit_2(built, when: str) -> None:
    db, _, _ = built
    result = run_cli("dump", db, "--at", when)
    assert result.exit_code == 2
    assert "--at" in result.stderr and "Traceback" not in result.output


def test_an_empty_history_has_no_earlier_state(tmp_path: Path) -> None:
    db = tmp_path / "empty.db"
    _ok("rules", db)  # creates an inventory with no recorded change
    result = run_cli("check", db, "--at", "2026-01-01")
    assert result.exit_code == 2
    assert "no history" in result.stderr


def test_undo_of_an_import_that_adds_an_owner(make_db, tmp_path: Path) -> None:
    """Walking back (and undo) restores the channel's old owner before it deletes the
    person the import added: the other order broke the foreign key."""
    db = make_db(copy.deepcopy(MINIMAL_DOCUMENT))
    before = run_cli("dump", db).stdout
    merge = copy.deepcopy(MINIMAL_DOCUMENT)
    merge["people"].append(
        {"email": "new@test.example", "name": "New", "department": None, "employment": "employee"}
    )
    merge["channels"][0]["owner"] = "new@test.example"
    _ok("import", db, _write(tmp_path, merge, "merge.json"))
    _ok("undo", db, "--yes")
    assert run_cli("dump", db).stdout == before
