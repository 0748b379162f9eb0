"""VolumeBinding in the pinned-deploy fit check, beyond the class's allowedTopologies: the vLLM
pod's new weights claim binds an Available PersistentVolume the node reaches before it is
provisioned (upstream: kubernetes/kubernetes pkg/scheduler/framework/plugins/volumebinding
binder.go findMatchingVolumes; component-helpers storage/volume/pv_helpers.go FindMatchingVolume),
and a CSI driver that publishes its storage capacity needs a CSIStorageCapacity the node reaches
that holds the claim (binder.go hasEnoughCapacity, ErrReasonNotEnoughSpace). The lab scheduler
agrees."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from tests.baremetal.nodes import NC_A100, ND_H100
from tests.model.test_deploy_cluster_resources import a100_and_h100, deploy
from tests.model.test_deploy_cluster_room import deployment_size
from tests.model.test_deploy_cluster_volume_binding import REASON, ZONAL, zonal_class, zoned_cluster

Start = Callable[..., Any]

LOCAL = "local-nvme"
LVM = "lvm.csi.example.com"  # a CSI driver that publishes CSIStorageCapacity
SPACE = "node(s) did not have enough free storage"
HOST = "kubernetes.io/hostname"


def local_class(emu: Any) -> None:
    """Statically provisioned local volumes: no provisioner, delayed binding."""
    emu.cluster.create(
        {
            "apiVersion": "storage.k8s.io/v1",
            "kind": "StorageClass",
            "metadata": {"name": LOCAL},
            "provisioner": "kubernetes.io/no-provisioner",
            "volumeBindingMode": "WaitForFirstConsumer",
        }
    )


def local_pv(
    emu: Any,
    name: str,
    node_name: str,
    *,
    cls: str = LOCAL,
    size: str = "1Ti",
    modes: tuple[str, ...] = ("ReadWriteOnce",),
    **spec: Any,
) -> None:
    emu.cluster.create(
        {
            "apiVersion": "v1",
            "kind": "PersistentVolume",
            "metadata": {"name": name},
            "spec": {
                "storageClassName": cls,
                "capacity": {"storage": size},
                "accessModes": list(modes),
                "local": {"path": "/mnt/nvme0"},
                "nodeAffinity": {
                    "required": {
                        "nodeSelectorTerms": [
                            {"matchExpressions": [{"key": HOST, "operator": "In", "values": [node_name]}]}
                        ]
                    }
                },
                **spec,
            },
            "status": {"phase": "Available"},
        }
    )


def test_a_node_with_no_local_volume_for_a_class_without_a_provisioner_does_not_count(model_emulator: Start) -> None:
    emu = model_emulator()
    a100_and_h100(emu)
    local_class(emu)
    local_pv(emu, "nvme-h100", "h100-0")
    result = deploy("--storage-class", LOCAL)
    assert deployment_size(emu) == ND_H100
    assert f"no {NC_A100} node of the cluster can take the pods now (1 {REASON})" in " ".join(result.stderr.split())


def test_a_node_with_an_available_local_volume_counts(model_emulator: Start) -> None:
    emu = model_emulator()
    a100_and_h100(emu)
    local_class(emu)
    local_pv(emu, "nvme-a100", "a100-0")
    assert deploy("--storage-class", LOCAL) and deployment_size(emu) == NC_A100


def test_a_volume_too_small_bound_elsewhere_or_of_other_access_modes_does_not_count(model_emulator: Start) -> None:
    emu = model_emulator()
    a100_and_h100(emu)
    local_class(emu)
    local_pv(emu, "small", "a100-0", size="10Gi")
    local_pv(emu, "taken", "a100-0", claimRef={"namespace": "team-a", "name": "data"})
    local_pv(emu, "shared", "a100-0", modes=("ReadOnlyMany",))
    local_pv(emu, "nvme-h100", "h100-0")
    assert deploy("--storage-class", LOCAL) and deployment_size(emu) == ND_H100


def test_an_available_volume_in_the_node_zone_counts_outside_the_classes_allowed_zones(model_emulator: Start) -> None:
    # A claim with a matching PV binds it and is not provisioned: allowedTopologies are not read.
    emu = model_emulator()
    zoned_cluster(emu)
    zonal_class(emu, ["eastus-1"])
    local_pv(emu, "disk-a100", "a100-0", cls=ZONAL)
    assert deploy("--storage-class", ZONAL) and deployment_size(emu) == NC_A100


def capacity_driver(emu: Any, publishes: bool = True) -> None:
    emu.cluster.create(
        {
            "apiVersion": "storage.k8s.io/v1",
            "kind": "CSIDriver",
            "metadata": {"name": LVM},
            "spec": {"attachRequired": False, **({"storageCapacity": True} if publishes else {})},
        }
    )
    emu.cluster.create(
        {
            "apiVersion": "storage.k8s.io/v1",
            "kind": "StorageClass",
            "metadata": {"name": "lvm"},
            "provisioner": LVM,
            "volumeBindingMode": "WaitForFirstConsumer",
        }
    )


def capacity(emu: Any, node_name: str, free: str, *, labelled: bool = True) -> None:
    """A CSIStorageCapacity as the external-provisioner publishes it for one node's storage
    (``labelled``: with its driver-name label; else as another tool may publish it)."""
    emu.cluster.create(
        {
            "apiVersion": "storage.k8s.io/v1",
            "kind": "CSIStorageCapacity",
            "metadata": {
                "name": f"csisc-{node_name}",
                "namespace": "kube-system",
                "labels": {"csi.storage.k8s.io/drivername": LVM} if labelled else {},
            },
            "storageClassName": "lvm",
            "nodeTopology": {"matchLabels": {HOST: node_name}},
            "capacity": free,
        }
    )


def test_a_node_whose_published_capacity_is_short_does_not_count(model_emulator: Start) -> None:
    emu = model_emulator()
    a100_and_h100(emu)
    capacity_driver(emu)
    capacity(emu, "a100-0", "10Gi")
    capacity(emu, "h100-0", "2Ti")
    result = deploy("--storage-class", "lvm")
    assert deployment_size(emu) == ND_H100
    assert f"no {NC_A100} node of the cluster can take the pods now (1 {SPACE})" in " ".join(result.stderr.split())


def test_a_node_whose_published_capacity_holds_the_claim_counts(model_emulator: Start) -> None:
    emu = model_emulator()
    a100_and_h100(emu)
    capacity_driver(emu)
    capacity(emu, "a100-0", "2Ti")
    assert deploy("--storage-class", "lvm") and deployment_size(emu) == NC_A100


def test_a_capacity_published_without_the_driver_label_counts(model_emulator: Start) -> None:
    # hasEnoughCapacity lists every CSIStorageCapacity and matches on storageClassName alone.
    emu = model_emulator()
    a100_and_h100(emu)
    capacity_driver(emu)
    capacity(emu, "a100-0", "2Ti", labelled=False)
    capacity(emu, "h100-0", "2Ti")
    assert deploy("--storage-class", "lvm") and deployment_size(emu) == NC_A100


def test_unlabelled_capacities_are_read_after_the_drivers_and_only_where_those_fall_short(
    model_emulator: Start,
) -> None:
    emu = model_emulator()
    a100_and_h100(emu)
    capacity_driver(emu)
    capacity(emu, "a100-0", "2Ti", labelled=False)
    emu.record_requests = True
    deploy("--storage-class", "lvm")
    reads = [r for r in emu.requests("GET") if "csistoragecapacities" in r.path]
    assert [(r.query.get("labelSelector"), r.query.get("limit")) for r in reads] == [
        ([f"csi.storage.k8s.io/drivername={LVM}"], ["500"]),
        (["!csi.storage.k8s.io/drivername"], ["500"]),
    ]


def test_the_drivers_own_capacities_that_fit_spare_the_unlabelled_read(model_emulator: Start) -> None:
    emu = model_emulator()
    a100_and_h100(emu)
    capacity_driver(emu)
    capacity(emu, "a100-0", "2Ti")
    emu.record_requests = True
    assert deploy("--storage-class", "lvm") and deployment_size(emu) == NC_A100
    reads = [r for r in emu.requests("GET") if "csistoragecapacities" in r.path]
    assert [r.query.get("labelSelector") for r in reads] == [[f"csi.storage.k8s.io/drivername={LVM}"]]


def test_the_emulators_scheduler_counts_a_capacity_without_the_driver_label(model_emulator: Start) -> None:
    emu = model_emulator()
    a100_and_h100(emu)
    capacity_driver(emu)
    capacity(emu, "a100-0", "2Ti", labelled=False)
    deploy("--vm-size", NC_A100, "--storage-class", "lvm")
    emu.idle(5)
    pods = [p for p in emu.cluster.list("v1", "Pod", "default") if "phi-4" in p["metadata"]["name"]]
    # No provisioner runs for lvm: the scheduler's PreBind holds each pod, unbound, with the node it
    # chose written on the pod's claim (binder.go bindAPIUpdate; controllers/volume_prebind.py).
    claims = [
        emu.cluster.get("v1", "PersistentVolumeClaim", "default", f"{p['metadata']['name']}-weights") for p in pods
    ]
    assert pods and all(
        ((c or {}).get("metadata") or {}).get("annotations", {}).get("volume.kubernetes.io/selected-node") == "a100-0"
        for c in claims
    )


def test_a_driver_that_does_not_publish_capacity_is_not_checked_nor_its_capacity_read(model_emulator: Start) -> None:
    emu = model_emulator()
    a100_and_h100(emu)
    capacity_driver(emu, publishes=False)
    capacity(emu, "a100-0", "10Gi")
    emu.record_requests = True
    assert deploy("--storage-class", "lvm") and deployment_size(emu) == NC_A100
    assert not [r for r in emu.requests("GET") if "csistoragecapacities" in r.path]


def test_the_emulators_scheduler_leaves_the_pod_pending_without_capacity(model_emulator: Start) -> None:
    emu = model_emulator()
    a100_and_h100(emu)
    capacity_driver(emu)
    capacity(emu, "a100-0", "10Gi")
    deploy("--vm-size", NC_A100, "--storage-class", "lvm")
    emu.idle(5)
    events = [e.get("message", "") for e in emu.cluster.list("v1", "Event", "default")]
    assert any(f"1 {SPACE}" in m for m in events), events


def test_the_emulators_scheduler_binds_an_available_local_volume(model_emulator: Start) -> None:
    emu = model_emulator()
    a100_and_h100(emu)
    local_class(emu)
    local_pv(emu, "nvme-a100", "a100-0")
    deploy("--vm-size", NC_A100, "--storage-class", LOCAL)
    emu.idle(5)
    pods = [p for p in emu.cluster.list("v1", "Pod", "default") if "phi-4" in p["metadata"]["name"]]
    assert pods and all(p["spec"].get("nodeName") == "a100-0" for p in pods)
