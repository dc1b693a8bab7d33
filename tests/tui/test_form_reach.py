"""Every field of every form in reach with `tab` at 80x24: it takes the focus, it is
scrolled into view whole, and no blank gap pushes the fields after it out of sight."""

from __future__ import annotations

import itertools

import pytest
from textual.screen import ModalScreen
from textual.widget import Widget

from .conftest import run_async, settle
from .forms import FORMS

SMALL = (80, 24)


async def open_form(pilot, keys: tuple[str, ...]) -> ModalScreen:
    await settle(pilot)
    for key in keys:
        await pilot.press(key)
        await pilot.pause()
    await settle(pilot)
    screen = pilot.app.screen
    assert isinstance(screen, ModalScreen), f"{keys} opened no form"
    return screen


def wholly_visible(widget: Widget) -> bool:
    """The widget's every cell is on screen: inside the screen and inside every scrolling
    container around it."""
    geometry = widget.screen.find_widget(widget)
    return geometry.clip.contains_region(geometry.region) and widget.screen.region.contains_region(
        geometry.region
    )


def in_focus_order(widget: Widget) -> bool:
    return widget.focusable and widget.display and not widget.disabled


async def tab_through(pilot, screen: ModalScreen) -> list[Widget]:
    """Press tab until the focus comes back round; every widget focused, in order."""
    focused: list[Widget] = []
    for _ in range(60):
        widget = pilot.app.focused
        assert widget is not None
        if widget in focused:
            break
        focused.append(widget)
        assert wholly_visible(widget), f"{widget!r} is focused but not wholly visible"
        await pilot.press("tab")
        await pilot.pause()
    return focused


@pytest.mark.parametrize("name", list(FORMS))
@run_async
async def test_tab_reaches_every_field_and_shows_it(name, sample_store, make_app):
    app = make_app(sample_store)
    async with app.run_test(size=SMALL) as pilot:
        screen = await open_form(pilot, FORMS[name])
        assert gaps(screen) == []
        focused = await tab_through(pilot, screen)
        # every field: a widget with an id `field-…`, or the first control inside it
        fields = [
            w for w in screen.query("*") if (w.id or "").startswith("field-") and not w.disabled
        ]
        missed = [
            w.id
            for w in fields
            if not any(f is w or w in f.ancestors or f in w.walk_children() for f in focused)
        ]
        assert not missed, f"{name}: tab never reaches {missed}"
        every = [w for w in screen.query("*") if in_focus_order(w)]
        assert set(every) <= set(focused), f"{name}: tab skips {set(every) - set(focused)}"
        if name == "channel":  # the same form as the next test's at 80x24: its assertions
            assert_channel_fields_follow_the_consultants(screen, focused)


def gaps(screen: ModalScreen) -> list[str]:
    """Blank lines in a form: inside a field (a widget taller than what it holds), or
    between one row and the next beyond the one-line margin."""
    found = []
    for widget in screen.query("*"):
        if not (widget.id or "").startswith("field-") or not widget.children:
            continue
        shown = [child for child in widget.children if child.display]
        held = max((c.virtual_region.bottom + c.styles.margin.bottom for c in shown), default=0)
        if widget.size.height > held:
            found.append(f"{widget.size.height - held} blank lines in {widget.id}")
    rows = list(screen.query(".form-row"))
    for before, after in itertools.pairwise(rows):
        bottom = before.virtual_region.bottom + before.styles.margin.bottom
        if after.virtual_region.y != bottom:
            found.append(f"{after.virtual_region.y - bottom} blank lines before {after.id}")
    return found


def assert_channel_fields_follow_the_consultants(screen: ModalScreen, focused: list[Widget]):
    """Seen: ~14 blank lines after "+ add consultant" hid Login held by, Policy, Hours,
    Last post, Goals and Notes below them."""
    names = [w.id for w in focused if w.id and w.id.startswith("field-")]
    for name in ("credentials_holder", "policy", "weekly_hours", "last_post_on", "goals"):
        assert f"field-{name}" in names
    assert "field-notes" in names
    # the last fields come right after the consultants, not a screen further down
    consultants = screen.query_one("#row-consultants").virtual_region
    login = screen.query_one("#row-credentials_holder").virtual_region
    assert login.y - consultants.bottom <= 1


@run_async
async def test_the_channel_form_has_every_field_in_reach_and_no_blank_gap_when_large(
    sample_store, make_app
):
    """At 160x50; at 80x24 test_tab_reaches_every_field_and_shows_it[channel] asserts the
    same (one app fewer)."""
    app = make_app(sample_store)
    async with app.run_test(size=(160, 50)) as pilot:
        screen = await open_form(pilot, ("e",))
        assert gaps(screen) == []
        assert_channel_fields_follow_the_consultants(screen, await tab_through(pilot, screen))
