"""The record kinds of the inventory, described once: what every other module reads.

Per kind: its pydantic model, table, natural key and canonical id, and per field how it is
stored (a column, a JSON list, a reference to another kind's key, a list kept in a link
table), its labels, its form widget and its column in the kind's list. The SQL that reads
and writes records (`inventory.records`), the lists (`inventory.listing`), the "used by"
and delete checks, the document's reference checks, the rule subjects and the forms are
all derived from it. Adding a field to a kind is: the model, a migration, one `Field` here.

Nothing here imports pydantic or textual: the models are looked up by name on first use,
so the UI's first screen stays as cheap as it was.
"""

from __future__ import annotations

import importlib
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cached_property
from typing import TYPE_CHECKING, Any, Literal

if TYPE_CHECKING:
    from inventory.models import Record

Widget = Literal[
    "text",
    "date",
    "number",
    "select",
    "person",
    "people",
    "multi",
    "bool",
    "textarea",
    "lines",
    "pairs",
]


@dataclass(frozen=True)
class Link:
    """A list field kept in a link table, one row per item, in list order (`position`):
    (owner id, target id[, extra columns])."""

    table: str
    owner_column: str  # the link table's column holding the owning record's id
    target_column: str  # ... the referenced record's id
    item_key: str | None = None  # items are {item_key: key, **extras}; None: plain keys
    extras: tuple[str, ...] = ()


@dataclass(frozen=True)
class ListColumn:
    """How a field shows as a column of its kind's list (People, Departments, ...)."""

    header: str
    width: int
    min_width: int | None = None
    sort: str | None = None  # SQL ORDER BY expression; None: derived from the field


@dataclass(frozen=True)
class Count:
    """A column of the referenced kind's list: how many records of this field's kind use
    each record through this field."""

    name: str
    header: str
    width: int


@dataclass(frozen=True)
class Field:
    """One field of a record kind, in the model's order."""

    name: str
    label: str  # forms, conflict dialog, detail pane
    widget: Widget = "text"
    refers_to: str | None = None  # the kind whose natural key this field holds
    link: Link | None = None  # a list of references kept in a link table
    enum: str | None = None  # name of the enum in inventory.models (select, multi, pairs)
    required: bool = False  # the form insists on a value
    placeholder: str = ""
    detail_label: str | None = None  # when the detail pane says it shorter
    column: ListColumn | None = None  # shown in the kind's list
    counted: Count | None = None  # the referenced kind's list counts users through it
    form_default: Any = None  # the value a new record's form starts with

    @cached_property  # asked for every field of every record an import writes
    def stored(self) -> Literal["column", "json", "bool", "reference", "link"]:
        if self.link is not None:
            return "link"
        if self.refers_to is not None:
            return "reference"
        if self.widget in ("multi", "lines", "people"):
            return "json"
        if self.widget == "bool":
            return "bool"
        return "column"

    @property
    def db_column(self) -> str:
        """The column in the kind's table (references hold the row id: `<name>_id`)."""
        return f"{self.name}_id" if self.stored == "reference" else self.name

    @property
    def shown_as(self) -> str:
        return self.detail_label or self.label


@dataclass(frozen=True)
class Kind:
    """One record kind of the inventory document."""

    name: str  # "channel": history, forms, flags' subject types
    title: str  # "Channels": the view's and the document list's title
    collection: str  # "channels": the document's list
    model_name: str  # in inventory.models
    table: str
    key: tuple[str, ...]  # natural key fields (= columns)
    fields: tuple[Field, ...]
    folded_key: bool = False  # keys compare case-insensitively and are lower-cased in ids
    singleton: bool = False  # one row, id 1 (the organization)
    subject: bool = False  # rules flag records of this kind (a facts_<name> view exists)
    listed: bool = False  # has its own list view of records (RecordList)
    view: str | None = None  # the UI view that lists it (its records' "go to")
    checked_rank: int | None = None  # place in the flags export's `summary.checked`
    option_label: str = ""  # how forms offer a record (format over its values); "": its key

    @property
    def model(self) -> type[Record]:
        models = importlib.import_module("inventory.models")
        model: type[Record] = getattr(models, self.model_name)
        return model

    @property
    def facts_view(self) -> str:
        return f"facts_{self.name}"

    def field(self, name: str) -> Field:
        return next(f for f in self.fields if f.name == name)

    @cached_property
    def references(self) -> tuple[Field, ...]:
        return tuple(f for f in self.fields if f.refers_to is not None)

    @cached_property
    def links(self) -> tuple[Field, ...]:
        return tuple(f for f in self.fields if f.link is not None)

    # --- canonical ids ------------------------------------------------------------------

    def key_of(self, values: Mapping[str, Any]) -> str:
        """The canonical id (inventory document spec) of a record given as values."""
        if self.singleton:
            return self.name
        # a list, not a generator, for `join` (an import asks for 250,000 keys)
        key = "/".join([str(values[name]) for name in self.key])
        return self.fold(key) if self.folded_key else key

    def split_key(self, key: str) -> list[str]:
        """The natural key's column values from a canonical id."""
        if self.singleton:
            return [key]
        return key.split("/", len(self.key) - 1)

    def fold(self, key: str) -> str:
        """A key as keys of this kind are compared (`models.key_form`)."""
        from inventory.models import key_form

        return key_form(self.name, key)

    def option(self, values: Mapping[str, Any]) -> tuple[str, str]:
        """(label, key) of a record a form offers in a reference field."""
        key = str(values[self.key[0]])
        return self.option_label.format(**values) or key, key

    # --- SQL -----------------------------------------------------------------------------

    @cached_property
    def key_sql(self) -> str:
        """The canonical id as an SQL expression over the kind's table."""
        return " || '/' || ".join(self.key)

    @cached_property
    def where_key(self) -> str:
        """Finds one row by `split_key` values (table unaliased)."""
        nocase = " COLLATE NOCASE" if self.folded_key else ""
        if self.singleton:
            return "id = 1 AND ? IS NOT NULL"
        return " AND ".join(f"{name} = ?{nocase}" for name in self.key)

    @cached_property
    def select(self) -> tuple[str, str, str]:
        """(SELECT .. FROM .. joins, WHERE for one key, ORDER BY natural key) of the rows as
        plain values: every field but the linked lists, plus `id` and `revision`."""
        columns = ["r.id"]
        joins = []
        for number, spec in enumerate(self.fields):
            if spec.stored == "link":
                continue
            if spec.stored == "reference":
                target = KINDS[spec.refers_to or ""]
                alias = f"j{number}"
                joins.append(f"LEFT JOIN {target.table} {alias} ON {alias}.id = r.{spec.db_column}")
                columns.append(f"{alias}.{target.key[0]} AS {spec.name}")
            else:
                columns.append(f"r.{spec.name}")
        columns.append("r.revision")
        select = f"SELECT {', '.join(columns)} FROM {self.table} r {' '.join(joins)}".strip()
        nocase = " COLLATE NOCASE" if self.folded_key else ""
        where = " AND ".join(f"r.{name} = ?{nocase}" for name in self.key)
        if self.singleton:
            where = "r.id = 1 AND ? IS NOT NULL"
        order = ", ".join(f"r.{name}" for name in self.key)
        if self.folded_key:
            order = f"lower(r.{self.key[0]}), r.{self.key[0]}"
        return select, where, order

    @cached_property
    def written(self) -> tuple[Field, ...]:
        """The fields kept in the kind's own table (not in a link table), in column order."""
        return tuple(f for f in self.fields if f.stored != "link")

    @cached_property
    def insert(self) -> str:
        """INSERT of one new row from the `written` fields' values (see `upsert`)."""
        names = ", ".join(spec.db_column for spec in self.written)
        return f"INSERT INTO {self.table} ({names}) VALUES ({', '.join('?' * len(self.written))})"

    @cached_property
    def upsert(self) -> str:
        """INSERT or (same natural key) UPDATE of one row from positional parameters, the
        `written` fields' values in order; a reference is given as the row id it resolves
        to (`<name>_id`)."""
        names = [spec.db_column for spec in self.written]
        values = ["?"] * len(names)
        conflict = ", ".join(self.key)
        if self.singleton:
            names.insert(0, "id")
            values.insert(0, "1")
            conflict = "id"
        updates = [f"{name} = excluded.{name}" for name in names if name not in ("id",)]
        return (
            f"INSERT INTO {self.table} ({', '.join(names)}) VALUES ({', '.join(values)}) "
            f"ON CONFLICT ({conflict}) DO UPDATE SET {', '.join(updates)}, "
            "revision = revision + 1"
        )

    # --- who uses a record ---------------------------------------------------------------

    @cached_property
    def used_by(self) -> tuple[Usage, ...]:
        """Every field of every kind that refers to this kind, in registry order."""
        return tuple(
            Usage(user, spec)
            for user in KINDS.values()
            for spec in user.fields
            if spec.refers_to == self.name
        )


@dataclass(frozen=True)
class Usage:
    """A field of `user` that holds keys of another kind."""

    user: Kind
    field: Field

    @property
    def pairs_sql(self) -> str:
        """(used id, user id) rows for the used ids `{ids}`."""
        link = self.field.link
        if link is None:
            column = self.field.db_column
            return (
                f"SELECT {column} AS used, id AS user FROM {self.user.table} "
                f"WHERE {column} IN ({{ids}})"
            )
        return (
            f"SELECT {link.target_column} AS used, {link.owner_column} AS user "
            f"FROM {link.table} WHERE {link.target_column} IN ({{ids}})"
        )

    @property
    def source(self) -> tuple[str, str]:
        """(FROM clause, column holding the used record's id) for listing users by key."""
        link = self.field.link
        if link is None:
            return self.user.table, self.field.db_column
        return (
            f"{link.table} JOIN {self.user.table} ON {self.user.table}.id = {link.owner_column}",
            link.target_column,
        )


ORGANIZATION = Kind(
    name="organization",
    title="Organization",
    collection="organization",
    model_name="Organization",
    table="organization",
    key=("name",),
    fields=(
        Field("name", "Name", required=True),
        Field(
            "email_domains",
            "E-mail domains",
            "lines",
            placeholder="one domain a line, e.g. acme.example",
        ),
    ),
    singleton=True,
    subject=True,
)

DEPARTMENT = Kind(
    name="department",
    title="Departments",
    collection="departments",
    model_name="Department",
    table="departments",
    key=("name",),
    fields=(
        Field("name", "Name", required=True, column=ListColumn("Name", 32, 12)),
        Field(
            "function",
            "Function",
            "select",
            enum="Function",
            required=True,
            column=ListColumn("Function", 14),
            form_default="marketing",
        ),
        Field(
            "social_access",
            "Social access",
            "select",
            enum="SocialAccess",
            required=True,
            column=ListColumn("Social access", 13),
            form_default="open",
        ),
    ),
    subject=True,
    listed=True,
    view="departments",
    checked_rank=1,
)

PERSON = Kind(
    name="person",
    title="People",
    collection="people",
    model_name="Person",
    table="people",
    key=("email",),
    fields=(
        Field(
            "email",
            "E-mail",
            required=True,
            placeholder="name@company.example",
            column=ListColumn("E-mail", 32, 16, sort="lower(r.email)"),
        ),
        Field(
            "name",
            "Name",
            required=True,
            column=ListColumn("Name", 26, 12, "r.name COLLATE NOCASE"),
        ),
        Field(
            "department",
            "Department",
            "select",
            refers_to="department",
            column=ListColumn("Department", 26, 10),
            counted=Count("people", "People", 6),
        ),
        Field(
            "employment",
            "Employment",
            "select",
            enum="Employment",
            required=True,
            column=ListColumn("Employment", 10),
            form_default="employee",
        ),
        Field("left_on", "Left on", "date", column=ListColumn("Left on", 10)),
    ),
    folded_key=True,
    listed=True,
    view="people",
)

CONSULTANT = Kind(
    name="consultant",
    title="Consultants",
    collection="consultants",
    model_name="Consultant",
    table="consultants",
    key=("name",),
    fields=(
        Field("name", "Name", required=True, column=ListColumn("Name", 28, 12)),
        Field(
            "kind",
            "Kind",
            "select",
            enum="ConsultantKind",
            required=True,
            column=ListColumn("Kind", 10),
            form_default="agency",
        ),
        Field(
            "knowledge_transfer",
            "Knowledge transfer",
            "bool",
            placeholder="trains or hands over to in-house staff",
            column=ListColumn("Transfer", 8),
            form_default=False,
        ),
        Field("deliverables", "Deliverables", "lines", column=ListColumn("Deliverables", 34, 10)),
        Field("contract_end_on", "Contract ends", "date", column=ListColumn("Contract ends", 13)),
    ),
    subject=True,
    listed=True,
    view="consultants",
    checked_rank=2,
)

POLICY = Kind(
    name="policy",
    title="Policies",
    collection="policies",
    model_name="Policy",
    table="policies",
    key=("version",),
    fields=(
        Field(
            "version",
            "Version",
            required=True,
            placeholder="2027.1",
            column=ListColumn("Version", 14),
        ),
        Field(
            "title",
            "Title",
            required=True,
            column=ListColumn("Title", 34, 12, "r.title COLLATE NOCASE"),
        ),
        Field(
            "status",
            "Status",
            "select",
            enum="PolicyStatus",
            required=True,
            column=ListColumn("Status", 10),
            form_default="draft",
        ),
        Field("legal_reviewed_on", "Legal review", "date", column=ListColumn("Legal review", 12)),
        Field("next_review_on", "Next review", "date", column=ListColumn("Next review", 11)),
    ),
    subject=True,
    listed=True,
    view="policies",
    checked_rank=3,
    option_label="{version} ({status})",
)

CHANNEL = Kind(
    name="channel",
    title="Channels",
    collection="channels",
    model_name="Channel",
    table="channels",
    key=("platform", "handle"),
    fields=(
        Field("platform", "Platform", "select", enum="Platform", required=True),
        Field("handle", "Handle", required=True, placeholder="@acme"),
        Field("name", "Name", required=True),
        Field("url", "URL", placeholder="https://…"),
        Field(
            "status", "Status", "select", enum="ChannelStatus", required=True, form_default="active"
        ),
        Field("owner", "Owner", "person", refers_to="person", counted=Count("owns", "Owns", 5)),
        Field(
            "backup_owner",
            "Backup owner",
            "person",
            refers_to="person",
            counted=Count("backs_up", "Backs up", 8),
        ),
        Field(
            "reporting_department",
            "Reports to",
            "select",
            refers_to="department",
            counted=Count("reports", "Reporting", 9),
        ),
        Field(
            "linked_departments",
            "Linked departments",
            "multi",
            refers_to="department",
            link=Link("channel_departments", "channel_id", "department_id"),
            detail_label="Linked depts",
            counted=Count("linked", "Linked", 6),
        ),
        Field(
            "consultants",
            "Consultants",
            "pairs",
            refers_to="consultant",
            link=Link(
                "channel_consultants", "channel_id", "consultant_id", "consultant", ("role",)
            ),
            enum="ConsultantRole",
            counted=Count("channels", "Channels", 8),
        ),
        Field(
            "credentials_holder",
            "Login held by",
            "select",
            enum="CredentialsHolder",
            required=True,
            form_default="in_house",
        ),
        Field(
            "policy",
            "Policy",
            "select",
            refers_to="policy",
            counted=Count("channels", "Channels", 8),
        ),
        Field("weekly_hours", "Hours a week", "number", placeholder="in-house hours"),
        Field("last_post_on", "Last post", "date"),
        Field("goals", "Goals", "multi", enum="Goal"),
        Field("notes", "Notes", "textarea"),
        Field(
            "admins",
            "Admins",
            "people",
            refers_to="person",
            link=Link("channel_admins", "channel_id", "person_id"),
            counted=Count("administers", "Admin of", 8),
        ),
        Field("login_email", "Login e-mail", placeholder="where password resets go"),
        Field(
            "two_factor",
            "Two-factor",
            "select",
            enum="TwoFactor",
            required=True,
            form_default="unknown",
        ),
        Field("reviewed_on", "Reviewed on", "date", detail_label="Reviewed"),
    ),
    subject=True,
    view="channels",
    checked_rank=0,
)

LOOKALIKE = Kind(
    name="lookalike",
    title="Lookalikes",
    collection="lookalikes",
    model_name="Lookalike",
    table="lookalikes",
    key=("platform", "handle"),
    fields=(
        Field(
            "platform",
            "Platform",
            "select",
            enum="Platform",
            required=True,
            column=ListColumn("Platform", 10),
        ),
        Field(
            "handle",
            "Handle",
            required=True,
            placeholder="@acme_official",
            column=ListColumn("Handle", 26, 12),
        ),
        Field("url", "URL", placeholder="https://…", column=ListColumn("URL", 30, 8)),
        Field("found_on", "Found on", "date", required=True, column=ListColumn("Found on", 10)),
        Field(
            "takedown",
            "Takedown",
            "select",
            enum="Takedown",
            required=True,
            column=ListColumn("Takedown", 10),
            form_default="open",
        ),
        Field("notes", "Notes", "textarea", column=ListColumn("Notes", 30, 8)),
    ),
    subject=True,
    listed=True,
    view="lookalikes",
    checked_rank=4,
)

KINDS: dict[str, Kind] = {
    kind.name: kind
    for kind in (ORGANIZATION, DEPARTMENT, PERSON, CONSULTANT, POLICY, CHANNEL, LOOKALIKE)
}
"""Every record kind, in dependency order: a kind only refers to kinds before it."""

RECORD_KINDS: dict[str, Kind] = {name: kind for name, kind in KINDS.items() if not kind.singleton}
"""The kinds with many records (everything but the organization)."""

SUBJECT_KINDS: dict[str, Kind] = {name: kind for name, kind in KINDS.items() if kind.subject}
"""The kinds rules flag (rules' `subject_type`)."""

CHECKED_KINDS: list[Kind] = sorted(
    (kind for kind in KINDS.values() if kind.checked_rank is not None),
    key=lambda kind: kind.checked_rank or 0,
)
"""The kinds an evaluation counts (`summary.checked`: every record, retired ones too)."""

VIEWED_KINDS: dict[str, Kind] = {name: kind for name, kind in KINDS.items() if kind.view}
"""The kinds the UI lists, each in its own view."""


def _check() -> None:
    for kind in KINDS.values():
        for spec in kind.fields:
            if spec.refers_to is not None:
                assert spec.refers_to in KINDS, (kind.name, spec.name)
                assert list(KINDS).index(spec.refers_to) < list(KINDS).index(kind.name)


_check()
