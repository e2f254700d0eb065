"""Command line: `avance extract`, `evaluate`, `query`, `export`. Only this layer knows exit codes."""
from __future__ import annotations

import argparse
import json
import logging
import os
import re
import sys
import time
from pathlib import Path
from typing import Optional, Sequence

from . import __version__
from .errors import RunNotStarted, describe_exception
from .extractors.ocr_settings import OcrSettings
from .pipeline.batch import summarize, with_recorded_warnings
from .pipeline.document import SUPPORTED_SUFFIXES
from .pipeline.options import MAX_TIMEOUT, MEMORY_MB_RANGE, WORKERS_RANGE, BatchOptions, ExtractOptions
from .pipeline.run import collect_inputs, run
from .pipeline.writer import arrow_without_pandas
from .records import Status
from .report import Reporter, closing_line, describe, printable  # noqa: F401 (describe: public since 0.1)

EXIT_OK = 0
EXIT_SOME_NOT_OK = 1
EXIT_USAGE = 2
EXIT_NOT_STARTED = 3
EXIT_INTERRUPTED = 130

EXTRACT_EPILOG = """\
exit status:
  0  every document is ok (skipped documents count with their recorded status)
  1  at least one document is partial (some sections unreadable) or failed
     (--fail-on failed: only failed; --fail-on warning: also a warning flag)
  2  the command line is unusable (a path that does not exist, no input found, bad option)
  3  the run could not start (another run is writing to OUT, Dask missing or unreachable)
     or could not go on (OUT cannot be written: no space left, no permission)

Each document gets one Parquet file per table under OUT/<table>/<doc_id>.parquet;
a failed document gets only its OUT/documents row, with the reason in `error`.
A document whose bytes (doc_id) and pipeline version are unchanged and whose
files are all there is skipped; a run killed part-way resumes when started again.
An input whose bytes changed replaces the document recorded from its path (the
new documents row lists the old doc_id in `replaces`); an input that cannot be
read gets a failed row keyed by its path (doc_id `path-` + sha256 of the path).
A document that raises, runs past --timeout or exhausts --max-memory-mb fails
alone (status failed, the reason in `error`) and the run goes on.
"""

MAIN_TABLES = ("goals", "indicators", "mir_rows", "evaluation_rows")


def default_workers() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:
        return os.cpu_count() or 1


class OneLineParser(argparse.ArgumentParser):
    """A refused command line is one line on stderr (what was wrong and what is accepted), exit 2."""

    def error(self, message: str):  # type: ignore[override]
        self.exit(EXIT_USAGE, printable(f"{self.prog}: error: {message} (see {self.prog} --help)") + "\n")


def whole_number(low: int, high: int, zero: str = "") -> "callable":
    """An argparse type: an int in [low, high], or 0 when `zero` says what 0 means."""
    accepted = (f"0 ({zero}) or " if zero else "") + f"a whole number from {low} to {high}"

    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            value = None
        if value is None or not (low <= value <= high or (zero and value == 0)):
            raise argparse.ArgumentTypeError(f"accepts {accepted}, not {text!r}")
        return value
    return parse


def positive_int(text: str) -> int:
    return whole_number(1, 10**9)(text)


def seconds(text: str) -> float:
    """--timeout: 0 (no limit) or a finite number of seconds up to a week (nan never fires)."""
    try:
        value = float(text)
    except ValueError:
        value = float("nan")
    if not (value == 0 or 0 < value <= MAX_TIMEOUT):  # false for nan and inf
        raise argparse.ArgumentTypeError(
            f"accepts 0 (no limit) or a number of seconds up to {MAX_TIMEOUT} (a week), not {text!r}")
    return value


FAIL_ON = {
    "failed": lambda o: o.status == Status.FAILED,
    "partial": lambda o: o.status != Status.OK,
    "warning": lambda o: o.status != Status.OK or bool(o.n_warnings),
}


def setup_logging(verbose: int, log_file: Optional[str]) -> None:
    """-v: what the run does on stderr (-vv: and why); --log-file: the same with times, appended."""
    logger = logging.getLogger("avance")
    for handler in [h for h in logger.handlers if getattr(h, "avance_cli", False)]:
        logger.removeHandler(handler)  # main() may run more than once in a process
        handler.close()
    handlers: list[logging.Handler] = []
    if verbose:
        console = logging.StreamHandler(sys.stderr)
        console.setFormatter(logging.Formatter("avance: %(levelname)s: %(message)s"))
        console.setLevel(logging.INFO if verbose == 1 else logging.DEBUG)
        handlers.append(console)
    if log_file:
        to_file = logging.FileHandler(log_file, encoding="utf-8")
        to_file.setFormatter(logging.Formatter("%(asctime)s %(process)d %(levelname)s %(name)s: %(message)s"))
        to_file.setLevel(logging.DEBUG if verbose >= 2 else logging.INFO)
        handlers.append(to_file)
    for handler in handlers:
        handler.avance_cli = True  # type: ignore[attr-defined]
        logger.addHandler(handler)
    logger.setLevel(min((h.level for h in handlers), default=logging.WARNING))


def missing_ocr_language(lang: str) -> Optional[str]:
    """Why Tesseract cannot read `lang` (spa, spa+eng), or None; None too when Tesseract
    itself is missing (each scanned page then says so)."""
    import pytesseract

    try:
        installed = set(pytesseract.get_languages(config=""))
    except Exception:
        return None
    absent = [part for part in lang.split("+") if part not in installed]
    if not absent:
        return None
    return (f"Tesseract has no {', '.join(repr(a) for a in absent)} model (installed: "
            f"{', '.join(sorted(installed - {'osd'})) or 'none'}; apt-get install tesseract-ocr-LANG)")


def ocr_language(text: str) -> str:
    if not re.fullmatch(r"[A-Za-z0-9_]+(\+[A-Za-z0-9_]+)*", text):
        raise argparse.ArgumentTypeError(f"accepts Tesseract language codes joined by +, e.g. spa or spa+eng, "
                                         f"not {text!r}")
    return text


def cmd_extract(args: argparse.Namespace) -> int:
    try:
        setup_logging(args.verbose, args.log_file)
    except OSError as exc:
        print(printable(f"avance extract: error: argument --log-file: cannot write {args.log_file}: "
                        f"{describe_exception(exc)}"), file=sys.stderr)
        return EXIT_USAGE
    missing = [p for p in args.paths if not Path(p).exists()]
    if missing:
        print(printable("avance: no such file or folder: " + ", ".join(missing)), file=sys.stderr)
        return EXIT_USAGE
    inputs = collect_inputs(args.paths)
    if not inputs:
        kinds = ", ".join(sorted(SUPPORTED_SUFFIXES))
        print(printable(f"avance: no input files found in {' '.join(args.paths)} (looked for {kinds})"),
              file=sys.stderr)
        return EXIT_USAGE
    if args.scheduler and args.executor != "dask":
        print("avance: --scheduler needs --executor dask", file=sys.stderr)
        return EXIT_USAGE
    if args.ocr != "never" and args.ocr_lang != OcrSettings().lang and (why := missing_ocr_language(args.ocr_lang)):
        print(printable(f"avance extract: error: argument --ocr-lang: {why}"), file=sys.stderr)
        return EXIT_USAGE
    out_dir = Path(args.out)
    catalogs = user_catalogs(args.catalog)
    if catalogs is None:
        return EXIT_USAGE
    options = ExtractOptions(ocr=args.ocr, ocr_settings=OcrSettings(dpi=args.ocr_dpi, lang=args.ocr_lang), catalogs=catalogs, lang=args.lang)
    try:
        batch = BatchOptions(
            executor=args.executor, workers=args.workers, scheduler=args.scheduler, force=args.force,
            retry_failed=args.retry_failed, timeout=args.timeout or None,
            max_memory_mb=args.max_memory_mb or None)
    except ValueError as exc:
        print(f"avance: {exc}", file=sys.stderr)
        return EXIT_USAGE
    # `--summary -`: the JSON alone on stdout (for jq), the lines and the total on stderr
    text_out = sys.stderr if args.summary == "-" else sys.stdout
    reporter = Reporter.for_stream(len(inputs), quiet=args.quiet, stream=text_out)
    start = time.perf_counter()
    arrow_without_pandas()  # this process and its workers only write tables
    try:
        outcomes = run(inputs, out_dir, options=options, batch=batch, on_outcome=reporter,
                       on_start=reporter.start, on_tick=reporter.tick)
    except RunNotStarted as exc:
        print(printable(f"avance: {exc}"), file=sys.stderr)
        return EXIT_NOT_STARTED
    except OSError as exc:  # OUT cannot be written: what is written stays, the rest on the next run
        print(printable(f"avance: the run stopped, {out_dir}/ cannot be written: {describe_exception(exc)}"),
              file=sys.stderr)
        return EXIT_NOT_STARTED
    except KeyboardInterrupt:
        print("\navance: interrupted; finished documents are kept, run again to resume", file=sys.stderr)
        return EXIT_INTERRUPTED
    finally:
        reporter.close()
    if args.fail_on == "warning":  # skipped documents count with their recorded flags
        outcomes = [with_recorded_warnings(o, out_dir) for o in outcomes]
    summary = summarize(outcomes, time.perf_counter() - start, batch)
    summary["fail_on"] = args.fail_on
    text = json.dumps(summary, indent=2, ensure_ascii=False) + "\n"
    if args.summary == "-":
        sys.stdout.write(text)
    elif args.summary:
        Path(args.summary).write_text(text, encoding="utf-8")
    print(closing_line(summary, str(out_dir)), file=text_out)
    return EXIT_SOME_NOT_OK if any(FAIL_ON[args.fail_on](o) for o in outcomes) else EXIT_OK


def user_catalogs(paths: Optional[Sequence[str]]) -> Optional[tuple[str, ...]]:
    """`--catalog` files as absolute paths, each read once here so a bad one is a usage error."""
    from .normalizers.catalogs import read_user_catalog

    out = []
    for p in paths or ():
        try:
            read_user_catalog(Path(p))
        except (OSError, ValueError, UnicodeDecodeError) as exc:
            print(f"avance: --catalog {p}: {exc}", file=sys.stderr)
            return None
        out.append(str(Path(p).absolute()))
    return tuple(out)


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
    from .exports import write_csv, write_xlsx
    from .pipeline.database import export_duckdb

    if not Path(args.out).is_dir():
        print(f"avance: no such folder: {args.out}", file=sys.stderr)
        return EXIT_USAGE
    if not (args.duckdb or args.xlsx or args.csv):
        print("avance: export needs --duckdb FILE, --xlsx FILE or --csv DIR", file=sys.stderr)
        return EXIT_USAGE
    targets = [(args.duckdb, lambda: export_duckdb(Path(args.out), Path(args.duckdb))),
               (args.xlsx, lambda: write_xlsx(Path(args.out), Path(args.xlsx), args.spanish_headers)),
               (args.csv, lambda: write_csv(Path(args.out), Path(args.csv), args.spanish_headers))]
    for target, write in targets:
        if target:
            counts = write()
            print(f"{target}: {len(counts)} tables, {counts.get('documents', 0)} documents, "
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
    parser = OneLineParser(prog="avance", description=(
        "Turn Mexican government progress reports (POA avance programático, indicator sheets "
        "and reports, MIR progress tables) into validated Parquet tables."))
    parser.add_argument("--version", action="version", version=f"avance {__version__}")
    sub = parser.add_subparsers(dest="command", required=True)

    ex = sub.add_parser("extract", help="read reports into Parquet tables",
                        epilog=EXTRACT_EPILOG, formatter_class=argparse.RawDescriptionHelpFormatter)
    ex.add_argument("paths", nargs="+", metavar="PATH", help="report files or folders (searched recursively)")
    ex.add_argument("-o", "--out", required=True, metavar="DIR", help="output folder (one subfolder per table)")
    ex.add_argument("-q", "--quiet", action="store_true", help="print only the closing total")
    ex.add_argument("-v", "--verbose", action="count", default=0,
                    help="log what the run does on stderr (-vv: every step, and tracebacks)")
    ex.add_argument("--log-file", metavar="FILE",
                    help="append the log, with times, to FILE (what -v shows; with -vv every step)")
    ex.add_argument("--fail-on", choices=list(FAIL_ON), default="partial",
                    help="exit status 1 when a document failed (failed), is partial or failed "
                         "(partial, the default), or has a warning flag too (warning: for cron jobs "
                         "that must notice warnings)")
    ex.add_argument("--force", action="store_true",
                    help="re-extract every document, even those whose outputs are complete and unchanged")
    ex.add_argument("--retry-failed", action="store_true",
                    help="re-extract unchanged documents whose recorded status is failed")
    ex.add_argument("-j", "--workers", type=whole_number(*WORKERS_RANGE), default=min(default_workers(), WORKERS_RANGE[1]),
                    metavar="N",
                    help="documents extracted at once, each in its own process "
                         f"(default: the number of cores, here {default_workers()})")
    ex.add_argument("--executor", choices=["local", "dask"], default="local",
                    help="local: worker processes on this machine (default); dask: tasks on a Dask cluster")
    ex.add_argument("--scheduler", metavar="tcp://HOST:PORT",
                    help="Dask scheduler address (with --executor dask; without it a local cluster "
                         "of --workers threads is started). Workers must see the same paths")
    ex.add_argument("--timeout", type=seconds, default=BatchOptions().timeout, metavar="SECONDS",
                    help=f"a document still running after this long fails (default {BatchOptions().timeout:g}; "
                         "0 = no limit)")
    ex.add_argument("--max-memory-mb", type=whole_number(*MEMORY_MB_RANGE, zero="no limit"),
                    default=BatchOptions().max_memory_mb, metavar="MB",
                    help="memory one document may take on top of its worker's start-up size "
                         f"(address space; default {BatchOptions().max_memory_mb}; 0 = no limit); "
                         "a document needing more fails alone")
    ex.add_argument("--summary", metavar="FILE",
                    help="write the run's figures as JSON: counts by status (skipped too), replaced, "
                         "warnings, failures with reasons, duration (- for standard output; the "
                         "lines and the total then go to standard error)")
    ex.add_argument("--ocr", choices=["auto", "always", "never"], default="auto",
                    help="OCR pages with no usable text layer (auto, the default), every page, or none")
    ex.add_argument("--ocr-dpi", type=whole_number(72, 600), default=OcrSettings().dpi, metavar="DPI",
                    help=f"resolution pages are rendered at for OCR (default {OcrSettings().dpi})")
    ex.add_argument("--ocr-lang", type=ocr_language, default=OcrSettings().lang, metavar="LANG",
                    help=f"Tesseract language(s) of the scans, e.g. spa+eng (default {OcrSettings().lang})")
    ex.add_argument("--lang", choices=["es", "en"], default="es",
                    help="language of the flags' message sentences (default es; rule ids never change)")
    ex.add_argument("--catalog", action="append", metavar="FILE.csv",
                    help="your own catalog, matched on top of the bundled ones (repeatable): a PMD "
                         "(columns code,description) or units of measure (column unit); see the README")
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

    xp = sub.add_parser("export", help="write an output folder as a DuckDB file, an Excel workbook or CSV files")
    xp.add_argument("out", metavar="OUT", help="output folder of an `avance extract` run")
    xp.add_argument("--duckdb", metavar="FILE",
                    help="database to write (replaced whole): one table per contract table")
    xp.add_argument("--xlsx", metavar="FILE",
                    help="Excel workbook to write (replaced whole): one sheet per table; the flags sheet "
                         "gives the file and page each flag came from")
    xp.add_argument("--csv", metavar="DIR", help="folder to write one CSV per table into (UTF-8)")
    xp.add_argument("--spanish-headers", action="store_true",
                    help="column headers in Spanish in --xlsx and --csv (the Parquet names otherwise)")
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
