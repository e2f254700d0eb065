"""Signature blocks: real corpus pages and synthetic word layouts."""
from __future__ import annotations

from pathlib import Path

import pytest

from avance.families.signatures import label_role, read_signatories, split_honorific
from avance.records import Page, Signatory, Word

_HERE = Path(__file__).resolve()
_CANDIDATES = [
    _HERE.parents[1] / "tests" / "corpus",
    _HERE.parents[1] / "tests" / "corpus" / "digital",
    _HERE.parents[2] / "shared" / "corpus" / "dev",
]


def _corpus_file(name: str) -> Path:
    for folder in _CANDIDATES:
        if (folder / name).exists():
            return folder / name
    pytest.skip(f"corpus file {name} not available")

CHAR_W = 5.0
LINE_H = 8.0


def words_at(text: str, x: float, top: float) -> list[Word]:
    """Words of `text` laid out left to right from x, one space between words."""
    out = []
    for tok in text.split():
        w = len(tok) * CHAR_W
        out.append(Word(x0=x, top=top, x1=x + w, bottom=top + LINE_H, text=tok))
        x += w + CHAR_W
    return out


def centred(text: str, xmid: float, top: float) -> list[Word]:
    width = len(text) * CHAR_W
    return words_at(text, xmid - width / 2, top)


def page_of(*groups: list[Word], number: int = 1) -> Page:
    words = tuple(w for g in groups for w in g)
    return Page(number=number, width=792, height=612, words=words)


def _pages(name: str, first: int, last: int) -> list[Page]:
    from avance.extractors.pdf_text import read_pdf_pages

    path = _corpus_file(name)
    return [p for p in read_pdf_pages(path) if first <= p.number <= last]


# --------------------------------------------------------------------------
# corpus
# --------------------------------------------------------------------------

def test_corpus_poa_three_roles():
    got = read_signatories(_pages("d001_poa_tijuana.pdf", 1, 2))
    assert got == [
        Signatory("elaboro", "SERGIO AGUILAR LÓPEZ", "C.P.", "ENCARGADO DE PROGRAMACION Y PRESUPUESTO"),
        Signatory("reviso", "GUADALUPE SOTO VALENZUELA", "C.", "JEFA DE DEPTO. ADMINISTRATIVO Y CONTABLE"),
        Signatory("autorizo", "GUADALUPE CASTILLO SÁNCHEZ", "C.P.", "DIRECTORA"),
    ]


def test_corpus_mir_mixed_case_and_block_footer():
    # `MUNICIPIO DE MÉRIDA, YUC.` / `SECRETARÍA MUNICIPAL DE BIENESTAR` sit under the block
    got = read_signatories(_pages("d004_mir_merida.pdf", 1, 6))
    assert got == [
        Signatory("elaboro", "Héctor Manuel Núñez Esquer", "ING.", "Enlace Administrativo"),
        Signatory("reviso", "Jesús Alonso Ramírez Rivera", "ING.", "Director de Planeación y Seguimiento"),
        Signatory("autorizo", "Rosa Elena Juárez Aguilar", "LIC.", "Secretaria Municipal de Bienestar"),
    ]


def test_corpus_indicator_sheet_validation_block():
    got = read_signatories(_pages("d006_sheet_cajeme.pdf", 3, 4))
    assert got == [
        Signatory("elaboro", "SERGIO ÁLVAREZ GÓMEZ", "ING.", "COORDINADOR DE PLANEACION Y EVALUACION"),
        Signatory("autorizo", "RAMÓN RIVERA MORALES", "MTRO.", "DIRECTOR"),
    ]


def test_corpus_report_without_block():
    assert read_signatories(_pages("d009_report_benitojuarez.pdf", 1, 2)) == []


# --------------------------------------------------------------------------
# synthetic layouts
# --------------------------------------------------------------------------

def test_label_variants():
    assert label_role("ELABORÓ") == "elaboro"
    assert label_role("Reviso") == "reviso"
    assert label_role("AUTORIZ0:") == "autorizo"
    assert label_role("SUPERVISÓ") == "superviso"
    assert label_role("REVISION") is None
    assert label_role("SUPERVISAR") is None


def test_split_honorific():
    assert split_honorific(["Ing.", "Héctor", "Núñez"]) == ("ING.", ["Héctor", "Núñez"])
    assert split_honorific(["C.", "P.", "ANA", "RUIZ"]) == ("C.P.", ["ANA", "RUIZ"])
    assert split_honorific(["L.A.E.", "ANA", "RUIZ"]) == ("L.A.E.", ["ANA", "RUIZ"])
    assert split_honorific(["ANA", "RUIZ"]) == (None, ["ANA", "RUIZ"])


def test_synthetic_block_with_honorifics_and_footer():
    page = page_of(
        centred("ELABORÓ", 160, 100), centred("REVISÓ", 400, 100), centred("AUTORIZÓ", 630, 100),
        words_at("________________", 100, 145), words_at("________________", 340, 145),
        centred("Lic. Ana María Ruiz", 160, 155), centred("Profra. Eva Solís Paz", 400, 155),
        centred("JUAN PÉREZ LUNA", 630, 155),
        centred("JEFA DE DEPTO.", 160, 165), centred("DIRECTORA", 400, 165), centred("TESORERO", 630, 165),
        centred("DE PLANEACIÓN", 160, 175),
        centred("AYUNTAMIENTO DE MUESTRA", 515, 190),
    )
    assert read_signatories([page]) == [
        Signatory("elaboro", "Ana María Ruiz", "LIC.", "JEFA DE DEPTO. DE PLANEACIÓN"),
        Signatory("reviso", "Eva Solís Paz", "PROFRA.", "DIRECTORA"),
        Signatory("autorizo", "JUAN PÉREZ LUNA", None, "TESORERO"),
    ]


def test_synthetic_names_run_together_on_one_line():
    # an OCR line: names separated by a single space, cut at honorific tokens
    page = page_of(
        centred("Elaboró", 180, 70), centred("Revisó", 400, 70), centred("Autorizó", 615, 70),
        words_at("Ing. Luis Mora Gil Ing. Jesús Alonso Ramírez Rivera Lic. Rosa Elena Cruz", 120, 122),
    )
    got = read_signatories([page])
    assert [(s.role, s.honorific, s.name) for s in got] == [
        ("elaboro", "ING.", "Luis Mora Gil"),
        ("reviso", "ING.", "Jesús Alonso Ramírez Rivera"),
        ("autorizo", "LIC.", "Rosa Elena Cruz"),
    ]


def test_synthetic_two_people_under_one_role():
    # REVISÓ centred over two name columns
    page = page_of(
        centred("ELABORÓ", 130, 100), centred("REVISÓ", 470, 100),
        centred("C. ANA RUIZ", 130, 150), centred("LIC. EVA SOLÍS", 380, 150), centred("ING. LUIS MORA", 560, 150),
        centred("ANALISTA", 130, 160), centred("JEFA DE ÁREA", 380, 160), centred("CONTADOR", 560, 160),
    )
    assert read_signatories([page]) == [
        Signatory("elaboro", "ANA RUIZ", "C.", "ANALISTA"),
        Signatory("reviso", "EVA SOLÍS", "LIC.", "JEFA DE ÁREA"),
        Signatory("reviso", "LUIS MORA", "ING.", "CONTADOR"),
    ]


def test_synthetic_stacked_people_under_one_label():
    page = page_of(
        centred("ELABORÓ", 200, 100), centred("AUTORIZÓ", 560, 100),
        centred("C. ANA RUIZ", 200, 150), centred("MTRO. LUIS MORA", 560, 150),
        centred("ANALISTA", 200, 160), centred("DIRECTOR", 560, 160),
        centred("ING. EVA SOLÍS PAZ", 200, 210), centred("AUXILIAR", 200, 220),
    )
    assert read_signatories([page]) == [
        Signatory("elaboro", "ANA RUIZ", "C.", "ANALISTA"),
        Signatory("elaboro", "EVA SOLÍS PAZ", "ING.", "AUXILIAR"),
        Signatory("autorizo", "LUIS MORA", "MTRO.", "DIRECTOR"),
    ]


def test_no_block_gives_nothing():
    page = page_of(
        words_at("108.- SUPERVISAR EL CUMPLIMIENTO DE LOS PROGRAMAS", 76, 100),
        words_at("REVISIÓN DE EXPEDIENTES 12 3 3 25%", 76, 110),
        words_at("Revisó la meta programada", 76, 120),
    )
    assert read_signatories([page]) == []
    assert read_signatories([]) == []
    assert read_signatories([Page(number=1, width=612, height=792, words=())]) == []
