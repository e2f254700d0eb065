"""Flag sentences in Spanish (the default) or English, and the Spanish names of the contract.

The stages write every flag's `message` in English, next to structured fields
(`rule`, `table`, `row_key`, `field`, `raw_value`, `value`). Rather than
rewriting every call site, the Spanish sentence is built here, once, from those
fields: one sentence builder per rule id. Where the English sentence carries a
reason the fields do not (why a cell was left empty, the exception that stopped
a page), a small phrase table (`DETAILS`) turns it into Spanish; text that is
not the program's own (an exception's text, a formula) is kept as it is.

`localize(flag, lang)` is applied where flag rows are written (`contract.py`);
the review page uses the same names (`TABLE_LABELS`, `COLUMN_LABELS`, ...).
Rule ids and column names never change: they are the contract; only the
sentence a person reads does.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, replace
from typing import Any, Callable, Optional

LANGUAGES = ("es", "en")
DEFAULT_LANGUAGE = "es"

# --------------------------------------------------------------------------
# names of the contract, in Spanish
# --------------------------------------------------------------------------

SEVERITY_LABELS = {"info": "informativa", "warning": "advertencia", "error": "error"}
STATUS_LABELS = {"ok": "correcto", "partial": "parcial", "failed": "fallido"}
TEXT_SOURCE_LABELS = {"text_layer": "capa de texto", "ocr": "OCR de la imagen", "ocr_text": "exportación de OCR",
                      "mixed": "mixta (capa de texto y OCR)"}
FAMILY_LABELS = {
    "poa_avance": "Avance programático del POA",
    "indicator_sheet": "Ficha técnica de indicador",
    "indicator_report": "Reporte de indicador",
    "mir_avance": "Avance de la MIR",
    "poa_evaluation": "Evaluación físico-financiera del POA",
    "indicator_results": "Indicadores de resultados",
}
TABLE_LABELS = {
    "documents": "Documentos", "sections": "Secciones", "action_lines": "Líneas de acción",
    "goals": "Metas", "goal_periods": "Metas por trimestre", "signatories": "Firmantes",
    "indicators": "Indicadores", "indicator_variables": "Variables del indicador",
    "indicator_baselines": "Línea base del indicador", "indicator_values": "Valores capturados del indicador",
    "mir_rows": "Indicadores de la MIR", "mir_periods": "Metas trimestrales de la MIR",
    "evaluation_rows": "Evaluación físico-financiera", "indicator_results": "Indicadores de resultados",
    "table_cells": "Celdas de tablas sin familia", "totals": "Totales impresos",
    "provenance": "Procedencia", "flags": "Marcas",
}
COLUMN_LABELS = {
    # keys and places
    "doc_id": "documento", "section_id": "sección", "source_path": "ruta del archivo", "file_name": "archivo",
    "n_pages": "páginas", "text_source": "origen del texto", "status": "estado", "error": "motivo",
    "pipeline_version": "versión", "source_abspath": "ruta absoluta del archivo",
    "replaces": "documentos que reemplaza", "page": "página", "page_start": "página inicial", "page_end": "página final",
    "table": "tabla", "row_key": "renglón", "field": "campo", "x0": "x0", "y0": "y0", "x1": "x1", "y1": "y1",
    "confidence": "confianza", "raw_text": "texto leído",
    # sections
    "family": "familia", "government": "gobierno", "municipality": "municipio", "fiscal_year": "ejercicio fiscal",
    "quarter": "trimestre", "report_date": "fecha del reporte",
    "admin_class_code": "clave de clasificación administrativa", "admin_class_name": "clasificación administrativa",
    "ramo_code": "clave del ramo", "ramo_name": "ramo", "programa_code": "clave del programa",
    "programa_name": "programa", "unidad_code": "clave de la unidad ejecutora", "unidad_name": "unidad ejecutora",
    "finalidad_code": "clave de finalidad", "finalidad_name": "finalidad", "funcion_code": "clave de función",
    "funcion_name": "función", "subfuncion_code": "clave de subfunción", "subfuncion_name": "subfunción",
    "axis": "eje", "budget_program": "programa presupuestario", "agency": "dependencia",
    "period_label": "periodo impreso", "period_start": "inicio del periodo", "period_end": "fin del periodo",
    "state": "estado de la república", "state_code": "clave INEGI del estado",
    "municipality_code": "clave INEGI del municipio",
    # action lines, goals
    "code": "clave", "description": "descripción", "goal_code": "clave de la meta", "is_main_goal": "meta principal",
    "unit": "unidad de medida", "unit_raw": "unidad de medida leída", "annual_target": "meta anual",
    "absolute_progress": "avance absoluto", "relative_progress": "avance relativo (%)",
    "pmd_codes": "claves del PMD", "pmd_codes_raw": "claves del PMD leídas", "observations": "observaciones",
    "period": "trimestre", "programmed": "programado", "achieved": "alcanzado",
    # signatories
    "role": "función de firma", "name": "nombre", "honorific": "tratamiento", "title": "cargo",
    # indicators
    "kind": "tipo", "indicator_code": "clave del indicador", "entity_code": "clave de la entidad",
    "pmd_axis": "eje del PMD", "pmd_strategy": "estrategia del PMD", "pmd_lines": "líneas de acción del PMD",
    "objective": "objetivo", "interpretation": "interpretación", "formula": "fórmula",
    "result_unit": "unidad del resultado", "red_min": "rojo mín.", "red_max": "rojo máx.",
    "yellow_min": "amarillo mín.", "yellow_max": "amarillo máx.", "green_min": "verde mín.",
    "green_max": "verde máx.", "target_annual": "meta anual", "target_triennial": "meta trianual",
    "target_direction": "sentido de la meta", "frequency": "frecuencia", "key": "clave", "source": "fuente",
    "base_value": "valor base", "target_value": "valor meta", "variable_key": "clave de la variable",
    "value": "valor",
    # MIR
    "responsible_unit": "unidad responsable", "level": "nivel", "objective_code": "clave del objetivo",
    "indicator_acronym": "siglas del indicador", "indicator_name": "nombre del indicador",
    "indicator_unit": "unidad del indicador", "variables_unit": "unidad de las variables",
    "pct_period": "avance del trimestre (%)", "pct_cumulative": "avance acumulado (%)",
    "justification": "justificación", "target": "meta",
    # evaluation
    "project_code": "clave del proyecto", "project": "proyecto", "indicator_no": "núm.", "indicator": "indicador",
    "target_unit": "tipo de meta", "programmed_to_date": "programado a la fecha",
    "achieved_to_date": "alcanzado a la fecha", "pct_progress": "avance (%)",
    "budget_approved": "presupuesto aprobado", "budget_authorized": "presupuesto autorizado",
    "budget_exercised": "presupuesto ejercido", "budget_difference": "diferencia presupuestal",
    "budget_pct": "porcentaje del presupuesto",
    # indicator results
    "row_no": "renglón", "program_code": "clave del programa", "program_name": "programa",
    "indicator_type": "tipo de indicador", "dimension": "dimensión", "target_programmed": "meta programada",
    "target_modified": "meta modificada", "pct_vs_programmed": "% de la meta programada",
    "pct_vs_modified": "% de la meta modificada", "budget_modified": "presupuesto modificado",
    "budget_accrued": "presupuesto devengado", "budget_paid": "presupuesto pagado",
    # table cells, totals, flags
    "table_no": "tabla", "row": "renglón", "col": "columna", "row_span": "renglones que abarca",
    "col_span": "columnas que abarca", "header_path": "encabezado", "text": "texto",
    "target_table": "tabla totalizada", "target_column": "columna totalizada",
    "rule": "regla", "severity": "severidad", "raw_value": "valor leído", "message": "mensaje",
}
# Values of enumerated columns that are English words in the data.
VALUE_LABELS = {
    "kind": {"sheet": "ficha", "report": "reporte"},
    "target_unit": {"number": "número", "percent": "porcentaje"},
    "role": {"elaboro": "Elaboró", "reviso": "Revisó", "superviso": "Supervisó", "autorizo": "Autorizó"},
    "status": STATUS_LABELS, "text_source": TEXT_SOURCE_LABELS, "family": FAMILY_LABELS,
    "severity": SEVERITY_LABELS,
}
RULE_NAMES = {
    "sum_mismatch": "Suma que no cuadra",
    "percent_mismatch": "Porcentaje que no cuadra",
    "formula_mismatch": "Resultado distinto de su fórmula",
    "target_exceeded": "Programado mayor que la meta anual",
    "ocr_repair": "Corrección de lectura",
    "ocr_reread": "Relectura de la imagen",
    "catalog_match": "Coincidencia con catálogo",
    "ambiguous_match": "Coincidencia ambigua",
    "code_segmentation": "Separación de claves del PMD",
    "name_reconciliation": "Unificación de nombres",
    "column_realigned": "Cifras recolocadas",
    "unreadable": "Ilegible",
    "derived": "Cifra deducida",
    "duplicate_row": "Renglón repetido",
    "numbering_continuity": "Numeración continua",
    "ocr_noise": "Marcas sin texto",
    "cell_lines_summed": "Importes de una celda sumados",
    "scale_normalized": "Porcentaje impreso como fracción",
    # written by the DuckDB `flags` view (pipeline/database.py), never to a flags file
    "duplicate_report": "Reporte repetido en otra copia",
}


def column_label(column: str) -> str:
    """`P1`/`A3` name a quarter's programmed/achieved figure of a goal row (the column solver's names)."""
    m = re.fullmatch(r"([PA])([1-4])", column or "")
    if m:
        return f"{'programado' if m.group(1) == 'P' else 'alcanzado'} del trimestre {m.group(2)}"
    return COLUMN_LABELS.get(column, column.replace("_", " ") if column else "")


def value_label(column: str, value: Any) -> Any:
    if isinstance(value, bool):
        return "sí" if value else "no"
    return VALUE_LABELS.get(column, {}).get(value, value) if isinstance(value, str) else value


# --------------------------------------------------------------------------
# the sentence of a flag
# --------------------------------------------------------------------------

@dataclass(frozen=True)
class FlagText:
    """What a sentence is built from: a flag's fields (a record or a table row)."""
    rule: str
    table: str
    row_key: str
    field: str
    raw_value: Optional[str]
    value: Optional[str]
    message: str  # the English sentence: its reason, where one must be kept

    @classmethod
    def of(cls, flag: Any) -> "FlagText":
        get = flag.get if isinstance(flag, dict) else lambda name: getattr(flag, name, None)
        return cls(*(_text(get(n)) or "" for n in ("rule", "table", "row_key", "field")),
                   _text(get("raw_value")), _text(get("value")), _text(get("message")) or "")

    @property
    def what(self) -> str:
        """`meta 302, avance relativo (%)`, or the row alone when the field says nothing more."""
        row = row_phrase(self.table, self.row_key, self.field)
        label = column_label(self.field)
        if not label or self.table in ("documents", "totals") or self.field in ("key", "code"):
            return row
        return f"{row}, {label}" if row else label

    @property
    def unit(self) -> str:
        return " %" if _is_percent(self.field) else ""


def _text(value: Any) -> Optional[str]:
    if value is None or (isinstance(value, float) and value != value):
        return None
    return str(value)


def _is_percent(field: str) -> bool:
    return field.startswith("pct_") or field in ("relative_progress", "budget_pct")


def row_phrase(table: str, row_key: str, field: str = "") -> str:
    """The row a flag is about, as an officer would name it."""
    parts = (row_key or "").split("|")
    first, second = parts[0], parts[1] if len(parts) > 1 else ""
    if table == "documents":
        return f"página {first}" if field == "page" and first else "el documento"
    if table == "sections":
        return "encabezado de la sección"
    if table == "totals":
        return f"total impreso de «{column_label(second)}»" if second else "total impreso"
    if table == "signatories":
        role = VALUE_LABELS["role"].get(first)
        return f"firma «{role}»" if role else "bloque de firmas"
    named = {"goals": "meta", "goal_periods": "meta", "mir_rows": "objetivo", "mir_periods": "objetivo",
             "evaluation_rows": "indicador", "indicator_results": "renglón", "indicator_values": "variable",
             "indicator_variables": "variable", "action_lines": "línea de acción", "indicators": "indicador",
             "indicator_baselines": "línea base, trimestre"}.get(table, "renglón")
    if not first:
        return "indicador" if table == "indicators" else ""
    text = f"{named} {first}"
    if second:
        text += f", trimestre {second}"
    return text


def _quoted(text: Optional[str]) -> str:
    return f"«{text}»" if text not in (None, "") else "(vacío)"


# What the other figures of a row say a printed figure should be (warnings' `value`).
IMPLIED = {
    ("sum_mismatch", "goals", "annual_target"): "la suma de lo programado por trimestre",
    ("sum_mismatch", "goals", "absolute_progress"): "la suma de lo alcanzado por trimestre",
    ("sum_mismatch", "mir_rows", "annual_target"): "la suma de las metas trimestrales",
    ("sum_mismatch", "evaluation_rows", "budget_difference"): "autorizado menos ejercido",
    ("sum_mismatch", "totals", "value"): "la suma de los renglones que totaliza",
    ("sum_mismatch", "indicator_results", ""): "la suma de sus renglones",
    ("percent_mismatch", "goals", "relative_progress"): "avance absoluto ÷ meta anual × 100",
    ("percent_mismatch", "mir_rows", "pct_period"): "alcanzado ÷ meta del trimestre × 100",
    ("percent_mismatch", "mir_rows", "pct_cumulative"): "alcanzado ÷ meta anual × 100",
    ("percent_mismatch", "evaluation_rows", "pct_progress"): "alcanzado ÷ programado a la fecha × 100",
    ("percent_mismatch", "evaluation_rows", "budget_pct"): "ejercido ÷ autorizado × 100",
    ("percent_mismatch", "indicator_results", "pct_vs_programmed"): "alcanzado ÷ meta programada × 100",
    ("percent_mismatch", "indicator_results", "pct_vs_modified"): "alcanzado ÷ meta modificada × 100",
}


def implied_by(rule: str, table: str, field: str) -> str:
    return (IMPLIED.get((rule, table, field)) or IMPLIED.get((rule, table, ""))
            or {"formula_mismatch": "la fórmula del indicador con los valores capturados",
                "target_exceeded": "lo programado a la fecha"}.get(rule, "las otras cifras"))


def figure(text: Optional[str]) -> str:
    """A figure of a warning as a person reads it: at most two decimals (`45.6559` -> `45.66`)."""
    try:
        x = float((text or "").replace(",", ""))
    except ValueError:
        return text or "(vacío)"
    return f"{x:,.2f}".rstrip("0").rstrip(".")


def _sum_or_percent(t: FlagText) -> str:
    return (f"{_cap(t.what)}: se imprimió {figure(t.raw_value)}{t.unit}, pero "
            f"{implied_by(t.rule, t.table, t.field)} da {figure(t.value)}{t.unit}.")


def _formula(t: FlagText) -> str:
    return (f"{_cap(row_phrase(t.table, t.row_key))}: el resultado impreso es {figure(t.raw_value)}, pero la "
            f"fórmula del indicador con los valores capturados da {figure(t.value)}.")


def _target_exceeded(t: FlagText) -> str:
    return (f"{_cap(row_phrase(t.table, t.row_key))}: se programaron {figure(t.value)} a la fecha, más que la "
            f"meta anual impresa de {figure(t.raw_value)}.")


def _ocr_repair(t: FlagText) -> str:
    if t.raw_value is None:
        core = f"{_cap(t.what)}: se tomó {_quoted(t.value)}"
    elif t.value is None:
        core = f"{_cap(t.what)}: se leyó {_quoted(t.raw_value)} y se dejó vacío"
    else:
        core = f"{_cap(t.what)}: se leyó {_quoted(t.raw_value)} y se corrigió a {_quoted(t.value)}"
    return _with_detail(core, t)


def _ocr_reread(t: FlagText) -> str:
    if t.table == "signatories":
        return _with_detail("Los nombres y cargos bajo las etiquetas de firma se leyeron de nuevo", t)
    first = (f"se leyó {_quoted(t.raw_value)} en la página" if t.raw_value is not None
             else "no se leyó en su celda")
    return _with_detail(f"{_cap(t.what)}: {first}; leído de nuevo por separado da {_quoted(t.value)}, "
                        f"que se conservó", t)


def _catalog_match(t: FlagText) -> str:
    if t.table == "sections":
        return _with_detail(f"{_cap(column_label(t.field))}: {_quoted(t.raw_value)} se reubicó como "
                            f"{_quoted(t.value)} según los catálogos del CONAC", t)
    return _with_detail(f"{_cap(t.what)}: {_quoted(t.raw_value)} se identificó en el catálogo como "
                        f"{_quoted(t.value)}", t)


def _ambiguous(t: FlagText) -> str:
    return _with_detail(f"{_cap(t.what)}: {_quoted(t.raw_value)} coincide con más de una entrada del catálogo; "
                        f"no se eligió ninguna", t)


def _segmentation(t: FlagText) -> str:
    return _with_detail(f"{_cap(row_phrase(t.table, t.row_key))}: la celda del PMD {_quoted(t.raw_value)} imprime "
                        f"sus claves juntas o con comas en lugar de puntos; las líneas de acción de la sección la "
                        f"separan en {_quoted(t.value)}", t)


def _names(t: FlagText) -> str:
    return (f"El nombre leído {_quoted(t.raw_value)} es la misma persona que las otras lecturas del documento; "
            f"se usa la grafía en que coinciden más lecturas: {_quoted(t.value)}.")


def _realigned(t: FlagText) -> str:
    return (f"{_cap(row_phrase(t.table, t.row_key))}: las cifras {_quoted(t.raw_value)} no quedaban una por "
            f"columna; se usó la única colocación que cumple la aritmética del renglón con menos supuestos.")


def _unreadable(t: FlagText) -> str:
    if t.table == "documents":
        return _with_detail(f"No se pudo leer la {row_phrase(t.table, t.row_key, t.field)}; se omitió", t)
    if t.table == "sections":
        return _with_detail("Una parte del documento no se pudo leer", t)
    if t.table == "signatories":
        return _with_detail("El bloque de firmas no se pudo leer de nuevo", t)
    if t.field == "indicator_no":
        return _with_detail(f"El número de un indicador no se pudo leer con certeza; se tomó {t.value}", t)
    core = f"{_cap(t.what)}: se dejó vacío"
    if t.raw_value:
        core += f" (cifras leídas: {_quoted(t.raw_value)})"
    return _with_detail(core, t)


def _derived(t: FlagText) -> str:
    return _with_detail(f"{_cap(t.what)}: la celda no se pudo leer; se dedujo {_quoted(t.value)} de las otras "
                        f"cifras del renglón", t)


def _duplicate(t: FlagText) -> str:
    return _with_detail(f"{_cap(row_phrase(t.table, t.row_key))} se leyó de nuevo; se descartó el renglón repetido "
                        f"y se conservó el primero", t)


def _numbering(t: FlagText) -> str:
    read = f"se leyó {_quoted(t.raw_value)}" if t.raw_value else "no se pudo leer"
    return _with_detail(f"El número de indicador de un renglón {read}; se tomó {t.value}, el único que encaja "
                        f"en la numeración", t)


def _noise(t: FlagText) -> str:
    return (f"{_cap(t.what)}: la celda solo tiene marcas leídas con poca confianza (sombreado o trazos de "
            f"pluma), no texto; se dejó vacía.")


def _lines_summed(t: FlagText) -> str:
    n = (t.raw_value or "").count(" + ") + 1
    return (f"{_cap(row_phrase(t.table, t.row_key))} imprime {n} importes en su celda de {column_label(t.field)} "
            f"({t.raw_value}); el renglón guarda su suma, {t.value}.")


def _scale(t: FlagText) -> str:
    return (f"{_cap(t.what)}: el porcentaje se imprimió como fracción ({t.raw_value}); se guarda en unidades de "
            f"porcentaje: {t.value}.")


def _generic(t: FlagText) -> str:
    name = RULE_NAMES.get(t.rule, t.rule)
    return f"{_cap(t.what) or 'Documento'}: {name.lower()}; leído {_quoted(t.raw_value)}, valor {_quoted(t.value)}."


SENTENCES: dict[str, Callable[[FlagText], str]] = {
    "sum_mismatch": _sum_or_percent, "percent_mismatch": _sum_or_percent, "formula_mismatch": _formula,
    "target_exceeded": _target_exceeded, "ocr_repair": _ocr_repair, "ocr_reread": _ocr_reread,
    "catalog_match": _catalog_match, "ambiguous_match": _ambiguous, "code_segmentation": _segmentation,
    "name_reconciliation": _names, "column_realigned": _realigned, "unreadable": _unreadable,
    "derived": _derived, "duplicate_row": _duplicate, "numbering_continuity": _numbering, "ocr_noise": _noise,
    "cell_lines_summed": _lines_summed, "scale_normalized": _scale,
}


# --------------------------------------------------------------------------
# the phrase table: reasons of the English sentences, in Spanish
# --------------------------------------------------------------------------

def _family(name: str) -> str:
    return FAMILY_LABELS.get(name, name)


# (pattern on the English sentence, its Spanish). Groups are kept as they are
# (figures, codes, an exception's text) unless a function renders them.
DETAILS: tuple[tuple[re.Pattern, Any], ...] = tuple((re.compile(p, re.S), s) for p, s in (
    (r"Pages (\d+)-(\d+) could not be parsed as (\w+): (.+)$",
     lambda m: f"las páginas {m[1]}–{m[2]} no se pudieron analizar como «{_family(m[3])}»: {m[4]}"),
    (r"could not be read \((.+)\); it was skipped", r"causa: \1"),
    (r"could not be read again: (.+)$", r"causa: \1"),
    (r"because several placements fit", "varias colocaciones de las cifras cumplen igual de bien la aritmética "
                                        "del renglón"),
    (r"no (?:single )?placement .*fits", "ninguna colocación de las cifras cumple la aritmética del renglón"),
    (r"several possibilities; the lowest", "los números vecinos dejan varias posibilidades y se tomó la menor"),
    (r"fits between (\d+) and (\d+)", r"entre \1 y \2"),
    (r"on page (\d+)", r"página \1"),
    (r"so that the row adds up", "para que el renglón cuadre"),
    (r"codes write one digit per level", "las claves escriben un dígito por nivel"),
    (r"OCR lost a dot", "el OCR perdió un punto: las demás claves escriben un dígito por nivel"),
    (r"the dash of `\$ -` \(zero\) is too small", "se leyó un «$» sin importe: el guion de «$ -» (cero) es "
                                                  "demasiado pequeño para leerse"),
    (r"as the dash of `\$ -` \(zero\)", "es el guion de «$ -» (cero): un importe se imprime con sus centavos"),
    (r"its parent code is ([\d.]*\d)", r"su clave padre es \1"),
    (r"its digits cut as its parent code (\S+) is", r"sus dígitos se cortan como los de su clave padre \1"),
    (r"OCR broke the row", "la cifra quedó en un renglón aparte porque el OCR partió el renglón"),
    (r"no color label", "el rango del semáforo no tenía etiqueta de color; se tomó el único color que faltaba"),
    (r"parentheses around single terms", "se quitaron los paréntesis sobrantes del marcado de la exportación"),
    (r"with spaces OCR put inside it", "sin los espacios que el OCR insertó"),
    (r"matched to the section's action lines", "se hizo coincidir con las líneas de acción de la sección"),
    (r"the row's code (\S+) as OCR garbled it", r"es la clave del renglón \1, deformada por el OCR"),
    (r"is a code of the CONAC administrative classification",
     "es una clave de la clasificación administrativa del CONAC"),
    (r"the CONAC functional classification places", "la clasificación funcional del CONAC la ubica en este nivel"),
    (r"printed under RAMO but is an administrative class code",
     "se imprimió bajo RAMO pero es una clave de clasificación administrativa"),
    (r"differs from by characters OCR confuses", "difiere de la clave de la ficha solo en caracteres que el "
                                                 "OCR confunde"),
    (r"digits no listed code accounts for: (.+?)\.?$", r"dígitos que ninguna línea de acción listada explica: \1"),
    (r"taken as (exercised|authorized) ([\d,.\-]*\d) (plus|minus) (difference|exercised) ([\d,.\-]*\d)",
     lambda m: "{} {} {} {} {}".format(*({"exercised": "ejercido", "authorized": "autorizado", "plus": "más",
                                          "minus": "menos", "difference": "diferencia"}.get(g, g)
                                         for g in m.groups()))),
    (r"confidence (\d+) against (\d+)", r"confianza \1 contra \2"),
    (r"(\d+) of (\d+) readings give", r"\1 de \2 lecturas coinciden"),
    (r"from the grey page", "desde la imagen en grises, sin binarizar"),
    (r"a quote between two terms is the multiplication sign", "unas comillas entre dos términos son el signo de "
                                                             "multiplicar"),
    (r"'(\d)' in a ratio of letter variables is the letter '(\w)'",
     r"«\1» en un cociente de variables con letra es la letra «\2»"),
    (r"has a letter where the other codes of its column have a digit",
     "tiene una letra parecida a un dígito donde las demás claves de su columna tienen un dígito"),
    (r"mean word confidence (\d+)", r"confianza media \1"),
    (r"an acronym prints capital letters only", "una sigla se imprime solo con mayúsculas"),
    (r"darkest ink", "desde la tinta más oscura de la impresión, pues los trazos de pluma son más claros"),
    (r"column titled '([^']*)' had no label or name", r"la columna «\1» no tenía etiqueta ni nombre legible"),
    (r"^Page (\d+):", r"página \1"),
))


def details(message: str) -> list[str]:
    """The Spanish of every known reason in an English sentence, in the table's order."""
    found = []
    for pattern, spanish in DETAILS:
        m = pattern.search(message or "")
        if m:
            found.append(spanish(m) if callable(spanish) else m.expand(spanish))
    return found


def _with_detail(core: str, t: FlagText) -> str:
    extra = details(t.message)
    return core + (" (" + "; ".join(extra) + ")" if extra else "") + "."


def _cap(text: str) -> str:
    return text[:1].upper() + text[1:] if text else text


def spanish(flag: Any) -> str:
    """The Spanish sentence of a flag (a `Flag` record or a `flags` row as a dict)."""
    t = FlagText.of(flag)
    return SENTENCES.get(t.rule, _generic)(t)


def localize(flag: Any, lang: str = DEFAULT_LANGUAGE) -> Any:
    """The flag with its message in `lang` (`es`: built here; `en`: the stages' own sentence)."""
    if lang not in LANGUAGES:
        raise ValueError(f"language must be one of {', '.join(LANGUAGES)}, not {lang!r}")
    return flag if lang == "en" else replace(flag, message=spanish(flag))


_ENGLISH = frozenset("the of is was and but as read could not it its to from with which are has had were "
                     "left taken kept".split())
_SPANISH = frozenset("de la el se que y los las del por con una un es da fue leyó".split())


def looks_english(sentence: Optional[str]) -> bool:
    """Whether a stored message is the English one (a run with `lang="en"`), so a reader in
    Spanish gets it rebuilt; Spanish sentences of this module never pass."""
    words = re.findall(r"[a-záéíóúñ]+", (sentence or "").lower())
    english = sum(w in _ENGLISH for w in words)
    return english >= 2 and english > sum(w in _SPANISH for w in words)


# --------------------------------------------------------------------------
# why a document failed (`documents.error`), for the review page
# --------------------------------------------------------------------------

DOCUMENT_ERRORS: tuple[tuple[re.Pattern, str], ...] = tuple((re.compile(p), s) for p, s in (
    (r"not a progress report: no text could be read", "no es un reporte de avance: no se pudo leer texto"),
    (r"not a progress report: no page looks like a known progress report \(POA, indicator sheet/report, MIR\)",
     "no es un reporte de avance: ninguna página parece un reporte conocido (POA, ficha o reporte de "
     "indicador, MIR)"),
    (r"not a progress report: ", "no es un reporte de avance: "),
    (r"cannot read the file: ", "no se puede leer el archivo: "),
    (r"unexpected error while reading: ", "error inesperado al leer: "),
    (r"unexpected error: ", "error inesperado: "),
    (r"ran out of memory \(more than (\d+) MB\)", r"se quedó sin memoria (más de \1 MB)"),
    (r"worker process died \(signal (\w+)\)", r"el proceso que lo leía murió (señal \1)"),
    (r"; it may have run out of memory \(limit (\d+) MB\)", r"; quizá se quedó sin memoria (límite \1 MB)"),
    (r"worker process exited with code (\d+) without a result",
     r"el proceso que lo leía terminó con código \1 sin resultado"),
    (r"timed out after ([\d.]+) s", r"excedió el tiempo límite de \1 s"),
    (r"Dask task failed: ", "falló la tarea de Dask: "),
    (r"\bpages (\d+)-(\d+): ", r"páginas \1–\2: "),
    (r"Page (\d+) could not be read \((.+?)\); it was skipped\.", r"No se pudo leer la página \1 (\2); se omitió."),
))


def document_error(text: Optional[str]) -> Optional[str]:
    """`documents.error` in Spanish: the program's own words translated, an exception's text kept."""
    if text is None:
        return None
    for pattern, spanish_text in DOCUMENT_ERRORS:
        text = pattern.sub(spanish_text, text)
    return text
