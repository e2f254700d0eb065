"""PMD action-line codes: wrapped cells joined, run-together codes segmented.

`1.1.4, 1.2.1,` over `1.2.3` is one cell; `5.5,5.5.1,5.` over `5.2` wraps inside
a code. `4.5.4.5.3` is two codes printed without a separator: the section's own
list of action lines decides where it splits (`4.5` + `4.5.3`).
"""
from __future__ import annotations

import re
from functools import lru_cache
from typing import Iterable, Optional, Sequence

_SEPARATORS = re.compile(r"[,;\s]+")
_MAX_LEVELS = 4


def join_code_lines(lines: Iterable[str]) -> Optional[str]:
    """Lines of one cell as one string: a line ending inside a code (`5.`)
    continues without a space."""
    out = ""
    for line in lines:
        line = " ".join(line.split())
        if not line:
            continue
        if not out:
            out = line
        elif out.endswith((".", "-")) and line[:1].isdigit():
            out += line
        elif out.endswith(",") and "," in out[:-1] and ", " not in out:
            out += line  # the cell writes its list without spaces: `4.1.5,4.1.6,`
        else:
            out += " " + line
    return out or None


def segment_codes(raw: Optional[str], catalog: Sequence[str] = ()) -> list[str]:
    """Codes meant by a printed cell, in order, without duplicates."""
    if not raw:
        return []
    known = frozenset(catalog)
    out: list[str] = []
    for token in _SEPARATORS.split(raw):
        token = token.strip(".-")
        if not token:
            continue
        parts = [p for p in token.split(".") if p]
        if not all(p.isdigit() for p in parts):
            continue
        for code in _segment(tuple(parts), known):
            if code not in out:
                out.append(code)
    return out


def _segment(parts: tuple[str, ...], known: frozenset[str]) -> list[str]:
    if len(parts) <= 1:
        return [".".join(parts)] if parts and (not known or parts[0] in known) else []
    whole = ".".join(parts)
    if whole in known or (not known and len(parts) <= 3):
        return [whole]
    return list(_best(parts, known)[1])


def _best(parts: tuple[str, ...], known: frozenset[str]) -> tuple[tuple[int, int], tuple[str, ...]]:
    """Fewest unknown pieces and skipped digits, then fewest pieces (DP over positions)."""

    @lru_cache(maxsize=None)
    def solve(i: int) -> tuple[tuple[int, int], tuple[str, ...]]:
        if i == len(parts):
            return (0, 0), ()
        options = []
        skip_cost, skip_codes = solve(i + 1)
        options.append(((skip_cost[0] + 2, skip_cost[1]), skip_codes))
        for length in range(2, _MAX_LEVELS + 1):
            if i + length > len(parts):
                break
            code = ".".join(parts[i : i + length])
            cost, codes = solve(i + length)
            penalty = 0 if code in known else (1 if known else (0 if length == 3 else 1))
            options.append(((cost[0] + penalty, cost[1] + 1), (code,) + codes))
        return min(options, key=lambda o: o[0])

    return solve(0)
