"""avance against the tools a user would pick instead, on the same dev PDFs, on the
one measure they can all be held to (bench/_peer_scoring.py): for each truth goal
(POA) and MIR row, the share of its numeric fields (annual target, quarterly
programmed/achieved or targets, achieved, percentages) found in ONE extracted
table row that also contains the row's code.

    .venv/bin/python bench/peers.py [--tools ...] [--avance-out DIR] [--json FILE]

Peers, each run untuned on every page of every file (digital and scanned):
- camelot lattice, camelot stream (camelot-py, `pip install 'avance[bench]'`)
- pdfplumber `page.extract_tables()` with default settings (lines strategy) and
  with the text strategy (vertical and horizontal)
- Docling (layout model + TableFormer; on scans with Tesseract OCR), run in its own
  venv (--docling-python, default /tmp/docling-venv/bin/python) when it is there.
A peer without OCR gets nothing from a scanned PDF: it is run on the scans all the
same and scores what it returns. Each tool runs in its own process
(bench/_extract_child.py); a tool that cannot run is reported with the reason.
"""
from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))
from _peer_scoring import Row, evaluate, load_all_truth  # noqa: E402

DIGITAL = ROOT / "tests" / "corpus" / "digital"
SCANNED = ROOT / "tests" / "corpus" / "scanned"
CHILD = HERE / "_extract_child.py"
DOCLING_PYTHON = Path("/tmp/docling-venv/bin/python")

LABELS = {
    "avance": "avance extract",
    "camelot-lattice": "Camelot lattice",
    "camelot-stream": "Camelot stream",
    "pdfplumber-lines": "pdfplumber extract_tables (default: lines)",
    "pdfplumber-text": "pdfplumber extract_tables (text strategy)",
    "docling": "Docling (no OCR)",
    "docling-ocr": "Docling + Tesseract OCR",
}
DEFAULT_TOOLS = ["avance", "camelot-lattice", "camelot-stream", "pdfplumber-lines", "pdfplumber-text",
                 "docling", "docling-ocr"]


def corpus() -> dict[str, list[Path]]:
    return {"digital": sorted(DIGITAL.glob("*.pdf")), "scanned": sorted(SCANNED.glob("*.scan.pdf"))}


def tool_python(tool: str, docling_python: Path) -> Path:
    return docling_python if tool.startswith("docling") else Path(sys.executable)


def child_env() -> dict:
    # one thread for OpenMP/Tesseract in every child, as in bench/speed.py
    return dict(os.environ, OMP_THREAD_LIMIT="1", OMP_NUM_THREADS="1", PYTHONPATH=str(ROOT))


def run_tool(tool: str, pdfs: list[Path], work: Path, docling_python: Path, timeout: float) -> dict:
    """Run one tool over `pdfs` in a fresh process; -> child's JSON + rows, or {"error": why}."""
    py = tool_python(tool, docling_python)
    if not py.exists():
        return {"tool": tool, "error": f"{py} not found (Docling is installed in a separate venv: see bench/README.md)"}
    rows_file = work / f"rows_{tool}.json"
    cmd = [str(py), str(CHILD), tool, *map(str, pdfs), "--rows", str(rows_file), "--tmp", str(work / f"tmp_{tool}")]
    try:
        p = subprocess.run(cmd, capture_output=True, text=True, env=child_env(), cwd=ROOT, timeout=timeout)
    except subprocess.TimeoutExpired:
        return {"tool": tool, "error": f"timed out after {timeout:.0f} s"}
    (work / f"stderr_{tool}.txt").write_text(p.stderr)
    if p.returncode != 0:
        return {"tool": tool, "error": failure_reason(p.stderr, p.returncode)}
    res = json.loads(p.stdout.strip().splitlines()[-1])
    res["rows"] = json.loads(rows_file.read_text())
    return res


def failure_reason(stderr: str, code: int) -> str:
    """The last exception line of a traceback (the reason), else the last line."""
    lines = [ln.strip() for ln in stderr.strip().splitlines() if ln.strip()]
    exc = [ln for ln in lines if not ln.startswith(("File ", "^", "~")) and ("Error" in ln or "Exception" in ln)]
    why = exc[-1] if exc else (lines[-1] if lines else "")
    fetching = [ln.split(":", 2)[-1].strip() for ln in lines if "Fetching model" in ln]
    return f"exit {code}: {why[:600]}" + (f" (while: {fetching[-1]})" if fetching else "")


def score_tool(rows: list[dict], files: dict[str, list[Path]]) -> dict:
    """-> {variant: {family: [truth_rows, rows_with_code, found, total]}} plus per-file detail."""
    by_file: dict[str, list[Row]] = {}
    for r in rows:
        by_file.setdefault(r["file"], []).append(Row(int(r["page"]), [str(c) for c in r["cells"]]))
    agg: dict[str, dict[str, list[int]]] = {}
    detail = []
    for variant, pdfs in files.items():
        for pdf in pdfs:
            truth = load_all_truth(pdf)
            got = by_file.get(pdf.name, [])
            for fam in ("poa", "mir"):
                t = [x for x in truth if x.family == fam]
                if not t:
                    continue
                m, f, tot = evaluate(t, got)
                a = agg.setdefault(variant, {}).setdefault(fam, [0, 0, 0, 0])
                for i, v in enumerate((len(t), m, f, tot)):
                    a[i] += v
                detail.append({"file": pdf.name, "variant": variant, "family": fam, "truth_rows": len(t),
                               "rows_with_code": m, "found": f, "total": tot, "extracted_rows": len(got)})
    return {"agg": agg, "detail": detail, "extracted_rows": len(rows)}


def pct(f: int, t: int) -> str:
    return f"{f / t:.1%}" if t else "-"


def markdown_table(results: dict) -> str:
    lines = ["| tool | digital POA | digital MIR | digital all | scanned POA | scanned MIR | scanned all |",
             "|---|---:|---:|---:|---:|---:|---:|"]
    for tool, r in results.items():
        label = LABELS.get(tool, tool)
        if "error" in r:
            lines.append(f"| {label} | did not run | | | | | |")
            continue
        cells = []
        for variant in ("digital", "scanned"):
            fams = r["score"]["agg"].get(variant, {})
            for fam in ("poa", "mir"):
                n, m, f, tot = fams.get(fam, [0, 0, 0, 0])
                cells.append(f"{pct(f, tot)} ({f}/{tot})")
            f = sum(v[2] for v in fams.values())
            tot = sum(v[3] for v in fams.values())
            cells.append(f"**{pct(f, tot)}**")
        lines.append(f"| {label} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def rows_with_code_table(results: dict) -> str:
    lines = ["| tool | extracted rows | truth rows whose code is in an extracted row (digital) | (scanned) |",
             "|---|---:|---:|---:|"]
    for tool, r in results.items():
        if "error" in r:
            continue
        cells = []
        for variant in ("digital", "scanned"):
            fams = r["score"]["agg"].get(variant, {})
            n = sum(v[0] for v in fams.values())
            m = sum(v[1] for v in fams.values())
            cells.append(f"{m}/{n}")
        lines.append(f"| {LABELS.get(tool, tool)} | {r['score']['extracted_rows']} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--tools", nargs="*", default=DEFAULT_TOOLS, choices=DEFAULT_TOOLS)
    ap.add_argument("--avance-out", type=Path,
                    help="score this existing `avance extract` output of the same files instead of running avance")
    ap.add_argument("--docling-python", type=Path, default=DOCLING_PYTHON)
    ap.add_argument("--jobs", type=int, default=2, help="tools run at once (accuracy only: nothing is timed here)")
    ap.add_argument("--timeout", type=float, default=3600, help="seconds one tool may take over all files")
    ap.add_argument("--only", default="", help="keep files whose name contains this")
    ap.add_argument("--work", type=Path, help="folder for rows and logs (default: a temp folder)")
    ap.add_argument("--json", type=Path, help="write the results here")
    args = ap.parse_args(argv)

    files = {v: [p for p in ps if args.only in p.name] for v, ps in corpus().items()}
    pdfs = files["digital"] + files["scanned"]
    work = args.work or Path(tempfile.mkdtemp(prefix="bench_peers_"))
    work.mkdir(parents=True, exist_ok=True)
    print(f"{len(files['digital'])} digital + {len(files['scanned'])} scanned PDFs; work folder {work}", file=sys.stderr)

    def one(tool: str) -> tuple[str, dict]:
        if tool == "avance" and args.avance_out:
            from _extract_child import avance_rows
            return tool, {"tool": tool, "rows": avance_rows(args.avance_out), "errors": [],
                          "note": f"scored from {args.avance_out}"}
        res = run_tool(tool, pdfs, work, args.docling_python, args.timeout)
        msg = res.get("error") or f"{res['work_s']:.0f} s, {len(res['rows'])} rows, {len(res['errors'])} file errors"
        print(f"  {tool}: {msg}", file=sys.stderr, flush=True)
        return tool, res

    with ThreadPoolExecutor(max_workers=max(1, args.jobs)) as pool:
        done = dict(pool.map(one, args.tools))
    results = {}
    for tool in args.tools:
        r = done[tool]
        if "error" not in r:
            r["score"] = score_tool(r.pop("rows"), files)
        results[tool] = r

    print("\nshare of truth numeric fields found in one extracted row that contains the row's code")
    print(markdown_table(results))
    print()
    print(rows_with_code_table(results))
    for tool, r in results.items():
        if "error" in r:
            print(f"\n{LABELS[tool]} did not run: {r['error']}")
        for e in r.get("errors", []):
            print(f"{LABELS[tool]}: {e}")
    if args.json:
        args.json.write_text(json.dumps(results, indent=1, default=str))
    return 0


if __name__ == "__main__":
    sys.exit(main())
