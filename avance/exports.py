"""Exports people open: one Excel workbook (a sheet per table) or a folder of CSV files.

    write_xlsx(out_dir, "avance.xlsx", spanish_headers=True)
    write_csv(out_dir, "csv/")

Both read the output folder through the same DuckDB views as `avance query`
(`pipeline/database.py`), so the `flags` sheet also holds the `duplicate_report`
flags of the panel. The flags carry the page each came from, taken from the
`provenance` table (the field's own reading, else its row's, else the
section's first page) and the document's file name.
"""
from __future__ import annotations

import csv
import os
import tempfile
from pathlib import Path
from typing import Iterable

from .contract import TABLES

# Column labels in Spanish (`--spanish-headers`); a column not listed keeps its name.
SPANISH_HEADERS: dict[str, str] = {
    "doc_id": "id_documento", "source_path": "ruta_origen", "file_name": "archivo", "n_pages": "páginas",
    "text_source": "origen_del_texto", "status": "estado", "error": "error", "pipeline_version": "versión",
    "section_id": "id_sección", "family": "familia", "page_start": "página_inicial", "page_end": "página_final",
    "government": "gobierno", "municipality": "municipio", "fiscal_year": "ejercicio_fiscal",
    "quarter": "trimestre", "report_date": "fecha_del_reporte", "admin_class_code": "clave_clasificación_administrativa",
    "admin_class_name": "clasificación_administrativa", "ramo_code": "clave_ramo", "ramo_name": "ramo",
    "programa_code": "clave_programa", "programa_name": "programa", "unidad_code": "clave_unidad_ejecutora",
    "unidad_name": "unidad_ejecutora", "finalidad_code": "clave_finalidad", "finalidad_name": "finalidad",
    "funcion_code": "clave_función", "funcion_name": "función", "subfuncion_code": "clave_subfunción",
    "subfuncion_name": "subfunción", "axis": "eje", "budget_program": "programa_presupuestario",
    "agency": "dependencia", "period_label": "periodo_impreso", "period_start": "inicio_del_periodo",
    "period_end": "fin_del_periodo", "state": "estado_impreso", "state_code": "clave_inegi_estado",
    "municipality_code": "clave_inegi_municipio", "code": "clave", "description": "descripción",
    "goal_code": "clave_meta", "is_main_goal": "meta_principal", "unit": "unidad_de_medida",
    "unit_raw": "unidad_de_medida_leída", "annual_target": "meta_anual", "absolute_progress": "avance_absoluto",
    "relative_progress": "avance_relativo", "pmd_codes": "líneas_pmd", "pmd_codes_raw": "líneas_pmd_impresas",
    "observations": "observaciones", "page": "página", "period": "periodo", "programmed": "programado",
    "achieved": "alcanzado", "role": "cargo_de_firma", "name": "nombre", "honorific": "tratamiento",
    "title": "puesto", "kind": "tipo", "indicator_code": "clave_indicador", "entity_code": "clave_dependencia",
    "pmd_axis": "eje_pmd", "pmd_strategy": "estrategia_pmd", "pmd_lines": "líneas_de_acción_pmd",
    "objective": "objetivo", "interpretation": "interpretación", "formula": "fórmula",
    "result_unit": "unidad_del_resultado", "red_min": "rojo_mín", "red_max": "rojo_máx",
    "yellow_min": "amarillo_mín", "yellow_max": "amarillo_máx", "green_min": "verde_mín", "green_max": "verde_máx",
    "target_annual": "meta_anual", "target_triennial": "meta_trianual", "target_direction": "sentido_de_la_meta",
    "frequency": "frecuencia", "key": "variable", "source": "fuente", "base_value": "valor_base",
    "target_value": "valor_meta", "variable_key": "variable", "value": "valor",
    "responsible_unit": "unidad_responsable", "level": "nivel", "objective_code": "clave_objetivo",
    "indicator_acronym": "siglas_indicador", "indicator_name": "indicador", "indicator_unit": "unidad_del_indicador",
    "variables_unit": "unidad_de_las_variables", "pct_period": "porcentaje_del_periodo",
    "pct_cumulative": "porcentaje_acumulado", "justification": "justificación", "target": "meta",
    "project_code": "clave_proyecto", "project": "proyecto", "indicator_no": "número_indicador",
    "indicator": "indicador", "target_unit": "unidad_de_la_meta", "programmed_to_date": "programado_a_la_fecha",
    "achieved_to_date": "alcanzado_a_la_fecha", "pct_progress": "porcentaje_de_avance",
    "budget_approved": "presupuesto_aprobado", "budget_authorized": "presupuesto_autorizado",
    "budget_exercised": "presupuesto_ejercido", "budget_difference": "diferencia_presupuestal",
    "budget_pct": "porcentaje_presupuestal", "row_no": "renglón", "program_code": "clave_programa",
    "program_name": "programa", "indicator_type": "tipo_de_indicador", "dimension": "dimensión",
    "target_programmed": "meta_programada", "target_modified": "meta_modificada",
    "pct_vs_programmed": "porcentaje_vs_programada", "pct_vs_modified": "porcentaje_vs_modificada",
    "budget_modified": "presupuesto_modificado", "budget_accrued": "presupuesto_devengado",
    "budget_paid": "presupuesto_pagado", "table_no": "número_de_tabla", "row": "renglón", "col": "columna",
    "row_span": "renglones_que_abarca", "col_span": "columnas_que_abarca", "header_path": "encabezado",
    "text": "texto", "x0": "x0", "y0": "y0", "x1": "x1", "y1": "y1", "target_table": "tabla_destino",
    "target_column": "columna_destino", "table": "tabla", "row_key": "clave_de_renglón", "field": "campo",
    "confidence": "confianza", "raw_text": "texto_leído", "rule": "regla", "severity": "severidad",
    "raw_value": "valor_leído", "message": "mensaje",
}

# The flags with the page they came from (provenance: the field, else the row, else the section).
FLAGS_WITH_PAGES_SQL = """
SELECT f.*, d.file_name,
       COALESCE(
           (SELECT min(p.page) FROM provenance p WHERE p.doc_id = f.doc_id AND p.section_id = f.section_id
                AND p."table" = f."table" AND p.row_key = f.row_key AND p.field = f.field),
           (SELECT min(p.page) FROM provenance p WHERE p.doc_id = f.doc_id AND p.section_id = f.section_id
                AND p."table" = f."table" AND p.row_key = f.row_key),
           (SELECT s.page_start FROM sections s WHERE s.doc_id = f.doc_id AND s.section_id = f.section_id)
       ) AS page
FROM flags f LEFT JOIN documents d USING (doc_id)
ORDER BY f.doc_id, f.section_id NULLS FIRST, f."table", f.row_key
"""


def table_query(name: str) -> str:
    return FLAGS_WITH_PAGES_SQL if name == "flags" else f'SELECT * FROM "{name}"'


def _cell(value):
    """A value a spreadsheet cell holds: lists joined, NaN/NA empty."""
    if value is None:
        return None
    if isinstance(value, (list, tuple)):
        return ", ".join(str(v) for v in value)
    if hasattr(value, "tolist") and not isinstance(value, (str, bytes)):
        return ", ".join(str(v) for v in value.tolist())
    try:
        if value != value:  # NaN
            return None
    except (TypeError, ValueError):
        pass
    return value


def _rows(con, name: str) -> tuple[list[str], Iterable[tuple]]:
    relation = con.execute(table_query(name))
    columns = [d[0] for d in relation.description]
    return columns, relation.fetchall()


def write_xlsx(out_dir: Path, target: Path, spanish_headers: bool = False) -> dict[str, int]:
    """One workbook, a sheet per contract table (header row, then its rows); rows per sheet.
    Written beside the target and renamed over it (never left half-written)."""
    from openpyxl import Workbook
    from openpyxl.utils import get_column_letter

    from .pipeline.database import connect

    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    con = connect(Path(out_dir))
    counts: dict[str, int] = {}
    book = Workbook(write_only=True)
    try:
        for name in TABLES:
            columns, rows = _rows(con, name)
            sheet = book.create_sheet(title=name)
            sheet.freeze_panes = "A2"
            sheet.append([SPANISH_HEADERS.get(c, c) if spanish_headers else c for c in columns])
            n = 0
            for row in rows:
                sheet.append([_cell(v) for v in row])
                n += 1
            counts[name] = n
            for i, column in enumerate(columns, start=1):
                sheet.column_dimensions[get_column_letter(i)].width = min(60, max(10, len(column) + 2))
    finally:
        con.close()
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    os.close(fd)
    try:
        book.save(tmp)
        os.chmod(tmp, 0o666 & ~_umask())  # mkstemp's file is private; the workbook is not
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return counts


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def write_csv(out_dir: Path, folder: Path, spanish_headers: bool = False) -> dict[str, int]:
    """One UTF-8 CSV per contract table (`<table>.csv`, with a BOM so Excel reads the
    accents); rows per file."""
    from .pipeline.database import connect

    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    con = connect(Path(out_dir))
    counts: dict[str, int] = {}
    try:
        for name in TABLES:
            columns, rows = _rows(con, name)
            target = folder / f"{name}.csv"
            tmp = folder / f".{name}.csv.tmp"
            n = 0
            with open(tmp, "w", newline="", encoding="utf-8-sig") as fh:
                writer = csv.writer(fh)
                writer.writerow([SPANISH_HEADERS.get(c, c) if spanish_headers else c for c in columns])
                for row in rows:
                    writer.writerow([_cell(v) for v in row])
                    n += 1
            os.replace(tmp, target)
            counts[name] = n
    finally:
        con.close()
    return counts
