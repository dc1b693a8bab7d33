"""The texts of the facts views that later migrations (0005, 0007, 0009) create: what
rule conditions and messages read (docs/rules.md documents every column; that list is
the contract for custom rules). Migration 0002's first views are in `schema`."""

from __future__ import annotations

ACCESS_FACTS_VIEWS = """
        CREATE VIEW facts_channel AS
        SELECT
            c.platform || '/' || c.handle AS subject_id,
            c.name AS subject_name,
            c.platform AS platform,
            c.handle AS handle,
            c.name AS name,
            c.url AS url,
            c.status AS status,
            c.status <> 'retired' AS is_live,
            c.status = 'active' AS is_active,
            c.status IN ('active', 'dormant') AS is_open,
            o.email AS owner_email,
            o.name AS owner_name,
            o.employment AS owner_employment,
            o.left_on AS owner_left_on,
            b.email AS backup_owner_email,
            b.name AS backup_owner_name,
            b.employment AS backup_owner_employment,
            b.left_on AS backup_owner_left_on,
            (SELECT json_group_array(email) FROM (
                SELECT a.email FROM channel_admins ca JOIN people a ON a.id = ca.person_id
                WHERE ca.channel_id = c.id ORDER BY ca.position
            )) AS admins,
            (SELECT count(*) FROM channel_admins ca WHERE ca.channel_id = c.id) AS admin_count,
            (SELECT json_group_array(json_object(
                'email', email, 'name', name, 'role', role,
                'employment', employment, 'left_on', left_on
            )) FROM (
                SELECT o.email, o.name, 'owner' AS role, o.employment, o.left_on, -2 AS position
                WHERE o.id IS NOT NULL
                UNION ALL
                SELECT b.email, b.name, 'backup_owner', b.employment, b.left_on, -1
                WHERE b.id IS NOT NULL
                UNION ALL
                SELECT a.email, a.name, 'admin', a.employment, a.left_on, ca.position
                FROM channel_admins ca JOIN people a ON a.id = ca.person_id
                WHERE ca.channel_id = c.id
                ORDER BY position
            )) AS access_people,
            d.name AS reporting_department,
            d.function AS reporting_department_function,
            (SELECT json_group_array(name) FROM (
                SELECT ld.name FROM channel_departments cd
                JOIN departments ld ON ld.id = cd.department_id
                WHERE cd.channel_id = c.id ORDER BY cd.position
            )) AS linked_departments,
            (SELECT count(*) FROM channel_departments cd
             WHERE cd.channel_id = c.id) AS linked_department_count,
            (SELECT count(*) FROM channel_departments cd
             WHERE cd.channel_id = c.id
               AND cd.department_id IS NOT c.reporting_department_id
            ) AS other_linked_department_count,
            (SELECT json_group_array(json_object('consultant', name, 'role', role)) FROM (
                SELECT k.name, cc.role FROM channel_consultants cc
                JOIN consultants k ON k.id = cc.consultant_id
                WHERE cc.channel_id = c.id ORDER BY cc.position
            )) AS consultants,
            (SELECT count(*) FROM channel_consultants cc
             WHERE cc.channel_id = c.id) AS consultant_count,
            (SELECT group_concat(name, ', ') FROM (
                SELECT k.name FROM channel_consultants cc
                JOIN consultants k ON k.id = cc.consultant_id
                WHERE cc.channel_id = c.id AND cc.role = 'full_management'
                ORDER BY k.name
            )) AS full_management_consultants,
            (SELECT count(*) FROM channel_consultants cc
             WHERE cc.channel_id = c.id AND cc.role = 'full_management'
            ) AS full_management_count,
            c.credentials_holder AS credentials_holder,
            p.version AS policy,
            p.status AS policy_status,
            c.weekly_hours AS weekly_hours,
            c.last_post_on AS last_post_on,
            c.goals AS goals,
            c.notes AS notes,
            c.login_email AS login_email,
            lower(replace(c.login_email, rtrim(c.login_email, replace(c.login_email, '@', '')), ''))
                AS login_domain,
            EXISTS (SELECT 1 FROM organization org, json_each(org.email_domains) dom
                    WHERE dom.value = lower(replace(c.login_email,
                        rtrim(c.login_email, replace(c.login_email, '@', '')), ''))
            ) AS login_domain_is_own,
            (SELECT org.email_domains FROM organization org) AS organization_email_domains,
            (SELECT coalesce(json_array_length(org.email_domains), 0) FROM organization org)
                AS organization_email_domain_count,
            c.two_factor AS two_factor,
            c.reviewed_on AS reviewed_on
        FROM channels c
        LEFT JOIN people o ON o.id = c.owner_id
        LEFT JOIN people b ON b.id = c.backup_owner_id
        LEFT JOIN departments d ON d.id = c.reporting_department_id
        LEFT JOIN policies p ON p.id = c.policy_id;

        CREATE VIEW facts_organization AS
        SELECT
            o.name AS subject_id,
            o.name AS subject_name,
            o.name AS name,
            o.email_domains AS email_domains,
            json_array_length(o.email_domains) AS email_domain_count,
            (SELECT count(*) FROM policies) AS policy_count,
            (SELECT count(*) FROM policies WHERE status = 'approved') AS approved_policy_count,
            (SELECT count(*) FROM channels) AS channel_count,
            (SELECT count(*) FROM channels WHERE status <> 'retired') AS live_channel_count,
            (SELECT count(*) FROM lookalikes) AS lookalike_count,
            (SELECT count(*) FROM lookalikes WHERE takedown = 'open') AS open_lookalike_count
        FROM organization o;

        CREATE VIEW facts_lookalike AS
        SELECT
            l.platform || '/' || l.handle AS subject_id,
            l.handle AS subject_name,
            l.platform AS platform,
            l.handle AS handle,
            l.url AS url,
            l.found_on AS found_on,
            l.takedown AS takedown,
            l.notes AS notes
        FROM lookalikes l
        """
"""The facts views of format /2, as migration 0005 creates them (0007 recreates
`facts_channel` from this text with more columns)."""


LOGIN_DOMAIN = (
    "lower(replace(c.login_email,\n{indent}"
    "rtrim(c.login_email, replace(c.login_email, '@', '')), ''))"
)

ACCESS_FACTS_EDITS = (
    (
        # once per channel: the organization's domains were parsed again for each channel
        "EXISTS (SELECT 1 FROM organization org, json_each(org.email_domains) dom\n"
        "                    WHERE dom.value = "
        + LOGIN_DOMAIN.format(indent=" " * 24)
        + "\n            ) AS login_domain_is_own",
        "coalesce("
        + LOGIN_DOMAIN.format(indent=" " * 16)
        + "\n                IN (SELECT dom.value FROM organization org, "
        "json_each(org.email_domains) dom), 0\n            ) AS login_domain_is_own",
    ),
    (
        "\n        FROM channels c\n",
        """,
            (SELECT min(a.left_on) FROM channel_admins ca JOIN people a ON a.id = ca.person_id
             WHERE ca.channel_id = c.id) AS admin_earliest_left_on,
            (o.employment IS 'employee')
            + (b.employment IS 'employee' AND b.id IS NOT o.id)
            + (SELECT count(*) FROM channel_admins ca JOIN people a ON a.id = ca.person_id
               WHERE ca.channel_id = c.id AND a.employment = 'employee'
                 AND a.id IS NOT c.owner_id AND a.id IS NOT c.backup_owner_id
            ) AS employee_access_count
        FROM channels c
""",
    ),
)
"""(text of format /2's `facts_channel`, its replacement) for `add_access_facts_columns`."""


def facts_channel_with_access_columns() -> str:
    """`facts_channel` as migration 0007 creates it: format /2's, edited."""
    return _edited(ACCESS_FACTS_VIEWS.split(";\n")[0], ACCESS_FACTS_EDITS)


LOGIN_DOMAIN_0009 = (
    "lower(iif(\n{indent}    instr(c.login_email, '@') > 0\n{indent}    "
    "AND instr(substr(c.login_email, instr(c.login_email, '@') + 1), '@') = 0,\n{indent}    "
    "substr(c.login_email, instr(c.login_email, '@') + 1),\n{indent}    "
    "replace(c.login_email, rtrim(c.login_email, replace(c.login_email, '@', '')), '')\n"
    "{indent}))"
)
"""The part after the last `@`, lower-cased: with one `@` (every address the inventory
accepts) found by `instr`/`substr`, else by the `rtrim` form (about 20 ms less at 100,000
channels, same text)."""

FACTS_CHANNEL_0009_EDITS = (
    (
        "lower(replace(c.login_email, rtrim(c.login_email, replace(c.login_email, '@', '')), ''))"
        "\n                AS login_domain,",
        LOGIN_DOMAIN_0009.format(indent=" " * 12) + " AS login_domain,",
    ),
    (
        "coalesce(" + LOGIN_DOMAIN.format(indent=" " * 16) + "\n                IN",
        "coalesce(" + LOGIN_DOMAIN_0009.format(indent=" " * 16) + "\n                IN",
    ),
)
"""(text of 0007's `facts_channel`, its replacement) for `cheaper_access_rules`."""

FACTS_CHANNEL_ADMIN = """
        CREATE VIEW facts_channel_admin AS
        SELECT
            c.platform || '/' || c.handle AS subject_id,
            c.platform AS platform,
            c.handle AS handle,
            ca.position AS position,
            a.email AS email,
            a.name AS name,
            a.employment AS employment,
            a.left_on AS left_on
        FROM channel_admins ca
        JOIN channels c ON c.id = ca.channel_id
        JOIN people a ON a.id = ca.person_id
        """
"""One row per admin of a channel (migration 0009): rules read it in subqueries, either
for one channel (`platform`, `handle` equal to the channel's: found by the key indexes)
or for everyone who has left (`unlikely(left_on <= :as_of)`: SQLite then starts from the
leaving-date index, not from every admin)."""


def facts_channel_0009() -> str:
    """`facts_channel` as migration 0009 creates it: 0007's, `login_domain` cheaper."""
    return _edited(facts_channel_with_access_columns(), FACTS_CHANNEL_0009_EDITS)


LOGIN_DOMAIN_0010 = (
    "lower(iif(c.login_email NOT LIKE '%@%@%',\n{indent}    "
    "substr(c.login_email, instr(c.login_email, '@') + 1),\n{indent}    "
    "replace(c.login_email, rtrim(c.login_email, replace(c.login_email, '@', '')), '')\n"
    "{indent}))"
)
"""0009's `login_domain` with one test for "at most one `@`" instead of two `instr`: with
none, `substr` from 1 is the whole address, as the `rtrim` form gives (R108 -13 ms)."""

FACTS_CHANNEL_0010_EDITS = (
    (
        LOGIN_DOMAIN_0009.format(indent=" " * 12) + " AS login_domain,",
        LOGIN_DOMAIN_0010.format(indent=" " * 12) + " AS login_domain,",
    ),
    (
        "coalesce("
        + LOGIN_DOMAIN_0009.format(indent=" " * 16)
        + "\n                IN (SELECT dom.value FROM organization org, "
        "json_each(org.email_domains) dom), 0",
        "coalesce("
        + LOGIN_DOMAIN_0010.format(indent=" " * 16)[len("lower(") : -1]
        + " COLLATE NOCASE\n                IN (SELECT dom.value FROM organization org, "
        "json_each(org.email_domains) dom\n                    "
        "WHERE dom.value = lower(dom.value)), 0",
    ),
    (
        "\n        FROM channels c\n",
        ",\n            c.owner_id IS NOT NULL AS has_owner\n        FROM channels c\n",
    ),
)
"""(text of 0009's `facts_channel`, its replacement) for `owner_and_login_domain_cheaper`:
`login_domain_is_own` compares the domain with NOCASE instead of lower-casing it for every
channel (lower(d) = v exactly when d = v under NOCASE and v has no upper-case letter: both
fold ASCII only; R108 -12 ms), and `has_owner` tells R101 whether there is an owner without
looking the owner up."""


def facts_channel_0010() -> str:
    """`facts_channel` as migration 0010 creates it: 0009's, with `has_owner`."""
    return _edited(facts_channel_0009(), FACTS_CHANNEL_0010_EDITS)


def _edited(statement: str, edits: tuple[tuple[str, str], ...]) -> str:
    """`statement` with each (text, replacement) of `edits` applied; each text must be in
    it exactly once (a view's text that changed would otherwise be edited silently)."""
    for before, after in edits:
        assert statement.count(before) == 1, before
        statement = statement.replace(before, after)
    return statement
