"""VolumeBinding and VolumeZone for the claims a weighed pod mounts by name, in the pinned-deploy
fit check (upstream, read at sanposhiho/kubernetes 059ce4e8: pkg/scheduler/framework/plugins/
volumebinding/volume_binding.go PreFilter and podHasPVCs, binder.go GetPodVolumeClaims and
FindPodVolumes; volumezone/volume_zone.go; kubernetes/kubernetes 109698ca component-helpers
storage/volume pv_helpers.go FindMatchingVolume, IsDelayBindingMode).
- A claim that is missing, Lost, being deleted, or not bound while its class binds at once (or
  that names a volume not yet bound to it) holds the pod on every node: PreFilter refuses it
  before any node is filtered.
- A claim of a WaitForFirstConsumer class not yet bound binds a volume pre-bound to it by
  claimRef where the node reaches it, else an Available one, else is provisioned.
- A node that fails several VolumeBinding checks gets each reason.
- A bound volume's zone labels keep the pod out of other zones (VolumeZone).
The vLLM pod mounts no named claim: the check is driven with a pod that does."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from tests.emulators.kube.controllers.volume_provisioner import PersistentVolumeController
from tests.model.test_deploy_cluster_bound_claims import CONFLICT, MOUNTING, bound_claim, check, node_in
from tests.model.test_deploy_cluster_filters import pinned

Start = Callable[..., Any]

ZONE = "topology.kubernetes.io/zone"
BIND = "node(s) didn't find available persistent volumes to bind"
NO_ZONE = "node(s) had no available volume zone"
HELD = "the pods stay Pending on every node: "


def claim(emu: Any, name: str = "data", cls: str = "local", volume: str = "") -> None:
    spec: dict[str, Any] = {
        "accessModes": ["ReadWriteOnce"],
        "resources": {"requests": {"storage": "100Gi"}},
        "storageClassName": cls,
    }
    if volume:
        spec["volumeName"] = volume
    emu.cluster.create(
        {
            "apiVersion": "v1",
            "kind": "PersistentVolumeClaim",
            "metadata": {"name": name, "namespace": "default"},
            "spec": spec,
        }
    )


def local_class(emu: Any, mode: str = "WaitForFirstConsumer") -> None:
    """A class that provisions nothing (local volumes): a claim of it binds a PV or nothing."""
    emu.cluster.create(
        {
            "apiVersion": "storage.k8s.io/v1",
            "kind": "StorageClass",
            "metadata": {"name": "local"},
            "provisioner": "kubernetes.io/no-provisioner",
            "volumeBindingMode": mode,
        }
    )


def local_pv(emu: Any, zone: str, claim_ref: dict[str, str] | None = None, phase: str = "Available") -> None:
    spec: dict[str, Any] = {
        "capacity": {"storage": "100Gi"},
        "accessModes": ["ReadWriteOnce"],
        "storageClassName": "local",
        "local": {"path": "/mnt/disk"},
        "nodeAffinity": {
            "required": {
                "nodeSelectorTerms": [{"matchExpressions": [{"key": ZONE, "operator": "In", "values": [zone]}]}]
            }
        },
    }
    if claim_ref:
        spec["claimRef"] = claim_ref
    emu.cluster.create(
        {
            "apiVersion": "v1",
            "kind": "PersistentVolume",
            "metadata": {"name": f"local-{zone}"},
            "spec": spec,
            "status": {"phase": phase},
        }
    )


def test_a_missing_claim_holds_the_pods_on_every_node_and_says_how_to_fix_it(model_emulator: Start) -> None:
    emu = model_emulator()
    node_in(emu, "eastus-1")
    assert check() == (
        f'{HELD}persistentvolumeclaim "data" not found (the scheduler\'s words): create claim data in namespace '
        "default, or mount a claim that exists (kubectl get pvc -n default)"
    )


def test_a_held_pod_costs_no_node_list(model_emulator: Start) -> None:
    emu = model_emulator()
    node_in(emu, "eastus-1")
    emu.record_requests = True
    check()
    assert [r.path for r in emu.requests("GET") if "/nodes" in r.path] == []


def test_an_unbound_claim_of_a_class_that_binds_at_once_holds_the_pods(model_emulator: Start) -> None:
    emu = model_emulator()
    node_in(emu, "eastus-1")
    local_class(emu, mode="Immediate")
    claim(emu)
    note = check() or ""
    assert note.startswith(f"{HELD}pod has unbound immediate PersistentVolumeClaims")
    assert "kubectl describe pvc data -n default" in note


def test_an_unbound_claim_of_a_class_not_found_holds_the_pods(model_emulator: Start) -> None:
    # IsDelayBindingMode: a class that is not found is immediate binding.
    emu = model_emulator()
    node_in(emu, "eastus-1")
    claim(emu, cls="missing")
    assert (check() or "").startswith(f"{HELD}pod has unbound immediate PersistentVolumeClaims")


def test_an_unbound_claim_of_a_class_not_found_is_told_the_class_it_lacks(model_emulator: Start) -> None:
    # The PV controller cannot provision it (pv_controller.go provisionClaim: ProvisioningFailed
    # `storageclass.storage.k8s.io "missing" not found`): the class is named, as a wait names it.
    emu = model_emulator()
    node_in(emu, "eastus-1")
    claim(emu, cls="missing")
    assert "claim data asks for StorageClass missing, which the cluster does not have" in (check() or "")


def test_a_delayed_claim_binds_the_volume_pre_bound_to_it_where_the_node_reaches_it(model_emulator: Start) -> None:
    emu = model_emulator()
    node_in(emu, "eastus-1")
    local_class(emu)
    claim(emu)
    # Pre-bound: any phase, FindMatchingVolume returns it before the phase check.
    local_pv(emu, "eastus-1", claim_ref={"namespace": "default", "name": "data"}, phase="Pending")
    assert check() is None


def test_a_volume_pre_bound_to_the_claim_out_of_the_nodes_reach_leaves_it_nothing_to_bind(
    model_emulator: Start,
) -> None:
    emu = model_emulator()
    # Before kube-controller-manager's PV controller binds the claim to the volume pre-bound to it,
    # as it does whatever the binding mode (kubernetes/kubernetes pkg/controller/volume/
    # persistentvolume/pv_controller.go syncUnboundClaim; pv_helpers.go FindMatchingVolume with no node).
    for controller in [c for c in emu.controllers.controllers if isinstance(c, PersistentVolumeController)]:
        emu.controllers.remove(controller)
    node_in(emu, "eastus-2")
    local_class(emu)
    claim(emu)
    local_pv(emu, "eastus-1", claim_ref={"namespace": "default", "name": "data"})
    assert f"(1 {BIND})" in (check() or "")


def test_a_volume_pre_bound_to_another_claim_is_not_the_claims(model_emulator: Start) -> None:
    emu = model_emulator()
    node_in(emu, "eastus-1")
    local_class(emu)
    claim(emu)
    local_pv(emu, "eastus-1", claim_ref={"namespace": "default", "name": "other"})
    assert f"(1 {BIND})" in (check() or "")


def test_an_available_volume_the_node_reaches_binds_a_delayed_claim(model_emulator: Start) -> None:
    emu = model_emulator()
    node_in(emu, "eastus-1")
    local_class(emu)
    claim(emu)
    local_pv(emu, "eastus-1")
    assert check() is None


def test_a_node_failing_two_volume_binding_checks_is_counted_under_each_reason(model_emulator: Start) -> None:
    # binder.go FindPodVolumes: NodeConflict (a bound claim), then BindConflict (a delayed one);
    # volume_binding.go Filter appends both.
    from akscli.kube.connecting import connect
    from akscli.model import cluster_fit
    from tests.model.test_deploy_cluster_filters import plan_and_fit

    emu = model_emulator()
    node_in(emu, "eastus-2")
    bound_claim(emu)  # default/data, its volume in eastus-1
    local_class(emu)
    claim(emu, name="scratch")
    mounts = {"volumes": [*MOUNTING["volumes"], {"name": "scratch", "persistentVolumeClaim": {"claimName": "scratch"}}]}
    plan, fit = plan_and_fit()
    meta = {"namespace": "default", "labels": {"app": "reader"}}
    _, note = cluster_fit.fit_to_cluster(connect(), plan, fit, given=True, pod=lambda f: pinned(**mounts), meta=meta)
    assert f"(1 {CONFLICT}, 1 {BIND})" in (note or "")


def zoned_volume(emu: Any, zone_label: str) -> None:
    """Claim default/data bound to disk-1, whose only placement is its zone label (no node
    affinity), as a volume made before CSI topology carries it."""
    bound_claim(emu)
    emu.cluster.patch(
        "v1",
        "PersistentVolume",
        None,
        "disk-1",
        {"metadata": {"labels": {ZONE: zone_label}}, "spec": {"nodeAffinity": None}},
    )


def test_a_node_outside_the_bound_volumes_zone_label_does_not_count(model_emulator: Start) -> None:
    emu = model_emulator()
    node_in(emu, "eastus-2")
    zoned_volume(emu, "eastus-1")
    assert f"(1 {NO_ZONE})" in (check() or "")


def test_a_volume_labelled_with_several_zones_admits_each(model_emulator: Start) -> None:
    emu = model_emulator()
    node_in(emu, "eastus-2")
    zoned_volume(emu, "eastus-1__eastus-2")
    assert check() is None


def test_a_node_without_zone_labels_passes_volume_zone(model_emulator: Start) -> None:
    # volume_zone.go Filter: a node with no topology label is a single-zone cluster's.
    from tests.model.test_deploy_cluster_filters import a100

    emu = model_emulator()
    emu.cluster.create(a100())
    zoned_volume(emu, "eastus-1")
    assert check() is None


class FakeReads:
    """The reads volume_binding.held makes, from one claim."""

    def __init__(self, pvc: dict[str, Any]) -> None:
        self.pvc = pvc

    def named_claim(self, key: str) -> tuple[bool, dict[str, Any] | None]:
        return True, self.pvc

    def storage_class(self, name: str) -> dict[str, Any] | None:
        return {"provisioner": "disk.csi.azure.com", "volumeBindingMode": "WaitForFirstConsumer"}


@pytest.mark.parametrize(
    ("pvc", "message"),
    [
        (
            {"metadata": {}, "spec": {"volumeName": "disk-1"}, "status": {"phase": "Lost"}},
            'persistentvolumeclaim "data" bound to non-existent persistentvolume "disk-1"',
        ),
        (
            {"metadata": {"deletionTimestamp": "2026-01-01T00:00:00Z"}, "spec": {}, "status": {}},
            'persistentvolumeclaim "data" is being deleted',
        ),
    ],
)
def test_a_lost_or_deleting_claim_holds_the_pod_with_pod_has_pvcs_words(pvc: dict[str, Any], message: str) -> None:
    from akscli.kube import volume_binding

    held = volume_binding.held(MOUNTING, "default", FakeReads(pvc))  # type: ignore[arg-type]
    assert held is not None and held.message == message


def lab_message(emu: Any, spec: dict[str, Any]) -> str:
    from tests.emulators.kube.controllers.scheduling import Scheduler

    placement = Scheduler(emu.cluster).place(spec, "", {"namespace": "default", "labels": {}})
    assert placement.node is None
    return placement.message


def test_the_emulators_scheduler_holds_a_pod_whose_claim_is_missing_with_the_prefilters_words(
    model_emulator: Start,
) -> None:
    # pkg/scheduler/framework/types.go FitError.Error: the PreFilter's message, no histogram.
    emu = model_emulator()
    node_in(emu, "eastus-1")
    assert lab_message(emu, pinned(**MOUNTING)) == (
        '0/1 nodes are available: persistentvolumeclaim "data" not found. preemption: 0/1 nodes are '
        "available: 1 Preemption is not helpful for scheduling."
    )


def test_the_emulators_scheduler_gives_each_volume_binding_reason(model_emulator: Start) -> None:
    emu = model_emulator()
    node_in(emu, "eastus-2")
    bound_claim(emu)
    local_class(emu)
    claim(emu, name="scratch")
    mounts = {"volumes": [*MOUNTING["volumes"], {"name": "scratch", "persistentVolumeClaim": {"claimName": "scratch"}}]}
    assert lab_message(emu, pinned(**mounts)).startswith(f"0/1 nodes are available: 1 {BIND}, 1 {CONFLICT}.")


def test_the_emulators_scheduler_keeps_the_pod_out_of_the_volumes_zone_label(model_emulator: Start) -> None:
    emu = model_emulator()
    node_in(emu, "eastus-2")
    zoned_volume(emu, "eastus-1")
    assert lab_message(emu, pinned(**MOUNTING)).startswith(f"0/1 nodes are available: 1 {NO_ZONE}.")


def test_the_emulators_scheduler_binds_the_pre_bound_volume_in_reach(model_emulator: Start) -> None:
    from tests.emulators.kube.controllers.scheduling import Scheduler

    emu = model_emulator()
    node_in(emu, "eastus-1")
    local_class(emu)
    claim(emu)
    local_pv(emu, "eastus-1", claim_ref={"namespace": "default", "name": "data"}, phase="Pending")
    placement = Scheduler(emu.cluster).place(pinned(**MOUNTING), "", {"namespace": "default", "labels": {}})
    assert placement.node == "a100-0"
