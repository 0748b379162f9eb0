"""kube-controller-manager's Deployment, HPA and disruption controllers write status with UpdateStatus
of the object as their sync read it: a writer that came between makes it 409, and what that writer
wrote is not overwritten from the stale read. The Deployment and the PodDisruptionBudget are
requeued and computed again (kubernetes/kubernetes pkg/controller/deployment/progress.go
syncRolloutStatus, deployment_controller.go handleErr; pkg/controller/disruption/disruption.go sync,
updatePdbStatus); the HPA's error is logged and it syncs again a period on
(pkg/controller/podautoscaler/horizontal.go updateStatus, processNextWorkItem). The other writer
lands just before the controller's write (no sleeps)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from tests.emulators.kube import KubeEmulator
from tests.emulators.kube.apiserver import now_iso, wait_until
from tests.kube_emulator.helpers import a_node, deployment
from tests.kube_emulator.test_disruption_budgets import budget, counts, status
from tests.kube_emulator.test_hpa_controller import HPA, Lab
from tests.kube_emulator.test_status_conflicts import before_status_write, note


def condition_types(emu: KubeEmulator, api_version: str, kind: str, name: str) -> set[str]:
    found = emu.cluster.get(api_version, kind, "default", name) or {}
    return {c["type"] for c in (found.get("status") or {}).get("conditions") or []}


def test_a_deployment_sync_keeps_a_condition_written_after_it_read_the_deployment(
    kube_emulator: KubeEmulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    a_node(kube_emulator)
    wrote = note(kube_emulator.cluster, "apps/v1", "Deployment", "default", "web")
    before_status_write(
        kube_emulator, monkeypatch, "Deployment", lambda written: bool(written.get("conditions")), wrote
    )
    kube_emulator.cluster.create(deployment("web", replicas=2))
    assert wait_until(lambda: {"Available", "Noted"} <= condition_types(kube_emulator, "apps/v1", "Deployment", "web"))
    kube_emulator.idle()
    assert "Noted" in condition_types(kube_emulator, "apps/v1", "Deployment", "web")
    assert kube_emulator.controllers.errors == []


def test_a_budget_sync_overtaken_by_an_eviction_counts_the_disrupted_pod(
    kube_emulator: KubeEmulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The eviction's own status update (disruptedPods, one disruption fewer) lands between the
    disruption controller's read and its write; the write is 409 and the requeued sync counts the
    pod as disrupted, so no second disruption is allowed from the stale read."""
    a_node(kube_emulator)
    kube_emulator.cluster.create(deployment("web", replicas=3))
    assert wait_until(lambda: len(kube_emulator.cluster.list("v1", "Pod", "default")) == 3)
    victim = kube_emulator.cluster.list("v1", "Pod", "default")[0]["metadata"]["name"]

    def evicted() -> None:
        pdb = kube_emulator.cluster.get("policy/v1", "PodDisruptionBudget", "default", "web") or {}
        kube_emulator.cluster.patch_status(
            "policy/v1",
            "PodDisruptionBudget",
            "default",
            "web",
            {"disruptedPods": {victim: now_iso()}, "disruptionsAllowed": 0, "observedGeneration": 1, **{
                k: v for k, v in (pdb.get("status") or {}).items() if k in ("expectedPods",)}},
        )  # fmt: skip

    before_status_write(
        kube_emulator,
        monkeypatch,
        "PodDisruptionBudget",
        lambda written: written.get("disruptionsAllowed") == 1,
        evicted,
    )
    kube_emulator.cluster.create(budget("web", "web", minAvailable=2))
    assert wait_until(lambda: counts(kube_emulator, "web") == (3, 2, 2, 0))
    kube_emulator.idle()
    assert counts(kube_emulator, "web") == (3, 2, 2, 0)
    assert list(status(kube_emulator, "web")["disruptedPods"]) == [victim]
    assert kube_emulator.controllers.errors == []


def test_an_hpa_status_write_overtaken_keeps_the_other_writers_condition(
    kube_emulator_factory: Callable[..., Any],
) -> None:
    lab = Lab(kube_emulator_factory, replicas=1)
    lab.during_read = note(lab.emu.cluster, HPA, "HorizontalPodAutoscaler", "default", "keda-hpa-phi-4")
    lab.sync(5)
    lab.during_read = None
    lab.sync(5)
    assert {"Noted", "AbleToScale", "ScalingActive"} <= condition_types(
        lab.emu, HPA, "HorizontalPodAutoscaler", "keda-hpa-phi-4"
    )
    assert lab.emu.controllers.errors == []


def test_a_deployment_synced_for_a_pod_another_writer_deleted_is_requeued_on_a_conflict(
    kube_emulator: KubeEmulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A pod's delete enqueues its owner (replica_set.go deletePod -> enqueueRS); that sync's status
    write meets a 409 and is requeued like any other, not recorded as the controller's fault."""
    a_node(kube_emulator)
    kube_emulator.cluster.create(deployment("web", replicas=2))
    ready = lambda: (kube_emulator.cluster.get("apps/v1", "Deployment", "default", "web") or {}).get("status", {})  # noqa: E731
    assert wait_until(lambda: ready().get("availableReplicas") == 2)
    kube_emulator.idle()
    before_status_write(
        kube_emulator, monkeypatch, "Deployment", lambda written: True,
        note(kube_emulator.cluster, "apps/v1", "Deployment", "default", "web"),
    )  # fmt: skip
    victim = kube_emulator.cluster.list("v1", "Pod", "default")[0]["metadata"]["name"]
    kube_emulator.cluster.delete("v1", "Pod", "default", victim)
    assert wait_until(lambda: "Noted" in condition_types(kube_emulator, "apps/v1", "Deployment", "web"))
    kube_emulator.idle()
    assert kube_emulator.controllers.errors == []
