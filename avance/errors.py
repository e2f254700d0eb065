"""Exceptions that become a document's `failed` status with a readable message.

Only the CLI turns outcomes into exit codes; the pipeline catches these per
document so one bad file never stops a batch.
"""
from __future__ import annotations

import errno as _errno
import re as _re


class AvanceError(Exception):
    """Base class: `str(err)` is a sentence a person understands."""


class UnreadableDocument(AvanceError):
    """The file cannot be opened as a document of a supported kind."""


class EncryptedDocument(UnreadableDocument):
    """The PDF is password-protected."""


class EmptyDocument(UnreadableDocument):
    """The file has no bytes or no pages."""


class NotAReport(AvanceError):
    """The document was read but holds no page of a known report family."""


class RunNotStarted(AvanceError):
    """A batch run could not begin: output folder in use, Dask missing or unreachable."""


# --------------------------------------------------------------------------
# an exception in one sentence a person can act on
# --------------------------------------------------------------------------

# OpenCV prefixes its messages with its version, source file and line, and ends them with a newline
_OPENCV_PREFIX = _re.compile(r"^OpenCV\([^)]*\)\s+\S+:\d+:\s+error:\s+(?:\(-?\d+:([^)]*)\)\s*)?")
_OUT_OF_MEMORY = ("Insufficient memory", "Failed to allocate", "bad_alloc", "Cannot allocate memory",
                  "Out of memory", "out of memory")


def is_out_of_memory(exc: BaseException) -> bool:
    if isinstance(exc, MemoryError):
        return True
    if isinstance(exc, OSError) and exc.errno == _errno.ENOMEM:
        return True
    return any(marker in str(exc) for marker in _OUT_OF_MEMORY)


def out_of_memory(cap_mb: int | None) -> str:
    if cap_mb:
        return (f"ran out of memory (more than {cap_mb} MB); run again with a higher "
                "--max-memory-mb, or 0 for no limit")
    return ("ran out of memory (the machine had no more to give); run it with fewer --workers "
            "or on a machine with more memory (--max-memory-mb caps each document)")


def one_line(text: str) -> str:
    """A library's message on one line, without the location prefixes people cannot use."""
    text = " ".join(str(text).split())
    return _OPENCV_PREFIX.sub(lambda m: f"{m.group(1)}: " if m.group(1) else "", text).strip()


def describe_exception(exc: BaseException, memory_cap_mb: int | None = None) -> str:
    """What happened, in one line: memory and disk space say what to do; others keep their text."""
    if is_out_of_memory(exc):
        return out_of_memory(memory_cap_mb)
    if isinstance(exc, OSError) and exc.errno in (_errno.ENOSPC, _errno.EDQUOT):
        return "no space left on the device; free some space and run again (--retry-failed re-extracts it)"
    if isinstance(exc, OSError) and exc.strerror:
        return one_line(exc.strerror)
    text = one_line(str(exc))
    kind = "OpenCV" if type(exc).__module__.startswith("cv2") else type(exc).__name__
    return f"{kind}: {text}" if text else kind
