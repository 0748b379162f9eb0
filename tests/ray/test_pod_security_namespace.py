"""Ray commands read the namespace's PodSecurity labels before anything is applied: KubeRay makes
the head, worker and submitter Pods, which the API server refuses at the namespace's enforce level
while the RayCluster or RayJob itself is stored (upstream: kubernetes/pod-security-admission
8f84a87c admission/admission.go; ray-project/kuberay ray-operator/controllers/ray/common/pod.go).
KubeRay's defaults and akscli's templates set no securityContext: restricted refuses them."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

from tests.cli import invoke
from tests.kube_emulator.helpers import raw

RAY = "ray.io/v1"
HARDENED = {
    "allowPrivilegeEscalation": False,
    "capabilities": {"drop": ["ALL"]},
    "runAsNonRoot": True,
    "seccompProfile": {"type": "RuntimeDefault"},
}


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


def test_a_job_without_a_submitter_template_is_refused_for_kuberays_default_submitter(
    ray_emulator: Callable[..., Any], tmp_path: Path
) -> None:
    # ray-project/kuberay feeaf72f common/job.go GetSubmitterTemplate: container "ray-job-submitter",
    # no securityContext; the head group hardened here, so the submitter is what restricted refuses.
    emu = ray_emulator()
    namespace(emu, "locked", **{"pod-security.kubernetes.io/enforce": "restricted"})
    head = {"name": "ray-head", "image": "rayproject/ray:2.41.0", "securityContext": HARDENED}
    spec = {
        "entrypoint": "python -V",
        "rayClusterSpec": {"headGroupSpec": {"template": {"spec": {"containers": [head]}}}},
    }
    job = {"apiVersion": RAY, "kind": "RayJob", "metadata": {"name": "train", "namespace": "locked"}, "spec": spec}
    path = tmp_path / "job.yaml"
    path.write_text(json.dumps(job))
    result = invoke("apply", "-f", str(path), "-y")
    assert result.exit_code == 9, result
    assert (
        "error: rayjob.ray.io/train (submitter): namespace locked would refuse its pods: violates PodSecurity "
        '"restricted:latest": allowPrivilegeEscalation != false (container "ray-job-submitter" must set'
    ) in result.stderr
