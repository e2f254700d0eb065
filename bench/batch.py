"""Batch throughput: documents/second for 1 and 2 workers, the local Dask executor,
and a no-change re-run (with and without the hash cache) at archive scale.

The archive is N copies of the digital dev corpus (tests/corpus/digital/*.pdf);
each copy gets `%copy N` appended after %%EOF, which keeps the PDF valid and
makes it a new document (new bytes, new doc_id). Every figure is the wall time
of a fresh `avance extract` process (interpreter start-up and imports included),
median of --runs.

    .venv/bin/python bench/batch.py                  # 5 copies (60 documents), re-run at 1,008 documents
    .venv/bin/python bench/batch.py --copies 2 --rerun-copies 10 --runs 1    # a quick pass
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

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT / "tests" / "corpus" / "digital"


def build_archive(folder: Path, copies: int) -> int:
    sources = sorted(CORPUS.glob("*.pdf"))
    for n in range(copies):
        sub = folder / f"copy{n:04d}"
        sub.mkdir(parents=True, exist_ok=True)
        for src in sources:
            (sub / src.name).write_bytes(src.read_bytes() + f"%copy {n}\n".encode())
    return copies * len(sources)


def extract(archive: Path, out: Path, *extra: str) -> tuple[float, dict]:
    summary = out.parent / f"{out.name}.summary.json"
    cmd = [sys.executable, "-m", "avance.cli", "extract", str(archive), "--out", str(out),
           "--quiet", "--summary", str(summary), *extra]
    start = time.perf_counter()
    done = subprocess.run(cmd, capture_output=True, text=True, cwd=ROOT)
    elapsed = time.perf_counter() - start
    if done.returncode not in (0, 1):
        raise SystemExit(f"{' '.join(cmd)} failed:\n{done.stderr}")
    return elapsed, json.loads(summary.read_text())


def timed(label: str, archive: Path, work: Path, runs: int, *extra: str) -> dict:
    times, summary = [], {}
    for i in range(runs):
        out = work / f"{label.replace(' ', '_')}_{i}"
        elapsed, summary = extract(archive, out, *extra)
        times.append(elapsed)
    seconds = statistics.median(times)
    return {"what": label, "documents": summary["documents"], "seconds": round(seconds, 2),
            "docs_per_s": round(summary["documents"] / seconds, 2),
            "by_status": summary["by_status"]}


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--copies", type=int, default=5, help="copies of the corpus for the throughput runs")
    ap.add_argument("--rerun-copies", type=int, default=84, help="copies for the no-change re-run (84 -> 1,008)")
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--json", metavar="FILE")
    args = ap.parse_args()
    work = Path(tempfile.mkdtemp(prefix="avance-batch-bench-"))
    rows = []
    try:
        archive = work / "archive"
        n = build_archive(archive, args.copies)
        print(f"{n} documents ({args.copies} copies of the digital corpus), cores: {os.cpu_count()}, "
              f"median of {args.runs}", flush=True)
        for label, extra in (("local 1 worker", ("--workers", "1")),
                             ("local 2 workers", ("--workers", "2")),
                             ("dask local cluster 2 threads", ("--executor", "dask", "--workers", "2"))):
            rows.append(timed(label, archive, work, args.runs, *extra))
            print(rows[-1], flush=True)

        big = work / "big"
        n_big = build_archive(big, args.rerun_copies)
        out = work / "big_out"
        elapsed, summary = extract(big, out, "--workers", "2")
        rows.append({"what": "first run, local 2 workers", "documents": n_big, "seconds": round(elapsed, 2),
                     "docs_per_s": round(n_big / elapsed, 2), "by_status": summary["by_status"]})
        print(rows[-1], flush=True)
        time.sleep(2.1)  # past the hash cache's racy window, as any later cron run would be
        for label, drop_cache in (("no-change re-run", False), ("no-change re-run, no hash cache", True)):
            times = []
            for _ in range(args.runs):
                if drop_cache:  # every input hashed again
                    (out / ".avance" / "hashes.json").unlink(missing_ok=True)
                elapsed, summary = extract(big, out)
                times.append(elapsed)
            seconds = statistics.median(times)
            rows.append({"what": label, "documents": n_big, "seconds": round(seconds, 2),
                         "docs_per_s": round(n_big / seconds, 1), "by_status": summary["by_status"]})
            print(rows[-1], flush=True)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    print(f"\n| run | documents | seconds | documents/s |\n|---|---:|---:|---:|")
    for r in rows:
        print(f"| {r['what']} | {r['documents']} | {r['seconds']} | {r['docs_per_s']} |")
    if args.json:
        Path(args.json).write_text(json.dumps(rows, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
