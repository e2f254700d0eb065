"""avance against the floors of its two paths, side by side in one run (issue 19).

    .venv/bin/python bench/floors.py                 # all four comparisons, 5 alternating rounds
    .venv/bin/python bench/floors.py --runs 3 --only scans,digital
    git archive BASE | tar -x -C /tmp/base && .venv/bin/python bench/floors.py --checkout /tmp/base   # before

The machine is shared and noisy, so every comparison alternates its two sides round
after round (A B A B ...) and reports medians and the median of the per-round ratios
(each ratio taken between two runs seconds apart). Every timed run is a fresh
process, start-up included, with OMP_THREAD_LIMIT=1 (one core each); `--cpu N` pins
them all with taskset.

1. scans: plain `tesseract PAGE.png - -l spa` over the 300-dpi pages (rendered once,
   before timing, exactly as avance renders them: pypdfium2, grey) of the dev scans
   d001, d011, d012 (8 pages) and, apart, of the real evaluation scan (8 pages), against
   `avance extract --workers 1` on the same files.
2. digital: the text-layer floor (a fresh Python process that opens each PDF with
   pypdfium2 and reads every character and its box) against `avance extract --workers 1`
   on the 12 digital dev PDFs (68 pages).
3. parallel: `avance extract --workers 2` against `--workers 1` on one 8-page scan.
4. memory: peak RSS of the largest process of each avance run (os.wait4: the run's
   process tree), reported for the real scan.

At the end, the issue's "Done when" figures side by side, each against its target:
the one-core ratios by CPU seconds (user + system of the run's whole process tree;
on a shared machine the steadier figure) and by wall time, the workers ratio by wall
time only (its point is the wall time). Accuracy of the same runs: the last avance
output of each comparison is scored with ../shared/tools/score.py where truth exists
(the dev scans, the digital PDFs), and every output gets a digest of its tables, so
two checkouts' runs (`--checkout`) can be seen to give the same tables or not.

avance's modules are compiled to bytecode before timing (`--bytecode compiled`, the
default), as `pip install` leaves an installed package; this machine sets
PYTHONDONTWRITEBYTECODE=1, under which a run from a fresh checkout compiles every module
at start-up (`--bytecode source` times that).
"""
from __future__ import annotations

import argparse
import hashlib
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"
DEV = SHARED / "corpus" / "dev"
REAL_SCAN = SHARED / "realdocs" / "itsch_poa2025_evaluacion_fisico_financiera_ene-sep.pdf"
DEV_SCANS = ("d001", "d011", "d012")
DPI = 300
SCORE = SHARED / "tools" / "score.py"
KEEP: dict[str, Path] = {}  # comparison -> the last avance output folder (scored at the end)
TARGETS = {  # the "Done when": (what, how it is compared, at most)
    "scans": ("dev scans / plain Tesseract, one core", "cpu", 1.0),
    "real": ("real evaluation scan / plain Tesseract, one core", "cpu", 1.5),
    "digital": ("12 digital PDFs / pypdfium2 floor, one core", "cpu", 8.0),
    "parallel": ("one 8-page scan, --workers 2 / --workers 1", "wall", 0.6),
}
RSS_TARGET_MB = 300
AVANCE = [sys.executable, "-m", "avance.cli"]
CHECKOUT = ROOT  # the avance timed (--checkout: another one, e.g. the main branch's, for a before/after)

# the text-layer floor: every character of every page and its box, nothing else
FLOOR_SCRIPT = """
import sys, pypdfium2 as pdfium
n = 0
for path in sys.argv[1:]:
    pdf = pdfium.PdfDocument(path)
    for page in pdf:
        text = page.get_textpage()
        count = text.count_chars()
        chars = text.get_text_range(0, count) if count else ""
        boxes = [text.get_charbox(i) for i in range(count)]
        n += len(boxes)
        text.close(); page.close()
    pdf.close()
print(n)
"""


BYTECODE = "compiled"  # --bytecode


def env() -> dict:
    e = dict(os.environ, OMP_THREAD_LIMIT="1")
    if CHECKOUT != ROOT or BYTECODE == "source":  # another checkout is only read (its bytecode aside)
        e["PYTHONDONTWRITEBYTECODE"] = "1"
        if not (CHECKOUT / ".venv").exists():  # a bare source tree (git archive COMMIT): this venv's packages
            e["PYTHONPATH"] = str(CHECKOUT)
    return e


def pin(cpu: int | None) -> list[str]:
    return ["taskset", "-c", str(cpu)] if cpu is not None and shutil.which("taskset") else []


def timed(cmd: list[str], cpu: int | None) -> tuple[float, float, float]:
    """Wall seconds, peak RSS (MB) of the largest process of the command's tree, and the
    tree's CPU seconds (user + system: on a busy machine, steadier than wall time)."""
    t = time.perf_counter()
    p = subprocess.Popen(pin(cpu) + cmd, env=env(), cwd=CHECKOUT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(p.pid, 0)
    seconds = time.perf_counter() - t
    p.returncode = os.waitstatus_to_exitcode(status)
    err = p.stderr.read().decode(errors="replace") if p.stderr else ""
    if p.returncode not in (0, 1):  # 1: a partial document is still a timed run
        raise RuntimeError(f"{cmd[:4]}... exited {p.returncode}: {err[-500:]}")
    return seconds, usage.ru_maxrss / 1024, usage.ru_utime + usage.ru_stime


def render_pages(pdfs: list[Path], folder: Path) -> list[Path]:
    """The 300-dpi grey pages avance's OCR reads, as PNG files (not timed)."""
    import cv2
    import pypdfium2 as pdfium

    out = []
    for pdf_path in pdfs:
        pdf = pdfium.PdfDocument(str(pdf_path))
        for i in range(len(pdf)):
            array = pdf[i].render(scale=DPI / 72, grayscale=True).to_numpy()
            array = array[..., 0] if array.ndim == 3 else array
            target = folder / f"{pdf_path.stem}.p{i + 1}.png"
            cv2.imwrite(str(target), array)
            out.append(target)
        pdf.close()
    return out


def tesseract_pages(pages: list[Path], cpu: int | None) -> tuple[float, float, float]:
    total, peak, cpu_s = 0.0, 0.0, 0.0
    for page in pages:
        s, mb, c = timed(["tesseract", str(page), "-", "-l", "spa"], cpu)
        total, peak, cpu_s = total + s, max(peak, mb), cpu_s + c
    return total, peak, cpu_s


def avance(pdfs: list[Path], workers: int, cpu: int | None, tmp: Path, keep: str | None = None
           ) -> tuple[float, float, float]:
    """One timed `avance extract`; its output is kept under `keep` (the last run's) for scoring."""
    out = Path(tempfile.mkdtemp(dir=tmp, prefix="out_"))
    try:
        return timed(AVANCE + ["extract", *map(str, pdfs), "--out", str(out), "--workers", str(workers),
                               "--quiet", "--force"], cpu)
    finally:
        if keep:
            if keep in KEEP:
                shutil.rmtree(KEEP[keep], ignore_errors=True)
            KEEP[keep] = out
        else:
            shutil.rmtree(out, ignore_errors=True)


def tables_digest(out: Path) -> str:
    """The tables' content, whatever the row order of files: same digest, same tables
    (the pipeline version and source paths left out, so two checkouts compare)."""
    import pyarrow.parquet as pq

    h = hashlib.sha256()
    for folder in sorted(p for p in out.iterdir() if p.is_dir() and not p.name.startswith(".")):
        for f in sorted(folder.glob("*.parquet")):
            rows = pq.read_table(f).to_pylist()
            for row in rows:
                for col in ("pipeline_version", "source_path", "source_abspath"):
                    row.pop(col, None)
            h.update(f"{folder.name}/{f.name}".encode())
            h.update(json.dumps(rows, sort_keys=True, default=str).encode())
    return h.hexdigest()[:16]


def score(out: Path, truth: list[Path]) -> str | None:
    """score.py's closing line (field accuracy, flags) for this output, or None."""
    if not truth or not SCORE.exists():
        return None
    args = [a for t in truth for a in ("--truth", str(t))]
    done = subprocess.run([sys.executable, str(SCORE), *args, "--out", str(out)], capture_output=True, text=True)
    lines = done.stdout.strip().splitlines()
    return lines[-1] if lines else done.stderr.strip()[-200:]


def prepare_bytecode(mode: str) -> None:
    """`compiled`: the timed checkout's package compiled to bytecode first, as `pip install`
    leaves an installed package (a run then reads its modules' bytecode). `source`: its
    bytecode removed, so every run compiles its modules from source, as on a machine that
    sets PYTHONDONTWRITEBYTECODE=1 (this one does) over a fresh checkout: ~0.15 s of
    CPU a run here. Neither is timed."""
    package = CHECKOUT / "avance"
    if mode == "compiled":
        subprocess.run([AVANCE[0], "-m", "compileall", "-q", str(package)], check=True, stdout=subprocess.DEVNULL)
    else:
        for cache in package.rglob("__pycache__"):
            shutil.rmtree(cache, ignore_errors=True)


def floor(pdfs: list[Path], cpu: int | None) -> tuple[float, float, float]:
    return timed([sys.executable, "-c", FLOOR_SCRIPT, *map(str, pdfs)], cpu)


def compare(name: str, a_label: str, a, b_label: str, b, runs: int) -> dict:
    """A and B alternated `runs` times (the first side swapped every round)."""
    rows = {a_label: [], b_label: []}
    for r in range(runs):
        order = [(a_label, a), (b_label, b)] if r % 2 == 0 else [(b_label, b), (a_label, a)]
        for label, fn in order:
            rows[label].append(fn())
        print(f"  {name} round {r + 1}: " + ", ".join(f"{k} {v[-1][0]:.2f} s ({v[-1][2]:.2f} s CPU)"
                                                     for k, v in rows.items() if v),
              file=sys.stderr, flush=True)
    a_s, b_s = [x[0] for x in rows[a_label]], [x[0] for x in rows[b_label]]
    a_c, b_c = [x[2] for x in rows[a_label]], [x[2] for x in rows[b_label]]
    return {
        "a_cpu": a_c, "b_cpu": b_c, "cpu_ratio": statistics.median(b_c) / statistics.median(a_c),
        "name": name, "a": a_label, "b": b_label, "runs": runs,
        "a_seconds": a_s, "b_seconds": b_s,
        "a_median": statistics.median(a_s), "b_median": statistics.median(b_s),
        "ratio_of_medians": statistics.median(b_s) / statistics.median(a_s),
        "median_ratio": statistics.median(y / x for x, y in zip(a_s, b_s)),
        "b_peak_mb": max(x[1] for x in rows[b_label]), "a_peak_mb": max(x[1] for x in rows[a_label]),
    }


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--only", default="scans,real,digital,parallel",
                    help="comma list of: scans (dev scans), real (evaluation scan), digital, parallel")
    ap.add_argument("--cpu", type=int, default=None, help="pin every timed process to this core (taskset)")
    ap.add_argument("--parallel-doc", default=str(REAL_SCAN), help="the 8-page scan of the workers comparison")
    ap.add_argument("--json", default=None, help="also write the figures here")
    ap.add_argument("--checkout", default=None,
                    help="time the avance of this checkout (its .venv) instead of this one's")
    ap.add_argument("--bytecode", choices=("compiled", "source"), default="compiled",
                    help="compiled (default): the timed checkout's modules are compiled to bytecode before "
                         "timing, as an installed package is; source: every run compiles them (see prepare_bytecode)")
    args = ap.parse_args(argv)
    global CHECKOUT, BYTECODE
    if args.checkout:
        CHECKOUT = Path(args.checkout).resolve()
        if (CHECKOUT / ".venv").exists():
            AVANCE[0] = str(CHECKOUT / ".venv" / "bin" / "python")
    BYTECODE = args.bytecode
    prepare_bytecode(BYTECODE)
    only = set(args.only.split(","))
    tmp = Path(tempfile.mkdtemp(prefix="floors_"))
    results = []
    load_before = os.getloadavg()
    try:
        dev_scans = sorted(p for p in DEV.glob("*.scan.pdf") if p.name[:4] in DEV_SCANS)
        digital = sorted(p for p in DEV.glob("*.pdf") if ".scan." not in p.name)
        if "scans" in only:
            pages = render_pages(dev_scans, tmp)
            results.append(compare(f"dev scans ({len(pages)} pages)", "tesseract", lambda: tesseract_pages(pages, args.cpu),
                                   "avance --workers 1", lambda: avance(dev_scans, 1, args.cpu, tmp, "scans"), args.runs))
            results[-1]["key"] = "scans"
        if "real" in only:
            pages = render_pages([REAL_SCAN], tmp)
            results.append(compare(f"real evaluation scan ({len(pages)} pages)", "tesseract",
                                   lambda: tesseract_pages(pages, args.cpu),
                                   "avance --workers 1", lambda: avance([REAL_SCAN], 1, args.cpu, tmp, "real"), args.runs))
            results[-1]["key"] = "real"
        if "digital" in only:
            results.append(compare(f"digital dev PDFs ({len(digital)} files)", "pypdfium2 floor",
                                   lambda: floor(digital, args.cpu),
                                   "avance --workers 1", lambda: avance(digital, 1, args.cpu, tmp, "digital"), args.runs))
            results[-1]["key"] = "digital"
        if "parallel" in only:
            doc = Path(args.parallel_doc)
            results.append(compare(f"one scan, {doc.name}", "avance --workers 1", lambda: avance([doc], 1, None, tmp),
                                   "avance --workers 2", lambda: avance([doc], 2, None, tmp, "parallel"), args.runs))
            results[-1]["key"] = "parallel"
        truth = {"scans": [p.with_name(p.name[:-4] + ".truth.json") for p in dev_scans],
                 "digital": [p.with_name(p.name[:-4] + ".truth.json") for p in digital]}
        for r in results:
            out = KEEP.get(r["key"])
            if out is not None:
                r["digest"] = tables_digest(out)
                r["score"] = score(out, [t for t in truth.get(r["key"], []) if t.exists()])
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    load_after = os.getloadavg()
    print(f"\nload average before {load_before[0]:.1f}, after {load_after[0]:.1f} (2 cores); medians of {args.runs} "
          f"alternating runs; B/A = ratio of medians (median of per-round ratios); avance's bytecode: {BYTECODE}")
    print(f"{'comparison':44} {'A':>18} {'A s':>7} {'B':>20} {'B s':>7} {'B/A':>6} {'(per-round)':>11} "
          f"{'CPU B/A':>7} {'B peak MB':>9}")
    for r in results:
        print(f"{r['name'][:44]:44} {r['a']:>18} {r['a_median']:7.2f} {r['b']:>20} {r['b_median']:7.2f} "
              f"{r['ratio_of_medians']:6.2f} {r['median_ratio']:11.2f} {r['cpu_ratio']:7.2f} {r['b_peak_mb']:9.0f}")
    print(f"\nDone when (issue 19), load average {load_before[0]:.1f} -> {load_after[0]:.1f}:")
    print(f"{'figure':52} {'CPU':>6} {'wall':>6} {'target':>7} {'met':>4}")
    for r in results:
        what, how, target = TARGETS[r["key"]]
        cpu_r, wall_r = r["cpu_ratio"], r["ratio_of_medians"]
        met = (cpu_r if how == "cpu" else wall_r) <= target
        print(f"{what:52} {cpu_r:6.2f} {wall_r:6.2f} {'<= ' + format(target, 'g'):>7} {'yes' if met else 'NO':>4}"
              f"   ({how} ratio decides)")
    for r in results:
        if r["key"] in ("real", "parallel"):
            print(f"{'peak RSS of one process, ' + r['key'] + ' (' + r['b'] + ')':52} {r['b_peak_mb']:6.0f} MB "
                  f"{'<= ' + str(RSS_TARGET_MB):>7} {'yes' if r['b_peak_mb'] <= RSS_TARGET_MB else 'NO':>4}")
    print("\naccuracy of the last avance run of each comparison (digest: its tables' content):")
    for r in results:
        print(f"  {r['key']:9} tables {r.get('digest', '-')}  {r.get('score') or '(no truth here)'}")
    for out in KEEP.values():
        shutil.rmtree(out, ignore_errors=True)
    if args.json:
        Path(args.json).write_text(json.dumps({"load": [load_before, load_after], "results": results}, indent=1))
    shutil.rmtree(tmp, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
