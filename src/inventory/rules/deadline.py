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
    from collections.abc import Callable, Iterator, Sequence
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
    outcomes = _run_in_order(job, per_task, time.monotonic() + total, None)
    if ready:
        start_ahead(job.worker)
    return outcomes


def run_from_both_ends(
    job: Job, *, per_task: float, total: float, ready: bool = False
) -> list[Outcome]:
    """`run_with_deadline` by two children at the same time: one runs the tasks from the
    first on, the other from the last back, and each task is run by whichever starts it
    first; a child that reaches a task the other has started is stopped there. The work
    divides evenly between two cores whatever each task costs."""
    import threading

    count = len(job.tasks)
    starter: list[int | None] = [None] * count  # which end started each task
    lock = allocate_lock()
    deadline = time.monotonic() + total

    def claim_for(end: int) -> Callable[[int], bool]:
        def claim(position: int) -> bool:
            index = position if end == 0 else count - 1 - position
            with lock:
                if starter[index] is not None:
                    return False
                starter[index] = end
                return True

        return claim

    results: list[list[Outcome]] = [[], []]
    failures: list[BaseException] = []

    def run_backward() -> None:
        backward = Job(job.worker, job.setup, job.tasks[::-1])
        try:
            results[1] = _run_in_order(backward, per_task, deadline, claim_for(1))
        except BaseException as error:  # raised again in the caller's thread
            failures.append(error)

    thread = threading.Thread(target=run_backward, daemon=True)
    thread.start()
    try:
        results[0] = _run_in_order(job, per_task, deadline, claim_for(0))
    except BaseException:  # an interrupt: the other child stops at its next task
        with lock:
            starter[:] = [0 if end is None else end for end in starter]
        raise
    thread.join()
    if failures:
        raise failures[0]
    outcomes = []
    for index, end in enumerate(starter):
        position = index if end == 0 else count - 1 - index
        if end is not None and position < len(results[end]):
            outcomes.append(results[end][position])
        else:  # neither child got to it
            outcomes.append(Outcome(error="not evaluated: the evaluation ran out of time"))
    if ready:
        start_ahead(job.worker)
    return outcomes


def start_ahead(worker: str) -> None:
    """Start a child for `worker` now, unless one is waiting: the next run takes it, and
    its start overlaps with what this process does until then."""
    with _ready_lock:
        if worker not in _ready:
            _ready[worker] = _start_child(worker)


def _run_in_order(
    job: Job, per_task: float, deadline: float, claim: Callable[[int], bool] | None
) -> list[Outcome]:
    """Outcomes of the job's tasks in order, a new child after each one that is killed or
    dies. With `claim`, a task starts only if `claim(its position)` allows it: the first
    refusal ends the run there."""
    outcomes: list[Outcome] = []
    while len(outcomes) < len(job.tasks):
        done = len(outcomes)
        rest = Job(job.worker, job.setup, job.tasks[done:])
        rest_claim = None if claim is None else _shifted(claim, done)
        run, refused = _child_run(rest, per_task + GRACE_SECONDS, per_task, deadline, rest_claim)
        outcomes.extend(run)
        if refused:
            break
    return outcomes


def _shifted(claim: Callable[[int], bool], offset: int) -> Callable[[int], bool]:
    return lambda position: claim(offset + position)


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


def _child_run(
    job: Job,
    kill_after: float,
    per_task: float,
    deadline: float,
    claim: Callable[[int], bool] | None = None,
) -> tuple[list[Outcome], bool]:
    """Outcomes of the job's tasks, as far as one child gets before it ends or is killed;
    and whether it stopped because `claim` refused a task (see `_run_in_order`)."""
    child = _take_child(job.worker)
    assert child.stdin is not None and child.stdout is not None
    outcomes: list[Outcome] = []
    running = False  # a task has started and not reported yet

    def allowed() -> bool:
        """Whether the task at the next position is this child's to run or report."""
        return running or claim is None or claim(len(outcomes))

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
                if not allowed():
                    return outcomes, True
                running = True
                started[0] = time.monotonic()
            else:
                outcomes.append(message)
                running = False
        else:
            if len(outcomes) < len(job.tasks):  # the child died without a word
                if not allowed():
                    return outcomes, True
                outcomes.append(Outcome(error="stopped unexpectedly while running"))
            return outcomes, False
        if len(outcomes) == len(job.tasks):  # every task reported; only the exit was late
            return outcomes, False
        if not allowed():
            return outcomes, True
        if time.monotonic() >= deadline:
            missing = len(job.tasks) - len(outcomes)
            outcomes.append(Outcome(error="stopped: the evaluation ran out of time"))
            outcomes.extend(
                Outcome(error="not evaluated: the evaluation ran out of time")
                for _ in range(missing - 1)
            )
        else:
            outcomes.append(Outcome(error=f"took longer than {per_task:g} s and was stopped"))
        return outcomes, False
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
