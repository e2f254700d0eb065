"""The POA header block in the layouts templates use: one column of label/value
pairs, two columns side by side, boxes whose labels wrap, abbreviated labels."""
from __future__ import annotations

import pytest

from avance.extractors.layout import group_lines
from avance.families import poa
from avance.records import Page, Rule, Word


def _words(x: float, top: float, text: str) -> list[Word]:
    out = []
    for token in text.split():
        out.append(Word(x, top, x + 4.0 * len(token), top + 7, token))
        x += 4.0 * len(token) + 2.5
    return out


def test_two_columns_of_pairs_with_wrapped_values():
    words = []
    rows = [("C. ADMINISTRATIVA:", "3121 ENTIDADES PARAMUNICIPALES", "FINALIDAD:", "2 DESARROLLO SOCIAL"),
            (None, "CON PARTICIPACION ESTATAL", None, None),
            ("RAMO:", "44 DESARROLLO INTEGRAL DE LA FAMILIA", "FUNCIÓN:", "6 PROTECCION SOCIAL"),
            ("PROGRAMA:", "522 ASISTENCIA SOCIAL", "SUB-FUNCIÓN:", "9 OTROS DE SEGURIDAD SOCIAL"),
            ("UNIDAD EJECUTORA:", "44201 JEFATURA DEL DEPARTAMENTO", None, None)]
    for i, (label, value, label2, value2) in enumerate(rows):
        top = 80 + 9 * i
        if label:
            words += _words(40, top, label)
        words += _words(140, top, value)
        if label2:
            words += _words(400, top, label2) + _words(500, top, value2)
    values = poa._header_values(group_lines(words))
    assert values["admin_class"] == ("3121", "ENTIDADES PARAMUNICIPALES CON PARTICIPACION ESTATAL")
    assert values["finalidad"] == ("2", "DESARROLLO SOCIAL")
    assert values["ramo"] == ("44", "DESARROLLO INTEGRAL DE LA FAMILIA")
    assert values["funcion"] == ("6", "PROTECCION SOCIAL")
    assert values["subfuncion"] == ("9", "OTROS DE SEGURIDAD SOCIAL")
    assert values["unidad"] == ("44201", "JEFATURA DEL DEPARTAMENTO")


def test_boxes_whose_labels_wrap_and_abbreviate():
    words, rules = [], []
    xs = [40.0, 120.0, 380.0, 460.0, 720.0]
    cells = [(["CLASIFICACIÓN", "ADMIVA.:"], "3121 ENTIDADES PARAMUNICIPALES", ["DEPENDENCIA:"], "31 DESARROLLO INTEGRAL"),
             (["PROGRAMA", "PRESUPUESTARIO:"], "511 GESTION ADMINISTRATIVA", ["UNIDAD RESPONSABLE:"], "31101 DIRECCION")]
    top = 80.0
    for label, value, label2, value2 in cells:
        for k, line in enumerate(label):
            words += _words(xs[0] + 2, top + 2 + 8 * k, line)
        words += _words(xs[1] + 2, top + 2, value)
        for k, line in enumerate(label2):
            words += _words(xs[2] + 2, top + 2 + 8 * k, line)
        words += _words(xs[3] + 2, top + 2, value2)
        rules += [Rule(xs[0], top - 0.3, xs[-1], top + 0.3)]
        top += 20
    rules += [Rule(xs[0], top - 0.3, xs[-1], top + 0.3)] + [Rule(x - 0.3, 80, x + 0.3, top) for x in xs]
    page = Page(1, 792, 612, tuple(words), tuple(rules))
    values = poa._page_header_values(page, group_lines(page.words))
    assert values["admin_class"] == ("3121", "ENTIDADES PARAMUNICIPALES")
    assert values["ramo"] == ("31", "DESARROLLO INTEGRAL")
    assert values["programa"] == ("511", "GESTION ADMINISTRATIVA")
    assert values["unidad"] == ("31101", "DIRECCION")


def test_a_label_value_header_with_a_wide_label_column_is_no_table_row():
    # values stand far right of their labels: `DEPENDENCIA:   31 DESARROLLO ... FUNCIÓN:   6 PROTECCION`
    from avance.tables.reader import _values
    line, = group_lines(_words(40, 80, "DEPENDENCIA:") + _words(150, 80, "31 DESARROLLO INTEGRAL") +
                        _words(400, 80, "FUNCIÓN:") + _words(520, 80, "6 PROTECCION SOCIAL"))
    assert _values(line) == 0
    row, = group_lines(_words(40, 80, "Total:") + _words(150, 80, "1,234") + _words(220, 80, "5,678"))
    assert _values(row) == 2


def test_a_table_heading_is_no_misread_header_label():
    # OCR labels are matched loosely (`EJSCUTORA`), but `PROGRAMADA` is a word of its own
    assert poa._fuzzy_label(["PROGRAMADA"]) is None
    assert poa._fuzzy_label(["PROGRAMA", "PRESUPUESTARIQ"]) == ("programa", 2)


def test_a_goal_code_one_digit_off_its_place_is_put_back_with_a_flag():
    from avance.records import Goal, SectionResult, SectionInfo
    def goal(code):
        return Goal(code, False, "x", None, None, None, None, None, (), None, None, 1)
    result = SectionResult(info=SectionInfo(family="poa_avance", page_start=1, page_end=1),
                           goals=[goal("104"), goal("405"), goal("106")])
    poa._ocr_sequence_codes(result)
    assert [g.goal_code for g in result.goals] == ["104", "105", "106"]
    assert result.flags[0].rule == "ocr_repair" and result.flags[0].raw_value == "405"
    # the run's places, where most codes stand at theirs, put back a code whose neighbour
    # is misread too (`195` after a misread `104`)
    result = SectionResult(info=SectionInfo(family="poa_avance", page_start=1, page_end=1),
                           goals=[goal(c) for c in ("101", "102", "103", "104", "195", "106", "107")])
    poa._ocr_sequence_codes(result)
    assert [g.goal_code for g in result.goals] == ["101", "102", "103", "104", "105", "106", "107"]
    # a speck read as a digit of the code (`2058` between `204` and `206`)
    result = SectionResult(info=SectionInfo(family="poa_avance", page_start=1, page_end=1),
                           goals=[goal(c) for c in ("201", "202", "203", "204", "2058", "206")])
    poa._ocr_sequence_codes(result)
    assert [g.goal_code for g in result.goals] == ["201", "202", "203", "204", "205", "206"]
    assert result.flags[0].raw_value == "2058"
    # no run most codes follow: left as read
    result = SectionResult(info=SectionInfo(family="poa_avance", page_start=1, page_end=1),
                           goals=[goal(c) for c in ("101", "102", "105", "106")])
    poa._ocr_sequence_codes(result)
    assert [g.goal_code for g in result.goals] == ["101", "102", "105", "106"] and not result.flags
    # the code before read again is the next one misread
    assert poa._next_in_sequence("103", "103") == "104"
    assert poa._next_in_sequence("103", "112") is None and poa._next_in_sequence("M.100", "100") is None


def test_action_line_codes_with_a_comma_for_a_dot_beside_another_column_of_the_list():
    from avance.extractors.layout import group_lines
    from avance.records import Word

    def words(text, x, top):
        out = []
        for tok in text.split():
            out.append(Word(x, top, x + 5 * len(tok), top + 8, tok))
            x += 5 * (len(tok) + 1)
        return out
    ws = words("LÍNEAS DE ACCIÓN:", 40, 100) + words("1.1 ESTRATEGIA DE CUIDADOS", 40, 112) + \
        words("5,5 ESTRATEGIA DE INCLUSIÓN", 400, 112) + words("1.1.1 ATENCIÓN INTEGRAL", 40, 124) + \
        words("5.5.1 PRESUPUESTO CON PERSPECTIVA", 400, 124) + words("1.1.2 APOYO A 12 MUNICIPIOS", 40, 136) + \
        words("56 TRANSPARENCIA Y ACCESO", 400, 136)
    flags = []
    lines = poa._action_lines(group_lines(ws), 500, ocr=True, flags=flags)
    # a code whose dots OCR lost where the list's second column starts (`56`, put back by
    # _ocr_action_lines), not a number one space inside a description (`12 MUNICIPIOS`)
    assert {a.code: a.description for a in lines} == {
        "1.1": "ESTRATEGIA DE CUIDADOS", "5.5": "ESTRATEGIA DE INCLUSIÓN", "1.1.1": "ATENCIÓN INTEGRAL",
        "5.5.1": "PRESUPUESTO CON PERSPECTIVA", "1.1.2": "APOYO A 12 MUNICIPIOS", "56": "TRANSPARENCIA Y ACCESO"}
    assert [(f.raw_value, f.value, f.rule) for f in flags] == [("5,5", "5.5", "ocr_repair")]


def test_action_line_codes_misread_on_a_scan_are_put_back_in_order():
    from avance.records import ActionLine
    read = [ActionLine(c, "x") for c in ("4.1.2", "3.1.4", "4.1.5", "423", "45", "45.2", "4.5.3")]
    flags = []
    fixed = poa._ocr_action_lines(read, flags)
    assert [a.code for a in fixed] == ["4.1.2", "4.1.4", "4.1.5", "4.2.3", "4.5", "4.5.2", "4.5.3"]
    assert len(flags) == 4 and all(f.rule == "ocr_repair" for f in flags)
    # a list's last line may open another level: left as read
    assert [a.code for a in poa._ocr_action_lines([ActionLine(c, "x") for c in ("1.2.1", "1.2.2", "5.2.3")], [])] \
        == ["1.2.1", "1.2.2", "5.2.3"]


def test_a_codes_column_whose_header_ocr_garbled_is_named_by_its_cells():
    from avance.records import Page, Word
    from avance.tables import read_tables
    from avance.tables.concepts import fill_by_content, match_columns

    def word(x, top, text):
        return Word(x, top, x + 5.0 * len(text), top + 8, text)
    words = [word(40, 100, ","), word(50, 100, "A"), word(60, 100, "ON"), word(150, 100, "DESCRIPCIÓN"),
             word(300, 100, "UNIDAD"), word(380, 100, "META"), word(405, 100, "ANUAL"), word(470, 100, "ABSOLUTO")]
    for top, codes, text, unit, target in ((114, "4.1.5,4.2.5", "ADMINISTRAR LOS RECURSOS", "REPORTE", "12"),
                                           (128, "4.5.3", "SEGUIMIENTO A LA NÓMINA", "NÓMINA", "48"),
                                           (142, "4.1.1", "ACTUALIZAR LOS INSTRUMENTOS", "DOCUMENTOS", "1")):
        words += [word(40, top, codes), word(150, top, text.split()[0])]
        x = 150 + 5.0 * len(text.split()[0]) + 3
        for token in text.split()[1:]:
            words.append(word(x, top, token))
            x += 5.0 * len(token) + 3
        words += [word(300, top, unit), word(440 - 5.0 * len(target), top, target),
                  word(510 - 5.0 * len(target), top, target)]
    table, = read_tables(Page(1, 900, 700, tuple(words)))
    read = match_columns(table, poa.GOAL_CONCEPTS)
    assert "pmd" not in read
    named = fill_by_content(table, read, poa.GOAL_CONCEPTS)
    assert named["pmd"].column == 0 and table.text(table.body_rows()[1], 0) == "4.5.3"


def test_a_wrapped_action_line_of_a_two_column_list_stays_with_its_own_column():
    ws = (_words(40, 100, "LÍNEAS DE ACCIÓN:")
          + _words(40, 110, "4.2.3 IMPULSO A MECANISMOS DE") + _words(400, 110, "4.5 EFICIENCIA Y EFECTIVIDAD")
          + _words(40 + 4.0 * 5 + 2.5, 119, "CIUDADANA")
          + _words(40, 128, "4.2.5 COMUNICACIÓN SOCIAL") + _words(400, 128, "4.5.2 PLANEACIÓN DE")
          + _words(400 + 4.0 * 5 + 2.5, 137, "ACCIONES"))
    got = [(a.code, a.description) for a in poa._action_lines(group_lines(ws), 500)]
    assert got == [("4.2.3", "IMPULSO A MECANISMOS DE CIUDADANA"), ("4.5", "EFICIENCIA Y EFECTIVIDAD"),
                   ("4.2.5", "COMUNICACIÓN SOCIAL"), ("4.5.2", "PLANEACIÓN DE ACCIONES")]
    # one column of entries whose text runs on at the margin is read in order, as before
    flowed = (_words(40, 100, "LÍNEAS DE ACCIÓN:") + _words(40, 110, "1.1 UNO Y 1.2 DOS")
              + _words(40, 119, "TRES"))
    assert [(a.code, a.description) for a in poa._action_lines(group_lines(flowed), 500)] == [
        ("1.1", "UNO Y"), ("1.2", "DOS TRES")]


def _table(paths, rows):
    from avance.tables.model import Box, Cell, Table
    cells = [Cell(0, 0, 1, 1, row=0, col=c, text=p) for c, p in enumerate(paths)]
    cells += [Cell(0, 0, 1, 1, row=r, col=c, text=t) for r, row in enumerate(rows, start=1) for c, t in enumerate(row)]
    return Table(page=1, box=Box(0, 0, 100, 100), cells=tuple(cells), n_rows=1 + len(rows), n_cols=len(paths),
                 header_rows=1, header_paths=tuple(paths), ruled=False)


def test_figure_columns_whose_headers_ocr_garbled_are_named_by_their_sums():
    from avance.tables.periods import period_columns
    # the annual target adds up the quarters programmed, the absolute progress those
    # achieved; the relative progress is the column of percentages
    paths = ("DESCRIPCIÓN", "UDEMM", "Ene-Mar > P", "Ene-Mar > A", "Abr-Jun > P", "Abr-Jun > A", "nr cairo", "“0€", "x")
    rows = [("101- UNO", "12", "5", "3", "7", "", "3", "25%", "14"), ("102- DOS", "4", "1", "1", "3", "", "1", "25%", "9"),
            ("103- TRES", "6", "3", "0", "3", "", "0", "0%", "")]
    table = _table(paths, rows)
    periods = {k: c for k, c in period_columns(table).items() if k[1] in ("P", "A")}
    named = poa._fill_by_figures(table, {}, periods)
    assert {k: m.column for k, m in named.items()} == {"annual_target": 1, "absolute_progress": 6,
                                                       "relative_progress": 7}
    # two columns that add up alike name neither
    twice = _table(paths[:-1] + ("COPIA",), [r[:-1] + (r[1],) for r in rows])
    assert "annual_target" not in poa._fill_by_figures(twice, {}, periods)


def test_a_page_whose_header_ocr_garbled_is_read_in_the_layout_of_the_page_before():
    from avance.extractors.grid import Column
    before = poa.TableLayout(columns=[Column("description", 80, 280), Column("unit", 280, 330),
                                      Column("annual_target", 330, 365)], top=200, bottom=500,
                             period_columns={(1, "P"): Column("P", 365, 392), (1, "A"): Column("A", 392, 425)})
    own = poa.TableLayout(columns=[Column("description", 79, 279)], top=90, bottom=480,
                          period_columns={(1, "P"): Column("P", 363, 393)})
    carried = poa._carried(own, before)
    assert carried.get("annual_target") is not None and (carried.top, carried.bottom) == (90, 480)
    # another template on the next page (its description elsewhere) keeps its own reading
    moved = poa.TableLayout(columns=[Column("description", 300, 500)], top=90, bottom=480)
    assert poa._carried(moved, before) is moved


def test_an_action_lines_label_whose_space_ocr_squeezed_out_still_opens_the_list():
    ws = _words(40, 100, "LINEAS DEACCION 4.1.2 FORTALECIMIENTO DE LOS ESQUEMAS") + \
        _words(40, 112, "4.2 GOBIERNO ABIERTO Y PARTICIPATIVO")
    lines = poa._action_lines(group_lines(ws), 500, ocr=True, flags=[])
    assert {a.code: a.description for a in lines} == {
        "4.1.2": "FORTALECIMIENTO DE LOS ESQUEMAS", "4.2": "GOBIERNO ABIERTO Y PARTICIPATIVO"}


@pytest.mark.parametrize("label", ["LÍMEAS DE ACCIÓN:", "LINEAS DE ACCLON:", "LÍNEAS DE ACCIÓN:"])
def test_an_action_lines_label_with_a_letter_ocr_misread_still_opens_the_list(label):
    ws = _words(40, 100, label) + _words(40, 112, "1.1 ESTRATEGIA DE SISTEMA DE CUIDADOS") + \
        _words(40, 124, "1.1.1 ATENCIÓN INTEGRAL A LAS INFANCIAS")
    lines = poa._action_lines(group_lines(ws), 500, ocr=True, flags=[])
    assert {a.code: a.description for a in lines} == {
        "1.1": "ESTRATEGIA DE SISTEMA DE CUIDADOS", "1.1.1": "ATENCIÓN INTEGRAL A LAS INFANCIAS"}


def test_other_words_before_a_list_of_codes_open_no_action_lines():
    ws = _words(40, 100, "LÍNEAS DE TRABAJO:") + _words(40, 112, "1.1 ESTRATEGIA DE SISTEMA DE CUIDADOS")
    assert poa._action_lines(group_lines(ws), 500, ocr=True, flags=[]) == []


def test_a_description_header_parted_over_two_cells_keeps_the_column_whole():
    # `DESCRIPCION DE LAS [METAS] / ACCIONES`: OCR lost the middle word, the reader parted
    # the header in two cells and the column with it; the description's lines run on
    from avance.tables.concepts import match_columns, spanned_extent
    from avance.tables.model import Box, Cell, Table
    xs = [40, 80, 200, 280, 330]
    heads = ["LÍNEA DE ACCIÓN", "DESCRIPCION DE LAS", "/ ACCIONES", "UNIDAD DE MEDIDA"]
    body = ["1.1.1", "101- PROPORCIONAR RACIONES", "ALIMENTICIAS CALIENTES", "RACIÓN"]
    cells = tuple(Cell(xs[c], 100 + 20 * r, xs[c + 1], 120 + 20 * r, row=r, col=c, text=t)
                  for r, row in enumerate((heads, body)) for c, t in enumerate(row))
    table = Table(page=1, box=Box(40, 100, 330, 140), cells=cells, n_rows=2, n_cols=4, header_rows=1,
                  header_paths=tuple(heads), ruled=False)
    columns = match_columns(table, poa.GOAL_CONCEPTS)
    assert columns["description"].column == 1
    named = {m.column for m in columns.values()}
    concepts = {c.name: c for c in poa.GOAL_CONCEPTS}
    assert spanned_extent(table, 1, concepts["description"], named) == (80, 280)
    assert spanned_extent(table, 3, concepts["unit"], named) == (280, 330)  # a neighbour named otherwise
