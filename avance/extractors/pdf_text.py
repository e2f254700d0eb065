"""Text-layer extraction: a PDF's words and ruling lines as `Page` records.

pdfplumber's reader, kept for the benchmarks (bench/text_layer.py) and as the
reference of the word rules pdfium_text follows; the pipeline reads with
pdfium_text. pdfplumber is imported only when a PDF is opened here
(`pip install 'avance[bench]'`).
"""
from __future__ import annotations

import logging
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import pdfplumber

from ..errors import EmptyDocument, EncryptedDocument, UnreadableDocument
from ..records import Page, Rule, Word

# pdfminer logs every odd object at WARNING; a batch over an archive drowns in it.
logging.getLogger("pdfminer").setLevel(logging.ERROR)

# Tolerances in PDF points, shared with the pypdfium2 reader (defined there: the text-layer
# path does not load pdfplumber).
from .pdfium_text import MIN_RULE_LENGTH, X_TOLERANCE, Y_TOLERANCE  # noqa: E402


def open_pdf(path: Path) -> pdfplumber.PDF:
    """Open a PDF or raise an error that names what is wrong with it."""
    if path.stat().st_size == 0:
        raise EmptyDocument("the file is empty (0 bytes)")
    import pdfplumber
    from pdfminer.pdfdocument import PDFPasswordIncorrect

    try:
        pdf = pdfplumber.open(path)
        n_pages = len(pdf.pages)
    except Exception as exc:  # pdfminer raises many types for damaged files, often wrapped
        cause = _root_cause(exc)
        if isinstance(cause, PDFPasswordIncorrect) or "password" in str(cause).lower():
            raise EncryptedDocument("the PDF is encrypted with a password; decrypt it first") from exc
        detail = str(cause) or type(cause).__name__
        raise UnreadableDocument(f"the file is not a readable PDF ({detail})") from exc
    if n_pages == 0:
        pdf.close()
        raise EmptyDocument("the PDF has no pages")
    return pdf


def _root_cause(exc: BaseException) -> BaseException:
    """pdfplumber wraps pdfminer's exception: look through args and causes."""
    seen = 0
    while seen < 5:
        seen += 1
        inner = next((a for a in exc.args if isinstance(a, BaseException)), None) or exc.__cause__
        if inner is None:
            return exc
        exc = inner
    return exc


def page_words(page: pdfplumber.page.Page) -> tuple[Word, ...]:
    words = page.extract_words(x_tolerance=X_TOLERANCE, y_tolerance=Y_TOLERANCE, keep_blank_chars=False)
    return tuple(
        Word(x0=w["x0"], top=w["top"], x1=w["x1"], bottom=w["bottom"], text=w["text"])
        for w in words
        if w["text"].strip()
    )


def page_rules(page: pdfplumber.page.Page) -> tuple[Rule, ...]:
    """Ruling lines and rectangle edges: the grid evidence of ruled tables."""
    rules: list[Rule] = []
    for ln in page.lines:
        rules.append(Rule(x0=ln["x0"], top=ln["top"], x1=ln["x1"], bottom=ln["bottom"]))
    for r in page.rects:
        x0, top, x1, bottom = r["x0"], r["top"], r["x1"], r["bottom"]
        if x1 - x0 < MIN_RULE_LENGTH and bottom - top < MIN_RULE_LENGTH:
            continue
        rules.append(Rule(x0=x0, top=top, x1=x1, bottom=bottom))
    return tuple(rules)


def read_page(page: pdfplumber.page.Page, number: int) -> Page:
    return Page(
        number=number,
        width=float(page.width),
        height=float(page.height),
        words=page_words(page),
        rules=page_rules(page),
        source="text_layer",
    )


def read_pdf_pages(path: Path) -> list[Page]:
    with open_pdf(path) as pdf:
        return [read_page(p, i) for i, p in enumerate(pdf.pages, start=1)]
