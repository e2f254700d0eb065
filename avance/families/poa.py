"""POA avance programático: header block, PMD action lines and the goal table."""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Optional, Sequence

from ..extractors.grid import Column, assign_blocks, horizontal_edges, intervals, line_pitch, vertical_edges_at
from ..extractors.layout import TextLine, collapse, fold, group_lines, typical_char_width
from ..normalizers.codes import join_code_lines, segment_codes
from ..normalizers.numbers import parse_number
from ..records import ActionLine, Family, Goal, GoalPeriod, Page, SectionInfo, SectionResult, Word
from . import common
from .base import FamilySpec, PageMark

PERIOD_LABELS = {1: "Ene-Mar", 2: "Abr-Jun", 3: "Jul-Sep", 4: "Oct-Dic"}
_QUARTER_HEADS = {"ENE": 1, "ABR": 2, "JUL": 3, "OCT": 4}

# Header labels, folded, in the order they usually appear. Each maps to the
# SectionInfo fields (code, name) it fills.
HEADER_LABELS: tuple[tuple[str, str], ...] = (
    (r"C\.?\s*ADMINISTRATIVA|CLASIFICACION ADMINISTRATIVA", "admin_class"),
    (r"RAMO|DEPENDENCIA", "ramo"),
    (r"PROGRAMA(?!\s+OPERATIVO)(?:\s+PRESUPUESTARIO)?", "programa"),
    (r"UNIDAD\s+(?:EJECUTORA|RESPONSABLE)", "unidad"),
    (r"FINALIDAD", "finalidad"),
    (r"SUBFUNCION|SUB\s*FUNCION", "subfuncion"),
    (r"FUNCION", "funcion"),
)
ACTION_LINES_LABEL = r"LINEAS?\s+DE\s+ACCION"
_CODE = re.compile(r"^\d{1,2}(?:\.\d{1,2}){1,4}\.?$")
_GOAL_CODE = re.compile(r"^(M\s?\.?\s?\d{1,4}|\d{1,4})(\s*(?:\.-|-|\.|\)|:))?\s*(.*)$", re.IGNORECASE)


# --------------------------------------------------------------------------
# detection
# --------------------------------------------------------------------------

def detect(page: Page) -> Optional[PageMark]:
    lines = group_lines(page.words)
    head = " ".join(l.folded for l in lines[:12])
    if "EVALUACION" in head:
        return None
    is_poa = "AVANCE PROGRAMATICO" in head or (
        "PROGRAMA OPERATIVO ANUAL" in head and any("P.M.D" in l.folded or "METAS/ACCIONES" in l.folded for l in lines)
    )
    if not is_poa:
        return None
    unidad = _header_values(lines).get("unidad")
    key = " ".join(v for v in unidad if v) if unidad else None
    return PageMark(Family.POA_AVANCE, key)


# --------------------------------------------------------------------------
# header block
# --------------------------------------------------------------------------

def _match_label(line: TextLine) -> Optional[tuple[str, int]]:
    """(field, number of label words) when the line starts with a header label."""
    words = [fold(w.text) for w in line.words]
    for n in (3, 2, 1):
        if len(words) < n:
            continue
        head = " ".join(words[:n]).rstrip(":")
        for pattern, name in HEADER_LABELS:
            if re.fullmatch(pattern, head):
                # "PROGRAMA OPERATIVO ANUAL" is a title, not the PROGRAMA label
                if name == "programa" and len(words) > n and fold(words[n]).startswith("OPERATIVO"):
                    return None
                return name, n
    return None


def _split_code(words: Sequence[Word]) -> tuple[Optional[str], Optional[str]]:
    tokens = [w.text for w in words if w.text not in (":",)]
    if tokens and tokens[0].startswith(":"):
        tokens[0] = tokens[0][1:]
        tokens = [t for t in tokens if t]
    if tokens and re.fullmatch(r"[\dA-Z]{1,6}(?:[.-]\d+)*", tokens[0]) and any(c.isdigit() for c in tokens[0]):
        return tokens[0], collapse(" ".join(tokens[1:]))
    return None, collapse(" ".join(tokens))


def _header_values(lines: Sequence[TextLine]) -> dict[str, tuple[Optional[str], Optional[str]]]:
    values: dict[str, tuple[Optional[str], Optional[str]]] = {}
    last: Optional[str] = None
    prev_bottom = 0.0
    name_x0 = 0.0
    for line in lines:
        if re.match(ACTION_LINES_LABEL, line.folded) or "PERIODO" == line.folded:
            break
        hit = _match_label(line)
        if hit and hit[0] not in values:
            name, n = hit
            values[name] = _split_code(line.words[n:])
            code_words = 1 if values[name][0] else 0
            rest = line.words[n + code_words :]
            name_x0 = rest[0].x0 if rest else 0.0
            last = name
        elif hit:
            last = None
        elif last and values[last][1] and abs(line.x0 - name_x0) < 3 and line.top - prev_bottom < line.height:
            # a long name wrapped onto the next line, under its own first word
            code, text = values[last]
            values[last] = (code, collapse(f"{text} {line.text}"))
        else:
            last = None
        prev_bottom = line.bottom
    return values


def _action_lines(lines: Sequence[TextLine], table_top: float) -> list[ActionLine]:
    start = next((i for i, l in enumerate(lines) if re.match(ACTION_LINES_LABEL, l.folded)), None)
    if start is None:
        return []
    entries: list[list[str]] = []
    for i, line in enumerate(lines[start:]):
        if line.top >= table_top:
            break
        words = list(line.words)
        if i == 0:  # drop the label words
            label_len = len(re.match(ACTION_LINES_LABEL + r":?", line.folded).group(0).split())
            words = words[label_len:]
        for w in words:
            if _CODE.match(w.text):
                entries.append([w.text.rstrip(".")])
            elif entries:
                entries[-1].append(w.text)
    out, seen = [], set()
    for e in entries:
        if e[0] in seen:
            continue
        seen.add(e[0])
        out.append(ActionLine(code=e[0], description=collapse(" ".join(e[1:]))))
    return out


def _section_info(pages: Sequence[Page]) -> SectionInfo:
    lines = group_lines(pages[0].words)
    values = _header_values(lines)
    government = common.find_government(lines)
    kwargs = {}
    for name in ("admin_class", "ramo", "programa", "unidad", "finalidad", "funcion", "subfuncion"):
        code, text = values.get(name, (None, None))
        kwargs[f"{name}_code"], kwargs[f"{name}_name"] = code, text
    year = common.find_fiscal_year(lines)
    return SectionInfo(
        family=Family.POA_AVANCE.value, page_start=pages[0].number, page_end=pages[-1].number,
        government=government,
        municipality=common.find_municipality(lines) or common.municipality_from_government(government),
        fiscal_year=year, quarter=common.find_quarter(lines), report_date=common.find_report_date(lines, year),
        period_label=_period_label(lines), **kwargs,
    )


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

    def get(self, name: str) -> Optional[Column]:
        return next((c for c in self.columns if c.name == name), None)


def _pa_line(lines: Sequence[TextLine]) -> Optional[TextLine]:
    for line in lines:
        toks = [w.text for w in line.words]
        if len(toks) >= 6 and sum(t in ("P", "A") for t in toks) >= 0.75 * len(toks):
            return line
    return None


def _name_column(text: str) -> Optional[str]:
    if "P.M.D" in text or "LINEA" in text:
        return "pmd"
    if "DESCRIP" in text:
        return "description"
    if "UNIDAD" in text or "MEDIDA" in text:
        return "unit"
    if "ABSOLUT" in text:
        return "absolute_progress"
    if "RELATIV" in text:
        return "relative_progress"
    if "OBSERV" in text:
        return "observations"
    if "META" in text or "ANUAL" in text:
        return "annual_target"
    return None


def _table_layout(page: Page, lines: Sequence[TextLine]) -> Optional[TableLayout]:
    pa = _pa_line(lines)
    if pa is None:
        return None
    idx = lines.index(pa)
    header_lines = [l for l in lines[max(0, idx - 8) : idx + 1] if pa.top - l.top < 80]
    # the header starts at PERIODO or at the first line naming a column
    while header_lines and not any(k in header_lines[0].folded for k in ("PERIODO", "LINEA", "DESCRIP", "META", "UNIDAD")):
        header_lines = header_lines[1:]
    header_words = [w for l in header_lines for w in l.words]
    edges = vertical_edges_at(page.rules, pa.ymid)
    spans = intervals(edges)
    if len(spans) < 8:
        spans = _spans_from_words(header_lines, pa)
    columns: list[Column] = []
    quarter_heads = [(w, _QUARTER_HEADS.get(fold(w.text)[:3])) for w in header_words]
    quarter_heads = [(w, q) for w, q in quarter_heads if q]
    pa_columns: list[Column] = []
    for x0, x1 in spans:
        inside = [w for w in header_words if x0 <= w.xmid < x1]
        pa_tokens = [w for w in pa.words if x0 <= w.xmid < x1]
        if len(pa_tokens) == 1 and len(inside) <= 3 and pa_tokens[0].text in ("P", "A"):
            col = Column(pa_tokens[0].text, x0, x1)
            pa_columns.append(col)
            columns.append(col)
            continue
        name = _name_column(" ".join(fold(w.text) for w in inside))
        if name and not any(c.name == name for c in columns):
            columns.append(Column(name, x0, x1))
    period_columns: dict[tuple[int, str], Column] = {}
    for i, col in enumerate(pa_columns):
        over = [q for w, q in quarter_heads if w.x0 - 2 <= (col.x0 + col.x1) / 2 <= w.x1 + 2 or col.x0 <= w.xmid < col.x1]
        if not over:  # the quarter label sits over a P/A pair: nearest label
            over = [min(quarter_heads, key=lambda wq: abs(wq[0].xmid - (col.x0 + col.x1) / 2))[1]] if quarter_heads else [i // 2 + 1]
        period_columns[(over[0], col.name)] = col
    if len(period_columns) < 8:
        period_columns = {(i // 2 + 1, c.name): c for i, c in enumerate(pa_columns[:8])}
    return TableLayout(columns=[c for c in columns if c.name not in ("P", "A")], top=pa.bottom,
                       bottom=page.height, period_columns=period_columns)


def _spans_from_words(header_lines: Sequence[TextLine], pa: TextLine) -> list[tuple[float, float]]:
    """Column spans when the header has no rules: P/A tokens and label groups,
    with boundaries halfway between neighbours."""
    char = typical_char_width([w for l in header_lines for w in l.words])
    groups: list[tuple[float, float]] = [(w.x0, w.x1) for w in pa.words]
    for line in header_lines:
        if line is pa:
            continue
        for w in line.words:
            if pa.words[0].x0 - char <= w.xmid <= pa.words[-1].x1 + char:
                continue  # the PERIODO block lies over the P/A columns
            for i, (a, b) in enumerate(groups):
                if w.x0 <= b + 1.5 * char and w.x1 >= a - 1.5 * char:
                    groups[i] = (min(a, w.x0), max(b, w.x1))
                    break
            else:
                groups.append((w.x0, w.x1))
    groups.sort()
    merged: list[tuple[float, float]] = []
    for a, b in groups:
        if merged and a < merged[-1][1] and (b - a) > 3 * char:
            merged[-1] = (merged[-1][0], max(b, merged[-1][1]))
        else:
            merged.append((a, b))
    edges = [0.0] + [(merged[i][1] + merged[i + 1][0]) / 2 for i in range(len(merged) - 1)] + [10_000.0]
    return list(zip(edges, edges[1:]))


@dataclass
class RawGoal:
    page: int
    code_text: str
    description: list[str]
    cells: dict[str, list[TextLine]]


def _body_bottom(lines: Sequence[TextLine], top: float, default: float) -> float:
    for line in lines:
        if line.top > top and re.search(r"\b(ELABORO|REVISO|AUTORIZO|SUPERVISO)\b", line.folded):
            return line.top - 1
    return default


def _goal_start(line: TextLine) -> bool:
    first = line.words[0].text
    if re.fullmatch(r"M\.?\d{1,4}\.?", first, re.IGNORECASE):
        return True
    if re.fullmatch(r"\d{1,4}(\.-|-|\.)", first) or re.fullmatch(r"\d{1,4}(\.-|-)\S.*", first):
        return True
    if re.fullmatch(r"\d{1,4}", first) and len(line.words) > 1 and line.words[1].text[:1] in "-.":
        return True
    return False


def _page_goals(page: Page) -> list[RawGoal]:
    lines = group_lines(page.words)
    layout = _table_layout(page, lines)
    if layout is None or layout.get("description") is None:
        return []
    bottom = _body_bottom(lines, layout.top, page.height)
    body = [w for w in page.words if layout.top < w.ymid < bottom]
    desc_col = layout.get("description")
    desc_lines = group_lines([w for w in body if desc_col.holds(w)])
    chunks: list[list[TextLine]] = []
    for line in desc_lines:
        if _goal_start(line) or not chunks:
            chunks.append([line])
        else:
            chunks[-1].append(line)
    chunks = [c for c in chunks if _goal_start(c[0])]
    if not chunks:
        return []
    annual = layout.get("annual_target")
    numbers_lines = group_lines([w for w in body if annual and annual.holds(w) and parse_number(w.text) is not None])
    centers = []
    for chunk in chunks:
        top, bot = chunk[0].top, chunk[-1].bottom
        inside = [l.ymid for l in numbers_lines if top - 2 <= l.ymid <= bot + 2]
        centers.append(inside[0] if inside else (top + bot) / 2)
    pitch = line_pitch(desc_lines)
    table_x0 = min(c.x0 for c in layout.columns)
    table_x1 = max(c.x1 for c in layout.columns)
    cuts = horizontal_edges(page.rules, table_x0, min(table_x1, page.width), layout.top, bottom)
    all_columns = list(layout.columns) + [
        Column(f"{kind}{period}", c.x0, c.x1) for (period, kind), c in layout.period_columns.items()
    ]
    goals = [RawGoal(page.number, "", [], {}) for _ in chunks]
    for col in all_columns:
        if col.name == "description":
            continue
        for i, cell_lines in assign_blocks(body, col, centers, pitch, cuts).items():
            goals[i].cells[col.name] = cell_lines
    for goal, chunk in zip(goals, chunks):
        goal.description = [l.text for l in chunk]
    return goals


def _cell_text(cells: dict[str, list[TextLine]], name: str) -> Optional[str]:
    lines = cells.get(name)
    return collapse(" ".join(l.text for l in lines)) if lines else None


def _cell_number(cells: dict[str, list[TextLine]], name: str) -> Optional[float]:
    return parse_number(_cell_text(cells, name))


def _build_goal(raw: RawGoal, catalog: Sequence[str]) -> tuple[Goal, list[GoalPeriod]]:
    text = collapse(" ".join(raw.description)) or ""
    m = _GOAL_CODE.match(text)
    code_text, rest = (m.group(1), m.group(3)) if m else (text.split()[0], " ".join(text.split()[1:]))
    is_main = code_text.upper().startswith("M")
    code = ("M." + re.sub(r"\D", "", code_text)) if is_main else code_text
    rest = re.sub(r"^(\.-|-|\.)\s*", "", rest or "")
    pmd_lines = [l.text for l in raw.cells.get("pmd", [])]
    pmd_raw = join_code_lines(pmd_lines)
    unit_raw = _cell_text(raw.cells, "unit")
    goal = Goal(
        goal_code=code, is_main_goal=is_main, description=collapse(rest),
        unit=unit_raw, unit_raw=unit_raw,
        annual_target=_cell_number(raw.cells, "annual_target"),
        absolute_progress=_cell_number(raw.cells, "absolute_progress"),
        relative_progress=_cell_number(raw.cells, "relative_progress"),
        pmd_codes=tuple(segment_codes(pmd_raw, catalog)) if pmd_raw else (),
        pmd_codes_raw=pmd_raw,
        observations=_cell_text(raw.cells, "observations"),
        page=raw.page,
    )
    periods = [
        GoalPeriod(goal_code=code, period=p, period_label=PERIOD_LABELS[p],
                   programmed=_cell_number(raw.cells, f"P{p}"), achieved=_cell_number(raw.cells, f"A{p}"))
        for p in range(1, 5)
    ]
    return goal, periods


def parse(pages: Sequence[Page]) -> SectionResult:
    info = _section_info(pages)
    first_lines = group_lines(pages[0].words)
    layout = _table_layout(pages[0], first_lines)
    table_top = min((l.top for l in first_lines if "PERIODO" == l.folded or "PERIODO" in l.folded.split()), default=None)
    if table_top is None:
        table_top = layout.top - 40 if layout else pages[0].height
    result = SectionResult(info=info, action_lines=_action_lines(first_lines, table_top))
    catalog = [a.code for a in result.action_lines]
    seen: set[str] = set()
    for page in pages:
        for raw in _page_goals(page):
            goal, periods = _build_goal(raw, catalog)
            if goal.goal_code in seen:
                continue
            seen.add(goal.goal_code)
            result.goals.append(goal)
            result.goal_periods.extend(periods)
    return result


SPEC = FamilySpec(Family.POA_AVANCE, detect, parse)
