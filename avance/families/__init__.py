"""The report families the pipeline knows, in detection order.

A new family: one module with a `SPEC` (see `base.FamilySpec`), listed here.
"""
from __future__ import annotations

from .base import FamilySpec, PageMark
from . import indicator, indicator_results, mir, poa, poa_evaluation

FAMILY_SPECS: tuple[FamilySpec, ...] = (
    indicator.SHEET_SPEC,
    indicator.REPORT_SPEC,
    mir.SPEC,
    poa.SPEC,
    poa_evaluation.SPEC,
    indicator_results.SPEC,
)

__all__ = ["FAMILY_SPECS", "FamilySpec", "PageMark"]
