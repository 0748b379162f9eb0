"""AI Runway's providers write as their binaries do (ai-runway/airunway v0.7.0): the vllm and llmd
providers server-side apply their Deployment and Service with ForceOwnership as "vllm-provider" and
"llmd-provider" (providers/{vllm,llmd}/controller.go createOrUpdateResource); every provider's other
writes (the finalizer, the kaito Workspace) are its binary's, /provider with client-go's default user
agent (providers/*/Dockerfile ENTRYPOINT; cmd/main.go sets no UserAgent)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from tests.cli import invoke
from tests.emulators.kube.controllers.kaito import KAITO
from tests.emulators.kube.status import ApiError

from .conftest import AIRUNWAY_CRDS

MD = "airunway.ai/v1alpha1"
Start = Callable[..., Any]


def _deployed(model_emulator: Start, provider: str) -> Any:
    emu = model_emulator(crds=AIRUNWAY_CRDS)
    assert invoke("model", "deploy", "phi-4", "--runtime", "airunway", "--provider", provider, "-y").exit_code == 0
    emu.idle()
    return emu


def _writers(obj: dict[str, Any]) -> set[tuple[str, str]]:
    return {(m["manager"], m["operation"]) for m in obj["metadata"].get("managedFields") or []}


@pytest.mark.parametrize("provider", ["vllm", "llmd"])
def test_the_provider_applies_its_deployment_and_service_as_its_field_manager(
    model_emulator: Start, provider: str
) -> None:
    emu = _deployed(model_emulator, provider)
    for api, kind in (("apps/v1", "Deployment"), ("v1", "Service")):
        obj = emu.cluster.get(api, kind, "default", "phi-4")
        assert (f"{provider}-provider", "Apply") in _writers(obj), kind
        assert not {w for w in _writers(obj) if w[0] in ("manager", "provider")}, kind


def test_a_users_apply_of_the_vllm_image_conflicts_with_vllm_provider(model_emulator: Start) -> None:
    emu = _deployed(model_emulator, "vllm")
    live = emu.cluster.get("apps/v1", "Deployment", "default", "phi-4")
    container = live["spec"]["template"]["spec"]["containers"][0]
    mine = {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": {"name": "phi-4", "namespace": "default"},
        "spec": {"template": {"spec": {"containers": [{"name": container["name"], "image": "vllm/other:1"}]}}},
    }
    with pytest.raises(ApiError) as err:
        emu.cluster.apply(mine, manager="platform", force=False)
    assert err.value.code == 409 and 'conflict with "vllm-provider"' in str(err.value)


def test_the_kaito_provider_creates_its_workspace_as_provider(model_emulator: Start) -> None:
    emu = _deployed(model_emulator, "kaito")
    ws = emu.cluster.get(KAITO, "Workspace", "default", "phi-4")
    assert ("provider", "Update") in _writers(ws)
    assert "manager" not in {m for m, _ in _writers(ws)}


def test_the_providers_finalizer_is_the_provider_binarys_write(model_emulator: Start) -> None:
    emu = _deployed(model_emulator, "kaito")
    md = emu.cluster.get(MD, "ModelDeployment", "default", "phi-4")
    fields = [(m["manager"], m["fieldsV1"].get("f:metadata") or {}) for m in md["metadata"]["managedFields"]]
    owners = [manager for manager, meta in fields if "f:finalizers" in meta]
    assert owners == ["provider"]


def test_the_core_controller_and_the_provider_write_the_status_each_as_its_own_binary(model_emulator: Start) -> None:
    # modeldeployment_controller.go r.Status().Patch from /manager; providers/vllm/controller.go
    # r.Status().Update from /provider (its Dockerfile ENTRYPOINT).
    emu = _deployed(model_emulator, "vllm")
    md = emu.cluster.get(MD, "ModelDeployment", "default", "phi-4")
    status = {
        m["manager"]: set(m["fieldsV1"].get("f:status") or {})
        for m in md["metadata"]["managedFields"]
        if m.get("subresource") == "status"
    }
    assert {"f:provider", "f:engine"} <= status["manager"]
    assert "f:phase" in status["provider"] and "f:endpoint" in status["provider"]
