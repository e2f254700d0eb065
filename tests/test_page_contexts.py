"""Page contexts, batched second readings, pages of one document in parallel, and the
text-layer path's imports (issue 19). Speed itself is measured in bench/floors.py."""
from __future__ import annotations

import pickle
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from avance.contract import document_tables
from avance.extractors.ocr import PageImages, tesseract_available
from avance.normalizers.rereads import CodeStands
from avance.pipeline.document import process_document
from avance.pipeline.options import ExtractOptions
from avance.records import AreaReading

CORPUS = Path(__file__).parent / "corpus"


def test_page_context_gives_back_the_areas_of_both_images():
    rng = np.random.default_rng(7)
    grey = rng.integers(0, 256, (120, 90), dtype=np.uint8)
    clean = np.where(rng.random((120, 90)) < 0.3, 0, 255).astype(np.uint8)
    for images in (PageImages(grey, clean), pickle.loads(pickle.dumps(PageImages(grey, clean)))):
        assert images.shape == (120, 90)
        assert (images.area("grey", 5, 10, 70, 111) == grey[10:111, 5:70]).all()
        assert (images.area("clean", 0, 0, 90, 120) == clean).all()
        assert (images.area("clean", 33, 7, 41, 9) == clean[7:9, 33:41]).all()


def _readings(*texts: str) -> list[AreaReading]:
    return [AreaReading(t, 90.0) for t in texts]


def test_a_code_read_alike_enough_times_stands_without_the_rest():
    stands = CodeStands(old="A1", parse=lambda t: t.strip() or None)
    assert stands(_readings("A1", "A1", "A1"), remaining=2)      # 3 > 0 + 2: nothing can outvote it
    assert not stands(_readings("A1", "A1"), remaining=3)        # two others could still read B2 three times
    assert not stands(_readings("A1", "B2", "A1"), remaining=2)  # B2 could reach 3
    assert stands(_readings("A1", "B2", "A1", "A1"), remaining=1)
    assert not CodeStands(old=None, parse=str)(_readings("x", "x", "x", "x"), remaining=0)  # a cell read empty


def test_text_layer_path_loads_no_ocr_modules():
    pdf = sorted((CORPUS / "digital").glob("*.pdf"))[0]
    code = ("import sys; from pathlib import Path; from avance.pipeline.document import process_document; "
            f"r = process_document(Path({str(pdf)!r})); assert r.sections, r.info.error; "
            "loaded = [m for m in ('cv2', 'tesserocr', 'duckdb') if m in sys.modules]; "
            "assert not loaded, loaded")
    subprocess.run([sys.executable, "-c", code], check=True, timeout=120)


@pytest.mark.skipif(tesseract_available() is not None, reason="Tesseract with Spanish is not installed")
def test_pages_read_in_parallel_give_the_same_tables():
    scan = sorted((CORPUS / "scanned").glob("*.scan.pdf"))[0]
    alone = process_document(scan, options=ExtractOptions(page_workers=1))
    together = process_document(scan, options=ExtractOptions(page_workers=2))
    assert alone.info.n_pages >= 2 and alone.sections
    a, b = document_tables(alone), document_tables(together)
    assert a.keys() == b.keys()
    for name in a:
        assert a[name].equals(b[name]), name
