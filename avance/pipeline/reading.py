"""A file to pages: text layer where it is usable, OCR where it is not.

A page that cannot be read becomes an `error` flag and an empty page; the rest
of the document is kept (status `partial`).

Scanned pages keep their page context (the turned, cleaned images the page pass
read; `ReadResult.images`) for the second readings. With a `PagePool` (a run with
fewer documents than workers: `ExtractOptions.page_workers`), a PDF's scanned pages
are read by forked processes at once; each page is read exactly as alone, and the
pages come back in their order, so the result is the same as one page after another.
"""
from __future__ import annotations

import ctypes
import signal
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Optional

from ..errors import UnreadableDocument, describe_exception
from ..extractors import pdfium_text
from ..extractors.ocr_settings import OcrSettings, OcrUnavailable
from ..extractors.text_export import read_text_export
from ..records import Flag, Page, Severity
from .options import ExtractOptions

if TYPE_CHECKING:  # the OCR modules (OpenCV, Tesseract) load only when a page needs OCR
    from ..extractors.ocr import PageImages

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
    images: dict[int, "PageImages"] = field(default_factory=dict)  # page number -> its page context

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
    alnum = sum(map(str.isalnum, text))
    return alnum / len(text) >= 0.6


def unreadable_page_flag(number: int, reason: str) -> Flag:
    return Flag(table="documents", row_key=str(number), field="page", rule="unreadable", severity=Severity.ERROR,
                raw_value=None, value=None,
                message=f"Page {number} could not be read and was skipped: {reason}.")


def read_pdf(path: Path, options: ExtractOptions, pool: Optional[PagePool] = None) -> ReadResult:
    pdf = pdfium_text.open_pdf(path)
    result = ReadResult(pages=[])
    to_ocr: list[int] = []
    try:
        for index in range(len(pdf)):
            number = index + 1
            try:
                page = pdfium_text.read_page(pdf[index], number)
                if options.ocr == "always" or (options.ocr == "auto" and not usable_text_layer(page)):
                    to_ocr.append(number)
            except Exception as exc:
                result.skip_page(number, exc, options)
                continue
            result.pages.append(page)
        if pool is not None and len(to_ocr) > 1:
            read = pool.map(_ocr_page_in_worker, [str(path)] * len(to_ocr), to_ocr,
                            [options.ocr_settings] * len(to_ocr))
        else:
            read = (_ocr_page(pdf, number, options.ocr_settings) for number in to_ocr)
        for number, (page, images, error) in zip(to_ocr, read):
            if error is not None:
                reason = describe_exception(error, options.memory_cap_mb)
                result.flags.append(unreadable_page_flag(number, reason))
                result.page_errors.append((number, reason))
                page = Page(number=number, width=0.0, height=0.0, words=())
            else:
                result.images[number] = images
            result.pages[number - 1] = page
    finally:
        pdf.close()
    return result


def _ocr_page(pdf, number: int, settings: OcrSettings):
    """(page, page context, None), or (None, None, the error) for a page OCR could not read."""
    from ..extractors.ocr import read_pdf_scan

    try:
        page, images = read_pdf_scan(pdf[number - 1], number, settings)
        return page, images, None
    except OcrUnavailable:
        raise
    except Exception as exc:
        return None, None, exc


_worker_pdf: dict[str, object] = {}


def _page_worker_start(parent_pid: int) -> None:
    """A page worker ignores Ctrl-C (its document's process stops it) and dies with it:
    the document's timeout and memory cap (inherited) bound its pages too."""
    import os

    signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass
    if os.getppid() != parent_pid:
        os._exit(1)


class PagePool:
    """Processes forked from a document's own, reading its scanned pages (and then the
    areas of them read again) at once. Each task is a pure function of its page; the
    results come back in the order they were asked for."""

    def __init__(self, workers: int):
        import multiprocessing
        import os
        from concurrent.futures import ProcessPoolExecutor

        self.workers = workers
        self._executor = ProcessPoolExecutor(max_workers=workers, mp_context=multiprocessing.get_context("fork"),
                                             initializer=_page_worker_start, initargs=(os.getpid(),))

    def map(self, fn, *arguments) -> list:
        futures = [self._executor.submit(fn, *args) for args in zip(*arguments)]
        return [f.result() for f in futures]

    def close(self) -> None:
        self._executor.shutdown(wait=True, cancel_futures=True)

    def __enter__(self) -> "PagePool":
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def page_pool(workers: int) -> Optional[PagePool]:
    """A pool of `workers` page processes, or None for one (everything in this process)."""
    return PagePool(workers) if workers > 1 else None


def _ocr_page_in_worker(path: str, number: int, settings: OcrSettings):
    if path not in _worker_pdf:
        _worker_pdf[path] = pdfium_text.open_pdf(Path(path))
    return _ocr_page(_worker_pdf[path], number, settings)


def read_image(path: Path, options: ExtractOptions) -> ReadResult:
    """PNG, JPEG or (multi-page) TIFF: every frame is OCR'd."""
    import numpy as np
    from PIL import Image, ImageSequence, UnidentifiedImageError

    from ..extractors.ocr import read_scan

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
                page, result.images[number] = read_scan(gray, number, dpi, options.ocr_settings)
                result.pages.append(page)
            except OcrUnavailable:
                raise
            except Exception as exc:
                result.skip_page(number, exc, options)
    return result


def read_document(path: Path, options: ExtractOptions, pool: Optional[PagePool] = None) -> ReadResult:
    """`pool`: processes that read a PDF's scanned pages at once (see PagePool)."""
    suffix = path.suffix.lower()
    if suffix in PDF_SUFFIXES:
        return read_pdf(path, options, pool)
    if suffix in IMAGE_SUFFIXES:
        return read_image(path, options)
    if suffix in TEXT_SUFFIXES:
        return ReadResult(pages=read_text_export(path))
    raise UnreadableDocument(f"unsupported file type '{suffix or path.name}' (PDF, PNG, JPEG, TIFF, or a .txt/.md OCR export)")
