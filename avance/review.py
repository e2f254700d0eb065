"""`avance review OUT --html report.html`: a self-contained page to check a run.

Everything is embedded (styles, script, SVG charts, PNG crops as data URIs); the
page loads nothing from the network. Every piece of document text goes through
`html.escape` (cells) or a JSON block with `<` escaped (flag details), so a
report whose cells hold `<script>` shows them as text.
"""
from __future__ import annotations

import base64
import html
import io
import json
import math
from collections import Counter, defaultdict
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterable, Optional

import pandas as pd

from .contract import SCHEMAS
from .records import KEY_COLUMNS

CROP_DPI = 110
CROP_MARGIN = 14.0  # points around the field's box
# Tables shown per section, with the columns that name a row (its key).
SHOWN_TABLES: dict[str, tuple[str, ...]] = KEY_COLUMNS
HIDDEN_COLUMNS = {"doc_id", "section_id"}


def esc(value: Any) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
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


# --------------------------------------------------------------------------
# page crops
# --------------------------------------------------------------------------

class PageImages:
    """Renders source pages once and cuts crops from them."""

    def __init__(self) -> None:
        self._cache: dict[tuple[str, int], Any] = {}

    def crop(self, source: str, page: int, box: tuple[float, float, float, float]) -> Optional[str]:
        image = self._page(source, page)
        if image is None:
            return None
        scale = CROP_DPI / 72.0
        x0, y0, x1, y1 = box
        left = max(0, int((x0 - CROP_MARGIN) * scale))
        top = max(0, int((y0 - CROP_MARGIN) * scale))
        right = min(image.width, int((x1 + CROP_MARGIN) * scale))
        bottom = min(image.height, int((y1 + CROP_MARGIN) * scale))
        if right <= left or bottom <= top:
            return None
        buf = io.BytesIO()
        image.crop((left, top, right, bottom)).save(buf, format="PNG", optimize=True)
        return "data:image/png;base64," + base64.b64encode(buf.getvalue()).decode("ascii")

    def _page(self, source: str, page: int):
        key = (source, page)
        if key not in self._cache:
            self._cache[key] = self._render(source, page)
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
        except Exception:  # a missing or unreadable source only costs the crop
            return None


# --------------------------------------------------------------------------
# charts (inline SVG)
# --------------------------------------------------------------------------

def bar_chart(title: str, groups: list[tuple[str, list[tuple[str, float]]]], unit: str = "") -> str:
    """Grouped bars: [(group label, [(series, value), ...]), ...]."""
    if not groups:
        return ""
    series = sorted({s for _, vals in groups for s, _ in vals})
    colors = ["#4e79a7", "#f28e2b", "#59a14f", "#e15759", "#76b7b2", "#edc948"]
    peak = max((v for _, vals in groups for _, v in vals if v is not None), default=1) or 1
    bar_w, gap = 14, 18
    width = max(320, len(groups) * (len(series) * bar_w + gap) + 60)
    height = 180
    parts = [f'<svg class="chart" width="{width}" height="{height + 60}" role="img" aria-label="{esc(title)}">',
             f'<text x="4" y="14" class="chart-title">{esc(title)}</text>']
    x = 40
    for label, vals in groups:
        lookup = dict(vals)
        for i, s in enumerate(series):
            v = lookup.get(s) or 0.0
            h = height * v / peak
            parts.append(f'<rect x="{x + i * bar_w}" y="{20 + height - h:.1f}" width="{bar_w - 2}" height="{h:.1f}" '
                         f'fill="{colors[i % len(colors)]}"><title>{esc(label)} {esc(s)}: {esc(v)}{esc(unit)}</title></rect>')
        parts.append(f'<text x="{x}" y="{height + 34}" class="axis">{esc(label[:18])}</text>')
        x += len(series) * bar_w + gap
    for i, s in enumerate(series):
        parts.append(f'<rect x="{40 + i * 110}" y="{height + 44}" width="10" height="10" fill="{colors[i % len(colors)]}"/>'
                     f'<text x="{54 + i * 110}" y="{height + 53}" class="axis">{esc(s)}</text>')
    parts.append("</svg>")
    return "".join(parts)


def poa_chart(goals: pd.DataFrame, periods: pd.DataFrame, sections: pd.DataFrame) -> str:
    if periods.empty:
        return ""
    merged = periods.merge(sections[["doc_id", "section_id", "unidad_name"]], on=["doc_id", "section_id"], how="left")
    blocks = []
    for unidad, frame in merged.groupby(merged["unidad_name"].fillna("(sin unidad)")):
        groups = []
        for period, pf in frame.groupby("period"):
            groups.append((f"T{int(period)}", [("programado", float(pf["programmed"].fillna(0).sum())),
                                               ("alcanzado", float(pf["achieved"].fillna(0).sum()))]))
        blocks.append(bar_chart(f"POA — {unidad}: alcanzado vs programado por trimestre", groups))
    return "".join(blocks)


def mir_chart(mir: pd.DataFrame) -> str:
    if mir.empty or mir["pct_period"].dropna().empty:
        return ""
    groups = [(str(level), [("% avance trimestral (mediana)", float(f["pct_period"].dropna().median() or 0))])
              for level, f in mir.groupby(mir["level"].fillna("?"))]
    return bar_chart("MIR: porcentaje alcanzado por nivel", groups, "%")


# --------------------------------------------------------------------------
# the page
# --------------------------------------------------------------------------

@dataclass
class FlagView:
    ident: str
    rule: str
    severity: str
    field: str
    raw: Optional[str]
    value: Optional[str]
    message: str
    crop: Optional[str]
    raw_text: Optional[str]
    page: Optional[int]


def build_report(out: Path) -> str:
    t = {name: load(out, name) for name in SCHEMAS}
    docs, sections, flags, prov = t["documents"], t["sections"], t["flags"], t["provenance"]
    images = PageImages()
    flag_views: dict[str, FlagView] = {}
    prov_index: dict[tuple, pd.Series] = {}
    for _, p in prov.iterrows():
        prov_index[(p["doc_id"], p["section_id"], p["table"], p["row_key"], p["field"])] = p

    body: list[str] = [overview(t)]
    for _, doc in docs.sort_values("file_name").iterrows():
        body.append(document_block(doc, t, flags, prov_index, images, flag_views))
    details = {k: {f: _plain(v) for f, v in vars(view).items()} for k, view in flag_views.items()}
    data = json.dumps(details, ensure_ascii=False, allow_nan=False).replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
    return PAGE.format(style=STYLE, body="\n".join(body), data=data, script=SCRIPT)


def overview(t: dict[str, pd.DataFrame]) -> str:
    docs, sections, flags = t["documents"], t["sections"], t["flags"]
    status = Counter(docs["status"]) if len(docs) else Counter()
    families = Counter(sections["family"]) if len(sections) else Counter()
    by_rule = Counter(zip(flags["rule"], flags["severity"])) if len(flags) else Counter()
    rows = "".join(f"<tr><td>{esc(s)}</td><td>{n}</td></tr>" for s, n in sorted(status.items()))
    fams = "".join(f"<tr><td>{esc(f)}</td><td>{n}</td></tr>" for f, n in sorted(families.items()))
    rules = "".join(f'<tr><td>{esc(r)}</td><td class="sev-{esc(s)}">{esc(s)}</td><td>{n}</td></tr>'
                    for (r, s), n in sorted(by_rule.items()))
    charts = poa_chart(t["goals"], t["goal_periods"], t["sections"]) + mir_chart(t["mir_rows"])
    return (f'<section id="overview"><h1>Revisión de la extracción</h1>'
            f'<div class="cards"><table><caption>Documentos por estado</caption>{rows}</table>'
            f'<table><caption>Secciones por familia</caption>{fams}</table>'
            f'<table><caption>Marcas por regla y severidad</caption>{rules}</table></div>'
            f'<div class="charts">{charts}</div></section>')


def document_block(doc, t, flags, prov_index, images, flag_views) -> str:
    doc_id = doc["doc_id"]
    parts = [f'<section class="doc"><h2>{esc(doc["file_name"])} <span class="status st-{esc(doc["status"])}">'
             f'{esc(doc["status"])}</span></h2>']
    if doc.get("error"):
        parts.append(f'<p class="error">{esc(doc["error"])}</p>')
    doc_sections = t["sections"][t["sections"]["doc_id"] == doc_id].sort_values("section_id")
    doc_flags = flags[flags["doc_id"] == doc_id]
    for _, sec in doc_sections.iterrows():
        sid = sec["section_id"]
        parts.append(f'<details open><summary>Sección {int(sid)}: {esc(sec["family"])}, páginas '
                     f'{int(sec["page_start"])}–{int(sec["page_end"])} — {esc(sec.get("unidad_name") or sec.get("agency") or "")}'
                     f'</summary>')
        sec_flags = doc_flags[doc_flags["section_id"] == sid]
        for table, keys in SHOWN_TABLES.items():
            frame = t[table]
            frame = frame[(frame["doc_id"] == doc_id) & (frame["section_id"] == sid)]
            if frame.empty:
                continue
            parts.append(table_block(table, keys, frame, sec_flags, doc, sid, prov_index, images, flag_views))
        parts.append("</details>")
    loose = doc_flags[doc_flags["section_id"].isna()]
    for _, f in loose.iterrows():
        parts.append(f'<p class="sev-{esc(f["severity"])}">{esc(f["message"])}</p>')
    parts.append("</section>")
    return "".join(parts)


def table_block(table, keys, frame, sec_flags, doc, sid, prov_index, images, flag_views) -> str:
    columns = [c for c in frame.columns if c not in HIDDEN_COLUMNS]
    head = "".join(f"<th>{esc(c)}</th>" for c in columns)
    flag_map: dict[tuple[str, str], list] = defaultdict(list)
    for _, f in sec_flags[sec_flags["table"] == table].iterrows():
        flag_map[(str(f["row_key"]), str(f["field"]))].append(f)
    rows = []
    for _, r in frame.iterrows():
        rk = row_key(r, keys)
        cells = []
        for c in columns:
            fs = flag_map.get((rk, c), [])
            if not fs:
                cells.append(f"<td>{esc(r[c])}</td>")
                continue
            ident = f"f{len(flag_views)}"
            f = fs[0]
            p = prov_index.get((doc["doc_id"], sid, table, rk, c))
            crop, raw_text, page = None, None, None
            if p is not None:
                page = int(p["page"])
                raw_text = p.get("raw_text")
                crop = images.crop(doc["source_path"], page, (p["x0"], p["y0"], p["x1"], p["y1"]))
            flag_views[ident] = FlagView(ident, f["rule"], f["severity"], c, f.get("raw_value"), f.get("value"),
                                         " ".join(str(x["message"]) for x in fs), crop, raw_text, page)
            cells.append(f'<td class="flagged sev-{esc(f["severity"])}" data-flag="{ident}" tabindex="0" '
                         f'title="{esc(f["rule"])}">{esc(r[c])}</td>')
        rows.append("<tr>" + "".join(cells) + "</tr>")
    return (f'<div class="tablewrap"><h3>{esc(table)}</h3><table class="data"><thead><tr>{head}</tr></thead>'
            f'<tbody>{"".join(rows)}</tbody></table></div>')


def write_report(out: Path, target: Path) -> Path:
    document = build_report(out)
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_suffix(target.suffix + ".tmp")
    tmp.write_text(document, encoding="utf-8")
    tmp.replace(target)
    return target


STYLE = """
body{font-family:system-ui,Segoe UI,Roboto,sans-serif;margin:0 2rem 4rem;color:#222}
h1{margin-top:1rem} h2{border-top:2px solid #ccc;padding-top:1rem}
.cards{display:flex;gap:2rem;flex-wrap:wrap} .cards table{border-collapse:collapse}
.cards td,.cards th{border:1px solid #ddd;padding:2px 8px} caption{font-weight:600;text-align:left}
.chart{margin:1rem 1rem 0 0} .chart-title{font-size:12px;font-weight:600} .axis{font-size:10px}
table.data{border-collapse:collapse;font-size:12px;margin-bottom:1rem}
table.data td,table.data th{border:1px solid #ddd;padding:2px 6px;vertical-align:top;max-width:28rem}
td.flagged{cursor:pointer;outline:2px solid #e15759;background:#fde8e8}
td.flagged.sev-info{outline-color:#4e79a7;background:#e8f0fb}
td.flagged.sev-error{outline-color:#000;background:#ffd0d0}
.status{font-size:.8rem;padding:1px 6px;border-radius:4px;background:#eee}
.st-ok{background:#d9f2d9} .st-partial{background:#fff0c2} .st-failed{background:#fbd0d0}
.sev-warning{color:#a11} .error{color:#a11}
#panel{position:fixed;right:1rem;bottom:1rem;width:26rem;max-height:70vh;overflow:auto;background:#fff;
border:1px solid #888;box-shadow:0 2px 12px rgba(0,0,0,.25);padding:1rem;display:none}
#panel img{max-width:100%;border:1px solid #ccc} #panel .close{float:right;cursor:pointer}
#panel pre{white-space:pre-wrap;background:#f6f6f6;padding:.5rem}
"""

SCRIPT = """
(function(){
  var details = JSON.parse(document.getElementById('flag-data').textContent);
  var panel = document.getElementById('panel');
  function text(tag, value, cls){ var e=document.createElement(tag); e.textContent=value==null?'':String(value); if(cls){e.className=cls;} return e; }
  function show(id){
    var d = details[id]; if(!d){return;}
    panel.innerHTML='';
    var close=text('span','✕','close'); close.onclick=function(){panel.style.display='none';}; panel.appendChild(close);
    panel.appendChild(text('h3', d.rule + ' (' + d.severity + ') — ' + d.field));
    if(d.crop){ var img=document.createElement('img'); img.src=d.crop; img.alt='recorte de la página ' + d.page; img.id='crop'; panel.appendChild(img); }
    else if(d.raw_text){ panel.appendChild(text('pre', d.raw_text)); }
    else { panel.appendChild(text('p','(sin imagen de la página)')); }
    panel.appendChild(text('p','Leído: ' + (d.raw==null?'—':d.raw),'raw'));
    panel.appendChild(text('p','Valor: ' + (d.value==null?'—':d.value),'value'));
    panel.appendChild(text('p', d.message, 'message'));
    panel.style.display='block';
  }
  document.querySelectorAll('td.flagged').forEach(function(td){
    td.addEventListener('click', function(){ show(td.getAttribute('data-flag')); });
    td.addEventListener('keydown', function(e){ if(e.key==='Enter'){ show(td.getAttribute('data-flag')); } });
  });
})();
"""

PAGE = """<!DOCTYPE html>
<html lang="es"><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; img-src data:; style-src 'unsafe-inline'; script-src 'unsafe-inline'">
<title>avance — revisión</title><style>{style}</style></head>
<body>{body}
<div id="panel" role="dialog" aria-live="polite"></div>
<script type="application/json" id="flag-data">{data}</script>
<script>{script}</script>
</body></html>
"""
