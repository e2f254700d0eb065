"""One extraction tool over a list of PDFs, in this (fresh) process: the unit that
bench/peers.py scores and bench/speed.py times.

    python bench/_extract_child.py TOOL [--rows FILE] [--tmp DIR] PDF...

Prints one JSON line: {"tool", "startup_s", "work_s", "pages", "docs", "errors",
"peak_self_mb"}. `startup_s` is the import (and, for Docling, model loading);
`work_s` is the extraction of every PDF, all pages. With --rows, writes every
extracted table row as {"file": name, "page": n, "cells": [...]} (after the
timing: the write is not timed).

Only the standard library is imported at module level, so that this file runs in
the project venv (avance, camelot, pdfplumber) and in the separate Docling venv.
"""
from __future__ import annotations

import argparse
import contextlib
import io
import json
import os
import resource
import sys
import tempfile
import time
import warnings
from pathlib import Path

TOOLS = ["avance", "camelot-lattice", "camelot-stream", "pdfplumber-lines", "pdfplumber-text",
         "docling", "docling-ocr"]


def n_pages(pdf: Path) -> int:
    try:
        import pypdfium2 as pdfium
        doc = pdfium.PdfDocument(str(pdf))
        try:
            return len(doc)
        finally:
            doc.close()
    except ImportError:  # Docling venv
        from pypdf import PdfReader  # pragma: no cover
        return len(PdfReader(str(pdf)).pages)


# ------------------------------------------------------------------ tools
# Each tool: setup() -> state (timed as start-up); run(state, pdf) -> list of (page, cells).

def avance_setup():
    import avance.cli  # noqa: F401  (the CLI imports the pipeline lazily; what it imports later is timed as work)
    return None


def avance_run_all(pdfs: list[Path], tmp: Path) -> Path:
    """`avance extract --workers 1` over all files: the command a user runs."""
    import avance.cli
    out = tmp / "avance_out"
    with contextlib.redirect_stdout(io.StringIO()):
        avance.cli.main(["extract", *map(str, pdfs), "--out", str(out), "--workers", "1", "--force", "--quiet"])
    return out


def avance_rows(out: Path) -> list[dict]:
    """Rows built from avance's Parquet tables: [code as printed] + the numeric fields (null -> empty cell)."""
    import pandas as pd

    def table(name):
        folder = out / name
        files = sorted(folder.glob("*.parquet")) if folder.is_dir() else []
        return pd.concat([pd.read_parquet(f) for f in files], ignore_index=True) if files else pd.DataFrame()

    def fmt(v):
        return "" if v is None or pd.isna(v) else repr(float(v))

    docs = table("documents")
    names = dict(zip(docs["doc_id"], docs["file_name"])) if len(docs) else {}
    rows = []
    goals, gp = table("goals"), table("goal_periods")
    per = {}
    for p in gp.to_dict("records"):
        per[(p["doc_id"], p["section_id"], p["goal_code"], int(p["period"]))] = p
    for g in goals.to_dict("records"):
        code = g["goal_code"] if str(g["goal_code"]).startswith("M") else f"{g['goal_code']}-"
        vals = [g["annual_target"], g["absolute_progress"], g["relative_progress"]]
        for q in range(1, 5):
            p = per.get((g["doc_id"], g["section_id"], g["goal_code"], q), {})
            vals += [p.get("programmed"), p.get("achieved")]
        rows.append({"file": names.get(g["doc_id"]), "page": int(g["page"]), "cells": [code] + [fmt(v) for v in vals]})
    mir, mp = table("mir_rows"), table("mir_periods")
    per = {}
    for p in mp.to_dict("records"):
        per[(p["doc_id"], p["section_id"], p["objective_code"], int(p["period"]))] = p
    for r in mir.to_dict("records"):
        vals = [r["annual_target"], r["achieved"], r["pct_period"], r["pct_cumulative"]]
        for q in range(1, 5):
            vals.append(per.get((r["doc_id"], r["section_id"], r["objective_code"], q), {}).get("target"))
        rows.append({"file": names.get(r["doc_id"]), "page": int(r["page"]),
                     "cells": [r["objective_code"]] + [fmt(v) for v in vals]})
    return rows


def camelot_setup():
    import camelot  # noqa: F401
    return None


def camelot_run(flavor):
    def run(_state, pdf: Path):
        import camelot
        with warnings.catch_warnings(), contextlib.redirect_stderr(io.StringIO()):
            warnings.simplefilter("ignore")
            tables = camelot.read_pdf(str(pdf), pages="all", flavor=flavor)
        return [(int(tb.page), [str(c) for c in r]) for tb in tables for r in tb.df.values.tolist()]
    return run


def pdfplumber_setup():
    import pdfplumber  # noqa: F401
    return None


def pdfplumber_run(settings):
    def run(_state, pdf: Path):
        import pdfplumber
        out = []
        with pdfplumber.open(str(pdf)) as doc:
            for i, page in enumerate(doc.pages, 1):
                for table in page.extract_tables(table_settings=settings or {}):
                    out += [(i, ["" if c is None else str(c) for c in row]) for row in table]
                page.close()  # release the page's cached objects, as a long batch would
        return out
    return run


def docling_setup(ocr: bool):
    import logging
    # say on stderr which model it fetches, so a failure to download names it
    logging.basicConfig(level=logging.WARNING)
    logging.getLogger("docling.models.utils.hf_model_download").setLevel(logging.INFO)
    from docling.datamodel.base_models import InputFormat
    from docling.datamodel.pipeline_options import PdfPipelineOptions
    from docling.document_converter import DocumentConverter, PdfFormatOption
    opts = PdfPipelineOptions()  # defaults: layout model + TableFormer (accurate mode)
    opts.do_ocr = ocr
    opts.do_table_structure = True
    if ocr:
        from docling.datamodel.pipeline_options import TesseractCliOcrOptions
        # the same engine and language avance uses; force_full_page_ocr for image-only pages
        opts.ocr_options = TesseractCliOcrOptions(lang=["spa"], force_full_page_ocr=True)
    opts.accelerator_options.num_threads = 1
    opts.accelerator_options.device = "cpu"
    conv = DocumentConverter(format_options={InputFormat.PDF: PdfFormatOption(pipeline_options=opts)})
    conv.initialize_pipeline(InputFormat.PDF)  # loads the models now, so start-up is timed apart
    return conv


def docling_run(conv, pdf: Path):
    res = conv.convert(str(pdf), raises_on_error=True)
    out = []
    for table in res.document.tables:
        page = table.prov[0].page_no if table.prov else 0
        df = table.export_to_dataframe(doc=res.document) if _takes_doc(table) else table.export_to_dataframe()
        # the header row(s) Docling promotes to column names are rows of the table too
        out.append((page, [str(c) for c in df.columns]))
        out += [(page, ["" if v is None else str(v) for v in r]) for r in df.values.tolist()]
    return out


def _takes_doc(table) -> bool:
    import inspect
    return "doc" in inspect.signature(table.export_to_dataframe).parameters


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("tool", choices=TOOLS)
    ap.add_argument("pdfs", nargs="+", type=Path)
    ap.add_argument("--rows", type=Path)
    ap.add_argument("--tmp", type=Path)
    args = ap.parse_args()
    tmp = Path(args.tmp or tempfile.mkdtemp(prefix="bench_child_"))
    tmp.mkdir(parents=True, exist_ok=True)
    pages = sum(n_pages(p) for p in args.pdfs)
    errors: list[str] = []
    rows: list[dict] = []

    t0 = time.perf_counter()
    if args.tool == "avance":
        avance_setup()
        startup = time.perf_counter() - t0
        t1 = time.perf_counter()
        out = avance_run_all(args.pdfs, tmp)
        work = time.perf_counter() - t1
        if args.rows:
            rows = avance_rows(out)
            import pandas as pd
            docs = pd.concat([pd.read_parquet(f) for f in (out / "documents").glob("*.parquet")])
            errors = [f"{r.file_name}: {r.status}: {r.error}" for r in docs.itertuples() if r.status == "failed"]
    else:
        if args.tool.startswith("camelot"):
            state, run = camelot_setup(), camelot_run(args.tool.split("-")[1])
        elif args.tool == "pdfplumber-lines":
            state, run = pdfplumber_setup(), pdfplumber_run(None)
        elif args.tool == "pdfplumber-text":
            state, run = pdfplumber_setup(), pdfplumber_run({"vertical_strategy": "text", "horizontal_strategy": "text"})
        else:
            state, run = docling_setup(ocr=args.tool == "docling-ocr"), docling_run
        startup = time.perf_counter() - t0
        t1 = time.perf_counter()
        for pdf in args.pdfs:
            try:
                got = run(state, pdf)
            except Exception as exc:  # a peer failing on one file: recorded, the run goes on
                errors.append(f"{pdf.name}: {type(exc).__name__}: {str(exc)[:300]}")
                continue
            rows += [{"file": pdf.name, "page": pg, "cells": cells} for pg, cells in got]
        work = time.perf_counter() - t1

    if args.rows:
        args.rows.write_text(json.dumps(rows))
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps({"tool": args.tool, "startup_s": startup, "work_s": work, "pages": pages,
                      "docs": len(args.pdfs), "errors": errors, "peak_self_mb": peak}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
