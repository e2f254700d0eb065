"""Builds `vocabulario_dominio.csv`: the words the text repair may restore.

    .venv/bin/python data/catalogs/build_vocabulary.py [TRUTH_DIR ...]

Sources, each written in the `source` column (a word heard from several keeps the first):
- `catalog`: words of the names in the CONAC catalogs and the units of measure here;
- `header`: the fixed words of report headers and labels (list below, written by hand
  from the dev corpus layouts and the real OCR exports in shared/seeds);
- `dev_truth`: words of the text fields of the hand-checked dev corpus truth files
  (digital variants only), i.e. words printed in these reports, but for the words of
  the documents' own municipalities (a corpus document's place repairs only it).
Only words of 4 or more letters are kept: shorter ones are too close to each other
for a fuzzy match to mean anything. Run it again after changing any source; the
result is copied to `avance/data/catalogs/` for the installed package.
"""
from __future__ import annotations

import csv
import glob
import json
import re
import shutil
import sys
from collections import Counter
from pathlib import Path

HERE = Path(__file__).resolve().parent
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


def main(argv: list[str]) -> int:
    truth_dirs = argv or [str(HERE.parents[2] / "shared" / "corpus" / "dev")]
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
    truths = [json.load(open(f, encoding="utf-8"))
              for d in truth_dirs for f in sorted(glob.glob(str(Path(d) / "**" / "*.truth.json"), recursive=True))]
    truths = [t for t in truths if t.get("variant") in (None, "digital")]
    # the corpus documents' own places (TIJUANA, ZAPOPANOS) would repair only those documents
    places = {w for t in truths for row in t["tables"].get("sections", []) for w in words_of(row.get("municipality"))}
    for truth in truths:
        for rows in truth["tables"].values():
            for row in rows:
                for k, v in row.items():
                    if isinstance(v, str) and not k.endswith(("_code", "_raw")) and k not in ("role", "name"):
                        for w in words_of(v):
                            if not any(w.startswith(p) for p in places):
                                add(w, "dev_truth")
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
