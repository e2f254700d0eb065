"""OCR'd words repaired to Spanish words: `Parcentaje` -> `Porcentaje`, `AVUNTAMIENTO` -> `AYUNTAMIENTO`.

The words a read word may become are those of the public Spanish lexicon
(`lexicon.py`: the `wordfreq` package's Spanish list, only its words of Zipf
frequency >= `MIN_TARGET_ZIPF`) plus the domain vocabulary
(`catalogs.domain_words()`: CONAC catalog names, units of measure, report
header words), which counts as a frequent word. A word is repaired only when
all of this holds:
- it is a run of at least `MIN_LETTERS` letters (no digit in or next to it: a
  code or a figure is never a word), and it is not itself a known word: not in
  the lexicon at any frequency, not a domain word or a number/gender form of one,
  not a person's name of `nombres_personas.csv`. Known words are compared
  without accents and case: a word that only lacks an accent is never changed;
- its OCR cost to the target is at most `MAX_COST`: an edit distance in
  which the confusions OCR makes (`l`/`i`, `e`/`c`, `a`/`o`, `rn`/`m`, `cl`/`d`,
  upper-case `O`/`D`, `C`/`G`..., see `_CONFUSIONS`) cost `CONFUSION_COST` and
  any other edit 1 (every repair seen on the dev scans cost 1 or less, at any
  word length);
- a word of fewer than `PLAIN_EDIT_MIN_LETTERS` letters becomes a lexicon word by
  confusions only: on the dev and real scans, half the plain-edit repairs of short
  words made another word (`dlerta` -> `alerta` for `oferta`, `gestida` ->
  `vestida`);
- it wins clearly: every other target within `COST_MARGIN` of its cost is at
  least `FREQUENCY_MARGIN` Zipf points rarer (ten times). Otherwise the
  repair is ambiguous: nothing is changed and the caller flags it;
- a word that looks like a name or an acronym (capitalized or all capitals
  inside text that has lower-case words, not at a sentence start; or any word
  in capitals shorter than `SHORT_CAPITALS`) is changed only at confusion cost
  `CONFUSION_COST` or less, unless it becomes a domain word: proper names are
  mostly missing from the lexicon and must not become common words;
- a word the lexicon has only among its rarest (Zipf < `RARE_ZIPF`, where its
  noise is: `prograna`) is changed only at confusion cost `CONFUSION_COST` to a
  word `RARE_MARGIN` Zipf points more frequent.
Accents: a frequent word read with an accent none of its frequent spellings
has (`socíal`, `Munícipal`: the dot of an `i` read as an accent) takes its most
frequent spelling (`social`, `Municipal`). Otherwise a replacement keeps the
word read's style: a word read with an accent mark gets the target's accented
spelling; a word read without any gets
the target without accents (the reports print many words without them, and a
restored accent was measured to be right less often than wrong), except a
domain word, which takes the spelling its catalog lists. The case style of the
word read is kept (`Parcentaje` -> `Porcentaje`, `EXTENSLONES` -> `EXTENSIONES`).
A word OCR broke in two with a space (`Porcenta je`) is joined first, where one piece is
no frequent word, neither is a link word or a letter, and together they make a frequent
word (or a word one confusion from one).
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Iterable, Mapping, Optional

from . import catalogs
from .lexicon import RARE_ZIPF, SpanishLexicon, fold_lower, spanish_lexicon

MIN_LETTERS = 5
# Spanish link words (articles, prepositions, conjunctions): an acronym's initials skip
# them (families/mir.py), OCR runs them into the word beside them, a speck after one is no
# full stop. Each use adds or leaves out a few.
LINK_WORDS = frozenset("a al con de del e el en la las los o para por su sus u y".split())
# words OCR runs into the word beside them (`ENLOS`, `porretraso`), and how frequent that
# word must be to be cut off them
_RUN_LINKS = (LINK_WORDS - {"e", "o", "u"}) | {"lo", "no", "que", "se", "un", "una"}
RUN_PART_ZIPF = 3.0
CONFUSION_COST = 0.5
COST_MARGIN = 0.5
FREQUENCY_MARGIN = 1.0
MAX_COST = 1.0  # one plain edit or two confusions
DOMAIN_ZIPF = 5.0  # a domain word ranks as a frequent word (`semaforización` is rare in general text)
SHORT_CAPITALS = 7  # capital words shorter than this are guarded like names
PLAIN_EDIT_MIN_LETTERS = 8  # shorter words are repaired by OCR confusions only
RARE_MARGIN = 3.0  # a rare word is repaired to a word 1000 times more frequent, at one confusion
_TOKEN = re.compile(r"\w+")
_SENTENCE_END = re.compile(r"[.:;!?¿¡(\"]\s*$")

# Pairs OCR confuses (read, meant), both ways; single letters by the case they were
# read in (lower-case and capital glyphs are confused differently), groups of letters
# (`rn` read for `m`) in lower case. Compared on folded text (no accents).
_LOWER_PAIRS = ["li", "lt", "ti", "ec", "co", "ao", "nu", "nm", "hb", "ft", "uv", "nñ", "ij", "gq", "rt"]
_UPPER_PAIRS = ["il", "ij", "od", "oq", "cg", "ef", "uv", "hn", "nñ", "pr", "bh", "ce", "mn"]
# `rm` for `mn`: the five strokes of small-type `mn` regrouped as an `r` and an `m` (the real
# Guanajuato scan reads `alumnos` as `alurmos` in most of its lines).
_GROUP_PAIRS = [("rn", "m"), ("cl", "d"), ("ri", "n"), ("in", "m"), ("ni", "m"),
                ("ii", "u"), ("li", "h"), ("vv", "w"), ("iu", "m"), ("nn", "m"), ("rm", "mn")]
# `ci` run together reads as `d` or `a` (`dudadana`, `Soaal`); the other way round it does not
_GROUPS = _GROUP_PAIRS + [(meant, seen) for seen, meant in _GROUP_PAIRS] + [("d", "ci"), ("a", "ci")]


def _pairs(pairs: Iterable[str]) -> frozenset[tuple[str, str]]:
    return frozenset({(p[0], p[1]) for p in pairs} | {(p[1], p[0]) for p in pairs})


_CONFUSIONS = {False: _pairs(_LOWER_PAIRS), True: _pairs(_UPPER_PAIRS)}


_ALPHABET = "abcdefghijklmnopqrstuvwxyzñ"
_PARTNERS: dict[str, str] = {}
for _a, _b in _CONFUSIONS[False] | _CONFUSIONS[True]:
    _PARTNERS[_a] = _PARTNERS.get(_a, "") + _b


def plain_edits(word: str) -> set[str]:
    """Every string one deletion, transposition, substitution or insertion away."""
    splits = [(word[:i], word[i:]) for i in range(len(word) + 1)]
    out = {a + b[1:] for a, b in splits if b}
    out |= {a + b[1] + b[0] + b[2:] for a, b in splits if len(b) > 1}
    out |= {a + c + b[1:] for a, b in splits if b for c in _ALPHABET}
    out |= {a + c + b for a, b in splits for c in _ALPHABET}
    return out


def confusion_edits(word: str) -> set[str]:
    """Every string one OCR confusion away (either case's letter pairs; `ocr_cost`
    then prices each candidate by the case the word was read in)."""
    out = {word[:i] + c + word[i + 1:] for i, x in enumerate(word) for c in _PARTNERS.get(x, "")}
    for seen, meant in _GROUPS:
        start = word.find(seen)
        while start >= 0:
            out.add(word[:start] + meant + word[start + len(seen):])
            start = word.find(seen, start + 1)
    return out


def _confusions_only(read: str, target: str) -> bool:
    """The target is reached by OCR confusions alone (no plain edit)."""
    return ocr_cost(read, target) <= MAX_COST and ocr_cost(read, target, plain=2 * MAX_COST + 1) <= MAX_COST


def ocr_cost(read: str, target: str, plain: float = 1.0) -> float:
    """Edit cost from the word read to a folded target: OCR confusions cost
    `CONFUSION_COST`, any other insertion, deletion or substitution `plain` (1)."""
    a, b = fold_lower(read), target
    confusions = [_CONFUSIONS[c.isupper()] for c in read]
    # the letter groups of the word read that OCR makes of other letters, by where they end
    groups_at: dict[int, list[tuple[int, str]]] = {}
    for seen, meant in _GROUPS:
        start = a.find(seen)
        while start >= 0:
            groups_at.setdefault(start + len(seen), []).append((len(seen), meant))
            start = a.find(seen, start + 1)
    n, m = len(a), len(b)
    prev = [float(j) * plain for j in range(m + 1)]
    rows = [prev]
    for i in range(1, n + 1):
        x, conf = a[i - 1], confusions[i - 1]
        cur = [float(i) * plain] + [0.0] * m
        for j in range(1, m + 1):
            y = b[j - 1]
            sub = prev[j - 1] + (0.0 if x == y else CONFUSION_COST if (x, y) in conf else plain)
            best = min(prev[j] + plain, cur[j - 1] + plain, sub)
            for ls, meant in groups_at.get(i, ()):
                lm = len(meant)
                if j >= lm and b[j - lm:j] == meant and rows[i - ls][j - lm] + CONFUSION_COST < best:
                    best = rows[i - ls][j - lm] + CONFUSION_COST
            cur[j] = best
        rows.append(cur)
        prev = cur
    return prev[m]


@dataclass(frozen=True)
class WordRepair:
    raw: str
    value: Optional[str]  # None when ambiguous (not applied)
    candidates: tuple[str, ...]


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
    a, b = a.upper(), b.upper()
    return b in _forms(a) or a in _forms(b)


def match_case(word: str, target: str) -> str:
    letters = [c for c in word if c.isalpha()]
    if word.isupper() or sum(c.isupper() for c in letters) * 3 >= len(letters) * 2:  # `PUBLlCAS`: capitals
        return target.upper()
        return target.upper()
    if word.islower():
        return target.lower()
    if word[:1].isupper():
        return target[:1].upper() + target[1:].lower()
    return target


def _has_accent(word: str) -> bool:
    return fold_lower(word) != word.lower()


class Vocabulary:
    """The words a read word is checked against and may be repaired to.

    `words`: domain vocabulary, folded upper-case word -> spelling (`catalogs.domain_words()`);
    `lexicon`: the public Spanish lexicon (None: the domain words alone, as in unit tests);
    `names`: folded words that are people's names: known, never targets."""

    def __init__(self, words: Mapping[str, str], lexicon: Optional[SpanishLexicon] = None,
                 names: Iterable[str] = ()):
        self.domain = {k.lower(): v for k, v in words.items()}
        self.lexicon = lexicon
        self.names = frozenset(n.lower() for n in names)
        self._zipf: dict[str, float] = dict(lexicon.zipf) if lexicon else {}
        for key in self.domain:
            self._zipf[key] = max(self._zipf.get(key, 0.0), DOMAIN_ZIPF)

    def __contains__(self, word: str) -> bool:
        return self.known(fold_lower(word))

    @lru_cache(maxsize=16384)
    def _in_lexicon(self, key: str) -> Optional[str]:
        """`frequent`, `uncommon`, `rare` or None (the scan of the rare words is the costly part)."""
        lexicon = self.lexicon
        if lexicon is None:
            return None
        if key in lexicon.zipf:
            return "frequent"
        if key in lexicon.uncommon:
            return "uncommon"
        return "rare" if key in lexicon.rare else None

    def zipf(self, key: str) -> float:
        """A folded word's Zipf frequency (a domain word's at least `DOMAIN_ZIPF`; 0 unknown)."""
        return self._zipf.get(key, 0.0)

    def known(self, key: str) -> bool:
        return (key in self.domain or key in self.names or self._in_lexicon(key) is not None
                or self.knows_inflection(key))

    def rare(self, key: str) -> bool:
        """Known only as one of the lexicon's rarest words (maybe its noise)."""
        return (self._in_lexicon(key) == "rare" and key not in self.domain and key not in self.names
                and not self.knows_inflection(key))

    def knows_inflection(self, key: str) -> bool:
        """A number or gender form of a domain word is a word too."""
        return any(f.lower() in self.domain for f in _forms(key.upper()))

    @lru_cache(maxsize=8192)
    def ranked(self, word: str) -> tuple[tuple[float, float, str], ...]:
        """(OCR cost, -Zipf, folded target) of the targets within `MAX_COST`, best first.
        The strings one plain edit or up to two confusions away are looked up (a few
        thousand dictionary look-ups, a millisecond), then priced exactly."""
        key = fold_lower(word)
        near = confusion_edits(key)
        near |= {w for x in near for w in confusion_edits(x)} | plain_edits(key)
        scored = []
        for target in near:
            if target == key or target not in self._zipf or inflection_of(key, target):
                continue
            cost = ocr_cost(word, target)
            if cost <= MAX_COST:
                scored.append((cost, -self._zipf[target], target))
        return tuple(sorted(scored))

    def spelling(self, word: str, target: str) -> str:
        if target in self.domain and not _has_accent(word):
            return match_case(word, self.domain[target])
        if _has_accent(word) and self.lexicon is not None:
            return match_case(word, self.lexicon.spelling(target))
        if target in self.domain and _has_accent(word):
            return match_case(word, self.domain[target])
        return match_case(word, target)

    def split_run_together(self, word: str, name_like: bool = False) -> Optional[WordRepair]:
        """A word OCR ran together with a link word beside it (`ENLOS`, `porretraso`,
        `APOYOSALA`, `Nose`): the word unknown, and one way only to cut it into link
        words (`_RUN_LINKS`) and at most one word of four letters or more and Zipf >=
        `RUN_PART_ZIPF`, in fewest pieces; of two such cuts the likelier by
        `FREQUENCY_MARGIN` (else left as read). Tried after a one-word repair
        (`alunmos` is `alumnos`, not `al un mos`)."""
        key = fold_lower(word)
        if len(key) < 4 or not word.isalpha() or self.known(key) and not self.rare(key):
            return None

        def weight(cut: tuple[int, ...]) -> float:
            at = [sum(cut[:i]) for i in range(len(cut))]
            return sum(self._zipf.get(key[a:a + n], 0.0) for a, n in zip(at, cut))

        # `a la` against `al a`: the link words' own frequencies tell (fewer pieces first)
        # a word that may be a name or an acronym (`SEBIEN`) is cut into link words only (`ENLOS`)
        cuts = sorted({c for c in self._cuts(key, 0, name_like) if len(c) > 1}, key=lambda c: (len(c), -weight(c)))
        if not cuts or len(cuts) > 1 and len(cuts[1]) == len(cuts[0]) and \
                weight(cuts[0]) - weight(cuts[1]) < FREQUENCY_MARGIN:
            return None
        pieces, start = [], 0
        for length in cuts[0]:
            pieces.append(word[start:start + length])
            start += length
        value = " ".join(pieces)
        return WordRepair(word, value, (value,))

    def _cuts(self, key: str, start: int, content_used: bool) -> list[tuple[int, ...]]:
        if start == len(key):
            return [()]
        out = []
        for end in range(start + 1, len(key) + 1):
            part = key[start:end]
            link = part in _RUN_LINKS
            content = not link and len(part) >= 4 and self._zipf.get(part, 0.0) >= RUN_PART_ZIPF
            if (link or content and not content_used) and (end < len(key) or start > 0):
                out += [(end - start, *rest) for rest in self._cuts(key, end, content_used or content)]
        return out

    def repair_word(self, word: str, name_like: bool = False) -> Optional[WordRepair]:
        """The repair of one word, or None when it needs none or none is known.
        `name_like`: the word may be a name or an acronym (only confusions repair it)."""
        if len(word) < MIN_LETTERS or not word.isalpha():
            return None
        key = fold_lower(word)
        if self.lexicon is not None and self.lexicon.misplaced_accent(word):
            fixed = match_case(word, self.lexicon.spelling(key))
            return WordRepair(word, fixed, (fixed,))
        rare = self.rare(key)
        if self.known(key) and not rare:
            return None
        ranked = self.ranked(word)
        if name_like:  # a name may be one edit from a common word; a catalog word it is not
            ranked = tuple(r for r in ranked if r[0] <= CONFUSION_COST or r[2] in self.domain)
        if rare:  # the list's noise is a slip of a word much more frequent
            ranked = tuple(r for r in ranked if r[0] <= CONFUSION_COST and -r[1] >= RARE_ZIPF + RARE_MARGIN)
        if not ranked:
            return None
        cost, neg_zipf, target = ranked[0]
        if len(key) < PLAIN_EDIT_MIN_LETTERS and not (_confusions_only(word, target) or target in self.domain):
            return None  # a short word one plain edit from a word is often another word
        rivals = [r for r in ranked[1:] if r[0] - cost < COST_MARGIN and (-r[1]) > -neg_zipf - FREQUENCY_MARGIN]
        if rivals:
            return WordRepair(word, None, tuple(self.spelling(word, t) for _, _, t in [ranked[0], *rivals]))
        return WordRepair(word, self.spelling(word, target), (self.spelling(word, target),))


def _name_like(text: str, start: int, word: str, mixed_case: bool) -> bool:
    """A capitalized or all-capitals word inside text that has lower-case words,
    not at its start nor after a sentence mark: a name or an acronym."""
    if not mixed_case or word.islower():
        return False
    return bool(text[:start].strip()) and not _SENTENCE_END.search(text[:start])


def _short_capitals(word: str) -> bool:
    """A short word in capitals may be an acronym or a name even in a text all in
    capitals (`SEBIEN MUNICIPAL`, `SEBIEN` is not `SEBIN`)."""
    return word.isupper() and len(word) < SHORT_CAPITALS


# `!` or `|` read inside or at the end of a word for its `l` (`Trimestra!`, `integra!`)
_BAR_IN_WORD = re.compile(r"(?<![\w¡])([^\W\d_]+)([!|])([^\W\d_]*)(?![\w])")


def _bars_as_letters(text: str, vocab: Vocabulary, repairs: list[WordRepair]) -> str:
    """A word with a `!` or `|` where its `l` (or, in capitals, `L` or `I`) makes a
    known word; not in text that opens an exclamation (`¡`)."""
    if "¡" in text:
        return text

    def sub(m: re.Match) -> str:
        head, _, tail = m.groups()
        letters = ("L", "I") if (head + tail).isupper() else ("l",)
        found = [head + c + tail for c in letters if vocab.known(fold_lower(head + c + tail))]
        if len(found) != 1:
            return m.group(0)
        repairs.append(WordRepair(m.group(0), found[0], (found[0],)))
        return found[0]

    return _BAR_IN_WORD.sub(sub, text)


# an opening mark glued to a word's start: a rule's sliver or a speck on a scan when the
# text never closes it (`¡Porcentaje`, `“económico`, `'vecinal`)
_OPENERS = {"¡": "!", "¿": "?", "“": "”", "«": "»", "‘": "’", "'": "'", "\"": "\""}
_OPENER_AT_WORD = re.compile(r"(?<!\S)([¡¿“«‘'\"])(?=[^\W\d_])")


def _unclosed_openers(text: str, repairs: list[WordRepair]) -> str:
    def sub(m: re.Match) -> str:
        if _OPENERS[m.group(1)] in text[m.end():]:
            return m.group(0)
        word = re.match(r"\S+", text[m.end():]).group(0)
        repairs.append(WordRepair(m.group(1) + word, word, (word,)))
        return ""
    return _OPENER_AT_WORD.sub(sub, text)


# a speck read as a full stop after a word no Spanish sentence ends with (`EN EL. QUEHACER`)
_STOP_LINKS = (LINK_WORDS - {"a", "o", "u"}) | {"que", "un", "una"}
_STOP_AFTER_LINK = re.compile(r"(?<![\w.])(" + "|".join(sorted(_STOP_LINKS, key=len, reverse=True)) + r")\.(?=\s+[^\W\d_])",
                              re.IGNORECASE)


def _stops_after_links(text: str, repairs: list[WordRepair]) -> str:
    def sub(m: re.Match) -> str:
        repairs.append(WordRepair(m.group(0), m.group(1), (m.group(1),)))
        return m.group(1)
    return _STOP_AFTER_LINK.sub(sub, text)


def trailing_speck(text: str, vocab: Vocabulary) -> tuple[str, Optional[WordRepair]]:
    """A name from a closed set (a catalog's, a header's) read with a speck after its
    last word (`PROTECCION SOCIAL.`, `DESARROLLO SOCIAL .`): the speck, where that last
    word is a whole known word, not an abbreviation (`ADMVA.`, `B.C.`); a lone dash or
    star a space after the last word whatever it is (`GOBIERNO DE TECATE -`)."""
    m = re.search(r"^(.*\w)\s+[-–—_*]$", text)
    if m:
        return m.group(1), WordRepair(text[len(m.group(1)):], "", ())
    m = re.search(r"(?<![.\w])([^\W\d_]{3,})\s?[.,]$", text)
    if not m or not vocab.known(fold_lower(m.group(1))):
        return text, None
    return text[:m.start()] + m.group(1), WordRepair(text[m.start():], m.group(1), (m.group(1),))


# a word OCR broke in two with a space (`Porcenta je`, `Segur idad`, `INSTITUC JONALES`)
_WORD = re.compile(r"(?<![\w-])[^\W\d_]+(?![\w-])")
JOINED_MIN_LETTERS = 5


def _broken_words(text: str, vocab: Vocabulary, repairs: list[WordRepair]) -> str:
    """Two pieces a space apart, one of them no frequent word and neither a link word
    nor a letter, that make one frequent word together (or a word one OCR confusion
    from one): joined."""
    def word(piece: str) -> bool:
        key = fold_lower(piece)
        return vocab.known(key) and not vocab.rare(key)

    def joined(a: str, b: str) -> Optional[str]:
        key = fold_lower(a + b)
        if len(key) < JOINED_MIN_LETTERS or word(a) and word(b):
            return None
        if any(len(x) < 2 or fold_lower(x) in LINK_WORDS for x in (a, b)):
            return None  # `a penado` is `a período`, `lievar a` is `llevar a`: not one word
        if word(key):
            return a + b if vocab.zipf(key) >= RUN_PART_ZIPF else None
        r = vocab.repair_word(a + b, name_like=True)  # confusions only
        return r.value if r is not None and r.value is not None else None

    words = list(_WORD.finditer(text))
    out, at = [], 0
    for m, n in zip(words, words[1:]):
        if m.start() < at or text[m.end():n.start()] != " ":
            continue
        found = joined(m.group(0), n.group(0))
        if found is None:
            continue
        out.append(text[at:m.start()] + found)
        repairs.append(WordRepair(text[m.start():n.end()], found, (found,)))
        at = n.end()
    return "".join(out) + text[at:] if out else text


def repair_text(text: Optional[str], vocab: Vocabulary) -> tuple[Optional[str], list[WordRepair]]:
    """The text with its unknown words repaired, and every repair (ambiguous ones too)."""
    if not text:
        return text, []
    repairs: list[WordRepair] = []
    text = _stops_after_links(_bars_as_letters(_unclosed_openers(text, repairs), vocab, repairs), repairs)
    text = _broken_words(text, vocab, repairs)
    mixed_case = any(c.islower() for c in text) and sum(c.isupper() for c in text) < sum(c.islower() for c in text)

    def sub(m: re.Match) -> str:
        word = m.group(0)
        if not word.isalpha():
            return word  # a code or a figure, or a word glued to one
        guarded = _name_like(text, m.start(), word, mixed_case) or _short_capitals(word)
        r = vocab.repair_word(word, guarded) or vocab.split_run_together(word, guarded)
        if r is None:
            return word
        repairs.append(r)
        return r.value if r.value is not None else word

    return _TOKEN.sub(sub, text), repairs


@lru_cache(maxsize=1)
def spanish_vocabulary() -> Vocabulary:
    """The pipeline's vocabulary: domain catalogs, the Spanish lexicon, people's names
    (built once per process, on the first OCR'd document)."""
    return Vocabulary(catalogs.domain_words(), spanish_lexicon(), catalogs.person_names())
