"""Importing channels from a spreadsheet beside the JSON document, in one run.

    uv run python -m bench.spreadsheets [--sizes 1000 100000]

For each size: the generated inventory (`bench.generate`, seed 1) is imported from JSON
into a new database (the whole `inventory import` process, as bench/run.py measures it);
`dump -o` writes its channels as XLSX and CSV; then each spreadsheet is imported into a
database holding the same inventory without its channels (every owner, department,
consultant and policy matched, nothing created besides channels), and once more into the
full inventory (every row matched and unchanged: the re-import case). Whole processes,
timed from launch to exit.
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench.generate import generate_document

BIN = Path(sys.executable).parent


def _seconds(*args: str | Path) -> float:
    start = time.perf_counter()
    result = subprocess.run(
        [str(BIN / "inventory"), *map(str, args)], capture_output=True, text=True
    )
    elapsed = time.perf_counter() - start
    if result.returncode != 0:
        raise RuntimeError(f"{args[:2]} failed: {result.stderr[-800:]}")
    return elapsed


def measure(n: int, folder: Path) -> dict[str, float]:
    document = generate_document(n, seed=1)
    source = folder / f"inventory-{n}.json"
    source.write_text(json.dumps(document), encoding="utf-8")
    without = folder / f"without-channels-{n}.json"
    without.write_text(json.dumps({**document, "channels": []}), encoding="utf-8")
    figures = {"json": _seconds("import", folder / f"json-{n}.db", source)}
    full = folder / f"json-{n}.db"
    for suffix in ("xlsx", "csv"):
        sheet = folder / f"channels-{n}.{suffix}"
        figures[f"dump {suffix}"] = _seconds("dump", full, "-o", sheet)
        base = folder / f"{suffix}-{n}.db"
        _seconds("import", base, without)
        figures[suffix] = _seconds("import", base, sheet)
        again = folder / f"{suffix}-again-{n}.db"
        shutil.copy(full, again)
        figures[f"{suffix} again"] = _seconds("import", again, sheet)
    return figures


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", type=int, nargs="+", default=[1_000, 100_000])
    sizes = parser.parse_args().sizes
    print(
        "| channels | JSON import | XLSX import | CSV import | XLSX / JSON | CSV / JSON "
        "| XLSX re-import | CSV re-import | dump XLSX | dump CSV |\n"
        "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
    )
    with tempfile.TemporaryDirectory(prefix="inventory-bench-") as name:
        for n in sizes:
            f = measure(n, Path(name))
            print(
                f"| {n:,} | {f['json']:.2f} s | {f['xlsx']:.2f} s | {f['csv']:.2f} s "
                f"| {f['xlsx'] / f['json']:.2f}x | {f['csv'] / f['json']:.2f}x "
                f"| {f['xlsx again']:.2f} s | {f['csv again']:.2f} s "
                f"| {f['dump xlsx']:.2f} s | {f['dump csv']:.2f} s |",
                flush=True,
            )


if __name__ == "__main__":
    main()
