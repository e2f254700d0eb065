"""Column solver: put a row's printed figures back under their columns.

OCR (of a page or of a whole report exported as text) collapses empty cells and
duplicates others, so `127,762 25,442 15,836 34,292 33,733 34,295 15,836 12%`
no longer says which figure is which. The row's arithmetic does: programmed
quarters add up to the annual target, absolute progress is what was achieved,
relative progress is absolute over annual. The solver searches the
order-preserving assignments of figures to columns (a figure may be a
duplicate and dropped; a column may be empty) and keeps those that break the
fewest arithmetic rules, then need the fewest assumptions.

- A row whose figures fit the columns one to one is `as_printed` (its
  inconsistencies are for the checks to report), unless that puts a figure
  where none can be (an achievement in a quarter not reported yet): then the
  row holds duplicates and is searched like any other.
- A unique best realignment is used and reported as `realigned`.
- Several best realignments that disagree: only the columns they agree on are
  kept, the rest are null, and the row is `ambiguous`.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable, Mapping, Optional, Sequence

from .checks import SUM_TOLERANCE, percent_agrees

Assignment = Mapping[str, Optional[float]]
# Counts the arithmetic rules an assignment breaks (rules whose figures are null are not counted).
Violations = Callable[[Assignment], int]

MAX_NODES = 60_000  # search bound: real rows need a few hundred; beyond it the row is called ambiguous
# A broken rule weighs as much as three assumptions: realigning may not explain
# away a printed inconsistency by discarding figures.
RULE_WEIGHT = 3


@dataclass(frozen=True)
class Slot:
    name: str
    percent: bool = False  # takes only figures printed with `%`, and only those
    expected_empty: bool = False  # empty by design (a quarter not reported yet)


@dataclass(frozen=True)
class Figure:
    value: float
    percent: bool


@dataclass(frozen=True)
class Solution:
    values: dict[str, Optional[float]]
    status: str  # "as_printed" | "realigned" | "ambiguous" | "unsolved"
    violations: int
    assumptions: int
    alternatives: int = 1
    uncertain: tuple[str, ...] = field(default=())


def _fits(figure: Figure, slot: Slot) -> bool:
    return figure.percent == slot.percent


def solve_row(figures: Sequence[Figure], slots: Sequence[Slot], violations: Violations) -> Solution:
    n, m = len(figures), len(slots)
    empty = {s.name: None for s in slots}
    positional = ({s.name: f.value for f, s in zip(figures, slots)}
                  if n == m and all(_fits(f, s) for f, s in zip(figures, slots)) else None)
    if n == 0:
        return Solution(empty, "unsolved", 0, 0, uncertain=tuple(s.name for s in slots))
    if positional is not None and not any(s.expected_empty for s in slots):
        # every figure has its column: what breaks is printed (or misread) figures,
        # for the checks to report, not cells out of place
        return Solution(positional, "as_printed", violations(positional), 0)

    best_key: Optional[tuple[int, int]] = None
    best: list[dict[str, Optional[float]]] = []
    assigned: list[Optional[int]] = [None] * m  # slot -> figure index
    seen: dict[tuple, int] = {}
    nodes = 0

    def empty_cost(lo: int, hi: int) -> int:
        return sum(1 for s in slots[lo:hi] if not s.expected_empty)

    def finish(cost: int) -> None:
        nonlocal best_key, best
        values = {s.name: (figures[assigned[j]].value if assigned[j] is not None else None)
                  for j, s in enumerate(slots)}
        # a figure under a column that must be empty is a broken rule too
        broken = violations(values) + sum(1 for j, s in enumerate(slots) if s.expected_empty and assigned[j] is not None)
        key = (cost + RULE_WEIGHT * broken, cost, broken)
        if best_key is None or key < best_key:
            best_key, best = key, [values]
        elif key == best_key:
            best.append(values)

    def decided_violations(j: int) -> int:
        decided = {s.name: (figures[assigned[k]].value if assigned[k] is not None else None)
                   for k, s in enumerate(slots[:j])}
        return violations(decided)

    def search(i: int, j: int, cost: int, dropped_previous: bool = False, partial: int = 0) -> None:
        # `partial`: rules already broken by the decided columns (< j), a lower bound on the total
        nonlocal nodes
        nodes += 1
        if nodes >= MAX_NODES:
            return
        # figures beyond the columns left must be dropped: a lower bound on the cost
        bound = cost + max(0, (n - i) - (m - j))
        if best_key is not None and bound + RULE_WEIGHT * partial > best_key[0]:
            return
        if i == n:
            finish(cost + empty_cost(j, m))
            return
        # the future depends only on where we are and what is decided: a state
        # reached before at no greater cost yields nothing new
        state = (i, j, dropped_previous,
                 tuple(None if assigned[k] is None else figures[assigned[k]].value for k in range(j)))
        if seen.get(state, float("inf")) <= cost:
            return
        seen[state] = cost
        fig = figures[i]
        same_as_previous = i > 0 and figures[i - 1] == fig
        # the figure is a duplicate of one just before it (cheap) or noise (dearer)
        dup = any(abs(figures[k].value - fig.value) < 1e-9 for k in range(max(0, i - 3), i))

        def place() -> None:
            # equal neighbours are interchangeable: within a run, kept figures come first
            for k in (range(j, m) if not (same_as_previous and dropped_previous) else ()):
                if _fits(fig, slots[k]):
                    assigned[k] = i
                    search(i + 1, k + 1, cost + empty_cost(j, k), False, decided_violations(k + 1))
                    assigned[k] = None

        # a repeat of the figure just before is most likely a duplicate: try that first,
        # so good readings are found early and bound the rest of the search
        if same_as_previous:
            search(i + 1, j, cost + 1, True, partial)
            place()
        else:
            place()
            search(i + 1, j, cost + (1 if dup else 2), True, partial)

    search(0, 0, 0)
    assert best_key is not None
    _, cost, broken = best_key
    distinct = _distinct(best)
    if nodes >= MAX_NODES:
        # the search was cut short: no reading can be called the best one
        return Solution(empty, "unsolved", broken, cost, len(distinct), tuple(s.name for s in slots))
    if broken and cost:
        # no reading fits without assumptions that still leave rules broken:
        # keep what every best reading agrees on, no more
        agreed, uncertain = _agreement(distinct, slots)
        return Solution(agreed, "unsolved", broken, cost, len(distinct), uncertain)
    if len(distinct) == 1:
        status = "as_printed" if distinct[0] == positional else "realigned"
        return Solution(distinct[0], status, broken, cost)
    agreed, uncertain = _agreement(distinct, slots)
    return Solution(agreed, "ambiguous", broken, cost, len(distinct), uncertain)


def _distinct(candidates: list[dict[str, Optional[float]]]) -> list[dict[str, Optional[float]]]:
    out: list[dict[str, Optional[float]]] = []
    for c in candidates:
        if c not in out:
            out.append(c)
    return out


def _agreement(candidates: list[dict[str, Optional[float]]], slots: Sequence[Slot]) -> tuple[dict, tuple[str, ...]]:
    agreed: dict[str, Optional[float]] = {}
    uncertain = []
    for s in slots:
        vals = {c[s.name] for c in candidates}
        if len(vals) == 1:
            agreed[s.name] = vals.pop()
        else:
            agreed[s.name] = None
            uncertain.append(s.name)
    return agreed, tuple(uncertain)


# --------------------------------------------------------------------------
# the arithmetic of the report families
# --------------------------------------------------------------------------

def close(a: Optional[float], b: Optional[float], tolerance: float = SUM_TOLERANCE) -> bool:
    return a is not None and b is not None and abs(a - b) <= tolerance


def poa_slots(quarter: Optional[int]) -> list[Slot]:
    slots = [Slot("annual_target")]
    for p in range(1, 5):
        slots.append(Slot(f"P{p}"))
        slots.append(Slot(f"A{p}", expected_empty=quarter is not None and p > quarter))
    slots += [Slot("absolute_progress"), Slot("relative_progress", percent=True)]
    return slots


def poa_violations(v: Assignment) -> int:
    broken = 0
    programmed = [v.get(f"P{p}") for p in range(1, 5)]
    if v.get("annual_target") is not None and all(x is not None for x in programmed):
        broken += not close(sum(programmed), v["annual_target"])
    achieved = [v.get(f"A{p}") for p in range(1, 5) if v.get(f"A{p}") is not None]
    if v.get("absolute_progress") is not None and achieved:
        broken += not close(sum(achieved), v["absolute_progress"])
    if None not in (v.get("relative_progress"), v.get("absolute_progress")) and v.get("annual_target"):
        broken += not percent_agrees(v["relative_progress"], v["absolute_progress"] / v["annual_target"] * 100)
    return broken


def mir_slots() -> list[Slot]:
    return [Slot("annual_target"), Slot("T1"), Slot("T2"), Slot("T3"), Slot("T4"), Slot("achieved"),
            Slot("pct_period", percent=True), Slot("pct_cumulative", percent=True)]


def mir_violations(quarter: Optional[int]) -> Violations:
    def count(v: Assignment) -> int:
        broken = 0
        targets = [v.get(f"T{p}") for p in range(1, 5)]
        if v.get("annual_target") is not None and all(t is not None for t in targets):
            broken += not close(sum(targets), v["annual_target"])
        target_q = v.get(f"T{quarter}") if quarter else None
        if None not in (v.get("pct_period"), v.get("achieved")) and target_q:
            broken += not percent_agrees(v["pct_period"], v["achieved"] / target_q * 100)
        if None not in (v.get("pct_cumulative"), v.get("achieved")) and v.get("annual_target"):
            broken += not percent_agrees(v["pct_cumulative"], v["achieved"] / v["annual_target"] * 100)
        return broken
    return count
