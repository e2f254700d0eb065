"""The real scanned POA physical-financial evaluation (8 landscape pages, the
even ones upside down): OCR'd once for the module, rows checked by eye
against the page images."""
from __future__ import annotations

from pathlib import Path

import pytest

from avance.extractors.ocr import tesseract_available
from avance.pipeline.document import process_document

PDF = Path(__file__).parent / "corpus" / "real" / "itsch_poa2025_evaluacion_fisico_financiera_ene-sep.pdf"

pytestmark = pytest.mark.skipif(tesseract_available() is not None, reason="Tesseract with Spanish is not installed")

# Every indicator row printed on the eight pages, counted on the page images.
ROWS_PRINTED = 84

# indicator_no: (page, project_code, annual_target, target_unit, programmed, achieved, pct_progress,
#                approved, authorized, exercised, difference, budget_pct) -- read by eye.
CHECKED = {
    1: (1, "1.1.1", 1, "number", 1, 1, 100, 0, 0, 0, 0, None),
    3: (1, "1.1.3", 43, "percent", 43, 43, 100, 0, 0, 0, 0, None),
    4: (1, "1.1.3", 40, "percent", 40, 40, 100, 20000.00, 20000.00, 0, 20000.00, 0),
    8: (1, "1.2.1", 38, "number", 38, 58, 153, 0, 0, 0, 0, None),
    9: (1, "1.2.2", 58, "number", 58, 56, 97, 190286.00, 76426.26, 61426.26, 15000.00, 80),
    10: (1, "1.2.3", 8, "number", 8, 7, 88, 313000.00, 313000.00, 102660.65, 210339.35, 33),
    11: (1, "1.2.4", 19, "number", 19, 17, 89, 13000.00, 14255.00, 0, 14255.00, None),
    14: (1, "1.3.2", 79, "number", 79, 74, 94, 44000.00, 20361.94, 1233.00, 19128.94, 6),
    17: (2, "1.4.2", 986, "number", 986, 1220, 124, 425500.00, 1078122.24, 856745.80, 221376.44, 79),
    18: (2, "1.4.3", 30, "percent", 30, 61, 205, 1877500.00, 1377500.00, 1052960.15, 324539.85, 76),
    25: (2, "2.2.2", 1, "percent", 1, 12, 1210, 712700.00, 606784.06, 321905.80, 284878.26, 53),
    29: (2, "2.2.6", 34, "percent", 34, 38, 113, 5102501.20, 1952945.24, 989940.79, 963004.45, 51),
    30: (2, "2.3.1", 2, "number", 2, 0, 0, 28000.00, 28000.00, 3261.00, 24739.00, None),
    33: (2, "2.4.1", 100, "percent", 100, 28, 28, 965400.00, 752005.96, 420542.93, 331463.03, 56),
    40: (4, "3.2.1", 20, "percent", 20, 15, 75, 0, 0, 0, 0, None),
    43: (4, "3.2.4", 1, "number", 1, 1, 100, 0, 0, 0, 0, None),
    45: (4, "3.2.6", 2, "number", 2, 4, 200, 0, 0, 0, 0, None),
    48: (4, "3.3.2", 10, "number", 10, 17, 170, 0, 0, 0, 0, None),
    69: (6, "5.1.3", 6, "number", 6, 14, 233, 5600.00, 5600.00, 1436.01, 4163.99, None),
    94: (7, "6.3.1", 3, "number", 3, 2, 67, 0, 0, 0, 0, None),
    # session 3: rows where the output disagreed with the page, and pages 3 and 5
    22: (2, "ET.1.2", 100, "percent", 100, 100, 100, 0, 0, 0, 0, None),
    24: (2, "2.2.1", 1115, "number", 1115, 1118, 100, 0, 0, 0, 0, None),
    26: (2, "2.2.3", 0, "percent", 0, -10.52, -10.52, 0, 0, 0, 0, None),
    36: (3, "ET.2.1", 1, "number", 1, 1, 100, 0, 0, 0, 0, None),
    38: (3, "3.1.1", 100, "percent", 100, 95, 95, 650293.40, 475666.14, 282275.03, 193391.11, 59),
    39: (3, "3.1.2", 30, "percent", 30, 28, 93, 588385.40, 417478.96, 370138.41, 47340.55, None),
    51: (4, "ET.3.2", 1, "number", 1, 1, 100, 0, 0, 0, 0, None),
    54: (5, "4.1.2", 5, "number", 5, 6, 120, 108800.00, 68485.79, 6385.79, 62100.00, None),
    56: (5, "4.1.4", 50, "number", 50, 88, 176, 5000.00, 5000.00, 0, 5000.00, None),
    57: (5, "4.2.1", 9, "number", 9, 6, 67, 230000.00, 835328.83, 371531.43, 463797.40, 44),
    60: (5, "4.2.4", 6, "number", 6, 15, 250, 7000.00, 192118.00, 50439.49, 141678.51, None),
    65: (5, "ET.4.1", 0, "percent", 0, 17, 100, 0, 0, 0, 0, None),
    66: (5, "ET.4.2", 4, "number", 4, 4, 100, 0, 0, 0, 0, None),
    67: (6, "5.1.1", 1, "number", 1, 1, 100, 34900.00, 34900.00, 1823.50, 33076.50, None),
    80: (6, "ET.5.2", 2, "number", 2, 10, 500, 0, 0, 0, 0, None),
    81: (6, "6.1.1", 1, "number", 1, 1, 100, 0, 0, 0, 0, None),
    87: (7, "6.2.3", 1, "number", 1, 1, 100, 217500.00, 100000.00, 0, 100000.00, 0),
    91: (7, "6.2.3", 1, "number", 1, 1, 100, 0, 0, 0, 0, 0),
    99: (8, "6.4.3", 5, "number", 5, 5, 100, 0, 0, 0, 0, None),
    100: (8, "6.4.3", 4, "number", 4, 4, 100, 0, 0, 0, 0, None),
    101: (8, "ET.6.1", 1, "number", 1, 1, 100, 0, 0, 0, 0, None),
    102: (8, "ET.6.2", 1, "number", 1, 1, 100, 0, 0, 0, 0, None),
}
# Fields the OCR stage still misreads on this scan (checked above, printed as CHECKED says).
# Each is an xfail(strict) test of its own: when the OCR reads one, the test fails and the
# entry goes. Fixed so far by reading again alone (normalizers/rereads.py): row 33's
# achieved `28%` (read `23%`), the project codes of rows 1, 33, 48 and 69; by taking a lone
# character in a money cell for the dash of `$ -`: rows 43, 45 and 101 (`$ 7`, `$ z`); by
# reading the cells nothing was read in: row 94's two `$ -`.
KNOWN_MISREADS: dict[int, tuple[str, ...]] = {}
# Session 3: two helpers compared every figure and code of all 84 rows (1,050 fields) with
# the page images: 17 fields disagreed; the rows above hold them. Fixed since: the codes
# of rows 22, 24, 36, 51, 99 and 100 (a cell nothing was read in, cut down to its glyphs
# before it is read again), the PROGRAMADA of rows 51 and 67 (empty cells read again).
# Session 4: the ALCANZADA of rows 26 and 56 (shaded cells flattened before they are read
# again), the `0%` of rows 87 and 91 (empty percentage cells read again), the META of
# row 57 (9 programmed over an annual 3 is checked), the code of row 65 (`ET-4.1`), the
# codes of rows 66 and 81 (a pen stroke crossing the cell: its fullest line read alone),
# the code of row 80 (the rules around row 79 lost: its code, centred on row 79 and not on
# the two rows, splits the cell; `ET52` read there is ET.5.2).
# page 8: indicator 98 prints two amounts in each money cell; the row holds their sum
ROW_98_APPROVED = 2701150.00 + 61630527.58
ROW_98_PCT = 13

# TOTALES figures the OCR misreads (none since the halftone re-threshold)
KNOWN_TOTAL_MISREADS: tuple[str, ...] = ()
TOTALS = {"budget_approved": 76513643.58, "budget_authorized": 78707552.54,
          "budget_exercised": 54636149.98, "budget_difference": 24071402.56}
FIELDS = ("page", "project_code", "annual_target", "target_unit", "programmed_to_date", "achieved_to_date",
          "pct_progress", "budget_approved", "budget_authorized", "budget_exercised", "budget_difference",
          "budget_pct")


@pytest.fixture(scope="module")
def section():
    result = process_document(PDF)
    assert result.info.text_source == "ocr"
    sections = [s for s in result.sections if s.info.family == "poa_evaluation"]
    assert len(sections) == 1
    return sections[0]


def test_section_header(section):
    assert section.info.agency == "INSTITUTO TECNOLÓGICO SUPERIOR DE CIUDAD HIDALGO"
    assert section.info.fiscal_year == 2025
    assert (section.info.page_start, section.info.page_end) == (1, 8)


def test_period_label(section):
    assert section.info.period_label == "PERIODO DE ENERO A SEPTIEMBRE 2025"


def test_row_count(section):
    assert len(section.evaluation_rows) == ROWS_PRINTED
    assert len({r.indicator_no for r in section.evaluation_rows}) == ROWS_PRINTED


def test_numbering_repairs_are_flagged(section):
    # which numbers OCR misreads changes with the OCR; what must hold is that every
    # renumbered row is flagged with what was read and why
    repairs = [f for f in section.flags if f.rule == "numbering_continuity"]
    numbers = {str(r.indicator_no) for r in section.evaluation_rows}
    assert repairs
    for f in repairs:
        assert f.row_key in numbers and f.value == f.row_key and f.message


def _expected(no):
    expected = dict(zip(FIELDS, CHECKED[no]))
    if expected["project_code"] is None:
        del expected["project_code"]
    for k, v in expected.items():
        if isinstance(v, float) or (isinstance(v, int) and k != "page"):
            expected[k] = pytest.approx(float(v), abs=0.005)
    return expected


@pytest.mark.parametrize("no", sorted(CHECKED))
def test_checked_row(section, no):
    rows = {r.indicator_no: r for r in section.evaluation_rows}
    assert no in rows, f"indicator {no} not extracted"
    row = rows[no]
    expected = {k: v for k, v in _expected(no).items() if k not in KNOWN_MISREADS.get(no, ())}
    got = {k: getattr(row, k) for k in expected}
    assert got == expected


@pytest.mark.xfail(strict=True, reason="OCR misreads these cells (see KNOWN_MISREADS)")
@pytest.mark.parametrize("no,field", [(no, f) for no in sorted(KNOWN_MISREADS) for f in KNOWN_MISREADS[no]])
def test_known_misread(section, no, field):
    row = next(r for r in section.evaluation_rows if r.indicator_no == no)
    assert getattr(row, field) == _expected(no)[field]


def test_row_with_two_budget_lines(section):
    row = next(r for r in section.evaluation_rows if r.indicator_no == 98)
    assert row.budget_approved == pytest.approx(ROW_98_APPROVED, abs=0.005)
    assert row.budget_pct == ROW_98_PCT
    assert any(f.rule == "cell_lines_summed" and f.row_key == "98" for f in section.flags)


def test_totals(section):
    got = {t.target_column: t.value for t in section.totals if t.target_table == "evaluation_rows"}
    assert set(got) == set(TOTALS)
    for k, v in TOTALS.items():
        if k not in KNOWN_TOTAL_MISREADS:
            assert got[k] == pytest.approx(v, abs=0.005), k


@pytest.mark.xfail(strict=True, reason="OCR misreads these TOTALES figures")
@pytest.mark.parametrize("column", KNOWN_TOTAL_MISREADS)
def test_known_total_misread(section, column):
    got = {t.target_column: t.value for t in section.totals}
    assert got[column] == pytest.approx(TOTALS[column], abs=0.005)


def test_totals_mismatch_flagged(section):
    flags = [f for f in section.flags if f.table == "totals" and f.rule == "sum_mismatch"]
    assert flags, "the printed totals disagree with the rows; the run must say so"
    assert all(f.severity.value == "warning" and "printed total" in f.message for f in flags)


SIGNATORIES = [
    ("elaboro", "LUIS EMMANUEL GARFIAS TELLO", "ARQ."),
    ("elaboro", "ALEJANDRA GUTIÉRREZ BOLAÑOS", "C."),
    ("superviso", "RICARDO ANTONIO MORENO RUIZ", "ING."),
    ("reviso", "VERÓNICA DURÁN MARTÍNEZ", "MTRA."),
    ("autorizo", "JOSÉ TRINIDAD LARA LÓPEZ", "MTRO."),
]


def test_signature_column_under_a_drawn_signature(section):
    # REVISÓ and its person are under a handwritten signature: the page pass reads only
    # the title; the column is read again alone (flagged)
    got = {(s.role, s.name, s.honorific) for s in section.signatories}
    assert ("reviso", "VERÓNICA DURÁN MARTÍNEZ", "MTRA.") in got
    assert ("superviso", "RICARDO ANTONIO MORENO RUIZ", "ING.") in got
    assert any(f.rule == "ocr_reread" and f.table == "signatories" for f in section.flags)


def test_signatories(section):
    # pen strokes cross ARQ. LUIS, ALEJANDRA GUTIÉRREZ and MTRO.: the block under the labels
    # is read again from its darkest ink (flagged)
    got = sorted((s.role, s.name, s.honorific) for s in section.signatories)
    assert got == sorted(SIGNATORIES)
    assert any(f.rule == "ocr_reread" and f.table == "signatories" and "darkest ink" in f.message
               for f in section.flags)


def test_repairs_are_flagged(section):
    assert all(f.severity.value == "info" for f in section.flags if f.rule == "ocr_repair")


def test_figures_read_again_are_flagged(section):
    rows = {r.indicator_no: r for r in section.evaluation_rows}
    rereads = {(f.row_key, f.field): f for f in section.flags
               if f.rule == "ocr_reread" and f.table == "evaluation_rows"}
    # each replaced figure is flagged with the page's reading and the value kept, or the
    # value a later word repair (`ocr_repair`, from that reading) made of it
    for (key, field), flag in rereads.items():
        assert flag.severity.value == "info" and flag.raw_value != flag.value and "read again" in flag.message
        kept = getattr(rows[int(key)], field)
        shown = kept if isinstance(kept, str) else f"{kept:,.4f}".rstrip("0").rstrip(".")
        later = [f.value for f in section.flags if f.rule == "ocr_repair" and f.table == "evaluation_rows"
                 and (f.row_key, f.field) == (key, field) and f.raw_value == flag.value]
        assert kept is not None and shown == (later[-1] if later else flag.value)
    assert ("33", "achieved_to_date") in rereads and ("1", "project_code") in rereads


# Indicator names as printed on page 8 (read by eye); the page pass read them in 6-pt
# type with words at confidence 0-45, the cells read again as blocks give them whole.
INDICATOR_NAMES = {
    97: "Número de Comités de Ética y Previsión de Conflictos de Interés en operación",
    101: "Programa institucional de cero plásticos de un solo uso realizado",
    102: "Programa de utilización de energías renovables y del cuidado del medio ambiente en operación",
}


def test_indicator_names(section):
    rows = {r.indicator_no: r for r in section.evaluation_rows}
    assert {no: rows[no].indicator for no in INDICATOR_NAMES} == INDICATOR_NAMES


def test_shaded_empty_justifications_are_empty(section):
    # the JUSTIFICACIÓN column is shaded; its empty cells read as scattered marks
    rows = {r.indicator_no: r for r in section.evaluation_rows}
    assert all(rows[no].justification is None for no in (40, 41, 45, 47, 51, 67, 70, 97, 98))
    assert rows[12].justification.startswith("NO SE APERTURO")
    noise = [f for f in section.flags if f.rule == "ocr_noise" and f.field == "justification"]
    assert noise and all(f.severity.value == "info" and f.raw_value for f in noise)


def test_projects_of_two_rows_whose_rules_were_lost(section):
    # page 6: the rules around row 79 are not found; its code, centred on row 79 rather
    # than on both rows, tells the two project cells apart (checked against the page image)
    rows = {r.indicator_no: r for r in section.evaluation_rows}
    assert rows[79].project == "Fortalecimiento del emprendimiento con enfoque en la innovación y sustentabilidad."
    assert rows[80].project == "Promoción del servicio social en programas de inclusión e igualdad."
    assert (rows[79].project_code, rows[80].project_code) == ("ET.5.1", "ET.5.2")


def test_a_code_centred_on_one_row_splits_a_cell_whose_rules_were_lost():
    from avance.families.poa_evaluation import Band, _split_off_centred_codes
    from avance.records import Word

    bands = [Band(1, 400, 428, {}), Band(1, 428, 456, {})]
    code_on_first = [Word(x0=100, top=412, x1=110, bottom=416, text="ET5.1", conf=90)]
    assert _split_off_centred_codes([(400, 456)], code_on_first, bands) == [(400, 428), (428, 456)]
    # a merged cell's code is centred on the merged cell: it stays one cell
    code_centred = [Word(x0=100, top=426, x1=110, bottom=430, text="3.3.2", conf=90)]
    assert _split_off_centred_codes([(400, 456)], code_centred, bands) == [(400, 456)]
