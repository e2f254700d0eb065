"""The Python API: one call from report files to pandas DataFrames, one to a DuckDB connection.

    import avance
    tables = avance.extract(["reports/"])          # {"documents": DataFrame, "goals": ..., ...}
    con = avance.open("out/")                       # DuckDB, a view per table (+ the panel views)

`extract` runs the same batch as `avance extract` (`pipeline.run.run`): each
document in its own forked worker with a timeout and a memory cap, so a file
that raises, hangs or exhausts memory gets its `documents` row with status
`failed` and the rest go on. Without `out` the tables are written to a temp
folder that is removed once they are read back.
"""
from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING, Iterable, Optional, Union

if TYPE_CHECKING:  # imported lazily: `import avance` stays light
    import duckdb
    import pandas as pd

PathLike = Union[str, "os.PathLike[str]"]

__all__ = ["extract", "open"]


def _default_workers() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:
        return os.cpu_count() or 1


def extract(
    paths: Union[PathLike, Iterable[PathLike]],
    out: Optional[PathLike] = None,
    *,
    workers: Optional[int] = None,
    ocr: str = "auto",
    force: bool = False,
    timeout: Optional[float] = 300.0,
    max_memory_mb: Optional[int] = 2048,
    catalogs: Iterable[PathLike] = (),
) -> dict[str, "pd.DataFrame"]:
    """Extract report files (and folders, searched recursively) into one DataFrame per
    contract table (`avance.contract.TABLES`), keyed by `doc_id` (and `section_id`) as
    on disk; only the documents of `paths` are returned.

    `out`: the output folder to write (and resume: unchanged documents are skipped
    unless `force`); None writes to a temp folder removed afterwards. `workers`:
    documents at once (default: the number of cores). `catalogs`: the user's
    catalog CSVs (PMD action lines, units of measure; see the README).
    Raises FileNotFoundError for a path that does not exist, ValueError when
    no supported file is found, `avance.errors.RunNotStarted` when another run
    holds `out`.
    """
    from .extractors.ocr import OcrSettings
    from .pipeline.options import BatchOptions, ExtractOptions
    from .pipeline.run import SUPPORTED_SUFFIXES, collect_inputs, run

    given = [paths] if isinstance(paths, (str, os.PathLike)) else list(paths)
    missing = [str(p) for p in given if not Path(p).exists()]
    if missing:
        raise FileNotFoundError("no such file or folder: " + ", ".join(missing))
    inputs = collect_inputs([str(p) for p in given])
    if not inputs:
        raise ValueError("no input files found in " + ", ".join(map(str, given)) +
                         "; supported: " + " ".join(sorted(SUPPORTED_SUFFIXES)))
    options = ExtractOptions(ocr=ocr, ocr_settings=OcrSettings(), catalogs=_catalog_paths(catalogs))
    batch = BatchOptions(executor="local", workers=workers or _default_workers(), force=force,
                         timeout=timeout, max_memory_mb=max_memory_mb)
    if out is not None:
        outcomes = run(inputs, Path(out), options=options, batch=batch)
        return _read_tables(Path(out), {o.doc_id for o in outcomes if o.doc_id})
    with tempfile.TemporaryDirectory(prefix="avance-") as tmp:
        outcomes = run(inputs, Path(tmp), options=options, batch=batch)
        return _read_tables(Path(tmp), {o.doc_id for o in outcomes if o.doc_id})


def _catalog_paths(catalogs: Iterable[PathLike]) -> tuple[str, ...]:
    """Absolute paths, each catalog read once here: a missing file or an unknown header raises now."""
    from .normalizers.catalogs import read_user_catalog

    paths = tuple(str(Path(c).absolute()) for c in catalogs)
    for p in paths:
        read_user_catalog(Path(p))
    return paths


def _read_tables(out_dir: Path, doc_ids: set[str]) -> dict[str, "pd.DataFrame"]:
    """Every contract table of `out_dir`, the rows of `doc_ids` only."""
    from .contract import TABLES
    from .pipeline.database import connect

    con = connect(out_dir, panels=False)
    try:
        con.execute("CREATE TEMP TABLE _wanted (doc_id VARCHAR)")
        con.executemany("INSERT INTO _wanted VALUES (?)", [(d,) for d in sorted(doc_ids)])
        return {name: con.execute(f'SELECT * FROM "{name}" WHERE doc_id IN (SELECT doc_id FROM _wanted)').df()
                for name in TABLES}
    finally:
        con.close()


def open(out: PathLike) -> "duckdb.DuckDBPyConnection":  # noqa: A001 (the name users expect)
    """An in-memory DuckDB connection over an output folder: a view per contract table
    (`documents`, `sections`, `goals`, ..., `flags`) and the panel views
    (`reports`, `goal_panel`, `mir_panel`, `indicator_results_panel`; see the README)."""
    from .pipeline.database import connect

    folder = Path(out)
    if not folder.is_dir():
        raise FileNotFoundError(f"no such output folder: {folder}")
    return connect(folder)
