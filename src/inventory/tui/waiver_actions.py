"""Waivers from the UI: `w` in Flags (waive the flag, or show, edit and remove its waiver),
`w` in Channels (pick one of the channel's unwaived flags), and the Waivers view's edit and
remove. Every path saves through `rules.waivers.waive` (the same check as the CLI's
`waive`: a known rule, an existing subject, no `until` before today) and each change is one
undoable action."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

from inventory.flags import SEVERITY_ORDER
from inventory.tui.screens.dialogs import ConfirmDialog
from inventory.tui.screens.waiver import FlagPicker, WaiverDialog, WaiverTarget

if TYPE_CHECKING:
    from inventory.flags import Flag
    from inventory.tui.app import InventoryApp


def waive_selected(app: InventoryApp) -> None:
    """`w`: on a flag, its waiver dialog; on a channel, a picker of its unwaived flags (the
    Waivers view binds `w` itself: edit the selected waiver)."""
    from inventory.tui.views.channels import ChannelsView
    from inventory.tui.views.flags import FlagsView

    if app.refused_read_only():
        return
    view = app.view()
    if isinstance(view, FlagsView):
        flag = view.selected_flag()
        if flag is not None:
            open_waiver(app, WaiverTarget.of(flag))
    elif isinstance(view, ChannelsView):
        key = view.selected_key()
        if key is not None:
            pick_flag(app, key)


def pick_flag(app: InventoryApp, channel: str) -> None:
    """Which of the channel's unwaived flags to waive: a picker when there are several,
    the waiver dialog at once when there is one, a message when there is none."""
    if not app.evaluated:
        app.notify("The rules are still being evaluated: press w again in a moment")
        return
    flags = app.flags.flags_of("channel", channel)
    unwaived: list[Flag] = sorted(
        (flag for flag in flags if not flag.waived),
        key=lambda flag: (SEVERITY_ORDER[flag.severity], flag.rule),
    )
    if not unwaived:
        waived = len(flags)
        more = f" (its {waived} waived: see the Waivers view, 9)" if waived else ""
        app.notify(f"{channel} has no unwaived flag to waive{more}", markup=False)
        return
    if len(unwaived) == 1:
        open_waiver(app, WaiverTarget.of(unwaived[0]))
        return

    def picked(flag: Flag | None) -> None:
        if flag is not None:
            open_waiver(app, WaiverTarget.of(flag))

    app.push_screen(FlagPicker(channel, unwaived), picked)


def open_waiver(app: InventoryApp, target: WaiverTarget) -> None:
    """The waiver dialog on one flag: a new waiver, or the one there is (expired or not),
    to edit or remove."""
    from inventory.rules.waivers import get_waiver, unwaive, waive

    if app.refused_read_only():
        return
    store = app.store
    existing = get_waiver(store, target.rule, target.subject_id)
    what = f"{target.rule} on {target.subject_id}"

    def save(reason: str, until: date | None) -> None:
        waive(
            store,
            target.rule,
            target.subject_id,
            reason,
            until,
            store.user,
            date.today(),  # made today, whatever --as-of says (docs/ui.md)
            existing=existing is not None,
        )

    def remove() -> None:
        unwaive(store, target.rule, target.subject_id)

    def done(result: str | None) -> None:
        if result is None:
            return
        if result == "removed":
            app.notify(f"Removed the waiver of {what} (ctrl+z puts it back)", markup=False)
        elif existing is not None:
            app.notify(f"Changed the waiver of {what}", markup=False)
        else:
            app.notify(f"Waived {what}", markup=False)
        app.changed()

    app.push_screen(WaiverDialog(target, existing, app.as_of, save, remove), done)


def edit_waiver(app: InventoryApp, code: str, subject_type: str | None, subject_id: str) -> None:
    """The Waivers view's e / enter: the waiver dialog on that flag's waiver."""
    from inventory.rules.catalog import get_rule

    rule = get_rule(app.store, code)
    title = rule.title if rule is not None else "(a rule that no longer exists)"
    open_waiver(app, WaiverTarget(code, subject_type or "", subject_id, title))


def remove_waiver(app: InventoryApp, rule: str, subject_id: str) -> None:
    """The Waivers view's d: asks (y confirms), then removes it as one undoable action."""
    from inventory.rules.waivers import unwaive
    from inventory.store import StoreError

    if app.refused_read_only():
        return
    what = f"{rule} on {subject_id}"

    def answered(yes: bool | None) -> None:
        if not yes:
            return
        try:
            removed = unwaive(app.store, rule, subject_id)
        except StoreError as error:
            app.notify(str(error), severity="error", markup=False)
            return
        if not removed:
            app.notify(f"The waiver of {what} was already removed", markup=False)
        else:
            app.notify(f"Removed the waiver of {what} (ctrl+z puts it back)", markup=False)
        app.changed()

    app.push_screen(
        ConfirmDialog(
            f"Remove the waiver of {what}?",
            "The flag counts again from now on; ctrl+z puts the waiver back.",
            yes="Remove (y)",
        ),
        answered,
    )
