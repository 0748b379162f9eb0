"""Values printed as Go prints them, which is what kubectl prints: fmt.Fprint for scalars
(client-go jsonpath.go evalToText) and encoding/json.Marshal for maps and lists."""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Any


def go_type(value: Any) -> str:
    if isinstance(value, Mapping):
        return "map[string]interface {}"
    return {str: "string", bool: "bool", int: "int64", float: "float64"}.get(type(value), "interface {}")


def _float_parts(value: float) -> tuple[str, int]:
    """The shortest digits of ``value`` and its decimal exponent (of the first digit)."""
    _, digits, exponent = Decimal(repr(abs(value))).normalize().as_tuple()
    text = "".join(str(d) for d in digits)
    return text, len(text) + int(exponent) - 1


def _float_text(value: float, *, e_below: int, e_from: int) -> str:
    if value != value or value in (float("inf"), float("-inf")):
        return {"nan": "NaN", "inf": "+Inf", "-inf": "-Inf"}[repr(value)]
    if value == 0:
        return "0"
    digits, exp = _float_parts(value)
    sign = "-" if value < 0 else ""
    if exp < e_below or exp >= e_from:
        mantissa = digits[0] + ("." + digits[1:] if len(digits) > 1 else "")
        return f"{sign}{mantissa}e{'-' if exp < 0 else '+'}{abs(exp):02d}"
    if exp < 0:
        return f"{sign}0.{'0' * (-exp - 1)}{digits}"
    whole = digits[: exp + 1].ljust(exp + 1, "0")
    rest = digits[exp + 1 :]
    return sign + whole + ("." + rest if rest else "")


def go_text(value: Any) -> str:
    """fmt.Fprint of a value (evalToText)."""
    if value is None:
        return "<nil>"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return _float_text(value, e_below=-4, e_from=6)  # strconv 'g', shortest: %e from 1e+06
    if isinstance(value, Mapping):
        return "map[" + " ".join(f"{k}:{go_text(v)}" for k, v in sorted(value.items())) + "]"
    if isinstance(value, list):
        return "[" + " ".join(go_text(v) for v in value) + "]"
    return str(value)


_JSON_ESCAPES = {'"': '\\"', "\\": "\\\\", "\n": "\\n", "\r": "\\r", "\t": "\\t", "<": "\\u003c", ">": "\\u003e"}
_JSON_ESCAPES |= {"&": "\\u0026", "\u2028": "\\u2028", "\u2029": "\\u2029"}


def _json_string(text: str) -> str:
    out = []
    for ch in text:
        if ch in _JSON_ESCAPES:
            out.append(_JSON_ESCAPES[ch])
        elif ord(ch) < 0x20:
            out.append(f"\\u{ord(ch):04x}")
        else:
            out.append(ch)
    return '"' + "".join(out) + '"'


def go_json(value: Any, indent: str = "", depth: int = 0) -> str:
    """encoding/json.Marshal: compact, map keys sorted, HTML characters escaped; with ``indent``
    json.MarshalIndent(value, "", indent): one member a line, empty ones as ``{}`` and ``[]``."""
    if indent and isinstance(value, (Mapping, list, tuple)) and value:
        inner, outer = "\n" + indent * (depth + 1), "\n" + indent * depth
        if isinstance(value, Mapping):
            members = [f"{_json_string(str(k))}: {go_json(v, indent, depth + 1)}" for k, v in sorted(value.items())]
            return "{" + inner + ("," + inner).join(members) + outer + "}"
        return "[" + inner + ("," + inner).join(go_json(v, indent, depth + 1) for v in value) + outer + "]"
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return _float_text(value, e_below=-6, e_from=21)
    if isinstance(value, str):
        return _json_string(value)
    if isinstance(value, Mapping):
        return "{" + ",".join(f"{_json_string(str(k))}:{go_json(v)}" for k, v in sorted(value.items())) + "}"
    if isinstance(value, (list, tuple)):
        return "[" + ",".join(go_json(v) for v in value) + "]"
    return _json_string(str(value))
