"""What an output folder already holds: the run lock, finished documents, a hash cache.

Everything lives beside the tables, under `OUT/.avance/` (a hidden folder, so
`read_parquet("OUT/goals")` and `OUT/goals/*.parquet` never see it).

- `lock`: one run at a time per output folder (flock; the kernel frees it when
  the holder dies, even by SIGKILL).
- `hashes.json`: doc_id (sha256 of the bytes) per input path, trusted only while
  the file's size, mtime, inode and ctime are those seen when it was hashed, and
  only when it was hashed more than `RACY_NS` after its last change (a file
  rewritten within the same timestamp tick is hashed again, as git does).
"""
from __future__ import annotations

import fcntl
import hashlib
import json
import os
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Optional

import pyarrow.parquet as pq

from ..contract import TABLES
from ..errors import RunNotStarted

STATE_DIR = ".avance"
RACY_NS = 2_000_000_000
HASH_BLOCK = 1 << 20


def sha256_file(path: Path) -> str:
    """Streaming sha256 into a reused buffer (no per-block allocation)."""
    h = hashlib.sha256()
    buf = bytearray(HASH_BLOCK)
    view = memoryview(buf)
    with open(path, "rb", buffering=0) as fh:
        while n := fh.readinto(buf):
            h.update(view[:n])
    return h.hexdigest()


class RunLock:
    """Exclusive lock on an output folder for the length of a run."""

    def __init__(self, out_dir: Path):
        self.path = out_dir / STATE_DIR / "lock"
        self.fd: Optional[int] = None

    def __enter__(self) -> "RunLock":
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.fd = os.open(self.path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o644)
        try:
            fcntl.flock(self.fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(self.fd)
            self.fd = None
            raise RunNotStarted(f"another avance run is writing to {self.path.parent.parent}/; "
                                "wait for it to finish") from None
        return self

    def __exit__(self, *exc) -> None:
        if self.fd is not None:
            os.close(self.fd)  # closing the last descriptor releases the flock
            self.fd = None


def remove_stale_temp_files(out_dir: Path) -> int:
    """Temp files of writes cut short by a killed run (only safe under the run lock)."""
    n = 0
    for name in TABLES:
        folder = out_dir / name
        if folder.is_dir():
            for tmp in folder.glob(".*.tmp"):
                tmp.unlink(missing_ok=True)
                n += 1
    return n


def remove_temp_files_of(out_dir: Path, doc_id: str) -> None:
    for name in TABLES:
        for tmp in (out_dir / name).glob(f".{doc_id}.*.tmp"):
            tmp.unlink(missing_ok=True)


@dataclass(frozen=True)
class FinishedDocument:
    """The `documents` row of a document whose outputs are complete."""
    status: str
    error: Optional[str]
    pipeline_version: str


class OutputIndex:
    """Which doc_ids have a complete set of table files (listed once per folder)."""

    def __init__(self, out_dir: Path):
        self.out_dir = out_dir
        self.files = {name: _parquet_stems(out_dir / name) for name in TABLES}

    def finished(self, doc_id: str) -> Optional[FinishedDocument]:
        """The recorded row when the outputs are complete, else None.

        Complete: the `documents` file (written last) exists and, unless the
        document failed (a failed document has only that file), so does every
        other table's file.
        """
        if doc_id not in self.files["documents"]:
            return None
        try:
            row = pq.ParquetFile(self.out_dir / "documents" / f"{doc_id}.parquet").read(
                columns=["status", "error", "pipeline_version"]).to_pylist()[0]
        except Exception:  # unreadable or empty: treat as not done
            return None
        if row["status"] != "failed" and not all(doc_id in stems for stems in self.files.values()):
            return None
        return FinishedDocument(status=row["status"], error=row["error"],
                                pipeline_version=row["pipeline_version"])


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
            data = json.loads(self.path.read_text())
            if data.get("version") == 1:
                self.entries = data["entries"]
        except (OSError, ValueError, KeyError, TypeError):
            pass

    def doc_id(self, path: Path) -> str:
        """sha256 of the file's bytes; OSError when it cannot be read."""
        key = str(path.resolve())
        st = os.stat(path)
        stamp = [st.st_size, st.st_mtime_ns, st.st_ino, st.st_ctime_ns]
        entry = self.entries.get(key)
        if entry and entry[:4] == stamp and entry[4] - max(st.st_mtime_ns, st.st_ctime_ns) > RACY_NS:
            return entry[5]
        hashed_at = time.time_ns()
        digest = sha256_file(path)
        self.entries[key] = stamp + [hashed_at, digest]
        self.dirty = True
        return digest

    def save(self) -> None:
        if not self.dirty:
            return
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=".hashes.", suffix=".tmp", dir=self.path.parent)
        with os.fdopen(fd, "w") as fh:
            json.dump({"version": 1, "entries": self.entries}, fh)
        os.replace(tmp, self.path)
        self.dirty = False
