"""Scanned twins of rendered PDFs: page images only, as an office scanner returns them.

Each page is rendered at 200-300 dpi (pypdfium2), turned grey, rotated slightly
(0.5-1.5 degrees either way), blurred a little, given sensor noise and a faint
uneven background, JPEG-compressed, and saved as an image-only PDF. The truth is
the digital twin's with `file_name` and `variant` changed: a scan shows the same
content.
"""
from __future__ import annotations

import io
import json
import random
import time
from pathlib import Path
from typing import Callable

import numpy as np
import pypdfium2 as pdfium
from PIL import Image, ImageFilter

from tests.variations.render import truth_path_for


def scan_page(image: Image.Image, rng: random.Random) -> Image.Image:
    grey = image.convert("L")
    angle = rng.uniform(0.5, 1.5) * rng.choice([-1, 1])
    grey = grey.rotate(angle, resample=Image.BICUBIC, expand=True, fillcolor=255)
    grey = grey.filter(ImageFilter.GaussianBlur(radius=rng.uniform(0.4, 0.9)))
    a = np.asarray(grey, dtype=np.float32)
    nrng = np.random.default_rng(rng.randrange(2**32))
    h, w = a.shape
    # a faint gradient (uneven lighting) and grain
    shade = np.linspace(0, rng.uniform(6, 18), w, dtype=np.float32)[None, :]
    a = a - shade + nrng.normal(0, rng.uniform(6, 12), a.shape).astype(np.float32)
    # specks
    n = int(h * w * 0.00004)
    ys, xs = nrng.integers(0, h, n), nrng.integers(0, w, n)
    a[ys, xs] = 40
    a = np.clip(a, 0, 255).astype(np.uint8)
    out = Image.fromarray(a, "L")
    buf = io.BytesIO()
    out.save(buf, "JPEG", quality=rng.randint(55, 80))
    buf.seek(0)
    return Image.open(buf).convert("L")


def scan_pdf(pdf_path: str | Path, out_path: str | Path, seed: int = 0) -> Path:
    """Write the scanned twin of `pdf_path` to `out_path` (and its truth, if the source has one)."""
    pdf_path, out_path = Path(pdf_path), Path(out_path)
    rng = random.Random(f"scan:{seed}:{pdf_path.name}")
    dpi = rng.choice([200, 240, 300])
    return write_scan(pdf_path, out_path, dpi, lambda image: scan_page(image, rng), {"dpi": dpi, "seed": seed})


def write_scan(pdf_path: Path, out_path: Path, dpi: int, scan: Callable[[Image.Image], Image.Image],
               layout: dict) -> Path:
    """Every page of `pdf_path` rendered at `dpi` and passed through `scan`, saved as an
    image-only PDF, with the source's truth (if any) copied beside it as the scan's."""
    doc = pdfium.PdfDocument(str(pdf_path))
    pages = []
    try:
        for i in range(len(doc)):
            pages.append(scan(doc[i].render(scale=dpi / 72).to_pil()))
    finally:
        doc.close()
    # fixed dates: the same scan is the same bytes in every run
    stamp = time.gmtime(946684800)  # 2000-01-01
    pages[0].save(out_path, "PDF", save_all=True, append_images=pages[1:], resolution=float(dpi),
                  creationDate=stamp, modDate=stamp)
    src_truth = truth_path_for(pdf_path)
    if src_truth.exists():
        truth = json.loads(src_truth.read_text(encoding="utf-8"))
        truth["file_name"] = out_path.name
        truth["variant"] = "scanned"
        truth.setdefault("layout", {})["scan"] = layout
        truth_path_for(out_path).write_text(json.dumps(truth, ensure_ascii=False, indent=1), encoding="utf-8")
    return out_path


def scan_name(pdf_path: str | Path) -> Path:
    p = Path(pdf_path)
    return p.with_name(p.stem + ".scan.pdf")


def main(argv: list[str] | None = None) -> int:
    import argparse

    ap = argparse.ArgumentParser(description="scanned, image-only twins of PDFs (truth copied)")
    ap.add_argument("pdf", nargs="+")
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args(argv)
    for p in args.pdf:
        print(scan_pdf(p, scan_name(p), args.seed))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
