"""A ModelDeployment changed after AI Runway's kaito provider made its Workspace: the provider
updates the fields it writes on that Workspace (ai-runway/airunway v0.7.0 providers/kaito/
controller.go createOrUpdateResource, updateManagedWorkspaceFields), so a change KAITO's webhook
refuses (a new resource.count: kaito-project/kaito v0.12.0 api/v1beta1/workspace_validation.go
ResourceSpec.validateUpdate) fails the ModelDeployment, as on a cluster, and one it takes reaches
the Workspace. akscli refuses the first before sending (--replicas with --provider kaito)."""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from typing import Any

from tests.cli import invoke
from tests.emulators.kube.apiserver import wait_until
from tests.emulators.kube.controllers.airunway import ModelDeploymentController

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


class _Cluster:
    """One Workspace, a create and JSON merge patches: what _workspace calls (no emulator)."""

    def __init__(self) -> None:
        self.ws: dict[str, Any] | None = None

    def get(self, *_: Any) -> dict[str, Any] | None:
        return copy.deepcopy(self.ws)

    def list(self, *_: Any, **__: Any) -> list[dict[str, Any]]:
        return []  # no kaito provider pod: its environment sets no instanceType (airunway_kaito.instance_type)

    def create(self, body: dict[str, Any], manager: str | None = None) -> dict[str, Any]:
        self.ws = copy.deepcopy(body)
        return body

    def patch(
        self, _api: str, _kind: str, _ns: str, _name: str, patch: dict[str, Any], manager: str | None = None
    ) -> dict[str, Any]:
        def merge(old: Any, new: Any) -> Any:
            if not isinstance(new, dict):
                return new
            out = dict(old) if isinstance(old, dict) else {}
            for k, v in new.items():
                out.pop(k, None) if v is None else out.__setitem__(k, merge(out.get(k), v))
            return out

        self.ws = merge(self.ws, patch)
        return dict(self.ws or {})


def test_the_kaito_provider_updates_the_workspace_labels_it_manages() -> None:
    """providers/kaito/transformer.go Transform (the model-source label, spec.podTemplate.metadata's
    labels) and controller.go mergeManagedMetadata: a label it wrote and writes no more goes; one
    it never wrote (a user's, KAITO's annotations) stays."""
    md: dict[str, Any] = {
        "apiVersion": MD,
        "kind": "ModelDeployment",
        "metadata": {"name": "phi-4", "namespace": "default", "uid": "u1"},
        "spec": {
            "model": {"id": "phi-4", "source": "huggingface"},
            "engine": {"type": "vllm"},
            "podTemplate": {"metadata": {"labels": {"team": "a"}}},
        },
    }
    cluster, controller = _Cluster(), ModelDeploymentController()
    controller._workspace(cluster, md)
    assert cluster.ws is not None
    labels = cluster.ws["metadata"]["labels"]
    assert labels["team"] == "a" and labels["airunway.ai/model-source"] == "huggingface", labels
    cluster.ws["metadata"]["labels"]["someone"] = "x"
    cluster.ws["metadata"]["annotations"]["workspace.kaito.io/revision"] = "1"
    md["spec"]["podTemplate"] = {"metadata": {"labels": {"tier": "b"}}}
    controller._workspace(cluster, md)
    labels, annotations = cluster.ws["metadata"]["labels"], cluster.ws["metadata"]["annotations"]
    assert "team" not in labels and labels["tier"] == "b" and labels["someone"] == "x", labels
    assert annotations["workspace.kaito.io/revision"] == "1"
    assert json.loads(annotations["airunway.ai/kaito-last-applied"])["labels"]["tier"] == "b"
