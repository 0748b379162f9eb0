"""Pods that wait for their volumes (controllers/volume_prebind.py): the scheduler's VolumeBinding
PreBind binds a pod only once its claims of delayed binding are bound (kubernetes/kubernetes
pkg/scheduler/framework/plugins/volumebinding/binder.go BindPodVolumes, checkBindings), and the
ephemeral volume controller makes a generic ephemeral volume's claim `<pod>-<volume>`, owned by the
pod (pkg/controller/volume/ephemeral/controller.go handleVolume)."""

from __future__ import annotations

from typing import Any

from tests.emulators.kube import KubeEmulator
from tests.emulators.kube.apiserver import wait_until
from tests.emulators.kube.controllers.volume_provisioner import CSIProvisioner
from tests.emulators.kube.profiles import aks_storage_classes
from tests.kube_emulator.helpers import a_node, deployment
from tests.kube_emulator.test_statefulset_claims import claims, pods, statefulset

SELECTED_NODE = "volume.kubernetes.io/selected-node"


def disk_class_without_its_provisioner(emu: KubeEmulator) -> None:
    """managed-csi as AKS has it, with no external-provisioner running for it."""
    emu.cluster.create(
        {
            "apiVersion": "storage.k8s.io/v1",
            "kind": "StorageClass",
            "metadata": {"name": "managed-csi"},
            "provisioner": "disk.csi.azure.com",
            "volumeBindingMode": "WaitForFirstConsumer",
        }
    )


def held_statefulset(emu: KubeEmulator) -> None:
    """A one-pod StatefulSet on managed-csi with no provisioner, once PreBind wrote the node it
    chose on the set's claim (bindAPIUpdate) and waits for the claim to be provisioned."""
    a_node(emu)
    disk_class_without_its_provisioner(emu)
    emu.cluster.create(statefulset(replicas=1))

    def annotations() -> dict[str, str]:
        return dict((claims(emu).get("data-db-0") or {}).get("metadata", {}).get("annotations", {}))

    assert wait_until(lambda: SELECTED_NODE in annotations())


def weights_deployment(storage_class: str | None) -> dict[str, Any]:
    """A Deployment whose pods mount a generic ephemeral volume, as akscli's vLLM Deployment does."""
    dep = deployment("llm", replicas=1)
    spec: dict[str, Any] = {"accessModes": ["ReadWriteOnce"], "resources": {"requests": {"storage": "20Gi"}}}
    if storage_class is not None:
        spec["storageClassName"] = storage_class
    template = {"metadata": {"labels": {"volume": "weights"}}, "spec": spec}
    dep["spec"]["template"]["spec"]["volumes"] = [{"name": "weights", "ephemeral": {"volumeClaimTemplate": template}}]
    return dep


def weights_pod(emu: KubeEmulator, storage_class: str) -> dict[str, Any]:
    """The pod of a weights_deployment of the class on AKS's classes, once it is made."""
    a_node(emu)
    aks_storage_classes(emu)
    emu.cluster.create(weights_deployment(storage_class))
    assert wait_until(lambda: len(llm_pods(emu)) == 1)
    return llm_pods(emu)[0]


def llm_pods(emu: KubeEmulator) -> list[dict[str, Any]]:
    return [p for p in emu.cluster.list("v1", "Pod", "default", label_selector="app=llm")]


def claim(emu: KubeEmulator, name: str) -> dict[str, Any] | None:
    return emu.cluster.get("v1", "PersistentVolumeClaim", "default", name)


def fully_bound(found: dict[str, Any] | None) -> bool:
    return bool(found and found["spec"].get("volumeName")) and (found or {}).get("status", {}).get("phase") == "Bound"


def test_a_pod_whose_delayed_claim_is_not_provisioned_is_not_bound_to_a_node(kube_emulator: KubeEmulator) -> None:
    held_statefulset(kube_emulator)
    pod = pods(kube_emulator)["db-0"]
    assert "nodeName" not in pod["spec"]
    assert pod["status"]["phase"] == "Pending"


def test_the_waiting_pod_is_bound_to_the_selected_node_once_its_claim_is_provisioned(
    kube_emulator: KubeEmulator,
) -> None:
    held_statefulset(kube_emulator)
    kube_emulator.controllers.add(CSIProvisioner())
    kube_emulator.cluster.patch(
        "v1", "PersistentVolumeClaim", "default", "data-db-0", {"metadata": {"labels": {"k": "v"}}}
    )
    assert wait_until(lambda: pods(kube_emulator)["db-0"]["status"]["phase"] == "Running")
    selected = claims(kube_emulator)["data-db-0"]["metadata"]["annotations"][SELECTED_NODE]
    assert pods(kube_emulator)["db-0"]["spec"]["nodeName"] == selected
    assert fully_bound(claims(kube_emulator)["data-db-0"])
    events = [e for e in kube_emulator.cluster.list("v1", "Event", "default") if e["reason"] == "Scheduled"]
    assert [e["message"] for e in events] == [f"Successfully assigned default/db-0 to {selected}"]


def test_a_generic_ephemeral_volume_gets_its_claim_owned_by_the_pod(kube_emulator: KubeEmulator) -> None:
    pod = weights_pod(kube_emulator, "managed-csi-premium")
    name = f"{pod['metadata']['name']}-weights"
    assert wait_until(lambda: claim(kube_emulator, name) is not None)
    made = claim(kube_emulator, name)
    assert made is not None
    assert made["metadata"]["ownerReferences"] == [
        {
            "apiVersion": "v1",
            "kind": "Pod",
            "name": pod["metadata"]["name"],
            "uid": pod["metadata"]["uid"],
            "controller": True,
            "blockOwnerDeletion": True,
        }
    ]
    assert made["metadata"]["labels"] == {"volume": "weights"}
    assert made["spec"]["storageClassName"] == "managed-csi-premium"


def test_a_pod_with_an_ephemeral_volume_runs_once_its_claim_is_provisioned_and_bound(
    kube_emulator: KubeEmulator,
) -> None:
    a_node(kube_emulator)
    aks_storage_classes(kube_emulator)
    kube_emulator.cluster.create(weights_deployment("managed-csi-premium"))
    assert wait_until(lambda: any(p["status"]["phase"] == "Running" for p in llm_pods(kube_emulator)))
    pod = llm_pods(kube_emulator)[0]
    made = claim(kube_emulator, f"{pod['metadata']['name']}-weights")
    assert fully_bound(made)
    assert made is not None and made["metadata"]["annotations"][SELECTED_NODE] == pod["spec"]["nodeName"]


def test_an_ephemeral_claim_with_no_class_gets_the_default_and_is_provisioned(kube_emulator: KubeEmulator) -> None:
    a_node(kube_emulator)
    aks_storage_classes(kube_emulator)
    kube_emulator.cluster.create(weights_deployment(None))
    assert wait_until(lambda: any(p["status"]["phase"] == "Running" for p in llm_pods(kube_emulator)))
    made = claim(kube_emulator, f"{llm_pods(kube_emulator)[0]['metadata']['name']}-weights")
    assert made is not None and made["spec"]["storageClassName"] == "default"


def test_the_ephemeral_claim_is_deleted_with_its_pod(kube_emulator: KubeEmulator) -> None:
    a_node(kube_emulator)
    aks_storage_classes(kube_emulator)
    kube_emulator.cluster.create(weights_deployment("managed-csi-premium"))
    assert wait_until(lambda: any(p["status"]["phase"] == "Running" for p in llm_pods(kube_emulator)))
    name = llm_pods(kube_emulator)[0]["metadata"]["name"]
    assert claim(kube_emulator, f"{name}-weights") is not None
    kube_emulator.cluster.delete("v1", "Pod", "default", name)
    assert wait_until(lambda: claim(kube_emulator, f"{name}-weights") is None)


def test_a_pod_whose_ephemeral_claim_names_a_missing_class_stays_pending_for_it(kube_emulator: KubeEmulator) -> None:
    pod = weights_pod(kube_emulator, "managed-csi-premum")
    assert wait_until(lambda: claim(kube_emulator, f"{pod['metadata']['name']}-weights") is not None)
    events = [
        e["message"] for e in kube_emulator.cluster.list("v1", "Event", "default") if e["reason"] == "FailedScheduling"
    ]
    assert events and all("pod has unbound immediate PersistentVolumeClaims" in m for m in events)
    assert "nodeName" not in llm_pods(kube_emulator)[0]["spec"]


def test_a_claim_of_the_ephemeral_name_the_pod_does_not_own_is_not_taken(kube_emulator: KubeEmulator) -> None:
    a_node(kube_emulator)
    aks_storage_classes(kube_emulator)
    pod = {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {"name": "llm"},
        "spec": {
            "containers": [{"name": "c", "image": "busybox"}],
            "volumes": [
                {
                    "name": "weights",
                    "ephemeral": {
                        "volumeClaimTemplate": {
                            "spec": {"accessModes": ["ReadWriteOnce"], "resources": {"requests": {"storage": "1Gi"}}}
                        }
                    },
                }
            ],
        },
    }
    kube_emulator.cluster.create(
        {
            "apiVersion": "v1",
            "kind": "PersistentVolumeClaim",
            "metadata": {"name": "llm-weights"},
            "spec": {"accessModes": ["ReadWriteOnce"], "resources": {"requests": {"storage": "1Gi"}}},
        }
    )
    kube_emulator.cluster.create(pod)

    def failed() -> list[str]:
        found = kube_emulator.cluster.list("v1", "Event", "default")
        return [e["message"] for e in found if e["reason"] == "FailedBinding" and e["involvedObject"]["kind"] == "Pod"]

    assert wait_until(lambda: failed() != [])
    assert failed()[0] == (
        "ephemeral volume weights: PVC default/llm-weights was not created for pod default/llm (pod is not owner)"
    )
