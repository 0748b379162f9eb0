"""The pods the DaemonSet controller makes carry what upstream's carry (kubernetes/kubernetes
05c351a9 pkg/controller/daemon/util/daemonset_util.go): its tolerations and node affinity."""

from __future__ import annotations

from typing import Any

from tests.emulators.kube import KubeEmulator
from tests.emulators.kube.apiserver import wait_until
from tests.kube_emulator.helpers import deployment


def daemonset(name: str, **pod_spec: Any) -> dict[str, Any]:
    ds = deployment(name)
    ds["kind"] = "DaemonSet"
    del ds["spec"]["replicas"]
    ds["spec"]["template"]["spec"].update(pod_spec)
    return ds


def made_pods(kube_emulator: KubeEmulator, ds: dict[str, Any], want: int) -> list[dict[str, Any]]:
    kube_emulator.cluster.create(ds)
    name = ds["metadata"]["name"]

    def pods() -> list[dict[str, Any]]:
        return [
            p
            for p in kube_emulator.cluster.list("v1", "Pod", "default")
            if (p["metadata"].get("ownerReferences") or [{}])[0].get("name") == name
        ]

    assert wait_until(lambda: len(pods()) == want)
    return pods()


def test_daemon_pods_carry_the_controllers_tolerations(kube_emulator: KubeEmulator) -> None:
    kube_emulator.generate_cluster(nodes=2, pods=0, gpu_fraction=0.0, variety=False)
    pod = made_pods(kube_emulator, daemonset("agent"), 2)[0]
    assert pod["spec"]["tolerations"] == [
        {"key": "node.kubernetes.io/not-ready", "operator": "Exists", "effect": "NoExecute"},
        {"key": "node.kubernetes.io/unreachable", "operator": "Exists", "effect": "NoExecute"},
        {"key": "node.kubernetes.io/disk-pressure", "operator": "Exists", "effect": "NoSchedule"},
        {"key": "node.kubernetes.io/memory-pressure", "operator": "Exists", "effect": "NoSchedule"},
        {"key": "node.kubernetes.io/pid-pressure", "operator": "Exists", "effect": "NoSchedule"},
        {"key": "node.kubernetes.io/unschedulable", "operator": "Exists", "effect": "NoSchedule"},
    ]


def test_host_network_daemon_pods_also_tolerate_network_unavailable(kube_emulator: KubeEmulator) -> None:
    kube_emulator.generate_cluster(nodes=1, pods=0, gpu_fraction=0.0, variety=False)
    pod = made_pods(kube_emulator, daemonset("agent", hostNetwork=True), 1)[0]
    assert pod["spec"]["tolerations"][-1] == {
        "key": "node.kubernetes.io/network-unavailable",
        "operator": "Exists",
        "effect": "NoSchedule",
    }


def test_a_template_toleration_the_controller_matches_is_replaced_in_place(kube_emulator: KubeEmulator) -> None:
    """AddOrUpdateTolerationInPodSpec: tolerationSeconds is not part of the match, so a template's
    bounded not-ready toleration becomes the controller's unbounded one."""
    kube_emulator.generate_cluster(nodes=1, pods=0, gpu_fraction=0.0, variety=False)
    own = [
        {"key": "node.kubernetes.io/not-ready", "operator": "Exists", "effect": "NoExecute", "tolerationSeconds": 60},
        {"key": "dedicated", "operator": "Exists"},
    ]
    tolerations = made_pods(kube_emulator, daemonset("agent", tolerations=own), 1)[0]["spec"]["tolerations"]
    assert tolerations[:2] == [
        {"key": "node.kubernetes.io/not-ready", "operator": "Exists", "effect": "NoExecute"},
        {"key": "dedicated", "operator": "Exists"},
    ]
    assert len(tolerations) == 7


def test_daemon_pods_are_pinned_by_node_affinity_on_the_node_name(kube_emulator: KubeEmulator) -> None:
    """syncNodes: ReplaceDaemonSetPodNodeNameNodeAffinity (matchFields metadata.name In [node])
    replaces the template's required terms and keeps the rest; the scheduler binds the pod."""
    kube_emulator.generate_cluster(nodes=1, pods=0, gpu_fraction=0.0, variety=False)
    preferred = [{"weight": 1, "preference": {"matchExpressions": [{"key": "a", "operator": "Exists"}]}}]
    affinity = {
        "nodeAffinity": {
            "requiredDuringSchedulingIgnoredDuringExecution": {
                "nodeSelectorTerms": [{"matchExpressions": [{"key": "kubernetes.io/os", "operator": "Exists"}]}]
            },
            "preferredDuringSchedulingIgnoredDuringExecution": preferred,
        }
    }
    pod = made_pods(kube_emulator, daemonset("agent", affinity=affinity), 1)[0]
    node = pod["spec"]["nodeName"]
    assert pod["spec"]["affinity"]["nodeAffinity"] == {
        "requiredDuringSchedulingIgnoredDuringExecution": {
            "nodeSelectorTerms": [{"matchFields": [{"key": "metadata.name", "operator": "In", "values": [node]}]}]
        },
        "preferredDuringSchedulingIgnoredDuringExecution": preferred,
    }
