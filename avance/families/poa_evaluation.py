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
from dataclasses import dataclass
from statistics import median
from typing import Optional, Sequence

from ..extractors.grid import merge_positions, thin_vertical_xs
from ..extractors.layout import TextLine, collapse, fold, group_lines
from ..normalizers.ocr_numbers import number_candidates
from ..records import EvaluationRow, Family, Flag, Page, SectionInfo, SectionResult, Severity, Total, Word
from . import common
from .base import FamilySpec, PageMark

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
    centers = [median(c) for c in _clusters(xs, 6.0)]
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


def _clusters(values: Sequence[float], tol: float) -> list[list[float]]:
    out: list[list[float]] = []
    for v in sorted(values):
        if out and v - out[-1][-1] <= tol:
            out[-1].append(v)
        else:
            out.append([v])
    return out


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
    header_bottom = _header_bottom(page, top)
    words = [w for w in page.words if x0 <= w.xmid <= x1 and max(top, header_bottom) <= w.ymid <= bottom]
    return words, max(top, header_bottom), bottom


def _header_bottom(page: Page, first_row_top: float) -> float:
    """Bottom of the table's header band: the lowest long horizontal rule above the first row."""
    long = [r for r in page.rules if r.width >= 0.4 * page.width and r.height <= 4 and r.ymid < first_row_top + 40]
    return max((r.bottom for r in long), default=0.0)


_INT = re.compile(r"^\d{1,4}$")


def _row_anchors(words: Sequence[Word], no_col: Span) -> list[tuple[float, Word]]:
    out = []
    for w in words:
        if _in(no_col, w):
            t = w.text.strip(".,:;|!")
            if _INT.match(t):
                out.append((w.ymid, w))
    out.sort(key=lambda a: a[0])
    merged: list[tuple[float, Word]] = []
    for y, w in out:  # one number per row: OCR reads some twice
        if merged and y - merged[-1][0] < 4:
            continue
        merged.append((y, w))
    return merged


def _row_numbers(anchors: Sequence[tuple[float, Word]], page: int, flags: list[Flag]) -> list[int]:
    """Indicator numbers as read, repaired where one breaks the rising sequence
    (`1` between 10 and 12 lost a digit: it is 11)."""
    nums = [int(w.text.strip(".,:;|!")) for _, w in anchors]
    for i, n in enumerate(nums):
        prev = nums[i - 1] if i > 0 else None
        nxt = nums[i + 1] if i + 1 < len(nums) else None
        if prev is not None and n <= prev and (nxt is None or nxt > prev + 1) and str(n) in str(prev + 1):
            fixed = prev + 1
            flags.append(_flag(str(fixed), "indicator_no", str(n), str(fixed),
                               f"Indicator number read as {n} on page {page} between {prev} and "
                               f"{nxt if nxt is not None else 'the end of the page'}: taken as {fixed}."))
            nums[i] = fixed
    return nums


def _project_code(text: str, flags: list[Flag]) -> Optional[str]:
    """A project code as printed (`1.2.1`, `ET.6.1`); OCR drops dots (`121`,
    `1.25`, `ET.62`): codes write one digit per level, so each digit is a level."""
    t = text.strip(",;:|").rstrip(".").replace(",", ".")
    m = re.fullmatch(r"([A-Z]{1,3}\.?)?([\d.]{3,7})", t)
    if not m:
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


def _nearest(ys: Sequence[float], y: float) -> int:
    return min(range(len(ys)), key=lambda i: abs(ys[i] - y))


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


def _value_lines(cell: Cell) -> list[str]:
    """The cell's figures, one per printed line (a money cell may print two)."""
    out = []
    for line in group_lines(cell.words):
        toks = [w.text for w in line.words if w.text not in ("$", "S")]
        toks = [t[1:] if t.startswith("$") else t for t in toks]
        text = "".join(toks).strip(".,:;|!'\"“”»«—=")
        if text:
            out.append(text)
    return out


def _percent_or_number(text: str) -> tuple[Optional[float], bool, Optional[str]]:
    """(value, printed as a percentage, repair note)."""
    t = text.replace("(-)", "-").replace("(—)", "-")
    if fold(t) in ("N/A", "NA", "N/D"):
        return None, False, None
    if re.fullmatch(r"[-—–]+", t):
        return 0.0, False, None
    is_pct = "%" in t
    cands = number_candidates(t, percent=is_pct)
    if not cands:
        return None, is_pct, None
    return cands[0].value, is_pct, cands[0].note


def _money(text: str) -> tuple[Optional[float], Optional[str]]:
    t = text.strip()
    if not t or re.fullmatch(r"[-—–.=_~]+", t):
        return 0.0, None  # `$ -` is zero
    if fold(t) in ("N/A", "NA"):
        return None, None
    cands = number_candidates(t)
    if not cands:
        return None, None
    return cands[0].value, cands[0].note


# --------------------------------------------------------------------------
# parse
# --------------------------------------------------------------------------

def _flag(row_key: str, field: str, raw: Optional[str], value: Optional[str], message: str,
          rule: str = "ocr_repair", severity: Severity = Severity.INFO, table: str = "evaluation_rows") -> Flag:
    return Flag(table=table, row_key=row_key, field=field, rule=rule, severity=severity,
                raw_value=raw, value=value, message=message)


def _parse_page(page: Page, flags: list[Flag], totals: dict[str, Optional[float]]) -> list[EvaluationRow]:
    columns = _columns(page)
    if columns is None:
        return []
    col = {c.name: c for c in columns}
    words, top, bottom = _table_words(page, columns)
    total_line = next((l for l in group_lines(words) if "TOTAL" in l.folded), None)
    if total_line is not None:
        for name in MONEY:
            cell = Cell([w for w in total_line.words if _in(col[name], w)])
            vals = _value_lines(cell)
            if vals:
                value, note = _money(vals[0])
                totals[name] = value
                if note:
                    flags.append(_flag(f"evaluation_rows|{name}", "value", vals[0], str(value),
                                       f"The TOTALES figure of {name}: {note}.", table="totals"))
        words = [w for w in words if w.ymid < total_line.top - 2]
    anchors = _row_anchors(words, col["indicator_no"])
    if not anchors:
        return []
    ys = [y for y, _ in anchors]
    cells: list[dict[str, list[Word]]] = [{c.name: [] for c in columns} for _ in anchors]
    codes: list[tuple[float, str]] = []
    project_words: list[Word] = []
    for w in words:
        span = next((c for c in columns if _in(c, w)), None)
        if span is None or w.ymid < ys[0] - 60:
            continue
        if span.name == "project_code":
            code = _project_code(w.text, flags)
            if code:
                codes.append((w.ymid, code))
            continue
        if span.name == "project":
            project_words.append(w)
            continue
        cells[_nearest(ys, w.ymid)][span.name].append(w)
    # a merged project cell: its code is centred on its rows, so each row takes the nearest code,
    # and each project word goes to the nearest code
    code_ys = [y for y, _ in codes]
    project_text: list[list[Word]] = [[] for _ in codes]
    for w in project_words:
        if codes:
            project_text[_nearest(code_ys, w.ymid)].append(w)
    rows: list[EvaluationRow] = []
    numbers = _row_numbers(anchors, page.number, flags)
    for i, (y, no_word) in enumerate(anchors):
        c = cells[i]
        no = numbers[i]
        key = str(no)
        values: dict[str, Optional[float]] = {}
        unit = None
        for name in ("annual_target", "programmed_to_date", "achieved_to_date", "pct_progress", "budget_pct"):
            texts = _value_lines(Cell(c[name]))
            if not texts:
                values[name] = None
                continue
            raw = texts[0]
            value, is_pct, note = _percent_or_number(raw)
            values[name] = value
            if name == "annual_target" and value is not None:
                unit = "percent" if is_pct else "number"
            if note:
                flags.append(_flag(key, name, raw, str(value), f"Indicator {key}, {name}: {note}."))
        for name in MONEY:
            texts = _value_lines(Cell(c[name]))
            parts = []
            for raw in texts:
                value, note = _money(raw)
                if value is None:
                    continue
                parts.append(value)
                if note:
                    flags.append(_flag(key, name, raw, str(value), f"Indicator {key}, {name}: {note}."))
            if len(parts) > 1:
                flags.append(_flag(key, name, " + ".join(f"{p:,.2f}" for p in parts), f"{sum(parts):,.2f}",
                                   f"Indicator {key} prints {len(parts)} amounts in its {name} cell; "
                                   f"the row holds their sum.", rule="cell_lines_summed"))
            values[name] = sum(parts) if parts else None
        code, project = None, None
        if codes:
            j = _nearest(code_ys, y)
            code = codes[j][1]
            project = collapse(" ".join(l.text for l in group_lines(project_text[j])))
        rows.append(EvaluationRow(
            project_code=code, project=project, indicator_no=no, indicator=Cell(c["indicator"]).text,
            annual_target=values["annual_target"], target_unit=unit,
            programmed_to_date=values["programmed_to_date"], achieved_to_date=values["achieved_to_date"],
            pct_progress=values["pct_progress"],
            budget_approved=values["budget_approved"], budget_authorized=values["budget_authorized"],
            budget_exercised=values["budget_exercised"], budget_difference=values["budget_difference"],
            budget_pct=values["budget_pct"], justification=Cell(c["justification"]).text, page=page.number,
        ))
    return rows


def parse(pages: Sequence[Page]) -> SectionResult:
    result = SectionResult(info=_section_info(pages))
    totals: dict[str, Optional[float]] = {}
    seen: set[int] = set()
    for page in pages:
        for row in _parse_page(page, result.flags, totals):
            if row.indicator_no in seen:
                result.flags.append(_flag(str(row.indicator_no), "indicator_no", str(row.indicator_no), None,
                                          f"Indicator number {row.indicator_no} was read twice (page {row.page}); "
                                          f"the second row was dropped.", rule="unreadable",
                                          severity=Severity.ERROR))
                continue
            seen.add(row.indicator_no)
            result.evaluation_rows.append(row)
    for name in MONEY:
        if name in totals:
            result.totals.append(Total(target_table="evaluation_rows", target_column=name, value=totals[name]))
    return result


SPEC = FamilySpec(family=Family.POA_EVALUATION, detect=detect, parse=parse)
