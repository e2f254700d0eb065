"""MIR quarterly progress tables (AVANCE EN CUMPLIMIENTO DE METAS TRIMESTRAL).

A section is one agency's table: a header block (`EJE ...`, `E-PP ...`, the
agency line) above the title, printed on the first page and possibly repeated
on the following ones, then the table over as many pages as it takes. Table
geometry (columns from header labels, rows from level words) lives in
`mir_table`; this module turns cells into `MirRow`s and `MirPeriod`s.
"""
from __future__ import annotations

import re
from typing import Optional, Sequence

from ..extractors.layout import TextLine, collapse, fold, group_lines
from ..normalizers.numbers import parse_number
from ..records import Family, MirPeriod, MirRow, Page, SectionInfo, SectionResult
from . import common
from . import mir_table as mt
from .base import FamilySpec, PageMark

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
_QUARTER_RX = re.compile(r"\b(PRIMER|PRIMERO|SEGUNDO|TERCER|TERCERO|CUARTO|1ER|2DO|3ER|4TO)\s+TRIMESTRE")
_QUARTER_WORDS = {"PRIMER": 1, "PRIMERO": 1, "1ER": 1, "SEGUNDO": 2, "2DO": 2, "TERCER": 3, "TERCERO": 3,
                  "3ER": 3, "CUARTO": 4, "4TO": 4}


# --------------------------------------------------------------------------
# detection
# --------------------------------------------------------------------------

def _header_block(above: Sequence[TextLine]) -> tuple[Optional[str], Optional[str], Optional[str]]:
    """(axis, budget program, agency) from the lines printed above the title."""
    axis = program = agency = None
    rest: list[TextLine] = []
    for line in above:
        f = line.folded
        if axis is None and _AXIS_RX.match(f):
            axis = collapse(line.text)
        elif program is None and _PROGRAM_RX.match(f):
            program = collapse(line.text)
        elif axis is not None or program is not None:
            rest.append(line)
    if rest and (axis or program):
        agency = collapse(" ".join(l.text for l in rest))
    return axis, program, agency


def detect(page: Page) -> Optional[PageMark]:
    lines = group_lines(page.words)
    title = mt.find_title(lines)
    if title is not None:
        below = " ".join(l.folded for l in lines if l.top >= title.top)
        hits = sum(1 for term in _HEADER_TERMS if term in below)
        if hits < 7 or "NIVEL" not in below and "OBJETIVO" not in below:
            return None
        top = title.top
    else:
        # no title: the full header vocabulary and at least one MIR row
        table = mt.read_page(page)
        if table is None or not table.rows:
            return None
        names = {c.name for c in table.columns}
        needed = {mt.LEVEL, mt.OBJECTIVE, mt.INDICATOR, mt.ANNUAL, mt.ACHIEVED}
        if not needed <= names or not any(_row(r) for r in table.rows):
            return None
        top = min(l.top for l in table.header_lines) if table.header_lines else 0.0
    above = [l for l in lines if l.bottom <= top + 0.5]
    _axis, _program, agency = _header_block(above)
    return PageMark(Family.MIR_AVANCE, fold(agency) if agency else None)


# --------------------------------------------------------------------------
# cells to rows
# --------------------------------------------------------------------------

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
        justification=collapse(c.get(mt.JUSTIFICATION)),
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
            m = _QUARTER_RX.search(text)
            if m:
                return _QUARTER_WORDS[m.group(1)]
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


def parse(pages: Sequence[Page]) -> SectionResult:
    tables = [t for t in (mt.read_page(p) for p in pages) if t is not None]
    axis = program = agency = None
    for t in tables:
        a, p, g = _header_block(t.above_title)
        if a or p or g:
            axis, program, agency = a, p, g
            break
    head_lines: list[TextLine] = []
    for t in tables[:1]:
        head_lines = ([t.title] if t.title else []) + t.header_lines
    info = SectionInfo(
        family=Family.MIR_AVANCE.value,
        page_start=pages[0].number,
        page_end=pages[-1].number,
        municipality=_municipality(pages),
        fiscal_year=common.find_fiscal_year(head_lines) if head_lines else None,
        quarter=_quarter(tables),
        axis=axis,
        budget_program=program,
        agency=agency,
    )
    result = SectionResult(info=info)
    seen: set[str] = set()
    for t in tables:
        for raw in t.rows:
            built = None if raw.continuation else _row(raw)
            if built is None:
                if result.mir_rows:
                    _append_continuation(result, raw)
                continue
            row, periods = built
            if row.objective_code in seen:
                continue
            seen.add(row.objective_code)
            result.mir_rows.append(row)
            result.mir_periods.extend(periods)
    return result


def _append_continuation(result: SectionResult, raw: mt.RawRow) -> None:
    """A row without code or level continues the previous row (a cell broken over a page)."""
    from dataclasses import replace

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


SPEC = FamilySpec(Family.MIR_AVANCE, detect, parse)
