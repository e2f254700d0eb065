""""Indicadores de resultados" / "Indicadores para resultados": the quarterly
programmatic report every public body publishes (LGCG/CONAC, transparency law).

What this family knows is data: its title words, its columns as concepts with
their Spanish header vocabulary, the section facts some layouts print as columns
(year, period dates, F/FN/SF). Reading the tables, joining a table printed over
several pages, splitting a project cell's goal lines and carrying group rows
are the table reader's (`avance.tables`).
"""
from __future__ import annotations

import re
from dataclasses import replace
from typing import Optional, Sequence

from ..extractors.layout import collapse, fold, group_lines, split_chunks, typical_char_width
from ..normalizers.checks import percent_agrees, format_figure
from ..normalizers.numbers import lost_decimal_point, parse_number
from ..records import Family, Flag, IndicatorResult, Page, Provenance, SectionInfo, SectionResult, Severity, Total
from ..tables import read_tables
from ..tables.concepts import Concept, choose
from ..tables.rows import LogicalRow, continues_wide, join_wide, map_tables, table_rows
from . import common
from .base import FamilySpec, PageMark

# Title words, folded and without spaces (some text layers run them together).
TITLES = ("INDICADORESDERESULTADOS", "INDICADORESPARARESULTADOS")
NOT_AFTER = ("MATRIZDE",)  # a MIR is a "matriz de indicadores para resultados"
# The title stands among the page's first lines, with few letters beside it (`AL
# PRIMER TRIMESTRE DEL 2018`, the government's name run into it).
_TITLE_LINES = 12
_TITLE_EXTRA = 60

LEVELS = ("Fin", "Propósito", "Componente", "Actividad")
TYPES = ("Estratégico", "Gestión")
DIMENSIONS = ("Eficacia", "Eficiencia", "Economía", "Calidad")
FREQUENCIES = ("Anual", "Semestral", "Trimestral", "Mensual", "Bimestral", "Cuatrimestral", "Bienal", "Trianual",
               "Sexenal", "Quinquenal")

ROW_CONCEPTS: tuple[Concept, ...] = (
    Concept("program_code", ("PP", "Clave del programa presupuestario", "Clave del programa", "Clave del proyecto",
                             "Programa presupuestario clave"), "code"),
    Concept("program_name", ("Nombre del programa presupuestario", "Nombre del programa",
                             "Nombre del programa o concepto al que corresponde el indicador", "Proyecto",
                             "Programa presupuestario"), "text", min_words=2),
    Concept("indicator", ("Denominación del indicador", "Nombre del indicador", "Nombre de los indicadores",
                          "Indicador", "Proyectos metas", "Metas conceptos"), "text", min_words=3,
            avoid_own=("definicion", "sentido", "metodo", "formula", "unidad", "frecuencia", "dimension", "tipo",
                   "nivel", "programa", "objetivo")),
    Concept("level", ("Nivel", "Nivel de la MIR", "Nivel del indicador"), "choice", LEVELS),
    Concept("indicator_type", ("Tipo", "Tipo de indicador"), "choice", TYPES),
    Concept("dimension", ("Dimensión a medir", "Dimensión", "Dimensiones a medir"), "choice", DIMENSIONS),
    Concept("frequency", ("Frecuencia de medición", "Frecuencia", "Periodicidad"), "choice", FREQUENCIES),
    Concept("unit", ("Unidad de medida",), "text"),
    Concept("formula", ("Fórmula", "Fórmula de cálculo", "Método de cálculo", "Método de cálculo con variables de la fórmula"),
            "formula", min_words=3, avoid_own=("descripcion",)),
    Concept("target_programmed", ("Meta programada", "Metas programada", "Programada", "Metas programadas",
                                  "Program anual", "Meta anual programada", "Meta aprobada"), "number",
            avoid=("presupuesto",)),
    Concept("target_modified", ("Meta modificada", "Metas modificada", "Modificada", "Metas ajustadas",
                                "Modif anual", "Meta ajustada"), "number", avoid=("presupuesto", "pesos", "dev")),
    Concept("achieved", ("Meta alcanzada", "Metas alcanzada", "Alcanzada", "Avance de metas", "Alcanz al periodo",
                         "Meta alcanzada al periodo", "Avance"), "number", avoid=("presupuesto", "porcentaje")),
    Concept("pct_vs_programmed", ("Alc Prog", "Porcentaje de cumplimiento alc prog", "% cumplimiento programada",
                                  "Avance % programada"), "percent"),
    Concept("pct_vs_modified", ("Alc Modif", "Porcentaje de cumplimiento alc modif", "% cumplim modif",
                                "% cumplimiento modificada"), "percent", avoid=("dev", "presupuesto")),
    Concept("budget_approved", ("Presupuesto aprobado", "Aprobado"), "number"),
    Concept("budget_modified", ("Presupuesto modificado", "Modificado"), "number", avoid=("metas", "meta")),
    Concept("budget_accrued", ("Presupuesto devengado", "Devengado"), "number", avoid=("porcentaje",)),
    Concept("budget_exercised", ("Presupuesto ejercido", "Ejercido"), "number"),
    Concept("budget_paid", ("Presupuesto pagado", "Pagado"), "number"),
)
# Section facts some layouts print in every row.
SECTION_CONCEPTS: tuple[Concept, ...] = (
    Concept("fiscal_year", ("Ejercicio",), "number"),
    Concept("period_start", ("Fecha de inicio del periodo que se informa", "Fecha de inicio"), "date"),
    Concept("period_end", ("Fecha de término del periodo que se informa", "Fecha de término"), "date"),
    Concept("finalidad_code", ("F", "Finalidad"), "number"),
    Concept("funcion_code", ("FN", "Función"), "number"),
    Concept("subfuncion_code", ("SF", "Subfunción"), "number"),
)
CONCEPTS = ROW_CONCEPTS + SECTION_CONCEPTS
# The order the goal and budget columns are printed in (CONAC's template and the states'):
# a column whose header OCR did not read is named by its place (tables.concepts.fill_by_order);
# one percent after the targets including a modified one is taken against it unless its header says otherwise.
ORDERS: tuple[tuple[tuple[str, ...], ...], ...] = (
    (("target_programmed",), ("target_modified",), ("achieved",), ("pct_vs_modified", "pct_vs_programmed")),
    (("budget_approved",), ("budget_modified",), ("budget_accrued",), ("budget_exercised",), ("budget_paid",)),
)
NUMBERS = {c.name for c in ROW_CONCEPTS if c.kind in ("number", "percent")}
PERCENTS = {c.name for c in ROW_CONCEPTS if c.kind == "percent"}
BUDGETS = ("budget_approved", "budget_modified", "budget_accrued", "budget_exercised", "budget_paid")
# What a grouping line (program, project) prints and its lines inherit.
GOALS = ("target_programmed", "target_modified", "achieved")
_DASHES = ("-", "–", "—", "$ -", "$-")
GROUP_FIELDS = ("program_code", "program_name") + BUDGETS
_CHOICES = {c.name: c.values for c in ROW_CONCEPTS if c.kind == "choice"}


def detect(page: Page) -> Optional[PageMark]:
    """A page titled so near its top: the title on a short line of its own (a letter
    or an index that names the report in a sentence or a list is no report)."""
    for line in group_lines(page.words)[:_TITLE_LINES]:
        text = "".join(fold(w.text) for w in line.words)  # some text layers store a word letter by letter
        for title in TITLES:
            at = text.find(title)
            while at >= 0:
                if len(text) <= len(title) + _TITLE_EXTRA and \
                        not any(text[:at].endswith(before) for before in NOT_AFTER):
                    return PageMark(Family.INDICATOR_RESULTS, None)
                at = text.find(title, at + 1)
    return None


# --------------------------------------------------------------------------
# section facts
# --------------------------------------------------------------------------

_MONTHS = {"ENERO": 1, "FEBRERO": 2, "MARZO": 3, "ABRIL": 4, "MAYO": 5, "JUNIO": 6, "JULIO": 7, "AGOSTO": 8,
           "SEPTIEMBRE": 9, "SETIEMBRE": 9, "OCTUBRE": 10, "NOVIEMBRE": 11, "DICIEMBRE": 12}
_MONTH = "(" + "|".join(_MONTHS) + ")"
_PERIOD = re.compile(rf"DEL?\s+(\d{{1,2}})\s+DE\s+{_MONTH}(?:\s+DE(?:L)?\s+(\d{{4}}))?\s+AL?\s+(\d{{1,2}})\s+DE\s+"
                     rf"{_MONTH}\s+DE(?:L)?\s+(\d{{4}})")
_QUARTER_TITLE = re.compile(r"\b(PRIMER|PRIMERO|SEGUNDO|TERCER|TERCERO|CUARTO)\s+TRIMESTRE\s+(?:DE(?:L)?\s+)?(\d{4})")
_QUARTERS = {"PRIMER": 1, "PRIMERO": 1, "SEGUNDO": 2, "TERCER": 3, "TERCERO": 3, "CUARTO": 4}
_AGENCY_LABEL = re.compile(r"^(?:ENTE PUBLICO|ORGANISMO PUBLICO|ORGANISMO|DEPENDENCIA|ENTIDAD)\s*:\s*(.+)$")
_BODY_WORDS = ("INSTITUTO", "SECRETARIA", "COMISION", "CONSEJO", "UNIVERSIDAD", "COLEGIO", "SISTEMA", "FIDEICOMISO",
               "PROCURADURIA", "TRIBUNAL", "FISCALIA", "COORDINACION", "JUNTA", "SERVICIOS", "CENTRO", "PATRONATO",
               "HOSPITAL", "MUNICIPIO", "AYUNTAMIENTO", "ORGANISMO", "AGENCIA", "OFICINA", "COMITE")


def _iso(day: str, month: str, year: str) -> str:
    return f"{int(year):04d}-{_MONTHS[month]:02d}-{int(day):02d}"


def _dmy(text: Optional[str]) -> Optional[str]:
    m = re.match(r"^(\d{1,2})[/-](\d{1,2})[/-](\d{4})$", (text or "").strip())
    return f"{int(m.group(3)):04d}-{int(m.group(2)):02d}-{int(m.group(1)):02d}" if m else None


def section_facts(pages: Sequence[Page]) -> dict:
    # a line's blocks far apart are separate texts (a logo's words, `Página 1 de 1`)
    lines = [c for p in pages[:1] for l in group_lines(p.words)
             for c in split_chunks(l, 3 * typical_char_width(p.words))]
    facts: dict = {"government": common.find_government(lines)}
    for line in lines:
        raw, f = line.text, line.folded
        m = _PERIOD.search(f)
        if m and "period_end" not in facts:
            end_year = m.group(6)
            facts["period_start"] = _iso(m.group(1), m.group(2), m.group(3) or end_year)
            facts["period_end"] = _iso(m.group(4), m.group(5), end_year)
            start = f.find(m.group(0))
            facts["period_label"] = collapse(raw[start:start + len(m.group(0))]) if len(raw) == len(f) else \
                collapse(m.group(0))
        q = _QUARTER_TITLE.search(f)
        if q and "quarter" not in facts:
            facts["quarter"], facts["fiscal_year"] = _QUARTERS[q.group(1)], int(q.group(2))
            facts.setdefault("period_label", collapse(raw))
        a = _AGENCY_LABEL.match(f)
        if a and "agency" not in facts:
            facts["agency"] = collapse(raw.split(":", 1)[1])
    if "agency" not in facts:
        for line in lines[:40]:
            words = line.folded.split()
            if words and words[0] in _BODY_WORDS and "RESULTADOS" not in line.folded and len(words) >= 3:
                facts["agency"] = collapse(line.text)
                break
    if facts.get("period_end"):
        end = facts["period_end"]
        facts.setdefault("fiscal_year", int(end[:4]))
        facts.setdefault("quarter", (int(end[5:7]) + 2) // 3)
    return facts


# --------------------------------------------------------------------------
# rows
# --------------------------------------------------------------------------

def _choice(name: str, text: Optional[str]) -> Optional[str]:
    if not text:
        return None
    return choose(text, _CHOICES[name]) or collapse(text)


def _is_total(row: LogicalRow) -> bool:
    """A total line names itself in a short label (`Total del Gasto`, `TOTAL`), in
    a column of its own or in the indicator's."""
    labels = [t for t in row.texts if re.match(r"TOTAL\b", fold(t)) and len(t.split()) <= 4]
    return bool(labels) and row.values.get("indicator") in (None, *labels)


def _has_figure(row: LogicalRow, names: Sequence[str]) -> bool:
    return any(parse_number(row.values.get(k)) is not None for k in names)


def _is_group(row: LogicalRow) -> bool:
    """A program or project line: it names a program or carries a budget, but no goal
    figures (a project line printed in the goals' column carries a key or a budget)."""
    has_goal = _has_figure(row, GOALS)
    budget = _has_figure(row, BUDGETS)
    keyed = "program_code" in row.values or budget
    named = "program_name" in row.values or "indicator" in row.values  # a key alone may be a speck
    return not has_goal and ("indicator" not in row.values or keyed) and (named or budget)


def _group_values(row: LogicalRow) -> dict[str, str]:
    """What a grouping line's goal lines inherit; a name printed in the goals' column
    is the program's, without the heading before it (`PROYECTOS INSTITUCIONALES:`)."""
    values = {k: v for k, v in row.values.items() if k in GROUP_FIELDS}
    if "program_name" not in values and row.values.get("indicator"):
        heading, colon, rest = row.values["indicator"].partition(":")
        values["program_name"] = rest.strip() if colon and rest.strip() and len(heading.split()) <= 4 \
            else row.values["indicator"]
    return values


def parse(pages: Sequence[Page]) -> SectionResult:
    facts = section_facts(pages)
    tables = join_wide([t for page in pages for t in read_tables(page)])
    # (table number, row): a grouping line is carried only onto the lines of its own table
    rows = [(n, row) for n, mapped in enumerate(map_tables(tables, CONCEPTS, sequences=ORDERS))
            for row in table_rows(mapped, NUMBERS)]
    result = SectionResult(info=SectionInfo(family=Family.INDICATOR_RESULTS.value, page_start=pages[0].number,
                                            page_end=pages[-1].number))
    group: dict[str, str] = {}
    group_table = -1
    section_values: dict[str, str] = {}
    heading: Optional[str] = None  # the words of the last heading row above the lines
    for table_no, row in rows:
        if table_no != group_table:
            group, group_table = {}, table_no
        if _is_total(row):
            _add_totals(result, row)
            continue
        if _is_group(row):
            group = _group_values(row)
            if not result.indicator_results and not result.totals and "program_code" not in row.values \
                    and _has_figure(row, BUDGETS):
                # a classification's banner over the programs, with the budget of all of
                # them (Chiapas: the subfunction under the function's heading)
                _add_totals(result, row)
                section_values.update(subfuncion_name=group.get("program_name"), funcion_name=heading)
            continue
        # a line names an indicator or prints a goal (a heading spread over the goal
        # columns prints words there, no figure)
        if not (any(k in row.values for k in ("indicator", "formula")) or _has_figure(row, GOALS)):
            words = [w for t in row.texts for w in t.split() if any(c.isalpha() for c in w)]  # no specks
            heading = collapse(" ".join(words)) if words and not _has_figure(row, NUMBERS) else heading
            continue
        for c in SECTION_CONCEPTS:
            if c.name in row.values:
                section_values.setdefault(c.name, row.values[c.name])
        values = {**group, **{k: v for k, v in row.values.items() if k in GROUP_FIELDS}, **row.values}
        _add_line(result, values, row, len(result.indicator_results) + 1)
    result.info = _section_info(result.info, facts, section_values)
    return result


def _add_totals(result: SectionResult, row: LogicalRow) -> None:
    for name in BUDGETS:
        value = parse_number(row.values.get(name))
        if value is not None:
            result.totals.append(Total("indicator_results", name, value))


def _add_line(result: SectionResult, values: dict[str, str], row: LogicalRow, row_no: int) -> None:
    fields: dict = {}
    for name in (c.name for c in ROW_CONCEPTS):
        text = values.get(name)
        if name in BUDGETS and text is not None and text.strip() in _DASHES:
            fields[name] = 0.0  # accounting style: a budget of nothing prints as a dash
        elif name in NUMBERS:
            fields[name] = parse_number(text)
            repaired = lost_decimal_point(text)
            if repaired is not None:
                fields[name] = repaired
                result.flags.append(Flag("indicator_results", str(row_no), name, "ocr_repair", Severity.INFO, text,
                                         format_figure(repaired), f"Line {row_no}: '{text}' read without its decimal "
                                         f"point (thousands a space apart, then cents); stored as {format_figure(repaired)}."))
        elif name in _CHOICES:
            fields[name] = _choice(name, text)
        else:
            fields[name] = collapse(text)
    line = IndicatorResult(row_no=row_no, page=row.page, **fields)
    line = _scaled_fractions(line, result.flags)
    result.indicator_results.append(line)
    for name, (page, box) in row.boxes.items():
        if name in fields:
            result.provenance.append(Provenance("indicator_results", str(row_no), name, page, box.x0, box.top,
                                                box.x1, box.bottom, raw_text=values.get(name)))


def _scaled_fractions(line: IndicatorResult, flags: list[Flag]) -> IndicatorResult:
    """A percentage printed as a fraction (`0.44` for 44%) is stored in percent units,
    where the row's own figures say it is one."""
    for name, target in (("pct_vs_programmed", "target_programmed"), ("pct_vs_modified", "target_modified")):
        printed, goal = getattr(line, name), getattr(line, target)
        if printed is None or goal in (None, 0) or line.achieved is None or abs(printed) > 1.5:
            continue
        computed = line.achieved / goal * 100
        if not percent_agrees(printed, computed) and percent_agrees(round(printed * 100, 6), computed):
            line = replace(line, **{name: round(printed * 100, 6)})
            flags.append(Flag("indicator_results", str(line.row_no), name, "scale_normalized", Severity.INFO,
                              format_figure(printed), format_figure(printed * 100),
                              f"Line {line.row_no}: {format_figure(printed)} under a percent heading is a fraction; "
                              f"stored as {format_figure(printed * 100)}%."))
    return line


def _section_info(info: SectionInfo, facts: dict, values: dict[str, str]) -> SectionInfo:
    updates = {k: v for k, v in facts.items() if v is not None}
    year = parse_number(values.get("fiscal_year"))
    if year and "fiscal_year" not in updates:
        updates["fiscal_year"] = int(year)
    for name in ("period_start", "period_end"):
        if name in values and name not in updates:
            iso = _dmy(values[name])
            if iso:
                updates[name] = iso
    if "period_end" in updates and "quarter" not in updates:
        updates["quarter"] = (int(updates["period_end"][5:7]) + 2) // 3
    for name in ("finalidad_code", "funcion_code", "subfuncion_code", "funcion_name", "subfuncion_name"):
        if values.get(name):
            updates[name] = values[name].strip()
    return replace(info, **updates)


def _code_read_again(text: str) -> Optional[str]:
    """The one program key in a key cell read again alone."""
    codes = [t for t in text.split() if re.fullmatch(r"[A-Z]{1,2}-?\d{2,4}[A-Z0-9]*", t)]
    return codes[0] if len(codes) == 1 else None


def _figure_read_again(text: str) -> Optional[float]:
    """A figure cell read again alone; a dash is zero (a budget's, accounting style).
    Digits a space apart that are no thousands (`96 94`) lost their point: no reading."""
    text = text.strip()
    if re.search(r"\d\s+\d", text) and not re.fullmatch(r"\d{1,3}(\s\d{3})+(\.\d+)?", text):
        return None
    return 0.0 if text in _DASHES else parse_number(text)


def continues(pages: Sequence[Page], page: Page) -> bool:
    """The next group of columns of a wide table printed one group per page."""
    return continues_wide([t for p in pages for t in read_tables(p)], read_tables(page))


SPEC = FamilySpec(family=Family.INDICATOR_RESULTS, detect=detect, parse=parse, continues=continues,
                  reread_codes={("indicator_results", "program_code"): _code_read_again},
                  value_readers={("indicator_results", name): _figure_read_again for name in NUMBERS},
                  reread_figures=frozenset(("indicator_results", name) for name in NUMBERS),
                  reread_text=frozenset(("indicator_results", name) for name in ("program_name", "indicator", "unit")))
