"""Indicator sheets and reports of a real OCR text export (tests/corpus/exports).

Every expected value below was checked by hand against the export text
(000_a4fe13dad60e137b.txt, page numbers as the export's pages: a form feed or
three or more blank lines end a page): each field read off its printed line,
and each repair the parser makes checked to be flagged.
"""
from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from avance.families.indicator_report import simplify_parens
from avance.pipeline.run import run

from .conftest import CORPUS

EXPORT = "000_a4fe13dad60e137b.txt"

# page_start: (kind, indicator_code, name, formula, (red, yellow, green), annual, triennial, direction, frequency)
CHECKED_INDICATORS = {
    # sheet, p6-7: `Clave: 52 - DIF - 1000` is the agency; the key `52- TES-P174-M30` is the line below;
    # formula `$$PSPM = \left(\frac{TSM}{TSO} \right) * (100)$$`; `ROJO\t0.00 - 75.00` ...;
    # `10. Meta del indicador: > = (Incremento)\tAnual 2026: 100.00\tTrienio 2026: 95.00`
    6: ("sheet", "52-TES-P174-M30",
        "PORCENTAJE DE APOYOS Y SERVICIOS ASISTENCIALES ENTREGADOS CON PERSPECTIVA DE GÉNERO",
        "PSPM = (TSM / TSO) * 100", ((0, 75), (76, 89), (90, 100)), 100, 95, ">=", "Trimestral"),
    # sheet, p11-12: colors over ranges (`ROJO\tAMARILLO\tVERDE` / `0.00 - 49.00\t50.00 - 89.00\t90.00 - 100.00`);
    # `>= (incremento)\tAnnual 2026: 100.00\tTrienio 2026: 400.00`
    11: ("sheet", "52-TES-P522-M30", "PORCENTAJE DE PROGRAMAS IMPLEMENTADOS RESPECTO A LOS AUTORIZADOS",
         "PPRA = ((PAA / PAI) * 100)", ((0, 49), (50, 89), (90, 100)), 100, 400, ">=", "Trimestral"),
    # sheet, p16-18: ROJO label lost (`0.00 - 49.00\tAMARILLO\t50.00 - 89.00\tVERDE` / `\t\t\t95.00 - 100.00`);
    # `Annual 2026:` / `Trienio 2026:` with their figures on the next page: `>= (Incremento) | 100.00 | 100.00`
    16: ("sheet", "52-TES-P522-M30", "PORCENTAJE DE APOYOS SOCIALES RESPECTO A LA DEMANDA REGISTRADA",
         "PASE = ((TASO / TAB) * 100)", ((0, 49), (50, 89), (95, 100)), 100, 100, ">=", "Trimestral"),
    # report, p13-15: name on the line opening the body; no key printed;
    # `Fórmula: $PPFA = (PAA / PAI) * 100$` (PPFA is the sheet's PPRA, repaired document-wide)
    13: ("report", None, "PORCENTAJE DE PROGRAMAS IMPLEMENTADOS RESPECTO A LOS AUTORIZADOS",
         "PPRA = (PAA / PAI) * 100", None, 100, None, None, "Trimestral"),
    # report, p19-21: `Meta Anual: 100 Unidad de Medida: PORCENTAJE Frecuencia: Trimestral` on one line;
    # `Fórmula: $PSPM = (TSM / TSD) * 100$` (TSD is the sheet's TSO)
    19: ("report", None, "PORCENTAJE DE APOYOS Y SERVICIOS ASISTENCIALES", "PSPM = (TSM / TSO) * 100",
         None, 100, None, None, "Trimestral"),
    # report, p8-10: no name or key printed; `$$PSPM = (TSM/T50) * 100$$` followed by the next sheet's title
    8: ("report", None, None, "PSPM = (TSM / TSO) * 100", None, 100, None, None, "Trimestral"),
}


@pytest.fixture(scope="module")
def out(tmp_path_factory) -> Path:
    target = tmp_path_factory.mktemp("indicator_exports")
    run([CORPUS / "exports" / EXPORT], target)
    return target


def _table(out: Path, name: str) -> pd.DataFrame:
    return pd.read_parquet(out / name)


def _section(out: Path, page_start: int) -> int:
    sections = _table(out, "sections")
    hit = sections[(sections.page_start == page_start) & sections.family.str.startswith("indicator")]
    assert len(hit) == 1, page_start
    return int(hit.section_id.iloc[0])


def _none(v):
    return None if v is None or (isinstance(v, float) and pd.isna(v)) else v


@pytest.mark.parametrize("page", sorted(CHECKED_INDICATORS))
def test_indicator_row(out, page):
    kind, code, name, formula, ranges, annual, triennial, direction, frequency = CHECKED_INDICATORS[page]
    sid = _section(out, page)
    row = _table(out, "indicators").query("section_id == @sid").iloc[0]
    assert row.kind == kind
    assert _none(row.indicator_code) == code
    assert _none(row["name"]) == name
    assert row.formula == formula
    assert row.entity_code == "52 - DIF - 1000"
    assert row.result_unit == "PORCENTAJE"
    assert row.frequency == frequency
    assert _none(row.target_annual) == annual
    assert _none(row.target_triennial) == triennial
    assert _none(row.target_direction) == direction
    got = tuple((_none(row[f"{c}_min"]), _none(row[f"{c}_max"])) for c in ("red", "yellow", "green"))
    assert got == (ranges or ((None, None),) * 3)


def test_sheet_variables(out):
    sid = _section(out, 6)
    v = _table(out, "indicator_variables").query("section_id == @sid")
    assert list(zip(v.key, v.description, v.unit, v.source)) == [
        ("TSM", "TOTAL DE SERVICIOS A MUJERES", "MUJERES ATENDIDAS",
         "PADRON DE BENEFICIARIOS DEL DIF MUNICIPAL DESEGREGADO POR SEXO"),
        ("TSO", "TOTAL DE SERVICIOS QUE OTORGA DIF MUNICIPAL", "SERVICIOS", "CATALOGO DE SERVICIOS DE DIF MUNICIPAL"),
        ("PSPM", "PORCENTAJE DE SERVICIOS PARA MUJERES", "PORCENTAJE", "DIF MUNICIPAL"),
    ]
    sid = _section(out, 11)  # an empty FUENTE cell stays null
    v = _table(out, "indicator_variables").query("section_id == @sid").set_index("key")
    assert list(v.index) == ["PPRA", "PAA", "PAI"]
    assert v.loc["PAI", "unit"] == "PERSONAS ATENDIDAS" and _none(v.loc["PAI", "source"]) is None


def test_sheet_baselines_across_the_page_break(out):
    # p6 ENERO-MARZO .. JULIO-SEP, then the running title, then OCT-DIC on p7
    sid = _section(out, 6)
    b = _table(out, "indicator_baselines").query("section_id == @sid").sort_values("period")
    assert list(zip(b.period, b.base_value, b.target_value)) == [(1, 0, 100), (2, 0, 100), (3, 0, 100), (4, 0, 100)]


def test_report_captured_values(out):
    # p15: PPFA 59.03 0.00 0.00 0.00 / PAA 155.00 / PAI 268.00 under periods 1..4
    sid = _section(out, 13)
    v = _table(out, "indicator_values").query("section_id == @sid")
    got = {(k, p): _none(x) for k, p, x in zip(v.variable_key, v.period, v.value)}
    assert got == {
        ("PPRA", 1): 59.03, ("PPRA", 2): 0.0, ("PPRA", 3): 0.0, ("PPRA", 4): 0.0,
        ("PAA", 1): 155.0, ("PAA", 2): None, ("PAA", 3): None, ("PAA", 4): None,
        ("PAI", 1): 268.0, ("PAI", 2): None, ("PAI", 3): None, ("PAI", 4): None,
    }
    # p21: `33.0%` is stored as printed; TSD read as the sheet's TSO
    sid = _section(out, 19)
    v = _table(out, "indicator_values").query("section_id == @sid and period == 1")
    assert dict(zip(v.variable_key, v.value)) == {"TSM": 931.0, "TSO": 2817.0, "PSPM": 33.0}


def test_sections_facts_from_running_titles(out):
    sections = _table(out, "sections")
    sid = _section(out, 6)
    s = sections.query("section_id == @sid").iloc[0]
    assert (s.government, s.municipality, s.fiscal_year) == ("GOBIERNO DE MEXICALI", "Mexicali", 2026)
    assert (s.programa_code, s.unidad_code, s.unidad_name) == ("174", "201", "DEPARTAMENTO OPERATIVO")


def test_every_repair_is_flagged(out):
    flags = _table(out, "flags")

    def flagged(page, table, field, raw, value):
        sid = _section(out, page)
        f = flags.query("section_id == @sid and table == @table and field == @field")
        return ((f.raw_value == raw) & (f.value == value)).any()

    assert flagged(6, "indicators", "indicator_code", "52- TES-P174-M30", "52-TES-P174-M30")
    assert flagged(6, "indicators", "formula", "PSPM = (((TSM) / (TSO))) * (100)", "PSPM = (TSM / TSO) * 100")
    assert flagged(6, "indicators", "target_direction", "> =", ">=")
    assert flagged(16, "indicators", "red_min", "0.00 - 49.00", "ROJO 0.00 - 49.00")
    assert flagged(8, "indicator_variables", "key", "T50", "TSO")
    assert flagged(13, "indicator_variables", "key", "PPFA", "PPRA")
    # p10: `\t\t\t\t100\t\t` printed on a line of its own under period 2 below PSPM's row
    assert flagged(8, "indicator_values", "value", "100", "100")


def test_simplify_parens_keeps_printed_grouping():
    assert simplify_parens("PSPM = (((TSM) / (TSO))) * (100)") == "PSPM = (TSM / TSO) * 100"
    assert simplify_parens("PPRA = ((PAA / PAI) * 100)") == "PPRA = ((PAA / PAI) * 100)"
    assert simplify_parens("A = (B + C) * (D - E)") == "A = (B + C) * (D - E)"
