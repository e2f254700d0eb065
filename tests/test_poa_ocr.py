"""POA avance programático on OCR'd pages: layout from rules, code and figure repairs."""
from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from avance.extractors.grid import join_horizontal, ruled_header
from avance.extractors.layout import TextLine, make_line
from avance.families import poa
from avance.normalizers.ocr_codes import repair_codes
from avance.records import ActionLine, Page, Rule, Word

DIGITAL = Path(__file__).parent / "corpus" / "digital" / "d001_poa_tijuana.pdf"

CATALOG = ["1.1", "1.1.1", "1.1.2", "1.1.4", "1.2", "1.2.1", "1.2.3", "5.5", "5.5.1", "5.5.2", "5.5.3", "5.5.5", "5.5.6"]


# --------------------------------------------------------------------------
# PMD codes against the section's catalog
# --------------------------------------------------------------------------

@pytest.mark.parametrize("raw, codes, fixed", [
    ("1.1.4, 1.2.1, 1.23", ("1.1.4", "1.2.1", "1.2.3"), "1.1.4, 1.2.1, 1.2.3"),  # a lost dot
    ("1,1.1,1.1.2", ("1.1.1", "1.1.2"), "1.1.1,1.1.2"),  # a dot read as a comma
    ("5.5,5.5.1,5..5.2.5.5.3.5.5.6", ("5.5", "5.5.1", "5.5.2", "5.5.3", "5.5.6"), "5.5,5.5.1,5.5.2,5.5.3,5.5.6"),
    ("4.14:415", None, None),  # codes not in this catalog: left as read
    ("1.1.11.12", ("1.1.1", "1.1.2"), "1.1.1 1.1.2"),  # the space between two codes lost: no comma made up
    ("121555", ("1.2.1", "5.5.5"), "1.2.1 5.5.5"),
    ("1.1.1.1.1.2", ("1.1.1", "1.1.2"), "1.1.1.1.1.2"),  # codes printed run together stay so
    ("7.2.1", None, None),  # a clean dotted code the catalog lacks: as read
    ("121", ("1.2.1",), "1.2.1"),
    ("421", ("1.2.1",), "1.2.1"),  # one digit misread, dots lost: the one catalog code one digit off
    ("1.2.1, 655", ("1.2.1", "5.5.5"), "1.2.1, 5.5.5"),
    ("1.19", None, None),  # 1.1.1, 1.1.2 and 1.1.4 are all one digit off: left as read
    ("€.5.3", None, None),  # a digit lost before the dot is no digit misread
    ("1.2.1 655 955", None, None),  # one misread digit a cell at most
    ("9551255355", None, None),  # a long run of digits spells codes by one change too easily
])
def test_repair_codes(raw, codes, fixed):
    got = repair_codes(raw, CATALOG)
    if codes is None:
        assert got is None
    else:
        assert got.codes == codes and got.raw == fixed


def test_repair_codes_colon_is_a_separator():
    got = repair_codes("4.14:415", ["4.1.4", "4.1.5", "4.1"])
    assert got.codes == ("4.1.4", "4.1.5")


def test_action_line_code_with_lost_dot():
    lines = [ActionLine(c, "X") for c in ("1.1", "1.1.1", "1.2", "1.21", "1.2.2")]
    flags = []
    out = poa._ocr_action_lines(lines, flags)
    assert [a.code for a in out] == ["1.1", "1.1.1", "1.2", "1.2.1", "1.2.2"]
    assert flags and flags[0].rule == "ocr_repair" and flags[0].raw_value == "1.21"


def test_action_line_codes_misread_where_a_column_of_the_list_starts():
    # a list printed in two columns: OCR read the second column's `5.5` as `s.5` and `5.5.7` as
    # `$.5.7`, and a speck after a code
    def line(top: float, *cells: tuple[float, str]) -> TextLine:
        words = []
        for x, text in cells:
            for token in text.split():
                words.append(Word(x, top, x + 4.0 * len(token), top + 6, token, conf=90.0))
                x += 4.0 * len(token) + 3
        return make_line(words)

    lines = [line(100, (30, "LÍNEAS DE ACCIÓN:")),
             line(110, (30, "1.1"), (60, "ESTRATEGIA DE CUIDADOS"), (400, "s.5"), (430, "INCLUSIÓN SOCIAL")),
             line(120, (30, "1.2 ."), (60, "SALUD Y BIENESTAR"), (400, "5.5.1"), (430, "PRESUPUESTO CON PERSPECTIVA")),
             line(130, (30, "1.2.1"), (60, "FORTALECIMIENTO DE PROGRAMAS"), (400, "$.5.7"), (430, "VINCULACIÓN"))]
    flags = []
    out = poa._action_lines(lines, table_top=200, ocr=True, flags=flags)
    assert [(a.code, a.description) for a in out] == [
        ("1.1", "ESTRATEGIA DE CUIDADOS"), ("5.5", "INCLUSIÓN SOCIAL"), ("1.2", "SALUD Y BIENESTAR"),
        ("5.5.1", "PRESUPUESTO CON PERSPECTIVA"), ("1.2.1", "FORTALECIMIENTO DE PROGRAMAS"), ("5.5.7", "VINCULACIÓN")]
    assert sorted((f.raw_value, f.value) for f in flags) == [("$.5.7", "5.5.7"), ("s.5", "5.5")]
    # a word of a description, where no column starts, stays a word
    plain = poa._action_lines([lines[0], line(110, (30, "1.1"), (60, "APOYO A S.5 FAMILIAS"))], 200, True, [])
    assert [(a.code, a.description) for a in plain] == [("1.1", "APOYO A S.5 FAMILIAS")]


# --------------------------------------------------------------------------
# goal codes, header labels
# --------------------------------------------------------------------------

@pytest.mark.parametrize("text, code", [
    ("101: PROPORCIONAR RACIONES", "101"), ("101,- PROPORCIONAR", "101"), ("107 -PUBLICACIÓN DE", "107"),
    ("1O3.- CONTRIBUIR", "103"), ("M100 CONTRIBUIR", "M.100"), ("2,200 SERVICIOS", None),
    ('"205 -OTORGAR TERAPIAS', "205"), ("*102.- GESTIONAR Y", "102"),  # a speck before the code
    ("-M.300 CONTRIBUIR A LA", "M.300"), ("|301.- CELEBRAR", "301"),  # a sliver of the cell's rule
    ("- 300 PERSONAS ATENDIDAS", None),  # a dash before a count in a description is no code
    ("MX.100 CONTRIBUIR CON", "M.100"),  # bold type's period read as a letter and a period
    ("MAS.100 PERSONAS", None), ("MA 100 PERSONAS", None),
])
def test_ocr_goal_code(text, code):
    got = poa._ocr_goal_code(text)
    assert (got[0] if got else None) == code


@pytest.mark.parametrize("text, ocr, code", [
    ("101", False, "101"), ("M.100", False, "M.100"), ("M100", True, "M.100"), ("106 —", True, "106"),
    ("1OS", True, "105"), ("2l0", True, "210"),  # letters OCR reads for digits, in a cell of a number only
    ("1OS", False, None), ("IS", True, None), ("TOTAL", True, None), ("1.1.2", True, None),
])
def test_goal_code_in_a_column_of_its_own(text, ocr, code):
    assert poa._key_code(text, ocr) == code


@pytest.mark.parametrize("words, name", [
    (["UNIDAD", "EJSCUTORA"], "unidad"), (["FIMALIDAD"], "finalidad"), (["FUNCI0N"], "funcion"),
    (["SUBFUNCI0N"], "subfuncion"), (["PROGRAMA", "OPERATIVO"], None),
])
def test_fuzzy_header_labels(words, name):
    got = poa._fuzzy_label(words)
    assert (got[0] if got else None) == name


# --------------------------------------------------------------------------
# figures chosen by the row's arithmetic
# --------------------------------------------------------------------------

def _cells(values: dict[str, str]) -> dict[str, list[TextLine]]:
    out = {}
    for i, (name, text) in enumerate(values.items()):
        out[name] = [make_line([Word(x0=10 * i, top=0, x1=10 * i + 8, bottom=8, text=text, conf=90.0)])]
    return out


def test_figures_thousands_point_repaired_by_arithmetic():
    flags = []
    got = poa._ocr_figures("105", _cells({
        "annual_target": "6,000", "P1": "1.500", "A1": "1,881", "P2": "1,434", "P3": "1.500", "P4": "1.566",
        "absolute_progress": "1.881", "relative_progress": "31.33%",
    }), flags)
    assert got["P1"] == 1500 and got["P3"] == 1500 and got["P4"] == 1566
    assert got["absolute_progress"] == 1881
    # 31.33% for 31.35% is not wildly off: a printed figure that disagrees slightly is kept
    assert got["relative_progress"] == 31.33
    assert {f.field for f in flags} == {"programmed", "absolute_progress"}
    assert all(f.rule == "ocr_repair" and f.severity.value == "info" for f in flags)


def test_marks_in_the_achieved_cells_of_quarters_after_the_reports_are_specks():
    # a first-quarter report: nothing is achieved yet in quarters 2-4, so `!` or `|` there
    # is a speck (a rule's sliver), not a 1; a digit stays what it reads
    cells = {"annual_target": "4", "P1": "1", "A1": "o", "P2": "1", "A2": "!", "P3": "1", "A3": "|",
             "P4": "1", "A4": "1", "absolute_progress": "0", "relative_progress": "0%"}
    flags = []
    got = poa._ocr_figures("104", _cells(cells), flags, quarter=1)
    assert got["A1"] == 0 and got["A2"] is None and got["A3"] is None and got["A4"] == 1
    specks = [f for f in flags if f.field == "achieved" and f.value is None]
    assert sorted(f.row_key for f in specks) == ["104|2", "104|3"] and all(f.rule == "ocr_repair" for f in specks)
    # the report's quarter unknown, or a later one: the cells are read as before
    flags = []
    assert poa._ocr_figures("104", _cells(cells), flags)["A2"] == 1
    assert poa._ocr_figures("104", _cells(cells), [], quarter=3)["A3"] == 1


def test_a_row_read_all_with_thousands_points_is_counted_in_thousands():
    # every comma of the row thinned to a point: the row adds up either way, and a goal
    # counts things, never in thousandths
    flags = []
    got = poa._ocr_figures("201", _cells({
        "annual_target": "5.300", "P1": "1.325", "P2": "1.325", "P3": "1.325", "P4": "1.325",
        "A1": "1.120", "absolute_progress": "1.120", "relative_progress": "21.13%",
    }), flags)
    assert got["annual_target"] == 5300 and got["P2"] == 1325 and got["absolute_progress"] == 1120
    assert got["relative_progress"] == 21.13
    assert all(f.rule == "ocr_repair" for f in flags) and {f.raw_value for f in flags} >= {"5.300", "1.325"}


def test_figures_printed_inconsistency_is_kept():
    flags = []
    got = poa._ocr_figures("M.100", _cells({
        "annual_target": "4", "P1": "1", "A1": "1", "P2": "1", "P3": "1", "P4": "1",
        "absolute_progress": "1", "relative_progress": "100%",
    }), flags)
    assert got["relative_progress"] == 100.0 and not flags


def test_figures_look_alike_digit_when_wildly_off():
    flags = []
    got = poa._ocr_figures("101", _cells({
        "annual_target": "59,184", "P1": "17,755", "A1": "17,755", "P2": "15,980", "P3": "7,694", "P4": "17,755",
        "absolute_progress": "17,755", "relative_progress": "20%",
    }), flags)
    assert got["relative_progress"] == 30.0 and flags[0].field == "relative_progress"


def test_figures_percent_sign_misread():
    flags = []
    got = poa._ocr_figures("102", _cells({
        "annual_target": "94", "P1": "24", "A1": "24", "P2": "23", "P3": "24", "P4": "23",
        "absolute_progress": "24", "relative_progress": "25.534",
    }), flags)
    assert got["relative_progress"] == 25.53 and flags[0].raw_value == "25.534"
    for printed, value in (("25.53t", 25.53), ("25.53s", 25.53), ("or", 0.0)):  # the sign read as a letter
        flags = []
        absolute = "24" if value else "0"
        got = poa._ocr_figures("102", _cells({
            "annual_target": "94", "P1": "24", "A1": absolute, "absolute_progress": absolute,
            "relative_progress": printed}), flags)
        assert got["relative_progress"] == value and [f.raw_value for f in flags] == [printed]


# --------------------------------------------------------------------------
# a digital page made to look scanned
# --------------------------------------------------------------------------

def _as_scan(page: Page) -> Page:
    """Rectangles as thin lines (what morphology finds), source `ocr`, and the
    misreadings OCR makes: stacked header labels and the P/A row garbled, goal
    codes with a colon, thousands with a point, an action-line code without its dot."""
    rules = []
    for r in page.rules:
        if r.height > 2 and r.width > 2:
            rules += [Rule(r.x0, r.top, r.x1, r.top + 0.8), Rule(r.x0, r.bottom - 0.8, r.x1, r.bottom),
                      Rule(r.x0, r.top, r.x0 + 0.8, r.bottom), Rule(r.x1 - 0.8, r.top, r.x1, r.bottom)]
        else:
            rules.append(r)
    garble = {"ABSOLUTO": "ABSoruro", "RELATIVO": "RELAMVO", "DESCRIPCION": "DESCRPCON", "P.M.D.": "PM.D",
              "103-": "103:", "17,755": "17.755", "1,500": "1.500", "MEDIDA": "MEDDA", "ANUAL": "ANUA"}
    words = []
    for w in page.words:
        text = garble.get(w.text, w.text)
        if w.text in ("P", "A") and w.height < 12:
            text = {"P": "PO", "A": "|"}[w.text]
        if w.text == "1.2.1" and w.x0 < 200:
            text = "1.21"
        words.append(replace(w, text=text, conf=80.0))
    return replace(page, words=tuple(words), rules=tuple(rules), source="ocr")


@pytest.mark.skipif(not DIGITAL.exists(), reason="digital corpus not present")
def test_perturbed_digital_page_parses_like_the_digital_one():
    from avance.extractors import pdfium_text

    pdf = pdfium_text.open_pdf(DIGITAL)
    try:
        page = pdfium_text.read_page(pdf[0], 1)
    finally:
        pdf.close()
    digital = poa.parse([page])
    scan_page = _as_scan(page)
    assert ruled_header(scan_page.rules, scan_page.width) is not None
    assert poa._pa_line(__import__("avance.extractors.layout", fromlist=["group_lines"]).group_lines(scan_page.words)) is None
    scanned = poa.parse([scan_page])
    assert [a.code for a in scanned.action_lines] == [a.code for a in digital.action_lines]
    assert [g.goal_code for g in scanned.goals] == [g.goal_code for g in digital.goals]
    for s, d in zip(scanned.goals, digital.goals):
        assert (s.annual_target, s.absolute_progress, s.relative_progress) == \
            (d.annual_target, d.absolute_progress, d.relative_progress), s.goal_code
        assert s.pmd_codes == d.pmd_codes, s.goal_code
        assert s.unit == d.unit
    assert [(p.programmed, p.achieved) for p in scanned.goal_periods] == \
        [(p.programmed, p.achieved) for p in digital.goal_periods]
    repairs = [f for f in scanned.flags if f.rule == "ocr_repair"]
    assert repairs and all(f.severity.value == "info" for f in repairs)
    assert not [f for f in digital.flags if f.rule == "ocr_repair"]


def test_join_horizontal_joins_a_row_ruled_cell_by_cell():
    rules = [Rule(10, 100, 60, 100.8), Rule(60.5, 100, 200, 100.8), Rule(300, 100, 400, 100.8)]
    joined = join_horizontal(rules)
    assert sorted((round(r.x0), round(r.x1)) for r in joined) == [(10, 200), (300, 400)]


def test_a_row_numbered_by_its_place_drops_its_code_when_it_printed_it_behind_a_speck():
    flags = []
    goal, _ = poa._build_goal(poa.RawGoal(1, "207", ["207 «OTORGAR CONSULTAS"], {}, True), (), flags)
    assert (goal.goal_code, goal.description) == ("207", "OTORGAR CONSULTAS") and not flags
    goal, _ = poa._build_goal(poa.RawGoal(1, "207", ["OTORGAR CONSULTAS"], {}, True), (), flags)
    assert goal.description == "OTORGAR CONSULTAS"
    assert [f.field for f in flags] == ["goal_code"]  # numbered by its place: flagged


@pytest.mark.skipif(not DIGITAL.exists(), reason="digital corpus not present")
def test_figure_cells_the_page_pass_read_empty_keep_their_places_to_be_read_again():
    from avance.extractors import pdfium_text
    from avance.normalizers.rereads import missing_targets

    pdf = pdfium_text.open_pdf(DIGITAL)
    try:
        page = _as_scan(pdfium_text.read_page(pdf[0], 1))
    finally:
        pdf.close()
    full = poa.parse([page])
    goal = full.goals[1]
    first_p = next(p for p in full.goal_periods if p.goal_code == goal.goal_code and p.period == 1)
    where = {(p.table, p.field): p for p in full.provenance if p.row_key in (goal.goal_code, f"{goal.goal_code}|1")}
    annual, programmed = where[("goals", "annual_target")], where[("goal_periods", "programmed")]
    # the page pass drops the goal's annual target and its first quarter's programmed figure
    dropped = [w for w in page.words if any(
        p.x0 <= w.xmid <= p.x1 and p.y0 <= w.ymid <= p.y1 for p in (annual, programmed))]
    assert dropped
    read = poa.parse([replace(page, words=tuple(w for w in page.words if w not in dropped))])
    assert next(g for g in read.goals if g.goal_code == goal.goal_code).annual_target is None
    places = {(t.ref[0], t.ref[2]): t for t in missing_targets(read, poa.SPEC.value_readers)
              if t.ref[1] in (goal.goal_code, f"{goal.goal_code}|1")}
    assert set(places) == {("goals", "annual_target"), ("goal_periods", "programmed")}
    for key, p in (("goals", "annual_target"), annual), (("goal_periods", "programmed"), programmed):
        x0, y0, x1, y1 = places[key].box
        assert x0 <= p.x0 and p.x1 <= x1 and y0 <= p.y0 and p.y1 <= y1, key  # the dropped figure is in its place
    assert first_p.programmed is not None
    # achieved cells of quarters after the report's are empty as printed: no place
    quarter = read.info.quarter
    assert quarter is not None and not [t for t in missing_targets(read, poa.SPEC.value_readers)
                                        if t.ref[2] == "achieved" and int(t.ref[1].split("|")[1]) > quarter]
