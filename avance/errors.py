"""Exceptions that become a document's `failed` status with a readable message.

Only the CLI turns outcomes into exit codes; the pipeline catches these per
document so one bad file never stops a batch.
"""
from __future__ import annotations


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
