"""Run options, validated once and passed down (no global settings)."""
from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Literal, Optional

from ..extractors.ocr_settings import OcrSettings

OcrMode = Literal["auto", "always", "never"]

# What a run accepts (the CLI says the same in its one-line refusals).
MAX_TIMEOUT = 7 * 24 * 3600       # seconds: a week; longer would overflow the wait
MEMORY_MB_RANGE = (64, 1 << 20)   # MB per document: below 64 nothing starts; 1 TB
WORKERS_RANGE = (1, 1024)


@dataclass(frozen=True)
class ExtractOptions:
    ocr: OcrMode = "auto"
    ocr_settings: OcrSettings = field(default_factory=OcrSettings)
    lang: str = "es"  # language of the flags' sentences: es or en (avance/messages.py)
    catalogs: tuple[str, ...] = ()  # the user's catalog CSVs (absolute paths): PMD lines, units of measure
    # the memory cap a document runs under (set by the run; only named in messages)
    memory_cap_mb: Optional[int] = None
    # processes reading one document's scanned pages at once (a run with fewer documents than workers)
    page_workers: int = 1

    def __post_init__(self) -> None:
        if self.ocr not in ("auto", "always", "never"):
            raise ValueError(f"ocr mode must be auto, always or never, not {self.ocr!r}")
        if self.lang not in ("es", "en"):
            raise ValueError(f"lang must be es or en, not {self.lang!r}")
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
        if not WORKERS_RANGE[0] <= self.workers <= WORKERS_RANGE[1]:
            raise ValueError(f"workers must be from {WORKERS_RANGE[0]} to {WORKERS_RANGE[1]}, not {self.workers}")
        # nan compares false with everything: it would be accepted and never fire
        if self.timeout is not None and not (math.isfinite(self.timeout) and 0 < self.timeout <= MAX_TIMEOUT):
            raise ValueError(f"timeout must be a number of seconds above 0 and at most {MAX_TIMEOUT}, "
                             f"not {self.timeout}")
        if self.max_memory_mb is not None and not MEMORY_MB_RANGE[0] <= self.max_memory_mb <= MEMORY_MB_RANGE[1]:
            raise ValueError(f"max_memory_mb must be from {MEMORY_MB_RANGE[0]} to {MEMORY_MB_RANGE[1]}, "
                             f"not {self.max_memory_mb}")
        if self.scheduler and self.executor != "dask":
            raise ValueError("a scheduler address needs the dask executor")

    @property
    def memory_cap_mb(self) -> Optional[int]:
        """The cap each document runs under (none in this process)."""
        return None if self.executor == "inline" else self.max_memory_mb
