"""Text-layer extraction with pypdfium2: the same `Page` records as pdfplumber's
reader, several times faster (measured in bench/text_layer.py).

Words follow pdfplumber's rules so parsers see the same thing: characters are
clustered into lines by their top, sorted left to right, and split at spaces and
at gaps wider than `X_TOLERANCE`. Ruling lines are the straight-edged path
objects (lines and rectangles); curves (logos, signatures) are not rules.
"""
from __future__ import annotations

from pathlib import Path

import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c

from ..errors import EmptyDocument, EncryptedDocument, UnreadableDocument
from ..records import Page, Rule, Word

# Tolerances in PDF points (pdfplumber's, which the parsers were built on). Words split at
# gaps wider than X_TOLERANCE so that adjacent table cells stay separate words.
X_TOLERANCE = 1.5
Y_TOLERANCE = 2.0
MIN_RULE_LENGTH = 4.0


def open_pdf(path: Path) -> pdfium.PdfDocument:
    if path.stat().st_size == 0:
        raise EmptyDocument("the file is empty (0 bytes)")
    try:
        pdf = pdfium.PdfDocument(str(path))
    except pdfium.PdfiumError as exc:
        if "password" in str(exc).lower():
            raise EncryptedDocument("the PDF is encrypted with a password; decrypt it first") from exc
        raise UnreadableDocument(f"the file is not a readable PDF ({exc})") from exc
    if len(pdf) == 0:
        pdf.close()
        raise EmptyDocument("the PDF has no pages")
    return pdf


def _chars(textpage: pdfium.PdfTextPage, height: float) -> list[tuple[str, float, float, float, float]]:
    """(text, x0, top, x1, bottom) of every printed character, top-down coordinates.

    Calls pdfium directly with one reused rectangle (what `get_charbox(loose=True)` does,
    without its per-character Python overhead: most of the reading's time here)."""
    n = textpage.count_chars()
    if not n:
        return []
    text = textpage.get_text_range(0, n)
    raw = textpage.raw
    is_generated, loose_box = pdfium_c.FPDFText_IsGenerated, pdfium_c.FPDFText_GetLooseCharBox
    rect = pdfium_c.FS_RECTF()
    blank = (" ", 0, 0, 0, 0)
    out = []
    append = out.append
    for i in range(n):
        ch = text[i] if i < len(text) else ""
        if not ch.strip() or is_generated(raw, i) == 1:
            append(blank)
            continue
        if not loose_box(raw, i, rect):
            raise pdfium.PdfiumError("Failed to get charbox.")
        append((ch, rect.left, height - rect.top, rect.right, height - rect.bottom))
    return out


def _words(chars: list[tuple[str, float, float, float, float]]) -> tuple[Word, ...]:
    printed = [c for c in chars if c[0] != " "]
    spaces = [c for c in chars if c[0] == " "]
    del spaces  # pdfium's own spaces carry no box; gaps decide, as in pdfplumber
    printed.sort(key=lambda c: (c[2], c[1]))
    lines: list[list[tuple]] = []
    for c in printed:
        if lines and abs(c[2] - lines[-1][0][2]) <= Y_TOLERANCE:
            lines[-1].append(c)
        else:
            lines.append([c])
    words: list[Word] = []
    for line in lines:
        line.sort(key=lambda c: c[1])
        current: list[tuple] = []
        for c in line:
            if current and (c[1] - current[-1][3] > X_TOLERANCE or c[1] < current[-1][1]):
                words.append(_word(current))
                current = []
            current.append(c)
        if current:
            words.append(_word(current))
    return tuple(words)


def _word(chars: list[tuple]) -> Word:
    return Word(
        x0=min(c[1] for c in chars), top=min(c[2] for c in chars),
        x1=max(c[3] for c in chars), bottom=max(c[4] for c in chars),
        text="".join(c[0] for c in chars),
    )


def _is_straight(obj: pdfium.PdfObject) -> bool:
    n = pdfium_c.FPDFPath_CountSegments(obj.raw)
    if n <= 0 or n > 12:
        return False
    for i in range(n):
        seg = pdfium_c.FPDFPath_GetPathSegment(obj.raw, i)
        if pdfium_c.FPDFPathSegment_GetType(seg) == pdfium_c.FPDF_SEGMENT_BEZIERTO:
            return False
    return True


def _rules(page: pdfium.PdfPage, height: float) -> tuple[Rule, ...]:
    rules = []
    for obj in page.get_objects(filter=(pdfium_c.FPDF_PAGEOBJ_PATH,), max_depth=2):
        if not _is_straight(obj):
            continue
        left, bottom, right, top = obj.get_bounds()
        if right - left < MIN_RULE_LENGTH and top - bottom < MIN_RULE_LENGTH:
            continue
        rules.append(Rule(x0=left, top=height - top, x1=right, bottom=height - bottom))
    return tuple(rules)


def read_page(page: pdfium.PdfPage, number: int) -> Page:
    width, height = page.get_size()
    textpage = page.get_textpage()
    try:
        words = _words(_chars(textpage, height))
    finally:
        textpage.close()
    return Page(number=number, width=width, height=height, words=words, rules=_rules(page, height),
                source="text_layer")


def read_pdf_pages(path: Path) -> list[Page]:
    pdf = open_pdf(path)
    try:
        return [read_page(pdf[i], i + 1) for i in range(len(pdf))]
    finally:
        pdf.close()
