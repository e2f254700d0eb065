"""What a run prints: a line per document, or a progress bar on a terminal, and the closing total."""
from __future__ import annotations

import sys
import time
import unicodedata
from typing import Optional, TextIO

from .pipeline.batch import DocumentOutcome
from .records import Status


# Bidirectional overrides and isolates reorder what a terminal shows (a name can hide its end)
BIDI_CONTROLS = set("\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")


def printable(text: str) -> str:
    """`text` safe to print on one terminal line: control characters (newlines, escape
    sequences, bidi overrides) shown as Python escapes, `\\n`, `\\x1b`, `\\u202e`."""
    out = []
    for ch in text:
        if ch in BIDI_CONTROLS or unicodedata.category(ch) in ("Cc", "Zl", "Zp", "Cs"):
            out.append(repr(ch)[1:-1])
        else:
            out.append(ch)
    return "".join(out)


def describe(outcome: DocumentOutcome) -> str:
    """One line per document; names and messages come from files, so they are escaped."""
    return printable(_describe(outcome))


def _describe(outcome: DocumentOutcome) -> str:
    replaced = f" (replaces {', '.join(d[:12] for d in outcome.replaced)})" if outcome.replaced else ""
    if outcome.skipped:
        line = f"{outcome.file_name}: skipped ({outcome.status.value}, unchanged){replaced}"
        return line + (f": {outcome.error}" if outcome.error else "")
    if outcome.status == Status.FAILED:
        return f"{outcome.file_name}: failed{replaced}: {outcome.error}"
    rows = ", ".join(f"{t}={n}" for t, n in outcome.rows.items() if n and t != "documents" and t != "flags")
    fams = ",".join(outcome.families) or "-"
    line = f"{outcome.file_name}: {outcome.status.value} [{fams}] {rows}; flags={outcome.n_flags}{replaced}"
    if outcome.error:
        line += f" ({outcome.error})"
    return line


def closing_line(summary: dict, out_dir: str) -> str:
    counts = ", ".join(f"{n} {s}" for s, n in summary["by_status"].items() if n)
    if summary.get("replaced"):
        counts += f", {summary['replaced']} replaced"
    return printable(f"{summary['documents']} documents in {summary['duration_seconds']:.1f} s: "
                     f"{counts or 'nothing to do'}; tables in {out_dir}/")


class Reporter:
    """`lines`: one line per document (logs, cron). `bar`: a progress bar (rich) with
    documents done, documents/second, elapsed time, time left and the file being read,
    problems printed above it. `quiet`: nothing.

    The bar is redrawn by `tick()` (the run calls it every half second while workers
    run) and on every event, never by a thread of its own: workers are forked, and a
    drawing thread could hold a stream's lock at the moment of a fork.
    """

    def __init__(self, total: int, mode: str, stream: Optional[TextIO] = None):
        self.total, self.mode, self.stream = total, mode, stream or sys.stdout
        self.done = self.extracted = 0
        self.started = time.monotonic()
        self.current: list[str] = []  # files being read
        self.progress = None
        if mode == "bar":
            self._start_bar()

    @classmethod
    def for_stream(cls, total: int, quiet: bool, stream: Optional[TextIO] = None) -> "Reporter":
        stream = stream or sys.stdout
        mode = "quiet" if quiet else "bar" if stream.isatty() else "lines"
        return cls(total, mode, stream)

    def _start_bar(self) -> None:
        from rich.console import Console
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

        console = Console(file=self.stream, highlight=False, soft_wrap=False, force_terminal=True)
        self.progress = Progress(
            BarColumn(bar_width=30), MofNCompleteColumn(),
            TextColumn("{task.fields[rate]}", markup=False), TimeElapsedColumn(),
            TextColumn("elapsed, {task.fields[left]} left", markup=False),
            TextColumn("{task.fields[current]}", markup=False),
            console=console, auto_refresh=False, transient=False)
        self.task = self.progress.add_task("extract", total=self.total, rate="0.0 doc/s", left="--:--", current="")
        self.progress.start()

    def start(self, source_path: str) -> None:
        """A document's extraction began."""
        self.current.append(source_path)
        self.tick()

    def __call__(self, outcome: DocumentOutcome) -> None:
        self.done += 1
        if outcome.source_path in self.current:
            self.current.remove(outcome.source_path)
        if not outcome.skipped:
            if self.extracted == 0:
                self.started = time.monotonic()  # rate over extraction, not over the skip check
            self.extracted += 1
        if self.mode == "lines":
            print(describe(outcome), file=self.stream, flush=True)
        elif self.mode == "bar":
            if outcome.status != Status.OK and not outcome.skipped:
                self.progress.console.print(describe(outcome), markup=False, highlight=False)
            self.tick()

    def tick(self) -> None:
        """Redraw the bar (its clock moves even while one long document is read)."""
        if self.progress is None:
            return
        elapsed = max(time.monotonic() - self.started, 1e-9)
        rate = self.extracted / elapsed if self.extracted else 0.0
        left = (self.total - self.done) / rate if rate else None
        current = ""
        if self.current:
            current = printable(self.current[-1].rsplit("/", 1)[-1])
            current += f" +{len(self.current) - 1}" if len(self.current) > 1 else ""
        self.progress.update(self.task, completed=self.done, rate=f"{rate:.1f} doc/s",
                             left=_clock(left) if left is not None else "--:--", current=current)
        self.progress.refresh()

    def close(self) -> None:
        if self.progress is not None:
            self.current.clear()
            self.tick()
            self.progress.stop()
            self.progress = None


def _clock(seconds: float) -> str:
    seconds = int(seconds)
    h, rem = divmod(seconds, 3600)
    return f"{h}:{rem // 60:02d}:{rem % 60:02d}" if h else f"{rem // 60:d}:{rem % 60:02d}"
