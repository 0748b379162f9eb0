"""DefaultPreemption honours PodDisruptionBudgets (victims whose eviction violates a budget are
reprieved first, and the node with the fewest violations is chosen), and the nominator holds a
preemptor's room against lower-priority pods (kubernetes/kubernetes
pkg/scheduler/framework/plugins/defaultpreemption/default_preemption.go SelectVictimsOnNode,
pkg/scheduler/framework/preemption/preemption.go filterPodsWithPDBViolation and
pickOneNodeForPreemption, pkg/scheduler/framework/runtime/framework.go addGENominatedPods)."""

from __future__ import annotations

from typing import Any

from tests.emulators.kube import KubeEmulator
from tests.emulators.kube.apiserver import wait_until
from tests.emulators.kube.controllers.preemption import pick_node, select_victims
from tests.emulators.kube.controllers.scheduling import Scheduler
from tests.kube_emulator.helpers import deployment
from tests.kube_emulator.test_daemon_pod_fit import asking
from tests.kube_emulator.test_preemption import critical
from tests.kube_emulator.test_scheduling import node, pods, seed


def budget(app: str, allowed: int | None = None) -> dict[str, Any]:
    pdb: dict[str, Any] = {
        "apiVersion": "policy/v1",
        "kind": "PodDisruptionBudget",
        "metadata": {"name": app, "namespace": "default"},
        "spec": {"minAvailable": 1, "selector": {"matchLabels": {"app": app}}},
    }
    if allowed is not None:
        pdb["status"] = {"disruptionsAllowed": allowed}
    return pdb


def running_pod(name: str, memory: str, rank: int, start: str) -> dict[str, Any]:
    return {
        "metadata": {"name": name, "namespace": "default", "labels": {"app": name}, "uid": name},
        "spec": {"priority": rank, "containers": [{"name": "c", "resources": {"requests": {"memory": memory}}}]},
        "status": {"phase": "Running", "startTime": start},
    }


def preemptor(memory: str) -> dict[str, Any]:
    return {"priority": 1000, "containers": [{"name": "c", "resources": {"requests": {"memory": memory}}}]}


def test_a_victim_a_budget_protects_is_reprieved_before_the_others() -> None:
    # Both pods are lower than the preemptor; room for one must go. Without budgets the more
    # important (priority 10) is reprieved first and the other is the victim.
    on_node = [
        running_pod("keep", "12Gi", 10, "2026-01-01T00:00:00Z"),
        running_pod("spare", "12Gi", 5, "2026-01-01T00:00:00Z"),
    ]
    found = select_victims(preemptor("10Gi"), node("node-0"), on_node, 1000, [])
    assert found is not None and ([v["metadata"]["name"] for v in found[0]], found[1]) == (["spare"], 0)
    found = select_victims(preemptor("10Gi"), node("node-0"), on_node, 1000, [budget("spare", 0)])
    assert found is not None and ([v["metadata"]["name"] for v in found[0]], found[1]) == (["keep"], 0)


def test_a_victim_that_must_go_despite_its_budget_counts_as_a_violation() -> None:
    on_node = [running_pod("only", "25Gi", 0, "2026-01-01T00:00:00Z")]
    found = select_victims(preemptor("10Gi"), node("node-0"), on_node, 1000, [budget("only", 0)])
    assert found is not None and found[1] == 1


def test_a_budget_with_a_disruption_allowed_is_not_violated() -> None:
    on_node = [running_pod("only", "25Gi", 0, "2026-01-01T00:00:00Z")]
    found = select_victims(preemptor("10Gi"), node("node-0"), on_node, 1000, [budget("only", 1)])
    assert found is not None and found[1] == 0


def test_the_node_with_fewer_violations_is_picked_before_lower_priorities() -> None:
    cheap = [running_pod("a", "1Gi", 0, "2026-01-01T00:00:00Z")]
    dear = [running_pod("b", "1Gi", 100, "2026-01-01T00:00:00Z")]
    assert pick_node({"node-0": (cheap, 1), "node-1": (dear, 0)}) == "node-1"
    assert pick_node({"node-0": (cheap, 0), "node-1": (dear, 0)}) == "node-0"


def test_preemption_evicts_on_the_node_whose_victim_no_budget_protects(kube_emulator: KubeEmulator) -> None:
    seed(kube_emulator, node("node-0"), node("node-1"))
    kube_emulator.cluster.create(budget("guarded"))  # minAvailable 1 of 1 pod: no disruption allowed
    for app in ("guarded", "spare"):
        kube_emulator.cluster.create(asking(deployment(app, replicas=1), "25Gi"))
        assert wait_until(lambda app=app: [p["status"].get("phase") for p in pods(kube_emulator, app)] == ["Running"])  # type: ignore[misc]
    # the disruption controller's status, not one written here: 1 healthy of the 1 required
    guarded = lambda: kube_emulator.cluster.get("policy/v1", "PodDisruptionBudget", "default", "guarded") or {}  # noqa: E731
    assert wait_until(lambda: (guarded().get("status") or {}).get("currentHealthy") == 1)
    assert guarded()["status"]["disruptionsAllowed"] == 0
    spare = pods(kube_emulator, "spare")[0]
    kube_emulator.cluster.create(critical(asking(deployment("web", replicas=1), "10Gi")))
    assert wait_until(
        lambda: (
            [p["status"].get("nominatedNodeName") for p in pods(kube_emulator, "web")] == [spare["spec"]["nodeName"]]
        )
    )
    assert wait_until(
        lambda: spare["metadata"]["uid"] not in [p["metadata"]["uid"] for p in pods(kube_emulator, "spare")]
    )
    assert [p["status"].get("phase") for p in pods(kube_emulator, "guarded")] == ["Running"]


def test_a_nominated_pods_room_is_held_against_a_lower_priority_pod(kube_emulator: KubeEmulator) -> None:
    seed(kube_emulator, node("node-0"))
    waiting = {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {"name": "web", "namespace": "default"},
        "spec": {
            "priorityClassName": "system-cluster-critical",
            "nodeSelector": {"pool": "not-yet"},  # keeps it Pending with its nomination
            "containers": [{"name": "c", "image": "vllm", "resources": {"requests": {"memory": "20Gi"}}}],
        },
    }
    kube_emulator.cluster.create(waiting)
    # as the scheduler leaves a preemptor: Unschedulable, nominated for the node its victims left
    unschedulable = {"type": "PodScheduled", "status": "False", "reason": "Unschedulable", "message": "0/1 nodes"}
    status = {"phase": "Pending", "conditions": [unschedulable], "nominatedNodeName": "node-0"}
    kube_emulator.cluster.patch_status("v1", "Pod", "default", "web", status)
    assert kube_emulator.idle()
    lower = {"priority": 0, "containers": [{"name": "c", "resources": {"requests": {"memory": "20Gi"}}}]}
    placement = Scheduler(kube_emulator.cluster).place(lower, "", {"namespace": "default", "uid": "lower"})
    assert placement.node is None and placement.message.startswith("0/1 nodes are available: 1 Insufficient memory.")
    higher = {**lower, "priority": 2000000001}
    assert (
        Scheduler(kube_emulator.cluster).place(higher, "", {"namespace": "default", "uid": "higher"}).node == "node-0"
    )


def test_a_nomination_whose_node_is_gone_is_cleared_and_holds_no_room(kube_emulator: KubeEmulator) -> None:
    # Preempt finds no candidate on the retry a node's arrival brings: NewPostFilterResultWithNominatedNode("")
    waiting = {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {"name": "web", "namespace": "default"},
        "spec": {
            "priorityClassName": "system-cluster-critical",
            "nodeSelector": {"pool": "not-yet"},  # no node can take it: no candidate
            "containers": [{"name": "c", "image": "vllm", "resources": {"requests": {"memory": "20Gi"}}}],
        },
    }
    kube_emulator.cluster.create(waiting)
    unschedulable = {"type": "PodScheduled", "status": "False", "reason": "Unschedulable", "message": "0/0 nodes"}
    status = {"phase": "Pending", "conditions": [unschedulable], "nominatedNodeName": "node-0"}  # node-0 is gone
    kube_emulator.cluster.patch_status("v1", "Pod", "default", "web", status)
    seed(kube_emulator, node("node-0"))  # a new node of that name: the scheduler retries the pod
    get = lambda: kube_emulator.cluster.get("v1", "Pod", "default", "web") or {}  # noqa: E731
    assert wait_until(lambda: "nominatedNodeName" not in get().get("status", {}))
    lower = {"priority": 0, "containers": [{"name": "c", "resources": {"requests": {"memory": "20Gi"}}}]}
    assert Scheduler(kube_emulator.cluster).place(lower, "", {"namespace": "default", "uid": "lower"}).node == "node-0"
