"""A placement that no member can take is refused before it is sent (#13 bad input), with the
KubeFleet scheduler's filters (clusteraffinity, tainttoleration, PickFixed)."""

from __future__ import annotations

from typing import Any

import pytest

from akscli.fleet.matching import matching_members
from tests.cli import invoke
from tests.fleet.conftest import Hub

A100 = "kubernetes.azure.com/vm-sizes/Standard_NC24ads_A100_v4/count"


def _member(name: str, labels: dict[str, str] | None = None, **props: str) -> dict[str, Any]:
    return {
        "metadata": {"name": name, "labels": labels or {}},
        "status": {"properties": {k: {"value": v} for k, v in props.items()}},
    }


def _terms(*terms: dict[str, Any]) -> dict[str, Any]:
    return {
        "affinity": {
            "clusterAffinity": {"requiredDuringSchedulingIgnoredDuringExecution": {"clusterSelectorTerms": list(terms)}}
        }
    }


def test_terms_are_ored_and_a_missing_property_never_matches() -> None:
    size = {"propertySelector": {"matchExpressions": [{"name": A100, "operator": "Ge", "values": ["2"]}]}}
    label = {
        "labelSelector": {"matchExpressions": [{"key": "gpu.akscli.io/Standard_NC24ads_A100_v4", "operator": "Exists"}]}
    }
    members = [
        _member("big", **{A100: "2"}),
        _member("small", **{A100: "1"}),
        _member("nap", {"gpu.akscli.io/Standard_NC24ads_A100_v4": "on-demand"}),
        _member("cpu"),
    ]
    assert matching_members(_terms(size, label), members) == ["big", "nap"]


def test_an_untolerated_taint_keeps_a_member_out() -> None:
    cordoned = _member("cordoned")
    cordoned["spec"] = {"taints": [{"key": "cordon-key", "value": "cordon-value", "effect": "NoSchedule"}]}
    assert matching_members({}, [cordoned, _member("open")]) == ["open"]
    tolerate = {"tolerations": [{"key": "cordon-key", "operator": "Exists"}]}
    assert matching_members(tolerate, [cordoned]) == ["cordoned"]


def test_pick_fixed_keeps_only_members_that_exist() -> None:
    policy = {"placementType": "PickFixed", "clusterNames": ["a", "ghost"]}
    assert matching_members(policy, [_member("a"), _member("b")]) == ["a"]


def test_place_matching_no_member_is_refused_before_anything_is_sent(hub: Hub) -> None:
    result = invoke("fleet", "place", "llm", "--select", "namespace/llm", "--require-labels", "env=nowhere", "-y")
    assert result.exit_code == 2, result
    assert result.stderr.startswith("error: placement llm matches no member cluster of this hub")
    assert "hint:" in result.stderr
    assert hub.cluster.get("placement.kubernetes-fleet.io/v1", "ClusterResourcePlacement", None, "llm") is None


def test_no_matching_member_hint_lists_the_members_from_the_hub_context(hub: Hub) -> None:
    # 'akscli fleet member list' needs --fleet/-g (ARM); the hub context lists its MemberClusters.
    result = invoke("fleet", "place", "llm", "--select", "namespace/llm", "--require-labels", "env=nowhere", "-y")
    assert "(kubectl get memberclusters --show-labels)" in result.stderr
    assert "akscli fleet member list" not in result.stderr


@pytest.mark.parametrize(
    "argv",
    [
        ["fleet", "place", "llm", "--select", "namespace/llm", "--pick-fixed", "ghost", "-y"],
        ["model", "deploy", "phi-4", "--name", "llm", "--fleet-hub", "--member", "ghost", "-y"],
    ],
)
def test_pick_fixed_of_members_not_joined_is_refused_naming_them(hub: Hub, argv: list[str]) -> None:
    # the hint named "--pick-fixed names", a flag model deploy does not have (its --member)
    result = invoke(*argv)
    assert result.exit_code == 2, result
    assert result.stderr.splitlines()[-2:] == [
        "error: placement llm names member clusters not joined to this hub: ghost "
        "(members: canary, cpu-west, gpu-east)",
        "hint: name joined members (kubectl get memberclusters lists them)",
    ]


def test_place_on_a_hub_with_no_members_says_to_join_one_not_to_fix_labels(kube_emulator: Any, kubeconfig: Any) -> None:
    # No MemberCluster at all: "check the required labels ... or label the members" sent a first-time
    # user looking for labels on members that do not exist.
    # namespace default is not placeable (the hub agent skips it), so the placement selects one of its own.
    kube_emulator.cluster.create({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "llm"}})
    result = invoke("fleet", "place", "llm", "--select", "namespace/llm", "-y")
    assert result.exit_code == 2, result
    assert result.stderr.splitlines() == [
        "error: placement llm matches no member cluster: this hub has no member clusters yet",
        "hint: join a cluster first: akscli fleet member join NAME --fleet FLEET -g RG --cluster CLUSTER "
        "(kubectl get memberclusters lists the members)",
    ]
    placement = kube_emulator.cluster.get("placement.kubernetes-fleet.io/v1", "ClusterResourcePlacement", None, "llm")
    assert placement is None


def test_a_vm_size_no_member_has_is_named_with_the_close_size_the_members_have(hub: Hub) -> None:
    # Fleet's Azure property provider reports a count for each VM size a member has nodes of
    # (kubefleet-dev/kubefleet pkg/propertyprovider/azure/provider.go): a typo reports nowhere.
    result = invoke("fleet", "place", "llm", "--select", "namespace/llm", "--gpu-size", "Standard_NC24ads_A100", "-y")
    assert result.exit_code == 2, result
    assert result.stderr.splitlines() == [
        "error: placement llm matches no member cluster of this hub: no member has nodes of VM size "
        "Standard_NC24ads_A100 (members: canary, cpu-west, gpu-east)",
        "hint: did you mean Standard_NC24ads_A100_v4? the members' VM sizes: Standard_NC24ads_A100_v4",
    ]


def test_a_vm_size_some_member_has_in_too_small_a_count_keeps_the_general_hint(hub: Hub) -> None:
    result = invoke("fleet", "place", "llm", "--select", "namespace/llm", "--gpu-size", "Standard_NC24ads_A100_v4=9")
    assert result.exit_code == 2, result
    assert "no member has nodes of VM size" not in result.stderr
    assert "check the required labels, properties, VM size" in result.stderr


def test_placement_status_with_n_of_a_cluster_placement_says_to_leave_out_n(hub: Hub) -> None:
    assert invoke("fleet", "place", "llm", "--select", "namespace/llm", "-y").exit_code == 0
    result = invoke("fleet", "placement", "status", "llm", "-n", "llm")
    assert result.exit_code == 3, result
    assert result.stderr.splitlines() == [
        "error: ResourcePlacement 'llm' not found in namespace llm; llm is a ClusterResourcePlacement, "
        "which has no namespace",
        "hint: leave out -n to act on the ClusterResourcePlacement",
    ]
    assert invoke("fleet", "placement", "status", "llm").exit_code == 0
