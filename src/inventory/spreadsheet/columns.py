"""The spreadsheet columns of a channel: the headers that name each field (read in any of
their spellings, written under the first) and how a header row is recognised."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from inventory.models import Channel
from inventory.sheets import Cell, Grid

# field -> the headers that name it; the first is what `dump` writes (spreadsheets spec)
ALIASES: dict[str, tuple[str, ...]] = {
    "platform": ("Platform", "Network", "Social network", "Channel type"),
    "handle": ("Handle", "Username", "Account", "Profile"),
    "name": ("Name", "Display name", "Channel name", "Account name"),
    "url": ("URL", "Link", "Profile URL", "Profile link"),
    "status": ("Status",),
    "owner": ("Owner", "Channel owner", "Managed by", "Responsible"),
    "backup_owner": ("Backup owner", "Backup", "Deputy"),
    "reporting_department": ("Reporting department", "Department", "Team", "Business unit"),
    "linked_departments": ("Linked departments", "Works with"),
    "consultants": ("Consultants", "Agency", "Agencies"),
    "credentials_holder": ("Login held by", "Credentials", "Password centralized"),
    "policy": ("Policy", "Policy version"),
    "weekly_hours": ("Weekly hours", "Hours per week", "Hours/week"),
    "last_post_on": ("Last post", "Most recent post", "Last posted"),
    "goals": ("Goals", "Purpose"),
    "notes": ("Notes", "Comments"),
    "admins": ("Admins",),
    "login_email": ("Login email",),
    "two_factor": ("2FA", "Two-factor", "MFA"),
    "reviewed_on": ("Reviewed on", "Last reviewed"),
}

_IGNORED = re.compile(r"[\s_\-/()?]+")


def normalized(text: str) -> str:
    """Headers and enum words compared as the spec says: case and ` _-/()?` ignored."""
    return _IGNORED.sub("", text).casefold()


def channel_fields() -> list[str]:
    """The alias table's fields that this version's channel records have."""
    return [name for name in ALIASES if name in Channel.model_fields]


def _header_index() -> dict[str, str]:
    return {normalized(h): name for name in channel_fields() for h in ALIASES[name]}


@dataclass(frozen=True)
class Column:
    index: int
    header: str
    field: str | None  # None: an unknown column, kept in the notes


def header_fields(cells: Iterable[Cell]) -> list[str | None]:
    index = _header_index()
    return [index.get(normalized(c)) if isinstance(c, str) else None for c in cells]


def is_header(cells: Iterable[Cell]) -> bool:
    """The first row whose cells name at least a platform (or a URL) and a handle."""
    fields = set(header_fields(cells))
    return "handle" in fields and bool(fields & {"platform", "url"})


def find_header(grid: Grid) -> int | None:
    return next((i for i, row in enumerate(grid.rows) if is_header(row)), None)
