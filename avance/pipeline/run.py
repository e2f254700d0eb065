"""A run over many inputs: collect files, skip finished ones, extract the rest, report each.

The orchestrator. Per document the work is always `process_document` then
`write_document` (`batch.extract_one`); `executors` decides where it runs.
A run holds the output folder's lock, so a run killed part-way (even by
SIGKILL) and started again picks up where it stopped: files no recorded
document owns (temp files, tables of a document whose row was never written or
says `failed`) are removed, finished documents are skipped, the rest are
extracted. An earlier version of an input's path is removed once the new one's
row is written; cut short in between, the next run finishes the replacement.
"""
from __future__ import annotations

import logging
from dataclasses import replace
from pathlib import Path
from typing import Callable, Iterable, Optional

from ..records import Status
from ..report import describe, printable
from .batch import DocumentOutcome, Task, adopt, duplicate_outcome, outcome_of, plan
from .document import SUPPORTED_SUFFIXES
from .executors import Limits, run_dask, run_forked, run_inline
from .options import BatchOptions, ExtractOptions
from .state import OutputIndex, RunLock
from .writer import remove_document

log = logging.getLogger(__name__)
LOG_LEVEL = {Status.OK: logging.INFO, Status.PARTIAL: logging.WARNING, Status.FAILED: logging.ERROR}

__all__ = ["DocumentOutcome", "collect_inputs", "outcome_of", "run"]


def collect_inputs(paths: Iterable[str]) -> list[Path]:
    """Files as given, folders searched recursively for supported inputs.

    Every entry with a supported name is an input, even one that cannot be read
    (a broken link, a socket): it gets its `failed` row rather than vanishing.
    """
    found: list[Path] = []
    for p in paths:
        path = Path(p)
        if path.is_dir():
            found.extend(sorted(
                f for f in path.rglob("*")
                if f.suffix.lower() in SUPPORTED_SUFFIXES and not f.name.startswith(".") and not f.is_dir()
            ))
        else:
            found.append(path)
    seen: set[Path] = set()
    unique = []
    for f in found:
        key = f.resolve() if f.exists() else f
        if key not in seen:
            seen.add(key)
            unique.append(f)
    return unique


def warm_up_for_workers() -> None:
    """Loads, once in this process, what every document's forked child would otherwise
    load again for itself: pyarrow's first table (it loads pandas unless the caller
    said there is none: `writer.arrow_without_pandas`), the catalogs the text repairs
    read, and the table reader (pdfplumber's edge stages). Then the loaded objects are
    frozen out of the garbage collector: a child's collections would otherwise walk
    (and so copy, page by page) the whole inherited heap."""
    import gc

    import psutil  # noqa: F401  (each child reads its address space with it)

    from .. import tables  # noqa: F401  (loads pdfplumber once, before the fork)

    from ..contract import TABLES
    from ..normalizers import catalogs
    from .writer import empty_file

    for name in TABLES:  # pyarrow's first writes; a document's empty tables are these bytes
        empty_file(name)
    for load in (catalogs.functional_classification, catalogs.administrative_classification,
                 catalogs.units_of_measure, catalogs.domain_words, catalogs.person_names):
        load()
    gc.collect()
    gc.freeze()


def run(
    inputs: Iterable[Path], out_dir: Path,
    on_outcome: Callable[[DocumentOutcome], None] = lambda o: None,
    options: ExtractOptions = ExtractOptions(),
    batch: BatchOptions = BatchOptions(),
    on_start: Callable[[str], None] = lambda source_path: None,
    on_tick: Optional[Callable[[], None]] = None,
) -> list[DocumentOutcome]:
    """Extract every input whose outputs are not complete; outcomes in input order.

    `on_outcome` is called as each document finishes (skipped ones first),
    `on_start` with a document's path as its extraction begins (not on Dask),
    `on_tick` every half second or so while local workers run (a progress bar's
    clock). Every outcome is also logged (logger `avance.pipeline.run`).
    Raises `RunNotStarted` when another run holds the output folder.
    """
    inputs = list(inputs)
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    options = replace(options, memory_cap_mb=batch.memory_cap_mb)
    log.info("extracting %d inputs into %s (%s executor, %d workers)", len(inputs), printable(str(out_dir)),
             batch.executor, batch.workers)
    with RunLock(out_dir):
        index = OutputIndex(out_dir)
        removed = index.remove_leftovers()
        if removed:
            log.info("removed %d files no recorded document owns (left by a run cut short)", removed)
        work = plan(inputs, out_dir, options, batch, index)
        log.info("%d to extract, %d unchanged (skipped), %d with the same bytes as another input",
                 len(work.tasks), len(work.skipped), len(work.duplicates))
        by_index: dict[int, DocumentOutcome] = {}

        def done(i: int, outcome: DocumentOutcome) -> None:
            by_index[i] = outcome
            log.log(LOG_LEVEL[outcome.status] if not outcome.skipped else logging.DEBUG, "%s", describe(outcome))
            on_outcome(outcome)

        def started(task: Task) -> None:
            log.debug("started %s", printable(task.source_path))
            on_start(task.source_path)

        for i, outcome in work.skipped:
            done(i, outcome)

        def finished(task: Task, outcome: DocumentOutcome) -> None:
            for old in task.replaces:  # the new row is written: the old version goes
                remove_document(out_dir, old)
            done(task.index, replace(outcome, replaced=task.replaces))

        limits = Limits(timeout=batch.timeout, max_memory_mb=batch.max_memory_mb)
        if batch.executor == "local" and work.tasks:
            warm_up_for_workers()
        if batch.executor == "local" and 0 < len(work.tasks) < batch.workers:
            # fewer documents than workers: the idle workers read their scanned pages
            share = batch.workers // len(work.tasks)
            work.tasks = [replace(t, options=replace(t.options, page_workers=share)) for t in work.tasks]
        if not work.tasks:
            pass
        elif batch.executor == "inline":
            run_inline(work.tasks, finished, started)
        elif batch.executor == "local":
            run_forked(work.tasks, batch.workers, limits, finished, started, on_tick)
        else:
            run_dask(work.tasks, batch, limits, finished)
        for i, path, first in work.duplicates:
            done(i, duplicate_outcome(path, by_index[first]))
        for doc_id, replaced in work.adoptions:  # complete documents that took over a path
            log.info("%s replaces %s", doc_id, ", ".join(replaced))
            adopt(out_dir, doc_id, replaced)
        index.save()
    return [by_index[i] for i in sorted(by_index)]
