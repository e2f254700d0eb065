"""MIR tables read from OCR'd pages: code and number repairs, and synthetic
scanned pages (garbled header labels, ruled and unruled bodies)."""
from __future__ import annotations

from dataclasses import replace

from avance.families import mir
from avance.families import mir_table as mt
from avance.records import Family, Page, Rule, Severity, Word

# --------------------------------------------------------------------------
# objective codes
# --------------------------------------------------------------------------


def test_parse_code_variants():
    assert mir.parse_code("4.1.1:") == [4, 1, 1]
    assert mir.parse_code("4,1.1.1.4.1") == [4, 1, 1, 1, 4, 1]
    assert mir.parse_code("4.1.1.1.:2") == [4, 1, 1, 1, 2]
    assert mir.parse_code("411122") is None
    assert mir.parse_code("Servicios") is None


def test_code_repairs_follow_the_hierarchy():
    codes = mir.CodeRepairer()
    assert codes.repair("4.1.1:", "Fin")[:2] == ("4.1.1", None)
    assert codes.repair("4.1.1.1", "Propósito")[:2] == ("4.1.1.1", None)
    code, note, _ = codes.repair("41.1.1.1", "Componente")  # dots misplaced
    assert code == "4.1.1.1.1" and note
    code, note, _ = codes.repair("41.11.11", "Actividad")
    assert code == "4.1.1.1.1.1" and note
    code, note, _ = codes.repair("411112", "Actividad")  # every dot lost
    assert code == "4.1.1.1.1.2" and note
    code, note, _ = codes.repair(None, "Actividad")  # unreadable: the next child
    assert code == "4.1.1.1.1.3" and "unreadable" in note
    code, note, _ = codes.repair("4.7.1.1.2", "Componente")  # a digit misread in the parent part
    assert code == "4.1.1.1.2" and note


def test_code_without_level_word_takes_its_rank_from_the_hierarchy():
    codes = mir.CodeRepairer()
    codes.repair("2.1.1", "Fin")
    codes.repair("2.1.1.1", "Propósito")
    codes.repair("2.1.1.1.1", "Componente")
    code, note, rank = codes.repair("2.1.1.1.1.1", None)
    assert (code, note, rank) == ("2.1.1.1.1.1", None, 3)
    code, note, rank = codes.repair("211112", None)
    assert code == "2.1.1.1.1.2" and rank == 3 and note
    code, note, rank = codes.repair("2.1.1.1.2", None)
    assert code == "2.1.1.1.2" and rank == 2


def test_a_parent_read_past_its_place_takes_the_code_its_children_give_it():
    codes = mir.CodeRepairer()
    codes.repair("2.1.1", "Fin")
    codes.repair("2.1.1.1", "Propósito")
    assert codes.repair("2.1.1.1.2", "Componente")[0] == "2.1.1.1.2"  # the first one, misread
    assert codes.repair("2.1.1.1.1.1", "Actividad")[:2] == ("2.1.1.1.1.1", None)
    assert [(old, new) for old, new, _ in codes.recodes] == [("2.1.1.1.2", "2.1.1.1.1")]
    codes.recodes.clear()
    assert codes.repair("2.1.1.1.1.2", "Actividad")[:2] == ("2.1.1.1.1.2", None)
    assert codes.repair("2.1.1.1.2", "Componente")[:2] == ("2.1.1.1.2", None)
    assert codes.repair("2.1.1.1.2.1", "Actividad")[:2] == ("2.1.1.1.2.1", None)
    assert not codes.recodes


def test_a_code_read_on_two_rows_in_a_row_gives_the_first_the_place_it_skipped():
    codes = mir.CodeRepairer()
    for code, level in (("4.1.1", "Fin"), ("4.1.1.1", "Propósito"), ("4.1.1.1.2", "Componente")):
        codes.repair(code, level)
    assert codes.repair("4.1.1.1.2.2", "Actividad")[0] == "4.1.1.1.2.2"  # in fact .1, misread
    assert codes.repair("4.1.1.1.2,2", "Actividad")[0] == "4.1.1.1.2.2"
    assert [(old, new) for old, new, _ in codes.recodes] == [("4.1.1.1.2.2", "4.1.1.1.2.1")]
    codes.recodes.clear()
    # a code printed twice where no place was skipped is left to the caller (a repeat)
    assert codes.repair("4.1.1.1.2.2", "Actividad")[0] == "4.1.1.1.2.2" and not codes.recodes


def test_a_skipped_number_its_children_confirm_stands():
    codes = mir.CodeRepairer()
    codes.repair("2.1.1", "Fin")
    codes.repair("2.1.1.1", "Propósito")
    codes.repair("2.1.1.1.2", "Componente")
    assert codes.repair("2.1.1.1.2.1", "Actividad")[:2] == ("2.1.1.1.2.1", None)
    assert not codes.recodes


def test_a_code_without_its_level_word_whose_digits_are_the_next_child_goes_under_its_parent():
    codes = mir.CodeRepairer()
    for code, level in (("4.3.1", "Fin"), ("4.3.1.1", "Propósito"), ("4.3.1.1.1", "Componente"),
                        ("4.3.1.1.1.1", "Actividad"), ("4.3.1.1.2", "Componente"), ("4.3.1.1.2.1", "Actividad")):
        codes.repair(code, level)
    code, note, rank = codes.repair("4.3.1.13", None)  # a dot lost: read as is, a second Propósito
    assert (code, rank) == ("4.3.1.1.3", 2) and note
    assert codes.repair("4.3.1.1.31", "Actividad")[0] == "4.3.1.1.3.1"
    assert codes.repair("43.11.32", "Actividad")[0] == "4.3.1.1.3.2"


def test_a_code_broken_by_a_space_is_joined_where_the_hierarchy_says_so():
    assert mir.ocr_split_objective("4.1 1.1.1 Servicios de") == ("4.1.1.1.1", "Servicios de")
    codes = mir.CodeRepairer()
    for code, level in (("2.1.1", "Fin"), ("2.1.1.1", "Propósito"), ("2.1.1.1.3", "Componente")):
        codes.repair(code, level)

    def row(objective: str, level: str):
        raw = mt.RawRow(page=1, cells={mt.LEVEL: level, mt.OBJECTIVE: objective}, ocr=True)
        return mir.ocr_row(raw, 1, codes, None)

    built, _, flags = row("2.1.1.1.3 1 Canalización de víctimas", "Actividad")
    assert (built.objective_code, built.objective) == ("2.1.1.1.3.1", "Canalización de víctimas")
    assert any(f.field == "objective_code" and f.raw_value == "2.1.1.1.3 1" for f in flags)
    built, _, flags = row("2.1.1.1.3.2 25 pláticas impartidas", "Actividad")  # a number that begins the text
    assert (built.objective_code, built.objective) == ("2.1.1.1.3.2", "25 pláticas impartidas")
    assert not [f for f in flags if f.field == "objective_code"]


# --------------------------------------------------------------------------
# numbers
# --------------------------------------------------------------------------


def _r(text, percent=False, words=(), dw=None):
    return mir.number_readings(text, percent, words, dw)


def test_percent_sign_read_as_digit():
    assert _r("100.008", percent=True)[0].value == 100.0
    assert _r("17,244", percent=True)[0].value == 17.24
    assert _r("0,004", percent=True)[0].value == 0.0
    assert _r("100.004,", percent=True)[0].value == 100.0
    assert _r("25.00%", percent=True)[0] == mir.Reading(25.0, None)


def test_plain_reading_first_and_noise_dropped():
    assert _r("25")[0] == mir.Reading(25.0, None)
    first = _r("118 MN")[0]
    assert first.value == 118.0 and first.note
    assert _r(None) == [mir.Reading(None, None)]


def test_row_arithmetic_chooses_the_reading():
    readings = {
        mt.ANNUAL: _r("13593"), "q1": _r("3719"), "q2": _r("3,152"), "q3": _r("2.896"), "q4": _r("3.826"),
        mt.ACHIEVED: _r("6206"), mt.PCT_PERIOD: _r("166.87%", True), mt.PCT_CUMULATIVE: _r("45.66%", True),
    }
    chosen = mir.choose_numbers(readings, 1)
    assert chosen["q3"].value == 2896 and chosen["q3"].note
    assert chosen["q4"].value == 3826
    assert chosen["q2"] == mir.Reading(3152.0, None)


def test_printed_inconsistency_survives():
    # 25 of 100 is 25%, the document prints 34.26%: stays as printed (checks flag it)
    readings = {
        mt.ANNUAL: _r("100"), "q1": _r("25"), "q2": _r("25"), "q3": _r("25"), "q4": _r("25"),
        mt.ACHIEVED: _r("25"), mt.PCT_PERIOD: _r("100.00%", True), mt.PCT_CUMULATIVE: _r("34.26%", True),
    }
    chosen = mir.choose_numbers(readings, 1, {mt.PCT_CUMULATIVE: "34.26%"})
    assert chosen[mt.PCT_CUMULATIVE] == mir.Reading(34.26, None)


def test_later_quarter_cumulative_does_not_repair_the_achievement():
    # 30 achieved in the third quarter, 80% of the annual target achieved to date: the
    # cumulative percent counts the earlier quarters too, so `30` is no misread `80`
    readings = {
        mt.ANNUAL: _r("100"), "q1": _r("25"), "q2": _r("25"), "q3": _r("25"), "q4": _r("25"),
        mt.ACHIEVED: _r("30"), mt.PCT_CUMULATIVE: _r("80.00%", True),
    }
    assert mir.choose_numbers(readings, 3)[mt.ACHIEVED] == mir.Reading(30.0, None)
    # in the first quarter the same figures disagree by one look-alike digit: 80 fits
    assert mir.choose_numbers(readings, 1)[mt.ACHIEVED].value == 80.0


def test_one_digit_needed_in_two_places():
    texts = {mt.ANNUAL: "419", "q1": "130", "q2": "97", "q3": "63", "q4": "128", mt.ACHIEVED: "251",
             mt.PCT_PERIOD: "193.08%", mt.PCT_CUMULATIVE: "60.05%"}
    readings = {f: _r(t, f in mt.PERCENT_COLUMNS) for f, t in texts.items()}
    chosen = mir.choose_numbers(readings, 1, texts)
    assert chosen[mt.ANNUAL].value == 418 and chosen[mt.ANNUAL].note


def test_lost_digit_when_the_box_is_wide_enough():
    box = Word(x0=0, top=0, x1=6.6, bottom=4, text="1", conf=86)
    texts = {mt.ANNUAL: "37", "q1": "1", "q2": "5", "q3": "11", "q4": "10"}
    readings = {f: _r(t, False, [box] if f == "q1" else [], 3.0) for f, t in texts.items()}
    chosen = mir.choose_numbers(readings, 1, texts)
    assert chosen["q1"].value == 11 and "lost" in chosen["q1"].note
    # a narrow box: no digit was lost, the figure stays as printed
    narrow = Word(x0=0, top=0, x1=3.0, bottom=4, text="1", conf=86)
    readings["q1"] = _r("1", False, [narrow], 3.0)
    assert mir.choose_numbers(readings, 1, texts)["q1"] == mir.Reading(1.0, None)


# --------------------------------------------------------------------------
# text cells
# --------------------------------------------------------------------------


def test_units_split_with_garbled_labels():
    assert mir.ocr_split_units("UNIDAD DE MEDIDA DEL IMDICADOR: Porcentaje UNIDAD DE MEDIDA DE LAS VARIABLES: "
                               "Acciones") == ("Porcentaje", "Acciones")
    assert mir.ocr_split_units("ME DEL Porcentaje") == ("Porcentaje", None)
    assert mir.ocr_split_units("UNIDAD DE MEDIDA DEL INDICADOR: Porcentaje") == ("Porcentaje", None)


def test_indicator_and_level_and_frequency():
    assert mir.ocr_split_indicator("PCPAPP + Porcentaje de colonias") == ("PCPAPP", "Porcentaje de colonias")
    assert mir.ocr_split_indicator("PPXPI: Porcentaje de programas") == ("PPXPI", "Porcentaje de programas")
    assert mt.fuzzy_level("actividad") == "Actividad"
    assert mt.fuzzy_level("*tividad") == "Actividad"
    assert mt.fuzzy_level("Porcentaje") is None
    assert mt.fuzzy_frequency("Trimestra1") == "Trimestral"
    assert mt.fuzzy_frequency("Tnmestral") == "Trimestral"
    assert mir.clean_text("Coordinación Ñ Ñ de Atención : a Víctimas") == ("Coordinación de Atención a Víctimas", True)


def test_acronym_letters_ocr_read_as_marks_or_digits_are_put_back_and_flagged():
    def repaired(text):
        return mir.ocr_repair_acronym(*mir.ocr_split_indicator(text))

    acronym, name, note = repaired("PPEP!: Porcentaje de programas")
    assert (acronym, name) == ("PPEPI", "Porcentaje de programas") and note
    assert repaired("PPP1: Porcentaje de pláticas")[:2] == ("PPPI", "Porcentaje de pláticas")
    assert repaired("1PSM: Índice de Percepción")[:2] == ("IPSM", "Índice de Percepción")
    assert repaired("PCPAPP: Porcentaje de colonias") == ("PCPAPP", "Porcentaje de colonias", None)
    assert repaired("Porcentaje de colonias atendidas")[0] is None  # no acronym printed: none made up


def test_an_acronym_one_capital_off_its_names_initials_is_put_right():
    name = "Porcentaje de talleres de co-creación y jornadas de votación presencial realizados"
    acronym, _, note = mir.ocr_repair_acronym("PTCIVPR", name)  # J read as I
    assert acronym == "PTCJVPR" and "initials" in note
    assert mir.ocr_repair_acronym("PTCJVPR", name) == ("PTCJVPR", name, None)
    # two letters off, or a letter that is no look-alike of the initial: the acronym as read
    assert mir.ocr_repair_acronym("PTXIVPR", name)[0] == "PTXIVPR"
    assert mir.ocr_repair_acronym("PNIS", "Porcentaje de nealusión de algo")[0] == "PNIS"
    assert mir.ocr_repair_acronym("PSIDWO", "Porcentaje de servicios integrales de desarrollo humano otorgados")[0] \
        == "PSIDWO"  # W is no look-alike of H: the name's initial may be the one misread


def test_a_justifications_label_is_left_out_however_ocr_read_it():
    for read in ("Justificación Trimestral: Durante el trimestre", "Justificación Trimestral Durante el trimestre",
                 "Justificación Trimestral! Durante el trimestre", "Justiicación Trimestral. Durante el trimestre",
                 "Justificación Nr ti Trimestral: Trirn Durante el trimestre"):
        assert mir.ocr_justification_text(read) == "Durante el trimestre", read
    for kept in ("Durante el trimestre", "Total de acciones", "El índice se integra"):
        assert mir.ocr_justification_text(kept) == kept
    assert mir.ocr_justification_text("Justificación Trimestral: Tres de cinco") == "Tres de cinco"


def test_consensus_and_section_key():
    assert mir.consensus(["E-PP 4.1 IMPULSO AL BIzÑNESIAR", "E-PP 4.1 IMPULSO AL BIENESTAR",
                          "E-PP 4.1 IMPULSO AL BIENESTAR"]) == "E-PP 4.1 IMPULSO AL BIENESTAR"
    assert mir.ocr_section_key("SECRETARÍA MUNICIPAL DE SEGURIDAD CIpranawa") == \
        mir.ocr_section_key("SECRETARÍA MUNICIPAL DE SEGURIDAD CIUDADANA")
    assert mir.ocr_section_key("SECRETARÍA MUNICIPAL DE BIENESTAR") != \
        mir.ocr_section_key("SECRETARÍA MUNICIPAL DE DESARROLLO ECONÓMICO")


# --------------------------------------------------------------------------
# synthetic OCR'd pages
# --------------------------------------------------------------------------

# column borders of a 15-column MIR table (points)
BORDERS = [30, 85, 125, 200, 265, 320, 375, 400, 435, 470, 505, 540, 578, 617, 656, 770]


def _words(x: float, y: float, text: str, conf: float = 95.0) -> list[Word]:
    out = []
    for tok in text.split():
        w = 3.0 * len(tok)
        out.append(Word(x0=x, top=y, x1=x + w, bottom=y + 5, text=tok, conf=conf))
        x += w + 2.5
    return out


def _row_words(y: float, cells: list[str]) -> list[Word]:
    """Cells' words, wrapped within their column (7 pt a line)."""
    out: list[Word] = []
    for i, text in enumerate(cells):
        x0, x1 = BORDERS[i] + 3, BORDERS[i + 1] - 3
        x, top = x0, y
        for tok in text.split():
            w = 3.0 * len(tok)
            if x > x0 and x + w > x1:
                x, top = x0, top + 7
            out.append(Word(x0=x, top=top, x1=x + w, bottom=top + 5, text=tok, conf=95.0))
            x += w + 2.5
    return out


ROWS = [
    ["Dirección", "Fin", "4.1.1: Contribuir", "IPCJS: Índice", "Anual", "UNIDAD DE MEDIDA DEL INDICADOR: Porcentaje",
     "33.14", "8.29", "8.29", "8.29", "8.27", "8.29", "100.008", "25.024", "Justificación Trimestral: El"],
    ["Secretaría", "Propósito", "4.1.1.1 La población", "ICSIBDH: Índice", "Trimestral",
     "UNIDAD DE MEDIDA DEL INDICADOR: Porcentaje", "100", "25", "25", "25", "25", "25", "100.00%", "25.00%",
     "Justificación Trimestral: Durante"],
    ["Dirección", "Componente", "41.1.1.1 Servicios", "PSIBE: Porcentaje", "Trimestral",
     "UNIDAD DE MEDIDA DEL INDICADOR: Porcentaje", "100", "25", "25", "25", "25", "25", "100.00%", "25.00%",
     "Justificación Trimestral: Durante"],
    ["Dirección", "Actividad", "", "PSP: Porcentaje", "Trimestral", "UNIDAD DE MEDIDA DEL INDICADOR: Porcentaje",
     "29", "5", "9", "6", "9", "5", "100,00%", "17,244", "Justificación Trimestral: Durante"],
]


def _page(ruled: bool, number: int = 1, rows: list[list[str]] = ROWS) -> Page:
    words = _words(32, 26, "EJE 4. PROSPERIDAD COMPARTIDA") + _words(32, 37, "E-PP 4.1 IMPULSO AL BIENESTAR") + \
        _words(32, 47, "SECRETARÍA MUNICIPAL DE BIENESTAR")
    # the header labels, unreadable as OCR often leaves them
    words += _words(60, 80, "ATOTUYETRATIVA Oaros remeanea TRIMESTRR 20936") + _words(420, 95, "META perra 2026")
    ys = [170, 250, 330, 410]  # rows 80 pt apart
    for y, cells in zip(ys, rows):
        words += _row_words(y, cells)
        words += _words(BORDERS[14] + 3, y + 14, "se integra por")  # justification runs on
    rules = [Rule(x0=30, top=64, x1=770, bottom=65.5), Rule(x0=30, top=160, x1=770, bottom=161.5)]
    if ruled:
        rules += [Rule(x0=x - 0.6, top=64, x1=x + 0.6, bottom=480) for x in BORDERS]
        rules += [Rule(x0=30, top=y - 8, x1=770, bottom=y - 6.5) for y in ys[1:]]
        rules += [Rule(x0=30, top=480, x1=770, bottom=481.5)]
    return Page(number=number, width=792, height=612, words=tuple(words), rules=tuple(rules), source="ocr")


def _check_table(table: mt.PageTable) -> None:
    names = [c.name for c in table.columns]
    assert names == list(mt.COLUMN_ORDER)
    assert [r.level for r in table.rows] == ["Fin", "Propósito", "Componente", "Actividad"]
    assert table.rows[0].cells[mt.PCT_PERIOD] == "100.008"
    assert table.rows[1].cells["q4"] == "25"


def test_ruled_page_with_unreadable_header():
    table = mt.read_page_ocr(_page(ruled=True))
    assert table is not None
    _check_table(table)


def test_unruled_page_columns_from_white_space():
    table = mt.read_page_ocr(_page(ruled=False))
    assert table is not None
    _check_table(table)


def test_detect_and_parse_synthetic_scan():
    page = _page(ruled=True)
    mark = mir.detect(page)
    assert mark is not None and mark.family is Family.MIR_AVANCE and mark.key == "SMB"
    res = mir.parse([page])
    assert res.info.fiscal_year == 2026 and res.info.quarter == 1
    assert res.info.agency == "SECRETARÍA MUNICIPAL DE BIENESTAR"
    rows = {r.objective_code: r for r in res.mir_rows}
    assert list(rows) == ["4.1.1", "4.1.1.1", "4.1.1.1.1", "4.1.1.1.1.1"]
    assert rows["4.1.1"].pct_period == 100.0 and rows["4.1.1"].pct_cumulative == 25.02
    assert rows["4.1.1.1.1.1"].pct_cumulative == 17.24 and rows["4.1.1.1.1.1"].pct_period == 100.0
    assert rows["4.1.1"].indicator_unit == "Porcentaje" and rows["4.1.1"].indicator_acronym == "IPCJS"
    targets = {(p.objective_code, p.period): p.target for p in res.mir_periods}
    assert targets[("4.1.1", 4)] == 8.27
    repairs = [f for f in res.flags if f.rule == "ocr_repair"]
    assert all(f.severity is Severity.INFO for f in repairs)
    fields = {(f.row_key, f.field) for f in repairs}
    assert ("4.1.1", "pct_period") in fields and ("4.1.1.1.1", "objective_code") in fields
    assert ("4.1.1.1.1.1", "objective_code") in fields  # inferred: the next child
    assert ("4.1.1.1.1.1", "pct_cumulative") in fields


def test_a_figure_that_begins_a_line_of_the_objective_does_not_start_a_row():
    rows = [list(r) for r in ROWS]
    rows[1][2] = "4.1.1.1 La población 200880 personas"   # `200880` wraps to the start of a line
    table = mt.read_page_ocr(_page(ruled=False, rows=rows))
    assert [r.level for r in table.rows] == ["Fin", "Propósito", "Componente", "Actividad"]
    assert table.rows[1].cells[mt.OBJECTIVE] == "4.1.1.1 La población 200880 personas"


def test_a_row_above_the_first_level_word_that_a_rule_closes_off_is_a_row_when_it_begins_with_a_code():
    rows = [list(r) for r in ROWS]
    rows[0][1] = ""   # the Fin row's level word lost: a rule closes it off above the first level word
    table = mt.read_page_ocr(_page(ruled=True, rows=rows))
    assert not table.rows[0].continuation
    assert table.rows[0].cells[mt.OBJECTIVE].startswith("4.1.1:")
    assert [r.level for r in table.rows[1:]] == ["Propósito", "Componente", "Actividad"]


def test_a_code_printed_above_its_row_nearer_the_row_before_begins_its_own_row():
    rows = [list(r) for r in ROWS]
    rows[3][2] = "4.1.1.1.1.1 Entrega de apoyos"
    page = _page(ruled=False, rows=rows)
    # the code at the top of a tall cell, the row's other words (the level word too) far below it
    page = replace(page, words=tuple(replace(w, top=362, bottom=367) if w.text == "4.1.1.1.1.1" else w
                                     for w in page.words))
    table = mt.read_page_ocr(page)
    assert [r.level for r in table.rows] == ["Fin", "Propósito", "Componente", "Actividad"]
    assert table.rows[3].cells[mt.OBJECTIVE].startswith("4.1.1.1.1.1")
    assert "4.1.1.1.1.1" not in table.rows[2].cells[mt.OBJECTIVE]


def test_a_recoded_parent_takes_its_quarters_and_flags_along():
    rows = [list(r) for r in ROWS]
    rows[2][2] = "4.1.1.1.2 Servicios"   # the first Componente read as the second
    rows[3][2] = "4.1.1.1.1.1 Entrega"
    res = mir.parse([_page(ruled=True, rows=rows)])
    assert [r.objective_code for r in res.mir_rows] == ["4.1.1", "4.1.1.1", "4.1.1.1.1", "4.1.1.1.1.1"]
    assert {p.objective_code for p in res.mir_periods} == {r.objective_code for r in res.mir_rows}
    assert "4.1.1.1.2" not in {f.row_key.partition("|")[0] for f in res.flags}
    assert any(f.row_key == "4.1.1.1.1" and f.raw_value == "4.1.1.1.2" and f.field == "objective_code"
               for f in res.flags)
    assert "4.1.1.1.2" not in {p.row_key.partition("|")[0] for p in res.provenance}


def test_percentages_printed_before_the_targets_are_named_percentages_on_a_scan():
    # a template printing the cumulative % first, the period's % after the quarters:
    # the targets keep their order, the percentages stand among them, a percentage
    # column is never a target
    def cells(**kw):
        return mt._Evidence(**kw)
    level = cells(level=1.0, text=1.0)
    percent = cells(numeric=1.0, percent=1.0)
    number = cells(numeric=1.0)
    text = cells(text=1.0, code=1.0)
    names = mt.name_intervals([level, percent, number, number, number, number, number, percent, number, text])
    assert names[1] in mt.PERCENT_COLUMNS and names[7] in mt.PERCENT_COLUMNS
    assert names[2:7] == [mt.ANNUAL, *mt.QUARTER_COLUMNS] and names[8] == mt.ACHIEVED
    assert names[9] == mt.OBJECTIVE
    # the header's `ACUMULADO` over the first names it the cumulative one
    first = cells(numeric=1.0, percent=1.0, header={mt.PCT_CUMULATIVE: 1.0})
    names = mt.name_intervals([level, first, number, number, number, number, number, percent, number, text])
    assert (names[1], names[7]) == (mt.PCT_CUMULATIVE, mt.PCT_PERIOD)
    # the usual order still reads in the usual order
    names = mt.name_intervals([level, text, number, number, number, number, number, number, percent, percent])
    assert names[8:] == [mt.PCT_PERIOD, mt.PCT_CUMULATIVE]


def test_percentage_columns_named_the_other_way_round_are_put_right_by_their_figures():
    # the period's percentage is the achieved over the quarter's target on every row;
    # read under the cumulative's name, the two are swapped back
    def row(q1, achieved, period, cumulative):
        return mt.RawRow(page=1, cells={mt.quarter_column(1): q1, mt.ACHIEVED: achieved,
                                        mt.PCT_PERIOD: cumulative, mt.PCT_CUMULATIVE: period})
    rows = [row("25", "35", "140.00%", "35.00%"), row("11", "4", "36.36%", "10.81%"), row("5.54", "5.54", "100.00%",
                                                                                          "25.01%")]
    assert mir._percents_swapped(rows, 1)
    mir._swap_cells(rows[0], mt.PCT_PERIOD, mt.PCT_CUMULATIVE)
    assert rows[0].cells[mt.PCT_PERIOD] == "140.00%"
    # named right, or where the figures cannot tell, nothing moves
    right = [mt.RawRow(page=1, cells={**r.cells, mt.PCT_PERIOD: r.cells[mt.PCT_CUMULATIVE],
                                      mt.PCT_CUMULATIVE: r.cells[mt.PCT_PERIOD]}) for r in rows[1:]]
    assert not mir._percents_swapped(right, 1)
    assert not mir._percents_swapped([row("25", "", "140.00%", "35.00%")], 1)


def test_the_achieved_target_printed_before_the_targets_is_named_by_its_header_on_a_scan():
    number = mt._Evidence(numeric=1.0)
    percent = mt._Evidence(numeric=1.0, percent=1.0)
    level = mt._Evidence(level=1.0, text=1.0)
    reached = mt._Evidence(numeric=1.0, header={mt.ACHIEVED: 1.0})  # `META ALCANZADA` over it
    names = mt.name_intervals([percent, reached, number, number, number, number, number, percent, level])
    assert names[1] == mt.ACHIEVED and names[2:7] == [mt.ANNUAL, *mt.QUARTER_COLUMNS]
    # without its header the usual order stands: the first figures are the targets
    names = mt.name_intervals([level, number, number, number, number, number, number, percent, percent])
    assert names[1:7] == [mt.ANNUAL, *mt.QUARTER_COLUMNS, mt.ACHIEVED][:6]


def test_fin_read_with_one_letter_wrong_is_still_the_level():
    from avance.families.mir_table import fuzzy_level
    assert fuzzy_level("Fia") == "Fin" and fuzzy_level("Fln") == "Fin" and fuzzy_level("FIN") == "Fin"
    assert fuzzy_level("fue") is None and fuzzy_level("sin") is None and fuzzy_level("Fa") is None


def test_a_justification_label_of_another_wording_is_left_out_too():
    assert mir.ocr_justification_text("Justificación Anual! Se alcanzó la meta") == "Se alcanzó la meta"
    assert mir.ocr_justification_text("Justificación del avance: Se logró") == "Se logró"
    # no label word closed, no frequency word: the text stays whole after the label word only
    assert mir.ocr_justification_text("Justificación Durante el trimestre, el avance") == \
        mir.justification_text("Justificación Durante el trimestre, el avance")


def test_a_figure_cell_read_empty_gives_its_place_to_be_read_again():
    # a quarter's lone `5` lost on a 150-dpi scan: the row keeps the cell's place, read again alone
    from avance.families import mir_table as mt
    row = mt.RawRow(page=2, cells={mt.quarter_column(2): "9"}, ocr=True,
                    words={mt.quarter_column(2): [Word(450, 100, 456, 108, "9")]},
                    places={mt.quarter_column(1): (410.0, 96.0, 440.0, 130.0)})
    records = {(p.table, p.row_key, p.field): p for p in mir._row_provenance("4.1.1.1.1.2", row)}
    empty = records[("mir_periods", "4.1.1.1.1.2|1", "target")]
    assert (empty.x0, empty.y0, empty.x1, empty.y1) == (410.0, 96.0, 440.0, 130.0)
    assert empty.raw_text is None and empty.confidence is None  # a place, not words read there
    assert records[("mir_periods", "4.1.1.1.1.2|2", "target")].raw_text == "9"
    read = mir.SPEC.value_readers[("mir_periods", "target")]
    assert read("5") == 5.0 and read("17.24%") == 17.24 and read("1 1") == 11.0 and read("") is None
