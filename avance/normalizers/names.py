"""Signatory names reconciled across a document: the same person read several
ways (`HELGA LUANA` / `HEIGA ILIANA` / `HELGA LILIANA CASANOVA LÓPEZ`) becomes
one spelling.

Two readings are the same person when they have as many words, at least half
of their words are equal (compared without accents and case), and every pair
of words is similar: normalized Levenshtein similarity of at least
`MIN_WORD_SIMILARITY` (measured on the dev corpus truth: distinct people of
one document that share half their words, e.g. `Rosa Elena Ramírez Pérez` /
`Rosa Elena González Arroyo`, differ in a word at similarity 0.17 or less;
the OCR variants in the real exports of shared/seeds score 0.57 or more:
`LUANA`/`LILIANA` 0.57, `LUANA`/`ILIANA` 0.67, `HEIGA`/`HELGA` 0.80).

For each word position of a group, the spelling chosen is the medoid of the
readings: the one with the least total edit distance to all the others
(weighted by how often each was read), ties broken by a vocabulary of Spanish
given names and surnames, then by frequency; its printed form is the most
frequent one, ties going to the accented form (OCR drops accents far more often
than it invents them). Every reading takes that spelling, accents included:
one person, one spelling. This runs on OCR'd documents only; born-digital
text keeps its printed accents.
"""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from typing import Optional, Sequence

from rapidfuzz.distance import Levenshtein

from .catalogs import fold, person_names

MIN_WORD_SIMILARITY = 0.5


@dataclass(frozen=True)
class NameChange:
    index: int  # position in the list of names given
    raw: str
    value: str


def same_person(a: str, b: str) -> bool:
    ta, tb = a.split(), b.split()
    if len(ta) != len(tb) or len(ta) < 2:
        return False
    fa, fb = [fold(x) for x in ta], [fold(x) for x in tb]
    equal = sum(x == y for x, y in zip(fa, fb))
    if equal * 2 < len(ta) or equal == len(ta):
        return equal == len(ta)
    return all(Levenshtein.normalized_similarity(x, y) >= MIN_WORD_SIMILARITY for x, y in zip(fa, fb))


def _groups(names: Sequence[Optional[str]]) -> list[list[int]]:
    parent = list(range(len(names)))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for i, a in enumerate(names):
        for j in range(i + 1, len(names)):
            b = names[j]
            if a and b and same_person(a, b):
                parent[find(i)] = find(j)
    groups: dict[int, list[int]] = {}
    for i, n in enumerate(names):
        if n:
            groups.setdefault(find(i), []).append(i)
    return [g for g in groups.values() if len(g) > 1]


def _medoid(readings: Counter) -> str:
    """The folded reading nearest to all the others."""
    known = person_names()

    def key(r: str):
        total = sum(n * Levenshtein.distance(r, o) for o, n in readings.items())
        return (total, r not in known, -readings[r], r)

    return min(readings, key=key)


def reconcile(names: Sequence[Optional[str]]) -> list[NameChange]:
    """The changes that give each person one spelling (indexes into `names`)."""
    changes: list[NameChange] = []
    for group in _groups(names):
        tokens = [names[i].split() for i in group]
        chosen: list[str] = []
        for k in range(len(tokens[0])):
            folded = Counter(fold(t[k]) for t in tokens)
            best = _medoid(folded)
            spellings = Counter(t[k] for t in tokens if fold(t[k]) == best)
            # most frequent printed spelling; on a tie the one with accents
            chosen.append(max(spellings, key=lambda s: (spellings[s], s != fold(s), s)))
        for i, toks in zip(group, tokens):
            new = list(chosen)  # one spelling per person, accents included
            if new != toks:
                changes.append(NameChange(i, names[i], " ".join(new)))
    return changes
