"""MIR quarterly progress tables (AVANCE EN CUMPLIMIENTO DE METAS TRIMESTRAL).

A section is one agency's table: a header block (`EJE ...`, `E-PP ...`, the
agency line) above the title, printed on the first page and possibly repeated
on the following ones, then the table over as many pages as it takes. Table
geometry (columns from header labels, rows from level words) lives in
`mir_table`; this module turns cells into `MirRow`s and `MirPeriod`s.
"""
from __future__ import annotations

import itertools
import re
from dataclasses import dataclass, replace
from typing import Optional, Sequence

from rapidfuzz import fuzz

from ..extractors.layout import TextLine, collapse, fold, group_lines
from ..normalizers.checks import SUM_TOLERANCE, cumulative_is_quarters_own, percent_agrees
from ..normalizers.numbers import parse_number
from ..normalizers.text import LINK_WORDS
from ..normalizers.ocr_numbers import looks_numeric, number_candidates
from ..records import Family, Flag, MirPeriod, MirRow, Page, Provenance, SectionInfo, SectionResult, Severity, Word
from . import common
from . import mir_table as mt
from ..tables import label_value_boxes
from .base import FamilySpec, PageMark
from .provenance import place_record, words_record

# Header words of a MIR progress table (folded); a page needs most of them.
_HEADER_TERMS = (
    "NIVEL", "OBJETIVOS", "INDICADOR", "FRECUENCIA", "TRIMESTRE", "ANUAL",
    "PROGRAMADA", "ALCANZADA", "JUSTIFICACION", "RESPONSABLE", "ACUMULADO",
)
_AXIS_RX = re.compile(r"^EJE\b")
_PROGRAM_RX = re.compile(r"^[A-Z]{1,3}\s*-\s*PP\b|^PP\s*\d|^PROGRAMA\s+PRESUPUESTARIO\b")
_UNIT_RX = re.compile(r"UNIDAD\s+DE\s+MEDIDA\s+DEL\s+INDICADOR\s*[:;.]?", re.IGNORECASE)
_VAR_RX = re.compile(r"UNIDAD\s+DE\s+MEDIDA\s+DE\s+(?:LAS|SUS)\s+VARIABLES\s*[:;.]?", re.IGNORECASE)
_ACRONYM_RX = re.compile(r"^\s*([A-ZÁÉÍÓÚÑ0-9][A-ZÁÉÍÓÚÑ0-9\-_.]{0,19})\s*[:;]\s*(.*)$", re.DOTALL)


# --------------------------------------------------------------------------
# detection
# --------------------------------------------------------------------------

# A header line printed with its label (`PROGRAMA PRESUPUESTARIO: E-PP 2.1 ...`): the value.
_LABEL_FIELDS = (("axis", ("EJE", "ALINEACION", "PMD", "PLAN MUNICIPAL")), ("program", ("PROGRAMA",)),
                 ("agency", ("DEPENDENCIA", "RESPONSABLE", "ENTIDAD", "AREA", "ORGANISMO", "UNIDAD ADMINISTRATIVA")))
# A report title printed between the header block and the table (`SEGUIMIENTO DE INDICADORES ...
# 2026 - PRIMER TRIMESTRE`): the agency's lines end there.
_TITLE_WORDS = ("SEGUIMIENTO", "MATRIZ", "AVANCE", "CUMPLIMIENTO", "INDICADORES", "RESULTADOS", "REPORTE", "INFORME")


_LABEL_RX = re.compile(r"(?:^|(?<=\s))([A-ZÁÉÍÓÚÑ][A-ZÁÉÍÓÚÑ .]{2,40}?)\s*:\s*")


_LABEL_LEADS = frozenset(words.split()[0] for _, kws in _LABEL_FIELDS for words in kws)


def _label_field(label: str) -> Optional[str]:
    folded = fold(label)
    return next((name for name, words in _LABEL_FIELDS if any(w in folded for w in words)), None)


def _labelled_pairs(line: TextLine) -> list[tuple[str, Optional[str]]]:
    """Every (field, value) a line prints with its label, the line opening with one:
    two pairs side by side (`ALINEACIÓN AL PMD: EJE 2 ... PROGRAMA PRESUPUESTARIO: E-PP 2.1`)
    are two values, each running to the next label that names a field."""
    text = collapse(line.text) or ""
    marks = []  # (where the label starts, where its value starts, field)
    for m in _LABEL_RX.finditer(text):
        if (field := _label_field(m.group(1))) is None:
            continue
        # the label starts at its own first word (`PROGRAMA`), not at the value's words before it
        start, offset = m.start(), 0
        for word in m.group(1).split():
            if fold(word) in _LABEL_LEADS:
                start = m.start() + offset
                break
            offset += len(word) + 1
        marks.append((start, m.end(), field))
    if not marks or marks[0][0] != 0:
        return []
    out = []
    for k, (_, value_start, field) in enumerate(marks):
        end = marks[k + 1][0] if k + 1 < len(marks) else len(text)
        value = collapse(text[value_start:end])
        if value:
            out.append((field, value))
    return out


def _boxed_header(page: Page, title: Optional[TextLine]) -> dict[str, str]:
    """The header block drawn as boxes over the table: each label box's field and the
    value in the box to its right (a label wrapped in its box, `PROGRAMA` /
    `PRESUPUESTARIO:`, runs into the value's line when read as lines)."""
    out: dict[str, str] = {}
    for table, cell, value in label_value_boxes(page):
        if not table.ruled or title is not None and table.box.top >= title.top:
            continue
        label = collapse(" ".join(l.text for l in group_lines(cell.words))) or ""
        if label.endswith(":") and (field := _label_field(label[:-1])) is not None:
            out.setdefault(field, collapse(" ".join(l.text for l in group_lines(value.words))))
    return out


def _title_like(line: TextLine) -> bool:
    f = line.folded
    return "TRIMESTRE" in f or bool(re.search(r"\b20\d\d\b", f)) or sum(w in f for w in _TITLE_WORDS) >= 2


def _header_block(above: Sequence[TextLine]) -> tuple[Optional[str], Optional[str], Optional[str]]:
    """(axis, budget program, agency) from the lines printed above the title."""
    found: dict[str, Optional[str]] = {"axis": None, "program": None, "agency": None}
    rest: list[TextLine] = []
    for line in above:
        f = line.folded
        pairs = _labelled_pairs(line)
        if pairs and any(found[name] is None for name, _ in pairs):
            for name, value in pairs:
                found[name] = found[name] or value
        elif found["axis"] is None and _AXIS_RX.match(f):
            found["axis"] = collapse(line.text)
        elif found["program"] is None and _PROGRAM_RX.match(f):
            found["program"] = collapse(line.text)
        elif found["axis"] is not None or found["program"] is not None:
            if _title_like(line):
                break
            rest.append(line)
    if found["agency"] is None and rest and (found["axis"] or found["program"]):
        found["agency"] = collapse(" ".join(l.text for l in rest))
    return found["axis"], found["program"], found["agency"]


def detect(page: Page) -> Optional[PageMark]:
    """A MIR page: by its title, else by its table alone."""
    mark = detect_by_title(page)
    return mark if mark is not None else detect_by_table(page)


def detect_by_title(page: Page) -> Optional[PageMark]:
    """`detect` without the look at the table of a page with no title (None there)."""
    if page.source == "ocr":
        mark = _detect_ocr(page)
        if mark is not None:
            return mark
    lines = group_lines(page.words)
    title = mt.find_title(lines)
    if title is None:
        return None
    below = " ".join(l.folded for l in lines if l.top >= title.top)
    hits = sum(1 for term in _HEADER_TERMS if term in below)
    if (hits < 7 or "NIVEL" not in below and "OBJETIVO" not in below) and not _mir_table(page):
        return None  # neither the usual header words nor a table whose columns say MIR (other wordings)
    return _mark(page, lines, title.top, titled=True)


def _mir_table(page: Page) -> Optional[mt.PageTable]:
    """The page's table when its columns, named by the concepts' vocabulary, are a
    MIR table's and at least one of its rows reads as a MIR row."""
    table = mt.read_page(page)
    if table is None or not table.rows:
        return None
    names = {c.name for c in table.columns}
    needed = {mt.LEVEL, mt.OBJECTIVE, mt.INDICATOR, mt.ANNUAL, mt.ACHIEVED}
    if not needed <= names or not any(_row(r) for r in table.rows):
        return None
    return table


def detect_by_table(page: Page) -> Optional[PageMark]:
    """A page with no title by its table alone: the full header vocabulary and at least
    one MIR row (None for a page with a title: `detect_by_title` answers for it). The
    table reader's look: the sectioning asks it only of pages no family knows by title."""
    lines = group_lines(page.words)
    if mt.find_title(lines) is not None:
        return None
    table = _mir_table(page)
    if table is None:
        return None
    top = min(l.top for l in table.header_lines) if table.header_lines else 0.0
    return _mark(page, lines, top, titled=False)


def _mark(page: Page, lines: Sequence[TextLine], top: float, titled: bool) -> PageMark:
    above = [l for l in lines if l.bottom <= top + 0.5]
    _axis, _program, agency = _header_block(above)
    if page.source == "ocr":
        return PageMark(Family.MIR_AVANCE, ocr_section_key(agency), by_title=titled)
    return PageMark(Family.MIR_AVANCE, fold(agency) if agency else None, by_title=titled)


def _detect_ocr(page: Page) -> Optional[PageMark]:
    """An OCR'd MIR page: a level column, an objective column and the figures,
    in the family's column order, with at least one row anchored on a level word."""
    table = mt.read_page_ocr(page)
    if table is None or not table.rows:
        return None
    names = {c.name for c in table.columns}
    figures = sum(1 for n in mt.NUMBER_COLUMNS + mt.PERCENT_COLUMNS if n in names)
    if not {mt.LEVEL, mt.OBJECTIVE} <= names or figures < 5:
        return None
    anchored = [r for r in table.rows if r.level and sum(1 for n in mt.NUMBER_COLUMNS if r.cells.get(n)) >= 2]
    if not anchored:
        return None
    _axis, _program, agency = ocr_header_block(table.above_title)
    titled = mt.find_title(group_lines(page.words)) is not None
    return PageMark(Family.MIR_AVANCE, ocr_section_key(agency), by_title=titled)


# --------------------------------------------------------------------------
# cells to rows
# --------------------------------------------------------------------------

# The label a justification cell prints before its text (`Justificación Trimestral:`):
# the contract keeps the text only.
_JUSTIFICATION_LABEL = re.compile(r"^\s*justificaci[oó]n(?:\s+(?:del?\s+)?\w+){0,2}\s*[:.]\s*", re.IGNORECASE)


def justification_text(text: Optional[str]) -> Optional[str]:
    text = collapse(text)
    if text is None:
        return None
    return collapse(_JUSTIFICATION_LABEL.sub("", text, count=1)) or None


def ocr_justification_text(text: Optional[str]) -> Optional[str]:
    """`justification_text` for a scan's cell, whose label OCR misreads: its colon read
    `!` or lost (`Justificación Trimestral Durante...`), letters lost (`Justiicación`),
    specks inside (`Justificación Nr ti Trimestral: Trirn`). The label is its first word
    read within one OCR slip, then up to four words to a frequency word (`Trimestral`,
    `Anual`: mt.FREQUENCIES) or a word closed by a mark (`Justificación del avance:`)."""
    text = collapse(text)
    if text is None:
        return None
    toks = text.split()
    if not toks or fuzz.ratio(_label_word(toks[0]), "justificacion") < 80:
        return justification_text(text)
    for i, tok in enumerate(toks[1:5], start=1):
        period = _frequency_word(tok)
        if period is None and not (tok[-1:] in ":;!" and len(tok) > 1):  # a mark that closes a label
            continue
        rest = toks[i + 1:]
        if rest and not any(c.isalnum() for c in rest[0]):
            rest = rest[1:]
        again = _label_word(rest[0]) if period and len(rest) > 1 else ""
        if again and (_frequency_word(rest[0]) or len(again) <= 5 and rest[0][:1].isupper()
                      and fuzz.ratio(again, period[:len(again)]) >= 60):
            rest = rest[1:]  # the label's word read twice, or in pieces (`Trirn`)
        return collapse(" ".join(rest)) or None
    return justification_text(text)


_LABEL_MARKS = ":;.,!¡|'\""


def _label_word(tok: str) -> str:
    return fold(tok).lower().strip(_LABEL_MARKS)


def _frequency_word(tok: str) -> Optional[str]:
    """The frequency word (folded) `tok` reads as within one OCR slip, else None."""
    word = _label_word(tok)
    best = max((fold(f).lower() for f in mt.FREQUENCIES), key=lambda f: fuzz.ratio(word, f))
    return best if word and fuzz.ratio(word, best) >= 85 else None  # `trimestre` (84) is text


def _split_objective(text: Optional[str]) -> tuple[Optional[str], Optional[str]]:
    if not text:
        return None, None
    m = mt.OBJECTIVE_CODE.match(text)
    if not m:
        return None, collapse(text)
    code = re.sub(r"\s", "", m.group(1)).replace(",", ".")
    return code, collapse(text[m.end():])


def _split_indicator(text: Optional[str]) -> tuple[Optional[str], Optional[str]]:
    if not text:
        return None, None
    m = _ACRONYM_RX.match(text)
    if m and any(c.isalpha() for c in m.group(1)):
        return m.group(1).rstrip(".-"), collapse(m.group(2))
    return None, collapse(text)


def _split_units(text: Optional[str]) -> tuple[Optional[str], Optional[str]]:
    if not text:
        return None, None
    ind = _UNIT_RX.search(text)
    var = _VAR_RX.search(text)
    if not ind and not var:
        return collapse(text), None
    indicator_unit = variables_unit = None
    if ind:
        end = var.start() if var and var.start() > ind.end() else len(text)
        indicator_unit = collapse(text[ind.end():end])
    if var:
        end = ind.start() if ind and ind.start() > var.end() else len(text)
        variables_unit = collapse(text[var.end():end])
    return indicator_unit, variables_unit


def _number(text: Optional[str]) -> Optional[float]:
    if not text:
        return None
    value = parse_number(text)
    if value is None:
        value = parse_number(text.replace(" ", ""))
    if value is None:
        # a stray mark next to the figure ("25.00% ,"): keep the first figure
        m = re.search(r"[+-]?\d[\d,]*(?:\.\d+)?%?", text)
        value = parse_number(m.group(0)) if m else None
    return value


def _row(raw: mt.RawRow) -> Optional[tuple[MirRow, list[MirPeriod]]]:
    c = raw.cells
    code, objective = _split_objective(c.get(mt.OBJECTIVE))
    if code is None:
        return None
    acronym, name = _split_indicator(c.get(mt.INDICATOR))
    indicator_unit, variables_unit = _split_units(c.get(mt.UNITS))
    level = mt.level_of(c.get(mt.LEVEL) or "") or collapse(c.get(mt.LEVEL))
    row = MirRow(
        responsible_unit=collapse(c.get(mt.RESPONSIBLE)),
        level=level,
        objective_code=code,
        objective=objective,
        indicator_acronym=acronym,
        indicator_name=name,
        frequency=collapse(c.get(mt.FREQUENCY)),
        indicator_unit=indicator_unit,
        variables_unit=variables_unit,
        annual_target=_number(c.get(mt.ANNUAL)),
        achieved=_number(c.get(mt.ACHIEVED)),
        pct_period=_number(c.get(mt.PCT_PERIOD)),
        pct_cumulative=_number(c.get(mt.PCT_CUMULATIVE)),
        justification=justification_text(c.get(mt.JUSTIFICATION)),
        page=raw.page,
    )
    periods = [
        MirPeriod(objective_code=code, period=n, target=_number(c.get(mt.quarter_column(n))))
        for n in range(1, 5)
        if n in raw.quarters or mt.quarter_column(n) in c
    ]
    return row, periods


# --------------------------------------------------------------------------
# section facts
# --------------------------------------------------------------------------

def _quarter(tables: Sequence[mt.PageTable]) -> Optional[int]:
    """`JUSTIFICACIÓN PRIMER TRIMESTRE` (read within the justification column,
    whose label wraps), else the TRIMESTRE n printed under META ALCANZADA."""
    for t in tables:
        just = [c for c in t.columns if c.name == mt.JUSTIFICATION]
        words = [w for l in t.header_lines for w in l.words]
        if just:
            words = [w for w in words if just[0].holds(w)]
        for text in (" ".join(l.folded for l in group_lines(words)) if words else "",
                     " ".join(l.folded for l in ([t.title] if t.title else []) + t.header_lines + t.above_title)):
            quarter = common.quarter_named(text)
            if quarter:
                return quarter
    for t in tables:
        if t.reported_quarter:
            return t.reported_quarter
    return None


def _municipality(pages: Sequence[Page]) -> Optional[str]:
    """`MUNICIPIO DE MÉRIDA, YUC.` printed in capitals (not body prose)."""
    caps: list[TextLine] = []
    for page in pages:
        for line in group_lines(page.words):
            letters = [ch for ch in line.text if ch.isalpha()]
            if letters and sum(ch.isupper() for ch in letters) >= 0.9 * len(letters):
                caps.append(line)
    return common.find_municipality(caps)


def _read(page: Page) -> Optional[mt.PageTable]:
    if page.source == "ocr":
        table = mt.read_page_ocr(page)
        if table is not None:
            # the shared reader names columns by their headers in any order: where it
            # names more of them (a template in another order), it reads the page
            read = mt.read_page(page)
            if read is not None and read.rows and len(read.columns) > len(table.columns) and \
                    len(read.rows) >= len(table.rows):
                return read
            return table
    return mt.read_page(page)


def parse(pages: Sequence[Page]) -> SectionResult:
    if all(p.source == "ocr_text" for p in pages):
        return parse_export(pages)
    read: list[tuple[Page, mt.PageTable]] = []
    for page in pages:
        table = _read(page)
        if table is None and read and page.source != "ocr":
            table = mt.read_continued(page, read[-1][1])  # no header: the table goes on
        if table is not None:
            read.append((page, table))
    tables = [t for _, t in read]
    ocr = any(t.ocr for t in tables)
    axis = program = agency = None
    for page, t in read:
        if t.ocr:
            continue
        a, p, g = _header_block(t.above_title)
        boxed = _boxed_header(page, t.title)
        a, p, g = boxed.get("axis") or a, boxed.get("program") or p, boxed.get("agency") or g
        if a or p or g:
            axis, program, agency = a, p, g
            break
    if ocr and not (axis or program or agency):
        blocks = [ocr_header_block(t.above_title) for t in tables if t.ocr]
        axis, program, agency = (consensus([b[i] for b in blocks]) for i in range(3))
    head_lines: list[TextLine] = []
    for t in tables[:1]:
        head_lines = ([t.title] if t.title else []) + t.header_lines
    fiscal_year = common.find_fiscal_year(head_lines) if head_lines and not tables[0].ocr else None
    if fiscal_year is None and ocr:
        fiscal_year = mt.ocr_fiscal_year([w for t in tables for l in t.header_lines for w in l.words])
    quarter = _quarter(tables)
    if quarter is None and ocr:
        quarter = _infer_quarter([_first_values(r) for t in tables for r in t.rows if r.ocr and not r.continuation])
    for t in tables:
        if quarter is not None and _percents_swapped(t.rows, quarter):
            for raw in t.rows:  # the columns were named the other way round (see _percents_swapped)
                _swap_cells(raw, mt.PCT_PERIOD, mt.PCT_CUMULATIVE)
    municipality = _municipality(pages)
    if municipality is None and ocr:
        municipality = _ocr_municipality(pages)
    info = SectionInfo(
        family=Family.MIR_AVANCE.value,
        page_start=pages[0].number,
        page_end=pages[-1].number,
        municipality=municipality,
        fiscal_year=fiscal_year,
        quarter=quarter,
        axis=axis,
        budget_program=program,
        agency=agency,
    )
    result = SectionResult(info=info)
    seen: set[str] = set()
    codes = CodeRepairer()
    for t in tables:
        digit_width = _digit_width([w for r in t.rows for ws in r.words.values() for w in ws]) if t.ocr else None
        for raw in t.rows:
            flags: list[Flag] = []
            if raw.continuation:
                built = None
            elif raw.ocr:
                got = ocr_row(raw, quarter, codes, digit_width)
                built = (got[0], got[1]) if got else None
                flags = got[2] if got else []
            else:
                built = _row(raw)
            if built is None:
                if result.mir_rows:
                    _append_continuation(result, raw)
                continue
            _apply_recodes(result, seen, codes)
            row, periods = built
            if _add_row(result, seen, row, periods, raw.page):
                result.flags.extend(flags)
                result.provenance.extend(_row_provenance(row.objective_code, raw))
    return result


def _apply_recodes(result: SectionResult, seen: set[str], codes: "CodeRepairer") -> None:
    for old, new, note in codes.recodes:
        _recode(result, seen, old, new, note)
    codes.recodes.clear()


def _recode(result: SectionResult, seen: set[str], old: str, new: str, note: str) -> None:
    """A row's objective code given before, changed (see CodeRepairer._children_vote),
    with its quarters, flags and provenance; the change flagged."""
    if old not in seen or new in seen:
        return
    seen.discard(old)
    seen.add(new)

    def key(k: str) -> str:
        code, bar, rest = k.partition("|")
        return new + bar + rest if code == old else k

    result.mir_rows = [replace(r, objective_code=new) if r.objective_code == old else r for r in result.mir_rows]
    result.mir_periods = [replace(p, objective_code=new) if p.objective_code == old else p for p in result.mir_periods]
    result.flags = [replace(f, row_key=key(f.row_key)) if f.table.startswith("mir_") else f for f in result.flags]
    result.provenance = [replace(p, row_key=key(p.row_key)) if p.table.startswith("mir_") else p
                         for p in result.provenance]
    result.flags.append(_flag("mir_rows", new, "objective_code", old, new, note[:1].upper() + note[1:] + "."))


def _percents_swapped(rows: Sequence[mt.RawRow], quarter: int) -> bool:
    """The period's and the cumulative percentage columns named the other way round:
    what their cells hold says so on most rows, the period's being the achieved over
    the quarter's target (a scan's header too faint to tell `ACUMULADO` apart, the
    cumulative column printed first)."""
    fits = crossed = 0
    for raw in rows:
        achieved, target = _number(raw.cells.get(mt.ACHIEVED)), _number(raw.cells.get(mt.quarter_column(quarter)))
        period, cumulative = _number(raw.cells.get(mt.PCT_PERIOD)), _number(raw.cells.get(mt.PCT_CUMULATIVE))
        if achieved is None or not target or period is None or cumulative is None:
            continue
        wanted = achieved / target * 100
        if percent_agrees(period, wanted):
            fits += 1
        elif percent_agrees(cumulative, wanted):
            crossed += 1
    return crossed >= 2 and crossed > 2 * fits


def _swap_cells(raw: mt.RawRow, a: str, b: str) -> None:
    for store in (raw.cells, raw.words):
        va, vb = store.pop(a, None), store.pop(b, None)
        if vb is not None:
            store[a] = vb
        if va is not None:
            store[b] = va


def _cell_fields() -> dict[str, tuple[str, str]]:
    fields = {mt.ANNUAL: ("mir_rows", "annual_target"), mt.ACHIEVED: ("mir_rows", "achieved"),
              mt.PCT_PERIOD: ("mir_rows", "pct_period"), mt.PCT_CUMULATIVE: ("mir_rows", "pct_cumulative"),
              mt.OBJECTIVE: ("mir_rows", "objective"), mt.INDICATOR: ("mir_rows", "indicator_name"),
              mt.JUSTIFICATION: ("mir_rows", "justification"), mt.RESPONSIBLE: ("mir_rows", "responsible_unit"),
              mt.UNITS: ("mir_rows", "indicator_unit"), mt.LEVEL: ("mir_rows", "level"),
              mt.FREQUENCY: ("mir_rows", "frequency")}
    for n in range(1, 5):
        fields[mt.quarter_column(n)] = ("mir_periods", "target")
    return fields


def _cell_key(code: str, table: str, column: str) -> str:
    """A cell's row key: the objective's code, with the quarter for a quarter's target."""
    return code if table == "mir_rows" else f"{code}|{column[-1]}"


def _row_provenance(code: str, raw: mt.RawRow) -> list[Provenance]:
    """Where each cell of a row was read (pages whose words the row kept: OCR'd pages)."""
    out = []
    for column, words in raw.words.items():
        target = _cell_fields().get(column)
        if not words or target is None:
            continue
        table, name = target
        out.append(words_record(table, _cell_key(code, table, column), name, raw.page, words, raw.cells.get(column)))
    for column, box in raw.places.items():  # read empty: the cell's place (read again)
        table, name = _cell_fields()[column]
        out.append(place_record(table, _cell_key(code, table, column), name, raw.page, box))
    return out


# --------------------------------------------------------------------------
# OCR text exports: rows are cell lists, figures put back by the column solver
# --------------------------------------------------------------------------



def _frequency(cell: str) -> Optional[str]:
    """A measuring frequency as printed, or the one an OCR slip stands for (`Trinual`)."""
    word = fold(cell).strip(" .")
    if " " in word or not word.isalpha():
        return None
    if word in {fold(f) for f in mt.FREQUENCIES}:
        return cell
    best = max(mt.FREQUENCIES, key=lambda f: fuzz.ratio(fold(f), word))
    return best if fuzz.ratio(fold(best), word) >= 85 else None


def _is_figure(cell: str) -> bool:
    return parse_number(cell) is not None


def parse_export(pages: Sequence[Page]) -> SectionResult:
    lines = [l for p in pages for l in group_lines(p.words)]
    # the header block ends where the table's title or header begins
    end = next((i for i, l in enumerate(lines) if "AVANCE EN CUMPLIMIENTO" in l.folded or "INDICADOR" in l.folded.split()),
               min(len(lines), 6))
    axis, program, agency = _header_block(lines[:end])
    info = SectionInfo(
        family=Family.MIR_AVANCE.value, page_start=pages[0].number, page_end=pages[-1].number,
        municipality=_municipality(pages), fiscal_year=common.find_fiscal_year(lines[:30]),
        quarter=common.find_quarter(lines), axis=axis, budget_program=program, agency=agency,
    )
    result = SectionResult(info=info)
    codes = CodeRepairer()
    seen: set[str] = set()
    for page in pages:
        for line in page.raw_lines:
            built = _export_row(line, page.number, info.quarter, codes, result)
            _apply_recodes(result, seen, codes)
            if built is None:
                continue
            row, periods = built
            if _add_row(result, seen, row, periods, page.number):
                result.provenance.extend(
                    Provenance(t, k, f, page.number, 0.0, 0.0, 0.0, 0.0, None, line) for t, k, f in _row_fields(row))
    return result


def _add_row(result: SectionResult, seen: set[str], row: MirRow, periods: list[MirPeriod], page: int) -> bool:
    """The row and its quarters into the section, unless its objective code was read
    before in it (the first reading stands; the repeat is dropped, flagged)."""
    if row.objective_code in seen:
        result.flags.append(_flag("mir_rows", row.objective_code, "objective_code", row.objective_code, None,
                                  f"Objective {row.objective_code} was read again on page {page}; the repeated row "
                                  f"was dropped and the first one kept.", rule="duplicate_row"))
        return False
    seen.add(row.objective_code)
    result.mir_rows.append(row)
    result.mir_periods.extend(periods)
    return True


def _row_fields(row: MirRow) -> list[tuple[str, str, str]]:
    key = row.objective_code
    fields = [("mir_rows", key, f) for f in ("objective", "indicator_name", "annual_target", "achieved",
                                               "pct_period", "pct_cumulative", "justification")]
    return fields + [("mir_periods", f"{key}|{p}", "target") for p in range(1, 5)]


def _export_row(line: str, page: int, quarter: Optional[int], codes: CodeRepairer,
                result: SectionResult) -> Optional[tuple[MirRow, list[MirPeriod]]]:
    from ..extractors.text_export import split_cells
    from ..normalizers.columns import Figure, mir_slots, mir_violations, solve_row

    cells = [c.strip() for c in (split_cells(line) or []) if c.strip()]
    at = next((i for i, c in enumerate(cells[:4]) if mt.fuzzy_level(c)), None)
    if at is None:
        return None
    level = mt.fuzzy_level(cells[at])
    responsible = collapse(" ".join(cells[:at]))
    rest = cells[at + 1 :]
    raw_code, objective = _split_objective(rest.pop(0) if rest else None)
    code, note, _ = codes.repair(raw_code, level)
    if code is None:
        return None
    if note:
        result.flags.append(_flag("mir_rows", code, "objective_code", raw_code, code, f"Objective code: {note}."))
    acronym = name = frequency = None
    units: list[str] = []
    while rest and not _is_figure(rest[0]):
        cell = rest.pop(0)
        if acronym is None and name is None and ":" in cell and "UNIDAD DE MEDIDA" not in fold(cell):
            acronym, name = _split_indicator(cell)
        elif frequency is None and _frequency(cell):
            frequency = _frequency(cell)
            if frequency != cell:
                result.flags.append(_flag("mir_rows", code, "frequency", cell, frequency,
                                          f"Indicator {code}: frequency read '{cell}' matched to '{frequency}'."))
        else:
            units.append(cell)
    figure_cells = []
    while rest and _is_figure(rest[0]):
        figure_cells.append(rest.pop(0))
    justification = justification_text(" ".join(rest))
    figures = [Figure(parse_number(c), c.endswith("%")) for c in figure_cells]
    solution = solve_row(figures, mir_slots(), mir_violations(quarter))
    raw = " ".join(figure_cells)
    if solution.status == "realigned":
        result.flags.append(_flag("mir_rows", code, "annual_target", raw, "realigned",
                                  f"Indicator {code}: the figures '{raw}' did not sit one per column; the only "
                                  f"placement that fits the row's arithmetic with the fewest assumptions was used.",
                                  rule="column_realigned"))
    elif solution.status in ("ambiguous", "unsolved"):
        for name_ in solution.uncertain:
            result.flags.append(Flag(table="mir_rows", row_key=code, field=name_, rule="unreadable",
                                     severity=Severity.ERROR, raw_value=raw, value=None,
                                     message=f"Indicator {code}: {name_} is left empty: no single placement of "
                                             f"the figures '{raw}' fits the row's arithmetic."))
    v = solution.values
    indicator_unit, variables_unit = _split_units(" ".join(units) or None)
    row = MirRow(
        responsible_unit=responsible, level=level, objective_code=code, objective=objective,
        indicator_acronym=acronym, indicator_name=name, frequency=frequency, indicator_unit=indicator_unit,
        variables_unit=variables_unit, annual_target=v["annual_target"], achieved=v["achieved"],
        pct_period=v["pct_period"], pct_cumulative=v["pct_cumulative"], justification=justification, page=page,
    )
    return row, [MirPeriod(code, p, v[f"T{p}"]) for p in range(1, 5)]


def _append_continuation(result: SectionResult, raw: mt.RawRow) -> None:
    """A row without code or level continues the previous row (a cell broken over a page)."""
    prev = result.mir_rows[-1]
    c = raw.cells
    updates = {}
    fields = ((mt.JUSTIFICATION, "justification"), (mt.RESPONSIBLE, "responsible_unit"),
              (mt.OBJECTIVE, "objective"), (mt.INDICATOR, "indicator_name"))
    for name, fld in fields:
        if c.get(name):
            updates[fld] = collapse(" ".join(x for x in (getattr(prev, fld), c[name]) if x))
    if c.get(mt.UNITS):
        extra_ind, extra_var = _split_units(c[mt.UNITS])
        if prev.variables_unit or extra_var:
            updates["variables_unit"] = collapse(" ".join(x for x in (prev.variables_unit, extra_var or extra_ind) if x))
        else:
            updates["indicator_unit"] = collapse(" ".join(x for x in (prev.indicator_unit, extra_ind) if x))
    if updates:
        result.mir_rows[-1] = replace(prev, **updates)


def _objective_of_cell(text: str, code: str) -> Optional[str]:
    return code_echo(ocr_split_objective(clean_text(text)[0])[1], code)[1]


def _indicator_of_cell(text: str, _code: str) -> Optional[str]:
    return ocr_split_indicator(clean_text(text)[0])[1]


def _unit_of_cell(text: str, _code: str) -> Optional[str]:
    return clean_text(text)[0]


# the cells the page pass reads worst on scans: long text in narrow columns
_TEXT_OF_CELL = {("mir_rows", "objective"): _objective_of_cell, ("mir_rows", "indicator_name"): _indicator_of_cell,
                 ("mir_rows", "responsible_unit"): _unit_of_cell}


# figure cells the page pass read empty are read again (their places are in the provenance);
# a reading is parsed as any figure read again is (a more forgiving reader here would also
# stop the readings behind a warning sooner: `1.` read as the page's `1` where `11` was printed)
_FIGURES = {_cell_fields()[c] for c in mt.NUMBER_COLUMNS + mt.PERCENT_COLUMNS}
SPEC = FamilySpec(Family.MIR_AVANCE, detect_by_title, parse, detect_by_table=detect_by_table,
                  reread_text=frozenset(_TEXT_OF_CELL), text_of_cell=_TEXT_OF_CELL,
                  value_readers={f: parse_number for f in _FIGURES})


# --------------------------------------------------------------------------
# OCR'd pages: repairs decided by the table's own structure, each one flagged
# --------------------------------------------------------------------------

_LEVEL_RANK = {"Fin": 0, "Propósito": 1, "Componente": 2, "Actividad": 3}
_RANK_LEVEL = {v: k for k, v in _LEVEL_RANK.items()}
_CODE_DIGITS = str.maketrans({"O": "0", "o": "0", "l": "1", "I": "1", "|": "1", "i": "1", "S": "5", "B": "8"})


def _flag(table: str, key: str, fld: str, raw: Optional[str], value, message: str, rule: str = "ocr_repair") -> Flag:
    return Flag(table=table, row_key=key, field=fld, rule=rule, severity=Severity.INFO,
                raw_value=raw, value=None if value is None else str(value), message=message)


def parse_code(text: Optional[str]) -> Optional[list[int]]:
    """`4.1.1:` / `4,1.1.1.4.1` / `4.1.1.1.:2` -> [4, 1, 1, ...]; None unless it reads as a dotted code."""
    if not text:
        return None
    t = text.strip().translate(_CODE_DIGITS)
    t = re.sub(r"[.,:;'´`’]+$", "", t)
    t = re.sub(r"\s*[.,:;]+\s*", ".", t)
    if not re.fullmatch(r"\d{1,2}(?:\.\d{1,2})+", t):
        return None
    return [int(p) for p in t.split(".")]


def _fmt_code(parts: Sequence[int]) -> str:
    return ".".join(str(p) for p in parts)


class CodeRepairer:
    """Objective codes of one section, in reading order, repaired by the MIR's
    hierarchy: a level's code extends its parent's by one part (Propósito
    4.1.1.1 under Fin 4.1.1), so a code whose dots OCR lost or misread
    (`41.11.11`, `411122`) is re-cut on its parent's digits, and a code OCR lost
    altogether is the parent's next child."""

    def __init__(self) -> None:
        self.last: dict[int, list[int]] = {}          # rank -> last code of that level
        self.children: dict[str, int] = {}            # parent code -> last child number
        self.base_depth: Optional[int] = None         # parts of a Fin code
        self.skipped: dict[str, list[int]] = {}       # code read past its place -> the code of that place
        self.recodes: list[tuple[str, str, str]] = []  # (code given, code now, why) for codes given before

    def _remember(self, rank: Optional[int], parts: list[int]) -> None:
        if rank is None and self.base_depth is not None:
            rank = len(parts) - self.base_depth
        if rank is not None and 0 <= rank <= 3:
            self.last[rank] = parts
            for deeper in range(rank + 1, 4):
                self.last.pop(deeper, None)
            if self.base_depth is None:
                self.base_depth = len(parts) - rank
        if len(parts) > 1:
            parent = _fmt_code(parts[:-1])
            before = self.children.get(parent, 0)
            if parts[-1] > before + 1:
                self.skipped[_fmt_code(parts)] = parts[:-1] + [before + 1]
            self.children[parent] = max(before, parts[-1])

    def _children_vote(self, parsed: Optional[list[int]], rank: int) -> None:
        """A child read under the code its parent skipped (`2.1.1.1.1.1` under a
        first Componente read `2.1.1.1.2`): the parent's reading was wrong, the
        parent takes the code of its place (the caller recodes the row given it)."""
        parent = self.last.get(rank - 1) if rank else None
        if parsed is None or parent is None or parsed[:-1] == parent:
            return
        place = self.skipped.get(_fmt_code(parent))
        if place is None or parsed[:-1] != place or _fmt_code(parent) in self.children:
            return
        old, new = _fmt_code(parent), _fmt_code(place)
        del self.skipped[old]
        grand = _fmt_code(parent[:-1])
        self.children[grand] = place[-1]
        self.last[rank - 1] = place
        self.recodes.append((old, new, f"read the code '{old}' as '{new}': no row under {grand} before it is "
                                       f"{new}, and the rows under it read {new}.x"))

    def _read_twice(self, parsed: Optional[list[int]], rank: int) -> None:
        """The code of the row before read again (`4.1.1.1.2.2` twice under a Componente
        4.1.1.1.2 with no row .1): the row before was read past its place, and takes it
        (the caller recodes it); this row keeps the code. Only a row with no rows under it."""
        if parsed is None or self.last.get(rank) != parsed:
            return
        old = _fmt_code(parsed)
        place = self.skipped.get(old)
        if place is None or old in self.children:
            return
        del self.skipped[old]
        new = _fmt_code(place)
        self.recodes.append((old, new, f"read the code '{old}' on two rows in a row: the first is {new}, the "
                                       f"place under {_fmt_code(parsed[:-1])} no row before them took"))

    def extends_parent(self, raw: Optional[str], level: Optional[str]) -> bool:
        """`raw` reads as a child of the code last seen one level up."""
        rank = _LEVEL_RANK.get(level) if level else None
        parsed = parse_code(raw)
        return bool(rank) and parsed is not None and self.last.get(rank - 1) == parsed[:-1]

    def rank_of(self, parts: Sequence[int]) -> Optional[int]:
        if self.base_depth is None:
            return None
        r = len(parts) - self.base_depth
        return r if 0 <= r <= 3 else None

    def repair(self, raw: Optional[str], level: Optional[str]) -> tuple[Optional[str], Optional[str], Optional[int]]:
        """(code, note, rank): note says what was repaired (None when read as
        printed); rank is the level (0 Fin .. 3 Actividad) the code stands at."""
        rank = _LEVEL_RANK.get(level) if level else None
        if rank is not None:
            return self._repair_at(raw, rank)
        parsed = parse_code(raw)
        nxt = self._next_child_by_digits(raw, deeper_than=None if parsed is None else self.rank_of(parsed))
        if nxt is not None:
            return nxt
        if parsed is not None and (self.base_depth is None or self.rank_of(parsed) is not None):
            r = self.rank_of(parsed)
            if r is None or r == 0 or self.last.get(r - 1) == parsed[:-1]:
                self._remember(r, parsed)
                return _fmt_code(parsed), self._note(raw, parsed), r
        for r in (3, 2, 1):  # the deepest parent first: codes run depth-first
            if r - 1 in self.last:
                code, note, got = self._repair_at(raw, r, allow_new=False)
                if code is not None:
                    return code, note, got
        if parsed is not None:
            self._remember(None, parsed)
            return _fmt_code(parsed), self._note(raw, parsed), self.rank_of(parsed)
        return None, None, None

    def _next_child_by_digits(self, raw: Optional[str], deeper_than: Optional[int]
                              ) -> Optional[tuple[str, Optional[str], int]]:
        """Without a level word: a code whose digits are a parent's followed by that
        parent's next child number (`4.3.1.13` after 4.3.1.1.2: 4.3.1.1.3), the
        deepest such parent first, when the dots as read would put it higher."""
        digits = re.sub(r"\D", "", (raw or "").translate(_CODE_DIGITS))
        for r in (3, 2, 1):
            parent = self.last.get(r - 1)
            if parent is None or deeper_than is not None and r <= deeper_than:
                continue
            pd = "".join(str(p) for p in parent)
            nxt = self.children.get(_fmt_code(parent), 0) + 1
            if digits == pd + str(nxt):
                parts = parent + [nxt]
                self._remember(r, parts)
                return _fmt_code(parts), self._note(raw, parts), r
        return None

    @staticmethod
    def _note(raw: Optional[str], parts: Sequence[int]) -> Optional[str]:
        code = _fmt_code(parts)
        if raw is not None and code == re.sub(r"[.:;'´`’]+$", "", raw.strip()):
            return None
        return f"read the code '{raw}' as '{code}'"

    def _repair_at(self, raw: Optional[str], rank: int, allow_new: bool = True
                   ) -> tuple[Optional[str], Optional[str], Optional[int]]:
        parsed = parse_code(raw)
        self._children_vote(parsed, rank)
        self._read_twice(parsed, rank)
        parent = self.last.get(rank - 1) if rank else None
        expected_depth = None if self.base_depth is None else self.base_depth + rank
        if parsed is not None:
            if parent is not None and parsed[:-1] == parent:
                self._remember(rank, parsed)
                return _fmt_code(parsed), self._note(raw, parsed), rank
            if parent is None and (expected_depth is None or len(parsed) == expected_depth):
                self._remember(rank, parsed)
                return _fmt_code(parsed), self._note(raw, parsed), rank
        digits = re.sub(r"\D", "", (raw or "").translate(_CODE_DIGITS))
        if parent is not None:
            pd = "".join(str(p) for p in parent)
            rest = digits[len(pd):] if digits.startswith(pd) else ""
            if rest and len(rest) <= 2 and not rest.startswith("0"):
                parts = parent + [int(rest)]
                self._remember(rank, parts)
                return _fmt_code(parts), (f"read the code '{raw}' as '{_fmt_code(parts)}' "
                                          f"(its digits cut as its parent code {_fmt_code(parent)} is)"), rank
            if not allow_new:
                return None, None, None
            if parsed is not None and len(parsed) == len(parent) + 1:
                parts = parent + [parsed[-1]]
                self._remember(rank, parts)
                return _fmt_code(parts), (f"read the code '{raw}' as '{_fmt_code(parts)}' "
                                          f"(its parent code is {_fmt_code(parent)})"), rank
            if parsed is None:
                parts = parent + [self.children.get(_fmt_code(parent), 0) + 1]
                self._remember(rank, parts)
                return _fmt_code(parts), (f"the code was unreadable ('{raw or ''}'); {_fmt_code(parts)} "
                                          f"is the next child of {_fmt_code(parent)}"), rank
        if not allow_new:
            return None, None, None
        if parsed is not None:
            self._remember(rank, parsed)
            return _fmt_code(parsed), self._note(raw, parsed), rank
        if digits and expected_depth is not None and len(digits) == expected_depth:
            parts = [int(d) for d in digits]
            self._remember(rank, parts)
            return _fmt_code(parts), f"read the code '{raw}' as '{_fmt_code(parts)}' (its dots were lost)", rank
        return None, None, None


# numbers ------------------------------------------------------------------

_NUM_FIELDS = (mt.ANNUAL, *mt.QUARTER_COLUMNS, mt.ACHIEVED, mt.PCT_PERIOD, mt.PCT_CUMULATIVE)
_EDGE_NOISE = ".,:;'\"`´’*_-—–|!¡¿?"
_LOOKALIKE = {"3": "8", "8": "3069", "5": "6", "6": "58", "1": "7", "7": "1", "0": "89", "9": "80"}


@dataclass(frozen=True)
class Reading:
    value: Optional[float]
    note: Optional[str]   # None: read as printed


def _digit_width(words: Sequence[Word]) -> Optional[float]:
    """Typical width of one printed digit on the page (from clean numeric words)."""
    ws = sorted(w.width / len(w.text) for w in words if re.fullmatch(r"\d[\d,.]*%?", w.text) and len(w.text) >= 2)
    return ws[len(ws) // 2] if ws else None


def number_readings(text: Optional[str], percent: bool, words: Sequence[Word] = (),
                    digit_width: Optional[float] = None) -> list[Reading]:
    """Readings of an OCR'd cell, most likely first. Noise at the ends (`100.004,`,
    `—37`) is dropped; a cell of a figure and a stray word keeps the figure."""
    if not text:
        return [Reading(None, None)]
    t = text.strip()
    core = t.strip(_EDGE_NOISE + " ")
    cands = number_candidates(core, percent=percent, count=not percent) if core else []
    if not cands:
        toks = [x.strip(_EDGE_NOISE) for x in t.split()]
        for tok in toks:
            if tok and looks_numeric(tok):
                cands = number_candidates(tok, percent=percent, count=not percent)
                if cands:
                    core = tok
                    break
    out: list[Reading] = []
    if percent:
        # a percentage prints two decimals and its sign: `17,244` / `100.008` / `0,004`
        # is `17.24%` / `100.00%` / `0.00%` with the sign read as a digit
        m = re.fullmatch(r"(\d+)[.,](\d\d)[48]", core)
        if m:
            out.append(Reading(float(f"{m.group(1)}.{m.group(2)}"),
                               f"read '{t}' as '{m.group(1)}.{m.group(2)}%' (the % sign was read as a digit)"))
    for c in cands:
        note = c.note
        if note is None and core != t:
            note = f"read '{t}' as '{core}' (stray marks beside the figure dropped)"
        if all(abs(o.value - c.value) > 1e-9 for o in out if o.value is not None):
            out.append(Reading(c.value, note))
    if percent:
        m = re.fullmatch(r"(\d+)(\d\d)[48]", core)
        if m:  # `17244`: the point lost too
            v = float(f"{m.group(1)}.{m.group(2)}")
            if all(abs(o.value - v) > 1e-9 for o in out if o.value is not None):
                out.append(Reading(v, f"read '{t}' as '{m.group(1)}.{m.group(2)}%' "
                                      f"(the point lost and the % sign read as a digit)"))
    # a figure and a speck read as a second token (`100 0`, `36.00% 0%`): each token
    # alone is a reading too, for the row's arithmetic to choose
    tokens = [x.strip(_EDGE_NOISE) for x in t.split()]
    if len(tokens) > 1:
        for tok in tokens:
            for c in (number_candidates(tok, percent=percent) if tok and looks_numeric(tok) else [])[:1]:
                if all(abs(o.value - c.value) > 1e-9 for o in out if o.value is not None):
                    out.append(Reading(c.value, f"read '{t}' as '{tok}' (a stray mark read as a second figure)"))
    if not out:
        return [Reading(None, f"'{t}' could not be read as a figure")]
    # one digit misread as a look-alike (3/8, 5/6, 1/7, 0/8/9): tried only where
    # the row's arithmetic needs it (see choose_numbers)
    if re.fullmatch(r"[\d.,]+%?", core) and out[0].value is not None:
        for i, ch in enumerate(core):
            for alt in _LOOKALIKE.get(ch, ""):
                variant = core[:i] + alt + core[i + 1:]
                v = parse_number(variant)
                if v is not None and all(abs(o.value - v) > 1e-9 for o in out if o.value is not None):
                    out.append(Reading(v, f"lookalike:read '{t}' as '{variant}' (a look-alike digit)"))
    # a figure whose box is wider than its digits: OCR dropped a character
    nums = [w for w in words if looks_numeric(w.text)]
    if digit_width and len(nums) == 1 and re.fullmatch(r"\d+", core):
        expected = nums[0].width / digit_width
        if expected >= len(core) + 0.7:
            out.append(Reading(None, f"lost-digit:{core}"))
    return out


def _fits_lost_digit(read: str, value: float) -> bool:
    """`1` printed as `11`: the digits read are the value's digits with one left out."""
    if value <= 0 or value != int(value):
        return False
    full = str(int(value))
    if len(full) != len(read) + 1:
        return False
    return any(full[:i] + full[i + 1:] == read for i in range(len(full)))


def _needed(f: str, vals: dict[str, Optional[float]], quarter: Optional[int]) -> list[float]:
    """Values of figure `f` that would make one of the row's relations hold."""
    out: list[float] = []
    annual, achieved = vals.get(mt.ANNUAL), vals.get(mt.ACHIEVED)
    pct, cum = vals.get(mt.PCT_PERIOD), vals.get(mt.PCT_CUMULATIVE)
    qt = vals.get(mt.quarter_column(quarter)) if quarter else None
    # the cumulative percent relates the quarter's achievement to the annual target only
    # in the first quarter (later, the earlier quarters' achievements are in it too)
    cum = cum if cumulative_is_quarters_own(quarter) else None
    if f in mt.QUARTER_COLUMNS:
        others = [vals.get(q) for q in mt.QUARTER_COLUMNS if q != f and q in vals]
        if annual is not None and all(o is not None for o in others):
            out.append(annual - sum(others))
        if quarter and f == mt.quarter_column(quarter) and pct and achieved is not None:
            out.append(achieved / pct * 100)
    elif f == mt.ACHIEVED:
        if pct is not None and qt:
            out.append(pct * qt / 100)
        if cum is not None and annual:
            out.append(cum * annual / 100)
    elif f == mt.ANNUAL:
        qs = [vals.get(q) for q in mt.QUARTER_COLUMNS if q in vals]
        if qs and all(q is not None for q in qs):
            out.append(sum(qs))
        if achieved is not None and cum:
            out.append(achieved / cum * 100)
    elif f == mt.PCT_PERIOD and achieved is not None and qt:
        out.append(round(achieved / qt * 100, 2))
    elif f == mt.PCT_CUMULATIVE and achieved is not None and annual and cumulative_is_quarters_own(quarter):
        out.append(round(achieved / annual * 100, 2))
    return [round(v, 6) for v in out]


def _digits(text: str) -> str:
    return re.sub(r"\D", "", text)


def _one_digit_apart(read: str, value: float, percent: bool) -> Optional[str]:
    """The value as printed when it differs from the digits read in one digit
    (same length), else None."""
    if value < 0:
        return None
    shown = f"{value:.2f}" if percent or "." in read else (f"{value:.0f}" if value == int(value) else None)
    if shown is None:
        return None
    a, b = _digits(read), _digits(shown)
    if len(a) != len(b) or sum(x != y for x, y in zip(a, b)) != 1:
        return None
    return shown


def choose_numbers(readings: dict[str, list[Reading]], quarter: Optional[int],
                   raw_texts: Optional[dict[str, str]] = None) -> dict[str, Reading]:
    """One reading per figure of a row: the combination that makes the row's
    arithmetic hold in the most places (quarters add up to the annual target,
    the percentages match achieved over target), preferring the first reading of
    each figure, so that a printed inconsistency stays as printed."""
    fields = [f for f in _NUM_FIELDS if f in readings]
    raw_texts = raw_texts or {}
    options = {f: [r for r in readings[f] if r.note is None or not r.note.startswith(("lost-digit:", "lookalike:"))]
               or [Reading(None, None)] for f in fields}
    lookalikes = {f: [r for r in readings[f] if r.note and r.note.startswith("lookalike:")] for f in fields}
    lost = {f: r.note.split(":", 1)[1] for f in fields for r in readings[f] if r.note and r.note.startswith("lost-digit:")}

    def relations(vals: dict[str, Optional[float]]) -> tuple[int, int]:
        held = broken = 0
        qs = [vals.get(q) for q in mt.QUARTER_COLUMNS if q in vals]
        qs = [q for q in qs if q is not None]
        annual = vals.get(mt.ANNUAL)
        if qs and annual is not None:
            if abs(sum(qs) - annual) <= SUM_TOLERANCE:
                held += 1
            else:
                broken += 1
        achieved = vals.get(mt.ACHIEVED)
        qt = vals.get(mt.quarter_column(quarter)) if quarter else None
        pct = vals.get(mt.PCT_PERIOD)
        if pct is not None and achieved is not None and qt:
            if percent_agrees(pct, achieved / qt * 100):
                held += 1
            else:
                broken += 1
        cum = vals.get(mt.PCT_CUMULATIVE) if cumulative_is_quarters_own(quarter) else None
        if cum is not None and achieved is not None and annual:
            if percent_agrees(cum, achieved / annual * 100):
                held += 1
            else:
                broken += 1
        return held, broken

    combos = 1
    for f in fields:
        combos *= len(options[f])
    best_key = None
    best: dict[str, Reading] = {f: options[f][0] for f in fields}
    if combos <= 4096:
        for choice in itertools.product(*(range(len(options[f])) for f in fields)):
            picked = {f: options[f][i] for f, i in zip(fields, choice)}
            held, _ = relations({f: r.value for f, r in picked.items()})
            key = (held, -sum(1 for i in choice if i), -sum(choice))
            if best_key is None or key > best_key:
                best_key, best = key, picked
    # a look-alike digit (3/8, 5/6, 1/7, 0/8/9), where the row's arithmetic
    # needs exactly that figure: printed inconsistencies are wider than a glyph
    held_now = relations({f: r.value for f, r in best.items()})[0]
    for f in fields:
        for r in lookalikes[f]:
            trial = dict(best)
            trial[f] = Reading(r.value, r.note.split(":", 1)[1])
            gained = relations({k: v.value for k, v in trial.items()})[0] - held_now
            if gained >= 1:
                best, held_now = trial, held_now + gained
                break
    # any one digit misread, where the figure the arithmetic needs in two
    # places at once differs from the reading in that one digit (alone, or two
    # such figures together, each making two more relations hold)
    vals = {k: r.value for k, r in best.items()}
    base = relations(vals)[0]
    subs: list[tuple[str, float, str]] = []
    for f in fields:
        raw_text = raw_texts.get(f) or ""
        if best[f].value is None or not raw_text:
            continue
        for need in _needed(f, vals, quarter):
            shown = _one_digit_apart(raw_text, need, f in mt.PERCENT_COLUMNS)
            if shown is not None and all(abs(need - v) > 1e-9 for g, v, _ in subs if g == f):
                subs.append((f, need, shown))
    trials = [(x,) for x in subs] + [(x, y) for i, x in enumerate(subs) for y in subs[i + 1:] if x[0] != y[0]]
    best_gain, best_trial = 0, None
    for trial in trials:
        t_vals = dict(vals)
        for f, v, _ in trial:
            t_vals[f] = v
        gain = relations(t_vals)[0] - base
        if gain >= 2 * len(trial) and gain > best_gain:
            best_gain, best_trial = gain, trial
    if best_trial:
        for f, v, shown in best_trial:
            best[f] = Reading(v, f"read '{raw_texts[f]}' as '{shown}' (one digit misread: the row's arithmetic "
                                 f"needs this figure in two places)")
    # a lost digit: the value the row's arithmetic needs, when the figure's
    # box is wide enough for one more digit and the digits read are its own
    for f, read in lost.items():
        vals = {k: r.value for k, r in best.items()}
        before = relations(vals)[0]
        for need in _needed(f, vals, quarter):
            if _fits_lost_digit(read, need):
                trial = dict(vals)
                trial[f] = need
                if relations(trial)[0] > before:
                    best[f] = Reading(need, f"read '{read}' as '{int(need)}' (a digit was lost: the box is wide "
                                            f"enough for it and the row's arithmetic then holds)")
                    break
    return best


# text cells ---------------------------------------------------------------

_UNIT_LABEL_WORDS = ("UNIDAD", "DE", "MEDIDA", "DEL", "LAS", "SUS", "INDICADOR", "VARIABLES")


def _label_token(tok: str) -> Optional[str]:
    """A word of the `UNIDAD DE MEDIDA DEL INDICADOR:` labels read with OCR noise."""
    letters = re.sub(r"[^A-Z]", "", fold(tok))
    alpha = [c for c in tok if c.isalpha()]
    if not letters or sum(c.isupper() for c in alpha) < 0.6 * len(alpha):
        return None  # labels print in capitals, the values they name do not
    if letters in _UNIT_LABEL_WORDS:
        return letters
    if len(letters) >= 4:
        best = max(_UNIT_LABEL_WORDS, key=lambda k: fuzz.ratio(letters, k))
        if fuzz.ratio(letters, best) >= 70:
            return best
    if len(letters) >= 4 and fuzz.partial_ratio(letters, "INDICADOR") >= 80:
        return "INDICADOR"
    return None


def _noise_token(tok: str) -> bool:
    t = tok.strip()
    return not any(c.isalnum() for c in t) or (len(t) == 1 and t not in "aeyouAEYOU")


def ocr_split_units(text: Optional[str]) -> tuple[Optional[str], Optional[str]]:
    """`UNIDAD DE MEDIDA DEL IMDICADOR: Porcentaje UNIDAD DE MEDIDA DE LAS VARIABLES: Acciones`
    -> (`Porcentaje`, `Acciones`): the capitals label words found one by one,
    fuzzily; a value is what follows a run of them."""
    if not text:
        return None, None
    if _UNIT_RX.search(text) and (_VAR_RX.search(text) or not re.search(r"VARIA", fold(text))):
        return _split_units(text)
    toks = text.split()
    kinds = [_label_token(t) for t in toks]
    parts: list[tuple[str, list[str]]] = []
    lead: list[str] = []
    i = 0
    while i < len(toks):
        if kinds[i] is None:
            (parts[-1][1] if parts else lead).append(toks[i])
            i += 1
            continue
        label: list[str] = []
        while i < len(toks) and (kinds[i] is not None or _noise_token(toks[i])):
            if kinds[i]:
                label.append(kinds[i])
            i += 1
        kind = "VARIABLES" if {"VARIABLES", "LAS", "SUS"} & set(label) else "INDICADOR"
        if parts and parts[-1][0] == kind and not parts[-1][1]:
            continue  # one label broken by noise
        parts.append((kind, []))
    if not parts:
        return collapse(text), None
    if parts[0][0] == "VARIABLES" and lead:
        parts.insert(0, ("INDICADOR", lead))
    out: dict[str, Optional[str]] = {"INDICADOR": None, "VARIABLES": None}
    for kind, vals in parts:
        while vals and _noise_token(vals[0]):
            vals = vals[1:]
        while vals and _noise_token(vals[-1]):
            vals = vals[:-1]
        value = collapse(" ".join(vals).strip(" :;"))
        if value and out[kind] is None:
            out[kind] = value
    return out["INDICADOR"], out["VARIABLES"]


def ocr_split_indicator(text: Optional[str]) -> tuple[Optional[str], Optional[str]]:
    """`PCPAPP + Porcentaje de ...` / `PPXPI: Porcentaje ...` -> (acronym, name)."""
    if not text:
        return None, None
    acronym, name = _split_indicator(text)
    if acronym is not None:
        return acronym, name
    toks = text.split()
    if len(toks) >= 2:
        first = toks[0].lstrip("'\"`´’‘“¡").strip(".,;:")
        if re.fullmatch(r"[A-ZÁÉÍÓÚÑ0-9]{3,12}", first) and sum(c.isalpha() for c in first) >= 2:
            rest = toks[1:]
            while rest and not any(c.isalnum() for c in rest[0]):
                rest = rest[1:]
            return first, collapse(" ".join(rest))
    return None, collapse(text)


# an acronym prints capitals only (every MIR seen): OCR reads its I as `!`, `|`, `1` or `l`, its O as `0`
_ACRONYM_SLIPS = str.maketrans({"!": "I", "|": "I", "1": "I", "l": "I", "0": "O"})
_SLIPPED_ACRONYM = re.compile(r"[A-ZÁÉÍÓÚÑ!|1l0]{3,12}")


def ocr_repair_acronym(acronym: Optional[str], name: Optional[str]
                       ) -> tuple[Optional[str], Optional[str], Optional[str]]:
    """(acronym, name, note): an indicator's acronym with the letters OCR read as
    marks or digits put back (`PPEP!:` -> `PPEPI`, `1PSM` -> `IPSM`); note None
    when nothing was repaired."""
    if acronym is None and name:
        first, _, rest = name.partition(" ")
        bare = first.rstrip(":;.,")
        if not rest or not any(ch in "!|" for ch in bare):
            return acronym, name, None
        acronym, name = bare, collapse(rest)
    if not acronym or not _SLIPPED_ACRONYM.fullmatch(acronym) or sum(ch.isupper() for ch in acronym) < 2:
        return acronym, name, None
    fixed = acronym.translate(_ACRONYM_SLIPS)
    initials = _initials_fit(fixed, name)
    if initials is not None:
        return initials, name, (f"Read the indicator acronym '{acronym}' as '{initials}': its letters are the "
                                f"initials of the indicator's name, one of them a capital OCR takes for another.")
    if fixed == acronym:
        return acronym, name, None
    return fixed, name, f"Read the indicator acronym '{acronym}' as '{fixed}' (an acronym prints capital letters only)."


# capitals OCR takes for one another in small print (any other letter off: the name's
# initial may be the one misread; allowing any cost the dev and 150-dpi scans fields)
_CAPITAL_SLIPS = [set("IJLT1"), set("EF"), set("ODQCG0"), set("PRB"), set("UV"), set("MNH"), set("S5")]


def _initials_fit(acronym: str, name: Optional[str]) -> Optional[str]:
    """The acronym with one capital put right, where the rest of it is the initials of
    the name's words (text.LINK_WORDS skipped), in order: an indicator's acronym is made of
    them (`PTCJVPR`, Porcentaje de Talleres de Co-creación y Jornadas de Votación...).
    None when the acronym reads as initials already, or differs otherwise."""
    if not name or not acronym.isupper() or len(acronym) < 3:
        return None
    fits = []
    for split in (r"[\s/]+", r"[\s\-/]+"):  # a hyphenated word (`co-creación`) one initial or two
        words = [w for w in re.split(split, fold(name)) if w and w[0].isalpha() and w.lower() not in LINK_WORDS]
        initials = "".join(w[0].upper() for w in words)[:len(acronym)]
        if initials == acronym:
            return None
        wrong = [(a, b) for a, b in zip(acronym, initials) if a != b]
        if len(initials) == len(acronym) and len(wrong) == 1 and \
                any(wrong[0][0] in g and wrong[0][1] in g for g in _CAPITAL_SLIPS):
            fits.append(initials)
    return fits[0] if fits else None


def code_echo(objective: Optional[str], code: str) -> tuple[Optional[str], Optional[str]]:
    """(the garbled code before the objective, the objective without it): the
    objective's first words hold no letter but digits close to the row's code's
    (`$.1.1.112`, `41,.1131`, `4 .3.1.1.4.1` before 4.1.1.1.1.2...): OCR garbled the
    code past reading it as one, and the code was found otherwise. (None, objective)
    when it does not start so."""
    toks = (objective or "").split()
    n = 0
    while n < min(3, len(toks) - 1) and not any(c.isalpha() for c in toks[n]):
        n += 1
    digits = "".join(c for t in toks[:n] for c in t if c.isdigit())
    own = "".join(c for c in code if c.isdigit())
    if len(digits) < 4 or fuzz.ratio(digits, own) < 50:
        return None, objective
    return " ".join(toks[:n]), collapse(" ".join(toks[n:]))


def ocr_split_objective(text: Optional[str]) -> tuple[Optional[str], Optional[str]]:
    """(the code as read, the objective text): the code is the first code-like
    word among the first few (specks may precede it)."""
    if not text:
        return None, None
    toks = text.split()
    for i, tok in enumerate(toks[:3]):
        tok = tok.lstrip(".,:;'`´’")  # a speck read before the code (`.41.1.1.1.2`)
        if mt.CODE_LIKE.match(tok) and not re.fullmatch(r"(19|20)\d\d", tok):
            if all(not any(c.isalnum() for c in t) for t in toks[:i]):
                # a code OCR broke at a dot (`4.1 1.1.1`): its dotted rest is the next word
                while i + 1 < len(toks) and re.fullmatch(r"\d{1,2}(?:[.,]\d{1,2})+[.:]?", toks[i + 1]):
                    tok, i = tok.rstrip(".:") + "." + toks[i + 1], i + 1
                return tok, collapse(" ".join(toks[i + 1:]))
    return None, collapse(text)


# section facts on OCR'd pages -----------------------------------------------

def ocr_header_block(block: Sequence[TextLine]) -> tuple[Optional[str], Optional[str], Optional[str]]:
    """(axis, budget program, agency) from the top block `mt.top_block` found."""
    if not block:
        return None, None, None
    lines = list(block)
    prog_i = None
    for i, line in enumerate(lines[:3]):
        first = re.sub(r"[^A-Z]", "", fold(line.words[0].text)) if line.words else ""
        if i > 0 and (fuzz.ratio(first, "EPP") >= 66 or first == "PP"):
            prog_i = i
            break
    if prog_i is None:
        prog_i = 1 if len(lines) > 1 else None
    axis = collapse(lines[0].text) if prog_i != 0 else None
    program = collapse(lines[prog_i].text) if prog_i is not None else None
    rest = lines[prog_i + 1:] if prog_i is not None else []
    agency = collapse(" ".join(l.text for l in rest)) if rest else None
    return axis, program, agency


def consensus(readings: Sequence[Optional[str]]) -> Optional[str]:
    """The reading of a line printed on several pages that agrees most with the
    others (OCR garbles each copy differently)."""
    rs = [r for r in readings if r]
    if len(rs) <= 2:
        return rs[0] if rs else None
    return max(rs, key=lambda r: (sum(fuzz.ratio(r, o) for o in rs), -rs.index(r)))


def ocr_section_key(agency: Optional[str]) -> Optional[str]:
    """A section key robust to OCR noise: the initials of the agency's words
    (`SECRETARÍA MUNICIPAL DE SEGURIDAD CIpranawa` -> `SMSC`)."""
    if not agency:
        return None
    words = [re.sub(r"[^A-Z]", "", fold(w)) for w in agency.split()]
    initials = "".join(w[0] for w in words if len(w) >= 3)
    return initials or None


def _ocr_municipality(pages: Sequence[Page]) -> Optional[str]:
    caps: list[TextLine] = []
    for page in pages:
        for line in group_lines(page.words):
            letters = [ch for ch in line.text if ch.isalpha()]
            if letters and sum(ch.isupper() for ch in letters) >= 0.9 * len(letters):
                words = list(line.words)
                for i in range(len(words) - 1):
                    if fold(words[i].text) == "MUNICIPIO" and fold(words[i + 1].text) in ("DIE", "DB", "DF", "OE", "BE"):
                        words[i + 1] = replace(words[i + 1], text="DE")
                caps.append(TextLine(line.x0, line.top, line.x1, line.bottom, tuple(words)))
    return common.find_municipality(caps)


def _infer_quarter(first_values: Sequence[dict[str, Optional[float]]]) -> Optional[int]:
    """The reported quarter from the rows' arithmetic: the quarter whose target
    makes the printed period percentage agree with achieved / target."""
    score = {n: 0 for n in range(1, 5)}
    for vals in first_values:
        pct, achieved = vals.get(mt.PCT_PERIOD), vals.get(mt.ACHIEVED)
        if pct is None or achieved is None:
            continue
        for n in range(1, 5):
            qt = vals.get(mt.quarter_column(n))
            if qt and percent_agrees(pct, achieved / qt * 100):
                score[n] += 1
    best = max(score.values())
    winners = [n for n, s in score.items() if s == best]
    return winners[0] if best > 0 else None


# rows -----------------------------------------------------------------------

def _first_values(raw: mt.RawRow) -> dict[str, Optional[float]]:
    out = {}
    for f in _NUM_FIELDS:
        if f in raw.cells:
            out[f] = number_readings(raw.cells[f], f in mt.PERCENT_COLUMNS)[0].value
    return out


def clean_text(text: Optional[str]) -> tuple[Optional[str], bool]:
    """A text cell without the stray marks OCR reads in dirt (`.`, `:`, `Ñ`
    standing alone); True when something was dropped."""
    if not text:
        return None, False
    toks = text.split()
    kept = [t for t in toks if any(c.isalnum() for c in t) and not (len(t) == 1 and t.isalpha() and t not in _ONE_LETTER_WORDS)]
    return collapse(" ".join(kept)), len(kept) != len(toks)


_ONE_LETTER_WORDS = set("aeouyAEOUY")


def ocr_row(raw: mt.RawRow, quarter: Optional[int], codes: CodeRepairer, digit_width: Optional[float]
            ) -> Optional[tuple[MirRow, list[MirPeriod], list[Flag]]]:
    """A row of an OCR'd page, every repair flagged."""
    c = dict(raw.cells)
    dropped: list[tuple[str, str]] = []
    for name in (mt.RESPONSIBLE, mt.OBJECTIVE, mt.INDICATOR, mt.UNITS, mt.JUSTIFICATION):
        cleaned, changed = clean_text(c.get(name))
        if changed:
            dropped.append((name, c[name]))
            if cleaned:
                c[name] = cleaned
            else:
                c.pop(name)
    code_raw, objective = ocr_split_objective(c.get(mt.OBJECTIVE))
    level = raw.level or (mt.fuzzy_level(c[mt.LEVEL]) if c.get(mt.LEVEL) else None)
    first, _, rest = (objective or "").partition(" ")
    if (code_raw and re.fullmatch(r"\d{1,2}", first) and not codes.extends_parent(code_raw, level)
            and codes.extends_parent(f"{code_raw.rstrip('.:')}.{first}", level)):
        # the code's last part OCR set apart by a space (`2.1.1.1.3 1`): the hierarchy says it is the code's
        code_raw, objective = f"{code_raw} {first}", rest or None
    code, code_note, rank = codes.repair(code_raw, level)
    if code is None:
        return None
    flags: list[Flag] = []
    echo, kept = code_echo(objective, code)
    if echo:
        flags.append(_flag("mir_rows", code, "objective", objective, kept,
                           f"Dropped '{echo}' before the objective: the row's code {code} as OCR garbled it."))
        objective = kept
    fields_of = {mt.RESPONSIBLE: "responsible_unit", mt.OBJECTIVE: "objective", mt.INDICATOR: "indicator_name",
                 mt.UNITS: "indicator_unit", mt.JUSTIFICATION: "justification"}
    for name, before in dropped:
        flags.append(_flag("mir_rows", code, fields_of[name], before, collapse(c.get(name)),
                           "Dropped stray marks OCR read between the words of the cell."))
    if code_note:
        flags.append(_flag("mir_rows", code, "objective_code", code_raw, code, code_note[:1].upper() + code_note[1:] + "."))
    level_raw = collapse(c.get(mt.LEVEL))
    if level is None and rank is not None:
        level = _RANK_LEVEL[rank]
        flags.append(_flag("mir_rows", code, "level", level_raw, level,
                           f"The level word was unreadable; {level} is the level of a code of {code.count('.') + 1} parts."))
    elif level is not None and level_raw != level:
        flags.append(_flag("mir_rows", code, "level", level_raw, level, f"Read the level word '{level_raw}' as '{level}'."))
    frequency = collapse(c.get(mt.FREQUENCY))
    fz = mt.fuzzy_frequency(frequency, cutoff=60)  # the column holds nothing but a frequency
    if fz and fz != frequency:
        flags.append(_flag("mir_rows", code, "frequency", frequency, fz, f"Read the frequency '{frequency}' as '{fz}'."))
        frequency = fz
    acronym, name = ocr_split_indicator(c.get(mt.INDICATOR))
    read_acronym = acronym or (name or "").partition(" ")[0]
    acronym, name, note = ocr_repair_acronym(acronym, name)
    if note:
        flags.append(_flag("mir_rows", code, "indicator_acronym", read_acronym, acronym, note))
    indicator_unit, variables_unit = ocr_split_units(c.get(mt.UNITS))
    readings = {f: number_readings(c.get(f), f in mt.PERCENT_COLUMNS, raw.words.get(f, ()), digit_width)
                for f in _NUM_FIELDS if f in c or f in mt.QUARTER_COLUMNS and int(f[1]) in raw.quarters}
    chosen = choose_numbers(readings, quarter, {f: c[f] for f in readings if c.get(f)})
    for f, r in chosen.items():
        if r.note:
            table, key, fld = ("mir_periods", f"{code}|{f[1]}", "target") if f in mt.QUARTER_COLUMNS else ("mir_rows", code, f)
            flags.append(_flag(table, key, fld, collapse(c.get(f)), None if r.value is None else f"{r.value:g}",
                               r.note[:1].upper() + r.note[1:] + "."))
    value = {f: r.value for f, r in chosen.items()}
    row = MirRow(
        responsible_unit=collapse(c.get(mt.RESPONSIBLE)),
        level=level,
        objective_code=code,
        objective=objective,
        indicator_acronym=acronym,
        indicator_name=name,
        frequency=frequency,
        indicator_unit=indicator_unit,
        variables_unit=variables_unit,
        annual_target=value.get(mt.ANNUAL),
        achieved=value.get(mt.ACHIEVED),
        pct_period=value.get(mt.PCT_PERIOD),
        pct_cumulative=value.get(mt.PCT_CUMULATIVE),
        justification=ocr_justification_text(c.get(mt.JUSTIFICATION)),
        page=raw.page,
    )
    periods = [MirPeriod(objective_code=code, period=n, target=value.get(mt.quarter_column(n)))
               for n in range(1, 5) if n in raw.quarters or mt.quarter_column(n) in c]
    return row, periods, flags
