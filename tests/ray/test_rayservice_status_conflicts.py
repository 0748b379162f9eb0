"""A RayService's status written by the KubeRay simulator loses no other writer's change: Reconcile's
Status().Update of the RayService as read meets 409 Conflict where another wrote between, and the
requeued pass computes the status again from a fresh read (ray-project/kuberay
ray-operator/controllers/ray/rayservice_controller.go Reconcile). The other writer lands just before
the simulator's write (no sleeps)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from tests.emulators.kube.apiserver import wait_until
from tests.kube_emulator.test_status_conflicts import before_status_write
from tests.kube_emulator.test_status_conflicts_controllers import NOTED
from tests.ray.test_kuberay_services import head_spec

RAY = "ray.io/v1"


def condition_types(emu: Any) -> set[str]:
    found = emu.cluster.get(RAY, "RayService", "default", "llm") or {}
    return {c["type"] for c in (found.get("status") or {}).get("conditions") or []}


def test_a_rayservice_status_pass_keeps_a_condition_written_after_it_read_the_service(
    ray_emulator: Callable[..., Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    emu = ray_emulator()

    def note() -> None:
        found = emu.cluster.get(RAY, "RayService", "default", "llm") or {}
        conditions = (found.get("status") or {}).get("conditions") or []
        emu.cluster.patch_status(RAY, "RayService", "default", "llm", {"conditions": [*conditions, NOTED]})

    before_status_write(emu, monkeypatch, "RayService", lambda written: bool(written.get("conditions")), note)
    emu.cluster.create(
        {
            "apiVersion": RAY,
            "kind": "RayService",
            "metadata": {"name": "llm", "namespace": "default"},
            "spec": {
                "serveConfigV2": "applications:\n  - name: llm\n    import_path: m:app\n",
                "rayClusterConfig": {"headGroupSpec": head_spec([]), "workerGroupSpecs": []},
            },
        }
    )
    assert wait_until(lambda: "UpgradeInProgress" in condition_types(emu), timeout=10)
    emu.idle()
    assert "Noted" in condition_types(emu)
    assert emu.controllers.errors == []
