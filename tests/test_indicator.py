"""Indicator sheets (FICHA TÉCNICA) and reports (REPORTE DE INDICADOR) on real layouts."""
from __future__ import annotations

from dataclasses import replace
from functools import lru_cache
from pathlib import Path

import pytest

from avance.extractors.pdf_text import read_pdf_pages
from avance.families import indicator
from avance.families.indicator_report import normalize_formula, repair_key
from avance.pipeline.sections import group_sections
from avance.records import Family, Word

_HERE = Path(__file__).resolve().parent
CORPUS = _HERE / "corpus" / "digital"


def _path(name: str) -> Path:
    path = CORPUS / name
    assert path.exists(), f"corpus file {name} missing from tests/corpus/digital"
    return path


@lru_cache(maxsize=None)
def _pages(name: str):
    return tuple(read_pdf_pages(_path(name)))


def _sections(name: str):
    groups, _ = group_sections(_pages(name))
    out = {}
    for g in groups:
        if g.spec.family in (Family.INDICATOR_SHEET, Family.INDICATOR_REPORT):
            result = g.spec.parse(g.pages)
            out[result.info.page_start] = result
    return out


def test_sheet_header_fields_and_tables():
    sections = _sections("d003_ind_tecate.pdf")
    sheet = sections[1]
    info = sheet.info
    assert (info.family, info.page_start, info.page_end) == ("indicator_sheet", 1, 2)
    assert info.government == "GOBIERNO DE TECATE" and info.municipality == "Tecate"
    assert info.fiscal_year == 2026
    assert (info.ramo_code, info.unidad_code, info.programa_code) == ("44", "203", "174")
    # a Programa name wrapped onto a second line is joined
    assert info.programa_name.endswith("EN EL QUEHACER GUBERNAMENTAL")
    assert (info.subfuncion_code, info.subfuncion_name) == ("3", "Familia e Hijos")
    ind = sheet.indicators[0]
    assert ind.kind == "sheet" and ind.indicator_code == "44-TES-P174-M70"
    assert ind.name == "PORCENTAJE DE MUJERES ATENDIDAS POR VIOLENCIA DE GÉNERO"
    assert ind.entity_code == "44 - DIF - 1000"
    assert ind.pmd_axis == "5 - Tránsito a la igualdad e inclusión"
    assert ind.pmd_lines == ("5.1.2", "5.1.5")
    assert ind.formula == "PMAV = (MAV / MSA) * 100"
    assert (ind.red_min, ind.red_max, ind.yellow_min, ind.yellow_max, ind.green_min, ind.green_max) == (
        0.0, 75.0, 76.0, 89.0, 90.0, 100.0)
    assert (ind.target_direction, ind.target_annual, ind.target_triennial) == (">=", 90.0, 400.0)
    assert ind.frequency == "Trimestral" and ind.result_unit == "PORCENTAJE"
    variables = {v.key: v for v in sheet.indicator_variables}
    assert set(variables) == {"PMAV", "MAV", "MSA"}
    # a description wrapped above and below its key is one cell
    assert variables["PMAV"].description == "PORCENTAJE DE MUJERES ATENDIDAS POR VIOLENCIA DE GÉNERO"
    assert (variables["MAV"].unit, variables["MAV"].source) == ("MUJERES ATENDIDAS", "EXPEDIENTES DE ATENCIÓN")
    assert [(b.period, b.base_value, b.target_value) for b in sections[5].indicator_baselines] == [
        (1, 79.49, 90.0), (2, 84.59, 90.0), (3, 72.32, 90.0), (4, 83.51, 90.0)]
    assert variables and sections[5].indicator_variables[1].source is None  # an empty cell stays null


def test_sheet_vertical_semaphore_and_wrapped_source():
    sheet = _sections("d006_sheet_cajeme.pdf")[3]
    ind = sheet.indicators[0]
    assert (ind.red_max, ind.yellow_min, ind.green_min) == (75.0, 76.0, 90.0)
    assert sheet.info.government == "GOBIERNO MUNICIPAL DE CAJEME" and sheet.info.municipality == "Cajeme"
    variables = {v.key: v for v in sheet.indicator_variables}
    assert variables["PAA"].source == "LISTAS DE ASISTENCIA DE CENTROS ASISTENCIALES"
    assert ind.interpretation.endswith("mayor calidad de vida en ese segmento de la población.")


def test_report_fields_and_values():
    sections = _sections("d009_report_benitojuarez.pdf")
    assert sorted(sections) == [1, 3, 5]
    report = sections[1]
    assert (report.info.page_start, report.info.page_end) == (1, 2)
    assert report.info.municipality == "Benito Juárez"
    assert report.info.programa_name.endswith("ENTRE MUJERES Y HOMBRES EN EL QUEHACER GUBERNAMENTAL")
    ind = report.indicators[0]
    assert ind.kind == "report" and ind.indicator_code == "27-EST-P174-M80"
    assert ind.name == "PORCENTAJE DE MUJERES ATENDIDAS POR VIOLENCIA DE GÉNERO"
    assert ind.pmd_strategy.startswith("5.1 - ESTRATEGIA") and ind.pmd_lines == ("5.1.2",)
    assert (ind.target_annual, ind.result_unit, ind.frequency) == (90.0, "PORCENTAJE", "Trimestral")
    values = {(v.variable_key, v.period): v.value for v in report.indicator_values}
    assert len(values) == 12
    assert values[("MAV", 1)] == 417.0 and values[("PMAV", 1)] == 95.19
    assert values[("MSA", 2)] is None
    tro = {(v.variable_key, v.period): v.value for v in sections[5].indicator_values}
    assert tro[("TRO", 1)] == 1530.0 and tro[("PTRO", 1)] == 99.8


def test_report_with_breakdown_on_same_page_and_unspaced_formula():
    sections = _sections("d012_mixed_ensenada.pdf")
    assert set(sections) == {2, 3}
    values = {(v.variable_key, v.period): v.value for v in sections[2].indicator_values}
    assert values[("AED", 1)] == 5923.0
    othon = _sections("d007_mixed_othonpblanco.pdf")
    assert othon[5].indicators[0].formula == "PAMA = (AMA / AMP) * 100"
    assert othon[3].indicators[0].pmd_lines == ("1.1.5", "1.1.6")


def test_detection_ignores_poa_and_mir_pages():
    for name, pages in (("d007_mixed_othonpblanco.pdf", (1, 2)), ("d010_mixed_sanpedrotlaquepaque.pdf", (1, 2, 3, 4))):
        for page in _pages(name):
            if page.number in pages:
                assert indicator.detect_sheet(page) is None
                assert indicator.detect_report(page) is None


def test_continuation_pages_carry_no_key():
    pages = _pages("d003_ind_tecate.pdf")
    assert indicator.detect_sheet(pages[1]) == indicator.PageMark(Family.INDICATOR_SHEET, None)
    assert indicator.detect_report(pages[3]) == indicator.PageMark(Family.INDICATOR_REPORT, None)
    assert indicator.detect_report(pages[2]).key == "44-TES-P174-M70"


def test_title_at_foot_of_previous_page():
    """The sheet's title printed under the previous report page: the sheet
    still starts on the page where its body begins."""
    pages = list(_pages("d003_ind_tecate.pdf"))[:7]
    report_tail, sheet = pages[3], pages[4]
    title = [w for w in sheet.words if w.top < 45]
    moved = tuple(Word(x0=w.x0, top=w.top + 700, x1=w.x1, bottom=w.bottom + 700, text=w.text) for w in title)
    pages[3] = replace(report_tail, words=report_tail.words + moved)
    pages[4] = replace(sheet, words=tuple(w for w in sheet.words if w.top >= 45))
    groups, _ = group_sections(pages)
    spans = [(g.spec.family.value, g.pages[0].number, g.pages[-1].number) for g in groups]
    assert ("indicator_report", 3, 4) in spans
    assert ("indicator_sheet", 5, 5) in spans


@pytest.mark.parametrize("raw, expected", [
    ("PAMA = (AMA/AMP)*100", "PAMA = (AMA / AMP) * 100"),
    ("PTRO =(TRO /TRP)* 100", "PTRO = (TRO / TRP) * 100"),
    ("PSPM = (TSM / TSO) * 100", "PSPM = (TSM / TSO) * 100"),
])
def test_formula_normalized(raw, expected):
    assert normalize_formula(raw) == expected


def test_ocr_key_repaired_to_known_key():
    assert repair_key("T50", ["TSM", "TSO", "PSPM"]) == "TSO"
    assert repair_key("TSM", ["TSM", "TSO"]) == "TSM"


def test_sheet_table_columns_are_named_by_their_vocabulary_in_any_order():
    from avance.families.indicator import BASELINE_COLUMNS, VARIABLE_COLUMNS
    from avance.families.indicator_report import name_headers

    # other wording, another order, a header OCR could not read (named by elimination)
    assert name_headers(["CLAVE", "MEDIO DE VERIFICACIÓN", "DESCRIPCIÓN", "UNIDAD DE MEDIDA"], VARIABLE_COLUMNS) == {
        "key": 0, "source": 1, "description": 2, "unit": 3}
    assert name_headers(["CLAVE", "DESCRIPCIÓN", "~~ ==", "FUENTE DE DATOS"], VARIABLE_COLUMNS)["unit"] == 2
    assert name_headers(["PERIODO", "VALOR META", "VALOR BASE"], BASELINE_COLUMNS) == {
        "period": 0, "target_value": 1, "base_value": 2}
    assert name_headers(["NOMBRE DEL INDICADOR:", "PORCENTAJE DE MUJERES"], VARIABLE_COLUMNS) == {}


def words(text: str, x: float, top: float) -> list[Word]:
    """A line's words as a text layer gives them: 5 points a letter, one space apart."""
    out = []
    for tok in text.split():
        out.append(Word(x0=x, top=top, x1=x + 5 * len(tok), bottom=top + 8, text=tok))
        x += 5 * (len(tok) + 1)
    return out


def test_two_column_label_value_pairs_keep_to_their_column():
    from avance.extractors.layout import group_lines
    from avance.families.indicator_report import Fields, pmd_link

    ws = (words("Eje:", 40, 100) + words("5 - Tránsito a la igualdad", 110, 100)
          + words("Objetivo:", 320, 100) + words("Garantizar la atención", 390, 100)
          + words("integral de las mujeres.", 390, 110)
          + words("Estrategia:", 40, 120) + words("5.1 - ESTRATEGIA DE", 110, 120)
          + words("Línea de Acción:", 320, 120) + words("5.1.2", 420, 120)
          + words("PREVENCIÓN", 110, 130))
    fields = Fields(group_lines(ws))
    assert fields.get("objective") == "Garantizar la atención integral de las mujeres."
    axis, strategy, lines = pmd_link(fields)
    assert axis == "5 - Tránsito a la igualdad"
    assert strategy == "5.1 - ESTRATEGIA DE PREVENCIÓN"
    assert lines == ("5.1.2",)


def test_report_titles_worded_otherwise_are_still_report_titles():
    from avance.families.indicator import _line_has_loosely, _tokens
    assert _line_has_loosely(_tokens("REPORTE DE AVANCE DEL INDICADOR 2026"), "REPORTE DE INDICADOR")
    assert _line_has_loosely(_tokens("FICHA TÉCNICA DEL INDICADOR"), "FICHA TECNICA")
    assert not _line_has_loosely(_tokens("REPORTE TRIMESTRAL DE AVANCE DE LAS METAS DEL PROGRAMA DE INDICADOR"),
                                 "REPORTE DE INDICADOR")
    assert not _line_has_loosely(_tokens("REPORTE DE AVANCE DE INDICADORES"), "REPORTE DE INDICADOR")


def test_variables_carried_to_the_next_page_under_their_header_again():
    from avance.extractors.layout import group_lines
    from avance.records import Page

    def header(top):
        return (words("CLAVE", 40, top) + words("DESCRIPCIÓN", 150, top) + words("MEDIO DE VERIFICACIÓN", 400, top)
                + words("UNIDAD DE MEDIDA", 600, top))

    first = header(500) + words("PMAV", 40, 512) + words("PORCENTAJE DE MUJERES ATENDIDAS", 150, 512) + \
        words("DIF", 400, 512) + words("PORCENTAJE", 600, 512) + \
        words("MAV", 40, 524) + words("MUJERES ATENDIDAS", 150, 524) + words("EXPEDIENTES", 400, 524) + \
        words("MUJERES", 600, 524) + words("Página 1 de 2", 700, 680)
    second = header(40) + words("MSA", 40, 52) + words("MUJERES QUE SOLICITAN", 150, 52) + \
        words("REGISTRO DE SOLICITUDES", 400, 52) + words("SOLICITUDES", 600, 52) + \
        words("VALIDACIÓN DEL INDICADOR", 300, 80)
    lines = group_lines(first) + group_lines(second)
    assert [(v.key, v.source) for v in indicator._variables(lines)] == [
        ("PMAV", "DIF"), ("MAV", "EXPEDIENTES"), ("MSA", "REGISTRO DE SOLICITUDES")]
    pages = [Page(1, 800, 700, tuple(first)), Page(2, 800, 700, tuple(second))]
    assert [v.key for v in indicator._table_variables(pages) or indicator._variables(lines)] == ["PMAV", "MAV", "MSA"]


def test_a_value_box_is_ruled_only_where_a_rule_closes_its_foot():
    from avance.families.indicator_report import _ruled_below
    from avance.records import Box, Page, Rule
    page = Page(1, 800, 700, (), rules=(Rule(100, 119.7, 400, 120.3), Rule(100, 140, 400, 160)))
    assert _ruled_below(page, Box(100, 108, 400, 120))        # a line under it
    assert _ruled_below(page, Box(100, 130, 400, 160))        # a drawn box's foot
    # a row the reader took in under the grid: its wrapped line may have gone to the next row
    assert not _ruled_below(page, Box(100, 170, 400, 182))


def test_variables_whose_key_column_is_not_the_first():
    from avance.extractors.layout import group_lines

    ws = (words("FUENTE DE DATOS", 40, 100) + words("DESCRIPCIÓN", 200, 100) + words("CLAVE", 420, 100)
          + words("UNIDAD DE MEDIDA", 500, 100)
          + words("DIF", 40, 112) + words("PORCENTAJE DE MUJERES ATENDIDAS", 200, 112) + words("PMAV", 420, 112)
          + words("PORCENTAJE", 500, 112)
          + words("REGISTRO DE SOLICITUDES", 40, 124) + words("MUJERES QUE SOLICITAN", 200, 124)
          + words("MSA", 420, 124) + words("SOLICITUDES", 500, 124))
    got = [(v.key, v.description, v.unit, v.source) for v in indicator._variables(group_lines(ws))]
    assert got == [("PMAV", "PORCENTAJE DE MUJERES ATENDIDAS", "PORCENTAJE", "DIF"),
                   ("MSA", "MUJERES QUE SOLICITAN", "SOLICITUDES", "REGISTRO DE SOLICITUDES")]


def test_a_value_in_a_column_of_its_own_stops_at_a_title_back_at_the_labels_edge():
    from avance.extractors.layout import group_lines
    from avance.families.indicator_report import Fields

    ws = (words("Programa:", 40, 100) + words("174 - INSTITUCIONALIZACIÓN PROGRESIVA", 200, 100)
          + words("EN EL QUEHACER", 200, 109)
          + words("Datos del indicador:", 40, 118)
          + words("Objetivo del indicador: Garantizar la atención", 40, 130)
          + words("integral de las mujeres.", 40, 139))
    fields = Fields(group_lines(ws))
    assert fields.get("programa") == "174 - INSTITUCIONALIZACIÓN PROGRESIVA EN EL QUEHACER"
    # a value printed right after its label still wraps back to the margin
    assert fields.get("objective") == "Garantizar la atención integral de las mujeres."


def test_report_values_of_one_quarter_with_the_description_before_the_key():
    from avance.extractors.layout import group_lines
    from avance.families.indicator_report import report_values

    ws = (words("PERIODO", 400, 100) + words("DESCRIPCIÓN", 100, 106) + words("CLAVE", 250, 106)
          + words("1", 320, 112) + words("2", 380, 112) + words("3", 440, 112) + words("4", 500, 112)
          + words("PORCENTAJE DE MUJERES ATENDIDAS POR", 40, 124) + words("PMAV", 250, 124) + words("88.50", 310, 124)
          + words("VIOLENCIA DE GÉNERO", 40, 133)
          + words("MUJERES ATENDIDAS", 40, 145) + words("MAV", 250, 145) + words("594", 315, 145))
    got = report_values([group_lines(ws)], "PMAV = (MAV / MSA) * 100")
    assert {(v.variable_key, v.period): v.value for v in got if v.value is not None} == {
        ("PMAV", 1): 88.5, ("MAV", 1): 594.0}
    # the key printed last, right of the quarters: not a value
    last = (words("PERIODO", 300, 100) + words("DESCRIPCIÓN", 100, 106) + words("CLAVE", 520, 106)
            + words("1", 320, 112) + words("2", 380, 112) + words("3", 440, 112) + words("4", 500, 112)
            + words("PORCENTAJE DE MUJERES", 40, 124) + words("88.50", 310, 124) + words("PMAV", 520, 124)
            + words("MUJERES ATENDIDAS", 40, 145) + words("594", 315, 145) + words("MAV", 520, 145))
    got = report_values([group_lines(last)], "PMAV = (MAV / MSA) * 100")
    assert {(v.variable_key, v.period): v.value for v in got if v.value is not None} == {
        ("PMAV", 1): 88.5, ("MAV", 1): 594.0}


def test_specks_before_a_value_neither_move_its_column_nor_hide_its_figure():
    from avance.extractors.layout import group_lines
    from avance.families.indicator import _target
    from avance.families.indicator_report import Fields

    # `* 174 - ...`: the value's column starts at its first word; its wrapped line under it
    ws = (words("Programa:", 40, 100) + [Word(x0=195, top=100, x1=199, bottom=108, text="*")]
          + words("174 - INSTITUCIONALIZACIÓN PROGRESIVA", 200, 100) + words("GUBERNAMENTAL", 201, 109))
    assert Fields(group_lines(ws)).get("programa") == "* 174 - INSTITUCIONALIZACIÓN PROGRESIVA GUBERNAMENTAL"
    # a second colon read from a speck (`Meta Trienio: : 400.00`)
    assert _target(group_lines(words("Meta Trienio: : 400.00", 40, 100)))[2] == 400.0


def test_the_pmd_block_stops_at_the_next_blocks_title_at_the_labels_edge():
    from avance.extractors.layout import group_lines
    from avance.families.indicator_report import Fields, pmd_link

    ws = (words("Alineación al Plan Municipal de Desarrollo:", 40, 90)
          + words("Eje del PMD:", 40, 100) + words("5 - Tránsito a la igualdad", 200, 100)
          + words("Línea de Acción:", 420, 100) + words("5.1.2", 560, 100)
          + words("Estrategia:", 40, 110) + words("5.1 - ESTRATEGIA DE PREVENCIÓN", 200, 110)
          + words("LAS MUJERES", 200, 119)
          + words("Clasificación programática:", 40, 132)
          + words("Ramo:", 40, 142) + words("44 - Desarrollo", 200, 142))
    axis, strategy, lines = pmd_link(Fields(group_lines(ws)))
    assert (axis, strategy, lines) == ("5 - Tránsito a la igualdad", "5.1 - ESTRATEGIA DE PREVENCIÓN LAS MUJERES",
                                       ("5.1.2",))


def test_a_pmd_block_drawn_as_two_columns_of_boxes_is_read_from_its_boxes(tmp_path):
    from tests.variations.render import document_seed, layout_for, load_truth as load_truth_json, render, \
        select_sections, truth_path_for
    from avance.evaluate import load_truth, score
    from avance.pipeline.run import run

    # Courier in ruled boxes two to a row: the labels `Línea de` / `Acción:` wrap in their boxes
    source = CORPUS / "d003_ind_tecate.truth.json"
    seed = document_seed("mixed", 14, source)
    lay = layout_for("mixed", seed)
    assert (lay.font, lay.boxed_header, lay.two_column, lay.ruled) == ("Courier", True, True, True)
    truth = select_sections(load_truth_json(source), ["indicator_sheet", "indicator_report"], 2)
    pdf = tmp_path / "d003_ind_tecate.mixed.pdf"
    render(truth, "mixed", pdf, seed=seed)
    run([pdf], tmp_path / "out")
    result = score([load_truth(str(truth_path_for(pdf)))], str(tmp_path / "out"))
    assert result["field_accuracy"] >= 0.99, result["field_accuracy"]  # 0.93 read from its lines
