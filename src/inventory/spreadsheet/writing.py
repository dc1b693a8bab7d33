"""An inventory written as spreadsheet tables: `dump -o FILE.csv` (the channels) and
`-o FILE.xlsx` (one sheet per record kind)."""

from __future__ import annotations

from typing import Any

from inventory import records
from inventory.dates import looks_like_date, parse_date
from inventory.kinds import ORGANIZATION, RECORD_KINDS, Kind
from inventory.sheets import Cell, Table, csv_text, xlsx_bytes
from inventory.spreadsheet.columns import ALIASES, channel_fields
from inventory.store import Store


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
