"""VolumeBinding's bound claims in the pinned-deploy fit check: a claim the weighed pod mounts that
is fully bound needs its PersistentVolume's node affinity met by the node, else "node(s) had volume
node affinity conflict"; a volume that does not exist is "node(s) unavailable due to one or more
pvc(s) bound to non-existent pv(s)" (upstream: kubernetes/kubernetes pkg/scheduler/framework/
plugins/volumebinding/binder.go checkBoundClaims, isPVCFullyBound, read at sanposhiho/kubernetes
059ce4e8; component-helpers storage/volume helpers.go CheckNodeAffinity). The vLLM pod mounts no
named claim: the check is driven with a pod that does. The lab scheduler agrees."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from tests.model.test_deploy_cluster_filters import a100, pinned, plan_and_fit

Start = Callable[..., Any]

ZONE = "topology.kubernetes.io/zone"
CONFLICT = "node(s) had volume node affinity conflict"
NO_PV = "node(s) unavailable due to one or more pvc(s) bound to non-existent pv(s)"
MOUNTING = {"volumes": [{"name": "data", "persistentVolumeClaim": {"claimName": "data"}}]}


def bound_claim(emu: Any, *, pv_zone: str | None = "eastus-1", completed: bool = True) -> None:
    """Claim default/data bound to disk-1, an Azure disk in ``pv_zone`` (None: no such PV)."""
    annotations = {"pv.kubernetes.io/bind-completed": "yes"} if completed else {}
    emu.cluster.create(
        {
            "apiVersion": "v1",
            "kind": "PersistentVolumeClaim",
            "metadata": {"name": "data", "namespace": "default", "annotations": annotations},
            "spec": {
                "accessModes": ["ReadWriteOnce"],
                "resources": {"requests": {"storage": "100Gi"}},
                "storageClassName": "managed-csi",
                "volumeName": "disk-1",
            },
        }
    )
    if pv_zone is None:
        return
    emu.cluster.create(
        {
            "apiVersion": "v1",
            "kind": "PersistentVolume",
            "metadata": {"name": "disk-1"},
            "spec": {
                "capacity": {"storage": "100Gi"},
                "accessModes": ["ReadWriteOnce"],
                "storageClassName": "managed-csi",
                "csi": {"driver": "disk.csi.azure.com", "volumeHandle": "/subscriptions/s/disks/d1"},
                "claimRef": {"namespace": "default", "name": "data"},
                "nodeAffinity": {
                    "required": {
                        "nodeSelectorTerms": [
                            {"matchExpressions": [{"key": ZONE, "operator": "In", "values": [pv_zone]}]}
                        ]
                    }
                },
            },
            "status": {"phase": "Bound"},
        }
    )


def node_in(emu: Any, zone: str) -> None:
    emu.cluster.create(a100(**{ZONE: zone}))


def check() -> str | None:
    """The fit check's note for phi-4 pinned to the A100 size, weighing a pod in default that
    mounts claim data."""
    from akscli.kube.connecting import connect
    from akscli.model import cluster_fit

    plan, fit = plan_and_fit()
    meta = {"namespace": "default", "labels": {"app": "reader"}}
    _, note = cluster_fit.fit_to_cluster(connect(), plan, fit, given=True, pod=lambda f: pinned(**MOUNTING), meta=meta)
    return note


def test_a_node_outside_the_bound_volumes_zone_does_not_count(model_emulator: Start) -> None:
    emu = model_emulator()
    node_in(emu, "eastus-2")
    bound_claim(emu)
    assert f"(1 {CONFLICT})" in (check() or "")


def test_a_node_in_the_bound_volumes_zone_counts(model_emulator: Start) -> None:
    emu = model_emulator()
    node_in(emu, "eastus-1")
    bound_claim(emu)
    assert check() is None


def test_a_claim_bound_to_a_volume_that_does_not_exist_holds_the_pods_on_every_node(model_emulator: Start) -> None:
    # VolumeZone's PreFilter (volumezone/volume_zone.go getPVbyPod) reads the volume before any
    # Filter runs: its lister's NotFound holds the pod, so VolumeBinding's Filter reason
    # (ErrReasonPVNotExist) is never reached in the default profile.
    emu = model_emulator()
    node_in(emu, "eastus-1")
    bound_claim(emu, pv_zone=None)
    note = check() or ""
    assert note.startswith('the pods stay Pending on every node: persistentvolume "disk-1" not found')
    assert NO_PV not in note


def test_a_claim_the_pv_controller_has_not_finished_binding_holds_the_pods(model_emulator: Start) -> None:
    # isPVCFullyBound wants the bind-completed annotation as well as spec.volumeName; a claim that
    # names a volume without it is "treated as unbound immediate binding" (binder.go
    # GetPodVolumeClaims), which volume_binding.go PreFilter refuses on every node.
    emu = model_emulator()
    node_in(emu, "eastus-1")
    bound_claim(emu, completed=False)
    note = check() or ""
    assert note.startswith("the pods stay Pending on every node: pod has unbound immediate PersistentVolumeClaims")
    assert "check that PersistentVolume disk-1 exists and is Available" in note


def test_the_claim_and_its_volume_are_read_by_name_once(model_emulator: Start) -> None:
    emu = model_emulator()
    node_in(emu, "eastus-2")
    bound_claim(emu)
    emu.record_requests = True
    check()
    assert [r.path for r in emu.requests("GET") if "persistentvolume" in r.path] == [
        "/api/v1/namespaces/default/persistentvolumeclaims/data",
        "/api/v1/persistentvolumes/disk-1",
    ]


def test_the_emulators_scheduler_gives_the_same_reason(model_emulator: Start) -> None:
    from tests.emulators.kube.controllers.scheduling import Scheduler

    emu = model_emulator()
    node_in(emu, "eastus-2")
    bound_claim(emu)
    placement = Scheduler(emu.cluster).place(pinned(**MOUNTING), "", {"namespace": "default", "labels": {}})
    assert placement.node is None
    assert placement.message.startswith(f"0/1 nodes are available: 1 {CONFLICT}.")


def test_the_emulators_scheduler_places_the_pod_in_the_volumes_zone(model_emulator: Start) -> None:
    from tests.emulators.kube.controllers.scheduling import Scheduler

    emu = model_emulator()
    node_in(emu, "eastus-1")
    bound_claim(emu)
    assert Scheduler(emu.cluster).place(pinned(**MOUNTING), "", {"namespace": "default", "labels": {}}).node == "a100-0"
