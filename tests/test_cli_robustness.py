"""Issue 10, crashes: huge, deep or non-finite numbers, bad environment variables, paths
that are not files, and output that can't be written: one line and exit 2 (a warning and
the default for the environment), never a traceback, never a hang."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import AS_OF, run_cli

COMMANDS = [
    ("check",),
    ("dump",),
    ("export", "-o", "{tmp}/out.json"),
    ("import", "{doc}"),
    ("rules",),
    ("history",),
    ("waivers",),
    ("undo",),
    ("waive", "R101", "instagram/@test", "--reason", "x"),
]


def _one_line(result, expected: str) -> None:
    assert result.exit_code == 2, result.output
    assert expected in result.stderr
    assert "Traceback" not in result.output
    assert len(result.stderr.strip().splitlines()) == 1, result.stderr


def _inventory(*args: object, timeout: float = 30, **kwargs) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "inventory", *map(str, args)],
        capture_output="stdout" not in kwargs,
        timeout=timeout,
        **kwargs,
    )


# --- numbers ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ('"weekly_hours": 9223372036854775808', "too large (beyond 64 bits)"),
        ('"weekly_hours": ' + "9" * 5000, "too large (beyond 64 bits)"),
        ('"weekly_hours": NaN', "NaN is not a number JSON allows"),
        ('"weekly_hours": Infinity', "Infinity is not a number JSON allows"),
        ('"weekly_hours": 1e999', "too large"),
        ('"notes": ' + "[" * 100_000 + "]" * 100_000, "nested too deeply"),
    ],
)
def test_numbers_and_nesting_in_a_document(
    text, expected, make_db, minimal_document, tmp_path
) -> None:
    db = make_db(minimal_document)
    before = db.read_bytes()
    document = json.dumps(minimal_document).replace('"weekly_hours": 4', text)
    (tmp_path / "bad.json").write_text(document)
    result = run_cli("import", db, tmp_path / "bad.json")
    assert result.exit_code == 2
    assert expected in result.stderr
    assert "Traceback" not in result.output
    assert db.read_bytes() == before


@pytest.mark.parametrize(
    "value", ["100000000000000000000", "-9223372036854775809", "NaN", "Infinity", "1e999"]
)
def test_set_param_with_an_impossible_number(value, sample_db) -> None:
    before = sample_db.read_bytes()
    result = run_cli("rules", sample_db, "--set-param", "R601", f"min_weekly_hours={value}")
    _one_line(result, "--set-param")
    assert sample_db.read_bytes() == before


@pytest.mark.parametrize(
    "parameters", ['{"n": 100000000000000000000}', '{"n": NaN}', '{"n": -Infinity}']
)
def test_rule_file_with_an_impossible_number(parameters, sample_db, tmp_path) -> None:
    rule = tmp_path / "rule.json"
    rule.write_text(
        '{"code": "X1", "recommendation": 1, "title": "t", "severity": "info", '
        f'"subject_type": "channel", "parameters": {parameters}, '
        '"condition": "is_live AND :n > 0", "message": "\'m\'"}'
    )
    for option in ("--add", "--edit"):
        result = run_cli("rules", sample_db, option, rule)
        assert result.exit_code == 2
        assert "Traceback" not in result.output
        assert len(result.stderr.strip().splitlines()) == 1, result.stderr


def test_history_limit_beyond_64_bits(sample_db) -> None:
    _one_line(run_cli("history", sample_db, "--limit", "9" * 20), "--limit")
    assert run_cli("history", sample_db, "--limit", str(2**63 - 1)).exit_code == 0


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("INVENTORY_BUSY_TIMEOUT", "abc"),
        ("INVENTORY_BUSY_TIMEOUT", "nan"),
        ("INVENTORY_BUSY_TIMEOUT", "1e400"),
        ("INVENTORY_RULE_TIMEOUT", "nan"),
        ("INVENTORY_RULE_TIMEOUT", "inf"),
        ("INVENTORY_RULE_TIMEOUT", "-1"),
        ("INVENTORY_RULE_TIMEOUT", "0"),
        ("INVENTORY_EVALUATION_TIMEOUT", "abc"),
    ],
)
def test_bad_environment_values_warn_and_use_the_default(name, value, sample_db) -> None:
    result = _inventory("check", sample_db, "--as-of", AS_OF, env={**os.environ, name: value})
    assert result.returncode == 1, result.stderr  # the sample has error flags
    stderr = result.stderr.decode()
    assert f"warning: {name}=" in stderr
    assert "Traceback" not in stderr
    assert "broken rule" not in stderr


# --- paths that are not files ------------------------------------------------------------------


def _run_all(db: Path, tmp_path: Path, doc: Path) -> list[subprocess.CompletedProcess]:
    return [
        _inventory(
            *[a.format(tmp=tmp_path, doc=doc) for a in command[:1]],
            db,
            *[a.format(tmp=tmp_path, doc=doc) for a in command[1:]],
            timeout=20,
        )
        for command in COMMANDS
    ]


def test_a_fifo_as_the_database_is_refused_at_once(tmp_path, write_document, minimal_document):
    fifo = tmp_path / "inv.db"
    os.mkfifo(fifo)
    doc = write_document(minimal_document)
    for result in _run_all(fifo, tmp_path, doc):
        assert result.returncode == 2
        assert b"FIFO" in result.stderr
        assert len(result.stderr.strip().splitlines()) == 1
    assert fifo.is_fifo()


def test_a_device_as_the_database_is_refused(tmp_path, write_document, minimal_document):
    doc = write_document(minimal_document)
    for command in COMMANDS:
        args = [a.format(tmp=tmp_path, doc=doc) for a in command]
        _one_line(run_cli(args[0], "/dev/null", *args[1:]), "is a device")
    assert Path("/dev/null").is_char_device()


@pytest.mark.parametrize("suffix", ["-wal", "-shm", "-journal"])
def test_a_folder_named_like_a_companion_file(suffix, sample_db, tmp_path, write_document):
    Path(f"{sample_db}{suffix}").mkdir()
    before = sample_db.read_bytes()
    doc = write_document({"format": "social-inventory/1", "organization": {"name": "x"}})
    for command in COMMANDS:
        args = [a.format(tmp=tmp_path, doc=doc) for a in command]
        _one_line(run_cli(args[0], sample_db, *args[1:]), f"{suffix} is a folder")
    assert sample_db.read_bytes() == before


# --- output that can't be written -------------------------------------------------------------


@pytest.mark.parametrize(
    "command",
    [
        ("dump",),
        ("check", "--as-of", AS_OF),
        ("check", "--as-of", AS_OF, "--format", "json"),
        ("export", "-o", "-"),
        ("rules",),
        ("history",),
        ("waivers",),
    ],
)
def test_stdout_on_a_full_disk(command, sample_db) -> None:
    with open("/dev/full", "w") as full:
        result = _inventory(
            command[0], sample_db, *command[1:], stdout=full, stderr=subprocess.PIPE
        )
    assert result.returncode == 2
    assert result.stderr.decode().strip().splitlines() == [
        "inventory: the output could not be written: No space left on device"
    ]


@pytest.mark.parametrize("command", [("dump",), ("check", "--as-of", AS_OF), ("history",)])
def test_stdout_closed_by_the_reader(command, sample_db) -> None:
    read_end, write_end = os.pipe()
    os.close(read_end)
    try:
        result = _inventory(
            command[0], sample_db, *command[1:], stdout=write_end, stderr=subprocess.PIPE
        )
    finally:
        os.close(write_end)
    assert result.returncode == 2
    assert result.stderr.decode().strip().splitlines() == [
        "inventory: standard output was closed before all the output was written"
    ]
