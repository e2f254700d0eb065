"""Warnings on scans settled by second readings of their figures (normalizers/rereads.py)."""
from __future__ import annotations

from dataclasses import replace

from avance.normalizers.checks import check_section
from avance.normalizers.rereads import settle_warnings, targets_of
from avance.records import AreaReading, Goal, GoalPeriod, Provenance, SectionInfo, SectionResult, Severity


def goal(code, annual, absolute, relative):
    return Goal(goal_code=code, is_main_goal=False, description="x", unit=None, unit_raw=None,
                annual_target=annual, absolute_progress=absolute, relative_progress=relative,
                pmd_codes=(), pmd_codes_raw=None, observations=None, page=1)


def where(table, key, field, x0, text, conf=95.0, y0=100.0, y1=106.0):
    return Provenance(table, key, field, 1, x0, y0, x0 + 4, y1, conf, text)


def poa_section(programmed, annual=4.0, absolute=1.0, relative=25.0, confs=(95.0,) * 4):
    """One goal read off a scan, with the boxes its figures came from."""
    periods = [GoalPeriod("104", p, "", programmed[p - 1], 1.0 if p == 1 else None) for p in range(1, 5)]
    provenance = [where("goals", "104", "annual_target", 380, f"{annual:g}"),
                  where("goals", "104", "absolute_progress", 600, f"{absolute:g}"),
                  where("goals", "104", "relative_progress", 620, f"{relative:g}%")]
    provenance += [where("goal_periods", f"104|{p}", "programmed", 400 + 40 * p,
                         None if programmed[p - 1] is None else f"{programmed[p - 1]:g}", confs[p - 1])
                   for p in range(1, 5)]
    provenance += [where("goal_periods", "104|1", "achieved", 420, "1")]
    s = SectionResult(info=SectionInfo(family="poa_avance", page_start=1, page_end=1, quarter=1),
                      goals=[goal("104", annual, absolute, relative)], goal_periods=periods, provenance=provenance)
    return check_section(s)


def warnings(s):
    return {(f.row_key, f.rule) for f in s.flags if f.severity == Severity.WARNING}


def same(value, conf=97.0):
    return [AreaReading(value, conf), AreaReading(value, conf)]


def test_targets_are_the_figures_of_the_warned_row():
    s = poa_section([1.0, 4.0, 1.0, 1.0])
    assert warnings(s) == {("104", "sum_mismatch")}
    refs = {t.ref for t in targets_of(s)}
    assert ("goal_periods", "104|2", "programmed") in refs and ("goals", "104", "annual_target") in refs
    assert ("goal_periods", "104|1", "achieved") in refs
    assert targets_of(poa_section([1.0, 1.0, 1.0, 1.0])) == []  # no warning, nothing to read


def test_a_tall_box_is_read_within_its_row():
    s = poa_section([1.0, 4.0, 1.0, 1.0])
    tall = [p if p.row_key != "104|4" else Provenance(p.table, p.row_key, p.field, 1, p.x0, 88.0, p.x1, 106.0, 19.0,
                                                      ". 4") for p in s.provenance]
    s.provenance[:] = tall
    box = next(t.box for t in targets_of(s) if t.ref[1] == "104|4")
    assert box[1] >= 98.0 and box[3] <= 107.0


def test_a_misread_quarter_read_again_settles_the_warning():
    s = poa_section([1.0, 4.0, 1.0, 1.0])
    settled = settle_warnings(s, {("goal_periods", "104|2", "programmed"): same("1"),
                                  ("goals", "104", "annual_target"): same("4")})
    assert warnings(settled) == set()
    assert next(p.programmed for p in settled.goal_periods if p.period == 2) == 1.0
    flag = next(f for f in settled.flags if f.rule == "ocr_reread")
    assert (flag.row_key, flag.field, flag.raw_value, flag.value) == ("104|2", "programmed", "4", "1")
    assert flag.severity == Severity.INFO and "read again" in flag.message


def test_a_printed_inconsistency_read_the_same_again_stands():
    s = poa_section([1.0, 2.0, 1.0, 1.0])
    settled = settle_warnings(s, {("goal_periods", "104|2", "programmed"): same("2"),
                                  ("goals", "104", "annual_target"): same("4")})
    assert warnings(settled) == {("104", "sum_mismatch")}
    assert not any(f.rule == "ocr_reread" for f in settled.flags)


def test_a_lone_reading_counts_only_when_the_arithmetic_confirms_it():
    s = poa_section([1.0, 4.0, 1.0, 1.0])
    unsettling = settle_warnings(s, {("goal_periods", "104|2", "programmed"): [AreaReading("7", 97), AreaReading("4", 97)]})
    assert unsettling is s
    settled = settle_warnings(s, {("goal_periods", "104|2", "programmed"): [AreaReading("1", 97), AreaReading("4", 97)]})
    assert warnings(settled) == set()


def test_touching_equal_digits_pulled_apart():
    # `33.33%` printed with its two 3s touching reads `3.33%` until stretched sideways
    s = poa_section([1.0, 1.0, 1.0, 0.0], annual=3.0, absolute=1.0, relative=3.33)
    assert warnings(s) == {("104", "percent_mismatch")}
    reads = [AreaReading("3.33%", 89), AreaReading("3.33%", 91), AreaReading("33.33%", 85)]
    settled = settle_warnings(s, {("goals", "104", "relative_progress"): reads})
    assert warnings(settled) == set() and settled.goals[0].relative_progress == 33.33


def test_a_less_confident_reading_is_kept_only_when_it_settles_a_warning():
    s = poa_section([1.0, 4.0, 1.0, 1.0], confs=(95.0, 99.0, 95.0, 95.0))
    settled = settle_warnings(s, {("goal_periods", "104|2", "programmed"): same("1", 90.0)})
    assert warnings(settled) == set()
    # a less sure reading that changes a right figure into a wrong one is not taken
    settled = settle_warnings(s, {("goal_periods", "104|3", "programmed"): same("7", 90.0)})
    assert settled is s or warnings(settled) == warnings(s)
    assert not any(f.rule == "ocr_reread" for f in settled.flags)


def test_a_surer_reading_that_adds_warnings_is_not_taken():
    s = poa_section([1.0, 4.0, 1.0, 1.0])
    settled = settle_warnings(s, {("goals", "104", "relative_progress"): same("75%", 99.0)})
    assert not any(f.rule == "ocr_reread" for f in settled.flags)


def test_a_percentage_read_without_its_sign_does_not_count():
    s = poa_section([1.0, 1.0, 1.0, 1.0], relative=2.5)
    assert warnings(s) == {("104", "percent_mismatch")}
    assert settle_warnings(s, {("goals", "104", "relative_progress"): same("25")}) is s
    settled = settle_warnings(s, {("goals", "104", "relative_progress"): same("25%")})
    assert warnings(settled) == set()


def test_codes_read_again_take_the_majority():
    from avance.normalizers.rereads import code_targets, settle_codes
    from avance.records import EvaluationRow

    def row(no, code):
        return EvaluationRow(project_code=code, project=None, indicator_no=no, indicator=None, annual_target=None,
                             target_unit=None, programmed_to_date=None, achieved_to_date=None, pct_progress=None,
                             budget_approved=None, budget_authorized=None, budget_exercised=None,
                             budget_difference=None, budget_pct=None, justification=None, page=1)

    s = SectionResult(info=SectionInfo(family="poa_evaluation", page_start=1, page_end=1),
                      evaluation_rows=[row(1, "1.4.1"), row(2, "5.4.1")],
                      provenance=[where("evaluation_rows", "1", "project_code", 100, "141"),
                                  where("evaluation_rows", "2", "project_code", 100, "541", y0=200, y1=206),
                                  where("evaluation_rows", "2", "budget_exercised", 300, None, y0=200, y1=206)])
    parse = {("evaluation_rows", "project_code"): lambda t: t if t.count(".") == 2 else None,
             ("evaluation_rows", "budget_exercised"): lambda t: 0.0 if t.strip() in ("$ -", "S -") else None}
    assert {t.ref[1] for t in code_targets(s, parse)} == {"1", "2"}
    settled = settle_codes(s, {
        ("evaluation_rows", "1", "project_code"): [AreaReading("1.1.1", 90), AreaReading("1.1.1", 80),
                                                  AreaReading("1.4.1", 70)],
        # a tie is no majority: the page's reading stands
        ("evaluation_rows", "2", "project_code"): [AreaReading("6.4.1", 90), AreaReading("5.4.1", 80)],
        ("evaluation_rows", "2", "budget_exercised"): [AreaReading("S -", 60), AreaReading("$ -", 70),
                                                      AreaReading("~", 10)],
    }, parse)
    assert [r.project_code for r in settled.evaluation_rows] == ["1.1.1", "5.4.1"]
    assert settled.evaluation_rows[1].budget_exercised == 0.0
    flags = {(f.row_key, f.field): f for f in settled.flags if f.rule == "ocr_reread"}
    assert set(flags) == {("1", "project_code"), ("2", "budget_exercised")}
    assert flags[("1", "project_code")].raw_value == "1.4.1" and flags[("1", "project_code")].value == "1.1.1"
    assert flags[("2", "budget_exercised")].raw_value is None and flags[("2", "budget_exercised")].value == "0"


def test_missing_targets_are_empty_cells_only():
    from avance.normalizers.rereads import missing_targets

    s = poa_section([1.0, None, 1.0, 1.0])
    refs = {t.ref for t in missing_targets(s, [("goal_periods", "programmed")])}
    assert refs == {("goal_periods", "104|2", "programmed")}


def test_missing_targets_skip_printed_nothings_and_read_misreadings_whole():
    from avance.normalizers.rereads import missing_targets

    s = poa_section([None, None, None, 1.0])
    boxes = {p.row_key: p for p in s.provenance if p.field == "programmed"}
    s = replace(s, provenance=[p for p in s.provenance if p.field != "programmed"] + [
        replace(boxes["104|1"], raw_text="N/A"),   # printed nothing: holds its value
        replace(boxes["104|2"], raw_text="88 ¿"),  # a figure misread: read again
        boxes["104|3"], boxes["104|4"]])
    targets = {t.ref[1]: t for t in missing_targets(s, [("goal_periods", "programmed")])}
    assert set(targets) == {"104|2", "104|3"}
    assert all(t.whole_cell for t in targets.values())


def _result_row(no, code=None, approved=None, target=None):
    from avance.records import IndicatorResult
    from avance.families.indicator_results import ROW_CONCEPTS

    fields = {c.name: None for c in ROW_CONCEPTS}
    fields.update(program_code=code, budget_approved=approved, target_programmed=target)
    return IndicatorResult(row_no=no, page=1, **fields)


def test_figures_checked_on_the_grey_page_take_two_readings_with_the_pages_digits():
    from avance.normalizers.rereads import FigureStands, figure_targets, settle_figures

    s = SectionResult(info=SectionInfo(family="indicator_results", page_start=1, page_end=1),
                      indicator_results=[_result_row(1, approved=847855.0, target=77.99),
                                         _result_row(2, approved=25848430.0, target=98.94)],
                      provenance=[where("indicator_results", "1", "budget_approved", 100, "0,847,855"),
                                  where("indicator_results", "1", "target_programmed", 200, "77.99"),
                                  where("indicator_results", "2", "budget_approved", 100, "25,848,430", y0=200, y1=206),
                                  where("indicator_results", "2", "target_programmed", 200, "98.94", y0=200, y1=206)])
    fields = [("indicator_results", "budget_approved"), ("indicator_results", "target_programmed")]
    assert len(figure_targets(s, fields)) == 4
    settled = settle_figures(s, {
        ("indicator_results", "1", "budget_approved"): [AreaReading("9,847,655", 90), AreaReading("9,847,655", 80),
                                                       AreaReading("0,847,855", 70)],
        # a digit lost is no reading of the same figure: 77.9 has one vote, the page's stands
        ("indicator_results", "1", "target_programmed"): [AreaReading("77.9", 90), AreaReading("77.90", 90)],
        # a tie is no majority
        ("indicator_results", "2", "budget_approved"): [AreaReading("25,646,430", 90),
                                                       AreaReading("25,846,430", 90)],
        ("indicator_results", "2", "target_programmed"): [AreaReading("96.94", 90), AreaReading("96.94", 90),
                                                         AreaReading("26.94", 90)],
    })
    assert [(r.budget_approved, r.target_programmed) for r in settled.indicator_results] == \
        [(9847655.0, 77.99), (25848430.0, 96.94)]
    flags = {(f.row_key, f.field) for f in settled.flags if f.rule == "ocr_reread"}
    assert flags == {("1", "budget_approved"), ("2", "target_programmed")}
    # the third reading is not taken once two agree with the page
    stands = FigureStands(98.94, "98.94", float)
    assert stands([AreaReading("98.94", 90), AreaReading("98.94", 90)], 1)
    assert not stands([AreaReading("96.94", 90), AreaReading("98.94", 90)], 1)


def test_codes_take_their_columns_shape():
    from avance.families.indicator_results import _code_read_again
    from avance.normalizers.rereads import ShapedCode, column_shapes, fit_code_shapes, fit_shape

    codes = ["E017PB0714", "ED38PB0726", "P005PA0716", "PO05PA0719", "S016PB3068"]
    s = SectionResult(info=SectionInfo(family="indicator_results", page_start=1, page_end=1),
                      indicator_results=[_result_row(i + 1, code=c) for i, c in enumerate(codes)])
    shapes = column_shapes(s, [("indicator_results", "program_code")])
    assert shapes == {("indicator_results", "program_code"): "LDDDLLDDDD"}
    fitted = fit_code_shapes(s, shapes)
    assert [r.program_code for r in fitted.indicator_results] == \
        ["E017PB0714", "E038PB0726", "P005PA0716", "P005PA0719", "S016PB3068"]
    assert {(f.row_key, f.rule) for f in fitted.flags} == {("2", "ocr_repair"), ("4", "ocr_repair")}
    # a digit read for a letter is ambiguous (8 is B or S); another length is another code
    assert fit_shape("8016PB3068", "LDDDLLDDDD") is None and fit_shape("E17PB0714", "LDDDLLDDDD") is None
    # readings of a code are fitted before they are counted
    assert ShapedCode(_code_read_again, "LDDDLLDDDD")("ED17PB0714") == "E017PB0714"
    # codes of many shapes have none
    mixed = replace(s, indicator_results=[_result_row(i + 1, code=c) for i, c in
                                          enumerate(["E017", "K-12", "A1B2C3", "P005PA0716"])])
    assert column_shapes(mixed, [("indicator_results", "program_code")]) == {}


def test_a_sure_printed_percentage_is_not_replaced_by_one_less_sure_reading_of_other_digits():
    s = poa_section([1.0, 1.0, 1.0, 1.0], relative=94.0)  # printed 94%, 1 of 4 is 25%
    assert warnings(s) == {("104", "percent_mismatch")}
    once_unsure = {("goals", "104", "relative_progress"): [AreaReading("25%", 76.0), AreaReading("94%", 96.0)]}
    assert settle_warnings(s, once_unsure) is s
    once_sure = {("goals", "104", "relative_progress"): [AreaReading("25%", 93.0), AreaReading("94%", 96.0)]}
    assert settle_warnings(s, once_sure).goals[0].relative_progress == 25.0
