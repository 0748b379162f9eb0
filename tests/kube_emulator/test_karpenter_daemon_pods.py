"""The daemon pod Karpenter counts for a DaemonSet: its live pod where it has one, which carries the
tolerations the DaemonSet controller adds, else its template alone (upstream: kubernetes-sigs/
karpenter 2266468 pkg/controllers/provisioning/provisioner.go getDaemonSetPods,
pkg/utils/daemonset/daemonset.go PodForDaemonSet; kubernetes/kubernetes 05c351a9
pkg/controller/daemon/util/daemonset_util.go AddOrUpdateDaemonPodTolerations;
tests/emulators/kube/controllers/karpenter_daemons.py)."""

from __future__ import annotations

from typing import Any

from tests.emulators.kube import KubeEmulator
from tests.emulators.kube.apiserver import wait_until
from tests.kube_emulator import test_karpenter
from tests.kube_emulator.test_karpenter import gpu_pool
from tests.kube_emulator.test_karpenter_allocatable import T4, app, daemonset
from tests.kube_emulator.test_karpenter_refusals import said

emu = test_karpenter.emu  # the fixture: a NAP cluster with one system node

PRESSURE = {"key": "node.kubernetes.io/memory-pressure", "effect": "NoSchedule"}


def pressure_pool_and_app(emu: KubeEmulator) -> None:
    """A pool tainted memory-pressure (a key the DaemonSet controller tolerates for its pods) and
    a T4 pod asking 20Gi of its 21.85 GiB, tolerating the taint; a 3Gi daemon does not fit beside."""
    pool = gpu_pool("gpu", [T4])
    pool["spec"]["template"]["spec"]["taints"] = [PRESSURE]
    body = app("llm", T4, "3", "20Gi")
    body["spec"]["template"]["spec"]["tolerations"].append({**PRESSURE, "operator": "Exists"})
    emu.cluster.create(pool)
    emu.cluster.create(body)


def daemon_pods(emu: KubeEmulator) -> list[dict[str, Any]]:
    return [p for p in emu.cluster.list("v1", "Pod", "kube-system") if p["metadata"]["name"].startswith("agent")]


def test_a_daemonset_with_no_pod_counts_with_its_templates_tolerations_alone(emu: KubeEmulator) -> None:
    # PodForDaemonSet: no toleration added, so the memory-pressure taint keeps it off the node
    # Karpenter plans (isDaemonPodCompatible); the pod gets its node
    agent = daemonset("agent", "100m", "3Gi", tolerate_all=False)
    agent["spec"]["template"]["spec"]["nodeSelector"] = {"karpenter.sh/nodepool": "gpu"}  # no node yet
    emu.cluster.create(agent)
    pressure_pool_and_app(emu)
    assert wait_until(lambda: emu.nap.provisioned, timeout=5)


def test_a_daemonset_with_a_live_pod_tolerates_the_taints_its_controller_adds(emu: KubeEmulator) -> None:
    # its pod on the system node carries AddOrUpdateDaemonPodTolerations: the 3Gi daemon counts
    emu.cluster.create(daemonset("agent", "100m", "3Gi", tolerate_all=False))
    assert wait_until(lambda: daemon_pods(emu), timeout=5)
    pressure_pool_and_app(emu)
    assert '"pods":"2"' in said(emu)
    assert emu.nap.provisioned == []


def test_a_live_daemon_pods_requests_count_as_a_limit_range_defaulted_them(emu: KubeEmulator) -> None:
    # GetDaemonSetPod: the live pod as admitted, LimitRanger's 3Gi default request on it, not the
    # template's none (upstream: kubernetes plugin/pkg/admission/limitranger/admission.go)
    emu.cluster.create(
        {
            "apiVersion": "v1",
            "kind": "LimitRange",
            "metadata": {"name": "defaults", "namespace": "kube-system"},
            "spec": {"limits": [{"type": "Container", "defaultRequest": {"cpu": "100m", "memory": "3Gi"}}]},
        }
    )
    agent = daemonset("agent", "100m", "3Gi")
    del agent["spec"]["template"]["spec"]["containers"][0]["resources"]
    emu.cluster.create(agent)
    assert wait_until(lambda: daemon_pods(emu), timeout=5)
    emu.cluster.create(gpu_pool("gpu", [T4]))
    emu.cluster.create(app("llm", T4, "3", "20Gi"))
    assert '"pods":"2"' in said(emu)
    assert emu.nap.provisioned == []


def test_a_live_daemon_pods_tolerations_count_not_its_updated_templates(emu: KubeEmulator) -> None:
    # OnDelete: the pod made from the first template keeps its toleration of the pool's taint after
    # the template drops it; Karpenter reads the pod (cluster.go GetDaemonSetPod), so the 3Gi daemon
    # counts on the tainted pool's node
    dedicated = {"key": "dedicated", "value": "gpu", "effect": "NoSchedule"}
    agent = daemonset("agent", "100m", "3Gi", tolerate_all=False)
    agent["spec"]["updateStrategy"] = {"type": "OnDelete"}
    agent["spec"]["template"]["spec"]["tolerations"] = [{**dedicated, "operator": "Equal"}]
    emu.cluster.create(agent)
    assert wait_until(lambda: daemon_pods(emu), timeout=5)
    stored = emu.cluster.get("apps/v1", "DaemonSet", "kube-system", "agent")
    del stored["spec"]["template"]["spec"]["tolerations"]
    emu.cluster.update(stored)
    pool = gpu_pool("gpu", [T4])
    pool["spec"]["template"]["spec"]["taints"] = [dedicated]
    body = app("llm", T4, "3", "20Gi")
    body["spec"]["template"]["spec"]["tolerations"].append({**dedicated, "operator": "Equal"})
    emu.cluster.create(pool)
    emu.cluster.create(body)
    assert '"pods":"2"' in said(emu)
    assert emu.nap.provisioned == []
