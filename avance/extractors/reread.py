"""Second readings of small areas of a scanned page: the figures a warning rests on.

The page pass reads a dense table at once from a binarized image; a figure it
misread (`1` as `4`, `609` as `699`, a lost digit) usually reads right when its
cell is read alone, as one line, from the grey page (measured on the dev scans:
every misread figure behind a false warning but the touching doubled digits).
The page is rendered again and turned and deskewed exactly as for OCR
(`ScanGeometry`), so the boxes of the words read on it locate the area.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Mapping, Optional, Sequence, Union

import cv2
import numpy as np

from ..records import AreaReading, Page, Word
from .ocr import POINTS_PER_INCH, OcrSettings, PageImages, clean_page, render_pdf_page, straighten
from .tesseract import engine

# (image, horizontal scale, vertical scale) of each second reading, read as one text
# line: the grey page as printed, enlarged twice, and stretched sideways (two equal
# digits printed touching, `33.33%` or `22.02%`, read as one until pulled apart); and
# the page as cleaned for OCR (halftone fills re-thresholded: shaded columns read
# there and not on the grey page), as printed and enlarged.
READINGS = (("grey", 1.0, 1.0), ("grey", 2.0, 2.0), ("grey", 2.0, 1.0), ("clean", 1.0, 1.0), ("clean", 2.0, 2.0))
# A figure the page pass read, checked against the grey page alone: the cleaned page is
# the image the page pass read, so its readings repeat the page's slips (measured on the
# real Guanajuato scan, small type at 200 dpi: budgets read `25,848,430` for `25,646,430`
# on the page and from the cleaned crops, right from the grey ones).
GREY_READINGS = tuple(r for r in READINGS if r[0] == "grey")
LINE_PSM = 7
# A text cell (several lines of small type) read again as one block, enlarged twice: from
# the grey page (measured on the real evaluation scan: indicator names the page pass read
# `Má de académicos ... maestria a doctorado` read word-perfect there) and from the
# cleaned page (shaded cells).
TEXT_READINGS = (("grey", 2.0), ("clean", 2.0))
BLOCK_PSM = 6
# Around a word's box, in pixels at the scan's resolution: room for strokes, not neighbours.
PAD_PIXELS = 6
BORDER_PIXELS = 20
# Share of a crop's height (width) a dark column (row) covers to be a ruling line.
RULE_COVER = 0.9
# Ink this many glyph heights tall is a stroke, not a glyph (see trim_to_glyphs).
STROKE_GLYPHS = 2.5
# Ink at least this share of a glyph height tall is a letter or digit, not a speck.
LETTER_GLYPHS = 0.4
# A crop whose median grey is darker than SHADED_PAPER sits on a halftone fill (measured
# on the real evaluation scan: white cells 255, shaded ones 190-210).
SHADED_PAPER = 225
# A shaded crop is enlarged SHADE_SCALE times and its dots smoothed over SHADE_SMOOTH
# pixels there (about a dot pitch): smoothed at the scan's own size, the loops of a small
# `8` close and it reads `3`. Ink is then what is darker than SHADE_INK times the fill
# (strokes 10-60 grey, the smoothed fill 190-210); Otsu would split fill from paper.
SHADE_SCALE = 3
SHADE_SMOOTH = 7
SHADE_INK = 0.5
# A halftone fill's pixels differ from their smoothed neighbourhood by this many grey
# levels on average (the real evaluation scan: 10-20); an even fill's far less (2-4 on
# the dev scans, whose fills are flat grey and whose strokes are too light to binarize).
DOT_CONTRAST = 8.0
DOT_SMOOTH = 5


# Print is darker than the pen of a signature drawn over it (measured on the real
# evaluation scan: print cores 7-30 grey, pen strokes 80-160): the darkest ink keeps what
# is darker than this share of the way from the crop's ink to its paper.
DARK_INK_SHARE = 0.25
SPARSE_PSM = 11  # words wherever they stand: a signature block's columns and lines


def darkest_ink(crop: np.ndarray) -> np.ndarray:
    """The crop with only its darkest ink (print), lighter strokes (a pen's) whitened."""
    ink, paper = np.percentile(crop, 1), np.percentile(crop, 90)
    return np.where(crop < ink + DARK_INK_SHARE * (paper - ink), 0, 255).astype(np.uint8)


def _dot_contrast(crop: np.ndarray, where: np.ndarray) -> float:
    smooth = cv2.GaussianBlur(crop, (DOT_SMOOTH, DOT_SMOOTH), 0)
    return float(np.abs(crop.astype(np.int16) - smooth.astype(np.int16))[where].mean())


def flatten_shading(crop: np.ndarray) -> np.ndarray:
    """A crop on a halftone fill, binarized after its dots are smoothed into an even grey:
    the figure then stands black on white (`(-)10.52%`, `88`), where the grey crop reads
    as dots and strokes (`10524`, `ss |`). A crop on white paper or an even grey fill is
    returned as it is."""
    if crop.size == 0:
        return crop
    fill = float(np.median(crop))
    if fill >= SHADED_PAPER:
        return crop
    paper = crop > 0.7 * fill  # the fill, not the strokes
    if not paper.any() or _dot_contrast(crop, paper) < DOT_CONTRAST:
        return crop  # an even grey fill reads well as it is
    h, w = crop.shape
    large = cv2.resize(crop, None, fx=SHADE_SCALE, fy=SHADE_SCALE, interpolation=cv2.INTER_CUBIC)
    smooth = cv2.GaussianBlur(large, (SHADE_SMOOTH, SHADE_SMOOTH), 0)
    ink = np.where(smooth < SHADE_INK * fill, 0, 255).astype(np.uint8)
    return cv2.resize(ink, (w, h), interpolation=cv2.INTER_AREA)


def erase_rules(crop: np.ndarray) -> np.ndarray:
    """A cell's crop with the ruling lines it caught whitened: a rule crosses the whole
    crop, a glyph (inside the padding) never does, and a rule left in is read as `|` or `l`."""
    _, ink = cv2.threshold(crop, 0, 255, cv2.THRESH_BINARY_INV | cv2.THRESH_OTSU)
    ink = ink > 0
    out = crop.copy()
    h, w = crop.shape
    columns = np.flatnonzero(ink.sum(axis=0) >= RULE_COVER * h)
    rows = np.flatnonzero(ink.sum(axis=1) >= RULE_COVER * w)
    for c in columns:
        out[:, max(0, c - 1):c + 2] = 255
    for r in rows:
        out[max(0, r - 1):r + 2, :] = 255
    return out


def trim_to_glyphs(crop: np.ndarray, glyph_height: float) -> Optional[np.ndarray]:
    """The crop cut down to the ink of its glyphs, with room around them: a cell read
    where nothing was read on the page is mostly white, and its text is read far more
    surely alone than lost in the cell. Ink taller than a few glyphs (a pen stroke
    across the cell), spanning the crop (a rule) or only at its border (what is left
    of a rule, a neighbour's letter) is not a glyph."""
    _, ink = cv2.threshold(crop, 0, 255, cv2.THRESH_BINARY_INV | cv2.THRESH_OTSU)
    n, _, stats, _ = cv2.connectedComponentsWithStats(ink, connectivity=8)
    h, w = crop.shape
    edge = 2 * PAD_PIXELS  # a rule's remnant or a neighbour's letter at the cell's border

    def inside(x: int, y: int, gw: int, gh: int) -> bool:
        # cut by the crop's edge: a neighbour's ink (a header's fill, a rule's end) the
        # padding took in; a glyph of the cell lies within the padding
        touches = x == 0 or y == 0 or x + gw == w or y + gh == h
        return not touches and x + gw > edge and x < w - edge and y + gh > edge and y < h - edge

    glyphs = [stats[i] for i in range(1, n)
              if stats[i][cv2.CC_STAT_HEIGHT] <= STROKE_GLYPHS * glyph_height
              and stats[i][cv2.CC_STAT_WIDTH] < RULE_COVER * w and stats[i][cv2.CC_STAT_AREA] >= 2
              and inside(*stats[i][:4])]
    # the cell is read as one line: the line with most letters. A speck of a fill or a
    # piece of a pen stroke above or below it would widen the crop into white and ink
    # Tesseract reads worse (a period or a dash on the line stays: `$ -`)
    letters = [g for g in glyphs if g[cv2.CC_STAT_HEIGHT] >= LETTER_GLYPHS * glyph_height]
    if not letters:  # an empty cell: remnants of its rules and fill would read as `1` or `o`
        return None
    y0, y1 = _fullest_line(letters)
    glyphs = [g for g in glyphs if g[cv2.CC_STAT_TOP] < y1 and g[cv2.CC_STAT_TOP] + g[cv2.CC_STAT_HEIGHT] > y0]
    x0 = min(g[cv2.CC_STAT_LEFT] for g in glyphs)
    x1 = max(g[cv2.CC_STAT_LEFT] + g[cv2.CC_STAT_WIDTH] for g in glyphs)
    out = np.full_like(crop, 255)
    keep = np.zeros_like(ink)
    for g in glyphs:
        gx, gy, gw, gh = g[cv2.CC_STAT_LEFT], g[cv2.CC_STAT_TOP], g[cv2.CC_STAT_WIDTH], g[cv2.CC_STAT_HEIGHT]
        keep[gy:gy + gh, gx:gx + gw] = 255
    out[keep > 0] = crop[keep > 0]
    return out[max(0, y0 - PAD_PIXELS):y1 + PAD_PIXELS, max(0, x0 - PAD_PIXELS):x1 + PAD_PIXELS]


def _fullest_line(letters) -> tuple[int, int]:
    """(top, bottom) of the line of text (letters overlapping in height) with most letters."""
    lines: list[list[int]] = []  # [top, bottom, count]
    for g in sorted(letters, key=lambda g: g[cv2.CC_STAT_TOP] + g[cv2.CC_STAT_HEIGHT] / 2):
        top, bottom = int(g[cv2.CC_STAT_TOP]), int(g[cv2.CC_STAT_TOP] + g[cv2.CC_STAT_HEIGHT])
        line = lines[-1] if lines else None
        if line is not None and min(bottom, line[1]) - max(top, line[0]) >= 0.5 * min(bottom - top, line[1] - line[0]):
            line[0], line[1], line[2] = min(top, line[0]), max(bottom, line[1]), line[2] + 1
        else:
            lines.append([top, bottom, 1])
    top, bottom, _ = max(lines, key=lambda line: line[2])
    return top, bottom


def _pixel_area(shape: tuple[int, ...], page: Page, box: tuple[float, float, float, float]):
    """`box` (PDF points) in pixels of the page image, padded, or None if it is empty."""
    k = page.scan.pixels_per_inch / POINTS_PER_INCH
    h, w = shape[:2]
    x0, y0 = max(0, int(box[0] * k) - PAD_PIXELS), max(0, int(box[1] * k) - PAD_PIXELS)
    x1, y1 = min(w, int(np.ceil(box[2] * k)) + PAD_PIXELS), min(h, int(np.ceil(box[3] * k)) + PAD_PIXELS)
    return (x0, y0, x1, y1) if x1 > x0 and y1 > y0 else None


# `enough(readings so far, readings still to try)`: True when the rest cannot change the outcome.
Enough = Callable[[list[AreaReading], int], bool]


@dataclass(frozen=True)
class AreaRequest:
    """One area of a scanned page to read again, and how (see ScanRereader.read_batch)."""

    page: Page
    box: tuple[float, float, float, float]
    how: str = "line"  # line | cell | text | words | grey
    enough: Optional[Enough] = None


class ScanRereader:
    """Reads boxes of the pages of one scanned PDF or image again, from each page's
    context (`images`: the page pass's turned and cleaned images, kept for the
    document's life); a page without one (a reading cached elsewhere) is rendered and
    cleaned again, once, and kept."""

    def __init__(self, path: Path, settings: OcrSettings = OcrSettings(),
                 images: Optional[Mapping[int, PageImages]] = None, pool=None):
        self.path = Path(path)
        self.settings = settings
        self._pages: dict[int, Optional[PageImages]] = dict(images or {})
        self._pool = pool  # reading.PagePool: a batch's pages read again at once

    def read_batch(self, requests: Sequence[AreaRequest]) -> list[Union[list[AreaReading], list[Word]]]:
        """Every request read, in one pass over the pages (each page's context fetched once;
        an area asked twice the same way is read once); the readings in the requests' order.
        `line`: `read`; `cell`: `read` of a cell nothing was read in; `text`: `read_text`;
        `words`: `read_words`."""
        unique: dict[tuple, AreaRequest] = {}
        for request in requests:
            unique.setdefault((request.page.number, request.box, request.how), request)
        by_page: dict[int, list[AreaRequest]] = {}
        for request in unique.values():
            by_page.setdefault(request.page.number, []).append(request)
        if self._pool is not None and by_page:
            # each page's areas read by a page process from its context (the same readings);
            # the document's own process then never loads a Tesseract engine of its own
            numbers = sorted(by_page)
            pages = [self._page_images(by_page[n][0].page) for n in numbers]
            results = self._pool.map(_read_areas_of_page, [self.path] * len(numbers), [self.settings] * len(numbers),
                                     numbers, pages, [by_page[n] for n in numbers])
            done = {key: reading for n, readings in zip(numbers, results) for key, reading in readings}
        else:
            done = dict(self._read_areas([r for n in sorted(by_page) for r in by_page[n]]))
        return [done[(r.page.number, r.box, r.how)] for r in requests]

    def _read_areas(self, requests: Sequence[AreaRequest]) -> list[tuple[tuple, list]]:
        done: list[tuple[tuple, list]] = []
        for request in requests:
            key = (request.page.number, request.box, request.how)
            if request.how == "text":
                done.append((key, self.read_text(request.page, request.box, enough=request.enough)))
            elif request.how == "words":
                done.append((key, self.read_words(request.page, request.box)))
            elif request.how in ("line", "cell", "grey"):
                done.append((key, self.read(request.page, request.box, whole_cell=request.how == "cell",
                                            enough=request.enough,
                                            readings=GREY_READINGS if request.how == "grey" else READINGS)))
            else:
                raise ValueError(f"unknown reading {request.how!r}")
        return done

    def read(self, page: Page, box: tuple[float, float, float, float], whole_cell: bool = False,
             enough: Optional[Enough] = None, readings=READINGS) -> list[AreaReading]:
        """The readings of `box` (PDF points on the OCR'd page), one per entry of `readings`
        (READINGS or GREY_READINGS), stopping early once `enough` says the rest cannot change
        what they decide; `whole_cell`: the box is a cell nothing was read in, cut down to its
        glyphs first."""
        if self._pool is not None:
            how = "grey" if readings is GREY_READINGS else "cell" if whole_cell else "line"
            return self.read_batch([AreaRequest(page, box, how, enough)])[0]
        crops = self._crops(page, box)
        if crops is None:
            return []
        if whole_cell:
            height = _glyph_pixels(page)
            crops = {name: trim_to_glyphs(crop, height) for name, crop in crops.items()}
        out: list[AreaReading] = []
        for tried, (name, fx, fy) in enumerate(readings, start=1):
            if crops[name] is not None and (r := self._reading(crops[name], fx, fy, LINE_PSM)) is not None:
                out.append(r)
            if enough is not None and enough(out, len(readings) - tried):
                break
        return out

    def read_text(self, page: Page, box: tuple[float, float, float, float],
                  enough: Optional[Enough] = None) -> list[AreaReading]:
        """Readings of a text cell's `box` as one block of lines, one per entry of TEXT_READINGS,
        stopping early once `enough` says the rest cannot change what they decide."""
        if self._pool is not None:
            return self.read_batch([AreaRequest(page, box, "text", enough)])[0]
        crops = self._crops(page, box)
        if crops is None:
            return []
        out: list[AreaReading] = []
        for tried, (name, f) in enumerate(TEXT_READINGS, start=1):
            if (r := self._reading(crops[name], f, f, BLOCK_PSM)) is not None:
                out.append(r)
            if enough is not None and enough(out, len(TEXT_READINGS) - tried):
                break
        return out

    def read_words(self, page: Page, box: tuple[float, float, float, float]) -> list[Word]:
        """The words of an area of print read again from its darkest ink, wherever they
        stand (a signature block: pen strokes across names are lighter than the print),
        placed on the page in PDF points."""
        if self._pool is not None:
            return self.read_batch([AreaRequest(page, box, "words")])[0]
        images = self._page_images(page) if page.scan is not None else None
        area = _pixel_area(images.shape, page, box) if images is not None else None
        if area is None:
            return []
        x0, y0, x1, y1 = area
        framed = cv2.copyMakeBorder(darkest_ink(images.area("grey", *area)), BORDER_PIXELS, BORDER_PIXELS,
                                    BORDER_PIXELS, BORDER_PIXELS, cv2.BORDER_CONSTANT, value=255)
        k = page.scan.pixels_per_inch / POINTS_PER_INCH
        return [Word(x0=(x0 + w.left - BORDER_PIXELS) / k, top=(y0 + w.top - BORDER_PIXELS) / k,
                     x1=(x0 + w.right - BORDER_PIXELS) / k, bottom=(y0 + w.bottom - BORDER_PIXELS) / k,
                     text=w.text, conf=w.conf)
                for w in engine(self.settings.lang).words(framed, SPARSE_PSM)]

    def _crops(self, page: Page, box: tuple[float, float, float, float]) -> Optional[dict[str, np.ndarray]]:
        if page.scan is None:
            return None
        images = self._page_images(page)
        area = _pixel_area(images.shape, page, box) if images is not None else None
        if area is None:
            return None
        crops = {name: erase_rules(images.area(name, *area)) for name in ("grey", "clean")}
        crops["grey"] = flatten_shading(crops["grey"])
        return crops

    def _reading(self, crop: np.ndarray, fx: float, fy: float, psm: int) -> Optional[AreaReading]:
        scaled = crop if fx == fy == 1.0 else cv2.resize(crop, None, fx=fx, fy=fy, interpolation=cv2.INTER_CUBIC)
        framed = cv2.copyMakeBorder(scaled, BORDER_PIXELS, BORDER_PIXELS, BORDER_PIXELS, BORDER_PIXELS,
                                    cv2.BORDER_CONSTANT, value=255)
        words = engine(self.settings.lang).words(framed, psm)
        if not words:
            return None
        return AreaReading(" ".join(x.text for x in words), min(x.conf for x in words),
                           sum(x.conf for x in words) / len(words))

    def _page_images(self, page: Page) -> Optional[PageImages]:
        if page.number not in self._pages:
            raw = self._render(page.number, page.scan.pixels_per_inch)
            grey = straighten(raw, page.scan) if raw is not None else None
            self._pages[page.number] = PageImages(grey, clean_page(grey, self.settings)) if grey is not None else None
        return self._pages[page.number]

    def _render(self, number: int, pixels_per_inch: float) -> Optional[np.ndarray]:
        if self.path.suffix.lower() == ".pdf":
            import pypdfium2 as pdfium

            pdf = pdfium.PdfDocument(str(self.path))
            try:
                return render_pdf_page(pdf[number - 1], pixels_per_inch)
            finally:
                pdf.close()
        from PIL import Image, ImageSequence

        with Image.open(self.path) as image:
            for index, frame in enumerate(ImageSequence.Iterator(image)):
                if index == number - 1:
                    return np.asarray(frame.convert("L"))
        return None


def _read_areas_of_page(path: Path, settings: OcrSettings, number: int, images: Optional[PageImages],
                        requests: Sequence[AreaRequest]) -> list[tuple[tuple, list]]:
    """A page process's share of a batch: one page's areas, read from its context."""
    return ScanRereader(path, settings, {number: images} if images is not None else None)._read_areas(requests)


def _glyph_pixels(page: Page) -> float:
    """The page's usual word height in pixels (its text's glyph height)."""
    heights = sorted(w.bottom - w.top for w in page.words)
    k = page.scan.pixels_per_inch / POINTS_PER_INCH if page.scan is not None else 1.0
    return (heights[len(heights) // 2] if heights else 10.0) * k


def agreed_text(readings: list[AreaReading]) -> Optional[AreaReading]:
    """The text most readings give (ties to the surest); None when nothing was read."""
    if not readings:
        return None
    texts = [" ".join(r.text.split()) for r in readings]
    return max((AreaReading(t, r.confidence) for t, r in zip(texts, readings)),
               key=lambda r: (texts.count(r.text), r.confidence))


def words_across(reading: AreaReading, box: tuple[float, float, float, float]) -> list[Word]:
    """A line read again as words laid across its box (widths by their share of the characters)."""
    tokens = reading.text.split()
    if not tokens:
        return []
    x0, top, x1, bottom = box
    unit = (x1 - x0) / (sum(len(t) for t in tokens) + len(tokens) - 1)
    out, x = [], x0
    for t in tokens:
        out.append(Word(x0=x, top=top, x1=x + len(t) * unit, bottom=bottom, text=t, conf=reading.confidence))
        x += (len(t) + 1) * unit
    return out
