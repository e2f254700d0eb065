"""A file to pages: text layer where it is usable, OCR where it is not.

A page that cannot be read becomes an `error` flag and an empty page; the rest
of the document is kept (status `partial`).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from ..errors import UnreadableDocument, describe_exception
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
    page_errors: list[tuple[int, str]] = field(default_factory=list)  # (page, why it could not be read)

    def skip_page(self, number: int, exc: BaseException, options: "ExtractOptions") -> None:
        reason = describe_exception(exc, options.memory_cap_mb)
        self.flags.append(unreadable_page_flag(number, reason))
        self.page_errors.append((number, reason))
        self.pages.append(Page(number=number, width=0.0, height=0.0, words=()))

    def error_summary(self) -> list[str]:
        """One sentence per reason, naming its pages (eight pages out of memory: one sentence)."""
        pages_by_reason: dict[str, list[int]] = {}
        for number, reason in self.page_errors:
            pages_by_reason.setdefault(reason, []).append(number)
        return [f"{page_list(pages)} could not be read: {reason}" for reason, pages in pages_by_reason.items()]


def page_list(numbers: list[int]) -> str:
    """`page 3`, `pages 1-8`, `pages 1, 3, 5-6`."""
    runs: list[list[int]] = []
    for n in sorted(set(numbers)):
        if runs and n == runs[-1][-1] + 1:
            runs[-1].append(n)
        else:
            runs.append([n])
    text = ", ".join(f"{r[0]}-{r[-1]}" if len(r) > 1 else str(r[0]) for r in runs)
    return f"page {text}" if len(numbers) == 1 else f"pages {text}"


def usable_text_layer(page: Page) -> bool:
    """Enough real text to trust: not empty, not a font-less glyph soup."""
    text = "".join(w.text for w in page.words)
    if len(text) < 20:
        return False
    if "(cid:" in text or "\ufffd" in text:
        return False
    alnum = sum(c.isalnum() for c in text)
    return alnum / len(text) >= 0.6


def unreadable_page_flag(number: int, reason: str) -> Flag:
    return Flag(table="documents", row_key=str(number), field="page", rule="unreadable", severity=Severity.ERROR,
                raw_value=None, value=None,
                message=f"Page {number} could not be read and was skipped: {reason}.")


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
                result.skip_page(number, exc, options)
                continue
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
                result.skip_page(number, exc, options)
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
