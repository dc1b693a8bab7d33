"""The inventory document (`social-inventory/2`, and `/1` read as `/2`): import and dump."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from functools import partial
from typing import Any, Protocol

from pydantic import ValidationError

from inventory import json_text, record_rows, records
from inventory.history import log_changes
from inventory.kinds import RECORD_KINDS, Kind
from inventory.models import (
    DOCUMENT_FORMAT,
    FIELDS_ADDED_IN_2,
    LEGACY_DOCUMENT_FORMAT,
    Channel,
    Consultant,
    Department,
    InventoryDocument,
    Organization,
    Person,
    Policy,
    clean_text,
    key_form,
)
from inventory.preview import ImportPlan
from inventory.record_rows import bulk_work
from inventory.records import KnownKeys, Problem, record_label
from inventory.store import Store, back_to_wal
from inventory.validation import describe_error

_COLLECTIONS = {kind.collection: kind for kind in RECORD_KINDS.values()}


class DocumentError(Exception):
    """A document that can't be imported; lists every problem found."""

    def __init__(self, problems: Sequence[Problem | str]):
        self.problems = problems
        count = len(problems)
        super().__init__(f"the document has {count} problem{'s' if count != 1 else ''}")

    def lines(self) -> list[str]:
        return [str(problem) for problem in self.problems]


@dataclass(frozen=True)
class ImportSummary:
    departments: int
    people: int
    consultants: int
    policies: int
    channels: int
    lookalikes: int = 0

    def __str__(self) -> str:
        return (
            f"{self.channels} channels, {self.departments} departments, {self.people} people, "
            f"{self.consultants} consultants, {self.policies} policies, "
            f"{self.lookalikes} lookalikes"
        )


@dataclass(frozen=True)
class ParsedDocument:
    """A document read and checked, with the keys its records refer to by kind when the
    checks worked them out (`import_document` writes with them: a pass over every record
    fewer; None: a document that took the slow checks)."""

    document: InventoryDocument
    referenced: dict[str, record_rows.Referenced] | None = None


def parse_document(text: str, known: KnownKeys | None = None) -> InventoryDocument:
    return read_document(text, known).document


def read_document(text: str, known: KnownKeys | None = None) -> ParsedDocument:
    with bulk_work():
        return _parse_document(text, known)


def _parse_document(text: str, known: KnownKeys | None) -> ParsedDocument:
    """Parse and check a document's text; raise DocumentError naming every problem.

    Field errors, duplicate keys and dangling references are all collected, so a user
    fixes a document in one pass. `known` adds keys a merge may refer to (the database's).
    """
    try:
        raw = json_text.loads(text, depth_checked=False)  # a valid document is shallow
    except json_text.JSONTextError as error:
        raise DocumentError([str(error)]) from None
    document, errors = _validated(raw)
    legacy = isinstance(raw, dict) and raw.get("format") == LEGACY_DOCUMENT_FORMAT
    if document is not None and not legacy:
        referenced = _held_references(document, known)
        if referenced is not None:
            return ParsedDocument(document, referenced)
    # the checks below, on the raw values, name each record that is wrong
    try:
        json_text.check_depth(raw)
    except json_text.JSONTextError as error:
        raise DocumentError([str(error)]) from None
    if not isinstance(raw, dict):
        raise DocumentError(["the document must be a JSON object"])
    problems: list[Problem | str] = []
    if legacy:
        problems.extend(_newer_fields(raw))
    problems.extend(_problem(raw, e) for e in errors)
    keys = _raw_keys(raw)
    problems.extend(keys.duplicates)
    known_keys = keys.known if known is None else keys.known.union(known)
    problems.extend(records.reference_problems(known_keys, _labelled(raw)))
    if problems or document is None:
        raise DocumentError(problems)
    return ParsedDocument(document)


def _validated(raw: Any) -> tuple[InventoryDocument | None, list[Any]]:
    """The document, or None and pydantic's errors (none for a value that isn't an object)."""
    if not isinstance(raw, dict):
        return None, []
    try:
        return InventoryDocument.model_validate(raw), []
    except ValidationError as error:
        return None, list(error.errors(include_url=False))


def _newer_fields(raw: dict) -> list[Problem]:
    """Fields of `/2` inside a `/1` document: unknown to the format it says it is."""
    why = (
        f"is not a field of {LEGACY_DOCUMENT_FORMAT} (it came with {DOCUMENT_FORMAT}; "
        f'set "format" to "{DOCUMENT_FORMAT}" to use it)'
    )
    problems = [
        Problem("document", field, records._NO_VALUE, why)
        for field in FIELDS_ADDED_IN_2["document"]
        if field in raw
    ]
    organization = raw.get("organization")
    if isinstance(organization, dict):
        problems.extend(
            Problem("organization", field, records._NO_VALUE, why)
            for field in FIELDS_ADDED_IN_2["organization"]
            if field in organization
        )
    for collection in ("people", "channels"):
        for index, item in _items(raw, collection):
            problems.extend(
                Problem(
                    _record_label(raw, _COLLECTIONS[collection], index),
                    field,
                    records._NO_VALUE,
                    why,
                )
                for field in FIELDS_ADDED_IN_2[collection]
                if field in item
            )
    return problems


def _items(raw: dict, collection: str) -> list[tuple[int, dict]]:
    items = raw.get(collection)
    if not isinstance(items, list):
        return []
    return [(i, item) for i, item in enumerate(items) if isinstance(item, dict)]


def _raw_key(kind: Kind, item: dict) -> str | None:
    values = {name: item.get(name) for name in kind.key}
    if not all(isinstance(value, str) and clean_text(value) for value in values.values()):
        return None
    return kind.key_of({name: clean_text(str(value)) for name, value in values.items()})


@dataclass(frozen=True)
class _RawKeys:
    known: KnownKeys
    duplicates: list[Problem]


def _raw_keys(raw: dict) -> _RawKeys:
    sets: dict[str, set[str]] = {}
    duplicates: list[Problem] = []
    for kind in RECORD_KINDS.values():
        items = _items(raw, kind.collection)
        keys = [k for _, item in items if (k := _raw_key(kind, item))]
        sets[kind.name] = set(keys)
        duplicates.extend(records.duplicate_problems(kind.name, keys))
    return _RawKeys(KnownKeys(sets), duplicates)


def _labelled(raw: dict) -> list[records.Labelled]:
    return [
        (kind.name, partial(_record_label, raw, kind, index), item)
        for kind in RECORD_KINDS.values()
        if kind.references
        for index, item in _items(raw, kind.collection)
    ]


def _record_label(raw: dict, kind: Kind, index: int) -> str:
    where = f"{kind.collection}[{index}]"
    try:
        item = raw[kind.collection][index]
        parts = [item[name] for name in kind.key]
        key = "/".join(map(str, parts)) if len(parts) > 1 else parts[0]
        if isinstance(key, str) and key:
            return f"{record_label(kind.name, key)} ({where})"
    except (KeyError, TypeError, IndexError):
        pass
    return f"{kind.name} {where}"


def _problem(raw: dict, error: Any) -> Problem:
    location = list(error["loc"])
    if location and location[0] in _COLLECTIONS and len(location) > 1:
        collection, index, *field = location
        record = _record_label(raw, _COLLECTIONS[collection], index)
    elif location and location[0] == "organization":
        record, field = "organization", location[1:]
    else:
        record, field = "document", location
    field_name = "".join(
        f"[{part}]" if isinstance(part, int) else f".{part}" for part in field
    ).lstrip(".")
    value = error.get("input", None) if error["type"] != "missing" else records._NO_VALUE
    if error["type"] in ("extra_forbidden",):
        value = records._NO_VALUE
    return Problem(record, field_name, value, describe_error(error))


def _held_references(
    document: Records, known: KnownKeys | None
) -> dict[str, record_rows.Referenced] | None:
    """The keys a validated document's records refer to, by kind, if it names no key twice
    and refers only to keys it or `known` holds (one pass over the distinct keys); None
    if not."""
    keys = _document_keys(document)
    if any(len(keys.of(kind.name)) != len(items) for kind, items in _kinds(document)):
        return None
    referenced = _referenced(document)
    held = keys if known is None else keys.union(known)
    if all(records.references_known(held, referred) for referred in referenced.values()):
        return referenced
    return None


def _document_keys(document: Records) -> KnownKeys:
    return KnownKeys(
        {
            kind.name: {kind.key_of(item.__dict__) for item in items}
            for kind, items in _kinds(document)
        }
    )


class Records(Protocol):
    """Records to merge: a document, or the channels of a spreadsheet and what they need."""

    departments: list[Department]
    people: list[Person]
    consultants: list[Consultant]
    policies: list[Policy]
    channels: list[Channel]


def import_document(
    store: Store,
    document: InventoryDocument,
    *,
    replace: bool,
    referenced: dict[str, record_rows.Referenced] | None = None,
) -> ImportSummary:
    """Write the document in one transaction: merge by natural key, or replace everything.

    A merge may refer to records already in the database; a replace only to the document's.
    `referenced`: the keys its records refer to (`ParsedDocument`), if known.
    """
    with store.transaction():
        merged = as_merged(store, document, replace=replace)
        if merged is not document:  # a `/1` document's records, completed: other lists
            referenced = None
        document = merged
        import_records(
            store, document, document.organization, replace=replace, referenced=referenced
        )
    return ImportSummary(
        departments=len(document.departments),
        people=len(document.people),
        consultants=len(document.consultants),
        policies=len(document.policies),
        channels=len(document.channels),
        lookalikes=len(document.lookalikes),
    )


def as_merged(
    store: Store | None, document: InventoryDocument, *, replace: bool
) -> InventoryDocument:
    """The document as it is written: a `/1` document merged into a database leaves the
    records already there the fields `/1` lacks (the spec), instead of their defaults."""
    if replace or store is None or document.format != LEGACY_DOCUMENT_FORMAT:
        return document
    organization = records.read_organization(store) if records.has_organization(store) else None
    people = {key_form("person", p.email): p for p in records.list_people(store)}
    channels = {c.key: c for c in records.list_channels(store)}
    return document.model_copy(
        update={
            "organization": document.organization
            if organization is None
            else Organization(
                name=document.organization.name, email_domains=organization.email_domains
            ),
            "people": [
                _kept_person(p, people.get(key_form("person", p.email))) for p in document.people
            ],
            "channels": [_kept_channel(c, channels.get(c.key)) for c in document.channels],
        }
    )


def _kept_person(person: Person, stored: Person | None) -> Person:
    if stored is None:
        return person
    return person.model_copy(update={"left_on": stored.left_on})


def _kept_channel(channel: Channel, stored: Channel | None) -> Channel:
    if stored is None:
        return channel
    # an admin the /1 document made owner or backup owner is one no longer
    owners = {key_form("person", e) for e in (channel.owner, channel.backup_owner) if e}
    return channel.model_copy(
        update={
            "admins": [a for a in stored.admins if key_form("person", a) not in owners],
            "login_email": stored.login_email,
            "two_factor": stored.two_factor,
            "reviewed_on": stored.reviewed_on,
        }
    )


def import_records(
    store: Store,
    batch: Records,
    organization: Organization | None,
    *,
    replace: bool = False,
    referenced: dict[str, record_rows.Referenced] | None = None,
) -> ImportPlan:
    """Merge (or with `replace`, substitute) records in one transaction and one history
    action; `organization` None leaves the organization as it is (spreadsheets);
    `referenced`: the keys the batch's records refer to, if the caller has them. Returns
    what changed."""
    with bulk_work(), store.transaction(), _page_cache(store, _IMPORT_PAGE_CACHE_KIB):
        before = records.snapshot(store)
        if replace:
            records.clear_inventory(store)
        if organization is not None:
            record_rows.write_organization(store, organization)
        if referenced is None:
            referenced = _referenced(batch)
        try:
            for kind, items in _kinds(batch):
                records.write_records(
                    store,
                    kind.name,
                    items,
                    fresh=replace or not before,
                    referenced=referenced[kind.name],
                )
        except records.RecordError:
            # a key it refers to is not there (the batch was checked when it was read:
            # another program deleted it since); every such reference is named
            problems = _reference_problems(store, batch, replace)
            if problems:
                raise DocumentError(problems) from None
            raise
        clashes = records.key_clash_problems(store)
        if clashes:
            raise DocumentError(clashes)
        plan = _plan(before, batch, organization, replace, referenced)
        log_changes(store, plan.changes)
    return plan


def _referenced(batch: Records) -> dict[str, record_rows.Referenced]:
    """The keys each kind's records refer to: one pass, for the writing and the plan."""
    return {
        kind.name: record_rows.referenced_keys(kind, (item.__dict__ for item in items))
        for kind, items in _kinds(batch)
    }


_IMPORT_PAGE_CACHE_KIB = 131_072
"""SQLite's page cache while an import writes (2 MB by default): a large import's index
pages no longer go out to the log and back (268,000 reads at 100,000 channels); the
memory is taken only as pages are used, up to the database's size."""


@contextmanager
def _page_cache(store: Store, kib: int) -> Iterator[None]:
    (size,) = store.conn.execute("PRAGMA cache_size").fetchone()
    store.conn.execute(f"PRAGMA cache_size = -{int(kib)}")
    try:
        yield
    finally:
        store.conn.execute(f"PRAGMA cache_size = {int(size)}")


@contextmanager
def set_up_for_import(store: Store) -> Iterator[None]:
    """The connection of a command-line import, set up around the import's transaction
    (SQLite takes these settings only outside one) and given back after, also when the
    import is refused:

    - foreign key checks off: every reference an import writes is the row id it looked up
      in its own write transaction (`record_rows`; a key not found refuses the import),
      and it deletes no channel that still has link rows (a replace deletes the links
      first), so the checks only repeated those lookups (0.25 s at 100,000 channels);
    - a database this command has just created takes the import with a rollback journal
      and then WAL, as every inventory has it: its pages are written once, to the file,
      not to the log and again from it (0.18 s at 100,000 channels). One cut short stays
      in rollback mode until the next opening for writing (`store.open_store`)."""
    if store.conn.in_transaction:
        yield
        return
    journal = store.created and _rollback_journal(store)
    store.conn.execute("PRAGMA foreign_keys = OFF")
    try:
        yield
    finally:
        store.conn.execute("PRAGMA foreign_keys = ON")
        if journal:
            back_to_wal(store.conn)


def _rollback_journal(store: Store) -> bool:
    """Whether the database now writes with a rollback journal (not if another program has
    opened the new file already: then it stays in WAL mode)."""
    try:
        (mode,) = store.conn.execute("PRAGMA journal_mode = DELETE").fetchone()
    except sqlite3.OperationalError:
        return False
    return bool(mode == "delete")


def _reference_problems(store: Store, batch: Records, replace: bool) -> list[Problem]:
    """The batch's references to keys neither it nor (merging) the database holds."""
    known = _document_keys(batch)
    if not replace:
        known = known.union(KnownKeys.of_store(store))
    return records.reference_problems(known, _labelled_records(batch))


def plan_import(
    store: Store | None,
    batch: Records,
    organization: Organization | None,
    *,
    replace: bool = False,
) -> ImportPlan:
    """What `import_records` would change, computed without writing (`--dry-run`);
    `store` None is an inventory that doesn't exist yet."""
    with bulk_work():
        before = records.snapshot(store) if store is not None else {}
        return _plan(before, batch, organization, replace, _referenced(batch))


def _plan(
    before: records.Snapshot,
    batch: Records,
    organization: Organization | None,
    replace: bool,
    referenced: dict[str, record_rows.Referenced],
) -> ImportPlan:
    after, batch_keys = _state_after(before, batch, organization, replace, referenced)
    changes = records.changes_between(before, after)
    changed = {(c.kind, c.key) for c in changes}
    unchanged: dict[str, int] = {}
    for kind, key in batch_keys:
        if (kind, key) not in changed:
            unchanged[kind] = unchanged.get(kind, 0) + 1
    return ImportPlan(changes, unchanged)


def _kinds(batch: Records) -> list[tuple[Kind, list]]:
    """Each kind with the batch's records of it, referenced kinds first (a spreadsheet's
    batch has no lookalikes)."""
    return [(kind, getattr(batch, kind.collection, [])) for kind in RECORD_KINDS.values()]


def _labelled_records(document: Records) -> list[records.Labelled]:
    return [
        (kind.name, partial(record_label, kind.name, kind.key_of(item.__dict__)), item.__dict__)
        for kind, items in _kinds(document)
        if kind.references
        for item in items
    ]


def _state_after(
    before: records.Snapshot,
    batch: Records,
    organization: Organization | None,
    replace: bool,
    referenced: dict[str, record_rows.Referenced],
) -> tuple[records.Snapshot, list[tuple[str, str]]]:
    """What the database holds after the import, computed rather than read back, and the
    batch's (kind, key) in order. An e-mail a record refers to is spelled as the person's
    record spells it. A record new to the database keeps its own field values (the history
    encodes them as it would their dump: a dump per record was 10% of an import); one
    already there is dumped, to be compared with its values before."""
    spellings = {key_form("person", key): key for (kind, key) in before if kind == "person"}
    spellings.update({key_form("person", p.email): p.email for p in batch.people})
    after: records.Snapshot = {} if replace else dict(before)
    keys: list[tuple[str, str]] = []
    if organization is not None:
        after[("organization", "organization")] = organization.model_dump(mode="json")
        keys.append(("organization", "organization"))
    for kind, items in _kinds(batch):
        respelled = _respelled(kind, referenced[kind.name], spellings)
        for item in items:
            key = (kind.name, kind.key_of(item.__dict__))
            keys.append(key)
            if key in before or (respelled and _refers_to_any(kind, item, respelled)):
                after[key] = _values_after(kind, item, spellings)
            else:
                after[key] = item.__dict__
    return after, keys


def _respelled(kind: Kind, referred: record_rows.Referenced, spellings: dict[str, str]) -> set[str]:
    """The e-mails the records refer to that the person's record spells otherwise."""
    if kind.name not in records.PERSON_REFERENCES:
        return set()
    return {
        key
        for key in referred.get("person", ())
        if spellings.get(key_form("person", key), key) != key
    }


def _refers_to_any(kind: Kind, item: Any, emails: set[str]) -> bool:
    for field in records.PERSON_REFERENCES[kind.name]:
        value = getattr(item, field)
        if value in emails if isinstance(value, str) else not emails.isdisjoint(value or ()):
            return True
    return False


def _values_after(kind: Kind, item: Any, spellings: dict[str, str]) -> dict[str, Any]:
    values: dict[str, Any] = item.model_dump(mode="json")
    for field in records.PERSON_REFERENCES.get(kind.name, ()):
        if isinstance(values[field], list):
            values[field] = [spellings.get(key_form("person", v), v) for v in values[field]]
        elif values[field] is not None:
            values[field] = spellings.get(key_form("person", values[field]), values[field])
    return values


def dump_document(store: Store) -> dict[str, Any]:
    """The whole inventory as a document, in canonical order."""
    with bulk_work():
        return _dump_document(store)


def _dump_document(store: Store) -> dict[str, Any]:
    return {
        "format": DOCUMENT_FORMAT,
        "organization": records.read_organization(store).model_dump(),
        **{
            kind.collection: records.plain_records(store, kind.name)
            for kind in RECORD_KINDS.values()
        },
    }


def dump_text(store: Store) -> str:
    return json.dumps(dump_document(store), indent=2, ensure_ascii=False) + "\n"
