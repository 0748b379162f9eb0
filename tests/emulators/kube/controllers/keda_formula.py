"""A ScaledObject's ``advanced.scalingModifiers.formula``, as KEDA evaluates it with expr-lang over
the triggers' values by trigger name (kedacore/keda v2.20.2 pkg/scaling/modifiers/formula.go
calculateScalingModifiersFormula). Only what keda-kaito-scaler writes is read: numbers, names,
``== != < <= > >=``, ``&&``, ``||``, parentheses and ``cond ? a : b`` (its buildFormula), and the
``??`` of a fallback with behavior scalingModifiers; anything else is a ValueError that says so.

A trigger past its fallback's failureThreshold is nil (None; upstream: kedacore/keda
pkg/scaling/modifiers/formula.go scalingModifierTriggerValue).
``a ?? b`` is b where a is nil, binding tighter than any other operator (expr-lang/expr
parser/operator/operator.go Binary: ``??`` 500). A formula with ``??`` may come out nil (None), as
KEDA's webhook rewrites it to keep nil (apis/keda/v1alpha1/scaledobject_webhook.go
castToFloatIfNecessary); without ``??`` its ``float(...)`` of nil fails. A nil ordered or used as a
condition fails as expr-lang's run does; those failures are FormulaRunError."""

from __future__ import annotations

import re
from collections.abc import Mapping

_TOKEN = re.compile(r"\s*(\d+(?:\.\d+)?|[A-Za-z_][A-Za-z0-9_]*|==|!=|<=|>=|&&|\|\||\?\?|[<>?:()])")


Value = float | bool | None


class FormulaRunError(ValueError):
    """expr-lang's run of the formula failed (KEDA only logs it: modifiers.go HandleScalingModifiers)."""


def evaluate(formula: str, values: Mapping[str, float | None]) -> float | None:
    tokens = _tokens(formula)
    parser = _Parser(tokens, values)
    result = parser.ternary()
    if parser.at < len(tokens):
        raise ValueError(f"the lab's formula reader stops at {tokens[parser.at]!r} in {formula!r}")
    if result is None:
        if "??" in formula:
            return None
        raise FormulaRunError("float(nil): the formula read a nil trigger")
    return float(result)


def _known(value: Value, what: str) -> float | bool:
    if value is None:
        raise FormulaRunError(f"invalid operation: nil in {what}")
    return value


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
    def __init__(self, tokens: list[str], values: Mapping[str, float | None]) -> None:
        self.tokens, self.values, self.at = tokens, values, 0

    def _peek(self) -> str | None:
        return self.tokens[self.at] if self.at < len(self.tokens) else None

    def _take(self, want: str) -> None:
        if self._peek() != want:
            raise ValueError(f"expected {want!r} at token {self.at} of the formula")
        self.at += 1

    def ternary(self) -> Value:
        cond = self._or()
        if self._peek() != "?":
            return cond
        self.at += 1
        yes = self.ternary()
        self._take(":")
        no = self.ternary()
        return yes if _known(cond, "a condition") else no

    def _or(self) -> Value:
        left = self._and()
        while self._peek() == "||":
            self.at += 1
            right = self._and()
            left = bool(_known(left, "||")) or bool(_known(right, "||"))
        return left

    def _and(self) -> Value:
        left = self._compare()
        while self._peek() == "&&":
            self.at += 1
            right = self._compare()
            left = bool(_known(left, "&&")) and bool(_known(right, "&&"))
        return left

    def _compare(self) -> Value:
        left = self._coalesce()
        op = self._peek()
        if op not in ("==", "!=", "<", "<=", ">", ">="):
            return left
        self.at += 1
        right = self._coalesce()
        if left is None or right is None:
            if op in ("==", "!="):  # expr-lang's Equal takes nil
                return (left is None and right is None) == (op == "==")
            raise FormulaRunError(f"invalid operation: nil {op} in the formula")
        a, b = float(left), float(right)
        return {"==": a == b, "!=": a != b, "<": a < b, "<=": a <= b, ">": a > b, ">=": a >= b}[op]

    def _coalesce(self) -> Value:
        left = self._atom()
        while self._peek() == "??":
            self.at += 1
            right = self._atom()
            left = right if left is None else left
        return left

    def _atom(self) -> Value:
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
            value = self.values[token]
            return None if value is None else float(value)
        raise ValueError(f"unknown name {token!r} in the formula")
