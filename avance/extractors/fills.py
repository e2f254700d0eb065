"""Light text on dark fills (a header band printed in the institution's colour):
turned into dark text on white before the page is binarized.

Otsu calls a dark fill ink, so its light letters become holes in a block that
the rule finder then erases whole: the header of such a table is never read.
A fill is an area of darker grey too large to be a glyph (it survives an
opening wider than any stroke); where its letters are lighter than it, the area
is remapped so the fill goes white and the letters black. Lines darker than the
fill (the cell borders drawn on it) stay black, so the grid is still found.
Fills whose text is darker than them (a light grey shading) are left as they
are: Otsu already reads them.
"""
from __future__ import annotations

import cv2
import numpy as np

from .components import components, drop_small_components

# Grey below which a smoothed area may be a fill (0 black, 255 white).
FILL_GREY = 205
# How much lighter than its fill a pixel must be to count as a letter, and darker to be a rule.
CONTRAST = 40
# A light letter's stroke on a fill: this much lighter than the fill (thin strokes of
# small type lose contrast in the scan's blur; the fill's own grain is within FLAT).
LETTER_CONTRAST = 25
# A cell border drawn on a fill, blurred by the scan, may be barely darker than the fill
# (measured on a real scan: borders 60-75 grey on a fill of 100): a run this much darker
# than its fill, and long like a rule, is a border.
RULE_CONTRAST = 15
# A halftone fill's pixels differ from their smoothed neighbourhood by this many grey
# levels on average (a real scan's dotted header: 15-20; an even fill: 2-4), smoothed
# over HALFTONE_SMOOTH pixels (a dot's pitch at 300 dpi) before its letters are found.
HALFTONE_GRAIN = 8.0
HALFTONE_SMOOTH = 5
# A fill is flat: most of it within this many grey levels of its median.
FLAT = 25
# The smallest fill, as a share of the page's width and height (a header cell, not a bullet).
MIN_FILL_WIDTH = 0.04
MIN_FILL_HEIGHT = 0.008


def _fill_mask(gray: np.ndarray) -> np.ndarray:
    h, w = gray.shape
    stroke = max(9, int(round(min(h, w) * 0.006)) | 1)  # wider than a glyph's stroke at any dpi
    dark = (cv2.medianBlur(gray, 5) < FILL_GREY).astype(np.uint8)
    solid = cv2.morphologyEx(dark, cv2.MORPH_OPEN, cv2.getStructuringElement(cv2.MORPH_RECT, (stroke, stroke)))
    # blots a few strokes wide (bold digits, a stamp's dot) are no fill: left out before
    # closing, so that they cannot chain a fill down into the rows under it
    drop_small_components(solid, 8, (4 * stroke) ** 2)
    # the letters punched out of a fill are holes in it: close them
    hole = max(15, int(round(min(h, w) * 0.02)) | 1)
    return cv2.morphologyEx(solid, cv2.MORPH_CLOSE, cv2.getStructuringElement(cv2.MORPH_RECT, (hole, hole)))


def _letter_pixels(light: np.ndarray, region: np.ndarray, page_height: int) -> int:
    """Light pixels in pieces of a letter's size (a lighter bar beside a dark one is none)."""
    n, labels, stats, _ = cv2.connectedComponentsWithStats((light & region).astype(np.uint8), connectivity=8)
    heights = stats[1:, cv2.CC_STAT_HEIGHT]
    letters = (heights <= 0.03 * page_height) & (heights >= 0.004 * page_height) & (stats[1:, cv2.CC_STAT_AREA] >= 20)
    return int(stats[1:, cv2.CC_STAT_AREA][letters].sum())


def _faint_rules(darker: np.ndarray, page_width: int, page_height: int) -> np.ndarray:
    """The pixels of `darker` on long horizontal or vertical runs (the lengths the page's
    rule finder asks for, `ocr.line_masks`)."""
    darker = darker.astype(np.uint8)
    across = cv2.morphologyEx(darker, cv2.MORPH_OPEN, cv2.getStructuringElement(cv2.MORPH_RECT, (max(20, page_width // 40), 1)))
    down = cv2.morphologyEx(darker, cv2.MORPH_OPEN, cv2.getStructuringElement(cv2.MORPH_RECT, (1, max(20, page_height // 50))))
    return (across | down) > 0


def _smoothed_if_halftone(patch: np.ndarray, region: np.ndarray) -> tuple[np.ndarray, bool]:
    """A fill printed as a halftone (a field of dots) smoothed over a dot's pitch: each
    dot would otherwise stand out from the fill as a letter does. An even fill as it is."""
    smooth = cv2.GaussianBlur(patch, (HALFTONE_SMOOTH, HALFTONE_SMOOTH), 0)
    grain = np.abs(patch.astype(np.int16) - smooth.astype(np.int16))[region]
    halftone = bool(grain.size) and float(grain.mean()) > HALFTONE_GRAIN
    return (smooth if halftone else patch), halftone


def _odd(n: int) -> int:
    return max(3, min(255, n | 1))


def lighten_dark_fills(gray: np.ndarray) -> tuple[np.ndarray, list[tuple[int, int, int, int]]]:
    """The page with light-on-dark areas remapped to dark-on-white, and those areas
    (x, y, width, height in pixels)."""
    h, w = gray.shape
    found = components(_fill_mask(gray), 8, with_stats=True)
    if found is None:  # no dark area at all (most pages)
        return gray, []
    paper = float(np.percentile(gray, 90))
    top, left = found.window[0].start, found.window[1].start  # of the labels
    out = gray
    areas = []
    for k in range(1, found.count + 1):
        x, y, bw, bh, area = found.stats[k]
        if bw < MIN_FILL_WIDTH * w or bh < MIN_FILL_HEIGHT * h or area < 0.5 * bw * bh:
            continue
        box = (slice(y, y + bh), slice(x, x + bw))
        region = found.labels[y - top:y - top + bh, x - left:x - left + bw] == k
        values = gray[box][region]
        level = float(np.median(values))
        flat = float(np.mean(np.abs(values.astype(np.int16) - int(level)) <= FLAT))
        if level > paper - 2 * CONTRAST or flat < 0.55:
            continue  # not darker than the paper, or no flat fill: bold type, a halftone's dots
        light = gray[box] > level + CONTRAST
        if _letter_pixels(light, region, h) < 0.01 * values.size:
            continue  # no light letters: dark letters on a shading (Otsu reads those), a chart's bars
        if out is gray:
            out = gray.copy()
        # a fill's own level, cell by cell (one band may hold several greys): what
        # stands out from it either way, letters light or dark and drawn borders, is ink
        patch, halftone = _smoothed_if_halftone(gray[box], region)
        local = cv2.medianBlur(patch, _odd(min(bh // 3, 41)))
        lift = patch.astype(np.int16) - local.astype(np.int16)
        # the letters were found lighter than the fill: their thin strokes, blurred by the
        # scan, stand out from it by less than a drawn border does (on a smoothed
        # halftone, the dots' remains do too: letters there must stand out as borders do)
        if halftone:  # clusters of dots left darker than the fill are no ink, borders are
            differs = (lift > CONTRAST) | _faint_rules(-lift > CONTRAST, w, h)
        else:
            # borders fainter than CONTRAST come out as dashes the rule finder drops:
            # kept whole where a long run is darker than the fill
            differs = (lift > LETTER_CONTRAST) | (lift < -CONTRAST) | _faint_rules(-lift > RULE_CONTRAST, w, h)
        remapped = np.where(differs, 0, 255).astype(np.uint8)
        inside = region & (local < FILL_GREY)  # not the paper at the fill's edge
        out[box][inside] = remapped[inside]
        # a band's edge is a border even where none is drawn (the fill ends on the paper)
        mask = region.astype(np.uint8)
        out[box][(mask - cv2.erode(mask, np.ones((3, 3), np.uint8), iterations=2)) > 0] = 0
        areas.append((int(x), int(y), int(bw), int(bh)))
    return out, areas
