"""KAITO's webhook reads the inference ConfigMap a Workspace (or an InferenceSet's template) names,
and a server dry run stores no ConfigMap: the plan of a new KAITO model dry-runs the KAITO object
without the reference, says that KAITO checks it once the ConfigMap exists, and a refusal at apply
time removes what the apply created (upstream: kaito-project/kaito v0.12.0 0894eb2b
api/v1beta1/inference_config_validation.go validateInferenceConfig; workspace_validation.go
ValidateCreate; inferenceset_validation.go Validate; charts/kaito/workspace/templates/webhooks.yaml
sideEffects: None)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import yaml

from tests.cli import invoke
from tests.emulators.kube.controllers.kaito import KAITO

Start = Callable[..., Any]
CONFIG = "phi-4-inference-config"
NOTE = f"KAITO checks its inference.config once configmap/{CONFIG} exists"


def _manifest(tmp_path: Path, *flags: str) -> list[dict[str, Any]]:
    rendered = invoke("model", "deploy", "phi-4", *flags, "--dry-run=client")
    assert rendered.exit_code == 0, rendered
    return [d for d in yaml.safe_load_all(rendered.stdout) if d]


def _write(tmp_path: Path, docs: list[dict[str, Any]]) -> Path:
    path = tmp_path / "model.yaml"
    path.write_text(yaml.safe_dump_all(docs), encoding="utf-8")
    return path


def test_a_new_kaito_model_is_planned_and_deployed(model_emulator: Start) -> None:
    emu = model_emulator()
    result = invoke("model", "deploy", "phi-4", "-y")
    assert result.exit_code == 0, result
    assert NOTE in result.stderr
    assert emu.cluster.get(KAITO, "Workspace", "default", "phi-4")["inference"]["config"] == CONFIG


def test_the_server_dry_run_of_a_new_kaito_model_shows_the_plan_and_stores_nothing(model_emulator: Start) -> None:
    emu = model_emulator()
    result = invoke("model", "deploy", "phi-4", "--dry-run=server")
    assert result.exit_code == 0, result
    assert "workspace.kaito.sh/phi-4 (default): will be created" in result.stdout
    assert NOTE in result.stdout
    assert emu.cluster.get("v1", "ConfigMap", "default", CONFIG) is None
    assert emu.cluster.get(KAITO, "Workspace", "default", "phi-4") is None


def test_the_server_dry_run_answer_keeps_the_workspaces_configmap_reference(model_emulator: Start) -> None:
    model_emulator()
    result = invoke("model", "deploy", "phi-4", "--dry-run=server", "-o", "yaml")
    assert result.exit_code == 0, result
    docs = [d for d in yaml.safe_load_all(result.stdout) if d]
    (ws,) = [d for d in docs if d["kind"] == "Workspace"]
    assert ws["inference"]["config"] == CONFIG


def test_a_new_inferenceset_is_planned_although_kaito_checks_the_workspace_it_would_make(
    model_emulator: Start,
) -> None:
    model_emulator()
    result = invoke("model", "deploy", "phi-4", "--replicas", "2", "--dry-run=server")
    assert result.exit_code == 0, result
    assert f"KAITO checks its spec.template.inference.config once configmap/{CONFIG} exists" in result.stdout


def test_a_redeploy_dry_runs_the_workspace_against_its_stored_configmap(model_emulator: Start) -> None:
    model_emulator()
    assert invoke("model", "deploy", "phi-4", "-y").exit_code == 0
    result = invoke("model", "deploy", "phi-4", "--dry-run=server")
    assert result.exit_code == 0, result
    assert "KAITO checks" not in result.stdout


def test_apply_f_of_a_file_holding_the_configmap_and_the_workspace_applies_both(
    model_emulator: Start, tmp_path: Path
) -> None:
    emu = model_emulator()
    path = _write(tmp_path, _manifest(tmp_path))
    result = invoke("apply", "-f", str(path), "-y")
    assert result.exit_code == 0, result
    assert emu.cluster.get(KAITO, "Workspace", "default", "phi-4") is not None


def test_a_workspace_naming_a_configmap_nobody_sends_is_refused_by_the_plan(
    model_emulator: Start, tmp_path: Path
) -> None:
    model_emulator()
    workspace_only = [d for d in _manifest(tmp_path) if d["kind"] == "Workspace"]
    result = invoke("apply", "-f", str(_write(tmp_path, workspace_only)), "--dry-run=server")
    assert result.exit_code != 0
    assert f"ConfigMap '{CONFIG}' specified in 'config' not found in namespace 'default'" in result.stderr


def test_a_set_kaito_refuses_at_apply_leaves_nothing_the_apply_created(model_emulator: Start, tmp_path: Path) -> None:
    # The ConfigMap lacks inference_config.yaml: KAITO refuses the InferenceSet once it exists.
    emu = model_emulator()
    docs = _manifest(tmp_path, "--replicas", "2")
    (config,) = [d for d in docs if d["kind"] == "ConfigMap"]
    config["data"] = {"other.yaml": config["data"]["inference_config.yaml"]}
    result = invoke("apply", "-f", str(_write(tmp_path, docs)), "-y")
    assert result.exit_code != 0
    # knative's ErrMissingField("inference_config.yaml in ConfigMap"), ViaField("spec", "template").
    assert "missing field(s): spec.template.inference_config.yaml in ConfigMap" in result.stderr
    assert f"Removed 1 this apply had created: configmap/{CONFIG}" in result.stderr
    assert emu.cluster.get("v1", "ConfigMap", "default", CONFIG) is None
    assert emu.cluster.get(KAITO, "InferenceSet", "default", "phi-4") is None
    # The set's Service comes after the set: it was never sent.
    assert emu.cluster.get("v1", "Service", "default", "phi-4") is None


def test_deleting_an_inferenceset_model_deletes_its_configmap_once_the_set_is_gone(model_emulator: Start) -> None:
    # KAITO's InferenceSet webhook reads the ConfigMap on the update that removes the set's
    # finalizer: deleted first, the ConfigMap would keep the set deleting for ever.
    emu = model_emulator()
    assert invoke("model", "deploy", "phi-4", "--replicas", "2", "-y").exit_code == 0
    result = invoke("model", "delete", "phi-4", "-y", "--timeout", "20s")
    assert result.exit_code == 0, result
    assert emu.cluster.get(KAITO, "InferenceSet", "default", "phi-4") is None
    assert emu.cluster.get("v1", "ConfigMap", "default", CONFIG) is None


def test_deleting_an_inferenceset_model_without_waiting_keeps_its_configmap_and_says_so(
    model_emulator: Start,
) -> None:
    emu = model_emulator()
    assert invoke("model", "deploy", "phi-4", "--replicas", "2", "-y").exit_code == 0
    result = invoke("model", "delete", "phi-4", "-y", "--no-wait")
    assert result.exit_code == 0, result
    assert f"configmap/{CONFIG} kept: KAITO needs it until the InferenceSet is gone" in result.stderr
    assert emu.cluster.get("v1", "ConfigMap", "default", CONFIG) is not None
