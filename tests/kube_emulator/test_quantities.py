"""The emulator prints a resource quantity as resource.Quantity's String() does
(tests/emulators/kube/quantities.py), checked against apimachinery's own tables."""

from __future__ import annotations

import pytest

from tests.emulators.kube.quantities import canonical, is_integer

# upstream: kubernetes/apimachinery eed236ce pkg/api/resource/quantity_test.go TestQuantityString
# (each alternate parses to the canonical string) and TestQuantityParseEmit.
PARSED_AND_PRINTED = [
    ("1024Mi", "1Gi"),
    ("307200Ki", "300Mi"),
    ("1025024Mi", "1001Gi"),
    ("1024Gi", "1Ti"),
    ("5000m", "5"),
    ("0.5", "500m"),
    ("1000M", "1G"),
    ("0.001T", "1G"),
    ("1000u", "1m"),
    ("1.08", "1080m"),
    ("1080000000n", "1080m"),
    (".001e12", "1e9"),
    ("0.001e0", "1e-3"),
    ("1000e-12", "1e-9"),
    ("00", "0"),
    ("1Ki", "1Ki"),
    (".001Ki", "1024m"),
    (".000001Ki", "1024u"),
    (".000000001Ki", "1024n"),
    (".000000000001Ki", "2n"),
    ("-.000000000001Ki", "-2n"),
    ("-1024Mi", "-1Gi"),
]


@pytest.mark.parametrize(("written", "printed"), PARSED_AND_PRINTED)
def test_a_quantity_prints_as_quantity_string_prints_it(written: str, printed: str) -> None:
    assert canonical(written) == printed


def test_whole_quantities_are_integers_whatever_their_suffix() -> None:
    assert is_integer("1000m") and is_integer("2k") and is_integer(3)
    assert not is_integer("0.5") and not is_integer("1500m")
