from __future__ import annotations

import filecmp
from pathlib import Path

from avance.normalizers import catalogs
from avance.normalizers.keys import key_distance, match_key, related_sheet
from avance.normalizers.names import reconcile, same_person
from avance.normalizers.normalize import clean_unit, match_unit, normalize_document
from avance.normalizers.text import Vocabulary, inflection_of, repair_text
from avance.records import (
    ActionLine, Goal, Indicator, IndicatorValue, IndicatorVariable, SectionInfo, SectionResult, Signatory,
)

ROOT = Path(__file__).resolve().parents[1]


# ---------------------------------------------------------------- catalogs

def test_packaged_catalogs_are_the_project_catalogs():
    project = ROOT / "data" / "catalogs"
    packaged = ROOT / "avance" / "data" / "catalogs"
    names = sorted(p.name for p in project.glob("*.csv"))
    assert names and names == sorted(p.name for p in packaged.glob("*.csv"))
    for name in names:
        assert filecmp.cmp(project / name, packaged / name, shallow=False), name


def test_catalogs_load():
    assert catalogs.functional_classification()["2.6"] == ("funcion", "Protección Social")
    assert len(catalogs.functional_classification()) == 143
    assert "3.1.2.1" in catalogs.administrative_classification()
    assert "BECAS" in catalogs.units_of_measure()
    assert catalogs.domain_words()["AYUNTAMIENTO"] == "AYUNTAMIENTO"


# ---------------------------------------------------------------- words

VOCAB = Vocabulary({catalogs.fold(w): w for w in ["AYUNTAMIENTO", "JEFATURA", "MAYORITARIA", "BECAS", "ADULTOS",
                                                  "DIRECCIÓN", "DETECCIÓN", "CASA", "CAMA"]})


def test_ocr_words_repaired_from_the_vocabulary():
    text, repairs = repair_text("25 AVUNTAMIENTO DE MEXICALI, JEFAATURA, ESTATAL MAJORITARIA, BECCAS", VOCAB)
    assert text == "25 AYUNTAMIENTO DE MEXICALI, JEFATURA, ESTATAL MAYORITARIA, BECAS"
    assert [r.raw for r in repairs] == ["AVUNTAMIENTO", "JEFAATURA", "MAJORITARIA", "BECCAS"]


def test_known_words_and_their_inflections_are_never_changed():
    assert repair_text("ADULTAS ADULTO Ayuntamiento", VOCAB) == ("ADULTAS ADULTO Ayuntamiento", [])
    assert inflection_of("NACIONALES", "NACIONAL") and inflection_of("PUBLICA", "PUBLICO")
    assert not inflection_of("MARZO", "MARCO")


def test_no_accent_added_to_a_known_word():
    assert repair_text("DIRECCION", VOCAB)[0] == "DIRECCION"


def test_ambiguous_match_is_reported_not_applied():
    vocab = Vocabulary({"DIRECCION": "DIRECCIÓN", "DETECCION": "DETECCIÓN"})
    text, repairs = repair_text("DIREECION", vocab)  # 1 edit from DIRECCION only
    assert text == "DIRECCIÓN"
    vocab = Vocabulary({"PESCA": "PESCA", "PASTA": "PASTA"})
    text, repairs = repair_text("PESTA", vocab)  # 1 edit from both
    assert text == "PESTA" and repairs[0].value is None and len(repairs[0].candidates) == 2


def test_case_of_the_word_read_is_kept():
    assert repair_text("Jefaatura", VOCAB)[0] == "Jefatura"


def test_units():
    assert clean_unit("- CAMPAÑA") == "CAMPAÑA"
    assert clean_unit("ACTIVIDAD :") == "ACTIVIDAD"
    assert clean_unit("ACCIÓN o DE DIFUSIÓN") == "ACCIÓN DE DIFUSIÓN"
    # a catalog count noun with an agreeing participle is a unit
    assert match_unit("SERVICIOS OTORGADOZ", __import__("collections").Counter())[0] == "SERVICIOS OTORGADOS"
    # a unit the catalog lacks is matched to the document's units read at least twice
    document_units = __import__("collections").Counter({"PADRON ACTUALIZADO": 2})
    assert match_unit("PADRON ACTUALIZADZ", document_units)[0] == "PADRON ACTUALIZADO"
    assert match_unit("PADRON ACTUALIZADZ", __import__("collections").Counter())[0] is None
    assert match_unit("INFORMES", __import__("collections").Counter()) == (None, ())


# ---------------------------------------------------------------- keys

def test_keys_repaired_to_the_sheet():
    assert match_key("T50", {"TSM", "TSO", "PSPM"})[0] == "TSO"
    assert match_key("TSD", {"TSM", "TSO", "PSPM"})[0] == "TSO"
    assert match_key("PPFA", {"PPRA", "PAA", "PAI"})[0] == "PPRA"
    assert match_key("TSO", {"TSM", "TSO"}) == (None, ())
    assert match_key("T50", {"TSO"}, taken={"TSO", "T50"})[0] is None  # both are read: two variables
    assert key_distance("T50", "TSO") == 1.0


def test_ambiguous_key_is_not_applied():
    target, cands = match_key("TSX", {"TSA", "TSB"})
    assert target is None and set(cands) == {"TSA", "TSB"}


def test_report_finds_its_sheet():
    sheets = [(0, "A-1", frozenset({"TSM", "TSO"})), (2, None, frozenset({"PAA", "PAI", "PPRA"}))]
    assert related_sheet(3, None, ["PPFA", "PAA", "PAI"], sheets) == 2
    assert related_sheet(3, "A-1", ["X"], sheets) == 0
    assert related_sheet(3, None, ["XYZ"], sheets) is None


# ---------------------------------------------------------------- names

READINGS = ["HELGA LUANA CASANOVA LÓPEZ", "HELGA LUANA CASANOVA LÓPEZ", "HELGA ILLANA CASANOVVA LOPEZ",
            "HEIGA ILIANA CASANOVA LOPEZ", "HELGA LILIANA CASANOVA LÓPEZ", "HELGA LILIANA CASANOVA LÓPEZ",
            "HELGA ILIANA CASANOVA LÓPEZ", "JULIO CÉSAR ALDACO SÁNCHEZ", "JUDIO CESAR ALDACO SANCHEZ"]


def test_one_person_one_spelling():
    changes = {c.index: c.value for c in reconcile(READINGS)}
    assert {catalogs.fold(v) for i, v in changes.items() if i < 7} == {"HELGA ILIANA CASANOVA LOPEZ"}
    assert changes[8] == "JULIO CÉSAR ALDACO SÁNCHEZ"  # one spelling per person, accents included
    assert 6 not in changes and 7 not in changes


def test_different_people_sharing_words_stay_apart():
    assert not same_person("SERGIO GÓMEZ ALDACO", "SERGIO GÓMEZ BELTRÁN")
    assert not same_person("ADRIANA CHÁVEZ DÍAZ", "ADRIANA CHÁVEZ CRUZ")
    assert not same_person("ROSA ELENA JUÁREZ AGUILAR", "ROSA ELENA RAMÍREZ PÉREZ")
    assert reconcile(["SERGIO GÓMEZ ALDACO", "SERGIO GÓMEZ BELTRÁN"]) == []


# ---------------------------------------------------------------- the document

def _goal(code, raw, codes=(), unit="INFORME"):
    return Goal(goal_code=code, is_main_goal=False, description=None, unit=unit, unit_raw=unit,
                annual_target=None, absolute_progress=None, relative_progress=None, pmd_codes=tuple(codes),
                pmd_codes_raw=raw, observations=None, page=1)


def _document():
    poa = SectionResult(
        info=SectionInfo(family="poa_avance", page_start=1, page_end=1,
                         unidad_name="JEFAATURA DEL DEPARTAMENTO OPERATIVO"),
        action_lines=[ActionLine(c, None) for c in ("4.1.5", "4.1.6", "4.5", "4.5.3")],
        goals=[_goal("101", "4.1,5,4.1,6", ("4.1.5", "4.1.6")), _goal("102", "4.5.4.5.3", ("4.5", "4.5.3"), "BECCAS")],
        signatories=[Signatory("autorizo", "HELGA LUANA CASANOVA LÓPEZ", "LIC.", "DIRECTORA")],
    )
    sheet = SectionResult(
        info=SectionInfo(family="indicator_sheet", page_start=2, page_end=2),
        indicators=[Indicator(kind="sheet", formula="PSPM = (TSM / TSO) * 100")],
        indicator_variables=[IndicatorVariable(k, None, None, None) for k in ("TSM", "TSO", "PSPM")],
        signatories=[Signatory("autorizo", "HELGA ILIANA CASANOVA LÓPEZ", None, None)],
    )
    report = SectionResult(
        info=SectionInfo(family="indicator_report", page_start=3, page_end=3),
        indicators=[Indicator(kind="report", formula="PSPM = (TSM / T50) * 100")],
        indicator_values=[IndicatorValue("TSM", 1, 931.0), IndicatorValue("T50", 1, 2817.0)],
        signatories=[Signatory("autorizo", "HEIGA ILIANA CASANOVA LOPEZ", None, None)],
    )
    return [poa, sheet, report]


def test_normalize_document_on_ocr():
    sections = _document()
    out = normalize_document(sections, text_source="ocr_text")
    poa, sheet, report = out
    assert poa.info.unidad_name == "JEFATURA DEL DEPARTAMENTO OPERATIVO"
    assert poa.goals[1].unit == "BECAS" and poa.goals[1].unit_raw == "BECCAS"
    assert report.indicators[0].formula == "PSPM = (TSM / TSO) * 100"
    assert [v.variable_key for v in report.indicator_values] == ["TSM", "TSO"]
    assert poa.signatories[0].name == "HELGA ILIANA CASANOVA LÓPEZ"
    assert report.signatories[0].name == "HELGA ILIANA CASANOVA LÓPEZ"
    rules = {(f.table, f.rule) for s in out for f in s.flags}
    assert {("goals", "code_segmentation"), ("sections", "ocr_repair"), ("goals", "catalog_match"),
            ("indicator_variables", "catalog_match"), ("signatories", "name_reconciliation")} <= rules
    for s in out:
        for f in s.flags:
            assert f.severity.value == "info" and f.message.endswith(".") and f.raw_value != f.value
    # pure: the input is untouched
    assert sections[0].info.unidad_name.startswith("JEFAATURA") and sections[2].indicator_values[1].variable_key == "T50"
    assert all(not s.flags for s in sections)


def test_normalize_document_respells_nothing_on_a_text_layer():
    out = normalize_document(_document(), text_source="text_layer")
    poa, sheet, report = out
    assert poa.info.unidad_name.startswith("JEFAATURA") and poa.goals[1].unit == "BECCAS"
    assert report.indicator_values[1].variable_key == "T50"
    assert {f.rule for s in out for f in s.flags} == {"code_segmentation"}
    assert normalize_document([], text_source="ocr") == []


def test_formula_glyphs_read_as_a_formulas():
    from avance.normalizers.formula import repair_formula

    assert repair_formula('A/B"100') == ("A/B*100", ["a quote between two terms is the multiplication sign"])
    assert repair_formula("A/8*100")[0] == "A/B*100"
    assert repair_formula('(NA/NP)"100')[0] == "(NA/NP)*100"
    # printed divisors, a sentence with quotes, a formula as printed: unchanged
    for text in ("A/2*100", "A/B*100", 'Número de "alumnos" atendidos', 'Alumnos atendidos/alumnos "inscritos"',
                 "PMAV = (MAV / MSA) * 100"):
        assert repair_formula(text) == (text, [])
