"""Pieces the built-in rules' texts are made of (`builtin_rules`): the explanation's
layout, and the parts R107's condition and message share."""

from __future__ import annotations


def explain(
    checks: str,
    why: str,
    fix: str,
    flagged: str,
    not_flagged: str,
    parameters: str = "None.",
) -> str:
    return (
        f"What it checks\n{checks}\n\n"
        f"Why it matters\n{why}\n\n"
        f"How to fix it\n{fix}\n\n"
        f"Parameters\n{parameters}\n\n"
        f"Example flagged\n{flagged}\n\n"
        f"Example not flagged\n{not_flagged}"
    )


def indented(text: str, spaces: int) -> str:
    return text.replace("\n", "\n" + " " * spaces)


SOMEONE_HAS_LEFT = (
    "owner_left_on <= :as_of OR backup_owner_left_on <= :as_of\n"
    "-- by handle alone: a few more channels counted below, for a cheaper look-up\n"
    "OR handle IN (\n"
    "    SELECT handle FROM facts_channel_admin WHERE unlikely(left_on <= :as_of)\n"
    ")"
)
"""R107: someone among the owner, backup owner and admins may have left by :as_of (the
admins who have left are found once per statement, not for each channel). A channel
this lets through wrongly is counted exactly (`IN_HOUSE_AT_AS_OF`), which gives the same
number as `employee_access_count` when nobody has left."""

IN_HOUSE_AT_AS_OF = (
    "(owner_employment IS 'employee'\n"
    "    AND (owner_left_on IS NULL OR owner_left_on > :as_of))\n"
    "+ (backup_owner_employment IS 'employee' AND backup_owner_email IS NOT owner_email\n"
    "    AND (backup_owner_left_on IS NULL OR backup_owner_left_on > :as_of))\n"
    "+ (SELECT count(*) FROM facts_channel_admin a\n"
    "   WHERE a.platform = facts_channel.platform AND a.handle = facts_channel.handle\n"
    "     AND a.employment = 'employee'\n"
    "     AND a.email IS NOT facts_channel.owner_email\n"
    "     AND a.email IS NOT facts_channel.backup_owner_email\n"
    "     AND (a.left_on IS NULL OR a.left_on > :as_of))"
)
"""R107: the distinct in-house people who can get in at :as_of (what `access_people`
gave with `count(DISTINCT lower(value ->> 'email'))`)."""
