"""Pods and ephemeral-storage in akscli's NAP fit: a node Karpenter makes holds the AKSNodeClass's
maxPods (250 where it sets none: NAP runs on Azure CNI Overlay) and its osDiskSizeGB of
ephemeral-storage (upstream: Azure/karpenter-provider-azure 352646f pkg/providers/instancetype/
instancetype.go computeCapacity, pkg/utils/utils.go GetMaxPods; akscli.nap.fit.class_room)."""

from __future__ import annotations

from typing import Any

from akscli.nap import fit as nap_fit
from tests.cli import invoke
from tests.emulators.kube.controllers.karpenter_common import NODECLASS
from tests.kube_emulator.test_karpenter_allocatable import daemonset
from tests.model.test_nap_fit import T4, deploy_t4
from tests.model.test_nap_gpu_pool import Start, nap_lab, text

POOL: dict[str, Any] = {"metadata": {"name": "gpu"}, "spec": {"template": {"spec": {}}}}


def node_class(**spec: Any) -> dict[str, Any]:
    return {"metadata": {"name": "default"}, "spec": spec}


def test_a_class_without_max_pods_or_os_disk_gives_250_pods_and_128g() -> None:
    # GetMaxPods: DefaultOverlayMaxPods 250 (NAP: Azure CNI Overlay only, node-auto-provisioning-
    # networking.md); osDiskSizeGB: the CRD's default 128, in G (ephemeralStorage)
    room = nap_fit.allocatable(T4, node_class())
    assert room is not None
    assert (room["pods"], room["ephemeral-storage"]) == (250, 128 * 10**9)


def test_the_class_max_pods_and_os_disk_are_the_nodes() -> None:
    room = nap_fit.allocatable(T4, node_class(maxPods=30, osDiskSizeGB=256))
    assert room is not None
    assert (room["pods"], room["ephemeral-storage"]) == (30, 256 * 10**9)


def test_a_pod_asking_more_ephemeral_storage_than_the_os_disk_has_no_room() -> None:
    asks = {"cpu": 1000, "ephemeral-storage": 200 * 10**9}
    assert nap_fit.shortfall(POOL, T4, asks, [], node_class()) == (
        "Karpenter counts 128G of ephemeral-storage for pods on it (AKSNodeClass default's osDiskSizeGB) and the "
        "pods ask 200G"
    )
    assert nap_fit.shortfall(POOL, T4, asks, [], node_class(osDiskSizeGB=256)) is None


def test_a_class_whose_max_pods_the_daemonsets_fill_is_not_capacity_on_demand(model_emulator: Start) -> None:
    # maxPods 10 (the CRD's minimum) and 10 DaemonSets that tolerate every taint: with the vLLM pod,
    # 11 pods (Karpenter's RequestsForPods counts pods; nodeclaim.go fits)
    def setup(emu: Any) -> None:
        emu.cluster.patch(*NODECLASS, None, "default", {"spec": {"maxPods": 10}})
        for n in range(10):
            emu.cluster.create(daemonset(f"agent{n}", "10m", "10Mi"))

    out = " ".join(deploy_t4(model_emulator, T4, setup).split())
    assert "node auto-provisioning makes" not in out
    assert (
        "NodePool gpu admits the size, but Karpenter counts 10 pods for a node of it (AKSNodeClass default's "
        "maxPods) and the pod with 10 DaemonSet pod(s) that would run there make 11"
    ) in out


def test_the_class_is_read_once_for_every_pool_that_refers_to_it(model_emulator: Start) -> None:
    emu = nap_lab(model_emulator)
    for name in ("gpu", "gpu2"):
        assert invoke("nodepool", "add", name, "--auto-provision", "--gpu", "t4", "-y").exit_code == 0
    emu.cluster.patch(*NODECLASS, None, "default", {"spec": {"maxPods": 10}})
    for n in range(10):
        emu.cluster.create(daemonset(f"agent{n}", "10m", "10Mi"))
    with emu._log_lock:
        emu.request_log.clear()
    result = invoke("model", "deploy", "phi-4-mini-instruct", "--runtime", "vllm", "--vm-size", T4, "-y")
    assert result.exit_code == 0, text(result)
    reads = [r.path for r in emu.requests(method="GET") if "/aksnodeclasses" in r.path]
    assert reads == ["/apis/karpenter.azure.com/v1beta1/aksnodeclasses/default"]
