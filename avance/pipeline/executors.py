"""Where `extract_one` runs: in this process, in forked children, or on a Dask cluster.

Fault isolation (the `local` and `dask` executors): every document runs in its
own child process, forked from a process that has already imported the
pipeline (a fork costs milliseconds; a fresh interpreter would cost a second).
The child gets a memory cap (RLIMIT_AS: its start-up address space plus
`max_memory_mb`), ignores Ctrl-C (the parent stops it) and dies with its
parent. The parent waits on the children's pipes with a deadline each: a child
that raises, runs past `timeout`, runs out of memory or dies gets a `failed`
documents row with the reason, written by the parent; the run goes on.
"""
from __future__ import annotations

import ctypes
import os
import pickle
import select
import signal
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


def _child_main(task: Task, wfd: int, limits: Limits, parent_pid: int) -> None:
    code = 0
    try:
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        _die_with_parent(parent_pid)
        if limits.max_memory_mb:
            import resource  # Unix only, as fork is

            cap = _address_space() + limits.max_memory_mb * 2**20
            resource.setrlimit(resource.RLIMIT_AS, (cap, resource.getrlimit(resource.RLIMIT_AS)[1]))
        payload = ("done", work.extract_one(task))
    except MemoryError:
        payload = ("error", out_of_memory(limits.max_memory_mb))
    except BaseException as exc:
        payload = ("error", work.unexpected(exc, task.options))
    try:
        data = pickle.dumps(payload)
        view = memoryview(data)
        while view:
            view = view[os.write(wfd, view):]
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
    """A forked process extracting one document, with its deadline."""

    def __init__(self, task: Task, limits: Limits):
        self.task, self.limits = task, limits
        for stream in (sys.stdout, sys.stderr):  # else the child would print our buffered text again
            stream.flush()
        parent = os.getpid()
        rfd, wfd = os.pipe()
        with warnings.catch_warnings():  # a Dask worker is multi-threaded; the child only runs our code
            warnings.simplefilter("ignore", DeprecationWarning)
            pid = os.fork()
        if pid == 0:
            os.close(rfd)
            _child_main(task, wfd, limits, parent)
        os.close(wfd)
        self.pid, self.fd = pid, rfd
        self.deadline = time.monotonic() + limits.timeout if limits.timeout else None
        self.data = bytearray()
        self.reaped = False

    def fileno(self) -> int:
        return self.fd

    def read(self) -> Optional[DocumentOutcome]:
        """Read what is there; the outcome once the child has closed its end."""
        chunk = os.read(self.fd, 1 << 16)
        if chunk:
            self.data += chunk
            return None
        self._reap()
        status = self.status
        try:
            kind, value = pickle.loads(bytes(self.data))
        except Exception:
            return record_failure(self.task, self._death(status))
        return value if kind == "done" else record_failure(self.task, value)

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

    def timed_out(self) -> DocumentOutcome:
        self.kill()
        return record_failure(self.task, f"timed out after {self.limits.timeout:g} s")


def run_forked(tasks: Iterable[Task], workers: int, limits: Limits, on_done: OnDone,
               on_start: OnStart = _nothing, on_tick: Optional[OnTick] = None) -> None:
    """At most `workers` children at a time; each document in its own child.

    `on_tick` is called at least every TICK_SECONDS while children run, from this
    thread (a progress bar redrawn by a thread of its own could hold a stream's
    lock at the moment of a fork, and the child would wait on it forever).
    """
    pending = deque(tasks)
    running: dict[int, Child] = {}
    try:
        while pending or running:
            while pending and len(running) < workers:
                task = pending.popleft()
                on_start(task)
                child = Child(task, limits)
                running[child.fd] = child
            deadlines = [c.deadline for c in running.values() if c.deadline is not None]
            wait = max(0.0, min(deadlines) - time.monotonic()) if deadlines else None
            if on_tick is not None:
                on_tick()
                wait = TICK_SECONDS if wait is None else min(wait, TICK_SECONDS)
            ready, _, _ = select.select(list(running), [], [], wait)
            for fd in ready:
                outcome = running[fd].read()
                if outcome is not None:
                    on_done(running.pop(fd).task, outcome)
            now = time.monotonic()
            for fd, child in list(running.items()):
                if child.deadline is not None and now >= child.deadline:
                    del running[fd]
                    on_done(child.task, child.timed_out())
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
