"""Reading and writing inventory records by natural key, with history of every change."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any, cast

from inventory.history import (
    ROW_TABLES,
    Change,
    UndoError,
    log_changes,
    read_row,
    restore_row,
    row_key,
)
from inventory.models import (
    Channel,
    Consultant,
    Department,
    Organization,
    Person,
    Policy,
    Record,
    channel_id,
    clean_text,
    key_form,
)
from inventory.store import ConflictError, Store, StoreError, organization_name


class RecordError(StoreError):
    """A record that can't be saved as it is; `problems` names each reason."""

    def __init__(self, problems: list[Problem]):
        self.problems = problems
        super().__init__("; ".join(str(p) for p in problems))


class InUseError(StoreError):
    """A record can't be deleted because other records refer to it."""


@dataclass(frozen=True)
class Loaded:
    """A record as read, with the revision a later save must still find."""

    record: Record
    revision: int


# --- reading -------------------------------------------------------------------------------


def _rows(conn: sqlite3.Connection, sql: str, params: Iterable[Any] = ()) -> list[dict]:
    cursor = conn.execute(sql, list(params))
    names = [column[0] for column in cursor.description]
    return [dict(zip(names, row, strict=True)) for row in cursor]


def read_organization(store: Store) -> Organization:
    return Organization(name=organization_name(store.conn))


_SELECTS = {
    "department": (
        "SELECT name, function, social_access, revision FROM departments",
        "name = ?",
        "name",
    ),
    "person": (
        """SELECT p.email, p.name, d.name AS department, p.employment, p.revision
           FROM people p LEFT JOIN departments d ON d.id = p.department_id""",
        "p.email = ? COLLATE NOCASE",
        "lower(p.email), p.email",
    ),
    "consultant": (
        """SELECT name, kind, knowledge_transfer, deliverables, contract_end_on, revision
           FROM consultants""",
        "name = ?",
        "name",
    ),
    "policy": (
        """SELECT version, title, status, legal_reviewed_on, next_review_on, revision
           FROM policies""",
        "version = ?",
        "version",
    ),
    "channel": (
        """SELECT c.id, c.platform, c.handle, c.name, c.url, c.status,
               o.email AS owner, b.email AS backup_owner, d.name AS reporting_department,
               c.credentials_holder, p.version AS policy, c.weekly_hours, c.last_post_on,
               c.goals, c.notes, c.revision
           FROM channels c
           LEFT JOIN people o ON o.id = c.owner_id
           LEFT JOIN people b ON b.id = c.backup_owner_id
           LEFT JOIN departments d ON d.id = c.reporting_department_id
           LEFT JOIN policies p ON p.id = c.policy_id""",
        "c.platform = ? AND c.handle = ?",
        "c.platform, c.handle",
    ),
}


def _channel_links(
    store: Store, channel_ids: list[int] | None
) -> tuple[dict[int, list[str]], dict[int, list[dict[str, str]]]]:
    where, params = "", []
    if channel_ids is not None:
        where = f"WHERE channel_id IN ({','.join('?' * len(channel_ids))})"
        params = channel_ids
    departments: dict[int, list[str]] = {}
    for channel, name in store.conn.execute(
        f"""SELECT cd.channel_id, d.name FROM channel_departments cd
            JOIN departments d ON d.id = cd.department_id {where}
            ORDER BY cd.channel_id, cd.position""",
        params,
    ):
        departments.setdefault(channel, []).append(name)
    consultants: dict[int, list[dict[str, str]]] = {}
    for channel, name, role in store.conn.execute(
        f"""SELECT cc.channel_id, k.name, cc.role FROM channel_consultants cc
            JOIN consultants k ON k.id = cc.consultant_id {where}
            ORDER BY cc.channel_id, cc.position""",
        params,
    ):
        consultants.setdefault(channel, []).append({"consultant": name, "role": role})
    return departments, consultants


def _plain_rows(store: Store, kind: str, key: str | None = None) -> list[tuple[dict, int]]:
    """Records as the plain values a document holds (field order of the model), with
    their revisions; no model is built, so reading 100,000 channels stays cheap."""
    select, where, order = _SELECTS[kind]
    if key is None:
        rows = _rows(store.conn, f"{select} ORDER BY {order}")
    else:
        stored = stored_key(store, kind, key)
        if stored is None:
            return []
        rows = _rows(store.conn, f"{select} WHERE {where}", split_key(kind, stored))
    if kind == "channel":
        departments, consultants = _channel_links(
            store, None if key is None else [r["id"] for r in rows]
        )
        for row in rows:
            row["linked_departments"] = departments.get(row["id"], [])
            row["consultants"] = consultants.get(row["id"], [])
            row["goals"] = json.loads(row["goals"])
    if kind == "consultant":
        for row in rows:
            row["knowledge_transfer"] = bool(row["knowledge_transfer"])
            row["deliverables"] = json.loads(row["deliverables"])
    fields = list(RECORD_MODELS[kind].model_fields)
    return [({name: row[name] for name in fields}, row["revision"]) for row in rows]


def plain_records(store: Store, kind: str) -> list[dict[str, Any]]:
    """Every record of a kind as plain values, in natural key order."""
    return [values for values, _ in _plain_rows(store, kind)]


def _read(store: Store, kind: str, key: str | None = None) -> list[Loaded]:
    model = RECORD_MODELS[kind]
    return [
        Loaded(model.model_validate(values), revision)
        for values, revision in _plain_rows(store, kind, key)
    ]


_KEY_TABLES = {
    "department": ("departments", "name"),
    "person": ("people", "email"),
    "consultant": ("consultants", "name"),
    "policy": ("policies", "version"),
}
_LOOKUP_ALL_ABOVE = 500
"""Above this many keys a lookup reads the whole table once instead of `IN (...)`."""


def resolve_keys(store: Store, kind: str, keys: Iterable[str]) -> dict[str, tuple[int, str]]:
    """key_form(key) -> (row id, the key as stored) for each of `keys` the database holds.

    Compared with `key_form`, not with SQLite's NOCASE (which folds ASCII only): the
    index narrows the search, and an e-mail it can't find (non-ASCII case) is looked for
    among every person's key form."""
    wanted = {key_form(kind, key) for key in keys}
    if not wanted:
        return {}
    table, column = _KEY_TABLES[kind]
    select = f"SELECT id, {column} FROM {table}"
    if len(wanted) > _LOOKUP_ALL_ABOVE:
        rows = store.conn.execute(select).fetchall()
    else:
        marks = ",".join("?" * len(wanted))
        where = f"{select} WHERE {column} IN ({marks})"
        rows = store.conn.execute(where, sorted(wanted)).fetchall()
    found = {}
    for row_id, value in rows:
        if (form := key_form(kind, value)) in wanted:
            found[form] = (row_id, value)
    if kind == "person" and len(found) < len(wanted) and len(wanted) <= _LOOKUP_ALL_ABOVE:
        for row_id, value in store.conn.execute(select):
            if (form := key_form(kind, value)) in wanted:
                found.setdefault(form, (row_id, value))
    return found


def stored_key(store: Store, kind: str, key: str) -> str | None:
    """The canonical id of the record whose key compares equal to `key`, spelled as the
    database holds it; None when there is none."""
    if kind not in _KEY_TABLES:
        return key
    found = resolve_keys(store, kind, [key]).get(key_form(kind, key))
    return None if found is None else found[1]


def split_key(kind: str, key: str) -> list[str]:
    """The natural key's column values from its canonical id."""
    if kind == "channel":
        platform, _, handle = key.partition("/")
        return [platform, handle]
    return [key]


def list_records(store: Store, kind: str) -> list[Record]:
    """Every record of a kind, in natural key order."""
    return [loaded.record for loaded in _read(store, kind)]


def get_record(store: Store, kind: str, key: str) -> Loaded | None:
    found = _read(store, kind, key)
    return found[0] if found else None


def list_departments(store: Store) -> list[Department]:
    return cast("list[Department]", list_records(store, "department"))


def list_people(store: Store) -> list[Person]:
    return cast("list[Person]", list_records(store, "person"))


def list_consultants(store: Store) -> list[Consultant]:
    return cast("list[Consultant]", list_records(store, "consultant"))


def list_policies(store: Store) -> list[Policy]:
    return cast("list[Policy]", list_records(store, "policy"))


def list_channels(store: Store) -> list[Channel]:
    return cast("list[Channel]", list_records(store, "channel"))


def get_channel(store: Store, key: str) -> Loaded | None:
    return get_record(store, "channel", key)


RECORD_MODELS: dict[str, type[Record]] = {
    "department": Department,
    "person": Person,
    "consultant": Consultant,
    "policy": Policy,
    "channel": Channel,
}


def record_key(kind: str, record: Record) -> str:
    """The canonical id (inventory-document spec) of a record."""
    return key_of_values(kind, record.__dict__)


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
VALUES (:email, :name, :department_id, :employment)
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
VALUES (:platform, :handle, :name, :url, :status, :owner_id, :backup_owner_id,
    :reporting_department_id, :credentials_holder, :policy_id,
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
_CHANNEL_REFERENCES = [
    ("owner", "person"),
    ("backup_owner", "person"),
    ("reporting_department", "department"),
    ("policy", "policy"),
]


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


class _References:
    """The row ids of the keys a batch of records refers to. A key that resolves to
    nothing raises RecordError: a reference is never written as NULL."""

    def __init__(self, store: Store, wanted: dict[str, set[str]]):
        self.found = {kind: resolve_keys(store, kind, keys) for kind, keys in wanted.items()}

    def id(self, kind: str, key: str | None, record: str, field: str) -> int | None:
        if key is None:
            return None
        found = self.found[kind].get(key_form(kind, key))
        if found is None:
            raise RecordError([Problem(record, field, key, f"no {kind} with that key exists")])
        return found[0]


def write_people(store: Store, people: Iterable[Person]) -> None:
    people = list(people)
    existing = resolve_keys(store, "person", [p.email for p in people])
    # the same person spelled in another case: the row takes the new spelling first, so
    # the upsert below finds it (its NOCASE unique index folds ASCII only)
    store.conn.executemany(
        "UPDATE people SET email = ? WHERE id = ?",
        [
            (p.email, found[0])
            for p in people
            if (found := existing.get(key_form("person", p.email))) and found[1] != p.email
        ],
    )
    references = _References(store, {"department": {p.department for p in people if p.department}})
    store.conn.executemany(
        _UPSERT_PERSON,
        [
            {
                **_params(p),
                "department_id": references.id(
                    "department", p.department, record_label("person", p.email), "department"
                ),
            }
            for p in people
        ],
    )


def write_consultants(store: Store, consultants: Iterable[Consultant]) -> None:
    store.conn.executemany(
        _UPSERT_CONSULTANT,
        [{**_params(c), "knowledge_transfer": int(c.knowledge_transfer)} for c in consultants],
    )


def write_policies(store: Store, policies: Iterable[Policy]) -> None:
    store.conn.executemany(_UPSERT_POLICY, [_params(p) for p in policies])


def write_channels(store: Store, channels: list[Channel], *, fresh: bool = False) -> None:
    """Upsert channels and their links; `fresh` says no channel had links before (a new or
    cleared inventory), which spares 2 deletes per channel in a large import."""
    conn = store.conn
    references = _References(
        store,
        {
            "person": {p for c in channels for p in (c.owner, c.backup_owner) if p},
            "department": {
                d for c in channels for d in (c.reporting_department, *c.linked_departments) if d
            },
            "policy": {c.policy for c in channels if c.policy},
            "consultant": {link.consultant for c in channels for link in c.consultants},
        },
    )
    params = []
    for channel in channels:
        label = record_label("channel", channel.key)
        values = _params(channel)
        for field, kind in _CHANNEL_REFERENCES:
            values[f"{field}_id"] = references.id(kind, values[field], label, field)
        params.append(values)
    conn.executemany(_UPSERT_CHANNEL, params)
    keys = [{"platform": c.platform, "handle": c.handle} for c in channels]
    if not fresh:
        conn.executemany(f"DELETE FROM channel_departments WHERE channel_id = {_CHANNEL_ID}", keys)
        conn.executemany(f"DELETE FROM channel_consultants WHERE channel_id = {_CHANNEL_ID}", keys)
    conn.executemany(
        f"""INSERT INTO channel_departments (channel_id, department_id, position)
            VALUES ({_CHANNEL_ID}, :department_id, :position)""",
        [
            {
                **key,
                "department_id": references.id(
                    "department", name, record_label("channel", channel.key), "linked_departments"
                ),
                "position": position,
            }
            for key, channel in zip(keys, channels, strict=True)
            for position, name in enumerate(channel.linked_departments)
        ],
    )
    conn.executemany(
        f"""INSERT INTO channel_consultants (channel_id, consultant_id, role, position)
            VALUES ({_CHANNEL_ID}, :consultant_id, :role, :position)""",
        [
            {
                **key,
                "consultant_id": references.id(
                    "consultant",
                    link.consultant,
                    record_label("channel", channel.key),
                    "consultants",
                ),
                "role": link.role,
                "position": position,
            }
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
# --- references ----------------------------------------------------------------------------


@dataclass(frozen=True)
class KnownKeys:
    """Natural keys a set of records may refer to."""

    departments: set[str]
    people: set[str]  # key forms (case-folded) of e-mails
    consultants: set[str]
    policies: set[str]

    @classmethod
    def of_store(cls, store: Store, wanted: dict[str, set[str]] | None = None) -> KnownKeys:
        """The database's keys; only those among `wanted` (collection -> keys) when given,
        so one form save looks up its few references, not 25,000 people."""

        def column(collection: str, kind: str) -> set[str]:
            if wanted is None:
                table, key = _KEY_TABLES[kind]
                return {
                    key_form(kind, row[0])
                    for row in store.conn.execute(f"SELECT {key} FROM {table}")
                }
            return set(resolve_keys(store, kind, wanted.get(collection, ())))

        return cls(
            departments=column("departments", "department"),
            people=column("people", "person"),
            consultants=column("consultants", "consultant"),
            policies=column("policies", "policy"),
        )

    @classmethod
    def referenced_by(cls, store: Store, kind: str, values: Mapping[str, Any]) -> KnownKeys:
        """Those of the database's keys that one record's values refer to."""
        wanted: dict[str, set[str]] = {}
        for field, collection, _what in _REFERENCE_FIELDS.get(kind, []):
            keys = _referenced(values.get(field))
            wanted.setdefault(collection, set()).update(keys)
        return cls.of_store(store, wanted)

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


_REFERENCE_FIELDS = {
    "person": [("department", "departments", "department")],
    "channel": [
        ("owner", "people", "person"),
        ("backup_owner", "people", "person"),
        ("reporting_department", "departments", "department"),
        ("policy", "policies", "policy"),
        ("linked_departments", "departments", "department"),
        ("consultants", "consultants", "consultant"),
    ],
}


def _referenced(value: Any) -> list[str]:
    """The keys a field's value refers to; tolerant of not-yet-validated input."""
    if value is None:
        return []
    if isinstance(value, str):
        return [clean_text(value)]
    values = value if isinstance(value, list) else [value]
    keys = [
        v.get("consultant") if isinstance(v, dict) else getattr(v, "consultant", v) for v in values
    ]
    return [clean_text(k) for k in keys if isinstance(k, str)]


Labelled = tuple[str, Callable[[], str], Mapping[str, Any]]


def reference_problems(known: KnownKeys, labelled: Iterable[Labelled]) -> list[Problem]:
    """Every reference to a natural key that `known` doesn't hold.

    `labelled` holds (kind, label maker, values) of people and channels; values may be
    raw input, so a document with other errors still gets its references checked. The
    label is only made for a record with a problem.
    """
    problems: list[Problem] = []
    for kind, label, values in labelled:
        for field, collection, what in _REFERENCE_FIELDS.get(kind, []):
            keys: set[str] = getattr(known, collection)
            for key in _referenced(values.get(field)):
                if key_form(what, key) not in keys:
                    problems.append(Problem(label(), field, key, f"no {what} with that key exists"))
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


# --- saving one record (forms) and reverting changes (undo) ----------------------------------

_WRITERS: dict[str, Callable[[Store, list[Any]], None]] = {
    "department": write_departments,
    "person": write_people,
    "consultant": write_consultants,
    "policy": write_policies,
    "channel": write_channels,
}
_TABLES = {
    "organization": ("organization", "id = 1 AND ? IS NOT NULL"),
    "department": ("departments", "name = ?"),
    "person": ("people", "email = ? COLLATE NOCASE"),
    "consultant": ("consultants", "name = ?"),
    "policy": ("policies", "version = ?"),
    "channel": ("channels", "platform = ? AND handle = ?"),
}
_KEY_COLUMNS = {
    "department": ["name"],
    "person": ["email"],
    "consultant": ["name"],
    "policy": ["version"],
    "channel": ["platform", "handle"],
}


def _plain(record: Record | None) -> dict[str, Any] | None:
    return None if record is None else record.model_dump(mode="json")


def save_record(
    store: Store,
    kind: str,
    record: Record,
    *,
    original_key: str | None = None,
    expected_revision: int | None = None,
) -> None:
    """Insert (original_key None) or update one record, refusing stale or dangling saves.

    `expected_revision` is the revision the editor read; if the record changed since, the
    save is refused with ConflictError and nothing is written.
    """
    key = record_key(kind, record)
    with store.transaction():
        record = _people_as_stored(store, kind, record)
        current = None
        if original_key is not None:
            current = get_record(store, kind, original_key)
            if current is None:
                raise ConflictError(
                    f"{kind} {original_key} was deleted by someone else since you opened it"
                )
            if expected_revision is not None and current.revision != expected_revision:
                raise ConflictError(
                    f"{kind} {original_key} was changed by someone else since you opened it"
                )
        old_key = None if current is None else record_key(kind, current.record)
        if key != old_key and get_record(store, kind, key) is not None:
            raise RecordError([Problem(record_label(kind, key), "", _NO_VALUE, "already exists")])
        problems = reference_problems(
            KnownKeys.referenced_by(store, kind, record.__dict__),
            [(kind, lambda: record_label(kind, key), record.__dict__)],
        )
        if problems:
            raise RecordError(problems)
        if current is not None and original_key is not None:
            _rename(store, kind, original_key, record)
        _WRITERS[kind](store, [record])
        log_changes(
            store, [Change(kind, key, _plain(current.record if current else None), _plain(record))]
        )


PERSON_REFERENCES = {"channel": ("owner", "backup_owner")}
"""Fields that name a person: their e-mail is written as the person's record spells it."""


def _people_as_stored(store: Store, kind: str, record: Record) -> Record:
    """The record with each e-mail it refers to spelled as the person is stored (a form
    may refer to `ärger@` for `Ärger@`), so its history matches what is written."""
    fields = PERSON_REFERENCES.get(kind, ())
    named = [getattr(record, field) for field in fields if getattr(record, field)]
    if not named:
        return record
    found = resolve_keys(store, "person", named)
    update = {}
    for field in fields:
        value = getattr(record, field)
        stored = found.get(key_form("person", value)) if value else None
        if stored is not None and stored[1] != value:
            update[field] = stored[1]
    return record.model_copy(update=update) if update else record


def _rename(store: Store, kind: str, original_key: str, record: Record) -> None:
    table, where = _TABLES[kind]
    original_key = stored_key(store, kind, original_key) or original_key
    columns = _KEY_COLUMNS[kind]
    assignments = ", ".join(f"{column} = ?" for column in columns)
    store.conn.execute(
        f"UPDATE {table} SET {assignments} WHERE {where}",
        [getattr(record, column) for column in columns] + split_key(kind, original_key),
    )


_REFERENCES = {
    "department": [
        ("people", "department_id", "person", "email"),
        ("channels", "reporting_department_id", "channel", "platform || '/' || handle"),
        (
            "channel_departments JOIN channels ON channels.id = channel_id",
            "department_id",
            "channel",
            "platform || '/' || handle",
        ),
    ],
    "person": [
        ("channels", "owner_id", "channel", "platform || '/' || handle"),
        ("channels", "backup_owner_id", "channel", "platform || '/' || handle"),
    ],
    "consultant": [
        (
            "channel_consultants JOIN channels ON channels.id = channel_id",
            "consultant_id",
            "channel",
            "platform || '/' || handle",
        ),
    ],
    "policy": [("channels", "policy_id", "channel", "platform || '/' || handle")],
    "channel": [],
}


def users_of(store: Store, kind: str, key: str) -> list[str]:
    """Which records refer to this one, as `kind key` labels (at most 10 per reference)."""
    table, where = _TABLES[kind]
    key = stored_key(store, kind, key) or key
    row = store.conn.execute(f"SELECT id FROM {table} WHERE {where}", split_key(kind, key))
    found = row.fetchone()
    if found is None:
        return []
    users: list[str] = []
    for source, column, label, label_sql in _REFERENCES[kind]:
        rows = store.conn.execute(
            f"SELECT DISTINCT {label_sql} FROM {source} WHERE {column} = ? ORDER BY 1 LIMIT 11",
            [found[0]],
        ).fetchall()
        users.extend(f"{label} {value}" for (value,) in rows[:10])
        if len(rows) > 10:
            users.append(f"more {label}s")
    return list(dict.fromkeys(users))


def delete_record(
    store: Store, kind: str, key: str, *, expected_revision: int | None = None
) -> None:
    """Delete one record; refuse (InUseError) while other records refer to it."""
    with store.transaction():
        current = get_record(store, kind, key)
        if current is None:
            raise ConflictError(f"{kind} {key} no longer exists")
        if expected_revision is not None and current.revision != expected_revision:
            raise ConflictError(f"{kind} {key} was changed by someone else since you opened it")
        users = users_of(store, kind, key)
        if users:
            raise InUseError(f"{kind} {key} can't be deleted: it is used by {', '.join(users)}")
        _delete(store, kind, key)
        log_changes(
            store, [Change(kind, record_key(kind, current.record), _plain(current.record), None)]
        )


def _delete(store: Store, kind: str, key: str) -> None:
    table, where = _TABLES[kind]
    key = stored_key(store, kind, key) or key
    store.conn.execute(f"DELETE FROM {table} WHERE {where}", split_key(kind, key))


_KIND_ORDER = [
    "organization", "department", "person", "consultant", "policy", "channel", "rule", "waiver",
]  # fmt: skip


def revert(store: Store, changes: list[Change], *, check: bool = True) -> None:
    """Put records back to each change's `before`, refusing if any moved on since `after`
    (unless `check` is False: looking back walks the whole history, whose older rows may
    lack fields added since).

    Restores run referenced kinds first (departments before people before channels), then
    the deletes of inserted records dependants first, so references hold at every step.
    """
    for change in changes:
        if change.kind not in _KIND_ORDER:
            raise StoreError(f"changes to {change.kind} records can't be undone here")
        after_key = change.key if change.after is None else key_of_values(change.kind, change.after)
        if check and _current(store, change.kind, after_key) != change.after:
            raise UndoError(
                f"{change.kind} {change.key} changed since; undo would overwrite that, "
                "so nothing was undone"
            )
    ordered = sorted(changes, key=lambda c: _KIND_ORDER.index(c.kind))
    for change in ordered:
        if change.kind in ROW_TABLES:
            restore_row(store, change.kind, change.key, change.before)
            continue
        if change.before is None:
            continue
        if change.kind == "organization":
            write_organization(store, Organization.model_validate(change.before))
            continue
        record = RECORD_MODELS[change.kind].model_validate(change.before)
        if change.after is not None:
            after_key = key_of_values(change.kind, change.after)
            if after_key != record_key(change.kind, record):
                _rename(store, change.kind, after_key, record)
        _WRITERS[change.kind](store, [record])
    # the records the changes inserted go last: until every restored record points back
    # to what it referred to before, one of them may still refer to them
    for change in reversed(ordered):
        if change.before is None and change.after is not None and change.kind not in ROW_TABLES:
            _delete(store, change.kind, key_of_values(change.kind, change.after))


def _current(store: Store, kind: str, key: str) -> dict[str, Any] | None:
    if kind in ROW_TABLES:
        return read_row(store, kind, key)
    if kind == "organization":
        row = store.conn.execute("SELECT name FROM organization WHERE id = 1").fetchone()
        return None if row is None else {"name": row[0]}
    loaded = get_record(store, kind, key)
    return None if loaded is None else _plain(loaded.record)


def key_of_values(kind: str, values: dict[str, Any]) -> str:
    """The canonical id of a record given as plain values."""
    if kind == "organization":
        return "organization"
    if kind in ROW_TABLES:
        return row_key(kind, *(values[column] for column in ROW_TABLES[kind][1]))
    if kind == "channel":
        return channel_id(values["platform"], values["handle"])
    if kind == "person":
        return key_form("person", values["email"])
    return values[_KEY_COLUMNS[kind][0]]


# --- snapshots (import history) ---------------------------------------------------------------

Snapshot = dict[tuple[str, str], dict[str, Any]]


def snapshot(store: Store) -> Snapshot:
    """Every record as plain values, keyed by (kind, canonical id)."""
    organization = _current(store, "organization", "organization")
    state: Snapshot = (
        {} if organization is None else {("organization", "organization"): organization}
    )
    for kind in RECORD_MODELS:
        for values in plain_records(store, kind):
            state[(kind, key_of_values(kind, values))] = values
    return state


def changes_between(before: Snapshot, after: Snapshot) -> list[Change]:
    return [
        Change(kind, key, before.get((kind, key)), after.get((kind, key)))
        for kind, key in sorted(before.keys() | after.keys())
        if before.get((kind, key)) != after.get((kind, key))
    ]
