"""DeviceClass CEL selectors, evaluated on a ResourceSlice device the way the scheduler's allocator
does, for the subset of CEL that the DeviceClasses NVIDIA's DRA driver publishes use.

The subset, and where it comes from (NVIDIA/k8s-dra-driver-gpu 22407113
deployments/helm/dra-driver-nvidia-gpu/templates/deviceclass-gpu.yaml, deviceclass-mig.yaml,
deviceclass-vfio-gpu.yaml, deviceclass-compute-domain-*.yaml, and the per-profile class of
demo/specs/extended-resources/mig-1g-12gb.yaml):

- ``device.driver``; ``device.attributes['DOMAIN'].NAME`` (also ``['DOMAIN']['NAME']``);
- string, int and bool literals; ``==`` and ``!=``; ``&&``, ``||``, ``!`` and parentheses.

Anything else (``has()``, ``in``, ``<``, ``matches()``, ``device.capacity``, ``quantity()``,
``semver()``, ``cel.bind``) raises :class:`Unsupported`: the caller says, in one line, that it
did not evaluate the class, rather than guess. cel-python (a test dependency, used by the
emulator for CRD rules) is not used here: it has neither the Kubernetes quantity and semver
libraries nor the DRA device variable's semantics below, so it would need the same code around
it, and it would bring lark, pendulum and google-re2 into every akscli install for expressions of
two comparisons.

Semantics (upstream: kubernetes/dynamic-resource-allocation v0.34.9 bf5dd065 cel/compile.go,
DeviceMatches and parseQualifiedName):

- an attribute name without a domain is in the driver's domain (``type`` published by
  ``gpu.nvidia.com`` is ``device.attributes['gpu.nvidia.com'].type``);
- a domain the device has no attribute in is an empty map (newStringInterfaceMapWithDefault); a
  name missing from a domain is an error, ``no such key: NAME`` (cel-go's map lookup);
- ``&&`` and ``||`` absorb an error when the other side decides (CEL's commutative logical
  operators): ``device.driver == 'x' && device.attributes['x'].type == 'gpu'`` is false, not an
  error, on another driver's device;
- values of different types are not equal (CEL's heterogeneous equality); a version attribute
  equals no string literal;
- the result must be a bool.

An error is what the allocator returns for the class (structured/internal/stable/
allocator_stable.go selectorsMatch: ``class NAME: selector #I: CEL runtime error: ...``), which
ends the scheduler's attempt for the pod.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

Value = str | int | bool
Eval = Callable[[Mapping[str, Any], str], Value]

_TOKEN = re.compile(
    r"""\s*(?:
    (?P<str>'(?:[^'\\]|\\.)*'|"(?:[^"\\]|\\.)*")
    |(?P<int>\d+)
    |(?P<id>[A-Za-z_][A-Za-z0-9_]*)
    |(?P<op>==|!=|&&|\|\||[!().\[\]])
    |(?P<other>\S+)
    )""",
    re.VERBOSE,
)


class Unsupported(ValueError):
    """An expression outside the subset akscli evaluates (the message says what)."""


class CelError(ValueError):
    """A runtime error, as cel-go words it (``no such key: type``)."""


class _Version(str):
    """A version attribute's value: equal to no string literal."""

    __slots__ = ()


@dataclass(frozen=True, slots=True)
class Selector:
    expression: str
    evaluate: Eval

    def matches(self, device: Mapping[str, Any], driver: str) -> bool:
        value = self.evaluate(device, driver)
        if not isinstance(value, bool):
            raise CelError(f"CEL result of type {_type(value)} could not be converted to bool")
        return value


@lru_cache(maxsize=256)
def compile_selector(expression: str) -> Selector:
    """The selector, compiled once per text; Unsupported for what is outside the subset."""
    parser = _Parser(_tokens(expression))
    evaluate = parser.expr()
    if parser.peek() is not None:
        raise Unsupported(f"{parser.peek()!r} after a complete expression")
    return Selector(expression, evaluate)


def _tokens(text: str) -> list[tuple[str, str]]:
    out: list[tuple[str, str]] = []
    for match in _TOKEN.finditer(text):
        kind = match.lastgroup
        if kind is None:
            continue
        token = match.group(kind)
        if kind == "other":
            raise Unsupported(f"{token!r}")
        out.append((kind, token))
    return out


class _Parser:
    def __init__(self, tokens: list[tuple[str, str]]) -> None:
        self.tokens = tokens
        self.at = 0

    def peek(self) -> str | None:
        return self.tokens[self.at][1] if self.at < len(self.tokens) else None

    def take(self, expected: str | None = None) -> tuple[str, str]:
        if self.at >= len(self.tokens):
            raise Unsupported("an incomplete expression")
        kind, token = self.tokens[self.at]
        if expected is not None and token != expected:
            raise Unsupported(f"{token!r} where {expected!r} was expected")
        self.at += 1
        return kind, token

    def expr(self) -> Eval:
        return self._binary("||", self._and)

    def _and(self) -> Eval:
        return self._binary("&&", self._relation)

    def _binary(self, op: str, operand: Callable[[], Eval]) -> Eval:
        left = operand()
        while self.peek() == op:
            self.take()
            left = _logical(op, left, operand())
        return left

    def _relation(self) -> Eval:
        # CEL's grammar: ``!`` binds tighter than ``==`` (``!a == b`` is ``(!a) == b``)
        left = self._unary()
        if self.peek() in ("==", "!="):
            equal = self.take()[1] == "=="
            right = self._unary()
            return lambda d, drv: _equal(left(d, drv), right(d, drv)) == equal
        return left

    def _unary(self) -> Eval:
        if self.peek() != "!":
            return self._term()
        self.take()
        inner = self._unary()

        def negate(device: Mapping[str, Any], driver: str) -> Value:
            value = inner(device, driver)
            if not isinstance(value, bool):
                raise CelError(f"no such overload: !{_type(value)}")
            return not value

        return negate

    def _term(self) -> Eval:
        kind, token = self.take()
        if token == "(":
            inner = self.expr()
            self.take(")")
            return inner
        if kind == "str":
            text = _unquote(token)
            return lambda d, drv: text
        if kind == "int":
            number = int(token)
            return lambda d, drv: number
        if token in ("true", "false"):
            flag = token == "true"
            return lambda d, drv: flag
        if token == "device":
            return self._device()
        raise Unsupported(f"{token!r}")

    def _device(self) -> Eval:
        self.take(".")
        _, field = self.take()
        if field == "driver":
            if self.peek() in (".", "["):
                raise Unsupported("a member of device.driver")
            return lambda d, drv: drv
        if field != "attributes":
            raise Unsupported(f"device.{field}")
        self.take("[")
        kind, domain = self.take()
        if kind != "str":
            raise Unsupported(f"device.attributes[{domain}] (a domain must be a string literal)")
        self.take("]")
        domain = _unquote(domain)
        if self.peek() == ".":
            self.take()
            kind, name = self.take()
            if kind != "id":
                raise Unsupported(f"device.attributes[...].{name}")
        else:
            self.take("[")
            kind, name = self.take()
            if kind != "str":
                raise Unsupported(f"device.attributes[...][{name}]")
            name = _unquote(name)
            self.take("]")
        if self.peek() in (".", "(", "["):
            raise Unsupported(f"a call or member on device.attributes['{domain}'].{name}")
        return lambda d, drv: _attribute(d, drv, domain, name)


def _logical(op: str, left: Eval, right: Eval) -> Eval:
    decides = op == "||"  # the value of one side that decides the result

    def run(device: Mapping[str, Any], driver: str) -> Value:
        failure: CelError | None = None
        for side in (left, right):
            try:
                value = side(device, driver)
            except CelError as exc:
                failure = failure or exc
                continue
            if not isinstance(value, bool):
                failure = failure or CelError(f"no such overload: {_type(value)} {op}")
            elif value is decides:
                return decides
        if failure is not None:
            raise failure
        return not decides

    return run


def _equal(a: Value, b: Value) -> bool:
    return type(a) is type(b) and a == b


def _attribute(device: Mapping[str, Any], driver: str, domain: str, name: str) -> Value:
    for qualified, attr in (device.get("attributes") or {}).items():
        found_domain, _, found_name = str(qualified).rpartition("/")
        if (found_domain or driver) == domain and found_name == name:
            return _attribute_value(attr or {}, qualified)
    raise CelError(f"no such key: {name}")


def _attribute_value(attr: Mapping[str, Any], name: str) -> Value:
    # upstream: cel/compile.go getAttributeValue (one of int, bool, string, version)
    if attr.get("int") is not None:
        return int(attr["int"])
    if attr.get("bool") is not None:
        return bool(attr["bool"])
    if attr.get("string") is not None:
        return str(attr["string"])
    if attr.get("version") is not None:
        return _Version(attr["version"])
    raise CelError(f"attribute {name}: unsupported attribute value")


def _unquote(token: str) -> str:
    body = token[1:-1]
    return re.sub(r"\\(.)", r"\1", body)


def _type(value: Value) -> str:
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, int):
        return "int"
    return "semver" if isinstance(value, _Version) else "string"
