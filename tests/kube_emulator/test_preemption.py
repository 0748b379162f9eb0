"""The scheduler's DefaultPreemption: a Pending pod of a higher priority evicts lower-priority pods
on a node where their room lets it fit (kubernetes/kubernetes pkg/scheduler/framework/plugins/
defaultpreemption/default_preemption.go SelectVictimsOnNode; pkg/scheduler/framework/preemption/
executor.go PreemptPod; pkg/scheduler/schedule_one.go handleSchedulingFailure)."""

from __future__ import annotations

import re
import shutil
from pathlib import Path
from typing import Any

import pytest

from tests.emulators.kube import KubeEmulator
from tests.emulators.kube.apiserver import wait_until
from tests.kube_emulator.helpers import deployment
from tests.kube_emulator.test_daemon_pod_fit import asking
from tests.kube_emulator.test_daemon_pods import daemonset
from tests.kube_emulator.test_kubectl_fidelity import kubectl
from tests.kube_emulator.test_scheduling import node, pods, seed


def critical(obj: dict[str, Any], priority_class: str = "system-cluster-critical") -> dict[str, Any]:
    obj["spec"]["template"]["spec"]["priorityClassName"] = priority_class
    return obj


def a_node_full_of_batch_pods(emu: KubeEmulator) -> dict[str, Any]:
    """node-0 (~26.7Gi for pods) running one 25Gi pod of Deployment ``batch`` (priority 0)."""
    seed(emu, node("node-0"))
    emu.cluster.create(asking(deployment("batch", replicas=1), "25Gi"))
    assert wait_until(lambda: [p["status"].get("phase") for p in pods(emu, "batch")] == ["Running"])
    return pods(emu, "batch")[0]


def terminating(emu: KubeEmulator, uid: str) -> dict[str, Any] | None:
    return next(
        (p for p in pods(emu, "batch") if p["metadata"]["uid"] == uid and p["metadata"].get("deletionTimestamp")), None
    )


def test_the_victim_gets_the_disruption_target_condition_and_is_deleted(kube_emulator: KubeEmulator) -> None:
    kube_emulator.api.pod_shutdown_seconds = None  # the victim stays Terminating for its grace period
    victim = a_node_full_of_batch_pods(kube_emulator)
    kube_emulator.cluster.create(critical(asking(deployment("web", replicas=1), "10Gi")))
    assert wait_until(lambda: terminating(kube_emulator, victim["metadata"]["uid"]) is not None)
    gone = terminating(kube_emulator, victim["metadata"]["uid"]) or {}
    condition = next(c for c in gone["status"]["conditions"] if c["type"] == "DisruptionTarget")
    assert (condition["status"], condition["reason"], condition["message"]) == (
        "True",
        "PreemptionByScheduler",
        "default-scheduler: preempting to accommodate a higher priority pod",
    )


def test_the_preemptor_is_nominated_for_the_node_and_its_message_has_no_preemption_part(
    kube_emulator: KubeEmulator,
) -> None:
    kube_emulator.api.pod_shutdown_seconds = None
    a_node_full_of_batch_pods(kube_emulator)
    kube_emulator.cluster.create(critical(asking(deployment("web", replicas=1), "10Gi")))
    assert wait_until(lambda: [p["status"].get("nominatedNodeName") for p in pods(kube_emulator, "web")] == ["node-0"])
    [web] = pods(kube_emulator, "web")
    assert web["status"]["phase"] == "Pending"
    scheduled = next(c for c in web["status"]["conditions"] if c["type"] == "PodScheduled")
    assert scheduled["message"] == "0/1 nodes are available: 1 Insufficient memory."


def test_a_retry_while_the_victims_terminate_does_not_preempt_again(kube_emulator: KubeEmulator) -> None:
    kube_emulator.api.pod_shutdown_seconds = None  # the victim stays Terminating for its grace period
    a_node_full_of_batch_pods(kube_emulator)
    kube_emulator.cluster.create(critical(asking(deployment("web", replicas=1), "10Gi")))
    assert wait_until(lambda: [p["status"].get("nominatedNodeName") for p in pods(kube_emulator, "web")] == ["node-0"])
    kube_emulator.cluster.patch("v1", "Node", None, "node-0", {"metadata": {"labels": {"retry": "now"}}})

    def message() -> str:
        [web] = pods(kube_emulator, "web")
        return str(next(c for c in web["status"]["conditions"] if c["type"] == "PodScheduled")["message"])

    assert wait_until(lambda: "terminating" in message())
    assert message() == (
        "0/1 nodes are available: 1 Insufficient memory. "
        "preemption: not eligible due to a terminating pod on the nominated node."
    )
    assert len([e for e in kube_emulator.cluster.list("v1", "Event", "default") if e.get("reason") == "Preempted"]) == 1


def test_the_victim_gets_the_schedulers_preempted_event(kube_emulator: KubeEmulator) -> None:
    victim = a_node_full_of_batch_pods(kube_emulator)
    kube_emulator.cluster.create(critical(asking(deployment("web", replicas=1), "10Gi")))
    assert wait_until(lambda: any(e.get("reason") == "Preempted" for e in kube_emulator.cluster.list("v1", "Event")))
    [event] = [e for e in kube_emulator.cluster.list("v1", "Event", "default") if e.get("reason") == "Preempted"]
    [web] = pods(kube_emulator, "web")
    assert event["involvedObject"]["name"] == victim["metadata"]["name"]
    assert (event["type"], event["message"]) == ("Normal", f"Preempted by pod {web['metadata']['uid']} on node node-0")


def test_the_preemptor_runs_on_the_node_and_the_victims_replacement_waits(kube_emulator: KubeEmulator) -> None:
    a_node_full_of_batch_pods(kube_emulator)
    kube_emulator.cluster.create(critical(asking(deployment("web", replicas=1), "10Gi")))
    assert wait_until(
        lambda: (
            [(p["status"].get("phase"), p["spec"].get("nodeName")) for p in pods(kube_emulator, "web")]
            == [("Running", "node-0")]
        )
    )
    assert wait_until(lambda: [p["status"].get("phase") for p in pods(kube_emulator, "batch")] == ["Pending"])


def test_a_system_node_critical_daemon_pod_evicts_a_lower_priority_pod_on_its_node(
    kube_emulator: KubeEmulator,
) -> None:
    victim = a_node_full_of_batch_pods(kube_emulator)
    kube_emulator.cluster.create(critical(asking(daemonset("agent"), "3Gi"), "system-node-critical"))
    assert wait_until(lambda: [p["status"].get("phase") for p in pods(kube_emulator, "agent")] == ["Running"])
    assert victim["metadata"]["uid"] not in [p["metadata"]["uid"] for p in pods(kube_emulator, "batch")]


def test_a_pod_whose_class_never_preempts_evicts_nothing(kube_emulator: KubeEmulator) -> None:
    # the Priority admission plugin copies the class's preemptionPolicy into the pod's spec
    never = {"name": "high-never"}
    kube_emulator.cluster.create(
        {"apiVersion": "scheduling.k8s.io/v1", "kind": "PriorityClass", "metadata": never}
        | {"value": 1000, "preemptionPolicy": "Never"}
    )
    victim = a_node_full_of_batch_pods(kube_emulator)
    kube_emulator.cluster.create(critical(asking(deployment("web", replicas=1), "10Gi"), "high-never"))
    assert wait_until(lambda: [p["status"].get("phase") for p in pods(kube_emulator, "web")] == ["Pending"])
    assert pods(kube_emulator, "web")[0]["spec"]["preemptionPolicy"] == "Never"
    assert kube_emulator.idle()
    assert [p["metadata"]["uid"] for p in pods(kube_emulator, "batch")] == [victim["metadata"]["uid"]]
    assert "nominatedNodeName" not in pods(kube_emulator, "web")[0]["status"]
    scheduled = next(c for c in pods(kube_emulator, "web")[0]["status"]["conditions"] if c["type"] == "PodScheduled")
    assert scheduled["message"] == (
        "0/1 nodes are available: 1 Insufficient memory. preemption: not eligible due to preemptionPolicy=Never."
    )


def test_a_pod_of_the_same_priority_evicts_nothing(kube_emulator: KubeEmulator) -> None:
    kube_emulator.cluster.create(
        {"apiVersion": "scheduling.k8s.io/v1", "kind": "PriorityClass", "metadata": {"name": "high"}, "value": 1000}
    )
    seed(kube_emulator, node("node-0"))
    kube_emulator.cluster.create(critical(asking(deployment("batch", replicas=1), "25Gi"), "high"))
    assert wait_until(lambda: [p["status"].get("phase") for p in pods(kube_emulator, "batch")] == ["Running"])
    kube_emulator.cluster.create(critical(asking(deployment("web", replicas=1), "10Gi"), "high"))
    assert wait_until(lambda: [p["status"].get("phase") for p in pods(kube_emulator, "web")] == ["Pending"])
    assert kube_emulator.idle()
    assert [p["status"].get("phase") for p in pods(kube_emulator, "batch")] == ["Running"]
    assert "Preempted" not in [e.get("reason") for e in kube_emulator.cluster.list("v1", "Event", "default")]


@pytest.mark.kubectl
@pytest.mark.skipif(shutil.which("kubectl") is None, reason="kubectl is not installed")
def test_kubectl_describe_shows_the_nominated_node(kube_emulator: KubeEmulator, kubeconfig: Path) -> None:
    kube_emulator.api.pod_shutdown_seconds = None
    a_node_full_of_batch_pods(kube_emulator)
    kube_emulator.cluster.create(critical(asking(deployment("web", replicas=1), "10Gi")))
    assert wait_until(lambda: [p["status"].get("nominatedNodeName") for p in pods(kube_emulator, "web")] == ["node-0"])
    r = kubectl("describe", "pod", "-l", "app=web")
    assert r.returncode == 0, r.stderr
    assert re.search(r"^NominatedNodeName:\s+node-0$", r.stdout, re.M)
    # the attempt that preempted: PostFilter succeeded, so no "preemption:" part
    assert re.search(r"FailedScheduling .*0/1 nodes are available: 1 Insufficient memory\.$", r.stdout, re.M)
