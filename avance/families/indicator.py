"""Indicator sheets (FICHA TÉCNICA DE INDICADOR) and reports (REPORTE DE INDICADOR)."""
from __future__ import annotations

from typing import Optional, Sequence

from ..records import Family, Page, SectionInfo, SectionResult
from .base import FamilySpec, PageMark


def detect_sheet(page: Page) -> Optional[PageMark]:
    return None


def detect_report(page: Page) -> Optional[PageMark]:
    return None


def parse_sheet(pages: Sequence[Page]) -> SectionResult:
    return SectionResult(info=SectionInfo(family=Family.INDICATOR_SHEET.value, page_start=pages[0].number, page_end=pages[-1].number))


def parse_report(pages: Sequence[Page]) -> SectionResult:
    return SectionResult(info=SectionInfo(family=Family.INDICATOR_REPORT.value, page_start=pages[0].number, page_end=pages[-1].number))


SHEET_SPEC = FamilySpec(Family.INDICATOR_SHEET, detect_sheet, parse_sheet)
REPORT_SPEC = FamilySpec(Family.INDICATOR_REPORT, detect_report, parse_report)
