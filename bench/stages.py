"""Where a scanned document's CPU goes, stage by stage (issue 19, fifth round).

    .venv/bin/python bench/stages.py PDF [PDF ...]

`process_document` in this process (OMP_THREAD_LIMIT=1, one page worker), with the
stages wrapped in `time.process_time` (no profiler: cProfile inflates the Python
stages). Every Tesseract call is charged to the pipeline stage that asked for it
(the nearest known caller on the stack) and to its page segmentation mode; the
OpenCV stages are timed exclusive of the Tesseract calls made inside them.
"""
from __future__ import annotations

import os
import sys
import time
from collections import defaultdict
from pathlib import Path

os.environ.setdefault("OMP_THREAD_LIMIT", "1")
ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import avance.extractors.ocr as ocr  # noqa: E402
import avance.extractors.reread as reread  # noqa: E402
import avance.extractors.tesseract as tesseract  # noqa: E402
import avance.pipeline.document as document  # noqa: E402
from avance.pipeline.options import ExtractOptions  # noqa: E402

SECONDS: dict[str, float] = defaultdict(float)
CALLS: dict[str, int] = defaultdict(int)
# the pipeline functions a Tesseract call is charged to, nearest first
CALLERS = ("_one_side", "_both_ways", "_read_confidence", "refine_low_confidence", "read_unread_bands", "_page_pass",
           "read_text", "read_words", "read")
STACK: list[float] = []  # Tesseract seconds inside the timed stage now open


def _caller() -> str:
    f = sys._getframe(2)
    while f is not None:
        name = f.f_code.co_name
        if name in CALLERS:
            if name == "read":
                how = f.f_locals.get("readings")
                return "reread: codes/figures/cells (psm 7)" if how is not None else name
            return name
        f = f.f_back
    return "other"


def _wrap_engine():
    cls = tesseract._ApiEngine
    original = cls.words

    def words(self, image, psm):
        t = time.process_time()
        out = original(self, image, psm)
        dt = time.process_time() - t
        key = f"tesseract {_caller()} psm {psm}"
        SECONDS[key] += dt
        CALLS[key] += 1
        for i in range(len(STACK)):
            STACK[i] += dt
        return out

    cls.words = words


def _wrap(module, name: str, label: str) -> None:
    original = getattr(module, name)

    def timed(*args, **kwargs):
        STACK.append(0.0)
        t = time.process_time()
        try:
            return original(*args, **kwargs)
        finally:
            inner = STACK.pop()
            dt = time.process_time() - t - inner
            SECONDS[label] += dt
            CALLS[label] += 1
            for i in range(len(STACK)):
                STACK[i] += dt + inner

    setattr(module, name, timed)


def main() -> int:
    _wrap_engine()
    _wrap(ocr, "detect_rotation", "orientation (OpenCV, Python)")
    _wrap(ocr, "render_pdf_page", "render (pypdfium2)")
    _wrap(ocr, "lighten_dark_fills", "cleaning: dark fills")
    _wrap(ocr, "suppress_halftone", "cleaning: halftone")
    _wrap(ocr, "clean_for_ocr", "cleaning: rules, specks")
    _wrap(ocr, "estimate_skew", "cleaning: skew")
    _wrap(ocr, "rotate", "cleaning: rotate")
    _wrap(ocr, "line_masks", "cleaning: line masks")
    _wrap(ocr, "_merge_readings", "merge re-read paragraphs")
    _wrap(ocr, "paragraphs", "paragraphs")
    _wrap(reread.ScanRereader, "_crops", "reread crops (OpenCV)")
    total = 0.0
    for arg in sys.argv[1:]:
        t = time.process_time()
        result = document.process_document(Path(arg), options=ExtractOptions(ocr="auto"))
        dt = time.process_time() - t
        total += dt
        print(f"{Path(arg).name}: {dt:.1f} s CPU, {result.info.n_pages} pages, {result.info.status}", flush=True)
    print(f"{'stage':60s} {'CPU s':>8s} {'share':>6s} {'calls':>6s}")
    for key, s in sorted(SECONDS.items(), key=lambda kv: -kv[1]):
        print(f"{key:60s} {s:8.2f} {100 * s / total:5.1f}% {CALLS[key]:6d}")
    rest = total - sum(SECONDS.values())
    print(f"{'the rest (parsing, checks, Python around)':60s} {rest:8.2f} {100 * rest / total:5.1f}%")
    print(f"{'all':60s} {total:8.2f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
