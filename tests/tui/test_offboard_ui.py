"""`o` on a person: preview, successor picker, one undoable action; lookalikes and admins."""

from __future__ import annotations

from inventory import records
from inventory.tui.screens.dialogs import ConfirmDialog
from inventory.tui.screens.forms import RecordForm
from inventory.tui.screens.offboard import OffboardDialog
from inventory.tui.widgets.people_picker import PeoplePicker

from .conftest import run_async, settle
from .screen import screen_text, texts, widget_text

SIZE = (120, 40)
LEAVER = "andrea.costa@acme.example"


def channel(store, key: str):
    return records.get_record(store, "channel", key).record


def left_on(store, email: str):
    return records.get_record(store, "person", email).record.left_on


async def open_offboarding(pilot, app) -> None:
    await settle(pilot)
    await pilot.press("3")
    await settle(pilot)
    await pilot.press("down")  # alessandro.ricci, then andrea.costa
    await pilot.pause()
    assert app.view().selected_key() == LEAVER
    await pilot.press("o")
    await pilot.pause()
    assert isinstance(app.screen, OffboardDialog)


@run_async
async def test_offboarding_previews_hands_over_and_undoes_as_one_action(sample_store, make_app):
    app = make_app(sample_store)
    before = {key: channel(sample_store, key) for key in ("linkedin/acme-casa-pro",
                                                          "telegram/@acme_offerte")}  # fmt: skip
    async with app.run_test(size=SIZE) as pilot:
        await open_offboarding(pilot, app)
        text = texts(app.screen)
        # without a successor: the channels that still depend on him
        assert "Offboard Andrea Costa <andrea.costa@acme.example>" in text
        assert "2 live channels still depend on them:" in text
        assert "linkedin/acme-casa-pro (Acme Casa Professional): owner" in text
        # a successor the spec refuses is named at once; nothing is saved
        await pilot.click("#offboard-successor Input")
        await pilot.press(*"valentina", "enter")
        await pilot.pause()
        await pilot.click("#offboard-on")
        await pilot.press("ctrl+a", "ctrl+k", *"2026-12-20")
        await pilot.pause()
        assert "leaves on 2026-12-15, not after 2026-12-20" in texts(app.screen)
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert isinstance(app.screen, OffboardDialog)
        # an accepted successor: the preview shows the roles before and after
        await pilot.click("#offboard-successor Input")
        await pilot.press("ctrl+a", "ctrl+k", *"elena", "enter")
        await pilot.pause()
        await pilot.click("#offboard-on")
        await pilot.press("ctrl+a", "ctrl+k", *"2026-10-31")
        await pilot.pause()
        text = texts(app.screen)
        assert "elena.marino@acme.example takes over 2 live channels:" in text
        assert "after:  owner elena.marino@acme.example" in text
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert not isinstance(app.screen, OffboardDialog)
        assert channel(sample_store, "linkedin/acme-casa-pro").owner == "elena.marino@acme.example"
        assert channel(sample_store, "telegram/@acme_offerte").admins == [
            "elena.marino@acme.example"
        ]
        assert "R105" not in {f.rule for f in app.flags.evaluation.flags}
        assert "Offboarded andrea.costa@acme.example on 2026-10-31" in "\n".join(
            n.message for n in app._notifications
        )
        # one ctrl+z undoes the whole offboarding (it asks: several records changed)
        await pilot.press("ctrl+z")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmDialog)
        assert "the offboarding of andrea.costa@acme.example" in texts(app.screen)
        await pilot.press("y")
        await settle(pilot)
        for key, record in before.items():
            assert channel(sample_store, key) == record
        assert str(left_on(sample_store, LEAVER)) == "2026-10-31"
        assert "R105" in {f.rule for f in app.flags.evaluation.flags}


@run_async
async def test_escape_offboards_nobody(sample_store, make_app):
    app = make_app(sample_store)
    async with app.run_test(size=SIZE) as pilot:
        await open_offboarding(pilot, app)
        await pilot.press("ctrl+a", "ctrl+k", *"2027-01-31", "escape")
        await settle(pilot)
        assert not isinstance(app.screen, OffboardDialog)
        assert str(left_on(sample_store, LEAVER)) == "2026-10-31"


@run_async
async def test_o_elsewhere_than_people_does_nothing(sample_store, make_app):
    app = make_app(sample_store)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("o")
        await pilot.pause()
        assert not isinstance(app.screen, OffboardDialog)


@run_async
async def test_admins_are_picked_like_the_owner_and_marked(sample_store, make_app):
    app = make_app(sample_store)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("slash", *"acme_offerte", "enter")
        await settle(pilot)
        await pilot.press("e")
        await pilot.pause()
        assert isinstance(app.screen, RecordForm)
        picker = app.screen.query_one("#field-admins", PeoplePicker)
        assert picker.value == [LEAVER]
        picker.scroll_visible(animate=False, immediate=True)
        await pilot.pause()
        # the leaver is marked; an external is marked when offered
        assert "Andrea Costa <andrea.costa@acme.example> (left 2026-10-31)" in screen_text(app)
        await pilot.click("#field-admins .add-person Input")
        await pilot.press(*"marco.verdi")
        await pilot.pause()
        assert "Marco Verdi <marco.verdi@buzzguru.example> (external)" in screen_text(app)
        await pilot.press("enter")
        await pilot.pause()
        # remove the leaver, add an in-house colleague, save
        await pilot.click("#field-admins .remove-person")
        await pilot.click("#field-admins .add-person Input")
        await pilot.press(*"elena", "enter")
        await pilot.pause()
        assert picker.value == ["marco.verdi@buzzguru.example", "elena.marino@acme.example"]
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert not isinstance(app.screen, RecordForm)
        saved = channel(sample_store, "telegram/@acme_offerte")
        assert saved.admins == ["marco.verdi@buzzguru.example", "elena.marino@acme.example"]
        assert ("R106", "telegram/@acme_offerte") not in {
            (f.rule, f.subject_id) for f in app.flags.evaluation.flags
        }


@run_async
async def test_lookalikes_view_and_form(sample_store, make_app):
    app = make_app(sample_store)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("8")
        await settle(pilot)
        assert "2 lookalikes" in widget_text(app.query_one("#lookalikes-status"))
        text = widget_text(app.query_one("#lookalikes-table"))
        text += widget_text(app.query_one("#lookalikes-detail-body"))
        assert "@acme_it_official" in text and "tolerated" in text
        await pilot.press("n")
        await pilot.pause()
        assert isinstance(app.screen, RecordForm)
        form = app.screen
        await pilot.click("#field-platform")
        await pilot.press(*"instagram", "enter")
        await pilot.pause()
        # a lookalike may not take a channel's key
        await pilot.click("#field-handle")
        await pilot.press(*"@acme_it")
        await pilot.click("#field-found_on")
        await pilot.press(*"2026-11-20")
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert app.screen is form
        assert "has the same platform and handle" in texts(app.screen)
        await pilot.click("#field-handle")
        await pilot.press("end", *"_giveaway")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert not isinstance(app.screen, RecordForm)
        saved = records.get_record(sample_store, "lookalike", "instagram/@acme_it_giveaway")
        assert saved is not None and saved.record.takedown == "open"
        assert "3 lookalikes" in widget_text(app.query_one("#lookalikes-status"))


@run_async
async def test_the_organizations_email_domains_are_editable(sample_store, make_app):
    app = make_app(sample_store)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert ("R108", "linkedin/acme-careers") in {
            (f.rule, f.subject_id) for f in app.flags.evaluation.flags
        }
        await pilot.press("O")
        await pilot.pause()
        assert isinstance(app.screen, RecordForm)
        assert "Edit the organization" in texts(app.screen)
        area = app.screen.query_one("#field-email_domains")
        area.text = "acme.example\nJobs.Acme.example"
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert isinstance(app.screen, RecordForm)  # upper-case is refused, next to the field
        assert "must be lower-case" in widget_text(app.screen.query_one("#error-email_domains"))
        area.text = "acme.example\njobs.acme.example"
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert not isinstance(app.screen, RecordForm)
        organization = records.read_organization(sample_store)
        assert organization.email_domains == ["acme.example", "jobs.acme.example"]
        assert ("R108", "linkedin/acme-careers") not in {
            (f.rule, f.subject_id) for f in app.flags.evaluation.flags
        }
        # one undo puts the domains back
        await pilot.press("ctrl+z")
        await settle(pilot)
        assert records.read_organization(sample_store).email_domains == ["acme.example"]
