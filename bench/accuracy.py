"""avance's accuracy on the dev corpus, per report family, digital against scanned.

Runs `avance extract` (the CLI, default settings: OCR auto) on every digital PDF
(tests/corpus/digital) and every scanned PDF (tests/corpus/scanned) into one
output folder, then scores it with the project's scorer (`avance.evaluate.score`,
the same as `avance evaluate --by family`), once with the digital truth files and
once with the scanned ones, and prints a family x variant table.

    .venv/bin/python bench/accuracy.py [--out DIR] [--workers 2] [--json FILE]

strict = share of truth fields (every scored column of every truth row of every
table) equal in the output; lenient = the scorer's lenient comparison; rows =
truth rows matched by key.
"""
from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from avance.evaluate import find_truth_files, load_truth, score  # noqa: E402

DIGITAL = ROOT / "tests" / "corpus" / "digital"
SCANNED = ROOT / "tests" / "corpus" / "scanned"
FAMILY_ORDER = ["poa_avance", "mir_avance", "indicator_sheet", "indicator_report", "poa_evaluation"]


def extract(pdfs: list[Path], out: Path, workers: int) -> tuple[float, int]:
    cli = Path(sys.executable).with_name("avance")
    t = time.perf_counter()
    p = subprocess.run([str(cli), "extract", *map(str, pdfs), "--out", str(out), "--workers", str(workers),
                        "--force", "--quiet"], capture_output=True, text=True, cwd=ROOT)
    if p.returncode not in (0, 1):
        raise SystemExit(f"avance extract failed (exit {p.returncode}): {p.stderr[-2000:]}")
    return time.perf_counter() - t, p.returncode


def score_variant(pdfs: list[Path], out: Path) -> dict:
    truths = [load_truth(f) for f in find_truth_files(
        [str(p.with_name(p.name[: -len(".pdf")] + ".truth.json")) for p in pdfs])]
    return score(truths, str(out))


def family_table(res: dict) -> str:
    fams = [f for f in FAMILY_ORDER if any(f in r["by_family"] for r in res.values())]
    fams += sorted({f for r in res.values() for f in r["by_family"]} - set(fams))
    lines = ["| family | digital strict | digital lenient | digital rows | scanned strict | scanned lenient | scanned rows |",
             "|---|---:|---:|---:|---:|---:|---:|"]

    def cells(d):
        if not d or not d["fields"]:
            return ["-", "-", "-"]
        return [f"{d['strict'] / d['fields']:.1%} ({d['strict']}/{d['fields']})", f"{d['lenient'] / d['fields']:.1%}",
                f"{d['matched_rows']}/{d['truth_rows']}"]

    for f in fams:
        lines.append(f"| {f} | " + " | ".join(cells(res["digital"]["by_family"].get(f))
                                               + cells(res["scanned"]["by_family"].get(f))) + " |")
    tot = {v: res[v]["overall"] for v in res}
    lines.append("| **all** | " + " | ".join(cells(tot["digital"]) + cells(tot["scanned"])) + " |")
    flags = {v: f"{res[v]['flag_recall']:.1%} / {res[v]['flag_precision']:.1%}" for v in res}
    lines.append(f"| flags (recall / precision) | {flags['digital']} | | | {flags['scanned']} | | |")
    return "\n".join(lines)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--out", type=Path, help="output folder (default: a temp folder)")
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--json", type=Path)
    args = ap.parse_args(argv)
    out = args.out or Path(tempfile.mkdtemp(prefix="bench_accuracy_"))
    files = {"digital": sorted(DIGITAL.glob("*.pdf")), "scanned": sorted(SCANNED.glob("*.scan.pdf"))}
    res, run = {}, {}
    for variant, pdfs in files.items():
        secs, code = extract(pdfs, out, args.workers)
        run[variant] = {"files": len(pdfs), "seconds": secs, "exit": code}
        print(f"avance extract {variant}: {len(pdfs)} files in {secs:.0f} s ({args.workers} workers), exit {code}",
              file=sys.stderr, flush=True)
    for variant, pdfs in files.items():
        res[variant] = score_variant(pdfs, out)
    print(f"output: {out}\n")
    print(family_table(res))
    for variant in res:
        for d in res[variant]["docs"]["files"]:
            if not d["found_ok"]:
                print(f"{variant}: document not ok: {d['file_name']} (status {d['status']})")
    if args.json:
        slim = {v: {k: r[k] for k in ("overall", "field_accuracy", "field_accuracy_lenient", "flag_recall",
                                      "flag_precision", "by_family", "by_file", "docs")} for v, r in res.items()}
        args.json.write_text(json.dumps({"out": str(out), "run": run, "scores": slim}, indent=1, default=str))
    return 0


if __name__ == "__main__":
    sys.exit(main())
