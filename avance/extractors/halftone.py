"""Shaded table cells on a scan: the scanner prints the grey fill as a halftone,
a field of ink dots that Otsu keeps as ink. Tesseract then sees the figures in
those cells (PROGRAMADA / ALCANZADA columns of an evaluation table) buried in
dots and drops them.

`suppress_halftone` finds the dotted areas (many tiny blobs close together) and
binarizes them again from the grey page at a darker level of their own: the
text ink of a scan is far darker than the dots of a light fill (measured on a
real evaluation scan: strokes 10-60 grey, dots 100-190), so a threshold between
the two drops the dots and keeps the strokes whole. Eroding the Otsu ink instead
(the earlier way) also ate the thin strokes of the digits. Ink outside dotted
areas is left alone, so the small type elsewhere keeps its periods and thin
strokes.
"""
from __future__ import annotations

import cv2
import numpy as np

from .components import components, small_components

# A dot: a 4-connected ink blob of at most this many pixels (at 300 dpi).
_DOT_AREA = 8
# Share of a window covered by dot blobs above which it is a shaded area.
_DOT_DENSITY = 0.04
_WINDOW = 41  # pixels, about 3.5 mm at 300 dpi
# The grey page is smoothed over about one dot pitch before the new threshold:
# a dot's core is then much lighter, a stroke (several pixels wide) barely.
_SMOOTH = 3
# The darkest dots of a field: this percentile of the smoothed grey under its dot blobs.
_DOT_PERCENTILE = 1.0
# The text ink: this percentile of the smoothed grey under the ink outside shaded areas.
_INK_PERCENTILE = 10.0


def _dots(binv: np.ndarray) -> np.ndarray:
    """True on the pixels of the tiny 4-connected ink blobs."""
    dots = np.zeros(binv.shape, bool)
    found = small_components(binv, 4, _DOT_AREA + 1)
    if found is not None:
        window, small = found
        dots[window] = small
    return dots


def _field(dots: np.ndarray) -> np.ndarray:
    # dot pixels counted per window in 16 bits (at most 41 x 41), not averaged in floats:
    # the same decision, a quarter of the memory of a float page
    count = cv2.boxFilter(dots.astype(np.uint8), cv2.CV_16U, (_WINDOW, _WINDOW), normalize=False)
    mask = (count > _DOT_DENSITY * _WINDOW * _WINDOW).astype(np.uint8) * 255
    # close the holes that glyphs leave in the field
    return cv2.morphologyEx(mask, cv2.MORPH_CLOSE, np.ones((_WINDOW, _WINDOW), np.uint8))


def halftone_mask(binv: np.ndarray) -> np.ndarray:
    """255 where the ink (white on black) is a halftone field."""
    if not binv.any():
        return np.zeros_like(binv)
    return _field(_dots(binv))


def _percentile(values: np.ndarray, where: np.ndarray, q: float) -> float | None:
    """The q-th percentile of uint8 `values` where `where` is set (None if empty)."""
    hist = cv2.calcHist([values], [0], where.astype(np.uint8), [256], [0, 256]).ravel()
    total = hist.sum()
    if total == 0:
        return None
    return float(np.searchsorted(np.cumsum(hist), q / 100.0 * total))


def suppress_halftone(binv: np.ndarray, gray: np.ndarray) -> np.ndarray:
    """Ink (white on black) with the halftone fields binarized again from `gray`
    (the page `binv` was thresholded from, same size).

    Each dotted area gets its own threshold, halfway between the text ink of the
    page (ink outside the dotted areas) and the darkest of the area's dots, both
    read on the grey page smoothed over a dot pitch; never above the page's own
    Otsu level. Call it on the image Tesseract reads, after the ruling lines were
    found (rules in a shaded cell come out thinner)."""
    if gray.shape != binv.shape:
        raise ValueError(f"grey page {gray.shape} and ink {binv.shape} differ in size")
    if not binv.any():
        return binv
    dots = _dots(binv)
    mask = _field(dots) > 0
    if not mask.any():
        return binv
    smooth = cv2.GaussianBlur(gray, (_SMOOTH, _SMOOTH), 0)
    ink_pixels = binv > 0
    # Otsu put the page's threshold at the lightest grey it still calls ink
    otsu = _percentile(gray, ink_pixels, 100.0)
    ink = _percentile(smooth, ink_pixels & ~dots & ~mask, _INK_PERCENTILE)
    out = binv.copy()
    # the fields labelled in the window that holds them (the same fields, in the same order)
    fields = components(mask.astype(np.uint8), 8, with_stats=True)
    top, left = fields.window[0].start, fields.window[1].start
    for k in range(1, fields.count + 1):
        x, y, w, h = fields.stats[k, :4]
        box = (slice(y, y + h), slice(x, x + w))
        region = fields.labels[y - top:y - top + h, x - left:x - left + w] == k
        darkest_dot = _percentile(smooth[box], region & dots[box], _DOT_PERCENTILE)
        if darkest_dot is None:
            continue
        level = (darkest_dot + (ink if ink is not None else 0.0)) / 2
        if otsu is not None:
            level = min(level, otsu)
        again = np.where(smooth[box] < level, 255, 0).astype(np.uint8)
        out[box] = np.where(region, again, out[box])
    return out
