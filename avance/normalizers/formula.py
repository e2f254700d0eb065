"""Indicator formulas as small expression trees, evaluated without `eval`.

`PMAV = (MAV / MSA) * 100` -> ("PMAV", Bin("*", Bin("/", Var MAV, Var MSA), Num 100)).
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Mapping, Optional, Union

_TOKEN = re.compile(r"\s*(?:(\d+(?:\.\d+)?)|([A-Za-zÁÉÍÓÚÑáéíóúñ_][\wÁÉÍÓÚÑáéíóúñ]*)|(.))")


@dataclass(frozen=True)
class Num:
    value: float


@dataclass(frozen=True)
class Var:
    name: str


@dataclass(frozen=True)
class Bin:
    op: str
    left: "Expr"
    right: "Expr"


Expr = Union[Num, Var, Bin]


class FormulaError(ValueError):
    pass


def _tokens(text: str) -> list[str]:
    text = text.replace("×", "*").replace("÷", "/").replace("x 100", "* 100").replace("X 100", "* 100")
    out = []
    for number, name, other in _TOKEN.findall(text):
        tok = number or name or other
        if tok.strip():
            out.append(tok)
    return out


class _Parser:
    def __init__(self, tokens: list[str]):
        self.tokens = tokens
        self.i = 0

    def peek(self) -> Optional[str]:
        return self.tokens[self.i] if self.i < len(self.tokens) else None

    def take(self) -> str:
        tok = self.peek()
        if tok is None:
            raise FormulaError("unexpected end of formula")
        self.i += 1
        return tok

    def expr(self) -> Expr:
        node = self.term()
        while self.peek() in ("+", "-"):
            op = self.take()
            node = Bin(op, node, self.term())
        return node

    def term(self) -> Expr:
        node = self.factor()
        while self.peek() in ("*", "/"):
            op = self.take()
            node = Bin(op, node, self.factor())
        return node

    def factor(self) -> Expr:
        tok = self.take()
        if tok in ("(", "[", "{"):
            node = self.expr()
            closing = self.take()
            if closing not in (")", "]", "}"):
                raise FormulaError(f"expected a closing bracket, found {closing!r}")
            return node
        if tok == "-":
            return Bin("-", Num(0.0), self.factor())
        if re.fullmatch(r"\d+(?:\.\d+)?", tok):
            return Num(float(tok))
        if re.fullmatch(r"\w+", tok):
            return Var(tok.upper())
        raise FormulaError(f"unexpected {tok!r}")


def parse_expression(text: str) -> Expr:
    parser = _Parser(_tokens(text))
    node = parser.expr()
    if parser.peek() is not None:
        raise FormulaError(f"unexpected {parser.peek()!r}")
    return node


def parse_formula(text: str) -> Optional[tuple[str, Expr]]:
    """`KEY = expression` -> (KEY, tree); None when it does not parse."""
    if "=" not in text:
        return None
    left, right = text.split("=", 1)
    key = left.strip().upper()
    if not re.fullmatch(r"\w+", key):
        return None
    try:
        return key, parse_expression(right)
    except FormulaError:
        return None


def variables(expr: Expr) -> set[str]:
    if isinstance(expr, Var):
        return {expr.name}
    if isinstance(expr, Bin):
        return variables(expr.left) | variables(expr.right)
    return set()


def evaluate_formula(expr: Expr, values: Mapping[str, Optional[float]]) -> Optional[float]:
    """The value, or None when a variable is missing or a division is by zero."""
    if isinstance(expr, Num):
        return expr.value
    if isinstance(expr, Var):
        return values.get(expr.name)
    left = evaluate_formula(expr.left, values)
    right = evaluate_formula(expr.right, values)
    if left is None or right is None:
        return None
    if expr.op == "+":
        return left + right
    if expr.op == "-":
        return left - right
    if expr.op == "*":
        return left * right
    if right == 0:
        return None
    return left / right


# OCR's slips in a printed formula of letter variables (`A/B*100`): a quote for the
# multiplication sign (`A/B"100`: the star of small type read as a double quote), and a
# letter variable read as its look-alike digit where a ratio of two variables is taken as a
# percent (`A/8*100`: a percent of dividing by 8 is no indicator's formula). Only digits
# with one look-alike letter (a `0` is `O` or `D`; `1` and `2` may be printed divisors).
_QUOTE_OPERATOR = re.compile(r"(?<=[A-Za-z0-9)])\s*[\"“”]\s*(?=[A-Za-z0-9(])")
_LETTER_OF = {"8": "B", "6": "G", "5": "S"}
_RATIO_PERCENT = re.compile(r"^(\(?\s*)([A-Z]|\d)(\s*/\s*)([A-Z]|\d)(\s*\)?\s*[*xX×]\s*100\s*)$")


# Terms, operators and brackets only: short variable names (a sentence with quotes is no formula).
_FORMULA_SHAPED = re.compile(r"^(?:[A-Za-z]{1,6}(?![A-Za-z])|\d+(?:\.\d+)?|[\s()/*+\-×\"“”])+$")


def repair_formula(text: Optional[str]) -> tuple[Optional[str], list[str]]:
    """The formula with OCR's look-alike glyphs read as a formula's (see above), and what was
    changed (empty when nothing was)."""
    if not text or not _FORMULA_SHAPED.match(text):
        return text, []
    changes = []
    out = text
    if _QUOTE_OPERATOR.search(out):
        out = _QUOTE_OPERATOR.sub("*", out)
        changes.append("a quote between two terms is the multiplication sign")
    m = _RATIO_PERCENT.match(out)
    if m:
        left, right = m.group(2), m.group(4)
        if (left.isdigit() and right.isalpha() and left in _LETTER_OF) or \
                (right.isdigit() and left.isalpha() and right in _LETTER_OF):
            digit = left if left.isdigit() else right
            out = (m.group(1) + _LETTER_OF.get(left, left) + m.group(3) + _LETTER_OF.get(right, right) + m.group(5))
            changes.append(f"'{digit}' in a ratio of letter variables is the letter '{_LETTER_OF[digit]}'")
    return out, changes
