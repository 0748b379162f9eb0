"""`model deploy --create-namespace --dry-run=server` into a namespace that does not exist yet.

The API server refuses every object, dry run or not, in a namespace that does not exist (upstream:
kubernetes/kubernetes staging/src/k8s.io/apiserver/pkg/admission/plugin/namespace/lifecycle/
admission.go Lifecycle.Admit, "refuse to operate on non-existent namespaces"). `apply -f` with the
Namespace in its manifest already dry-runs such objects under a stand-in namespace
(akscli.kube.apply.dry_run_create_elsewhere); the deploy used to refuse instead (exit 3), so a
user could not see what the server would say before creating the namespace for real."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from tests.cli import invoke

Start = Callable[..., Any]


def test_a_server_dry_run_into_a_namespace_to_be_created_plans_it_and_every_object(model_emulator: Start) -> None:
    model_emulator()
    result = invoke("model", "deploy", "phi-4", "-n", "team-b", "--create-namespace", "--dry-run=server")
    assert result.exit_code == 0, result
    lines = result.stdout.splitlines()
    assert lines[0] == "namespace/team-b (cluster): will be created"
    assert "configmap/phi-4-inference-config (team-b): will be created" in lines
    assert any(line.startswith("workspace.kaito.sh/phi-4 (team-b): will be created") for line in lines)


def test_a_server_dry_run_into_a_namespace_to_be_created_creates_nothing(model_emulator: Start) -> None:
    emu = model_emulator()
    result = invoke("model", "deploy", "phi-4", "-n", "team-b", "--create-namespace", "--dry-run=server")
    assert result.exit_code == 0, result
    assert emu.cluster.get("v1", "Namespace", None, "team-b") is None
    assert emu.cluster.get("v1", "ConfigMap", "team-b", "phi-4-inference-config") is None


def test_a_server_dry_run_into_a_namespace_to_be_created_asks_the_server_about_each_object(
    model_emulator: Start,
) -> None:
    emu = model_emulator()
    emu.request_log.clear()
    result = invoke("model", "deploy", "phi-4", "-n", "team-b", "--create-namespace", "--dry-run=server")
    assert result.exit_code == 0, result
    asked = [r.path for r in emu.request_log if r.method == "POST" and "dryRun" in r.query]
    assert any(p.endswith("/namespaces/default/configmaps") for p in asked), asked
    assert any(p.endswith("/namespaces/default/workspaces") for p in asked), asked
    assert not [r for r in emu.request_log if r.method in ("POST", "PATCH", "PUT") and "dryRun" not in r.query]


def test_a_server_dry_run_into_a_namespace_to_be_created_names_it_first_with_output_name(
    model_emulator: Start,
) -> None:
    model_emulator()
    result = invoke("model", "deploy", "phi-4", "-n", "team-b", "--create-namespace", "--dry-run=server", "-o", "name")
    assert result.exit_code == 0, result
    assert result.stdout.splitlines()[:2] == ["namespace/team-b", "configmap/phi-4-inference-config"]


def test_a_server_dry_run_into_a_missing_namespace_without_create_namespace_is_still_refused(
    model_emulator: Start,
) -> None:
    model_emulator()
    result = invoke("model", "deploy", "phi-4", "-n", "team-b", "--dry-run=server")
    assert result.exit_code == 3, result
    assert "namespace team-b does not exist" in result.stderr
    assert "--create-namespace" in result.stderr
