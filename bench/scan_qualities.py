"""Scans of other qualities than the dev corpus's office scanner (issue 15: "other scan
qualities"): the same born-digital pages scanned bitonal at 200 dpi (the office archive
default), in grey at 150 dpi with heavy JPEG, tilted 2.5-3.5 degrees, or photocopied
(grey paper, thick toner). Truth is the source's, with the variant set to scanned.

    .venv/bin/python bench/scan_qualities.py bw200 /tmp/q_bw200 ../shared/corpus/dev/d0*[0-9]_*[a-z].pdf
    .venv/bin/avance extract /tmp/q_bw200 --out /tmp/q_bw200_out --workers 2
    .venv/bin/python ../shared/tools/score.py --truth /tmp/q_bw200 --out /tmp/q_bw200_out

Kinds: bw200, grey150, skew3, dark.
"""
from __future__ import annotations

import io
import random
import sys
from pathlib import Path

import numpy as np
from PIL import Image, ImageFilter

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.variations.scan import write_scan  # noqa: E402

DPI = {"bw200": 200, "grey150": 150, "skew3": 300, "dark": 240}


def degrade(kind: str, image: Image.Image, rng: random.Random) -> Image.Image:
    g = image.convert("L")
    angle = (rng.uniform(2.5, 3.5) if kind == "skew3" else rng.uniform(0.3, 1.0)) * rng.choice([-1, 1])
    g = g.rotate(angle, resample=Image.BICUBIC, expand=True, fillcolor=255)
    g = g.filter(ImageFilter.GaussianBlur(radius=rng.uniform(0.4, 0.8)))
    a = np.asarray(g, dtype=np.float32)
    noise = np.random.default_rng(rng.randrange(2**32))
    if kind == "dark":  # photocopy: grey paper, thicker toner
        a = a * 0.75 + 20 + noise.normal(0, 10, a.shape)
    else:
        a = a + noise.normal(0, 8, a.shape)
    im = Image.fromarray(np.clip(a, 0, 255).astype(np.uint8), "L")
    if kind == "bw200":
        return im.point(lambda v: 255 if v > 150 else 0).convert("1")
    buf = io.BytesIO()
    im.save(buf, "JPEG", quality=50 if kind == "grey150" else 70)
    buf.seek(0)
    return Image.open(buf).convert("L")


def scan(kind: str, src: Path, out: Path) -> Path:
    rng = random.Random(f"{kind}:{src.name}")
    return write_scan(src, out / f"{src.stem}.{kind}.pdf", DPI[kind], lambda image: degrade(kind, image, rng),
                      {"quality": kind, "dpi": DPI[kind]})


def main(argv: list[str]) -> int:
    if len(argv) < 3 or argv[0] not in DPI:
        print(__doc__)
        return 2
    out = Path(argv[1])
    out.mkdir(parents=True, exist_ok=True)
    for src in map(Path, argv[2:]):
        print(scan(argv[0], src, out))
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
