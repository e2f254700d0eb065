"""The unit of work of a batch run, and the plan that decides which documents need it.

`extract_one` is what every executor runs for one document: `process_document`
then `write_document`, unchanged. Test hook: tests inject faults (raise, hang,
exhaust memory, crash) by monkeypatching `avance.pipeline.batch.process_document`;
local workers are forked from the test process and Dask's in-process workers
share it, so the patch reaches them. Nothing reads an environment variable.

One row per input path: an input whose bytes changed since a document was
recorded from its path replaces that document (the new `documents` row lists
the old doc_id in `replaces`; the old files are removed once the new row is
written). An input that cannot be read is keyed by its path (`state.path_key`).
"""
from __future__ import annotations

import os
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Iterable, Optional

import pyarrow.parquet as pq

from .. import __version__
from ..contract import build_table
from ..errors import describe_exception, is_out_of_memory
from ..records import DocumentInfo, DocumentResult, Severity, Status
from .document import process_document
from .options import BatchOptions, ExtractOptions
from .state import HashCache, OutputIndex, cannot_read, path_key, remove_temp_files_of
from .writer import remove_document, write_atomic, write_document


@dataclass(frozen=True)
class DocumentOutcome:
    source_path: str
    file_name: str
    status: Status
    families: tuple[str, ...]
    rows: dict[str, int]
    n_flags: int
    error: Optional[str]
    doc_id: Optional[str] = None
    skipped: bool = False  # outputs already complete: status and error are the recorded ones
    replaced: tuple[str, ...] = ()  # doc_ids of earlier versions of this path removed by this run
    n_warnings: Optional[int] = None  # flags of severity warning or error (None: not read, when skipped)


@dataclass(frozen=True)
class Task:
    """One document to extract; small and picklable (it crosses process and machine lines)."""
    index: int
    path: str         # absolute: a Dask worker may have another working directory
    source_path: str  # as given (the documents row's source_path)
    doc_id: str       # sha256 of the bytes, or the path key of an input that cannot be read
    out_dir: str
    options: ExtractOptions = field(default_factory=ExtractOptions)
    replaces: tuple[str, ...] = ()     # recorded doc_ids of this path to remove once this one is written
    replaced_before: tuple[str, ...] = ()  # what this doc_id's earlier row already listed
    unreadable: Optional[str] = None   # why the bytes could not be read (then nothing is extracted)

    @property
    def file_name(self) -> str:
        return Path(self.source_path).name

    def finish(self, result: DocumentResult) -> DocumentResult:
        """The row's path and replacement columns (the worker does not know them)."""
        replaces = tuple(dict.fromkeys(self.replaced_before + self.replaces)) or None
        info = replace(result.info, doc_id=self.doc_id, source_abspath=self.path, replaces=replaces)
        return replace(result, info=info)


@dataclass
class Plan:
    tasks: list[Task]
    skipped: list[tuple[int, DocumentOutcome]]
    duplicates: list[tuple[int, Path, int]]  # (index, path, index of the input with the same bytes)
    # complete documents whose path held other recorded documents: (doc_id, those doc_ids)
    adoptions: list[tuple[str, tuple[str, ...]]] = field(default_factory=list)


WARNING_SEVERITIES = (Severity.WARNING, Severity.ERROR)


def outcome_of(result: DocumentResult, rows: dict[str, int]) -> DocumentOutcome:
    families = tuple(dict.fromkeys(s.info.family for s in result.sections))
    flags = list(result.flags) + [f for s in result.sections for f in s.flags]
    return DocumentOutcome(
        source_path=result.info.source_path, file_name=result.info.file_name,
        status=result.info.status, families=families, rows=rows, n_flags=len(flags),
        error=result.info.error, doc_id=result.info.doc_id or None,
        n_warnings=sum(1 for f in flags if f.severity in WARNING_SEVERITIES),
    )


def with_recorded_warnings(outcome: DocumentOutcome, out_dir: Path) -> DocumentOutcome:
    """A skipped document's warnings, read from its recorded flags."""
    if outcome.n_warnings is not None or not outcome.doc_id:
        return outcome
    path = out_dir / "flags" / f"{outcome.doc_id}.parquet"
    try:
        severities = pq.read_table(path, columns=["severity"]).column("severity").to_pylist()
    except (OSError, KeyError):  # a failed document has no flags file
        severities = []
    wanted = {s.value for s in WARNING_SEVERITIES}
    return replace(outcome, n_warnings=sum(1 for s in severities if s in wanted))


def failed_result(task: Task, reason: str) -> DocumentResult:
    info = DocumentInfo(
        doc_id=task.doc_id, source_path=task.source_path, file_name=task.file_name, n_pages=0,
        text_source=None, status=Status.FAILED, error=reason, pipeline_version=__version__,
    )
    return task.finish(DocumentResult(info=info))


def extract_one(task: Task) -> DocumentOutcome:
    """Read one document and write its tables (what a worker runs)."""
    if task.unreadable:
        result = failed_result(task, task.unreadable)
    else:
        result = task.finish(process_document(Path(task.path), source_path=task.source_path,
                                              options=task.options, doc_id=task.doc_id))
    return outcome_of(result, write_document(result, Path(task.out_dir), lang=task.options.lang))


def record_failure(task: Task, reason: str) -> DocumentOutcome:
    """The `documents` row of a document whose worker raised, hung, ran out of memory or died."""
    out_dir = Path(task.out_dir)
    remove_temp_files_of(out_dir, task.doc_id)
    result = failed_result(task, reason)
    return outcome_of(result, write_document(result, out_dir))


def unexpected(exc: BaseException, options: ExtractOptions) -> str:
    """A worker's exception as its document's `error` (running out of memory is not unexpected)."""
    reason = describe_exception(exc, options.memory_cap_mb)
    return reason if is_out_of_memory(exc) else f"unexpected error: {reason}"


def skipped_outcome(path: Path, doc_id: str, status: str, error: Optional[str]) -> DocumentOutcome:
    return DocumentOutcome(source_path=str(path), file_name=path.name, status=Status(status),
                           families=(), rows={}, n_flags=0, error=error, doc_id=doc_id, skipped=True)


def plan(inputs: Iterable[Path], out_dir: Path, options: ExtractOptions, batch: BatchOptions,
         index: Optional[OutputIndex] = None) -> Plan:
    """Hash every input (cached) and keep the documents whose outputs are not complete.

    Skipped: same bytes (doc_id) and pipeline version as a complete earlier
    output, unless `force` (or `retry_failed` for a failed one); and a second
    input with the same bytes as one earlier in this run. Recorded documents of
    an input's path with other bytes than the input's now are replaced, unless
    another input of this run has their bytes (a moved file is not lost).
    """
    cache = HashCache(out_dir)
    index = index or OutputIndex(out_dir)
    found: list[tuple[Path, str, str, Optional[str]]] = []  # (path, absolute path, doc_id, unreadable)
    for path in inputs:
        abs_path = os.path.abspath(path)
        try:
            found.append((path, abs_path, cache.doc_id(path), None))
        except OSError as exc:
            found.append((path, abs_path, path_key(abs_path), cannot_read(exc, path)))
    cache.save()
    current = {doc_id for _, _, doc_id, _ in found}
    by_source = index.by_source()
    claimed: set[str] = set()

    work = Plan(tasks=[], skipped=[], duplicates=[])
    first: dict[str, int] = {}
    for i, (path, abs_path, doc_id, unreadable) in enumerate(found):
        replaces = tuple(d for d in by_source.get(abs_path, ()) if d not in current and d not in claimed)
        claimed.update(replaces)
        if doc_id in first:
            work.duplicates.append((i, path, first[doc_id]))
            if replaces:
                work.adoptions.append((doc_id, replaces))
            continue
        first[doc_id] = i
        done = None if batch.force else index.finished(doc_id)
        if done and done.pipeline_version == __version__ and not (
                batch.retry_failed and done.status == Status.FAILED.value):
            outcome = skipped_outcome(path, doc_id, done.status, done.error)
            work.skipped.append((i, replace(outcome, replaced=replaces)))
            if replaces:
                work.adoptions.append((doc_id, replaces))
            continue
        before = index.recorded[doc_id].replaces if doc_id in index.recorded else ()
        work.tasks.append(Task(index=i, path=abs_path, source_path=str(path), doc_id=doc_id,
                               out_dir=os.path.abspath(out_dir), options=options, replaces=replaces,
                               replaced_before=before, unreadable=unreadable))
    return work


def adopt(out_dir: Path, doc_id: str, replaces: tuple[str, ...]) -> None:
    """A complete document takes over its path: its row lists the replaced doc_ids
    (rewritten only when it does not yet), then their files are removed."""
    path = out_dir / "documents" / f"{doc_id}.parquet"
    if not path.exists():  # its run was cut short: the next one adopts again
        return
    table = pq.read_table(path)
    listed = tuple(table.column("replaces")[0].as_py() or ()) if "replaces" in table.column_names else ()
    if not set(replaces) <= set(listed):
        row = table.to_pylist()[0]
        row["replaces"] = list(dict.fromkeys(listed + replaces))
        write_atomic(build_table("documents", [row]), path)
    for old in replaces:
        remove_document(out_dir, old)


def duplicate_outcome(path: Path, first: DocumentOutcome) -> DocumentOutcome:
    """A second input with the bytes of `first`: extracted once, reported with its status."""
    return skipped_outcome(path, first.doc_id or "", first.status.value,
                           f"same bytes as {first.source_path}; extracted once")


def summarize(outcomes: list[DocumentOutcome], seconds: float, batch: BatchOptions) -> dict:
    """The closing figures of a run (what `--summary FILE` writes)."""
    by_status = {s.value: 0 for s in Status}
    by_status["skipped"] = 0
    for o in outcomes:
        by_status["skipped" if o.skipped else o.status.value] += 1
    recorded = {s.value: sum(1 for o in outcomes if o.skipped and o.status == s) for s in Status}
    failures = [{"file": o.source_path, "doc_id": o.doc_id, "error": o.error}
                for o in outcomes if o.status == Status.FAILED and not o.skipped]
    extracted = len(outcomes) - by_status["skipped"]
    return {
        "documents": len(outcomes),
        "by_status": by_status,
        "skipped_by_recorded_status": recorded,
        "replaced": sum(len(o.replaced) for o in outcomes),
        "warnings": sum(o.n_warnings or 0 for o in outcomes),
        "documents_with_warnings": sum(1 for o in outcomes if o.n_warnings),
        "replacements": [{"file": o.source_path, "doc_id": o.doc_id, "replaced": list(o.replaced)}
                         for o in outcomes if o.replaced],
        "failures": failures,
        "duration_seconds": round(seconds, 3),
        "documents_per_second": round(extracted / seconds, 3) if seconds > 0 else None,
        "executor": batch.executor, "workers": batch.workers,
        "pipeline_version": __version__,
    }
