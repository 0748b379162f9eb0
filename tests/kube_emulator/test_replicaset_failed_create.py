"""A ReplicaSet whose pods the API server refuses (here PodSecurity's enforce label) says so as
kube-controller-manager's does: a Warning event FailedCreate "Error creating: <the refusal>" on the
ReplicaSet (kubernetes/kubernetes pkg/controller/controller_utils.go RealPodControl.createPods), a
ReplicaFailure condition with reason FailedCreate and the refusal as message
(pkg/controller/replicaset/replica_set_utils.go calculateStatus), which the Deployment carries over
(pkg/controller/deployment/progress.go syncRolloutStatus, getReplicaFailures) and which goes once
the pods can be made. akscli's doctor reads the Deployment's (src/akscli/doctor/rollout.py)."""

from __future__ import annotations

from typing import Any

from tests.emulators.kube import KubeEmulator
from tests.emulators.kube.apiserver import wait_until
from tests.kube_emulator.helpers import a_node, deployment, raw

ENFORCE = "pod-security.kubernetes.io/enforce"
REFUSAL = 'is forbidden: violates PodSecurity "restricted:latest": allowPrivilegeEscalation != false'


def replica_set(emu: KubeEmulator) -> dict[str, Any]:
    found = emu.cluster.list("apps/v1", "ReplicaSet", "locked")
    return found[0] if found else {}


def failure(obj: dict[str, Any]) -> dict[str, Any]:
    conds = (obj.get("status") or {}).get("conditions") or []
    return next((c for c in conds if c.get("type") == "ReplicaFailure"), {})


def web(emu: KubeEmulator) -> dict[str, Any]:
    return emu.cluster.get("apps/v1", "Deployment", "locked", "web") or {}


def refused(emu: KubeEmulator) -> KubeEmulator:
    a_node(emu)
    body = {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "locked", "labels": {ENFORCE: "restricted"}}}
    assert raw(emu, "POST", "/api/v1/namespaces", body).status == 201
    emu.cluster.create(deployment("web", replicas=2, ns="locked"))  # a workload only warns
    assert wait_until(lambda: bool(failure(replica_set(emu))) and bool(failure(web(emu))))
    return emu


def test_the_replica_set_gets_a_failed_create_condition_with_the_refusal(kube_emulator: KubeEmulator) -> None:
    cond = failure(replica_set(refused(kube_emulator)))
    assert (cond["status"], cond["reason"]) == ("True", "FailedCreate")
    assert cond["message"].startswith('pods "web-') and REFUSAL in cond["message"]
    assert kube_emulator.controllers.errors == []


def test_the_replica_set_records_a_failed_create_warning_event(kube_emulator: KubeEmulator) -> None:
    rs = replica_set(refused(kube_emulator))
    events = [
        e
        for e in kube_emulator.cluster.list("v1", "Event", "locked")
        if e["involvedObject"]["name"] == rs["metadata"]["name"] and e["reason"] == "FailedCreate"
    ]
    assert events and events[0]["type"] == "Warning"
    assert events[0]["message"].startswith('Error creating: pods "web-') and REFUSAL in events[0]["message"]
    assert events[0]["source"]["component"] == "replicaset-controller"


def test_the_deployment_carries_the_replica_sets_failure(kube_emulator: KubeEmulator) -> None:
    emu = refused(kube_emulator)
    mine, theirs = failure(web(emu)), failure(replica_set(emu))
    assert {k: mine[k] for k in ("status", "reason", "message")} == {
        k: theirs[k] for k in ("status", "reason", "message")
    }
    assert mine["lastUpdateTime"] == mine["lastTransitionTime"] == theirs["lastTransitionTime"]


def test_the_condition_goes_once_the_pods_can_be_made(kube_emulator: KubeEmulator) -> None:
    emu = refused(kube_emulator)
    patch = {"metadata": {"labels": {ENFORCE: "privileged"}}}
    emu.cluster.patch("v1", "Namespace", None, "locked", patch)
    assert wait_until(lambda: not failure(replica_set(emu)) and not failure(web(emu)), timeout=15)
    assert len(emu.cluster.list("v1", "Pod", "locked")) == 2
