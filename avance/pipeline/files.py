"""Durable, atomic file writes: what a power loss or kill -9 can never leave half done.

A file is written to a new temp file beside its target (created like any other
file, so its mode is 0666 less the umask: 0644 under the usual 022), flushed to
disk (`fsync`), renamed over the target, and the folder is flushed so the rename
itself survives a power loss. Temp files are named `.<stem>.<random>.tmp`; a run
removes the ones a killed run left (state.remove_leftovers).
"""
from __future__ import annotations

import os
import secrets
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Callable, Iterable, Sequence

TEMP_SUFFIX = ".tmp"


def new_temp_file(folder: Path, stem: str) -> Path:
    """A new empty file `.<stem>.<random>.tmp` in `folder`, mode 0666 less the umask."""
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_CLOEXEC", 0)
    while True:
        tmp = folder / f".{stem}.{secrets.token_hex(6)}{TEMP_SUFFIX}"
        try:
            os.close(os.open(tmp, flags, 0o666))
            return tmp
        except FileExistsError:
            continue


def fsync_path(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def fsync_folder(folder: Path) -> None:
    """Make a rename or removal in `folder` durable (a no-op where folders cannot be opened)."""
    try:
        fd = os.open(folder, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
    except OSError:  # Windows: NTFS journals the rename itself
        return
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def write_atomically(path: Path, write: Callable[[str], None]) -> None:
    """`write(temp_path)` fills a temp file that then replaces `path`, durably."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = new_temp_file(path.parent, path.stem)
    try:
        write(str(tmp))
        fsync_path(tmp)
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    fsync_folder(path.parent)


FLUSH_THREADS = 4


def _flush_all(flush: Callable[[Path], None], paths: Iterable[Path]) -> None:
    """Flushes at once from a few threads: the file system commits them together (a
    document's 17 files: a few commits instead of 17). Where no thread can start (a
    worker's memory cap counts each thread's stack and heap), one after another."""
    paths = list(dict.fromkeys(paths))
    if len(paths) > 1:
        try:
            with ThreadPoolExecutor(max_workers=min(len(paths), FLUSH_THREADS)) as pool:  # per call: never across a fork
                for _ in pool.map(flush, paths):
                    pass
            return
        except RuntimeError:  # "can't start new thread": flushing one more time is harmless
            pass
    for p in paths:
        flush(p)


def write_all_atomically(files: Sequence[tuple[Path, Callable[[str], None]]]) -> None:
    """`write_atomically` for several files, their flushes at once: every temp file is
    filled, all are flushed, then renamed, then their folders flushed. When this
    returns every file is durable; cut short, a target is the old file or the new one."""
    temps: list[tuple[Path, Path]] = []
    try:
        for path, write in files:
            path.parent.mkdir(parents=True, exist_ok=True)
            temps.append((new_temp_file(path.parent, path.stem), path))
            write(str(temps[-1][0]))
        _flush_all(fsync_path, [tmp for tmp, _ in temps])
        while temps:
            tmp, path = temps[0]
            os.replace(tmp, path)
            temps.pop(0)
    except BaseException:
        for tmp, _ in temps:
            tmp.unlink(missing_ok=True)
        raise
    _flush_all(fsync_folder, [path.parent for path, _ in files])


def write_text_atomically(path: Path, text: str) -> None:
    write_atomically(path, lambda tmp: Path(tmp).write_text(text, encoding="utf-8"))


def remove_durably(paths: list[Path]) -> None:
    """Remove files in order, then flush their folders."""
    folders = []
    for p in paths:
        try:
            os.unlink(p)
        except FileNotFoundError:
            continue
        if p.parent not in folders:
            folders.append(p.parent)
    _flush_all(fsync_folder, folders)
