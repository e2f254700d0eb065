"""Where `extract_one` runs: in this process, in forked children, or on a Dask cluster.

Fault isolation (the `local` and `dask` executors): documents run in child
processes, forked from a process that has already imported the pipeline (a fork
costs milliseconds; a fresh interpreter would cost a second). A child reads a few
small documents one after another (up to DOCUMENTS_PER_CHILD, SMALL_INPUT_BYTES in
all; a big file alone), so that the caches one document fills serve the next
(a child per small report cost ~50 ms of CPU each, as much as reading it); a child
that read a scan ends after it (a scan's heap is not a worker's to keep). Each
document gets a memory cap (RLIMIT_AS: the child's address space when it starts
the document plus `max_memory_mb`) and its own deadline; the child ignores Ctrl-C
(the parent stops it) and dies with its parent. The parent waits on the children's
pipes: a document that raises, runs past `timeout`, runs out of memory or kills its
child gets a `failed` documents row with the reason, written by the parent; the
child's documents not yet started go to a new child, and the run goes on.
"""
from __future__ import annotations

import ctypes
import math
import os
import pickle
import select
import signal
import struct
import sys
import time
import warnings
from collections import deque
from dataclasses import dataclass
from typing import Callable, Iterable, Optional

from ..errors import RunNotStarted, describe_exception, out_of_memory
from . import batch as work
from .batch import DocumentOutcome, Task, record_failure
from .options import BatchOptions

OnDone = Callable[[Task, DocumentOutcome], None]
OnStart = Callable[[Task], None]
OnTick = Callable[[], None]
TICK_SECONDS = 0.5  # how often a waiting run calls on_tick (a progress bar's clock)
PR_SET_PDEATHSIG = 1
SCHEDULER_TIMEOUT = "20s"  # connecting to a Dask scheduler
DOCUMENTS_PER_CHILD = 8           # at most, one after another in one forked child
SMALL_INPUT_BYTES = 4 * 2**20     # a child's documents in all (a scan is read alone)
STOPPED = 3                       # a child's exit code: it stopped early (out of memory), the rest go on elsewhere
LENGTH = struct.Struct("<Q")      # each outcome on the pipe: its length, then its pickle


@dataclass(frozen=True)
class Limits:
    timeout: Optional[float]
    max_memory_mb: Optional[int]


def _nothing(*_args) -> None:
    pass


def run_inline(tasks: Iterable[Task], on_done: OnDone, on_start: OnStart = _nothing) -> None:
    """One document after another in this process: exceptions are caught, nothing else is bounded."""
    for task in tasks:
        on_start(task)
        try:
            outcome = work.extract_one(task)
        except Exception as exc:
            outcome = record_failure(task, work.unexpected(exc, task.options))
        on_done(task, outcome)


# --------------------------------------------------------------------------
# one document in a forked child
# --------------------------------------------------------------------------

def _address_space() -> int:
    """This process's address space (what RLIMIT_AS counts), from psutil: no /proc reads."""
    import psutil

    return psutil.Process().memory_info().vms


def _die_with_parent(parent_pid: int) -> None:
    try:
        ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
    except (OSError, AttributeError):  # not Linux: the pipe's EOF still ends an orphan's report
        pass
    if os.getppid() != parent_pid:
        os._exit(1)


def _cap_memory(max_memory_mb: int) -> None:
    import resource  # Unix only, as fork is

    cap = _address_space() + max_memory_mb * 2**20
    resource.setrlimit(resource.RLIMIT_AS, (cap, resource.getrlimit(resource.RLIMIT_AS)[1]))


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view):]


def _has_read_a_scan() -> bool:
    """Tesseract is loaded in this process: a scan was read. Its heap (the engine's model,
    page images) is not carried into another document: the child ends there."""
    tesseract = sys.modules.get("avance.extractors.tesseract")
    return tesseract is not None and tesseract.engine.cache_info().currsize > 0


def _child_main(tasks: list[Task], wfd: int, limits: Limits, parent_pid: int) -> None:
    code = 0
    try:
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        _die_with_parent(parent_pid)
        for task in tasks:
            try:
                if limits.max_memory_mb:
                    _cap_memory(limits.max_memory_mb)
                payload = ("done", work.extract_one(task))
            except MemoryError:
                payload = ("error", out_of_memory(limits.max_memory_mb))
                code = STOPPED  # this heap is not to be trusted with another document
            except BaseException as exc:
                payload = ("error", work.unexpected(exc, task.options))
            data = pickle.dumps(payload)
            _write_all(wfd, LENGTH.pack(len(data)) + data)
            if not code and _has_read_a_scan():
                code = STOPPED
            if code:
                break
    except BaseException:
        code = 1
    finally:
        for stream in (sys.stdout, sys.stderr):
            try:
                stream.flush()
            except Exception:
                pass
        os._exit(code)


class Child:
    """A forked process extracting a few documents one after another, with a deadline
    for the one it is on. `tasks` holds those not yet reported, the running one first."""

    def __init__(self, tasks: list[Task], limits: Limits):
        self.tasks, self.limits = deque(tasks), limits
        for stream in (sys.stdout, sys.stderr):  # else the child would print our buffered text again
            stream.flush()
        parent = os.getpid()
        rfd, wfd = os.pipe()
        with warnings.catch_warnings():  # a Dask worker is multi-threaded; the child only runs our code
            warnings.simplefilter("ignore", DeprecationWarning)
            pid = os.fork()
        if pid == 0:
            os.close(rfd)
            _child_main(tasks, wfd, limits, parent)
        os.close(wfd)
        self.pid, self.fd = pid, rfd
        self._start_clock()
        self.data = bytearray()
        self.reaped = False

    def _start_clock(self) -> None:
        self.deadline = time.monotonic() + self.limits.timeout if self.limits.timeout else None

    @property
    def task(self) -> Task:
        """The document being read."""
        return self.tasks[0]

    def fileno(self) -> int:
        return self.fd

    def read(self) -> list[tuple[Task, DocumentOutcome]]:
        """The documents finished since the last read. Once the child has closed its end:
        the document it was on fails if it died on it; `tasks` keeps those never started."""
        chunk = os.read(self.fd, 1 << 16)
        finished = []
        self.data += chunk
        while len(self.data) >= LENGTH.size:
            (size,) = LENGTH.unpack_from(self.data)
            if len(self.data) < LENGTH.size + size:
                break
            kind, value = pickle.loads(bytes(self.data[LENGTH.size:LENGTH.size + size]))
            del self.data[:LENGTH.size + size]
            task = self.tasks.popleft()
            finished.append((task, value if kind == "done" else record_failure(task, value)))
            self._start_clock()
        if not chunk:
            self._reap()
            stopped = os.WIFEXITED(self.status) and os.WEXITSTATUS(self.status) == STOPPED
            if self.tasks and not stopped:
                task = self.tasks.popleft()
                finished.append((task, record_failure(task, self._death(self.status))))
        return finished

    @property
    def ended(self) -> bool:
        return self.reaped

    def _death(self, status: int) -> str:
        if os.WIFSIGNALED(status):
            sig = os.WTERMSIG(status)
            name = signal.Signals(sig).name if sig in signal.Signals._value2member_map_ else str(sig)
            cap = self.limits.max_memory_mb
            hint = ("; if it ran out of memory, run again with a higher --max-memory-mb"
                    + (f" (it was {cap} MB)" if cap else "")) \
                if sig in (signal.SIGKILL, signal.SIGSEGV, signal.SIGABRT, signal.SIGBUS) else ""
            return f"worker process died (signal {name}){hint}"
        return f"worker process exited with code {os.WEXITSTATUS(status)} without a result"

    def _reap(self) -> None:
        os.close(self.fd)
        _, self.status = os.waitpid(self.pid, 0)
        self.reaped = True

    def kill(self) -> None:
        if self.reaped:  # its outcome was being recorded when the run was stopped
            return
        try:
            os.kill(self.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        self._reap()

    def timed_out(self) -> tuple[Task, DocumentOutcome]:
        self.kill()
        task = self.tasks.popleft()
        return task, record_failure(task, f"timed out after {self.limits.timeout:g} s")


def _input_size(task: Task) -> int:
    try:
        return os.path.getsize(task.path)
    except OSError:
        return 0


def next_tasks(pending: deque, workers: int) -> list[Task]:
    """The documents of the next child: a fair share of what is left (so the workers end
    together), at most DOCUMENTS_PER_CHILD and SMALL_INPUT_BYTES in all, at least one."""
    share = min(DOCUMENTS_PER_CHILD, math.ceil(len(pending) / workers))
    tasks = [pending.popleft()]
    size = _input_size(tasks[0])
    while pending and len(tasks) < share:
        size += _input_size(pending[0])
        if size > SMALL_INPUT_BYTES:
            break
        tasks.append(pending.popleft())
    return tasks


def run_forked(tasks: Iterable[Task], workers: int, limits: Limits, on_done: OnDone,
               on_start: OnStart = _nothing, on_tick: Optional[OnTick] = None) -> None:
    """At most `workers` children at a time, each reading a few documents (`next_tasks`).

    `on_tick` is called at least every TICK_SECONDS while children run, from this
    thread (a progress bar redrawn by a thread of its own could hold a stream's
    lock at the moment of a fork, and the child would wait on it forever).
    """
    pending = deque(tasks)
    running: dict[int, Child] = {}

    def ended(fd: int) -> None:  # its documents never started go to the next child
        child = running.pop(fd)
        pending.extendleft(reversed(child.tasks))

    try:
        while pending or running:
            while pending and len(running) < workers:
                child = Child(next_tasks(pending, workers), limits)
                on_start(child.task)
                running[child.fd] = child
            deadlines = [c.deadline for c in running.values() if c.deadline is not None]
            wait = max(0.0, min(deadlines) - time.monotonic()) if deadlines else None
            if on_tick is not None:
                on_tick()
                wait = TICK_SECONDS if wait is None else min(wait, TICK_SECONDS)
            ready, _, _ = select.select(list(running), [], [], wait)
            for fd in ready:
                child = running[fd]
                finished = child.read()
                for task, outcome in finished:
                    on_done(task, outcome)
                if child.ended:
                    ended(fd)
                elif finished and child.tasks:  # it went on to its next document
                    on_start(child.task)
            now = time.monotonic()
            for fd, child in list(running.items()):
                if child.deadline is not None and now >= child.deadline:
                    on_done(*child.timed_out())
                    ended(fd)
    finally:
        for child in running.values():  # interrupted: stop the children, leave no orphans
            child.kill()


def extract_isolated(task: Task, limits: Limits) -> DocumentOutcome:
    """One document in a child of this process (what a Dask worker runs)."""
    outcomes: list[DocumentOutcome] = []
    run_forked([task], 1, limits, lambda _task, outcome: outcomes.append(outcome))
    return outcomes[0]


# --------------------------------------------------------------------------
# Dask
# --------------------------------------------------------------------------

def run_dask(tasks: list[Task], batch: BatchOptions, limits: Limits, on_done: OnDone) -> None:
    """Each document as one Dask task running `extract_isolated` on a worker.

    Workers must see the input and output paths under the same names (a shared
    file system). Without a scheduler address, a local cluster of `workers`
    threads in this process is started; each task still forks its own child.
    """
    try:
        from distributed import Client, LocalCluster, as_completed
    except ImportError:
        raise RunNotStarted("the dask executor needs Dask: pip install 'avance[dask]'") from None
    cluster = None
    try:
        if batch.scheduler:
            client = Client(batch.scheduler, timeout=SCHEDULER_TIMEOUT)
        else:
            cluster = LocalCluster(n_workers=1, threads_per_worker=batch.workers, processes=False,
                                   dashboard_address=None)
            client = Client(cluster)
    except (OSError, TimeoutError, ValueError) as exc:
        raise RunNotStarted(f"cannot reach the Dask scheduler at {batch.scheduler}: {exc}") from None
    try:
        futures = {client.submit(extract_isolated, task, limits, pure=False): task for task in tasks}
        for future in as_completed(futures):
            task = futures[future]
            try:
                outcome = future.result()
            except Exception as exc:  # the worker holding it died (KilledWorker) or the task errored
                outcome = record_failure(task, f"Dask task failed: {describe_exception(exc)}")
            on_done(task, outcome)
    finally:
        client.close()
        if cluster is not None:
            cluster.close()
