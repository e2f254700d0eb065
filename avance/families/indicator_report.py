"""REPORTE DE INDICADOR, plus the reading helpers both indicator families share.

Everything is read by printed labels (`Clave del indicador:`, `Programa:`,
`Meta Anual:` ...) folded to upper case without accents, and by word geometry
inside tables (the x position of the column headers); never by coordinates or
page numbers.
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from typing import Iterable, Optional, Sequence

from ..extractors.layout import TextLine, collapse, fold, group_lines, make_line
from ..normalizers.numbers import parse_number
from ..records import (
    Family, Indicator, IndicatorValue, Page, SectionInfo, SectionResult, Word,
)
from .common import find_fiscal_year, find_government, find_municipality, municipality_from_government

# --------------------------------------------------------------------------
# labels
# --------------------------------------------------------------------------

# field -> folded label pattern (without the colon). Order matters only for
# alternatives sharing a prefix: longer first.
LABELS: dict[str, str] = {
    "name": r"NOMBRE DEL INDICADOR",
    "code": r"CLAVE(?: DEL INDICADOR)?",
    "entity": r"DEPENDENCIA(?: ?/ ?ENTIDAD)?|ENTIDAD",
    "pmd": r"LIGA AL P\.?M\.?D\.?|ALINEACION AL P\.?M\.?D\.?",
    "axis": r"EJE(?: PUBLICO| RECTOR| ESTRATEGICO| DEL PMD)?",
    "strategy": r"ESTRATEGIA",
    "line": r"LINEAS? DE ACCION(?: \d+)?",
    "structure": r"ESTRUCTURA PROGRAMATICA",
    "ramo": r"RAMO",
    "unidad": r"UNIDAD (?:EJECUTORA|RESPONSABLE)",
    "finalidad": r"FINALIDAD",
    "funcion": r"FUNCION",
    "subfuncion": r"SUB ?FUNCION",
    "programa": r"PROGRAMA(?: PRESUPUESTARIO)?",
    "objective": r"OBJETIVO(?: DEL INDICADOR)?",
    "interpretation": r"INTERPRETACION(?: O LECTURA)?",
    "variables": r"VARIABLES",
    "formula": r"FORMULA(?: DE CALCULO)?",
    "result_unit": r"UNIDAD DE MEDIDA(?: DEL RESULTADO| DEL INDICADOR)?",
    "ranges": r"RANGO DE VALOR(?:\s*\(?SEMAFORIZACION\)?)?|SEMAFORIZACION",
    "baseline": r"LINEA BASE",
    "target": r"META DEL INDICADOR",
    "annual": r"META ANUAL",
    "frequency": r"FRECUENCIA(?: DE MEDICION)?",
    "results": r"RESULTADOS DEL INDICADOR",
}
_LABEL_RX = re.compile(
    r"(?:(?<=\s)|^)(?:\d{1,2}\s?[.)]\s*)?(?P<label>"
    + "|".join(f"(?P<{k}>{v})" for k, v in LABELS.items())
    + r")\s?[:;]"
)
# Headings that end a block even without a colon (table titles, signatures).
_HEADING_RX = re.compile(
    r"^(?:\d{1,2}\s?[.)]\s*)?(?:RESULTADOS DEL INDICADOR|GRAFICA DE(?:L)? INDICADOR|DESGLOSE DE VARIABLES|"
    r"GLOSARIO|VALIDACION DEL INDICADOR|ELABORO|TIPO\b|LINEA BASE|RANGO DE VALOR|META DEL INDICADOR)"
)
CODE_RX = re.compile(r"\b([0-9A-Z]{1,4}(?:\s?-\s?[0-9A-Z]{1,8}){2,5})\b")
ENTITY_RX = re.compile(r"([0-9A-Z]{1,4})\s*-\s*([A-Z]{2,10})\s*-\s*([0-9]{2,6})")


def fold_map(text: str) -> tuple[str, list[int]]:
    """`fold` character by character, with the index of each folded char in `text`."""
    out: list[str] = []
    idx: list[int] = []
    for i, ch in enumerate(text):
        d = unicodedata.normalize("NFKD", ch)
        d = "".join(c for c in d if not unicodedata.combining(c)).upper()
        for c in d:
            out.append(" " if c.isspace() else c)
            idx.append(i)
    return "".join(out), idx


@dataclass(frozen=True)
class LabelHit:
    field: str
    start: int  # original-text offsets
    end: int


def label_hits(line: TextLine) -> list[LabelHit]:
    text = line.text
    folded, idx = fold_map(text)
    hits = []
    for m in _LABEL_RX.finditer(folded):
        field = next(k for k in LABELS if m.group(k) is not None)
        start = idx[m.start()] if m.start() < len(idx) else len(text)
        end = idx[m.end() - 1] + 1
        hits.append(LabelHit(field, start, end))
    return hits


def clean(text: Optional[str]) -> Optional[str]:
    text = collapse(text)
    if text is None:
        return None
    text = collapse(re.sub(r"(?:(?<=\s)|^)[|¦](?=\s|$)", " ", text)) or ""  # OCR'd cell borders
    text = text.strip(" :;|")
    return text or None


def words_left_of(line: TextLine, x: float) -> Optional[TextLine]:
    ws = [w for w in line.words if w.x1 <= x]
    return make_line(ws) if ws else None


def word_x(line: TextLine, offset: int) -> float:
    """x0 of the word holding character `offset` of `line.text`."""
    pos = 0
    for w in line.words:
        end = pos + len(w.text)
        if offset < end:
            return w.x0
        pos = end + 1
    return line.x1


class Fields:
    """Label -> value over the lines of a section (first occurrence wins).

    A value runs from its label to the next label on the same line; when the
    label is the last of its line the value continues on the following lines
    while they sit close below, carry no label and start no heading (a wrapped
    `Programa` name). Words right of a label printed further along a
    continuation line (a second column) are left out.
    """

    def __init__(self, lines: Sequence[TextLine]):
        self.lines = list(lines)
        self.hits = [label_hits(l) for l in self.lines]
        self.values: dict[str, str] = {}
        self.line_of: dict[str, int] = {}
        heights = sorted(l.height for l in self.lines) or [8.0]
        self.h = heights[len(heights) // 2]
        self.inline: dict[str, str] = {}
        for i, (line, hits) in enumerate(zip(self.lines, self.hits)):
            for j, hit in enumerate(hits):
                nxt = hits[j + 1].start if j + 1 < len(hits) else None
                inline = line.text[hit.end:nxt]
                right = word_x(line, hits[j + 1].start) if nxt is not None else float("inf")
                value = " ".join([inline] + self._continuation(i, word_x(line, hit.start), right))
                if hit.field not in self.values or not clean(self.values[hit.field]):
                    self.values[hit.field] = value
                    self.inline[hit.field] = inline
                    self.line_of[hit.field] = i

    def _continuation(self, i: int, label_x: float, right: float) -> list[str]:
        """Wrapped lines of a value whose label starts at `label_x`; `right` is
        where the next label of the label's line starts (a second column)."""
        out: list[str] = []
        prev = self.lines[i]
        for k in range(i + 1, len(self.lines)):
            full = self.lines[k]
            if full.top - prev.bottom > 0.6 * self.h or full.top < prev.top:
                break  # a gap, or the next page
            ws = [w for w in full.words if w.x0 >= label_x - 3 and w.x0 < right - 3]
            if not ws:
                break
            nxt = make_line(ws)
            if nxt.x0 > label_x + 6 * self.h and len(ws) == len(full.words):
                break  # indented far right: another block, not a wrapped value
            if _HEADING_RX.match(nxt.folded) or is_table_header(full):
                break
            hits = label_hits(nxt)
            if hits:
                first = hits[0]
                part = nxt.text[: first.start]
                if part.strip() and not re.fullmatch(r"\s*\d{1,2}\s?[.)]?\s*", part):
                    out.append(part)
                break
            # a line of the other column that starts with its label ends us too
            if len(ws) < len(full.words) and label_hits(full) and label_hits(full)[0].start == 0:
                break
            out.append(nxt.text)
            prev = full
        return out

    def get(self, field: str) -> Optional[str]:
        return clean(self.values.get(field))

    def line_index(self, field: str) -> Optional[int]:
        return self.line_of.get(field)


def is_table_header(line: TextLine) -> bool:
    f = line.folded
    return ("CLAVE" in f and "DESCRIPCI" in f) or ("PERIODO" in f and ("VALOR" in f or "META" in f))


def split_code_name(value: Optional[str]) -> tuple[Optional[str], Optional[str]]:
    """`44 - Desarrollo Integral ...` -> ('44', 'Desarrollo Integral ...')."""
    if not value:
        return None, None
    m = re.match(r"^([0-9][0-9A-Za-z.]*)\s*[-–—]\s*(.*)$", value)
    if not m:
        m = re.match(r"^([0-9]+)\s+(\D.*)$", value)
    if m:
        return m.group(1).rstrip("."), clean(m.group(2))
    return None, clean(value)


def find_code(lines: Sequence[TextLine]) -> Optional[str]:
    """The indicator key printed after `Clave:` / `Clave del indicador:`."""
    for line in lines:
        for hit in label_hits(line):
            if hit.field != "code":
                continue
            rest = fold(line.text[hit.end:])
            m = CODE_RX.search(rest)
            if m and re.search(r"\d", m.group(1)):
                return re.sub(r"\s+", "", m.group(1))
    return None


def entity_code(value: Optional[str]) -> Optional[str]:
    if not value:
        return None
    m = ENTITY_RX.search(fold(value))
    if not m:
        return None
    return f"{m.group(1)} - {m.group(2)} - {m.group(3)}"


# --------------------------------------------------------------------------
# formula and keys
# --------------------------------------------------------------------------

_FORMULA_TOKEN = re.compile(r"[A-Za-zÀ-ÿ_][A-Za-zÀ-ÿ_0-9]*|\d+(?:[.,]\d+)?|[=*/+\-()×÷]")


def normalize_formula(text: Optional[str]) -> Optional[str]:
    """`PAMA = (AMA/AMP)*100` -> `PAMA = (AMA / AMP) * 100`."""
    if not text or "=" not in text:
        return clean(text)
    tokens = _FORMULA_TOKEN.findall(text)
    out = ""
    prev = ""
    for i, tok in enumerate(tokens):
        if tok in ("×",) or (tok in ("x", "X") and prev in (")",) or (tok in ("x", "X") and re.fullmatch(r"[\d.,]+", prev))):
            tok = "*"
        if tok == "÷":
            tok = "/"
        if tok in "=*/+-" and len(tok) == 1:
            out = out.rstrip() + f" {tok} "
        elif tok == "(":
            out += "(" if (not out or out.endswith((" ", "("))) else " ("
        elif tok == ")":
            out = out.rstrip() + ")"
        else:
            if out and (out[-1].isalnum() or out[-1] == ")"):
                out += " "
            out += tok
        prev = tok
    return collapse(out)


def formula_keys(formula: Optional[str]) -> list[str]:
    if not formula:
        return []
    return [t for t in re.findall(r"[A-Za-zÀ-ÿ_][A-Za-zÀ-ÿ_0-9]*", formula)]


_CONFUSABLE = str.maketrans({"0": "O", "5": "S", "1": "I", "8": "B", "2": "Z", "6": "G", "D": "O", "Q": "O", "L": "I"})


def _skeleton(key: str) -> str:
    return key.upper().translate(_CONFUSABLE)


def repair_key(key: str, known: Iterable[str]) -> str:
    """An OCR'd key (`T50`) replaced by the printed key it stands for (`TSO`)."""
    known = [k for k in known if k]
    if key in known:
        return key
    sk = _skeleton(key)
    matches = [k for k in known if len(k) == len(key) and _skeleton(k) == sk]
    if len(matches) == 1:
        return matches[0]
    return key


def repair_formula(formula: Optional[str], keys: Sequence[str]) -> Optional[str]:
    if not formula or not keys:
        return formula
    def sub(m: re.Match) -> str:
        tok = m.group(0)
        if re.fullmatch(r"\d+(?:\.\d+)?", tok):
            return tok
        return repair_key(tok, keys)
    return re.sub(r"[A-Za-z0-9_]+", sub, formula)


def best_keys(table_keys: Sequence[str], formula: Optional[str]) -> list[str]:
    """The more trustworthy spelling of each key: letters over look-alike digits."""
    pool = list(dict.fromkeys(list(formula_keys(formula)) + list(table_keys)))
    chosen: dict[str, str] = {}
    for k in pool:
        sk = _skeleton(k)
        cur = chosen.get(sk)
        if cur is None or sum(c.isdigit() for c in k) < sum(c.isdigit() for c in cur):
            chosen[sk] = k
    return list(chosen.values())


KEY_RX = re.compile(r"^[A-Z][A-Z0-9]{1,11}$")


def key_token(text: str) -> Optional[str]:
    t = fold(text).strip(" .:;,|[](){}'\"")
    return t if KEY_RX.match(t) else None


# --------------------------------------------------------------------------
# PMD link and header facts
# --------------------------------------------------------------------------

def pmd_link(fields: Fields) -> tuple[Optional[str], Optional[str], tuple[str, ...]]:
    """Axis, strategy and action-line codes from the `Liga al PMD` block.

    Each line is classified by the depth of its leading code (`5`, `5.1`,
    `5.1.2`), whether or not it carries a label (`Eje Público:`)."""
    lines = fields.lines
    start = fields.line_index("pmd")
    if start is None:
        start = fields.line_index("axis")
        if start is None:
            return None, None, ()
        start -= 1
    axis = strategy = None
    codes: list[str] = []
    last: Optional[str] = None
    first_value = clean(fields.inline.get("pmd"))
    items: list[str] = [first_value] if first_value else []
    for k in range(start + 1, len(lines)):
        line = lines[k]
        hits = fields.hits[k]
        if hits and hits[0].field not in ("axis", "strategy", "line"):
            break
        if _HEADING_RX.match(line.folded) or re.match(r"^\d{1,2}\s?[.)]\s+[A-Z]", line.folded):
            break
        text = line.text[hits[0].end:] if hits else line.text
        items.append(text)
    for raw in items:
        text = clean(raw)
        if not text:
            continue
        m = re.match(r"^(\d+(?:\s?\.\s?\d+)*)\.?\s*[-–—]?\s*(.*)$", text)
        if not m or not re.match(r"^\d", text):
            if last == "axis" and axis and not re.match(r"(?i)^no aplica", text):
                axis = f"{axis} {text}"
            elif last == "strategy" and strategy and not re.match(r"(?i)^no aplica", text):
                strategy = f"{strategy} {text}"
            continue
        code = re.sub(r"\s", "", m.group(1))
        depth = code.count(".")
        if depth == 0 and axis is None:
            axis, last = clean(f"{code} - {m.group(2)}") if m.group(2) else code, "axis"
        elif depth == 1 and strategy is None:
            strategy, last = clean(f"{code} - {m.group(2)}") if m.group(2) else code, "strategy"
        elif depth >= 2:
            if code not in codes:
                codes.append(code)
            last = "line"
    return axis, strategy, tuple(codes)


def header_lines(lines: Sequence[TextLine]) -> list[TextLine]:
    """The lines above the first labelled line (title, government, year)."""
    out = []
    for line in lines:
        if label_hits(line):
            break
        out.append(line)
    return out[:10]


def header_facts(pages: Sequence[Page]) -> dict:
    first = group_lines(pages[0].words)
    head = header_lines(first)
    government = find_government(head) or find_government(first)
    municipality = find_municipality(head) or municipality_from_government(government)
    year = find_fiscal_year(head)
    if year is None:
        for page in pages:
            for line in group_lines(page.words):
                m = re.search(r"\b(?:ANUAL|EJERCICIO)\s+(20\d\d)\b", line.folded)
                if m:
                    year = int(m.group(1))
                    break
            if year:
                break
    return {"government": government, "municipality": municipality, "fiscal_year": year}


def number_of(text: Optional[str]) -> Optional[float]:
    if not text:
        return None
    m = re.search(r"[-+]?\$?\s?\d[\d,]*(?:\.\d+)?\s?%?", text)
    return parse_number(m.group(0)) if m else None


def frequency_of(value: Optional[str]) -> Optional[str]:
    if not value:
        return None
    return clean(value.split()[0]) if value.split() else None


def all_lines(pages: Sequence[Page]) -> list[TextLine]:
    out: list[TextLine] = []
    for page in pages:
        out.extend(group_lines(page.words))
    return out


def page_lines_of(pages: Sequence[Page]) -> list[list[TextLine]]:
    return [group_lines(p.words) for p in pages]


# --------------------------------------------------------------------------
# tables by header geometry
# --------------------------------------------------------------------------

@dataclass(frozen=True)
class Column:
    name: str
    x0: float
    x1: float

    @property
    def center(self) -> float:
        return (self.x0 + self.x1) / 2


def header_columns(line: TextLine, spec: Sequence[tuple[str, str]]) -> list[Column]:
    """Columns of a header line: spec is (name, folded word prefix) in order;
    a column spans from its first word to the word before the next column's."""
    words = list(line.words)
    starts: list[tuple[str, int]] = []
    pos = 0
    for name, prefix in spec:
        for i in range(pos, len(words)):
            if fold(words[i].text).startswith(prefix):
                starts.append((name, i))
                pos = i + 1
                break
    cols = []
    for n, (name, i) in enumerate(starts):
        end = starts[n + 1][1] if n + 1 < len(starts) else len(words)
        ws = words[i:end]
        cols.append(Column(name, min(w.x0 for w in ws), max(w.x1 for w in ws)))
    return cols


def column_of(word, cols: Sequence[Column]) -> str:
    """Left-aligned cell text under centered headers: the column whose header
    center is the first at or right of the word's left edge."""
    for col in cols:
        if word.x0 <= col.center + 2:
            return col.name
    return cols[-1].name


def rows_by_anchor(lines: Sequence[TextLine], is_anchor) -> list[tuple[TextLine, list[TextLine]]]:
    """Lines of a table body grouped around anchor lines (the ones carrying a
    key): every other line joins the anchor nearest vertically (wrapped cells
    print above and below the key)."""
    anchors = [l for l in lines if is_anchor(l)]
    groups: list[tuple[TextLine, list[TextLine]]] = [(a, []) for a in anchors]
    if not anchors:
        return []
    for line in lines:
        k = min(range(len(anchors)), key=lambda i: abs(anchors[i].ymid - line.ymid))
        groups[k][1].append(line)
    return groups


# --------------------------------------------------------------------------
# the report
# --------------------------------------------------------------------------

_VALUES_HEADER = re.compile(r"\bCLAVE\b.*\bPERIODO\b|\bCLAVE\b.*\b1\b.*\b2\b.*\b3\b.*\b4\b")


def report_values(pages_lines: Sequence[Sequence[TextLine]], formula: Optional[str],
                  widths: Sequence[float] = ()) -> list[IndicatorValue]:
    out: dict[str, dict[int, Optional[float]]] = {}
    order: list[str] = []
    for n, lines in enumerate(pages_lines):
        page_width = widths[n] if n < len(widths) else 0.0
        for h, head in enumerate(lines):
            if not _VALUES_HEADER.search(head.folded):
                continue
            cols = header_columns(head, [("key", "CLAVE"), ("desc", "DESCRIP")])
            after = next((w.x1 for w in head.words if fold(w.text).startswith("DESCRIP")), 0.0)
            periods: dict[int, float] = {}
            for w in head.words:
                t = fold(w.text).strip(".")
                if t in ("1", "2", "3", "4") and w.x0 > after:
                    periods[int(t)] = w.xmid
            cols = [Column(c.name, c.x0, min(c.x1, after)) for c in cols]
            if len(periods) < 4:
                # period numbers lost (OCR of a shaded header): four equal columns
                # from PERIODO to the table's right edge (mirror of its left margin)
                per = next((w for w in head.words if fold(w.text).startswith("PERIOD")), None)
                if per is not None and page_width:
                    right = page_width - head.x0
                    step = (right - per.x1) / 4
                    if step > 0:
                        periods = {k: per.x1 + step * (k - 0.5) for k in range(1, 5)}
            if not periods:
                continue
            pitch = (max(periods.values()) - min(periods.values())) / max(1, len(periods) - 1) or 40.0
            value_left = min(periods.values()) - pitch * 0.6
            body: list[TextLine] = []
            for line in lines[h + 1:]:
                f = line.folded
                if label_hits(line) or _HEADING_RX.match(f) or f.startswith("FORMULA"):
                    break
                body.append(line)
            def anchor_key(line: TextLine) -> Optional[str]:
                w = line.words[0]
                if cols and column_of(w, cols) == "key" and w.xmid < value_left:
                    return key_token(w.text)
                return None

            for anchor, members in rows_by_anchor(body, lambda l: anchor_key(l) is not None):
                key = anchor_key(anchor)
                vals: dict[int, Optional[float]] = {}
                for line in members:
                    for w in line.words:
                        if w.xmid < value_left:
                            continue
                        p = min(periods, key=lambda k: abs(periods[k] - w.xmid))
                        v = parse_number(w.text)
                        if v is not None:
                            vals[p] = v
                if key not in out:
                    order.append(key)
                    out[key] = {}
                out[key].update(vals)
    keys = best_keys(order, formula)
    rows = []
    for key in order:
        fixed = repair_key(key, keys)
        for p in range(1, 5):
            rows.append(IndicatorValue(variable_key=fixed, period=p, value=out[key].get(p)))
    return rows


def report_name(lines: Sequence[TextLine], fields: Fields) -> Optional[str]:
    named = fields.get("name")
    if named:
        return named
    i = fields.line_index("code")
    if i is None:
        return None
    picked: list[TextLine] = []
    below = lines[i]
    for k in range(i - 1, -1, -1):
        line = lines[k]
        f = line.folded
        if label_hits(line) or re.search(r"REPORTE|FICHA|GOBIERNO|AYUNTAMIENTO|MUNICIPIO|ESCUDO|^H\.|^20\d\d$", f):
            break
        if len(re.findall(r"[A-Z]", f)) < 3:
            continue  # OCR specks
        gap = below.top - line.bottom
        if picked and gap > 0.8 * line.height:
            break
        if not picked and gap > 4 * line.height:
            break
        picked.insert(0, line)
        below = line
    return clean(" ".join(l.text for l in picked)) if picked else None


def parse_report(pages: Sequence[Page]) -> SectionResult:
    plines = page_lines_of(pages)
    lines = [l for pl in plines for l in pl]
    fields = Fields(lines)
    facts = header_facts(pages)
    code = find_code(lines)
    formula = normalize_formula(fields.get("formula"))
    values = report_values(plines, formula, [p.width for p in pages])
    keys = best_keys([v.variable_key for v in values], formula)
    formula = repair_formula(formula, keys)
    axis, strategy, pmd_lines = pmd_link(fields)
    programa_code, programa_name = split_code_name(fields.get("programa"))
    indicator = Indicator(
        kind="report",
        indicator_code=code,
        name=report_name(lines, fields),
        entity_code=entity_code(fields.get("entity")),
        pmd_axis=axis,
        pmd_strategy=strategy,
        pmd_lines=pmd_lines,
        objective=fields.get("objective"),
        interpretation=fields.get("interpretation"),
        formula=formula,
        result_unit=fields.get("result_unit"),
        target_annual=number_of(fields.get("annual")),
        frequency=frequency_of(fields.get("frequency")),
    )
    info = SectionInfo(
        family=Family.INDICATOR_REPORT.value,
        page_start=pages[0].number,
        page_end=pages[-1].number,
        programa_code=programa_code,
        programa_name=programa_name,
        **facts,
    )
    return SectionResult(info=info, indicators=[indicator], indicator_values=values)
