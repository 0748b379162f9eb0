"""Readiness of KAITO kinds (kaito-project/kaito) and AI Runway ModelDeployments.

MINIMAL RULES, to be refined by the model issue (#12): they keep the checks akscli had before the
one wait rule. KAITO writes each condition's ``observedGeneration``
(pkg/workspace/controllers/workspace_controller.go); once the KAITO simulator does too, these
become ``Generation.CONDITIONS`` and AI Runway gets its own rule.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from akscli.kube.readiness.core import ConditionRule, Generation, Readiness, Rule, Terminal, status_of


def model_deployment(obj: Mapping[str, Any]) -> Readiness:
    """AI Runway's phase (ai-runway/airunway controller/api/v1alpha1/modeldeployment_types.go:
    Pending, Deploying, Running, Failed, Terminating): Running is ready, Failed is terminal and
    its status.message says why (providers/kaito/status.go maps the Workspace's conditions)."""
    status = status_of(obj)
    phase = str(status.get("phase") or "Pending")
    message = str(status.get("message") or "")
    if phase == "Running":
        return Readiness(True)
    text = f"phase={phase}" + (f": {message}" if message else "")
    return Readiness(False, failed=phase == "Failed", message=text, reason=phase)


RULES: dict[tuple[str, str], Rule] = {
    ("kaito.sh", "Workspace"): ConditionRule(
        upstream="kaito-project/kaito pkg/workspace/controllers/workspace_controller.go",
        generation=Generation.NONE,
        ready=("ResourceReady", "InferenceReady", "WorkspaceSucceeded"),
        terminal=tuple(
            Terminal(c, reasons=("WorkspaceFailed", "InferenceFailed", "ResourceFailed"))
            for c in ("ResourceReady", "InferenceReady", "WorkspaceSucceeded")
        ),
    ),
    ("kaito.sh", "InferenceSet"): ConditionRule(
        upstream="kaito-project/kaito pkg/workspace/controllers/inferenceset/inferenceset_controller.go",
        generation=Generation.NONE,
        ready=("InferenceSetReady",),
    ),
    ("airunway.ai", "ModelDeployment"): model_deployment,
}
