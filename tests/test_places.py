"""Places: the state each section prints and INEGI's codes from the bundled AGEEML catalog."""
from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from avance.normalizers import catalogs
from avance.normalizers.places import place_document, place_section
from avance.pipeline.run import run
from avance.records import SectionInfo, SectionResult

CORPUS = Path(__file__).parent / "corpus"
DEV = Path(__file__).parents[1].parent / "shared" / "corpus" / "dev"

# INEGI Marco Geoestadístico keys (state + municipality) of the corpus's municipalities,
# as INEGI publishes them (independent of the bundled CSV, which the test checks).
INEGI = {
    "Tijuana": "02004", "Zapopan": "14120", "Tecate": "02003", "Mérida": "31050",
    "Mexicali": "02002", "Cajeme": "26018", "Othón P. Blanco": "23004", "Solidaridad": "23008",
    "Benito Juárez": "23005", "San Pedro Tlaquepaque": "14098", "Irapuato": "11017", "Ensenada": "02001",
}


def truth_municipalities() -> set[str]:
    folders = [CORPUS / "digital", CORPUS / "scanned"] + ([DEV] if DEV.is_dir() else [])
    names = set()
    for folder in folders:
        for f in folder.glob("*.truth.json"):
            for s in json.loads(f.read_text())["tables"].get("sections", []):
                if s.get("municipality"):
                    names.add(s["municipality"])
    return names


def test_catalog_holds_every_municipality_of_mexico():
    municipalities = catalogs.inegi_municipalities()
    assert len(municipalities) == 2478
    assert len({(s, m) for s, m, _ in municipalities}) == 2478
    by_state = pd.Series([s for s, _, _ in municipalities]).value_counts()
    assert len(by_state) == 32 and by_state["20"] == 570 and by_state["14"] == 125 and by_state["09"] == 16
    assert len(catalogs.inegi_states()) == 32


def test_expected_codes_cover_the_corpus():
    assert truth_municipalities() <= set(INEGI)


@pytest.fixture(scope="module")
def corpus_out(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("places")
    inputs = sorted((CORPUS / "digital").glob("*.pdf")) + sorted((CORPUS / "exports").glob("*.txt"))
    run(inputs, out)
    return out


def test_inegi_codes_of_every_corpus_and_seed_municipality(corpus_out):
    sections = pd.read_parquet(corpus_out / "sections")
    named = sections[sections.municipality.notna()]
    assert set(named.municipality) >= truth_municipalities() - {None}
    seeds = pd.read_parquet(corpus_out / "documents")
    seed_ids = set(seeds[seeds.file_name.str.endswith(".txt")].doc_id)
    assert seed_ids & set(named.doc_id), "the seed exports name their municipalities"
    for row in named.itertuples():
        assert (row.state_code or "") + (row.municipality_code or "") == INEGI[row.municipality], row
        assert row.state, row
    flags = pd.read_parquet(corpus_out / "flags")
    matched = flags[(flags.field == "municipality_code") & (flags.rule == "catalog_match")]
    assert len(matched) == len(named) and set(matched.severity) == {"info"}


def test_the_state_beside_the_municipality_decides():
    info = SectionInfo(family="mir_avance", page_start=1, page_end=1, municipality="Benito Juárez")
    placed, flags = place_section(info, ["EJE 4. PROSPERIDAD", "MUNICIPIO DE BENITO JUÁREZ, Q. ROO."])
    assert (placed.state_code, placed.municipality_code) == ("23", "005")
    placed, _ = place_section(info, ["H. AYUNTAMIENTO DE BENITO JUÁREZ, ZACATECAS"])
    assert (placed.state, placed.state_code, placed.municipality_code) == ("ZACATECAS", "32", "004")
    placed, _ = place_section(replace_government(info, "GOBIERNO DEL ESTADO DE SONORA"), [])
    assert (placed.state_code, placed.municipality_code) == ("26", "071")


def replace_government(info: SectionInfo, government: str) -> SectionInfo:
    from dataclasses import replace
    return replace(info, government=government)


def test_an_ambiguous_name_without_a_state_gets_no_code():
    info = SectionInfo(family="indicator_report", page_start=1, page_end=2,
                       government="GOBIERNO DE BENITO JUÁREZ", municipality="Benito Juárez")
    placed, flags = place_section(info, ["REPORTE DE INDICADOR 2026", "GOBIERNO DE BENITO JUÁREZ"])
    assert placed.state is None and placed.state_code is None and placed.municipality_code is None
    assert [f.rule for f in flags] == ["ambiguous_match"]
    assert "23005" in flags[0].message and "09014" in flags[0].message  # the candidates are listed


def test_a_name_not_in_the_printed_state_is_ambiguous_not_guessed():
    info = SectionInfo(family="poa_avance", page_start=1, page_end=1,
                       government="GOBIERNO DE JALISCO", municipality="Mérida")
    placed, flags = place_section(info, [])
    assert placed.state_code == "14" and placed.municipality_code is None
    assert flags[0].rule == "ambiguous_match"


def test_a_section_without_a_state_takes_the_one_its_document_prints():
    named = SectionResult(info=SectionInfo(family="mir_avance", page_start=1, page_end=1, municipality="Benito Juárez"))
    bare = SectionResult(info=SectionInfo(family="mir_avance", page_start=2, page_end=2, municipality="Benito Juárez"))
    placed = place_document([named, bare], [["MUNICIPIO DE BENITO JUÁREZ, Q. R."], ["ALINEACIÓN"]])
    assert [s.info.municipality_code for s in placed] == ["005", "005"]
    assert any(f.field == "state" and f.rule == "catalog_match" for f in placed[1].flags)


def test_an_ocr_slip_in_the_name_matches_only_when_unique():
    info = SectionInfo(family="poa_avance", page_start=1, page_end=1, municipality="Tijuamna",
                       government="GOBIERNO DE BAJA CALIFORNIA")
    placed, flags = place_section(info, [])
    assert (placed.state_code, placed.municipality_code) == ("02", "004")
    assert "nearest catalog name" in flags[0].message


def test_a_word_after_a_comma_is_no_state_abbreviation():
    info = SectionInfo(family="poa_avance", page_start=1, page_end=1, municipality="Tijuana",
                       government="GOBIERNO DE BAJA CALIFORNIA")
    placed, flags = place_section(info, ["Tijuana, Campaña de vacunación", "Tijuana, sin fecha"])
    assert (placed.state, placed.state_code, placed.municipality_code) == ("BAJA CALIFORNIA", "02", "004")
