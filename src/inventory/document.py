"""The inventory document (`social-inventory/1`): import and dump."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from pydantic import ValidationError

from inventory import records
from inventory.history import log_changes
from inventory.models import DOCUMENT_FORMAT, InventoryDocument, Record, channel_id
from inventory.records import KnownKeys, Problem, record_label
from inventory.store import Store
from inventory.validation import describe_error

_RECORD_KINDS = {
    "departments": ("department", "name"),
    "people": ("person", "email"),
    "consultants": ("consultant", "name"),
    "policies": ("policy", "version"),
    "channels": ("channel", None),
}


class DocumentError(Exception):
    """A document that can't be imported; lists every problem found."""

    def __init__(self, problems: list[Problem | str]):
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

    def __str__(self) -> str:
        return (
            f"{self.channels} channels, {self.departments} departments, {self.people} people, "
            f"{self.consultants} consultants, {self.policies} policies"
        )


def parse_document(text: str, known: KnownKeys | None = None) -> InventoryDocument:
    """Parse and check a document's text; raise DocumentError naming every problem.

    Field errors, duplicate keys and dangling references are all collected, so a user
    fixes a document in one pass. `known` adds keys a merge may refer to (the database's).
    """
    try:
        raw = json.loads(text)
    except json.JSONDecodeError as error:
        raise DocumentError(
            [f"not valid JSON: {error.msg} at line {error.lineno}, column {error.colno}"]
        ) from None
    if not isinstance(raw, dict):
        raise DocumentError(["the document must be a JSON object"])
    problems: list[Problem | str] = []
    document = None
    try:
        document = InventoryDocument.model_validate(raw)
    except ValidationError as error:
        problems.extend(_problem(raw, e) for e in error.errors(include_url=False))
    keys = _raw_keys(raw)
    problems.extend(keys.duplicates)
    known_keys = keys.known if known is None else keys.known.union(known)
    problems.extend(records.reference_problems(known_keys, _labelled(raw)))
    if problems or document is None:
        raise DocumentError(problems)
    return document


def _items(raw: dict, collection: str) -> list[tuple[int, dict]]:
    items = raw.get(collection)
    if not isinstance(items, list):
        return []
    return [(i, item) for i, item in enumerate(items) if isinstance(item, dict)]


def _raw_key(collection: str, item: dict) -> str | None:
    kind, field = _RECORD_KINDS[collection]
    if field is None:
        platform, handle = item.get("platform"), item.get("handle")
        if isinstance(platform, str) and isinstance(handle, str):
            return channel_id(platform.strip(), handle.strip())
        return None
    value = item.get(field)
    if not isinstance(value, str) or not value.strip():
        return None
    return value.strip().lower() if kind == "person" else value.strip()


@dataclass(frozen=True)
class _RawKeys:
    known: KnownKeys
    duplicates: list[Problem]


def _raw_keys(raw: dict) -> _RawKeys:
    sets: dict[str, set[str]] = {}
    duplicates: list[Problem] = []
    for collection, (kind, _) in _RECORD_KINDS.items():
        keys = [k for _, item in _items(raw, collection) if (k := _raw_key(collection, item))]
        sets[collection] = set(keys)
        duplicates.extend(records.duplicate_problems(kind, keys))
    return _RawKeys(
        KnownKeys(sets["departments"], sets["people"], sets["consultants"], sets["policies"]),
        duplicates,
    )


def _labelled(raw: dict) -> list[tuple[str, str, dict]]:
    return [
        (_RECORD_KINDS[collection][0], _record_label(raw, collection, index), item)
        for collection in ("people", "channels")
        for index, item in _items(raw, collection)
    ]


def _record_label(raw: dict, collection: str, index: int) -> str:
    kind, key_field = _RECORD_KINDS[collection]
    where = f"{collection}[{index}]"
    try:
        item = raw[collection][index]
        key = channel_id(item["platform"], item["handle"]) if key_field is None else item[key_field]
        if isinstance(key, str) and key:
            return f"{record_label(kind, key)} ({where})"
    except (KeyError, TypeError, IndexError):
        pass
    return f"{kind} {where}"


def _problem(raw: dict, error: Any) -> Problem:
    location = list(error["loc"])
    if location and location[0] in _RECORD_KINDS and len(location) > 1:
        collection, index, *field = location
        record = _record_label(raw, collection, index)
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


def _document_keys(document: InventoryDocument) -> KnownKeys:
    return KnownKeys(
        departments={d.name for d in document.departments},
        people={p.email.lower() for p in document.people},
        consultants={c.name for c in document.consultants},
        policies={p.version for p in document.policies},
    )


def import_document(store: Store, document: InventoryDocument, *, replace: bool) -> ImportSummary:
    """Write the document in one transaction: merge by natural key, or replace everything.

    A merge may refer to records already in the database; a replace only to the document's.
    """
    with store.transaction():
        known = _document_keys(document)
        if not replace:
            known = known.union(KnownKeys.of_store(store))
        problems = records.reference_problems(
            known,
            [("person", record_label("person", p.email), p.model_dump()) for p in document.people]
            + [
                ("channel", record_label("channel", c.key), c.model_dump())
                for c in document.channels
            ],
        )
        if problems:
            raise DocumentError(problems)
        before = records.snapshot(store)
        if replace:
            records.clear_inventory(store)
        records.write_organization(store, document.organization)
        records.write_departments(store, document.departments)
        records.write_people(store, document.people)
        records.write_consultants(store, document.consultants)
        records.write_policies(store, document.policies)
        records.write_channels(store, document.channels)
        log_changes(store, records.changes_between(before, records.snapshot(store)))
    return ImportSummary(
        departments=len(document.departments),
        people=len(document.people),
        consultants=len(document.consultants),
        policies=len(document.policies),
        channels=len(document.channels),
    )


def _plain(items: list[Record]) -> list[dict[str, Any]]:
    return [item.model_dump(mode="json") for item in items]


def dump_document(store: Store) -> dict[str, Any]:
    """The whole inventory as a document, in canonical order."""
    return {
        "format": DOCUMENT_FORMAT,
        "organization": records.read_organization(store).model_dump(),
        "departments": _plain(records.list_departments(store)),
        "people": _plain(records.list_people(store)),
        "consultants": _plain(records.list_consultants(store)),
        "policies": _plain(records.list_policies(store)),
        "channels": _plain(records.list_channels(store)),
    }


def dump_text(store: Store) -> str:
    return json.dumps(dump_document(store), indent=2, ensure_ascii=False) + "\n"
