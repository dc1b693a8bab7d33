"""bench/run.py still runs end to end at 1,000 channels (its pilot parts: no tmux needed).

Timings are not asserted (the machine is shared); the steps are: generate, import and
check as whole processes, a plain scan, then edit-save-reflag in the Textual pilot.
"""

from __future__ import annotations

import json
import math
from pathlib import Path

from bench.generate import generate_document
from bench.run import BIN, _full_scan_process, _seconds, save_and_reflag_pilot, views_pilot

N = 1_000


def test_bench_pilot_parts_run_at_1000_channels(tmp_path: Path):
    document = tmp_path / "inventory.json"
    document.write_text(json.dumps(generate_document(N, seed=1)), encoding="utf-8")
    db = tmp_path / "inventory.db"
    timings = [
        _seconds([str(BIN / "inventory"), "import", str(db), str(document)]),
        _seconds([str(BIN / "inventory"), "check", str(db), "--as-of", "2026-11-26"], ok=(0, 1)),
        _full_scan_process(db),
        save_and_reflag_pilot(db, repeats=2),
    ]
    assert all(math.isfinite(t) and t > 0 for t in timings)
    views = views_pilot(db, repeats=1)  # every view the app binds to a number key
    assert {"flags", "lookalikes", "overview"} <= set(views)
    assert all(math.isfinite(t) and t > 0 for t in views.values())


def test_bench_cli_steps_run_on_both_workloads_at_1000_channels(tmp_path: Path):
    """`python -m bench.run --cli-only`: import, check (json and text), export and the
    full scan as whole processes, on today's workload and the 30%-unhealthy one."""
    from bench.run import CLI_STEPS, WORKLOADS, cli_table, measure_cli

    tables = []
    for workload, unhealthy in WORKLOADS.items():
        row = measure_cli(N, tmp_path, unhealthy)
        assert all(row[step].cpu_s > 0 and row[step].rss_mb > 0 for step in CLI_STEPS)
        tables.append((row["flags"].wall_s, cli_table(workload, [N], [row])))
    (healthy_flags, table), (unhealthy_flags, _) = tables
    assert unhealthy_flags > healthy_flags > 0
    assert "| 1,000 |" in table
