"""`avance review OUT --html report.html`: a self-contained page, in Spanish, to check a run.

Everything is embedded (styles, script, SVG charts, PNG crops as data URIs); the
page loads nothing from the network. Every piece of document text goes through
`html.escape` (cells) or a JSON block with `<` escaped (flag details), so a
report whose cells hold `<script>` shows them as text.

What an officer needs to find a problem: every flag is on the page once (on its
cell, or in its section's list when no shown cell holds it), with the crop of the
page where it was read when the run recorded that place (`provenance`); the flag
counts link to the flags; a warning shows the printed figure beside the figure
the others imply; "Solo advertencias" hides the rest. Names are Spanish
(`messages.py`); rule ids and column names stay in `title` attributes.
"""
from __future__ import annotations

import base64
import hashlib
import html
import io
import json
import math
import re
from collections import Counter, OrderedDict, defaultdict
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Optional

import pandas as pd

from .contract import SCHEMAS
from .messages import (FAMILY_LABELS, document_error, figure, RULE_NAMES, SEVERITY_LABELS, STATUS_LABELS, TABLE_LABELS,
                       TEXT_SOURCE_LABELS, column_label, looks_english, row_phrase, spanish, value_label)
from .records import KEY_COLUMNS

CROP_DPI = 144
CROP_MARGIN = 14.0  # points above and below the field's box
CROP_SIDE = 100.0  # points left and right of it: the row's neighbours tell the officer where it is
PAGES_KEPT = 6  # rendered pages held at once (flags are visited document by document)
# Tables shown per section, with the columns that name a row (its key).
SHOWN_TABLES: dict[str, tuple[str, ...]] = KEY_COLUMNS
HIDDEN_COLUMNS = {"doc_id", "section_id"}
CHART_UNITS_PER_PLACE = 8  # POA charts per municipality (units with the most goals first)
SEVERITY_ORDER = {"error": 0, "warning": 1, "info": 2}


def esc(value: Any) -> str:
    if value is None or value is pd.NA or (isinstance(value, float) and math.isnan(value)):
        return ""
    if isinstance(value, float):
        return html.escape(f"{value:,.2f}".rstrip("0").rstrip("."))
    if isinstance(value, (list, tuple)) or hasattr(value, "tolist"):
        value = ", ".join(str(v) for v in (value.tolist() if hasattr(value, "tolist") else value))
    return html.escape(str(value), quote=True)


def load(out: Path, table: str) -> pd.DataFrame:
    folder = out / table
    files = sorted(folder.glob("*.parquet")) if folder.is_dir() else []
    frames = [pd.read_parquet(f) for f in files]
    frames = [f for f in frames if len(f)]
    if not frames:
        return pd.DataFrame(columns=SCHEMAS[table].names)
    return pd.concat(frames, ignore_index=True)


def _plain(value: Any) -> Any:
    """A JSON-safe value: pandas' missing values (NaN, NA) become null."""
    if value is None or value is pd.NA or (isinstance(value, float) and math.isnan(value)):
        return None
    if hasattr(value, "item"):
        return value.item()
    return value


def row_key(row: pd.Series, key_columns: tuple[str, ...]) -> str:
    parts = []
    for c in key_columns:
        v = row.get(c)
        if isinstance(v, float) and v.is_integer():
            v = int(v)
        parts.append("" if v is None else str(v))
    return "|".join(parts)


def _int(value: Any) -> Optional[int]:
    value = _plain(value)
    return None if value is None else int(value)


# --------------------------------------------------------------------------
# source files, wherever `review` runs from
# --------------------------------------------------------------------------

def sha256_of(path: Path) -> Optional[str]:
    try:
        h = hashlib.sha256()
        with open(path, "rb") as fh:
            for block in iter(lambda: fh.read(1 << 20), b""):
                h.update(block)
        return h.hexdigest()
    except OSError:
        return None


def resolve_sources(out: Path, docs: pd.DataFrame) -> dict[str, Path]:
    """doc_id -> the source file, found whatever folder `review` runs from.

    `documents.source_path` is the path as given to the run, often relative to
    the folder the run started in. Candidates, first found wins: the absolute
    path the run hashed (`OUT/.avance/hashes.json`), the path as given (absolute,
    or relative to this folder, to OUT's parent, to OUT). A candidate counts only
    when its bytes are the document's (its sha256 is the doc_id).
    """
    hashed: dict[str, list[str]] = defaultdict(list)
    try:
        entries = json.loads((out / ".avance" / "hashes.json").read_text()).get("entries", {})
        for path, entry in entries.items():
            if isinstance(entry, list) and entry:
                hashed[str(entry[-1])].append(path)
    except (OSError, ValueError, AttributeError):
        pass
    found: dict[str, Path] = {}
    for _, doc in docs.iterrows():
        doc_id, given = doc["doc_id"], doc.get("source_path")
        candidates = [Path(p) for p in hashed.get(doc_id, [])]
        if isinstance(given, str) and given:
            g = Path(given)
            candidates += [g] if g.is_absolute() else [Path.cwd() / g, out.absolute().parent / g, out.absolute() / g]
        for candidate in candidates:
            if candidate.is_file() and sha256_of(candidate) == doc_id:
                found[doc_id] = candidate.resolve()
                break
    return found


# --------------------------------------------------------------------------
# page crops
# --------------------------------------------------------------------------

class PageImages:
    """Renders source pages (a few at a time) and cuts crops from them."""

    def __init__(self) -> None:
        self._cache: OrderedDict[tuple[str, int], Any] = OrderedDict()

    def crop(self, source: Optional[Path], page: int, box: tuple[float, float, float, float]) -> Optional[str]:
        if source is None or any(v is None or (isinstance(v, float) and math.isnan(v)) for v in box):
            return None
        image = self._page(str(source), page)
        if image is None:
            return None
        scale = CROP_DPI / 72.0
        x0, y0, x1, y1 = box
        left = max(0, int((x0 - CROP_SIDE) * scale))
        top = max(0, int((y0 - CROP_MARGIN) * scale))
        right = min(image.width, int((x1 + CROP_SIDE) * scale))
        bottom = min(image.height, int((y1 + CROP_MARGIN) * scale))
        if right <= left or bottom <= top:
            return None
        from PIL import ImageDraw

        piece = image.crop((left, top, right, bottom))
        ImageDraw.Draw(piece).rectangle(  # the field itself, framed
            (x0 * scale - left - 3, y0 * scale - top - 3, x1 * scale - left + 3, y1 * scale - top + 3),
            outline=(225, 87, 89), width=2)
        buf = io.BytesIO()
        # 32 colours are plenty for print and a red frame, and a third of the bytes of RGB
        piece.quantize(colors=32).save(buf, format="PNG", optimize=True)
        return "data:image/png;base64," + base64.b64encode(buf.getvalue()).decode("ascii")

    def _page(self, source: str, page: int):
        key = (source, page)
        if key in self._cache:
            self._cache.move_to_end(key)
        else:
            self._cache[key] = self._render(source, page)
            while len(self._cache) > PAGES_KEPT:
                self._cache.popitem(last=False)
        return self._cache[key]

    @staticmethod
    def _render(source: str, page: int):
        path = Path(source)
        if not path.is_file():
            return None
        try:
            if path.suffix.lower() == ".pdf":
                import pypdfium2 as pdfium

                pdf = pdfium.PdfDocument(str(path))
                try:
                    return pdf[page - 1].render(scale=CROP_DPI / 72.0).to_pil().convert("RGB")
                finally:
                    pdf.close()
            from PIL import Image, ImageSequence

            with Image.open(path) as im:
                frame = list(ImageSequence.Iterator(im))[page - 1].convert("RGB")
                dpi = float((im.info.get("dpi") or (200,))[0]) or 200.0
                return frame.resize((int(frame.width * CROP_DPI / dpi), int(frame.height * CROP_DPI / dpi)))
        except Exception:  # a missing or unreadable source (a text export) only costs the crop
            return None


# --------------------------------------------------------------------------
# flags: their sentence, their cell, their place on the page
# --------------------------------------------------------------------------

def flag_cell(table: str, key: str, field: str) -> tuple[str, str, str]:
    """The shown cell a flag is about. The column solver names a goal's quarter
    figures `P1`..`A4` on the goal row; they are cells of `goal_periods`."""
    m = re.fullmatch(r"([PA])([1-4])", field or "")
    if table == "goals" and m:
        return "goal_periods", f"{key}|{m.group(2)}", "programmed" if m.group(1) == "P" else "achieved"
    return table, key, field


@dataclass
class FlagView:
    ident: str
    rule: str
    rule_name: str
    severity: str
    severity_label: str
    field: str
    field_label: str
    where: str
    raw: Optional[str]
    value: Optional[str]
    message: str
    crop: Optional[str]
    raw_text: Optional[str]
    page: Optional[int]

    @property
    def labels(self) -> tuple[str, str]:
        """What `raw` and `value` are: a warning's are the printed figure and the one the others imply."""
        if self.severity == "warning":
            return "Impreso", "Según las otras cifras"
        return "Leído", "Conservado"


class Places:
    """Where each flagged field was read: its own box, else the box of its row on its first page."""

    def __init__(self, prov: pd.DataFrame):
        self.exact: dict[tuple, dict] = {}
        rows: dict[tuple, list[dict]] = defaultdict(list)
        for p in prov.to_dict("records"):
            key = (p["doc_id"], _int(p["section_id"]), p["table"], str(p["row_key"]))
            self.exact[key + (p["field"],)] = p
            rows[key].append(p)
        self.rows: dict[tuple, dict] = {}
        for key, ps in rows.items():
            page = min(int(p["page"]) for p in ps)
            on_page = [p for p in ps if int(p["page"]) == page and not pd.isna(p["x0"])]
            if on_page:
                texts = [str(p["raw_text"]) for p in on_page if isinstance(p.get("raw_text"), str)]
                self.rows[key] = {"page": page, "raw_text": " | ".join(dict.fromkeys(texts)) or None,
                                  "x0": min(p["x0"] for p in on_page), "y0": min(p["y0"] for p in on_page),
                                  "x1": max(p["x1"] for p in on_page), "y1": max(p["y1"] for p in on_page)}

    def of(self, doc_id: str, section_id: Optional[int], table: str, key: str, field: str) -> Optional[dict]:
        row = (doc_id, section_id, table, key)
        return self.exact.get(row + (field,)) or self.rows.get(row)


def shown_figure(flag: dict, column: str) -> Optional[str]:
    """A warning's figures rounded as a person reads them; a repair's values exactly as stored."""
    value = _plain(flag.get(column))
    return figure(value) if value is not None and flag.get("severity") == "warning" else value


def _cap(text: str) -> str:
    return text[:1].upper() + text[1:]


def sentence_of(flag: dict) -> str:
    """The flag's Spanish sentence: as stored, or rebuilt when the run wrote English (`--lang en`)."""
    message = flag.get("message")
    return spanish(flag) if not message or looks_english(message) else str(message)


# --------------------------------------------------------------------------
# charts (inline SVG): never a sum of figures of different units
# --------------------------------------------------------------------------

SERIES_COLORS = {"programado": "#4e79a7", "alcanzado": "#f28e2b"}
OTHER_COLORS = ["#59a14f", "#e15759", "#76b7b2", "#edc948"]


def _num(x: float) -> str:
    return f"{x:,.2f}".rstrip("0").rstrip(".")


def _short(x: float) -> str:
    """A bar's or a tick's figure in the room it has (`12.3 mil`, `1.2 M`); the full one is in its tooltip."""
    if abs(x) >= 1e6:
        return f"{x / 1e6:,.1f}".rstrip("0").rstrip(".") + " M"
    if abs(x) >= 1e4:
        return f"{x / 1e3:,.1f}".rstrip("0").rstrip(".") + " mil"
    return _num(x)


def nice_ceiling(x: float) -> float:
    """The axis' top: the first of 1, 2, 2.5, 5 or 10 times a power of ten at or above `x`,
    so the four ticks fall on round figures."""
    if not x or x <= 0:
        return 1.0
    power = 10 ** math.floor(math.log10(x))
    return next(m * power for m in (1, 2, 2.5, 5, 10) if m * power >= x - 1e-9)


def bar_chart(title: str, groups: list[tuple[str, list[tuple[str, Optional[float]]]]], unit: str = "",
              axis_label: str = "") -> str:
    """Grouped bars with a y axis (ticks and unit) and each bar's value written above it."""
    if not groups:
        return ""
    series = list(dict.fromkeys(s for _, vals in groups for s, _ in vals))
    colors = {s: SERIES_COLORS.get(s, OTHER_COLORS[i % len(OTHER_COLORS)]) for i, s in enumerate(series)}
    peak = nice_ceiling(1.06 * max((v for _, vals in groups for _, v in vals if v is not None), default=0))
    bar_w, left, top, height = 32, 62, 34, 150
    gap = max(22, 76 - len(series) * bar_w)  # room for a label such as `Componente` under each group
    width = max(300, left + len(groups) * (len(series) * bar_w + gap) + 10)
    base = top + height
    parts = [f'<svg class="chart" width="{width}" height="{base + 58}" role="img" aria-label="{esc(title)}">',
             f'<text x="4" y="14" class="chart-title">{esc(title)}</text>',
             f'<line x1="{left}" y1="{top}" x2="{left}" y2="{base}" class="axis-line"/>',
             f'<line x1="{left}" y1="{base}" x2="{width - 6}" y2="{base}" class="axis-line"/>']
    if axis_label:
        parts.append(f'<text x="4" y="28" class="axis">{esc(axis_label)}</text>')
    for i in range(5):
        v = peak * i / 4
        y = base - height * i / 4
        parts.append(f'<line x1="{left - 4}" y1="{y:.1f}" x2="{left}" y2="{y:.1f}" class="axis-line"/>'
                     f'<text x="{left - 6}" y="{y + 3:.1f}" class="axis" text-anchor="end">{esc(_short(v))}{esc(unit)}</text>')
    x = left + gap / 2
    for label, vals in groups:
        lookup = dict(vals)
        for i, s in enumerate(series):
            v = lookup.get(s)
            if v is None:
                continue
            h = height * max(v, 0) / peak
            bx = x + i * bar_w
            parts.append(f'<rect x="{bx:.1f}" y="{base - h:.1f}" width="{bar_w - 3}" height="{h:.1f}" '
                         f'fill="{colors[s]}"><title>{esc(label)}, {esc(s)}: {esc(_num(v))}{esc(unit)}</title></rect>'
                         f'<text x="{bx + (bar_w - 3) / 2:.1f}" y="{base - h - 3:.1f}" class="bar-value" '
                         f'text-anchor="middle">{esc(_short(v))}</text>')
        mid = x + len(series) * bar_w / 2
        parts.append(f'<text x="{mid:.1f}" y="{base + 14}" class="axis" text-anchor="middle">{esc(label[:18])}</text>')
        x += len(series) * bar_w + gap
    for i, s in enumerate(series):
        parts.append(f'<rect x="{left + i * 110}" y="{base + 34}" width="10" height="10" fill="{colors[s]}"/>'
                     f'<text x="{left + 14 + i * 110}" y="{base + 43}" class="axis">{esc(s)}</text>')
    parts.append("</svg>")
    return "".join(parts)


def _place_names(sections: pd.DataFrame) -> pd.Series:
    place = sections["municipality"].where(sections["municipality"].notna(), sections["government"])
    return place.where(place.notna(), sections["agency"]).fillna("(sin municipio)")


def poa_charts(goals: pd.DataFrame, periods: pd.DataFrame, sections: pd.DataFrame) -> str:
    """Programmed against achieved per quarter, one chart per municipality and unit of measure:
    figures are added only within one unit (never personas + informes)."""
    if periods.empty or goals.empty:
        return ""
    places = sections[["doc_id", "section_id"]].assign(place=_place_names(sections))
    merged = (periods.merge(goals[["doc_id", "section_id", "goal_code", "unit"]],
                            on=["doc_id", "section_id", "goal_code"], how="left")
              .merge(places, on=["doc_id", "section_id"], how="left"))
    merged["unit"] = merged["unit"].fillna("(sin unidad de medida)")
    merged["place"] = merged["place"].fillna("(sin municipio)")
    blocks = []
    for place, frame in merged.groupby("place", sort=True):
        counts = frame.groupby("unit")["goal_code"].nunique().sort_values(ascending=False)
        shown = list(counts.index[:CHART_UNITS_PER_PLACE])
        charts = []
        for unit in shown:
            uf = frame[frame["unit"] == unit]
            groups = []
            for period, pf in uf.groupby("period"):
                groups.append((f"T{int(period)}", [("programado", _sum(pf["programmed"])),
                                                   ("alcanzado", _sum(pf["achieved"]))]))
            n = int(counts[unit])
            charts.append(bar_chart(f"{unit} ({n} {'meta' if n == 1 else 'metas'})", groups,
                                    axis_label=str(unit).lower()))
        rest = len(counts) - len(shown)
        note = (f'<p class="note">Y {rest} unidades de medida más, con menos metas.</p>' if rest > 0 else "")
        blocks.append(f'<div class="chart-group"><h3>POA, {esc(place)}: programado y alcanzado por trimestre, '
                      f'por unidad de medida</h3>{"".join(charts)}{note}</div>')
    return "".join(blocks)


def _sum(values: pd.Series) -> Optional[float]:
    values = values.dropna()
    return float(values.sum()) if len(values) else None


def mir_charts(mir: pd.DataFrame, sections: pd.DataFrame) -> str:
    """The median percentage of the quarter's target achieved, per level, one chart per municipality."""
    if mir.empty or mir["pct_period"].dropna().empty:
        return ""
    places = sections[["doc_id", "section_id"]].assign(place=_place_names(sections))
    merged = mir.merge(places, on=["doc_id", "section_id"], how="left")
    merged["place"] = merged["place"].fillna("(sin municipio)")
    order = {"Fin": 0, "Propósito": 1, "Componente": 2, "Actividad": 3}
    blocks = []
    for place, frame in merged.groupby("place", sort=True):
        frame = frame[frame["pct_period"].notna()]
        if frame.empty:
            continue
        levels = sorted(frame["level"].fillna("(sin nivel)").unique(), key=lambda lv: (order.get(lv, 9), lv))
        groups = [(lv, [("mediana del avance del trimestre", float(
            frame[frame["level"].fillna("(sin nivel)") == lv]["pct_period"].median()))]) for lv in levels]
        blocks.append(bar_chart(f"MIR, {place}: avance del trimestre por nivel (%)", groups, unit=" %",
                                axis_label="porcentaje"))
    return f'<div class="chart-group"><h3>MIR: porcentaje de la meta del trimestre alcanzado</h3>{"".join(blocks)}</div>' if blocks else ""


# --------------------------------------------------------------------------
# the page
# --------------------------------------------------------------------------

class Report:
    """Builds the page: flags are numbered once, placed on their cells or in their section's list."""

    def __init__(self, out: Path):
        self.out = out
        self.t = {name: load(out, name) for name in SCHEMAS}
        self.sources = resolve_sources(out, self.t["documents"])
        self.places = Places(self.t["provenance"])
        self.images = PageImages()
        self.views: dict[str, FlagView] = {}
        self.anchor: dict[str, str] = {}   # flag id -> the id of the element that shows it
        flags = self.t["flags"].copy()
        flags["ident"] = [f"f{i}" for i in range(len(flags))]
        self.flags = flags
        self.by_doc = {doc_id: frame for doc_id, frame in flags.groupby("doc_id")}

    def build(self) -> str:
        docs = self.t["documents"]
        body = [self.overview()]
        for _, doc in docs.sort_values("file_name").iterrows():
            body.append(self.document_block(doc))
        body.append(self.flag_index())
        details = {k: {**{f: _plain(v) for f, v in vars(view).items()}, "labels": list(view.labels)}
                   for k, view in self.views.items()}
        data = (json.dumps(details, ensure_ascii=False, allow_nan=False)
                .replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026"))
        return PAGE.format(style=STYLE, body="\n".join(body), data=data, script=SCRIPT)

    # -- one flag -------------------------------------------------------------

    def view(self, flag: dict, source: Optional[Path]) -> FlagView:
        ident = flag["ident"]
        if ident in self.views:
            return self.views[ident]
        table, key, field = flag_cell(flag["table"], str(flag["row_key"] or ""), flag["field"] or "")
        section_id = _int(flag.get("section_id"))
        place = self.places.of(flag["doc_id"], section_id, table, key, field)
        crop = raw_text = page = None
        if place is not None:
            page = int(place["page"])
            raw_text = _plain(place.get("raw_text"))
            crop = self.images.crop(source, page, (place["x0"], place["y0"], place["x1"], place["y1"]))
        elif flag["table"] == "documents" and flag["field"] == "page" and str(flag["row_key"]).isdigit():
            page = int(flag["row_key"])
        view = FlagView(
            ident=ident, rule=flag["rule"], rule_name=RULE_NAMES.get(flag["rule"], flag["rule"]),
            severity=flag["severity"], severity_label=SEVERITY_LABELS.get(flag["severity"], flag["severity"]),
            field=flag["field"], field_label=column_label(flag["field"]),
            where=_cap(row_phrase(flag["table"], str(flag["row_key"] or ""), flag["field"] or "")),
            raw=shown_figure(flag, "raw_value"), value=shown_figure(flag, "value"), message=sentence_of(flag),
            crop=crop, raw_text=raw_text, page=page)
        self.views[ident] = view
        return view

    # -- overview -------------------------------------------------------------

    def overview(self) -> str:
        docs, sections, flags = self.t["documents"], self.t["sections"], self.flags
        status = Counter(docs["status"]) if len(docs) else Counter()
        families = Counter(sections["family"]) if len(sections) else Counter()
        by_rule = Counter(zip(flags["rule"], flags["severity"])) if len(flags) else Counter()
        rows = "".join(f'<tr><td><span class="status st-{esc(s)}">{esc(STATUS_LABELS.get(s, s))}</span></td>'
                       f'<td class="num">{n}</td></tr>' for s, n in sorted(status.items()))
        fams = "".join(f'<tr><td title="{esc(f)}">{esc(FAMILY_LABELS.get(f, f))}</td><td class="num">{n}</td></tr>'
                       for f, n in sorted(families.items()))
        rules = "".join(
            f'<tr class="sev-row-{esc(s)}"><td title="{esc(r)}">{esc(RULE_NAMES.get(r, r))}</td>'
            f'<td class="sev-{esc(s)}">{esc(SEVERITY_LABELS.get(s, s))}</td>'
            f'<td class="num"><a class="count" href="#regla-{esc(r)}-{esc(s)}">{n}</a></td></tr>'
            for (r, s), n in sorted(by_rule.items(), key=lambda kv: (SEVERITY_ORDER.get(kv[0][1], 9), kv[0][0])))
        charts = (poa_charts(self.t["goals"], self.t["goal_periods"], sections)
                  + mir_charts(self.t["mir_rows"], sections))
        n_warn = int((flags["severity"] == "warning").sum()) if len(flags) else 0
        return (f'<section id="resumen"><h1>Revisión de la extracción</h1>'
                f'<div class="toolbar"><label><input type="checkbox" id="solo-advertencias"> Solo advertencias '
                f'({n_warn})</label> <a href="#indice">Índice de marcas</a></div>'
                f'<div class="cards"><table><caption>Documentos por estado</caption>{rows}</table>'
                f'<table><caption>Secciones por familia</caption>{fams}</table>'
                f'<table><caption>Marcas por regla y severidad</caption>'
                f'<thead><tr><th>regla</th><th>severidad</th><th>marcas</th></tr></thead>{rules}</table>'
                f'{LEGEND}</div>'
                f'<div class="charts">{charts}</div></section>')

    # -- documents ------------------------------------------------------------

    def document_block(self, doc: pd.Series) -> str:
        doc_id = doc["doc_id"]
        source = self.sources.get(doc_id)
        doc_flags = self.by_doc.get(doc_id, self.flags.iloc[0:0])
        has_warning = bool((doc_flags["severity"] == "warning").any())
        text_source = TEXT_SOURCE_LABELS.get(doc.get("text_source"), doc.get("text_source") or "")
        parts = [f'<section class="doc{" has-warning" if has_warning else ""}" id="doc-{esc(doc_id[:12])}">'
                 f'<h2>{esc(doc["file_name"])} <span class="status st-{esc(doc["status"])}">'
                 f'{esc(STATUS_LABELS.get(doc["status"], doc["status"]))}</span></h2>'
                 f'<p class="meta">Páginas: {esc(doc.get("n_pages"))}; origen del texto: {esc(text_source)}'
                 f'{"" if source else "; archivo fuente no encontrado: sin recortes de página"}</p>']
        if doc.get("error") and not pd.isna(doc.get("error")):
            parts.append(f'<p class="error">Motivo: {esc(document_error(doc["error"]))}</p>')
        doc_sections = self.t["sections"][self.t["sections"]["doc_id"] == doc_id].sort_values("section_id")
        for _, sec in doc_sections.iterrows():
            parts.append(self.section_block(doc, sec, doc_flags, source))
        loose = doc_flags[doc_flags["section_id"].isna()]
        if len(loose):
            parts.append(self.flag_list("Marcas del documento", loose, source))
        parts.append("</section>")
        return "".join(parts)

    def section_block(self, doc: pd.Series, sec: pd.Series, doc_flags: pd.DataFrame, source: Optional[Path]) -> str:
        sid = int(sec["section_id"])
        sec_flags = doc_flags[doc_flags["section_id"] == sid]
        has_warning = bool((sec_flags["severity"] == "warning").any())
        family = FAMILY_LABELS.get(sec["family"], sec["family"])
        who = sec.get("unidad_name") or sec.get("agency") or ""
        parts = [f'<details open class="sec{" has-warning" if has_warning else ""}"><summary>Sección {sid}: '
                 f'{esc(family)}, páginas {_int(sec["page_start"])}–{_int(sec["page_end"])}'
                 f'{" — " + esc(who) if who and not pd.isna(who) else ""}</summary>']
        placed: set[str] = set()
        for table, keys in SHOWN_TABLES.items():
            frame = self.t[table]
            frame = frame[(frame["doc_id"] == doc["doc_id"]) & (frame["section_id"] == sid)]
            if frame.empty:
                continue
            parts.append(self.table_block(table, keys, frame, sec_flags, source, placed))
        rest = sec_flags[~sec_flags["ident"].isin(placed)]
        if len(rest):
            parts.append(self.flag_list("Otras marcas de la sección", rest, source))
        parts.append("</details>")
        return "".join(parts)

    def table_block(self, table: str, keys: tuple[str, ...], frame: pd.DataFrame, sec_flags: pd.DataFrame,
                    source: Optional[Path], placed: set[str]) -> str:
        columns = [c for c in frame.columns if c not in HIDDEN_COLUMNS]
        head = "".join(f'<th title="{esc(c)}">{esc(column_label(c))}</th>' for c in columns)
        cells_flags: dict[tuple[str, str], list[dict]] = defaultdict(list)
        for f in sec_flags.to_dict("records"):
            t, k, fld = flag_cell(f["table"], str(f["row_key"] or ""), f["field"] or "")
            if t == table:
                cells_flags[(k, fld)].append(f)
        rows, table_warning = [], False
        for _, r in frame.iterrows():
            rk = row_key(r, keys)
            cells, row_warning = [], False
            for c in columns:
                raw = r[c]
                shown = esc(raw if isinstance(raw, (list, tuple)) or hasattr(raw, "tolist")
                            else value_label(c, _plain(raw)))
                fs = sorted(cells_flags.get((rk, c), []), key=lambda f: SEVERITY_ORDER.get(f["severity"], 9))
                if not fs:
                    cells.append(f"<td>{shown}</td>")
                    continue
                views = [self.view(f, source) for f in fs]
                worst = views[0].severity
                row_warning |= any(v.severity == "warning" for v in views)
                new = [v.ident for v in views if v.ident not in self.anchor]
                cell_id = new[0] if new else None
                for ident in new:
                    self.anchor[ident] = cell_id
                    placed.add(ident)
                ident_attr = f' id="{cell_id}"' if cell_id else ""
                rule_ids = " ".join(v.rule for v in views)
                cells.append(f'<td class="flagged sev-{esc(worst)}"{ident_attr} data-flags="{" ".join(v.ident for v in views)}" '
                             f'tabindex="0" title="{esc(rule_ids)}">{shown}</td>')
            table_warning |= row_warning
            rows.append(f'<tr class="{"has-warning" if row_warning else "plain"}">' + "".join(cells) + "</tr>")
        return (f'<div class="tablewrap{" has-warning" if table_warning else ""}"><h3 title="{esc(table)}">'
                f'{esc(TABLE_LABELS.get(table, table))}</h3><table class="data"><thead><tr>{head}</tr></thead>'
                f'<tbody>{"".join(rows)}</tbody></table></div>')

    def flag_list(self, title: str, flags: pd.DataFrame, source: Optional[Path]) -> str:
        items = []
        records = sorted(flags.to_dict("records"), key=lambda f: SEVERITY_ORDER.get(f["severity"], 9))
        for f in records:
            v = self.view(f, source)
            if v.ident in self.anchor:
                continue
            self.anchor[v.ident] = v.ident
            items.append(f'<li id="{v.ident}" class="flagged sev-{esc(v.severity)}" data-flags="{v.ident}" '
                         f'tabindex="0" title="{esc(v.rule)}"><b>{esc(v.rule_name)}</b> '
                         f'({esc(v.severity_label)}): {esc(v.message)}</li>')
        has_warning = any(f["severity"] == "warning" for f in records)
        return (f'<div class="flaglist{" has-warning" if has_warning else ""}"><h3>{esc(title)}</h3>'
                f'<ul>{"".join(items)}</ul></div>') if items else ""

    # -- the index the counts link to ---------------------------------------------

    def flag_index(self) -> str:
        names = dict(zip(self.t["documents"]["doc_id"], self.t["documents"]["file_name"]))
        groups: dict[tuple[str, str], list[dict]] = defaultdict(list)
        for f in self.flags.to_dict("records"):
            groups[(f["rule"], f["severity"])].append(f)
        blocks = []
        for (rule, severity), fs in sorted(groups.items(), key=lambda kv: (SEVERITY_ORDER.get(kv[0][1], 9), kv[0][0])):
            links = []
            for f in fs:
                target = self.anchor.get(f["ident"])
                if target is None:
                    continue  # a flag of a document that has no row (cannot happen for a complete run)
                where = row_phrase(f["table"], str(f["row_key"] or ""), f["field"] or "")
                label = column_label(f["field"] or "")
                links.append(f'<li><a href="#{target}">{esc(names.get(f["doc_id"], ""))} · '
                             f'{esc(TABLE_LABELS.get(f["table"], f["table"]))} · {esc(where)}'
                             f'{" · " + esc(label) if label and label not in where else ""}</a></li>')
            blocks.append(f'<details class="rule-group sev-group-{esc(severity)}" id="regla-{esc(rule)}-{esc(severity)}">'
                          f'<summary title="{esc(rule)}">{esc(RULE_NAMES.get(rule, rule))} '
                          f'({esc(SEVERITY_LABELS.get(severity, severity))}): {len(fs)}</summary>'
                          f'<ul>{"".join(links)}</ul></details>')
        return f'<section id="indice"><h2>Índice de marcas</h2>{"".join(blocks)}</section>'


def build_report(out: Path) -> str:
    return Report(Path(out)).build()


def write_report(out: Path, target: Path) -> Path:
    document = build_report(out)
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_suffix(target.suffix + ".tmp")
    tmp.write_text(document, encoding="utf-8")
    tmp.replace(target)
    return target


LEGEND = """<table class="legend"><caption>Colores</caption>
<tr><td><span class="swatch flagged sev-warning">123</span></td><td>advertencia: las cifras impresas no cuadran entre sí</td></tr>
<tr><td><span class="swatch flagged sev-info">123</span></td><td>informativa: una reparación o una coincidencia con catálogo</td></tr>
<tr><td><span class="swatch flagged sev-error">123</span></td><td>error: no se pudo leer</td></tr>
<tr><td><span class="status st-ok">correcto</span> <span class="status st-partial">parcial</span>
<span class="status st-failed">fallido</span></td><td>estado del documento</td></tr>
</table>"""

STYLE = """
body{font-family:system-ui,Segoe UI,Roboto,sans-serif;margin:0 2rem 4rem;color:#222}
h1{margin-top:1rem} h2{border-top:2px solid #ccc;padding-top:1rem}
.toolbar{margin:.5rem 0 1rem;display:flex;gap:2rem;align-items:center}
.cards{display:flex;gap:2rem;flex-wrap:wrap;align-items:flex-start} .cards table{border-collapse:collapse}
.cards td,.cards th{border:1px solid #ddd;padding:2px 8px} caption{font-weight:600;text-align:left}
td.num{text-align:right} .meta{color:#555;font-size:.9rem} .note{font-size:.8rem;color:#555}
.charts h3{font-size:1rem;margin:1rem 0 .25rem}
.chart{margin:.5rem 1rem 0 0} .chart-title{font-size:12px;font-weight:600} .axis{font-size:10px;fill:#333}
.bar-value{font-size:9px;fill:#111} .axis-line{stroke:#666;stroke-width:1}
table.data{border-collapse:collapse;font-size:12px;margin-bottom:1rem}
table.data td,table.data th{border:1px solid #ddd;padding:2px 6px;vertical-align:top;max-width:28rem}
.flagged{cursor:pointer;outline:2px solid #e15759;background:#fde8e8}
.flagged.sev-info{outline-color:#4e79a7;background:#e8f0fb}
.flagged.sev-error{outline-color:#000;background:#ffd0d0}
.flagged.target{box-shadow:0 0 0 4px #f2c300}
.swatch{display:inline-block;padding:0 8px;cursor:default} .flaglist ul{font-size:12px;padding-left:1rem} .flaglist li{list-style:none;margin:.3rem 0;padding:2px 6px}
.status{font-size:.8rem;padding:1px 6px;border-radius:4px;background:#eee}
.st-ok{background:#d9f2d9} .st-partial{background:#fff0c2} .st-failed{background:#fbd0d0}
.sev-warning{color:#a11} .error{color:#a11}
body.only-warnings tr.plain, body.only-warnings .tablewrap:not(.has-warning),
body.only-warnings details.sec:not(.has-warning), body.only-warnings section.doc:not(.has-warning),
body.only-warnings .flaglist li:not(.sev-warning), body.only-warnings .flaglist:not(.has-warning),
body.only-warnings .rule-group:not(.sev-group-warning),
body.only-warnings .cards tr[class^="sev-row-"]:not(.sev-row-warning){display:none}
#panel{position:fixed;right:1rem;bottom:1rem;width:28rem;max-height:75vh;overflow:auto;background:#fff;
border:1px solid #888;box-shadow:0 2px 12px rgba(0,0,0,.25);padding:1rem;display:none}
#panel img{max-width:100%;border:1px solid #ccc;display:block} #panel .close{float:right;cursor:pointer}
#panel pre{white-space:pre-wrap;background:#f6f6f6;padding:.5rem}
#panel table.pair{border-collapse:collapse;width:100%;margin:.5rem 0}
#panel table.pair th,#panel table.pair td{border:1px solid #ccc;padding:4px 8px;text-align:left;width:50%}
#panel .flag{border-top:1px solid #ddd;margin-top:.5rem}
"""

SCRIPT = """
(function(){
  var details = JSON.parse(document.getElementById('flag-data').textContent);
  var panel = document.getElementById('panel');
  function text(tag, value, cls){ var e=document.createElement(tag); e.textContent=value==null?'':String(value); if(cls){e.className=cls;} return e; }
  function show(ids){
    ids = ids.filter(function(id){ return details[id]; }); if(!ids.length){return;}
    panel.innerHTML='';
    var close=text('span','✕','close'); close.title='cerrar'; close.onclick=function(){panel.style.display='none';}; panel.appendChild(close);
    var first = details[ids[0]];
    panel.appendChild(text('h3', first.where + (first.page ? ' — página ' + first.page : '')));
    var withCrop = ids.map(function(id){return details[id];}).filter(function(d){return d.crop;})[0];
    if(withCrop){ var img=document.createElement('img'); img.src=withCrop.crop; img.alt='recorte de la página ' + withCrop.page; img.id='crop'; panel.appendChild(img); }
    else if(first.raw_text){ panel.appendChild(text('pre', first.raw_text)); }
    else { panel.appendChild(text('p','(sin imagen de la página)')); }
    ids.forEach(function(id){
      var d = details[id], box = document.createElement('div'); box.className='flag';
      box.appendChild(text('h4', d.rule_name + ' (' + d.severity_label + ')' + (d.field_label ? ' — ' + d.field_label : '')));
      var t=document.createElement('table'); t.className='pair';
      var head=document.createElement('tr'); head.appendChild(text('th', d.labels[0])); head.appendChild(text('th', d.labels[1])); t.appendChild(head);
      var row=document.createElement('tr'); row.appendChild(text('td', d.raw==null?'—':d.raw,'raw')); row.appendChild(text('td', d.value==null?'—':d.value,'value')); t.appendChild(row);
      box.appendChild(t);
      box.appendChild(text('p', d.message, 'message'));
      panel.appendChild(box);
    });
    panel.style.display='block';
  }
  function openTo(el){ for(var p=el.parentElement; p; p=p.parentElement){ if(p.tagName==='DETAILS'){ p.open=true; } } }
  document.querySelectorAll('.flagged[data-flags]').forEach(function(el){
    var ids = el.getAttribute('data-flags').split(' ');
    el.addEventListener('click', function(){ show(ids); });
    el.addEventListener('keydown', function(e){ if(e.key==='Enter'){ show(ids); } });
  });
  function follow(){
    var id = decodeURIComponent(location.hash.slice(1)); if(!id){return;}
    var el = document.getElementById(id); if(!el){return;}
    openTo(el); if(el.tagName==='DETAILS'){ el.open=true; }
    if(el.hasAttribute('data-flags')){
      document.querySelectorAll('.target').forEach(function(x){x.classList.remove('target');});
      el.classList.add('target'); show(el.getAttribute('data-flags').split(' '));
    }
    el.scrollIntoView({block:'center'});
  }
  window.addEventListener('hashchange', follow); follow();
  var only = document.getElementById('solo-advertencias');
  only.addEventListener('change', function(){ document.body.classList.toggle('only-warnings', only.checked); });
})();
"""

PAGE = """<!DOCTYPE html>
<html lang="es"><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; img-src data:; style-src 'unsafe-inline'; script-src 'unsafe-inline'">
<title>avance — revisión de la extracción</title><style>{style}</style></head>
<body>{body}
<div id="panel" role="dialog" aria-live="polite"></div>
<script type="application/json" id="flag-data">{data}</script>
<script>{script}</script>
</body></html>
"""
