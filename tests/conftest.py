"""Shared fixtures: throwaway databases built from small inventory documents."""

from __future__ import annotations

import gc
import os
import sys

# This machine sets PYTHONDONTWRITEBYTECODE=1: every xdist worker and every child process (the
# rules' child of each app, the CLI runs) compiled the package and its dependencies from source
# again. The suite lets them write and share the compiled files; nothing a test asserts depends
# on it. Set first, before this process imports the package and before the workers start.
os.environ.pop("PYTHONDONTWRITEBYTECODE", None)
sys.dont_write_bytecode = False

# The cyclic GC's default thresholds (700, 10, 10) collect every few hundred new objects and
# walk the whole heap every ~70,000: a test process holds every earlier test's apps and
# screens, and the UI tests allocate millions of small objects (styles, strips, segments).
# Measured on the UI tests (test_pilot + test_keys, -n 0, alternating runs): 29.7 s of CPU
# with the defaults, 26.1 s with these. Garbage is still collected (young objects every
# 50,000 allocations); the rules child and the CLI runs are other interpreters and keep theirs.
gc.set_threshold(50_000, 50, 100)

import contextlib
import copy
import importlib
import json
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

from inventory.cli import main
from inventory.rules import deadline

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "sample_db" / "acme.json"

LONG_FIRST = (
    "tests/test_typing.py",
    "tests/test_crash.py",
    "tests/test_deadlines.py",
    "tests/tui/",
)
"""Where the long tests are (mypy alone takes 10-20 s). xdist hands tests out in collection
order, so these go first: collected last, one of them would end the run alone on one core."""


def pytest_xdist_auto_num_workers(config: pytest.Config) -> int | None:
    """`-n auto` (the addopts): two workers per core and one more. The UI tests spend
    much of their time waiting (the pilot sleeps 20 ms at a time until the app is idle,
    rules run in child processes): on an idle 2-core machine, 3 workers kept the cores
    busy 63% of the run (267 s of CPU in 211 s); 5 workers took 162 s (89%), and 8 no
    less (163 s). PYTEST_XDIST_AUTO_NUM_WORKERS still wins."""
    if os.environ.get("PYTEST_XDIST_AUTO_NUM_WORKERS"):
        return None
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    return 2 * (cores or 1) + 1


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    def rank(item: pytest.Item) -> int:
        return next(
            (n for n, prefix in enumerate(LONG_FIRST) if item.nodeid.startswith(prefix)),
            len(LONG_FIRST),
        )

    items.sort(key=rank)  # stable: each file keeps its order


MINIMAL_DOCUMENT: dict[str, Any] = {
    "format": "social-inventory/2",
    "organization": {"name": "Test Org", "email_domains": ["test.example"]},
    "departments": [
        {"name": "Customer Care", "function": "customer_care", "social_access": "open"},
        {"name": "Marketing", "function": "marketing", "social_access": "open"},
    ],
    "people": [
        {
            "email": "anna@test.example",
            "name": "Anna",
            "department": "Marketing",
            "employment": "employee",
            "left_on": None,
        },
        {
            "email": "bruno@test.example",
            "name": "Bruno",
            "department": "Marketing",
            "employment": "employee",
            "left_on": None,
        },
        {
            "email": "ext@agency.example",
            "name": "Ext",
            "department": None,
            "employment": "external",
            "left_on": None,
        },
    ],
    "consultants": [
        {
            "name": "Trainer",
            "kind": "freelancer",
            "knowledge_transfer": True,
            "deliverables": ["Training"],
            "contract_end_on": None,
        }
    ],
    "policies": [
        {
            "version": "2026.1",
            "title": "Social media policy",
            "status": "approved",
            "legal_reviewed_on": "2026-01-15",
            "next_review_on": "2027-01-15",
        }
    ],
    "channels": [
        {
            "platform": "instagram",
            "handle": "@test",
            "name": "Test Instagram",
            "url": "https://www.instagram.com/test",
            "status": "active",
            "owner": "anna@test.example",
            "backup_owner": None,
            "reporting_department": "Marketing",
            "linked_departments": ["Customer Care"],
            "consultants": [{"consultant": "Trainer", "role": "advisory"}],
            "credentials_holder": "in_house",
            "policy": "2026.1",
            "weekly_hours": 4,
            "last_post_on": "2026-11-20",
            "goals": ["relationship"],
            "notes": "",
            "admins": ["bruno@test.example"],
            "login_email": "social@test.example",
            "two_factor": "on",
            "reviewed_on": "2026-10-01",
        }
    ],
    "lookalikes": [],
}


def as_format_1(document: dict[str, Any]) -> dict[str, Any]:
    """The same document in `social-inventory/1`: without the fields `/2` added."""
    old = copy.deepcopy(document)
    old["format"] = "social-inventory/1"
    old.pop("lookalikes", None)
    old["organization"].pop("email_domains", None)
    for person in old["people"]:
        person.pop("left_on", None)
    for channel in old["channels"]:
        for field in ("admins", "login_email", "two_factor", "reviewed_on"):
            channel.pop(field, None)
    return old


@pytest.fixture
def minimal_document() -> dict[str, Any]:
    """A small, healthy document: no rule fires on it at 2026-11-26."""
    return copy.deepcopy(MINIMAL_DOCUMENT)


def run_cli(*args: str, input: str | None = None) -> Result:
    return CliRunner().invoke(main, [str(a) for a in args], input=input)


@pytest.fixture
def cli() -> Callable[..., Result]:
    return run_cli


@pytest.fixture
def write_document(tmp_path: Path) -> Callable[[Any, str], Path]:
    def write(document: Any, name: str = "doc.json") -> Path:
        path = tmp_path / name
        text = document if isinstance(document, str) else json.dumps(document, ensure_ascii=False)
        path.write_text(text, encoding="utf-8")
        return path

    return write


@pytest.fixture
def make_db(tmp_path: Path, write_document) -> Callable[[dict[str, Any]], Path]:
    """Build a database from a document through the public `import` command."""
    counter = iter(range(1000))

    def make(document: dict[str, Any]) -> Path:
        n = next(counter)
        db = tmp_path / f"inventory-{n}.db"
        result = run_cli("import", db, write_document(document, f"source-{n}.json"))
        assert result.exit_code == 0, result.output
        return db

    return make


@pytest.fixture(scope="session")
def sample_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The shipped sample in a database, built once per test process: tests get copies
    (building it costs ~0.3 s of CPU, a copy ~1 ms). Never open this one."""
    from inventory.sample import build_sample

    path = tmp_path_factory.mktemp("template") / "sample.db"
    build_sample(path)
    return path


def copy_database(template: Path, path: Path) -> Path:
    """A copy of a closed database file (with its write-ahead log, should one be left)."""
    for suffix in ("", "-wal"):
        if Path(f"{template}{suffix}").exists():
            shutil.copyfile(f"{template}{suffix}", f"{path}{suffix}")
    return path


@pytest.fixture
def sample_db(tmp_path: Path, sample_template: Path) -> Path:
    """The shipped sample in a fresh database of this test's own."""
    return copy_database(sample_template, tmp_path / "sample.db")


# --- rules engine fixtures ------------------------------------------------------------------


def run_in_process(
    job: deadline.Job, *, per_task: float, total: float, ready: bool = False
) -> list[deadline.Outcome]:
    """`deadline.run_with_deadline` without the child: the same worker (the sandbox's
    `rule_worker`, with its own read-only connection and per-rule progress handler) called
    in this process, the outcomes collected as the child reports them. A worker that raises
    stops the way a child that dies does: that task is reported as stopped and the rest
    carry on. Nothing can be killed: only for rules that end."""
    module, _, function = job.worker.partition(":")
    worker = getattr(importlib.import_module(module), function)
    outcomes: list[deadline.Outcome] = []

    def report(message: Any) -> None:
        if message != "start":
            outcomes.append(message)

    while len(outcomes) < len(job.tasks):
        with contextlib.suppress(Exception):
            worker(job.setup, job.tasks[len(outcomes) :], report)
        if len(outcomes) < len(job.tasks):
            outcomes.append(deadline.Outcome(error="stopped unexpectedly while running"))
    return outcomes


@pytest.fixture
def rules_in_process(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> None:
    """The rules run in this process, not in a child. Each evaluation starts a fresh
    interpreter that imports the sandbox (each app one more, ahead of its next save): tens
    of ms of CPU each, from a test process of hundreds of MB. For tests of what the rules
    flag and of the UI (autouse in tests/tui); the child itself (deadlines, killing, the
    ready child) is tested in test_deadlines.py and test_crash.py, and a test that needs it
    is marked `rules_child`. `sandbox.run_rules` imports `run_with_deadline` when called,
    so this replaces it."""
    if request.node.get_closest_marker("rules_child") is None:
        monkeypatch.setattr(deadline, "run_with_deadline", run_in_process)


AS_OF = "2026-11-26"


def check_json(db: Path, *args: str, as_of: str = AS_OF) -> tuple[int, dict[str, Any]]:
    """`inventory check DB --format json`: (exit code, parsed export)."""
    result = run_cli("check", db, "--format", "json", "--as-of", as_of, *args)
    assert result.exit_code in (0, 1), result.output
    return result.exit_code, json.loads(result.stdout)


def flag_keys(export: dict[str, Any]) -> list[tuple[str, str]]:
    """(rule, subject id) of every flag in an export, in export order."""
    return [(flag["rule"], flag["subject"]["id"]) for flag in export["flags"]]


def database_at_schema(path: Path, version: int) -> Any:
    """A new database as an older version left it: the first `version` migrations only
    (a sqlite_utils.Database, open)."""
    import sqlite_utils
    from sqlite_utils.migrations import Migrations

    from inventory import schema

    migrations = Migrations("inventory")
    for name, function in schema.MIGRATIONS[:version]:
        migrations(name=name)(function)
    db = sqlite_utils.Database(path)
    migrations.apply(db)
    db.execute(f"PRAGMA user_version = {version}")
    return db
