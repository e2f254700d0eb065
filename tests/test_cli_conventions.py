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
        top_level = [line for line in text.splitlines() if re.match(r"(import|from) (pdfplumber|pdfminer|tesserocr|resource)\b", line)]
        assert not top_level, (path, top_level)


def test_the_package_imports_and_locks_without_fcntl_tesserocr_or_pdfplumber(tmp_path):
    code = (
        "import sys\n"
        "for name in ('fcntl', 'tesserocr', 'pdfplumber'):\n"
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
