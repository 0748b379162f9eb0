"""Karpenter's karpenter.sh/termination finalizer (kubernetes-sigs/karpenter 2266468
pkg/controllers/nodeclaim/lifecycle/controller.go finalize, pkg/controllers/node/termination/controller.go
finalize; tests/emulators/kube/controllers/karpenter_termination.py): a deleted NodeClaim or Node
stays, terminating, while its node drains, and the two go in upstream's order."""

from __future__ import annotations

import datetime
from typing import Any

from akscli.nap import claims as nap_claims
from tests.emulators.kube import KubeEmulator
from tests.emulators.kube.apiserver import wait_until
from tests.emulators.kube.controllers.karpenter_termination import FINALIZER, NodeTermination, termination_time
from tests.kube_emulator.test_disruption_budgets import budget, counts
from tests.kube_emulator.test_karpenter import H100, emu, gpu_app, gpu_pool, pods, running_on
from tests.kube_emulator.test_karpenter_drain import bound, events
from tests.kube_emulator.test_scheduling import node, seed

__all__ = ["emu"]  # the fixture
CLAIMS = ("karpenter.sh/v1", "NodeClaim")


def conditions(obj: dict[str, Any] | None) -> dict[str, tuple[str, str]]:
    return {c["type"]: (c["status"], c["reason"]) for c in ((obj or {}).get("status") or {}).get("conditions") or []}


def record(k: KubeEmulator, *names: str) -> list[tuple[str, str, dict[str, tuple[str, str]]]]:
    """Each write to the Node or NodeClaim ``names``: (event type, kind, the NodeClaim's conditions). The
    replacement the Deployment's pod gets meanwhile is left out: its writes interleave."""
    seen: list[tuple[str, str, dict[str, tuple[str, str]]]] = []
    k.api.listeners.append(
        lambda typ, rt, obj, ctx: (
            seen.append((typ, rt.kind, conditions(obj)))
            if rt.kind in ("Node", "NodeClaim") and obj["metadata"]["name"] in names
            else None
        )
    )
    return seen


def test_a_deleted_nodeclaim_stays_terminating_while_its_node_drains_then_node_then_claim_go(
    emu: KubeEmulator,
) -> None:
    pool = gpu_pool("gpu", [H100])
    pool["spec"]["template"]["spec"]["terminationGracePeriod"] = "1h"
    emu.cluster.create(pool)
    emu.cluster.create(gpu_app("llm", H100))
    name = running_on(emu, "llm")
    emu.cluster.create(budget("llm", "llm", minAvailable=1))
    assert wait_until(lambda: counts(emu, "llm") == (1, 1, 1, 0))
    [claim] = emu.cluster.list(*CLAIMS)
    claim_name = claim["metadata"]["name"]
    assert claim["metadata"]["finalizers"] == [FINALIZER]
    n = emu.cluster.get("v1", "Node", None, name) or {}
    assert n["metadata"]["finalizers"] == [FINALIZER] and n["metadata"]["ownerReferences"][0]["name"] == claim_name
    seen = record(emu, claim_name, name)
    emu.cluster.delete(*CLAIMS, None, claim_name)  # kubectl delete nodeclaim
    assert wait_until(lambda: conditions(emu.cluster.get(*CLAIMS, None, claim_name)).get("Drained"))
    held = emu.cluster.get(*CLAIMS, None, claim_name) or {}
    assert held["metadata"]["deletionTimestamp"] and conditions(held)["Drained"] == ("Unknown", "Draining")
    assert (emu.cluster.get("v1", "Node", None, name) or {})["metadata"]["deletionTimestamp"]
    # the terminationGracePeriod's time: deletionTimestamp + 1h (ensureTerminationGracePeriodTerminationTimeAnnotation)
    deleted = datetime.datetime.strptime(held["metadata"]["deletionTimestamp"], "%Y-%m-%dT%H:%M:%SZ")
    stamp = (deleted + datetime.timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M:%SZ")
    assert held["metadata"]["annotations"]["karpenter.sh/nodeclaim-termination-timestamp"] == stamp
    # what akscli nodepool show --auto-provision writes
    assert nap_claims.claim_row(held)["state"] == f"terminating: draining (pods deleted by {stamp})"
    emu.cluster.delete("policy/v1", "PodDisruptionBudget", "default", "llm")
    # The listener hears of a delete after the store has it: wait for the event, not for the get.
    assert wait_until(lambda: any(typ == "DELETED" and kind == "NodeClaim" for typ, kind, _ in seen), timeout=5)
    assert emu.cluster.get(*CLAIMS, None, claim_name) is None
    gone = [kind for typ, kind, _ in seen if typ == "DELETED"]
    assert gone == ["Node", "NodeClaim"]
    # Drained, VolumesDetached and InstanceTerminating all True before the Node went
    before = [c for typ, kind, c in seen[: [t for t, _, _ in seen].index("DELETED")] if kind == "NodeClaim"]
    assert {k: before[-1][k][0] for k in ("Drained", "VolumesDetached", "InstanceTerminating")} == dict.fromkeys(
        ("Drained", "VolumesDetached", "InstanceTerminating"), "True"
    )
    assert emu.controllers.errors == []


def test_deleting_a_karpenter_node_deletes_its_nodeclaim_and_both_go(emu: KubeEmulator) -> None:
    emu.cluster.create(gpu_pool("gpu", [H100]))
    emu.cluster.create(gpu_app("llm", H100))
    name = running_on(emu, "llm")
    [claim] = emu.cluster.list(*CLAIMS)
    seen = record(emu, claim["metadata"]["name"], name)
    emu.cluster.delete("v1", "Node", None, name)  # kubectl delete node
    assert wait_until(lambda: ("DELETED", "NodeClaim") in [(t, k) for t, k, _ in seen], timeout=5)
    assert [kind for typ, kind, _ in seen if typ == "DELETED"] == ["Node", "NodeClaim"]
    claim_writes = [c for typ, kind, c in seen if kind == "NodeClaim"]
    assert claim_writes[-1]["InstanceTerminating"] == ("True", "InstanceTerminating")
    assert emu.cluster.get(*CLAIMS, None, claim["metadata"]["name"]) is None
    assert emu.controllers.errors == []


def test_min_drain_time_keeps_drained_unknown_after_the_node_is_empty(kube_emulator: KubeEmulator) -> None:
    seed(kube_emulator, node("n"))
    termination = NodeTermination(None)
    n = kube_emulator.cluster.get("v1", "Node", None, "n") or {}
    claim: dict[str, Any] = {"metadata": {"name": "c"}, "status": {}}
    found: list[dict[str, Any]] = []
    assert termination._await_drain(kube_emulator.cluster, n, claim, found) == termination.requeue  # MinDrainTime
    assert [(c["type"], c["status"], c["reason"]) for c in found] == [("Drained", "Unknown", "Draining")]
    found[0]["lastTransitionTime"] = "2020-01-01T00:00:00Z"  # 5 s and more ago
    assert termination._await_drain(kube_emulator.cluster, n, claim, found) is None
    assert [(c["type"], c["status"], c["reason"]) for c in found] == [("Drained", "True", "Drained")]


def test_a_pod_nominated_to_a_nodeclaim_being_deleted_gets_a_new_one(emu: KubeEmulator) -> None:
    # provisioner.go Schedule: nodes marked for deletion are no capacity (nodes.Active()).
    emu.cluster.create(gpu_app("llm", H100))
    assert wait_until(lambda: any(p["status"].get("phase") == "Pending" for p in pods(emu, "llm")))
    [pod] = pods(emu, "llm")
    held = {"apiVersion": CLAIMS[0], "kind": "NodeClaim", "metadata": {"name": "gpu-held", "finalizers": ["test/hold"]},
            "spec": {"nodeClassRef": {"group": "karpenter.azure.com", "kind": "AKSNodeClass", "name": "default"},
                     "requirements": []}}  # fmt: skip
    emu.cluster.create(held)
    emu.cluster.delete(*CLAIMS, None, "gpu-held")  # terminating, held by the test's finalizer
    emu.nap._nominated[pod["metadata"]["uid"]] = "gpu-held"
    emu.cluster.create(gpu_pool("gpu", [H100]))
    assert running_on(emu, "llm").startswith("aks-gpu-")


def test_past_the_termination_grace_period_a_pod_its_budget_and_do_not_disrupt_hold_is_deleted(
    emu: KubeEmulator,
) -> None:
    # kubernetes-sigs/karpenter v1.14.0 terminator.go Drain, DeleteExpiringPods; events.go DisruptPodDelete
    pool = gpu_pool("gpu", [H100])
    pool["spec"]["template"]["spec"]["terminationGracePeriod"] = "1h"
    emu.cluster.create(pool)
    app = gpu_app("llm", H100)
    app["spec"]["template"]["metadata"]["annotations"] = {"karpenter.sh/do-not-disrupt": "true"}
    emu.cluster.create(app)
    name = running_on(emu, "llm")
    emu.cluster.create(budget("llm", "llm", minAvailable=1))
    assert wait_until(lambda: counts(emu, "llm") == (1, 1, 1, 0))
    [pod] = pods(emu, "llm")
    [claim] = emu.cluster.list(*CLAIMS)
    claim_name = claim["metadata"]["name"]
    emu.cluster.delete(*CLAIMS, None, claim_name)
    assert wait_until(lambda: conditions(emu.cluster.get(*CLAIMS, None, claim_name)).get("Drained"))
    assert not pods(emu, "llm")[0]["metadata"].get("deletionTimestamp")  # held: the budget, do-not-disrupt
    stamp = (emu.cluster.get(*CLAIMS, None, claim_name) or {})["metadata"]["annotations"][
        "karpenter.sh/nodeclaim-termination-timestamp"
    ]
    emu.nap.advance(3600)  # Karpenter's clock past the NodeClaim's termination time
    assert wait_until(lambda: emu.cluster.get(*CLAIMS, None, claim_name) is None, timeout=5)
    assert emu.cluster.get("v1", "Node", None, name) is None
    said = [e for e in events(emu, pod["metadata"]["name"]) if e[1] != "Nominated"]  # the provisioner's
    at = datetime.datetime.fromisoformat(stamp).strftime("%Y-%m-%d %H:%M:%S +0000 UTC")  # Go's %v of a time
    assert said == [
        (
            "Normal",
            "Disrupted",
            f"Deleting the pod to accommodate the terminationTime {at} of the node. The pod was granted 1 seconds "
            "of grace-period of its 30 terminationGracePeriodSeconds. This bypasses the PDB of the pod and the "
            "do-not-disrupt annotation.",
        )
    ]  # deleted, not evicted
    assert emu.controllers.errors == []


def test_a_pod_is_deleted_its_own_grace_period_before_the_nodes_termination_time(
    kube_emulator: KubeEmulator,
) -> None:
    # v1.14.0 terminator.go podDeleteTimeWithGracePeriod: T = node time - terminationGracePeriodSeconds
    seed(kube_emulator, node("n"))
    bound(kube_emulator, "p", terminationGracePeriodSeconds=600,
          metadata={"annotations": {"karpenter.sh/do-not-disrupt": "true"}})  # fmt: skip
    termination = NodeTermination(None)
    deadline = termination_time("2026-12-06T12:00:00Z")
    assert deadline is not None
    n = kube_emulator.cluster.get("v1", "Node", None, "n") or {}
    termination.now = lambda: deadline.timestamp() - 600.5  # type: ignore[method-assign]
    assert not termination.drain(kube_emulator.cluster, n, deadline)
    assert not (kube_emulator.cluster.get("v1", "Pod", "default", "p") or {})["metadata"].get("deletionTimestamp")
    termination.now = lambda: deadline.timestamp() - 599.5  # type: ignore[method-assign]
    assert not termination.drain(kube_emulator.cluster, n, deadline)
    p = kube_emulator.cluster.get("v1", "Pod", "default", "p")
    assert p is None or p["metadata"]["deletionGracePeriodSeconds"] == 599  # gone, or going in 599 s
    said = (
        "Deleting the pod to accommodate the terminationTime 2026-12-06 12:00:00 +0000 UTC of the node. The pod was "
        "granted 599 seconds of grace-period of its 600 terminationGracePeriodSeconds. This bypasses the PDB of the "
        "pod and the do-not-disrupt annotation."
    )
    assert ("Normal", "Disrupted", said) in events(kube_emulator, "p")


def test_a_pod_only_its_budget_holds_is_deleted_and_evicted_in_the_same_pass(kube_emulator: KubeEmulator) -> None:
    # v1.14.0 terminator.go Drain: the groups come from the pods listed before DeleteExpiringPods, so the
    # pod just deleted is still IsEvictable there and is queued; the eviction of a terminating pod skips
    # its budget (kubernetes eviction.go canIgnorePDB) and eviction.go Reconcile publishes EvictPod.
    kube_emulator.api.pod_shutdown_seconds = None  # the pod stays Terminating for its grace period
    seed(kube_emulator, node("n"))
    bound(kube_emulator, "p", terminationGracePeriodSeconds=600, metadata={"labels": {"app": "p"}})
    kube_emulator.cluster.create(budget("p", "p", minAvailable=1))
    assert wait_until(lambda: counts(kube_emulator, "p") == (1, 1, 1, 0))  # no disruption allowed
    termination = NodeTermination(None)
    deadline = termination_time("2026-12-06T12:00:00Z")
    assert deadline is not None
    n = kube_emulator.cluster.get("v1", "Node", None, "n") or {}
    termination.now = lambda: deadline.timestamp() - 599.5  # type: ignore[method-assign]
    assert not termination.drain(kube_emulator.cluster, n, deadline)
    # sorted: a list returns Events by their generated names, not in the order they were written;
    # "Evicted pod: " with no reason: node n has no providerID, so no NodeClaim (kubernetes-sigs/karpenter
    # v1.14.0 terminator/eviction.go evictionReason returns "" when nodeutils.NodeClaimForNode fails)
    said = sorted((reason, message.split(" of ")[0]) for _, reason, message in events(kube_emulator, "p"))
    assert said == [
        ("Disrupted", "Deleting the pod to accommodate the terminationTime 2026-12-06 12:00:00 +0000 UTC"),
        ("Evicted", "Evicted pod: "),
    ]
    p = kube_emulator.cluster.get("v1", "Pod", "default", "p") or {}
    assert p["metadata"]["deletionGracePeriodSeconds"] == 599  # the eviction did not lengthen it


def test_the_termination_time_is_read_as_go_reads_rfc3339() -> None:
    # controller.go nodeTerminationTime: time.Parse(time.RFC3339, ...) refuses an offset without its
    # colon, a time without seconds and the basic format (Go's time/format_rfc3339.go parseRFC3339).
    assert termination_time("2026-12-06T12:00:00.5+02:00") is not None
    for text in ("2026-12-06T12:00:00+0200", "2026-12-06T12:00Z", "20261206T120000Z", "2026-13-06T12:00:00Z"):
        assert termination_time(text) is None, text


def _deleting(obj: dict[str, Any]) -> dict[str, Any]:
    obj["metadata"].update({"deletionTimestamp": "2026-12-07T00:00:00Z", "finalizers": [FINALIZER]})
    return obj


def test_naps_termination_leaves_kaitos_gpu_provisioner_nodes_and_nodeclaims_to_it() -> None:
    # kubernetes-sigs/karpenter pkg/utils/node/node.go and pkg/utils/nodeclaim/nodeclaim.go IsManaged: NAP
    # reconciles its own node class only; KAITO's NodeClaims name kaito.sh/KaitoNodeClass
    from types import SimpleNamespace

    termination = NodeTermination(None)
    queued: list[tuple[str, str]] = []
    termination.queue = lambda kind, name, after: queued.append((kind, name))  # type: ignore[method-assign]
    node_rt, claim_rt = SimpleNamespace(kind="Node", group=""), SimpleNamespace(kind="NodeClaim", group="karpenter.sh")
    kaito_node = {"metadata": {"name": "aks-ws1-12345678-vmss000000", "labels": {"kaito.sh/workspace": "ws"}}}
    kaito_claim = {
        "metadata": {"name": "ws1"},
        "spec": {"nodeClassRef": {"group": "kaito.sh", "kind": "KaitoNodeClass"}},
    }
    nap_node = {"metadata": {"name": "nap-1", "labels": {"karpenter.azure.com/aksnodeclass": "default"}}}
    termination.on_event("MODIFIED", node_rt, _deleting(kaito_node), None)
    termination.on_event("MODIFIED", claim_rt, _deleting(kaito_claim), None)
    termination.on_event("MODIFIED", node_rt, _deleting(nap_node), None)
    assert queued == [("Node", "nap-1")]
