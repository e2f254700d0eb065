"""What an output folder already holds: the run lock, recorded documents, a hash cache.

Everything lives beside the tables, under `OUT/.avance/` (a hidden folder, so
`read_parquet("OUT/goals")` and `OUT/goals/*.parquet` never see it).

- `lock`: one run at a time per output folder (filelock: flock on Unix, a
  locked file on Windows; freed when the holder dies, even by SIGKILL).
- `hashes.json`: doc_id (sha256 of the bytes) per input path, trusted only while
  the file's size, mtime, inode and ctime are those seen when it was hashed, and
  only when it was hashed more than `RACY_NS` after its last change (a file
  rewritten within the same timestamp tick is hashed again, as git does).
- `documents.json`: what each `documents/<doc_id>.parquet` file says (status,
  pipeline version, the input's absolute path, the doc_ids it replaced), kept
  while that file's size, mtime, inode and ctime are unchanged; only a cache, the
  Parquet files are the record. Any of these files may be deleted or garbage: it
  is rebuilt.

A document is recorded when its `documents` file reads. Table files of a
document that is not recorded, or recorded `failed`, and temp files belong to a
run cut short: `remove_leftovers` deletes them at the start of a run.
"""
from __future__ import annotations

import errno
import hashlib
import json
import os
import stat
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Optional

import pyarrow.parquet as pq
from filelock import FileLock, Timeout

from ..contract import TABLES
from ..errors import RunNotStarted
from .files import TEMP_SUFFIX, remove_durably, write_text_atomically

STATE_DIR = ".avance"
RACY_NS = 2_000_000_000
HASH_BLOCK = 1 << 20
PATH_KEY_PREFIX = "path-"


def sha256_file(path: Path) -> str:
    """Streaming sha256 into a reused buffer (no per-block allocation)."""
    h = hashlib.sha256()
    buf = bytearray(HASH_BLOCK)
    view = memoryview(buf)
    with open(path, "rb", buffering=0) as fh:
        while n := fh.readinto(buf):
            h.update(view[:n])
    return h.hexdigest()


def path_key(abs_path: str) -> str:
    """The doc_id of an input whose bytes cannot be read: `path-` + sha256 of its absolute path."""
    return PATH_KEY_PREFIX + hashlib.sha256(abs_path.encode("utf-8", "surrogateescape")).hexdigest()


def cannot_read(exc: OSError, path: Path) -> str:
    """The `error` of an input that cannot be read, in words."""
    if exc.errno == errno.ENOENT and os.path.islink(path):
        return f"cannot read the file: it is a link to {os.readlink(path)}, which does not exist"
    if exc.errno == errno.ENOENT:
        return "cannot read the file: it disappeared before it could be read"
    return f"cannot read the file: {exc.strerror or exc}"


class NotARegularFile(OSError):
    def __init__(self, path: Path):
        super().__init__(errno.EINVAL, "it is not a regular file (a socket, pipe or device)", str(path))


class RunLock:
    """Exclusive lock on an output folder for the length of a run."""

    def __init__(self, out_dir: Path):
        self.path = out_dir / STATE_DIR / "lock"
        self.lock = FileLock(self.path, timeout=0)  # no mode: the file gets the umask's

    def __enter__(self) -> "RunLock":
        self.path.parent.mkdir(parents=True, exist_ok=True)
        try:
            self.lock.acquire()
        except Timeout:
            raise RunNotStarted(f"another avance run is writing to {self.path.parent.parent}/; "
                                "wait for it to finish") from None
        return self

    def __exit__(self, *exc) -> None:
        self.lock.release()


def remove_temp_files_of(out_dir: Path, doc_id: str) -> None:
    """Temp files of a worker killed while writing this document (its parent removes them)."""
    remove_durably([tmp for name in TABLES for tmp in (out_dir / name).glob(f".{doc_id}.*{TEMP_SUFFIX}")])


@dataclass(frozen=True)
class RecordedDocument:
    """What a readable `documents/<doc_id>.parquet` file says."""
    doc_id: str
    status: str
    error: Optional[str]
    pipeline_version: str
    source: str                # the input's absolute path (what a changed file is matched by)
    replaces: tuple[str, ...]  # doc_ids this document replaced at its path


# kept for callers of 0.1 that read the finished row
FinishedDocument = RecordedDocument


def _stamp(st: os.stat_result) -> list[int]:
    return [st.st_size, st.st_mtime_ns, st.st_ino, st.st_ctime_ns]


def read_recorded(path: Path) -> RecordedDocument:
    row = pq.read_table(path).to_pylist()[0]
    source = row.get("source_abspath") or os.path.abspath(row["source_path"])  # rows of 0.1 lack it
    return RecordedDocument(doc_id=row["doc_id"], status=row["status"], error=row["error"],
                            pipeline_version=row["pipeline_version"], source=source,
                            replaces=tuple(row.get("replaces") or ()))


class OutputIndex:
    """The table files of an output folder and the documents they record (listed once)."""

    def __init__(self, out_dir: Path):
        self.out_dir = out_dir
        self.files = {name: _parquet_stems(out_dir / name) for name in TABLES}
        self.memo_path = out_dir / STATE_DIR / "documents.json"
        self.recorded: dict[str, RecordedDocument] = {}
        self.unreadable: set[str] = set()  # documents files that do not read (torn or garbage)
        self._memo_changed = False
        self._read_documents()

    def _read_documents(self) -> None:
        try:
            data = json.loads(self.memo_path.read_text(encoding="utf-8"))
            memo = data["entries"] if data.get("version") == 1 else {}
        except (OSError, ValueError, KeyError, TypeError, AttributeError):
            memo = {}
        entries = {}
        for doc_id in sorted(self.files["documents"]):
            path = self.out_dir / "documents" / f"{doc_id}.parquet"
            try:
                stamp = _stamp(os.stat(path))
            except FileNotFoundError:
                continue
            entry = memo.get(doc_id)
            try:
                if isinstance(entry, dict) and entry.get("stamp") == stamp:
                    fields = dict(entry["row"], replaces=tuple(entry["row"]["replaces"]))
                    record = RecordedDocument(**fields)
                else:
                    record = read_recorded(path)
                    self._memo_changed = True
            except Exception:  # a torn or garbage file, or a garbage memo entry
                try:
                    record = read_recorded(path)
                    self._memo_changed = True
                except Exception:
                    self.unreadable.add(doc_id)
                    continue
            self.recorded[doc_id] = record
            entries[doc_id] = {"stamp": stamp, "row": asdict(record)}
        self._memo_changed |= entries.keys() != memo.keys()
        self._entries = entries

    def save(self) -> None:
        if self._memo_changed:
            write_text_atomically(self.memo_path, json.dumps({"version": 1, "entries": self._entries}))
            self._memo_changed = False

    def leftovers(self) -> list[Path]:
        """Files no recorded document owns: a `documents` file that does not read, table
        files of a document not recorded or recorded `failed`, temp files."""
        out = [self.out_dir / "documents" / f"{d}.parquet" for d in sorted(self.unreadable)]
        for name in TABLES:
            folder = self.out_dir / name
            if name != "documents":
                out += [folder / f"{d}.parquet" for d in sorted(self.files[name])
                        if d not in self.recorded or self.recorded[d].status == "failed"]
            if folder.is_dir():
                out += sorted(folder.glob(f".*{TEMP_SUFFIX}"))
        state = self.out_dir / STATE_DIR
        if state.is_dir():
            out += sorted(state.glob(f".*{TEMP_SUFFIX}"))
        return out

    def remove_leftovers(self) -> int:
        """Delete `leftovers()` (only safe under the run lock); how many files."""
        paths = self.leftovers()
        remove_durably(paths)
        for name in TABLES:
            self.files[name] = {d for d in self.files[name]
                                if d in self.recorded and (name == "documents" or self.recorded[d].status != "failed")}
        return len(paths)

    def finished(self, doc_id: str) -> Optional[RecordedDocument]:
        """The recorded row when the outputs are complete, else None.

        Complete: the `documents` file (written last) reads and, unless the
        document failed (a failed document has only that file), every other
        table's file exists.
        """
        record = self.recorded.get(doc_id)
        if record is None:
            return None
        if record.status != "failed" and not all(doc_id in stems for stems in self.files.values()):
            return None
        return record

    def by_source(self) -> dict[str, list[str]]:
        """Recorded doc_ids per input path (absolute)."""
        out: dict[str, list[str]] = {}
        for doc_id, record in sorted(self.recorded.items()):
            out.setdefault(record.source, []).append(doc_id)
        return out


def _parquet_stems(folder: Path) -> set[str]:
    try:
        return {n[:-8] for n in os.listdir(folder) if n.endswith(".parquet") and not n.startswith(".")}
    except FileNotFoundError:
        return set()


class HashCache:
    """sha256 per input path, reused while the file is provably unchanged."""

    def __init__(self, out_dir: Path):
        self.path = out_dir / STATE_DIR / "hashes.json"
        self.entries: dict[str, list] = {}
        self.dirty = False
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
            if data.get("version") == 1 and isinstance(data["entries"], dict):
                self.entries = data["entries"]
        except (OSError, ValueError, KeyError, TypeError, AttributeError):
            pass

    def doc_id(self, path: Path) -> str:
        """sha256 of the file's bytes; OSError when it cannot be read."""
        key = str(path.resolve())
        st = os.stat(path)
        if not stat.S_ISREG(st.st_mode):  # a pipe would block the run, a socket cannot be opened
            raise NotARegularFile(path)
        stamp = _stamp(st)
        entry = self.entries.get(key)
        try:
            if entry and entry[:4] == stamp and entry[4] - max(st.st_mtime_ns, st.st_ctime_ns) > RACY_NS:
                return str(entry[5])
        except (TypeError, IndexError):  # a garbage entry: hash again
            pass
        hashed_at = time.time_ns()
        digest = sha256_file(path)
        self.entries[key] = stamp + [hashed_at, digest]
        self.dirty = True
        return digest

    def save(self) -> None:
        if not self.dirty:
            return
        write_text_atomically(self.path, json.dumps({"version": 1, "entries": self.entries}))
        self.dirty = False
