"""Header values put back under their labels with the CONAC catalogs.

OCR exports shift header values: `SUBFUNCION: 6 PROTECCION SOCIAL` is the
función, `LINEAS DE ACCION: 9 OTROS DE SEGURIDAD SOCIAL...` the subfunción,
`RAMO: 3121 ...` the administrative class. A (code, name) pair of the
functional classification says by itself which level it is, once the
finalidad is known: `6 PROTECCION SOCIAL` is the función 2.6 of finalidad 2,
`9 OTROS DE SEGURIDAD SOCIAL...` the subfunción 2.6.9. Pairs are placed where
the catalog knows them; a pair the catalog does not confirm stays where it was
printed. Pure: values in, values and notes (for flags) out.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Optional, Sequence

from rapidfuzz import fuzz

from .catalogs import administrative_classification, fold, functional_classification

Pair = tuple[Optional[str], Optional[str]]  # (code as printed, name)
LEVELS = ("finalidad", "funcion", "subfuncion")
NAME_MATCH = 85  # rapidfuzz ratio on folded names; catalog names differ from print in case and accents


@dataclass(frozen=True)
class Move:
    field: str
    old: Pair
    new: Pair
    reason: str


def _matches(name: Optional[str], catalog_name: str) -> bool:
    return bool(name) and fuzz.ratio(fold(name), fold(catalog_name)) >= NAME_MATCH


def _level_of(pair: Pair, finalidad: Optional[str], funcion: Optional[str]) -> Optional[str]:
    """Which level the catalog confirms for a pair, given the codes above it."""
    code, name = pair
    if not code or not code.isdigit():
        return None
    catalog = functional_classification()
    candidates = [("finalidad", code)]
    if finalidad:
        candidates.append(("funcion", f"{finalidad}.{code}"))
        if funcion:
            candidates.append(("subfuncion", f"{finalidad}.{funcion}.{code}"))
    for level, dotted in reversed(candidates):
        entry = catalog.get(dotted)
        if entry and entry[0] == level and _matches(name, entry[1]):
            return level
    return None


def place_functional(printed: dict[str, Pair], strays: Sequence[Pair] = ()) -> tuple[dict[str, Pair], list[Move]]:
    """Finalidad, función and subfunción from the pairs printed under any of
    their labels (and stray pairs printed under another label)."""
    pool = [printed.get(level, (None, None)) for level in LEVELS] + list(strays)
    pool = [p for p in pool if p[0] or p[1]]
    placed: dict[str, Pair] = {}
    finalidad = funcion = None
    for level in LEVELS:
        for pair in pool:
            if pair in placed.values():
                continue
            if _level_of(pair, finalidad, funcion) == level:
                placed[level] = pair
                if level == "finalidad":
                    finalidad = pair[0]
                elif level == "funcion":
                    funcion = pair[0]
                break
    moves = []
    out = dict(printed)
    for level in LEVELS:
        new = placed.get(level)
        old = printed.get(level, (None, None))
        if new is None:
            # unconfirmed: kept as printed unless its pair now stands elsewhere
            if old in placed.values():
                out[level] = (None, None)
                moves.append(Move(level, old, (None, None), "its value belongs to another level of the CONAC "
                                                            "functional classification"))
            continue
        if new != old:
            out[level] = new
            moves.append(Move(level, old, new, "the CONAC functional classification places "
                                               f"'{new[0]} {new[1]}' at this level"))
    return out, moves


def place_administrative(admin: Pair, ramo: Pair) -> tuple[Pair, Pair, list[Move]]:
    """A C. ADMINISTRATIVA code printed under RAMO (`RAMO: 3121 ...`) goes back."""
    admin_code, admin_name = admin
    ramo_code, ramo_name = ramo
    if admin_code or not ramo_code or not re.fullmatch(r"\d{4}", ramo_code):
        return admin, ramo, []
    dotted = ".".join(ramo_code)
    if dotted not in administrative_classification():
        return admin, ramo, []
    new_admin, new_ramo = (ramo_code, admin_name), (None, ramo_name)
    return new_admin, new_ramo, [
        Move("admin_class", admin, new_admin, f"'{ramo_code}' is a code of the CONAC administrative classification"),
        Move("ramo", ramo, new_ramo, f"'{ramo_code}' was printed under RAMO but is an administrative class code"),
    ]
