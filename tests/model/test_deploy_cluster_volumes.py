"""A pinned deploy counts the kube-scheduler's NodeVolumeLimits filter: the vLLM pod's weights
volume is a generic ephemeral claim on managed-csi-premium (Azure Disk CSI), and a node whose
CSINode count for disk.csi.azure.com is filled by the volumes of the pods bound to it has no room
(upstream: kubernetes/kubernetes pkg/scheduler/framework/plugins/nodevolumelimits/csi.go Filter,
filterAttachableVolumes, getCSIDriverInfo, getCSIDriverInfoFromSC; mirror 113b12c6). A bound
claim counts for its PersistentVolume's driver, an unbound one for its class's provisioner, a
claim that does not exist not at all."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from tests.baremetal.nodes import AZURE_DISK, MAX_DATA_DISKS, NC_A100, ND_H100, csinode
from tests.emulators.kube.controllers.volume_prebind import EphemeralVolumeController
from tests.model.test_deploy_cluster_resources import a100_and_h100, bound_pod, deploy
from tests.model.test_deploy_cluster_room import deployment_size

Start = Callable[..., Any]


CLASS = "managed-csi-premium"
DISK = "/subscriptions/s/resourceGroups/mc_rg/providers/Microsoft.Compute/disks/"
# validation requires a claim's storage request (ValidatePersistentVolumeClaimSpec)
STORAGE = {"requests": {"storage": "10Gi"}}


def disk_class(emu: Any, name: str = CLASS, provisioner: str = AZURE_DISK) -> None:
    """A StorageClass (AKS's managed-csi-premium: provisioner disk.csi.azure.com)."""
    if emu.cluster.get("storage.k8s.io/v1", "StorageClass", None, name) is None:
        sc = {"apiVersion": "storage.k8s.io/v1", "kind": "StorageClass", "metadata": {"name": name}}
        emu.cluster.create({**sc, "provisioner": provisioner})


def volume(emu: Any, name: str, source: dict[str, Any]) -> None:
    """A PersistentVolume with this source (``{"csi": ...}`` or an in-tree ``{"azureDisk": ...}``)."""
    spec = {"capacity": {"storage": "10Gi"}, "accessModes": ["ReadWriteOnce"], **source}
    emu.cluster.create({"apiVersion": "v1", "kind": "PersistentVolume", "metadata": {"name": name}, "spec": spec})


def claim(
    emu: Any, namespace: str, name: str, cls: str = CLASS, pv: str | None = None, pod: dict[str, Any] | None = None
) -> None:
    """A claim of the class, bound to ``pv`` where given; ``pod`` controls it, as the ephemeral
    controller makes a pod's claim (pkg/controller/volume/ephemeral/controller.go handleVolume:
    an ownerReference to the pod with controller true)."""
    if emu.cluster.get("v1", "Namespace", None, namespace) is None:
        emu.cluster.create({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": namespace}})
    spec: dict[str, Any] = {"storageClassName": cls, "accessModes": ["ReadWriteOnce"], "resources": STORAGE}
    if pv:
        spec["volumeName"] = pv
    meta: dict[str, Any] = {"name": name, "namespace": namespace}
    if pod is not None:
        owner = {"apiVersion": "v1", "kind": "Pod", "name": pod["metadata"]["name"], "uid": pod["metadata"]["uid"]}
        meta["ownerReferences"] = [{**owner, "controller": True, "blockOwnerDeletion": True}]
    emu.cluster.create({"apiVersion": "v1", "kind": "PersistentVolumeClaim", "metadata": meta, "spec": spec})


def disks_on(emu: Any, node_name: str, used: int, count: int | None = None) -> None:
    """managed-csi-premium, the node's CSINode (an NC24ads_A100_v4's 8 disk slots unless
    ``count``), and a pod bound to it mounting ``used`` ephemeral disks: each claim
    (``db-d<i>``, as the ephemeral controller names it) bound to the Azure disk the driver
    provisioned for it. The emulator's ephemeral volume controller is paused meanwhile: the claims
    are made here, as it made them."""
    paused = pause_ephemeral_controller(emu)
    disk_class(emu)
    emu.cluster.create(csinode(node_name, NC_A100, count))
    template = {"spec": {"storageClassName": CLASS, "accessModes": ["ReadWriteOnce"], "resources": STORAGE}}
    volumes = [{"name": f"d{i}", "ephemeral": {"volumeClaimTemplate": template}} for i in range(used)]
    bound_pod(emu, "db", node_name, {"containers": [{"name": "app", "image": "app"}], "volumes": volumes})
    db = emu.cluster.get("v1", "Pod", "team-a", "db")
    for i in range(used):
        volume(emu, f"pvc-db-d{i}", {"csi": {"driver": AZURE_DISK, "volumeHandle": f"{DISK}pvc-db-d{i}"}})
        claim(emu, "team-a", f"db-d{i}", pv=f"pvc-db-d{i}", pod=db)
    emu.controllers.controllers.extend(paused)


def pause_ephemeral_controller(emu: Any) -> list[Any]:
    """Take the emulator's ephemeral volume controller out (its listener stays; it runs again once
    put back in emu.controllers.controllers)."""
    paused = [c for c in emu.controllers.controllers if isinstance(c, EphemeralVolumeController)]
    for controller in paused:
        emu.controllers.remove(controller)
    return paused


def pod_with_claims(emu: Any, namespace: str, name: str, node_name: str, claims: list[str]) -> None:
    """A pod bound to the node mounting these claims of its namespace."""
    volumes = [{"name": c, "persistentVolumeClaim": {"claimName": c}} for c in claims]
    emu.cluster.create(
        {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": name, "namespace": namespace},
         "spec": {"nodeName": node_name, "containers": [{"name": "app", "image": "app"}], "volumes": volumes},
         "status": {"phase": "Running"}}
    )  # fmt: skip


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


def test_an_unbound_claim_of_a_bound_pod_is_counted_through_its_class(model_emulator: Start) -> None:
    # A persistentVolumeClaim volume whose claim has no volume yet: its class names the driver.
    emu = model_emulator()
    a100_and_h100(emu)
    disks_on(emu, "a100-0", used=MAX_DATA_DISKS[NC_A100] - 1)
    claim(emu, "team-a", "data")
    pod_with_claims(emu, "team-a", "app", "a100-0", ["data"])
    result = deploy()
    assert deployment_size(emu) == ND_H100
    assert "(1 node(s) exceed max volume count)" in result.stderr


def test_a_node_without_csinode_has_no_volume_limit(model_emulator: Start) -> None:
    emu = model_emulator()
    a100_and_h100(emu)
    disks_on(emu, "a100-0", used=MAX_DATA_DISKS[NC_A100])
    emu.cluster.delete("storage.k8s.io/v1", "CSINode", None, "a100-0")
    assert deploy() and deployment_size(emu) == NC_A100


def test_a_static_azure_disk_of_a_classless_claim_is_counted_through_its_volume(model_emulator: Start) -> None:
    # A pre-provisioned disk: the claim names no class, its PersistentVolume names the driver.
    emu = model_emulator()
    a100_and_h100(emu)
    disks_on(emu, "a100-0", used=MAX_DATA_DISKS[NC_A100] - 1)
    volume(emu, "static-disk", {"csi": {"driver": AZURE_DISK, "volumeHandle": f"{DISK}static"}})
    claim(emu, "team-a", "data", cls="", pv="static-disk")
    pod_with_claims(emu, "team-a", "app", "a100-0", ["data"])
    result = deploy()
    assert deployment_size(emu) == ND_H100
    assert "(1 node(s) exceed max volume count)" in result.stderr


def test_an_in_tree_azure_disk_volume_is_counted_as_azure_disk_csi(model_emulator: Start) -> None:
    # CSI migration translates kubernetes.io/azure-disk to disk.csi.azure.com on a node with a CSINode.
    emu = model_emulator()
    a100_and_h100(emu)
    disks_on(emu, "a100-0", used=MAX_DATA_DISKS[NC_A100] - 1)
    volume(emu, "old-disk", {"azureDisk": {"diskName": "old", "diskURI": f"{DISK}old", "kind": "Managed"}})
    claim(emu, "team-a", "data", cls="", pv="old-disk")
    pod_with_claims(emu, "team-a", "app", "a100-0", ["data"])
    assert deploy() and deployment_size(emu) == ND_H100


def test_a_claim_bound_to_a_volume_of_another_driver_is_not_counted_for_disks(model_emulator: Start) -> None:
    # The class says Azure Disk, the volume it is bound to is an Azure Files share: no disk slot.
    emu = model_emulator()
    a100_and_h100(emu)
    disks_on(emu, "a100-0", used=MAX_DATA_DISKS[NC_A100] - 1)
    volume(emu, "share", {"csi": {"driver": "file.csi.azure.com", "volumeHandle": "rg#account#share"}})
    claim(emu, "team-a", "data", pv="share")
    pod_with_claims(emu, "team-a", "app", "a100-0", ["data"])
    assert deploy() and deployment_size(emu) == NC_A100


def test_an_ephemeral_volume_whose_claim_does_not_exist_is_not_counted(model_emulator: Start) -> None:
    # The scheduler does not count a claim of a bound pod it cannot read.
    emu = model_emulator()
    a100_and_h100(emu)
    disks_on(emu, "a100-0", used=MAX_DATA_DISKS[NC_A100])
    pause_ephemeral_controller(emu)  # it would make the claim again (controller.go onPVCDelete)
    emu.cluster.delete("v1", "PersistentVolumeClaim", "team-a", "db-d0")
    assert deploy() and deployment_size(emu) == NC_A100


def test_claims_in_every_namespace_of_the_nodes_pods_are_counted(model_emulator: Start) -> None:
    # One disk in each of 8 namespaces fills the node's 8 slots.
    emu = model_emulator()
    a100_and_h100(emu)
    disks_on(emu, "a100-0", used=0)
    for i in range(MAX_DATA_DISKS[NC_A100]):
        volume(emu, f"pv-{i}", {"csi": {"driver": AZURE_DISK, "volumeHandle": f"{DISK}d{i}"}})
        claim(emu, f"team-{i}", "data", pv=f"pv-{i}")
        pod_with_claims(emu, f"team-{i}", "app", "a100-0", ["data"])
    result = deploy()
    assert deployment_size(emu) == ND_H100
    assert "(1 node(s) exceed max volume count)" in result.stderr


def test_the_emulators_scheduler_counts_a_claim_through_its_volume(model_emulator: Start) -> None:
    emu = model_emulator()
    a100_and_h100(emu)
    disks_on(emu, "a100-0", used=MAX_DATA_DISKS[NC_A100] - 1)
    volume(emu, "share", {"csi": {"driver": "file.csi.azure.com", "volumeHandle": "rg#account#share"}})
    claim(emu, "team-a", "data", pv="share")
    pod_with_claims(emu, "team-a", "app", "a100-0", ["data"])
    deploy("--vm-size", NC_A100)
    emu.idle(5)
    pods = [p for p in emu.cluster.list("v1", "Pod", "default") if "phi-4" in p["metadata"]["name"]]
    assert pods and all(p["spec"].get("nodeName") == "a100-0" for p in pods)


def test_claims_and_volumes_are_read_a_page_at_a_time_never_by_name(model_emulator: Start) -> None:
    emu = model_emulator()
    a100_and_h100(emu)
    disks_on(emu, "a100-0", used=MAX_DATA_DISKS[NC_A100])
    with emu._log_lock:
        emu.request_log.clear()
    deploy()
    reads = [r for r in emu.requests(method="GET") if "persistentvolume" in r.path]
    assert reads and all(r.verb == "list" and r.query.get("limit") == ["500"] for r in reads)
    assert sorted(r.path for r in reads) == [
        "/api/v1/namespaces/team-a/persistentvolumeclaims",
        "/api/v1/persistentvolumes",
    ]


def test_an_inline_azure_disk_volume_of_a_bound_pod_is_counted(model_emulator: Start) -> None:
    # checkAttachableInlineVolume: an in-tree azureDisk volume in the pod's spec, translated to CSI.
    emu = model_emulator()
    a100_and_h100(emu)
    disks_on(emu, "a100-0", used=MAX_DATA_DISKS[NC_A100] - 1)
    inline = {"name": "old", "azureDisk": {"diskName": "old", "diskURI": f"{DISK}old", "kind": "Managed"}}
    bound_pod(emu, "legacy", "a100-0", {"containers": [{"name": "app", "image": "app"}], "volumes": [inline]})
    assert deploy() and deployment_size(emu) == ND_H100
