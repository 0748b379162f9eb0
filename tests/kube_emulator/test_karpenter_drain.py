"""Karpenter's node termination drains through the eviction API (kubernetes-sigs/karpenter 2266468
pkg/controllers/node/termination/; tests/emulators/kube/controllers/karpenter_termination.py)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from tests.emulators.kube import KubeEmulator
from tests.emulators.kube.apiserver import wait_until
from tests.emulators.kube.controllers import karpenter_eviction
from tests.emulators.kube.controllers.karpenter_termination import NodeTermination
from tests.kube_emulator.test_disruption_budgets import budget, counts
from tests.kube_emulator.test_karpenter import H100, emu, gpu_app, gpu_pool, pods, running_on
from tests.kube_emulator.test_scheduling import node, seed

__all__ = ["emu"]  # the fixture


def events(k: KubeEmulator, name: str, ns: str | None = "default") -> list[tuple[str, str, str]]:
    said = [e for e in k.cluster.list("v1", "Event", ns) if e["involvedObject"]["name"] == name]
    return [(e["type"], e["reason"], e["message"]) for e in said if e["source"].get("component") == "karpenter"]


def test_a_budget_holds_the_drain_of_a_deleted_nodepools_node_until_it_allows(emu: KubeEmulator) -> None:
    emu.nap.termination.requeue = 0.05
    emu.cluster.create(gpu_pool("gpu", [H100]))
    emu.cluster.create(gpu_app("llm", H100))
    name = running_on(emu, "llm")
    emu.cluster.create(budget("llm", "llm", minAvailable=1))
    assert wait_until(lambda: counts(emu, "llm") == (1, 1, 1, 0))
    [pod] = pods(emu, "llm")
    conditions: list[Any] = []
    emu.api.listeners.append(
        lambda typ, rt, obj, ctx: (
            conditions.extend((obj.get("status") or {}).get("conditions") or [])
            if rt.kind == "Pod" and obj["metadata"]["name"] == pod["metadata"]["name"]
            else None
        )
    )
    emu.cluster.delete("karpenter.sh/v1", "NodePool", None, "gpu")
    # FailedDraining, not the DisruptionBlocked the emptiness pass may have written before (the
    # node's pod is held by the budget: types.go NewCandidate; karpenter_emptiness)
    drain_events = lambda: [e for e in events(emu, name, None) if e[1] == "FailedDraining"]  # noqa: E731
    assert wait_until(drain_events)
    n = emu.cluster.get("v1", "Node", None, name) or {}
    assert {"key": "karpenter.sh/disrupted", "effect": "NoSchedule"} in n["spec"]["taints"]
    assert n["metadata"]["labels"]["node.kubernetes.io/exclude-from-external-load-balancers"] == "karpenter"
    # the queue's 429 event is deduped by the first (reason and node within 2 minutes)
    assert drain_events() == [("Warning", "FailedDraining", "Failed to drain node, 1 pods are waiting to be evicted")]
    assert not wait_until(lambda: pods(emu, "llm")[0]["metadata"].get("deletionTimestamp"), timeout=0.3)
    assert emu.cluster.get("v1", "Node", None, name) is not None
    emu.cluster.delete("policy/v1", "PodDisruptionBudget", "default", "llm")
    assert wait_until(lambda: emu.cluster.get("v1", "Node", None, name) is None, timeout=5)
    assert wait_until(lambda: emu.cluster.list("karpenter.sh/v1", "NodeClaim") == [])
    assert ("Normal", "Evicted", "Evicted pod: Forceful Termination") in events(emu, pod["metadata"]["name"])
    assert any(c["type"] == "DisruptionTarget" and c["reason"] == "EvictionByEvictionAPI" for c in conditions)


def bound(k: KubeEmulator, name: str, **extra: Any) -> None:
    md: dict[str, Any] = {"name": name, "namespace": "default", **extra.pop("metadata", {})}
    spec = {"nodeName": "n", "containers": [{"name": "c", "image": "x:1"}], **extra}
    k.cluster.create({"apiVersion": "v1", "kind": "Pod", "metadata": md, "spec": spec})
    k.cluster.patch_status("v1", "Pod", "default", name, {"phase": "Running"})


def test_the_drain_evicts_non_daemon_pods_first_and_leaves_do_not_disrupt_and_tolerating_pods(
    kube_emulator_factory: Callable[..., KubeEmulator],
) -> None:
    # The daemon pod's DaemonSet exists: the garbage collector deletes a dependent whose owner is
    # absent (kubernetes/kubernetes pkg/controller/garbagecollector/garbagecollector.go
    # attemptToDeleteItem; the emulator's _collect_if_dangling), which, on a busy machine, took the
    # pod before the drain read it. No workload controllers: the DaemonSet controller would make a
    # pod of its own on n (or delete this one).
    k = kube_emulator_factory(builtin_controllers=False)
    seed(k, node("n"))
    template = {"metadata": {"labels": {"app": "ds"}}, "spec": {"containers": [{"name": "c", "image": "x:1"}]}}
    spec = {"selector": {"matchLabels": {"app": "ds"}}, "template": template}
    daemonset = k.cluster.create(
        {"apiVersion": "apps/v1", "kind": "DaemonSet", "metadata": {"name": "ds", "namespace": "default"}, "spec": spec}
    )
    uid = daemonset["metadata"]["uid"]
    ds = {"apiVersion": "apps/v1", "kind": "DaemonSet", "name": "ds", "uid": uid, "controller": True}
    bound(k, "daemon", metadata={"labels": {"app": "ds"}, "ownerReferences": [ds]})
    bound(k, "plain")
    bound(k, "kept", metadata={"annotations": {"karpenter.sh/do-not-disrupt": "true"}})
    bound(k, "tolerating", tolerations=[{"key": "karpenter.sh/disrupted", "operator": "Exists"}])
    k.api.gc_idle()  # the collector has judged every owner: one absent would have taken its pod by now
    termination = NodeTermination(None)
    assert not termination.drain(k.cluster, k.cluster.get("v1", "Node", None, "n") or {})
    every = k.cluster.list("v1", "Pod", "default")
    going = {p["metadata"]["name"] for p in every if p["metadata"].get("deletionTimestamp")}
    assert going | ({"plain"} - {p["metadata"]["name"] for p in every}) == {"plain"}  # evicted, gone or going
    assert events(k, "n", None) == [
        ("Warning", "FailedDraining", "Failed to drain node, 3 pods are waiting to be evicted")
    ]


def blocked(k: KubeEmulator) -> NodeTermination:
    """Pod p on node n, which its minAvailable-1 budget keeps from eviction; a Karpenter without a
    manager (its queue's requeues are kept in ``evictions.retries``)."""
    seed(k, node("n"))
    bound(k, "p", metadata={"labels": {"app": "p"}})
    k.cluster.create(budget("p", "p", minAvailable=1))
    assert wait_until(lambda: counts(k, "p") == (1, 1, 1, 0))
    return NodeTermination(None)


def test_the_eviction_queue_keeps_a_refused_pod_and_retries_it_on_its_backoff_not_on_each_pass(
    kube_emulator: KubeEmulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    # kubernetes-sigs/karpenter v1.14.0 terminator/eviction.go Queue.Add (a queued pod is not added
    # again), Reconcile (429: requeue) and Register (client-go workqueue ItemExponentialFailureRateLimiter
    # 100 ms doubled per failure, at most 10 s)
    termination = blocked(kube_emulator)
    calls: list[str] = []
    real = karpenter_eviction.evict
    monkeypatch.setattr(karpenter_eviction, "evict", lambda c, ns, n, *a: calls.append(n) or real(c, ns, n, *a))
    n = kube_emulator.cluster.get("v1", "Node", None, "n") or {}
    assert not termination.drain(kube_emulator.cluster, n)
    assert not termination.drain(kube_emulator.cluster, n)
    assert calls == ["p"]  # the second pass found p queued
    assert termination.evictions.retries == [(("default", "p"), 0.1)]
    termination._published.clear()  # past the recorder's 2-minute dedupe of the pass's FailedDraining
    later = [termination.evictions.reconcile(kube_emulator.cluster, ("default", "p")) for _ in range(8)]
    assert later == [0.2, 0.4, 0.8, 1.6, 3.2, 6.4, 10.0, 10.0]
    # awslabs/operatorpkg serrors/serrors.go Error: the Pod key Reconcile wraps the message with
    assert ("Warning", "FailedDraining", "Failed to drain node, evicting pod violates a PDB (Pod=default/p)") in events(
        kube_emulator, "n", None
    )


def test_a_pod_refused_once_is_evicted_by_the_queue_after_it_started_terminating(kube_emulator: KubeEmulator) -> None:
    # kubernetes-sigs/karpenter v1.14.0 terminator/eviction.go: only a success takes the key out of
    # the set, and Reconcile checks neither IsActive nor IsEvictable; the eviction of a terminating pod
    # skips its budget (kubernetes/kubernetes pkg/registry/core/pod/storage/eviction.go canIgnorePDB)
    kube_emulator.api.pod_shutdown_seconds = None  # a deleted pod stays Terminating for its grace period
    termination = blocked(kube_emulator)
    n = kube_emulator.cluster.get("v1", "Node", None, "n") or {}
    assert not termination.drain(kube_emulator.cluster, n)  # refused: 429
    kube_emulator.cluster.delete("v1", "Pod", "default", "p")  # someone else deletes it
    assert not termination.drain(kube_emulator.cluster, n)  # terminating: not IsEvictable, not added again
    assert termination.evictions.reconcile(kube_emulator.cluster, ("default", "p")) is None  # the queue's retry
    assert ("Normal", "Evicted", "Evicted pod: ") in events(kube_emulator, "p")  # n has no NodeClaim: no reason
