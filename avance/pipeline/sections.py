"""Pages to sections: a new header block starts a section; pages that repeat
the running section's header (or carry none, like a signature page) continue it."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Optional, Sequence

from ..families import FAMILY_SPECS, FamilySpec, PageMark
from ..records import Page


@dataclass(frozen=True)
class PageGroup:
    spec: FamilySpec
    key: Optional[str]
    pages: tuple[Page, ...]


def mark_page(page: Page) -> tuple[Optional[FamilySpec], Optional[PageMark]]:
    for spec in FAMILY_SPECS:
        mark = spec.detect(page)
        if mark is not None:
            return spec, mark
    return None, None


def group_sections(pages: Sequence[Page]) -> tuple[list[PageGroup], list[Page]]:
    """Sections in reading order, and the pages that belong to none (before any
    header: a cover, a blank page)."""
    groups: list[PageGroup] = []
    orphans: list[Page] = []
    for page in pages:
        spec, mark = mark_page(page)
        current = groups[-1] if groups else None
        if spec is None or mark is None:
            if current is None:
                orphans.append(page)
            else:
                groups[-1] = PageGroup(current.spec, current.key, current.pages + (page,))
            continue
        same_family = current is not None and current.spec.family == spec.family
        if same_family and (mark.key is None or mark.key == current.key or current.key is None):
            key = current.key if current.key is not None else mark.key
            groups[-1] = PageGroup(current.spec, key, current.pages + (page,))
        elif mark.key is None and current is None:
            groups.append(PageGroup(spec, None, (page,)))
        else:
            groups.append(PageGroup(spec, mark.key, (page,)))
    return groups, orphans
