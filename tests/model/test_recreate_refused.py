"""Nothing is deleted on the way to a create the server would refuse (audit 15,
docs/changes/audit15-recreate-precheck.md). `--recreate` and the replacement of a server a deploy
no longer renders ask the server first, with a dry-run create of each object they make again: it
answers 409 AlreadyExists only after defaulting, the schema and every webhook took the object
(upstream: kubernetes/apiserver 24a394e5 pkg/registry/generic/registry/store.go Store.create;
pkg/registry/generic/registry/dryrun.go), so any other answer is what the create would meet."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from tests.cli import invoke

KAITO = "kaito.sh/v1beta1"
H100 = "Standard_NC40ads_H100_v5"
Start = Callable[..., Any]
# What KAITO's webhook says, as the API server wraps it (kaito-project/kaito v0.12.0
# api/v1beta1/workspace_validation.go; kubernetes/apiserver pkg/admission/plugin/webhook/errors/
# statuserror.go ToStatusErr).
DENIAL = (
    'admission webhook "validation.workspace.kaito.sh" denied the request: validation failed: '
    "invalid value: Unsupported inference preset name phi-4: inference.presetName"
)


def _uid(emu: Any, kind: str = "Workspace") -> str | None:
    obj = emu.cluster.get(KAITO, kind, "default", "phi-4")
    return None if obj is None else str(obj["metadata"]["uid"])


def _webhook_refuses_new_workspaces(emu: Any) -> None:
    """KAITO's webhook refuses the new Workspace: every dry run of one meets the denial (the
    pre-check's create, or the apply's plan after a deletion)."""
    emu.faults.add(path="/workspaces", dry_run=True, status=400, message=DENIAL, count=None)


def test_a_recreate_the_webhook_refuses_deletes_nothing_and_says_why(model_emulator: Start) -> None:
    emu = model_emulator()
    assert invoke("model", "deploy", "phi-4", "-y").exit_code == 0
    old = _uid(emu)
    _webhook_refuses_new_workspaces(emu)
    result = invoke("model", "deploy", "phi-4", "--vm-size", H100, "--recreate", "-y")
    assert result.exit_code == 2, result  # docs/exit-codes.md: the server refused the value
    errors = [line for line in result.stderr.splitlines() if line.startswith("error:")]
    assert len(errors) == 1, result.stderr
    assert "workspace.kaito.sh/phi-4 would be refused when created again, so nothing was deleted" in errors[0]
    assert "Unsupported inference preset name" in errors[0]
    assert "deleted" not in result.stdout
    assert _uid(emu) == old
    assert not [r for r in emu.request_log if r.method == "DELETE"]


def test_a_replacement_the_webhook_refuses_keeps_the_old_server(model_emulator: Start) -> None:
    emu = model_emulator()
    assert invoke("model", "deploy", "phi-4", "--autoscale", "1:2", "-y").exit_code == 0
    old = _uid(emu, "InferenceSet")
    _webhook_refuses_new_workspaces(emu)
    result = invoke("model", "deploy", "phi-4", "-y")  # a Workspace replaces the InferenceSet
    assert result.exit_code == 2, result
    assert "workspace.kaito.sh/phi-4 would be refused when created again, so nothing was deleted" in result.stderr
    assert _uid(emu, "InferenceSet") == old
    assert not [r for r in emu.request_log if r.method == "DELETE"]


def test_a_recreate_asks_the_server_once_per_object_it_makes_again(model_emulator: Start) -> None:
    emu = model_emulator()
    assert invoke("model", "deploy", "phi-4", "-y").exit_code == 0
    assert not [r for r in emu.request_log if r.method == "POST" and "dryRun" in r.query]
    result = invoke("model", "deploy", "phi-4", "--vm-size", H100, "--recreate", "-y")
    assert result.exit_code == 0, result
    asked = [r for r in emu.request_log if r.method == "POST" and "dryRun" in r.query]
    assert [(r.path, r.status) for r in asked] == [("/apis/kaito.sh/v1beta1/namespaces/default/workspaces", 409)]
    assert emu.cluster.get(KAITO, "Workspace", "default", "phi-4")["resource"]["instanceType"] == H100


def test_a_quota_that_counts_the_old_object_does_not_stop_a_recreate(model_emulator: Start) -> None:
    # The ResourceQuota plugin checks a dry run against a usage that still counts the object
    # about to be deleted (kubernetes/apiserver pkg/admission/plugin/resourcequota/controller.go
    # checkRequest): its "exceeded quota" is no proof; the create after the deletion meets it.
    emu = model_emulator()
    assert invoke("model", "deploy", "phi-4", "-y").exit_code == 0
    quota = (
        'workspaces.kaito.sh "phi-4" is forbidden: exceeded quota: models, requested: '
        "count/workspaces.kaito.sh=1, used: count/workspaces.kaito.sh=1, limited: count/workspaces.kaito.sh=1"
    )
    emu.faults.add(verb="POST", path="/workspaces", dry_run=True, status=403, message=quota)
    result = invoke("model", "deploy", "phi-4", "--vm-size", H100, "--recreate", "-y")
    assert result.exit_code == 0, result
    assert "workspace.kaito.sh/phi-4: not checked against quota, which still counts the old object" in result.stderr
    assert emu.cluster.get(KAITO, "Workspace", "default", "phi-4")["resource"]["instanceType"] == H100


def test_a_runtime_switch_the_server_refuses_keeps_the_old_workspace(model_emulator: Start) -> None:
    # A new AI Runway ModelDeployment replaces the Workspace: it is what the server is asked about
    # (not in the latest revision), whatever its kind. The refusal as the API server words a
    # schema's (kubernetes/apiserver pkg/registry/generic/registry/store.go, BeforeCreate).
    from tests.model.conftest import AIRUNWAY_CRDS

    emu = model_emulator(crds=AIRUNWAY_CRDS)
    assert invoke("model", "deploy", "phi-4", "-y").exit_code == 0
    old = _uid(emu)
    invalid = 'ModelDeployment.airunway.ai "phi-4" is invalid: spec.model.id: Required value'
    emu.faults.add(path="/modeldeployments", dry_run=True, status=422, message=invalid, count=None)
    result = invoke("model", "deploy", "phi-4", "--runtime", "airunway", "-y")
    assert result.exit_code == 2, result
    said = "modeldeployment.airunway.ai/phi-4 would be refused when created again, so nothing was deleted"
    assert said in result.stderr
    assert _uid(emu) == old


def test_kaito_replacing_a_vllm_server_is_not_refused_for_the_configmap_its_own_apply_creates(
    model_emulator: Start,
) -> None:
    # KAITO's webhook refuses a Workspace whose inference ConfigMap is not stored (kaito-project/kaito
    # v0.12.0 api/v1beta1/inference_config_validation.go validateInferenceConfig), and the check
    # before the Deployment's deletion cannot store it: it asks without the reference and says so.
    emu = model_emulator()
    assert invoke("model", "deploy", "phi-4", "--runtime", "vllm", "-y").exit_code == 0
    result = invoke("model", "deploy", "phi-4", "-y")
    assert result.exit_code == 0, result
    assert emu.cluster.get(KAITO, "Workspace", "default", "phi-4") is not None
    assert emu.cluster.get("apps/v1", "Deployment", "default", "phi-4") is None
    said = "warning: workspace.kaito.sh/phi-4: KAITO checks its inference.config once configmap/phi-4-inference-config"
    assert said in result.stderr


def test_kaito_replacing_a_vllm_server_that_the_webhook_refuses_keeps_the_deployment(model_emulator: Start) -> None:
    emu = model_emulator()
    assert invoke("model", "deploy", "phi-4", "--runtime", "vllm", "-y").exit_code == 0
    _webhook_refuses_new_workspaces(emu)
    result = invoke("model", "deploy", "phi-4", "-y")
    assert result.exit_code == 2, result
    assert "workspace.kaito.sh/phi-4 would be refused when created again, so nothing was deleted" in result.stderr
    assert emu.cluster.get("apps/v1", "Deployment", "default", "phi-4") is not None
    assert not [r for r in emu.request_log if r.method == "DELETE"]
