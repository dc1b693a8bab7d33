"""The views the app switches between with the number keys.

Only the Channels view is made before the first screen; each other view (and the module
that draws it) when it is first shown: the first screen is measured against other tools."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from inventory.tui.state import Shown
    from inventory.tui.views.base import InventoryView

RECORD_VIEWS = {
    "people": "person",
    "departments": "department",
    "consultants": "consultant",
    "policies": "policy",
    "lookalikes": "lookalike",
}


def make_view(view_id: str, shown: Shown) -> InventoryView:
    """The view `view_id` (a VIEWS or OVERVIEW id), not yet mounted."""
    if view_id in RECORD_VIEWS:
        from inventory.tui.views.records import RecordsView

        return RecordsView(shown, RECORD_VIEWS[view_id], id=view_id)
    if view_id == "channels":
        from inventory.tui.views.channels import ChannelsView

        return ChannelsView(shown, id=view_id)
    if view_id == "flags":
        from inventory.tui.views.flags import FlagsView

        return FlagsView(shown, id=view_id)
    if view_id == "rules":
        from inventory.tui.views.rules import RulesView

        return RulesView(shown, id=view_id)
    if view_id == "waivers":
        from inventory.tui.views.waivers import WaiversView

        return WaiversView(shown, id=view_id)
    if view_id == "overview":
        from inventory.tui.views.overview import OverviewView

        return OverviewView(shown, id=view_id)
    raise ValueError(f"no view {view_id!r}")
