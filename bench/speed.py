"""Speed and peak memory of avance and the peers (bench/peers.py), one core each.

- text-layer pages: every digital dev PDF (tests/corpus/digital), all pages -> pages/second;
- scanned pages: a subset of 3 scanned dev PDFs (--scans) -> seconds/page.

Every measurement is a fresh process (bench/_extract_child.py) pinned to one core with
`taskset -c N` (where available; N = the core idlest over the second before the
run, or --cpu N) and OMP_THREAD_LIMIT=1 / OMP_NUM_THREADS=1; its
peak RSS is ru_maxrss from os.wait4 on that process (the largest process of its
tree: for avance, the forked per-document worker). Runs are interleaved (round 1
of every tool, then round 2, ...) so a load change hits every tool alike; figures
are medians over --runs rounds. `work s` is the extraction of all files (what
pages/s and s/page are computed from); `start-up s` is interpreter + imports
(+ model loading), timed apart. Reports the load average before and after.
Before each run it waits (up to --idle-wait s) for a core that was at least
--min-idle idle over one second, and records that idle share per run.

    .venv/bin/python bench/speed.py [--runs 5] [--wait-load 1.0 --max-wait 1200] [--json FILE]
"""
from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))
from peers import CHILD, DIGITAL, DOCLING_PYTHON, LABELS, SCANNED, failure_reason, tool_python  # noqa: E402

DEFAULT_SCANS = ["d001_poa_tijuana.scan.pdf", "d011_mir_irapuato.scan.pdf", "d012_mixed_ensenada.scan.pdf"]
TEXT_TOOLS = ["avance", "camelot-lattice", "camelot-stream", "pdfplumber-lines", "pdfplumber-text", "docling"]
SCAN_TOOLS = ["avance", "docling-ocr"]  # the peers without OCR return nothing on a scan (bench/peers.py scores them there)
NO_OCR = {"camelot-lattice", "camelot-stream", "pdfplumber-lines", "pdfplumber-text", "docling"}


def taskset_prefix(cpu: int = 0) -> list[str]:
    return ["taskset", "-c", str(cpu)] if shutil.which("taskset") else []


def _cpu_times() -> dict[int, tuple[int, int]]:
    """cpu -> (idle + iowait, total) jiffies from /proc/stat."""
    out = {}
    with open("/proc/stat") as fh:
        for line in fh:
            name, *vals = line.split()
            if name.startswith("cpu") and name != "cpu":
                v = [int(x) for x in vals]
                out[int(name[3:])] = (v[3] + v[4], sum(v[:8]))
    return out


def idlest_cpu(sample: float = 1.0) -> tuple[int, float]:
    """The usable core that was idlest over the last `sample` seconds, and its idle share.

    Another process pinned to a core (another benchmark) would halve a run pinned to
    the same core: each run goes to the core that is free right now instead."""
    allowed = sorted(os.sched_getaffinity(0))
    a = _cpu_times()
    time.sleep(sample)
    b = _cpu_times()
    idle = {c: (b[c][0] - a[c][0]) / max(1, b[c][1] - a[c][1]) for c in allowed if c in a and c in b}
    if not idle:
        return allowed[0], float("nan")
    cpu = max(idle, key=idle.get)
    return cpu, min(1.0, idle[cpu])


def one_run(tool: str, pdfs: list[Path], docling_python: Path, timeout: float, cpu: int | None = None,
            min_idle: float = 0.0, idle_wait: float = 0.0) -> dict:
    py = tool_python(tool, docling_python)
    if not py.exists():
        return {"error": f"{py} not found"}
    cpu_idle = float("nan")
    if cpu is None:
        cpu, cpu_idle = idlest_cpu()
        end = time.monotonic() + idle_wait
        while cpu_idle < min_idle and time.monotonic() < end:  # another job holds both cores: wait for a free one
            time.sleep(2)
            cpu, cpu_idle = idlest_cpu()
    tmp = Path(tempfile.mkdtemp(prefix="bench_speed_"))
    env = dict(os.environ, OMP_THREAD_LIMIT="1", OMP_NUM_THREADS="1", OPENBLAS_NUM_THREADS="1",
               MKL_NUM_THREADS="1", PYTHONPATH=str(ROOT))
    cmd = taskset_prefix(cpu) + [str(py), str(CHILD), tool, *map(str, pdfs), "--tmp", str(tmp)]
    t0 = time.perf_counter()
    with open(tmp / "stdout", "w+") as out, open(tmp / "stderr", "w+") as err:
        p = subprocess.Popen(cmd, stdout=out, stderr=err, env=env, cwd=ROOT)
        try:
            _, status, ru = os.wait4(p.pid, 0) if timeout <= 0 else _wait4_timeout(p, timeout)
        except TimeoutError:
            return {"error": f"timed out after {timeout:.0f} s"}
        p.returncode = os.waitstatus_to_exitcode(status)
        wall = time.perf_counter() - t0
        out.seek(0), err.seek(0)
        stdout, stderr = out.read(), err.read()
    shutil.rmtree(tmp, ignore_errors=True)
    if p.returncode != 0:
        return {"error": failure_reason(stderr, p.returncode)}
    res = json.loads(stdout.strip().splitlines()[-1])
    res["peak_mb"] = ru.ru_maxrss / 1024
    res["wall_s"] = wall
    res["cpu"], res["cpu_idle_before"] = cpu, cpu_idle
    return res


def _wait4_timeout(p: subprocess.Popen, timeout: float):
    end = time.monotonic() + timeout
    while True:
        pid, status, ru = os.wait4(p.pid, os.WNOHANG)
        if pid:
            return pid, status, ru
        if time.monotonic() > end:
            p.kill()
            os.wait4(p.pid, 0)
            raise TimeoutError
        time.sleep(0.05)


def wait_for_load(limit: float, max_wait: float) -> tuple[float, bool]:
    """Sleep until the 1-minute load average is below `limit` (at most `max_wait` s)."""
    start = time.monotonic()
    while True:
        load = os.getloadavg()[0]
        if load < limit:
            return time.monotonic() - start, True
        if time.monotonic() - start >= max_wait:
            return time.monotonic() - start, False
        print(f"load average {load:.2f} >= {limit}: waiting", file=sys.stderr, flush=True)
        time.sleep(30)


def summarize(runs: list[dict]) -> dict:
    ok = [r for r in runs if "error" not in r]
    if not ok:
        return {"error": runs[0]["error"] if runs else "not run", "runs": 0}
    med = {k: statistics.median(r[k] for r in ok) for k in ("work_s", "startup_s", "peak_mb", "wall_s")}
    med["cpu_idle_before"] = statistics.median(r["cpu_idle_before"] for r in ok)
    med.update(cpus=sorted({r["cpu"] for r in ok}), runs=len(ok), pages=ok[0]["pages"], docs=ok[0]["docs"], errors=ok[0]["errors"],
               work_all=[round(r["work_s"], 3) for r in ok],
               spread=(max(r["work_s"] for r in ok) - min(r["work_s"] for r in ok)) / med["work_s"] if med["work_s"] else 0)
    return med


def markdown(res: dict) -> str:
    lines = ["| tool | pages | text layer: pages/s | s/page | start-up s | peak RSS MB | spread | core idle before |",
             "|---|---:|---:|---:|---:|---:|---:|---:|"]
    for tool, r in res["text"].items():
        if "error" in r:
            lines.append(f"| {LABELS[tool]} | | did not run | | | | | |")
            continue
        lines.append(f"| {LABELS[tool]} | {r['pages']} | **{r['pages'] / r['work_s']:.1f}** | {r['work_s'] / r['pages']:.3f} | "
                     f"{r['startup_s']:.2f} | {r['peak_mb']:.0f} | {r['spread']:.0%} | {_idle(r)} |")
    lines += ["", "| tool | pages | scanned: s/page | pages/s | start-up s | peak RSS MB | spread | core idle before |",
              "|---|---:|---:|---:|---:|---:|---:|---:|"]
    for tool, r in res["scan"].items():
        if "error" in r:
            lines.append(f"| {LABELS[tool]} | | did not run | | | | | |")
            continue
        note = " (no OCR: extracts nothing)" if tool in NO_OCR else ""
        lines.append(f"| {LABELS[tool]}{note} | {r['pages']} | **{r['work_s'] / r['pages']:.2f}** | {r['pages'] / r['work_s']:.2f} | "
                     f"{r['startup_s']:.2f} | {r['peak_mb']:.0f} | {r['spread']:.0%} | {_idle(r)} |")
    return "\n".join(lines)


def _idle(r: dict) -> str:
    v = r.get("cpu_idle_before")
    return "-" if v is None or v != v else f"{v:.0%}"


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--scans", nargs="*", default=DEFAULT_SCANS, help="scanned file names (tests/corpus/scanned)")
    ap.add_argument("--text-tools", nargs="*", default=TEXT_TOOLS)
    ap.add_argument("--scan-tools", nargs="*", default=SCAN_TOOLS)
    ap.add_argument("--docling-python", type=Path, default=DOCLING_PYTHON)
    ap.add_argument("--timeout", type=float, default=1800, help="seconds one measurement may take")
    ap.add_argument("--wait-load", type=float, default=0, help="first wait until the 1-min load is below this (0: no wait)")
    ap.add_argument("--max-wait", type=float, default=1200)
    ap.add_argument("--min-idle", type=float, default=0.9,
                    help="before each run, wait until a core was at least this idle over 1 s ...")
    ap.add_argument("--idle-wait", type=float, default=30, help="... for at most this many seconds")
    ap.add_argument("--cpu", type=int, help="pin every run to this core (default: the idlest core at each run)")
    ap.add_argument("--json", type=Path)
    args = ap.parse_args(argv)

    waited, calm = (0.0, True)
    if args.wait_load:
        waited, calm = wait_for_load(args.wait_load, args.max_wait)
    load_start = os.getloadavg()
    t_start = time.time()
    text_pdfs = sorted(DIGITAL.glob("*.pdf"))
    scan_pdfs = [SCANNED / n for n in args.scans]
    plan = [("text", t, text_pdfs) for t in args.text_tools] + [("scan", t, scan_pdfs) for t in args.scan_tools]
    print(f"load average at start {load_start[0]:.2f} {load_start[1]:.2f} {load_start[2]:.2f}"
          f"{f' (after waiting {waited:.0f} s)' if waited else ''}; taskset: {bool(taskset_prefix())}", file=sys.stderr)
    raw: dict[tuple[str, str], list[dict]] = {(s, t): [] for s, t, _ in plan}
    failed: set[tuple[str, str]] = set()
    for rnd in range(1, args.runs + 1):
        for s, tool, pdfs in plan:
            if (s, tool) in failed:
                continue
            r = one_run(tool, pdfs, args.docling_python, args.timeout, args.cpu, args.min_idle, args.idle_wait)
            raw[(s, tool)].append(r)
            if "error" in r:
                failed.add((s, tool))  # a tool that cannot start will not start next round either
                print(f"round {rnd} {s} {tool}: {r['error']}", file=sys.stderr, flush=True)
            else:
                print(f"round {rnd} {s} {tool}: {r['work_s']:.2f} s for {r['pages']} pages, "
                      f"peak {r['peak_mb']:.0f} MB, cpu {r['cpu']} ({r['cpu_idle_before']:.0%} idle before)",
                      file=sys.stderr, flush=True)
    load_end = os.getloadavg()
    res = {
        "text": {t: summarize(raw[("text", t)]) for t in args.text_tools},
        "scan": {t: summarize(raw[("scan", t)]) for t in args.scan_tools},
        "runs": args.runs, "scans": args.scans, "text_files": [p.name for p in text_pdfs],
        "load_start": load_start, "load_end": load_end, "waited_s": waited, "load_was_below_limit": calm,
        "wait_load": args.wait_load, "taskset": bool(taskset_prefix()), "cpu": args.cpu, "min_idle": args.min_idle, "idle_wait": args.idle_wait, "seconds": time.time() - t_start,
    }
    print(f"\nmedians of {args.runs} runs, one core each (the idlest at each run unless --cpu), fresh process per run")
    print(markdown(res))
    print(f"\nload average: start {load_start[0]:.2f} {load_start[1]:.2f} {load_start[2]:.2f}, "
          f"end {load_end[0]:.2f} {load_end[1]:.2f} {load_end[2]:.2f}; {res['seconds'] / 60:.1f} min")
    if args.json:
        args.json.write_text(json.dumps(res, indent=1, default=str))
    return 0


if __name__ == "__main__":
    sys.exit(main())
