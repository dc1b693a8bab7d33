"""The database schema, created and evolved by sqlite-utils migrations.

`SCHEMA_VERSION` is mirrored in `PRAGMA user_version` so outside tools (and older
versions of inventory) can tell which schema a file has.
"""

from __future__ import annotations

import json
import sqlite3
from typing import TYPE_CHECKING

from inventory.builtin_rules import ACCESS_RULE_CODES, BUILTIN_RULES
from inventory.facts_views import (
    ACCESS_FACTS_VIEWS,
    FACTS_CHANNEL_ADMIN,
    facts_channel_0009,
    facts_channel_0010,
    facts_channel_with_access_columns,
)
from inventory.superseded_rules import SUPERSEDED_TEXTS

if TYPE_CHECKING:
    import sqlite_utils
    from sqlite_utils.migrations import Migrations


def run_script(db: sqlite_utils.Database, script: str) -> None:
    """Run `;`-separated statements inside the migration's transaction.

    (`executescript` would COMMIT first and break the migration's atomicity.)
    """
    for statement in script.split(";\n"):
        if statement.strip():
            db.conn.execute(statement)


def create_records(db: sqlite_utils.Database) -> None:
    run_script(
        db,
        """
        CREATE TABLE organization (
            id INTEGER PRIMARY KEY CHECK (id = 1),
            name TEXT NOT NULL,
            revision INTEGER NOT NULL DEFAULT 1
        );
        CREATE TABLE departments (
            id INTEGER PRIMARY KEY,
            name TEXT NOT NULL UNIQUE,
            function TEXT NOT NULL,
            social_access TEXT NOT NULL,
            revision INTEGER NOT NULL DEFAULT 1
        );
        CREATE TABLE people (
            id INTEGER PRIMARY KEY,
            email TEXT NOT NULL UNIQUE COLLATE NOCASE,
            name TEXT NOT NULL,
            department_id INTEGER REFERENCES departments(id),
            employment TEXT NOT NULL,
            revision INTEGER NOT NULL DEFAULT 1
        );
        CREATE TABLE consultants (
            id INTEGER PRIMARY KEY,
            name TEXT NOT NULL UNIQUE,
            kind TEXT NOT NULL,
            knowledge_transfer INTEGER NOT NULL,
            deliverables TEXT NOT NULL DEFAULT '[]',
            contract_end_on TEXT,
            revision INTEGER NOT NULL DEFAULT 1
        );
        CREATE TABLE policies (
            id INTEGER PRIMARY KEY,
            version TEXT NOT NULL UNIQUE,
            title TEXT NOT NULL,
            status TEXT NOT NULL,
            legal_reviewed_on TEXT,
            next_review_on TEXT,
            revision INTEGER NOT NULL DEFAULT 1
        );
        CREATE TABLE channels (
            id INTEGER PRIMARY KEY,
            platform TEXT NOT NULL,
            handle TEXT NOT NULL,
            name TEXT NOT NULL,
            url TEXT,
            status TEXT NOT NULL,
            owner_id INTEGER REFERENCES people(id),
            backup_owner_id INTEGER REFERENCES people(id),
            reporting_department_id INTEGER REFERENCES departments(id),
            credentials_holder TEXT NOT NULL,
            policy_id INTEGER REFERENCES policies(id),
            weekly_hours NUMERIC,
            last_post_on TEXT,
            goals TEXT NOT NULL DEFAULT '[]',
            notes TEXT NOT NULL DEFAULT '',
            revision INTEGER NOT NULL DEFAULT 1,
            UNIQUE (platform, handle)
        );
        CREATE INDEX channels_owner ON channels(owner_id);
        CREATE INDEX channels_backup_owner ON channels(backup_owner_id);
        CREATE INDEX channels_reporting_department ON channels(reporting_department_id);
        CREATE INDEX channels_policy ON channels(policy_id);
        CREATE INDEX people_department ON people(department_id);
        CREATE TABLE channel_departments (
            channel_id INTEGER NOT NULL REFERENCES channels(id) ON DELETE CASCADE,
            department_id INTEGER NOT NULL REFERENCES departments(id),
            position INTEGER NOT NULL,
            PRIMARY KEY (channel_id, department_id)
        ) WITHOUT ROWID;
        CREATE INDEX channel_departments_department ON channel_departments(department_id);
        CREATE TABLE channel_consultants (
            channel_id INTEGER NOT NULL REFERENCES channels(id) ON DELETE CASCADE,
            consultant_id INTEGER NOT NULL REFERENCES consultants(id),
            role TEXT NOT NULL,
            position INTEGER NOT NULL,
            PRIMARY KEY (channel_id, consultant_id)
        ) WITHOUT ROWID;
        CREATE INDEX channel_consultants_consultant ON channel_consultants(consultant_id);
        CREATE TABLE rules (
            code TEXT PRIMARY KEY,
            recommendation INTEGER NOT NULL CHECK (recommendation BETWEEN 1 AND 7),
            title TEXT NOT NULL,
            explanation TEXT NOT NULL DEFAULT '',
            severity TEXT NOT NULL CHECK (severity IN ('error', 'warning', 'info')),
            enabled INTEGER NOT NULL DEFAULT 1,
            subject_type TEXT NOT NULL CHECK (
                subject_type IN ('channel', 'department', 'consultant', 'policy', 'organization')
            ),
            parameters TEXT NOT NULL DEFAULT '{}',
            condition TEXT NOT NULL,
            message TEXT NOT NULL,
            builtin INTEGER NOT NULL DEFAULT 0,
            revision INTEGER NOT NULL DEFAULT 1
        );
        CREATE TABLE waivers (
            rule TEXT NOT NULL,
            subject_id TEXT NOT NULL,
            reason TEXT NOT NULL CHECK (length(trim(reason)) > 0),
            until TEXT,
            by TEXT NOT NULL,
            "on" TEXT NOT NULL,
            PRIMARY KEY (rule, subject_id)
        );
        CREATE TABLE history (
            id INTEGER PRIMARY KEY,
            change_id INTEGER NOT NULL,
            at TEXT NOT NULL,
            user TEXT NOT NULL,
            source TEXT NOT NULL,
            kind TEXT NOT NULL,
            record_key TEXT NOT NULL,
            action TEXT NOT NULL CHECK (action IN ('insert', 'update', 'delete')),
            before TEXT,
            after TEXT,
            undoes INTEGER
        );
        CREATE INDEX history_change ON history(change_id);
        CREATE INDEX history_undoes ON history(undoes)
        """,
    )


# The facts views: what rule conditions and messages read (docs/rules.md documents every
# column; that list is the contract for custom rules). Live = status is not 'retired',
# active = status 'active', engaged consultant = listed on at least one live channel.
# Views can't hold bound parameters, so date arithmetic against :as_of is in the rules.
def create_facts_views(db: sqlite_utils.Database) -> None:
    run_script(
        db,
        """
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
            o.email AS owner_email,
            o.name AS owner_name,
            o.employment AS owner_employment,
            b.email AS backup_owner_email,
            b.employment AS backup_owner_employment,
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
            c.notes AS notes
        FROM channels c
        LEFT JOIN people o ON o.id = c.owner_id
        LEFT JOIN people b ON b.id = c.backup_owner_id
        LEFT JOIN departments d ON d.id = c.reporting_department_id
        LEFT JOIN policies p ON p.id = c.policy_id;

        CREATE VIEW facts_department AS
        SELECT
            d.name AS subject_id,
            d.name AS subject_name,
            d.name AS name,
            d.function AS function,
            d.social_access AS social_access,
            (SELECT count(*) FROM people p WHERE p.department_id = d.id) AS people_count,
            (SELECT count(*) FROM channels c
             WHERE c.reporting_department_id = d.id AND c.status <> 'retired'
            ) AS live_reporting_channel_count,
            (SELECT count(*) FROM channel_departments cd
             JOIN channels c ON c.id = cd.channel_id
             WHERE cd.department_id = d.id AND c.status <> 'retired'
            ) AS live_linked_channel_count
        FROM departments d;

        CREATE VIEW facts_consultant AS
        SELECT
            k.name AS subject_id,
            k.name AS subject_name,
            k.name AS name,
            k.kind AS kind,
            k.knowledge_transfer AS knowledge_transfer,
            k.deliverables AS deliverables,
            json_array_length(k.deliverables) AS deliverable_count,
            k.contract_end_on AS contract_end_on,
            (SELECT count(*) FROM channel_consultants cc
             JOIN channels c ON c.id = cc.channel_id
             WHERE cc.consultant_id = k.id AND c.status <> 'retired'
            ) AS live_channel_count,
            EXISTS (SELECT 1 FROM channel_consultants cc
                    JOIN channels c ON c.id = cc.channel_id
                    WHERE cc.consultant_id = k.id AND c.status <> 'retired'
            ) AS is_engaged,
            (SELECT json_group_array(role) FROM (
                SELECT DISTINCT cc.role FROM channel_consultants cc
                JOIN channels c ON c.id = cc.channel_id
                WHERE cc.consultant_id = k.id AND c.status <> 'retired'
                ORDER BY cc.role
            )) AS live_roles
        FROM consultants k;

        CREATE VIEW facts_policy AS
        SELECT
            p.version AS subject_id,
            p.version AS subject_name,
            p.version AS version,
            p.title AS title,
            p.status AS status,
            p.legal_reviewed_on AS legal_reviewed_on,
            p.next_review_on AS next_review_on,
            (SELECT count(*) FROM channels c
             WHERE c.policy_id = p.id AND c.status <> 'retired'
            ) AS live_channel_count
        FROM policies p;

        CREATE VIEW facts_organization AS
        SELECT
            o.name AS subject_id,
            o.name AS subject_name,
            o.name AS name,
            (SELECT count(*) FROM policies) AS policy_count,
            (SELECT count(*) FROM policies WHERE status = 'approved') AS approved_policy_count,
            (SELECT count(*) FROM channels) AS channel_count,
            (SELECT count(*) FROM channels WHERE status <> 'retired') AS live_channel_count
        FROM organization o
        """,
    )


def create_access_facts_views(db: sqlite_utils.Database) -> None:
    """The facts views of format /2 (migration 0005 drops the older channel and
    organization views first): who can get in, the login mailbox, two-factor, reviews,
    and lookalike accounts."""
    run_script(db, ACCESS_FACTS_VIEWS)


def _insert_builtin_rules(db: sqlite_utils.Database, codes: set[str]) -> None:
    db.conn.executemany(
        """INSERT INTO rules (code, recommendation, title, explanation, severity, enabled,
               subject_type, parameters, condition, message, builtin)
           VALUES (:code, :recommendation, :title, :explanation, :severity, 1,
               :subject_type, :parameters, :condition, :message, 1)""",
        [
            {**rule, "parameters": json.dumps(rule["parameters"])}
            for rule in BUILTIN_RULES
            if rule["code"] in codes
        ],
    )


def seed_builtin_rules(db: sqlite_utils.Database) -> None:
    """The 16 rules of format /1 (the later ones come with their own migrations)."""
    _insert_builtin_rules(db, {rule["code"] for rule in BUILTIN_RULES} - set(ACCESS_RULE_CODES))


def add_access(db: sqlite_utils.Database) -> None:
    """Format /2: who can get in (left_on, admins, login mailbox, two-factor, reviews),
    lookalike accounts, their facts, and the rules R105-R112, enabled."""
    run_script(
        db,
        """
        ALTER TABLE organization ADD COLUMN email_domains TEXT NOT NULL DEFAULT '[]';
        ALTER TABLE people ADD COLUMN left_on TEXT;
        ALTER TABLE channels ADD COLUMN login_email TEXT;
        ALTER TABLE channels ADD COLUMN two_factor TEXT NOT NULL DEFAULT 'unknown';
        ALTER TABLE channels ADD COLUMN reviewed_on TEXT;
        CREATE TABLE channel_admins (
            channel_id INTEGER NOT NULL REFERENCES channels(id) ON DELETE CASCADE,
            person_id INTEGER NOT NULL REFERENCES people(id),
            position INTEGER NOT NULL,
            PRIMARY KEY (channel_id, person_id)
        ) WITHOUT ROWID;
        CREATE INDEX channel_admins_person ON channel_admins(person_id);
        CREATE TABLE lookalikes (
            id INTEGER PRIMARY KEY,
            platform TEXT NOT NULL,
            handle TEXT NOT NULL,
            url TEXT,
            found_on TEXT NOT NULL,
            takedown TEXT NOT NULL,
            notes TEXT NOT NULL DEFAULT '',
            revision INTEGER NOT NULL DEFAULT 1,
            UNIQUE (platform, handle)
        );
        CREATE TABLE rules_with_lookalikes (
            code TEXT PRIMARY KEY,
            recommendation INTEGER NOT NULL CHECK (recommendation BETWEEN 1 AND 7),
            title TEXT NOT NULL,
            explanation TEXT NOT NULL DEFAULT '',
            severity TEXT NOT NULL CHECK (severity IN ('error', 'warning', 'info')),
            enabled INTEGER NOT NULL DEFAULT 1,
            subject_type TEXT NOT NULL CHECK (
                subject_type IN (
                    'channel', 'department', 'consultant', 'policy', 'lookalike', 'organization'
                )
            ),
            parameters TEXT NOT NULL DEFAULT '{}',
            condition TEXT NOT NULL,
            message TEXT NOT NULL,
            builtin INTEGER NOT NULL DEFAULT 0,
            revision INTEGER NOT NULL DEFAULT 1
        );
        INSERT INTO rules_with_lookalikes SELECT code, recommendation, title, explanation,
            severity, enabled, subject_type, parameters, condition, message, builtin, revision
            FROM rules;
        DROP TABLE rules;
        ALTER TABLE rules_with_lookalikes RENAME TO rules
        """,
    )
    _make_room_for_builtin_codes(db, ACCESS_RULE_CODES)
    _insert_builtin_rules(db, set(ACCESS_RULE_CODES))
    run_script(
        db,
        "DROP VIEW facts_channel;\nDROP VIEW facts_organization",
    )
    create_access_facts_views(db)


def _make_room_for_builtin_codes(db: sqlite_utils.Database, codes: tuple[str, ...]) -> None:
    """A custom rule that already uses a new built-in code is renamed `<code>-CUSTOM`
    (its waivers follow it), so the built-in rule can take the code and nothing is lost."""
    marks = ",".join("?" * len(codes))
    taken = [
        code
        for (code,) in db.conn.execute(f"SELECT code FROM rules WHERE code IN ({marks})", codes)
    ]
    for code in taken:
        renamed = f"{code}-CUSTOM"
        db.conn.execute("UPDATE rules SET code = ? WHERE code = ?", [renamed, code])
        db.conn.execute("UPDATE waivers SET rule = ? WHERE rule = ?", [renamed, code])


def create_actions(db: sqlite_utils.Database) -> None:
    """User actions: what one undo or redo reverses (history rows point here by change_id).

    Existing change groups become actions with a label made from their rows.
    """
    run_script(
        db,
        """
        CREATE TABLE actions (
            id INTEGER PRIMARY KEY,
            at TEXT NOT NULL,
            user TEXT NOT NULL,
            source TEXT NOT NULL,
            label TEXT NOT NULL,
            kind TEXT NOT NULL DEFAULT 'do' CHECK (kind IN ('do', 'undo', 'redo')),
            reverses INTEGER REFERENCES actions(id),
            reversed_by INTEGER REFERENCES actions(id)
        );
        CREATE INDEX actions_kind ON actions(kind, reversed_by)
        """,
    )
    backfill_actions(db.conn)


def organization_always_checked(db: sqlite_utils.Database) -> None:
    """An inventory with no organization row yet (a new, empty one) is still checked as one
    organization: `facts_organization` always has one row, named like the UI names it, so
    the organization rules (R501: no approved policy) fire on an empty inventory too."""
    (sql,) = db.conn.execute(
        "SELECT sql FROM sqlite_master WHERE type = 'view' AND name = 'facts_organization'"
    ).fetchone()
    unnamed = "'Unnamed organization'"
    rewritten = (
        sql.replace("o.name AS", f"coalesce(o.name, {unnamed}) AS")
        .replace("o.email_domains AS", "coalesce(o.email_domains, '[]') AS")
        .replace(
            "json_array_length(o.email_domains)",
            "json_array_length(coalesce(o.email_domains, '[]'))",
        )
        .replace("FROM organization o", "FROM (SELECT 1) LEFT JOIN organization o ON o.id = 1")
    )
    db.conn.execute("DROP VIEW facts_organization")
    db.conn.execute(rewritten)


def add_access_facts_columns(db: sqlite_utils.Database) -> None:
    """Two columns of `facts_channel` that let R106 and R107 decide without parsing
    `access_people` per channel (`admin_earliest_left_on`, `employee_access_count`), and
    `login_domain_is_own` computed against the organization's domains read once; then
    R106 and R107 take their new texts where the user didn't change them. Same flags,
    checked against the old texts (tests/test_access_facts.py)."""
    db.conn.execute("DROP VIEW facts_channel")
    db.conn.execute(facts_channel_with_access_columns())
    _supersede_builtin_texts(db)


def _supersede_builtin_texts(db: sqlite_utils.Database) -> None:
    """A built-in rule whose condition or message is still a text shipped before
    (`SUPERSEDED_TEXTS`) gets the present one; a text the user changed is kept."""
    current = {rule["code"]: rule for rule in BUILTIN_RULES}
    for code, superseded in SUPERSEDED_TEXTS.items():
        for field, texts in superseded.items():
            marks = ",".join("?" * len(texts))
            db.conn.execute(
                f"UPDATE rules SET {field} = ? "
                f"WHERE code = ? AND builtin = 1 AND {field} IN ({marks})",
                [current[code][field], code, *texts],
            )


def index_people_left_on(db: sqlite_utils.Database) -> None:
    """Migration: R105 and R112 start from who leaves, not every channel (docs/rules.md)."""
    db.conn.execute("CREATE INDEX IF NOT EXISTS people_left_on ON people(left_on)")


def cheaper_access_rules(db: sqlite_utils.Database) -> None:
    """Migration: the view `facts_channel_admin`, from which R106 and R107 find the
    admins who have left without a subquery per channel, `login_domain` computed for less
    (R108), and R106, R107 and R701 with their cheaper texts where the user didn't change
    them. Same flags (tests/test_access_facts.py compares them with the older texts)."""
    db.conn.execute("DROP VIEW facts_channel")
    db.conn.execute(facts_channel_0009())
    db.conn.execute(FACTS_CHANNEL_ADMIN)
    _supersede_builtin_texts(db)


def owner_and_login_domain_cheaper(db: sqlite_utils.Database) -> None:
    """Migration: `facts_channel` gets `has_owner` (R101 then reads no owner) and cheaper
    `login_domain` and `login_domain_is_own`; R101 and R107 take their new texts where the
    user didn't change them."""
    db.conn.execute("DROP VIEW facts_channel")
    db.conn.execute(facts_channel_0010())
    _supersede_builtin_texts(db)


def describe_change(kind: str, key: str, change: str) -> str:
    """One record's change as a noun phrase: "the edit of channel instagram/@acme"."""
    if kind == "waiver":
        rule, _, subject = key.partition(":")
        waiver = f"the waiver of {rule} on {subject}"
        return {"insert": waiver, "update": f"the change to {waiver[4:]}"}.get(
            change, f"the removal of {waiver[4:]}"
        )
    verb = {"insert": "the new", "update": "the edit of", "delete": "the deletion of"}[change]
    if kind == "rule" and change == "update":
        verb = "the change to"
    return f"{verb} {kind} {key}"


def backfill_actions(conn: sqlite3.Connection) -> None:
    """Migration: one action per change group of an older database."""
    groups = conn.execute(
        """SELECT change_id, min(id), count(*), max(undoes) FROM history
           GROUP BY change_id ORDER BY change_id"""
    ).fetchall()
    for change_id, first_id, size, undoes in groups:
        at, user, source, kind, key, change = conn.execute(
            "SELECT at, user, source, kind, record_key, action FROM history WHERE id = ?",
            [first_id],
        ).fetchone()
        label = describe_change(kind, key, change) if size == 1 else f"{size} changes"
        conn.execute(
            """INSERT INTO actions (id, at, user, source, label, kind, reverses)
               VALUES (?, ?, ?, ?, ?, ?, ?)""",
            [change_id, at, user, source, label, "do" if undoes is None else "undo", undoes],
        )
    conn.execute(
        """UPDATE actions SET reversed_by =
               (SELECT max(u.id) FROM actions u WHERE u.reverses = actions.id)"""
    )
    conn.execute(
        """UPDATE actions SET label = coalesce(
               (SELECT t.label FROM actions t WHERE t.id = actions.reverses), label)
           WHERE kind = 'undo'"""
    )


MIGRATIONS = [
    ("0001_records", create_records),
    ("0002_facts_views", create_facts_views),
    ("0003_builtin_rules", seed_builtin_rules),
    ("0004_actions", create_actions),
    ("0005_format_2_access", add_access),
    ("0006_organization_always_checked", organization_always_checked),
    ("0007_access_facts_columns", add_access_facts_columns),
    ("0008_people_left_on_index", index_people_left_on),
    ("0009_access_rules_cheaper", cheaper_access_rules),
    ("0010_owner_and_login_domain_cheaper", owner_and_login_domain_cheaper),
]
"""In order; `SCHEMA_VERSION` is their count, and `PRAGMA user_version` mirrors it."""

SCHEMA_VERSION = len(MIGRATIONS)
"""Counted, not written: a migration added to the list upgrades every existing database."""


def migration_set() -> Migrations:
    """The sqlite-utils migration set, built on demand: importing sqlite-utils costs about
    0.15 s, which opening an up-to-date database (the UI's start) does without."""
    from sqlite_utils.migrations import Migrations

    migrations = Migrations("inventory")
    for name, function in MIGRATIONS:
        migrations(name=name)(function)
    return migrations
