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
from pathlib import Path
from typing import Callable

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
    for folder in folders:
        fsync_folder(folder)
