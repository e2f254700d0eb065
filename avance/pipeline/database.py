"""DuckDB over an output folder: one view (or table) per contract table, and the panel.

A table folder with no files yet (no document had such rows, or no run yet)
still gets its name, empty, with the contract's columns, so a query that joins
it works on any output folder.

The panel (`attach_panels`): each section is one report, named by its report
key (place, fiscal year, quarter, family, unit; see `REPORTS_SQL`). Two
documents holding a report of the same key (a scan and the born-digital file
of one report) are copies: `reports` keeps one (`kept`; born-digital first),
the other gets a `duplicate_report` flag in the `flags` view (the flags as
written are `flags_read`), and the panel views read only kept reports:
`goal_panel`, `mir_panel`, `indicator_results_panel`, one row per goal (MIR
objective, results line) and quarter, from the latest report that covers it.
"""
from __future__ import annotations

import os
import tempfile
from pathlib import Path

import duckdb

from ..contract import TABLES, empty_tables


def _source(out_dir: Path, name: str) -> str | None:
    folder = out_dir / name
    if folder.is_dir() and any(n.endswith(".parquet") and not n.startswith(".") for n in os.listdir(folder)):
        pattern = str(folder / "*.parquet").replace("'", "''")
        return f"read_parquet('{pattern}', union_by_name = true)"
    return None


def attach_tables(con: duckdb.DuckDBPyConnection, out_dir: Path, kind: str = "VIEW") -> None:
    """CREATE VIEW (or TABLE) <name> for every contract table of `out_dir`."""
    for name in TABLES:
        source = _source(out_dir, name)
        empty = f"_empty_{name}" if source is None else None
        if empty:
            con.register(empty, empty_tables([name])[name])
        con.execute(f'CREATE {kind} "{name}" AS SELECT * FROM {source or empty}')
        if empty and kind == "TABLE":
            con.unregister(empty)


# A unit read on a copy within this share of the best copy's unit (1 - edit distance over
# the longer length) is that unit: on the dev corpus's 31 scan/born-digital pairs of
# sections the one unit an OCR slip changed (a 43-letter body, 4 letters off) is at 0.91;
# two bodies of one document (`... DE BIENESTAR`, `... DE DESARROLLO ECONÓMICO`) are at 0.59.
UNIT_SIMILARITY = 0.85

# One row per section: its report key and whether it is the copy the panel counts.
# place: INEGI state+municipality code, else the municipality, else the reporting body
# (agency, ramo), upper case without accents; unit: an indicator sheet's or report's
# indicator code, else the unidad ejecutora code (POA), else the body (MIR, results),
# else the budget program.
REPORTS_SQL = """
CREATE VIEW reports AS
WITH keyed AS (
    SELECT s.doc_id, s.section_id, s.family, s.fiscal_year, s.quarter, d.file_name, d.text_source,
           COALESCE(s.state_code || s.municipality_code, upper(strip_accents(s.municipality)),
                    upper(strip_accents(s.agency)), upper(strip_accents(s.ramo_name))) AS place,
           CASE WHEN s.family IN ('indicator_sheet', 'indicator_report')
                THEN COALESCE(ind.indicator_code, s.unidad_code)
                ELSE COALESCE(s.unidad_code, upper(strip_accents(s.agency)), upper(strip_accents(s.budget_program)))
           END AS unit_read,
           CASE d.text_source WHEN 'text_layer' THEN 0 WHEN 'mixed' THEN 1 WHEN 'ocr' THEN 2 ELSE 3 END AS source_rank
    FROM sections s
    JOIN documents d USING (doc_id)
    LEFT JOIN (SELECT doc_id, section_id, min(indicator_code) AS indicator_code
               FROM indicators GROUP BY ALL) ind USING (doc_id, section_id)
), led AS (
    -- the best copy (born-digital first) among the documents reporting for the same place,
    -- year, quarter and family
    SELECT *, first_value(doc_id) OVER (PARTITION BY place, fiscal_year, quarter, family
                                        ORDER BY source_rank, doc_id) AS lead_doc
    FROM keyed
), near AS (
    -- a unit OCR read with a slip (`SEGURIDAD CIPNANAWA`) is the best copy's unit it is
    -- within UNIT_SIMILARITY of (edit distance over the longer length), the closest one
    SELECT o.doc_id, o.section_id,
           arg_max(l.unit_read, 1 - levenshtein(o.unit_read, l.unit_read)
                                    / greatest(length(o.unit_read), length(l.unit_read))) AS lead_unit,
           max(1 - levenshtein(o.unit_read, l.unit_read)
                   / greatest(length(o.unit_read), length(l.unit_read))) AS similarity
    FROM led o JOIN led l ON l.doc_id = o.lead_doc AND o.doc_id <> o.lead_doc
         AND l.place IS NOT DISTINCT FROM o.place AND l.fiscal_year IS NOT DISTINCT FROM o.fiscal_year
         AND l.quarter IS NOT DISTINCT FROM o.quarter AND l.family = o.family
    WHERE o.unit_read IS NOT NULL AND l.unit_read IS NOT NULL
    GROUP BY o.doc_id, o.section_id
), unified AS (
    SELECT led.* EXCLUDE (lead_doc),
           CASE WHEN near.similarity >= {similarity} THEN near.lead_unit ELSE led.unit_read END AS unit
    FROM led LEFT JOIN near USING (doc_id, section_id)
), ranked AS (
    SELECT *,
           concat_ws(' | ', COALESCE(place, '?'), COALESCE(CAST(fiscal_year AS VARCHAR), '?'),
                     COALESCE('T' || quarter, '?'), family, COALESCE(unit, '?')) AS report_key,
           concat_ws(' | ', COALESCE(place, '?'), COALESCE(CAST(fiscal_year AS VARCHAR), '?'),
                     family, COALESCE(unit, '?')) AS series_key
    FROM unified
)
SELECT r.*,
       count(DISTINCT doc_id) OVER (PARTITION BY report_key) AS copies,
       first_value(doc_id) OVER (PARTITION BY report_key ORDER BY source_rank, doc_id) AS kept_doc_id,
       first_value(file_name) OVER (PARTITION BY report_key ORDER BY source_rank, doc_id) AS kept_file_name,
       doc_id = first_value(doc_id) OVER (PARTITION BY report_key ORDER BY source_rank, doc_id) AS kept
FROM ranked r
""".format(similarity=UNIT_SIMILARITY)

DUPLICATE_FLAGS_SQL = """
CREATE VIEW flags AS
SELECT * FROM flags_read
UNION ALL BY NAME
SELECT doc_id, section_id, 'sections' AS "table", '' AS row_key, 'report_key' AS field,
       'duplicate_report' AS rule, 'info' AS severity, report_key AS raw_value, kept_doc_id AS value,
       'Another copy of this report (' || report_key || ') was read from ' || kept_file_name ||
       '; the panel views count the report once, from that copy.' AS message
FROM reports WHERE NOT kept
"""

# The latest kept report of a series that covers a quarter (its own quarter or an earlier
# one; a report whose quarter is unknown covers every quarter, ranked last).
GOAL_PANEL_SQL = """
CREATE VIEW goal_panel AS
SELECT * EXCLUDE (pick) FROM (
    SELECT r.series_key, r.place, r.fiscal_year, r.family, r.unit, g.goal_code, p.period AS quarter,
           g.description, g.unit AS unit_of_measure, g.annual_target, p.programmed, p.achieved,
           r.quarter AS report_quarter, r.doc_id, r.section_id, r.file_name,
           row_number() OVER (PARTITION BY r.series_key, g.goal_code, p.period
                              ORDER BY r.quarter DESC NULLS LAST, r.doc_id, r.section_id) AS pick
    FROM reports r
    JOIN goals g USING (doc_id, section_id)
    JOIN goal_periods p USING (doc_id, section_id, goal_code)
    WHERE r.kept AND p.period <= COALESCE(r.quarter, 4)
) WHERE pick = 1
"""

MIR_PANEL_SQL = """
CREATE VIEW mir_panel AS
SELECT * EXCLUDE (pick) FROM (
    SELECT r.series_key, r.place, r.fiscal_year, r.family, r.unit, m.objective_code, r.quarter,
           m.level, m.objective, m.indicator_name, m.annual_target, p.target AS quarter_target, m.achieved,
           m.pct_period, m.pct_cumulative, r.doc_id, r.section_id, r.file_name,
           row_number() OVER (PARTITION BY r.series_key, m.objective_code, r.quarter
                              ORDER BY r.doc_id, r.section_id) AS pick
    FROM reports r
    JOIN mir_rows m USING (doc_id, section_id)
    LEFT JOIN mir_periods p ON p.doc_id = m.doc_id AND p.section_id = m.section_id
         AND p.objective_code = m.objective_code AND p.period = r.quarter
    WHERE r.kept
) WHERE pick = 1
"""

INDICATOR_RESULTS_PANEL_SQL = """
CREATE VIEW indicator_results_panel AS
SELECT * EXCLUDE (pick) FROM (
    SELECT r.series_key, r.place, r.fiscal_year, r.family, r.unit,
           concat_ws(' | ', i.program_code, upper(strip_accents(i.indicator))) AS line_key, r.quarter,
           i.program_code, i.program_name, i.indicator, i.level, i.unit AS unit_of_measure,
           i.target_programmed, i.target_modified, i.achieved, i.pct_vs_programmed, i.pct_vs_modified,
           r.doc_id, r.section_id, r.file_name,
           row_number() OVER (PARTITION BY r.series_key, line_key, r.quarter
                              ORDER BY r.doc_id, r.section_id, i.row_no) AS pick
    FROM reports r
    JOIN indicator_results i USING (doc_id, section_id)
    WHERE r.kept
) WHERE pick = 1
"""

PANEL_VIEWS = ("reports", "goal_panel", "mir_panel", "indicator_results_panel")


def attach_panels(con: duckdb.DuckDBPyConnection, kind: str = "VIEW") -> None:
    """The report keys, the duplicate flags and the panel views over attached tables."""
    con.execute(f'ALTER {kind} flags RENAME TO flags_read')
    for sql in (REPORTS_SQL, DUPLICATE_FLAGS_SQL, GOAL_PANEL_SQL, MIR_PANEL_SQL, INDICATOR_RESULTS_PANEL_SQL):
        con.execute(sql)


def connect(out_dir: Path, panels: bool = True) -> duckdb.DuckDBPyConnection:
    """An in-memory DuckDB whose views read the output folder's Parquet files
    (with `panels`, the report keys and panel views too)."""
    con = duckdb.connect()
    attach_tables(con, Path(out_dir))
    if panels:
        attach_panels(con)
    return con


def export_duckdb(out_dir: Path, db_file: Path) -> dict[str, int]:
    """Write one DuckDB database file with a table per contract table; rows per table.

    Built in a temp file beside the target and renamed over it: an existing
    database is replaced whole, never left half-written.
    """
    db_file = Path(db_file)
    db_file.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{db_file.name}.", suffix=".tmp", dir=db_file.parent)
    os.close(fd)
    os.unlink(tmp)  # DuckDB creates the file itself
    try:
        con = duckdb.connect(tmp)
        try:
            attach_tables(con, Path(out_dir), kind="TABLE")
            counts = {name: con.execute(f'SELECT count(*) FROM "{name}"').fetchone()[0] for name in TABLES}
            con.execute("CHECKPOINT")
        finally:
            con.close()
        os.replace(tmp, db_file)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        Path(tmp + ".wal").unlink(missing_ok=True)
        raise
    return counts
