"""`model deploy --fleet-hub`: what the members and the hub agent take.

A member's work applier maps each placed object's kind through the member's own API discovery; a
kind it does not serve (its CRD is not installed there: the Gateway API route of --expose) fails
that object alone with DecodingErred, "no matches for kind", and the placement's Applied is False,
ApplyFailed (upstream: kubefleet-dev/kubefleet e160c1cd pkg/controllers/workapplier/preprocess.go
decodeManifest, status.go setManifestAppliedCondition; pkg/controllers/workgenerator/controller.go
extractFailedResourcePlacementsFromWork). The hub agent never places namespace default with its
contents (cmd/hubagent/workload/setup.go, pkg/utils/common.go ShouldPropagateNamespace)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from tests.cli import invoke
from tests.emulators.kube.controllers.fleet_member_status import UNSERVED_GROUPS

Start = Callable[..., Any]
C1 = "cluster.kubernetes-fleet.io/v1"
FLEET = "placement.kubernetes-fleet.io/v1"
GATEWAY_API = "gateway.networking.k8s.io"


def _hub(model_emulator: Start, unserved: dict[str, str] | None = None) -> Any:
    emu = model_emulator(fleet=True)
    for member in ("gpu-east", "gpu-west"):
        annotations = {UNSERVED_GROUPS: unserved[member]} if unserved and member in unserved else {}
        emu.cluster.create(
            {
                "apiVersion": C1,
                "kind": "MemberCluster",
                "metadata": {"name": member, "annotations": annotations},
                "spec": {"identity": {"kind": "User", "name": member}},
            }
        )
        count = {"value": "1", "observationTime": "2026-11-26T00:00:00Z"}
        props = {"kubernetes.azure.com/vm-sizes/Standard_NC24ads_A100_v4/count": count}
        emu.cluster.patch_status(C1, "MemberCluster", None, member, {"properties": props})
    return emu


def _deploy(*flags: str) -> Any:
    return invoke("model", "deploy", "phi-4", "--fleet-hub", *flags, "-y")


def test_an_exposed_fleet_model_is_placed_with_its_route(model_emulator: Start) -> None:
    emu = _hub(model_emulator)
    result = _deploy("--expose", "--wait", "--timeout", "20s")
    assert result.exit_code == 0, result
    crp = emu.cluster.get(FLEET, "ClusterResourcePlacement", None, "phi-4")
    assert ("HTTPRoute", "phi-4") in {(r["kind"], r["name"]) for r in crp["status"]["selectedResources"]}


def test_a_member_without_the_gateway_api_ends_the_wait_naming_it_and_the_route(model_emulator: Start) -> None:
    _hub(model_emulator, {"gpu-west": GATEWAY_API})
    result = _deploy("--expose", "--wait", "--timeout", "20s")
    assert result.exit_code == 10, result
    assert "ClusterResourcePlacementApplied=False (ApplyFailed)" in result.stderr
    assert (
        "member gpu-west: HTTPRoute phi-4/phi-4: DecodingErred: Failed to apply the manifest (error: failed to "
        "decode manifest: failed to find GVR from member cluster client REST mapping: no matches for kind "
        '"HTTPRoute" in version "gateway.networking.k8s.io/v1")'
    ) in result.stderr
    assert "member gpu-east" not in result.stderr
    assert (
        "hint: gpu-west does not serve HTTPRoute (gateway.networking.k8s.io/v1): install the CRDs of that API on "
        "those members, or place on members that serve it (Gateway API: v1.2.0 or later for HTTPRoute "
        "rules[].timeouts)"
    ) in result.stderr


def test_only_the_route_fails_on_a_member_without_the_gateway_api(model_emulator: Start) -> None:
    # The work applier fails the one manifest it cannot map; the member's other objects are applied.
    emu = _hub(model_emulator, {"gpu-west": GATEWAY_API})
    _deploy("--expose", "--wait", "--timeout", "20s")
    crp = emu.cluster.get(FLEET, "ClusterResourcePlacement", None, "phi-4")
    rows = {r["clusterName"]: r for r in crp["status"]["placementStatuses"]}
    assert [(f["kind"], f["condition"]["reason"]) for f in rows["gpu-west"]["failedPlacements"]] == [
        ("HTTPRoute", "DecodingErred")
    ]


def test_a_fleet_model_in_the_default_namespace_is_refused_as_the_hub_agent_skips_it(model_emulator: Start) -> None:
    emu = _hub(model_emulator)
    result = _deploy("-n", "default")
    assert result.exit_code == 2, result
    assert (
        "error: --fleet-hub places the model's whole namespace, and the KubeFleet hub agent skips namespace "
        "default (as it does every fleet-* and kube-* namespace): the hub would place nothing"
    ) in result.stderr
    assert "hint: give the model its own namespace: -n phi-4" in result.stderr
    assert emu.cluster.list(FLEET, "ClusterResourcePlacement") == []


def test_a_deploy_warns_before_sending_of_a_member_another_placement_shows_without_the_kind(
    model_emulator: Start,
) -> None:
    # KubeFleet reports no member's served APIs (pkg/propertyprovider/commons.go): the hub knows it
    # only from placements whose route a member failed to map.
    _hub(model_emulator, {"gpu-west": GATEWAY_API})
    assert _deploy("--expose", "--wait", "--timeout", "20s").exit_code == 10
    result = _deploy("--expose", "--name", "phi-4-b", "-n", "phi-4-b")
    assert (
        "warning: placement phi-4-b: member gpu-west does not serve HTTPRoute (gateway.networking.k8s.io/v1) "
        "(placement phi-4 failed to apply one there: no matches for kind)"
    ) in " ".join(result.stderr.split())
    assert "member gpu-east does not serve" not in result.stderr


def test_no_warning_where_no_placement_shows_a_member_without_the_kind(model_emulator: Start) -> None:
    _hub(model_emulator)
    assert _deploy("--expose", "--wait", "--timeout", "20s").exit_code == 0
    assert "does not serve" not in _deploy("--expose", "--name", "phi-4-b", "-n", "phi-4-b").stderr
