"""A pinned deploy counts the kube-scheduler's NodeVolumeLimits filter: the vLLM pod's weights
volume is a generic ephemeral claim on managed-csi-premium (Azure Disk CSI), and a node whose
CSINode count for disk.csi.azure.com is filled by the claims of the pods bound to it has no room
(upstream: kubernetes/kubernetes pkg/scheduler/framework/plugins/nodevolumelimits/csi.go Filter,
filterAttachableVolumes, getCSIDriverInfoFromSC; mirror 113b12c6)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from tests.baremetal.nodes import AZURE_DISK, MAX_DATA_DISKS, NC_A100, ND_H100, csinode
from tests.model.test_deploy_cluster_resources import a100_and_h100, bound_pod, deploy
from tests.model.test_deploy_cluster_room import deployment_size

Start = Callable[..., Any]


def disks_on(emu: Any, node_name: str, used: int, count: int | None = None) -> None:
    """managed-csi-premium (AKS's class; provisioner disk.csi.azure.com), the node's CSINode (an
    NC24ads_A100_v4's 8 disk slots unless ``count``), and a pod bound to it mounting ``used``
    ephemeral disks."""
    emu.cluster.create(
        {
            "apiVersion": "storage.k8s.io/v1",
            "kind": "StorageClass",
            "metadata": {"name": "managed-csi-premium"},
            "provisioner": AZURE_DISK,
        }
    )
    emu.cluster.create(csinode(node_name, NC_A100, count))
    template = {"spec": {"storageClassName": "managed-csi-premium", "accessModes": ["ReadWriteOnce"]}}
    volumes = [{"name": f"d{i}", "ephemeral": {"volumeClaimTemplate": template}} for i in range(used)]
    bound_pod(emu, "db", node_name, {"containers": [{"name": "app", "image": "app"}], "volumes": volumes})


def test_a_node_whose_disk_slots_are_all_attached_does_not_count(model_emulator: Start) -> None:
    emu = model_emulator()
    a100_and_h100(emu)
    disks_on(emu, "a100-0", used=MAX_DATA_DISKS[NC_A100])
    result = deploy()
    assert deployment_size(emu) == ND_H100
    assert f"no {NC_A100} node of the cluster can take the pods now (1 node(s) exceed max volume count)" in (
        result.stderr
    )


def test_a_node_with_a_disk_slot_left_counts(model_emulator: Start) -> None:
    emu = model_emulator()
    a100_and_h100(emu)
    disks_on(emu, "a100-0", used=MAX_DATA_DISKS[NC_A100] - 1)
    result = deploy()
    assert deployment_size(emu) == NC_A100
    assert "can take the pods now" not in result.stderr


def test_the_emulators_scheduler_leaves_the_pod_pending_on_a_full_node(model_emulator: Start) -> None:
    emu = model_emulator()
    a100_and_h100(emu)
    disks_on(emu, "a100-0", used=MAX_DATA_DISKS[NC_A100])
    deploy("--vm-size", NC_A100)
    emu.idle(5)
    pods = [p for p in emu.cluster.list("v1", "Pod", "default") if "phi-4" in p["metadata"]["name"]]
    assert pods and all(not p["spec"].get("nodeName") for p in pods)
    events = [e.get("message", "") for e in emu.cluster.list("v1", "Event", "default")]
    assert any("1 node(s) exceed max volume count" in m for m in events), events


def test_a_claim_of_a_bound_pod_is_counted_through_its_class(model_emulator: Start) -> None:
    # A persistentVolumeClaim volume: the claim's storageClassName names the driver.
    emu = model_emulator()
    a100_and_h100(emu)
    disks_on(emu, "a100-0", used=MAX_DATA_DISKS[NC_A100] - 1)
    emu.cluster.create(
        {
            "apiVersion": "v1",
            "kind": "PersistentVolumeClaim",
            "metadata": {"name": "data", "namespace": "team-a"},
            "spec": {"storageClassName": "managed-csi-premium", "accessModes": ["ReadWriteOnce"]},
        }
    )
    volume = {"name": "data", "persistentVolumeClaim": {"claimName": "data"}}
    bound_pod(emu, "app", "a100-0", {"containers": [{"name": "app", "image": "app"}], "volumes": [volume]})
    result = deploy()
    assert deployment_size(emu) == ND_H100
    assert "(1 node(s) exceed max volume count)" in result.stderr


def test_a_node_without_csinode_has_no_volume_limit(model_emulator: Start) -> None:
    emu = model_emulator()
    a100_and_h100(emu)
    disks_on(emu, "a100-0", used=MAX_DATA_DISKS[NC_A100])
    emu.cluster.delete("storage.k8s.io/v1", "CSINode", None, "a100-0")
    assert deploy() and deployment_size(emu) == NC_A100
