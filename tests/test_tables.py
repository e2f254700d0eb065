"""The table reader and column concepts on pages built in the test: ruled and
unruled grids, header paths, any column order, values one column off their headers."""
from __future__ import annotations

from avance.records import Page, Rule, Word
from avance.tables import read_tables
from avance.tables.concepts import Concept, match_columns
from avance.tables.rows import join_wide

CONCEPTS = (
    Concept("indicator", ("Nombre del indicador", "Indicador"), "text", min_words=2),
    Concept("unit", ("Unidad de medida",), "text"),
    Concept("frequency", ("Frecuencia",), "choice", ("Anual", "Trimestral")),
    Concept("target", ("Meta programada", "Programada"), "number"),
    Concept("achieved", ("Meta alcanzada", "Alcanzada"), "number"),
)


def _page(rows: list[list[str]], widths: list[float], ruled: bool, number: int = 1,
          header_rows: int = 1) -> Page:
    """A page whose table has `rows` (first `header_rows` are headers), cells `widths` wide."""
    words, rules = [], []
    xs = [50.0]
    for w in widths:
        xs.append(xs[-1] + w)
    top = 100.0
    ys = [top]
    for r, row in enumerate(rows):
        for c, text in enumerate(row):
            x = xs[c] + 3
            for token in text.split():
                width = 5.0 * len(token)
                words.append(Word(x, top + 3, x + width, top + 11, token))
                x += width + 4
        top += 16
        ys.append(top)
    if ruled:
        rules += [Rule(xs[0], y - 0.3, xs[-1], y + 0.3) for y in ys]
        rules += [Rule(x - 0.3, ys[0], x + 0.3, ys[-1]) for x in xs]
    return Page(number=number, width=900, height=700, words=tuple(words), rules=tuple(rules))


HEADER = ["Nombre del indicador", "Unidad de medida", "Frecuencia", "Meta programada", "Meta alcanzada"]
BODY = [["Porcentaje de cursos impartidos", "Curso", "Anual", "120", "60"],
        ["Número de personas capacitadas", "Persona", "Trimestral", "3,500", "1,200.5"]]
WIDTHS = [190, 90, 70, 80, 80]


def test_ruled_grid_gives_cells_and_header_paths():
    table, = read_tables(_page([HEADER] + BODY, WIDTHS, ruled=True))
    assert (table.n_rows, table.n_cols, table.header_rows) == (3, 5, 1)
    assert table.header_paths[3] == "Meta programada"
    assert table.text(2, 0) == "Número de personas capacitadas"
    assert table.text(2, 4) == "1,200.5"


def test_unruled_table_gets_columns_from_white_space():
    table, = read_tables(_page([HEADER] + BODY, WIDTHS, ruled=False))
    assert not table.ruled
    assert table.n_cols == 5
    assert [table.text(r, 2) for r in table.body_rows()] == ["Anual", "Trimestral"]


def test_columns_in_any_order_match_their_concepts():
    order = [3, 0, 4, 2, 1]
    rows = [[row[i] for i in order] for row in [HEADER] + BODY]
    table, = read_tables(_page(rows, [WIDTHS[i] for i in order], ruled=True))
    found = {k: m.column for k, m in match_columns(table, CONCEPTS).items()}
    assert found == {"target": 0, "indicator": 1, "achieved": 2, "frequency": 3, "unit": 4}


def test_other_wordings_and_abbreviations():
    header = ["Indicador", "Unidad de Medida", "Frecuencia de medición", "Programada", "Alcanzada"]
    table, = read_tables(_page([header] + BODY, WIDTHS, ruled=True))
    assert set(match_columns(table, CONCEPTS)) == {"indicator", "unit", "frequency", "target", "achieved"}


def test_figures_with_a_scans_specks_after_them_keep_their_columns_under_their_headers():
    # `25.47% o`: a speck read after a percentage is no reason to think the values drifted left
    from avance.tables.concepts import content_score
    percent = Concept("pct", ("Avance relativo",), "percent")
    assert content_score(["25.47% o", "22.82% o,"], percent) == 0.8
    assert content_score(["3 cursos impartidos", "12.50% AUTORIZÓ"], percent) == 0.0
    header = ["Descripción", "Programado", "Avance absoluto", "Avance relativo", "Observaciones"]
    concepts = (Concept("description", ("Descripción",), "text", min_words=2),
                Concept("programmed", ("Programado",), "number"),
                Concept("absolute", ("Avance absoluto",), "number", avoid=("relativo",)),
                Concept("relative", ("Avance relativo",), "percent", avoid=("absoluto",)),
                Concept("observations", ("Observaciones",), "text"))
    body = [["Cursos de verano", "598", "568", "20.55%", "No se alcanzó la meta"],
            ["Talleres de lectura", "27", "27", "25.47% o", "Se cumplió lo previsto"],
            ["Apoyos a vivienda", "47", "43", "9.25% o,", "Por la veda electoral"],
            ["Brigadas de salud", "6", "3", "12.50% ‘", "Sin incidencias"]]
    table, = read_tables(_page([header] + body, [150, 80, 80, 80, 160], ruled=True))
    found = {k: m.column for k, m in match_columns(table, concepts).items()}
    assert found == {"description": 0, "programmed": 1, "absolute": 2, "relative": 3, "observations": 4}


def test_values_one_column_left_of_their_headers_are_found_by_what_cells_hold():
    # a template whose values drifted: each value stands under the previous header
    header = ["Objetivo", "Nombre del indicador", "Frecuencia", "Unidad de medida", "Meta programada"]
    body = [["Porcentaje de cursos impartidos", "Anual", "Curso", "120", ""],
            ["Número de personas capacitadas", "Trimestral", "Persona", "3,500", ""]]
    table, = read_tables(_page([header] + body, WIDTHS, ruled=True))
    found = {k: m.column for k, m in match_columns(table, CONCEPTS).items()}
    assert found["indicator"] == 0 and found["target"] == 3


def test_a_wide_table_over_two_pages_is_joined_row_by_row():
    left = _page([HEADER[:2]] + [r[:2] for r in BODY], WIDTHS[:2], ruled=True, number=1)
    right = _page([HEADER[2:]] + [r[2:] for r in BODY], WIDTHS[2:], ruled=True, number=2)
    joined, = join_wide(read_tables(left) + read_tables(right))
    assert joined.n_cols == 5
    assert joined.text(2, 0) == "Número de personas capacitadas" and joined.text(2, 4) == "1,200.5"
    assert joined.cell_at(2, 4).page == 2


def test_a_ruled_header_over_a_body_without_rules_reads_the_body_in_its_columns():
    page = _page([HEADER] + BODY, WIDTHS, ruled=True)
    header_only = tuple(r for r in page.rules if (r.height < 1 and r.top < 117)) + tuple(
        Rule(r.x0, 100, r.x1, 116) for r in page.rules if r.height > 1)
    table, = read_tables(Page(1, 900, 700, page.words, header_only))
    assert table.n_rows == 3 and table.header_paths[4] == "Meta alcanzada"
    assert table.text(2, 1) == "Persona" and table.text(2, 4) == "1,200.5"


def test_a_cell_printed_top_aligned_joins_its_own_row():
    # the formula of the second row is printed on a line of its own above that row's other cells
    rows = [HEADER, BODY[0], ["", "", "", "", ""], BODY[1]]
    page = _page(rows, WIDTHS, ruled=False)
    words = [w for w in page.words if not (w.text == "Persona")]
    lifted = [Word(w.x0, w.top - 16, w.x1, w.bottom - 16, w.text) for w in page.words if w.text == "Persona"]
    table, = read_tables(Page(1, 900, 700, tuple(words + lifted)))
    assert [table.text(r, 1) for r in table.body_rows()] == ["Curso", "Persona"]
    assert table.text(table.n_rows - 1, 0) == "Número de personas capacitadas"


def _shifted(page: Page, dy: float) -> tuple[tuple[Word, ...], tuple[Rule, ...]]:
    return (tuple(Word(w.x0, w.top + dy, w.x1, w.bottom + dy, w.text) for w in page.words),
            tuple(Rule(r.x0, r.top + dy, r.x1, r.bottom + dy) for r in page.rules))


def test_an_unruled_table_under_a_ruled_list_is_a_table_of_its_own():
    # a ruled list of action lines (code | text) above a goal table drawn without rules
    listing = _page([["4.1", "Profesionalización del servicio público"], ["4.2", "Fiscalización y anticorrupción"]],
                    [60, 450], ruled=True)
    table_words, _ = _shifted(_page([HEADER] + BODY, WIDTHS, ruled=False), 120)
    page = Page(1, 900, 700, listing.words + table_words, listing.rules)
    grid, unruled = read_tables(page)
    assert (grid.n_rows, grid.n_cols) == (2, 2)
    assert not unruled.ruled and unruled.n_cols == 5
    assert unruled.header_paths[3] == "Meta programada"
    assert [unruled.text(r, 4) for r in unruled.body_rows()] == ["60", "1,200.5"]


def _word(x0: float, top: float, text: str) -> Word:
    return Word(x0, top, x0 + 5.0 * len(text), top + 8, text)


def _right(x1: float, top: float, text: str) -> Word:
    return Word(x1 - 5.0 * len(text), top, x1, top + 8, text)


def _words(x0: float, top: float, text: str) -> list[Word]:
    """A line's words from x0, 5 points a letter, 3 points apart."""
    out = []
    for token in text.split():
        out.append(_word(x0, top, token))
        x0 += 5.0 * len(token) + 3
    return out


def test_quarters_spelled_with_a_number_over_right_aligned_figures_and_an_unreported_column():
    # `TRIMESTRE 1` spans its P and A; figures sit right-aligned, so the middle of the white
    # space between them runs through the next label; the 2nd quarter's achieved column is empty
    from avance.tables.periods import period_columns
    words = [_word(50, 100, "Meta"), _word(73, 100, "anual")]
    for q, x in ((1, 314), (2, 394)):
        words += [Word(x, 100, x + 45, 108, "TRIMESTRE"), Word(x + 47.5, 100, x + 52.5, 108, str(q))]
    for x, label in ((318, "PROG."), (358, "REAL."), (398, "PROG."), (438, "REAL.")):
        words.append(_word(x, 111, label))
    for i, (annual, p1, a1, p2) in enumerate((("120", "30", "28", "30"), ("4", "1", "0", "1"), ("9", "2", "2", "3"))):
        top = 125 + 14 * i
        words += [_right(100, top, annual), _right(346, top, p1), _right(386, top, a1), _right(426, top, p2)]
    table, = read_tables(Page(1, 900, 700, tuple(words)))
    periods = period_columns(table)
    assert set(periods) == {(1, "P"), (1, "A"), (2, "P"), (2, "A")}
    assert [table.text(r, periods[(1, "A")]) for r in table.body_rows()] == ["28", "0", "2"]
    assert [table.text(r, periods[(2, "P")]) for r in table.body_rows()] == ["30", "1", "3"]
    assert [table.text(r, periods[(2, "A")]) for r in table.body_rows()] == ["", "", ""]


def test_header_boxes_over_a_table_in_other_columns_stay_apart():
    # label/value boxes (two pairs a row) hold no figures, yet they are no header of the table under them
    boxes = _page([["Dependencia:", "Secretaría de Seguridad", "Programa:", "E-PP 2.1 Prevención"]],
                  [90, 220, 90, 250], ruled=True)
    table_words, _ = _shifted(_page([HEADER] + BODY, WIDTHS, ruled=False), 60)
    grid, unruled = read_tables(Page(1, 900, 700, boxes.words + table_words, boxes.rules))
    assert grid.n_rows == 1 and unruled.n_cols == 5
    assert [unruled.text(r, 3) for r in unruled.body_rows()] == ["120", "3,500"]


def test_tall_rows_and_header_years_do_not_break_the_body():
    # rows whose last column runs on for many lines (a justification), and a header
    # whose labels carry the year: one table, every row in it
    header = ["Nivel", "Indicador", "Meta anual 2026", "Realizado 2026", "Justificación"]
    widths = [70, 150, 90, 90, 200]
    rows = [header]
    for level, name, target, done in (("Fin", "Índice de percepción", "22.15", "5.54"),
                                      ("Propósito", "Porcentaje de colonias", "100", "35"),
                                      ("Componente", "Porcentaje de programas", "100", "25")):
        rows.append([level, name, target, done, "Durante el trimestre se avanzó"])
        rows += [["", "", "", "", "conforme a lo previsto por la dirección"] for _ in range(14)]
    table, = read_tables(_page(rows, widths, ruled=False))
    assert table.header_paths[2] == "Meta anual 2026"
    firsts = [table.text(r, 0) for r in table.body_rows() if table.text(r, 0)]
    assert firsts == ["Fin", "Propósito", "Componente"]


def test_quarters_and_percentages_in_the_spellings_narrow_headers_print():
    from avance.tables.model import Box, Table
    from avance.tables.periods import period_columns, quarter_of
    assert quarter_of("JULIO-SEPTIEMB RE") == 3 and quarter_of("OCTUBRE-DICIEM BRE") == 4
    assert quarter_of("Ene-Mar") == 1 and quarter_of("TRIMESTRE 2") == 2 and quarter_of("Nombre") is None
    paths = ("PROGRAMADO 2026 > ABRIL-JUNIO", "REALIZADO > AVANCE > DEL > ABRIL-JUNIO",
             "% DE > AVANCE > DEL > TRIMESTRE > ABRIL-JUNIO", "% DE AVANCE ACUMULADO > DEL > TRIMESTRE > ABRIL-JUNIO")
    table = Table(page=1, box=Box(0, 0, 100, 100), cells=(), n_rows=1, n_cols=4, header_rows=1,
                  header_paths=paths, ruled=False)
    assert period_columns(table) == {(2, "P"): 0, (2, "A"): 1, (2, "%"): 2, (2, "%acc"): 3}


def test_a_pair_half_whose_labels_ocr_lost_is_the_column_between_its_quarters_halves():
    # `TRIMESTRE 3` parted over two header lines with its number over the achieved half only,
    # the programmed half's `P` read as a comma
    from avance.tables.model import Box, Table
    from avance.tables.periods import period_columns
    paths = ("META ANUAL", "TRIMESTRE 1 > P", "TRIMESTRE 1 > A", "TRIMESTRE > TRIMESTRE 2 > P",
             "TRIMESTRE > TRIMESTRE 2 > A", "TRIMESTRE > ,", "TRIMESTRE > 3 > A", "TRIMESTRE 4 > P",
             "TRIMESTRE 4 > A", "AVANCE ABSOLUTO")
    table = Table(page=1, box=Box(0, 0, 100, 100), cells=(), n_rows=1, n_cols=len(paths), header_rows=1,
                  header_paths=paths, ruled=False)
    assert period_columns(table) == {(q, k): 2 * q - 1 + (k == "A") for q in range(1, 5) for k in "PA"}
    # a table of one column a quarter has no pairs to fill a hole between
    single = ("META ANUAL", "TRIMESTRE 1", "OBSERVACIONES", "TRIMESTRE 3")
    table = Table(page=1, box=Box(0, 0, 100, 100), cells=(), n_rows=1, n_cols=len(single), header_rows=1,
                  header_paths=single, ruled=False)
    assert set(period_columns(table).values()) == {1, 3}
    # a pair's two labels read as one (`P.A`) is a pair of its own, no hole to fill
    paths = ("PERIODO > Ene-Mar > P", "PERIODO > Ene-Mar > A", "PERIODO > Abr-Jun", "PERIODO > Abr-Jun > P.A",
             "PERIODO > Jul-Sep > P", "PERIODO > Jul-Sep > A")
    table = Table(page=1, box=Box(0, 0, 100, 100), cells=(), n_rows=1, n_cols=len(paths), header_rows=1,
                  header_paths=paths, ruled=False)
    assert 3 not in period_columns(table).values()


def test_a_programmed_or_achieved_label_ocr_garbled_is_the_half_its_pair_lacks():
    # `P` read `Pp` under a quarter OCR also misread (`Eno-Mar`): the pair still has two halves
    from avance.tables.model import Box, Table
    from avance.tables.periods import period_columns
    paths = ("META ANUAL", "PERIODO > Eno-Mar > Pp", "PERIODO > Eno-Mar > A", "PERIODO > Abr-Jun > P",
             "PERIODO > Abr-Jun > 4", "PERIODO > Jul-Sep > P", "PERIODO > Jul-Sep > A", "PERIODO > TOTAL")
    table = Table(page=1, box=Box(0, 0, 100, 100), cells=(), n_rows=1, n_cols=len(paths), header_rows=1,
                  header_paths=paths, ruled=False)
    assert period_columns(table) == {(1, "P"): 1, (1, "A"): 2, (2, "P"): 3, (2, "A"): 4, (3, "P"): 5, (3, "A"): 6}


def test_a_quarter_whose_programmed_and_achieved_labels_read_as_one_is_a_pair_parted_at_its_figures():
    # the rule between P and A too short to part the header cell: `P|A`, `Pla` over two figures a row
    from avance.tables.model import Box, Cell, Table
    from avance.tables.periods import pair_columns, pair_cut as _pair_cut, pair_label
    assert all(pair_label(t) for t in ("P|A", "Pla", "P/A", "Pp|a", "PA"))
    assert not any(pair_label(t) for t in ("P", "A", "PROGRAMADA", "Pza", "META"))
    paths = ("META ANUAL", "PERIODO > Ene-Mar > Pla", "PERIODO > — Abr-Jun > Pp|a", "AVANCE ABSOLUTO")
    cells = [Cell(100, 10, 130, 20, row=1, col=1, text="598 568",
                  words=(Word(104, 10, 114, 20, "598"), Word(121, 10, 129, 20, "568"))),
             Cell(100, 20, 130, 30, row=2, col=1, text="47 43",
                  words=(Word(108, 20, 114, 30, "47"), Word(123, 20, 129, 30, "43")))]
    table = Table(page=1, box=Box(60, 0, 200, 30), cells=tuple(cells), n_rows=3, n_cols=4, header_rows=1,
                  header_paths=paths, ruled=True)
    assert pair_columns(table) == {1: 1, 2: 2}
    assert 114 < _pair_cut(table, 1) < 121  # in the gap between the two figures, not the cell's middle
    assert _pair_cut(table, 2) == sum(table.column_extent(2)) / 2  # no figures: the middle


def test_a_cut_off_date_written_out_is_the_report_date():
    from avance.extractors.layout import group_lines
    from avance.families.common import find_report_date
    words = [Word(40 + 40 * i, 20, 75 + 40 * i, 28, t) for i, t in enumerate("Fecha de corte: 30 de junio de 2024".split())]
    assert find_report_date(group_lines(words)) == "2024-06"


def _column_ruled(rows: list[list[str]], widths: list[float]) -> Page:
    """A header row ruled all round over a body ruled only by its columns and a closing rule."""
    page = _page(rows, widths, ruled=True)
    header_bottom = 116
    kept = tuple(r for r in page.rules if r.height > 1 or r.top < header_bottom + 1 or r.top > 100 + 16 * len(rows) - 1)
    return Page(1, 900, 700, page.words, kept)


def test_a_body_ruled_only_by_its_columns_is_read_line_by_line():
    # a budget statement: every line of the body carries its figures in the same columns
    header = ["Concepto", "Aprobado", "Modificado", "Devengado"]
    body = [["GOBIERNO", "$0.00", "$0.00", "$0.00"], ["JUSTICIA", "$0.00", "$0.00", "$0.00"],
            ["EDUCACIÓN", "$67,109,951.43", "$69,125,998.55", "$39,450,710.00"],
            ["SALUD", "$1,000.00", "$1,200.00", "$900.00"]]
    table, = read_tables(_column_ruled([header] + body, [200, 100, 100, 100]))
    assert table.n_rows == 5 and table.header_rows == 1
    assert [table.text(r, 0) for r in table.body_rows()] == ["GOBIERNO", "JUSTICIA", "EDUCACIÓN", "SALUD"]
    assert table.text(3, 2) == "$69,125,998.55" and table.header_paths[2] == "Modificado"


def test_a_band_whose_lines_fill_other_columns_stays_one_row():
    # a project line with its budget over goal lines with their targets: one ruled row
    header = ["Proyecto", "Programada", "Alcanzada", "Aprobado", "Ejercido"]
    body = [["A001 FOMENTO", "", "", "178,103,282.00", "180,603,282.00"],
            ["Cursos impartidos", "3,191.00", "649.00", "", ""],
            ["Personas capacitadas", "51,051.00", "9,984.00", "", ""],
            ["Becas entregadas", "120.00", "30.00", "", ""]]
    table, = read_tables(_column_ruled([header] + body, [200, 90, 90, 110, 110]))
    assert table.n_rows == 2
    assert table.text(1, 1) == "3,191.00 51,051.00 120.00"


def test_quarter_labels_ocr_misread_are_named_by_their_order():
    from avance.tables.model import Box, Table
    from avance.tables.periods import period_columns
    paths = ("DESCRIPCION", "PERIODO > 1er. trim. > P", "PERIODO > 1er. trim. > A", "PERIODO > 2d0. trim. > P",
             "PERIODO > 2d0. trim. > A", "PERIODO > Ser. trim. > P", "PERIODO > Ser. trim. > A",
             "PERIODO > áto. trim. > P", "PERIODO > áto. trim. > A", "ACUMULADO > P", "ACUMULADO > A")
    table = Table(page=1, box=Box(0, 0, 100, 100), cells=(), n_rows=1, n_cols=len(paths), header_rows=1,
                  header_paths=paths, ruled=False)
    periods = period_columns(table)
    assert periods[(3, "P")] == 5 and periods[(4, "A")] == 8
    assert 9 not in periods.values() and 10 not in periods.values()  # a column of its own, not a quarter


def test_a_quarter_pair_read_as_one_column_keeps_its_place_in_the_order():
    from avance.tables.model import Box, Table
    from avance.tables.periods import period_columns
    # unruled on a scan: `Ene-Mar` read `nar`; the second and third quarters' P/A labels
    # lost, each pair one column; the heading over them reached the middle ones only
    paths = ("DESCRIPCIÓN", "ANUAL", "nar > PROG.", "nar > EJEC.", "CALENDARIO TRIMESTRAL > Abr-Jun",
             "CALENDARIO TRIMESTRAL > Jul-Sep", "Oct-Dic > PROG.", "Oct-Dic > EJEC.", "LOGRO ACUMULADO")
    table = Table(page=1, box=Box(0, 0, 100, 100), cells=(), n_rows=1, n_cols=len(paths), header_rows=1,
                  header_paths=paths, ruled=False)
    periods = period_columns(table)
    assert (periods[(1, "P")], periods[(1, "A")]) == (2, 3)  # not the third quarter: two stand between
    assert (periods[(4, "P")], periods[(4, "A")]) == (6, 7)


def test_a_scanned_list_boxed_right_over_a_goal_table_stays_a_grid_of_its_own():
    # on a scan rule pieces a few points apart are joined; the outer rules of a box
    # drawn just over another are not one rule (each ends on its own box's rule)
    from avance.records import ScanGeometry
    listing = _page([["4.1", "Profesionalización del servicio público"], ["4.2", "Fiscalización"]],
                    [60, 450], ruled=True)
    table = _page([HEADER] + BODY, WIDTHS, ruled=True)
    table_words, table_rules = _shifted(table, 38)  # its top rule 6 points under the list's bottom rule
    page = Page(1, 900, 700, listing.words + table_words, listing.rules + table_rules,
                scan=ScanGeometry(300, 0, 0.0))
    grids = read_tables(page)
    assert [(g.n_rows, g.n_cols) for g in grids] == [(2, 2), (3, 5)]


def test_a_page_footer_is_no_row_and_a_header_a_little_apart_is_still_the_header():
    from avance.tables.reader import _values
    from avance.extractors.layout import group_lines
    footer, = group_lines([_word(40, 590, "SIPPRES"), _word(600, 590, "Página"), _word(640, 590, "1"),
                           _word(652, 590, "de"), _word(668, 590, "2")])
    assert _values(footer) == 0
    # small type: the header's last line a rule's width (7.5 points, more than a line) over the body
    words = [_word(50, 100, "Meta"), _word(75, 100, "anual"), _word(150, 100, "Programado"), _word(250, 100, "Alcanzado")]
    for i, (a, b, c) in enumerate((("120", "30", "28"), ("4", "1", "0"), ("9", "2", "2"))):
        top = 114 + 9 * i
        words += [_word(50, top, a), _word(150, top, b), _word(250, top, c)]
    words = [Word(w.x0, w.top, w.x1, w.top + 5, w.text) for w in words]  # 5-point type
    words[-3:] = [Word(w.x0, w.top + 3, w.x1, w.bottom + 3, w.text) for w in words[-3:]]
    table, = read_tables(Page(1, 900, 700, tuple(words)))
    assert table.header_paths == ("Meta anual", "Programado", "Alcanzado")


def test_roman_quarter_labels_ocr_garbles_are_named_by_their_order():
    from avance.tables.model import Box, Table
    from avance.tables.periods import period_columns
    paths = ("META ANUAL", "I > P", "I > A", "1I > P", "1I > A", "T1II > P", "T1II > A", "IV > P", "IV > A")
    table = Table(page=1, box=Box(0, 0, 100, 100), cells=(), n_rows=1, n_cols=len(paths), header_rows=1,
                  header_paths=paths, ruled=False)
    assert period_columns(table) == {(1, "P"): 1, (1, "A"): 2, (2, "P"): 3, (2, "A"): 4, (3, "P"): 5, (3, "A"): 6,
                                     (4, "P"): 7, (4, "A"): 8}


def test_a_column_whose_header_was_not_read_is_named_by_its_place():
    from avance.tables.concepts import fill_by_order

    concepts = CONCEPTS + (Concept("modified", ("Meta modificada",), "number"),
                           Concept("pct", ("Porcentaje de cumplimiento",), "percent"))
    order = ((("target",), ("modified",), ("achieved",), ("pct",)),)
    # a two-row header: `METAS` over four figure columns whose headers OCR garbled
    header = [["Nombre del indicador", "Unidad de medida", "METAS", "METAS", "METAS", "METAS"],
              ["Nombre del indicador", "Unidad de medida", "Programada", "MOD. - ANJAL", "Alcanzada", "a CUMPA"]]
    body = [["Porcentaje de cursos impartidos", "Curso", "120", "130", "60", "46.15"],
            ["Número de personas capacitadas", "Persona", "3,500", "3,500", "1,200", "34.29"]]
    table, = read_tables(_page(header + body, [190, 90, 60, 60, 60, 60], ruled=True, header_rows=2))
    matched = match_columns(table, concepts)
    assert "modified" not in matched and "pct" not in matched
    found = {k: m.column for k, m in fill_by_order(table, matched, concepts, order).items()}
    assert (found["target"], found["modified"], found["achieved"], found["pct"]) == (2, 3, 4, 5)
    # without the named neighbours around it, a column is not named by place
    unnamed = {k: v for k, v in matched.items() if k != "achieved"}
    assert "modified" not in fill_by_order(table, unnamed, concepts, order)


def test_a_block_label_flush_left_ends_an_unruled_table():
    # `Línea base y metas por periodo:` table, then `Parámetros de semaforización:` and its ranges
    words = [_word(50, 100, "PERIODO"), _word(250, 100, "VALOR"), _word(282, 100, "META"), _word(350, 100, "BASE")]
    for i, q in enumerate(("1er.", "2do.", "3er.", "4to.")):
        top = 112 + 10 * i
        words += [_word(50, top, q), _word(73, top, "trim."), _right(320, top, "90.00"), _right(400, top, "0.00")]
    words += [_word(40, 155, "Parámetros"), _word(96, 155, "de"), _word(110, 155, "semaforización:")]
    words += [_word(60, 167, "0.00"), _word(85, 167, "-"), _word(93, 167, "75.00"), _word(200, 167, "76.00"),
              _word(230, 167, "-"), _word(238, 167, "89.00")]
    table, = read_tables(Page(1, 900, 700, tuple(words)))
    assert [table.text(r, 0) for r in table.body_rows()] == ["1er. trim.", "2do. trim.", "3er. trim.", "4to. trim."]


def test_labels_stacked_in_a_narrow_cell_beside_centred_ones_are_one_header():
    # `% DE` / `AVANCE` / `DEL` / `TRIMESTRE` stacked in a narrow column, `REALIZADO` centred
    # beside them, the table's title over both: eight header lines
    stacked = [("SEGUIMIENTO", 150), ("PORCENTAJE", 230), ("AVANCE", 230), ("REALIZADO", 150), ("DEL", 230),
               ("TRIMESTRE", 230), ("Nivel", 50), ("Abr-Jun", 230)]
    words = []
    for i, (label, x) in enumerate(stacked):
        for j, token in enumerate(label.split()):
            words.append(_word(x + 27 * j, 100 + 4.5 * i, token))
    for i, (level, done, pct) in enumerate((("Fin", "4.75", "85.74%"), ("Propósito", "26", "104.00%"),
                                             ("Componente", "23", "92.00%"))):
        top = 150 + 12 * i
        words += [_word(50, top, level), _right(200, top, done), _right(290, top, pct)]
    table, = read_tables(Page(1, 900, 700, tuple(words)))
    assert "PORCENTAJE" in table.header_paths[2] and "TRIMESTRE" in table.header_paths[2]


def test_roman_quarter_labels_read_as_ones_are_no_row_of_figures():
    from avance.extractors.layout import group_lines
    from avance.tables.reader import _values
    labels, = group_lines([_word(40, 100, "DESCRIPCION"), _word(300, 100, "I"), _word(340, 100, "11"),
                           _word(380, 100, "111"), _word(420, 100, "Iv"), _word(470, 100, "OBSERVACIONES")])
    assert _values(labels) == 0
    row, = group_lines([_word(40, 100, "101-"), _word(300, 100, "11"), _word(340, 100, "12")])
    assert _values(row) == 2


def test_two_unruled_tables_one_over_the_other_are_two_tables():
    # a report's results by quarter, then its variables' values under a title without a
    # colon, a header whose `PERIODO` stands centred over the quarters, figures in other columns
    words = [_word(40, 100, "Avance"), _word(70, 100, "por"), _word(88, 100, "periodo")]
    quarters = ("1er.", "2do.", "3er.", "4to.")
    for i, q in enumerate(quarters):
        words += [_word(220 + 110 * i, 100, q), _word(240 + 110 * i, 100, "trim.")]
    for r, (label, values) in enumerate((("RESULTADO", ("88.5", "85.5")), ("META", ("90.0",) * 4),
                                         ("Avance", ("98.3%", "95.0%")))):
        top = 112 + 10 * r
        words.append(_word(40, top, label))
        words += [_right(270 + 110 * i, top, v) for i, v in enumerate(values)]
    words += [_word(40, 160, "Valores"), _word(72, 160, "de"), _word(84, 160, "las"), _word(98, 160, "variables")]
    words += [_word(185, 172, "PERIODO"), _word(390, 172, "CLAVE"), _word(550, 172, "DESCRIPCIÓN")]
    for i, q in enumerate(quarters):
        words += [_word(66 + 80 * i, 182, q), _word(84 + 80 * i, 182, "trim.")]
    for r, (key, values) in enumerate((("PMAV", ("88.50", "85.50")), ("MAV", ("594", "562")),
                                       ("MSA", ("641", "657")))):
        top = 194 + 10 * r
        words += [_right(120 + 80 * i, top, v) for i, v in enumerate(values)]
        words += [_word(390, top, key), _word(550, top, "MUJERES"), _word(590, top, "ATENDIDAS")]
    results, variables = read_tables(Page(1, 900, 700, tuple(words)))
    assert [results.text(r, 0) for r in results.body_rows()] == ["RESULTADO", "META", "Avance"]
    keys = variables.header_paths.index("CLAVE")
    assert [variables.text(r, keys) for r in variables.body_rows()] == ["PMAV", "MAV", "MSA"]
    second = next(c for c, path in enumerate(variables.header_paths) if path.endswith("2do. trim."))
    assert "PERIODO" in variables.header_paths[second]
    assert [variables.text(r, second) for r in variables.body_rows()] == ["85.50", "562", "657"]


def test_quarter_numerals_ocr_misread_are_known_by_their_ending():
    from avance.tables.periods import quarter_of
    assert [quarter_of(t) for t in ("2d0. trim.", "áto. trim.", "Zdo. trim.", "Ser. trim.", "3do. trim.")] == \
        [2, 4, 2, None, None]
    # a label that says `trimestre` before its quarter's own spelling (`DEL TRIMESTRE 4to. trim.`)
    assert quarter_of("% DE AVANCE DEL TRIMESTRE 4to. trim.") == 4
    assert quarter_of("DEL TRIMESTRE") is None and quarter_of("PRIMER TRIMESTRE DE AVANCE") == 1


def test_a_month_range_with_a_letter_ocr_misread_names_its_quarter():
    from avance.tables.periods import quarter_of
    assert [quarter_of(t) for t in ("Jui-Sep", "0ct-Dic", "En-Mar", "ENER0-MARZO")] == [3, 4, 1, 1]
    # a half year is no quarter, nor is a word of the length of a range
    assert [quarter_of(t) for t in ("Ene-Jun", "Jul-Dic", "ACUMULADO", "Ene-Mzo")] == [None] * 4


def test_one_row_under_its_header_is_a_table_and_a_lone_figure_line_is_not():
    # the last goal of a table, alone on the next page under the header printed again
    header = [_word(50, 100, "DESCRIPCION"), _word(200, 100, "META"), _word(223, 100, "ANUAL"),
              _word(300, 100, "UNIDAD"), _word(380, 100, "PROGRAMADO"), _word(460, 100, "ALCANZADO")]
    row = [_word(50, 114, "108-"), _word(73, 114, "ELABORAR"), _word(116, 114, "PROYECTO"),
           _right(255, 114, "1"), _word(300, 114, "PROYECTO"), _right(430, 114, "1"), _right(505, 114, "0")]
    signature = [_word(100, 200, "ELABORÓ"), _word(400, 200, "AUTORIZÓ")]
    table, = read_tables(Page(1, 900, 700, tuple(header + row + signature)))
    assert table.header_paths == ("DESCRIPCION", "META ANUAL", "UNIDAD", "PROGRAMADO", "ALCANZADO")
    assert [table.text(table.body_rows()[0], c) for c in range(5)] == ["108- ELABORAR PROYECTO", "1", "PROYECTO", "1", "0"]
    # a line of figures with no header naming its columns stays free text
    title = [_word(50, 90, "SEGUIMIENTO"), _word(120, 90, "DE"), _word(135, 90, "METAS")]
    assert read_tables(Page(1, 900, 700, tuple(title + row + signature))) == []
    # nor does a sentence with figures in it in a column of text, or a row of column numbers
    sentence = [_word(50, 114, "Meta")] + _words(200, 114, "grupos — 45 alumnos — 1,456 horas — 2026 ciclo") + \
        [_word(460, 114, "Documentación")]
    assert read_tables(Page(1, 900, 700, tuple(header + sentence + signature))) == []
    numbers = [_word(x, 114, t) for x, t in ((50, "1"), (200, "2"), (300, "3=(1+2)"), (380, "4"), (460, "5=(3-4)"))]
    assert read_tables(Page(1, 900, 700, tuple(header + numbers + signature))) == []


def test_figures_quoted_in_a_wrapped_justification_do_not_part_the_table():
    # a MIR row whose first cell wraps to the left edge and whose justification quotes
    # figures (`fue 14.27% ya que de los 3,336`) in other columns than the row's figures
    sentence = _words
    words = [_word(40, 100, "RESPONSABLE"), _word(150, 100, "NIVEL"), _word(300, 100, "ANUAL"),
             _word(360, 100, "TRIM"), _word(420, 100, "JUSTIFICACIÓN")]
    for top, (unit, level, annual, q, first, *wrapped) in ((114, ("Dirección", "Actividad", "12,022", "3,336",
                                                                  "Durante el", "trimestre se logró el",
                                                                  "14.27% ya que de los 3,336 recorridos")),
                                                           (160, ("Coordinación", "Componente", "100", "25",
                                                                  "Durante el", "trimestre se alcanzó",
                                                                  "el 84.00% de 25 programadas"))):
        words += [_word(40, top, unit), _word(150, top, level), _right(330, top, annual), _right(390, top, q)]
        words += sentence(420, top, first)
        words.append(_word(40, top + 10, "Ciudadana"))
        for k, text in enumerate(wrapped):
            words += sentence(420, top + 10 * (k + 1), text)
    table, = read_tables(Page(1, 900, 700, tuple(words)))
    firsts = [table.text(r, 0) for r in table.body_rows()]
    assert any("Dirección" in t for t in firsts) and any("Coordinación" in t for t in firsts)


def test_a_label_wrapped_under_itself_does_not_span_its_neighbours_lower_label():
    # `FRECUENCIA DE` / `MEDICIÓN DEL` is one label of one column; `INDICADOR`, the next
    # column's label printed a line lower, is not under it
    words = [_word(30, 100, "UNIDAD"), _word(200, 100, "FRECUENCIA"), _word(252, 100, "DE"),
             _word(300, 100, "UNIDAD"), _word(332, 100, "DE"), _word(344, 100, "MEDIDA"),
             _word(30, 109, "RESPONSABLE"), _word(120, 109, "INDICADOR"), _word(203, 109, "MEDICIÓN"),
             _word(245, 109, "DEL"), _word(395, 109, "ANUAL"), _word(455, 109, "TRIM.")]
    for i in range(3):
        top = 125 + 14 * i
        words += [_word(30, top, "Dirección"), _word(120, top, "IPSM"), _word(205, top, "Anual"),
                  _word(300, top, "Porcentaje"), _right(420, top, "22.15"), _right(480, top, "5.54")]
    table, = read_tables(Page(1, 900, 700, tuple(words)))
    assert table.header_paths[1] == "INDICADOR"
    assert table.header_paths[2] == "FRECUENCIA DE MEDICIÓN DEL"


def test_a_percentage_label_stacked_over_its_quarter_in_one_cell():
    # `% DE AVANCE` / `DEL TRIMESTRE` / `JULIO-SEPTIEMBRE` read as one label of one column
    from avance.tables.model import Box, Table
    from avance.tables.periods import period_columns
    paths = ("PROGRAMADO 2026 > JULIO-SEPTIEMBRE", "% DE AVANCE DEL TRIMESTRE JULIO-SEPTIEMBRE",
             "PORCENTAJE DE AVANCE ACUMULADO JULIO-SEPTIEMBRE")
    table = Table(page=1, box=Box(0, 0, 100, 100), cells=(), n_rows=1, n_cols=3, header_rows=1,
                  header_paths=paths, ruled=False)
    assert period_columns(table) == {(3, "P"): 0, (3, "%"): 1, (3, "%acc"): 2}


def test_a_header_line_of_bare_years_stays_in_the_header():
    # `PORCENTAJE` / `AVANCE` / `2026`: the wrapped labels' years on a line of their own are
    # no row of figures; the header runs down to them
    words = [_word(150, 100, "META"), _word(250, 100, "PORCENTAJE"), _word(350, 100, "PORCENTAJE"),
             _word(50, 109, "NIVEL"), _word(150, 109, "ANUAL"), _word(250, 109, "AVANCE"), _word(350, 109, "ACUMULADO"),
             _word(255, 118, "2026"), _word(360, 118, "2026")]
    for i, level in enumerate(("Fin", "Propósito", "Componente")):
        top = 135 + 14 * i
        words += [_word(50, top, level), _right(190, top, "22.15"), _right(300, top, "95.00%"), _right(400, top, "88.10%")]
    table, = read_tables(Page(1, 900, 700, tuple(words)))
    assert table.header_paths[2] == "PORCENTAJE AVANCE 2026" and table.header_paths[3] == "PORCENTAJE ACUMULADO 2026"
    assert [table.text(r, 0) for r in table.body_rows()] == ["Fin", "Propósito", "Componente"]



def test_a_quarter_after_a_year_in_one_label():
    from avance.tables.periods import quarter_of
    assert quarter_of("PORCENTAJE DE AVANCE TRIMESTRAL 2026 TRIMESTRE 2") == 2 and quarter_of("3er trimestre 2026") == 3


def test_quarter_numbers_wrapped_under_their_label_are_header():
    # narrow cells (Courier) wrap `TRIMESTRE 1` to `TRIMESTRE` / `1`: a line of nothing but
    # quarter numbers under those labels names the quarters, it is no row
    from avance.tables.periods import period_columns
    words = [_word(50, 100, "NIVEL"), _word(150, 100, "ANUAL"), _word(200, 100, "TRIMESTRE"), _word(260, 100, "TRIMESTRE"),
             _word(220, 109, "1"), _word(280, 109, "2")]
    for i, level in enumerate(("Fin", "Propósito", "Componente")):
        top = 125 + 14 * i
        words += [_word(50, top, level), _right(190, top, "22.15"), _right(250, top, "5.54"), _right(310, top, "5.53")]
    table, = read_tables(Page(1, 900, 700, tuple(words)))
    assert period_columns(table) == {(1, "P"): 2, (2, "P"): 3}
    assert [table.text(r, 0) for r in table.body_rows()] == ["Fin", "Propósito", "Componente"]
    # the next line of another label may share the digits' line (`PROGRAMADO` / `ANUAL`)
    shared = [w for w in words if w.text != "ANUAL"] + [_word(135, 100, "PROGRAMADO"), _word(150, 109, "ANUAL")]
    table, = read_tables(Page(1, 900, 700, tuple(shared)))
    assert period_columns(table) == {(1, "P"): 2, (2, "P"): 3}
    assert [table.text(r, 0) for r in table.body_rows()] == ["Fin", "Propósito", "Componente"]



def test_a_tall_first_cell_between_two_rows_keeps_them_one_table():
    # the justification printed first, wrapped over many lines at the table's left edge,
    # its row's last text cell ending with a label's colon; the rows' figures to the right
    text = _words

    words = text(40, 90, "JUSTIFICACIÓN") + text(200, 90, "NIVEL") + text(300, 90, "ANUAL") + \
        text(360, 90, "TRIM. 1") + text(430, 90, "UNIDAD")
    top = 102
    for level, annual, q1 in (("Fin", "22.15", "5.54"), ("Propósito", "100", "25"), ("Actividad", "37", "11")):
        words += text(40, top, "Justificación:") + text(200, top, level) + [_right(335, top, annual), _right(400, top, q1)]
        words += text(430, top, "UNIDAD DE")
        words += text(40, top + 10, "el índice se") + text(430, top + 10, "MEDIDA DEL")
        words += text(40, top + 20, "integra por") + text(430, top + 20, "INDICADOR:")
        for k in range(3, 17):  # the justification runs on alone in its column
            words += text(40, top + 10 * k, "de fuentes")
        top += 10 * 17 + 4
    tables = read_tables(Page(1, 900, 700, tuple(words)))
    assert len(tables) == 1
    table = tables[0]
    level = table.header_paths.index("NIVEL")
    assert [table.text(r, level) for r in table.body_rows() if table.text(r, level)] == ["Fin", "Propósito", "Actividad"]


def test_a_quarter_named_inside_a_long_label_gives_way_to_the_quarter_label_itself():
    from avance.tables.model import Box, Table
    from avance.tables.periods import period_columns
    # the justification printed first names its quarter in prose; the programmed quarter's
    # own column stands further right
    paths = ("JUSTIFICACIÓN PRIMER TRIMESTRE DE AVANCE DE RESULTADOS 2026", "ANUAL",
             "META PROGRAMADA 2026 > TRIMESTRE 1", "META PROGRAMADA 2026 > TRIMESTRE 2", "NIVEL")
    table = Table(page=1, box=Box(0, 0, 100, 100), cells=(), n_rows=1, n_cols=len(paths), header_rows=1,
                  header_paths=paths, ruled=False)
    assert period_columns(table) == {(1, "P"): 2, (2, "P"): 3}


def test_one_row_under_a_header_with_a_figure_set_close_to_its_text_neighbour():
    # a page holding one cramped row: one figure a space from the level beside it
    head = ["NIVEL", "ANUAL", "TRIM. 1", "TRIM. 2", "ALCANZADA", "AVANCE %"]
    words = [w for i, label in enumerate(head) for w in _words(40 + 70 * i, 100, label)]
    words += [_word(40, 114, "Actividad"), _word(40 + 45 + 2.5, 114, "100.00%")]
    words += [_right(165 + 70 * i, 114, v) for i, v in enumerate(("13", "20", "10", "19.70%"))]
    words += [_word(40, 160, "ELABORÓ")]
    tables = read_tables(Page(1, 900, 700, tuple(words)))
    assert len(tables) == 1 and tables[0].n_rows - tables[0].header_rows == 1
    # prose with one figure in it stays prose
    prose = [_word(40, 100, "NIVEL"), _word(200, 100, "ANUAL"), _word(40, 114, "su"), _word(53, 114, "matrícula"),
             _word(101, 114, "en"), _word(114, 114, "45"), _word(127, 114, "estudiantes"), _right(230, 114, "3")]
    assert read_tables(Page(1, 900, 700, tuple(prose))) == []


def test_the_next_quarter_of_a_run_left_under_the_group_label_holds_what_its_run_holds():
    from avance.tables.model import Box, Table
    from avance.tables.periods import period_columns
    # `METAS PROGRAMADAS` centred over four quarters, its words over three: the fourth
    # came out under `AVANCE DE METAS` alone (whose `AVANCE` would say achieved)
    paths = ("AVANCE DE METAS > METAS PROGRAMADAS > 1er. trim.", "AVANCE DE METAS > METAS PROGRAMADAS > 2do. trim.",
             "AVANCE DE METAS > METAS PROGRAMADAS > 3er. trim.", "AVANCE DE METAS > 4to. trim.",
             "AVANCE DE METAS > LOGRO > 1er. trim.")
    table = Table(page=1, box=Box(0, 0, 100, 100), cells=(), n_rows=1, n_cols=len(paths), header_rows=1,
                  header_paths=paths, ruled=False)
    assert period_columns(table) == {(1, "P"): 0, (2, "P"): 1, (3, "P"): 2, (4, "P"): 3, (1, "A"): 4}


def test_a_quarter_whose_kind_ocr_lost_beside_a_pair_keeps_no_kind_of_its_neighbour():
    from avance.tables.model import Box, Table
    from avance.tables.periods import period_columns
    # `Ene-Mar > A` then `Abr-Jun` whose `P` OCR lost: not a run of quarters as leaves
    paths = ("PERIODO > Ene-Mar > P", "PERIODO > Ene-Mar > A", "PERIODO > Abr-Jun", "PERIODO > Abr-Jun > A")
    table = Table(page=1, box=Box(0, 0, 100, 100), cells=(), n_rows=1, n_cols=len(paths), header_rows=1,
                  header_paths=paths, ruled=False)
    assert period_columns(table)[(2, "P")] == 2


def test_four_programmed_and_achieved_pairs_whose_roman_labels_ocr_garbled_are_the_quarters_in_order():
    from avance.tables.model import Box, Table
    from avance.tables.periods import period_columns
    # `I II III IV` read `! " "m Iv`; a group label centred over the four covered two of them
    paths = ("DESCRIPCIÓN", "! > PROG.", "! > EJEC.", "CALENDARIO > \" > PROG.", "CALENDARIO > \" > EJEC.",
             "CALENDARIO > \"m > PROG.", "CALENDARIO > \"m > EJEC.", "Iv > PROG.", "Iv > EJEC.", "ACUMULADO > PROG.")
    table = Table(page=1, box=Box(0, 0, 100, 100), cells=(), n_rows=1, n_cols=len(paths), header_rows=1,
                  header_paths=paths, ruled=False)
    assert period_columns(table) == {(1, "P"): 1, (1, "A"): 2, (2, "P"): 3, (2, "A"): 4, (3, "P"): 5, (3, "A"): 6,
                                     (4, "P"): 7, (4, "A"): 8}
    # a readable label out of its place keeps them unnumbered
    wrong = tuple(p.replace("Iv >", "II >") for p in paths)
    table = Table(page=1, box=Box(0, 0, 100, 100), cells=(), n_rows=1, n_cols=len(wrong), header_rows=1,
                  header_paths=wrong, ruled=False)
    assert (4, "P") not in period_columns(table)


def test_garbled_quarter_pairs_under_a_heading_reaching_halves_of_two_pairs_are_numbered_in_order():
    from avance.tables.model import Box, Table
    from avance.tables.periods import period_columns
    # `I II III IV` read `Ú " "m wv`; `PERIODO`, centred over the eight columns without
    # rules, reached the achieved column of one pair and the programmed of the next
    paths = ("DESCRIPCIÓN", "Ú > P", "Ú > A", "\" > P", "PERIODO > \" > A", "PERIODO > \"m > P", "\"m > A",
             "wv > P", "wv > A", "AVANCE > ABSOLUTO")
    table = Table(page=1, box=Box(0, 0, 100, 100), cells=(), n_rows=1, n_cols=len(paths), header_rows=1,
                  header_paths=paths, ruled=False)
    assert period_columns(table) == {(1, "P"): 1, (1, "A"): 2, (2, "P"): 3, (2, "A"): 4, (3, "P"): 5, (3, "A"): 6,
                                     (4, "P"): 7, (4, "A"): 8}


def test_quarters_grouped_by_what_they_hold_are_read_under_either_label():
    from avance.tables.model import Box, Table
    from avance.tables.periods import period_columns

    def columns(paths):
        return period_columns(Table(page=1, box=Box(0, 0, 100, 100), cells=(), n_rows=1, n_cols=len(paths),
                                    header_rows=1, header_paths=paths, ruled=False))

    whole = {(1, "P"): 2, (2, "P"): 3, (3, "P"): 4, (4, "P"): 5, (1, "A"): 6, (2, "A"): 7, (3, "A"): 8, (4, "A"): 9}
    # a short label centred over four unruled quarters reaches the middle two: the first
    # and last hold what the run holds
    paths = ("DESCRIPCIÓN", "PROGRAMACIÓN ANUAL", "PROGRAMACIÓN > ENERO-MARZO", "PROGRAMACIÓN > ABRIL-JUNIO",
             "PROGRAMACIÓN > JULIO-SEPTIEMBRE", "PROGRAMACIÓN > OCTUBRE-DICIEMBRE", "ENERO-MARZO",
             "LOGRO > ABRIL-JUNIO", "LOGRO > JULIO-SEPTIEMBRE", "OCTUBRE-DICIEMBRE", "LOGRO ACUMULADO")
    assert columns(paths) == whole
    # on a scan a quarter's label lost or garbled: its place in the run under the label
    paths = ("DESCRIPCIÓN", "META ANUAL", "METAS PROGRAMADAS", "METAS PROGRAMADAS > Abr-Jun",
             "METAS PROGRAMADAS > Jul-Sep", "METAS PROGRAMADAS > Oct-Dic", "METAS ALCANZADAS",
             "METAS ALCANZADAS > AbrJun", "METAS ALCANZADAS > JubSep", "METAS ALCANZADAS > OctDic", "OBSERVACIONES")
    assert columns(paths) == whole
    # one quarter named is no run to number by
    assert (1, "A") not in columns(("DESCRIPCIÓN", "META ANUAL", "METAS ALCANZADAS", "METAS ALCANZADAS > Abr-Jun"))


def test_a_quarter_label_whose_ordinal_ocr_read_as_a_number_stays_in_the_header():
    # `2do. trim.` read `240. trim.` looks like a numbered item (`101.- SEGUIMIENTO`), which
    # starts a table's body: the word quarter after it says it is a label
    header = [["DESCRIPCIÓN", "PERIODO", "PERIODO", "PERIODO", "PERIODO"],
              ["DESCRIPCIÓN", "1er. trim.", "1er. trim.", "240. trim.", "240. trim."],
              ["DESCRIPCIÓN", "P", "A", "P", "A"]]
    body = [["101.- SEGUIMIENTO AL GASTO", "12", "0", "12", "11"], ["102.- DAR MANTENIMIENTO", "24", "24", "23", "26"]]
    table, = read_tables(_page(header + body, [190, 60, 60, 60, 60], ruled=True))
    assert table.header_rows == 3
    assert table.header_paths[3] == "PERIODO > 240. trim. > P"
    assert table.text(3, 0) == "101.- SEGUIMIENTO AL GASTO"


def test_a_wrapped_label_centred_over_a_narrow_column_heads_that_column_alone():
    # `AVANCE` / `ABSOLUTO` centred in a narrow figures column between the description
    # and the observations, the description's label on a line between its two lines
    words = _words(250, 100, "AVANCE") + _words(60, 105, "DESCRIPCION DE LAS METAS") + \
        _words(320, 105, "OBSERVACIONES") + _words(245, 110, "ABSOLUTO") + \
        _words(700, 100, "LÍNEA DE") + _words(610, 105, "AVANCE") + _words(780, 105, "META") + \
        _words(702, 110, "ACCIÓN") + _words(782, 110, "ANUAL")
    for i, (desc, fig, obs) in enumerate((("101- UNO DOS TRES", "12", "Sin avance"), ("102- CUATRO", "4", "Meta"),
                                          ("103- CINCO SEIS", "7", "Meta"))):
        top = 125 + 12 * i
        words += _words(60, top, desc) + [_right(280, top, fig)] + _words(320, top, obs) + \
            [_right(650, top, "25%"), _word(705, top, "4.5.3"), _right(810, top, "20")]
    table, = read_tables(Page(1, 900, 700, tuple(words)))
    assert table.header_paths == ("DESCRIPCION DE LAS METAS", "AVANCE ABSOLUTO", "OBSERVACIONES", "AVANCE",
                                  "LÍNEA DE ACCIÓN", "META ANUAL")


def test_a_header_whose_words_ocr_ran_together_still_names_its_concept():
    from avance.tables.concepts import Concept, header_score
    unit = Concept("unit", ("Unidad de medida", "U. de medida"), "text")
    assert header_score("U.DEMEDIDA", unit) >= 90
    assert header_score("OBSERVACIONES", unit) < 60


def test_two_lines_within_the_tolerance_stay_two_lines_when_their_words_lie_over_each_other():
    # a 150-dpi scan's word boxes: the second line's boxes reach up into the first's
    from avance.extractors.grid import blocks
    from avance.extractors.layout import group_lines
    from avance.families.mir_table import cell_text

    words = [Word(33.8, 213.4, 59.0, 221.8, "Dirección", 93.0), Word(63.1, 213.4, 83.0, 221.8, "General", 95.0),
             Word(33.6, 215.3, 40.0, 227.0, "de", 97.0), Word(43.2, 215.3, 68.0, 227.0, "Bienestar", 94.0)]
    assert [l.text for l in group_lines(words)] == ["de Dirección Bienestar General"]  # a page's lines: as before
    assert [l.text for l in group_lines(words, stacked_apart=True)] == ["Dirección General", "de Bienestar"]
    assert cell_text(words) == "Dirección General de Bienestar"
    # a box OCR stretched over two lines is the lower one, and comes after the upper one
    tall = [Word(279.4, 393.8, 314.4, 399.4, "SERVICIOS", 96.0), Word(316.6, 393.8, 325.0, 399.1, "DE", 97.0),
            Word(290.9, 393.6, 313.2, 407.5, "SALUD", 94.0)]
    lines = group_lines(tall, stacked_apart=True)
    assert [l.text for l in lines] == ["SERVICIOS DE", "SALUD"]
    assert [[l.text for l in b] for b in blocks(list(reversed(lines)), pitch=7.0)] == [["SERVICIOS DE", "SALUD"]]
    # a box OCR stretched over its neighbours on the same height, and a flat sliver over a
    # word, stay on their lines
    stretched = [Word(693, 195.6, 748, 201.6, "indice", 60.0), Word(712, 193.4, 717, 202.8, "se", 60.0),
                 Word(720, 195.6, 737, 201.6, "integra", 60.0)]
    assert [l.text for l in group_lines(stretched, stacked_apart=True)] == ["indice se integra"]
    sliver = [Word(718.8, 385.4, 730, 387.8, "EY", 30.0), Word(708, 386.2, 740, 391.0, "Justificación", 90.0),
              Word(742, 386.2, 770, 391.0, "Trimestral:", 90.0)]
    assert len(group_lines(sliver, stacked_apart=True)) == 1


def test_a_column_of_quarters_whose_header_ocr_lost_is_named_by_its_cells():
    # shared by every family: a `period` concept's column is the one whose cells name quarters
    from avance.tables.concepts import fill_by_content

    concepts = (Concept("period", ("Periodo", "Trimestre"), "period"), Concept("value", ("Valor",), "number"),
                Concept("note", ("Observaciones",), "text"))
    rows = [["o", "Valor", "Observaciones"], ["ENER0-MARZO", "79.49", "Sin cambios"],
            ["2do. trim.", "84.59", "Se cumplió la meta"], ["JUL-SEP", "72.32", "Sin cambios"]]
    table, = read_tables(_page(rows, [90, 60, 120], ruled=True))
    read = match_columns(table, concepts)
    assert "period" not in read
    named = fill_by_content(table, read, concepts)
    assert named["period"].column == 0 and named["value"].column == 1
    # a column excluded (another table's, a total's) is never taken
    assert "period" not in fill_by_content(table, read, concepts, exclude=frozenset({0}))


def test_a_speck_joined_to_a_words_box_does_not_move_a_column_border_into_the_text():
    # action-line codes and descriptions a narrow gap apart that white space alone does not
    # part; the header labels do, and one line's first word carries a speck reaching into the gap
    words = _words(50, 100, "Línea") + _words(150, 100, "Descripción de la meta") + \
        [_right(380, 100, "Meta")] + [_right(440, 100, "Avance")]
    rows = [("1.1.1", "ENTREGAR APOYOS A LA POBLACIÓN", "120", "60"),
            ("1.2.3", "A LA POBLACIÓN VULNERABLE DEL MUNICIPIO", "45", "12"),
            ("1.1.4", "OTORGAR BECAS A ESTUDIANTES", "300", "150"),
            ("2.1.1", "EN LAS COLONIAS DEL MUNICIPIO", "15", "15")]
    for i, (code, text, target, done) in enumerate(rows):
        top = 116 + 12 * i
        line = _words(50, top, code) + _words(79, top, text) + [_right(380, top, target), _right(440, top, done)]
        if i == 1:  # `A` with a speck before it: its box starts in the gap
            first = line[1]
            line[1] = Word(first.x0 - 6, first.top, first.x1, first.bottom, first.text)
        words += line
    table, = read_tables(Page(number=1, width=612, height=792, words=tuple(words)))
    description = next(c for c in range(table.n_cols) if "Descripción" in table.header_paths[c])
    assert [table.text(r, description).split()[0] for r in table.body_rows()] == ["ENTREGAR", "A", "OTORGAR", "EN"]


def test_one_label_numbered_along_a_header_line_holds_no_figures_however_wide_its_spaces():
    from avance.extractors.layout import make_line
    from avance.tables.reader import _values

    # monospaced type read by OCR: the boxes hug the letters, so a space looks wider than a letter
    words, x = [], 50.0
    for label in ("META ANUAL", "TRIMESTRE 1", "TRIMESTRE 2", "TRIMESTRE 3", "TRIMESTRE 4"):
        for token in label.split():
            words.append(Word(x, 100, x + 3.6 * len(token), 106, token))
            x += 3.6 * len(token) + 4.1
        x += 20
    assert _values(make_line(words)) == 0
    # a row's unit and its figure a wide space apart are still a figure
    row = [Word(50, 120, 80, 126, "SERVICIO"), Word(84.2, 120, 88, 126, "12"), Word(120, 120, 124, 126, "3")]
    assert _values(make_line(row)) == 2


def test_a_tall_first_row_centred_in_an_unruled_table_keeps_its_lines_above_its_figures():
    # cells centred in their rows, no rules: the first goal's description runs three lines
    # above the line of its figures, its action-line codes one line above
    words = _words(50, 100, "DESCRIPCION DE LAS METAS") + _words(250, 100, "PMD") + \
        [_right(350, 100, "ANUAL"), _right(400, 100, "P"), _right(440, 100, "A")]
    text = ["M.100 ADMINISTRAR LOS RECURSOS", "HUMANOS Y MATERIALES DE LA", "ENTIDAD EN APEGO A LA NORMA",
            "APLICABLE", "VIGENTE."]
    for i, line in enumerate(text):
        words += _words(50, 120 + 8 * i, line)
    words += _words(250, 128, "4.5 4.5.3") + [_right(350, 144, "12"), _right(400, 144, "3"), _right(440, 144, "2")]
    for i, (line, figures) in enumerate((("101- SEGUIMIENTO AL GASTO", ("48", "12", "7")),
                                         ("102- ACTUALIZAR LOS INSTRUMENTOS", ("1", "0", "0")))):
        top = 170 + 14 * i
        words += _words(50, top, line) + _words(250, top, "4.1.1") + \
            [_right(x, top, f) for x, f in zip((350, 400, 440), figures)]
    table, = read_tables(Page(number=1, width=612, height=792, words=tuple(words)))
    first = table.header_rows
    assert table.text(first, 0).startswith("M.100 ADMINISTRAR")
    assert "DESCRIPCION" in table.header_paths[0] and "M.100" not in table.header_paths[0]


def test_a_figure_inside_a_cells_text_does_not_end_a_tall_first_row():
    # cells centred in their rows; the first row's justification runs above its figures' line,
    # and that line of it holds a figure of its prose (`fue 100% ya que`)
    words = _words(50, 100, "OBJETIVOS") + [_right(300, 100, "ANUAL"), _right(350, 100, "LOGRO")] + \
        _words(380, 100, "JUSTIFICACIÓN")
    justification = ["Durante el trimestre el", "porcentaje alcanzado", "fue 100% ya que de", "los 25 programados"]
    for i, line in enumerate(justification):
        words += _words(380, 120 + 8 * i, line)
    words += _words(50, 136, "Contribuir a la paz") + [_right(300, 136, "25"), _right(350, 136, "25")]
    for i, (line, figures) in enumerate((("Programas de prevención", ("40", "10")),
                                         ("Pláticas en escuelas", ("12", "3")))):
        top = 170 + 14 * i
        words += _words(50, top, line) + [_right(300, top, figures[0]), _right(350, top, figures[1])] + \
            _words(380, top, "Sin variación")
    table, = read_tables(Page(number=1, width=612, height=792, words=tuple(words)))
    just = next(c for c in range(table.n_cols) if "JUSTIFICACI" in table.header_paths[c])
    assert table.text(table.header_rows, just).startswith("Durante el trimestre")
    assert "Durante" not in table.header_paths[just]
