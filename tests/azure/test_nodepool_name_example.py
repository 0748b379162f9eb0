"""A node pool name AKS refuses (1-12 lower-case letters and digits, starting with a letter) gets
the typed name made valid as its example, as Kubernetes names do (validate's nearest label):
`GPU` is `gpu`. Before, every refusal offered `gpua100`."""

from __future__ import annotations

import pytest

from akscli.azure import names
from akscli.errors import UsageError


@pytest.mark.parametrize(
    ("typed", "example"), [("GPU", "gpu"), ("gpu-a100", "gpua100"), ("GpuPool_H100x8", "gpupoolh100x")]
)
def test_the_example_is_the_typed_name_made_valid(typed: str, example: str) -> None:
    with pytest.raises(UsageError) as info:
        names.nodepool_name(typed)
    assert info.value.hint == f"for example: {example}"


def test_a_name_that_cannot_start_with_a_letter_keeps_the_fixed_example() -> None:
    with pytest.raises(UsageError) as info:
        names.nodepool_name("1gpu")
    assert info.value.hint == "for example: gpua100"
