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
from bisect import bisect_right
from functools import lru_cache
from typing import Optional, Sequence

from rapidfuzz.distance import Levenshtein

from ..extractors.layout import TextLine, fold, group_lines, make_line
from ..normalizers.numbers import parse_number
from ..records import (
    Family, Flag, Indicator, IndicatorBaseline, IndicatorVariable, Page, SectionInfo, SectionResult, Word,
)
from ..tables import read_tables
from ..tables.concepts import Concept
from ..tables.periods import quarter_of_cell
from .base import FamilySpec, PageMark
from .indicator_report import (
    Fields, _HEADING_RX, band_cell, band_words, best_keys, cell_pairs, clean, column_at, column_edges, drop_specks,
    boxed_code, entity_code, find_code, find_grids, frequency_of, header_facts, indicator_provenance, is_ocr_line,
    key_catalog, key_token, label_hits, normalize_formula, numeric_text, ocr_candidates, ocr_fix_code,
    ocr_fix_formula, ocr_flag, ocr_key, ocr_text_repair, page_lines_of, parse_report, pmd_link_of, read_figure,
    repair_formula, repair_key, report_name, rows_by_anchor, name_headers, table_columns, split_band, split_code_name, vocabulary_columns,
)
from .indicator_report import (  # OCR text exports
    ExportRow, Provenance, _NUMBERED, export_identity, export_facts, export_formula_value, export_label_fields,
    export_rows, is_export, is_labelled, is_title_row, merge_provenance,
)
from .provenance import ProvenanceLog, narrow

# words each value was read from, by row key and field (provenance)
WordsOf = dict[str, dict[str, list[Word]]]

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
    "META RESULTADO", "META ANUAL",
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


def _line_has(tokens: list[str], phrase: str, token_set: Optional[frozenset] = None) -> bool:
    target = phrase.split()
    present = token_set if token_set is not None else frozenset(tokens)
    if any(len(t) < 5 and t not in present for t in target):
        return False  # a short word matches only itself (`_tok_eq`): absent, no place can match
    for i in range(len(tokens) - len(target) + 1):
        if all(_tok_eq(tokens[i + k], target[k]) for k in range(len(target))):
            return True
    return False


def _line_has_loosely(tokens: list[str], phrase: str, gap: int = 3) -> bool:
    """The phrase's words in order with a few words between (`REPORTE DE AVANCE DEL
    INDICADOR` is a `REPORTE DE INDICADOR`)."""
    target = [t for t in phrase.split() if t not in ("DE", "DEL")]
    at = -1
    for k, word in enumerate(target):
        nxt = next((i for i in range(at + 1, len(tokens)) if tokens[i] == word), None)  # exact: not `INDICADORES`
        if nxt is None or (k > 0 and nxt - at > gap + 1):
            return False
        at = nxt
    return True


@lru_cache(maxsize=1024)
def _pieces(phrase: str) -> tuple[tuple[str, ...], ...]:
    """For each word of the phrase, text one piece of which every token that `_tok_eq`
    matches with it holds: the word itself when it is short (only itself matches), else
    the word cut into one piece more than the edits allowed (an edit spoils at most
    one piece; one is left whole). A line without them cannot hold the phrase."""
    out = []
    for word in phrase.split():
        if len(word) < 5:
            out.append((word,))
            continue
        k = (2 if len(word) >= 9 else 1) + 1
        cuts = [round(i * len(word) / k) for i in range(k + 1)]
        out.append(tuple(word[a:b] for a, b in zip(cuts, cuts[1:])))
    return tuple(out)


def _may_hold(text: str, pieces: tuple[tuple[str, ...], ...]) -> bool:
    return all(any(p in text for p in word) for word in pieces)


class _PageView:
    def __init__(self, page: Page):
        self.page = page
        self.lines = group_lines(page.words)
        self.toks = [_tokens(l.text) for l in self.lines]
        self.sets = [frozenset(t) for t in self.toks]
        self.texts = [" ".join(t) for t in self.toks]
        self.text = "\n".join(self.texts)
        self.starts = []  # where each line's text starts in the page's
        at = 0
        for text in self.texts:
            self.starts.append(at)
            at += len(text) + 1
        self._first: dict[str, Optional[int]] = {}

    def first(self, phrase: str) -> Optional[int]:
        """Index of the first line holding the phrase (fuzzy per word)."""
        if phrase not in self._first:
            self._first[phrase] = self._find(phrase)
        return self._first[phrase]

    def _find(self, phrase: str) -> Optional[int]:
        pieces = _pieces(phrase)
        if not _may_hold(self.text, pieces):
            return None  # no line can hold it (most phrases on most pages): no line is tried
        # only the lines where the word of longest pieces shows one of them are tried
        word = max(pieces, key=lambda w: min(len(p) for p in w))
        lines = set()
        for piece in word:
            at = self.text.find(piece)
            while at >= 0:
                lines.add(bisect_right(self.starts, at) - 1)
                at = self.text.find(piece, at + 1)
        for i in sorted(lines):
            if _may_hold(self.texts[i], pieces) and _line_has(self.toks[i], phrase, self.sets[i]):
                return i
        return None

    def first_of(self, phrases: Sequence[str]) -> list[int]:
        return [i for i in (self.first(p) for p in phrases) if i is not None]

    def title_on_top(self, phrase: str) -> bool:
        limit = self.page.height * 0.2
        for line, toks in zip(self.lines, self.toks):
            if line.top > limit:
                break
            if _line_has(toks, phrase) or _line_has_loosely(toks, phrase):
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


def _ranges(lines: Sequence[TextLine], where: Optional[WordsOf] = None
            ) -> dict[str, tuple[Optional[float], Optional[float]]]:
    """ROJO / AMARILLO / VERDE ranges: beside their color (one per line) or
    under it (a row of colors over a row of ranges). `where` receives the
    words of each bound (`red_min` ...) under row key ''."""
    colors = []  # (color, line index, word)
    ranges = []  # (line index, xmid, lo, hi)
    for li, line in enumerate(lines):
        words = list(line.words)
        for w in words:
            for name, key in _COLORS.items():
                if _tok_eq(fold(w.text).strip(":;."), name):
                    colors.append((key, li, w))
        if is_ocr_line(line):
            # a color OCR garbled (`AMARQUIa`): the one its line's others leave
            found = [c for c in colors if c[1] == li]
            rest = [w for w in words if not any(c[2] is w for c in found) and re.fullmatch(r"[A-Za-zÁÉÍÓÚáéíóú]{4,}:?", w.text)]
            missing = [k for k in _COLORS.values() if k not in {c[0] for c in colors}]
            if len(found) == 2 and len(rest) == 1 and len(missing) == 1 and _color_of(rest[0].text) == missing[0]:
                colors.append((missing[0], li, rest[0]))
        # ranges: consecutive words forming `a - b`
        i = 0
        while i < len(words):
            for n in (3, 2, 1):
                chunk = words[i:i + n]
                if len(chunk) < n:
                    continue
                text = fold(" ".join(w.text for w in chunk))
                if chunk[0].conf is not None:
                    text = _ocr_range_text(text)
                m = _RANGE_RX.fullmatch(text)
                if m:
                    xmid = (chunk[0].x0 + chunk[-1].x1) / 2
                    ranges.append((li, chunk[0].x0, xmid, parse_number(m.group(1)), parse_number(m.group(2)), chunk))
                    i += n - 1
                    break
            i += 1
    out: dict[str, tuple[Optional[float], Optional[float]]] = {}
    used: set[int] = set()
    for key, li, w in colors:
        # a range beside its color, before the next color of the line (`ROJO: 0 - 75   VERDE: 90 - 100`)
        stop = min((c[2].x0 for c in colors if c[1] == li and c[2].x0 > w.x1), default=float("inf"))
        same = [r for r in range(len(ranges)) if ranges[r][0] == li and w.x1 < ranges[r][1] < stop and r not in used]
        if same:
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
        if where is not None:
            chunk = ranges[pick][5]
            where.setdefault("", {})[f"{key}_min"] = [chunk[0]]
            where[""][f"{key}_max"] = [chunk[-1]]
    return out


def _baselines(lines: Sequence[TextLine], where: Optional[WordsOf] = None) -> list[IndicatorBaseline]:
    """LÍNEA BASE from text lines: the header line whose words name the period, base
    and target columns (in any order), then the lines under it that name a period."""
    for h, head in enumerate(lines):
        cols = {c.name: c for c in vocabulary_columns(head, BASELINE_COLUMNS)}
        if not {"period", "base_value", "target_value"} <= set(cols):
            continue
        rows: dict[int, IndicatorBaseline] = {}
        for line in lines[h + 1:h + 12]:
            period = quarter_of_cell(line.text)
            if period is None:
                if rows:
                    break
                continue
            nums = [(w, parse_number(w.text)) for w in line.words]
            nums = [(w, v) for w, v in nums if v is not None and not re.search(r"[A-Za-z]", w.text)]
            found: dict[str, tuple[float, Word]] = {}
            for w, v in nums:  # a figure belongs to the value column whose header is nearest
                name = min(("base_value", "target_value"), key=lambda n: abs(w.xmid - cols[n].center))
                found[name] = (v, w)
            if period not in rows:
                rows[period] = IndicatorBaseline(period, *(found[n][0] if n in found else None
                                                           for n in ("base_value", "target_value")))
                if where is not None:
                    where[str(period)] = {n: [found[n][1]] if n in found else [] for n in ("base_value", "target_value")}
        if rows:
            return [rows[p] for p in sorted(rows)]
    return []


_TARGET_LABEL = re.compile(r"\bSENTIDO DE LA META\b|\bMETA (?:ANUAL|TRIENI?O)\b")


def _target(lines: Sequence[TextLine], where: Optional[WordsOf] = None
            ) -> tuple[Optional[str], Optional[float], Optional[float]]:
    text = " ".join(l.text for l in lines)
    f = fold(text)
    words = [w for l in lines for w in l.words]
    found: dict[str, list[Word]] = {}
    direction = None
    m = re.search(r"(>=|<=|=>|=<|≥|≤|>|<)", text)
    if m:
        direction = {"=>": ">=", "=<": "<=", "≥": ">=", "≤": "<="}.get(m.group(1), m.group(1))
        found["target_direction"] = narrow(words, m.group(1))
    elif re.search(r"INCREMENT|ASCENDENTE|AUMENT", f):
        direction = ">="
        found["target_direction"] = narrow(words, re.search(r"\S*(?:INCREMENT|ASCENDENTE|AUMENT)\S*", f).group(0))
    elif re.search(r"DECREMENT|DESCENDENTE|DISMINU", f):
        direction = "<="
        found["target_direction"] = narrow(words, re.search(r"\S*(?:DECREMENT|DESCENDENTE|DISMINU)\S*", f).group(0))
    annual = triennial = None
    # (OCR may read a speck as a second colon: `Meta Trienio: : 400.00`)
    m = re.search(r"ANUAL(?:\s+20\d\d)?(?:\s*[:;])*\s*(-?\d[\d,]*(?:\.\d+)?\s*%?)", f)
    if m:
        annual = parse_number(m.group(1))
        found["target_annual"] = narrow(words, m.group(0))
    m = re.search(r"TRIENI?O(?:\s+20\d\d\s*-\s*20\d\d)?(?:\s*[:;])*\s*(-?\d[\d,]*(?:\.\d+)?\s*%?)", f)
    if m:
        triennial = parse_number(m.group(1))
        found["target_triennial"] = narrow(words, m.group(0))
    if where is not None:
        where.setdefault("", {}).update(found)
    return direction, annual, triennial


# The sheet's tables as concepts: found by what their headers say, in any order.
VARIABLE_COLUMNS = (
    Concept("key", ("Clave", "Clave de la variable", "Nombre corto", "Siglas"), "text"),
    Concept("description", ("Descripción", "Descripción de la variable", "Nombre de la variable", "Definición"), "text"),
    Concept("unit", ("Unidad de medida", "Unidad"), "text"),
    Concept("source", ("Fuente de datos", "Fuente de información", "Fuente", "Medio de verificación",
                       "Medios de verificación"), "text"),
)
BASELINE_COLUMNS = (
    Concept("period", ("Periodo", "Período", "Trimestre"), "period"),
    Concept("base_value", ("Valor base", "Línea base", "Base"), "number"),
    Concept("target_value", ("Valor meta", "Meta", "Meta programada"), "number"),
)


def _variable(key: str, values: dict[str, Optional[str]], raw: Optional[str], ocr: bool,
              flags: Optional[list[Flag]]) -> IndicatorVariable:
    """One variable row; on OCR'd text its key repair and text repairs flagged."""
    if ocr and flags is not None:
        if fold(raw or "") != key:
            flags.append(ocr_flag("indicator_variables", key, "key", raw, key,
                                  f"OCR read the variable key '{raw}'; it is '{key}' of the formula."))
        for c, value in values.items():
            fixed, notes = ocr_text_repair(drop_specks(value))
            if fixed != value:
                flags.append(ocr_flag("indicator_variables", key, c, value, fixed,
                                      " ".join(notes) or "OCR specks read as lone letters were left out."))
                values[c] = fixed
    return IndicatorVariable(key=key, **values)


def _table_variables(pages: Sequence[Page], catalog: Sequence[str] = (), flags: Optional[list[Flag]] = None,
                     where: Optional[WordsOf] = None) -> list[IndicatorVariable]:
    """VARIABLES from the table reader: the tables whose headers name a key and at
    least two of description, unit and source, whatever their order and wording (a
    table continued on the next page under its header again)."""
    out: list[IndicatorVariable] = []
    for page in pages:
        ocr = page.source == "ocr"
        for table in read_tables(page):
            cols = table_columns(table, VARIABLE_COLUMNS)
            if "key" not in cols or len(cols) < 3:
                continue
            for r in table.body_rows():
                raw = table.text(r, cols["key"])
                key = ocr_key(raw, catalog) if ocr else key_token(raw)
                if not key or any(v.key == key for v in out):
                    continue
                values = {c: clean(table.text(r, cols[c])) if c in cols else None
                          for c in ("description", "unit", "source")}
                if where is not None:
                    where[key] = {c: list(cell.words) for c, col in cols.items()
                                  if (cell := table.cell_at(r, col)) is not None}
                out.append(_variable(key, values, raw, ocr, flags))
    return out


def _variables(lines: Sequence[TextLine], catalog: Sequence[str] = (),
               flags: Optional[list[Flag]] = None, where: Optional[WordsOf] = None) -> list[IndicatorVariable]:
    """VARIABLES from text lines (a table without rules): the header line whose words
    name a key and two more columns, in any order; each word of a row goes to the
    column its cells begin in; a row is the key's line and the wrapped lines nearest it.
    The header printed again over the rows carried to the next page opens them there."""
    out: list[IndicatorVariable] = []
    for h, head in enumerate(lines):
        cols = vocabulary_columns(head, VARIABLE_COLUMNS)
        if "key" not in {c.name for c in cols} or len(cols) < 3:
            continue
        ocr = is_ocr_line(head)
        body: list[TextLine] = []
        for line in lines[h + 1:]:
            if label_hits(line) or _HEADING_RX.match(line.folded) or re.match(r"^\d{1,2}\s?[.)]\s+[A-Z]", line.folded):
                break
            if body and line.top - body[-1].bottom > 3 * line.height:
                break
            body.append(line)
        gap = 0.9 * (sorted(l.height for l in body)[len(body) // 2] if body else 8.0)
        edges = column_edges(body, cols, gap)

        def key_word(line: TextLine) -> Optional[Word]:
            # the key column may stand anywhere in the row, not only first
            return next((w for w in line.words if column_at(w, edges) == "key"), None)

        def anchor(line: TextLine) -> Optional[str]:
            w = key_word(line)
            if w is None:
                return None
            return ocr_key(w.text, catalog) if ocr else key_token(w.text)

        for a, members in rows_by_anchor(body, lambda l: anchor(l) is not None):
            key = anchor(a)
            if any(v.key == key for v in out):
                continue
            cells: dict[str, list[str]] = {c.name: [] for c in cols if c.name != "key"}
            cell_words: dict[str, list[Word]] = {"key": [key_word(a)], **{c: [] for c in cells}}
            for line in sorted(members, key=lambda l: l.top):
                by_column: dict[str, list[Word]] = {}
                for w in line.words:
                    by_column.setdefault(column_at(w, edges), []).append(w)
                for c, ws in by_column.items():
                    if c in cells:
                        cells[c].append(" ".join(w.text for w in ws))
                        cell_words[c].extend(ws)
            if where is not None and key not in where:
                where[key] = cell_words
            values = {c: clean(" ".join(cells.get(c, []))) for c in ("description", "unit", "source")}
            out.append(_variable(key, values, key_word(a).text, ocr, flags))
    return out


def _table_baselines(pages: Sequence[Page], flags: list[Flag], where: Optional[WordsOf] = None
                     ) -> list[IndicatorBaseline]:
    """LÍNEA BASE from the table reader: period, base and target columns named by
    their headers in any order; the period in any of its spellings, or, OCR having
    lost it, the row's place among four. OCR'd figures repaired (flagged)."""
    for page in pages:
        for table in read_tables(page):
            cols = table_columns(table, BASELINE_COLUMNS)
            body = list(table.body_rows())
            if len(cols) < 3:
                continue
            rows: dict[int, IndicatorBaseline] = {}
            for n, r in enumerate(body, start=1):
                period = quarter_of_cell(table.text(r, cols["period"])) or (n if len(body) == 4 else None)
                if period is None or period in rows:
                    continue
                values = []
                for field in ("base_value", "target_value"):
                    cell = table.cell_at(r, cols[field])
                    text = cell.text if cell is not None else None
                    values.append(read_figure(numeric_text(text), "indicator_baselines", str(period), field, flags)
                                  if page.source == "ocr" else parse_number(text or ""))
                    if where is not None:
                        where.setdefault(str(period), {})[field] = [
                            w for w in (cell.words if cell else ()) if any(ch.isdigit() for ch in w.text)]
                rows[period] = IndicatorBaseline(period, *values)
            if rows:
                return [rows[p] for p in sorted(rows)]
    return []


def _formula(fields: Fields, where: Optional[WordsOf] = None) -> Optional[str]:
    value = fields.get("formula")
    if where is not None:
        where.setdefault("", {})["formula"] = fields.words.get("formula", [])
    if value and "=" in value:
        return value
    i = fields.line_index("formula")
    if i is None:
        return value
    for line in fields.lines[i + 1:i + 4]:
        if "=" in line.text:
            if where is not None:
                where[""]["formula"] = list(line.words)
            return line.text
        if label_hits(line):
            break
    return value


def parse_sheet(pages: Sequence[Page]) -> SectionResult:
    plines = page_lines_of(pages)
    lines = [l for pl in plines for l in pl]
    fields = Fields(lines)
    fields.fill(cell_pairs(pages))
    facts = header_facts(pages)
    flags: list[Flag] = []
    found: WordsOf = {}  # indicators fields (row key '') and baselines, as read
    var_words: WordsOf = {}
    ocr_pages = [p for p in pages if p.source == "ocr"]
    formula = normalize_formula(_formula(fields, found))
    # an OCR'd ruled grid read by xmid (OCR'd text overflows its cells), else the table
    # reader (headers by vocabulary, any order), else text lines (a table without rules)
    variables = _ocr_variables(ocr_pages, key_catalog(formula), flags, var_words) if ocr_pages else []
    if not variables:
        variables = _table_variables(pages, key_catalog(formula), flags, var_words)
    if not variables:
        variables = _variables(lines, key_catalog(formula) if ocr_pages else (), flags, var_words)
    keys = best_keys([v.key for v in variables], formula)
    formula = repair_formula(formula, keys)
    if ocr_pages:
        raw_formula = formula
        formula, note = ocr_fix_formula(formula, keys)
        if note:
            flags.append(ocr_flag("indicators", "", "formula", raw_formula, formula, note))
    log = ProvenanceLog(pages)
    for v in variables:
        for column, words in var_words.get(v.key, {}).items():
            log.add("indicator_variables", repair_key(v.key, keys), column, words)
    variables = [
        IndicatorVariable(repair_key(v.key, keys), v.description, v.unit, v.source) for v in variables
    ]
    pmd_words: dict[str, list[Word]] = {}
    axis, strategy, pmd_lines = pmd_link_of(fields, pages, pmd_words)
    range_words: WordsOf = {}
    # the semaphore as text (a color beside its range, or over it), a table's cells preferred
    ranges = _ranges(_block(fields, "ranges"), range_words)
    table_range_words: WordsOf = {}
    ranges = {**ranges, **_table_ranges(pages, flags, table_range_words)}
    range_words.setdefault("", {}).update(table_range_words.get("", {}))
    base_words: WordsOf = {}
    baselines = _table_baselines(pages, flags, base_words)
    if not baselines:
        base_words = {}
        baselines = _baselines(lines, base_words)
    for period, by_field in base_words.items():
        for column, words in by_field.items():
            log.add("indicator_baselines", period, column, words)
    # the target's block, else wherever its labels stand (`Sentido de la meta:`, `Meta Anual 2026:`)
    target_lines = _block(fields, "target", max_lines=4) or [l for l in lines if _TARGET_LABEL.search(l.folded)]
    direction, annual, triennial = _target(target_lines, found)
    if direction is None and fields.words.get("direction"):  # its label wrapped in its box
        direction = _target([make_line(fields.words["direction"])], found)[0]
    code = find_code(lines) or boxed_code(fields)
    if ocr_pages:
        raw_code = code
        code, notes = ocr_fix_code(lines, code)
        flags += [ocr_flag("indicators", "", "indicator_code", raw_code, code, n) for n in notes]
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
    known = {**found.get("", {}), **range_words.get("", {}), **pmd_words}
    for column in ("target_annual", "target_triennial"):  # a sheet's targets are no `Meta anual:` value
        known.setdefault(column, [])
    indicator_provenance(log, indicator, fields, known)
    structure = {}
    for field in ("ramo", "programa", "unidad", "finalidad", "funcion", "subfuncion"):
        code_, name = split_code_name(fields.get(field, table="sections", column=f"{field}_name"))
        structure[f"{field}_code"] = code_
        structure[f"{field}_name"] = name
    info = SectionInfo(
        family=Family.INDICATOR_SHEET.value,
        page_start=pages[0].number,
        page_end=pages[-1].number,
        **facts,
        **structure,
    )
    result = SectionResult(
        info=info, indicators=[indicator], indicator_variables=variables,
        indicator_baselines=baselines, flags=flags + fields.repairs, provenance=log.records,
    )
    return _export_sheet(pages, result) if is_export(pages) else result


# --------------------------------------------------------------------------
# OCR'd sheets: the ruled tables read cell by cell
# --------------------------------------------------------------------------

def _ocr_variables(pages: Sequence[Page], catalog: Sequence[str], flags: list[Flag],
                   where: Optional[WordsOf] = None) -> list[IndicatorVariable]:
    """VARIABLES on OCR'd pages: the ruled grid whose header cells name a key and at
    least two of description, unit and source (any order); keys repaired to the formula's."""
    out: list[IndicatorVariable] = []
    for page in pages:
        for grid in find_grids(page):
            if grid.nrows < 2 or grid.ncols < 3:
                continue
            heads = [band_cell(grid, page.words, (grid.ys[0], grid.ys[1]), c) for c in range(grid.ncols)]
            roles = name_headers(heads, VARIABLE_COLUMNS)
            if "key" not in roles or len(roles) < 3:
                continue
            kc = roles["key"]
            for r in range(1, grid.nrows):
                for band in split_band(grid, page.words, r, kc, lambda t: bool(re.search(r"[0-9A-Za-z]{2,}", t))):
                    raw = band_cell(grid, page.words, band, kc)
                    cells, notes = {}, {}
                    for role in ("description", "unit", "source"):
                        text = band_cell(grid, page.words, band, roles[role]) if role in roles else None
                        cleaned, notes[role] = ocr_text_repair(drop_specks(text))
                        if clean(text) != drop_specks(text):
                            notes[role].insert(0, "OCR specks read as lone letters were left out.")
                        cells[role] = cleaned
                    key = ocr_key(raw, catalog)
                    cell_words = {role: band_words(grid, page.words, band, roles[role])
                                  for role in ("key", "description", "unit", "source") if role in roles}
                    if key is None:
                        if out and raw is None and any(cells.values()):
                            prev = out[-1]  # a row continued below a lost key
                            out[-1] = IndicatorVariable(prev.key, *(
                                clean(" ".join(x for x in (getattr(prev, role), cells[role]) if x))
                                for role in ("description", "unit", "source")))
                            if where is not None and prev.key in where:
                                for role, ws in cell_words.items():
                                    if role != "key":
                                        where[prev.key].setdefault(role, []).extend(ws)
                        continue
                    if fold(raw or "") != key:
                        flags.append(ocr_flag("indicator_variables", key, "key", raw, key,
                                              f"OCR read the variable key '{raw}'; it is '{key}' of the formula."))
                    for role in ("description", "unit", "source"):
                        if notes[role]:
                            text = band_cell(grid, page.words, band, roles[role])
                            flags.append(ocr_flag("indicator_variables", key, role, text, cells[role],
                                                  " ".join(notes[role])))
                    if any(v.key == key for v in out):
                        continue
                    out.append(IndicatorVariable(key, cells["description"], cells["unit"], cells["source"]))
                    if where is not None:
                        where[key] = cell_words
        if out:
            break
    return out


def _color_of(text: Optional[str]) -> Optional[str]:
    from rapidfuzz import fuzz

    if not text:
        return None
    t = re.sub(r"[^A-Z ]", "", fold(text)).strip()
    best = max(_COLORS, key=lambda name: fuzz.ratio(t, name))
    return _COLORS[best] if fuzz.ratio(t, best) >= 60 else None


def _split_range(text: Optional[str]) -> Optional[tuple[str, str]]:
    if not text:
        return None
    m = re.fullmatch(r"\s*(\S+?)\s*(?:-|–|—|A|AL|a|al)\s*(\S+)\s*", text)
    if m:
        return m.group(1), m.group(2)
    toks = [t for t in text.split() if any(c.isdigit() for c in t)]
    return (toks[0], toks[1]) if len(toks) == 2 else None


def _table_ranges(pages: Sequence[Page], flags: list[Flag], where: Optional[WordsOf] = None
                  ) -> dict[str, tuple[Optional[float], Optional[float]]]:
    """ROJO | AMARILLO | VERDE header cells over a row of ranges, from the table
    reader, in any order; a color OCR could not read is the one the other two leave."""
    for page in pages:
        for table in read_tables(page):
            if table.header_rows < 1 or table.n_rows <= table.header_rows:
                continue
            r = table.header_rows  # the ranges: the first row under the colors
            ranged = [c for c in range(table.n_cols) if _split_range(table.text(r, c))]
            colors = {c: _color_of(table.header_paths[c].split(" > ")[-1]) for c in ranged}
            known = [k for k in colors.values() if k]
            if len(known) < 2 or len(set(known)) != len(known):
                continue
            missing = [k for k in ("red", "yellow", "green") if k not in known]
            unnamed = [c for c, k in colors.items() if not k]
            if len(unnamed) == 1 and len(missing) == 1:
                colors[unnamed[0]] = missing[0]
            out = {}
            for c, color in colors.items():
                if not color:
                    continue
                cell = table.cell_at(r, c)
                lo_text, hi_text = _split_range(cell.text)
                if page.source == "ocr":
                    lo = read_figure(lo_text, "indicators", "", f"{color}_min", flags, percent=True)
                    hi = read_figure(hi_text, "indicators", "", f"{color}_max", flags, percent=True)
                else:
                    lo, hi = parse_number(lo_text), parse_number(hi_text)
                out[color] = (lo, hi)
                if where is not None:
                    ordered = sorted(cell.words, key=lambda w: w.x0)
                    where.setdefault("", {})[f"{color}_min"] = narrow(ordered, lo_text)
                    where[""][f"{color}_max"] = narrow(ordered, hi_text)
            if out:
                return out
    return {}


def _ocr_range_text(text: str) -> str:
    """Range bounds as figures where OCR misread a digit (`9O.00 - 1OO.00`)."""
    def fix(m: re.Match) -> str:
        c = ocr_candidates(m.group(0), percent=True)
        return f"{c[0].value:g}" if c else m.group(0)
    return re.sub(r"[0-9OoIlSB][0-9OoIlSB.,]*%?", fix, text)


# --------------------------------------------------------------------------
# OCR text exports: the sheet's tables read from the export's cells
# --------------------------------------------------------------------------

SHEET_EXPORT_FIELDS = {
    "name": ("name", clean), "objective": ("objective", clean), "interpretation": ("interpretation", clean),
    "result_unit": ("result_unit", clean), "frequency": ("frequency", frequency_of),
}


def _export_sheet(pages: Sequence[Page], result: SectionResult) -> SectionResult:
    """A sheet of a text export: what the virtual layout cannot place (the key
    under its `Clave:` line, the semaphore and target cells, tables continued
    after a running title) read from the export's cells."""
    from dataclasses import replace

    rows = export_rows(pages)
    ind = result.indicators[0]
    flags = list(result.flags)
    prov: list[Provenance] = []
    changes: dict = {}
    flags = export_identity(rows, ind, changes, flags, prov)
    for column, value, row in export_label_fields(rows, SHEET_EXPORT_FIELDS):
        changes[column] = value
        prov.append(row.provenance("indicators", "", column))
    variables, var_prov = _export_variables(rows)
    if variables:
        result = replace(result, indicator_variables=variables)
        prov += var_prov
    baselines, base_prov = _export_baselines(rows)
    if baselines:
        result = replace(result, indicator_baselines=baselines)
        prov += base_prov
    formula, formula_row, formula_flags = export_formula_value(rows)
    if formula:
        keys = best_keys([v.key for v in result.indicator_variables], formula)
        changes["formula"] = repair_formula(formula, keys)
        flags = [f for f in flags if not (f.table == "indicators" and f.field == "formula")] + formula_flags
        prov.append(formula_row.provenance("indicators", "", "formula"))
    ranges, range_flags, range_prov = _export_ranges(_export_block(rows, "RANGO DE VALOR"))
    if ranges:  # else the layout's reading stands (ranges printed as plain text)
        for color in ("red", "yellow", "green"):
            lo, hi = ranges.get(color, (None, None))
            changes[f"{color}_min"], changes[f"{color}_max"] = lo, hi
        flags += range_flags
        prov += range_prov
    target, target_flags, target_prov = _export_target(_export_block(rows, "META DEL INDICADOR"))
    if any(v is not None for v in target.values()):
        changes.update(target)
        flags += target_flags
        prov += target_prov
    info = result.info
    facts = export_facts(rows, "FICHA TECNICA")
    info = replace(info, **{k: v for k, v in facts.items() if v is not None and getattr(info, k) is None})
    records = result.provenance
    for table, replaced in (("indicator_variables", variables), ("indicator_baselines", baselines)):
        if replaced:
            records = [p for p in records if p.table != table]
    return replace(result, info=info, indicators=[replace(ind, **changes)], flags=flags,
                   provenance=merge_provenance(records, prov))


def _export_block(rows: Sequence[ExportRow], phrase: str) -> list[ExportRow]:
    """The rows of a numbered block (`8. Rango de Valor ...:`) up to the next
    numbered heading, running titles left out; the heading's own text is cut
    from its row (what follows its colon stays)."""
    from dataclasses import replace

    start = next((i for i, r in enumerate(rows) if _line_has(_tokens(r.cells[0] if r.cells else ""), phrase)), None)
    if start is None:
        return []
    first = rows[start]
    head = first.cells[0]
    cut = head.split(":", 1)[1] if ":" in head else ""
    out = [replace(first, cells=(cut,) + first.cells[1:])]
    for row in rows[start + 1:]:
        if is_title_row(row):
            continue
        if _NUMBERED.match(row.text) or re.match(r"^(GLOSARIO|VALIDACION)", row.folded):
            break
        out.append(row)
    return out


def _color_cell(text: str) -> tuple[Optional[str], str]:
    """(color, the rest of the cell) for a cell that starts with a color name."""
    f = fold(text).strip()
    toks = f.split(None, 1)
    if not toks:
        return None, ""
    word = toks[0].strip(":;.")
    for name, key in _COLORS.items():
        if _tok_eq(word, name):
            return key, (toks[1] if len(toks) > 1 else "").strip(" :;")
    return None, f


def _export_ranges(block: Sequence[ExportRow]) -> tuple[dict, list[Flag], list[Provenance]]:
    """ROJO / AMARILLO / VERDE cells and their `a - b` ranges: the range in the
    cells right of a color (before the next color), else the one in the same
    cell of a line below (a row of colors over a row of ranges). One range no
    color claims is the one color left unread (flagged)."""
    colors: list[tuple[int, float, str, ExportRow]] = []
    ranges: list[tuple[int, float, float, float, ExportRow, str]] = []
    for r, row in enumerate(block):
        for c, cell in enumerate(row.cells):
            color, rest = _color_cell(cell)
            if color:
                colors.append((r, float(c), color, row))
            m = _RANGE_RX.fullmatch(rest) if rest else None
            if m and parse_number(m.group(1)) is not None and parse_number(m.group(2)) is not None:
                ranges.append((r, c + (0.5 if color else 0.0), parse_number(m.group(1)), parse_number(m.group(2)),
                               row, cell))
    out: dict[str, tuple[float, float]] = {}
    prov: list[Provenance] = []
    flags: list[Flag] = []
    used: set[int] = set()

    def take(color: str, k: int) -> None:
        used.add(k)
        out[color] = (ranges[k][2], ranges[k][3])
        prov.extend(ranges[k][4].provenance("indicators", "", f"{color}_{end}") for end in ("min", "max"))

    for r, c, color, row in colors:
        if color in out:
            continue
        stop = min([c2 for r2, c2, _, _ in colors if r2 == r and c2 > c] or [float("inf")])
        same = [k for k, g in enumerate(ranges) if k not in used and g[0] == r and c < g[1] < stop]
        if same:
            take(color, min(same, key=lambda k: ranges[k][1]))
            continue
        below = [k for k, g in enumerate(ranges) if k not in used and g[0] > r and g[1] == c]
        if below:
            take(color, min(below, key=lambda k: ranges[k][0]))
    missing = [k for k in _COLORS.values() if k not in out]
    left = [k for k in range(len(ranges)) if k not in used]
    if colors and len(missing) == 1 and len(left) == 1:
        take(missing[0], left[0])
        name = next(n for n, k in _COLORS.items() if k == missing[0])
        text = ranges[left[0]][5]
        flags.append(ocr_flag("indicators", "", f"{missing[0]}_min", text, f"{name} {text}",
                              f"The semaphore range '{text}' has no color label (OCR lost it); it was read as "
                              f"{name}, the one color the others leave."))
    return out, flags, prov


_TARGET_RX = re.compile(
    r"(AN+UAL|TRIENI?O)(?:\s+20\d\d(?:\s*-\s*20\d\d)?)?\s*[:;]?\s*((?!20\d\d\s*[:;-])-?\d[\d,]*(?:\.\d+)?\s*%?)?")
_FIGURE_CELL = re.compile(r"^\s*-?\d[\d,]*(?:\.\d+)?\s*%?\s*$")


def _export_target(block: Sequence[ExportRow]) -> tuple[dict, list[Flag], list[Provenance]]:
    """`10. Meta del indicador:` direction, `Anual 2026: 100.00`, `Trienio 2026: 95.00`;
    labels printed without their figures take the figures of the next row in
    their order (`>= (Incremento) | 100.00 | 100.00`)."""
    out: dict = {"target_direction": None, "target_annual": None, "target_triennial": None}
    flags: list[Flag] = []
    prov: list[Provenance] = []
    pending: list[str] = []
    for row in block:
        text = " ".join(c for c in row.cells if c)
        if out["target_direction"] is None:
            m = re.search(r"(>\s*=|<\s*=|=\s*>|=\s*<|≥|≤|>|<)", text)
            f = fold(text)
            if m:
                raw = m.group(1)
                sign = re.sub(r"\s+", "", raw)
                sign = {"=>": ">=", "=<": "<=", "≥": ">=", "≤": "<="}.get(sign, sign)
                out["target_direction"] = sign
                prov.append(row.provenance("indicators", "", "target_direction"))
                if re.sub(r"\s+", "", raw) != raw:
                    flags.append(ocr_flag("indicators", "", "target_direction", raw, sign,
                                          f"The target's direction was read '{raw}' with a space OCR put inside "
                                          f"it; read as '{sign}'."))
            elif re.search(r"INCREMENT|ASCENDENTE|AUMENT", f):
                out["target_direction"] = ">="
                prov.append(row.provenance("indicators", "", "target_direction"))
            elif re.search(r"DECREMENT|DESCENDENTE|DISMINU", f):
                out["target_direction"] = "<="
                prov.append(row.provenance("indicators", "", "target_direction"))
        labelled = False
        for m in _TARGET_RX.finditer(fold(text)):
            labelled = True
            column = "target_annual" if m.group(1).startswith("AN") else "target_triennial"
            if m.group(2):
                out[column] = parse_number(m.group(2))
                prov.append(row.provenance("indicators", "", column))
            elif out[column] is None:
                pending.append(column)
        if pending and not labelled:
            figures = [parse_number(c) for c in row.cells if _FIGURE_CELL.match(c)]
            if figures:
                for column, value in zip(pending, figures[-len(pending):]):
                    out[column] = value
                    prov.append(row.provenance("indicators", "", column))
                pending = []
    return out, flags, prov


def _export_variables(rows: Sequence[ExportRow]) -> tuple[list[IndicatorVariable], list[Provenance]]:
    """VARIABLES: the cells under `CLAVE | DESCRIPCIÓN | UNIDAD DE MEDIDA |
    FUENTE DE DATOS`; a row with no key continues the row above."""
    roles = (("key", "CLAVE"), ("description", "DESCRIP"), ("unit", "UNIDAD"), ("source", "FUENTE"))
    for h, head in enumerate(rows):
        if not head.tabbed:
            continue
        folded = [fold(c).strip() for c in head.cells]
        idx = {}
        for role, prefix in roles:
            i = next((i for i, c in enumerate(folded) if c.startswith(prefix)), None)
            if i is not None:
                idx[role] = i
        if "key" not in idx or len(idx) < 3:
            continue
        out: list[dict] = []
        where: list[list[ExportRow]] = []
        for row in rows[h + 1:]:
            if is_title_row(row):
                continue
            if not row.tabbed or is_labelled(row) or _NUMBERED.match(row.text):
                break
            cells = list(row.cells) + [""] * (max(idx.values()) + 1 - len(row.cells))
            key = key_token(cells[idx["key"]]) if cells[idx["key"]] else None
            vals = {role: cells[i] for role, i in idx.items() if role != "key"}
            if key:
                out.append({"key": key, **{r: [v] for r, v in vals.items()}})
                where.append([row])
            elif out and any(v.strip() for v in vals.values()) and not cells[idx["key"]].strip():
                for role, v in vals.items():
                    out[-1][role].append(v)
                where[-1].append(row)
            else:
                break
        if not out:
            continue
        variables = [IndicatorVariable(v["key"], *(clean(" ".join(v.get(r, []))) for r in ("description", "unit", "source")))
                     for v in out]
        prov = [w[0].provenance("indicator_variables", v.key, column)
                for v, w in zip(variables, where) for column in ("key", "description", "unit", "source")
                if getattr(v, column)]
        return variables, prov
    return [], []


def _export_baselines(rows: Sequence[ExportRow]) -> tuple[list[IndicatorBaseline], list[Provenance]]:
    """LÍNEA BASE: `PERIODO | VALOR BASE | VALOR META` rows by cell, over a page
    break and its running title."""
    for h, head in enumerate(rows):
        if not head.tabbed:
            continue
        folded = [fold(c).strip() for c in head.cells]
        pc = next((i for i, c in enumerate(folded) if c.startswith("PERIODO")), None)
        bc = next((i for i, c in enumerate(folded) if "BASE" in c), None)
        tc = next((i for i, c in enumerate(folded) if "META" in c), None)
        if pc is None or bc is None or tc is None or len({pc, bc, tc}) < 3:
            continue
        out: dict[int, IndicatorBaseline] = {}
        prov: list[Provenance] = []
        for row in rows[h + 1:]:
            if is_title_row(row):
                continue
            if not row.tabbed or is_labelled(row) or _NUMBERED.match(row.text):
                break
            cells = list(row.cells) + [""] * (max(pc, bc, tc) + 1 - len(row.cells))
            period = quarter_of_cell(cells[pc]) if cells[pc] else None
            if period is None:
                break
            if period in out:
                continue
            base, target = parse_number(cells[bc]), parse_number(cells[tc])
            out[period] = IndicatorBaseline(period, base, target)
            prov += [row.provenance("indicator_baselines", str(period), column)
                     for column, v in (("base_value", base), ("target_value", target)) if v is not None]
        if out:
            return [out[p] for p in sorted(out)], prov
    return [], []


SHEET_SPEC = FamilySpec(Family.INDICATOR_SHEET, detect_sheet, parse_sheet)
REPORT_SPEC = FamilySpec(Family.INDICATOR_REPORT, detect_report, parse_report)
