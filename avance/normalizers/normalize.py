"""One document's parsed sections, repaired and matched against catalogs.

    sections = normalize_document(sections, text_source=info.text_source)

Pure: returns new `SectionResult`s; every change is an `info` flag (rule id,
raw and new value, a sentence), every match that was not applied because two
candidates were equally good is an `ambiguous_match` flag. Runs between
parsing and the arithmetic checks, over the whole document because a
signatory's name and a report's variable keys are settled across sections.

What is done, and where:

| step | rule | text layer | OCR (`ocr`, `ocr_text`, `mixed`) |
|---|---|---|---|
| action-line codes segmented on the section's list (`codes.py`) | `code_segmentation` | yes | yes |
| variable keys to the sheet's keys (`keys.py`) | `catalog_match` | no | yes |
| signatory names reconciled (`names.py`) | `name_reconciliation` | no | yes |
| words of label and free-text fields read as Spanish (`text.py`, `lexicon.py`) | `ocr_repair` | no | yes |
| units of measure matched to the unit catalog | `catalog_match` | no | yes |

After the arithmetic checks, the figures behind a warning on a scanned page are
read again alone (`rereads.py`, rule `ocr_reread`; the pipeline reads the image).

Born-digital text is printed text: it is never respelled (its typos and its
missing accents are what the document says), so only the code segmentation,
which reads structure and not spelling, runs on it.

Thresholds (measured on the dev corpus, `shared/corpus/dev`, digital truth vs
the cached OCR of its scans; a leave-one-out vocabulary, i.e. built without the
document measured, stands in for documents the vocabulary has never seen):

- word repair (`text.py`): the vocabulary is the public Spanish lexicon
  (wordfreq's list, `lexicon.py`) plus the domain catalogs (`data/catalogs/`),
  no word of any report. Words of 5+ letters that are no known word, an OCR cost
  (confusions 0.5, other edits 1) of at most 1 (no repair seen on the dev scans
  needed more, at any word length), a clear winner (the next candidate 0.5 costlier or ten times rarer), names and
  acronyms guarded. Measured (`bench/scan_eval.py` on the cached OCR of the 12
  dev scans): field accuracy 0.9626 with the former dev-corpus vocabulary on
  label fields only, 0.9667 with the lexicon on label and free-text fields (46
  word repairs, none seen wrong; plain-edit repairs of words under 8 letters,
  half of them wrong on the dev and real scans, are not made); on the digital
  truth's text fields (10,302 words of correct text) it changes none; on the
  OCR of a real scanned report of `shared/realdocs` (1,261 words) its 42
  repairs (`alunmos`, `Compenente`) all give the words of its truth file. Earlier, with a vocabulary of a few hundred dev-corpus words,
  free text could not be repaired: leave-one-out it changed 24 of the 199 unknown
  words of the digital truth into other words (`MARZO` -> `MARCO`); the lexicon
  knows them.
- units (`UNIT_MIN_RATIO` = 90, `UNIT_MARGIN` = 5): the whole cleaned unit
  (specks at its edges and lone lower-case letters in an upper-case cell
  dropped) against the unit catalog, its count nouns with an agreeing participle
  (`UNIT_PARTICIPLES`: `SERVICIOS OTORGADOS`, `PERSONAS ATENDIDAS`) and the units
  read at least twice in the document, rapidfuzz ratio on folded text; another
  number or gender of a unit is never a match. Leave-one-out on the dev truth units (18 not in the
  catalog without their own document): at 85 and 90 without the number/gender
  rule, 4 were wrongly changed, all singular -> plural (`INFORME` -> `INFORMES`,
  ratio 93-94); with the rule, none at 85, 90 or 95. 90 keeps a margin over
  85.
- keys (`keys.py`): OCR-confusion-weighted edit cost <= 1.0, margin 0.5.
- names (`names.py`): word similarity >= 0.5, half the words equal.
"""
from __future__ import annotations

import re
from collections import Counter
from dataclasses import replace
from functools import lru_cache
from typing import Callable, Optional, Sequence

from rapidfuzz import fuzz
from rapidfuzz.process import extract

from ..records import ROW_KEYS, Flag, SectionResult, Severity
from . import catalogs
from .catalogs import fold
from .codes import segment
from .formula import parse_formula, repair_formula, variables
from .keys import match_key, related_sheet
from .names import reconcile
from .text import Vocabulary, inflection_of, repair_text, spanish_vocabulary, trailing_speck

OCR_SOURCES = frozenset({"ocr", "ocr_text", "mixed"})
UNIT_MIN_RATIO = 90.0
UNIT_MARGIN = 5.0

# Fields whose words come from a closed set (headers, catalogs, units, titles).
LABEL_FIELDS: dict[str, tuple[str, ...]] = {
    "sections": ("government", "municipality", "admin_class_name", "ramo_name", "programa_name", "unidad_name",
                 "finalidad_name", "funcion_name", "subfuncion_name", "axis", "budget_program", "agency",
                 "period_label"),
    "goals": ("unit",),
    "signatories": ("title",),
    "indicators": ("result_unit",),
    "indicator_variables": ("unit",),
    "mir_rows": ("responsible_unit", "indicator_unit", "variables_unit"),
}
# Free text (names, descriptions, objectives, observations): read as Spanish against
# the public lexicon; names and acronyms in it are guarded (`text.py`).
FREE_TEXT_FIELDS: dict[str, tuple[str, ...]] = {
    "action_lines": ("description",),
    "goals": ("description", "observations"),
    "indicators": ("name", "pmd_axis", "pmd_strategy", "objective", "interpretation", "frequency"),
    "indicator_variables": ("description", "source"),
    "mir_rows": ("objective", "indicator_name", "justification"),
    "evaluation_rows": ("project", "indicator", "target_unit", "justification"),
    "indicator_results": ("program_name", "indicator", "unit"),
}
REPAIRED_FIELDS: dict[str, tuple[str, ...]] = {
    table: LABEL_FIELDS.get(table, ()) + FREE_TEXT_FIELDS.get(table, ())
    for table in {**LABEL_FIELDS, **FREE_TEXT_FIELDS}}


def _flag(table: str, row_key: str, field: str, rule: str, raw: Optional[str], value: Optional[str],
          message: str) -> Flag:
    return Flag(table=table, row_key=row_key, field=field, rule=rule, severity=Severity.INFO,
                raw_value=raw, value=value, message=message)


def normalize_document(sections: list[SectionResult], text_source: Optional[str] = None) -> list[SectionResult]:
    """New sections with repaired fields and their flags added (see the module docstring).

    `text_source` is the document's (`DocumentInfo.text_source`); None is taken
    as a text layer: only the repairs that never respell text run."""
    ocr = text_source in OCR_SOURCES
    out = [_copy(s) for s in sections]
    out = [_codes(s) for s in out]
    if ocr:
        _keys(out)
        _names(out)
        vocab = spanish_vocabulary()
        units = _document_units(out)
        out = [_labels(s, vocab, units) for s in out]
        out = [_formulas(s) for s in out]
    return out


# Formulas of letter variables OCR'd with look-alike glyphs (formula.repair_formula).
FORMULA_FIELDS: dict[str, tuple[str, ...]] = {"indicator_results": ("formula",)}


def _formulas(s: SectionResult) -> SectionResult:
    def repair(table: str, row, field: str, raw):
        value, why = repair_formula(raw)
        if not why:
            return raw
        s.flags.append(_flag(table, ROW_KEYS[table](row), field, "ocr_repair", raw, value,
                             f"The scan's reading of the formula '{raw}' was repaired to '{value}': "
                             f"{'; '.join(why)}."))
        return value
    return each_field(s, FORMULA_FIELDS, repair)


def each_field(s: SectionResult, fields: dict[str, tuple[str, ...]],
               change: Callable[[str, object, str, object], object]) -> SectionResult:
    """The section with `change(table, row, field, value)` as each named field of each
    row of the named tables (rows left as they were when nothing changes)."""
    changed = {}
    for table, names in fields.items():
        rows = []
        for row in getattr(s, table):
            updates = {f: v for f in names if (v := change(table, row, f, getattr(row, f))) != getattr(row, f)}
            rows.append(replace(row, **updates) if updates else row)
        changed[table] = rows
    return replace(s, **changed)


def _copy(s: SectionResult) -> SectionResult:
    """A section whose lists may be changed without touching the caller's."""
    return replace(s, **{name: list(getattr(s, name)) for name in _LISTS})


_LISTS = ("action_lines", "goals", "goal_periods", "signatories", "indicators", "indicator_variables",
          "indicator_baselines", "indicator_values", "mir_rows", "mir_periods", "evaluation_rows", "totals", "flags",
          "provenance")


# --------------------------------------------------------------------------
# action-line codes
# --------------------------------------------------------------------------

def _codes(section: SectionResult) -> SectionResult:
    catalog = [a.code for a in section.action_lines]
    if not section.goals:
        return section
    flagged = {(f.row_key, f.field) for f in section.flags}
    goals = []
    for g in section.goals:
        if not g.pmd_codes_raw:
            goals.append(g)
            continue
        seg = segment(g.pmd_codes_raw, catalog)
        current = tuple(g.pmd_codes)
        listed = set(catalog)
        if current != seg.codes:
            unlisted_now = sum(c not in listed for c in current)
            unlisted_new = sum(c not in listed for c in seg.codes)
            listed_now = sum(c in listed for c in current)
            listed_new = sum(c in listed for c in seg.codes)
            if not catalog or unlisted_new >= unlisted_now or listed_new < listed_now:
                goals.append(g)  # the parser's reading (an OCR repair) has as much evidence
                continue
            section.flags.append(_flag("goals", g.goal_code, "pmd_codes", "code_segmentation",
                                       g.pmd_codes_raw, ", ".join(seg.codes),
                                       f"Goal {g.goal_code}: the PMD cell '{g.pmd_codes_raw}' was read as "
                                       f"{', '.join(seg.codes) or 'no code'} against the section's action lines "
                                       f"(it had been read as {', '.join(current) or 'no code'})."))
            goals.append(replace(g, pmd_codes=seg.codes))
            continue
        if seg.changed and (g.goal_code, "pmd_codes") not in flagged:
            left = f"; digits no listed code accounts for: {', '.join(seg.leftover)}" if seg.leftover else ""
            section.flags.append(_flag("goals", g.goal_code, "pmd_codes", "code_segmentation",
                                       g.pmd_codes_raw, ", ".join(seg.codes),
                                       f"Goal {g.goal_code}: the PMD cell '{g.pmd_codes_raw}' prints its codes "
                                       f"run together or with commas for dots; the section's action lines "
                                       f"split it into {', '.join(seg.codes) or 'no code'}{left}."))
        goals.append(g)
    return replace(section, goals=goals)


# --------------------------------------------------------------------------
# indicator variable keys
# --------------------------------------------------------------------------

def _formula_ids(section: SectionResult) -> set[str]:
    out: set[str] = set()
    for ind in section.indicators:
        parsed = parse_formula(ind.formula) if ind.formula else None
        if parsed:
            out |= {parsed[0]} | variables(parsed[1])
    return out


def _keys(sections: list[SectionResult]) -> None:
    sheets = []
    for i, s in enumerate(sections):
        own = {v.key for v in s.indicator_variables}
        if own:
            code = next((ind.indicator_code for ind in s.indicators if ind.indicator_code), None)
            sheets.append((i, code, frozenset(own | _formula_ids(s))))
    for i, s in enumerate(sections):
        used = [v.key for v in s.indicator_variables] + [v.variable_key for v in s.indicator_values]
        ids = _formula_ids(s)
        if not used and not ids:
            continue
        own = {v.key for v in s.indicator_variables}
        if own:  # a sheet: its table, and the formula's other keys unless they misread a table key
            catalog = own | {k for k in ids if match_key(k, own)[0] is None}
        else:
            code = next((ind.indicator_code for ind in s.indicators if ind.indicator_code), None)
            j = related_sheet(i, code, sorted(set(used) | ids), sheets)
            if j is None:
                continue
            catalog = set(next(sh[2] for sh in sheets if sh[0] == j))
        _repair_keys(s, catalog, set(used) | ids)


def _repair_keys(s: SectionResult, catalog: set[str], present: set[str]) -> None:
    mapping: dict[str, str] = {}
    for key in sorted(present):
        if key in catalog:
            continue
        target, cands = match_key(key, catalog, taken=present & catalog)
        if target:
            mapping[key] = target
        elif len(cands) > 1:
            s.flags.append(_flag("indicator_variables", key, "key", "ambiguous_match", key, None,
                                 f"The variable key '{key}' is not among the sheet's keys and is as close to "
                                 f"{' as to '.join(cands)}: it was left as read."))
    if not mapping:
        return
    for key, target in mapping.items():
        s.flags.append(_flag("indicator_variables", target, "key", "catalog_match", key, target,
                             f"The variable key '{key}' is not among the indicator sheet's keys; it was read as "
                             f"'{target}', the sheet's key it differs from by characters OCR confuses."))
    s.indicator_variables[:] = [replace(v, key=mapping.get(v.key, v.key)) for v in s.indicator_variables]
    s.indicator_values[:] = [replace(v, variable_key=mapping.get(v.variable_key, v.variable_key))
                             for v in s.indicator_values]
    s.provenance[:] = [_rekey_provenance(p, mapping) for p in s.provenance]
    pattern = re.compile(r"\b(" + "|".join(map(re.escape, mapping)) + r")\b")
    s.indicators[:] = [replace(ind, formula=pattern.sub(lambda m: mapping[m.group(1)], ind.formula))
                       if ind.formula else ind for ind in s.indicators]


def _rekey_provenance(p, mapping: dict[str, str]):
    """A provenance row of a renamed variable key follows its row (`KEY`, `KEY|period`)."""
    if p.table not in ("indicator_variables", "indicator_values"):
        return p
    key, sep, rest = p.row_key.partition("|")
    if key not in mapping:
        return p
    return replace(p, row_key=mapping[key] + sep + rest)


# --------------------------------------------------------------------------
# signatory names
# --------------------------------------------------------------------------

def _names(sections: list[SectionResult]) -> None:
    where = [(i, k) for i, s in enumerate(sections) for k in range(len(s.signatories))]
    names = [sections[i].signatories[k].name for i, k in where]
    for change in reconcile(names):
        i, k = where[change.index]
        sig = sections[i].signatories[k]
        sections[i].signatories[k] = replace(sig, name=change.value)
        sections[i].flags.append(_flag("signatories", sig.role, "name", "name_reconciliation", change.raw,
                                       change.value,
                                       f"The name read as '{change.raw}' is the same person as the other readings "
                                       f"of this document; the spelling most readings agree on is "
                                       f"'{change.value}'."))


# --------------------------------------------------------------------------
# label fields and units
# --------------------------------------------------------------------------

def _document_units(sections: Sequence[SectionResult]) -> Counter:
    return Counter(fold(g.unit) for s in sections for g in s.goals if g.unit)


_NOISE_EDGES = re.compile(r"^[\W_]+|[\W_]+$")


def clean_unit(text: str) -> str:
    """Marks OCR adds around and inside a unit cell (`- CAMPAÑA`, `ACTIVIDAD :`, `ACCIÓN o DE`)."""
    t = _NOISE_EDGES.sub("", text.strip())
    words = t.split()
    if len(words) > 1 and all(w.isupper() or not w.isalpha() or (len(w) == 1 and w.islower()) for w in words):
        words = [w for w in words if not (len(w) == 1 and w.islower())]  # a speck read as a letter
    return " ".join(words)


# A goal is often counted in a catalog noun and what was done with it (`SERVICIOS
# OTORGADOS`, `PERSONAS ATENDIDAS`): the participles such units pair with a noun.
UNIT_PARTICIPLES = ("OTORGADO", "ATENDIDO", "REALIZADO", "ENTREGADO", "IMPARTIDO", "APLICADO", "ELABORADO",
                    "EJECUTADO", "BENEFICIADO", "CAPACITADO", "INSCRITO", "ACTUALIZADO", "EMITIDO", "INSTALADO",
                    "REHABILITADO", "CONSTRUIDO", "DISTRIBUIDO", "GESTIONADO", "PUBLICADO", "VINCULADO",
                    "APROBADO", "PRESENTADO")
_FEMININE_ENDINGS = ("A", "AS", "CION", "CIONES", "SION", "SIONES", "DAD", "DADES", "TUD", "TUDES")


def _agreeing(noun: str, participle: str) -> str:
    """The participle in the noun's gender and number (`SERVICIOS` -> `OTORGADOS`,
    `PERSONAS` -> `ATENDIDAS`); a masculine noun in -A (`PROGRAMA`) gets the wrong
    one, which then never matches: another gender of a read unit is never a match."""
    folded = fold(noun)
    stem = participle[:-1] + ("A" if folded.endswith(_FEMININE_ENDINGS) else "O")
    return stem + ("S" if folded.endswith("S") else "")


@lru_cache(maxsize=1)
def _catalog_units() -> dict[str, str]:
    units = {fold(u): u for u in catalogs.units_of_measure()}
    # plural count nouns only: a singular one would tie with its plural on a misread last letter
    nouns = [u for u in catalogs.units_of_measure() if " " not in u and fold(u).endswith("S")]
    for noun in nouns:
        for participle in UNIT_PARTICIPLES:
            unit = f"{noun} {_agreeing(noun, participle)}"
            units.setdefault(fold(unit), unit)
    return units


def match_unit(text: str, document_units: Counter) -> tuple[Optional[str], tuple[str, ...]]:
    """The catalog (or document) unit a read unit means: (unit, candidates)."""
    choices = dict(_catalog_units())
    for u, n in document_units.items():
        if n >= 2:
            choices.setdefault(u, u)
    key = fold(text)
    if key in choices:
        return None, ()
    near = extract(key, list(choices), scorer=fuzz.ratio, score_cutoff=UNIT_MIN_RATIO - UNIT_MARGIN, limit=None)
    scored = sorted(((score, c) for c, score, _ in near if not _inflected(key, c)), reverse=True)
    if not scored or scored[0][0] < UNIT_MIN_RATIO:
        return None, ()
    if len(scored) > 1 and scored[0][0] - scored[1][0] < UNIT_MARGIN:
        return None, tuple(choices[c] for r, c in scored if scored[0][0] - r < UNIT_MARGIN)
    return choices[scored[0][1]], (choices[scored[0][1]],)


def _inflected(a: str, b: str) -> bool:
    """Another number or gender of the same unit (`INFORME` / `INFORMES`): a unit in its own right."""
    wa, wb = a.split(), b.split()
    return len(wa) == len(wb) and all(x == y or inflection_of(x, y) for x, y in zip(wa, wb))


def _repair_row(table: str, row, vocab: Vocabulary, units: Counter, flags: list[Flag]):
    changes = {}
    for field in REPAIRED_FIELDS[table]:
        raw = getattr(row, field)
        if not raw:
            continue
        value = clean_unit(raw) if field == "unit" and table == "goals" else raw
        value, repairs = repair_text(value, vocab)
        if value and field in LABEL_FIELDS.get(table, ()):
            value, speck = trailing_speck(value, vocab)
            repairs += [speck] if speck else []
        key = ROW_KEYS[table](row)
        for r in repairs:
            if r.value is None:
                flags.append(_flag(table, key, field, "ambiguous_match", r.raw, None,
                                   f"'{r.raw}' in {field} is no known word and is as close to "
                                   f"{' as to '.join(r.candidates)}: it was left as read."))
        if field == "unit" and table == "goals" and value:
            unit, cands = match_unit(value, units)
            if unit:
                value = unit if not value.isupper() or unit.isupper() else unit.upper()
            elif len(cands) > 1:
                flags.append(_flag(table, key, field, "ambiguous_match", value, None,
                                   f"The unit '{value}' is as close to {' as to '.join(cands)}: it was left as read."))
        if value != raw:
            changes[field] = value
            fixed = [f"'{r.raw}' -> '{r.value}'" for r in repairs if r.value]
            how = f" ({', '.join(fixed)})" if fixed else ""
            rule = "catalog_match" if field == "unit" and fold(value) in _catalog_units() else "ocr_repair"
            flags.append(_flag(table, key, field, rule, raw, value,
                               f"The scan's reading of {field} '{raw}' was repaired to '{value}'{how}."))
    return replace(row, **changes) if changes else row


def _labels(s: SectionResult, vocab: Vocabulary, units: Counter) -> SectionResult:
    flags = s.flags
    info = _repair_row("sections", s.info, vocab, units, flags)
    return replace(
        s, info=info, flags=flags,
        action_lines=[_repair_row("action_lines", a, vocab, units, flags) for a in s.action_lines],
        goals=[_repair_row("goals", g, vocab, units, flags) for g in s.goals],
        signatories=[_repair_row("signatories", x, vocab, units, flags) for x in s.signatories],
        indicators=[_repair_row("indicators", x, vocab, units, flags) for x in s.indicators],
        indicator_variables=[_repair_row("indicator_variables", x, vocab, units, flags)
                             for x in s.indicator_variables],
        mir_rows=[_repair_row("mir_rows", x, vocab, units, flags) for x in s.mir_rows],
        evaluation_rows=[_repair_row("evaluation_rows", x, vocab, units, flags) for x in s.evaluation_rows],
        indicator_results=[_repair_row("indicator_results", x, vocab, units, flags) for x in s.indicator_results],
    )
