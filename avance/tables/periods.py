"""Quarter columns read from their headers in any of their spellings.

`PERIODO > Ene-Mar > P`, `TRIMESTRE 1 > Programado`, `1er. trim. > A`,
`I > Alcanzado`, `Primer trimestre > Meta`: the quarter comes from whichever
header cell names one, what the column holds (programmed or achieved) from the
deepest cell that says so.
"""
from __future__ import annotations

import re
from typing import Optional

from .concepts import fold
from .model import Table

_MONTH_RANGES = {
    1: ("ene mar", "enero marzo", "ene/mar", "enero a marzo"),
    2: ("abr jun", "abril junio", "abr/jun", "abril a junio"),
    3: ("jul sep", "julio septiembre", "jul/sep", "julio a septiembre", "jul set"),
    4: ("oct dic", "octubre diciembre", "oct/dic", "octubre a diciembre"),
}
_ORDINALS = {1: ("primer", "primero", "1er", "1ro", "1o", "1"), 2: ("segundo", "2do", "2o", "2"),
             3: ("tercer", "tercero", "3er", "3ro", "3o", "3"), 4: ("cuarto", "4to", "4o", "4")}
_ROMANS = {"i": 1, "ii": 2, "iii": 3, "iv": 4}
# What a quarter's column holds, by the words its deepest header cell uses.
KINDS = {
    "P": ("p", "prog", "programado", "programada", "programadas", "meta", "metas", "programacion"),
    "A": ("a", "alc", "alcanzado", "alcanzada", "alcanzadas", "real", "realizado", "realizada", "logro",
          "logrado", "avance", "ejecutado", "cumplido"),
}


def quarter_of(text: str) -> Optional[int]:
    """The quarter a header cell names, if it names one."""
    f = " ".join(fold(text).replace("-", " ").replace(".", " ").split())
    squeezed = f.replace(" ", "")  # a month broken over two lines of a narrow cell (`SEPTIEMB` / `RE`)
    for q, spellings in _MONTH_RANGES.items():
        if any(s in f or s.replace(" ", "") in squeezed for s in spellings):
            return q
    if f in _ROMANS:
        return _ROMANS[f]
    m = re.search(r"\b(\w+)\s+(?:trim|trimestre)\b|\b(?:trim|trimestre)\s+(\w+)\b|\b([1-4])\s*t\b|\bt\s*([1-4])\b", f)
    if m:
        word = next(g for g in m.groups() if g)
        for q, words in _ORDINALS.items():
            if word in words or word in _ROMANS and _ROMANS[word] == q:
                return q
    return None


def kind_of(text: str) -> Optional[str]:
    """`P` programmed, `A` achieved, `%` a percentage of progress in the period, `%acc`
    the cumulative one; None when the cell says none of these."""
    words = fold(text).replace(".", " ").split()
    if not words:
        return None
    if "%" in text or "porcentaje" in words or "pct" in words:
        return "%acc" if any(w.startswith("acumulad") for w in words) else "%"
    if words[0] in KINDS["A"] or any(w in KINDS["A"] and len(w) > 2 for w in words):
        return "A"
    if words[0] in KINDS["P"] or any(w in KINDS["P"] and len(w) > 2 for w in words):
        return "P"
    return None


def period_columns(table: Table) -> dict[tuple[int, str], int]:
    """(quarter, "P" or "A") -> column, for the columns whose header paths name a quarter."""
    out: dict[tuple[int, str], int] = {}
    for col, path in enumerate(table.header_paths):
        parts = [p for p in path.split(" > ") if p.strip()]
        quarters = [q for p in parts if (q := quarter_of(p))]
        if not quarters and len(parts) >= 2 and parts[-1].strip() in ("1", "2", "3", "4") and \
                any(fold(p).split()[:1] in (["periodo"], ["periodos"], ["trimestre"], ["trimestres"]) for p in parts[:-1]):
            quarters = [int(parts[-1].strip())]  # `PERIODO > 1`: numbered quarters under their heading
        if not quarters:
            continue
        kind = kind_of(parts[-1]) if quarter_of(parts[-1]) is None else None
        if kind is None:
            # one column per quarter: it holds what the header above the quarters says;
            # a percentage label stacked over several cells (`% DE` / `AVANCE` / `DEL
            # TRIMESTRE`) is read whole
            above = parts[:-1]
            pct = [i for i, p in enumerate(above) if "%" in p or "porcentaje" in fold(p)]
            kind = kind_of(" ".join(above[pct[-1]:])) if pct else None
            kind = kind or next((k for p in reversed(above) if (k := kind_of(p))), "P")
        out.setdefault((quarters[-1], kind), col)
    return out
