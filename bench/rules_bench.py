"""Rule evaluation at scale: 100,000 channels, all built-in rules, against a plain scan.

    uv run python bench/rules_bench.py [--channels N] [--repeat R]

Generates an inventory (bench/generate.py), imports it into a temporary database, then
times, in the same run, (a) one plain full scan of the channels (SELECT every column of
every channel row into Python) and (b) `evaluate_rules` with every built-in rule. Prints
the best of R runs of each and their ratio; the target is evaluation within 5x the scan
and under about 1 s.
"""

from __future__ import annotations

import argparse
import json
import sqlite3
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from generate import generate_document

from inventory.document import import_document, parse_document
from inventory.rules.evaluate import evaluate_rules
from inventory.store import open_store

AS_OF = date(2026, 11, 26)


def best_of(repeat: int, work) -> tuple[float, object]:
    best, result = float("inf"), None
    for _ in range(repeat):
        start = time.perf_counter()
        result = work()
        best = min(best, time.perf_counter() - start)
    return best, result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--channels", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()

    start = time.perf_counter()
    document = generate_document(args.channels, args.seed)
    print(f"generated {args.channels:,} channels in {time.perf_counter() - start:.1f} s")
    with tempfile.TemporaryDirectory(prefix="rules-bench-") as folder:
        path = Path(folder) / "bench.db"
        start = time.perf_counter()
        parsed = parse_document(json.dumps(document))
        with open_store(path, source="import") as store:
            import_document(store, parsed, replace=True)
        print(f"imported in {time.perf_counter() - start:.1f} s")

        with open_store(path, create=False) as store:
            conn = sqlite3.connect(path)

            def scan() -> int:
                return len(conn.execute("SELECT * FROM channels").fetchall())

            scan_time, rows = best_of(args.repeat, scan)
            eval_time, evaluation = best_of(args.repeat, lambda: evaluate_rules(store, AS_OF))
            conn.close()
            per_rule = {}
            for rule in sorted({f.rule for f in evaluation.flags}):
                per_rule[rule] = sum(1 for f in evaluation.flags if f.rule == rule)

    print(f"plain full scan of {rows:,} channel rows: {scan_time * 1000:.0f} ms")
    print(
        f"evaluate_rules (16 built-in rules, {len(evaluation.flags):,} flags, "
        f"{len(evaluation.broken_rules)} broken): {eval_time * 1000:.0f} ms"
    )
    print(f"ratio: {eval_time / scan_time:.1f}x the scan (target: <= 5x, < ~1 s)")
    print("flags per rule: " + ", ".join(f"{k} {v}" for k, v in per_rule.items()))


if __name__ == "__main__":
    main()
