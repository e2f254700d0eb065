"""MIR quarterly progress tables (mir_avance): detection, sections, rows, periods."""
from __future__ import annotations

from dataclasses import replace
from functools import lru_cache
from pathlib import Path

import pytest

from avance.extractors.layout import group_lines
from avance.extractors.pdf_text import read_pdf_pages
from avance.families import mir
from avance.pipeline.sections import group_sections
from avance.records import Family

_HERE = Path(__file__).resolve().parent
_CANDIDATES = (_HERE / "corpus" / "digital", _HERE / "corpus", _HERE.parents[1] / "shared" / "corpus" / "dev")
CORPUS = next((c for c in _CANDIDATES if (c / "d004_mir_merida.pdf").exists()), _CANDIDATES[-1])


@lru_cache(maxsize=None)
def pages(name: str):
    path = CORPUS / f"{name}.pdf"
    if not path.exists():
        pytest.skip(f"corpus file {path.name} not available")
    return tuple(read_pdf_pages(path))


def mir_sections(page_list):
    groups, _ = group_sections(list(page_list))
    return [mir.parse(g.pages) for g in groups if g.spec.family is Family.MIR_AVANCE]


def rows_by_code(results):
    return {r.objective_code: r for res in results for r in res.mir_rows}


def targets(results):
    return {(p.objective_code, p.period): p.target for res in results for p in res.mir_periods}


# --------------------------------------------------------------------------
# detection and sections
# --------------------------------------------------------------------------

def test_detect_header_page_and_continuation():
    ps = pages("d004_mir_merida")
    first = mir.detect(ps[0])
    assert first is not None and first.family is Family.MIR_AVANCE
    assert first.key == "SECRETARIA MUNICIPAL DE BIENESTAR"
    cont = mir.detect(ps[1])
    assert cont is not None and cont.key is None
    assert mir.detect(ps[5]) is None  # signature page


@pytest.mark.parametrize("name", [
    "d001_poa_tijuana", "d002_poa_zapopan", "d003_ind_tecate", "d005_poa_mexicali",
    "d006_sheet_cajeme", "d009_report_benitojuarez", "d012_mixed_ensenada",
])
def test_not_detected_on_other_families(name):
    assert all(mir.detect(p) is None for p in pages(name))


def test_indicator_pages_of_mixed_document_are_not_mir():
    ps = pages("d010_mixed_sanpedrotlaquepaque")
    assert mir.detect(ps[0]) is not None
    assert all(mir.detect(p) is None for p in ps[3:])


def test_new_agency_starts_a_section():
    results = mir_sections(pages("d008_mir_solidaridad"))
    assert [(r.info.page_start, r.info.page_end) for r in results] == [(1, 5), (6, 9)]
    assert results[0].info.agency == "SECRETARÍA MUNICIPAL DE BIENESTAR"
    assert results[1].info.agency == "SECRETARÍA MUNICIPAL DE DESARROLLO ECONÓMICO"
    assert results[1].info.budget_program == "E-PP 4.3 ECONOMÍA SOCIAL Y EMPLEO DIGNO"
    assert len(results[0].mir_rows) == 15 and len(results[1].mir_rows) == 13


def test_section_info_merida():
    (res,) = mir_sections(pages("d004_mir_merida"))
    info = res.info
    assert (info.page_start, info.page_end) == (1, 6)
    assert info.family == "mir_avance"
    assert info.municipality == "Mérida"
    assert info.fiscal_year == 2026
    assert info.quarter == 1
    assert info.axis == "EJE 4. PROSPERIDAD COMPARTIDA Y JUSTICIA SOCIAL"
    assert info.budget_program == "E-PP 4.1 IMPULSO AL BIENESTAR SOCIAL"
    assert info.agency == "SECRETARÍA MUNICIPAL DE BIENESTAR"


def test_section_info_tlaquepaque_and_irapuato():
    (tlq,) = mir_sections(pages("d010_mixed_sanpedrotlaquepaque")[:4])
    assert tlq.info.municipality == "San Pedro Tlaquepaque"
    assert tlq.info.fiscal_year == 2025
    (ira,) = mir_sections(pages("d011_mir_irapuato"))
    assert ira.info.municipality == "Irapuato"
    assert ira.info.axis == "EJE 2. SEGURIDAD CIUDADANA Y PAZ SOCIAL"
    assert ira.info.budget_program == "E-PP 2.1 PREVENCIÓN SOCIAL DE LA VIOLENCIA Y LA DELINCUENCIA"


# --------------------------------------------------------------------------
# rows (ruled, top-aligned cells: Mérida)
# --------------------------------------------------------------------------

def test_fin_row_merida():
    rows = rows_by_code(mir_sections(pages("d004_mir_merida")))
    assert len(rows) == 23
    fin = rows["4.1.1"]
    assert fin.level == "Fin"
    assert fin.responsible_unit == "Dirección de Planeación Municipal"
    assert fin.objective.startswith("Contribuir a promover un crecimiento económico inclusivo")
    assert fin.objective.endswith("fortalecimiento del empleo y fomento a la economía local.")
    assert fin.indicator_acronym == "IPCJS"
    assert fin.indicator_name == "Índice de Prosperidad Compartida y Justicia Social"
    assert fin.frequency == "Anual"
    assert fin.indicator_unit == "Porcentaje" and fin.variables_unit is None
    assert (fin.annual_target, fin.achieved, fin.pct_period, fin.pct_cumulative) == (33.14, 8.29, 100.0, 25.02)
    assert fin.justification.startswith("El índice se integra por dimensiones")  # the label is not kept (SCHEMA)
    assert fin.page == 1


def test_activity_row_merida_wrapped_cells():
    rows = rows_by_code(mir_sections(pages("d004_mir_merida")))
    r = rows["4.1.1.1.2.1"]
    assert r.level == "Actividad"
    assert r.responsible_unit == "Dirección de Organización Comunitaria, Cohesión Social y Participación Ciudadana"
    assert r.objective == "Organización de los talleres de co-creación y votación del Presupuesto Participativo."
    assert r.indicator_acronym == "PTCJVPR"
    assert r.variables_unit == "Talleres de Co Creación y Votación Presencial"
    assert (r.annual_target, r.achieved, r.pct_period, r.pct_cumulative) == (2186.0, 79.0, 13.08, 3.61)
    assert r.page == 2


def test_periods_merida_thousands():
    res = mir_sections(pages("d004_mir_merida"))
    t = targets(res)
    assert [t[("4.1.1.1.6.1", n)] for n in (1, 2, 3, 4)] == [2257.0, 2357.0, 1513.0, 1960.0]
    assert [t[("4.1.1", n)] for n in (1, 2, 3, 4)] == [8.29, 8.29, 8.29, 8.27]
    assert len(t) == 4 * 23


# --------------------------------------------------------------------------
# rows (vertically centred cells: Solidaridad ruled, Irapuato unruled body)
# --------------------------------------------------------------------------

def test_centred_cells_solidaridad():
    rows = rows_by_code(mir_sections(pages("d008_mir_solidaridad")))
    assert len(rows) == 28
    r = rows["4.1.1.1.1"]
    assert r.level == "Componente"
    assert r.responsible_unit == "Dirección General de Bienestar"
    assert r.indicator_name == "Porcentaje de servicios integrales de bienestar entregados"
    assert (r.achieved, r.pct_period, r.pct_cumulative) == (9.0, 36.0, 9.0)
    assert r.justification.endswith("las cuales se liberan entre mayo y junio")


def test_unruled_body_irapuato():
    res = mir_sections(pages("d011_mir_irapuato"))
    rows = rows_by_code(res)
    assert len(rows) == 10
    r = rows["2.1.1.1.2.1"]
    assert r.responsible_unit == "Dirección de Participación Ciudadana"
    assert r.indicator_acronym == "PRPR"
    assert r.variables_unit == "Recorridos"
    assert (r.annual_target, r.achieved, r.pct_period, r.pct_cumulative) == (12022.0, 476.0, 14.27, 3.96)
    assert r.justification.startswith("Durante el trimestre, el porcentaje alcanzado fue 14.27%")
    assert r.justification.endswith("las cuales se liberan entre mayo y junio")
    t = targets(res)
    assert [t[("2.1.1.1.2.1", n)] for n in (1, 2, 3, 4)] == [3336.0, 2106.0, 2809.0, 3771.0]
    assert rows["2.1.1"].frequency == "Trianual"


# --------------------------------------------------------------------------
# robustness: the same tables without rules or without the title line
# --------------------------------------------------------------------------

def _without_rules(page):
    return replace(page, rules=())


def _without_title(page):
    drop = {id(w) for l in group_lines(page.words) if "CUMPLIMIENTO" in l.folded for w in l.words}
    return replace(page, words=tuple(w for w in page.words if id(w) not in drop))


@pytest.mark.parametrize("transform", [_without_rules, _without_title])
@pytest.mark.parametrize("name", ["d004_mir_merida", "d008_mir_solidaridad"])
def test_layout_variants_give_same_rows(name, transform):
    base = mir_sections(pages(name))
    varied = mir_sections(tuple(transform(p) for p in pages(name)))
    assert [r.info.agency for r in varied] == [r.info.agency for r in base]
    assert rows_by_code(varied) == rows_by_code(base)
    assert targets(varied) == targets(base)


def test_a_row_read_twice_is_kept_once_and_the_repeat_flagged():
    from avance.records import MirPeriod, MirRow, SectionInfo, SectionResult

    row = MirRow(responsible_unit=None, level="Actividad", objective_code="4.1.1.1.5.1", objective=None,
                 indicator_acronym=None, indicator_name=None, frequency=None, indicator_unit=None,
                 variables_unit=None, annual_target=100, achieved=20, pct_period=20.0, pct_cumulative=20.0,
                 justification=None, page=1)
    periods = [MirPeriod("4.1.1.1.5.1", p, 25) for p in range(1, 5)]
    result = SectionResult(info=SectionInfo(family="mir_avance", page_start=1, page_end=2))
    seen: set[str] = set()
    assert mir._add_row(result, seen, row, periods, 1)
    assert not mir._add_row(result, seen, replace(row, achieved=99, page=2), periods, 2)
    assert result.mir_rows == [row] and len(result.mir_periods) == 4
    assert [(f.rule, f.row_key) for f in result.flags] == [("duplicate_row", "4.1.1.1.5.1")]


def test_rows_ruled_one_by_one_are_the_table_readers():
    """A table ruled row by row gives its rows through the shared table reader: each of
    the reader's body rows is one MIR row, with every numeric cell in its own column."""
    from avance.families import mir_table as mt
    from avance.tables import read_tables

    page = pages("d004_mir_merida")[0]
    table = mt.read_page(page)
    ruled = [t for t in read_tables(page) if t.ruled]
    assert ruled and table is not None and table.rows
    by_reader = max(ruled, key=lambda t: t.n_rows)
    assert len(table.rows) == len(by_reader.body_rows())
    assert all(r.cells.get(mt.ANNUAL) and r.cells.get(mt.LEVEL) for r in table.rows[1:])


def test_a_justification_header_naming_the_quarter_is_no_quarter_column():
    from avance.families import mir_table as mt

    assert mt._justification_header("JUSTIFICACIÓN PRIMER TRIMESTRE DE RESULTADOS 2026")
    assert mt._justification_header("Observaciones del 2do. trim.")
    assert not mt._justification_header("META PROGRAMADA 2026 > TRIMESTRE 1")
    assert not mt._justification_header("PORCENTAJE DE AVANCE TRIMESTRAL > TRIMESTRE 1")


def test_a_mir_titled_by_its_own_name_is_found_by_its_title():
    from avance.extractors.layout import group_lines
    from avance.families import mir_table as mt
    from avance.records import Word
    words, x = [], 40.0
    for token in "SEGUIMIENTO DE INDICADORES DE LA MATRIZ DE INDICADORES PARA RESULTADOS 2026 - TERCER TRIMESTRE".split():
        words.append(Word(x, 80, x + 5 * len(token), 88, token))
        x += 5 * len(token) + 4
    assert mt.find_title(group_lines(words)) is not None


def test_two_labelled_header_fields_on_one_line_are_two_values():
    from avance.extractors.layout import make_line
    from avance.families import mir
    from avance.records import Word

    def line(text, top):
        ws, x = [], 10.0
        for t in text.split():
            ws.append(Word(x, top, x + 5 * len(t), top + 8, t))
            x += 5 * len(t) + 3
        return make_line(ws)

    block = [line("ALINEACIÓN AL PMD: EJE 2. SEGURIDAD CIUDADANA PROGRAMA PRESUPUESTARIO: E-PP 2.1 PREVENCIÓN", 10),
             line("DEPENDENCIA: SECRETARÍA MUNICIPAL DE SEGURIDAD", 20)]
    assert mir._header_block(block) == ("EJE 2. SEGURIDAD CIUDADANA", "E-PP 2.1 PREVENCIÓN",
                                        "SECRETARÍA MUNICIPAL DE SEGURIDAD")
    # a colon inside a value names no field
    assert mir._header_block([line("PROGRAMA PRESUPUESTARIO: E-PP 2.1 PREVENCIÓN: SOCIAL", 10)]) == (
        None, "E-PP 2.1 PREVENCIÓN: SOCIAL", None)


def test_a_header_block_drawn_as_boxes_whose_labels_wrap_is_read_from_its_boxes(tmp_path):
    from tests.variations.render import document_seed, layout_for, load_truth as load_truth_json, render, \
        select_sections
    from avance.extractors.pdf_text import read_pdf_pages

    # Courier in ruled boxes: `PROGRAMA` / `PRESUPUESTARIO:` wraps in its box and its
    # first line runs into the axis's line when read as lines
    source = CORPUS / "d011_mir_irapuato.truth.json"
    seed = document_seed("mixed", 13, source)
    lay = layout_for("mixed", seed)
    assert (lay.font, lay.boxed_header, lay.ruled) == ("Courier", True, True)
    truth = select_sections(load_truth_json(source), ["mir_avance"], None)
    pdf = tmp_path / "mir.pdf"
    render(truth, "mixed", pdf, seed=seed)
    info = mir.parse(tuple(read_pdf_pages(pdf))).info
    sec = truth["tables"]["sections"][0]
    assert (info.axis, info.budget_program, info.agency) == (sec["axis"], sec["budget_program"], sec["agency"])


def test_a_code_ocr_garbled_before_the_objective_is_dropped_when_its_digits_are_the_rows_code():
    from avance.families.mir import code_echo

    assert code_echo("$.1.1.112 Organización y despliegue de brigadas", "4.1.1.1.1.2") == (
        "$.1.1.112", "Organización y despliegue de brigadas")
    assert code_echo("4 .3.1.1.4.1 Promoción de canales", "4.3.1.1.4.1") == ("4 .3.1.1.4.1", "Promoción de canales")
    assert code_echo("41,.1131 Conformación de comités", "4.1.1.1.3.1")[1] == "Conformación de comités"
    # figures that open an objective are not its code
    assert code_echo("1,500 apoyos alimentarios entregados", "4.1.1.1.2") == (None, "1,500 apoyos alimentarios entregados")
    assert code_echo("2024 Programa de obra", "2.1.1") == (None, "2024 Programa de obra")
    assert code_echo("Organización de talleres", "4.1.1.1.2.1") == (None, "Organización de talleres")
    assert code_echo(None, "4.1") == (None, None)


def test_an_objective_code_printed_in_a_column_of_its_own_keys_the_row():
    from avance.families import mir_table as mt
    from avance.records import Word

    # the reader named the code's column: the row reads as if the code opened the objective
    row = mt.RawRow(page=1, cells={mt.CODE: "2.1.1.1", mt.OBJECTIVE: "Programas de prevención implementados."})
    joined = mt.code_joined(row)
    assert mir._split_objective(joined.cells[mt.OBJECTIVE]) == ("2.1.1.1", "Programas de prevención implementados.")
    # a scan's reader took the code's column into the objective's: the code stands left of all
    # the cell's text, its line among the text's (a code centred in a tall row)
    text = [Word(160, 100, 200, 106, "Programas"), Word(203, 100, 215, 106, "de"),
            Word(160, 108, 210, 114, "prevención"), Word(160, 116, 215, 122, "implementados.")]
    code = Word(130, 108, 152, 114, "2.1.1.1")
    row = mt.RawRow(page=1, ocr=True, cells={mt.OBJECTIVE: "Programas de 2.1.1.1 prevención implementados."},
                    words={mt.OBJECTIVE: text[:2] + [code] + text[2:]})
    joined = mt.code_joined(row)
    code_read, objective = mir.ocr_split_objective(joined.cells[mt.OBJECTIVE])
    assert (code_read.rstrip(":"), objective) == ("2.1.1.1", "Programas de prevención implementados.")
    # a code opening the objective's first line, as the usual template prints it, is left alone
    first = [Word(130, 100, 152, 106, "2.1.1.1:")] + [Word(155, 100, 195, 106, "Programas"),
                                                      Word(130, 108, 180, 114, "prevención")]
    row = mt.RawRow(page=1, cells={mt.OBJECTIVE: "2.1.1.1: Programas prevención"}, words={mt.OBJECTIVE: first})
    assert mt.code_joined(row).cells[mt.OBJECTIVE] == "2.1.1.1: Programas prevención"


def test_a_scans_unnamed_column_of_codes_before_the_objective_is_the_objective_code():
    from avance.families import mir_table as mt

    intervals = [(30, 100), (100, 150), (150, 185), (185, 300)]
    names = [mt.RESPONSIBLE, mt.LEVEL, None, mt.OBJECTIVE]
    evidence = [mt._Evidence(text=1.0), mt._Evidence(level=1.0, text=1.0), mt._Evidence(code=1.0, numeric=1.0),
                mt._Evidence(text=1.0)]
    cols = mt._merge_unnamed(intervals, names, evidence)
    assert [c.name for c in cols] == [mt.RESPONSIBLE, mt.LEVEL, mt.CODE, mt.OBJECTIVE]
    # an unnamed column of text still joins the text column on its left
    names = [mt.RESPONSIBLE, mt.LEVEL, mt.OBJECTIVE, None]
    evidence[2:] = [mt._Evidence(text=1.0), mt._Evidence(text=1.0)]
    assert [c.name for c in mt._merge_unnamed(intervals, names, evidence)] == [mt.RESPONSIBLE, mt.LEVEL, mt.OBJECTIVE]
