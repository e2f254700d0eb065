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
