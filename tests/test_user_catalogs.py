"""The user's own catalogs (`--catalog`): a PMD repairs action-line codes an OCR misread;
units are matched on top of the bundled catalog; the kind comes from the header row."""
from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from avance.cli import main
from avance.normalizers.catalogs import catalog_kind, load_user_catalogs, read_user_catalog
from avance.normalizers.user_catalogs import match_user_catalogs
from avance.records import ActionLine, Goal, SectionInfo, SectionResult

EXPORT = Path(__file__).parent / "corpus" / "exports" / "000_a4fe13dad60e137b.txt"

# The municipality's PMD as its officer would keep it (a spreadsheet saved as CSV with `;`).
PMD = """clave;descripción
4;GOBIERNO EFICAZ Y TRANSPARENTE
4.1;CAPACIDAD INSTITUCIONAL
4.1.3;REDISEÑO DE PROCESOS ADMINISTRATIVOS Y TÉCNICOS CLAVES
4.1.5;PROMOCIÓN DE UNA CULTURA DE INTEGRIDAD, SERVICIO Y RESULTADOS EN LOS SERVIDORES PÚBLICOS
4.1.6;MEJORAMIENTO DE LA COMUNICACIÓN INTERNA Y TRANSVERSALIDAD INSTITUCIONAL
4.2.2;GESTIÓN PÚBLICA PARTICIPATIVA
4.2.3;IMPULSO A MECANISMOS DE CONVERSACIÓN Y CORRESPONSABILIDAD CIUDADANA EN PROYECTOS
4.2.5;COMUNICACIÓN SOCIAL ORIENTADA A DEMANDAS CIUDADANAS
4.2.6;USO DE PLATAFORMAS DIGITALES PARA LA PARTICIPACIÓN CIUDADANA
"""


@pytest.fixture()
def misread_export(tmp_path) -> Path:
    """The real OCR export with one action-line code misread the way OCR misreads a 6 (as 8),
    in the header list and in a goal's PMD cell."""
    text = EXPORT.read_text(encoding="utf-8")
    assert "\n4.2.6 USO DE PLATAFORMAS" in text and "4.2.5 4.2,6\t103.-" in text
    text = text.replace("\n4.2.6 USO DE PLATAFORMAS", "\n4.2.8 USO DE PLATAFORMAS")
    text = text.replace("4.2.5 4.2,6\t103.-", "4.2.5 4.2,8\t103.-")
    path = tmp_path / "in" / "export.txt"
    path.parent.mkdir()
    path.write_text(text, encoding="utf-8")
    return path


def _first_section(out: Path, table: str) -> pd.DataFrame:
    df = pd.read_parquet(out / table)
    return df[df.section_id == 1]


def test_a_user_pmd_repairs_action_line_codes_an_ocr_misread(tmp_path, misread_export):
    pmd = tmp_path / "pmd.csv"
    pmd.write_text(PMD, encoding="utf-8")
    without, with_pmd = tmp_path / "without", tmp_path / "with"
    assert main(["extract", str(misread_export), "--out", str(without), "--quiet", "--workers", "1"]) == 0
    assert main(["extract", str(misread_export), "--out", str(with_pmd), "--quiet", "--workers", "1",
                 "--catalog", str(pmd)]) == 0

    before = set(_first_section(without, "action_lines").code)
    after = set(_first_section(with_pmd, "action_lines").code)
    assert "4.2.8" in before and "4.2.6" not in before
    assert "4.2.6" in after and "4.2.8" not in after
    goal = _first_section(with_pmd, "goals").set_index("goal_code").loc["103"]
    assert "4.2.6" in list(goal.pmd_codes) and "4.2.8" not in list(goal.pmd_codes)

    flags = pd.read_parquet(with_pmd / "flags")
    repair = flags[(flags.table == "action_lines") & (flags.raw_value == "4.2.8")]
    assert list(repair.rule) == ["catalog_match"] and list(repair.value) == ["4.2.6"]
    assert set(repair.severity) == {"info"}
    matched = flags[(flags.table == "action_lines") & (flags.rule == "catalog_match")]
    assert {"4.1", "4.1.3", "4.2.2"} <= set(matched.row_key)  # every match is a flag
    assert len(flags[(flags.table == "goals") & (flags.field == "pmd_codes") & (flags.rule == "catalog_match")]) == 1


def test_born_digital_codes_are_never_rewritten():
    section = SectionResult(info=SectionInfo(family="poa_avance", page_start=1, page_end=1),
                            action_lines=[ActionLine("4.2.8", "USO DE PLATAFORMAS DIGITALES PARA LA PARTICIPACIÓN CIUDADANA")])
    from avance.normalizers.catalogs import PmdLine, UserCatalogs
    user = UserCatalogs(pmd=(PmdLine("4.2.6", "USO DE PLATAFORMAS DIGITALES PARA LA PARTICIPACIÓN CIUDADANA", "pmd.csv"),))
    [out] = match_user_catalogs([section], user, "text_layer")
    assert out.action_lines[0].code == "4.2.8"
    assert [f.rule for f in out.flags] == ["ambiguous_match"]


def test_two_equally_good_lines_are_ambiguous_not_guessed():
    from avance.normalizers.catalogs import PmdLine, UserCatalogs
    user = UserCatalogs(pmd=(PmdLine("1.1.1", "ATENCIÓN INTEGRAL A LAS INFANCIAS", "a.csv"),
                             PmdLine("2.1.1", "ATENCIÓN INTEGRAL A LAS INFANCIAS", "a.csv")))
    section = SectionResult(info=SectionInfo(family="poa_avance", page_start=1, page_end=1),
                            action_lines=[ActionLine("9.1.1", "ATENCIÓN INTEGRAL A LAS INFANCIAS")])
    [out] = match_user_catalogs([section], user, "ocr")
    assert out.action_lines[0].code == "9.1.1"
    assert [f.rule for f in out.flags] == ["ambiguous_match"]


def test_user_units_match_and_repair_on_ocr(tmp_path):
    units = tmp_path / "unidades.csv"
    units.write_text("unidad_de_medida,fuente\nTALLER IMPARTIDO,CONAC\nVISITA DOMICILIARIA,municipio\n",
                     encoding="utf-8")
    user = load_user_catalogs([str(units)])
    goal = Goal("101", False, "d", "VISITA DOMICILARIA", "VISITA DOMICILARIA", 1.0, 1.0, 100.0, (), None, None, 1)
    exact = Goal("102", False, "d", "TALLER IMPARTIDO", "TALLER IMPARTIDO", 1.0, 1.0, 100.0, (), None, None, 1)
    section = SectionResult(info=SectionInfo(family="poa_avance", page_start=1, page_end=1), goals=[goal, exact])
    [out] = match_user_catalogs([section], user, "ocr")
    assert [g.unit for g in out.goals] == ["VISITA DOMICILIARIA", "TALLER IMPARTIDO"]
    assert [(f.row_key, f.rule) for f in out.flags] == [("101", "catalog_match"), ("102", "catalog_match")]
    [digital] = match_user_catalogs([section], user, "text_layer")
    assert [g.unit for g in digital.goals] == ["VISITA DOMICILARIA", "TALLER IMPARTIDO"]  # printed text stays


def test_the_header_row_says_the_kind(tmp_path):
    assert catalog_kind(["code", "description"]) == "pmd"
    assert catalog_kind(["Clave", "Línea de acción"]) == "pmd"
    assert catalog_kind(["unit"]) == "units"
    with pytest.raises(ValueError):
        catalog_kind(["foo", "bar"])
    latin = tmp_path / "pmd_excel.csv"
    latin.write_bytes("codigo,descripcion\n1.1,ATENCIÓN\n".encode("cp1252"))
    assert read_user_catalog(latin).pmd[0].description == "ATENCIÓN"
    bad = tmp_path / "bad.csv"
    bad.write_text("a,b\n1,2\n")
    assert main(["extract", str(EXPORT), "--out", str(tmp_path / "o"), "--catalog", str(bad)]) == 2
