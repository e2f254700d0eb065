"""MIR quarterly progress tables (AVANCE EN CUMPLIMIENTO DE METAS TRIMESTRAL)."""
from __future__ import annotations

from typing import Optional, Sequence

from ..records import Family, Page, SectionInfo, SectionResult
from .base import FamilySpec, PageMark


def detect(page: Page) -> Optional[PageMark]:
    return None


def parse(pages: Sequence[Page]) -> SectionResult:
    return SectionResult(info=SectionInfo(family=Family.MIR_AVANCE.value, page_start=pages[0].number, page_end=pages[-1].number))


SPEC = FamilySpec(Family.MIR_AVANCE, detect, parse)
