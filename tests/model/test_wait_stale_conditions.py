"""After a change, ``model deploy --wait`` waits for KAITO to reconcile the new generation: the
Ready conditions it wrote for the previous one do not count (KAITO stamps each condition's
observedGeneration, kaito-project/kaito pkg/workspace/controllers/workspace_controller.go)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from tests.cli import invoke
from tests.emulators.kube.controllers.kaito import InferenceSetController, WorkspaceController

KAITO = "kaito.sh/v1beta1"
Start = Callable[..., Any]


def _pause(emu: Any, kind: type) -> None:
    """Takes the KAITO controller of ``kind`` off the emulator: an operator that has not yet
    seen the change."""
    for c in [c for c in emu.controllers.controllers if isinstance(c, kind)]:
        emu.controllers.remove(c)


def _add_adapter(emu: Any) -> None:
    """A change to the Workspace's spec that KAITO takes in place (a new generation): its preset,
    instance type and label selector are immutable (kaito-project/kaito v0.12.0
    api/v1beta1/workspace_validation.go), adapters are not. akscli changes none of a Workspace's
    spec in place, so another writer makes it."""
    adapters = [{"source": {"name": "adapter", "image": "registry.example.com/adapter:1"}}]
    emu.cluster.patch(KAITO, "Workspace", "default", "phi-4", {"inference": {"adapters": adapters}})


def _generations(obj: dict[str, Any]) -> tuple[int, set[int]]:
    return obj["metadata"]["generation"], {c["observedGeneration"] for c in obj["status"]["conditions"]}


def test_a_ready_workspace_of_the_previous_generation_does_not_end_the_wait(model_emulator: Start) -> None:
    emu = model_emulator()
    assert invoke("model", "deploy", "phi-4", "--wait", "--timeout", "20s", "-y").exit_code == 0
    _pause(emu, WorkspaceController)
    _add_adapter(emu)
    result = invoke("model", "deploy", "phi-4", "--wait", "--timeout", "2s", "-y")
    assert result.exit_code == 5, result
    assert "generation 2" in result.stderr
    ws = emu.cluster.get(KAITO, "Workspace", "default", "phi-4")
    assert _generations(ws) == (2, {1})
    assert {c["status"] for c in ws["status"]["conditions"]} == {"True"}


def test_the_wait_ends_once_kaito_has_reconciled_the_new_generation(model_emulator: Start) -> None:
    emu = model_emulator()
    assert invoke("model", "deploy", "phi-4", "--wait", "--timeout", "20s", "-y").exit_code == 0
    _add_adapter(emu)
    result = invoke("model", "deploy", "phi-4", "--wait", "--timeout", "20s", "-y")
    assert result.exit_code == 0, result
    assert _generations(emu.cluster.get(KAITO, "Workspace", "default", "phi-4")) == (2, {2})


def test_a_ready_inferenceset_of_the_previous_generation_does_not_end_the_wait(model_emulator: Start) -> None:
    emu = model_emulator()
    assert invoke("model", "deploy", "phi-4", "--replicas", "2", "--wait", "--timeout", "20s", "-y").exit_code == 0
    _pause(emu, InferenceSetController)
    result = invoke("model", "deploy", "phi-4", "--replicas", "3", "--wait", "--timeout", "2s", "-y")
    assert result.exit_code == 5, result
    assert _generations(emu.cluster.get(KAITO, "InferenceSet", "default", "phi-4")) == (2, {1})
