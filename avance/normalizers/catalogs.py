"""The catalogs the normalizers match against, read once from the package.

The CSVs live in `data/catalogs/` (sources in its README.md) and are copied to
`avance/data/catalogs/` so an installed package finds them. Each loader
returns immutable data and caches it.
"""
from __future__ import annotations

import csv
import io
import unicodedata
from functools import lru_cache
from importlib import resources


def _rows(name: str) -> list[dict[str, str]]:
    text = resources.files("avance").joinpath("data", "catalogs", name).read_text(encoding="utf-8")
    return list(csv.DictReader(io.StringIO(text)))


def fold(text: str) -> str:
    """Upper case without accent marks (`Protección` -> `PROTECCION`); Ñ stays Ñ."""
    out = []
    for ch in text.upper():
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
