"""The output contract (SCHEMA.md): the one place that knows the Parquet schemas.

Every table is built here from typed records, so a column can never be missing
or mistyped in one writer and right in another. Tables may carry extra columns
(documented in the README); the contract's columns are always present.
"""
from __future__ import annotations

import dataclasses
from enum import Enum
from functools import lru_cache
from typing import Any, Iterable, Sequence

import pyarrow as pa

from .messages import DEFAULT_LANGUAGE, localize
from .records import DocumentResult, SectionResult

S = pa.string()
I32 = pa.int32()
F64 = pa.float64()
B = pa.bool_()
LIST_S = pa.list_(pa.string())

DOC_KEYS = [("doc_id", S), ("section_id", I32)]

SCHEMAS: dict[str, pa.Schema] = {
    "documents": pa.schema([
        ("doc_id", S), ("source_path", S), ("file_name", S), ("n_pages", I32),
        ("text_source", S), ("status", S), ("error", S), ("pipeline_version", S),
        ("source_abspath", S), ("replaces", LIST_S),
    ]),
    "sections": pa.schema(DOC_KEYS + [
        ("family", S), ("page_start", I32), ("page_end", I32), ("government", S),
        ("municipality", S), ("fiscal_year", I32), ("quarter", I32), ("report_date", S),
        ("admin_class_code", S), ("admin_class_name", S), ("ramo_code", S), ("ramo_name", S),
        ("programa_code", S), ("programa_name", S), ("unidad_code", S), ("unidad_name", S),
        ("finalidad_code", S), ("finalidad_name", S), ("funcion_code", S), ("funcion_name", S),
        ("subfuncion_code", S), ("subfuncion_name", S), ("axis", S), ("budget_program", S),
        ("agency", S), ("period_label", S), ("period_start", S), ("period_end", S),
        ("state", S), ("state_code", S), ("municipality_code", S),
    ]),
    "action_lines": pa.schema(DOC_KEYS + [("code", S), ("description", S)]),
    "goals": pa.schema(DOC_KEYS + [
        ("goal_code", S), ("is_main_goal", B), ("description", S), ("unit", S), ("unit_raw", S),
        ("annual_target", F64), ("absolute_progress", F64), ("relative_progress", F64),
        ("pmd_codes", LIST_S), ("pmd_codes_raw", S), ("observations", S), ("page", I32),
    ]),
    "goal_periods": pa.schema(DOC_KEYS + [
        ("goal_code", S), ("period", I32), ("period_label", S), ("programmed", F64), ("achieved", F64),
    ]),
    "signatories": pa.schema(DOC_KEYS + [("role", S), ("name", S), ("honorific", S), ("title", S)]),
    "indicators": pa.schema(DOC_KEYS + [
        ("kind", S), ("indicator_code", S), ("name", S), ("entity_code", S), ("pmd_axis", S),
        ("pmd_strategy", S), ("pmd_lines", LIST_S), ("objective", S), ("interpretation", S),
        ("formula", S), ("result_unit", S), ("red_min", F64), ("red_max", F64),
        ("yellow_min", F64), ("yellow_max", F64), ("green_min", F64), ("green_max", F64),
        ("target_annual", F64), ("target_triennial", F64), ("target_direction", S), ("frequency", S),
    ]),
    "indicator_variables": pa.schema(DOC_KEYS + [("key", S), ("description", S), ("unit", S), ("source", S)]),
    "indicator_baselines": pa.schema(DOC_KEYS + [("period", I32), ("base_value", F64), ("target_value", F64)]),
    "indicator_values": pa.schema(DOC_KEYS + [("variable_key", S), ("period", I32), ("value", F64)]),
    "mir_rows": pa.schema(DOC_KEYS + [
        ("responsible_unit", S), ("level", S), ("objective_code", S), ("objective", S),
        ("indicator_acronym", S), ("indicator_name", S), ("frequency", S), ("indicator_unit", S),
        ("variables_unit", S), ("annual_target", F64), ("achieved", F64), ("pct_period", F64),
        ("pct_cumulative", F64), ("justification", S), ("page", I32),
    ]),
    "mir_periods": pa.schema(DOC_KEYS + [("objective_code", S), ("period", I32), ("target", F64)]),
    "evaluation_rows": pa.schema(DOC_KEYS + [
        ("project_code", S), ("project", S), ("indicator_no", I32), ("indicator", S),
        ("annual_target", F64), ("target_unit", S), ("programmed_to_date", F64),
        ("achieved_to_date", F64), ("pct_progress", F64), ("budget_approved", F64),
        ("budget_authorized", F64), ("budget_exercised", F64), ("budget_difference", F64),
        ("budget_pct", F64), ("justification", S), ("page", I32),
    ]),
    "indicator_results": pa.schema(DOC_KEYS + [
        ("row_no", I32), ("program_code", S), ("program_name", S), ("indicator", S), ("level", S),
        ("indicator_type", S), ("dimension", S), ("frequency", S), ("unit", S), ("formula", S),
        ("target_programmed", F64), ("target_modified", F64), ("achieved", F64),
        ("pct_vs_programmed", F64), ("pct_vs_modified", F64), ("budget_approved", F64),
        ("budget_modified", F64), ("budget_accrued", F64), ("budget_exercised", F64),
        ("budget_paid", F64), ("page", I32),
    ]),
    # Every table read that no family maps; document-level (no section).
    "table_cells": pa.schema([
        ("doc_id", S), ("page", I32), ("table_no", I32), ("row", I32), ("col", I32),
        ("row_span", I32), ("col_span", I32), ("header_path", S), ("text", S),
        ("x0", F64), ("y0", F64), ("x1", F64), ("y1", F64),
    ]),
    "totals": pa.schema(DOC_KEYS + [("target_table", S), ("target_column", S), ("value", F64)]),
    # Extra table (not in SCHEMA.md): where each extracted field was read, for review.
    "provenance": pa.schema(DOC_KEYS + [
        ("table", S), ("row_key", S), ("field", S), ("page", I32), ("x0", F64), ("y0", F64),
        ("x1", F64), ("y1", F64), ("confidence", F64), ("raw_text", S),
    ]),
    "flags": pa.schema(DOC_KEYS + [
        ("table", S), ("row_key", S), ("field", S), ("rule", S), ("severity", S),
        ("raw_value", S), ("value", S), ("message", S),
    ]),
}

TABLES: tuple[str, ...] = tuple(SCHEMAS)
# Tables filled from SectionResult lists of the same name.
SECTION_TABLES: tuple[str, ...] = tuple(
    t for t in TABLES if t not in ("documents", "sections", "flags", "table_cells")
)


def _plain(value: Any) -> Any:
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, tuple):
        return list(value)
    return value


_FLAT = (str, int, float, type(None), Enum)


@lru_cache(maxsize=None)
def _field_names(cls: type) -> tuple[str, ...]:
    return tuple(f.name for f in dataclasses.fields(cls))


def record_to_row(record: Any, **keys: Any) -> dict[str, Any]:
    values = [getattr(record, name) for name in _field_names(type(record))]
    if all(isinstance(v, _FLAT) or isinstance(v, tuple) and all(isinstance(x, _FLAT) for x in v) for v in values):
        # flat values (every contract record's): what `asdict` would copy, without its deep walk
        row = {name: _plain(v) for name, v in zip(_field_names(type(record)), values)}
    else:
        row = {k: _plain(v) for k, v in dataclasses.asdict(record).items()}
    row.update(keys)
    return row


def build_table(name: str, rows: Sequence[dict[str, Any]]) -> pa.Table:
    """Rows (dicts keyed by column) to a table with exactly the contract schema."""
    schema = SCHEMAS[name]
    columns = {f.name: [r.get(f.name) for r in rows] for f in schema}
    return pa.Table.from_pydict(columns, schema=schema)


def document_tables(result: DocumentResult, lang: str = DEFAULT_LANGUAGE) -> dict[str, pa.Table]:
    """Every contract table for one document, built from its typed records.

    `lang`: the language of the flags' `message` sentences (`es` or `en`, see messages.py)."""
    doc_id = result.info.doc_id
    rows: dict[str, list[dict[str, Any]]] = {t: [] for t in TABLES}
    rows["documents"].append(record_to_row(result.info))
    for flag in result.flags:
        rows["flags"].append(record_to_row(localize(flag, lang), doc_id=doc_id, section_id=None))
    rows["table_cells"].extend(record_to_row(c, doc_id=doc_id) for c in result.table_cells)
    for section_id, section in enumerate(result.sections, start=1):
        _section_rows(rows, section, doc_id, section_id, lang)
    return {t: build_table(t, r) for t, r in rows.items()}


def _section_rows(rows: dict[str, list[dict]], section: SectionResult, doc_id: str, section_id: int,
                  lang: str) -> None:
    keys = {"doc_id": doc_id, "section_id": section_id}
    rows["sections"].append(record_to_row(section.info, **keys))
    for table in SECTION_TABLES:
        rows[table].extend(record_to_row(r, **keys) for r in getattr(section, table))
    rows["flags"].extend(record_to_row(localize(f, lang), **keys) for f in section.flags)


def empty_tables(names: Iterable[str]) -> dict[str, pa.Table]:
    return {n: build_table(n, []) for n in names}
