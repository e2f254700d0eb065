"""Whether OCR'd words in a free-text cell are text at all.

An empty cell printed with a halftone fill (the evaluation's shaded JUSTIFICACIÓN
column) or crossed by a drawn signature reads as a scatter of short, unsure
marks: `E A A Ps 3 lO bles a pop H sea`. Real text, even badly read, has at least
one word the engine is sure of. Measured on the real evaluation scan's 25
non-empty justification readings: every stretch of shading or strokes had no
word of 3+ letters or digits read at 60 or more (the surest such marks: `ACEITE`
at 15, `Espiel` at 41, `SS` at 57 has too few characters), and every printed
justification had several (`PRODEP` at 83, `APERTURO` at 92).
"""
from __future__ import annotations

from typing import Sequence

from ..records import Word

MIN_CHARACTERS = 3
MIN_CONFIDENCE = 60.0


def reads_as_text(words: Sequence[Word]) -> bool:
    """True when the words hold text: a text layer's words, or at least one OCR'd word
    of MIN_CHARACTERS letters or digits read with MIN_CONFIDENCE or more."""
    return any(w.conf is None or (w.conf >= MIN_CONFIDENCE and has_word(w.text)) for w in words)


def has_word(text: str) -> bool:
    """Some token of `text` has MIN_CHARACTERS letters or digits (not a lone mark or letter)."""
    return any(sum(ch.isalnum() for ch in token) >= MIN_CHARACTERS for token in text.split())
