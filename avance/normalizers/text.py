"""OCR'd words repaired from a vocabulary: `AVUNTAMIENTO` -> `AYUNTAMIENTO`.

A word is repaired only when all of this holds (thresholds measured on the dev
corpus, see `normalize.py`):
- it has at least `MIN_LETTERS` letters and is not itself a known word (compared
  without accents and case: a known word is never turned into another one);
- exactly one vocabulary word is nearest to it, at an edit distance (on folded
  text) of at most `max_distance(len)`; a second word at the same distance makes
  the match ambiguous: nothing is changed and the caller flags it.
Accents are never added to a word that is known without them: born-digital text
keeps its printed spelling, and a restored accent on OCR'd text was measured to
be right less often than wrong (the reports print many words without accents).
The replacement takes the vocabulary's spelling in the case style of the word read.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Mapping, Optional

from rapidfuzz.distance import Levenshtein
from rapidfuzz.process import extract

from .catalogs import fold

MIN_LETTERS = 5
_WORD = re.compile(r"[A-Za-zÁÉÍÓÚÜÑáéíóúüñ]+")


def max_distance(n_letters: int) -> int:
    """Edits allowed for a word of n letters: 1 up to 9 letters, 2 from 10 on
    (at 2 edits an 8-letter word already reaches other words: `DESPACHO` -> `ESPACIO`)."""
    return 1 if n_letters < 10 else 2


@dataclass(frozen=True)
class WordRepair:
    raw: str
    value: Optional[str]  # None when ambiguous (not applied)
    candidates: tuple[str, ...]


_ENDINGS = ("", "S", "ES")
_GENDER = {"O": "A", "A": "O"}


def _stems(word: str) -> set[str]:
    out = {word}
    for end in ("ES", "S"):
        if word.endswith(end) and len(word) - len(end) >= 4:
            out.add(word[: -len(end)])
    return out


def _forms(word: str) -> set[str]:
    """Number and gender forms of a folded word (`ADULTAS` -> `ADULTA`, `ADULTO`, `ADULTOS`, ...)."""
    out = set()
    for stem in _stems(word):
        out |= {stem, stem + "S", stem + "ES"}
        if stem[-1:] in _GENDER:
            other = stem[:-1] + _GENDER[stem[-1]]
            out |= {other, other + "S"}
    return out


def inflection_of(a: str, b: str) -> bool:
    """Two folded words that differ only by number or gender (`ADULTAS`/`ADULTOS`,
    `PUBLICA`/`PUBLICAS`, `NACIONAL`/`NACIONALES`): both are words, neither an OCR slip."""
    return b in _forms(a) or a in _forms(b)


def match_case(word: str, target: str) -> str:
    if word.isupper():
        return target.upper()
    if word.islower():
        return target.lower()
    if word[:1].isupper():
        return target[:1].upper() + target[1:].lower()
    return target


class Vocabulary:
    """Folded word -> preferred spelling, with a fuzzy lookup."""

    def __init__(self, words: Mapping[str, str]):
        self.words = dict(words)
        self._keys = list(self.words)

    def __contains__(self, word: str) -> bool:
        return fold(word) in self.words

    def knows_inflection(self, folded: str) -> bool:
        """A number or gender form of a known word is a word too."""
        return any(f in self.words for f in _forms(folded))

    @lru_cache(maxsize=4096)
    def nearest(self, folded: str) -> tuple[int, tuple[str, ...]]:
        limit = max_distance(len(folded))
        hits = extract(folded, self._keys, scorer=Levenshtein.distance, score_cutoff=limit, limit=8)
        if not hits:
            return limit + 1, ()
        best = min(h[1] for h in hits)
        return best, tuple(sorted(h[0] for h in hits if h[1] == best))

    def repair_word(self, word: str) -> Optional[WordRepair]:
        """The repair of one word, or None when it needs none or none is known."""
        if len(word) < MIN_LETTERS or not word.isalpha():
            return None
        key = fold(word)
        if key in self.words:
            return None
        dist, cands = self.nearest(key)
        cands = tuple(c for c in cands if not inflection_of(key, c))
        if not cands or self.knows_inflection(key):
            return None
        if len(cands) > 1:
            return WordRepair(word, None, tuple(self.words[c] for c in cands))
        return WordRepair(word, match_case(word, self.words[cands[0]]), (self.words[cands[0]],))


def repair_text(text: Optional[str], vocab: Vocabulary) -> tuple[Optional[str], list[WordRepair]]:
    """The text with its unknown words repaired, and every repair (ambiguous ones too)."""
    if not text:
        return text, []
    repairs: list[WordRepair] = []

    def sub(m: re.Match) -> str:
        r = vocab.repair_word(m.group(0))
        if r is None:
            return m.group(0)
        repairs.append(r)
        return r.value if r.value is not None else m.group(0)

    return _WORD.sub(sub, text), repairs
