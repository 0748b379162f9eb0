"""The DRA CEL environment's quantity, semver, regex and string functions, as akscli.gpu.dra_cel
judges them (akscli.gpu.dra_cel_lib). upstream: kubernetes/apiserver v0.34.0 pkg/cel/library/
quantity.go and semverlib.go; kubernetes/apimachinery v0.34.0 pkg/api/resource/quantity.go
ParseQuantity; blang/semver v4.0.0 Parse and Compare; cel-go's matches() (RE2, unanchored)."""

from __future__ import annotations

from typing import Any

import pytest

from akscli.gpu import dra_cel
from tests.ops.test_gpu_usage_dra import gpu_device

GPU = "gpu.nvidia.com"
A100 = gpu_device(0, "n")  # capacity memory 80Gi, productName 'NVIDIA A100 80GB PCIe'
VERSIONED = {"attributes": {"driverVersion": {"version": "550.90.7"}, "cudaVersion": {"version": "12.4.0-rc.1"}}}


def matches(expression: str, device: dict[str, Any] = A100) -> bool:
    return dra_cel.compile_selector(expression).matches(device, GPU)


@pytest.mark.parametrize(
    ("expression", "expected"),
    [
        ("device.capacity['gpu.nvidia.com'].memory.compareTo(quantity('40Gi')) >= 0", True),
        ("device.capacity['gpu.nvidia.com'].memory.isGreaterThan(quantity('80Gi'))", False),
        ("device.capacity['gpu.nvidia.com'].memory.isLessThan(quantity('81Gi'))", True),
        ("device.capacity['gpu.nvidia.com'].memory == quantity('81920Mi')", True),
        ("device.capacity['gpu.nvidia.com'].memory.asInteger() == 85899345920", True),
    ],
)
def test_a_capacity_is_a_quantity_compared_by_value(expression: str, expected: bool) -> None:
    assert matches(expression) is expected


@pytest.mark.parametrize(
    ("expression", "expected"),
    [
        ("isQuantity('1.5Gi')", True),
        ("isQuantity('1.5.Gi')", False),
        ("isQuantity('1e')", False),
        # AsInt64 answers only for ParseQuantity's int64 form at a scale of 0 or more
        ("quantity('1k').isInteger()", True),
        ("quantity('1.0').isInteger()", False),
        ("quantity('1Ei').isInteger()", False),
        # rounded up to nano; a binary quantity is capped at 2^63-1
        ("quantity('1e-10') == quantity('1n')", True),
        ("quantity('10Ei') == quantity('9223372036854775807')", True),
        ("quantity('1000m') == quantity('1')", True),
        ("sign(quantity('-1.5Gi')) < 0", True),
    ],
)
def test_quantities_parse_as_the_api_server_parses_them(expression: str, expected: bool) -> None:
    assert matches(expression) is expected


def test_a_string_that_is_no_quantity_is_the_parsers_error() -> None:
    with pytest.raises(dra_cel.CelError, match="quantities must match the regular expression"):
        matches("quantity('80 GiB').isGreaterThan(quantity('1'))")


def test_a_quantity_that_is_not_an_integer_has_no_integer_value() -> None:
    with pytest.raises(dra_cel.CelError, match="cannot convert value to integer"):
        matches("quantity('1.5').asInteger() == 1")


def test_a_missing_capacity_is_no_such_key_and_has_tells_it() -> None:
    assert not matches("has(device.capacity['gpu.nvidia.com'].cores)")
    assert matches("has(device.capacity['gpu.nvidia.com'].memory)")
    with pytest.raises(dra_cel.CelError, match="no such key: cores"):
        matches("device.capacity['gpu.nvidia.com'].cores.isGreaterThan(quantity('1'))")


@pytest.mark.parametrize(
    ("expression", "expected"),
    [
        ("device.attributes['gpu.nvidia.com'].driverVersion.compareTo(semver('550.0.0')) >= 0", True),
        ("device.attributes['gpu.nvidia.com'].driverVersion.isLessThan(semver('550.100.0'))", True),
        ("device.attributes['gpu.nvidia.com'].driverVersion.major() == 550", True),
        ("device.attributes['gpu.nvidia.com'].driverVersion.minor() == 90", True),
        ("device.attributes['gpu.nvidia.com'].driverVersion.patch() == 7", True),
        # a pre-release orders below its release; build metadata takes no part
        ("device.attributes['gpu.nvidia.com'].cudaVersion.isLessThan(semver('12.4.0'))", True),
        ("semver('1.0.0-alpha.1').isLessThan(semver('1.0.0-alpha.beta'))", True),
        ("semver('1.0.0+build.1') == semver('1.0.0+build.2')", True),
        ("isSemver('550.90.07')", False),
        ("isSemver('v1.2')", False),
        ("semver('v1.2', true) == semver('1.2.0')", True),
    ],
)
def test_versions_order_as_semver_does(expression: str, expected: bool) -> None:
    assert matches(expression, VERSIONED) is expected


def test_a_quantity_or_version_has_no_ordering_operator() -> None:
    with pytest.raises(dra_cel.CelError, match="no such overload"):
        matches("device.capacity['gpu.nvidia.com'].memory > quantity('1Gi')")
    with pytest.raises(dra_cel.CelError, match="no such overload"):
        matches("device.attributes['gpu.nvidia.com'].driverVersion.compareTo(quantity('1')) > 0", VERSIONED)


@pytest.mark.parametrize(
    ("expression", "expected"),
    [
        ("device.attributes['gpu.nvidia.com'].productName.matches('A100')", True),  # unanchored
        ("device.attributes['gpu.nvidia.com'].productName.matches('^A100')", False),
        ("matches(device.attributes['gpu.nvidia.com'].productName, 'PCIe$')", True),
        ("device.attributes['gpu.nvidia.com'].productName.matches('^NVIDIA (A|H)100 [0-9]+GB')", True),
        ("'a\\n'.matches('^a$')", False),  # RE2's $ is the end of the text, not before a newline
    ],
)
def test_matches_searches_with_re2s_meaning(expression: str, expected: bool) -> None:
    assert matches(expression) is expected


@pytest.mark.parametrize(
    ("expression", "expected"),
    [
        ("device.attributes['gpu.nvidia.com'].productName.lowerAscii().contains('a100')", True),
        ("device.attributes['gpu.nvidia.com'].productName.startsWith('NVIDIA H')", False),
        ("device.attributes['gpu.nvidia.com'].productName.endsWith('PCIe')", True),
        ("device.attributes['gpu.nvidia.com'].type.upperAscii() == 'GPU'", True),
        ("size(device.attributes['gpu.nvidia.com'].type) == 3", True),
        ("device.driver.endsWith('.nvidia.com')", True),
    ],
)
def test_the_string_functions_judged(expression: str, expected: bool) -> None:
    assert matches(expression) is expected


def test_a_string_function_on_a_version_is_no_such_overload() -> None:
    with pytest.raises(dra_cel.CelError, match="no such overload"):
        matches("device.attributes['gpu.nvidia.com'].driverVersion.startsWith('550')", VERSIONED)


def test_an_error_is_absorbed_where_the_other_side_decides() -> None:
    assert not matches(
        "device.driver == 'other.example.com' && device.attributes['gpu.nvidia.com'].productName.startsWith(1)"
    )
