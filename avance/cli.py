"""Command line: `avance extract`, `evaluate`, `query`, `export`. Only this layer knows exit codes."""
from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path
from typing import Optional, Sequence

from . import __version__
from .errors import RunNotStarted
from .extractors.ocr_settings import OcrSettings
from .pipeline.batch import summarize
from .pipeline.options import BatchOptions, ExtractOptions
from .pipeline.run import collect_inputs, run
from .records import Status
from .report import Reporter, closing_line, describe  # noqa: F401 (describe: public since 0.1)

EXIT_OK = 0
EXIT_SOME_NOT_OK = 1
EXIT_USAGE = 2
EXIT_NOT_STARTED = 3
EXIT_INTERRUPTED = 130

EXTRACT_EPILOG = """\
exit status:
  0  every document is ok (skipped documents count with their recorded status)
  1  at least one document is partial (some sections unreadable) or failed
  2  the command line is unusable (a path that does not exist, no input found, bad option)
  3  the run could not start (another run is writing to OUT, Dask missing or unreachable)

Each document gets one Parquet file per table under OUT/<table>/<doc_id>.parquet;
a failed document gets only its OUT/documents row, with the reason in `error`.
A document whose bytes (doc_id) and pipeline version are unchanged and whose
files are all there is skipped; a run killed part-way resumes when started again.
A document that raises, runs past --timeout or exhausts --max-memory-mb fails
alone (status failed, the reason in `error`) and the run goes on.
"""

MAIN_TABLES = ("goals", "indicators", "mir_rows", "evaluation_rows")


def default_workers() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:
        return os.cpu_count() or 1


def positive_int(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, not {value}")
    return value


def positive_float(text: str) -> float:
    value = float(text)
    if value <= 0:
        raise argparse.ArgumentTypeError(f"must be positive, not {text}")
    return value


def cmd_extract(args: argparse.Namespace) -> int:
    missing = [p for p in args.paths if not Path(p).exists()]
    if missing:
        print("avance: no such file or folder: " + ", ".join(missing), file=sys.stderr)
        return EXIT_USAGE
    inputs = collect_inputs(args.paths)
    if not inputs:
        print("avance: no input files found in " + " ".join(args.paths), file=sys.stderr)
        return EXIT_USAGE
    if args.scheduler and args.executor != "dask":
        print("avance: --scheduler needs --executor dask", file=sys.stderr)
        return EXIT_USAGE
    out_dir = Path(args.out)
    options = ExtractOptions(ocr=args.ocr, ocr_settings=OcrSettings(dpi=args.ocr_dpi))
    try:
        batch = BatchOptions(
            executor=args.executor, workers=args.workers, scheduler=args.scheduler, force=args.force,
            retry_failed=args.retry_failed, timeout=args.timeout or None,
            max_memory_mb=args.max_memory_mb or None)
    except ValueError as exc:
        print(f"avance: {exc}", file=sys.stderr)
        return EXIT_USAGE
    reporter = Reporter.for_stream(len(inputs), quiet=args.quiet)
    start = time.perf_counter()
    try:
        outcomes = run(inputs, out_dir, options=options, batch=batch, on_outcome=reporter)
    except RunNotStarted as exc:
        print(f"avance: {exc}", file=sys.stderr)
        return EXIT_NOT_STARTED
    except KeyboardInterrupt:
        print("\navance: interrupted; finished documents are kept, run again to resume", file=sys.stderr)
        return EXIT_INTERRUPTED
    finally:
        reporter.close()
    summary = summarize(outcomes, time.perf_counter() - start, batch)
    if args.summary:
        Path(args.summary).write_text(json.dumps(summary, indent=2, ensure_ascii=False) + "\n")
    print(closing_line(summary, str(out_dir)))
    return EXIT_OK if all(o.status == Status.OK for o in outcomes) else EXIT_SOME_NOT_OK


def cmd_query(args: argparse.Namespace) -> int:
    import duckdb

    from .pipeline.database import connect

    if not Path(args.out).is_dir():
        print(f"avance: no such folder: {args.out}", file=sys.stderr)
        return EXIT_USAGE
    con = connect(Path(args.out))
    try:
        relation = con.sql(args.sql)
    except duckdb.Error as exc:
        print(f"avance: {exc}", file=sys.stderr)
        return EXIT_USAGE
    if relation is None:  # a statement without a result
        return EXIT_OK
    if args.csv:
        relation.to_df().to_csv(sys.stdout, index=False)
    else:
        print(relation.to_df().to_string(index=False, max_rows=args.max_rows, max_colwidth=args.max_width))
    return EXIT_OK


def cmd_export(args: argparse.Namespace) -> int:
    from .pipeline.database import export_duckdb

    if not Path(args.out).is_dir():
        print(f"avance: no such folder: {args.out}", file=sys.stderr)
        return EXIT_USAGE
    counts = export_duckdb(Path(args.out), Path(args.duckdb))
    print(f"{args.duckdb}: {len(counts)} tables, {counts.get('documents', 0)} documents, "
          f"{sum(counts.values())} rows")
    return EXIT_OK


def cmd_review(args: argparse.Namespace) -> int:
    from .review import write_report

    out = Path(args.out)
    if not (out / "documents").is_dir():
        print(f"avance: {out} holds no extraction (no documents/ folder)", file=sys.stderr)
        return EXIT_USAGE
    target = write_report(out, Path(args.html))
    print(f"review report written to {target} (open it in a browser; it loads nothing from the network)")
    return EXIT_OK


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
    ex.add_argument("--force", action="store_true",
                    help="re-extract every document, even those whose outputs are complete and unchanged")
    ex.add_argument("--retry-failed", action="store_true",
                    help="re-extract unchanged documents whose recorded status is failed")
    ex.add_argument("--workers", type=positive_int, default=default_workers(), metavar="N",
                    help="documents extracted at once, each in its own process "
                         f"(default: the number of cores, here {default_workers()})")
    ex.add_argument("--executor", choices=["local", "dask"], default="local",
                    help="local: worker processes on this machine (default); dask: tasks on a Dask cluster")
    ex.add_argument("--scheduler", metavar="tcp://HOST:PORT",
                    help="Dask scheduler address (with --executor dask; without it a local cluster "
                         "of --workers threads is started). Workers must see the same paths")
    ex.add_argument("--timeout", type=float, default=BatchOptions().timeout, metavar="SECONDS",
                    help=f"a document still running after this long fails (default {BatchOptions().timeout:g}; "
                         "0 = no limit)")
    ex.add_argument("--max-memory-mb", type=int, default=BatchOptions().max_memory_mb, metavar="MB",
                    help="memory one document may take on top of its worker's start-up size "
                         f"(address space; default {BatchOptions().max_memory_mb}; 0 = no limit); "
                         "a document needing more fails alone")
    ex.add_argument("--summary", metavar="FILE",
                    help="write the run's figures as JSON: counts by status (skipped too), "
                         "failures with reasons, duration")
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

    qu = sub.add_parser("query", help="run SQL (DuckDB) over an output folder and print the result",
                        description="Each table folder of OUT is a view named after the table "
                                    "(documents, sections, goals, goal_periods, ..., flags).")
    qu.add_argument("out", metavar="OUT", help="output folder of an `avance extract` run")
    qu.add_argument("sql", metavar="SQL", help='e.g. "SELECT status, count(*) FROM documents GROUP BY 1"')
    qu.add_argument("--max-rows", type=positive_int, default=60, metavar="N", help="rows shown (default 60)")
    qu.add_argument("--max-width", type=positive_int, default=50, metavar="N",
                    help="characters shown per cell (default 50)")
    qu.add_argument("--csv", action="store_true", help="print every row as CSV instead of a table")
    qu.set_defaults(func=cmd_query)

    xp = sub.add_parser("export", help="write an output folder as one DuckDB database file")
    xp.add_argument("out", metavar="OUT", help="output folder of an `avance extract` run")
    xp.add_argument("--duckdb", required=True, metavar="FILE",
                    help="database to write (replaced whole): one table per contract table")
    xp.set_defaults(func=cmd_export)

    rv = sub.add_parser("review", help="write a self-contained HTML page to check a run: every flag beside "
                                       "the page crop it came from")
    rv.add_argument("out", metavar="OUT", help="output folder of an `avance extract` run")
    rv.add_argument("--html", required=True, metavar="FILE", help="the report to write")
    rv.set_defaults(func=cmd_review)
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
