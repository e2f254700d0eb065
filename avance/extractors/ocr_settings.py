"""The OCR settings, apart from the OCR code: a run's options name them without loading
OpenCV or Tesseract (a text-layer run never needs either)."""
from __future__ import annotations

from dataclasses import dataclass

from .tesseract import OcrUnavailable

__all__ = ["OcrSettings", "OcrUnavailable"]


@dataclass(frozen=True)
class OcrSettings:
    # Measured on the dev scans (bench/scan_eval.py): 300 dpi keeps the decimal points of
    # 6-7 pt figures that 200 dpi loses (numeric tokens recovered 0.84 vs 0.70); psm 4
    # (one column of variable-size text) keeps lone table digits that psm 3 and 11 drop.
    dpi: int = 300
    lang: str = "spa"
    psm: int = 4
    max_skew_degrees: float = 4.0
    min_speck_area: int = 3  # pixels at `dpi`: smaller than a 6 pt period
    # Second reading of doubtful paragraphs (see refine_low_confidence); 0 turns it off.
    max_rereads: int = 80
    doubtful_word_conf: float = 60.0
    doubtful_mean_conf: float = 85.0
    reread_scale: float = 1.5
    reread_gain: float = 1.0

    def __post_init__(self) -> None:
        if not 72 <= self.dpi <= 600:
            raise ValueError(f"dpi {self.dpi} outside 72..600")
        if self.psm not in (3, 4, 6, 11, 12):
            raise ValueError(f"unsupported page segmentation mode {self.psm}")
