"""resource.Quantity as the API server reads and prints it, for the emulator's validation messages.

upstream: kubernetes/apimachinery eed236ce pkg/api/resource/quantity.go (ParseQuantity: the format
is the suffix's, BinarySI for Ki..Ei, DecimalExponent for e/E, DecimalSI otherwise, the value
rounded up to nano; CanonicalizeBytes and String: zero is "0", BinarySI below 1024 in magnitude or
not a whole number prints as DecimalSI, DecimalSI and DecimalExponent print the mantissa with every
factor of 10 moved into an exponent made a multiple of 3), pkg/api/resource/amount.go
(AsCanonicalBytes, AsCanonicalBase1024Bytes), pkg/api/resource/suffix.go (the suffixes). So "1000m"
prints "1", "0.5" prints "500m", "2000" prints "2k", "1024Mi" prints "1Gi", "1.5e3" prints "1500".
"""

from __future__ import annotations

import re
from decimal import ROUND_UP, Decimal
from functools import lru_cache

_FORM = re.compile(r"^([+-]?)(\d+(?:\.\d*)?|\.\d+)(Ki|Mi|Gi|Ti|Pi|Ei|[numkMGTPE]|[eE][+-]?\d+)?$")
_BINARY = {"Ki": 10, "Mi": 20, "Gi": 30, "Ti": 40, "Pi": 50, "Ei": 60}
_DECIMAL = {"n": -9, "u": -6, "m": -3, "": 0, "k": 3, "M": 6, "G": 9, "T": 12, "P": 15, "E": 18}
_NANO = Decimal("1e-9")
_MILLI = Decimal("1e-3")


def parse(value: object) -> tuple[Decimal, str] | None:
    """(the value, its format: BinarySI, DecimalSI or DecimalExponent), None where the API server
    would refuse it as a quantity."""
    return _parse(str(value).strip())


@lru_cache(maxsize=4096)
def _parse(text: str) -> tuple[Decimal, str] | None:
    # cached: every write of a Pod reads each of its quantities several times (Decimals are
    # immutable, so one result can be shared)
    m = _FORM.match(text)
    if not m:
        return None
    sign, number, suffix = m.group(1), Decimal(m.group(2)), m.group(3) or ""
    if suffix in _BINARY:
        amount, form = number * (2 ** _BINARY[suffix]), "BinarySI"
    elif suffix and suffix[0] in "eE":
        amount, form = number.scaleb(int(suffix[1:])), "DecimalExponent"
    else:
        amount, form = number.scaleb(_DECIMAL[suffix]), "DecimalSI"
    amount = amount.quantize(_NANO, rounding=ROUND_UP) if amount % _NANO else amount  # rounded up to nano
    if form == "BinarySI" and 0 < amount < 1:
        form = "DecimalSI"
    return (-amount if sign == "-" else amount), form


# upstream: kubernetes/apimachinery eed236ce pkg/api/resource/quantity.go splitREString, ErrFormatWrong,
# ErrSuffix (ParseQuantity; UnmarshalJSON returns them as they are)
_SPLIT = re.compile(r"^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$")
_NUMBER = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)$")
FORMAT_WRONG = "quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'"
SUFFIX_WRONG = "unable to parse quantity's suffix"


def decode_error(value: object) -> str | None:
    """The error Quantity.UnmarshalJSON returns for ``value`` (a JSON string or number), None
    where it parses: the text, trimmed, must match splitREString, and then its suffix must be one
    ParseQuantity knows."""
    text = str(value).strip()
    if text == "0" or parse(text) is not None:
        return None
    split = _SPLIT.match(text)
    if split is None:
        return FORMAT_WRONG
    return SUFFIX_WRONG if _NUMBER.match(split.group(1)) else FORMAT_WRONG


def canonical(value: object) -> str:
    """Quantity.String() of ``value``; the text as given where it is no quantity."""
    parsed = parse(value)
    return str(value) if parsed is None else _text(*parsed)


def round_up_milli(value: object) -> str:
    """A ResourceList's quantity as the API server stores it: rounded up (away from zero) to milli,
    then printed canonically; the text as given where it is no quantity (upstream: kubernetes/
    kubernetes pkg/apis/core/v1/defaults.go SetDefaults_ResourceList, val.RoundUp(-3);
    kubernetes/apimachinery eed236ce pkg/api/resource/quantity.go RoundUp)."""
    parsed = parse(value)
    if parsed is None:
        return str(value)
    amount, form = parsed
    return _text(amount.quantize(_MILLI, rounding=ROUND_UP) if amount % _MILLI else amount, form)


@lru_cache(maxsize=4096)
def _text(amount: Decimal, form: str) -> str:
    return text(amount, form)


def text(amount: Decimal, form: str) -> str:
    """Quantity.String() of a value in a format (BinarySI, DecimalSI, DecimalExponent)."""
    if amount == 0:
        return "0"
    if form == "BinarySI" and (abs(amount) < 1024 or amount != amount.to_integral_value()):
        form = "DecimalSI"
    if form == "BinarySI":
        whole, exponent = int(amount), 0
        while whole % 1024 == 0 and exponent < 60:
            whole, exponent = whole // 1024, exponent + 10
        return f"{whole}{next((k for k, v in _BINARY.items() if v == exponent), '')}"
    sign, digits, exponent = amount.normalize().as_tuple()
    mantissa = int("".join(map(str, digits)) or "0")
    exponent = int(exponent)
    while exponent % 3:
        mantissa, exponent = mantissa * 10, exponent - 1
    number = f"{'-' if sign else ''}{mantissa}"
    if form == "DecimalExponent":
        return number + (f"e{exponent}" if exponent else "")
    suffix = next((k for k, v in _DECIMAL.items() if v == exponent), None)
    return number + (suffix if suffix is not None else f"e{exponent}")


def is_integer(value: object) -> bool:
    """Whether the quantity is whole: the API server's check on integer resources
    (value.MilliValue()%1000 == 0, pkg/apis/core/validation)."""
    parsed = parse(value)
    return parsed is None or parsed[0] == parsed[0].to_integral_value()
