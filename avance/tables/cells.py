"""Tables no family maps, as `table_cells` rows: a page with a table never yields nothing."""
from __future__ import annotations

from typing import Iterator, Sequence

from ..records import Page, TableCell
from .model import Cell, Table
from .reader import read_tables


def table_cells(table: Table, table_no: int) -> list[TableCell]:
    out = []
    for c in table.cells:
        header = None if c.row < table.header_rows else (table.header_paths[c.col] or None)
        out.append(TableCell(page=c.page or table.page, table_no=table_no, row=c.row, col=c.col,
                             row_span=c.row_span, col_span=c.col_span, header_path=header, text=c.text or None,
                             x0=c.x0, y0=c.top, x1=c.x1, y1=c.bottom))
    return out


def unmapped_cells(pages: Sequence[Page]) -> list[TableCell]:
    """Every table of the pages, numbered in reading order from 1."""
    out: list[TableCell] = []
    table_no = 0
    for page in pages:
        for table in read_tables(page):
            if not any(c.text for c in table.cells):
                continue
            table_no += 1
            out += table_cells(table, table_no)
    return out


def label_value_boxes(page: Page) -> Iterator[tuple[Table, Cell, Cell]]:
    """(table, label cell, value cell) for every cell with words and the cell right of
    it, in reading order: a header drawn as boxes, a label's box beside its value's.
    Which cells are labels is the family's to say (its vocabulary)."""
    for table in read_tables(page):
        for cell in table.cells:
            value = table.cell_at(cell.row, cell.col + cell.col_span)
            if cell.words and value is not None and value.words:
                yield table, cell, value
