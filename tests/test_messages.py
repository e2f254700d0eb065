"""Flag sentences in Spanish by default, English on request; every rule id the code uses has its sentence."""
from __future__ import annotations

import ast
import dataclasses
import re
from pathlib import Path

import pandas as pd
import pytest

from avance.cli import build_parser
from avance.contract import SCHEMAS, document_tables
from avance.messages import (COLUMN_LABELS, FAMILY_LABELS, RULE_NAMES, SENTENCES, SEVERITY_LABELS, STATUS_LABELS,
                             TABLE_LABELS, localize, looks_english, spanish)
from avance.pipeline.document import process_document
from avance.pipeline.options import ExtractOptions
from avance.pipeline.run import run
from avance.records import Family, Flag, Severity, Status

from .conftest import CORPUS, DIGITAL

SOURCES = Path(__file__).resolve().parents[1] / "avance"
# English words of the program's own sentences; none may be left in a Spanish one.
ENGLISH_WORDS = {"the", "was", "were", "read", "kept", "taken", "printed", "but", "of", "is", "and", "as", "add",
                 "up", "goal", "indicator", "period", "could", "not", "left", "empty", "because", "page", "row",
                 "which", "again", "alone", "figures", "column", "quarter", "target", "annual", "progress"}


def rule_ids_in_code() -> set[str]:
    """Every rule id the package can write: `rule="..."` anywhere, a `rule` parameter's default,
    a string in the `rule` position of a call to `Flag` or to a function that takes `rule`, and strings
    assigned to a name `rule` (e.g. `rule = "a" if ... else "b"`)."""
    found: set[str] = set()

    def strings(node: ast.AST) -> set[str]:
        """The strings an expression can evaluate to (a constant, either branch of `a if c else b`)."""
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            return {node.value}
        if isinstance(node, ast.IfExp):
            return strings(node.body) | strings(node.orelse)
        if isinstance(node, ast.BoolOp):
            return set().union(*(strings(v) for v in node.values))
        return set()

    for path in SOURCES.rglob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        position: dict[str, int] = {"Flag": [f.name for f in dataclasses.fields(Flag)].index("rule")}
        for fn in ast.walk(tree):
            if isinstance(fn, (ast.FunctionDef, ast.AsyncFunctionDef)):
                names = [a.arg for a in fn.args.args]
                if "rule" in names:
                    position[fn.name] = names.index("rule")
                    defaults = fn.args.defaults
                    offset = len(names) - len(defaults)
                    if names.index("rule") >= offset:
                        found |= strings(defaults[names.index("rule") - offset])
        for node in ast.walk(tree):
            if isinstance(node, ast.Call):
                for kw in node.keywords:
                    if kw.arg == "rule":
                        found |= strings(kw.value)
                name = getattr(node.func, "id", None) or getattr(node.func, "attr", None)
                if name in position and position[name] < len(node.args):
                    found |= strings(node.args[position[name]])
            if isinstance(node, ast.Assign) and any(getattr(t, "id", None) == "rule" for t in node.targets):
                found |= strings(node.value)
        # the grep of the brief, as a floor under the parse above
        found |= set(re.findall(r'rule="([a-z_]+)"', path.read_text(encoding="utf-8")))
    return found


def test_every_rule_id_in_the_code_has_a_spanish_sentence_and_name():
    rules = rule_ids_in_code()
    # the scan sees the helpers' rule arguments, not only `rule="..."`
    assert {"sum_mismatch", "percent_mismatch", "formula_mismatch", "target_exceeded", "code_segmentation",
            "name_reconciliation", "ambiguous_match", "ocr_repair", "unreadable"} <= rules
    assert rules - set(SENTENCES) == set(), "rule ids without a Spanish sentence"
    assert rules - set(RULE_NAMES) == set(), "rule ids without a Spanish name"


def test_every_contract_name_has_a_spanish_label():
    columns = {f.name for schema in SCHEMAS.values() for f in schema}
    assert columns - set(COLUMN_LABELS) == set()
    assert set(SCHEMAS) - set(TABLE_LABELS) == set()
    assert {f.value for f in Family} - set(FAMILY_LABELS) == set()
    assert {s.value for s in Status} - set(STATUS_LABELS) == set()
    assert {s.value for s in Severity} - set(SEVERITY_LABELS) == set()


def _flag(rule: str, table="goals", row_key="302", field="annual_target", raw="12", value="10",
          severity=Severity.WARNING, message="Goal 302: the quarters programmed add up to 10, but the annual "
                                             "target printed is 12.") -> Flag:
    return Flag(table=table, row_key=row_key, field=field, rule=rule, severity=severity, raw_value=raw,
                value=value, message=message)


@pytest.mark.parametrize("rule", sorted(set(SENTENCES) | {"a_rule_nobody_wrote"}))
def test_each_sentence_is_spanish_and_names_the_row(rule):
    sentence = spanish(_flag(rule))
    words = set(re.findall(r"[a-záéíóúñ]+", sentence.lower()))
    assert not words & ENGLISH_WORDS, sentence
    assert ("302" in sentence or "«12»" in sentence) and not looks_english(sentence)
    assert sentence.endswith(".")


def test_a_warning_shows_the_printed_and_the_implied_figure():
    sentence = spanish(_flag("percent_mismatch", field="relative_progress", raw="58.33", value="14.583333"))
    assert "58.33 %" in sentence and "14.58 %" in sentence
    assert "avance absoluto ÷ meta anual × 100" in sentence


def test_reasons_of_the_english_sentence_are_kept_in_spanish():
    flag = _flag("unreadable", field="P3", raw="50 12 12 13", value=None, severity=Severity.ERROR,
                 message="Goal 101: P3 is left empty because several placements fit the row's arithmetic "
                         "equally well (figures as read: '50 12 12 13').")
    sentence = spanish(flag)
    assert "programado del trimestre 3" in sentence and "varias colocaciones" in sentence
    page = Flag(table="documents", row_key="4", field="page", rule="unreadable", severity=Severity.ERROR,
                raw_value=None, value=None, message="Page 4 could not be read (OSError: bad xref); it was skipped.")
    assert spanish(page) == "No se pudo leer la página 4; se omitió (causa: OSError: bad xref)."


def test_localize_keeps_english_on_request_and_refuses_other_languages():
    flag = _flag("sum_mismatch")
    assert localize(flag, "en") == flag
    spanish_flag = localize(flag)
    assert spanish_flag.message != flag.message and spanish_flag.rule == flag.rule
    assert (spanish_flag.raw_value, spanish_flag.value) == (flag.raw_value, flag.value)
    with pytest.raises(ValueError):
        localize(flag, "fr")
    with pytest.raises(ValueError):
        ExtractOptions(lang="fr")


def test_written_flags_are_spanish_by_default_and_english_with_lang_en(tmp_path):
    inputs = [CORPUS / "exports" / "004_83effe8c90a4f0c8.txt"]
    es = run(inputs, tmp_path / "es")
    en = run(inputs, tmp_path / "en", options=ExtractOptions(lang="en"))
    assert es[0].n_flags == en[0].n_flags > 0
    flags_es = pd.read_parquet(tmp_path / "es" / "flags").sort_values(["table", "row_key", "field", "rule"])
    flags_en = pd.read_parquet(tmp_path / "en" / "flags").sort_values(["table", "row_key", "field", "rule"])
    # same rows, same contract fields; only the sentence differs
    keys = ["table", "row_key", "field", "rule", "severity", "raw_value", "value"]
    assert flags_es[keys].values.tolist() == flags_en[keys].values.tolist()
    assert not any(looks_english(m) for m in flags_es["message"])
    assert all(looks_english(m) for m in flags_en["message"])


def test_document_tables_take_the_language():
    result = process_document(DIGITAL / "d002_poa_zapopan.pdf")
    es = document_tables(result)["flags"].column("message").to_pylist()
    en = document_tables(result, "en")["flags"].column("message").to_pylist()
    assert es and all(not looks_english(m) for m in es) and all(looks_english(m) for m in en)


def test_the_cli_takes_lang():
    parser = build_parser()
    assert parser.parse_args(["extract", "x", "--out", "o"]).lang == "es"
    assert parser.parse_args(["extract", "x", "--out", "o", "--lang", "en"]).lang == "en"


def test_why_a_document_failed_is_said_in_spanish():
    from avance.messages import document_error

    assert document_error("timed out after 300 s") == "excedió el tiempo límite de 300 s"
    assert document_error("not a progress report: no page looks like a known progress report (POA, indicator "
                          "sheet/report, MIR)").startswith("no es un reporte de avance: ninguna página")
    assert document_error("cannot read the file: Permission denied") == \
        "no se puede leer el archivo: Permission denied"  # the system's own words are kept
    assert document_error("worker process died (signal SIGKILL); it may have run out of memory (limit 2048 MB)") \
        == "el proceso que lo leía murió (señal SIGKILL); quizá se quedó sin memoria (límite 2048 MB)"
