"""A run over many inputs: collect files, skip finished ones, extract the rest, report each.

The orchestrator. Per document the work is always `process_document` then
`write_document` (`batch.extract_one`); `executors` decides where it runs.
A run holds the output folder's lock, so a run killed part-way (even by
SIGKILL) and started again picks up where it stopped: finished documents are
skipped, temp files of cut-short writes are removed, the rest are extracted.
"""
from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Callable, Iterable

from .batch import DocumentOutcome, Task, duplicate_outcome, outcome_of, plan
from .document import SUPPORTED_SUFFIXES
from .executors import Limits, run_dask, run_forked, run_inline
from .options import BatchOptions, ExtractOptions
from .state import RunLock, remove_stale_temp_files

__all__ = ["DocumentOutcome", "collect_inputs", "outcome_of", "run"]


def collect_inputs(paths: Iterable[str]) -> list[Path]:
    """Files as given, folders searched recursively for supported inputs."""
    found: list[Path] = []
    for p in paths:
        path = Path(p)
        if path.is_dir():
            found.extend(sorted(
                f for f in path.rglob("*")
                if f.is_file() and f.suffix.lower() in SUPPORTED_SUFFIXES and not f.name.startswith(".")
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
    load again for itself: pyarrow loads pandas on the first table it builds (~0.3 s a
    document measured on the digital dev corpus, more than the parsing of a small
    report), and the catalogs the text repairs read."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    from ..contract import TABLES, empty_tables
    from ..normalizers import catalogs

    for table in empty_tables(TABLES).values():
        pq.write_table(table, pa.BufferOutputStream())
    for load in (catalogs.functional_classification, catalogs.administrative_classification,
                 catalogs.units_of_measure, catalogs.domain_words, catalogs.person_names):
        load()


def run(
    inputs: Iterable[Path], out_dir: Path,
    on_outcome: Callable[[DocumentOutcome], None] = lambda o: None,
    options: ExtractOptions = ExtractOptions(),
    batch: BatchOptions = BatchOptions(),
) -> list[DocumentOutcome]:
    """Extract every input whose outputs are not complete; outcomes in input order.

    `on_outcome` is called as each document finishes (skipped ones first).
    Raises `RunNotStarted` when another run holds the output folder.
    """
    inputs = list(inputs)
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    with RunLock(out_dir):
        remove_stale_temp_files(out_dir)
        work = plan(inputs, out_dir, options, batch)
        by_index: dict[int, DocumentOutcome] = {}

        def done(index: int, outcome: DocumentOutcome) -> None:
            by_index[index] = outcome
            on_outcome(outcome)

        for i, outcome in work.skipped:
            done(i, outcome)

        def finished(task: Task, outcome: DocumentOutcome) -> None:
            done(task.index, outcome)

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
            run_inline(work.tasks, finished)
        elif batch.executor == "local":
            run_forked(work.tasks, batch.workers, limits, finished)
        else:
            run_dask(work.tasks, batch, limits, finished)
        for i, path, first in work.duplicates:
            done(i, duplicate_outcome(path, by_index[first]))
    return [by_index[i] for i in sorted(by_index)]
