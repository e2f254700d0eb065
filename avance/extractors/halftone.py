"""Shaded table cells on a scan: the scanner prints the grey fill as a halftone,
a field of ink dots that Otsu keeps as ink. Tesseract then sees the figures in
those cells (PROGRAMADA / ALCANZADA columns of an evaluation table) buried in
dots and drops them.

`suppress_halftone` finds the dotted areas (many tiny blobs close together) and
opens the ink there with a small square and drops the small blobs left: dots
vanish, glyph strokes survive. Ink outside dotted areas is left alone, so the small
type elsewhere keeps its periods and thin strokes.
"""
from __future__ import annotations

import cv2
import numpy as np

# A dot: a 4-connected ink blob of at most this many pixels (at 300 dpi).
_DOT_AREA = 8
# Share of a window covered by dot blobs above which it is a shaded area.
_DOT_DENSITY = 0.04
_WINDOW = 41  # pixels, about 3.5 mm at 300 dpi
# Blobs left of the field after the opening (a 9 pt digit is several hundred pixels).
_CLUMP_AREA = 40


def halftone_mask(binv: np.ndarray) -> np.ndarray:
    """255 where the ink (white on black) is a halftone field."""
    n, labels, stats, _ = cv2.connectedComponentsWithStats(binv, connectivity=4)
    if n <= 1:
        return np.zeros_like(binv)
    small = stats[:, cv2.CC_STAT_AREA] <= _DOT_AREA
    small[0] = False
    dots = small[labels].astype(np.float32)
    density = cv2.boxFilter(dots, -1, (_WINDOW, _WINDOW))
    mask = (density > _DOT_DENSITY).astype(np.uint8) * 255
    # close the holes that glyphs leave in the field
    return cv2.morphologyEx(mask, cv2.MORPH_CLOSE, np.ones((_WINDOW, _WINDOW), np.uint8))


def suppress_halftone(binv: np.ndarray) -> np.ndarray:
    """Ink (white on black) with halftone dots erased inside shaded areas: a
    2x2 opening breaks the dot field, then what is left of it as small blobs
    goes. Call it on the image Tesseract reads, after the ruling lines were
    found (the opening would break rules inside shaded cells)."""
    mask = halftone_mask(binv) > 0
    if not mask.any():
        return binv
    opened = cv2.morphologyEx(binv, cv2.MORPH_OPEN, np.ones((2, 2), np.uint8))
    out = np.where(mask, opened, binv)
    n, labels, stats, _ = cv2.connectedComponentsWithStats(out, connectivity=8)
    small = stats[:, cv2.CC_STAT_AREA] <= _CLUMP_AREA
    small[0] = False
    out[small[labels] & mask] = 0
    return out
