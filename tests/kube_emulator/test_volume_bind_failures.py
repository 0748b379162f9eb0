"""A PreBind that fails, as the scheduler's VolumeBinding and the CSI external-provisioner make it
fail (controllers/volume_prebind.py, volume_provisioner.py): bindTimeout (kubernetes/kubernetes
pkg/scheduler/framework/plugins/volumebinding/binder.go BindPodVolumes, 600 s by default), and a
CreateVolume that fails (kubernetes-csi/external-provisioner pkg/controller/controller.go
checkError; kubernetes-sigs/sig-storage-lib-external-provisioner controller/controller.go
provisionVolumeErrorHandling, rescheduleProvisioning)."""

from __future__ import annotations

from typing import Any

from tests.emulators.kube import KubeEmulator
from tests.emulators.kube.apiserver import wait_until
from tests.emulators.kube.controllers.volume_prebind import PreBind, holding
from tests.emulators.kube.controllers.volume_provisioner import CSIProvisioner
from tests.kube_emulator.helpers import a_node
from tests.kube_emulator.test_statefulset_claims import claims, pods, statefulset
from tests.kube_emulator.test_volume_prebind import SELECTED_NODE, disk_class_without_its_provisioner, held_statefulset

TIMED_OUT = 'running PreBind plugin "VolumeBinding": binding volumes: context deadline exceeded'
PROVISIONING_FAILED = 'running PreBind plugin "VolumeBinding": binding volumes: provisioning failed for PVC "data-db-0"'


def prebind(emu: KubeEmulator) -> PreBind:
    return next(c for c in emu.controllers.controllers if isinstance(c, PreBind))


def messages(emu: KubeEmulator, kind: str, reason: str) -> list[str]:
    found = [e for e in emu.cluster.list("v1", "Event", "default") if e["reason"] == reason]
    return [e["message"] for e in found if e["involvedObject"]["kind"] == kind]


def scheduled_condition(emu: KubeEmulator) -> dict[str, Any]:
    conditions = (pods(emu).get("db-0") or {}).get("status", {}).get("conditions") or []
    return next((c for c in conditions if c["type"] == "PodScheduled"), {})


def failing_provisioner(emu: KubeEmulator, *errors: tuple[str, str]) -> CSIProvisioner:
    """managed-csi with its provisioner, whose next CreateVolume calls fail with ``errors``, and a
    one-pod StatefulSet of that class on one node."""
    a_node(emu)
    disk_class_without_its_provisioner(emu)
    provisioner = CSIProvisioner()
    provisioner.create_volume_errors.extend(errors)
    emu.controllers.add(provisioner)
    emu.cluster.create(statefulset(replicas=1))
    return provisioner


def test_a_pod_whose_claim_is_never_provisioned_fails_its_prebind_after_the_bind_timeout(
    kube_emulator: KubeEmulator,
) -> None:
    held_statefulset(kube_emulator)
    prebind(kube_emulator).advance(600)
    assert wait_until(lambda: messages(kube_emulator, "Pod", "FailedScheduling") == [TIMED_OUT])
    condition = scheduled_condition(kube_emulator)
    assert (condition["status"], condition["reason"], condition["message"]) == ("False", "SchedulerError", TIMED_OUT)
    assert "nodeName" not in pods(kube_emulator)["db-0"]["spec"]


def test_the_bind_timeout_is_a_setting_a_test_shortens(kube_emulator: KubeEmulator) -> None:
    prebind(kube_emulator).bind_timeout = 0.2
    held_statefulset(kube_emulator)
    assert wait_until(lambda: TIMED_OUT in messages(kube_emulator, "Pod", "FailedScheduling"))


def test_after_the_timeout_the_pod_is_held_again_for_the_node_its_claim_selected(kube_emulator: KubeEmulator) -> None:
    held_statefulset(kube_emulator)
    selected = claims(kube_emulator)["data-db-0"]["metadata"]["annotations"][SELECTED_NODE]
    prebind(kube_emulator).advance(600)
    assert wait_until(lambda: messages(kube_emulator, "Pod", "FailedScheduling") == [TIMED_OUT])
    assert wait_until(lambda: holding(kube_emulator.cluster, "default", "db-0"))
    kube_emulator.controllers.add(CSIProvisioner())
    kube_emulator.cluster.patch(
        "v1", "PersistentVolumeClaim", "default", "data-db-0", {"metadata": {"labels": {"k": "v"}}}
    )
    assert wait_until(lambda: pods(kube_emulator)["db-0"]["status"]["phase"] == "Running")
    assert pods(kube_emulator)["db-0"]["spec"]["nodeName"] == selected


def test_a_create_volume_out_of_resources_is_a_provisioning_failed_event(kube_emulator: KubeEmulator) -> None:
    failing_provisioner(kube_emulator, ("ResourceExhausted", "disk quota exceeded"))
    expected = "rpc error: code = ResourceExhausted desc = disk quota exceeded"
    assert wait_until(lambda: messages(kube_emulator, "PersistentVolumeClaim", "ProvisioningFailed") == [expected])


def test_a_create_volume_out_of_resources_fails_the_prebind_and_the_pod_is_scheduled_again(
    kube_emulator: KubeEmulator,
) -> None:
    failing_provisioner(kube_emulator, ("ResourceExhausted", "disk quota exceeded"))
    assert wait_until(lambda: pods(kube_emulator).get("db-0", {}).get("status", {}).get("phase") == "Running", 15)
    assert messages(kube_emulator, "Pod", "FailedScheduling") == [PROVISIONING_FAILED]
    claim = claims(kube_emulator)["data-db-0"]
    assert claim["status"]["phase"] == "Bound"
    assert claim["metadata"]["annotations"][SELECTED_NODE] == pods(kube_emulator)["db-0"]["spec"]["nodeName"]


def test_another_create_volume_error_keeps_the_selected_node_and_is_retried(kube_emulator: KubeEmulator) -> None:
    failing_provisioner(kube_emulator, ("InvalidArgument", "invalid skuName"))
    assert wait_until(lambda: pods(kube_emulator).get("db-0", {}).get("status", {}).get("phase") == "Running", 15)
    expected = "rpc error: code = InvalidArgument desc = invalid skuName"
    assert messages(kube_emulator, "PersistentVolumeClaim", "ProvisioningFailed") == [expected]
    assert messages(kube_emulator, "Pod", "FailedScheduling") == []


def ray_cluster_with_a_claim() -> dict[str, Any]:
    """A RayCluster whose head mounts the claim `ray-data` of managed-csi (no workers)."""
    head = {
        "containers": [{"name": "ray-head", "image": "rayproject/ray:2.52.0"}],
        "volumes": [{"name": "data", "persistentVolumeClaim": {"claimName": "ray-data"}}],
    }
    return {
        "apiVersion": "ray.io/v1",
        "kind": "RayCluster",
        "metadata": {"name": "rc", "namespace": "default"},
        "spec": {"headGroupSpec": {"rayStartParams": {}, "template": {"spec": head}}, "workerGroupSpecs": []},
    }


def ray_head(emu: KubeEmulator) -> dict[str, Any]:
    found = emu.cluster.list("v1", "Pod", "default", label_selector="ray.io/cluster=rc,ray.io/node-type=head")
    return found[0] if found else {}


def ray_claim_pending(emu: KubeEmulator) -> None:
    """The RayCluster's claim on managed-csi, with no provisioner running for it yet."""
    from tests.emulators.kube.controllers.kuberay import KubeRayController

    a_node(emu)
    disk_class_without_its_provisioner(emu)
    spec = {"accessModes": ["ReadWriteOnce"], "resources": {"requests": {"storage": "10Gi"}}}
    emu.cluster.create(
        {
            "apiVersion": "v1",
            "kind": "PersistentVolumeClaim",
            "metadata": {"name": "ray-data", "namespace": "default"},
            "spec": {**spec, "storageClassName": "managed-csi"},
        }
    )
    emu.controllers.add(KubeRayController(delay=0.02))
    emu.cluster.create(ray_cluster_with_a_claim())
    assert wait_until(lambda: bool(ray_head(emu)))


def test_a_kuberay_pod_whose_claim_is_not_provisioned_is_not_bound_to_a_node(kube_emulator: KubeEmulator) -> None:
    ray_claim_pending(kube_emulator)
    assert wait_until(lambda: SELECTED_NODE in claims(kube_emulator)["ray-data"]["metadata"].get("annotations", {}))
    head = ray_head(kube_emulator)
    assert "nodeName" not in head["spec"]
    assert head["status"]["phase"] == "Pending"


def test_a_kuberay_pod_runs_on_the_selected_node_once_its_claim_is_provisioned(kube_emulator: KubeEmulator) -> None:
    ray_claim_pending(kube_emulator)
    assert wait_until(lambda: SELECTED_NODE in claims(kube_emulator)["ray-data"]["metadata"].get("annotations", {}))
    kube_emulator.controllers.add(CSIProvisioner())
    kube_emulator.cluster.patch(
        "v1", "PersistentVolumeClaim", "default", "ray-data", {"metadata": {"labels": {"k": "v"}}}
    )
    assert wait_until(lambda: ray_head(kube_emulator).get("status", {}).get("phase") == "Running")
    selected = claims(kube_emulator)["ray-data"]["metadata"]["annotations"][SELECTED_NODE]
    assert ray_head(kube_emulator)["spec"]["nodeName"] == selected
