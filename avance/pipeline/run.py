"""A run over many inputs: collect files, process each, write its tables."""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterable, Iterator, Optional

from ..records import DocumentResult, Status
from .document import SUPPORTED_SUFFIXES, process_document
from .options import ExtractOptions
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


def outcome_of(result: DocumentResult, rows: dict[str, int]) -> DocumentOutcome:
    families = tuple(dict.fromkeys(s.info.family for s in result.sections))
    n_flags = len(result.flags) + sum(len(s.flags) for s in result.sections)
    return DocumentOutcome(
        source_path=result.info.source_path, file_name=result.info.file_name,
        status=result.info.status, families=families, rows=rows, n_flags=n_flags,
        error=result.info.error,
    )


def run(
    inputs: Iterable[Path], out_dir: Path,
    on_outcome: Callable[[DocumentOutcome], None] = lambda o: None,
    options: ExtractOptions = ExtractOptions(),
) -> list[DocumentOutcome]:
    outcomes = []
    for path in inputs:
        result = process_document(path, source_path=str(path), options=options)
        if not result.info.doc_id:  # unreadable file: no hash, nothing to write
            outcome = outcome_of(result, {})
        else:
            outcome = outcome_of(result, write_document(result, out_dir))
        on_outcome(outcome)
        outcomes.append(outcome)
    return outcomes
