"""OCR text exports (`.txt`, `.md`) to `Page` records.

Transparency portals often keep only the OCR text of a report: tab-separated
rows, markdown tables, LaTeX formulas, a page break as a form feed or three or
more blank lines (SCHEMA.md). Each line is laid on a virtual grid so the
label-driven readers work unchanged: a line's words left to right, and the
cells of a tab- or pipe-separated row in fixed bands by cell index, so a header
cell and the data cells under it share a column. The export's own lines stay
in `Page.raw_lines` for parsers that need cells.
"""
from __future__ import annotations

import re
from pathlib import Path

from ..errors import EmptyDocument, UnreadableDocument
from ..records import Page, Word

LINE_HEIGHT = 12.0
LINE_PITCH = 14.0
CHAR_WIDTH = 5.0
CELL_WIDTH = 220.0  # one band per cell; wide enough that cell text rarely needs squeezing
CELL_GAP = 12.0
MARGIN = 20.0

_PAGE_BREAK = re.compile(r"\f|(?:\n[ \t]*){4,}")  # form feed, or 3+ blank lines
_MD_SEPARATOR = re.compile(r"^\s*\|?\s*:?-{3,}:?\s*(\|\s*:?-{3,}:?\s*)*\|?\s*$|^\s*-{3,}(\s+-{3,})*\s*$")


def decode(data: bytes) -> str:
    for encoding in ("utf-8-sig", "cp1252", "latin-1"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise UnreadableDocument("the text export is in an unknown encoding")


def latex_to_text(line: str) -> str:
    """`$$PSPM = \\left(\\frac{TSM}{TSO} \\right) * (100)$$` -> `PSPM = ((TSM) / (TSO)) * (100)`."""
    text = line.replace("$$", "").replace("$", "")
    for _ in range(3):  # nested fractions
        text = re.sub(r"\\[dt]?frac\s*\{([^{}]*)\}\s*\{([^{}]*)\}", r"((\1) / (\2))", text)
    text = re.sub(r"\\left\s*|\\right\s*", "", text)
    text = text.replace("\\times", "*").replace("\\cdot", "*").replace("\\%", "%").replace("\\", "")
    return " ".join(text.split())


def clean_line(line: str) -> str:
    line = line.replace("**", "").replace("__", "")
    if "$" in line or "\\frac" in line:
        line = latex_to_text(line)
    line = re.sub(r"^\s*[-*•]\s+(?=\S)", "", line)  # markdown bullets
    line = re.sub(r"^\s*#+\s+", "", line)  # markdown headings
    return line.rstrip()


def split_cells(line: str) -> list[str] | None:
    """Cells of a tab-separated or markdown-table row; None for a plain line."""
    if "\t" in line:
        return [c.strip() for c in line.split("\t")]
    stripped = line.strip()
    if stripped.startswith("|") and stripped.count("|") >= 2:
        return [c.strip() for c in stripped.strip("|").split("|")]
    return None


def _words(text: str, x0: float, x1_max: float | None, y: float) -> list[Word]:
    tokens = list(re.finditer(r"\S+", text))
    if not tokens:
        return []
    width = CHAR_WIDTH
    if x1_max is not None and len(text) * width > x1_max - x0:
        width = max(0.5, (x1_max - x0) / max(1, len(text)))  # squeeze a long cell into its band
    return [Word(x0=x0 + m.start() * width, top=y, x1=x0 + m.end() * width, bottom=y + LINE_HEIGHT, text=m.group())
            for m in tokens]


def layout_page(number: int, lines: list[str]) -> Page:
    words: list[Word] = []
    kept: list[str] = []
    y = MARGIN
    max_x = 0.0
    for raw in lines:
        if _MD_SEPARATOR.match(raw):
            continue
        line = clean_line(raw)
        if not line.strip():
            continue
        kept.append(line)
        cells = split_cells(line)
        if cells is None:
            ws = _words(line.strip(), MARGIN, None, y)
        else:
            ws = []
            for i, cell in enumerate(cells):
                start = MARGIN + i * CELL_WIDTH
                ws.extend(_words(cell, start, start + CELL_WIDTH - CELL_GAP, y))
        words.extend(ws)
        if ws:
            max_x = max(max_x, max(w.x1 for w in ws))
        y += LINE_PITCH
    # the page is as tall as its lines: "at the foot of the page" must mean the last lines
    return Page(number=number, width=max(612.0, max_x + MARGIN), height=y + MARGIN,
                words=tuple(words), rules=(), source="ocr_text", raw_lines=tuple(kept))


def split_pages(text: str) -> list[list[str]]:
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    chunks = _PAGE_BREAK.split(text)
    pages = [c.split("\n") for c in chunks if c.strip()]
    return pages or [[]]


def read_text_export(path: Path) -> list[Page]:
    data = path.read_bytes()
    if not data.strip():
        raise EmptyDocument("the text export is empty")
    if b"\x00" in data[:4096]:
        raise UnreadableDocument("the file is not a text export (it holds binary data)")
    return [layout_page(i, lines) for i, lines in enumerate(split_pages(decode(data)), start=1)]
