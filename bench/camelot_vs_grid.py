"""Camelot (lattice / stream / hybrid) vs avance's own grid on the ruled POA and MIR tables.

Accuracy: for each truth goal (POA) or MIR row, the share of its numeric fields
found in ONE extracted table row that also contains the row's code.
Time: seconds per processed page, median of N runs.

    /work/main/.venv/bin/python bench/camelot_vs_grid.py            # full run (3 timing runs)
    /work/main/.venv/bin/python bench/camelot_vs_grid.py --runs 1   # quicker

Matching rules (same for every method):
- a row "contains the code" when its joined cell text matches the code as printed:
  POA `M.100` (`M.100`, `M. 100`), `101` (`101-`, `101.-`, `101 -`); MIR `4.1.1.1`
  (not followed by another `.digit`).
- numbers are parsed from each cell's whitespace tokens as printed
  (`127,762`, `2,937.5`, `25%`, `19.36%`, `100.00%`); a truth value is found when an
  unused token of the row equals it within 0.005 (multiset match, column-blind).
- a null truth value is found when the row still has an unused empty cell.
- among the rows that contain the code on the truth section's pages, the best one counts.
This is column-blind, which favours Camelot (a number in the wrong column still
counts). avance is additionally scored column-aware (field by field) for reference.
"""
from __future__ import annotations

import argparse
import contextlib
import io
import json
import logging
import re
import statistics
import sys
import time
import warnings
from pathlib import Path

import pypdfium2 as pdfium

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _peer_scoring import (  # noqa: E402  shared with bench/peers.py
    TOL, Row, TruthRow, cell_numbers, code_regex, evaluate, load_truth, score_row)

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT / "tests" / "corpus" / "digital"
POA_DOCS = ["d001", "d002", "d005", "d007", "d012"]
MIR_DOCS = ["d004", "d008", "d010", "d011"]

# ---------------------------------------------------------------- page discovery

GOAL_ROW_RX = re.compile(r"(?<![A-Za-z0-9.])(M\s*\.\s*\d{3}|\d{3}\s*\.?\s*-)")
MIR_ROW_RX = re.compile(r"\b(Fin|Prop[oó]sito|Componente|Actividad)\s+\d+(\.\d+)+")


def page_texts(pdf: Path) -> list[str]:
    doc = pdfium.PdfDocument(str(pdf))
    try:
        return [doc[i].get_textpage().get_text_range() for i in range(len(doc))]
    finally:
        doc.close()


def poa_pages(texts: list[str]) -> list[int]:
    """Pages with the POA title and a goal table (header + at least one goal code)."""
    out = []
    for i, t in enumerate(texts, 1):
        up = t.upper()
        if "AVANCE PROGRAM" in up and "METAS/ACCIONES" in up and GOAL_ROW_RX.search(t):
            out.append(i)
    return out


def mir_pages(texts: list[str]) -> list[int]:
    """Pages with the MIR progress header and at least one level+objective-code row."""
    out = []
    for i, t in enumerate(texts, 1):
        if "AVANCE EN CUMPLIMIENTO DE METAS" in t.upper() and MIR_ROW_RX.search(t):
            out.append(i)
    return out


def body_ruling(pdf: Path, pages: list[int], family: str) -> str:
    """How the table body (below the first data row's top) is ruled, on the table pages:
    `full grid` (vertical and horizontal rules), `row lines` (horizontal only) or `header only`."""
    import pdfplumber
    rx = GOAL_ROW_RX if family == "poa" else MIR_ROW_RX
    v_total = h_total = 0
    with pdfplumber.open(str(pdf)) as doc:
        for n in pages:
            page = doc.pages[n - 1]
            words = page.extract_words()
            tops = [w["top"] for w in words if rx.match(w["text"]) or
                    (family == "mir" and re.match(r"(Fin|Prop|Componente|Actividad)", w["text"]))]
            if family == "poa":
                tops = [w["top"] for w in words if re.fullmatch(r"M\.\d{3}|\d{3}\.?-", w["text"])]
            if not tops:
                continue
            y0 = min(tops) - 2
            v_total += sum(1 for e in page.edges if e["orientation"] == "v" and e["height"] > 5 and e["bottom"] > y0 + 7)
            h_total += len({round(e["top"]) for e in page.edges
                            if e["orientation"] == "h" and e["width"] > 20 and e["top"] > y0})
    if v_total:
        return "full grid"
    return "row lines" if h_total >= 2 * len(pages) + 1 else "header only"


# ---------------------------------------------------------------- extractors

def fmt(v):
    return "" if v is None else repr(float(v))


def avance_rows(pdf: Path):
    """Rows built from avance's SectionResults: [code cell] + numeric cells (None -> empty)."""
    from avance.pipeline.document import process_document
    res = process_document(pdf)
    poa, mir, fields = [], [], {}
    for s in res.sections:
        per = {}
        for p in s.goal_periods:
            per[(p.goal_code, p.period)] = p
        for g in s.goals:
            code = g.goal_code if g.goal_code.startswith("M") else f"{g.goal_code}-"
            vals = [g.annual_target, g.absolute_progress, g.relative_progress]
            for q in range(1, 5):
                p = per.get((g.goal_code, q))
                vals += [p.programmed if p else None, p.achieved if p else None]
            poa.append(Row(g.page, [code] + [fmt(v) for v in vals]))
            fields[("poa", g.page, g.goal_code)] = vals
        mper = {}
        for p in s.mir_periods:
            mper[(p.objective_code, p.period)] = p
        for r in s.mir_rows:
            vals = [r.annual_target, r.achieved, r.pct_period, r.pct_cumulative]
            for q in range(1, 5):
                p = mper.get((r.objective_code, q))
                vals.append(p.target if p else None)
            mir.append(Row(r.page, [r.objective_code] + [fmt(v) for v in vals]))
            fields[("mir", r.page, r.objective_code)] = vals
    return {"poa": poa, "mir": mir}, fields, res.info.n_pages


def camelot_rows(pdf: Path, pages: list[int], **kw) -> list[Row]:
    import camelot
    with warnings.catch_warnings(), contextlib.redirect_stderr(io.StringIO()):
        warnings.simplefilter("ignore")
        tables = camelot.read_pdf(str(pdf), pages=",".join(map(str, pages)), **kw)
    rows = []
    for tb in tables:
        for _, r in tb.df.iterrows():
            rows.append(Row(int(tb.page), [str(c) for c in r.tolist()]))
    return rows


CAMELOT_CONFIGS = [
    ("camelot lattice", dict(flavor="lattice")),
    ("camelot lattice ls=40", dict(flavor="lattice", line_scale=40)),
    # camelot >= 2.0: ruled lines read from the PDF's vector graphics, no rendering
    ("camelot lattice vector", dict(flavor="lattice", engine="vector")),
    ("camelot stream", dict(flavor="stream")),
    ("camelot hybrid", dict(flavor="hybrid")),
]


# ---------------------------------------------------------------- scoring

def strict_avance(truth: list[TruthRow], fields: dict) -> tuple[int, int]:
    found = total = 0
    for t in truth:
        total += len(t.values)
        cand = [v for (fam, pg, code), v in fields.items()
                if fam == t.family and code == t.code and t.pages[0] <= pg <= t.pages[1]]
        if not cand:
            continue
        found += max(sum(1 for a, b in zip(t.values, c)
                         if (a is None and b is None) or (a is not None and b is not None and abs(a - b) <= TOL))
                     for c in cand)
    return found, total


def timed(fn, runs):
    times, out = [], None
    for _ in range(runs):
        t0 = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - t0)
    return out, statistics.median(times)


def main(argv=None):
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--only", nargs="*", help="camelot config names to run (default all)")
    ap.add_argument("--json", type=Path, help="write per-document results here")
    args = ap.parse_args(argv)
    logging.disable(logging.WARNING)

    docs = [(d, "poa") for d in POA_DOCS] + [(d, "mir") for d in MIR_DOCS]
    configs = [c for c in CAMELOT_CONFIGS if not args.only or c[0] in args.only]
    # agg[(method, family)] = [truth_rows, matched, found, total, seconds, pages, extracted_rows]
    agg: dict[tuple[str, str], list] = {}
    per_doc = []
    errors = []

    def add(method, fam, n_truth, m, f, tot, secs, pages, n_rows):
        a = agg.setdefault((method, fam), [0, 0, 0, 0, 0.0, 0, 0])
        for i, v in enumerate([n_truth, m, f, tot, secs, pages, n_rows]):
            a[i] += v

    # warm-up (imports, first-call caches) so the first document's timing is not inflated
    warm = next(CORPUS.glob("d001_*.pdf"))
    avance_rows(warm)
    for _name, kw in configs:
        with contextlib.suppress(Exception):
            camelot_rows(warm, [1], **kw)

    strict = {}
    for stem, fam in docs:
        pdf = next(CORPUS.glob(f"{stem}_*.pdf"))
        texts = page_texts(pdf)
        pages = poa_pages(texts) if fam == "poa" else mir_pages(texts)
        truth = load_truth(pdf, fam)
        ruling = body_ruling(pdf, pages, fam)
        print(f"{pdf.name}: {fam} pages {pages}, {len(truth)} truth rows, body: {ruling}", file=sys.stderr, flush=True)

        (rows_by_fam, fields, n_pages), secs = timed(lambda: avance_rows(pdf), args.runs)
        rows = rows_by_fam[fam]
        m, f, tot = evaluate(truth, rows)
        sf, st = strict_avance(truth, fields)
        s = strict.setdefault(fam, [0, 0]); s[0] += sf; s[1] += st
        add("avance grid", fam, len(truth), m, f, tot, secs, n_pages, len(rows))
        per_doc.append(dict(doc=pdf.name, family=fam, ruling=ruling, method="avance grid", pages=n_pages, truth_rows=len(truth),
                            matched=m, found=f, total=tot, s_per_page=secs / n_pages, rows=len(rows)))

        for name, kw in configs:
            try:
                rows, secs = timed(lambda: camelot_rows(pdf, pages, **kw), args.runs)
            except Exception as exc:  # record exactly why camelot could not run
                errors.append(f"{name} on {pdf.name}: {type(exc).__name__}: {exc}")
                print(errors[-1], file=sys.stderr)
                continue
            m, f, tot = evaluate(truth, rows)
            add(name, fam, len(truth), m, f, tot, secs, len(pages), len(rows))
            per_doc.append(dict(doc=pdf.name, family=fam, ruling=ruling, method=name, pages=len(pages), truth_rows=len(truth),
                                matched=m, found=f, total=tot, s_per_page=secs / len(pages), rows=len(rows)))

    print("\nper document (recall = numeric fields found / fields)")
    print(f"{'doc':36} {'body ruling':12} {'method':24} {'code rows':>9} {'recall':>7} {'s/page':>7}")
    for r in per_doc:
        print(f"{r['doc']:36} {r['ruling']:12} {r['method']:24} {r['matched']:>4}/{r['truth_rows']:<4} "
              f"{r['found'] / r['total']:7.1%} {r['s_per_page']:7.3f}")

    print(f"\nmedian of {args.runs} run(s); avance times the whole document, camelot only the table pages")
    print(f"| method | family | truth rows | rows with code | extracted rows | numeric-field recall | s/page |")
    print(f"|---|---|---:|---:|---:|---:|---:|")
    for (method, fam), (n, m, f, tot, secs, pages, nrows) in agg.items():
        print(f"| {method} | {fam.upper()} | {n} | {m} | {nrows} | {f / tot:.1%} ({f}/{tot}) | {secs / pages:.3f} |")
    print("\nnumeric-field recall by how the table body is ruled")
    by = {}
    for r in per_doc:
        a = by.setdefault((r["method"], r["ruling"]), [0, 0, set()])
        a[0] += r["found"]; a[1] += r["total"]; a[2].add(r["doc"][:4])
    rulings = ["full grid", "row lines", "header only"]
    print("| method | " + " | ".join(rulings) + " |")
    print("|---|" + "---:|" * len(rulings))
    for method in dict.fromkeys(r["method"] for r in per_doc):
        cells = []
        for rl in rulings:
            a = by.get((method, rl))
            cells.append(f"{a[0] / a[1]:.1%}" if a else "-")
        print(f"| {method} | " + " | ".join(cells) + " |")
    print("docs: " + "; ".join(f"{rl}: {', '.join(sorted(by.get(('avance grid', rl), [0, 0, set()])[2]))}" for rl in rulings))
    for fam, (f, t) in strict.items():
        print(f"\navance grid {fam.upper()} column-aware recall: {f / t:.1%} ({f}/{t})")
    if errors:
        print("\nerrors:")
        for e in errors:
            print(" ", e)
    if args.json:
        args.json.write_text(json.dumps(dict(per_doc=per_doc, errors=errors), indent=1))


if __name__ == "__main__":
    main()
