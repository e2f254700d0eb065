"""avance's accuracy on layout variations of the dev corpus's content, per kind of layout.

Renders the dev truth files' content in every kind of layout of
`tests/variations/render.py` into a temporary folder, makes a scanned twin of each
(`tests/variations/scan.py`), each document drawn and scanned from its own seed (a
stable hash of its kind, `--seed` and its source truth file: a document is the same
bytes whatever else the run renders), runs `avance extract` once over
all of them, and scores each kind with the project's scorer (`avance.evaluate.score`,
the same as `avance evaluate`), digital and scanned separately:

    .venv/bin/python bench/variations.py [--kinds K1,K2] [--families F1,F2] [--no-scans]
                                         [--sources all|STEM,...] [--out DIR] [--verbose N]
                                         [--avance PATH/TO/avance]

field accuracy = share of truth fields (every scored column of every truth row) equal in
the output (strict comparison); a kind's figure weighs the families by their fields (POA
has the most), so a second table gives each family's figure. docs = documents that
came out with status ok, of those rendered. `--verbose N` lists, per kind and variant, the N
(table, field) pairs that are wrong most often. Score a kept folder by hand with
`avance evaluate OUT/out --truth OUT/KIND --by family --verbose 20`.

The default sources (two POA documents, one of each other family; about ten pages per kind) keep a full
run with scans under ten minutes on two cores; `--sources all` renders every dev
truth file.
"""
from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections import Counter
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from avance.evaluate import load_truth, score  # noqa: E402
from tests.variations.render import (  # noqa: E402
    FAMILIES, KIND_FAMILIES, KINDS, document_seed, load_truth as load_truth_json, render, select_sections,
    truth_path_for,
)
from tests.variations.scan import scan_name, scan_pdf  # noqa: E402

DIGITAL = ROOT / "tests" / "corpus" / "digital"
# (truth stem, how many of its sections): POA (two templates' content, three sections),
# MIR, an indicator sheet and its report.
DEFAULT_SOURCES: tuple[tuple[str, int | None], ...] = (
    ("d001_poa_tijuana", None),
    ("d005_poa_mexicali", None),
    ("d011_mir_irapuato", None),
    ("d003_ind_tecate", 2),
)


def sources(spec: str) -> list[tuple[Path, int | None]]:
    if spec == "all":
        return [(p, None) for p in sorted(DIGITAL.glob("*.truth.json"))]
    if spec == "default":
        return [(DIGITAL / f"{stem}.truth.json", n) for stem, n in DEFAULT_SOURCES]
    return [(DIGITAL / f"{stem}.truth.json", None) for stem in spec.split(",")]


def _make_one(task: tuple[str, str, int | None, str, str, bool, int]) -> tuple[str, Path | None, Path | None]:
    """Render one source in one kind (and scan it): (kind, digital truth, scanned truth)."""
    kind, path, max_sections, families, folder, scans, seed = task
    fams = [f for f in families.split(",") if f in KIND_FAMILIES.get(kind, FAMILIES)]
    truth = select_sections(load_truth_json(path), fams, max_sections)
    if not truth["tables"].get("sections"):
        return kind, None, None
    stem = Path(path).name.replace(".truth.json", "")
    pdf = Path(folder) / f"{stem}.{kind}.pdf"
    render(truth, kind, pdf, seed=seed)
    scanned = truth_path_for(scan_pdf(pdf, scan_name(pdf), seed=seed)) if scans else None
    return kind, truth_path_for(pdf), scanned


def generate(work: Path, kinds: list[str], families: list[str], srcs: list[tuple[Path, int | None]],
             scans: bool, seed: int, workers: int) -> dict[str, dict[str, list[Path]]]:
    """kind -> variant -> truth files written (rendering and scanning spread over `workers` processes)."""
    tasks = []
    for kind in kinds:
        (work / kind).mkdir(parents=True, exist_ok=True)
        for path, max_sections in srcs:
            # one seed per document, from (kind, run seed, source) alone: a kind's documents differ
            # in its options (font, quarter, spelling), and a document is the same in any run
            tasks.append((kind, str(path), max_sections, ",".join(families), str(work / kind), scans,
                          document_seed(kind, seed, path)))
    made: dict[str, dict[str, list[Path]]] = {k: {"digital": [], "scanned": []} for k in kinds}
    with ProcessPoolExecutor(max_workers=max(1, workers)) as pool:
        for kind, digital, scanned in pool.map(_make_one, tasks):
            if digital:
                made[kind]["digital"].append(digital)
            if scanned:
                made[kind]["scanned"].append(scanned)
    return made


def extract(pdfs: list[Path], out: Path, workers: int, cli: Path) -> float:
    t = time.perf_counter()
    # no bytecode written: --avance may name another checkout's command, which is only read
    env = {**os.environ, "PYTHONDONTWRITEBYTECODE": "1"}
    p = subprocess.run([str(cli), "extract", *map(str, pdfs), "--out", str(out), "--workers", str(workers),
                        "--force", "--quiet"], capture_output=True, text=True, cwd=out.parent, env=env)
    if p.returncode not in (0, 1):
        raise SystemExit(f"avance extract failed (exit {p.returncode}): {p.stderr[-2000:]}")
    return time.perf_counter() - t


def fmt(x: float | None) -> str:
    return "-" if x is None else f"{x:.2f}"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--kinds", default=",".join(KINDS), help=f"comma list of: {', '.join(KINDS)}")
    ap.add_argument("--families", default=",".join(FAMILIES), help=f"comma list of: {', '.join(FAMILIES)}")
    ap.add_argument("--sources", default="default", help="default | all | comma list of dev truth stems")
    ap.add_argument("--no-scans", action="store_true", help="born-digital only")
    ap.add_argument("--out", help="keep the rendered files and the run here (default: a temp folder)")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--verbose", type=int, default=0, help="show the N most often wrong fields per kind")
    ap.add_argument("--json", help="write every kind's scores to this file")
    ap.add_argument("--avance", default=str(Path(sys.executable).with_name("avance")),
                    help="the avance command to measure (default: this environment's; another checkout's "
                         "to compare code before and after)")
    args = ap.parse_args(argv)
    kinds = [k for k in args.kinds.split(",") if k]
    families = [f for f in args.families.split(",") if f]
    bad = [k for k in kinds if k not in KINDS] + [f for f in families if f not in FAMILIES]
    if bad:
        ap.error(f"unknown kind or family: {', '.join(bad)}")

    work = Path(args.out) if args.out else Path(tempfile.mkdtemp(prefix="avance_variations_"))
    work.mkdir(parents=True, exist_ok=True)
    t0 = time.perf_counter()
    made = generate(work, kinds, families, sources(args.sources), not args.no_scans, args.seed, args.workers)
    t_gen = time.perf_counter() - t0
    truths = [p for v in made.values() for ps in v.values() for p in ps]
    pdfs = [p.with_name(json.loads(p.read_text(encoding="utf-8"))["file_name"]) for p in truths]
    out = work / "out"
    if out.exists():
        shutil.rmtree(out)
    t_ext = extract(pdfs, out, args.workers, Path(args.avance))

    results: dict[str, dict[str, dict]] = {}
    for kind in kinds:
        results[kind] = {}
        for variant, paths in made[kind].items():
            if paths:
                results[kind][variant] = score([load_truth(str(p)) for p in paths], str(out))

    print(f"{'kind':<18} {'digital':>8} {'scanned':>8}   docs  (rendered {t_gen:.0f} s, extracted {len(pdfs)} files in {t_ext:.0f} s)")
    for kind in kinds:
        r = results[kind]
        d, s = r.get("digital"), r.get("scanned")
        docs = sum(x["docs"]["found"] for x in r.values())
        total = sum(x["docs"]["expected"] for x in r.values())
        print(f"{kind:<18} {fmt(d and d['field_accuracy']):>8} {fmt(s and s['field_accuracy']):>8}   {docs}/{total}")
    print(f"\n{'kind':<18} " + " ".join(f"{f[:17]:>17}" for f in families) + "   (field accuracy by family, digital / scanned)")
    for kind in kinds:
        cells = []
        for f in families:
            pair = []
            for variant in ("digital", "scanned"):
                fam = results[kind].get(variant, {}).get("by_family", {}).get(f)
                pair.append(fmt(fam and fam["field_accuracy"]))
            cells.append(f"{pair[0]:>8} /{pair[1]:>6}" if any(p != "-" for p in pair) else f"{'':>17}")
        print(f"{kind:<18} " + " ".join(f"{c:>17}" for c in cells))
    if args.verbose:
        for kind in kinds:
            for variant, res in results[kind].items():
                fam = "  ".join(f"{f} {fmt(v['field_accuracy'])}" for f, v in res["by_family"].items())
                print(f"\n{kind} / {variant}: {fam}")
                counts = Counter((w["table"], w["field"]) for w in res["wrong_fields"])
                for (table, fld), n in counts.most_common(args.verbose):
                    print(f"  {n:>4} wrong  {table}.{fld}")
                for tname, t in res["tables"].items():
                    if t["truth_rows"]:
                        print(f"       table {tname:<20} rows {t['matched_rows']}/{t['truth_rows']}  fields {fmt(t['field_accuracy'])}")
    if args.json:
        Path(args.json).write_text(json.dumps({k: {v: {"field_accuracy": x["field_accuracy"],
                                                       "flag_recall": x["flag_recall"],
                                                       "flag_precision": x["flag_precision"],
                                                       "by_family": x["by_family"], "tables": x["tables"]}
                                                   for v, x in r.items()} for k, r in results.items()},
                                              indent=1, default=str), encoding="utf-8")
    if not args.out:
        shutil.rmtree(work, ignore_errors=True)
    else:
        print(f"\nfiles and run kept in {work} (score one kind: avance evaluate {out} --truth {work}/KIND --by family --verbose 20)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
