"""`akscli ray job list --cluster NAME`: the RayJobs on one Ray cluster, those that select it
(`ray job submit --cluster NAME`: spec.clusterSelector ray.io/cluster) and the one that made it
(status.rayClusterName; upstream: ray-project/kuberay v1.7.0 ray-operator/apis/ray/v1/rayjob_types.go
ClusterSelector, RayClusterName)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from tests.cli import invoke
from tests.ray.test_cli_cluster import wait_until
from tests.ray.test_cli_job import job, submit


def two_jobs(ray_emulator: Callable[..., Any]) -> Any:
    """RayJob ``on-shared`` on Ray cluster ``shared`` and RayJob ``own`` on a cluster of its own."""
    emu = ray_emulator(run_seconds=30)
    assert invoke("ray", "cluster", "create", "shared", "--wait", "--timeout", "20s").exit_code == 0
    assert submit("on-shared", "--cluster", "shared").exit_code == 0
    assert submit("own").exit_code == 0
    wait_until(lambda: bool((job(emu, "own").get("status") or {}).get("rayClusterName")))
    return emu


def test_list_with_a_cluster_shows_the_jobs_that_select_it(ray_emulator: Callable[..., Any]) -> None:
    two_jobs(ray_emulator)
    result = invoke("ray", "job", "list", "--cluster", "shared", "-o", "name")
    assert result.exit_code == 0, result
    assert result.stdout == "rayjob.ray.io/on-shared\n"


def test_list_with_a_jobs_own_cluster_shows_that_job(ray_emulator: Callable[..., Any]) -> None:
    emu = two_jobs(ray_emulator)
    own = job(emu, "own")["status"]["rayClusterName"]
    result = invoke("ray", "job", "list", "-c", own, "-o", "name")
    assert result.exit_code == 0, result
    assert result.stdout == "rayjob.ray.io/own\n"


def test_list_with_a_cluster_no_job_runs_on_says_no_resources(ray_emulator: Callable[..., Any]) -> None:
    two_jobs(ray_emulator)
    result = invoke("ray", "job", "list", "--cluster", "idle")
    assert result.exit_code == 0, result
    assert result.stdout == ""
    assert "No resources found in default namespace." in result.stderr


def test_list_with_a_bad_cluster_name_is_refused(ray_emulator: Callable[..., Any]) -> None:
    ray_emulator(operator=False)
    result = invoke("ray", "job", "list", "--cluster", "Shared_1")
    assert result.exit_code == 2, result
    assert result.stderr.startswith("error: ")
    assert "Shared_1" in result.stderr


def test_list_with_a_cluster_and_all_namespaces_is_refused(
    ray_emulator: Callable[..., Any],
) -> None:
    # A RayCluster's name is its namespace's: `shared` in two namespaces is two clusters, two job APIs.
    ray_emulator(operator=False)
    result = invoke("ray", "job", "list", "--cluster", "shared", "-A")
    assert result.exit_code == 2, result
    assert result.stderr.splitlines()[0] == (
        "error: a Ray cluster is named in one namespace: --cluster shared does not go with -A"
    )
    assert "hint: akscli ray job list --cluster shared -n NAMESPACE" in result.stderr
    assert result.stdout == ""
