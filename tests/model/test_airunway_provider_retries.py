"""AI Runway's vllm provider retries a failed lookup of its default image (ai-runway/airunway
b0d3fb77 providers/vllm/controller.go Reconcile and setImageResolutionStatus: the error is returned,
so controller-runtime requeues); akscli's wait goes on through it. A user's image that failed to
resolve is not retried there: the provider goes on, and a later step's failure is final."""

from __future__ import annotations

from typing import Any

from akscli.kube import readiness

MD = "airunway.ai/v1alpha1"
LOOKUP = 'Failed to resolve Direct vLLM image "vllm/vllm-openai:latest" from stable selection: timeout.'


def _cond(kind: str, status: str, reason: str, message: str = "") -> dict[str, Any]:
    return {"type": kind, "status": status, "reason": reason, "message": message, "observedGeneration": 1}


def _model(*conditions: dict[str, Any], provider: str = "vllm") -> dict[str, Any]:
    return {
        "apiVersion": MD,
        "kind": "ModelDeployment",
        "metadata": {"name": "phi-4", "namespace": "default", "uid": "u1", "generation": 1},
        "spec": {"provider": {"name": provider}},
        "status": {"phase": "Failed", "message": "", "observedGeneration": 1, "conditions": list(conditions)},
    }


IMAGE_FAILED = _cond("ImageResolved", "False", "ImageResolutionFailed", LOOKUP)


def test_a_vllm_model_failed_on_its_default_image_lookup_is_waited_on() -> None:
    verdict = readiness.check_with_members(_model(IMAGE_FAILED), [])
    assert not verdict.ready and not verdict.failed
    assert verdict.message.startswith("phase=Failed (ImageResolved: ImageResolutionFailed): Failed to resolve")
    assert verdict.message.endswith("retries resolving its default image with backoff")


def test_a_vllm_model_whose_user_image_lookup_failed_and_create_failed_ends_the_wait() -> None:
    created = _cond("ResourceCreated", "False", "CreateFailed", "admission webhook denied")
    verdict = readiness.check(_model(IMAGE_FAILED, created))
    assert verdict.failed


def test_a_vllm_models_incompatible_configuration_still_ends_the_wait() -> None:
    verdict = readiness.check(_model(_cond("ProviderCompatible", "False", "IncompatibleConfiguration", "x")))
    assert verdict.failed and verdict.reason == "IncompatibleConfiguration"


def test_an_image_lookup_failure_on_another_provider_is_not_taken_for_vllms_retry() -> None:
    """Only the vllm provider resolves images (providers/vllm/image_resolver.go)."""
    assert readiness.check(_model(IMAGE_FAILED, provider="llmd")).failed


# kuberay: providers/kuberay/status.go mapAppStatusesToPhase maps any DEPLOY_FAILED to Failed and
# Reconcile requeues every 30 s; Ray Serve retries an application with deployments
# (readiness/kuberay.py app_failed), and gives up on one that failed to build.
DEPLOYMENT_FAILED = _cond("Ready", "False", "DeploymentFailed", "replica failed to start")


def _rayservice(app: dict[str, Any]) -> dict[str, Any]:
    return {
        "apiVersion": "ray.io/v1",
        "kind": "RayService",
        "metadata": {"name": "phi-4", "namespace": "default", "generation": 1, "ownerReferences": [{"uid": "u1"}]},
        "spec": {},
        "status": {
            "observedGeneration": 1,
            "conditions": [{"type": "Ready", "status": "False", "reason": "ZeroServeEndpoints"}],
            "activeServiceStatus": {"rayClusterName": "phi-4-abcde", "applicationStatuses": {"llm": app}},
        },
    }


def test_a_kuberay_model_failed_on_an_app_ray_serve_retries_is_waited_on() -> None:
    retrying = {"status": "DEPLOY_FAILED", "message": "Retrying after 8s", "serveDeploymentStatuses": {"d": {}}}
    verdict = readiness.check_with_members(_model(DEPLOYMENT_FAILED, provider="kuberay"), [_rayservice(retrying)])
    assert not verdict.ready and not verdict.failed
    assert verdict.message.startswith("phase=Failed (Ready: DeploymentFailed): replica failed to start; Ray Serve")


def test_a_kuberay_model_failed_on_an_app_that_could_not_build_ends_the_wait() -> None:
    built = {"status": "DEPLOY_FAILED", "message": "No module named 'vllm_serve'"}
    verdict = readiness.check_with_members(_model(DEPLOYMENT_FAILED, provider="kuberay"), [_rayservice(built)])
    assert verdict.failed
    assert verdict.message.startswith("phase=Failed, and AI Runway's kuberay provider's rayservice.ray.io/phi-4")


def test_a_kuberay_models_create_failed_still_ends_the_wait() -> None:
    created = _cond("ResourceCreated", "False", "CreateFailed", "no matches for kind")
    assert readiness.check(_model(created, provider="kuberay")).failed
