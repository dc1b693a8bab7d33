"""Channels from a spreadsheet (the social media audit sheets companies already keep).

A sheet becomes a batch of records that `document.import_records` merges by natural key,
all or nothing, as it does for a JSON document: the channels of the rows, plus the
departments, consultants, policies and people the rows name that the inventory doesn't
have yet (created with defaults and listed). Every problem names its row and column.
"""

from __future__ import annotations

import difflib
import json
import re
import unicodedata
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from inventory import records
from inventory.dates import looks_like_date, parse_date
from inventory.kinds import ORGANIZATION, RECORD_KINDS, Kind
from inventory.models import (
    Channel,
    ChannelStatus,
    Consultant,
    ConsultantRole,
    CredentialsHolder,
    Department,
    Goal,
    Person,
    Platform,
    Policy,
    channel_id,
    key_form,
)
from inventory.progress import QUIET, Progress
from inventory.sheets import (
    Cell,
    Grid,
    SheetFileError,
    Table,
    cell_text,
    csv_text,
    number_text,
    read_csv,
    xlsx_bytes,
)
from inventory.store import Store
from inventory.validation import describe_error

# field -> the headers that name it; the first is what `dump` writes (spreadsheets spec)
ALIASES: dict[str, tuple[str, ...]] = {
    "platform": ("Platform", "Network", "Social network", "Channel type"),
    "handle": ("Handle", "Username", "Account", "Profile"),
    "name": ("Name", "Display name", "Channel name", "Account name"),
    "url": ("URL", "Link", "Profile URL", "Profile link"),
    "status": ("Status",),
    "owner": ("Owner", "Channel owner", "Managed by", "Responsible"),
    "backup_owner": ("Backup owner", "Backup", "Deputy"),
    "reporting_department": ("Reporting department", "Department", "Team", "Business unit"),
    "linked_departments": ("Linked departments", "Works with"),
    "consultants": ("Consultants", "Agency", "Agencies"),
    "credentials_holder": ("Login held by", "Credentials", "Password centralized"),
    "policy": ("Policy", "Policy version"),
    "weekly_hours": ("Weekly hours", "Hours per week", "Hours/week"),
    "last_post_on": ("Last post", "Most recent post", "Last posted"),
    "goals": ("Goals", "Purpose"),
    "notes": ("Notes", "Comments"),
    "admins": ("Admins",),
    "login_email": ("Login email",),
    "two_factor": ("2FA", "Two-factor", "MFA"),
    "reviewed_on": ("Reviewed on", "Last reviewed"),
}

_IGNORED = re.compile(r"[\s_\-/()?]+")


def normalized(text: str) -> str:
    """Headers and enum words compared as the spec says: case and ` _-/()?` ignored."""
    return _IGNORED.sub("", text).casefold()


def channel_fields() -> list[str]:
    """The alias table's fields that this version's channel records have."""
    return [name for name in ALIASES if name in Channel.model_fields]


def _header_index() -> dict[str, str]:
    return {normalized(h): name for name in channel_fields() for h in ALIASES[name]}


PLATFORM_SPELLINGS: dict[str, Platform] = {
    **{normalized(p.value): p for p in Platform},
    "fb": Platform.FACEBOOK, "meta": Platform.FACEBOOK,
    "ig": Platform.INSTAGRAM, "insta": Platform.INSTAGRAM,
    "li": Platform.LINKEDIN,
    "twitter": Platform.X, "xtwitter": Platform.X, "twitterx": Platform.X,
    "xformerlytwitter": Platform.X, "tw": Platform.X,
    "yt": Platform.YOUTUBE,
    "tt": Platform.TIKTOK,
    "snap": Platform.SNAPCHAT,
    "wa": Platform.WHATSAPP,
    "tg": Platform.TELEGRAM,
    "bsky": Platform.BLUESKY,
}  # fmt: skip
# "LinkedIn Page", "YouTube channel", "Instagram business account": the platform's name
# followed by what kind of account it is
_ACCOUNT_WORDS = re.compile(r"(companypage|page|account|channel|profile|business|company|group)+$")

PLATFORM_HOSTS: dict[str, Platform] = {
    "facebook.com": Platform.FACEBOOK, "fb.com": Platform.FACEBOOK, "fb.me": Platform.FACEBOOK,
    "instagram.com": Platform.INSTAGRAM, "instagr.am": Platform.INSTAGRAM,
    "linkedin.com": Platform.LINKEDIN, "lnkd.in": Platform.LINKEDIN,
    "x.com": Platform.X, "twitter.com": Platform.X,
    "youtube.com": Platform.YOUTUBE, "youtu.be": Platform.YOUTUBE,
    "tiktok.com": Platform.TIKTOK,
    "threads.net": Platform.THREADS, "threads.com": Platform.THREADS,
    "pinterest.com": Platform.PINTEREST, "pin.it": Platform.PINTEREST,
    "snapchat.com": Platform.SNAPCHAT,
    "whatsapp.com": Platform.WHATSAPP, "wa.me": Platform.WHATSAPP,
    "t.me": Platform.TELEGRAM, "telegram.me": Platform.TELEGRAM, "telegram.org": Platform.TELEGRAM,
    "mastodon.social": Platform.MASTODON, "mastodon.online": Platform.MASTODON,
    "mstdn.social": Platform.MASTODON,
    "bsky.app": Platform.BLUESKY,
    "reddit.com": Platform.REDDIT, "redd.it": Platform.REDDIT,
}  # fmt: skip
_HOST = re.compile(r"^[a-z][a-z0-9+.-]*://([^/?#:@]+@)?([^/?#:]+)", re.IGNORECASE)

EMPTY_WORDS = {"-", "n/a", "none", "—"}
YES = {"yes", "y", "true", "1", "x", "sì", "si", "oui", "ja"}
NO = {"no", "n", "false", "0", "nein", "non"}
_EMAIL = re.compile(r"[^@\s<>]+@[^@\s<>]+\.[^@\s<>]+")
_NAMED_EMAIL = re.compile(r"(.*)<([^<>]*)>")
_ROLE_SUFFIX = re.compile(r"(.*\S)\s*\(([^()]*)\)")


class SheetError(Exception):
    """A spreadsheet that can't be imported; lists every problem, each with row and column."""

    def __init__(self, problems: list[str]):
        self.problems = problems
        count = len(problems)
        super().__init__(f"the spreadsheet has {count} problem{'s' if count != 1 else ''}")

    def lines(self) -> list[str]:
        return list(self.problems)


class _CellProblem(Exception):
    """Why one cell can't be read (the caller adds row and column)."""


def show(value: Cell) -> str:
    """A cell's value in a message: JSON-quoted text, so blanks and controls are visible."""
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    return cell_text(value) if value is not None else "(empty)"


# --- the header ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Column:
    index: int
    header: str
    field: str | None  # None: an unknown column, kept in the notes


def header_fields(cells: Iterable[Cell]) -> list[str | None]:
    index = _header_index()
    return [index.get(normalized(c)) if isinstance(c, str) else None for c in cells]


def is_header(cells: Iterable[Cell]) -> bool:
    """The first row whose cells name at least a platform (or a URL) and a handle."""
    fields = set(header_fields(cells))
    return "handle" in fields and bool(fields & {"platform", "url"})


def find_header(grid: Grid) -> int | None:
    return next((i for i, row in enumerate(grid.rows) if is_header(row)), None)


def _columns(grid: Grid, header_row: int) -> tuple[list[Column], list[str]]:
    from inventory.sheets import column_letter

    cells = grid.rows[header_row]
    width = max((len(r) for r in grid.rows[header_row:]), default=0)
    fields = header_fields(cells)
    columns: list[Column] = []
    problems: list[str] = []
    seen: dict[str, Column] = {}
    for index in range(width):
        raw = cells[index] if index < len(cells) else None
        header = cell_text(raw).strip() if raw is not None else ""
        target = fields[index] if index < len(fields) else None
        if not header:
            if not any(index < len(r) and _present(r[index]) for r in grid.rows[header_row + 1 :]):
                continue
            header = f"Column {column_letter(index)}"
        column = Column(index, header, target)
        if target is not None and target in seen:
            problems.append(
                f'row {header_row + 1}: columns "{seen[target].header}" and "{header}" both '
                f"give the {target}; keep one"
            )
        elif target is not None:
            seen[target] = column
        columns.append(column)
    return columns, problems


def _present(value: Cell) -> bool:
    return _blank_to_none(value) is not None


def _blank_to_none(value: Cell) -> Cell:
    if value is None:
        return None
    if isinstance(value, str):
        stripped = value.strip()
        if not stripped or stripped.casefold() in EMPTY_WORDS:
            return None
    return value


# --- cells -----------------------------------------------------------------------------------


def _text(value: Cell) -> str:
    if isinstance(value, str):
        return value.strip()
    if isinstance(value, int | float) and not isinstance(value, bool):
        return number_text(value)
    if isinstance(value, datetime | date):
        return cell_text(value)
    raise _CellProblem("must be text")


def _enum(value: Cell, allowed: Iterable[str]) -> str:
    allowed = list(allowed)
    by_word = {normalized(a): a for a in allowed}
    found = by_word.get(normalized(_text(value)))
    if found is None:
        raise _CellProblem(f"is not allowed; allowed values: {', '.join(allowed)}")
    return found


def _yes_no(value: Cell) -> bool:
    if isinstance(value, bool):
        return value
    word = _text(value).casefold()
    if word in YES:
        return True
    if word in NO:
        return False
    raise _CellProblem("is not yes or no (yes/no, y/n, true/false, 1/0, x)")


def platform_of(value: Cell) -> str:
    word = normalized(_text(value))
    platform = PLATFORM_SPELLINGS.get(word) or PLATFORM_SPELLINGS.get(_ACCOUNT_WORDS.sub("", word))
    if platform is None:
        names = ", ".join(p.value for p in Platform)
        raise _CellProblem(f"is not a platform this inventory knows; platforms: {names}")
    return platform.value


def platform_of_url(url: str) -> str:
    match = _HOST.match(url.strip())
    if match is None:
        raise _CellProblem("is not an http(s) URL, so the platform can't be told from it")
    host = match[2].lower().rstrip(".")
    for prefix in ("www.", "m.", "mobile.", "business."):
        host = host.removeprefix(prefix)
    for known, platform in PLATFORM_HOSTS.items():
        if host == known or host.endswith("." + known):
            return platform.value
    if host.split(".")[0] in ("mastodon", "mstdn"):
        return Platform.MASTODON.value
    raise _CellProblem(
        f"the host {host} is not one this inventory knows; add a Platform column for this row"
    )


def _date(value: Cell) -> str:
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, str) and looks_like_date(value):
        try:
            return parse_date(value).isoformat()
        except ValueError as error:
            raise _CellProblem(str(error).partition(" ")[2]) from None
    raise _CellProblem(
        "is not a date: write it as YYYY-MM-DD or use a date cell (day and month are never guessed)"
    )


def _number(value: Cell) -> int | float:
    if isinstance(value, bool):
        raise _CellProblem("is not a number")
    if isinstance(value, int | float):
        return int(value) if isinstance(value, float) and value.is_integer() else value
    text = _text(value).replace(" ", "")
    if re.fullmatch(r"\d+,\d+", text):  # a decimal comma, as European spreadsheets write it
        text = text.replace(",", ".")
    try:
        number = float(text)
    except ValueError:
        raise _CellProblem("is not a number") from None
    if number != number or number in (float("inf"), float("-inf")):
        raise _CellProblem("is not a finite number")
    return int(number) if number.is_integer() else number


def split_list(text: str, *, people: bool = False) -> list[str]:
    """Items separated by `;`, or by `,` when the cell holds no `;` (people: `;` only)."""
    separator = ";" if people or ";" in text else ","
    return [item.strip() for item in text.split(separator) if _present(item)]


def _unicode_key(text: str) -> str:
    return unicodedata.normalize("NFC", text).casefold()


# --- references: people, departments, consultants, policies ----------------------------------


@dataclass
class _Named:
    """Records matched by name case-insensitively, or created with defaults on first use."""

    what: str
    make: Callable[[str], Any]
    existing: dict[str, list[str]] = field(default_factory=dict)
    created: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def of(cls, what: str, names: Iterable[str], make: Callable[[str], Any]) -> _Named:
        named = cls(what, make)
        for name in names:
            named.existing.setdefault(_unicode_key(name), []).append(name)
        return named

    def resolve(self, name: str) -> str:
        key = _unicode_key(name)
        matches = self.existing.get(key, [])
        if len(matches) == 1:
            return matches[0]
        if len(matches) > 1:
            if name in matches:
                return name
            raise _CellProblem(
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

    def resolve(self, cell: str) -> str:
        text = cell.strip()
        named = _NAMED_EMAIL.fullmatch(text)
        if named:
            text = named[2].strip()
        if "@" in text:
            if not _EMAIL.fullmatch(text):
                raise _CellProblem("does not look like an e-mail address")
            return self._by_email(text)
        matches = self.by_name.get(_unicode_key(text), [])
        if len(matches) == 1:
            return matches[0][0]
        if matches:
            listed = "; ".join(f"{name} <{email}>" for email, name in matches)
            raise _CellProblem(
                f"{len(matches)} people have that name: {listed}; write the e-mail instead"
            )
        close = difflib.get_close_matches(_unicode_key(text), list(self.by_name), n=3, cutoff=0.75)
        listed = "; ".join(f"{n} <{e}>" for key in close for e, n in self.by_name[key])
        hint = f"; close: {listed}" if listed else ""
        raise _CellProblem(
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
            by_name.setdefault(_unicode_key(person["name"]), []).append(
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


# --- rows ------------------------------------------------------------------------------------


@dataclass
class SheetBatch:
    """What a sheet imports: its channels and the records they need that are new."""

    sheet: str
    skipped_sheets: list[str]
    columns: list[Column]
    channels: list[Channel]
    departments: list[Department]
    people: list[Person]
    consultants: list[Consultant]
    policies: list[Policy]

    def column_lines(self) -> list[str]:
        lines = []
        for column in self.columns:
            became = (
                f"kept in notes as '{column.header}: ...'" if column.field is None else column.field
            )
            lines.append(f'column "{column.header}": {became}')
        return lines

    def created_lines(self) -> list[str]:
        """The records the sheet adds besides channels: the flags they raise say what to
        complete."""
        lines: list[str] = []
        for label, items, describe in (
            ("department", self.departments, lambda d: f"{d.name} (function other, access open)"),
            ("consultant", self.consultants, lambda c: f"{c.name} (agency)"),
            ("policy", self.policies, lambda p: f"{p.version} (draft, title {p.title!r})"),
            ("person", self.people, lambda p: f"{p.email} ({p.employment})"),
        ):
            lines.extend(f"new {label}: {describe(item)}" for item in items)
        return lines


class _Row:
    """One data row being read: its values by field, and its problems."""

    def __init__(self, number: int, cells: list[Cell], columns: list[Column], grid: Grid):
        self.number = number
        self.cells = cells
        self.columns = columns
        self.grid = grid
        self.problems: list[str] = []

    def cell(self, column: Column) -> Cell:
        return self.cells[column.index] if column.index < len(self.cells) else None

    def problem(self, column: Column | None, value: Cell, why: str) -> None:
        where = f"row {self.number}" + (f', column "{column.header}"' if column else "")
        self.problems.append(f"{where}: {show(value)}: {why}" if column else f"{where}: {why}")


def build_batch(
    grids: list[Grid], store: Store | None, sheet: str | None = None, progress: Progress = QUIET
) -> SheetBatch:
    """Read the chosen sheet's rows into records; SheetError lists every problem."""
    grid, header_row, skipped = _choose_sheet(grids, sheet)
    progress.step("checking rows", len(grid.rows) - header_row - 1)
    columns, problems = _columns(grid, header_row)
    if problems:
        raise SheetError(problems)
    problems.extend(_unreadable_cells(grid, header_row, columns))
    existing = {
        channel_id(c["platform"], c["handle"]): c
        for c in (records.plain_records(store, "channel") if store else [])
    }
    near = _near_keys(existing.values())
    references = References.of_store(store)
    fields = {c.field: c for c in columns if c.field}
    channels: dict[str, tuple[int, Channel]] = {}
    near_rows: dict[tuple[str, str], tuple[int, str]] = {}
    for offset, cells in enumerate(grid.rows[header_row + 1 :]):
        progress.advance()
        row = _Row(header_row + offset + 2, cells, columns, grid)
        if not any(_present(c) for c in cells):
            continue
        channel = _channel(row, fields, existing, near, near_rows, references)
        problems.extend(row.problems)
        if channel is None:
            continue
        if channel.key in channels:
            problems.append(
                f"row {row.number}: the same channel ({channel.key}) as row "
                f"{channels[channel.key][0]}; keep one row per channel"
            )
            continue
        channels[channel.key] = (row.number, channel)
    if problems:
        raise SheetError(problems)
    return SheetBatch(
        grid.name,
        skipped,
        columns,
        [c for _, c in channels.values()],
        list(references.departments.created.values()),
        list(references.people.created.values()),
        list(references.consultants.created.values()),
        list(references.policies.created.values()),
    )


def _choose_sheet(grids: list[Grid], sheet: str | None) -> tuple[Grid, int, list[str]]:
    names = ", ".join(json.dumps(g.name, ensure_ascii=False) for g in grids)
    if sheet is not None:
        chosen = [g for g in grids if g.name == sheet] or [
            g for g in grids if g.name.casefold() == sheet.casefold()
        ]
        if len(chosen) != 1:
            raise SheetError([f"there is no sheet {sheet!r}; sheets: {names}"])
        header = find_header(chosen[0])
        if header is None:
            raise SheetError([_no_header(chosen[0].name)])
        return chosen[0], header, [g.name for g in grids if g is not chosen[0]]
    for grid in grids:
        header = find_header(grid)
        if header is not None:
            return grid, header, [g.name for g in grids if g is not grid]
    if len(grids) == 1:
        raise SheetError([_no_header(grids[0].name)])
    raise SheetError([f"no sheet has a header row; sheets: {names}. {_header_help()}"])


def _no_header(name: str) -> str:
    return f"sheet {json.dumps(name, ensure_ascii=False)} has no header row. {_header_help()}"


def _header_help() -> str:
    return (
        "A header row names at least a platform (Platform, Network, ...) or a URL, and a "
        "handle (Handle, Username, Account, Profile)"
    )


def _unreadable_cells(grid: Grid, header_row: int, columns: list[Column]) -> list[str]:
    from inventory.sheets import cell_name

    by_index = {c.index: c for c in columns}
    problems = []

    def where(row: int, column: int) -> str:
        header = by_index[column].header if column in by_index else None
        return f"row {row + 1}" + (f', column "{header}"' if header else "")

    for first_row, first_column, last_row, last_column in sorted(grid.merged):
        if last_row < header_row:
            continue  # a title above the header, merged across the page: harmless
        span = f"{cell_name(first_row, first_column)}:{cell_name(last_row, last_column)}"
        problems.append(
            f"{where(max(first_row, header_row), first_column)}: merged cells {span}; "
            "unmerge them and give every row its own value"
        )
    for row, column in sorted(grid.uncomputed):
        if row >= header_row:
            problems.append(
                f"{where(row, column)}: cell {cell_name(row, column)} holds a formula without "
                "a computed value; open and save the file in a spreadsheet program, or type "
                "the value"
            )
    return problems


def _near_key(platform: str, handle: str) -> tuple[str, str]:
    return platform, handle.strip().removeprefix("@").casefold()


def _near_keys(channels: Iterable[dict]) -> dict[tuple[str, str], list[str]]:
    near: dict[tuple[str, str], list[str]] = {}
    for channel in channels:
        near.setdefault(_near_key(channel["platform"], channel["handle"]), []).append(
            channel["handle"]
        )
    return near


_LIST_FIELDS = {"linked_departments", "goals", "consultants", "admins"}


def _channel(
    row: _Row,
    fields: dict[str, Column],
    existing: dict[str, dict],
    near: dict[tuple[str, str], list[str]],
    near_rows: dict[tuple[str, str], tuple[int, str]],
    references: References,
) -> Channel | None:
    read: dict[str, Any] = {}
    for name, column in fields.items():
        value = _blank_to_none(row.cell(column))
        if value is None:
            continue
        try:
            read[name] = _READERS[name](value, references)
        except _CellProblem as problem:
            row.problem(column, value, str(problem))
    handle = read.get("handle")
    if handle is None:
        if not _present(row.cell(fields["handle"])):
            row.problem(fields["handle"], None, "every row needs a handle")
        return None
    platform = read.get("platform")
    if platform is None:
        if "platform" in fields and _present(row.cell(fields["platform"])):
            return None  # the platform cell's problem is listed already
        if "url" not in read:
            row.problem(
                fields.get("platform") or fields.get("url"),
                None,
                "no platform, and no URL to tell it from",
            )
            return None
        try:
            platform = platform_of_url(read["url"])
        except _CellProblem as problem:
            row.problem(fields["url"], read["url"], str(problem))
            return None
    key = channel_id(platform, handle)
    if key not in existing and not _new_handle_is_distinct(
        row, fields, handle, platform, near, near_rows
    ):
        return None
    before = existing.get(key)
    values = dict(before) if before else {"platform": platform, "handle": handle, "name": handle}
    for name, value in read.items():
        if name not in ("platform", "handle"):
            values[name] = _consultant_links(value, before) if name == "consultants" else value
    values["platform"] = platform
    notes = _notes(row, values.get("notes") or "")
    if notes is not None:
        values["notes"] = notes
    try:
        return Channel.model_validate(values)
    except ValidationError as error:
        for item in error.errors(include_url=False):
            name = str(item["loc"][0]) if item["loc"] else ""
            found = fields.get(name)
            value = row.cell(found) if found else values.get(name)
            row.problem(found or Column(-1, name, name), value, describe_error(item))
        return None


def _new_handle_is_distinct(
    row: _Row,
    fields: dict[str, Column],
    handle: str,
    platform: str,
    near: dict[tuple[str, str], list[str]],
    near_rows: dict[tuple[str, str], tuple[int, str]],
) -> bool:
    """A new channel's handle must not differ from an existing channel's, or from another
    new row's, only in case or a leading `@` (channels already in the inventory are
    matched exactly and never conflict)."""
    near_key = _near_key(platform, handle)
    if near.get(near_key):
        others = ", ".join(channel_id(platform, h) for h in near[near_key])
        row.problem(
            fields["handle"],
            handle,
            f"differs from existing channel {others} only in case or a leading @; "
            "write the handle as the inventory has it",
        )
        return False
    earlier = near_rows.setdefault(near_key, (row.number, handle))
    if earlier[1] != handle:
        row.problem(
            fields["handle"],
            handle,
            f"differs from row {earlier[0]}'s handle {json.dumps(earlier[1], ensure_ascii=False)} "
            "only in case or a leading @; they would be two channels",
        )
        return False
    return True


def _notes(row: _Row, base: str) -> str | None:
    """The notes with one `Header: value` line per non-empty unknown cell, each replacing
    a line for the same header, so importing the same sheet twice changes nothing."""
    extra = [
        (column.header, cell_text(value).strip())
        for column in row.columns
        if column.field is None and (value := _blank_to_none(row.cell(column))) is not None
    ]
    if not extra:
        return None
    lines = base.split("\n") if base else []
    for header, value in extra:
        line = f"{header}: {' '.join(value.splitlines())}"
        prefix = f"{header}:"
        for index, existing in enumerate(lines):
            if existing.startswith(prefix):
                lines[index] = line
                break
        else:
            lines.append(line)
    return "\n".join(lines)


def _consultant_links(items: list[tuple[str, str | None]], before: dict | None) -> list[dict]:
    roles = {link["consultant"]: link["role"] for link in (before or {}).get("consultants", [])}
    return [
        {"consultant": name, "role": role or roles.get(name, ConsultantRole.CONTENT.value)}
        for name, role in items
    ]


def _read_consultants(value: Cell, refs: References) -> list[tuple[str, str | None]]:
    links = []
    roles = [r.value for r in ConsultantRole]
    for item in split_list(_text(value)):
        name, role = item, None
        match = _ROLE_SUFFIX.fullmatch(item)
        if match:
            try:
                role = _enum(match[2], roles)
                name = match[1]
            except _CellProblem:
                pass  # "Studio (Milan)": the brackets are part of the name
        links.append((refs.consultants.resolve(name), role))
    return links


def _credentials(value: Cell, _: References) -> str:
    try:
        return _enum(value, [c.value for c in CredentialsHolder])
    except _CellProblem:
        try:
            return (
                CredentialsHolder.IN_HOUSE if _yes_no(value) else CredentialsHolder.UNKNOWN
            ).value
        except _CellProblem:
            allowed = ", ".join(c.value for c in CredentialsHolder)
            raise _CellProblem(f"is not allowed; allowed values: {allowed}, or yes/no") from None


def _two_factor(value: Cell, _: References) -> str:
    try:
        return "on" if _yes_no(value) else "off"
    except _CellProblem:
        try:
            return _enum(value, ["on", "off", "unknown"])
        except _CellProblem:
            raise _CellProblem("is not yes/no, on, off or unknown") from None


_READERS: dict[str, Callable[[Cell, References], Any]] = {
    "platform": lambda v, _: platform_of(v),
    "handle": lambda v, _: _text(v),
    "name": lambda v, _: _text(v),
    "url": lambda v, _: _text(v),
    "status": lambda v, _: _enum(v, [s.value for s in ChannelStatus]),
    "owner": lambda v, refs: refs.people.resolve(_text(v)),
    "backup_owner": lambda v, refs: refs.people.resolve(_text(v)),
    "reporting_department": lambda v, refs: refs.departments.resolve(_text(v)),
    "linked_departments": lambda v, refs: [
        refs.departments.resolve(n) for n in split_list(_text(v))
    ],
    "consultants": _read_consultants,
    "credentials_holder": _credentials,
    "policy": lambda v, refs: refs.policies.resolve(_text(v)),
    "weekly_hours": lambda v, _: _number(v),
    "last_post_on": lambda v, _: _date(v),
    "goals": lambda v, _: [_enum(g, [g.value for g in Goal]) for g in split_list(_text(v))],
    "notes": lambda v, _: v.strip() if isinstance(v, str) else _text(v),
    "admins": lambda v, refs: [refs.people.resolve(p) for p in split_list(_text(v), people=True)],
    "login_email": lambda v, _: _text(v),
    "two_factor": _two_factor,
    "reviewed_on": lambda v, _: _date(v),
}


def read_sheet_file(path: Path) -> list[Grid]:
    """The grids of a spreadsheet file; a CSV's delimiter found from its header line."""
    from inventory.sheets import read_grids

    if path.suffix.lower() == ".csv":
        try:
            data = path.read_bytes()
        except FileNotFoundError:
            raise SheetFileError(f"{path} does not exist") from None
        except IsADirectoryError:
            raise SheetFileError(f"{path} is a folder, not a spreadsheet") from None
        except OSError as error:
            raise SheetFileError(f"{path} can't be read: {error.strerror}") from None
        return [read_csv(data, path.stem, is_header)]
    return read_grids(path)


# --- writing ---------------------------------------------------------------------------------


def _list_cell(items: list[str]) -> str | None:
    """Items joined with `; `. One item holding a comma gets a trailing `;`, so that the
    reader (which splits at commas when a cell holds no `;`) keeps it whole."""
    if not items:
        return None
    text = "; ".join(items)
    return f"{text};" if ";" not in text and "," in text else text


def _sheet_value(field: str, value: Any) -> Cell:
    if value is None or value == "":
        return None
    if field == "consultants":
        return _list_cell([f"{link['consultant']} ({link['role']})" for link in value])
    if isinstance(value, list):
        return _list_cell([str(item) for item in value])
    if field.endswith("_on") and isinstance(value, str) and looks_like_date(value):
        return parse_date(value)
    return value


def channel_table(store: Store) -> Table:
    """The channels under the first header of each field (the alias table), in key order."""
    fields = channel_fields()
    return Table(
        "Channels",
        [ALIASES[name][0] for name in fields],
        (
            [_sheet_value(name, channel[name]) for name in fields]
            for channel in records.plain_records(store, "channel")
        ),
    )


def _record_table(store: Store, kind: Kind) -> Table:
    """A kind's records under its fields' labels (as forms show them)."""
    names = list(kind.model.model_fields)
    return Table(
        kind.title,
        [kind.field(name).label for name in names],
        (
            [_sheet_value(name, values[name]) for name in names]
            for values in records.plain_records(store, kind.name)
        ),
    )


def inventory_tables(store: Store) -> list[Table]:
    """One table per record kind: channels first, then the others, the organization last."""
    organization = records.read_organization(store).model_dump()
    others = [k for k in RECORD_KINDS.values() if k.name != "channel"]
    return [
        channel_table(store),
        *(_record_table(store, kind) for kind in others),
        Table(
            ORGANIZATION.title,
            [ORGANIZATION.field(name).label for name in organization],
            [[_sheet_value(name, value) for name, value in organization.items()]],
        ),
    ]


def dump_spreadsheet(store: Store, suffix: str) -> str | bytes:
    """`dump -o FILE.csv` (the channels) or `-o FILE.xlsx` (every record kind)."""
    if suffix == ".csv":
        return csv_text(channel_table(store))
    return xlsx_bytes(inventory_tables(store))
