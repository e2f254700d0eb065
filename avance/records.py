"""Typed records that cross stage lines.

Extractors produce `Page`s (words and ruling lines with boxes, whatever the
origin: text layer, OCR or a text export). Family parsers turn a `Section` of
pages into a `SectionResult` of domain rows. The pipeline adds `doc_id` and
`section_id` and hands everything to `contract`, the only module that knows the
Parquet schemas. Domain rows carry exactly the contract's columns minus
`doc_id`/`section_id`, so the contract can build tables from them by name.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum
from typing import Callable, Literal, Optional

TextSource = Literal["text_layer", "ocr", "ocr_text"]


class Family(str, Enum):
    POA_AVANCE = "poa_avance"
    INDICATOR_SHEET = "indicator_sheet"
    INDICATOR_REPORT = "indicator_report"
    MIR_AVANCE = "mir_avance"
    POA_EVALUATION = "poa_evaluation"
    INDICATOR_RESULTS = "indicator_results"


class Status(str, Enum):
    OK = "ok"
    PARTIAL = "partial"
    FAILED = "failed"


class Severity(str, Enum):
    INFO = "info"
    WARNING = "warning"
    ERROR = "error"


# --------------------------------------------------------------------------
# layout records (what every extractor returns)
# --------------------------------------------------------------------------

@dataclass(frozen=True)
class Box:
    x0: float
    top: float
    x1: float
    bottom: float

    @property
    def xmid(self) -> float:
        return (self.x0 + self.x1) / 2

    @property
    def ymid(self) -> float:
        return (self.top + self.bottom) / 2

    @property
    def height(self) -> float:
        return self.bottom - self.top

    @property
    def width(self) -> float:
        return self.x1 - self.x0


@dataclass(frozen=True)
class Word(Box):
    text: str = ""
    conf: Optional[float] = None  # OCR confidence 0..100; None for a text layer


@dataclass(frozen=True)
class Rule(Box):
    """A ruling line or the edge of a filled rectangle (table grid evidence)."""


@dataclass(frozen=True)
class ScanGeometry:
    """How a scanned page image was turned before OCR, so an area of it can be read again."""

    pixels_per_inch: float
    quarter_turn: int  # degrees clockwise: 0, 90, 180 or 270
    skew_degrees: float


@dataclass(frozen=True)
class Page:
    number: int  # 1-based
    width: float
    height: float
    words: tuple[Word, ...]
    rules: tuple[Rule, ...] = ()
    source: TextSource = "text_layer"
    raw_lines: tuple[str, ...] = ()  # a text export keeps its lines as read
    scan: Optional[ScanGeometry] = None  # OCR'd pages: the turn and skew their words' boxes refer to


@dataclass(frozen=True)
class SourceDocument:
    path: str
    sha256: str
    kind: Literal["pdf", "image", "text"]

    @property
    def file_name(self) -> str:
        import os

        return os.path.basename(self.path)


# --------------------------------------------------------------------------
# domain rows (one class per contract table, minus doc_id / section_id)
# --------------------------------------------------------------------------

@dataclass(frozen=True)
class SectionInfo:
    family: str
    page_start: int
    page_end: int
    government: Optional[str] = None
    municipality: Optional[str] = None
    fiscal_year: Optional[int] = None
    quarter: Optional[int] = None
    report_date: Optional[str] = None
    admin_class_code: Optional[str] = None
    admin_class_name: Optional[str] = None
    ramo_code: Optional[str] = None
    ramo_name: Optional[str] = None
    programa_code: Optional[str] = None
    programa_name: Optional[str] = None
    unidad_code: Optional[str] = None
    unidad_name: Optional[str] = None
    finalidad_code: Optional[str] = None
    finalidad_name: Optional[str] = None
    funcion_code: Optional[str] = None
    funcion_name: Optional[str] = None
    subfuncion_code: Optional[str] = None
    subfuncion_name: Optional[str] = None
    axis: Optional[str] = None
    budget_program: Optional[str] = None
    agency: Optional[str] = None
    period_label: Optional[str] = None
    period_start: Optional[str] = None  # YYYY-MM-DD where the period is printed as dates
    period_end: Optional[str] = None
    state: Optional[str] = None  # the state the page names
    state_code: Optional[str] = None  # INEGI codes, from the official catalog
    municipality_code: Optional[str] = None


@dataclass(frozen=True)
class ActionLine:
    code: str
    description: Optional[str]


@dataclass(frozen=True)
class Goal:
    goal_code: str
    is_main_goal: bool
    description: Optional[str]
    unit: Optional[str]
    unit_raw: Optional[str]
    annual_target: Optional[float]
    absolute_progress: Optional[float]
    relative_progress: Optional[float]
    pmd_codes: tuple[str, ...]
    pmd_codes_raw: Optional[str]
    observations: Optional[str]
    page: int


@dataclass(frozen=True)
class GoalPeriod:
    goal_code: str
    period: int
    period_label: str
    programmed: Optional[float]
    achieved: Optional[float]


@dataclass(frozen=True)
class Signatory:
    role: str
    name: Optional[str]
    honorific: Optional[str]
    title: Optional[str]


@dataclass(frozen=True)
class Indicator:
    kind: str  # sheet | report
    indicator_code: Optional[str] = None
    name: Optional[str] = None
    entity_code: Optional[str] = None
    pmd_axis: Optional[str] = None
    pmd_strategy: Optional[str] = None
    pmd_lines: tuple[str, ...] = ()
    objective: Optional[str] = None
    interpretation: Optional[str] = None
    formula: Optional[str] = None
    result_unit: Optional[str] = None
    red_min: Optional[float] = None
    red_max: Optional[float] = None
    yellow_min: Optional[float] = None
    yellow_max: Optional[float] = None
    green_min: Optional[float] = None
    green_max: Optional[float] = None
    target_annual: Optional[float] = None
    target_triennial: Optional[float] = None
    target_direction: Optional[str] = None
    frequency: Optional[str] = None


@dataclass(frozen=True)
class IndicatorVariable:
    key: str
    description: Optional[str]
    unit: Optional[str]
    source: Optional[str]


@dataclass(frozen=True)
class IndicatorBaseline:
    period: int
    base_value: Optional[float]
    target_value: Optional[float]


@dataclass(frozen=True)
class IndicatorValue:
    variable_key: str
    period: int
    value: Optional[float]


@dataclass(frozen=True)
class MirRow:
    responsible_unit: Optional[str]
    level: Optional[str]
    objective_code: str
    objective: Optional[str]
    indicator_acronym: Optional[str]
    indicator_name: Optional[str]
    frequency: Optional[str]
    indicator_unit: Optional[str]
    variables_unit: Optional[str]
    annual_target: Optional[float]
    achieved: Optional[float]
    pct_period: Optional[float]
    pct_cumulative: Optional[float]
    justification: Optional[str]
    page: int


@dataclass(frozen=True)
class MirPeriod:
    objective_code: str
    period: int
    target: Optional[float]


@dataclass(frozen=True)
class EvaluationRow:
    project_code: Optional[str]
    project: Optional[str]
    indicator_no: int
    indicator: Optional[str]
    annual_target: Optional[float]
    target_unit: Optional[str]
    programmed_to_date: Optional[float]
    achieved_to_date: Optional[float]
    pct_progress: Optional[float]
    budget_approved: Optional[float]
    budget_authorized: Optional[float]
    budget_exercised: Optional[float]
    budget_difference: Optional[float]
    budget_pct: Optional[float]
    justification: Optional[str]
    page: int


@dataclass(frozen=True)
class IndicatorResult:
    """One indicator or goal line of an "Indicadores de resultados" report."""

    row_no: int
    program_code: Optional[str] = None
    program_name: Optional[str] = None
    indicator: Optional[str] = None
    level: Optional[str] = None
    indicator_type: Optional[str] = None
    dimension: Optional[str] = None
    frequency: Optional[str] = None
    unit: Optional[str] = None
    formula: Optional[str] = None
    target_programmed: Optional[float] = None
    target_modified: Optional[float] = None
    achieved: Optional[float] = None
    pct_vs_programmed: Optional[float] = None
    pct_vs_modified: Optional[float] = None
    budget_approved: Optional[float] = None
    budget_modified: Optional[float] = None
    budget_accrued: Optional[float] = None
    budget_exercised: Optional[float] = None
    budget_paid: Optional[float] = None
    page: int = 0


@dataclass(frozen=True)
class TableCell:
    """A cell of a table the reader found that no family maps (`table_cells`)."""

    page: int
    table_no: int
    row: int
    col: int
    row_span: int
    col_span: int
    header_path: Optional[str]
    text: Optional[str]
    x0: float
    y0: float
    x1: float
    y1: float


@dataclass(frozen=True)
class Total:
    target_table: str
    target_column: str
    value: Optional[float]


@dataclass(frozen=True)
class Provenance:
    """Where a field was read: page and box (PDF points, top-left origin), OCR confidence."""

    table: str
    row_key: str
    field: str
    page: int
    x0: float
    y0: float
    x1: float
    y1: float
    confidence: Optional[float] = None
    raw_text: Optional[str] = None  # the words as read (a text export's line has no image)


@dataclass(frozen=True)
class AreaReading:
    """A second OCR reading of one field's area of a page image."""

    text: str
    confidence: float  # the lowest word confidence, 0..100
    mean_confidence: Optional[float] = None  # of a text cell's words (one stray mark makes the lowest)


@dataclass(frozen=True)
class Flag:
    table: str
    row_key: str
    field: str
    rule: str
    severity: Severity
    raw_value: Optional[str]
    value: Optional[str]
    message: str


@dataclass
class SectionResult:
    """Everything one section yields. Lists are filled by the family parser."""

    info: SectionInfo
    action_lines: list[ActionLine] = field(default_factory=list)
    goals: list[Goal] = field(default_factory=list)
    goal_periods: list[GoalPeriod] = field(default_factory=list)
    signatories: list[Signatory] = field(default_factory=list)
    indicators: list[Indicator] = field(default_factory=list)
    indicator_variables: list[IndicatorVariable] = field(default_factory=list)
    indicator_baselines: list[IndicatorBaseline] = field(default_factory=list)
    indicator_values: list[IndicatorValue] = field(default_factory=list)
    mir_rows: list[MirRow] = field(default_factory=list)
    mir_periods: list[MirPeriod] = field(default_factory=list)
    evaluation_rows: list[EvaluationRow] = field(default_factory=list)
    indicator_results: list[IndicatorResult] = field(default_factory=list)
    totals: list[Total] = field(default_factory=list)
    flags: list[Flag] = field(default_factory=list)
    provenance: list[Provenance] = field(default_factory=list)


@dataclass(frozen=True)
class DocumentInfo:
    doc_id: str
    source_path: str
    file_name: str
    n_pages: int
    text_source: Optional[str]
    status: Status
    error: Optional[str]
    pipeline_version: str
    # beyond the contract: the input's absolute path (what a re-run matches a changed file
    # by) and the doc_ids of the earlier versions of that path this document replaced
    source_abspath: Optional[str] = None
    replaces: Optional[tuple[str, ...]] = None


@dataclass
class DocumentResult:
    info: DocumentInfo
    sections: list[SectionResult] = field(default_factory=list)
    flags: list[Flag] = field(default_factory=list)  # document-level (no section)
    table_cells: list[TableCell] = field(default_factory=list)  # tables no family maps


# The columns that name a row of each per-section table, in the order tables are shown.
KEY_COLUMNS: dict[str, tuple[str, ...]] = {
    "goals": ("goal_code",),
    "goal_periods": ("goal_code", "period"),
    "mir_rows": ("objective_code",),
    "mir_periods": ("objective_code", "period"),
    "indicators": (),
    "indicator_variables": ("key",),
    "indicator_baselines": ("period",),
    "indicator_values": ("variable_key", "period"),
    "evaluation_rows": ("indicator_no",),
    "indicator_results": ("row_no",),
    "totals": ("target_table", "target_column"),
    "action_lines": ("code",),
    "signatories": ("role",),
}


def _row_key(columns: tuple[str, ...]) -> Callable[[object], str]:
    return lambda r: "|".join(str(getattr(r, c)) for c in columns)


# How flags and provenance name a row of each per-section table (`row_key`): its key
# columns joined by `|` (`104|2`, `evaluation_rows|budget_approved`); a section is "".
ROW_KEYS: dict[str, Callable[[object], str]] = {
    "sections": lambda r: "", **{table: _row_key(columns) for table, columns in KEY_COLUMNS.items()}}
