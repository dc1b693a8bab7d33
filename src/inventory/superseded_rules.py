"""Texts the built-in rules had before a migration replaced them: a migration updates a
row that still holds one of them, and keeps a text the user changed."""

from __future__ import annotations

_R106_CONDITION_FORMAT_2 = (
    "is_live AND EXISTS (\n"
    "    SELECT 1 FROM json_each(access_people)\n"
    "    WHERE value ->> 'role' <> 'owner' AND value ->> 'left_on' <= :as_of\n"
    ")"
)
_R106_CONDITION_0007 = (
    "is_live AND (\n    backup_owner_left_on <= :as_of OR admin_earliest_left_on <= :as_of\n)"
)
_R106_MESSAGE_FORMAT_2 = (
    "'Still has access after leaving: ' || (\n"
    "    SELECT group_concat(\n"
    "        replace(value ->> 'role', '_', ' ') || ' ' || (value ->> 'email')\n"
    "        || ' (left on ' || (value ->> 'left_on') || ')', ', ')\n"
    "    FROM json_each(access_people)\n"
    "    WHERE value ->> 'role' <> 'owner' AND value ->> 'left_on' <= :as_of\n"
    ")"
)
_R107_CONDITION_FORMAT_2 = (
    "is_live AND (\n"
    "    SELECT count(DISTINCT lower(value ->> 'email')) FROM json_each(access_people)\n"
    "    WHERE value ->> 'employment' = 'employee'\n"
    "      AND (value ->> 'left_on' IS NULL OR value ->> 'left_on' > :as_of)\n"
    ") < :min_in_house_people"
)
_R107_CONDITION_0007 = (
    "is_live AND (\n"
    "    employee_access_count < :min_in_house_people\n"
    "    -- fewer at :as_of only if one of them has left by then: count them\n"
    "    OR (\n"
    "        (owner_left_on <= :as_of OR backup_owner_left_on <= :as_of\n"
    "            OR admin_earliest_left_on <= :as_of)\n"
    "        AND (\n"
    "            SELECT count(DISTINCT lower(value ->> 'email'))\n"
    "            FROM json_each(access_people)\n"
    "            WHERE value ->> 'employment' = 'employee'\n"
    "              AND (value ->> 'left_on' IS NULL OR value ->> 'left_on' > :as_of)\n"
    "        ) < :min_in_house_people\n"
    "    )\n"
    ")"
)
_R107_MESSAGE_FORMAT_2 = (
    "(SELECT iif(n = 0, 'No in-house person',\n"
    "        'Only ' || n || ' in-house ' || iif(n = 1, 'person', 'people'))\n"
    "    || ' can get in (at least ' || :min_in_house_people || ' wanted)'\n"
    "FROM (\n"
    "    SELECT count(DISTINCT lower(value ->> 'email')) AS n\n"
    "    FROM json_each(access_people)\n"
    "    WHERE value ->> 'employment' = 'employee'\n"
    "      AND (value ->> 'left_on' IS NULL OR value ->> 'left_on' > :as_of)\n"
    "))"
)
_R107_MESSAGE_0007 = (
    "(SELECT iif(n = 0, 'No in-house person',\n"
    "        'Only ' || n || ' in-house ' || iif(n = 1, 'person', 'people'))\n"
    "    || ' can get in (at least ' || :min_in_house_people || ' wanted)'\n"
    "FROM (\n"
    "    SELECT iif(\n"
    "        owner_left_on <= :as_of OR backup_owner_left_on <= :as_of\n"
    "            OR admin_earliest_left_on <= :as_of,\n"
    "        (SELECT count(DISTINCT lower(value ->> 'email'))\n"
    "         FROM json_each(access_people)\n"
    "         WHERE value ->> 'employment' = 'employee'\n"
    "           AND (value ->> 'left_on' IS NULL OR value ->> 'left_on' > :as_of)),\n"
    "        employee_access_count\n"
    "    ) AS n\n"
    "))"
)
_R107_CONDITION_0009 = (
    "is_live AND (\n"
    "    -- fewer than wanted even counting those who have left (the owner and the\n"
    "    -- backup owner may be enough on their own: then the admins aren't counted)\n"
    "    iif(\n"
    "        (owner_employment IS 'employee')\n"
    "        + (backup_owner_employment IS 'employee'\n"
    "            AND backup_owner_email IS NOT owner_email) >= :min_in_house_people,\n"
    "        0,\n"
    "        employee_access_count < :min_in_house_people\n"
    "    )\n"
    "    -- or fewer at :as_of, if one of them has left by then: count who is still there\n"
    "    OR ((owner_left_on <= :as_of OR backup_owner_left_on <= :as_of\n"
    "        OR (platform, handle) IN (\n"
    "            SELECT platform, handle FROM facts_channel_admin\n"
    "            WHERE unlikely(left_on <= :as_of)\n"
    "        ))\n"
    "        AND (owner_employment IS 'employee'\n"
    "                AND (owner_left_on IS NULL OR owner_left_on > :as_of))\n"
    "            + (backup_owner_employment IS 'employee' AND"
    " backup_owner_email IS NOT owner_email\n"
    "                AND (backup_owner_left_on IS NULL OR backup_owner_left_on > :as_of))\n"
    "            + (SELECT count(*) FROM facts_channel_admin a\n"
    "               WHERE a.platform = facts_channel.platform AND a.handle = facts_channel.handle\n"
    "                 AND a.employment = 'employee'\n"
    "                 AND a.email IS NOT facts_channel.owner_email\n"
    "                 AND a.email IS NOT facts_channel.backup_owner_email\n"
    "                 AND (a.left_on IS NULL OR a.left_on > :as_of))\n"
    "            < :min_in_house_people\n"
    "    )\n"
    ")"
)
_R107_MESSAGE_0009 = (
    "(SELECT iif(n = 0, 'No in-house person',\n"
    "        'Only ' || n || ' in-house ' || iif(n = 1, 'person', 'people'))\n"
    "    || ' can get in (at least ' || :min_in_house_people || ' wanted)'\n"
    "FROM (\n"
    "    SELECT iif(\n"
    "        owner_left_on <= :as_of OR backup_owner_left_on <= :as_of\n"
    "        OR (platform, handle) IN (\n"
    "            SELECT platform, handle FROM facts_channel_admin\n"
    "            WHERE unlikely(left_on <= :as_of)\n"
    "        ),\n"
    "        (owner_employment IS 'employee'\n"
    "            AND (owner_left_on IS NULL OR owner_left_on > :as_of))\n"
    "        + (backup_owner_employment IS 'employee' AND backup_owner_email IS NOT owner_email\n"
    "            AND (backup_owner_left_on IS NULL OR backup_owner_left_on > :as_of))\n"
    "        + (SELECT count(*) FROM facts_channel_admin a\n"
    "           WHERE a.platform = facts_channel.platform AND a.handle = facts_channel.handle\n"
    "             AND a.employment = 'employee'\n"
    "             AND a.email IS NOT facts_channel.owner_email\n"
    "             AND a.email IS NOT facts_channel.backup_owner_email\n"
    "             AND (a.left_on IS NULL OR a.left_on > :as_of)),\n"
    "        employee_access_count\n"
    "    ) AS n\n"
    "))"
)
_R701_CONDITION_FORMAT_1 = (
    "is_live\n"
    "AND EXISTS (SELECT 1 FROM json_each(goals) WHERE value = 'sales_roi')\n"
    "AND NOT EXISTS (\n"
    "    SELECT 1 FROM json_each(goals)\n"
    "    WHERE value IN ('relationship', 'customer_care', 'community')\n"
    ")"
)

SUPERSEDED_TEXTS: dict[str, dict[str, tuple[str, ...]]] = {
    "R101": {"condition": ("is_live AND owner_email IS NULL",)},
    "R106": {
        "condition": (_R106_CONDITION_FORMAT_2, _R106_CONDITION_0007),
        "message": (_R106_MESSAGE_FORMAT_2,),
    },
    "R107": {
        "condition": (_R107_CONDITION_FORMAT_2, _R107_CONDITION_0007, _R107_CONDITION_0009),
        "message": (_R107_MESSAGE_FORMAT_2, _R107_MESSAGE_0007, _R107_MESSAGE_0009),
    },
    "R701": {"condition": (_R701_CONDITION_FORMAT_1,)},
}
"""For each rule and field, the texts shipped before the present one, oldest first.

Migration `0007_access_facts_columns` replaced format /2's R106 condition and R107 texts,
which parsed `access_people` (a JSON array built per channel) for every channel: 1.1 s of
a 2 s `check` at 100,000 channels. Migration `0009_access_rules_cheaper` replaced 0007's
R106 and R107 texts (a correlated subquery per channel for the admins' leaving dates,
`access_people` built again for each message) and R701's condition (`json_each` over
every channel's goals). Migration `0010_owner_and_login_domain_cheaper` replaced R101's
condition (`owner_email` looked the owner up for every channel) and 0009's R107 texts
(the admins who have left compared by platform and handle, now by handle). Each
migration updates a row that still holds one of these texts to the present one
(`builtin_rules`); a text the user changed is kept."""
