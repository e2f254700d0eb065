"""Indicator sheets and reports read from OCR'd pages (synthetic pages: words
with an OCR confidence, ruling lines as the OCR stage returns them)."""
from __future__ import annotations

from dataclasses import replace

from avance.extractors.layout import group_lines
from avance.families.indicator import parse_sheet
from avance.families.indicator_report import (
    label_hits, ocr_candidates, ocr_key, ocr_text_repair, parse_report,
)
from avance.records import Page, Rule, Word

CHAR = 5.0
HEIGHT = 8.0


def _words(text: str, x: float, top: float, conf: float | None = 90.0) -> list[Word]:
    out = []
    for tok in text.split():
        w = len(tok) * CHAR
        out.append(Word(x0=x, top=top, x1=x + w, bottom=top + HEIGHT, text=tok, conf=conf))
        x += w + CHAR
    return out


def _grid(xs: list[float], ys: list[float]) -> list[Rule]:
    rules = [Rule(x0=x - 0.5, top=ys[0], x1=x + 0.5, bottom=ys[-1]) for x in xs]
    rules += [Rule(x0=xs[0], top=y - 0.5, x1=xs[-1], bottom=y + 0.5) for y in ys]
    return rules


def _table(xs, ys, rows) -> list[Word]:
    """Cell texts placed inside the grid's cells (row 0 is the header)."""
    out = []
    for r, cells in enumerate(rows):
        for c, text in enumerate(cells):
            if text:
                out += _words(text, xs[c] + 3, ys[r] + 2)
    return out


def _sheet_page(conf: float | None = 90.0, source: str = "ocr") -> Page:
    words: list[Word] = []
    rules: list[Rule] = []
    words += _words("FICHA TÉCNICA DE INDICADOR 2026", 200, 20)
    words += _words("GOBIERNO DE EJEMPLO", 240, 34)
    words += _words("NOMBRE DEL INDICADOR: PORCENTAJE DE SOLICITUDES ATENDIDAS", 45, 60)
    words += _words("Clave: 10-ABC-PS00-M10", 380, 60)
    words += _words("3. Objetivo del Imicador: Atender las solicitudes.", 45, 76)
    words += _words("4. Interpretación o Lectura: Á mayor porcentaje, mayor atención.", 45, 88)
    words += _words("5. Variables:", 45, 100)
    vx, vy = [40, 100, 300, 410, 570], [112, 124, 137, 150, 163]
    rules += _grid(vx, vy)
    words += _table(vx, vy, [
        ["CLAVE", "ESCRIPCIÓN", "UNIDAD DE MEDIDA", "FUENTE DE DATOS"],
        ["PSPM", "PORCENTAJE DE SOLICITUDES", "PORCENTAJE", "AREA"],
        ["TSM", "SOLICITUDES ATENDIDAS", "SOLICITUDES", "REGISTRO"],
        ["T50", "TOTAL DE SOLICITUDES j", "SOLICITUDES", "REGISTRO"],
    ])
    words += _words("6. Fórmula:", 45, 170)
    words += _words("PSPM z= (TSM / TSO) * 100", 240, 182)
    words += _words("8. Rango de Valor (Semaforización):", 45, 196)
    rx, ry = [40, 146, 253, 359], [208, 221, 234]
    rules += _grid(rx, ry)
    words += _table(rx, ry, [["ROJO", "AMARQUIa", "VERDE"],
                             ["0.00 - 75.00", "76.00 - 89.00", "90.00 - 100.00"]])
    words += _words("9. Linea beza:", 45, 242)
    bx, by = [40, 173, 269, 365], [254, 267, 280, 293, 306, 319]
    rules += _grid(bx, by)
    words += _table(bx, by, [["PERIODO", "VALOR RARE", "VALOR META"],
                             ["ENERO-MARZO", "0.00", "9O.00"], ["ABRIL-JUNIO", "0.00", "90.00"],
                             ["JULIO-SEP", "0.00", "90.00"], ["OCT-DIC", "0.00", "90.00"]])
    words += _words("11. Frecuencia de medición: Trimestral", 45, 330)
    if conf is None:
        words = [replace(w, conf=None) for w in words]
    return Page(number=1, width=612, height=792, words=tuple(words), rules=tuple(rules), source=source)


def _report_page() -> Page:
    words: list[Word] = []
    words += _words("REPORTE DE INDICADOR 2026", 210, 20)
    words += _words("GOBIERNO DE EJEMPLO", 240, 34)
    words += _words("PORCENTAJE DE SOLICITUDES ATENDIDAS", 150, 60)
    words += _words("Clave del indicador: 10-ABC-P100-M10", 45, 76)
    words += _words("Desglose de variables con valores capturados al último periodo", 45, 96)
    xs, ys = [42, 100, 318, 361, 414, 467, 520, 574], [106, 118, 131, 144, 157]
    rules = _grid(xs, ys)
    # the shaded header came out as noise: `ca VE == === 4`
    words += _table(xs, ys, [
        ["ca VE", "== ===", None, "4", None, None, None],
        ["PSPM", "PORCENTAJE DE SOLICITUDES", None, "99.0", None, None, None],
        ["TSM", "SOLICITUDES ATENDIDAS", None, "1.720.0", None, None, None],
        ["T50", "TOTAL DE SOLICITUDES", None, "1,737.0", None, None, None],
    ])
    words += _words("Fórmula: PSPM = (TSM / TSO) * 100", 45, 166)
    return Page(number=1, width=612, height=792, words=tuple(words), rules=tuple(rules), source="ocr")


def _repairs(result, table):
    return {(f.row_key, f.field): f for f in result.flags if f.rule == "ocr_repair" and f.table == table}


def test_fuzzy_labels_only_on_ocr_lines():
    ocr = group_lines(_words("Dependenci4/Entidad: 10 - ABC - 1000", 45, 10))[0]
    digital = group_lines(_words("Dependenci4/Entidad: 10 - ABC - 1000", 45, 10, conf=None))[0]
    assert [h.field for h in label_hits(ocr)] == ["entity"]
    assert label_hits(digital) == []
    numbered = group_lines(_words("4.-Interpretación o Lectura: A mayor acceso", 45, 10))[0]
    assert [h.field for h in label_hits(numbered)] == ["interpretation"]


def test_keys_repaired_to_the_formula_catalog():
    catalog = ["PIPT", "IPT", "IRQ"]
    assert ocr_key("¡PT", catalog) == "IPT"
    assert ocr_key("IRQ", catalog) == "IRQ"
    assert ocr_key("T50", ["PSPM", "TSM", "TSO"]) == "TSO"


def test_ocr_figures_and_text():
    (c, *_) = ocr_candidates("1.720.0")
    assert c.value == 1720.0 and c.note
    assert ocr_candidates("o") == []
    text, notes = ocr_text_repair("RESPECTO ALOS AUTORIZADOS .")
    assert text == "RESPECTO A LOS AUTORIZADOS" and len(notes) == 2


def test_ocr_sheet_tables_from_the_ruling_lines():
    result = parse_sheet([_sheet_page()])
    ind = result.indicators[0]
    assert ind.formula == "PSPM = (TSM / TSO) * 100"
    assert ind.indicator_code == "10-ABC-P500-M10"
    assert ind.objective == "Atender las solicitudes."
    assert ind.interpretation == "A mayor porcentaje, mayor atención."
    assert (ind.red_min, ind.red_max, ind.yellow_min, ind.yellow_max, ind.green_min, ind.green_max) == (
        0.0, 75.0, 76.0, 89.0, 90.0, 100.0)
    assert [(v.key, v.description, v.unit, v.source) for v in result.indicator_variables] == [
        ("PSPM", "PORCENTAJE DE SOLICITUDES", "PORCENTAJE", "AREA"),
        ("TSM", "SOLICITUDES ATENDIDAS", "SOLICITUDES", "REGISTRO"),
        ("TSO", "TOTAL DE SOLICITUDES", "SOLICITUDES", "REGISTRO"),
    ]
    assert [(b.period, b.base_value, b.target_value) for b in result.indicator_baselines] == [
        (1, 0.0, 90.0), (2, 0.0, 90.0), (3, 0.0, 90.0), (4, 0.0, 90.0)]
    var_flags = _repairs(result, "indicator_variables")
    assert var_flags[("TSO", "key")].raw_value == "T50"
    assert ("TSO", "description") in var_flags
    assert _repairs(result, "indicator_baselines")[("1", "target_value")].value == "90"
    ind_flags = _repairs(result, "indicators")
    assert {f for _, f in ind_flags} >= {"formula", "indicator_code", "interpretation"}
    assert all(f.severity.value == "info" for f in result.flags if f.rule == "ocr_repair")


def test_text_layer_twin_gets_no_ocr_repairs():
    result = parse_sheet([_sheet_page(conf=None, source="text_layer")])
    assert not [f for f in result.flags if f.rule == "ocr_repair"]
    assert result.indicators[0].indicator_code == "10-ABC-PS00-M10"  # printed text kept as is


def test_ocr_report_values_by_grid_when_the_header_is_unreadable():
    result = parse_report([_report_page()])
    got = {(v.variable_key, v.period): v.value for v in result.indicator_values}
    assert got[("PSPM", 1)] == 99.0 and got[("TSM", 1)] == 1720.0 and got[("TSO", 1)] == 1737.0
    assert got[("TSO", 2)] is None and len(got) == 12
    flags = _repairs(result, "indicator_values")
    assert flags[("TSM|1", "value")].raw_value == "1.720.0"
    assert flags[("TSO", "variable_key")].raw_value == "T50"


def test_a_baseline_table_whose_period_header_ocr_lost_is_named_by_its_cells():
    # `PERIODO` read as a speck beside a column of its own: the cells that name the quarters say which it is
    from dataclasses import replace as _replace
    from avance.families.indicator import _table_baselines
    from tests.test_tables import _page
    rows = [["o", "", "VALOR BASE", "VALOR META"], ["ENERO-MARZO", "", "79.49", "90.00"],
            ["ABRIL-JUNIO", "", "84.59", "90.00"], ["JULIO-SEP", "", "72.32", "90.00"], ["OCT-DIC", "", "83.51", "90.00"]]
    page = _replace(_page(rows, [90, 40, 90, 90], ruled=True), source="ocr")
    got = _table_baselines([page], [])
    assert [(b.period, b.base_value, b.target_value) for b in got] == [
        (1, 79.49, 90.0), (2, 84.59, 90.0), (3, 72.32, 90.0), (4, 83.51, 90.0)]
