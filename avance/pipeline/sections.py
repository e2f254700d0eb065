"""Pages to sections: a new header block starts a section; pages that repeat
the running section's header (or carry none, like a signature page) continue it."""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Optional, Sequence

from rapidfuzz import fuzz
from rapidfuzz.distance import Levenshtein

from ..families import FAMILY_SPECS, FamilySpec, PageMark
from ..extractors.layout import fold
from ..records import Page

# Two header keys read from repeated headers name the same block when they share
# their leading code (`52201 JEFAATURA...` vs `52201 JEFATURA...`) or differ by a
# few OCR slips.
KEY_SIMILARITY = 90


def same_key(a: Optional[str], b: Optional[str]) -> bool:
    if a is None or b is None:
        return True
    fa, fb = fold(a), fold(b)
    if fa == fb:
        return True
    code_a, code_b = re.match(r"[\dA-Z.-]*\d", fa), re.match(r"[\dA-Z.-]*\d", fb)
    if code_a and code_b:
        return code_a.group(0) == code_b.group(0)
    if min(len(fa), len(fb)) >= 4 and max(len(fa), len(fb)) <= 8:
        # short keys (an agency's initials on OCR'd pages): one slip is the same block
        return Levenshtein.distance(fa, fb) <= 1
    return fuzz.ratio(fa, fb) >= KEY_SIMILARITY


@dataclass(frozen=True)
class PageGroup:
    spec: FamilySpec
    key: Optional[str]
    pages: tuple[Page, ...]


def mark_page(page: Page) -> tuple[Optional[FamilySpec], Optional[PageMark]]:
    """The first family that knows the page by its title; else the first that
    knows it by its table alone (a garbled scan's goal table can pass for a MIR's).
    A family's costlier look at the table alone (`detect_by_table`) is taken only
    when no family knows the page by its title (the answer is the same)."""
    untitled: list[tuple[FamilySpec, Optional[PageMark]]] = []
    for spec in FAMILY_SPECS:
        mark = spec.detect(page)
        if mark is not None and mark.by_title:
            return spec, mark
        if mark is not None or spec.detect_by_table is not None:
            untitled.append((spec, mark))
    for spec, mark in untitled:
        if mark is None and spec.detect_by_table is not None:
            mark = spec.detect_by_table(page)
        if mark is not None:
            return spec, mark
    return None, None


def group_sections(pages: Sequence[Page]) -> tuple[list[PageGroup], list[Page]]:
    """Sections in reading order, and the pages that belong to none (before any
    header: a cover, a blank page)."""
    groups: list[PageGroup] = []
    orphans: list[Page] = []
    waiting: list[Page] = []  # an export's header-only page, cut from its table by blank lines
    for page in pages:
        current = groups[-1] if groups else None
        if current is not None and current.spec.continues is not None and current.spec.continues(current.pages, page):
            groups[-1] = PageGroup(current.spec, current.key, current.pages + (page,))
            continue
        spec, mark = mark_page(page)
        if mark is not None and not mark.by_title and current is not None and current.spec.family != spec.family:
            spec, mark = None, None  # an untitled page read as another family's table: the section goes on
        if spec is None or mark is None:
            if current is None:
                (waiting if page.source == "ocr_text" else orphans).append(page)
            else:
                groups[-1] = PageGroup(current.spec, current.key, current.pages + (page,))
            continue
        same_family = current is not None and current.spec.family == spec.family
        if same_family and same_key(mark.key, current.key):
            key = current.key if current.key is not None else mark.key
            groups[-1] = PageGroup(current.spec, key, current.pages + (page,))
        elif mark.key is None and current is None:
            groups.append(PageGroup(spec, None, tuple(waiting) + (page,)))
            waiting = []
        else:
            groups.append(PageGroup(spec, mark.key, tuple(waiting) + (page,)))
            waiting = []
    return groups, orphans + waiting
