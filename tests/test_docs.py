"""Docs that match the repo: the contract names every table, column and rule id; the READMEs
name only files the repo has, and say the same thing in both languages; the Dockerfile parses."""
from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest

from avance.contract import SCHEMAS
from avance.messages import RULE_NAMES

from .test_messages import rule_ids_in_code

ROOT = Path(__file__).resolve().parents[1]
CONTRACT = (ROOT / "docs" / "contract.md").read_text(encoding="utf-8")
READMES = [ROOT / "README.md", ROOT / "README.es.md"]


def _section(doc: str, table: str) -> str:
    m = re.search(rf"^#+ {table}\b.*?$(.*?)(?=^#+ |\Z)", doc, re.S | re.M)
    assert m, f"docs/contract.md has no section for {table}"
    return m.group(1)


@pytest.mark.parametrize("table", sorted(SCHEMAS))
def test_contract_doc_names_every_column_of_every_table(table):
    text = _section(CONTRACT, table)
    missing = [c for c in SCHEMAS[table].names if not re.search(rf"\b{c}\b", text)]
    assert not missing, f"{table}: {missing}"


def test_contract_doc_lists_every_rule_id_and_what_value_holds():
    rules = _section(CONTRACT, "Rule ids")
    listed = set(re.findall(r"^\| `([a-z_]+)` \|", rules, re.M))
    assert rule_ids_in_code() <= listed
    assert set(RULE_NAMES) == listed
    assert "What `flags.raw_value` and `flags.value` hold" in CONTRACT


def _repo_files() -> list[str]:
    out = subprocess.run(["git", "ls-files"], cwd=ROOT, capture_output=True, text=True, check=True).stdout
    return out.split()


def _named_paths(readme: Path) -> set[str]:
    """Repo paths a README names: link targets and `code` spans that look like a path."""
    text = readme.read_text(encoding="utf-8")
    prose = re.sub(r"```.*?```", "", text, flags=re.S)
    prose = "\n".join(line for line in prose.splitlines() if not line.startswith("    "))
    names = set(re.findall(r"\]\(([^)#\s]+)", prose)) | set(re.findall(r"`([^`\s]+)`", prose))
    pattern = re.compile(r"[\w.-]+(/[\w.*-]+)*/?")
    return {n for n in names if pattern.fullmatch(n) and ("/" in n or re.search(r"\.(md|py|png|csv|toml|json)$", n)
                                                          or n in ("Makefile", "Dockerfile"))
            and not n.startswith((".", "OUT", "/")) and "*" not in n and "<" not in n}


@pytest.mark.parametrize("readme", READMES, ids=lambda p: p.name)
def test_readme_names_only_files_the_repo_has(readme):
    files = _repo_files()
    folders = {str(Path(f).parent) + "/" for f in files} | {str(p) + "/" for f in files for p in Path(f).parents}
    named = _named_paths(readme)
    assert {"docs/contract.md", "Dockerfile", "avance/contract.py"} <= named
    missing = []
    for name in sorted(named):
        if name.endswith("/"):
            if name not in folders:
                missing.append(name)
        elif not any(f == name or f.endswith("/" + name) for f in files):
            missing.append(name)
    assert not missing, f"{readme.name} names files the repo does not have: {missing}"


def test_spanish_readme_mirrors_the_english_one():
    english, spanish = (p.read_text(encoding="utf-8") for p in READMES)

    def commands(text: str) -> list[str]:
        return [line.strip() for line in text.splitlines()
                if re.match(r"\s{4}(\.venv/bin/avance|make|docker|pip) ", line)]

    def images(text: str) -> list[str]:
        return re.findall(r"!\[[^\]]*\]\(([^)]+)\)", text)

    def code_blocks(text: str) -> list[str]:
        return re.findall(r"```.*?```", text, re.S)

    assert [c.split("#")[0].strip() for c in commands(spanish)] == [c.split("#")[0].strip() for c in commands(english)]
    assert images(spanish) == images(english)
    assert code_blocks(spanish) == code_blocks(english)
    assert len(re.findall(r"^## ", spanish, re.M)) == len(re.findall(r"^## ", english, re.M))
    # every flag option and table named in the English README is named in the Spanish one
    for token in set(re.findall(r"`(--[a-z-]+|[a-z]+_[a-z_]+)`", english)):
        assert f"`{token}`" in spanish, token


def test_dockerfile_builds_avance_with_spanish_tesseract():
    text = (ROOT / "Dockerfile").read_text(encoding="utf-8")
    joined = re.sub(r"\\\n", " ", text)
    instructions = [line.split()[0] for line in joined.splitlines() if line.strip() and not line.startswith("#")]
    known = {"FROM", "ENV", "SHELL", "RUN", "WORKDIR", "COPY", "USER", "ENTRYPOINT", "CMD", "ARG", "LABEL"}
    assert set(instructions) <= known and instructions[0] == "FROM"
    assert "tesseract-ocr-spa" in joined and "pip install --no-cache-dir ." in joined
    assert re.search(r'^ENTRYPOINT \["avance"\]', joined, re.M)
    for path in re.findall(r"^COPY (\S+)", joined, re.M):
        assert (ROOT / path).exists(), path
