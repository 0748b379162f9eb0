"""AI Runway's dynamo provider reading a served DynamoGraphDeployment, at ai-runway/airunway b0d3fb77
(providers/dynamo/controller.go Reconcile, createOrUpdateResource, syncStatus, SetupWithManager;
providers/dynamo/status.go TranslateStatus, mapStateToPhase, extractReplicas, extractEndpoint).

* The graph is owned by the ModelDeployment (verifyDynamoOwnership: an ownerReference with its UID);
  one another owner holds is refused: ResourceCreated and Ready False (ResourceConflict), phase
  Failed, "Failed to create DynamoGraphDeployment: resource NS/NAME exists but is not managed by this
  ModelDeployment", no requeue (airunway.py _create_failed).
* An owned one: ResourceCreated True ("DynamoGraphDeployment created successfully"), then syncStatus:
  ``status.state`` alone gives the phase (successful -> Running, initializing and deploying ->
  Deploying, failed -> Failed, pending and anything else -> Pending), ``status.message`` the
  message (Running without one: "DynamoGraphDeployment created, pods are ready"), replicas from
  ``status.services`` (replicas, readyReplicas else availableReplicas), the endpoint
  ``status.endpoint`` else NAME-frontend port 8000. A phase neither Running nor Failed becomes
  Deploying, "DynamoGraphDeployment created, waiting for pods to be ready"; the Ready condition
  follows the phase (airunway_kaito._ready_condition: the same syncStatus branches), DeploymentFailed
  with the translator's message. Dynamo's operator writes neither ``status.message`` nor
  ``status.endpoint`` (ai-dynamo/dynamo deploy/operator/api/v1alpha1/dynamographdeployment_types.go
  DynamoGraphDeploymentStatus: observedGeneration, state, conditions, services, restart,
  checkpoints, rollingUpdate): a failed graph leaves the ModelDeployment's message as it was and
  Ready's message empty, and the endpoint is always NAME-frontend port 8000.
* Failed here is not final upstream: Reconcile ends with RequeueAfter RequeueInterval (30 s) and
  SetupWithManager watches DynamoGraphDeployments (owner reference, else the
  ``airunway.ai/model-deployment`` label), so when Dynamo's operator retries and writes another
  state the phase follows it (ModelDeploymentController watches the kind and reconciles the owner).

The graph itself: airunway_dynamo_graph.py (ai-runway/airunway providers/dynamo/transformer.go
Transform), created or updated in airunway.py (providers/dynamo/controller.go createOrUpdateResource,
with the update's transient 409). Dynamo's operator is not simulated: a
test writes the graph's status as it would.
"""

from __future__ import annotations

from typing import Any

from tests.emulators.kube.controllers.kaito_common import _cond

# providers/dynamo/status.go mapStateToPhase.
STATE_PHASES = {
    "successful": "Running",
    "initializing": "Deploying",
    "deploying": "Deploying",
    "failed": "Failed",
    "pending": "Pending",
}


def _int(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _replicas(status: dict[str, Any]) -> dict[str, int]:
    """extractReplicas: the services' counts summed; a service without readyReplicas counts its
    availableReplicas (a PodCliqueScalingGroup's), and the other way round."""
    desired = ready = available = 0
    for svc in (status.get("services") or {}).values():
        if not isinstance(svc, dict):
            continue
        desired += _int(svc.get("replicas")) or 0
        has_ready, has_available = _int(svc.get("readyReplicas")), _int(svc.get("availableReplicas"))
        ready += has_ready if has_ready is not None else (has_available or 0)
        available += has_available if has_available is not None else (has_ready or 0)
    return {"desired": desired, "ready": ready, "available": available}


def graph_status(md: dict[str, Any], dgd: dict[str, Any]) -> dict[str, Any]:
    """TranslateStatus and syncStatus of an owned DynamoGraphDeployment, then Reconcile's Deploying
    default: the ModelDeployment's status fields (airunway.py adds the conditions)."""
    name = md["metadata"]["name"]
    status = dgd.get("status") or {}
    phase = STATE_PHASES.get(str(status.get("state") or ""), "Pending") if status.get("state") else "Pending"
    # An empty message leaves the one there (syncStatus sets it only when the translator has one).
    message = str(status.get("message") or (md.get("status") or {}).get("message") or "")
    if not status.get("message") and phase == "Running":
        message = "DynamoGraphDeployment created, pods are ready"
    if phase not in ("Running", "Failed"):
        phase, message = "Deploying", "DynamoGraphDeployment created, waiting for pods to be ready"
    endpoint = status.get("endpoint") or {}
    out: dict[str, Any] = {
        "phase": phase,
        "message": message,
        # The Ready condition's DeploymentFailed message: the translator's, empty without status.message.
        "translated": str(status.get("message") or ""),
        "provider": {"name": "dynamo", "resourceKind": "DynamoGraphDeployment", "resourceName": name},
        # TranslateStatus returns no replicas and no endpoint for a graph without a status (nil, left out).
        "replicas": None,
        "endpoint": None,
    }
    if status:
        out["replicas"] = _replicas(status)
        out["endpoint"] = {
            "service": str(endpoint.get("service") or f"{dgd['metadata']['name']}-frontend"),
            "port": _int(endpoint.get("port")) or 8000,
        }
    return out


def created() -> dict[str, Any]:
    """Reconcile's ResourceCreated True once createOrUpdateResource succeeded."""
    return _cond("ResourceCreated", True, "ResourceCreated", "DynamoGraphDeployment created successfully")
