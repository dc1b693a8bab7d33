"""Issue 10, hangs: the rule deadline holds even when one SQLite step lasts minutes, a
whole evaluation is capped, listing rules runs none, messages are capped, and custom
rules read the facts views only."""

from __future__ import annotations

import json
import os
import sqlite3
import time
from contextlib import closing
from datetime import date
from pathlib import Path

import pytest
from conftest import AS_OF, check_json, run_cli

ONE_STEP_PRINTF = "length(printf('%.*c', 2147483647, 'x')) > 0"
ONE_STEP_INSTR = "instr(printf('%.*c', 900000, 'a'), printf('%.*c', 400000, 'a') || 'b') >= 0"
PER_ROW_PRINTF = "length(printf('%.*c', 2147483647, subject_id)) > 0"
SLOW_BUT_STEPPING = (
    "(WITH RECURSIVE r(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM r) "
    "SELECT count(*) FROM r WHERE n < 0) >= 0"
)
LIMIT_SECONDS = 6.0
"""Rule deadline (1 s here), the kill grace (0.5 s), the process start and the report,
with room for a loaded 2-core machine."""


def insert_rules(db: Path, rules: dict[str, str], message: str = "'slow'") -> None:
    """Put rules straight into the table, as another tool (or an old version) could."""
    with closing(sqlite3.connect(db)) as conn, conn:
        conn.executemany(
            """INSERT INTO rules (code, recommendation, title, severity, subject_type,
                   condition, message) VALUES (?, 1, 'Slow', 'error', 'channel', ?, ?)""",
            [(code, condition, message) for code, condition in rules.items()],
        )


@pytest.fixture
def short_deadline(monkeypatch) -> None:
    monkeypatch.setenv("INVENTORY_RULE_TIMEOUT", "1")


@pytest.mark.parametrize("condition", [ONE_STEP_PRINTF, ONE_STEP_INSTR, PER_ROW_PRINTF])
def test_a_single_step_that_never_ends_is_stopped_at_the_deadline(
    condition, sample_db, short_deadline
) -> None:
    insert_rules(sample_db, {"X950": condition})
    started = time.monotonic()
    _, export = check_json(sample_db)
    assert time.monotonic() - started < LIMIT_SECONDS
    broken = {item["rule"]: item["error"] for item in export["summary"]["broken_rules"]}
    assert "took longer than 1 s" in broken["X950"]
    assert export["flags"]  # the other rules still ran


@pytest.mark.parametrize("command", ["check", "export"])
def test_every_evaluating_command_keeps_the_deadline(
    command, sample_db, short_deadline, tmp_path
) -> None:
    insert_rules(sample_db, {"X950": ONE_STEP_PRINTF, "X951": PER_ROW_PRINTF})
    started = time.monotonic()
    args = ["-o", str(tmp_path / "f.json")] if command == "export" else []
    result = run_cli(command, sample_db, "--as-of", AS_OF, *args)
    assert result.exit_code in (0, 1), result.output
    assert time.monotonic() - started < 2 * LIMIT_SECONDS
    assert "X950, X951" in result.stderr


def test_a_rule_that_never_ends_is_refused_when_added(sample_db, short_deadline, tmp_path):
    rule = tmp_path / "slow.json"
    rule.write_text(
        json.dumps(
            {
                "code": "X952",
                "recommendation": 1,
                "title": "slow",
                "severity": "warning",
                "subject_type": "channel",
                "condition": ONE_STEP_PRINTF,
                "message": "'m'",
            }
        )
    )
    started = time.monotonic()
    result = run_cli("rules", sample_db, "--add", rule)
    assert time.monotonic() - started < LIMIT_SECONDS
    assert result.exit_code == 2
    assert "took longer than 1 s" in result.stderr
    assert "X952" not in run_cli("rules", sample_db).output


def test_listing_rules_evaluates_none(sample_db, short_deadline) -> None:
    insert_rules(sample_db, {"X950": ONE_STEP_PRINTF, "X953": "no_such_column = 1"})
    started = time.monotonic()
    listing = run_cli("rules", sample_db)
    explained = run_cli("rules", sample_db, "--explain", "X950")
    assert time.monotonic() - started < 1.0
    assert listing.exit_code == 0 and explained.exit_code == 0
    assert "X950" in listing.output
    assert "no such column: no_such_column" in listing.output  # compiled, not run


def test_the_whole_evaluation_is_capped(sample_db, monkeypatch) -> None:
    monkeypatch.setenv("INVENTORY_RULE_TIMEOUT", "1")
    monkeypatch.setenv("INVENTORY_EVALUATION_TIMEOUT", "2.5")
    insert_rules(sample_db, {f"X96{n}": SLOW_BUT_STEPPING for n in range(8)})
    started = time.monotonic()
    _, export = check_json(sample_db)
    assert time.monotonic() - started < 2.5 + LIMIT_SECONDS
    broken = {item["rule"]: item["error"] for item in export["summary"]["broken_rules"]}
    assert {f"X96{n}" for n in range(8)} <= set(broken)
    assert any("ran out of time" in error for error in broken.values())


def test_long_messages_are_capped(sample_db) -> None:
    insert_rules(sample_db, {"X970": "is_live"}, message="printf('%.*c', 900000, 'm')")
    _, export = check_json(sample_db)
    messages = [flag["message"] for flag in export["flags"] if flag["rule"] == "X970"]
    assert messages
    assert all(len(message) == 1000 and message.endswith("…") for message in messages)
    started = time.monotonic()
    result = run_cli("check", sample_db, "--as-of", AS_OF)
    assert time.monotonic() - started < LIMIT_SECONDS
    assert len(result.output) < len(messages) * 1_200 + 20_000


READS_OUTSIDE_THE_FACTS = {
    "X980": "EXISTS (SELECT 1 FROM people WHERE email LIKE 'a%')",
    "X981": "(SELECT count(*) FROM history WHERE user = 'x') >= 0",
    "X982": "(SELECT max(reason) FROM waivers) IS NULL",
    "X983": "EXISTS (SELECT 1 FROM sqlite_master)",
    "X984": "(SELECT email FROM people LIMIT 1) IS NOT NULL",
    "X985": "$a(') OR 1) UNION SELECT email, email, email FROM people --') = 1",
    "X986": "is_live AND $a(';') = 1",
}


def test_rules_read_the_facts_views_only(sample_db) -> None:
    insert_rules(sample_db, READS_OUTSIDE_THE_FACTS)
    _, export = check_json(sample_db)
    broken = {item["rule"]: item["error"] for item in export["summary"]["broken_rules"]}
    assert set(broken) == set(READS_OUTSIDE_THE_FACTS)
    for code in ("X980", "X981", "X982", "X983", "X984"):
        assert "read the facts views" in broken[code]
    assert not any(flag["rule"] in READS_OUTSIDE_THE_FACTS for flag in export["flags"])


def test_what_rules_may_still_use(sample_db) -> None:
    allowed = {
        "X990": "EXISTS (SELECT 1 FROM facts_department WHERE name = reporting_department)",
        "X991": "EXISTS (SELECT 1 FROM json_each(goals))",
        "X992": "(WITH RECURSIVE r(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM r "
        "WHERE n < 3) SELECT max(n) FROM r) = 3",
    }
    insert_rules(sample_db, allowed)
    _, export = check_json(sample_db)
    assert export["summary"]["broken_rules"] == []
    assert {flag["rule"] for flag in export["flags"]} >= set(allowed)


def test_a_child_that_reports_every_task_but_exits_late_gives_one_outcome_per_task(
    tmp_path, monkeypatch
):
    """Seen at 100,000 channels on a loaded machine: the last rule reported, then the
    evaluation's cap passed before the child closed its output; an extra "ran out of time"
    outcome made `check` crash (zip() argument 2 is longer than argument 1)."""
    from inventory.rules.deadline import Job, run_with_deadline

    (tmp_path / "late_exit.py").write_text(
        "import time\n"
        "from inventory.rules.deadline import Outcome\n"
        "def worker(setup, tasks, report):\n"
        "    for task in tasks:\n"
        "        report(Outcome(value=task))\n"
        "    time.sleep(setup)\n"
    )
    monkeypatch.setenv("PYTHONPATH", f"{tmp_path}{os.pathsep}{os.environ.get('PYTHONPATH', '')}")
    # the cap (3 s) leaves the child time to start and report on a loaded machine; the test
    # lasts as long as the cap, since the child never exits by itself
    outcomes = run_with_deadline(Job("late_exit:worker", 60, [1, 2]), per_task=60, total=3)
    assert [outcome.value for outcome in outcomes] == [1, 2]


def test_a_ready_child_waits_for_the_next_run_and_gives_the_same_outcomes(tmp_path, monkeypatch):
    """The UI asks for a ready child: the next run (a save) doesn't wait for an interpreter
    to start; its outcomes are those of a child started on demand."""
    from inventory.rules import deadline

    (tmp_path / "who_runs.py").write_text(
        "import os\n"
        "from inventory.rules.deadline import Outcome\n"
        "def worker(setup, tasks, report):\n"
        "    for task in tasks:\n"
        "        report('start')\n"
        "        report(Outcome(value=(task * setup, os.getpid())))\n"
    )
    monkeypatch.setenv("PYTHONPATH", f"{tmp_path}{os.pathsep}{os.environ.get('PYTHONPATH', '')}")
    job = deadline.Job("who_runs:worker", 10, [1, 2])
    cold = deadline.run_with_deadline(job, per_task=60, total=60)
    assert "who_runs:worker" not in deadline._ready  # only when asked for
    deadline.run_with_deadline(job, per_task=60, total=60, ready=True)
    waiting = deadline._ready["who_runs:worker"]
    assert waiting.poll() is None
    warm = deadline.run_with_deadline(job, per_task=60, total=60)
    assert [o.value[0] for o in warm] == [o.value[0] for o in cold] == [10, 20]
    assert {o.value[1] for o in warm} == {waiting.pid}
    assert waiting.wait(timeout=10) is not None  # killed and reaped after its run
    assert "who_runs:worker" not in deadline._ready


def test_a_ready_child_whose_parent_never_sends_a_job_ends_quietly() -> None:
    import subprocess
    import sys

    child = subprocess.Popen(
        [sys.executable, "-c", "from inventory.rules.deadline import child; child()",
         "inventory.rules.sandbox"],
        stdin=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )  # fmt: skip
    _, stderr = child.communicate(b"", timeout=30)
    assert child.returncode == 0
    assert stderr == b""


BOTH_ENDS_WORKER = """\
import os, time
from inventory.rules.deadline import Outcome
def worker(setup, tasks, report):
    for kind, value in tasks:
        report("start")
        if kind == "hang":
            time.sleep(60)
        if kind == "die":
            os._exit(3)
        time.sleep(value)
        report(Outcome(value=(value, os.getpid())))
"""


@pytest.fixture
def both_ends_worker(tmp_path, monkeypatch) -> str:
    (tmp_path / "both_ends.py").write_text(BOTH_ENDS_WORKER)
    monkeypatch.setenv("PYTHONPATH", f"{tmp_path}{os.pathsep}{os.environ.get('PYTHONPATH', '')}")
    return "both_ends:worker"


def test_two_children_share_the_tasks_and_report_them_in_order(both_ends_worker) -> None:
    from inventory.rules.deadline import Job, run_from_both_ends

    tasks = [("ok", 0.2 + index / 1000) for index in range(6)]
    outcomes = run_from_both_ends(Job(both_ends_worker, None, tasks), per_task=60, total=60)
    assert [outcome.value[0] for outcome in outcomes] == [value for _, value in tasks]
    assert len({outcome.value[1] for outcome in outcomes}) == 2  # each child ran some


@pytest.mark.parametrize(
    ("kind", "error"),
    [
        ("hang", "took longer than 1 s and was stopped"),
        ("die", "stopped unexpectedly while running"),
    ],
)
def test_with_two_children_a_task_that_hangs_or_kills_its_child_is_the_only_one_lost(
    both_ends_worker, kind, error
) -> None:
    from inventory.rules.deadline import Job, run_from_both_ends

    tasks = [("ok", 0.01), ("ok", 0.02), (kind, 0), ("ok", 0.03), ("ok", 0.04)]
    outcomes = run_from_both_ends(Job(both_ends_worker, None, tasks), per_task=1, total=60)
    assert [outcome.error for outcome in outcomes] == [None, None, error, None, None]
    assert [outcome.value[0] for outcome in outcomes if outcome.value] == [0.01, 0.02, 0.03, 0.04]


def test_with_two_children_the_whole_evaluation_is_still_capped(both_ends_worker) -> None:
    from inventory.rules.deadline import Job, run_from_both_ends

    tasks = [("hang", 0), ("ok", 0), ("ok", 0), ("hang", 0)]
    started = time.monotonic()
    outcomes = run_from_both_ends(Job(both_ends_worker, None, tasks), per_task=60, total=2)
    assert time.monotonic() - started < LIMIT_SECONDS
    stopped, skipped = "stopped: the evaluation ran out of time", "not evaluated: the evaluation"
    errors = [outcome.error for outcome in outcomes]
    assert errors[0] == errors[3] == stopped
    assert all(error.startswith(skipped) for error in errors[1:3])


def test_an_evaluation_split_between_two_children_gives_the_same_flags(
    sample_db, monkeypatch
) -> None:
    from inventory.rules import deadline, sandbox
    from inventory.rules.evaluate import evaluate_rules
    from inventory.store import open_store

    both_ends = []

    def spy(*args, **kwargs):
        both_ends.append(args)
        return run_from_both_ends(*args, **kwargs)

    run_from_both_ends = deadline.run_from_both_ends
    monkeypatch.setattr(deadline, "run_from_both_ends", spy)
    with open_store(sample_db) as store:
        one = evaluate_rules(store, date.fromisoformat(AS_OF))
        assert not both_ends  # the sample is too small to be worth a second child
        monkeypatch.setattr(sandbox, "TWO_CHILDREN_MIN_ROWS", 0)
        monkeypatch.setattr(sandbox, "_cores", lambda: 2)
        two = evaluate_rules(store, date.fromisoformat(AS_OF))
    assert len(both_ends) == 1
    assert two.flags == one.flags and two.broken_rules == one.broken_rules
    assert len(one.flags) > 10


def test_an_interrupt_stops_both_children_at_once(both_ends_worker) -> None:
    """Ctrl-C during `check` on a large inventory: the other child stops at its next rule,
    not after its share of them."""
    import signal

    from inventory.rules.deadline import Job, run_from_both_ends

    def interrupt(*_: object) -> None:
        raise KeyboardInterrupt

    tasks = [("ok", 1.5)] * 8  # 6 s for each child's share
    previous = signal.signal(signal.SIGALRM, interrupt)
    started = time.monotonic()
    try:
        signal.setitimer(signal.ITIMER_REAL, 1.0)
        with pytest.raises(KeyboardInterrupt):
            run_from_both_ends(Job(both_ends_worker, None, tasks), per_task=60, total=60)
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
    assert time.monotonic() - started < 4.0
