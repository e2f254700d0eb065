from __future__ import annotations

from pathlib import Path

import pytest

from avance.pipeline.run import run

CORPUS = Path(__file__).parent / "corpus"
DIGITAL = CORPUS / "digital"


def digital_pdfs() -> list[Path]:
    return sorted(p for p in DIGITAL.glob("*.pdf"))


@pytest.fixture(scope="session")
def digital_run(tmp_path_factory) -> Path:
    """The digital corpus extracted once per test session."""
    out = tmp_path_factory.mktemp("digital_out")
    run(digital_pdfs(), out)
    return out


def minimal_pdf(text: str) -> bytes:
    """A one-page PDF whose text layer holds `text` (for non-report inputs)."""
    stream = f"BT /F1 12 Tf 72 720 Td ({text}) Tj ET".encode()
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for i, obj in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % i + obj + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    for off in offsets:
        out += b"%010d 00000 n \n" % off
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)
