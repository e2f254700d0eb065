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
from bisect import bisect_left, bisect_right
from dataclasses import replace
from functools import lru_cache
from typing import Optional, Sequence

from pdfplumber import table as plumber

from ..extractors.layout import group_lines, make_line, split_chunks, typical_char_width
from ..normalizers.codes import is_speck
from ..normalizers.numbers import parse_number
from ..pagememo import per_page
from ..records import Box, Page, Rule, Word
from .model import Cell, Table
from .periods import quarter_of

# A rule thinner than this is a line; thicker, a filled rectangle whose four sides are edges.
LINE_THICKNESS = 3.0
# Edges this close are one edge (PDF points): scans waver, spreadsheets double their rules.
SNAP = 2.5
MIN_CELLS = 4
# On a scan a rule comes out in pieces (faded print, a fill's edge): pieces of one line
# this far apart (points) are joined.
SCAN_JOIN = 10.0
_FIGURE = re.compile(r"^[$(+-]*\s*\d[\d,. ]*%?\)?$")
_SPECKS = ".,:;'\"”|"
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


def close_column_bands(edges: list[dict]) -> list[dict]:
    """Columns drawn with vertical rules only (rows left to white space): vertical
    edges that start and end together are closed by edges along their tops and
    bottoms, so that they make cells."""
    verticals = sorted((e for e in edges if e["orientation"] == "v"), key=lambda e: (e["top"], e["bottom"]))
    groups: list[list[dict]] = []
    for e in verticals:
        for g in groups:
            if abs(g[0]["top"] - e["top"]) <= 2 * SNAP and abs(g[0]["bottom"] - e["bottom"]) <= 2 * SNAP:
                g.append(e)
                break
        else:
            groups.append([e])
    horizontals = [e for e in edges if e["orientation"] == "h"]

    def closed(x: float, y: float) -> bool:
        return any(abs(h["top"] - y) <= SNAP and h["x0"] - SNAP <= x <= h["x1"] + SNAP for h in horizontals)

    extra = []
    for g in groups:
        if len(g) < 3:
            continue
        x0, x1 = min(e["x0"] for e in g), max(e["x0"] for e in g)
        top, bottom = min(e["top"] for e in g), max(e["bottom"] for e in g)
        # only where no rule meets them already (a grid's sub-rows are closed by their own rules)
        if not any(closed(e["x0"], top) for e in g):
            extra.append(_edge("h", x0, top, x1, top))
        if not any(closed(e["x0"], bottom) for e in g):
            extra.append(_edge("h", x0, bottom, x1, bottom))
    return edges + extra


def close_frame(edges: list[dict]) -> list[dict]:
    """A ruled grid whose outer side is not drawn (a scan that lost it, a sheet printed
    without it): horizontal rules that start (end) together beyond the first (last)
    vertical rule between them mark that side, from the first to the last band between
    them that inner vertical rules cross (bands of unruled rows beyond those stay open)."""
    horizontals = [e for e in edges if e["orientation"] == "h"]
    verticals = [e for e in edges if e["orientation"] == "v"]
    extra = []
    for side in ("x0", "x1"):
        groups: list[list[dict]] = []
        for h in sorted(horizontals, key=lambda e: e[side]):
            if groups and abs(groups[-1][0][side] - h[side]) <= SNAP:
                groups[-1].append(h)
            else:
                groups.append([h])
        for g in groups:
            if len(g) < 3:
                continue
            x = sum(h[side] for h in g) / len(g)
            lo, hi = min(h["x0"] for h in g) + SNAP, max(h["x1"] for h in g) - SNAP
            tops = _positions([h["top"] for h in g])
            inner = [(v["top"], v["bottom"]) for v in verticals if lo < v["x0"] < hi]
            ruled = [i for i, (a, b) in enumerate(zip(tops, tops[1:]))
                     if any(top <= a + SNAP and bottom >= b - SNAP for top, bottom in inner)]
            # each run of crossed bands on its own: two grids that start at one x (a list
            # over a goal table) are not framed into one
            runs: list[list[int]] = []
            for i in ruled:
                if runs and i == runs[-1][-1] + 1:
                    runs[-1].append(i)
                else:
                    runs.append([i])
            for run in runs:
                top, bottom = tops[run[0]], tops[run[-1] + 1]
                drawn = any(abs(v["x0"] - x) <= SNAP and v["top"] <= top + SNAP and v["bottom"] >= bottom - SNAP
                            for v in verticals)
                if not drawn:
                    extra.append(_edge("v", x, top, x, bottom))
    return edges + extra


def reach_rules(edges: list[dict], reach: float) -> list[dict]:
    """Vertical rules that stop short of the horizontal rule just above (below) them,
    by at most `reach`, are drawn to it (a scan fades a rule's ends near a thick rule)."""
    horizontals = [e for e in edges if e["orientation"] == "h"]
    out = []
    for e in edges:
        if e["orientation"] == "v":
            x = e["x0"]
            over = [h for h in horizontals if h["x0"] - SNAP <= x <= h["x1"] + SNAP]
            above = [h["top"] for h in over if -SNAP <= e["top"] - h["top"] <= reach]
            below = [h["top"] for h in over if -SNAP <= h["top"] - e["bottom"] <= reach]
            # the nearest rule is the end (one it meets already leaves it as it is)
            above = [max(above)] if above and e["top"] - max(above) > SNAP else []
            below = [min(below)] if below and min(below) - e["bottom"] > SNAP else []
            if above or below:
                top = max(above) if above else e["top"]
                bottom = min(below) if below else e["bottom"]
                e = _edge("v", x, top, x, bottom)
        out.append(e)
    return out


def edges_to_cell_groups(edges: list[dict], join: float = SNAP) -> list[list[tuple[float, float, float, float]]]:
    """`join`: collinear pieces of one rule this far apart are one rule (a scan breaks its rules)."""
    if not edges:
        return []
    # pieces of a horizontal rule join across `join`; upright ones only where no two
    # rules end them (_join_upright)
    merged = plumber.merge_edges(edges, SNAP, SNAP, join, SNAP)
    if join > SNAP:
        merged = _join_upright(merged, join)
    intersections = plumber.edges_to_intersections(merged, 1, 1)
    cells = plumber.intersections_to_cells(intersections)
    return [g for g in plumber.cells_to_tables(cells) if len(g) >= MIN_CELLS]


def _join_upright(edges: list[dict], join: float) -> list[dict]:
    """Pieces of an upright rule `join` apart are one rule, unless each piece ends on a
    rule across it and those are two rules: the gap between two grids drawn one over
    the other, not a faded stretch. (Only upright rules: a dashed horizontal rule's gap
    may fall on a narrow column between two upright ones.)"""
    horizontals = [e for e in edges if e["orientation"] == "h"]

    def crossing(x: float, y: float) -> Optional[float]:
        return next((h["top"] for h in horizontals if h["x0"] - SNAP <= x <= h["x1"] + SNAP
                     and abs(h["top"] - y) <= SNAP), None)

    by_x: dict[float, list[dict]] = {}
    for e in edges:
        if e["orientation"] == "v":
            by_x.setdefault(e["x0"], []).append(e)
    out = list(horizontals)
    for x, pieces in by_x.items():
        pieces.sort(key=lambda e: e["top"])
        joined = [pieces[0]]
        for e in pieces[1:]:
            last = joined[-1]
            if e["top"] <= last["bottom"] + join:
                a, b = crossing(x, last["bottom"]), crossing(x, e["top"])
                if a is None or b is None or abs(a - b) <= SNAP:
                    if e["bottom"] > last["bottom"]:
                        joined[-1] = _edge("v", last["x0"], last["top"], last["x1"], e["bottom"])
                    continue
            joined.append(e)
        out += joined
    return out


def _positions(values: Sequence[float]) -> list[float]:
    out: list[float] = []
    for v in sorted(values):
        if out and v - out[-1] <= SNAP:
            continue
        out.append(v)
    return out


def _index(positions: Sequence[float], v: float) -> int:
    """The position nearest `v` (the first of two as near). Positions ascend, more than
    SNAP apart (`_positions`): the nearest is one of the two around `v`."""
    if not positions:
        raise ValueError("no positions")
    i = bisect_left(positions, v)
    if i == 0:
        return 0
    if i == len(positions):
        return i - 1
    return i - 1 if abs(positions[i - 1] - v) <= abs(positions[i] - v) else i


def grid_table(page: Page, boxes: Sequence[tuple[float, float, float, float]]) -> Optional[Table]:
    xs = _positions([b[0] for b in boxes] + [b[2] for b in boxes])
    ys = _positions([b[1] for b in boxes] + [b[3] for b in boxes])
    if len(xs) < 2 or len(ys) < 2:
        return None
    box = Box(xs[0], ys[0], xs[-1], ys[-1])
    # each word to the grid position its middle falls in, then to the cell covering it
    by_position: dict[tuple[int, int], list[Word]] = {}
    for w in page.words:
        if _inside(w, box):
            r = min(bisect_right(ys, w.ymid) - 1, len(ys) - 2)
            c = min(bisect_right(xs, w.xmid) - 1, len(xs) - 2)
            by_position.setdefault((r, c), []).append(w)
    cells = []
    for x0, top, x1, bottom in boxes:
        c0, c1 = _index(xs, x0), _index(xs, x1)
        r0, r1 = _index(ys, top), _index(ys, bottom)
        if c1 <= c0 or r1 <= r0:
            continue
        inside = [w for r in range(r0, r1) for c in range(c0, c1) for w in by_position.get((r, c), ())]
        inside.sort(key=lambda w: (w.top, w.x0))
        cells.append(_cell(page, Box(x0, top, x1, bottom), r0, c0, r1 - r0, c1 - c0, inside))
    cells, n_rows = _split_line_bands(page, cells, xs, ys)
    return finish(page, cells, n_rows, len(xs) - 1, ruled=True)


def _split_line_bands(page: Page, cells: list[Cell], xs: Sequence[float],
                      ys: Sequence[float]) -> tuple[list[Cell], int]:
    """A band ruled only by its columns (a statement whose rows have no rules, or lost
    them on a scan) holds many rows: when its lines that carry figures all carry them
    in the same columns, each such line anchors a row of its own, across every column
    of the grid (a column whose rules did not close it included). A band whose lines
    fill different columns (a project line with its budget over goal lines with their
    targets) stays one row."""
    n_rows = len(ys) - 1
    out: list[Cell] = []
    shift = 0
    line_height = sorted(w.height for w in page.words)[len(page.words) // 2] if page.words else 8.0
    by_row: dict[int, list[Cell]] = {}
    crossed: set[int] = set()  # bands a taller cell runs through
    for c in cells:
        by_row.setdefault(c.row, []).append(c)
        crossed.update(range(c.row + 1, c.row + c.row_span))
    for r in range(n_rows):
        band = by_row.get(r, [])
        rows = []
        if band and ys[r + 1] - ys[r] > 4 * line_height and r not in crossed and \
                all(c.col_span == 1 and c.row_span == 1 for c in band):
            box = Box(xs[0], ys[r], xs[-1], ys[r + 1])
            lines = group_lines([w for w in page.words if _inside(w, box)])
            # (a scan's specks stick to figures: `$0.00.`; a speck or a signature over a
            # figure loses it: most lines, nearly every column)
            figures = [f for l in lines if (f := {col for w in l.words if is_figure(w.text.rstrip(_SPECKS))
                                                  and (col := _column_of(w.xmid, xs)) is not None})]
            union = set().union(*figures) if figures else set()
            if len(figures) >= 3 and len(union) >= 2 and \
                    sum(len(f) >= 0.75 * len(union) for f in figures) >= 2 / 3 * len(figures):
                rows = rows_from_lines(lines, xs)
        if len(rows) < 2:
            out += [replace(c, row=c.row + shift) for c in band]
            continue
        for k, row in enumerate(rows):
            top = ys[r] if k == 0 else (max(l.bottom for l in rows[k - 1]) + min(l.top for l in row)) / 2
            bottom = ys[r + 1] if k == len(rows) - 1 else (max(l.bottom for l in row) + min(l.top for l in rows[k + 1])) / 2
            words = [w for l in row for w in l.words]
            for col in range(len(xs) - 1):
                out.append(_cell(page, Box(xs[col], top, xs[col + 1], bottom), r + shift + k, col, 1, 1,
                                 [w for w in words if xs[col] <= w.xmid < xs[col + 1]]))
        shift += len(rows) - 1
    return out, n_rows + shift


def _inside(w: Box, box: Box) -> bool:
    return box.x0 <= w.xmid <= box.x1 and box.top <= w.ymid <= box.bottom


def _cell(page: Page, box: Box, row: int, col: int, row_span: int, col_span: int, words: Sequence[Word]) -> Cell:
    if len(words) < 2:  # most cells: no lines to sort out
        text = words[0].text.strip() if words else ""
    else:
        text = " ".join(l.text for l in group_lines(words, stacked_apart=True)).strip()
    return Cell(box.x0, box.top, box.x1, box.bottom, row=row, col=col, row_span=row_span, col_span=col_span,
                text=text, words=tuple(words), page=page.number)


# --------------------------------------------------------------------------
# header rows and header paths
# --------------------------------------------------------------------------

def is_figure(text: str) -> bool:
    t = text.strip()
    return bool(t) and bool(_FIGURE.match(t)) and parse_number(t.replace(" ", "")) is not None


_NUMBER_FORMULA = re.compile(r"^(\d{1,2})=\(?[\d+\-*/x]+\)?$")


def _numbering_row(texts: Sequence[str]) -> bool:
    """A row of column numbers printed under the header (`1 2 3 ... 10`). On a scan a
    speck beside a number reads as a letter (`14 h`): single characters are let pass
    where the numbers run on (mostly by one). A row of small figures (`4 1 0 1`) is
    a body row."""
    tokens = [t for text in texts for t in text.split()]
    ints = [int(t) for t in tokens if t.isdigit() and len(t) <= 2]
    others = [t for t in tokens if not (t.isdigit() and len(t) <= 2)]
    if len(ints) < 3 or any(len(t) > 1 for t in others) or len(others) * 3 > len(ints):
        return False
    steps = [b - a for a, b in zip(ints, ints[1:])]
    return sum(s == 1 for s in steps) >= (0.75 if not others else 0.5) * len(steps)


def is_date(text: str) -> bool:
    return bool(_DATE.match(text.strip()))


# A cell that starts with a dotted code or a numbered item (`4.5.3`, `101.- SEGUIMIENTO`).
_LEADING_CODE = re.compile(r"^(\d{1,2}(\.\d{1,2})+\b|[A-Z]?\.?\d{1,4}\s*(\.-|-|\.|\))\s*[A-Za-zÁÉÍÓÚÑ])")
# ... unless what follows the number is the word quarter: a quarter's label whose
# ordinal OCR misread (`240. trim.` for `2do. trim.`) heads its columns
_NUMBERED_QUARTER = re.compile(r"^\S+\s*trim(?:estre)?\b", re.IGNORECASE)


def _is_body_row(texts: Sequence[str]) -> bool:
    """Two figures or dates, or a coded item: a header prints labels (a year alone, at most)."""
    if _numbering_row(texts):
        return False
    values = sum(is_figure(t) or is_date(t) for t in texts)
    return values >= 2 or any(_LEADING_CODE.match(t.strip()) and not _NUMBERED_QUARTER.match(t.strip())
                              for t in texts)


def _has_body_row(cells: Sequence[Cell], n_rows: int) -> bool:
    rows: list[list[str]] = [[] for _ in range(n_rows)]
    for c in cells:
        rows[c.row].append(c.text)
    return any(_is_body_row(r) for r in rows)


def finish(page: Page, cells: list[Cell], n_rows: int, n_cols: int, ruled: bool,
           header_rows: Optional[int] = None) -> Optional[Table]:
    """Cells -> a table with its header rows (found by what they hold, unless the
    caller knows them) and header paths."""
    if not cells or n_cols < 2:
        return None
    rows: list[list[str]] = [[] for _ in range(n_rows)]
    for c in cells:
        rows[c.row].append(c.text)
    if header_rows is None:
        header_rows = 0
        for r in range(n_rows):
            if _is_body_row(rows[r]):
                break
            header_rows = r + 1
        if header_rows == n_rows:
            header_rows = 0 if n_rows > 1 and not any(rows[0]) else min(header_rows, 1)
    numbering = {r for r in range(header_rows) if _numbering_row(rows[r])}
    paths = []
    for col in range(n_cols):
        parts: list[str] = []
        for c in sorted((c for c in cells if c.row < header_rows and c.row not in numbering and
                         c.col <= col < c.col + c.col_span),
                        key=lambda c: c.row):
            text = c.text.strip()
            spans_all = c.col_span >= max(2, n_cols)  # a title over the whole table
            if text and not spans_all and not _numbering_row([text]) and (not parts or parts[-1] != text):
                parts.append(text)
        paths.append(" > ".join(parts))
    box = Box(min(c.x0 for c in cells), min(c.top for c in cells), max(c.x1 for c in cells),
              max(c.bottom for c in cells))
    return Table(page=page.number, box=box, cells=tuple(sorted(cells, key=lambda c: (c.row, c.col))),
                 n_rows=n_rows, n_cols=n_cols, header_rows=header_rows, header_paths=tuple(paths), ruled=ruled)


# --------------------------------------------------------------------------
# unruled rows: lines that fill most columns anchor a row; the others join one
# --------------------------------------------------------------------------

def _column_of(x: float, borders: Sequence[float]) -> Optional[int]:
    for i in range(len(borders) - 1):
        if borders[i] <= x < borders[i + 1]:
            return i
    return None


def rows_from_lines(lines: Sequence, borders: Sequence[float]) -> list[list]:
    """Body lines -> rows (lists of lines). A line that fills at least half as many
    columns as the fullest lines anchors a row; any other line (a wrapped cell, a
    cell printed top-aligned beside bottom-aligned ones) joins the nearest row whose
    cell in its columns is still empty, else the nearest row."""
    occupied = [{c for w in l.words if (c := _column_of(w.xmid, borders)) is not None} for l in lines]
    if not lines:
        return []
    full = sorted(len(o) for o in occupied)[-max(1, len(lines) // 4)]
    anchors = [i for i, o in enumerate(occupied) if len(o) >= max(2, full / 2)]
    if not anchors:
        return [[l] for l in lines]
    rows: dict[int, list[int]] = {a: [a] for a in anchors}
    filled: dict[int, set[int]] = {a: set(occupied[a]) for a in anchors}
    # rows whose anchor lines open a numbered item (`101- PROPORCIONAR`) start there:
    # their cells are printed top-aligned, so a line under one runs on from it
    coded = sum(any(_LEADING_CODE.match(t) for t in _column_texts(lines[a], borders)) for a in anchors)
    top_aligned = coded >= max(2, 0.6 * len(anchors))
    for i in range(len(lines)):
        if i in rows:
            continue
        by_distance = sorted(anchors, key=lambda a: abs(lines[a].ymid - lines[i].ymid))
        free = [a for a in by_distance[:2] if not (filled[a] & occupied[i])]
        above = [a for a in by_distance[:2] if lines[a].ymid < lines[i].ymid]
        if free:
            target = free[0]
        elif top_aligned and above:
            target = above[0]
        else:
            target = _wrapped_into(lines, occupied, borders, i, by_distance[:2])
        rows[target].append(i)
        filled[target] |= occupied[i]
    return [[lines[i] for i in sorted(rows[a])] for a in anchors]


def _column_texts(line, borders: Sequence[float]) -> list[str]:
    """The line's text in each column it reaches."""
    by_column: dict[int, list[str]] = {}
    for w in sorted(line.words, key=lambda w: w.x0):
        c = _column_of(w.xmid, borders)
        if c is not None:
            by_column.setdefault(c, []).append(w.text)
    return [" ".join(ts) for ts in by_column.values()]


def _starts_lower(line, column: int, borders: Sequence[float]) -> Optional[bool]:
    """Whether the line's text in `column` starts with a small letter (None: no letter)."""
    words = [w for w in line.words if _column_of(w.xmid, borders) == column]
    first = next((c for w in words for c in w.text if c.isalpha()), None)
    return None if first is None else first.islower()


def _wrapped_into(lines: Sequence, occupied: Sequence[set], borders: Sequence[float], i: int,
                  nearest: Sequence[int]) -> int:
    """The row a wrapped text line belongs to when both rows beside it fill its
    columns: text runs on downwards, so a line the next line continues (it starts with
    a small letter) opens the row below; a line that itself starts small continues the
    row above; otherwise the nearest row."""
    column = min(occupied[i], default=None)
    if column is not None:
        above = [a for a in nearest if lines[a].ymid < lines[i].ymid]
        below = [a for a in nearest if lines[a].ymid > lines[i].ymid]
        follows = lines[i + 1] if i + 1 < len(lines) else None
        if below and follows is not None and column in occupied[i + 1] and \
                _starts_lower(follows, column, borders) and not _starts_lower(lines[i], column, borders):
            return below[0]
        if above and _starts_lower(lines[i], column, borders):
            return above[0]
    return nearest[0]


def _grid_cells(page: Page, rows: Sequence[Sequence], borders: Sequence[float], first_row: int) -> list[Cell]:
    cells = []
    for r, row_lines in enumerate(rows):
        top = min(l.top for l in row_lines)
        bottom = max(l.bottom for l in row_lines)
        words = [w for l in row_lines for w in l.words]
        for c in range(len(borders) - 1):
            box = Box(borders[c], top, borders[c + 1], bottom)
            cells.append(_cell(page, box, first_row + r, c, 1, 1,
                               [w for w in words if borders[c] <= w.xmid < borders[c + 1]]))
    return cells


def extend_below(page: Page, table: Table, floor: float = float("inf")) -> Table:
    """A ruled header (or a grid whose rules stop) over a body drawn without rules:
    the lines under it, down to the next wide gap (or the next table, `floor`), are
    its rows, in its columns."""
    borders = sorted({c.x0 for c in table.cells} | {c.x1 for c in table.cells})
    borders = _positions(borders)
    below = [w for w in page.words if table.box.bottom - 1 <= w.top and w.bottom <= floor + 1
             and table.box.x0 - 2 <= w.xmid <= table.box.x1 + 2]
    lines = group_lines(below)
    if not lines:
        return table
    pitch = sorted(l.height for l in lines)[len(lines) // 2]
    body = []
    last = table.box.bottom
    for l in lines:
        if l.top - last > 3 * pitch:
            break
        body.append(l)
        last = l.bottom
    while body and _runs_across(body[-1], borders):
        body.pop()  # a sentence under the table (a note, a legal statement), not a row
    if len(body) < 1 or not any(_is_body_row([w.text for w in l.words]) or
                                sum(1 for w in l.words if is_figure(w.text)) for l in body):
        return table
    rows = rows_from_lines(body, borders)
    if table.header_rows < table.n_rows and table.n_rows - table.header_rows > len(rows):
        return table  # the grid has its own body; the lines under it are something else
    if not _fits_columns(body, borders):
        return table  # the lines under it are a table in other columns (a list or header boxes over a goal table)
    own_body = _has_body_row(table.cells, table.n_rows)
    # a ruled grid that holds no value of its own is the header of the lines under it
    header_rows = None if own_body else table.n_rows
    if header_rows is not None:  # the header's column numbers printed under its rules
        header_rows += next((k for k, row in enumerate(rows)
                             if not _numbering_row([w.text for l in row for w in l.words])), len(rows))
    cells = list(table.cells) + _grid_cells(page, rows, borders, table.n_rows)
    return finish(page, _regrid(cells, borders), table.n_rows + len(rows), len(borders) - 1, ruled=table.ruled,
                  header_rows=header_rows) or table


def _fits_columns(lines: Sequence, borders: Sequence[float]) -> bool:
    """The lines' own white-space columns fall on the grid's borders: a white run
    that holds no border splits a grid column (one may: a loose word in a wide
    text column; the slivers between a text column's words do not count)."""
    words = [w for l in lines for w in l.words]
    char = typical_char_width(words)
    x0, x1 = min(w.x0 for w in words), max(w.x1 for w in words)
    runs = white_runs(lines, x0, x1, 0.9 * char)
    inside = [(a, b) for a, b in runs if b - a >= 1.5 * char and not any(a - char <= x <= b + char for x in borders)]
    return len(inside) <= 1


def _runs_across(line, borders: Sequence[float]) -> bool:
    """A line of running text across the columns: no figure, and its words, a space
    apart, step over two column borders or more (one may be a clipped cell's text
    touching the next cell's)."""
    words = sorted(line.words, key=lambda w: w.x0)
    if any(is_figure(w.text) for w in words):
        return False
    space = sorted(w.height for w in words)[len(words) // 2]
    crossed = {x for a, b in zip(words, words[1:]) if b.x0 - a.x1 < space
               for x in borders[1:-1] if a.xmid < x < b.xmid}
    return len(crossed) >= 2


def _regrid(cells: list[Cell], borders: Sequence[float]) -> list[Cell]:
    """Column indices and spans on the finest borders (a header cell over several columns)."""
    out = []
    for c in cells:
        c0, c1 = _index(borders, c.x0), _index(borders, c.x1)
        span = max(1, c1 - c0)
        out.append(c if (c.col, c.col_span) == (c0, span) else replace(c, col=c0, col_span=span))
    return out


# --------------------------------------------------------------------------
# pages without rules: columns from white space
# --------------------------------------------------------------------------

def _cover(lines: Sequence, x0: float, step: float, n: int) -> list[int]:
    """How many lines cross each of the `n` steps from x0 (a line once, however many of
    its words do): each line's words as runs of steps, joined, counted at their ends."""
    change = [0] * (n + 1)
    for line in lines:
        spans = sorted((max(0, int((w.x0 - x0) / step)), min(n - 1, int((w.x1 - x0) / step))) for w in line.words)
        start = end = None
        for lo, hi in spans:
            if lo > hi:
                continue
            if end is not None and lo <= end + 1:
                end = max(end, hi)
                continue
            if end is not None:
                change[start] += 1
                change[end + 1] -= 1
            start, end = lo, hi
        if end is not None:
            change[start] += 1
            change[end + 1] -= 1
    cover, running = [], 0
    for delta in change[:n]:
        running += delta
        cover.append(running)
    return cover


def white_runs(lines: Sequence, x0: float, x1: float, min_gap: float,
               tolerance: float = 0.1) -> list[tuple[float, float]]:
    """The stretches between x0 and x1, at least `min_gap` wide, that (almost) no
    line crosses: a few lines may cross (a long name running into the next column).
    The lines that hold figures count apart: a tall row's many lines of one text
    column do not make the other columns' gaps."""
    step = max(0.5, min_gap / 4)
    n = int((x1 - x0) / step) + 2
    cover = _cover(lines, x0, step, n)
    anchors = [l for l in lines if _values(l) >= 2]
    anchor_cover = _cover(anchors, x0, step, n)
    limit = max(0, int(tolerance * len(lines)))
    anchor_limit = max(0, int(tolerance * len(anchors)))
    runs = []
    run_start = None
    for i in range(n):
        open_ = cover[i] <= limit and anchor_cover[i] <= anchor_limit
        if open_ and run_start is None:
            run_start = i
        if (not open_ or i == n - 1) and run_start is not None:
            if (i - run_start) * step >= min_gap and run_start > 0 and i < n - 1:
                runs.append((x0 + run_start * step, x0 + i * step))
            run_start = None
    return runs


def columns_from_whitespace(lines: Sequence, x0: float, x1: float, min_gap: float,
                            tolerance: float = 0.1) -> list[float]:
    """Column borders: the middles of the gaps that (almost) no body line crosses."""
    return [x0] + [(a + b) / 2 for a, b in white_runs(lines, x0, x1, min_gap, tolerance)] + [x1]


_CODE_LIKE = re.compile(r"^\d{1,2}(\.\d{1,2}){1,4}\.?$")
_SURELY_CODE = re.compile(r"^(\d(\.\d)+|\d{1,2}(\.\d{1,2}){2,4})\.?$")  # `1.1`, `4.5.3`: no decimal reads so
# Lines a header may stack: labels centred in cells of different heights fall on
# lines of their own (`% DE` / `AVANCE` / `DEL` / `TRIMESTRE` beside `REALIZADO`).
_HEADER_LINES = 10
_PAGE_WORD = re.compile(r"^(p[aá]gina|p[aá]g\.?|hoja|page)$", re.IGNORECASE)
_LABEL_NUMBER = re.compile(r"^(\d{1,2}|(19|20)\d\d)$")  # `TRIMESTRE 1`, `METAS 2026`
_YEAR = re.compile(r"^(19|20)\d\d$")


def _char_width(word: Word) -> float:
    return word.width / max(1, len(word.text))


def _one_space(left: Word, right: Word) -> bool:
    """Two words a space apart (a monospaced space is a whole letter wide)."""
    return right.x0 - left.x1 <= 1.05 * _char_width(left)


_ROMAN = re.compile(r"I{1,3}|I[vV]|V")
_ONES = re.compile(r"1{1,3}")


def _values(line) -> int:
    return len(_value_words(line))


def _value_words(line) -> list[Word]:
    """Figures and dates on a line (a row of column numbers under a header holds none;
    a dotted code that labels the words after it, `1.2 ESTRATEGIA`, is no value)."""
    words = line.words
    texts = [w.text for w in words]
    if _numbering_row(texts):
        return []
    # quarter labels in roman numerals, some read as ones by OCR (`I 11 111 Iv`)
    romans = any(_ROMAN.fullmatch(t) for t in texts)
    # one label numbered again along the line (`TRIMESTRE 1 ... TRIMESTRE 4`): its numbers are
    # labels'; however wide a scan's boxes leave the space before them
    after_word: dict[str, set[str]] = {}
    for before, w in zip(words, words[1:]):
        if _LABEL_NUMBER.match(w.text) and before.text.rstrip(".")[-1:].isalpha():
            after_word.setdefault(before.text.upper(), set()).add(w.text)
    numbered = {label for label, numbers in after_word.items() if len(numbers) >= 2}
    found = []
    for i, w in enumerate(words):
        if romans and _ONES.fullmatch(w.text):
            continue
        if not (is_figure(w.text) or is_date(w.text)):
            continue
        text = w.text.strip()
        after = words[i + 1] if i + 1 < len(words) else None
        if _CODE_LIKE.match(text) and after is not None and after.text[:1].isalpha() and (
                after.x0 - w.x1 < 2.5 * max(1.0, w.height) or _SURELY_CODE.match(text)):
            continue  # a code naming what follows it (a list of action lines), not a figure
        before = words[i - 1] if i > 0 else None
        if before is not None and before.text.endswith(":") and (
                w.x0 - before.x1 < 4 * _char_width(before) or
                after is not None and after.text[:1].isalpha() and after.x0 - w.x1 <= 2 * _char_width(w)):
            continue  # a labelled value (`FINALIDAD: 2`, `DEPENDENCIA:   31 DESARROLLO`), not a table's figure
        if before is not None and _LABEL_NUMBER.match(text) and before.text.rstrip(".")[-1:].isalpha() and \
                (_one_space(before, w) or before.text.upper() in numbered):
            continue  # a label's number or year, one space after its word
        if before is not None and text.isdigit() and (_PAGE_WORD.match(before.text) or (
                before.text.lower() in ("de", "of") and i > 1 and words[i - 2].text.isdigit())):
            continue  # a page number (`Página 1 de 2`), however wide the spaces
        found.append(w)
    if found and all(_YEAR.match(w.text) for w in found):
        return []  # the years of wrapped header labels (`PORCENTAJE ... TRIMESTRAL` / `2026`), no row
    return found


def _column_numbers(line) -> bool:
    """A header's row of column numbers, some carrying how they are computed (`3=(1+2)`),
    dashes for unnumbered columns."""
    return _numbering_row([m.group(1) if (m := _NUMBER_FORMULA.match(w.text)) else w.text
                           for w in line.words if w.text.strip("-—–")])


def _in_prose(words: Sequence[Word], i: int) -> bool:
    """The line's i-th word stands one space from a word of text (`fue 100% ya que`)."""
    def prose(v: Word) -> bool:
        return sum(ch.isalpha() for ch in v.text) >= 2

    w = words[i]
    return i > 0 and prose(words[i - 1]) and _one_space(words[i - 1], w) or \
        i + 1 < len(words) and prose(words[i + 1]) and _one_space(w, words[i + 1])


def _figures_apart(line, figures: Optional[Sequence[Word]] = None, most: bool = False) -> bool:
    """Each figure of the line (its `_value_words`, when the caller has them) stands
    apart from its neighbours (a cell of its own), not one space from the words around
    it (`su matrícula en 45 estudiantes`). `most`: all but a third of them, two at
    least (a cramped row sets one figure a space from the text cell beside it)."""
    words = line.words
    found = {id(w) for w in (_value_words(line) if figures is None else figures)}
    apart = [not _in_prose(words, i) for i, w in enumerate(words) if id(w) in found]
    if most:
        return sum(apart) >= max(2, 2 * len(apart) / 3)
    return all(apart)


def _aligned(figure: Word, columns: Sequence[Word], reach: float) -> bool:
    """A figure stands in one of the columns: flush with one's right or left edge, or
    centred under it."""
    middle = (figure.x0 + figure.x1) / 2
    return any(abs(figure.x1 - c.x1) <= reach or abs(figure.x0 - c.x0) <= reach or
               abs(middle - (c.x0 + c.x1) / 2) <= reach for c in columns)


def _quarter_numbers(line, above: Sequence[Word]) -> bool:
    """A line whose figures are all quarters' numbers, each finishing the label right
    over it (`TRIMESTRE` / `1`, a narrow cell wrapping its quarter's number): a header
    line, not a row."""
    def labelled(f: Word) -> bool:
        return f.text in ("1", "2", "3", "4") and any(
            min(w.x1, f.x1) - max(w.x0, f.x0) > -f.height and w.text[-1:].isalpha() and
            quarter_of(w.text) is None and quarter_of(f"{w.text} {f.text}") for w in above)
    # a label's own next line may share it (`PROGRAMADO` / `ANUAL` beside the `1 2 3 4`;
    # the caller decides whether such a line ends the header)
    digits = [f for f in line.words if not f.text.isalpha()]
    return bool(digits) and all(labelled(f) for f in digits)


def _body_run(lines: Sequence, pitch: float) -> Optional[tuple[int, int]]:
    """The longest run of lines holding two values or more, with the lines between
    them (wrapped cells), cut where the page leaves a wide gap."""
    figures = [_value_words(l) for l in lines]
    for i in range(1, len(lines)):
        if figures[i] and _quarter_numbers(lines[i], [w for l in lines[max(0, i - 2):i] for w in l.words]):
            # shared with another label's next line, it is header only as the header's
            # last line, right over the rows (a taller header goes on below it)
            shared = any(w.text.isalpha() for w in lines[i].words)
            if not shared or i + 1 < len(lines) and len(_value_words(lines[i + 1])) >= 2:
                figures[i] = []
    counts = [len(f) for f in figures]
    valued = [i for i, n in enumerate(counts) if n >= 2]
    if len(valued) == 1 and counts[valued[0]] >= 3:  # one row left for a page (its header decides)
        last = valued[0]
        while last + 1 < len(lines) and lines[last + 1].top - lines[last].bottom <= 0.8 * pitch and \
                counts[last + 1] == 0 and last + 1 - valued[0] <= 4:
            last += 1
        return valued[0], last
    if len(valued) < 2:
        return None
    runs: list[list[int]] = [[valued[0]]]
    columns: list[Word] = list(figures[valued[0]])
    for a, b in zip(valued, valued[1:]):
        # tall rows (a long justification) put many lines between two rows' figures;
        # a table ends where the page leaves white space
        unbroken = all(lines[k + 1].top - lines[k].bottom <= 1.5 * pitch for k in range(a, b))
        middle = (lines[a].x0 + lines[a].x1) / 2
        # lines that start left are rows of their own (a list, a header), not a tall
        # cell's: unless they end before the valued line's second cell begins (a long
        # justification printed in the first column)
        first_cell_end = _second_cell_start(lines[a])
        left = sum(1 for k in range(a + 1, b) if lines[k].x0 < middle and lines[k].x1 > first_cell_end)
        # a block's own label flush at the left (`Parámetros de semaforización:`) opens another table
        labelled = any(not counts[k] and _block_label(lines[k], min(lines[a].x0, lines[b].x0), pitch)
                       for k in range(a + 1, b))
        # a title and a header between two tables one over the other: the figures
        # under them stand in other columns
        retitled = b > a + 1 and any(lines[k].x0 <= min(lines[a].x0, lines[b].x0) + pitch
                                     for k in range(a + 1, b)) and \
            2 * sum(_aligned(f, columns, 0.8 * pitch) for f in figures[b]) < counts[b] and \
            _figures_apart(lines[b], figures[b])  # not figures quoted in a wrapped justification
        if b - a > 60 or left > 12 or labelled or retitled or \
                not unbroken and (lines[b].top - lines[a].bottom > 10 * pitch or b - a > 12):
            runs.append([b])
            columns = list(figures[b])
        else:
            runs[-1].append(b)
            columns.extend(figures[b])
    run = max(runs, key=len)
    if len(run) < 2:
        return None
    last = run[-1]
    # a wrapped cell's lines under the last valued line
    while last + 1 < len(lines) and lines[last + 1].top - lines[last].bottom <= 0.8 * pitch and \
            counts[last + 1] == 0 and last + 1 - run[-1] <= 4 and \
            not _block_label(lines[last + 1], lines[run[-1]].x0, pitch):
        last += 1
    return run[0], last


def _second_cell_start(line) -> float:
    """Where a line's second cell begins: its first gap wider than a word space."""
    words = sorted(line.words, key=lambda w: w.x0)
    return next((q.x0 for p, q in zip(words, words[1:]) if q.x0 - p.x1 > 1.3 * _char_width(p)), line.x1)


def _block_label(line, left: float, pitch: float) -> bool:
    """A label of a block of its own (`Parámetros de semaforización:`; the caller knows
    it holds no value): it ends with a colon, starts at the table's left edge or
    left of it, and runs on without a column gap (not a row of cells whose last ends
    with a label's colon, `UNIDAD DE MEDIDA DEL INDICADOR:`)."""
    return line.text.rstrip().endswith(":") and line.x0 <= left + pitch and _second_cell_start(line) >= line.x1


def _white_stretches(lo: float, hi: float, boxes: Sequence) -> list[tuple[float, float]]:
    """The stretches between x=lo and x=hi that no box covers."""
    spans = sorted((max(lo, b.x0), min(hi, b.x1)) for b in boxes if b.x1 > lo and b.x0 < hi)
    out, reach = [], lo
    for a, b in spans + [(hi, hi)]:
        if a > reach:
            out.append((reach, a))
        reach = max(reach, b)
    return out


def _least_crossed(lo: float, hi: float, lines: Sequence, step: float = 0.5) -> list[tuple[float, float]]:
    """The stretches between x=lo and x=hi that the fewest lines cross."""
    xs = [lo + step * (i + 0.5) for i in range(max(1, int((hi - lo) / step)))]
    crossing = [sum(any(w.x0 <= x <= w.x1 for w in l.words) for l in lines) for x in xs]
    least = min(crossing)
    out: list[tuple[float, float]] = []
    for x, n in zip(xs, crossing):
        if n == least:
            if out and abs(out[-1][1] - (x - step / 2)) < 1e-6:
                out[-1] = (out[-1][0], x + step / 2)
            else:
                out.append((x - step / 2, x + step / 2))
    return out


def _cut_between(lo: float, hi: float, body: Sequence) -> float:
    """Where to part two columns between x=lo and x=hi: the middle of the widest
    stretch there that no body word covers, else that the fewest body lines cross
    (a speck OCR joined to a word's box reaches into the gap), else the middle."""
    white = _white_stretches(lo, hi, [w for l in body for w in l.words])
    if not white and hi - lo > 1 and body:
        white = _least_crossed(lo, hi, body)
    a, b = max(white, key=lambda s: s[1] - s[0], default=(lo, hi))
    return (a + b) / 2


def _white_near(lo: float, hi: float, boxes: Sequence, x: float) -> float:
    """The middle of the stretch between x=lo and x=hi that no box covers nearest to x
    (x itself when every bit is covered)."""
    middles = [(a + b) / 2 for a, b in _white_stretches(lo, hi, boxes)]
    return min(middles, key=lambda m: abs(m - x), default=x)


def _clear_of_labels(borders: list[float], body: Sequence, header: Sequence, gap: float) -> list[float]:
    """Each border moved, within the white space the body leaves there, off the header
    labels it cuts: right-aligned figures under left-aligned labels put the middle of
    their gap through the next column's label."""
    # an OCR speck (a lone stop or dash read from the paper's grain) holds no column's white
    words = [w for l in body for w in l.words if w.conf is None or any(ch.isalnum() for ch in w.text)]
    chunks = [split_chunks(l, gap) for l in header]
    out = [borders[0]]
    for b in borders[1:-1]:
        lo = max((w.x1 for w in words if w.x1 <= b), default=b)
        hi = min((w.x0 for w in words if w.x0 >= b), default=b)
        if hi <= lo:
            out.append(b)
            continue
        # the lowest labels over the gap are the columns' own (a quarter spans its P and A)
        over = [l for l in header if any(w.x1 > lo and w.x0 < hi for w in l.words)]
        cut = _cut_between(lo, hi, over[-1:])
        # unless that cuts a label of a line above that reaches from one column into
        # the gap, with no finer label under it (`META ANUAL` a line over `ACCIÓN
        # P.M.D.`, centred in its cell; not `TRIMESTRE 1` over its `P` and `A`)
        partial = [c for k, found in enumerate(chunks) for c in found
                   if (c.x0 < lo < c.x1 < hi or lo < c.x0 < hi < c.x1) and
                   not any(min(d.x1, c.x1) > max(d.x0, c.x0) for lower in chunks[k + 1:] for d in lower) and
                   _group_under(c, found, chunks[k + 1:]) is None]
        if any(c.x0 < cut < c.x1 for c in partial):
            cut = _white_near(lo, hi, [w for l in over[-1:] for w in l.words] + partial, cut)
        out.append(cut)
    return out + [borders[-1]]


def _split_by_labels(header: Sequence, borders: list[float], gap: float, body: Sequence = ()) -> list[float]:
    """Columns the body leaves empty or barely apart (an achieved column before its
    quarter is reported, observations right after a figure) show in the header:
    labels over one column that do not overlap split it between them."""
    out = list(borders)
    for line in header:  # two labels of one line over one column
        chunks = [c for c in split_chunks(line, gap) if not is_speck(c.text)]
        for a, b in zip(chunks, chunks[1:]):
            inside = [i for i in range(len(out) - 1) if out[i] <= a.xmid < out[i + 1]]
            if inside and out[inside[0]] <= b.xmid < out[inside[0] + 1]:
                out.insert(inside[0] + 1, _cut_between(a.x1, b.x0, body))
    # labels of different lines side by side in one column (a label spanning
    # several columns, like a quarter over its P and A, says nothing here)
    lines_chunks = [_label_chunks(line, out, gap) for line in header]
    chunks = [c for k, found in enumerate(lines_chunks) for c in found
              if len(_columns_under(c, out)) == 1 and _group_under(c, found, lines_chunks[k + 1:]) is None
              and not is_speck(c.text)]
    for i in range(len(out) - 1):
        inside = [c for c in chunks if out[i] <= c.xmid < out[i + 1]]
        cuts = []
        reach = None
        for c in sorted(inside, key=lambda c: c.x0):
            if reach is not None and c.x0 - reach >= gap:
                cuts.append(_cut_between(reach, c.x0, body))
            reach = c.x1 if reach is None else max(reach, c.x1)
        out.extend(cuts)
    return sorted(out)


def _group_under(label: Box, own_line: Sequence[Box],
                 lower_lines: Sequence[Sequence[Box]]) -> Optional[tuple[int, int, int]]:
    """A label with finer labels under it on both sides (`I` over its `P` and `A`,
    narrower than the columns it spans), within half the way to its neighbours; a
    label alone on its line centred over a row of finer labels (`PERIODO` over the
    quarters) spans that row. (line, first, last) of the finer labels in the first
    lower line that has them; None when it stands over no such group."""
    left = max((c.xmid for c in own_line if c.xmid < label.xmid), default=None)
    right = min((c.xmid for c in own_line if c.xmid > label.xmid), default=None)
    if left is None and right is None:
        return _centred_over(label, lower_lines)
    reach_left = (label.xmid - left) / 2 if left is not None else (right - label.xmid) / 2
    reach_right = (right - label.xmid) / 2 if right is not None else reach_left
    for k, line in enumerate(lower_lines):
        if any(abs(c.xmid - label.xmid) <= label.height and c.width >= 0.6 * label.width for c in line):
            return None  # its own label's next line, as wide and centred under it (`FRECUENCIA DE` / `MEDICIÓN DEL`)
        lefts = [i for i, c in enumerate(line) if label.xmid - reach_left <= c.xmid < label.xmid]
        rights = [i for i, c in enumerate(line) if label.xmid < c.xmid <= label.xmid + reach_right]
        # centred over the pair (a label with no neighbour on one side reaches far:
        # `AVANCE` of `AVANCE ABSOLUTO` between the description and the observations)
        if lefts and rights and abs((line[lefts[-1]].xmid + line[lefts[-1] + 1].xmid) / 2 - label.xmid) <= \
                1.5 * label.height:
            return k, lefts[-1], lefts[-1] + 1
    return None


def _centred_over(label: Box, lower_lines: Sequence[Sequence[Box]]) -> Optional[tuple[int, int, int]]:
    """The widest run of finer labels, as many on each side, whose middle is the
    label's: none of them under the label itself (that would be its own column's)."""
    for k, line in enumerate(lower_lines):
        if any(min(c.x1, label.x1) - max(c.x0, label.x0) > 0 for c in line):
            return None
        lefts = [i for i, c in enumerate(line) if c.xmid < label.xmid][::-1]
        rights = [i for i, c in enumerate(line) if c.xmid > label.xmid]
        found = None
        for a, b in zip(lefts, rights):
            x0, x1 = line[a].x0, line[b].x1
            if abs((x0 + x1) / 2 - label.xmid) > label.height:
                break
            found = (k, a, b)
        if found:
            return found
    return None


def _columns_under(box: Box, borders: Sequence[float]) -> list[int]:
    """The columns a label stands over (a letter's width over a border is no overlap)."""
    least = max(1.0, 0.3 * box.width)
    return [c for c in range(len(borders) - 1) if min(box.x1, borders[c + 1]) - max(box.x0, borders[c]) > least]


def _label_chunks(line, borders: Sequence[float], gap: float) -> list:
    """A header line's labels: words close together over the same columns (two
    labels side by side in neighbouring columns stay two, `AVANCE` | `AVANCE`)."""
    chunks: list[list[Word]] = []
    for w in line.words:
        if chunks:
            last = chunks[-1][-1]
            space = w.x0 - last.x1
            # one space apart is one label, over however many columns (`TRIMESTRE 1`, its
            # space a little wider in OCR'd boxes)
            if _one_space(last, w) or space <= gap and (
                    set(_columns_under(w, borders)) & set(_columns_under(last, borders)) or
                    _LABEL_NUMBER.match(w.text) and last.text[-1:].isalpha()):
                chunks[-1].append(w)
                continue
        chunks.append([w])
    return [make_line(c) for c in chunks]


def _header_cells(page: Page, header: Sequence, borders: Sequence[float], gap: float) -> list[Cell]:
    """Header lines cut into label chunks; a chunk spans the columns it overlaps;
    chunks stacked over the same columns are one label (`UNIDAD DE` / `MEDIDA`)."""
    # each line's labels and the columns under them
    lines_labels: list[list[tuple[set[int], Box]]] = []
    for line in header:
        found = []
        for chunk in _label_chunks(line, borders, gap):
            cols = set(_columns_under(chunk, borders))
            if cols:
                found.append((cols, chunk))
        lines_labels.append(found)
    # a short label centred over a pair of finer labels spans them (`I` over `P` `A`)
    for k, found in enumerate(lines_labels):
        own = [chunk for _, chunk in found]
        for cols, chunk in found:
            if len(cols) > 1:
                continue
            group = _group_under(chunk, own, [[c for _, c in f] for f in lines_labels[k + 1:]])
            if group is not None:
                below = lines_labels[k + 1 + group[0]]
                for i in range(group[1], group[2] + 1):
                    cols.update(below[i][0])
    # a wrapped label's lines stand centred on each other in one column (`AVANCE` /
    # `ABSOLUTO`): the upper line, wider than the column's figures, spans that column
    # alone, not the neighbours it straddles
    for k in range(len(lines_labels) - 1):
        for cols, chunk in lines_labels[k]:
            if len(cols) < 2:
                continue
            # its next line may sit under a line of other labels centred in taller cells
            under = [(c, b) for found in lines_labels[k + 1:k + 3] for c, b in found if len(c) == 1 and c < cols and
                     b.top - chunk.bottom <= 1.6 * chunk.height and abs(b.xmid - chunk.xmid) <= 0.5 * chunk.height]
            if len(under) == 1:
                cols.intersection_update(under[0][0])
    # a label over finer labels spans them: each finer label belongs to the nearest
    # label of the line above that it touches (`Ene-Mar` over its `P` and `A`)
    for k in range(1, len(lines_labels)):
        for cols, chunk in lines_labels[k]:
            for upper in reversed(lines_labels[:k]):  # the nearest line above with a label it touches
                # one that only comes near it must be a narrow one (`P` beside `Ene-Mar`), not
                # a label of the next column printed lower (`META ANUAL` centred in its cell)
                near = [(abs(u.xmid - chunk.xmid), ucols) for ucols, u in upper
                        if (overlap := min(u.x1, chunk.x1) - max(u.x0, chunk.x0)) > 0 or
                        overlap > -gap and chunk.width < 0.5 * u.width]
                if near:
                    min(near, key=lambda n: n[0])[1].update(cols)
                    break
    labels: list[tuple[int, int, list[Word]]] = []  # (first column, span, words), top to bottom
    for found in lines_labels:
        for cols, chunk in found:
            first, span = min(cols), max(cols) - min(cols) + 1
            for i in range(len(labels) - 1, -1, -1):
                f, sp, ws = labels[i]
                if (f, sp) == (first, span) and chunk.top - max(w.bottom for w in ws) <= 1.2 * chunk.height:
                    ws.extend(chunk.words)
                    break
            else:
                labels.append((first, span, list(chunk.words)))
    # rows: a label sits one row under the lowest label above it that it overlaps
    placed: list[tuple[int, int, int, list[Word]]] = []
    for first, span, ws in labels:
        above = [r for r, f, sp, _ in placed if f < first + span and first < f + sp]
        placed.append((max(above) + 1 if above else 0, first, span, ws))
    cells = []
    for row, first, span, ws in placed:
        box = Box(borders[first], min(w.top for w in ws), borders[first + span], max(w.bottom for w in ws))
        cells.append(_cell(page, box, row, first, 1, span, ws))
    return cells


def _steps_below(lines: Sequence, pitch: float) -> list[float]:
    """From each line's top to the top of the next line under its own words (the next line
    of its cell, or the next row's) less than a line's height below it: lines of other
    columns interleave where cells are centred in their rows."""
    out = []
    for i, a in enumerate(lines):
        for b in lines[i + 1:]:
            if b.top - a.bottom >= pitch:
                break
            if b.top > a.bottom and any(min(u.x1, v.x1) > max(u.x0, v.x0) for u in a.words for v in b.words):
                out.append(b.top - a.top)
                break
    return out


def whitespace_table(page: Page, words: Sequence[Word]) -> Optional[Table]:
    """An unruled table: its body is the longest run of lines holding values (and
    the wrapped lines between them); columns where white space runs down the body;
    the tightly stacked lines just above it are its header, each label over the
    columns it spans; rows anchored on the lines that fill most columns."""
    lines = group_lines(words)
    if len(lines) < 3:
        return None
    char = typical_char_width(words)
    gap = 1.3 * char
    pitch = sorted(l.height for l in lines)[len(lines) // 2]
    run = _body_run(lines, pitch)
    if run is None:
        return None
    first, last = run
    # a tall first row prints its figures part way down: the lines tight above its
    # first valued line are that row's too (a header sits a wider gap away)
    # (a figure inside a cell's text, `fue 100% ya que`, is no column's)
    figures = [w for i, w in enumerate(lines[first].words) if is_figure(w.text) and not _in_prose(lines[first].words, i)]

    def over_figures(line) -> bool:  # a header's labels stand over the figures' columns
        return any(min(w.x1, f.x1) - max(w.x0, f.x0) > -2 for w in line.words for f in figures)

    def codes_at_most(line) -> bool:  # (a list of dotted codes centred in the row: `4.5 4.5.3`)
        return all(_CODE_LIKE.match(w.text.strip()) for w in _value_words(line))

    # on a scan, lines of one cell stand as far apart as the body's wrapped lines do (its boxes
    # hug the letters, so its lines look further apart than a text layer's); a header's lowest
    # labels may stand as close, but not each over the text of the row's own cells
    scanned = any(w.conf is not None for w in words)
    row_text = [w for l in lines[first:min(last + 1, first + 8)] for w in l.words if not is_figure(w.text)]

    run_lines = lines[first:last + 1]

    @lru_cache(maxsize=1)
    def cell_step() -> float:  # (measured only where the gap alone does not decide)
        steps = sorted(_steps_below(run_lines, pitch))
        return 1.15 * steps[len(steps) // 4] if steps else 0.0

    def cell_line_above(line, below) -> bool:
        return below.top - line.bottom <= 0.35 * pitch or scanned and below.top - line.top <= cell_step() and \
            all(any(min(w.x1, t.x1) > max(w.x0, t.x0) for t in row_text) for w in line.words)

    while first > 0 and cell_line_above(lines[first - 1], lines[first]) and \
            codes_at_most(lines[first - 1]) and first > run[0] - 8 and not over_figures(lines[first - 1]):
        first -= 1
    body = lines[first:last + 1]
    x0 = min(w.x0 for l in body for w in l.words)
    x1 = max(w.x1 for l in body for w in l.words)
    # a column gap is white on every line, so it may be as narrow as a wide space
    borders = columns_from_whitespace(body, x0, x1, 0.9 * char)
    if len(borders) < 3:
        return None
    header = []
    k = first - 1
    # a header sits close over its body (a rule's width apart, at most two lines' height
    # in small type); its own lines are stacked tight
    while k >= 0 and len(header) < _HEADER_LINES and \
            lines[k + 1].top - lines[k].bottom <= (2.0 if k == first - 1 else 1.2) * pitch and \
            not _LEADING_CODE.match(lines[k].text):
        header.insert(0, lines[k])
        k -= 1
    if header:  # a header label past the body's last figures heads a column left empty
        borders[0] = min(borders[0], min(l.x0 for l in header))
        borders[-1] = max(borders[-1], max(l.x1 for l in header))
    valued = [l for l in body if _values(l) >= 2]
    if len(valued) == 1 and (
            sum(len(_label_chunks(l, borders, gap)) for l in header) < len(borders) - 1 or
            not _figures_apart(valued[0], most=True) or _column_numbers(valued[0])):
        return None  # one row is a table only under a header that names its columns, its figures cells of their own
    borders = _split_by_labels(header, _clear_of_labels(borders, body, header, gap), gap, body)
    header_cells = _header_cells(page, header, borders, gap) if header else []
    n_header = max((c.row for c in header_cells), default=-1) + 1
    rows = rows_from_lines(body, borders)
    cells = header_cells + _grid_cells(page, rows, borders, n_header)
    return finish(page, cells, n_header + len(rows), len(borders) - 1, ruled=False, header_rows=n_header)


# --------------------------------------------------------------------------
# a page's tables
# --------------------------------------------------------------------------

@per_page(64)  # families ask for a page's tables while detecting and again while parsing
def read_tables(page: Page) -> list[Table]:
    """Every table of a page, in reading order: ruled grids first; words outside them
    that line up as figures under labels make one unruled table."""
    return _read_tables(page)


def _read_tables(page: Page) -> list[Table]:
    grids = []
    edges = rules_to_edges(page.rules)
    join = SNAP
    if page.scan is not None:
        edges, join = reach_rules(edges, SCAN_JOIN), SCAN_JOIN
    for group in edges_to_cell_groups(close_frame(close_column_bands(edges)), join):
        table = grid_table(page, group)
        if table is not None and any(c.text for c in table.cells):
            grids.append(table)
    tables = []
    for table in grids:
        # the lines under a grid are its body down to the next grid under it
        floor = min((g.box.top for g in grids if g.box.top >= table.box.bottom - 1 and
                     min(g.box.x1, table.box.x1) > max(g.box.x0, table.box.x0)), default=float("inf"))
        tables.append(extend_below(page, table, floor))
    # words no grid holds may be a table of their own (an unruled goal table under
    # ruled header boxes)
    rest = [w for w in page.words if not any(_inside(w, t.box) for t in tables)]
    while rest:  # and another under or over it (a report's results, then its variables)
        table = whitespace_table(page, rest)
        if table is None:
            break
        tables.append(table)
        left = [w for w in rest if not _inside(w, table.box)]
        if len(left) == len(rest):
            break
        rest = left
    tables.sort(key=lambda t: (t.box.top, t.box.x0))
    return stack_grids(page, tables)


def _borders(table: Table) -> list[float]:
    return _positions(sorted({c.x0 for c in table.cells} | {c.x1 for c in table.cells}))


def stack_grids(page: Page, tables: Sequence[Table]) -> list[Table]:
    """A ruled grid with no header of its own right under a table whose columns it
    shares is that table's body (a scan whose rule between them is lost, a body
    drawn apart from its header)."""
    out: list[Table] = []
    height = sorted(w.height for w in page.words)[len(page.words) // 2] if page.words else 8.0
    for table in tables:
        above = out[-1] if out else None
        if above is not None and table.ruled and table.header_rows == 0 and above.header_rows > 0 and \
                -SNAP <= table.box.top - above.box.bottom <= 2 * height:
            upper, lower = _borders(above), _borders(table)
            # inner borders only: any two grids of one page share their outer frame
            inner = lower[1:-1]
            shared = sum(any(abs(x - y) <= 2 * SNAP for y in upper) for x in inner)
            if shared >= 0.8 * len(inner) and shared >= 2:
                borders = _positions(sorted(upper + lower))
                cells = list(above.cells) + [replace(c, row=c.row + above.n_rows) for c in table.cells]
                stacked = finish(page, _regrid(cells, borders), above.n_rows + table.n_rows, len(borders) - 1,
                                 ruled=True, header_rows=above.header_rows)
                if stacked is not None:
                    out[-1] = stacked
                    continue
        out.append(table)
    return out
