"""Warnings on scans settled by reading their figures again.

An arithmetic warning on a scanned page is either a printed inconsistency (what
users want to hear about) or a figure the page pass misread with confidence
(measured on the dev scans: confidence does not tell them apart). So before a
warning stands, each figure it rests on is read again alone, in a few ways (the
pipeline does the I/O; see `extractors/reread.py`), and this module decides, purely:

- a reading counts when it parses as a plain figure; a percentage printed with
  `%` must be read with it again;
- a value most readings agree on (at least two), read differently *and more
  confidently* than on the page, replaces the page's figure unless that adds
  warnings to the section;
- any other value read again replaces the page's figure only when that (alone
  or with one other such figure) removes warnings: the image says it may be
  printed so, and the arithmetic confirms it;
- every replacement is an `ocr_reread` info flag with both readings, and the
  checks run again on the settled figures. A warning whose figures read the
  same again stands.
"""
from __future__ import annotations

from dataclasses import dataclass, replace
from collections import Counter
from itertools import combinations
from statistics import median
from typing import Callable, Iterable, Mapping, Optional, Sequence

from ..records import ROW_KEYS, AreaReading, Flag, Provenance, SectionResult, Severity
from .checks import CHECK_RULES, format_figure, check_section
from .legibility import has_word
from .numbers import is_printed_nothing, parse_number
from .ocr_numbers import LETTER_TO_DIGIT

FieldRef = tuple[str, str, str]  # table, row_key, field

NUMERIC_FIELDS: dict[str, tuple[str, ...]] = {
    "goals": ("annual_target", "absolute_progress", "relative_progress"),
    "goal_periods": ("programmed", "achieved"),
    "mir_rows": ("annual_target", "achieved", "pct_period", "pct_cumulative"),
    "mir_periods": ("target",),
    "indicator_values": ("value",),
    "evaluation_rows": ("annual_target", "programmed_to_date", "achieved_to_date", "pct_progress",
                        "budget_approved", "budget_authorized", "budget_exercised", "budget_difference",
                        "budget_pct"),
}
# A row's figures printed in other tables (quarters of a goal, of a MIR indicator).
CHILD_TABLES = {"goals": "goal_periods", "mir_rows": "mir_periods"}
# Most alternative values tried (alone and in pairs) for one warned row.
MAX_FIELDS_SEARCHED = 24
# A box this many times taller than the median of its row's boxes caught a speck
# or a neighbour's line: it is read within the row's band.
TALL_BOX = 1.6


@dataclass(frozen=True)
class Target:
    """A figure a warning rests on, and the area of its page to read again."""

    ref: FieldRef
    page: int
    box: tuple[float, float, float, float]
    whole_cell: bool = False  # the box is a cell nothing was read in, not a reading's words


@dataclass(frozen=True)
class _Switch:
    ref: FieldRef
    old: Optional[float]
    new: float
    old_confidence: float
    new_confidence: float
    old_text: Optional[str]
    new_text: str


def _is_check_warning(flag: Flag) -> bool:
    return flag.severity == Severity.WARNING and flag.rule in CHECK_RULES


def warnings_of(section: SectionResult) -> list[Flag]:
    return [f for f in section.flags if _is_check_warning(f)]


def _in_scope(warning: Flag, table: str, row_key: str) -> bool:
    """Whether a field of (table, row_key) enters the arithmetic of `warning`."""
    if warning.table == "indicator_values":  # a formula reads every variable of the period
        return table == "indicator_values" and row_key.rsplit("|", 1)[-1] == warning.row_key.rsplit("|", 1)[-1]
    if table == warning.table:
        return row_key == warning.row_key
    return table == CHILD_TABLES.get(warning.table) and row_key.startswith(warning.row_key + "|")


def targets_of(section: SectionResult) -> list[Target]:
    """The figures behind the section's warnings that have a box on a page (an image to read)."""
    warnings = [w for w in warnings_of(section) if w.table in NUMERIC_FIELDS]
    chosen: dict[FieldRef, Provenance] = {}
    for p in section.provenance:
        if p.field not in NUMERIC_FIELDS.get(p.table, ()) or p.x1 <= p.x0 or p.y1 <= p.y0:
            continue
        if any(_in_scope(w, p.table, p.row_key) for w in warnings):
            chosen[(p.table, p.row_key, p.field)] = p
    out = []
    for ref, p in chosen.items():
        # the figures of one printed row: a goal and its quarters, an indicator and its targets
        row = [q for q in chosen.values() if q.page == p.page and q is not p
               and q.row_key.split("|")[0] == p.row_key.split("|")[0]]
        box = (p.x0, p.y0, p.x1, p.y1)
        if len(row) >= 2:
            column = [q for q in section.provenance if q.page == p.page and q.table == p.table
                      and q.field == p.field and q is not p and q.x1 > q.x0]
            box = _within_row(box, median(q.y0 for q in row), median(q.y1 for q in row),
                              (median(q.x0 for q in column), median(q.x1 for q in column)) if column else None)
        out.append(Target(ref, p.page, box))
    return out


def _within_row(box: tuple[float, float, float, float], top: float, bottom: float,
                column: Optional[tuple[float, float]]) -> tuple[float, float, float, float]:
    """A figure's box brought to its row's band: a box much taller than the row caught a
    speck or a neighbour's line; a box beside the band holds stray ink read in the cell
    (its figure unread), so the band is read where that field sits in the other rows."""
    x0, y0, x1, y1 = box
    band = bottom - top
    if band <= 0:
        return box
    mid = (y0 + y1) / 2
    if not top - band / 2 <= mid <= bottom + band / 2:
        if column is None:
            return box
        width = column[1] - column[0]
        return (column[0] - width / 2, top - 1.0, column[1] + width / 2, bottom + 1.0)
    if (y1 - y0) > TALL_BOX * band:
        return (x0, max(y0, top - 1.0), x1, min(y1, bottom + 1.0))
    return box


def _values_read(readings: Sequence[AreaReading], old_text: Optional[str],
                 read_value: Callable[[str], Optional[float]] = parse_number) -> list[tuple[float, str, float, int]]:
    """(value, text, best confidence, readings giving it) of each figure read, most supported first."""
    found: dict[float, tuple[float, str, float, int]] = {}
    for r in readings:
        text = "".join(r.text.split())
        if old_text and old_text.strip().endswith("%") and not text.endswith("%"):
            continue
        value = read_value(text)
        if value is None:
            continue
        key = round(value, 9)
        _, first_text, conf, n = found.get(key, (value, r.text, 0.0, 0))
        found[key] = (value, first_text, max(conf, r.confidence), n + 1)
    return sorted(found.values(), key=lambda v: (-v[3], -v[2]))


# A page reading of a figure this sure is not replaced by a single less sure second reading
# of as many digits just because the row's arithmetic then holds (printed percentages do
# disagree with their figures; on a 3-degree skewed scan one crop read `94%` as `24%` at
# 76, the page 96). A second reading with a digit more (`53` where the page lost the `5`
# of a cell's edge) is still tried.
SURE_FIGURE = 90.0


# A figure behind a warning whose first readings (the grey page's three) all give the page's
# own value: the cleaned page's readings, which repeat the page pass's slips, are not taken.
SETTLED_READINGS = 3


@dataclass(frozen=True)
class WarnedFigureStands:
    """For a figure behind a warning read again: whether its readings so far all give the
    page's value, SETTLED_READINGS of them (see settle_warnings)."""

    old: Optional[float]
    page_text: str
    read_value: Callable[[str], Optional[float]]

    def __call__(self, readings: Sequence[AreaReading], remaining: int) -> bool:
        if self.old is None or len(readings) < SETTLED_READINGS:
            return False
        values = _values_read(readings, self.page_text, self.read_value)
        return len(values) == 1 and values[0][3] == len(readings) and abs(values[0][0] - self.old) < 1e-9


def warned_figure_stands(section: SectionResult, ref: FieldRef,
                         read_value: Callable[[str], Optional[float]] = parse_number) -> WarnedFigureStands:
    return WarnedFigureStands(*_value_and_reading(section, ref), read_value)


def _record_index(section: SectionResult, table: str, row_key: str) -> Optional[int]:
    key_of = ROW_KEYS[table]
    return next((i for i, r in enumerate(getattr(section, table)) if key_of(r) == row_key), None)


def _with_values(section: SectionResult, switches: Sequence[_Switch]) -> SectionResult:
    out = replace(section, **{t: list(getattr(section, t)) for t in {s.ref[0] for s in switches}})
    for s in switches:
        table, row_key, field = s.ref
        i = _record_index(out, table, row_key)
        if i is not None:
            rows = getattr(out, table)
            rows[i] = replace(rows[i], **{field: s.new})
    return out


def rechecked(section: SectionResult) -> SectionResult:
    """The section's arithmetic checks run again (their earlier warnings dropped)."""
    return check_section(replace(section, flags=[f for f in section.flags if not _is_check_warning(f)]))


def _count(section: SectionResult) -> int:
    return len(warnings_of(section))


def settle_warnings(section: SectionResult, readings: Mapping[FieldRef, Sequence[AreaReading]],
                    readers: Mapping[tuple[str, str], Callable[[str], Optional[float]]] = {}) -> SectionResult:
    """The section with the figures its second readings settle replaced (flagged) and its checks
    run again; `readers` are the family's readings of a field's text (default `parse_number`)."""
    provenance = {(p.table, p.row_key, p.field): p for p in section.provenance}
    agreed: list[_Switch] = []  # values most readings give
    others: list[_Switch] = []
    for ref, reads in readings.items():
        p = provenance.get(ref)
        i = _record_index(section, ref[0], ref[1]) if ref[0] in ROW_KEYS else None
        if p is None or i is None:
            continue
        old = getattr(getattr(section, ref[0])[i], ref[2])
        values = _values_read(reads, p.raw_text, readers.get((ref[0], ref[2]), parse_number))
        for n, (value, text, conf, support) in enumerate(values):
            if old is not None and abs(old - value) < 1e-9:
                continue
            switch = _Switch(ref, old, value, p.confidence or 0.0, conf, p.raw_text, text)
            leads = n == 0 and support >= 2 and (len(values) == 1 or values[1][3] < support)
            if not leads and support == 1 and old is not None and (p.confidence or 0.0) >= SURE_FIGURE > conf \
                    and _digits(text) == _digits(p.raw_text):
                continue  # a digit read otherwise once, less surely than a sure page: a printed inconsistency stays
            (agreed if leads else others).append(switch)
    if not agreed and not others:
        return section
    # one warned row at a time, so its few alternatives are tried together
    chosen: list[_Switch] = []
    groups = {(w.table, w.row_key): w for w in warnings_of(section)}
    for warning in groups.values():
        def scoped(pool: list[_Switch]) -> list[_Switch]:
            return [s for s in pool if _in_scope(warning, s.ref[0], s.ref[1])
                    and all(c.ref != s.ref for c in chosen)]
        chosen += _settle_row(section, chosen, scoped(agreed), scoped(others))
    if not chosen:
        return section
    settled = rechecked(_with_values(section, chosen))
    settled.flags.extend(_reread_flag(s) for s in chosen)
    return settled


def _settle_row(section: SectionResult, chosen: list[_Switch], agreed: list[_Switch],
                others: list[_Switch]) -> list[_Switch]:
    """The switches of one warned row to make, on top of those already `chosen`."""
    base = _count(rechecked(_with_values(section, chosen)))
    surer = [s for s in agreed if s.new_confidence > s.old_confidence]
    taken: list[_Switch] = []
    if surer and _count(rechecked(_with_values(section, chosen + surer))) <= base:
        taken = surer
    current = _count(rechecked(_with_values(section, chosen + taken)))
    candidates = [s for s in agreed + others if all(t.ref != s.ref for t in taken)][:MAX_FIELDS_SEARCHED]
    best: Optional[tuple[int, tuple[_Switch, ...]]] = None
    for size in (1, 2):
        for combo in combinations(candidates, size):
            if len({s.ref for s in combo}) < size:
                continue
            n = _count(rechecked(_with_values(section, chosen + taken + list(combo))))
            if n < current and (best is None or n < best[0]):
                best = (n, combo)
        if best is not None:
            break
    return taken + list(best[1]) if best is not None else taken


def _reread_flag(s: _Switch) -> Flag:
    table, row_key, field = s.ref
    return Flag(table=table, row_key=row_key, field=field, rule="ocr_reread", severity=Severity.INFO,
                raw_value=format_figure(s.old), value=format_figure(s.new),
                message=f"{field} of {row_key} was read as '{s.old_text}' on the page; read again alone it is "
                        f"'{s.new_text}' (confidence {s.new_confidence:.0f} against {s.old_confidence:.0f}), "
                        f"and {format_figure(s.new)} was kept.")


def _boxed_cells(section: SectionResult, fields: Iterable[tuple[str, str]]):
    """(provenance, value) of each cell of `fields` (table, field) with a box on a page and a row."""
    wanted = set(fields)
    rows = {t: {ROW_KEYS[t](r): r for r in getattr(section, t)} for t in {t for t, _ in wanted} if t in ROW_KEYS}
    for p in section.provenance:
        if (p.table, p.field) in wanted and p.table in rows and p.x1 > p.x0 and p.y1 > p.y0:
            row = rows[p.table].get(p.row_key)
            if row is not None:
                yield p, getattr(row, p.field)


def _target(p: Provenance) -> Target:
    return Target((p.table, p.row_key, p.field), p.page, (p.x0, p.y0, p.x1, p.y1), _unread(p))


def code_targets(section: SectionResult, fields: Iterable[tuple[str, str]]) -> list[Target]:
    """The boxes the section's printed codes (`fields`: (table, field)) were read from."""
    return [_target(p) for p, _ in _boxed_cells(section, fields)]


def _unread(p: Provenance) -> bool:
    """The record points at a cell's place, not at words read in it."""
    return p.raw_text is None and p.confidence is None


def missing_targets(section: SectionResult, fields: Iterable[tuple[str, str]]) -> list[Target]:
    """The cells of `fields` (table, field) the page pass read no figure in (value None, a
    box): nothing was read, or what was read is no figure (`88 ¿`). A cell read as a
    printed nothing (`N/A`, `-`) holds its value."""
    return [replace(_target(p), whole_cell=True) for p, value in _boxed_cells(section, fields)
            if value is None and not is_printed_nothing(p.raw_text)]


def settle_codes(section: SectionResult, readings: Mapping[FieldRef, Sequence[AreaReading]],
                 parsers: Mapping[tuple[str, str], Callable[[str], object]]) -> SectionResult:
    """Codes (or empty cells) read again: the value most readings give (at least two,
    and more than any other) replaces the page's reading, flagged `ocr_reread`."""
    provenance = {(p.table, p.row_key, p.field): p for p in section.provenance}
    out = replace(section, flags=list(section.flags),
                  **{t: list(getattr(section, t)) for t in {ref[0] for ref in readings}})
    for ref, reads in readings.items():
        table, row_key, field = ref
        parse = parsers.get((table, field))
        i = _record_index(out, table, row_key) if parse else None
        if i is None:
            continue
        codes = [c for c in (parse(r.text) for r in reads) if c is not None and c != ""]
        if not codes:
            continue
        tally = Counter(codes).most_common()
        code, support = tally[0]
        old = getattr(getattr(out, table)[i], field)
        if code == old or support < 2 or (len(tally) > 1 and tally[1][1] == support):
            continue
        rows = getattr(out, table)
        rows[i] = replace(rows[i], **{field: code})
        p = provenance.get(ref)
        out.flags.append(Flag(table=table, row_key=row_key, field=field, rule="ocr_reread", severity=Severity.INFO,
                              raw_value=_shown(old), value=_shown(code),
                              message=(f"{field} of {row_key} was read as '{p.raw_text}' on the page"
                                       if p is not None and p.raw_text else
                                       f"{field} of {row_key} was not read in its cell"
                                       + (f" ('{old}' stood in)" if old is not None else ""))
                              + f"; read again alone, {support} of {len(reads)} readings give '{_shown(code)}', "
                                f"which was kept."))
    return out


@dataclass(frozen=True)
class CodeStands:
    """For a code read again: whether the readings so far already leave the page's code
    (`old`) standing in `settle_codes` whatever the `remaining` readings give (it is read
    more often than any other code could be), so they need not be read."""

    old: object
    parse: Callable[[str], object]

    def __call__(self, readings: Sequence[AreaReading], remaining: int) -> bool:
        if self.old is None:
            return False
        tally = Counter(c for c in (self.parse(r.text) for r in readings) if c is not None and c != "")
        others = max((n for c, n in tally.items() if c != self.old), default=0)
        return tally.get(self.old, 0) > others + remaining


def code_stands(section: SectionResult, ref: FieldRef, parse: Callable[[str], object]) -> CodeStands:
    """`CodeStands` for the code `ref` of `section` as the page read it."""
    table, row_key, field = ref
    i = _record_index(section, table, row_key)
    return CodeStands(getattr(getattr(section, table)[i], field) if i is not None else None, parse)


def _shown(value) -> Optional[str]:
    return value if value is None or isinstance(value, str) else format_figure(value)


# Free text read again as a block (see extractors/reread.ScanRereader.read_text). A cell's
# page reading is doubtful when a word of it was read below DOUBTFUL_TEXT (the page pass's
# own threshold for a doubtful paragraph, extractors/ocr.py) or nothing was kept in it; a
# block reading replaces it when its words average SURE_TEXT or more. Measured on the real
# evaluation scan's indicator names: the grey readings averaging 88-97 were right or one
# letter off, the page's readings of the same cells had words at 0-45.
DOUBTFUL_TEXT = 60.0
SURE_TEXT = 80.0


def text_targets(section: SectionResult, fields: Iterable[tuple[str, str]]) -> list[Target]:
    """The boxes of the text cells of `fields` (table, field) whose page reading is doubtful."""
    return [_target(p) for p, value in _boxed_cells(section, fields)
            if value is None or p.confidence is None or p.confidence < DOUBTFUL_TEXT]


def text_stands(readings: Sequence[AreaReading], remaining: int) -> bool:
    """A text cell's block readings stop at the first one sure enough to be kept (see
    settle_texts): the next reading (the cleaned page) is taken only when the grey one
    is still doubtful. Measured on the real evaluation scan (231 doubtful cells, both
    readings taken): where the grey reading was sure (147), the cleaned one never read
    surer; it decided only cells whose grey reading was doubtful. On the real indicator
    scans (49 cells) it read surer on 11 of 46 sure ones, by a few points and with the
    same words or another slip of one (`edi`/`edu`, `complergóntarias`/`-géntarias`):
    the same scores with either."""
    return any((r.mean_confidence or 0.0) >= SURE_TEXT and has_word(r.text) for r in readings)


def settle_texts(section: SectionResult, readings: Mapping[FieldRef, Sequence[AreaReading]],
                 text_of_cell: Optional[Mapping[tuple[str, str], Callable[[str, str], Optional[str]]]] = None
                 ) -> SectionResult:
    """Doubtful text cells read again: the surest block reading, when sure enough, replaces
    the page's text (flagged `ocr_reread` with both); `text_of_cell` takes a field's
    value out of its cell's reading (and the row's key) where the cell prints more than
    the field."""
    provenance = {(p.table, p.row_key, p.field): p for p in section.provenance}
    out = replace(section, flags=list(section.flags),
                  **{t: list(getattr(section, t)) for t in {ref[0] for ref in readings}})
    for ref, reads in readings.items():
        table, row_key, field = ref
        sure = [r for r in reads if (r.mean_confidence or 0.0) >= SURE_TEXT and has_word(r.text)]
        i = _record_index(out, table, row_key)
        if not sure or i is None:
            continue
        best = max(sure, key=lambda r: r.mean_confidence)
        text = " ".join(best.text.split())
        value_of = (text_of_cell or {}).get((table, field))
        if value_of is not None:
            text = value_of(text, row_key)
            if not text:
                continue
        rows = getattr(out, table)
        old = getattr(rows[i], field)
        if text == old:
            continue
        rows[i] = replace(rows[i], **{field: text})
        p = provenance.get(ref)
        was = (f"was read as '{old}' on the page" + (f" (lowest word confidence {p.confidence:.0f})"
                                                     if p is not None and p.confidence is not None else "")
               if old is not None else "was left empty on the page (nothing legible read)")
        out.flags.append(Flag(table=table, row_key=row_key, field=field, rule="ocr_reread", severity=Severity.INFO,
                              raw_value=old, value=text,
                              message=f"{field} of {row_key} {was}; read again alone as a block it is "
                                      f"'{text}' (mean word confidence {best.mean_confidence:.0f}), which was kept."))
    return out


# Every figure of some fields checked against the grey page (see extractors/reread.py,
# GREY_READINGS): the page pass reads small type from a binarized page, where the loops
# of a `6` or a `9` close into an `8` (measured on the real Guanajuato scan, 200 dpi: 13
# of its 180 figures misread so, with confidence up to 97; each read right from the grey
# crops by at least two of three readings).
MIN_FIGURE_SUPPORT = 2


def _digits(text: Optional[str]) -> int:
    return sum(c.isdigit() for c in text or "")


def _figure_votes(readings: Sequence[AreaReading], page_text: str,
                  read_value: Callable[[str], Optional[float]]) -> Counter:
    """Values read again, each from a reading with as many digits as the page's: a slip of
    the kind checked is a digit read for another, never one lost or gained (`77.99` read
    again `77.9` is no vote for 77.9)."""
    votes: Counter = Counter()
    for r in readings:
        text = "".join(r.text.split())
        if _digits(text) != _digits(page_text) or (page_text.strip().endswith("%") and not text.endswith("%")):
            continue
        value = read_value(text)
        if value is not None:
            votes[round(value, 9)] += 1
    return votes


@dataclass(frozen=True)
class FigureStands:
    """For a figure checked again: whether no other value can win any more (see settle_figures)."""

    old: Optional[float]
    page_text: str
    read_value: Callable[[str], Optional[float]]

    def __call__(self, readings: Sequence[AreaReading], remaining: int) -> bool:
        votes = _figure_votes(readings, self.page_text, self.read_value)
        old = votes.get(round(self.old, 9), 0) if self.old is not None else 0
        rivals = [n for v, n in votes.items() if self.old is None or v != round(self.old, 9)] + [0]
        best = max(rivals) + remaining
        return best < MIN_FIGURE_SUPPORT or best <= old


def figure_targets(section: SectionResult, fields: Iterable[tuple[str, str]]) -> list[Target]:
    """The boxes of the figures of `fields` (table, field) the page pass read (its words)."""
    return [_target(p) for p, _ in _boxed_cells(section, fields) if p.raw_text and _digits(p.raw_text)]


def figure_stands(section: SectionResult, ref: FieldRef,
                  read_value: Callable[[str], Optional[float]] = parse_number) -> FigureStands:
    return FigureStands(*_value_and_reading(section, ref), read_value)


def _value_and_reading(section: SectionResult, ref: FieldRef) -> tuple[object, str]:
    """A field's value as the section holds it and the page pass's text it came from."""
    table, row_key, field = ref
    i = _record_index(section, table, row_key)
    p = next((p for p in section.provenance if (p.table, p.row_key, p.field) == ref), None)
    return (getattr(getattr(section, table)[i], field) if i is not None else None,
            p.raw_text if p is not None and p.raw_text else "")


def settle_figures(section: SectionResult, readings: Mapping[FieldRef, Sequence[AreaReading]],
                   readers: Mapping[tuple[str, str], Callable[[str], Optional[float]]] = {}) -> SectionResult:
    """Figures read again from the grey page: a value at least MIN_FIGURE_SUPPORT readings
    give (with the page's number of digits), more than any other, replaces the page's
    figure, flagged `ocr_reread`. The checks are not run here."""
    provenance = {(p.table, p.row_key, p.field): p for p in section.provenance}
    out = replace(section, flags=list(section.flags),
                  **{t: list(getattr(section, t)) for t in {ref[0] for ref in readings}})
    for ref, reads in readings.items():
        table, row_key, field = ref
        p = provenance.get(ref)
        i = _record_index(out, table, row_key)
        if p is None or i is None or not p.raw_text:
            continue
        votes = _figure_votes(reads, p.raw_text, readers.get((table, field), parse_number)).most_common()
        if not votes:
            continue
        value, support = votes[0]
        rows = getattr(out, table)
        old = getattr(rows[i], field)
        if support < MIN_FIGURE_SUPPORT or (len(votes) > 1 and votes[1][1] == support) or \
                (old is not None and abs(old - value) < 1e-9):
            continue
        rows[i] = replace(rows[i], **{field: value})
        out.flags.append(Flag(table=table, row_key=row_key, field=field, rule="ocr_reread", severity=Severity.INFO,
                              raw_value=_shown(old), value=_shown(value),
                              message=f"{field} of {row_key} was read as '{p.raw_text}' on the page; read again "
                                      f"alone from the grey page, {support} of {len(reads)} readings give "
                                      f"{format_figure(value)}, which was kept."))
    return out


# Codes of one column share a shape, letters and digits in the same places (`E017PB0714`,
# `P005PA0716`: a letter, three digits, two letters, four digits). A code of that length
# with a letter where the column has a digit, the letter a look-alike of a digit (`ED17PB0714`,
# `PO05PA0716`: small type's `0` read as `D` or `O`), is read as the column's shape says.
# Only letters become digits: a digit read for a letter is ambiguous (`8` is `B` or `S`).
MIN_SHAPED_CODES = 3


def code_shape(code: str) -> str:
    """`E017PB0714` -> `LDDDLLDDDD` (other characters kept)."""
    return "".join("L" if c.isalpha() else "D" if c.isdigit() else c for c in code)


def column_shapes(section: SectionResult, fields: Iterable[tuple[str, str]]) -> dict[tuple[str, str], str]:
    """(table, field) -> the shape most of its codes have (more than half, of at least
    MIN_SHAPED_CODES codes)."""
    out = {}
    for table, field in fields:
        codes = [c for c in (getattr(r, field, None) for r in getattr(section, table, ())) if isinstance(c, str) and c]
        if len(codes) < MIN_SHAPED_CODES:
            continue
        shape, n = Counter(code_shape(c) for c in codes).most_common(1)[0]
        if 2 * n > len(codes):
            out[(table, field)] = shape
    return out


def fit_shape(code: Optional[str], shape: str) -> Optional[str]:
    """The code with look-alike letters read as the digits its column's shape puts there;
    None when it is not the shape's length or differs from it otherwise."""
    if not code or len(code) != len(shape):
        return None
    out = []
    for c, s in zip(code, shape):
        if code_shape(c) == s:
            out.append(c)
        elif s == "D" and c.isalpha() and ord(c) in LETTER_TO_DIGIT:
            out.append(LETTER_TO_DIGIT[ord(c)])
        else:
            return None
    return "".join(out)


@dataclass(frozen=True)
class ShapedCode:
    """A family's reading of a code, fitted to its column's shape (see fit_shape)."""

    parse: Callable[[str], object]
    shape: str

    def __call__(self, text: str):
        code = self.parse(text)
        return (fit_shape(code, self.shape) or code) if isinstance(code, str) else code


def fit_code_shapes(section: SectionResult, shapes: Mapping[tuple[str, str], str]) -> SectionResult:
    """The section's codes read with look-alike letters where their column has digits,
    fitted to the column's shape, each flagged `ocr_repair`."""
    if not shapes:
        return section
    out = replace(section, flags=list(section.flags), **{t: list(getattr(section, t)) for t, _ in shapes})
    key_of = ROW_KEYS
    for (table, field), shape in shapes.items():
        rows = getattr(out, table)
        for i, row in enumerate(rows):
            code = getattr(row, field)
            fitted = fit_shape(code, shape) if isinstance(code, str) else None
            if fitted is None or fitted == code:
                continue
            rows[i] = replace(row, **{field: fitted})
            out.flags.append(Flag(table=table, row_key=key_of[table](row), field=field, rule="ocr_repair",
                                  severity=Severity.INFO, raw_value=code, value=fitted,
                                  message=f"{field} '{code}' has a letter where the other codes of its column have a "
                                          f"digit, and the letter looks like it; read as '{fitted}'."))
    return out
