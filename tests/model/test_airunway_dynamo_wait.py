"""A --wait on an AI Runway ModelDeployment of the dynamo provider asks its DynamoGraphDeployment.

The provider updates the DynamoGraphDeployment and, in the same Reconcile, maps its
``status.state`` to the phase without reading its observedGeneration (ai-runway/airunway b0d3fb77
providers/dynamo/controller.go createOrUpdateResource then syncStatus, providers/dynamo/status.go
mapStateToPhase): right after a change the ModelDeployment says Running, with Ready=True of its
new generation, on the state Dynamo wrote for the previous spec. Dynamo's operator sets
``status.observedGeneration`` with the state it reconciled, and ``pending`` while its rolling update
runs (ai-dynamo/dynamo deploy/operator/internal/controller/dynamographdeployment_controller.go
Reconcile): readiness/dynamo.py reads those.

A Failed ModelDeployment of any provider names the pipeline step whose condition AI Runway set False
and its reason (readiness/kaito.py FAILING_STEPS), not only the phase.
"""

from __future__ import annotations

from typing import Any

from akscli.kube import readiness

MD = "airunway.ai/v1alpha1"
DGD = "nvidia.com/v1alpha1"


def _model(generation: int = 3) -> dict[str, Any]:
    ready = {"type": "Ready", "status": "True", "reason": "DeploymentReady", "observedGeneration": generation}
    return {
        "apiVersion": MD,
        "kind": "ModelDeployment",
        "metadata": {"name": "phi-4", "namespace": "default", "uid": "u1", "generation": generation},
        "spec": {"provider": {"name": "dynamo"}},
        "status": {"phase": "Running", "observedGeneration": generation, "conditions": [ready]},
    }


def _graph(state: str = "successful", *, generation: int = 2, seen: int | None = 2, **status: Any) -> dict[str, Any]:
    ready = status.pop("ready", {"type": "Ready", "status": "True", "reason": "all_resources_are_ready"})
    body: dict[str, Any] = {"state": state, "conditions": [ready], **status}
    if seen is not None:
        body["observedGeneration"] = seen
    return {
        "apiVersion": DGD,
        "kind": "DynamoGraphDeployment",
        "metadata": {
            "name": "phi-4",
            "namespace": "default",
            "generation": generation,
            "labels": {"airunway.ai/model-deployment": "phi-4"},
            "ownerReferences": [{"uid": "u1"}],
        },
        "status": body,
    }


def test_a_dynamo_model_waits_on_its_dynamo_graph_deployment_by_the_providers_label() -> None:
    assert readiness.members_of(_model()) == (DGD, "DynamoGraphDeployment", "airunway.ai/model-deployment=phi-4")


def test_a_changed_dynamo_model_running_on_the_previous_specs_state_is_not_ready() -> None:
    """The provider has updated the DynamoGraphDeployment to generation 3; Dynamo's state is of 2."""
    verdict = readiness.check_with_members(_model(), [_graph(generation=3, seen=2)])
    assert not verdict.ready and not verdict.failed
    assert verdict.message == (
        "phase=Running, but dynamographdeployment.nvidia.com/phi-4 does not serve the current spec yet: "
        "Dynamo has not reconciled generation 3 yet (its state=successful is from generation 2)"
    )


def test_a_dynamo_model_whose_graph_is_rolling_its_workers_is_not_ready() -> None:
    rolling = _graph(
        "pending",
        generation=3,
        seen=3,
        ready={
            "type": "Ready",
            "status": "False",
            "reason": "rolling_update_in_progress",
            "message": "Rolling update in progress",
        },
        rollingUpdate={"phase": "InProgress"},
    )
    verdict = readiness.check_with_members(_model(), [rolling])
    assert not verdict.ready and not verdict.failed
    assert verdict.message.endswith(
        "state=pending (Ready=False (rolling_update_in_progress): Rolling update in progress)"
    )


def test_a_dynamo_model_is_ready_once_its_graph_is_successful_for_the_current_spec() -> None:
    assert readiness.check_with_members(_model(), [_graph(generation=3, seen=3)]).ready


def test_a_graph_whose_spec_dynamo_refused_fails_the_wait_naming_it() -> None:
    """ValidationFailed is the one failed state Dynamo does not retry ("user must fix the spec")."""
    refused = _graph(
        "failed",
        generation=3,
        seen=3,
        ready={"type": "Ready", "status": "False", "reason": "ValidationFailed", "message": "Validation failed: x"},
    )
    verdict = readiness.check_with_members(_model(), [refused])
    assert verdict.failed
    assert verdict.message.startswith(
        "phase=Running, but AI Runway's dynamo provider's dynamographdeployment.nvidia.com/phi-4"
    )
    assert "Validation failed: x" in verdict.message


def test_a_graph_whose_reconcile_erred_is_waited_on_as_dynamo_retries_it() -> None:
    erred = _graph(
        "failed",
        seen=1,
        ready={"type": "Ready", "status": "False", "reason": "failed_to_reconcile_the_resources", "message": "boom"},
    )
    verdict = readiness.check(erred)
    assert not verdict.ready and not verdict.failed
    assert "failed_to_reconcile_the_resources" in verdict.message


def test_a_graph_of_an_operator_that_writes_no_observed_generation_is_taken_at_its_state() -> None:
    assert readiness.check(_graph(seen=None)).ready
    assert not readiness.check(_graph("pending", seen=None)).ready


def test_a_graph_without_a_state_yet_is_not_ready() -> None:
    graph = _graph()
    graph["status"] = {}
    assert readiness.check(graph).message == "waiting for Dynamo's operator to report a state"


def test_a_dynamo_models_pods_are_its_graphs_pods() -> None:
    """A timed-out wait reads them for a problem (Dynamo labels its graph's pods
    nvidia.com/dynamo-graph-deployment-name=<graph>, the graph named after the ModelDeployment)."""
    assert readiness.pod_selector(_model()) == {"matchLabels": {"nvidia.com/dynamo-graph-deployment-name": "phi-4"}}


def _failed(*conditions: dict[str, Any], message: str = "") -> dict[str, Any]:
    model = _model(1)
    model["status"] = {
        "phase": "Failed",
        "message": message,
        "conditions": [{**c, "observedGeneration": 1} for c in conditions],
    }
    return model


COMPATIBLE = {"type": "ProviderCompatible", "status": "True", "reason": "CompatibilityVerified"}


def test_a_failed_model_names_the_step_that_failed_and_ai_runways_reason() -> None:
    """providers/dynamo/controller.go Reconcile: the model download's Job failed."""
    verdict = readiness.check(
        _failed(
            COMPATIBLE,
            {"type": "ModelDownloaded", "status": "False", "reason": "DownloadFailed", "message": "job failed"},
            message="Model download failed: job failed",
        )
    )
    assert verdict.failed
    assert verdict.message == "phase=Failed (ModelDownloaded: DownloadFailed): Model download failed: job failed"
    assert verdict.reason == "DownloadFailed"


def test_a_failed_model_names_the_earliest_failed_step_not_the_ready_condition_it_left() -> None:
    """The core controller refuses a provider change (modeldeployment_controller.go Reconcile:
    ProviderSelected False, ProviderChangeNotSupported); a Ready condition from before stays False."""
    verdict = readiness.check(
        _failed(
            {"type": "Ready", "status": "False", "reason": "DeploymentInProgress"},
            {"type": "ProviderSelected", "status": "False", "reason": "ProviderChangeNotSupported", "message": "no"},
            message="provider change from vllm to dynamo is not supported",
        )
    )
    assert verdict.message.startswith("phase=Failed (ProviderSelected: ProviderChangeNotSupported): provider change")


TIMED_OUT = 'ReplicaSet "phi-4-7d9c5" has timed out progressing.'  # pkg/controller/deployment/progress.go


def test_an_unsupported_image_condition_false_is_not_a_failed_step() -> None:
    """vllm's UnsupportedImage is False (SupportedImage) when all is well (a vllm model: the dynamo
    provider's DeploymentFailed is one it retries, test_airunway_dynamo_retries.py)."""
    model = _failed(
        {"type": "UnsupportedImage", "status": "False", "reason": "SupportedImage"},
        {"type": "Ready", "status": "False", "reason": "DeploymentFailed", "message": TIMED_OUT},
        message=TIMED_OUT,
    )
    model["spec"]["provider"]["name"] = "vllm"
    verdict = readiness.check(model)
    assert verdict.message == f"phase=Failed (Ready: DeploymentFailed): {TIMED_OUT}"
