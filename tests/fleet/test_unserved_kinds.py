"""A member that does not serve a placed kind: its work applier fails that manifest with DecodingErred
and the RESTMapper's "no matches for kind" (upstream: kubefleet-dev/kubefleet e160c1cd
pkg/controllers/workapplier/preprocess.go decodeManifest, status.go setManifestAppliedCondition;
kubernetes/apimachinery pkg/api/meta/errors.go NoKindMatchError), and the hub shows it in the
member's failedPlacements (pkg/controllers/workgenerator/controller.go
extractFailedResourcePlacementsFromWork). akscli's verdicts name the member and the kind and say to
install the CRDs there."""

from __future__ import annotations

from typing import Any

import pytest

from akscli.errors import ObjectFailedError
from akscli.fleet.rollout import fail_if_stuck_on_apply
from akscli.kube.readiness import fleet as rules

NO_ROUTE = (
    "Failed to apply the manifest (error: failed to decode manifest: failed to find GVR from member cluster "
    'client REST mapping: no matches for kind "HTTPRoute" in version "gateway.networking.k8s.io/v1")'
)


def _row(member: str, failed: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    applied = {"type": "Applied", "status": "False" if failed else "True", "observedGeneration": 1}
    row: dict[str, Any] = {"clusterName": member, "conditions": [applied]}
    if failed:
        row["failedPlacements"] = failed
    return row


def _route(reason: str = "DecodingErred", message: str = NO_ROUTE) -> dict[str, Any]:
    condition = {"type": "Applied", "status": "False", "reason": reason, "message": message}
    ident = {"group": "gateway.networking.k8s.io", "version": "v1", "kind": "HTTPRoute", "name": "phi-4"}
    return {**ident, "namespace": "phi-4", "condition": condition}


def _placement(*rows: dict[str, Any]) -> dict[str, Any]:
    return {
        "kind": "ClusterResourcePlacement",
        "metadata": {"name": "phi-4", "generation": 1},
        "status": {
            "conditions": [
                {"type": "ClusterResourcePlacementScheduled", "status": "True", "observedGeneration": 1},
                {
                    "type": "ClusterResourcePlacementApplied",
                    "status": "False",
                    "reason": "ApplyFailed",
                    "message": "Failed to apply resources to 1 cluster(s), please check the `failedPlacements` status",
                    "observedGeneration": 1,
                },
            ],
            "placementStatuses": list(rows),
        },
    }


def test_the_kinds_members_do_not_serve_are_read_from_failed_placements() -> None:
    crp = _placement(_row("gpu-east"), _row("gpu-west", [_route()]), _row("gpu-north", [_route()]))
    assert rules.unserved_kinds(crp) == {"HTTPRoute (gateway.networking.k8s.io/v1)": ["gpu-west", "gpu-north"]}


def test_other_apply_failures_are_not_taken_for_a_missing_kind() -> None:
    crp = _placement(_row("gpu-west", [_route("ManifestApplyFailed", "Failed to apply the manifest: conflict")]))
    assert rules.unserved_kinds(crp) == {}
    assert rules.placement(crp).fix == ""


def test_the_placement_verdict_says_to_install_the_kind_on_the_member() -> None:
    verdict = rules.placement(_placement(_row("gpu-west", [_route()])))
    assert verdict.failed and verdict.reason == "ApplyFailed"
    assert verdict.fix.startswith(
        "gpu-west does not serve HTTPRoute (gateway.networking.k8s.io/v1): install the CRDs of that API on those "
        "members, or place on members that serve it"
    )


class _Hub:
    def __init__(self, placement: dict[str, Any]) -> None:
        self.placement = placement

    def get(self, api_version: str, kind: str, name: str, namespace: str | None = None) -> dict[str, Any]:
        assert (kind, name) == ("ClusterResourcePlacement", "phi-4")
        return self.placement


def test_a_run_stuck_on_a_member_without_the_kind_fails_with_the_crd_fix() -> None:
    stuck = {"type": "Progressing", "status": "False", "reason": "UpdateRunStuck", "observedGeneration": 1}
    started = {"type": "Started", "status": "True"}
    run = {
        "kind": "ClusterStagedUpdateRun",
        "metadata": {"name": "run-1", "generation": 1},
        "spec": {"placementName": "phi-4"},
        "status": {
            "conditions": [stuck],
            "stagesStatus": [{"stageName": "prod", "clusters": [{"clusterName": "gpu-west", "conditions": [started]}]}],
        },
    }
    with pytest.raises(ObjectFailedError) as err:
        fail_if_stuck_on_apply(_Hub(_placement(_row("gpu-west", [_route()]))), run)  # type: ignore[arg-type]
    assert "stage prod, member gpu-west: HTTPRoute phi-4/phi-4: Failed to apply the manifest" in str(err.value)
    assert str(err.value.hint).startswith("gpu-west does not serve HTTPRoute (gateway.networking.k8s.io/v1)")
