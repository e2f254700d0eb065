"""Quarter columns read from their headers in any of their spellings.

`PERIODO > Ene-Mar > P`, `TRIMESTRE 1 > Programado`, `1er. trim. > A`,
`I > Alcanzado`, `Primer trimestre > Meta`: the quarter comes from whichever
header cell names one, what the column holds (programmed or achieved) from the
deepest cell that says so.
"""
from __future__ import annotations

import re
from functools import lru_cache
from typing import Optional, Sequence

from rapidfuzz import fuzz

from .concepts import fold
from .model import Table

_MONTH_RANGES = {
    1: ("ene mar", "enero marzo", "ene/mar", "enero a marzo"),
    2: ("abr jun", "abril junio", "abr/jun", "abril a junio"),
    3: ("jul sep", "julio septiembre", "jul/sep", "julio a septiembre", "jul set"),
    4: ("oct dic", "octubre diciembre", "oct/dic", "octubre a diciembre"),
}
# the months a quarter label names, by their first letters (`ene`, `mar`, `sep`)
_MONTH_STEMS = frozenset(w[:3] for spellings in _MONTH_RANGES.values() for s in spellings
                         for w in s.replace("/", " ").split() if len(w) >= 3)
_ORDINALS = {1: ("primer", "primero", "1er", "1ro", "1o", "1"), 2: ("segundo", "2do", "2o", "2"),
             3: ("tercer", "tercero", "3er", "3ro", "3o", "3"), 4: ("cuarto", "4to", "4o", "4")}
_SUFFIX_QUARTER = {"do": 2, "to": 4}
MONTHS_LIKENESS = 85  # one letter of `jul sep` (7) misread: 85.7
_ROMANS = {"i": 1, "ii": 2, "iii": 3, "iv": 4}
# What a quarter's column holds, by the words its deepest header cell uses.
KINDS = {
    "P": ("p", "prog", "programado", "programada", "programadas", "meta", "metas", "programacion", "planeado",
          "planeada"),
    "A": ("a", "alc", "alcanzado", "alcanzada", "alcanzadas", "real", "realizado", "realizada", "logro",
          "logrado", "avance", "ejecutado", "ejecutada", "ejec", "cumplido", "obtenido", "obtenida"),
}


@lru_cache(maxsize=65536)
def quarter_of(text: str) -> Optional[int]:
    """The quarter a header cell names, if it names one."""
    f = " ".join(fold(text).replace("-", " ").replace(".", " ").split())
    squeezed = f.replace(" ", "")  # a month broken over two lines of a narrow cell (`SEPTIEMB` / `RE`)
    for q, spellings in _MONTH_RANGES.items():
        if any(s in f or s.replace(" ", "") in squeezed for s in spellings):
            return q
    # a month range with a letter OCR misread (`Jui-Sep`, `0ct-Dic`): the label is that range
    # alone, one slip from one quarter's spelling and from no other's
    near = {q for q, spellings in _MONTH_RANGES.items() for s in spellings
            if len(s) >= 7 and abs(len(f) - len(s)) <= 1 and fuzz.ratio(f, s) >= MONTHS_LIKENESS}
    if len(near) == 1:
        return near.pop()
    if f in _ROMANS:
        return _ROMANS[f]
    # a year before the word names no quarter (`2026 TRIMESTRE 2`, a label's year then its quarter)
    # every word beside `trimestre` (`% DE AVANCE DEL TRIMESTRE 4to. trim.`: not `del`)
    for m in re.finditer(r"\b(?!(?:19|20)\d\d\b)(\w+)\s+(?=(?:trim|trimestre)\b)|\b(?:trim|trimestre)\s+(\w+)\b"
                         r"|\b([1-4])\s*t\b|\bt\s*([1-4])\b", f):
        word = re.sub(r"(?<=[a-z])0", "o", next(g for g in m.groups() if g))  # OCR's zero for o (`2d0`)
        for q, words in _ORDINALS.items():
            if word in words or word in _ROMANS and _ROMANS[word] == q:
                return q
        # a misread numeral (`áto`, `Zdo`): only the second ends in -do, only the fourth in -to
        if len(word) == 3 and word[0] not in "1234" and word[1:] in _SUFFIX_QUARTER:
            return _SUFFIX_QUARTER[word[1:]]
    return None


# a period cell's first word, as OCR may leave it (`ENER0-MARZO`, `I`): the stem of the
# quarter's first month, its ordinal (with letters: a bare digit is a figure), `T1`, its numeral
_CELL_STARTS = tuple((q, tuple({s.split()[0][:3] for s in spellings})
                      + tuple(w for w in _ORDINALS[q] if len(w) >= 3) + (f"t{q}",))
                     for q, spellings in _MONTH_RANGES.items())


def quarter_of_cell(text: str) -> Optional[int]:
    """The quarter a table's period cell names, in any spelling; else by its first word
    (`ENER0-MARZO`, `I` as OCR read them): a body cell of a period column, where a
    header's looser words are not expected."""
    quarter = quarter_of(text)
    if quarter:
        return quarter
    words = fold(text).split()
    if not words:
        return None
    if words[0] in _ROMANS:
        return _ROMANS[words[0]]
    return next((q for q, starts in _CELL_STARTS if words[0].startswith(starts)), None)


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
    # a quarter named inside a long label (`JUSTIFICACIÓN PRIMER TRIMESTRE DE AVANCE`)
    # heads some other column: a label that is the quarter itself wins over it
    named_alone: dict[tuple[int, str], bool] = {}
    seen: dict[int, tuple[int, str, list[str]]] = {}  # column -> (quarter, kind, path parts)
    by_order = _quarters_by_order(table.header_paths)
    split, kinds = _column_kinds(tuple(table.header_paths))
    for col, path in enumerate(table.header_paths):
        parts = [p for p in path.split(" > ") if p.strip()]
        quarters = [q for p in parts if (q := quarter_of(p))]
        alone = not quarters or any(quarter_of(p) and len(p.split()) <= 3 for p in parts)
        numbered = [i for i, p in enumerate(parts) if p.strip() in ("1", "2", "3", "4") and
                    any(fold(h).split()[:1] in (["periodo"], ["periodos"], ["trimestre"], ["trimestres"])
                        for h in parts[:i])]
        if not quarters and numbered and numbered[-1] >= len(parts) - 2:
            # `PERIODO > 1`, `TRIMESTRE > 3 > A`: numbered quarters under their heading
            quarters = [int(parts[numbered[-1]].strip())]
        if not quarters:
            quarters = [q] if (q := by_order.get(col)) else []
        if not quarters:
            continue
        kind = (kinds[col] if len(parts) >= 2 else kind_of(parts[-1])) if quarter_of(parts[-1]) is None else None
        if kind is None and ("%" in parts[-1] or "porcentaje" in fold(parts[-1])):
            kind = kind_of(parts[-1])  # a percentage label stacked over its quarter's (`% DE AVANCE ... JULIO-SEPTIEMBRE`)
        previous = seen.get(col - 1)
        if kind is None and previous and previous[0] == quarters[-1] - 1 and len(previous[2]) == len(parts) + 1 \
                and previous[2][:len(parts) - 1] == parts[:-1] and quarter_of(previous[2][-1]) and quarter_of(parts[-1]):
            # the next quarter in a run under a label centred over more columns than its
            # words cover (`METAS PROGRAMADAS` over four quarters): the reader left it
            # under the label above; it holds what its run holds
            kind = previous[1]
        following = split[col + 1] if col + 1 < len(split) else ()
        if kind is None and len(following) == len(split[col]) + 1 and following[:-2] == split[col][:-1] \
                and quarter_of(parts[-1]) and quarter_of(following[-1]) == quarters[-1] + 1:
            # the first quarter of such a run: it holds what the label over the next says
            kind = kind_of(following[-2])
        if kind is None:
            # one column per quarter: it holds what the header above the quarters says;
            # a percentage label stacked over several cells (`% DE` / `AVANCE` / `DEL
            # TRIMESTRE`) is read whole
            above = parts[:-1]
            pct = [i for i, p in enumerate(above) if "%" in p or "porcentaje" in fold(p)]
            kind = kind_of(" ".join(above[pct[-1]:])) if pct else None
            kind = kind or next((k for p in reversed(above) if (k := kind_of(p))), "P")
        key = (quarters[-1], kind)
        seen[col] = (quarters[-1], kind, parts)
        if key not in out or alone and not named_alone[key]:
            out[key], named_alone[key] = col, alone
    for key, col in _quarters_in_kind_runs(split).items():
        if key not in out and col not in out.values():
            out[key] = col
    by_pairs = _quarters_by_pairs(table.header_paths)
    if by_pairs and len({q for q, _ in out}) < 4:
        out = {k: c for k, c in out.items() if c not in by_pairs.values()} | by_pairs
    return _pair_holes(out, table.header_paths)


def _pair_holes(found: dict[tuple[int, str], int], paths: Sequence[str]) -> dict[tuple[int, str], int]:
    """A pair's half whose labels OCR read past knowing (`,` for `P`, its quarter's number
    centred over the other half only), in a table of programmed/achieved pairs: the one
    column between a quarter's other half and the pair beside it (`2 A | ? | 3 A`), its
    own label a speck or a letter or two (not a pair's labels read as one, `P.A`)."""
    if sum((q, "P") in found and (q, "A") in found for q in range(1, 5)) < 2:
        return found
    out = dict(found)
    at = {col: key for key, col in found.items()}
    for col in sorted(set(range(min(at), max(at) + 1)) - set(at)):
        left, right = at.get(col - 1), at.get(col + 1)
        own = paths[col].rpartition(" > ")[2]
        if left is None or right is None or right[0] != left[0] + 1 or \
                len(re.sub(r"[\W_]", "", own)) > 2 or pair_label(own):
            continue
        hole = (right[0], "P") if left[1] == right[1] == "A" else (left[0], "A") if left[1] == right[1] == "P" else None
        if hole is not None and hole not in out:
            out[hole] = col
    return out


def pair_label(text: str) -> bool:
    """A programmed/achieved pair's two labels read as one (`P|A`, `Pla`, `P/A`, `Pp|a`):
    the header rule between them too short or too faint to part the cell."""
    letters = re.sub(r"[^a-z]", "", fold(text))
    return 2 <= len(letters) <= 4 and letters[0] == "p" and letters[-1] == "a" and set(letters[1:-1]) <= set("pli")


def pair_columns(table: Table) -> dict[int, int]:
    """Quarter -> column, for columns that hold a quarter's programmed and achieved
    figures side by side under one label read as both (`Ene-Mar > P|A`). Quarters
    by their spellings, else by their order among such columns."""
    found = [(col, parts) for col, path in enumerate(table.header_paths)
             if len(parts := [p for p in path.split(" > ") if p.strip()]) >= 2 and pair_label(parts[-1])]
    out: dict[int, int] = {}
    for n, (col, parts) in enumerate(found, start=1):
        quarter = next((q for p in reversed(parts[:-1]) if (q := quarter_of(p))), None)
        out[quarter or (n if len(found) == 4 else 0)] = col
    out.pop(0, None)
    return out


def pair_cut(table: Table, col: int) -> float:
    """Where a quarter's programmed and achieved figures, printed under one label, part:
    the widest gap between the column's figures near its middle, else its middle."""
    x0, x1 = table.column_extent(col)
    spans = sorted((w.x0, w.x1) for r in table.body_rows() if (cell := table.cell_at(r, col)) is not None
                   for w in cell.words if any(ch.isdigit() for ch in w.text))
    middle, gaps, end = (x0 + x1) / 2, [], None
    for a, b in spans:
        if end is not None and a > end:
            gaps.append((a - end, (a + end) / 2))
        end = b if end is None else max(end, b)
    near = [g for g in gaps if abs(g[1] - middle) < 0.25 * (x1 - x0)]
    return max(near)[1] if near else middle


def _kind_groups(paths) -> list[tuple[tuple[str, ...], list[tuple[int, str]]]]:
    """Programmed/achieved columns side by side under one label, left to right: (the
    label's path, [(column, kind)]); a kind printed again starts the next group. The
    label over a pair is what groups it: a heading above the quarters (`PERIODO`),
    centred over them without rules, may reach one column of a pair and not the other."""
    groups: list[tuple[tuple[str, ...], list[tuple[int, str]]]] = []
    split, kinds = _column_kinds(tuple(paths))
    for col, parts in enumerate(split):
        kind = kinds[col]
        if kind not in ("P", "A"):
            continue
        last = groups[-1] if groups else None
        if last and last[0][-1:] == parts[-2:-1] and last[1][-1][0] == col - 1 and kind not in {k for _, k in last[1]}:
            last[1].append((col, kind))
        else:
            groups.append((parts[:-1], [(col, kind)]))
    return groups


@lru_cache(maxsize=256)
def _column_kinds(paths: tuple[str, ...]) -> tuple[tuple[tuple[str, ...], ...], tuple[Optional[str], ...]]:
    """Each column's header path as parts, and what its deepest label says it holds
    (`kind_of`, on a path of two levels or more). A one- or two-letter label OCR
    garbled (`Pp` for `P`) beside its pair's other half under the same label is the
    half that pair is missing (P before A)."""
    split = [tuple(p.strip() for p in path.split(" > ") if p.strip()) for path in paths]
    kinds = [kind_of(parts[-1]) if len(parts) >= 2 else None for parts in split]
    out = list(kinds)
    for col, parts in enumerate(split):
        if kinds[col] is not None or len(parts) < 2 or not 1 <= len(re.sub(r"[\W_]", "", parts[-1])) <= 2:
            continue
        for other, missing, present in ((col + 1, "P", "A"), (col - 1, "A", "P")):
            if 0 <= other < len(split) and split[other][:-1] == parts[:-1] and kinds[other] == present:
                out[col] = missing
                break
    return tuple(split), tuple(out)


def _quarters_by_pairs(paths) -> dict[tuple[int, str], int]:
    """(quarter, kind) -> column for four groups of programmed/achieved columns side by
    side whose quarter labels OCR garbled past reading (`I II III IV` read `! " "m Iv`),
    numbered in order; {} unless exactly four such groups stand together and every
    label still readable names its own place."""
    quarters = [(label[-1], cols) for label, cols in _kind_groups(paths)
                if quarter_of(label[-1]) or _garbled_quarter(label[-1])]
    if len(quarters) != 4 or any(b[1][0][0] != a[1][-1][0] + 1 for a, b in zip(quarters, quarters[1:])):
        return {}
    if any(quarter_of(label) not in (None, n) for n, (label, _) in enumerate(quarters, start=1)):
        return {}
    return {(n, kind): col for n, (_, cols) in enumerate(quarters, start=1) for col, kind in cols}


def _order_offset(named: list[tuple[int, int]], least: int = 1) -> Optional[int]:
    """Quarters are printed in order: what a run's place adds up to its quarter, when the
    places that name theirs ((place, quarter), `least` of them at least) all agree."""
    if len(named) < least or len({q - i for i, q in named}) != 1:
        return None
    return named[0][1] - named[0][0]


def _quarters_in_kind_runs(split) -> dict[tuple[int, str], int]:
    """(quarter, kind) -> column for the quarters printed side by side under one label
    saying what they hold (`METAS PROGRAMADAS > Ene-Mar ... Oct-Dic`, then `METAS
    ALCANZADAS > ...`) whose own label OCR lost or garbled: quarters are printed in
    order, so the run's named ones (two at least, in order) place the others."""
    def label_of(parts) -> Optional[tuple[str, str]]:
        for part in reversed(parts):
            if quarter_of(part) is None and (kind := kind_of(part)) in ("P", "A"):
                return part, kind
        return None

    runs: list[tuple[tuple[str, str], list[int]]] = []
    for col, parts in enumerate(split):
        label = label_of(parts)
        if label is None:
            continue
        if runs and runs[-1][0] == label and runs[-1][1][-1] == col - 1:
            runs[-1][1].append(col)
        else:
            runs.append((label, [col]))
    out: dict[tuple[int, str], int] = {}
    for (label, kind), cols in runs:
        offset = _order_offset([(i, q) for i, col in enumerate(cols) if (q := quarter_of(split[col][-1]))], least=2)
        if offset is None:
            continue
        for i, col in enumerate(cols):
            last = split[col][-1]
            if 1 <= i + offset <= 4 and quarter_of(last) is None and (last == label or _garbled_quarter(last)):
                out[(i + offset, kind)] = col
    return out


def _quarters_by_order(paths) -> dict[int, int]:
    """Column -> quarter for P/A pairs whose quarter label is unreadable (a scan's
    `Ser. trim.` for `3er. trim.`) beside pairs that name theirs: quarters are printed
    in order, so a pair k places after the one naming quarter q is quarter q + k."""
    groups = [(label, [c for c, _ in cols]) for label, cols in _kind_groups(paths)]
    in_groups = {c for _, cols in groups for c in cols}
    out: dict[int, int] = {}
    for parent in {label[:-1] for label, _ in groups}:
        siblings = [(label, cols) for label, cols in groups if label[:-1] == parent]
        # a quarter's pair the reader left as one column, its P/A labels lost, still
        # takes its place in the order
        first, last = siblings[0][1][0], siblings[-1][1][-1]
        siblings = sorted(siblings + [((paths[c],), [c]) for c in range(first, last)
                                      if c not in in_groups and quarter_of(paths[c])], key=lambda s: s[1][0])
        # the named pairs must themselves be in order, one quarter a pair
        offset = _order_offset([(i, q) for i, (label, _) in enumerate(siblings)
                                if (q := quarter_of(" ".join(label)))])
        if offset is None:
            continue
        for i, (label, cols) in enumerate(siblings):
            if 1 <= i + offset <= 4 and quarter_of(" ".join(label)) is None and _garbled_quarter(label[-1]):
                out.update({c: i + offset for c in cols})
    return out


def _garbled_quarter(label: str) -> bool:
    """A label that reads like a quarter OCR got wrong (`Ser. trim.`, `Il`), not a
    column of its own (`ACUMULADO`, `TOTAL`)."""
    f = fold(label).replace(".", " ")
    return "trim" in f or any(m in f for m in _MONTH_STEMS) or \
        len(f.replace(" ", "")) <= 3 or bool(re.fullmatch(r"[ivxlt1|!]{1,5}", f.replace(" ", "")))  # `T1II` for `III`
