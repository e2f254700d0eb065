"""The pyarrow schemas hold every column SCHEMA.md names for every table."""
from __future__ import annotations

import re

from avance.contract import SCHEMAS

from .conftest import CORPUS


def schema_md_columns() -> dict[str, list[str]]:
    tables: dict[str, list[str]] = {}
    current = None
    for line in (CORPUS / "SCHEMA.md").read_text(encoding="utf-8").splitlines():
        m = re.match(r"^## (\w+)\b", line)
        if m:
            current = m.group(1)
            tables[current] = []
            continue
        m = re.match(r"^\|\s*([a-z_][a-z0-9_, ]*)\s*\|", line)
        if current and m and m.group(1).strip() != "column":
            tables[current].extend(c.strip() for c in m.group(1).split(","))
    return {t: cols for t, cols in tables.items() if cols}


def test_schema_md_parsed():
    tables = schema_md_columns()
    assert {"documents", "sections", "goals", "flags", "evaluation_rows"} <= set(tables)


def test_every_schema_md_column_exists():
    for table, columns in schema_md_columns().items():
        assert table in SCHEMAS, table
        names = set(SCHEMAS[table].names)
        missing = [c for c in columns if c not in names]
        assert not missing, f"{table} lacks {missing}"
