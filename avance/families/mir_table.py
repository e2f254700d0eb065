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
from dataclasses import dataclass, field
from typing import Optional, Sequence

from ..extractors.layout import TextLine, fold, group_lines
from ..records import Box, Page, Rule, Word

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


def quarter_column(n: int) -> str:
    return f"q{n}"


LEVELS = {"FIN": "Fin", "PROPOSITO": "Propósito", "COMPONENTE": "Componente", "ACTIVIDAD": "Actividad"}
_LEVEL_PREFIX = {"FIN": "FIN", "PROP": "PROPOSITO", "COMP": "COMPONENTE", "ACTI": "ACTIVIDAD", "ACTV": "ACTIVIDAD"}
OBJECTIVE_CODE = re.compile(r"^(\d{1,2}(?:\s?[.,]\s?\d{1,2}){1,7})\s*[.:;'´`’]*\s*")
_SIGNATURE_WORDS = ("ELABORO", "REVISO", "AUTORIZO", "VO. BO", "VO.BO", "VISTO BUENO")
TITLE_RX = re.compile(r"CUMPLIMIENTO\s+DE\s+METAS|AVANCE\s+EN\s+CUMPLIMIENTO")


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

    def holds(self, w: Box) -> bool:
        return self.x0 <= w.xmid < self.x1


@dataclass
class RawRow:
    page: int
    cells: dict[str, str] = field(default_factory=dict)
    quarters: tuple[int, ...] = ()  # programmed quarters printed in the table
    continuation: bool = False      # the rest of a row broken over a page


@dataclass
class PageTable:
    title: Optional[TextLine]
    header_lines: list[TextLine]  # header labels (between title and body)
    above_title: list[TextLine]   # EJE / E-PP / agency block
    columns: list[Column]
    rows: list[RawRow]
    reported_quarter: Optional[int] = None  # TRIMESTRE n under META ALCANZADA


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
    # digits printed under the TRIMESTRE word
    for t, _ in quarters:
        for w in words:
            if _digit(w.text) is not None and t.x0 - 2 <= w.xmid <= t.x1 + 2 and 0 < w.top - t.top < 3 * t.height:
                labels_bottom = max(labels_bottom, w.bottom)
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
    for line in group_lines(list(words)):
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


def read_page(page: Page) -> Optional[PageTable]:
    lines = group_lines(page.words)
    title = _header_start(page, lines)
    if title is None:
        return None
    above = [l for l in lines if l.bottom <= title.top + 0.5]
    cols, body_top, head_lines, reported = find_columns(page, lines, title)
    if not cols:
        return PageTable(title, head_lines, above, [], [], None)
    table_x0 = min(l.x0 for l in lines if l.top > title.bottom)
    table_x1 = max(l.x1 for l in lines if l.top > title.bottom)
    bottom = _table_bottom(page, lines, body_top)
    body = [w for w in page.words if body_top < w.ymid < bottom]
    set_borders(cols, page, body, body_top, bottom)
    by_name = {c.name: c for c in cols}
    anchors = _anchors(body, by_name)
    quarters = tuple(sorted(int(c.name[1]) for c in cols if re.fullmatch(r"q[1-4]", c.name)))
    rows: list[RawRow] = []
    if anchors:
        lead, bands = row_bands(page, body, anchors, body_top, bottom, table_x0, table_x1)
        for i, (top, bot) in enumerate(([lead] if lead else []) + bands):
            inside = [w for w in body if top <= w.ymid < bot]
            row = RawRow(page=page.number, quarters=quarters, continuation=bool(lead) and i == 0)
            for c in cols:
                text = cell_text([w for w in inside if c.holds(w)])
                if text:
                    row.cells[c.name] = text
            rows.append(row)
    return PageTable(title, head_lines, above, cols, rows, reported)
