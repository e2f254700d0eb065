"""avance: progress reports of Mexican governments to auditable Parquet tables.

    import avance
    tables = avance.extract(["reports/"])   # dict of pandas DataFrames, one per table
    con = avance.open("out/")               # DuckDB connection, a view per table

`extract` and `open` are imported on first use, so `import avance` loads
neither pandas nor DuckDB.
"""

__version__ = "0.1.0"

__all__ = ["__version__", "extract", "open"]


def __getattr__(name: str):
    if name in ("extract", "open"):
        from . import api

        return getattr(api, name)
    raise AttributeError(f"module 'avance' has no attribute {name!r}")
