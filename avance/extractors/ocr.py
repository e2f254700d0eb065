"""Scanned pages to the same `Page` records as a text layer: words with boxes
(in PDF points) and confidences, and the table's ruling lines.

One Tesseract call per page (never per cell). Before it, OpenCV straightens the
page (projection-profile deskew), finds the ruling lines (morphology) so table
parsers get the same grid evidence as from a born-digital PDF, and erases those
lines and specks so Tesseract sees only text: measured on the dev scans, this is
both faster and more accurate than OCR of the raw page.
"""
from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Optional

import cv2
import numpy as np

from ..errors import AvanceError
from ..records import Page, Rule, Word

POINTS_PER_INCH = 72.0


class OcrUnavailable(AvanceError):
    """Tesseract (or its Spanish model) is not installed."""


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

    def __post_init__(self) -> None:
        if not 72 <= self.dpi <= 600:
            raise ValueError(f"dpi {self.dpi} outside 72..600")
        if self.psm not in (3, 4, 6, 11, 12):
            raise ValueError(f"unsupported page segmentation mode {self.psm}")


def to_gray(image: np.ndarray) -> np.ndarray:
    if image.ndim == 2:
        return image
    if image.shape[2] == 4:
        return cv2.cvtColor(image, cv2.COLOR_BGRA2GRAY)
    return cv2.cvtColor(image, cv2.COLOR_BGR2GRAY)


def estimate_skew(binary_inv: np.ndarray, max_degrees: float) -> float:
    """Angle (degrees) that makes text rows and rules horizontal: the rotation
    whose row-sum profile is sharpest, searched coarse then fine on a small copy."""
    h, w = binary_inv.shape
    scale = min(1.0, 800.0 / max(h, w))
    small = cv2.resize(binary_inv, (int(w * scale), int(h * scale)), interpolation=cv2.INTER_AREA)
    center = (small.shape[1] / 2, small.shape[0] / 2)

    def sharpness(angle: float) -> float:
        m = cv2.getRotationMatrix2D(center, angle, 1.0)
        rotated = cv2.warpAffine(small, m, (small.shape[1], small.shape[0]), flags=cv2.INTER_NEAREST)
        profile = rotated.sum(axis=1, dtype=np.float64)
        return float(np.var(np.diff(profile)))

    coarse = np.arange(-max_degrees, max_degrees + 1e-9, 0.5)
    best = max(coarse, key=sharpness)
    fine = np.arange(best - 0.5, best + 0.5 + 1e-9, 0.1)
    return float(max(fine, key=sharpness))


def rotate(gray: np.ndarray, angle: float) -> np.ndarray:
    if abs(angle) < 0.05:
        return gray
    h, w = gray.shape
    m = cv2.getRotationMatrix2D((w / 2, h / 2), angle, 1.0)
    return cv2.warpAffine(gray, m, (w, h), flags=cv2.INTER_LINEAR, borderValue=255)


def binarize_inv(gray: np.ndarray) -> np.ndarray:
    """Ink white on black (Otsu), the form morphology wants."""
    _, binv = cv2.threshold(gray, 0, 255, cv2.THRESH_BINARY_INV | cv2.THRESH_OTSU)
    return binv


def line_masks(binv: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Horizontal and vertical ruling lines: ink runs far longer than any glyph."""
    h, w = binv.shape
    horizontal = cv2.morphologyEx(binv, cv2.MORPH_OPEN, cv2.getStructuringElement(cv2.MORPH_RECT, (max(20, w // 40), 1)))
    vertical = cv2.morphologyEx(binv, cv2.MORPH_OPEN, cv2.getStructuringElement(cv2.MORPH_RECT, (1, max(20, h // 50))))
    return horizontal, vertical


def mask_rules(mask: np.ndarray, to_points: float) -> list[Rule]:
    contours, _ = cv2.findContours(mask, cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_SIMPLE)
    rules = []
    for c in contours:
        x, y, w, h = cv2.boundingRect(c)
        rules.append(Rule(x0=x * to_points, top=y * to_points, x1=(x + w) * to_points, bottom=(y + h) * to_points))
    return rules


def clean_for_ocr(binv: np.ndarray, lines: np.ndarray, min_speck_area: int) -> np.ndarray:
    """Black text on white with rules and specks erased."""
    text = cv2.bitwise_and(binv, cv2.bitwise_not(cv2.dilate(lines, np.ones((3, 3), np.uint8))))
    n, labels, stats, _ = cv2.connectedComponentsWithStats(text, connectivity=8)
    if n > 1:
        small = stats[:, cv2.CC_STAT_AREA] < min_speck_area
        small[0] = False
        text[small[labels]] = 0
    return 255 - text


def tesseract_words(image: np.ndarray, settings: OcrSettings, to_points: float) -> list[Word]:
    try:
        import pytesseract
    except ImportError as exc:  # pragma: no cover - a dependency of the package
        raise OcrUnavailable("pytesseract is not installed") from exc
    os.environ.setdefault("OMP_THREAD_LIMIT", "1")  # one core per worker; parallelism is per document
    try:
        data = pytesseract.image_to_data(
            image, lang=settings.lang, config=f"--psm {settings.psm}", output_type=pytesseract.Output.DICT,
        )
    except pytesseract.TesseractNotFoundError as exc:
        raise OcrUnavailable("Tesseract is not installed (apt-get install tesseract-ocr tesseract-ocr-spa)") from exc
    except pytesseract.TesseractError as exc:
        if "Failed loading language" in str(exc):
            raise OcrUnavailable(f"Tesseract has no '{settings.lang}' model (apt-get install tesseract-ocr-spa)") from exc
        raise
    words = []
    for text, left, top, width, height, conf in zip(
        data["text"], data["left"], data["top"], data["width"], data["height"], data["conf"],
    ):
        text = text.strip()
        if not text:
            continue
        words.append(Word(
            x0=left * to_points, top=top * to_points, x1=(left + width) * to_points,
            bottom=(top + height) * to_points, text=text, conf=float(conf),
        ))
    return words


def ocr_image(image: np.ndarray, number: int, pixels_per_inch: float, settings: OcrSettings = OcrSettings()) -> Page:
    """One page image (any resolution) to a Page in points."""
    gray = to_gray(image)
    angle = estimate_skew(binarize_inv(gray), settings.max_skew_degrees)
    gray = rotate(gray, angle)
    binv = binarize_inv(gray)
    horizontal, vertical = line_masks(binv)
    to_points = POINTS_PER_INCH / pixels_per_inch
    rules = mask_rules(horizontal, to_points) + mask_rules(vertical, to_points)
    clean = clean_for_ocr(binv, cv2.bitwise_or(horizontal, vertical), settings.min_speck_area)
    words = tesseract_words(clean, settings, to_points)
    h, w = gray.shape
    return Page(number=number, width=w * to_points, height=h * to_points, words=tuple(words),
                rules=tuple(rules), source="ocr")


def render_pdf_page(pdf_page, dpi: int) -> np.ndarray:
    """A PDF page (pypdfium2) rendered in grayscale at `dpi`."""
    bitmap = pdf_page.render(scale=dpi / POINTS_PER_INCH, grayscale=True)
    array = bitmap.to_numpy()
    return array[..., 0] if array.ndim == 3 else array


def ocr_pdf_page(pdf_page, number: int, settings: OcrSettings = OcrSettings()) -> Page:
    image = render_pdf_page(pdf_page, settings.dpi)
    page = ocr_image(image, number, settings.dpi, settings)
    # keep the PDF's own page size so coordinates match a text layer's
    width, height = pdf_page.get_size()
    return Page(number=number, width=width, height=height, words=page.words, rules=page.rules, source="ocr")


def tesseract_available(lang: str = "spa") -> Optional[str]:
    """None when Tesseract with `lang` can run, else the reason it cannot."""
    try:
        import pytesseract

        langs = pytesseract.get_languages(config="")
    except Exception as exc:
        return f"Tesseract is not usable: {exc}"
    return None if lang in langs else f"Tesseract has no '{lang}' model"
