"""`inventory check`: the text report, exit statuses, bad input."""

from __future__ import annotations

import copy
from pathlib import Path

import pytest
from conftest import MINIMAL_DOCUMENT, run_cli

pytestmark = pytest.mark.usefixtures("rules_in_process")  # what the rules flag, not the child


def test_text_report_is_grouped_by_recommendation_with_counts_at_the_end(
    sample_db: Path,
) -> None:
    result = run_cli("check", sample_db, "--as-of", "2026-11-26")
    assert result.exit_code == 1
    lines = result.stdout.splitlines()
    assert lines[0] == "Acme Italia S.p.A.: rules checked as of 2026-11-26"
    headings = [line for line in lines if line[:2] in {f"{n}." for n in range(1, 8)}]
    assert [h[:2] for h in headings] == ["1.", "2.", "3.", "4.", "5.", "6.", "7."]
    section = lines[lines.index(headings[1]) + 1 : lines.index(headings[2])]
    assert section[0].split() == ["warning", "R201", "Amministrazione", "e", "Finanza"]
    assert "  error    R101  facebook/AcmeBologna (Acme Bologna)" in lines
    assert lines[-2:] == [
        "47 flags: 15 errors, 26 warnings, 6 info",
        "checked 53 channels, 10 departments, 4 consultants, 3 policies, 2 lookalikes",
    ]
    assert max(len(line) for line in lines) <= 80


@pytest.mark.parametrize(
    ("fail_on", "status"), [("error", 1), ("warning", 1), ("info", 1), ("never", 0)]
)
def test_fail_on_with_flags_of_every_severity(sample_db: Path, fail_on: str, status: int) -> None:
    assert (
        run_cli("check", sample_db, "--as-of", "2026-11-26", "--fail-on", fail_on).exit_code
        == status
    )


@pytest.mark.parametrize(
    ("fail_on", "status"), [("error", 0), ("warning", 0), ("info", 1), ("never", 0)]
)
def test_fail_on_counts_only_flags_at_or_above(make_db, fail_on: str, status: int) -> None:
    doc = copy.deepcopy(MINIMAL_DOCUMENT)
    doc["channels"][0]["goals"] = ["sales_roi"]  # R701, info only
    db = make_db(doc)
    assert run_cli("check", db, "--as-of", "2026-11-26", "--fail-on", fail_on).exit_code == status


def test_a_clean_inventory_exits_0(make_db) -> None:
    result = run_cli("check", make_db(copy.deepcopy(MINIMAL_DOCUMENT)), "--as-of", "2026-11-26")
    assert result.exit_code == 0
    assert result.stdout.count("  no flags") == 7
    assert "0 flags: 0 errors, 0 warnings, 0 info" in result.stdout


@pytest.mark.parametrize(
    "args",
    [
        ("--as-of", "2026-02-30"),
        ("--as-of", "26/11/2026"),
        ("--format", "xml"),
        ("--fail-on", "fatal"),
    ],
)
def test_bad_options_exit_2_without_a_traceback(sample_db: Path, args: tuple[str, str]) -> None:
    result = run_cli("check", sample_db, *args)
    assert result.exit_code == 2
    assert "Traceback" not in result.output
    assert result.stdout == ""


def test_bad_date_is_one_clear_line(sample_db: Path) -> None:
    result = run_cli("check", sample_db, "--as-of", "2026-02-30")
    assert result.stderr == "inventory: --as-of: '2026-02-30' is not a date (YYYY-MM-DD)\n"


def test_not_a_database_exits_2(tmp_path: Path) -> None:
    path = tmp_path / "notes.db"
    path.write_text("hello")
    result = run_cli("check", path)
    assert result.exit_code == 2
    assert "not an inventory database" in result.stderr


def test_terminal_escapes_in_names_are_shown_literally(make_db) -> None:
    doc = copy.deepcopy(MINIMAL_DOCUMENT)
    doc["channels"][0].update(name="Evil \x1b[31mred\x1b[0m [bold]x[/]", owner=None)
    result = run_cli("check", make_db(doc), "--as-of", "2026-11-26")
    assert "\x1b" not in result.stdout
    assert "Evil ␛[31mred␛[0m [bold]x[/]" in result.stdout
