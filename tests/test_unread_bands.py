"""Table rows the page pass left unread are read again, however many lines their
wrapped cells take (a MIR row runs to 20-30 lines)."""
from __future__ import annotations

import cv2
import numpy as np
import pytest

from avance.extractors.ocr import OcrSettings, read_unread_bands, tesseract_available
from avance.extractors.tesseract import OcrWord

pytestmark = pytest.mark.skipif(tesseract_available() is not None, reason="Tesseract with Spanish is not installed")


def test_a_tall_row_left_unread_is_read_again():
    line_h, lines = 30, 25
    top = 100
    bottom = top + lines * line_h
    clean = np.full((bottom + 200, 1400), 255, np.uint8)
    horizontal = np.zeros_like(clean)
    for y in (top, bottom):
        horizontal[y:y + 3, 20:1380] = 255
    for k in range(lines - 2):  # a cell's wrapped text, line after line
        cv2.putText(clean, "Organizacion de talleres", (60, top + 45 + k * line_h), cv2.FONT_HERSHEY_SIMPLEX, 0.8, 0, 2)
    # what the page pass read: words elsewhere on the page, none in the row
    read = [OcrWord("Trimestral", 60 + 150 * i, bottom + 60, 200 + 150 * i, bottom + 60 + 22, 95.0) for i in range(5)]
    out = read_unread_bands(clean, horizontal, read, OcrSettings())
    added = [w for w in out if top < w.top < bottom]
    assert len(added) >= lines and any("talleres" in w.text.lower() for w in added)
