"""Which library reads workbooks for `inventory import`: python-calamine or openpyxl.

    uv run python -m bench.spreadsheet_readers [--rows 100000]

Writes an XLSX of N channel rows (10 columns, text, numbers and date cells) and reads
every cell back with each library, in one run: calamine's `to_python` and openpyxl's
read-only `iter_rows(values_only=True)`, the fastest way each offers.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from datetime import date
from pathlib import Path


def write_workbook(path: Path, rows: int) -> None:
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("Channels")
    sheet.append(
        ["Platform", "Handle", "Name", "URL", "Status", "Owner", "Reporting department",
         "Weekly hours", "Last post", "Notes"]
    )  # fmt: skip
    for i in range(rows):
        sheet.append(
            ["instagram", f"@h{i}", f"Channel {i}", f"https://www.instagram.com/h{i}", "active",
             f"p{i % 1000}@acme.example", "Marketing", i % 7, date(2026, 1, 1 + i % 28), "note"]
        )  # fmt: skip
    workbook.save(path)


def read_calamine(path: Path) -> int:
    from python_calamine import CalamineWorkbook

    with CalamineWorkbook.from_path(str(path)) as workbook:
        return len(workbook.get_sheet_by_name("Channels").to_python())


def read_openpyxl(path: Path) -> int:
    from openpyxl import load_workbook

    workbook = load_workbook(path, read_only=True, data_only=True)
    try:
        return sum(1 for _ in workbook["Channels"].iter_rows(values_only=True))
    finally:
        workbook.close()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=100_000)
    rows = parser.parse_args().rows
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "channels.xlsx"
        write_workbook(path, rows)
        times = {}
        for name, read in (("python-calamine", read_calamine), ("openpyxl", read_openpyxl)):
            start = time.perf_counter()
            assert read(path) == rows + 1
            times[name] = time.perf_counter() - start
    fastest = min(times.values())
    print(f"| reader | read {rows:,} rows | ratio |\n|---|---:|---:|")
    for name, seconds in times.items():
        print(f"| {name} | {seconds:.2f} s | {seconds / fastest:.1f}x |")


if __name__ == "__main__":
    main()
