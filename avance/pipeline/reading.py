"""A file to pages: text layer where it is usable, OCR where it is not.

A page that cannot be read becomes an `error` flag and an empty page; the rest
of the document is kept (status `partial`).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from ..errors import UnreadableDocument
from ..extractors import pdfium_text
from ..extractors.ocr import OcrUnavailable, ocr_image, ocr_pdf_page
from ..extractors.text_export import read_text_export
from ..records import Flag, Page, Severity
from .options import ExtractOptions

PDF_SUFFIXES = {".pdf"}
IMAGE_SUFFIXES = {".png", ".jpg", ".jpeg", ".tif", ".tiff"}
TEXT_SUFFIXES = {".txt", ".md"}
SUPPORTED_SUFFIXES = PDF_SUFFIXES | IMAGE_SUFFIXES | TEXT_SUFFIXES
DEFAULT_IMAGE_DPI = 200.0  # an image that does not say its resolution


@dataclass
class ReadResult:
    pages: list[Page]
    flags: list[Flag] = field(default_factory=list)


def usable_text_layer(page: Page) -> bool:
    """Enough real text to trust: not empty, not a font-less glyph soup."""
    text = "".join(w.text for w in page.words)
    if len(text) < 20:
        return False
    if "(cid:" in text or "\ufffd" in text:
        return False
    alnum = sum(c.isalnum() for c in text)
    return alnum / len(text) >= 0.6


def unreadable_page_flag(number: int, exc: BaseException) -> Flag:
    return Flag(table="documents", row_key=str(number), field="page", rule="unreadable", severity=Severity.ERROR,
                raw_value=None, value=None,
                message=f"Page {number} could not be read ({type(exc).__name__}: {exc}); it was skipped.")


def read_pdf(path: Path, options: ExtractOptions) -> ReadResult:
    pdf = pdfium_text.open_pdf(path)
    result = ReadResult(pages=[])
    try:
        for index in range(len(pdf)):
            number = index + 1
            try:
                pdf_page = pdf[index]
                page = pdfium_text.read_page(pdf_page, number)
                if options.ocr == "always" or (options.ocr == "auto" and not usable_text_layer(page)):
                    page = ocr_pdf_page(pdf_page, number, options.ocr_settings)
            except OcrUnavailable:
                raise
            except Exception as exc:
                result.flags.append(unreadable_page_flag(number, exc))
                page = Page(number=number, width=0.0, height=0.0, words=())
            result.pages.append(page)
    finally:
        pdf.close()
    return result


def read_image(path: Path, options: ExtractOptions) -> ReadResult:
    """PNG, JPEG or (multi-page) TIFF: every frame is OCR'd."""
    import numpy as np
    from PIL import Image, ImageSequence, UnidentifiedImageError

    if options.ocr == "never":
        raise UnreadableDocument("an image has no text layer; it needs OCR (--ocr auto or always)")
    try:
        image = Image.open(path)
    except (UnidentifiedImageError, OSError) as exc:
        raise UnreadableDocument(f"the file is not a readable image ({exc})") from exc
    result = ReadResult(pages=[])
    with image:
        for index, frame in enumerate(ImageSequence.Iterator(image)):
            number = index + 1
            try:
                dpi = float((frame.info.get("dpi") or (DEFAULT_IMAGE_DPI,))[0]) or DEFAULT_IMAGE_DPI
                gray = np.asarray(frame.convert("L"))
                result.pages.append(ocr_image(gray, number, dpi, options.ocr_settings))
            except OcrUnavailable:
                raise
            except Exception as exc:
                result.flags.append(unreadable_page_flag(number, exc))
                result.pages.append(Page(number=number, width=0.0, height=0.0, words=()))
    return result


def read_document(path: Path, options: ExtractOptions) -> ReadResult:
    suffix = path.suffix.lower()
    if suffix in PDF_SUFFIXES:
        return read_pdf(path, options)
    if suffix in IMAGE_SUFFIXES:
        return read_image(path, options)
    if suffix in TEXT_SUFFIXES:
        return ReadResult(pages=read_text_export(path))
    raise UnreadableDocument(f"unsupported file type '{suffix or path.name}' (PDF, PNG, JPEG, TIFF, or a .txt/.md OCR export)")
