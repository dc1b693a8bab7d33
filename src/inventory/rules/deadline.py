"""Running rule statements in a child process that is killed at the deadline.

SQLite's progress handler and `Connection.interrupt()` are only seen between VM steps,
and one step can last minutes (`printf('%.*c', 2147483647, 'x')`, `LIKE` or `instr` on
megabytes). A deadline that must hold whatever the rule therefore can't live in the
process that runs the statement: the rules run in a child process, which reports as each
rule starts and ends; the parent kills it when one rule overruns its deadline (that rule
is reported broken, a new child carries on with the next) or the whole evaluation
overruns its cap (the rules not yet run are reported as not evaluated).

The child is a fresh interpreter, not a fork: SQLite must not be carried across a fork
(its per-process lock bookkeeping would be shared with the parent's open connections),
and the UI process has threads. Starting it costs ~60 ms (measured, 2 cores), once per
evaluation; a caller that evaluates again and again (the UI, on every save) asks for a
`ready` child: the next one is started, its worker module imported, as soon as a run ends,
and waits for its job on stdin, so a save doesn't wait for an interpreter to start.
"""

from __future__ import annotations

import importlib
import os
import pickle
import struct
import sys
import time
from _thread import allocate_lock

# The child imports this module: what only the parent needs (subprocess, select) is
# imported where it is used, and nothing here imports typing or dataclasses (0.02 s of
# a child's start, which `check` pays once and the UI on every save).
TYPE_CHECKING = False
if TYPE_CHECKING:
    import subprocess
    from collections.abc import Iterator, Sequence
    from typing import Any

GRACE_SECONDS = 0.5
"""Past a rule's own deadline (which its progress handler enforces between steps), how
long the child gets before it is killed."""

_HEADER = struct.Struct("!I")

_ready: dict[str, subprocess.Popen[bytes]] = {}
"""A started child per worker module, waiting for its job (see `ready`)."""
_ready_lock = allocate_lock()


class Outcome:
    """What became of one task: `value` when it ran, else `error` says why not."""

    __slots__ = ("error", "value")

    def __init__(self, value: Any = None, error: str | None = None) -> None:
        self.value = value
        self.error = error

    def __reduce__(self) -> tuple[type[Outcome], tuple[Any, str | None]]:
        return (Outcome, (self.value, self.error))


class Job:
    """Work for a child: `worker` ("module:function") is called as
    `worker(setup, tasks, report)` and calls `report(Outcome)` once per task, in order;
    `setup` and the tasks must pickle."""

    __slots__ = ("setup", "tasks", "worker")

    def __init__(self, worker: str, setup: Any, tasks: Sequence[Any]) -> None:
        self.worker = worker
        self.setup = setup
        self.tasks = tasks

    def __reduce__(self) -> tuple[type[Job], tuple[str, Any, Sequence[Any]]]:
        return (Job, (self.worker, self.setup, self.tasks))


def run_with_deadline(
    job: Job, *, per_task: float, total: float, ready: bool = False
) -> list[Outcome]:
    """One Outcome per task of `job`, each task stopped after `per_task` seconds and all of
    them after `total`. With `ready`, a child for the next run is started when this one
    ends (the deadlines are the same: they count from when the job is handed over)."""
    outcomes: list[Outcome] = []
    deadline = time.monotonic() + total
    while len(outcomes) < len(job.tasks):
        rest = Job(job.worker, job.setup, job.tasks[len(outcomes) :])
        outcomes.extend(_child_run(rest, per_task + GRACE_SECONDS, per_task, deadline))
    if ready:
        with _ready_lock:
            if job.worker not in _ready:
                _ready[job.worker] = _start_child(job.worker)
    return outcomes


def _start_child(worker: str) -> subprocess.Popen[bytes]:
    import subprocess

    module = worker.partition(":")[0]
    return subprocess.Popen(
        [sys.executable, "-c", "from inventory.rules.deadline import child; child()", module],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        close_fds=True,
    )


def _take_child(worker: str) -> subprocess.Popen[bytes]:
    """The ready child for `worker` if there is one still waiting, else a new one."""
    with _ready_lock:
        child = _ready.pop(worker, None)
    if child is not None and child.poll() is None:
        return child
    return _start_child(worker)


def _child_run(job: Job, kill_after: float, per_task: float, deadline: float) -> list[Outcome]:
    """Outcomes of the job's tasks, as far as one child gets before it ends or is killed."""
    child = _take_child(job.worker)
    assert child.stdin is not None and child.stdout is not None
    outcomes: list[Outcome] = []
    try:
        try:
            child.stdin.write(pickle.dumps(job, protocol=pickle.HIGHEST_PROTOCOL))
            child.stdin.close()
        except BrokenPipeError:
            pass
        started = [time.monotonic()]  # when the running task began (read by the deadline)

        def stop_at() -> float:
            return min(started[0] + kill_after, deadline)

        for message in _messages(child.stdout.fileno(), stop_at):
            if message is None:
                break
            if message == "start":
                started[0] = time.monotonic()
            else:
                outcomes.append(message)
        else:
            if len(outcomes) < len(job.tasks):  # the child died without a word
                outcomes.append(Outcome(error="stopped unexpectedly while running"))
            return outcomes
        if len(outcomes) == len(job.tasks):  # every task reported; only the exit was late
            return outcomes
        if time.monotonic() >= deadline:
            missing = len(job.tasks) - len(outcomes)
            outcomes.append(Outcome(error="stopped: the evaluation ran out of time"))
            outcomes.extend(
                Outcome(error="not evaluated: the evaluation ran out of time")
                for _ in range(missing - 1)
            )
        else:
            outcomes.append(Outcome(error=f"took longer than {per_task:g} s and was stopped"))
        return outcomes
    finally:
        child.kill()
        child.wait()
        child.stdout.close()


def _messages(fd: int, deadline: Any) -> Iterator[Any]:
    """Messages from the child until it closes its output; None once `deadline()` passes."""
    import select

    buffer = bytearray()
    while True:
        remaining = deadline() - time.monotonic()
        if remaining <= 0:
            yield None
            return
        ready, _, _ = select.select([fd], [], [], remaining)
        if not ready:
            continue
        chunk = os.read(fd, 1 << 20)
        if not chunk:
            return
        buffer += chunk
        offset = 0
        while len(buffer) - offset >= _HEADER.size:
            (size,) = _HEADER.unpack_from(buffer, offset)
            if len(buffer) - offset - _HEADER.size < size:
                break
            start = offset + _HEADER.size
            yield pickle.loads(buffer[start : start + size])
            offset = start + size
        del buffer[:offset]


def child() -> None:
    """The child's side: import the worker's module (named in argv, if any) while the job
    isn't there yet, read the job from stdin, run it, report on stdout. A ready child whose
    parent ends without a job just ends."""
    for module in sys.argv[1:]:
        importlib.import_module(module)
    try:
        job: Job = pickle.load(sys.stdin.buffer)
    except EOFError:
        return
    out = sys.stdout.buffer

    def send(message: Any) -> None:
        data = pickle.dumps(message, protocol=pickle.HIGHEST_PROTOCOL)
        out.write(_HEADER.pack(len(data)))
        out.write(data)
        out.flush()

    module, _, function = job.worker.partition(":")
    worker = getattr(importlib.import_module(module), function)
    worker(job.setup, job.tasks, send)
