"""A ModelDeployment changed after AI Runway's kaito provider made its Workspace: the provider
updates the fields it writes on that Workspace (ai-runway/airunway v0.7.0 providers/kaito/
controller.go createOrUpdateResource, updateManagedWorkspaceFields), so a change KAITO's webhook
refuses (a new resource.count: kaito-project/kaito v0.12.0 api/v1beta1/workspace_validation.go
ResourceSpec.validateUpdate) fails the ModelDeployment, as on a cluster, and one it takes reaches
the Workspace. akscli refuses the first before sending (--replicas with --provider kaito)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from tests.cli import invoke
from tests.emulators.kube.apiserver import wait_until

from .conftest import AIRUNWAY_CRDS

KAITO = "kaito.sh/v1beta1"
MD = "airunway.ai/v1alpha1"
Start = Callable[..., Any]


def _md(emu: Any) -> dict[str, Any]:
    return emu.cluster.get(MD, "ModelDeployment", "default", "phi-4") or {}


def test_a_kaito_provider_workspace_follows_the_model_deployment_until_kaito_refuses(model_emulator: Start) -> None:
    emu = model_emulator(crds=AIRUNWAY_CRDS)
    deployed = invoke("model", "deploy", "phi-4", "--runtime", "airunway", "--wait", "--timeout", "120s", "-y")
    assert deployed.exit_code == 0, deployed
    overrides = _md(emu)["spec"]["provider"]["overrides"]
    overrides["inference"]["config"] = "phi-4-other"
    emu.cluster.patch(MD, "ModelDeployment", "default", "phi-4", {"spec": {"provider": {"overrides": overrides}}})
    assert wait_until(
        lambda: (
            (emu.cluster.get(KAITO, "Workspace", "default", "phi-4") or {})["inference"].get("config") == "phi-4-other"
        )
    )
    emu.cluster.patch(MD, "ModelDeployment", "default", "phi-4", {"spec": {"scaling": {"replicas": 2}}})
    assert wait_until(lambda: _md(emu).get("status", {}).get("phase") == "Failed")
    message = _md(emu)["status"]["message"]
    assert message.startswith('Failed to create Workspace: admission webhook "validation.workspace.kaito.sh"'), message
    assert message.endswith("field is immutable: resource.count"), message
    assert emu.cluster.get(KAITO, "Workspace", "default", "phi-4")["resource"]["count"] == 1
