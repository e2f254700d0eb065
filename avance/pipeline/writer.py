"""Writes one document's tables: one Parquet file per table, atomically and durably."""
from __future__ import annotations

from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from ..contract import TABLES, document_tables
from ..messages import DEFAULT_LANGUAGE
from ..records import DocumentResult, Status
from .files import remove_durably, write_atomically


def write_atomic(table: pa.Table, path: Path) -> None:
    """Temp file in the same folder, fsync, rename, fsync the folder: a killed run or a
    power loss never leaves half a file (see files.py)."""
    write_atomically(path, lambda tmp: pq.write_table(table, tmp))


def table_paths(out_dir: Path, doc_id: str) -> list[Path]:
    """A document's files, the `documents` file first (it is what says the document is there)."""
    return [out_dir / name / f"{doc_id}.parquet" for name in TABLES]


def write_document(result: DocumentResult, out_dir: Path, lang: str = DEFAULT_LANGUAGE) -> dict[str, int]:
    """Write (or replace) every table file of a document; rows written per table.

    A failed document keeps only its `documents` row: stale files from an
    earlier run of the same bytes are removed so nothing contradicts it.
    The `documents` file is written last, so its presence means the rest is there.
    `lang`: the language of the flags' sentences (`es`, the default, or `en`).
    """
    doc_id = result.info.doc_id
    tables = document_tables(result, lang)
    counts: dict[str, int] = {}
    for name in TABLES:
        if name == "documents":
            continue
        path = out_dir / name / f"{doc_id}.parquet"
        if result.info.status == Status.FAILED:
            remove_durably([path])
            continue
        write_atomic(tables[name], path)
        counts[name] = tables[name].num_rows
    write_atomic(tables["documents"], out_dir / "documents" / f"{doc_id}.parquet")
    counts["documents"] = 1
    return counts


def remove_document(out_dir: Path, doc_id: str) -> None:
    """Every file of a document, its `documents` file first: cut short, what is left
    belongs to no recorded document and the next run removes it."""
    remove_durably(table_paths(out_dir, doc_id))
