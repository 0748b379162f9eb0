"""A ScaledObject's ``advanced.scalingModifiers.formula``, as KEDA evaluates it with expr-lang over
the triggers' values by trigger name (kedacore/keda v2.20.2 pkg/scaling/modifiers/formula.go
calculateScalingModifiersFormula). Only what keda-kaito-scaler writes is read: numbers, names,
``== != < <= > >=``, ``&&``, ``||``, parentheses and ``cond ? a : b`` (its buildFormula); anything
else is a ValueError that says so."""

from __future__ import annotations

import re
from collections.abc import Mapping

_TOKEN = re.compile(r"\s*(\d+(?:\.\d+)?|[A-Za-z_][A-Za-z0-9_]*|==|!=|<=|>=|&&|\|\||[<>?:()])")


def evaluate(formula: str, values: Mapping[str, float]) -> float:
    tokens = _tokens(formula)
    parser = _Parser(tokens, values)
    result = parser.ternary()
    if parser.at < len(tokens):
        raise ValueError(f"the lab's formula reader stops at {tokens[parser.at]!r} in {formula!r}")
    return float(result)


def _tokens(formula: str) -> list[str]:
    out, at = [], 0
    text = formula.rstrip()
    while at < len(text):
        m = _TOKEN.match(text, at)
        if m is None:
            raise ValueError(f"the lab's formula reader does not read {text[at:]!r}")
        out.append(m.group(1))
        at = m.end()
    return out


class _Parser:
    def __init__(self, tokens: list[str], values: Mapping[str, float]) -> None:
        self.tokens, self.values, self.at = tokens, values, 0

    def _peek(self) -> str | None:
        return self.tokens[self.at] if self.at < len(self.tokens) else None

    def _take(self, want: str) -> None:
        if self._peek() != want:
            raise ValueError(f"expected {want!r} at token {self.at} of the formula")
        self.at += 1

    def ternary(self) -> float | bool:
        cond = self._or()
        if self._peek() != "?":
            return cond
        self.at += 1
        yes = self.ternary()
        self._take(":")
        no = self.ternary()
        return yes if cond else no

    def _or(self) -> float | bool:
        left = self._and()
        while self._peek() == "||":
            self.at += 1
            right = self._and()
            left = bool(left) or bool(right)
        return left

    def _and(self) -> float | bool:
        left = self._compare()
        while self._peek() == "&&":
            self.at += 1
            right = self._compare()
            left = bool(left) and bool(right)
        return left

    def _compare(self) -> float | bool:
        left = self._atom()
        op = self._peek()
        if op not in ("==", "!=", "<", "<=", ">", ">="):
            return left
        self.at += 1
        right = self._atom()
        a, b = float(left), float(right)
        return {"==": a == b, "!=": a != b, "<": a < b, "<=": a <= b, ">": a > b, ">=": a >= b}[op]

    def _atom(self) -> float | bool:
        token = self._peek()
        if token is None:
            raise ValueError("the formula ends too soon")
        self.at += 1
        if token == "(":
            inner = self.ternary()
            self._take(")")
            return inner
        if token[0].isdigit():
            return float(token)
        if token in self.values:
            return float(self.values[token])
        raise ValueError(f"unknown name {token!r} in the formula")
