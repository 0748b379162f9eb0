"""The eviction route's other answers (kubernetes/kubernetes pkg/registry/core/pod/storage/eviction.go):
a negative budget, dry run, preconditions, and an unready pod under IfHealthyBudget."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

from tests.emulators.kube import KubeEmulator
from tests.emulators.kube.apiserver import wait_until
from tests.emulators.kube.controllers.disruption import DisruptionController
from tests.kube_emulator.helpers import deployment, raw
from tests.kube_emulator.test_disruption_budgets import budget, counts
from tests.kube_emulator.test_pod_eviction import running
from tests.kube_emulator.test_scheduling import node, pods, seed

PDB = ("policy/v1", "PodDisruptionBudget", "default", "web")


def evict(emu: KubeEmulator, query: str = "", **options: Any) -> Any:
    body: dict[str, Any] = {"apiVersion": "policy/v1", "kind": "Eviction", "metadata": {"name": "p"}}
    if options:
        body["deleteOptions"] = options
    return raw(emu, "POST", f"/api/v1/namespaces/default/pods/p/eviction{query}", body)


def written(emu: KubeEmulator, monkeypatch: pytest.MonkeyPatch, ready: bool, **status: Any) -> None:
    """Budget web over pod p, its status as given (the disruption controller stubbed out)."""
    monkeypatch.setattr(DisruptionController, "reconcile", lambda self, cluster, obj: None)
    emu.cluster.create(budget("web", "web", minAvailable=1))
    emu.cluster.patch_status(*PDB, {"observedGeneration": 1, **status})
    running(emu, ready=ready)


def test_a_negative_disruptions_allowed_is_403_and_zero_is_429(
    kube_emulator: KubeEmulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    written(kube_emulator, monkeypatch, ready=True, disruptionsAllowed=-1, desiredHealthy=1, currentHealthy=0)
    r = evict(kube_emulator)
    assert (r.status, r.json()["reason"], r.json()["message"]) == (
        403,
        "Forbidden",
        'poddisruptionbudget.policy "web" is forbidden: pdb disruptions allowed is negative',
    )
    kube_emulator.cluster.patch_status(*PDB, {"disruptionsAllowed": 0})
    assert evict(kube_emulator).status == 429


def test_a_dry_run_eviction_answers_201_and_changes_nothing(
    kube_emulator: KubeEmulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    written(kube_emulator, monkeypatch, ready=True, disruptionsAllowed=1, desiredHealthy=1, currentHealthy=2)
    before = kube_emulator.cluster.get("v1", "Pod", "default", "p") or {}
    assert evict(kube_emulator, "?dryRun=All").status == 201
    assert evict(kube_emulator, dryRun=["All"]).status == 201  # deleteOptions.dryRun: propagateDryRun
    assert kube_emulator.cluster.get("v1", "Pod", "default", "p") == before
    assert (kube_emulator.cluster.get(*PDB) or {})["status"]["disruptionsAllowed"] == 1


def test_a_uid_or_resource_version_precondition_that_does_not_match_is_409(kube_emulator: KubeEmulator) -> None:
    running(kube_emulator, ready=True)
    r = evict(kube_emulator, preconditions={"uid": "other"})
    assert (r.status, r.json()["reason"]) == (409, "Conflict")
    assert r.json()["message"].startswith('Operation cannot be fulfilled on pods "p": ')  # the resource, not the kind
    assert r.json()["details"] == {"name": "p", "kind": "pods"}  # errors.go NewConflict
    r = evict(kube_emulator, preconditions={"resourceVersion": "1"})
    assert (r.status, r.json()["reason"]) == (409, "Conflict")
    assert kube_emulator.cluster.get("v1", "Pod", "default", "p") is not None


def test_an_unready_pod_goes_under_if_healthy_budget_only_while_the_budget_is_met(
    kube_emulator: KubeEmulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    written(kube_emulator, monkeypatch, ready=False, disruptionsAllowed=0, desiredHealthy=1, currentHealthy=0)
    assert evict(kube_emulator).status == 429  # not met: the budget is checked and has no disruption
    kube_emulator.cluster.patch_status(*PDB, {"currentHealthy": 1})
    assert evict(kube_emulator).status == 201  # met: no disruption spent
    assert (kube_emulator.cluster.get(*PDB) or {})["status"].get("disruptedPods") is None


@pytest.mark.kubectl
@pytest.mark.skipif(shutil.which("kubectl") is None, reason="kubectl is not installed")
def test_kubectl_drain_server_dry_run_evicts_nothing(kube_emulator: KubeEmulator, kubeconfig: Path) -> None:
    seed(kube_emulator, node("node-a"))
    kube_emulator.cluster.create(deployment("web", replicas=2))
    kube_emulator.cluster.create(budget("web", "web", minAvailable=1))
    assert wait_until(lambda: counts(kube_emulator, "web") == (2, 1, 2, 1))
    drain = ["kubectl", "drain", "node-a", "--dry-run=server", "--timeout=5s"]
    r = subprocess.run(drain, capture_output=True, text=True, timeout=30, check=False)
    assert r.returncode == 0, r.stderr
    assert "(server dry run)" in r.stdout and "node/node-a drained (server dry run)" in r.stdout
    assert "evicting pod default/" in r.stdout
    assert all(not p["metadata"].get("deletionTimestamp") for p in pods(kube_emulator, "web"))
    assert counts(kube_emulator, "web") == (2, 1, 2, 1)
    assert not (kube_emulator.cluster.get("v1", "Node", None, "node-a") or {})["spec"].get("unschedulable")
