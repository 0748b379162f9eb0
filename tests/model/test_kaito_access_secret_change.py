"""A changed --access-secret on a KAITO model needs the Workspace (or InferenceSet) made again:
KAITO's webhook refuses any change of a Workspace's preset, presetOptions.modelAccessSecret
included (upstream: kaito-project/kaito v0.12.0 api/v1beta1/workspace_validation.go,
InferenceSpec.validateUpdate), and an InferenceSet never passes its template on to the Workspaces
it already made (pkg/inferenceset/inferenceset_controller.go). akscli said neither: the apply
failed on the webhook's words, and --recreate did not recreate."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from tests.cli import invoke
from tests.emulators.kube.controllers.kaito import KAITO
from tests.emulators.kube.profiles import hf_token_secret

Start = Callable[..., Any]


def _deploy(*args: str) -> Any:
    return invoke("model", "deploy", "phi-4", "--max-model-len", "4096", *args, "-y")


def test_a_new_access_secret_asks_for_recreate(model_emulator: Start) -> None:
    emu = model_emulator()
    hf_token_secret(emu)
    assert _deploy().exit_code == 0
    result = _deploy("--access-secret", "hf-token")
    assert result.exit_code == 2, result
    assert "workspace.kaito.sh/phi-4 inference.preset.presetOptions: (none) -> " in result.stderr
    assert "add --recreate" in result.stderr
    ws = emu.cluster.get(KAITO, "Workspace", "default", "phi-4")
    assert "presetOptions" not in ws["inference"]["preset"]


def test_recreate_takes_the_new_access_secret(model_emulator: Start) -> None:
    emu = model_emulator()
    hf_token_secret(emu)
    assert _deploy().exit_code == 0
    result = _deploy("--access-secret", "hf-token", "--recreate")
    assert result.exit_code == 0, result
    ws = emu.cluster.get(KAITO, "Workspace", "default", "phi-4")
    assert ws["inference"]["preset"]["presetOptions"] == {"modelAccessSecret": "hf-token"}


def test_dropping_the_access_secret_asks_for_recreate(model_emulator: Start) -> None:
    emu = model_emulator()
    hf_token_secret(emu)
    assert _deploy("--access-secret", "hf-token").exit_code == 0
    result = _deploy()
    assert result.exit_code == 2, result
    assert 'inference.preset.presetOptions: {"modelAccessSecret": "hf-token"} -> (none)' in result.stderr


def test_the_same_access_secret_again_changes_nothing(model_emulator: Start) -> None:
    emu = model_emulator()
    hf_token_secret(emu)
    assert _deploy("--access-secret", "hf-token").exit_code == 0
    result = _deploy("--access-secret", "hf-token")
    assert result.exit_code == 0, result
    assert "no change since revision 1" in result.stderr


def test_an_inferenceset_with_a_new_access_secret_asks_for_recreate(model_emulator: Start) -> None:
    emu = model_emulator()
    hf_token_secret(emu)
    assert _deploy("--replicas", "2").exit_code == 0
    result = _deploy("--replicas", "2", "--access-secret", "hf-token")
    assert result.exit_code == 2, result
    assert "inferenceset.kaito.sh/phi-4 spec.template.inference.preset.presetOptions: (none) -> " in result.stderr


def test_an_airunway_model_on_kaito_with_a_new_access_secret_asks_for_recreate(model_emulator: Start) -> None:
    """AI Runway's kaito provider passes spec.provider.overrides on to the Workspace it made
    (ai-runway/airunway providers/kaito/controller.go, createOrUpdateResource), where KAITO's
    webhook refuses the change."""
    from tests.model.conftest import AIRUNWAY_CRDS

    emu = model_emulator(crds=AIRUNWAY_CRDS)
    hf_token_secret(emu)
    assert _deploy("--runtime", "airunway").exit_code == 0
    result = _deploy("--runtime", "airunway", "--access-secret", "hf-token")
    assert result.exit_code == 2, result
    changed = "modeldeployment.airunway.ai/phi-4 spec.provider.overrides.inference.preset.presetOptions: (none) -> "
    assert changed in result.stderr


def test_recreate_prints_kubectls_delete_line_for_what_it_deletes(model_emulator: Start) -> None:
    # kubectl replace --force prints the delete line before the object is made again
    # (kubernetes/kubectl pkg/cmd/replace/replace.go, forceReplace: DeleteOptions.DeleteResult,
    # which prints kubectl delete's line, pkg/cmd/delete/delete.go).
    emu = model_emulator()
    hf_token_secret(emu)
    assert _deploy().exit_code == 0
    result = _deploy("--access-secret", "hf-token", "--recreate")
    assert result.exit_code == 0, result
    assert 'workspace.kaito.sh "phi-4" deleted from default namespace (recreated)' in result.stdout.splitlines()
