"""What `ray cluster delete` sends, counted by the emulator: each chosen object is read once (a NAME
by a GET, -l or --all by the list, as kubectl delete -l sends each DELETE with no read between:
kubernetes/cli-runtime pkg/resource/builder.go visitBySelector makes each Info from the list's
items, kubernetes/kubectl pkg/cmd/delete/delete.go DeleteResult deletes each Info); then one
DELETE each, with dryRun=All for --dry-run=server and none for --dry-run=client or a declined
confirmation (delete.go deleteResource with DryRunStrategy); the namespace's RayJobs, read for the
clusterSelector warning, are listed once however many clusters go."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from tests.cli import invoke, sent
from tests.ray.test_delete_many import RAY, _cluster, _left, _three

CLUSTERS = "/apis/ray.io/v1/namespaces/default/rayclusters"
JOBS = "/apis/ray.io/v1/namespaces/default/rayjobs"


def _run(ray_emulator: Callable[..., Any], *args: str, answer: str | None = None) -> tuple[Any, Any, list[str]]:
    """The command's result, the emulator and what the command sent to Ray's API."""
    emu = _three(ray_emulator)
    emu.request_log.clear()
    result = invoke("ray", "cluster", "delete", *args, input=answer, tty=answer is not None)
    return result, emu, sent(emu, "/apis/ray.io/v1")


def test_names_are_each_read_once_then_deleted(ray_emulator: Callable[..., Any]) -> None:
    result, emu, requests = _run(ray_emulator, "a", "b", "-y", "--no-wait")
    assert result.exit_code == 0, result
    assert requests == [
        f"GET {CLUSTERS}/a",
        f"GET {JOBS}",
        f"GET {CLUSTERS}/b",
        f"DELETE {CLUSTERS}/a",
        f"DELETE {CLUSTERS}/b",
    ]
    assert _left(emu) == ["c"]


def test_a_selector_lists_then_deletes_with_no_read_of_each(ray_emulator: Callable[..., Any]) -> None:
    result, emu, requests = _run(ray_emulator, "-l", "team=ml", "-y", "--no-wait")
    assert result.exit_code == 0, result
    assert requests == [f"GET {CLUSTERS}", f"GET {JOBS}", f"DELETE {CLUSTERS}/a", f"DELETE {CLUSTERS}/b"]
    assert _left(emu) == ["c"]


def test_all_lists_then_deletes_with_no_read_of_each(ray_emulator: Callable[..., Any]) -> None:
    result, emu, requests = _run(ray_emulator, "--all", "-y", "--no-wait")
    assert result.exit_code == 0, result
    assert requests == [
        f"GET {CLUSTERS}",
        f"GET {JOBS}",
        f"DELETE {CLUSTERS}/a",
        f"DELETE {CLUSTERS}/b",
        f"DELETE {CLUSTERS}/c",
    ]
    assert _left(emu) == []


def test_a_declined_confirmation_sends_nothing_after_the_reads(ray_emulator: Callable[..., Any]) -> None:
    result, emu, requests = _run(ray_emulator, "a", "b", answer="n\n")
    assert result.exit_code == 1, result
    assert "cancelled: nothing was changed" in result.stderr
    assert requests == [f"GET {CLUSTERS}/a", f"GET {JOBS}", f"GET {CLUSTERS}/b"]
    assert _left(emu) == ["a", "b", "c"]


def test_a_server_dry_run_sends_one_dry_run_delete_each_and_nothing_more(ray_emulator: Callable[..., Any]) -> None:
    result, emu, requests = _run(ray_emulator, "a", "b", "--dry-run=server")
    assert result.exit_code == 0, result
    assert requests == [
        f"GET {CLUSTERS}/a",
        f"GET {JOBS}",
        f"GET {CLUSTERS}/b",
        f"DELETE {CLUSTERS}/a?dryRun=All",
        f"DELETE {CLUSTERS}/b?dryRun=All",
    ]
    assert _left(emu) == ["a", "b", "c"]


def test_a_client_dry_run_sends_no_delete(ray_emulator: Callable[..., Any]) -> None:
    result, emu, requests = _run(ray_emulator, "a", "b", "--dry-run=client")
    assert result.exit_code == 0, result
    assert requests == [f"GET {CLUSTERS}/a", f"GET {JOBS}", f"GET {CLUSTERS}/b"]
    assert _left(emu) == ["a", "b", "c"]


def test_a_services_active_and_pending_clusters_deleted_together_read_the_service_once(
    ray_emulator: Callable[..., Any],
) -> None:
    emu = ray_emulator(operator=False)
    kuberay = {"ray.io/originated-from-crd": "RayService", "ray.io/originated-from-cr-name": "llm"}
    for name in ("llm-a", "llm-b"):
        _cluster(emu, name, **kuberay)
    status = {"activeServiceStatus": {"rayClusterName": "llm-a"}, "pendingServiceStatus": {"rayClusterName": "llm-b"}}
    emu.cluster.create({"apiVersion": RAY, "kind": "RayService", "metadata": {"name": "llm", "namespace": "default"}})
    emu.cluster.patch_status(RAY, "RayService", "default", "llm", status)
    emu.request_log.clear()
    result = invoke("ray", "cluster", "delete", "llm-a", "llm-b", "-y", "--no-wait")
    assert result.exit_code == 0, result
    assert "llm-a is the active cluster of RayService llm" in result.stderr
    assert "llm-b is the pending cluster of RayService llm" in result.stderr
    assert sent(emu, "/apis/ray.io/v1").count("GET /apis/ray.io/v1/namespaces/default/rayservices/llm") == 1
