"""What the app does to records when asked: open a form (new, edit, the organization),
delete (asking first, and again when the record changed meanwhile), offboard a person,
toggle a rule, undo and redo (waivers: waiver_actions.py). Each takes the app, whose
`changed` shows the result and re-evaluates the rules."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Any, cast

from inventory import history
from inventory.kinds import KINDS
from inventory.store import ConflictError, StoreError
from inventory.tui.screens.dialogs import ConfirmDialog, MessageDialog
from inventory.tui.views.base import view_of
from inventory.tui.views.flags import FlagsView
from inventory.tui.views.records import RecordsView

if TYPE_CHECKING:
    from inventory.tui.app import InventoryApp
    from inventory.tui.screens.forms import Choices


def choices(app: InventoryApp, kind: str) -> Choices:
    """The records a form of `kind` can refer to (people are searched as one types)."""
    from inventory import records
    from inventory.tui.screens.forms import Choices
    from inventory.tui.widgets.people_picker import PeopleLookup

    options = {}
    people = None
    for spec in KINDS[kind].references:
        target = KINDS[spec.refers_to or ""]
        if spec.widget in ("person", "people"):
            people = people or PeopleLookup(app.store, app.as_of)
        elif target.name not in options:
            options[target.name] = [
                (
                    target.option_label.format(**values) or values[target.key[0]],
                    values[target.key[0]],
                )
                for values in records.plain_records(app.store, target.name)
            ]
    return Choices(options, people)


def record_kind(app: InventoryApp) -> str | None:
    view = app.view()
    if isinstance(view, RecordsView):
        return view.record_kind
    return view.kind


def open_form(app: InventoryApp, kind: str, key: str | None) -> None:
    from inventory import records

    if app.refused_read_only():
        return
    if kind == "rule":
        from inventory.tui.rule_actions import open_rule_form

        open_rule_form(app, key)
        return
    from inventory.tui.screens.forms import RecordEdit, RecordForm, form_defaults, form_fields

    model = KINDS[kind].model
    fields = form_fields(KINDS[kind], choices(app, kind))
    if key is None:
        initial: dict[str, Any] = form_defaults(KINDS[kind])
        revision = None
        title = f"New {kind}"
    else:
        loaded = records.get_record(app.store, kind, key)
        if loaded is None:
            app.notify(f"That {kind} no longer exists", severity="warning", markup=False)
            return
        initial = loaded.record.model_dump(mode="json")
        revision = loaded.revision
        title = f"Edit the {kind}" if KINDS[kind].singleton else f"Edit {kind} {key}"

    def saved(new_key: str | None) -> None:
        if new_key is not None:
            what = f"the {kind}" if KINDS[kind].singleton else f"{kind} {new_key}"
            app.notify(f"Saved {what}", markup=False)
            app.changed(kind, new_key, {k for k in (key, new_key) if k is not None})

    def reopen() -> None:
        """After "Reload" in a conflict: show the other change, edit the new version."""
        app.notify(f"Reloaded {kind} {key}: your edits were discarded", markup=False)
        app.changed(kind, key)
        open_form(app, kind, key)

    app.push_screen(
        RecordForm(
            kind=kind,
            title=title,
            model=model,
            fields=fields,
            initial=initial,
            edit=RecordEdit(app.store, kind, key, revision),
            reopen=None if key is None else reopen,
        ),
        saved,
    )


def new_record(app: InventoryApp) -> None:
    if app.refused_read_only():
        return
    kind = record_kind(app)
    if kind is not None:
        open_form(app, kind, None)


async def edit_record(app: InventoryApp) -> None:
    if app.refused_read_only():
        return
    view = app.view()
    if isinstance(view, FlagsView):
        flag = view.selected_flag()
        view_id = None if flag is None else view_of(flag.subject_type)
        if flag is not None and view_id is not None:
            await app.made(view_id)
            app.goto_subject(flag.subject_type, flag.subject_id)
            open_form(app, flag.subject_type, flag.subject_id)
        return
    kind = record_kind(app)
    key = view.selected_key()
    if kind is not None and key is not None:
        open_form(app, kind, key)


def edit_organization(app: InventoryApp) -> None:
    """`O`: the organization's name and e-mail domains (R108 compares the login
    mailboxes with them)."""
    from inventory import records

    key = "organization" if records.has_organization(app.store) else None
    open_form(app, "organization", key)


def offboard_person(app: InventoryApp) -> None:
    """`o` on a person: the date they leave and a successor, with a preview of the
    channels that change; one undoable action."""
    from inventory import records
    from inventory.models import Person
    from inventory.offboarding import OffboardingError, offboard
    from inventory.tui.screens.offboard import OffboardDialog

    if app.refused_read_only() or app.current_view != "people":
        return
    key = app.view().selected_key()
    loaded = records.get_record(app.store, "person", key) if key else None
    if loaded is None:
        return
    person = cast(Person, loaded.record)

    def answered(answer: tuple[date, str | None] | None) -> None:
        if answer is None:
            return
        on, successor = answer
        try:
            plan = offboard(app.store, person.email, on, successor)
        except (OffboardingError, StoreError) as error:
            app.notify(str(error), title="Not offboarded", severity="error", markup=False)
            return
        handed = f", {len(plan.channels)} channels handed over" if successor else ""
        app.notify(f"Offboarded {person.email} on {on.isoformat()}{handed}", markup=False)
        app.changed("person", person.email)

    app.push_screen(
        OffboardDialog(
            app.store,
            person.email,
            f"{person.name} <{person.email}>",
            person.left_on or app.as_of,
            app.as_of,
        ),
        answered,
    )


def delete_selected(app: InventoryApp) -> None:
    from inventory import records

    if app.refused_read_only():
        return
    view = app.view()
    kind = record_kind(app)
    key = view.selected_key()
    if kind is None or key is None:
        return
    if kind == "rule":
        from inventory.tui.rule_actions import delete_rule

        delete_rule(app, key)
        return
    users = records.users_of(app.store, kind, key)
    if users:
        app.push_screen(
            MessageDialog(
                f"Can't delete {kind} {key}",
                "It is still used by:\n"
                + "\n".join(f"  • {user}" for user in users)
                + "\n\nChange or delete those first.",
            )
        )
        return

    # the revision the list showed; a view that doesn't list revisions reads it now
    revision = view.selected_revision()
    if revision is None:
        loaded = records.get_record(app.store, kind, key)
        if loaded is None:
            app.notify(f"{kind} {key} no longer exists", severity="warning", markup=False)
            app.changed(kind, None)
            return
        revision = loaded.revision

    def answered(yes: bool | None) -> None:
        if yes:
            delete_record(app, kind, key, revision)

    app.push_screen(ConfirmDialog(f"Delete {kind} {key}?", yes="Delete (y)"), answered)


def delete_record(app: InventoryApp, kind: str, key: str, revision: int) -> None:
    """Delete `key` if it is still at `revision`; if it changed, show what it is now
    and delete only when asked again (against the new revision)."""
    from inventory import records

    try:
        records.delete_record(app.store, kind, key, expected_revision=revision)
    except ConflictError:
        from inventory.tui.screens.conflict import DELETE, ConflictDialog

        current = records.get_record(app.store, kind, key)
        changed_by = history.last_change(app.store, kind, key)
        app.changed(kind, None if current is None else key)
        if current is None:
            app.push_screen(
                MessageDialog(
                    f"{kind} {key} is already deleted",
                    f"Deleted by {changed_by.user if changed_by else 'someone else'}"
                    + (f" ({changed_by.source}, {changed_by.at})" if changed_by else "")
                    + ". Nothing more to delete.",
                )
            )
            return
        labels = [(spec.name, spec.label) for spec in KINDS[kind].fields]

        def chosen(choice: str | None) -> None:
            if choice == DELETE:
                delete_record(app, kind, key, current.revision)

        app.push_screen(
            ConflictDialog(
                what=f"{kind} {key}",
                fields=labels,
                mine=None,
                theirs=current.record.model_dump(mode="json"),
                changed_by=changed_by,
                deleting=True,
            ),
            chosen,
        )
        return
    except StoreError as error:
        app.push_screen(MessageDialog(f"Can't delete {kind} {key}", str(error)))
        return
    app.notify(f"Deleted {kind} {key}", markup=False)
    app.changed(kind, None, {key})


def toggle_rule(app: InventoryApp, code: str | None) -> None:
    if code is None or app.refused_read_only():
        return
    from inventory.rules.catalog import get_rule, set_enabled

    rule = get_rule(app.store, code)
    if rule is None:
        return
    try:
        set_enabled(app.store, code, not rule.enabled)
    except (StoreError, ValueError) as error:
        app.notify(str(error), severity="error", markup=False)
        return
    state = "disabled" if rule.enabled else "enabled"
    app.notify(f"Rule {code} {state}", markup=False)
    app.changed("rule", code)


def reverse(app: InventoryApp, verb: str) -> None:
    """Undo or redo one action; one that changed several records asks first (No is
    the default)."""
    if app.refused_read_only():
        return
    target = history.next_undo(app.store) if verb == "undo" else history.next_redo(app.store)
    if target is None:
        app.notify(f"Nothing to {verb}", markup=False)
        return

    def answered(yes: bool | None) -> None:
        if yes:
            _do_reverse(app, verb, target.id)

    if target.size > 1:
        app.push_screen(
            ConfirmDialog(
                history.question(app.store, verb.capitalize(), target),
                yes=f"{verb.capitalize()} (y)",
            ),
            answered,
        )
    else:
        _do_reverse(app, verb, target.id)


def _do_reverse(app: InventoryApp, verb: str, expected: int) -> None:
    from inventory import undo as undoing

    reversing = undoing.undo if verb == "undo" else undoing.redo
    try:
        done = reversing(app.store, expected)
    except StoreError as error:
        app.notify(str(error), severity="error", markup=False)
        return
    if done is None:
        app.notify(f"Nothing to {verb}", markup=False)
        return
    past = "Undid" if verb == "undo" else "Redid"
    app.notify(f"{past} {done.label} ({done.summary})", markup=False)
    app.changed()
