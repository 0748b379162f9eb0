"""The values and functions of the DRA CEL environment that akscli's selector evaluator
(akscli.gpu.dra_cel) judges: Kubernetes quantities and semantic versions, ``matches()`` and the
string functions below. Each follows the library the DRA environment registers at 1.34
(kubernetes/dynamic-resource-allocation v0.34.0 cel/compile.go newCompiler builds on
environment.MustBaseEnvSet; kubernetes/apiserver v0.34.0 pkg/cel/environment/base.go lists the
libraries: library.Regex, library.Quantity, ext.Strings(2), library.SemverLib(1), ...).

Judged (everything else the environment has, e.g. ``add()``, ``sub()``, ``asApproximateFloat()``,
``split()``, ``replace()``, ``substring()``, ``trim()``, ``indexOf()``, ``format()``, ``find()``,
IP and CIDR, stays "not judged": :class:`Unsupported`):

- ``quantity(s)``, ``isQuantity(s)``; on a quantity ``isGreaterThan(q)``, ``isLessThan(q)``,
  ``compareTo(q)``, ``isInteger()``, ``asInteger()``; ``sign(q)`` (upstream: kubernetes/apiserver
  v0.34.0 pkg/cel/library/quantity.go; the parse is kubernetes/apimachinery v0.34.0
  pkg/api/resource/quantity.go ParseQuantity and parseQuantityString; the value rounds up to
  nano, BinarySI caps at 2^63-1; ``isInteger()`` is Quantity.AsInt64, which is false for a value
  kept as an inf.Dec or at a negative scale: ``quantity('1.0').isInteger()`` is false);
- ``semver(s[, normalize])``, ``isSemver(s[, normalize])``; on a version ``isGreaterThan(v)``,
  ``isLessThan(v)``, ``compareTo(v)``, ``major()``, ``minor()``, ``patch()`` (upstream:
  kubernetes/apiserver v0.34.0 pkg/cel/library/semverlib.go, normalizeAndParse; the parse and the
  order are github.com/blang/semver/v4 v4.0.0 Parse and Compare);
- ``s.matches(re)`` and ``matches(s, re)`` with a string literal for ``re`` (cel-go's standard
  function: RE2, unanchored; a literal is compiled when the expression is, cel.ValidateRegexLiterals
  in base.go). Python's ``re`` is used only for the patterns on which it and RE2 agree; any other
  pattern is not judged;
- ``contains()``, ``startsWith()``, ``endsWith()``, ``size()`` (cel-go standard functions);
  ``lowerAscii()``, ``upperAscii()`` (cel-go ext.Strings: ASCII letters only).

Equality (cel-go common/types/compare.go Equal: ``lhs.Equal(rhs)``): a quantity or version
equals one of its own kind by value (apiserver pkg/cel/quantity.go and semver.go Equal); compared
with another kind on the left of ``==`` it is the error ``no such overload``; a string or int on
the left is simply not equal to it.
"""

from __future__ import annotations

import re
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from fractions import Fraction
from functools import lru_cache
from typing import Any

MAX_INT64 = 2**63 - 1


class Unsupported(ValueError):
    """An expression outside the subset akscli evaluates (the message says what)."""


class CelError(ValueError):
    """A runtime error, as cel-go words it (``no such key: type``)."""


def no_such_overload() -> CelError:
    return CelError("no such overload")


@dataclass(frozen=True, slots=True)
class Quantity:
    """A Kubernetes quantity: its exact value, and the int64 it is (Quantity.AsInt64), if any."""

    value: Fraction
    as_int64: int | None

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Quantity) and self.value == other.value

    def __hash__(self) -> int:
        return hash(self.value)


@dataclass(frozen=True, slots=True)
class Semver:
    """A semantic version (blang/semver: build metadata takes no part in the order)."""

    major: int
    minor: int
    patch: int
    pre: tuple[int | str, ...]

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Semver) and compare_semver(self, other) == 0

    def __hash__(self) -> int:
        return hash((self.major, self.minor, self.patch, self.pre))


Value = str | int | bool | Quantity | Semver

# upstream: kubernetes/apimachinery v0.34.0 pkg/api/resource/quantity.go (ErrFormatWrong, ErrNumeric, ErrSuffix)
_FORMAT_WRONG = "quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'"
_QUANTITY = re.compile(r"([+-]?)(0*)([0-9]*)(?:(\.)([0-9]*))?([eEinumkKMGTP]*[+-]?[0-9]*)")
_DECIMAL = {"n": -9, "u": -6, "m": -3, "": 0, "k": 3, "M": 6, "G": 9, "T": 12, "P": 15, "E": 18}
_BINARY = {"Ki": 10, "Mi": 20, "Gi": 30, "Ti": 40, "Pi": 50, "Ei": 60}


@lru_cache(maxsize=4096)  # a class's literal, and the few values a fleet's devices publish
def parse_quantity(text: str) -> Quantity:
    """resource.ParseQuantity's value, or CelError with its words."""
    if text == "":
        raise CelError(_FORMAT_WRONG)
    match = _QUANTITY.fullmatch(text)
    if match is None:
        raise CelError(_FORMAT_WRONG)
    sign, _, num, dot, denom, suffix = match.groups()
    if not num and dot is None and not suffix:
        return Quantity(Fraction(0), 0)  # nothing after the leading zeroes: 0 (parseQuantityString)
    num, denom, negative = num or "0", denom or "", sign == "-"
    if suffix in _DECIMAL:
        base, exponent, binary = 10, _DECIMAL[suffix], False
    elif suffix in _BINARY:
        base, exponent, binary = 2, _BINARY[suffix], True
    elif len(suffix) > 1 and suffix[0] in "eE" and re.fullmatch(r"[+-]?[0-9]+", suffix[1:]):
        base, exponent, binary = 10, int(suffix[1:]), False
    else:
        raise CelError("unable to parse quantity's suffix")
    # ParseQuantity's int64 form (int64Amount), the one Quantity.AsInt64 answers for
    if binary:
        precision, scale = (15 - len(num) - int(exponent * 3 / 10) - 1 if not denom else -1), 0
    else:
        precision, scale = 18 - len(num) - len(denom), exponent
    if precision >= 0 and scale - len(denom) >= -9:
        scale -= len(denom)
        result = int(num + denom) * (1 << exponent if binary else 1)
        if result <= MAX_INT64:
            result = -result if negative else result
            return Quantity(Fraction(result) * Fraction(10) ** scale, _int64_at_scale(result, scale))
    # the inf.Dec form: rounded up to nano, BinarySI capped at 2^63-1; AsInt64 answers nothing
    if not match.group(2) and not match.group(3) and not denom:
        raise CelError("unable to parse numeric part of quantity")  # inf.Dec SetString("."): no digit
    exact = _round_up_nano(Fraction(int(num + denom), 10 ** len(denom)) * Fraction(base) ** exponent)
    if binary and exact > MAX_INT64:
        exact = Fraction(MAX_INT64)
    return Quantity(-exact if negative else exact, None)


def _round_up_nano(value: Fraction) -> Fraction:
    # inf.Dec Round(amount, 9, inf.RoundUp): away from zero, to nine decimal places (value >= 0)
    scaled = value * 10**9
    whole = -(-scaled.numerator // scaled.denominator)
    return Fraction(whole, 10**9)


def _int64_at_scale(value: int, scale: int) -> int | None:
    # int64Amount.AsInt64: a negative scale answers nothing; a positive one multiplies, if it fits
    if scale < 0:
        return None
    result = value * 10**scale
    return result if -(2**63) <= result <= MAX_INT64 else None


def is_quantity(text: str) -> bool:
    try:
        parse_quantity(text)
    except CelError:
        return False
    return True


# upstream: blang/semver v4.0.0 semver.go Parse, NewPRVersion, Compare
_ALNUM = re.compile(r"[0-9A-Za-z-]*")


@lru_cache(maxsize=4096)
def parse_semver(text: str, normalize: bool = False) -> Semver:
    """semver.Parse (or apiserver's normalizeAndParse), or CelError with its words."""
    if normalize:
        text = _normalize(text)
    if not text:
        raise CelError("Version string empty")
    parts = text.split(".", 2)
    if len(parts) != 3:
        raise CelError("No Major.Minor.Patch elements found")
    major, minor, rest = parts
    build: list[str] = []
    pre: list[str] = []
    if "+" in rest:
        rest, tail = rest.split("+", 1)
        build = tail.split(".")
    if "-" in rest:
        rest, tail = rest.split("-", 1)
        pre = tail.split(".")
    numbers = [_number(major, "major"), _number(minor, "minor"), _number(rest, "patch")]
    parsed_pre: list[int | str] = []
    for part in pre:
        if not part:
            raise CelError("Prerelease is empty")
        if part.isdigit() and part.isascii():
            if len(part) > 1 and part[0] == "0":
                raise CelError(f"Numeric PreRelease version must not contain leading zeroes {part!r}")
            parsed_pre.append(int(part))
        elif _ALNUM.fullmatch(part):
            parsed_pre.append(part)
        else:
            raise CelError(f"Invalid character(s) found in prerelease {part!r}")
    for part in build:
        if not part:
            raise CelError("Build meta data is empty")
        if not _ALNUM.fullmatch(part):
            raise CelError(f"Invalid character(s) found in build meta data {part!r}")
    return Semver(numbers[0], numbers[1], numbers[2], tuple(parsed_pre))


def _number(part: str, what: str) -> int:
    if not re.fullmatch(r"[0-9]*", part):
        raise CelError(f"Invalid character(s) found in {what} number {part!r}")
    if len(part) > 1 and part[0] == "0":
        raise CelError(f"{what.capitalize()} number must not contain leading zeroes {part!r}")
    if not part or int(part) >= 2**64:
        raise CelError(f'strconv.ParseUint: parsing "{part}": invalid syntax')
    return int(part)


def _normalize(text: str) -> str:
    # upstream: kubernetes/apiserver v0.34.0 pkg/cel/library/semverlib.go normalizeAndParse
    text = text.removeprefix("v")
    parts = text.split(".", 2)
    for i, part in enumerate(parts):
        if len(part) > 1:
            part = part.lstrip("0")
            if not part or part[0] not in "0123456789":
                part = "0" + part
            parts[i] = part
    if len(parts) < 3:
        if any(c in parts[-1] for c in "+-"):
            raise CelError("short version cannot contain PreRelease/Build meta data")
        parts += ["0"] * (3 - len(parts))
    return ".".join(parts)


def is_semver(text: str, normalize: bool = False) -> bool:
    try:
        parse_semver(text, normalize)
    except CelError:
        return False
    return True


def compare_semver(a: Semver, b: Semver) -> int:
    for x, y in ((a.major, b.major), (a.minor, b.minor), (a.patch, b.patch)):
        if x != y:
            return 1 if x > y else -1
    if not a.pre or not b.pre:
        return (not a.pre) - (not b.pre)
    for p, q in zip(a.pre, b.pre, strict=False):
        if p == q:
            continue
        if isinstance(p, int) and isinstance(q, int):
            return 1 if p > q else -1
        if isinstance(p, int) or isinstance(q, int):
            return -1 if isinstance(p, int) else 1  # a numeric identifier orders below an alphanumeric one
        return 1 if str(p) > str(q) else -1
    return (len(a.pre) > len(b.pre)) - (len(a.pre) < len(b.pre))


def equal(a: Value, b: Value) -> bool:
    """``a == b`` as cel-go evaluates it (see the module docstring)."""
    if isinstance(a, Quantity | Semver):
        if type(a) is not type(b):
            raise no_such_overload()
        return a == b
    return type(a) is type(b) and a == b


# RE2 (github.com/google/re2 syntax) and Python's re agree on a pattern without these: lookaround,
# backreferences and possessive repeats (not RE2), flags, POSIX classes and ``{,n}`` (spelled or
# meant differently), \s (RE2's has no \v), \Z \z \Q \p \N \u \0 (one side only). ``$`` is RE2's
# end of text: Python's \Z. \d \w \b are ASCII in RE2: re.ASCII.
_NOT_SHARED = re.compile(r"\(\?[^:P]|\(\?P=|\\[0-9sSZzQEpPCGXRKNuUB]|\[:|[*+?}]\+|\{,")


@lru_cache(maxsize=128)
def compile_re2(pattern: str) -> re.Pattern[str]:
    """A pattern RE2 and Python's re read alike, compiled for an unanchored search; Unsupported
    for any other."""
    if _NOT_SHARED.search(pattern):
        raise Unsupported(f"matches({pattern!r}): a pattern whose RE2 meaning akscli does not check")
    translated, escaped, in_class = [], False, False
    for char in pattern:
        if escaped:
            escaped = False
            if in_class and char == "b":  # Python's backspace; an error in RE2
                raise Unsupported(f"matches({pattern!r}): \\b in a character class")
        elif char == "\\":
            escaped = True
        elif in_class:
            in_class = char != "]"
        elif char == "[":
            in_class = True
        elif char == "$":
            translated.append(r"\Z")
            continue
        translated.append(char)
    try:
        with warnings.catch_warnings():  # Python's FutureWarning on "[[" and "&&" in a set: RE2 reads them plainly
            warnings.simplefilter("ignore", FutureWarning)
            return re.compile("".join(translated), re.ASCII)
    except re.error as exc:
        raise Unsupported(f"matches({pattern!r}): {exc}") from exc


def _ascii_case(text: str, upper: bool) -> str:
    source, target = ("abcdefghijklmnopqrstuvwxyz", "ABCDEFGHIJKLMNOPQRSTUVWXYZ")
    table = str.maketrans(source, target) if upper else str.maketrans(target, source)
    return text.translate(table)


def _typed(*kinds: type) -> Callable[[Callable[..., Value]], Callable[..., Value]]:
    """An overload: its arguments must be of these kinds, else ``no such overload``."""

    def wrap(function: Callable[..., Value]) -> Callable[..., Value]:
        def run(*args: Any) -> Value:
            if len(args) != len(kinds) or any(
                not isinstance(a, k) or (k is int and isinstance(a, bool)) for a, k in zip(args, kinds, strict=False)
            ):
                raise no_such_overload()
            return function(*args)

        return run

    return wrap


def _compare(a: Quantity | Semver, b: Quantity | Semver) -> int:
    if isinstance(a, Semver) and isinstance(b, Semver):
        return compare_semver(a, b)
    assert isinstance(a, Quantity) and isinstance(b, Quantity)
    return (a.value > b.value) - (a.value < b.value)


def _ordered(a: Any, b: Any) -> int:
    if not isinstance(a, Quantity | Semver) or type(a) is not type(b):
        raise no_such_overload()
    return _compare(a, b)


def _as_integer(q: Quantity) -> int:
    if q.as_int64 is None:
        raise CelError("cannot convert value to integer")
    return q.as_int64


def _semver_call(*args: Any) -> Value:
    if len(args) == 1:
        args = (*args, False)
    return _typed(str, bool)(parse_semver)(*args)


def _is_semver_call(*args: Any) -> Value:
    if len(args) == 1:
        args = (*args, False)
    return _typed(str, bool)(is_semver)(*args)


# Global functions: name -> (the arities it takes, what it does).
FUNCTIONS: dict[str, tuple[tuple[int, ...], Callable[..., Value]]] = {
    "quantity": ((1,), _typed(str)(parse_quantity)),
    "isQuantity": ((1,), _typed(str)(is_quantity)),
    "sign": ((1,), _typed(Quantity)(lambda q: (q.value > 0) - (q.value < 0))),
    "semver": ((1, 2), _semver_call),
    "isSemver": ((1, 2), _is_semver_call),
    "size": ((1,), _typed(str)(len)),
}

# Member functions: name -> (the arities it takes, besides the receiver; what it does).
METHODS: dict[str, tuple[tuple[int, ...], Callable[..., Value]]] = {
    "isGreaterThan": ((1,), lambda a, b: _ordered(a, b) == 1),
    "isLessThan": ((1,), lambda a, b: _ordered(a, b) == -1),
    "compareTo": ((1,), _ordered),
    "isInteger": ((0,), _typed(Quantity)(lambda q: q.as_int64 is not None)),
    "asInteger": ((0,), _typed(Quantity)(_as_integer)),
    "major": ((0,), _typed(Semver)(lambda v: v.major)),
    "minor": ((0,), _typed(Semver)(lambda v: v.minor)),
    "patch": ((0,), _typed(Semver)(lambda v: v.patch)),
    "contains": ((1,), _typed(str, str)(lambda s, t: t in s)),
    "startsWith": ((1,), _typed(str, str)(lambda s, t: s.startswith(t))),
    "endsWith": ((1,), _typed(str, str)(lambda s, t: s.endswith(t))),
    "size": ((0,), _typed(str)(len)),
    "lowerAscii": ((0,), _typed(str)(lambda s: _ascii_case(s, False))),
    "upperAscii": ((0,), _typed(str)(lambda s: _ascii_case(s, True))),
}
