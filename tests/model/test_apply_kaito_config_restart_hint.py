"""`apply -f` of a KAITO model's manifests whose inference config changed says that the running
pods keep the old config, and the command that restarts them.

The README's GitOps line (`model deploy --dry-run=client > phi-4.yaml`, then `apply -f`) changed
the ConfigMap and printed `configmap/... configured`, but KAITO rolls a Workspace's pods only
when the Workspace's own spec changes, never for the ConfigMap's data (kaito-project/kaito v0.12.0
pkg/workspace/controllers/workspace_controller.go, ComputeHash and applyInference), so the model
went on serving the old --max-model-len with no word about it. `model deploy` restarts them
(model/kaito_restart.py); `apply -f`, like kubectl apply, restarts nothing, and now says so."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from tests.cli import invoke

Start = Callable[..., Any]
RESTART = "kubectl rollout restart statefulset/phi-4 -n default"


def _manifests(tmp_path: Path, context: str) -> Path:
    rendered = invoke("model", "deploy", "phi-4", "--max-model-len", context, "--dry-run=client")
    assert rendered.exit_code == 0, rendered
    path = tmp_path / f"phi-4-{context}.yaml"
    path.write_text(rendered.stdout)
    return path


def test_applying_a_changed_inference_config_names_the_restart_it_needs(model_emulator: Start, tmp_path: Path) -> None:
    model_emulator()
    first = invoke("model", "deploy", "phi-4", "--max-model-len", "4096", "-y", "--wait", "--timeout", "1m")
    assert first.exit_code == 0, first
    result = invoke("apply", "-f", str(_manifests(tmp_path, "8192")), "-y")
    assert result.exit_code == 0, result
    assert "configmap/phi-4-inference-config configured" in result.stdout
    assert RESTART in result.stderr


def test_applying_the_same_inference_config_asks_for_no_restart(model_emulator: Start, tmp_path: Path) -> None:
    model_emulator()
    first = invoke("model", "deploy", "phi-4", "--max-model-len", "4096", "-y", "--wait", "--timeout", "1m")
    assert first.exit_code == 0, first
    result = invoke("apply", "-f", str(_manifests(tmp_path, "4096")), "-y")
    assert result.exit_code == 0, result
    assert "rollout restart" not in result.stderr


def test_applying_a_changed_inference_config_alone_names_the_restart_of_the_workspace_using_it(
    model_emulator: Start, tmp_path: Path
) -> None:
    # The ConfigMap without its Workspace: the Workspace in the cluster whose inference.config names
    # it (kaito-project/kaito v0.12.0 api/v1beta1/workspace_types.go InferenceSpec.Config) is found.
    model_emulator()
    first = invoke("model", "deploy", "phi-4", "--max-model-len", "4096", "-y", "--wait", "--timeout", "1m")
    assert first.exit_code == 0, first
    docs = _manifests(tmp_path, "8192").read_text().split("\n---\n")
    [config] = [doc for doc in docs if "kind: ConfigMap" in doc]
    alone = tmp_path / "config.yaml"
    alone.write_text(config)
    result = invoke("apply", "-f", str(alone), "-y")
    assert result.exit_code == 0, result
    assert "configmap/phi-4-inference-config configured" in result.stdout
    assert RESTART in result.stderr
    assert "workspace.kaito.sh/phi-4 keeps serving" in result.stderr
