"""Indicator variable keys read by OCR, repaired to the sheet's keys (`T50`, `TSD` -> `TSO`).

The key catalog of a section is the VARIABLES table of its own sheet plus the
identifiers of that sheet's formula; a report (which has no VARIABLES table)
uses the sheet of the same document it reports on: same indicator code, else
the sheet sharing most keys with it (the nearest one on a tie); none when no
sheet shares a key or the code.

A key not in the catalog is matched by an edit distance in which the
characters OCR confuses (`0`/`O`/`D`/`Q`, `5`/`S`, `1`/`I`/`L`, `8`/`B`, `2`/`Z`,
`6`/`G`) cost `CONFUSION_COST` and every other edit 1. The nearest catalog key
is used when its cost is at most `MAX_COST` and the next one is at least
`MARGIN` further; a key already used by another row of the section is never a
target (two variables are two variables). Keys shorter than 3 characters are
left alone.
"""
from __future__ import annotations

from typing import Iterable, Optional, Sequence

CONFUSION_COST = 0.5
MAX_COST = 1.0
MARGIN = 0.5
_CONFUSABLE = [set("0ODQ"), set("5S"), set("1IL|"), set("8B"), set("2Z"), set("6G")]


def _sub_cost(a: str, b: str) -> float:
    if a == b:
        return 0.0
    return CONFUSION_COST if any(a in g and b in g for g in _CONFUSABLE) else 1.0


def key_distance(a: str, b: str) -> float:
    a, b = a.upper(), b.upper()
    prev = [float(j) for j in range(len(b) + 1)]
    for i in range(1, len(a) + 1):
        cur = [float(i)] + [0.0] * len(b)
        for j in range(1, len(b) + 1):
            cur[j] = min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + _sub_cost(a[i - 1], b[j - 1]))
        prev = cur
    return prev[-1]


def match_key(key: str, catalog: Iterable[str], taken: Iterable[str] = ()) -> tuple[Optional[str], tuple[str, ...]]:
    """(the catalog key meant, the candidates considered); (None, cands) when there is
    no match or it is ambiguous (several candidates listed)."""
    catalog = sorted(set(catalog))
    if key in catalog or len(key) < 3 or not catalog:
        return None, ()
    blocked = set(taken) - {key}
    scored = sorted((key_distance(key, c), c) for c in catalog if c not in blocked)
    if not scored or scored[0][0] > MAX_COST:
        return None, ()
    if len(scored) > 1 and scored[1][0] - scored[0][0] < MARGIN:
        return None, tuple(c for d, c in scored if d - scored[0][0] < MARGIN)
    return scored[0][1], (scored[0][1],)


def related_sheet(report_index: int, code: Optional[str], keys: Sequence[str],
                  sheets: Sequence[tuple[int, Optional[str], frozenset[str]]]) -> Optional[int]:
    """Index of the sheet a report belongs to: (index, indicator code, catalog keys) per sheet."""
    if not sheets:
        return None
    if code:
        same = [s for s in sheets if s[1] and s[1].strip().upper() == code.strip().upper()]
        if same:
            return min(same, key=lambda s: abs(s[0] - report_index))[0]
    overlap = [(len(set(keys) & s[2]), s) for s in sheets]
    best = max(o for o, _ in overlap)
    if best > 0:
        tied = [s for o, s in overlap if o == best]
        return min(tied, key=lambda s: abs(s[0] - report_index))[0]
    return None  # no shared key and no code: no evidence which sheet it is
