"""Two things KubeRay v1.7.0 does that decide what a wait reads: an operator with the
RayClusterStatusConditions gate off writes a RayCluster status with no conditions, and a Ray object
whose spec.managedBy names another controller gets no status from KubeRay at all.

upstream: ray-project/kuberay v1.7.0 (59d663ae) ray-operator/controllers/ray/raycluster_controller.go
calculateStatus (statusConditionGateEnabled; state ready / suspended), rayClusterReconcile,
rayjob_controller.go and rayservice_controller.go Reconcile (utils/util.go ManagedByExternalController),
ray-operator/pkg/features/features.go (RayClusterStatusConditions, Beta, on by default).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

from akscli.kube.readiness.kuberay import NOT_PICKED, ray_cluster, ray_job, ray_service
from tests.cli import invoke
from tests.emulators.kube.profiles import ready_pod
from tests.ray.conftest import akscli
from tests.ray.test_cli_cluster import ray_pods, wait_until

RAY = "ray.io/v1"
MULTIKUEUE = "kueue.x-k8s.io/multikueue"
HEAD = {
    "rayStartParams": {},
    "template": {"spec": {"containers": [{"name": "ray-head", "image": "rayproject/ray:2.52.0"}]}},
}


def _operator(emu: Any, *args: str) -> None:
    # The pod helm install kuberay-operator runs (ray-project/kuberay v1.7.0
    # helm-chart/kuberay-operator/templates/deployment.yaml), with the flags given.
    ready_pod(
        emu,
        "kuberay-system",
        "kuberay-operator-5f8d7c6b9-fghij",
        {"app.kubernetes.io/component": "kuberay-operator"},
        "quay.io/kuberay/operator:v1.7.0",
        list(args),
    )


def _cluster(status: dict[str, Any], suspend: bool = False) -> dict[str, Any]:
    return {
        "apiVersion": RAY,
        "kind": "RayCluster",
        "metadata": {"name": "demo", "namespace": "default", "generation": 1},
        "spec": {"suspend": suspend},
        "status": {"observedGeneration": 1, **status},
    }


# ---- RayClusterStatusConditions off: state and the worker counts decide -------------------------


def test_a_status_without_conditions_is_read_by_its_state_and_worker_counts() -> None:
    ready = {"state": "ready", "desiredWorkerReplicas": 2, "readyWorkerReplicas": 2}
    assert ray_cluster(_cluster(ready)).ready
    # state ready is sticky (calculateStatus never sets it back): a scale-up waits for the workers
    scaling = ray_cluster(_cluster({**ready, "desiredWorkerReplicas": 3}))
    assert (scaling.ready, scaling.failed, scaling.message) == (False, False, "2/3 workers ready")
    starting = ray_cluster(_cluster({"desiredWorkerReplicas": 2, "readyWorkerReplicas": 0}))
    assert (starting.ready, starting.failed) == (False, False)
    assert "state=ready" in starting.message
    assert ray_cluster(_cluster({"state": "suspended", "readyWorkerReplicas": 0}, suspend=True)).ready
    assert not ray_cluster(_cluster({"state": "ready"}, suspend=True)).ready


def test_with_the_gate_on_the_conditions_still_decide() -> None:
    conds = [{"type": "HeadPodReady", "status": "False", "reason": "ContainersNotReady", "message": "not yet"}]
    said = ray_cluster(_cluster({"state": "ready", "conditions": conds}))
    assert not said.ready
    assert "ContainersNotReady" in said.message


def test_create_wait_ends_on_an_operator_with_the_conditions_gate_off(ray_emulator: Callable[..., Any]) -> None:
    emu = ray_emulator()
    _operator(emu, "--feature-gates=RayClusterStatusConditions=false")
    started = time.monotonic()
    result = akscli("ray cluster create demo --worker-replicas 1 --wait --timeout 20s -o name")
    assert result.exit_code == 0, result
    assert time.monotonic() - started < 15
    status = emu.cluster.get(RAY, "RayCluster", "default", "demo")["status"]
    assert "conditions" not in status  # calculateStatus wrote none
    assert (status["state"], status["readyWorkerReplicas"]) == ("ready", 1)


# ---- spec.managedBy: KubeRay skips the object; the wait says who writes its status ---------------


@pytest.mark.parametrize("rule", [ray_cluster, ray_job, ray_service])
def test_an_object_another_controller_manages_is_not_blamed_on_the_operator(rule: Callable[..., Any]) -> None:
    obj = {"metadata": {"name": "demo", "namespace": "default"}, "spec": {"managedBy": MULTIKUEUE}}
    said = rule(obj)
    assert (said.ready, said.failed) == (False, False)  # MultiKueue copies the worker's status here
    assert f"spec.managedBy is {MULTIKUEUE}, so KubeRay skips it" in said.message
    assert "multikueueclusters" in (said.fix or "")
    assert "kuberay-operator running" not in (said.fix or "")
    # KubeRay's own value is KubeRay's to pick up (utils/constant.go KubeRayController)
    obj["spec"]["managedBy"] = "ray.io/kuberay-operator"
    assert rule(obj) == NOT_PICKED


def _manifest(tmp_path: Path, kind: str, spec: dict[str, Any]) -> Path:
    path = tmp_path / f"{kind.lower()}.yaml"
    path.write_text(yaml.safe_dump({"apiVersion": RAY, "kind": kind, "metadata": {"name": "mk"}, "spec": spec}))
    return path


def test_the_simulator_leaves_a_multikueue_raycluster_and_rayjob_alone(
    ray_emulator: Callable[..., Any], tmp_path: Path
) -> None:
    emu = ray_emulator()
    cluster = _manifest(tmp_path, "RayCluster", {"managedBy": MULTIKUEUE, "headGroupSpec": HEAD})
    result = invoke("apply", "-f", str(cluster), "--wait", "--timeout", "2s", "-y")
    assert result.exit_code == 5, result
    assert f"spec.managedBy is {MULTIKUEUE}" in result.stderr
    assert "is the kuberay-operator running" not in result.stderr
    job = _manifest(
        tmp_path,
        "RayJob",
        {"managedBy": MULTIKUEUE, "entrypoint": "python main.py", "rayClusterSpec": {"headGroupSpec": HEAD}},
    )
    assert invoke("apply", "-f", str(job), "-y").exit_code == 0
    time.sleep(0.5)  # many simulator passes (delay 0.02 s)
    stored = emu.cluster.get(RAY, "RayJob", "default", "mk")
    assert not stored.get("status") and not stored["metadata"].get("finalizers")
    assert not emu.cluster.get(RAY, "RayCluster", "default", "mk").get("status")
    assert ray_pods(emu, "mk") == []
    assert emu.cluster.list(RAY, "RayCluster", "default") == [emu.cluster.get(RAY, "RayCluster", "default", "mk")]


def test_kuberays_own_manager_value_is_reconciled(ray_emulator: Callable[..., Any], tmp_path: Path) -> None:
    emu = ray_emulator()
    path = _manifest(tmp_path, "RayCluster", {"managedBy": "ray.io/kuberay-operator", "headGroupSpec": HEAD})
    result = invoke("apply", "-f", str(path), "--wait", "--timeout", "20s", "-y")
    assert result.exit_code == 0, result
    wait_until(lambda: len(ray_pods(emu, "mk")) == 1)


def test_status_of_a_multikueue_cluster_names_its_manager_not_a_missing_operator(
    ray_emulator: Callable[..., Any], tmp_path: Path
) -> None:
    ray_emulator(operator=False)  # a MultiKueue manager cluster need not run KubeRay at all
    path = _manifest(tmp_path, "RayCluster", {"managedBy": MULTIKUEUE, "headGroupSpec": HEAD})
    assert invoke("apply", "-f", str(path), "-y").exit_code == 0
    out = invoke("ray", "cluster", "status", "mk").stdout
    assert "ManagedElsewhere" in out
    assert f"spec.managedBy is {MULTIKUEUE}, so KubeRay skips it" in out
    assert "kubectl get workloads -n default" in out
    assert "NoOperator" not in out
