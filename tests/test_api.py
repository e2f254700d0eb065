"""The Python API: `avance.extract` / `avance.open`, `python -m avance`, a light `import avance`,
and the README's notebook example run as written."""
from __future__ import annotations

import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import pandas as pd
import pytest

import avance
from avance.contract import SCHEMAS, TABLES

ROOT = Path(__file__).parents[1]
DIGITAL = ROOT / "tests" / "corpus" / "digital"


def readme_example() -> str:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    m = re.search(r"<!-- api-example:[^>]*-->\s*```python\n(.*?)```", text, re.S)
    assert m, "the README holds the API example"
    return m.group(1)


def test_the_readme_example_runs_as_written(tmp_path, monkeypatch, capsys):
    code = readme_example()
    for name in set(re.findall(r"data/raw/[\w.]+", code)):  # the bundled samples it names
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(ROOT / name, tmp_path / name)
    monkeypatch.chdir(tmp_path)  # from the repository root's layout, into a scratch copy
    namespace: dict = {}
    exec(compile(code, "README.md", "exec"), namespace)
    printed = capsys.readouterr().out
    tables = namespace["tables"]
    assert set(tables) == set(TABLES)
    assert list(tables["documents"].status) == ["ok", "ok"]
    assert "Tijuana" in printed and "02" in printed and "goal_code" in printed
    assert len(namespace["panel"]) > 0 and (tmp_path / "out" / "demo" / "goals").is_dir()


def test_extract_returns_every_table_as_dataframes_and_removes_its_temp_folder(tmp_path, monkeypatch):
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    tables = avance.extract(DIGITAL / "d004_mir_merida.pdf", workers=1)
    assert list(tables) == list(TABLES)
    for name, df in tables.items():
        assert isinstance(df, pd.DataFrame)
        assert list(df.columns)[: len(SCHEMAS[name].names)] == SCHEMAS[name].names, name
    assert len(tables["documents"]) == 1 and tables["documents"].status[0] == "ok"
    assert len(tables["mir_rows"]) > 0 and set(tables["mir_rows"].doc_id) == set(tables["documents"].doc_id)
    assert tables["evaluation_rows"].empty  # a table no row reached: empty, with its columns
    assert not list(tmp_path.glob("avance-*"))


def test_extract_isolates_a_failing_document_as_the_cli_does(tmp_path):
    broken = tmp_path / "in" / "broken.pdf"
    broken.parent.mkdir()
    broken.write_bytes(b"%PDF-1.4 this is no PDF")
    shutil.copy(DIGITAL / "d001_poa_tijuana.pdf", tmp_path / "in" / "good.pdf")
    tables = avance.extract([tmp_path / "in"], out=tmp_path / "out", workers=2)
    docs = tables["documents"].set_index("file_name")
    assert docs.loc["broken.pdf", "status"] == "failed" and docs.loc["broken.pdf", "error"]
    assert docs.loc["good.pdf", "status"] == "ok"
    assert set(tables["goals"].doc_id) == {docs.loc["good.pdf", "doc_id"]}
    # written as the CLI writes it, and a second call over the same folder returns only its own documents
    assert (tmp_path / "out" / "goals" / f"{docs.loc['good.pdf', 'doc_id']}.parquet").is_file()
    again = avance.extract(tmp_path / "in" / "good.pdf", out=tmp_path / "out")
    assert list(again["documents"].file_name) == ["good.pdf"]


def test_extract_refuses_what_the_cli_refuses(tmp_path):
    with pytest.raises(FileNotFoundError):
        avance.extract(tmp_path / "missing.pdf")
    (tmp_path / "empty").mkdir()
    with pytest.raises(ValueError, match="supported"):
        avance.extract(tmp_path / "empty")
    bad = tmp_path / "bad.csv"
    bad.write_text("a,b\n")
    with pytest.raises(ValueError):
        avance.extract(DIGITAL / "d004_mir_merida.pdf", catalogs=[bad])


def test_open_gives_a_view_per_table(tmp_path):
    avance.extract(DIGITAL / "d004_mir_merida.pdf", out=tmp_path / "out", workers=1)
    con = avance.open(tmp_path / "out")
    views = {r[0] for r in con.execute("SELECT view_name FROM duckdb_views() WHERE NOT internal").fetchall()}
    assert set(TABLES) <= views and {"reports", "goal_panel", "mir_panel"} <= views
    assert con.execute("SELECT municipality_code FROM sections").fetchone()[0] == "050"
    with pytest.raises(FileNotFoundError):
        avance.open(tmp_path / "nowhere")


def test_import_avance_is_light_and_python_dash_m_works():
    code = "import sys, avance; print(sorted(m for m in ('pandas', 'duckdb', 'pyarrow') if m in sys.modules))"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, check=True)
    assert done.stdout.strip() == "[]"
    done = subprocess.run([sys.executable, "-m", "avance", "--version"], capture_output=True, text=True, cwd=ROOT)
    assert done.returncode == 0 and avance.__version__ in done.stdout
    done = subprocess.run([sys.executable, "-m", "avance", "export", str(ROOT / "no-such-folder"), "--csv", "x"],
                          capture_output=True, text=True, cwd=ROOT)
    assert done.returncode == 2 and "no such folder" in done.stderr
