"""baremetal doctor on the clusters that exist in the wild (issue #20): MIG mixed, AMD GPUs,
precompiled and NVIDIADriver-managed drivers, accelerated networking's Mellanox VFs, plain AKS
GPU pools without GPU feature discovery. Each of these raised a false error or warning before."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from akscli.baremetal import doctor

from . import nodes as fx
from .conftest import add_nodes, cluster_policy, install_gpu_operator


@pytest.fixture
def kube_emulator(kube_emulator_factory: Callable[..., Any]) -> Any:
    """A cluster serving only what its tests install (the default emulator serves every CRD
    under ../shared/crds, which no real cluster does)."""
    return kube_emulator_factory(crd_dirs=[])


def run(kube: Any, **kw: Any) -> doctor.Report:
    return doctor.diagnose(kube, doctor.Options(**kw))


def checks(report: doctor.Report) -> dict[str, list[doctor.Finding]]:
    out: dict[str, list[doctor.Finding]] = {}
    for f in report.findings:
        out.setdefault(f.check, []).append(f)
    return out


def test_mig_mixed_node_is_not_reported_without_gpu_capacity(kube_emulator: Any, kube: Any) -> None:
    # The system pool runs the operator's own pod: the GPU node's taint keeps it off there.
    add_nodes(kube_emulator, [fx.cpu_node("aks-system-0"), fx.mig_mixed_node("aks-mig-0")])
    install_gpu_operator(kube_emulator)
    report = run(kube)
    assert "gpu-capacity" not in checks(report) and "gpu-count" not in checks(report)
    assert report.blocking == []
    (pool,) = [p for p in report.pools if p.pool == "mig"]
    assert pool.gpu_capacity == 56


def test_amd_gpu_node_is_not_held_to_nvidia_resources(kube_emulator: Any, kube: Any) -> None:
    add_nodes(kube_emulator, [fx.amd_node("aks-amd-0")])
    report = run(kube)
    assert report.gpu_nodes == 1
    assert report.blocking == [], report.findings
    assert not any("nvidia.com/gpu" in f.message for f in report.findings)


def test_amd_gpu_node_without_its_device_plugin_names_amd_gpu(kube_emulator: Any, kube: Any) -> None:
    node = fx.amd_node("aks-amd-0")
    del node["status"]["capacity"]["amd.com/gpu"], node["status"]["allocatable"]["amd.com/gpu"]
    add_nodes(kube_emulator, [node])
    (finding,) = checks(run(kube))["gpu-capacity"]
    assert "amd.com/gpu" in finding.message and "ROCm" in finding.fix


def test_precompiled_driver_daemonset_is_found_by_its_component_label(kube_emulator: Any, kube: Any) -> None:
    add_nodes(kube_emulator, fx.healthy_cluster(2))
    install_gpu_operator(kube_emulator, driver={"enabled": True, "usePrecompiled": True})
    assert kube_emulator.cluster.get("apps/v1", "DaemonSet", "gpu-operator", "nvidia-driver-daemonset") is None
    report = run(kube)
    assert not any("does not exist" in f.message for f in report.findings), report.findings
    assert report.blocking == []


def test_nvidiadriver_crd_daemonset_is_found_by_its_component_label(kube_emulator: Any, kube: Any) -> None:
    add_nodes(kube_emulator, fx.healthy_cluster(2))
    install_gpu_operator(kube_emulator, driver={"enabled": True, "useNvidiaDriverCRD": True})
    report = run(kube)
    assert not any("does not exist" in f.message for f in report.findings), report.findings
    assert report.blocking == []


def test_nc_node_with_accelerated_networking_vf_gets_no_rdma_warnings(kube_emulator: Any, kube: Any) -> None:
    # NFD labels rdma.capable=true for any Mellanox PCI function (node-feature-discovery
    # source/custom/static_features.go); an NC A100 v4 has no InfiniBand.
    add_nodes(kube_emulator, [fx.aks_plain_node("aks-nc-0", rdma_capable=True)])
    assert not any(f.check.startswith("rdma") for f in run(kube).findings)


def test_rdma_modules_fix_names_what_nfd_looks_for(kube_emulator: Any, kube: Any) -> None:
    add_nodes(kube_emulator, [fx.node("aks-gpu-0", rdma_available=False)])
    install_gpu_operator(kube_emulator)
    (finding,) = [f for f in run(kube).findings if f.check == "rdma-labels"]
    assert "ib_uverbs" in finding.fix and "rdma_ucm" in finding.fix and "ib_umad" not in finding.fix


def test_plain_aks_gpu_nodes_are_not_asked_for_gpu_feature_discovery_labels(kube_emulator: Any, kube: Any) -> None:
    add_nodes(kube_emulator, [fx.aks_plain_node("aks-nc-0"), fx.aks_plain_node("aks-nc-1")])
    report = run(kube)
    assert "gpu-labels" not in checks(report)
    assert report.blocking == []
    infos = [f.message for f in report.findings if f.check == "gpu-operator"]
    assert infos == ["the NVIDIA GPU Operator is not installed: GPUs rely on the AKS-managed driver and device plugin"]


def test_operator_crd_without_an_operator_pod_is_not_called_installed(kube_emulator: Any, kube: Any) -> None:
    # What `helm uninstall gpu-operator` leaves: the CRDs, no operator, no ClusterPolicy.
    from tests.emulators.kube.profiles import install_crds

    install_crds(kube_emulator, "nvidia")
    add_nodes(kube_emulator, [fx.aks_plain_node("aks-nc-0")])
    report = run(kube)
    messages = [f.message for f in report.findings if f.check == "gpu-operator"]
    assert any("the GPU Operator is not installed" in m for m in messages), messages
    assert any("AKS-managed driver" in m for m in messages), messages
    assert report.blocking == []


def test_cluster_policy_without_an_operator_pod_blocks(kube_emulator: Any, kube: Any) -> None:
    from tests.emulators.kube.profiles import install_crds

    install_crds(kube_emulator, "nvidia")
    add_nodes(kube_emulator, fx.healthy_cluster(1))
    install_gpu_operator(kube_emulator, operator_pod=False)
    messages = [f.message for f in run(kube).blocking if f.check == "gpu-operator"]
    assert any("no GPU Operator pod runs" in m for m in messages), messages


def test_doctor_judges_the_cluster_policy_the_operator_acts_on(
    kube_emulator: Any, kube: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    # upstream: NVIDIA/gpu-operator v26.7.0 controllers/active_config.go getSingletonClusterPolicy:
    # the oldest ClusterPolicy is acted on, a newer one is ignored (and keeps no state), whatever
    # the names' order in a list.
    import datetime

    from tests.emulators.kube import apiserver_writes

    add_nodes(kube_emulator, fx.healthy_cluster(2))
    install_gpu_operator(kube_emulator)  # "cluster-policy", ready
    # creationTimestamp has whole seconds: the second one is created a second later (no wait for it)
    first = kube_emulator.cluster.get("nvidia.com/v1", "ClusterPolicy", None, "cluster-policy")
    when = datetime.datetime.strptime(first["metadata"]["creationTimestamp"], "%Y-%m-%dT%H:%M:%SZ")
    later = (when + datetime.timedelta(seconds=1)).strftime("%Y-%m-%dT%H:%M:%SZ")
    with monkeypatch.context() as clock:
        clock.setattr(apiserver_writes, "now_iso", lambda: later)
        kube_emulator.cluster.create(cluster_policy("akscli-cluster-policy", daemonsets={}))
    assert (
        kube_emulator.cluster.get("nvidia.com/v1", "ClusterPolicy", None, "akscli-cluster-policy")["metadata"][
            "creationTimestamp"
        ]
        == later
    )
    assert kube_emulator.idle(10.0)
    report = run(kube)
    assert report.blocking == [], report.blocking
    warnings = [f.message for f in report.findings if f.severity == "warning"]
    assert warnings == [
        "ClusterPolicy akscli-cluster-policy is ignored: the GPU Operator acts only on the oldest one, cluster-policy"
    ]
