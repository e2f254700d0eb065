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

from ..extractors.grid import merge_positions
from ..extractors.layout import TextLine, collapse, fold, group_lines, make_line, split_chunks
from ..normalizers.numbers import parse_number
from ..tables import label_value_boxes, read_tables
from ..tables.model import Table
from ..tables.reader import finish, is_figure
from ..tables.concepts import HEADER_CUTOFF, Concept, fill_by_content, header_score, match_columns
from ..tables.periods import period_columns, quarter_of
from ..records import (
    Family, Indicator, IndicatorValue, Page, SectionInfo, SectionResult, Word,
)
from .common import find_fiscal_year, find_government, find_municipality, municipality_from_government
from .provenance import ProvenanceLog, narrow

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
    "formula": r"FORMULA(?: DE CALCULO)?|METODO DE CALCULO",
    "result_unit": r"UNIDAD DE MEDIDA(?: DEL RESULTADO| DEL INDICADOR)?",
    "ranges": r"RANGO DE VALOR(?:\s*\(?SEMAFORIZACION\)?)?|SEMAFORIZACION",
    "baseline": r"LINEA BASE",
    "target": r"META DEL INDICADOR",
    "annual": r"META ANUAL(?: 20\d\d)?",
    "triennial": r"META TRIENI?O(?: 20\d\d ?- ?20\d\d)?",
    "direction": r"SENTIDO DE LA META|SENTIDO",
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


# ASCII white space (what `str.isspace` says of the first 128 characters) as a space
_ASCII_SPACES = str.maketrans({c: " " for c in map(chr, range(128)) if c.isspace()})


def fold_map(text: str) -> tuple[str, list[int]]:
    """`fold` character by character, with the index of each folded char in `text`."""
    if text.isascii():  # one character each, nothing to decompose (most lines)
        return text.upper().translate(_ASCII_SPACES), list(range(len(text)))
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
    if line.words and any(w.conf is not None for w in line.words):
        hits = sorted(hits + fuzzy_label_hits(line, hits), key=lambda h: h.start)
    return hits


def clean(text: Optional[str]) -> Optional[str]:
    text = collapse(text)
    if text is None:
        return None
    text = collapse(re.sub(r"(?:(?<=\s)|^)[|¦](?=\s|$)", " ", text)) or ""  # OCR'd cell borders
    text = text.strip(" :;|")
    return text or None


def word_x(line: TextLine, offset: int) -> float:
    """x0 of the word holding character `offset` of `line.text`."""
    pos = 0
    for w in line.words:
        end = pos + len(w.text)
        if offset < end:
            return w.x0
        pos = end + 1
    return line.x1


def words_between(line: TextLine, start: int, end: Optional[int]) -> list[Word]:
    """Words of `line` holding some non-blank character of `line.text[start:end]`."""
    end = len(line.text) if end is None else end
    out = []
    pos = 0
    for w in line.words:
        a, b = pos, pos + len(w.text)
        if a < end and b > start and line.text[max(a, start):min(b, end)].strip():
            out.append(w)
        pos = b + 1
    return out


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
        self.ocr: dict[str, bool] = {}
        self.repairs: list[Flag] = []  # OCR repairs made by `get`
        self.words: dict[str, list[Word]] = {}  # the words each value was read from (provenance)
        for i, (line, hits) in enumerate(zip(self.lines, self.hits)):
            for j, hit in enumerate(hits):
                nxt = hits[j + 1].start if j + 1 < len(hits) else None
                inline = line.text[hit.end:nxt]
                right = word_x(line, hits[j + 1].start) if nxt is not None else float("inf")
                label_x = word_x(line, hit.start)
                if is_ocr_line(line) and re.fullmatch(r"\s*\d{1,2}\s?[.,;:)]?\s?-?\s*", line.text[:hit.start]):
                    label_x = line.x0  # `4, Interpretación`: OCR'd numbering the label pattern misses
                # where the value starts: its first word, not an OCR speck before it (`* 174 - ...`)
                value_x = next((w.x0 for w in words_between(line, hit.end, nxt) if any(ch.isalnum() for ch in w.text)),
                               None)
                label_end = max((w.x1 for w in words_between(line, hit.start, hit.end)), default=label_x)
                # a value printed in a column of its own, well right of its label: a line
                # back at the labels' edge is not its wrapped text (a block's title)
                in_column = value_x is not None and value_x - label_end > 3 * self.h
                more = self._continuation(i, label_x, right, value_x, in_column)
                value = " ".join([inline] + [text for text, _ in more])
                if hit.field not in self.values or not clean(self.values[hit.field]):
                    self.values[hit.field] = value
                    self.inline[hit.field] = inline
                    self.line_of[hit.field] = i
                    self.ocr[hit.field] = is_ocr_line(line)
                    self.words[hit.field] = words_between(line, hit.end, nxt) + [w for _, ws in more for w in ws]

    def _continuation(self, i: int, label_x: float, right: float,
                      value_x: Optional[float] = None, in_column: bool = False) -> list[tuple[str, list[Word]]]:
        """Wrapped lines of a value whose label starts at `label_x`; `right` is
        where the next label of the label's line starts (a second column);
        `value_x` where the value starts (a value column right of its labels).
        Each with the words it was read from."""
        out: list[tuple[str, list[Word]]] = []
        prev = self.lines[i]
        for k in range(i + 1, len(self.lines)):
            full = self.lines[k]
            if full.top - prev.bottom > 0.6 * self.h or full.top < prev.top:
                break  # a gap, or the next page
            ws = [w for w in full.words if w.x0 >= label_x - 3 and w.x0 < right - 3]
            if not ws:
                break
            nxt = make_line(ws)
            aligned = value_x is not None and abs(nxt.x0 - value_x) <= 0.5 * self.h
            if in_column and nxt.x0 < value_x - 0.5 * self.h:
                break
            if nxt.x0 > label_x + 6 * self.h and len(ws) == len(full.words) and not aligned:
                break  # indented far right, not under the value: another block, not a wrapped value
            if _HEADING_RX.match(nxt.folded) or is_table_header(full):
                break
            hits = label_hits(nxt)
            if hits:
                first = hits[0]
                part = nxt.text[: first.start]
                if part.strip() and not re.fullmatch(r"\s*\d{1,2}\s?[.)]?\s*", part):
                    out.append((part, words_between(nxt, 0, first.start)))
                break
            # a line of the other column that starts with its label ends us too
            if len(ws) < len(full.words) and label_hits(full) and label_hits(full)[0].start == 0:
                break
            out.append((nxt.text, list(nxt.words)))
            prev = full
        return out

    def fill(self, pairs: dict[str, tuple[str, list[Word], bool]]) -> None:
        """Values from label/value cells: labels this reading of lines missed (a label
        wrapped in its box), and values a line ran past their ruled box's border (a
        wrapped label's last word read into the value beside it)."""
        for field, (value, words, ruled) in pairs.items():
            boxed = {id(w) for w in words}
            ran_over = ruled and field in self.values and any(id(w) not in boxed for w in self.words.get(field, ()))
            if field not in self.values or ran_over:
                self.values[field] = value
                self.inline[field] = value
                self.ocr[field] = any(w.conf is not None for w in words)
                self.words[field] = words

    def get(self, field: str, table: str = "indicators", row_key: str = "", column: Optional[str] = None) -> Optional[str]:
        value = clean(self.values.get(field))
        if value and self.ocr.get(field):
            fixed, notes = ocr_text_repair(value)
            if notes:
                flag = ocr_flag(table, row_key, column or field, value, fixed, " ".join(notes))
                if flag not in self.repairs:
                    self.repairs.append(flag)
            value = fixed
        return value

    def line_index(self, field: str) -> Optional[int]:
        return self.line_of.get(field)


def _label_boxes(pages: Sequence[Page]):
    """(field, value text, value words, ruled) of every label/value pair printed as
    boxes (a label cell, its value in the cell to its right), in reading order; ruled:
    rules draw the value's box (white space alone may cut a wrapped value)."""
    for page in pages:
        for table, cell, value in label_value_boxes(page):
            m = _LABEL_RX.fullmatch(" ".join(fold(cell.text or "").split()))
            if not m:  # a label broken inside a word where its box wraps it (`Enti` / `dad:`)
                m = _LABEL_RX.fullmatch(" ".join(fold("".join(l.text for l in group_lines(cell.words))).split()))
            if not m:
                continue
            field = next(k for k in LABELS if m.group(k) is not None)
            if not clean(value.text) or label_hits(make_line(value.words)):
                continue
            yield field, value.text, list(value.words), table.ruled and _ruled_below(page, value)


def cell_pairs(pages: Sequence[Page]) -> dict[str, tuple[str, list[Word], bool]]:
    """Label/value pairs printed as boxes, found by the label's vocabulary wherever
    the box stands; first wins. Each with whether rules draw its box."""
    out: dict[str, tuple[str, list[Word], bool]] = {}
    for field, text, words, ruled in _label_boxes(pages):
        out.setdefault(field, (text, words, ruled))
    return out


def pmd_link_of(fields: Fields, pages: Sequence[Page], where: Optional[dict[str, list[Word]]] = None
                ) -> tuple[Optional[str], Optional[str], tuple[str, ...]]:
    """Axis, strategy and action-line codes: from ruled label boxes where the block is
    drawn as boxes (its labels wrapped in two columns of boxes run lines together),
    else from its lines (`pmd_link`)."""
    boxes = [(f, text, words) for f, text, words, ruled in _label_boxes(pages) if ruled and f in _PMD_FIELDS]
    found = {f for f, _, _ in boxes}
    if not {"axis", "line"} <= found:
        return pmd_link(fields, where)
    axis = next(clean(text) for f, text, _ in boxes if f == "axis")
    strategy = next((clean(text) for f, text, _ in boxes if f == "strategy"), None)
    codes: list[str] = []
    for f, text, words in boxes:
        if f == "line":
            codes += [c for c in _ACTION_LINE.findall(text) if c not in codes]
    if where is not None:
        for f, name in (("axis", "pmd_axis"), ("strategy", "pmd_strategy")):
            where[name] = next((words for g, _, words in boxes if g == f), [])
        where["pmd_lines"] = [w for g, _, words in boxes if g == "line" for w in words]
    return axis, strategy, tuple(codes)


def _ruled_below(page: Page, cell) -> bool:
    """A rule closes the cell at its foot (a grid's row, not a row the reader took in
    under the grid, whose wrapped lines may have gone to the next row)."""
    # a line's or a drawn box's edge (a box's top or bottom) along the cell's foot
    return any(min(abs(r.top - cell.bottom), abs(r.bottom - cell.bottom)) <= 4 and
               min(r.x1, cell.x1) - max(r.x0, cell.x0) > 0.5 * (cell.x1 - cell.x0) for r in page.rules)


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
            code = _code_in(line.text[hit.end:])
            if code:
                return code
    return None


def _code_in(text: str) -> Optional[str]:
    """The indicator key a value's text starts with (it holds a digit)."""
    m = CODE_RX.search(fold(text))
    return re.sub(r"\s+", "", m.group(1)) if m and re.search(r"\d", m.group(1)) else None


def boxed_code(fields: "Fields") -> Optional[str]:
    """The key read from its box when its label wraps there (`Clave del` / `indicador:`)."""
    return _code_in(clean(fields.values.get("code")) or "")


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

_PMD_FIELDS = ("axis", "strategy", "line")
_ACTION_LINE = re.compile(r"(?<![\d.])(\d+\.\d+\.\d+(?:\.\d+)*)(?![\d.]*\d)")


def _block_title(line: TextLine, labels_x: float, height: float) -> bool:
    """A line of its own ending with a colon, at the labels' edge or left of it: a
    title, not a value's wrapped line (which stands under its value)."""
    return line.text.rstrip().endswith(":") and line.x0 <= labels_x + height and len(line.words) <= 6


def pmd_link(fields: Fields, where: Optional[dict[str, list[Word]]] = None
             ) -> tuple[Optional[str], Optional[str], tuple[str, ...]]:
    """Axis, strategy and action-line codes from the `Liga al PMD` block.

    Each line is classified by the depth of its leading code (`5`, `5.1`,
    `5.1.2`), whether or not it carries a label (`Eje Público:`). `where`, when
    given, receives the words of `pmd_axis`, `pmd_strategy` and `pmd_lines`."""
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
    inline_ids = {id(w) for w in lines[start].words} if fields.line_index("pmd") is not None else set()
    item_words: list[list[Word]] = [[w for w in fields.words.get("pmd", []) if id(w) in inline_ids]] if first_value else []
    # a second column of labels (`Eje: ... | Objetivo: ...`) splits every line at its
    # labels' x; a wrapped line continues the last item of its own column
    split = float("inf")
    last_of: dict[int, int] = {}  # column (0 left, 1 right) -> its last item (-1: another label's)
    labels_x: Optional[float] = None  # where the block's first label starts
    for k in range(start + 1, len(lines)):
        line = lines[k]
        hits = fields.hits[k]
        # the block ends at a line of other labels only (a second column of labels may
        # hold the axis beside another field: `Clave: ... | Eje: ...`)
        if hits and not any(h.field in _PMD_FIELDS for h in hits):
            break
        if _HEADING_RX.match(line.folded) or re.match(r"^\d{1,2}\s?[.)]\s+[A-Z]", line.folded):
            break
        if not hits and labels_x is not None and _block_title(line, labels_x, fields.h):
            break  # the next block's title at the labels' edge (`Clasificación programática:`)
        if hits and labels_x is None:
            labels_x = word_x(line, hits[0].start)
        if hits:
            # words before the first label: a label of the left column its box wraps
            # (`Clave del` / `indicador:`), so the first label heads the right column
            shift = 1 if re.search(r"[^\W\d_]{2}", line.text[:hits[0].start]) else 0
            if shift:
                last_of[0] = -1
            for j, hit in enumerate(hits):
                if j + shift:
                    split = min(split, word_x(line, hit.start) - 3)
                if hit.field not in _PMD_FIELDS:
                    last_of[min(j + shift, 1)] = -1  # this column's lines belong to another label
                    continue
                end = hits[j + 1].start if j + 1 < len(hits) else None
                items.append(line.text[hit.end:end])
                item_words.append(words_between(line, hit.end, end))
                last_of[min(j + shift, 1)] = len(items) - 1
            continue
        for column, ws in enumerate(([w for w in line.words if w.x0 < split],
                                     [w for w in line.words if w.x0 >= split])):
            if not ws or last_of.get(column) == -1:
                continue
            text = " ".join(w.text for w in ws)
            if split < float("inf") and column in last_of and not re.match(r"^\d", text):
                items[last_of[column]] += " " + text  # a wrapped value of a two-column block
                item_words[last_of[column]] = item_words[last_of[column]] + ws
                continue
            items.append(text)
            item_words.append(ws)
            last_of[column] = len(items) - 1
    found: dict[str, list[Word]] = {"pmd_axis": [], "pmd_strategy": [], "pmd_lines": []}
    for raw, ws in zip(items, item_words):
        text = clean(raw)
        if not text:
            continue
        m = re.match(r"^(\d+(?:\s?\.\s?\d+)*)\.?\s*[-–—]?\s*(.*)$", text)
        if not m or not re.match(r"^\d", text):
            if last == "axis" and axis and not re.match(r"(?i)^no aplica", text):
                axis = f"{axis} {text}"
                found["pmd_axis"] += ws
            elif last == "strategy" and strategy and not re.match(r"(?i)^no aplica", text):
                strategy = f"{strategy} {text}"
                found["pmd_strategy"] += ws
            continue
        code = re.sub(r"\s", "", m.group(1))
        depth = code.count(".")
        if depth == 0 and axis is None:
            axis, last = clean(f"{code} - {m.group(2)}") if m.group(2) else code, "axis"
            found["pmd_axis"] += ws
        elif depth == 1 and strategy is None:
            strategy, last = clean(f"{code} - {m.group(2)}") if m.group(2) else code, "strategy"
            found["pmd_strategy"] += ws
        elif depth >= 2:
            # a second action line beside the first, its label wrapped in its box
            # (`5.1.2 Línea de Acción 5.1.5` / `2:`)
            for more in [code] + [re.sub(r"\s", "", c) for c in _ACTION_LINE.findall(m.group(2))]:
                if more not in codes:
                    codes.append(more)
                    found["pmd_lines"] += ws
            last = "line"
    if where is not None:
        where.update({k: v for k, v in found.items() if v})
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


def name_headers(texts: Sequence[Optional[str]], concepts: Sequence[Concept]) -> dict[str, int]:
    """Concept -> index of the header text that names it best, best pairs first (fuzzy,
    OCR-tolerant); one concept per header. A single header left unnamed takes the
    single concept left (a header OCR could not read)."""
    pairs = sorted(((header_score(t or "", k), i, k.name) for i, t in enumerate(texts) for k in concepts),
                   key=lambda p: -p[0])
    named: dict[str, int] = {}
    for score, i, name in pairs:
        if score >= HEADER_CUTOFF and i not in named.values() and name not in named:
            named[name] = i
    left = [i for i in range(len(texts)) if i not in named.values()]
    missing = [k.name for k in concepts if k.name not in named]
    if len(named) >= 2 and len(left) == 1 and len(missing) == 1:
        named[missing[0]] = left[0]
    return named


def table_columns(table: Table, concepts: Sequence[Concept], exclude: frozenset[int] = frozenset()) -> dict[str, int]:
    """Concept -> column of a read table: by header and cell content (`match_columns`),
    and a concept whose cells OCR garbled (`¡PT`, `"` for `II`) by its header alone."""
    matches = fill_by_content(table, match_columns(table, concepts, exclude=exclude), concepts, exclude)
    cols = {name: m.column for name, m in matches.items()}
    missing = [k for k in concepts if k.name not in cols]
    if missing:
        free = [c for c in range(table.n_cols) if c not in cols.values() and c not in exclude]
        named = name_headers([table.header_paths[c] for c in free], missing)
        cols.update({name: free[i] for name, i in named.items()})
    return cols


def vocabulary_columns(line: TextLine, concepts: Sequence[Concept], gap: Optional[float] = None) -> list[Column]:
    """A header line's columns named by their vocabulary, whatever their order and
    wording: each run of header words (cut at wide gaps) takes the concept it names. Left to right."""
    chunks = split_chunks(line, 0.9 * line.height if gap is None else gap)
    named = name_headers([c.text for c in chunks], concepts)
    return sorted((Column(n, chunks[i].x0, chunks[i].x1) for n, i in named.items()), key=lambda c: c.x0)


def column_edges(lines: Sequence[TextLine], cols: Sequence[Column], gap: float) -> dict[str, float]:
    """Where each column's cells begin: the leftmost run of body words that starts
    under it (left-aligned text under centered headers), else its header's left."""
    edges = {c.name: c.x0 for c in cols}
    for line in lines:
        for chunk in split_chunks(line, gap):
            name = column_of(chunk, cols)
            edges[name] = min(edges[name], chunk.x0)
    return edges


def column_at(word: Word, edges: dict[str, float]) -> str:
    """The column a word stands in: the last whose cells begin at or left of it."""
    ordered = sorted(edges.items(), key=lambda e: e[1])
    return next((name for name, x in reversed(ordered) if x <= word.x0 + 1), ordered[0][0])


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

# The captured values' table as concepts: a key column (its description beside it),
# quarters from their headers.
VALUE_KEY = Concept("key", ("Clave", "Clave de la variable", "Variable", "Nombre corto"), "text")
VALUE_COLUMNS = (VALUE_KEY, Concept("description", ("Descripción", "Descripción de la variable",
                                                    "Nombre de la variable"), "text"))


def _period_header(line: TextLine) -> bool:
    """A header line over the period columns: `PERIODO`, `1 2 3 4`, quarters spelled out."""
    if re.search(r"\bPERIODOS?\b|\bTRIMESTRES?\b", line.folded):
        return True
    if all(fold(w.text).strip(".") in ("1", "2", "3", "4") for w in line.words):
        return True
    return quarter_of(line.text) is not None and not any(re.search(r"\d[.,]\d", w.text) for w in line.words)


def report_values(pages_lines: Sequence[Sequence[TextLine]], formula: Optional[str],
                  widths: Sequence[float] = (), flags: Optional[list[Flag]] = None,
                  log: Optional["ProvenanceLog"] = None) -> list[IndicatorValue]:
    out: dict[str, dict[int, Optional[float]]] = {}
    value_words: dict[str, dict[int, Word]] = {}  # the word each value was read from
    key_words: dict[str, Word] = {}
    order: list[str] = []
    notes: list[tuple[str, str, str, Optional[str], Optional[str], str]] = []  # OCR repairs
    catalog = key_catalog(formula)
    for n, lines in enumerate(pages_lines):
        page_width = widths[n] if n < len(widths) else 0.0
        for h, head in enumerate(lines):
            cols = vocabulary_columns(head, VALUE_COLUMNS)
            if "key" not in {c.name for c in cols} or label_hits(head):
                continue
            # the header may take several lines (`PERIODO` over `CLAVE DESCRIPCIÓN` over `1 2 3 4`)
            band = [k for k in range(max(0, h - 2), min(len(lines), h + 3))
                    if k == h or abs(lines[k].ymid - head.ymid) <= 2.5 * head.height and _period_header(lines[k])]
            after = max(c.x1 for c in cols)
            periods: dict[int, float] = {}
            for k in band:  # quarter numbers right of the key's columns, or on a line of their own
                for w in lines[k].words:
                    t = fold(w.text).strip(".")
                    if t in ("1", "2", "3", "4") and (w.x0 > after or k != h):
                        periods[int(t)] = w.xmid
                if len(periods) < 4:  # quarters spelled out (`ENE-MAR`, `1er. trim.`)
                    for chunk in split_chunks(lines[k], 0.9 * lines[k].height):
                        q = quarter_of(chunk.text)
                        if q and (chunk.x0 > after or k != h):
                            periods.setdefault(q, chunk.xmid)
            if len(periods) < 4:
                # period numbers lost (OCR of a shaded header): four equal columns
                # from PERIODO to the table's right edge (mirror of its left margin)
                per = next((w for k in band for w in lines[k].words if fold(w.text).startswith("PERIOD")), None)
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
            for line in lines[max(band) + 1:]:
                f = line.folded
                if label_hits(line) or _HEADING_RX.match(f) or f.startswith("FORMULA"):
                    break
                body.append(line)
            # the quarters right of the key and its description (the usual order) or
            # anywhere else (a moved order: a value is then a figure under a quarter)
            periods_right = min(periods.values()) > max(c.x1 for c in cols)

            def is_value(w: Word) -> bool:
                if periods_right:
                    return w.xmid >= value_left
                return (bool(re.match(r"^[-$(]?\d", w.text))  # a figure, not the key beside it
                        and min(abs(x - w.xmid) for x in periods.values()) <= 0.6 * pitch)

            def anchor_of(line: TextLine) -> Optional[tuple[str, Word]]:
                """The row's key: its last word outside the quarters in the key's column
                (a description printed before the key runs on towards it)."""
                for w in reversed([w for w in line.words if not is_value(w) and column_of(w, cols) == "key"]):
                    key = ocr_key(w.text, catalog) if w.conf is not None else key_token(w.text)
                    return (key, w) if key else None
                return None

            for anchor, members in rows_by_anchor(body, lambda l: anchor_of(l) is not None):
                key, key_word = anchor_of(anchor)
                vals: dict[int, Optional[float]] = {}
                wvals: dict[int, Word] = {}
                for line in members:
                    for w in line.words:
                        if not is_value(w):
                            continue
                        p = min(periods, key=lambda k: abs(periods[k] - w.xmid))
                        v = parse_number(w.text)
                        if w.conf is not None:
                            cands = ocr_candidates(w.text, percent=w.text.endswith("%"))
                            v = cands[0].value if cands else None
                            if cands and cands[0].note:
                                notes.append((key, f"|{p}", "value", w.text, _fmt(v), f"OCR {cands[0].note}."))
                        if v is not None:
                            vals[p] = v
                            wvals[p] = w
                raw = key_word.text
                if key_word.conf is not None and fold(raw) != key:
                    notes.append((key, "", "variable_key", raw, key,
                                  f"OCR read the variable key '{raw}'; it is '{key}' of the formula."))
                if key not in out:
                    order.append(key)
                    out[key] = {}
                    key_words[key] = key_word
                out[key].update(vals)
                value_words.setdefault(key, {}).update(wvals)
    keys = best_keys(order, formula)
    rows = []
    for key in order:
        fixed = repair_key(key, keys)
        for p in range(1, 5):
            rows.append(IndicatorValue(variable_key=fixed, period=p, value=out[key].get(p)))
            if log is not None and p in value_words.get(key, {}):
                log.add("indicator_values", f"{fixed}|{p}", "value", [value_words[key][p]])
        if log is not None:
            log.add("indicator_values", fixed, "variable_key", [key_words[key]])
    if flags is not None:
        for key, suffix, field, raw, value, message in notes:
            fixed = repair_key(key, keys)
            flags.append(ocr_flag("indicator_values", fixed + suffix, field, raw,
                                  fixed if field == "variable_key" else value, message))
    return rows




def _numbered_periods(table: Table) -> dict[int, int]:
    """Quarter -> column under a `PERIODO` heading whose numbers OCR lost or misread
    (a small header row): four columns under it are the quarters in order."""
    under = [c for c, path in enumerate(table.header_paths)
             if path and fold(path.split(" > ")[0]).strip(" :") in ("PERIODO", "PERIODOS", "TRIMESTRE", "TRIMESTRES")]
    return {q: c for q, c in enumerate(under, start=1)} if len(under) == 4 else {}


def _header_to_body(page: Page, table: Table) -> Table:
    """A header the reader let run over body rows of one figure each (`AMA | ... |
    1,220`) ends at the first of its rows that holds a key and a figure."""
    for r in range(1, table.header_rows):
        own = [c.text.strip() for c in table.cells if c.row == r and c.text]
        if any(is_figure(t) for t in own) and any(" " not in t and ocr_key(t, ()) for t in own if not is_figure(t)):
            return finish(page, list(table.cells), table.n_rows, table.n_cols, table.ruled, header_rows=r) or table
    return table


def table_values(pages: Sequence[Page], formula: Optional[str] = None, flags: Optional[list[Flag]] = None,
                 log: Optional["ProvenanceLog"] = None) -> list[IndicatorValue]:
    """Captured values from the table reader, whatever the layout of their table:
    the column whose header names the key, the quarters however they are spelled.
    A key misread is repaired to the formula's; on OCR'd pages each figure is
    chosen among its readings (`ocr_repair` flags)."""
    flags = [] if flags is None else flags
    catalog = key_catalog(formula)
    raw: dict[str, dict[int, str]] = {}
    raw_words: dict[str, dict[int, list[Word]]] = {}
    key_words: dict[str, list[Word]] = {}
    raw_keys: dict[str, str] = {}
    ocr = False
    for page in pages:
        for table in read_tables(page):
            table = _header_to_body(page, table)
            periods = {q: c for (q, kind), c in period_columns(table).items() if kind == "P"}
            numbered = _numbered_periods(table)
            if len(periods) < 4 and all(numbered.get(q) == c for q, c in periods.items()):
                periods = numbered or periods  # a quarter's number OCR misread: its place under PERIODO
            keys = table_columns(table, (VALUE_KEY,), exclude=frozenset(periods.values()))
            if "key" not in keys or len(periods) < 2:
                continue
            ocr = ocr or page.source == "ocr"
            for r in table.body_rows():
                cell = table.cell_at(r, keys["key"])
                text = cell.text if cell is not None else ""
                key = ocr_key(text, catalog) if page.source == "ocr" else key_token(text)
                if not key or header_score(text, VALUE_KEY) >= HEADER_CUTOFF:
                    continue  # no key, or a header row the reader left in the body
                if key not in raw:
                    raw[key], raw_keys[key], key_words[key] = {}, text, list(cell.words)
                for q, c in periods.items():
                    value = table.cell_at(r, c)
                    if value is not None and value.text.strip():
                        raw[key][q] = value.text
                        raw_words.setdefault(key, {})[q] = [w for w in value.words if any(ch.isdigit() for ch in w.text)]
    order = list(raw)
    if ocr:
        for key in order:
            if fold(raw_keys[key]) != key:
                flags.append(ocr_flag("indicator_values", key, "variable_key", raw_keys[key], key,
                                      f"OCR read the variable key '{raw_keys[key]}'; it is '{key}' of the formula."))
        return ocr_figures(order, raw, raw_words, key_words, formula, flags, log)
    keys = best_keys(order, formula)
    rows = []
    for key in order:
        fixed = repair_key(key, keys)
        if fixed != key:
            flags.append(ocr_flag("indicator_values", fixed, "variable_key", key, fixed,
                                  f"The variable key was read '{key}'; it is '{fixed}' of the formula."))
        for q in range(1, 5):
            value = parse_number(raw[key][q]) if q in raw[key] else None
            rows.append(IndicatorValue(variable_key=fixed, period=q, value=value))
            if log is not None and value is not None:
                log.add("indicator_values", f"{fixed}|{q}", "value", raw_words[key][q])
    return rows


def report_name(lines: Sequence[TextLine], fields: Fields) -> Optional[str]:
    return report_name_read(lines, fields)[0]


def report_name_read(lines: Sequence[TextLine], fields: Fields) -> tuple[Optional[str], list[Word]]:
    """The report's indicator name and the words it was read from: its label's
    value, or the lines printed above the `Clave` line."""
    named = fields.get("name")
    if named:
        return named, fields.words.get("name", [])
    i = fields.line_index("code")
    if i is None and fields.words.get("code"):  # its label wrapped in its box: the value's line
        first = fields.words["code"][0]
        i = next((k for k, l in enumerate(lines) if any(w is first for w in l.words)), None)
    if i is None:
        return None, []
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
    return (clean(" ".join(l.text for l in picked)), [w for l in picked for w in l.words]) if picked else (None, [])


def parse_report(pages: Sequence[Page]) -> SectionResult:
    plines = page_lines_of(pages)
    lines = [l for pl in plines for l in pl]
    fields = Fields(lines)
    fields.fill(cell_pairs(pages))
    facts = header_facts(pages)
    code = find_code(lines) or boxed_code(fields)
    formula = normalize_formula(fields.get("formula"))
    flags: list[Flag] = []
    log = ProvenanceLog(pages)
    ocr = any(p.source == "ocr" for p in pages)
    # the values' table by its headers' vocabulary; an OCR'd grid whose header is
    # unreadable by its place; else the text lines (a table without rules)
    values = table_values(pages, formula, flags, log)
    if not values and ocr:
        values = ocr_report_values(pages, formula, flags, log)
    if not values:
        values = report_values(plines, formula, [p.width for p in pages], flags, log)
    keys = best_keys([v.variable_key for v in values], formula)
    formula = repair_formula(formula, keys)
    if ocr:
        raw_code = code
        code, notes = ocr_fix_code(lines, code)
        flags += [ocr_flag("indicators", "", "indicator_code", raw_code, code, n) for n in notes]
        raw_formula = formula
        formula, note = ocr_fix_formula(formula, keys)
        if note:
            flags.append(ocr_flag("indicators", "", "formula", raw_formula, formula, note))
    pmd_words: dict[str, list[Word]] = {}
    axis, strategy, pmd_lines = pmd_link_of(fields, pages, pmd_words)
    programa_code, programa_name = split_code_name(fields.get("programa", table="sections", column="programa_name"))
    name, name_words = report_name_read(lines, fields)
    indicator = Indicator(
        kind="report",
        indicator_code=code,
        name=name,
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
    indicator_provenance(log, indicator, fields, {"name": name_words, **pmd_words})
    result = SectionResult(info=info, indicators=[indicator], indicator_values=values, flags=flags + fields.repairs,
                           provenance=log.records)
    return _export_report(pages, result) if is_export(pages) else result


# label of the section whose value each `indicators` column is read from
_INDICATOR_LABELS = {
    "indicator_code": "code", "name": "name", "entity_code": "entity", "objective": "objective",
    "interpretation": "interpretation", "formula": "formula", "result_unit": "result_unit",
    "target_annual": "annual", "frequency": "frequency",
}


def indicator_provenance(log: "ProvenanceLog", indicator: Indicator, fields: Fields,
                         known: dict[str, list[Word]]) -> None:
    """Provenance of the `indicators` row (row_key ''): words the caller knows
    (`known`, by column) first, else the words of the column's label value,
    narrowed to the run that holds the value as stored."""
    for column, words in known.items():
        log.add("indicators", "", column, words)
    for column, label in _INDICATOR_LABELS.items():
        value = getattr(indicator, column)
        words = fields.words.get(label, [])
        if value is None or not words:
            continue
        if isinstance(value, float):
            m = re.search(r"[-+]?\$?\s?\d[\d,]*(?:\.\d+)?\s?%?", " ".join(w.text for w in words))
            value = m.group(0) if m else None
        elif column == "formula":
            value = None  # normalized spacing: the whole value is the formula
        log.add("indicators", "", column, narrow(words, value))


# --------------------------------------------------------------------------
# OCR'd pages: fuzzy labels, ruled tables, keys from a catalog, figures
# --------------------------------------------------------------------------
#
# Everything below runs only on words that carry an OCR confidence (a scanned
# page); a text layer never reaches it, so born-digital output stays exact.
# Every change to a value read by OCR is returned as an `ocr_repair` flag.

from rapidfuzz.distance import Levenshtein  # noqa: E402

from ..normalizers.formula import FormulaError, evaluate_formula, parse_formula  # noqa: E402
from ..normalizers.ocr_numbers import Candidate, number_candidates  # noqa: E402
from ..records import Flag, Page as _Page, Rule, Severity  # noqa: E402


def is_ocr_line(line: TextLine) -> bool:
    return any(w.conf is not None for w in line.words)


def ocr_flag(table: str, row_key: str, field: str, raw: Optional[str], value: Optional[str],
             message: str) -> Flag:
    return Flag(table=table, row_key=row_key, field=field, rule="ocr_repair", severity=Severity.INFO,
                raw_value=raw, value=value, message=message)


# Literal spellings of the labels (folded), for matching OCR'd labels by edit
# distance. Short labels (RAMO, EJE) are left to the exact patterns.
FUZZY_LABELS: dict[str, tuple[str, ...]] = {
    "name": ("NOMBRE DEL INDICADOR",),
    "code": ("CLAVE DEL INDICADOR",),
    "entity": ("DEPENDENCIA/ENTIDAD", "DEPENDENCIA / ENTIDAD", "DEPENDENCIA"),
    "pmd": ("LIGA AL PMD", "ALINEACION AL PMD"),
    "axis": ("EJE PUBLICO", "EJE RECTOR", "EJE ESTRATEGICO"),
    "strategy": ("ESTRATEGIA",),
    "line": ("LINEA DE ACCION", "LINEAS DE ACCION"),
    "structure": ("ESTRUCTURA PROGRAMATICA",),
    "unidad": ("UNIDAD EJECUTORA", "UNIDAD RESPONSABLE"),
    "finalidad": ("FINALIDAD",),
    "funcion": ("FUNCION",),
    "subfuncion": ("SUBFUNCION",),
    "programa": ("PROGRAMA", "PROGRAMA PRESUPUESTARIO"),
    "objective": ("OBJETIVO DEL INDICADOR", "OBJETIVO"),
    "interpretation": ("INTERPRETACION O LECTURA", "INTERPRETACION"),
    "variables": ("VARIABLES",),
    "formula": ("FORMULA DE CALCULO", "FORMULA"),
    "result_unit": ("UNIDAD DE MEDIDA DEL RESULTADO", "UNIDAD DE MEDIDA DEL INDICADOR", "UNIDAD DE MEDIDA"),
    "ranges": ("RANGO DE VALOR (SEMAFORIZACION)", "RANGO DE VALOR", "SEMAFORIZACION"),
    "baseline": ("LINEA BASE",),
    "target": ("META DEL INDICADOR",),
    "annual": ("META ANUAL",),
    "frequency": ("FRECUENCIA DE MEDICION", "FRECUENCIA"),
    "results": ("RESULTADOS DEL INDICADOR",),
}
_NUMBERING = re.compile(r"^\d{1,2}\s?[.)]?\s?-?\s*")


def _allowed_distance(label: str) -> int:
    n = len(label.replace(" ", ""))
    return 0 if n < 6 else 1 if n < 12 else 2


def fuzzy_label_hits(line: TextLine, exact: Sequence["LabelHit"]) -> list["LabelHit"]:
    """Labels an OCR misread (`Dependenci4/Entidad:`, `Objetivo del Imicador:`,
    `4.-Interpretación`): a run of up to four words ending in a colon whose
    folded text is within a small edit distance of a printed label."""
    words = list(line.words)
    offsets = []
    pos = 0
    for w in words:
        offsets.append(pos)
        pos += len(w.text) + 1
    taken = [(h.start, h.end) for h in exact]
    out: list[LabelHit] = []
    for j, w in enumerate(words):
        if not w.text.endswith((":", ";")):
            continue
        end = offsets[j] + len(w.text) - 1
        if any(s <= offsets[j] < e + 1 for s, e in taken):
            continue
        best = None
        for n in range(min(4, j + 1), 0, -1):
            first = j - n + 1
            if any(s <= offsets[first] < e + 1 for s, e in taken):
                continue
            text = fold(" ".join(x.text for x in words[first:j + 1])).rstrip(":;").strip()
            text = _NUMBERING.sub("", text)
            text = re.sub(r"\s\d$", "", text)  # `Línea de Acción 2:`
            if len(text) < 6:
                continue
            for field, variants in FUZZY_LABELS.items():
                for v in variants:
                    allowed = _allowed_distance(v)
                    if not allowed or abs(len(v) - len(text)) > allowed:
                        continue
                    d = Levenshtein.distance(text, v, score_cutoff=allowed)
                    if d <= allowed and (best is None or (d, -len(v)) < (best[0], -len(best[2]))):
                        best = (d, field, v, offsets[first])
        if best is not None:
            out.append(LabelHit(best[1], best[3], end))
            taken.append((best[3], end))
    return out


# ---- ruled tables ---------------------------------------------------------

@dataclass(frozen=True)
class Grid:
    """A ruled table: column edges from its vertical rules, row edges from the
    horizontal rules that cross it. Row 0 is the header band."""
    xs: tuple[float, ...]
    ys: tuple[float, ...]

    @property
    def ncols(self) -> int:
        return len(self.xs) - 1

    @property
    def nrows(self) -> int:
        return len(self.ys) - 1

    def cell_words(self, words: Sequence[Word], row: int, col: int) -> list[Word]:
        x0, x1 = self.xs[col], self.xs[col + 1]
        y0, y1 = self.ys[row], self.ys[row + 1]
        return [w for w in words if x0 <= w.xmid < x1 and y0 <= w.ymid < y1]

    def cell_text(self, words: Sequence[Word], row: int, col: int) -> Optional[str]:
        ws = self.cell_words(words, row, col)
        return clean(text_lines(ws)) if ws else None

    def row_words(self, words: Sequence[Word], row: int) -> list[Word]:
        y0, y1 = self.ys[row], self.ys[row + 1]
        return [w for w in words if self.xs[0] <= w.xmid < self.xs[-1] and y0 <= w.ymid < y1]


def text_lines(words: Sequence[Word]) -> str:
    """Cell text in reading order, OCR specks (lone punctuation) left out."""
    kept = [w for w in words if re.search(r"[0-9A-Za-zÀ-ÿ%]", w.text)]
    return " ".join(l.text for l in group_lines(kept)) if kept else ""




def find_grids(page: _Page) -> list[Grid]:
    """Ruled tables of a page: vertical rules sharing their top and bottom make
    the columns; horizontal rules spanning most of that width make the rows."""
    verts = [r for r in page.rules if r.height > 3 * max(1.0, r.width) and r.height < 0.8 * page.height]
    horiz = [r for r in page.rules if r.width > 3 * max(1.0, r.height)]
    groups: list[list[Rule]] = []
    for r in sorted(verts, key=lambda r: (r.top, r.x0)):
        for g in groups:
            if abs(g[0].top - r.top) <= 4 and abs(g[0].bottom - r.bottom) <= 4:
                g.append(r)
                break
        else:
            groups.append([r])
    grids = []
    for g in groups:
        xs = merge_positions([r.xmid for r in g], 4.0)
        if len(xs) < 3:
            continue
        top = min(r.top for r in g)
        bottom = max(r.bottom for r in g)
        width = xs[-1] - xs[0]
        ys = [h.ymid for h in horiz
              if top - 4 <= h.ymid <= bottom + 4 and h.x0 <= xs[0] + 0.15 * width and h.x1 >= xs[-1] - 0.15 * width]
        ys = merge_positions(ys + [top, bottom], 4.0)
        ys = [y for y in ys if top - 4 <= y <= bottom + 4]
        if len(ys) < 2:
            continue
        grids.append(Grid(tuple(xs), tuple(ys)))
    return sorted(grids, key=lambda g: g.ys[0])


def split_band(grid: Grid, words: Sequence[Word], row: int, key_col: int,
               is_key) -> list[tuple[float, float]]:
    """A row band whose separating rule was lost holds several keys: cut it
    halfway between the key lines."""
    y0, y1 = grid.ys[row], grid.ys[row + 1]
    kl = [l for l in group_lines(grid.cell_words(words, row, key_col)) if is_key(l.text)]
    if len(kl) < 2:
        return [(y0, y1)]
    cuts = [(a.bottom + b.top) / 2 for a, b in zip(kl, kl[1:])]
    edges = [y0] + cuts + [y1]
    return list(zip(edges, edges[1:]))


def band_words(grid: Grid, words: Sequence[Word], band: tuple[float, float], col: int) -> list[Word]:
    """The words `band_cell` reads (specks included)."""
    x0, x1 = grid.xs[col], grid.xs[col + 1]
    return [w for w in words if x0 <= w.xmid < x1 and band[0] <= w.ymid < band[1]]


def band_cell(grid: Grid, words: Sequence[Word], band: tuple[float, float], col: int) -> Optional[str]:
    x0, x1 = grid.xs[col], grid.xs[col + 1]
    ws = [w for w in words if x0 <= w.xmid < x1 and band[0] <= w.ymid < band[1]]
    return clean(text_lines(ws)) if ws else None


def header_has(text: Optional[str], *names: str) -> bool:
    """Some word of `text` is within a small edit distance of one of `names`."""
    if not text:
        return False
    toks = re.sub(r"[^0-9A-Z ]+", " ", fold(text)).split()
    for name in names:
        allowed = 0 if len(name) < 4 else 1 if len(name) < 8 else 2
        for t in toks:
            if abs(len(t) - len(name)) <= allowed and Levenshtein.distance(t, name, score_cutoff=allowed) <= allowed:
                return True
            if len(name) >= 8 and len(t) >= 6 and name.endswith(t) and len(name) - len(t) <= 2:
                return True  # `ESCRIPCION`: a first letter lost
    return False


# ---- keys -----------------------------------------------------------------

def key_catalog(formula: Optional[str], extra: Sequence[str] = ()) -> list[str]:
    """The variable keys a formula names (`PMAV = (MAV / MSA) * 100`)."""
    keys = [k for k in formula_keys(formula) if re.fullmatch(r"[A-Z][A-Z0-9]{1,11}", k)]
    return best_keys(list(extra), " ".join(keys)) if keys else list(extra)


def ocr_key(raw: Optional[str], catalog: Sequence[str]) -> Optional[str]:
    """An OCR'd key cell as the catalog key it stands for (`¡PT` -> `IPT`,
    `T50` -> `TSO`); the cleaned token when nothing in the catalog fits."""
    if not raw:
        return None
    tok = re.sub(r"[^0-9A-Z]", "", fold(raw.split()[0]) if raw.split() else "")
    if not tok:
        return None
    if tok in catalog:
        return tok
    fixed = repair_key(tok, catalog)
    if fixed != tok:
        return fixed
    near = [k for k in catalog if abs(len(k) - len(tok)) <= 1 and len(k) >= 3
            and Levenshtein.distance(_skeleton(k), _skeleton(tok), score_cutoff=1) <= 1]
    if len(near) == 1:
        return near[0]
    return tok if KEY_RX.match(tok) else None


# ---- figures --------------------------------------------------------------

def ocr_candidates(text: Optional[str], percent: bool = False) -> list[Candidate]:
    """`number_candidates` plus a thousands separator read as a point
    (`1.720.0` is `1,720.0`, `5.923.00` is `5,923.00`)."""
    if not text:
        return []
    t = "".join(text.split())
    if not any(c.isdigit() for c in t):
        return []  # a speck (`o`, `l`) is no figure
    out = list(number_candidates(t, percent))
    m = re.fullmatch(r"(\d{1,3}(?:\.\d{3})+)\.(\d{1,2})(%?)", t)
    if m:
        fixed = m.group(1).replace(".", ",") + "." + m.group(2) + m.group(3)
        value = parse_number(fixed)
        if value is not None and all(abs(c.value - value) > 1e-9 for c in out):
            out.insert(0, Candidate(value, f"read '{text}' as '{fixed}' (a thousands comma read as a point)"))
    return out


def read_figure(text: Optional[str], table: str, row_key: str, field: str, flags: list[Flag],
                percent: bool = False) -> Optional[float]:
    """The first reading of an OCR'd figure; a repaired reading is flagged."""
    cands = ocr_candidates(text, percent)
    if not cands:
        return None
    c = cands[0]
    if c.note:
        flags.append(ocr_flag(table, row_key, field, text, _fmt(c.value), f"OCR {c.note}."))
    return c.value


def _fmt(v: Optional[float]) -> Optional[str]:
    if v is None:
        return None
    return f"{v:.10g}"


def repair_code(code: Optional[str]) -> tuple[Optional[str], Optional[str]]:
    """An indicator key whose segment `P522` was read `PS22`: a letter followed
    by digits with one look-alike letter among them. (code, note)."""
    if not code:
        return code, None
    segs = code.split("-")
    fixed = []
    to_digit = str.maketrans({"S": "5", "O": "0", "I": "1", "B": "8", "Z": "2", "G": "6", "D": "0", "Q": "0"})
    for s in segs:
        m = re.fullmatch(r"([A-Z])([0-9A-Z]{2,5})", s)
        if m and sum(c.isdigit() for c in m.group(2)) >= len(m.group(2)) - 1 and not m.group(2).isdigit():
            tail = m.group(2).translate(to_digit)
            if tail.isdigit():
                s = m.group(1) + tail
        fixed.append(s)
    new = "-".join(fixed)
    return new, (None if new == code else f"OCR read the indicator key '{code}' as '{new}' (a look-alike letter among its digits).")


def ocr_fix_code(lines: Sequence[TextLine], code: Optional[str]) -> tuple[Optional[str], list[str]]:
    """The indicator key on an OCR'd `Clave` line: a key split in two words
    (`38-EST-P51 1-M30`) is joined, a look-alike letter among a segment's
    digits is read as the digit. (code, notes for the repair flags)."""
    notes: list[str] = []
    if code:
        for line in lines:
            if not is_ocr_line(line):
                continue
            for hit in label_hits(line):
                if hit.field != "code":
                    continue
                rest = fold(line.text[hit.end:])
                m = re.search(re.escape(code).replace(r"\-", r"\s?-\s?"), rest)
                if not m:
                    continue
                tail = rest[m.end():]
                n = re.match(r"\s([0-9A-Z]{1,4}(?:-[0-9A-Z]{1,8})+)\b", tail)
                # joined when the piece starts with a digit or the key is short of its
                # four segments (NN-AAA-PNNN-MNN)
                if n and (n.group(1)[:1].isdigit() or code.count("-") < 3):
                    joined = code + n.group(1)
                    if CODE_RX.fullmatch(joined) and joined.count("-") <= 5:
                        notes.append(f"OCR split the indicator key '{code} {n.group(1)}' in two words; joined as '{joined}'.")
                        code = joined
                break
            else:
                continue
            break
    fixed, note = repair_code(code)
    if note:
        notes.append(note)
    return fixed, notes


def ocr_fix_formula(formula: Optional[str], known: Sequence[str]) -> tuple[Optional[str], Optional[str]]:
    """Specks OCR'd beside a formula's result key (`PMAV z = ...`): the left
    side keeps only the key. (formula, note)."""
    if not formula or "=" not in formula:
        return formula, None
    lhs, rhs = formula.split("=", 1)
    toks = lhs.split()
    if len(toks) <= 1:
        return formula, None
    keyish = [t for t in toks if re.fullmatch(r"[A-Z][A-Z0-9]{1,11}", t)]
    keep = [t for t in keyish if t in known] or keyish
    if len(keep) != 1:
        return formula, None
    new = f"{keep[0]} = {rhs.strip()}"
    return new, f"OCR specks beside the result key: '{formula}' read as '{new}'."


def _values_grid(page: _Page, grid: Grid, lines: Sequence[TextLine]) -> bool:
    """The captured-values table: CLAVE | DESCRIPCIÓN | PERIODO | 1 | 2 | 3 | 4,
    known by its header words or by the `Desglose de variables` title above it
    (its shaded header is often unreadable)."""
    if grid.ncols < 6 or grid.nrows < 2:
        return False
    head = text_lines(grid.row_words(page.words, 0))
    if header_has(head, "ENERO", "ABRIL", "ACUMULADO", "ROJO", "VERDE"):
        return False
    if header_has(head, "CLAVE", "DESCRIPCION", "PERIODO"):
        return True
    top = grid.ys[0]
    for line in lines:
        if line.bottom <= top + 2 and top - line.bottom < 3 * max(line.height, 6.0):
            if header_has(line.text, "DESGLOSE") or (header_has(line.text, "VARIABLES") and header_has(line.text, "CAPTURADOS")):
                return True
    return False


def ocr_report_values(pages: Sequence[_Page], formula: Optional[str], flags: list[Flag],
                      log: Optional["ProvenanceLog"] = None) -> list[IndicatorValue]:
    """Captured values of OCR'd pages read cell by cell from the ruled table:
    the key in the first column (repaired to the formula's keys), periods 1..4
    in the last four columns whatever their header reads. A figure OCR misread
    is chosen among its readings by the formula when one of them satisfies it."""
    catalog = key_catalog(formula)
    raw: dict[str, dict[int, str]] = {}
    raw_words: dict[str, dict[int, list[Word]]] = {}  # the words of each cell (provenance)
    key_words: dict[str, list[Word]] = {}
    raw_keys: dict[str, str] = {}
    order: list[str] = []
    for page in pages:
        if page.source != "ocr":
            continue
        lines = group_lines(page.words)
        for grid in find_grids(page):
            if not _values_grid(page, grid, lines):
                continue
            pcols = list(range(grid.ncols - 4, grid.ncols))
            for r in range(1, grid.nrows):
                for band in split_band(grid, page.words, r, 0, lambda t: bool(re.search(r"[0-9A-Za-z]{2,}", t))):
                    text = band_cell(grid, page.words, band, 0)
                    key = ocr_key(text, catalog)
                    if key is None:
                        continue
                    if key not in raw:
                        raw[key] = {}
                        raw_keys[key] = text or key
                        order.append(key)
                        key_words[key] = band_words(grid, page.words, band, 0)
                    for p, c in enumerate(pcols, start=1):
                        cell = numeric_text(band_cell(grid, page.words, band, c))
                        if cell:
                            raw[key][p] = cell
                            raw_words.setdefault(key, {})[p] = [w for w in band_words(grid, page.words, band, c)
                                                                if any(ch.isdigit() for ch in w.text)]
    if not order:
        return []
    for key in order:
        if fold(raw_keys[key]) != key:
            flags.append(ocr_flag("indicator_values", key, "variable_key", raw_keys[key], key,
                                  f"OCR read the variable key '{raw_keys[key]}'; it is '{key}' of the formula."))
    return ocr_figures(order, raw, raw_words, key_words, formula, flags, log)


def ocr_figures(order: Sequence[str], raw: dict[str, dict[int, str]], raw_words: dict[str, dict[int, list[Word]]],
                key_words: dict[str, list[Word]], formula: Optional[str], flags: list[Flag],
                log: Optional["ProvenanceLog"] = None) -> list[IndicatorValue]:
    """Captured values from their OCR'd cells: each figure's best reading, or among
    the doubtful ones the readings under which the result equals its formula."""
    parsed = None
    try:
        parsed = parse_formula(formula) if formula else None
    except FormulaError:
        parsed = None
    rows = []
    chosen: dict[tuple[str, int], Optional[Candidate]] = {}
    for p in range(1, 5):
        cands = {k: ocr_candidates(raw[k].get(p), percent=str(raw[k].get(p, "")).endswith("%")) for k in order}
        pick = {k: (c[0] if c else None) for k, c in cands.items()}
        doubtful = [k for k, c in cands.items() if c and c[0].note]
        if parsed and doubtful:
            pick = _agreeing(parsed, cands, pick, doubtful) or pick
        for k in order:
            chosen[(k, p)] = pick[k]
    for k in order:
        for p in range(1, 5):
            c = chosen[(k, p)]
            if c is not None and c.note:
                flags.append(ocr_flag("indicator_values", f"{k}|{p}", "value", raw[k].get(p), _fmt(c.value),
                                      f"OCR {c.note}."))
            rows.append(IndicatorValue(variable_key=k, period=p, value=c.value if c else None))
            if log is not None:
                log.add("indicator_values", f"{k}|{p}", "value", raw_words.get(k, {}).get(p, []))
        if log is not None:
            log.add("indicator_values", k, "variable_key", key_words.get(k, []))
    return rows


def _agreeing(parsed, cands, pick, doubtful):
    """Readings of the doubtful figures under which the result equals its formula."""
    from itertools import product

    from ..normalizers.checks import percent_agrees

    result_key, expr = parsed
    options = [cands[k][:3] for k in doubtful]
    for combo in product(*options):
        trial = dict(pick)
        trial.update(dict(zip(doubtful, combo)))
        values = {k: (c.value if c else None) for k, c in trial.items()}
        printed = values.get(result_key)
        if printed is None:
            continue
        computed = evaluate_formula(expr, values)
        if computed is not None and percent_agrees(printed, computed):
            return trial
    return None


def drop_specks(text: Optional[str]) -> Optional[str]:
    """A lone lowercase letter or mark inside upper-case cell text is a speck
    OCR read as a letter (`... DE GÉNERO j`)."""
    if not text:
        return text
    letters = [c for c in text if c.isalpha()]
    if not letters or sum(c.isupper() for c in letters) < 0.8 * len(letters):
        return text
    toks = [t for t in text.split() if not (len(t) == 1 and not t.isupper() and not t.isdigit())]
    return " ".join(toks) or None


def numeric_text(text: Optional[str]) -> Optional[str]:
    """The figure of a cell, specks beside it left out (`88.5% o` -> `88.5%`)."""
    if not text:
        return None
    toks = [t for t in text.split() if any(c.isdigit() for c in t)]
    return "".join(toks) or None


# Spanish words OCR ran together (upper case): never words of their own.
_RUN_TOGETHER = {
    "ALOS": "A LOS", "ALAS": "A LAS", "DELA": "DE LA", "DELAS": "DE LAS", "DELOS": "DE LOS",
    "ENLA": "EN LA", "ENLAS": "EN LAS", "ENLOS": "EN LOS", "ENEL": "EN EL", "CONLA": "CON LA",
    "CONEL": "CON EL", "PORLA": "POR LA", "POREL": "POR EL", "YLA": "Y LA", "YEL": "Y EL",
}


def ocr_text_repair(text: Optional[str]) -> tuple[Optional[str], list[str]]:
    """OCR'd running text: specks read as a lone mark at either end dropped, a
    lone `Á` (no Spanish word) read as `A`, upper-case words run together split
    (`ALOS` -> `A LOS`). (text, notes)."""
    if not text:
        return text, []
    notes: list[str] = []
    toks = text.split()
    while toks and not re.search(r"[0-9A-Za-zÀ-ÿ%$]", toks[-1]):
        notes.append(f"dropped the speck '{toks[-1]}' OCR read at the end")
        toks.pop()
    while toks and not re.search(r"[0-9A-Za-zÀ-ÿ%$(¿¡\"]", toks[0]):
        notes.append(f"dropped the speck '{toks[0]}' OCR read at the start")
        toks.pop(0)
    out = []
    for t in toks:
        if t == "Á":
            notes.append("read the lone word 'Á' as 'A'")
            t = "A"
        elif t in _RUN_TOGETHER:
            notes.append(f"split '{t}' run together by OCR into '{_RUN_TOGETHER[t]}'")
            t = _RUN_TOGETHER[t]
        out.append(t)
    return (" ".join(out) or None), [f"OCR: {n}." for n in notes]


# --------------------------------------------------------------------------
# OCR text exports: the export's own lines read cell by cell
# --------------------------------------------------------------------------
#
# A `.txt`/`.md` export (page.source == "ocr_text") keeps its tab/pipe cells in
# `Page.raw_lines`. The label logic above reads most fields right from the
# virtual layout; what a layout cannot tell (which cell a value sits in, a key
# printed on the line under its label, a table continued after a page's
# running title) is read here from the cells. Every value changed from what
# was printed is returned with a flag; provenance is the export's line.

from ..records import Provenance  # noqa: E402


def is_export(pages: Sequence[_Page]) -> bool:
    return bool(pages) and all(p.source == "ocr_text" for p in pages)


@dataclass(frozen=True)
class ExportRow:
    """One line of a text export: its cells (a plain line is one cell)."""
    page: _Page
    text: str
    cells: tuple[str, ...]
    tabbed: bool

    @property
    def folded(self) -> str:
        return fold(" ".join(c for c in self.cells if c)).strip()

    def provenance(self, table: str, row_key: str, field: str) -> Provenance:
        return Provenance(table, row_key, field, self.page.number, 0.0, 0.0, 0.0, 0.0, None, self.text)


def export_rows(pages: Sequence[_Page]) -> list[ExportRow]:
    """The lines of the pages in order; separator rows (`--\\t--`) left out."""
    from ..extractors.text_export import split_cells

    out = []
    for page in pages:
        for raw in page.raw_lines:
            if not re.search(r"[0-9A-Za-zÀ-ÿ]", raw):
                continue
            cells = split_cells(raw)
            if cells is None and raw.count("|") >= 2:  # a markdown row printed without its outer pipes
                cells = [c.strip() for c in raw.strip().strip("|").split("|")]
            out.append(ExportRow(page, raw, tuple(cells) if cells is not None else (raw.strip(),), cells is not None))
    return out


class _TextOnly:
    """A line of text for `label_hits` (no words: no OCR confidence, exact labels only)."""

    words: tuple = ()

    def __init__(self, text: str):
        self.text = text


def text_label_hits(text: str) -> list[LabelHit]:
    return label_hits(_TextOnly(text))  # type: ignore[arg-type]


_TITLE_RX = re.compile(r"^(?:FICHA TECNICA|REPORTE DE INDICADOR|GOBIERNO\b|H\.? ?AYUNTAMIENTO|AYUNTAMIENTO)")


def is_title_row(row: ExportRow) -> bool:
    """A running page title (`FICHA TÉCNICA DE INDICADOR 2026`, `GOBIERNO DE X`):
    an export prints it wherever the page's header fell, often mid-table."""
    f = row.folded
    return bool(_TITLE_RX.match(f)) and len(f) <= 60 and ":" not in f


def is_labelled(row: ExportRow) -> bool:
    return any(text_label_hits(c) for c in row.cells)


_NUMBERED = re.compile(r"^\s*\d{1,2}\s?[.)]\s+\D")


def _ends_value(row: ExportRow) -> bool:
    """A line no wrapped value runs into: a table row, a label, a heading, a
    running title, a key line."""
    return (row.tabbed or is_labelled(row) or is_title_row(row) or bool(_HEADING_RX.match(row.folded))
            or bool(_NUMBERED.match(row.text)) or bool(_KEY_CELL.match(row.folded)))


def export_field(rows: Sequence[ExportRow], field: str) -> tuple[Optional[str], Optional[ExportRow]]:
    """The value printed after a label inside its own cell, up to the next label
    of that cell; when the label ends a plain line, the value runs on over the
    plain lines below it (a wrapped value), never into a table row. (value, row)."""
    for i, row, c, after, last in _labelled(rows, field):
        parts = [after]
        texts = [row.text]
        ends_row = last and not any(x.strip() for x in row.cells[c + 1:])
        if ends_row or not row.tabbed:
            for nxt in rows[i + 1:]:
                lead = text_label_hits(nxt.text) if not nxt.tabbed else []
                if lead and nxt.text[:lead[0].start].strip() and not _NUMBERED.match(nxt.text):
                    # two columns printed as one line: the value's tail, then the next column's label
                    parts.append(nxt.text[:lead[0].start])
                    texts.append(nxt.text)
                    break
                if not ends_row or _ends_value(nxt):
                    break
                parts.append(nxt.text)
                texts.append(nxt.text)
        value = clean(" ".join(parts))
        if value:  # the row, with the lines the value runs on over (provenance)
            return value, ExportRow(row.page, "\n".join(texts), row.cells, row.tabbed)
    return None, None


def _labelled(rows: Sequence[ExportRow], field: str):
    """For each label of `field` in the rows' cells: (the row's index, the row, the cell's
    index, the cell's text after the label up to its next label, whether it is the last)."""
    for i, row in enumerate(rows):
        for c, cell in enumerate(row.cells):
            hits = text_label_hits(cell)
            for j, hit in enumerate(hits):
                if hit.field == field:
                    last = j + 1 == len(hits)
                    yield i, row, c, cell[hit.end:None if last else hits[j + 1].start], last


# ---- the indicator key ------------------------------------------------------

_KEY_CELL = re.compile(r"^\s*([0-9A-Z]{1,4}(?:\s*-\s*[0-9A-Z]{1,8}){3,5})(?![0-9A-Z-])")


def export_code(rows: Sequence[ExportRow]) -> tuple[Optional[str], Optional[str], Optional[ExportRow],
                                                   Optional[ExportRow], list[Flag]]:
    """(indicator key, entity code, row of the key, row of the entity, flags)
    from the `Clave:` label.

    Where OCR lost the `Dependencia:` label the `Clave:` line holds the agency
    (`52 - DIF - 1000`, three segments) and the key is the first cell of a line
    right under it (`52- TES-P174-M30`): that cell is the key, the agency the
    entity. Spaces OCR put inside the key are removed (flagged)."""
    flags: list[Flag] = []
    for i, row, _, after, _ in _labelled(rows, "code"):
        value = fold(after)
        m = CODE_RX.search(value)
        if not m or not re.search(r"\d", m.group(1)):
            continue
        raw, at, entity, entity_row = m.group(1), row, None, None
        if ENTITY_RX.fullmatch(raw.strip()) and raw.count("-") == 2:
            for nxt in rows[i + 1:i + 4]:
                if is_labelled(nxt):
                    break
                k = next((k for k in (_KEY_CELL.match(fold(c)) for c in nxt.cells) if k), None)
                if k:
                    entity, raw, at, entity_row = entity_code(raw), k.group(1), nxt, row
                    break
        code = re.sub(r"\s+", "", raw)
        if code != raw:
            flags.append(ocr_flag("indicators", "", "indicator_code", raw, code,
                                  f"The indicator key was read '{raw}' with spaces OCR put inside it; "
                                  f"read as '{code}'."))
        fixed, note = repair_code(code)
        if note:
            flags.append(ocr_flag("indicators", "", "indicator_code", code, fixed, note))
        return fixed, entity, at, entity_row, flags
    return None, None, None, None, flags


# ---- the formula ------------------------------------------------------------

def export_formula(rows: Sequence[ExportRow]) -> tuple[Optional[str], Optional[ExportRow]]:
    """The formula printed after `Fórmula:` in its cell or on one of the next
    lines: only the text holding `=` (never a running title printed below it)."""
    for i, row, _, after, _ in _labelled(rows, "formula"):
        inline = clean(after)
        if inline and "=" in inline:
            return inline, row
        for nxt in rows[i + 1:i + 4]:
            if is_labelled(nxt):
                break
            eq = next((c for c in nxt.cells if "=" in c), None)
            if eq:
                return clean(eq), nxt
        return inline, row
    return None, None


def _paren_pairs(text: str) -> Optional[dict[int, int]]:
    stack, pairs = [], {}
    for i, ch in enumerate(text):
        if ch == "(":
            stack.append(i)
        elif ch == ")":
            if not stack:
                return None
            pairs[stack.pop()] = i
    return None if stack else pairs


def simplify_parens(formula: Optional[str]) -> Optional[str]:
    """Parentheses that group nothing, as LaTeX markup leaves them
    (`(((TSM) / (TSO))) * (100)` -> `(TSM / TSO) * 100`): around a single term,
    or doubled around the same group. Grouping that was printed stays."""
    if not formula:
        return formula
    text = formula
    while True:
        new = re.sub(r"(?<![A-Za-z0-9_])\(\s*([A-Za-z0-9_.,%]+)\s*\)", r"\1", text)
        pairs = _paren_pairs(new)
        if pairs is None:
            return formula
        for a, b in sorted(pairs.items()):
            if pairs.get(a + 1) == b - 1:
                new = new[:a] + new[a + 1:b - 1] + new[b:]
                break
        new = collapse(new) or new
        if new == text:
            return text
        text = new


def export_identity(rows: Sequence[ExportRow], ind: Indicator, changes: dict, flags: list[Flag],
                    prov: list[Provenance]) -> list[Flag]:
    """The key and entity of an export's `Clave:` line into `changes` and `prov`; the
    flags returned hold the key's repairs in place of the layout's (its key is replaced)."""
    code, entity, code_row, entity_row, code_flags = export_code(rows)
    if code:
        changes["indicator_code"] = code
        flags = [f for f in flags if not (f.table == "indicators" and f.field == "indicator_code")] + code_flags
        prov.append(code_row.provenance("indicators", "", "indicator_code"))
    if entity and not ind.entity_code:
        changes["entity_code"] = entity
        prov.append(entity_row.provenance("indicators", "", "entity_code"))
    return flags


def export_formula_value(rows: Sequence[ExportRow]) -> tuple[Optional[str], Optional[ExportRow], list[Flag]]:
    """The normalized formula of an export and the flag of any parentheses dropped."""
    raw, row = export_formula(rows)
    formula = normalize_formula(raw)
    flags = []
    simple = simplify_parens(formula) if formula and "=" in formula else formula
    if simple != formula:
        flags.append(ocr_flag("indicators", "", "formula", formula, simple,
                              f"The formula '{formula}' carries parentheses around single terms or doubled "
                              f"(markup of the export); read as '{simple}'."))
    return simple, row, flags


# ---- section facts ------------------------------------------------------------

def export_facts(rows: Sequence[ExportRow], title: str) -> dict:
    """Government and fiscal year from the family's running title (`FICHA
    TÉCNICA DE INDICADOR 2026` over `GOBIERNO DE MEXICALI`), wherever on the
    section's pages the export printed it."""
    out: dict = {}
    for i, row in enumerate(rows):
        if not (is_title_row(row) and row.folded.startswith(title)):
            continue
        m = re.search(r"\b(20\d\d)\b", row.folded)
        if m and "fiscal_year" not in out:
            out["fiscal_year"] = int(m.group(1))
        for nxt in rows[i + 1:i + 2]:
            if is_title_row(nxt) and nxt.folded.startswith("GOBIERNO") and "government" not in out:
                out["government"] = collapse(" ".join(c for c in nxt.cells if c))
    if "government" in out:
        out["municipality"] = municipality_from_government(out["government"])
    return out


def merge_provenance(records: Sequence[Provenance], extra: Sequence[Provenance]) -> list[Provenance]:
    """`records` with the fields `extra` reads replaced by its records."""
    taken = {(p.table, p.row_key, p.field) for p in extra}
    return [p for p in records if (p.table, p.row_key, p.field) not in taken] + list(extra)


# ---- the report -------------------------------------------------------------

def export_report_name(rows: Sequence[ExportRow]) -> tuple[Optional[str], list[ExportRow]]:
    """The indicator's name printed on the lines that open the report's body,
    above its first labelled line (running titles left out)."""
    picked: list[ExportRow] = []
    for row in rows:
        if is_title_row(row):
            if picked:
                break
            continue
        if row.tabbed or re.match(r"^\s*[^:]{1,40}:", row.text) or is_labelled(row):
            break
        letters = [c for c in row.text if c.isalpha()]
        if len(letters) < 10 or sum(c.isupper() for c in letters) < 0.8 * len(letters):
            break
        picked.append(row)
    return (clean(" ".join(r.text for r in picked)) if picked else None), picked


def export_values(rows: Sequence[ExportRow]) -> tuple[list[IndicatorValue], list[Flag], list[Provenance]]:
    """The captured-values table (`CLAVE | DESCRIPCIÓN | PERIODO | 1 | 2 | 3 | 4`)
    by cell: each period's figure is the cell under its number. A line with no
    key whose figures fall in empty period cells of the row above continues
    that row (OCR broke the row into a staircase); it is flagged."""
    flags: list[Flag] = []
    prov: list[Provenance] = []
    values: dict[str, dict[int, Optional[float]]] = {}
    order: list[str] = []
    for h, head in enumerate(rows):
        folded = [fold(c).strip() for c in head.cells]
        if not head.tabbed or not any(c.startswith("CLAVE") for c in folded):
            continue
        periods = {int(c): i for i, c in enumerate(folded) if c in ("1", "2", "3", "4")}
        if len(periods) != 4 or not any(c.startswith("DESCRIP") or c.startswith("PERIOD") for c in folded):
            continue
        kc = next(i for i, c in enumerate(folded) if c.startswith("CLAVE"))
        last: Optional[str] = None
        for row in rows[h + 1:]:
            if is_title_row(row):
                continue
            if not row.tabbed or is_labelled(row):
                break
            cells = list(row.cells) + [""] * (max(periods.values()) + 1 - len(row.cells))
            figures = {p: (cells[i], parse_number(cells[i])) for p, i in periods.items() if cells[i]}
            key = key_token(cells[kc]) if kc < len(cells) and cells[kc] else None
            if key:
                if key not in values:
                    values[key] = {}
                    order.append(key)
                    prov.append(row.provenance("indicator_values", key, "variable_key"))
                for p, (text, v) in figures.items():
                    if v is not None:
                        values[key][p] = v
                        prov.append(row.provenance("indicator_values", f"{key}|{p}", "value"))
                last = key
                continue
            others = [c for i, c in enumerate(cells) if c and i not in periods.values()]
            if last is None or others or not figures:
                break
            for p, (text, v) in figures.items():
                if v is None or values[last].get(p) is not None:
                    continue
                values[last][p] = v
                prov.append(row.provenance("indicator_values", f"{last}|{p}", "value"))
                flags.append(ocr_flag("indicator_values", f"{last}|{p}", "value", text, _fmt(v),
                                      f"The figure '{text}' was printed under period {p} on a line of its own "
                                      f"below the row of '{last}' (OCR broke the row); it was read as that "
                                      f"row's value."))
        if order:
            break
    out = [IndicatorValue(variable_key=k, period=p, value=values[k].get(p)) for k in order for p in range(1, 5)]
    return out, flags, prov


# label -> (indicators column, reading of the value) read cell-bounded in an export
REPORT_EXPORT_FIELDS = {
    "objective": ("objective", clean), "interpretation": ("interpretation", clean),
    "result_unit": ("result_unit", clean), "annual": ("target_annual", number_of),
    "frequency": ("frequency", frequency_of),
}


def export_label_fields(rows: Sequence[ExportRow], fields: dict) -> list[tuple[str, object, ExportRow]]:
    """(column, value, row) of each labelled field an export prints."""
    out = []
    for field, (column, read) in fields.items():
        value, row = export_field(rows, field)
        if value is not None and read(value) is not None:
            out.append((column, read(value), row))
    return out


def _export_report(pages: Sequence[_Page], result: SectionResult) -> SectionResult:
    """A report of a text export: the fields the layout cannot place read from
    the export's cells (see `export_rows`)."""
    from dataclasses import replace

    rows = export_rows(pages)
    ind = result.indicators[0]
    flags = list(result.flags)
    prov: list[Provenance] = []
    changes: dict = {}
    flags = export_identity(rows, ind, changes, flags, prov)
    if not ind.name:
        name, name_rows = export_report_name(rows)
        if name:
            changes["name"] = name
            prov.append(name_rows[0].provenance("indicators", "", "name"))
    formula, formula_row, formula_flags = export_formula_value(rows)
    values, value_flags, value_prov = export_values(rows)
    if values:
        flags = [f for f in flags if f.table != "indicator_values"] + value_flags
        result = replace(result, indicator_values=values)
        prov = [p for p in prov if p.table != "indicator_values"] + value_prov
    if formula:
        keys = best_keys([v.variable_key for v in result.indicator_values], formula)
        changes["formula"] = repair_formula(formula, keys)
        flags = [f for f in flags if not (f.table == "indicators" and f.field == "formula")] + formula_flags
        prov.append(formula_row.provenance("indicators", "", "formula"))
    for column, value, row in export_label_fields(rows, REPORT_EXPORT_FIELDS):
        changes[column] = value
        prov.append(row.provenance("indicators", "", column))
    info = result.info
    facts = export_facts(rows, "REPORTE DE INDICADOR")
    info = replace(info, **{k: v for k, v in facts.items() if v is not None and getattr(info, k) is None})
    records = result.provenance
    if values:
        records = [p for p in records if p.table != "indicator_values"]
    return replace(result, info=info, indicators=[replace(ind, **changes)], flags=flags,
                   provenance=merge_provenance(records, prov))
