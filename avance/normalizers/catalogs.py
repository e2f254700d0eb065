"""The catalogs the normalizers match against, read once from the package.

The CSVs live in `data/catalogs/` (sources in its README.md) and are copied to
`avance/data/catalogs/` so an installed package finds them. Each loader
returns immutable data and caches it.
"""
from __future__ import annotations

import csv
import io
import os
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Iterable, Optional


def _rows(name: str) -> list[dict[str, str]]:
    text = resources.files("avance").joinpath("data", "catalogs", name).read_text(encoding="utf-8")
    return list(csv.DictReader(io.StringIO(text)))


@lru_cache(maxsize=65536)
def fold(text: str) -> str:
    """Upper case without accent marks (`Protección` -> `PROTECCION`); Ñ stays Ñ."""
    upper = text.upper()
    if upper.isascii():
        return upper  # no accent to drop (most of a report's text)
    out = []
    for ch in upper:
        if ch == "Ñ":
            out.append(ch)
            continue
        out.append("".join(c for c in unicodedata.normalize("NFKD", ch) if not unicodedata.combining(c)))
    return "".join(out)


@lru_cache(maxsize=None)
def functional_classification() -> dict[str, tuple[str, str]]:
    """CONAC functional classification: dotted code -> (level, name)."""
    return {r["code"]: (r["level"], r["name"]) for r in _rows("conac_clasificacion_funcional.csv")}


@lru_cache(maxsize=None)
def administrative_classification() -> dict[str, tuple[str, str, str]]:
    """CONAC administrative classification, as far as verified: dotted code -> (level, name, evidence)."""
    return {r["code"]: (r["level"], r["name"], r["evidence"]) for r in _rows("conac_clasificacion_administrativa.csv")}


@lru_cache(maxsize=None)
def units_of_measure() -> tuple[str, ...]:
    return tuple(r["unit"] for r in _rows("unidades_medida.csv"))


@lru_cache(maxsize=None)
def domain_words() -> dict[str, str]:
    """Folded word -> its spelling with accents (the vocabulary of the text repair)."""
    out: dict[str, str] = {}
    for r in _rows("vocabulario_dominio.csv"):
        word = r["word"]
        key = fold(word)
        # keep the accented spelling when both are listed (`FUNCION`, `FUNCIÓN`)
        if key not in out or (out[key] == key and word != key):
            out[key] = word
    return out


@lru_cache(maxsize=None)
def person_names() -> dict[str, str]:
    """Folded given name or surname -> kind (`given` | `surname`)."""
    return {fold(r["word"]): r["kind"] for r in _rows("nombres_personas.csv")}


@lru_cache(maxsize=None)
def inegi_states() -> tuple[tuple[str, str, str], ...]:
    """INEGI's states (AGEEML): (state_code, name, abbreviation), e.g. ("31", "Yucatán", "Yuc.")."""
    return tuple((r["state_code"], r["state"], r["abbreviation"]) for r in _rows("inegi_entidades.csv"))


@lru_cache(maxsize=None)
def inegi_municipalities() -> tuple[tuple[str, str, str], ...]:
    """INEGI's 2,478 municipalities (AGEEML): (state_code, municipality_code, name)."""
    return tuple((r["state_code"], r["municipality_code"], r["municipality"]) for r in _rows("inegi_municipios.csv"))


# --------------------------------------------------------------------------
# the user's own catalogs (`--catalog FILE.csv`): read at the pipeline's edge
# --------------------------------------------------------------------------

# Header names (folded, `_` for spaces) that say what a column holds; the first row decides the kind.
_UNIT_COLUMNS = ("unit", "unidad", "unidad_de_medida", "unidad_medida")
_CODE_COLUMNS = ("code", "clave", "codigo", "numero", "linea")
_DESCRIPTION_COLUMNS = ("description", "descripcion", "nombre", "linea_de_accion", "texto")


@dataclass(frozen=True)
class PmdLine:
    """A line of a Plan Municipal de Desarrollo: an axis, strategy or line of action."""
    code: str
    description: str
    source: str  # the catalog file it came from


@dataclass(frozen=True)
class UserCatalogs:
    pmd: tuple[PmdLine, ...] = ()
    units: tuple[tuple[str, str], ...] = ()  # (unit, source file)

    def __bool__(self) -> bool:
        return bool(self.pmd or self.units)


def _column(header: list[str], names: tuple[str, ...]) -> Optional[str]:
    for h in header:
        key = "_".join(fold(h).lower().replace("-", " ").split())
        if key in names:
            return h
    return None


def catalog_kind(header: list[str]) -> str:
    """`units` (a unit column), `pmd` (code and description columns); ValueError otherwise."""
    if _column(header, _UNIT_COLUMNS):
        return "units"
    if _column(header, _CODE_COLUMNS) and _column(header, _DESCRIPTION_COLUMNS):
        return "pmd"
    raise ValueError(f"catalog header {header!r} is neither a PMD catalog (code,description) "
                     f"nor a catalog of units of measure (unit)")


def _read_text(path: Path) -> str:
    data = path.read_bytes()
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:  # a spreadsheet saved as CSV in a Spanish Windows locale
        return data.decode("cp1252")


def read_user_catalog(path: Path) -> UserCatalogs:
    """One catalog CSV (`,` or `;` separated, UTF-8 or Windows-1252), its kind from its header."""
    text = _read_text(Path(path))
    first = text.splitlines()[0] if text.strip() else ""
    delimiter = ";" if first.count(";") > first.count(",") else ","
    rows = list(csv.DictReader(io.StringIO(text), delimiter=delimiter))
    header = [h for h in (rows[0].keys() if rows else next(csv.reader([first], delimiter=delimiter), []))]
    kind = catalog_kind(header)
    source = Path(path).name
    if kind == "units":
        col = _column(header, _UNIT_COLUMNS)
        units = tuple((" ".join(r[col].split()), source) for r in rows if (r.get(col) or "").strip())
        return UserCatalogs(units=units)
    code_col, desc_col = _column(header, _CODE_COLUMNS), _column(header, _DESCRIPTION_COLUMNS)
    lines = []
    for r in rows:
        code = (r.get(code_col) or "").strip().strip(".")
        if code:
            lines.append(PmdLine(code=code, description=" ".join((r.get(desc_col) or "").split()), source=source))
    return UserCatalogs(pmd=tuple(lines))


@lru_cache(maxsize=32)
def _user_catalog_cached(path: str, mtime_ns: int, size: int) -> UserCatalogs:
    return read_user_catalog(Path(path))


def load_user_catalogs(paths: Iterable[str]) -> UserCatalogs:
    """Every catalog given, merged (read once per file version)."""
    pmd: list[PmdLine] = []
    units: list[tuple[str, str]] = []
    for p in paths:
        st = os.stat(p)
        one = _user_catalog_cached(str(p), st.st_mtime_ns, st.st_size)
        pmd.extend(one.pmd)
        units.extend(one.units)
    return UserCatalogs(pmd=tuple(pmd), units=tuple(units))
