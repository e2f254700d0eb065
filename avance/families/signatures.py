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
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Optional, Sequence

from ..extractors.layout import TextLine, collapse, fold, group_lines, make_line, typical_char_width
from ..records import Page, Signatory, Word

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


@dataclass
class _Label:
    role: str
    x0: float
    x1: float

    @property
    def xmid(self) -> float:
        return (self.x0 + self.x1) / 2


def label_groups(line: TextLine) -> Optional[list[_Label]]:
    """The labels of a label-only line, left to right; None if the line holds other text."""
    out: list[_Label] = []
    for w in line.words:
        role = label_role(w.text)
        letters = _letters(w.text)
        if role:
            out.append(_Label(role, w.x0, w.x1))
        elif _is_vobo_start(w.text):
            out.append(_Label(_VOBO, w.x0, w.x1))
        elif not letters or letters in _FILLERS or (letters in {"BO", "B"} and out and out[-1].role == _VOBO):
            if out:
                out[-1].x1 = max(out[-1].x1, w.x1)
        else:
            return None
    return out or None


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

    @property
    def xmid(self) -> float:
        return (self.x0 + self.x1) / 2


def _is_noise_line(line: TextLine) -> bool:
    return all(_NOISE.match(w.text) for w in line.words)


def _split_people(words: Sequence[Word], gap: float) -> list[list[Word]]:
    """A name line cut into people: at wide gaps, and before an honorific that
    follows at least two name words (`... Esquer Ing. Jesús ...`)."""
    chunks: list[list[Word]] = []
    for w in sorted(words, key=lambda w: w.x0):
        if not chunks or w.x0 - chunks[-1][-1].x1 > gap:
            chunks.append([w])
            continue
        cur = chunks[-1]
        n_name = sum(1 for x in cur if not is_honorific(x.text))
        if is_honorific(w.text) and n_name >= 2 and not is_honorific(cur[-1].text):
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


def _read_block(page: Page, lines: list[TextLine], k: int, labels: list[_Label]) -> list[Signatory]:
    label_line = lines[k]
    _resolve_vobo(labels)
    cw = typical_char_width(page.words)
    gap = max(2.5 * cw, 6.0)
    h = _line_height(label_line.words)
    bounds = _column_bounds(labels, page)
    lo_all, hi_all = bounds[0][0], bounds[-1][1]
    max_drop = max(12 * h, page.height * 0.2)  # room left for the signatures

    # the name line: the first line under the labels with a name led by an
    # honorific; failing that, the first line that reads like names. Scanned
    # signatures and stamps leave short junk tokens in between.
    candidates: list[tuple[int, TextLine]] = []
    for j in range(k + 1, len(lines)):
        ln = lines[j]
        if ln.top - label_line.bottom > max_drop or label_groups(ln) is not None:
            break
        ws = [w for w in ln.words if lo_all <= w.xmid <= hi_all]
        if ws and not _is_noise_line(make_line(ws)):
            candidates.append((j, make_line(ws)))
    if not candidates:
        return []
    pick = next((c for c in candidates if _has_honorific_name(c[1].words, gap)), None)
    if pick is None:
        pick = next((c for c in candidates if _reads_like_names(c[1].words, gap)), candidates[0])
    j, name_line = pick

    chunks = _split_people(name_line.words, gap)
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
                              x0=chunk[0].x0, x1=chunk[-1].x1))
    if not people:
        return []

    name_h = _line_height(name_line.words)
    title_gap = max(1.0 * name_h, 3.0)
    slots = list(people)  # per name column: the person now collecting lines
    everyone = list(people)
    prev_bottom = name_line.bottom
    for ln in lines[j + 1:]:
        ws = [w for w in ln.words if lo_all <= w.xmid <= hi_all]
        if not ws:
            continue
        if ln.top - prev_bottom > max_drop or label_groups(ln) is not None:
            break
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
                q = _Person(p.role, gws, last_bottom=line.bottom, x0=gws[0].x0, x1=gws[-1].x1)
                slots[idx] = q
                everyone.append(q)
    ordered = sorted(everyone, key=lambda p: (ROLES.index(p.role), p.words[0].top, p.x0))

    out: list[Signatory] = []
    for p in ordered:
        toks = _trim([w.text for w in sorted(p.words, key=lambda w: w.x0)])
        hon, name_toks = split_honorific(toks)
        title_toks = [w.text for ws in p.title_lines for w in sorted(ws, key=lambda w: w.x0)]
        title = collapse(" ".join(_trim(title_toks)))
        out.append(Signatory(role=p.role, name=collapse(" ".join(name_toks)), honorific=hon, title=title))
    return out


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


def read_signatories(pages: Sequence[Page]) -> list[Signatory]:
    """Every signatory of the signature blocks printed on these pages, in order."""
    out: list[Signatory] = []
    seen: set[tuple] = set()
    for page in pages:
        if not page.words:
            continue
        lines = group_lines(_levelled(page))
        for k, line in enumerate(lines):
            labels = label_groups(line)
            if not labels:
                continue
            for s in _read_block(page, lines, k, labels):
                key = (s.role, s.name, s.honorific, s.title)
                if key not in seen:
                    seen.add(key)
                    out.append(s)
    return out
