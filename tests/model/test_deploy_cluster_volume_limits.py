"""NodeVolumeLimits' limits and its ownership check in the pinned-deploy fit check, and the lab
scheduler agreeing (upstream: kubernetes/kubernetes pkg/scheduler/framework/plugins/nodevolumelimits
csi.go getVolumeLimits and filterAttachableVolumes, utils.go volumeLimits, mirror 113b12c6;
component-helpers storage/ephemeral VolumeIsForPod; schedule_one.go findNodesThatPassFilters).

- A node's limit for a CSI driver is its allocatable ``attachable-volumes-csi-<driver>``, and the
  CSINode's count for the driver where it has one.
- A bound pod's generic ephemeral claim that its pod does not control makes the filter fail with
  an error, which ends the scheduler's attempt: the pods stay Pending."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from tests.baremetal.nodes import AZURE_DISK, MAX_DATA_DISKS, NC_A100, ND_H100
from tests.model.test_deploy_cluster_resources import a100_and_h100, deploy
from tests.model.test_deploy_cluster_room import deployment_size
from tests.model.test_deploy_cluster_volumes import claim, disks_on

Start = Callable[..., Any]

CSI_KEY = f"attachable-volumes-csi-{AZURE_DISK}"  # attach_limit.go GetCSIAttachLimitKey
NOT_OWNER = (
    'running "NodeVolumeLimits" filter plugin: PVC team-a/db-d0 was not created for pod team-a/db (pod is not owner)'
)


def allocatable_limit(emu: Any, node_name: str, key: str, count: int) -> None:
    """The node advertises ``count`` of ``key`` in status.allocatable, as older kubelets wrote a
    CSI driver's limit (kubernetes/kubernetes#126924 stopped it)."""
    emu.cluster.patch_status("v1", "Node", None, node_name, {"allocatable": {key: str(count)}})


def without_csinode(emu: Any, node_name: str) -> None:
    emu.cluster.delete("storage.k8s.io/v1", "CSINode", None, node_name)


def pods_of_the_deploy(emu: Any) -> list[dict[str, Any]]:
    return [p for p in emu.cluster.list("v1", "Pod", "default") if "phi-4" in p["metadata"]["name"]]


def test_a_node_whose_allocatable_csi_volume_limit_is_used_does_not_count(model_emulator: Start) -> None:
    emu = model_emulator()
    a100_and_h100(emu)
    disks_on(emu, "a100-0", used=MAX_DATA_DISKS[NC_A100])
    without_csinode(emu, "a100-0")
    allocatable_limit(emu, "a100-0", CSI_KEY, MAX_DATA_DISKS[NC_A100])
    result = deploy()
    assert deployment_size(emu) == ND_H100
    assert f"no {NC_A100} node of the cluster can take the pods now (1 node(s) exceed max volume count)" in (
        result.stderr
    )


def test_the_csinode_count_overrides_the_nodes_allocatable_limit(model_emulator: Start) -> None:
    emu = model_emulator()
    a100_and_h100(emu)
    disks_on(emu, "a100-0", used=MAX_DATA_DISKS[NC_A100] - 1)
    allocatable_limit(emu, "a100-0", CSI_KEY, 1)
    assert deploy() and deployment_size(emu) == NC_A100


def test_the_in_tree_azure_disk_allocatable_limits_no_csi_volume(model_emulator: Start) -> None:
    # Volumes count under their CSI driver's key; attachable-volumes-azure-disk is another key.
    emu = model_emulator()
    a100_and_h100(emu)
    disks_on(emu, "a100-0", used=MAX_DATA_DISKS[NC_A100])
    without_csinode(emu, "a100-0")
    allocatable_limit(emu, "a100-0", "attachable-volumes-azure-disk", 1)
    assert deploy() and deployment_size(emu) == NC_A100


def test_the_emulators_scheduler_reads_the_nodes_allocatable_limit(model_emulator: Start) -> None:
    emu = model_emulator()
    a100_and_h100(emu)
    disks_on(emu, "a100-0", used=MAX_DATA_DISKS[NC_A100])
    without_csinode(emu, "a100-0")
    allocatable_limit(emu, "a100-0", CSI_KEY, MAX_DATA_DISKS[NC_A100])
    deploy("--vm-size", NC_A100)
    emu.idle(5)
    pods = pods_of_the_deploy(emu)
    assert pods and all(not p["spec"].get("nodeName") for p in pods)
    events = [e.get("message", "") for e in emu.cluster.list("v1", "Event", "default")]
    assert any("1 node(s) exceed max volume count" in m for m in events), events


def disowned_claim(emu: Any) -> None:
    """The bound pod db's ephemeral claim db-d0 made again with no owner: a claim of that name the
    ephemeral controller did not make for db."""
    emu.cluster.delete("v1", "PersistentVolumeClaim", "team-a", "db-d0")
    claim(emu, "team-a", "db-d0", pv="pvc-db-d0")


def test_a_bound_pods_ephemeral_claim_it_does_not_control_keeps_the_size_off(model_emulator: Start) -> None:
    emu = model_emulator()
    a100_and_h100(emu)
    disks_on(emu, "a100-0", used=1)
    disowned_claim(emu)
    result = deploy()
    assert deployment_size(emu) == ND_H100
    assert f"no {NC_A100} node of the cluster can take the pods now (the scheduler stops at: {NOT_OWNER})" in (
        " ".join(result.stderr.split())
    )


def test_a_bound_pods_ephemeral_claim_it_controls_is_counted(model_emulator: Start) -> None:
    emu = model_emulator()
    a100_and_h100(emu)
    disks_on(emu, "a100-0", used=1)
    assert deploy() and deployment_size(emu) == NC_A100


def test_the_emulators_scheduler_stops_at_a_claim_its_pod_does_not_control(model_emulator: Start) -> None:
    emu = model_emulator()
    a100_and_h100(emu)
    disks_on(emu, "a100-0", used=1)
    disowned_claim(emu)
    deploy("--vm-size", NC_A100)
    emu.idle(5)
    pods = pods_of_the_deploy(emu)
    assert pods and all(not p["spec"].get("nodeName") for p in pods)
    events = [e.get("message", "") for e in emu.cluster.list("v1", "Event", "default")]
    assert any(NOT_OWNER in m for m in events), events


def test_a_driver_name_too_long_for_a_resource_name_counts_under_a_hashed_key() -> None:
    # attach_limit.go GetCSIAttachLimitKey: prefix + 23 characters of the name + 16 hex of its SHA-1.
    from akscli.kube.volume_limits import limit_key

    long = "a-very-long-csi-driver-name.storage.example.com"
    assert limit_key(long) == "attachable-volumes-csi-a-very-long-csi-driver-86bf5f46bc6f1680"
    assert limit_key(AZURE_DISK) == CSI_KEY
