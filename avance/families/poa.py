"""POA avance programático: header block, PMD action lines and the goal table."""
from __future__ import annotations

import re
from itertools import product
from dataclasses import dataclass, field, replace
from typing import Optional, Sequence

from rapidfuzz import fuzz
from rapidfuzz.distance import Levenshtein

from ..extractors.grid import (Column, assign_blocks, horizontal_edges, intervals, line_pitch, rows_by_keys,
                               ruled_header, thin_vertical_xs)
from ..extractors.layout import TextLine, collapse, fold, group_lines, make_line, split_chunks, typical_char_width
from ..normalizers.codes import join_code_lines, segment_codes
from ..normalizers.checks import percent_agrees
from ..extractors.text_export import split_cells
from ..normalizers.columns import Figure, poa_slots, poa_violations, solve_row
from ..normalizers.header import place_administrative, place_functional
from ..normalizers.numbers import parse_number
from ..pagememo import per_page
from ..normalizers.ocr_codes import cell_digits, digits_of, repair_codes
from ..normalizers.ocr_numbers import LETTER_TO_DIGIT, Candidate, number_candidates
from ..tables import Table, label_value_boxes, read_tables
from ..tables.concepts import (ROW_KEY_LABELS, ColumnMatch, Concept, fill_by_content, match_columns,
                               spanned_extent)
from ..tables.periods import pair_columns, pair_cut, period_columns
from ..records import (
    ActionLine, Family, Flag, Goal, GoalPeriod, Page, Provenance, SectionInfo, SectionResult, Severity, Word,
)
from . import common
from .base import FamilySpec, PageMark
from .provenance import place_record, words_record

PERIOD_LABELS = {1: "Ene-Mar", 2: "Abr-Jun", 3: "Jul-Sep", 4: "Oct-Dic"}

# Header labels, folded, in the order they usually appear. Each maps to the
# SectionInfo fields (code, name) it fills.
HEADER_LABELS: tuple[tuple[str, str], ...] = (
    (r"C\.?\s*ADM\w*|CLASIFICACION\s*ADM\w*", "admin_class"),  # ADMINISTRATIVA, ADMVA., ADMIVA.
    (r"RAMO|DEPENDENCIA", "ramo"),
    (r"PROGRAMA(?!\s+OPERATIVO)(?:\s+PRESUPUESTARIO)?", "programa"),
    (r"UNIDAD\s*(?:EJECUTORA|RESPONSABLE)", "unidad"),
    (r"FINALIDAD", "finalidad"),
    (r"SUB[\s-]*FUNCION", "subfuncion"),
    (r"FUNCION", "funcion"),
)
ACTION_LINES_LABEL = r"LINEAS?\s*DE\s*ACCION"  # OCR squeezes spaces out of bold labels (`LINEAS DEACCION`)
_CODE = re.compile(r"^\d{1,2}(?:\.\d{1,2}){1,4}\.?$")
_GOAL_HEADING = re.compile(r"\bP\.?\s?M\.?\s?D\b|METAS\s*/\s*ACCIONES")
_LOST_DOT = re.compile(r"^\d{2,3}\.?$")
_GOAL_CODE = re.compile(r"^(M\s?\.?\s?\d{1,4}|\d{1,4})(\s*(?:\.-|-|\.|\)|:))?\s*(.*)$", re.IGNORECASE)


def action_lines_label(folded: str) -> Optional[str]:
    """The action-line list's label that opens a (folded) line, as printed; on scans
    a letter of it misread (`LIMEAS DE ACCION`, `LINEAS DE ACCLON`) too."""
    m = re.match(ACTION_LINES_LABEL + r":?", folded)
    if m:
        return m.group(0)
    words = folded.split()[:3]
    if len(words) == 3 and words[1] == "DE" and Levenshtein.distance(words[0], "LINEAS") <= 1 and \
            Levenshtein.distance(words[2].rstrip(":"), "ACCION") <= 1:
        return " ".join(words)
    return None


# --------------------------------------------------------------------------
# detection
# --------------------------------------------------------------------------

def detect(page: Page) -> Optional[PageMark]:
    lines = group_lines(page.words)
    head = " ".join(l.folded for l in lines[:12])
    if "EVALUACION" in head:
        return None
    ocr = page.source == "ocr"
    header = _page_header_values(page, lines)
    # a POA titled by its program (`SEGUIMIENTO DE METAS DEL PROGRAMA OPERATIVO ANUAL`):
    # its goal table's headings or its header labels say the rest
    is_poa = "AVANCE PROGRAMATICO" in head or (
        "PROGRAMA OPERATIVO ANUAL" in head and (len(header) >= 3 or any(_GOAL_HEADING.search(l.folded) for l in lines))
    )
    if not is_poa and ocr:
        # a misread title (`PROGPAMITICO`) counts only with more POA evidence on the
        # page: a fuzzy title alone also matches other reports' signature pages
        title = _fuzzy_title("AVANCE PROGRAMATICO", lines[:12])
        evidence = len(header) >= 2 or _pa_line(lines) is not None or _fuzzy_title("PROGRAMA OPERATIVO ANUAL", lines[:12])
        is_poa = title and evidence
    by_title = is_poa
    if not is_poa:
        # a report titled otherwise: its goal table says what it is
        is_poa = _concept_layout(page) is not None and "MATRIZ" not in head
    if not is_poa:
        return None
    unidad = header.get("unidad")
    key = " ".join(v for v in unidad if v) if unidad else None
    return PageMark(Family.POA_AVANCE, key, by_title=by_title)


def _fuzzy_title(title: str, lines: Sequence[TextLine]) -> bool:
    """A title misread by a letter or two, on a line at least as long as most of it
    (a partial match of a one-letter line scores 100)."""
    return any(len(l.folded) >= 0.8 * len(title) and fuzz.partial_ratio(title, l.folded) >= 86 for l in lines)


# --------------------------------------------------------------------------
# header block
# --------------------------------------------------------------------------

def _match_label(line: TextLine, ocr: bool = False) -> Optional[tuple[str, int]]:
    """(field, number of label words) when the line starts with a header label."""
    words = [fold(w.text) for w in line.words]
    for n in (3, 2, 1):
        if len(words) < n:
            continue
        head = " ".join(words[:n]).rstrip(":").rstrip(".")
        for pattern, name in HEADER_LABELS:
            if re.fullmatch(pattern, head):
                # "PROGRAMA OPERATIVO ANUAL" is a title, not the PROGRAMA label
                if name == "programa" and len(words) > n and fold(words[n]).startswith("OPERATIVO"):
                    return None
                return name, n
    return _fuzzy_label(words) if ocr else None


# Header labels as printed, for OCR'd lines that match no pattern exactly.
_FUZZY_LABELS: tuple[tuple[str, str], ...] = (
    ("C. ADMINISTRATIVA", "admin_class"), ("CLASIFICACION ADMINISTRATIVA", "admin_class"),
    ("RAMO", "ramo"), ("DEPENDENCIA", "ramo"), ("PROGRAMA", "programa"),
    ("PROGRAMA PRESUPUESTARIO", "programa"), ("UNIDAD EJECUTORA", "unidad"), ("UNIDAD RESPONSABLE", "unidad"),
    ("FINALIDAD", "finalidad"), ("FUNCION", "funcion"), ("SUBFUNCION", "subfuncion"),
)


def _fuzzy_label(words: Sequence[str]) -> Optional[tuple[str, int]]:
    """The closest printed label to the line's first words (`EJSCUTORA`,
    `FIMALIDAD`); `FUNCION` and `SUBFUNCION` are told apart by which is closer."""
    best: Optional[tuple[float, int, str]] = None
    for n in (2, 1):
        if len(words) < n or best is not None:
            continue  # a two-word label read (`PROGRAMA PRESUPUESTARIQ`) beats its first word
        head = " ".join(words[:n]).rstrip(":;.,")
        if len(head) < 4:
            continue
        for label, name in _FUZZY_LABELS:
            if len(label.split()) != n or len(label) < 5:
                continue
            if head.startswith(label) and len(head) > len(label) + 1:
                continue  # another word, not a misread label (`PROGRAMADA` is no `PROGRAMA`)
            score = fuzz.ratio(head, label)
            if score >= 80 and (best is None or score > best[0]):
                best = (score, n, name)
    if best is None:
        return None
    if best[2] == "programa" and len(words) > best[1] and words[best[1]].startswith("OPER"):
        return None
    return best[2], best[1]


_JUNK = re.compile(r"^[\W_]+$")


def _split_code(words: Sequence[Word]) -> tuple[Optional[str], Optional[str]]:
    tokens = [w.text for w in words if w.text not in (":",)]
    if tokens and tokens[0].startswith(":"):
        tokens[0] = tokens[0][1:]
        tokens = [t for t in tokens if t]
    if tokens and re.fullmatch(r"[\dA-Z]{1,6}(?:[.-]\d+)*", tokens[0]) and any(c.isdigit() for c in tokens[0]):
        return tokens[0], collapse(" ".join(tokens[1:]))
    return None, collapse(" ".join(tokens))


def _label_segments(line: TextLine, ocr: bool) -> list[TextLine]:
    """A line cut where a label stands after a wide gap: a header printed in two
    columns of label/value pairs gives each pair its own segment."""
    chunks = split_chunks(line, 2.5 * typical_char_width(line.words))
    segments: list[list[Word]] = []
    for chunk in chunks:
        if segments and not _match_label(chunk, ocr):
            segments[-1].extend(chunk.words)
        else:
            segments.append(list(chunk.words))
    return [make_line(s) for s in segments]


@per_page(16)  # detection and parsing ask the same page
def _boxed_values(page: Page) -> dict[str, tuple[Optional[str], Optional[str]]]:
    """Label and value cells of a header drawn as boxes: a cell that is a label
    (however it wraps) and the cell right of it."""
    values: dict[str, tuple[Optional[str], Optional[str]]] = {}
    for _, cell, value in label_value_boxes(page):
        words = [w for l in group_lines(cell.words) for w in l.words] if len(cell.words) > 1 else list(cell.words)
        hit = _match_label(make_line(words), page.source == "ocr")
        if hit is None or hit[1] != len(words) or hit[0] in values:
            continue
        values[hit[0]] = _split_code([w for l in group_lines(value.words) for w in l.words])
    return values


def _page_header_values(page: Page, lines: Sequence[TextLine]) -> dict[str, tuple[Optional[str], Optional[str]]]:
    """The header's label/value pairs: from boxes where it is drawn as boxes, else
    from its lines."""
    return {**_header_values(lines, page.source == "ocr"), **_boxed_values(page)}


def _header_values(lines: Sequence[TextLine], ocr: bool = False) -> dict[str, tuple[Optional[str], Optional[str]]]:
    values: dict[str, tuple[Optional[str], Optional[str]]] = {}
    # pairs still open to a wrapped value: name -> (the value's left edge, its last bottom)
    open_pairs: dict[str, tuple[tuple[float, ...], float]] = {}
    for line in lines:
        if ocr:  # marks OCR makes of specks and dashes (`—`, `*`) are no words
            kept = [w for w in line.words if not _JUNK.match(w.text)]
            if not kept:
                continue
            line = make_line(kept)
        if action_lines_label(line.folded) or "PERIODO" == line.folded:
            break
        still_open: dict[str, tuple[tuple[float, ...], float]] = {}
        for segment in _label_segments(line, ocr):
            hit = _match_label(segment, ocr)
            if hit and hit[0] not in values:
                name, n = hit
                values[name] = _split_code(segment.words[n:])
                code_words = 1 if values[name][0] else 0
                rest = segment.words[n:]
                if len(rest) > code_words:
                    # a wrapped name starts under the name or under its code
                    still_open[name] = ((rest[0].x0, rest[code_words].x0), segment.bottom)
                continue
            # a long name wrapped onto the next line, under its own first word
            wrapped = next((name for name, (x0s, bottom) in open_pairs.items()
                            if any(abs(segment.x0 - x0) < 3 for x0 in x0s) and segment.top - bottom < segment.height),
                           None)
            if not hit and wrapped and values[wrapped][1]:
                code, text = values[wrapped]
                values[wrapped] = (code, collapse(f"{text} {segment.text}"))
                still_open[wrapped] = (open_pairs[wrapped][0], segment.bottom)
        open_pairs = still_open
    return values


def _action_lines(lines: Sequence[TextLine], table_top: float, ocr: bool = False,
                  flags: Optional[list[Flag]] = None) -> list[ActionLine]:
    start = next((i for i, l in enumerate(lines) if action_lines_label(l.folded)), None)
    if start is None:
        return []
    entries: list[list[str]] = []
    # where each entry's description starts: a wrapped line of a list printed in two
    # columns goes under its own entry's description, not to the entry read last
    starts: list[Optional[float]] = []
    target = 0
    for i, line in enumerate(lines[start:]):
        if line.top >= table_top:
            break
        words = list(line.words)
        if i == 0:  # drop the label words
            label_len = len(action_lines_label(line.folded).split())
            words = words[label_len:]
        if ocr:  # a scan's specks (`.`, `:`, `!`) are no words of the list
            words = [w for w in words if any(ch.isalnum() for ch in w.text)]
        for k, w in enumerate(words):
            if fold(w.text).rstrip(":") == "FECHA":
                break  # `Fecha: mar-26` printed beside the list is the report date, read elsewhere
            # on a scan a line that opens with two or three digits is a code whose dots
            # OCR lost (`45` for `4.5`, `423`; _ocr_action_lines puts them back)
            # `45,2`, `5,5`: a comma read for a dot, at the line's start or where a second
            # column of the list starts (a code before its description's capitals)
            following = words[k + 1].text if k + 1 < len(words) else ""
            text = w.text.replace(",", ".") if ocr and (k == 0 or following[:1].isupper()) else w.text
            # the list's second column starts after a wide gap: a code there may have lost its dots too
            column_start = k == 0 or (following[:1].isupper() and
                                      w.x0 - words[k - 1].x1 > 4 * words[k - 1].width / max(1, len(words[k - 1].text)))
            # where a column of the list starts, letters OCR reads for digits (`s.5`, `$.5.7`)
            digits = text.translate(LETTER_TO_DIGIT).replace("$", "5") if ocr and column_start and \
                (text[:1].isalnum() or text[:1] == "$") and any(ch.isdigit() for ch in text) else text
            if not _CODE.match(text) and _CODE.match(digits):
                text = digits
            if _CODE.match(text) or (ocr and column_start and entries and _LOST_DOT.match(text)):
                code = text.rstrip(".")
                if text != w.text and flags is not None:
                    cause = "OCR read a dot as a comma" if text == w.text.replace(",", ".") else \
                        "OCR read letters for its digits"
                    flags.append(Flag(table="action_lines", row_key=code, field="code", rule="ocr_repair",
                                      severity=Severity.INFO, raw_value=w.text, value=code,
                                      message=f"Action line code read as '{w.text}' taken as '{code}': {cause}."))
                entries.append([code])
                starts.append(None)
                target = len(entries) - 1
            elif entries:
                if starts[-1] is None and target == len(entries) - 1 and len(entries[-1]) == 1:
                    starts[-1] = w.x0
                elif column_start:
                    target = _hanging_under(w, starts, target)
                entries[target].append(w.text)
    out, seen = [], set()
    for e in entries:
        if e[0] in seen:
            continue
        seen.add(e[0])
        out.append(ActionLine(code=e[0], description=collapse(" ".join(e[1:]))))
    return out


def _hanging_under(word: Word, starts: Sequence[Optional[float]], current: int) -> int:
    """The entry a word opening a wrapped line (or a column of it) continues: the
    latest whose description starts where the word does (a hanging indent), else the
    entry being read."""
    tolerance = 1.5 * word.width / max(1, len(word.text))
    return next((j for j in range(len(starts) - 1, -1, -1)
                 if starts[j] is not None and abs(starts[j] - word.x0) <= tolerance), current)


def _ocr_action_lines(lines: list[ActionLine], flags: list[Flag]) -> list[ActionLine]:
    return _out_of_order_codes(_lost_dots(lines, flags), flags)


def _level_key(code: str) -> tuple[int, ...]:
    return tuple(int(p) for p in code.split(".") if p.isdigit())


def _out_of_order_codes(lines: list[ActionLine], flags: list[Flag]) -> list[ActionLine]:
    """The list is printed in order: a code whose first level differs from both
    neighbours' (`3.1.4` between `4.1.2` and `4.1.5`) and falls in order with
    theirs is their first level misread."""
    out = list(lines)
    # a list printed in two columns is read row by row, out of order: one misread
    # code breaks the order in two places at most
    if sum(_level_key(a.code) >= _level_key(b.code) for a, b in zip(out, out[1:])) > 2:
        return out
    # (not at the list's ends: a list holds the plan's lines a program serves, and its
    # last may well open another level)
    for i in range(1, len(out) - 1):
        before, code, after = out[i - 1].code, out[i].code, out[i + 1].code
        first = before.split(".")[0]
        if after.split(".")[0] != first or code.split(".")[0] == first or "." not in code:
            continue
        fixed = first + code[code.index("."):]
        if not _level_key(before) < _level_key(fixed) < _level_key(after) or any(a.code == fixed for a in out):
            continue
        flags.append(Flag(table="action_lines", row_key=fixed, field="code", rule="ocr_repair",
                          severity=Severity.INFO, raw_value=code, value=fixed,
                          message=f"Action line code read as '{code}' taken as '{fixed}': the list runs in order "
                                  f"and the codes around it ({before}, {after}) start with {first}."))
        out[i] = ActionLine(code=fixed, description=out[i].description)
    return out


def _lost_dots(lines: list[ActionLine], flags: list[Flag]) -> list[ActionLine]:
    """Action-line codes whose dot OCR lost (`1.21` among `1.2`, `1.2.2`):
    where every other code writes one digit per level, a two-digit level is
    two levels."""
    multi = [a for a in lines if any(len(p) > 1 for p in a.code.split("."))]
    # a level past 20 (`45`, `423`) is no level number a plan reaches: digits run together
    implausible = [a for a in multi if any(len(p) > 1 and int(p) > 20 for p in a.code.split("."))]
    if not multi or len(multi) * 2 > len(lines) and not implausible:
        return lines
    if len(multi) * 2 > len(lines):
        multi = implausible
    codes = {a.code for a in lines}
    out = []
    for a in lines:
        if a in multi:
            fixed = ".".join(ch for part in a.code.split(".") for ch in part)
            if fixed not in codes and fixed.count(".") < 4:
                flags.append(Flag(table="action_lines", row_key=fixed, field="code", rule="ocr_repair",
                                  severity=Severity.INFO, raw_value=a.code, value=fixed,
                                  message=f"Action line code read as '{a.code}' taken as '{fixed}': the other codes "
                                          f"write one digit per level, so OCR lost a dot."))
                codes.add(fixed)
                a = ActionLine(code=fixed, description=a.description)
        out.append(a)
    return out


def _section_info(pages: Sequence[Page]) -> tuple[SectionInfo, list[Flag]]:
    lines = group_lines(pages[0].words)
    values = _page_header_values(pages[0], lines)
    government = common.find_government(lines)
    pairs = {name: values.get(name, (None, None)) for name in
             ("admin_class", "ramo", "programa", "unidad", "finalidad", "funcion", "subfuncion")}
    flags: list[Flag] = []
    functional, moves = place_functional(pairs, _stray_pairs(lines))
    pairs.update(functional)
    admin, ramo, more = place_administrative(pairs["admin_class"], pairs["ramo"])
    pairs["admin_class"], pairs["ramo"] = admin, ramo
    for move in moves + more:
        flags.append(Flag(table="sections", row_key="", field=f"{move.field}_code", rule="catalog_match",
                          severity=Severity.INFO, raw_value=" ".join(x for x in move.old if x) or None,
                          value=" ".join(x for x in move.new if x) or None,
                          message=f"{move.field.replace('_', ' ').capitalize()}: {move.reason}."))
    kwargs = {}
    for name, (code, text) in pairs.items():
        kwargs[f"{name}_code"], kwargs[f"{name}_name"] = code, text
    year = common.find_fiscal_year(lines)
    info = SectionInfo(
        family=Family.POA_AVANCE.value, page_start=pages[0].number, page_end=pages[-1].number,
        government=government,
        municipality=common.find_municipality(lines) or common.municipality_from_government(government),
        fiscal_year=year, quarter=common.find_quarter(lines), report_date=common.find_report_date(lines, year),
        period_label=_period_label(lines), **kwargs,
    )
    return info, flags


def _stray_pairs(lines: Sequence[TextLine]) -> list[tuple[Optional[str], Optional[str]]]:
    """A classification value shifted under LINEAS DE ACCION (`9 OTROS DE SEGURIDAD...`):
    an undotted code right after the label is no action line."""
    for line in lines:
        label = action_lines_label(line.folded)
        if label:
            rest = line.words[len(label.split()):]
            if rest and re.fullmatch(r"\d{1,2}", rest[0].text):
                return [(rest[0].text, collapse(" ".join(w.text for w in rest[1:])))]
            return []
    return []


def _period_label(lines: Sequence[TextLine]) -> Optional[str]:
    for line in lines[:10]:
        if "AVANCE PROGRAMATICO" in line.folded:
            m = re.search(r"\S+\s+AVANCE PROGRAMATICO", line.folded)
            if m:
                start = len(line.folded[: m.start()].split())
                return collapse(" ".join(w.text for w in line.words[start:]))
    return None


# --------------------------------------------------------------------------
# goal table
# --------------------------------------------------------------------------

@dataclass
class TableLayout:
    columns: list[Column]
    top: float  # first body y
    bottom: float
    period_columns: dict[tuple[int, str], Column] = field(default_factory=dict)
    header_top: Optional[float] = None  # where the goal table's header starts
    unnamed_periods: int = 0  # columns amid the quarters' that no header named

    def get(self, name: str) -> Optional[Column]:
        return next((c for c in self.columns if c.name == name), None)


def _pa_line(lines: Sequence[TextLine]) -> Optional[TextLine]:
    for line in lines:
        toks = [w.text for w in line.words]
        if len(toks) >= 6 and sum(t in ("P", "A") for t in toks) >= 0.75 * len(toks):
            return line
    return None


# The goal table's columns, left to right, as this family prints them.
COLUMN_ORDER = ("pmd", "description", "unit", "annual_target", "PERIODS", "absolute_progress",
                "relative_progress", "observations")


def _ruled_layout(page: Page) -> Optional[TableLayout]:
    """A scan's table columns from the ruling lines of its header and the
    family's known column order: OCR garbles the stacked header labels, the
    rules survive. The partial rule under PERIODO bounds the eight P/A
    columns; when their own rules were too short to be found, they are equal
    eighths of that span."""
    header = ruled_header(page.rules, page.width)
    if header is None or header.group is None:
        return None
    xs = thin_vertical_xs(page.rules, header.last_row_y)
    g0, g1 = header.group
    slack = 4.0
    left = [x for x in xs if x <= g0 + slack]
    right = [x for x in xs if x >= g1 - slack]
    inner = [x for x in xs if g0 + slack < x < g1 - slack]
    left_spans = intervals(left[:-1] + [g0], 4.0) if left else []
    right_spans = intervals([g1] + right[1:], 4.0) if right else []
    if len(left_spans) != 4 or len(right_spans) != 3:
        return None
    width = (g1 - g0) / 8
    cuts = [g0] + inner + [g1]
    if len(inner) != 7 or any(abs((b - a) - width) > 0.4 * width for a, b in zip(cuts, cuts[1:])):
        cuts = [g0 + i * width for i in range(9)]
    names = [n for n in COLUMN_ORDER if n != "PERIODS"]
    spans = left_spans + right_spans
    columns = [Column(name, x0, x1) for name, (x0, x1) in zip(names, spans)]
    period_columns = {
        (i // 2 + 1, "PA"[i % 2]): Column("PA"[i % 2], cuts[i], cuts[i + 1]) for i in range(8)
    }
    return TableLayout(columns=columns, top=header.bottom, bottom=page.height, period_columns=period_columns,
                       header_top=header.top)


# The goal table's columns as concepts: whatever their order and wording.
GOAL_CONCEPTS: tuple[Concept, ...] = (
    Concept("pmd", ("Línea de acción P.M.D.", "Líneas de acción", "P.M.D.", "PMD", "Alineación PMD",
                    "Línea de acción", "Clave PMD", "Alineación al PMD"), "codes"),
    Concept("description", ("Descripción de las metas/acciones", "Metas/acciones", "Descripción de metas",
                            "Descripción", "Acciones", "Metas", "Nombre de la meta", "Descripción de la meta",
                            "Descripción de la actividad", "Actividades"), "text", min_words=3,
            avoid=("unidad", "anual", "avance", "observaciones")),
    Concept("unit", ("Unidad de medida", "Unidad", "U. de M.", "U. de medida", "U.M.", "Unidad de medida de la meta"),
            "text"),
    Concept("annual_target", ("Meta anual", "Meta anual programada", "Programado anual", "Meta programada anual",
                              "Anual", "Programación anual", "Total programado"), "number", avoid=("avance",)),
    Concept("absolute_progress", ("Avance absoluto", "Absoluto", "Avance acumulado", "Acumulado", "Logro acumulado",
                                  "Alcanzado acumulado", "Realizado acumulado", "Total alcanzado"), "number",
            avoid=("relativo", "%")),
    Concept("relative_progress", ("Avance relativo", "Relativo", "Avance %", "% de avance", "Porcentaje de avance",
                                  "% de cumplimiento", "Porcentaje de cumplimiento"),
            "percent", avoid=("absoluto",)),
    Concept("observations", ("Observaciones", "Comentarios", "Justificación", "Causas de la variación", "Notas"), "text"),
    # a template that prints each goal's code in a column of its own, before a description without it
    Concept("goal_code", ROW_KEY_LABELS + ("No. de meta", "Núm. de meta", "Número de meta", "Meta No.",
                                           "Clave de la meta", "Clave de meta"), "key",
            avoid=("pmd", "accion", "linea", "unidad", "medida", "anual", "avance", "programa", "programada")),
)


def _concept_layout(page: Page) -> Optional[TableLayout]:
    """The goal table's columns from the table reader: each column named by what
    its header says and its cells hold, quarters by their spellings."""
    best: Optional[tuple[int, Table, dict, dict]] = None
    for table in read_tables(page):
        columns = fill_by_content(table, match_columns(table, GOAL_CONCEPTS), GOAL_CONCEPTS)
        periods = {k: c for k, c in period_columns(table).items() if k[1] in ("P", "A")}
        columns = _fill_by_figures(table, columns, periods)
        found = len(columns) + len(periods)
        if "description" in columns and periods and (best is None or found > best[0]):
            best = (found, table, columns, periods)
    if best is None:
        return None
    _, table, columns, periods = best
    named = set(periods.values()) | {m.column for m in columns.values()}
    concepts = {c.name: c for c in GOAL_CONCEPTS}
    layout_columns = [Column(name, *spanned_extent(table, m.column, concepts[name], named))
                      for name, m in columns.items()]
    pairs = pair_columns(table)
    period_cols = {(q, kind): Column(kind, *table.column_extent(col)) for (q, kind), col in periods.items()
                   if col not in pairs.values()}
    for q, col in pairs.items():
        x0, x1 = table.column_extent(col)
        cut = pair_cut(table, col)
        period_cols[(q, "P")], period_cols[(q, "A")] = Column("P", x0, cut), Column("A", cut, x1)
    unnamed = sum(1 for col in range(min(periods.values()), max(periods.values())) if col not in named)
    # the table ends where the reader found it end (a footer after a wide gap is no row)
    return TableLayout(columns=layout_columns, top=table.body_top() - 1, bottom=table.box.bottom + 2,
                       period_columns=period_cols, unnamed_periods=unnamed, header_top=table.box.top)


# A figure column whose header OCR garbled past reading, known by its figures: the
# annual target is the sum of the quarters programmed, the absolute progress of those
# achieved, the relative progress the column of percentages.
_SUMS = (("annual_target", "P"), ("absolute_progress", "A"))
# Share of a column's rows with figures that must add up (at least two, or the page's one row).
_SUMS_AGREE = 0.6


def _fill_by_figures(table: Table, columns: dict, periods: dict[tuple[int, str], int]) -> dict:
    if not periods:
        return columns
    out = dict(columns)
    taken = {m.column for m in out.values()} | set(periods.values())
    free = [c for c in range(table.n_cols) if c not in taken]
    rows = list(table.body_rows())

    def figure(r: int, c: int) -> Optional[float]:
        return parse_number(table.text(r, c).strip(" .:;'")) if table.text(r, c).strip() else None

    for name, kind in _SUMS:
        if name in out:
            continue
        quarters = [c for (q, k), c in periods.items() if k == kind]
        fitting = []
        for col in free:
            agree = total = 0
            for r in rows:
                value = figure(r, col)
                if value is None:
                    continue
                total += 1
                parts = [figure(r, c) for c in quarters]
                agree += abs(sum(p for p in parts if p is not None) - value) < 0.5
            least = min(2, len(rows))  # a page holding one goal has one row to go by
            if total >= least and agree >= max(least, _SUMS_AGREE * total):
                fitting.append(col)
        if len(fitting) == 1:
            out[name] = ColumnMatch(name, fitting[0], 0.0, 1.0, False)
            free.remove(fitting[0])
    if "relative_progress" not in out:
        percents = [c for c in free
                    if sum(table.text(r, c).strip().endswith("%") for r in rows) >= max(min(2, len(rows)), 0.8 * sum(
                        bool(table.text(r, c).strip()) for r in rows))]
        if len(percents) == 1:
            out["relative_progress"] = ColumnMatch("relative_progress", percents[0], 0.0, 1.0, False)
    return out


def _complete(layout: TableLayout) -> bool:
    """The header read well enough to name the goal table's main columns and quarters."""
    names = {c.name for c in layout.columns}
    return {"description", "unit", "annual_target"} <= names and len(layout.period_columns) >= 6 and \
        not layout.unnamed_periods


def _table_layout(page: Page) -> Optional[TableLayout]:
    layout = _concept_layout(page)
    if page.source == "ocr" and (layout is None or not _complete(layout)):
        # OCR garbles stacked header labels; where the rules show this family's usual
        # grid and the labels were not read, the rules are the surer reading
        ruled = _ruled_layout(page)
        if ruled is not None and (layout is None or _agree(layout, ruled)):
            return ruled
    return layout


def _agree(read: TableLayout, ruled: TableLayout) -> bool:
    """The rule grid's columns (the family's usual order) stand where the headers the
    reader did name put them: a template in another order is read by its headers."""
    for column in read.columns:
        other = max(ruled.columns, key=lambda c: min(c.x1, column.x1) - max(c.x0, column.x0))
        if other.name != column.name and min(other.x1, column.x1) - max(other.x0, column.x0) > 0:
            return False
    return True


@dataclass
class RawGoal:
    page: int
    code_text: str
    description: list[str]
    cells: dict[str, list[TextLine]]
    ocr: bool = False
    key_text: str = ""  # the goal's code as read in a column of its own (else it opens the description)
    # figure cells of a scan read empty: their places (column, the goal's first lines), read again
    places: dict[str, tuple[float, float, float, float]] = field(default_factory=dict)


def _body_bottom(lines: Sequence[TextLine], top: float, default: float) -> float:
    for line in lines:
        if line.top > top and re.search(r"\b(ELABORO|REVISO|AUTORIZO|SUPERVISO)\b", line.folded):
            return line.top - 1
    return default


def _goal_start(line: TextLine, ocr: bool = False) -> bool:
    first = line.words[0].text
    if re.fullmatch(r"M\.?\d{1,4}\.?", first, re.IGNORECASE):
        return True
    if re.fullmatch(r"\d{1,4}(\.-|-|\.)", first) or re.fullmatch(r"\d{1,4}(\.-|-)\S.*", first):
        return True
    if re.fullmatch(r"\d{1,4}", first) and len(line.words) > 1 and line.words[1].text[:1] in "-.":
        return True
    if ocr:
        return _ocr_goal_code(line.text) is not None
    return False


# A goal code as OCR reads it: `101.-` may come out `101:`, `101,-`, `101;`,
# `101 -`, `1O1.-`; `M.100` may come out `M100`, `M,100`, `MX.100` (bold type's
# period read as a letter and a period).
_OCR_GOAL = re.compile(
    r"^(?:(?P<main>[Mm](?:[A-Za-z][.,]|\s?[.,]?)\s?[\dOoIl]{3})(?P<msep>\s?[.,:;]?\s?[-–—_]?\s?)"
    r"|(?P<code>[\dOoIl]{3})(?P<sep>\s?[.,:;]?\s?[-–—_]\s?|[.,:;]\s?))(?P<rest>.*)$"
)


# specks OCR reads before a cell's first word (`"205 -OTORGAR`, `*102.- GESTIONAR`), and
# slivers of the cell's left rule (`-M.300`, `|101.-`)
_LEADING_MARKS = "\"'*“”«»‘’`´·-–—|"


def _ocr_goal_code(text: str) -> Optional[tuple[str, str]]:
    """(code, rest) when an OCR'd description line opens with a goal code."""
    m = _OCR_GOAL.match(text.strip().lstrip(_LEADING_MARKS))
    if not m:
        return None
    code = (m.group("main") or m.group("code")).translate(str.maketrans("OoIl", "0011")).replace(" ", "")
    if not re.fullmatch(r"[Mm](?:[A-Za-z][.,]|[.,]?)\d{3}|\d{3}", code):
        return None
    if code[0] in "Mm":
        code = "M." + code[-3:]
    rest = m.group("rest").strip()
    if rest[:1].isdigit():
        return None
    return code, rest


_KEY_CODE = re.compile(r"^(?:(?P<main>[Mm])\s?(?:[A-Za-z][.,]|[.,]?)\s?)?(?P<digits>[0-9A-Za-z|!\[\]]{1,4})[\W_]*$")


def _key_code(text: str, ocr: bool) -> Optional[str]:
    """The goal code a code column's cell holds (`M.100`, `101`), or None."""
    m = _KEY_CODE.match(text.strip().lstrip(_LEADING_MARKS))
    if not m or not any(ch.isdigit() for ch in m.group("digits")):
        return None
    digits = m.group("digits")
    if ocr:  # letters OCR reads for digits, in a cell that holds nothing but a number (`1OS` for `105`)
        digits = digits.translate(LETTER_TO_DIGIT)
    if not digits.isdigit():
        return None
    return f"M.{digits}" if m.group("main") else digits


def _numeric_word(word: Word, ocr: bool) -> bool:
    if ocr:
        return bool(number_candidates(word.text))
    return parse_number(word.text) is not None


# A table on a page without a header continues the goal table of the page before when
# it spans most of that table's width, and not much more.
CONTINUED_OVERLAP = 0.8
# Lines further apart than this many line heights are no longer one table's.
CONTINUED_GAP = 2.0


def _carried(own: Optional[TableLayout], before: Optional[TableLayout]) -> Optional[TableLayout]:
    """A page's goal table in the template of the section's page before, whose header
    OCR garbled (fewer columns named): the earlier page's columns and quarters, with
    this page's own top and bottom, when every column both named stands where it did."""
    if own is None or before is None or \
            len(own.columns) + len(own.period_columns) >= len(before.columns) + len(before.period_columns):
        return own

    def same_place(a: Column, b: Optional[Column]) -> bool:
        return b is not None and min(a.x1, b.x1) - max(a.x0, b.x0) >= 0.5 * min(a.x1 - a.x0, b.x1 - b.x0)

    if not all(same_place(c, before.get(c.name)) for c in own.columns) or \
            not all(same_place(c, before.period_columns.get(k)) for k, c in own.period_columns.items()):
        return own
    return replace(before, top=own.top, bottom=own.bottom, header_top=own.header_top)


def _continued(page: Page, before: Optional[TableLayout]) -> Optional[TableLayout]:
    """A page whose goal table goes on from the section's page before without its header
    (a spreadsheet printed without its titles repeated): the earlier page's columns, over
    the rows of the table the reader finds across them."""
    if before is None:
        return None
    columns = before.columns + list(before.period_columns.values())
    x0, x1 = min(c.x0 for c in columns), max(c.x1 for c in columns)
    width = x1 - x0
    across = [t for t in read_tables(page)
              if min(t.box.x1, x1) - max(t.box.x0, x0) >= CONTINUED_OVERLAP * width
              and t.box.x1 - t.box.x0 <= width / CONTINUED_OVERLAP]
    if across:
        table = max(across, key=lambda t: t.n_rows)
        return replace(before, top=table.box.top - 1, bottom=table.box.bottom + 2, header_top=None)
    # too few rows for the reader to call a table (the last goal alone, then signatures):
    # from the first line opening a goal in the description column, while lines follow
    # closely (a footer or the signatures stand apart)
    ocr = page.source == "ocr"
    key, description = before.get("goal_code"), before.get("description")

    def opens_goal(words: list[Word]) -> bool:
        if key is not None:
            return _key_code(make_line(words).text, ocr) is not None
        return _goal_start(make_line(words), ocr)

    lines = group_lines(page.words)
    start = next((i for i, line in enumerate(lines)
                  if (words := [w for w in line.words if (key or description).holds(w)]) and opens_goal(words)), None)
    if start is None:
        return None
    end = lines[start]
    for line in lines[start + 1:]:
        if line.top - end.bottom > CONTINUED_GAP * (end.bottom - end.top):
            break
        end = line
    return replace(before, top=lines[start].top - 1, bottom=end.bottom + 1, header_top=None)


def _page_goals(page: Page, before: Optional[TableLayout] = None) -> tuple[list[RawGoal], Optional[TableLayout]]:
    """The page's goals, and the layout they were read in (for the section's next page)."""
    own = _table_layout(page)
    return _goals_in(page, _carried(own, before) if own is not None else _continued(page, before))


def _goals_in(page: Page, layout: Optional[TableLayout]) -> tuple[list[RawGoal], Optional[TableLayout]]:
    ocr = page.source == "ocr"
    lines = group_lines(page.words)
    if layout is None or layout.get("description") is None:
        return [], layout
    bottom = _body_bottom(lines, layout.top, layout.bottom)
    body = [w for w in page.words if layout.top < w.ymid < bottom]
    desc_col = layout.get("description")
    desc_lines = group_lines([w for w in body if desc_col.holds(w)])
    pitch = line_pitch(desc_lines)
    table_x0 = min(c.x0 for c in layout.columns)
    table_x1 = max(c.x1 for c in layout.columns)
    cuts = horizontal_edges(page.rules, table_x0, min(table_x1, page.width), layout.top, bottom)
    annual = layout.get("annual_target")
    numbers_lines = group_lines([w for w in body if annual and annual.holds(w) and _numeric_word(w, ocr)])
    synthetic: dict[int, str] = {}
    keys: list[TextLine] = []
    key_col = layout.get("goal_code")
    if key_col is not None:
        # the goals' codes in a column of their own: each code opens a row
        keys = [line for line in group_lines([w for w in body if key_col.holds(w)])
                if _key_code(line.text, ocr) is not None]
        texts = rows_by_keys(desc_lines, keys, pitch, cuts)
        chunks = [sorted([key] + lines, key=lambda l: l.ymid) for key, lines in zip(keys, texts)]
    else:
        chunks = []
        for line in desc_lines:
            if _goal_start(line, ocr) or not chunks:
                chunks.append([line])
            else:
                chunks[-1].append(line)
        chunks = [c for c in chunks if _goal_start(c[0], ocr)]
        if ocr:
            chunks, synthetic = _split_unread_goals(chunks, numbers_lines, pitch)
        texts = chunks
    if not chunks:
        return [], layout
    centers = []
    for chunk in chunks:
        top, bot = chunk[0].top, chunk[-1].bottom
        inside = [l.ymid for l in numbers_lines if top - 2 <= l.ymid <= bot + 2]
        centers.append(inside[0] if inside else (top + bot) / 2)
    all_columns = [c for c in layout.columns if c is not key_col] + [
        Column(f"{kind}{period}", c.x0, c.x1) for (period, kind), c in layout.period_columns.items()
    ]
    goals = [RawGoal(page.number, "", [], {}, ocr) for _ in chunks]
    for col in all_columns:
        if col.name == "description":
            continue
        for i, cell_lines in assign_blocks(body, col, centers, pitch, cuts).items():
            goals[i].cells[col.name] = cell_lines
    for i, (goal, chunk) in enumerate(zip(goals, chunks)):
        goal.description = [l.text for l in texts[i]]  # (a goal's key line is no description)
        goal.code_text = synthetic.get(i, "")
        goal.key_text = keys[i].text if keys else ""
        if ocr:
            # the page pass drops lone small figures (a `1` in a sparse column): where a
            # figure column holds nothing, the goal's first lines there are read again
            end = chunks[i + 1][0].top - 0.5 if i + 1 < len(chunks) else bottom
            top, bot = chunk[0].top - 0.3 * pitch, min(chunk[-1].bottom + 0.3 * pitch, chunk[0].top + 4 * pitch, end)
            for col in all_columns:
                if col.name in _FIGURES and not any(l.words for l in goal.cells.get(col.name, ())):
                    goal.places[col.name] = (col.x0, top, col.x1, bot)
    return goals, layout


def _split_unread_goals(chunks: list[list[TextLine]], numbers_lines: Sequence[TextLine],
                        pitch: float) -> tuple[list[list[TextLine]], dict[int, str]]:
    """A goal whose code OCR could not read joins the goal above it; its own
    annual target still shows it. A chunk holding several annual-target rows
    is split between them, and the unread goal takes the next number in the
    sequence (codes run 101, 102, ...). Returns the chunks and, by index, the
    codes given to goals whose code was not read."""
    figure_rows = [l for l in numbers_lines if any(c.isdigit() for c in l.text)]
    out: list[list[TextLine]] = []
    synthetic: dict[int, str] = {}
    for i, chunk in enumerate(chunks):
        top = chunk[0].top - 2
        next_top = chunks[i + 1][0].top - 2 if i + 1 < len(chunks) else float("inf")
        rows = [r for r in figure_rows if top <= r.ymid < next_top]
        merged: list[TextLine] = []
        for r in rows:  # a cell's wrapped figure is one row
            if merged and r.ymid - merged[-1].ymid < 1.5 * pitch:
                continue
            merged.append(r)
        if len(merged) < 2:
            out.append(chunk)
            continue
        code, _ = _split_goal_code(collapse(" ".join(l.text for l in chunk)) or "", True)
        base = _code_number(code)
        cuts = [(a.ymid + b.ymid) / 2 for a, b in zip(merged, merged[1:])]
        parts: list[list[TextLine]] = [[] for _ in merged]
        for line in chunk:
            parts[sum(1 for c in cuts if line.ymid >= c)].append(line)
        out.append(parts[0] or chunk[:1])
        for k, part in enumerate(parts[1:], start=1):
            if base is None:
                break
            synthetic[len(out)] = str(base + k)
            out.append(part or [merged[k]])
    return out, synthetic


def _code_number(code: str) -> Optional[int]:
    """The number a goal code stands at in its sequence (`M.100` -> 100, `103` -> 103)."""
    digits = re.sub(r"\D", "", code)
    return int(digits) if digits else None


def _cell_text(cells: dict[str, list[TextLine]], name: str) -> Optional[str]:
    lines = cells.get(name)
    return collapse(" ".join(l.text for l in lines)) if lines else None


def _cell_number(cells: dict[str, list[TextLine]], name: str) -> Optional[float]:
    return parse_number(_cell_text(cells, name))


def _split_goal_code(text: str, ocr: bool) -> tuple[str, str]:
    m = _GOAL_CODE.match(text)
    if ocr:
        hit = _ocr_goal_code(text)
        if hit and not (m and m.group(2)):
            return hit
    code_text, rest = (m.group(1), m.group(3)) if m else (text.split()[0], " ".join(text.split()[1:]))
    is_main = code_text.upper().startswith("M")
    code = ("M." + re.sub(r"\D", "", code_text)) if is_main else code_text
    rest = re.sub(r"^(\.-|-|\.)\s*", "", rest or "")
    return code, rest


def _build_goal(raw: RawGoal, catalog: Sequence[str], flags: list[Flag],
                quarter: Optional[int] = None) -> tuple[Goal, list[GoalPeriod]]:
    text = collapse(" ".join(raw.description)) or ""
    code, rest = _split_goal_code(text, raw.ocr)
    if raw.key_text:
        code, rest = _key_code(raw.key_text, raw.ocr) or raw.key_text, text
        digits = re.sub(r"\D", "", raw.key_text.split(".")[-1])
        if digits != re.sub(r"\D", "", code.split(".")[-1]):
            flags.append(Flag(table="goals", row_key=code, field="goal_code", rule="ocr_repair",
                              severity=Severity.INFO, raw_value=raw.key_text, value=code,
                              message=f"Goal code read as '{raw.key_text}' taken as '{code}': the code column "
                                      f"holds numbers only, and OCR read letters for some of its digits."))
    elif raw.code_text:  # a row the row finder saw no code open: its place in the sequence gives it
        code, rest = raw.code_text, text
        printed = re.match(r"^[\W_]*(?:[Mm]\s?[.,]?\s?)?(\d{3})(?![\d.,])[\W_]*", text)
        if printed and printed.group(1) == code[-3:]:  # read after all, behind a speck (`207 «OTORGAR`)
            rest = text[printed.end():]
        else:
            flags.append(Flag(table="goals", row_key=raw.code_text, field="goal_code", rule="ocr_repair",
                              severity=Severity.INFO, raw_value=text[:40] or None, value=raw.code_text,
                              message=f"A goal row whose code OCR could not read was numbered {raw.code_text}, "
                                      f"the next code after the goal above it."))
    is_main = code.startswith("M")
    pmd_lines = [l.text for l in raw.cells.get("pmd", [])]
    pmd_raw = join_code_lines(pmd_lines)
    pmd_codes = tuple(segment_codes(pmd_raw, catalog)) if pmd_raw else ()
    if raw.ocr and pmd_raw:
        pmd_codes, pmd_raw = _ocr_pmd_codes(code, pmd_raw, pmd_codes, catalog, flags)
    unit_raw = _cell_text(raw.cells, "unit")
    observations = _cell_text(raw.cells, "observations")
    if raw.ocr:
        unit_raw, observations, rest = _ocr_text_cell(unit_raw), _ocr_text_cell(observations), _ocr_text_cell(rest)
        figures = _ocr_figures(code, raw.cells, flags, quarter)
    else:
        figures = {name: _cell_number(raw.cells, name) for name in _FIGURES}
    goal = Goal(
        goal_code=code, is_main_goal=is_main, description=collapse(rest),
        unit=unit_raw, unit_raw=unit_raw,
        annual_target=figures["annual_target"],
        absolute_progress=figures["absolute_progress"],
        relative_progress=figures["relative_progress"],
        pmd_codes=pmd_codes,
        pmd_codes_raw=pmd_raw,
        observations=observations,
        page=raw.page,
    )
    periods = [
        GoalPeriod(goal_code=code, period=p, period_label=PERIOD_LABELS[p],
                   programmed=figures[f"P{p}"], achieved=figures[f"A{p}"])
        for p in range(1, 5)
    ]
    return goal, periods


# --------------------------------------------------------------------------
# OCR repairs of a goal row
# --------------------------------------------------------------------------

_FIGURES = ("annual_target", "P1", "P2", "P3", "P4", "A1", "A2", "A3", "A4", "absolute_progress", "relative_progress")
_SUM_TOLERANCE = 0.011
# A plain reading that disagrees with its row by less than this share is a
# printed inconsistency to report, not an OCR error to repair.
_WILDLY_OFF = 0.10


def _repair_flag(code: str, name: str, raw_text: Optional[str], value: Optional[float], message: str) -> Flag:
    if name[0] in "PA" and name[1:].isdigit():
        table, row_key, field_name = "goal_periods", f"{code}|{name[1:]}", ("programmed" if name[0] == "P" else "achieved")
    else:
        table, row_key, field_name = "goals", code, name
    return Flag(table=table, row_key=row_key, field=field_name, rule="ocr_repair", severity=Severity.INFO,
                raw_value=raw_text, value=None if value is None else _fmt(value), message=message)


def _fmt(x: float) -> str:
    return f"{x:.4f}".rstrip("0").rstrip(".")


def _figure_candidates(text: Optional[str], percent: bool) -> list[Candidate]:
    """`number_candidates` plus readings of marks this table's scans produce:
    a `5` read as `$`, junk after a digit."""
    if text is None:
        return []
    t = "".join(text.split())
    out = list(number_candidates(t, percent=percent, count=not percent))

    def add(value: Optional[float], note: str) -> None:
        if value is not None and all(abs(c.value - value) > 1e-9 for c in out):
            out.append(Candidate(value, note))

    if re.fullmatch(r"\$[\d,]+", t):
        add(parse_number("5" + t[1:]), f"read '{text}' as '5{t[1:]}' (a 5 read as $)")
    m = re.fullmatch(r"([\d,.]*\d)[\]\[|!'`.,:;]+", t)
    if m:
        add(parse_number(m.group(1)), f"read '{text}' as '{m.group(1)}' (a stray mark after the figure)")
    tokens = text.split()
    if not out and len(tokens) > 1:  # a figure and a speck read as a second token (`100% 1)`)
        for tok in tokens:
            for c in _figure_candidates(tok, percent)[:1]:
                add(c.value, f"read '{text}' as '{tok}' (a stray mark read as a second figure)")
    return out


def _ocr_figures(code: str, cells: dict[str, list[TextLine]], flags: list[Flag],
                 quarter: Optional[int] = None) -> dict[str, Optional[float]]:
    """A goal row's figures from OCR'd cells: each cell's readings, the plain
    one kept unless it is no number, or unless other readings make the row's
    arithmetic hold where the plain ones are wildly off (quarters programmed
    add up to the annual target, quarters achieved to the absolute progress,
    the relative progress is absolute over annual). `quarter`: the report's."""
    texts = {name: _figure_text(_cell_text(cells, name)) for name in _FIGURES}
    for p in range(quarter + 1, 5) if quarter else ():
        # nothing is achieved yet in a quarter after the report's: marks alone in its
        # cell (`!`, `|`, a rule's sliver) are specks, not a 1
        text = texts[f"A{p}"]
        if text and not any(ch.isdigit() for ch in text):
            flags.append(Flag(table="goal_periods", row_key=f"{code}|{p}", field="achieved", rule="ocr_repair",
                              severity=Severity.INFO, raw_value=text, value=None,
                              message=f"Goal {code}: the achieved cell of quarter {p}, after the report's "
                                      f"quarter {quarter}, held only '{text}', taken as specks, not a figure."))
            texts[f"A{p}"] = None
    cands = {name: _figure_candidates(texts[name], percent=name == "relative_progress") for name in _FIGURES}
    chosen: dict[str, Optional[Candidate]] = {name: (c[0] if c else None) for name, c in cands.items()}
    reasons: dict[str, str] = {}

    def solve_sum(total: str, parts: Sequence[str], extra=None, why: str = "so that the row adds up") -> None:
        names = [total] + list(parts)
        if chosen[total] is None:
            return
        values = [chosen[n].value if chosen[n] else None for n in names]
        if _sum_holds(values) and (extra is None or extra(values)):
            return
        plain_total = values[0]
        plain_sum = sum(v for v in values[1:] if v is not None)
        if extra is None and not _wildly_off(plain_total, plain_sum) and \
                all(cands[n] and cands[n][0].note is None for n in names if chosen[n]):
            return
        best = None
        options = [cands[n] if cands[n] else [None] for n in names]
        for combo in product(*[range(len(o)) for o in options]):
            if sum(combo) == 0:
                continue
            picked = [options[k][i] for k, i in enumerate(combo)]
            vals = [c.value if c else None for c in picked]
            if not _sum_holds(vals) or (extra is not None and not extra(vals)):
                continue
            cost = (sum(1 for i in combo if i), sum(combo))
            if best is None or cost < best[0]:
                best = (cost, picked)
        if best is None:
            return
        for n, c in zip(names, best[1]):
            if c is not chosen[n]:
                chosen[n] = c
                reasons[n] = why

    solve_sum("annual_target", ["P1", "P2", "P3", "P4"])
    solve_sum("absolute_progress", ["A1", "A2", "A3", "A4"])
    rel, absolute, annual = chosen["relative_progress"], chosen["absolute_progress"], chosen["annual_target"]
    if rel is not None and rel.note is None and absolute is not None and annual is not None and annual.value:
        # a figure misread alike in a cell and in the cells it sums (`17.755`
        # achieved and `17.755` absolute) still adds up: the plain relative
        # progress, wildly off, tells which
        computed = absolute.value / annual.value * 100
        if abs(rel.value - computed) > max(1.0, _WILDLY_OFF * abs(computed)):
            target = annual.value
            solve_sum("absolute_progress", ["A1", "A2", "A3", "A4"],
                      extra=lambda vals: vals[0] is not None and percent_agrees(rel.value, vals[0] / target * 100),
                      why="so that the row adds up and agrees with the relative progress")
            absolute = chosen["absolute_progress"]
    if rel is not None and absolute is not None and annual is not None and annual.value:
        computed = absolute.value / annual.value * 100
        if not percent_agrees(rel.value, computed):
            off = abs(rel.value - computed) > max(1.0, _WILDLY_OFF * abs(computed))
            if rel.note is not None or off:
                for c in cands["relative_progress"] + _confusable_readings(texts["relative_progress"]):
                    if c is not rel and percent_agrees(c.value, computed):
                        chosen["relative_progress"] = c
                        reasons["relative_progress"] = "so that it agrees with absolute over annual"
                        break
    out: dict[str, Optional[float]] = {}
    for name in _FIGURES:
        c = chosen[name]
        out[name] = c.value if c else None
        if c is not None and c.note is not None:
            why = reasons.get(name)
            flags.append(_repair_flag(code, name, texts[name], c.value,
                                      f"Goal {code}: OCR {c.note}" + (f", {why}." if why else ".")))
    return out


# Digits Tesseract takes for one another in these scans' small print.
_CONFUSABLE = {"0": "86", "1": "47", "2": "37", "3": "2589", "4": "19", "5": "36", "6": "508", "7": "12",
               "8": "036", "9": "4"}


def _confusable_readings(text: Optional[str]) -> list[Candidate]:
    """Readings of a percentage with one digit swapped for a look-alike
    (`20%` for `30%`, `31.33%` for `31.35%`): tried only against the row's
    arithmetic, so a printed inconsistency (several digits off) stays."""
    if not text:
        return []
    t = "".join(text.split())
    plain = parse_number(t)
    if plain is None or not re.fullmatch(r"\d+(\.\d+)?%?", t):
        return []
    out = []
    for i, ch in enumerate(t):
        for alt in _CONFUSABLE.get(ch, ""):
            variant = t[:i] + alt + t[i + 1 :]
            value = parse_number(variant)
            if value is not None:
                out.append(Candidate(value, f"read '{text}' as '{variant}' (a look-alike digit)"))
    return out


def _figure_text(text: Optional[str]) -> Optional[str]:
    """An OCR'd figure cell without the marks around the figure (`2742 “`, `28.14% CO`)."""
    if text is None:
        return None
    tokens = text.split()
    with_digits = [t for t in tokens if any(c.isdigit() for c in t)]
    return " ".join(with_digits) if with_digits else text


def _ocr_text_cell(text: Optional[str]) -> Optional[str]:
    """An OCR'd text cell without specks read as marks (`:`, `-`, `|`) and, in
    an upper-case cell, without lone lower-case letters (`ACCIÓN o DE`)."""
    if text is None:
        return None
    tokens = [t for t in text.split() if not _JUNK.match(t)]
    if tokens and sum(t.isupper() for t in tokens) >= 0.8 * len(tokens):
        tokens = [t for t in tokens if not (len(t) == 1 and t.islower())]
    return collapse(" ".join(tokens))


def _sum_holds(values: Sequence[Optional[float]]) -> bool:
    total, parts = values[0], [v for v in values[1:] if v is not None]
    if total is None or not parts:
        return True
    return abs(sum(parts) - total) <= _SUM_TOLERANCE


def _wildly_off(a: Optional[float], b: Optional[float]) -> bool:
    if a is None or b is None:
        return False
    return abs(a - b) > _WILDLY_OFF * max(abs(a), abs(b), 1.0)


def _ocr_pmd_codes(code: str, pmd_raw: str, plain: tuple[str, ...], catalog: Sequence[str],
                   flags: list[Flag]) -> tuple[tuple[str, ...], str]:
    """PMD codes of an OCR'd cell: the plain reading when its catalog codes
    spell every digit of the cell, else the catalog codes that do."""
    known = set(catalog)
    if plain and all(c in known for c in plain) and digits_of(plain) == cell_digits(pmd_raw):
        return plain, pmd_raw
    repair = repair_codes(pmd_raw, catalog)
    if repair is None or (repair.codes == plain and repair.raw == pmd_raw):
        return plain, pmd_raw
    flags.append(Flag(table="goals", row_key=code, field="pmd_codes", rule="ocr_repair", severity=Severity.INFO,
                      raw_value=pmd_raw, value=repair.raw,
                      message=f"Goal {code}: the PMD codes read as '{pmd_raw}' were matched to the section's "
                              f"action lines as '{repair.raw}'."))
    return repair.codes, repair.raw


def parse(pages: Sequence[Page]) -> SectionResult:
    info, header_flags = _section_info(pages)
    first_lines = group_lines(pages[0].words)
    layout = _table_layout(pages[0])
    table_top = min((l.top for l in first_lines if "PERIODO" == l.folded or "PERIODO" in l.folded.split()), default=None)
    if layout is not None and layout.header_top is not None:
        table_top = min(table_top, layout.header_top - 1) if table_top is not None else layout.header_top - 1
    if table_top is None:
        table_top = layout.top - 40 if layout else pages[0].height
    result = SectionResult(info=info, action_lines=_action_lines(first_lines, table_top, pages[0].source == "ocr", header_flags),
                           flags=header_flags)
    if pages[0].source == "ocr":
        result.action_lines = _ocr_action_lines(result.action_lines, result.flags)
    catalog = [a.code for a in result.action_lines]
    seen: set[str] = set()
    before: Optional[TableLayout] = None
    for page in pages:
        if page.source == "ocr_text":
            for goal, periods in export_goals(page, catalog, info.quarter, result.flags, result.provenance):
                if goal.goal_code not in seen:
                    seen.add(goal.goal_code)
                    result.goals.append(goal)
                    result.goal_periods.extend(periods)
            continue
        raws, before = _page_goals(page, before)
        for raw in raws:
            goal_flags: list[Flag] = []
            goal, periods = _build_goal(raw, catalog, goal_flags, info.quarter)
            if goal.goal_code in seen:
                # on a scan, the code of the goal before read again (`103`, `103`) is the
                # next one misread (`104`); elsewhere a goal printed twice is read once
                fixed = _next_in_sequence(result.goals[-1].goal_code, goal.goal_code) \
                    if page.source == "ocr" and result.goals else None
                if fixed is None or fixed in seen:
                    continue
                # its own flags go to it, not to the goal whose code it repeated
                goal_flags = [_rekeyed(f, goal.goal_code, fixed) for f in goal_flags]
                goal_flags.append(_recode_flag(goal.goal_code, fixed, f"Goal code read as '{goal.goal_code}' again "
                                                                       f"right after it taken as '{fixed}', the next "
                                                                       f"in the sequence."))
                goal = replace(goal, goal_code=fixed)
                periods = [replace(p, goal_code=fixed) for p in periods]
            seen.add(goal.goal_code)
            result.flags.extend(goal_flags)
            result.goals.append(goal)
            result.goal_periods.extend(periods)
            result.provenance.extend(_goal_provenance(goal.goal_code, raw, info.quarter))
    if pages[0].source == "ocr":
        _ocr_sequence_codes(result)
    return result


def _ocr_sequence_codes(result: SectionResult) -> None:
    """Goal codes one digit off their place in the sequence (`405` between `104` and
    `106`, `103` twice then `195` before `106`: OCR read a 1 as a 4, a 4 as a 3, a 0
    as a 9; `2058` between `204` and `206`: a speck read as a digit) are the codes of
    their places. The places come from the run of goals
    under a main goal, numbered one by one, where most codes stand at theirs."""
    goals = result.goals
    runs: list[list[int]] = [[]]
    for i, g in enumerate(goals):
        if g.is_main_goal:
            runs.append([])
        elif _code_number(g.goal_code) is not None:
            runs[-1].append(i)
    for run in runs:
        numbers = [_code_number(goals[i].goal_code) for i in run]
        offsets = [n - k for k, n in enumerate(numbers)]
        if len(run) < 3:
            continue
        start = max(set(offsets), key=offsets.count)
        if 2 * offsets.count(start) <= len(run):
            continue  # no sequence most codes follow
        for k, i in enumerate(run):
            code, expected = goals[i].goal_code, str(start + k)
            if not _one_digit_off(code, expected) or any(g.goal_code == expected for g in goals):
                continue
            before = goals[run[k - 1]].goal_code if k else None
            after = goals[run[k + 1]].goal_code if k + 1 < len(run) else None
            _recode_goal(result, i, expected, f"Goal code read as '{code}' taken as '{expected}': it stands at "
                                              f"that place in the numbered run of goals"
                                              + (f" (between {before} and {after})." if before and after else "."))


def _one_digit_off(read: str, code: str) -> bool:
    """`read` is `code` with one digit misread (`405` for `105`) or one digit more, a
    speck read as one (`2058` for `205`)."""
    if len(read) == len(code) + 1:
        return any(read[:i] + read[i + 1:] == code for i in range(len(read)))
    return len(read) == len(code) and sum(a != b for a, b in zip(read, code)) == 1


def _next_in_sequence(before: str, read: str) -> Optional[str]:
    """The code after `before` when `read` is it one digit off (`104` read `103`)."""
    number = _code_number(before)
    if number is None or not read.isdigit() or not before.isdigit():
        return None
    expected = str(number + 1)
    return expected if _one_digit_off(read, expected) else None


def _recode_flag(code: str, expected: str, message: str) -> Flag:
    return Flag(table="goals", row_key=expected, field="goal_code", rule="ocr_repair",
                severity=Severity.INFO, raw_value=code, value=expected, message=message)


def _rekeyed(item, code: str, expected: str):
    """A flag or provenance record of a goal's row (`104`, `104|2`) moved to another code."""
    if item.table in ("goals", "goal_periods") and item.row_key.split("|")[0] == code:
        return replace(item, row_key=item.row_key.replace(code, expected, 1))
    return item


def _recode_goal(result: SectionResult, i: int, expected: str, message: str) -> None:
    """Goal i's code (unique in the section) and everything keyed by it become `expected`."""
    code = result.goals[i].goal_code
    result.goals[i] = replace(result.goals[i], goal_code=expected)
    result.goal_periods = [replace(p, goal_code=expected) if p.goal_code == code else p
                           for p in result.goal_periods]
    result.provenance = [_rekeyed(p, code, expected) for p in result.provenance]
    result.flags = [_rekeyed(f, code, expected) for f in result.flags] + [_recode_flag(code, expected, message)]


# --------------------------------------------------------------------------
# OCR text exports: rows are cell lists, figures put back by the column solver
# --------------------------------------------------------------------------

def _is_codes_cell(text: str) -> bool:
    return bool(text) and bool(re.fullmatch(r"[\d.,;\s-]+", text)) and "." in text


def _is_figure_cell(text: str) -> bool:
    return parse_number(text) is not None or (text.strip() in ("-", "—"))


def export_goals(page: Page, catalog: Sequence[str], quarter: Optional[int], flags: list[Flag],
                 provenance: list[Provenance]) -> list[tuple[Goal, list[GoalPeriod]]]:
    out = []
    for line in page.raw_lines:
        cells = split_cells(line)
        if not cells:
            continue
        cells = [c for c in cells if c.strip()]
        start = next((i for i, c in enumerate(cells) if _GOAL_CODE_CELL.match(c)), None)
        if start is None:
            continue
        pmd_raw = collapse(" ".join(cells[:start])) if start and all(_is_codes_cell(c) for c in cells[:start]) else None
        code, description = _split_goal_code(cells[start], False)
        rest = cells[start + 1 :]
        unit_cells = []
        while rest and not _is_figure_cell(rest[0]):
            unit_cells.append(rest.pop(0))
        figure_cells = []
        while rest and _is_figure_cell(rest[0]):
            figure_cells.append(rest.pop(0))
        observations = collapse(" ".join(rest))
        figures = [Figure(parse_number(c) or 0.0, c.strip().endswith("%")) for c in figure_cells if parse_number(c) is not None]
        solution = solve_row(figures, poa_slots(quarter), poa_violations)
        flags.extend(_solver_flags(code, figure_cells, solution))
        v = solution.values
        unit_raw = collapse(" ".join(unit_cells))
        goal = Goal(
            goal_code=code, is_main_goal=code.startswith("M"), description=collapse(description), unit=unit_raw,
            unit_raw=unit_raw, annual_target=v["annual_target"], absolute_progress=v["absolute_progress"],
            relative_progress=v["relative_progress"],
            pmd_codes=tuple(segment_codes(pmd_raw, catalog)) if pmd_raw else (), pmd_codes_raw=pmd_raw,
            observations=observations, page=page.number,
        )
        periods = [GoalPeriod(goal_code=code, period=p, period_label=PERIOD_LABELS[p],
                              programmed=v[f"P{p}"], achieved=v[f"A{p}"]) for p in range(1, 5)]
        out.append((goal, periods))
        # an export has no image: the row's line is what a reviewer can check
        provenance.extend(Provenance(table, key, name, page.number, 0.0, 0.0, 0.0, 0.0, None, line)
                          for table, key, name in _goal_fields(code))
    return out


# column of the goal table -> (table, field) it fills
_COLUMN_FIELDS = {
    "annual_target": ("goals", "annual_target"), "absolute_progress": ("goals", "absolute_progress"),
    "relative_progress": ("goals", "relative_progress"), "unit": ("goals", "unit"),
    "observations": ("goals", "observations"), "pmd": ("goals", "pmd_codes_raw"),
}


def _goal_fields(code: str) -> list[tuple[str, str, str]]:
    fields = [("goals", code, f) for f in ("description", "unit", "annual_target", "absolute_progress",
                                            "relative_progress", "pmd_codes_raw", "observations")]
    fields += [("goal_periods", f"{code}|{p}", f) for p in range(1, 5) for f in ("programmed", "achieved")]
    return fields


def _cell_field(code: str, column: str) -> Optional[tuple[str, str, str]]:
    """(table, field, row key) a goal's column fills."""
    if column in _COLUMN_FIELDS:
        return (*_COLUMN_FIELDS[column], code)
    if column[:1] in "PA" and column[1:].isdigit():
        return "goal_periods", ("programmed" if column[0] == "P" else "achieved"), f"{code}|{column[1:]}"
    return None


def _goal_provenance(code: str, raw: RawGoal, quarter: Optional[int] = None) -> list[Provenance]:
    out = []
    for column, lines in raw.cells.items():
        words = [w for l in lines for w in l.words]
        target = _cell_field(code, column)
        if not words or target is None:
            continue
        table, name, key = target
        out.append(words_record(table, key, name, raw.page, words, " ".join(l.text for l in lines)))
    for column, box in raw.places.items():
        # an achieved cell of a quarter not reported yet is empty as printed
        target = _cell_field(code, column)
        if target is None or column[0] == "A" and column[1:].isdigit() and (quarter is None or int(column[1:]) > quarter):
            continue
        table, name, key = target
        out.append(place_record(table, key, name, raw.page, box))
    return out


_GOAL_CODE_CELL = re.compile(r"^\s*(M\s?\.?\s?\d{1,4}|\d{3})\s*(\.-|-|\.|\s)", re.IGNORECASE)


def _solver_flags(code: str, printed: Sequence[str], solution) -> list[Flag]:
    raw = " ".join(printed)
    if solution.status == "realigned":
        placed = ", ".join(f"{k}={_fmt(v)}" for k, v in solution.values.items() if v is not None)
        return [Flag(table="goals", row_key=code, field="annual_target", rule="column_realigned",
                     severity=Severity.INFO, raw_value=raw, value=placed,
                     message=f"Goal {code}: the figures '{raw}' did not sit one per column; the only placement "
                             f"that fits the row's arithmetic with the fewest assumptions was used.")]
    if solution.status in ("ambiguous", "unsolved"):
        why = ("several placements fit the row's arithmetic equally well" if solution.status == "ambiguous"
               else "no placement fits the row's arithmetic")
        return [Flag(table="goals", row_key=code, field=name, rule="unreadable", severity=Severity.ERROR,
                     raw_value=raw, value=None,
                     message=f"Goal {code}: {name} is left empty because {why} (figures as read: '{raw}').")
                for name in solution.uncertain]
    return []


# observations run several lines of small type: the page pass drops and splits their words
# figure cells the page pass read empty are read again (their places are in the provenance)
_FIGURE_FIELDS = {_cell_field("", c)[:2] for c in _FIGURES}
SPEC = FamilySpec(Family.POA_AVANCE, detect, parse, reread_text=frozenset({("goals", "observations")}),
                  text_of_cell={("goals", "observations"): lambda text, _key: _ocr_text_cell(text)},
                  value_readers={f: parse_number for f in _FIGURE_FIELDS})
