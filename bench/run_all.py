"""The one command that reproduces every benchmark figure and writes BENCHMARKS.md.

    .venv/bin/pip install -e '.[bench]'       # camelot-py (once)
    python3 -m venv /tmp/docling-venv && /tmp/docling-venv/bin/pip install docling   # optional peer (once)
    .venv/bin/python bench/run_all.py          # ~15-20 min on 2 cores, plus up to 20 min waiting for a quiet machine

In order, in one run, on the same files:
1. waits (up to --max-wait s) until the 1-minute load average is below --wait-load,
   then bench/speed.py: pages/s on text-layer pages, s/page on scanned pages, peak
   RSS, medians of --runs fresh single-core processes, load average before and after;
2. bench/accuracy.py: `avance extract` on the digital and scanned dev corpus,
   scored by the project's scorer per family, digital against scanned;
3. bench/peers.py: avance (that same output) and the peers on the one shared
   measure (numeric fields of each goal / MIR row found in one row with its code).
Then writes BENCHMARKS.md (--out) with the tables, the machine, the date and the command.
"""
from __future__ import annotations

import argparse
import datetime as dt
import importlib.metadata as md
import json
import os
import platform
import shlex
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))
from accuracy import family_table  # noqa: E402
from peers import LABELS, markdown_table, rows_with_code_table  # noqa: E402
from speed import markdown as speed_markdown  # noqa: E402


def run_step(name: str, cmd: list[str], log: Path) -> None:
    print(f"== {name}: {shlex.join(cmd)}", file=sys.stderr, flush=True)
    t = time.perf_counter()
    with open(log, "w") as fh:
        p = subprocess.run(cmd, cwd=ROOT, stdout=fh, stderr=subprocess.STDOUT)
    print(f"   {name} done in {time.perf_counter() - t:.0f} s (exit {p.returncode}; log {log})", file=sys.stderr, flush=True)
    if p.returncode != 0:
        raise SystemExit(f"{name} failed: see {log}")


def version(pkg: str) -> str:
    try:
        return md.version(pkg)
    except md.PackageNotFoundError:
        return "not installed"


def machine(docling_python: Path) -> dict:
    cpu = "unknown"
    with open("/proc/cpuinfo") as fh:
        for line in fh:
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    mem_kb = 0
    with open("/proc/meminfo") as fh:
        for line in fh:
            if line.startswith("MemTotal"):
                mem_kb = int(line.split()[1])
    osname = platform.platform()
    if Path("/etc/os-release").exists():
        for line in Path("/etc/os-release").read_text().splitlines():
            if line.startswith("PRETTY_NAME="):
                osname = line.split("=", 1)[1].strip('"') + f", kernel {platform.release()}"
    tess = subprocess.run(["tesseract", "--version"], capture_output=True, text=True)
    tess_v = (tess.stdout or tess.stderr).splitlines()[0] if tess.returncode == 0 else "not found"
    libs = {p: version(p) for p in ("avance", "pdfplumber", "pdfminer.six", "pypdfium2", "camelot-py",
                                    "opencv-python-headless", "tesserocr", "pytesseract", "pandas", "pyarrow", "numpy")}
    libs["tesseract"] = tess_v.replace("tesseract ", "")
    if docling_python.exists():
        p = subprocess.run([str(docling_python), "-c", "import importlib.metadata as m; "
                            "print(m.version('docling'), m.version('docling-ibm-models'), m.version('torch'))"],
                           capture_output=True, text=True)
        if p.returncode == 0:
            d, ibm, torch = p.stdout.split()
            libs.update({"docling (separate venv)": d, "docling-ibm-models": ibm, "torch": torch})
    else:
        libs["docling"] = f"not installed ({docling_python} missing)"
    return {"nproc": os.cpu_count(), "affinity": len(os.sched_getaffinity(0)), "cpu": cpu,
            "ram_gib": mem_kb / 1024 / 1024, "os": osname, "python": platform.python_version(), "libs": libs,
            "git": _git()}


def _git() -> str:
    p = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True, cwd=ROOT)
    if p.returncode != 0:
        return "unknown"
    dirty = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no", "avance"],
                           capture_output=True, text=True, cwd=ROOT).stdout.strip()
    return p.stdout.strip() + (" with uncommitted changes under avance/" if dirty else "")


def side_by_side(speed: dict, peers: dict) -> str:
    lines = ["| tool | digital: fields found | scanned: fields found | text layer pages/s | scanned s/page | peak RSS MB (text / scan) |",
             "|---|---:|---:|---:|---:|---:|"]
    for tool, r in peers.items():
        label = LABELS.get(tool, tool)
        if "error" in r:
            lines.append(f"| {label} | did not run | did not run | did not run | did not run | |")
            continue
        acc = []
        for variant in ("digital", "scanned"):
            fams = r["score"]["agg"].get(variant, {})
            f = sum(v[2] for v in fams.values())
            tot = sum(v[3] for v in fams.values())
            acc.append(f"{f / tot:.1%}" if tot else "-")
        st = speed["text"].get(tool)
        ss = speed["scan"].get(tool)
        pps = f"{st['pages'] / st['work_s']:.1f}" if st and "error" not in st else "-"
        spp = f"{ss['work_s'] / ss['pages']:.2f}" if ss and "error" not in ss else "no OCR"
        mem = " / ".join(f"{x['peak_mb']:.0f}" if x and "error" not in x else "-" for x in (st, ss))
        lines.append(f"| {label} | {acc[0]} | {acc[1]} | {pps} | {spp} | {mem} |")
    return "\n".join(lines)


def write_report(path: Path, m: dict, speed: dict, acc: dict, peers: dict, started: dt.datetime,
                 finished: dt.datetime, command: str, work: Path) -> None:
    ls, le = speed["load_start"], speed["load_end"]
    docling_errors = {t: r["error"] for t, r in peers.items() if t.startswith("docling") and "error" in r}
    scans = ", ".join(speed["scans"])
    n_text = len(speed["text_files"])
    acc_run = acc["run"]
    libs = "; ".join(f"{k} {v}" for k, v in m["libs"].items())
    idles = [r["cpu_idle_before"] for part in ("text", "scan") for r in speed[part].values()
             if "error" not in r and r.get("cpu_idle_before") == r.get("cpu_idle_before")]
    busy = ""
    if (idles and min(idles) < 0.9) or not speed["load_was_below_limit"] or le[0] >= 2:
        busy = (f"\n\n> **Busy machine.** Other jobs were running while the timings were taken (1-min load "
                f"{ls[0]:.2f} at the start, {le[0]:.2f} at the end; median idle share of the chosen core just before "
                f"a run, per tool: {min(idles):.0%} to {max(idles):.0%}). The absolute speeds are lower, and the "
                f"spreads wider, than on a quiet machine; tools timed in the same rounds shared the same conditions, "
                f"so the ratios between them hold better than the absolute figures." if idles else "")
    s = f"""# Benchmarks

avance against the tools a user would pick instead, on the same files, in one run.
Generated by `{command}` (bench/run_all.py); do not edit by hand, re-run it.

- **Date:** {started:%Y-%m-%d %H:%M} to {finished:%H:%M} UTC
- **Machine:** {m['nproc']} cores ({m['affinity']} usable), {m['cpu']}, {m['ram_gib']:.1f} GiB RAM; {m['os']}; Python {m['python']}
- **Code:** avance at git {m['git']}
- **Libraries:** {libs}
- **Load average (1/5/15 min)** when the timed part started: {ls[0]:.2f} / {ls[1]:.2f} / {ls[2]:.2f}; when it ended: {le[0]:.2f} / {le[1]:.2f} / {le[2]:.2f}{f" (waited {speed['waited_s']:.0f} s for the 1-min load to fall below {speed['wait_load']})" if speed['waited_s'] else ""}{"" if speed['load_was_below_limit'] else f" — **the 1-min load did not fall below {speed['wait_load']} within the wait; the timings ran on a busy machine**"}
- **Files:** the dev corpus, `tests/corpus/digital/*.pdf` ({n_text} born-digital PDFs) and `tests/corpus/scanned/*.scan.pdf` (the same 12 reports scanned), truth files beside each.

## Side by side

Accuracy on the one measure every tool can be held to (below); speed on one core.

{side_by_side(speed, peers)}

## Accuracy on the shared measure

For each truth goal (POA, {n_rows(peers, 'poa')} rows x 11 fields: annual target, absolute and relative
progress, programmed and achieved of each quarter) and each MIR row ({n_rows(peers, 'mir')} rows x 8
fields: annual target, achieved, % of the period, cumulative %, the target of each
quarter), the share of its numeric fields found in **one extracted table row that
also contains the row's code** (`M.100`, `101-`, `4.1.1.1`), on the pages of the
truth section. Numbers as printed (`127,762`, `19.36%`), tolerance 0.005,
column-blind (a number in the wrong column still counts, which favours the peers);
a null truth value counts when the row has an unused empty cell. Scoring code:
`bench/_peer_scoring.py` (moved from `bench/camelot_vs_grid.py`). Every tool ran
untuned, on every page of every file. avance's rows are its `goals`/`goal_periods`
and `mir_rows`/`mir_periods` Parquet tables from step 2 (one row per goal: code +
its numbers).

{markdown_table(peers)}

{rows_with_code_table(peers)}

{peer_notes(peers, docling_errors)}

## avance accuracy by family, digital against scanned

`avance extract` (default settings, OCR auto) on all 12 digital and all 12 scanned
PDFs, scored by the project's scorer (`avance.evaluate.score`, as `avance evaluate
--by family`) with the digital and the scanned truth files: strict = truth fields
equal in the output, over every scored column of every table (not only numbers);
rows = truth rows found by key. Extraction took {acc_run['digital']['seconds']:.0f} s (digital) and
{acc_run['scanned']['seconds']:.0f} s (scanned) with 2 workers (not a speed figure: see below).

{family_table(acc['scores'])}

## Speed and memory

Each figure is the median of {speed['runs']} runs; each run is a fresh process pinned to
one core with `taskset` (the core that was idlest over the second before the run, so
that another job pinned to a core does not share it;{f" each run first waits up to {speed['idle_wait']:.0f} s for a core at least {speed['min_idle']:.0%} idle;" if speed.get('idle_wait') else ""} "core idle before" is the median
idle share of the chosen core in the second before the run), with `OMP_THREAD_LIMIT=1`, over all files of the set:
- text layer: the {n_text} digital PDFs, {speed['text']['avance'].get('pages', '?')} pages;
- scanned: a subset of 3 scanned PDFs ({scans}), {speed['scan']['avance'].get('pages', '?')} pages, to keep the run short.

Time is the extraction of all files, all pages (avance: `avance extract --workers 1`,
which writes the Parquet tables; Camelot `read_pdf(pages="all")`; pdfplumber
`extract_tables()` on every page). Start-up (interpreter, imports, models) is timed
apart. Peak RSS is `ru_maxrss` of the run's process tree from `wait4` (its largest
process: for avance the forked per-document worker). Spread = (max - min) / median of
the {speed['runs']} times. Peers without OCR are not timed on scans: they return nothing
there in milliseconds.

{speed_markdown(speed)}{busy}

## Reproduce

    .venv/bin/pip install -e '.[bench]'          # camelot-py
    python3 -m venv /tmp/docling-venv && /tmp/docling-venv/bin/pip install docling   # optional peer
    {command}

Raw figures of this run (JSON) and the logs were written to `{work}`. More in `bench/README.md`.
"""
    path.write_text(s)


def n_rows(peers: dict, fam: str) -> str:
    """Truth rows of a family per variant (the same in every scored tool)."""
    for r in peers.values():
        if "score" in r:
            return " + ".join(f"{r['score']['agg'].get(v, {}).get(fam, [0])[0]} {v}" for v in ("digital", "scanned"))
    return "?"


def peer_notes(peers: dict, docling_errors: dict) -> str:
    notes = []
    for tool, why in docling_errors.items():
        notes.append(f"- **{LABELS[tool]} did not run:** `{why}`.")
    if docling_errors:
        notes.append("  Docling (installed from PyPI into its own venv) loads its layout model "
                     "(`docling-project/docling-layout-heron`) and TableFormer weights (`docling-project/docling-models`) "
                     "from the Hugging Face Hub at run time; this machine reaches only the package registries, "
                     "so the download fails when the pipeline starts, before any page is read.")
    for tool, r in peers.items():
        for e in r.get("errors", [])[:5]:
            notes.append(f"- {LABELS[tool]}: {e}")
    notes.append("- The peers without OCR (Camelot, pdfplumber) find no text in an image-only scan: they return no rows there.")
    notes.append("- Caveat: this corpus is the one avance is developed and tested against, so its figures are in-sample.")
    return "\n".join(notes)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--wait-load", type=float, default=1.0)
    ap.add_argument("--max-wait", type=float, default=1200)
    ap.add_argument("--docling-python", type=Path, default=Path("/tmp/docling-venv/bin/python"))
    ap.add_argument("--work", type=Path, help="folder for JSON results, logs, avance output (default: a temp folder)")
    ap.add_argument("--out", type=Path, default=ROOT / "BENCHMARKS.md")
    ap.add_argument("--render", type=Path, metavar="WORK", help="only rewrite the report from the run kept in WORK")
    args = ap.parse_args(argv)
    if args.render:
        return render(args.render, args.out)
    command = ".venv/bin/python bench/run_all.py" + (f" --runs {args.runs}" if args.runs != 5 else "")
    work = args.work or Path(tempfile.mkdtemp(prefix="avance_bench_"))
    work.mkdir(parents=True, exist_ok=True)
    py = sys.executable
    started = dt.datetime.now(dt.timezone.utc)
    m = machine(args.docling_python)

    run_step("speed", [py, str(HERE / "speed.py"), "--runs", str(args.runs), "--wait-load", str(args.wait_load),
                       "--max-wait", str(args.max_wait), "--docling-python", str(args.docling_python),
                       "--json", str(work / "speed.json")], work / "speed.log")
    avance_out = work / "avance_out"
    if avance_out.exists():
        shutil.rmtree(avance_out)
    run_step("accuracy", [py, str(HERE / "accuracy.py"), "--out", str(avance_out), "--json", str(work / "accuracy.json")],
             work / "accuracy.log")
    run_step("peers", [py, str(HERE / "peers.py"), "--avance-out", str(avance_out), "--docling-python",
                       str(args.docling_python), "--work", str(work / "peers"), "--json", str(work / "peers.json")],
             work / "peers.log")
    finished = dt.datetime.now(dt.timezone.utc)
    (work / "meta.json").write_text(json.dumps({"machine": m, "started": started.isoformat(),
                                                "finished": finished.isoformat(), "command": command}))
    return render(work, args.out)


def render(work: Path, out: Path) -> int:
    """Write the report from a finished run's JSON files (also: --render WORK)."""
    meta = json.loads((work / "meta.json").read_text())
    m, command = meta["machine"], meta["command"]
    started, finished = dt.datetime.fromisoformat(meta["started"]), dt.datetime.fromisoformat(meta["finished"])
    speed = json.loads((work / "speed.json").read_text())
    acc = json.loads((work / "accuracy.json").read_text())
    peers = json.loads((work / "peers.json").read_text())
    write_report(out, m, speed, acc, peers, started, finished, command, work)
    print(f"wrote {out} (raw figures in {work})", file=sys.stderr)
    print(out.read_text())
    return 0


if __name__ == "__main__":
    sys.exit(main())
