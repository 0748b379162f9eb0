"""`ray dashboard TARGET` takes the type as kubectl takes it: with its group and plural, so that a
name akscli printed (`ray job list -o name`: `rayjob.ray.io/train`) can be passed back as it is
(kubernetes/apimachinery pkg/runtime/schema/group_version.go ParseResourceArg)."""

from __future__ import annotations

import pytest

from akscli.errors import UsageError
from akscli.ray.live import parse_ref


@pytest.mark.parametrize(
    ("ref", "parsed"),
    [
        ("train", ("raycluster", "train")),
        ("rayjob/train", ("rayjob", "train")),
        ("rayjob.ray.io/train", ("rayjob", "train")),
        ("rayjobs/train", ("rayjob", "train")),
        ("rayservices.ray.io/llm", ("rayservice", "llm")),
        ("RayCluster/demo", ("raycluster", "demo")),
        ("raycluster.ray.io/demo", ("raycluster", "demo")),
    ],
)
def test_a_dashboard_target_takes_the_type_as_kubectl_does(ref: str, parsed: tuple[str, str]) -> None:
    assert parse_ref(ref) == parsed


@pytest.mark.parametrize("ref", ["pod/x", "rayjob.example.com/x", "deployment.apps/x"])
def test_a_dashboard_target_of_another_type_is_refused(ref: str) -> None:
    with pytest.raises(UsageError, match="resource type"):
        parse_ref(ref)
