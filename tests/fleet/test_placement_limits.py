"""What KubeFleet refuses in a placement's lists, refused by ``fleet place`` before anything is sent:
a toleration given twice (the webhook: kubefleet-dev/kubefleet e160c1cd pkg/utils/validator/
placement.go validateTolerations), and more items than the CRDs take (policy.clusterNames and
policy.tolerations maxItems 100, an override's resource selectors maxItems 20:
apis/placement/v1beta1/clusterresourceplacement_types.go, override_types.go)."""

from __future__ import annotations

import pytest

from akscli.errors import UsageError
from akscli.fleet.placement import PlacementRequest, build

OVERRIDE = '@/metadata/labels/tier="gold"'


@pytest.mark.parametrize("second", ["gpu=a100", "gpu=a100:NoSchedule"])
def test_a_toleration_given_twice_is_refused(second: str) -> None:
    with pytest.raises(UsageError, match="repeats a toleration: KubeFleet refuses one given twice") as err:
        build(PlacementRequest(name="llm", selects=["namespace/llm"], tolerations=["gpu=a100", second]))
    assert err.value.hint == "give each --tolerate once"


def test_two_tolerations_of_one_key_with_other_values_are_taken() -> None:
    objects = build(PlacementRequest(name="llm", selects=["namespace/llm"], tolerations=["gpu=a100", "gpu=h100"]))
    assert [t["value"] for t in objects[-1]["spec"]["policy"]["tolerations"]] == ["a100", "h100"]


def test_more_than_100_tolerations_are_refused() -> None:
    with pytest.raises(UsageError, match="101 --tolerate values; a placement takes at most 100"):
        build(PlacementRequest(name="llm", selects=["namespace/llm"], tolerations=[f"k{i}" for i in range(101)]))


def test_more_than_100_fixed_members_are_refused() -> None:
    names = [f"member-{i}" for i in range(101)]
    with pytest.raises(UsageError, match="--pick-fixed lists 101 member clusters; a placement names at most 100"):
        build(PlacementRequest(name="llm", selects=["namespace/llm"], pick_fixed=names))


def test_100_fixed_members_are_taken() -> None:
    names = [f"member-{i}" for i in range(100)]
    objects = build(PlacementRequest(name="llm", selects=["namespace/llm"], pick_fixed=names))
    assert len(objects[-1]["spec"]["policy"]["clusterNames"]) == 100


@pytest.mark.parametrize(
    ("namespace", "select", "kind"),
    [(None, "namespace/n{}", "ClusterResourceOverride"), ("team-a", "configmap/c{}", "ResourceOverride")],
)
def test_an_override_of_more_than_20_objects_is_refused(namespace: str | None, select: str, kind: str) -> None:
    selects = [select.format(i) for i in range(21)]
    with pytest.raises(UsageError, match=f"a {kind} selects at most 20 objects"):
        build(PlacementRequest(name="llm", namespace=namespace, selects=selects, overrides=[OVERRIDE]))


def test_an_override_of_20_objects_is_taken() -> None:
    objects = build(PlacementRequest(name="llm", selects=[f"namespace/n{i}" for i in range(20)], overrides=[OVERRIDE]))
    assert len(objects[0]["spec"]["clusterResourceSelectors"]) == 20
