"""Provenance of fields read from words: the page and box a value came from.

Family parsers hand the words a field was read from to a `ProvenanceLog`,
which finds their page, takes the union of their boxes, the lowest OCR
confidence among them and their text. A page of an OCR text export has no
image: its provenance has a zero box and the export's raw line(s) as text.
Recording provenance never changes what a parser reads.
"""
from __future__ import annotations

import re
from typing import Iterable, Optional, Sequence

from ..extractors.layout import fold, group_lines
from ..records import Page, Provenance, Word


def _export_line_index(word: Word) -> int:
    from ..extractors.text_export import LINE_PITCH, MARGIN

    return int(round((word.top - MARGIN) / LINE_PITCH))


def export_lines(page: Page, words: Sequence[Word]) -> Optional[str]:
    """The raw lines of a text export that hold these (virtual) words."""
    idx = sorted({_export_line_index(w) for w in words})
    lines = [page.raw_lines[i] for i in idx if 0 <= i < len(page.raw_lines)]
    return "\n".join(lines) if lines else None


def words_text(words: Sequence[Word]) -> str:
    return " ".join(l.text for l in group_lines(words))


def narrow(words: Sequence[Word], value: Optional[str]) -> list[Word]:
    """The shortest run of `words` (in reading order) whose text holds `value`
    (folded, spaces ignored); all of them when no run does (a repaired value)."""
    words = list(words)
    if not value or not words:
        return words
    target = re.sub(r"\s+", "", fold(value))
    if not target:
        return words
    ordered = [w for l in group_lines(words) for w in l.words]
    texts = [re.sub(r"\s+", "", fold(w.text)) for w in ordered]
    best: Optional[tuple[int, int]] = None
    for i in range(len(ordered)):
        joined = ""
        for j in range(i, len(ordered)):
            joined += texts[j]
            if target in joined:
                if best is None or j - i < best[1] - best[0]:
                    best = (i, j)
                break
    return ordered[best[0]:best[1] + 1] if best else words


def words_record(table: str, row_key: str, field: str, page: int, words: Sequence[Word],
                 raw_text: Optional[str]) -> Provenance:
    """Where a field was read: the union of its words' boxes, their lowest OCR confidence."""
    confs = [w.conf for w in words if w.conf is not None]
    return Provenance(table, row_key, field, page, min(w.x0 for w in words), min(w.top for w in words),
                      max(w.x1 for w in words), max(w.bottom for w in words),
                      min(confs) if confs else None, raw_text)


def place_record(table: str, row_key: str, field: str, page: int,
                 box: tuple[float, float, float, float]) -> Provenance:
    """A cell the page pass read empty: its place, no words (no text, no confidence), to be
    read again (`normalizers.rereads.missing_targets`)."""
    return Provenance(table, row_key, field, page, *box, None, None)


class ProvenanceLog:
    """Collects `Provenance` records for the words fields were read from."""

    def __init__(self, pages: Iterable[Page]):
        self.pages = list(pages)
        self._page_of: dict[int, Page] = {id(w): p for p in self.pages for w in p.words}
        self._records: dict[tuple[str, str, str], Provenance] = {}

    @property
    def records(self) -> list[Provenance]:
        return list(self._records.values())

    def page_of(self, word: Word) -> Optional[Page]:
        return self._page_of.get(id(word))

    def make(self, table: str, row_key: str, field: str, words: Iterable[Optional[Word]],
             raw_text: Optional[str] = None, page: Optional[Page] = None) -> Optional[Provenance]:
        words = [w for w in words if w is not None]
        if not words:
            return None
        if page is None:
            owners = [self.page_of(w) for w in words]
            page = next((p for p in owners if p is not None), None)
            if page is None:
                return None
            words = [w for w, p in zip(words, owners) if p is page]  # a value split over pages: its first page
        if page.source == "ocr_text":
            return Provenance(table, row_key, field, page.number, 0.0, 0.0, 0.0, 0.0, None,
                              export_lines(page, words) or raw_text)
        return words_record(table, row_key, field, page.number, words,
                            raw_text if raw_text is not None else words_text(words))

    def add(self, table: str, row_key: str, field: str, words: Iterable[Optional[Word]],
            raw_text: Optional[str] = None, page: Optional[Page] = None, replace: bool = False) -> None:
        """Record a field's words; the first record of a field stands unless `replace`."""
        if not replace and (table, row_key, field) in self._records:
            return
        record = self.make(table, row_key, field, words, raw_text, page)
        if record is not None:
            self._records[(table, row_key, field)] = record

    def rekey(self, table: str, mapping: dict[str, str]) -> None:
        """Row keys renamed after reading (a variable key repaired to the formula's)."""
        out: dict[tuple[str, str, str], Provenance] = {}
        for (t, k, f), r in self._records.items():
            if t == table and k in mapping:
                k = mapping[k]
                r = Provenance(t, k, f, r.page, r.x0, r.y0, r.x1, r.y1, r.confidence, r.raw_text)
            out.setdefault((t, k, f), r)
        self._records = out
