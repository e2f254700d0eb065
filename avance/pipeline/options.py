"""Run options, validated once and passed down (no global settings)."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from ..extractors.ocr_settings import OcrSettings

OcrMode = Literal["auto", "always", "never"]


@dataclass(frozen=True)
class ExtractOptions:
    ocr: OcrMode = "auto"
    ocr_settings: OcrSettings = field(default_factory=OcrSettings)
    # processes reading one document's scanned pages at once (a run with fewer documents than workers)
    page_workers: int = 1

    def __post_init__(self) -> None:
        if self.ocr not in ("auto", "always", "never"):
            raise ValueError(f"ocr mode must be auto, always or never, not {self.ocr!r}")
        if self.page_workers < 1:
            raise ValueError(f"page_workers must be at least 1, not {self.page_workers}")


Executor = Literal["inline", "local", "dask"]


@dataclass(frozen=True)
class BatchOptions:
    """How a run spreads documents over workers and which it skips.

    `inline` processes documents one by one in this process (no timeout, no
    memory cap: for the library and debugging); `local` forks one child process
    per document, at most `workers` at a time, each with `timeout` seconds and
    `max_memory_mb` of memory; `dask` sends the same isolated per-document work
    to a Dask cluster (`scheduler` address, or a local cluster of `workers`).
    """
    executor: Executor = "inline"
    workers: int = 1
    scheduler: str | None = None
    force: bool = False          # re-extract documents whose outputs are complete
    retry_failed: bool = False   # re-extract documents whose recorded status is failed
    timeout: float | None = 300.0
    max_memory_mb: int | None = 2048

    def __post_init__(self) -> None:
        if self.executor not in ("inline", "local", "dask"):
            raise ValueError(f"executor must be inline, local or dask, not {self.executor!r}")
        if self.workers < 1:
            raise ValueError(f"workers must be at least 1, not {self.workers}")
        if self.timeout is not None and self.timeout <= 0:
            raise ValueError(f"timeout must be positive, not {self.timeout}")
        if self.max_memory_mb is not None and self.max_memory_mb < 64:
            raise ValueError(f"max_memory_mb must be at least 64, not {self.max_memory_mb}")
        if self.scheduler and self.executor != "dask":
            raise ValueError("a scheduler address needs the dask executor")
