"""Readiness of NVIDIA Dynamo's DynamoGraphDeployment (ai-dynamo/dynamo), the object AI Runway's
dynamo provider makes for a ModelDeployment.

Dynamo's operator writes the whole status in one deferred update at the end of each reconcile
(ai-dynamo/dynamo deploy/operator/internal/controller/dynamographdeployment_controller.go,
Reconcile): ``status.state`` from the result of reconciling the graph's resources
(``successful`` once every one is ready, checkResourcesReadiness), a ``Ready`` condition True
exactly when the state is ``successful`` (reason and message from the same result), and
``status.observedGeneration = metadata.generation`` only when the reconcile returned no error.
A reconcile that errs sets ``failed`` and returns the error, so controller-runtime reconciles
again: ``failed`` ends nothing, except a spec its validator refused (reason ``ValidationFailed``,
"Don't requeue - user must fix the spec"). While a managed rolling update runs
(``status.rollingUpdate.phase`` Pending or InProgress) the state is ``pending``
(``rolling_update_in_progress``). Field names: deploy/operator/api/v1alpha1/dynamographdeployment_types.go
(DynamoGraphDeploymentStatus, DGDState, RollingUpdatePhase).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from akscli.kube.readiness.core import READY, Readiness, Rule, conditions, describe, generation_of, status_of

# ai-runway/airunway b0d3fb77 providers/dynamo/transformer.go: DynamoAPIGroup, DynamoAPIVersion.
DYNAMO_API = "nvidia.com/v1alpha1"
KIND = "DynamoGraphDeployment"
ROLLING = ("Pending", "InProgress")


def _seen(status: Mapping[str, Any]) -> int | None:
    value = status.get("observedGeneration")
    return int(value) if isinstance(value, int | str) and str(value).isdigit() else None


def graph_deployment(obj: Mapping[str, Any]) -> Readiness:
    """Ready once Dynamo reports ``successful`` for the current generation, no rolling update
    pending. An operator that writes no observedGeneration (releases before it was added) is
    taken at its state."""
    status = status_of(obj)
    state = str(status.get("state") or "")
    if not state:
        return Readiness(False, message="waiting for Dynamo's operator to report a state")
    want, seen = generation_of(obj), _seen(status)
    ready = conditions(obj).get("Ready")
    why = f" ({describe(ready)})" if ready is not None and ready.get("status") != "True" else ""
    if want is not None and seen is not None and seen < want:
        return Readiness(
            False,
            message=f"Dynamo has not reconciled generation {want} yet "
            f"(its state={state} is from generation {seen}){why}",
        )
    if state == "failed" and ready is not None and ready.get("reason") == "ValidationFailed":
        return Readiness(False, True, f"state=failed{why}", "ValidationFailed")
    if state != "successful":
        return Readiness(False, message=f"state={state}{why}")
    phase = str((status.get("rollingUpdate") or {}).get("phase") or "")
    if phase in ROLLING:
        return Readiness(False, message=f"state=successful, but its rolling update is {phase}")
    return READY


RULES: dict[tuple[str, str], Rule] = {("nvidia.com", KIND): graph_deployment}


# ai-runway/airunway b0d3fb77 providers/dynamo/controller.go Reconcile: an ``r.Update`` of the graph
# that meets a 409 (``errors.IsConflict``, a stale resourceVersion) sets ResourceCreated False with
# reason ResourceConflict, leaves the phase as it was and requeues after 1 s. The graph another owner
# holds (resourceConflictError) also sets Ready False ResourceConflict and the phase Failed, and is
# retried by nothing: that one is final (kaito.py model_deployment's conflict).
RETRIED_REASON = "DeploymentFailed"


def provider_retries(current: Mapping[str, Mapping[str, Any]], phase: str, message: str) -> str | None:
    """Why a dynamo ModelDeployment's state is one its provider will move on from, or None.

    ``current``: its conditions of the current generation by type. The transient 409 (above), and a
    Failed phase whose Ready condition is ``DeploymentFailed``: syncStatus maps Dynamo's ``failed``
    (providers/dynamo/status.go mapStateToPhase), Reconcile requeues every RequeueInterval (30 s)
    and watches the graph (SetupWithManager), and Dynamo's operator retries a failed graph
    (graph_deployment), so the phase follows Dynamo's next state. Final are the Failed phases a
    step of Reconcile sets and returns on without a requeue (ProviderCompatible
    IncompatibleConfiguration, StorageReady PVCFailed, ModelDownloaded DownloadFailed,
    ResourceCreated TransformFailed, CreateFailed or the owner's ResourceConflict), and Dynamo's
    own final ``failed`` (ValidationFailed), which the wait reads on the graph."""
    created, ready = current.get("ResourceCreated") or {}, current.get("Ready") or {}
    if (
        created.get("status") == "False"
        and created.get("reason") == "ResourceConflict"
        and ready.get("reason") != "ResourceConflict"
    ):
        return (
            f"phase={phase}; AI Runway's dynamo provider met a conflict updating its {KIND} "
            f"(ResourceCreated: ResourceConflict: {created.get('message') or ''}) and retries in 1 s"
        )
    if phase == "Failed" and ready.get("status") == "False" and ready.get("reason") == RETRIED_REASON:
        return (
            f"phase=Failed (Ready: {RETRIED_REASON})" + (f": {message}" if message else "") + f"; Dynamo's operator "
            f"retries a failed {KIND} and AI Runway follows its next state"
        )
    return None
