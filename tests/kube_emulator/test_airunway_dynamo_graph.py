"""The emulator's AI Runway dynamo provider builds the DynamoGraphDeployment upstream's Transform does
(ai-runway/airunway v0.7.0 providers/dynamo/transformer.go; simulated in
tests/emulators/kube/controllers/airunway_dynamo_graph.py)."""

from __future__ import annotations

from typing import Any

import pytest

from tests.emulators.kube.controllers.airunway_dynamo_graph import VLLM_RUNTIME, TransformError, graph


def _md(**spec: Any) -> dict[str, Any]:
    base = {
        "model": {"id": "microsoft/Phi-4", "servedName": "phi-4", "source": "huggingface"},
        "engine": {"type": "vllm", "contextLength": 8192, "trustRemoteCode": True},
        "resources": {"gpu": {"count": 2}},
        "scaling": {"replicas": 1},
        "provider": {"name": "dynamo"},
    }
    return {
        "metadata": {"name": "phi-4", "namespace": "default", "uid": "u1"},
        "spec": {**base, **spec},
    }


def test_the_worker_runs_dynamo_vllm_with_the_models_args_and_gpus() -> None:
    worker = graph(_md())["spec"]["services"]["VllmWorker"]
    main = worker["extraPodSpec"]["mainContainer"]
    assert main == {
        "image": VLLM_RUNTIME,
        "command": ["python3", "-m", "dynamo.vllm"],
        "args": [
            "--model", "microsoft/Phi-4", "--served-model-name", "phi-4", "--max-model-len", "8192",
            "--trust-remote-code",
        ],
    }  # fmt: skip
    assert worker["resources"] == {"limits": {"gpu": "2"}, "requests": {"gpu": "2"}}
    assert worker["componentType"] == "worker" and worker["replicas"] == 1


def test_a_gateway_model_gets_the_epp_and_a_frontend_sidecar_on_its_worker() -> None:
    services = graph(_md(gateway={"enabled": True}))["spec"]["services"]
    assert sorted(services) == ["Epp", "VllmWorker"]
    assert services["VllmWorker"]["frontendSidecar"]["args"] == ["-m", "dynamo.frontend", "--router-mode", "direct"]
    profile = services["Epp"]["eppConfig"]["config"]["schedulingProfiles"]
    assert profile == [
        {
            "name": "decode",
            "plugins": [{"pluginRef": r, "weight": 1} for r in ("decode-filter", "dyn-decode", "picker")],
        }
    ]


def test_the_model_id_label_is_sanitized() -> None:
    labels = graph(_md())["metadata"]["labels"]
    assert labels["airunway.ai/model-id"] == "microsoft-Phi-4"
    assert labels["airunway.ai/engine-type"] == "vllm"


def test_overrides_are_deep_merged_last_and_may_not_touch_metadata() -> None:
    over = {"spec": {"services": {"VllmWorker": {"replicas": 3}}}}
    merged = graph(_md(provider={"name": "dynamo", "overrides": over}))
    assert merged["spec"]["services"]["VllmWorker"]["replicas"] == 3
    assert merged["spec"]["services"]["VllmWorker"]["componentType"] == "worker"
    with pytest.raises(TransformError, match='overriding "metadata" is not allowed'):
        graph(_md(provider={"name": "dynamo", "overrides": {"metadata": {"labels": {}}}}))
