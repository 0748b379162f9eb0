"""--service-account names a ServiceAccount the user makes: KubeRay makes none for a name given
(ray-project/kuberay ray-operator/controllers/ray/raycluster_controller.go,
reconcileAutoscalerServiceAccount), and the API server refuses a pod naming a missing one. A
missing one is refused before the RayCluster is applied."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from tests.cli import invoke

RAY = "ray.io/v1"


def test_a_service_account_that_does_not_exist_is_refused_before_the_cluster_is_applied(
    ray_emulator: Callable[..., Any],
) -> None:
    emu = ray_emulator()
    result = invoke("ray", "cluster", "create", "demo", "--service-account", "ray-sa", "-y")
    assert result.exit_code == 3, result
    assert "--service-account names ServiceAccount default/ray-sa, which does not exist" in result.stderr
    assert "kubectl create serviceaccount ray-sa -n default" in result.stderr
    assert emu.cluster.get(RAY, "RayCluster", "default", "demo") is None


def test_a_job_on_a_new_cluster_checks_the_service_account_too(ray_emulator: Callable[..., Any]) -> None:
    emu = ray_emulator()
    result = invoke(
        "ray", "job", "submit", "--name", "train", "--service-account", "ray-sa", "-y", "--", "python", "-V"
    )
    assert result.exit_code == 3, result
    assert "ServiceAccount default/ray-sa, which does not exist" in result.stderr
    assert emu.cluster.get(RAY, "RayJob", "default", "train") is None


def test_an_existing_service_account_is_used(ray_emulator: Callable[..., Any]) -> None:
    emu = ray_emulator()
    emu.cluster.create(
        {"apiVersion": "v1", "kind": "ServiceAccount", "metadata": {"name": "ray-sa", "namespace": "default"}}
    )
    result = invoke("ray", "cluster", "create", "demo", "--service-account", "ray-sa", "-y")
    assert result.exit_code == 0, result
    stored = emu.cluster.get(RAY, "RayCluster", "default", "demo")
    assert stored["spec"]["headGroupSpec"]["template"]["spec"]["serviceAccountName"] == "ray-sa"
