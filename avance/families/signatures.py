"""Signature blocks: ELABORÓ / REVISÓ / SUPERVISÓ / AUTORIZÓ with name and title."""
from __future__ import annotations

from typing import Sequence

from ..records import Page, Signatory


def read_signatories(pages: Sequence[Page]) -> list[Signatory]:
    return []
