"""Header facts every family prints in some form: government, municipality,
fiscal year, quarter, report date."""
from __future__ import annotations

import re
from typing import Optional, Sequence

from ..extractors.layout import TextLine, collapse, fold, group_lines
from ..records import Page

_QUARTER_WORDS = {
    "PRIMER": 1, "PRIMERO": 1, "1ER": 1, "SEGUNDO": 2, "2DO": 2, "TERCER": 3, "TERCERO": 3,
    "3ER": 3, "CUARTO": 4, "4TO": 4,
}
_MONTHS = {
    "ENE": 1, "FEB": 2, "MAR": 3, "ABR": 4, "MAY": 5, "JUN": 6, "JUL": 7, "AGO": 8,
    "SEP": 9, "SET": 9, "OCT": 10, "NOV": 11, "DIC": 12,
}
# Lowercase particles in Spanish place names ("San Pedro Tlaquepaque", "Othón P. Blanco").
_PARTICLES = {"DE", "DEL", "LA", "LAS", "LOS", "Y", "EL"}


def page_lines(page: Page) -> list[TextLine]:
    return group_lines(page.words)


def title_case_place(name: str) -> str:
    out = []
    for i, word in enumerate(name.split()):
        if i > 0 and fold(word) in _PARTICLES:
            out.append(word.lower())
        else:
            out.append(word[:1].upper() + word[1:].lower())
    return " ".join(out)


def find_government(lines: Sequence[TextLine]) -> Optional[str]:
    for line in lines[:12]:
        m = re.search(r"\bGOBIERNO\b.*", line.text, re.IGNORECASE)
        if m and fold(m.group(0)).startswith("GOBIERNO"):
            return collapse(m.group(0))
    return None


def find_municipality(lines: Sequence[TextLine]) -> Optional[str]:
    """From `AYUNTAMIENTO DE X`, `MUNICIPIO DE X, YUC.` or `GOBIERNO [MUNICIPAL] DE X`."""
    patterns = [
        r"AYUNTAMIENTO\s+(?:CONSTITUCIONAL\s+)?DE\s+(.+)",
        r"\bMUNICIPIO\s+DE\s+(.+)",
        r"GOBIERNO\s+MUNICIPAL\s+DE\s+(.+)",
    ]
    for rx in patterns:
        for line in lines:
            m = re.search(rx, line.text, re.IGNORECASE)
            if m:
                return _clean_place(m.group(1))
    return None


def municipality_from_government(government: Optional[str]) -> Optional[str]:
    """`GOBIERNO DE TECATE` names a municipality unless it names a state."""
    if not government:
        return None
    m = re.match(r"GOBIERNO\s+(?:MUNICIPAL\s+)?DE(?:L)?\s+(?:ESTADO\s+DE\s+)?(.+)", government, re.IGNORECASE)
    if not m or fold(m.group(1)) in STATES or "ESTADO" in fold(government):
        return None
    return _clean_place(m.group(1))


STATES = {
    "AGUASCALIENTES", "BAJA CALIFORNIA", "BAJA CALIFORNIA SUR", "CAMPECHE", "CHIAPAS",
    "CHIHUAHUA", "COAHUILA", "COLIMA", "CIUDAD DE MEXICO", "DURANGO", "GUANAJUATO", "GUERRERO",
    "HIDALGO", "JALISCO", "MEXICO", "MICHOACAN", "MORELOS", "NAYARIT", "NUEVO LEON", "OAXACA",
    "PUEBLA", "QUERETARO", "QUINTANA ROO", "SAN LUIS POTOSI", "SINALOA", "SONORA", "TABASCO",
    "TAMAULIPAS", "TLAXCALA", "VERACRUZ", "YUCATAN", "ZACATECAS",
}


def _clean_place(raw: str) -> Optional[str]:
    text = raw.strip()
    # "TIJUANA DE BAJA CALIFORNIA", "ZAPOPAN, JALISCO", "MÉRIDA, YUC."
    text = re.split(r",", text)[0]
    # an administration period after the name: "OTHÓN P. BLANCO 2024-2027", "(2024 - 2027)"
    text = re.sub(r"[\s(]*\b(19|20)\d\d(\s*[-–/]\s*(19|20)?\d\d)?\)?\s*$", "", text)
    folded = fold(text)
    for state in sorted(STATES, key=len, reverse=True):
        for joiner in (" DE ", " "):
            if folded.endswith(joiner + state):
                text = text[: len(text) - len(joiner + state)]
                folded = fold(text)
    text = collapse(text)
    return title_case_place(text) if text else None


def find_fiscal_year(lines: Sequence[TextLine]) -> Optional[int]:
    for line in lines[:15]:
        m = re.search(r"(?:ANUAL|INDICADOR|EJERCICIO|ACUMULADO|DE RESULTADOS)\s+(20\d\d)\b", line.folded)
        if m:
            return int(m.group(1))
    for line in lines[:15]:
        m = re.search(r"\b(20\d\d)\b", line.folded)
        if m:
            return int(m.group(1))
    return None


_QUARTER_RX = re.compile(r"\b(PRIMER|PRIMERO|SEGUNDO|TERCER|TERCERO|CUARTO|1ER|2DO|3ER|4TO)\s+(AVANCE|TRIMESTRE|INFORME)")


def quarter_named(folded: str) -> Optional[int]:
    """The quarter a folded text names (`SEGUNDO TRIMESTRE`, `1ER AVANCE`), if it names one."""
    m = _QUARTER_RX.search(folded)
    return _QUARTER_WORDS[m.group(1)] if m else None


def find_quarter(lines: Sequence[TextLine]) -> Optional[int]:
    return next((q for line in lines if (q := quarter_named(line.folded))), None)


def find_report_date(lines: Sequence[TextLine], default_year: Optional[int] = None) -> Optional[str]:
    """`Fecha: mar-24`, `Fecha de corte: 30 de junio de 2024` -> `2024-03`, `2024-06`
    (the date may sit on the line below its label)."""
    for i, line in enumerate(lines):
        if "FECHA" not in line.folded:
            continue
        candidates = [line.folded] + [l.folded for l in lines[i + 1 : i + 3]]
        for text in candidates:
            m = re.search(r"\b([A-Z]{3})[A-Z]*[-/ ](\d{2,4})\b", text.split("FECHA", 1)[-1] if "FECHA" in text else text)
            if m and m.group(1) in _MONTHS:
                year = int(m.group(2))
                year = year + 2000 if year < 100 else year
                return f"{year:04d}-{_MONTHS[m.group(1)]:02d}"
            m = re.search(r"\b(\d{1,2})[/-](\d{1,2})[/-](\d{2,4})\b", text)
            if m:
                year = int(m.group(3))
                year = year + 2000 if year < 100 else year
                return f"{year:04d}-{int(m.group(2)):02d}"
            m = re.search(r"\b\d{1,2}\s+DE\s+([A-Z]{3})[A-Z]*\s+(?:DE(?:L)?\s+)?(\d{4})\b", text)  # 30 de junio de 2024
            if m and m.group(1) in _MONTHS:
                return f"{int(m.group(2)):04d}-{_MONTHS[m.group(1)]:02d}"
    return None
