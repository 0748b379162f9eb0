"""Karpenter replaces a drifted node before it deletes it, within the NodePool's disruption budgets
(kubernetes-sigs/karpenter v1.14.0 pkg/controllers/disruption/queue.go StartCommand, waitOrTerminate;
drift.go ComputeCommands; helpers.go BuildDisruptionBudgetMapping; pkg/apis/v1/nodepool.go Budget;
tests/emulators/kube/controllers/karpenter_disruption.py, karpenter_budgets.py)."""

from __future__ import annotations

import datetime
from typing import Any

from tests.emulators.kube import KubeEmulator
from tests.emulators.kube.apiserver import now_iso, wait_until
from tests.emulators.kube.controllers.karpenter_budgets import active, allowed_by_reason
from tests.kube_emulator.test_karpenter import H100, emu, gpu_app, gpu_pool, running_on
from tests.kube_emulator.test_karpenter_drain import events
from tests.kube_emulator.test_karpenter_termination import CLAIMS, conditions

__all__ = ["emu"]  # the fixture
DISRUPTED = {"key": "karpenter.sh/disrupted", "effect": "NoSchedule"}
# A wait over a chain of simulated controllers (Karpenter, kube-scheduler, the kubelet): at a load of
# 20 on 2 cores a chain of 0.1-0.2 s of CPU takes 2-3 s of wall clock, so the budget is generous; a
# wait ends as soon as what it waits for holds.
CHAIN = 30.0


def drift(emu: KubeEmulator, name: str) -> None:
    claim = emu.cluster.get(*CLAIMS, None, name) or {}
    drifted = {"type": "Drifted", "status": "True", "reason": "NodeClassDrift", "lastTransitionTime": now_iso()}
    emu.cluster.patch_status(*CLAIMS, None, name, {"conditions": [*claim["status"]["conditions"], drifted]})


def one_node_serving(emu: KubeEmulator, **pool_spec: Any) -> tuple[str, str]:
    """A GPU NodePool with one node serving an app: (its NodeClaim, its node)."""
    emu.nap.disruption.queue_delay = 0.05
    emu.cluster.create(gpu_pool("gpu", [H100], **pool_spec))
    emu.cluster.create(gpu_app("llm", H100))
    node = running_on(emu, "llm")
    [claim] = emu.cluster.list(*CLAIMS)
    return claim["metadata"]["name"], node


def others(emu: KubeEmulator, name: str) -> list[dict[str, Any]]:
    return [c for c in emu.cluster.list(*CLAIMS) if c["metadata"]["name"] != name]


def taints(emu: KubeEmulator, node: str) -> list[dict[str, Any]]:
    return list(((emu.cluster.get("v1", "Node", None, node) or {}).get("spec") or {}).get("taints") or [])


def test_a_drifted_node_is_tainted_and_kept_until_its_replacement_is_initialized(emu: KubeEmulator) -> None:
    claim, node = one_node_serving(emu)
    emu.nap.hold_initialization = True
    drift(emu, claim)
    assert wait_until(lambda: len(others(emu, claim)) == 1, timeout=CHAIN)
    replacement = others(emu, claim)[0]["metadata"]["name"]
    waiting = ("Normal", "DisruptionWaitingReadiness", "Waiting on readiness to continue disruption")
    assert wait_until(lambda: waiting in events(emu, replacement, None), timeout=CHAIN)
    assert ("Normal", "DisruptionLaunching", "Launching NodeClaim: Drifted") in events(emu, replacement, None)
    held = emu.cluster.get(*CLAIMS, None, claim)
    assert held is not None and not held["metadata"].get("deletionTimestamp")
    assert conditions(held)["DisruptionReason"] == ("True", "Drifted")
    assert DISRUPTED in taints(emu, node)
    emu.nap.initialize(emu.cluster, replacement)
    said = ("Normal", "DisruptionTerminating", "Disrupting NodeClaim: Drifted")
    assert wait_until(lambda: said in events(emu, claim, None), timeout=CHAIN)
    assert wait_until(lambda: running_on(emu, "llm") == f"aks-{replacement}", timeout=CHAIN)
    assert emu.controllers.errors == []


def replacing(emu: KubeEmulator) -> tuple[str, str]:
    """One node serving, drifted, tainted and waiting on a replacement held uninitialized, with no
    second disruption try while a test looks: (its NodeClaim, its node)."""
    claim, node = one_node_serving(emu)
    emu.nap.disruption.polling = 3600.0
    emu.nap.hold_initialization = True
    drift(emu, claim)
    assert wait_until(lambda: len(others(emu, claim)) == 1, timeout=CHAIN)
    assert wait_until(lambda: DISRUPTED in taints(emu, node), timeout=CHAIN)
    return claim, node


def test_a_replacement_that_fails_to_launch_untaints_the_drifted_node_and_clears_its_disruption(
    emu: KubeEmulator,
) -> None:
    claim, node = replacing(emu)
    emu.cluster.delete(*CLAIMS, None, others(emu, claim)[0]["metadata"]["name"])  # "replacement was deleted"
    assert wait_until(lambda: DISRUPTED not in taints(emu, node), timeout=CHAIN)
    assert wait_until(
        lambda: "DisruptionReason" not in conditions(emu.cluster.get(*CLAIMS, None, claim)), timeout=CHAIN
    )
    assert not (emu.cluster.get(*CLAIMS, None, claim) or {})["metadata"].get("deletionTimestamp")
    # The failed command's own writes (the untaint, the cleared condition) start no new pass: the
    # next try is the next poll (disruption/controller.go pollingPeriod), an hour away here.
    assert emu.idle(CHAIN)
    assert others(emu, claim) == [] and DISRUPTED not in taints(emu, node)
    assert emu.controllers.errors == []


def test_a_budget_of_zero_nodes_blocks_drift_with_the_nodepools_disruption_blocked_event(emu: KubeEmulator) -> None:
    claim, node = one_node_serving(
        emu, disruption={"consolidateAfter": "Never", "budgets": [{"nodes": "0", "reasons": ["Drifted"]}]}
    )
    drift(emu, claim)
    said = (
        "Normal",
        "DisruptionBlocked",
        "No allowed disruptions for disruption reason Drifted due to blocking budget",
    )
    assert wait_until(lambda: said in events(emu, "gpu", None), timeout=CHAIN)
    assert others(emu, claim) == [] and DISRUPTED not in taints(emu, node)


def test_a_budget_with_a_schedule_blocks_only_inside_its_window() -> None:
    # v1.14.0 nodepool.go Budget.IsActive: the schedule's next hit after now - duration is not after now
    business = {"nodes": "0", "schedule": "0 9 * * mon-fri", "duration": "8h"}
    monday = datetime.datetime(2026, 12, 7, tzinfo=datetime.UTC)
    assert active(business, monday.replace(hour=9))
    assert active(business, monday.replace(hour=16, minute=59))
    assert not active(business, monday.replace(hour=17, minute=1))
    assert not active(business, monday.replace(hour=8, minute=59))
    assert not active(business, monday.replace(day=6, hour=10))  # Sunday
    assert active({"nodes": "0", "schedule": "@daily", "duration": "1h"}, monday.replace(minute=30))
    assert active({"nodes": "1"}, monday)


def test_a_drifted_node_whose_pod_no_nodepool_can_take_is_blocked_in_karpenters_words(emu: KubeEmulator) -> None:
    claim, node = one_node_serving(emu, limits={"nodes": "1"})
    drift(emu, claim)
    [pod] = [p for p in emu.cluster.list("v1", "Pod", "default") if p["metadata"]["name"].startswith("llm")]
    said = (
        f"Not all pods would schedule, default/{pod['metadata']['name']} => node limits have been exhausted "
        "for nodepool (NodePool=gpu) "
    )
    assert wait_until(lambda: ("Normal", "DisruptionBlocked", said) in events(emu, claim, None), timeout=CHAIN)
    assert others(emu, claim) == [] and DISRUPTED not in taints(emu, node)


def test_a_budget_whose_schedule_is_not_a_cron_allows_no_disruption_for_any_reason() -> None:
    # v1.14.0 nodepool.go GetAllowedDisruptionsByReason gathers every budget's IsActive error,
    # whatever its reasons, and MustGetAllowedDisruptions answers 0 (fail closed); robfig/cron bc59245
    # parser.go getRange: "end of range (99) above maximum (59)"
    bad = {"nodes": "3", "schedule": "99 * * * *", "duration": "1h", "reasons": ["Empty"]}
    pool = {"spec": {"disruption": {"budgets": [{"nodes": "5"}, bad]}}}
    monday = datetime.datetime(2026, 12, 7, 10, tzinfo=datetime.UTC)
    assert allowed_by_reason(pool, 10, "Drifted", monday) == 0
    assert allowed_by_reason({"spec": {"disruption": {"budgets": [{"nodes": "5"}]}}}, 10, "Drifted", monday) == 5
