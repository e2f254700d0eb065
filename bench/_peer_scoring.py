"""Scoring shared by the peer benchmarks (bench/camelot_vs_grid.py, bench/peers.py).

The one measure every table extractor can be held to: for each truth goal (POA)
or MIR row, the share of its numeric fields found in ONE extracted table row that
also contains the row's code. POA fields (11): annual target, absolute and
relative progress, P and A of each quarter; MIR fields (8): annual target,
achieved, pct period, pct cumulative, target of each quarter.

- a row "contains the code" when its joined cell text matches the code as printed:
  POA `M.100` (`M.100`, `M. 100`), `101` (`101-`, `101.-`, `101 -`); MIR `4.1.1.1`
  (not followed by another `.digit`).
- numbers are parsed from each cell's whitespace tokens as printed
  (`127,762`, `2,937.5`, `25%`, `19.36%`, `100.00%`); a truth value is found when an
  unused token of the row equals it within 0.005 (multiset match, column-blind).
- a null truth value is found when the row still has an unused empty cell.
- among the rows that contain the code on the truth section's pages, the best one counts.

Moved here unchanged from bench/camelot_vs_grid.py; `load_truth` also takes a
scanned PDF (`NAME.scan.pdf` -> `NAME.scan.truth.json`).
"""
from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path

TOL = 0.005


# ---------------------------------------------------------------- numbers and codes

NUM_RX = re.compile(r"^\(?-?\$?\d{1,3}(?:,\d{3})*(?:\.\d+)?%?\)?$|^\(?-?\$?\d+(?:\.\d+)?%?\)?$")


def cell_numbers(text: str) -> list[float]:
    out = []
    for tok in text.split():
        tok = tok.strip(";")
        if NUM_RX.match(tok):
            neg = tok.startswith("(") or tok.startswith("-")
            v = float(tok.strip("()$%-").replace("$", "").replace(",", ""))
            out.append(-v if neg else v)
    return out


def code_regex(code: str, family: str) -> re.Pattern:
    if family == "poa":
        m = re.fullmatch(r"M\.?(\d+)", code)
        if m:
            return re.compile(rf"(?<![A-Za-z0-9.])M\s*\.\s*{m.group(1)}(?!\d)")
        return re.compile(rf"(?<![\d.]){re.escape(code)}\s*\.?\s*-")
    return re.compile(rf"(?<![\d.]){re.escape(code)}(?!\d|\.\d)")


@dataclass
class Row:
    page: int
    cells: list[str]
    text: str = ""
    numbers: list[float] = field(default_factory=list)
    n_empty: int = 0

    def __post_init__(self):
        self.text = " | ".join(" ".join(c.split()) for c in self.cells)
        self.numbers = [v for c in self.cells for v in cell_numbers(c)]
        self.n_empty = sum(1 for c in self.cells if not c.strip())


def score_row(values: list[float | None], row: Row) -> int:
    pool = list(row.numbers)
    empties = row.n_empty
    found = 0
    for v in values:
        if v is None:
            if empties > 0:
                empties -= 1
                found += 1
            continue
        for k, x in enumerate(pool):
            if abs(x - v) <= TOL:
                pool.pop(k)
                found += 1
                break
    return found


# ---------------------------------------------------------------- truth

@dataclass
class TruthRow:
    family: str
    code: str
    pages: tuple[int, int]  # truth section page range
    values: list[float | None]
    fields: list[str]


def truth_path(pdf: Path) -> Path:
    """`NAME.pdf` -> `NAME.truth.json`, `NAME.scan.pdf` -> `NAME.scan.truth.json`."""
    return pdf.with_name(pdf.name[: -len(".pdf")] + ".truth.json")


def load_truth(pdf: Path, family: str) -> list[TruthRow]:
    t = json.loads(truth_path(pdf).read_text())["tables"]
    ranges = {s["section_page_start"] if "section_page_start" in s else s["page_start"]: (s["page_start"], s["page_end"])
              for s in t["sections"]}
    out = []
    if family == "poa":
        per = {}
        for p in t["goal_periods"]:
            per[(p["section_page_start"], p["goal_code"], p["period"])] = p
        for g in t["goals"]:
            sp = g["section_page_start"]
            vals = [g["annual_target"], g["absolute_progress"], g["relative_progress"]]
            names = ["annual_target", "absolute_progress", "relative_progress"]
            for q in range(1, 5):
                p = per.get((sp, g["goal_code"], q), {})
                vals += [p.get("programmed"), p.get("achieved")]
                names += [f"P{q}", f"A{q}"]
            out.append(TruthRow("poa", g["goal_code"], ranges[sp], vals, names))
    else:
        per = {}
        for p in t["mir_periods"]:
            per[(p["section_page_start"], p["objective_code"], p["period"])] = p
        for r in t["mir_rows"]:
            sp = r["section_page_start"]
            vals = [r["annual_target"], r["achieved"], r["pct_period"], r["pct_cumulative"]]
            names = ["annual_target", "achieved", "pct_period", "pct_cumulative"]
            for q in range(1, 5):
                vals.append(per.get((sp, r["objective_code"], q), {}).get("target"))
                names.append(f"T{q}")
            out.append(TruthRow("mir", r["objective_code"], ranges[sp], vals, names))
    return out


# ---------------------------------------------------------------- scoring

def evaluate(truth: list[TruthRow], rows: list[Row]):
    """-> (rows with code found, fields found, fields total)"""
    matched = found = total = 0
    for t in truth:
        rx = code_regex(t.code, t.family)
        cands = [r for r in rows if t.pages[0] <= r.page <= t.pages[1] and rx.search(r.text)]
        total += len(t.values)
        if cands:
            matched += 1
            found += max(score_row(t.values, r) for r in cands)
    return matched, found, total


def load_all_truth(pdf: Path) -> list[TruthRow]:
    """Every truth goal and MIR row of a document (both families where present)."""
    t = json.loads(truth_path(pdf).read_text())["tables"]
    out: list[TruthRow] = []
    if t.get("goals"):
        out += load_truth(pdf, "poa")
    if t.get("mir_rows"):
        out += load_truth(pdf, "mir")
    return out
