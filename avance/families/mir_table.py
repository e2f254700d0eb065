"""Geometry of a MIR progress table page: header labels to columns, body to rows.

The table prints its column labels in a multi-line header (UNIDAD ADMINISTRATIVA
RESPONSABLE, NIVEL, OBJETIVOS, INDICADOR, FRECUENCIA..., UNIDAD DE MEDIDA...,
ANUAL, TRIMESTRE 1..4 under META PROGRAMADA, TRIMESTRE n under META ALCANZADA,
under PORCENTAJE DE AVANCE TRIMESTRAL and under ...ACUMULADO, JUSTIFICACIÓN).
Columns are located by those labels; their borders come from ruling edges
when the table is ruled, else from the white space between the body's words.

Rows start at a level word (Fin / Propósito / Componente / Actividad) or, when
no level column is printed, at an objective code. Cells may be top-aligned or
vertically centred, so a row's extent is bounded by the ruling edge between two
row anchors, or by the widest horizontal white band between them.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from typing import Optional, Sequence

from rapidfuzz import fuzz

from ..extractors.grid import cluster_positions
from ..extractors.layout import TextLine, fold, group_lines, make_line
from ..pagememo import per_page
from ..records import Box, Page, Rule, Word
from ..tables import read_tables
from ..tables.concepts import ROW_KEY_LABELS, Concept, match_columns
from ..tables.model import Table
from ..tables.periods import period_columns

# Column names used below (also the keys of a raw row's cells).
RESPONSIBLE = "responsible_unit"
LEVEL = "level"
OBJECTIVE = "objective"
INDICATOR = "indicator"
FREQUENCY = "frequency"
UNITS = "units"
ANNUAL = "annual_target"
ACHIEVED = "achieved"
PCT_PERIOD = "pct_period"
PCT_CUMULATIVE = "pct_cumulative"
JUSTIFICATION = "justification"
CODE = "objective_code"  # a template that prints the objective's code in a column of its own


def quarter_column(n: int) -> str:
    return f"q{n}"


LEVELS = {"FIN": "Fin", "PROPOSITO": "Propósito", "COMPONENTE": "Componente", "ACTIVIDAD": "Actividad"}
FREQUENCIES = ("Trimestral", "Anual", "Semestral", "Mensual", "Bimestral", "Cuatrimestral", "Trianual",
               "Bianual", "Bienal", "Trienal", "Sexenal", "Quinquenal")
_LEVEL_PREFIX = {"FIN": "FIN", "PROP": "PROPOSITO", "COMP": "COMPONENTE", "ACTI": "ACTIVIDAD", "ACTV": "ACTIVIDAD"}
OBJECTIVE_CODE = re.compile(r"^(\d{1,2}(?:\s?[.,]\s?\d{1,2}){1,7})\s*[.:;'´`’]*\s*")
_SIGNATURE_WORDS = ("ELABORO", "REVISO", "AUTORIZO", "VO. BO", "VO.BO", "VISTO BUENO")
# A MIR progress report's title, in the wordings templates use; the MIR's own name
# (`MATRIZ DE INDICADORES PARA RESULTADOS`) says it whatever words come around it.
TITLE_RX = re.compile(r"CUMPLIMIENTO\s+DE\s+METAS|AVANCE\s+EN\s+CUMPLIMIENTO|"
                      r"MATRIZ\s+DE\s+INDICADORES\s+(?:PARA|DE)\s+(?:LOS\s+)?RESULTADOS|"
                      r"SEGUIMIENTO\s+DE\s+(?:LOS\s+)?INDICADORES")


def level_of(text: str) -> Optional[str]:
    """`Propósito`, `PROPOSITO`, `Proposito.` -> canonical level name."""
    t = re.sub(r"[^A-Z]", "", fold(text))
    if not t:
        return None
    if t in LEVELS:
        return LEVELS[t]
    for prefix, name in _LEVEL_PREFIX.items():
        if t.startswith(prefix) and len(t) <= len(name) + 2:
            return LEVELS[name]
    return None


@dataclass
class Column:
    name: str
    center: float
    x0: float = float("-inf")
    x1: float = float("inf")
    index: Optional[int] = None  # the column of the reader's table it is (when found by concepts)

    def holds(self, w: Box) -> bool:
        return self.x0 <= w.xmid < self.x1


@dataclass
class RawRow:
    page: int
    cells: dict[str, str] = field(default_factory=dict)
    quarters: tuple[int, ...] = ()  # programmed quarters printed in the table
    continuation: bool = False      # the rest of a row broken over a page
    ocr: bool = False               # read from an OCR'd page (cells carry OCR noise)
    level: Optional[str] = None     # the level word that anchored the row (OCR pages)
    words: dict[str, list[Word]] = field(default_factory=dict)  # a cell's words (where it was read)
    # figure cells of an OCR'd row the page pass read nothing in: their place (x0, top, x1, bottom)
    places: dict[str, tuple[float, float, float, float]] = field(default_factory=dict)


@dataclass
class PageTable:
    title: Optional[TextLine]
    header_lines: list[TextLine]  # header labels (between title and body)
    above_title: list[TextLine]   # EJE / E-PP / agency block
    columns: list[Column]
    rows: list[RawRow]
    reported_quarter: Optional[int] = None  # TRIMESTRE n under META ALCANZADA
    ocr: bool = False


# --------------------------------------------------------------------------
# small geometry helpers
# --------------------------------------------------------------------------

def _upper(w: Word) -> bool:
    """Printed in capitals (header labels are; body prose is not)."""
    letters = [c for c in w.text if c.isalpha()]
    if not letters:
        return False
    return sum(c.isupper() for c in letters) >= max(1, 0.75 * len(letters))


def _fw(w: Word) -> str:
    return re.sub(r"[^A-Z0-9]", "", fold(w.text))


def _median(values: Sequence[float], default: float) -> float:
    vals = sorted(values)
    return vals[len(vals) // 2] if vals else default


def horizontal_edges(rules: Sequence[Rule], x0: float, x1: float) -> list[tuple[float, float]]:
    """(y, covered width) of horizontal ruling evidence within [x0, x1], merged."""
    raw: list[tuple[float, float]] = []
    for r in rules:
        cover = min(r.x1, x1) - max(r.x0, x0)
        if cover < 8:
            continue
        ys = (r.top, r.bottom) if r.height > 2 else (r.ymid,)
        for y in ys:
            raw.append((y, cover))
    raw.sort()
    out: list[list[float]] = []
    for y, cover in raw:
        if out and y - out[-1][0] <= 1.5:
            out[-1][1] += cover
        else:
            out.append([y, cover])
    return [(y, c) for y, c in out]


def vertical_edges(rules: Sequence[Rule], top: float, bottom: float) -> list[float]:
    xs: list[float] = []
    for r in rules:
        if min(r.bottom, bottom) - max(r.top, top) < 3:
            continue
        if r.height <= 2:
            continue
        xs.extend((r.x0, r.x1) if r.width > 2 else (r.xmid,))
    return sorted(xs)


def _largest_gap(intervals: Sequence[tuple[float, float]], lo: float, hi: float) -> Optional[tuple[float, float]]:
    """The widest stretch of [lo, hi] covered by none of the intervals."""
    cur = lo
    best: Optional[tuple[float, float]] = None
    for a, b in sorted(intervals):
        if b <= cur:
            continue
        if a > cur:
            seg = (cur, min(a, hi))
            if seg[1] > seg[0] and (best is None or seg[1] - seg[0] > best[1] - best[0]):
                best = seg
        cur = max(cur, b)
        if cur >= hi:
            break
    if cur < hi:
        seg = (cur, hi)
        if best is None or seg[1] - seg[0] > best[1] - best[0]:
            best = seg
    return best


# --------------------------------------------------------------------------
# title and header
# --------------------------------------------------------------------------

def find_title(lines: Sequence[TextLine]) -> Optional[TextLine]:
    for line in lines:
        if TITLE_RX.search(line.folded):
            return line
    return None


def _quarter_labels(words: Sequence[Word], top: float) -> list[tuple[Word, int]]:
    """Header `TRIMESTRE n` labels below `top`: (the word, n)."""
    trims = [w for w in words if w.top >= top and _upper(w) and re.fullmatch(r"TRIM(?:ESTRE)?[1-4LI]?|T[1-4]", _fw(w))]
    out: list[tuple[Word, int]] = []
    for t in trims:
        fw = _fw(t)
        m = re.fullmatch(r"(?:TRIM(?:ESTRE)?|T)([1-4LI])", fw)
        if m:
            out.append((t, _digit(m.group(1))))
            continue
        h = max(t.height, 4.0)
        digit = None
        for w in words:
            if _digit(w.text.strip()) is None:
                continue
            right = abs(w.ymid - t.ymid) < h * 0.6 and 0 <= w.x0 - t.x1 < h * 1.5
            below = 0 < w.top - t.top < h * 3 and t.x0 - 2 <= w.xmid <= t.x1 + 2
            if right or below:
                if digit is None or (w.top, w.x0) < (digit.top, digit.x0):
                    digit = w
        out.append((t, _digit(digit.text.strip()) if digit is not None else 0))  # 0: number not read
    # a label whose number was not read counts only beside numbered ones
    # (`JUSTIFICACIÓN PRIMER TRIMESTRE` is a title, not a quarter column)
    numbered = [t for t, n in out if n]
    if numbered:
        out = [(t, n) for t, n in out if n or any(abs(t.ymid - o.ymid) < 0.6 * t.height for o in numbered)]
    ordinals = ("PRIMER", "SEGUNDO", "TERCER", "CUARTO", "1ER", "2DO", "3ER", "4TO")
    out = [(t, n) for t, n in out if not any(
        _fw(w).startswith(ordinals) and abs(w.ymid - t.ymid) < 0.6 * t.height and 0 <= t.x0 - w.x1 < 3 * t.height
        for w in words)]
    # header labels sit close together; the body (lower-case text) never matches
    if out:
        first = min(t.top for t, _ in out)
        out = [(t, n) for t, n in out if t.top - first < 40]
    return sorted(out, key=lambda p: p[0].x0)


def _digit(text: str) -> Optional[int]:
    """A quarter number as printed (OCR reads `1` as `l`, `I` or `|`)."""
    t = text.strip().rstrip(".")
    if t in ("l", "I", "L"):
        return 1
    return int(t) if re.fullmatch(r"[1-4]", t) else None


def _label(words: Sequence[Word], name: str) -> list[Word]:
    return [w for w in words if _upper(w) and _fw(w).startswith(name)]


def header_bottom(page: Page, lines: Sequence[TextLine], labels_bottom: float, x0: float, x1: float) -> float:
    """Where the body begins: the first horizontal rule under the header labels,
    else the first clear vertical gap after them."""
    lh = _median([w.height for w in page.words], 6.0)
    edges = [y for y, cover in horizontal_edges(page.rules, x0, x1) if y >= labels_bottom - 0.5]
    below = [l for l in lines if l.bottom > labels_bottom + 0.5]
    # the header's remaining label lines are upper-case and closely packed
    bottom = labels_bottom
    for line in below:
        if line.top - bottom > 0.7 * lh or not all(_upper(w) or w.text.isdigit() for w in line.words):
            break
        bottom = max(bottom, line.bottom)
    near = [y for y in edges if y - labels_bottom < 8 * lh]
    if near:
        return max(min(near), labels_bottom)
    return bottom


def find_columns(page: Page, lines: Sequence[TextLine], title: TextLine
                 ) -> tuple[list[Column], float, list[TextLine], Optional[int]]:
    """Columns from header labels; returns (columns, body top, header lines,
    the quarter printed under META ALCANZADA)."""
    words = [w for w in page.words if w.top >= title.bottom - 0.5]
    quarters = _quarter_labels(words, title.bottom)
    if not quarters:
        return [], title.bottom, [], None
    labels_bottom = max(t.bottom for t, _ in quarters)
    # the digit printed under each TRIMESTRE word (the nearest one only: in an unruled
    # table the body's first figures may sit as close under it as the label's digit)
    for t, _ in quarters:
        under = [w for w in words if _digit(w.text) is not None and t.x0 - 2 <= w.xmid <= t.x1 + 2
                 and 0 < w.top - t.top < 3 * t.height]
        if under:
            labels_bottom = max(labels_bottom, min(under, key=lambda w: w.top).bottom)
    table_x0 = min(l.x0 for l in lines if l.top > title.bottom)
    table_x1 = max(l.x1 for l in lines if l.top > title.bottom)
    body_top = header_bottom(page, lines, labels_bottom, table_x0, table_x1)
    head_words = [w for w in words if w.bottom <= body_top + 0.5]
    head_lines = [l for l in lines if l.top >= title.bottom - 0.5 and l.bottom <= body_top + 0.5]

    cols: list[Column] = []
    alcanzada = _label(head_words, "ALCANZAD") + _label(head_words, "REALIZAD")
    acumulado = _label(head_words, "ACUMULAD")
    porcentaje = _label(head_words, "PORCENTAJE") + [w for w in head_words if w.text.strip().startswith("%")]
    limit = min([w.x0 for w in alcanzada + porcentaje], default=float("inf"))
    programmed = [(t, n) for t, n in quarters if t.xmid < limit]
    trailing = [(t, n) for t, n in quarters if t.xmid >= limit]
    numbers = [n for _, n in programmed]
    if len(set(numbers)) != len(numbers) or 0 in numbers:
        # quarter numbers lost or misread (OCR): the quarters run left to right
        programmed = [(t, i + 1) for i, (t, _) in enumerate(sorted(programmed, key=lambda p: p[0].x0)[:4])]
    seen: set[int] = set()
    for t, n in programmed:
        if n in seen:
            continue
        seen.add(n)
        cols.append(Column(quarter_column(n), t.xmid))
    # trailing TRIMESTRE columns: under ALCANZADA, PORCENTAJE ... TRIMESTRAL, ... ACUMULADO
    supers: list[tuple[float, str]] = []
    for w in alcanzada:
        supers.append((w.xmid, ACHIEVED))
    for w in acumulado:
        supers.append((w.xmid, PCT_CUMULATIVE))
    for w in porcentaje:
        if not any(a.x0 - 4 <= w.xmid <= a.x1 + 4 for a in acumulado):
            supers.append((w.xmid, PCT_PERIOD))
    used: dict[str, int] = {}
    if supers:
        for t, n in trailing:
            name = min(supers, key=lambda s: abs(s[0] - t.xmid))[1]
            if name in used:
                # several reported quarters: keep the latest (right-most) one
                cols = [c for c in cols if c.name != name]
            used[name] = n
            cols.append(Column(name, t.xmid))
    # a super label printed without TRIMESTRE sub-labels is its own column
    for name in (ACHIEVED, PCT_PERIOD, PCT_CUMULATIVE):
        xs = [x for x, nm in supers if nm == name]
        if name not in used and xs:
            cols.append(Column(name, sum(xs) / len(xs)))
    reported = used.get(ACHIEVED)

    first_q = min((c.center for c in cols), default=None)
    anual = [w for w in _label(head_words, "ANUAL") if _fw(w) == "ANUAL" and (first_q is None or w.xmid < first_q)]
    if anual:
        a = max(anual, key=lambda w: w.x0)
        cols.append(Column(ANNUAL, a.xmid))
    left_limit = min((c.center for c in cols), default=float("inf"))
    text_words = [w for w in head_words if w.xmid < left_limit and _upper(w)]
    frec = [w for w in text_words if _fw(w).startswith(("FRECUENCIA", "PERIODICIDAD"))]
    if frec:
        cols.append(Column(FREQUENCY, frec[0].xmid))
    # UNIDAD DE MEDIDA DEL INDICADOR Y UNIDAD DE MEDIDA DE SUS VARIABLES
    medida = [w for w in text_words if _fw(w) == "MEDIDA"]
    medida_block: list[Word] = []
    if medida:
        m = max(medida, key=lambda w: w.x0)
        medida_block = [w for w in text_words if min(w.x1, m.x1 + 12) - max(w.x0, m.x0 - 12) > 0.5 * w.width
                        and not any(min(w.x1, f.x1) - max(w.x0, f.x0) > 0 for f in frec)]
        cols.append(Column(UNITS, (min(w.x0 for w in medida_block) + max(w.x1 for w in medida_block)) / 2))

    def outside_blocks(w: Word) -> bool:
        for block in ([f for f in frec], medida_block):
            if block and min(b.x0 for b in block) - 2 <= w.xmid <= max(b.x1 for b in block) + 2:
                return False
        return True

    def left_of_blocks(w: Word) -> bool:
        xs = [b.x0 for b in frec + medida_block]
        return not xs or w.xmid < min(xs) - 4

    nivel = [w for w in text_words if _fw(w) == "NIVEL" and outside_blocks(w) and left_of_blocks(w)]
    nivel_w = min(nivel, key=lambda w: w.x0) if nivel else None
    if nivel_w is not None:
        cols.append(Column(LEVEL, nivel_w.xmid))
    ref_y = nivel_w.ymid if nivel_w is not None else None
    objs = [w for w in text_words if _fw(w).startswith("OBJETIVO") and outside_blocks(w) and left_of_blocks(w)]
    o = None
    if objs:
        o = min(objs, key=lambda w: abs(w.ymid - ref_y)) if ref_y is not None else min(objs, key=lambda w: w.x0)
        cols.append(Column(OBJECTIVE, o.xmid))
        ref_y = ref_y if ref_y is not None else o.ymid
    inds = [w for w in text_words if _fw(w).startswith("INDICADOR") and outside_blocks(w) and left_of_blocks(w)]
    if o is not None:
        inds = [w for w in inds if w.xmid > o.x1]
    if inds:
        i = min(inds, key=lambda w: abs(w.ymid - ref_y)) if ref_y is not None else max(inds, key=lambda w: w.top)
        cols.append(Column(INDICATOR, i.xmid))
    resp_limit = min((c.center for c in cols), default=float("inf"))
    resp = [w for w in text_words if _fw(w) in ("RESPONSABLE", "ADMINISTRATIVA", "ADMINISTRATIVO") and w.xmid < resp_limit]
    if resp:
        cols.append(Column(RESPONSIBLE, sum(w.xmid for w in resp) / len(resp)))
    right_limit = max((c.center for c in cols), default=float("-inf"))
    just = [w for w in _label(head_words, "JUSTIFICACI") if w.xmid > right_limit] or _label(head_words, "OBSERVACION")
    if just:
        j = max(just, key=lambda w: w.x0)
        cols.append(Column(JUSTIFICATION, j.xmid))
    cols.sort(key=lambda c: c.center)
    return cols, body_top, head_lines, reported


def set_borders(cols: list[Column], page: Page, body_words: Sequence[Word], top: float, bottom: float) -> None:
    """Borders between neighbouring columns: a vertical rule, else the widest
    white stretch of the body between their label centres, else the midpoint."""
    vx = vertical_edges(page.rules, top, bottom)
    for a, b in zip(cols, cols[1:]):
        lo, hi = a.center + 2, b.center - 2
        mid = (a.center + b.center) / 2
        cut = None
        inside = [x for x in vx if lo < x < hi]
        if inside:
            cut = min(inside, key=lambda x: abs(x - mid))
        else:
            spans = [(w.x0, w.x1) for w in body_words if w.x1 > lo and w.x0 < hi]
            gap = _largest_gap(spans, lo, hi)
            if gap is not None and gap[1] - gap[0] >= 1.0:
                cut = (gap[0] + gap[1]) / 2
        a.x1 = b.x0 = cut if cut is not None else mid


# --------------------------------------------------------------------------
# body rows
# --------------------------------------------------------------------------

def _table_bottom(page: Page, lines: Sequence[TextLine], top: float) -> float:
    bottom = page.height
    for line in lines:
        if line.top <= top:
            continue
        f = line.folded
        if any(f.startswith(s) or f" {s}" in f for s in _SIGNATURE_WORDS) and len(f) < 120:
            bottom = min(bottom, line.top - 0.5)
            break
    return bottom


def _anchors(body: Sequence[Word], cols: dict[str, Column]) -> list[Box]:
    level = cols.get(LEVEL)
    out: list[Word] = []
    if level is not None:
        out = [w for w in body if level.holds(w) and level_of(w.text)]
    if not out and CODE in cols:
        out = [w for w in body if cols[CODE].holds(w) and OBJECTIVE_CODE.match(w.text) and "." in w.text]
    if not out and OBJECTIVE in cols:
        obj = cols[OBJECTIVE]
        out = [w for w in body if obj.holds(w) and OBJECTIVE_CODE.match(w.text) and "." in w.text]
        # a code is the first word of its line within the column
        out = [w for w in out if not any(o.holds(v) and abs(v.ymid - w.ymid) < w.height * 0.5 and v.x1 < w.x0 for o in (obj,) for v in body)]
    out.sort(key=lambda w: w.top)
    merged: list[Word] = []
    for w in out:
        if merged and abs(w.ymid - merged[-1].ymid) < w.height * 0.6:
            continue
        merged.append(w)
    return merged


def row_bands(page: Page, body: Sequence[Word], anchors: Sequence[Box], top: float, bottom: float,
              x0: float, x1: float) -> tuple[Optional[tuple[float, float]], list[tuple[float, float]]]:
    """(top, bottom) of each anchored row, and of the band above the first
    anchor that a rule closes off (the rest of a row begun on the page before)."""
    edges = horizontal_edges(page.rules, x0, x1)
    width = x1 - x0
    spans = [(w.top, w.bottom) for w in body]
    lh = _median([w.height for w in body], 6.0)
    lead: Optional[tuple[float, float]] = None
    first = anchors[0]
    ruled = [y for y, c in edges if top + lh < y <= first.top + 0.5 and c >= 0.5 * width]
    if ruled and any(top < w.ymid < max(ruled) for w in body):
        lead = (top, max(ruled))
        top = max(ruled)
    cuts: list[float] = []
    for a, b in zip(anchors, anchors[1:]):
        lo, hi = a.bottom, b.top
        ruled = [(y, c) for y, c in edges if lo - 0.5 <= y <= hi + 0.5 and c >= 0.5 * width]
        if ruled:
            cuts.append(max(ruled, key=lambda e: (e[1], e[0]))[0])
            continue
        gap = _largest_gap(spans, lo, hi)
        cuts.append((gap[0] + gap[1]) / 2 if gap else (lo + hi) / 2)
    # the last row ends at a rule under it or before a wide blank band
    last = anchors[-1]
    end = bottom
    ruled = [y for y, c in edges if last.bottom < y <= bottom and c >= 0.5 * width]
    if ruled:
        end = min(ruled)
    else:
        below = sorted(s for s in spans if s[0] > last.top)
        cur = last.bottom
        for s_top, s_bottom in below:
            if s_top - cur > 2.5 * lh:
                break
            cur = max(cur, s_bottom)
        end = min(end, cur + 0.5)
    tops = [top] + cuts
    bottoms = cuts + [end]
    return lead, list(zip(tops, bottoms))


def cell_text(words: Sequence[Word]) -> Optional[str]:
    if not words:
        return None
    out: list[str] = []
    for line in group_lines(list(words), stacked_apart=True):
        t = line.text
        if out and out[-1].endswith("-") and len(out[-1]) > 1 and out[-1][-2].isalpha() and t[:1].islower():
            # a word hyphenated at the cell border keeps its hyphen ("co-creación")
            out[-1] = out[-1] + t
        else:
            out.append(t)
    return " ".join(" ".join(out).split()) or None


def _header_start(page: Page, lines: Sequence[TextLine]) -> Optional[TextLine]:
    """The title line, or for a table printed without it, an empty line just
    above the first header label row."""
    title = find_title(lines)
    if title is not None:
        return title
    quarters = _quarter_labels(page.words, 0.0)
    if len(quarters) < 2:
        return None
    q_top = min(t.top for t, _ in quarters)
    lh = _median([w.height for w in page.words], 6.0)
    start = q_top
    for line in sorted((l for l in lines if l.top < q_top), key=lambda l: -l.top):
        if start - line.bottom > 2 * lh or not all(_upper(w) or w.text.isdigit() for w in line.words):
            break
        start = line.top
    return TextLine(x0=0.0, top=start - 0.6, x1=0.0, bottom=start - 0.5, words=())


# The table's columns as concepts, whatever their order and wording; the quarters'
# columns come from their headers (`META PROGRAMADA > TRIMESTRE 2`, `2do trim. > Alcanzada`).
CONCEPTS: tuple[Concept, ...] = (
    Concept(RESPONSIBLE, ("Unidad administrativa responsable", "Unidad responsable", "Área responsable",
                          "Dependencia responsable", "Área ejecutora", "Unidad ejecutora"), "text"),
    Concept(LEVEL, ("Nivel", "Nivel de la MIR", "Nivel de objetivo"), "choice", tuple(LEVELS.values())),
    Concept(OBJECTIVE, ("Objetivos", "Objetivo", "Resumen narrativo"), "text", min_words=3),
    Concept(CODE, ROW_KEY_LABELS + ("Código", "Clave del objetivo"),
            # (its own header cell: the group label `INDICADOR` stands over every column of the row)
            "key", avoid_own=("unidad", "medida", "indicador", "programa", "presupuestario")),
    Concept(INDICATOR, ("Indicador", "Nombre del indicador", "Indicadores", "Denominación del indicador"), "text",
            avoid=("unidad", "medida", "frecuencia", "objetivo", "objetivos")),
    Concept(FREQUENCY, ("Frecuencia de medición", "Frecuencia", "Periodicidad"), "choice", FREQUENCIES),
    Concept(UNITS, ("Unidad de medida del indicador y unidad de medida de sus variables", "Unidad de medida",
                    "Unidades de medida"), "text"),
    Concept(ANNUAL, ("Meta anual", "Anual", "Meta programada anual", "Meta anual programada", "Programado anual"),
            "number"),
    Concept(ACHIEVED, ("Meta alcanzada", "Alcanzada", "Realizado", "Meta realizada", "Logro", "Valor alcanzado"),
            "number",
            avoid=("porcentaje", "%")),
    Concept(PCT_PERIOD, ("Porcentaje de avance trimestral", "% de avance trimestral", "Avance trimestral",
                         "% de cumplimiento trimestral", "Porcentaje de cumplimiento trimestral"),
            "percent", avoid=("acumulado",)),
    Concept(PCT_CUMULATIVE, ("Porcentaje de avance acumulado", "% de avance acumulado", "Avance acumulado",
                             "% de cumplimiento acumulado", "Porcentaje de cumplimiento acumulado"),
            "percent"),
    Concept(JUSTIFICATION, ("Justificación", "Observaciones", "Justificación trimestral", "Comentarios",
                            "Causas de la variación", "Justificación de la variación"), "text"),
)
_PERIOD_KIND_COLUMN = {"A": ACHIEVED, "%": PCT_PERIOD, "%acc": PCT_CUMULATIVE}


_JUSTIFICATION_WORDS = tuple({fold(l.split()[0]) for c in CONCEPTS if c.name == JUSTIFICATION for l in c.labels})


def _justification_header(path: str) -> bool:
    """`JUSTIFICACIÓN PRIMER TRIMESTRE` names a quarter but heads text, not the quarter's figures."""
    return any(w in fold(path) for w in _JUSTIFICATION_WORDS)


def concept_columns(page: Page, lines: Sequence[TextLine], title: TextLine
                    ) -> Optional[tuple[list[Column], float, list[TextLine], Optional[int], Table]]:
    """Columns from the table reader, named by what their headers say and their cells
    hold; None when no table under the title maps to a MIR table."""
    return _copy_columns(_concept_columns(page, lines, title))


def _copy_columns(answer: Optional[tuple]) -> Optional[tuple]:
    """Columns are mutable (borders are set on them): each caller gets its own."""
    if answer is None:
        return None
    cols, top, head, reported, table = answer
    return [Column(c.name, c.center, c.x0, c.x1, c.index) for c in cols], top, head, reported, table


@per_page(64, key=lambda lines, title: title.bottom)  # detection and parsing ask the same page
def _concept_columns(page: Page, lines: Sequence[TextLine], title: TextLine
                     ) -> Optional[tuple[list[Column], float, list[TextLine], Optional[int], Table]]:
    best = None
    for table in read_tables(page):
        if table.box.bottom <= title.bottom:
            continue
        periods = {k: col for k, col in period_columns(table).items() if not _justification_header(table.header_paths[col])}
        matches = match_columns(table, CONCEPTS, exclude=frozenset(periods.values()))
        found = len(matches) + len(periods)
        if {LEVEL, OBJECTIVE} & set(matches) and any(k == "P" for _, k in periods) and \
                (best is None or found > best[0]):
            best = (found, table, matches, periods)
    if best is None:
        return None
    _, table, matches, periods = best
    cols: dict[str, Column] = {}
    for name, m in matches.items():
        x0, x1 = table.column_extent(m.column)
        cols[name] = Column(name, (x0 + x1) / 2, x0, x1, m.column)
    reported = None
    for (quarter, kind), col in sorted(periods.items()):
        name = quarter_column(quarter) if kind == "P" else _PERIOD_KIND_COLUMN.get(kind)
        if name is None:
            continue
        x0, x1 = table.column_extent(col)
        cols[name] = Column(name, (x0 + x1) / 2, x0, x1, col)  # the latest reported quarter wins
        if kind == "A":
            reported = quarter
    body_top = table.body_top() - 0.5
    # the header is the table's own (a report title above it is not)
    head_top = max(title.bottom, table.box.top) - 0.5
    head_lines = [l for l in lines if l.top >= head_top and l.bottom <= body_top + 0.5]
    return sorted(cols.values(), key=lambda c: c.center), body_top, head_lines, reported, table


def code_joined(row: RawRow) -> RawRow:
    """A row whose objective's code stands in a column of its own, read as the templates
    that print it before the objective (`2.1.1: Contribuir a ...`) are. A code column the
    reader took into the objective's (a scan's columns found by white space) shows as a
    code left of all the cell's text, wherever its line falls among the text's."""
    code = row.cells.pop(CODE, None)
    words = row.words.get(OBJECTIVE, [])
    if not code and words:
        codes = [w for w in words if CODE_LIKE.match(w.text.strip())]
        text = [w for w in words if w not in codes]
        if len(codes) == 1 and text and codes[0].x1 < min(w.x0 for w in text) - 2:
            code, row.words[CODE] = codes[0].text, codes
            row.words[OBJECTIVE] = text
            row.cells[OBJECTIVE] = cell_text(text) or ""
    if code:
        objective = row.cells.get(OBJECTIVE)
        row.cells[OBJECTIVE] = f"{code}: {objective}" if objective else code
        row.words[OBJECTIVE] = row.words.pop(CODE, []) + row.words.get(OBJECTIVE, [])
    return row


def grid_rows(table: Table, cols: Sequence[Column], quarters: tuple[int, ...]) -> list[RawRow]:
    """A ruled table's body rows as raw rows: each named column's cell."""
    rows = []
    for r in table.body_rows():
        row = RawRow(page=table.page, quarters=quarters)
        for c in cols:
            cell = table.cell_at(r, c.index) if c.index is not None else None
            text = cell_text(cell.words) if cell is not None else None
            if text:
                row.cells[c.name] = text
                row.words[c.name] = list(cell.words)
        if row.cells:
            rows.append(code_joined(row))
    return rows


def _anchored(row: RawRow) -> bool:
    return bool(level_of(row.cells.get(LEVEL) or "") or OBJECTIVE_CODE.match(row.cells.get(OBJECTIVE) or ""))


def _untitled_columns(page: Page, lines: Sequence[TextLine]
                      ) -> Optional[tuple[TextLine, tuple[list[Column], float, list[TextLine], Optional[int], Table]]]:
    """A table with neither a title nor quarter labels this module knows: the reader's
    table whose columns map to a MIR table, if the page has one. Returns a stand-in
    title line just above its header, and its columns (found once, for both)."""
    anywhere = TextLine(x0=0.0, top=-1.0, x1=0.0, bottom=-0.5, words=())
    found = concept_columns(page, lines, anywhere)
    if found is None or not {LEVEL, OBJECTIVE, INDICATOR} <= {c.name for c in found[0]}:
        return None
    top = min((l.top for l in found[2]), default=found[1])
    return TextLine(x0=0.0, top=top - 0.6, x1=0.0, bottom=top - 0.5, words=()), found


def read_page(page: Page) -> Optional[PageTable]:
    lines = group_lines(page.words)
    title = _header_start(page, lines)
    if title is not None:
        by_concepts = concept_columns(page, lines, title)
    elif page.source == "ocr":
        return None  # OCR'd pages have their own reader (read_page_ocr)
    else:
        # a title worded otherwise, quarters spelled otherwise: the table says what it is
        untitled = _untitled_columns(page, lines)
        if untitled is None:
            return None
        title, by_concepts = untitled
    above = [l for l in lines if l.bottom <= title.top + 0.5]
    cols, body_top, head_lines, reported, table = by_concepts or (*find_columns(page, lines, title), None)
    quarters = tuple(sorted(int(c.name[1]) for c in cols if re.fullmatch(r"q[1-4]", c.name)))
    if table is not None and table.ruled and page.source != "ocr":
        # a table ruled row by row: its rows are the reader's (each starts with a level or a code;
        # only the first may be the rest of a row begun on the page before). OCR'd pages keep
        # their own row reading for now.
        rows = grid_rows(table, cols, quarters)
        if rows and all(_anchored(r) for r in rows[1:]):
            return PageTable(title, head_lines, above, cols, rows, reported)
    if not cols:
        return PageTable(title, head_lines, above, [], [], None)
    bottom = _table_bottom(page, lines, body_top)
    if by_concepts is None:
        set_borders(cols, page, [w for w in page.words if body_top < w.ymid < bottom], body_top, bottom)
    rows = _band_rows(page, lines, cols, quarters, body_top, bottom, title.bottom)
    return PageTable(title, head_lines, above, cols, rows, reported)


def _band_rows(page: Page, lines: Sequence[TextLine], cols: Sequence[Column], quarters: tuple[int, ...],
               body_top: float, bottom: float, above: float) -> list[RawRow]:
    """The rows between `body_top` and `bottom`, each anchored by a level word or an
    objective code, their cells by the columns' borders."""
    table_x0 = min(l.x0 for l in lines if l.top > above)
    table_x1 = max(l.x1 for l in lines if l.top > above)
    body = [w for w in page.words if body_top < w.ymid < bottom]
    anchors = _anchors(body, {c.name: c for c in cols})
    rows: list[RawRow] = []
    if anchors:
        lead, bands = row_bands(page, body, anchors, body_top, bottom, table_x0, table_x1)
        for i, (top, bot) in enumerate(([lead] if lead else []) + bands):
            inside = [w for w in body if top <= w.ymid < bot]
            row = RawRow(page=page.number, quarters=quarters, continuation=bool(lead) and i == 0)
            for c in cols:
                words = [w for w in inside if c.holds(w)]
                text = cell_text(words)
                if text:
                    row.cells[c.name] = text
                    row.words[c.name] = words  # where the cell was read (provenance)
            rows.append(code_joined(row))
    return rows


def read_continued(page: Page, before: PageTable) -> Optional[PageTable]:
    """A page with neither title nor header whose rows go on from the table of the page
    before (a spreadsheet printed without its titles repeated): read in that table's
    columns, from the page's first line to its signatures."""
    if not before.columns or not before.rows:
        return None
    lines = group_lines(page.words)
    if not lines:
        return None
    body_top = lines[0].top - 0.5
    quarters = before.rows[0].quarters
    rows = _band_rows(page, lines, before.columns, quarters, body_top, _table_bottom(page, lines, body_top),
                      body_top)
    if not any(_anchored(r) for r in rows):
        return None
    return PageTable(None, [], [], before.columns, rows, before.reported_quarter, ocr=before.ocr)


# --------------------------------------------------------------------------
# OCR pages: ruling lines, white space and the family's column order
# --------------------------------------------------------------------------
#
# On a scan the header labels are often unreadable (grey fills, small type),
# so an OCR'd page is read from sturdier evidence: the level words of the body
# (Fin / Propósito / Componente / Actividad) find the rows and the level
# column; the column borders come from the vertical ruling lines (of the body,
# or of the header's last label row when only the header is ruled), else from
# the white rivers between the body's words; the columns are then named by
# aligning them, left to right, with the order a MIR table prints them in,
# scored by what each column holds (level words, objective codes, acronyms,
# frequencies, unit labels, figures, percentages, justifications).

QUARTER_COLUMNS = tuple(quarter_column(n) for n in range(1, 5))
COLUMN_ORDER = (RESPONSIBLE, LEVEL, OBJECTIVE, INDICATOR, FREQUENCY, UNITS, ANNUAL, *QUARTER_COLUMNS,
                ACHIEVED, PCT_PERIOD, PCT_CUMULATIVE, JUSTIFICATION)
NUMBER_COLUMNS = (ANNUAL, *QUARTER_COLUMNS, ACHIEVED)
PERCENT_COLUMNS = (PCT_PERIOD, PCT_CUMULATIVE)
TEXT_COLUMNS = (RESPONSIBLE, OBJECTIVE, INDICATOR, UNITS, JUSTIFICATION)
# An objective code as OCR reads it: digits with dots, commas or colons, dots lost.
CODE_LIKE = re.compile(r"^\d{1,2}(?:[.,:;]{1,2}\d{1,3}){1,7}[.,:;'´`’]*$|^[1-9]\d{3,7}[.:;]?$")
# (a bare 4-digit figure may be a year of the header: never a code on its own)
_ORDINALS = {"PRIMER": 1, "PRIMERO": 1, "SEGUNDO": 2, "TERCER": 3, "TERCERO": 3, "CUARTO": 4}
_HEADER_KEYS = {
    RESPONSIBLE: ("RESPONSABLE", "ADMINISTRATIVA"),
    LEVEL: ("NIVEL",),
    OBJECTIVE: ("OBJETIVOS",),
    FREQUENCY: ("FRECUENCIA", "RECOMENDACIONES", "MEDICION"),
    UNITS: ("VARIABLES",),
    ANNUAL: ("ANUAL",),
    JUSTIFICATION: ("JUSTIFICACION", "RESULTADOS"),
    PCT_CUMULATIVE: ("ACUMULADO",),
    ACHIEVED: ("ALCANZADA", "ALCANZADO", "REALIZADO", "REALIZADA", "LOGRO"),
}


def _letters(text: str) -> str:
    return re.sub(r"[^A-Z]", "", fold(text))


def fuzzy_level(text: str) -> Optional[str]:
    """A level word read with OCR noise (`Actividad`, `actividad`, `*tividad`, `Acimdad`)."""
    exact = level_of(text)
    if exact:
        return exact
    t = _letters(text)
    if len(t) == 3 and t[0] == "F" and (t[1] in "IL" or t[2] == "N"):
        return LEVELS["FIN"]  # one letter of three misread (`Fia`, `Fln`): the only level that short
    if len(t) < 6:
        return None
    best = max(("PROPOSITO", "COMPONENTE", "ACTIVIDAD"), key=lambda name: fuzz.ratio(t, name))
    return LEVELS[best] if fuzz.ratio(t, best) >= 75 else None


def fuzzy_frequency(text: Optional[str], cutoff: float = 80) -> Optional[str]:
    """The frequency word a cell holds, from a closed vocabulary (None if none is close)."""
    if not text:
        return None
    t = _letters(text)
    if len(t) < 4:
        return None
    best = max(FREQUENCIES, key=lambda f: fuzz.ratio(t, fold(f)))
    return best if fuzz.ratio(t, fold(best)) >= cutoff else None


def _fuzzy_in(word: str, keys: Sequence[str], cutoff: float = 80) -> bool:
    t = _letters(word)
    return len(t) >= 3 and any(fuzz.ratio(t, k) >= cutoff for k in keys)




def _is_speck(w: Word) -> bool:
    """Punctuation and single letters OCR finds in dirt and ruling remnants."""
    t = w.text.strip()
    if not any(c.isalnum() for c in t):
        return True
    return len(t) == 1 and not t.isdigit()


def _vertical_separators(page: Page, top: float, bottom: float, x0: float, x1: float, lh: float) -> list[float]:
    """x of the vertical ruling lines that separate columns at the header's last
    row or in the body (interior ones only)."""
    xs: list[float] = []
    for r in page.rules:
        # a column rule crosses the header's bottom edge (ruled body) or ends on
        # it (only the header ruled); strokes of letters and stamps do neither
        if r.height < 4 * lh or r.bottom < top - 2 or r.top > top + 2:
            continue
        if r.height > 0.9 * page.height:  # the scanner's page edge
            continue
        cands = (r.xmid,) if r.width <= 4 else (r.x0, r.x1)
        xs.extend(x for x in cands if x0 + 4 < x < x1 - 4)
    return [sum(c) / len(c) for c in cluster_positions(xs, 4.0)]


def _rivers(words: Sequence[Word], x0: float, x1: float) -> list[float]:
    """x of the white stretches no body word crosses (the columns' gutters)."""
    spans = sorted((w.x0, w.x1) for w in words if not _is_speck(w))
    out: list[float] = []
    cur = x0
    for a, b in spans:
        if a > cur + 1.0 and cur > x0:
            out.append((cur + a) / 2)
        cur = max(cur, b)
    return [x for x in out if x0 + 4 < x < x1 - 4]


@dataclass
class _Evidence:
    level: float = 0.0
    code: float = 0.0
    acronym: float = 0.0
    frequency: float = 0.0
    units: float = 0.0
    justification: float = 0.0
    numeric: float = 0.0
    percent: float = 0.0
    text: float = 0.0
    header: dict[str, float] = field(default_factory=dict)


def _evidence(words: Sequence[Word], head: Sequence[Word], n_rows: int) -> _Evidence:
    ev = _Evidence()
    toks = [w for w in words if not _is_speck(w)]
    if toks:
        rows = max(1, n_rows)
        ev.level = min(1.0, sum(1 for w in toks if fuzzy_level(w.text)) / rows)
        firsts = [l.words[0] for l in group_lines(toks)]
        ev.code = min(1.0, sum(1 for w in firsts if CODE_LIKE.match(w.text.strip())) / rows)
        ev.acronym = min(1.0, sum(1 for w in firsts if re.fullmatch(r"[A-Z0-9]{2,12}[:;.]?", w.text.strip())
                                  and sum(c.isalpha() for c in w.text) >= 2) / rows)
        ev.frequency = min(1.0, sum(1 for w in toks if fuzzy_frequency(w.text)) / rows)
        ev.units = min(1.0, sum(1 for w in toks if _fuzzy_in(w.text, ("UNIDAD", "MEDIDA"))) / (2 * rows))
        ev.justification = min(1.0, sum(1 for w in toks if _fuzzy_in(w.text, ("JUSTIFICACION",))) / rows)
        numeric = [w for w in toks if _numeric_token(w.text)]
        ev.numeric = len(numeric) / len(toks)
        ev.percent = (sum(1 for w in numeric if re.search(r"%|\.\d\d[48]$", w.text.strip())) / len(numeric)
                      if numeric else 0.0)
        ev.text = sum(1 for w in toks if sum(c.isalpha() for c in w.text) >= 2) / len(toks)
    for name, keys in _HEADER_KEYS.items():
        ev.header[name] = 1.0 if any(_fuzzy_in(w.text, keys, 75) for w in head) else 0.0
    return ev


def _numeric_token(text: str) -> bool:
    t = text.strip()
    digits = sum(c.isdigit() for c in t)
    return digits >= 1 and digits >= 0.6 * len(t.rstrip("%"))


def _score(name: str, ev: _Evidence) -> float:
    head = 0.5 * ev.header.get(name, 0.0)
    if name in NUMBER_COLUMNS:  # a column of percentages is none of the targets
        return head + 2 * ev.numeric - 3 * ev.percent - 2 * ev.text
    if name in PERCENT_COLUMNS:  # figures whose % OCR lost still may be
        return head + 2 * ev.numeric + 2 * ev.percent - 1 - 2 * ev.text
    base = head - 2 * ev.numeric
    if name == LEVEL:
        return base + 3 * ev.level
    if name == OBJECTIVE:
        return base + 3 * ev.code
    if name == INDICATOR:
        return base + 2 * ev.acronym + 0.3 * ev.text - ev.level - ev.units
    if name == FREQUENCY:
        return base + 3 * ev.frequency
    if name == UNITS:
        return base + 3 * ev.units
    if name == JUSTIFICATION:
        return base + 3 * ev.justification + 0.3 * ev.text
    if name == RESPONSIBLE:
        return base + 0.5 * ev.text - ev.level - ev.code - ev.units - ev.justification
    return base


def name_intervals(evidence: Sequence[_Evidence]) -> list[Optional[str]]:
    """Names for the intervals: in the family's usual column order (the monotone
    assignment with the best total score), unless that order leaves a column
    whose cells say plainly what it is unnamed and naming the text columns in any
    order scores clearly better (a template that moves the unit, the responsible
    area or the justification elsewhere)."""
    ordered = _ordered_names(evidence)
    scores = [[_score(name, ev) for name in COLUMN_ORDER] for ev in evidence]
    if not any(name is None and max(row) >= _PLAIN for name, row in zip(ordered, scores)):
        return ordered
    free, total = _free_text_names(scores)
    if total > _total(ordered, scores) + _PLAIN / 2:
        return free
    return ordered


# A column whose cells score this much for a name says plainly what it holds.
_PLAIN = 1.0
_FIGURE_NAMES = tuple(n for n in COLUMN_ORDER if n in NUMBER_COLUMNS or n in PERCENT_COLUMNS)
_TEXT_NAMES = tuple(n for n in COLUMN_ORDER if n not in _FIGURE_NAMES)
_TARGET_NAMES = tuple(n for n in COLUMN_ORDER if n in NUMBER_COLUMNS and n != ACHIEVED)
_FLOATING_NAMES = (ACHIEVED,) + tuple(n for n in COLUMN_ORDER if n in PERCENT_COLUMNS)


def _total(names: Sequence[Optional[str]], scores: Sequence[Sequence[float]]) -> float:
    return sum(row[COLUMN_ORDER.index(n)] for n, row in zip(names, scores) if n is not None)


# Naming a figure column out of its usual place costs this much (the cumulative
# percentage before the period's, the achieved target before the targets): only what
# the headers say (`ACUMULADO`, `ALCANZADA`) puts them elsewhere.
_OUT_OF_PLACE = 0.01


def _free_text_names(scores: Sequence[Sequence[float]]) -> tuple[list[Optional[str]], float]:
    """The best naming where the targets keep their order (annual target, quarters),
    the achieved target and the percentages stand anywhere among them (in their usual
    order unless the headers say otherwise), and each text column anywhere: (names,
    total score). Exact, over (targets named so far, the others used, text names used)
    states."""
    num_idx = [COLUMN_ORDER.index(n) for n in _TARGET_NAMES]
    free_idx = [COLUMN_ORDER.index(n) for n in _FLOATING_NAMES]
    text_idx = [COLUMN_ORDER.index(n) for n in _TEXT_NAMES]
    # state (next target place, floating names and text names used as bit masks)
    # -> (total, names so far)
    State = tuple[int, int, int]
    states: dict[State, tuple[float, tuple[Optional[str], ...]]] = {(0, 0, 0): (0.0, ())}
    for row in scores:
        nxt: dict[State, tuple[float, tuple[Optional[str], ...]]] = {}

        def offer(key: State, total: float, names: tuple[Optional[str], ...]) -> None:
            if key not in nxt or total > nxt[key][0] + 1e-9:
                nxt[key] = (total, names)

        for (f, p, mask), (total, names) in states.items():
            offer((f, p, mask), total, names + (None,))
            for g in range(f, len(num_idx)):
                s = row[num_idx[g]]
                if s > 0:
                    offer((g + 1, p, mask), total + s, names + (_TARGET_NAMES[g],))
            for g, j in enumerate(free_idx):
                s = row[j]
                if s > 0 and not p >> g & 1:
                    early = any(not p >> h & 1 for h in range(g)) or f < len(num_idx)
                    offer((f, p | 1 << g, mask), total + s - _OUT_OF_PLACE * early, names + (_FLOATING_NAMES[g],))
            for t, j in enumerate(text_idx):
                s = row[j]
                if s > 0 and not mask >> t & 1:
                    offer((f, p, mask | 1 << t), total + s, names + (_TEXT_NAMES[t],))
        states = nxt
    total, names = max(states.values(), key=lambda v: v[0])
    return list(names), total


def _ordered_names(evidence: Sequence[_Evidence]) -> list[Optional[str]]:
    """The monotone assignment, in the family's usual column order, with the best
    total score (names and intervals may go unmatched)."""
    m, k = len(evidence), len(COLUMN_ORDER)
    NEG = float("-inf")
    best = [[NEG] * (k + 1) for _ in range(m + 1)]
    back: list[list[Optional[str]]] = [[None] * (k + 1) for _ in range(m + 1)]
    for j in range(k + 1):
        best[0][j] = 0.0
        back[0][j] = "name" if j else None
    for i in range(1, m + 1):
        best[i][0], back[i][0] = 0.0, "interval"
        for j in range(1, k + 1):
            options = [(best[i - 1][j], "interval"), (best[i][j - 1], "name")]
            s = _score(COLUMN_ORDER[j - 1], evidence[i - 1])
            if s > 0:
                options.append((best[i - 1][j - 1] + s, "match"))
            best[i][j], back[i][j] = max(options, key=lambda o: o[0])
    names: list[Optional[str]] = [None] * m
    i, j = m, k
    while i > 0 and j > 0:
        step = back[i][j]
        if step == "match":
            names[i - 1] = COLUMN_ORDER[j - 1]
            i, j = i - 1, j - 1
        elif step == "interval":
            i -= 1
        else:
            j -= 1
    return names


def _table_extent(page: Page, words: Sequence[Word]) -> tuple[float, float]:
    wide = [r for r in page.rules if r.width >= 0.4 * page.width and r.height < 0.9 * page.height]
    if wide:
        return min(r.x0 for r in wide), max(r.x1 for r in wide)
    real = [w for w in words if not _is_speck(w)]
    return min(w.x0 for w in real) - 2, max(w.x1 for w in real) + 2


def _header_like(words: Sequence[Word]) -> bool:
    alpha = [w for w in words if sum(c.isalpha() for c in w.text) >= 2]
    return not alpha or sum(1 for w in alpha if _upper(w)) >= 0.6 * len(alpha)


def _body_like(words: Sequence[Word]) -> bool:
    """Body prose (a row's text broken over from the page before), not header
    labels read badly: mostly lower-case words."""
    alpha = [w for w in words if sum(c.isalpha() for c in w.text) >= 3]
    lower = [w for w in alpha if not _upper(w)]
    return len(lower) >= 3 and len(lower) >= 0.7 * len(alpha)


def _ocr_body_top(page: Page, lines: Sequence[TextLine], first_top: float, x0: float, x1: float,
                  above_bottom: float, lh: float) -> float:
    """The header's bottom: the lowest full-width rule above the first row whose
    band above is header (capitals), stepping over a band of body text (a row
    broken over from the page before); else below the last capitals line."""
    width = x1 - x0
    edges = sorted(y for y, c in horizontal_edges(page.rules, x0, x1)
                   if c >= 0.5 * width and above_bottom - 0.5 < y < first_top - 0.3 * lh)
    top = above_bottom
    if edges:
        top = edges[-1]
        for upper in reversed(edges[:-1]):
            band = [w for w in page.words if upper < w.ymid < top and x0 <= w.xmid <= x1 and not _is_speck(w)]
            if not _body_like(band):
                break
            top = upper
        if top < edges[-1]:
            return top  # a row broken over from the page before starts the body
    # below the last rule (or the top block), the header's lines of capitals: an
    # unruled table under a ruled block prints its header between the two
    above_rows = top
    for line in lines:
        if above_rows < line.top and line.bottom < first_top - 0.3 * lh:
            real = [w for w in line.words if not _is_speck(w)]
            if real and _header_like(real):
                top = max(top, line.bottom + 0.5)
    return top


def without_label(line: TextLine) -> TextLine:
    """A header line printed with its label (`PROGRAMA PRESUPUESTARIO: E-PP 2.1 ...`):
    the words after the label; else the line."""
    for i, w in enumerate(line.words[:5]):
        if w.text.endswith((":", ";")) and i + 1 < len(line.words) and \
                all(_upper(v) or not any(c.isalnum() for c in v.text) for v in line.words[:i + 1]):
            return make_line(line.words[i + 1:])
    return line


def top_block(lines: Sequence[TextLine]) -> list[TextLine]:
    """The `EJE ... / E-PP ... / agency` lines at the top of a page (OCR noise
    allowed in the first word): from the axis line (or the program line) down
    while the lines stay left-aligned and close together. Lines printed with
    labels give the words after them."""
    def kind(line: TextLine) -> Optional[str]:
        ws = without_label(line).words
        if len(ws) < 2 or not re.match(r"^\d", ws[1].text):
            return None
        first = _letters(ws[0].text)
        if fuzz.ratio(first, "EPP") >= 66 or first == "PP":
            return "program"
        if fuzz.ratio(first, "EJE") >= 60 or first.endswith("JE"):
            return "axis"
        return None

    head = list(lines[:8])
    kinds = [kind(l) for l in head]
    start = None
    if "axis" in kinds:
        start = kinds.index("axis")
    elif "program" in kinds:
        i = kinds.index("program")
        start = i - 1 if i > 0 and head[i].top - head[i - 1].bottom < 1.5 * max(head[i].height, 4.0) else i
    if start is None:
        return []
    block = [head[start]]
    x0 = head[start].x0
    for line in lines[start + 1:]:
        prev = block[-1]
        if line.top - prev.bottom > 1.5 * max(prev.height, 4.0) or abs(line.x0 - x0) > 15:
            break
        block.append(line)
    return [without_label(l) for l in block]


# A header read well enough names the columns itself, whatever their order.
_NAMED_BY_HEADER = {RESPONSIBLE, LEVEL, OBJECTIVE, INDICATOR, FREQUENCY, UNITS, ANNUAL}


def _names_from_headers(page: Page, lines: Sequence[TextLine], intervals: Sequence[tuple[float, float]]
                        ) -> Optional[list[Optional[str]]]:
    """Each interval named after the concept column it overlaps most, when the table
    reader read the header well enough to name the table's main columns and quarters;
    else None (the columns are then named by what they hold, in the usual order)."""
    untitled = _untitled_columns(page, lines)
    if untitled is None:
        return None
    cols = untitled[1][0]
    named = {c.name for c in cols}
    if not _NAMED_BY_HEADER <= named or sum(c.name in QUARTER_COLUMNS for c in cols) < 3:
        return None
    names: list[Optional[str]] = []
    shares: dict[str, tuple[float, int]] = {}  # a name goes to the interval it covers most
    for i, (a, b) in enumerate(intervals):
        overlap = [(min(b, c.x1) - max(a, c.x0), c.name) for c in cols]
        best = max(overlap, default=(0.0, None))
        name = best[1] if best[0] > 0.5 * (b - a) else None
        if name is not None and name in shares:
            if shares[name][0] >= best[0]:
                name = None
            else:
                names[shares[name][1]] = None
        if name is not None:
            shares[name] = (best[0], i)
        names.append(name)
    wanted = {c.name for c in cols if c.name in _NAMED_BY_HEADER or c.name in QUARTER_COLUMNS}
    if not wanted <= set(names):
        return None  # the header's columns and the page's intervals disagree: trust neither alone
    return names


def _with_header_text_names(by_content: list[Optional[str]], by_header: Optional[list[Optional[str]]]
                            ) -> list[Optional[str]]:
    """The text columns named as the header names them (their order varies between
    templates, and their contents alike: names, units, frequencies); the figures'
    columns as what they hold says (the surer reading on a scan)."""
    if by_header is None:
        return by_content
    out = list(by_content)
    for i, name in enumerate(by_header):
        if name in TEXT_COLUMNS or name == FREQUENCY:
            out = [None if n == name else n for n in out]
            out[i] = name
    return out


def read_page_ocr(page: Page) -> Optional[PageTable]:
    """A MIR table on an OCR'd page, or None when the page holds no level words."""
    if not page.words:
        return None
    lines = group_lines(page.words)
    lh = _median([w.height for w in page.words if not _is_speck(w)], 6.0)
    block = top_block(lines)
    above_bottom = max((l.bottom for l in block), default=0.0)
    # the level column: the largest vertical run of level words
    levels = [w for w in page.words if w.top > above_bottom and fuzzy_level(w.text)]
    if not levels:
        return None
    groups = cluster_positions([w.xmid for w in levels], 25.0)
    lev_x = max(groups, key=len)
    lev_words = [w for w in levels if lev_x[0] <= w.xmid <= lev_x[-1]]
    first_top = min(w.top for w in lev_words)
    x0, x1 = _table_extent(page, [w for w in page.words if w.top > above_bottom])
    # codes print at the top of the objective cell, maybe above the level word
    lev_right = max(w.x1 for w in lev_words)
    codes = [w for w in page.words if w.top > above_bottom and lev_right - 5 < w.x0 < lev_right + 60
             and CODE_LIKE.match(w.text.strip()) and not re.fullmatch(r"(19|20)\d\d", w.text.strip())]
    if codes:
        code_x = max(cluster_positions([w.x0 for w in codes], 6.0), key=len)
        first_top = min([first_top] + [w.top for w in codes if code_x[0] <= w.x0 <= code_x[-1]])
    body_top = _ocr_body_top(page, lines, first_top, x0, x1, above_bottom, lh)
    bottom = _table_bottom(page, lines, body_top)
    body = [w for w in page.words if body_top < w.ymid < bottom and x0 - 2 <= w.xmid <= x1 + 2]
    head = [w for w in page.words if above_bottom < w.ymid < body_top and x0 - 2 <= w.xmid <= x1 + 2]
    seps = _vertical_separators(page, body_top, bottom, x0, x1, lh)
    if len(seps) < 6:
        seps = sorted(seps + [x for x in _rivers(body, x0, x1) if all(abs(x - s) > 4 for s in seps)])
        seps = sorted(seps + _reader_borders(page, body, seps, body_top, bottom, x0, x1, lh))
    borders = [x0] + seps + [x1]
    intervals = list(zip(borders, borders[1:]))
    n_rows = len(cluster_positions([w.ymid for w in lev_words], lh))
    evidence = [_evidence([w for w in body if a <= w.xmid < b], [w for w in head if a <= w.xmid < b], n_rows)
                for a, b in intervals]
    names = _with_header_text_names(name_intervals(evidence), _names_from_headers(page, lines, intervals))
    cols = _merge_unnamed(intervals, names, evidence)
    if not cols:
        return None
    by_name = {c.name: c for c in cols}
    anchors = _ocr_anchors(body, by_name, lh)
    if anchors and OBJECTIVE in by_name and LEVEL in by_name:
        anchors = _add_code_anchors(page, body, anchors, by_name[OBJECTIVE], body_top, bottom, x0, x1, lh)
    quarters = tuple(int(c.name[1]) for c in cols if c.name in QUARTER_COLUMNS)
    rows: list[RawRow] = []
    if anchors:
        lead, bands = row_bands(page, body, anchors, body_top, bottom, x0, x1)
        for i, (top, bot) in enumerate(([lead] if lead else []) + bands):
            inside = [w for w in body if top <= w.ymid < bot]
            row = RawRow(page=page.number, quarters=quarters, continuation=bool(lead) and i == 0, ocr=True)
            for c in cols:
                words = [w for w in inside if c.holds(w)]
                if c.name not in TEXT_COLUMNS:
                    words = [w for w in words if not _is_speck(w) or w.text.strip().isdigit()]
                text = cell_text(words)
                if text:
                    row.cells[c.name] = text
                    row.words[c.name] = words
                elif (c.name in NUMBER_COLUMNS or c.name in PERCENT_COLUMNS) and not row.continuation:
                    # figures print on the row's first lines: its place there, to be read again
                    row.places[c.name] = (c.x0, top, c.x1, min(bot, top + 4 * lh))
            if not row.continuation:
                anchor = anchors[i - (1 if lead else 0)]
                row.level = fuzzy_level(anchor.text)
            rows.append(code_joined(row))
    head_lines = group_lines(head)
    table = PageTable(None, head_lines, list(block), cols, rows, ocr_reported_quarter(head, by_name))
    table.ocr = True
    return table


# words OCR may run across a column border (a stray quote mark joined to the next word)
_STRADDLERS = 2


def _reader_borders(page: Page, body: Sequence[Word], seps: Sequence[float], top: float, bottom: float,
                    x0: float, x1: float, lh: float) -> list[float]:
    """Column borders the white space between the body's words does not show (a
    tight template, Courier cells that run into each other on a scan), from the
    table reader's columns (header cells' extents, figures' alignment) under the
    same body: each border no body word runs across (OCR slips aside), away from the borders found,
    and with words on both sides on one line somewhere (a border that halves a
    column of right-aligned figures has no line with words on both sides)."""
    tables = [t for t in read_tables(page) if t.box.top < bottom and t.box.bottom > top and t.n_cols >= 6]
    if not tables:
        return []
    table = max(tables, key=lambda t: min(t.box.bottom, bottom) - max(t.box.top, top))
    # the reader's table's own rows (not a signature block under it)
    real = [w for w in body if not _is_speck(w) and table.box.top <= w.ymid <= table.box.bottom]
    found = [x0, *seps, x1]
    cands = [x for x in (table.column_extent(c)[1] for c in range(table.n_cols - 1))
             if x0 + 4 < x < x1 - 4 and all(abs(x - s) > 1.5 * lh for s in found)
             and sum(1 for w in real if w.x0 + 2 < x < w.x1 - 2) <= _STRADDLERS]
    lines = [l.words for l in group_lines(real)]
    while cands:
        borders = sorted(found + cands)
        lone = []
        for x in cands:
            i = borders.index(x)
            a, b = borders[i - 1], borders[i + 1]
            if not any(any(a <= w.xmid < x for w in ws) and any(x <= w.xmid < b for w in ws) for ws in lines):
                lone.append(x)
        if not lone:
            break
        cands = [x for x in cands if x != lone[0]]  # one at a time: its neighbours' intervals change
    return cands


def _merge_unnamed(intervals: Sequence[tuple[float, float]], names: Sequence[Optional[str]],
                   evidence: Sequence[_Evidence]) -> list[Column]:
    """Named intervals to columns; an unnamed interval of text joins the text
    column on its left (a white river inside a cell of few lines)."""
    cols: list[Column] = []
    for k, ((a, b), name, ev) in enumerate(zip(intervals, names, evidence)):
        if name is None and ev.code >= 0.5 and ev.text < 0.3 and OBJECTIVE in names[k + 1:k + 2] \
                and CODE not in names:
            name = CODE  # the objective's code in a column of its own, right before the objective's
        if name is None:
            if cols and cols[-1].name in TEXT_COLUMNS and ev.text > 0.5 and ev.numeric < 0.3:
                cols[-1].x1 = b
                cols[-1].center = (cols[-1].x0 + b) / 2
            continue
        cols.append(Column(name, (a + b) / 2, a, b))
    if cols:
        cols[0].x0 = min(cols[0].x0, intervals[0][0]) - 2
        cols[-1].x1 = max(cols[-1].x1, intervals[-1][1]) + 2
    return cols


def _ocr_anchors(body: Sequence[Word], cols: dict[str, Column], lh: float) -> list[Word]:
    out: list[Word] = []
    level = cols.get(LEVEL)
    if level is not None:
        out = [w for w in body if level.holds(w) and fuzzy_level(w.text)]
    if not out and OBJECTIVE in cols:
        obj = cols[OBJECTIVE]
        firsts = [l.words[0] for l in group_lines([w for w in body if obj.holds(w)])]
        out = [w for w in firsts if CODE_LIKE.match(w.text.strip())]
    out.sort(key=lambda w: w.top)
    merged: list[Word] = []
    for w in out:
        if merged and abs(w.ymid - merged[-1].ymid) < lh * 0.6:
            continue
        merged.append(w)
    return merged


def _code_words(body: Sequence[Word], obj: Column) -> list[Word]:
    """Objective codes: the first word of a line in the objective column."""
    firsts = [l.words[0] for l in group_lines([w for w in body if obj.holds(w)])]
    return [w for w in firsts if CODE_LIKE.match(w.text.strip()) and not re.fullmatch(r"(19|20)\d\d", w.text.strip())]


def _dotted(code: Word) -> bool:
    return not code.text.strip(".:;").isdigit()


def _add_code_anchors(page: Page, body: Sequence[Word], anchors: list[Word], obj: Column, top: float,
                      bottom: float, x0: float, x1: float, lh: float) -> list[Word]:
    """A row whose level word OCR lost still prints its objective code: a band
    holding two codes is two rows, the code farther from the level word starts
    the other one."""
    codes = _code_words(body, obj)
    if len(codes) < 2:
        return anchors
    lead, bands = row_bands(page, body, anchors, top, bottom, x0, x1)
    extra: list[Word] = []
    anchors = list(anchors)
    held = []
    for b_top, b_bot in bands:
        inside = [c for c in codes if b_top <= c.ymid < b_bot]
        dotted = [c for c in inside if _dotted(c)]
        held.append(dotted or inside)  # a bare digit run beside a dotted code is a figure in the text (`200880`)
    for i, anchor in enumerate(anchors[:len(bands)]):
        inside = held[i]
        if len(inside) < 2:
            continue
        keep = min(inside, key=lambda c: abs(c.ymid - anchor.ymid))
        others = [c for c in inside if c is not keep]
        last = max(others, key=lambda c: c.ymid)
        if (last.ymid > max(keep.ymid, anchor.ymid) and i + 1 < len(anchors) and not held[i + 1]
                and last.top < anchors[i + 1].top):
            # the code begins the next row, whose band has none: the cut above that row
            # fell under its code (its level word prints lower, in the middle of the row)
            anchors[i + 1] = replace(anchors[i + 1], top=last.top)
            others.remove(last)
        extra.extend(others)
    # a code below the last row or above the first one starts a row of its own, even in
    # the band a rule closes off above the first row (a row begun on the page before
    # does not go on with a dotted code)
    extra.extend(c for c in codes if c.ymid >= bands[-1][1] or c.ymid < bands[0][0] - 0.5
                 and (lead is None or c.ymid >= lead[1] or _dotted(c)))
    if not extra:
        return anchors
    return sorted(anchors + extra, key=lambda w: w.top)


def ocr_reported_quarter(head: Sequence[Word], cols: dict[str, Column]) -> Optional[int]:
    """`JUSTIFICACIÓN PRIMER TRIMESTRE` read with OCR noise: an ordinal word
    followed by a TRIMESTRE-like word."""
    lines = group_lines([w for w in head if not _is_speck(w)])
    for line in lines:
        ws = line.words
        for a, b in zip(ws, ws[1:]):
            ta = _letters(a.text)
            if len(ta) < 5:
                continue
            best = max(_ORDINALS, key=lambda o: fuzz.ratio(ta, o))
            if fuzz.ratio(ta, best) >= 80 and _letters(b.text).startswith("T"):
                return _ORDINALS[best]
    return None


def ocr_fiscal_year(words: Sequence[Word]) -> Optional[int]:
    """The year the header prints most often (OCR misreads a few of its copies)."""
    years: dict[int, int] = {}
    for w in words:
        m = re.fullmatch(r"\(?(20\d\d)\)?[.,:]?", w.text.strip())
        if m:
            years[int(m.group(1))] = years.get(int(m.group(1)), 0) + 1
    if not years:
        return None
    return max(years, key=lambda y: (years[y], -y))
