"""VolumeBinding in the pinned-deploy fit check: the vLLM pod's weights claim, on a
WaitForFirstConsumer class (--storage-class), is provisioned for the node the pod is scheduled
to, and only where the class's allowedTopologies admit the node's labels (upstream:
kubernetes/kubernetes pkg/scheduler/framework/plugins/volumebinding binder.go FindPodVolumes,
checkVolumeProvisions; volume_binding.go Filter; mirror 113b12c6). The lab scheduler agrees."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from tests.baremetal.nodes import AZURE_DISK, NC_A100, ND_H100
from tests.model.test_deploy_cluster_resources import a100_and_h100, deploy
from tests.model.test_deploy_cluster_room import deployment_size

Start = Callable[..., Any]

ZONE = "topology.disk.csi.azure.com/zone"  # the zone key Azure Disk CSI's node reports
ZONAL = "zonal-premium"
REASON = "node(s) didn't find available persistent volumes to bind"


def zonal_class(emu: Any, zones: list[str], mode: str = "WaitForFirstConsumer") -> None:
    """An Azure Disk class limited to these zones."""
    emu.cluster.create(
        {
            "apiVersion": "storage.k8s.io/v1",
            "kind": "StorageClass",
            "metadata": {"name": ZONAL},
            "provisioner": AZURE_DISK,
            "volumeBindingMode": mode,
            "allowedTopologies": [{"matchLabelExpressions": [{"key": ZONE, "values": zones}]}],
        }
    )


def in_zone(emu: Any, node_name: str, zone: str) -> None:
    emu.cluster.patch("v1", "Node", None, node_name, {"metadata": {"labels": {ZONE: zone}}})


def zoned_cluster(emu: Any) -> None:
    a100_and_h100(emu)
    in_zone(emu, "a100-0", "eastus-2")
    in_zone(emu, "h100-0", "eastus-1")


def test_a_node_outside_the_classes_allowed_zones_does_not_count(model_emulator: Start) -> None:
    emu = model_emulator()
    zoned_cluster(emu)
    zonal_class(emu, ["eastus-1"])
    result = deploy("--storage-class", ZONAL)
    assert deployment_size(emu) == ND_H100
    assert f"no {NC_A100} node of the cluster can take the pods now (1 {REASON})" in " ".join(result.stderr.split())


def test_a_node_in_an_allowed_zone_counts(model_emulator: Start) -> None:
    emu = model_emulator()
    zoned_cluster(emu)
    zonal_class(emu, ["eastus-1", "eastus-2"])
    assert deploy("--storage-class", ZONAL) and deployment_size(emu) == NC_A100


def test_an_immediate_class_does_not_rule_a_node_out(model_emulator: Start) -> None:
    # Only delayed binding is provisioned for the chosen node; an Immediate claim is bound before.
    emu = model_emulator()
    zoned_cluster(emu)
    zonal_class(emu, ["eastus-1"], mode="Immediate")
    assert deploy("--storage-class", ZONAL) and deployment_size(emu) == NC_A100


def test_a_node_ruled_out_by_its_zone_costs_no_pod_list(model_emulator: Start) -> None:
    emu = model_emulator()
    zoned_cluster(emu)
    zonal_class(emu, ["eastus-1"])
    with emu._log_lock:
        emu.request_log.clear()
    deploy("--storage-class", ZONAL)
    pod_lists = [r for r in emu.requests(method="GET") if r.path == "/api/v1/pods" and r.verb == "list"]
    selectors = [q for r in pod_lists for q in r.query.get("fieldSelector", [])]
    assert not any("spec.nodeName=a100-0" in s for s in selectors), selectors


def test_the_emulators_scheduler_leaves_the_pod_pending_outside_the_allowed_zones(model_emulator: Start) -> None:
    emu = model_emulator()
    zoned_cluster(emu)
    zonal_class(emu, ["eastus-1"])
    deploy("--vm-size", NC_A100, "--storage-class", ZONAL)
    emu.idle(5)
    pods = [p for p in emu.cluster.list("v1", "Pod", "default") if "phi-4" in p["metadata"]["name"]]
    assert pods and all(not p["spec"].get("nodeName") for p in pods)
    events = [e.get("message", "") for e in emu.cluster.list("v1", "Event", "default")]
    assert any(f"1 {REASON}" in m for m in events), events
