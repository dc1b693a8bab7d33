"""The records a sheet's cells name (people, departments, consultants, policies):
matched with the inventory's, or created with defaults on first use."""

from __future__ import annotations

import difflib
import json
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from inventory import records
from inventory.models import Consultant, Department, Person, Policy, key_form
from inventory.spreadsheet.cells import CellProblem, unicode_key
from inventory.store import Store

_EMAIL = re.compile(r"[^@\s<>]+@[^@\s<>]+\.[^@\s<>]+")
_NAMED_EMAIL = re.compile(r"(.*)<([^<>]*)>")


@dataclass
class _Named:
    """Records matched by name case-insensitively, or created with defaults on first use."""

    what: str
    make: Callable[[str], Any]
    existing: dict[str, list[str]] = field(default_factory=dict)
    created: dict[str, Any] = field(default_factory=dict)
    resolved: dict[str, str] = field(default_factory=dict)  # a name as written -> its key

    @classmethod
    def of(cls, what: str, names: Iterable[str], make: Callable[[str], Any]) -> _Named:
        named = cls(what, make)
        for name in names:
            named.existing.setdefault(unicode_key(name), []).append(name)
        return named

    def resolve(self, name: str) -> str:
        """The key of the record `name` names (one created on first use); the same text
        always resolves alike, so each distinct text is resolved once (a sheet names a
        few hundred departments on 100,000 rows)."""
        found = self.resolved.get(name)
        if found is None:
            found = self.resolved[name] = self._resolve(name)
        return found

    def _resolve(self, name: str) -> str:
        key = unicode_key(name)
        matches = self.existing.get(key, [])
        if len(matches) == 1:
            return matches[0]
        if len(matches) > 1:
            if name in matches:
                return name
            raise CellProblem(
                f"matches {len(matches)} {self.what}s that differ only in case: "
                f"{', '.join(json.dumps(m, ensure_ascii=False) for m in matches)}"
            )
        if key not in self.created:
            self.created[key] = self.make(name)
        return self._name(self.created[key])

    def _name(self, record: Any) -> str:
        return record.version if isinstance(record, Policy) else record.name


@dataclass
class _People:
    by_email: dict[str, str]  # key_form -> stored spelling
    by_name: dict[str, list[tuple[str, str]]]  # NFC casefold name -> [(email, name)]
    domains: set[str]
    created: dict[str, Person] = field(default_factory=dict)
    resolved: dict[str, str] = field(default_factory=dict)  # a cell's text -> an e-mail

    def resolve(self, cell: str) -> str:
        """The e-mail of the person a cell names (one created on first use of a new
        address); resolved once per distinct text, as `_Named.resolve`."""
        found = self.resolved.get(cell)
        if found is None:
            found = self.resolved[cell] = self._resolve(cell)
        return found

    def _resolve(self, cell: str) -> str:
        text = cell.strip()
        named = _NAMED_EMAIL.fullmatch(text)
        if named:
            text = named[2].strip()
        if "@" in text:
            if not _EMAIL.fullmatch(text):
                raise CellProblem("does not look like an e-mail address")
            return self._by_email(text)
        matches = self.by_name.get(unicode_key(text), [])
        if len(matches) == 1:
            return matches[0][0]
        if matches:
            listed = "; ".join(f"{name} <{email}>" for email, name in matches)
            raise CellProblem(
                f"{len(matches)} people have that name: {listed}; write the e-mail instead"
            )
        close = difflib.get_close_matches(unicode_key(text), list(self.by_name), n=3, cutoff=0.75)
        listed = "; ".join(f"{n} <{e}>" for key in close for e, n in self.by_name[key])
        hint = f"; close: {listed}" if listed else ""
        raise CellProblem(
            f"no person has that name{hint}; write an e-mail (a new one adds the person)"
        )

    def _by_email(self, email: str) -> str:
        key = key_form("person", email)
        stored = self.by_email.get(key)
        if stored is not None:
            return stored
        if key not in self.created:
            domain = email.rsplit("@", 1)[1].lower()
            employment = "employee" if domain in self.domains else "external"
            self.created[key] = Person.model_validate(
                {"email": email, "name": email, "employment": employment}
            )
        return self.created[key].email


@dataclass
class References:
    people: _People
    departments: _Named
    consultants: _Named
    policies: _Named

    @classmethod
    def of_store(cls, store: Store | None) -> References:
        people = records.plain_records(store, "person") if store else []
        by_name: dict[str, list[tuple[str, str]]] = {}
        for person in people:
            by_name.setdefault(unicode_key(person["name"]), []).append(
                (person["email"], person["name"])
            )
        organization = records.read_organization(store).model_dump() if store else {}
        names: dict[str, list[str]] = {kind: [] for kind in ("department", "consultant", "policy")}
        if store is not None:
            names["department"] = [r[0] for r in store.conn.execute("SELECT name FROM departments")]
            names["consultant"] = [r[0] for r in store.conn.execute("SELECT name FROM consultants")]
            names["policy"] = [r[0] for r in store.conn.execute("SELECT version FROM policies")]
        return cls(
            _People(
                {key_form("person", p["email"]): p["email"] for p in people},
                by_name,
                set(organization.get("email_domains") or []),
            ),
            _Named.of("department", names["department"], lambda n: Department(name=n)),
            _Named.of("consultant", names["consultant"], lambda n: Consultant(name=n)),
            _Named.of("policy", names["policy"], lambda v: Policy(version=v, title=f"Policy {v}")),
        )
