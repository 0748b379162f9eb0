"""What AI Runway's kaito provider retries, and what ends `model deploy --wait`
(readiness/airunway_kaito.py; ai-runway/airunway v0.7.0 providers/kaito/controller.go Reconcile and
syncStatus, providers/kaito/status.go TranslateStatus, providers/kaito/upstream_health.go).

* KAITO's workspace controller unhealthy (the provider's probe): Ready False CRDMissing,
  UpstreamControllerMissing, UpstreamControllerNotReady or ProbeFailed, phase as it was, requeued
  every 30 s: waited on, whatever the phase.
* Failed from syncStatus with a message: WorkspaceSucceeded False of a KAITO that writes no
  status.state (before v0.9.0: kaito-project/kaito v0.8.1 workspace_controller.go addOrUpdateWorkspace
  returns the step's error and is reconciled again): waited on.
* Failed from syncStatus with no message: the Workspace's state Failed, which KAITO writes only for a
  failed tuning Job (kaito-project/kaito v0.12.0 applyTuningWorkspaceStatus): ends the wait.
* CreateFailed (no requeue): still ends the wait.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from akscli.kube import readiness
from tests.cli import invoke

from ._airunway import model_until
from ._queue import gpu_nodes
from .conftest import AIRUNWAY_CRDS

Start = Callable[..., Any]

MD = "airunway.ai/v1alpha1"
MISSING = (
    "The KAITO workspace controller is not running. Install it with `helm install kaito-workspace "
    "kaito/workspace` (check the kaito-workspace namespace), or via the AKS AI toolchain operator add-on "
    "`az aks update --enable-ai-toolchain-operator ...` (check the kube-system namespace)."
)
# KAITO v0.8.1 applyInference's error as WorkspaceSucceeded's message (workspaceFailed).
KAITO_ERROR = 'failed to create inference deployment: pods "phi-4-0" is forbidden: exceeded quota'


def _cond(kind: str, status: str, reason: str, message: str = "", generation: int = 1) -> dict[str, Any]:
    return {"type": kind, "status": status, "reason": reason, "message": message, "observedGeneration": generation}


def _model(phase: str, *conditions: dict[str, Any], message: str = "", generation: int = 1) -> dict[str, Any]:
    return {
        "apiVersion": MD,
        "kind": "ModelDeployment",
        "metadata": {"name": "phi-4", "namespace": "default", "uid": "u1", "generation": generation},
        "spec": {"provider": {"name": "kaito"}},
        "status": {
            "phase": phase,
            "message": message,
            "observedGeneration": generation,
            "provider": {"name": "kaito"},
            "conditions": list(conditions),
        },
    }


COMPATIBLE = _cond("ProviderCompatible", "True", "CompatibilityVerified", "Configuration compatible with KAITO")


def test_a_pending_model_whose_kaito_controller_is_missing_is_waited_on_and_says_so() -> None:
    verdict = readiness.check_with_members(
        _model("Pending", COMPATIBLE, _cond("Ready", "False", "UpstreamControllerMissing", MISSING)), []
    )
    assert not verdict.ready and not verdict.failed
    assert verdict.message.startswith("phase=Pending (Ready: UpstreamControllerMissing): The KAITO workspace")
    assert verdict.message.endswith("checks again every 30 s")
    assert "az aks update --enable-ai-toolchain-operator" in verdict.fix


def test_a_failed_model_whose_kaito_probe_fails_is_waited_on_not_ended() -> None:
    """The probe leaves the phase alone: a Failed phase from before is not what happens now."""
    created = _cond("ResourceCreated", "False", "CreateFailed", "webhook unavailable")
    verdict = readiness.check(
        _model("Failed", COMPATIBLE, created, _cond("Ready", "False", "UpstreamControllerNotReady", "no replica"))
    )
    assert not verdict.failed and verdict.reason == "UpstreamControllerNotReady"


def test_a_running_model_whose_change_waits_on_the_kaito_probe_is_not_ready() -> None:
    """Nothing of generation 2 is applied while the probe fails: the Running phase is the old spec's."""
    model = _model(
        "Running",
        _cond("ProviderCompatible", "True", "CompatibilityVerified", generation=2),
        _cond("Ready", "False", "CRDMissing", "KAITO Workspace CRD not found. Install KAITO.", generation=2),
        generation=2,
    )
    verdict = readiness.check(model)
    assert not verdict.ready and not verdict.failed
    assert verdict.message.startswith("phase=Running (Ready: CRDMissing): KAITO Workspace CRD not found.")


def test_a_workspace_failure_kaito_retries_is_waited_on() -> None:
    failed = _cond("Ready", "False", "DeploymentFailed", KAITO_ERROR)
    verdict = readiness.check_with_members(_model("Failed", COMPATIBLE, failed, message=KAITO_ERROR), [])
    assert not verdict.ready and not verdict.failed
    assert verdict.message == (
        f"phase=Failed (Ready: DeploymentFailed): {KAITO_ERROR}; KAITO retries a Workspace whose step failed "
        "and AI Runway's kaito provider follows it every 30 s"
    )


def test_a_workspace_kaito_reports_failed_ends_the_wait_naming_it() -> None:
    """state Failed: the translator's message is empty, so Ready's is and the phase's stays the old one."""
    failed = _cond("Ready", "False", "DeploymentFailed", "")
    verdict = readiness.check_with_members(
        _model("Failed", COMPATIBLE, failed, message="Workspace created, waiting for pods to be ready"), []
    )
    assert verdict.failed and verdict.reason == "DeploymentFailed"
    assert "KAITO reports workspace/phi-4 Failed" in verdict.message
    assert verdict.fix.startswith("see why (kubectl describe workspace phi-4)")


def test_a_kaito_models_create_failed_still_ends_the_wait() -> None:
    created = _cond("ResourceCreated", "False", "CreateFailed", "admission webhook denied the request")
    verdict = readiness.check(_model("Failed", COMPATIBLE, created, message="Failed to create Workspace: x"))
    assert verdict.failed and verdict.reason == "CreateFailed"


def test_a_vllm_models_deployment_failed_with_a_message_still_ends_the_wait() -> None:
    """The rule is the kaito provider's: vllm's ProgressDeadlineExceeded (its message as
    kubernetes/kubernetes pkg/controller/deployment/progress.go writes it) ends the wait."""
    deadline = 'ReplicaSet "phi-4-5d8f7" has timed out progressing.'
    model = _model("Failed", _cond("Ready", "False", "DeploymentFailed", deadline))
    model["spec"]["provider"]["name"] = model["status"]["provider"]["name"] = "vllm"
    assert readiness.check(model).failed


def _kaito_controller(replicas: int) -> dict[str, Any]:
    """KAITO's workspace controller Deployment as its Helm chart labels it (kaito-project/kaito
    charts/kaito/workspace/templates/_helpers.tpl selectorLabels), which the provider's probe lists."""
    labels = {"app.kubernetes.io/name": "workspace"}
    return {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": {"name": "kaito-workspace", "namespace": "kube-system", "labels": labels},
        "spec": {
            "replicas": replicas,
            "selector": {"matchLabels": labels},
            "template": {
                "metadata": {"labels": labels},
                "spec": {"containers": [{"name": "manager", "image": "mcr.microsoft.com/aks/kaito/workspace"}]},
            },
        },
    }


def test_the_emulators_kaito_provider_waits_for_kaitos_controller_and_the_wait_runs_out_not_fails(
    model_emulator: Start,
) -> None:
    emu = model_emulator(crds=AIRUNWAY_CRDS)
    gpu_nodes(emu, 1)
    emu.cluster.create(_kaito_controller(0))
    result = invoke(
        "model", "deploy", "phi-4", "--runtime", "airunway", "--provider", "kaito", "--wait", "--timeout", "2s", "-y"
    )
    assert result.exit_code == 5, result  # the wait ran out (docs/exit-codes.md), not 10
    assert "phase=Pending (Ready: UpstreamControllerNotReady): The KAITO workspace controller Deployment " in (
        result.stderr
    )
    md = emu.cluster.get(MD, "ModelDeployment", "default", "phi-4")
    assert emu.cluster.get("kaito.sh/v1beta1", "Workspace", "default", "phi-4") is None  # nothing applied
    assert [(c["type"], c["status"], c["reason"]) for c in md["status"]["conditions"]] == [
        ("Validated", "True", "ValidationPassed"),
        ("EngineSelected", "True", "ExplicitSelection"),
        ("ProviderSelected", "True", "ExplicitSelection"),
        ("ProviderCompatible", "True", "CompatibilityVerified"),
        ("Ready", "False", "UpstreamControllerNotReady"),
    ]
    assert md["status"]["provider"]["selectedReason"] == "explicit provider selection"
    emu.cluster.patch("apps/v1", "Deployment", "kube-system", "kaito-workspace", {"spec": {"replicas": 1}})
    md = model_until(emu, lambda md: (md.get("status") or {}).get("phase") == "Running")
    ready = {c["type"]: c for c in md["status"]["conditions"]}["Ready"]
    assert (ready["status"], ready["reason"]) == ("True", "DeploymentReady")
