"""DuckDB over an output folder: one view (or table) per contract table.

A table folder with no files yet (no document had such rows, or no run yet)
still gets its name, empty, with the contract's columns, so a query that joins
it works on any output folder.
"""
from __future__ import annotations

import os
import tempfile
from pathlib import Path

import duckdb

from ..contract import TABLES, empty_tables


def _source(out_dir: Path, name: str) -> str | None:
    folder = out_dir / name
    if folder.is_dir() and any(n.endswith(".parquet") and not n.startswith(".") for n in os.listdir(folder)):
        pattern = str(folder / "*.parquet").replace("'", "''")
        return f"read_parquet('{pattern}', union_by_name = true)"
    return None


def attach_tables(con: duckdb.DuckDBPyConnection, out_dir: Path, kind: str = "VIEW") -> None:
    """CREATE VIEW (or TABLE) <name> for every contract table of `out_dir`."""
    for name in TABLES:
        source = _source(out_dir, name)
        empty = f"_empty_{name}" if source is None else None
        if empty:
            con.register(empty, empty_tables([name])[name])
        con.execute(f'CREATE {kind} "{name}" AS SELECT * FROM {source or empty}')
        if empty and kind == "TABLE":
            con.unregister(empty)


def connect(out_dir: Path) -> duckdb.DuckDBPyConnection:
    """An in-memory DuckDB whose views read the output folder's Parquet files."""
    con = duckdb.connect()
    attach_tables(con, Path(out_dir))
    return con


def export_duckdb(out_dir: Path, db_file: Path) -> dict[str, int]:
    """Write one DuckDB database file with a table per contract table; rows per table.

    Built in a temp file beside the target and renamed over it: an existing
    database is replaced whole, never left half-written.
    """
    db_file = Path(db_file)
    db_file.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{db_file.name}.", suffix=".tmp", dir=db_file.parent)
    os.close(fd)
    os.unlink(tmp)  # DuckDB creates the file itself
    try:
        con = duckdb.connect(tmp)
        try:
            attach_tables(con, Path(out_dir), kind="TABLE")
            counts = {name: con.execute(f'SELECT count(*) FROM "{name}"').fetchone()[0] for name in TABLES}
            con.execute("CHECKPOINT")
        finally:
            con.close()
        os.replace(tmp, db_file)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        Path(tmp + ".wal").unlink(missing_ok=True)
        raise
    return counts
