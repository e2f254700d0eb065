"""avance: progress reports of Mexican governments to auditable Parquet tables."""

__version__ = "0.1.0"
