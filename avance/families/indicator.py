"""Indicator sheets (FICHA TÉCNICA DE INDICADOR) and reports (REPORTE DE INDICADOR).

Detection looks at the body (NOMBRE DEL INDICADOR, Clave, Liga al PMD,
Resultados del indicador ...), not only at the title: a sheet or report begins
where its body begins, even when its title was printed at the foot of the page
before. A page that only repeats a title near its top (signatures, the
variables breakdown) continues the running section. Words are compared folded
and with a little OCR slack. The report parser and the shared label/table
helpers live in `indicator_report`.
"""
from __future__ import annotations

import re
from typing import Optional, Sequence

from rapidfuzz.distance import Levenshtein

from ..extractors.layout import TextLine, fold, group_lines, split_chunks
from ..normalizers.numbers import parse_number
from ..records import (
    Family, Indicator, IndicatorBaseline, IndicatorVariable, Page, SectionInfo, SectionResult,
)
from .base import FamilySpec, PageMark
from .indicator_report import (
    Fields, _HEADING_RX, best_keys, clean, column_of, entity_code, find_code, frequency_of,
    header_columns, header_facts, key_token, label_hits, normalize_formula, page_lines_of,
    parse_report, pmd_link, repair_formula, repair_key, report_name, rows_by_anchor,
    split_code_name,
)

__all__ = ["SHEET_SPEC", "REPORT_SPEC", "detect_sheet", "detect_report", "parse_sheet", "parse_report"]

# --------------------------------------------------------------------------
# detection
# --------------------------------------------------------------------------

SHEET_BODY = [
    "NOMBRE DEL INDICADOR", "ESTRUCTURA PROGRAMATICA", "SEMAFORIZACION", "RANGO DE VALOR",
    "INTERPRETACION O LECTURA", "META DEL INDICADOR", "UNIDAD DE MEDIDA DEL RESULTADO",
    "LINEA BASE", "GLOSARIO Y OBSERVACIONES", "UNIDAD EJECUTORA",
]
REPORT_BODY = [
    "CLAVE DEL INDICADOR", "RESULTADOS DEL INDICADOR", "GRAFICA DE INDICADOR", "DEPENDENCIA ENTIDAD",
    "META RESULTADO",
]
SHEET_CONT = ["VALIDACION DEL INDICADOR"]
REPORT_CONT = ["DESGLOSE DE VARIABLES", "VALORES CAPTURADOS"]
SHEET_TITLE = "FICHA TECNICA"
REPORT_TITLE = "REPORTE DE INDICADOR"
OTHER_FAMILIES = [
    "PROGRAMA OPERATIVO ANUAL", "AVANCE PROGRAMATICO", "AVANCE EN CUMPLIMIENTO DE METAS",
    "MATRIZ DE INDICADORES", "EVALUACION FISICO FINANCIERA",
]


def _tokens(text: str) -> list[str]:
    return re.sub(r"[^0-9A-Z]+", " ", fold(text)).split()


def _tok_eq(a: str, b: str) -> bool:
    if a == b:
        return True
    n = len(b)
    if n < 5 or abs(len(a) - n) > 2:
        return False
    return Levenshtein.distance(a, b, score_cutoff=2 if n >= 9 else 1) <= (2 if n >= 9 else 1)


def _line_has(tokens: list[str], phrase: str) -> bool:
    target = phrase.split()
    for i in range(len(tokens) - len(target) + 1):
        if all(_tok_eq(tokens[i + k], target[k]) for k in range(len(target))):
            return True
    return False


class _PageView:
    def __init__(self, page: Page):
        self.page = page
        self.lines = group_lines(page.words)
        self.toks = [_tokens(l.text) for l in self.lines]

    def first(self, phrase: str) -> Optional[int]:
        """Index of the first line holding the phrase (fuzzy per word)."""
        for i, toks in enumerate(self.toks):
            if _line_has(toks, phrase):
                return i
        return None

    def first_of(self, phrases: Sequence[str]) -> list[int]:
        return [i for i in (self.first(p) for p in phrases) if i is not None]

    def title_on_top(self, phrase: str) -> bool:
        limit = self.page.height * 0.2
        for line, toks in zip(self.lines, self.toks):
            if line.top > limit:
                break
            if _line_has(toks, phrase):
                return True
        return False


_CACHE: dict[int, tuple[Page, tuple[Optional[Family], Optional[str]]]] = {}


def classify(page: Page) -> tuple[Optional[Family], Optional[str]]:
    """(family, key) for an indicator page; (None, None) for any other page."""
    hit = _CACHE.get(id(page))
    if hit is not None and hit[0] is page:
        return hit[1]
    result = _classify(page)
    if len(_CACHE) > 256:
        _CACHE.clear()
    _CACHE[id(page)] = (page, result)
    return result


def _classify(page: Page) -> tuple[Optional[Family], Optional[str]]:
    if not page.words:
        return None, None
    view = _PageView(page)
    sheet_hits = view.first_of(SHEET_BODY)
    report_hits = view.first_of(REPORT_BODY)
    sheet_body = view.first("NOMBRE DEL INDICADOR") is not None or len(sheet_hits) >= 3
    report_body = view.first("CLAVE DEL INDICADOR") is not None or len(report_hits) >= 2
    sheet_title = view.title_on_top(SHEET_TITLE)
    report_title = view.title_on_top(REPORT_TITLE)
    other = bool(view.first_of(OTHER_FAMILIES))
    if other and not (sheet_title or report_title or view.first("NOMBRE DEL INDICADOR") is not None
                      or view.first("CLAVE DEL INDICADOR") is not None):
        return None, None
    if sheet_body and report_body:
        # both bodies on one page: the one that starts higher owns the page
        if min(sheet_hits or [10**6]) <= min(report_hits or [10**6]):
            report_body = False
        else:
            sheet_body = False
    if sheet_body:
        return Family.INDICATOR_SHEET, _body_key(view, Family.INDICATOR_SHEET)
    if report_body:
        return Family.INDICATOR_REPORT, _body_key(view, Family.INDICATOR_REPORT)
    if report_title or view.first_of(REPORT_CONT):
        return Family.INDICATOR_REPORT, None
    if sheet_title or view.first_of(SHEET_CONT):
        return Family.INDICATOR_SHEET, None
    return None, None


def _body_key(view: _PageView, family: Family) -> str:
    code = find_code(view.lines)
    if code:
        return code
    fields = Fields(view.lines)
    name = fields.get("name") if family == Family.INDICATOR_SHEET else report_name(view.lines, fields)
    if name:
        return "name:" + fold(name)
    return f"page:{view.page.number}"


def detect_sheet(page: Page) -> Optional[PageMark]:
    family, key = classify(page)
    return PageMark(Family.INDICATOR_SHEET, key) if family == Family.INDICATOR_SHEET else None


def detect_report(page: Page) -> Optional[PageMark]:
    family, key = classify(page)
    return PageMark(Family.INDICATOR_REPORT, key) if family == Family.INDICATOR_REPORT else None


# --------------------------------------------------------------------------
# the sheet
# --------------------------------------------------------------------------

def _block(fields: Fields, field: str, max_lines: int = 12) -> list[TextLine]:
    """Lines after a block label up to the next label or heading."""
    i = fields.line_index(field)
    if i is None:
        return []
    out = []
    for k in range(i + 1, min(len(fields.lines), i + 1 + max_lines)):
        line = fields.lines[k]
        hits = fields.hits[k]
        if hits and hits[0].start == 0 or (hits and not line.text[: hits[0].start].strip(" 0123456789.)")):
            break
        if k > i + 1 and _HEADING_RX.match(line.folded) and not re.match(r"^(TIPO|PERIODO)", line.folded):
            break
        out.append(line)
    return out


_RANGE_RX = re.compile(r"(-?\d[\d,]*(?:\.\d+)?)\s*%?\s*(?:-|–|—|A|AL)\s*(-?\d[\d,]*(?:\.\d+)?)\s*%?")
_COLORS = {"ROJO": "red", "AMARILLO": "yellow", "VERDE": "green"}


def _ranges(lines: Sequence[TextLine]) -> dict[str, tuple[Optional[float], Optional[float]]]:
    """ROJO / AMARILLO / VERDE ranges: beside their color (one per line) or
    under it (a row of colors over a row of ranges)."""
    colors = []  # (color, line index, word)
    ranges = []  # (line index, xmid, lo, hi)
    for li, line in enumerate(lines):
        words = list(line.words)
        for w in words:
            for name, key in _COLORS.items():
                if _tok_eq(fold(w.text).strip(":;."), name):
                    colors.append((key, li, w))
        # ranges: consecutive words forming `a - b`
        i = 0
        while i < len(words):
            for n in (3, 2, 1):
                chunk = words[i:i + n]
                if len(chunk) < n:
                    continue
                text = fold(" ".join(w.text for w in chunk))
                m = _RANGE_RX.fullmatch(text)
                if m:
                    xmid = (chunk[0].x0 + chunk[-1].x1) / 2
                    ranges.append((li, chunk[0].x0, xmid, parse_number(m.group(1)), parse_number(m.group(2))))
                    i += n - 1
                    break
            i += 1
    out: dict[str, tuple[Optional[float], Optional[float]]] = {}
    used: set[int] = set()
    for key, li, w in colors:
        same = [r for r in range(len(ranges)) if ranges[r][0] == li and ranges[r][1] > w.x1 and r not in used]
        others_on_line = [c for c in colors if c[1] == li and c[2] is not w]
        if same and not others_on_line:
            pick = min(same, key=lambda r: ranges[r][1] - w.x1)
        else:
            below = [r for r in range(len(ranges)) if ranges[r][0] > li and r not in used]
            if not below:
                continue
            nearest_line = min(ranges[r][0] for r in below)
            row = [r for r in below if ranges[r][0] == nearest_line]
            pick = min(row, key=lambda r: abs(ranges[r][2] - w.xmid))
        used.add(pick)
        out[key] = (ranges[pick][3], ranges[pick][4])
    return out


_PERIOD_WORDS = [
    (1, ("ENE", "PRIMER", "1ER", "T1", "I ")), (2, ("ABR", "SEGUNDO", "2DO", "T2", "II ")),
    (3, ("JUL", "TERCER", "3ER", "T3", "III ")), (4, ("OCT", "CUARTO", "4TO", "T4", "IV ")),
]


def _period_of(text: str) -> Optional[int]:
    f = fold(text) + " "
    for period, starts in _PERIOD_WORDS:
        if any(f.startswith(s) for s in starts):
            return period
    return None


def _baselines(lines: Sequence[TextLine]) -> list[IndicatorBaseline]:
    head = next((l for l in lines if "PERIODO" in l.folded and "BASE" in l.folded), None)
    cols = header_columns(head, [("period", "PERIODO"), ("base", "VALOR"), ("target", "VALOR")]) if head else []
    centers = {c.name: c.center for c in cols if c.name != "period"}
    rows: dict[int, IndicatorBaseline] = {}
    for line in lines:
        if line is head:
            continue
        period = _period_of(line.text)
        if period is None:
            continue
        nums = [(w, parse_number(w.text)) for w in line.words]
        nums = [(w, v) for w, v in nums if v is not None and not re.search(r"[A-Za-z]", w.text)]
        base = target = None
        if len(centers) == 2:
            for w, v in nums:
                if abs(w.xmid - centers["base"]) <= abs(w.xmid - centers["target"]):
                    base = v
                else:
                    target = v
        else:
            vals = [v for _, v in nums]
            base = vals[0] if vals else None
            target = vals[1] if len(vals) > 1 else None
        if period not in rows:
            rows[period] = IndicatorBaseline(period=period, base_value=base, target_value=target)
    return [rows[p] for p in sorted(rows)]


def _target(lines: Sequence[TextLine]) -> tuple[Optional[str], Optional[float], Optional[float]]:
    text = " ".join(l.text for l in lines)
    f = fold(text)
    direction = None
    m = re.search(r"(>=|<=|=>|=<|≥|≤|>|<)", text)
    if m:
        direction = {"=>": ">=", "=<": "<=", "≥": ">=", "≤": "<="}.get(m.group(1), m.group(1))
    elif re.search(r"INCREMENT|ASCENDENTE|AUMENT", f):
        direction = ">="
    elif re.search(r"DECREMENT|DESCENDENTE|DISMINU", f):
        direction = "<="
    annual = triennial = None
    m = re.search(r"ANUAL(?:\s+20\d\d)?\s*[:;]?\s*(-?\d[\d,]*(?:\.\d+)?\s*%?)", f)
    if m:
        annual = parse_number(m.group(1))
    m = re.search(r"TRIENI?O(?:\s+20\d\d\s*-\s*20\d\d)?\s*[:;]?\s*(-?\d[\d,]*(?:\.\d+)?\s*%?)", f)
    if m:
        triennial = parse_number(m.group(1))
    return direction, annual, triennial


def _variables(lines: Sequence[TextLine]) -> list[IndicatorVariable]:
    for h, head in enumerate(lines):
        f = head.folded
        if not ("CLAVE" in f and "DESCRIP" in f and ("UNIDAD" in f or "FUENTE" in f)):
            continue
        cols = header_columns(head, [("key", "CLAVE"), ("description", "DESCRIP"), ("unit", "UNIDAD"), ("source", "FUENTE")])
        body: list[TextLine] = []
        for line in lines[h + 1:]:
            hits = label_hits(line)
            if hits or _HEADING_RX.match(line.folded) or re.match(r"^\d{1,2}\s?[.)]\s+[A-Z]", line.folded):
                break
            if body and line.top - body[-1].bottom > 3 * line.height:
                break
            body.append(line)

        gap = 0.9 * (sorted(l.height for l in body)[len(body) // 2] if body else 8.0)

        def anchor(line: TextLine) -> Optional[str]:
            w = line.words[0]
            return key_token(w.text) if column_of(w, cols) == "key" else None

        out = []
        for a, members in rows_by_anchor(body, lambda l: anchor(l) is not None):
            cells: dict[str, list[str]] = {"description": [], "unit": [], "source": []}
            for line in sorted(members, key=lambda l: l.top):
                for chunk in split_chunks(line, gap):
                    col = column_of(chunk, cols)
                    if col in cells:
                        cells[col].append(chunk.text)
            out.append(IndicatorVariable(
                key=anchor(a), description=clean(" ".join(cells["description"])),
                unit=clean(" ".join(cells["unit"])), source=clean(" ".join(cells["source"])),
            ))
        return out
    return []


def _formula(fields: Fields) -> Optional[str]:
    value = fields.get("formula")
    if value and "=" in value:
        return value
    i = fields.line_index("formula")
    if i is None:
        return value
    for line in fields.lines[i + 1:i + 4]:
        if "=" in line.text:
            return line.text
        if label_hits(line):
            break
    return value


def parse_sheet(pages: Sequence[Page]) -> SectionResult:
    plines = page_lines_of(pages)
    lines = [l for pl in plines for l in pl]
    fields = Fields(lines)
    facts = header_facts(pages)
    variables = _variables(lines)
    formula = normalize_formula(_formula(fields))
    keys = best_keys([v.key for v in variables], formula)
    formula = repair_formula(formula, keys)
    variables = [
        IndicatorVariable(repair_key(v.key, keys), v.description, v.unit, v.source) for v in variables
    ]
    axis, strategy, pmd_lines = pmd_link(fields)
    ranges = _ranges(_block(fields, "ranges"))
    direction, annual, triennial = _target(_block(fields, "target", max_lines=4))
    code = find_code(lines)
    red, yellow, green = (ranges.get(k, (None, None)) for k in ("red", "yellow", "green"))
    indicator = Indicator(
        kind="sheet",
        indicator_code=code,
        name=fields.get("name"),
        entity_code=entity_code(fields.get("entity")),
        pmd_axis=axis,
        pmd_strategy=strategy,
        pmd_lines=pmd_lines,
        objective=fields.get("objective"),
        interpretation=fields.get("interpretation"),
        formula=formula,
        result_unit=fields.get("result_unit"),
        red_min=red[0], red_max=red[1], yellow_min=yellow[0], yellow_max=yellow[1],
        green_min=green[0], green_max=green[1],
        target_annual=annual,
        target_triennial=triennial,
        target_direction=direction,
        frequency=frequency_of(fields.get("frequency")),
    )
    structure = {}
    for field in ("ramo", "programa", "unidad", "finalidad", "funcion", "subfuncion"):
        code_, name = split_code_name(fields.get(field))
        structure[f"{field}_code"] = code_
        structure[f"{field}_name"] = name
    info = SectionInfo(
        family=Family.INDICATOR_SHEET.value,
        page_start=pages[0].number,
        page_end=pages[-1].number,
        **facts,
        **structure,
    )
    return SectionResult(
        info=info, indicators=[indicator], indicator_variables=variables,
        indicator_baselines=_baselines(_block(fields, "baseline", max_lines=10)),
    )


SHEET_SPEC = FamilySpec(Family.INDICATOR_SHEET, detect_sheet, parse_sheet)
REPORT_SPEC = FamilySpec(Family.INDICATOR_REPORT, detect_report, parse_report)
