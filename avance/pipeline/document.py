"""One input file to one `DocumentResult`. Every failure stays inside its document."""
from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Callable, Optional, Sequence

from .. import __version__
from ..errors import AvanceError, NotAReport, describe_exception
from ..extractors.layout import collapse, group_lines
from ..families import FAMILY_SPECS
from ..families.signatures import (
    label_role, read_signatories_with_provenance, signature_block_areas, unlabelled_name_rooms,
    unread_signature_columns,
)
from ..families.signatures_export import read_export_signatories
from ..normalizers.checks import check_section
from ..normalizers.normalize import normalize_document
from ..normalizers.numbers import parse_number
from ..normalizers.catalogs import load_user_catalogs
from ..normalizers.places import place_document
from ..normalizers.user_catalogs import match_user_catalogs
from ..normalizers.rereads import (
    SURE_TEXT, ShapedCode, code_stands, code_targets, column_shapes, figure_stands, figure_targets, fit_code_shapes,
    missing_targets, rechecked, settle_codes, settle_figures, settle_texts, settle_warnings, targets_of, text_stands,
    text_targets, warned_figure_stands,
)
from ..records import (
    DocumentInfo, DocumentResult, Flag, Page, SectionInfo, SectionResult, Severity,
    Status, Word,
)
from .options import ExtractOptions
from .reading import SUPPORTED_SUFFIXES, PagePool, ReadResult, page_pool, read_document
from ..tables.cells import unmapped_cells
from .sections import group_sections

__all__ = ["SUPPORTED_SUFFIXES", "process_document"]
log = logging.getLogger(__name__)


def sha256_of(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def text_source_of(pages: Sequence[Page]) -> str | None:
    sources = {p.source for p in pages if p.words}
    if not sources:
        return None
    return sources.pop() if len(sources) == 1 else "mixed"


def parse_section(spec, pages: Sequence[Page], rereader=None) -> SectionResult:
    section = spec.parse(pages)
    if rereader is not None and spec.reread_text:
        section = with_text_read_again(section, pages, rereader, spec.reread_text, spec.text_of_cell)
    if not section.signatories:
        if all(p.source == "ocr_text" for p in pages):
            section.signatories.extend(read_export_signatories(pages))
        else:
            if rereader is not None:
                # labels and names lost under a signature first, then the names a pen crosses
                pages, reread = with_signature_columns_read_again(pages, rereader)
                section.flags.extend(reread)
                pages, reread = with_signature_blocks_read_again(pages, rereader)
                section.flags.extend(reread)
                pages, reread = with_signature_labels_read_again(pages, rereader)
                section.flags.extend(reread)
            people, flags, where = read_signatories_with_provenance(pages)
            section.signatories.extend(people)
            section.flags.extend(flags)
            section.provenance.extend(where)
    return section


# A block read again replaces the page's reading when it reads this share more characters
# in sure words (the names a pen crosses read at 0-50 on the page, 80-97 alone).
BETTER_BLOCK = 1.05


def with_signature_blocks_read_again(pages: Sequence[Page], rereader) -> tuple[list[Page], list[Flag]]:
    """Scanned pages whose signature blocks (names and titles under the labels) read
    surer from their darkest ink: a pen drawn across a name garbles the page's reading
    (`IS EMMANUEL`, `ALEANORA Giménez`) and is lighter than the print."""
    out: list[Page] = []
    flags: list[Flag] = []
    for page in pages:
        for area in signature_block_areas(page) if page.scan is not None else []:
            inside = [w for w in page.words if _within(w, area)]
            try:
                again = rereader.read_words(page, area)
            except Exception as exc:  # the page's reading stands
                flags.append(Flag(table="signatories", row_key="", field="name", rule="unreadable",
                                  severity=Severity.INFO, raw_value=None, value=None,
                                  message=f"Page {page.number}: the signature block could not be read again: {exc}"))
                continue
            if not again or _sure_chars(again) <= BETTER_BLOCK * _sure_chars(inside):
                continue
            page = replace(page, words=tuple(w for w in page.words if not _within(w, area)) + tuple(again))
            flags.append(Flag(
                table="signatories", row_key="", field="name", rule="ocr_reread", severity=Severity.INFO,
                raw_value=collapse(" ".join(w.text for w in inside)), value=collapse(" ".join(w.text for w in again)),
                message=f"Page {page.number}: the names and titles under the signature labels were read again from "
                        f"the print's darkest ink (pen strokes drawn across them are lighter): "
                        f"{_sure_chars(again)} characters read surely, against {_sure_chars(inside)} on the page."))
        out.append(page)
    return out, flags


def with_signature_labels_read_again(pages: Sequence[Page], rereader) -> tuple[list[Page], list[Flag]]:
    """Scanned pages with names and titles under signature lines but no label read: the
    room above the names read again alone, and the labels found there (`ELABORÓ`)
    added as words."""
    out: list[Page] = []
    flags: list[Flag] = []
    for page in pages:
        added: list[Word] = []
        for room in unlabelled_name_rooms(page) if page.scan is not None else []:
            try:
                again = rereader.read_words(page, room)
            except Exception:  # the page's reading stands
                continue
            added += [w for w in again if label_role(w.text) is not None]
        if added:
            page = replace(page, words=page.words + tuple(added))
            flags.append(Flag(
                table="signatories", row_key="", field="role", rule="ocr_reread", severity=Severity.INFO,
                raw_value=None, value=" ".join(w.text for w in added),
                message=f"Page {page.number}: names were printed under signature lines with no label read above "
                        f"them; the room above them read again alone gave the labels "
                        f"{', '.join(repr(w.text) for w in added)}."))
        out.append(page)
    return out, flags


def _within(w: Word, area: tuple[float, float, float, float]) -> bool:
    return area[0] <= w.xmid <= area[2] and area[1] <= w.ymid <= area[3]


def _sure_chars(words: Sequence[Word]) -> int:
    return sum(len(w.text) for w in words if (w.conf or 0.0) >= SURE_TEXT)


def with_signature_columns_read_again(pages: Sequence[Page], rereader) -> tuple[list[Page], list[Flag]]:
    """Scanned pages with the label and name of signature columns the page pass lost
    (a signature drawn over them) read again alone and added as words."""
    from ..extractors.reread import agreed_text, words_across

    out: list[Page] = []
    flags: list[Flag] = []
    for page in pages:
        columns = unread_signature_columns(page) if page.scan is not None else []
        added: list[Word] = []
        for column in columns:
            label = agreed_text(rereader.read(page, column.label_box))
            name = agreed_text(rereader.read(page, column.name_box))
            role = label_role(label.text.split()[0]) if label is not None else None
            if role is None or name is None:
                continue
            added += words_across(label, column.label_box) + words_across(name, column.name_box)
            flags.append(Flag(
                table="signatories", row_key=role, field="name",
                rule="ocr_reread", severity=Severity.INFO, raw_value=None, value=f"{label.text} {name.text}",
                message=f"Page {page.number}: the signature column titled '{column.title}' had no label or name "
                        f"in the page's reading (a signature is drawn over them); read again alone: "
                        f"'{label.text}', '{name.text}'."))
        out.append(replace(page, words=page.words + tuple(added)) if added else page)
    return out, flags


def with_text_read_again(section: SectionResult, pages: Sequence[Page], rereader, fields,
                         text_of_cell=None) -> SectionResult:
    """The family's doubtful text cells on scanned pages read again as blocks (before the
    word repairs of normalization, which then apply to the new text too)."""
    by_number = {p.number: p for p in pages if p.scan is not None}
    targets = [t for t in text_targets(section, fields) if t.page in by_number]
    if not targets:
        return section
    enough = {t.ref: text_stands for t in targets}
    return settle_texts(section, _read_all(rereader, targets, by_number, text=True, enough=enough), text_of_cell)


def failed_section(spec, pages: Sequence[Page], exc: BaseException) -> SectionResult:
    info = SectionInfo(family=spec.family.value, page_start=pages[0].number, page_end=pages[-1].number)
    flag = Flag(
        table="sections", row_key="", field="", rule="unreadable", severity=Severity.ERROR,
        raw_value=None, value=None,
        message=f"Pages {pages[0].number}-{pages[-1].number} could not be parsed as {spec.family.value}: "
                f"{type(exc).__name__}: {exc}",
    )
    return SectionResult(info=info, flags=[flag])


SPEC_OF = {spec.family.value: spec for spec in FAMILY_SPECS}


def read_again_on_scans(sections: list[SectionResult], pages: Sequence[Page], rereader) -> list[SectionResult]:
    """On scanned pages, the family's printed codes and the figures behind warnings
    read again alone (see normalizers/rereads.py)."""
    by_number = {p.number: p for p in pages if p.scan is not None}
    if not by_number or rereader is None:
        return sections
    out = []
    for section in sections:
        spec = SPEC_OF.get(section.info.family)
        try:
            readers = spec.value_readers if spec is not None else {}
            if spec is not None and (spec.reread_codes or readers):
                # codes read again as their column's shape has them (`ED17PB0714` with the `0`s of its column)
                shapes = column_shapes(section, spec.reread_codes)
                parsers = {k: ShapedCode(p, shapes[k]) if k in shapes else p for k, p in spec.reread_codes.items()}
                codes = [t for t in code_targets(section, spec.reread_codes) if t.page in by_number]
                # a code read the same way by most of its first readings stands: the rest are not read
                enough = {t.ref: code_stands(section, t.ref, parsers[t.ref[0], t.ref[2]]) for t in codes}
                targets = codes + [t for t in missing_targets(section, readers) if t.page in by_number]
                settled = settle_codes(section, _read_all(rereader, targets, by_number, enough=enough),
                                       {**parsers, **readers})
                settled = fit_code_shapes(settled, shapes)
                # figures found in cells read empty on the page enter the checks
                section = rechecked(settled) if len(settled.flags) != len(section.flags) else settled
            if spec is not None and spec.reread_figures:
                figures = [t for t in figure_targets(section, spec.reread_figures) if t.page in by_number]
                enough = {t.ref: figure_stands(section, t.ref, readers.get(t.ref[0::2], parse_number))
                          for t in figures}
                settled = settle_figures(section, _read_all(rereader, figures, by_number, enough=enough, grey=True),
                                         readers)
                section = rechecked(settled) if len(settled.flags) != len(section.flags) else settled
            targets = [t for t in targets_of(section) if t.page in by_number]
            if targets:
                enough = {t.ref: warned_figure_stands(section, t.ref, readers.get(t.ref[0::2], parse_number))
                          for t in targets}
                section = settle_warnings(section, _read_all(rereader, targets, by_number, enough=enough), readers)
        except Exception as exc:  # the page pass stands; its warnings stay
            section.flags.append(Flag(
                table="sections", row_key="", field="", rule="unreadable", severity=Severity.INFO,
                raw_value=None, value=None,
                message=f"Figures and codes of this section could not be read again: {exc}"))
        out.append(section)
    return out


@dataclass(frozen=True)
class AllOf:
    """Stops a box's readings once every ref sharing it is settled."""
    stops: tuple

    def __call__(self, readings, remaining: int) -> bool:
        return all(stop(readings, remaining) for stop in self.stops)


def _read_all(rereader, targets, pages_by_number, text: bool = False, enough: Optional[dict] = None,
              grey: bool = False) -> dict:
    """One batch: one reading per distinct box (rows of a merged cell share theirs, read the
    way the first asks); `text`: as blocks; `enough`: ref -> when a box's readings so far
    settle it (a box shared by several refs stops when they all are); `grey`: from the grey
    page alone (figures checked, extractors/reread.GREY_READINGS)."""
    from ..extractors.reread import AreaRequest

    first: dict = {}
    for t in targets:
        first.setdefault((t.page, t.box), []).append(t)
    requests = []
    for (number, box), sharing in first.items():
        stops = [enough[t.ref] for t in sharing if enough and t.ref in enough]
        stop = None
        if len(stops) == len(sharing):
            stop = stops[0] if len(stops) == 1 else AllOf(tuple(stops))
        how = "text" if text else "grey" if grey else ("cell" if sharing[0].whole_cell else "line")
        requests.append(AreaRequest(pages_by_number[number], box, how, stop))
    readings = rereader.read_batch(requests)
    return {t.ref: reading for sharing, reading in zip(first.values(), readings) for t in sharing}


def process_document(path: Path, source_path: str | None = None,
                     options: ExtractOptions = ExtractOptions(),
                     reader: Callable[..., ReadResult] = read_document,
                     doc_id: str | None = None) -> DocumentResult:
    """Read, section, parse and check one file. Never raises for a bad document.

    `doc_id`: the sha256 of the bytes when the caller has it (a batch run hashed
    every input first), else computed here. With `options.page_workers` > 1, page
    processes live for the document: they read its scanned pages, then the areas of
    them read again (the same results, in order)."""
    pool = page_pool(options.page_workers)
    try:
        return _process_document(path, source_path, options, reader, pool, doc_id)
    finally:
        if pool is not None:
            pool.close()


def _process_document(path: Path, source_path: str | None, options: ExtractOptions,
                      reader: Callable[..., ReadResult], pool: Optional[PagePool],
                      doc_id: str | None = None) -> DocumentResult:
    source_path = source_path or str(path)
    base = DocumentInfo(
        doc_id="", source_path=source_path, file_name=path.name, n_pages=0, text_source=None,
        status=Status.FAILED, error=None, pipeline_version=__version__,
    )
    try:
        base = replace(base, doc_id=doc_id or sha256_of(path))
        read = reader(path, options, pool) if pool is not None else reader(path, options)
        pages = read.pages
    except AvanceError as exc:
        return DocumentResult(info=replace(base, error=str(exc)))
    except OSError as exc:
        return DocumentResult(info=replace(base, error=f"cannot read the file: {exc.strerror or exc}"))
    except Exception as exc:  # a reader bug must not stop the batch
        return DocumentResult(info=replace(
            base, error=f"unexpected error while reading: {describe_exception(exc, options.memory_cap_mb)}"))
    info = replace(base, n_pages=len(pages), text_source=text_source_of(pages))
    groups, orphans = group_sections(pages)
    # pages no family claims still give their tables, cell by cell
    cells = unmapped_cells([p for p in orphans if p.words])
    if not groups and cells:
        failures = read.error_summary()
        return DocumentResult(info=replace(info, status=Status.PARTIAL if failures else Status.OK,
                                           error="; ".join(failures) or None),
                              flags=read.flags, table_cells=cells)
    if not groups:
        if read.flags and not any(p.words for p in pages):
            return DocumentResult(info=replace(info, error="; ".join(read.error_summary())), flags=read.flags)
        reason = "no text could be read" if not any(p.words for p in pages) else \
            "no page looks like a known progress report (POA, indicator sheet/report, MIR)"
        return DocumentResult(info=replace(info, error=str(NotAReport(f"not a progress report: {reason}"))))
    # scanned pages can be read again in parts (signature columns, codes, figures behind warnings)
    rereader = None
    if any(p.scan is not None for p in pages):  # the OCR modules load only for scans
        from ..extractors.reread import ScanRereader

        rereader = ScanRereader(path, options.ocr_settings, getattr(read, "images", None), pool)
    sections: list[SectionResult] = []
    failures: list[str] = []
    for group in groups:
        try:
            sections.append(parse_section(group.spec, group.pages, rereader))
        except Exception as exc:
            failures.append(f"pages {group.pages[0].number}-{group.pages[-1].number}: "
                            f"{describe_exception(exc, options.memory_cap_mb)}")
            log.warning("%s, pages %d-%d: %s could not be parsed", path.name, group.pages[0].number,
                        group.pages[-1].number, group.spec.family.value, exc_info=True)
            sections.append(failed_section(group.spec, group.pages, exc))
    # repairs and catalog matches see the whole document (a name is settled across
    # sections); the arithmetic checks then judge the repaired figures
    sections = [check_section(s) for s in normalize_document(sections, text_source=info.text_source)]
    sections = read_again_on_scans(sections, pages, rereader)
    # state and INEGI codes, once per document from what each section's pages print
    sections = place_document(sections, [[l.text for p in g.pages for l in group_lines(p.words)] for g in groups])
    sections = match_user_catalogs(sections, load_user_catalogs(options.catalogs), info.text_source)
    failures += read.error_summary()
    status = Status.PARTIAL if failures else Status.OK
    error = "; ".join(failures) if failures else None
    return DocumentResult(info=replace(info, status=status, error=error), sections=sections, flags=read.flags,
                          table_cells=cells)
