"""Seconds per scanned page and peak memory for one worker (OCR path).

Median over the dev scans (tests/corpus/scanned) of each document's seconds per
page, each document in a fresh process pinned to one core, so the peak RSS is
one worker's. Also splits one page's OCR time by stage.

    .venv/bin/python bench/ocr_pages.py [--limit N]
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
SCANNED = ROOT / "tests" / "corpus" / "scanned"

CHILD = r"""
import json, resource, sys, time
from pathlib import Path
from avance.pipeline.document import process_document
path = Path(sys.argv[1])
t = time.perf_counter(); result = process_document(path); elapsed = time.perf_counter() - t
print(json.dumps({"pages": result.info.n_pages, "seconds": elapsed,
                  "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
"""

STAGES = r"""
import time, cv2, sys
import pypdfium2 as pdfium
from avance.extractors import ocr
from avance.extractors.halftone import suppress_halftone
from avance.extractors.orientation import detect_rotation, rotate_quarter
from avance.extractors.tesseract import engine
s = ocr.OcrSettings(); pdf = pdfium.PdfDocument(sys.argv[1]); t = {}
def lap(name, start): t[name] = t.get(name, 0) + time.perf_counter() - start
a = time.perf_counter(); img = ocr.render_pdf_page(pdf[0], s.dpi); lap("render", a)
a = time.perf_counter(); g = rotate_quarter(img, detect_rotation(img, s.lang)); lap("orientation", a)
a = time.perf_counter(); g = ocr.rotate(g, ocr.estimate_skew(ocr.binarize_inv(g), s.max_skew_degrees)); lap("deskew", a)
a = time.perf_counter(); b = ocr.binarize_inv(g); h, v = ocr.line_masks(b); lap("rules", a)
a = time.perf_counter(); c = ocr.clean_for_ocr(suppress_halftone(b, g), cv2.bitwise_or(h, v), s.min_speck_area); lap("clean", a)
e = engine(s.lang)
a = time.perf_counter(); w = e.words(c, s.psm); lap("tesseract page", a)
a = time.perf_counter(); w = ocr.refine_low_confidence(c, w, s); lap("re-reads", a)
a = time.perf_counter(); ocr.read_unread_bands(c, h, w, s); lap("unread bands", a)
print(" ".join(f"{k}={v:.2f}s" for k, v in t.items()))
"""


def run_child(code: str, arg: str) -> str:
    env = dict(os.environ, OMP_THREAD_LIMIT="1")
    cmd = (["taskset", "-c", "0"] if subprocess.run(["sh", "-c", "command -v taskset"], capture_output=True).returncode == 0
           else []) + [sys.executable, "-c", code, arg]
    return subprocess.run(cmd, capture_output=True, text=True, check=True, env=env, cwd=ROOT).stdout.strip()


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--limit", type=int, default=0, help="only the first N scans")
    args = ap.parse_args()
    scans = sorted(SCANNED.glob("*.scan.pdf"))[: args.limit or None]
    load = os.getloadavg()[0]
    print(f"{len(scans)} scanned documents, one worker on one core; cores on machine: {os.cpu_count()}; load {load:.2f}")
    per_page, peaks = [], []
    for pdf in scans:
        r = json.loads(run_child(CHILD, str(pdf)).splitlines()[-1])
        per_page.append(r["seconds"] / r["pages"])
        peaks.append(r["peak_mb"])
        print(f"  {pdf.name:<42} {r['pages']:>2} pages {r['seconds'] / r['pages']:6.2f} s/page  peak {r['peak_mb']:5.0f} MB")
    print(f"median seconds per scanned page: {statistics.median(per_page):.2f}; peak memory (max over documents): "
          f"{max(peaks):.0f} MB")
    print("one page by stage:", run_child(STAGES, str(scans[0])).splitlines()[-1])
    return 0


if __name__ == "__main__":
    sys.exit(main())
