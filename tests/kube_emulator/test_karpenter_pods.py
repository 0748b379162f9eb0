"""The pods and ephemeral-storage Karpenter counts on a node it would make: the AKSNodeClass's
maxPods (or the provider's default for the cluster's network plugin) and its osDiskSizeGB
(upstream: Azure/karpenter-provider-azure 352646f pkg/providers/instancetype/instancetype.go
computeCapacity, pods and ephemeralStorage; pkg/utils/utils.go GetMaxPods; pkg/consts/consts.go;
tests/emulators/kube/controllers/karpenter_common.py node_resources)."""

from __future__ import annotations

from typing import Any

from tests.emulators.kube import KubeEmulator
from tests.emulators.kube.apiserver import wait_until
from tests.emulators.kube.controllers.karpenter_common import NODECLAIM, NODECLASS
from tests.kube_emulator import test_karpenter
from tests.kube_emulator.test_karpenter import gpu_app, gpu_pool, running_on
from tests.kube_emulator.test_karpenter_allocatable import T4, T4_REQUIREMENTS, app, daemonset
from tests.kube_emulator.test_karpenter_refusals import said

emu = test_karpenter.emu  # the fixture: a NAP cluster with one system node


def node_class(emu: KubeEmulator, **spec: Any) -> None:
    emu.cluster.patch(*NODECLASS, None, "default", {"spec": spec})


def node_status(emu: KubeEmulator, name: str) -> dict[str, Any]:
    return dict(emu.cluster.get("v1", "Node", None, running_on(emu, name))["status"])


def claim_status(emu: KubeEmulator, name: str) -> dict[str, Any]:
    node = running_on(emu, name)
    [claim] = [c for c in emu.cluster.list(*NODECLAIM[:2]) if (c.get("status") or {}).get("nodeName") == node]
    return dict(claim["status"])


def test_a_node_karpenter_makes_holds_250_pods_on_azure_cni_overlay_and_the_class_os_disk(emu: KubeEmulator) -> None:
    # GetMaxPods: azure with overlay (the provider's defaults, options.go) is DefaultOverlayMaxPods
    # 250; ephemeralStorage: osDiskSizeGB (the CRD's default 128) in G, on the NodeClaim
    emu.cluster.create(gpu_pool("gpu", [T4]))
    emu.cluster.create(gpu_app("llm", T4))
    status, claim = node_status(emu, "llm"), claim_status(emu, "llm")
    for counted in ("capacity", "allocatable"):
        assert status[counted]["pods"] == claim[counted]["pods"] == "250"
        assert claim[counted]["ephemeral-storage"] == "128G"


def test_the_nodes_ephemeral_storage_is_its_kubelets_file_system_less_nodefs_eviction(emu: KubeEmulator) -> None:
    # a 128 GB OS disk as AKS publishes kubectl describe node (best-practices-app-cluster-reliability.md):
    # the root file system, and that less nodefs.available<10% (the float32 percentage)
    emu.cluster.create(gpu_pool("gpu", [T4]))
    emu.cluster.create(gpu_app("llm", T4))
    status = node_status(emu, "llm")
    assert status["capacity"]["ephemeral-storage"] == "129886128Ki"
    assert status["allocatable"]["ephemeral-storage"] == "119703055367"


def test_the_class_max_pods_and_os_disk_are_the_nodes(emu: KubeEmulator) -> None:
    node_class(emu, maxPods=40, osDiskSizeGB=256)
    emu.cluster.create(gpu_pool("gpu", [T4]))
    emu.cluster.create(gpu_app("llm", T4))
    status, claim = node_status(emu, "llm"), claim_status(emu, "llm")
    assert status["allocatable"]["pods"] == "40"
    assert claim["allocatable"]["ephemeral-storage"] == "256G"
    assert status["capacity"]["ephemeral-storage"] == f"{2 * 129886128}Ki"


def test_azure_cni_without_overlay_holds_30_pods(emu: KubeEmulator) -> None:
    # GetMaxPods: azure with no mode (NodeSubnet) is DefaultNodeSubnetMaxPods 30
    emu.nap.network_plugin_mode = ""
    emu.cluster.create(gpu_pool("gpu", [T4]))
    emu.cluster.create(gpu_app("llm", T4))
    assert node_status(emu, "llm")["allocatable"]["pods"] == "30"


def test_a_node_whose_max_pods_the_daemonsets_fill_gets_no_pod_and_karpenter_says_so(emu: KubeEmulator) -> None:
    # maxPods 10 (the CRD's minimum) and 10 DaemonSets whose pods would run there: with the pod, 11
    # pods (RequestsForPods counts pods; nodeclaim.go fits within allocatable pods 10)
    node_class(emu, maxPods=10)
    for n in range(10):
        emu.cluster.create(daemonset(f"agent{n}", "10m", "10Mi"))
    emu.cluster.create(gpu_pool("gpu", [T4]))
    emu.cluster.create(app("llm", T4, "1", "1Gi"))
    assert said(emu) == (
        f"Failed to schedule pod, no instance type has enough resources, requirements={T4_REQUIREMENTS}, "
        'resources={"cpu":"1100m","memory":"1124Mi","nvidia.com/gpu":"1","pods":"11"}'
    )
    assert emu.nap.provisioned == []


def test_a_pod_asking_more_ephemeral_storage_than_the_os_disk_gets_no_node(emu: KubeEmulator) -> None:
    # ephemeralStorage: 128G; the pod asks 200G
    body = app("llm", T4, "1", "1Gi")
    body["spec"]["template"]["spec"]["containers"][0]["resources"]["requests"]["ephemeral-storage"] = "200G"
    emu.cluster.create(gpu_pool("gpu", [T4]))
    emu.cluster.create(body)
    assert said(emu) == (
        f"Failed to schedule pod, no instance type has enough resources, requirements={T4_REQUIREMENTS}, "
        'resources={"cpu":"1","ephemeral-storage":"200G","memory":"1Gi","nvidia.com/gpu":"1","pods":"1"}'
    )


def test_a_bigger_os_disk_takes_the_same_pod(emu: KubeEmulator) -> None:
    node_class(emu, osDiskSizeGB=256)
    body = app("llm", T4, "1", "1Gi")
    body["spec"]["template"]["spec"]["containers"][0]["resources"]["requests"]["ephemeral-storage"] = "200G"
    emu.cluster.create(gpu_pool("gpu", [T4]))
    emu.cluster.create(body)
    assert wait_until(lambda: emu.nap.provisioned, timeout=5)
