"""The unit of work of a batch run, and the plan that decides which documents need it.

`extract_one` is what every executor runs for one document: `process_document`
then `write_document`, unchanged. Test hook: tests inject faults (raise, hang,
exhaust memory, crash) by monkeypatching `avance.pipeline.batch.process_document`;
local workers are forked from the test process and Dask's in-process workers
share it, so the patch reaches them. Nothing reads an environment variable.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable, Optional

from .. import __version__
from ..records import DocumentInfo, DocumentResult, Status
from .document import process_document
from .options import BatchOptions, ExtractOptions
from .state import HashCache, OutputIndex, remove_temp_files_of
from .writer import write_document


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


@dataclass(frozen=True)
class Task:
    """One document to extract; small and picklable (it crosses process and machine lines)."""
    index: int
    path: str         # absolute: a Dask worker may have another working directory
    source_path: str  # as given (the documents row's source_path)
    doc_id: Optional[str]  # None when the file could not be hashed: the worker reports why
    out_dir: str
    options: ExtractOptions = field(default_factory=ExtractOptions)

    @property
    def file_name(self) -> str:
        return Path(self.source_path).name


@dataclass
class Plan:
    tasks: list[Task]
    skipped: list[tuple[int, DocumentOutcome]]
    duplicates: list[tuple[int, Path, int]]  # (index, path, index of the input with the same bytes)


def outcome_of(result: DocumentResult, rows: dict[str, int]) -> DocumentOutcome:
    families = tuple(dict.fromkeys(s.info.family for s in result.sections))
    n_flags = len(result.flags) + sum(len(s.flags) for s in result.sections)
    return DocumentOutcome(
        source_path=result.info.source_path, file_name=result.info.file_name,
        status=result.info.status, families=families, rows=rows, n_flags=n_flags,
        error=result.info.error, doc_id=result.info.doc_id or None,
    )


def extract_one(task: Task) -> DocumentOutcome:
    """Read one document and write its tables (what a worker runs)."""
    result = process_document(Path(task.path), source_path=task.source_path, options=task.options)
    if not result.info.doc_id:  # unreadable file: no hash, nothing to write
        return outcome_of(result, {})
    return outcome_of(result, write_document(result, Path(task.out_dir), lang=task.options.lang))


def record_failure(task: Task, reason: str) -> DocumentOutcome:
    """The `documents` row of a document whose worker raised, hung, ran out of memory or died."""
    info = DocumentInfo(
        doc_id=task.doc_id or "", source_path=task.source_path, file_name=task.file_name, n_pages=0,
        text_source=None, status=Status.FAILED, error=reason, pipeline_version=__version__,
    )
    result = DocumentResult(info=info)
    if not task.doc_id:
        return outcome_of(result, {})
    out_dir = Path(task.out_dir)
    remove_temp_files_of(out_dir, task.doc_id)
    return outcome_of(result, write_document(result, out_dir))


def skipped_outcome(path: Path, doc_id: str, status: str, error: Optional[str]) -> DocumentOutcome:
    return DocumentOutcome(source_path=str(path), file_name=path.name, status=Status(status),
                           families=(), rows={}, n_flags=0, error=error, doc_id=doc_id, skipped=True)


def plan(inputs: Iterable[Path], out_dir: Path, options: ExtractOptions, batch: BatchOptions) -> Plan:
    """Hash every input (cached) and keep the documents whose outputs are not complete.

    Skipped: same bytes (doc_id) and pipeline version as a complete earlier
    output, unless `force` (or `retry_failed` for a failed one); and a second
    input with the same bytes as one earlier in this run.
    """
    cache = HashCache(out_dir)
    index = OutputIndex(out_dir)
    tasks: list[Task] = []
    skipped: list[tuple[int, DocumentOutcome]] = []
    duplicates: list[tuple[int, Path, int]] = []
    first: dict[str, int] = {}
    for i, path in enumerate(inputs):
        try:
            doc_id: Optional[str] = cache.doc_id(path)
        except OSError:
            doc_id = None  # the worker's process_document turns this into a readable failure
        if doc_id and doc_id in first:
            duplicates.append((i, path, first[doc_id]))
            continue
        if doc_id:
            first[doc_id] = i
            done = None if batch.force else index.finished(doc_id)
            if done and done.pipeline_version == __version__ and not (
                    batch.retry_failed and done.status == Status.FAILED.value):
                skipped.append((i, skipped_outcome(path, doc_id, done.status, done.error)))
                continue
        tasks.append(Task(index=i, path=str(path.absolute()), source_path=str(path), doc_id=doc_id,
                          out_dir=str(out_dir.absolute()), options=options))
    cache.save()
    return Plan(tasks=tasks, skipped=skipped, duplicates=duplicates)


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
        "failures": failures,
        "duration_seconds": round(seconds, 3),
        "documents_per_second": round(extracted / seconds, 3) if seconds > 0 else None,
        "executor": batch.executor, "workers": batch.workers,
        "pipeline_version": __version__,
    }
