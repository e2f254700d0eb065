"""The OCR text repair reads free text as Spanish, from the public lexicon (wordfreq's
Spanish list) and the domain catalogs, and flags every repair."""
from __future__ import annotations

import csv
from pathlib import Path

import pytest

from avance.normalizers.lexicon import fold_lower, spanish_lexicon
from avance.normalizers.normalize import normalize_document
from avance.normalizers.text import ocr_cost, repair_text, spanish_vocabulary
from avance.records import Goal, Indicator, SectionInfo, SectionResult, Severity

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def vocab():
    return spanish_vocabulary()


def fixed(text: str, vocab) -> str:
    return repair_text(text, vocab)[0]


# ---------------------------------------------------------------- the lexicon

def test_the_lexicon_is_a_public_spanish_word_list():
    lexicon = spanish_lexicon()
    assert len(lexicon.zipf) > 50_000  # the frequent words alone
    assert lexicon.frequency("porcentaje") > 4 and lexicon.frequency("extensiones") > 3
    assert "georreferenciacion" in lexicon and lexicon.frequency("georreferenciacion") == 0.0  # known, rare
    assert lexicon.spelling("capacitacion") == "capacitación"
    assert "parcentaje" not in lexicon and "extenslones" not in lexicon


def test_ocr_confusions_cost_less_than_other_edits():
    assert ocr_cost("Parcentaje", "porcentaje") == 0.5  # a/o
    assert ocr_cost("extenslones", "extensiones") == 0.5  # l/i
    assert ocr_cost("rnantenimiento", "mantenimiento") == 0.5  # rn/m
    assert ocr_cost("denvado", "derivado") == 0.5  # ri read as n
    assert ocr_cost("pesca", "pasta") == 2.0  # e/a and c/t are not confusions


# ---------------------------------------------------------------- repairs

def test_misread_words_become_spanish_words(vocab):
    assert fixed("Parcentaje de avance", vocab) == "Porcentaje de avance"
    assert fixed("Ampliación de extenslones de red", vocab) == "Ampliación de extensiones de red"
    assert fixed("PARCENTAJE DE EXTENSLONES", vocab) == "PORCENTAJE DE EXTENSIONES"
    assert fixed("rnantenimiento de Iuminarias", vocab) == "mantenimiento de Luminarias"  # the capital I is kept
    assert fixed("Lo anterior, denvado de las jomadas", vocab) == "Lo anterior, derivado de las jornadas"


def test_a_correct_rare_word_is_left_alone(vocab):
    text = "Programa de georreferenciación y bacheo"  # Zipf 1.3 and 2.2: rare, but words
    assert repair_text(text, vocab) == (text, [])


def test_codes_and_figures_are_left_alone(vocab):
    text = "Clave E1P1, meta M.300: PARCENTAJE2 de 2,345.00 (12%)"
    assert repair_text(text, vocab) == (text, [])


def test_proper_names_and_acronyms_are_left_alone(vocab):
    # `Sebien` is one plain edit from the common `sebin`: a name, not a slip
    for text in ("Programa de la Sebien municipal", "SEBIEN MUNICIPAL", "Visita de Tabarez al CONAC"):
        assert repair_text(text, vocab) == (text, [])


def test_accents_are_the_documents(vocab):
    # a word that only lacks an accent is a word; an accent OCR added to a word that has none is not
    assert repair_text("Capacitacion a servidores publicos", vocab) == ("Capacitacion a servidores publicos", [])
    assert fixed("Dirección de Planeación Munícipal", vocab) == "Dirección de Planeación Municipal"
    assert fixed("asistencia socíal", vocab) == "asistencia social"


def test_an_ambiguous_word_is_reported_not_changed(vocab):
    text, repairs = repair_text("espacios disponiblea", vocab)  # disponible and disponibles: one edit each
    assert text == "espacios disponiblea"
    assert repairs[0].value is None and set(repairs[0].candidates) == {"disponible", "disponibles"}


def test_a_short_word_is_repaired_by_ocr_confusions_only(vocab):
    assert fixed("Soaal", vocab) == "Social"  # `ci` run together read as `a`
    # nearest by one plain edit: `alerta`, `vestida`, `centros`; what was printed? (`oferta`, ...)
    for text in ("dlerta de cursos", "gestida por el área", "cantros comunitarios"):  # `centros`, not `contras`
        assert repair_text(text, vocab) == (text, [])


def test_an_opening_mark_the_text_never_closes_is_dropped(vocab):
    assert fixed("Coordinación ¡de Programas para el ¡Bienestar", vocab) == "Coordinación de Programas para el Bienestar"
    assert fixed("un crecimiento “económico y 'vecinal", vocab) == "un crecimiento económico y vecinal"
    for text in ("¡Viva la feria!", "el “programa” de", "la 'meta' anual"):  # closed: printed
        assert repair_text(text, vocab) == (text, [])


def test_words_run_together_are_cut_where_one_cut_only_makes_spanish(vocab):
    assert fixed("RACIONES CALIENTES ENLOS DESAYUNADORES", vocab) == "RACIONES CALIENTES EN LOS DESAYUNADORES"
    assert fixed("CONFORME A LOESTABLECIDO", vocab) == "CONFORME A LO ESTABLECIDO"
    assert fixed("la meta porretraso en la entrega", vocab) == "la meta por retraso en la entrega"
    # a name or an acronym is cut into link words only; words and names are left alone
    for text in ("SEBIEN MUNICIPAL", "Programa de la Sebien municipal", "DELGADO Y DELICIAS", "ALVARADO"):
        assert repair_text(text, vocab) == (text, [])
    assert fixed("Porcentaje de alunmos", vocab) == "Porcentaje de alumnos"  # one word one edit away first


# ---------------------------------------------------------------- in the pipeline: every repair is flagged

def test_a_word_broken_by_a_space_is_joined_where_the_pieces_make_one_word(vocab):
    assert fixed("Porcenta je de avance", vocab) == "Porcentaje de avance"
    assert fixed("Coordinación de Segur idad Pública", vocab) == "Coordinación de Seguridad Pública"
    assert fixed("INSTITUC JONALES A TRAVÉS", vocab) == "INSTITUCIONALES A TRAVÉS"  # then one confusion
    text, repairs = repair_text("Munici pal", vocab)
    assert text == "Municipal" and [(r.raw, r.value) for r in repairs] == [("Munici pal", "Municipal")]
    # two words stay two words; a link word or a letter is never half of one
    for text in ("si no se cumple", "de la meta", "a la población", "Tlaquepaque de Zaragoza",
                 "lievar a cabo", "debido a penado"):
        assert not any(" " in r.raw and r.value and " " not in r.value for r in repair_text(text, vocab)[1]), text


def _section(description: str, indicator_name: str) -> SectionResult:
    goal = Goal(goal_code="101", is_main_goal=False, description=description, unit="INFORME", unit_raw="INFORME",
                annual_target=None, absolute_progress=None, relative_progress=None, pmd_codes=(),
                pmd_codes_raw=None, observations=None, page=1)
    return SectionResult(info=SectionInfo(family="poa_avance", page_start=1, page_end=1), goals=[goal],
                         indicators=[Indicator(kind="sheet", name=indicator_name)])


def test_each_repair_on_a_scan_is_an_info_flag_with_raw_and_new_value():
    out = normalize_document([_section("Ampliación de extenslones", "Parcentaje de metas")], text_source="ocr")[0]
    assert out.goals[0].description == "Ampliación de extensiones"
    assert out.indicators[0].name == "Porcentaje de metas"
    flags = {(f.table, f.field): f for f in out.flags if f.rule == "ocr_repair"}
    goal, indicator = flags[("goals", "description")], flags[("indicators", "name")]
    assert goal.severity is Severity.INFO and goal.row_key == "101"
    assert (goal.raw_value, goal.value) == ("Ampliación de extenslones", "Ampliación de extensiones")
    assert (indicator.raw_value, indicator.value) == ("Parcentaje de metas", "Porcentaje de metas")
    assert "'extenslones' -> 'extensiones'" in goal.message


def test_born_digital_text_is_never_respelled():
    section = _section("Ampliación de extenslones", "Parcentaje de metas")
    out = normalize_document([section], text_source="text_layer")[0]
    assert out.goals[0].description == "Ampliación de extenslones" and not out.flags


# ---------------------------------------------------------------- the catalogs behind it

def _rows(name: str) -> list[dict[str, str]]:
    with open(ROOT / "data" / "catalogs" / name, encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def test_no_catalog_entry_comes_from_the_dev_truth():
    for name in ("vocabulario_dominio.csv", "unidades_medida.csv", "nombres_personas.csv"):
        for row in _rows(name):
            assert "dev_truth" not in row.values(), (name, row)


def test_units_name_a_public_source_and_are_spanish_words():
    lexicon = spanish_lexicon()
    rows = _rows("unidades_medida.csv")
    assert {"PERSONA", "PORCENTAJE", "DOCUMENTO", "INFORME", "SERVICIO", "ACCIÓN", "EVENTO", "OBRA",
            "METRO CUADRADO"} <= {r["unit"] for r in rows}
    for row in rows:
        assert row["source"] in {"poa_count_noun", "coneval_indicadores", "anexo22_ap7"}, row
        assert all(fold_lower(w) in lexicon for w in row["unit"].split() if len(w) > 2), row


def test_a_bar_or_exclamation_mark_read_for_an_l_is_the_l(vocab):
    assert repair_text("Garantizar la atención integra! de las mujeres", vocab)[0] == \
        "Garantizar la atención integral de las mujeres"  # `integra` is a word too: the mark decides
    assert repair_text("Trimestra!", vocab)[0] == "Trimestral"
    assert repair_text("PORCENTAJE ANUA!", vocab)[0] == "PORCENTAJE ANUAL"
    assert repair_text("A|cance de metas", vocab)[0] == "Alcance de metas"
    # an exclamation is left as printed
    assert repair_text("¡Meta alcanzada!", vocab)[0] == "¡Meta alcanzada!"


def test_a_speck_read_as_a_full_stop_is_dropped_where_no_sentence_ends(vocab):
    from avance.normalizers.text import trailing_speck
    assert repair_text("ENTRE MUJERES Y HOMBRES EN EL. QUEHACER GUBERNAMENTAL", vocab)[0] == \
        "ENTRE MUJERES Y HOMBRES EN EL QUEHACER GUBERNAMENTAL"
    assert repair_text("Se logró el 50%. El resto queda", vocab)[0] == "Se logró el 50%. El resto queda"
    # a catalog's name ends with no stop; an abbreviation keeps its own
    assert trailing_speck("PROTECCION SOCIAL .", vocab)[0] == "PROTECCION SOCIAL"
    assert trailing_speck("C. ADMVA.", vocab)[0] == "C. ADMVA."
    assert trailing_speck("MEXICALI B.C.", vocab)[0] == "MEXICALI B.C."
    # a lone dash or star a space after a name, whatever the name
    assert trailing_speck("GOBIERNO DE TECATE -", vocab)[0] == "GOBIERNO DE TECATE"
    assert trailing_speck("SERVICIOS - ADMINISTRATIVOS", vocab)[0] == "SERVICIOS - ADMINISTRATIVOS"
