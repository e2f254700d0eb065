"""Writes one document's tables: one Parquet file per table, atomically and durably."""
from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from ..contract import SCHEMAS, TABLES, document_tables, empty_tables
from ..messages import DEFAULT_LANGUAGE
from ..records import DocumentResult, Status
from .files import remove_durably, write_all_atomically, write_atomically


class _NoPandas:
    """An import finder that refuses pandas (see arrow_without_pandas)."""

    def find_spec(self, name, path=None, target=None):
        if name == "pandas" or name.startswith("pandas."):
            raise ImportError("pandas is not needed to write tables")
        return None


def arrow_without_pandas() -> None:
    """Tells pyarrow, in a process that only writes tables (the CLI's extract), that pandas
    is not there: pyarrow imports pandas on its first array to check whether it is one of
    pandas' (~0.25 s of CPU, most of the cost of a small report's extraction). It remembers
    the answer; a later `to_pandas()` or `import pandas` still imports it normally."""
    import sys

    if "pandas" in sys.modules:
        return
    finder = _NoPandas()
    sys.meta_path.insert(0, finder)
    try:
        pa.array([], type=pa.int8())
    finally:
        sys.meta_path.remove(finder)


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
    others = [name for name in TABLES if name != "documents"]
    if result.info.status == Status.FAILED:
        remove_durably([out_dir / name / f"{doc_id}.parquet" for name in others])
    else:
        write_all_atomically([(out_dir / name / f"{doc_id}.parquet", _parquet_writer(tables[name], name))
                              for name in others])
        counts = {name: tables[name].num_rows for name in others}
    write_atomic(tables["documents"], out_dir / "documents" / f"{doc_id}.parquet")
    counts["documents"] = 1
    return counts


@lru_cache(maxsize=None)
def empty_file(name: str) -> bytes:
    """The Parquet file of the contract table `name` with no rows: the same bytes every
    time, made once (most of a document's 17 tables are empty)."""
    out = pa.BufferOutputStream()
    pq.write_table(empty_tables([name])[name], out)
    return out.getvalue().to_pybytes()


def _parquet_writer(table: pa.Table, name: str = ""):
    if name in SCHEMAS and table.num_rows == 0 and table.schema.equals(SCHEMAS[name], check_metadata=True):
        data = empty_file(name)
        return lambda tmp: Path(tmp).write_bytes(data)
    return lambda tmp: pq.write_table(table, tmp)


def remove_document(out_dir: Path, doc_id: str) -> None:
    """Every file of a document, its `documents` file first: cut short, what is left
    belongs to no recorded document and the next run removes it."""
    remove_durably(table_paths(out_dir, doc_id))
