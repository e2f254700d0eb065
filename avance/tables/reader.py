"""One table reader for every source: a page's words and rules -> `Table` records.

The stages read as conversions, the way pdfplumber names its own:
rules -> edges -> (pdfplumber) intersections -> cells -> grids -> tables, where a
grid's rows and columns come from the cells' own edges (row and column spans
where a rule is missing). A page without enough rules gets its columns from the
white space between the words of its body lines (`columns_from_whitespace`).
Header rows are told from body rows by what they hold (labels, not figures), and
each column gets its header path (`METAS > Programada`).
"""
from __future__ import annotations

import re
from dataclasses import replace
from typing import Optional, Sequence

from pdfplumber import table as plumber

from ..extractors.layout import group_lines
from ..normalizers.numbers import parse_number
from ..records import Box, Page, Rule, Word
from .model import Cell, Table

# A rule thinner than this is a line; thicker, a filled rectangle whose four sides are edges.
LINE_THICKNESS = 3.0
# Edges this close are one edge (PDF points): scans waver, spreadsheets double their rules.
SNAP = 2.5
MIN_CELLS = 4
_FIGURE = re.compile(r"^[$(+-]*\s*\d[\d,. ]*%?\)?$")
_DATE = re.compile(r"^\d{1,2}[/-]\d{1,2}[/-]\d{2,4}$")


# --------------------------------------------------------------------------
# rules -> edges -> grids
# --------------------------------------------------------------------------

def _edge(orientation: str, x0: float, top: float, x1: float, bottom: float) -> dict:
    return {"orientation": orientation, "x0": x0, "x1": x1, "top": top, "bottom": bottom,
            "width": x1 - x0, "height": bottom - top, "object_type": "line"}


def rules_to_edges(rules: Sequence[Rule]) -> list[dict]:
    edges = []
    for r in rules:
        if r.width <= LINE_THICKNESS and r.height > LINE_THICKNESS:
            x = (r.x0 + r.x1) / 2
            edges.append(_edge("v", x, r.top, x, r.bottom))
        elif r.height <= LINE_THICKNESS and r.width > LINE_THICKNESS:
            y = (r.top + r.bottom) / 2
            edges.append(_edge("h", r.x0, y, r.x1, y))
        elif r.width > LINE_THICKNESS and r.height > LINE_THICKNESS:
            edges += [_edge("h", r.x0, r.top, r.x1, r.top), _edge("h", r.x0, r.bottom, r.x1, r.bottom),
                      _edge("v", r.x0, r.top, r.x0, r.bottom), _edge("v", r.x1, r.top, r.x1, r.bottom)]
    return edges


def edges_to_cell_groups(edges: list[dict]) -> list[list[tuple[float, float, float, float]]]:
    if not edges:
        return []
    merged = plumber.merge_edges(edges, SNAP, SNAP, SNAP, SNAP)
    intersections = plumber.edges_to_intersections(merged, 1, 1)
    cells = plumber.intersections_to_cells(intersections)
    return [g for g in plumber.cells_to_tables(cells) if len(g) >= MIN_CELLS]


def _positions(values: Sequence[float]) -> list[float]:
    out: list[float] = []
    for v in sorted(values):
        if out and v - out[-1] <= SNAP:
            continue
        out.append(v)
    return out


def _index(positions: Sequence[float], v: float) -> int:
    return min(range(len(positions)), key=lambda i: abs(positions[i] - v))


def grid_table(page: Page, boxes: Sequence[tuple[float, float, float, float]]) -> Optional[Table]:
    xs = _positions([b[0] for b in boxes] + [b[2] for b in boxes])
    ys = _positions([b[1] for b in boxes] + [b[3] for b in boxes])
    if len(xs) < 2 or len(ys) < 2:
        return None
    box = Box(xs[0], ys[0], xs[-1], ys[-1])
    words = [w for w in page.words if _inside(w, box)]
    cells = []
    for x0, top, x1, bottom in boxes:
        c0, c1 = _index(xs, x0), _index(xs, x1)
        r0, r1 = _index(ys, top), _index(ys, bottom)
        if c1 <= c0 or r1 <= r0:
            continue
        cell_box = Box(x0, top, x1, bottom)
        cells.append(_cell(page, cell_box, r0, c0, r1 - r0, c1 - c0, [w for w in words if _inside(w, cell_box)]))
    return finish(page, cells, len(ys) - 1, len(xs) - 1, ruled=True)


def _inside(w: Box, box: Box) -> bool:
    return box.x0 <= w.xmid <= box.x1 and box.top <= w.ymid <= box.bottom


def _cell(page: Page, box: Box, row: int, col: int, row_span: int, col_span: int, words: Sequence[Word]) -> Cell:
    lines = group_lines(words)
    text = " ".join(l.text for l in lines).strip()
    return Cell(box.x0, box.top, box.x1, box.bottom, row=row, col=col, row_span=row_span, col_span=col_span,
                text=text, words=tuple(words), page=page.number)


# --------------------------------------------------------------------------
# header rows and header paths
# --------------------------------------------------------------------------

def is_figure(text: str) -> bool:
    t = text.strip()
    return bool(t) and bool(_FIGURE.match(t)) and parse_number(t.replace(" ", "")) is not None


def _numbering_row(texts: Sequence[str]) -> bool:
    """A row of column numbers printed under the header (`1 2 3 ... 10`)."""
    ints = [t for t in texts if t]
    return len(ints) >= 3 and all(t.isdigit() and len(t) <= 2 for t in ints)


def is_date(text: str) -> bool:
    return bool(_DATE.match(text.strip()))


def _is_body_row(texts: Sequence[str]) -> bool:
    """Two figures or dates: a header prints labels (a year alone, at most)."""
    values = sum(is_figure(t) or is_date(t) for t in texts)
    return values >= 2 and not _numbering_row(texts)


def finish(page: Page, cells: list[Cell], n_rows: int, n_cols: int, ruled: bool) -> Optional[Table]:
    """Cells -> a table with its header rows and header paths."""
    if not cells or n_cols < 2:
        return None
    rows: list[list[str]] = [[] for _ in range(n_rows)]
    for c in cells:
        rows[c.row].append(c.text)
    header_rows = 0
    for r in range(n_rows):
        if _is_body_row(rows[r]):
            break
        header_rows = r + 1
    if header_rows == n_rows:
        header_rows = 0 if n_rows > 1 and not any(rows[0]) else min(header_rows, 1)
    paths = []
    for col in range(n_cols):
        parts: list[str] = []
        for c in sorted((c for c in cells if c.row < header_rows and c.col <= col < c.col + c.col_span),
                        key=lambda c: c.row):
            text = c.text.strip()
            spans_all = c.col_span >= max(2, n_cols - 1)  # a title over the whole table
            if text and not spans_all and not _numbering_row([text]) and (not parts or parts[-1] != text):
                parts.append(text)
        paths.append(" > ".join(parts))
    box = Box(min(c.x0 for c in cells), min(c.top for c in cells), max(c.x1 for c in cells),
              max(c.bottom for c in cells))
    return Table(page=page.number, box=box, cells=tuple(sorted(cells, key=lambda c: (c.row, c.col))),
                 n_rows=n_rows, n_cols=n_cols, header_rows=header_rows, header_paths=tuple(paths), ruled=ruled)


# --------------------------------------------------------------------------
# pages without rules: columns from white space
# --------------------------------------------------------------------------

def columns_from_whitespace(lines_words: Sequence[Sequence[Word]], x0: float, x1: float,
                            min_gap: float) -> list[float]:
    """Column borders: the middles of the gaps that no word of any line crosses."""
    covered: list[tuple[float, float]] = sorted((w.x0, w.x1) for ws in lines_words for w in ws)
    borders = [x0]
    reach = x0
    for a, b in covered:
        if a - reach >= min_gap and reach > x0:
            borders.append((reach + a) / 2)
        reach = max(reach, b)
    borders.append(max(x1, reach))
    return borders


def whitespace_table(page: Page, words: Sequence[Word]) -> Optional[Table]:
    """An unruled table: columns where white space runs down the body lines, rows
    where a line holds figures (a line without any continues the row above)."""
    lines = group_lines(words)
    if len(lines) < 3:
        return None
    body = [l for l in lines if _is_body_row([w.text for w in l.words]) or
            sum(is_figure(w.text) for w in l.words) >= 2]
    if len(body) < 2:
        return None
    height = sorted(w.height for w in words)[len(words) // 2]
    x0 = min(w.x0 for w in words)
    x1 = max(w.x1 for w in words)
    borders = columns_from_whitespace([l.words for l in body], x0, x1, min_gap=height * 0.8)
    if len(borders) < 3:
        return None
    first_body = body[0].top
    row_tops: list[float] = [lines[0].top]
    header_lines = [l for l in lines if l.bottom <= first_body + 0.5]
    if header_lines:
        row_tops = [header_lines[0].top]
    for l in lines:
        if l.top >= first_body - 0.5 and l in body:
            row_tops.append(l.top - 0.5)
    row_tops = _positions(row_tops)
    row_edges = row_tops + [max(w.bottom for w in words) + 0.5]
    cells = []
    for r in range(len(row_edges) - 1):
        for c in range(len(borders) - 1):
            box = Box(borders[c], row_edges[r], borders[c + 1], row_edges[r + 1])
            cells.append(_cell(page, box, r, c, 1, 1, [w for w in words if _inside(w, box)]))
    return finish(page, cells, len(row_edges) - 1, len(borders) - 1, ruled=False)


# --------------------------------------------------------------------------
# a page's tables
# --------------------------------------------------------------------------

def read_tables(page: Page) -> list[Table]:
    """Every table of a page, in reading order: ruled grids first; words outside them
    that line up as figures under labels make one unruled table."""
    tables = []
    for group in edges_to_cell_groups(rules_to_edges(page.rules)):
        table = grid_table(page, group)
        if table is not None and any(c.text for c in table.cells):
            tables.append(table)
    if not tables:
        table = whitespace_table(page, page.words)
        if table is not None:
            tables.append(table)
    tables.sort(key=lambda t: (t.box.top, t.box.x0))
    return [replace(t) for t in tables]
