"""The rule finder on scans: bold type a scan blurred into long horizontal runs is
text, not a rule (issue 15: scans of other qualities)."""
from __future__ import annotations

import numpy as np

from avance.extractors import ocr


def _page() -> np.ndarray:
    binv = np.zeros((600, 2000), np.uint8)  # ink 255 on 0, as the rule finder takes it
    # a bold word whose letters merged: stems 26 px tall, a baseline run 120 px long
    for left in range(300, 420, 12):
        binv[100:126, left:left + 9] = 255
    binv[122:126, 300:420] = 255
    # a header cell's rule with its label a cell's padding above
    binv[300:303, 300:420] = 255
    for left in range(320, 400, 12):
        binv[280:294, left:left + 6] = 255
    # a signature line a stroke crosses: the crossed piece a few pixels lower, apart
    # from the rest, with the stroke's ink all over it
    binv[500:503, 100:700] = 255
    binv[505:508, 700:800] = 255
    for left in range(700, 800, 3):
        binv[490:505, left:left + 2] = 255
        binv[508:520, left:left + 2] = 255
    binv[500:503, 800:1400] = 255
    return binv


def test_a_run_through_bold_type_is_no_rule_and_the_rules_stay():
    binv = _page()
    horizontal, _ = ocr.line_masks(binv)
    assert not horizontal[100:130, 300:420].any()      # the word's baseline: text, left to the reading
    assert horizontal[300:303, 305:415].all()          # the cell's rule under its label
    assert horizontal[500:503, 105:695].all() and horizontal[500:503, 805:1395].all()  # the signature line
    assert horizontal[505:508, 705:795].all()          # and its crossed piece


def test_the_run_would_be_a_rule_by_length_alone():
    # what the test above relies on: the run is as long as the rule finder's kernel asks
    binv = _page()
    h, w = binv.shape
    assert 120 >= max(20, w // 40)
