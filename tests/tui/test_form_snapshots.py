"""Every form and dialog at 80x24 and at 160x50 (the views are in test_snapshots.py).

Fixed as_of (2026-11-26), cursors not blinking. Update with
`uv run pytest tests/tui/test_form_snapshots.py --snapshot-update` after looking at the
new SVGs."""

from __future__ import annotations

import pytest

from .forms import FORMS
from .test_snapshots import keys

SIZES = {"80x24": (80, 24), "160x50": (160, 50)}


@pytest.mark.parametrize("size", list(SIZES))
@pytest.mark.parametrize("form", list(FORMS))
def test_each_form(snap_compare, sample_store, make_app, form, size):
    assert snap_compare(
        make_app(sample_store), terminal_size=SIZES[size], run_before=keys(*FORMS[form])
    )


@pytest.mark.parametrize("size", list(SIZES))
def test_the_channel_form_after_the_consultants(snap_compare, sample_store, make_app, size):
    """Tabbed past "+ add consultant": the fields after it follow at once (no blank gap)."""
    tabs = ["tab"] * 10
    assert snap_compare(
        make_app(sample_store), terminal_size=SIZES[size], run_before=keys("e", *tabs)
    )
