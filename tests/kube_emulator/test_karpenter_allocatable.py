"""What Karpenter counts as room on a node it would make: the size's allocatable (capacity less
kube-reserved and the eviction threshold, as Azure's provider computes them) less the requests of
the DaemonSets whose pods would run on it (tests/emulators/kube/controllers/karpenter_common.py
node_resources, karpenter_daemons.py)."""

from __future__ import annotations

from typing import Any

from tests.emulators.kube import KubeEmulator
from tests.emulators.kube.apiserver import wait_until
from tests.kube_emulator import test_karpenter
from tests.kube_emulator.test_karpenter import A100, gpu_app, gpu_pool, running_on
from tests.kube_emulator.test_karpenter_refusals import said

emu = test_karpenter.emu  # the fixture: a NAP cluster with one system node

T4 = "Standard_NC4as_T4_v3"  # 4 vCPUs, 28 GiB, 1 T4
MI = 1 << 20
GI = 1 << 30
T4_REQUIREMENTS = (
    "karpenter.azure.com/aksnodeclass In [default], karpenter.azure.com/sku-name In [Standard_NC4as_T4_v3], "
    "karpenter.sh/initialized In [true], karpenter.sh/nodepool In [gpu], karpenter.sh/registered In [true], "
    "node.kubernetes.io/instance-type In [Standard_NC4as_T4_v3]"
)


def app(name: str, size: str, cpu: str, memory: str) -> dict[str, Any]:
    body = gpu_app(name, size)
    body["spec"]["template"]["spec"]["containers"][0]["resources"]["requests"] = {"cpu": cpu, "memory": memory}
    return body


def daemonset(name: str, cpu: str, memory: str, tolerate_all: bool = True) -> dict[str, Any]:
    spec: dict[str, Any] = {
        "containers": [{"name": "agent", "image": "x:1", "resources": {"requests": {"cpu": cpu, "memory": memory}}}]
    }
    if tolerate_all:
        spec["tolerations"] = [{"operator": "Exists"}]  # as AKS's kube-proxy and CNI agents
    return {
        "apiVersion": "apps/v1",
        "kind": "DaemonSet",
        "metadata": {"name": name, "namespace": "kube-system"},
        "spec": {
            "selector": {"matchLabels": {"app": name}},
            "template": {"metadata": {"labels": {"app": name}}, "spec": spec},
        },
    }


def test_a_nodeclaim_has_the_providers_allocatable_and_its_node_aks_reservations(emu: KubeEmulator) -> None:
    # The claim: karpenter-provider-azure instancetype.go computeCapacity, CalculateMemoryWithoutOverhead
    # (220Gi less 7.5%), KubeReservedResources (cpu 60m+40m+2x20m+20x10m; memory 25% of 4 + 20% of 4 +
    # 10% of 8 + 6% of 112 + 2% of 92 GiB = 11.16 GiB, 11427Mi), EvictionThreshold 750Mi. The Node:
    # managed NAP's kubelet gets AKS's reservations (the bootstrapping client sends none), 1.29 and
    # later: the lesser of 20Mi x 250 pods + 50Mi and 25% of 220Gi, and memory.available<100Mi
    emu.cluster.create(gpu_pool("gpu", [A100]))
    emu.cluster.create(gpu_app("llm", A100))
    node = emu.cluster.get("v1", "Node", None, running_on(emu, "llm"))
    claim = next(
        c
        for c in emu.cluster.list("karpenter.sh/v1", "NodeClaim")
        if c["status"].get("nodeName") == node["metadata"]["name"]
    )
    capacity = 220 * GI - 220 * GI * 75 // 1000
    assert node["status"]["capacity"]["memory"] == claim["status"]["capacity"]["memory"] == str(capacity)
    assert claim["status"]["allocatable"]["memory"] == str(capacity - (11427 + 750) * MI)
    assert node["status"]["allocatable"]["memory"] == str(capacity - (20 * 250 + 50 + 100) * MI)
    assert node["status"]["allocatable"]["cpu"] == claim["status"]["allocatable"]["cpu"] == "23660m"


def test_a_self_hosted_aksscriptless_node_has_karpenters_reservations_and_no_nodefs_threshold(
    emu: KubeEmulator,
) -> None:
    # aksbootstrap.go kubeletConfigToMap: --eviction-hard=memory.available<750Mi replaces AKS's flag
    # and the kubelet merges no default threshold into it, so nodefs.available is 0 (the
    # configz of Azure/karpenter-provider-azure#988: evictionHard {"memory.available": "750Mi"})
    emu.nap.provision_mode = "aksscriptless"
    emu.cluster.create(gpu_pool("gpu", [A100]))
    emu.cluster.create(gpu_app("llm", A100))
    status = emu.cluster.get("v1", "Node", None, running_on(emu, "llm"))["status"]
    capacity = 220 * GI - 220 * GI * 75 // 1000
    assert status["allocatable"]["memory"] == str(capacity - (11427 + 750) * MI)
    assert status["allocatable"]["ephemeral-storage"] == str(129886128 * 1024)


def test_a_pod_within_a_sizes_memory_but_not_its_allocatable_gets_no_node_and_karpenter_says_so(
    emu: KubeEmulator,
) -> None:
    # 28 GiB less 7.5% less 3399Mi reserved less 750Mi: 21.85 GiB for pods; 22Gi is 80% of the VM
    # (akscli's vLLM pod asked that before model.runtime_values.pod_share counted allocatable).
    # nodeclaim.go fits, InstanceTypeFilterError
    emu.cluster.create(gpu_pool("gpu", [T4]))
    emu.cluster.create(app("llm", T4, "3", "22Gi"))
    assert said(emu) == (
        f"Failed to schedule pod, no instance type has enough resources, requirements={T4_REQUIREMENTS}, "
        'resources={"cpu":"3","memory":"22Gi","nvidia.com/gpu":"1","pods":"1"}'
    )
    assert emu.nap.provisioned == []


def test_the_requests_of_daemonsets_that_would_run_on_the_node_are_added_to_the_pods(emu: KubeEmulator) -> None:
    # upstream: karpenter scheduler.go buildDaemonOverheadGroups, isDaemonPodCompatible; nodeclaim.go
    # filterInstanceTypesByRequirements (the group's overhead merged in), resourcesString (daemon
    # overhead first, then the pod's; pods: 1 daemon and the pod)
    emu.cluster.create(daemonset("agent", "100m", "1Gi"))
    emu.cluster.create(gpu_pool("gpu", [T4]))
    emu.cluster.create(app("llm", T4, "3", "21Gi"))
    assert said(emu) == (
        f"Failed to schedule pod, no instance type has enough resources, requirements={T4_REQUIREMENTS}, "
        'resources={"cpu":"3100m","memory":"22Gi","nvidia.com/gpu":"1","pods":"2"}'
    )


def test_a_daemonset_that_does_not_tolerate_the_pools_taint_adds_nothing(emu: KubeEmulator) -> None:
    # isDaemonPodCompatible: the NodePool's taints must be tolerated (Taints.ToleratesPod)
    emu.cluster.create(daemonset("agent", "100m", "1Gi", tolerate_all=False))
    emu.cluster.create(gpu_pool("gpu", [T4]))
    emu.cluster.create(app("llm", T4, "3", "21Gi"))
    assert wait_until(lambda: emu.nap.provisioned, timeout=5)
    assert emu.nap.provisioned[0][2] == T4
