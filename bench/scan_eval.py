"""Dev loop for scanned documents: OCR once into a page cache, then parse and
score the cached pages as often as parsers change.

    .venv/bin/python bench/scan_eval.py --cache /tmp/ocrcache [--psm 4] [--dpi 200] [--refresh] [--verbose 40]

Scans and truth come from ../shared/corpus/dev (or --corpus DIR).
"""
from __future__ import annotations

import argparse
import pickle
import sys
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from avance.evaluate import find_truth_files, load_truth, print_report, score  # noqa: E402
from avance.extractors.ocr import OcrSettings  # noqa: E402
from avance.pipeline.document import process_document  # noqa: E402
from avance.pipeline.options import ExtractOptions  # noqa: E402
from avance.pipeline.reading import ReadResult, read_document  # noqa: E402
from avance.pipeline.writer import write_document  # noqa: E402


def cache_file(cache: Path, pdf: Path, options: ExtractOptions) -> Path:
    s = options.ocr_settings
    return cache / f"{pdf.name}.dpi{s.dpi}.psm{s.psm}.speck{s.min_speck_area}.pkl"


def ocr_one(args: tuple[Path, Path, ExtractOptions]) -> tuple[str, float]:
    pdf, target, options = args
    t = time.perf_counter()
    result = read_document(pdf, options)
    result.images.clear()  # page contexts (~10 MB a page) stay out of the cache: re-reads render again
    target.write_bytes(pickle.dumps(result))
    return pdf.name, time.perf_counter() - t


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--cache", default="/tmp/ocrcache")
    ap.add_argument("--corpus", default=str(ROOT.parent / "shared" / "corpus" / "dev"))
    ap.add_argument("--dpi", type=int, default=OcrSettings().dpi)
    ap.add_argument("--psm", type=int, default=OcrSettings().psm)
    ap.add_argument("--speck", type=int, default=OcrSettings().min_speck_area)
    ap.add_argument("--refresh", action="store_true")
    ap.add_argument("--only", default="", help="substring of file names to keep")
    ap.add_argument("--pattern", default="*.scan.pdf", help="the scans' file names in --corpus (bench/scan_qualities.py writes *.KIND.pdf)")
    ap.add_argument("--verbose", type=int, default=0)
    ap.add_argument("--by", default="family")
    args = ap.parse_args()
    cache = Path(args.cache)
    cache.mkdir(parents=True, exist_ok=True)
    options = ExtractOptions(ocr="auto", ocr_settings=OcrSettings(dpi=args.dpi, psm=args.psm, min_speck_area=args.speck))
    scans = sorted(p for p in Path(args.corpus).glob(args.pattern) if args.only in p.name)
    todo = [(p, cache_file(cache, p, options), options) for p in scans
            if args.refresh or not cache_file(cache, p, options).exists()]
    if todo:
        with ProcessPoolExecutor(max_workers=2) as pool:
            for name, secs in pool.map(ocr_one, todo):
                print(f"ocr {name}: {secs:.1f} s", file=sys.stderr)
    out = Path(tempfile.mkdtemp(prefix="scan_eval_"))
    for pdf in scans:
        cached: ReadResult = pickle.loads(cache_file(cache, pdf, options).read_bytes())
        result = process_document(pdf, options=options, reader=lambda path, opts: cached)
        write_document(result, out)
    truths = [load_truth(f) for f in find_truth_files([str(p.with_name(p.name[:-4] + ".truth.json")) for p in scans])]
    print_report(score(truths, str(out)), args.by, args.verbose)
    print(f"output: {out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
