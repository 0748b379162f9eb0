"""`model list` and `model status` of a ModelDeployment AI Runway's kaito provider serves, applied by
hand with scaling.replicas 3: the provider passes the count to KAITO as the Workspace's
resource.count (GPU nodes of its one server) and reports it as status.replicas, all ready or none
(upstream: ai-runway/airunway v0.7.0 providers/kaito/transformer.go buildResource,
providers/kaito/status.go extractReplicas; kaito-project/kaito v0.12.0
pkg/workspace/controllers/workspace_controller.go UpdateWorkspaceTargetNodeCount: for vLLM KAITO
estimates the node count and does not read resource.count). akscli shows one server."""

from __future__ import annotations

import json
from typing import Any

from tests.cli import invoke

from ._airunway import MD, model_until
from ._queue import gpu_nodes
from .conftest import AIRUNWAY_CRDS


def test_a_kaito_provider_deployment_with_three_replicas_shows_one_server_and_what_ai_runway_counts(
    model_emulator: Any,
) -> None:
    emu = model_emulator(crds=AIRUNWAY_CRDS)
    gpu_nodes(emu, 3)
    emu.cluster.create(
        {
            "apiVersion": MD,
            "kind": "ModelDeployment",
            "metadata": {"name": "phi-4", "namespace": "default"},
            "spec": {
                "model": {"id": "microsoft/phi-4", "source": "huggingface"},
                "provider": {"name": "kaito", "overrides": {"resource": {"instanceType": "Standard_NC24ads_A100_v4"}}},
                "engine": {"type": "vllm"},
                "resources": {"gpu": {"count": 1}},
                "scaling": {"replicas": 3},
            },
        }
    )
    md = model_until(emu, lambda md: (md.get("status") or {}).get("phase") == "Running")
    assert md["status"]["replicas"]["desired"] == 3 and md["status"]["replicas"]["ready"] == 3  # upstream's counts
    status = invoke("model", "status", "phi-4")
    assert status.exit_code == 0, status
    assert "AI Runway's replicas 3/3 (kaito provider) are the Workspace's resource.count" in status.stderr
    doc = json.loads(invoke("model", "status", "phi-4", "-o", "json").stdout)
    assert (doc["ready"], doc["desired"]) == (1, 1)
