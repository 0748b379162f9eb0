"""Claims that bind, as on AKS (controllers/volume_provisioner.py): kube-controller-manager's PV
controller (kubernetes/kubernetes pkg/controller/volume/persistentvolume/pv_controller.go
syncUnboundClaim, provisionClaimOperationExternal, bind, assignDefaultStorageClass), the
scheduler's selected node on a claim of delayed binding (pkg/scheduler/framework/plugins/
volumebinding/binder.go AssumePodVolumes), and the external-provisioner of AKS's Azure Disk and
Azure Files CSI drivers (kubernetes-sigs/sig-storage-lib-external-provisioner controller/
controller.go provisionClaimOperation; kubernetes-csi/external-provisioner pkg/controller/
controller.go Provision): the PV pvc-<uid>, bound to its claim."""

from __future__ import annotations

from typing import Any

from tests.emulators.kube import KubeEmulator
from tests.emulators.kube.apiserver import wait_until
from tests.emulators.kube.profiles import aks_storage_classes
from tests.kube_emulator.helpers import a_node
from tests.kube_emulator.test_statefulset_claims import DATA, claims, pods, statefulset


def a_claim(emu: KubeEmulator, name: str = "data", **spec: Any) -> dict[str, Any]:
    body = {"accessModes": ["ReadWriteOnce"], "resources": {"requests": {"storage": "10Gi"}}, **spec}
    return emu.cluster.create(
        {"apiVersion": "v1", "kind": "PersistentVolumeClaim", "metadata": {"name": name}, "spec": body}
    )


def claim_of(emu: KubeEmulator, name: str = "data") -> dict[str, Any]:
    found = emu.cluster.get("v1", "PersistentVolumeClaim", "default", name)
    assert found is not None
    return found


def bound(emu: KubeEmulator, name: str = "data") -> bool:
    return (claim_of(emu, name).get("status") or {}).get("phase") == "Bound"


def claim_events(emu: KubeEmulator, name: str = "data") -> list[tuple[str, str, str]]:
    """The claim's events in the order they were first written."""
    events = sorted(emu.cluster.list("v1", "Event", "default"), key=lambda e: int(e["metadata"]["resourceVersion"]))
    return [
        (e["type"], e["reason"], e["message"])
        for e in events
        if e["involvedObject"]["kind"] == "PersistentVolumeClaim" and e["involvedObject"]["name"] == name
    ]


def reasons(emu: KubeEmulator, name: str = "data") -> list[str]:
    return [reason for _, reason, _ in claim_events(emu, name)]


def test_a_statefulsets_claim_of_a_delayed_class_is_provisioned_on_its_pods_node_and_bound(
    kube_emulator: KubeEmulator,
) -> None:
    a_node(kube_emulator)
    aks_storage_classes(kube_emulator)
    kube_emulator.cluster.create(statefulset(replicas=1))
    # The claim binds first, the pod after: PreBind (BindPodVolumes) returns once checkBindings finds
    # every claim bound, and only then is the pod bound to its node (kubernetes/kubernetes
    # pkg/scheduler/schedule_one.go bindingCycle). So wait for both, as `kubectl wait` would.
    assert wait_until(lambda: "data-db-0" in claims(kube_emulator) and bound(kube_emulator, "data-db-0"))
    assert wait_until(lambda: bool(pods(kube_emulator)["db-0"]["spec"].get("nodeName")))
    claim = claim_of(kube_emulator, "data-db-0")
    node = pods(kube_emulator)["db-0"]["spec"]["nodeName"]
    annotations = claim["metadata"]["annotations"]
    assert annotations["volume.kubernetes.io/selected-node"] == node
    assert annotations["volume.kubernetes.io/storage-provisioner"] == "disk.csi.azure.com"
    assert annotations["volume.beta.kubernetes.io/storage-provisioner"] == "disk.csi.azure.com"
    assert annotations["pv.kubernetes.io/bind-completed"] == "yes"
    assert annotations["pv.kubernetes.io/bound-by-controller"] == "yes"
    assert claim["spec"]["volumeName"] == f"pvc-{claim['metadata']['uid']}"
    assert claim["status"] == {"phase": "Bound", "accessModes": ["ReadWriteOnce"], "capacity": {"storage": "10Gi"}}


def test_the_provisioned_volume_names_its_driver_class_and_claim(kube_emulator: KubeEmulator) -> None:
    a_node(kube_emulator)
    aks_storage_classes(kube_emulator)
    kube_emulator.cluster.create(statefulset(replicas=1))
    assert wait_until(lambda: "data-db-0" in claims(kube_emulator) and bound(kube_emulator, "data-db-0"))
    claim = claim_of(kube_emulator, "data-db-0")
    pv = kube_emulator.cluster.get("v1", "PersistentVolume", None, claim["spec"]["volumeName"])
    assert pv is not None
    assert pv["metadata"]["annotations"]["pv.kubernetes.io/provisioned-by"] == "disk.csi.azure.com"
    assert pv["spec"]["csi"]["driver"] == "disk.csi.azure.com"
    assert pv["spec"]["csi"]["volumeAttributes"]["storage.kubernetes.io/csiProvisionerIdentity"].endswith(
        "-disk.csi.azure.com"
    )
    assert pv["spec"]["storageClassName"] == "managed-csi"
    assert pv["spec"]["persistentVolumeReclaimPolicy"] == "Delete"
    assert pv["spec"]["capacity"] == {"storage": "10Gi"}
    ref = pv["spec"]["claimRef"]
    assert (ref["namespace"], ref["name"], ref["uid"]) == ("default", "data-db-0", claim["metadata"]["uid"])
    assert pv["status"]["phase"] == "Bound"


def test_provisioning_is_told_in_the_controllers_and_the_provisioners_events(kube_emulator: KubeEmulator) -> None:
    a_node(kube_emulator)
    aks_storage_classes(kube_emulator)
    kube_emulator.cluster.create(statefulset(replicas=1))
    assert wait_until(lambda: "data-db-0" in claims(kube_emulator) and bound(kube_emulator, "data-db-0"))
    uid = claim_of(kube_emulator, "data-db-0")["metadata"]["uid"]
    told = [e for e in claim_events(kube_emulator, "data-db-0") if e[1] != "WaitForFirstConsumer"]
    assert told == [
        (
            "Normal",
            "ExternalProvisioning",
            "Waiting for a volume to be created either by the external provisioner 'disk.csi.azure.com' or manually "
            "by the system administrator. If volume creation is delayed, please verify that the provisioner is "
            "running and correctly registered.",
        ),
        ("Normal", "Provisioning", 'External provisioner is provisioning volume for claim "default/data-db-0"'),
        ("Normal", "ProvisioningSucceeded", f"Successfully provisioned volume pvc-{uid}"),
    ]


def test_a_delayed_claim_no_pod_mounts_waits_for_its_first_consumer(kube_emulator: KubeEmulator) -> None:
    aks_storage_classes(kube_emulator)
    a_claim(kube_emulator, storageClassName="managed-csi")
    assert wait_until(lambda: "WaitForFirstConsumer" in reasons(kube_emulator))
    assert claim_events(kube_emulator)[0] == (
        "Normal",
        "WaitForFirstConsumer",
        "waiting for first consumer to be created before binding",
    )
    assert claim_of(kube_emulator)["status"]["phase"] == "Pending"
    assert kube_emulator.cluster.list("v1", "PersistentVolume") == []


def test_a_claim_of_an_immediate_class_is_provisioned_with_no_pod(kube_emulator: KubeEmulator) -> None:
    aks_storage_classes(kube_emulator)
    a_claim(kube_emulator, storageClassName="azurefile-csi", accessModes=["ReadWriteMany"])
    assert wait_until(lambda: bound(kube_emulator))
    claim = claim_of(kube_emulator)
    assert "volume.kubernetes.io/selected-node" not in claim["metadata"]["annotations"]
    pv = kube_emulator.cluster.get("v1", "PersistentVolume", None, claim["spec"]["volumeName"])
    assert pv is not None and pv["spec"]["csi"]["driver"] == "file.csi.azure.com"
    assert pv["spec"]["accessModes"] == ["ReadWriteMany"]


def test_a_pod_held_for_an_immediate_claim_is_scheduled_once_the_claim_binds(kube_emulator: KubeEmulator) -> None:
    # The set's claim is made just before its pod: the scheduler holds the pod ("pod has unbound
    # immediate PersistentVolumeClaims") until the claim's update moves it back to the active queue.
    a_node(kube_emulator)
    aks_storage_classes(kube_emulator)
    files = {"metadata": DATA["metadata"], "spec": {**DATA["spec"], "storageClassName": "azurefile-csi"}}
    kube_emulator.cluster.create(statefulset(replicas=1, claims=[files]))
    assert wait_until(lambda: "db-0" in pods(kube_emulator) and pods(kube_emulator)["db-0"]["spec"].get("nodeName"))
    assert bound(kube_emulator, "data-db-0")
    assert wait_until(lambda: pods(kube_emulator)["db-0"]["status"]["phase"] == "Running")


def test_a_claim_with_no_class_gets_the_default_class(kube_emulator: KubeEmulator) -> None:
    aks_storage_classes(kube_emulator)
    a_claim(kube_emulator)
    assert wait_until(lambda: claim_of(kube_emulator)["spec"].get("storageClassName") == "default")
    assert wait_until(lambda: "WaitForFirstConsumer" in reasons(kube_emulator))


def test_a_claim_with_an_empty_class_is_not_given_the_default(kube_emulator: KubeEmulator) -> None:
    aks_storage_classes(kube_emulator)
    a_claim(kube_emulator, storageClassName="")
    assert wait_until(lambda: "FailedBinding" in reasons(kube_emulator))
    assert claim_of(kube_emulator)["spec"]["storageClassName"] == ""


def test_a_claim_with_no_class_and_no_default_says_nothing_binds_it(kube_emulator: KubeEmulator) -> None:
    a_claim(kube_emulator)
    assert wait_until(lambda: "FailedBinding" in reasons(kube_emulator))
    assert claim_events(kube_emulator)[0] == (
        "Normal",
        "FailedBinding",
        "no persistent volumes available for this claim and no storage class is set",
    )
    assert claim_of(kube_emulator)["status"]["phase"] == "Pending"


def test_a_claim_of_a_missing_class_fails_provisioning_with_the_listers_error(kube_emulator: KubeEmulator) -> None:
    aks_storage_classes(kube_emulator)
    a_claim(kube_emulator, storageClassName="managed-csi-premum")
    assert wait_until(lambda: "ProvisioningFailed" in reasons(kube_emulator))
    assert claim_events(kube_emulator)[0] == (
        "Warning",
        "ProvisioningFailed",
        'storageclass.storage.k8s.io "managed-csi-premum" not found',
    )
    assert claim_of(kube_emulator)["status"]["phase"] == "Pending"


def test_a_class_whose_provisioner_does_not_run_leaves_the_claim_waiting(kube_emulator: KubeEmulator) -> None:
    aks_storage_classes(kube_emulator)
    kube_emulator.cluster.create(
        {
            "apiVersion": "storage.k8s.io/v1",
            "kind": "StorageClass",
            "metadata": {"name": "nfs"},
            "provisioner": "nfs.csi.k8s.io",
            "volumeBindingMode": "Immediate",
        }
    )
    a_claim(kube_emulator, storageClassName="nfs")
    assert wait_until(lambda: "ExternalProvisioning" in reasons(kube_emulator))
    assert "nfs.csi.k8s.io" in claim_events(kube_emulator)[0][2]
    assert claim_of(kube_emulator)["metadata"]["annotations"]["volume.kubernetes.io/storage-provisioner"] == (
        "nfs.csi.k8s.io"
    )
    assert kube_emulator.cluster.list("v1", "PersistentVolume") == []


def test_an_immediate_claim_binds_the_smallest_available_volume_of_its_class(kube_emulator: KubeEmulator) -> None:
    for name, size in (("big", "100Gi"), ("small", "20Gi"), ("tiny", "5Gi")):
        kube_emulator.cluster.create(
            {
                "apiVersion": "v1",
                "kind": "PersistentVolume",
                "metadata": {"name": name},
                "spec": {
                    "capacity": {"storage": size},
                    "accessModes": ["ReadWriteOnce"],
                    "storageClassName": "manual",
                    "hostPath": {"path": f"/mnt/{name}"},
                },
            }
        )
    a_claim(kube_emulator, storageClassName="manual")
    assert wait_until(lambda: bound(kube_emulator))
    assert claim_of(kube_emulator)["spec"]["volumeName"] == "small"
    pv = kube_emulator.cluster.get("v1", "PersistentVolume", None, "small")
    assert pv is not None and pv["metadata"]["annotations"]["pv.kubernetes.io/bound-by-controller"] == "yes"


def test_a_volume_no_claim_is_bound_to_is_available(kube_emulator: KubeEmulator) -> None:
    spec = {"capacity": {"storage": "5Gi"}, "accessModes": ["ReadWriteOnce"], "hostPath": {"path": "/mnt/a"}}
    kube_emulator.cluster.create(
        {"apiVersion": "v1", "kind": "PersistentVolume", "metadata": {"name": "a"}, "spec": spec}
    )
    assert wait_until(
        lambda: (
            (kube_emulator.cluster.get("v1", "PersistentVolume", None, "a") or {}).get("status", {}).get("phase")
            == "Available"
        )
    )
