"""Numbers read by OCR, repaired in numeric context.

Tesseract confuses O/0, l/I/1, S/5, B/8, reads a small `%` as `4` or `8`,
swaps comma and point, and loses decimal points. `number_candidates` lists the
values a printed token may mean, most likely first; a parser that knows the
row's arithmetic picks the candidate that agrees, otherwise the first. Every
candidate other than the plain reading carries a note for the `ocr_repair` flag.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Iterable, Optional, Sequence

from .numbers import parse_number

# what OCR reads for each digit (also fitting codes to their column's shape, rereads.fit_shape)
LETTER_TO_DIGIT = str.maketrans({
    "O": "0", "o": "0", "Q": "0", "D": "0", "U": "0",
    "l": "1", "I": "1", "|": "1", "i": "1", "!": "1", "]": "1", "[": "1", "J": "1",
    "S": "5", "s": "5", "B": "8", "Z": "2", "z": "2", "G": "6", "g": "9", "q": "9", "A": "4",
})
_NUMERIC_CHARS = set("0123456789.,%$-")


@dataclass(frozen=True)
class Candidate:
    value: float
    note: Optional[str]  # None for the plain reading


def looks_numeric(text: str) -> bool:
    """Mostly digits: worth repairing as a number rather than leaving as text."""
    t = text.strip()
    if not t:
        return False
    digits = sum(c.isdigit() for c in t)
    return digits >= 1 and digits / len(t) >= 0.5


def number_candidates(text: Optional[str], percent: bool = False, count: bool = False) -> list[Candidate]:
    """Readings of an OCR'd figure, most likely first (empty when it is no number).

    `count`: the figure counts things (a target, a quarter's goal), which no report
    prints with three decimals, so `1.325` is first the comma a scan thinned to a
    point (1,325); the plain reading stays a candidate for the row's arithmetic."""
    if text is None:
        return []
    t = "".join(text.split())
    out: list[Candidate] = []

    def add(value: Optional[float], note: Optional[str]) -> None:
        if value is not None and all(abs(c.value - value) > 1e-9 for c in out):
            out.append(Candidate(value, note))

    plain = parse_number(t)
    if plain is not None and not (percent and not t.endswith("%") and _percent_sign_misread(t)):
        add(plain, None)
    m = re.fullmatch(r"([\dOo.,]*[\dOo])([rtxXsS$&*])", t) if percent else None
    if m:  # `25.52t`, `or`: the % sign read as a letter or a mark
        figure = m.group(1).translate(LETTER_TO_DIGIT)
        add(parse_number(figure), f"read '{text}' as '{figure}%' (the % sign was read as '{m.group(2)}')")
    if not looks_numeric(t.translate(LETTER_TO_DIGIT)):
        return out
    fixed = t.translate(LETTER_TO_DIGIT)
    fixed = fixed.strip(".,:;'\"`")  # stray punctuation at the ends
    if fixed.endswith("%."):
        fixed = fixed[:-1]
    if fixed != t:
        add(parse_number(fixed), f"read '{text}' as '{fixed}'")
    if percent and not fixed.endswith("%"):
        if _percent_sign_misread(fixed):  # `25.024` is `25.02%`, `100.008` is `100.00%`
            add(parse_number(fixed[:-1]), f"read '{text}' as '{fixed[:-1]}%' (the % sign was read as a digit)")
        m = re.fullmatch(r"(\d+)[48]", fixed)  # `254` is `25%`
        if m:
            add(float(m.group(1)), f"read '{text}' as '{m.group(1)}%' (the % sign was read as a digit)")
    # a decimal comma: `100,00%`, `17,24`
    m = re.fullmatch(r"(\d+),(\d{1,2})(%?)", fixed)
    if m:
        add(float(f"{m.group(1)}.{m.group(2)}"), f"read '{text}' as '{m.group(1)}.{m.group(2)}{m.group(3)}'")
    # a thousands point: `2.200` is `2,200`
    m = re.fullmatch(r"(\d{1,3})\.(\d{3})", fixed)
    if m:
        thousands = Candidate(float(m.group(1) + m.group(2)), f"read '{text}' as '{m.group(1)},{m.group(2)}'")
        if count and not percent and not m.group(1).startswith("0") and out and out[0].note is None:
            out.insert(0, thousands)  # before the plain reading (see `count`)
        else:
            add(thousands.value, thousands.note)
    # a lost decimal point: `925%` may be `9.25%` or `92.5%`
    m = re.fullmatch(r"(\d{3,5})(%?)", fixed)
    if m and (percent or m.group(2)):
        digits = m.group(1)
        for cut in (len(digits) - 2, len(digits) - 1):
            if cut >= 1:
                add(float(f"{digits[:cut]}.{digits[cut:]}"),
                    f"read '{text}' as '{digits[:cut]}.{digits[cut:]}{m.group(2)}' (a lost decimal point)")
    return out


def _percent_sign_misread(t: str) -> bool:
    return bool(re.fullmatch(r"\d+\.\d{2}[48]", t))


def best_reading(text: Optional[str], percent: bool = False) -> Optional[Candidate]:
    cands = number_candidates(text, percent)
    return cands[0] if cands else None


def choose(candidates: Sequence[Candidate], agrees) -> Optional[Candidate]:
    """The first candidate `agrees` accepts, else the first one."""
    for c in candidates:
        if agrees(c.value):
            return c
    return candidates[0] if candidates else None


def first_values(readings: Iterable[Optional[Candidate]]) -> list[Optional[float]]:
    return [r.value if r else None for r in readings]
