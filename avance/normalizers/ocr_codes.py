"""PMD action-line codes read by OCR, repaired against the section's catalog.

OCR drops the dots of a code (`453` for `4.5.3`, `1.23` for `1.2.3`), reads a
dot as a comma (`1,1.1` for `1.1.1`) or a comma as a dot (`5.2.5.5.3` for
`5.2,5.5.3`), and sprinkles marks (`:`, `"`, `o`) into a cell. The digits stay
in order, so a cell is a digit string with some separators known (a space, a
`,` followed by a space) and the rest uncertain; the section's own list of
action lines says which codes exist. `repair_codes` finds the fewest catalog
codes that spell the cell's digits, in order, respecting every separator that
is certain.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Optional, Sequence


@dataclass(frozen=True)
class CodeRepair:
    codes: tuple[str, ...]
    raw: str  # the cell as it should have been printed, separators as the catalog writes codes
    changed: bool  # the plain segmentation would have read something else


def _digits(code: str) -> str:
    return code.replace(".", "")


def _tokens(text: str) -> list[str]:
    """Runs of digits and code punctuation, split at spaces (a certain boundary).

    Marks that are no code (`:`, quotes, letters) are dropped."""
    out = []
    for piece in text.split():
        piece = re.sub(r"[:;]", ",", piece)
        piece = re.sub(r"[^\d.,]", "", piece)
        if any(c.isdigit() for c in piece):
            out.append(piece)
    return out


def repair_codes(raw: Optional[str], catalog: Sequence[str]) -> Optional[CodeRepair]:
    """Catalog codes spelled by an OCR'd cell, or None when they cannot all be
    found (the cell is then left as read)."""
    if not raw or not catalog:
        return None
    known = sorted(set(catalog), key=lambda c: (-len(_digits(c)), c))
    by_digits: dict[str, list[str]] = {}
    for code in known:
        by_digits.setdefault(_digits(code), []).append(code)
    tokens = _tokens(raw)
    if not tokens:
        return None
    codes: list[str] = []
    found_by_token = []
    misread = False  # one digit of the cell taken for another
    for token in tokens:
        found = _segment_token(token, by_digits)
        if found is None and not misread:
            found = _one_digit_off(token, by_digits)
            misread = found is not None
        if found is None:
            return None
        codes.extend(c for c in found if c not in codes)
        found_by_token.append(found)
    # the cell's list separator, where it printed one between codes (`5.5,5.5.1,5..5.2`)
    listed = any("," in _boundaries(t, f).values() for t, f in zip(tokens, found_by_token)) or \
        any(t.endswith(",") for t in tokens[:-1])
    raw_out = ""
    for token, found in zip(tokens, found_by_token):
        if raw_out:
            raw_out += " "
        read = _boundaries(token, found)
        raw_out += found[0]
        for k, code in enumerate(found[1:], start=1):
            # a comma read stays; a dot read is the list's comma, or codes printed run
            # together (`5.1.2.5.1.5`); nothing read is a space OCR lost (`1.1.11.12`)
            sep = read.get(k)
            raw_out += "," if sep == "," or listed else "." if sep == "." else " "
            raw_out += code
        raw_out += "," if token.endswith(",") else ""
    return CodeRepair(tuple(codes), raw=raw_out.rstrip(","), changed=True)


MAX_MISREAD_CODES = 3


def _one_digit_off(token: str, by_digits: dict[str, list[str]]) -> Optional[list[str]]:
    """The catalog codes a token spells with one of its digits read for another (`334`
    for 4.3.4, `425,326` for 4.2.5, 4.2.6: a small `4` read as `3`), when exactly one
    such reading exists; None otherwise. A token printed as clean dotted codes (`4.5.9`)
    is a code the catalog lacks, as read; one that starts or ends on a separator lost a
    digit there (`€.5.3`), not one misread. A long run of digits (more than
    `MAX_MISREAD_CODES` codes) spells some catalog codes by one change too easily to tell."""
    if token[:1] in ".," or token[-1:] in ".," or all(re.fullmatch(r"\d(?:\.\d)+", piece) for piece in token.split(",") if piece):
        return None
    readings = set()
    for i, c in enumerate(token):
        if not c.isdigit():
            continue
        for d in "0123456789":
            if d != c and (found := _segment_token(token[:i] + d + token[i + 1:], by_digits)) is not None:
                readings.add(tuple(found))
                if len(readings) > 1:
                    return None
    if len(readings) != 1:
        return None
    (found,) = readings
    return list(found) if len(found) <= MAX_MISREAD_CODES else None


def _separators(token: str) -> dict[int, str]:
    """The separator printed after each digit of a token (by the digit's count): a comma
    wins over a dot read beside it."""
    seps: dict[int, str] = {}
    n = 0
    for c in token:
        if c.isdigit():
            n += 1
        elif n:
            seps[n] = "," if c in ",;" else seps.get(n, c)
    return seps


def _boundaries(token: str, found: Sequence[str]) -> dict[int, str]:
    """What the token printed between its k-th code and the one before (by k)."""
    seps = _separators(token)
    out, at = {}, 0
    for k, code in enumerate(found):
        if k and at in seps:
            out[k] = seps[at]
        at += len(_digits(code))
    return out


def digits_of(codes: Sequence[str]) -> str:
    return "".join(_digits(c) for c in codes)


def cell_digits(raw: str) -> str:
    return "".join(_digits(t).replace(",", "") for t in _tokens(raw))


def _segment_token(token: str, by_digits: dict[str, list[str]]) -> Optional[list[str]]:
    """Split a token's digits into catalog codes. A comma in the token is a
    boundary unless the catalog needs it to be a dot; a dot is a boundary or
    a code's own dot. Among the segmentations, prefer those whose codes' dots
    fall where the token printed a separator, then the fewest codes."""
    digits = "".join(c for c in token if c.isdigit())
    seps = _separators(token)

    @lru_cache(maxsize=None)
    def solve(i: int) -> Optional[tuple[int, tuple[str, ...]]]:
        if i == len(digits):
            return 0, ()
        best: Optional[tuple[int, tuple[str, ...]]] = None
        for j in range(len(digits), i, -1):
            for code in by_digits.get(digits[i:j], ()):
                rest = solve(j)
                if rest is None:
                    continue
                cost = _mismatch(code, i, seps) + (0 if j == len(digits) or j in seps else 2) + 1
                total = (cost + rest[0], (code,) + rest[1])
                if best is None or total[0] < best[0]:
                    best = total
        return best

    found = solve(0)
    return list(found[1]) if found else None


def _mismatch(code: str, start: int, seps: dict[int, str]) -> int:
    """How badly a code placed at digit `start` disagrees with the printed separators:
    a code's dot where nothing was printed (a lost dot) costs 1, a code's dot
    where a comma was printed costs 1."""
    cost = 0
    pos = start
    for part in code.split(".")[:-1]:
        pos += len(part)
        sep = seps.get(pos)
        if sep is None or sep in ",;":
            cost += 1
    return cost
