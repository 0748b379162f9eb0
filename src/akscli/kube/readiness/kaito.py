"""Readiness of KAITO kinds (kaito-project/kaito) and AI Runway ModelDeployments.

MINIMAL RULES, to be refined by the model issue (#12): they keep the checks akscli had before the
one wait rule. KAITO writes each condition's ``observedGeneration``
(pkg/workspace/controllers/workspace_controller.go); once the KAITO simulator does too, these
become ``Generation.CONDITIONS`` and AI Runway gets its own rule.
"""

from __future__ import annotations

from akscli.kube.readiness.core import ConditionRule, Generation, Rule, Terminal

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
}
