"""Score an `avance` output folder against ground-truth files.

Vendored from the project's shared scorer (`shared/tools/score.py`) so that
`avance evaluate` and the test suite measure runs exactly as the project
does, in a clone that has no `../shared`.

    python score.py --truth DIR [--truth DIR ...] --out OUTDIR
                    [--json FILE] [--by variant|family|file] [--verbose N]

Truth files are `*.truth.json` (format: shared/corpus/TRUTH_FORMAT.md) found
recursively under each --truth path (a path may also name one truth file).
OUTDIR holds one folder per table with one Parquet file per document
(shared/SCHEMA.md). The last printed line is always

    field_accuracy=S lenient=L flag_recall=R flag_precision=P docs=F/E

See README.md beside this file for what every figure means. Depends only on
pandas and pyarrow. Exits 0 unless the arguments are unusable (exit 2).
"""
from __future__ import annotations

import argparse
import glob
import json
import math
import os
import re
import sys
import unicodedata
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

# Row keys per table (TRUTH_FORMAT.md). "sps" = the section's page_start.
PER_SECTION_KEYS: dict[str, tuple[str, ...]] = {
    "sections": (),
    "action_lines": ("code",),
    "goals": ("goal_code",),
    "goal_periods": ("goal_code", "period"),
    "signatories": ("role",),
    "indicators": (),
    "indicator_variables": ("key",),
    "indicator_baselines": ("period",),
    "indicator_values": ("variable_key", "period"),
    "evaluation_rows": ("indicator_no",),
    "totals": ("target_table", "target_column"),
}
PER_FILE_KEYS: dict[str, tuple[str, ...]] = {
    "mir_rows": ("objective_code",),
    "mir_periods": ("objective_code", "period"),
}
TABLES: list[str] = list(PER_SECTION_KEYS) + list(PER_FILE_KEYS)
# Key parts compared as integers rather than strings.
INT_KEY_COLUMNS = {"period", "section_page_start", "page_start", "indicator_no"}
SCORED_FLAG_RULES = {"sum_mismatch", "percent_mismatch", "formula_mismatch"}
# A warning on a child row also concerns its parent row (for excusing
# warnings about rows whose truth is partly uncertain).
PARENT_TABLE = {"goal_periods": "goals", "mir_periods": "mir_rows"}
# Figures that enter the arithmetic checks: a warning about a row where one of
# these is uncertain can be neither confirmed nor refuted.
ARITHMETIC_FIELDS = {"annual_target", "programmed", "achieved", "absolute_progress", "relative_progress",
                     "target", "pct_period", "pct_cumulative", "value", "programmed_to_date",
                     "achieved_to_date", "pct_progress", "budget_approved", "budget_authorized",
                     "budget_exercised", "budget_difference", "budget_pct"}
# Columns never scored: bookkeeping, not content.
NEVER_SCORED = {"doc_id", "section_id", "section_page_start"}

ABS_TOL = 0.005
REL_TOL = 1e-6

_ABSENT = object()  # output lacks the column entirely


# --------------------------------------------------------------------------
# value normalization and comparison
# --------------------------------------------------------------------------

def is_null(v: Any) -> bool:
    if v is None or v is pd.NA or v is pd.NaT:
        return True
    if isinstance(v, float) and math.isnan(v):
        return True
    try:
        import numpy as np  # pandas depends on numpy

        if isinstance(v, np.floating) and np.isnan(v):
            return True
    except Exception:  # pragma: no cover
        pass
    return False


def to_py(v: Any) -> Any:
    """Output cell -> plain Python value (None, bool, int/float, str, list)."""
    if v is _ABSENT:
        return v
    if isinstance(v, (list, tuple)):
        return [to_py(x) for x in v]
    if hasattr(v, "tolist") and not isinstance(v, (str, bytes)):
        try:
            return to_py(v.tolist())  # numpy arrays and numpy scalars
        except Exception:
            pass
    if is_null(v):
        return None
    if isinstance(v, bytes):
        return v.decode("utf-8", "replace")
    return v


def norm_text(s: str) -> str:
    return " ".join(str(s).split())


def fold(s: str) -> str:
    """Lenient form: case and accents ignored."""
    s = unicodedata.normalize("NFKD", norm_text(s).casefold())
    return "".join(c for c in s if not unicodedata.combining(c))


def is_number(v: Any) -> bool:
    return isinstance(v, (int, float)) and not isinstance(v, bool)


def numbers_equal(a: float, b: float) -> bool:
    if math.isnan(a) or math.isnan(b):
        return False
    return abs(a - b) <= ABS_TOL or abs(a - b) <= REL_TOL * max(abs(a), abs(b))


def values_equal(truth: Any, out: Any, lenient: bool) -> bool:
    if out is _ABSENT:
        return False
    if isinstance(truth, list) or isinstance(out, list):
        # lists compare as sets of strings; null and [] are both "no codes"
        t = truth if isinstance(truth, list) else ([] if truth is None else None)
        o = out if isinstance(out, list) else ([] if out is None else None)
        if t is None or o is None:
            return False
        f = fold if lenient else norm_text
        return {f(str(x)) for x in t if x is not None} == {f(str(x)) for x in o if x is not None}
    if truth is None:
        return out is None
    if out is None:
        return False
    if isinstance(truth, bool) or isinstance(out, bool):
        return isinstance(truth, bool) and isinstance(out, bool) and truth == out
    if is_number(truth):
        return is_number(out) and numbers_equal(float(truth), float(out))
    if isinstance(truth, str):
        if not isinstance(out, str):
            return False
        if lenient:
            return fold(truth) == fold(out)
        return norm_text(truth) == norm_text(out)
    return truth == out


def key_part(v: Any, column: str) -> str:
    """Canonical string for one key part (used for truth and output alike)."""
    v = to_py(v)
    if v is None or v is _ABSENT:
        return ""
    if column in INT_KEY_COLUMNS or is_number(v):
        try:
            f = float(v)
            if f.is_integer():
                return str(int(f))
            return repr(f)
        except (TypeError, ValueError):
            pass
    return norm_text(str(v))


def norm_row_key(s: Any) -> str:
    """'302 | 2.0' -> '302|2' for flag/uncertain row keys."""
    if s is None or is_null(s):
        return ""
    parts = []
    for p in str(s).split("|"):
        p = norm_text(p)
        if re.fullmatch(r"-?\d+\.0+", p):
            p = p.split(".")[0]
        parts.append(p)
    return "|".join(parts)


def to_int(v: Any) -> int | None:
    v = to_py(v)
    if v is None or v is _ABSENT:
        return None
    try:
        return int(float(v))
    except (TypeError, ValueError):
        return None


def show(v: Any, width: int = 70) -> str:
    if v is _ABSENT:
        return "<column missing>"
    s = json.dumps(v, ensure_ascii=False, default=str)
    return s if len(s) <= width else s[: width - 3] + "..."


# --------------------------------------------------------------------------
# loading
# --------------------------------------------------------------------------

@dataclass
class Truth:
    path: str
    file_name: str
    variant: str
    tables: dict[str, list[dict]]
    expected_flags: list[dict]
    uncertain: list[dict]
    families: dict[int, str] = field(default_factory=dict)  # sps -> family


def find_truth_files(paths: list[str]) -> list[str]:
    found: list[str] = []
    for p in paths:
        if os.path.isfile(p):
            found.append(p)
        elif os.path.isdir(p):
            found.extend(glob.glob(os.path.join(p, "**", "*.truth.json"), recursive=True))
        else:
            raise FileNotFoundError(p)
    return sorted(set(os.path.abspath(f) for f in found))


def load_truth(path: str) -> Truth:
    with open(path, encoding="utf-8") as fh:
        d = json.load(fh)
    if not isinstance(d, dict) or "file_name" not in d:
        raise ValueError(f"{path}: not a truth file (no file_name)")
    tables = d.get("tables") or {}
    unknown = set(tables) - set(TABLES)
    if unknown:
        print(f"warning: {path}: unknown tables ignored: {sorted(unknown)}", file=sys.stderr)
    t = Truth(
        path=path,
        file_name=d["file_name"],
        variant=d.get("variant") or "unknown",
        tables={k: v for k, v in tables.items() if k in TABLES},
        expected_flags=d.get("expected_flags") or [],
        uncertain=d.get("uncertain") or [],
    )
    for row in t.tables.get("sections", []):
        sps = to_int(row.get("section_page_start"))
        if sps is not None:
            t.families[sps] = row.get("family") or "unknown"
    return t


def read_table(out_dir: str, table: str) -> pd.DataFrame:
    """All Parquet files of one table folder; a missing folder is an empty table."""
    folder = os.path.join(out_dir, table)
    if not os.path.isdir(folder):
        return pd.DataFrame()
    files = sorted(glob.glob(os.path.join(folder, "**", "*.parquet"), recursive=True))
    frames = []
    for f in files:
        try:
            frames.append(pd.read_parquet(f))
        except Exception as e:  # one unreadable file must not hide the rest
            print(f"warning: cannot read {f}: {e}", file=sys.stderr)
    frames = [f for f in frames if len(f.columns)]
    if not frames:
        return pd.DataFrame()
    return pd.concat(frames, ignore_index=True, sort=False)


def records(df: pd.DataFrame) -> list[dict]:
    if df.empty:
        return []
    cols = list(df.columns)
    return [{c: to_py(v) for c, v in zip(cols, row)} for row in df.itertuples(index=False, name=None)]


# --------------------------------------------------------------------------
# scoring
# --------------------------------------------------------------------------

@dataclass
class Tally:
    fields: int = 0
    strict: int = 0
    lenient: int = 0
    truth_rows: int = 0
    matched_rows: int = 0
    out_rows: int = 0
    out_matched: int = 0

    def add(self, other: "Tally") -> None:
        for k in vars(self):
            setattr(self, k, getattr(self, k) + getattr(other, k))

    def as_dict(self) -> dict:
        d = dict(vars(self))
        d["field_accuracy"] = ratio(self.strict, self.fields)
        d["field_accuracy_lenient"] = ratio(self.lenient, self.fields)
        d["row_recall"] = ratio(self.matched_rows, self.truth_rows)
        d["row_precision"] = ratio(self.out_matched, self.out_rows)
        d["spurious_rows"] = self.out_rows - self.out_matched
        return d


def ratio(a: int, b: int) -> float | None:
    return a / b if b else None


def truth_key(table: str, row: dict) -> tuple:
    parts = []
    if table in PER_SECTION_KEYS:
        parts.append(key_part(row.get("section_page_start"), "section_page_start"))
        cols = PER_SECTION_KEYS[table]
    else:
        cols = PER_FILE_KEYS[table]
    parts += [key_part(row.get(c), c) for c in cols]
    return tuple(parts)


def row_key_string(table: str, key: tuple) -> str:
    """Key without section_page_start, parts joined with '|'."""
    return "|".join(key[1:] if table in PER_SECTION_KEYS else key)


def score(truths: list[Truth], out_dir: str) -> dict:
    out = {t: records(read_table(out_dir, t)) for t in TABLES + ["documents", "flags"]}

    # documents: file_name -> doc row (prefer status ok)
    docs_by_name: dict[str, list[dict]] = defaultdict(list)
    for d in out["documents"]:
        if d.get("file_name") is not None:
            docs_by_name[norm_text(d["file_name"])].append(d)

    # index output rows by doc_id
    by_doc: dict[str, dict[str, list[dict]]] = defaultdict(lambda: defaultdict(list))
    for t in TABLES + ["flags"]:
        for r in out[t]:
            if r.get("doc_id") is not None:
                by_doc[str(r["doc_id"])][t].append(r)

    per_table = {t: Tally() for t in TABLES}
    per_variant: dict[str, Tally] = defaultdict(Tally)
    per_family: dict[str, Tally] = defaultdict(Tally)
    per_file: dict[str, Tally] = {}
    wrong: list[dict] = []
    docs_report = []
    flag_expected_total = 0
    flag_found_total = 0
    warn_total = 0
    warn_expected_total = 0
    missed_flags: list[dict] = []
    unexpected_warnings: list[dict] = []

    for truth in truths:
        file_tally = Tally()
        candidates = docs_by_name.get(norm_text(truth.file_name), [])
        ok = [d for d in candidates if d.get("status") == "ok"]
        doc = (ok or candidates or [None])[0]
        doc_id = str(doc["doc_id"]) if doc and doc.get("doc_id") is not None else None
        docs_report.append({
            "file_name": truth.file_name,
            "doc_id": doc_id,
            "status": doc.get("status") if doc else None,
            "found_ok": bool(ok),
            "duplicates": max(0, len(candidates) - 1),
        })
        rows = by_doc.get(doc_id, {}) if doc_id else {}

        # section_id -> page_start of this document's output sections
        sec_page: dict[str, int | None] = {}
        for s in rows.get("sections", []):
            sec_page[key_part(s.get("section_id"), "section_id")] = to_int(s.get("page_start"))

        def out_sps(r: dict) -> str:
            if r.get("section_id") is None:
                return ""
            p = sec_page.get(key_part(r.get("section_id"), "section_id"))
            return "" if p is None else str(p)

        def out_key(table: str, r: dict) -> tuple:
            if table == "sections":
                return (key_part(r.get("page_start"), "page_start"),)
            if table in PER_SECTION_KEYS:
                return (out_sps(r),) + tuple(key_part(r.get(c), c) for c in PER_SECTION_KEYS[table])
            return tuple(key_part(r.get(c), c) for c in PER_FILE_KEYS[table])

        uncertain = set()
        for u in truth.uncertain:
            uncertain.add((
                key_part(u.get("section_page_start"), "section_page_start"),
                u.get("table"), norm_row_key(u.get("row_key")), u.get("field"),
            ))
        # rows (and their parents) with an uncertain figure: warnings on them are excused
        uncertain_rows = set()
        for (sps, tbl, rk, fld) in uncertain:
            if fld not in ARITHMETIC_FIELDS:
                continue
            uncertain_rows.add((sps, tbl, rk))
            if tbl in PARENT_TABLE:
                uncertain_rows.add((sps, PARENT_TABLE[tbl], rk.split("|")[0]))

        for table in TABLES:
            if table not in truth.tables:
                continue  # the truth does not know this table: nothing scored, nothing spurious
            t_rows = truth.tables[table]
            o_rows = rows.get(table, [])
            o_index: dict[tuple, list[dict]] = defaultdict(list)
            for r in o_rows:
                o_index[out_key(table, r)].append(r)
            used_out: set[int] = set()
            tally = Tally(truth_rows=len(t_rows), out_rows=len(o_rows))
            key_cols = set(PER_SECTION_KEYS.get(table, ()) + PER_FILE_KEYS.get(table, ()))
            if table == "sections":
                key_cols.add("page_start")
            for trow in t_rows:
                tkey = truth_key(table, trow)
                rk = row_key_string(table, tkey)
                sps = tkey[0] if table in PER_SECTION_KEYS else key_part(trow.get("section_page_start"), "section_page_start")
                fam = (truth.families.get(int(tkey[0])) if table in PER_SECTION_KEYS and tkey[0] else None) \
                    or ("mir_avance" if table in PER_FILE_KEYS else "unknown")
                cols = [c for c in trow if c not in NEVER_SCORED and c not in key_cols]
                scored_cols = []
                for c in cols:
                    if (sps, table, rk, c) in uncertain or ("", table, rk, c) in uncertain:
                        continue
                    scored_cols.append(c)
                cands = [r for r in o_index.get(tkey, []) if id(r) not in used_out]
                best, best_score = None, -1
                for r in cands:  # with duplicate keys, the best-matching row counts
                    s = sum(values_equal(trow[c], r.get(c, _ABSENT), False) for c in scored_cols)
                    if s > best_score:
                        best, best_score = r, s
                if best is not None:
                    used_out.add(id(best))
                    tally.matched_rows += 1
                row_t = Tally()
                for c in scored_cols:
                    ov = best.get(c, _ABSENT) if best is not None else None
                    st = best is not None and values_equal(trow[c], ov, False)
                    le = best is not None and values_equal(trow[c], ov, True)
                    row_t.fields += 1
                    row_t.strict += st
                    row_t.lenient += le
                    if not st:
                        wrong.append({
                            "file_name": truth.file_name, "table": table,
                            "section_page_start": int(sps) if sps else None,
                            "row_key": rk, "field": c, "truth": trow[c],
                            "output": ("<no row>" if best is None else
                                       ("<column missing>" if ov is _ABSENT else ov)),
                            "lenient_ok": bool(le),
                        })
                tally.add(row_t)
                row_t.truth_rows = 1
                row_t.matched_rows = int(best is not None)
                per_family[fam].add(row_t)
            tally.out_matched = len(used_out)
            per_table[table].add(tally)
            file_tally.add(tally)

        per_file[truth.file_name] = file_tally
        per_variant[truth.variant].add(file_tally)

        # ---- flags ----
        exp = {}
        for f in truth.expected_flags:
            k = (key_part(f.get("section_page_start"), "section_page_start"),
                 f.get("table"), norm_row_key(f.get("row_key")), f.get("rule"))
            exp.setdefault(k, f)  # same row/rule listed for two fields counts once
        warnings = []
        for r in rows.get("flags", []):
            if r.get("severity") != "warning":
                continue
            warnings.append((out_sps(r), norm_text(r.get("table") or ""),
                             norm_row_key(r.get("row_key")), norm_text(r.get("rule") or ""), r))

        def matches(e: tuple, w: tuple) -> bool:
            return (e[0] == "" or e[0] == w[0]) and e[1] == w[1] and e[2] == w[2] and e[3] == w[3]

        found = 0
        for e, f in exp.items():
            if any(matches(e, w) for w in warnings):
                found += 1
            else:
                missed_flags.append({"file_name": truth.file_name, **f})
        flag_expected_total += len(exp)
        flag_found_total += found
        for w in warnings:
            if w[3] not in SCORED_FLAG_RULES:
                continue
            if any(matches(e, w) for e in exp):
                warn_total += 1
                warn_expected_total += 1
            elif (w[0], w[1], w[2]) in uncertain_rows or ("", w[1], w[2]) in uncertain_rows:
                continue  # about a row whose truth is uncertain: neither right nor wrong
            else:
                warn_total += 1
                r = w[4]
                unexpected_warnings.append({
                    "file_name": truth.file_name,
                    "section_page_start": int(w[0]) if w[0] else None,
                    "table": w[1], "row_key": w[2], "rule": w[3],
                    "field": r.get("field"), "message": r.get("message"),
                })

    overall = Tally()
    for t in per_table.values():
        overall.add(t)

    flag_recall = flag_found_total / flag_expected_total if flag_expected_total else 1.0
    if warn_total:
        flag_precision = warn_expected_total / warn_total
    else:
        flag_precision = 1.0 if flag_expected_total == 0 else 0.0
    docs_found = sum(d["found_ok"] for d in docs_report)

    return {
        "overall": overall.as_dict(),
        "field_accuracy": ratio(overall.strict, overall.fields) or 0.0,
        "field_accuracy_lenient": ratio(overall.lenient, overall.fields) or 0.0,
        "flag_recall": flag_recall,
        "flag_precision": flag_precision,
        "flags": {
            "expected": flag_expected_total, "found": flag_found_total,
            "output_warnings_scored": warn_total, "output_warnings_expected": warn_expected_total,
            "missed": missed_flags, "unexpected": unexpected_warnings,
        },
        "docs": {"found": docs_found, "expected": len(truths), "files": docs_report},
        "tables": {t: v.as_dict() for t, v in per_table.items()},
        "by_variant": {k: v.as_dict() for k, v in sorted(per_variant.items())},
        "by_family": {k: v.as_dict() for k, v in sorted(per_family.items())},
        "by_file": {k: v.as_dict() for k, v in sorted(per_file.items())},
        "wrong_fields_total": len(wrong),
        "wrong_fields": wrong[:5000],
    }


# --------------------------------------------------------------------------
# report
# --------------------------------------------------------------------------

def fmt(x: float | None) -> str:
    return "-" if x is None else f"{x:.4f}"


def print_report(res: dict, by: str, verbose: int) -> None:
    hdr = f"{'table':<20} {'truth':>6} {'match':>6} {'out':>6} {'spur':>5} {'row_prec':>8} {'fields':>7} {'strict':>7} {'lenient':>7}"
    print(hdr)
    print("-" * len(hdr))
    for t, d in res["tables"].items():
        if not (d["truth_rows"] or d["out_rows"]):
            continue
        print(f"{t:<20} {d['truth_rows']:>6} {d['matched_rows']:>6} {d['out_rows']:>6} {d['spurious_rows']:>5} "
              f"{fmt(d['row_precision']):>8} {d['fields']:>7} {fmt(d['field_accuracy']):>7} {fmt(d['field_accuracy_lenient']):>7}")
    o = res["overall"]
    print(f"{'ALL':<20} {o['truth_rows']:>6} {o['matched_rows']:>6} {o['out_rows']:>6} {o['spurious_rows']:>5} "
          f"{fmt(o['row_precision']):>8} {o['fields']:>7} {fmt(o['field_accuracy']):>7} {fmt(o['field_accuracy_lenient']):>7}")
    print()
    groups = res[f"by_{by}"]
    print(f"{'by ' + by:<40} {'fields':>7} {'strict':>7} {'lenient':>7} {'rows':>11}")
    for k, d in groups.items():
        print(f"{k[:40]:<40} {d['fields']:>7} {fmt(d['field_accuracy']):>7} {fmt(d['field_accuracy_lenient']):>7} "
              f"{d['matched_rows']:>5}/{d['truth_rows']:<5}")
    print()
    f = res["flags"]
    print(f"flags: expected {f['expected']}, found {f['found']} (recall {res['flag_recall']:.4f}); "
          f"output warnings scored {f['output_warnings_scored']}, expected {f['output_warnings_expected']} "
          f"(precision {res['flag_precision']:.4f})")
    for d in res["docs"]["files"]:
        if not d["found_ok"]:
            print(f"document not ok: {d['file_name']} (status {d['status']})")
    if verbose:
        print()
        shown = 0
        for w in res["wrong_fields"]:
            if shown >= verbose:
                break
            sps = w["section_page_start"]
            where = f"p{sps} " if sps is not None else ""
            print(f"WRONG {w['file_name']} {w['table']} {where}[{w['row_key']}] {w['field']}: "
                  f"truth={show(w['truth'])} output={show(w['output'])}"
                  + (" (lenient ok)" if w["lenient_ok"] else ""))
            shown += 1
        for m in f["missed"][: max(0, verbose - shown)]:
            print(f"MISSED FLAG {m['file_name']} {m.get('table')} p{m.get('section_page_start')} "
                  f"[{m.get('row_key')}] {m.get('rule')} ({m.get('field')})")
        for u in f["unexpected"][: max(0, verbose - shown)]:
            print(f"UNEXPECTED WARNING {u['file_name']} {u['table']} p{u['section_page_start']} "
                  f"[{u['row_key']}] {u['rule']} ({u['field']})")
        print()
    print(f"field_accuracy={res['field_accuracy']:.4f} lenient={res['field_accuracy_lenient']:.4f} "
          f"flag_recall={res['flag_recall']:.4f} flag_precision={res['flag_precision']:.4f} "
          f"docs={res['docs']['found']}/{res['docs']['expected']}")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description="Score avance output against truth files.")
    ap.add_argument("--truth", action="append", required=True, help="truth dir or file (repeatable)")
    ap.add_argument("--out", required=True, help="run output folder (one subfolder per table)")
    ap.add_argument("--json", help="write all figures to this JSON file")
    ap.add_argument("--by", choices=["variant", "family", "file"], default="variant")
    ap.add_argument("--verbose", type=int, default=0, metavar="N", help="print up to N wrong fields")
    try:
        args = ap.parse_args(argv)
    except SystemExit as e:
        return 2 if e.code else 0
    if args.json and not os.path.isdir(os.path.dirname(os.path.abspath(args.json))):
        print(f"error: --json {args.json}: folder does not exist", file=sys.stderr)
        return 2
    if not os.path.isdir(args.out):
        print(f"error: --out {args.out} is not a folder", file=sys.stderr)
        return 2
    try:
        files = find_truth_files(args.truth)
    except FileNotFoundError as e:
        print(f"error: truth path not found: {e}", file=sys.stderr)
        return 2
    if not files:
        print(f"error: no *.truth.json under {args.truth}", file=sys.stderr)
        return 2
    try:
        truths = [load_truth(f) for f in files]
    except (ValueError, OSError, json.JSONDecodeError) as e:
        print(f"error: unusable truth file: {e}", file=sys.stderr)
        return 2
    res = score(truths, args.out)
    res["truth_files"] = files
    res["out"] = os.path.abspath(args.out)
    print_report(res, args.by, args.verbose)
    if args.json:
        with open(args.json, "w", encoding="utf-8") as fh:
            json.dump(res, fh, ensure_ascii=False, indent=1, default=str)
    return 0


if __name__ == "__main__":
    sys.exit(main())
