"""akscli's reading of a Go number flag against the KubeRay simulator's own port of strconv: the
same inputs, Go's answer for each written from golang/go src/strconv/atoi.go and atof.go and
src/flag/flag.go numError (P: "parse error", ErrSyntax; R: "value out of range", ErrRange)."""

from __future__ import annotations

import pytest

from akscli.model.goflags import go_number_error
from tests.emulators.kube.controllers.kuberay.gostrconv import flag_number_error

P, R = "parse error", "value out of range"
TIE = str((1 << 1024) - (1 << 970))  # the largest float64 plus half its ULP: rounds to even, up

# (flag kind, value, Go's answer); the reason is the Go function that decides it.
CASES = [
    ("int", "0x_1F", None),  # ParseUint: 0x prefix, underscoreOK allows "_" after the prefix
    ("int", "1__0", P),  # underscoreOK: "_" after "_"
    ("int", "_1", P),  # underscoreOK: "_" first
    ("int", "1_", P),  # underscoreOK: "_" last
    ("int", "1_000", None),
    ("int", "0_1", None),  # leading 0: octal, "_" after a digit
    ("int", "0b", P),  # len < 3: no prefix, octal "b"
    ("int", "0x", P),
    ("int", "0b101", None),
    ("int", "08", P),  # octal digit 8
    ("int", "0o17", None),
    ("int", "0O17", None),  # lower(s[1])
    ("int", "", P),
    ("int", "-", P),
    ("int", "+-1", P),
    ("int", "+-99999999999999999999", P),  # ParseInt takes one sign: ParseUint stops at '-'
    ("int", "1e3", P),  # 'e' is digit 14 >= base 10
    ("int", " 1", P),
    ("int", "-0x8000000000000000", None),  # ParseInt: neg && un == cutoff is fine
    ("int", "0x8000000000000000", R),
    ("int", "9223372036854775807", None),
    ("int", "9223372036854775808", R),
    ("int", "-9223372036854775809", R),
    ("int", "9223372036854775808x", P),  # within uint64: ParseUint reaches 'x' first
    ("int", "18446744073709551616x", R),  # ParseUint passes uint64 before it reads 'x'
    ("int", "_99999999999999999999", R),  # the range comes before underscoreOK is asked
    ("int", "0" + "7" * 22 + "9", R),  # octal past uint64 before the 9
    ("float64", "1e400", R),  # floatBits overflow
    ("float64", "1e-400", None),  # underflow is 0, no error
    ("float64", "1e400x", P),  # ParseFloat: bytes left over are ErrSyntax even after ErrRange
    ("float64", "0x1p-2", None),
    ("float64", "0x1.8p1", None),
    ("float64", "0x.p1", P),  # readFloat: no digits
    ("float64", "0x1", P),  # readFloat: hex must have an exponent
    ("float64", "0x1p", P),
    ("float64", "0x_1p0", None),
    ("float64", "0x_.8p1", P),  # underscoreOK: "_" before "."
    ("float64", "0x1p1024", R),  # atofHex: exp > maxExp
    ("float64", "0x1.fffffffffffffp1023", None),
    ("float64", "0x1.fffffffffffff8p1023", R),  # atofHex rounds the tie to even: up, past maxExp
    ("float64", "+Inf", None),  # special
    ("float64", "infinity", None),
    ("float64", "iNfInItY", None),
    ("float64", "infin", P),  # special takes "inf"; the rest is left over
    ("float64", "nan", None),
    ("float64", "NaN", None),
    ("float64", "-nan", P),  # special: a sign falls through to the inf case only
    ("float64", "\u0131nf", P),  # commonPrefixLenIgnoreCase lowers 'A'-'Z' only (dotless i)
    ("float64", "1_000", None),  # decimal underscores are fine (atof_test.go "1_23.50_0_0e+1_2")
    ("float64", "1_23.50_0_0e+1_2", None),
    ("float64", "123_.5", P),
    ("float64", "1e+_2", P),
    ("float64", "0_1", None),
    ("float64", ".5", None),
    ("float64", "5.", None),
    ("float64", ".", P),
    ("float64", "1e", P),
    ("float64", "1e+", P),
    ("float64", "1..2", P),
    ("float64", "", P),
    ("float64", TIE, R),
    ("float64", str(int(TIE) - 1), None),
]


@pytest.mark.parametrize(("kind", "value", "go"), CASES, ids=[f"{k}:{v[:24]!r}" for k, v, _ in CASES])
def test_akscli_and_the_simulator_read_a_go_number_as_go_does(kind: str, value: str, go: str | None) -> None:
    assert (go_number_error(kind, value), flag_number_error(kind, value)) == (go, go)
