"""Places with their official codes: the state a section's pages print, and INEGI's
state and municipality codes (`sections.state`, `state_code`, `municipality_code`).

    sections = place_document(sections, printed_lines)

One document-level step after the families parse (the families read the
municipality; this step never changes it). Pure: new `SectionResult`s, every
code an `info` flag.

- The state is the one the pages print: beside the municipality
  (`MUNICIPIO DE MÉRIDA, YUC.`, `Familia de Cajeme, Sonora`, `ZAPOPAN JALISCO`,
  `ENSENADA DE BAJA CALIFORNIA`), else a government heading that names a state
  (`GOBIERNO DE BAJA CALIFORNIA`, `GOBIERNO DEL ESTADO DE ...`). `state` keeps the
  printed name (an abbreviation is written out as INEGI names the state).
- A section that prints no state takes it from another section of the same
  document naming the same municipality with a state (flagged).
- The municipality is looked up by name (accents, case and punctuation
  ignored) in INEGI's AGEEML catalog (`data/catalogs/inegi_municipios.csv`).
  A name several states share (`Benito Juárez`: CDMX, Guerrero, Quintana Roo,
  Sonora, Tlaxcala, Veracruz, Zacatecas) is settled by the state; without a
  printed state the codes stay null and an `ambiguous_match` flag lists the
  candidates: never a guess. A name in the catalog but not in the printed state
  is an `ambiguous_match` too. A name not in the catalog is matched only when one
  name is within `FUZZY_MIN_RATIO` (an OCR slip) and no other is close.
"""
from __future__ import annotations

import re
from dataclasses import replace
from functools import lru_cache
from typing import Optional, Sequence

from rapidfuzz import fuzz, process

from ..records import Flag, SectionInfo, SectionResult, Severity
from . import catalogs
from .catalogs import fold

FUZZY_MIN_RATIO = 92.0
FUZZY_MARGIN = 4.0

# Short forms of INEGI state names as reports print them (the catalog's name folds too).
_STATE_SHORT = {
    "05": ("COAHUILA",), "09": ("CDMX", "DISTRITO FEDERAL"), "15": ("ESTADO DE MEXICO", "EDOMEX"),
    "16": ("MICHOACAN",), "30": ("VERACRUZ",),
}
# Abbreviations printed after a municipality besides INEGI's (`Q. ROO`): `Q. R.`, `B. C.`.
_ABBREVIATIONS_EXTRA = {"23": ("QR", "QROO"), "02": ("BC", "BCN"), "03": ("BCS",), "15": ("EDOMEX", "MEX")}


@lru_cache(maxsize=65536)
def _key(text: str) -> str:
    """Folded, punctuation dropped: `Othón P. Blanco` -> `OTHON P BLANCO`."""
    return " ".join(re.sub(r"[^0-9A-ZÑ]+", " ", fold(text)).split())


@lru_cache(maxsize=None)
def _state_names() -> dict[str, str]:
    """Folded full or short state name -> state code."""
    names = {}
    for code, name, _abbr in catalogs.inegi_states():
        names[_key(name)] = code
        for short in _STATE_SHORT.get(code, ()):
            names[_key(short)] = code
    return names


@lru_cache(maxsize=None)
def _abbreviations() -> dict[str, str]:
    """Abbreviation without dots or spaces (`YUC`, `QROO`, `GTO`) -> state code."""
    out = {}
    for code, _name, abbr in catalogs.inegi_states():
        out[re.sub(r"[^A-Z]", "", fold(abbr))] = code
        for extra in _ABBREVIATIONS_EXTRA.get(code, ()):
            out[extra] = code
    return out


@lru_cache(maxsize=None)
def _state_of_code() -> dict[str, str]:
    return {code: name for code, name, _abbr in catalogs.inegi_states()}


@lru_cache(maxsize=None)
def _municipalities() -> dict[str, tuple[tuple[str, str, str], ...]]:
    """Folded municipality name -> every (state_code, municipality_code, name) so named."""
    out: dict[str, list[tuple[str, str, str]]] = {}
    for state, code, name in catalogs.inegi_municipalities():
        out.setdefault(_key(name), []).append((state, code, name))
    return {k: tuple(v) for k, v in out.items()}


@lru_cache(maxsize=None)
def _state_pattern() -> re.Pattern:
    names = sorted(_state_names(), key=len, reverse=True)
    return re.compile(r"(?:" + "|".join(re.escape(n) for n in names) + r")")


def state_after(text: str, municipality: str) -> Optional[tuple[str, str]]:
    """(state code, printed state) the text names right after the municipality:
    `MUNICIPIO DE MÉRIDA, YUC.`, `Cajeme, Sonora`, `ZAPOPAN JALISCO`, `ENSENADA DE BAJA CALIFORNIA`."""
    folded, target = _key(text), _key(municipality)
    if not target:
        return None
    for m in re.finditer(r"(?:^| )" + re.escape(target) + r"(?= |$)", folded):
        rest = folded[m.end():].strip()
        rest = rest[3:] if rest.startswith("DE ") else rest
        name = _state_pattern().match(rest)
        if name and (len(rest) == name.end() or rest[name.end()] == " "):
            # `... DE MÉXICO` after a name is too often the country: the state needs a comma
            if name.group(0) != "MEXICO" or "," in (_after_name_in_print(text, municipality) or "")[:3]:
                return _state_names()[name.group(0)], _printed(text, name.group(0))
        # an abbreviation closing the line after a comma: `MÉRIDA, YUC.`, `SOLIDARIDAD, Q. R.`,
        # `IRAPUATO, GTO. 2024` (never a word that merely starts like one: `Tijuana, Campaña`)
        after = _after_name_in_print(text, municipality)
        abbr = re.fullmatch(r"\s*,\s*((?:[A-Za-z]{1,6}\.?\s*){1,3}?)[\s\d()/.-]*", after or "")
        if abbr:
            code = _abbreviations().get(re.sub(r"[^A-Z]", "", fold(abbr.group(1))))
            if code:
                return code, _state_of_code()[code].upper()
    return None


def _after_name_in_print(text: str, municipality: str) -> Optional[str]:
    """The printed text after the municipality's name (accents and case ignored)."""
    folded = fold(text)
    i = folded.find(fold(municipality))
    return text[i + len(municipality):] if i >= 0 and len(folded) == len(text) else None


def _printed(text: str, folded_name: str) -> str:
    """The state's name as the text prints it (accents and case kept)."""
    words = folded_name.split()
    for m in re.finditer(r"\S+(?:\s+\S+){%d}" % (len(words) - 1), text):
        if _key(m.group(0)) == folded_name:
            return m.group(0).strip(" ,.;:")
    return folded_name


def state_of_government(government: Optional[str]) -> Optional[tuple[str, str]]:
    """`GOBIERNO DE BAJA CALIFORNIA`, `GOBIERNO DEL ESTADO DE JALISCO` name a state
    (`GOBIERNO DE MÉXICO` is the federal government: not a state)."""
    if not government:
        return None
    m = re.match(r"GOBIERNO\s+(?:DEL\s+ESTADO\s+(?:LIBRE\s+Y\s+SOBERANO\s+)?DE\s+|DE\s+)(.+)$", fold(government))
    if not m:
        return None
    name = _key(m.group(1))
    if name == "MEXICO" and "ESTADO" not in fold(government):
        return None
    code = _state_names().get(name)
    return (code, _printed(government, name)) if code else None


def find_state(info: SectionInfo, lines: Sequence[str]) -> Optional[tuple[str, str]]:
    """The state a section prints: beside its municipality first, else a government heading."""
    if info.municipality:
        fields = [info.government, info.ramo_name, info.agency, info.unidad_name, info.admin_class_name]
        for text in [f for f in fields if f] + list(lines):
            found = state_after(text, info.municipality)
            if found:
                return found
    for text in [info.government] + [l for l in lines if fold(l).lstrip().startswith("GOBIERNO")]:
        found = state_of_government(text)
        if found:
            return found
    return None


def municipality_candidates(name: str, state_code: Optional[str] = None) -> tuple[tuple[str, str, str], ...]:
    """The catalog's municipalities of this name (in `state_code` when given);
    an unknown name may match one catalog name closely (an OCR slip)."""
    exact = _municipalities().get(_key(name), ())
    if state_code:
        exact = tuple(c for c in exact if c[0] == state_code)
    if exact or not _key(name):
        return exact
    pool = {k: [c for c in v if not state_code or c[0] == state_code] for k, v in _municipalities().items()}
    pool = {k: v for k, v in pool.items() if v}
    best = process.extract(_key(name), list(pool), scorer=fuzz.ratio, limit=2)
    if not best or best[0][1] < FUZZY_MIN_RATIO or (len(best) > 1 and best[0][1] - best[1][1] < FUZZY_MARGIN):
        return ()
    return tuple(pool[best[0][0]])


def _flag(field: str, rule: str, raw: Optional[str], value: Optional[str], message: str) -> Flag:
    return Flag(table="sections", row_key="", field=field, rule=rule, severity=Severity.INFO,
                raw_value=raw, value=value, message=message)


def place_section(info: SectionInfo, lines: Sequence[str],
                  state_elsewhere: Optional[tuple[str, str, int]] = None) -> tuple[SectionInfo, list[Flag]]:
    """One section's state and INEGI codes, with their flags.

    `state_elsewhere`: (code, printed name, section number) of the state another
    section of the document prints beside the same municipality."""
    flags: list[Flag] = []
    found = find_state(info, lines)
    if found is None and state_elsewhere is not None:
        code, printed, number = state_elsewhere
        found = (code, printed)
        flags.append(_flag("state", "catalog_match", None, printed,
                           f"This section prints no state; section {number} of the same document prints "
                           f"{info.municipality} with the state {printed}, taken here."))
    state_code, state = found if found else (None, None)
    municipality_code = None
    if info.municipality:
        everywhere = municipality_candidates(info.municipality)
        within = municipality_candidates(info.municipality, state_code) if state_code else everywhere
        if len(within) == 1:
            state_code, municipality_code, name = within[0]
            how = "" if _key(name) == _key(info.municipality) else f" (nearest catalog name: {name})"
            flags.append(_flag(
                "municipality_code", "catalog_match", info.municipality, state_code + municipality_code,
                f"Municipality '{info.municipality}'{f' of {state}' if state else ''} is INEGI "
                f"{state_code}{municipality_code} ({name}, {_state_of_code()[state_code]}) in the "
                f"Marco Geoestadístico catalog{how}."))
        elif within or everywhere:
            options = within or everywhere
            listed = ", ".join(f"{s}{c} {_state_of_code()[s]}" for s, c, _n in options)
            why = (f"is not a municipality of {state} in INEGI's catalog (it is one of: {listed})"
                   if state_code and not within else
                   f"names {len(options)} municipalities in INEGI's catalog ({listed}) and the pages print no state "
                   f"that decides")
            flags.append(_flag("municipality_code", "ambiguous_match", info.municipality, None,
                               f"Municipality '{info.municipality}' {why}: its codes are left empty."))
        else:
            flags.append(_flag("municipality_code", "ambiguous_match", info.municipality, None,
                               f"Municipality '{info.municipality}' is not in INEGI's catalog of municipalities: "
                               f"its code is left empty."))
    placed = replace(info, state=state, state_code=state_code, municipality_code=municipality_code)
    return placed, flags


def place_document(sections: Sequence[SectionResult], lines: Sequence[Sequence[str]]) -> list[SectionResult]:
    """Every section placed; `lines[i]` are the printed lines of section i's pages."""
    printed: dict[str, tuple[str, str, int]] = {}
    for number, (section, text) in enumerate(zip(sections, lines), start=1):
        if section.info.municipality:
            found = find_state(section.info, text)
            if found and _key(section.info.municipality) not in printed:
                printed[_key(section.info.municipality)] = (*found, number)
    out = []
    for section, text in zip(sections, lines):
        elsewhere = printed.get(_key(section.info.municipality or ""))
        info, flags = place_section(section.info, text, elsewhere)
        out.append(replace(section, info=info, flags=list(section.flags) + flags))
    return out
