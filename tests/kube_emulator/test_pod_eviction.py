"""The pods/eviction subresource as kube-apiserver serves it (kubernetes/kubernetes
pkg/registry/core/pod/storage/eviction.go), and the real `kubectl drain` through it."""

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
from tests.kube_emulator.test_scheduling import node, pods, seed


def evict(emu: KubeEmulator, name: str) -> Any:
    body = {"apiVersion": "policy/v1", "kind": "Eviction", "metadata": {"name": name, "namespace": "default"}}
    return raw(emu, "POST", f"/api/v1/namespaces/default/pods/{name}/eviction", body)


def test_no_disruption_left_is_429_with_the_budgets_cause_and_the_pod_stays(kube_emulator: KubeEmulator) -> None:
    seed(kube_emulator, node("node-a"))
    kube_emulator.cluster.create(deployment("web", replicas=1))
    kube_emulator.cluster.create(budget("web", "web", minAvailable=1))
    assert wait_until(lambda: counts(kube_emulator, "web") == (1, 1, 1, 0))
    [pod] = pods(kube_emulator, "web")
    r = evict(kube_emulator, pod["metadata"]["name"])
    assert (r.status, r.headers.get("Retry-After")) == (429, None)
    assert r.json() == {
        "kind": "Status",
        "apiVersion": "v1",
        "metadata": {},
        "status": "Failure",
        "message": "Cannot evict pod as it would violate the pod's disruption budget.",
        "reason": "TooManyRequests",
        "details": {
            "causes": [
                {
                    "reason": "DisruptionBudget",
                    "message": "The disruption budget web needs 1 healthy pods and has 1 currently",
                }
            ]
        },
        "code": 429,
    }
    assert not pods(kube_emulator, "web")[0]["metadata"].get("deletionTimestamp")


def test_an_allowed_eviction_records_the_pod_on_the_budget_and_deletes_it(kube_emulator: KubeEmulator) -> None:
    seed(kube_emulator, node("node-a"))
    kube_emulator.cluster.create(deployment("web", replicas=2))
    kube_emulator.cluster.create(budget("web", "web", minAvailable=1))
    assert wait_until(lambda: counts(kube_emulator, "web") == (2, 1, 2, 1))
    writes: dict[str, list[tuple[str, dict[str, Any]]]] = {"Pod": [], "PodDisruptionBudget": []}
    kube_emulator.api.listeners.append(lambda typ, rt, obj, ctx: writes.get(rt.kind, []).append((typ, obj)))
    name = pods(kube_emulator, "web")[0]["metadata"]["name"]
    r = evict(kube_emulator, name)
    assert (r.status, r.json()) == (
        201,
        {"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Success", "code": 201},
    )
    first = writes["PodDisruptionBudget"][0][1]["status"]  # the eviction's own write, before the controller's
    assert (first["disruptionsAllowed"], list(first["disruptedPods"])) == (0, [name])
    assert [(c["status"], c["reason"]) for c in first["conditions"]] == [("False", "InsufficientPods")]
    (typ, pod), *_ = [w for w in writes["Pod"] if w[1]["metadata"]["name"] == name]
    assert typ == "MODIFIED" and not pod["metadata"].get("deletionTimestamp")  # the condition, then the delete
    # a bound pod goes gracefully: its kubelet removes it once its containers stopped (kubelet_termination.py)
    assert wait_until(lambda: [w[0] for w in writes["Pod"] if w[1]["metadata"]["name"] == name][-1] == "DELETED")
    [cond] = [c for c in pod["status"]["conditions"] if c["type"] == "DisruptionTarget"]
    assert (cond["status"], cond["reason"], cond["message"]) == (
        "True",
        "EvictionByEvictionAPI",
        "Eviction API: evicting",
    )


def test_a_pod_two_budgets_select_is_500_and_a_pending_pod_goes_without_a_budget_look(
    kube_emulator: KubeEmulator,
) -> None:
    kube_emulator.cluster.create(budget("a", "web", minAvailable=1))
    kube_emulator.cluster.create(budget("b", "web", minAvailable=1))
    pod = {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p", "labels": {"app": "web"}}}
    kube_emulator.cluster.create({**pod, "spec": {"containers": [{"name": "c", "image": "nginx"}]}})
    kube_emulator.cluster.patch_status("v1", "Pod", "default", "p", {"phase": "Running"})
    r = evict(kube_emulator, "p")
    assert (r.status, r.json()) == (
        500,
        {
            "kind": "Status",
            "apiVersion": "v1",
            "metadata": {},
            "status": "Failure",
            "message": (
                "This pod has more than one PodDisruptionBudget, which the eviction subresource does not support."
            ),
            "code": 500,
        },
    )
    kube_emulator.cluster.patch_status("v1", "Pod", "default", "p", {"phase": "Pending"})  # canIgnorePDB
    assert evict(kube_emulator, "p").status == 201


def running(emu: KubeEmulator, ready: bool) -> None:
    """A bare pod p (app=web), Running, its Ready condition as asked."""
    pod = {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p", "labels": {"app": "web"}}}
    emu.cluster.create({**pod, "spec": {"containers": [{"name": "c", "image": "nginx"}]}})
    cond = [{"type": "Ready", "status": "True" if ready else "False"}]
    emu.cluster.patch_status("v1", "Pod", "default", "p", {"phase": "Running", "conditions": cond})


def test_a_budget_status_older_than_its_spec_is_429_retry_after_10(
    kube_emulator: KubeEmulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(DisruptionController, "reconcile", lambda self, cluster, obj: None)  # status as written
    kube_emulator.cluster.create(budget("web", "web", minAvailable=1))  # generation 1, no observedGeneration
    kube_emulator.cluster.patch_status("policy/v1", "PodDisruptionBudget", "default", "web", {"disruptionsAllowed": 1})
    running(kube_emulator, ready=True)
    r = evict(kube_emulator, "p")
    assert (r.status, r.headers.get("Retry-After")) == (429, "10")
    assert r.json()["details"] == {
        "retryAfterSeconds": 10,
        "causes": [
            {
                "reason": "DisruptionBudget",
                "message": "The disruption budget web is still being processed by the server.",
            }
        ],
    }


def test_an_unready_pod_goes_under_always_allow_without_a_disruption(
    kube_emulator: KubeEmulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(DisruptionController, "reconcile", lambda self, cluster, obj: None)
    kube_emulator.cluster.create(budget("web", "web", minAvailable=1, unhealthyPodEvictionPolicy="AlwaysAllow"))
    written = {"observedGeneration": 1, "disruptionsAllowed": 0, "currentHealthy": 0, "desiredHealthy": 1}
    kube_emulator.cluster.patch_status("policy/v1", "PodDisruptionBudget", "default", "web", written)
    running(kube_emulator, ready=False)
    assert evict(kube_emulator, "p").status == 201
    status = (kube_emulator.cluster.get("policy/v1", "PodDisruptionBudget", "default", "web") or {})["status"]
    assert (status["disruptionsAllowed"], status.get("disruptedPods")) == (0, None)


def test_a_name_other_than_the_urls_is_400(kube_emulator: KubeEmulator) -> None:
    body = {"apiVersion": "policy/v1", "kind": "Eviction", "metadata": {"name": "other"}}
    r = raw(kube_emulator, "POST", "/api/v1/namespaces/default/pods/p/eviction", body)
    assert (r.status, r.json()["message"]) == (400, "name in URL does not match name in Eviction object")


@pytest.mark.kubectl
@pytest.mark.skipif(shutil.which("kubectl") is None, reason="kubectl is not installed")
def test_kubectl_drain_is_held_by_the_budget_then_goes_after_a_scale_up(
    kube_emulator: KubeEmulator, kubeconfig: Path
) -> None:
    kube_emulator.api.pod_shutdown_seconds = 0.0
    seed(kube_emulator, node("node-a"))
    kube_emulator.cluster.create(deployment("web", replicas=1))
    kube_emulator.cluster.create(budget("web", "web", minAvailable=1))
    assert wait_until(lambda: counts(kube_emulator, "web") == (1, 1, 1, 0))
    seed(kube_emulator, node("node-b"))
    drain = ["kubectl", "drain", "node-a", "--ignore-daemonsets", "--timeout=1s"]
    r = subprocess.run(drain, capture_output=True, text=True, timeout=30, check=False)
    assert r.returncode != 0
    assert "Cannot evict pod as it would violate the pod's disruption budget." in r.stderr
    assert "(will retry after 5s)" in r.stderr  # kubectl's 429 path: the eviction API, not a delete
    kube_emulator.cluster.patch("apps/v1", "Deployment", "default", "web", {"spec": {"replicas": 2}})
    assert wait_until(lambda: counts(kube_emulator, "web") == (2, 1, 2, 1))  # the new pod went to node-b
    drain[-1] = "--timeout=20s"  # kubectl polls each evicted pod's delete every second
    r = subprocess.run(drain, capture_output=True, text=True, timeout=30, check=False)
    assert r.returncode == 0, r.stderr
    assert "evicted" in r.stdout and "node/node-a drained" in r.stdout
    assert all(
        p["spec"]["nodeName"] == "node-b"
        for p in pods(kube_emulator, "web")
        if not p["metadata"].get("deletionTimestamp")
    )
