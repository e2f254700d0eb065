"""Printed numbers to floats: `127,762`, `1,234.50`, `25%`, `$ 1,200.00`, `-`, blank."""
from __future__ import annotations

import re
from typing import Optional

# A printed "nothing": dash, N/A, blank. `$ -` is a zero amount (accounting style).
_NULL_TOKENS = {"", "-", "--", "—", "–", "N/A", "NA", "N.A.", "S/D", "ND", "N/D"}
_NUMBER = re.compile(r"^[+-]?(\d{1,3}(,\d{3})+|\d+)?(\.\d+)?$")


def parse_number(text: Optional[str]) -> Optional[float]:
    """A printed figure as float, or None when nothing (or not a number) is printed.

    Percent signs are dropped: percentages stay in percent units (`25%` -> 25.0).
    Thousands use commas and decimals a point, as these reports print them.
    """
    if text is None:
        return None
    t = text.strip().replace(" ", "")
    if t.upper() in _NULL_TOKENS:
        return None
    if t.startswith("$"):
        t = t[1:]
        if t in ("", "-", "–", "—"):
            return 0.0
    negative = False
    if t.startswith("(") and t.endswith(")"):
        negative, t = True, t[1:-1]
    t = t.rstrip("%").strip()
    if not t or not _NUMBER.match(t) or t in ("+", "-", "."):
        return None
    try:
        value = float(t.replace(",", ""))
    except ValueError:
        return None
    return -value if negative else value


def is_printed_nothing(text: Optional[str]) -> bool:
    """The text is a printed "nothing" (`N/A`, `-`), not a figure nor a misreading of one."""
    return text is not None and text.strip().replace(" ", "").upper() in _NULL_TOKENS


def is_number(text: Optional[str]) -> bool:
    return parse_number(text) is not None


def is_percent(text: Optional[str]) -> bool:
    return bool(text) and text.strip().endswith("%") and is_number(text)


def decimals(text: Optional[str]) -> int:
    """Digits after the decimal point as printed (the printed precision)."""
    if not text:
        return 0
    m = re.search(r"\.(\d+)", text)
    return len(m.group(1)) if m else 0


_LOST_POINT = re.compile(r"^\d{1,3}(?: \d{3})+ \d{2}$")


def lost_decimal_point(text: Optional[str]) -> Optional[float]:
    """A figure grouped in thousands by spaces whose cents OCR read without their point
    (`180 603 282 00` for `180 603 282.00`): the figure with its cents, else None."""
    t = (text or "").strip()
    if not _LOST_POINT.match(t):
        return None
    whole, cents = t.rsplit(" ", 1)
    return float(whole.replace(" ", "") + "." + cents)
