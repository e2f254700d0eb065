"""Run options, validated once and passed down (no global settings)."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from ..extractors.ocr import OcrSettings

OcrMode = Literal["auto", "always", "never"]


@dataclass(frozen=True)
class ExtractOptions:
    ocr: OcrMode = "auto"
    ocr_settings: OcrSettings = field(default_factory=OcrSettings)

    def __post_init__(self) -> None:
        if self.ocr not in ("auto", "always", "never"):
            raise ValueError(f"ocr mode must be auto, always or never, not {self.ocr!r}")
