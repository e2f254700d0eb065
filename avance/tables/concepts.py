"""Columns found by what their headers say and what their cells hold.

A family declares the columns it needs as `Concept`s: a name (the field it fills),
the Spanish header vocabulary (words, abbreviations, synonyms) and the kind of
value. `match_columns` scores every (column, concept) pair by its header path
(fuzzy and OCR-tolerant, rapidfuzz) and by whether the column's cells hold that
kind of value, then assigns each concept at most one column and each column at
most one concept, best pairs first, whatever the column order. A value printed
one column off its header (a template whose headings drifted) is still found,
because a column's cells can vouch for the header beside it.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Optional, Sequence

from rapidfuzz import fuzz

from ..extractors.layout import fold as layout_fold, group_lines
from ..normalizers.numbers import parse_number
from .model import Cell, Table


@lru_cache(maxsize=65536)
def fold(text: str) -> str:
    """The layout's fold (accents dropped), lower case, punctuation as spaces."""
    return re.sub(r"[^a-z0-9%/ ]+", " ", layout_fold(text or "").lower()).strip()


@dataclass(frozen=True)
class Concept:
    name: str
    labels: tuple[str, ...]
    # text | formula (text, or terms joined by operators: `A/B*100`) | number | percent | code |
    # codes (dotted, several) | key (a row's own short code or number: `M.100`, `101`, `3`) |
    # date | choice (one of `values`) | period (a quarter named in any spelling: `ENERO-MARZO`,
    # `1er. trim.`, `T1`)
    kind: str = "text"
    values: tuple[str, ...] = ()
    # label words that must not be in the header (`modificado` for an approved budget)
    avoid: tuple[str, ...] = ()
    # free text: fewer words than this is a doubtful fit (an indicator's name is a phrase)
    min_words: int = 1
    # words that must not be in the column's own (deepest) header cell, whatever is above
    # it (`Descripción de variables de la fórmula` is no formula; a `DESCRIPCIÓN` title
    # over the columns says nothing)
    avoid_own: tuple[str, ...] = ()


# Below this a header says nothing about a concept.
HEADER_CUTOFF = 72.0
# What templates print over a column of row keys (a goal's, an objective's code or number);
# a family adds its own (`No. de meta`, `Clave del objetivo`).
ROW_KEY_LABELS = ("No.", "Núm.", "N°", "Número", "Clave", "Cve.", "Consecutivo")
_CODE = re.compile(r"^[A-Z]{1,2}\s?-?\d{2,4}[A-Z0-9]*$")
_DOTTED = re.compile(r"\d{1,2}(?:\.\d{1,2})+")
# A row's key: a number, letters and a number, or a dotted code (`M.100`, `101`, `A-3`, `12.`, `2.1.1`).
_KEY = re.compile(r"^(?:[A-Z]{1,3}\s?[.,-]?\s?)?\d{1,4}(?:\.\d{1,4})*[.)-]*$")
_DATE = re.compile(r"^\d{1,2}[/-]\d{1,2}[/-]\d{2,4}$")
# Two terms joined by an operator, a letter among them (`A/B*100`, `(NA / NP) x 100`).
_OPERATION = re.compile(r"(?=.*[A-Za-z])[\w)]\s*[/*×÷]\s*[\w(]")


def _tokens(text: str) -> list[str]:
    return fold(text).replace("/", " ").split()


@lru_cache(maxsize=65536)
def header_score(path: str, concept: Concept) -> float:
    """0..100: how well a column's header path names the concept. The deepest header
    cell counts most; the cells above it (`PRESUPUESTO >`) settle ties."""
    if not path:
        return 0.0
    parts = [fold(p) for p in path.split(" > ") if fold(p)]
    if not parts:
        return 0.0
    last, whole = parts[-1], " ".join(parts)
    if any(a in whole.split() for a in concept.avoid) or any(a in last.split() for a in concept.avoid_own):
        return 0.0
    best = 0.0
    for label in concept.labels:
        lab = fold(label)
        if len(lab) <= 3:  # an abbreviation (`PP`, `UR`) must be the header's own word
            score = 100.0 if lab in _tokens(last) and len(_tokens(last)) <= 2 else 0.0
        else:
            score = max(0.65 * fuzz.token_set_ratio(last, lab) + 0.35 * fuzz.token_set_ratio(whole, lab),
                        fuzz.ratio(last, lab))
            if len(set(lab.split()) & set(whole.split())) == 0 and fuzz.ratio(last, lab) < 80:
                score *= 0.7  # no word in common: a letter-level likeness only
            # OCR runs a header's words together (`U.DEMEDIDA`): letters alone, spaces and stops aside
            squeezed, lab_squeezed = re.sub(r"[\W_]", "", last), re.sub(r"[\W_]", "", lab)
            if len(lab_squeezed) >= 6 and squeezed != last:
                score = max(score, fuzz.ratio(squeezed, lab_squeezed))
        best = max(best, score)
    return best


def content_score(texts: Sequence[str], concept: Concept, choices: frozenset[str] = frozenset()) -> float:
    """0..1: how much of a column's non-empty cells hold the concept's kind of value.
    `choices` are the words other concepts' columns hold (`Anual`, `Eficacia`): a
    free-text column made of them is not free text."""
    filled = [t.strip() for t in texts if t and t.strip()]
    if not filled:
        return 0.5  # an empty column neither vouches nor objects
    return sum(_fit(t, concept, choices) for t in filled) / len(filled)


_PRINTED_NOTHING = {"sin ajuste", "n/a", "na", "nd", "s/d", "no aplica", "sin dato"}


@lru_cache(maxsize=65536)
def _cell(text: str) -> tuple[bool, str, int]:
    """What every concept asks of a cell, computed once: a figure?, folded, letters."""
    return parse_number(text) is not None, fold(text), sum(c.isalpha() for c in text)


@lru_cache(maxsize=262144)
def _fit(text: str, concept: Concept, choices: frozenset[str]) -> float:
    number, folded, letters = _cell(text)
    if concept.kind in ("number", "percent"):
        if number:
            return 1.0
        if folded in _PRINTED_NOTHING or folded in ("-", ""):
            return 0.3
        # a figure with a scan's specks after it (`25.47% o`, `22.82% o,`) is still a figure
        first, *rest = text.split() or [""]
        specks = rest and all(sum(c.isalnum() for c in t) <= 1 for t in rest)
        return 0.8 if specks and parse_number(first) is not None else 0.0
    if concept.kind == "code":
        return float(bool(_CODE.match(text.strip().upper())))
    if concept.kind == "key":
        return float(bool(_KEY.match(text.strip().upper())))
    if concept.kind == "codes":  # dotted codes, one or several (`1.1.4, 1.2.3`)
        if _DOTTED.search(text):
            return float(not any(c.isalpha() for c in text.replace("M", "")[:3]))
        # digits whose dots OCR lost (`423`, `35353`) may be codes: the header decides
        return 0.5 if re.fullmatch(r"\d{2,}(?:[\s,]+\d{2,})*", text.strip()) else 0.0
    if concept.kind == "date":
        return float(bool(_DATE.match(text.strip())))
    if concept.kind == "period":
        from .periods import quarter_of_cell  # (periods reads headers with this module's fold)
        if quarter_of_cell(text) is not None:
            return 1.0
        return 0.4 if letters >= 3 and not number else 0.0  # a period OCR garbled: the header decides
    words = folded.split()
    if concept.kind == "formula" and _OPERATION.search(text):
        return 1.0
    if concept.kind == "choice":
        return float(choose(text, concept.values) is not None)
    # free text: letters, not a bare figure, not a word another column chooses from
    if letters < 3:
        return 0.5 if _DOTTED.match(text.strip()) else 0.0  # a code that leads its text (a wrapped cell)
    if number:
        return 0.0
    if len(words) <= 2 and any(fuzz.ratio(" ".join(words), c) >= 85 for c in choices):
        return 0.0
    return 1.0 if len(words) >= concept.min_words else 0.6


def choose(text: str, values: Sequence[str]) -> Optional[str]:
    """The value of a closed list (`Anual`, `Propósito`) a cell's first word reads as, OCR slips allowed."""
    words = fold(text).split()
    if not words:
        return None
    best = max(values, key=lambda v: fuzz.ratio(words[0], fold(v)), default=None)
    return best if best is not None and fuzz.ratio(words[0], fold(best)) >= 80 else None


@dataclass(frozen=True)
class ColumnMatch:
    concept: str
    column: int
    header: float
    content: float
    shifted: bool  # the header that named it stands one column to the right


def _samples(cell: Optional[Cell], col: int) -> list[str]:
    """What a cell holds for the column matcher: its text, or each of its lines where
    every line is a figure (a tall cell with the figures of several goal lines)."""
    if cell is None or cell.col != col:
        return [""]
    if len(cell.words) < 2 or any(ch.isalpha() for ch in cell.text):
        return [cell.text]  # one line at most, or words: no line of it is a figure
    lines = group_lines(cell.words)
    if len(lines) > 1 and all(parse_number(l.text) is not None for l in lines):
        return [l.text for l in lines]
    return [cell.text]


def match_columns(table: Table, concepts: Sequence[Concept], rows: Optional[Sequence[int]] = None,
                  exclude: frozenset[int] = frozenset()) -> dict[str, ColumnMatch]:
    """The best assignment of concepts to columns under the best alignment: either
    every value under its own header, or, from some column on, every value one
    column left of its header (a template whose values drifted from their
    headings). The alignment whose cells agree best with their headers wins."""
    rows = list(rows) if rows is not None else list(table.body_rows())
    # a merged cell repeats under every column it spans: only its own column holds it
    own = [[t for r in rows for t in _samples(table.cell_at(r, c), c)] for c in range(table.n_cols)]
    choices = frozenset(fold(v) for c in concepts for v in c.values)
    headers = [[header_score(path, c) for c in concepts] for path in table.header_paths]
    # an empty column is still the column its header names (an empty template, a
    # quarter not reported yet): neutral content
    contents = [[None if col in exclude else content_score(own[col], c, choices)
                 for c in concepts] for col in range(table.n_cols)]
    aligned = _assign(concepts, headers, contents, table.n_cols, table.n_cols)
    if all(m.content >= 0.8 for m in aligned.values()):
        return aligned  # every value stands under its own header: nothing drifted
    best: tuple[float, dict[str, ColumnMatch]] = (-1.0, {})
    for start in [table.n_cols] + list(range(table.n_cols - 1)):
        matches = _assign(concepts, headers, contents, start, table.n_cols)
        total = sum(m.header * (0.45 + 0.55 * m.content) for m in matches.values())
        if total > best[0] + 1e-6:
            best = (total, matches)
    return best[1]


def _assign(concepts: Sequence[Concept], headers, contents, start: int, n_cols: int) -> dict[str, ColumnMatch]:
    pairs: list[tuple[float, ColumnMatch]] = []
    for col in range(n_cols):
        shift = 1 if col >= start else 0
        if col + shift >= n_cols:
            continue
        for i, concept in enumerate(concepts):
            content = contents[col][i]
            header = headers[col + shift][i]
            if content is None or header < HEADER_CUTOFF or content < 0.34:
                continue
            pairs.append((header * (0.45 + 0.55 * content), ColumnMatch(concept.name, col, header, content,
                                                                           bool(shift))))
    pairs.sort(key=lambda p: -p[0])
    taken: set[int] = set()
    out: dict[str, ColumnMatch] = {}
    for _, m in pairs:
        if m.concept not in out and m.column not in taken:
            out[m.concept] = m
            taken.add(m.column)
    return out


# A column named by its place needs most of its cells to fit its concept (figures; a
# banner's words spread over the columns are cells too: Chiapas' 2 of 3).
ORDER_CONTENT = 0.6


def fill_by_order(table: Table, matches: dict[str, ColumnMatch], concepts: Sequence[Concept],
                  sequences: Sequence[Sequence[Sequence[str]]]) -> dict[str, ColumnMatch]:
    """Columns whose headers OCR garbled (`MOD. - ANJAL` for `MODIF. ANUAL`, white type on a
    dark band), named by their place where a family prints concepts in a fixed order
    (`sequences`: each a list of places, each place the concepts it may be, e.g. programmed,
    modified, achieved targets then a percent of either). An unnamed column right after a
    named place takes the next place when the column after it is the place after that, or,
    for the sequence's last place, when it stands under the same heading above (`METAS >`);
    its cells must hold the concept's kind of value, and among a place's concepts its
    header's likeness (however weak) chooses, the first listed on a tie."""
    by_name = {c.name: c for c in concepts}
    out = dict(matches)
    taken = {m.column for m in out.values()}
    rows = list(table.body_rows())
    choices = frozenset(fold(v) for c in concepts for v in c.values)

    def parent(col: int) -> str:
        return table.header_paths[col].rpartition(" > ")[0]

    def named(place: Sequence[str]) -> Optional[ColumnMatch]:
        return next((out[n] for n in place if n in out), None)

    for sequence in sequences:
        for i in range(1, len(sequence)):
            before, place = named(sequence[i - 1]), sequence[i]
            if before is None or named(place) is not None or before.shifted:
                continue
            col = before.column + 1
            if col >= table.n_cols or col in taken:
                continue
            if i + 1 < len(sequence):  # a place between two: the next place is named, right after it
                after = named(sequence[i + 1])
                if after is None or after.column != col + 1:
                    continue
            elif not parent(col) or parent(col) != parent(before.column):  # the last place: under the same heading
                continue
            cells = [t for r in rows for t in _samples(table.cell_at(r, col), col)]
            fits = [(header_score(table.header_paths[col], by_name[n]), -k, n) for k, n in enumerate(place)
                    if n in by_name and content_score(cells, by_name[n], choices) >= ORDER_CONTENT]
            if not fits or not any(t.strip() for t in cells):
                continue
            score, _, name = max(fits)  # a tie goes to the place's first concept
            out[name] = ColumnMatch(name, col, score, content_score(cells, by_name[name], choices), False)
            taken.add(col)
    return out


# A column named by its cells alone needs them all but one of the concept's own shape.
CONTENT_ALONE = 0.9


# Kinds of value no other column of a table has: a column of them names itself.
SHAPED_KINDS = frozenset({"codes", "period"})


def fill_by_content(table: Table, matches: dict[str, ColumnMatch], concepts: Sequence[Concept],
                    exclude: frozenset[int] = frozenset()) -> dict[str, ColumnMatch]:
    """Columns whose header OCR garbled past reading (`, A ON` for `ALINEACIÓN PMD`,
    `o` for `PERIODO`) named by what their cells hold, for concepts whose values have a
    shape no other column has (lists of dotted codes, quarters): the one unnamed column
    where nearly every filled cell has it."""
    out = dict(matches)
    taken = {m.column for m in out.values()} | exclude
    rows = list(table.body_rows())
    choices = frozenset(fold(v) for c in concepts for v in c.values)
    for concept in concepts:
        if concept.kind not in SHAPED_KINDS or concept.name in out:
            continue
        fitting = []
        for col in range(table.n_cols):
            cells = [t for r in rows for t in _samples(table.cell_at(r, col), col) if t.strip()]
            if col not in taken and len(cells) >= 2 and content_score(cells, concept, choices) >= CONTENT_ALONE:
                fitting.append((col, content_score(cells, concept, choices)))
        if len(fitting) == 1:
            col, content = fitting[0]
            out[concept.name] = ColumnMatch(concept.name, col, header_score(table.header_paths[col], concept),
                                            content, False)
            taken.add(col)
    return out


def spanned_extent(table: Table, col: int, concept: Concept, taken: set[int]) -> tuple[float, float]:
    """A text column's extent over the untaken columns beside it whose header alone names
    the same concept: a label parted over two header cells (a word OCR lost in
    `DESCRIPCION DE LAS [METAS] / ACCIONES`, `UNIDAD | DE MEDIDA`) parts the header, not
    the column its cells' lines run across."""
    x0, x1 = table.column_extent(col)
    if concept.kind != "text":
        return x0, x1
    for step in (-1, 1):
        other = col + step
        while 0 <= other < table.n_cols and other not in taken and \
                header_score(table.header_paths[other], concept) >= HEADER_CUTOFF:
            a, b = table.column_extent(other)
            x0, x1 = min(x0, a), max(x1, b)
            other += step
    return x0, x1

