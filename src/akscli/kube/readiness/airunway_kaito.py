"""What AI Runway's kaito provider retries and what it does not, read from a ModelDeployment.

ai-runway/airunway v0.7.0 (f5fd48d1; unchanged at b0d3fb77) providers/kaito/controller.go Reconcile:

* After ProviderCompatible it probes KAITO's workspace controller (providers/kaito/upstream_health.go
  probeUpstreamController: the Workspace kind served, a Deployment labelled
  ``app.kubernetes.io/name`` ``workspace`` or ``ai-toolchain-operator`` with a ready replica). An
  unhealthy probe sets Ready False with the probe's reason (CRDMissing, UpstreamControllerMissing,
  UpstreamControllerNotReady, ProbeFailed), leaves the phase as it was and returns
  ``RequeueAfter: RequeueInterval`` (30 s): retried, whatever the phase says, and nothing of this
  generation is applied until it passes.
* syncStatus maps the Workspace (providers/kaito/status.go TranslateStatus): ``status.state``
  first, ``Failed`` -> Failed with no message (mapStateToPhase); without a state, WorkspaceSucceeded
  False -> Failed with that condition's message (mapConditionsToPhase). Ready is then False
  ``DeploymentFailed`` with that message, and Reconcile requeues every 30 s, so the phase follows
  the Workspace. KAITO writes a state from v0.9.0 on (kaito-project/kaito 9fa77e16, ``Failed`` only
  for a failed tuning Job: pkg/workspace/controllers/workspace_controller.go
  applyTuningWorkspaceStatus; an inference Workspace is Ready, NotReady or Pending,
  applyInferenceWorkspaceStatus), and a failed Job is not run again: final. Before v0.9.0 it wrote
  WorkspaceSucceeded False ``workspaceFailed`` with the error of a step that failed and returned
  that error (v0.8.1 workspace_controller.go addOrUpdateWorkspace), so controller-runtime
  reconciled the Workspace again: retried. The empty Ready message tells the two apart.

Final are the steps Reconcile returns on with ``ctrl.Result{}`` and no error (ProviderCompatible
IncompatibleConfiguration, ResourceCreated TransformFailed, CreateFailed, the owner's
ResourceConflict): kaito.py model_deployment's failed step.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from akscli.kube.operators import OPERATORS
from akscli.kube.readiness.core import Readiness

# providers/kaito/upstream_health.go: the Reason* constants of an unhealthy probe.
UNHEALTHY = ("CRDMissing", "UpstreamControllerMissing", "UpstreamControllerNotReady", "ProbeFailed")
# providers/kaito/controller.go syncStatus: Ready's reason for a Failed phase.
DEPLOYMENT_FAILED = "DeploymentFailed"


def kaito_provider(current: Mapping[str, Mapping[str, Any]], phase: str, message: str, name: str) -> Readiness | None:
    """The verdict where the kaito provider's own rules decide it (``current``: the conditions of
    this generation by type), else None."""
    ready = current.get("Ready") or {}
    if ready.get("status") != "False":
        return None
    reason = str(ready.get("reason") or "")
    why = str(ready.get("message") or "")
    if reason in UNHEALTHY:
        return Readiness(
            False,
            message=f"phase={phase} (Ready: {reason}): {why}; AI Runway's kaito provider applies nothing until "
            "KAITO's workspace controller is healthy and checks again every 30 s",
            reason=reason,
            fix="KAITO: " + OPERATORS["kaito.sh"].install + "; where it is installed, see why its controller has no "
            "ready replica (akscli doctor)",
        )
    if phase != "Failed" or reason != DEPLOYMENT_FAILED:
        return None
    if not why:
        return Readiness(
            False,
            True,
            f"phase=Failed (Ready: {DEPLOYMENT_FAILED}): KAITO reports workspace/{name} Failed, which it writes only "
            "for a tuning Job that failed and does not run again",
            DEPLOYMENT_FAILED,
            fix=f"see why (kubectl describe workspace {name}), fix it and deploy again",
        )
    return Readiness(
        False,
        message=f"phase=Failed (Ready: {DEPLOYMENT_FAILED}): {why}; KAITO retries a Workspace whose step failed "
        "and AI Runway's kaito provider follows it every 30 s",
        reason=DEPLOYMENT_FAILED,
    )
