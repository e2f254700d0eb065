"""One panel across quarters: report keys, copies counted once, the latest report per quarter."""
from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

import avance
from avance import __version__
from avance.pipeline.run import run
from avance.pipeline.writer import write_document
from avance.records import (
    DocumentInfo, DocumentResult, Goal, GoalPeriod, MirPeriod, MirRow, SectionInfo, SectionResult, Status,
)

CORPUS = Path(__file__).parent / "corpus"


@pytest.fixture(scope="module")
def scan_and_digital(tmp_path_factory) -> Path:
    """The born-digital report and a scan of the same report, in one run."""
    out = tmp_path_factory.mktemp("pair")
    run([CORPUS / "scanned" / "d001_poa_tijuana.scan.pdf", CORPUS / "digital" / "d001_poa_tijuana.pdf"], out)
    return out


def test_a_scan_and_its_born_digital_copy_are_one_report(scan_and_digital):
    con = avance.open(scan_and_digital)
    reports = con.execute("SELECT file_name, report_key, copies, kept FROM reports ORDER BY file_name").fetchall()
    assert len(reports) == 2
    (digital, key_d, copies_d, kept_d), (scan, key_s, copies_s, kept_s) = reports
    assert digital == "d001_poa_tijuana.pdf" and scan == "d001_poa_tijuana.scan.pdf"
    assert key_d == key_s and copies_d == copies_s == 2
    assert key_d.startswith("02004 | 2024 | T1 | poa_avance")  # Tijuana (INEGI), year, quarter, family, unit
    assert kept_d and not kept_s  # the born-digital copy is the one counted

    flagged = con.execute("SELECT d.file_name, f.severity, f.value FROM flags f JOIN documents d USING (doc_id) "
                          "WHERE f.rule = 'duplicate_report'").fetchall()
    digital_id = con.execute("SELECT doc_id FROM documents WHERE file_name = ?", [digital]).fetchone()[0]
    assert flagged == [(scan, "info", digital_id)]
    assert con.execute("SELECT count(*) FROM flags_read WHERE rule = 'duplicate_report'").fetchone()[0] == 0

    goals = con.execute("SELECT count(*) FROM goals WHERE doc_id = ?", [digital_id]).fetchone()[0]
    rows, docs, distinct = con.execute(
        "SELECT count(*), count(DISTINCT doc_id), count(DISTINCT (goal_code, quarter)) FROM goal_panel").fetchone()
    assert goals > 0 and rows == distinct == goals  # one row per goal and quarter (Q1 report): not doubled
    assert docs == 1
    total_panel = con.execute("SELECT sum(achieved) FROM goal_panel").fetchone()[0]
    total_digital = con.execute("SELECT sum(achieved) FROM goal_periods WHERE doc_id = ? AND period = 1",
                                [digital_id]).fetchone()[0]
    assert total_panel == pytest.approx(total_digital)


def _poa(quarter: int, achieved: dict[int, float], doc_id: str, source: str = "text_layer") -> DocumentResult:
    info = SectionInfo(family="poa_avance", page_start=1, page_end=1, municipality="Mexicali", fiscal_year=2026,
                       quarter=quarter, unidad_code="52101", state_code="02", municipality_code="002")
    goal = Goal("101", False, "Talleres", "TALLER", "TALLER", 40.0, None, None, (), None, None, 1)
    periods = [GoalPeriod("101", p, f"T{p}", 10.0, achieved.get(p)) for p in range(1, 5)]
    section = SectionResult(info=info, goals=[goal], goal_periods=periods)
    mir = SectionResult(
        info=SectionInfo(family="mir_avance", page_start=2, page_end=2, municipality="Mexicali", fiscal_year=2026,
                         quarter=quarter, agency="SECRETARÍA DE BIENESTAR", state_code="02", municipality_code="002"),
        mir_rows=[MirRow("DIR", "Fin", "1.1", "Objetivo", "I1", "Indicador", "Trimestral", "Porcentaje", None,
                         100.0, 10.0 * quarter, None, None, None, 2)],
        mir_periods=[MirPeriod("1.1", p, 25.0) for p in range(1, 5)])
    doc = DocumentInfo(doc_id=doc_id, source_path=f"{doc_id}.pdf", file_name=f"{doc_id}.pdf", n_pages=2,
                       text_source=source, status=Status.OK, error=None, pipeline_version=__version__)
    return DocumentResult(info=doc, sections=[section, mir])


def test_each_quarter_comes_from_the_latest_report_that_covers_it(tmp_path):
    write_document(_poa(1, {1: 8.0}, "q1"), tmp_path)
    write_document(_poa(2, {1: 9.0, 2: 11.0}, "q2"), tmp_path)  # the Q2 report revises Q1's figure
    con = avance.open(tmp_path)
    panel = con.execute("SELECT quarter, achieved, report_quarter, doc_id FROM goal_panel ORDER BY quarter").fetchall()
    assert panel == [(1, 9.0, 2, "q2"), (2, 11.0, 2, "q2")]
    series = con.execute("SELECT DISTINCT series_key FROM goal_panel").fetchall()
    assert series == [("02002 | 2026 | poa_avance | 52101",)]
    mir = con.execute("SELECT quarter, achieved, quarter_target, doc_id FROM mir_panel ORDER BY quarter").fetchall()
    assert mir == [(1, 10.0, 25.0, "q1"), (2, 20.0, 25.0, "q2")]
    keys = con.execute("SELECT count(DISTINCT report_key), bool_and(kept) FROM reports").fetchone()
    assert keys == (4, True)  # two quarters x two families: different reports, no copies


def test_panel_views_exist_on_an_empty_output(tmp_path):
    con = avance.open(tmp_path)
    for view in ("reports", "goal_panel", "mir_panel", "indicator_results_panel", "flags", "flags_read"):
        assert con.execute(f"SELECT count(*) FROM {view}").fetchone()[0] == 0


def test_a_copy_whose_unit_ocr_misread_is_still_the_same_report(tmp_path):
    digital = _poa(1, {1: 8.0}, "digital")
    scan = _poa(1, {1: 8.0}, "scan", source="ocr")
    mir = scan.sections[1]
    scan.sections[1] = SectionResult(info=replace(mir.info, agency="SECRETARÍA DE BIENESTAP"),  # an OCR slip
                                     mir_rows=mir.mir_rows, mir_periods=mir.mir_periods)
    other = _poa(1, {1: 8.0}, "other", source="ocr")
    mir = other.sections[1]
    other.sections[1] = SectionResult(info=replace(mir.info, agency="SECRETARÍA DE DESARROLLO URBANO"),
                                      mir_rows=mir.mir_rows, mir_periods=mir.mir_periods)
    other.sections = other.sections[1:]
    for doc in (digital, scan, other):
        write_document(doc, tmp_path)
    con = avance.open(tmp_path)
    rows = dict(con.execute("SELECT doc_id || '/' || family, copies FROM reports").fetchall())
    assert rows == {"digital/poa_avance": 2, "scan/poa_avance": 2, "digital/mir_avance": 2, "scan/mir_avance": 2,
                    "other/mir_avance": 1}
    assert con.execute("SELECT unit_read, unit FROM reports WHERE doc_id = 'scan' AND family = 'mir_avance'"
                       ).fetchone() == ("SECRETARIA DE BIENESTAP", "SECRETARIA DE BIENESTAR")
    assert con.execute("SELECT count(*) FROM mir_panel").fetchone()[0] == 2  # Bienestar once, Desarrollo Urbano


def test_results_lines_line_up_across_quarters(tmp_path):
    from avance.records import IndicatorResult

    for quarter, achieved in ((1, 5.0), (2, 12.0)):
        info = SectionInfo(family="indicator_results", page_start=1, page_end=1, fiscal_year=2021,
                           quarter=quarter, agency="Instituto de Educación para Adultos")
        lines = [IndicatorResult(row_no=i + 1, program_code="E064", indicator=name, achieved=achieved + i)
                 for i, name in enumerate(["Tasa de alfabetización", "Porcentaje de certificados"])]
        doc = DocumentInfo(doc_id=f"r{quarter}", source_path="r.pdf", file_name=f"r{quarter}.pdf", n_pages=1,
                           text_source="text_layer", status=Status.OK, error=None, pipeline_version=__version__)
        write_document(DocumentResult(info=doc, sections=[SectionResult(info=info, indicator_results=lines)]),
                       tmp_path)
    con = avance.open(tmp_path)
    rows = con.execute("SELECT line_key, quarter, achieved FROM indicator_results_panel ORDER BY 1, 2").fetchall()
    assert rows == [("E064 | PORCENTAJE DE CERTIFICADOS", 1, 6.0), ("E064 | PORCENTAJE DE CERTIFICADOS", 2, 13.0),
                    ("E064 | TASA DE ALFABETIZACION", 1, 5.0), ("E064 | TASA DE ALFABETIZACION", 2, 12.0)]
    assert {r[0] for r in con.execute("SELECT series_key FROM indicator_results_panel").fetchall()} == {
        "INSTITUTO DE EDUCACION PARA ADULTOS | 2021 | indicator_results | INSTITUTO DE EDUCACION PARA ADULTOS"}
