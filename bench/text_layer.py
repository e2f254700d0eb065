"""Text-layer throughput and peak memory: pages per second on one core.

Medians of 5 runs over the digital dev documents (tests/corpus/digital), each
run in a fresh process so peak RSS is one worker's. Also times the two readers
alone (pypdfium2, which the pipeline uses, and pdfplumber, the reference).

    .venv/bin/python bench/text_layer.py [--runs 5]
"""
from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT / "tests" / "corpus" / "digital"

CHILD = r"""
import json, resource, sys, time, tempfile
from pathlib import Path
mode, files = sys.argv[1], [Path(p) for p in sys.argv[2:]]
if mode == "pipeline":
    from avance.pipeline.run import run
    out = Path(tempfile.mkdtemp())
    t = time.perf_counter(); run(files, out); elapsed = time.perf_counter() - t
    from avance.extractors.pdfium_text import read_pdf_pages
    pages = sum(len(read_pdf_pages(f)) for f in files)
else:
    reader = __import__("avance.extractors." + mode, fromlist=["read_pdf_pages"]).read_pdf_pages
    t = time.perf_counter(); pages = sum(len(reader(f)) for f in files); elapsed = time.perf_counter() - t
peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(json.dumps({"pages": pages, "seconds": elapsed, "peak_mb": peak_mb}))
"""


def one_run(mode: str, files: list[Path]) -> dict:
    env = dict(os.environ, OMP_NUM_THREADS="1", OPENBLAS_NUM_THREADS="1")
    cmd = ["taskset", "-c", "0"] if _has_taskset() else []
    cmd += [sys.executable, "-c", CHILD, mode, *map(str, files)]
    out = subprocess.run(cmd, capture_output=True, text=True, check=True, env=env, cwd=ROOT)
    return json.loads(out.stdout.strip().splitlines()[-1])


def _has_taskset() -> bool:
    return subprocess.run(["sh", "-c", "command -v taskset"], capture_output=True).returncode == 0


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=5)
    args = ap.parse_args()
    files = sorted(CORPUS.glob("*.pdf"))
    print(f"{len(files)} digital documents, {args.runs} runs each, one core, cores on machine: {os.cpu_count()}")
    print(f"{'what':<28} {'pages':>6} {'median s':>9} {'pages/s':>8} {'peak MB':>8}")
    for mode, label in (("pipeline", "avance extract (pipeline)"), ("pdfium_text", "reader: pypdfium2"),
                        ("pdf_text", "reader: pdfplumber")):
        runs = [one_run(mode, files) for _ in range(args.runs)]
        secs = statistics.median(r["seconds"] for r in runs)
        peak = statistics.median(r["peak_mb"] for r in runs)
        pages = runs[0]["pages"]
        print(f"{label:<28} {pages:>6} {secs:>9.2f} {pages / secs:>8.1f} {peak:>8.0f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
