"""Several screen snapshots from one running app.

`snap_compare` starts an app for every snapshot (~0.6 s of CPU each, most of the UI
suite's time). Where a test only walks to one screen after another from the first one
(every view, every form), `ScreenSnapshots` takes them all in one app: the same
screenshot as `snap_compare` takes, compared with the same stored SVG (a test named
`test_x` that compares `name` reads `test_x[name].svg`, the file a test parametrized as
`test_x[name]` reads), and reported in the same HTML report when one differs."""

from __future__ import annotations

import inspect
import pickle
from collections.abc import Awaitable, Callable, Iterable

import pytest
from pytest_textual_snapshot import (
    PseudoApp,
    PseudoConsole,
    SVGImageExtension,
    node_to_report_path,
)
from rich.console import Console
from syrupy import SnapshotAssertion
from textual.app import App
from textual.pilot import Pilot

Step = Callable[[Pilot], Awaitable[None]]


async def screenshot(pilot: Pilot, title: str) -> str:
    """The screen as `snap_compare` takes it: textual._doc.take_svg_screenshot's waits
    after its `run_before`, then its export."""
    await pilot.pause()
    await pilot.wait_for_scheduled_animations()
    await pilot.pause()
    await pilot.pause()
    await pilot.wait_for_scheduled_animations()
    return pilot.app.export_screenshot(title=title, simplify=True)


class ScreenSnapshots:
    def __init__(self, snapshot: SnapshotAssertion, request: pytest.FixtureRequest):
        self.snapshot = snapshot.use_extension(SVGImageExtension)
        self.request = request
        self.compared: list[str] = []
        self.differing: list[str] = []

    async def run(
        self, app: App, size: tuple[int, int], shots: Iterable[tuple[str, Step]], *, after: Step
    ) -> None:
        """In one app of `size` (run as `snap_compare` runs it: headless, notifications and
        tooltips on), for each (name, steps): the steps, the snapshot `name`, then `after`
        (which brings the app back to where the next steps start)."""
        title = app.title  # as take_svg_screenshot: the title before the app runs
        async with app.run_test(size=size, tooltips=True, notifications=True) as pilot:
            for name, steps in shots:
                await steps(pilot)
                self.compare(name, await screenshot(pilot, title))
                await after(pilot)

    def compare(self, name: str, svg: str) -> None:
        self.compared.append(name)
        matches = self.snapshot(name=name) == svg
        if not matches:
            self.differing.append(name)
        self._report(name, svg)

    def _report(self, name: str, svg: str) -> None:
        """What snap_compare leaves for pytest-textual-snapshot's HTML report of the
        differing screens, under a file of this snapshot's own."""
        snapshot = self.snapshot
        index = snapshot._execution_name_index.get(name, snapshot.num_executions - 1)
        executed = snapshot.executions.get(index)
        exists = executed is not None and executed.final_data is not None
        console = Console(legacy_windows=False, force_terminal=True)
        node = self.request.node
        full_path, line_number, test_name = node.reportinfo()
        data = (
            name not in self.differing,
            str(snapshot),
            svg,
            PseudoApp(PseudoConsole(console.legacy_windows, console.size)),
            full_path,
            line_number,
            f"{test_name}[{name}]",
            inspect.getdoc(node.function) or "",
            "",
            exists,
        )
        path = node_to_report_path(node)
        path.with_name(f"{path.name}_{name}").write_bytes(pickle.dumps(data))

    def check(self, expected: Iterable[str]) -> None:
        """Every snapshot in `expected` was taken, and each looked as stored."""
        assert self.compared == list(expected)
        assert not self.differing, f"screens that differ from their snapshot: {self.differing}"
