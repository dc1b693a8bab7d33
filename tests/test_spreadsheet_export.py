"""`dump -o FILE.xlsx|.csv` and `export -o FILE.csv|.xlsx`: formula-safe, and the round trip
sample -> spreadsheet -> import into the same inventory changes nothing."""

from __future__ import annotations

import csv
import hashlib
import io
import json
from pathlib import Path

import pytest
from openpyxl import load_workbook
from python_calamine import CalamineWorkbook

from tests.conftest import run_cli

HOSTILE = [
    '=HYPERLINK("http://evil.example","click")',
    "+1+2",
    "-2+3",
    "@SUM(A1:A2)",
    "Tab\tinside",
    "''double",
    "[/] [@click=app.quit] \x1b[2J bell\x07 nul-free",
    "Line one\nLine two\r\nthree",
    "literal _x0041_ and \x1f unit separator",
    "Sales, EMEA",
]


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def dump(db: Path) -> dict:
    result = run_cli("dump", db)
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


@pytest.fixture
def hostile_db(sample_db: Path, tmp_path: Path) -> Path:
    """The sample plus channels, departments and consultants with formula-like and
    control-character text."""
    document = dump(sample_db)
    document["departments"].append(
        {"name": "Sales, EMEA", "function": "sales", "social_access": "open"}
    )
    document["consultants"].append(
        {"name": "Studio (Milan), Srl", "kind": "freelancer", "knowledge_transfer": True,
         "deliverables": ["=x"], "contract_end_on": "2027-01-31"}
    )  # fmt: skip
    for index, text in enumerate(HOSTILE):
        channel = dict(document["channels"][0])
        channel.update(
            handle=f"@hostile{index}",
            name=text.replace("\n", " "),
            notes=text,
            linked_departments=["Sales, EMEA"],
            consultants=[{"consultant": "Studio (Milan), Srl", "role": "advisory"}],
            weekly_hours=2.5,
        )
        document["channels"].append(channel)
    path = tmp_path / "hostile.json"
    path.write_text(json.dumps(document), encoding="utf-8")
    result = run_cli("import", sample_db, path)
    assert result.exit_code == 0, result.output
    return sample_db


@pytest.mark.parametrize("suffix", [".xlsx", ".csv", ".XLSX"])
def test_round_trip_changes_nothing(hostile_db: Path, tmp_path: Path, suffix: str) -> None:
    before = dump(hostile_db)
    history = run_cli("history", hostile_db, "--limit", "1").output
    sheet = tmp_path / f"out{suffix}"
    result = run_cli("dump", hostile_db, "-o", sheet)
    assert result.exit_code == 0, result.output
    dry = run_cli("import", hostile_db, sheet, "--dry-run")
    assert dry.exit_code == 0, dry.output
    assert f"would leave {len(before['channels'])} channels unchanged" in dry.output
    result = run_cli("import", hostile_db, sheet)
    assert result.exit_code == 0, result.output
    assert dump(hostile_db) == before
    assert run_cli("history", hostile_db, "--limit", "1").output == history


def test_round_trip_into_a_new_inventory_keeps_channels(hostile_db: Path, tmp_path: Path) -> None:
    sheet = tmp_path / "out.xlsx"
    assert run_cli("dump", hostile_db, "-o", sheet).exit_code == 0
    fresh = tmp_path / "fresh.db"
    people = tmp_path / "people.json"
    document = dump(hostile_db)
    document["channels"] = []
    people.write_text(json.dumps(document), encoding="utf-8")
    assert run_cli("import", fresh, people).exit_code == 0
    result = run_cli("import", fresh, sheet)
    assert result.exit_code == 0, result.output
    assert dump(fresh)["channels"] == dump(hostile_db)["channels"]


def test_xlsx_dump_has_one_sheet_per_kind_channels_first(sample_db: Path, tmp_path: Path) -> None:
    sheet = tmp_path / "all.xlsx"
    assert run_cli("dump", sample_db, "-o", sheet).exit_code == 0
    workbook = CalamineWorkbook.from_path(str(sheet))
    assert workbook.sheet_names[:5] == [
        "Channels",
        "Departments",
        "People",
        "Consultants",
        "Policies",
    ]
    header = workbook.get_sheet_by_name("Channels").to_python()[0]
    assert header[:6] == ["Platform", "Handle", "Name", "URL", "Status", "Owner"]
    assert "Login held by" in header and "Last post" in header
    people = workbook.get_sheet_by_name("People").to_python()
    assert len(people) == len(dump(sample_db)["people"]) + 1


def test_csv_cells_cannot_run_as_formulas(hostile_db: Path, tmp_path: Path) -> None:
    sheet = tmp_path / "out.csv"
    assert run_cli("dump", hostile_db, "-o", sheet).exit_code == 0
    rows = list(csv.reader(io.StringIO(sheet.read_text(encoding="utf-8"), newline="")))
    cells = [cell for row in rows for cell in row]
    for cell in cells:
        assert not cell.startswith(("=", "+", "-", "@", "\t", "\r")), cell
    assert '\'=HYPERLINK("http://evil.example","click")' in cells
    assert "'+1+2" in cells and "'-2+3" in cells and "'@SUM(A1:A2)" in cells
    assert "''double" in cells  # no formula start follows: left as it is


@pytest.mark.parametrize("start", ["=", "+", "-", "@", "\t", "\r"])
def test_formula_starts_are_quoted_and_read_back(start: str) -> None:
    from inventory.sheets import Table, csv_text, read_csv

    text = csv_text(Table("t", ["a"], [[f"{start}1"], ["plain"], ["'quoted"]]))
    assert text.splitlines()[1].strip('"').startswith("'")
    grid = read_csv(text.encode(), "t")
    assert [row[0] for row in grid.rows] == ["a", f"{start}1", "plain", "'quoted"]


def test_a_leading_quote_survives_xlsx_but_not_csv(sample_db: Path, tmp_path: Path) -> None:
    """The reader drops a `'` before a formula start (spreadsheets spec), so in CSV text that
    begins with `'=` loses its `'`; XLSX keeps it (documented in docs/spreadsheets.md)."""
    document = dump(sample_db)
    document["channels"][0]["notes"] = "'=quoted"
    path = tmp_path / "q.json"
    path.write_text(json.dumps(document), encoding="utf-8")
    assert run_cli("import", sample_db, path).exit_code == 0
    assert run_cli("dump", sample_db, "-o", tmp_path / "q.xlsx").exit_code == 0
    assert "left 53 channels unchanged" in run_cli("import", sample_db, tmp_path / "q.xlsx").output
    assert run_cli("dump", sample_db, "-o", tmp_path / "q.csv").exit_code == 0
    assert (
        '"\'=quoted" -> "=quoted"'
        in run_cli("import", sample_db, tmp_path / "q.csv", "--dry-run").output
    )


def test_xlsx_text_is_typed_string_cells(hostile_db: Path, tmp_path: Path) -> None:
    sheet = tmp_path / "out.xlsx"
    assert run_cli("dump", hostile_db, "-o", sheet).exit_code == 0
    workbook = load_workbook(sheet)
    notes = {}
    for row in workbook["Channels"].iter_rows(min_row=2):
        handle, note = row[1], row[15]
        notes[handle.value] = note
    formula = notes["@hostile0"]
    assert formula.data_type == "s"  # a string, not a formula
    assert formula.value == HOSTILE[0]
    assert notes["@hostile6"].value.startswith("[/] [@click=app.quit] _x001B_[2J")
    assert all(cell.data_type != "f" for row in workbook["Channels"].iter_rows() for cell in row)


@pytest.mark.parametrize("suffix", [".csv", ".xlsx"])
def test_flags_export_as_spreadsheet(sample_db: Path, tmp_path: Path, suffix: str) -> None:
    as_json = json.loads(
        run_cli("check", sample_db, "--format", "json", "--as-of", "2026-11-26").stdout
    )
    path = tmp_path / f"flags{suffix}"
    result = run_cli("export", sample_db, "-o", path, "--as-of", "2026-11-26")
    assert result.exit_code == 0, result.output
    if suffix == ".csv":
        rows = list(csv.reader(io.StringIO(path.read_text(encoding="utf-8"), newline="")))
    else:
        rows = CalamineWorkbook.from_path(str(path)).get_sheet_by_name("Flags").to_python()
    assert rows[0] == [
        "severity", "rule", "recommendation", "subject_type", "subject_id", "subject_name",
        "message", "waived", "waiver_reason", "waiver_until",
    ]  # fmt: skip
    assert len(rows) == len(as_json["flags"]) + 1
    for row, flag in zip(rows[1:], as_json["flags"], strict=True):
        assert row[1] == flag["rule"] and row[4] == flag["subject"]["id"]
        assert row[7] == ("true" if flag["waived"] else "false")


def test_waived_flag_in_csv_export(sample_db: Path, tmp_path: Path) -> None:
    result = run_cli(
        "waive", sample_db, "R101", "facebook/AcmeBologna", "--reason", "=cmd|' /C calc'!A0",
        "--until", "2099-01-01",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    path = tmp_path / "flags.csv"
    assert run_cli("export", sample_db, "-o", path, "--as-of", "2026-11-26").exit_code == 0
    rows = list(csv.reader(io.StringIO(path.read_text(encoding="utf-8"), newline="")))
    waived = next(r for r in rows if r[1] == "R101" and r[4] == "facebook/AcmeBologna")
    assert waived[7:] == ["true", "'=cmd|' /C calc'!A0", "2099-01-01"]


def test_unwritable_spreadsheet_types_are_refused(sample_db: Path, tmp_path: Path) -> None:
    for command in ("dump", "export"):
        result = run_cli(command, sample_db, "-o", tmp_path / "x.ods")
        assert result.exit_code == 2
        assert ".csv or .xlsx" in result.output
        assert not (tmp_path / "x.ods").exists()


def test_spreadsheet_output_never_over_the_database(sample_db: Path) -> None:
    before = digest(sample_db)
    link = sample_db.with_name("db-link.xlsx")
    link.symlink_to(sample_db)
    result = run_cli("dump", sample_db, "-o", link)
    assert result.exit_code == 2
    assert digest(sample_db) == before
