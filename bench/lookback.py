"""Looking back (`--at`) and the Overview, on inventories with a year of history.

    uv run --group bench python -m bench.lookback [--sizes 10000 100000] [--edits 100]

For each size: the generated inventory (`bench.generate`, seed 1) is imported on
2025-11-26, then every day for a year `--edits` channels are saved through the form code
(hours, owner or status changed, one transaction a day), with the history's clock set to
that day. Then, in one run:

1. `--at` by the chosen method (copy the file, walk back from now with the before-rows),
   for moments 1, 30, 180 and 364 days back: rebuilding alone, and rebuilding plus the
   rule evaluation (`check --at`);
2. the other method, "the latest after-row of each record at WHEN": one SQL query over
   the history, then the records written into a fresh database through the import code
   (it can't know rules seeded before the history, so it is measured, not shipped);
3. `inventory check --at` as a whole process, next to a plain `inventory check`;
4. the Overview in the Textual pilot: from pressing `0` to its first frame with the
   current figures, and to the frame with every past figure (the worker); while the
   worker runs, `1` is pressed and the time to the Channels view's frame is measured.

Compare the figures of one run: the machine is shared and noisy.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from bench.generate import generate_document

AS_OF = date(2026, 11, 26)
START = AS_OF - timedelta(days=365)
BIN = Path(sys.executable).parent


def build(n: int, edits_per_day: int, folder: Path) -> Path:
    """The inventory imported a year ago, then `edits_per_day` channel saves a day."""
    from inventory import history, records
    from inventory.document import import_document, parse_document
    from inventory.models import Channel
    from inventory.store import open_store

    clock = {"now": f"{START.isoformat()}T08:00:00Z"}
    history.now_utc = lambda: clock["now"]  # type: ignore[assignment]
    path = folder / f"history-{n}.db"
    store = open_store(path, source="bench")
    document = generate_document(n, seed=1)
    import_document(store, parse_document(json.dumps(document)), replace=True)
    keys = [f"{c['platform']}/{c['handle']}" for c in document["channels"]]
    people = [p["email"] for p in document["people"]]
    rng = random.Random(2)
    model = Channel
    for day in range(1, 365):
        moment = START + timedelta(days=day)
        clock["now"] = f"{moment.isoformat()}T10:00:00Z"
        with store.transaction():
            for key in rng.sample(keys, edits_per_day):
                loaded = records.get_record(store, "channel", key)
                assert loaded is not None
                values = loaded.record.model_dump()
                change = rng.random()
                if change < 0.4:
                    values["weekly_hours"] = rng.choice([0, 2, 4, None])
                elif change < 0.8:
                    values["owner"] = rng.choice([*people, None])
                else:
                    values["status"] = rng.choice(["active", "dormant", "retired"])
                records.save_record(
                    store,
                    "channel",
                    model.model_validate(values),
                    original_key=key,
                    expected_revision=loaded.revision,
                )
    store.close()
    return path


def _moment(days_back: int) -> datetime:
    day = AS_OF - timedelta(days=days_back)
    return datetime(day.year, day.month, day.day, 23, 59, 59, tzinfo=UTC)


def walk_back_timings(path: Path, days_back: int) -> tuple[float, float, int]:
    """(rebuild s, rebuild + evaluation s, changes undone) by the shipped method."""
    from inventory.lookback import inventory_at
    from inventory.rules.evaluate import evaluate_rules
    from inventory.store import open_store

    moment = _moment(days_back)
    with open_store(path, create=False) as store:
        undone = store.conn.execute(
            "SELECT count(*) FROM history WHERE at > ?", [moment.strftime("%Y-%m-%dT%H:%M:%SZ")]
        ).fetchone()[0]
        start = time.perf_counter()
        with inventory_at(store, moment) as past:
            rebuilt = time.perf_counter()
            evaluate_rules(past, moment.date())
            done = time.perf_counter()
    return rebuilt - start, done - start, undone


def latest_row_timing(path: Path, days_back: int, folder: Path) -> float:
    """Seconds for the other method: the latest after-row per record, written fresh."""
    from inventory.document import DOCUMENT_FORMAT, import_document, parse_document
    from inventory.store import open_store

    moment = _moment(days_back).strftime("%Y-%m-%dT%H:%M:%SZ")
    collections = {
        "department": "departments",
        "person": "people",
        "consultant": "consultants",
        "policy": "policies",
        "channel": "channels",
    }
    start = time.perf_counter()
    with open_store(path, create=False) as store:
        rows = store.conn.execute(
            """SELECT kind, after FROM history WHERE id IN (
                   SELECT max(id) FROM history WHERE at <= ? GROUP BY kind, record_key)
               AND after IS NOT NULL""",
            [moment],
        ).fetchall()
    document: dict = {"format": DOCUMENT_FORMAT, "organization": None}
    for name in collections.values():
        document[name] = []
    for kind, after in rows:
        values = json.loads(after)
        if kind == "organization":
            document["organization"] = values
        elif kind in collections:
            document[collections[kind]].append(values)
    fresh = folder / f"fresh-{days_back}.db"
    fresh.unlink(missing_ok=True)
    with open_store(fresh, source="bench") as target:
        import_document(target, parse_document(json.dumps(document)), replace=True)
    return time.perf_counter() - start


def check_process(path: Path, *args: str) -> float:
    start = time.perf_counter()
    subprocess.run(
        [str(BIN / "inventory"), "check", str(path), "--format", "json", *args],
        stdout=subprocess.DEVNULL,
        check=False,
    )
    return time.perf_counter() - start


def overview_pilot(path: Path) -> tuple[float, float, float]:
    """(0 to first frame, 0 to every past figure, 1 pressed meanwhile to its frame), s."""
    from inventory.store import open_store
    from inventory.tui.app import InventoryApp
    from inventory.tui.views.overview import OverviewView

    async def run() -> tuple[float, float, float]:
        app = InventoryApp(open_store(path, source="ui"), AS_OF)
        frames: list[float] = []
        async with app.run_test(size=(160, 50)) as pilot:
            while not app.evaluated:
                await asyncio.sleep(0.01)
            await pilot.pause()
            view = app.query_one(OverviewView)
            app.post_display_hook = lambda: frames.append(time.perf_counter())  # type: ignore[method-assign]
            start = time.perf_counter()
            press = asyncio.ensure_future(pilot.press("0"))
            while app.current_view != "overview":
                await asyncio.sleep(0.001)
            while not any(t > start for t in frames):
                await asyncio.sleep(0.001)
            first = min(t for t in frames if t > start) - start
            await press
            # the UI while the worker reads the history
            switch = float("nan")
            if view.computing:
                pressed = time.perf_counter()
                key = asyncio.ensure_future(pilot.press("1"))
                while app.current_view != "channels":
                    await asyncio.sleep(0.001)
                while not any(t > pressed for t in frames):
                    await asyncio.sleep(0.001)
                switch = min(t for t in frames if t > pressed) - pressed
                await key
                await pilot.press("0")
            while view.computing:
                await asyncio.sleep(0.01)
            filled = time.perf_counter() - start
        return first, filled, switch

    return asyncio.run(run())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument("--edits", type=int, default=100, help="channel saves a day")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="inventory-bench-") as name:
        folder = Path(name)
        for n in args.sizes:
            started = time.perf_counter()
            path = build(n, args.edits, folder)
            print(f"## {n:,} channels, {args.edits} saves a day for a year", flush=True)
            print(f"(built in {time.perf_counter() - started:.0f} s)", flush=True)
            print("| back | changes undone | rebuild | rebuild + evaluate | latest-row method |")
            print("|---:|---:|---:|---:|---:|")
            for days_back in (1, 30, 180, 364):
                rebuild, total, undone = walk_back_timings(path, days_back)
                # the other method takes minutes at 100,000 channels: one point there
                other = (
                    f"{latest_row_timing(path, days_back, folder):.2f} s"
                    if n <= 50_000 or days_back == 30
                    else "-"
                )
                print(
                    f"| {days_back} d | {undone:,} | {rebuild:.2f} s | {total:.2f} s | {other} |",
                    flush=True,
                )
            plain = statistics.median(check_process(path) for _ in range(3))
            at = statistics.median(
                check_process(path, "--at", (AS_OF - timedelta(days=30)).isoformat())
                for _ in range(3)
            )
            print(
                f"\n`check`: {plain:.2f} s; `check --at` 30 days back: {at:.2f} s "
                f"({at / plain:.1f}x)"
            )
            first, filled, switch = overview_pilot(path)
            print(
                f"Overview: first frame {first * 1000:.0f} ms after `0`; every past figure "
                f"after {filled:.1f} s; `1` pressed meanwhile drawn in {switch * 1000:.0f} ms\n",
                flush=True,
            )


if __name__ == "__main__":
    main()
