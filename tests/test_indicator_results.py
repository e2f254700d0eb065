"""The `indicator_results` family on real reports, and `table_cells` for tables no
family maps. Every figure asserted here was checked by eye on the rendered pages."""
from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from avance.pipeline.run import run

REAL = Path(__file__).parent / "corpus" / "real"
CONAC = "inaeba_indicadores_resultados_2t2021.pdf"
SIPOT = "itsch_indicadores_de_resultados_2t2025.pdf"
UNMAPPED = ("inaeba_faeta_mir_avance_trimestral_2020.pdf", "icatech_poa_avance_metas_2t2017.pdf")


@pytest.fixture(scope="module")
def out(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("indicator_results")
    run([REAL / CONAC, REAL / SIPOT, *(REAL / n for n in UNMAPPED)], out)
    return out


def _rows(out: Path, table: str, file_name: str) -> pd.DataFrame:
    docs = pd.read_parquet(out / "documents")
    doc_id = docs.loc[docs.file_name == file_name, "doc_id"].item()
    frame = pd.read_parquet(out / table)
    return frame[frame.doc_id == doc_id]


def test_conac_wide_table(out):
    rows = _rows(out, "indicator_results", CONAC).sort_values("row_no")
    assert len(rows) == 3
    first = rows.iloc[0]
    assert (first.program_code, first.level, first.indicator_type, first.dimension, first.frequency, first.unit) == \
        ("E024", "Propósito", "Estratégico", "Eficacia", "Anual", "Porcentaje")
    assert first.indicator.startswith("Porcentaje de personas de 15 años y más que no han concluido")
    assert first.formula.endswith("(año base 2010)*100")
    assert first.target_programmed == 29.6 and first.pct_vs_programmed == 0.0 and pd.isna(first.achieved)
    assert (first.budget_approved, first.budget_modified, first.budget_accrued) == \
        (158032847.50, 175538606.92, 68777961.98)
    assert list(rows.target_programmed) == [29.6, 9.3, 4.1]


def test_conac_totals_and_period(out):
    totals = _rows(out, "totals", CONAC).set_index("target_column").value
    assert totals["budget_approved"] == 267852283.90 and totals["budget_accrued"] == 116572816.92
    section = _rows(out, "sections", CONAC).iloc[0]
    assert section.family == "indicator_results"
    assert (section.period_start, section.period_end, section.quarter, section.fiscal_year) == \
        ("2021-01-01", "2021-06-30", 2, 2021)
    assert (section.finalidad_code, section.funcion_code, section.subfuncion_code) == ("2", "5", "5")
    assert section.agency == "Instituto de Alfabetización y Educación Básica Para Adultos"
    flags = _rows(out, "flags", CONAC)
    assert not (flags.severity == "warning").any()  # the printed budget total is the sum of its lines


def test_sipot_values_printed_one_column_off_their_headers(out):
    rows = _rows(out, "indicator_results", SIPOT).sort_values("row_no")
    assert len(rows) == 21
    first = rows.iloc[0]
    # the page prints `Eficiencia` under "Nombre del indicador", the name under "Objetivo institucional"
    assert first.indicator.startswith("Porcentaje de estudiantes de licenciatura inscritos")
    assert (first.dimension, first.unit, first.frequency) == ("Eficiencia", "Estudiantes", "Anual")
    assert first.program_name == "1. Coadyuvar a Fortalecer la calidad de los servicios educativos"
    assert first.target_programmed == 100.0 and first.achieved == 39.0 and pd.isna(first.target_modified)
    assert rows.iloc[1].unit == "Profesores con posgrado" and rows.iloc[1].achieved == 73.0
    section = _rows(out, "sections", SIPOT).iloc[0]
    assert (section.page_start, section.page_end) == (1, 2)
    assert (section.period_start, section.period_end, section.quarter) == ("2025-04-01", "2025-06-30", 2)


def test_tables_no_family_maps_come_out_as_cells(out):
    mir = _rows(out, "table_cells", UNMAPPED[0])
    first = mir[(mir.table_no == 1)]
    cell = {(r.row, r.col): r for r in first.itertuples()}
    assert cell[(2, 0)].text == "FIN" and cell[(2, 0)].row_span == 2
    assert cell[(2, 5)].text == "Anual" and cell[(2, 5)].header_path == "Periodicidad"
    assert cell[(2, 18)].text == "1,427,259" and cell[(2, 18)].header_path == "4to trimestre > Valores meta"
    assert cell[(3, 19)].text == "-1.8%"
    poa = _rows(out, "table_cells", UNMAPPED[1])
    first = poa[(poa.table_no == 1) & (poa.row == 3)].sort_values("col")
    assert list(first.text)[:6] == ["1", "UNIDAD DE CAPACITACIÓN TUXTLA", "241", "215", "-26", "89%"]
    header = poa[(poa.table_no == 1) & (poa.row == 3) & (poa.col == 3)].header_path.item()
    assert header == "ACUMULADO ENE-JUN 2017 > CURSOS > REALIZADO ENE-JUN"
    docs = pd.read_parquet(out / "documents").set_index("file_name")
    assert (docs.loc[list(UNMAPPED), "status"] == "ok").all()


# --------------------------------------------------------------------------
# built pages: an empty published template, printed figures that disagree
# --------------------------------------------------------------------------

from avance.families import indicator_results as family  # noqa: E402
from avance.normalizers.checks import check_section  # noqa: E402
from avance.records import Page, Rule, Word  # noqa: E402

HEADER = ["Denominación del indicador", "Unidad de medida", "Meta programada", "Meta alcanzada",
          "Alc. / Prog.", "Presupuesto aprobado"]


def _report(rows: list[list[str]]) -> Page:
    """A one-page report: title lines, then a ruled table (header + rows)."""
    words = []
    for i, text in enumerate(["Instituto Municipal de la Juventud", "Indicadores para Resultados",
                              "Del 1 de abril al 30 de junio de 2025"]):
        x = 200.0
        for token in text.split():
            words.append(Word(x, 20 + 10 * i, x + 5 * len(token), 28 + 10 * i, token))
            x += 5 * len(token) + 4
    xs = [40.0, 240.0, 320.0, 400.0, 480.0, 560.0, 680.0]
    top = 80.0
    ys = [top]
    for row in [HEADER] + rows:
        for c, text in enumerate(row):
            x = xs[c] + 2
            for token in text.split():
                words.append(Word(x, top + 3, x + 4.5 * len(token), top + 10, token))
                x += 4.5 * len(token) + 3
        top += 14
        ys.append(top)
    rules = [Rule(xs[0], y - 0.3, xs[-1], y + 0.3) for y in ys] + [Rule(x - 0.3, ys[0], x + 0.3, ys[-1]) for x in xs]
    return Page(number=1, width=792, height=612, words=tuple(words), rules=tuple(rules))


def test_an_empty_published_template_is_a_section_with_zero_lines():
    page = _report([["Total del Gasto", "", "", "", "", "0.00"]])
    assert family.detect(page) is not None
    section = check_section(family.parse([page]))
    assert section.indicator_results == []
    assert [(t.target_column, t.value) for t in section.totals] == [("budget_approved", 0.0)]
    assert (section.info.quarter, section.info.period_start, section.info.period_end) == (2, "2025-04-01", "2025-06-30")
    assert section.info.agency == "Instituto Municipal de la Juventud"
    assert not [f for f in section.flags if f.severity.value == "warning"]


def test_printed_figures_that_disagree_are_warnings_with_sentences():
    page = _report([["Porcentaje de jóvenes atendidos en talleres", "Persona", "200", "50", "30.0", "1,000.00"],
                    ["Número de talleres impartidos en escuelas", "Taller", "40", "10", "25.0", "500.00"],
                    ["Total del Gasto", "", "", "", "", "1,600.00"]])
    section = check_section(family.parse([page]))
    assert [r.achieved for r in section.indicator_results] == [50.0, 10.0]
    warnings = {(f.table, f.row_key, f.rule) for f in section.flags if f.severity.value == "warning"}
    assert warnings == {("indicator_results", "1", "percent_mismatch"),
                        ("totals", "indicator_results|budget_approved", "sum_mismatch")}
    message = next(f.message for f in section.flags if f.rule == "percent_mismatch")
    assert "30%" in message and "25.00%" in message


def test_a_fraction_under_a_percent_heading_is_scaled_and_flagged():
    page = _report([["Porcentaje de jóvenes atendidos en talleres", "Persona", "200", "50", "0.25", "1,000.00"]])
    section = family.parse([page])
    assert section.indicator_results[0].pct_vs_programmed == 25.0
    flag, = [f for f in section.flags if f.rule == "scale_normalized"]
    assert flag.severity.value == "info" and (flag.raw_value, flag.value) == ("0.25", "25")


def _title_page(*lines: str) -> Page:
    words = []
    for i, text in enumerate(lines):
        x = 40.0
        for token in text.split():
            words.append(Word(x, 20 + 10 * i, x + 5 * len(token), 28 + 10 * i, token))
            x += 5 * len(token) + 4
    return Page(number=1, width=792, height=612, words=tuple(words), rules=())


def test_a_mir_titled_matriz_de_indicadores_para_resultados_is_not_this_family():
    assert family.detect(_title_page("SEGUIMIENTO DE INDICADORES DE LA MATRIZ DE INDICADORES PARA RESULTADOS 2026")) is None
    assert family.detect(_title_page("MATRIZ DE INDICADORES", "PARA RESULTADOS")) is None
    assert family.detect(_title_page("SEGUIMIENTO DE INDICADORES PARA RESULTADOS 2026")) is not None
    assert family.detect(_title_page("INDICADORES DE RESULTADOS", "AL SEGUNDO TRIMESTRE DE 2025")) is not None


# --------------------------------------------------------------------------
# the two scanned layouts (OCR); every value below was checked on the page images
# --------------------------------------------------------------------------

GUANAJUATO_SCAN = "itesg_indicadores_resultados_1t2024_scan.pdf"  # one wide table over three pages
CHIAPAS_SCAN = "icatech_indicadores_resultados_1t2018_scan.pdf"  # project line over its goal lines


@pytest.fixture(scope="module")
def scans(tmp_path_factory) -> Path:
    from avance.extractors.ocr import tesseract_available

    if tesseract_available() is not None:
        pytest.skip("Tesseract with Spanish is not installed")
    out = tmp_path_factory.mktemp("indicator_results_scans")
    run([REAL / GUANAJUATO_SCAN, REAL / CHIAPAS_SCAN], out)
    return out


def test_a_wide_scanned_table_printed_one_group_of_columns_per_page_is_joined(scans):
    rows = _rows(scans, "indicator_results", GUANAJUATO_SCAN).sort_values("row_no").set_index("row_no")
    assert len(rows) == 15  # 15 rows on each of the three pages, one line each
    assert (rows.level == "Componente").all()  # printed `Compenente`
    assert rows.program_code.notna().all() and rows.indicator.notna().all() and rows.unit.notna().all()
    second = rows.loc[2]  # page 1: program and budget; page 2: indicator; page 3: goals and unit
    assert second.program_code == "E017PB0722"
    assert second.indicator == "Porcentaje de necesidades de infraestructura y equipamiento atendidas"
    assert (second.formula, second.unit) == ("A/B*100", "Acciones de infraestructura")
    assert (second.target_programmed, second.target_modified, second.achieved) == (100, 0, 0)
    assert (second.budget_approved, second.budget_modified, second.budget_accrued, second.budget_exercised,
            second.budget_paid) == (1886285, 2504029, 488973, 488973, 431844)
    grants = rows.loc[10]
    assert (grants.indicator, grants.unit, grants.target_programmed, grants.achieved) == \
        ("Porcentaje de becas y apoyos otorgados", "Becas", 100, 44)
    assert (grants.budget_approved, grants.budget_modified, grants.budget_paid) == (818193, 1363235, 237216)
    last = rows.loc[15]  # its approved and paid budgets print as a dash: zero
    assert last.indicator == "Porcentaje de proyectos de Investigación aplicada desarrollados"
    assert (last.budget_approved, last.budget_modified, last.budget_paid) == (0, 108000, 0)
    section = _rows(scans, "sections", GUANAJUATO_SCAN).iloc[0]
    assert (section.page_start, section.page_end, section.quarter, section.fiscal_year) == (1, 3, 1, 2024)
    assert (section.period_start, section.period_end) == ("2024-01-01", "2024-03-31")


def test_a_scanned_project_line_is_carried_onto_its_goal_lines(scans):
    rows = _rows(scans, "indicator_results", CHIAPAS_SCAN).sort_values("row_no")
    assert len(rows) == 2
    assert list(rows.program_code) == ["A001", "A001"]
    assert set(rows.program_name) == {"FOMENTO A LA CALIDAD DEL SECTOR LABORAL DEL ESTADO"}
    assert list(rows.indicator) == ["Número de cursos impartidos", "Cobertura en capacitación para el trabajo"]
    assert list(rows.unit) == ["Curso", "Persona"]
    assert list(rows.target_programmed) == [3191, 51051]  # printed `3 191.00`, `51 051.00`
    assert list(rows.achieved) == [649, 9984]
    assert list(rows.budget_approved) == [178103282, 178103282] and list(rows.budget_accrued) == [0, 0]
    section = _rows(scans, "sections", CHIAPAS_SCAN).iloc[0]
    assert (section.quarter, section.fiscal_year) == (1, 2018)
    assert section.government == "GOBIERNO CONSTITUCIONAL DEL ESTADO DE CHIAPAS"
    assert section.agency == "Instituto de Capacitación y Vinculación Tecnológica del Estado de Chiapas"


def test_a_page_that_names_the_report_in_a_sentence_is_not_the_report():
    titled = _title_page("GOBIERNO DEL ESTADO", "INDICADORES DE RESULTADOS AL PRIMER TRIMESTRE DEL 2018")
    assert family.detect(titled) is not None
    letter = _title_page("Oficio 123/2024", "Por medio del presente le remito la información programática del "
                         "trimestre: el estado analítico, el gasto por categoría programática y los indicadores de "
                         "resultados, para su publicación en el portal.")
    assert family.detect(letter) is None


def test_small_type_figures_codes_and_words_of_the_guanajuato_scan(scans):
    # 200 dpi scan of small type: the page pass reads 6 and 9 as 8, 0 as D or O, `mn` as `rm`,
    # the formula's `*` as a quote; checked on the page images
    rows = _rows(scans, "indicator_results", GUANAJUATO_SCAN).sort_values("row_no").set_index("row_no")
    first = rows.loc[1]
    assert (first.program_code, first.budget_approved, first.budget_modified) == ("E017PB0714", 9847655, 25646430)
    fourth = rows.loc[4]
    assert fourth.indicator == "Porcentaje de alumnos con formación y/o certificados en competencias laborales"
    assert (fourth.unit, fourth.target_programmed) == ("Alumno", 78.57)
    assert (fourth.budget_modified, fourth.budget_exercised) == (843298, 193533)
    assert (rows.loc[5].formula, rows.loc[5].unit, rows.loc[6].unit) == ("A/B*100", "Alumnos", "Alumnos")
    assert (rows.loc[6].budget_approved, rows.loc[9].budget_approved) == (813294, 165316)
    seventh = rows.loc[7]
    assert (seventh.program_code, seventh.formula, seventh.target_programmed) == ("E038PB0726", "A/B*100", 78.26)
    eleventh = rows.loc[11]
    assert (eleventh.program_code, eleventh.target_programmed, eleventh.budget_exercised) == \
        ("P005PA0716", 96.94, 121851)
    assert (rows.loc[13].target_programmed, rows.loc[13].budget_paid) == (96.94, 133629)
    assert (rows.loc[10].budget_exercised, rows.loc[15].budget_accrued) == (240843, 91755)
    assert (rows.formula == "A/B*100").all()
    flags = _rows(scans, "flags", GUANAJUATO_SCAN)
    found = {(f.row_key, f.field, f.rule) for f in flags.itertuples()}
    assert {("1", "budget_approved", "ocr_reread"), ("7", "formula", "ocr_repair"),
            ("5", "formula", "ocr_repair")} <= found


def test_goal_columns_whose_headers_ocr_lost_are_named_by_their_place(scans):
    # Chiapas: `MODIF. ANUAL` and `% CUMPLIM. MODIF.` white on a dark band, read `MOD. ANJAL`, `a CUMPA`
    rows = _rows(scans, "indicator_results", CHIAPAS_SCAN).sort_values("row_no")
    assert list(rows.target_modified) == [3191, 51051]
    assert list(rows.pct_vs_modified) == [20.34, 19.56]
    assert rows.pct_vs_programmed.isna().all()
