"""Arithmetic checks of SCHEMA.md: printed figures that disagree become warnings."""
from __future__ import annotations

from ..records import SectionResult


def check_section(section: SectionResult) -> SectionResult:
    return section
