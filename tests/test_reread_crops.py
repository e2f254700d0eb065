"""Crops read again on scans (extractors/reread.py): a cell nothing was read in is cut
down to its glyphs, without the rules, pen strokes and border marks around them."""
from __future__ import annotations

import cv2
import numpy as np

from avance.extractors.reread import flatten_shading, trim_to_glyphs
from avance.families.poa_evaluation import _code_read_again, _figure_reading


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


def test_a_cell_with_only_a_rule_and_specks_is_not_read():
    cell = np.full((100, 60), 255, np.uint8)
    cell[:, 55:57] = 0
    cell[40:42, 20:22] = 0  # a speck of a fill: would read `o` or `1`
    assert trim_to_glyphs(cell, glyph_height=12) is None


def test_specks_off_the_line_are_cut_away_and_a_dash_on_it_kept():
    cell = np.full((120, 200), 255, np.uint8)
    cv2.putText(cell, "$", (30, 68), cv2.FONT_HERSHEY_SIMPLEX, 0.5, 0, 1, cv2.LINE_AA)
    cell[60:62, 150:158] = 0        # the dash of `$ -`, on the line of the `$`
    cell[20:22, 90:92] = 0          # specks of a fill above and below it
    cell[100:102, 60:62] = 0
    trimmed = trim_to_glyphs(cell, glyph_height=12)
    h, w = trimmed.shape
    assert h < 30                   # the line alone, not the specks' rows
    assert w > 120                  # from the `$` to the dash


def halftone_cell(text: str, fill: int = 200) -> np.ndarray:
    """A figure printed on a dotted grey fill, as a scanner renders a shaded cell."""
    rng = np.random.default_rng(7)
    cell = np.full((60, 160), 255, np.uint8)
    dots = rng.random(cell.shape) < (255 - fill) / 255 * 2.5
    cell[dots] = rng.integers(110, 190, size=int(dots.sum()))
    cv2.putText(cell, text, (30, 40), cv2.FONT_HERSHEY_SIMPLEX, 0.8, 30, 2, cv2.LINE_AA)
    return cell


def test_a_shaded_crop_is_flattened_to_its_strokes():
    cell = halftone_cell("88")
    flat = flatten_shading(cell)
    assert flat.shape == cell.shape
    strokes = cell < 60
    assert (flat[strokes] < 128).mean() > 0.9          # the figure stays black
    assert (flat[~strokes] > 128).mean() > 0.97        # the dots are gone


def test_a_crop_on_white_paper_is_left_as_is():
    cell = np.full((60, 160), 255, np.uint8)
    cv2.putText(cell, "88", (30, 40), cv2.FONT_HERSHEY_SIMPLEX, 0.8, 30, 2, cv2.LINE_AA)
    assert flatten_shading(cell) is cell


def test_a_code_read_again_beside_a_mark():
    assert _code_read_again("6.4.3 1") == "6.4.3"
    assert _code_read_again("643") == "6.4.3"
    assert _code_read_again("2.2.1 (") == "2.2.1"
    assert _code_read_again("ET-4.1") == "ET.4.1"  # a dot read as a dash
    assert _code_read_again("ET52") == "ET.5.2"    # both dots lost after a prefix
    assert _code_read_again("52") is None          # a bare two-digit number is no code
    assert _code_read_again("ET.3.2 ET.3.1") is None  # two codes: no reading
    assert _code_read_again("Era") is None


def test_a_negative_figure_read_with_its_dash_or_bracket_lost():
    assert _figure_reading("(-)10.52%") == -10.52
    assert _figure_reading("()10.52%") == -10.52   # the dash lost
    assert _figure_reading("(-J10.52%") == -10.52  # the bracket read `J`
    assert _figure_reading("(10.52%") is None       # an opening bracket alone says nothing


def test_an_even_grey_fill_is_left_as_is():
    cell = np.full((60, 160), 215, np.uint8)  # a flat fill: Tesseract reads it as it is
    cv2.putText(cell, "88", (30, 40), cv2.FONT_HERSHEY_SIMPLEX, 0.8, 110, 2, cv2.LINE_AA)
    assert flatten_shading(cell) is cell


def test_a_pen_stroke_below_the_code_is_not_read_with_it():
    cell = np.full((80, 100), 255, np.uint8)
    cv2.putText(cell, "ET.4.2", (14, 28), cv2.FONT_HERSHEY_SIMPLEX, 0.45, 0, 1, cv2.LINE_AA)
    cv2.line(cell, (40, 48), (48, 70), 0, 2)  # a signature's stroke through the cell's foot
    trimmed = trim_to_glyphs(cell, glyph_height=12)
    assert trimmed.shape[0] < 30  # the code's line only
