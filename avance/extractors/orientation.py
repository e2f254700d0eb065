"""Page orientation: how far a scanned page is turned (0, 90, 180 or 270 degrees).

Scanners feed landscape reports sideways and upside down; Tesseract reads
neither. Two questions, answered cheaply before deskew:

1. Do the text lines run across or down the page (0/180 vs 90/270)? Ink is
   smeared along each axis by about half a character: along the text lines
   the letters of a word fuse, across them the lines stay apart, so smearing
   along the lines leaves far fewer blobs. Pure OpenCV on a small copy (~0.05 s).
2. Which way up? Tesseract reads the page's longest words cut out and stacked
   as they are (~0.07 s): read well, the page is upright. Read poorly, the stack
   turned 180 degrees is read, and read well, the page is upside down. Otherwise
   both copies are read in one call (stacked in one image), and the side read
   with more confidence wins.

Tesseract's own OSD (`image_to_osd`) was measured on the real scans and
rejected: slower (1-2 s a page) and wrong on tables with rules and small type.
"""
from __future__ import annotations

from typing import Optional

import cv2
import numpy as np

from .components import blob_stats

# Working copy for the line-direction test: long side in pixels.
_WORK_LONG_SIDE = 1800
# Blob ratio (smeared across / smeared along) beyond which text lines are taken
# as running across the page. Measured: 1.3-7 on upright scans, 0.1-0.25 sideways.
_DIRECTION_MARGIN = 1.0
# Words read for the up/down test (the longest on the page), and the most of
# one word kept, in pixels of the page image.
_WORDS_READ = 8
_MAX_WORD_PIXELS = 400
# One side of the stack read alone settles which way up when it reads this well (mean
# confidence of its word-like tokens, at least _SURE_WORDS of them) and, for the turned
# side, the stack as it is read poorly (mean under _POOR_SIDE); the side not needed is not
# read. Measured on the 12 dev scans and the real scans, each page also turned 180 degrees
# (142 pages): words the right way up read alone at 54-96 (most above 77), upside down at
# 11-55; where a side is neither sure nor poor, both are read in one call, as before.
_SURE_SIDE = 75.0
_POOR_SIDE = 50.0
_SURE_WORDS = 3


def _small_text(gray: np.ndarray) -> tuple[np.ndarray, float]:
    """Text ink (white on black) on a small copy, ruling lines erased; and the scale used."""
    h, w = gray.shape
    scale = min(1.0, _WORK_LONG_SIDE / max(h, w))
    small = cv2.resize(gray, (max(1, int(w * scale)), max(1, int(h * scale))), interpolation=cv2.INTER_AREA)
    _, binv = cv2.threshold(small, 0, 255, cv2.THRESH_BINARY_INV | cv2.THRESH_OTSU)
    sh, sw = binv.shape
    horizontal = cv2.morphologyEx(binv, cv2.MORPH_OPEN, cv2.getStructuringElement(cv2.MORPH_RECT, (max(15, sw // 60), 1)))
    vertical = cv2.morphologyEx(binv, cv2.MORPH_OPEN, cv2.getStructuringElement(cv2.MORPH_RECT, (1, max(15, sh // 60))))
    rules = cv2.dilate(cv2.bitwise_or(horizontal, vertical), np.ones((3, 3), np.uint8))
    return cv2.bitwise_and(binv, cv2.bitwise_not(rules)), scale


def _blob_stats(binary: np.ndarray) -> np.ndarray:
    return blob_stats(binary, 8)


class _Blobs:
    """The blobs of one text image: its glyphs, and its glyphs smeared along the lines by
    k pixels, each labelled once (the direction test and the word finder ask for the same
    ones on an upright page: a whole-page labelling each, otherwise)."""

    def __init__(self, text: np.ndarray):
        self.text = text
        self._glyphs: Optional[np.ndarray] = None
        self._along: dict[int, np.ndarray] = {}

    def glyphs(self) -> np.ndarray:
        if self._glyphs is None:
            self._glyphs = _blob_stats(self.text)
        return self._glyphs

    def along(self, k: int) -> np.ndarray:
        if k not in self._along:
            self._along[k] = _blob_stats(cv2.dilate(self.text, np.ones((1, k), np.uint8)))
        return self._along[k]


def lines_run_across(text: np.ndarray, blobs: Optional[_Blobs] = None) -> Optional[bool]:
    """True when text lines are horizontal, False when vertical, None when the
    page has too little text to tell."""
    blobs = blobs or _Blobs(text)
    stats = blobs.glyphs()
    stats = stats[stats[:, cv2.CC_STAT_AREA] >= 4]
    if len(stats) < 30:
        return None
    glyph = float(np.median(np.maximum(stats[:, cv2.CC_STAT_WIDTH], stats[:, cv2.CC_STAT_HEIGHT])))
    k = max(2, int(round(0.5 * glyph)))
    along = len(blobs.along(k))
    across = len(_blob_stats(cv2.dilate(text, np.ones((k, 1), np.uint8))))
    if along == 0 or across == 0:
        return None
    return across / along > _DIRECTION_MARGIN


def _word_boxes(text: np.ndarray, blobs: Optional[_Blobs] = None) -> list[tuple[int, int, int, int]]:
    """(x, y, w, h) on the small copy of the longest runs of glyphs (words and
    phrases): letters smeared along the line fuse into one long, glyph-high blob.
    Handwriting, stamps and lone digits make few such blobs."""
    blobs = blobs or _Blobs(text)
    stats = blobs.glyphs()
    stats = stats[stats[:, cv2.CC_STAT_AREA] >= 4]
    if len(stats) == 0:
        return []
    glyph = float(np.median(stats[:, cv2.CC_STAT_HEIGHT]))
    k = max(2, int(round(0.5 * glyph)))
    runs = blobs.along(k)
    h, w = runs[:, cv2.CC_STAT_HEIGHT], runs[:, cv2.CC_STAT_WIDTH]
    words = runs[(h >= 0.7 * glyph) & (h <= 2.0 * glyph) & (w >= 4 * h)]
    words = words[np.argsort(-words[:, cv2.CC_STAT_WIDTH], kind="stable")][:_WORDS_READ]
    return [(int(x), int(y), int(ww), int(hh)) for x, y, ww, hh, _ in words]


def _read_confidence(image: np.ndarray, split_y: float, lang: str) -> tuple[float, float]:
    """Summed Tesseract confidence of word-like tokens above and below `split_y`
    (the process's loaded engine: no Tesseract start-up per page)."""
    from .tesseract import engine

    score = [0.0, 0.0]
    for word in engine(lang).words(image, 6):
        if word.conf <= 0 or sum(ch.isalnum() for ch in word.text) < 3:
            continue
        score[0 if (word.top + word.bottom) / 2 < split_y else 1] += word.conf
    return score[0], score[1]


def _word_stack(gray: np.ndarray, text: np.ndarray, scale: float,
                blobs: Optional[_Blobs] = None) -> Optional[tuple[np.ndarray, int]]:
    """The page's longest words cut out of the grey page and stacked one per row, and the
    gap between rows (None when the page has none)."""
    crops = []
    for x, y, w, h in _word_boxes(text, blobs):
        pad = max(2, h // 3)
        x0, y0 = max(0, int((x - pad) / scale)), max(0, int((y - pad) / scale))
        x1, y1 = int((x + w + pad) / scale), int((y + h + pad) / scale)
        crops.append(gray[y0:y1, x0:min(x1, x0 + _MAX_WORD_PIXELS)])
    if not crops:
        return None
    gap = max(8, int(np.median([c.shape[0] for c in crops]) // 2))
    width = max(c.shape[1] for c in crops) + 2 * gap
    height = sum(c.shape[0] + gap for c in crops) + gap
    stack = np.full((height, width), 255, np.uint8)
    y = gap
    for c in crops:
        stack[y:y + c.shape[0], gap:gap + c.shape[1]] = c
        y += c.shape[0] + gap
    return stack, gap


def _both_ways(stack: np.ndarray, gap: int, lang: str) -> tuple[float, float]:
    """Tesseract's confidence reading the stack as it is vs turned 180 degrees, from one
    call: the turned copy below it."""
    height, width = stack.shape
    image = np.full((2 * height + 2 * gap, width), 255, np.uint8)
    image[:height] = stack
    image[height + 2 * gap:] = cv2.rotate(stack, cv2.ROTATE_180)
    return _read_confidence(image, height + gap, lang)


def _one_side(stack: np.ndarray, lang: str) -> tuple[int, float]:
    """Word-like tokens Tesseract reads on the stack alone, and their mean confidence."""
    from .tesseract import engine

    confs = [w.conf for w in engine(lang).words(stack, 6) if w.conf > 0 and sum(ch.isalnum() for ch in w.text) >= 3]
    return len(confs), (sum(confs) / len(confs) if confs else 0.0)


def reads_upright(gray: np.ndarray, text: np.ndarray, scale: float, lang: str = "spa",
                  blobs: Optional[_Blobs] = None) -> bool:
    """Whether the page's longest words read better as they are than turned 180 degrees.
    The stack as it is is read first: reading well, it is upright (most pages: one side
    read, not two); reading poorly while the turned stack reads well, it is upside down;
    otherwise both are weighed in one call (`upright_score`)."""
    stacked = _word_stack(gray, text, scale, blobs)
    if stacked is None:
        return True
    stack, gap = stacked
    n, mean = _one_side(stack, lang)
    if n >= _SURE_WORDS and mean >= _SURE_SIDE:
        return True
    if mean < _POOR_SIDE:
        n, mean = _one_side(cv2.rotate(stack, cv2.ROTATE_180), lang)
        if n >= _SURE_WORDS and mean >= _SURE_SIDE:
            return False
    upright, flipped = _both_ways(stack, gap, lang)
    return not flipped > upright


def upright_score(gray: np.ndarray, text: np.ndarray, scale: float, lang: str = "spa",
                  blobs: Optional[_Blobs] = None) -> tuple[float, float]:
    """Tesseract's confidence reading the page's longest words as they are vs
    turned 180 degrees, from one call: the words cut out and stacked one per
    row, the same stack turned below it."""
    stacked = _word_stack(gray, text, scale, blobs)
    if stacked is None:
        return 0.0, 0.0
    return _both_ways(*stacked, lang)


def rotate_quarter(gray: np.ndarray, degrees: int) -> np.ndarray:
    """Turn an image clockwise by 0, 90, 180 or 270 degrees (lossless)."""
    codes = {90: cv2.ROTATE_90_CLOCKWISE, 180: cv2.ROTATE_180, 270: cv2.ROTATE_90_COUNTERCLOCKWISE}
    degrees %= 360
    if degrees == 0:
        return gray
    if degrees not in codes:
        raise ValueError(f"rotation {degrees} is not a multiple of 90")
    return cv2.rotate(gray, codes[degrees])


def detect_rotation(gray: np.ndarray, lang: str = "spa") -> int:
    """Degrees to turn the page clockwise so its text reads upright: 0, 90, 180 or 270.

    0 when the page has too little text to tell (a blank page is left as it is).
    """
    if gray.ndim != 2 or min(gray.shape) < 32:
        return 0
    text, scale = _small_text(gray)
    blobs = _Blobs(text)
    across = lines_run_across(text, blobs)
    if across is None:
        return 0
    turn = 0
    if not across:  # lines run down the page: turn it a quarter, then ask which way up
        turn = 90
        gray, text = rotate_quarter(gray, 90), rotate_quarter(text, 90)
        blobs = _Blobs(text)
    try:
        upright = reads_upright(gray, text, scale, lang, blobs)
    except Exception:  # no Tesseract: the OCR stage says so itself; keep the quarter turn
        return turn
    if not upright:
        turn += 180
    return turn % 360
