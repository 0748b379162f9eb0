"""Which DaemonSets akscli counts on a node Karpenter would make, with the tolerations Karpenter
reads: a live daemon pod's where the DaemonSet has one (the DaemonSet controller's added
tolerations and admission's with the template's), else the template's alone (upstream:
kubernetes-sigs/karpenter 2266468 pkg/controllers/provisioning/provisioner.go getDaemonSetPods,
pkg/controllers/state/cluster.go GetDaemonSetPod, pkg/utils/daemonset/daemonset.go PodForDaemonSet;
kubernetes/kubernetes 05c351a9 pkg/controller/daemon/util/daemonset_util.go
AddOrUpdateDaemonPodTolerations; akscli.nap_fit.daemon_pod)."""

from __future__ import annotations

from typing import Any

import pytest

from akscli import nap_fit

T4 = "Standard_NC4as_T4_v3"
RUNNING = {"currentNumberScheduled": 3, "desiredNumberScheduled": 3}


def pool(*taints: dict[str, str]) -> dict[str, Any]:
    return {"metadata": {"name": "gpu"}, "spec": {"template": {"spec": {"taints": list(taints)}}}}


def daemonset(status: dict[str, Any] | None = None, **spec: Any) -> dict[str, Any]:
    container = {"name": "agent", "image": "x:1", "resources": {"requests": {"cpu": "100m", "memory": "64Mi"}}}
    body: dict[str, Any] = {"spec": {"template": {"spec": {"containers": [container], **spec}}}}
    if status is not None:
        body["status"] = status
    return body


def counted(taint: dict[str, str], ds: dict[str, Any]) -> int:
    return nap_fit.daemon_overhead(pool(taint), T4, [ds])[1]


@pytest.mark.parametrize(
    "key",
    ["node.kubernetes.io/unschedulable", "node.kubernetes.io/memory-pressure", "node.kubernetes.io/disk-pressure"],
)
def test_a_daemonset_with_a_live_pod_tolerates_the_taints_its_controller_adds(key: str) -> None:
    assert counted({"key": key, "effect": "NoSchedule"}, daemonset(RUNNING)) == 1


def test_a_daemonset_with_no_pod_counts_with_its_templates_tolerations_alone() -> None:
    # PodForDaemonSet: the template's spec, no toleration added
    taint = {"key": "node.kubernetes.io/unschedulable", "effect": "NoSchedule"}
    assert counted(taint, daemonset()) == 0
    assert counted(taint, daemonset({"currentNumberScheduled": 0, "desiredNumberScheduled": 0})) == 0


def test_a_misscheduled_pod_is_a_live_pod_too() -> None:
    taint = {"key": "node.kubernetes.io/not-ready", "effect": "NoExecute"}
    assert counted(taint, daemonset({"currentNumberScheduled": 0, "numberMisscheduled": 1})) == 1


def test_only_a_host_network_daemon_pod_tolerates_network_unavailable() -> None:
    taint = {"key": "node.kubernetes.io/network-unavailable", "effect": "NoSchedule"}
    assert counted(taint, daemonset(RUNNING, hostNetwork=True)) == 1
    assert counted(taint, daemonset(RUNNING)) == 0


def test_a_live_pod_asking_an_extended_resource_tolerates_its_taint_as_admission_adds_it() -> None:
    # AKS's ExtendedResourceToleration admission (akscli.kube.scheduling.pod_tolerations)
    ds = daemonset(RUNNING)
    ds["spec"]["template"]["spec"]["containers"][0]["resources"]["limits"] = {"example.com/dev": "1"}
    assert counted({"key": "example.com/dev", "effect": "NoSchedule"}, ds) == 1


def test_a_taint_the_controller_adds_no_toleration_for_still_keeps_the_daemon_off() -> None:
    assert counted({"key": "sku", "value": "gpu", "effect": "NoSchedule"}, daemonset(RUNNING)) == 0
