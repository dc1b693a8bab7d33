"""The database schema, created and evolved by sqlite-utils migrations.

`SCHEMA_VERSION` is mirrored in `PRAGMA user_version` so outside tools (and older
versions of inventory) can tell which schema a file has.
"""

from __future__ import annotations

import sqlite_utils
from sqlite_utils.migrations import Migrations

SCHEMA_VERSION = 1

migrations = Migrations("inventory")


def run_script(db: sqlite_utils.Database, script: str) -> None:
    """Run `;`-separated statements inside the migration's transaction.

    (`executescript` would COMMIT first and break the migration's atomicity.)
    """
    for statement in script.split(";\n"):
        if statement.strip():
            db.conn.execute(statement)


@migrations(name="0001_records")
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
