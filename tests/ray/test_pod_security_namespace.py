"""Ray commands read the namespace's PodSecurity labels before anything is applied: KubeRay makes
the head, worker and submitter Pods, which the API server refuses at the namespace's enforce level
while the RayCluster or RayJob itself is stored (upstream: kubernetes/pod-security-admission
8f84a87c admission/admission.go; ray-project/kuberay ray-operator/controllers/ray/common/pod.go).
KubeRay's defaults and akscli's templates set no securityContext: restricted refuses them."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from tests.cli import invoke
from tests.kube_emulator.helpers import raw

RAY = "ray.io/v1"


def namespace(emu: Any, name: str, **labels: str) -> None:
    body = {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": name, "labels": labels}}
    assert raw(emu, "POST", "/api/v1/namespaces", body).status == 201


def test_a_cluster_in_a_restricted_namespace_is_refused_naming_its_head_group(
    ray_emulator: Callable[..., Any],
) -> None:
    emu = ray_emulator()
    namespace(emu, "locked", **{"pod-security.kubernetes.io/enforce": "restricted"})
    result = invoke("ray", "cluster", "create", "demo", "-n", "locked", "-y")
    assert result.exit_code == 9, result
    assert (
        "error: raycluster.ray.io/demo (head group): namespace locked would refuse its pods: violates PodSecurity "
        '"restricted:latest": allowPrivilegeEscalation != false (container "ray-head" must set '
        "securityContext.allowPrivilegeEscalation=false)" in result.stderr
    )
    assert "pod-security.kubernetes.io/enforce=baseline" in result.stderr
    assert emu.cluster.get(RAY, "RayCluster", "locked", "demo") is None


def test_a_job_in_a_restricted_namespace_is_refused_before_it_is_submitted(ray_emulator: Callable[..., Any]) -> None:
    emu = ray_emulator()
    namespace(emu, "locked", **{"pod-security.kubernetes.io/enforce": "restricted"})
    result = invoke("ray", "job", "submit", "--name", "train", "-n", "locked", "-y", "--", "python", "-V")
    assert result.exit_code == 9, result
    assert "violates PodSecurity" in result.stderr
    assert emu.cluster.get(RAY, "RayJob", "locked", "train") is None


def test_a_baseline_namespace_takes_the_ray_pods(ray_emulator: Callable[..., Any]) -> None:
    emu = ray_emulator()
    namespace(emu, "team", **{"pod-security.kubernetes.io/enforce": "baseline"})
    result = invoke("ray", "cluster", "create", "demo", "-n", "team", "-y")
    assert result.exit_code == 0, result
    assert emu.cluster.get(RAY, "RayCluster", "team", "demo") is not None


def test_a_client_dry_run_refuses_a_cluster_a_restricted_namespace_would(ray_emulator: Callable[..., Any]) -> None:
    emu = ray_emulator()
    namespace(emu, "locked", **{"pod-security.kubernetes.io/enforce": "restricted"})
    result = invoke("ray", "cluster", "create", "demo", "-n", "locked", "--dry-run=client")
    assert result.exit_code == 9, result
    assert result.stdout == ""
    assert "error: raycluster.ray.io/demo (head group): namespace locked would refuse its pods" in result.stderr
