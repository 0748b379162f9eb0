"""A waited apply of a StatefulSet with volumeClaimTemplates on an AKS cluster, now that the
emulator binds claims as AKS's CSI drivers and the PV controller do (tests/emulators/kube/
controllers/volume_provisioner.py): the set's claims are provisioned on its pods' node and bound,
and the wait ends; a claim of a class the cluster does not have is never provisioned
(kubernetes/kubernetes pkg/controller/volume/persistentvolume/pv_controller.go provisionClaim:
ProvisioningFailed `storageclass.storage.k8s.io "x" not found`), the scheduler holds its pod
(binder.go GetPodVolumeClaims: a class not found binds at once), and the wait's hint names the
claim and the class it lacks."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

from akscli.cli.common import apply_objects
from akscli.kube.client import KubeTarget
from tests.baremetal.nodes import small_cpu_node
from tests.emulators.kube.controllers.volume_prebind import PreBind
from tests.emulators.kube.controllers.volume_provisioner import CSIProvisioner
from tests.emulators.kube.profiles import aks_storage_classes
from tests.foundation.test_wait_pod_problems import gpu_deployment, wait_error


def statefulset_with_claims(storage_class: str) -> dict[str, Any]:
    statefulset = {**gpu_deployment(), "kind": "StatefulSet"}
    claim = {
        "metadata": {"name": "data"},
        "spec": {
            "accessModes": ["ReadWriteOnce"],
            "storageClassName": storage_class,
            "resources": {"requests": {"storage": "1Gi"}},
        },
    }
    statefulset["spec"] = {**statefulset["spec"], "serviceName": "llm", "volumeClaimTemplates": [claim]}
    del statefulset["spec"]["template"]["spec"]["containers"][0]["resources"]
    return statefulset


def test_a_waited_statefulset_whose_claims_aks_provisions_becomes_ready(kube_emulator: Any, kubeconfig: Path) -> None:
    kube_emulator.cluster.create(small_cpu_node())
    aks_storage_classes(kube_emulator)
    target = KubeTarget(kubeconfig=str(kubeconfig))
    objects = [copy.deepcopy(statefulset_with_claims("managed-csi-premium"))]
    apply_objects(objects, stack="demo", target=target, yes=True, wait=True, timeout="20s")

    def claim() -> dict[str, Any]:
        return kube_emulator.cluster.get("v1", "PersistentVolumeClaim", "default", "data-llm-0") or {}

    # The scheduler binds the pod only once its claim is bound (binder.go BindPodVolumes), so the
    # claim is Bound when the wait ends.
    assert claim().get("status", {}).get("phase") == "Bound"
    assert claim()["spec"]["volumeName"] == f"pvc-{claim()['metadata']['uid']}"


def test_a_waited_statefulset_whose_claim_names_a_missing_class_names_the_class(
    kube_emulator: Any, kubeconfig: Path
) -> None:
    kube_emulator.cluster.create(small_cpu_node())
    aks_storage_classes(kube_emulator)
    caught = wait_error(kubeconfig, [statefulset_with_claims("managed-csi-premum")])
    assert " not scheduled: 0/1 nodes are available: pod has unbound immediate PersistentVolumeClaims." in (
        caught.message
    )
    assert (caught.hint or "").startswith(
        "claim data-llm-0 asks for StorageClass managed-csi-premum, which the cluster does not have "
        "(kubectl get storageclass lists those it has): create StorageClass managed-csi-premum, or make the "
        "claim again with a class it has (kubectl delete pvc data-llm-0 -n default;"
    )


def test_a_waited_statefulset_whose_claim_has_no_class_and_no_default_points_at_the_claim(
    kube_emulator: Any, kubeconfig: Path
) -> None:
    # No default class (the bare emulator has none): pv_controller.go's FailedBinding "no persistent
    # volumes available for this claim and no storage class is set"; no class to name.
    kube_emulator.cluster.create(small_cpu_node())
    statefulset = statefulset_with_claims("")
    del statefulset["spec"]["volumeClaimTemplates"][0]["spec"]["storageClassName"]
    caught = wait_error(kubeconfig, [statefulset])
    assert (caught.hint or "").startswith(
        "claim data-llm-0 is not bound and its class binds at once: kubectl describe pvc data-llm-0 -n default "
        "says why no volume was bound or provisioned"
    )


def test_a_waited_statefulset_whose_claim_no_provisioner_answers_names_the_claim_and_its_driver(
    kube_emulator: Any, kubeconfig: Path
) -> None:
    # managed-csi as AKS has it, but no CSI external-provisioner runs: the scheduler chose the node
    # (the claim's selected-node) and holds the pod in PreBind (binder.go BindPodVolumes), unbound,
    # with no condition and no event of its own; the claim says ExternalProvisioning.
    kube_emulator.cluster.create(small_cpu_node())
    kube_emulator.cluster.create(
        {
            "apiVersion": "storage.k8s.io/v1",
            "kind": "StorageClass",
            "metadata": {"name": "managed-csi"},
            "provisioner": "disk.csi.azure.com",
            "volumeBindingMode": "WaitForFirstConsumer",
        }
    )
    caught = wait_error(kubeconfig, [statefulset_with_claims("managed-csi")])
    node = small_cpu_node()["metadata"]["name"]
    assert f"; pod llm-0 waits for claim data-llm-0 to be bound before it is bound to node {node}" in caught.message
    assert (
        "; the claim's latest event: ExternalProvisioning: Waiting for a volume to be created either by the "
        "external provisioner 'disk.csi.azure.com'" in caught.message
    )
    assert caught.hint == (
        "no volume was provisioned for claim data-llm-0 by disk.csi.azure.com, StorageClass managed-csi's "
        "provisioner: check that its CSI driver runs on the cluster (kubectl describe pvc data-llm-0 -n default "
        "says why); nothing was rolled back"
    )


def managed_csi_with_a_provisioner(kube_emulator: Any, *errors: tuple[str, str]) -> None:
    """One node and managed-csi with its external-provisioner, whose CreateVolume calls fail with
    ``errors`` (the emulator's test fault, controllers/volume_provisioner.py)."""
    kube_emulator.cluster.create(small_cpu_node())
    aks_storage_classes(kube_emulator, provisioner=False)
    provisioner = CSIProvisioner()
    provisioner.create_volume_errors.extend(errors)
    kube_emulator.controllers.add(provisioner)


def test_a_waited_statefulset_whose_claim_the_driver_cannot_provision_names_the_claim_and_its_error(
    kube_emulator: Any, kubeconfig: Path
) -> None:
    # CreateVolume fails with ResourceExhausted at every try: the provisioner's ProvisioningFailed,
    # the selected node removed, and the scheduler's PreBind fails (binder.go checkBindings).
    managed_csi_with_a_provisioner(kube_emulator, *[("ResourceExhausted", "disk quota exceeded")] * 20)
    caught = wait_error(kubeconfig, [statefulset_with_claims("managed-csi")])
    assert 'binding volumes: provisioning failed for PVC "data-llm-0"' in caught.message
    assert (
        "; claim data-llm-0's latest warning: ProvisioningFailed: rpc error: code = ResourceExhausted desc = disk "
        "quota exceeded" in caught.message
    )
    assert caught.hint == (
        "claim data-llm-0 could not be provisioned by disk.csi.azure.com, StorageClass managed-csi's provisioner "
        "on the node the scheduler chose, and the scheduler tries again: kubectl describe pvc data-llm-0 -n default "
        "says why (a quota, or a disk size or SKU the node's zone lacks); nothing was rolled back"
    )


def test_a_waited_statefulset_past_the_bind_timeout_names_the_claim_and_its_driver(
    kube_emulator: Any, kubeconfig: Path
) -> None:
    # No CreateVolume answers (a driver that does not run): PreBind gives up after bindTimeout,
    # shortened here (binder.go BindPodVolumes), with "context deadline exceeded".
    kube_emulator.cluster.create(small_cpu_node())
    aks_storage_classes(kube_emulator, provisioner=False)
    next(c for c in kube_emulator.controllers.controllers if isinstance(c, PreBind)).bind_timeout = 0.1
    caught = wait_error(kubeconfig, [statefulset_with_claims("managed-csi")])
    assert 'running PreBind plugin "VolumeBinding": binding volumes: context deadline exceeded' in caught.message
    assert caught.hint == (
        "no volume was provisioned for claim data-llm-0 by disk.csi.azure.com, StorageClass managed-csi's "
        "provisioner within the scheduler's bind timeout: check that its CSI driver runs on the cluster "
        "(kubectl describe pvc data-llm-0 -n default says why); nothing was rolled back"
    )
