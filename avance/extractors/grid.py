"""Table geometry: column intervals from ruling edges or header words, and
vertical blocks of cell text assigned to rows.

Cells in these reports are vertically centred, so a cell's lines form a block
around its row's centre; a row is recovered by assigning each block to the
nearest row centre, split at horizontal rules where the table is ruled.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable, Optional, Sequence

from ..records import Rule, Word
from .layout import TextLine, group_lines

EDGE_MERGE = 2.0  # points: edges closer than this are one edge


@dataclass(frozen=True)
class Column:
    name: str
    x0: float
    x1: float

    def holds(self, word: Word) -> bool:
        return self.x0 <= word.xmid < self.x1


def cluster_positions(values: Iterable[float], tolerance: float = EDGE_MERGE) -> list[list[float]]:
    """Sorted values in runs whose neighbours are at most `tolerance` apart."""
    out: list[list[float]] = []
    for v in sorted(values):
        if out and v - out[-1][-1] <= tolerance:
            out[-1].append(v)
        else:
            out.append([v])
    return out


def merge_positions(values: Iterable[float], tolerance: float = EDGE_MERGE) -> list[float]:
    return [sum(g) / len(g) for g in cluster_positions(values, tolerance)]


def vertical_edges_at(rules: Sequence[Rule], y: float) -> list[float]:
    """x of every vertical edge (line or rectangle side) crossing height y."""
    xs: list[float] = []
    for r in rules:
        if r.top - 1 <= y <= r.bottom + 1 and r.height > 2:
            xs.extend((r.x0, r.x1) if r.width > 2 else (r.xmid,))
    return merge_positions(xs)


def horizontal_edges(rules: Sequence[Rule], x0: float, x1: float, top: float, bottom: float) -> list[float]:
    """y of every horizontal edge spanning at least half of [x0, x1] inside [top, bottom]."""
    ys: list[float] = []
    span = x1 - x0
    for r in rules:
        covered = min(r.x1, x1) - max(r.x0, x0)
        if covered < 0.5 * span and not (r.width > 4 and covered >= 0.9 * r.width and r.width < 0.5 * span and r.height > 2):
            continue
        for y in ((r.top, r.bottom) if r.height > 2 else (r.ymid,)):
            if top - 1 <= y <= bottom + 1:
                ys.append(y)
    return merge_positions(ys)


def intervals(edges: Sequence[float], min_width: float = 3.0) -> list[tuple[float, float]]:
    return [(a, b) for a, b in zip(edges, edges[1:]) if b - a >= min_width]


def line_pitch(lines: Sequence[TextLine]) -> float:
    """Typical top-to-top distance of consecutive lines of one paragraph.

    Measured on the lines themselves, so it does not depend on how tall a
    reader draws glyph boxes (pdfplumber and pdfium differ)."""
    tops = sorted(l.ymid for l in lines)
    steps = sorted(b - a for a, b in zip(tops, tops[1:]) if b - a > 0.5)
    if not steps:
        return 10.0
    small = steps[: max(1, len(steps) // 2)]  # inside paragraphs, lines are closest
    return small[len(small) // 2]


def blocks(lines: Sequence[TextLine], pitch: float, cuts: Sequence[float] = ()) -> list[list[TextLine]]:
    """Consecutive lines split where they are farther apart than a paragraph's
    line pitch allows, or where a cut (rule) lies between."""
    out: list[list[TextLine]] = []
    for line in sorted(lines, key=lambda l: l.ymid):
        if out:
            prev = out[-1][-1]
            cut_between = any(prev.ymid < c < line.ymid for c in cuts)
            if line.ymid - prev.ymid <= 1.35 * pitch and not cut_between:
                out[-1].append(line)
                continue
        out.append([line])
    return out


def nearest(centers: Sequence[float], y: float) -> int:
    return min(range(len(centers)), key=lambda i: abs(centers[i] - y))


def column_lines(words: Sequence[Word], column: Column) -> list[TextLine]:
    return group_lines([w for w in words if column.holds(w)], stacked_apart=True)


def assign_blocks(
    words: Sequence[Word], column: Column, centers: Sequence[float], pitch: float,
    cuts: Sequence[float] = (), bands: Optional[Sequence[tuple[float, float]]] = None,
) -> dict[int, list[TextLine]]:
    """The column's text lines grouped per row index.

    With `bands` (ruled rows), a line belongs to the band holding it; otherwise
    each block of lines goes to the nearest row centre.
    """
    lines = column_lines(words, column)
    out: dict[int, list[TextLine]] = {}
    if bands:
        for line in lines:
            for i, (top, bottom) in enumerate(bands):
                if top <= line.ymid <= bottom:
                    out.setdefault(i, []).append(line)
                    break
        return out
    for block in blocks(lines, pitch, cuts):
        mid = (block[0].top + block[-1].bottom) / 2
        out.setdefault(nearest(centers, mid), []).extend(block)
    return out


def rows_by_keys(lines: Sequence[TextLine], keys: Sequence[TextLine], pitch: float,
                 cuts: Sequence[float] = ()) -> list[list[TextLine]]:
    """A text column's lines given to the rows a key column opens (a code or a number
    standing alone at each row's head), by index of key: each block of lines to the key
    beside it (at its top or centred on it); a block beside several keys (rows with
    neither rules nor a gap between them) is parted at each key's top."""
    out: list[list[TextLine]] = [[] for _ in keys]
    if not keys:
        return out
    for block in blocks(lines, pitch, cuts):
        top, bottom = block[0].top, block[-1].bottom
        beside = [i for i, k in enumerate(keys) if top - 0.5 * pitch <= k.ymid <= bottom + 0.5 * pitch]
        if len(beside) <= 1:
            i = beside[0] if beside else nearest([k.ymid for k in keys], (top + bottom) / 2)
            out[i].extend(block)
            continue
        for line in block:
            i = max((j for j in beside if keys[j].top <= line.ymid + 0.25 * pitch), default=beside[0])
            out[i].append(line)
    return out


# --------------------------------------------------------------------------
# scanned pages: rules found by morphology (thin lines, text strokes mixed in)
# --------------------------------------------------------------------------

def thin_vertical_xs(rules: Sequence[Rule], y: float, min_height: float = 6.0, max_width: float = 4.0) -> list[float]:
    """x of every thin vertical rule crossing height y (a scan's rules are lines,
    not rectangles; short strokes of erased text are left out)."""
    xs = [r.xmid for r in rules if r.width <= max_width and r.height >= min_height and r.top - 1 <= y <= r.bottom + 1]
    return merge_positions(xs, 3.0)


@dataclass(frozen=True)
class RuledHeader:
    """A table's ruled header band on a scan: its top and bottom rules, the y of
    its lowest row (the P/A row), and the partial rule under a grouped label
    (PERIODO), whose ends bound the grouped columns."""

    top: float
    bottom: float
    last_row_y: float
    group: Optional[tuple[float, float]]


def join_horizontal(rules: Sequence[Rule], gap: float = 3.0) -> list[Rule]:
    """Thin horizontal rules with collinear pieces joined (a scanned line
    broken at a faint spot, a row ruled cell by cell)."""
    pieces = sorted((r for r in rules if r.height <= 4 and r.width > r.height), key=lambda r: (round(r.ymid), r.x0))
    rows: list[list[Rule]] = []
    for r in sorted(pieces, key=lambda r: r.ymid):
        for row in rows:
            if abs(row[0].ymid - r.ymid) <= 1.5:
                row.append(r)
                break
        else:
            rows.append([r])
    out: list[Rule] = []
    for row in rows:
        row.sort(key=lambda r: r.x0)
        cur = row[0]
        for r in row[1:]:
            if r.x0 - cur.x1 <= gap:
                cur = Rule(x0=cur.x0, top=min(cur.top, r.top), x1=max(cur.x1, r.x1), bottom=max(cur.bottom, r.bottom))
            else:
                out.append(cur)
                cur = r
        out.append(cur)
    return out


def ruled_header(rules: Sequence[Rule], page_width: float, min_columns: int = 8) -> Optional[RuledHeader]:
    """The first band between two long horizontal rules that many vertical
    rules cross and that a shorter horizontal rule subdivides (a header with a
    grouped label), from the top of the page."""
    long = sorted((r for r in join_horizontal(rules) if r.width >= 0.5 * page_width), key=lambda r: r.top)
    merged: list[Rule] = []
    for r in long:
        if merged and r.top - merged[-1].bottom <= 2:
            continue
        merged.append(r)
    for upper, lower in zip(merged, merged[1:]):
        if not 12 <= lower.top - upper.bottom <= 100:
            continue
        y = lower.top - 2.5
        if len(thin_vertical_xs(rules, y)) < min_columns:
            continue
        inner = [r for r in rules if r.height <= 4 and 0.12 * page_width <= r.width < 0.5 * page_width
                 and upper.bottom + 3 < r.ymid < lower.top - 3]
        if not inner:
            continue
        group_rule = max(inner, key=lambda r: r.width)
        return RuledHeader(top=upper.top, bottom=lower.bottom, last_row_y=y, group=(group_rule.x0, group_rule.x1))
    return None
