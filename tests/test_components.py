"""Components counted only where the ink is give OpenCV's own figures (issue 19)."""
from __future__ import annotations

import cv2
import numpy as np
import pytest

from avance.extractors.components import blob_stats, components, drop_small_components, small_components


def _page(seed: int, margin: int) -> np.ndarray:
    rng = np.random.default_rng(seed)
    page = np.zeros((300, 220), np.uint8)
    ink = (rng.random((300 - 2 * margin, 220 - 3 * margin)) < 0.2).astype(np.uint8) * 255
    page[margin:300 - margin, 2 * margin:220 - margin] = ink
    return page


@pytest.mark.parametrize("connectivity", [4, 8])
@pytest.mark.parametrize("margin", [0, 17])
def test_the_same_components_areas_and_boxes_as_opencv(connectivity, margin):
    page = _page(margin + connectivity, margin)
    n, labels, stats, _ = cv2.connectedComponentsWithStats(page, connectivity=connectivity)
    assert (blob_stats(page, connectivity) == stats[1:]).all()
    found = components(page, connectivity)
    assert found.count == n - 1 and (found.areas[1:] == stats[1:, cv2.CC_STAT_AREA]).all()
    window, small = small_components(page, connectivity, below=3)
    expected = np.isin(labels, np.flatnonzero(stats[:, cv2.CC_STAT_AREA] < 3)) & (labels > 0)
    full = np.zeros(page.shape, bool)
    full[window] = small
    assert (full == expected).all() and expected.any()
    cleared = page.copy()
    drop_small_components(cleared, connectivity, below=3)
    assert (cleared == np.where(expected, 0, page)).all()


def test_an_empty_image_has_no_components():
    empty = np.zeros((40, 30), np.uint8)
    assert components(empty, 8) is None and small_components(empty, 8, 5) is None
    assert blob_stats(empty).shape == (0, 5)
    drop_small_components(empty, 8, 5)
    assert not empty.any()
