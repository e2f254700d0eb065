"""Arithmetic checks of SCHEMA.md: printed figures that disagree become `warning` flags.

Pure: a section in, the same section with its flags added out. The tolerance
follows the printed precision: `25%` printed for 24.6% is right (it rounds),
`80.76%` printed for 20 of 25 is not.
"""
from __future__ import annotations

from dataclasses import replace
from typing import Iterable, Optional, Sequence

from ..records import Flag, SectionResult, Severity
from .formula import evaluate_formula, parse_formula

# The rule ids of SCHEMA.md's arithmetic checks (all `warning` flags).
CHECK_RULES = frozenset({"sum_mismatch", "percent_mismatch", "formula_mismatch", "target_exceeded"})
# Sums of printed figures: equal up to the rounding of two-decimal printing.
SUM_TOLERANCE = 0.011


def printed_decimals(value: float) -> int:
    """Decimals a figure was printed with, as far as its value shows (25.0 -> 0, 19.36 -> 2)."""
    text = f"{round(value, 4):.4f}".rstrip("0").rstrip(".")
    return len(text.split(".")[1]) if "." in text else 0


def percent_agrees(printed: float, computed: float) -> bool:
    tolerance = 0.5 * 10 ** -printed_decimals(printed) + 1e-9
    return abs(printed - computed) <= tolerance


def format_figure(x: Optional[float]) -> str:
    if x is None:
        return "null"
    return f"{x:,.4f}".rstrip("0").rstrip(".")


def _warning(table: str, row_key: str, field: str, rule: str, printed: float, computed: float, message: str) -> Flag:
    return Flag(table=table, row_key=row_key, field=field, rule=rule, severity=Severity.WARNING,
                raw_value=format_figure(printed), value=format_figure(computed), message=message)


def _sum(values: Iterable[Optional[float]]) -> Optional[float]:
    vals = [v for v in values if v is not None]
    return sum(vals) if vals else None


def check_goals(section: SectionResult) -> list[Flag]:
    flags: list[Flag] = []
    periods: dict[str, list] = {}
    for p in section.goal_periods:
        periods.setdefault(p.goal_code, []).append(p)
    for g in section.goals:
        ps = periods.get(g.goal_code, [])
        programmed = _sum(p.programmed for p in ps)
        if g.annual_target is not None and programmed is not None and abs(programmed - g.annual_target) > SUM_TOLERANCE:
            flags.append(_warning("goals", g.goal_code, "annual_target", "sum_mismatch", g.annual_target, programmed,
                                  f"Goal {g.goal_code}: the quarters programmed add up to {format_figure(programmed)}, "
                                  f"but the annual target printed is {format_figure(g.annual_target)}."))
        achieved = _sum(p.achieved for p in ps)
        if g.absolute_progress is not None and achieved is not None and abs(achieved - g.absolute_progress) > SUM_TOLERANCE:
            flags.append(_warning("goals", g.goal_code, "absolute_progress", "sum_mismatch", g.absolute_progress, achieved,
                                  f"Goal {g.goal_code}: the absolute progress printed is {format_figure(g.absolute_progress)}, "
                                  f"but the quarters achieved add up to {format_figure(achieved)}."))
        if g.relative_progress is not None and g.absolute_progress is not None and g.annual_target:
            computed = g.absolute_progress / g.annual_target * 100
            if not percent_agrees(g.relative_progress, computed):
                flags.append(_warning("goals", g.goal_code, "relative_progress", "percent_mismatch", g.relative_progress,
                                      computed, f"Goal {g.goal_code}: relative progress is printed as "
                                      f"{format_figure(g.relative_progress)}%, but {format_figure(g.absolute_progress)} of "
                                      f"{format_figure(g.annual_target)} is {computed:.2f}%."))
    return flags


def check_mir(section: SectionResult) -> list[Flag]:
    flags: list[Flag] = []
    quarter = section.info.quarter
    targets: dict[str, dict[int, Optional[float]]] = {}
    for p in section.mir_periods:
        targets.setdefault(p.objective_code, {})[p.period] = p.target
    for r in section.mir_rows:
        key = r.objective_code
        by_period = targets.get(key, {})
        total = _sum(by_period.values())
        if r.annual_target is not None and total is not None and abs(total - r.annual_target) > SUM_TOLERANCE:
            flags.append(_warning("mir_rows", key, "annual_target", "sum_mismatch", r.annual_target, total,
                                  f"Indicator {key}: the quarterly targets add up to {format_figure(total)}, "
                                  f"but the annual target printed is {format_figure(r.annual_target)}."))
        quarter_target = by_period.get(quarter) if quarter else None
        if r.pct_period is not None and r.achieved is not None and quarter_target:
            computed = r.achieved / quarter_target * 100
            if not percent_agrees(r.pct_period, computed):
                flags.append(_warning("mir_rows", key, "pct_period", "percent_mismatch", r.pct_period, computed,
                                      f"Indicator {key}: the quarter's progress is printed as {format_figure(r.pct_period)}%, "
                                      f"but {format_figure(r.achieved)} achieved of a target of {format_figure(quarter_target)} "
                                      f"is {computed:.2f}%."))
        flag = _cumulative_flag(key, r.pct_cumulative, r.achieved, r.annual_target, quarter)
        if flag is not None:
            flags.append(flag)
    return flags


def cumulative_is_quarters_own(quarter: Optional[int]) -> bool:
    """A MIR cumulative percent is what was achieved to date of the annual target; the table
    prints the reported quarter's achievement only, which is all achieved to date in the
    first quarter (a report whose quarter is unknown is taken as the contract states it)."""
    return quarter is None or quarter <= 1


def _cumulative_flag(key: str, printed: Optional[float], achieved: Optional[float], annual: Optional[float],
                     quarter: Optional[int]) -> Optional[Flag]:
    """In the first quarter the cumulative percent must agree with the quarter's achievement;
    later, the earlier quarters' achievements (not printed) add to it, so it can only be
    checked not to fall below the quarter's own share of the annual target."""
    if printed is None or achieved is None or not annual:
        return None
    share = achieved / annual * 100
    if cumulative_is_quarters_own(quarter):
        if percent_agrees(printed, share):
            return None
        return _warning("mir_rows", key, "pct_cumulative", "percent_mismatch", printed, share,
                        f"Indicator {key}: the cumulative progress is printed as {format_figure(printed)}%, but "
                        f"{format_figure(achieved)} of an annual target of {format_figure(annual)} is {share:.2f}%.")
    if achieved < 0 or annual < 0 or printed >= share or percent_agrees(printed, share):
        return None
    return _warning("mir_rows", key, "pct_cumulative", "percent_mismatch", printed, share,
                    f"Indicator {key}: the cumulative progress to quarter {quarter} is printed as "
                    f"{format_figure(printed)}%, less than the {share:.2f}% that the quarter's own "
                    f"{format_figure(achieved)} of an annual target of {format_figure(annual)} already makes.")


def check_indicator_values(section: SectionResult) -> list[Flag]:
    """A report's printed result against its formula evaluated on the captured values."""
    flags: list[Flag] = []
    formula = next((i.formula for i in section.indicators if i.formula), None)
    parsed = parse_formula(formula) if formula else None
    if parsed is None:
        return flags
    result_key, expression = parsed
    values: dict[int, dict[str, Optional[float]]] = {}
    for v in section.indicator_values:
        values.setdefault(v.period, {})[v.variable_key] = v.value
    for period, row in sorted(values.items()):
        printed = row.get(result_key)
        if printed is None:
            continue
        computed = evaluate_formula(expression, row)
        if computed is None:
            continue
        if not percent_agrees(printed, computed):
            flags.append(_warning("indicator_values", f"{result_key}|{period}", "value", "formula_mismatch", printed,
                                  computed, f"{result_key} for period {period} is printed as {format_figure(printed)}, but "
                                  f"{formula} on the captured values gives {computed:.2f}."))
    return flags


def check_evaluation(section: SectionResult) -> list[Flag]:
    flags: list[Flag] = []
    for r in section.evaluation_rows:
        key = str(r.indicator_no)
        # a count programmed to a date accumulates toward the year's: more than the annual
        # target is a misprint or a misreading (a rate's target need not accumulate)
        if (r.target_unit == "number" and None not in (r.annual_target, r.programmed_to_date)
                and r.programmed_to_date > r.annual_target + SUM_TOLERANCE):
            flags.append(_warning("evaluation_rows", key, "annual_target", "target_exceeded", r.annual_target,
                                  r.programmed_to_date, f"Indicator {key}: {format_figure(r.programmed_to_date)} are "
                                  f"programmed to date, more than the annual target of {format_figure(r.annual_target)}."))
        if r.pct_progress is not None and r.achieved_to_date is not None and r.programmed_to_date:
            computed = r.achieved_to_date / r.programmed_to_date * 100
            if not percent_agrees(r.pct_progress, computed):
                flags.append(_warning("evaluation_rows", key, "pct_progress", "percent_mismatch", r.pct_progress,
                                      computed, f"Indicator {key}: progress is printed as {format_figure(r.pct_progress)}%, "
                                      f"but {format_figure(r.achieved_to_date)} achieved of {format_figure(r.programmed_to_date)} "
                                      f"programmed is {computed:.2f}%."))
        if None not in (r.budget_difference, r.budget_authorized, r.budget_exercised):
            computed = r.budget_authorized - r.budget_exercised
            if abs(computed - r.budget_difference) > SUM_TOLERANCE:
                flags.append(_warning("evaluation_rows", key, "budget_difference", "sum_mismatch", r.budget_difference,
                                      computed, f"Indicator {key}: the budget difference printed is "
                                      f"{format_figure(r.budget_difference)}, but authorized minus exercised is {format_figure(computed)}."))
        if r.budget_pct is not None and r.budget_exercised is not None and r.budget_authorized:
            computed = r.budget_exercised / r.budget_authorized * 100
            if not percent_agrees(r.budget_pct, computed):
                flags.append(_warning("evaluation_rows", key, "budget_pct", "percent_mismatch", r.budget_pct, computed,
                                      f"Indicator {key}: the budget percentage is printed as {format_figure(r.budget_pct)}%, "
                                      f"but exercised over authorized is {computed:.2f}%."))
    return flags


def check_indicator_results(section: SectionResult) -> list[Flag]:
    """Printed percentages of achievement against the goals they relate."""
    flags: list[Flag] = []
    for r in section.indicator_results:
        for pct, target, what in (("pct_vs_programmed", "target_programmed", "programmed"),
                                  ("pct_vs_modified", "target_modified", "modified")):
            printed, goal = getattr(r, pct), getattr(r, target)
            if printed is None or goal in (None, 0) or r.achieved is None:
                continue
            computed = r.achieved / goal * 100
            if not percent_agrees(printed, computed):
                flags.append(_warning("indicator_results", str(r.row_no), pct, "percent_mismatch", printed, computed,
                                      f"Line {r.row_no}: the percentage achieved of the {what} goal is printed as "
                                      f"{format_figure(printed)}%, but {format_figure(r.achieved)} of "
                                      f"{format_figure(goal)} is {computed:.2f}%."))
    return flags


def _column_sum(total_table: str, column: str, rows: Sequence) -> Optional[float]:
    """The rows' sum; lines that carry their group's budget (a project's, printed once
    above its goal lines) count it once."""
    if total_table == "indicator_results" and column.startswith("budget_"):
        groups = {(r.program_code, r.program_name, getattr(r, column)) for r in rows}
        return _sum(value for _, _, value in groups)
    return _sum(getattr(r, column, None) for r in rows)


def check_totals(section: SectionResult) -> list[Flag]:
    """Every printed total against the sum of the rows it totals."""
    flags: list[Flag] = []
    for total in section.totals:
        rows: Sequence = getattr(section, total.target_table, [])
        column_sum = _column_sum(total.target_table, total.target_column, rows)
        if total.value is None or column_sum is None:
            continue
        if abs(column_sum - total.value) > SUM_TOLERANCE:
            flags.append(_warning("totals", f"{total.target_table}|{total.target_column}", "value", "sum_mismatch",
                                  total.value, column_sum,
                                  f"The printed total of {total.target_column} is {format_figure(total.value)}, but its "
                                  f"{len(rows)} rows add up to {format_figure(column_sum)} "
                                  f"(a difference of {format_figure(total.value - column_sum)})."))
    return flags


CHECKS = (check_goals, check_mir, check_indicator_values, check_evaluation, check_indicator_results, check_totals)


def check_section(section: SectionResult) -> SectionResult:
    flags = [f for check in CHECKS for f in check(section)]
    return replace(section, flags=list(section.flags) + flags)
