"""Every form and dialog at 80x24 and at 160x50 (the views are in test_snapshots.py).

Fixed as_of (2026-11-26), cursors not blinking. Update with
`uv run pytest tests/tui/test_form_snapshots.py --snapshot-update` after looking at the
new SVGs."""

from __future__ import annotations

from .conftest import run_async, settle
from .forms import FORMS
from .test_snapshots import keys

SIZES = {"80x24": (80, 24), "160x50": (160, 50)}

SHOTS = {
    **{form: keys(*pressed) for form, pressed in FORMS.items()},
    # tabbed past "+ add consultant": the fields after it follow at once (no blank gap)
    "channel after the consultants": keys("e", *["tab"] * 10),
}


async def close_all(pilot) -> None:
    """Back to the first screen: the dialogs closed, the Channels view."""
    while len(pilot.app.screen_stack) > 1:
        pilot.app.pop_screen()
        await pilot.pause()
    await pilot.press("1")
    await settle(pilot)


@run_async
async def test_each_form(screen_snapshots, sample_stores, make_app):
    """Each opened from the first screen, in one app per size: the snapshot of `form` at
    `size` is test_each_form[<form>-<size>].svg."""
    for size, terminal_size in SIZES.items():
        shots = [(f"{form}-{size}", steps) for form, steps in SHOTS.items()]
        await screen_snapshots.run(make_app(sample_stores()), terminal_size, shots, after=close_all)
    screen_snapshots.check(f"{form}-{size}" for size in SIZES for form in SHOTS)
