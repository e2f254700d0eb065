"""Text-layer extraction with pypdfium2: the same `Page` records as pdfplumber's
reader, several times faster (measured in bench/text_layer.py).

Words follow pdfplumber's rules so parsers see the same thing: characters are
clustered into lines by their top, sorted left to right, and split at spaces and
at gaps wider than `X_TOLERANCE`. Ruling lines are the straight-edged path
objects (lines and rectangles); curves (logos, signatures) are not rules.
"""
from __future__ import annotations

import ctypes
import re
from operator import itemgetter
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


# PDFium's load error codes (FPDF_ERR_*) in words; it reports "Success" when the page tree is empty
LOAD_ERRORS = {
    0: "the PDF has no pages (or its list of pages is broken); check that it opens in a PDF viewer "
       "and export it again",
    3: "the file is not a readable PDF (not a PDF, or damaged); export or download it again",
    5: "the PDF uses a security scheme that cannot be opened; save an unprotected copy",
    6: "the file is not a readable PDF (its pages cannot be found); export or download it again",
}


NO_SUCH_FILE = b"/nonexistent/avance-no-such-file.pdf"


def _declares_no_pages(path: Path) -> bool:
    """A page tree that counts 0 and no page object: PDFium fails on it without setting its
    error code, so the code it reports is whatever an earlier failure in this thread left."""
    data = path.read_bytes()
    return re.search(rb"/Count\s+0\b", data) is not None and re.search(rb"/Type\s*/Page\b(?!s)", data) is None


def open_pdf(path: Path) -> pdfium.PdfDocument:
    if path.stat().st_size == 0:
        raise EmptyDocument("the file is empty (0 bytes)")
    # PDFium keeps its last error per thread and some failures do not set it: a load of a
    # path that does not exist sets a known code first (FPDF_ERR_FILE), so a code left
    # unchanged for a file that exists means PDFium gave no reason
    pdfium_c.FPDF_LoadDocument(NO_SUCH_FILE, None)
    try:
        pdf = pdfium.PdfDocument(str(path))
    except pdfium.PdfiumError as exc:
        code = getattr(exc, "err_code", None)
        if code == pdfium_c.FPDF_ERR_FILE:
            code = None  # no reason given
        if code == pdfium_c.FPDF_ERR_PASSWORD:
            raise EncryptedDocument("the PDF is encrypted with a password; decrypt it first") from exc
        if code in (None, pdfium_c.FPDF_ERR_SUCCESS) and _declares_no_pages(path):
            raise EmptyDocument(LOAD_ERRORS[0]) from exc
        raise UnreadableDocument(LOAD_ERRORS.get(code, LOAD_ERRORS[3])) from exc
    if len(pdf) == 0:
        pdf.close()
        raise EmptyDocument("the PDF has no pages")
    return pdf


def _chars(textpage: pdfium.PdfTextPage, height: float) -> list[tuple[str, float, float, float, float, int]]:
    """(text, x0, top, x1, bottom, stream index) of every character, top-down
    coordinates; spaces (printed or inferred by PDFium) are kept as `" "` with no box.

    Calls pdfium directly with one reused rectangle (what `get_charbox(loose=True)` does,
    without its per-character Python overhead: most of the reading's time here)."""
    n = textpage.count_chars()
    if not n:
        return []
    text = textpage.get_text_range(0, n)
    raw = textpage.raw
    loose_box = pdfium_c.FPDFText_GetLooseCharBox
    rect = pdfium_c.FS_RECTF()
    out = []
    append = out.append
    for i in range(n):
        ch = text[i] if i < len(text) else ""
        if not ch.strip():
            append((" ", 0, 0, 0, 0, i))
            continue
        if not loose_box(raw, i, rect):
            raise pdfium.PdfiumError("Failed to get charbox.")
        append((ch, rect.left, height - rect.top, rect.right, height - rect.bottom, i))
    return out


# How far apart in the text stream two characters may be and still be split by a
# space between them: a space only splits neighbours, not a line's far ends.
_SPACE_REACH = 3


def _words(chars: list[tuple]) -> tuple[Word, ...]:
    printed = [c for c in chars if c[0] != " "]
    # Spaces carry no box, so gaps decide as in pdfplumber; but type too small for
    # the gap tolerance (4-point spreadsheets) prints its spaces narrower than
    # it, so a space in the stream between two neighbours splits them too.
    spaces = {c[5] for c in chars if c[0] == " "}
    printed.sort(key=_TOP_X0)
    lines: list[list[tuple]] = []
    for c in printed:
        if lines and abs(c[2] - lines[-1][0][2]) <= Y_TOLERANCE:
            lines[-1].append(c)
        else:
            lines.append([c])
    words: list[Word] = []
    for line in lines:
        line.sort(key=_X0)
        current: list[tuple] = [line[0]]
        before = line[0]
        for c in line[1:]:
            # a space between: only neighbours in the stream a character or more apart
            # (`_space_between`; adjacent characters have nothing between them)
            if c[1] - before[3] > X_TOLERANCE or c[1] < before[1] or \
                    (1 < c[5] - before[5] <= _SPACE_REACH and _space_between(before[5], c[5], spaces)):
                words.append(_word(current))
                current = [c]
            else:
                current.append(c)
            before = c
        words.append(_word(current))
    return tuple(words)


_TOP_X0 = itemgetter(2, 1)
_X0 = itemgetter(1)


def _space_between(before: int, after: int, spaces: set[int]) -> bool:
    return 0 < after - before <= _SPACE_REACH and any(i in spaces for i in range(before + 1, after))


def _word(chars: list[tuple]) -> Word:
    # the characters' bounding box, in one pass (every word of every page)
    _, x0, top, x1, bottom, _ = chars[0]
    for _, left, upper, right, lower, _ in chars:
        if left < x0:
            x0 = left
        if upper < top:
            top = upper
        if right > x1:
            x1 = right
        if lower > bottom:
            bottom = lower
    return Word(x0=x0, top=top, x1=x1, bottom=bottom, text="".join([c[0] for c in chars]))


def _is_straight(raw) -> bool:
    n = pdfium_c.FPDFPath_CountSegments(raw)
    if n <= 0 or n > 12:
        return False
    for i in range(n):
        seg = pdfium_c.FPDFPath_GetPathSegment(raw, i)
        if pdfium_c.FPDFPathSegment_GetType(seg) == pdfium_c.FPDF_SEGMENT_BEZIERTO:
            return False
    return True


def _paths(parent, count, get, level: int = 0):
    """The path objects of a page, or of a form object within it (one level down: what
    `PdfPage.get_objects(filter=(PATH,), max_depth=2)` gives, in its order), as raw
    handles: no Python object for each of a page's thousands of text objects."""
    n = count(parent)
    if n < 0:
        raise pdfium.PdfiumError("Failed to get number of pageobjects.")
    for i in range(n):
        raw = get(parent, i)
        if not raw:
            raise pdfium.PdfiumError("Failed to get pageobject.")
        kind = pdfium_c.FPDFPageObj_GetType(raw)
        if kind == pdfium_c.FPDF_PAGEOBJ_PATH:
            yield raw
        elif kind == pdfium_c.FPDF_PAGEOBJ_FORM and level < 1:
            yield from _paths(raw, pdfium_c.FPDFFormObj_CountObjects, pdfium_c.FPDFFormObj_GetObject, level + 1)


def _rules(page: pdfium.PdfPage, height: float) -> tuple[Rule, ...]:
    rules = []
    left, bottom, right, top = (ctypes.c_float() for _ in range(4))
    for raw in _paths(page.raw, pdfium_c.FPDFPage_CountObjects, pdfium_c.FPDFPage_GetObject):
        if not _is_straight(raw):
            continue
        if not pdfium_c.FPDFPageObj_GetBounds(raw, left, bottom, right, top):
            raise pdfium.PdfiumError("Failed to locate pageobject.")
        if right.value - left.value < MIN_RULE_LENGTH and top.value - bottom.value < MIN_RULE_LENGTH:
            continue
        rules.append(Rule(x0=left.value, top=height - top.value, x1=right.value, bottom=height - bottom.value))
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
