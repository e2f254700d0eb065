"""Draw the dev corpus's truth content in other layouts, each a named *kind*.

A real municipality prints the same report families (POA avance, MIR progress,
indicator sheets and reports) in its own template. This module takes the content
of the hand-checked truth files and prints it again the way such templates do:

- ``reference``: ruled tables, Helvetica, letter paper, the dev corpus's wording
  (the renderer's own baseline, so a kind's score can be read against it);
- ``no_rules``: no ruling lines at all, columns only by white space;
- ``column_order``: columns in another order (unit after the annual target,
  observations before the progress columns, the PMD codes after the description,
  the POA's four quarters programmed then the four achieved under two labels);
- ``wording``: other header wordings and abbreviations (``META ANUAL PROGRAMADA``,
  ``UNIDAD RESPONSABLE``, ``TRIMESTRE 1`` / ``1er. trim.`` / ``I`` for ``Ene-Mar``,
  ``SEGUIMIENTO DE METAS``) and other report titles;
- ``later_quarter``: the report of the 2nd, 3rd or 4th quarter: more periods
  filled, achieved only up to the reported quarter, progress recomputed (the truth
  is derived consistently, see `later_quarter_truth`);
- ``fonts_paper``: Times or Courier, legal or landscape paper, footers with page
  numbers and a system name, percentages with two decimals, figures without
  thousands separators;
- ``two_column_sheet``: label/value pairs laid out in two columns (indicator
  sheets; the POA classification block);
- ``boxed_header``: header blocks drawn as boxes of label and value cells.
- ``shuffled``: the columns of every table in an order drawn from the seed (the
  grouped period columns kept together under their group), ruled or not, type
  of another size: column orders no template here was drawn in;
- ``synonyms``: the goal and MIR tables' headers in a third vocabulary, the words
  other templates use for the same columns (``CLAVE PMD``, ``U. DE M.``, ``LOGRO
  ACUMULADO``, ``% DE CUMPLIMIENTO``, ``PERIODICIDAD``, ``CAUSAS DE LA VARIACIÓN``),
  the rest worded as in ``wording``;
- ``continued_pages``: tables broken over pages without their header printed again
  (a spreadsheet printed without its titles repeated), the type a size larger so
  that they break;
- ``code_column``: the POA goal's and the MIR objective's code printed in a column of
  its own (``No.``, ``CLAVE``, ``No. DE META``...) before a description or objective
  without it, ruled or not, the cells at the top of their rows or centred in them;
- ``mixed``: a new template combines these: every attribute above drawn at
  random from the seed (rules or none, column order, wording and period
  spelling, quarter, font and paper, number formats, two columns, boxes, the
  codes' own column, centred cells), so that seeds 0, 1, 2... are layouts no
  single kind shows.

Every rendered ``NAME.pdf`` gets ``NAME.truth.json`` beside it, in the dev corpus's
format, with the page numbers and any value that the layout changes (the quarter
of a later report, its achieved values) set to what was printed.

Truth format (essentials of shared/corpus/TRUTH_FORMAT.md)::

    {"file_name": "NAME.pdf", "variant": "digital" | "scanned" | ...,
     "tables": {"sections": [...], "action_lines": [...], "goals": [...],
                "goal_periods": [...], "signatories": [...], "indicators": [...],
                "indicator_variables": [...], "indicator_baselines": [...],
                "indicator_values": [...], "mir_rows": [...], "mir_periods": [...]},
     "expected_flags": [{"section_page_start": 3, "table": "goals", "row_key": "302",
                         "field": "relative_progress", "rule": "percent_mismatch"}],
     "uncertain": [{"section_page_start": 1, "table": "goal_periods",
                    "row_key": "103|4", "field": "programmed"}]}

- Rows use SCHEMA.md's column names without ``doc_id``, and only the columns the
  truth knows. Rows of per-section tables carry ``section_page_start`` (the
  section's first page) instead of ``section_id``.
- ``expected_flags``: printed inconsistencies a correct run reports as ``warning``
  flags (``sum_mismatch``, ``percent_mismatch``, ``formula_mismatch``), matched on
  table, row_key and rule. ``uncertain``: fields not scored.
- ``row_key`` is the table's key without ``section_page_start``, parts joined by ``|``.
- Row keys: sections by section_page_start; action_lines (sps, code); goals (sps,
  goal_code); goal_periods (sps, goal_code, period); signatories (sps, role);
  indicators (sps); indicator_variables (sps, key); indicator_baselines (sps,
  period); indicator_values (sps, variable_key, period); mir_rows (objective_code);
  mir_periods (objective_code, period).
"""
from __future__ import annotations

import copy
import hashlib
import io
import json
import random
import re
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Callable

from reportlab.lib.pagesizes import landscape, legal, letter
from reportlab.lib.utils import simpleSplit
from reportlab.pdfgen import canvas as rl_canvas

KINDS: tuple[str, ...] = (
    "reference", "no_rules", "column_order", "wording", "later_quarter",
    "fonts_paper", "two_column_sheet", "boxed_header", "mixed", "shuffled", "synonyms", "continued_pages",
    "code_column",
)
FAMILIES: tuple[str, ...] = ("poa_avance", "mir_avance", "indicator_sheet", "indicator_report")
# Kinds that only change what a family prints where that family has the feature.
KIND_FAMILIES: dict[str, tuple[str, ...]] = {
    "two_column_sheet": ("poa_avance", "indicator_sheet", "indicator_report"),
    "later_quarter": ("poa_avance", "mir_avance", "indicator_report"),
    "synonyms": ("poa_avance", "mir_avance"),
    "continued_pages": ("poa_avance", "mir_avance"),
    "code_column": ("poa_avance", "mir_avance"),
}
PER_SECTION_TABLES = ("action_lines", "goals", "goal_periods", "signatories", "indicators",
                      "indicator_variables", "indicator_baselines", "indicator_values")
FAMILY_TABLES: dict[str, tuple[str, ...]] = {
    "poa_avance": ("action_lines", "goals", "goal_periods", "signatories"),
    "mir_avance": ("mir_rows", "mir_periods", "signatories"),
    "indicator_sheet": ("indicators", "indicator_variables", "indicator_baselines", "signatories"),
    "indicator_report": ("indicators", "indicator_values", "signatories"),
}

ORDINAL = {1: "PRIMER", 2: "SEGUNDO", 3: "TERCER", 4: "CUARTO"}
MONTHS = ["ene", "feb", "mar", "abr", "may", "jun", "jul", "ago", "sep", "oct", "nov", "dic"]
MONTH_NAMES = ["enero", "febrero", "marzo", "abril", "mayo", "junio", "julio", "agosto",
               "septiembre", "octubre", "noviembre", "diciembre"]
PERIOD_SPELLINGS = {
    "months": ["Ene-Mar", "Abr-Jun", "Jul-Sep", "Oct-Dic"],
    "trimestre": ["TRIMESTRE 1", "TRIMESTRE 2", "TRIMESTRE 3", "TRIMESTRE 4"],
    "ordinal": ["1er. trim.", "2do. trim.", "3er. trim.", "4to. trim."],
    "roman": ["I", "II", "III", "IV"],
    "long": ["ENERO-MARZO", "ABRIL-JUNIO", "JULIO-SEPTIEMBRE", "OCTUBRE-DICIEMBRE"],
}
# The canonical labels the contract stores in goal_periods.period_label.
CANONICAL_PERIOD_LABELS = PERIOD_SPELLINGS["months"]
# Headers over a column holding only the goals' codes.
CODE_COLUMN_HEADERS = ("No.", "CLAVE", "NÚM.", "No. DE META", "CLAVE DE LA META")
ROLE_LABELS = {"elaboro": "ELABORÓ", "reviso": "REVISÓ", "superviso": "SUPERVISÓ", "autorizo": "AUTORIZÓ", "valido": "VALIDÓ"}
SYSTEMS = ("Sistema Integral de Armonización Contable (SIAC)", "SIPPRES - Sistema de Programación y Presupuesto",
           "Sistema Municipal de Evaluación del Desempeño v2.3")


# --------------------------------------------------------------------------
# layout: what a kind changes
# --------------------------------------------------------------------------

@dataclass(frozen=True)
class Layout:
    kind: str
    font: str = "Helvetica"
    bold_font: str = "Helvetica-Bold"
    size: float = 6.5
    paper: str = "letter"          # letter | legal
    orientation: str = "auto"      # auto (family default) | landscape | portrait
    ruled: bool = True
    column_order: str = "standard"  # standard | moved | shuffled
    shuffle: int = 0               # the seed of a shuffled column order
    wording: str = "standard"      # standard | other | synonyms
    period_spelling: str = "months"
    quarter: int | None = None     # None: the truth's own quarter
    footer: bool = False
    system_name: str = ""
    pct_decimals: bool = False     # 25% -> 25.00%
    thousands: bool = True         # 59,184 vs 59184
    two_column: bool = False
    boxed_header: bool = False
    repeat_header: bool = True     # a table's header printed again on every page it runs to
    periods_by_kind: bool = False  # POA: the four quarters programmed, then the four achieved
    code_column: str = ""          # POA, MIR: the goal's or objective's code in a column of its own, under this header
    valign: str = "top"            # body cells: top | middle (a spreadsheet's cells centred in tall rows)


def document_seed(kind: str, seed: int, source: str | Path) -> int:
    """The seed one document is drawn (and scanned) with: a stable hash of its kind, the
    run's seed and its source truth file's name, so a document is the same whatever else
    a run renders (which kinds, families or sources, in which order)."""
    name = Path(source).name.replace(".truth.json", "")
    return int.from_bytes(hashlib.sha256(f"{kind}:{seed}:{name}".encode()).digest()[:4], "big")


def layout_for(kind: str, seed: int = 0) -> Layout:
    """The layout of one kind; `seed` picks among the kind's options (fonts, quarters...)."""
    if kind not in KINDS:
        raise ValueError(f"unknown kind {kind!r}; kinds: {', '.join(KINDS)}")
    rng = random.Random(f"{kind}:{seed}")
    base = Layout(kind=kind)
    if kind == "no_rules":
        return replace(base, ruled=False)
    if kind == "column_order":
        return replace(base, column_order="moved", periods_by_kind=True)
    if kind == "wording":
        return replace(base, wording="other", period_spelling=rng.choice(["trimestre", "ordinal", "roman"]))
    if kind == "later_quarter":
        return replace(base, quarter=rng.choice([2, 3, 4]))
    if kind == "fonts_paper":
        font, bold = rng.choice([("Times-Roman", "Times-Bold"), ("Courier", "Courier-Bold")])
        # legal (oficio) paper in the family's usual orientation (tables landscape, sheets
        # portrait), or letter paper landscape for every page, sheets included
        paper, orientation = rng.choice([("legal", "auto"), ("letter", "landscape")])
        return replace(base, font=font, bold_font=bold, paper=paper, orientation=orientation,
                       footer=True, system_name=rng.choice(SYSTEMS), pct_decimals=True, thousands=False)
    if kind == "two_column_sheet":
        return replace(base, two_column=True)
    if kind == "boxed_header":
        return replace(base, boxed_header=True)
    if kind == "shuffled":
        return replace(base, column_order="shuffled", shuffle=rng.randrange(1 << 30), ruled=rng.random() < 0.5,
                       size=rng.choice([6.0, 6.5, 7.0, 7.5]))
    if kind == "synonyms":
        return replace(base, wording="synonyms", period_spelling=rng.choice(list(PERIOD_SPELLINGS)),
                       ruled=rng.random() < 0.5)
    if kind == "continued_pages":
        return replace(base, repeat_header=False, size=rng.choice([7.5, 8.0]))
    if kind == "code_column":
        return replace(base, code_column=rng.choice(CODE_COLUMN_HEADERS), ruled=rng.random() < 0.5,
                       valign=rng.choice(["top", "middle"]))
    if kind == "mixed":
        font, bold = rng.choice([("Helvetica", "Helvetica-Bold"), ("Times-Roman", "Times-Bold"),
                                 ("Courier", "Courier-Bold")])
        paper, orientation = rng.choice([("letter", "auto"), ("legal", "auto"), ("letter", "landscape")])
        system = rng.choice(("",) + SYSTEMS)
        return replace(base, font=font, bold_font=bold, paper=paper, orientation=orientation,
                       ruled=rng.random() < 0.5, column_order=rng.choice(["standard", "moved"]),
                       wording=rng.choice(["standard", "other"]), period_spelling=rng.choice(list(PERIOD_SPELLINGS)),
                       quarter=rng.choice([None, 2, 3, 4]), footer=bool(system), system_name=system,
                       pct_decimals=rng.random() < 0.5, thousands=rng.random() < 0.5,
                       two_column=rng.random() < 0.5, boxed_header=rng.random() < 0.5,
                       repeat_header=rng.random() < 0.5,
                       # (drawn last: the draws above give every earlier mixed document again)
                       code_column=rng.choice(CODE_COLUMN_HEADERS) if rng.random() < 0.3 else "",
                       valign=rng.choice(["top", "middle"]))
    return base


def shuffled(items: list, lay: Layout) -> list:
    """`items` in the order the layout's shuffle seed draws (a table's own order: the
    same seed gives the same order to lists of one length)."""
    out = list(items)
    random.Random(lay.shuffle * 31 + len(items)).shuffle(out)
    return out


# --------------------------------------------------------------------------
# formatting of printed values
# --------------------------------------------------------------------------

def fmt_number(v: float | None, lay: Layout) -> str:
    if v is None:
        return ""
    v = float(v)
    if v.is_integer():
        return f"{int(v):,}" if lay.thousands else str(int(v))
    s = f"{v:,.2f}" if lay.thousands else f"{v:.2f}"
    return s


def fmt_pct(v: float | None, lay: Layout) -> str:
    if v is None:
        return ""
    v = float(v)
    if lay.pct_decimals:
        return f"{v:.2f}%"
    return f"{int(v)}%" if v.is_integer() else f"{v:.2f}%"


def fmt_plain(v: float | None, decimals: int = 2) -> str:
    return "" if v is None else f"{float(v):.{decimals}f}"


def period_label(period: int, lay: Layout) -> str:
    return PERIOD_SPELLINGS[lay.period_spelling][period - 1]


def month_year(report_date: str | None) -> str:
    if not report_date:
        return ""
    y, m = report_date.split("-")
    return f"{MONTHS[int(m) - 1]}-{y[2:]}"


def last_day(report_date: str) -> str:
    y, m = (int(x) for x in report_date.split("-"))
    days = [31, 29 if y % 4 == 0 else 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][m - 1]
    return f"{days} de {MONTH_NAMES[m - 1]} de {y}"


# --------------------------------------------------------------------------
# drawing: pages, wrapped text, tables with multi-row headers
# --------------------------------------------------------------------------

@dataclass
class Column:
    key: str
    path: tuple[str, ...]          # header labels, top to bottom (spans merge equal prefixes)
    weight: float
    align: str = "center"          # left | center | right


@dataclass
class Cell:
    text: str
    bold: bool = False


class Sheet:
    """A canvas that knows its page number, cursor and margins."""

    def __init__(self, out: Any, lay: Layout, family_orientation: str, total_pages: int = 0,
                 header_note: str = ""):
        size = legal if lay.paper == "legal" else letter
        orient = family_orientation if lay.orientation == "auto" else lay.orientation
        self.size = landscape(size) if orient == "landscape" else size
        self.c = rl_canvas.Canvas(out, pagesize=self.size, pageCompression=0, invariant=1)
        self.lay = lay
        self.total_pages = total_pages
        self.header_note = header_note
        self.page = 1
        self.margin = 30.0
        self.bottom = 42.0 if lay.footer else 30.0
        self.y = self.size[1] - self.margin
        self.started = False  # anything drawn on the current page

    @property
    def width(self) -> float:
        return self.size[0] - 2 * self.margin

    def set_orientation(self, orient: str) -> None:
        size = legal if self.lay.paper == "legal" else letter
        if self.lay.orientation != "auto":
            orient = self.lay.orientation
        self.size = landscape(size) if orient == "landscape" else size
        self.c.setPageSize(self.size)
        self.y = self.size[1] - self.margin

    def footer(self) -> None:
        if not self.lay.footer:
            return
        c = self.c
        c.setFont(self.lay.font, 6.5)
        c.line(self.margin, 34, self.size[0] - self.margin, 34)
        c.drawString(self.margin, 24, self.lay.system_name)
        total = f" de {self.total_pages}" if self.total_pages else ""
        c.drawRightString(self.size[0] - self.margin, 24, f"Página {self.page}{total}")
        if self.header_note:
            c.drawCentredString(self.size[0] / 2, 24, self.header_note)

    def new_page(self, orient: str | None = None) -> None:
        self.footer()
        self.c.showPage()
        self.page += 1
        if orient:
            self.set_orientation(orient)
        self.y = self.size[1] - self.margin
        self.started = False

    def fresh_page(self, orient: str) -> None:
        """Start a section: a new page unless nothing is on the current one."""
        if self.started:
            self.new_page(orient)
        else:
            self.set_orientation(orient)

    def room(self, h: float) -> bool:
        return self.y - h >= self.bottom

    def ensure(self, h: float) -> None:
        if not self.room(h) and self.started:
            self.new_page()

    def finish(self) -> None:
        self.footer()
        self.c.showPage()
        self.c.save()

    # text -----------------------------------------------------------------
    def lines(self, text: str, width: float, bold: bool = False, size: float | None = None) -> list[str]:
        size = size or self.lay.size
        font = self.lay.bold_font if bold else self.lay.font
        width = max(width, 10)
        out: list[str] = []
        for para in str(text).split("\n"):
            for ln in simpleSplit(para, font, size, width) or [""]:
                out += _hard_break(ln, font, size, width)
        return out

    def draw_lines(self, lines: list[str], x: float, y_top: float, width: float, align: str = "left",
                   bold: bool = False, size: float | None = None) -> None:
        size = size or self.lay.size
        lead = size * 1.2
        self.c.setFont(self.lay.bold_font if bold else self.lay.font, size)
        y = y_top - size
        for ln in lines:
            if align == "center":
                self.c.drawCentredString(x + width / 2, y, ln)
            elif align == "right":
                self.c.drawRightString(x + width, y, ln)
            else:
                self.c.drawString(x, y, ln)
            y -= lead
        self.started = True

    def para(self, text: str, bold: bool = False, size: float | None = None, align: str = "left",
             x: float | None = None, width: float | None = None, gap: float = 2) -> None:
        size = size or self.lay.size
        x = self.margin if x is None else x
        width = self.width if width is None else width
        ls = self.lines(text, width, bold, size)
        h = len(ls) * size * 1.2
        self.ensure(h)
        self.draw_lines(ls, x, self.y, width, align, bold, size)
        self.y -= h + gap

    def space(self, h: float) -> None:
        self.y -= h


def _hard_break(line: str, font: str, size: float, width: float) -> list[str]:
    """A word wider than its cell is cut where it no longer fits (as spreadsheets print it)."""
    from reportlab.pdfbase.pdfmetrics import stringWidth

    out, cur = [], ""
    for ch in line:
        if cur and stringWidth(cur + ch, font, size) > width:
            out.append(cur)
            cur = ch.lstrip()
        else:
            cur += ch
    return out + [cur]


def draw_table(sh: Sheet, cols: list[Column], rows: list[list[Cell]], ruled: bool,
               on_row: Callable[[int, int], None] | None = None, width: float | None = None,
               x0: float | None = None, repeat_header: bool = True) -> None:
    """A table with a multi-row header (equal path prefixes merge into spans); rows never split.

    `on_row(index, page)` is told the page each body row was drawn on.
    """
    lay = sh.lay
    width = sh.width if width is None else width
    x0 = sh.margin if x0 is None else x0
    total = sum(c.weight for c in cols)
    widths = [width * c.weight / total for c in cols]
    xs = [x0 + sum(widths[:i]) for i in range(len(cols))]
    pad = 2.0
    hsize = lay.size - 0.5
    lead = hsize * 1.2
    levels = max(len(c.path) for c in cols)

    # header cells: (level, first col, last col, label, spans to bottom)
    hcells: list[tuple[int, int, int, str, bool]] = []
    for lvl in range(levels):
        i = 0
        while i < len(cols):
            if len(cols[i].path) <= lvl:
                i += 1
                continue
            j = i
            while j + 1 < len(cols) and len(cols[j + 1].path) > lvl and cols[j + 1].path[:lvl + 1] == cols[i].path[:lvl + 1]:
                j += 1
            leaf = len(cols[i].path) == lvl + 1 and i == j
            hcells.append((lvl, i, j, cols[i].path[lvl], leaf and lvl < levels - 1))
            i = j + 1
    def fit(label: str, w: float, start: float | None = None, bold: bool = True) -> float:
        """Font size shrunk until the longest word fits its cell (spreadsheet 'shrink to fit')."""
        from reportlab.pdfbase.pdfmetrics import stringWidth

        font = lay.bold_font if bold else lay.font
        size = hsize if start is None else start
        longest = max(label.split() or [""], key=lambda t: stringWidth(t, font, size))
        while size > 3.5 and stringWidth(longest, font, size) > w:
            size -= 0.25
        return size

    sizes = {}
    for lvl, i, j, label, spans in hcells:
        sizes[(lvl, i)] = fit(label, sum(widths[i:j + 1]) - 2 * pad)
    band = [0.0] * levels
    for lvl, i, j, label, spans in hcells:
        if not spans:
            w = sum(widths[i:j + 1]) - 2 * pad
            sz = sizes[(lvl, i)]
            band[lvl] = max(band[lvl], len(sh.lines(label, w, True, sz)) * sz * 1.2 + 2 * pad)
    band = [b or lead + 2 * pad for b in band]
    for lvl, i, j, label, spans in hcells:
        if spans:
            sz = sizes[(lvl, i)]
            need = len(sh.lines(label, widths[i] - 2 * pad, True, sz)) * sz * 1.2 + 2 * pad
            have = sum(band[lvl:])
            if need > have:
                band[-1] += need - have
    head_h = sum(band)

    def draw_header() -> None:
        top = sh.y
        for lvl, i, j, label, spans in hcells:
            y_top = top - sum(band[:lvl])
            h = sum(band[lvl:]) if spans or len(cols[i].path) == lvl + 1 else band[lvl]
            w = sum(widths[i:j + 1])
            sz = sizes[(lvl, i)]
            ls = sh.lines(label, w - 2 * pad, True, sz)
            text_h = len(ls) * sz * 1.2
            sh.draw_lines(ls, xs[i] + pad, y_top - (h - text_h) / 2, w - 2 * pad, "center", True, sz)
            if ruled:
                sh.c.rect(xs[i], y_top - h, w, h, stroke=1, fill=0)
        sh.y -= head_h

    bsize = lay.size
    blead = bsize * 1.2
    sh.ensure(head_h + 3 * blead)
    draw_header()
    for r, row in enumerate(rows):
        # a word wider than its cell is printed smaller (shrink to fit), as headers are
        csizes = [fit(cell.text, widths[k] - 2 * pad, bsize, cell.bold) for k, cell in enumerate(row)]
        wrapped = [sh.lines(cell.text, widths[k] - 2 * pad, cell.bold, csizes[k]) for k, cell in enumerate(row)]
        h = max(len(w) * csizes[k] * 1.2 for k, w in enumerate(wrapped)) + 2 * pad
        if not sh.room(h):
            sh.new_page()
            if repeat_header and lay.repeat_header:
                draw_header()
        for k, cell in enumerate(row):
            drop = (h - 2 * pad - len(wrapped[k]) * csizes[k] * 1.2) / 2 if lay.valign == "middle" else 0.0
            sh.draw_lines(wrapped[k], xs[k] + pad, sh.y - pad - drop, widths[k] - 2 * pad, cols[k].align, cell.bold,
                          csizes[k])
            if ruled:
                sh.c.rect(xs[k], sh.y - h, widths[k], h, stroke=1, fill=0)
        if on_row:
            on_row(r, sh.page)
        sh.y -= h
    sh.y -= 6


def label_value_block(sh: Sheet, pairs: list[tuple[str, str]], lay: Layout, label_w: float = 95) -> None:
    """A header block of label/value pairs: a list, two columns, or boxes."""
    pairs = [(k, v) for k, v in pairs if v]
    if not pairs:
        return
    size = lay.size + 0.5
    lead = size * 1.2
    from reportlab.pdfbase.pdfmetrics import stringWidth

    # the label column is as wide as its longest label, so a label never runs into its value
    label_w = max(label_w, max(stringWidth(k, lay.bold_font, size) for k, _ in pairs) + 8)
    if lay.boxed_header:
        cols = [Column("l", ("",), 1.3, "left"), Column("v", ("",), 4.0, "left")] * (2 if lay.two_column else 1)
        rows = []
        per = 2 if lay.two_column else 1
        for i in range(0, len(pairs), per):
            row = []
            for k, v in pairs[i:i + per] + [("", "")] * (per - len(pairs[i:i + per])):
                row += [Cell(k, True), Cell(v)]
            rows.append(row)
        # a box per pair: label cell and value cell, no header line
        draw_boxes(sh, cols, rows)
        return
    if lay.two_column:
        half = (sh.width - 12) / 2
        left, right = pairs[: (len(pairs) + 1) // 2], pairs[(len(pairs) + 1) // 2:]
        for i in range(len(left)):
            items = [left[i]] + ([right[i]] if i < len(right) else [])
            hs = []
            for k, v in items:
                hs.append(max(1, len(sh.lines(v, half - label_w, False, size))) * lead)
            h = max(hs)
            sh.ensure(h)
            for n, (k, v) in enumerate(items):
                x = sh.margin + n * (half + 12)
                sh.draw_lines([k], x, sh.y, label_w, "left", True, size)
                sh.draw_lines(sh.lines(v, half - label_w, False, size), x + label_w, sh.y, half - label_w, "left", False, size)
            sh.y -= h + 1
        sh.y -= 4
        return
    for k, v in pairs:
        ls = sh.lines(v, sh.width - label_w, False, size)
        h = len(ls) * lead
        sh.ensure(h)
        sh.draw_lines([k], sh.margin, sh.y, label_w, "left", True, size)
        sh.draw_lines(ls, sh.margin + label_w, sh.y, sh.width - label_w, "left", False, size)
        sh.y -= h + 1
    sh.y -= 4


def draw_boxes(sh: Sheet, cols: list[Column], rows: list[list[Cell]]) -> None:
    """Rows of boxed cells without a header row."""
    lay = sh.lay
    total = sum(c.weight for c in cols)
    widths = [sh.width * c.weight / total for c in cols]
    xs = [sh.margin + sum(widths[:i]) for i in range(len(cols))]
    size = lay.size + 0.5
    lead = size * 1.2
    for row in rows:
        wrapped = [sh.lines(cell.text, widths[k] - 6, cell.bold, size) for k, cell in enumerate(row)]
        h = max(len(w) for w in wrapped) * lead + 5
        sh.ensure(h)
        for k, cell in enumerate(row):
            if not row[k - k % 2].text:
                continue  # an empty label/value pair at the end of a row: no box
            sh.draw_lines(wrapped[k], xs[k] + 3, sh.y - 2.5, widths[k] - 6, "left", cell.bold, size)
            sh.c.rect(xs[k], sh.y - h, widths[k], h, stroke=1, fill=0)
        sh.y -= h
    sh.y -= 6


def title_block(sh: Sheet, lines: list[str], right_note: str = "") -> None:
    lay = sh.lay
    for i, ln in enumerate(lines):
        sh.para(ln, bold=True, size=lay.size + (3 if i == 0 else 1.5), align="center", gap=1)
    if right_note:
        sh.c.setFont(lay.bold_font, lay.size + 1)
        sh.c.drawRightString(sh.size[0] - sh.margin, sh.y + 2, right_note)
    sh.space(6)


def signature_block(sh: Sheet, signatories: list[dict]) -> None:
    if not signatories:
        return
    lay = sh.lay
    size = lay.size + 0.5
    n = len(signatories)
    w = sh.width / n
    need = 70
    sh.ensure(need)
    sh.space(28)
    for i, s in enumerate(signatories):
        x = sh.margin + i * w
        name = " ".join(p for p in (s.get("honorific"), s.get("name")) if p)
        block = [ROLE_LABELS.get(s.get("role") or "", (s.get("role") or "").upper()), "", "", "_" * 32, name]
        block += sh.lines(s.get("title") or "", w - 20, False, size)
        ls: list[str] = []
        for b in block:
            ls += sh.lines(b, w - 20, False, size) if b else [""]
        sh.draw_lines(ls[:1], x + 10, sh.y, w - 20, "center", True, size)
        sh.draw_lines(ls[1:], x + 10, sh.y - size * 1.2, w - 20, "center", False, size)
    sh.y -= need


# --------------------------------------------------------------------------
# families
# --------------------------------------------------------------------------

@dataclass
class Placed:
    """Where a section landed: first/last page and the page of each keyed row."""
    page_start: int = 0
    page_end: int = 0
    row_pages: dict[tuple[str, str], int] = field(default_factory=dict)


def poa_section(sh: Sheet, sec: dict, rows: dict[str, list[dict]], lay: Layout) -> Placed:
    placed = Placed()
    sh.fresh_page("landscape")
    placed.page_start = sh.page
    q = sec.get("quarter") or 1
    year = sec.get("fiscal_year")
    mun = (sec.get("municipality") or "").upper()
    if lay.wording in ("other", "synonyms"):
        titles = [sec.get("government") or "", f"H. AYUNTAMIENTO DE {mun}",
                  f"SEGUIMIENTO DE METAS DEL PROGRAMA OPERATIVO ANUAL {year}",
                  f"INFORME DEL {ORDINAL[q]} TRIMESTRE"]
        note = f"Fecha de corte: {last_day(sec['report_date'])}" if sec.get("report_date") else ""
    else:
        titles = [sec.get("government") or "", f"AYUNTAMIENTO DE {mun}",
                  f"PROGRAMA OPERATIVO ANUAL {year}", f"{ORDINAL[q]} AVANCE PROGRAMÁTICO"]
        note = f"Fecha: {month_year(sec.get('report_date'))}" if sec.get("report_date") else ""
    title_block(sh, [t for t in titles if t], note)
    labels = (("C. ADMINISTRATIVA", "RAMO", "PROGRAMA", "UNIDAD EJECUTORA", "FINALIDAD", "FUNCIÓN", "SUBFUNCIÓN")
              if lay.wording not in ("other", "synonyms") else
              ("CLASIFICACIÓN ADMIVA.", "DEPENDENCIA", "PROGRAMA PRESUPUESTARIO", "UNIDAD RESPONSABLE",
               "FINALIDAD", "FUNCIÓN", "SUB-FUNCIÓN"))
    keys = ("admin_class", "ramo", "programa", "unidad", "finalidad", "funcion", "subfuncion")
    pairs = []
    for label, k in zip(labels, keys):
        code, name = sec.get(f"{k}_code"), sec.get(f"{k}_name")
        pairs.append((label + ":", " ".join(x for x in (code, name) if x)))
    lines = rows.get("action_lines", [])
    if lay.boxed_header or lay.two_column:
        label_value_block(sh, pairs, lay, label_w=110)
    else:
        label_value_block(sh, pairs, lay, label_w=110)
    if lines:
        head = "LÍNEAS DE ACCIÓN:" if lay.wording not in ("other", "synonyms") else "LÍNEAS DE ACCIÓN DEL PMD:"
        text_pairs = [(a["code"], a.get("description") or "") for a in lines]
        if lay.boxed_header:
            sh.para(head, bold=True, size=lay.size + 0.5)
            draw_boxes(sh, [Column("c", ("",), 0.5, "left"), Column("d", ("",), 6, "left")],
                       [[Cell(c), Cell(d)] for c, d in text_pairs])
        else:
            sub = replace(lay, two_column=lay.two_column or len(lines) > 12)
            sh.para(head, bold=True, size=lay.size + 0.5)
            label_value_block(sh, text_pairs, sub, label_w=32)

    spelling = PERIOD_SPELLINGS[lay.period_spelling]
    other = lay.wording == "other"
    periodo = "AVANCE TRIMESTRAL" if other else "PERIODO"
    p_lab, a_lab = ("PROG.", "REAL.") if other else ("P", "A")
    cols: dict[str, list[Column]] = {
        "pmd": [Column("pmd", ("ALINEACIÓN PMD" if other else "LÍNEA DE ACCIÓN P.M.D.",), 1.1, "center")],
        "desc": [Column("desc", ("DESCRIPCIÓN DE LAS METAS / ACCIONES" if other else "DESCRIPCION DE LAS METAS/ACCIONES",), 5.2, "left")],
        "unit": [Column("unit", ("U. DE MEDIDA" if other else "UNIDAD DE MEDIDA",), 1.3, "center")],
        "annual": [Column("annual", ("META ANUAL PROGRAMADA" if other else "META ANUAL",), 0.9, "right")],
        "periods": [Column(f"{w}{p}", (periodo, spelling[p - 1], lab), 0.72, "right")
                    for p in range(1, 5) for w, lab in (("p", p_lab), ("a", a_lab))],
        "abs": [Column("abs", ("AVANCE ACUMULADO" if other else "AVANCE ABSOLUTO",), 0.95, "right")],
        "rel": [Column("rel", ("% DE AVANCE" if other else "AVANCE RELATIVO",), 0.85, "right")],
        "obs": [Column("obs", ("OBSERVACIONES / JUSTIFICACIÓN" if other else "OBSERVACIONES",), 3.0, "left")],
    }
    if lay.wording == "synonyms":
        cols = {
            "pmd": [Column("pmd", ("CLAVE PMD",), 1.1, "center")],
            "desc": [Column("desc", ("DESCRIPCIÓN DE LA ACTIVIDAD",), 5.2, "left")],
            "unit": [Column("unit", ("U. DE M.",), 1.3, "center")],
            "annual": [Column("annual", ("PROGRAMACIÓN ANUAL",), 0.9, "right")],
            "periods": [Column(f"{w}{p}", ("CALENDARIO TRIMESTRAL", spelling[p - 1], lab), 0.72, "right")
                        for p in range(1, 5) for w, lab in (("p", "PROG."), ("a", "EJEC."))],
            "abs": [Column("abs", ("LOGRO ACUMULADO",), 0.95, "right")],
            "rel": [Column("rel", ("% DE CUMPLIMIENTO",), 0.85, "right")],
            "obs": [Column("obs", ("COMENTARIOS",), 3.0, "left")],
        }
    if lay.periods_by_kind:  # the quarters programmed, then the quarters achieved
        heads = (("METAS PROGRAMADAS", "METAS ALCANZADAS") if lay.wording == "standard" else
                 ("PROGRAMADO", "REALIZADO") if lay.wording == "other" else ("PROGRAMACIÓN", "LOGRO"))
        cols["periods"] = [Column(f"{w}{p}", (head, spelling[p - 1]), 0.72, "right")
                           for w, head in zip("pa", heads) for p in range(1, 5)]
    order = (["desc", "pmd", "annual", "unit", "periods", "obs", "abs", "rel"] if lay.column_order == "moved"
             else shuffled(["pmd", "desc", "unit", "annual", "periods", "abs", "rel", "obs"], lay)
             if lay.column_order == "shuffled" else ["pmd", "desc", "unit", "annual", "periods", "abs", "rel", "obs"])
    if lay.code_column:  # the goal's code leads the row, the description is text alone
        cols["code"] = [Column("code", (lay.code_column,), 0.55, "center")]
        order = ["code"] + order
    columns = [c for k in order for c in cols[k]]
    periods: dict[str, dict[int, dict]] = {}
    for gp in rows.get("goal_periods", []):
        periods.setdefault(gp["goal_code"], {})[gp["period"]] = gp
    body = []
    goals = rows.get("goals", [])
    for g in goals:
        main = bool(g.get("is_main_goal"))
        sep = " " if main else "- "
        vals = {
            "pmd": Cell(g.get("pmd_codes_raw") or "", main),
            "desc": Cell((g.get("description") or "") if lay.code_column else
                         f"{g['goal_code']}{sep}{g.get('description') or ''}", main),
            "code": Cell(g["goal_code"], main),
            "unit": Cell(g.get("unit_raw") or g.get("unit") or "", main),
            "annual": Cell(fmt_number(g.get("annual_target"), lay), main),
            "abs": Cell(fmt_number(g.get("absolute_progress"), lay), main),
            "rel": Cell(fmt_pct(g.get("relative_progress"), lay), main),
            "obs": Cell(g.get("observations") or ""),
        }
        for p in range(1, 5):
            gp = periods.get(g["goal_code"], {}).get(p, {})
            vals[f"p{p}"] = Cell(fmt_number(gp.get("programmed"), lay), main)
            vals[f"a{p}"] = Cell(fmt_number(gp.get("achieved"), lay), main)
        body.append([vals[c.key] for c in columns])

    def on_row(i: int, page: int) -> None:
        placed.row_pages[("goals", goals[i]["goal_code"])] = page

    draw_table(sh, columns, body, lay.ruled, on_row)
    signature_block(sh, rows.get("signatories", []))
    placed.page_end = sh.page
    return placed


def mir_section(sh: Sheet, sec: dict, rows: dict[str, list[dict]], lay: Layout) -> Placed:
    placed = Placed()
    sh.fresh_page("landscape")
    placed.page_start = sh.page
    q = sec.get("quarter") or 1
    year = sec.get("fiscal_year")
    other = lay.wording in ("other", "synonyms")
    head = [("ALINEACIÓN AL PMD:", sec.get("axis")), ("PROGRAMA PRESUPUESTARIO:", sec.get("budget_program")),
            ("DEPENDENCIA:", sec.get("agency"))]
    if lay.boxed_header:
        label_value_block(sh, [(k, v or "") for k, v in head], lay, label_w=110)
    else:
        for _, v in head:
            if v:
                sh.para(v, bold=True, size=lay.size + 1.5, gap=1)
        sh.space(4)
    if other:
        sh.para(f"SEGUIMIENTO DE INDICADORES DE LA MATRIZ DE INDICADORES PARA RESULTADOS {year} - {ORDINAL[q]} TRIMESTRE",
                bold=True, size=lay.size + 1.5, align="center")
    spelling = PERIOD_SPELLINGS[lay.period_spelling if other else "trimestre"]
    qlab = spelling[q - 1]
    grp = f"SEGUIMIENTO DE METAS {year}" if other else f"AVANCE EN CUMPLIMIENTO DE METAS TRIMESTRAL Y ANUAL ACUMULADO {year}"
    programmed = f"PROGRAMADO {year}" if other else f"META PROGRAMADA {year}"
    reached = "REALIZADO" if other else f"META ALCANZADA {year}"
    ind = "INDICADOR"
    cols = {
        "unit_resp": Column("unit_resp", (ind, "UNIDAD RESPONSABLE" if other else "UNIDAD ADMINISTRATIVA RESPONSABLE"), 1.1, "left"),
        "level": Column("level", (ind, "NIVEL DE LA MIR" if other else "NIVEL"), 0.95, "left"),
        "objective": Column("objective", (ind, "RESUMEN NARRATIVO" if other else "OBJETIVOS"), 2.0, "left"),
        "indicator": Column("indicator", (ind, "NOMBRE DEL INDICADOR" if other else "INDICADOR"), 1.3, "left"),
        "freq": Column("freq", (ind, "FRECUENCIA" if other else "FRECUENCIA DE MEDICIÓN DEL INDICADOR"), 0.9, "center"),
        "unit": Column("unit", (ind, "UNIDAD DE MEDIDA" if other else "UNIDAD DE MEDIDA DEL INDICADOR Y DE SUS VARIABLES"), 1.1, "left"),
        "annual": Column("annual", (grp, programmed, "META ANUAL" if other else "ANUAL"), 0.75, "right"),
        **{f"t{p}": Column(f"t{p}", (grp, programmed, spelling[p - 1]), 0.75, "right") for p in range(1, 5)},
        "achieved": Column("achieved", (grp, reached, qlab), 0.75, "right"),
        "pct": Column("pct", (grp, "% DE AVANCE DEL TRIMESTRE" if other else f"PORCENTAJE DE AVANCE TRIMESTRAL {year}", qlab), 0.8, "right"),
        "cum": Column("cum", (grp, "% DE AVANCE ACUMULADO" if other else f"PORCENTAJE DE AVANCE TRIMESTRAL ACUMULADO {year}", qlab), 0.85, "right"),
        "just": Column("just", ("JUSTIFICACIÓN DEL AVANCE" if other else f"JUSTIFICACIÓN {ORDINAL[q]} TRIMESTRE DE AVANCE DE RESULTADOS {year}",), 2.0, "left"),
    }
    if lay.wording == "synonyms":
        grp, programmed, reached = f"AVANCE DE METAS {year}", "METAS PROGRAMADAS", "LOGRO"
        cols.update({
            "unit_resp": Column("unit_resp", (ind, "ÁREA EJECUTORA"), 1.1, "left"),
            "level": Column("level", (ind, "NIVEL DE OBJETIVO"), 0.95, "left"),
            "objective": Column("objective", (ind, "OBJETIVO"), 2.0, "left"),
            "indicator": Column("indicator", (ind, "DENOMINACIÓN DEL INDICADOR"), 1.3, "left"),
            "freq": Column("freq", (ind, "PERIODICIDAD"), 0.9, "center"),
            "unit": Column("unit", (ind, "UNIDADES DE MEDIDA"), 1.1, "left"),
            "annual": Column("annual", (grp, programmed, "PROGRAMADO ANUAL"), 0.75, "right"),
            **{f"t{p}": Column(f"t{p}", (grp, programmed, spelling[p - 1]), 0.75, "right") for p in range(1, 5)},
            "achieved": Column("achieved", (grp, reached, qlab), 0.75, "right"),
            "pct": Column("pct", (grp, "% DE CUMPLIMIENTO TRIMESTRAL", qlab), 0.8, "right"),
            "cum": Column("cum", (grp, "% DE CUMPLIMIENTO ACUMULADO", qlab), 0.85, "right"),
            "just": Column("just", ("CAUSAS DE LA VARIACIÓN",), 2.0, "left"),
        })
    order = (["level", "objective", "indicator", "unit_resp", "unit", "freq", "annual", "t1", "t2", "t3", "t4",
              "just", "achieved", "pct", "cum"] if lay.column_order == "moved" else
             ["unit_resp", "level", "objective", "indicator", "freq", "unit", "annual", "t1", "t2", "t3", "t4",
              "achieved", "pct", "cum", "just"])
    if lay.column_order == "shuffled":
        # the columns under the progress group stay together: the programmed block
        # (annual and the quarters) and the reported quarter's three in any order
        group = [x for part in shuffled([["annual", "t1", "t2", "t3", "t4"], ["achieved"], ["pct"], ["cum"]], lay)
                 for x in part]
        text = shuffled(["unit_resp", "level", "objective", "indicator", "freq", "unit", "just"], lay)
        at = random.Random(lay.shuffle + 1).randrange(len(text) + 1)
        order = text[:at] + group + text[at:]
    if lay.code_column:  # the objective's code in a column of its own, before the objective without it
        label = re.sub(r"\s+DE(?: LA)? META$", "", lay.code_column)  # (an objective's, not a goal's)
        cols["code"] = Column("code", (ind, label), 0.55, "center")
        order.insert(order.index("objective"), "code")
    columns = [cols[k] for k in order]
    targets: dict[str, dict[int, float | None]] = {}
    for mp in rows.get("mir_periods", []):
        targets.setdefault(mp["objective_code"], {})[mp["period"]] = mp.get("target")
    mrows = rows.get("mir_rows", [])
    body = []
    for m in mrows:
        units = [f"UNIDAD DE MEDIDA DEL INDICADOR: {m['indicator_unit']}"] if m.get("indicator_unit") else []
        if m.get("variables_unit"):
            units.append(f"UNIDAD DE MEDIDA DE LAS VARIABLES: {m['variables_unit']}")
        vals = {
            "unit_resp": Cell(m.get("responsible_unit") or ""), "level": Cell(m.get("level") or ""),
            "objective": Cell((m.get("objective") or "") if lay.code_column else
                              f"{m['objective_code']}: {m.get('objective') or ''}"),
            "code": Cell(m["objective_code"]),
            "indicator": Cell(f"{m.get('indicator_acronym') or ''}: {m.get('indicator_name') or ''}"),
            "freq": Cell(m.get("frequency") or ""), "unit": Cell("\n".join(units)),
            "annual": Cell(fmt_number(m.get("annual_target"), lay)),
            "achieved": Cell(fmt_number(m.get("achieved"), lay)),
            "pct": Cell(fmt_pct2(m.get("pct_period"), lay)), "cum": Cell(fmt_pct2(m.get("pct_cumulative"), lay)),
            # some templates print the cell's label, others only the text
            "just": Cell((justification_text(m.get("justification")) if other else m.get("justification")) or ""),
        }
        for p in range(1, 5):
            vals[f"t{p}"] = Cell(fmt_number(targets.get(m["objective_code"], {}).get(p), lay))
        body.append([vals[c.key] for c in columns])

    def on_row(i: int, page: int) -> None:
        placed.row_pages[("mir_rows", mrows[i]["objective_code"])] = page

    draw_table(sh, columns, body, lay.ruled, on_row)
    signature_block(sh, rows.get("signatories", []))
    mun = (sec.get("municipality") or "").upper()
    if mun:
        sh.para(f"MUNICIPIO DE {mun}", bold=True, align="center", gap=1)
        if sec.get("agency"):
            sh.para(sec["agency"], bold=True, align="center")
    placed.page_end = sh.page
    return placed


# SCHEMA.md: a MIR justification is stored without the label its cell prints first
# (`Justificación Trimestral:`); the dev truth files keep the label, the rendered truth does not.
_JUSTIFICATION_LABEL = re.compile(r"^\s*justificaci[oó]n(?:\s+\w+){0,3}\s*:\s*", re.IGNORECASE)


def justification_text(text: str | None) -> str | None:
    if text is None:
        return None
    return _JUSTIFICATION_LABEL.sub("", text, count=1).strip() or None


def fmt_pct2(v: float | None, lay: Layout) -> str:
    """MIR percentages are printed with two decimals in every template seen."""
    return "" if v is None else f"{float(v):.2f}%"


def sheet_section(sh: Sheet, sec: dict, rows: dict[str, list[dict]], lay: Layout) -> Placed:
    placed = Placed()
    sh.fresh_page("portrait")
    placed.page_start = sh.page
    ind = (rows.get("indicators") or [{}])[0]
    other = lay.wording == "other"
    year = sec.get("fiscal_year")
    title_block(sh, ["FICHA DE INDICADOR DE DESEMPEÑO " + str(year) if other else f"FICHA TÉCNICA DE INDICADOR {year}",
                     sec.get("government") or ""])
    ident = [("NOMBRE DEL INDICADOR:", ind.get("name") or ""), ("CLAVE:" if not other else "CLAVE DEL INDICADOR:", ind.get("indicator_code") or ""),
             ("DEPENDENCIA:" if not other else "DEPENDENCIA/ENTIDAD:", ind.get("entity_code") or "")]
    pmd = [("Eje Público:" if not other else "Eje del PMD:", ind.get("pmd_axis") or ""),
           ("Estrategia:", ind.get("pmd_strategy") or "")]
    for n, code in enumerate(ind.get("pmd_lines") or [], start=1):
        pmd.append((f"Línea de Acción{'' if n == 1 else ' ' + str(n)}:", code))
    struct = []
    for label, k in (("Ramo:", "ramo"), ("Unidad Ejecutora:" if not other else "Unidad Responsable:", "unidad"),
                     ("Finalidad:", "finalidad"), ("Función:", "funcion"), ("Subfunción:", "subfuncion"),
                     ("Programa:", "programa")):
        code, name = sec.get(f"{k}_code"), sec.get(f"{k}_name")
        if code or name:
            struct.append((label, " - ".join(x for x in (code, name) if x)))
    general = [("Objetivo del Indicador:", ind.get("objective") or ""),
               ("Interpretación o Lectura:" if not other else "Interpretación:", ind.get("interpretation") or ""),
               ("Fórmula:" if not other else "Método de cálculo:", ind.get("formula") or ""),
               ("Unidad de medida del resultado:", ind.get("result_unit") or ""),
               ("Frecuencia de medición:", ind.get("frequency") or "")]
    direction = {">=": ">= (Incremento)", "<=": "<= (Decremento)", "=": "= (Constante)"}.get(ind.get("target_direction") or "", ind.get("target_direction") or "")
    meta = [("Sentido de la meta:", direction),
            (f"Meta Anual {year}:", fmt_plain(ind.get("target_annual"))),
            ("Meta Trienio:", fmt_plain(ind.get("target_triennial")))]

    def block(title: str, pairs: list[tuple[str, str]]) -> None:
        sh.para(title, bold=True, size=lay.size + 1)
        label_value_block(sh, pairs, lay, label_w=130)

    def variables() -> None:
        vs = rows.get("indicator_variables", [])
        if not vs:
            return
        sh.para("Variables:", bold=True, size=lay.size + 1)
        cols = [Column("key", ("CLAVE",), 0.8, "left"), Column("desc", ("DESCRIPCIÓN",), 3, "left"),
                Column("unit", ("UNIDAD DE MEDIDA",), 1.6, "left"), Column("src", ("FUENTE DE DATOS" if not other else "MEDIO DE VERIFICACIÓN",), 2, "left")]
        if lay.column_order == "moved":
            cols = [cols[0], cols[1], cols[3], cols[2]]
        elif lay.column_order == "shuffled":
            cols = shuffled(cols, lay)
        draw_table(sh, cols, [[Cell({"key": v.get("key"), "desc": v.get("description"), "unit": v.get("unit"),
                                     "src": v.get("source")}[c.key] or "") for c in cols] for v in vs], lay.ruled)

    def ranges() -> None:
        if ind.get("red_min") is None and ind.get("green_max") is None:
            return
        sh.para("Rango de Valor (Semaforización):" if not other else "Parámetros de semaforización:", bold=True, size=lay.size + 1)
        cols = [Column(c, (c.upper(),), 1, "center") for c in ("rojo", "amarillo", "verde")]
        if lay.two_column:
            pairs = [(f"{c.upper()}:", f"{fmt_plain(ind.get(k + '_min'))} - {fmt_plain(ind.get(k + '_max'))}")
                     for c, k in (("rojo", "red"), ("amarillo", "yellow"), ("verde", "green"))]
            label_value_block(sh, pairs, lay, label_w=70)
            return
        draw_table(sh, cols, [[Cell(f"{fmt_plain(ind.get(k + '_min'))} - {fmt_plain(ind.get(k + '_max'))}")
                               for k in ("red", "yellow", "green")]], lay.ruled, width=sh.width * 0.6)

    def baselines() -> None:
        bs = rows.get("indicator_baselines", [])
        if not bs:
            return
        sh.para("Línea base:" if not other else "Línea base y metas por periodo:", bold=True, size=lay.size + 1)
        spelling = PERIOD_SPELLINGS["long" if not other else lay.period_spelling]
        cols = [Column("p", ("PERIODO",), 1.5, "left"), Column("b", ("VALOR BASE",), 1, "right"), Column("t", ("VALOR META",), 1, "right")]
        if lay.column_order == "moved":
            cols = [cols[0], cols[2], cols[1]]
        elif lay.column_order == "shuffled":
            cols = [cols[0]] + shuffled(cols[1:], lay)
        draw_table(sh, cols, [[Cell({"p": spelling[b["period"] - 1], "b": fmt_plain(b.get("base_value")),
                                     "t": fmt_plain(b.get("target_value"))}[c.key]) for c in cols] for b in bs],
                   lay.ruled, width=sh.width * 0.6)

    label_value_block(sh, ident, replace(lay, boxed_header=True) if lay.boxed_header or lay.ruled else lay, label_w=120)
    block("1. Liga al PMD:" if not other else "Alineación al Plan Municipal de Desarrollo:", pmd)
    block("2. Estructura Programática:" if not other else "Clasificación programática:", struct)
    if lay.column_order == "moved":
        block("Datos del indicador:", general + meta)
        baselines()
        ranges()
        variables()
    else:
        block("Datos del indicador:", general)
        variables()
        ranges()
        baselines()
        block("Meta del indicador:", meta)
    sigs = rows.get("signatories", [])
    if sigs:
        sh.ensure(120)
        sh.para("VALIDACIÓN DEL INDICADOR", bold=True, align="center")
        signature_block(sh, sigs)
    placed.page_end = sh.page
    return placed


def report_section(sh: Sheet, sec: dict, rows: dict[str, list[dict]], lay: Layout,
                   descriptions: dict[str, str] | None = None) -> Placed:
    placed = Placed()
    sh.fresh_page("portrait")
    placed.page_start = sh.page
    descriptions = descriptions or {}
    ind = (rows.get("indicators") or [{}])[0]
    other = lay.wording == "other"
    year = sec.get("fiscal_year")
    title_block(sh, [f"REPORTE DE AVANCE DEL INDICADOR {year}" if other else f"REPORTE DE INDICADOR {year}",
                     sec.get("government") or ""])
    sh.para(ind.get("name") or "", bold=True, size=lay.size + 2, align="center")
    pairs = [("Clave del indicador:", ind.get("indicator_code") or ""),
             ("Eje:", ind.get("pmd_axis") or ""), ("Estrategia:", ind.get("pmd_strategy") or "")]
    for code in ind.get("pmd_lines") or []:
        pairs.append(("Línea de acción:", code))
    pairs += [("Programa:", " - ".join(x for x in (sec.get("programa_code"), sec.get("programa_name")) if x)),
              ("Dependencia/Entidad:", ind.get("entity_code") or ""),
              ("Interpretación:", ind.get("interpretation") or ""),
              ("Objetivo del indicador:", ind.get("objective") or ""),
              ("Fórmula:", ind.get("formula") or ""),
              ("Unidad de Medida:", ind.get("result_unit") or ""),
              ("Frecuencia:", ind.get("frequency") or ""),
              ("Meta Anual:", fmt_plain(ind.get("target_annual"), 1))]
    label_value_block(sh, pairs, lay, label_w=110)
    values = rows.get("indicator_values", [])
    keys: list[str] = []
    for v in values:
        if v["variable_key"] not in keys:
            keys.append(v["variable_key"])
    by = {(v["variable_key"], v["period"]): v.get("value") for v in values}
    spelling = PERIOD_SPELLINGS["long" if not other else lay.period_spelling]
    # results: the formula's left-hand variable against the annual target, per period
    m = re.match(r"\s*(\w+)\s*=", ind.get("formula") or "")
    result_key = m.group(1) if m and m.group(1) in keys else None
    target = ind.get("target_annual")
    if result_key and target is not None:
        sh.para("Resultados del indicador" if not other else "Avance del indicador por periodo", bold=True, size=lay.size + 1)
        rcols = [Column("r", ("",), 1.2, "left")] + [Column(f"p{p}", (spelling[p - 1],), 1, "right") for p in range(1, 5)]
        res = [by.get((result_key, p)) for p in range(1, 5)]
        rrows = [[Cell("META", True)] + [Cell(fmt_plain(target, 1)) for _ in range(4)],
                 [Cell("RESULTADO", True)] + [Cell("" if r is None else f"{float(r):.2f}".rstrip("0").rstrip(".")) for r in res],
                 [Cell("Avance", True)] + [Cell("" if r is None or not target else f"{r / target * 100:.1f}%") for r in res]]
        if lay.column_order == "moved":
            rrows = [rrows[1], rrows[0], rrows[2]]
        draw_table(sh, rcols, rrows, lay.ruled, width=sh.width * 0.8)
    sh.para("Desglose de variables con valores capturados al último periodo" if not other else "Valores de las variables por periodo",
            bold=True, size=lay.size + 1)
    labels = [str(p) for p in range(1, 5)] if not other else spelling
    cols = ([Column("k", ("CLAVE",), 0.8, "left"), Column("d", ("DESCRIPCIÓN",), 2.6, "left")]
            + [Column(f"v{p}", ("PERIODO", labels[p - 1]), 0.8, "right") for p in range(1, 5)])
    if not any(descriptions.get(k) for k in keys):
        cols = [c for c in cols if c.key != "d"]
    if lay.column_order == "moved":
        cols = [c for c in cols if c.key.startswith("v")] + [c for c in cols if not c.key.startswith("v")]
    elif lay.column_order == "shuffled":
        text = shuffled([c for c in cols if not c.key.startswith("v")], lay)
        at = random.Random(lay.shuffle + 1).randrange(len(text) + 1)
        cols = text[:at] + [c for c in cols if c.key.startswith("v")] + text[at:]
    body = []
    for k in keys:
        cells = {"k": Cell(k), "d": Cell(descriptions.get(k) or "")}
        for p in range(1, 5):
            cells[f"v{p}"] = Cell(fmt_number(by.get((k, p)), lay))
        body.append([cells[c.key] for c in cols])
    draw_table(sh, cols, body, lay.ruled, width=sh.width * 0.9)
    signature_block(sh, rows.get("signatories", []))
    placed.page_end = sh.page
    return placed


SECTION_RENDERERS = {"poa_avance": poa_section, "mir_avance": mir_section,
                     "indicator_sheet": sheet_section, "indicator_report": report_section}


# --------------------------------------------------------------------------
# truth: selecting sections, later quarters, rewriting pages
# --------------------------------------------------------------------------

def load_truth(path: str | Path) -> dict:
    with open(path, encoding="utf-8") as fh:
        return json.load(fh)


def section_rows(truth: dict, sps: int) -> dict[str, list[dict]]:
    t = truth["tables"]
    return {name: [r for r in t.get(name, []) if r.get("section_page_start") == sps]
            for name in PER_SECTION_TABLES + ("mir_rows", "mir_periods")}


def families_of(truth: dict) -> set[str]:
    return {s.get("family") for s in truth["tables"].get("sections", [])}


def select_sections(truth: dict, families: tuple[str, ...] | list[str], max_sections: int | None = None) -> dict:
    """A copy of `truth` that keeps only sections of `families` (and their rows, flags, uncertain)."""
    secs = [s for s in truth["tables"].get("sections", []) if s.get("family") in families]
    if max_sections:
        secs = secs[:max_sections]
    keep = {s["section_page_start"] for s in secs}
    out = copy.deepcopy(truth)
    for name, rows in out["tables"].items():
        out["tables"][name] = [r for r in rows if r.get("section_page_start") in keep]
    out["expected_flags"] = [f for f in out.get("expected_flags", []) if f.get("section_page_start") in keep]
    out["uncertain"] = [u for u in out.get("uncertain", []) if u.get("section_page_start") in keep]
    return out


def _like(template: float | None, value: float) -> float:
    """`value` rounded the way `template` is printed (whole numbers stay whole)."""
    if template is not None and float(template).is_integer():
        return float(round(value))
    return round(value, 2)


def later_quarter_truth(truth: dict, quarter: int, seed: int) -> dict:
    """The same content reported at `quarter`: achieved filled up to it, progress recomputed.

    Programmed values and annual targets stay as printed (so their sum checks and
    flags stay); absolute/relative progress (POA), achieved and percentages (MIR) and
    the captured variables (indicator reports) are derived again, so the printed
    figures agree and the flags on recomputed fields are dropped.
    """
    rng = random.Random(f"later:{seed}:{truth.get('file_name')}")
    out = copy.deepcopy(truth)
    t = out["tables"]
    months = quarter * 3
    for s in t.get("sections", []):
        if s.get("family") in ("poa_avance", "mir_avance"):
            s["quarter"] = quarter
            if s.get("report_date"):
                s["report_date"] = f"{s['report_date'][:4]}-{months:02d}"
    recomputed = {("goals", "absolute_progress"), ("goals", "relative_progress"),
                  ("mir_rows", "pct_period"), ("mir_rows", "pct_cumulative"), ("mir_rows", "achieved")}
    # POA
    per_goal: dict[tuple[int, str], list[dict]] = {}
    for gp in t.get("goal_periods", []):
        per_goal.setdefault((gp["section_page_start"], gp["goal_code"]), []).append(gp)
    for g in t.get("goals", []):
        gps = sorted(per_goal.get((g["section_page_start"], g["goal_code"]), []), key=lambda r: r["period"])
        total = 0.0
        for gp in gps:
            if gp["period"] > quarter:
                gp["achieved"] = None
                continue
            if gp["period"] > 1 or gp.get("achieved") is None:
                prog = gp.get("programmed") or 0.0
                gp["achieved"] = _like(prog, prog * rng.uniform(0.7, 1.2))
            total += gp["achieved"] or 0.0
        g["absolute_progress"] = total
        annual = g.get("annual_target")
        g["relative_progress"] = round(total / annual * 100, 2) if annual else None
    # MIR
    mtargets: dict[str, dict[int, float | None]] = {}
    for mp in t.get("mir_periods", []):
        mtargets.setdefault(mp["objective_code"], {})[mp["period"]] = mp.get("target")
    for m in t.get("mir_rows", []):
        tg = mtargets.get(m["objective_code"], {})
        done = []
        for p in range(1, quarter + 1):
            target = tg.get(p) or 0.0
            done.append(m["achieved"] if p == 1 and m.get("achieved") is not None else _like(target, target * rng.uniform(0.6, 1.15)))
        m["achieved"] = done[-1]
        tq = tg.get(quarter)
        m["pct_period"] = round(done[-1] / tq * 100, 2) if tq else None
        annual = m.get("annual_target")
        m["pct_cumulative"] = round(sum(done) / annual * 100, 2) if annual else None
    # indicator reports: variables captured for the later periods, the result by its formula
    formulas = {i["section_page_start"]: i.get("formula") for i in t.get("indicators", [])}
    vals: dict[tuple[int, str, int], dict] = {(v["section_page_start"], v["variable_key"], v["period"]): v
                                              for v in t.get("indicator_values", [])}
    for sps, formula in formulas.items():
        m = re.fullmatch(r"\s*(\w+)\s*=\s*\(\s*(\w+)\s*/\s*(\w+)\s*\)\s*\*\s*100\s*", formula or "")
        if not m:
            continue
        result, num, den = m.groups()
        for p in range(2, quarter + 1):
            cells = [vals.get((sps, k, p)) for k in (result, num, den)]
            base = [vals.get((sps, k, 1)) for k in (num, den)]
            if None in cells or None in base or not base[1].get("value"):
                continue
            d = float(round(base[1]["value"] * rng.uniform(0.85, 1.15)))
            n = float(round(d * min(1.0, (base[0]["value"] or 0) / base[1]["value"] * rng.uniform(0.9, 1.05))))
            cells[2]["value"], cells[1]["value"] = d, n
            cells[0]["value"] = round(n / d * 100, 1)
    out["expected_flags"] = [f for f in out.get("expected_flags", [])
                             if (f.get("table"), f.get("field")) not in recomputed]
    return out


def _repage(truth: dict, placed: dict[int, Placed]) -> dict:
    """Rewrite every page number of `truth` to where the renderer put it."""
    out = copy.deepcopy(truth)
    t = out["tables"]
    for s in t.get("sections", []):
        pl = placed[s["section_page_start"]]
        s["page_start"], s["page_end"] = pl.page_start, pl.page_end
    for name, rows in t.items():
        for r in rows:
            old = r.get("section_page_start")
            if name == "goals":
                r["page"] = placed[old].row_pages[("goals", r["goal_code"])]
            if name == "mir_rows":
                r["page"] = placed[old].row_pages[("mir_rows", r["objective_code"])]
    for name, rows in t.items():
        for r in rows:
            if "section_page_start" in r:
                r["section_page_start"] = placed[r["section_page_start"]].page_start
    for lst in (out.get("expected_flags", []), out.get("uncertain", [])):
        for f in lst:
            if f.get("section_page_start") in placed:
                f["section_page_start"] = placed[f["section_page_start"]].page_start
    return out


def _draw(truth: dict, lay: Layout, out: Any, total_pages: int) -> tuple[dict[int, Placed], int]:
    note = ""
    sh = Sheet(out, lay, "landscape", total_pages, note)
    placed: dict[int, Placed] = {}
    # a report names its variables as the indicator's sheet describes them
    descriptions = {v["key"]: v.get("description") for v in truth["tables"].get("indicator_variables", [])}
    for sec in truth["tables"].get("sections", []):
        sps = sec["section_page_start"]
        rows = section_rows(truth, sps)
        if sec["family"] == "indicator_report":
            placed[sps] = report_section(sh, sec, rows, lay, descriptions)
        else:
            placed[sps] = SECTION_RENDERERS[sec["family"]](sh, sec, rows, lay)
    pages = sh.page
    sh.finish()
    return placed, pages


def render(truth: dict, kind: str, pdf_path: str | Path, seed: int = 0) -> dict:
    """Print `truth`'s sections in the layout of `kind` to `pdf_path`; write and return its truth.

    Sections of families the renderer does not draw are dropped from the truth.
    """
    lay = layout_for(kind, seed)
    truth = select_sections(truth, FAMILIES)
    if lay.quarter:
        truth = later_quarter_truth(truth, lay.quarter, seed)
    _, pages = _draw(truth, lay, io.BytesIO(), 0)  # first pass: count pages for "Página X de Y"
    pdf_path = Path(pdf_path)
    with open(pdf_path, "wb") as fh:
        placed, _ = _draw(truth, lay, fh, pages)
    new = _repage(truth, placed)
    for m in new["tables"].get("mir_rows", []):
        if "justification" in m:
            m["justification"] = justification_text(m["justification"])
    new["file_name"] = pdf_path.name
    new["variant"] = "digital"
    new["layout"] = {"kind": kind, "seed": seed, **{k: v for k, v in vars(lay).items() if k != "kind"}}
    with open(truth_path_for(pdf_path), "w", encoding="utf-8") as fh:
        json.dump(new, fh, ensure_ascii=False, indent=1)
    return new


def truth_path_for(pdf_path: str | Path) -> Path:
    p = Path(pdf_path)
    return p.with_name(p.name[:-len(p.suffix)] + ".truth.json")


def main(argv: list[str] | None = None) -> int:
    import argparse

    ap = argparse.ArgumentParser(description="render truth files' content in another layout")
    ap.add_argument("truth", nargs="+", help="*.truth.json files")
    ap.add_argument("--kind", choices=KINDS, required=True)
    ap.add_argument("--families", default=",".join(FAMILIES))
    ap.add_argument("--out", required=True, help="folder for NAME.KIND.pdf and its truth")
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args(argv)
    Path(args.out).mkdir(parents=True, exist_ok=True)
    for tp in args.truth:
        t = select_sections(load_truth(tp), args.families.split(","))
        if not t["tables"].get("sections"):
            continue
        stem = Path(tp).name.replace(".truth.json", "")
        pdf = Path(args.out) / f"{stem}.{args.kind}.pdf"
        render(t, args.kind, pdf, document_seed(args.kind, args.seed, tp))
        print(pdf)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
