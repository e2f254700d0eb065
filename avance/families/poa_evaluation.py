"""POA physical-financial evaluation (EVALUACIÓN FÍSICO FINANCIERA): one row per
indicator, targets and budget accumulated to the period, a TOTALES row.

The table's header band is printed white on a dark fill, which OCR cannot
read, so columns come from the figures themselves: every row prints a `$` at
the left of each of its four money cells, and the family's column template
places the other columns relative to those four anchors (snapped to a ruling
line where one was found). Rows are anchored on the indicator number (No.);
cell text is vertically centred, so every word goes to the nearest anchor in
its column. A merged project cell goes to every row whose nearest project
code it is.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, replace
from itertools import product
from statistics import median
from typing import Optional, Sequence

from ..extractors.grid import cluster_positions, merge_positions, thin_vertical_xs
from ..extractors.layout import TextLine, collapse, fold, group_lines
from ..normalizers.checks import percent_agrees
from ..normalizers.legibility import reads_as_text
from ..normalizers.ocr_numbers import number_candidates
from ..records import EvaluationRow, Family, Flag, Page, Provenance, SectionInfo, SectionResult, Severity, Total, Word
from . import common
from .base import FamilySpec, PageMark
from .provenance import ProvenanceLog

# Column template: left edges in units of the distance between the first and
# the fourth money column (APROBADO .. DIFERENCIA), measured from APROBADO.
TEMPLATE: tuple[tuple[str, float], ...] = (
    ("project_code", -1.685), ("project", -1.582), ("indicator", -1.310), ("indicator_no", -0.951),
    ("annual_target", -0.826), ("programmed_to_date", -0.690), ("achieved_to_date", -0.446),
    ("pct_progress", -0.261), ("budget_approved", 0.0), ("budget_authorized", 0.283),
    ("budget_exercised", 0.712), ("budget_difference", 1.0), ("budget_pct", 1.239),
    ("justification", 1.467),
)
TABLE_RIGHT = 1.696
MONEY = ("budget_approved", "budget_authorized", "budget_exercised", "budget_difference")
SNAP = 6.0  # points: a template edge moves to a ruling line this close


# --------------------------------------------------------------------------
# detection and header
# --------------------------------------------------------------------------

def _head(page: Page) -> list[TextLine]:
    return group_lines(page.words)[:15]


def detect(page: Page) -> Optional[PageMark]:
    head = " ".join(l.folded for l in _head(page))
    if "EVALUACION" not in head or not ("FISICO" in head or "FINANCIERA" in head or "PRESUPUESTAL" in head):
        return None
    if "$" not in "".join(w.text for w in page.words):
        return None
    return PageMark(Family.POA_EVALUATION, _agency(_head(page)))


def _agency(lines: Sequence[TextLine]) -> Optional[str]:
    """The reporting institution: the title line above the report's name."""
    for i, line in enumerate(lines):
        if "PROGRAMA OPERATIVO" in line.folded or "EVALUACION" in line.folded:
            for prev in reversed(lines[:i]):
                letters = [c for c in prev.text if c.isalpha()]
                if len(letters) >= 12 and sum(c.isupper() for c in letters) >= 0.9 * len(letters):
                    return collapse(prev.text)
            return None
    return None


def _period_label(lines: Sequence[TextLine]) -> Optional[str]:
    for line in lines:
        m = re.search(r"PERIODO\s+DE\s+\S+\s+A\s+\S+(?:\s+(?:DE(?:L)?\s+)?\d{4})?", line.folded)
        if m:
            start = len(line.folded[: m.start()].split())
            count = len(m.group(0).split())
            return collapse(" ".join(w.text for w in line.words[start:start + count]))
    return None


def _section_info(pages: Sequence[Page]) -> SectionInfo:
    lines = _head(pages[0])
    return SectionInfo(
        family=Family.POA_EVALUATION.value, page_start=pages[0].number, page_end=pages[-1].number,
        government=common.find_government(lines), fiscal_year=common.find_fiscal_year(lines),
        agency=_agency(lines), period_label=_period_label(lines),
    )


# --------------------------------------------------------------------------
# columns and rows
# --------------------------------------------------------------------------

@dataclass(frozen=True)
class Span:
    name: str
    x0: float
    x1: float


MONEY_OFFSETS = tuple(f for n, f in TEMPLATE if n in MONEY)


def _dollar_anchors(words: Sequence[Word], page_width: float) -> Optional[list[float]]:
    """x of the four money columns' `$` signs: the placement of the template's
    four money offsets that the most `$` signs on the page agree with (OCR
    drops or misreads whole columns of them, and stray `$`-like marks occur)."""
    xs = [w.x0 for w in words if w.text.startswith("$")]
    centers = [median(c) for c in cluster_positions(xs, 6.0)]
    best: Optional[tuple[int, list[float]]] = None
    for a in range(len(centers)):
        for b in range(a + 1, len(centers)):
            for i in range(4):
                for j in range(i + 1, 4):
                    unit = (centers[b] - centers[a]) / (MONEY_OFFSETS[j] - MONEY_OFFSETS[i])
                    if not 0.1 * page_width <= unit <= 0.5 * page_width:
                        continue
                    origin = centers[a] - MONEY_OFFSETS[i] * unit
                    predicted = [origin + f * unit for f in MONEY_OFFSETS]
                    support = sum(1 for x in xs if min(abs(x - p) for p in predicted) <= 4.0)
                    if best is None or support > best[0]:
                        best = (support, predicted)
    if best is None or best[0] < 4:
        return None
    return best[1]




def _columns(page: Page) -> Optional[list[Span]]:
    anchors = _dollar_anchors(page.words, page.width)
    if anchors is None:
        return None
    origin = anchors[0] - 3.0  # the `$` sits just right of its cell's rule
    unit = anchors[3] - anchors[0]
    if unit <= 20:
        return None
    edges = [origin + f * unit for _, f in TEMPLATE] + [origin + TABLE_RIGHT * unit]
    # snap to ruling lines crossing the table body, where the scan kept them
    ys = [w.ymid for w in page.words if w.text.startswith("$")]
    rules = merge_positions([x for y in ys[:: max(1, len(ys) // 6)] for x in thin_vertical_xs(page.rules, y)], 3.0)
    snapped = []
    for e in edges:
        near = [x for x in rules if abs(x - e) <= SNAP]
        snapped.append(min(near, key=lambda x: abs(x - e)) if near else e)
    for i, name in enumerate(MONEY):  # money cells start at their `$`
        k = [n for n, _ in TEMPLATE].index(name)
        snapped[k] = min(snapped[k], anchors[i] - 1.0)
    return [Span(name, snapped[i], snapped[i + 1]) for i, (name, _) in enumerate(TEMPLATE)]


def _in(span: Span, w: Word) -> bool:
    return span.x0 <= w.xmid < span.x1


def _table_words(page: Page, columns: list[Span]) -> tuple[list[Word], float, float]:
    """Words inside the table: below the header band, above what follows the table."""
    x0, x1 = columns[0].x0 - 4, columns[-1].x1 + 4
    dollars = [w for w in page.words if w.text.startswith("$") and x0 <= w.xmid <= x1]
    top = min(w.top for w in dollars) - 40 if dollars else 0.0
    bottom = max(w.bottom for w in dollars) + 12 if dollars else page.height
    first_row = min((w.ymid for w in dollars), default=page.height)
    top = max(top, _header_bottom(page, first_row))
    words = [w for w in page.words if x0 <= w.xmid <= x1 and top <= w.ymid <= bottom]
    return words, top, bottom


def _header_bottom(page: Page, first_row: float) -> float:
    """Bottom of the table's header band: the dark fill (a scan's morphology finds it
    as one thick horizontal block) or its lowest long rule, above the first row."""
    blocks = [r for r in page.rules if r.width >= 0.4 * page.width and r.height > 4 and r.bottom < first_row - 4]
    if blocks:
        return max(r.bottom for r in blocks)
    long = [r for r in page.rules if r.width >= 0.4 * page.width and r.height <= 4 and r.ymid < first_row - 8]
    return max((r.bottom for r in long), default=0.0)


_INT = re.compile(r"^\d{1,4}$")
MIN_BAND = 5.0  # points: two rules closer than this are one (a doubled line)
# A text this share of its cell's height off the cell's middle is not centred on it.
OFF_CENTRE = 0.25


def _cuts(page: Page, x: float, top: float, bottom: float) -> list[float]:
    """y of the horizontal rules crossing x between top and bottom."""
    ys = [r.ymid for r in page.rules if r.height <= 4 and r.x0 - 1 <= x <= r.x1 + 1 and top < r.ymid < bottom]
    return merge_positions(ys, MIN_BAND)


def _intervals(cuts: Sequence[float], top: float, bottom: float) -> list[tuple[float, float]]:
    edges = merge_positions([top] + [c for c in cuts if top + MIN_BAND < c < bottom - MIN_BAND] + [bottom], 0.5)
    return [(a, b) for a, b in zip(edges, edges[1:]) if b - a >= MIN_BAND]


def _no_value(w: Word) -> Optional[int]:
    t = w.text.strip(".,:;|!'")
    return int(t) if _INT.match(t) else None


@dataclass
class Band:
    """One table row: the space between two horizontal rules across the No. column."""
    page: int
    top: float
    bottom: float
    cells: dict[str, list[Word]]
    no: Optional[int] = None  # as read
    no_word: Optional[Word] = None

    @property
    def mid(self) -> float:
        return (self.top + self.bottom) / 2


def _has_row_content(cells: dict[str, list[Word]]) -> bool:
    if any(_no_value(w) is not None for w in cells["indicator_no"]):
        return True
    money = [w for name in MONEY for w in cells[name]]
    return any("$" in w.text or sum(c.isdigit() for c in w.text) >= 2 for w in money)


def _split_band(band: Band) -> list[Band]:
    """A band holding two indicator numbers far apart lost the rule between them:
    cut it half-way between the numbers."""
    reads = sorted(((w.ymid, w) for w in band.cells["indicator_no"] if _no_value(w) is not None), key=lambda t: t[0])
    groups: list[list[tuple[float, Word]]] = []
    for y, w in reads:
        if groups and y - groups[-1][-1][0] < 8:
            groups[-1].append((y, w))
        else:
            groups.append([(y, w)])
    if len(groups) < 2 or len({_no_value(g[0][1]) for g in groups}) < len(groups):
        return [band]
    ys = [median(y for y, _ in g) for g in groups]
    edges = [band.top] + [(a + b) / 2 for a, b in zip(ys, ys[1:])] + [band.bottom]
    out = []
    for a, b in zip(edges, edges[1:]):
        cells = {k: [w for w in ws if a <= w.ymid < b] for k, ws in band.cells.items()}
        out.append(Band(band.page, a, b, cells))
    return out


def _read_no(band: Band) -> None:
    cands = [w for w in band.cells["indicator_no"] if _no_value(w) is not None]
    if cands:
        best = min(cands, key=lambda w: (abs(w.ymid - band.mid) / max(1.0, band.bottom - band.top) - (w.conf or 100) / 200))
        band.no, band.no_word = _no_value(best), best


def _project_cells(page: Page, col: dict[str, Span], words: Sequence[Word], top: float, bottom: float,
                   flags: list[Flag], bands: Sequence[Band] = ()) -> list[tuple[float, float, Optional[str], Optional[str]]]:
    """Merged project cells: (top, bottom, code, name), bounded by the rules across the code column."""
    x = (col["project_code"].x0 + col["project_code"].x1) / 2
    code_words = [w for w in words if _in(col["project_code"], w)]
    intervals = _split_by_codes(_intervals(_cuts(page, x, top, bottom), top, bottom), code_words)
    out = []
    for a, b in _split_off_centred_codes(intervals, code_words, bands):
        code_words = [w for w in words if _in(col["project_code"], w) and a <= w.ymid < b]
        code = None
        for w in sorted(code_words, key=lambda w: -(w.conf or 0)):
            code = _project_code(w.text, flags)
            if code:
                break
        name = [w for w in words if _in(col["project"], w) and a <= w.ymid < b]
        out.append((a, b, code, collapse(" ".join(l.text for l in group_lines(name))) if name else None))
    return out


def _split_off_centred_codes(intervals: Sequence[tuple[float, float]], code_words: Sequence[Word],
                             bands: Sequence[Band]) -> list[tuple[float, float]]:
    """A cell's text is printed centred in it: an interval over several row bands whose
    one code sits in the middle of one band, far from the interval's middle, lost the
    rules around that band (a merged cell's code is centred on the merged cell)."""
    out = []
    for a, b in intervals:
        inner = [band for band in bands if a <= band.mid < b]
        codes = [w for w in code_words if a <= w.ymid < b and _project_code(w.text, [])]
        own = [band for band in inner if band.top <= codes[0].ymid < band.bottom] if len(codes) == 1 else []
        if len(inner) < 2 or not own:
            out.append((a, b))
            continue
        band, y = own[0], codes[0].ymid
        centred = abs(y - band.mid) < OFF_CENTRE * (band.bottom - band.top)
        if not centred or abs(y - (a + b) / 2) < OFF_CENTRE * (b - a):
            out.append((a, b))
            continue
        edges = sorted({a, b, *(e for e in (band.top, band.bottom) if a + MIN_BAND < e < b - MIN_BAND)})
        out.extend(zip(edges, edges[1:]))
    return out


def _split_by_codes(intervals: Sequence[tuple[float, float]], code_words: Sequence[Word]) -> list[tuple[float, float]]:
    """A merged cell holds one project code: an interval with two codes read in it
    lost the rule between two cells, which is put back midway between the codes."""
    out = []
    codes = [w for w in code_words if _project_code(w.text, [])]
    apart = 2 * max((w.height for w in codes), default=0.0)  # two lines of one cell are closer
    for a, b in intervals:
        ys = sorted(w.ymid for w in codes if a <= w.ymid < b)
        cuts = [(y0 + y1) / 2 for y0, y1 in zip(ys, ys[1:]) if y1 - y0 > apart]
        edges = [a] + cuts + [b]
        out.extend(zip(edges, edges[1:]))
    return out


def _project_code(text: str, flags: list[Flag]) -> Optional[str]:
    """A project code as printed (`1.2.1`, `ET.6.1`); OCR drops dots (`121`,
    `1.25`, `ET.62`) or reads them as `,` or `-` (`ET-4.1`): codes write one digit per
    level, so each digit is a level."""
    t = text.strip(",;:|").rstrip(".").replace(",", ".").replace("-", ".")  # a dot read `,` or `-`
    # a bare number needs three characters (`121`, `1.2`); after a prefix two do (`ET52`)
    m = re.fullmatch(r"([A-Z]{1,3}\.?)?([\d.]{2,7})", t)
    if not m or (not m.group(1) and len(m.group(2)) < 3):
        return None
    prefix, digits = m.group(1) or "", m.group(2)
    levels = [d for d in digits if d.isdigit()]
    if not 2 <= len(levels) <= 4:
        return None
    fixed = (prefix.rstrip(".") + "." if prefix else "") + ".".join(levels)
    if fixed != t:
        flags.append(_flag(fixed, "project_code", text, fixed,
                           f"Project code read as '{text}' taken as '{fixed}': codes write one digit per level."))
    return fixed


# --------------------------------------------------------------------------
# indicator numbers
# --------------------------------------------------------------------------

def _number_rows(bands: Sequence[Band], flags: list[Flag]) -> list[Optional[int]]:
    """Indicator numbers for every row of the section: the readings that form a
    rising sequence with room for the rows between them are kept; a row whose
    number is unreadable or breaks the sequence takes the only number its
    neighbours leave it (rows 15, ?, ?, 18 are 16 and 17). Every such number is flagged."""
    reads = [b.no for b in bands]
    n = len(reads)
    # longest chain of readings i<j with reads[j] - reads[i] >= j - i
    best: list[int] = [0] * n
    prev: list[int] = [-1] * n
    for j in range(n):
        if reads[j] is None:
            continue
        best[j] = 1
        for i in range(j):
            if reads[i] is not None and best[i] and reads[j] - reads[i] >= j - i and best[i] + 1 > best[j]:
                best[j], prev[j] = best[i] + 1, i
    out: list[Optional[int]] = [None] * n
    if any(best):
        j = max(range(n), key=lambda k: (best[k], -k))
        while j >= 0:
            out[j] = reads[j]
            j = prev[j]
    known = [i for i in range(n) if out[i] is not None]
    for i in range(n):
        if out[i] is not None:
            continue
        before = max((k for k in known if k < i), default=None)
        after = min((k for k in known if k > i), default=None)
        b = bands[i]
        raw = str(reads[i]) if reads[i] is not None else None
        what = f"read as {reads[i]}" if reads[i] is not None else "unreadable"
        if before is not None and after is not None and out[after] - out[before] == after - before:
            value = out[before] + (i - before)
            why = f"between {out[before]} and {out[after]}"
        else:
            # a reading that fits between its neighbours is kept
            lo = out[before] + (i - before) if before is not None else 1
            hi = out[after] - (after - i) if after is not None else None
            if reads[i] is not None and reads[i] >= lo and (hi is None or reads[i] <= hi):
                continue
            value = lo
            why = "the numbers around it leave several possibilities; the lowest was taken"
            flags.append(_flag(str(value), "indicator_no", raw, str(value),
                               f"The indicator number of a row on page {b.page} is {what}; it was taken as "
                               f"{value}, but {why}.", rule="unreadable", severity=Severity.ERROR))
            out[i] = value
            continue
        out[i] = value
        flags.append(_flag(str(value), "indicator_no", raw, str(value),
                           f"The indicator number of a row on page {b.page} is {what}; it was taken as {value}, "
                           f"the only number that fits {why}.", rule="numbering_continuity"))
    return out


# --------------------------------------------------------------------------
# cell values
# --------------------------------------------------------------------------

@dataclass
class Cell:
    words: list[Word]

    @property
    def text(self) -> Optional[str]:
        lines = group_lines(self.words)
        return collapse(" ".join(l.text for l in lines)) if lines else None


_DASH = re.compile(r"[-—–.=_~]+")


def _value_lines(cell: Cell) -> list[str]:
    """The cell's figures, one per printed line (a money cell may print two)."""
    out = []
    for line in group_lines(cell.words):
        toks = [w.text for w in line.words if w.text not in ("$", "S")]
        toks = [t[1:] if t.startswith("$") else t for t in toks]
        text = "".join(toks).strip(",:;|!'\"“”»«=")
        if text:
            out.append(text)
    return out


def _percent_candidates(text: str) -> tuple[list[tuple[Optional[float], Optional[str]]], bool]:
    """Readings of a figure or percentage, most likely first: (value, repair note);
    and whether it is printed as a percentage."""
    t = text.strip(".")
    negative = False
    # `(-)10.52%`; read `()10.52%` (the dash lost) or `(-J10.52%` (the bracket as a `J`)
    m = re.match(r"^(?:\([-—–]?[)J\]]|\(?[-—–]\)?)\s*(?=\d)", t)
    if m and m.group(0).startswith("("):
        negative, t = True, t[m.end():]
    if fold(t) in ("N/A", "NA", "N/D", "NIA", "N/4", "WA", "N/Á"):
        return [(None, None)], False
    if _DASH.fullmatch(t):
        return [(0.0, None)], False
    is_pct = "%" in t
    cands = number_candidates(t, percent=is_pct)
    sign = -1.0 if negative else 1.0
    return [(sign * c.value, c.note) for c in cands], is_pct


def _is_lone_dollar(w: Word) -> bool:
    return w.text in ("$", "S", "$.", "$,") or (w.text in ("5", "s") and w.width < 6)


def _money_candidates(words: Sequence[Word], dollar_x: float) -> list[list[tuple[float, Optional[str]]]]:
    """The amounts of a money cell, one list of readings per printed line. A `$`
    prints at the cell's left edge and the amount is right-aligned: a token that
    starts at the `$` position carries the sign in its first character, which OCR
    reads as `5`, `S` or `.` (`554,636,149.98` is `$ 54,636,149.98`)."""
    out = []
    for line in group_lines(words):
        ws = list(line.words)
        has_dollar = any(w.text.startswith("$") or _is_lone_dollar(w) for w in ws)
        body = [w for w in ws if not _is_lone_dollar(w)]
        text = "".join(w.text for w in body)
        glued = bool(body) and abs(body[0].x0 - dollar_x) <= 4.0 and not body[0].text.startswith("$")
        if text.startswith("$"):
            text, has_dollar, glued = text[1:], True, False
        text = text.strip(":;|!'\"“”»«=")
        cands: list[tuple[float, Optional[str]]] = []
        if not text or _DASH.fullmatch(text):
            if has_dollar or text:
                out.append([(0.0, None if text else "read a `$` with no amount: the dash of `$ -` (zero) is too small to read")])
            continue
        core = text.lstrip(".,")
        if len(core) == 1:
            # amounts print with cents (`$ 5,600.00`): one lone character (`7`, `z`, `M`) is the dash of `$ -`
            cands.append((0.0, f"read '{text}' as the dash of `$ -` (zero): an amount prints with its cents"))
            if not core.isdigit():
                out.append(cands)
                continue
        if glued and len(core) > 1 and core[0] in "5S$s":
            for c in _amount_candidates(core[1:]):
                cands.append((c[0], f"read '{text}' as '$ {core[1:]}' (the $ sign was read as '{core[0]}')"))
        for c in _amount_candidates(core):
            note = c[1] if core == text or c[1] else f"read '{text}' as '{core}'"
            cands.append((c[0], note))
        if cands:
            out.append(cands)
    return out


def _amount_candidates(text: str) -> list[tuple[float, Optional[str]]]:
    """A printed amount (`1,234.56`), with a comma read for the decimal point
    (`78,707,552,54`) and the plain OCR repairs."""
    out = [(c.value, c.note) for c in number_candidates(text)]
    m = re.fullmatch(r"(\d{1,3}(?:[.,]\d{3})*)[.,](\d{2})", text)
    if m:
        value = float(re.sub(r"[.,]", "", m.group(1)) + "." + m.group(2))
        if not any(abs(v - value) < 1e-9 for v, _ in out):
            out.append((value, f"read '{text}' as '{value:,.2f}' (cents after the last separator)"))
        elif out and abs(out[0][0] - value) > 1e-9:
            out.sort(key=lambda c: abs(c[0] - value) > 1e-9)
    return out


def _agree_pct(pct: Optional[float], num: Optional[float], den: Optional[float]) -> bool:
    if pct is None or num is None or not den:
        return False
    return percent_agrees(pct, num / den * 100)


def _choose(options: Sequence[Sequence[tuple[Optional[float], Optional[str]]]], agrees) -> list[int]:
    """Index of the reading taken in each cell: the combination the row's arithmetic
    accepts with the fewest repairs, else every cell's first reading."""
    best: Optional[tuple[int, list[int]]] = None
    for combo in product(*[range(min(4, len(o))) for o in options]):
        values = [options[k][i][0] for k, i in enumerate(combo)]
        if agrees(*values):
            cost = sum(combo)
            if best is None or cost < best[0]:
                best = (cost, list(combo))
    return best[1] if best else [0] * len(options)


# --------------------------------------------------------------------------
# parse
# --------------------------------------------------------------------------

def _flag(row_key: str, field: str, raw: Optional[str], value: Optional[str], message: str,
          rule: str = "ocr_repair", severity: Severity = Severity.INFO, table: str = "evaluation_rows") -> Flag:
    return Flag(table=table, row_key=row_key, field=field, rule=rule, severity=severity,
                raw_value=raw, value=value, message=message)


@dataclass
class _PageTable:
    bands: list[Band]
    projects: list[tuple[float, float, Optional[str], Optional[str]]]
    anchors: list[float]
    total_cells: Optional[dict[str, list[Word]]]
    # for provenance only: the page, its column spans and the table's words
    page: Optional[Page] = None
    col: Optional[dict[str, Span]] = None
    words: Sequence[Word] = ()


def _page_table(page: Page, flags: list[Flag]) -> Optional[_PageTable]:
    columns = _columns(page)
    if columns is None:
        return None
    col = {c.name: c for c in columns}
    anchors = _dollar_anchors(page.words, page.width) or []
    words, top, bottom = _table_words(page, columns)
    total_line = next((l for l in group_lines(words) if "TOTAL" in l.folded), None)
    total_cells = None
    if total_line is not None:
        total_cells = {name: [w for w in words if _in(col[name], w) and abs(w.ymid - total_line.ymid) < 4]
                       for name in MONEY}
        bottom = min(bottom, total_line.top - 1)
        words = [w for w in words if w.ymid < total_line.top - 1]
    no_col = col["indicator_no"]
    cuts = _cuts(page, (no_col.x0 + no_col.x1) / 2, top, bottom)
    bands: list[Band] = []
    for a, b in _intervals(cuts, top, bottom):
        cells = {c.name: [w for w in words if _in(c, w) and a <= w.ymid < b] for c in columns}
        if not _has_row_content(cells):
            continue
        for band in _split_band(Band(page.number, a, b, cells)):
            if _has_row_content(band.cells):
                _read_no(band)
                bands.append(band)
    return _PageTable(bands, _project_cells(page, col, words, top, bottom, flags, bands), anchors, total_cells,
                      page, col, words)


def _row(band: Band, no: int, project: tuple, anchors: Sequence[float], flags: list[Flag]) -> EvaluationRow:
    c = band.cells
    key = str(no)
    # figures and percentages: the first printed line of each cell
    opts: dict[str, list[tuple[Optional[float], Optional[str]]]] = {}
    raws: dict[str, str] = {}
    unit = None
    for name in ("annual_target", "programmed_to_date", "achieved_to_date", "pct_progress", "budget_pct"):
        texts = _value_lines(Cell(c[name]))
        cands, is_pct = _percent_candidates(texts[0]) if texts else ([], False)
        opts[name] = cands or [(None, None)]
        raws[name] = texts[0] if texts else ""
        if name == "annual_target" and cands and cands[0][0] is not None:
            unit = "percent" if is_pct else "number"
    # money: every printed line, summed
    money_lines: dict[str, list[list[tuple[float, Optional[str]]]]] = {}
    for k, name in enumerate(MONEY):
        x = anchors[k] if k < len(anchors) else -1e9
        money_lines[name] = _money_candidates(c[name], x)
    chosen: dict[str, tuple[Optional[float], Optional[str]]] = {}
    pick = _choose([opts["programmed_to_date"], opts["achieved_to_date"], opts["pct_progress"]],
                   lambda p, a, pct: _agree_pct(pct, a, p))
    for name, i in zip(("programmed_to_date", "achieved_to_date", "pct_progress"), pick):
        chosen[name] = opts[name][i]
    chosen["annual_target"] = opts["annual_target"][0]
    # a money column's options: the sum of its lines' first readings, or (one line) each reading
    money_opts: dict[str, list[tuple[Optional[float], Optional[str]]]] = {}
    for name in MONEY:
        lines = money_lines[name]
        if not lines:
            money_opts[name] = [(None, None)]
        elif len(lines) == 1:
            money_opts[name] = lines[0]
        else:
            total = sum(l[0][0] for l in lines)
            parts = [l[0][0] for l in lines]
            flags.append(_flag(key, name, " + ".join(f"{p:,.2f}" for p in parts), f"{total:,.2f}",
                               f"Indicator {key} prints {len(parts)} amounts in its {name} cell; "
                               f"the row holds their sum.", rule="cell_lines_summed"))
            note = "; ".join(n for l in lines for n in [l[0][1]] if n) or None
            money_opts[name] = [(total, note)]
    pick = _choose([money_opts["budget_authorized"], money_opts["budget_exercised"], money_opts["budget_difference"],
                    opts["budget_pct"]],
                   lambda au, ex, di, pct: (au is not None and ex is not None and di is not None
                                            and abs(au - ex - di) <= 0.011)
                   and (pct is None or _agree_pct(pct, ex, au)))
    if pick == [0, 0, 0, 0]:  # the budget percentage alone may still choose between readings
        pick[3] = _choose([opts["budget_pct"]], lambda pct: _agree_pct(pct, money_opts["budget_exercised"][0][0],
                                                                        money_opts["budget_authorized"][0][0]))[0]
        pick[:3] = _choose([money_opts["budget_authorized"], money_opts["budget_exercised"],
                            money_opts["budget_difference"]],
                           lambda au, ex, di: None not in (au, ex, di) and abs(au - ex - di) <= 0.011)
    for name, i in zip(("budget_authorized", "budget_exercised", "budget_difference"), pick[:3]):
        chosen[name] = money_opts[name][i]
    chosen["budget_pct"] = opts["budget_pct"][pick[3]]
    chosen["budget_approved"] = money_opts["budget_approved"][0]
    # a money cell nothing could be read in: the row's arithmetic gives it when the other two are read
    au, ex, di = (chosen[n][0] for n in ("budget_authorized", "budget_exercised", "budget_difference"))
    derived = None
    if [au, ex, di].count(None) == 1:
        if au is None:
            derived = ("budget_authorized", ex + di, f"exercised {ex:,.2f} plus difference {di:,.2f}")
        elif ex is None:
            derived = ("budget_exercised", au - di, f"authorized {au:,.2f} minus difference {di:,.2f}")
        else:
            derived = ("budget_difference", au - ex, f"authorized {au:,.2f} minus exercised {ex:,.2f}")
        name, value, how = derived
        if value >= -0.005:
            value = round(value, 2) + 0.0
            chosen[name] = (value, None)
            flags.append(_flag(key, name, None, f"{value:,.2f}",
                               f"Indicator {key}: the {name} cell could not be read; it was taken as {how}.",
                               rule="derived"))
    for name, (value, note) in chosen.items():
        if note:
            flags.append(_flag(key, name, raws.get(name), None if value is None else str(value),
                               f"Indicator {key}, {name}: {note}."))
    code, project_name = project[2], project[3]
    justification = Cell(c["justification"]).text
    if justification and not reads_as_text(c["justification"]):
        flags.append(_flag(key, "justification", justification, None,
                           f"Indicator {key}: the justification cell holds only marks read with low confidence "
                           f"(shading or pen strokes), not text; it is left empty.", rule="ocr_noise"))
        justification = None
    return EvaluationRow(
        project_code=code, project=project_name, indicator_no=no, indicator=Cell(c["indicator"]).text,
        annual_target=chosen["annual_target"][0], target_unit=unit,
        programmed_to_date=chosen["programmed_to_date"][0], achieved_to_date=chosen["achieved_to_date"][0],
        pct_progress=chosen["pct_progress"][0],
        budget_approved=chosen["budget_approved"][0], budget_authorized=chosen["budget_authorized"][0],
        budget_exercised=chosen["budget_exercised"][0], budget_difference=chosen["budget_difference"][0],
        budget_pct=chosen["budget_pct"][0], justification=justification, page=band.page,
    )


def _read_totals(cells: dict[str, list[Word]], anchors: Sequence[float], flags: list[Flag]) -> dict[str, Optional[float]]:
    """The TOTALES figures; the difference total must be authorized minus exercised,
    which chooses among readings (a `$` glued to an amount, a comma for the point)."""
    opts = {}
    for k, name in enumerate(MONEY):
        lines = _money_candidates(cells.get(name, []), anchors[k] if k < len(anchors) else -1e9)
        opts[name] = lines[0] if lines else [(None, None)]
    pick = _choose([opts["budget_authorized"], opts["budget_exercised"], opts["budget_difference"]],
                   lambda au, ex, di: None not in (au, ex, di) and abs(au - ex - di) <= 0.011)
    chosen = {"budget_approved": opts["budget_approved"][0]}
    for name, i in zip(("budget_authorized", "budget_exercised", "budget_difference"), pick):
        chosen[name] = opts[name][i]
    out = {}
    for name in MONEY:
        value, note = chosen[name]
        raw = "".join(w.text for w in cells.get(name, [])) or None
        if value is None and raw:
            flags.append(_flag(f"evaluation_rows|{name}", "value", raw, None,
                               f"The TOTALES figure of {name} could not be read ('{raw}').",
                               rule="unreadable", severity=Severity.ERROR, table="totals"))
        elif note:
            flags.append(_flag(f"evaluation_rows|{name}", "value", raw, str(value),
                               f"The TOTALES figure of {name}: {note}.", table="totals"))
        out[name] = value
    return out


def parse(pages: Sequence[Page]) -> SectionResult:
    result = SectionResult(info=_section_info(pages))
    flags = result.flags
    tables = [(page, _page_table(page, flags)) for page in pages]
    bands: list[Band] = []
    where: list[tuple[_PageTable, Band]] = []
    totals: dict[str, Optional[float]] = {}
    totals_table: Optional[_PageTable] = None
    for page, table in tables:
        if table is None:
            continue
        for band in table.bands:
            bands.append(band)
            where.append((table, band))
        if table.total_cells is not None:
            totals = _read_totals(table.total_cells, table.anchors, flags)
            totals_table = table
    numbers = _number_rows(bands, flags)
    seen: set[int] = set()
    for (table, band), no in zip(where, numbers):
        if no in seen:
            flags.append(_flag(str(no), "indicator_no", str(no), None,
                               f"Indicator number {no} was read twice (page {band.page}); the second row was dropped.",
                               rule="unreadable", severity=Severity.ERROR))
            continue
        seen.add(no)
        project = next((p for p in table.projects if p[0] <= band.mid < p[1]), (0, 0, None, None))
        if project[2] is None:  # the code column's rules were lost: the nearest code read
            coded = [p for p in table.projects if p[2]]
            if coded:
                near = min(coded, key=lambda p: abs((p[0] + p[1]) / 2 - band.mid))
                project = (project[0], project[1], near[2], project[3] or near[3])
        result.evaluation_rows.append(_row(band, no, project, table.anchors, flags))
        result.provenance.extend(_row_provenance(result.evaluation_rows[-1], band, table))
    for name in MONEY:
        if name in totals:
            result.totals.append(Total(target_table="evaluation_rows", target_column=name, value=totals[name]))
            if totals_table is not None and totals_table.total_cells is not None:
                result.provenance.extend(_cell_provenance(
                    totals_table, "totals", f"evaluation_rows|{name}", "value", totals_table.total_cells.get(name, [])))
    return result


# --------------------------------------------------------------------------
# provenance: where each cell was read
# --------------------------------------------------------------------------

_TEXT_FIELDS = ("project", "indicator", "justification")
_FIRST_LINE = ("annual_target", "programmed_to_date", "achieved_to_date", "pct_progress", "budget_pct")


def _cell_provenance(table: _PageTable, name: str, key: str, field: str, words: Sequence[Word],
                     region: Optional[tuple[float, float, float, float]] = None,
                     read: bool = True) -> list[Provenance]:
    """The words a cell was read from; a cell nothing was read in (or nothing legible:
    not `read`) points at its place in the table (`region`), which is what a reviewer
    needs to see."""
    if table.page is None:
        return []
    record = ProvenanceLog([]).make(name, key, field, words, page=table.page)
    if region is not None and table.page.source != "ocr_text":
        if record is None:
            record = Provenance(name, key, field, table.page.number, *region, None, None)
        elif not read:
            record = replace(record, x0=region[0], y0=region[1], x1=region[2], y1=region[3])
        elif field in _TEXT_FIELDS:
            # a text cell's words kept to its cell: a word read across a rule reaches into
            # the neighbour's cell, whose lines a second reading of the box would take in
            x0, y0 = max(record.x0, region[0]), max(record.y0, region[1])
            x1, y1 = min(record.x1, region[2]), min(record.y1, region[3])
            if x1 > x0 and y1 > y0:
                record = replace(record, x0=x0, y0=y0, x1=x1, y1=y1)
    return [record] if record is not None else []


def _first_value_words(words: Sequence[Word]) -> list[Word]:
    """The words of a cell's first printed line with a figure (what `_value_lines(...)[0]` reads)."""
    for line in group_lines(words):
        if _value_lines(Cell(list(line.words))):
            return [w for w in line.words if w.text not in ("$", "S")]
    return []


def _row_provenance(row: EvaluationRow, band: Band, table: _PageTable) -> list[Provenance]:
    if table.col is None:
        return []
    key = str(row.indicator_no)
    out: list[Provenance] = []
    for name, span in table.col.items():
        if name in ("project_code", "project"):
            continue
        words = band.cells.get(name, [])
        if name in _FIRST_LINE:
            words = _first_value_words(words)
        elif name == "indicator_no" and band.no_word is not None:
            words = [band.no_word]
        out += _cell_provenance(table, "evaluation_rows", key, name, words, (span.x0, band.top, span.x1, band.bottom),
                                read=getattr(row, name) is not None)
    # the merged project cell the row took its code and name from (the nearest coded one when its rules were lost)
    own = next((p for p in table.projects if p[0] <= band.mid < p[1]), None)
    coded = [p for p in table.projects if p[2]]
    near = min(coded, key=lambda p: abs((p[0] + p[1]) / 2 - band.mid)) if coded else None
    code_cell = own if own is not None and own[2] else near
    name_cell = own if own is not None and own[3] else near
    for field, cell in (("project_code", code_cell), ("project", name_cell)):
        if cell is None or getattr(row, field) is None:
            continue
        span = table.col[field]
        if field == "project_code" and own is not None and own[2] is None and table.page.source != "ocr_text":
            # no code was read in the row's own cell: the cell is where its code is printed
            out.append(Provenance("evaluation_rows", key, field, table.page.number, span.x0, own[0], span.x1, own[1]))
            continue
        words = [w for w in table.words if _in(span, w) and cell[0] <= w.ymid < cell[1]]
        if field == "project_code":
            words = [w for w in words if _project_code(w.text, []) == row.project_code] or words
        out += _cell_provenance(table, "evaluation_rows", key, field, words, (span.x0, cell[0], span.x1, cell[1]))
    return out


def _code_read_again(text: str) -> Optional[str]:
    """The one project code in a code cell read again alone (a rule's remnant beside it
    reads as a mark of its own: `6.4.3 1`, `2.2.1 (`)."""
    codes = [c for c in (_project_code(t, []) for t in text.split()) if c]
    return codes[0] if len(codes) == 1 else None


def _figure_reading(text: str) -> Optional[float]:
    """A target or progress cell read again alone (`1`, `43%`, `(-)10.52%`)."""
    cands, _ = _percent_candidates("".join(text.split()))
    return cands[0][0] if cands else None


def _money_reading(text: str) -> Optional[float]:
    """A money cell read again alone: `$ -` (the `$` often read `S`, the dash `=`) is zero."""
    t = "".join(text.split())
    if _DASH.fullmatch(t.lstrip("$Ss5")):
        return 0.0
    t = t[1:] if t.startswith("$") else t
    cands = _amount_candidates(t) if t else []
    return cands[0][0] if cands else None


SPEC = FamilySpec(family=Family.POA_EVALUATION, detect=detect, parse=parse,
                  reread_codes={("evaluation_rows", "project_code"): _code_read_again},
                  value_readers={**{("evaluation_rows", name): _money_reading for name in MONEY},
                                 **{("evaluation_rows", name): _figure_reading
                                    for name in ("annual_target", "programmed_to_date", "achieved_to_date",
                                                 "pct_progress", "budget_pct")}},
                  reread_text=frozenset(("evaluation_rows", f) for f in _TEXT_FIELDS))
