"""--dry-run on ray cluster scale and ray job stop: client prints the request and writes nothing
(it reads the object, as kubectl scale --dry-run=client does); server sends it with dryRun=All."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from tests.cli import invoke, list_items
from tests.ray.conftest import akscli
from tests.ray.test_cli_job import job, submit

RAY = "ray.io/v1"


def writes(emu: Any) -> list[str]:
    return [f"{r.method} {r.path}" for r in emu.request_log if r.method not in ("GET", "HEAD")]


def patches(emu: Any, path: str) -> list[Any]:
    """The PATCH requests to ``path`` other than server-side applies (create is one)."""
    return [r for r in emu.requests("PATCH", path) if "apply-patch" not in r.content_type]


def group(emu: Any, cluster: str, name: str) -> dict[str, Any]:
    groups = emu.cluster.get(RAY, "RayCluster", "default", cluster)["spec"]["workerGroupSpecs"]
    found: dict[str, Any] = next(g for g in groups if g["groupName"] == name)
    return found


def test_scale_client_dry_run_prints_the_json_patch_and_writes_nothing(ray_emulator: Callable[..., Any]) -> None:
    emu = ray_emulator(operator=False)
    assert invoke("ray", "cluster", "create", "demo").exit_code == 0
    before = writes(emu)
    result = akscli("ray cluster scale demo --group default-group --replicas 3 --max 5 --dry-run -o json")
    assert result.exit_code == 0, result
    [request] = list_items(result.stdout)
    assert (request["method"], request["kind"], request["name"]) == ("PATCH", "RayCluster", "demo")
    assert request["contentType"] == "application/json-patch+json"
    ops = request["patch"]
    assert ops[0] == {"op": "test", "path": "/spec/workerGroupSpecs/0/groupName", "value": "default-group"}
    assert {"op": "add", "path": "/spec/workerGroupSpecs/0/replicas", "value": 3} in ops
    assert writes(emu) == before
    assert group(emu, "demo", "default-group")["replicas"] == 1


def test_scale_server_dry_run_sends_dry_run_all_and_leaves_the_group(ray_emulator: Callable[..., Any]) -> None:
    emu = ray_emulator(operator=False)
    assert invoke("ray", "cluster", "create", "demo").exit_code == 0
    result = akscli("ray cluster scale demo --group default-group --replicas 3 --max 5 --dry-run=server")
    assert result.exit_code == 0, result
    [patch] = patches(emu, "/rayclusters/demo")
    assert patch.query.get("dryRun") == ["All"]
    assert group(emu, "demo", "default-group")["replicas"] == 1
    assert "/spec/workerGroupSpecs/0/replicas" in result.stdout


def test_stop_client_dry_run_prints_the_suspend_patch_without_asking(ray_emulator: Callable[..., Any]) -> None:
    emu = ray_emulator(operator=False)
    assert submit("halt").exit_code == 0
    before = writes(emu)
    result = invoke("ray", "job", "stop", "halt", "--dry-run", "-o", "json", tty=True, input="")
    assert result.exit_code == 0, result
    [request] = list_items(result.stdout)
    assert (request["method"], request["kind"], request["name"]) == ("PATCH", "RayJob", "halt")
    assert request["patch"] == {"spec": {"suspend": True}}
    assert writes(emu) == before


def test_stop_server_dry_run_sends_dry_run_all_and_leaves_the_job_running(ray_emulator: Callable[..., Any]) -> None:
    emu = ray_emulator(operator=False)
    assert submit("halt").exit_code == 0
    result = invoke("ray", "job", "stop", "halt", "--dry-run=server")
    assert result.exit_code == 0, result
    [patch] = patches(emu, "/rayjobs/halt")
    assert patch.query.get("dryRun") == ["All"]
    assert "suspend" not in job(emu, "halt")["spec"]


def shared_cluster_job(emu: Any) -> None:
    assert invoke("ray", "cluster", "create", "shared").exit_code == 0
    assert submit("long", "--cluster", "shared", entrypoint=("sleep", "1d")).exit_code == 0
    status = {"rayClusterName": "shared", "jobId": "raysubmit_1", "jobDeploymentStatus": "Running"}
    emu.cluster.patch_status(RAY, "RayJob", "default", "long", status)


def test_stop_client_dry_run_on_a_shared_cluster_prints_the_job_api_call(ray_emulator: Callable[..., Any]) -> None:
    emu = ray_emulator(operator=False)
    shared_cluster_job(emu)
    before = writes(emu)
    result = invoke("ray", "job", "stop", "long", "--dry-run", "-o", "json")
    assert result.exit_code == 0, result
    assert list_items(result.stdout) == [
        {
            "method": "POST",
            "path": "/api/v1/namespaces/default/services/shared-head-svc:dashboard/proxy/api/jobs/raysubmit_1/stop",
        }
    ]
    assert writes(emu) == before


def test_stop_server_dry_run_on_a_shared_cluster_is_refused(ray_emulator: Callable[..., Any]) -> None:
    emu = ray_emulator(operator=False)
    shared_cluster_job(emu)
    before = writes(emu)
    result = invoke("ray", "job", "stop", "long", "--dry-run=server")
    assert result.exit_code == 2
    assert "Ray job API, which has no dry run" in result.stderr
    assert writes(emu) == before
