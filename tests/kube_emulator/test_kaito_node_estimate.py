"""The KAITO simulator sizes a Workspace with its own port of KAITO's node estimator
(tests/emulators/kube/kaito_estimator.py), not with akscli's: status.targetNodeCount as
kaito-project/kaito v0.12.0 pkg/workspace/controllers/workspace_controller.go
UpdateWorkspaceTargetNodeCount sets it. The numbers below are worked by hand from
pkg/workspace/estimator/nodesestimator/estimator.go and model_catalog.yaml."""

from __future__ import annotations

from typing import Any

import pytest

from tests.emulators.kube import KubeEmulator
from tests.emulators.kube.apiserver import wait_until
from tests.kube_emulator.test_kaito_scheduling import kaito_lab, workspace

A10 = "Standard_NV36ads_A10_v5"
KAITO = "kaito.sh/v1beta1"


@pytest.fixture
def emu(kube_emulator: KubeEmulator) -> KubeEmulator:
    return kaito_lab(kube_emulator)


def _config(emu: KubeEmulator, max_model_len: int) -> None:
    emu.cluster.create(
        {
            "apiVersion": "v1",
            "kind": "ConfigMap",
            "metadata": {"name": "ctx", "namespace": "default"},
            "data": {"inference_config.yaml": f"vllm:\n  max-model-len: {max_model_len}\n"},
        }
    )


def _on_a10(preset: str, *, config: bool = False, **resource: Any) -> dict[str, Any]:
    ws = workspace()
    ws["resource"].update(instanceType=A10, **resource)
    ws["inference"]["preset"]["name"] = preset
    if config:
        ws["inference"]["config"] = "ctx"
    return ws


def _status(emu: KubeEmulator) -> dict[str, Any]:
    return (emu.cluster.get(KAITO, "Workspace", "default", "phi") or {}).get("status") or {}


def test_a_workspace_gets_the_node_count_of_kaitos_estimator(emu: KubeEmulator) -> None:
    # phi-4: 27.31Gi x 1.02 = 27.86 GiB of weights; an A10's 24 GiB x 0.84 = 20.16 GiB, less
    # 2.3 GiB and 2048 x 204800 bytes of KV (0.39 GiB), over 1.05: 16.63 GiB a GPU -> 2 GPUs
    emu.cluster.create(_on_a10("phi-4"))
    assert wait_until(lambda: _status(emu).get("targetNodeCount") == 2)


def test_the_inference_configs_max_model_len_enters_the_estimate(emu: KubeEmulator) -> None:
    # phi-4-mini-instruct at 131072 tokens: 16 GiB of KV on the one A10 leaves 1.77 GiB a GPU
    # for 7.29 GiB of weights -> 5 nodes (1 at the estimator's default 2048)
    _config(emu, 131072)
    emu.cluster.create(_on_a10("phi-4-mini-instruct", config=True))
    assert wait_until(lambda: _status(emu).get("targetNodeCount") == 5)


def test_the_node_count_is_estimated_once(emu: KubeEmulator) -> None:
    # UpdateWorkspaceTargetNodeCount runs the estimator only while targetNodeCount is 0
    _config(emu, 2048)
    emu.cluster.create(_on_a10("phi-4-mini-instruct", config=True))
    assert wait_until(lambda: _status(emu).get("targetNodeCount") == 1)
    cm = emu.cluster.get("v1", "ConfigMap", "default", "ctx") or {}
    cm["data"]["inference_config.yaml"] = "vllm:\n  max-model-len: 131072\n"
    emu.cluster.update(cm)
    ws = emu.cluster.get(KAITO, "Workspace", "default", "phi") or {}
    ws["metadata"].setdefault("annotations", {})["touched"] = "1"
    emu.cluster.update(ws)
    emu.idle()
    assert _status(emu)["targetNodeCount"] == 1


def test_the_transformers_runtime_takes_resource_count_as_it_is(emu: KubeEmulator) -> None:
    ws = _on_a10("phi-4", count=3)
    ws["metadata"]["annotations"] = {"kaito.sh/runtime": "transformers"}
    emu.cluster.create(ws)
    assert wait_until(lambda: _status(emu).get("targetNodeCount") == 3)


def test_a_gpu_too_small_for_the_kv_cache_fails_the_estimate(emu: KubeEmulator) -> None:
    # llama-3.3-70b-instruct at 131072 tokens: 40 GiB of KV on one A10, more than its 20.16 GiB
    _config(emu, 131072)
    emu.cluster.create(_on_a10("llama-3.3-70b-instruct", config=True))
    want = (
        "failed to calculate target node count: GPU memory 25769803776 bytes is too small, needs at least "
        "42.3 GB overhead (base: 2.3GB + KV Cache: 40.0 GB))"
    )
    assert wait_until(
        lambda: any(c["message"].endswith(want) for c in _status(emu).get("conditions") or []),
    )
    assert "targetNodeCount" not in _status(emu)
