"""The user's own catalogs matched on top of the bundled ones (`--catalog FILE.csv`).

    sections = match_user_catalogs(sections, load_user_catalogs(paths), text_source)

A Plan Municipal de Desarrollo (PMD: codes and descriptions of axes, strategies
and lines of action) and a catalog of units of measure; the CSV formats are in
the README. Pure: new `SectionResult`s, every match a flag.

- Action lines (`action_lines`): a printed code whose description agrees with
  the PMD's line of that code is an `info` `catalog_match`. A code the PMD does
  not have, or whose description is another line's, is matched by its
  description: one PMD line within `DESCRIPTION_MIN_RATIO` and `MARGIN` of no
  other gives the code on a scan or OCR export (the code was misread; the
  goals' PMD codes read the same way follow), an `ambiguous_match` when two
  lines are as close, and on born-digital text an `ambiguous_match` that
  leaves the printed code (it is what the document says).
- Units (goals, MIR rows, indicator variables and results, evaluation rows): a
  unit the user's catalog holds is an `info` `catalog_match`; on OCR'd text a
  unit within `UNIT_MIN_RATIO` of one user unit, above the bundled ones, is
  repaired to it (another number or gender of a unit is never a match).
"""
from __future__ import annotations

from dataclasses import replace
from typing import Optional, Sequence

from rapidfuzz import fuzz

from ..records import ROW_KEYS, SectionResult
from . import catalogs
from .catalogs import PmdLine, UserCatalogs, fold
from .normalize import OCR_SOURCES, UNIT_MARGIN, UNIT_MIN_RATIO, _flag, each_field
from .text import inflection_of

DESCRIPTION_MIN_RATIO = 85.0
MARGIN = 5.0

# Unit fields per table (the contract's columns holding a unit of measure).
UNIT_FIELDS: dict[str, tuple[str, ...]] = {
    "goals": ("unit",),
    "indicators": ("result_unit",),
    "indicator_variables": ("unit",),
    "mir_rows": ("indicator_unit", "variables_unit"),
    "evaluation_rows": ("target_unit",),
    "indicator_results": ("unit",),
}
def description_score(printed: str, catalog: str) -> float:
    """How well a printed description reads as a catalog line's; a header cell cut
    short (`FORTALECIMIENTO Y AMPLIACIÓN DE LOS PROGRAMAS DE`) scores against the
    catalog text cut to its length."""
    a, b = fold(printed), fold(catalog)
    if not a or not b:
        return 0.0
    score = fuzz.ratio(a, b)
    if len(a) >= 20 and len(b) > len(a):
        score = max(score, fuzz.ratio(a, b[: len(a)]))
    return score


def best_lines(description: str, pmd: Sequence[PmdLine]) -> list[tuple[float, PmdLine]]:
    """PMD lines by how well the description reads as theirs, best first."""
    return sorted(((description_score(description, line.description), line) for line in pmd),
                  key=lambda t: -t[0])


def match_user_catalogs(sections: Sequence[SectionResult], user: UserCatalogs,
                        text_source: Optional[str]) -> list[SectionResult]:
    if not user:
        return list(sections)
    ocr = text_source in OCR_SOURCES
    out = []
    for s in sections:
        s = replace(s, flags=list(s.flags))
        if user.pmd:
            s = _action_lines(s, user.pmd, ocr)
        if user.units:
            s = _units(s, user.units, ocr)
        out.append(s)
    return out


def _action_lines(s: SectionResult, pmd: Sequence[PmdLine], ocr: bool) -> SectionResult:
    by_code = {line.code: line for line in pmd}
    renamed: dict[str, str] = {}
    lines = []
    for a in s.action_lines:
        own = by_code.get(a.code)
        if own is not None and (not a.description or not own.description
                                or description_score(a.description, own.description) >= DESCRIPTION_MIN_RATIO):
            s.flags.append(_flag("action_lines", a.code, "code", "catalog_match", a.code, a.code,
                                 f"Action line {a.code} is line {own.code} of the PMD catalog {own.source}"
                                 f"{f' ({own.description})' if own.description else ''}."))
            lines.append(a)
            continue
        ranked = best_lines(a.description or "", pmd) if a.description else []
        if not ranked or ranked[0][0] < DESCRIPTION_MIN_RATIO:
            lines.append(a)
            continue
        top, best = ranked[0]
        rivals = [line.code for score, line in ranked[1:] if top - score < MARGIN and line.code != best.code]
        listed = {other.code for other in s.action_lines if other is not a}
        if best.code in listed:
            s.flags.append(_flag("action_lines", a.code, "code", "ambiguous_match", a.code, None,
                                 f"Action line '{a.code} {a.description}' reads as PMD line {best.code} of "
                                 f"{best.source}, which the section lists already: left as read."))
            lines.append(a)
        elif rivals:
            s.flags.append(_flag("action_lines", a.code, "code", "ambiguous_match", a.code, None,
                                 f"Action line '{a.code} {a.description}' reads as well as the PMD lines "
                                 f"{', '.join([best.code] + rivals)} of {best.source}: left as read."))
            lines.append(a)
        elif not ocr:
            s.flags.append(_flag("action_lines", a.code, "code", "ambiguous_match", a.code, None,
                                 f"Action line {a.code} is printed with the description of PMD line {best.code} "
                                 f"({best.source}); born-digital text is what the document says: left as printed."))
            lines.append(a)
        else:
            renamed[a.code] = best.code
            s.flags.append(_flag("action_lines", best.code, "code", "catalog_match", a.code, best.code,
                                 f"Action line code '{a.code}' was read as {best.code}: its description "
                                 f"'{a.description}' is that of PMD line {best.code} of {best.source}"
                                 f"{'' if own is None else f', not of {own.code}'} (score {top:.0f})."))
            lines.append(replace(a, code=best.code))
    if not renamed:
        return replace(s, action_lines=lines)
    goals = []
    for g in s.goals:
        codes = tuple(dict.fromkeys(renamed.get(c, c) for c in g.pmd_codes))
        if codes != tuple(g.pmd_codes):
            s.flags.append(_flag("goals", g.goal_code, "pmd_codes", "catalog_match", ", ".join(g.pmd_codes),
                                 ", ".join(codes),
                                 f"Goal {g.goal_code}: its PMD codes {', '.join(g.pmd_codes)} were read as "
                                 f"{', '.join(codes)}, as the section's action lines were (PMD catalog)."))
            g = replace(g, pmd_codes=codes)
        goals.append(g)
    provenance = [replace(p, row_key=renamed.get(p.row_key, p.row_key)) if p.table == "action_lines" else p
                  for p in s.provenance]
    return replace(s, action_lines=lines, goals=goals, provenance=provenance)


def _inflected(a: str, b: str) -> bool:
    wa, wb = a.split(), b.split()
    return len(wa) == len(wb) and all(x == y or inflection_of(x, y) for x, y in zip(wa, wb))


def _match_unit(value: str, user: dict[str, tuple[str, str]], bundled: dict[str, str]):
    """('exact' | 'near' | 'ambiguous' | None, unit, source, candidates)."""
    key = fold(value)
    if key in user:
        return "exact", user[key][0], user[key][1], ()
    choices = {**{k: (u, "") for k, u in bundled.items()}, **user}
    scored = sorted(((fuzz.ratio(key, c), c) for c in choices if not _inflected(key, c)), reverse=True)
    if not scored or scored[0][0] < UNIT_MIN_RATIO or scored[0][1] not in user:
        return None, None, None, ()
    close = [choices[c][0] for r, c in scored if scored[0][0] - r < UNIT_MARGIN]
    if len(close) > 1:
        return "ambiguous", None, None, tuple(close)
    unit, source = user[scored[0][1]]
    return "near", unit, source, ()


def _units(s: SectionResult, units: Sequence[tuple[str, str]], ocr: bool) -> SectionResult:
    user = {fold(u): (u, src) for u, src in units}
    bundled = {fold(u): u for u in catalogs.units_of_measure()}

    def match(table: str, row, field: str, value):
        if not value:
            return value
        kind, unit, source, cands = _match_unit(value, user, bundled)
        key = ROW_KEYS[table](row)
        if kind == "exact":
            s.flags.append(_flag(table, key, field, "catalog_match", value, value,
                                 f"The unit '{value}' is in the catalog of units {source}."))
        elif kind == "near" and ocr:
            new = unit if not value.isupper() or unit.isupper() else unit.upper()
            s.flags.append(_flag(table, key, field, "catalog_match", value, new,
                                 f"The scan's reading of the unit '{value}' was matched to '{unit}' "
                                 f"of the catalog of units {source}."))
            return new
        elif kind == "ambiguous" and ocr:
            s.flags.append(_flag(table, key, field, "ambiguous_match", value, None,
                                 f"The unit '{value}' is as close to {' as to '.join(cands)}: "
                                 f"left as read."))
        return value
    return each_field(s, UNIT_FIELDS, match)
