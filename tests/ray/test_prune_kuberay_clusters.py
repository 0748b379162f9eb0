"""`akscli apply --prune` with a Ray object's own manifest leaves the RayClusters KubeRay made for
it, though KubeRay copies the object's labels (akscli.io/stack included) onto them.

upstream: ray-project/kuberay v1.7.0 (59d663ae) ray-operator/controllers/ray/rayservice_controller.go
constructRayClusterForRayService, rayjob_controller.go constructRayClusterForRayJob (the labels are
copied); kubernetes/kubectl pkg/cmd/apply/prune.go (only what apply made is pruned).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from tests.cli import invoke
from tests.ray.test_cli_cluster import wait_until as _wait_until
from tests.ray.test_cli_job import job, submit
from tests.ray.test_kuberay_service_replacement import RAY, _serve_file, _status


def wait_until(check: Callable[[], bool]) -> None:
    _wait_until(check, timeout=20.0)  # generous: the suite runs on a shared, loaded machine


def test_apply_prune_of_the_services_own_manifest_leaves_the_cluster_kuberay_made_with_its_labels(
    ray_emulator: Callable[..., Any], tmp_path: Path
) -> None:
    # constructRayClusterForRayService copies the RayService's labels (akscli.io/stack included)
    # onto the RayCluster; kubectl prunes only what apply made (pkg/cmd/apply/prune.go).
    emu = ray_emulator()
    serve = _serve_file(tmp_path)
    assert (
        invoke("ray", "service", "deploy", "llm", "-f", str(serve), "-y", "--wait", "--timeout", "20s").exit_code == 0
    )
    active = _status(emu)["activeServiceStatus"]["rayClusterName"]
    manifest = tmp_path / "llm.yaml"
    manifest.write_text(
        invoke("ray", "service", "deploy", "llm", "-f", str(serve), "--dry-run=client", "-o", "yaml").stdout
    )
    pruned = invoke("apply", "-f", str(manifest), "--prune", "-y")
    assert pruned.exit_code == 0, pruned
    assert "pruned" not in pruned.stdout + pruned.stderr
    assert emu.cluster.get(RAY, "RayCluster", "default", active) is not None


def test_apply_prune_of_a_jobs_own_manifest_leaves_the_cluster_kuberay_made_with_its_labels(
    ray_emulator: Callable[..., Any], tmp_path: Path
) -> None:
    emu = ray_emulator(run_seconds=30)
    assert submit("train").exit_code == 0
    wait_until(lambda: bool((job(emu, "train").get("status") or {}).get("rayClusterName")))
    cluster = job(emu, "train")["status"]["rayClusterName"]
    wait_until(lambda: emu.cluster.get(RAY, "RayCluster", "default", cluster) is not None)
    labels = emu.cluster.get(RAY, "RayCluster", "default", cluster)["metadata"]["labels"]
    assert labels["akscli.io/stack"] == "rayjob-train" and labels["ray.io/job-submission-mode"] == "K8sJobMode"
    manifest = tmp_path / "train.yaml"
    manifest.write_text(submit("train", "--dry-run=client", "-o", "yaml").stdout)
    pruned = invoke("apply", "-f", str(manifest), "--prune", "-y")
    assert pruned.exit_code == 0, pruned
    assert "pruned" not in pruned.stdout + pruned.stderr
    assert emu.cluster.get(RAY, "RayCluster", "default", cluster) is not None
