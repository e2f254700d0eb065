"""Signature blocks: ELABORÓ / REVISÓ / SUPERVISÓ / AUTORIZÓ with name and title.

A block is a line made only of role labels laid out side by side (`ELABORÓ
REVISÓ AUTORIZÓ`, `Elaboró:`, `REVISADO POR`, `VO. BO.`), then, after the
space left for the signatures (and possibly rules or underscores), a line of
names (each maybe led by an honorific such as `C.P.` or `Lic.`) and one or
more lines of position titles, each centred under its label.

The reader works on geometry only:

1. label lines: every word a role label (OCR noise tolerated) or a filler
   (`POR`, `:`); each label owns a column spanning to the midpoints with its
   neighbours;
2. the name line: the first text line under the labels; cut into people by
   x-gaps and by honorific tokens, each person assigned to the label column
   holding its centre (several people under one label share its role);
3. title lines: the following lines, word by word to the nearest person,
   until a large vertical gap, another label line, or a line centred across
   several columns (`MUNICIPIO DE MÉRIDA, YUC.` under the whole block). A
   person's column may restart after a gap when a new line opens with an
   honorific (names stacked under one label).

On scanned pages (`page.source == "ocr"`) signatures and stamps are drawn over
the print, so the reader also: passes over specks on label and name lines
(letterless, one-letter or low-confidence tokens); gives a name column whose
label OCR lost the role its place implies (ELABORÓ, REVISÓ, [SUPERVISÓ],
AUTORIZÓ from left to right); repairs honorifics (`ARO.` -> `ARQ.`,
`€.` -> `C.`), needless accent marks (`Castíllo`), title abbreviations
(`DEPTO,` -> `DEPTO.`) and a name read twice with one word garbled. Every such
repair is an `info` flag (`read_signatories_with_flags`); text-layer pages are
read exactly as before. `reconcile_across_sections` does the last repair
across a whole scanned document.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Optional, Sequence

from ..extractors.layout import TextLine, collapse, fold, group_lines, make_line, typical_char_width
from ..records import Flag, Page, Provenance, SectionResult, Severity, Signatory, Word

ROLES = ("elaboro", "reviso", "superviso", "autorizo")

# Canonical label words (folded, letters only) and the role they stand for.
_LABEL_FORMS: dict[str, str] = {}
for _stem, _role in (("ELABOR", "elaboro"), ("REVIS", "reviso"), ("SUPERVIS", "superviso"),
                     ("AUTORIZ", "autorizo")):
    for _end in ("O", "ADO", "ADA", "A", "ADOPOR"):
        _LABEL_FORMS[_stem + _end] = _role
_VOBO = "vobo"  # `Vo. Bo.` / `VISTO BUENO`: resolved to a role once the whole block is known
_FILLERS = {"POR", "Y", "EL", "LA", "DE", "BUENO", "FIRMA", "NOMBRE", "CARGO"}
_VOBO_FIRST = {"VO", "VOBO", "VISTO", "V0", "V0B0", "VOB0"}

# Honorifics written without a dot (OCR often drops it); with a dot any short
# letter sequence qualifies (`L.A.E.`, `Profra.`, `M.C.`).
_BARE_HONORIFICS = {
    "LIC", "LICDA", "LICDO", "ING", "ARQ", "DR", "DRA", "MTRO", "MTRA", "PROFR", "PROFRA",
    "PROF", "CP", "MC", "LAE", "MVZ", "QFB", "ABOG", "LCP", "LCDA", "ENF", "TEC", "TS",
}
_DOTTED = re.compile(r"^(?:[A-Za-zÁÉÍÓÚÑáéíóúñ]{1,6}\.)+[A-Za-zÁÉÍÓÚÑáéíóúñ]{0,2}$")

_NOISE = re.compile(r"^[\W_]+$")  # underscores, rules typed as text, bullets


def _letters(text: str) -> str:
    t = fold(text).replace("0", "O").replace("1", "I").replace("5", "S")
    return re.sub(r"[^A-Z]", "", t)


def _edit_distance_le1(a: str, b: str) -> bool:
    if a == b:
        return True
    if abs(len(a) - len(b)) > 1:
        return False
    if len(a) == len(b):
        return sum(x != y for x, y in zip(a, b)) <= 1
    if len(a) > len(b):
        a, b = b, a
    for i in range(len(b)):
        if b[:i] + b[i + 1:] == a:
            return True
    return False


def label_role(text: str) -> Optional[str]:
    """The role a label word stands for (`ELABORÓ`, `Reviso:`, `AUTORIZ0`), else None."""
    t = _letters(text)
    if len(t) < 5:
        return None
    if t in _LABEL_FORMS:
        return _LABEL_FORMS[t]
    for form, role in _LABEL_FORMS.items():
        # OCR slips on the past-tense forms only: `SUPERVISAR` or `REVISION` are other words
        if form.endswith("O") and len(form) >= 6 and _edit_distance_le1(t, form):
            return role
    return None


def _is_vobo_start(text: str) -> bool:
    return _letters(text) in _VOBO_FIRST


# Below this OCR confidence a short token is taken for a speck of a signature
# or a stamp rather than printed text.
_JUNK_CONF = 50.0


def _is_ocr_junk(w: Word) -> bool:
    """A token a scan leaves where a signature, a stamp or dirt crosses the
    print: no letters at all, or read with low confidence."""
    letters = _letters(w.text)
    if not any(c.isalpha() for c in w.text) or (len(letters) <= 1 and letters not in _FILLERS):
        return True  # `:`, `|`, `i` (a speck or the scan's edge)
    return w.conf is not None and w.conf < _JUNK_CONF


@dataclass
class _Label:
    role: str
    x0: float
    x1: float
    inferred: bool = False  # not read: its column's place in the block gave the role

    @property
    def xmid(self) -> float:
        return (self.x0 + self.x1) / 2


def label_groups(line: TextLine, ocr: bool = False) -> Optional[list[_Label]]:
    """The labels of a label-only line, left to right; None if the line holds other text.

    On a scan (`ocr`), specks left by a signature or a stamp drawn over the
    labels (letterless or low-confidence tokens) are passed over."""
    out: list[_Label] = []
    junk = 0
    for w in line.words:
        role = label_role(w.text)
        letters = _letters(w.text)
        if ocr and not role and not _is_vobo_start(w.text) and _is_ocr_junk(w):
            junk += 1
            continue
        if role:
            out.append(_Label(role, w.x0, w.x1))
        elif _is_vobo_start(w.text):
            out.append(_Label(_VOBO, w.x0, w.x1))
        elif not letters or letters in _FILLERS or (letters in {"BO", "B"} and out and out[-1].role == _VOBO):
            if out:
                out[-1].x1 = max(out[-1].x1, w.x1)
        else:
            return None
    if not out or junk > len(out):
        return None
    return out


def _resolve_vobo(labels: list[_Label]) -> None:
    roles = {l.role for l in labels}
    for l in labels:
        if l.role == _VOBO:
            l.role = "reviso" if "autorizo" in roles else "autorizo"


# --------------------------------------------------------------------------
# honorifics
# --------------------------------------------------------------------------

def is_honorific(token: str) -> bool:
    t = token.strip(",;:")
    if not t:
        return False
    if _DOTTED.match(t):
        return sum(c.isalpha() for c in t) <= 7
    return _letters(t) in _BARE_HONORIFICS and t.isalpha()


def split_honorific(tokens: Sequence[str]) -> tuple[Optional[str], list[str]]:
    """Leading honorific tokens (`C.P.`, `Lic.`, `M. C.`) and the name tokens after them."""
    i = 0
    while i < len(tokens) - 1 and is_honorific(tokens[i]):
        i += 1
    if i and len(tokens) - i < 2 and not _DOTTED.match(tokens[0]):
        i = 0  # a bare `LIC` before a one-word "name" is probably not an honorific
    if i == 0:
        return None, list(tokens)
    parts = [t.strip(",;:") for t in tokens[:i]]
    if all(len(p.rstrip(".")) <= 2 for p in parts):
        hon = "".join(parts)  # `C. P.` -> `C.P.`
    else:
        hon = " ".join(parts)
    return hon.upper(), list(tokens[i:])


# --------------------------------------------------------------------------
# block reading
# --------------------------------------------------------------------------

@dataclass
class _Person:
    role: str
    words: list[Word]
    title_lines: list[list[Word]] = field(default_factory=list)
    last_bottom: float = 0.0
    closed: bool = False
    x0: float = 0.0
    x1: float = 0.0
    inferred: bool = False

    @property
    def xmid(self) -> float:
        return (self.x0 + self.x1) / 2


def _is_noise_line(line: TextLine) -> bool:
    return all(_NOISE.match(w.text) for w in line.words)


def _split_people(words: Sequence[Word], gap: float) -> list[list[Word]]:
    """A name line cut into people: at wide gaps, and before an honorific that
    follows at least two name words (`... Esquer Ing. Jesús ...`)."""
    chunks: list[list[Word]] = []
    ordered = sorted(words, key=lambda w: w.x0)
    for i, w in enumerate(ordered):
        if not chunks or w.x0 - chunks[-1][-1].x1 > gap:
            chunks.append([w])
            continue
        cur = chunks[-1]
        n_name = sum(1 for x in cur if not is_honorific(x.text))
        # a dotted word ending the line (`RUIZ.`) leads no name: not an honorific
        leads = i + 1 < len(ordered) and ordered[i + 1].x0 - w.x1 <= gap
        if is_honorific(w.text) and n_name >= 2 and not is_honorific(cur[-1].text) and leads:
            chunks.append([w])
        else:
            cur.append(w)
    return chunks


def _name_words(chunk: Sequence[Word]) -> list[str]:
    return [w.text for w in chunk if not is_honorific(w.text)]


def _has_honorific_name(words: Sequence[Word], gap: float) -> bool:
    for chunk in _split_people(words, gap):
        if is_honorific(chunk[0].text):
            rest = [t for t in _name_words(chunk) if sum(c.isalpha() for c in t) >= 2]
            if len(rest) >= 2:
                return True
    return False


def _reads_like_names(words: Sequence[Word], gap: float) -> bool:
    for chunk in _split_people(words, gap):
        toks = _name_words(chunk)
        if len(toks) >= 2 and all(t.replace(".", "").isalpha() for t in toks) \
                and sum(len(t) >= 3 for t in toks) >= 2:
            return True
    return False


def _column_bounds(labels: Sequence[_Label], page: Page) -> list[tuple[float, float]]:
    mids = [l.xmid for l in labels]
    bounds = []
    for i, m in enumerate(mids):
        left = (mids[i - 1] + m) / 2 if i > 0 else None
        right = (m + mids[i + 1]) / 2 if i + 1 < len(mids) else None
        half = None
        if left is not None:
            half = m - left
        if right is not None:
            half = max(half or 0, right - m)
        if half is None:
            half = page.width * 0.25
        bounds.append((left if left is not None else m - half * 1.3,
                       right if right is not None else m + half * 1.3))
    return bounds


def _nearest(people: Sequence[_Person], x: float) -> int:
    return min(range(len(people)), key=lambda i: abs(people[i].xmid - x))


def _is_footer(line: TextLine, people: Sequence[_Person], gap: float) -> bool:
    """A line centred across several people's columns (`SECRETARÍA MUNICIPAL DE
    BIENESTAR` under the whole block), not a title under one person."""
    if len(people) < 2:
        return False
    order = sorted(people, key=lambda p: p.xmid)
    cuts = [(a.xmid + b.xmid) / 2 for a, b in zip(order, order[1:])]
    for chunk in _chunks(line.words, gap):
        lo, hi = chunk[0].x0, chunk[-1].x1
        width = max(hi - lo, 1.0)
        for c in cuts:
            if lo + 0.2 * width < c < hi - 0.2 * width:
                # crosses a column cut: a footer unless each piece sits centred under its own person
                pieces: dict[int, list[Word]] = {}
                for w in chunk:
                    pieces.setdefault(_nearest(order, w.xmid), []).append(w)
                for idx, ws in pieces.items():
                    p = order[idx]
                    colw = _col_width(order, idx)
                    centre = (ws[0].x0 + ws[-1].x1) / 2
                    if abs(centre - p.xmid) > 0.3 * colw:
                        return True
    return False


def _drop_orphan_titles(words: Sequence[Word], people: Sequence[_Person], gap: float) -> list[Word]:
    """On a scan: a title line's words without the run lying wholly between two
    neighbouring people's names, when the line also holds at least two titles
    of its own people: the title of a column whose name the signature hid from
    OCR, not a footer under the whole block."""
    order = sorted(people, key=lambda p: p.xmid)
    chunks = _chunks(words, gap)
    orphan = [c for c in chunks
              if any(a.x1 < c[0].x0 and c[-1].x1 < b.x0 for a, b in zip(order, order[1:]))]
    if not orphan or len(chunks) - len(orphan) < 2:
        return list(words)
    drop = {id(w) for c in orphan for w in c}
    return [w for w in words if id(w) not in drop]


def _col_width(order: Sequence[_Person], idx: int) -> float:
    widths = []
    if idx > 0:
        widths.append(order[idx].xmid - order[idx - 1].xmid)
    if idx + 1 < len(order):
        widths.append(order[idx + 1].xmid - order[idx].xmid)
    return max(widths) if widths else order[idx].x1 - order[idx].x0


def _chunks(words: Sequence[Word], gap: float) -> list[list[Word]]:
    out: list[list[Word]] = []
    for w in sorted(words, key=lambda w: w.x0):
        if out and w.x0 - out[-1][-1].x1 <= gap:
            out[-1].append(w)
        else:
            out.append([w])
    return out


def _line_height(words: Sequence[Word]) -> float:
    hs = sorted(w.height for w in words)
    return hs[len(hs) // 2] if hs else 8.0


@dataclass
class _Read:
    """One signatory as read, with the repairs made on the way and the words
    of its name (their OCR confidence settles a name read twice)."""
    sig: Signatory
    flags: list[Flag]
    name_words: list[Word]
    ocr: bool
    # for provenance: the person's name-line words (honorific first) and title words
    words: list[Word] = field(default_factory=list)
    title_words: list[Word] = field(default_factory=list)


def _is_speck(w: Word) -> bool:
    """On a scan: a token of a signature stroke or a stamp rather than print
    (no letters, or at most two letters read with low confidence)."""
    text = "".join(_HONORIFIC_CONFUSIONS.get(c, c) for c in w.text)
    n_alpha = sum(c.isalpha() for c in text)
    if not n_alpha:
        return True
    return w.conf is not None and w.conf < _JUNK_CONF and n_alpha <= 2 and not is_honorific(text)


def _chunk_reads_like_name(chunk: Sequence[Word]) -> bool:
    """A person's name: an honorific and a name word, or two words of letters."""
    toks = [w.text for w in chunk]
    name = [t for t in toks if not is_honorific(t)]
    alpha = [t for t in name if t.replace(".", "").isalpha() and len(t) >= 3]
    if toks and is_honorific(toks[0]) and alpha:
        return True
    return len(alpha) >= 2


def _infer_roles(slots: Sequence[Optional[str]]) -> list[Optional[str]]:
    """Roles for the columns whose label was not read (None), from their place
    among the read ones in the usual order ELABORÓ, REVISÓ, [SUPERVISÓ],
    AUTORIZÓ: a last column authorises, a first one prepares, one in between
    takes the next role after its left neighbour. None where no role fits."""
    out = list(slots)
    i = 0
    while i < len(out):
        if out[i] is not None:
            i += 1
            continue
        j = i
        while j < len(out) and out[j] is None:
            j += 1
        left = ROLES.index(out[i - 1]) if i > 0 else -1
        right = ROLES.index(out[j]) if j < len(out) else len(ROLES)
        avail = list(ROLES[left + 1:right])
        n = j - i
        if 0 < n <= len(avail):
            if j == len(out) and i > 0:
                pick = avail[:n - 1] + [avail[-1]]
            else:
                pick = avail[:n]
            out[i:j] = pick
        i = j
    return out


def _infer_missing_labels(labels: list[_Label], chunks: Sequence[Sequence[Word]]) -> list[_Label]:
    """On a scan a signature or a stamp drawn over a label can hide it from
    OCR. A name column lying far from every read label (a column's width away,
    not just off-centre as when two people share one label) gets the label its
    place in the block implies; such labels are marked `inferred`."""
    named = [c for c in chunks if _chunk_reads_like_name(c)]
    if len(named) < 2:
        return labels
    mids = sorted((c[0].x0 + c[-1].x1) / 2 for c in named)
    diffs = sorted(b - a for a, b in zip(mids, mids[1:]))
    spacing = diffs[len(diffs) // 2]
    if spacing <= 0:
        return labels
    orphans = []
    for c in named:
        m = (c[0].x0 + c[-1].x1) / 2
        if min(abs(m - l.xmid) for l in labels) > 0.6 * spacing:
            orphans.append(_Label("", c[0].x0, c[-1].x1, inferred=True))
    if not orphans:
        return labels
    merged = sorted(list(labels) + orphans, key=lambda l: l.xmid)
    roles = _infer_roles([None if l.inferred else l.role for l in merged])
    out = []
    for l, role in zip(merged, roles):
        if l.inferred:
            if role is None:
                continue
            l.role = role
        out.append(l)
    return out


def _read_block(page: Page, lines: list[TextLine], k: int, labels: list[_Label]) -> list[_Read]:
    ocr = page.source == "ocr"
    label_line = lines[k]
    _resolve_vobo(labels)
    cw = typical_char_width(page.words)
    gap = max(2.5 * cw, 6.0)
    h = _line_height(label_line.words)
    bounds = _column_bounds(labels, page)
    lo_all, hi_all = bounds[0][0], bounds[-1][1]
    if ocr:  # a column whose label the scan lost lies outside the read labels' columns
        lo_all, hi_all = min(lo_all, 0.0), max(hi_all, page.width)
    max_drop = max(12 * h, page.height * 0.2)  # room left for the signatures

    def keep(words: Sequence[Word]) -> list[Word]:
        return [w for w in words if lo_all <= w.xmid <= hi_all and not (ocr and _is_speck(w))]

    # the name line: the first line under the labels with a name led by an
    # honorific; failing that, the first line that reads like names. Scanned
    # signatures and stamps leave short junk tokens in between.
    candidates: list[tuple[int, TextLine]] = []
    for j in range(k + 1, len(lines)):
        ln = lines[j]
        if ln.top - label_line.bottom > max_drop or label_groups(ln, ocr) is not None:
            break
        ws = keep(ln.words)
        if ws and not _is_noise_line(make_line(ws)):
            candidates.append((j, make_line(ws)))
    if not candidates:
        return []
    pick = next((c for c in candidates if _has_honorific_name(c[1].words, gap)), None)
    if pick is None:
        pick = next((c for c in candidates if _reads_like_names(c[1].words, gap)), candidates[0])
    j, name_line = pick
    used: set[int] = set()
    if ocr:  # a signature crossing the name line can lift part of it onto a line of its own
        name_line, used = _merge_lifted(name_line, [c[1] for c in candidates if c[0] != j], gap)

    chunks = _split_people(name_line.words, gap)
    if ocr:
        labels = _infer_missing_labels(labels, chunks)
        bounds = _column_bounds(labels, page)
        lo_all, hi_all = bounds[0][0], bounds[-1][1]
        chunks = [c for c in chunks if lo_all <= (c[0].x0 + c[-1].x1) / 2 <= hi_all]
        if not chunks:
            return []
        name_line = make_line([w for c in chunks for w in c])
    cols = [_column_of((c[0].x0 + c[-1].x1) / 2, bounds) for c in chunks]
    if len(chunks) == len(labels) and sorted(c for c in cols if c is not None) != list(range(len(labels))):
        cols = list(range(len(labels)))  # names run together: one per label, in reading order
    people: list[_Person] = []
    for chunk, col in zip(chunks, cols):
        if col is None:
            continue
        same = [p for p in people if p.role == labels[col].role and _column_of(p.xmid, bounds) == col]
        if same and chunk[0].x0 - same[-1].words[-1].x1 <= 6 * cw and not is_honorific(chunk[0].text):
            same[-1].words.extend(chunk)  # a name cut by a wide space, not a second person
            same[-1].x1 = chunk[-1].x1
            continue
        people.append(_Person(labels[col].role, list(chunk), last_bottom=name_line.bottom,
                              x0=chunk[0].x0, x1=chunk[-1].x1, inferred=labels[col].inferred))
    if not people:
        return []

    name_h = _line_height(name_line.words)
    title_gap = max(1.0 * name_h, 3.0)
    slots = list(people)  # per name column: the person now collecting lines
    everyone = list(people)
    prev_bottom = name_line.bottom
    for ln in lines[j + 1:]:
        ws = [w for w in keep(ln.words) if id(w) not in used]
        if not ws:
            continue
        if ln.top - prev_bottom > max_drop or label_groups(ln, ocr) is not None:
            break
        if ocr:
            ws = _drop_orphan_titles(ws, people, gap)
        line = make_line(ws)
        if _is_noise_line(line):
            continue
        if _is_footer(line, people, gap):
            break
        prev_bottom = line.bottom
        groups: dict[int, list[Word]] = {}
        for w in line.words:
            groups.setdefault(_nearest(people, w.xmid), []).append(w)
        for idx, gws in sorted(groups.items()):
            p = slots[idx]
            opens_name = is_honorific(gws[0].text) and len(gws) >= 3
            if not p.closed and line.top - p.last_bottom <= title_gap and not (p.title_lines and opens_name):
                p.title_lines.append(gws)
                p.last_bottom = line.bottom
                continue
            p.closed = True
            if opens_name:  # a person stacked under the same label
                q = _Person(p.role, gws, last_bottom=line.bottom, x0=gws[0].x0, x1=gws[-1].x1,
                            inferred=p.inferred)
                slots[idx] = q
                everyone.append(q)
    ordered = sorted(everyone, key=lambda p: (ROLES.index(p.role), p.words[0].top, p.x0))

    out: list[_Read] = []
    for p in ordered:
        words = sorted(p.words, key=lambda w: w.x0)
        toks = [w.text for w in words]
        raw_first = toks[0] if toks else ""
        if ocr and toks:
            toks[0] = "".join(_HONORIFIC_CONFUSIONS.get(c, c) for c in toks[0])
            if toks[0] in {"c", "C"} and len(toks) >= 3:
                toks[0] = "C."  # `C.` with its dot lost to the scan
        toks = _trim(toks)
        hon, name_toks = split_honorific(toks)
        raw_hon = raw_first if hon is not None and toks and raw_first != toks[0] else None
        title_toks = _trim([w.text for ws in p.title_lines for w in sorted(ws, key=lambda w: w.x0)])
        flags: list[Flag] = []
        if ocr:
            hon, name_toks, title_toks, flags = _repair_ocr(p.role, hon, name_toks, title_toks, raw_hon)
            if p.inferred:
                flags.insert(0, _flag(p.role, "role", None, p.role,
                                      f"The label over this signature column was not read on the scan; "
                                      f"'{p.role}' was inferred from the column's place in the block "
                                      f"(ELABORÓ, REVISÓ, SUPERVISÓ, AUTORIZÓ from left to right)."))
        title = collapse(" ".join(title_toks))
        name_set = set(name_toks)
        out.append(_Read(Signatory(role=p.role, name=collapse(" ".join(name_toks)), honorific=hon, title=title),
                         flags, [w for w in words if w.text in name_set], ocr, words,
                         [w for ws in p.title_lines for w in ws]))
    return out


def _merge_lifted(name_line: TextLine, others: Sequence[TextLine], gap: float) -> tuple[TextLine, set[int]]:
    """On a scan, the name line with the words OCR set on a line of their own a
    little above or below it because a signature crosses them: a run of words
    of letters lying wholly inside a wide gap between two of the name line's
    words (`C.  [ALEJANDRA GUTIÉRREZ]  BOLAÑOS`)."""
    h = _line_height(name_line.words)
    ws = sorted(name_line.words, key=lambda w: w.x0)
    holes = [(a.x1, b.x0) for a, b in zip(ws, ws[1:]) if b.x0 - a.x1 > gap]
    added: list[Word] = []
    for ln in others:
        if abs(ln.ymid - name_line.ymid) > 1.5 * h:
            continue
        for chunk in _chunks(ln.words, gap):
            lo, hi = chunk[0].x0, chunk[-1].x1
            if not all(sum(c.isalpha() for c in w.text) >= 3 for w in chunk):
                continue
            for a, b in holes:
                if a < lo and hi < b and lo - a <= gap and b - hi <= gap:
                    added.extend(chunk)
                    break
    if not added:
        return name_line, set()
    return make_line(list(name_line.words) + added), {id(w) for w in added}


def _trim(tokens: Sequence[str]) -> list[str]:
    """Tokens without the letterless specks (`.`, `,`, `5`) a scan leaves at either end."""
    toks = list(tokens)
    while toks and not any(c.isalpha() for c in toks[0]):
        toks.pop(0)
    while toks and not any(c.isalpha() for c in toks[-1]):
        toks.pop()
    return toks


def _column_of(x: float, bounds: Sequence[tuple[float, float]]) -> Optional[int]:
    return next((i for i, (a, b) in enumerate(bounds) if a <= x < b), None)


def _skew(words: Sequence[Word]) -> float:
    """Median slope (dy/dx) between neighbouring words of one text line: a
    scanned page is often printed a degree or two off the horizontal."""
    cw = typical_char_width(words)
    ws = sorted(words, key=lambda w: w.x0)
    slopes: list[float] = []
    for i, a in enumerate(ws):
        for b in ws[i + 1:]:
            if b.x0 - a.x1 > 3 * cw:
                break
            if b.x0 < a.x1 - 0.5 or abs(a.height - b.height) > 0.3 * a.height:
                continue
            if abs(b.ymid - a.ymid) < 0.6 * a.height:
                slopes.append((b.ymid - a.ymid) / max(b.xmid - a.xmid, 1e-6))
                break
    if len(slopes) < 6:
        return 0.0
    slopes.sort()
    return slopes[len(slopes) // 2]


def _levelled(page: Page) -> Sequence[Word]:
    """The page's words with the scan's skew taken out (digital pages unchanged)."""
    slope = _skew(page.words) if page.source != "text_layer" else 0.0
    if abs(slope) < 0.003:
        return page.words
    x_ref = page.width / 2
    out = []
    for w in page.words:
        dy = slope * (w.xmid - x_ref)
        out.append(Word(x0=w.x0, top=w.top - dy, x1=w.x1, bottom=w.bottom - dy, text=w.text, conf=w.conf))
    return out


# --------------------------------------------------------------------------
# OCR repairs (scanned pages only; each one reported as an `info` flag)
# --------------------------------------------------------------------------

def _flag(role: str, fld: str, raw: Optional[str], value: Optional[str], message: str) -> Flag:
    return Flag(table="signatories", row_key=role, field=fld, rule="ocr_repair", severity=Severity.INFO,
                raw_value=raw, value=value, message=message)


_KNOWN_HONORIFICS = _BARE_HONORIFICS | {"C", "SR", "SRA", "SRTA", "BIOL", "QUIM", "ACT", "PSIC", "LEF", "LAP"}


def repair_honorific(hon: Optional[str]) -> Optional[str]:
    """An honorific as OCR misread it (`ARO.` for `ARQ.`, `LIC` with its dot
    lost) in the usual printed form; None when it needs no repair."""
    if not hon or " " in hon:
        return None
    letters = _letters(hon)
    if letters in _KNOWN_HONORIFICS:
        if "." in hon:
            return None
        return "C.P." if letters == "CP" else letters + "."  # the dot lost
    if hon.count(".") != 1 or not hon.endswith(".") or len(letters) < 3:
        return None
    near = [k for k in _KNOWN_HONORIFICS
            if len(k) == len(letters) and sum(a != b for a, b in zip(k, letters)) == 1]
    if not near and len(letters) >= 4:  # one letter too many: a stroke read as `I` (`MITRA.`)
        near = [k for k in _KNOWN_HONORIFICS
                if len(k) == len(letters) - 1 and any(letters[:i] + letters[i + 1:] == k for i in range(len(letters)))]
    return near[0] + "." if len(near) == 1 else None


# Characters OCR reads for a letter of an honorific (`€.` for `C.`).
_HONORIFIC_CONFUSIONS = {"€": "C", "©": "C"}

# Abbreviations of position titles that are not words (`DEPTO.`): OCR turns
# the dot into a comma or drops it.
_TITLE_ABBREVIATIONS = {"DEPTO", "DPTO", "COORD", "GRAL", "ADMVO", "ADMVA", "ADMTVO", "SRIO", "SRIA", "MPAL",
                        "ADMON", "SUBDIR"}
_STRONG = set("aeoáéó")
_VOWELS = set("aeiouáéíóúü")
_ACUTE = {"á": "a", "é": "e", "í": "i", "ó": "o", "ú": "u"}


def needless_accent(word: str) -> Optional[str]:
    """`word` without an accent mark Spanish spelling never puts there: one on
    the syllable that carries the stress anyway (`Castíllo`, `Muñóz`), not one
    that breaks a diphthong (`María`, `Raúl`). None when the accent is right."""
    core = word.strip(".,;:")
    low = core.lower()
    marks = [i for i, c in enumerate(low) if c in _ACUTE]
    if len(marks) != 1 or len(low) < 4 or not low.isalpha():
        return None
    i = marks[0]
    if i == len(low) - 1:
        return None  # a stressed final vowel always takes its accent (`JOSÉ`)
    if _ACUTE[low[i]] in "iu" and ((i > 0 and low[i - 1] in _STRONG) or (i + 1 < len(low) and low[i + 1] in _STRONG)):
        return None  # hiatus: `María`, `Raúl`
    nucleus_of: dict[int, int] = {}
    n = -1
    prev_vowel = False
    for k, c in enumerate(low):
        if c in _VOWELS:
            if not prev_vowel or (c in _STRONG and low[k - 1] in _STRONG):
                n += 1
            nucleus_of[k] = n
            prev_vowel = True
        else:
            prev_vowel = False
    n += 1
    if n == 1:
        # one syllable where i and u make a diphthong (`Luís`, `Ruíz`) takes no
        # accent; other one-vowel words of four letters or more are left alone
        weak_pair = _ACUTE[low[i]] in "iu" and (
            (i > 0 and low[i - 1] in "iu") or (i + 1 < len(low) and low[i + 1] in "iu"))
        if not weak_pair:
            return None
    default = 0 if n == 1 else (n - 2 if low[-1] in "aeiouns" else n - 1)
    if nucleus_of[i] != default:
        return None
    c = core[i]
    plain = _ACUTE[c.lower()]
    fixed_core = core[:i] + (plain.upper() if c.isupper() else plain) + core[i + 1:]
    return word.replace(core, fixed_core, 1)


def _repair_title_token(tok: str, last: bool) -> str:
    letters = _letters(tok)
    if letters in _TITLE_ABBREVIATIONS and not last:
        core = tok.rstrip(".,;:")
        if core.isalpha() and tok != core + ".":
            return core + "."
    return tok


def _repair_ocr(role: str, hon: Optional[str], name_toks: list[str], title_toks: list[str],
                raw_hon: Optional[str] = None) -> tuple[Optional[str], list[str], list[str], list[Flag]]:
    flags: list[Flag] = []
    fixed_hon = repair_honorific(hon)
    if fixed_hon or raw_hon:
        raw = raw_hon or hon
        hon = fixed_hon or hon
        flags.append(_flag(role, "honorific", raw, hon,
                           f"The scan's reading '{raw}' of the honorific was taken for '{hon}'."))
    new_name = [needless_accent(t) or t for t in name_toks]
    if new_name and new_name[-1][-1:] in {".", ",", ":", ";"} \
            and sum(c.isalpha() for c in new_name[-1]) >= 3:
        new_name[-1] = new_name[-1].rstrip(".,:;")  # a speck after the name, not an initial's dot
    if new_name != name_toks:
        raw, val = collapse(" ".join(name_toks)), collapse(" ".join(new_name))
        flags.append(_flag(role, "name", raw, val,
                           "OCR slips in the name (a needless accent mark, a speck read as punctuation "
                           "after it) were repaired."))
        name_toks = new_name
    new_title = [needless_accent(t) or _repair_title_token(t, i == len(title_toks) - 1)
                 for i, t in enumerate(title_toks)]
    if new_title != title_toks:
        raw, val = collapse(" ".join(title_toks)), collapse(" ".join(new_title))
        flags.append(_flag(role, "title", raw, val,
                           "OCR slips in the position title (an abbreviation's dot read as a comma or lost, "
                           "a needless accent mark) were repaired."))
        title_toks = new_title
    return hon, name_toks, title_toks, flags


def _token_distance(a: str, b: str) -> int:
    from rapidfuzz.distance import Levenshtein

    return Levenshtein.distance(a, b)


def _reconcile_names(reads: list[_Read]) -> None:
    """The same person read twice on scanned pages with one name word garbled
    once (`PÉRRZ` / `PÉREZ`): the better-read spelling (higher OCR confidence)
    is used for both, and the change is flagged."""
    for a in reads:
        if not a.ocr or not a.sig.name:
            continue
        toks_a = a.sig.name.split()
        for b in reads:
            if b is a or not b.sig.name:
                continue
            toks_b = b.sig.name.split()
            if len(toks_a) != len(toks_b) or len(toks_a) < 2:
                continue
            diff = [k for k, (x, y) in enumerate(zip(toks_a, toks_b)) if x != y]
            if len(diff) != 1:
                continue
            k = diff[0]
            x, y = toks_a[k], toks_b[k]
            if _token_distance(fold(x), fold(y)) > max(1, min(len(x), len(y)) // 4) and fold(x) != fold(y):
                continue
            conf_a = _conf_of(a, x)
            conf_b = _conf_of(b, y)
            if conf_b is None or conf_b < 85 or (conf_a is not None and conf_a >= conf_b):
                continue
            raw = a.sig.name
            toks_a[k] = y
            value = " ".join(toks_a)
            a.sig = Signatory(role=a.sig.role, name=value, honorific=a.sig.honorific, title=a.sig.title)
            a.flags.append(_flag(a.sig.role, "name", raw, value,
                                 f"The same person's name reads '{value}' elsewhere in the section with more "
                                 f"confidence; the scan's '{x}' was taken for '{y}'."))


def _conf_of(read: _Read, token: str) -> Optional[float]:
    confs = [w.conf for w in read.name_words if w.text == token and w.conf is not None]
    if not confs:
        return None if read.ocr else 100.0
    return min(confs)


@dataclass(frozen=True)
class UnreadColumn:
    """A signature column whose label and name a scan's page pass did not read (a
    signature drawn over them), located by the title printed under them."""

    label_box: tuple[float, float, float, float]
    name_box: tuple[float, float, float, float]
    title: str


def unread_signature_columns(page: Page) -> list[UnreadColumn]:
    """On a scanned page, the title chunks under a block's name line that have no
    label above them and no name on the name line: where a label and a name were
    printed but not read (measured on the real evaluation scan: `Revisó:` and its
    person, under a drawn signature, read well alone)."""
    if page.source != "ocr" or not page.words:
        return []
    lines = group_lines(page.words)
    out: list[UnreadColumn] = []
    for k, line in enumerate(lines):
        labels = label_groups(line, ocr=True)
        if not labels or len(labels) < 2 or k + 1 >= len(lines):
            continue
        height = _line_height(line.words)
        # lines under the labels, without the strokes of signatures read as words
        below = [l for l in lines[k + 1:k + 6] if l.top - line.bottom < 12 * height
                 and not all(_is_ocr_junk(w) or (w.conf or 0) < 30 for w in l.words)]
        if len(below) < 2:
            continue
        name_line, title_line = below[0], below[1]
        if title_line.top - name_line.bottom > 2 * height:
            continue
        gap = 2 * typical_char_width(title_line.words)
        for chunk in _chunks([w for w in title_line.words if not _is_speck(w)], gap):
            x0, x1 = min(w.x0 for w in chunk), max(w.x1 for w in chunk)
            # a name is printed wider than its title at most by a little
            left, right = x0 - (x1 - x0) / 4, x1 + (x1 - x0) / 4
            if x1 - x0 < 4 * height or any(left <= l.xmid <= right for l in labels):
                continue
            if any(w.x1 > x0 and w.x0 < x1 and len(_letters(w.text)) > 1 for w in name_line.words):
                continue
            out.append(UnreadColumn(
                label_box=(left, line.top - 1.0, right, line.bottom + 1.0),
                name_box=(left, name_line.top - 1.0, right, name_line.bottom + 1.0),
                title=collapse(" ".join(w.text for w in chunk))))
    return out


# Lines under a block's labels that belong to it: names and titles within this many line
# heights (room for the drawn signatures between labels and names).
_BLOCK_DEPTH = 12


def unlabelled_name_rooms(page: Page) -> list[tuple[float, float, float, float]]:
    """On a scanned page where no line of signature labels was read, the room above
    each line of names led by honorifics (`ARQ. FRANCISCO ...`) over a line of titles:
    where the labels print, small and often bold, that the page pass can miss (a
    150-dpi scan blurs them), up to the print above and at most a block's depth."""
    if page.source != "ocr" or not page.words:
        return []
    lines = group_lines(page.words)
    if any(label_groups(line, ocr=True) for line in lines):
        return []
    out = []
    for k, line in enumerate(lines[:-1]):
        height = _line_height(line.words)
        if lines[k + 1].top - line.bottom > 2 * height or \
                not _has_honorific_name(line.words, 2 * typical_char_width(line.words)):
            continue
        top = max([line.top - _BLOCK_DEPTH * height] + [l.bottom for l in lines[:k]
                                                        if not all(_is_ocr_junk(w) for w in l.words)])
        if line.top - top < 3 * height:  # print right above: no room for labels and signatures
            continue
        out.append((min(w.x0 for w in line.words) - 2 * height, top,
                    max(w.x1 for w in line.words) + 2 * height, line.top - 0.3 * height))
    return out


def signature_block_areas(page: Page) -> list[tuple[float, float, float, float]]:
    """On a scanned page, the areas under each line of signature labels where the names
    and titles are printed (PDF points): the lines within a few line heights below the
    labels, as wide as the print on them and the labels."""
    if page.source != "ocr" or not page.words:
        return []
    lines = group_lines(page.words)
    out = []
    for k, line in enumerate(lines):
        if not label_groups(line, ocr=True):
            continue
        height = _line_height(line.words)
        below = [l for l in lines[k + 1:k + 8] if l.top - line.bottom < _BLOCK_DEPTH * height
                 and not all(_is_ocr_junk(w) or (w.conf or 0) < 30 for w in l.words)]
        if not below:
            continue
        words = [w for l in [line, *below] for w in l.words]
        # from the name line down: above it is the signatures' room, drawn, not printed
        out.append((min(w.x0 for w in words) - 2 * height, below[0].top - 0.5 * height,
                    max(w.x1 for w in words) + 2 * height, below[-1].bottom + height))
    return out


def read_signatories_with_flags(pages: Sequence[Page]) -> tuple[list[Signatory], list[Flag]]:
    """Every signatory of the signature blocks printed on these pages, in
    order, and the `info` flags of the repairs made on scanned pages (a role
    inferred for a label the scan lost, an honorific, a name or a title
    misread)."""
    people, flags, _ = read_signatories_with_provenance(pages)
    return people, flags


def read_signatories_with_provenance(
        pages: Sequence[Page]) -> tuple[list[Signatory], list[Flag], list[Provenance]]:
    """`read_signatories_with_flags` plus where each signatory's fields were
    read (`signatories` provenance, row_key = role; the first person of a role)."""
    from .provenance import ProvenanceLog

    reads: list[_Read] = []
    read_page: list[Page] = []
    seen: set[tuple] = set()
    original: dict[int, Word] = {}  # a levelled (deskewed) word -> the page's word
    for page in pages:
        if not page.words:
            continue
        ocr = page.source == "ocr"
        levelled = _levelled(page)
        if levelled is not page.words:
            original.update((id(a), b) for a, b in zip(levelled, page.words))
        lines = group_lines(levelled)
        for k, line in enumerate(lines):
            labels = label_groups(line, ocr)
            if not labels:
                continue
            for r in _read_block(page, lines, k, labels):
                key = (r.sig.role, r.sig.name, r.sig.honorific, r.sig.title)
                if key not in seen:
                    seen.add(key)
                    reads.append(r)
                    read_page.append(page)
    _reconcile_names(reads)
    log = ProvenanceLog([])
    for r, page in zip(reads, read_page):
        words = [original.get(id(w), w) for w in r.words]
        named = {id(w) for w in r.name_words}
        by_field = {
            "name": [original.get(id(w), w) for w in r.words if id(w) in named],
            "honorific": words[:1] if r.sig.honorific else [],
            "title": [original.get(id(w), w) for w in r.title_words],
            "role": words,
        }
        for name, ws in by_field.items():
            log.add("signatories", r.sig.role, name, ws, page=page)
    return [r.sig for r in reads], [f for r in reads for f in r.flags], log.records


def read_signatories(pages: Sequence[Page]) -> list[Signatory]:
    """Every signatory of the signature blocks printed on these pages, in order."""
    return read_signatories_with_flags(pages)[0]


def reconcile_across_sections(sections: Sequence[SectionResult]) -> list[Flag]:
    """One spelling per person across a scanned document's sections.

    The same signatory (same honorific and title) usually signs every section;
    a name read once with one word garbled (`OCHOA Poleo`, `ALDAC`) while the
    other words and a spelling read at least twice elsewhere agree takes that
    spelling. The change is recorded as an `info` flag in the section it was
    made in (and returned). Meant for scanned documents only: a text layer
    needs no such repair."""
    counts: dict[str, int] = {}
    for sec in sections:
        for sig in sec.signatories:
            if sig.name:
                counts[sig.name] = counts.get(sig.name, 0) + 1
    made: list[Flag] = []
    for sec in sections:
        for i, sig in enumerate(sec.signatories):
            if not sig.name or counts.get(sig.name, 0) != 1 or not sig.title:
                continue
            toks = sig.name.split()
            best = None
            for other in _all_signatories(sections):
                if not other.name or other.name == sig.name or counts[other.name] < 2:
                    continue
                if other.honorific != sig.honorific or fold(other.title or "") != fold(sig.title):
                    continue
                o = other.name.split()
                if len(o) != len(toks) or len(toks) < 3:
                    continue
                if sum(a != b for a, b in zip(o, toks)) == 1 and (best is None or counts[other.name] > counts[best]):
                    best = other.name
            if best is None:
                continue
            flag = _flag(sig.role, "name", sig.name, best,
                         f"The same signatory reads '{best}' in {counts[best]} other places of the document; "
                         f"this scan's reading '{sig.name}' was taken for it.")
            sec.signatories[i] = Signatory(role=sig.role, name=best, honorific=sig.honorific, title=sig.title)
            sec.flags.append(flag)
            made.append(flag)
    return made


def _all_signatories(sections: Sequence[SectionResult]) -> list[Signatory]:
    return [sig for sec in sections for sig in sec.signatories]
