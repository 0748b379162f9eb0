"""A vLLM server the kubelet keeps restarting (CrashLoopBackOff) or pulling (ImagePullBackOff) is a
warning in `model status`, with its cause and restart count, and not the end of `--wait`: the
Deployment is Available False (MinimumReplicasUnavailable) and Progressing True until its progress
deadline (kubernetes/kubernetes pkg/controller/deployment/sync.go calculateStatus, progress.go
syncRolloutStatus), so only --timeout ends the wait (akscli.model.restarts)."""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from typing import Any

from akscli.model import restarts
from tests.baremetal.nodes import nc_a100_node
from tests.cli import invoke
from tests.emulators.kube.controllers.deployment import DeploymentController

Start = Callable[..., Any]


def _crash_looping(emu: Any) -> None:
    """The ReplicaSet's pods crash at every start (pods.py "crashloop": CrashLoopBackOff, 3 restarts);
    the Deployment controller reports the rollout as upstream does."""
    next(c for c in emu.controllers.controllers if isinstance(c, DeploymentController)).fail_pods("crashloop")


def test_a_crash_looping_vllm_server_is_a_warning_with_its_restart_count(model_emulator: Start) -> None:
    emu = model_emulator()
    emu.cluster.create(nc_a100_node())
    _crash_looping(emu)
    assert invoke("model", "deploy", "phi-4", "--runtime", "vllm", "-y").exit_code == 0
    shown = invoke("model", "status", "phi-4", "-o", "json")
    deadline = time.monotonic() + 10
    while "CrashLoopBackOff" not in shown.stderr and time.monotonic() < deadline:
        time.sleep(0.05)
        shown = invoke("model", "status", "phi-4", "-o", "json")
    assert shown.exit_code == 0
    assert "warning: deployment.apps/phi-4: pod phi-4-" in shown.stderr
    assert ": CrashLoopBackOff (last exit: Error, exit code 1)" in shown.stderr
    assert (
        "; restarted 3 times; the kubelet restarts the container with back-off (at most every 5 minutes), and the "
        in (shown.stderr)
    )
    assert "Deployment gives the rollout up only after 600s without progress" in shown.stderr
    assert json.loads(shown.stdout)["state"] == "Progressing"


def test_a_crash_looping_vllm_server_does_not_end_the_wait_before_its_timeout(model_emulator: Start) -> None:
    emu = model_emulator()
    emu.cluster.create(nc_a100_node())
    _crash_looping(emu)
    result = invoke("model", "deploy", "phi-4", "--runtime", "vllm", "--wait", "--timeout", "2s", "-y")
    assert result.exit_code == 5, result.stderr  # timed out (docs/exit-codes.md), not failed (10)
    assert "CrashLoopBackOff" in result.stderr


def _pod(name: str, waiting: str, count: int) -> dict[str, Any]:
    state = {"waiting": {"reason": waiting, "message": "back-off"}}
    cs = {"name": "vllm", "state": state, "restartCount": count, "lastState": {}}
    return {
        "metadata": {"name": name, "namespace": "default"},
        "status": {"phase": "Pending", "containerStatuses": [cs]},
    }


def test_an_image_the_kubelet_pulls_again_is_a_warning_without_a_restart_count() -> None:
    found = restarts.retried([_pod("phi-4-b", "ImagePullBackOff", 0)])
    assert found is not None
    text = restarts.line("deployment.apps/phi-4", found[0], found[1], None)
    assert text == (
        "deployment.apps/phi-4: pod phi-4-b container vllm: ImagePullBackOff: back-off; "
        "the kubelet pulls the image again with back-off (at most every 5 minutes)"
    )


def test_the_first_retried_pod_by_name_is_named() -> None:
    found = restarts.retried([_pod("phi-4-b", "CrashLoopBackOff", 1), _pod("phi-4-a", "CrashLoopBackOff", 7)])
    assert found is not None and (found[0].pod, found[1]) == ("phi-4-a", 7)


class _Services:
    """A Kube whose list answers the kuberay provider's RayService (restarts.serve_retries)."""

    def __init__(self, service: dict[str, Any]) -> None:
        self.service = service

    def list(self, api_version: str, kind: str, **_: Any) -> list[dict[str, Any]]:
        return [self.service] if (api_version, kind) == ("ray.io/v1", "RayService") else []


# ray-project/ray python/ray/serve/_private/deployment_state.py check_curr_status
RAY_RETRY = "The deployment failed to start 3 times in a row. Retrying after 8 seconds."
KUBERAY_MODEL = {
    "apiVersion": "airunway.ai/v1alpha1",
    "kind": "ModelDeployment",
    "metadata": {"name": "phi-4", "namespace": "default", "uid": "u1", "generation": 1},
    "spec": {"provider": {"name": "kuberay"}},
    "status": {"phase": "Deploying"},
}


def _service(app: dict[str, Any]) -> dict[str, Any]:
    """KubeRay keeps an app that has not come up in pendingServiceStatus, so AI Runway says Deploying."""
    return {
        "apiVersion": "ray.io/v1",
        "kind": "RayService",
        "metadata": {"name": "phi-4", "namespace": "default", "generation": 1},
        "status": {"observedGeneration": 1, "pendingServiceStatus": {"applicationStatuses": {"llm": app}}},
    }


def test_a_serve_app_ray_retries_on_a_deploying_kuberay_model_is_a_warning_with_rays_count() -> None:
    retrying = {"status": "DEPLOY_FAILED", "message": RAY_RETRY, "serveDeploymentStatuses": {"d": {}}}
    warning = restarts.warning(_Services(_service(retrying)), KUBERAY_MODEL, "airunway.ai/model=phi-4", "kuberay")  # type: ignore[arg-type]
    assert warning == (
        "modeldeployment.airunway.ai/phi-4: rayservice.ray.io/phi-4: application llm is DEPLOY_FAILED: "
        f"{RAY_RETRY}; Ray Serve retries it"
    )


def test_a_serve_app_that_failed_to_build_is_no_retry_warning() -> None:
    built = {"status": "DEPLOY_FAILED", "message": "No module named 'vllm_serve'"}
    assert restarts.serve_retries(_Services(_service(built)), KUBERAY_MODEL) is None  # type: ignore[arg-type]
