"""`inventory import` of spreadsheets (spreadsheets spec): audit sheets as companies keep
them, every refusal naming row and column and leaving the database as it was."""

from __future__ import annotations

import hashlib
import json
from datetime import date, datetime
from pathlib import Path

import pytest
from openpyxl import Workbook

from tests.conftest import run_cli

AUDIT_HEADER = [
    "Network",
    "Handle",
    "Owner",
    "Most recent post",
    "Password centralized?",
    "Followers",
    "Notes",
    "Posting frequency",
]
AUDIT_ROWS = [
    ["Instagram", "@acme_new", "Gaia Colombo", "2026-11-02", "Yes", "1200", "Spring launch", ""],
    ["X (Twitter)", "@acme_x2", "ext@agency.example", "2026-10-01", "no", "", "", "daily"],
    ["FB", "@acme_fb", "", "", "", "", "", ""],
    ["", "", "", "", "", "", "", ""],
    ["LinkedIn Page", "acme-italia-new", "chiara.bruno@acme.example", "", "Y", "88", "", ""],
]


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def dump(db: Path) -> dict:
    result = run_cli("dump", db)
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def channels(db: Path) -> dict[str, dict]:
    return {f"{c['platform']}/{c['handle']}": c for c in dump(db)["channels"]}


def write_csv(path: Path, rows: list[list[str]], delimiter: str = ",", bom: bool = False) -> Path:
    import csv
    import io

    stream = io.StringIO()
    csv.writer(stream, delimiter=delimiter, lineterminator="\r\n").writerows(rows)
    path.write_bytes(("\ufeff" if bom else "").encode() + stream.getvalue().encode("utf-8"))
    return path


def write_xlsx(path: Path, sheets: dict[str, list[list]]) -> Path:
    workbook = Workbook()
    workbook.remove(workbook.active)
    for name, rows in sheets.items():
        sheet = workbook.create_sheet(name)
        for row in rows:
            sheet.append(row)
    workbook.save(path)
    return path


def assert_audit_imported(db: Path) -> None:
    found = channels(db)
    new = found["instagram/@acme_new"]
    assert new["owner"] == "gaia.colombo@acme.example"
    assert new["last_post_on"] == "2026-11-02"
    assert new["credentials_holder"] == "in_house"
    assert new["name"] == "@acme_new"  # default: the handle
    assert new["status"] == "active"
    assert new["notes"] == "Spring launch\nFollowers: 1200"
    x = found["x/@acme_x2"]
    assert x["credentials_holder"] == "unknown"
    assert x["notes"] == "Posting frequency: daily"
    assert x["owner"] == "ext@agency.example"
    assert found["facebook/@acme_fb"]["owner"] is None
    assert found["linkedin/acme-italia-new"]["notes"] == "Followers: 88"
    people = {p["email"]: p for p in dump(db)["people"]}
    assert people["ext@agency.example"]["name"] == "ext@agency.example"
    assert people["ext@agency.example"]["employment"] == "external"


def test_hootsuite_style_csv_with_extra_columns(sample_db: Path, tmp_path: Path) -> None:
    sheet = write_csv(
        tmp_path / "audit.csv", [["Social media audit", "", ""], AUDIT_HEADER, *AUDIT_ROWS]
    )
    result = run_cli("import", sample_db, sheet)
    assert result.exit_code == 0, result.output
    assert 'column "Followers": kept in notes' in result.output
    assert 'column "Network": platform' in result.output
    assert "new person: ext@agency.example (external)" in result.output
    assert_audit_imported(sample_db)
    # importing the same file again changes nothing, not even the history
    before = run_cli("history", sample_db, "--limit", "1").output
    again = run_cli("import", sample_db, sheet)
    assert again.exit_code == 0, again.output
    assert "changed nothing" in again.output or "left 4 channels unchanged" in again.output
    assert run_cli("history", sample_db, "--limit", "1").output == before


def test_hootsuite_style_xlsx_with_extra_columns(sample_db: Path, tmp_path: Path) -> None:
    sheet = write_xlsx(tmp_path / "audit.xlsx", {"Audit": [AUDIT_HEADER, *AUDIT_ROWS]})
    result = run_cli("import", sample_db, sheet)
    assert result.exit_code == 0, result.output
    assert_audit_imported(sample_db)


def test_semicolon_csv_with_bom(sample_db: Path, tmp_path: Path) -> None:
    rows = [
        ["Piattaforma", "Note"],  # a title line that is not the header
        ["Platform", "Handle", "Weekly hours", "Goals", "Linked departments"],
        ["Instagram", "@acme_eu", "2,5", "awareness, community", "Marketing; customer care"],
    ]
    sheet = write_csv(tmp_path / "eu.csv", rows, delimiter=";", bom=True)
    result = run_cli("import", sample_db, sheet)
    assert result.exit_code == 0, result.output
    channel = channels(sample_db)["instagram/@acme_eu"]
    assert channel["weekly_hours"] == 2.5
    assert channel["goals"] == ["awareness", "community"]
    assert channel["linked_departments"] == ["Marketing", "Customer Care"]


def test_tab_separated_csv(tmp_path: Path) -> None:
    sheet = write_csv(
        tmp_path / "t.csv", [["URL", "Username"], ["https://youtu.be/x", "acme"]], "\t"
    )
    db = tmp_path / "new.db"
    result = run_cli("import", db, sheet)
    assert result.exit_code == 0, result.output
    assert list(channels(db)) == ["youtube/acme"]


def test_xlsx_with_date_cells_and_a_second_sheet(sample_db: Path, tmp_path: Path) -> None:
    sheet = write_xlsx(
        tmp_path / "dates.xlsx",
        {
            "Read me": [["This workbook lists our channels"], ["Fill in one row per account"]],
            "Channels 2026": [
                ["Platform", "Handle", "Last posted", "Weekly hours", "Policy", "Status"],
                ["YouTube", "@acme_tv", date(2026, 3, 5), 2, 2026.1, "Dormant"],
                ["TikTok", "@acme_tt", datetime(2026, 11, 1, 9, 30), 1.5, None, "active"],
            ],
        },
    )
    result = run_cli("import", sample_db, sheet)
    assert result.exit_code == 0, result.output
    assert 'sheet "Channels 2026" (skipped: "Read me")' in result.output
    found = channels(sample_db)
    assert found["youtube/@acme_tv"]["last_post_on"] == "2026-03-05"
    assert found["youtube/@acme_tv"]["weekly_hours"] == 2
    assert found["youtube/@acme_tv"]["policy"] == "2026.1"
    assert found["youtube/@acme_tv"]["status"] == "dormant"
    assert found["tiktok/@acme_tt"]["last_post_on"] == "2026-11-01"


def test_sheet_option_picks_a_sheet(sample_db: Path, tmp_path: Path) -> None:
    book = write_xlsx(
        tmp_path / "two.xlsx",
        {
            "A": [["Platform", "Handle"], ["reddit", "r/acme_a"]],
            "B": [["Platform", "Handle"], ["reddit", "r/acme_b"]],
        },
    )
    assert run_cli("import", sample_db, book, "--sheet", "B").exit_code == 0
    assert "reddit/r/acme_b" in channels(sample_db)
    assert "reddit/r/acme_a" not in channels(sample_db)
    missing = run_cli("import", sample_db, book, "--sheet", "C")
    assert missing.exit_code == 2
    assert "there is no sheet 'C'" in missing.output and '"A", "B"' in missing.output


def test_owners_by_name_unique_unknown_ambiguous(sample_db: Path, tmp_path: Path) -> None:
    # a second "Gaia Colombo" (other case) makes that name ambiguous
    person = tmp_path / "p.json"
    document = dump(sample_db)
    document["people"].append(
        {"email": "gaia.c@acme.example", "name": "GAIA COLOMBO", "department": None,
         "employment": "employee"}
    )  # fmt: skip
    person.write_text(json.dumps(document), encoding="utf-8")
    assert run_cli("import", sample_db, person).exit_code == 0
    unique = write_csv(
        tmp_path / "u.csv", [["Platform", "Handle", "Owner"], ["ig", "@u1", "chiara BRUNO"]]
    )
    assert run_cli("import", sample_db, unique).exit_code == 0
    assert channels(sample_db)["instagram/@u1"]["owner"] == "chiara.bruno@acme.example"

    bad = write_csv(
        tmp_path / "bad.csv",
        [
            ["Platform", "Handle", "Owner"],
            ["ig", "@u2", "Gaia Colombo"],
            ["ig", "@u3", "Chiara Brunno"],
            ["ig", "@u4", "Chiara Bruno <chiara.bruno@acme.example>"],
        ],
    )
    before = digest(sample_db)
    result = run_cli("import", sample_db, bad)
    assert result.exit_code == 2
    assert 'row 2, column "Owner": "Gaia Colombo": 2 people have that name' in result.output
    assert "gaia.colombo@acme.example" in result.output and "gaia.c@acme.example" in result.output
    assert 'row 3, column "Owner": "Chiara Brunno": no person has that name' in result.output
    assert "Chiara Bruno <chiara.bruno@acme.example>" in result.output  # the candidate
    assert "row 4" not in result.output  # `Name <e-mail>`: the e-mail counts
    assert digest(sample_db) == before


def test_accents_are_significant(sample_db: Path, tmp_path: Path) -> None:
    sheet = write_csv(
        tmp_path / "a.csv", [["Platform", "Handle", "Owner"], ["ig", "@z", "Niccolò De Luca"]]
    )
    names = {p["name"] for p in dump(sample_db)["people"]}
    result = run_cli("import", sample_db, sheet)
    if "Niccolò De Luca" in names:
        assert result.exit_code == 0, result.output
    else:
        assert result.exit_code == 2


def test_day_month_date_refused_with_row_and_column(sample_db: Path, tmp_path: Path) -> None:
    sheet = write_csv(
        tmp_path / "d.csv",
        [
            ["Network", "Handle", "Last post"],
            ["Instagram", "@ok", "2026-01-02"],
            ["Instagram", "@dm", "05/03/2026"],
        ],
    )
    before = digest(sample_db)
    result = run_cli("import", sample_db, sheet)
    assert result.exit_code == 2
    assert 'row 3, column "Last post": "05/03/2026": is not a date' in result.output
    assert "nothing was imported" in result.output
    assert digest(sample_db) == before
    assert "instagram/@ok" not in channels(sample_db)


REFUSED = {
    "unknown platform": (
        [["Platform", "Handle"], ["Myspace", "@a"]],
        'row 2, column "Platform": "Myspace"',
    ),
    "no handle": ([["Platform", "Handle", "Name"], ["ig", "", "Acme"]], 'row 2, column "Handle"'),
    "duplicate rows": (
        [["Platform", "Handle"], ["ig", "@a"], ["Instagram", "@a"]],
        "row 3: the same channel",
    ),
    "near duplicate": (
        [["Platform", "Handle"], ["bluesky", "ACME-ITALIA.bsky.social"]],
        "bluesky/acme-italia.bsky.social",
    ),
    "two columns for one field": (
        [["Network", "Platform", "Handle"], ["ig", "ig", "@a"]],
        '"Network" and "Platform"',
    ),
    "unknown host": ([["URL", "Handle"], ["https://example.com/a", "@a"]], 'row 2, column "URL"'),
    "bad yes/no": ([["Platform", "Handle", "2FA"], ["ig", "@a", "maybe"]], 'row 2, column "2FA"'),
    "bad enum": (
        [["Platform", "Handle", "Status"], ["ig", "@a", "alive"]],
        "allowed values: planned",
    ),
    "negative hours": (
        [["Platform", "Handle", "Hours/week"], ["ig", "@a", "-1"]],
        'column "Hours/week"',
    ),
    "no header": ([["a", "b"], ["c", "d"]], "has no header row"),
}


@pytest.mark.parametrize("case", list(REFUSED))
def test_refused_sheets_name_row_and_column_and_change_nothing(
    case: str, sample_db: Path, tmp_path: Path
) -> None:
    rows, expected = REFUSED[case]
    if case == "bad yes/no" and "two_factor" not in _channel_fields():
        pytest.skip("two_factor arrives with format /2")
    before = digest(sample_db)
    for sheet in (
        write_csv(tmp_path / "r.csv", rows),
        write_xlsx(tmp_path / "r.xlsx", {"S": rows}),
    ):
        result = run_cli("import", sample_db, sheet)
        assert result.exit_code == 2, result.output
        assert expected in result.output, result.output
        assert "Traceback" not in result.output
        assert digest(sample_db) == before


def _channel_fields() -> list[str]:
    from inventory.spreadsheet.columns import channel_fields

    return channel_fields()


def test_refused_sheet_does_not_create_a_database(tmp_path: Path) -> None:
    sheet = write_csv(tmp_path / "r.csv", [["Platform", "Handle"], ["Myspace", "@a"]])
    result = run_cli("import", tmp_path / "new.db", sheet)
    assert result.exit_code == 2
    assert not (tmp_path / "new.db").exists()


def test_merged_cells_and_uncomputed_formulas_are_refused(sample_db: Path, tmp_path: Path) -> None:
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["Channel audit"])
    sheet.merge_cells("A1:C1")  # a title above the header: fine
    sheet.append(["Platform", "Handle", "Owner"])
    sheet.append(["ig", "@a", "chiara.bruno@acme.example"])
    sheet.append(["ig", "@b", None])
    sheet.merge_cells("C3:C4")
    sheet.append(["ig", "@c", '=LOWER("X@ACME.EXAMPLE")'])
    path = tmp_path / "m.xlsx"
    workbook.save(path)
    before = digest(sample_db)
    result = run_cli("import", sample_db, path)
    assert result.exit_code == 2
    assert 'row 3, column "Owner": merged cells C3:C4' in result.output
    assert (
        'row 5, column "Owner": cell C5 holds a formula without a computed value' in result.output
    )
    assert "row 1" not in result.output
    assert digest(sample_db) == before


def test_replace_is_refused_for_spreadsheets(sample_db: Path, tmp_path: Path) -> None:
    sheet = write_csv(tmp_path / "a.csv", [["Platform", "Handle"], ["ig", "@a"]])
    before = digest(sample_db)
    result = run_cli("import", sample_db, sheet, "--replace")
    assert result.exit_code == 2
    assert "--replace is refused for spreadsheets" in result.output
    assert digest(sample_db) == before


def test_file_type_by_extension_case_insensitively(sample_db: Path, tmp_path: Path) -> None:
    sheet = write_xlsx(tmp_path / "UPPER.XLSX", {"S": [["Platform", "Handle"], ["ig", "@up"]]})
    assert run_cli("import", sample_db, sheet).exit_code == 0
    assert "instagram/@up" in channels(sample_db)


def test_not_utf8_csv_names_the_row(sample_db: Path, tmp_path: Path) -> None:
    path = tmp_path / "latin.csv"
    path.write_bytes("Platform,Handle,Owner\nig,@a,x\nig,@b,Jos\xe9\n".encode("latin-1"))
    result = run_cli("import", sample_db, path)
    assert result.exit_code == 2
    assert "row 3" in result.output and "not UTF-8" in result.output


def test_damaged_xlsx_is_one_clear_line(sample_db: Path, tmp_path: Path) -> None:
    path = tmp_path / "broken.xlsx"
    path.write_bytes(b"not a zip at all")
    result = run_cli("import", sample_db, path)
    assert result.exit_code == 2
    assert "broken.xlsx" in result.output and "Traceback" not in result.output


def test_records_created_with_defaults_and_listed(sample_db: Path, tmp_path: Path) -> None:
    sheet = write_csv(
        tmp_path / "c.csv",
        [
            ["Platform", "Handle", "Department", "Agency", "Policy version"],
            ["ig", "@n1", "marketing", "BuzzGuru Srl (full management); Studio (Milan)", "2027.1"],
            ["ig", "@n2", "Growth Team", "studio (milan)", "2027.1"],
        ],
    )
    result = run_cli("import", sample_db, sheet)
    assert result.exit_code == 0, result.output
    assert "new department: Growth Team (function other, access open)" in result.output
    assert "new consultant: Studio (Milan) (agency)" in result.output
    assert "new policy: 2027.1 (draft, title 'Policy 2027.1')" in result.output
    found = channels(sample_db)
    assert found["instagram/@n1"]["reporting_department"] == "Marketing"
    links = found["instagram/@n1"]["consultants"]
    assert {"consultant": "Studio (Milan)", "role": "content"} in links
    document = dump(sample_db)
    department = next(d for d in document["departments"] if d["name"] == "Growth Team")
    assert (department["function"], department["social_access"]) == ("other", "open")
    policy = next(p for p in document["policies"] if p["version"] == "2027.1")
    assert (policy["status"], policy["title"]) == ("draft", "Policy 2027.1")
    consultant = next(c for c in document["consultants"] if c["name"] == "Studio (Milan)")
    assert consultant["kind"] == "agency" and consultant["deliverables"] == []


def test_empty_cells_keep_existing_values(sample_db: Path, tmp_path: Path) -> None:
    existing = channels(sample_db)["bluesky/acme-italia.bsky.social"]
    sheet = write_csv(
        tmp_path / "e.csv",
        [
            ["Platform", "Handle", "Owner", "Weekly hours", "Name"],
            ["Bluesky", "acme-italia.bsky.social", "", "n/a", "—"],
        ],
    )
    result = run_cli("import", sample_db, sheet)
    assert result.exit_code == 0, result.output
    assert channels(sample_db)["bluesky/acme-italia.bsky.social"] == existing


def test_dry_run_spreadsheet_writes_nothing(sample_db: Path, tmp_path: Path) -> None:
    sheet = write_csv(
        tmp_path / "a.csv",
        [
            ["Platform", "Handle", "Status", "Owner"],
            ["Bluesky", "acme-italia.bsky.social", "dormant", ""],
            ["ig", "@dry", "", "new@else.example"],
        ],
    )
    before = digest(sample_db)
    result = run_cli("import", sample_db, sheet, "--dry-run")
    assert result.exit_code == 0, result.output
    assert "would create 1 channel, 1 person; update 1 channel" in result.output
    assert "changed channel bluesky/acme-italia.bsky.social:" in result.output
    assert 'status: "active" -> "dormant"' in result.output
    assert "dry run: nothing was written" in result.output
    assert digest(sample_db) == before


def test_dry_run_never_creates_a_database(tmp_path: Path) -> None:
    sheet = write_csv(tmp_path / "a.csv", [["Platform", "Handle"], ["ig", "@a"]])
    result = run_cli("import", tmp_path / "new.db", sheet, "--dry-run")
    assert result.exit_code == 0, result.output
    assert "would create 1 channel" in result.output
    assert not (tmp_path / "new.db").exists()


def test_dry_run_json_document(sample_db: Path, tmp_path: Path, minimal_document) -> None:
    path = tmp_path / "doc.json"
    document = dump(sample_db)
    document["channels"][0]["status"] = "dormant"
    document["channels"] = document["channels"][:3]
    path.write_text(json.dumps(document), encoding="utf-8")
    before = digest(sample_db)
    result = run_cli("import", sample_db, path, "--dry-run")
    assert result.exit_code == 0, result.output
    assert "update 1 channel" in result.output
    assert "leave" in result.output and "2 channels" in result.output
    assert digest(sample_db) == before
    replace = run_cli("import", sample_db, path, "--dry-run", "--replace")
    assert "delete 50 channels" in replace.output
    assert digest(sample_db) == before


def test_dry_run_lists_first_20_updates_then_counts(sample_db: Path, tmp_path: Path) -> None:
    handles = [c for c in channels(sample_db).values()]
    rows = [["Platform", "Handle", "Status"]] + [
        [c["platform"], c["handle"], "retired"] for c in handles
    ]
    result = run_cli("import", sample_db, write_csv(tmp_path / "all.csv", rows), "--dry-run")
    assert result.exit_code == 0, result.output
    changed = [c for c in handles if c["status"] != "retired"]
    assert result.output.count("changed channel ") == 20
    assert (
        f"... and {len(changed) - 20} more changed records (status {len(changed) - 20})"
        in result.output
    )


def test_import_is_one_undoable_action(sample_db: Path, tmp_path: Path) -> None:
    before = dump(sample_db)
    sheet = write_csv(
        tmp_path / "a.csv",
        [["Platform", "Handle", "Owner"], ["ig", "@a", "n@x.example"], ["ig", "@b", ""]],
    )
    assert run_cli("import", sample_db, sheet).exit_code == 0
    result = run_cli("undo", sample_db, "--yes")
    if result.exit_code != 0:  # before issue 9's actions, undo takes no --yes
        result = run_cli("undo", sample_db)
    assert result.exit_code == 0, result.output
    assert dump(sample_db) == before


def test_format_2_columns(sample_db: Path, tmp_path: Path) -> None:
    sheet = write_csv(
        tmp_path / "v2.csv",
        [
            ["Platform", "Handle", "Owner", "Admins", "Login email", "MFA", "Last reviewed"],
            [
                "ig",
                "@v2",
                "Chiara Bruno",
                "new.hire@acme.example; ext@else.example",
                "Social@Acme.example",
                "Ja",
                "2026-09-30",
            ],
            ["ig", "@v2b", "", "", "", "off", ""],
        ],
    )
    result = run_cli("import", sample_db, sheet)
    assert result.exit_code == 0, result.output
    assert "new person: new.hire@acme.example (employee)" in result.output  # email_domains
    assert "new person: ext@else.example (external)" in result.output
    channel = channels(sample_db)["instagram/@v2"]
    assert channel["admins"] == ["new.hire@acme.example", "ext@else.example"]
    assert channel["login_email"] == "Social@Acme.example"
    assert channel["two_factor"] == "on"
    assert channel["reviewed_on"] == "2026-09-30"
    assert channels(sample_db)["instagram/@v2b"]["two_factor"] == "off"
    people = {p["email"] for p in dump(sample_db)["people"]}
    assert "social@acme.example" not in {p.lower() for p in people}  # login e-mail: plain text
