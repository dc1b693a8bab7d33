"""Texts the built-in rules had before a migration replaced them: the migration updates a
row that still holds one, and keeps a text the user changed."""

from __future__ import annotations

SUPERSEDED_TEXTS: dict[str, dict[str, str]] = {
    "R106": {
        "condition": (
            "is_live AND EXISTS (\n"
            "    SELECT 1 FROM json_each(access_people)\n"
            "    WHERE value ->> 'role' <> 'owner' AND value ->> 'left_on' <= :as_of\n"
            ")"
        ),
    },
    "R107": {
        "condition": (
            "is_live AND (\n"
            "    SELECT count(DISTINCT lower(value ->> 'email')) FROM json_each(access_people)\n"
            "    WHERE value ->> 'employment' = 'employee'\n"
            "      AND (value ->> 'left_on' IS NULL OR value ->> 'left_on' > :as_of)\n"
            ") < :min_in_house_people"
        ),
        "message": (
            "(SELECT iif(n = 0, 'No in-house person',\n"
            "        'Only ' || n || ' in-house ' || iif(n = 1, 'person', 'people'))\n"
            "    || ' can get in (at least ' || :min_in_house_people || ' wanted)'\n"
            "FROM (\n"
            "    SELECT count(DISTINCT lower(value ->> 'email')) AS n\n"
            "    FROM json_each(access_people)\n"
            "    WHERE value ->> 'employment' = 'employee'\n"
            "      AND (value ->> 'left_on' IS NULL OR value ->> 'left_on' > :as_of)\n"
            "))"
        ),
    },
}
"""The texts of format /2's R106 and R107 that migration `0007_access_facts_columns`
replaces (they parsed `access_people`, a JSON array built per channel, for every channel:
1.1 s of a 2 s `check` at 100,000 channels). A row that still holds one is updated; a
text the user changed is kept."""
