"""Connected components of a page's ink, counted only where the ink is.

OpenCV's `connectedComponentsWithStats` visits every pixel of the image and, with
stats, accumulates five figures for each; on a 300-dpi page that is 50-70 ms a call,
and a scanned page made nine such calls (specks, halftone dots, fills, orientation):
about half of what the page cost besides Tesseract. Here the labelling runs over the
smallest window holding every set pixel (a mask of fills is mostly empty: nothing to
label at all), and areas alone come from a count of the labels. The components, their
areas and their boxes are exactly OpenCV's (boxes moved back to page coordinates).
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Optional

import cv2
import numpy as np


# The window starts on even rows and columns: OpenCV labels 8-connected ink by 2 x 2
# blocks from the image's corner, so a window on the same grid numbers the components
# in the same order as the whole image (their order decides ties downstream).
_GRID = 2


def ink_window(binary: np.ndarray) -> Optional[tuple[slice, slice]]:
    """The smallest (rows, columns) window holding every set pixel, its corner on the
    block grid; None when no pixel is set."""
    x, y, w, h = cv2.boundingRect(binary)
    if w == 0 or h == 0:
        return None
    x0, y0 = x - x % _GRID, y - y % _GRID
    return slice(y0, y + h), slice(x0, x + w)


@dataclass(frozen=True)
class Components:
    """`labels` cover `window` only (0 = background); `areas[k]` is component k's pixel
    count; `stats` (when asked for) are OpenCV's rows, x and y in page pixels."""
    window: tuple[slice, slice]
    labels: np.ndarray
    areas: np.ndarray
    stats: Optional[np.ndarray] = None

    @property
    def count(self) -> int:
        """Components, the background not counted."""
        return len(self.areas) - 1


def components(binary: np.ndarray, connectivity: int, with_stats: bool = False) -> Optional[Components]:
    """The 4- or 8-connected components of the set pixels of `binary` (uint8); None when
    nothing is set."""
    window = ink_window(binary)
    if window is None:
        return None
    part = binary[window]
    if with_stats:
        n, labels, stats, _ = cv2.connectedComponentsWithStats(part, connectivity=connectivity)
        stats = stats.copy()
        stats[1:, cv2.CC_STAT_LEFT] += window[1].start
        stats[1:, cv2.CC_STAT_TOP] += window[0].start
        return Components(window, labels, stats[:, cv2.CC_STAT_AREA], stats)
    n, labels = cv2.connectedComponents(part, connectivity=connectivity)
    return Components(window, labels, _label_counts(labels, n))


_COUNT_ROWS = 256  # rows of labels counted at once: bincount copies them to 64 bits


def _label_counts(labels: np.ndarray, n: int) -> np.ndarray:
    """Pixels per label, a band of rows at a time (a whole page's labels in 64 bits
    would be 67 MB: the peak of a scanned page's memory)."""
    counts = np.zeros(n, np.int64)
    for top in range(0, labels.shape[0], _COUNT_ROWS):
        counts += np.bincount(labels[top:top + _COUNT_ROWS].ravel(), minlength=n)
    return counts


def blob_stats(binary: np.ndarray, connectivity: int = 8) -> np.ndarray:
    """OpenCV's stats rows of every component (x, y, width, height, area), in page pixels."""
    found = components(binary, connectivity, with_stats=True)
    return np.zeros((0, 5), np.int32) if found is None else found.stats[1:]


def small_components(binary: np.ndarray, connectivity: int, below: int) -> Optional[tuple[tuple[slice, slice], np.ndarray]]:
    """Where the components of fewer than `below` pixels are: (window, mask of the window)."""
    found = components(binary, connectivity)
    if found is None:
        return None
    small = found.areas < below
    small[0] = False
    return found.window, small[found.labels]


def drop_small_components(binary: np.ndarray, connectivity: int, below: int) -> None:
    """Clears, in place, every component of fewer than `below` pixels."""
    found = small_components(binary, connectivity, below)
    if found is not None:
        window, mask = found
        binary[window][mask] = 0
