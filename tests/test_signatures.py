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


# --------------------------------------------------------------------------
# scanned pages: OCR noise, labels lost under signatures and stamps
# --------------------------------------------------------------------------

from avance.families.signatures import (  # noqa: E402
    needless_accent,
    read_signatories_with_flags,
    repair_honorific,
)


def ocr_words(text: str, x: float, top: float, conf: float = 96.0) -> list[Word]:
    return [Word(x0=w.x0, top=w.top, x1=w.x1, bottom=w.bottom, text=w.text, conf=conf)
            for w in words_at(text, x, top)]


def ocr_centred(text: str, xmid: float, top: float, conf: float = 96.0) -> list[Word]:
    return ocr_words(text, xmid - len(text) * CHAR_W / 2, top, conf)


def scan_of(*groups: list[Word]) -> Page:
    words = tuple(w for g in groups for w in g)
    return Page(number=1, width=792, height=612, words=words, source="ocr")


def _three_names(top: float = 155) -> list[list[Word]]:
    return [
        ocr_centred("C.P. ANA RUIZ PAZ", 160, top), ocr_centred("LIC. EVA SOLÍS LUNA", 400, top),
        ocr_centred("DR. JUAN PÉREZ MORA", 630, top),
        ocr_centred("ANALISTA", 160, top + 10), ocr_centred("JEFA DE ÁREA", 400, top + 10),
        ocr_centred("DIRECTOR", 630, top + 10),
    ]


def test_scan_lost_last_label_is_inferred_and_flagged():
    # a stamp over AUTORIZÓ: OCR read only the first two labels
    page = scan_of(ocr_centred("ELABORÓ", 160, 100), ocr_centred("REVISÓ", 400, 100), *_three_names())
    sigs, flags = read_signatories_with_flags([page])
    assert sigs == [
        Signatory("elaboro", "ANA RUIZ PAZ", "C.P.", "ANALISTA"),
        Signatory("reviso", "EVA SOLÍS LUNA", "LIC.", "JEFA DE ÁREA"),
        Signatory("autorizo", "JUAN PÉREZ MORA", "DR.", "DIRECTOR"),
    ]
    assert [(f.row_key, f.field, f.rule, f.severity.value, f.value) for f in flags] == [
        ("autorizo", "role", "ocr_repair", "info", "autorizo")]
    assert read_signatories([page]) == sigs


def test_scan_lost_middle_and_first_labels():
    page = scan_of(ocr_centred("ELABORÓ", 160, 100), ocr_centred("AUTORIZÓ", 630, 100), *_three_names())
    assert [s.role for s in read_signatories([page])] == ["elaboro", "reviso", "autorizo"]
    page = scan_of(ocr_centred("REVISÓ", 400, 100), ocr_centred("AUTORIZÓ", 630, 100), *_three_names())
    assert [s.role for s in read_signatories([page])] == ["elaboro", "reviso", "autorizo"]


def test_scan_two_column_block_with_lost_label():
    page = scan_of(
        ocr_centred("ELABORO", 170, 100),
        ocr_centred("ING. LUIS MORA GIL", 170, 150), ocr_centred("ARQ. EVA PAZ RUIZ", 440, 150),
        ocr_centred("COORDINADOR", 170, 160), ocr_centred("DIRECTORA", 440, 160),
    )
    assert read_signatories([page]) == [
        Signatory("elaboro", "LUIS MORA GIL", "ING.", "COORDINADOR"),
        Signatory("autorizo", "EVA PAZ RUIZ", "ARQ.", "DIRECTORA"),
    ]


def test_digital_page_infers_nothing():
    # the same layout from a text layer: no role is guessed for a column without a label
    page = page_of(centred("ELABORÓ", 160, 100), centred("REVISÓ", 400, 100),
                   centred("C.P. ANA RUIZ PAZ", 160, 155), centred("LIC. EVA SOLÍS LUNA", 400, 155),
                   centred("ANALISTA", 160, 165), centred("JEFA DE ÁREA", 400, 165))
    sigs, flags = read_signatories_with_flags([page])
    assert [s.role for s in sigs] == ["elaboro", "reviso"] and flags == []


def test_scan_label_line_with_stamp_specks():
    # specks of a stamp read on the label line (low confidence, no letters) do
    # not stop it being a label line nor widen the last label's column
    page = scan_of(
        ocr_centred("Elaboró", 160, 100), ocr_centred("Revisó", 400, 100), ocr_centred("Autorizó", 630, 100),
        ocr_words("507020", 700, 100, conf=35), ocr_words(":", 785, 100, conf=26),
        ocr_words("TAO", 600, 130, conf=27),
        *_three_names(), ocr_words("j", 786, 155, conf=9),
    )
    sigs, flags = read_signatories_with_flags([page])
    assert [(s.role, s.name) for s in sigs] == [
        ("elaboro", "ANA RUIZ PAZ"), ("reviso", "EVA SOLÍS LUNA"), ("autorizo", "JUAN PÉREZ MORA")]
    assert flags == []


def test_scan_speck_on_name_line_does_not_make_a_person():
    page = scan_of(
        ocr_centred("ELABORÓ", 160, 100), ocr_centred("REVISÓ", 400, 100), ocr_centred("AUTORIZÓ", 630, 100),
        ocr_centred("C. LUIS MORA GIL", 160, 155), ocr_centred("C. LUIS MORA GIL", 380, 155),
        ocr_words(":", 455, 155, conf=41), ocr_centred("ARQ. EVA PAZ RUIZ", 630, 155),
        ocr_centred("JEFE DE DEPTO.", 160, 165), ocr_centred("JEFE DE DEPTO. ADMINISTRATIVO Y CONTABLE", 380, 165),
        ocr_centred("DIRECTORA", 630, 165),
    )
    sigs = read_signatories([page])
    assert [(s.role, s.title) for s in sigs] == [
        ("elaboro", "JEFE DE DEPTO."), ("reviso", "JEFE DE DEPTO. ADMINISTRATIVO Y CONTABLE"),
        ("autorizo", "DIRECTORA")]


def test_scan_dotted_last_name_is_not_an_honorific():
    page = scan_of(
        ocr_centred("ELABORÓ", 160, 100), ocr_centred("AUTORIZÓ", 630, 100),
        ocr_centred("DR. ÓSCAR DÍAZ", 160, 155), ocr_words("ARQ. ADRIANA REYES RUIZ.", 565, 155),
        ocr_centred("JEFE", 160, 165), ocr_centred("DIRECTORA", 630, 165),
    )
    sigs, flags = read_signatories_with_flags([page])
    assert [(s.role, s.honorific, s.name) for s in sigs] == [
        ("elaboro", "DR.", "ÓSCAR DÍAZ"), ("autorizo", "ARQ.", "ADRIANA REYES RUIZ")]
    assert [(f.field, f.raw_value, f.value) for f in flags] == [
        ("name", "ADRIANA REYES RUIZ.", "ADRIANA REYES RUIZ")]


def test_scan_honorific_title_and_accent_repairs_are_flagged():
    page = scan_of(
        ocr_centred("ELABORÓ", 160, 100), ocr_centred("AUTORIZÓ", 630, 100),
        ocr_centred("€. Luis Castíllo Vázquez", 160, 155), ocr_centred("ARO. EVA PAZ RUIZ", 630, 155),
        ocr_centred("JEFE DE DEPTO, OPERATIVO", 160, 165), ocr_centred("DIRECTORA", 630, 165),
    )
    sigs, flags = read_signatories_with_flags([page])
    assert sigs == [
        Signatory("elaboro", "Luis Castillo Vázquez", "C.", "JEFE DE DEPTO. OPERATIVO"),
        Signatory("autorizo", "EVA PAZ RUIZ", "ARQ.", "DIRECTORA"),
    ]
    assert {(f.row_key, f.field, f.raw_value, f.value) for f in flags} == {
        ("elaboro", "honorific", "€.", "C."),
        ("elaboro", "name", "Luis Castíllo Vázquez", "Luis Castillo Vázquez"),
        ("elaboro", "title", "JEFE DE DEPTO, OPERATIVO", "JEFE DE DEPTO. OPERATIVO"),
        ("autorizo", "honorific", "ARO.", "ARQ."),
    }
    assert all(f.rule == "ocr_repair" and f.severity.value == "info" and f.message for f in flags)


def test_digital_page_is_not_repaired():
    page = page_of(centred("ELABORÓ", 160, 100), centred("AUTORIZÓ", 630, 100),
                   centred("C. Luis Castíllo Vázquez", 160, 155), centred("ARO. EVA PAZ RUIZ", 630, 155),
                   centred("JEFE DE DEPTO, OPERATIVO", 160, 165), centred("DIRECTORA", 630, 165))
    sigs, flags = read_signatories_with_flags([page])
    assert flags == []
    assert sigs[0].name == "Luis Castíllo Vázquez" and sigs[1].honorific == "ARO."


def test_scan_same_person_read_twice_takes_the_surer_spelling():
    page = scan_of(
        ocr_centred("ELABORÓ", 160, 100), ocr_centred("REVISÓ", 400, 100),
        ocr_centred("C. JULIO LÓPEZ PÉREZ", 160, 155),
        ocr_words("C. JULIO LÓPEZ", 335, 155), ocr_words("PÉRRZ", 410, 155, conf=85),
        ocr_centred("JEFE", 160, 165), ocr_centred("JEFE", 380, 165),
    )
    sigs, flags = read_signatories_with_flags([page])
    assert [s.name for s in sigs] == ["JULIO LÓPEZ PÉREZ", "JULIO LÓPEZ PÉREZ"]
    assert [(f.row_key, f.field, f.raw_value, f.value) for f in flags] == [
        ("reviso", "name", "JULIO LÓPEZ PÉRRZ", "JULIO LÓPEZ PÉREZ")]


def test_needless_accent():
    assert needless_accent("Castíllo") == "Castillo"
    assert needless_accent("MUÑÓZ") == "MUÑOZ"
    assert needless_accent("Luís") == "Luis"
    for right in ("María", "Raúl", "Pérez", "Rodríguez", "Vázquez", "Planeación", "Económico", "Beltrán",
                  "Ángel", "Juárez", "Díaz", "Jesús", "Álvarez", "Secretaría", "Moisés", "ÓSCAR", "Héctor"):
        assert needless_accent(right) is None, right


def test_repair_honorific():
    assert repair_honorific("ARO.") == "ARQ."
    assert repair_honorific("LIC") == "LIC."
    assert repair_honorific("ING.") is None
    assert repair_honorific("C.P.") is None
    assert repair_honorific(None) is None
    assert repair_honorific("MITRA.") == "MTRA."  # a stroke read as a letter
    assert repair_honorific("MARTA.") is None  # no honorific is one letter away


def test_scan_edge_mark_on_label_line():
    # the scan's left edge read as `i` / `:` on the label line
    page = scan_of(ocr_words("i", 3, 100, conf=72), ocr_words(":", 33, 100, conf=0),
                   ocr_centred("ELABORÓ", 160, 100), ocr_centred("REVISÓ", 400, 100),
                   ocr_centred("AUTORIZÓ", 630, 100), *_three_names())
    assert [s.role for s in read_signatories([page])] == ["elaboro", "reviso", "autorizo"]


def test_reconcile_across_sections():
    from avance.families.signatures import reconcile_across_sections
    from avance.records import SectionInfo, SectionResult

    def section(start: int, *sigs: Signatory) -> SectionResult:
        r = SectionResult(info=SectionInfo(family="poa_avance", page_start=start, page_end=start))
        r.signatories.extend(sigs)
        return r

    boss = Signatory("autorizo", "FRANCISCO JAVIER OCHOA ROMERO", "ARQ.", "DIRECTOR")
    garbled = Signatory("autorizo", "FRANCISCO JAVIER OCHOA Poleo", "ARQ.", "DIRECTOR")
    other = Signatory("elaboro", "FRANCISCO JAVIER OCHOA GIL", "ING.", "ANALISTA")  # another person
    secs = [section(1, Signatory("elaboro", boss.name, "ARQ.", "DIRECTOR"), boss), section(3, other, garbled)]
    flags = reconcile_across_sections(secs)
    assert secs[1].signatories == [other, boss]
    assert [(f.row_key, f.field, f.raw_value, f.value, f.rule) for f in secs[1].flags] == [
        ("autorizo", "name", "FRANCISCO JAVIER OCHOA Poleo", "FRANCISCO JAVIER OCHOA ROMERO", "ocr_repair")]
    assert flags == secs[1].flags and secs[0].flags == []


def test_unread_signature_column_is_located_by_its_title():
    from avance.families.signatures import unread_signature_columns

    # a signature drawn over REVISÓ and its person: only the title under them was read
    page = scan_of(ocr_centred("ELABORÓ", 160, 100), ocr_centred("AUTORIZÓ", 630, 100),
                   ocr_centred("C.P. ANA RUIZ PAZ", 160, 155), ocr_centred("DR. JUAN PÉREZ MORA", 630, 155),
                   ocr_centred("ANALISTA", 160, 165), ocr_centred("JEFA DEL ÁREA DE PLANEACIÓN", 400, 165),
                   ocr_centred("DIRECTOR", 630, 165))
    columns = unread_signature_columns(page)
    assert len(columns) == 1 and columns[0].title == "JEFA DEL ÁREA DE PLANEACIÓN"
    label, name = columns[0].label_box, columns[0].name_box
    assert label[0] < 400 < label[2] and label[1] < 100 < label[3]
    assert name[0] < 400 < name[2] and name[1] < 157 < name[3]
    # every column read: nothing to read again; a text layer is never read again
    assert unread_signature_columns(scan_of(ocr_centred("ELABORÓ", 160, 100), ocr_centred("REVISÓ", 400, 100),
                                            ocr_centred("AUTORIZÓ", 630, 100), *_three_names())) == []
    assert unread_signature_columns(Page(number=1, width=792, height=612, words=page.words)) == []


def test_signature_block_area_spans_names_and_titles_not_the_signatures_room():
    from avance.families.signatures import signature_block_areas

    page = scan_of(ocr_centred("ELABORÓ", 160, 100), ocr_centred("REVISÓ", 400, 100),
                   ocr_centred("AUTORIZÓ", 630, 100), *_three_names())
    [area] = signature_block_areas(page)
    assert 120 < area[1] < 155 and area[3] > 165    # from the name line to the titles
    assert area[0] < 130 and area[2] > 670          # every column
    assert signature_block_areas(Page(number=1, width=792, height=612, words=page.words)) == []


class _DarkInkReader:
    """Stands in for ScanRereader: the block's words as its darkest ink reads them."""

    def __init__(self, words):
        self.words = words

    def read_words(self, page, box):
        return self.words


def _block_with_pen_across_a_name():
    from dataclasses import replace as with_

    from avance.records import ScanGeometry

    garbled = [with_(w, conf=30.0) for w in ocr_centred("IS EMMANUEL GARF1AS", 160, 155)]
    page = scan_of(ocr_centred("ELABORÓ", 160, 100), ocr_centred("AUTORIZÓ", 630, 100), garbled,
                   ocr_centred("DR. JUAN PÉREZ MORA", 630, 155),
                   ocr_centred("ANALISTA", 160, 165), ocr_centred("DIRECTOR", 630, 165))
    return with_(page, scan=ScanGeometry(pixels_per_inch=300, quarter_turn=0, skew_degrees=0.0))


def test_a_name_crossed_by_a_pen_is_read_again_from_the_darkest_ink():
    from avance.pipeline.document import with_signature_blocks_read_again

    page = _block_with_pen_across_a_name()
    again = (ocr_centred("ARQ. LUIS EMMANUEL GARFIAS", 160, 155) + ocr_centred("DR. JUAN PÉREZ MORA", 630, 155)
             + ocr_centred("ANALISTA", 160, 165) + ocr_centred("DIRECTOR", 630, 165))
    [out], flags = with_signature_blocks_read_again([page], _DarkInkReader(again))
    people = read_signatories_with_flags([out])[0]
    assert [(s.role, s.honorific, s.name) for s in people] == [
        ("elaboro", "ARQ.", "LUIS EMMANUEL GARFIAS"), ("autorizo", "DR.", "JUAN PÉREZ MORA")]
    assert [(f.table, f.rule) for f in flags] == [("signatories", "ocr_reread")]
    # a reading no surer than the page's leaves the page as it is
    [same], flags = with_signature_blocks_read_again([page], _DarkInkReader([]))
    assert same is page and flags == []


def test_darkest_ink_drops_a_lighter_pen_stroke():
    import cv2
    import numpy as np

    from avance.extractors.reread import darkest_ink

    crop = np.full((60, 200), 250, np.uint8)
    cv2.putText(crop, "LUIS", (20, 40), cv2.FONT_HERSHEY_SIMPLEX, 0.9, 15, 2)   # print
    cv2.line(crop, (10, 55), (190, 5), 120, 3)                                     # a pen across it
    dark = darkest_ink(crop)
    assert (dark[crop == 15] == 0).all()
    assert (dark[crop == 120] == 255).all()


def test_a_block_that_cannot_be_read_again_keeps_the_pages_reading():
    from avance.pipeline.document import with_signature_blocks_read_again

    class Broken:
        def read_words(self, page, box):
            raise RuntimeError("tesseract failed")

    page = _block_with_pen_across_a_name()
    [same], flags = with_signature_blocks_read_again([page], Broken())
    assert same is page
    assert [(f.rule, f.severity.value) for f in flags] == [("unreadable", "info")]


def test_labels_the_page_pass_lost_above_names_are_read_again_from_the_room_above_them():
    from dataclasses import replace as with_

    from avance.families.signatures import unlabelled_name_rooms
    from avance.pipeline.document import with_signature_labels_read_again
    from avance.records import ScanGeometry

    # a 150-dpi scan blurred the small bold labels away: names and titles, nothing above
    page = with_(scan_of(ocr_words("107 SESIONES DEL ÓRGANO 6 1 0 2", 60, 40), *_three_names()),
                 scan=ScanGeometry(pixels_per_inch=300, quarter_turn=0, skew_degrees=0.0))
    assert read_signatories([page]) == []
    [room] = unlabelled_name_rooms(page)
    assert room[1] > 45 and room[3] < 155  # between the table's last line and the names
    labels = ocr_centred("ELABORÓ", 160, 100) + ocr_centred("REVISÓ", 400, 100) + ocr_centred("AUTORIZÓ", 630, 100)
    [out], flags = with_signature_labels_read_again([page], _DarkInkReader(labels + ocr_words("~", 300, 120)))
    assert [s.role for s in read_signatories([out])] == ["elaboro", "reviso", "autorizo"]
    assert [(f.table, f.field, f.rule) for f in flags] == [("signatories", "role", "ocr_reread")]
    assert "~" not in {w.text for w in out.words}  # only labels are added
    # labels read on the page: nothing to look for
    labelled = with_(page, words=page.words + tuple(labels))
    assert unlabelled_name_rooms(labelled) == []
    # names right under print (a table's rows): no room for labels
    crowded = with_(page, words=page.words + tuple(ocr_words("SUBTOTAL 1 2 3", 60, 145)))
    assert unlabelled_name_rooms(crowded) == []
