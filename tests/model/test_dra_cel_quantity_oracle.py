"""quantity() in a DeviceClass selector parses as resource.ParseQuantity (kubernetes/apiserver
v0.34.0 pkg/cel/library/quantity.go stringToQuantity; kubernetes/apimachinery v0.34.0
pkg/api/resource/quantity.go). akscli's port (akscli.gpu.dra_cel_lib.parse_quantity) is held to an
oracle outside akscli: the real kubectl, whose ``create quota --hard`` parses each value with
ParseQuantity on the client and prints it in canonical form, or prints the parse error.

For 150 strings drawn (seed 25) from the grammar's characters and a few written by hand, both
agree on the value or on the error's words."""

from __future__ import annotations

import json
import random
import re
import shutil
import subprocess
from concurrent.futures import ThreadPoolExecutor
from decimal import Decimal
from fractions import Fraction

import pytest

from akscli.gpu.dra_cel_lib import CelError, parse_quantity

pytestmark = [
    pytest.mark.kubectl,
    pytest.mark.skipif(shutil.which("kubectl") is None, reason="kubectl is not installed"),
]

WRITTEN = ["1.0", "1Ki", "1e-10", ".5", "-1.5Gi", "10Ei", "1000m", "0.5Ki", "+.", "1E", "1e", "80 GiB", "007",
           "1.5.3", "-", "0", "12345678901234567890", "1e3", "3Mi", "1.23456789012n", "5Pi", "-0.0001m"]  # fmt: skip
# Canonical forms (Quantity.String): an integer, then a suffix
_SUFFIX = {"n": Fraction(1, 10**9), "u": Fraction(1, 10**6), "m": Fraction(1, 1000), "": Fraction(1),
           "k": Fraction(10**3), "M": Fraction(10**6), "G": Fraction(10**9), "T": Fraction(10**12),
           "P": Fraction(10**15), "E": Fraction(10**18), **{s: Fraction(2**(10 * (i + 1))) for i, s in
           enumerate(["Ki", "Mi", "Gi", "Ti", "Pi", "Ei"])}}  # fmt: skip


def drawn() -> list[str]:
    draw = random.Random(25)
    alphabet = ["0", "1", "5", "9", ".", "-", "+", "e", "E", "i", "n", "u", "m", "k", "K", "M", "G", "T", "P", "3"]
    return ["".join(draw.choice(alphabet) for _ in range(draw.randint(1, 5))) for _ in range(150)]


def printed(text: str) -> Fraction:
    """The value of what kubectl printed: a canonical form, or the string as given where
    ParseQuantity kept it (its fast path keeps a string already canonical enough)."""
    match = re.fullmatch(r"([+-]?[0-9]*\.?[0-9]*)(?:[eE]([-+]?[0-9]+)|([A-Za-z]*))", text)
    assert match is not None, text
    number, exponent, suffix = match.groups()
    value = Fraction(Decimal(number)) if number.strip("+-.") else Fraction(0)
    return value * (Fraction(10) ** int(exponent) if exponent else _SUFFIX[suffix])


def kubectl_says(text: str) -> str | Fraction:
    r = subprocess.run(
        ["kubectl", "create", "quota", "q", f"--hard=x={text}", "--dry-run=client", "-o", "json"],
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )
    if r.returncode:
        return r.stderr.strip().removeprefix("error: ")
    return printed(json.loads(r.stdout)["spec"]["hard"]["x"])


def akscli_says(text: str) -> str | Fraction:
    try:
        return parse_quantity(text).value
    except CelError as exc:
        return str(exc)


def test_quantities_parse_as_kubectl_parses_them() -> None:
    # kubectl splits --hard on "," and "=": the drawn strings hold neither
    cases = [*WRITTEN, *drawn()]
    with ThreadPoolExecutor(max_workers=4) as pool:
        theirs = dict(zip(cases, pool.map(kubectl_says, cases), strict=True))
    disagree = {text: (akscli_says(text), said) for text, said in theirs.items() if akscli_says(text) != said}
    assert not disagree
    assert sum(isinstance(said, Fraction) for said in theirs.values()) > 40  # not vacuous: values and errors
    assert sum(isinstance(said, str) for said in theirs.values()) > 20
