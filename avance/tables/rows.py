"""Tables -> logical rows of concept values, the part every table family shares.

- A page's table whose columns match a family's concepts gives one row per body
  row: {concept: text}, plus the row's page and box.
- A wide table printed over several pages, one group of columns per page, is
  joined back: the next page's table, with the same number of rows and other
  concepts, continues the same rows in order.
- A ruled row that holds several lines of figures (goal lines under a project
  line in one tall cell) is split into one row per line of figures.
- Grouping rows (a program or project line: key, name, budget, no line of its
  own) are carried onto the rows under them, as a merged cell is.
"""
from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Optional, Sequence

from rapidfuzz import fuzz

from ..extractors.layout import group_lines
from ..records import Box, Word
from .concepts import ColumnMatch, Concept, fill_by_order, fold, match_columns
from .model import Table
from .reader import is_figure


@dataclass
class LogicalRow:
    values: dict[str, str]
    page: int
    boxes: dict[str, tuple[int, Box]] = field(default_factory=dict)  # where each value was read: page, box
    texts: tuple[str, ...] = ()  # every cell of the row, mapped or not (labels like `Total del Gasto`)
    banner: Optional[str] = None  # a cell across most of the table: a heading or a note, no column's value


@dataclass(frozen=True)
class MappedTable:
    table: Table
    columns: dict[str, ColumnMatch]


def map_tables(tables: Sequence[Table], concepts: Sequence[Concept], min_concepts: int = 3,
               sequences: Sequence[Sequence[Sequence[str]]] = ()) -> list[MappedTable]:
    """Each table with its columns matched to `concepts` (tables with fewer than
    `min_concepts` dropped); `sequences`: concepts printed in a fixed order, by which a
    column whose header was not read is named (concepts.fill_by_order)."""
    out = []
    kinds = {c.name: c.kind for c in concepts}
    for table in tables:
        columns = match_columns(table, concepts)
        if sequences and len(columns) >= min_concepts:
            columns = fill_by_order(table, columns, concepts, sequences)
        if len(columns) >= min_concepts:
            taken = {m.column for m in columns.values()}
            for name, m in list(columns.items()):
                if kinds.get(name) == "text" and m.column + 1 not in taken and _clipped_into(table, m.column):
                    columns[name] = replace(m, column=m.column + 1)
            out.append(MappedTable(table, columns))
    return out


def _clipped_into(table: Table, col: int) -> bool:
    """A text column printed twice: clipped to its width under its header, and whole in
    the unheaded column beside it (a sheet whose cell overflowed into a blank column).
    The whole text is the value."""
    if col + 1 >= table.n_cols or table.header_paths[col + 1].strip():
        return False
    pairs = [(fold(table.text(r, col)), fold(table.text(r, col + 1))) for r in table.body_rows()]
    pairs = [(a, b) for a, b in pairs if a or b]
    if len(pairs) < 2:
        return False
    longer = sum(len(b) >= len(a) and fuzz.ratio(a, b[:len(a)]) >= 85 for a, b in pairs if a and b)
    return longer * 4 >= len(pairs) * 3


def _figure_lines(table: Table, row: int, columns: dict[str, ColumnMatch]) -> tuple[int, list[tuple[float, float]]]:
    """The vertical bands of a body row's lines that print figures in mapped columns,
    and the page they are on (a row joined across pages has its own lines on each:
    the page with the most lines)."""
    words: dict[int, list[Word]] = {}
    for m in columns.values():
        cell = table.cell_at(row, m.column)
        if cell is not None and cell.row == row:
            words.setdefault(cell.page, []).extend(w for w in cell.words if is_figure(w.text))
    best: tuple[int, list[tuple[float, float]]] = (table.page, [])
    for page, found in sorted(words.items()):
        bands = [(line.top, line.bottom) for line in group_lines(found)]
        if len(bands) > len(best[1]):
            best = (page, bands)
    return best


def table_rows(mapped: MappedTable, number_concepts: set[str]) -> list[LogicalRow]:
    table, columns = mapped.table, mapped.columns
    rows: list[LogicalRow] = []
    for r in table.body_rows():
        page, bands = _figure_lines(table, r, {k: v for k, v in columns.items() if k in number_concepts})
        if len(bands) <= 1:
            rows.append(_row_values(table, r, columns, None))
            continue
        # several lines of figures in one ruled row: a line each, text cells cut just above
        # each figure line (a name wrapped under its line's figures runs on downwards; the
        # text above the first line is the group's)
        cuts = [b[0] - 0.3 * (b[1] - b[0]) for b in bands[1:]]
        edges = [None] + cuts + [None]
        for i in range(len(bands)):
            lo = edges[i] if i else None
            hi = edges[i + 1]
            rows.append(_row_values(table, r, columns, (lo, hi), first=i == 0, band=bands[i], cut_page=page))
    return rows


def _row_values(table: Table, r: int, columns: dict[str, ColumnMatch], cut: Optional[tuple],
                first: bool = True, band: Optional[tuple[float, float]] = None,
                cut_page: Optional[int] = None) -> LogicalRow:
    values: dict[str, str] = {}
    boxes: dict[str, tuple[int, Box]] = {}
    banner = None
    for name, m in columns.items():
        cell = table.cell_at(r, m.column)
        if cell is None:
            continue
        if cell.col_span * 2 >= table.n_cols:
            banner = banner or cell.text or None
            continue
        words = list(cell.words)
        if cut is not None and cell.page == cut_page:  # another page's cells are not cut
            lo, hi = cut
            words = [w for w in words if (lo is None or w.ymid >= lo) and (hi is None or w.ymid < hi)]
            if lo is None and band is not None and not first:
                words = []
        lines = group_lines(words)
        text = " ".join(l.text for l in lines).strip()
        if text:
            values[name] = text
            boxes[name] = (cell.page, Box(min(w.x0 for w in words), min(w.top for w in words),
                                          max(w.x1 for w in words), max(w.bottom for w in words)))
    page = min((p for p, _ in boxes.values()), default=table.page)
    texts = tuple(c.text for c in table.cells if c.row == r and c.text)
    return LogicalRow(values=values, page=page, boxes=boxes, texts=texts, banner=banner)


def join_wide(tables: Sequence[Table]) -> list[Table]:
    """Tables in reading order, a wide table printed one group of columns per page
    joined back into one: the next page's table has as many body rows and other headers."""
    out: list[Table] = []
    for table in tables:
        if out and _continues_columns(out[-1], table):
            out[-1] = _append_columns(out[-1], table)
        else:
            out.append(table)
    return out


def continues_wide(tables_before: Sequence[Table], tables_after: Sequence[Table]) -> bool:
    """Whether a page's tables carry on the last table before as its next group of columns."""
    joined = join_wide(tables_before)
    return bool(joined and tables_after) and _continues_columns(joined[-1], tables_after[0])


def _last_page(table: Table) -> int:
    return max((c.page for c in table.cells), default=table.page)


def _continues_columns(before: Table, after: Table) -> bool:
    rows_before, rows_after = before.n_rows - before.header_rows, after.n_rows - after.header_rows
    if after.page != _last_page(before) + 1 or rows_before != rows_after or rows_after < 1:
        return False
    repeated = set(p for p in before.header_paths if p) & set(p for p in after.header_paths if p)
    return len(repeated) <= max(1, len([p for p in after.header_paths if p]) // 3)


def _append_columns(before: Table, after: Table) -> Table:
    offset = before.n_cols
    moved = tuple(replace(c, row=before.header_rows + c.row - after.header_rows, col=c.col + offset)
                  for c in after.cells if c.row >= after.header_rows)
    return replace(before, cells=before.cells + moved, n_cols=before.n_cols + after.n_cols,
                   header_paths=before.header_paths + after.header_paths)
