"""Command line: `avance extract`, `avance evaluate`. Only this layer knows exit codes."""
from __future__ import annotations

import argparse
import sys
import time
from collections import Counter
from pathlib import Path
from typing import Optional, Sequence

from . import __version__
from .extractors.ocr import OcrSettings
from .pipeline.options import ExtractOptions
from .pipeline.run import DocumentOutcome, collect_inputs, run
from .records import Status

EXIT_OK = 0
EXIT_SOME_NOT_OK = 1
EXIT_USAGE = 2

EXTRACT_EPILOG = """\
exit status:
  0  every document was read completely (status ok)
  1  at least one document is partial (some sections unreadable) or failed
  2  the command line is unusable (a path that does not exist, no input found, bad option)

Each document gets one Parquet file per table under OUT/<table>/<doc_id>.parquet;
a failed document gets only its OUT/documents row, with the reason in `error`.
"""

MAIN_TABLES = ("goals", "indicators", "mir_rows", "evaluation_rows")


def describe(outcome: DocumentOutcome) -> str:
    if outcome.status == Status.FAILED:
        return f"{outcome.file_name}: failed: {outcome.error}"
    rows = ", ".join(f"{t}={n}" for t, n in outcome.rows.items() if n and t != "documents" and t != "flags")
    fams = ",".join(outcome.families) or "-"
    line = f"{outcome.file_name}: {outcome.status.value} [{fams}] {rows}; flags={outcome.n_flags}"
    if outcome.error:
        line += f" ({outcome.error})"
    return line


def cmd_extract(args: argparse.Namespace) -> int:
    missing = [p for p in args.paths if not Path(p).exists()]
    if missing:
        print("avance: no such file or folder: " + ", ".join(missing), file=sys.stderr)
        return EXIT_USAGE
    inputs = collect_inputs(args.paths)
    if not inputs:
        print("avance: no input files found in " + " ".join(args.paths), file=sys.stderr)
        return EXIT_USAGE
    out_dir = Path(args.out)
    out_dir.mkdir(parents=True, exist_ok=True)
    start = time.perf_counter()
    options = ExtractOptions(ocr=args.ocr, ocr_settings=OcrSettings(dpi=args.ocr_dpi))
    outcomes = run(inputs, out_dir, options=options,
                   on_outcome=(lambda o: None) if args.quiet else (lambda o: print(describe(o), flush=True)))
    elapsed = time.perf_counter() - start
    by_status = Counter(o.status.value for o in outcomes)
    summary = ", ".join(f"{n} {s}" for s, n in sorted(by_status.items()))
    print(f"{len(outcomes)} documents in {elapsed:.1f} s: {summary}; tables in {out_dir}/")
    return EXIT_OK if all(o.status == Status.OK for o in outcomes) else EXIT_SOME_NOT_OK


def cmd_evaluate(args: argparse.Namespace) -> int:
    from . import evaluate

    argv = ["--out", args.out]
    for t in args.truth:
        argv += ["--truth", t]
    if args.json:
        argv += ["--json", args.json]
    argv += ["--by", args.by, "--verbose", str(args.verbose)]
    return evaluate.main(argv)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="avance", description=(
        "Turn Mexican government progress reports (POA avance programático, indicator sheets "
        "and reports, MIR progress tables) into validated Parquet tables."))
    parser.add_argument("--version", action="version", version=f"avance {__version__}")
    sub = parser.add_subparsers(dest="command", required=True)

    ex = sub.add_parser("extract", help="read reports into Parquet tables",
                        epilog=EXTRACT_EPILOG, formatter_class=argparse.RawDescriptionHelpFormatter)
    ex.add_argument("paths", nargs="+", metavar="PATH", help="report files or folders (searched recursively)")
    ex.add_argument("--out", required=True, metavar="DIR", help="output folder (one subfolder per table)")
    ex.add_argument("--quiet", action="store_true", help="print only the closing total")
    ex.add_argument("--ocr", choices=["auto", "always", "never"], default="auto",
                    help="OCR pages with no usable text layer (auto, the default), every page, or none")
    ex.add_argument("--ocr-dpi", type=int, default=OcrSettings().dpi, metavar="DPI",
                    help=f"resolution pages are rendered at for OCR (default {OcrSettings().dpi})")
    ex.set_defaults(func=cmd_extract)

    ev = sub.add_parser("evaluate", help="score an output folder against hand-checked truth files")
    ev.add_argument("out", metavar="OUT", help="output folder of an `avance extract` run")
    ev.add_argument("--truth", action="append", required=True, metavar="DIR",
                    help="folder of *.truth.json files, or one file (repeatable)")
    ev.add_argument("--by", choices=["variant", "family", "file"], default="variant")
    ev.add_argument("--verbose", type=int, default=0, metavar="N", help="show up to N wrong fields")
    ev.add_argument("--json", metavar="FILE", help="write every figure to this JSON file")
    ev.set_defaults(func=cmd_evaluate)
    return parser


def main(argv: Optional[Sequence[str]] = None) -> int:
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:
        return EXIT_USAGE if exc.code else EXIT_OK
    return args.func(args)


if __name__ == "__main__":
    sys.exit(main())
