"""bench/run.py still runs end to end at 1,000 channels (its pilot parts: no tmux needed).

Timings are not asserted (the machine is shared); the steps are: generate, import and
check as whole processes, a plain scan, then edit-save-reflag in the Textual pilot.
"""

from __future__ import annotations

import json
import math
from pathlib import Path

from bench.generate import generate_document
from bench.run import BIN, _full_scan_process, _seconds, save_and_reflag_pilot

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
