"""Real OCR text exports (tests/corpus/exports): every table they hold, every row.

Counts and values below were checked by hand against the export text (each
figure read off its line; the quarter sums verified by hand).
"""
from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from avance.pipeline.run import run

from .conftest import CORPUS

EXPORTS = CORPUS / "exports"
POA_EXPORT = "000_a4fe13dad60e137b.txt"
MIR_EXPORT = "004_83effe8c90a4f0c8.txt"

# goal_code: (unit, annual, P1..P4, A1, absolute, relative)
CHECKED_GOALS = {
    # the DIF operative department row whose empty cells the OCR collapsed
    "M.300": ("SERVICIOS OTORGADOS", 127762, (25442, 34292, 33733, 34295), 15836, 15836, 12),
    "301": ("NÓMINA", 52, (13, 13, 13, 13), 12, 12, 23),
    "302": ("SUPERVISION", 3547, (1155, 940, 528, 924), 770, 770, 22),
    "303": ("DESPENSA", 36520, (6640, 9960, 9960, 9960), 0, 0, 0),
    "305": ("BECAS", 17232, (0, 5744, 5744, 5744), 0, 0, 0),
    "308": ("ACTIVIDAD", 6492, (1651, 1649, 1515, 1677), 1651, 1651, 25),
    "310": ("SERVICIO", 10000, (2500, 2505, 2495, 2500), 2642, 2642, 26),
    # rows whose cells the OCR duplicated
    "M.100": ("INFORMES", 4, (1, 1, 1, 1), 1, 1, 25),
    "102": ("INFORMES", 32, (8, 8, 8, 8), 8, 8, 25),
    "103": ("ACCION DE DIFUSION", 390, (100, 95, 95, 100), 100, 100, 26),
    "M.400": ("USUARIOS", 1520, (380, 380, 380, 380), 380, 380, 25),
}
# objective_code: (level, acronym, frequency, annual, T1..T4, achieved, pct_period, pct_cumulative)
CHECKED_MIR = {
    "4.1.1": ("Fin", "I_PROS_COM_JUS_SOC", "Trianual", 28.59, (7.15, 7.15, 7.15, 7.14), 7.15, 100.0, 25.01),
    "4.1.1.1": ("Propósito", "ICSB", "Trimestral", 100, (25, 25, 25, 25), 20, 80.76, 20.19),
    "4.1.1.1.3.2": ("Actividad", "PCPS", "Trimestral", 468, (81, 130, 129, 128), 174, 219.31, 37.18),
    "4.1.1.1.6.1": ("Actividad", "PCTIA", "Trimestral", 224, (56, 56, 56, 56), 71, 116.79, 31.70),
    "4.1.1.1.16.1": ("Actividad", "PPAL", "Trimestral", 10000, (2515, 2745, 2790, 2510), 2937, 116.73, 27.71),
    "4.1.1.1.35.4": ("Actividad", "PESNR", "Trimestral", 2, (2, 2, 2, 2), 0, 0.0, 0.0),
}


@pytest.fixture(scope="module")
def out(tmp_path_factory) -> Path:
    target = tmp_path_factory.mktemp("exports")
    run(sorted(EXPORTS.glob("*.txt")), target)
    return target


def table(out: Path, name: str) -> pd.DataFrame:
    return pd.read_parquet(out / name)


def doc_id(out: Path, file_name: str) -> str:
    docs = table(out, "documents").set_index("file_name")
    assert docs.loc[file_name, "status"] == "ok"
    assert docs.loc[file_name, "text_source"] == "ocr_text"
    return docs.loc[file_name, "doc_id"]


def test_every_goal_row_of_the_poa_export(out):
    goals = table(out, "goals")
    goals = goals[goals.doc_id == doc_id(out, POA_EXPORT)]
    # counted by hand: M.100 + 101-105, M.200 + 201-207, M.300 + 301-311, M.400 + 401-406
    assert len(goals) == 33
    expected = {"M.100", "M.200", "M.300", "M.400"} | {str(c) for c in
                list(range(101, 106)) + list(range(201, 208)) + list(range(301, 312)) + list(range(401, 407))}
    assert set(goals.goal_code) == expected


def test_every_table_the_poa_export_holds(out):
    d = doc_id(out, POA_EXPORT)
    sections = table(out, "sections")
    families = sections[sections.doc_id == d].family.value_counts().to_dict()
    assert families == {"poa_avance": 4, "indicator_sheet": 3, "indicator_report": 3}
    for name in ("action_lines", "goal_periods", "signatories", "indicators", "indicator_variables",
                 "indicator_baselines", "indicator_values"):
        t = table(out, name)
        assert (t.doc_id == d).any(), name


@pytest.mark.parametrize("code", sorted(CHECKED_GOALS))
def test_checked_goal(out, code):
    unit, annual, programmed, achieved, absolute, relative = CHECKED_GOALS[code]
    d = doc_id(out, POA_EXPORT)
    goal = table(out, "goals").query("doc_id == @d and goal_code == @code").iloc[0]
    periods = table(out, "goal_periods").query("doc_id == @d and goal_code == @code").sort_values("period")
    assert goal.unit == unit
    assert (goal.annual_target, goal.absolute_progress, goal.relative_progress) == (annual, absolute, relative)
    assert tuple(periods.programmed) == programmed
    assert periods.achieved.iloc[0] == achieved and periods.achieved.iloc[1:].isna().all()


def test_collapsed_row_is_flagged_as_realigned(out):
    d = doc_id(out, POA_EXPORT)
    flags = table(out, "flags").query("doc_id == @d")
    assert ((flags.rule == "column_realigned") & (flags.row_key == "M.300")).any()
    assert ((flags.table == "goals") & (flags.field == "unit") & (flags.raw_value == "BECCAS")).any()


def test_shifted_header_labels_are_put_right(out):
    d = doc_id(out, POA_EXPORT)
    poa = table(out, "sections").query("doc_id == @d and family == 'poa_avance'")
    assert set(poa.funcion_code) == {"6"} and set(poa.subfuncion_code) == {"9"}
    assert set(poa.admin_class_code) == {"3121"}
    assert (table(out, "flags").query("doc_id == @d").rule == "catalog_match").any()


def test_signatory_read_three_ways_gets_one_spelling(out):
    d = doc_id(out, POA_EXPORT)
    names = set(table(out, "signatories").query("doc_id == @d").name)
    helgas = {n for n in names if "CASANOVA" in n.upper()}
    assert len(helgas) == 1, helgas


def test_every_mir_row_across_all_pages(out):
    d = doc_id(out, MIR_EXPORT)
    rows = table(out, "mir_rows").query("doc_id == @d")
    # counted by hand: one row per Fin/Propósito/Componente/Actividad line, 17 pages
    assert len(rows) == 96 and rows.objective_code.is_unique
    section = table(out, "sections").query("doc_id == @d").iloc[0]
    assert section.agency == "SECRETARÍA MUNICIPAL DE BIENESTAR"
    assert section.axis == "EJE 4. PROSPERIDAD COMPARTIDA Y JUSTICIA SOCIAL"
    assert section.quarter == 1


@pytest.mark.parametrize("code", sorted(CHECKED_MIR))
def test_checked_mir_row(out, code):
    level, acronym, frequency, annual, targets, achieved, pct, pct_cum = CHECKED_MIR[code]
    d = doc_id(out, MIR_EXPORT)
    row = table(out, "mir_rows").query("doc_id == @d and objective_code == @code").iloc[0]
    periods = table(out, "mir_periods").query("doc_id == @d and objective_code == @code").sort_values("period")
    assert (row.level, row.indicator_acronym, row.frequency) == (level, acronym, frequency)
    assert (row.annual_target, row.achieved, row.pct_period, row.pct_cumulative) == pytest.approx(
        (annual, achieved, pct, pct_cum))
    assert tuple(periods.target) == pytest.approx(targets)


def test_printed_percentages_that_disagree_are_warned(out):
    d = doc_id(out, MIR_EXPORT)
    flags = table(out, "flags").query("doc_id == @d and severity == 'warning'")
    # 20 of 25 is 80%, printed 80.76%; 174 of 81 is 214.81%, printed 219.31%
    assert {("4.1.1.1", "percent_mismatch"), ("4.1.1.1.3.2", "percent_mismatch")} <= set(zip(flags.row_key, flags.rule))
