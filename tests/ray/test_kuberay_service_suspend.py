"""A suspended RayService, as KubeRay v1.7.0 handles it and as akscli reads it.

upstream: ray-project/kuberay v1.7.0 ray-operator/controllers/ray/rayservice_controller.go
handleSuspend, deleteRayServiceOwnedResources, suspendIsOperative; apis/ray/v1/rayservice_types.go
(Suspending, Suspended, SuspendRequested, SuspendComplete, RayServiceResumed).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from tests.cli import invoke
from tests.ray.test_cli_cluster import wait_until

RAY = "ray.io/v1"
SERVE = "applications:\n- name: llm\n  import_path: serve_llm:app\n"


def conditions(emu: Any, name: str) -> dict[str, tuple[str, str]]:
    status = emu.cluster.get(RAY, "RayService", "default", name).get("status") or {}
    return {c["type"]: (c["status"], c["reason"]) for c in status.get("conditions") or []}


def set_suspend(emu: Any, name: str, value: bool) -> None:
    svc = emu.cluster.get(RAY, "RayService", "default", name)
    svc["spec"]["suspend"] = value
    emu.cluster.update(svc)


def owned(emu: Any, name: str) -> list[dict[str, Any]]:
    selector = f"ray.io/originated-from-crd=RayService,ray.io/originated-from-cr-name={name}"
    return list(emu.cluster.list(RAY, "RayCluster", "default", label_selector=selector)) + list(
        emu.cluster.list("v1", "Service", "default", label_selector=selector)
    )


def deployed(ray_emulator: Callable[..., Any], tmp_path: Path) -> tuple[Any, Path]:
    emu = ray_emulator()
    serve = tmp_path / "serve.yaml"
    serve.write_text(SERVE)
    result = invoke("ray", "service", "deploy", "llm", "-f", str(serve), "--wait", "--timeout", "20s")
    assert result.exit_code == 0, result
    return emu, serve


def test_suspending_a_service_deletes_its_clusters_and_services(
    ray_emulator: Callable[..., Any], tmp_path: Path
) -> None:
    emu, _ = deployed(ray_emulator, tmp_path)
    assert owned(emu, "llm")
    set_suspend(emu, "llm", True)
    wait_until(lambda: conditions(emu, "llm").get("Suspended") == ("True", "SuspendComplete"))
    assert not owned(emu, "llm")
    assert conditions(emu, "llm")["Ready"] == ("False", "SuspendComplete")


def test_a_resumed_service_serves_again(ray_emulator: Callable[..., Any], tmp_path: Path) -> None:
    emu, _ = deployed(ray_emulator, tmp_path)
    set_suspend(emu, "llm", True)
    wait_until(lambda: conditions(emu, "llm").get("Suspended") == ("True", "SuspendComplete"))
    set_suspend(emu, "llm", False)
    wait_until(lambda: conditions(emu, "llm").get("Ready") == ("True", "NonZeroServeEndpoints"))
    assert conditions(emu, "llm")["Suspended"] == ("False", "RayServiceResumed")


def test_deploy_wait_on_a_suspended_service_ends_at_once(ray_emulator: Callable[..., Any], tmp_path: Path) -> None:
    emu, serve = deployed(ray_emulator, tmp_path)
    set_suspend(emu, "llm", True)
    wait_until(lambda: conditions(emu, "llm").get("Suspended") == ("True", "SuspendComplete"))
    again = invoke("ray", "service", "deploy", "llm", "-f", str(serve), "--wait", "--timeout", "5s")
    assert again.exit_code == 10, again
    assert "spec.suspend is true: KubeRay deletes its Ray clusters and serves nothing until it is false" in again.stderr
    assert "Suspended=True (SuspendComplete)" in again.stderr
