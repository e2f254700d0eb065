"""Provenance of indicator reports: every captured value points at the printed
figure, and the review page can show the crop of a formula_mismatch cell."""
from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from avance.contract import document_tables
from avance.normalizers.numbers import parse_number
from avance.pipeline.document import process_document
from avance.pipeline.run import run
from avance.review import build_report

from .conftest import DIGITAL

REPORTS = [DIGITAL / "d003_ind_tecate.pdf", DIGITAL / "d009_report_benitojuarez.pdf"]


def _text_in_box(pdf: Path, page: int, box: tuple[float, float, float, float]) -> str:
    """The PDF's own text inside a top-left-origin box (read with pdfium, not the pipeline's reader)."""
    import pypdfium2 as pdfium

    doc = pdfium.PdfDocument(str(pdf))
    try:
        p = doc[page - 1]
        height = p.get_height()
        x0, y0, x1, y1 = box
        text = p.get_textpage().get_text_bounded(left=x0 - 0.5, bottom=height - y1 - 0.5,
                                                 right=x1 + 0.5, top=height - y0 + 0.5)
    finally:
        doc.close()
    return " ".join(text.split())


@pytest.mark.parametrize("pdf", REPORTS, ids=lambda p: p.stem)
def test_every_captured_value_points_at_its_printed_figure(pdf):
    tables = document_tables(process_document(pdf))
    prov = {(r["section_id"], r["row_key"], r["field"]): r for r in tables["provenance"].to_pylist()
            if r["table"] == "indicator_values"}
    rows = [r for r in tables["indicator_values"].to_pylist() if r["value"] is not None]
    assert rows
    for row in rows:
        key = f"{row['variable_key']}|{row['period']}"
        p = prov.get((row["section_id"], key, "value"))
        assert p is not None, f"no provenance for {key} in section {row['section_id']}"
        assert p["x1"] > p["x0"] and p["y1"] > p["y0"]
        printed = _text_in_box(pdf, p["page"], (p["x0"], p["y0"], p["x1"], p["y1"]))
        assert printed == p["raw_text"], (key, printed, p["raw_text"])
        assert parse_number(printed) == pytest.approx(row["value"]), (key, printed, row["value"])


def test_review_shows_the_crop_of_a_formula_mismatch(tmp_path):
    out = tmp_path / "out"
    run(REPORTS[1:], out)
    page = build_report(out)
    block = re.search(r'<script type="application/json" id="flag-data">(.*?)</script>', page, re.S).group(1)
    details = json.loads(block)
    mismatches = [d for d in details.values() if d["rule"] == "formula_mismatch"]
    assert mismatches, "the report's formula_mismatch warning is not on the page"
    for d in mismatches:
        assert d["field"] == "value"
        assert d["crop"] and d["crop"].startswith("data:image/png;base64,")
        assert d["page"] is not None and d["raw_text"]
