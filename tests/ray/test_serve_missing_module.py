"""A Serve app that imports ``vllm_serve`` fails on the images that were checked and found without
that module, and only there (ai-runway/airunway issue #399: the pinned
rayproject/ray-llm:2.55.0-py311-cu128 has no ``vllm_serve``; PR #116: nor had
rayproject/ray-ml:2.44.0-py311-gpu). Another image, or a runtime_env whose working_dir or py_modules
ships the module (Ray Serve's ServeApplicationSchema.runtime_env, ray-project/ray
python/ray/serve/schema.py), may well have it, so the simulator does not fail it."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from tests.ray.test_cli_cluster import wait_until

RAY = "ray.io/v1"
APP = "applications:\n  - name: llm\n    route_prefix: /\n    import_path: vllm_serve:deployment\n"


def _service(image: str, runtime_env: str = "") -> dict[str, Any]:
    container = {"name": "ray-head", "image": image}
    return {
        "apiVersion": RAY,
        "kind": "RayService",
        "metadata": {"name": "llm", "namespace": "default"},
        "spec": {
            "serveConfigV2": APP + runtime_env,
            "rayClusterConfig": {
                "headGroupSpec": {"rayStartParams": {}, "template": {"spec": {"containers": [container]}}},
                "workerGroupSpecs": [],
            },
        },
    }


def _app_status(emu: Any) -> str:
    def statuses() -> dict[str, Any]:
        status = (emu.cluster.get(RAY, "RayService", "default", "llm") or {}).get("status") or {}
        for which in ("activeServiceStatus", "pendingServiceStatus"):
            apps = (status.get(which) or {}).get("applicationStatuses") or {}
            if apps:
                return dict(apps)
        return {}

    wait_until(lambda: bool(statuses()), timeout=10)
    return str(statuses()["llm"]["status"])


@pytest.mark.parametrize("image", ["rayproject/ray-llm:2.55.0-py311-cu128", "rayproject/ray-ml:2.44.0-py311-gpu"])
def test_vllm_serve_fails_to_import_on_the_images_checked_without_it(
    ray_emulator: Callable[..., Any], image: str
) -> None:
    emu = ray_emulator()
    emu.cluster.create(_service(image))
    assert _app_status(emu) == "DEPLOY_FAILED"


def test_vllm_serve_on_an_image_of_ones_own_is_not_failed_for_its_module(ray_emulator: Callable[..., Any]) -> None:
    emu = ray_emulator()
    emu.cluster.create(_service("myregistry.azurecr.io/ray-vllm:1.0"))
    assert _app_status(emu) == "RUNNING"


def test_vllm_serve_shipped_in_the_apps_working_dir_is_not_failed_for_its_module(
    ray_emulator: Callable[..., Any],
) -> None:
    emu = ray_emulator()
    working_dir = "    runtime_env:\n      working_dir: https://example.com/vllm_serve.zip\n"
    emu.cluster.create(_service("rayproject/ray-llm:2.55.0-py311-cu128", working_dir))
    assert _app_status(emu) == "RUNNING"
