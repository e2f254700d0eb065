"""POA avance programático: header block and goal table."""
from __future__ import annotations

from typing import Optional, Sequence

from ..records import Family, Page, SectionInfo, SectionResult
from .base import FamilySpec, PageMark


def detect(page: Page) -> Optional[PageMark]:
    return None


def parse(pages: Sequence[Page]) -> SectionResult:
    return SectionResult(info=SectionInfo(family=Family.POA_AVANCE.value, page_start=pages[0].number, page_end=pages[-1].number))


SPEC = FamilySpec(Family.POA_AVANCE, detect, parse)
