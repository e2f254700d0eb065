"""Crops read again on scans (extractors/reread.py): a cell nothing was read in is cut
down to its glyphs, without the rules, pen strokes and border marks around them."""
from __future__ import annotations

import cv2
import numpy as np

from avance.extractors.reread import trim_to_glyphs
from avance.families.poa_evaluation import _code_read_again


def cell_with_code() -> np.ndarray:
    cell = np.full((240, 90), 255, np.uint8)
    cv2.putText(cell, "6.4.3", (22, 125), cv2.FONT_HERSHEY_SIMPLEX, 0.45, 0, 1, cv2.LINE_AA)
    cell[:, 84:86] = 0                                      # the cell's rule
    cell[118:124, 80:82] = 0                                # a remnant of it at the border
    cv2.line(cell, (10, 235), (60, 150), 0, 2)              # a pen stroke through the cell
    return cell


def test_a_cell_is_cut_down_to_its_glyphs():
    cell = cell_with_code()
    trimmed = trim_to_glyphs(cell, glyph_height=12)
    h, w = trimmed.shape
    assert h < 40 and w < 80  # the code's line, not the 240-pixel cell
    ink = np.count_nonzero(trimmed < 128)
    assert 0 < ink < np.count_nonzero(cell < 128) / 3  # stroke, rule and remnant gone


def test_a_cell_with_only_a_rule_is_left_as_is():
    cell = np.full((100, 60), 255, np.uint8)
    cell[:, 55:57] = 0
    assert trim_to_glyphs(cell, glyph_height=12).shape == cell.shape


def test_a_code_read_again_beside_a_mark():
    assert _code_read_again("6.4.3 1") == "6.4.3"
    assert _code_read_again("643") == "6.4.3"
    assert _code_read_again("2.2.1 (") == "2.2.1"
    assert _code_read_again("ET.3.2 ET.3.1") is None  # two codes: no reading
    assert _code_read_again("Era") is None
