"""Batch runs: incremental, parallel, fault-isolated, resumable after SIGKILL, distributed.

Faults are injected by monkeypatching `avance.pipeline.batch.process_document`
(the documented test hook): local workers are forked from the test process and
inherit the patch. The corpus is never edited; inputs are copies of one small
text-layer PDF, each made a new document by a `%copy N` comment after %%EOF.
"""
from __future__ import annotations

import io
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import pandas as pd
import pyarrow.parquet as pq
import pytest

from avance.cli import EXIT_NOT_STARTED, main
from avance.contract import TABLES
from avance.errors import RunNotStarted
from avance.pipeline import batch as batch_module
from avance.pipeline import state
from avance.pipeline.options import BatchOptions
from avance.pipeline.run import run
from avance.pipeline.state import HashCache, RunLock
from avance.report import Reporter

from .conftest import DIGITAL

SOURCE = DIGITAL / "d001_poa_tijuana.pdf"  # the smallest digital report
REAL_PROCESS = batch_module.process_document
LOCAL2 = BatchOptions(executor="local", workers=2, timeout=60)


def make_copies(folder: Path, names: list[str]) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    data = SOURCE.read_bytes()
    paths = []
    for i, name in enumerate(names):
        p = folder / f"{name}.pdf"
        p.write_bytes(data + b"%copy " + str(i).encode() + b"\n")
        paths.append(p)
    return paths


def documents(out: Path) -> pd.DataFrame:
    return pd.read_parquet(out / "documents").set_index("file_name")


def faulty_process(path, *args, **kwargs):
    """Stands in for process_document: misbehaves according to the file name."""
    name = Path(path).stem
    if name.startswith("raise"):
        raise RuntimeError("injected failure")
    if name.startswith("hang"):
        time.sleep(120)
    if name.startswith("memory"):
        hog = bytearray(64 * 2**30)  # far beyond the cap: MemoryError
        del hog
    if name.startswith("crash"):
        os.kill(os.getpid(), signal.SIGKILL)
    return REAL_PROCESS(path, *args, **kwargs)


def table_files(out: Path) -> dict[str, Path]:
    return {str(p.relative_to(out)): p for p in out.glob("*/*.parquet")}


# --------------------------------------------------------------------------
# incremental
# --------------------------------------------------------------------------

def test_rerun_skips_unchanged_documents_and_force_reextracts(tmp_path):
    inputs = make_copies(tmp_path / "in", ["a", "b"])
    out = tmp_path / "out"
    first = run(inputs, out, batch=LOCAL2)
    assert [o.status.value for o in first] == ["ok", "ok"] and not any(o.skipped for o in first)
    stamps = {p: p.stat().st_mtime_ns for p in out.glob("*/*.parquet")}
    assert len(stamps) == 2 * len(TABLES)

    again = run(inputs, out, batch=LOCAL2)
    assert all(o.skipped for o in again)
    assert [o.status.value for o in again] == ["ok", "ok"]  # the recorded status
    assert {p: p.stat().st_mtime_ns for p in out.glob("*/*.parquet")} == stamps  # nothing rewritten

    forced = run(inputs, out, batch=BatchOptions(executor="local", workers=2, force=True))
    assert not any(o.skipped for o in forced)
    assert len(documents(out)) == 2


def test_incomplete_outputs_changed_bytes_and_new_version_are_reextracted(tmp_path, monkeypatch):
    a, b = make_copies(tmp_path / "in", ["a", "b"])
    out = tmp_path / "out"
    run([a, b], out)
    doc_a = documents(out).loc["a.pdf", "doc_id"]
    (out / "goals" / f"{doc_a}.parquet").unlink()  # as if a run died before finishing a
    outcomes = run([a, b], out)
    assert [o.skipped for o in outcomes] == [False, True]
    assert (out / "goals" / f"{doc_a}.parquet").exists()

    b.write_bytes(b.read_bytes() + b"%edited\n")  # new bytes: a new document
    assert [o.skipped for o in run([a, b], out)] == [True, False]
    assert len(documents(out)) == 2  # the new b replaces the old one (tests/test_integrity.py)

    monkeypatch.setattr(batch_module, "__version__", "99.0")
    assert not any(o.skipped for o in run([a, b], out))


def test_same_bytes_twice_are_extracted_once(tmp_path):
    (a,) = make_copies(tmp_path / "in", ["a"])
    twin = tmp_path / "in" / "twin.pdf"
    twin.write_bytes(a.read_bytes())
    outcomes = run([a, twin], tmp_path / "out", batch=LOCAL2)
    assert [o.skipped for o in outcomes] == [False, True]
    assert outcomes[1].status.value == "ok" and "same bytes as" in outcomes[1].error
    assert len(documents(tmp_path / "out")) == 1


def test_hash_cache_reuses_unchanged_files_and_rehashes_changed_ones(tmp_path, monkeypatch):
    (a,) = make_copies(tmp_path / "in", ["a"])
    past = time.time_ns() - 60 * 10**9
    os.utime(a, ns=(past, past))
    monkeypatch.setattr(state, "RACY_NS", -10**9)  # ctime is now and cannot be set back
    calls = []
    real = state.sha256_file
    monkeypatch.setattr(state, "sha256_file", lambda p: calls.append(p) or real(p))

    first = HashCache(tmp_path / "out").doc_id(a)
    HashCache(tmp_path / "out").save()  # nothing new: no write
    cache = HashCache(tmp_path / "out")
    cache.doc_id(a)
    cache.save()
    assert len(calls) == 2  # a new HashCache loads nothing until the first one is saved
    assert HashCache(tmp_path / "out").doc_id(a) == first and len(calls) == 2  # cached

    data = bytearray(a.read_bytes())
    data[-2:-1] = b"9"  # same size, same mtime, other bytes
    a.write_bytes(bytes(data))
    os.utime(a, ns=(past, past))
    assert HashCache(tmp_path / "out").doc_id(a) != first  # ctime moved: hashed again
    assert len(calls) == 3


def test_racy_hash_is_not_trusted(tmp_path):
    (a,) = make_copies(tmp_path / "in", ["a"])  # just written: within the racy window
    cache = HashCache(tmp_path / "out")
    cache.doc_id(a)
    cache.save()
    cache = HashCache(tmp_path / "out")
    cache.doc_id(a)
    assert cache.dirty  # hashed again rather than trusted


# --------------------------------------------------------------------------
# fault isolation
# --------------------------------------------------------------------------

def test_raise_hang_memory_and_crash_fail_alone(tmp_path, monkeypatch):
    monkeypatch.setattr(batch_module, "process_document", faulty_process)
    inputs = make_copies(tmp_path / "in", ["good", "raise", "hang", "memory", "crash", "good2"])
    out = tmp_path / "out"
    start = time.monotonic()
    outcomes = run(inputs, out, batch=BatchOptions(executor="local", workers=2, timeout=2, max_memory_mb=256))
    assert time.monotonic() - start < 30
    status = {o.file_name: (o.status.value, o.error) for o in outcomes}
    assert status["good.pdf"][0] == status["good2.pdf"][0] == "ok"
    assert "RuntimeError: injected failure" in status["raise.pdf"][1]
    assert status["hang.pdf"][1] == "timed out after 2 s"
    assert "ran out of memory (more than 256 MB)" in status["memory.pdf"][1]
    assert "worker process died (signal SIGKILL)" in status["crash.pdf"][1]
    docs = documents(out)
    assert len(docs) == 6
    for name in ("raise", "hang", "memory", "crash"):
        row = docs.loc[f"{name}.pdf"]
        assert row["status"] == "failed" and row["error"] == status[f"{name}.pdf"][1]
        assert not (out / "goals" / f"{row['doc_id']}.parquet").exists()
    assert not list(out.glob("*/.*.tmp"))


def test_inline_executor_turns_an_exception_into_a_failed_row(tmp_path, monkeypatch):
    monkeypatch.setattr(batch_module, "process_document", faulty_process)
    inputs = make_copies(tmp_path / "in", ["raise", "good"])
    outcomes = run(inputs, tmp_path / "out")
    assert [o.status.value for o in outcomes] == ["failed", "ok"]
    assert documents(tmp_path / "out").loc["raise.pdf", "error"].endswith("RuntimeError: injected failure")


def test_cli_summary_exit_codes_and_retry_failed(tmp_path, monkeypatch, capsys):
    monkeypatch.setattr(batch_module, "process_document", faulty_process)
    make_copies(tmp_path / "in", ["good", "raise"])
    out, summary = tmp_path / "out", tmp_path / "summary.json"
    argv = ["extract", str(tmp_path / "in"), "--out", str(out), "--workers", "2", "--summary", str(summary)]
    assert main(argv) == 1
    s = json.loads(summary.read_text())
    assert s["documents"] == 2
    assert s["by_status"] == {"ok": 1, "partial": 0, "failed": 1, "skipped": 0}
    assert s["failures"][0]["file"].endswith("raise.pdf")
    assert "injected failure" in s["failures"][0]["error"]
    assert s["duration_seconds"] > 0
    printed = capsys.readouterr().out
    assert "raise.pdf: failed: unexpected error: RuntimeError: injected failure" in printed
    assert "2 documents in" in printed

    assert main(argv) == 1  # nothing re-extracted; the recorded failure still counts
    s = json.loads(summary.read_text())
    assert s["by_status"]["skipped"] == 2 and s["skipped_by_recorded_status"] == {"ok": 1, "partial": 0,
                                                                                 "failed": 1}
    assert "raise.pdf: skipped (failed, unchanged)" in capsys.readouterr().out

    monkeypatch.setattr(batch_module, "process_document", REAL_PROCESS)
    assert main(argv + ["--retry-failed"]) == 0
    s = json.loads(summary.read_text())
    assert s["by_status"] == {"ok": 1, "partial": 0, "failed": 0, "skipped": 1}


def test_cli_rejects_bad_batch_options(tmp_path):
    (a,) = make_copies(tmp_path / "in", ["a"])
    out = str(tmp_path / "out")
    assert main(["extract", str(a), "--out", out, "--workers", "0"]) == 2
    assert main(["extract", str(a), "--out", out, "--timeout", "-1"]) == 2
    assert main(["extract", str(a), "--out", out, "--scheduler", "tcp://127.0.0.1:1"]) == 2


def test_a_second_run_on_the_same_output_folder_is_refused(tmp_path):
    (a,) = make_copies(tmp_path / "in", ["a"])
    out = tmp_path / "out"
    with RunLock(out):
        with pytest.raises(RunNotStarted, match="another avance run is writing to"):
            run([a], out)
        assert main(["extract", str(a), "--out", str(out)]) == EXIT_NOT_STARTED
    assert run([a], out)[0].status.value == "ok"  # released


def no_process_left(session: int, wait: float = 5.0) -> bool:
    deadline = time.monotonic() + wait
    while time.monotonic() < deadline:
        try:
            os.killpg(session, 0)
        except ProcessLookupError:
            return True
        time.sleep(0.05)
    return False


def test_run_killed_with_sigkill_resumes_without_duplicates(tmp_path):
    names = [f"copy{i}" for i in range(6)]
    make_copies(tmp_path / "in", names)
    out = tmp_path / "out"
    cmd = [sys.executable, "-m", "avance.cli", "extract", str(tmp_path / "in"), "--out", str(out),
           "--workers", "1", "--quiet"]
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and len(list((out / "documents").glob("*.parquet"))) < 2:
            time.sleep(0.02)
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(10)
        assert no_process_left(proc.pid), "a worker outlived the killed run"
    finally:
        try:
            os.killpg(proc.pid, signal.SIGKILL)  # only if a child outlived the kill (it should not)
        except ProcessLookupError:
            pass
    done_before = len(list((out / "documents").glob("*.parquet")))
    assert 2 <= done_before < 6, "the run should have been killed part-way"

    rerun = subprocess.run(cmd[:-1] + ["--summary", str(tmp_path / "s.json")], capture_output=True, text=True)
    assert rerun.returncode == 0, rerun.stderr
    s = json.loads((tmp_path / "s.json").read_text())
    assert s["by_status"]["skipped"] >= 2 and s["by_status"]["ok"] + s["by_status"]["skipped"] == 6

    assert not list(out.glob("*/.*.tmp"))
    for table in TABLES:  # every file reads; one file per document per table
        files = list((out / table).glob("*.parquet"))
        assert len(files) == 6, table
        for f in files:
            pq.read_table(f)
    docs = pd.read_parquet(out / "documents")
    assert sorted(docs.file_name) == sorted(f"{n}.pdf" for n in names)
    assert docs.doc_id.is_unique and (docs.status == "ok").all()
    goals = pd.read_parquet(out / "goals")
    assert not goals.duplicated(["doc_id", "section_id", "goal_code"]).any()
    assert len(goals) == 6 * len(goals[goals.doc_id == docs.doc_id.iloc[0]])


# --------------------------------------------------------------------------
# Dask
# --------------------------------------------------------------------------

def test_dask_cluster_writes_the_same_tables_as_a_local_run(tmp_path):
    distributed = pytest.importorskip("distributed")
    inputs = make_copies(tmp_path / "in", ["a", "b"]) + [DIGITAL / "d004_mir_merida.pdf"]
    run(inputs, tmp_path / "local", batch=LOCAL2)
    with distributed.LocalCluster(n_workers=1, threads_per_worker=1, processes=False,
                                  protocol="tcp://", host="127.0.0.1", dashboard_address=None) as cluster:
        outcomes = run(inputs, tmp_path / "dask",
                       batch=BatchOptions(executor="dask", scheduler=cluster.scheduler_address, timeout=60))
        assert cluster.scheduler_address.startswith("tcp://127.0.0.1:")
    assert [o.status.value for o in outcomes] == ["ok", "ok", "ok"]
    # without --scheduler: a local cluster started by the run itself
    assert main(["extract", *map(str, inputs), "--out", str(tmp_path / "dask_local"),
                 "--executor", "dask", "--workers", "1", "--quiet"]) == 0
    local = table_files(tmp_path / "local")
    assert len(local) == 3 * len(TABLES)
    for other in ("dask", "dask_local"):
        files = table_files(tmp_path / other)
        assert files.keys() == local.keys()
        for name in local:
            assert pq.read_table(local[name]).equals(pq.read_table(files[name])), (other, name)


def test_unreachable_scheduler_means_the_run_did_not_start(tmp_path, monkeypatch):
    pytest.importorskip("distributed")
    from avance.pipeline import executors

    monkeypatch.setattr(executors, "SCHEDULER_TIMEOUT", "1s")
    (a,) = make_copies(tmp_path / "in", ["a"])
    argv = ["extract", str(a), "--out", str(tmp_path / "out"), "--executor", "dask",
            "--scheduler", "tcp://127.0.0.1:9"]
    with pytest.raises(RunNotStarted, match="cannot reach the Dask scheduler"):
        run([a], tmp_path / "out", batch=BatchOptions(executor="dask", scheduler="tcp://127.0.0.1:9"))
    assert main(argv) == EXIT_NOT_STARTED


# --------------------------------------------------------------------------
# query, export, progress
# --------------------------------------------------------------------------

def test_query_and_export(tmp_path, capsys):
    inputs = make_copies(tmp_path / "in", ["a"]) + [DIGITAL / "d004_mir_merida.pdf"]
    out = tmp_path / "out"
    run(inputs, out)
    assert main(["query", str(out), "SELECT d.file_name, count(g.goal_code) AS n_goals FROM documents d "
                 "LEFT JOIN goals g USING (doc_id) GROUP BY 1 ORDER BY 1"]) == 0
    printed = capsys.readouterr().out
    assert "a.pdf" in printed and "d004_mir_merida.pdf" in printed and "n_goals" in printed
    assert main(["query", str(out), "SELECT * FROM no_such_table"]) == 2

    db = tmp_path / "all.duckdb"
    assert main(["export", str(out), "--duckdb", str(db)]) == 0
    con = duckdb.connect(str(db), read_only=True)
    names = {r[0] for r in con.execute("SELECT table_name FROM information_schema.tables").fetchall()}
    assert names == set(TABLES)
    for table in TABLES:
        assert con.execute(f'SELECT count(*) FROM "{table}"').fetchone()[0] == len(pd.read_parquet(out / table))
    con.close()


def test_query_an_output_with_only_failed_documents(tmp_path, capsys):
    bad = tmp_path / "bad.pdf"
    bad.write_bytes(b"not a pdf")
    out = tmp_path / "out"
    run([bad], out)
    assert main(["query", str(out), "SELECT count(*) AS n FROM goals"]) == 0  # empty view, contract columns
    assert " 0" in capsys.readouterr().out


class FakeTerminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_progress_bar_on_a_terminal_and_lines_otherwise(tmp_path):
    outcomes = run(make_copies(tmp_path / "in", ["a", "b"]), tmp_path / "out")
    plain = io.StringIO()
    reporter = Reporter.for_stream(2, quiet=False, stream=plain)
    for o in outcomes:
        reporter(o)
    reporter.close()
    assert plain.getvalue().count("\n") == 2 and "a.pdf: ok [poa_avance]" in plain.getvalue()

    term = FakeTerminal()
    reporter = Reporter.for_stream(2, quiet=False, stream=term)
    for o in outcomes:
        reporter(o)
    reporter.close()
    assert "2/2" in term.getvalue() and "doc/s" in term.getvalue() and "left" in term.getvalue()

    quiet = FakeTerminal()
    reporter = Reporter.for_stream(2, quiet=True, stream=quiet)
    reporter(outcomes[0])
    reporter.close()
    assert quiet.getvalue() == ""


# --------------------------------------------------------------------------
# small documents share a child; one document on two workers reads its pages in parallel
# --------------------------------------------------------------------------

def test_a_child_takes_a_fair_share_of_small_documents_and_a_big_file_alone(tmp_path):
    from collections import deque

    from avance.pipeline import executors
    from avance.pipeline.batch import Task
    from avance.pipeline.options import ExtractOptions

    def task(i: int, size: int) -> Task:
        path = tmp_path / f"{i}.pdf"
        path.write_bytes(b"x" * size)
        return Task(index=i, path=str(path), source_path=str(path), doc_id=str(i), out_dir=str(tmp_path),
                    options=ExtractOptions())

    small = deque(task(i, 100) for i in range(20))
    shares = []
    while small:
        shares.append(len(executors.next_tasks(small, 2)))
    assert shares == [executors.DOCUMENTS_PER_CHILD, 6, 3, 2, 1]  # at most 8, then half of what is left
    big = executors.SMALL_INPUT_BYTES
    mixed = deque([task(0, 100), task(1, big), task(2, 100), task(3, 100)])
    assert [t.index for t in executors.next_tasks(mixed, 1)] == [0]      # the scan waits for a child of its own
    assert [t.index for t in executors.next_tasks(mixed, 1)] == [1]
    assert [t.index for t in executors.next_tasks(mixed, 1)] == [2, 3]


def test_documents_after_a_crash_in_a_shared_child_are_read_by_the_next(tmp_path, monkeypatch):
    monkeypatch.setattr(batch_module, "process_document", faulty_process)
    inputs = make_copies(tmp_path / "in", ["good", "crash", "good2", "good3"])
    outcomes = run(inputs, tmp_path / "out", batch=BatchOptions(executor="local", workers=1, timeout=60))
    assert [o.status.value for o in outcomes] == ["ok", "failed", "ok", "ok"]
    assert "worker process died (signal SIGKILL)" in outcomes[1].error


@pytest.mark.parametrize("n_docs, page_workers", [(1, 2), (2, 1)])
def test_fewer_documents_than_workers_give_their_pages_the_idle_workers(tmp_path, monkeypatch, n_docs, page_workers):
    from avance.pipeline import run as run_module

    seen = []
    monkeypatch.setattr(run_module, "run_forked", lambda tasks, *args, **kw: seen.extend(tasks))
    run(make_copies(tmp_path / "in", ["a", "b"][:n_docs]), tmp_path / "out", batch=LOCAL2)
    assert [t.options.page_workers for t in seen] == [page_workers] * n_docs


def test_a_child_that_read_a_scan_ends_after_it(tmp_path, monkeypatch):
    """The documents after a scan go to a fresh child (a scan's heap is not carried on)."""
    from avance.extractors import tesseract

    def process_and_note_pid(path, *args, **kwargs):
        (tmp_path / f"{Path(path).stem}.pid").write_text(str(os.getpid()))
        if Path(path).stem.startswith("scan"):
            tesseract.engine.cache_clear()
            monkeypatch.setattr(tesseract, "_ApiEngine", lambda lang: object())
            tesseract.engine("spa")  # as an OCR'd page leaves it
        return REAL_PROCESS(path, *args, **kwargs)

    monkeypatch.setattr(batch_module, "process_document", process_and_note_pid)
    tesseract.engine.cache_clear()  # an engine loaded here by an earlier test: every child would stop after one
    inputs = make_copies(tmp_path / "in", ["good", "scan", "good2", "good3"])
    outcomes = run(inputs, tmp_path / "out", batch=BatchOptions(executor="local", workers=1, timeout=60))
    assert [o.status.value for o in outcomes] == ["ok"] * 4
    pid = {name: (tmp_path / f"{name}.pid").read_text() for name in ("good", "scan", "good2", "good3")}
    assert pid["good"] == pid["scan"] != pid["good2"] == pid["good3"]
