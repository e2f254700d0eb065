"""Builds `vocabulario_dominio.csv`: the words the text repair may restore.

    .venv/bin/python data/catalogs/build_vocabulary.py

Sources, each written in the `source` column (a word heard from several keeps the first):
- `catalog`: words of the names in the CONAC catalogs and the units of measure here;
- `header`: the fixed words of report headers and labels (list below, written by hand:
  the words of the report families' titles and column headers).
No word comes from the text of any report: the general Spanish vocabulary of the
text repair is the public lexicon (`avance/normalizers/lexicon.py`), and these are
the domain words it lacks or ranks too low (`PARAMUNICIPALES`, `SEMAFORIZACIÓN`).
Only words of 4 or more letters are kept: shorter ones are too close to each other
for a fuzzy match to mean anything. Every word of a unit of measure must be a word
of the public lexicon (a typo in the catalog would otherwise become a repair target).
Run it again after changing any source; the result is copied to
`avance/data/catalogs/` for the installed package.
"""
from __future__ import annotations

import csv
import re
import shutil
import sys
from collections import Counter
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parents[1]))
PACKAGED = HERE.parents[1] / "avance" / "data" / "catalogs"
WORD = re.compile(r"[A-Za-zÁÉÍÓÚÜÑáéíóúüñ]{4,}")
HEADER_WORDS = """
AYUNTAMIENTO GOBIERNO MUNICIPAL MUNICIPIO ESTADO PROGRAMA OPERATIVO ANUAL AVANCE PROGRAMÁTICO PRIMER SEGUNDO
TERCER CUARTO TRIMESTRE TRIMESTRAL ADMINISTRATIVA ADMINISTRATIVO CLASIFICACIÓN RAMO UNIDAD EJECUTORA FINALIDAD
FUNCIÓN SUBFUNCIÓN LÍNEAS LÍNEA ACCIÓN DESCRIPCIÓN METAS ACCIONES MEDIDA AUTORIZADA PERIODO ABSOLUTO RELATIVO
OBSERVACIONES JEFATURA DEPARTAMENTO DIRECCIÓN DIRECTORA DIRECTOR COORDINACIÓN SUBDIRECCIÓN SECRETARÍA TESORERÍA
CONTRALORÍA SINDICATURA PRESIDENCIA REGIDURÍA DESARROLLO INTEGRAL FAMILIA ENTIDADES PARAMUNICIPALES EMPRESARIALES
FINANCIERAS PARTICIPACIÓN ESTATAL MAYORITARIA ÓRGANO EJECUTIVO CONTABLE OPERATIVO VINCULACIÓN SOCIAL ASISTENCIA
GESTIÓN ELABORÓ REVISÓ AUTORIZÓ SUPERVISÓ FICHA TÉCNICA INDICADOR INDICADORES REPORTE NOMBRE CLAVE DEPENDENCIA
OBJETIVO INTERPRETACIÓN VARIABLES FÓRMULA CÁLCULO RESULTADO PORCENTAJE SEMAFORIZACIÓN RANGO VALOR BASE META
FRECUENCIA MEDICIÓN ESTRATEGIA ESTRUCTURA PROGRAMÁTICA ALINEACIÓN PLAN DESARROLLO RESPONSABLE NIVEL OBJETIVOS
PROPÓSITO COMPONENTE ACTIVIDAD JUSTIFICACIÓN PROGRAMADA ALCANZADA ACUMULADO BIENESTAR PLANEACIÓN SEGUIMIENTO
EVALUACIÓN DESEMPEÑO TRANSPARENCIA INFORMACIÓN PÚBLICA SERVICIOS PERSONALES BECAS APOYOS JEFE DEPTO
ENERO FEBRERO MARZO ABRIL MAYO JUNIO JULIO AGOSTO SEPTIEMBRE SETIEMBRE OCTUBRE NOVIEMBRE DICIEMBRE
PERIODO PERÍODO TRIMESTRE EJERCICIO ACUMULADO
""".split()


def words_of(text: str) -> list[str]:
    return [w.upper() for w in WORD.findall(text or "")]


def check_units() -> list[str]:
    """Words of the unit catalog the public lexicon does not have (should be none)."""
    from avance.normalizers.lexicon import fold_lower, spanish_lexicon

    lexicon = spanish_lexicon()
    with open(HERE / "unidades_medida.csv", encoding="utf-8") as fh:
        return [f"{row['unit']} ({row['source']}): {w}" for row in csv.DictReader(fh)
                for w in words_of(row["unit"]) if fold_lower(w) not in lexicon]


def main(argv: list[str]) -> int:
    unknown = check_units()
    if unknown:
        print("unit words the Spanish lexicon does not have:\n  " + "\n  ".join(unknown))
        return 1
    source: dict[str, str] = {}
    count: Counter[str] = Counter()

    def add(word: str, src: str) -> None:
        count[word] += 1
        source.setdefault(word, src)

    for name in ("conac_clasificacion_funcional.csv", "conac_clasificacion_administrativa.csv"):
        with open(HERE / name, encoding="utf-8") as fh:
            for row in csv.DictReader(fh):
                for w in words_of(row["name"]):
                    add(w, "catalog")
    with open(HERE / "unidades_medida.csv", encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            for w in words_of(row["unit"]):
                add(w, "catalog")
    for w in HEADER_WORDS:
        add(w, "header")
    out = HERE / "vocabulario_dominio.csv"
    with open(out, "w", encoding="utf-8", newline="") as fh:
        wr = csv.writer(fh)
        wr.writerow(["word", "count", "source"])
        for w in sorted(count):
            wr.writerow([w, count[w], source[w]])
    PACKAGED.mkdir(parents=True, exist_ok=True)
    for csv_file in HERE.glob("*.csv"):
        shutil.copyfile(csv_file, PACKAGED / csv_file.name)
    print(f"{len(count)} words -> {out}; catalogs copied to {PACKAGED}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
