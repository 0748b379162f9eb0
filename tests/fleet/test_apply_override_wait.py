"""``apply -f`` of a placement with its overrides, ``--wait``: judged as ``fleet place --wait`` judges
them (akscli.fleet.place_wait), so a changed override is waited for until the members it applies to
have rolled out its new snapshot. An override that names no placement is rolled out only with the
placement's next rollout (kubefleet-dev/kubefleet e160c1cd apis/placement/v1beta1/override_types.go
Placement; pkg/controllers/rollout/controller.go handleClusterResourceOverrideSnapshot), so it is
said and not waited for."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from tests.cli import invoke
from tests.fleet.conftest import Hub

P1 = "placement.kubernetes-fleet.io/v1"


def _manifests(tier: str, *, referenced: bool = True) -> list[dict[str, Any]]:
    spec: dict[str, Any] = {
        "clusterResourceSelectors": [{"group": "", "version": "v1", "kind": "Namespace", "name": "llm"}],
        "policy": {"overrideRules": [{
            "clusterSelector": {"clusterSelectorTerms": [{"labelSelector": {"matchLabels": {"env": "prod"}}}]},
            "overrideType": "JSONPatch",
            "jsonPatchOverrides": [{"op": "add", "path": "/metadata/labels/tier", "value": tier}],
        }]},
    }  # fmt: skip
    if referenced:
        spec = {"placement": {"name": "llm", "scope": "Cluster"}, **spec}
    crp = {
        "apiVersion": P1,
        "kind": "ClusterResourcePlacement",
        "metadata": {"name": "llm"},
        "spec": {
            "resourceSelectors": [{"group": "", "version": "v1", "kind": "Namespace", "name": "llm"}],
            "policy": {"placementType": "PickAll"},
        },
    }
    return [
        {"apiVersion": P1, "kind": "ClusterResourceOverride", "metadata": {"name": "llm-override"}, "spec": spec},
        crp,
    ]


def _apply(tmp_path: Path, tier: str, *, referenced: bool = True) -> Any:
    path = tmp_path / f"{tier}.yaml"
    path.write_text(yaml.safe_dump_all(_manifests(tier, referenced=referenced)))
    result = invoke("apply", "-f", str(path), "--wait", "--timeout", "20s", "-y")
    assert result.exit_code == 0, result
    return result


def _applicable(hub: Hub) -> dict[str, list[str]]:
    rows = hub.get("ClusterResourcePlacement", "llm")["status"]["placementStatuses"]
    return {r["clusterName"]: r.get("applicableClusterResourceOverrides") or [] for r in rows}


def test_apply_waits_for_a_changed_override_until_its_new_snapshot_is_rolled_out(hub: Hub, tmp_path: Path) -> None:
    _apply(tmp_path, "gpu")
    hub.controller.override_lag = 0.5
    # The placement is unchanged and Available for its generation: only the new snapshot tells.
    _apply(tmp_path, "cpu")
    assert _applicable(hub) == {"gpu-east": ["llm-override-1"], "cpu-west": ["llm-override-1"], "canary": []}


def test_apply_says_an_override_naming_no_placement_is_not_waited_for(hub: Hub, tmp_path: Path) -> None:
    result = _apply(tmp_path, "gpu", referenced=False)
    assert "ClusterResourceOverride llm-override names no placement (spec.placement)" in result.stderr
    assert "--wait does not wait for it" in result.stderr


def test_a_resource_override_names_a_resource_placement_by_its_namespace_and_name() -> None:
    from akscli.fleet.place_wait import referenced_placement

    ro = {"kind": "ResourceOverride", "metadata": {"name": "o", "namespace": "team"}}
    assert referenced_placement({**ro, "spec": {"placement": {"name": "llm", "scope": "Namespaced"}}}) == "team/llm"
    assert referenced_placement({**ro, "spec": {"placement": {"name": "llm", "scope": "Cluster"}}}) == "llm"
    assert referenced_placement({**ro, "spec": {}}) is None
