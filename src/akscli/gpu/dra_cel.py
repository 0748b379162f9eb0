"""DeviceClass CEL selectors, evaluated on a ResourceSlice device the way the scheduler's allocator
does, for the subset of CEL that the DeviceClasses NVIDIA's DRA driver publishes use.

The subset, and where it comes from (NVIDIA/k8s-dra-driver-gpu 22407113
deployments/helm/dra-driver-nvidia-gpu/templates/deviceclass-gpu.yaml, deviceclass-mig.yaml,
deviceclass-vfio-gpu.yaml, deviceclass-compute-domain-*.yaml, and the per-profile class of
demo/specs/extended-resources/mig-1g-12gb.yaml):

- ``device.driver``; ``device.attributes['DOMAIN'].NAME`` (also ``['DOMAIN']['NAME']``);
- string, int and bool literals; ``==`` and ``!=``; ``&&``, ``||``, ``!`` and parentheses;
- ``has(device.attributes['DOMAIN'].NAME)``: whether the device has the attribute (CEL's has()
  macro on a map tests the key; a missing domain is the empty map, so false);
- ``X in [LITERAL, ...]`` (CEL's list membership: heterogeneous equality, so ``0 in ['0']`` is
  false, not an error) and ``'NAME' in device.attributes['DOMAIN']`` (map key membership);
- ``<``, ``<=``, ``>``, ``>=`` between two ints or two strings (CEL orders strings by code
  point); any other pair of types, a quantity or a version among them, is CEL's ``no such
  overload`` error;
- ``device.capacity['DOMAIN'].NAME`` (a quantity), and the functions of the DRA environment that
  akscli.gpu.dra_cel_lib judges: ``quantity()``, ``isQuantity()``, ``semver()``, ``isSemver()``,
  ``sign()``, ``size()``, ``matches()`` with a literal pattern RE2 and Python read alike, and the
  members ``compareTo``, ``isGreaterThan``, ``isLessThan``, ``isInteger``, ``asInteger``,
  ``major``, ``minor``, ``patch``, ``contains``, ``startsWith``, ``endsWith``, ``lowerAscii``,
  ``upperAscii``, ``size``.

Anything else (the environment's other functions, ``cel.bind``, a field of a value, an index of a
value, unary minus, ``in`` over ``device.attributes`` itself) raises :class:`Unsupported`: the
caller says, in one line, that it did not evaluate the class, rather than guess. cel-python (a
test dependency, used by the emulator for CRD rules) is not used here: it has neither the
Kubernetes quantity and semver libraries nor the DRA device variable's semantics below, so it
would need the same code around it, and it would bring lark, pendulum and google-re2 into every
akscli install.

Semantics (upstream: kubernetes/dynamic-resource-allocation v0.34.9 bf5dd065 cel/compile.go,
DeviceMatches and parseQualifiedName; 3d036712 cel/compile.go newStringInterfaceMapWithDefault:
only ``device.attributes``' own lookups default, a domain map is a plain map, so has() and ``in``
on it test its keys; has(), ``in`` and the orderings are CEL's own: google/cel-spec
doc/langdef.md, "Field Selection" (has(e.f) on a map: whether ``f`` is a key), "Equality" and
"Ordering"):

- an attribute name without a domain is in the driver's domain (``type`` published by
  ``gpu.nvidia.com`` is ``device.attributes['gpu.nvidia.com'].type``);
- a domain the device has no attribute in is an empty map (newStringInterfaceMapWithDefault); a
  name missing from a domain is an error, ``no such key: NAME`` (cel-go's map lookup);
- ``&&`` and ``||`` absorb an error when the other side decides (CEL's commutative logical
  operators): ``device.driver == 'x' && device.attributes['x'].type == 'gpu'`` is false, not an
  error, on another driver's device;
- values of different types are not equal (CEL's heterogeneous equality), except that ``==``
  with a quantity or a version on its left and another kind on its right is ``no such
  overload`` (cel-go compare.go Equal calls ``lhs.Equal(rhs)``; apiserver pkg/cel/quantity.go and
  semver.go Equal refuse another kind); ``!=`` is then true (interpreter evalNe: ``Equal != True``);
- the result must be a bool.

A selector may pin the drivers whose devices it can select: ``device.driver == 'X'`` (or ``in
['X', ...]``) as a conjunct of the whole expression (``&&``; ``||`` pins where both sides do).
Any other driver's device is then false, never an error (``false && error`` is false), so a
reader may ask the API server for those drivers' ResourceSlices only (``Selector.drivers``).

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

from akscli.gpu import dra_cel_lib as lib
from akscli.gpu.dra_cel_lib import CelError, Unsupported, Value

__all__ = ["CelError", "Selector", "Unsupported", "compile_selector"]

Eval = Callable[[Mapping[str, Any], str], Value]

_TOKEN = re.compile(
    r"""\s*(?:
    (?P<str>'(?:[^'\\]|\\.)*'|"(?:[^"\\]|\\.)*")
    |(?P<int>\d+)
    |(?P<id>[A-Za-z_][A-Za-z0-9_]*)
    |(?P<op>==|!=|<=|>=|&&|\|\||[<>!().,\[\]])
    |(?P<other>\S+)
    )""",
    re.VERBOSE,
)
_ORDER = ("<", "<=", ">", ">=")


@dataclass(frozen=True, slots=True)
class Selector:
    expression: str
    evaluate: Eval
    # The drivers whose devices the selector can select (None: any driver's).
    drivers: frozenset[str] | None = None

    def matches(self, device: Mapping[str, Any], driver: str) -> bool:
        value = self.evaluate(device, driver)
        if not isinstance(value, bool):
            raise CelError(f"CEL result of type {_type(value)} could not be converted to bool")
        return value


@dataclass(frozen=True, slots=True)
class _Expr:
    """A parsed operand: how to evaluate it, and what the parser needs to know of its form."""

    evaluate: Eval
    pins: frozenset[str] | None = None  # the drivers outside which it is false (see the docstring)
    literal: Value | None = None  # a string, int or bool literal's value
    driver: bool = False  # device.driver itself
    items: tuple[Value, ...] | None = None  # a list literal
    domain: str | None = None  # device.attributes['DOMAIN'] (or device.capacity's) itself (a map)
    capacity: bool = False  # that map is device.capacity's


@lru_cache(maxsize=256)
def compile_selector(expression: str) -> Selector:
    """The selector, compiled once per text; Unsupported for what is outside the subset."""
    parser = _Parser(_tokens(expression))
    expr = parser.expr()
    if parser.peek() is not None:
        raise Unsupported(f"{parser.peek()!r} after a complete expression")
    return Selector(expression, _value(expr), expr.pins)


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


def _value(expr: _Expr) -> Eval:
    """An operand used as a value: a list literal or a whole domain map is outside the subset."""
    if expr.items is not None:
        raise Unsupported("a list outside 'in'")
    if expr.domain is not None:
        raise Unsupported(f"device.attributes['{expr.domain}'] outside 'in'")
    return expr.evaluate


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

    def expr(self) -> _Expr:
        return self._binary("||", self._and)

    def _and(self) -> _Expr:
        return self._binary("&&", self._relation)

    def _binary(self, op: str, operand: Callable[[], _Expr]) -> _Expr:
        left = operand()
        while self.peek() == op:
            self.take()
            right = operand()
            left = _Expr(_logical(op, _value(left), _value(right)), _pins(op, left.pins, right.pins))
        return left

    def _relation(self) -> _Expr:
        # CEL's grammar: ``!`` binds tighter than the relations (``!a == b`` is ``(!a) == b``)
        left = self._unary()
        op = self.peek()
        if op == "in":
            self.take()
            return _membership(left, self._unary())
        if op not in ("==", "!=", *_ORDER):
            return left
        self.take()
        right = self._unary()
        lhs, rhs = _value(left), _value(right)
        if op in _ORDER:
            return _Expr(lambda d, drv: _compare(op, lhs(d, drv), rhs(d, drv)))
        equal = op == "=="
        pins = None
        if equal and left.driver and isinstance(right.literal, str):
            pins = frozenset({right.literal})
        elif equal and right.driver and isinstance(left.literal, str):
            pins = frozenset({left.literal})
        if equal:
            return _Expr(lambda d, drv: lib.equal(lhs(d, drv), rhs(d, drv)), pins)
        return _Expr(lambda d, drv: not _same(lhs(d, drv), rhs(d, drv)))

    def _unary(self) -> _Expr:
        if self.peek() != "!":
            return self._postfix(self._term())
        self.take()
        inner = _value(self._unary())

        def negate(device: Mapping[str, Any], driver: str) -> Value:
            value = inner(device, driver)
            if not isinstance(value, bool):
                raise CelError(f"no such overload: !{_type(value)}")
            return not value

        return _Expr(negate)

    def _postfix(self, expr: _Expr) -> _Expr:
        """Member calls: ``X.name(ARGS)`` (a field of anything but ``device`` is outside the subset)."""
        while self.peek() == ".":
            self.take()
            kind, name = self.take()
            if kind != "id" or self.peek() != "(":
                raise Unsupported(f"a member {name!r} of a value")
            expr = self._call(name, [expr, *self._arguments()], member=True)
        if self.peek() == "[":
            raise Unsupported("an index of a value")
        return expr

    def _arguments(self) -> list[_Expr]:
        self.take("(")
        args: list[_Expr] = []
        while self.peek() != ")":
            args.append(self.expr())
            if self.peek() != ",":
                break
            self.take(",")
        self.take(")")
        return args

    def _call(self, name: str, args: list[_Expr], member: bool) -> _Expr:
        """A function of the DRA environment akscli judges (akscli.gpu.dra_cel_lib); Unsupported for
        the others."""
        table = lib.METHODS if member else lib.FUNCTIONS
        if name == "matches" and len(args) == 2:
            # the pattern must be a literal: cel.ValidateRegexLiterals compiles it with the expression
            if not isinstance(args[1].literal, str):
                raise Unsupported("matches() with a pattern that is not a string literal")
            pattern, subject = lib.compile_re2(args[1].literal), _value(args[0])

            def search(device: Mapping[str, Any], driver: str) -> Value:
                text = subject(device, driver)
                if not isinstance(text, str):
                    raise lib.no_such_overload()
                return pattern.search(text) is not None

            return _Expr(search)
        if name not in table:
            raise Unsupported(f"{'.' if member else ''}{name}()")
        if len(args) - member not in table[name][0]:
            raise Unsupported(f"{'.' if member else ''}{name}() with {len(args) - member} argument(s)")
        function, operands = table[name][1], [_value(a) for a in args]
        return _Expr(lambda d, drv: function(*(o(d, drv) for o in operands)))

    def _term(self) -> _Expr:
        kind, token = self.take()
        if token == "(":
            inner = self.expr()
            self.take(")")
            return inner
        if token == "[":
            return self._list()
        if kind == "str":
            text = _unquote(token)
            return _Expr(lambda d, drv: text, literal=text)
        if kind == "int":
            number = int(token)
            return _Expr(lambda d, drv: number, literal=number)
        if token in ("true", "false"):
            flag = token == "true"
            return _Expr(lambda d, drv: flag, literal=flag)
        if token == "has" and self.peek() == "(":
            return self._has()
        if token == "device":
            return self._device()
        if kind == "id" and self.peek() == "(":
            return self._call(token, self._arguments(), member=False)
        raise Unsupported(f"{token!r}")

    def _list(self) -> _Expr:
        items: list[Value] = []
        while self.peek() != "]":
            literal = self._term().literal
            if literal is None:
                raise Unsupported("a list of anything but literals")
            items.append(literal)
            if self.peek() != ",":
                break
            self.take(",")
        self.take("]")
        return _Expr(lambda d, drv: True, items=tuple(items))

    def _has(self) -> _Expr:
        # has(device.attributes['DOMAIN'].NAME): CEL's has() macro takes a field selection only
        self.take("(")
        self.take("device")
        self.take(".")
        _, field = self.take()
        if field not in ("attributes", "capacity"):
            raise Unsupported(f"has(device.{field}...)")
        domain = self._domain()
        self.take(".")
        kind, name = self.take()
        if kind != "id":
            raise Unsupported(f"has(device.{field}[...].{name})")
        self.take(")")
        return _Expr(lambda d, drv: _has(d, drv, domain, name, field))

    def _domain(self) -> str:
        self.take("[")
        kind, domain = self.take()
        if kind != "str":
            raise Unsupported(f"device.attributes[{domain}] (a domain must be a string literal)")
        self.take("]")
        return _unquote(domain)

    def _device(self) -> _Expr:
        self.take(".")
        _, field = self.take()
        if field == "driver":
            # a call on it (device.driver.endsWith('.nvidia.com')) is _postfix's; it pins nothing
            return _Expr(lambda d, drv: drv, driver=True)
        if field not in ("attributes", "capacity"):
            raise Unsupported(f"device.{field}")
        if self.peek() != "[":
            raise Unsupported(f"device.{field} without a domain")
        domain = self._domain()
        if self.peek() == ".":
            self.take()
            kind, name = self.take()
            if kind != "id" or self.peek() == "(":
                raise Unsupported(f"device.{field}[...].{name}")
        elif self.peek() == "[":
            self.take("[")
            kind, name = self.take()
            if kind != "str":
                raise Unsupported(f"device.{field}[...][{name}]")
            name = _unquote(name)
            self.take("]")
        else:
            return _Expr(lambda d, drv: True, domain=domain, capacity=field == "capacity")
        if field == "capacity":
            return _Expr(lambda d, drv: _capacity(d, drv, domain, name))
        return _Expr(lambda d, drv: _attribute(d, drv, domain, name))


def _pins(op: str, left: frozenset[str] | None, right: frozenset[str] | None) -> frozenset[str] | None:
    """The drivers an ``&&`` or ``||`` of two operands pins: a conjunct's pins hold for the whole,
    a disjunction pins only where both sides do."""
    if op == "&&":
        if left is None or right is None:
            return left if right is None else right
        return left & right
    return left | right if left is not None and right is not None else None


def _membership(left: _Expr, right: _Expr) -> _Expr:
    """``X in [LITERALS]`` or ``'NAME' in device.attributes['DOMAIN']``."""
    if right.items is not None:
        items, value = right.items, _value(left)
        pins = frozenset(str(i) for i in items if isinstance(i, str)) if left.driver else None
        # cel-go's list Contains: an element of another type is not equal, never an error
        return _Expr(lambda d, drv: any(_same(value(d, drv), item) for item in items), pins)
    if right.domain is not None:
        if not isinstance(left.literal, str):
            raise Unsupported("'in' a domain's attributes with anything but a string literal")
        name, domain = left.literal, right.domain
        field = "capacity" if right.capacity else "attributes"
        return _Expr(lambda d, drv: _has(d, drv, domain, name, field))
    raise Unsupported("'in' anything but a list literal or device.attributes['DOMAIN']")


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


def _same(a: Value, b: Value) -> bool:
    # cel-go's ``!=`` (interpreter evalNe: Equal(l, r) != True) and list Contains: a pair the
    # left side cannot compare is simply not equal
    return type(a) is type(b) and a == b


def _compare(op: str, a: Value, b: Value) -> bool:
    # CEL orders two ints, two strings (by code point) or two bools; a quantity or a version has
    # no ``<`` (its library's compareTo() orders it), nor has a mixed pair.
    if type(a) is not type(b) or isinstance(a, lib.Quantity | lib.Semver):
        raise CelError(f"no such overload: {_type(a)} {op} {_type(b)}")
    if op == "<":
        return a < b  # type: ignore[operator]
    if op == "<=":
        return a <= b  # type: ignore[operator]
    if op == ">":
        return a > b  # type: ignore[operator]
    return a >= b  # type: ignore[operator]


def _find(
    device: Mapping[str, Any], driver: str, domain: str, name: str, field: str = "attributes"
) -> tuple[str, Mapping[str, Any]] | None:
    for qualified, attr in (device.get(field) or {}).items():
        found_domain, _, found_name = str(qualified).rpartition("/")
        if (found_domain or driver) == domain and found_name == name:
            return str(qualified), attr or {}
    return None


def _has(device: Mapping[str, Any], driver: str, domain: str, name: str, field: str = "attributes") -> bool:
    return _find(device, driver, domain, name, field) is not None


def _capacity(device: Mapping[str, Any], driver: str, domain: str, name: str) -> Value:
    # upstream: cel/compile.go DeviceMatches: each capacity's value as a Quantity, in the same
    # domain maps as the attributes (a missing domain is the empty map)
    found = _find(device, driver, domain, name, "capacity")
    if found is None:
        raise CelError(f"no such key: {name}")
    return lib.parse_quantity(str(found[1].get("value") or ""))


def _attribute(device: Mapping[str, Any], driver: str, domain: str, name: str) -> Value:
    found = _find(device, driver, domain, name)
    if found is None:
        raise CelError(f"no such key: {name}")
    return _attribute_value(found[1], found[0])


def _attribute_value(attr: Mapping[str, Any], name: str) -> Value:
    # upstream: cel/compile.go getAttributeValue (one of int, bool, string, version)
    if attr.get("int") is not None:
        return int(attr["int"])
    if attr.get("bool") is not None:
        return bool(attr["bool"])
    if attr.get("string") is not None:
        return str(attr["string"])
    if attr.get("version") is not None:
        try:
            return lib.parse_semver(str(attr["version"]))
        except CelError as exc:
            raise CelError(f"attribute {name}: parse semantic version: {exc}") from exc
    raise CelError(f"attribute {name}: unsupported attribute value")


# CEL's string escapes (google/cel-spec doc/langdef.md "String and Bytes Values"); any other
# backslash is a syntax error, so the expression is not judged
_ESCAPES = {"a": "\a", "b": "\b", "f": "\f", "n": "\n", "r": "\r", "t": "\t", "v": "\v"}
_ESCAPE = re.compile(
    r"\\(?:([abfnrtv\\'\"`?])|x([0-9A-Fa-f]{2})|u([0-9A-Fa-f]{4})|U([0-9A-Fa-f]{8})|([0-3][0-7]{2})|(.?))"
)


def _unquote(token: str) -> str:
    def one(match: re.Match[str]) -> str:
        simple, *codes, bad = match.groups()
        if bad is not None:
            raise Unsupported(f"the escape {match.group(0)!r}")
        if simple is not None:
            return _ESCAPES.get(simple, simple)
        hex2, hex4, hex8, octal = codes
        return chr(int(octal, 8)) if octal else chr(int(hex2 or hex4 or hex8, 16))

    return _ESCAPE.sub(one, token[1:-1])


def _type(value: Value) -> str:
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, int):
        return "int"
    if isinstance(value, lib.Quantity):
        return "kubernetes.Quantity"
    return "kubernetes.Semver" if isinstance(value, lib.Semver) else "string"
