"""The performance benchmark: one table of figures for inventories of 1,000 to 100,000 channels.

    uv run --group bench python -m bench.run [--sizes 1000 10000 100000] [--markdown]

For each size it generates an inventory (`bench.generate`) and measures, in one run:

1. `import`: the whole `inventory import` process on a new database;
2. `check`: the whole `inventory check --format json` process, next to a whole process
   that does a plain full scan of the channels table (`SELECT * FROM channels`, fetched);
3. UI first screen: the app in a real pseudo-terminal (tmux, 120x36) from launch until
   the first rows and the total count are on screen, next to VisiData opening the same
   channels as CSV until its status line shows the full row count;
4. filter: in the same tmux session, from the last key typed after `/` until the list
   shows the filtered count (median of several);
5. edit-save-reflag: with the Textual pilot (headless), from `ctrl+s` in a channel form
   until the first frame the app composes after the re-evaluated flags are applied, with
   the form gone (median of several; timed by the app's display hook, not by the pilot,
   whose idle detection adds ~100 ms to any key press);
6. peak memory (VmHWM) of the UI process after 3 and 4.

Ratios are what count: the machine is shared and noisy, so compare figures of one run.
"""

from __future__ import annotations

import argparse
import asyncio
import csv
import json
import os
import platform
import re
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

AS_OF = "2026-11-26"
BIN = Path(sys.executable).parent
SIZE = (120, 36)
LAUNCHES = 3


def _seconds(command: list[str], ok: tuple[int, ...] = (0,)) -> float:
    start = time.perf_counter()
    result = subprocess.run(command, capture_output=True, text=True)
    elapsed = time.perf_counter() - start
    if result.returncode not in ok:
        raise RuntimeError(f"{command[:3]} failed ({result.returncode}): {result.stderr[-500:]}")
    return elapsed


def _full_scan_process(db: Path) -> float:
    return _seconds(_scan_command(db))


class Terminal:
    """A program in a tmux pane, read the way a person sees it."""

    def __init__(self, name: str, command: list[str]):
        self.name = name
        subprocess.run(
            ["tmux", "new-session", "-d", "-s", name, "-x", str(SIZE[0]), "-y", str(SIZE[1]),
             *command],
            check=True,
        )  # fmt: skip

    def screen(self) -> str:
        result = subprocess.run(
            ["tmux", "capture-pane", "-p", "-t", self.name], capture_output=True, text=True
        )
        return result.stdout

    def wait_for(self, seen: Callable[[str], bool], timeout: float = 120) -> float:
        """Seconds until the screen satisfies `seen` (polled every 5 ms)."""
        start = time.perf_counter()
        while time.perf_counter() - start < timeout:
            if seen(self.screen()):
                return time.perf_counter() - start
            time.sleep(0.005)
        raise TimeoutError(f"{self.name}: screen never matched:\n{self.screen()}")

    def keys(self, *keys: str, literal: bool = False) -> None:
        flag = ["-l"] if literal else []
        subprocess.run(["tmux", "send-keys", "-t", self.name, *flag, *keys], check=True)

    def pid(self) -> int:
        result = subprocess.run(
            ["tmux", "list-panes", "-t", self.name, "-F", "#{pane_pid}"],
            capture_output=True,
            text=True,
            check=True,
        )
        return int(result.stdout.split()[0])

    def close(self) -> None:
        subprocess.run(["tmux", "kill-session", "-t", self.name], capture_output=True)


def _peak_rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def _filter_words(db: Path) -> list[tuple[str, int]]:
    """Filter texts and the counts they should show (computed by the domain query)."""
    from inventory.listing import ChannelQuery, count_channels

    conn = sqlite3.connect(db)
    handles = [row[0] for row in conn.execute("SELECT handle FROM channels ORDER BY id LIMIT 5")]
    words = [handles[0], handles[-1], "channel 1", "instagram"]
    return [(w, count_channels(conn, ChannelQuery(text=w))) for w in words]


def _shows_count(screen: str, shown: int, total: int) -> bool:
    """The channel list's status line shows `shown` of `total` channels."""
    status = screen.splitlines()[2] if screen.count("\n") > 2 else ""
    return (f"{shown} of {total}" if shown != total else f"{total} channels") in status


def ui_in_terminal(db: Path, n: int) -> tuple[float, float, float]:
    """(first screen seconds, median filter seconds, peak RSS MB) in a real terminal."""
    terminal = Terminal(f"bench-ui-{n}", [str(BIN / "inventory"), str(db), "--as-of", AS_OF])
    try:
        first = terminal.wait_for(lambda s: f"{n} channels" in s and "@acme_" in s)
        terminal.wait_for(lambda s: "evaluating" not in s)
        filters = []
        for word, expected in _filter_words(db):
            try:
                terminal.keys("/")
                time.sleep(0.2)  # a person doesn't type within the same millisecond either
                terminal.keys(word[:-1], literal=True)
                terminal.wait_for(lambda s, w=word[:-1]: f" {w} " in s.splitlines()[2], 30)
                time.sleep(0.3)
                terminal.keys(word[-1], literal=True)
                filters.append(terminal.wait_for(lambda s, e=expected: _shows_count(s, e, n)))
                terminal.keys("Escape")
                terminal.wait_for(lambda s: _shows_count(s, n, n))
            except TimeoutError as error:  # reported, not fatal: the other figures stand
                print(f"filter {word!r} at {n:,}: {str(error)[:300]}", file=sys.stderr)
                filters.append(float("nan"))
                terminal.keys("Escape")
                time.sleep(0.5)
        rss = _peak_rss_mb(terminal.pid())
        terminal.keys("q")
    finally:
        terminal.close()
    return (
        first,
        statistics.median(f for f in filters if f == f)
        if any(f == f for f in filters)
        else float("nan"),
        rss,
    )


def visidata_first_screen(csv_path: Path, n: int) -> float:
    vd = shutil.which("vd", path=str(BIN)) or shutil.which("vd")
    if vd is None:
        return float("nan")
    terminal = Terminal(f"bench-vd-{n}", [vd, str(csv_path)])
    try:
        return terminal.wait_for(lambda s: f"{n} rows" in s)
    finally:
        terminal.keys("q")
        terminal.close()


def _export_csv(db: Path, path: Path) -> None:
    conn = sqlite3.connect(db)
    cursor = conn.execute("SELECT * FROM channels")
    with path.open("w", newline="", encoding="utf-8") as stream:
        writer = csv.writer(stream)
        writer.writerow([c[0] for c in cursor.description])
        writer.writerows(cursor)


async def _until(pilot, done: Callable[[], object], timeout: float = 60) -> None:
    start = time.perf_counter()
    while not done():
        if time.perf_counter() - start > timeout:
            raise TimeoutError("the app never got there")
        await pilot.pause(0.002)


def save_and_reflag_pilot(db: Path, repeats: int = 5) -> float:
    """Median seconds from ctrl+s in a channel form until the header shows new flags."""
    from textual.widgets import Input

    from inventory.store import open_store
    from inventory.tui.app import InventoryApp
    from inventory.tui.widgets.channel_table import ChannelTable

    async def run() -> list[float]:
        app = InventoryApp(open_store(db, source="ui"), date.fromisoformat(AS_OF))
        timings = []
        async with app.run_test(size=SIZE) as pilot:
            await _until(pilot, lambda: app.flags.evaluation.flags or app.flags.evaluation.checked)
            main_screen = app.screen
            table = app.query_one(ChannelTable)
            while table.current_row.status != "active":  # hours 0 / 3 flips R601 there
                await pilot.press("j")
            # every frame the app composes, and whether it shows the main screen: the one
            # after the new flags are applied is when a person sees them
            frames: list[tuple[float, bool]] = []
            app.post_display_hook = lambda: frames.append(  # type: ignore[method-assign]
                (time.perf_counter(), app.screen is main_screen)
            )
            for attempt in range(repeats):
                await pilot.press("e")
                await pilot.pause()
                hours = app.screen.query_one("#field-weekly_hours", Input)
                hours.value = "0" if attempt % 2 == 0 else "3"
                shown = app.flags
                start = time.perf_counter()
                # not awaited yet: the pilot's own idle detection adds ~100 ms to any key
                press = asyncio.ensure_future(pilot.press("ctrl+s"))
                while app.flags is shown:
                    await asyncio.sleep(0.001)
                applied = time.perf_counter()
                while not any(t > applied and main for t, main in frames):
                    await asyncio.sleep(0.001)
                shown_at = next(t for t, main in frames if t > applied and main)
                timings.append(shown_at - start)
                await press
                frames.clear()
        return timings

    return statistics.median(asyncio.run(run()))


def views_pilot(db: Path, repeats: int = 3) -> dict[str, float]:
    """Median seconds from a view's number key until the first frame that shows the view,
    for every view the app binds to a key (`view.*` bindings), from the Channels view."""
    from textual.binding import Binding

    from inventory.store import open_store
    from inventory.tui.app import InventoryApp

    async def run() -> dict[str, list[float]]:
        app = InventoryApp(open_store(db, source="ui"), date.fromisoformat(AS_OF))
        keys = [
            (b.key, b.action.split("'")[1])
            for b in app.BINDINGS
            if isinstance(b, Binding) and (b.id or "").startswith("view.")
        ]
        timings: dict[str, list[float]] = {view: [] for _, view in keys}
        async with app.run_test(size=SIZE) as pilot:
            await _until(pilot, lambda: app.flags.evaluation.flags or app.flags.evaluation.checked)
            frames: list[tuple[float, str]] = []
            app.post_display_hook = lambda: frames.append(  # type: ignore[method-assign]
                (time.perf_counter(), app.current_view)
            )
            for _ in range(repeats):
                for key, view in keys:
                    if view == "channels":
                        continue
                    for target_key, target in (("1", "channels"), (key, view)):
                        await pilot.pause(0.05)
                        frames.clear()
                        start = time.perf_counter()
                        press = asyncio.ensure_future(pilot.press(target_key))
                        while not any(shown == target for _, shown in frames):
                            await asyncio.sleep(0.001)
                        shown_at = next(t for t, shown in frames if shown == target)
                        timings[target].append(shown_at - start)
                        await press
        return timings

    return {view: statistics.median(t) for view, t in asyncio.run(run()).items() if t}


@dataclass
class Row:
    n: int
    workload: str
    ui_first_s: float
    vd_first_s: float
    filter_ms: float
    save_ms: float
    rss_mb: float
    views_ms: dict[str, float]


def _apart(pilot: str, db: Path) -> Any:
    """A pilot measurement in a child process: run here, the app would grow the runner,
    and Linux starts the peak RSS of every later process at its parent's."""
    code = (
        "import json, sys\n"
        "sys.path.insert(0, sys.argv[1])\n"
        "from pathlib import Path\n"
        "import bench.run\n"
        "print(json.dumps(getattr(bench.run, sys.argv[2])(Path(sys.argv[3]))))\n"
    )
    root = str(Path(__file__).resolve().parent.parent)
    result = subprocess.run(
        [sys.executable, "-c", code, root, pilot, str(db)],
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(result.stdout.strip().splitlines()[-1])


def measure_ui(n: int, workload: str, db: Path, folder: Path) -> Row:
    """The terminal and pilot figures on an imported inventory (`measure_cli` made it)."""
    csv_path = folder / f"channels-{n}-{workload}.csv"
    _export_csv(db, csv_path)
    # first screens alternate between the two programs, median of LAUNCHES each: one
    # launch is at the mercy of whatever else the shared machine does at that moment
    ui_runs, vd_runs = [], []
    for _ in range(LAUNCHES):
        first, filter_s, rss = ui_in_terminal(db, n)
        ui_runs.append(first)
        vd_runs.append(visidata_first_screen(csv_path, n))
    ui_first_s, vd_first_s = statistics.median(ui_runs), statistics.median(vd_runs)
    views = {view: s * 1000 for view, s in _apart("views_pilot", db).items()}
    save_s = _apart("save_and_reflag_pilot", db)  # last: it edits the database
    return Row(n, workload, ui_first_s, vd_first_s, filter_s * 1000, save_s * 1000, rss, views)


def table(rows: list[Row]) -> str:
    lines = [
        "| workload | channels | UI first screen | VisiData | UI / VisiData | filter | "
        "save + reflag | UI peak RSS | view switch: median of views (slowest) |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---|",
    ]
    for r in rows:
        slowest = max(r.views_ms, key=r.views_ms.__getitem__) if r.views_ms else "-"
        views = (
            f"{statistics.median(r.views_ms.values()):.0f} ms ({slowest} "
            f"{r.views_ms[slowest]:.0f} ms)"
            if r.views_ms
            else "-"
        )
        lines.append(
            f"| {r.workload} | {r.n:,} | {r.ui_first_s:.2f} s | {r.vd_first_s:.2f} s | "
            f"{r.ui_first_s / r.vd_first_s:.2f}x | {r.filter_ms:.0f} ms | {r.save_ms:.0f} ms | "
            f"{r.rss_mb:.0f} MB | {views} |"
        )
    views = sorted({view for r in rows for view in r.views_ms})
    lines += ["", "View switch, ms (key to the first frame showing it):", ""]
    lines.append("| workload | channels | " + " | ".join(views) + " |")
    lines.append("|---|---:|" + "---:|" * len(views))
    for r in rows:
        cells = " | ".join(f"{r.views_ms[v]:.0f}" if v in r.views_ms else "-" for v in views)
        lines.append(f"| {r.workload} | {r.n:,} | {cells} |")
    return "\n".join(lines)


# --- whole processes only (no terminal): both workloads, cheap enough for 100,000 ----------

WORKLOADS = {"today": 0.0, "unhealthy": 0.3}
"""The benchmark's own inventory, and one where 30% of the channels break 1-3 more rules."""


@dataclass
class Process:
    wall_s: float
    cpu_s: float  # user + system: what the machine's load doesn't inflate
    rss_mb: float  # peak resident memory


UNHURRIED = {"INVENTORY_RULE_TIMEOUT": "600", "INVENTORY_EVALUATION_TIMEOUT": "3600"}
"""The rules' deadlines (2 s a rule, 10 s in all) are for a person waiting; on a loaded
machine at 100,000 channels they stop rules, and the figures would time a partial check."""


def _process(command: list[str], ok: tuple[int, ...] = (0,)) -> Process:
    start = time.perf_counter()
    child = subprocess.Popen(
        command,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        env={**os.environ, **UNHURRIED},
    )
    _, status, usage = os.wait4(child.pid, 0)
    wall = time.perf_counter() - start
    stderr = child.stderr.read().decode(errors="replace") if child.stderr else ""
    if child.stderr:
        child.stderr.close()
    code = os.waitstatus_to_exitcode(status)
    if code not in ok:
        raise RuntimeError(f"{command[:3]} failed ({code}): {stderr[-500:]}")
    return Process(wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024)


def _scan_command(db: Path) -> list[str]:
    code = (
        "import sqlite3, sys\n"
        "rows = sqlite3.connect(sys.argv[1]).execute('SELECT * FROM channels').fetchall()\n"
        "assert rows\n"
    )
    return [sys.executable, "-c", code, str(db)]


def _write_document_apart(path: Path, n: int, unhealthy: float) -> None:
    """Generate the document in a child process: the runner stays small, so the peak RSS of
    the processes it starts is their own (Linux starts a new program's peak at its parent's)."""
    code = (
        "import json, sys\n"
        "sys.path.insert(0, sys.argv[1])\n"
        "from bench.generate import generate_document\n"
        "document = generate_document(int(sys.argv[2]), seed=1, unhealthy=float(sys.argv[3]))\n"
        "open(sys.argv[4], 'w', encoding='utf-8').write(json.dumps(document))\n"
    )
    root = str(Path(__file__).resolve().parent.parent)
    subprocess.run(
        [sys.executable, "-c", code, root, str(n), str(unhealthy), str(path)], check=True
    )


CLI_STEPS = ("import", "check json", "check text", "export", "full scan")


def measure_cli(n: int, folder: Path, unhealthy: float, repeats: int = 1) -> dict[str, Process]:
    """Each whole process of CLI_STEPS on one generated inventory; the median of `repeats`
    runs of the steps after the import (taken in turn, so load hits all alike)."""
    document = folder / f"inventory-{n}-{unhealthy}.json"
    _write_document_apart(document, n, unhealthy)
    db = folder / f"inventory-{n}-{unhealthy}.db"
    inventory = str(BIN / "inventory")
    results = {"import": _process([inventory, "import", str(db), str(document)])}
    check = [inventory, "check", str(db), "--as-of", AS_OF, "--fail-on", "never"]
    commands = {
        "check json": [*check, "--format", "json"],
        "check text": check,
        "export": [inventory, "export", str(db), "--as-of", AS_OF, "-o", str(folder / "f.json")],
        "full scan": _scan_command(db),
    }
    runs: dict[str, list[Process]] = {step: [] for step in commands}
    for _ in range(repeats):
        for step, command in commands.items():
            runs[step].append(_process(command))
    for step, measured in runs.items():
        results[step] = Process(
            statistics.median(p.wall_s for p in measured),
            statistics.median(p.cpu_s for p in measured),
            max(p.rss_mb for p in measured),
        )
    # from the export's head: parsing it whole would grow the runner (see `_apart`)
    with (folder / "f.json").open(encoding="utf-8") as export:
        head = export.read(65_536)
    flags = int(re.search(r'"flags": (\d+)', head).group(1))  # type: ignore[union-attr]
    results["flags"] = Process(flags, 0, 0)
    return results


def cli_table(workload: str, sizes: list[int], rows: list[dict[str, Process]]) -> str:
    compared = ("check json", "check text", "export")
    lines = [
        f"Workload `{workload}` (wall s / CPU s / peak MB; ratios to the full scan: wall / "
        "CPU, each process with its children):",
        "",
        "| channels | flags | "
        + " | ".join(CLI_STEPS)
        + " | "
        + " | ".join(f"{step} / scan" for step in compared)
        + " |",
        "|---:|---:|" + "---:|" * (len(CLI_STEPS) + len(compared)),
    ]
    for n, row in zip(sizes, rows, strict=True):
        cells = [
            f"{row[s].wall_s:.2f} / {row[s].cpu_s:.2f} / {row[s].rss_mb:.0f}" for s in CLI_STEPS
        ]
        scan = row["full scan"]
        cells += [
            f"{row[s].wall_s / scan.wall_s:.1f}x / {row[s].cpu_s / scan.cpu_s:.1f}x"
            for s in compared
        ]
        lines.append(f"| {n:,} | {row['flags'].wall_s:,.0f} | " + " | ".join(cells) + " |")
    if 10_000 in sizes and 100_000 in sizes:
        small, large = rows[sizes.index(10_000)], rows[sizes.index(100_000)]
        growth = ", ".join(f"{s} {large[s].cpu_s / small[s].cpu_s:.1f}x" for s in CLI_STEPS)
        lines += ["", f"CPU 100k / 10k: {growth}"]
    return "\n".join(lines)


def _compile_bytecode() -> None:
    """Byte-compile the environment, as any installer does. uv doesn't by default, and
    with PYTHONDONTWRITEBYTECODE set (as on these machines) every launch of either program
    would compile its libraries from source again: 0.3 s of start-up that no user sees."""
    import compileall
    import sysconfig

    from inventory import __file__ as package

    for folder in (sysconfig.get_paths()["purelib"], str(Path(package).parent)):
        compileall.compile_dir(folder, quiet=2, workers=0)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1_000, 10_000, 100_000])
    parser.add_argument(
        "--cli-only",
        action="store_true",
        help="only whole processes (import, check, export, full scan), no terminal",
    )
    parser.add_argument("--repeats", type=int, default=3, help="runs per CLI step")
    parser.add_argument("--workloads", nargs="+", choices=list(WORKLOADS), default=list(WORKLOADS))
    args = parser.parse_args()
    if not args.cli_only and shutil.which("tmux") is None:
        sys.exit("bench needs tmux (apt-get install tmux), or --cli-only")
    _compile_bytecode()
    print(f"{date.today()} on {platform.machine()}, {os.cpu_count()} cores, "
          f"Python {platform.python_version()}, load average "
          f"{os.getloadavg()[0]:.1f} at the start; first screens: median of {LAUNCHES} "
          "launches, byte-compiled environment")  # fmt: skip
    ui_rows: list[Row] = []
    keepalive = None if args.cli_only else Terminal("bench-keepalive", ["sleep", "86400"])
    try:
        with tempfile.TemporaryDirectory(prefix="inventory-bench-") as folder:
            for workload in args.workloads:
                rows = []
                for n in args.sizes:
                    rows.append(measure_cli(n, Path(folder), WORKLOADS[workload], args.repeats))
                    if not args.cli_only:
                        db = Path(folder) / f"inventory-{n}-{WORKLOADS[workload]}.db"
                        ui_rows.append(measure_ui(n, workload, db, Path(folder)))
                    print(f"measured {workload} {n:,} channels", file=sys.stderr)
                    print(cli_table(workload, args.sizes[: len(rows)], rows), file=sys.stderr)
                    if ui_rows:
                        print(table(ui_rows), file=sys.stderr)
                print()
                print(cli_table(workload, args.sizes, rows))
    finally:
        if keepalive is not None:
            keepalive.close()
    if ui_rows:
        print()
        print(table(ui_rows))


if __name__ == "__main__":
    main()
