"""`avance export OUT --xlsx FILE` / `--csv DIR`: opened back, every table and row is there."""
from __future__ import annotations

import csv
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from avance.cli import main
from avance.contract import SCHEMAS, TABLES
from avance.exports import SPANISH_HEADERS
from avance.pipeline.run import run

CORPUS = Path(__file__).parent / "corpus"


@pytest.fixture(scope="module")
def out(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("xlsx_out")
    run([CORPUS / "digital" / "d001_poa_tijuana.pdf", CORPUS / "digital" / "d004_mir_merida.pdf",
         CORPUS / "exports" / "004_83effe8c90a4f0c8.txt"], out)
    return out


def parquet(out: Path, table: str) -> pd.DataFrame:
    folder = out / table
    return pd.read_parquet(folder) if folder.is_dir() and any(folder.glob("*.parquet")) else pd.DataFrame()


def test_every_table_and_row_is_in_the_workbook(out, tmp_path):
    book_path = tmp_path / "avance.xlsx"
    assert main(["export", str(out), "--xlsx", str(book_path)]) == 0
    book = openpyxl.load_workbook(book_path, read_only=True)
    assert book.sheetnames == list(TABLES)
    for table in TABLES:
        rows = list(book[table].iter_rows(values_only=True))
        header, body = list(rows[0]), rows[1:]
        assert [c for c in header if c in SCHEMAS[table].names] == SCHEMAS[table].names
        expected = parquet(out, table)
        assert len(body) == len(expected), table
        if table in ("documents", "goals", "mir_rows", "goal_periods"):
            keys = [c for c in ("doc_id", "section_id", "goal_code", "objective_code", "period") if c in header]
            got = {tuple(r[header.index(k)] for k in keys) for r in body}
            want = {tuple(v for v in row) for row in expected[keys].itertuples(index=False)}
            assert got == want, table
    goals = list(book["goals"].iter_rows(values_only=True))
    header = goals[0]
    tijuana = [r for r in goals[1:] if r[header.index("goal_code")] == "101"][0]
    assert isinstance(tijuana[header.index("annual_target")], (int, float))  # figures stay numbers


def test_flags_sheet_says_file_and_page(out, tmp_path):
    book_path = tmp_path / "flags.xlsx"
    assert main(["export", str(out), "--xlsx", str(book_path)]) == 0
    rows = list(openpyxl.load_workbook(book_path, read_only=True)["flags"].iter_rows(values_only=True))
    header, body = rows[0], rows[1:]
    assert "page" in header and "file_name" in header
    assert body and all(r[header.index("file_name")] for r in body)
    provenance = parquet(out, "provenance")
    flags = parquet(out, "flags")
    # a flag whose field was read somewhere carries that reading's page
    located = flags.merge(provenance, on=["doc_id", "section_id", "table", "row_key", "field"])
    assert not located.empty
    pages = {(r[header.index("doc_id")], r[header.index("table")], r[header.index("row_key")],
              r[header.index("field")], r[header.index("rule")]): r[header.index("page")] for r in body}
    for row in located.itertuples():
        first = provenance[(provenance.doc_id == row.doc_id) & (provenance.section_id == row.section_id)
                           & (provenance.table == row.table) & (provenance.row_key == row.row_key)
                           & (provenance.field == row.field)].page.min()
        assert pages[(row.doc_id, row.table, row.row_key, row.field, row.rule)] == first
    assert sum(p is not None for p in pages.values()) >= len(pages) * 0.9


def test_spanish_headers_and_csv(out, tmp_path):
    book_path, folder = tmp_path / "es.xlsx", tmp_path / "csv"
    assert main(["export", str(out), "--xlsx", str(book_path), "--csv", str(folder), "--spanish-headers"]) == 0
    header = next(openpyxl.load_workbook(book_path, read_only=True)["goals"].iter_rows(values_only=True))
    assert "meta_anual" in header and "clave_meta" in header and "annual_target" not in header
    assert {p.name for p in folder.glob("*.csv")} == {f"{t}.csv" for t in TABLES}
    for table in TABLES:
        with open(folder / f"{table}.csv", encoding="utf-8-sig", newline="") as fh:
            rows = list(csv.reader(fh))
        assert len(rows) - 1 == len(parquet(out, table)), table
        assert rows[0][0] == SPANISH_HEADERS.get(SCHEMAS[table].names[0], SCHEMAS[table].names[0])


def test_export_needs_a_target(out):
    assert main(["export", str(out)]) == 2
