"""Tesseract behind one small interface: words with pixel boxes and confidences.

The tesserocr API keeps the model loaded in the process, so reading a page and
then a few of its paragraphs again costs milliseconds per call (measured: 65 ms
for a four-line cell, against 210 ms through a `tesseract` process with
pytesseract). pytesseract is the fallback where tesserocr is not installed.
"""
from __future__ import annotations

import os
import re
import subprocess
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING, Optional

from ..errors import AvanceError

if TYPE_CHECKING:
    import numpy as np


class OcrUnavailable(AvanceError):
    """Tesseract (or its Spanish model) is not installed."""


@dataclass(frozen=True)
class OcrWord:
    text: str
    left: int
    top: int
    right: int
    bottom: int
    conf: float


@lru_cache(maxsize=1)
def tessdata_dir() -> Optional[str]:
    """Where the system's traineddata files are (as the `tesseract` command reports)."""
    if os.environ.get("TESSDATA_PREFIX"):
        return os.environ["TESSDATA_PREFIX"]
    try:
        out = subprocess.run(["tesseract", "--list-langs"], capture_output=True, text=True, timeout=30)
    except (OSError, subprocess.TimeoutExpired):
        return None
    m = re.search(r'"([^"]+)"', out.stdout + out.stderr)
    return m.group(1) if m else None


# The resolution a PIL image carries into Tesseract through tesserocr's SetImage (its BMP
# header's 3780 pixels a metre).
_PIL_BMP_DPI = 96


class _ApiEngine:
    def __init__(self, lang: str):
        import tesserocr

        self._tesserocr = tesserocr
        path = tessdata_dir()
        if not path or any(part not in tesserocr.get_languages(path)[1] for part in lang.split("+")):
            raise OcrUnavailable(f"Tesseract has no '{lang}' model (apt-get install tesseract-ocr-{lang})")
        self._api = tesserocr.PyTessBaseAPI(path=path, lang=lang)

    def words(self, image: np.ndarray, psm: int) -> list[OcrWord]:
        from PIL import Image

        import numpy as np

        t = self._tesserocr
        self._api.SetPageSegMode(psm)
        if image.ndim == 2 and image.dtype == np.uint8:
            # grey pixels handed over as they are: through PIL, tesserocr encodes the image
            # as a BMP and Leptonica decodes it again (~12 ms a 300-dpi page). The BMP says
            # 96 dpi, which Tesseract's thresholds go by: said here too, the same words
            image = np.ascontiguousarray(image)
            self._api.SetImageBytes(image.tobytes(), image.shape[1], image.shape[0], 1, image.shape[1])
            self._api.SetSourceResolution(_PIL_BMP_DPI)
        else:
            self._api.SetImage(Image.fromarray(image))
        self._api.Recognize()
        level = t.RIL.WORD
        out = []
        iterator = self._api.GetIterator()
        if iterator is None:
            return []
        for r in t.iterate_level(iterator, level):
            try:
                text = (r.GetUTF8Text(level) or "").strip()
            except RuntimeError:  # an empty result region
                continue
            box = r.BoundingBox(level)
            if text and box:
                out.append(OcrWord(text, box[0], box[1], box[2], box[3], float(r.Confidence(level))))
        return out


class _ProcessEngine:
    def __init__(self, lang: str):
        self.lang = lang

    def words(self, image: np.ndarray, psm: int) -> list[OcrWord]:
        import pytesseract

        try:
            data = pytesseract.image_to_data(image, lang=self.lang, config=f"--psm {psm}",
                                             output_type=pytesseract.Output.DICT)
        except pytesseract.TesseractNotFoundError as exc:
            raise OcrUnavailable("Tesseract is not installed (apt-get install tesseract-ocr tesseract-ocr-spa)") from exc
        except pytesseract.TesseractError as exc:
            if "Failed loading language" in str(exc):
                raise OcrUnavailable(f"Tesseract has no '{self.lang}' model (apt-get install tesseract-ocr-spa)") from exc
            raise
        return [OcrWord(t.strip(), l, tp, l + w, tp + h, float(c))
                for t, l, tp, w, h, c in zip(data["text"], data["left"], data["top"], data["width"],
                                             data["height"], data["conf"]) if t.strip()]


@lru_cache(maxsize=4)
def engine(lang: str = "spa"):
    """One engine per process and language (workers are processes)."""
    os.environ.setdefault("OMP_THREAD_LIMIT", "1")  # one core per worker; parallelism is per document
    try:
        return _ApiEngine(lang)
    except ImportError:
        return _ProcessEngine(lang)
