"""Reading and writing inventory records by natural key, with history of every change."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from inventory.models import (
    Channel,
    ChannelConsultant,
    Consultant,
    Department,
    Organization,
    Person,
    Policy,
    Record,
)
from inventory.store import Store, StoreError


class ReferenceError_(StoreError):
    """A record refers to a natural key that does not exist."""


class InUseError(StoreError):
    """A record can't be deleted because other records refer to it."""


def now_utc() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


# --- reading -------------------------------------------------------------------------------

_CHANNEL_SELECT = """
SELECT c.id, c.platform, c.handle, c.name, c.url, c.status,
       o.email AS owner, b.email AS backup_owner, d.name AS reporting_department,
       c.credentials_holder, p.version AS policy, c.weekly_hours, c.last_post_on,
       c.goals, c.notes, c.revision
FROM channels c
LEFT JOIN people o ON o.id = c.owner_id
LEFT JOIN people b ON b.id = c.backup_owner_id
LEFT JOIN departments d ON d.id = c.reporting_department_id
LEFT JOIN policies p ON p.id = c.policy_id
"""


def _rows(conn: sqlite3.Connection, sql: str, params: Iterable[Any] = ()) -> list[dict]:
    cursor = conn.execute(sql, list(params))
    names = [column[0] for column in cursor.description]
    return [dict(zip(names, row, strict=True)) for row in cursor]


UNNAMED_ORGANIZATION = "Unnamed organization"


def read_organization(store: Store) -> Organization:
    row = store.conn.execute("SELECT name FROM organization WHERE id = 1").fetchone()
    return Organization(name=row[0] if row else UNNAMED_ORGANIZATION)


def list_departments(store: Store) -> list[Department]:
    rows = _rows(store.conn, "SELECT name, function, social_access FROM departments ORDER BY name")
    return [Department.model_construct(**row) for row in rows]


def list_people(store: Store) -> list[Person]:
    rows = _rows(
        store.conn,
        """SELECT p.email, p.name, d.name AS department, p.employment
           FROM people p LEFT JOIN departments d ON d.id = p.department_id
           ORDER BY lower(p.email), p.email""",
    )
    return [Person.model_construct(**row) for row in rows]


def _consultant(row: dict) -> Consultant:
    return Consultant.model_validate(
        {
            **row,
            "knowledge_transfer": bool(row["knowledge_transfer"]),
            "deliverables": json.loads(row["deliverables"]),
        }
    )


def list_consultants(store: Store) -> list[Consultant]:
    rows = _rows(
        store.conn,
        """SELECT name, kind, knowledge_transfer, deliverables, contract_end_on
           FROM consultants ORDER BY name""",
    )
    return [_consultant(row) for row in rows]


def list_policies(store: Store) -> list[Policy]:
    rows = _rows(
        store.conn,
        """SELECT version, title, status, legal_reviewed_on, next_review_on
           FROM policies ORDER BY version""",
    )
    return [Policy.model_validate(row) for row in rows]


def _channel_links(
    store: Store, where: str = "", params: Iterable[Any] = ()
) -> tuple[dict[int, list[str]], dict[int, list[ChannelConsultant]]]:
    departments: dict[int, list[str]] = {}
    for channel, name in store.conn.execute(
        f"""SELECT cd.channel_id, d.name FROM channel_departments cd
            JOIN departments d ON d.id = cd.department_id {where}
            ORDER BY cd.channel_id, cd.position""",
        list(params),
    ):
        departments.setdefault(channel, []).append(name)
    consultants: dict[int, list[ChannelConsultant]] = {}
    for channel, name, role in store.conn.execute(
        f"""SELECT cc.channel_id, k.name, cc.role FROM channel_consultants cc
            JOIN consultants k ON k.id = cc.consultant_id {where}
            ORDER BY cc.channel_id, cc.position""",
        list(params),
    ):
        consultants.setdefault(channel, []).append(
            ChannelConsultant.model_construct(consultant=name, role=role)
        )
    return departments, consultants


def _channel(row: dict, departments: list[str], consultants: list[ChannelConsultant]) -> Channel:
    fields = {k: v for k, v in row.items() if k not in ("id", "revision")}
    fields["goals"] = json.loads(fields["goals"])
    fields["linked_departments"] = departments
    fields["consultants"] = consultants
    return Channel.model_validate(fields)


def list_channels(store: Store) -> list[Channel]:
    rows = _rows(store.conn, _CHANNEL_SELECT + " ORDER BY c.platform, c.handle")
    departments, consultants = _channel_links(store)
    return [
        _channel(row, departments.get(row["id"], []), consultants.get(row["id"], []))
        for row in rows
    ]


@dataclass(frozen=True)
class Loaded:
    """A record as read, with the revision a later save must still find."""

    record: Record
    revision: int


def get_channel(store: Store, key: str) -> Loaded | None:
    platform, _, handle = key.partition("/")
    rows = _rows(
        store.conn, _CHANNEL_SELECT + " WHERE c.platform = ? AND c.handle = ?", [platform, handle]
    )
    if not rows:
        return None
    row = rows[0]
    departments, consultants = _channel_links(store, "WHERE channel_id = ?", [row["id"]])
    record = _channel(row, departments.get(row["id"], []), consultants.get(row["id"], []))
    return Loaded(record, row["revision"])


# --- writing -------------------------------------------------------------------------------
# Every writer takes many records so import (100,000 channels) and a form save (one) share
# the same SQL. References are resolved by sub-select; callers check them first with
# `reference_problems`, so a sub-select never silently yields NULL for a real key.

_UPSERT_DEPARTMENT = """
INSERT INTO departments (name, function, social_access) VALUES (:name, :function, :social_access)
ON CONFLICT (name) DO UPDATE SET function = excluded.function,
    social_access = excluded.social_access, revision = revision + 1
"""
_UPSERT_PERSON = """
INSERT INTO people (email, name, department_id, employment)
VALUES (:email, :name, (SELECT id FROM departments WHERE name = :department), :employment)
ON CONFLICT (email) DO UPDATE SET email = excluded.email, name = excluded.name,
    department_id = excluded.department_id, employment = excluded.employment,
    revision = revision + 1
"""
_UPSERT_CONSULTANT = """
INSERT INTO consultants (name, kind, knowledge_transfer, deliverables, contract_end_on)
VALUES (:name, :kind, :knowledge_transfer, :deliverables, :contract_end_on)
ON CONFLICT (name) DO UPDATE SET kind = excluded.kind,
    knowledge_transfer = excluded.knowledge_transfer, deliverables = excluded.deliverables,
    contract_end_on = excluded.contract_end_on, revision = revision + 1
"""
_UPSERT_POLICY = """
INSERT INTO policies (version, title, status, legal_reviewed_on, next_review_on)
VALUES (:version, :title, :status, :legal_reviewed_on, :next_review_on)
ON CONFLICT (version) DO UPDATE SET title = excluded.title, status = excluded.status,
    legal_reviewed_on = excluded.legal_reviewed_on, next_review_on = excluded.next_review_on,
    revision = revision + 1
"""
_UPSERT_CHANNEL = """
INSERT INTO channels (platform, handle, name, url, status, owner_id, backup_owner_id,
    reporting_department_id, credentials_holder, policy_id, weekly_hours, last_post_on,
    goals, notes)
VALUES (:platform, :handle, :name, :url, :status,
    (SELECT id FROM people WHERE email = :owner),
    (SELECT id FROM people WHERE email = :backup_owner),
    (SELECT id FROM departments WHERE name = :reporting_department),
    :credentials_holder, (SELECT id FROM policies WHERE version = :policy),
    :weekly_hours, :last_post_on, :goals, :notes)
ON CONFLICT (platform, handle) DO UPDATE SET name = excluded.name, url = excluded.url,
    status = excluded.status, owner_id = excluded.owner_id,
    backup_owner_id = excluded.backup_owner_id,
    reporting_department_id = excluded.reporting_department_id,
    credentials_holder = excluded.credentials_holder, policy_id = excluded.policy_id,
    weekly_hours = excluded.weekly_hours, last_post_on = excluded.last_post_on,
    goals = excluded.goals, notes = excluded.notes, revision = revision + 1
"""
_CHANNEL_ID = "(SELECT id FROM channels WHERE platform = :platform AND handle = :handle)"


def _params(record: Record) -> dict[str, Any]:
    values = record.model_dump(mode="json")
    for name, value in values.items():
        if isinstance(value, list):
            values[name] = json.dumps(value, ensure_ascii=False)
    return values


def write_organization(store: Store, organization: Organization) -> None:
    store.conn.execute(
        """INSERT INTO organization (id, name) VALUES (1, ?)
           ON CONFLICT (id) DO UPDATE SET name = excluded.name, revision = revision + 1""",
        [organization.name],
    )


def write_departments(store: Store, departments: Iterable[Department]) -> None:
    store.conn.executemany(_UPSERT_DEPARTMENT, [_params(d) for d in departments])


def write_people(store: Store, people: Iterable[Person]) -> None:
    store.conn.executemany(_UPSERT_PERSON, [_params(p) for p in people])


def write_consultants(store: Store, consultants: Iterable[Consultant]) -> None:
    store.conn.executemany(
        _UPSERT_CONSULTANT,
        [{**_params(c), "knowledge_transfer": int(c.knowledge_transfer)} for c in consultants],
    )


def write_policies(store: Store, policies: Iterable[Policy]) -> None:
    store.conn.executemany(_UPSERT_POLICY, [_params(p) for p in policies])


def write_channels(store: Store, channels: list[Channel]) -> None:
    conn = store.conn
    params = [_params(c) for c in channels]
    conn.executemany(_UPSERT_CHANNEL, params)
    keys = [{"platform": c.platform, "handle": c.handle} for c in channels]
    conn.executemany(f"DELETE FROM channel_departments WHERE channel_id = {_CHANNEL_ID}", keys)
    conn.executemany(f"DELETE FROM channel_consultants WHERE channel_id = {_CHANNEL_ID}", keys)
    conn.executemany(
        f"""INSERT INTO channel_departments (channel_id, department_id, position)
            VALUES ({_CHANNEL_ID}, (SELECT id FROM departments WHERE name = :name), :position)""",
        [
            {**key, "name": name, "position": position}
            for key, channel in zip(keys, channels, strict=True)
            for position, name in enumerate(channel.linked_departments)
        ],
    )
    conn.executemany(
        f"""INSERT INTO channel_consultants (channel_id, consultant_id, role, position)
            VALUES ({_CHANNEL_ID}, (SELECT id FROM consultants WHERE name = :name),
                    :role, :position)""",
        [
            {**key, "name": link.consultant, "role": link.role, "position": position}
            for key, channel in zip(keys, channels, strict=True)
            for position, link in enumerate(channel.consultants)
        ],
    )


def clear_inventory(store: Store) -> None:
    """Remove every inventory record (rules, waivers and history stay)."""
    for table in (
        "channel_consultants",
        "channel_departments",
        "channels",
        "people",
        "consultants",
        "policies",
        "departments",
        "organization",
    ):
        store.conn.execute(f"DELETE FROM {table}")


# --- references ----------------------------------------------------------------------------


@dataclass(frozen=True)
class KnownKeys:
    """Natural keys a set of records may refer to."""

    departments: set[str]
    people: set[str]  # lower-cased e-mails
    consultants: set[str]
    policies: set[str]

    @classmethod
    def of_store(cls, store: Store) -> KnownKeys:
        def column(sql: str) -> set[str]:
            return {row[0] for row in store.conn.execute(sql)}

        return cls(
            departments=column("SELECT name FROM departments"),
            people=column("SELECT lower(email) FROM people"),
            consultants=column("SELECT name FROM consultants"),
            policies=column("SELECT version FROM policies"),
        )

    def union(self, other: KnownKeys) -> KnownKeys:
        return KnownKeys(
            self.departments | other.departments,
            self.people | other.people,
            self.consultants | other.consultants,
            self.policies | other.policies,
        )


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a record: which record, which field, what value, why."""

    record: str
    field: str
    value: Any
    why: str

    def __str__(self) -> str:
        where = f"{self.record}, field '{self.field}'" if self.field else self.record
        value = "" if self.value is _NO_VALUE else f" = {_show(self.value)}"
        return f"{where}{value}: {self.why}"


_NO_VALUE = object()


def _show(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, default=str)


def record_label(kind: str, key: str) -> str:
    return f"{kind} {_show(key)}"


def reference_problems(
    known: KnownKeys,
    people: Iterable[Person] = (),
    channels: Iterable[Channel] = (),
) -> list[Problem]:
    """Every reference to a natural key that `known` doesn't hold."""
    problems: list[Problem] = []

    def check(label: str, field: str, value: str | None, keys: set[str], what: str) -> None:
        probe = value.lower() if value is not None and what == "person" else value
        if value is not None and probe not in keys:
            problems.append(Problem(label, field, value, f"no {what} with that key exists"))

    for person in people:
        label = record_label("person", person.email)
        check(label, "department", person.department, known.departments, "department")
    for channel in channels:
        label = record_label("channel", channel.key)
        check(label, "owner", channel.owner, known.people, "person")
        check(label, "backup_owner", channel.backup_owner, known.people, "person")
        check(
            label,
            "reporting_department",
            channel.reporting_department,
            known.departments,
            "department",
        )
        check(label, "policy", channel.policy, known.policies, "policy")
        for name in channel.linked_departments:
            check(label, "linked_departments", name, known.departments, "department")
        for link in channel.consultants:
            check(label, "consultants", link.consultant, known.consultants, "consultant")
    return problems


def duplicate_problems(kind: str, keys: Iterable[str]) -> list[Problem]:
    seen: set[str] = set()
    reported: set[str] = set()
    problems = []
    for key in keys:
        if key in seen and key not in reported:
            reported.add(key)
            problems.append(
                Problem(record_label(kind, key), "", _NO_VALUE, "appears more than once")
            )
        seen.add(key)
    return problems


# --- history -------------------------------------------------------------------------------

Snapshot = dict[tuple[str, str], dict[str, Any]]


def snapshot(store: Store) -> Snapshot:
    """Every record as plain values, keyed by (kind, canonical id)."""
    state: Snapshot = {("organization", "organization"): {"name": read_organization(store).name}}
    for kind, items, key in (
        ("department", list_departments(store), lambda r: r.name),
        ("person", list_people(store), lambda r: r.email.lower()),
        ("consultant", list_consultants(store), lambda r: r.name),
        ("policy", list_policies(store), lambda r: r.version),
        ("channel", list_channels(store), lambda r: r.key),
    ):
        for item in items:
            state[(kind, key(item))] = item.model_dump(mode="json")
    return state


def record_history(
    store: Store, before: Snapshot, after: Snapshot, undoes: int | None = None
) -> None:
    """Write one history row for each record that was inserted, updated or deleted."""
    at = now_utc()
    rows = []
    for kind_key in sorted(before.keys() | after.keys()):
        old, new = before.get(kind_key), after.get(kind_key)
        if old == new:
            continue
        action = "insert" if old is None else "delete" if new is None else "update"
        rows.append(
            (
                at,
                store.user,
                store.source,
                kind_key[0],
                kind_key[1],
                action,
                None if old is None else json.dumps(old, ensure_ascii=False),
                None if new is None else json.dumps(new, ensure_ascii=False),
                undoes,
            )
        )
    store.conn.executemany(
        """INSERT INTO history (at, user, source, kind, record_key, action, before, after, undoes)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)""",
        rows,
    )
