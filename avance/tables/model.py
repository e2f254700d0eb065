"""The table record every source's reader returns (text layer, OCR, text export)."""
from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from typing import Optional

from ..records import Box, Word


@dataclass(frozen=True)
class Cell(Box):
    row: int = 0
    col: int = 0
    row_span: int = 1
    col_span: int = 1
    text: str = ""
    words: tuple[Word, ...] = ()
    page: int = 0


@dataclass(frozen=True)
class Table:
    page: int
    box: Box
    cells: tuple[Cell, ...]  # each merged cell once, at its top-left position
    n_rows: int
    n_cols: int
    header_rows: int  # rows [0, header_rows) are the header
    header_paths: tuple[str, ...]  # per column: its header cells, top to bottom, joined by " > "
    ruled: bool

    @cached_property
    def _grid(self) -> dict[tuple[int, int], Cell]:
        grid: dict[tuple[int, int], Cell] = {}
        for c in self.cells:
            for r in range(c.row, c.row + c.row_span):
                for k in range(c.col, c.col + c.col_span):
                    grid.setdefault((r, k), c)
        return grid

    def cell_at(self, row: int, col: int) -> Optional[Cell]:
        """The cell covering (row, col), merged cells included."""
        return self._grid.get((row, col))

    def column_extent(self, col: int) -> tuple[float, float]:
        """The column's left and right edges (PDF points)."""
        lefts = [c.x0 for c in self.cells if c.col == col]
        rights = [c.x1 for c in self.cells if c.col + c.col_span - 1 == col]
        return (min(lefts) if lefts else self.box.x0, max(rights) if rights else self.box.x1)

    def body_top(self) -> float:
        tops = [w.top for c in self.cells if c.row >= self.header_rows for w in c.words]
        return min(tops) if tops else self.box.bottom

    def body_rows(self) -> range:
        return range(self.header_rows, self.n_rows)

    def text(self, row: int, col: int) -> str:
        cell = self.cell_at(row, col)
        return cell.text if cell is not None else ""
