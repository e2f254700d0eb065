"""Signature blocks in OCR text exports: labels and people come as lines, not columns.

An export flattens the block `ELABORÓ | REVISÓ | AUTORIZÓ` over names and titles
into a sequence. Either each label is followed by its person (`ELABORÓ`, name,
title, `REVISÓ`, ...) or all labels come first and then the people, in whatever
order the OCR read the labels; then the people take the roles in the printed
order of a block (elaboró, revisó, supervisó, autorizó), which OCR keeps for the
names. A label may also share its line with the person (`ELABORÓ LIC. X Title`).
"""
from __future__ import annotations

import re
from typing import Optional, Sequence

from ..extractors.layout import collapse, fold
from ..records import Page, Signatory
from .signatures import ROLES, label_role, split_honorific

_NOT_A_PERSON = re.compile(r"^\[.*\]$|HANDWRITTEN|FIRMA|^SELLO")
# Words of positions and institutions: a line holding one is a title or a footer, not a name.
_POSITION_WORDS = {
    "JEFE", "JEFA", "JEFATURA", "DEPTO", "DEPTO.", "DEPARTAMENTO", "DIRECTOR", "DIRECTORA", "DIRECCION",
    "SUBDIRECTOR", "SUBDIRECTORA", "COORDINADOR", "COORDINADORA", "COORDINACION", "ENCARGADO", "ENCARGADA",
    "SECRETARIO", "SECRETARIA", "AUXILIAR", "ANALISTA", "ENLACE", "TITULAR", "TESORERO", "TESORERA",
    "PRESIDENTE", "PRESIDENTA", "MUNICIPIO", "MUNICIPAL", "AYUNTAMIENTO", "GOBIERNO", "ADMINISTRATIVO",
    "CONTABLE", "OPERATIVO", "PLANEACION", "RESPONSABLE", "SUPERVISOR", "SUPERVISORA", "GERENTE", "ASESOR",
}
# A page title after the block ends it.
_BLOCK_END = re.compile(r"FICHA TECNICA|REPORTE DE INDICADOR|PROGRAMA OPERATIVO|AVANCE EN CUMPLIMIENTO|GOBIERNO DE")


def _label_of_line(line: str) -> tuple[Optional[str], str]:
    """(role, rest of the line) when the line starts with a role label."""
    words = line.split()
    if not words:
        return None, ""
    role = label_role(words[0].rstrip(":"))
    return (role, " ".join(words[1:])) if role else (None, line)


def _person(name_line: str, titles: Sequence[str]) -> tuple[Optional[str], Optional[str], Optional[str]]:
    honorific, name_tokens = split_honorific(name_line.split())
    return honorific, collapse(" ".join(name_tokens)), collapse(" ".join(titles))


def _is_position(line: str) -> bool:
    return any(fold(t).strip(".,:") in _POSITION_WORDS for t in line.split())


def _looks_like_name(line: str) -> bool:
    tokens = line.split()
    if any(c.isdigit() for c in line):
        return False
    honorific, rest = split_honorific(tokens)
    letters = [t for t in rest if re.fullmatch(r"[A-Za-zÁÉÍÓÚÑÜáéíóúñü.]+", t)]
    if bool(honorific) and len(letters) >= 2:
        return True
    return len(letters) >= 3 and len(tokens) <= 6 and not _is_position(line) and \
        all(t[:1].isupper() for t in letters if fold(t) not in ("DE", "DEL", "LA", "LOS", "Y"))


def read_export_signatories(pages: Sequence[Page]) -> list[Signatory]:
    out: list[Signatory] = []
    for page in pages:
        lines = [l for l in page.raw_lines if l.strip()]
        start = next((i for i, l in enumerate(lines) if _label_of_line(l)[0]), None)
        if start is None:
            continue
        block = lines[start:]
        # a table row holding several `LABEL name title` cells
        if "\t" in block[0] or block[0].count("|") >= 2:
            for cell in re.split(r"\t|\|", block[0]):
                role, rest = _label_of_line(cell.strip())
                if role and rest:
                    out.append(_inline_person(role, rest))
            continue
        labels: list[str] = []
        people: list[tuple[Optional[str], list[str]]] = []  # (own label, lines)
        pending: Optional[str] = None
        for line in block:
            role, rest = _label_of_line(line)
            if role:
                labels.append(role)
                pending = role
                if rest and _looks_like_name(rest):
                    people.append((role, [rest]))
                    pending = None
                continue
            if _BLOCK_END.search(fold(line)):
                break
            if _NOT_A_PERSON.search(fold(line)):
                continue
            if _looks_like_name(line):
                people.append((pending, [line]))
                pending = None
            elif people and _is_position(line) and len(people[-1][1]) == 1:
                people[-1][1].append(line)  # the person's title, right under the name
        if not people:
            continue
        if any(own is None for own, _ in people):
            # labels first, then people: the block's printed order gives the roles
            ordered = [r for r in ROLES if r in labels] or labels
            roles = ordered + [ordered[-1]] * max(0, len(people) - len(ordered)) if ordered else []
            people = [(roles[i] if i < len(roles) else None, ls) for i, (_, ls) in enumerate(people)]
        for role, ls in people:
            if role is None:
                continue
            honorific, name, title = _person(ls[0], ls[1:])
            out.append(Signatory(role=role, name=name, honorific=honorific, title=title))
    return _unique(out)


def _inline_person(role: str, text: str) -> Signatory:
    """`LIC. JULIO CÉSAR ALDACO SÁNCHEZ Desarrollo Integral de la Familia`: the
    name is the upper-case run, the title what follows it."""
    tokens = text.split()
    honorific, rest = split_honorific(tokens)
    name, title = [], []
    for t in rest:
        (title if title or not t.isupper() else name).append(t)
    return Signatory(role=role, name=collapse(" ".join(name)), honorific=honorific, title=collapse(" ".join(title)))


def _unique(rows: list[Signatory]) -> list[Signatory]:
    seen, out = set(), []
    for r in rows:
        key = (r.role, r.name)
        if key not in seen:
            seen.add(key)
            out.append(r)
    return out
