"""Scanned pages to the same `Page` records as a text layer: words with boxes
(in PDF points) and confidences, and the table's ruling lines.

One Tesseract call per page (never per cell). Before it, OpenCV straightens the
page (projection-profile deskew), finds the ruling lines (morphology) so table
parsers get the same grid evidence as from a born-digital PDF, and erases those
lines and specks so Tesseract sees only text: measured on the dev scans, this is
both faster and more accurate than OCR of the raw page.
"""
from __future__ import annotations

import tempfile
from dataclasses import dataclass
from typing import Optional, Sequence

import cv2
import numpy as np

from ..records import Page, Rule, ScanGeometry, Word
from .ocr_settings import OcrSettings
from .tesseract import OcrUnavailable, OcrWord, engine

__all__ = ["OcrSettings", "OcrUnavailable", "PageImages", "ocr_image", "ocr_pdf_page", "read_pdf_scan", "read_scan"]
from .components import drop_small_components
from .fills import lighten_dark_fills
from .halftone import suppress_halftone
from .orientation import detect_rotation, rotate_quarter

# One core per worker, as Tesseract (OMP_THREAD_LIMIT): the parallelism is per document
# or page. OpenCV's own threads cost ~10% more CPU on a page's cleaning here, and they
# would fight the other workers for the cores.
cv2.setNumThreads(1)

POINTS_PER_INCH = 72.0


def to_gray(image: np.ndarray) -> np.ndarray:
    if image.ndim == 2:
        return image
    if image.shape[2] == 4:
        return cv2.cvtColor(image, cv2.COLOR_BGRA2GRAY)
    return cv2.cvtColor(image, cv2.COLOR_BGR2GRAY)


def estimate_skew(binary_inv: np.ndarray, max_degrees: float) -> float:
    """Angle (degrees) that makes text rows and rules horizontal: the rotation
    whose row-sum profile is sharpest, searched coarse then fine on a small copy."""
    h, w = binary_inv.shape
    scale = min(1.0, 800.0 / max(h, w))
    small = cv2.resize(binary_inv, (int(w * scale), int(h * scale)), interpolation=cv2.INTER_AREA)
    center = (small.shape[1] / 2, small.shape[0] / 2)

    def sharpness(angle: float) -> float:
        m = cv2.getRotationMatrix2D(center, angle, 1.0)
        rotated = cv2.warpAffine(small, m, (small.shape[1], small.shape[0]), flags=cv2.INTER_NEAREST)
        profile = rotated.sum(axis=1, dtype=np.float64)
        return float(np.var(np.diff(profile)))

    coarse = np.arange(-max_degrees, max_degrees + 1e-9, 0.5)
    best = max(coarse, key=sharpness)
    fine = np.arange(best - 0.5, best + 0.5 + 1e-9, 0.1)
    return float(max(fine, key=sharpness))


def rotate(gray: np.ndarray, angle: float) -> np.ndarray:
    if abs(angle) < 0.05:
        return gray
    h, w = gray.shape
    m = cv2.getRotationMatrix2D((w / 2, h / 2), angle, 1.0)
    return cv2.warpAffine(gray, m, (w, h), flags=cv2.INTER_LINEAR, borderValue=255)


def straighten(image: np.ndarray, geometry: ScanGeometry) -> np.ndarray:
    """A page image turned and deskewed as it was for OCR (the frame its words' boxes refer to)."""
    return rotate(rotate_quarter(to_gray(image), geometry.quarter_turn), geometry.skew_degrees)


def binarize_inv(gray: np.ndarray) -> np.ndarray:
    """Ink white on black (Otsu), the form morphology wants."""
    _, binv = cv2.threshold(gray, 0, 255, cv2.THRESH_BINARY_INV | cv2.THRESH_OTSU)
    return binv


def line_masks(binv: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Horizontal and vertical ruling lines: ink runs far longer than any glyph."""
    h, w = binv.shape
    horizontal = cv2.morphologyEx(binv, cv2.MORPH_OPEN, cv2.getStructuringElement(cv2.MORPH_RECT, (max(20, w // 40), 1)))
    vertical = cv2.morphologyEx(binv, cv2.MORPH_OPEN, cv2.getStructuringElement(cv2.MORPH_RECT, (1, max(20, h // 50))))
    _drop_runs_through_text(horizontal, binv)
    return horizontal, vertical


# Bold type blurred by a scan (Courier Bold at 150-200 dpi) merges a word's letters into
# horizontal runs as long as a short rule: erased as rules, the words go from the page's
# reading (a POA's header labels and title, and its section with them). Such a run lies
# in ink: rows a few pixels off it are mostly ink, and ink fills its surroundings; a
# rule has paper beside it but where a cell's text comes close. Measured on the 12 dev
# PDFs rendered, blurred, noised and JPEG-compressed at 150 / 200 / 300 dpi, each run
# labelled by the PDF's own vector edges: these bounds drop 1103 of 1157 and 244 of 245
# short runs through text, and none of the 365 / 385 / 386 rules.
TEXT_RUN_MAX_WIDTH = 0.1   # of the page: longer runs are rules whatever lies beside them
TEXT_RUN_REACH = 10        # pixels above and below the run looked at (300 dpi)
TEXT_RUN_ROW_INK = 0.5     # a row off the run at least this inked ...
TEXT_RUN_DENSITY = (0.45, 0.8)  # ... and this share of the run's surroundings inked (more: a shaded
                                # band Otsu took for ink, whose runs stay erased with it)


def _drop_runs_through_text(horizontal: np.ndarray, binv: np.ndarray) -> None:
    """Clears, in place, the runs of `horizontal` that lie through text (boxes from the
    contours: a page's labels would take 4 bytes a pixel)."""
    contours, _ = cv2.findContours(horizontal, cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_SIMPLE)
    page_w = horizontal.shape[1]
    r = TEXT_RUN_REACH
    low, high = TEXT_RUN_DENSITY
    text_runs = []
    for x, y, w, h in (cv2.boundingRect(c) for c in contours):
        if w > TEXT_RUN_MAX_WIDTH * page_w:
            continue
        band = horizontal[max(0, y - 3):y + h + 3]
        if band[:, max(0, x - 6):x].any() or band[:, x + w:x + w + 6].any():
            continue  # a piece of a longer rule (a signature line a stroke crosses), not a word
        top = max(0, y - r)
        around = binv[top:y + h + r, x:x + w] > 0
        rows = around.mean(axis=1)
        run_top = y - top
        off = np.r_[rows[:max(0, run_top - 3)], rows[run_top + h + 3:]]  # rows clear of the run's blur
        if off.size and off.max() >= TEXT_RUN_ROW_INK and low <= around.mean() < high:
            text_runs.append((x, y, w, h))
    for x, y, w, h in text_runs:  # after all are judged: each against the mask as found
        horizontal[y:y + h, x:x + w] = 0


def mask_rules(mask: np.ndarray, to_points: float) -> list[Rule]:
    contours, _ = cv2.findContours(mask, cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_SIMPLE)
    rules = []
    for c in contours:
        x, y, w, h = cv2.boundingRect(c)
        rules.append(Rule(x0=x * to_points, top=y * to_points, x1=(x + w) * to_points, bottom=(y + h) * to_points))
    return rules


def clean_for_ocr(binv: np.ndarray, lines: np.ndarray, min_speck_area: int) -> np.ndarray:
    """Black text on white with rules and specks erased."""
    text = cv2.bitwise_and(binv, cv2.bitwise_not(cv2.dilate(lines, np.ones((3, 3), np.uint8))))
    drop_small_components(text, 8, min_speck_area)
    return 255 - text


def clean_page(gray: np.ndarray, settings: OcrSettings, binv: Optional[np.ndarray] = None,
               lines: Optional[tuple[np.ndarray, np.ndarray]] = None) -> np.ndarray:
    """The straightened page as Tesseract reads it: black text on white, rules and specks erased."""
    binv = binarize_inv(gray) if binv is None else binv
    horizontal, vertical = line_masks(binv) if lines is None else lines
    # shaded cells print as dot fields: cleaned only in what Tesseract reads, rules come from the page as is
    return clean_for_ocr(suppress_halftone(binv, gray), cv2.bitwise_or(horizontal, vertical), settings.min_speck_area)


def paragraphs(words: Sequence[OcrWord]) -> list[list[int]]:
    """Indices of words that read as one paragraph: same line and close, or on
    consecutive lines and overlapping (a table cell, a header value)."""
    if not words:
        return []
    heights = sorted(w.bottom - w.top for w in words)
    line_h = max(4.0, heights[len(heights) // 2])
    order = sorted(range(len(words)), key=lambda i: (words[i].top + words[i].bottom) / 2)
    rows: list[list[int]] = []
    for i in order:
        mid = (words[i].top + words[i].bottom) / 2
        if rows and abs(mid - sum((words[k].top + words[k].bottom) / 2 for k in rows[-1]) / len(rows[-1])) < 0.5 * line_h:
            rows[-1].append(i)
        else:
            rows.append([i])
    chunks: list[list[int]] = []  # runs of words on one line with small gaps
    for row in rows:
        row.sort(key=lambda k: words[k].left)
        start = len(chunks)
        for k in row:
            if len(chunks) > start and words[k].left - words[chunks[-1][-1]].right <= 1.2 * line_h:
                chunks[-1].append(k)
            else:
                chunks.append([k])
    boxes = [[min(words[k].left for k in c), min(words[k].top for k in c),
              max(words[k].right for k in c), max(words[k].bottom for k in c)] for c in chunks]
    parent = list(range(len(chunks)))

    def find(a: int) -> int:
        while parent[a] != a:
            parent[a] = parent[parent[a]]
            a = parent[a]
        return a

    by_top = sorted(range(len(chunks)), key=lambda c: boxes[c][1])
    for n, a in enumerate(by_top):
        for b in by_top[n + 1 :]:
            gap = boxes[b][1] - boxes[a][3]
            if gap > 0.8 * line_h:
                break
            if gap >= -0.3 * line_h and min(boxes[a][2], boxes[b][2]) - max(boxes[a][0], boxes[b][0]) > 0:
                parent[find(b)] = find(a)
    groups: dict[int, list[int]] = {}
    for c in range(len(chunks)):
        groups.setdefault(find(c), []).extend(chunks[c])
    return list(groups.values())


def refine_low_confidence(clean: np.ndarray, words: list[OcrWord], settings: OcrSettings) -> list[OcrWord]:
    """Read again, on their own and enlarged, the paragraphs Tesseract was unsure of.

    Page-level segmentation of a dense table misreads small text that it reads
    well alone (measured on the dev scans: an observations cell garbled on the
    page comes out word-perfect by itself); only doubtful paragraphs are read
    again, and a new reading replaces the old only when Tesseract is surer of it."""
    tess = engine(settings.lang)
    groups = [g for g in paragraphs(words) if _doubtful([words[i] for i in g], settings)]
    groups.sort(key=lambda g: sum(words[i].conf for i in g) / len(g))
    replaced: dict[int, list[OcrWord]] = {}
    h, w = clean.shape
    for group in groups[: settings.max_rereads]:
        ws = [words[i] for i in group]
        line_h = max(x.bottom - x.top for x in ws)
        margin = int(0.35 * line_h) + 2
        x0, y0 = max(0, min(x.left for x in ws) - margin), max(0, min(x.top for x in ws) - margin)
        x1, y1 = min(w, max(x.right for x in ws) + margin), min(h, max(x.bottom for x in ws) + margin)
        crop = clean[y0:y1, x0:x1]
        scale = settings.reread_scale
        if scale != 1.0:
            crop = cv2.resize(crop, None, fx=scale, fy=scale, interpolation=cv2.INTER_CUBIC)
        new = [OcrWord(n.text, x0 + int(n.left / scale), y0 + int(n.top / scale), x0 + int(n.right / scale),
                       y0 + int(n.bottom / scale), n.conf) for n in tess.words(crop, 6)]
        # the margin lets strokes in, not neighbours: keep words centred in the paragraph's own box
        bx0, by0 = min(x.left for x in ws), min(x.top for x in ws)
        bx1, by1 = max(x.right for x in ws), max(x.bottom for x in ws)
        new = [n for n in new if bx0 <= (n.left + n.right) / 2 <= bx1 and by0 <= (n.top + n.bottom) / 2 <= by1]
        if new and _mean_conf(new) >= _mean_conf(ws) + settings.reread_gain:
            replaced[group[0]] = new
            for i in group[1:]:
                replaced[i] = []
    return _merge_readings(words, replaced, {i: g[0] for g in groups for i in g})


def _merge_readings(words: list[OcrWord], replaced: dict[int, list[OcrWord]], paragraph_of: dict[int, int]) -> list[OcrWord]:
    """The page's words with the re-read paragraphs' words in their place.

    A paragraph's box may reach over a neighbour's words (a long cell line), so its
    reading can hold those words again, or a piece of one clipped by the crop. A new
    word landing on words the page pass gave to another paragraph is left to that
    paragraph: its own reading, or its page words when it was not read again. Two
    words still on one spot (paragraphs whose words overlap) keep the page's word,
    else the surer new one."""
    # the page's words as arrays: each new word is looked up among them at once (a page
    # holds hundreds of words and its re-read paragraphs hundreds more)
    box = np.array([(k.left, k.top, k.right, k.bottom) for k in words], dtype=np.int64).reshape(-1, 4)
    para = np.array([paragraph_of.get(i, i) for i in range(len(words))], dtype=np.int64)

    def owners(n: OcrWord) -> set[int]:
        cx, cy = (n.left + n.right) / 2, (n.top + n.bottom) / 2
        on = (box[:, 0] <= cx) & (cx <= box[:, 2]) & (box[:, 1] <= cy) & (cy <= box[:, 3])
        return set(para[on].tolist())

    placed: list[tuple[int, OcrWord]] = []
    for first, new in replaced.items():
        for n in new:
            landed = owners(n)
            if not landed or first in landed:
                placed.append((first, n))
    taken = [k for i, k in enumerate(words) if i not in replaced]
    # the page's words kept: only those whose box meets the new word's can be the same word
    kept_box = box[[i for i in range(len(words)) if i not in replaced]].reshape(-1, 4)
    added: list[OcrWord] = []
    for _, n in sorted(placed, key=lambda p: -p[1].conf):
        near = np.flatnonzero((np.minimum(kept_box[:, 2], n.right) > np.maximum(kept_box[:, 0], n.left))
                              & (np.minimum(kept_box[:, 3], n.bottom) > np.maximum(kept_box[:, 1], n.top)))
        if not any(_same_word(n, taken[j]) for j in near) and not any(_same_word(n, k) for k in added):
            added.append(n)
    taken += added
    kept = {id(n) for n in taken}
    out: list[OcrWord] = []
    for i, word in enumerate(words):
        out.extend([n for n in replaced[i] if id(n) in kept] if i in replaced else [word])
    return out


def _same_word(a: OcrWord, b: OcrWord) -> bool:
    """Two readings of one word: most of the smaller box lies in the larger, and the
    smaller is not a mere speck or mark inside a word."""
    dx = min(a.right, b.right) - max(a.left, b.left)
    dy = min(a.bottom, b.bottom) - max(a.top, b.top)
    if dx <= 0 or dy <= 0:
        return False
    areas = sorted(max(1, (x.right - x.left) * (x.bottom - x.top)) for x in (a, b))
    return dx * dy > 0.5 * areas[0] and areas[0] >= 0.3 * areas[1]


def read_unread_bands(clean: np.ndarray, horizontal: np.ndarray, words: list[OcrWord],
                      settings: OcrSettings) -> list[OcrWord]:
    """Table rows whose ink was left (partly) unread, read again on their own.

    Page-level segmentation sometimes merges a row with what is left of a dark
    header above it and returns nothing for part of it (the figures of the
    first row under the header). A band between two long rules where much ink
    lies outside every word read is read again by itself; its new words are
    added where no word was read."""
    h, w = clean.shape
    contours, _ = cv2.findContours(horizontal, cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_SIMPLE)
    ys = sorted(y + hh / 2 for x, y, ww, hh in (cv2.boundingRect(c) for c in contours) if ww >= 0.4 * w)
    if len(ys) < 2 or not words:
        return words
    heights = sorted(x.bottom - x.top for x in words)
    line_h = heights[len(heights) // 2]
    ink = clean < 128
    read = np.zeros_like(ink)
    for x in words:
        read[max(0, x.top - 2):x.bottom + 2, max(0, x.left - 2):x.right + 2] = True
    out = list(words)
    tess = engine(settings.lang)
    for a, b in zip(ys, ys[1:]):
        top, bottom = int(a) + 3, int(b) - 3
        # a MIR row's wrapped cells run to 20-30 lines; a band taller than that is no row
        if bottom - top < 0.8 * line_h or bottom - top > 40 * line_h:
            continue
        band_ink = ink[top:bottom]
        unread = np.count_nonzero(band_ink & ~read[top:bottom])
        if unread < max(4 * line_h * line_h, 0.25 * np.count_nonzero(band_ink)):
            continue
        for n in tess.words(clean[top:bottom], 6):
            cx, cy = (n.left + n.right) // 2, top + (n.top + n.bottom) // 2
            if 0 <= cy < h and 0 <= cx < w and not read[cy, cx]:
                out.append(OcrWord(n.text, n.left, top + n.top, n.right, top + n.bottom, n.conf))
    return out


def _mean_conf(words: Sequence[OcrWord]) -> float:
    return sum(w.conf for w in words) / len(words)


def _doubtful(words: Sequence[OcrWord], settings: OcrSettings) -> bool:
    return min(w.conf for w in words) < settings.doubtful_word_conf or _mean_conf(words) < settings.doubtful_mean_conf


def to_words(ocr_words: Sequence[OcrWord], to_points: float) -> list[Word]:
    return [Word(x0=o.left * to_points, top=o.top * to_points, x1=o.right * to_points,
                 bottom=o.bottom * to_points, text=o.text, conf=o.conf) for o in ocr_words]


class PageImages:
    """A scanned page as the page pass saw it (its page context): the grey page turned and
    deskewed, and the cleaned image Tesseract read (rules, specks and halftone dots erased).
    Kept for the document's life, so that second readings of its areas neither render nor
    clean the page again. The cleaned image is kept packed (one bit a pixel); the grey page
    (8 MB at 300 dpi) waits in an unnamed temporary file, out of the worker's memory, and
    only the rows of an area are read back."""

    __slots__ = ("shape", "_clean_bits", "_grey_file")

    def __init__(self, grey: np.ndarray, clean: np.ndarray):
        self.shape: tuple[int, int] = grey.shape
        self._clean_bits = np.packbits(clean < 128, axis=1)  # clean is black (0) on white (255)
        self._grey_file = tempfile.TemporaryFile(prefix="avance-page-")  # gone when closed or the process ends
        self._grey_file.write(np.ascontiguousarray(grey, dtype=np.uint8).tobytes())

    def area(self, name: str, x0: int, y0: int, x1: int, y1: int) -> np.ndarray:
        """Pixels [y0:y1, x0:x1] of the `grey` or `clean` image (a new array)."""
        width = self.shape[1]
        if name == "grey":
            self._grey_file.seek(y0 * width)
            rows = np.frombuffer(self._grey_file.read((y1 - y0) * width), dtype=np.uint8)
            return rows.reshape(y1 - y0, width)[:, x0:x1].copy()
        ink = np.unpackbits(self._clean_bits[y0:y1], axis=1, count=width)[:, x0:x1]
        return (255 - 255 * ink).astype(np.uint8)

    def __getstate__(self):  # crosses from a page worker to its document's process
        self._grey_file.seek(0)
        return self.shape, self._clean_bits, self._grey_file.read()

    def __setstate__(self, state) -> None:
        self.shape, self._clean_bits, grey = state
        self._grey_file = tempfile.TemporaryFile(prefix="avance-page-")
        self._grey_file.write(grey)


@dataclass
class _PagePass:
    words: list[OcrWord]
    images: PageImages
    clean: np.ndarray
    horizontal_bits: np.ndarray  # the horizontal rules' mask, one bit a pixel
    rules: list[Rule]
    skew_degrees: float

    @property
    def horizontal(self) -> np.ndarray:
        width = self.images.shape[1]
        return np.unpackbits(self.horizontal_bits, axis=1, count=width) * np.uint8(255)


def _page_pass(gray: np.ndarray, turn: int, settings: OcrSettings, to_points: float) -> _PagePass:
    """The page turned by `turn`, deskewed, cleaned and read once by Tesseract. What the
    rest needs of the page's images is set aside before Tesseract reads (its page context
    out of memory, the rules as boxes, the horizontal mask packed): a scan's peak memory
    is Tesseract reading the page."""
    gray = rotate_quarter(gray, turn)
    angle = estimate_skew(binarize_inv(gray), settings.max_skew_degrees)
    gray = rotate(gray, angle)
    gray, _fills = lighten_dark_fills(gray)  # headers printed light on a dark band
    binv = binarize_inv(gray)
    horizontal, vertical = line_masks(binv)
    clean = clean_page(gray, settings, binv, (horizontal, vertical))
    del binv
    images = PageImages(gray, clean)
    del gray
    rules = mask_rules(horizontal, to_points) + mask_rules(vertical, to_points)
    del vertical
    horizontal_bits = np.packbits(horizontal > 0, axis=1)
    del horizontal
    words = engine(settings.lang).words(clean, settings.psm)
    return _PagePass(words, images, clean, horizontal_bits, rules, angle)


def read_scan(image: np.ndarray, number: int, pixels_per_inch: float,
              settings: OcrSettings = OcrSettings()) -> tuple[Page, PageImages]:
    """One page image (any resolution) to a Page in points, and its page context."""
    gray = to_gray(image)
    turn = detect_rotation(gray, settings.lang)  # sideways / upside-down scans
    to_points = POINTS_PER_INCH / pixels_per_inch
    read = _page_pass(gray, turn, settings, to_points)
    words = read.words
    if settings.max_rereads:
        words = refine_low_confidence(read.clean, words, settings)
    words = read_unread_bands(read.clean, read.horizontal, words, settings)
    geometry = ScanGeometry(pixels_per_inch=pixels_per_inch, quarter_turn=turn, skew_degrees=read.skew_degrees)
    h, w = read.images.shape
    page = Page(number=number, width=w * to_points, height=h * to_points, words=tuple(to_words(words, to_points)),
                rules=tuple(read.rules), source="ocr", scan=geometry)
    return page, read.images


def ocr_image(image: np.ndarray, number: int, pixels_per_inch: float, settings: OcrSettings = OcrSettings()) -> Page:
    """One page image (any resolution) to a Page in points."""
    return read_scan(image, number, pixels_per_inch, settings)[0]


def render_pdf_page(pdf_page, dpi: int) -> np.ndarray:
    """A PDF page (pypdfium2) rendered in grayscale at `dpi`."""
    bitmap = pdf_page.render(scale=dpi / POINTS_PER_INCH, grayscale=True)
    array = bitmap.to_numpy()
    return array[..., 0] if array.ndim == 3 else array


def ocr_pdf_page(pdf_page, number: int, settings: OcrSettings = OcrSettings()) -> Page:
    return read_pdf_scan(pdf_page, number, settings)[0]


def read_pdf_scan(pdf_page, number: int, settings: OcrSettings = OcrSettings()) -> tuple[Page, PageImages]:
    """A PDF page rendered once and read by OCR; with its page context. The page is closed
    once rendered: pdfium keeps a scan's decoded image with it (~25 MB) otherwise."""
    width, height = pdf_page.get_size()
    image = render_pdf_page(pdf_page, settings.dpi)
    pdf_page.close()
    page, images = read_scan(image, number, settings.dpi, settings)
    # keep the PDF's own page size so coordinates match a text layer's
    if (page.width > page.height) != (width > height):  # the page was turned a quarter
        width, height = height, width
    return Page(number=number, width=width, height=height, words=page.words, rules=page.rules, source="ocr",
                scan=page.scan), images


def tesseract_available(lang: str = "spa") -> Optional[str]:
    """None when Tesseract with `lang` can run, else the reason it cannot."""
    try:
        engine(lang)
    except Exception as exc:
        return f"Tesseract is not usable: {exc}"
    return None
