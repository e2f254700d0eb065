"""Free-text cells on scans: noise left empty (normalizers/legibility.py), doubtful
cells read again as blocks (normalizers/rereads.text_targets / settle_texts)."""
from __future__ import annotations

from avance.normalizers.legibility import has_word, reads_as_text
from avance.normalizers.rereads import settle_texts, text_targets
from avance.records import AreaReading, EvaluationRow, Provenance, SectionInfo, SectionResult, Word


def w(text: str, conf: float | None) -> Word:
    return Word(x0=0, top=0, x1=10, bottom=5, text=text, conf=conf)


def test_shading_read_as_marks_is_not_text():
    assert not reads_as_text([w("E", 85), w("A", 14), w("Ps", 32), w("bles", 15), w("ACEITE", 15)])
    assert reads_as_text([w("PRODEP", 83), w("1079", 35)])
    assert reads_as_text([w("x", None)])  # a text layer is text
    assert not has_word("E . |") and has_word("PRODEP U079")


def row(no: int, indicator: str | None) -> EvaluationRow:
    return EvaluationRow(project_code="1.1.1", project="p", indicator_no=no, indicator=indicator,
                         annual_target=1.0, target_unit="number", programmed_to_date=1.0, achieved_to_date=1.0,
                         pct_progress=100.0, budget_approved=0.0, budget_authorized=0.0, budget_exercised=0.0,
                         budget_difference=0.0, budget_pct=None, justification=None, page=1)


def section(rows, confs) -> SectionResult:
    provenance = [Provenance("evaluation_rows", str(r.indicator_no), "indicator", 1, 10, 10 * i, 90, 10 * i + 8, c,
                             r.indicator) for i, (r, c) in enumerate(zip(rows, confs))]
    return SectionResult(info=SectionInfo(family="poa_evaluation", page_start=1, page_end=1),
                         evaluation_rows=list(rows), provenance=provenance)


FIELDS = {("evaluation_rows", "indicator")}


def test_only_doubtful_or_empty_cells_are_read_again():
    s = section([row(1, "Má de académicos"), row(2, "Número de aulas"), row(3, None)], [12.0, 91.0, None])
    assert {t.ref[1] for t in text_targets(s, FIELDS)} == {"1", "3"}


def test_a_sure_block_reading_replaces_the_page_text_and_is_flagged():
    s = section([row(1, "Má de académicos con grado")], [12.0])
    ref = ("evaluation_rows", "1", "indicator")
    out = settle_texts(s, {ref: [AreaReading("Número de académicos  con grado", 60.0, 93.0),
                                 AreaReading("Núrnero de acadérnicos con grado", 40.0, 81.0)]})
    assert out.evaluation_rows[0].indicator == "Número de académicos con grado"
    flag = next(f for f in out.flags if f.rule == "ocr_reread")
    assert flag.raw_value == "Má de académicos con grado" and flag.value == "Número de académicos con grado"
    assert s.evaluation_rows[0].indicator == "Má de académicos con grado"  # the input is not changed


def test_unsure_readings_and_lone_marks_leave_the_page_text():
    s = section([row(1, "Se trabaja")], [30.0])
    ref = ("evaluation_rows", "1", "indicator")
    out = settle_texts(s, {ref: [AreaReading("Se vabaja en el sisiemma", 0.0, 58.0), AreaReading("E", 89.0, 89.0)]})
    assert out.evaluation_rows[0].indicator == "Se trabaja" and not out.flags


def test_a_field_takes_its_value_out_of_its_cell_read_again():
    s = section([row(1, "4.1 Ma de académicos")], [12.0])
    ref = ("evaluation_rows", "1", "indicator")
    strip_code = {("evaluation_rows", "indicator"): lambda text, _key: text.partition(" ")[2] or None}
    out = settle_texts(s, {ref: [AreaReading("4.1.1 Número de académicos", 60.0, 93.0)]}, strip_code)
    assert out.evaluation_rows[0].indicator == "Número de académicos"
    out = settle_texts(s, {ref: [AreaReading("4.1.1", 60.0, 93.0)]}, strip_code)  # nothing left: the page's stands
    assert out.evaluation_rows[0].indicator == "4.1 Ma de académicos" and not out.flags
