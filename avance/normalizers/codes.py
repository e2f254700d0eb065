"""PMD action-line codes: wrapped cells joined, run-together codes segmented.

`1.1.4, 1.2.1,` over `1.2.3` is one cell; `5.5,5.5.1,5.` over `5.2` wraps inside
a code. `4.5.4.5.3` is two codes printed without a separator: the section's own
list of action lines decides where it splits (`4.5` + `4.5.3`).

Segmentation with a catalog (the section's listed codes) is a dynamic program
over the digit groups of a cell. A space or `;` always separates codes; a dot
either sits inside a code or between two codes printed together; a comma
separates codes unless the catalog needs it to be a dot (`4.1,5` is `4.1.5`
when `4.1.5` is listed and `5` alone is no code). Among the readings, the one
that leaves the fewest digits not covered by a listed code wins, then the one
that reads the fewest commas as dots, then the fewest codes. A group of up to
three parts that no listed code covers is kept as printed (a code the header
does not list is still what the row says); a longer run that the catalog
cannot fully explain keeps the listed codes it contains and its leftover
digits are reported in `Segmentation.leftover`.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Iterable, Optional, Sequence

_CERTAIN = re.compile(r"[;\s]+")
_MAX_LEVELS = 4
_MAX_JOINED_PIECES = 3  # comma pieces that may form one code (`4,1,5` at most)


# What a rule's sliver or the paper's grain reads as: stops, dashes, bars (a garbled letter,
# `»` for a `P`, is no speck: it still stands for something printed).
_SPECKS = frozenset(".,:;-–—_'`|~")


def is_speck(text: str) -> bool:
    """Text made of nothing but specks (`.`, `- -`, `|`)."""
    return bool(text.strip()) and set(text) - {" "} <= _SPECKS


def join_code_lines(lines: Iterable[str]) -> Optional[str]:
    """Lines of one cell as one string: a line ending inside a code (`5.`), or one
    going on with it (`.6`: a narrow cell broke `5.5.6`), continues without a space."""
    out = ""
    for line in lines:
        line = " ".join(line.split())
        if not line or is_speck(line):
            continue  # a speck a scan's grain left in the cell
        if not out:
            out = line
        elif out.endswith((".", "-")) and line[:1].isdigit() or \
                out[-1:].isdigit() and line[:1] in ".-" and line[1:2].isdigit():
            out += line  # a code broken at its dot, which ends the line or starts the next
        elif out.endswith(",") and "," in out[:-1] and ", " not in out:
            out += line  # the cell writes its list without spaces: `4.1.5,4.1.6,`
        else:
            out += " " + line
    return out or None


@dataclass(frozen=True)
class Segmentation:
    codes: tuple[str, ...]  # in order, without duplicates
    plain: tuple[str, ...]  # what splitting at every comma and space gives
    leftover: tuple[str, ...]  # digit groups no code accounts for (`1`, `5.3`)
    commas_as_dots: int

    @property
    def changed(self) -> bool:
        return self.codes != self.plain


def segment_codes(raw: Optional[str], catalog: Sequence[str] = ()) -> list[str]:
    """Codes meant by a printed cell, in order, without duplicates."""
    return list(segment(raw, catalog).codes)


def plain_split(raw: Optional[str]) -> tuple[str, ...]:
    """Every comma- or space-separated piece made of dotted digits, as printed."""
    out: list[str] = []
    for piece in re.split(r"[,;\s]+", raw or ""):
        piece = piece.strip(".-")
        parts = [p for p in piece.split(".") if p]
        if parts and all(p.isdigit() for p in parts):
            code = ".".join(parts)
            if code not in out:
                out.append(code)
    return tuple(out)


def segment(raw: Optional[str], catalog: Sequence[str] = ()) -> Segmentation:
    """The codes of a cell and how they were found (see the module docstring)."""
    if not raw:
        return Segmentation((), (), (), 0)
    known = frozenset(catalog)
    codes: list[str] = []
    leftover: list[str] = []
    commas = 0
    for chunk in _CERTAIN.split(raw):
        pieces = [_parts(p) for p in chunk.split(",")]
        pieces = [p for p in pieces if p is not None]
        if not pieces:
            continue
        if known:
            cost, found, left = _join_pieces(tuple(pieces), known)
            commas += cost[1]
        else:
            found, left = [], []
            for parts in pieces:
                f, l = _token(parts, known)
                found += f
                left += l
        for c in found:
            if c not in codes:
                codes.append(c)
        leftover += left
    return Segmentation(tuple(codes), plain_split(raw), tuple(leftover), commas)


def _parts(piece: str) -> Optional[tuple[str, ...]]:
    piece = piece.strip().strip(".-")
    parts = tuple(p for p in piece.split(".") if p)
    if not parts or not all(p.isdigit() for p in parts):
        return None
    return parts


def _join_pieces(pieces: tuple[tuple[str, ...], ...], known: frozenset[str]):
    """Which commas of a chunk are dots: DP over its comma pieces."""

    @lru_cache(maxsize=None)
    def solve(i: int):
        if i == len(pieces):
            return (0, 0, 0), (), ()
        best = None
        for j in range(i + 1, min(len(pieces), i + _MAX_JOINED_PIECES) + 1):
            parts = tuple(p for piece in pieces[i:j] for p in piece)
            if j > i + 1 and len(parts) > _MAX_LEVELS:
                break  # a comma read as a dot joins parts of one code, never several codes
            found, left = _token(parts, known)
            unlisted = sum(len(c.replace(".", "")) for c in found if c not in known)
            uncovered = sum(len(x.replace(".", "")) for x in left) + unlisted
            rest_cost, rest_found, rest_left = solve(j)
            cost = (uncovered + rest_cost[0], (j - i - 1) + rest_cost[1], len(found) + rest_cost[2])
            if best is None or cost < best[0]:
                best = (cost, tuple(found) + rest_found, tuple(left) + rest_left)
        return best

    cost, found, left = solve(0)
    return cost, list(found), list(left)


def _token(parts: tuple[str, ...], known: frozenset[str]) -> tuple[list[str], list[str]]:
    """Codes of one dotted group, and its leftover digit groups."""
    whole = ".".join(parts)
    if whole in known:
        return [whole], []
    if not known:
        if len(parts) <= 3:
            return [whole], []
        return list(_best_uncatalogued(parts)), []
    if len(parts) == 1:
        return [], [whole]
    uncovered, found, left = _best_listed(parts, known)
    if uncovered == 0:
        return [c for c in found if not isinstance(c, int)], []
    if len(parts) <= 3:
        return [whole], []  # kept as printed: no listed code explains it
    # a run of 2-3 leftover parts between listed codes reads as a code the header does not list
    codes, leftover = [], []
    for item in found_and_runs(found, left):
        if isinstance(item, tuple):
            if 2 <= len(item) <= 3:
                codes.append(".".join(item))
            else:
                leftover.append(".".join(item))
        else:
            codes.append(item)
    return codes, leftover


def _best_listed(parts: tuple[str, ...], known: frozenset[str]):
    """Listed codes spelling the parts in order, fewest uncovered digits, then fewest codes."""

    @lru_cache(maxsize=None)
    def solve(i: int):
        if i == len(parts):
            return (0, 0), (), ()
        cost, found, left = solve(i + 1)
        best = ((cost[0] + len(parts[i]), cost[1]), (i,) + found, (parts[i],) + left)
        for length in range(_MAX_LEVELS, 0, -1):
            if i + length > len(parts):
                continue
            code = ".".join(parts[i:i + length])
            if code not in known:
                continue
            cost, found, left = solve(i + length)
            option = ((cost[0], cost[1] + 1), (code,) + found, left)
            if option[0] < best[0]:
                best = option
        return best

    (uncovered, _), found, left = solve(0)
    return uncovered, found, left  # `found` holds codes and, in place of a leftover part, its index


def found_and_runs(found: tuple, left: tuple) -> list:
    """Codes in order, with each run of consecutive leftover parts as one tuple."""
    out: list = []
    k = 0
    for item in found:
        if isinstance(item, int):
            part = left[k]
            k += 1
            if out and isinstance(out[-1], tuple) and out[-1][0] == item - 1:
                out[-1] = (item, out[-1][1] + (part,))
            else:
                out.append((item, (part,)))
        else:
            out.append(item)
    return [x[1] if isinstance(x, tuple) else x for x in out]



def _best_uncatalogued(parts: tuple[str, ...]) -> tuple[str, ...]:
    """Without a catalog: three-level codes where possible (PMD lines are axis.strategy.line)."""

    @lru_cache(maxsize=None)
    def solve(i: int):
        if i == len(parts):
            return (0, 0), ()
        options = []
        cost, codes = solve(i + 1)
        options.append(((cost[0] + 2, cost[1]), codes))
        for length in range(2, _MAX_LEVELS + 1):
            if i + length > len(parts):
                break
            cost, codes = solve(i + length)
            options.append(((cost[0] + (0 if length == 3 else 1), cost[1] + 1), (".".join(parts[i:i + length]),) + codes))
        return min(options, key=lambda o: o[0])

    return solve(0)[1]
