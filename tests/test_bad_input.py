"""Bad inputs get a `failed` documents row with a readable error; the run goes on."""
from __future__ import annotations

import shutil
from pathlib import Path

import pandas as pd
import pytest
from pypdf import PdfReader, PdfWriter

from avance.cli import main
from avance.pipeline.run import run

from .conftest import DIGITAL, minimal_pdf


def documents(out: Path) -> pd.DataFrame:
    return pd.read_parquet(out / "documents").set_index("file_name")


@pytest.fixture
def good_pdf(tmp_path) -> Path:
    dst = tmp_path / "good.pdf"
    shutil.copy(DIGITAL / "d001_poa_tijuana.pdf", dst)
    return dst


def test_empty_file(tmp_path, good_pdf):
    empty = tmp_path / "empty.pdf"
    empty.write_bytes(b"")
    out = tmp_path / "out"
    run([empty, good_pdf], out)
    docs = documents(out)
    assert docs.loc["empty.pdf", "status"] == "failed"
    assert "empty" in docs.loc["empty.pdf", "error"]
    assert docs.loc["good.pdf", "status"] == "ok"


def test_corrupt_pdf(tmp_path, good_pdf):
    corrupt = tmp_path / "corrupt.pdf"
    corrupt.write_bytes(good_pdf.read_bytes()[:700] + b"\x00garbage" * 50)
    out = tmp_path / "out"
    run([corrupt, good_pdf], out)
    docs = documents(out)
    assert docs.loc["corrupt.pdf", "status"] == "failed"
    assert "PDF" in docs.loc["corrupt.pdf", "error"] or "report" in docs.loc["corrupt.pdf", "error"]
    assert docs.loc["good.pdf", "status"] == "ok"
    # a failed document writes its documents row and nothing else
    doc_id = pd.read_parquet(out / "documents").set_index("file_name").loc["corrupt.pdf", "doc_id"]
    assert not (out / "goals" / f"{doc_id}.parquet").exists()


def test_not_a_pdf_at_all(tmp_path):
    fake = tmp_path / "notes.pdf"
    fake.write_text("this is a text file with a .pdf name")
    out = tmp_path / "out"
    run([fake], out)
    docs = documents(out)
    assert docs.loc["notes.pdf", "status"] == "failed"
    assert "not a readable PDF" in docs.loc["notes.pdf", "error"]


def test_encrypted_pdf(tmp_path, good_pdf):
    writer = PdfWriter()
    for page in PdfReader(good_pdf).pages:
        writer.add_page(page)
    writer.encrypt(user_password="secret", owner_password="owner")
    locked = tmp_path / "locked.pdf"
    with open(locked, "wb") as fh:
        writer.write(fh)
    out = tmp_path / "out"
    run([locked, good_pdf], out)
    docs = documents(out)
    assert docs.loc["locked.pdf", "status"] == "failed"
    assert "encrypted" in docs.loc["locked.pdf", "error"]
    assert docs.loc["good.pdf", "status"] == "ok"


def test_pdf_that_is_not_a_report(tmp_path):
    letter = tmp_path / "letter.pdf"
    letter.write_bytes(minimal_pdf("Estimado vecino: le invitamos a la feria del libro."))
    out = tmp_path / "out"
    run([letter], out)
    docs = documents(out)
    assert docs.loc["letter.pdf", "status"] == "failed"
    assert "not a progress report" in docs.loc["letter.pdf", "error"]


def test_cli_exit_codes(tmp_path, good_pdf, capsys):
    assert main(["extract", str(good_pdf), "--out", str(tmp_path / "a")]) == 0
    empty = tmp_path / "empty.pdf"
    empty.write_bytes(b"")
    assert main(["extract", str(good_pdf), str(empty), "--out", str(tmp_path / "b")]) == 1
    printed = capsys.readouterr().out
    assert "empty.pdf: failed" in printed and "2 documents" in printed
    assert main(["extract", str(tmp_path / "nothing-here"), "--out", str(tmp_path / "c")]) == 2
