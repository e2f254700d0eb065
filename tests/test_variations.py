"""The layout-variation generator itself (tests/variations): what it prints matches the truth it writes.

No accuracy floors here: bench/variations.py measures the parsers on these files.
"""
from __future__ import annotations

import json
from pathlib import Path

import pdfplumber
import pypdfium2 as pdfium
import pytest

from avance.evaluate import load_truth
from tests.variations.render import (
    FAMILIES, KIND_FAMILIES, KINDS, ORDINAL, layout_for, load_truth as load_truth_json, render, select_sections,
    truth_path_for,
)
from tests.variations.scan import scan_name, scan_pdf

DIGITAL = Path(__file__).parent / "corpus" / "digital"
SOURCES = {"poa": ("d001_poa_tijuana", None), "mir": ("d011_mir_irapuato", None), "ind": ("d003_ind_tecate", 2)}
SOURCE_FAMILIES = {"poa": ("poa_avance",), "mir": ("mir_avance",), "ind": ("indicator_sheet", "indicator_report")}


@pytest.fixture(scope="module")
def rendered(tmp_path_factory) -> dict[tuple[str, str], Path]:
    """(kind, source) -> rendered PDF, for every kind and every source the kind applies to."""
    out = tmp_path_factory.mktemp("variations")
    made = {}
    for kind in KINDS:
        for name, (stem, n) in SOURCES.items():
            fams = [f for f in SOURCE_FAMILIES[name] if f in KIND_FAMILIES.get(kind, FAMILIES)]
            if not fams:
                continue
            truth = select_sections(load_truth_json(DIGITAL / f"{stem}.truth.json"), fams, n)
            pdf = out / f"{stem}.{kind}.pdf"
            render(truth, kind, pdf, seed=0)
            made[(kind, name)] = pdf
    return made


def page_texts(pdf: Path) -> list[str]:
    doc = pdfium.PdfDocument(str(pdf))
    try:
        return [" ".join(doc[i].get_textpage().get_text_range().split()) for i in range(len(doc))]
    finally:
        doc.close()


def truth_of(pdf: Path) -> dict:
    return json.loads(truth_path_for(pdf).read_text(encoding="utf-8"))


def test_every_kind_renders_every_family_it_applies_to(rendered):
    for kind in KINDS:
        for name in SOURCES:
            fams = [f for f in SOURCE_FAMILIES[name] if f in KIND_FAMILIES.get(kind, FAMILIES)]
            assert ((kind, name) in rendered) == bool(fams), (kind, name)


def test_truth_parses_and_its_pages_are_the_printed_ones(rendered):
    for (kind, name), pdf in rendered.items():
        t = load_truth(str(truth_path_for(pdf)))  # the scorer's own loader
        assert t.file_name == pdf.name and t.variant == "digital"
        n_pages = len(page_texts(pdf))
        secs = t.tables["sections"]
        assert secs, (kind, name)
        starts = [s["page_start"] for s in secs]
        assert starts == sorted(starts) and starts[0] == 1
        for s in secs:
            assert s["section_page_start"] == s["page_start"] <= s["page_end"] <= n_pages
        for table, rows in t.tables.items():
            for r in rows:
                assert r.get("section_page_start", 1) in starts, (kind, table)
                if "page" in r:
                    sec = next(s for s in secs if s["page_start"] == r["section_page_start"])
                    assert sec["page_start"] <= r["page"] <= sec["page_end"]
        for f in t.expected_flags + t.uncertain:
            assert f["section_page_start"] in starts


def test_the_pdf_holds_the_codes_and_texts_the_truth_says(rendered):
    for (kind, name), pdf in rendered.items():
        truth = truth_of(pdf)
        pages = page_texts(pdf)
        t = truth["tables"]
        for g in t.get("goals", []):
            text = pages[g["page"] - 1]
            assert g["goal_code"] in text and g["unit_raw"] in text, (kind, g["goal_code"])
        for a in t.get("action_lines", []):
            sec = pages[a["section_page_start"] - 1]
            assert a["code"] in sec
        for m in t.get("mir_rows", []):
            text = pages[m["page"] - 1]
            assert m["objective_code"] in text and m["indicator_acronym"] in text, (kind, m["objective_code"])
            # the contract stores the justification without the label the cell prints
            assert m["justification"] and not m["justification"].lower().startswith("justificaci")
            assert m["justification"].split()[0] in text
        for i in t.get("indicators", []):
            text = " ".join(pages[i["section_page_start"] - 1:])
            assert i["indicator_code"] in text and i["formula"] in text, (kind, i["indicator_code"])
        for s in t.get("signatories", []):
            assert any(s["name"] in p for p in pages), (kind, s["name"])


def test_no_rules_draws_no_line_and_reference_does(rendered):
    def paths(pdf: Path) -> int:
        with pdfplumber.open(pdf) as doc:
            return sum(len(p.rects) + len(p.lines) for p in doc.pages)

    for name in SOURCES:
        assert paths(rendered[("no_rules", name)]) == 0
        assert paths(rendered[("reference", name)]) > 0


def header_x(pdf: Path, word: str) -> float:
    """x of `word` in the goal table's header (the band around its quarters' label)."""
    with pdfplumber.open(pdf) as doc:
        words = doc.pages[0].extract_words()
    top = next(w["top"] for w in words if w["text"] in ("PERIODO", "PROGRAMADAS"))
    return min(w["x0"] for w in words if w["text"] == word and abs(w["top"] - top) < 25)


def test_column_order_moves_unit_after_the_annual_target_and_observations_before_progress(rendered):
    ref, moved = rendered[("reference", "poa")], rendered[("column_order", "poa")]
    assert header_x(ref, "UNIDAD") < header_x(ref, "META")
    assert header_x(moved, "UNIDAD") > header_x(moved, "META")
    assert header_x(ref, "OBSERVACIONES") > header_x(ref, "ABSOLUTO")
    assert header_x(moved, "OBSERVACIONES") < header_x(moved, "ABSOLUTO")
    # the quarters programmed, then the quarters achieved, each group under its label
    assert header_x(moved, "PROGRAMADAS") < header_x(moved, "ALCANZADAS")
    assert "PERIODO" not in page_texts(moved)[0]


def test_wording_prints_other_headers_and_titles(rendered):
    poa = " ".join(page_texts(rendered[("wording", "poa")]))
    for words in ("META ANUAL PROGRAMADA", "UNIDAD RESPONSABLE", "SEGUIMIENTO DE METAS"):
        assert words in poa
    assert "Ene-Mar" not in poa and "AVANCE PROGRAMÁTICO" not in poa
    assert "Ene-Mar" in " ".join(page_texts(rendered[("reference", "poa")]))
    mir = " ".join(page_texts(rendered[("wording", "mir")]))
    # header cells wrap, so their words are checked one by one
    assert "ADMINISTRATIVA" not in mir and "RESPONSABLE" in mir and "NARRATIVO" in mir and "REALIZADO" in mir
    assert "ADMINISTRATIVA" in " ".join(page_texts(rendered[("reference", "mir")]))


def test_later_quarter_truth_is_consistent(rendered):
    truth = truth_of(rendered[("later_quarter", "poa")])
    t = truth["tables"]
    q = t["sections"][0]["quarter"]
    assert q in (2, 3, 4)
    assert f"{ORDINAL[q]} AVANCE" in page_texts(rendered[("later_quarter", "poa")])[0]
    for g in t["goals"]:
        gps = [p for p in t["goal_periods"] if p["goal_code"] == g["goal_code"]]
        assert all((p["achieved"] is not None) == (p["period"] <= q) for p in gps)
        assert g["absolute_progress"] == pytest.approx(sum(p["achieved"] for p in gps if p["period"] <= q))
        if g["annual_target"]:
            assert g["relative_progress"] == pytest.approx(g["absolute_progress"] / g["annual_target"] * 100, abs=0.006)
    assert not [f for f in truth["expected_flags"] if f["field"] in ("absolute_progress", "relative_progress")]
    mir = truth_of(rendered[("later_quarter", "mir")])["tables"]
    q = mir["sections"][0]["quarter"]
    targets = {(p["objective_code"], p["period"]): p["target"] for p in mir["mir_periods"]}
    for m in mir["mir_rows"]:
        tq = targets[(m["objective_code"], q)]
        if tq:
            assert m["pct_period"] == pytest.approx(m["achieved"] / tq * 100, abs=0.006)
    ind = truth_of(rendered[("later_quarter", "ind")])["tables"]
    filled = {v["period"] for v in ind["indicator_values"] if v["value"] is not None}
    assert len(filled) > 1


def test_fonts_paper_changes_font_paper_footer_and_number_format(rendered):
    pdf = rendered[("fonts_paper", "poa")]
    with pdfplumber.open(pdf) as doc:
        page = doc.pages[0]
        fonts = {c["fontname"] for c in page.chars}
        lay = layout_for("fonts_paper", 0)
        if lay.paper == "legal":
            assert max(page.width, page.height) == 1008
        else:
            assert (page.width, page.height) == (792, 612)  # letter, landscape
    assert fonts and all(f.startswith(("Times", "Courier")) for f in fonts)
    with pdfplumber.open(rendered[("fonts_paper", "ind")]) as doc, pdfplumber.open(rendered[("reference", "ind")]) as ref:
        assert (doc.pages[0].width, doc.pages[0].height) != (ref.pages[0].width, ref.pages[0].height)
    text = page_texts(pdf)[0]
    assert "Página 1 de" in text
    big = [g for g in truth_of(pdf)["tables"]["goals"] if g["annual_target"] >= 1000]
    assert big and all(str(int(g["annual_target"])) in text for g in big)  # no thousands separator
    assert "100.00%" in text


def test_two_column_sheet_puts_label_value_pairs_side_by_side(rendered):
    with pdfplumber.open(rendered[("two_column_sheet", "ind")]) as doc:
        page = doc.pages[0]
        labels = [w for w in page.extract_words() if w["text"].endswith(":")]
        mid = page.width / 2
    left = {round(w["top"]) for w in labels if w["x1"] < mid}
    right = {round(w["top"]) for w in labels if w["x0"] > mid}
    assert left & right  # some line holds a label in each column


def test_boxed_header_draws_boxes_around_header_labels(rendered):
    def boxed(pdf: Path, word: str) -> bool:
        with pdfplumber.open(pdf) as doc:
            page = doc.pages[0]
            w = next(w for w in page.extract_words() if w["text"] == word)
            return any(r["x0"] <= w["x0"] and r["x1"] >= w["x1"] and r["top"] <= w["top"] and r["bottom"] >= w["bottom"]
                       for r in page.rects)

    assert boxed(rendered[("boxed_header", "poa")], "RAMO:")
    assert not boxed(rendered[("reference", "poa")], "RAMO:")


def test_continued_pages_break_tables_without_printing_their_header_again(rendered):
    for name, label in (("poa", "PERIODO"), ("mir", "OBJETIVOS")):
        texts = page_texts(rendered[("continued_pages", name)])
        assert len(texts) >= 2 and label in texts[0], name
        assert not any(label in t for t in texts[1:]), name
    # the reference layout prints the MIR table's header again on the pages it runs to
    assert sum("OBJETIVOS" in t for t in page_texts(rendered[("reference", "mir")])) >= 2


def test_code_column_prints_goal_codes_apart_from_descriptions(rendered):
    pdf = rendered[("code_column", "poa")]
    goals = truth_of(pdf)["tables"]["goals"]
    with pdfplumber.open(pdf) as doc:
        words = [w for page in doc.pages for w in page.extract_words()]
    for goal in goals:
        code = next(w for w in words if w["text"] == goal["goal_code"])
        first = (goal["description"] or "").split()[0]
        # the description starts in a column of its own, right of the code, without it
        assert any(w["text"] == first and w["x0"] > code["x1"] + 4 for w in words), goal["goal_code"]
    text = " ".join(page_texts(pdf))
    assert not any(f"{g['goal_code']}- " in text for g in goals)


def test_rendering_is_deterministic(rendered, tmp_path):
    src = rendered[("later_quarter", "poa")]
    truth = select_sections(load_truth_json(DIGITAL / "d001_poa_tijuana.truth.json"), ("poa_avance",))
    again = render(truth, "later_quarter", tmp_path / src.name, seed=0)
    assert again["tables"] == truth_of(src)["tables"]


def test_scan_is_image_only_and_keeps_the_truth(rendered, tmp_path):
    src = rendered[("reference", "poa")]
    copy = tmp_path / src.name
    copy.write_bytes(src.read_bytes())
    truth_path_for(copy).write_text(truth_path_for(src).read_text(encoding="utf-8"), encoding="utf-8")
    scanned = scan_pdf(copy, scan_name(copy), seed=1)
    assert [t.strip() for t in page_texts(scanned)] == [""] * len(page_texts(src))
    t = truth_of(scanned)
    assert t["variant"] == "scanned" and t["file_name"] == scanned.name
    assert t["tables"] == truth_of(src)["tables"]
