"""Go's number parsing as the KubeRay operator's flag package meets it, the simulator's own port.

Ported byte by byte from upstream golang/go src/strconv/atoi.go (ParseUint and ParseInt with base 0,
underscoreOK) and src/strconv/atof.go (special, readFloat, decimal.set, floatBits' bounds,
atofHex, ParseFloat), with src/flag/flag.go numError ("parse error" for strconv.ErrSyntax, "value
out of range" for strconv.ErrRange; intValue.Set: ParseInt(s, 0, 64), float64Value.Set:
ParseFloat(s, 64)). It shares nothing with akscli (akscli.model.goflags reads the same syntax its
own way), so each can catch the other's mistakes (tests/ray/test_go_numbers.py).
"""

from __future__ import annotations

SYNTAX, RANGE = "invalid syntax", "value out of range"  # strconv.ErrSyntax, strconv.ErrRange
_MAX_UINT64 = (1 << 64) - 1
_0, _9, _A, _F, _Z = b"0"[0], b"9"[0], b"a"[0], b"f"[0], b"z"[0]
_PLUS, _MINUS, _DOT, _UNDER = b"+"[0], b"-"[0], b"."[0], b"_"[0]


def _lower(c: int) -> int:
    """atoi.go lower: c | ('x' - 'X'), on a byte."""
    return c | 0x20


def _digit(c: int) -> bool:
    return _0 <= c <= _9


def underscore_ok(s: bytes) -> bool:
    """atoi.go underscoreOK: "_" only between digits, or between a base prefix and a digit."""
    saw, i = "^", 0
    if s[:1] in (b"-", b"+"):
        s = s[1:]
    hexa = False
    if len(s) >= 2 and s[0] == _0 and _lower(s[1]) in b"box":
        i, saw, hexa = 2, "0", _lower(s[1]) == b"x"[0]
    while i < len(s):
        c = s[i]
        i += 1
        if _digit(c) or (hexa and _A <= _lower(c) <= _F):
            saw = "0"
            continue
        if c == _UNDER:
            if saw != "0":
                return False
            saw = "_"
            continue
        if saw == "_":
            return False
        saw = "!"
    return saw != "_"


def parse_uint(s: bytes, bit_size: int = 64, base0: bool = True) -> tuple[int, str | None]:
    """upstream golang/go src/strconv/atoi.go ParseUint(s, 0, bitSize): the base from the prefix
    (0b, 0o, 0x with a digit after it, else a leading 0 is octal), "_" skipped then judged by
    underscoreOK; ErrRange as soon as the digits pass the limit, before any later byte is read.
    ``base0`` False: ParseUint(s, 10, bitSize), no prefix, and "_" is a byte like any other
    non-digit (ErrSyntax)."""
    if not s:
        return 0, SYNTAX
    s0, base = s, 10
    if s[0] == _0 and base0:
        prefix = {b"b"[0]: 2, b"o"[0]: 8, b"x"[0]: 16}.get(_lower(s[1])) if len(s) >= 3 else None
        base, s = (prefix, s[2:]) if prefix else (8, s[1:])
    cutoff, max_val = _MAX_UINT64 // base + 1, (1 << bit_size) - 1
    underscores, n = False, 0
    for c in s:
        if c == _UNDER and base0:
            underscores = True
            continue
        if _digit(c):
            d = c - _0
        elif _A <= _lower(c) <= _Z:
            d = _lower(c) - _A + 10
        else:
            return 0, SYNTAX
        if d >= base:
            return 0, SYNTAX
        if n >= cutoff:
            return max_val, RANGE
        n = n * base + d
        if n > max_val:
            return max_val, RANGE
    if underscores and not underscore_ok(s0):
        return 0, SYNTAX
    return n, None


def parse_int(text: str, bit_size: int = 64, base: int = 0) -> tuple[int, str | None]:
    """atoi.go ParseInt(s, base, bitSize), base 0 or 10: the sign, then ParseUint and the signed
    range. Atoi is ParseInt(s, 10, 0) (its fast path for short strings reads the same: one sign,
    then digits)."""
    s = text.encode("utf-8", "surrogateescape")
    if not s:
        return 0, SYNTAX
    neg = s[0] == _MINUS
    if s[0] in (_PLUS, _MINUS):
        s = s[1:]
    un, err = parse_uint(s, bit_size, base0=base == 0)
    if err is not None and err != RANGE:
        return 0, err
    cutoff = 1 << (bit_size - 1)
    if not neg and un >= cutoff:
        return cutoff - 1, RANGE
    if neg and un > cutoff:
        return -cutoff, RANGE
    return (-un if neg else un), None


def _special(s: bytes) -> int:
    """atof.go special: the length of a leading [+-]inf, [+-]infinity or nan (no sign), ASCII
    case ignored (commonPrefixLenIgnoreCase); 0 for none."""
    if not s:
        return 0
    nsign = 1 if s[0] in (_PLUS, _MINUS) else 0
    rest = s[nsign:]
    if nsign or _lower(s[0]) == b"i"[0]:  # case '+', '-': ... fallthrough to case 'i', 'I'
        n = _common_prefix(rest, b"infinity")
        n = 3 if 3 < n < 8 else n
        return nsign + n if n in (3, 8) else 0
    if _lower(s[0]) == b"n"[0] and _common_prefix(s, b"nan") == 3:
        return 3
    return 0


def _common_prefix(s: bytes, prefix: bytes) -> int:
    """atof.go commonPrefixLenIgnoreCase: only 'A'-'Z' is lowered."""
    n = 0
    for c, p in zip(s, prefix, strict=False):
        if (c + 0x20 if 0x41 <= c <= 0x5A else c) != p:
            break
        n += 1
    return n


def _read_float(s: bytes) -> tuple[int, int, bool, bool, int, bool]:
    """atof.go readFloat: (mantissa, exp, trunc, hex, bytes read, ok)."""
    i, underscores, mantissa, exp, trunc, hexa = 0, False, 0, 0, False, False
    if i >= len(s):
        return 0, 0, False, False, i, False
    if s[i] in (_PLUS, _MINUS):
        i += 1
    base, max_mant, exp_char = 10, 19, b"e"[0]
    if i + 2 < len(s) and s[i] == _0 and _lower(s[i + 1]) == b"x"[0]:
        base, max_mant, exp_char, hexa = 16, 16, b"p"[0], True
        i += 2
    sawdot = sawdigits = False
    nd = nd_mant = dp = 0
    while i < len(s):
        c = s[i]
        if c == _UNDER:
            underscores = True
        elif c == _DOT:
            if sawdot:
                break
            sawdot, dp = True, nd
        elif _digit(c) or (base == 16 and _A <= _lower(c) <= _F):
            sawdigits = True
            if c == _0 and nd == 0:  # leading zeros
                dp -= 1
            else:
                nd += 1
                if nd_mant < max_mant:
                    mantissa = mantissa * base + (c - _0 if _digit(c) else _lower(c) - _A + 10)
                    nd_mant += 1
                elif c != _0:
                    trunc = True
        else:
            break
        i += 1
    if not sawdigits:
        return 0, 0, False, False, i, False
    if not sawdot:
        dp = nd
    if base == 16:
        dp, nd_mant = dp * 4, nd_mant * 4
    if i < len(s) and _lower(s[i]) == exp_char:
        i += 1
        if i >= len(s):
            return 0, 0, False, False, i, False
        esign = 1
        if s[i] in (_PLUS, _MINUS):
            esign = -1 if s[i] == _MINUS else 1
            i += 1
        if i >= len(s) or not _digit(s[i]):
            return 0, 0, False, False, i, False
        e = 0
        while i < len(s) and (_digit(s[i]) or s[i] == _UNDER):
            if s[i] == _UNDER:
                underscores = True
            elif e < 10000:
                e = e * 10 + s[i] - _0
            i += 1
        dp += e * esign
    elif base == 16:  # must have exponent
        return 0, 0, False, False, i, False
    if mantissa != 0:
        exp = dp - nd_mant
    if underscores and not underscore_ok(s[:i]):
        return 0, 0, False, False, i, False
    return mantissa, exp, trunc, hexa, i, True


def _atof_hex(mantissa: int, exp: int, trunc: bool) -> str | None:
    """atof.go atofHex for float64 (mantbits 52, expbits 11, bias -1023): ErrRange past maxExp."""
    mantbits, bias = 52, -1023
    max_exp, min_exp = (1 << 11) + bias - 2, bias + 1
    exp += mantbits
    while mantissa != 0 and mantissa >> (mantbits + 2) == 0:
        mantissa, exp = mantissa << 1, exp - 1
    if trunc:
        mantissa |= 1
    while mantissa >> (1 + mantbits + 2) != 0:
        mantissa, exp = mantissa >> 1 | mantissa & 1, exp + 1
    while mantissa > 1 and exp < min_exp - 2:
        mantissa, exp = mantissa >> 1 | mantissa & 1, exp + 1
    rounding = mantissa & 3
    mantissa >>= 2
    rounding |= mantissa & 1  # round to even
    exp += 2
    if rounding == 3:
        mantissa += 1
        if mantissa == 1 << (1 + mantbits):
            mantissa, exp = mantissa >> 1, exp + 1
    if mantissa >> mantbits == 0:
        exp = bias
    return RANGE if exp > max_exp else None


# The smallest magnitude floatBits rounds to ±Inf: the largest float64 plus half its ULP; a tie
# rounds to even, and the largest mantissa 2^53-1 is odd, so the tie overflows too.
_OVERFLOW_AT = (1 << 1024) - (1 << 970)


def _decimal_range(s: bytes) -> str | None:
    """The decimal path's answer (atof.go atof64: exact, Eisel-Lemire or the slow decimal, all
    correctly rounded): decimal.set's digits (800 kept, the rest only mark trunc) and point, then
    floatBits: dp > 310 overflows, dp < -330 is zero, else the value against the overflow bound
    (a truncated value equal to it lies past it: overflow too)."""
    digits, nd, dp, sawdot = 0, 0, 0, False
    i = 1 if s[:1] in (b"+", b"-") else 0
    while i < len(s) and (s[i] in (_UNDER, _DOT) or _digit(s[i])):
        c = s[i]
        i += 1
        if c == _DOT:
            sawdot, dp = True, nd
        elif c == _0 and nd == 0:
            dp -= 1
        elif _digit(c) and nd < 800:  # decimal.d [800]byte; later digits only set trunc
            digits, nd = digits * 10 + c - _0, nd + 1
    if not sawdot:
        dp = nd
    if i < len(s):  # the exponent, as readFloat read it
        i += 1
        esign = -1 if s[i : i + 1] == b"-" else 1
        e = 0
        for c in s[i:]:
            if _digit(c) and e < 10000:
                e = e * 10 + c - _0
        dp += e * esign
    if nd == 0 or dp < -330:
        return None
    if dp > 310:
        return RANGE
    scale = dp - nd
    value, bound = (digits * 10**scale, _OVERFLOW_AT) if scale >= 0 else (digits, _OVERFLOW_AT * 10**-scale)
    # digits == bound with trunc set lies past the tie: shouldRoundUp rounds it up as well
    return RANGE if value >= bound else None


def parse_float(text: str) -> str | None:
    """atof.go ParseFloat(s, 64)'s error: special, else readFloat then atofHex or the decimal
    path; any byte left unread is ErrSyntax (even after an ErrRange)."""
    s = text.encode("utf-8", "surrogateescape")
    n = _special(s)
    if n:
        return None if n == len(s) else SYNTAX
    mantissa, exp, trunc, hexa, n, ok = _read_float(s)
    if not ok:
        return SYNTAX
    err = _atof_hex(mantissa, exp, trunc) if hexa else _decimal_range(s[:n])
    return SYNTAX if n != len(s) else err


def flag_number_error(kind: str, value: str) -> str | None:
    """What flag's intValue.Set ("int") or float64Value.Set ("float64") returns for ``value``,
    through numError; None when it parses."""
    err = parse_int(value)[1] if kind == "int" else parse_float(value)
    return {SYNTAX: "parse error", RANGE: "value out of range"}[err] if err else None
