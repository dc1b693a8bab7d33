"""`inventory offboard DB EMAIL --on DATE [--to EMAIL]`: one action, as interface.md says."""

from __future__ import annotations

import copy
import hashlib
import json
from pathlib import Path
from typing import Any

import pytest
from conftest import MINIMAL_DOCUMENT, check_json, flag_keys, run_cli

ANNA, BRUNO, EXT = "anna@test.example", "bruno@test.example", "ext@agency.example"
CARLA, DARIO = "carla@test.example", "dario@test.example"


def _person(email: str, name: str, **fields: Any) -> dict[str, Any]:
    return {
        "email": email,
        "name": name,
        "department": "Marketing",
        "employment": "employee",
        "left_on": None,
        **fields,
    }


def _channel(handle: str, **fields: Any) -> dict[str, Any]:
    channel = copy.deepcopy(MINIMAL_DOCUMENT["channels"][0])
    channel.update(handle=handle, name=f"Channel {handle}", **fields)
    return channel


@pytest.fixture
def team() -> dict[str, Any]:
    """Anna leaves. She is owner of @test (Bruno admin), backup owner of @b (Carla owns
    it), admin of @c (Carla owns it, Dario admin), owner and backup owner of @d, and owner
    of the retired @old."""
    document = copy.deepcopy(MINIMAL_DOCUMENT)
    document["people"] += [_person(CARLA, "Carla"), _person(DARIO, "Dario")]
    document["people"].sort(key=lambda p: p["email"])
    document["channels"] += [
        _channel("@b", owner=CARLA, backup_owner=ANNA, admins=[]),
        _channel("@c", owner=CARLA, admins=[DARIO, ANNA]),
        _channel("@d", owner=ANNA, backup_owner=ANNA, admins=[DARIO]),
        _channel("@old", owner=ANNA, status="retired", admins=[]),
    ]
    document["channels"].sort(key=lambda c: (c["platform"], c["handle"]))
    return document


def dump(db: Path) -> dict[str, Any]:
    result = run_cli("dump", db)
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def channels(db: Path) -> dict[str, dict[str, Any]]:
    return {c["handle"]: c for c in dump(db)["channels"]}


def access(channel: dict[str, Any]) -> tuple[Any, Any, list[str]]:
    return channel["owner"], channel["backup_owner"], channel["admins"]


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_without_a_successor_it_sets_left_on_and_lists_the_channels(make_db, team) -> None:
    db = make_db(team)
    before = dump(db)
    result = run_cli("offboard", db, ANNA, "--on", "2026-12-31")
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines() == [
        f"{ANNA} leaves on 2026-12-31",
        "4 live channels still depend on them:",
        "  instagram/@b (Channel @b): backup owner",
        "  instagram/@c (Channel @c): admin",
        "  instagram/@d (Channel @d): owner, backup owner",
        "  instagram/@test (Test Instagram): owner",
        "run again with --to SUCCESSOR to hand them over",
    ]
    after = dump(db)
    assert after["channels"] == before["channels"]
    anna = next(p for p in after["people"] if p["email"] == ANNA)
    assert anna["left_on"] == "2026-12-31"
    # a notice period: the owner leaves in 35 days, R112 (30 days) not yet, R105 not at all
    fired = {rule for rule, _ in flag_keys(check_json(db)[1])}
    assert not {"R105", "R106", "R112"} & fired


def test_with_a_successor_every_role_is_handed_over_keeping_the_higher(make_db, team) -> None:
    db = make_db(team)
    old = channels(db)["@old"]
    result = run_cli("offboard", db, ANNA, "--on", "2026-11-26", "--to", "Carla@Test.example")
    assert result.exit_code == 0, result.output
    after = channels(db)
    # owner -> the successor is owner; Bruno stays admin
    assert access(after["@test"]) == (CARLA, None, [BRUNO])
    # the successor owns @b already: she stays owner, the backup slot is emptied
    assert access(after["@b"]) == (CARLA, None, [])
    # the successor owns @c: Anna's admin entry goes, Carla is not added twice
    assert access(after["@c"]) == (CARLA, None, [DARIO])
    # Anna was owner and backup owner: Carla is owner, the backup slot is emptied
    assert access(after["@d"]) == (CARLA, None, [DARIO])
    assert after["@old"] == old  # retired channels are left as they are
    lines = result.stdout.splitlines()
    assert lines[:2] == [f"{ANNA} leaves on 2026-11-26", f"{CARLA} takes over 4 live channels:"]
    at = lines.index("  instagram/@b (Channel @b)")
    assert lines[at + 1 : at + 3] == [
        f"    before: owner {CARLA}; backup owner {ANNA}; admins (none)",
        f"    after:  owner {CARLA}; backup owner (none); admins (none)",
    ]
    fired = {rule for rule, _ in flag_keys(check_json(db)[1])}
    assert not {"R105", "R106"} & fired


def test_a_successor_who_is_an_admin_becomes_owner_and_leaves_the_admins(make_db, team) -> None:
    db = make_db(team)
    result = run_cli("offboard", db, ANNA, "--on", "2026-11-26", "--to", BRUNO)
    assert result.exit_code == 0, result.output
    after = channels(db)
    assert access(after["@test"]) == (BRUNO, None, [])
    assert access(after["@b"]) == (CARLA, BRUNO, [])
    assert access(after["@c"]) == (CARLA, None, [DARIO, BRUNO])  # in Anna's place
    assert access(after["@d"]) == (BRUNO, None, [DARIO])


def test_a_successor_who_is_backup_owner_keeps_it_when_the_leaver_is_admin(make_db, team) -> None:
    team["channels"].append(_channel("@e", owner=CARLA, backup_owner=DARIO, admins=[ANNA]))
    db = make_db(team)
    assert run_cli("offboard", db, ANNA, "--on", "2026-11-26", "--to", DARIO).exit_code == 0
    assert access(channels(db)["@e"]) == (CARLA, DARIO, [])


def test_one_undo_reverses_the_whole_offboarding_and_redo_repeats_it(make_db, team) -> None:
    db = make_db(team)
    before = dump(db)
    assert run_cli("offboard", db, ANNA, "--on", "2026-11-26", "--to", CARLA).exit_code == 0
    offboarded = dump(db)
    history = run_cli("history", db, "--limit", "1").stdout
    assert f"the offboarding of {ANNA}" in history
    # several records changed: without a terminal, undo wants --yes and changes nothing
    refused = run_cli("undo", db)
    assert refused.exit_code == 2
    assert dump(db) == offboarded
    undone = run_cli("undo", db, "--yes")
    assert undone.exit_code == 0, undone.output
    assert f"the offboarding of {ANNA}" in undone.stdout
    assert dump(db) == before
    assert run_cli("redo", db, "--yes").exit_code == 0
    assert dump(db) == offboarded


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["ghost@test.example", "--on", "2026-11-26"], "there is no person ghost@test.example"),
        ([ANNA, "--on", "2026-11-26", "--to", "ghost@test.example"], "no person ghost@"),
        ([ANNA, "--on", "2026-11-26", "--to", "ANNA@test.example"], "another person"),
        ([ANNA, "--on", "2026-11-26", "--to", EXT], "is external, not an employee"),
        ([ANNA, "--on", "2026-11-26", "--to", DARIO], "leaves on 2026-11-26, not after"),
        ([ANNA, "--on", "2026-11-27", "--to", DARIO], "leaves on 2026-11-26, not after"),
        ([ANNA, "--on", "26/11/2026"], "26/11/2026"),
        ([ANNA], "--on"),
    ],
)
def test_a_refused_offboarding_changes_nothing(make_db, team, args, message) -> None:
    next(p for p in team["people"] if p["email"] == DARIO)["left_on"] = "2026-11-26"
    db = make_db(team)
    before = digest(db)
    result = run_cli("offboard", db, *args)
    assert result.exit_code == 2
    assert message in result.stderr
    assert "Traceback" not in result.output
    assert digest(db) == before


def test_a_successor_leaving_after_the_date_is_accepted(make_db, team) -> None:
    next(p for p in team["people"] if p["email"] == DARIO)["left_on"] = "2026-11-27"
    db = make_db(team)
    result = run_cli("offboard", db, ANNA, "--on", "2026-11-26", "--to", DARIO)
    assert result.exit_code == 0, result.output
    assert access(channels(db)["@test"]) == (DARIO, None, [BRUNO])


def test_offboarding_the_samples_leaver_clears_r105_and_r106(sample_db: Path) -> None:
    leaver = "andrea.costa@acme.example"
    flagged = {rule for rule, _ in flag_keys(check_json(sample_db)[1])}
    assert {"R105", "R106"} <= flagged
    result = run_cli(
        "offboard", sample_db, leaver, "--on", "2026-10-31", "--to", "elena.marino@acme.example"
    )
    assert result.exit_code == 0, result.output
    assert "takes over 2 live channels" in result.stdout
    flagged = {rule for rule, _ in flag_keys(check_json(sample_db)[1])}
    assert not {"R105", "R106"} & flagged
