"""Writes one document's tables: one Parquet file per table, atomically."""
from __future__ import annotations

import os
import tempfile
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from ..contract import TABLES, document_tables
from ..messages import DEFAULT_LANGUAGE
from ..records import DocumentResult, Status


def write_atomic(table: pa.Table, path: Path) -> None:
    """Temp file in the same folder, then rename: a killed run never leaves half a file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.stem}.", suffix=".tmp", dir=path.parent)
    os.close(fd)
    try:
        pq.write_table(table, tmp)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


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
            path.unlink(missing_ok=True)
            continue
        write_atomic(tables[name], path)
        counts[name] = tables[name].num_rows
    write_atomic(tables["documents"], out_dir / "documents" / f"{doc_id}.parquet")
    counts["documents"] = 1
    return counts
