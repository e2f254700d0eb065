"""Column solver: collapsed and duplicated cells put back by the row's arithmetic."""
from __future__ import annotations

from hypothesis import HealthCheck, assume, given, settings, strategies as st

from avance.normalizers.columns import (
    Figure, mir_slots, mir_violations, poa_slots, poa_violations, solve_row,
)


def figures(text: str) -> list[Figure]:
    return [Figure(float(t.rstrip("%").replace(",", "")), t.endswith("%")) for t in text.split()]


def test_collapsed_row_from_the_seed():
    # DIF operative department: empty later-quarter cells collapsed
    s = solve_row(figures("127,762 25,442 15,836 34,292 33,733 34,295 15,836 12%"), poa_slots(1), poa_violations)
    assert s.status == "realigned"
    assert s.values == {"annual_target": 127762, "P1": 25442, "A1": 15836, "P2": 34292, "A2": None,
                        "P3": 33733, "A3": None, "P4": 34295, "A4": None,
                        "absolute_progress": 15836, "relative_progress": 12}


def test_duplicated_cells_are_dropped():
    s = solve_row(figures("4 1 1 1 1 1 1 1 1 1 1 1 1 1 1 1 1 6 25%"), poa_slots(1), poa_violations)
    assert s.status == "realigned"
    assert (s.values["annual_target"], s.values["P4"], s.values["absolute_progress"]) == (4, 1, 1)


def test_a_printed_inconsistency_is_not_explained_away():
    # 30 of 100 is not 120%: the reading as printed stays, for the checks to flag
    s = solve_row(figures("100 25 30 25 25 25 30 120%"), poa_slots(1), poa_violations)
    assert s.values["relative_progress"] == 120 and s.values["absolute_progress"] == 30
    assert s.violations == 1


def test_ambiguous_row_keeps_only_what_all_readings_agree_on():
    s = solve_row(figures("25 6 6 6 6 6 7 6 7 6 7 6 7 6 7 6 24%"), poa_slots(1), poa_violations)
    assert s.status == "ambiguous"
    assert s.values["annual_target"] == 25 and s.values["P1"] == 6
    assert set(s.uncertain) >= {"P3", "P4"} and s.values["P4"] is None


def test_one_to_one_row_is_taken_as_printed():
    # a fourth-quarter report fills every cell; a broken rule is the checks' to report
    s = solve_row(figures("4 1 1 1 1 1 1 1 1 4 90%"), poa_slots(4), poa_violations)
    assert s.status == "as_printed" and s.values["A4"] == 1 and s.values["relative_progress"] == 90


def test_a_first_quarter_report_has_no_later_achievements():
    s = solve_row(figures("4 1 1 1 1 1 1 1 1 1 25%"), poa_slots(1), poa_violations)
    assert s.status == "realigned" and s.values["A2"] is None and s.values["A4"] is None


def test_mir_row():
    s = solve_row(figures("100 25 25 25 25 20 80.00% 20.00%"), mir_slots(), mir_violations(1))
    assert s.status == "as_printed" and s.values["achieved"] == 20


@st.composite
def valid_poa_rows(draw):
    programmed = [draw(st.integers(0, 5000)) for _ in range(4)]
    annual = sum(programmed)
    assume(annual > 0)
    achieved = draw(st.integers(0, 6000))
    relative = round(achieved / annual * 100)
    truth = {"annual_target": annual, "P1": programmed[0], "A1": achieved, "P2": programmed[1], "A2": None,
             "P3": programmed[2], "A3": None, "P4": programmed[3], "A4": None,
             "absolute_progress": achieved, "relative_progress": relative}
    printed = [Figure(float(v), k == "relative_progress") for k, v in truth.items() if v is not None]
    # OCR damage: duplicate some cells in place
    for _ in range(draw(st.integers(0, 3))):
        i = draw(st.integers(0, len(printed) - 1))
        printed.insert(i, printed[i])
    return truth, printed


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.filter_too_much])
@given(valid_poa_rows())
def test_never_a_wrong_value_without_saying_so(row):
    truth, printed = row
    s = solve_row(printed, poa_slots(1), poa_violations)
    if s.status in ("as_printed", "realigned"):
        wrong = {k: (v, truth[k]) for k, v in s.values.items() if v != truth[k]}
        # a wrong value is only acceptable when the row's own arithmetic cannot tell
        assert not wrong or s.violations == 0 and _equally_consistent(s.values), wrong
    else:
        for k, v in s.values.items():
            assert v is None or v == truth[k], (k, v, truth[k])


def _equally_consistent(values) -> bool:
    return poa_violations(values) == 0
