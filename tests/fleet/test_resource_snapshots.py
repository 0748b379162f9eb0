"""The hub simulator writes resource snapshots as KubeFleet does (tests/emulators/kube/controllers/
fleet_snapshots.py; upstream: kubefleet-dev/kubefleet e160c1cd pkg/utils/controller/
resource_snapshot_resolver.go GetOrCreateResourceSnapshot, BuildMasterResourceSnapshot): named
``{placement}-{index}-snapshot``, labelled parent-CRP, resource-index and is-latest-snapshot, one new
index each time what the placement selects changes; a placement that rolls out by itself is
snapshotted by the placement controller, an External one by the update runs that name no index."""

from __future__ import annotations

import time
from typing import Any

from tests.cli import invoke
from tests.fleet.conftest import Hub

P1 = "placement.kubernetes-fleet.io/v1"
FLEET = "kubernetes-fleet.io/"


def _snapshots(hub: Hub, placement: str) -> dict[str, dict[str, Any]]:
    items = hub.cluster.list(P1, "ClusterResourceSnapshot", None, f"{FLEET}parent-CRP={placement}")
    return {s["metadata"]["name"]: s for s in items}


def _touch(hub: Hub, placement: str) -> None:
    """The simulator does not watch the selected objects (the hub's resource change detector):
    a new annotation value on the placement makes it look again."""
    stamp = str(time.monotonic_ns())
    hub.cluster.patch(P1, "ClusterResourcePlacement", None, placement, {"metadata": {"annotations": {"touch": stamp}}})


def test_a_placement_is_snapshotted_as_the_hub_snapshots_it(hub: Hub) -> None:
    assert invoke("fleet", "place", "llm", "--select", "namespace/llm", "-y").exit_code == 0
    hub.settle()
    snapshots = _snapshots(hub, "llm")
    assert list(snapshots) == ["llm-0-snapshot"]
    meta = snapshots["llm-0-snapshot"]["metadata"]
    assert meta["labels"] == {
        f"{FLEET}parent-CRP": "llm",
        f"{FLEET}resource-index": "0",
        f"{FLEET}is-latest-snapshot": "true",
    }
    assert meta["annotations"][f"{FLEET}number-of-resource-snapshots"] == "1"
    assert len(meta["annotations"][f"{FLEET}resource-hash"]) == 64
    content = {(o["kind"], o["metadata"]["name"]): o for o in snapshots["llm-0-snapshot"]["spec"]["selectedResources"]}
    config = content[("ConfigMap", "model-config")]
    assert config["data"] == {"model": "phi-4"}
    assert not {"resourceVersion", "uid", "creationTimestamp", "managedFields"} & set(config["metadata"])
    assert ("Namespace", "llm") in content
    placement = hub.get("ClusterResourcePlacement", "llm")
    assert placement["status"]["observedResourceIndex"] == "0"


def test_a_changed_selection_gets_the_next_index_and_the_old_one_is_no_longer_latest(hub: Hub) -> None:
    assert invoke("fleet", "place", "llm", "--select", "namespace/llm", "-y").exit_code == 0
    hub.settle()
    _touch(hub, "llm")  # the same content: no new snapshot
    hub.settle()
    assert list(_snapshots(hub, "llm")) == ["llm-0-snapshot"]
    hub.cluster.patch("v1", "ConfigMap", "llm", "model-config", {"data": {"model": "phi-4-mini"}})
    _touch(hub, "llm")
    hub.settle()
    snapshots = _snapshots(hub, "llm")
    assert sorted(snapshots) == ["llm-0-snapshot", "llm-1-snapshot"]
    assert snapshots["llm-0-snapshot"]["metadata"]["labels"][f"{FLEET}is-latest-snapshot"] == "false"
    assert snapshots["llm-1-snapshot"]["metadata"]["labels"][f"{FLEET}is-latest-snapshot"] == "true"
    status = hub.get("ClusterResourcePlacement", "llm")["status"]
    assert status["observedResourceIndex"] == "1"
    assert {s["observedResourceIndex"] for s in status["placementStatuses"] if s.get("clusterName")} == {"1"}


def test_an_external_placement_is_snapshotted_by_the_run_that_names_no_index(hub: Hub) -> None:
    assert invoke("fleet", "place", "llm", "--select", "namespace/llm", "--external", "-y").exit_code == 0
    assert invoke("fleet", "rollout", "strategy", "create", "s", "--stage", "all", "-y").exit_code == 0
    hub.settle()
    assert _snapshots(hub, "llm") == {}  # the placement controller leaves it to the runs
    made = invoke("fleet", "rollout", "create", "run-1", "--placement", "llm", "--strategy", "s", "-y")
    assert made.exit_code == 0, made
    hub.settle()
    assert list(_snapshots(hub, "llm")) == ["llm-0-snapshot"]
    assert hub.get("ClusterStagedUpdateRun", "run-1")["status"]["resourceSnapshotIndexUsed"] == "0"


def test_a_namespaced_run_of_a_missing_index_is_refused_against_v1beta1_resource_snapshots(hub: Hub) -> None:
    # ResourceSnapshot is served as v1beta1 only (kubefleet config/crd/bases/
    # placement.kubernetes-fleet.io_resourcesnapshots.yaml): akscli listed v1, found no such API and
    # skipped the check.
    ns = ["-n", "llm"]
    placed = invoke("fleet", "place", "cfg", *ns, "--select", "configmap/model-config", "--external", "-y")
    assert placed.exit_code == 0, placed
    assert invoke("fleet", "rollout", "strategy", "create", "s", *ns, "--stage", "all", "-y").exit_code == 0
    hub.settle()
    made = invoke("fleet", "rollout", "create", "snap-0", *ns, "--placement", "cfg", "--strategy", "s", "-y")
    assert made.exit_code == 0, made
    hub.settle()
    snapshots = hub.cluster.list("placement.kubernetes-fleet.io/v1beta1", "ResourceSnapshot", "llm")
    assert [s["metadata"]["name"] for s in snapshots] == ["cfg-0-snapshot"]
    args = ["fleet", "rollout", "create", "run-1", *ns, "--placement", "cfg", "--strategy", "s", "-y"]
    result = invoke(*args, "--resource-index", "4")
    assert result.exit_code == 2, result
    assert "ResourcePlacement cfg has no resource snapshot 4 (it has: 0)" in result.stderr
    assert invoke(*args, "--resource-index", "0").exit_code == 0


def test_the_namespaces_root_ca_configmap_is_not_placed(hub: Hub) -> None:
    # ShouldPropagateObj (upstream: kubefleet-dev/kubefleet e160c1cd pkg/utils/controller/
    # resource_selector_resolver.go): what every cluster makes in a namespace itself
    hub.settle()  # the root CA publisher has made it in llm
    assert hub.cluster.get("v1", "ConfigMap", "llm", "kube-root-ca.crt") is not None
    assert invoke("fleet", "place", "llm", "--select", "namespace/llm", "-y").exit_code == 0
    hub.settle()
    selected = _snapshots(hub, "llm")["llm-0-snapshot"]["spec"]["selectedResources"]
    names = {(o["kind"], o["metadata"]["name"]) for o in selected}
    assert ("ConfigMap", "kube-root-ca.crt") not in names
    assert ("ConfigMap", "model-config") in names
