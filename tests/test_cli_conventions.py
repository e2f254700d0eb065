"""The command line follows the conventions of the tools its users know; it runs beyond Debian."""
from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import avance

PACKAGE = Path(avance.__file__).parent


# --------------------------------------------------------------------------
# runs beyond Debian
# --------------------------------------------------------------------------

def test_no_fcntl_no_proc_and_optional_imports_only_where_used():
    sources = {p: p.read_text(encoding="utf-8") for p in PACKAGE.rglob("*.py")}
    for path, text in sources.items():
        assert "import fcntl" not in text, path  # filelock picks the platform's lock
        assert "/proc/" not in text, path        # psutil reads memory on every platform
        # pdfplumber is a dependency only for the table reader's edge stages
        optional = "pdfminer|tesserocr|resource" if "tables" in path.parts else "pdfplumber|pdfminer|tesserocr|resource"
        top_level = [line for line in text.splitlines() if re.match(rf"(import|from) ({optional})\b", line)]
        assert not top_level, (path, top_level)


def test_the_package_imports_and_locks_without_fcntl_tesserocr_or_pdfplumber(tmp_path):
    code = (
        "import sys\n"
        "for name in ('fcntl', 'tesserocr'):\n"
        "    sys.modules[name] = None  # as on a platform or install without them\n"
        "import warnings; warnings.simplefilter('ignore')\n"
        "import avance.cli, avance.pipeline.run, avance.review\n"
        "from avance.pipeline.state import RunLock\n"
        "from avance.extractors.tesseract import engine\n"
        "from pathlib import Path\n"
        f"with RunLock(Path({str(tmp_path)!r})):\n"
        "    pass\n"
        "print(type(engine('spa')).__name__)\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "_ProcessEngine"  # pytesseract, the fallback


# --------------------------------------------------------------------------
# conventions of the CLI
# --------------------------------------------------------------------------

import io  # noqa: E402
import json  # noqa: E402
import shutil  # noqa: E402

import pytest  # noqa: E402

from avance.cli import main  # noqa: E402
from avance.pipeline.options import BatchOptions  # noqa: E402
from avance.pipeline.run import run  # noqa: E402
from avance.report import Reporter  # noqa: E402

from .conftest import DIGITAL  # noqa: E402

WITH_A_WARNING = DIGITAL / "d001_poa_tijuana.pdf"  # one sum_mismatch warning, printed so
WITHOUT_FLAGS = DIGITAL / "d006_sheet_cajeme.pdf"


def copy(src: Path, folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    return Path(shutil.copy(src, folder / src.name))


def test_short_options_and_summary_to_stdout(tmp_path, capsys):
    doc = copy(WITHOUT_FLAGS, tmp_path / "in")
    out = tmp_path / "out"
    assert main(["extract", str(doc), "-o", str(out), "-j", "1", "--summary", "-"]) == 0
    captured = capsys.readouterr()
    summary = json.loads(captured.out)  # stdout holds the JSON alone
    assert summary["documents"] == 1 and summary["by_status"]["ok"] == 1 and summary["workers"] == 1
    assert "d006_sheet_cajeme.pdf: ok" in captured.err and "1 documents in" in captured.err
    assert main(["extract", str(doc), "-o", str(out), "-q"]) == 0
    printed = capsys.readouterr().out
    assert printed.count("\n") == 1 and "1 skipped" in printed


def test_fail_on_warning_counts_recorded_warnings_too(tmp_path, capsys):
    warned = copy(WITH_A_WARNING, tmp_path / "in")
    clean = copy(WITHOUT_FLAGS, tmp_path / "in")
    out = tmp_path / "out"
    base = ["extract", "-o", str(out), "-j", "1", "-q"]
    assert main(base + [str(clean), "--fail-on", "warning"]) == 0
    assert main(base + [str(warned)]) == 0  # partial is the default threshold
    assert main(base + [str(warned), "--fail-on", "warning"]) == 1  # skipped: its recorded flag counts
    bad = tmp_path / "in" / "bad.pdf"
    bad.write_bytes(b"not a pdf")
    assert main(base + [str(bad), str(clean), "--fail-on", "failed"]) == 1
    summary = tmp_path / "s.json"
    assert main(base + [str(warned), str(clean), "--fail-on", "warning", "--summary", str(summary)]) == 1
    s = json.loads(summary.read_text())
    assert s["documents_with_warnings"] == 1 and s["warnings"] >= 1 and s["fail_on"] == "warning"


def test_verbose_and_log_file(tmp_path, capsys):
    doc = copy(WITHOUT_FLAGS, tmp_path / "in")
    log = tmp_path / "run.log"
    assert main(["extract", str(doc), "-o", str(tmp_path / "out"), "-j", "1", "-v", "--log-file", str(log)]) == 0
    err = capsys.readouterr().err
    assert "avance: INFO: extracting 1 inputs" in err and "d006_sheet_cajeme.pdf: ok" in err
    text = log.read_text()
    assert "INFO avance.pipeline.run: 1 to extract, 0 unchanged" in text
    assert "DEBUG" not in text
    assert main(["extract", str(doc), "-o", str(tmp_path / "out"), "-q", "-vv", "--log-file", str(log)]) == 0
    assert "DEBUG avance.pipeline.run:" in log.read_text()  # -vv: every step, skips too
    assert "DEBUG: d006_sheet_cajeme.pdf: skipped" in capsys.readouterr().err
    assert main(["extract", str(doc), "-o", str(tmp_path / "out2"), "-q"]) == 0
    assert capsys.readouterr().err == ""  # without -v nothing is logged to the terminal
    assert main(["extract", str(doc), "-o", str(tmp_path / "out2"), "--log-file", str(tmp_path / "no" / "x.log")]) == 2
    assert capsys.readouterr().err.count("\n") == 1


def test_ocr_lang(tmp_path, capsys):
    doc = copy(WITHOUT_FLAGS, tmp_path / "in")
    out = str(tmp_path / "out")
    assert main(["extract", str(doc), "-o", out, "--ocr-lang", "spa;rm -rf"]) == 2
    assert "spa or spa+eng" in capsys.readouterr().err
    assert main(["extract", str(doc), "-o", out, "--ocr-lang", "xx_nowhere"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "no 'xx_nowhere' model" in err and "spa" in err
    assert main(["extract", str(doc), "-o", out, "-q", "--ocr-lang", "spa+eng"]) == 0


def test_no_input_found_names_the_supported_types(tmp_path, capsys):
    (tmp_path / "empty").mkdir()
    (tmp_path / "empty" / "notes.docx").write_text("x")
    assert main(["extract", str(tmp_path / "empty"), "-o", str(tmp_path / "out")]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1
    for kind in (".pdf", ".png", ".jpg", ".tif", ".tiff", ".txt", ".md"):
        assert kind in err


class FakeTerminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_progress_bar_shows_the_file_being_read_and_the_elapsed_time(tmp_path):
    docs = [copy(WITHOUT_FLAGS, tmp_path / "in"), copy(WITH_A_WARNING, tmp_path / "in")]
    term = FakeTerminal()
    reporter = Reporter.for_stream(2, quiet=False, stream=term)
    ticks = []

    def tick():
        ticks.append(term.getvalue())
        reporter.tick()

    run(docs, tmp_path / "out", on_outcome=reporter, on_start=reporter.start, on_tick=tick,
        batch=BatchOptions(executor="local", workers=1, timeout=60))
    reporter.close()
    shown = term.getvalue()
    assert ticks, "the run's clock never ticked"
    assert "d006_sheet_cajeme.pdf" in shown and "d001_poa_tijuana.pdf" in shown  # the current file
    assert "2/2" in shown and "doc/s" in shown and "elapsed" in shown and "left" in shown
    assert "0:00:0" in shown  # elapsed time, h:mm:ss


@pytest.mark.parametrize("argv", [["-o"], ["-j", "x"]])
def test_short_options_are_refused_in_one_line(tmp_path, capsys, argv):
    assert main(["extract", str(tmp_path)] + argv) == 2
    assert capsys.readouterr().err.count("\n") == 1
