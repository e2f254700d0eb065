"""The public Spanish lexicon the OCR text repair checks words against.

The words and their frequencies are those of the `wordfreq` package's Spanish
"large" list (Wikipedia, subtitles, news, books, web and social text; data
licensed CC BY-SA 4.0 by its authors, not copied into this repository): about
335,000 alphabetic words, each with its Zipf frequency (log10 of the word's
frequency per billion words; `porcentaje` 4.5, `extensiones` 3.7,
`georreferenciación` 1.3).

It is read straight from the package's data file (a gzipped msgpack list of
frequency buckets), without importing `wordfreq` itself, whose import alone
takes seconds (it loads text-normalizing and language-tag libraries the
repair does not need). Loaded once per process, on first use, i.e. only by a
worker that repairs an OCR'd document: about 0.3 s and 16 MB (measured on a
busy 2-core machine).

Words are keyed folded: lower case, accents dropped, `ñ` kept
(`Capacitación` -> `capacitacion`), so a word that only lacks (or has a
different) accent is a known word; the spelling with accents kept for each key
is its most frequent one.
"""
from __future__ import annotations

import gzip
import importlib.util
import os
import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Iterator

import msgpack

WORDLIST = "large_es.msgpack.gz"
_ACCENTS = str.maketrans("áéíóúüàèìòùâêîôûäëïö", "aeiouuaeiouaeiouaeio")
_LEXICON_ACCENTS = (("á", "a"), ("é", "e"), ("í", "i"), ("ó", "o"), ("ú", "u"), ("ü", "u"))


def _fold_many(text: str) -> str:
    """Accents dropped from a long text of lexicon words (str.replace is much faster
    than str.translate on non-ASCII text)."""
    for accented, plain in _LEXICON_ACCENTS:
        text = text.replace(accented, plain)
    return text
_SPANISH_LINE = re.compile(r"^[a-zñáéíóúü]+$", re.MULTILINE)


def fold_lower(word: str) -> str:
    """`Capacitación` -> `capacitacion`; `Niño` -> `niño` (the lexicon's keys)."""
    return word.lower().translate(_ACCENTS)


# Words rarer than this are known (never "repaired") but never a repair target:
# they are mostly names, foreign words and misspellings. Zipf 2.5 is about 3 per
# 10 million words: `bacheo` 2.2 and `semaforización` 1.5 are below it,
# `pavimentación` 3.1 and `luminarias` 3.0 above.
MIN_TARGET_ZIPF = 2.5
# Words rarer still are, besides rare words, the list's own noise (`prograna` 1.3 for
# `programa`): such a word is repaired when it is one OCR confusion from a word a
# thousand times more frequent (`text.py`); `georreferenciación` (1.31) is near none.
RARE_ZIPF = 2.0


@dataclass(frozen=True)
class WordBlock:
    """Many words in one string, one a line: a membership test scans it (about a
    millisecond, and only for a word the frequent words lack), where a set of
    200,000 short strings would take 15 MB more of every worker's memory."""

    text: str

    def __contains__(self, folded: str) -> bool:
        return f"\n{folded}\n" in self.text


@dataclass(frozen=True)
class SpanishLexicon:
    """Every folded word the list has: the frequent ones (`zipf`, the repair's
    targets) with their frequency and accented spelling, the uncommon ones (Zipf
    `RARE_ZIPF` to `MIN_TARGET_ZIPF`) and the `rare` ones."""

    zipf: dict[str, float]
    accented: dict[str, str]
    uncommon: WordBlock
    rare: WordBlock
    spellings: frozenset[str]  # every accented spelling of a frequent word (`publicó`, `pública`)

    def __contains__(self, folded: str) -> bool:
        return folded in self.zipf or folded in self.uncommon or folded in self.rare

    def is_rare(self, folded: str) -> bool:
        """Known only among the list's rarest words (Zipf < `RARE_ZIPF`)."""
        return folded not in self.zipf and folded not in self.uncommon and folded in self.rare

    def frequency(self, folded: str) -> float:
        """Zipf frequency of a frequent folded word; 0 for a rare or unknown one."""
        return self.zipf.get(folded, 0.0)

    def spelling(self, folded: str) -> str:
        return self.accented.get(folded, folded)

    def misplaced_accent(self, word: str) -> bool:
        """A frequent word written with an accent none of its frequent spellings has
        (`socíal`, `Munícipal`: OCR reads the dot of an `i` as an accent)."""
        lower = word.lower()
        key = fold_lower(word)
        return key != lower and key in self.zipf and lower not in self.spellings


def wordlist_path() -> str:
    """The Spanish list inside the installed `wordfreq` package (not imported)."""
    spec = importlib.util.find_spec("wordfreq")
    if spec is None or not spec.submodule_search_locations:
        raise ModuleNotFoundError("the 'wordfreq' package (Spanish lexicon of the OCR text repair) is not installed")
    return os.path.join(list(spec.submodule_search_locations)[0], "data", WORDLIST)


def read_buckets(path: str) -> Iterator[list[str]]:
    """The list's words by frequency bucket: bucket i holds the words of frequency
    10 ** (-i / 100) (wordfreq's `cB` format, version 1). Read one bucket at a
    time, so the whole list is never in memory at once."""
    with gzip.open(path) as fh:
        unpacker = msgpack.Unpacker(fh, raw=False)
        n_items = unpacker.read_array_header()
        header = unpacker.unpack() if n_items else None
        if not isinstance(header, dict) or header.get("format") != "cB" or header.get("version") != 1:
            raise ValueError(f"{path}: not a wordfreq cB (version 1) list: {header!r}")
        for _ in range(n_items - 1):
            yield unpacker.unpack()


@lru_cache(maxsize=1)
def spanish_lexicon() -> SpanishLexicon:
    zipf: dict[str, float] = {}
    accented: dict[str, str] = {}
    uncommon: list[str] = []
    rare: list[str] = []
    spellings: set[str] = set()
    for i, bucket in enumerate(read_buckets(wordlist_path())):
        z = round(9.0 - i / 100.0, 2)
        # one regex and one replace per bucket, not per word: the load is on the
        # first OCR'd document of every worker. Words with digits, apostrophes or
        # other scripts are left out: never a repair target.
        words = _SPANISH_LINE.findall("\n".join(bucket))
        if not words:
            continue
        if z < MIN_TARGET_ZIPF:
            (rare if z < RARE_ZIPF else uncommon).append(_fold_many("\n".join(words)))
            continue
        for word, key in zip(words, _fold_many("\n".join(words)).split("\n")):
            if key != word:
                spellings.add(word)
            if key in zipf:
                continue  # buckets go from frequent to rare: the first spelling is the most frequent
            zipf[key] = z
            if key != word:
                accented[key] = word
    return SpanishLexicon(zipf, accented, WordBlock("\n" + "\n".join(uncommon) + "\n"),
                          WordBlock("\n" + "\n".join(rare) + "\n"), frozenset(spellings))

