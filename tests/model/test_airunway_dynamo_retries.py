"""What AI Runway's dynamo provider moves on from does not end a --wait (ai-runway/airunway b0d3fb77
providers/dynamo/controller.go Reconcile, syncStatus, SetupWithManager; readiness/dynamo.py
provider_retries):

* a Failed phase with Ready False ``DeploymentFailed`` is Dynamo's ``failed`` mapped
  (providers/dynamo/status.go mapStateToPhase); the provider requeues every 30 s and watches the
  graph, and Dynamo's operator retries a failed graph, so the wait goes on, ended only by the
  graph's own final failure (ValidationFailed);
* an update of the graph that met a 409 sets ResourceCreated False ``ResourceConflict``, leaves the
  phase and requeues after 1 s; the graph another owner holds (Ready False ResourceConflict too,
  phase Failed) stays final.

The emulator's dynamo provider makes the graph (tests/emulators/kube/controllers/
airunway_dynamo_graph.py) and reads the state a test writes as Dynamo's operator would
(airunway_dynamo.py): the phase follows Dynamo from failed to successful."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from akscli.kube import readiness
from tests.cli import invoke

from ._airunway import model_until
from ._queue import gpu_nodes
from .conftest import AIRUNWAY_CRDS

MD = "airunway.ai/v1alpha1"
DGD = "nvidia.com/v1alpha1"
Start = Callable[..., Any]


def _cond(kind: str, status: str, reason: str, generation: int, message: str = "") -> dict[str, Any]:
    return {"type": kind, "status": status, "reason": reason, "message": message, "observedGeneration": generation}


def _model(phase: str, *conditions: dict[str, Any], provider: str = "dynamo", generation: int = 2) -> dict[str, Any]:
    return {
        "apiVersion": MD,
        "kind": "ModelDeployment",
        "metadata": {"name": "phi-4", "namespace": "default", "uid": "u1", "generation": generation},
        "spec": {"provider": {"name": provider}},
        "status": {
            "phase": phase,
            "message": "graph failed" if phase == "Failed" else "",
            "observedGeneration": generation,
            "conditions": list(conditions),
        },
    }


def _graph(reason: str) -> dict[str, Any]:
    ready = {"type": "Ready", "status": "False", "reason": reason, "message": "Validation failed: x"}
    return {
        "apiVersion": DGD,
        "kind": "DynamoGraphDeployment",
        "metadata": {"name": "phi-4", "namespace": "default", "generation": 2, "ownerReferences": [{"uid": "u1"}]},
        "status": {"state": "failed", "observedGeneration": 2, "conditions": [ready]},
    }


FAILED_GRAPH = _cond("Ready", "False", "DeploymentFailed", 2, "graph failed")


def test_a_dynamo_model_failed_on_dynamos_retried_failure_is_waited_on() -> None:
    verdict = readiness.check(_model("Failed", FAILED_GRAPH))
    assert not verdict.ready and not verdict.failed
    assert verdict.message.startswith("phase=Failed (Ready: DeploymentFailed): graph failed; Dynamo's operator retries")


def test_a_dynamo_model_failed_on_a_graph_dynamo_refused_ends_the_wait() -> None:
    verdict = readiness.check_with_members(_model("Failed", FAILED_GRAPH), [_graph("ValidationFailed")])
    assert verdict.failed
    assert verdict.message.startswith("phase=Failed, and AI Runway's dynamo provider's dynamographdeployment")
    assert "ValidationFailed" in verdict.message


def test_a_dynamo_model_failed_on_a_graph_dynamo_retries_is_still_waited_on() -> None:
    verdict = readiness.check_with_members(_model("Failed", FAILED_GRAPH), [_graph("failed_to_reconcile")])
    assert not verdict.ready and not verdict.failed


def test_a_vllm_models_deployment_failed_past_its_deadline_still_ends_the_wait() -> None:
    """vllm's DeploymentFailed is its Deployment's; past the progress deadline it is final
    (test_airunway_deployment_retries.py: short of it, waited on)."""
    timed_out = _cond("Ready", "False", "DeploymentFailed", 2, 'ReplicaSet "phi-4-7d9c5" has timed out progressing.')
    assert readiness.check(_model("Failed", timed_out, provider="vllm")).failed


def test_a_409_on_the_graph_after_a_failed_phase_is_waited_on() -> None:
    """Generation 1 failed; the provider's update for 2 met a 409 and left the phase Failed."""
    conflict = _cond("ResourceCreated", "False", "ResourceConflict", 2, "the object has been modified")
    verdict = readiness.check(_model("Failed", _cond("Ready", "False", "DeploymentFailed", 1), conflict))
    assert not verdict.ready and not verdict.failed
    assert verdict.message == (
        "phase=Failed; AI Runway's dynamo provider met a conflict updating its DynamoGraphDeployment "
        "(ResourceCreated: ResourceConflict: the object has been modified) and retries in 1 s"
    )


def test_a_409_on_the_graph_of_a_running_model_is_not_ready() -> None:
    conflict = _cond("ResourceCreated", "False", "ResourceConflict", 2, "the object has been modified")
    verdict = readiness.check(_model("Running", _cond("Ready", "True", "DeploymentReady", 2), conflict))
    assert not verdict.ready and not verdict.failed


def test_a_graph_another_owner_holds_still_ends_the_wait() -> None:
    why = "resource default/phi-4 exists but is not managed by this ModelDeployment"
    verdict = readiness.check(
        _model(
            "Failed",
            _cond("ResourceCreated", "False", "ResourceConflict", 2, why),
            _cond("Ready", "False", "ResourceConflict", 2, why),
        )
    )
    assert verdict.failed


# Dynamo's CRD, its names and v1alpha1 with the status subresource (ai-dynamo/dynamo
# deploy/operator/config/crd/bases/nvidia.com_dynamographdeployments.yaml); its schema left open, none
# being in ../shared/crds.
DGD_CRD = {
    "apiVersion": "apiextensions.k8s.io/v1",
    "kind": "CustomResourceDefinition",
    "metadata": {"name": "dynamographdeployments.nvidia.com"},
    "spec": {
        "group": "nvidia.com",
        "scope": "Namespaced",
        "names": {
            "plural": "dynamographdeployments",
            "singular": "dynamographdeployment",
            "kind": "DynamoGraphDeployment",
        },
        "versions": [
            {
                "name": "v1alpha1",
                "served": True,
                "storage": True,
                "subresources": {"status": {}},
                "schema": {"openAPIV3Schema": {"type": "object", "x-kubernetes-preserve-unknown-fields": True}},
            }
        ],
    },
}


ERRED = {
    "type": "Ready",
    "status": "False",
    "reason": "failed_to_reconcile_the_resources",
    "message": "pods not scheduled",
}


def test_the_emulators_dynamo_provider_follows_dynamo_from_failed_to_successful(model_emulator: Start) -> None:
    emu = model_emulator(crds=AIRUNWAY_CRDS)
    emu.cluster.create(DGD_CRD)
    gpu_nodes(emu, 1)
    result = invoke("model", "deploy", "phi-4", "--runtime", "airunway", "--provider", "dynamo", "-y")
    assert result.exit_code == 0, result
    # The provider makes the graph (providers/dynamo/transformer.go Transform); Dynamo's operator has
    # written no status yet, so the phase is the Deploying default.
    md = model_until(emu, lambda md: (md.get("status") or {}).get("phase") == "Deploying")
    graph = emu.cluster.get(DGD, "DynamoGraphDeployment", "default", "phi-4")
    assert graph["metadata"]["labels"]["airunway.ai/model-deployment"] == "phi-4"
    [owner] = graph["metadata"]["ownerReferences"]
    assert (owner["uid"], owner["controller"], owner["blockOwnerDeletion"]) == (md["metadata"]["uid"], True, True)
    # Not exposed: akscli writes gateway.enabled false, so buildServices makes the standalone Frontend, no Epp.
    assert sorted(graph["spec"]["services"]) == ["Frontend", "VllmWorker"]
    worker = graph["spec"]["services"]["VllmWorker"]
    assert worker["extraPodSpec"]["mainContainer"]["command"] == ["python3", "-m", "dynamo.vllm"]
    assert worker["resources"] == {"limits": {"gpu": "1"}, "requests": {"gpu": "1"}}
    # As Dynamo's operator writes it: no status.message (DynamoGraphDeploymentStatus has none).
    graph["status"] = {"state": "failed", "observedGeneration": 1, "conditions": [ERRED]}
    emu.cluster.update_status(graph)
    md = model_until(emu, lambda md: (md.get("status") or {}).get("phase") == "Failed")
    ready = {c["type"]: c for c in md["status"]["conditions"]}["Ready"]
    assert (ready["reason"], ready["message"]) == ("DeploymentFailed", "")
    verdict = readiness.check_with_members(md, [emu.cluster.get(DGD, "DynamoGraphDeployment", "default", "phi-4")])
    assert not verdict.failed
    assert verdict.message.endswith(
        "; dynamographdeployment.nvidia.com/phi-4: state=failed "
        "(Ready=False (failed_to_reconcile_the_resources): pods not scheduled)"
    )
    shown = json.loads(invoke("model", "status", "phi-4", "-o", "json").stdout)
    assert shown["state"] == "Failed"
    assert [(c["type"], c["status"], c["reason"]) for c in shown["conditions"]] == [
        # The core controller's (controller/internal/controller/modeldeployment_controller.go), then the provider's.
        ("Validated", "True", "ValidationPassed"),
        ("EngineSelected", "True", "ExplicitSelection"),
        ("ProviderSelected", "True", "ExplicitSelection"),
        ("ProviderCompatible", "True", "CompatibilityVerified"),
        ("ResourceCreated", "True", "ResourceCreated"),
        ("Ready", "False", "DeploymentFailed"),
    ]
    assert shown["warning"].startswith("modeldeployment.airunway.ai/phi-4 phase=Failed (Ready: DeploymentFailed)")
    assert shown["warning"].endswith("(Ready=False (failed_to_reconcile_the_resources): pods not scheduled)")
    graph = emu.cluster.get(DGD, "DynamoGraphDeployment", "default", "phi-4")
    graph["status"] = {
        "state": "successful",
        "observedGeneration": 1,
        "conditions": [{"type": "Ready", "status": "True", "reason": "all_resources_are_ready"}],
        "services": {"VllmWorker": {"replicas": 1, "readyReplicas": 1}},
    }
    emu.cluster.update_status(graph)
    md = model_until(emu, lambda md: (md.get("status") or {}).get("phase") == "Running")
    assert md["status"]["message"] == "DynamoGraphDeployment created, pods are ready"
    assert md["status"]["endpoint"] == {"service": "phi-4-frontend", "port": 8000}
    assert md["status"]["replicas"] == {"desired": 1, "ready": 1, "available": 1}
