"""Channels from a spreadsheet (the social media audit sheets companies already keep).

A sheet becomes a batch of records that `document.import_records` merges by natural key,
all or nothing, as it does for a JSON document: the channels of the rows, plus the
departments, consultants, policies and people the rows name that the inventory doesn't
have yet (created with defaults and listed). Every problem names its row and column.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from inventory import records
from inventory.models import (
    Channel,
    ChannelStatus,
    Consultant,
    ConsultantRole,
    CredentialsHolder,
    Department,
    Goal,
    Person,
    Policy,
    channel_id,
)
from inventory.progress import QUIET, Progress
from inventory.record_rows import bulk_work
from inventory.sheets import Cell, Grid, cell_text
from inventory.spreadsheet.cells import (
    CellProblem,
    as_date,
    as_enum,
    as_number,
    as_text,
    as_yes_no,
    blank_to_none,
    platform_of,
    platform_of_url,
    present,
    show,
    split_list,
)
from inventory.spreadsheet.columns import Column, find_header, header_fields, is_header
from inventory.spreadsheet.references import References
from inventory.store import Store
from inventory.validation import describe_error

_ROLE_SUFFIX = re.compile(r"(.*\S)\s*\(([^()]*)\)")


class SheetError(Exception):
    """A spreadsheet that can't be imported; lists every problem, each with row and column."""

    def __init__(self, problems: list[str]):
        self.problems = problems
        count = len(problems)
        super().__init__(f"the spreadsheet has {count} problem{'s' if count != 1 else ''}")

    def lines(self) -> list[str]:
        return list(self.problems)


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
            if not any(index < len(r) and present(r[index]) for r in grid.rows[header_row + 1 :]):
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
    with bulk_work():
        return _build_batch(grids, store, sheet, progress)


def _build_batch(
    grids: list[Grid], store: Store | None, sheet: str | None, progress: Progress
) -> SheetBatch:
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
        if not any(present(c) for c in cells):
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
        value = blank_to_none(row.cell(column))
        if value is None:
            continue
        try:
            read[name] = _READERS[name](value, references)
        except CellProblem as problem:
            row.problem(column, value, str(problem))
    handle = read.get("handle")
    if handle is None:
        if not present(row.cell(fields["handle"])):
            row.problem(fields["handle"], None, "every row needs a handle")
        return None
    platform = read.get("platform")
    if platform is None:
        if "platform" in fields and present(row.cell(fields["platform"])):
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
        except CellProblem as problem:
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
        if column.field is None and (value := blank_to_none(row.cell(column))) is not None
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
    roles = _ROLES
    for item in split_list(as_text(value)):
        name, role = item, None
        match = _ROLE_SUFFIX.fullmatch(item)
        if match:
            try:
                role = as_enum(match[2], roles)
                name = match[1]
            except CellProblem:
                pass  # "Studio (Milan)": the brackets are part of the name
        links.append((refs.consultants.resolve(name), role))
    return links


def _credentials(value: Cell, _: References) -> str:
    try:
        return as_enum(value, _CREDENTIALS)
    except CellProblem:
        try:
            return (
                CredentialsHolder.IN_HOUSE if as_yes_no(value) else CredentialsHolder.UNKNOWN
            ).value
        except CellProblem:
            allowed = ", ".join(c.value for c in CredentialsHolder)
            raise CellProblem(f"is not allowed; allowed values: {allowed}, or yes/no") from None


def _two_factor(value: Cell, _: References) -> str:
    try:
        return "on" if as_yes_no(value) else "off"
    except CellProblem:
        try:
            return as_enum(value, ("on", "off", "unknown"))
        except CellProblem:
            raise CellProblem("is not yes/no, on, off or unknown") from None


_ROLES = tuple(r.value for r in ConsultantRole)
_CREDENTIALS = tuple(c.value for c in CredentialsHolder)
_STATUSES = tuple(s.value for s in ChannelStatus)
_GOALS = tuple(g.value for g in Goal)
_READERS: dict[str, Callable[[Cell, References], Any]] = {
    "platform": lambda v, _: platform_of(v),
    "handle": lambda v, _: as_text(v),
    "name": lambda v, _: as_text(v),
    "url": lambda v, _: as_text(v),
    "status": lambda v, _: as_enum(v, _STATUSES),
    "owner": lambda v, refs: refs.people.resolve(as_text(v)),
    "backup_owner": lambda v, refs: refs.people.resolve(as_text(v)),
    "reporting_department": lambda v, refs: refs.departments.resolve(as_text(v)),
    "linked_departments": lambda v, refs: [
        refs.departments.resolve(n) for n in split_list(as_text(v))
    ],
    "consultants": _read_consultants,
    "credentials_holder": _credentials,
    "policy": lambda v, refs: refs.policies.resolve(as_text(v)),
    "weekly_hours": lambda v, _: as_number(v),
    "last_post_on": lambda v, _: as_date(v),
    "goals": lambda v, _: [as_enum(g, _GOALS) for g in split_list(as_text(v))],
    "notes": lambda v, _: v.strip() if isinstance(v, str) else as_text(v),
    "admins": lambda v, refs: [refs.people.resolve(p) for p in split_list(as_text(v), people=True)],
    "login_email": lambda v, _: as_text(v),
    "two_factor": _two_factor,
    "reviewed_on": lambda v, _: as_date(v),
}


def read_sheet_file(path: Path) -> list[Grid]:
    """The grids of a spreadsheet file; a CSV's delimiter found from its header line."""
    from inventory.sheets import read_grids

    with bulk_work():
        return read_grids(path, is_header)
