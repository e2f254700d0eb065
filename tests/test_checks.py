from __future__ import annotations

from avance.normalizers.checks import check_section, percent_agrees, printed_decimals
from avance.normalizers.formula import evaluate_formula, parse_formula
from avance.records import (
    EvaluationRow, Goal, GoalPeriod, Indicator, IndicatorValue, MirPeriod, MirRow, SectionInfo, SectionResult, Severity,
)


def goal(code, annual, absolute, relative):
    return Goal(goal_code=code, is_main_goal=False, description="x", unit=None, unit_raw=None,
                annual_target=annual, absolute_progress=absolute, relative_progress=relative,
                pmd_codes=(), pmd_codes_raw=None, observations=None, page=1)


def periods(code, programmed, achieved):
    return [GoalPeriod(code, p, "", programmed[p - 1], achieved[p - 1]) for p in range(1, 5)]


def section(**lists):
    return SectionResult(info=SectionInfo(family="poa_avance", page_start=1, page_end=1, quarter=1), **lists)


def rules(result):
    return {(f.row_key, f.rule, f.field) for f in result.flags}


def test_printed_precision():
    assert printed_decimals(25.0) == 0 and printed_decimals(19.36) == 2 and printed_decimals(31.4) == 1
    assert percent_agrees(25.0, 24.6) and not percent_agrees(80.76, 80.0)
    assert percent_agrees(19.36, 426 / 2200 * 100)


def test_consistent_goal_raises_nothing():
    s = section(goals=[goal("101", 100, 25, 25)], goal_periods=periods("101", [25] * 4, [25, None, None, None]))
    assert check_section(s).flags == []


def test_goal_inconsistencies_are_warnings():
    s = section(
        goals=[goal("201", 48, 7, 58.33), goal("205", 40, 12, 30)],
        goal_periods=periods("201", [12] * 4, [7, None, None, None]) + periods("205", [10, 10, 10, 11], [10, None, None, None]),
    )
    found = rules(check_section(s))
    assert ("201", "percent_mismatch", "relative_progress") in found
    assert ("205", "sum_mismatch", "annual_target") in found
    assert ("205", "sum_mismatch", "absolute_progress") in found
    assert all(f.severity.value == "warning" and f.message for f in check_section(s).flags)


def test_mir_percentages():
    row = MirRow(responsible_unit=None, level="Actividad", objective_code="4.1.1.1.5.1", objective=None,
                 indicator_acronym=None, indicator_name=None, frequency=None, indicator_unit=None,
                 variables_unit=None, annual_target=100, achieved=20, pct_period=80.76, pct_cumulative=20.0,
                 justification=None, page=1)
    s = section(mir_rows=[row], mir_periods=[MirPeriod("4.1.1.1.5.1", p, 25) for p in range(1, 5)])
    assert rules(check_section(s)) == {("4.1.1.1.5.1", "percent_mismatch", "pct_period")}


def mir_row(code, annual, achieved, pct_period, pct_cumulative):
    return MirRow(responsible_unit=None, level="Actividad", objective_code=code, objective=None,
                  indicator_acronym=None, indicator_name=None, frequency=None, indicator_unit=None,
                  variables_unit=None, annual_target=annual, achieved=achieved, pct_period=pct_period,
                  pct_cumulative=pct_cumulative, justification=None, page=1)


def mir_section(quarter, rows):
    info = SectionInfo(family="mir_avance", page_start=1, page_end=1, quarter=quarter)
    return SectionResult(info=info, mir_rows=rows,
                         mir_periods=[MirPeriod(r.objective_code, p, 25) for r in rows for p in range(1, 5)])


def test_mir_cumulative_percent_in_a_later_quarter():
    # third quarter: 20 achieved in it of a target of 25; 20 + 22 + 19 = 61 achieved to date of 100
    consistent = mir_row("1.1", 100, 20, 80.0, 61.0)
    # the cumulative cannot be below the quarter's own share (20 of 100)
    too_low = mir_row("1.2", 100, 20, 80.0, 15.0)
    found = rules(check_section(mir_section(3, [consistent, too_low])))
    assert found == {("1.2", "percent_mismatch", "pct_cumulative")}
    # the same figures reported for the first quarter: the cumulative is that quarter's
    found = rules(check_section(mir_section(1, [consistent, mir_row("1.3", 100, 20, 80.0, 20.0)])))
    assert found == {("1.1", "percent_mismatch", "pct_cumulative")}


def test_formula_mismatch():
    ind = Indicator(kind="report", formula="PMAV = (MAV / MSA) * 100")
    values = [IndicatorValue("PMAV", 1, 88.5), IndicatorValue("MAV", 1, 594), IndicatorValue("MSA", 1, 641),
              IndicatorValue("PMAV", 2, None)]
    s = SectionResult(info=SectionInfo(family="indicator_report", page_start=1, page_end=1),
                      indicators=[ind], indicator_values=values)
    assert rules(check_section(s)) == {("PMAV|1", "formula_mismatch", "value")}


def test_formula_tree():
    key, expr = parse_formula("PSPM = (TSM / TSO) * 100")
    assert key == "PSPM"
    assert evaluate_formula(expr, {"TSM": 1, "TSO": 4}) == 25.0
    assert evaluate_formula(expr, {"TSM": 1, "TSO": 0}) is None
    assert evaluate_formula(expr, {"TSM": 1}) is None
    assert parse_formula("not a formula") is None
    assert parse_formula("X = __import__('os')") is None


def evaluation_row(no, annual, unit, programmed, achieved, pct):
    return EvaluationRow(project_code="1.1.1", project=None, indicator_no=no, indicator=None, annual_target=annual,
                         target_unit=unit, programmed_to_date=programmed, achieved_to_date=achieved, pct_progress=pct,
                         budget_approved=None, budget_authorized=None, budget_exercised=None, budget_difference=None,
                         budget_pct=None, justification=None, page=1)


def test_a_count_programmed_over_its_annual_target_is_warned():
    result = check_section(section(evaluation_rows=[
        evaluation_row(57, 3, "number", 9, 6, 67),       # the annual 9 read as 3
        evaluation_row(58, 9, "number", 9, 6, 67),
        evaluation_row(59, 40, "percent", 60, 60, 100),  # a rate's target need not accumulate
    ]))
    warned = [(f.row_key, f.field, f.rule) for f in result.flags if f.severity == Severity.WARNING]
    assert warned == [("57", "annual_target", "target_exceeded")]
