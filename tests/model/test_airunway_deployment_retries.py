"""AI Runway's vllm and llmd providers report Failed on their Deployment's Available=False wherever
Progressing is not True (ai-runway/airunway b0d3fb77 providers/vllm/status.go and
providers/llmd/status.go mapConditionsToPhase), but the Deployment controller ends a rollout only at
Progressing False ProgressDeadlineExceeded (kubernetes/kubernetes pkg/controller/deployment/
progress.go syncRolloutStatus); a ReplicaSet create it was refused (sync.go getNewReplicaSet:
ReplicaSetCreateError) and a paused Deployment (checkPausedConditions) go on. akscli waits on those,
judges the Deployment itself, and `model status` warns."""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from typing import Any

import pytest

from akscli.kube import readiness
from akscli.model import live
from akscli.output import dig
from tests.cli import invoke

from ._airunway import model_until as _until  # the ModelDeployment phi-4 read until a check holds
from .conftest import AIRUNWAY_CRDS

MD = "airunway.ai/v1alpha1"
UNAVAILABLE = "Deployment does not have minimum availability."
TIMED_OUT = 'ReplicaSet "phi-4-7d9c5" has timed out progressing.'
Start = Callable[..., Any]
UPDATED = "status.updatedReplicas"


def _model(message: str, provider: str = "vllm") -> dict[str, Any]:
    """As syncStatus writes a Failed phase read from the Deployment (providers/vllm/controller.go)."""
    ready = {"type": "Ready", "status": "False", "reason": "DeploymentFailed", "message": message}
    created = {"type": "ResourceCreated", "status": "True", "reason": "ResourceCreated"}
    return {
        "apiVersion": MD,
        "kind": "ModelDeployment",
        "metadata": {"name": "phi-4", "namespace": "default", "uid": "u1", "generation": 1},
        "spec": {"provider": {"name": provider}},
        "status": {"phase": "Failed", "message": message, "observedGeneration": 1, "conditions": [created, ready]},
    }


def _deployment(progressing: dict[str, Any]) -> dict[str, Any]:
    """The provider's Deployment with no replica available, as sync.go calculateStatus writes it."""
    available = {"type": "Available", "status": "False", "reason": "MinimumReplicasUnavailable", "message": UNAVAILABLE}
    return {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": {"name": "phi-4", "namespace": "default", "generation": 1, "ownerReferences": [{"uid": "u1"}]},
        "spec": {"replicas": 1},
        "status": {
            "observedGeneration": 1,
            "replicas": 1,
            "updatedReplicas": 1,
            "conditions": [available, progressing],
        },
    }


RS_REFUSED = {
    "type": "Progressing",
    "status": "False",
    "reason": "ReplicaSetCreateError",
    "message": 'Failed to create new replica set "phi-4-7d9c5": exceeded quota: rs',
}
DEADLINE = {"type": "Progressing", "status": "False", "reason": "ProgressDeadlineExceeded", "message": TIMED_OUT}


@pytest.mark.parametrize("provider", ["vllm", "llmd"])
def test_a_failed_phase_on_available_false_short_of_the_deadline_is_waited_on(provider: str) -> None:
    verdict = readiness.check_with_members(_model(UNAVAILABLE, provider), [_deployment(RS_REFUSED)])
    assert not verdict.ready and not verdict.failed
    assert verdict.message.startswith(f"phase=Failed (Ready: DeploymentFailed): {UNAVAILABLE}; AI Runway's {provider}")
    assert verdict.message.endswith("; deployment.apps/phi-4: 0 of 1 updated replicas available")


def test_a_failed_phase_whose_deployment_passed_its_deadline_ends_the_wait() -> None:
    verdict = readiness.check_with_members(_model(UNAVAILABLE), [_deployment(DEADLINE)])
    assert verdict.failed and verdict.reason == "ProgressDeadlineExceeded"
    assert verdict.message == (
        "phase=Failed, and AI Runway's vllm provider's deployment.apps/phi-4 did not roll out: "
        f"Progressing=False (ProgressDeadlineExceeded): {TIMED_OUT}"
    )


def test_the_deadlines_message_ends_the_wait_without_reading_the_deployment() -> None:
    """mapConditionsToPhase copies Progressing's message for ProgressDeadlineExceeded."""
    assert readiness.check(_model(TIMED_OUT)).failed


def test_a_create_failed_before_the_deployment_still_ends_the_wait() -> None:
    model = _model(UNAVAILABLE)
    model["status"]["conditions"][0] = {"type": "ResourceCreated", "status": "False", "reason": "CreateFailed"}
    assert readiness.check(model).failed


def test_a_paused_vllm_deployment_is_failed_for_ai_runway_and_waited_on_with_a_warning(model_emulator: Start) -> None:
    """No GPU node: the pod stays Pending, Progressing True (Deploying); paused, the Deployment's
    Progressing turns Unknown DeploymentPaused (sync.go checkPausedConditions) and the provider
    reports Failed on Available's message."""
    emu = model_emulator(crds=AIRUNWAY_CRDS)
    result = invoke("model", "deploy", "phi-4", "--runtime", "airunway", "--provider", "vllm", "-y")
    assert result.exit_code == 0, result
    _until(emu, lambda md: (md.get("status") or {}).get("phase") == "Deploying")
    # Paused once its (Pending) pod is made, so the Deployment's own verdict is its availability.
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and not dig(
        emu.cluster.get("apps/v1", "Deployment", "default", "phi-4"), UPDATED
    ):
        time.sleep(0.05)
    emu.cluster.patch("apps/v1", "Deployment", "default", "phi-4", {"spec": {"paused": True}})
    md = _until(emu, lambda md: (md.get("status") or {}).get("phase") == "Failed")
    assert md["status"]["message"] == UNAVAILABLE
    deployment = emu.cluster.get("apps/v1", "Deployment", "default", "phi-4")
    verdict = readiness.check_with_members(md, [deployment])
    assert not verdict.failed
    assert verdict.message.endswith("; deployment.apps/phi-4: 0 of 1 updated replicas available")
    shown = invoke("model", "status", "phi-4", "-o", "json")
    assert json.loads(shown.stdout)["state"] == "Failed"
    assert "warning: modeldeployment.airunway.ai/phi-4 phase=Failed (Ready: DeploymentFailed)" in shown.stderr


class _Members:
    """A Kube whose list answers the provider's objects (live.retried_failure reads them by label)."""

    def __init__(self, *items: dict[str, Any]) -> None:
        self.items = items

    def list(self, api_version: str, kind: str, **_: Any) -> list[dict[str, Any]]:
        return [i for i in self.items if (i["apiVersion"], i["kind"]) == (api_version, kind)]


# Ray Serve's message for replicas that keep failing to start (ray-project/ray
# python/ray/serve/_private/deployment_state.py check_curr_status: "The deployment failed to start
# {failed_to_start_count} times in a row ... Retrying after {backoff} seconds"), which AI Runway's
# kuberay provider carries into the ModelDeployment (providers/kuberay/status.go mapAppStatusesToPhase).
RAY_RETRY = "The deployment failed to start 3 times in a row. Retrying after 8 seconds."


def test_model_status_warns_of_a_kuberay_app_ray_serve_retries_with_its_count() -> None:
    rayservice = {
        "apiVersion": "ray.io/v1",
        "kind": "RayService",
        "metadata": {"name": "phi-4", "namespace": "default", "generation": 1, "ownerReferences": [{"uid": "u1"}]},
        "status": {
            "observedGeneration": 1,
            "activeServiceStatus": {
                "applicationStatuses": {
                    "llm": {"status": "DEPLOY_FAILED", "message": RAY_RETRY, "serveDeploymentStatuses": {"d": {}}}
                }
            },
        },
    }
    warning = live.retried_failure(_Members(rayservice), _model(RAY_RETRY, "kuberay"))  # type: ignore[arg-type]
    assert warning is not None
    assert warning.startswith(f"modeldeployment.airunway.ai/phi-4 phase=Failed (Ready: DeploymentFailed): {RAY_RETRY}")


def test_model_status_warns_of_a_vllm_deployment_short_of_its_deadline() -> None:
    warning = live.retried_failure(_Members(_deployment(RS_REFUSED)), _model(UNAVAILABLE))  # type: ignore[arg-type]
    assert warning is not None
    assert warning.endswith("(ProgressDeadlineExceeded); deployment.apps/phi-4: 0 of 1 updated replicas available")
