"""What a report family provides to the pipeline.

Adding a family is one module that defines a `FamilySpec` and one line in
`families/__init__.py`: the pipeline, sectioning, signatures, checks and
writers need no edits.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable, Mapping, Optional, Sequence

from ..records import Family, Page, SectionResult


@dataclass(frozen=True)
class PageMark:
    """What a family recognizes on a page.

    `key` identifies the header block (unidad ejecutora, agency, indicator
    code...). A page whose key differs from the running section's starts a new
    section; `key=None` means the page repeats the family's title but no header
    of its own, so it continues the running section.
    """

    family: Family
    key: Optional[str]
    # False when the page was told by its table alone (no title): a family that
    # knows the page by its title, detected later, is preferred
    by_title: bool = True


@dataclass(frozen=True)
class FamilySpec:
    family: Family
    # A mark when the page belongs to this family, else None.
    detect: Callable[[Page], Optional[PageMark]]
    # All pages of one section -> its rows (signatures are read by the pipeline).
    parse: Callable[[Sequence[Page]], SectionResult]
    # Printed codes worth a second reading on scans, (table, field) -> the family's
    # reading of a code (None when the text is no code). The pipeline reads each
    # code's box again and keeps the code most readings agree on (`ocr_reread`).
    reread_codes: Mapping[tuple[str, str], Callable[[str], Optional[str]]] = field(default_factory=dict)
    # How the family reads a figure of (table, field) from a cell's text (None when
    # unreadable; e.g. `$ -` as zero). On scans, cells of these fields the page pass
    # left empty are read again, and figures read again behind a warning are parsed
    # with them (other fields: `parse_number`).
    value_readers: Mapping[tuple[str, str], Callable[[str], Optional[float]]] = field(default_factory=dict)
    # Free-text fields, (table, field), whose cells the page pass read doubtfully: on scans
    # the pipeline reads them again as one block and keeps a sure reading (`ocr_reread`).
    reread_text: frozenset[tuple[str, str]] = frozenset()
    # How the family takes a reread_text field's value from its cell read again, where
    # the cell prints more than the field (a MIR objective cell begins with its code).
    # Fields not here take the reading whole.
    text_of_cell: Mapping[tuple[str, str], Callable[[str, str], Optional[str]]] = field(default_factory=dict)
    # Figure fields, (table, field), every figure of which the pipeline checks against the
    # grey page on scans (rereads.settle_figures): the page pass misreads small type.
    reread_figures: frozenset[tuple[str, str]] = frozenset()
    # Whether a page carries on the running section's pages whatever it looks like on its
    # own (a wide table's next group of columns, whose headers may read like another
    # family's labels). None: pages are told by `detect` alone.
    continues: Optional[Callable[[Sequence[Page], Page], bool]] = None
    # A second, costlier look at a page `detect` does not know: by its table alone (marks
    # with by_title False). The sectioning takes it only when no family knows the page by
    # its title, in family order as if it were part of `detect`.
    detect_by_table: Optional[Callable[[Page], Optional[PageMark]]] = None
