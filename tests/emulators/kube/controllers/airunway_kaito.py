"""AI Runway's KAITO provider, the parts that read no cluster (and update_workspace, their one
patch): how it merges the Workspace it wants into the one there (mergeManagedMap,
mergeManagedStringMap and the last-applied annotation, so a field another writer set survives and
one akscli dropped goes), and how it reads a Workspace's status into the ModelDeployment's phase
and Ready condition (TranslateStatus, syncStatus).
upstream: ai-runway/airunway v0.7.0 providers/kaito/controller.go, providers/kaito/status.go.
"""

from __future__ import annotations

import copy
import json
from typing import Any

from tests.emulators.kube.controllers.airunway_providers import PROVIDER
from tests.emulators.kube.controllers.kaito import _cond

# lastAppliedWorkspaceAnnotation (ai-runway/airunway v0.7.0 providers/kaito/controller.go).
LAST_APPLIED = "airunway.ai/kaito-last-applied"


# mapStateToPhase in providers/kaito/status.go: KAITO 0.10.0+ status.state.
_STATE_PHASES = {
    "Ready": "Running",
    "Succeeded": "Running",
    "NotReady": "Deploying",
    "Running": "Deploying",
    "Failed": "Failed",
    "Pending": "Pending",
}


def _merge_managed(
    existing: dict[str, Any], desired: dict[str, Any], last: dict[str, Any] | None, path: list[str]
) -> dict[str, Any]:
    """mergeManagedMap (ai-runway/airunway v0.7.0 providers/kaito/controller.go): desired values win,
    maps merge key by key, and a key the desired map lacks goes where the last-applied map had it
    (or, with no record, under resource.labelSelector: treatsUnknownExtraAsManaged)."""
    merged = copy.deepcopy(existing)
    for key, value in desired.items():
        if isinstance(value, dict) and isinstance(merged.get(key), dict):
            sub = (last or {}).get(key) if isinstance((last or {}).get(key), dict) else None
            merged[key] = _merge_managed(merged[key], value, sub, [*path, key])
        else:
            merged[key] = copy.deepcopy(value)
    for key in [k for k in merged if k not in desired]:
        if (last is not None and key in last) or (
            last is None and path in (["resource", "labelSelector"], ["resource", "labelSelector", "matchLabels"])
        ):
            del merged[key]
    return merged


def _merge_strings(existing: dict[str, Any], desired: dict[str, Any], last: Any) -> dict[str, Any]:
    """mergeManagedStringMap (ai-runway/airunway v0.7.0 providers/kaito/controller.go): desired
    values win, and a key the desired map lacks goes only where the last-applied map had it."""
    merged = {**existing, **desired}
    gone = set(last) - set(desired) if isinstance(last, dict) else set()
    return {k: v for k, v in merged.items() if k not in gone}


def _managed(annotations: dict[str, Any]) -> dict[str, Any]:
    """managedAnnotations (ai-runway/airunway v0.7.0 providers/kaito/controller.go): all but the
    last-applied one."""
    return {k: v for k, v in annotations.items() if k != LAST_APPLIED}


def _merge_patch(old: Any, new: Any) -> Any:
    """The JSON merge patch from ``old`` to ``new`` (client.MergeFrom): removed keys as null."""
    if not isinstance(old, dict) or not isinstance(new, dict):
        return new
    out = {k: _merge_patch(old.get(k), v) for k, v in new.items() if old.get(k) != v}
    out.update({k: None for k in old if k not in new})
    return out


def _phase(ws: dict[str, Any]) -> tuple[str, str]:
    """The phase and message of a ModelDeployment whose Workspace exists (syncStatus and
    Reconcile in providers/kaito/controller.go): the translated phase, where neither Running nor
    Failed is Deploying, "Workspace created, waiting for pods to be ready"."""
    phase, message = _translate(ws)
    if phase == "Running":
        return phase, message or "Workspace created, pods are ready"
    if phase == "Failed":
        return phase, message
    return "Deploying", "Workspace created, waiting for pods to be ready"


def _ready_condition(phase: str, message: str) -> dict[str, Any]:
    """The Ready condition syncStatus sets for the phase (providers/kaito/controller.go)."""
    if phase == "Running":
        return _cond("Ready", True, "DeploymentReady", "All replicas are ready")
    if phase == "Failed":
        return _cond("Ready", False, "DeploymentFailed", message)
    return _cond("Ready", False, "DeploymentInProgress", "Deployment is in progress")


def replicas(ws: dict[str, Any]) -> dict[str, int]:
    """extractReplicas (ai-runway/airunway v0.7.0 providers/kaito/status.go): desired is the
    Workspace's resource.count (GPU nodes asked of KAITO for its one server, not servers), and ready
    and available are all of it once status.state is Ready or Succeeded or WorkspaceSucceeded is
    True, else none (0, as an unset int32)."""
    count = (ws.get("resource") or {}).get("count")
    desired = int(count) if isinstance(count, int) else 0
    status = ws.get("status") or {}
    conds = {c.get("type"): c for c in status.get("conditions") or []}
    done = (
        status.get("state") in ("Ready", "Succeeded") or (conds.get("WorkspaceSucceeded") or {}).get("status") == "True"
    )
    return {"desired": desired, "ready": desired if done else 0, "available": desired if done else 0}


def _translate(ws: dict[str, Any]) -> tuple[str, str]:
    """TranslateStatus in providers/kaito/status.go: status.state first, then the conditions."""
    status = ws.get("status") or {}
    if status.get("state"):
        state = str(status["state"])
        message = "fine-tuning in progress" if state == "Running" else ""
        return _STATE_PHASES.get(state, "Pending"), message if state in _STATE_PHASES else f"unknown state: {state}"
    conds = {c.get("type"): c for c in status.get("conditions") or []}
    succeeded = conds.get("WorkspaceSucceeded") or {}
    if succeeded.get("status") == "True":
        return "Running", ""
    if succeeded.get("status") == "False":
        return "Failed", str(succeeded.get("message") or "")
    if (conds.get("ResourceReady") or {}).get("status") == "True":
        return "Deploying", ""
    return "Pending", ""


def update_workspace(cluster: Any, live: dict[str, Any], body: dict[str, Any]) -> dict[str, Any]:
    """createOrUpdateResource's update (ai-runway/airunway v0.7.0 providers/kaito/controller.go
    updateManagedWorkspaceFields, mergeManagedTopLevelMap, mergeManagedMap): the Workspace's
    resource and inference take the desired values, and lose the keys the provider wrote last
    time (its last-applied annotation) but writes no more; a merge patch, which KAITO's webhook
    may refuse (an immutable field: the ModelDeployment then fails, "Failed to create Workspace").
    Labels and annotations the same way, one level deep (mergeManagedMetadata,
    mergeManagedStringMap), with the new last-applied annotation; desiredMetadataMatches
    patches when only they or that annotation differ."""
    try:
        last = json.loads(((live["metadata"].get("annotations") or {}).get(LAST_APPLIED)) or "null")
    except ValueError:
        last = None
    updated = copy.deepcopy(live)
    for field in ("resource", "inference"):
        lastf = (last or {}).get(field) if isinstance(last, dict) else None
        if field in body:
            updated[field] = _merge_managed(live.get(field) or {}, body[field], lastf, [field])
        elif lastf is not None:
            updated.pop(field, None)
    md, want = live["metadata"], body["metadata"]
    last_meta = last if isinstance(last, dict) else {}
    labels = _merge_strings(md.get("labels") or {}, want["labels"], last_meta.get("labels"))
    annotations = _merge_strings(
        _managed(md.get("annotations") or {}), _managed(want["annotations"]), last_meta.get("annotations")
    )
    annotations[LAST_APPLIED] = want["annotations"][LAST_APPLIED]
    metadata = {"labels": labels, "annotations": annotations}
    if all(updated.get(f) == live.get(f) for f in ("resource", "inference")) and all(
        metadata[f] == (md.get(f) or {}) for f in metadata
    ):
        return dict(live)
    patch: dict[str, Any] = {f: _merge_patch(live.get(f), updated.get(f)) for f in ("resource", "inference")}
    patch["metadata"] = {f: _merge_patch(md.get(f) or {}, metadata[f]) for f in metadata}
    # the kaito provider binary's write (ai-runway/airunway providers/kaito; airunway_providers.PROVIDER:
    # /provider sets no user agent)
    return dict(cluster.patch("kaito.sh/v1beta1", "Workspace", md["namespace"], md["name"], patch, manager=PROVIDER))


# The kaito provider's pods (upstream: ai-runway/airunway v0.7.0 providers/kaito/config/manager/
# manager.yaml, Deployment airunway-kaito-provider): the emulator reads the provider's environment
# from its pod, where the provider's os.Getenv reads its own.
PROVIDER_PODS = "control-plane=kaito-provider,app.kubernetes.io/name=airunway"


def instance_type(cluster: Any, gpu: bool) -> str | None:
    """buildResource's instanceType (ai-runway/airunway v0.7.0 providers/kaito/transformer.go
    kaitoNodeAutoProvisioningEnabled, kaitoInstanceTypeForMD): only where
    AIRUNWAY_KAITO_NODE_AUTO_PROVISIONING is one of 1, t, true, y, yes, on, enabled (lower-cased,
    trimmed), then AIRUNWAY_KAITO_GPU_INSTANCE_TYPE for a GPU ModelDeployment, else
    AIRUNWAY_KAITO_CPU_INSTANCE_TYPE, trimmed; None where that is empty or no provider pod is found."""
    for pod in cluster.list("v1", "Pod", None, label_selector=PROVIDER_PODS):
        env = {
            str(e.get("name")): str(e.get("value") or "") for c in pod["spec"]["containers"] for e in c.get("env") or []
        }
        on = env.get("AIRUNWAY_KAITO_NODE_AUTO_PROVISIONING", "").strip().lower()
        if on not in ("1", "t", "true", "y", "yes", "on", "enabled"):
            return None
        key = "AIRUNWAY_KAITO_GPU_INSTANCE_TYPE" if gpu else "AIRUNWAY_KAITO_CPU_INSTANCE_TYPE"
        return env.get(key, "").strip() or None
    return None
