"""What reading parts of scanned pages again costs (normalizers/rereads.py, extractors/reread.py).

    .venv/bin/python bench/rereads.py [PDF ...]

Each scanned PDF (default: the 12 dev scans and the real evaluation scan) is OCR'd
once; then the rest of the pipeline runs on that reading with the second readings
(signature columns, families' codes and empty cells, figures behind warnings) and
without them. Prints seconds per page for the page pass and for the re-reads, and
how many areas were read again. One process, one core (OMP_THREAD_LIMIT=1).
"""
from __future__ import annotations

import os
import sys
import time
from pathlib import Path

os.environ.setdefault("OMP_THREAD_LIMIT", "1")
ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import avance.pipeline.document as document  # noqa: E402
from avance.pipeline.options import ExtractOptions  # noqa: E402
from avance.pipeline.reading import read_document  # noqa: E402


def _timed(fn):
    t = time.perf_counter()
    out = fn()
    return out, time.perf_counter() - t


def main(paths: list[Path]) -> int:
    options = ExtractOptions()
    rows = []
    for path in paths:
        read, page_pass = _timed(lambda: read_document(path, options))
        result, with_rereads = _timed(lambda: document.process_document(path, options=options, reader=lambda p, o: read))
        original = document.ScanRereader
        document.ScanRereader = lambda *a, **k: None  # noqa: E731 - the same run without second readings
        try:
            _, without = _timed(lambda: document.process_document(path, options=options, reader=lambda p, o: read))
        finally:
            document.ScanRereader = original
        rereads = sum(1 for s in result.sections for f in s.flags if f.rule == "ocr_reread")
        n = len(read.pages)
        rows.append((path.name, n, page_pass / n, (with_rereads - without) / n, rereads))
        print(f"{path.name}: {n} pages, page pass {page_pass / n:.2f} s/page, "
              f"re-reads {(with_rereads - without) / n:.3f} s/page, {rereads} values replaced", flush=True)
    pages = sum(r[1] for r in rows)
    print(f"all: {pages} pages, page pass {sum(r[1] * r[2] for r in rows) / pages:.2f} s/page, "
          f"re-reads {sum(r[1] * r[3] for r in rows) / pages:.3f} s/page")
    return 0


if __name__ == "__main__":
    args = [Path(a) for a in sys.argv[1:]]
    if not args:
        dev = ROOT.parent / "shared" / "corpus" / "dev"
        args = sorted(dev.glob("*.scan.pdf")) if dev.exists() else sorted((ROOT / "tests" / "corpus" / "scanned").glob("*.pdf"))
        args.append(ROOT / "tests" / "corpus" / "real" / "itsch_poa2025_evaluacion_fisico_financiera_ene-sep.pdf")
    sys.exit(main(args))
