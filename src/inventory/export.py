"""The flags export (format `social-inventory-flags/2`): what `export` writes and
`check --format json` prints. Its JSON Schema ships beside this module."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterator
from datetime import UTC, datetime
from itertools import groupby, repeat
from pathlib import Path
from typing import TYPE_CHECKING, Any

import orjson

from inventory.baseline import Comparison
from inventory.baseline import summary as baseline_summary
from inventory.files import Data, write_text_file
from inventory.flags import SEVERITY_ORDER, Evaluation, Flag, flag_fields, unwaived

if TYPE_CHECKING:
    from inventory.sheets import Table

EXPORT_FORMAT = "social-inventory-flags/2"
SCHEMA_FILE = "flags-export.schema.json"
RECOMMENDATION_NUMBERS = range(1, 8)
CHUNK_FLAGS = 2_000
"""Flags encoded at a time: the export is written chunk by chunk, never whole in memory."""
_RECOMMENDATION, _SEVERITY = flag_fields("recommendation"), flag_fields("severity")


def export_schema() -> dict[str, Any]:
    """The JSON Schema of the export, as shipped in the package."""
    from importlib.resources import files  # tempfile, shutil, bz2...: not for `check`

    return json.loads(files("inventory").joinpath(SCHEMA_FILE).read_text(encoding="utf-8"))


def format_timestamp(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _flag(flag: Flag, comparison: Comparison | None) -> dict[str, Any]:
    waiver = flag.waiver
    document = {
        "rule": flag.rule,
        "recommendation": flag.recommendation,
        "severity": flag.severity,
        "title": flag.title,
        "message": flag.message,
        "subject": {"type": flag.subject_type, "id": flag.subject_id, "name": flag.subject_name},
        "waived": waiver is not None,
        "waiver": None
        if waiver is None
        else {
            "reason": waiver.reason,
            "until": waiver.until.isoformat() if waiver.until else None,
            "by": waiver.by,
            "on": waiver.on.isoformat(),
        },
    }
    if comparison is not None:
        document["baseline"] = comparison.status(flag)
    return document


def _head(
    evaluation: Evaluation,
    generated_at: datetime,
    comparison: Comparison | None,
    state_at: datetime | None,
) -> dict[str, Any]:
    """The export document without its flags (`"flags": []`), keys in the order of
    flags-export.md; `comparison` adds the baseline keys, `state_at` the moment the
    inventory was looked back at."""
    open_flags = unwaived(evaluation.flags)
    severities = Counter(map(_SEVERITY, open_flags))
    recommendations = Counter(map(_RECOMMENDATION, open_flags))
    by_severity = {severity: severities[severity] for severity in SEVERITY_ORDER}
    by_recommendation = {str(number): recommendations[number] for number in RECOMMENDATION_NUMBERS}
    document: dict[str, Any] = {
        "format": EXPORT_FORMAT,
        "generated_at": format_timestamp(generated_at),
        "as_of": evaluation.as_of.isoformat(),
    }
    if state_at is not None:
        document["state_at"] = format_timestamp(state_at)
    summary: dict[str, Any] = {
        "checked": dict(evaluation.checked),
        "flags": len(evaluation.flags),
        "waived": len(evaluation.flags) - len(open_flags),
        "by_severity": by_severity,
        "by_recommendation": by_recommendation,
        "broken_rules": [
            {"rule": broken.rule, "error": broken.error} for broken in evaluation.broken_rules
        ],
    }
    if comparison is not None:
        summary["baseline"] = baseline_summary(comparison)
    document["organization"] = evaluation.organization
    document["summary"] = summary
    document["flags"] = []
    return document


def build_export(
    evaluation: Evaluation,
    generated_at: datetime,
    *,
    comparison: Comparison | None = None,
    state_at: datetime | None = None,
) -> dict[str, Any]:
    """The export document as one value (for the spreadsheets)."""
    document = _head(evaluation, generated_at, comparison, state_at)
    document["flags"] = [_flag(flag, comparison) for flag in evaluation.flags]
    return document


def _encode(value: Any) -> bytes:
    """JSON as `json.dumps(value, indent=2, ensure_ascii=False)` writes it, in C: same
    separators, same 2-space indent, non-ASCII as UTF-8, control characters as \\u00XX
    (tests/test_export.py compares the two byte for byte)."""
    return orjson.dumps(value, option=orjson.OPT_INDENT_2)


def export_chunks(
    evaluation: Evaluation,
    generated_at: datetime | None = None,
    *,
    comparison: Comparison | None = None,
    state_at: datetime | None = None,
) -> Iterator[bytes]:
    """The export as UTF-8 bytes, a few thousand flags at a time: memory stays that of
    the evaluation whatever the number of flags."""
    head = _head(evaluation, generated_at or datetime.now(UTC), comparison, state_at)
    text = _encode(head)
    if not evaluation.flags:
        yield text + b"\n"
        return
    closing = b"[]\n}"
    assert text.endswith(closing)
    yield text[: -len(closing)] + b"[\n"
    flags = evaluation.flags
    templates: dict[tuple[Any, ...], _Template | None] = {}
    separator = b""
    for start in range(0, len(flags), CHUNK_FLAGS):
        chunk = flags[start : start + CHUNK_FLAGS]
        yield separator + b",\n".join(_flag_texts(chunk, comparison, templates))
        separator = b",\n"
    yield b"\n  ]\n}\n"


_Template = tuple[bytes, bytes, bytes, bytes]
_MARKS = ("\x00message", "\x00subject id", "\x00subject name")
_RUN = flag_fields("rule", "recommendation", "severity", "title", "subject_type", "waiver")
"""What the flags of a run that share a template have in common (all but the message and
the subject's id and name)."""
_MESSAGE, _SUBJECT_ID, _SUBJECT_NAME = (
    flag_fields("message"),
    flag_fields("subject_id"),
    flag_fields("subject_name"),
)


def _flag_text(flag: Flag, comparison: Comparison | None) -> bytes:
    """The flag as it stands in the export's list: each line indented 4 spaces.

    A JSON text has no raw newline inside its strings, so every newline starts a line."""
    return b"    " + _encode(_flag(flag, comparison)).replace(b"\n", b"\n    ")


def _template(flag: Flag) -> _Template | None:
    """The text of `flag` around its message, subject id and subject name, cut from the
    text of the flag with a mark in each; None if a mark isn't found exactly once (a
    rule's title could hold one)."""
    marked = flag._replace(message=_MARKS[0], subject_id=_MARKS[1], subject_name=_MARKS[2])
    rest = _flag_text(marked, None)
    pieces = []
    for mark in _MARKS:
        encoded = _encode(mark)
        if rest.count(encoded) != 1:
            return None
        before, rest = rest.split(encoded)
        pieces.append(before)
    return (pieces[0], pieces[1], pieces[2], rest)


def _flag_texts(
    flags: list[Flag],
    comparison: Comparison | None,
    templates: dict[tuple[Any, ...], _Template | None],
) -> list[bytes]:
    """Each flag's text (`_flag_text`). An unwaived flag's is its rule's template filled
    in with the encoded message, id and name, all in C: encoding a dict per flag was
    0.1 s of an export at 100,000 channels."""
    texts: list[bytes] = []
    for key, group in groupby(flags, _RUN):
        run = list(group)
        template = None
        if comparison is None and key[-1] is None:
            if key not in templates:
                templates[key] = _template(run[0])
            template = templates[key]
        if template is None:
            texts.extend(_flag_text(flag, comparison) for flag in run)
            continue
        head, after_message, after_id, tail = template
        count = len(run)
        # orjson.dumps itself (a string is encoded the same with or without indent)
        filled = zip(
            repeat(head, count),
            map(orjson.dumps, map(_MESSAGE, run)),
            repeat(after_message, count),
            map(orjson.dumps, map(_SUBJECT_ID, run)),
            repeat(after_id, count),
            map(orjson.dumps, map(_SUBJECT_NAME, run)),
            repeat(tail, count),
            strict=True,
        )
        texts.extend(map(b"".join, filled))
    return texts


def export_text(
    evaluation: Evaluation,
    generated_at: datetime | None = None,
    *,
    comparison: Comparison | None = None,
    state_at: datetime | None = None,
) -> str:
    chunks = export_chunks(evaluation, generated_at, comparison=comparison, state_at=state_at)
    return b"".join(chunks).decode("utf-8")


def write_export(path: Path | str, text: Data, *, database: Path | None = None) -> None:
    """Write the export atomically (a reader sees the old file or the new one, whole);
    never over `database` or its companion files."""
    write_text_file(Path(path), text, database=database)


FLAGS_HEADER = (
    "severity", "rule", "recommendation", "subject_type", "subject_id", "subject_name",
    "message", "waived", "waiver_reason", "waiver_until",
)  # fmt: skip


def flags_table(document: dict[str, Any]) -> Table:
    """The export's flags, one row each in the export's order (spreadsheets spec)."""
    from inventory.sheets import Table  # XML writing: not for the JSON export

    return Table(
        "Flags",
        FLAGS_HEADER,
        (
            [
                flag["severity"],
                flag["rule"],
                flag["recommendation"],
                flag["subject"]["type"],
                flag["subject"]["id"],
                flag["subject"]["name"],
                flag["message"],
                "true" if flag["waived"] else "false",
                flag["waiver"]["reason"] if flag["waiver"] else None,
                flag["waiver"]["until"] if flag["waiver"] else None,
            ]
            for flag in document["flags"]
        ),
    )


def export_spreadsheet(document: dict[str, Any], suffix: str) -> str | bytes:
    """The flags as `.csv` text or `.xlsx` bytes."""
    from inventory.sheets import csv_text, xlsx_bytes

    table = flags_table(document)
    return csv_text(table) if suffix == ".csv" else xlsx_bytes([table])
