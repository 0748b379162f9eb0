"""``ray cluster delete`` of a cluster that a RayService keeps warns that KubeRay makes it again, and
names the fix, ``ray service delete`` (upstream: ray-project/kuberay v1.7.0 (59d663ae)
ray-operator/controllers/ray/rayservice_controller.go: calculateStatus and shouldPrepareNewCluster
name a new cluster when the service has neither an active nor a pending one; reconcileRayCluster
creates a named pending cluster that is gone again). The delete still goes ahead, as kubectl deletes
a Deployment's Pod."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from akscli.ray.cluster_delete import service_cluster_delete_warning
from tests.ray.conftest import akscli
from tests.ray.test_kuberay_service_replacement import wait_until

RAY = "ray.io/v1"
SERVE = "applications:\n- name: llm\n  import_path: serve_llm:app\n  route_prefix: /\n"


def _active(emu: Any) -> str:
    status = emu.cluster.get(RAY, "RayService", "default", "llm").get("status") or {}
    return str((status.get("activeServiceStatus") or {}).get("rayClusterName") or "")


def test_deleting_a_services_active_cluster_warns_that_kuberay_builds_a_new_one(
    ray_emulator: Callable[..., Any], tmp_path: Path
) -> None:
    emu = ray_emulator()
    serve = tmp_path / "serve.yaml"
    serve.write_text(SERVE)
    assert akscli("ray service deploy llm -f {} --wait --timeout 20s", serve).exit_code == 0
    active = _active(emu)
    deleted = akscli("ray cluster delete {} -y", active)
    assert deleted.exit_code == 0, deleted
    assert deleted.stderr.startswith(
        f"warning: Ray cluster {active} is the active cluster of RayService llm: KubeRay builds a new cluster "
        "for llm in its place, under a new name, and llm serves nothing until that cluster is ready"
    ), deleted.stderr
    assert "to remove the service and its Ray clusters: akscli ray service delete llm -n default" in deleted.stderr
    # What the warning says, as the simulator (after KubeRay) does it.
    wait_until(
        lambda: any(
            c["metadata"]["name"] != active
            for c in emu.cluster.list(RAY, "RayCluster", "default", label_selector="ray.io/originated-from-cr-name=llm")
        )
    )


def test_a_dry_run_delete_of_the_active_cluster_warns_too(ray_emulator: Callable[..., Any], tmp_path: Path) -> None:
    emu = ray_emulator()
    serve = tmp_path / "serve.yaml"
    serve.write_text(SERVE)
    assert akscli("ray service deploy llm -f {} --wait --timeout 20s", serve).exit_code == 0
    dry = akscli("ray cluster delete {} --dry-run=server", _active(emu))
    assert dry.exit_code == 0, dry
    assert "is the active cluster of RayService llm" in dry.stderr


def _cluster(name: str) -> dict[str, Any]:
    labels = {"ray.io/originated-from-crd": "RayService", "ray.io/originated-from-cr-name": "llm"}
    return {"metadata": {"name": name, "namespace": "ml", "labels": labels}}


def _service(active: str, pending: str = "") -> dict[str, Any]:
    status = {"activeServiceStatus": {"rayClusterName": active}, "pendingServiceStatus": {"rayClusterName": pending}}
    return {"metadata": {"name": "llm", "namespace": "ml"}, "status": status}


def test_deleting_a_services_pending_cluster_warns_that_kuberay_creates_it_again() -> None:
    said = service_cluster_delete_warning(_cluster("llm-b"), _service("llm-a", "llm-b"))
    assert said == (
        "Ray cluster llm-b is the pending cluster of RayService llm, and KubeRay creates it again under the same "
        "name while llm's status names it (rayservice_controller.go reconcileRayCluster); to remove the service "
        "and its Ray clusters: akscli ray service delete llm -n ml"
    )


def test_a_replaced_cluster_or_one_whose_service_is_gone_gets_no_warning() -> None:
    # Guards (no warning before this change either): KubeRay does not make these again.
    assert service_cluster_delete_warning(_cluster("llm-old"), _service("llm-a", "llm-b")) is None
    assert service_cluster_delete_warning(_cluster("llm-a"), None) is None
