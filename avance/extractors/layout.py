"""Geometry helpers over `Word`s: lines, gap-separated chunks, regions.

Shared by every family parser, whatever produced the words (text layer, OCR or
a text export laid out on a virtual grid).
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import cached_property, lru_cache
from typing import Iterable, Sequence

from ..records import Box, Word


@dataclass(frozen=True)
class TextLine(Box):
    words: tuple[Word, ...] = ()

    # a line is immutable: its text and folded text are built once (detectors and
    # parsers ask every line for them again and again)
    @cached_property
    def text(self) -> str:
        return " ".join(w.text for w in self.words)

    @cached_property
    def folded(self) -> str:
        return fold(self.text)


@lru_cache(maxsize=65536)
def fold(text: str) -> str:
    """Upper-case, accents dropped, whitespace collapsed: for matching labels."""
    text = unicodedata.normalize("NFKD", text)
    text = "".join(c for c in text if not unicodedata.combining(c))
    return " ".join(text.upper().split())


def collapse(text: str | None) -> str | None:
    if text is None:
        return None
    text = " ".join(text.split())
    return text or None


def bounding(words: Sequence[Box]) -> Box:
    return Box(
        x0=min(w.x0 for w in words), top=min(w.top for w in words),
        x1=max(w.x1 for w in words), bottom=max(w.bottom for w in words),
    )


def _x0(w: Word) -> float:
    return w.x0


def make_line(words: Iterable[Word]) -> TextLine:
    ws = tuple(sorted(words, key=_x0))
    if not ws:
        raise ValueError("a line of no words")  # as `bounding` does (min of nothing)
    # one pass for the four sides (what `bounding` gives: a line is built for every
    # page line and table cell, thousands a document)
    x0, top, x1, bottom = ws[0].x0, ws[0].top, ws[0].x1, ws[0].bottom
    for w in ws:
        if w.top < top:
            top = w.top
        if w.x1 > x1:
            x1 = w.x1
        if w.bottom > bottom:
            bottom = w.bottom
    return TextLine(x0=x0, top=top, x1=x1, bottom=bottom, words=ws)


_LINE_CACHE: dict[int, tuple[tuple[Word, ...], list[TextLine]]] = {}
_LINE_CACHE_SIZE = 64


def group_lines(words: Iterable[Word], y_tolerance: float | None = None, *,
                stacked_apart: bool = False) -> list[TextLine]:
    """Words into lines, top to bottom: a word joins a line when their vertical
    middles are closer than half the typical word height.

    `stacked_apart`: nor when it lies over a word of that line (it is then the line
    above or below: a scan's tall word boxes bring two lines of a cell within the
    tolerance). For the words of one cell or column; a page's lines are grouped as
    they always were (parsers find a header's words on one line where its cells'
    two lines are closer than the tolerance).

    A page's own word tuple is grouped once: every detector and parser asks for
    the same page's lines, so they are kept by identity of that tuple."""
    if isinstance(words, tuple) and y_tolerance is None and not stacked_apart:
        hit = _LINE_CACHE.get(id(words))
        if hit is not None and hit[0] is words:
            return list(hit[1])
        lines = _group_lines(words, None)
        if len(_LINE_CACHE) >= _LINE_CACHE_SIZE:
            _LINE_CACHE.pop(next(iter(_LINE_CACHE)))
        _LINE_CACHE[id(words)] = (words, lines)
        return list(lines)
    return _group_lines(words, y_tolerance, stacked_apart)


def _group_lines(words: Iterable[Word], y_tolerance: float | None, stacked_apart: bool = False) -> list[TextLine]:
    # each word's vertical middle, computed once (it is asked for again at every word a
    # line takes in)
    ws = sorted(((w.top + w.bottom) / 2, w.x0, i, w) for i, w in enumerate(words))
    if not ws:
        return []
    typical_height = 0.0
    if y_tolerance is None or stacked_apart:
        heights = sorted(w.bottom - w.top for _, _, _, w in ws)
        typical_height = heights[len(heights) // 2]
    if y_tolerance is None:
        y_tolerance = max(1.0, typical_height * 0.5)
    lines: list[list[Word]] = []
    ys: list[list[float]] = []  # the vertical middles of each line's words
    mids: list[float] = []
    spans: list[list[tuple[float, float, float, float]]] = []  # each line's words: x extent, middle, height
    for y, _, _, w in ws:
        # OCR'd lines wobble: a word may sit closer to the line before the last
        # one opened (a taller word, a comma), so look back a few lines.
        best, gap = -1, 0.0
        solid = stacked_apart and _solid(w, typical_height)
        for i in range(max(0, len(lines) - 3), len(lines)):
            d = abs(y - mids[i])
            if d <= y_tolerance and (best < 0 or d < gap):
                if solid and _stacked(w, y, spans[i]):
                    continue
                best, gap = i, d
        if best >= 0:
            lines[best].append(w)
            ys[best].append(y)
            mids[best] = sum(ys[best]) / len(ys[best])
            if solid:
                spans[best].append((w.x0, w.x1, y, w.bottom - w.top))
        else:
            lines.append([w])
            ys.append([y])
            mids.append(y)
            spans.append([(w.x0, w.x1, y, w.bottom - w.top)] if solid else [])
    order = sorted(range(len(lines)), key=mids.__getitem__)
    return [make_line(lines[i]) for i in order]


def _solid(w: Word, typical_height: float) -> bool:
    # a word, not a speck, a stray mark or a flat sliver of ink read as letters (those
    # may sit over a word of their line)
    return sum(c.isalnum() for c in w.text) >= 2 and w.bottom - w.top >= 0.6 * typical_height


def _stacked(w: Word, y: float, spans: Sequence[tuple[float, float, float, float]]) -> bool:
    """Whether `w` lies over a word of a line for most of the narrower one's width,
    its middle a little above or below that word's: two words of one line sit side
    by side, so `w` is on the next line (a scan's tall word boxes put the two lines
    of a cell within the tolerance). A box stretched over its neighbours on the
    same height (OCR's, on a poor scan) stays on its line."""
    width = w.x1 - w.x0
    height = w.bottom - w.top
    for x0, x1, mid, h in spans:
        if min(w.x1, x1) - max(w.x0, x0) > 0.5 * min(width, x1 - x0) and abs(y - mid) > 0.3 * min(height, h):
            return True
    return False


def split_chunks(line: TextLine, gap: float) -> list[TextLine]:
    """A line cut wherever two words are farther apart than `gap`."""
    chunks: list[list[Word]] = []
    for w in line.words:
        if chunks and w.x0 - chunks[-1][-1].x1 <= gap:
            chunks[-1].append(w)
        else:
            chunks.append([w])
    return [make_line(c) for c in chunks]


def typical_char_width(words: Sequence[Word]) -> float:
    widths = sorted((w.width / max(1, len(w.text))) for w in words if w.text)
    return widths[len(widths) // 2] if widths else 4.0


def words_in(words: Iterable[Word], box: Box, min_overlap: float = 0.5) -> list[Word]:
    """Words whose horizontal and vertical middle fall inside `box` (with slack)."""
    out = []
    for w in words:
        if box.x0 - 0.5 <= w.xmid <= box.x1 + 0.5 and box.top - 0.5 <= w.ymid <= box.bottom + 0.5:
            out.append(w)
    return out


def text_of(words: Iterable[Word]) -> str | None:
    """Reading-order text of some words, lines joined by a space."""
    return collapse(" ".join(l.text for l in group_lines(list(words))))


def find_line(lines: Sequence[TextLine], pattern: str, flags: int = 0) -> TextLine | None:
    rx = re.compile(pattern, flags)
    for line in lines:
        if rx.search(line.folded):
            return line
    return None


def find_word_sequence(words: Sequence[Word], phrase: str) -> list[Word] | None:
    """The words of a (folded) phrase appearing left to right on one line."""
    target = fold(phrase).split()
    for line in group_lines(words):
        toks = [fold(w.text) for w in line.words]
        for i in range(len(toks) - len(target) + 1):
            if all(toks[i + k].startswith(target[k]) for k in range(len(target))):
                return list(line.words[i : i + len(target)])
    return None
