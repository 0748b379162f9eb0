"""A DaemonSet's pod goes through the scheduler's filters on its one node, as upstream's does: the
DaemonSet controller checks no resources (kubernetes/kubernetes pkg/controller/daemon/
daemon_controller.go predicates), the pod is pinned by matchFields metadata.name, NodeAffinity's
PreFilter narrows the scheduler to that node, and NodeResourcesFit leaves the pod Pending where the
node's allocatable is taken (pkg/scheduler/framework/plugins/noderesources/fit.go,
pkg/scheduler/schedule_one.go findNodesThatFitPod)."""

from __future__ import annotations

from typing import Any

from tests.emulators.kube import KubeEmulator
from tests.emulators.kube.apiserver import wait_until
from tests.emulators.kube.controllers.rescheduling import waiting_pods
from tests.kube_emulator.helpers import deployment
from tests.kube_emulator.test_daemon_pods import daemonset
from tests.kube_emulator.test_scheduling import node, pods, seed


def asking(obj: dict[str, Any], memory: str) -> dict[str, Any]:
    obj["spec"]["template"]["spec"]["containers"][0]["resources"] = {"requests": {"cpu": "100m", "memory": memory}}
    return obj


def agent_pods(emu: KubeEmulator) -> list[dict[str, Any]]:
    return pods(emu, "agent")


def a_full_node_and_an_empty_one(emu: KubeEmulator) -> str:
    """Two nodes of ~26.7Gi for pods; Deployment ``llm`` takes 25Gi of one of them, whose name is returned."""
    seed(emu, node("node-0"), node("node-1"))
    emu.cluster.create(asking(deployment("llm", replicas=1), "25Gi"))
    assert wait_until(lambda: [p["spec"].get("nodeName") for p in pods(emu, "llm")] not in ([], [None]))
    return str(pods(emu, "llm")[0]["spec"]["nodeName"])


def pending(emu: KubeEmulator) -> list[dict[str, Any]]:
    return [p for p in agent_pods(emu) if p["status"].get("phase") == "Pending"]


def test_a_daemon_pod_stays_pending_on_a_node_whose_allocatable_is_taken(kube_emulator: KubeEmulator) -> None:
    full = a_full_node_and_an_empty_one(kube_emulator)
    kube_emulator.cluster.create(asking(daemonset("agent"), "3Gi"))
    assert wait_until(lambda: len(agent_pods(kube_emulator)) == 2)
    [waiting] = pending(kube_emulator)
    affinity = waiting["spec"]["affinity"]["nodeAffinity"]["requiredDuringSchedulingIgnoredDuringExecution"]
    assert affinity["nodeSelectorTerms"][0]["matchFields"][0]["values"] == [full]
    assert "nodeName" not in waiting["spec"]
    [running] = [p for p in agent_pods(kube_emulator) if p["metadata"]["name"] != waiting["metadata"]["name"]]
    assert running["status"]["phase"] == "Running" and running["spec"]["nodeName"] != full


def test_the_pending_daemon_pods_message_counts_the_other_nodes_as_failing_node_affinity(
    kube_emulator: KubeEmulator,
) -> None:
    a_full_node_and_an_empty_one(kube_emulator)
    kube_emulator.cluster.create(asking(daemonset("agent"), "3Gi"))
    assert wait_until(lambda: len(pending(kube_emulator)) == 1)
    assert pending(kube_emulator)[0]["status"]["conditions"][0]["message"] == (
        "0/2 nodes are available: 1 Insufficient memory, 1 node(s) didn't satisfy plugin(s) [NodeAffinity]. "
        "preemption: 0/2 nodes are available: 1 No preemption victims found for incoming pod, "
        "1 Preemption is not helpful for scheduling."
    )


def test_the_pending_daemon_pod_runs_on_its_node_once_room_is_freed_and_is_not_made_twice(
    kube_emulator: KubeEmulator,
) -> None:
    a_full_node_and_an_empty_one(kube_emulator)
    kube_emulator.cluster.create(asking(daemonset("agent"), "3Gi"))
    assert wait_until(lambda: len(pending(kube_emulator)) == 1)
    kube_emulator.cluster.patch("apps/v1", "Deployment", "default", "llm", {"spec": {"replicas": 0}})
    assert wait_until(lambda: not pending(kube_emulator) and len(agent_pods(kube_emulator)) == 2)
    assert sorted(p["spec"]["nodeName"] for p in agent_pods(kube_emulator)) == ["node-0", "node-1"]


def test_a_pending_daemon_pod_is_not_one_the_autoscalers_add_a_node_for(kube_emulator: KubeEmulator) -> None:
    a_full_node_and_an_empty_one(kube_emulator)
    kube_emulator.cluster.create(asking(daemonset("agent"), "3Gi"))
    assert wait_until(lambda: len(pending(kube_emulator)) == 1)
    assert waiting_pods(kube_emulator.cluster) == []


def t4_node() -> dict[str, Any]:
    """nap10's case: a Standard_NC4as_T4_v3 node whose kubelet leaves pods 20.87 GiB (AKS's
    kube-reserved memory for 250 pods and its 100Mi eviction threshold, karpenter_common.kubelet_status)."""
    t4 = node("t4-0")
    t4["status"]["allocatable"]["memory"] = t4["status"]["capacity"]["memory"] = "21371Mi"
    return t4


def running_of(emu: KubeEmulator, app: str) -> list[str]:
    return [p["metadata"]["name"] for p in pods(emu, app) if p["status"].get("phase") == "Running"]


def test_a_19gi_model_pod_leaves_a_2gi_daemon_pod_pending_on_a_20_87gi_node(kube_emulator: KubeEmulator) -> None:
    seed(kube_emulator, t4_node())
    kube_emulator.cluster.create(asking(deployment("llm", replicas=1), "19Gi"))
    assert wait_until(lambda: len(running_of(kube_emulator, "llm")) == 1)
    kube_emulator.cluster.create(asking(daemonset("agent"), "2Gi"))
    assert wait_until(lambda: len(pending(kube_emulator)) == 1)
    assert pending(kube_emulator)[0]["status"]["conditions"][0]["message"].startswith(
        "0/1 nodes are available: 1 Insufficient memory."
    )


def test_a_2gi_daemon_pod_there_first_leaves_the_19gi_model_pod_pending(kube_emulator: KubeEmulator) -> None:
    seed(kube_emulator, t4_node())
    kube_emulator.cluster.create(asking(daemonset("agent"), "2Gi"))
    assert wait_until(lambda: len(running_of(kube_emulator, "agent")) == 1)
    kube_emulator.cluster.create(asking(deployment("llm", replicas=1), "19Gi"))
    assert wait_until(lambda: any(p["status"].get("phase") == "Pending" for p in pods(kube_emulator, "llm")))
    assert running_of(kube_emulator, "llm") == []
