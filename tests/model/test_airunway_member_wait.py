"""A --wait on an AI Runway ModelDeployment judges what its provider made, beyond the phase.

* Disaggregated vllm/llmd serving makes two Deployments, NAME-decode and NAME-prefill
  (ai-runway/airunway b0d3fb77 providers/vllm/transformer.go and providers/llmd/transformer.go
  transformDisaggregated; both labelled airunway.ai/deployment=NAME). The phase reads Available
  only (providers/vllm/status.go mapConditionsToPhase), so each is judged by ``kubectl rollout
  status``'s rule, and the stuck one is named.
* The kuberay provider's RayService (providers/kuberay/transformer.go Transform, the same label)
  is Running for AI Runway while its active cluster's apps run (providers/kuberay/status.go reads
  activeServiceStatus only), also during KubeRay's zero-downtime upgrade to a pending cluster
  (ray-project/kuberay ray-operator/controllers/ray/rayservice_controller.go): the RayService's own
  readiness (observedGeneration, Ready, UpgradeInProgress; readiness/kuberay.py) decides.
"""

from __future__ import annotations

from typing import Any

import pytest

from akscli.kube import readiness

MD = "airunway.ai/v1alpha1"


def _model(provider: str = "vllm", generation: int = 2) -> dict[str, Any]:
    ready = {"type": "Ready", "status": "True", "reason": "DeploymentReady", "observedGeneration": generation}
    return {
        "apiVersion": MD,
        "kind": "ModelDeployment",
        "metadata": {"name": "phi-4", "namespace": "default", "uid": "u1", "generation": generation},
        "spec": {"provider": {"name": provider}},
        "status": {"phase": "Running", "observedGeneration": generation, "conditions": [ready]},
    }


def _deployment(name: str, *, updated: int = 1, total: int = 1, deadline: bool = False) -> dict[str, Any]:
    progressing = (
        {"type": "Progressing", "status": "False", "reason": "ProgressDeadlineExceeded", "message": "timed out"}
        if deadline
        else {"type": "Progressing", "status": "True", "reason": "ReplicaSetUpdated"}
    )
    return {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": {"name": name, "namespace": "default", "generation": 2, "ownerReferences": [{"uid": "u1"}]},
        "spec": {"replicas": 1},
        "status": {
            "observedGeneration": 2,
            "replicas": total,
            "updatedReplicas": updated,
            "availableReplicas": 1,
            "conditions": [{"type": "Available", "status": "True"}, progressing],
        },
    }


def test_a_split_model_whose_prefill_deployment_is_stuck_names_the_prefill_deployment() -> None:
    verdict = readiness.check_with_members(
        _model(), [_deployment("phi-4-decode"), _deployment("phi-4-prefill", updated=0, total=2)]
    )
    assert not verdict.ready and not verdict.failed
    assert verdict.message.startswith("phase=Running, but deployment.apps/phi-4-prefill is still rolling out")


def test_a_split_model_whose_decode_deployment_is_stuck_names_the_decode_deployment() -> None:
    verdict = readiness.check_with_members(
        _model(), [_deployment("phi-4-prefill"), _deployment("phi-4-decode", updated=0, total=2)]
    )
    assert verdict.message.startswith("phase=Running, but deployment.apps/phi-4-decode is still rolling out")


def test_a_split_model_is_ready_once_both_deployments_rolled_out() -> None:
    assert readiness.check_with_members(_model(), [_deployment("phi-4-decode"), _deployment("phi-4-prefill")]).ready


def test_a_split_model_fails_at_once_when_one_deployment_is_past_its_deadline_while_the_other_still_rolls() -> None:
    """The failed one is named before one still rolling, whatever their names' order: the wait
    ends now (exit 10) instead of waiting out its timeout on the rolling one."""
    verdict = readiness.check_with_members(
        _model(),
        [
            _deployment("phi-4-decode", updated=0, total=2),
            _deployment("phi-4-prefill", updated=0, total=2, deadline=True),
        ],
    )
    assert verdict.failed
    assert "deployment.apps/phi-4-prefill did not roll out" in verdict.message
    assert verdict.reason == "ProgressDeadlineExceeded"


def _rayservice(**status: Any) -> dict[str, Any]:
    return {
        "apiVersion": "ray.io/v1",
        "kind": "RayService",
        "metadata": {"name": "phi-4", "namespace": "default", "generation": 2, "ownerReferences": [{"uid": "u1"}]},
        "spec": {},
        "status": {
            "observedGeneration": 2,
            "conditions": [{"type": "Ready", "status": "True", "reason": "NonZeroServeEndpoints"}],
            "activeServiceStatus": {
                "rayClusterName": "phi-4-abcde",
                "applicationStatuses": {"llm": {"status": "RUNNING"}},
            },
            **status,
        },
    }


UPGRADING = {"type": "UpgradeInProgress", "status": "True", "reason": "BothActivePendingClustersExist"}


def test_a_kuberay_model_waits_on_its_rayservice() -> None:
    assert readiness.members_of(_model("kuberay")) == ("ray.io/v1", "RayService", "airunway.ai/deployment=phi-4")


def test_a_kuberay_model_running_on_its_active_cluster_during_an_upgrade_is_not_ready() -> None:
    upgrading = _rayservice(
        conditions=[{"type": "Ready", "status": "True", "reason": "NonZeroServeEndpoints"}, UPGRADING],
        pendingServiceStatus={"rayClusterName": "phi-4-fghij"},
    )
    verdict = readiness.check_with_members(_model("kuberay"), [upgrading])
    assert not verdict.ready and not verdict.failed
    assert verdict.message.startswith("phase=Running, but rayservice.ray.io/phi-4 does not serve the current spec yet")
    assert "UpgradeInProgress" in verdict.message


def test_a_kuberay_model_whose_rayservice_has_not_seen_its_spec_is_not_ready() -> None:
    verdict = readiness.check_with_members(_model("kuberay"), [_rayservice(observedGeneration=1)])
    assert not verdict.ready
    assert "rayservice.ray.io/phi-4" in verdict.message


def test_a_kuberay_model_whose_pending_cluster_cannot_build_its_app_fails_naming_the_rayservice() -> None:
    """The new cluster's Serve app failed to build (ai-runway/airunway#399's import error): KubeRay
    never promotes it and the old one serves on, so AI Runway stays Running."""
    failed = _rayservice(
        conditions=[{"type": "Ready", "status": "True", "reason": "NonZeroServeEndpoints"}, UPGRADING],
        pendingServiceStatus={
            "rayClusterName": "phi-4-fghij",
            "applicationStatuses": {"llm": {"status": "DEPLOY_FAILED", "message": "No module named 'vllm_serve'"}},
        },
    )
    verdict = readiness.check_with_members(_model("kuberay"), [failed])
    assert verdict.failed
    assert verdict.message.startswith("phase=Running, but AI Runway's kuberay provider's rayservice.ray.io/phi-4")
    assert "No module named 'vllm_serve'" in verdict.message


def test_a_kuberay_model_is_ready_once_its_rayservice_serves_the_current_spec() -> None:
    assert readiness.check_with_members(_model("kuberay"), [_rayservice()]).ready


@pytest.mark.parametrize(("provider", "kind"), [("kuberay", "RayService"), ("dynamo", "DynamoGraphDeployment")])
def test_an_applied_model_on_a_cluster_without_its_backend_fails_on_its_phase_not_on_listing_its_members(
    model_emulator: Any, tmp_path: Any, provider: str, kind: str
) -> None:
    """Where KubeRay (or NVIDIA Dynamo) is not installed the provider fails the ModelDeployment at
    once (providers/kuberay/controller.go, providers/dynamo/controller.go Reconcile: "no matches for
    kind"); the wait's list of the RayServices (DynamoGraphDeployments) it would follow fails too,
    and must not hide that phase."""
    from tests.cli import invoke
    from tests.model._queue import gpu_nodes
    from tests.model.conftest import AIRUNWAY_CRDS

    emu = model_emulator(crds=AIRUNWAY_CRDS)
    gpu_nodes(emu, 1)
    manifest = tmp_path / "md.yaml"
    manifest.write_text(
        "apiVersion: airunway.ai/v1alpha1\nkind: ModelDeployment\nmetadata: {name: phi-4, namespace: default}\n"
        f"spec:\n  model: {{id: microsoft/phi-4, source: huggingface}}\n  provider: {{name: {provider}}}\n"
        "  engine: {type: vllm}\n  resources: {gpu: {count: 1}}\n"
    )
    result = invoke("apply", "-f", str(manifest), "--wait", "--timeout", "20s", "-y")
    assert result.exit_code == 10, result
    assert "phase=Failed" in result.stderr
    assert f'no matches for kind "{kind}"' in result.stderr


def test_a_kuberay_models_pods_are_its_ray_clusters_pods() -> None:
    """A timed-out wait reads them for a problem (providers/kuberay/transformer.go labels both
    groups' pod templates airunway.ai/model-deployment=NAME)."""
    assert readiness.pod_selector(_model("kuberay")) == {"matchLabels": {"airunway.ai/model-deployment": "phi-4"}}
